//! Results history and service-level objectives: `datapact run --store`
//! and `datapact report`, as users run them.
//!
//! - a scripted sequence of runs over changing data (fresh, stale, broken,
//!   repaired) with a fixed clock (`DATAPACT_NOW`), asserting the exact
//!   attainment, error budget, burn rates and exit codes in every format;
//! - a property test: the report's figures, through a real store, equal a
//!   reference computation over random run sequences;
//! - parallel writers on DuckDB and PostgreSQL lose and duplicate nothing,
//!   and a transaction that fails keeps nothing;
//! - the HTML report in a real headless Chromium.

mod common;
mod harness;

use std::path::Path;
use std::process::{Command, Output};

use harness::Engine;
use serde_json::{Value, json};

fn datapact(args: &[&str], dir: &Path, now: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_datapact"));
    command
        .args(args)
        .current_dir(dir)
        .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
        .env_remove("DATAPACT_NOW");
    if let Some(now) = now {
        command.env("DATAPACT_NOW", now);
    }
    command.output().expect("datapact runs")
}

fn json_of(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}):\nstdout: {}\nstderr: {}",
            common::stdout(o),
            common::stderr(o)
        )
    })
}

const CONTRACT: &str = "\
contract: t.orders
version: 1.2.0
owners: [{name: Orders Team, email: orders@example.com}]
dataset: {name: orders, path: data/orders.csv}
freshness: {column: loaded_at, error_after: 6h}
slo: {window: 30d, freshness: 80%, quality: 90%}
columns:
  - {name: order_id, type: bigint, required: true, unique: true}
  - {name: amount, type: 'decimal(12,2)', min: 0}
  - {name: loaded_at, type: timestamp}
";

/// The data of one run, dated from the real clock (which the engine's
/// freshness check reads).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Data {
    Fresh,
    Stale,
    /// Fresh, but an order id repeats.
    Broken,
}

fn write_data(project: &Path, data: Data) {
    let now = jiff::Timestamp::now();
    let age = match data {
        Data::Stale => jiff::SignedDuration::from_hours(72),
        Data::Fresh | Data::Broken => jiff::SignedDuration::from_hours(1),
    };
    let at = (now - age).strftime("%Y-%m-%d %H:%M:%S").to_string();
    let second_id = if data == Data::Broken { 1 } else { 2 };
    std::fs::write(
        project.join("data/orders.csv"),
        format!("order_id,amount,loaded_at\n1,10.00,{at}\n{second_id},12.50,{at}\n3,0.00,{at}\n"),
    )
    .unwrap();
}

fn project(name: &str) -> common::TempDir {
    let dir = common::tempdir(name);
    std::fs::create_dir_all(dir.as_path().join("contracts")).unwrap();
    std::fs::create_dir_all(dir.as_path().join("data")).unwrap();
    std::fs::write(dir.as_path().join("contracts/orders.yaml"), CONTRACT).unwrap();
    std::fs::write(
        dir.as_path().join("datapact.yaml"),
        "store: results.duckdb\n",
    )
    .unwrap();
    dir
}

/// Day `i` of the scripted month, at 06:00 UTC.
fn day(i: i64) -> String {
    let start: jiff::Timestamp = "2026-11-01T06:00:00Z".parse().unwrap();
    (start + jiff::SignedDuration::from_hours(24 * i)).to_string()
}

fn run_on(project: &Path, i: i64, data: Data) {
    write_data(project, data);
    let o = datapact(&["run", "--format", "json"], project, Some(&day(i)));
    let expected = if data == Data::Fresh { 0 } else { 1 };
    assert_eq!(
        o.status.code(),
        Some(expected),
        "run {i}: {}",
        common::stderr(&o)
    );
    let doc = json_of(&o);
    assert!(
        doc["run_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("202611")),
        "{doc:#}"
    );
}

fn report(project: &Path, now: &str, args: &[&str]) -> Output {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    datapact(&all, project, Some(now))
}

#[test]
fn a_month_of_runs_measures_attainment_budget_and_burn() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = project("slo-month");
    let p = dir.as_path();
    // Days 0–19: stale on days 10 and 11, broken on day 15, fresh otherwise.
    for i in 0..20 {
        let data = match i {
            10 | 11 => Data::Stale,
            15 => Data::Broken,
            _ => Data::Fresh,
        };
        run_on(p, i, data);
    }
    let now = "2026-11-20T07:00:00Z";
    let o = report(p, now, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    // 20 runs: freshness failed in 2 (90%, objective 80%: 4 allowed, 2
    // used, 50% left), quality in 1 (95%, objective 90%: 2 allowed, 1
    // used, 50% left). The last 7 days hold runs 13–19, one broken:
    // (1/7) / 10% = 1.429; the last 24 h only run 19.
    assert_eq!(
        json_of(&o),
        json!({
            "window": "30d",
            "contracts": [{
                "contract": "t.orders",
                "runs": 20,
                "freshness_attainment": 90.0,
                "freshness_objective": 80.0,
                "quality_attainment": 95.0,
                "quality_objective": 90.0,
                "error_budget_left": 50.0,
                "burn_rate_24h": 0.0,
                "burn_rate_7d": 1.429,
                "last_good_run": "2026-11-20T06:00:00Z",
            }]
        })
    );
    let human = common::stdout(&report(p, now, &[]));
    assert!(
        human.contains(
            "t.orders    20              90% / 80%            95% / 90%          50%      0.00     1.43  1h ago\n"
        ),
        "{human}"
    );
    assert!(
        human.contains("t.orders failed most: freshness (2 runs), order_id__unique (1 run)"),
        "{human}"
    );
    assert!(
        human.ends_with("report ok: 1 contract over 30d, every error budget left\n"),
        "{human}"
    );
    // The last week alone: 7 runs.
    let week = json_of(&report(p, now, &["--since", "7d", "--format", "json"]));
    assert_eq!(week["window"], "7d");
    assert_eq!(week["contracts"][0]["runs"], 7);
    assert_eq!(week["contracts"][0]["quality_attainment"], 85.714);

    // Day 20 stale, days 21 and 22 broken: quality has had 3 bad runs of
    // 23, more than the 2.3 allowed: the budget is spent, exit 1.
    run_on(p, 20, Data::Stale);
    run_on(p, 21, Data::Broken);
    run_on(p, 22, Data::Broken);
    let now = "2026-11-23T07:00:00Z";
    let o = report(p, now, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", common::stderr(&o));
    let doc = json_of(&o);
    let c = &doc["contracts"][0];
    assert_eq!(c["runs"], 23);
    assert_eq!(c["freshness_attainment"], 86.957); // 20 of 23
    assert_eq!(c["quality_attainment"], 86.957); // 20 of 23
    assert_eq!(c["error_budget_left"], 0.0);
    // The last 24 h: run 22, broken: 100% bad / 10% allowed.
    assert_eq!(c["burn_rate_24h"], 10.0);
    assert_eq!(c["last_good_run"], "2026-11-20T06:00:00Z");
    let markdown = common::stdout(&report(p, now, &["--format", "markdown"]));
    assert!(markdown.contains("| `t.orders` | 23 |"), "{markdown}");
    assert!(
        markdown.contains("- `t.orders`: `freshness` (3 runs), `order_id__unique` (3 runs)"),
        "{markdown}"
    );
    assert!(markdown.contains("0% spent"), "{markdown}");
    assert!(
        markdown.contains("report failed: 1 contract over 30d, 1 spent its error budget: t.orders"),
        "{markdown}"
    );

    // The HTML page: self-contained, and clean in a real browser.
    let o = report(p, now, &["--format", "html"]);
    assert_eq!(o.status.code(), Some(1));
    let page = common::stdout(&o);
    assert!(page.starts_with("<!doctype html>"), "{page}");
    assert!(page.contains("Content-Security-Policy"), "{page}");
    assert!(!page.contains("<script"), "no script: {page}");
    assert_eq!(page.matches("<rect ").count(), 23, "one mark per run");
    let html_dir = p.join("html");
    std::fs::create_dir_all(&html_dir).unwrap();
    std::fs::write(html_dir.join("report.html"), &page).unwrap();
    if let Some(found) = common::browser(
        &html_dir,
        &common::root().join("target/report-screenshots"),
        &[],
    ) {
        let seen = &found["pages"]["report.html"];
        for key in ["console", "page_errors", "dialogs", "blocked_requests"] {
            assert_eq!(seen[key], json!([]), "{key}: {found:#}");
        }
        assert_eq!(seen["phone_overflow"], false, "wider than a phone");
    }

    // The catalog with the results: each contract's latest status, its
    // objectives and each rule's latest result; without them, unchanged.
    let plain = datapact(
        &["compile", "--target", "docs", "--out", "plain"],
        p,
        Some(now),
    );
    assert_eq!(plain.status.code(), Some(0), "{}", common::stderr(&plain));
    let o = datapact(
        &[
            "compile",
            "--target",
            "docs",
            "--out",
            "with",
            "--results",
            "results.duckdb",
        ],
        p,
        Some(now),
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let md = std::fs::read_to_string(p.join("with/docs/t.orders.md")).unwrap();
    assert!(
        md.contains(
            "## Health\n\n- **Latest run:** fail, started 2026-11-23T06:00:00Z\n- **Window:** 30d, 23 runs\n\
             - **Freshness** held in 86.957% of runs (objective 80%)\n\
             - **Quality** held in 86.957% of runs (objective 90%)\n\
             - **Error budget left:** 0% (spent)\n\
             - **Not passing in the latest run:** `order_id__unique` fail\n"
        ),
        "{md}"
    );
    let page = std::fs::read_to_string(p.join("with/docs/html/t.orders.html")).unwrap();
    assert!(
        page.contains(r#"yes <span class="result fail" title="latest run">fail</span>"#),
        "the unique rule's latest result: {page}"
    );
    let without = std::fs::read_to_string(p.join("plain/docs/html/t.orders.html")).unwrap();
    assert!(!without.contains("result"), "{without}");
    if let Some(found) = common::browser(
        &p.join("with/docs/html"),
        &common::root().join("target/report-screenshots/catalog"),
        &[],
    ) {
        for (name, seen) in found["pages"].as_object().unwrap() {
            for key in ["console", "page_errors", "dialogs", "blocked_requests"] {
                assert_eq!(seen[key], json!([]), "{name}: {key}: {found:#}");
            }
        }
    }
}

#[test]
fn report_needs_a_store_and_says_which() {
    let dir = project("slo-errors");
    let p = dir.as_path();
    // No store file yet: nothing is created by reading.
    let o = report(p, "2026-11-20T07:00:00Z", &[]);
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("no store at duckdb:results.duckdb"),
        "{}",
        common::stderr(&o)
    );
    assert!(!p.join("results.duckdb").exists());
    std::fs::write(p.join("datapact.yaml"), "").unwrap();
    let o = report(p, "2026-11-20T07:00:00Z", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("`report` needs a results store"),
        "{}",
        common::stderr(&o)
    );
    let o = datapact(&["report", "--store", "x.duckdb"], p, Some("yesterday"));
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("DATAPACT_NOW is not a time"));
    let o = datapact(&["report", "--store", "x.duckdb", "--since", "7"], p, None);
    assert_eq!(o.status.code(), Some(2));
    assert!(common::stderr(&o).contains("invalid `--since`"));
    let o = datapact(&["run", "--store", "duckdb::memory:"], p, None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("a store in memory keeps nothing"),
        "{}",
        common::stderr(&o)
    );
    // Text that is no file and no known URL is refused, and its secrets
    // are not shown.
    for store in ["host=db password=s3cret", "mysql://u:s3cret@h/db"] {
        let o = datapact(&["report", "--store", store], p, None);
        assert_eq!(o.status.code(), Some(2), "{store}");
        assert!(
            !common::stderr(&o).contains("s3cret"),
            "{}",
            common::stderr(&o)
        );
        assert!(!p.join(store).exists());
    }
    // A store on another engine is refused before anything runs.
    let o = datapact(&["report", "--store", "adbc:snowflake?uri=x"], p, None);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        common::stderr(&o).contains("a results store is a DuckDB file or a PostgreSQL database"),
        "{}",
        common::stderr(&o)
    );
    // `--no-store` runs without the store datapact.yaml names.
    std::fs::write(p.join("datapact.yaml"), "store: kept.duckdb\n").unwrap();
    write_data(p, Data::Fresh);
    let o = datapact(&["run", "--no-store"], p, None);
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    assert!(!p.join("kept.duckdb").exists());
}

#[test]
fn row_count_change_compares_with_the_previous_good_run() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("slo-change");
    let p = dir.as_path();
    std::fs::create_dir_all(p.join("contracts")).unwrap();
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::write(
        p.join("contracts/t.yaml"),
        "contract: t.items\nversion: 1.0.0\nowners: [{name: T}]\n\
         dataset: {name: items, path: data/items.csv}\n\
         row_count: {min: 1, change: {max: 25%}}\n\
         columns: [{name: id, type: bigint}]\n",
    )
    .unwrap();
    let rows = |n: usize| {
        let ids: String = (1..=n).map(|i| format!("{i}\n")).collect();
        std::fs::write(p.join("data/items.csv"), format!("id\n{ids}")).unwrap();
    };
    let change = |args: &[&str], day: i64| -> (i32, Value) {
        let mut all = vec!["run", "--format", "json"];
        all.extend_from_slice(args);
        let o = datapact(&all, p, Some(&self::day(day)));
        let doc = json_of(&o);
        let r = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check_name"] == "row_count_change")
            .cloned()
            .unwrap();
        (o.status.code().unwrap(), r)
    };
    rows(4);
    // Without a store it cannot be judged: an error, never a silent pass.
    let (code, r) = change(&[], 0);
    assert_eq!((code, &r["status"]), (1, &json!("error")), "{r:#}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("run with `--store`")
    );
    assert_eq!(r["observed"], "4");
    // The first stored run is the baseline: a warning.
    let store = ["--store", "results.duckdb"];
    let (code, r) = change(&store, 1);
    assert_eq!((code, &r["status"]), (0, &json!("warn")), "{r:#}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("this run is the baseline")
    );
    // 4 → 5 rows: +25%, at the limit.
    rows(5);
    let (code, r) = change(&store, 2);
    assert_eq!(
        (code, &r["status"], &r["failures"]),
        (0, &json!("pass"), &json!(0)),
        "{r:#}"
    );
    // 5 → 8 rows: +60%, against the previous good run (day 2)...
    rows(8);
    let (code, r) = change(&store, 3);
    assert_eq!((code, &r["status"]), (1, &json!("fail")), "{r:#}");
    assert_eq!(
        r["message"],
        "8 rows, +60% from 5 in the previous good run (2026-11-03T06:00:00Z); at most 25% allowed"
    );
    // ...which stays the baseline while runs fail.
    let (_, r) = change(&store, 4);
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .contains("from 5 in the previous good run (2026-11-03T06:00:00Z)")
    );
    // Back to 4 rows: -20% from 5.
    rows(4);
    let (code, r) = change(&store, 5);
    assert_eq!((code, &r["status"]), (0, &json!("pass")), "{r:#}");
    // An ad-hoc run (--no-store, the store named in datapact.yaml) is
    // judged against the store, and adds nothing to it.
    std::fs::write(p.join("datapact.yaml"), "store: results.duckdb\n").unwrap();
    rows(9);
    let (code, r) = change(&["--no-store"], 6);
    assert_eq!((code, &r["status"]), (1, &json!("fail")), "{r:#}");
    assert!(
        r["message"]
            .as_str()
            .unwrap()
            .starts_with("9 rows, +125% from 4 in the previous good run (2026-11-06T06:00:00Z)"),
        "{r:#}"
    );
    let url = format!("duckdb:{}", p.join("results.duckdb").display());
    assert_eq!(count(&url, "select count(*) from datapact_runs"), 5);
}

#[test]
fn null_rate_compares_the_share_of_nulls_with_the_previous_good_run() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("slo-nulls");
    let p = dir.as_path();
    std::fs::create_dir_all(p.join("contracts")).unwrap();
    std::fs::create_dir_all(p.join("data")).unwrap();
    std::fs::write(
        p.join("contracts/t.yaml"),
        "contract: t.people\nversion: 1.0.0\nowners: [{name: T}]\n\
         dataset: {name: people, path: data/people.csv}\n\
         columns:\n  - {name: id, type: bigint}\n\
         \x20 - {name: email, type: string, null_rate: {max_increase: 10%, severity: warn}}\n",
    )
    .unwrap();
    // `nulls` of 10 rows without an e-mail.
    let data = |nulls: usize| {
        let rows: String = (1..=10)
            .map(|i| {
                if i <= nulls {
                    format!("{i},\n")
                } else {
                    format!("{i},p{i}@example.com\n")
                }
            })
            .collect();
        std::fs::write(p.join("data/people.csv"), format!("id,email\n{rows}")).unwrap();
    };
    let run = |day: i64| -> (i32, Value) {
        let o = datapact(
            &["run", "--format", "json", "--store", "results.duckdb"],
            p,
            Some(&self::day(day)),
        );
        let doc = json_of(&o);
        let r = doc["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["check_name"] == "email__null_rate")
            .cloned()
            .unwrap();
        (o.status.code().unwrap(), r)
    };
    data(1);
    let (_, r) = run(0);
    assert_eq!(
        (&r["status"], &r["observed"]),
        (&json!("warn"), &json!("1/10"))
    );
    // 10% → 20%: up 10 points, at the limit.
    data(2);
    let (_, r) = run(1);
    assert_eq!(r["status"], "pass", "{r:#}");
    // 20% → 40%: up 20 points; the rule only warns, so the run passes and
    // (a warning holding) becomes the next baseline.
    data(4);
    let (code, r) = run(2);
    assert_eq!((code, &r["status"]), (0, &json!("warn")), "{r:#}");
    assert_eq!(
        r["message"],
        "40% NULL (4 of 10 rows), up 20 points from 20% in the previous good run (2026-11-02T06:00:00Z); at most 10 points allowed"
    );
    let (_, r) = run(3);
    assert_eq!(r["status"], "pass", "40% again, against run 2: {r:#}");
}

// ---------------------------------------------------------------------------
// Writers

/// Start `n` runs at once, all storing into `store`; wait for them.
fn parallel_runs(project: &Path, store: &str, n: usize) {
    let children: Vec<_> = (0..n)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_datapact"))
                .args(["run", "--store", store, "--format", "json"])
                .current_dir(project)
                .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
                .env_remove("DATAPACT_NOW")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("datapact starts")
        })
        .collect();
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}{}",
            common::stderr(&o),
            common::stdout(&o)
        );
    }
}

fn count(url: &str, sql: &str) -> u64 {
    let rows = harness::adbc_query(url, sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows[0][0].as_deref().unwrap().parse().unwrap()
}

/// Checks per run of the test contract: the table's and 3 columns' schema
/// checks, then required, unique, min and freshness.
const CHECKS_PER_RUN: u64 = 8;

fn assert_whole_runs(url: &str, runs: u64) {
    assert_eq!(count(url, "select count(*) from datapact_runs"), runs);
    assert_eq!(
        count(url, "select count(distinct run_id) from datapact_results"),
        runs
    );
    assert_eq!(
        count(url, "select count(*) from datapact_results"),
        runs * CHECKS_PER_RUN
    );
    // Every run's results are all there.
    assert_eq!(
        count(
            url,
            "select count(*) from datapact_runs r where checks <> (select count(*) from datapact_results x where x.run_id = r.run_id)"
        ),
        0
    );
}

#[test]
fn parallel_writers_to_a_duckdb_file_lose_nothing() {
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = project("slo-writers");
    write_data(dir.as_path(), Data::Fresh);
    parallel_runs(dir.as_path(), "results.duckdb", 6);
    parallel_runs(dir.as_path(), "results.duckdb", 4);
    let url = format!("duckdb:{}", dir.as_path().join("results.duckdb").display());
    assert_whole_runs(&url, 10);
    assert_eq!(count(&url, "select max(version) from datapact_store"), 2);
}

#[test]
fn parallel_writers_to_postgres_lose_nothing() {
    if !harness::run_available(Engine::Postgres) {
        return;
    }
    let admin = harness::pg_url("postgres", None, "postgres");
    let db = format!("datapact_store_{}", std::process::id());
    harness::adbc_execute(&admin, &[format!("create database {db}")]).unwrap();
    let url = harness::pg_url("postgres", None, &db);
    let dir = project("slo-writers-pg");
    write_data(dir.as_path(), Data::Fresh);
    // A new store: the writers race to create its tables too.
    parallel_runs(dir.as_path(), &url, 6);
    assert_whole_runs(&url, 6);
    let o = datapact(
        &["report", "--store", &url, "--format", "json"],
        dir.as_path(),
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", common::stderr(&o));
    let doc = json_of(&o);
    assert_eq!(doc["contracts"][0]["runs"], 6);
    assert_eq!(doc["contracts"][0]["quality_attainment"], 100.0);
    harness::adbc_execute(&admin, &[format!("drop database {db} with (force)")]).unwrap();
}

#[test]
fn a_failed_transaction_keeps_nothing() {
    use datapact::run::{Connection, Watch, connection::Settings, engine};
    if !harness::run_available(Engine::Duckdb) {
        return;
    }
    let dir = common::tempdir("slo-rollback");
    let url = format!("duckdb:{}", dir.as_path().join("t.duckdb").display());
    let connection =
        Connection::parse(&url, Settings::default(), Path::new(""), &|_| None).unwrap();
    let e = engine::Engine::open_for(
        &connection,
        &[harness::driver_dir()],
        Watch::new(),
        0,
        engine::Access::Write,
    )
    .unwrap();
    let mut s = e.session(0).unwrap();
    s.execute("create table t (x integer)").unwrap();
    let failed = s.transaction(|s| {
        s.execute("insert into t values (1)")?;
        s.execute("insert into no_such_table values (2)")
    });
    assert!(failed.is_err());
    s.transaction(|s| s.execute("insert into t values (3)"))
        .unwrap();
    let rows = s.query("select x from t", None).unwrap().rows;
    assert_eq!(rows, vec![vec![Some("3".to_string())]]);
}

// ---------------------------------------------------------------------------
// The figures against a reference

mod reference {
    use std::collections::BTreeMap;

    use datapact::ir::Slo;
    use datapact::run::store::Store;
    use datapact::run::{CheckResult, ContractRun, Report, Status, Watch};
    use datapact::slo;
    use datapact::types::{Duration, Objective, TimeUnit};
    use jiff::{SignedDuration, Timestamp};
    use proptest::prelude::*;

    use super::{common, harness};

    /// One run of one contract: hours before now, and whether freshness
    /// (when checked) and quality held.
    #[derive(Debug, Clone)]
    struct Run {
        hours_ago: i64,
        contract: usize,
        freshness: Option<Status>,
        quality: Status,
    }

    fn status() -> impl Strategy<Value = Status> {
        prop_oneof![
            6 => Just(Status::Pass),
            1 => Just(Status::Warn),
            2 => Just(Status::Fail),
            1 => Just(Status::Error),
        ]
    }

    fn runs() -> impl Strategy<Value = Vec<Run>> {
        prop::collection::vec(
            (
                0i64..24 * 40,
                0usize..3,
                prop::option::of(status()),
                status(),
            )
                .prop_map(|(hours_ago, contract, freshness, quality)| Run {
                    hours_ago,
                    contract,
                    freshness,
                    quality,
                }),
            0..40,
        )
    }

    fn objective() -> impl Strategy<Value = Objective> {
        prop_oneof![
            Just("50%"),
            Just("80%"),
            Just("90%"),
            Just("95%"),
            Just("99%"),
            Just("99.5%")
        ]
        .prop_map(|o| Objective::parse(o).unwrap())
    }

    const NAMES: [&str; 3] = ["a.one", "b.two", "c.three"];

    /// What a run's report holds for it: one freshness check (maybe), one
    /// error-severity and one warn-severity quality check.
    fn report(run: &Run, now: Timestamp) -> Report {
        let contract = NAMES[run.contract].to_string();
        let result = |name: &str, rule: &str, severity: &str, status: Status| CheckResult {
            contract: contract.clone(),
            check_name: name.into(),
            column_name: None,
            rule: rule.into(),
            severity: severity.into(),
            status,
            failures: Some(0),
            observed: None,
            message: None,
            samples: None,
        };
        let mut results = vec![
            result("id__unique", "unique", "error", run.quality),
            // A warn-severity check never counts against quality.
            result("note__length", "length", "warn", Status::Fail),
        ];
        if let Some(f) = run.freshness {
            // Freshness fails at error_after, warns at warn_after.
            results.push(result("freshness", "freshness", "error", f));
        }
        let started = now - SignedDuration::from_hours(run.hours_ago);
        Report {
            results,
            contracts: vec![ContractRun {
                contract,
                version: "1.0.0".into(),
                owners: Vec::new(),
                source_path: "c.yaml".into(),
            }],
            connection: "duckdb::memory:".into(),
            started_at: started.to_string(),
            duration: std::time::Duration::from_millis(5),
            timed_out: 0,
        }
    }

    fn bad(s: Status) -> bool {
        matches!(s, Status::Fail | Status::Error)
    }

    /// The report's figures for contract `c`, computed directly from the
    /// runs in plain floating point.
    fn expected(runs: &[Run], c: usize, slo: &Slo, hours: i64) -> (u64, Option<f64>, f64, f64) {
        let mine: Vec<&Run> = runs
            .iter()
            .filter(|r| r.contract == c && r.hours_ago < hours)
            .collect();
        let n = mine.len() as f64;
        let quality_bad = mine.iter().filter(|r| bad(r.quality)).count() as f64;
        let fresh: Vec<&&Run> = mine.iter().filter(|r| r.freshness.is_some()).collect();
        let fresh_bad = fresh.iter().filter(|r| bad(r.freshness.unwrap())).count() as f64;
        let left = |bad: f64, runs: f64, objective: &Objective| {
            if bad == 0.0 {
                return 100.0;
            }
            let allowed = runs * (100.0 - objective.percent()) / 100.0;
            (100.0 * (1.0 - bad / allowed)).max(0.0)
        };
        let mut budget = left(quality_bad, n, &slo.quality);
        if !fresh.is_empty() {
            budget = budget.min(left(fresh_bad, fresh.len() as f64, &slo.freshness));
        }
        let fresh_attainment = (!fresh.is_empty())
            .then(|| 100.0 * (fresh.len() as f64 - fresh_bad) / fresh.len() as f64);
        let quality_attainment = if n > 0.0 {
            100.0 * (n - quality_bad) / n
        } else {
            f64::NAN
        };
        (
            mine.len() as u64,
            fresh_attainment,
            quality_attainment,
            budget,
        )
    }

    fn close(a: f64, b: f64) -> bool {
        (a.is_nan() && b.is_nan()) || (a - b).abs() < 1e-9
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn the_report_equals_a_reference_computation(
            runs in runs(),
            freshness in objective(),
            quality in objective(),
            days in prop_oneof![Just(7u32), Just(30u32)],
        ) {
            if !harness::run_available(harness::Engine::Duckdb) {
                return Ok(());
            }
            let now: Timestamp = "2026-12-01T12:00:00Z".parse().unwrap();
            let dir = common::tempdir("slo-property");
            let url = format!("duckdb:{}", dir.as_path().join("s.duckdb").display());
            let connection = datapact::run::Connection::parse(
                &url, Default::default(), std::path::Path::new(""), &|_| None,
            ).unwrap();
            let mut store = Store::open(&connection, &common::root(), Watch::new()).unwrap();
            for run in &runs {
                store.append(&report(run, now), "duckdb::memory:").unwrap();
            }
            let slo = Slo {
                window: Duration { count: days, unit: TimeUnit::Day },
                freshness,
                quality,
            };
            // a.one states the objectives; the others get the defaults.
            let objectives: BTreeMap<String, Slo> =
                [(NAMES[0].to_string(), slo.clone())].into_iter().collect();
            let from = now - SignedDuration::from_secs(slo::lookback(&objectives, None) as i64);
            let outcomes = store.outcomes(from, now).unwrap();
            let failures = BTreeMap::new();
            let last_good = store.last_good(now).unwrap();
            let history = slo::History { outcomes: &outcomes, failures: &failures, last_good: &last_good };
            let found = slo::evaluate(&objectives, &history, None, now);
            for (c, name) in NAMES.iter().enumerate() {
                let applied = if c == 0 { slo.clone() } else { Slo::default() };
                let hours = i64::from(applied.window.seconds() as u32 / 3600);
                let (n, fresh, quality, budget) = expected(&runs, c, &applied, hours);
                let Some(got) = found.iter().find(|f| f.contract == *name) else {
                    // Listed: the contracts with objectives, and those with runs.
                    prop_assert!(c != 0 && n == 0, "{} is missing", name);
                    continue;
                };
                prop_assert_eq!(got.runs, n, "{}", name);
                let got_fresh = got.freshness.as_ref().and_then(|m| m.attainment());
                prop_assert_eq!(got_fresh.is_some(), fresh.is_some(), "{}", name);
                if let (Some(a), Some(b)) = (got_fresh, fresh) {
                    prop_assert!(close(a, b), "{}: freshness {} vs {}", name, a, b);
                }
                let got_quality = got.quality.attainment().unwrap_or(f64::NAN);
                prop_assert!(close(got_quality, quality), "{}: quality {} vs {}", name, got_quality, quality);
                prop_assert!(close(got.error_budget_left(), budget), "{}: budget {} vs {}", name, got.error_budget_left(), budget);
                prop_assert_eq!(got.spent(), budget == 0.0 && n > 0, "{}", name);
                // The last good run: the newest run with nothing bad.
                let newest_good = runs
                    .iter()
                    .filter(|r| r.contract == c && !bad(r.quality) && !r.freshness.is_some_and(bad))
                    .map(|r| r.hours_ago)
                    .min()
                    .map(|h| now - SignedDuration::from_hours(h));
                prop_assert_eq!(got.last_good_run, newest_good, "{}", name);
            }
        }
    }
}
