//! Snapshots of the dbt files emitted for the example contracts: portable
//! (every adapter) per-rule and single-scan, per-rule for DuckDB alone,
//! per-rule with enforced contracts for Snowflake (its types and quoting),
//! and the generic test macros, portable (every dialect's implementation)
//! and for DuckDB alone. One snapshot per group, each file headed by its
//! path.

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
        ("portable_per_rule", None, DbtTests::PerRule, false),
        ("portable_single_scan", None, DbtTests::SingleScan, false),
        (
            "duckdb_per_rule",
            Some(Dialect::Duckdb),
            DbtTests::PerRule,
            false,
        ),
        (
            "snowflake_enforced",
            Some(Dialect::Snowflake),
            DbtTests::PerRule,
            true,
        ),
    ];
    for (name, dialect, tests, enforce_contracts) in cases {
        let options = Options {
            dialect,
            tests,
            enforce_contracts,
            ..Options::default()
        };
        let files = dbt::emit(&ir, &options).expect("no name clash");
        let text = joined(&files, |p| !p.starts_with("macros/"));
        insta::assert_snapshot!(format!("dbt__{name}"), text);
    }
}

#[test]
fn macros_portable_and_for_one_dialect() {
    for (name, dialect) in [("portable", None), ("duckdb", Some(Dialect::Duckdb))] {
        let options = Options {
            dialect,
            ..Options::default()
        };
        let text = joined(&dbt::macros(&options), |_| true);
        insta::assert_snapshot!(format!("dbt__macros__{name}"), text);
    }
}

#[test]
fn emission_is_deterministic() {
    for dialect in [None, Some(Dialect::Postgres)] {
        let options = Options {
            dialect,
            tests: DbtTests::PerRule,
            enforce_contracts: dialect.is_some(),
            ..Options::default()
        };
        assert_eq!(
            dbt::emit(&example_ir(), &options).unwrap(),
            dbt::emit(&example_ir(), &options).unwrap()
        );
    }
}

/// Without a dialect, every piece of SQL that differs between dialects is
/// chosen by dbt: each dialect's text is in the files, and nothing is
/// written for one dialect alone (no `data_type`).
#[test]
fn portable_files_hold_every_dialects_sql() {
    let ir = example_ir();
    let portable = dbt::emit(&ir, &Options::default()).expect("no name clash");
    let all: String = portable.iter().map(|f| f.text.as_str()).collect();
    assert!(!all.contains("data_type:"));
    for &dialect in Dialect::ALL {
        let one = dbt::emit(
            &ir,
            &Options {
                dialect: Some(dialect),
                ..Options::default()
            },
        )
        .expect("no name clash");
        // Each dialect's macro bodies appear in the portable macros.
        for file in one.iter().filter(|f| f.path.starts_with("macros/")) {
            let body = file
                .text
                .split("__test_")
                .nth(1)
                .or_else(|| file.text.split("default__").nth(1))
                .and_then(|rest| rest.split_once("-%}\n"))
                .map(|(_, body)| body)
                .expect("an implementation");
            assert!(
                all.contains(body),
                "{dialect:?}: {} is not in the portable macros",
                file.path
            );
        }
    }
}
