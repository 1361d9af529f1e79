//! Every statement datapact emits for the dialects we cannot execute here
//! (and for DuckDB and PostgreSQL too) parses with sqlglot, a real SQL
//! parser for each dialect, at error level `raise`.
//!
//! Input: the example contracts and every engine case contract (hostile
//! names and values included), compiled for all eight dialects.

mod common;
mod harness;

use std::collections::BTreeMap;

use datapact::source::Sources;
use datapact::types::Dialect;
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
    // Rules over time: their observation in every dialect.
    sets.push(common::load(
        &common::root().join("tests/fixtures/valid/rules_over_time.yaml"),
    ));
    for sources in &sets {
        let checked = datapact::check(sources);
        let ir = checked.ir.expect("contracts compile");
        for &dialect in Dialect::ALL {
            for file in datapact::emit::sql::emit(&ir, dialect) {
                statements.push((file.path.clone(), dialect, file.text));
            }
            // The dbt one-scan test's query: only the checks that did not pass.
            let relation = |_: &str, location: &datapact::ir::Location| {
                datapact::emit::sql::qualified_name(location, dialect)
            };
            for ds in &ir.datasets {
                statements.push((
                    format!("dbt one-scan {} {}", dialect.name(), ds.contract),
                    dialect,
                    datapact::emit::sql::check_query_non_passing(ds, dialect, &relation),
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

/// User SQL that the one-statement check accepts is one statement for every
/// dialect's reader: random fragments of the tokens readers disagree on
/// (quotes, comments, dollar quotes, brackets, exponents, client commands)
/// holding a `;` or `\`, wrapped as the check query wraps a `where`, never
/// split into two statements by DuckDB's reader or sqlglot's.
#[test]
fn user_sql_the_one_statement_check_accepts_is_one_statement_for_every_reader() {
    if !harness::available(Engine::Duckdb) {
        return;
    }
    const TOKENS: [&str; 32] = [
        "'",
        "\"",
        ";",
        "\\",
        "$$",
        "$a$",
        "/*",
        "*/",
        "--",
        "\n",
        "\r",
        "#",
        "[",
        "]",
        "E",
        "x",
        " ",
        "GO",
        "`",
        "''",
        "select 1",
        "(",
        ")",
        "{{ table }}",
        ":",
        "!",
        "$(",
        "U&",
        "N",
        "e",
        "1e",
        "-",
    ];
    // xorshift64: the same fragments on every run.
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut accepted = Vec::new();
    let mut tried = 0;
    while accepted.len() < 2000 {
        tried += 1;
        let len = 1 + (next() % 10) as usize;
        let fragment: String = (0..len)
            .map(|_| TOKENS[(next() % TOKENS.len() as u64) as usize])
            .collect();
        if fragment.contains([';', '\\']) && datapact::user_sql::hazard(&fragment, true).is_none() {
            accepted.push(fragment);
        }
    }
    let wrapped: Vec<String> = accepted
        .iter()
        .map(|f| format!("select 1 where (\n{f}\n)"))
        .collect();
    let counts = harness::statement_counts(&wrapped);
    let mut split = Vec::new();
    for (fragment, counts) in accepted.iter().zip(&counts) {
        for (reader, n) in counts {
            if n.is_some_and(|n| n > 1) {
                split.push(format!("{reader}: {fragment:?}"));
            }
        }
    }
    eprintln!(
        "{} of {tried} random fragments holding `;` or `\\` accepted; each read by {} readers",
        accepted.len(),
        counts.first().map_or(0, |c| c.len())
    );
    assert!(
        split.is_empty(),
        "accepted, yet split into statements:\n{}",
        split.join("\n")
    );
}

/// The values of every `key:` in a YAML document, at any depth.
fn yaml_values(node: &datapact::syntax::yaml::Node, key: &str, out: &mut Vec<String>) {
    use datapact::syntax::yaml::NodeKind;
    match &node.kind {
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                if k.scalar_text().as_deref() == Some(key) {
                    out.extend(v.scalar_text());
                }
                yaml_values(v, key, out);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|i| yaml_values(i, key, out)),
        NodeKind::Scalar(_) => {}
    }
}

/// The portable dbt files, rendered for each dbt adapter as dbt would
/// render them (tests/engines/dbt_render.py): every generic test's SQL
/// through `adapter.dispatch`, each source's freshness query, and each
/// one-scan test both before it runs (its query) and as it runs (the rows
/// read back as constants), parse with sqlglot in the adapter's dialect. dbt itself runs them on DuckDB
/// and PostgreSQL (tests/dbt.rs); this covers the six others.
#[test]
fn dbt_files_rendered_for_every_adapter_parse_with_sqlglot() {
    if !harness::available(Engine::Duckdb) {
        return;
    }
    let options = datapact::emit::dbt::Options::default();
    let macros: String = datapact::emit::dbt::macros(&options)
        .iter()
        .map(|f| f.text.as_str())
        .collect();
    let mut templates = Vec::new();
    for dir in ["contracts", "tests/dbt/contracts"] {
        let ir = datapact::check(&common::load(&common::root().join(dir)))
            .ir
            .expect("contracts compile");
        for file in datapact::emit::dbt::emit(&ir, &options).expect("no clash") {
            if !file.path.ends_with(".yml") {
                continue;
            }
            let mut sources = Sources::new();
            let id = sources.add(file.path.clone(), file.text.clone());
            let (node, _) = datapact::syntax::yaml::parse(id, sources.get(id));
            let mut queries = Vec::new();
            yaml_values(&node.expect("YAML"), "loaded_at_query", &mut queries);
            for (i, query) in queries.into_iter().enumerate() {
                templates.push((format!("{} loaded_at_query {i}", file.path), query, None));
            }
        }
    }
    // The one-scan tests, as dbt runs them: the rows their query returned
    // (none, or two) read back as constants.
    let ir = datapact::check(&common::load(&common::root().join("tests/dbt/contracts")))
        .ir
        .expect("contracts compile");
    let single_scan = datapact::emit::dbt::Options {
        tests: datapact::project::DbtTests::SingleScan,
        ..Default::default()
    };
    let rows = serde_json::json!([
        [
            "fx.customers",
            "customer_id__unique",
            "customer_id",
            "unique",
            "error",
            1,
            "5",
            "fail"
        ],
        [
            "fx.customers",
            "email__pattern",
            "email",
            "pattern",
            "warn",
            2,
            "5",
            "warn"
        ],
    ]);
    for file in datapact::emit::dbt::emit(&ir, &single_scan).expect("no clash") {
        if file.path.ends_with("__checks.sql") {
            for returned in [serde_json::json!([]), rows.clone()] {
                let id = format!(
                    "{} returning {}",
                    file.path,
                    returned.as_array().map_or(0, Vec::len)
                );
                templates.push((id, file.text.clone(), Some(returned)));
            }
        }
    }
    assert!(
        templates.len() >= 3,
        "sources with freshness: {templates:?}"
    );
    let statements = harness::render_dbt(&macros, &templates);
    let (version, errors) = harness::parse_check(&statements);
    let mut per_dialect: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, dialect, _) in &statements {
        *per_dialect.entry(dialect.name()).or_default() += 1;
    }
    eprintln!(
        "sqlglot {version}, dbt macros, freshness queries and one-scan tests per dialect: {per_dialect:?}"
    );
    assert_eq!(per_dialect.len(), Dialect::ALL.len());
    assert!(
        errors.is_empty(),
        "{} rendered statements do not parse:\n{}",
        errors.len(),
        errors
            .iter()
            .take(10)
            .map(|(id, e)| {
                let sql = statements.iter().find(|s| s.0 == *id).map_or("", |s| &s.2);
                format!("{id}: {e}\n{sql}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A 2,000-column contract (about 6,000 rules, every rule kind that fits a
/// column) compiles, for each dialect with a query size limit, into check
/// and schema query parts each within it, and every part parses with
/// sqlglot.
#[test]
fn a_wide_contract_is_split_under_each_dialects_limit() {
    if !harness::available(Engine::Duckdb) {
        return;
    }
    let mut text = String::from(
        "contract: t.wide\nversion: 1.0.0\nowners: [{name: Tests}]\n\
         dataset: {schema: s, name: wide, conformance: strict}\nrow_count: {min: 1}\ncolumns:\n",
    );
    for k in 0..2000 {
        let name = format!("a_rather_long_column_name_{k:04}");
        text.push_str(&match k % 4 {
            0 => format!(
                "  - {{name: {name}, type: bigint, required: true, unique: {}, min: 0, max: 1000000}}\n",
                k % 40 == 0
            ),
            1 => format!(
                "  - {{name: {name}, type: string, required: true, pattern: '[A-Z]{{2}}-[0-9]+', length: {{max: 40}}, accepted_values: [AB-1, CD-2, EF-3]}}\n"
            ),
            2 => format!("  - {{name: {name}, type: date, min: '2000-01-01', max: '2100-12-31'}}\n"),
            _ => format!("  - {{name: {name}, type: 'decimal(12,2)', required: true, min: -5, max: 5}}\n"),
        });
    }
    let mut sources = Sources::new();
    sources.add("wide.yaml", text);
    let checked = datapact::check(&sources);
    let ir = checked.ir.expect("the contract compiles");
    let ds = &ir.datasets[0];
    assert!(ds.checks.len() > 6000, "{} checks", ds.checks.len());
    let mut statements = Vec::new();
    let mut split = Vec::new();
    for &dialect in Dialect::ALL {
        let Some(limit) = datapact::emit::sql::size_limit(dialect, None) else {
            continue;
        };
        let relation = |_: &str, location: &datapact::ir::Location| {
            datapact::emit::sql::qualified_name(location, dialect)
        };
        let checks = datapact::emit::sql::check_query_parts(ds, dialect, &relation, Some(limit));
        let schema = datapact::emit::sql::conformance::schema_query_parts(
            ds,
            &ds.location,
            dialect,
            Some(limit),
        );
        // Every check is in exactly one part, in order.
        let covered: Vec<usize> = checks.iter().flat_map(|p| p.checks.clone()).collect();
        assert_eq!(covered, (0..ds.checks.len()).collect::<Vec<_>>());
        let sizes: Vec<usize> = (checks.iter().map(|p| p.sql.len()))
            .chain(schema.iter().map(|(_, sql)| sql.len()))
            .collect();
        assert!(
            sizes.iter().all(|&n| n <= limit),
            "{}: a part over {limit} bytes: {sizes:?}",
            dialect.name()
        );
        split.push(format!(
            "{} (limit {limit}): {} check parts, {} schema parts, largest {} bytes",
            dialect.name(),
            checks.len(),
            schema.len(),
            sizes.iter().max().unwrap()
        ));
        for (i, part) in checks.iter().enumerate() {
            statements.push((
                format!("{} check part {i}", dialect.name()),
                dialect,
                part.sql.clone(),
            ));
        }
        for (i, (_, sql)) in schema.iter().enumerate() {
            statements.push((
                format!("{} schema part {i}", dialect.name()),
                dialect,
                sql.clone(),
            ));
        }
    }
    // BigQuery's limit is the lowest: it splits both queries.
    assert!(
        split
            .iter()
            .any(|s| s.starts_with("bigquery") && !s.contains(": 1 check parts"))
    );
    let (version, errors) = harness::parse_check(&statements);
    for line in &split {
        eprintln!("{line}");
    }
    eprintln!("sqlglot {version}: {} parts parsed", statements.len());
    assert!(errors.is_empty(), "{errors:?}");
}
