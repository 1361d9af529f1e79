//! The SQL dialects datapact knows, by name.
//!
//! This enum is the registry of dialects: adding one means a variant here
//! (and, once SQL is emitted, its implementation of the dialect trait).

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Duckdb,
    Postgres,
    Snowflake,
    Bigquery,
    Redshift,
    Databricks,
    Trino,
    Sqlserver,
}

impl Dialect {
    pub const ALL: [Dialect; 8] = [
        Dialect::Duckdb,
        Dialect::Postgres,
        Dialect::Snowflake,
        Dialect::Bigquery,
        Dialect::Redshift,
        Dialect::Databricks,
        Dialect::Trino,
        Dialect::Sqlserver,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Duckdb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::Snowflake => "snowflake",
            Dialect::Bigquery => "bigquery",
            Dialect::Redshift => "redshift",
            Dialect::Databricks => "databricks",
            Dialect::Trino => "trino",
            Dialect::Sqlserver => "sqlserver",
        }
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Other names people use for a dialect, for "did you mean" hints.
    pub const SYNONYMS: &'static [(&'static str, &'static str)] = &[
        ("postgresql", "postgres"),
        ("pg", "postgres"),
        ("mssql", "sqlserver"),
        ("tsql", "sqlserver"),
        ("spark", "databricks"),
        ("sparksql", "databricks"),
        ("presto", "trino"),
        ("bq", "bigquery"),
        ("duck", "duckdb"),
    ];
}
