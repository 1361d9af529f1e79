-- Source: https://github.com/apache/gravitino  trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/tpch/catalog_iceberg_prepare.sql @ f461aa31aa758e9b8f2743795a34fc31f8456a68
-- Licence: Apache-2.0. Kept: CREATE SCHEMA, USE and the 8 TPC-H CREATE TABLE statements;
-- removed: the gravitino.system.create_catalog CALL and the INSERT ... SELECT data loads.

create schema gt_iceberg2.gt_tpch2;

use gt_iceberg2.gt_tpch2;

CREATE TABLE customer (
   custkey bigint,
   name varchar,
   address varchar,
   nationkey bigint,
   phone varchar,
   acctbal decimal(12, 2),
   mktsegment varchar,
   comment varchar
);

CREATE TABLE lineitem (
   orderkey bigint,
   partkey bigint,
   suppkey bigint,
   linenumber integer,
   quantity decimal(12, 2),
   extendedprice decimal(12, 2),
   discount decimal(12, 2),
   tax decimal(12, 2),
   returnflag varchar,
   linestatus varchar,
   shipdate date,
   commitdate date,
   receiptdate date,
   shipinstruct varchar,
   shipmode varchar,
   comment varchar
);

CREATE TABLE nation (
   nationkey bigint,
   name varchar,
   regionkey bigint,
   comment varchar
);

CREATE TABLE orders (
   orderkey bigint,
   custkey bigint,
   orderstatus varchar,
   totalprice decimal(12, 2),
   orderdate date,
   orderpriority varchar,
   clerk varchar,
   shippriority integer,
   comment varchar
);

CREATE TABLE part (
   partkey bigint,
   name varchar,
   mfgr varchar,
   brand varchar,
   type varchar,
   size integer,
   container varchar,
   retailprice decimal(12, 2),
   comment varchar
);

CREATE TABLE partsupp (
   partkey bigint,
   suppkey bigint,
   availqty integer,
   supplycost decimal(12, 2),
   comment varchar
);

CREATE TABLE region (
   regionkey bigint,
   name varchar,
   comment varchar
);

CREATE TABLE supplier (
   suppkey bigint,
   name varchar,
   address varchar,
   nationkey bigint,
   phone varchar,
   acctbal decimal(12, 2),
   comment varchar
);
