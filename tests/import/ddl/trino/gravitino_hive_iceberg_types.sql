-- Source: https://github.com/apache/gravitino @ f461aa31aa758e9b8f2743795a34fc31f8456a68 (Trino connector integration test sets)
-- Licence: Apache-2.0. Only selected CREATE TABLE statements kept (origin file noted above each); the CREATE SCHEMA/USE,
-- SHOW CREATE TABLE, INSERT, SELECT and DROP statements of those test files were removed.

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/hive/00012_format.sql
CREATE TABLE storage_formats_orc (
c_boolean boolean,
c_tinyint tinyint,
c_smallint smallint,
c_int  integer,
c_bigint bigint,
c_real real,
c_double double,
c_decimal_10_0 decimal(10,0),
c_decimal_10_2 decimal(10,2),
c_decimal_38_5 decimal(38,5),
c_char char(10),
c_varchar varchar(10),
c_string varchar,
c_binary varbinary,
c_date date,
c_timestamp timestamp,
c_array array(integer),
c_map map(varchar, varchar),
c_row row(f1 integer, f2 varchar)
) WITH (format='ORC');

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/hive/00012_format.sql
CREATE TABLE storage_formats_parquet (
c_boolean boolean,
c_tinyint tinyint,
c_smallint smallint,
c_int  integer,
c_bigint bigint,
c_real real,
c_double double,
c_decimal_10_0 decimal(10,0),
c_decimal_10_2 decimal(10,2),
c_decimal_38_5 decimal(38,5),
c_char char(10),
c_varchar varchar(10),
c_string varchar,
c_binary varbinary,
c_date date,
c_timestamp timestamp,
c_array array(integer),
c_map map(varchar, varchar),
c_row row(f1 integer, f2 varchar)
) WITH (format='PARQUET');

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/hive/00014_partition_sort_order.sql
CREATE TABLE tb01 (
    n_nationkey bigint,
    n_name varchar,
    n_regionkey bigint,
    n_comment varchar,
    part_key varchar
) WITH (bucket_count = 4, bucketed_by = ARRAY['n_regionkey'], partitioned_by = ARRAY['part_key']);

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/hive/00014_partition_sort_order.sql
CREATE TABLE tb03 (
    n_nationkey bigint,
    n_name varchar,
    n_regionkey bigint,
    n_comment varchar
) WITH (bucket_count = 2, bucketed_by = ARRAY['n_regionkey'],sorted_by = ARRAY['n_regionkey']);

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/hive/00014_partition_sort_order.sql
CREATE TABLE tb04 (
    n_nationkey bigint,
    n_name varchar,
    n_regionkey bigint,
    n_comment varchar,
    part_key1 varchar,
    part_key2 bigint
) WITH (partitioned_by = ARRAY['part_key1','part_key2']);

-- from trino-connector/integration-test/src/test/resources/trino-ci-testset/testsets/lakehouse-iceberg/00006_datatype.sql
CREATE TABLE tb02 (
    f1 VARCHAR NOT NULL ,
    f3 VARBINARY NOT NULL ,
    f4 DECIMAL(10, 3) NOT NULL ,
    f5 REAL NOT NULL ,
    f6 DOUBLE NOT NULL ,
    f7 BOOLEAN NOT NULL ,
    f10 INT NOT NULL ,
    f11 INTEGER NOT NULL ,
    f12 BIGINT NOT NULL ,
    f13 DATE NOT NULL ,
    f14 TIME NOT NULL ,
    f15 TIMESTAMP NOT NULL,
    f16 TIMESTAMP WITH TIME ZONE NOT NULL
);
