-- Source: https://github.com/sqlfluff/sqlfluff @ e8e8c5d24dee8371acb94177fd8a7a86a783151c (parser test fixtures)
-- Licence: MIT (Copyright (c) 2018-2026 Alan Cruickshank).
-- Concatenation of several fixture files (named below); statements verbatim. Table names repeat across
-- statements (t_table1, table_1) exactly as in the fixtures: this is a syntax-variant file, not one schema.

-- ----- from test/fixtures/dialects/bigquery/create_table_column_options.sql
CREATE TABLE t_table1
(
    x INT64 OPTIONS(description="An INTEGER field")
);

CREATE TABLE t_table1
(
    x INT64 NOT NULL OPTIONS(description="An INTEGER field that is NOT NULL")
);

CREATE TABLE t_table1
(
    x STRUCT<
        col1 INT64 OPTIONS(description="An INTEGER field in a STRUCT")
    >,
    y ARRAY<STRUCT<
        col1 INT64 OPTIONS(description="An INTEGER field in a REPEATED STRUCT")
    >>
);

-- ----- from test/fixtures/dialects/bigquery/create_table_keys.sql
CREATE TABLE t_table1
(
    x INT64,
    PRIMARY KEY (x) NOT ENFORCED
)
;
CREATE TABLE t_table1
(
    y STRING,
    FOREIGN KEY (y) REFERENCES t_table2(y) NOT ENFORCED,
)
;
CREATE TABLE t_table1
(
    x INT64,
    PRIMARY KEY (x) NOT ENFORCED,
    y STRING,
    FOREIGN KEY (y) REFERENCES t_table2(y) NOT ENFORCED,
    _other STRING
)
;

CREATE TABLE `some_dataset.some_table` (
    id STRING NOT NULL PRIMARY KEY NOT ENFORCED,
    other_field STRING REFERENCES other_table(other_field) NOT ENFORCED
);

-- ----- from test/fixtures/dialects/bigquery/create_table_columns_partition_options.sql (";" terminator appended)
CREATE TABLE newtable (
    x TIMESTAMP,
    y INT64
)
PARTITION BY DATE(x)
CLUSTER BY x, y
OPTIONS(description="foo")
;

-- ----- from test/fixtures/dialects/bigquery/create_table_default_collate.sql
CREATE TABLE example_dataset.example_table
(x INT64)
DEFAULT COLLATE 'und:ci';

CREATE OR REPLACE TABLE
example-project.example_dataset.example_table
(
  x INT64 OPTIONS(description="example"),
  y INT64 OPTIONS(description="example")
)
DEFAULT COLLATE 'und:ci'
CLUSTER BY x, y
OPTIONS(description="example");

-- ----- from test/fixtures/dialects/bigquery/create_table_hyphen_project.sql
CREATE OR REPLACE TABLE project-name.dataset_name.table_name
(
    x INT64 OPTIONS(description="An INTEGER field")
)
PARTITION BY DATE(import_ts);

-- ----- from test/fixtures/dialects/bigquery/create_table_options.sql
CREATE TABLE table_1
OPTIONS(
    expiration_timestamp = TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL 24 HOUR)
);

CREATE TABLE table_1
OPTIONS(
    expiration_timestamp = TIMESTAMP("2023-01-01 00:00:00 UTC")
);

CREATE TABLE table_1
OPTIONS(
    description = "Test mixed options",
    expiration_timestamp = TIMESTAMP("2023-01-01 00:00:00 UTC")
);
