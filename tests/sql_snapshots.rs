//! Snapshots of the SQL emitted for the example contracts, every dialect:
//! one snapshot per (dialect, contract) holding the check query, the schema
//! query and every failing-rows query, each headed by its path.

mod common;

use datapact::types::Dialect;

fn example_ir() -> datapact::ir::Ir {
    let sources = common::load(&common::root().join("contracts"));
    let checked = datapact::check(&sources);
    checked.ir.expect("the example contracts are valid")
}

#[test]
fn example_sql_per_dialect() {
    let ir = example_ir();
    for &dialect in Dialect::ALL {
        let files = datapact::emit::sql::emit(&ir, dialect);
        for ds in &ir.datasets {
            let prefix = format!("sql/{}/{}", dialect.name(), ds.contract);
            let text: String = files
                .iter()
                .filter(|f| {
                    f.path == format!("{prefix}.sql")
                        || f.path == format!("{prefix}.schema.sql")
                        || f.path.starts_with(&format!("{prefix}/"))
                })
                .map(|f| format!("==> {} <==\n{}\n", f.path, f.text))
                .collect();
            insta::assert_snapshot!(format!("sql__{}__{}", dialect.name(), ds.contract), text);
        }
    }
}

#[test]
fn emission_is_deterministic() {
    let first: Vec<_> = Dialect::ALL
        .iter()
        .flat_map(|d| datapact::emit::sql::emit(&example_ir(), *d))
        .collect();
    let second: Vec<_> = Dialect::ALL
        .iter()
        .flat_map(|d| datapact::emit::sql::emit(&example_ir(), *d))
        .collect();
    assert_eq!(first, second);
    let paths: Vec<&str> = first.iter().map(|f| f.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(paths.len(), sorted.len(), "paths are unique");
}
