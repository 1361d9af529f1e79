//! The generated SQL executed on real DuckDB, PostgreSQL and Apache Spark
//! (local mode, the `databricks` dialect).
//!
//! Each file under tests/engines/cases/ holds contracts, the rows of their
//! tables on good data and on bad data, and the exact verdicts expected on
//! bad data (checks not listed must pass with 0 failures; on good data every
//! check passes). For every case and engine we create the tables, run each
//! contract's check query and every failing-rows query, and compare.
//!
//! Cell values are written in YAML as the column type's literal; `null` is
//! NULL; `now-90m`, `now-2h`, `now-3d` are moments relative to the run.

mod common;
mod harness;

use std::collections::BTreeMap;
use std::path::Path;

use datapact::ir::{Dataset, Ir};
use datapact::literal::Literal;
use datapact::semantic::coerce;
use datapact::source::Sources;
use datapact::syntax::yaml::{self, Node, NodeKind, Scalar};
use datapact::types::Dialect;
use datapact::types::LogicalType;
use harness::{Case, Engine, Table};

/// Expected verdict of one check.
#[derive(Debug, Clone)]
struct Expect {
    failures: i64,
    status: String,
    /// Rows the failing-rows query returns; defaults to `failures`.
    rows: Option<usize>,
    observed: Option<String>,
}

struct RuleCase {
    name: String,
    /// The contracts' texts, as written in the case file.
    texts: Vec<String>,
    ir: Ir,
    /// (contract, column order of the rows, good rows, bad rows) as YAML nodes.
    tables: Vec<CaseTable>,
    expect_bad: BTreeMap<String, Expect>,
    has_good: bool,
    has_bad: bool,
}

struct CaseTable {
    contract: String,
    columns: Vec<String>,
    good: Vec<Node>,
    bad: Vec<Node>,
}

fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| matches!(&k.kind, NodeKind::Scalar(Scalar::String(s)) if s == key))
            .map(|(_, v)| v),
        _ => None,
    }
}

fn text(node: &Node) -> String {
    node.scalar_text().unwrap_or_default()
}

fn seq(node: Option<&Node>) -> Vec<Node> {
    match node.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.clone(),
        _ => Vec::new(),
    }
}

fn load_case(path: &Path) -> RuleCase {
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    let raw = std::fs::read_to_string(path).unwrap();
    let mut sources = Sources::new();
    let file = sources.add(format!("{name}.yaml"), raw);
    let (node, diags) = yaml::parse(file, sources.get(file));
    assert!(diags.is_empty(), "{name}: {diags:?}");
    let node = node.expect("a document");

    let mut contracts = Sources::new();
    let texts: Vec<String> = seq(get(&node, "contracts")).iter().map(text).collect();
    for (i, c) in texts.iter().enumerate() {
        contracts.add(format!("{name}/contract{i}.yaml"), c.clone());
    }
    let checked = datapact::check(&contracts);
    let ir = checked.ir.unwrap_or_else(|| {
        panic!(
            "{name}: contracts do not compile:\n{}",
            common::render(&contracts, &checked.diagnostics)
        )
    });

    let mut tables = Vec::new();
    if let Some(NodeKind::Map(entries)) = get(&node, "tables").map(|n| &n.kind) {
        for (key, table) in entries {
            let both = seq(get(table, "rows"));
            let good = get(table, "good").map_or(both.clone(), |n| seq(Some(n)));
            let bad = get(table, "bad").map_or(both.clone(), |n| seq(Some(n)));
            tables.push(CaseTable {
                contract: text(key),
                columns: seq(get(table, "columns")).iter().map(text).collect(),
                good,
                bad,
            });
        }
    }
    let mut expect_bad = BTreeMap::new();
    if let Some(NodeKind::Map(entries)) = get(&node, "expect").map(|n| &n.kind) {
        for (key, e) in entries {
            expect_bad.insert(
                text(key),
                Expect {
                    failures: text(get(e, "failures").expect("failures")).parse().unwrap(),
                    status: text(get(e, "status").expect("status")),
                    rows: get(e, "rows").map(|n| text(n).parse().unwrap()),
                    observed: get(e, "observed").map(text),
                },
            );
        }
    }
    let has_good = get(&node, "skip_good").is_none();
    let has_bad = !expect_bad.is_empty();
    RuleCase {
        name,
        texts,
        ir,
        tables,
        expect_bad,
        has_good,
        has_bad,
    }
}

/// A moment relative to now: `now`, `now-90m`, `now-2h`, `now-3d`.
fn relative(text: &str, now: jiff::Timestamp) -> Option<jiff::Timestamp> {
    let rest = text.strip_prefix("now")?;
    if rest.is_empty() {
        return Some(now);
    }
    let (sign, amount) = (rest.chars().next()?, &rest[1..]);
    let d = datapact::types::Duration::parse(amount).ok()?;
    let secs = i64::try_from(d.seconds()).ok()?;
    let span = jiff::SignedDuration::from_secs(if sign == '-' { -secs } else { secs });
    now.checked_add(span).ok()
}

/// A YAML value as JSON: nested cells (struct, array, map) are written as
/// YAML mappings and lists.
fn json(node: &Node) -> serde_json::Value {
    match &node.kind {
        NodeKind::Map(entries) => {
            serde_json::Value::Object(entries.iter().map(|(k, v)| (text(k), json(v))).collect())
        }
        NodeKind::Seq(items) => serde_json::Value::Array(items.iter().map(json).collect()),
        NodeKind::Scalar(Scalar::Null) => serde_json::Value::Null,
        NodeKind::Scalar(Scalar::Bool(b)) => serde_json::Value::Bool(*b),
        NodeKind::Scalar(Scalar::Number(n)) => {
            serde_json::from_str(n).unwrap_or_else(|_| serde_json::Value::String(n.clone()))
        }
        NodeKind::Scalar(Scalar::String(s)) => serde_json::Value::String(s.clone()),
    }
}

fn cell(node: &Node, ty: LogicalType, now: jiff::Timestamp) -> Option<Literal> {
    if ty.is_nested() {
        return match &node.kind {
            NodeKind::Scalar(Scalar::Null) => None,
            _ => Some(Literal::String(json(node).to_string())),
        };
    }
    let NodeKind::Scalar(scalar) = &node.kind else {
        panic!("cells are scalars");
    };
    if matches!(scalar, Scalar::Null) {
        return None;
    }
    if let Some(t) = relative(&text(node), now) {
        let utc = jiff::tz::TimeZone::UTC.to_datetime(t);
        return Some(match ty {
            LogicalType::Date => Literal::Date(utc.date().to_string()),
            LogicalType::Timestamp => Literal::Timestamp(utc.to_string()),
            _ => Literal::TimestampTz(t.to_string()),
        });
    }
    Some(coerce::coerce(scalar, ty).unwrap_or_else(|e| panic!("cell {scalar:?}: {e}")))
}

fn dataset<'a>(ir: &'a Ir, contract: &str) -> &'a Dataset {
    ir.datasets
        .iter()
        .find(|d| d.contract == contract)
        .unwrap_or_else(|| panic!("no contract {contract}"))
}

/// The physical types of a dataset's nested columns, by column index.
fn nested_types(ds: &Dataset, dialect: Dialect) -> BTreeMap<usize, String> {
    ds.columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.ty.is_nested())
        .map(|(i, c)| (i, datapact::emit::sql::column_type(c, dialect)))
        .collect()
}

/// The setup and queries of one side (good or bad) of a case.
fn build(case: &RuleCase, bad: bool, dialect: Dialect, now: jiff::Timestamp) -> Case {
    let mut setup = Vec::new();
    for t in &case.tables {
        let ds = dataset(&case.ir, &t.contract);
        let columns: Vec<(String, LogicalType)> =
            ds.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
        let order: Vec<usize> = t
            .columns
            .iter()
            .map(|name| {
                columns
                    .iter()
                    .position(|(c, _)| c == name)
                    .unwrap_or_else(|| panic!("{}: no column {name}", case.name))
            })
            .collect();
        let rows = if bad { &t.bad } else { &t.good };
        let rows = rows
            .iter()
            .map(|row| {
                let cells = seq(Some(row));
                assert_eq!(cells.len(), order.len(), "{}: row width", case.name);
                let mut values = vec![None; columns.len()];
                for (cell_node, &i) in cells.iter().zip(&order) {
                    values[i] = cell(cell_node, columns[i].1, now);
                }
                values
            })
            .collect();
        let nested = nested_types(ds, dialect);
        setup.extend(harness::table_setup(
            &Table {
                location: ds.location.clone(),
                columns,
                rows,
                nested,
            },
            dialect,
        ));
    }
    let queries = case
        .ir
        .datasets
        .iter()
        .flat_map(|ds| dataset_queries(ds, dialect))
        .map(|(_, sql)| sql)
        .collect();
    Case {
        id: format!("{}/{}", case.name, if bad { "bad" } else { "good" }),
        setup,
        queries,
    }
}

/// Compare one side's results with what the case expects; returns problems.
fn verify(case: &RuleCase, bad: bool, outcome: &harness::CaseOutcome) -> Vec<String> {
    let side = if bad { "bad" } else { "good" };
    let mut problems = Vec::new();
    let mut say = |msg: String| problems.push(format!("{} ({side}): {msg}", case.name));
    if let Some(err) = &outcome.setup_error {
        say(format!("setup failed: {err}"));
        return problems;
    }
    let mut results = outcome.results.iter();
    for ds in &case.ir.datasets {
        let Some(result) = results.next() else {
            say("missing result".into());
            break;
        };
        let rows = match harness::check_rows(result) {
            Ok(rows) => rows,
            Err(e) => {
                say(format!("{} check query: {e}", ds.contract));
                continue;
            }
        };
        let names: Vec<&str> = rows.iter().map(|r| r.check_name.as_str()).collect();
        let expected_names: Vec<&str> = ds.checks.iter().map(|c| c.name.as_str()).collect();
        if names != expected_names {
            say(format!("check rows {names:?}, expected {expected_names:?}"));
        }
        let mut failing_counts = BTreeMap::new();
        for check in &ds.checks {
            if datapact::emit::sql::failing_rows_query(ds, check, Dialect::Postgres).is_some() {
                match results.next() {
                    Some(harness::QueryResult::Rows { rows, .. }) => {
                        failing_counts.insert(check.name.clone(), rows.len());
                    }
                    Some(harness::QueryResult::Error { error }) => {
                        say(format!("failing rows of {}: {error}", check.name))
                    }
                    None => say(format!("no failing-rows result for {}", check.name)),
                }
            }
        }
        for (row, check) in rows.iter().zip(&ds.checks) {
            let expect = if bad {
                case.expect_bad
                    .get(&format!("{}/{}", ds.contract, check.name))
                    .or_else(|| case.expect_bad.get(&check.name))
                    .cloned()
            } else {
                None
            }
            .unwrap_or(Expect {
                failures: 0,
                status: "pass".into(),
                rows: None,
                observed: None,
            });
            if row.contract != ds.contract
                || row.column_name != check.column
                || row.rule != check.kind.rule()
                || row.severity != format!("{:?}", check.severity).to_lowercase()
            {
                say(format!("{}: wrong identity columns {row:?}", check.name));
            }
            if row.failures != expect.failures || row.status != expect.status {
                say(format!(
                    "{}: failures {} status {}, expected failures {} status {} (observed {:?})",
                    check.name,
                    row.failures,
                    row.status,
                    expect.failures,
                    expect.status,
                    row.observed
                ));
            }
            if let Some(observed) = &expect.observed {
                if row.observed.as_deref() != Some(observed.as_str()) {
                    say(format!(
                        "{}: observed {:?}, expected {observed:?}",
                        check.name, row.observed
                    ));
                }
            }
            if let Some(&count) = failing_counts.get(&check.name) {
                let want = expect
                    .rows
                    .unwrap_or(usize::try_from(expect.failures).unwrap_or(0));
                if count != want {
                    say(format!(
                        "{}: failing-rows query returned {count} rows, expected {want}",
                        check.name
                    ));
                }
            }
        }
    }
    problems
}

fn cases() -> Vec<RuleCase> {
    let dir = common::root().join("tests/engines/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths.iter().map(|p| load_case(p)).collect()
}

/// Apply `f` to every table location `ir` names: datasets and the targets
/// of `references` checks.
fn for_each_location(ir: &mut Ir, mut f: impl FnMut(&mut datapact::ir::Location)) {
    for ds in &mut ir.datasets {
        f(&mut ds.location);
        for check in &mut ds.checks {
            if let datapact::ir::CheckKind::References { location, .. } = &mut check.kind {
                f(location);
            }
        }
    }
}

/// A dataset's check query, then its failing-rows queries, each with a label.
fn dataset_queries(ds: &Dataset, dialect: Dialect) -> Vec<(String, String)> {
    let mut out = vec![(
        format!("{} check query", ds.contract),
        datapact::emit::sql::check_query(ds, dialect),
    )];
    for check in &ds.checks {
        if let Some(q) = datapact::emit::sql::failing_rows_query(ds, check, dialect) {
            out.push((format!("{}/{} failing rows", ds.contract, check.name), q));
        }
    }
    out
}

/// Spark's session catalog (like Databricks' Hive metastore) accepts only
/// letters, digits and `_` in schema and table names, so on Spark a dataset
/// whose schema or table name has other characters is moved to a name made
/// of its allowed characters and a sequence number, in every place the IR
/// names it. Column names and literals keep every hostile character.
/// Returns how many locations were moved.
fn spark_locations(ir: &mut Ir) -> usize {
    fn valid(name: &str) -> bool {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    }
    let mut moved: Vec<(datapact::ir::Location, datapact::ir::Location)> = Vec::new();
    for ds in &ir.datasets {
        let loc = &ds.location;
        if loc.schema.as_deref().is_none_or(valid) && valid(&loc.name) {
            continue;
        }
        let n = moved.len();
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let to = datapact::ir::Location {
            database: loc.database.clone(),
            schema: loc.schema.as_deref().map(|s| format!("s{n}_{}", clean(s))),
            name: format!("t{n}_{}", clean(&loc.name)),
        };
        moved.push((loc.clone(), to));
    }
    for_each_location(ir, |loc| {
        if let Some((_, to)) = moved.iter().find(|(from, _)| from == loc) {
            *loc = to.clone();
        }
    });
    moved.len()
}

fn run_on(engine: Engine) {
    if !harness::available(engine) {
        return;
    }
    let now = jiff::Timestamp::now();
    let mut cases = cases();
    let mut moved = 0;
    if engine == Engine::Spark {
        for case in &mut cases {
            moved += spark_locations(&mut case.ir);
        }
    }
    let mut batch = Vec::new();
    let mut sides = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        for bad in [false, true] {
            if (bad && case.has_bad) || (!bad && case.has_good) {
                batch.push(build(case, bad, engine.dialect(), now));
                sides.push((i, bad, ""));
            }
        }
    }
    if engine == Engine::Spark {
        // Spark 4 and Databricks SQL run in ANSI mode; Spark 3 and Databricks
        // classic compute do not. Every run in both modes, set explicitly.
        for n in 0..batch.len() {
            let mut run = batch[n].clone();
            run.id.push_str(" (ansi off)");
            run.setup
                .insert(0, "set spark.sql.ansi.enabled = false".into());
            batch[n]
                .setup
                .insert(0, "set spark.sql.ansi.enabled = true".into());
            batch.push(run);
            sides.push((sides[n].0, sides[n].1, "spark.sql.ansi.enabled = false: "));
        }
    }
    let outcome = harness::run(engine, &batch);
    let mut problems = Vec::new();
    for ((i, bad, mode), result) in sides.iter().zip(&outcome.cases) {
        problems.extend(
            verify(&cases[*i], *bad, result)
                .into_iter()
                .map(|p| format!("{mode}{p}")),
        );
    }
    eprintln!(
        "{} {}: {} cases ({} runs, {} queries), {} problems{}",
        outcome.engine,
        outcome.version,
        cases.len(),
        batch.len(),
        batch.iter().map(|c| c.queries.len()).sum::<usize>(),
        problems.len(),
        if moved > 0 {
            format!(" ({moved} tables renamed for Spark's catalog)")
        } else {
            String::new()
        }
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn rule_cases_on_duckdb() {
    run_on(Engine::Duckdb);
}

#[test]
fn rule_cases_on_postgres() {
    run_on(Engine::Postgres);
}

#[test]
fn rule_cases_on_spark() {
    run_on(Engine::Spark);
}

/// Spark plans several exact `count(distinct …)` in one aggregate with an
/// `Expand` that copies every row once per distinct (and merges single-row
/// aggregates over one table back into one), so on Spark the check query
/// counts each uniqueness rule in a grouped pass. The physical plans of the
/// uniqueness cases' check queries (six unique rules, two with a `where`)
/// have no `Expand`; a control query with two distinct counts in one
/// aggregate has one, so the search can find it.
#[test]
fn spark_plans_uniqueness_without_expand() {
    if !harness::available(Engine::Spark) {
        return;
    }
    let dialect = Dialect::Databricks;
    let now = jiff::Timestamp::now();
    let dir = common::root().join("tests/engines/cases");
    let mut batch = Vec::new();
    let mut labels = Vec::new();
    for name in ["unique", "unique_combination"] {
        let case = load_case(&dir.join(format!("{name}.yaml")));
        let mut run = build(&case, true, dialect, now);
        run.queries.clear();
        for ds in &case.ir.datasets {
            let query = datapact::emit::sql::check_query(ds, dialect);
            run.queries.push(format!("explain formatted {query}"));
            labels.push((format!("{name}: the check query"), false));
        }
        let ds = &case.ir.datasets[0];
        let columns: Vec<String> = ds
            .columns
            .iter()
            .take(2)
            .map(|c| format!("`{}`", c.name))
            .collect();
        run.queries.push(format!(
            "explain formatted select count(distinct {}), count(distinct {}) from {}",
            columns[0],
            columns[1],
            datapact::emit::sql::qualified_name(&ds.location, dialect)
        ));
        labels.push((format!("{name}: the control query"), true));
        batch.push(run);
    }
    let outcome = harness::run(Engine::Spark, &batch);
    let results: Vec<&harness::QueryResult> = outcome
        .cases
        .iter()
        .flat_map(|c| {
            assert_eq!(c.setup_error, None, "{}", c.id);
            &c.results
        })
        .collect();
    assert_eq!(results.len(), labels.len());
    for (result, (label, expand)) in results.iter().zip(&labels) {
        let harness::QueryResult::Rows { rows, .. } = result else {
            panic!("{label}: {result:?}");
        };
        let plan = rows[0][0].as_str().expect("the plan as text");
        let expands = plan
            .lines()
            .filter(|l| l.starts_with('(') && l.contains(") Expand"))
            .count();
        assert_eq!(
            expands > 0,
            *expand,
            "{label}: {expands} Expand nodes in\n{plan}"
        );
    }
}

/// Every case file loads, names checks that exist, and covers every rule kind.
#[test]
fn rule_cases_cover_every_rule_kind() {
    let cases = cases();
    let mut kinds = std::collections::BTreeSet::new();
    for case in &cases {
        for name in case.expect_bad.keys() {
            let check = case
                .ir
                .datasets
                .iter()
                .flat_map(|d| &d.checks)
                .find(|c| name.ends_with(&c.name))
                .unwrap_or_else(|| panic!("{}: expect names unknown check {name}", case.name));
            kinds.insert(check.kind.rule());
        }
    }
    let all = [
        "required",
        "unique",
        "accepted_values",
        "min",
        "max",
        "pattern",
        "length",
        "references",
        "expression",
        "unique_combination",
        "unique_items",
        "row_count",
        "freshness",
        "sql",
    ];
    let missing: Vec<&str> = all.iter().copied().filter(|k| !kinds.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "rule kinds without a failing case: {missing:?}"
    );
}

/// `datapact run` as a user runs it, finding the drivers scripts/install put
/// in the checkout.
fn datapact_run(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(args)
        .current_dir(dir)
        .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
        .output()
        .expect("datapact runs")
}

/// The check rows of each dataset from a compiled-SQL outcome (check query,
/// then failing-rows queries, per dataset).
fn compiled_rows(
    case: &RuleCase,
    outcome: &harness::CaseOutcome,
) -> Result<Vec<harness::CheckRow>, String> {
    if let Some(e) = &outcome.setup_error {
        return Err(format!("setup failed: {e}"));
    }
    let mut results = outcome.results.iter();
    let mut rows = Vec::new();
    for ds in &case.ir.datasets {
        let result = results.next().ok_or("missing result")?;
        rows.extend(harness::check_rows(result)?);
        for check in &ds.checks {
            if datapact::emit::sql::failing_rows_query(ds, check, Dialect::Postgres).is_some() {
                results.next();
            }
        }
    }
    Ok(rows)
}

/// `datapact run` on every rule case, good and bad data, on `engine` (a
/// DuckDB database file; a PostgreSQL database per case): each check's
/// failures, status and observed value equal those of the compiled check
/// query run directly on the same data, and the case's expectations; every
/// schema check passes (the tables are made with the contracts' types); the
/// exit code is 1 exactly when a check fails.
fn run_cases_through_cli(engine: Engine) {
    if !harness::available(engine) || !harness::run_available(engine) {
        return;
    }
    let now = jiff::Timestamp::now();
    let cases = cases();
    let dialect = engine.dialect();
    let mut batch = Vec::new();
    let mut sides = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        for bad in [false, true] {
            if (bad && case.has_bad) || (!bad && case.has_good) {
                batch.push(build(case, bad, dialect, now));
                sides.push((i, bad));
            }
        }
    }
    let compiled = harness::run(engine, &batch);
    let dir = common::tempdir(&format!("run-cases-{}", engine.name()));
    let mut problems = Vec::new();
    let mut checked = 0;
    for (n, ((i, bad), side)) in sides.iter().zip(&batch).enumerate() {
        let case = &cases[*i];
        let mut say = |msg: String| problems.push(format!("{}: {msg}", side.id));
        let expected = match compiled_rows(case, &compiled.cases[n]) {
            Ok(rows) => rows,
            Err(e) => {
                say(format!("compiled SQL: {e}"));
                continue;
            }
        };
        let contracts = dir.join(format!("contracts{n}"));
        std::fs::create_dir_all(&contracts).unwrap();
        for (k, text) in case.texts.iter().enumerate() {
            std::fs::write(contracts.join(format!("c{k}.yaml")), text).unwrap();
        }
        let database = format!("datapact_run_{}_{n}", std::process::id());
        let url = match engine {
            Engine::Postgres => {
                let admin = harness::pg_url("postgres", None, "postgres");
                if let Err(e) =
                    harness::adbc_execute(&admin, &[format!("create database {database}")])
                {
                    say(format!("create database: {e}"));
                    continue;
                }
                harness::pg_url("postgres", None, &database)
            }
            _ => format!(
                "duckdb:{}",
                dir.join(format!("{database}.duckdb")).display()
            ),
        };
        if let Err(e) = harness::adbc_execute(&url, &side.setup) {
            say(format!("setup through ADBC: {e}"));
            continue;
        }
        let out = datapact_run(
            &[
                "run",
                contracts.to_str().unwrap(),
                "--connection",
                &url,
                "--format",
                "json",
            ],
            &dir,
        );
        if engine == Engine::Postgres {
            let admin = harness::pg_url("postgres", None, "postgres");
            let _ = harness::adbc_execute(&admin, &[format!("drop database {database}")]);
        }
        let doc: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(doc) => doc,
            Err(e) => {
                say(format!(
                    "no JSON ({e}): {}",
                    String::from_utf8_lossy(&out.stderr)
                ));
                continue;
            }
        };
        let results = doc["results"].as_array().cloned().unwrap_or_default();
        let mut any_failed = false;
        for r in &results {
            let status = r["status"].as_str().unwrap_or("?");
            any_failed |= status == "fail" || status == "error";
            if r["rule"] == "schema" && status != "pass" {
                say(format!(
                    "schema check {} is {status}: {}",
                    r["check_name"], r["message"]
                ));
            }
        }
        let run_rows: Vec<&serde_json::Value> =
            results.iter().filter(|r| r["rule"] != "schema").collect();
        if run_rows.len() != expected.len() {
            say(format!(
                "{} check results, the check query gives {}",
                run_rows.len(),
                expected.len()
            ));
        }
        for (got, want) in run_rows.iter().zip(&expected) {
            checked += 1;
            let observed =
                |rule: &str, o: Option<String>| if rule == "freshness" { None } else { o };
            let got_row = (
                got["contract"].as_str().unwrap_or("").to_string(),
                got["check_name"].as_str().unwrap_or("").to_string(),
                got["failures"].as_i64(),
                got["status"].as_str().unwrap_or("").to_string(),
                observed(
                    want.rule.as_str(),
                    got["observed"].as_str().map(str::to_string),
                ),
            );
            let want_row = (
                want.contract.clone(),
                want.check_name.clone(),
                Some(want.failures),
                want.status.clone(),
                observed(want.rule.as_str(), want.observed.clone()),
            );
            if got_row != want_row {
                say(format!(
                    "run says {got_row:?}, the compiled check query {want_row:?}"
                ));
            }
            let expect = if *bad {
                case.expect_bad
                    .get(&format!("{}/{}", want.contract, want.check_name))
                    .or_else(|| case.expect_bad.get(&want.check_name))
                    .map(|e| (e.failures, e.status.clone()))
            } else {
                None
            }
            .unwrap_or((0, "pass".into()));
            if (got_row.2, got_row.3.clone()) != (Some(expect.0), expect.1.clone()) {
                say(format!(
                    "{}: run says {:?} {}, the case expects {expect:?}",
                    want.check_name, got_row.2, got_row.3
                ));
            }
        }
        let want_code = if any_failed { 1 } else { 0 };
        if out.status.code() != Some(want_code) {
            say(format!(
                "exit {:?}, expected {want_code}",
                out.status.code()
            ));
        }
    }
    eprintln!(
        "datapact run on {} ({}): {} case runs, {checked} checks compared, {} problems",
        engine.name(),
        compiled.version,
        batch.len(),
        problems.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn run_agrees_with_the_compiled_sql_on_duckdb_files() {
    run_cases_through_cli(Engine::Duckdb);
}

#[test]
fn run_agrees_with_the_compiled_sql_on_postgres() {
    run_cases_through_cli(Engine::Postgres);
}

/// A value of `ty` for row `row` of column `col`: NULL, or one of three
/// values, so columns repeat values, hit NULLs and differ between rows.
fn example_cell(ty: LogicalType, row: usize, col: usize) -> Option<Literal> {
    let pick = (row + col) % 4;
    if pick == 3 {
        return None;
    }
    let three = |values: [&str; 3]| values[pick].to_string();
    Some(match ty {
        LogicalType::String => Literal::String(three(["a", "B1", "c c"])),
        LogicalType::Integer | LogicalType::Bigint | LogicalType::Smallint => {
            Literal::Number(three(["1", "2", "-1"]))
        }
        LogicalType::Decimal { precision, scale } => {
            let whole = if precision > scale { "1" } else { "0" };
            let fraction = if scale > 0 { ".5" } else { "" };
            let sign = if pick == 2 { "-" } else { "" };
            Literal::Number(format!("{sign}{whole}{fraction}"))
        }
        LogicalType::Float | LogicalType::Double => Literal::Float(three(["1.5", "0", "-2.25"])),
        LogicalType::Boolean => Literal::Boolean(pick == 0),
        LogicalType::Date => Literal::Date(three(["2024-01-01", "2024-02-29", "1999-12-31"])),
        LogicalType::Time => Literal::Time(three(["06:30:00", "12:00:00", "23:59:59"])),
        LogicalType::Timestamp => Literal::Timestamp(three([
            "2024-01-01T00:00:00",
            "2024-03-10T02:30:00",
            "2010-06-01T12:00:00",
        ])),
        LogicalType::TimestampTz => Literal::TimestampTz(three([
            "2024-01-01T00:00:00Z",
            "2024-03-10T10:30:00Z",
            "2010-06-01T12:00:00Z",
        ])),
        LogicalType::Json => Literal::String(three(["{\"a\": 1}", "[]", "\"x\""])),
        // The example contracts have no nested column.
        LogicalType::Struct | LogicalType::Array | LogicalType::Map => return None,
        LogicalType::Uuid => Literal::Uuid(three([
            "00000000-0000-4000-8000-000000000001",
            "00000000-0000-4000-8000-000000000002",
            "00000000-0000-4000-8000-000000000001",
        ])),
        LogicalType::Binary => return None,
    })
}

/// The example contracts (contracts/) as users compile them, on every
/// engine: each dataset's table made from its columns and filled with the
/// same rows, every check query and failing-rows query run. They must all
/// run, and every engine must give the same verdicts and failing-row
/// counts. (The `database` part of a location is dropped: it names a
/// catalog none of the engines here has. Freshness ages are compared only
/// through their status, since each engine reads its own clock.)
#[test]
fn example_contracts_agree_across_engines() {
    let engines: Vec<Engine> = Engine::ALL
        .into_iter()
        .filter(|e| harness::available(*e))
        .collect();
    if engines.is_empty() {
        return;
    }
    let (sources, diagnostics) = datapact::load::load(&[common::root().join("contracts")]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let mut ir = datapact::check(&sources).ir.expect("the examples compile");
    for_each_location(&mut ir, |loc| loc.database = None);
    let mut verdicts: Vec<(Engine, Vec<String>)> = Vec::new();
    let mut problems = Vec::new();
    for &engine in &engines {
        let dialect = engine.dialect();
        let mut setup = Vec::new();
        for ds in &ir.datasets {
            let columns: Vec<(String, LogicalType)> =
                ds.columns.iter().map(|c| (c.name.clone(), c.ty)).collect();
            let rows = (0..6)
                .map(|r| {
                    (0..columns.len())
                        .map(|c| example_cell(columns[c].1, r, c))
                        .collect()
                })
                .collect();
            // Nested columns hold NULLs here (tests/engines/cases/nested.yaml
            // has values).
            let nested = nested_types(ds, dialect);
            setup.extend(harness::table_setup(
                &Table {
                    location: ds.location.clone(),
                    columns,
                    rows,
                    nested,
                },
                dialect,
            ));
        }
        let (labels, queries): (Vec<String>, Vec<String>) = ir
            .datasets
            .iter()
            .flat_map(|ds| dataset_queries(ds, dialect))
            .unzip();
        let case = Case {
            id: "examples".into(),
            setup,
            queries,
        };
        let outcome = harness::run(engine, &[case]);
        let result = &outcome.cases[0];
        if let Some(e) = &result.setup_error {
            problems.push(format!("{}: setup failed: {e}", engine.name()));
            continue;
        }
        let mut lines = Vec::new();
        for (label, r) in labels.iter().zip(&result.results) {
            match r {
                harness::QueryResult::Error { error } => {
                    problems.push(format!("{}: {label}: {error}", engine.name()))
                }
                harness::QueryResult::Rows { rows, .. } if label.ends_with("failing rows") => {
                    lines.push(format!("{label}: {} rows", rows.len()))
                }
                r => match harness::check_rows(r) {
                    Err(e) => problems.push(format!("{}: {label}: {e}", engine.name())),
                    Ok(rows) => lines.extend(rows.into_iter().map(|row| {
                        let observed = if row.rule == "freshness" {
                            None
                        } else {
                            row.observed
                        };
                        format!(
                            "{}/{}: failures {} observed {observed:?} status {}",
                            row.contract, row.check_name, row.failures, row.status
                        )
                    })),
                },
            }
        }
        eprintln!(
            "examples on {} {}: {} datasets, {} queries; {} checks pass, {} warn, {} fail",
            outcome.engine,
            outcome.version,
            ir.datasets.len(),
            labels.len(),
            lines.iter().filter(|l| l.ends_with("status pass")).count(),
            lines.iter().filter(|l| l.ends_with("status warn")).count(),
            lines.iter().filter(|l| l.ends_with("status fail")).count(),
        );
        verdicts.push((engine, lines));
    }
    if let Some((first, reference)) = verdicts.first() {
        for (engine, lines) in &verdicts[1..] {
            for (a, b) in reference.iter().zip(lines) {
                if a != b {
                    problems.push(format!(
                        "{} says `{a}`, {} says `{b}`",
                        first.name(),
                        engine.name()
                    ));
                }
            }
            if reference.len() != lines.len() {
                problems.push(format!(
                    "{} and {} differ in length",
                    first.name(),
                    engine.name()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Rules over time (`row_count.change`, `null_rate`) on every engine: the
/// compiled check query observes the row count, and the NULLs among the
/// rows, and cannot judge them alone, so their rows say `error` with no
/// failure count (typed, though no other check gives the column a type).
#[test]
fn rules_over_time_are_observed_not_judged_by_the_check_query() {
    let mut sources = Sources::new();
    sources.add(
        "t.yaml".to_string(),
        "contract: t.grow\nversion: 1.0.0\nowners: [{name: Test}]\n\
         dataset: {schema: dp, name: grow}\n\
         row_count: {change: {max: 10%}}\n\
         columns: [{name: id, type: integer, null_rate: {max_increase: 1%}}]\n"
            .to_string(),
    );
    let checked = datapact::check(&sources);
    let ir = checked.ir.expect("valid");
    let ds = &ir.datasets[0];
    for engine in Engine::ALL {
        if !harness::available(engine) {
            continue;
        }
        let dialect = engine.dialect();
        let table = harness::Table {
            location: ds.location.clone(),
            columns: vec![("id".into(), LogicalType::Integer)],
            rows: (1..=3)
                .map(|i| vec![(i != 2).then(|| Literal::Number(i.to_string()))])
                .collect(),
            nested: BTreeMap::new(),
        };
        let outcome = harness::run(
            engine,
            &[harness::Case {
                id: "grow".into(),
                setup: harness::table_setup(&table, dialect),
                queries: vec![datapact::emit::sql::check_query(ds, dialect)],
            }],
        );
        let case = &outcome.cases[0];
        assert!(case.setup_error.is_none(), "{engine:?}: {case:?}");
        let Some(harness::QueryResult::Rows { columns, rows }) = case.results.first() else {
            panic!("{engine:?}: {case:?}");
        };
        let at = |name: &str| columns.iter().position(|c| c == name).unwrap();
        let got: Vec<(String, String, serde_json::Value, String)> = rows
            .iter()
            .map(|r| {
                (
                    r[at("check_name")].as_str().unwrap().to_string(),
                    r[at("status")].as_str().unwrap().to_string(),
                    r[at("failures")].clone(),
                    r[at("observed")].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "id__null_rate".into(),
                    "error".into(),
                    serde_json::Value::Null,
                    "1/3".into()
                ),
                (
                    "row_count_change".into(),
                    "error".into(),
                    serde_json::Value::Null,
                    "3".into()
                ),
            ],
            "{engine:?}"
        );
    }
}
