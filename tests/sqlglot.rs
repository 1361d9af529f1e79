//! Every statement datapact emits for the dialects we cannot execute here
//! (and for DuckDB and PostgreSQL too) parses with sqlglot, a real SQL
//! parser for each dialect, at error level `raise`.
//!
//! Input: the example contracts and every engine case contract (hostile
//! names and values included), compiled for all eight dialects.

mod common;
mod harness;

use std::collections::BTreeMap;

use datapact::dialect::Dialect;
use datapact::source::Sources;
use harness::Engine;

/// Contracts of the engine cases: the `|` blocks under `contracts:`.
fn case_contracts(sources: &mut Sources) {
    let dir = common::root().join("tests/engines/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for path in paths {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut file = Sources::new();
        let id = file.add("case.yaml", text);
        let (node, _) = datapact::syntax::yaml::parse(id, file.get(id));
        let Some(node) = node else { continue };
        let datapact::syntax::yaml::NodeKind::Map(entries) = &node.kind else {
            continue;
        };
        for (key, value) in entries {
            if key.scalar_text().as_deref() != Some("contracts") {
                continue;
            }
            if let datapact::syntax::yaml::NodeKind::Seq(items) = &value.kind {
                for (i, item) in items.iter().enumerate() {
                    sources.add(
                        format!("{stem}/{i}.yaml"),
                        item.scalar_text().unwrap_or_default(),
                    );
                }
            }
        }
    }
}

#[test]
fn every_statement_parses_with_sqlglot() {
    // sqlglot runs in the project's venv, like the engines.
    if !harness::available(Engine::Duckdb) {
        return;
    }
    let mut statements = Vec::new();
    let mut sets = vec![common::load(&common::root().join("contracts"))];
    let mut cases = Sources::new();
    case_contracts(&mut cases);
    sets.push(cases);
    for sources in &sets {
        let checked = datapact::check(sources);
        let ir = checked.ir.expect("contracts compile");
        for dialect in Dialect::ALL {
            for file in datapact::sql::emit(&ir, dialect) {
                statements.push((file.path.clone(), dialect, file.text));
            }
            // The dbt one-scan test's query: only the checks that did not pass.
            let relation = |_: &str, location: &datapact::ir::Location| {
                datapact::sql::qualified_name(location, dialect)
            };
            for ds in &ir.datasets {
                statements.push((
                    format!("dbt one-scan {} {}", dialect.name(), ds.contract),
                    dialect,
                    datapact::sql::check_query_non_passing(ds, dialect, &relation),
                ));
            }
        }
    }
    let (version, errors) = harness::parse_check(&statements);
    let mut per_dialect: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (id, dialect, _) in &statements {
        let entry = per_dialect.entry(dialect.name()).or_default();
        entry.0 += 1;
        if errors.iter().any(|(e, _)| e == id) {
            entry.1 += 1;
        }
    }
    for (dialect, (total, failed)) in &per_dialect {
        eprintln!("sqlglot {version} {dialect}: {total} statements, {failed} failed to parse");
    }
    assert!(
        errors.is_empty(),
        "{} statements do not parse:\n{}",
        errors.len(),
        errors
            .iter()
            .take(10)
            .map(|(id, e)| format!("{id}: {e}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
