//! Snapshots of the dbt files emitted for the example contracts: per-rule
//! and single-scan for DuckDB, per-rule with enforced contracts for
//! Snowflake (its types and quoting), and the generic test macros of every
//! dialect. One snapshot per group, each file headed by its path.

mod common;

use datapact::emit::dbt::{self, Options};
use datapact::project::DbtTests;
use datapact::types::Dialect;

fn example_ir() -> datapact::ir::Ir {
    let sources = common::load(&common::root().join("contracts"));
    datapact::check(&sources)
        .ir
        .expect("the example contracts are valid")
}

fn joined(files: &[datapact::emit::sql::GeneratedFile], keep: impl Fn(&str) -> bool) -> String {
    files
        .iter()
        .filter(|f| keep(&f.path))
        .map(|f| format!("==> {} <==\n{}\n", f.path, f.text))
        .collect()
}

#[test]
fn example_dbt_files() {
    let ir = example_ir();
    let cases = [
        ("duckdb_per_rule", Dialect::Duckdb, DbtTests::PerRule, false),
        (
            "duckdb_single_scan",
            Dialect::Duckdb,
            DbtTests::SingleScan,
            false,
        ),
        (
            "snowflake_enforced",
            Dialect::Snowflake,
            DbtTests::PerRule,
            true,
        ),
    ];
    for (name, dialect, tests, enforce_contracts) in cases {
        let files = dbt::emit(
            &ir,
            &Options {
                dialect,
                tests,
                enforce_contracts,
            },
        )
        .expect("no name clash");
        let text = joined(&files, |p| !p.starts_with("macros/"));
        insta::assert_snapshot!(format!("dbt__{name}"), text);
    }
}

#[test]
fn macros_per_dialect() {
    for &dialect in Dialect::ALL {
        let text = joined(&dbt::macros(dialect), |_| true);
        insta::assert_snapshot!(format!("dbt__macros__{}", dialect.name()), text);
    }
}

#[test]
fn emission_is_deterministic() {
    let options = Options {
        dialect: Dialect::Postgres,
        tests: DbtTests::PerRule,
        enforce_contracts: true,
    };
    assert_eq!(
        dbt::emit(&example_ir(), &options).unwrap(),
        dbt::emit(&example_ir(), &options).unwrap()
    );
}
