//! Running generated SQL on real engines (DuckDB, PostgreSQL and Apache Spark
//! in local mode), through
//! `tests/engines/runner.py` in the project's venv, and parse checks with
//! sqlglot through `tests/engines/parse.py`.
//!
//! `scripts/test` installs the engines, starts PostgreSQL and sets
//! `DATAPACT_PYTHON`, `DATAPACT_PG_DSN` and `DATAPACT_REQUIRE_ENGINES=1`;
//! Spark also needs `java` (17 or newer) on the PATH or in `JAVA_HOME`.
//! Without them (a plain `cargo test`), engine tests print why and skip,
//! unless `DATAPACT_REQUIRE_ENGINES=1`, when they fail.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use datapact::ir::Location;
use datapact::literal::Literal;
use datapact::types::Dialect;
use datapact::types::LogicalType;
use serde::Deserialize;
use serde_json::json;

/// An engine we execute SQL on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Duckdb,
    Postgres,
    /// Apache Spark in local mode (PySpark), running the `databricks` dialect.
    Spark,
}

impl Engine {
    pub const ALL: [Engine; 3] = [Engine::Duckdb, Engine::Postgres, Engine::Spark];

    pub fn dialect(self) -> Dialect {
        match self {
            Engine::Duckdb => Dialect::Duckdb,
            Engine::Postgres => Dialect::Postgres,
            Engine::Spark => Dialect::Databricks,
        }
    }

    /// The engine's name, as `runner.py` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Duckdb => "duckdb",
            Engine::Postgres => "postgres",
            Engine::Spark => "spark",
        }
    }
}

/// One isolated run: setup statements, then queries.
#[derive(Debug, Clone, Default)]
pub struct Case {
    pub id: String,
    pub setup: Vec<String>,
    pub queries: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Outcome {
    pub engine: String,
    pub version: String,
    pub cases: Vec<CaseOutcome>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CaseOutcome {
    pub id: String,
    pub setup_error: Option<String>,
    pub results: Vec<QueryResult>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum QueryResult {
    Rows {
        columns: Vec<String>,
        rows: Vec<Vec<serde_json::Value>>,
    },
    Error {
        error: String,
    },
}

/// Whether tests may use `engine`. Skips (prints and returns false) when the
/// environment lacks it, unless DATAPACT_REQUIRE_ENGINES=1 (then panics).
pub fn available(engine: Engine) -> bool {
    let why = if std::env::var_os("DATAPACT_PYTHON").is_none() {
        Some("DATAPACT_PYTHON is not set")
    } else if engine == Engine::Postgres && std::env::var_os("DATAPACT_PG_DSN").is_none() {
        Some("DATAPACT_PG_DSN is not set")
    } else if engine == Engine::Spark && !java_runs() {
        Some(
            "no Java 17 or newer runs (`$JAVA_HOME/bin/java`, else `java`); scripts/install installs it",
        )
    } else {
        None
    };
    usable(engine.name(), why.map(str::to_string))
}

/// True when `why` is `None`; else skips (prints why and returns false), or
/// panics when DATAPACT_REQUIRE_ENGINES=1.
fn usable(what: &str, why: Option<String>) -> bool {
    let Some(why) = why else {
        return true;
    };
    let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{what} is required (DATAPACT_REQUIRE_ENGINES=1) but unavailable: {why}; run scripts/test"
    );
    eprintln!("skipping {what} tests: {why} (scripts/test sets up the engines)");
    false
}

/// Whether the `java` PySpark would start (`$JAVA_HOME/bin/java` when
/// JAVA_HOME is set and not empty, else the PATH's) runs and is Java 17 or
/// newer, which Spark 4 needs.
fn java_runs() -> bool {
    let java = std::env::var_os("JAVA_HOME")
        .filter(|home| !home.is_empty())
        .map_or_else(
            || std::path::PathBuf::from("java"),
            |home| std::path::PathBuf::from(home).join("bin/java"),
        );
    let Ok(output) = Command::new(java).arg("-version").output() else {
        return false;
    };
    // `openjdk version "17.0.15" 2025-04-15` (on stderr); `"1.8.0_402"` is Java 8.
    let text = String::from_utf8_lossy(&output.stderr);
    let major = text
        .split('"')
        .nth(1)
        .and_then(|v| v.split(['.', '-', '+']).next())
        .and_then(|m| m.parse::<u32>().ok());
    output.status.success() && major.is_some_and(|m| m >= 17)
}

fn python() -> String {
    std::env::var("DATAPACT_PYTHON").expect("DATAPACT_PYTHON")
}

fn run_python(script: &str, args: &[&str], input: &serde_json::Value) -> serde_json::Value {
    let path = super::common::root().join("tests/engines").join(script);
    let mut child = Command::new(python())
        .arg(&path)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
    let body = serde_json::to_vec(input).expect("JSON");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&body);
    });
    let output = child.wait_with_output().expect("runner finished");
    writer.join().expect("writer thread");
    assert!(
        output.status.success(),
        "{script} {args:?} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

/// Run cases on one engine, each isolated (fresh database or rolled-back transaction).
pub fn run(engine: Engine, cases: &[Case]) -> Outcome {
    let input = json!({
        "cases": cases.iter().map(|c| json!({"id": c.id, "setup": c.setup, "queries": c.queries})).collect::<Vec<_>>()
    });
    let value = run_python("runner.py", &[engine.name()], &input);
    let outcome: Outcome = serde_json::from_value(value).expect("runner output");
    assert_eq!(outcome.cases.len(), cases.len(), "one outcome per case");
    outcome
}

/// Parse statements with sqlglot: `(id, dialect, sql)` → errors by id.
pub fn parse_check(statements: &[(String, Dialect, String)]) -> (String, Vec<(String, String)>) {
    let input = json!({
        "statements": statements.iter().map(|(id, d, sql)| json!({"id": id, "dialect": d.name(), "sql": sql})).collect::<Vec<_>>()
    });
    let value = run_python("parse.py", &[], &input);
    let version = value["sqlglot"].as_str().unwrap_or("?").to_string();
    let errors = value["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["ok"] != json!(true))
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("?").to_string(),
                r["error"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect();
    (version, errors)
}

/// datapact's dbt Jinja rendered for each dbt adapter
/// (tests/engines/dbt_render.py): every generic test of `macros` called
/// with sample arguments, and each of `templates` (id, text, and for a
/// one-scan test the rows its query returns); returns (id, dialect, SQL).
pub fn render_dbt(
    macros: &str,
    templates: &[(String, String, Option<serde_json::Value>)],
) -> Vec<(String, Dialect, String)> {
    let input = json!({
        "macros": macros,
        "templates": templates.iter().map(|(id, text, rows)| json!({"id": id, "text": text, "rows": rows})).collect::<Vec<_>>(),
    });
    let value = run_python("dbt_render.py", &[], &input);
    value["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| {
            let dialect = s["dialect"].as_str().and_then(Dialect::from_name);
            (
                s["id"].as_str().unwrap_or("?").to_string(),
                dialect.expect("a datapact dialect"),
                s["sql"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// How many statements each text splits into, per dialect (DuckDB's own
/// reader, sqlglot for the others); `None` where the reader refuses it.
pub fn statement_counts(sql: &[String]) -> Vec<BTreeMap<String, Option<u64>>> {
    let value = run_python("statements.py", &[], &json!({ "sql": sql }));
    value["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            c.as_object()
                .expect("a count per dialect")
                .iter()
                .map(|(d, n)| (d.clone(), n.as_u64()))
                .collect()
        })
        .collect()
}

/// A table to create and fill: its location, typed columns and rows.
#[derive(Debug, Clone)]
pub struct Table {
    pub location: Location,
    pub columns: Vec<(String, LogicalType)>,
    pub rows: Vec<Vec<Option<Literal>>>,
    /// The physical types of nested columns (struct, array, map), by
    /// column index; their cells are JSON text (`Literal::String`).
    pub nested: BTreeMap<usize, String>,
}

/// A nested value written as JSON, as a value of `physical` in `dialect`.
fn nested_value(json: &str, physical: &str, dialect: Dialect) -> String {
    let d = dialect.sql();
    let text = d.string_literal(json);
    match dialect {
        Dialect::Duckdb => format!("cast(cast({text} as json) as {physical})"),
        // Spark's from_json reads maps with string keys only: a map of
        // other keys (at the top) is read with string keys, then converted.
        Dialect::Databricks => match physical
            .strip_prefix("map<")
            .and_then(|rest| rest.split_once(", "))
            .filter(|(key, _)| *key != "string")
        {
            // Built from its entries (VALUES allows no lambda, and without
            // ANSI mode Spark casts no map<string, …> to another key type).
            Some((key, value)) => {
                let value = value.strip_suffix('>').unwrap_or(value);
                let scalar = |v: &serde_json::Value| match v {
                    serde_json::Value::Null => format!("cast(null as {value})"),
                    serde_json::Value::String(s) => {
                        format!("cast({} as {value})", d.string_literal(s))
                    }
                    other => format!("cast({} as {value})", d.string_literal(&other.to_string())),
                };
                let entries: Vec<String> = serde_json::from_str::<serde_json::Value>(json)
                    .ok()
                    .and_then(|v| v.as_object().cloned())
                    .unwrap_or_default()
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "named_struct('key', cast({} as {key}), 'value', {})",
                            d.string_literal(k),
                            scalar(v)
                        )
                    })
                    .collect();
                if entries.is_empty() {
                    format!("cast(map() as {physical})")
                } else {
                    format!("map_from_entries(array({}))", entries.join(", "))
                }
            }
            None => format!("from_json({text}, {})", d.string_literal(physical)),
        },
        Dialect::Postgres if physical.ends_with("[]") => format!(
            "cast(array(select jsonb_array_elements_text(cast({text} as jsonb))) as {physical})"
        ),
        _ => format!("cast({text} as {physical})"),
    }
}

/// `create schema` (when the location has one), `create table`, and one
/// multi-row `insert`, in `dialect`.
pub fn table_setup(table: &Table, dialect: Dialect) -> Vec<String> {
    let d = dialect.sql();
    let mut out = Vec::new();
    if let Some(schema) = &table.location.schema {
        out.push(format!(
            "create schema if not exists {}",
            d.quote_ident(schema)
        ));
    }
    let name = datapact::emit::sql::qualified_name(&table.location, dialect);
    let columns: Vec<String> = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, (c, ty))| {
            let ty = table
                .nested
                .get(&i)
                .cloned()
                .unwrap_or_else(|| d.type_name(*ty));
            format!("{} {ty}", d.quote_ident(c))
        })
        .collect();
    out.push(format!("create table {name} ({})", columns.join(", ")));
    if !table.rows.is_empty() {
        let rows: Vec<String> = table
            .rows
            .iter()
            .map(|row| {
                let values: Vec<String> = row
                    .iter()
                    .zip(&table.columns)
                    .enumerate()
                    .map(|(i, (v, (_, ty)))| match (v, table.nested.get(&i)) {
                        (None, Some(physical)) => format!("cast(null as {physical})"),
                        (Some(lit), Some(physical)) => nested_value(&lit.text(), physical, dialect),
                        (None, None) => format!("cast(null as {})", d.type_name(*ty)),
                        (Some(lit), None) => {
                            format!("cast({} as {})", d.literal(lit, *ty), d.type_name(*ty))
                        }
                    })
                    .collect();
                format!("({})", values.join(", "))
            })
            .collect();
        out.push(format!("insert into {name} values {}", rows.join(", ")));
    }
    out
}

/// One row of a check query's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckRow {
    pub contract: String,
    pub check_name: String,
    pub column_name: Option<String>,
    pub rule: String,
    pub severity: String,
    pub failures: i64,
    pub observed: Option<String>,
    pub status: String,
}

pub const CHECK_COLUMNS: [&str; 8] = [
    "contract",
    "check_name",
    "column_name",
    "rule",
    "severity",
    "failures",
    "observed",
    "status",
];

/// Decode a check query's result; an error names what is wrong.
pub fn check_rows(result: &QueryResult) -> Result<Vec<CheckRow>, String> {
    let (columns, rows) = match result {
        QueryResult::Error { error } => return Err(format!("query failed: {error}")),
        QueryResult::Rows { columns, rows } => (columns, rows),
    };
    if columns.iter().map(String::as_str).ne(CHECK_COLUMNS) {
        return Err(format!(
            "columns are {columns:?}, expected {CHECK_COLUMNS:?}"
        ));
    }
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    rows.iter()
        .map(|r| {
            Ok(CheckRow {
                contract: text(&r[0]).ok_or("contract is not text")?,
                check_name: text(&r[1]).ok_or("check_name is not text")?,
                column_name: text(&r[2]),
                rule: text(&r[3]).ok_or("rule is not text")?,
                severity: text(&r[4]).ok_or("severity is not text")?,
                failures: r[5].as_i64().ok_or("failures is not an integer")?,
                observed: text(&r[6]),
                status: text(&r[7]).ok_or("status is not text")?,
            })
        })
        .collect()
}

/// The folder of the ADBC drivers `datapact run` loads (scripts/install
/// puts them there).
pub fn driver_dir() -> std::path::PathBuf {
    super::common::root().join(".datapact/drivers")
}

/// Whether `datapact run` can reach `engine` here: its ADBC driver is
/// installed (and, for PostgreSQL, the test server runs). Skips or panics
/// as [`available`] does.
pub fn run_available(engine: Engine) -> bool {
    if engine == Engine::Spark {
        return false;
    }
    let file = match engine {
        Engine::Postgres => "libadbc_driver_postgresql.so",
        _ => "libduckdb.so",
    };
    let why = if !driver_dir().join(file).is_file() {
        Some(format!(
            "{file} is not in .datapact/drivers (scripts/drivers installs it)"
        ))
    } else if engine == Engine::Postgres && std::env::var_os("DATAPACT_PG_DSN").is_none() {
        Some("DATAPACT_PG_DSN is not set".into())
    } else {
        None
    };
    usable(&format!("datapact run on {}", engine.name()), why)
}

/// The test PostgreSQL as a `postgresql://` URL for database `dbname`, as
/// `user` (with `password`, if any).
pub fn pg_url(user: &str, password: Option<&str>, dbname: &str) -> String {
    let dsn = std::env::var("DATAPACT_PG_DSN").expect("DATAPACT_PG_DSN");
    let field = |key: &str| {
        dsn.split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .unwrap_or_default()
            .to_string()
    };
    let auth = match password {
        Some(p) => format!("{user}:{p}"),
        None => user.to_string(),
    };
    format!(
        "postgresql://{auth}@{}:{}/{dbname}",
        field("host"),
        field("port")
    )
}

/// Run SQL statements through `datapact run`'s own engine layer (the ADBC
/// driver), e.g. to create a DuckDB file or a PostgreSQL database. (`run`
/// opens DuckDB files read-only, so a file is written through an in-memory
/// DuckDB that attaches it.)
pub fn adbc_execute(url: &str, statements: &[String]) -> Result<(), String> {
    use datapact::run::{Connection, Watch, connection::Settings, engine::Engine as Adbc};
    if let Some(path) = url
        .strip_prefix("duckdb:")
        .filter(|p| !p.is_empty() && *p != ":memory:")
    {
        let mut all = vec![
            format!("attach '{}' as datapact_target", path.replace('\'', "''")),
            "use datapact_target".to_string(),
        ];
        all.extend(statements.iter().cloned());
        all.push("use memory".into());
        all.push("detach datapact_target".into());
        return adbc_execute("duckdb::memory:", &all);
    }
    let connection =
        Connection::parse(url, Settings::default(), std::path::Path::new(""), &|_| {
            None
        })?;
    let engine =
        Adbc::open(&connection, &[driver_dir()], Watch::new(), 0).map_err(|f| f.message)?;
    let mut session = engine.session(0).map_err(|f| f.message)?;
    for sql in statements {
        session
            .execute(sql)
            .map_err(|f| format!("{sql}: {}", f.message))?;
    }
    Ok(())
}

/// Run one query through `datapact run`'s engine layer; its rows as text.
pub fn adbc_query(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    use datapact::run::{Connection, Watch, connection::Settings, engine::Engine as Adbc};
    let connection =
        Connection::parse(url, Settings::default(), std::path::Path::new(""), &|_| {
            None
        })?;
    let engine =
        Adbc::open(&connection, &[driver_dir()], Watch::new(), 0).map_err(|f| f.message)?;
    let mut session = engine.session(0).map_err(|f| f.message)?;
    session
        .query(sql, None)
        .map(|t| t.rows)
        .map_err(|f| f.message)
}
