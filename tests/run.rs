//! `datapact run` end to end, as users run it: on DuckDB (database files
//! and the embedded default reading Parquet and CSV files) and on the test
//! PostgreSQL, through the ADBC drivers scripts/install puts in
//! .datapact/drivers. Schema conformance, every output format, exit codes,
//! connections from datapact.yaml, and the failures: a refused connection,
//! a wrong password (which appears in no output), a timeout, a missing
//! driver. (Every rule kind on good and bad data: tests/engines.rs.)

mod common;
mod harness;

use std::path::Path;
use std::process::Output;

use harness::Engine;
use serde_json::Value;

fn datapact_run(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_datapact"));
    command
        .args(args)
        .current_dir(dir)
        .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
        .env_remove("NO_COLOR");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("datapact runs")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}):\nstdout: {}\nstderr: {}",
            common::stdout(out),
            common::stderr(out)
        )
    })
}

/// `check_name status failures` of every result that did not pass, sorted.
fn not_passing(doc: &Value) -> Vec<String> {
    let mut lines: Vec<String> = doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["status"] != "pass")
        .map(|r| {
            format!(
                "{} {} {}",
                r["check_name"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["failures"]
            )
        })
        .collect();
    lines.sort();
    lines
}

fn result<'a>(doc: &'a Value, check: &str) -> &'a Value {
    doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check_name"] == check)
        .unwrap_or_else(|| panic!("no result for {check}: {doc:#}"))
}

const ORDERS: &str = "\
contract: t.orders
version: 1.0.0
owners: [{name: Orders Team, email: orders@example.com}]
dataset: {schema: SCHEMA, name: orders}
row_count: {min: 1}
columns:
  - {name: order_id, type: bigint, required: true, unique: true}
  - {name: status, type: string, accepted_values: [paid, shipped]}
  - {name: amount, type: 'decimal(12,2)', min: 0}
  - {name: note, type: string, length: {max: 5}}
checks:
  - {name: amount_set_when_paid, expression: \"status <> 'paid' or amount is not null\"}
";

/// The orders table, with `order_id` of type `id_type`, and the columns named.
fn orders_setup(schema: &str, id_type: &str, columns: &[&str], extra: bool) -> Vec<String> {
    let mut defs = vec![format!("order_id {id_type}")];
    let all = [
        ("status", "varchar(20)"),
        ("amount", "decimal(12,2)"),
        ("note", "varchar(50)"),
    ];
    defs.extend(
        all.iter()
            .filter(|(c, _)| columns.contains(c))
            .map(|(c, t)| format!("{c} {t}")),
    );
    if extra {
        defs.push("secret_flag boolean".into());
    }
    let value = |c: &str, v: &str| columns.contains(&c).then(|| v.to_string());
    let rows: Vec<String> = [
        ("1", "'paid'", "10.50", "'ok'"),
        ("1", "'lost'", "null", "'toolong'"),
        ("3", "'paid'", "-2.00", "null"),
    ]
    .iter()
    .map(|(id, status, amount, note)| {
        let mut cells = vec![id.to_string()];
        cells.extend(value("status", status));
        cells.extend(value("amount", amount));
        cells.extend(value("note", note));
        if extra {
            cells.push("true".into());
        }
        format!("({})", cells.join(", "))
    })
    .collect();
    vec![
        format!("create schema {schema}"),
        format!("create table {schema}.orders ({})", defs.join(", ")),
        format!("insert into {schema}.orders values {}", rows.join(", ")),
    ]
}

/// A fresh place for the orders table: a DuckDB file, or a schema on the
/// test PostgreSQL (dropped by the guard).
struct Place {
    url: String,
    schema: String,
    engine: Engine,
}

impl Drop for Place {
    fn drop(&mut self) {
        if self.engine == Engine::Postgres {
            let admin = harness::pg_url("postgres", None, "postgres");
            let _ = harness::adbc_execute(
                &admin,
                &[format!("drop schema if exists {} cascade", self.schema)],
            );
        }
    }
}

fn place(engine: Engine, dir: &Path, name: &str) -> Place {
    let schema = format!("run_{name}_{}", std::process::id());
    let url = match engine {
        Engine::Postgres => harness::pg_url("postgres", None, "postgres"),
        _ => format!("duckdb:{}", dir.join(format!("{name}.duckdb")).display()),
    };
    Place {
        url,
        schema,
        engine,
    }
}

fn write_contract(dir: &Path, schema: &str, conformance: Option<&str>) -> String {
    let mut text = ORDERS.replace("SCHEMA", schema);
    if let Some(c) = conformance {
        text = text.replace(
            &format!("dataset: {{schema: {schema}, name: orders}}"),
            &format!("dataset: {{schema: {schema}, name: orders, conformance: {c}}}"),
        );
    }
    let path = dir.join("orders.yaml");
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Schema conformance on one engine: a wrong type, a missing column (the
/// checks that need it are errors, the others run), an undeclared column
/// under `strict`, a missing table.
fn schema_conformance(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let dir = common::tempdir(&format!("run-schema-{}", engine.name()));

    // Every column there, with its type: the data's violations only.
    let p = place(engine, &dir, "complete");
    harness::adbc_execute(
        &p.url,
        &orders_setup(&p.schema, "bigint", &["status", "amount", "note"], false),
    )
    .unwrap();
    let contract = write_contract(&dir, &p.schema, None);
    let out = datapact_run(
        &["run", &contract, "--connection", &p.url, "--format", "json"],
        &dir,
        &[],
    );
    let doc = json(&out);
    assert_eq!(
        not_passing(&doc),
        [
            "amount__min fail 1",
            "note__length fail 1",
            "order_id__unique fail 1",
            "status__accepted_values fail 1",
        ],
        "{doc:#}"
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        doc["summary"],
        serde_json::json!({"pass": 8, "warn": 0, "fail": 4, "error": 0})
    );
    drop(p);

    // order_id is text: a wrong type; amount is missing: its checks and the
    // expression naming it are errors, every other check still runs.
    let p = place(engine, &dir, "drift");
    harness::adbc_execute(
        &p.url,
        &orders_setup(&p.schema, "varchar(10)", &["status", "note"], false),
    )
    .unwrap();
    let contract = write_contract(&dir, &p.schema, None);
    let doc = json(&datapact_run(
        &["run", &contract, "--connection", &p.url, "--format", "json"],
        &dir,
        &[],
    ));
    let order_id = result(&doc, "order_id__schema");
    assert_eq!(order_id["status"], "fail", "{doc:#}");
    assert!(
        order_id["observed"].as_str().unwrap().contains("char"),
        "{order_id}"
    );
    assert!(
        order_id["message"]
            .as_str()
            .unwrap()
            .contains("does not fit its contract type bigint")
    );
    let amount = result(&doc, "amount__schema");
    assert_eq!(
        (amount["status"].as_str(), amount["observed"].as_str()),
        (Some("fail"), None)
    );
    for check in ["amount__min", "amount_set_when_paid"] {
        let r = result(&doc, check);
        assert_eq!(r["status"], "error", "{r}");
        assert!(
            r["message"]
                .as_str()
                .unwrap()
                .contains("needs column `amount`"),
            "{r}"
        );
    }
    assert_eq!(
        result(&doc, "order_id__unique")["failures"],
        1,
        "the other checks ran"
    );
    assert_eq!(result(&doc, "note__length")["status"], "fail");
    assert_eq!(result(&doc, "row_count")["status"], "pass");
    drop(p);

    // conformance: strict and a column the contract does not declare.
    let p = place(engine, &dir, "strict");
    harness::adbc_execute(
        &p.url,
        &orders_setup(&p.schema, "bigint", &["status", "amount", "note"], true),
    )
    .unwrap();
    let contract = write_contract(&dir, &p.schema, Some("strict"));
    let doc = json(&datapact_run(
        &["run", &contract, "--connection", &p.url, "--format", "json"],
        &dir,
        &[],
    ));
    let extra = result(&doc, "secret_flag__schema");
    assert_eq!(
        (extra["status"].as_str(), extra["column_name"].as_str()),
        (Some("fail"), Some("secret_flag")),
        "{doc:#}"
    );
    assert!(
        extra["message"]
            .as_str()
            .unwrap()
            .contains("not in the contract")
    );
    // additive (the default) allows it.
    let contract = write_contract(&dir, &p.schema, None);
    let doc = json(&datapact_run(
        &["run", &contract, "--connection", &p.url, "--format", "json"],
        &dir,
        &[],
    ));
    assert!(
        doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["check_name"] != "secret_flag__schema")
    );
    drop(p);

    // No table at all: the table check fails, every check is an error.
    let p = place(engine, &dir, "missing");
    harness::adbc_execute(&p.url, &[format!("create schema {}", p.schema)]).unwrap();
    let contract = write_contract(&dir, &p.schema, None);
    let out = datapact_run(
        &["run", &contract, "--connection", &p.url, "--format", "json"],
        &dir,
        &[],
    );
    let doc = json(&out);
    assert_eq!(result(&doc, "schema")["status"], "fail", "{doc:#}");
    assert!(
        result(&doc, "schema")["message"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
    assert_eq!(doc["summary"]["error"], 7, "{doc:#}");
    assert_eq!(doc["summary"]["pass"], 0);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn schema_conformance_on_duckdb() {
    schema_conformance(Engine::Duckdb);
}

#[test]
fn schema_conformance_on_postgres() {
    schema_conformance(Engine::Postgres);
}

/// The embedded default: no connection, datasets read from Parquet and CSV
/// files (a glob, relative to the project root, i.e. datapact.yaml's folder).
#[test]
fn embedded_duckdb_reads_parquet_and_csv_files() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run-embedded");
    let project = dir.join("project");
    std::fs::create_dir_all(project.join("data/events")).unwrap();
    std::fs::create_dir_all(project.join("contracts")).unwrap();
    let data = project.join("data");
    let quote = |p: &Path| p.display().to_string().replace('\'', "''");
    harness::adbc_execute(
        "duckdb::memory:",
        &[
            format!(
                "copy (select * from (values (1, 'a@x.io', timestamptz '2026-01-01 10:00:00+00'), (2, 'b@x.io', timestamptz '2026-01-01 11:00:00+00')) as t(user_id, email, seen_at)) to '{}' (format parquet)",
                quote(&data.join("events/part-1.parquet"))
            ),
            format!(
                "copy (select * from (values (3, 'not-an-email', timestamptz '2026-01-02 10:00:00+00'), (3, null, null)) as t(user_id, email, seen_at)) to '{}' (format parquet)",
                quote(&data.join("events/part-2.parquet"))
            ),
            format!(
                "copy (select * from (values (1, 'Ann', '2024-02-01'), (2, 'Bob', '2024-13-01')) as t(user_id, name, since)) to '{}' (format csv, header)",
                quote(&data.join("users.csv"))
            ),
        ],
    )
    .unwrap();
    std::fs::write(project.join("datapact.yaml"), "contracts: [contracts]\n").unwrap();
    std::fs::write(
        project.join("contracts/events.yaml"),
        "contract: t.events\nversion: 1.0.0\nowners: [{name: Web}]\n\
         dataset: {schema: web, name: events, path: data/events/*.parquet}\n\
         columns:\n  - {name: user_id, type: bigint, required: true, unique: true, references: t.users.user_id}\n\
         \x20 - {name: email, type: string, required: true, pattern: '[^@]+@[^@]+'}\n\
         \x20 - {name: seen_at, type: timestamp_tz}\n",
    )
    .unwrap();
    std::fs::write(
        project.join("contracts/users.yaml"),
        "contract: t.users\nversion: 1.0.0\nowners: [{name: Accounts}]\n\
         dataset: {name: users, path: data/users.csv}\n\
         columns:\n  - {name: user_id, type: integer, required: true, unique: true}\n\
         \x20 - {name: name, type: string}\n",
    )
    .unwrap();
    // From the project folder, and from elsewhere with --config: the same.
    for (cwd, args) in [
        (project.clone(), vec!["run", "--format", "json"]),
        (
            dir.to_path_buf(),
            vec![
                "--config",
                "project/datapact.yaml",
                "run",
                "--format",
                "json",
            ],
        ),
    ] {
        let out = datapact_run(&args, &cwd, &[]);
        let doc = json(&out);
        assert_eq!(
            not_passing(&doc),
            [
                "email__pattern fail 1",
                "email__required fail 1",
                "user_id__references fail 2",
                "user_id__unique fail 1",
            ],
            "{doc:#}"
        );
        assert_eq!(doc["connection"], "duckdb::memory:");
        assert_eq!(
            result(&doc, "seen_at__schema")["observed"],
            "timestamp with time zone"
        );
        assert_eq!(out.status.code(), Some(1));
    }

    // A path that matches no file: that dataset's checks are errors.
    std::fs::remove_file(data.join("users.csv")).unwrap();
    let doc = json(&datapact_run(&["run", "--format", "json"], &project, &[]));
    let users: Vec<&Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["contract"] == "t.users")
        .collect();
    assert!(users.iter().all(|r| r["status"] == "error"), "{doc:#}");
    assert!(
        users[0]["message"]
            .as_str()
            .unwrap()
            .contains("data/users.csv"),
        "{}",
        users[0]
    );
}

/// Nested JSON lines: structs and arrays as DuckDB infers them, and a
/// map read per row (DuckDB would infer an object as a struct of every key
/// in the file, giving each row the keys of the others, as NULLs).
#[test]
fn embedded_duckdb_reads_nested_json_lines() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run-nested");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(
        dir.join("data/events.jsonl"),
        "{\"id\": 1, \"a\": {\"zip\": \"12345\", \"n\": 2}, \"tags\": [\"x\"], \"m\": {\"a\": 1}}\n\
         {\"id\": 2, \"a\": {\"zip\": null, \"n\": 3}, \"tags\": [\"x\", \"x\"], \"m\": {\"B\": -1, \"c\": 2}}\n\
         {\"id\": 3, \"a\": null, \"tags\": [], \"m\": null}\n",
    )
    .unwrap();
    std::fs::write(dir.join("datapact.yaml"), "contracts: [.]\n").unwrap();
    std::fs::write(
        dir.join("events.yaml"),
        "contract: t.events\nversion: 1.0.0\nowners: [{name: Web}]\n\
         dataset: {name: events, path: data/events.jsonl}\n\
         columns:\n  - {name: id, type: integer}\n\
         \x20 - {name: a, type: struct, fields: [{name: zip, type: string, required: true}, {name: n, type: integer, max: 2}]}\n\
         \x20 - {name: tags, type: array, unique_items: true, length: {min: 1}, items: string}\n\
         \x20 - {name: m, type: map, length: {max: 1}, keys: {type: string, pattern: '[a-z]+'}, values: {type: integer, required: true, min: 0}}\n",
    )
    .unwrap();
    let out = datapact_run(&["run", "--format", "json"], &dir, &[]);
    let doc = json(&out);
    assert_eq!(
        not_passing(&doc),
        [
            "a.n__max fail 1",
            "a.zip__required fail 1",
            "m[key]__pattern fail 1",
            "m[value]__min fail 1",
            "m__length fail 1",
            "tags__length fail 1",
            "tags__unique_items fail 1",
        ],
        "{doc:#}"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// Connection failures: exit 2, a clear message, in JSON too; a password
/// appears in no output.
#[test]
fn connection_failures_exit_2_and_never_show_the_password() {
    if !harness::run_available(Engine::Postgres) || !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run-failures");
    let contract = write_contract(&dir, "public", None);
    let password = "Tr0ub4dor&3-secret";
    let admin = harness::pg_url("postgres", None, "postgres");
    harness::adbc_execute(
        &admin,
        &[
            "drop role if exists datapact_password".into(),
            format!("create role datapact_password login password '{password}'"),
        ],
    )
    .unwrap();

    // A wrong password, given in the URL and through ${VAR} in datapact.yaml.
    let wrong = format!("{password}-wrong");
    let url = harness::pg_url("datapact_password", Some(&wrong), "postgres");
    std::fs::write(
        dir.join("datapact.yaml"),
        format!(
            "connections:\n  pg: {{url: \"{}\"}}\n",
            harness::pg_url("datapact_password", Some("${PG_SECRET}"), "postgres")
        ),
    )
    .unwrap();
    for args in [
        vec!["run", contract.as_str(), "--connection", url.as_str()],
        vec![
            "run",
            contract.as_str(),
            "--connection",
            url.as_str(),
            "--format",
            "json",
        ],
        vec![
            "run",
            contract.as_str(),
            "--connection",
            "pg",
            "--format",
            "json",
        ],
        vec![
            "run",
            contract.as_str(),
            "--connection",
            "pg",
            "--format",
            "junit",
        ],
    ] {
        let out = datapact_run(&args, &dir, &[("PG_SECRET", &wrong)]);
        let all = format!("{}{}", common::stdout(&out), common::stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{args:?}: {all}");
        assert!(
            all.contains("password authentication failed"),
            "{args:?}: {all}"
        );
        assert!(
            !all.contains(password),
            "{args:?} shows the password: {all}"
        );
        assert!(all.contains("***") || !args.contains(&"json"), "{all}");
        if args.contains(&"json") {
            let doc = json(&out);
            assert_eq!(doc["results"], serde_json::json!([]));
            assert!(
                doc["error"]
                    .as_str()
                    .unwrap()
                    .contains("password authentication failed")
            );
            assert!(
                doc["connection"].as_str().unwrap().contains(":***@"),
                "{doc}"
            );
        }
    }
    // The right password connects (the table is not there: exit 1, not 2).
    let out = datapact_run(
        &["run", &contract, "--connection", "pg"],
        &dir,
        &[("PG_SECRET", password)],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    assert!(!common::stdout(&out).contains(password));
    let _ = harness::adbc_execute(&admin, &["drop role if exists datapact_password".into()]);

    // Refused: nothing listens on the port (retried, then exit 2).
    let refused = "postgresql://postgres@127.0.0.1:9/postgres";
    let out = datapact_run(
        &[
            "run",
            &contract,
            "--connection",
            refused,
            "--format",
            "json",
        ],
        &dir,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let error = json(&out)["error"].as_str().unwrap().to_string();
    assert!(
        error.contains("Connection refused") && error.contains("after 4 attempts"),
        "{error}"
    );

    // An unset variable, an unknown scheme, an unknown connection name.
    std::fs::write(
        dir.join("datapact.yaml"),
        "connections:\n  pg: {url: \"postgresql://${NO_SUCH_VAR}@h/db\"}\n",
    )
    .unwrap();
    let out = datapact_run(&["run", &contract, "--connection", "pg"], &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("NO_SUCH_VAR"),
        "{}",
        common::stderr(&out)
    );
    let out = datapact_run(&["run", &contract, "--connection", "mysql://x"], &dir, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("unknown connection URL"),
        "{}",
        common::stderr(&out)
    );

    // A DuckDB file that is not there (run never creates one).
    let out = datapact_run(
        &["run", &contract, "--connection", "duckdb:typo.duckdb"],
        &dir,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("no DuckDB database file at typo.duckdb"),
        "{}",
        common::stderr(&out)
    );
    assert!(!dir.join("typo.duckdb").exists());

    // A driver that is not installed: how to get it.
    let out = datapact_run(
        &[
            "run",
            &contract,
            "--connection",
            "adbc:snowflake?uri=user:pw@acct",
            "--format",
            "json",
        ],
        &dir,
        &[("HOME", dir.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(2));
    let doc = json(&out);
    let error = doc["error"].as_str().unwrap();
    assert!(
        error.contains("ADBC driver `snowflake` is not available") && error.contains("docs/run.md"),
        "{error}"
    );
    let out = datapact_run(
        &["run", &contract],
        &dir,
        &[
            ("DATAPACT_DRIVER_PATH", ""),
            ("HOME", dir.to_str().unwrap()),
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("scripts/drivers"),
        "{}",
        common::stderr(&out)
    );
}

/// A query past `--timeout` is cancelled on the server: its checks are
/// errors and the run exits 2; the server has no query left running.
#[test]
fn a_query_past_the_timeout_is_cancelled() {
    if !harness::run_available(Engine::Postgres) {
        return;
    }
    let dir = common::tempdir("run-timeout");
    let p = place(Engine::Postgres, &dir, "slow");
    harness::adbc_execute(
        &p.url,
        &orders_setup(&p.schema, "bigint", &["status", "amount", "note"], false),
    )
    .unwrap();
    let contract = ORDERS.replace("SCHEMA", &p.schema).replace(
        "checks:\n",
        "checks:\n  - {name: slow, sql: 'select 1 from {{ table }} where pg_sleep(30) is null'}\n",
    );
    std::fs::write(dir.join("slow.yaml"), contract).unwrap();
    let started = std::time::Instant::now();
    let out = datapact_run(
        &[
            "run",
            "slow.yaml",
            "--connection",
            &p.url,
            "--timeout",
            "1s",
            "--format",
            "json",
        ],
        &dir,
        &[],
    );
    let elapsed = started.elapsed();
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let doc = json(&out);
    assert!(
        doc["error"].as_str().unwrap().contains("timeout"),
        "{doc:#}"
    );
    let slow = result(&doc, "slow");
    assert_eq!(slow["status"], "error");
    assert!(
        slow["message"]
            .as_str()
            .unwrap()
            .contains("longer than the timeout (1s)"),
        "{slow}"
    );
    // Three rows of pg_sleep(30): only a cancelled query ends this soon.
    assert!(
        elapsed < std::time::Duration::from_secs(20),
        "took {elapsed:?}: not cancelled"
    );
}

/// Every format of one run with a failing check; --fail-on warn; a named
/// connection with schema renames and a default connection.
#[test]
fn formats_exit_codes_and_named_connections() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run-formats");
    let file = dir.join("dev.duckdb");
    harness::adbc_execute(
        &format!("duckdb:{}", file.display()),
        &orders_setup("dbt_alice", "bigint", &["status", "amount", "note"], false),
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    write_contract(&dir.join("contracts"), "marts", None);
    std::fs::write(
        dir.join("datapact.yaml"),
        "connections:\n  dev: {url: \"duckdb:dev.duckdb\", schemas: {marts: dbt_alice}}\ndefault_connection: dev\n",
    )
    .unwrap();

    let out = datapact_run(&["run"], &dir, &[]);
    let text = common::stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", common::stderr(&out));
    assert!(
        text.contains("order_id__unique") && text.contains("1 of 3 rows fail"),
        "{text}"
    );
    assert!(
        text.contains("owners: Orders Team <orders@example.com> (producer)"),
        "{text}"
    );
    assert!(
        text.contains("run failed: 1 contract, 12 checks: 8 pass, 0 warn, 4 fail, 0 error"),
        "{text}"
    );

    let out = datapact_run(&["run", "--format", "junit"], &dir, &[]);
    let xml = common::stdout(&out);
    assert!(xml.starts_with("<?xml"), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"t.orders\" tests=\"12\" failures=\"4\" errors=\"0\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure ").count(), 4, "{xml}");

    let out = datapact_run(&["run", "--format", "github"], &dir, &[]);
    let annotations = common::stdout(&out);
    assert!(
        annotations.lines().any(|l| l
            .starts_with("::error file=contracts/orders.yaml,line=7,col=")
            && l.contains("order_id__unique")),
        "{annotations}"
    );
    assert!(
        annotations
            .contains("1 of 3 rows fail%0Aowners: Orders Team <orders@example.com> (producer)"),
        "{annotations}"
    );

    let out = datapact_run(&["run", "--format", "markdown"], &dir, &[]);
    let md = common::stdout(&out);
    assert!(
        md.contains("| t.orders | order_id__unique | order_id | fail | 1 | 3 |"),
        "{md}"
    );

    // Only warnings: exit 0, unless --fail-on warn.
    let text = std::fs::read_to_string(dir.join("contracts/orders.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/orders.yaml"),
        text.replace("unique: true}", "unique: {value: true, severity: warn}}")
            .replace(
                "accepted_values: [paid, shipped]",
                "accepted_values: {values: [paid, shipped], severity: warn}",
            )
            .replace("min: 0}", "min: {value: 0, severity: warn}}")
            .replace("length: {max: 5}", "length: {max: 5, severity: warn}"),
    )
    .unwrap();
    assert_eq!(datapact_run(&["run"], &dir, &[]).status.code(), Some(0));
    assert_eq!(
        datapact_run(&["run", "--fail-on", "warn"], &dir, &[])
            .status
            .code(),
        Some(1)
    );
}

/// The README's first command ends with `datapact run contracts/` on the
/// example data (data/shop, Parquet, CSV and JSON lines): exactly the
/// planted violations listed in data/shop/expected.txt do not pass, nothing
/// is an error, and it exits 1.
#[test]
fn example_contracts_on_the_example_data_fail_exactly_the_planted_checks() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let root = common::root();
    let expected: Vec<String> = std::fs::read_to_string(root.join("data/shop/expected.txt"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    let out = datapact_run(&["run", "contracts/", "--format", "json"], &root, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let doc = json(&out);
    let mut got: Vec<String> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] != "pass")
        .map(|r| {
            format!(
                "{} {} {}",
                r["contract"].as_str().unwrap(),
                r["check_name"].as_str().unwrap(),
                r["status"].as_str().unwrap()
            )
        })
        .collect();
    got.sort();
    assert_eq!(got, expected, "{doc:#}");
    assert_eq!(doc["summary"]["error"], 0);
    assert!(
        doc["summary"]["pass"].as_u64().unwrap() > 200,
        "{}",
        doc["summary"]
    );

    let out = datapact_run(&["run", "contracts/"], &root, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(
        text.contains("order_number__unique") && text.contains("2 of 1250 rows fail"),
        "{text}"
    );
}

/// Ctrl-C stops the run at once, exit 2, and cancels the running query on
/// the server: no session is left working.
#[test]
fn ctrl_c_cancels_the_running_queries() {
    if !harness::run_available(Engine::Postgres) {
        return;
    }
    let dir = common::tempdir("run-interrupt");
    let p = place(Engine::Postgres, &dir, "interrupt");
    harness::adbc_execute(
        &p.url,
        &orders_setup(&p.schema, "bigint", &["status", "amount", "note"], false),
    )
    .unwrap();
    let marker = format!("datapact_interrupt_{}", std::process::id());
    let contract = ORDERS.replace("SCHEMA", &p.schema).replace(
        "checks:\n",
        &format!("checks:\n  - {{name: slow, sql: \"select '{marker}' from {{{{ table }}}} where pg_sleep(60) is null\"}}\n"),
    );
    std::fs::write(dir.join("slow.yaml"), contract).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args([
            "run",
            "slow.yaml",
            "--connection",
            &p.url,
            "--format",
            "json",
        ])
        .current_dir(&*dir)
        .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the slow query runs on the server.
    let active = |url: &str| {
        harness::adbc_query(
            url,
            &format!("select count(*) from pg_stat_activity where state = 'active' and query like '%{marker}%' and query not like '%pg_stat_activity%'"),
        )
        .unwrap()[0][0]
            .clone()
            .unwrap_or_default()
    };
    let started = std::time::Instant::now();
    while active(&p.url) != "1" {
        assert!(
            started.elapsed().as_secs() < 20,
            "the slow query never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let interrupted = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        interrupted.elapsed().as_secs() < 10,
        "took {:?}",
        interrupted.elapsed()
    );
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let doc = json(&out);
    assert!(
        doc["error"].as_str().unwrap().contains("interrupted"),
        "{doc:#}"
    );
    // The server is not running it any more.
    let gone = std::time::Instant::now();
    while active(&p.url) != "0" {
        assert!(
            gone.elapsed().as_secs() < 5,
            "the cancelled query still runs on the server"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

/// On the embedded DuckDB a contract's own SQL reads only files under the
/// project root; one broken check is an error while the others still run.
#[test]
fn the_embedded_engine_reads_only_the_project() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run-sandbox");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::write(dir.join("data/t.csv"), "a\n1\n7\n").unwrap();
    let outside = std::env::temp_dir().join(format!("datapact-outside-{}.csv", std::process::id()));
    std::fs::write(&outside, "secret\nhunter2\n").unwrap();
    std::fs::write(
        dir.join("c.yaml"),
        format!(
            "contract: t.sb\nversion: 1.0.0\nowners: [{{name: T}}]\n\
             dataset: {{name: t, path: data/t.csv}}\n\
             columns:\n  - {{name: a, type: integer, required: true}}\n\
             checks:\n\
             \x20 - {{name: escape, sql: \"select * from read_csv('{}')\"}}\n\
             \x20 - {{name: big, sql: \"select * from {{{{ table }}}} where a > 5\"}}\n",
            outside.display()
        ),
    )
    .unwrap();
    let out = datapact_run(&["run", "c.yaml", "--format", "json"], &dir, &[]);
    let _ = std::fs::remove_file(&outside);
    let doc = json(&out);
    let escape = result(&doc, "escape");
    assert_eq!(escape["status"], "error", "{doc:#}");
    assert!(
        escape["message"]
            .as_str()
            .unwrap()
            .contains("Permission Error"),
        "{escape}"
    );
    assert!(!common::stdout(&out).contains("hunter2"));
    assert_eq!(result(&doc, "big")["failures"], 1, "{doc:#}");
    assert_eq!(result(&doc, "a__required")["status"], "pass");
}

/// `--samples N`: up to N failing rows of each failing row-level check,
/// exactly the planted ones, in every format; the values of a `pii: true`
/// column never appear (a search of every output for the planted value).
fn failure_samples(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let dir = common::tempdir(&format!("run_samples_{}", engine.name()));
    let place = place(engine, dir.as_path(), "samples");
    let schema = &place.schema;
    harness::adbc_execute(
        &place.url,
        &[
            format!("create schema {schema}"),
            format!(
                "create table {schema}.customers (id integer, email varchar(100), \
                 tier varchar(10), score integer, created timestamp with time zone)"
            ),
            format!(
                "insert into {schema}.customers values \
                 (1, 'ann@pii.example', 'gold', 5, '2024-01-01 10:00:00+00'), \
                 (2, 'bob@pii.example', 'tin', 7, '2024-01-02 10:00:00+00'), \
                 (3, 'cy@pii.example', 'gold', -1, '2024-01-03 10:00:00+00'), \
                 (3, 'dee@pii.example', 'lead', 2, '2024-01-04 10:00:00+00'), \
                 (5, 'eve@pii.example', 'lead', 3, null)"
            ),
        ],
    )
    .unwrap();
    std::fs::write(
        dir.as_path().join("customers.yaml"),
        format!(
            "contract: t.customers\nversion: 1.0.0\n\
             owners: [{{name: CRM, email: crm@example.com}}]\n\
             dataset: {{schema: {schema}, name: customers}}\ncolumns:\n  \
             - {{name: id, type: integer, unique: true}}\n  \
             - {{name: email, type: string, pii: true}}\n  \
             - {{name: tier, type: string, accepted_values: [gold, silver]}}\n  \
             - {{name: score, type: integer, min: 0}}\n  \
             - {{name: created, type: timestamp_tz}}\nchecks:\n  \
             - {{name: lead_contacts, sql: \"select id, email as contact from {{{{ table }}}} where tier = 'lead'\"}}\n"
        ),
    )
    .unwrap();
    let args = |format: &'static str| {
        [
            "run",
            "customers.yaml",
            "--connection",
            place.url.as_str(),
            "--no-store",
            "--samples",
            "2",
            "--format",
            format,
        ]
    };
    let run = |format: &'static str| {
        let out = datapact_run(&args(format), dir.as_path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
        format!("{}{}", common::stdout(&out), common::stderr(&out))
    };
    let doc = json(&datapact_run(&args("json"), dir.as_path(), &[]));
    let rows = |check: &str| -> Vec<Vec<Value>> {
        let samples = &result(&doc, check)["samples"];
        let columns: Vec<&str> = samples["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(&columns[..4], ["id", "email", "tier", "score"], "{samples}");
        let mut rows: Vec<Vec<Value>> = samples["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_array().unwrap()[..4].to_vec())
            .collect();
        rows.sort_by_key(|r| r[0].to_string());
        rows
    };
    let row = |id: &str, tier: &str, score: &str| {
        vec![
            Value::from(id),
            Value::from("***"),
            Value::from(tier),
            Value::from(score),
        ]
    };
    // A timestamp with a time zone is read (as UTC).
    let created = &result(&doc, "score__min")["samples"]["rows"][0][4];
    assert!(
        created
            .as_str()
            .is_some_and(|t| t.starts_with("2024-01-03")),
        "{created}"
    );
    // A `sql` check's own columns may hold personal data under any name:
    // all masked.
    let sql_rows = &result(&doc, "lead_contacts")["samples"]["rows"];
    assert_eq!(sql_rows.as_array().unwrap().len(), 2, "{sql_rows}");
    assert!(
        sql_rows
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r.as_array().unwrap())
            .all(|v| v == "***"),
        "{sql_rows}"
    );
    // Exactly the failing rows: 2 of the 3 for accepted values (the limit).
    assert_eq!(rows("score__min"), [row("3", "gold", "-1")]);
    assert_eq!(
        rows("id__unique"),
        [row("3", "gold", "-1"), row("3", "lead", "2")]
    );
    assert_eq!(rows("tier__accepted_values").len(), 2);
    // A passing check has none; the PII value appears in no format.
    assert!(result(&doc, "id__schema")["samples"].is_null());
    let planted = "@pii.example";
    for format in ["json", "human", "markdown", "junit", "github"] {
        let text = if format == "json" {
            doc.to_string()
        } else {
            run(format)
        };
        assert!(!text.contains(planted), "{format}: {text}");
        // Markdown escapes the stars.
        let masked = if format == "markdown" {
            "\\*\\*\\*"
        } else {
            "***"
        };
        if format != "github" {
            assert!(text.contains(masked), "{format}: {text}");
        }
    }
}

/// A store of schema version 1 (before samples) is migrated by the next
/// `run --store --samples`: its rows kept, the new run's samples stored,
/// personal data masked there too.
#[test]
fn samples_are_stored_and_an_older_store_is_migrated() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("run_samples_store");
    let data = dir.as_path().join("data.duckdb");
    let data_url = format!("duckdb:{}", data.display());
    harness::adbc_execute(
        &data_url,
        &[
            "create table t (id integer, email varchar)".into(),
            "insert into t values (1, 'x@pii.example'), (1, 'y@pii.example')".into(),
        ],
    )
    .unwrap();
    let store = dir.as_path().join("store.duckdb");
    let store_url = format!("duckdb:{}", store.display());
    // Version 1, as datapact wrote it before samples, with one run.
    harness::adbc_execute(
        &store_url,
        &[
            "create table datapact_store (version integer not null)".into(),
            "insert into datapact_store values (1)".into(),
            "create table datapact_runs (run_id varchar not null primary key, started_at timestamp not null, \
             duration_ms bigint not null, connection varchar not null, datapact_version varchar not null, \
             contracts integer not null, checks integer not null)"
                .into(),
            "create table datapact_results (run_id varchar not null, contract varchar not null, \
             contract_version varchar not null, check_name varchar not null, column_name varchar, \
             rule varchar not null, severity varchar not null, status varchar not null, failures bigint, \
             observed varchar, message varchar)"
                .into(),
            "insert into datapact_runs values ('old', '2026-01-01 00:00:00', 1, 'duckdb::memory:', '0.1.0', 1, 1)".into(),
            "insert into datapact_results values ('old', 't.t', '1.0.0', 'id__unique', 'id', 'unique', 'error', 'pass', 0, '2', null)".into(),
        ],
    )
    .unwrap();
    std::fs::write(
        dir.as_path().join("t.yaml"),
        "contract: t.t\nversion: 1.0.0\nowners: [{name: T, email: t@example.com}]\n\
         dataset: {name: t}\ncolumns:\n  - {name: id, type: integer, unique: true}\n  \
         - {name: email, type: string, pii: true}\n",
    )
    .unwrap();
    let out = datapact_run(
        &[
            "run",
            "t.yaml",
            "--connection",
            &data_url,
            "--store",
            store.to_str().unwrap(),
            "--samples",
            "5",
        ],
        dir.as_path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
    let rows = harness::adbc_query(
        &store_url,
        "select run_id, samples from datapact_results where check_name = 'id__unique' order by run_id = 'old'",
    )
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let stored = rows[0][1].clone().expect("the new run's samples");
    let samples: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(samples["rows"].as_array().unwrap().len(), 2, "{samples}");
    assert!(
        stored.contains("***") && !stored.contains("pii.example"),
        "{stored}"
    );
    assert_eq!(rows[1], vec![Some("old".to_string()), None]);
    let version =
        harness::adbc_query(&store_url, "select max(version) from datapact_store").unwrap();
    assert_eq!(version[0][0].as_deref(), Some("2"));
}

#[test]
fn failure_samples_on_duckdb() {
    failure_samples(Engine::Duckdb);
}

#[test]
fn failure_samples_on_postgres() {
    failure_samples(Engine::Postgres);
}

/// A check query and a schema query split into parts (`--max-query-bytes`
/// far below them) give exactly the verdicts of the whole queries: a
/// 120-column table with rules failing and passing on every kind of
/// column, strict conformance (an undeclared column), on one engine.
fn split_queries(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let dir = common::tempdir(&format!("run_split_{}", engine.name()));
    let place = place(engine, dir.as_path(), "split");
    let schema = &place.schema;
    let mut defs = Vec::new();
    let mut values = Vec::new();
    let mut columns = Vec::new();
    for k in 0..120 {
        let name = format!("c{k:03}");
        if k % 2 == 0 {
            defs.push(format!("{name} integer"));
            values.push(format!("(i * {}) % 97", k + 1));
            columns.push(format!(
                "  - {{name: {name}, type: integer, required: true, min: 0, max: {}}}",
                90 - k / 2
            ));
        } else {
            defs.push(format!("{name} varchar(10)"));
            values.push(format!(
                "case when i % 11 = {} then null else 'v' || cast(i % 7 as varchar(3)) end",
                k % 11
            ));
            columns.push(format!(
                "  - {{name: {name}, type: string, accepted_values: [v0, v1, v2, v3, v4, v5], pattern: 'v[0-9]', unique: {}}}",
                k % 10 == 1
            ));
        }
    }
    defs.push("undeclared boolean".into());
    values.push("true".into());
    harness::adbc_execute(
        &place.url,
        &[
            format!("create schema {schema}"),
            format!("create table {schema}.wide ({})", defs.join(", ")),
            format!(
                "insert into {schema}.wide select {} from generate_series(0, 49) as t(i)",
                values.join(", ")
            ),
        ],
    )
    .unwrap();
    std::fs::write(
        dir.as_path().join("wide.yaml"),
        format!(
            "contract: t.wide\nversion: 1.0.0\nowners: [{{name: Tests}}]\n\
             dataset: {{schema: {schema}, name: wide, conformance: strict}}\n\
             row_count: {{min: 10}}\ncolumns:\n{}\n",
            columns.join("\n")
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "wide.yaml",
            "--connection",
            place.url.as_str(),
            "--no-store",
            "--format",
            "json",
        ];
        args.extend(extra);
        let out = datapact_run(&args, dir.as_path(), &[]);
        assert_eq!(out.status.code(), Some(1), "{}", common::stderr(&out));
        let doc = json(&out);
        let mut rows: Vec<String> = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {}",
                    r["check_name"].as_str().unwrap(),
                    r["status"].as_str().unwrap(),
                    r["failures"],
                    r["observed"]
                )
            })
            .collect();
        rows.sort();
        rows
    };
    let whole = run(&[]);
    let split = run(&["--max-query-bytes", "4000"]);
    assert_eq!(split, whole);
    let failing = whole.iter().filter(|r| r.contains(" fail ")).count();
    assert!(failing > 40, "{failing} failing of {}", whole.len());
    assert!(
        whole
            .iter()
            .any(|r| r.starts_with("undeclared__schema fail"))
    );
    // The SQL target splits the same way, into many parts.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(["compile", "wide.yaml", "--target", "sql", "--dialect"])
        .arg(engine.dialect().name())
        .args(["--out", "out", "--max-query-bytes", "4000"])
        .current_dir(dir.as_path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let base = dir
        .as_path()
        .join(format!("out/sql/{}", engine.dialect().name()));
    let mut counts = Vec::new();
    for (file, at_least) in [("sql", 20), ("schema.sql", 5)] {
        let text = std::fs::read_to_string(base.join(format!("t.wide.{file}"))).unwrap();
        let parts = text.lines().filter(|l| l.starts_with("-- Part ")).count();
        assert!(parts >= at_least, "{parts} parts in {file}");
        counts.push(parts);
    }
    eprintln!(
        "{}: {} results ({failing} failing) equal in one query and in {} + {} parts",
        engine.name(),
        whole.len(),
        counts[0],
        counts[1]
    );
}

#[test]
fn split_queries_on_duckdb() {
    split_queries(Engine::Duckdb);
}

#[test]
fn split_queries_on_postgres() {
    split_queries(Engine::Postgres);
}
