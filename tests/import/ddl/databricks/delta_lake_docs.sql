-- Source: https://github.com/delta-io/delta  docs/src/content/docs/*.mdx @ bb1057f4367f555b01e299fd1690d85aafc0ac4c
-- Licence: Apache-2.0 (Copyright (2021) The Delta Lake Project Authors).
-- Selected SQL examples from the Delta Lake documentation (origin page noted above each statement). Code blocks
-- were de-indented and a ";" appended where the doc snippet had none. Where the docs define the same table several
-- times (default.people10m) only the NOT NULL variant from delta-constraints is kept. DROP CONSTRAINT,
-- CHANGE COLUMN ... DROP NOT NULL, DESCRIBE/SHOW, CLONE and the other people10m variants were not taken.

-- from docs/src/content/docs/delta-constraints.mdx
CREATE TABLE default.people10m (
    id INT NOT NULL,
    firstName STRING,
    middleName STRING NOT NULL,
    lastName STRING,
    gender STRING,
    birthDate TIMESTAMP,
    ssn STRING,
    salary INT
) USING DELTA;

-- from docs/src/content/docs/delta-constraints.mdx
ALTER TABLE default.people10m ADD CONSTRAINT dateWithinRange CHECK (birthDate > '1900-01-01');

-- from docs/src/content/docs/delta-constraints.mdx
ALTER TABLE default.people10m ADD CONSTRAINT validIds CHECK (id > 1 and id < 99999999);

-- from docs/src/content/docs/delta-clustering.mdx
-- Create an empty table
CREATE TABLE table1(col0 int, col1 string) USING DELTA CLUSTER BY (col0);

-- from docs/src/content/docs/delta-catalog-managed-tables.mdx
CREATE TABLE sales_data (
  sale_id BIGINT,
  amount DECIMAL(10,2),
  sale_date DATE
)
TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported');

-- from docs/src/content/docs/delta-change-data-feed.mdx
CREATE TABLE student (id INT, name STRING, age INT) TBLPROPERTIES (delta.enableChangeDataFeed = true);

-- from docs/src/content/docs/delta-row-tracking.mdx
-- Using a CTAS statement
CREATE TABLE course_new
TBLPROPERTIES ('delta.enableRowTracking' = 'true')
AS SELECT * FROM course_old;

-- from docs/src/content/docs/delta-row-tracking.mdx
-- Using a LIKE statement to copy configuration
CREATE TABLE graduate LIKE student;

-- from docs/src/content/docs/delta-uniform.mdx
CREATE TABLE T(c1 INT) USING DELTA TBLPROPERTIES(
  'delta.enableIcebergCompatV2' = 'true',
  'delta.universalFormat.enabledFormats' = 'iceberg');

-- from docs/src/content/docs/porting.mdx (two-line snippet without terminators; ";" added after each line)
CREATE TABLE events USING PARQUET OPTIONS (path '/data-pipeline/');
CONVERT TO DELTA events;
