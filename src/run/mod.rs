//! `datapact run`: execute the contracts on an engine and report each
//! check's verdict. Reads only the IR; the SQL is the SQL target's own
//! (the schema query of [`crate::emit::sql::conformance`], then the one-scan check
//! query of [`crate::emit::sql`]), built in process with the tables placed where
//! the connection says.
//!
//! ```text
//!   Connection ──engine::Engine::open──▶ driver + database
//!        │                                   │ one session per worker
//!   per dataset (in parallel): schema query ─▶ missing table/columns
//!                              check query (checks that can run) ─▶ rows
//!        ▼
//!   Report ──report::render──▶ human | json | junit | github | markdown
//! ```

pub mod connection;
pub mod engine;
pub mod report;
pub mod store;
pub mod watch;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::emit::sql::conformance;
use crate::ir::{Check, CheckKind, Compared, Dataset, Ir, Location, Owner};
use crate::types::Dialect;

pub use connection::Connection;
pub use engine::{Failure, FailureKind};
pub use watch::Watch;

/// A check's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Warn,
    Fail,
    /// The check could not be evaluated.
    Error,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Error => "error",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        [Status::Pass, Status::Warn, Status::Fail, Status::Error]
            .into_iter()
            .find(|s| s.name() == name)
    }
}

/// One check's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub contract: String,
    pub check_name: String,
    pub column_name: Option<String>,
    pub rule: String,
    pub severity: String,
    pub status: Status,
    pub failures: Option<u64>,
    pub observed: Option<String>,
    /// Why it did not pass, in words; `None` when it passed.
    pub message: Option<String>,
    /// Some of the rows that failed it (`run --samples N`).
    pub samples: Option<Samples>,
}

/// Failing rows of a check, as its failing-rows query returns them, the
/// values of columns marked `pii: true` written `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Samples {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

/// What a masked value is written as.
pub const MASKED: &str = "***";

/// The most characters of a sampled value kept (in every output and the
/// store); longer ones end in `…`.
pub const SAMPLE_VALUE_CHARS: usize = 200;

fn cut(value: &str) -> String {
    if value.chars().count() <= SAMPLE_VALUE_CHARS {
        return value.to_string();
    }
    let kept: String = value.chars().take(SAMPLE_VALUE_CHARS - 1).collect();
    format!("{kept}…")
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct Report {
    /// Every check of every dataset: per dataset (in contract order) its
    /// schema checks, then its checks in contract order.
    pub results: Vec<CheckResult>,
    /// The contracts run, in order, with their owners.
    pub contracts: Vec<ContractRun>,
    /// The connection, redacted.
    pub connection: String,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    pub duration: Duration,
    /// Queries cancelled at the timeout (their checks are errors).
    pub timed_out: usize,
}

#[derive(Debug, Clone)]
pub struct ContractRun {
    pub contract: String,
    pub version: String,
    pub owners: Vec<Owner>,
    /// The contract file, as the user named it.
    pub source_path: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub error: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in &self.results {
            match r.status {
                Status::Pass => s.pass += 1,
                Status::Warn => s.warn += 1,
                Status::Fail => s.fail += 1,
                Status::Error => s.error += 1,
            }
        }
        s
    }

    /// The owners of a contract.
    pub fn owners(&self, contract: &str) -> &[Owner] {
        self.contracts
            .iter()
            .find(|c| c.contract == contract)
            .map_or(&[], |c| &c.owners)
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Datasets run at the same time (each on its own connection).
    pub threads: usize,
    /// Per query.
    pub timeout: Option<Duration>,
    /// Connection attempts after the first fails.
    pub retries: u32,
    /// The folder `path`s of datasets and drivers are found from.
    pub project_root: PathBuf,
    /// Called after each dataset with (done, total).
    pub progress: Option<fn(usize, usize)>,
    /// Failing rows fetched per failing row-level check (0: none).
    pub samples: u64,
    /// The most bytes of one check query, below the dialect's own limit; a
    /// larger one runs in parts.
    pub max_query_bytes: Option<usize>,
    /// The time the run is recorded as started at; `None`: now. For
    /// replays and tests (`DATAPACT_NOW`); the engine's clock, which
    /// freshness checks read, is not changed.
    pub clock: Option<jiff::Timestamp>,
}

/// Run every dataset of `ir` on `connection`. `Err` when the run could not
/// start (driver, connection) or was interrupted; a failing query is a
/// result with status `error`.
pub fn run(
    ir: &Ir,
    connection: &Connection,
    options: &Options,
    watch: &Watch,
) -> Result<Report, Failure> {
    let started = Instant::now();
    let now = options.clock.unwrap_or_else(jiff::Timestamp::now);
    let started_at = now.round(jiff::Unit::Millisecond).unwrap_or(now);
    let dirs = engine::driver_dirs(&options.project_root);
    let engine = engine::Engine::open(connection, &dirs, watch.clone(), options.retries)?;
    let mut first = engine.session(options.retries)?;
    // Datasets whose files could not be exposed as tables, with why.
    let mut unreadable = std::collections::BTreeMap::new();
    if connection.is_embedded() {
        unreadable = expose_files(&mut first, ir, connection, &options.project_root)?;
    }

    let total = ir.datasets.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Vec<CheckResult>>>> =
        (0..total).map(|_| Mutex::new(None)).collect();
    let sessions = Mutex::new(vec![first]);
    let threads = options.threads.clamp(1, total.max(1));
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                // A session first, then datasets. The first session exists,
                // so a worker that cannot open another (a connection limit)
                // leaves the datasets to the others.
                let reused = sessions.lock().ok().and_then(|mut s| s.pop());
                let Some(mut session) = reused.or_else(|| engine.session(options.retries).ok())
                else {
                    return;
                };
                loop {
                    if watch.interrupted() {
                        break;
                    }
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= total {
                        break;
                    }
                    let ds = &ir.datasets[i];
                    let results = match unreadable.get(&ds.contract) {
                        Some(why) => unreadable_dataset(ds, why),
                        None => {
                            let mut results = run_dataset(
                                &mut session,
                                ds,
                                connection,
                                options.timeout,
                                options.max_query_bytes,
                            );
                            if options.samples > 0 {
                                sample(&mut session, ds, connection, options, &mut results);
                            }
                            results
                        }
                    };
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(results);
                    }
                    let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
                    if let Some(progress) = options.progress {
                        progress(finished, total);
                    }
                }
            });
        }
    });
    if watch.interrupted() {
        return Err(Failure {
            kind: FailureKind::Interrupted,
            message: "interrupted: the running queries were cancelled".into(),
        });
    }
    let results: Vec<CheckResult> = slots
        .into_iter()
        .flat_map(|slot| slot.into_inner().ok().flatten().unwrap_or_default())
        .collect();
    let timed_out = results
        .iter()
        .filter(|r| {
            r.message
                .as_deref()
                .is_some_and(|m| m.starts_with(TIMEOUT_MESSAGE))
        })
        .map(|r| &r.contract)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    Ok(Report {
        results,
        contracts: ir
            .datasets
            .iter()
            .map(|ds| ContractRun {
                contract: ds.contract.clone(),
                version: ds.version.clone(),
                owners: ds.owners.clone(),
                source_path: ds.source_path.clone(),
            })
            .collect(),
        connection: connection.display.clone(),
        started_at: started_at.to_string(),
        duration: started.elapsed(),
        timed_out,
    })
}

/// The observations rules over time compare with, by (contract, check
/// name): the check's result in the contract's previous good run.
pub type Baselines = std::collections::BTreeMap<(String, String), Baseline>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    pub started_at: jiff::Timestamp,
    pub observed: Option<String>,
}

/// Judge the rules over time of `report` (whose check query only observed
/// them) against `baselines`, the previous good run's observations; `None`:
/// no results store, so they cannot be judged and are errors.
pub fn judge_over_time(report: &mut Report, ir: &Ir, baselines: Option<&Baselines>) {
    for ds in &ir.datasets {
        for check in ds.checks.iter().filter(|c| c.kind.over_time()) {
            let Some(r) = report
                .results
                .iter_mut()
                .find(|r| r.contract == ds.contract && r.check_name == check.name)
            else {
                continue;
            };
            // Not observed (the table is missing, the query failed): the
            // result already says why.
            if r.message.is_some() || r.status != Status::Error {
                continue;
            }
            let (status, failures, message) = judge(check, r, baselines);
            r.status = status;
            r.failures = failures;
            r.message = message;
        }
    }
}

/// What a rule over time observed: a row count, or NULLs among rows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Observed {
    Rows(u64),
    Nulls { nulls: u64, rows: u64 },
}

impl Observed {
    fn parse(kind: &CheckKind, text: Option<&str>) -> Option<Observed> {
        let number = |t: &str| t.trim().parse::<u64>().ok();
        let text = text?;
        match kind.compared()? {
            Compared::NullRate(_) => {
                let (nulls, rows) = text.split_once('/')?;
                Some(Observed::Nulls {
                    nulls: number(nulls)?,
                    rows: number(rows)?,
                })
            }
            Compared::RowCount(_) => number(text).map(Observed::Rows),
        }
    }

    /// The share of NULLs in percent (0 without rows).
    fn null_share(self) -> f64 {
        match self {
            Observed::Nulls { nulls, rows } if rows > 0 => 100.0 * nulls as f64 / rows as f64,
            _ => 0.0,
        }
    }

    fn text(self) -> String {
        match self {
            Observed::Rows(n) => format!("{n} rows"),
            Observed::Nulls { nulls, rows } => {
                format!(
                    "{}% NULL ({nulls} of {rows} rows)",
                    two_decimals(self.null_share())
                )
            }
        }
    }
}

/// A percentage for messages: two decimals, trailing zeros dropped (5,
/// 5.04), so a value just past a limit never reads as the limit.
fn two_decimals(x: f64) -> String {
    let text = format!("{:.2}", (x * 100.0).round() / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn judge(
    check: &Check,
    r: &CheckResult,
    baselines: Option<&Baselines>,
) -> (Status, Option<u64>, Option<String>) {
    let Some(compared) = check.kind.compared() else {
        return (Status::Error, None, Some("not a rule over time".into()));
    };
    let what = match compared {
        Compared::NullRate(_) => "the share of NULLs",
        Compared::RowCount(_) => "the row count",
    };
    let Some(baselines) = baselines else {
        return (
            Status::Error,
            None,
            Some(format!(
                "compares {what} with the previous good run: run with `--store` \
                 (a results store) to check it"
            )),
        );
    };
    let Some(now) = Observed::parse(&check.kind, r.observed.as_deref()) else {
        return (
            Status::Error,
            None,
            Some(format!("the check query did not observe {what}")),
        );
    };
    let key = (r.contract.clone(), r.check_name.clone());
    let found = baselines.get(&key);
    let Some((base, at)) = found.and_then(|b| {
        Some((
            Observed::parse(&check.kind, b.observed.as_deref())?,
            b.started_at,
        ))
    }) else {
        let why = match found {
            Some(b) => format!(
                "the previous good run ({}) did not observe it",
                b.started_at
                    .round(jiff::Unit::Second)
                    .unwrap_or(b.started_at)
            ),
            None => "no earlier good run has observed it".into(),
        };
        return (
            Status::Warn,
            Some(0),
            Some(format!("{}; {why}: this run is the baseline", now.text())),
        );
    };
    let at = at.round(jiff::Unit::Second).unwrap_or(at);
    let failed = match check.severity {
        crate::types::Severity::Error => Status::Fail,
        crate::types::Severity::Warn => Status::Warn,
    };
    let (max, now, base) = match (compared, now, base) {
        (Compared::NullRate(max), now, base) => {
            let rise = now.null_share() - base.null_share();
            // The limit's own precision (six decimals) decides a tie.
            if rise <= max.percent() + 1e-9 {
                return (Status::Pass, Some(0), None);
            }
            let limit = max.to_string();
            return (
                failed,
                Some(1),
                Some(format!(
                    "{}, up {} points from {}% in the previous good run ({at}); at most {} points allowed",
                    now.text(),
                    two_decimals(rise),
                    two_decimals(base.null_share()),
                    limit.trim_end_matches('%')
                )),
            );
        }
        (Compared::RowCount(max), Observed::Rows(now), Observed::Rows(base)) => (max, now, base),
        // A count observed as a share (or the reverse): a store written by
        // another version.
        (Compared::RowCount(_), _, _) => {
            return (
                Status::Error,
                None,
                Some("the observed value does not match the rule".into()),
            );
        }
    };
    let change = match (base, now) {
        (0, 0) => 0.0,
        (0, _) => f64::INFINITY,
        (b, n) => 100.0 * (n as f64 - b as f64).abs() / b as f64,
    };
    // The limit's own precision (six decimals) decides a tie.
    if change <= max.percent() + 1e-9 {
        return (Status::Pass, Some(0), None);
    }
    let shown = if change.is_infinite() {
        "up from 0".to_string()
    } else {
        let sign = if now >= base { '+' } else { '-' };
        format!("{sign}{}%", two_decimals(change))
    };
    (
        failed,
        Some(1),
        Some(format!(
            "{now} rows, {shown} from {base} in the previous good run ({at}); at most {max} allowed"
        )),
    )
}

/// How the message of a check whose query timed out starts.
pub const TIMEOUT_MESSAGE: &str = "the query ran longer than the timeout";

/// `10m`, `30s`, `1h30m`.
pub fn format_duration(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, 0, 0) => format!("{h}h"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// An age in words for people: its two largest units, `3162 d 5 h`,
/// `5 h 3 m`, `3 m 20 s`, `20 s`.
pub fn format_age(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} m {s} s"),
        (0, h, m) => format!("{h} h {m} m"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// What a check observed, as people read it: a freshness check's age (in
/// seconds in JSON and the store) as [`format_age`], else as stored.
pub fn observed_text(r: &CheckResult) -> Option<Cow<'_, str>> {
    let observed = r.observed.as_deref()?;
    match observed.parse::<u64>() {
        Ok(seconds) if r.rule == "freshness" => Some(Cow::Owned(format_age(seconds))),
        _ => Some(Cow::Borrowed(observed)),
    }
}

/// Parse `30s`, `10m`, `2h`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let hint = || format!("invalid duration `{text}`: write e.g. `30s`, `10m` or `1h`");
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let n: u64 = digits.parse().map_err(|_| hint())?;
    let seconds = match unit {
        "" | "s" => Some(n),
        "m" => n.checked_mul(60),
        "h" => n.checked_mul(3600),
        _ => return Err(hint()),
    }
    .ok_or_else(hint)?;
    if seconds == 0 {
        return Err("the timeout must be longer than zero".into());
    }
    Ok(Duration::from_secs(seconds))
}

/// The embedded DuckDB: each dataset with a `path` becomes a view at its
/// location reading its files. Returns the datasets whose files could not
/// be read, with why; `Err` only when the engine itself fails.
fn expose_files(
    session: &mut engine::Session,
    ir: &Ir,
    connection: &Connection,
    root: &Path,
) -> Result<std::collections::BTreeMap<String, String>, Failure> {
    let d = Dialect::Duckdb.sql();
    let mut unreadable = std::collections::BTreeMap::new();
    let mut attached: Vec<String> = Vec::new();
    // The project root, absolute: the only folder the engine may read.
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    for ds in ir.datasets.iter().filter(|ds| ds.path.is_some()) {
        let path = ds.path.as_deref().unwrap_or_default();
        let full = root.join(path).to_string_lossy().into_owned();
        let location = connection.locate(&ds.location);
        let reader = match file_reader(path) {
            Some(reader) => format!("{reader}({})", d.string_literal(&full)),
            None => {
                unreadable.insert(
                    ds.contract.clone(),
                    format!(
                        "cannot read `{path}`: the dataset's path must end in .parquet, .csv, .tsv, .json, .jsonl or .ndjson (optionally .gz)"
                    ),
                );
                continue;
            }
        };
        let mut statements = Vec::new();
        if let Some(db) = &location.database {
            if !attached.contains(db) {
                statements.push(format!("attach ':memory:' as {}", d.quote_ident(db)));
                attached.push(db.clone());
            }
        }
        if let Some(schema) = &location.schema {
            let qualified: Vec<String> = [&location.database, &Some(schema.clone())]
                .into_iter()
                .flatten()
                .map(|p| d.quote_ident(p))
                .collect();
            statements.push(format!(
                "create schema if not exists {}",
                qualified.join(".")
            ));
        }
        for sql in statements {
            if let Err(f) = session.execute(&sql) {
                if f.kind == FailureKind::Interrupted {
                    return Err(f);
                }
                unreadable.insert(ds.contract.clone(), f.message);
            }
        }
        if unreadable.contains_key(&ds.contract) {
            continue;
        }
        // Text formats carry no types: the declared columns are cast to
        // their contract types (a value that does not fit fails the query).
        let select = if reader.starts_with("read_parquet") {
            format!("select * from {reader}")
        } else {
            match session.query(&format!("describe select * from {reader}"), None) {
                Ok(found) => {
                    let present: Vec<String> = found
                        .rows
                        .iter()
                        .filter_map(|r| r.first().cloned().flatten())
                        .collect();
                    // DuckDB infers a JSON object as a struct of every key
                    // in the file: a column holding a map is read as JSON,
                    // then cast, so each row keeps its own keys.
                    let reader = if reader.starts_with("read_json") {
                        json_reader(&reader, &found.rows, ds)
                    } else {
                        reader.clone()
                    };
                    let casts: Vec<String> = ds
                        .columns
                        .iter()
                        .filter_map(|c| {
                            let name = present.iter().find(|p| p.eq_ignore_ascii_case(&c.name))?;
                            let ty = crate::emit::sql::column_type(c, Dialect::Duckdb);
                            let q = d.quote_ident(name);
                            Some(format!("cast({q} as {ty}) as {q}"))
                        })
                        .collect();
                    if casts.is_empty() {
                        format!("select * from {reader}")
                    } else {
                        format!("select * replace ({}) from {reader}", casts.join(", "))
                    }
                }
                Err(f) if f.kind == FailureKind::Interrupted => return Err(f),
                Err(f) => {
                    unreadable.insert(
                        ds.contract.clone(),
                        format!("cannot read `{path}`: {}", f.message),
                    );
                    continue;
                }
            }
        };
        let view = format!(
            "create or replace view {} as {select}",
            crate::emit::sql::qualified_name(&location, Dialect::Duckdb)
        );
        if let Err(f) = session.execute(&view) {
            if f.kind == FailureKind::Interrupted {
                return Err(f);
            }
            unreadable.insert(
                ds.contract.clone(),
                format!("cannot read `{path}`: {}", f.message),
            );
        }
    }
    // From here on, the contracts' own SQL (`sql`, `expression`, `where`)
    // runs: it may read files under the project root only, load no
    // extension, and change no setting back.
    let root_literal = d.string_literal(&root.to_string_lossy());
    for sql in [
        format!("set allowed_directories = [{root_literal}]"),
        "set enable_external_access = false".to_string(),
        "set autoload_known_extensions = false".to_string(),
        "set autoinstall_known_extensions = false".to_string(),
        "set lock_configuration = true".to_string(),
    ] {
        session.execute(&sql)?;
    }
    Ok(unreadable)
}

/// DuckDB's reader of a file, by its extension.
fn file_reader(path: &str) -> Option<&'static str> {
    let lower = path.to_ascii_lowercase();
    let lower = lower.strip_suffix(".gz").unwrap_or(&lower);
    let ext = lower.rsplit('.').next()?;
    match ext {
        "parquet" | "pq" => Some("read_parquet"),
        "csv" | "tsv" => Some("read_csv"),
        "json" | "jsonl" | "ndjson" => Some("read_json"),
        _ => None,
    }
}

/// `read_json(path)` with the columns' types as DuckDB found them (`rows`
/// of `describe`), a column that holds a map (in the contract) as JSON;
/// unchanged when none does.
fn json_reader(reader: &str, rows: &[Vec<Option<String>>], ds: &Dataset) -> String {
    fn has_map(c: &crate::ir::Column) -> bool {
        c.ty == crate::types::LogicalType::Map || c.children().into_iter().any(|(_, c)| has_map(c))
    }
    let d = Dialect::Duckdb.sql();
    let holds_map = |name: &str| {
        ds.columns
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name) && has_map(c))
    };
    let columns: Vec<(String, String)> = rows
        .iter()
        .filter_map(|r| Some((r.first()?.clone()?, r.get(1)?.clone()?)))
        .collect();
    if !columns.iter().any(|(name, _)| holds_map(name)) {
        return reader.to_string();
    }
    let types: Vec<String> = columns
        .iter()
        .map(|(name, ty)| {
            let ty = if holds_map(name) { "JSON" } else { ty.as_str() };
            format!("{}: {}", d.string_literal(name), d.string_literal(ty))
        })
        .collect();
    match reader.strip_suffix(')') {
        Some(open) => format!("{open}, columns = {{{}}})", types.join(", ")),
        None => reader.to_string(),
    }
}

/// Every check of a dataset whose table could not be made: an error.
fn unreadable_dataset(ds: &Dataset, why: &str) -> Vec<CheckResult> {
    let mut results = vec![schema_result(
        ds,
        None,
        Status::Error,
        None,
        None,
        Some(why.to_string()),
    )];
    results.extend(ds.checks.iter().map(|c| errored(ds, c, why)));
    results
}

fn errored(ds: &Dataset, check: &Check, why: &str) -> CheckResult {
    CheckResult {
        contract: ds.contract.clone(),
        check_name: check.name.clone(),
        column_name: check.column.clone(),
        rule: check.kind.rule().into(),
        severity: check.severity.name().into(),
        status: Status::Error,
        failures: None,
        observed: None,
        message: Some(why.to_string()),
        samples: None,
    }
}

fn schema_result(
    ds: &Dataset,
    column: Option<&str>,
    status: Status,
    failures: Option<u64>,
    observed: Option<String>,
    message: Option<String>,
) -> CheckResult {
    CheckResult {
        contract: ds.contract.clone(),
        check_name: column.map_or_else(
            || conformance::TABLE_CHECK.to_string(),
            conformance::column_check,
        ),
        column_name: column.map(str::to_string),
        rule: "schema".into(),
        severity: "error".into(),
        status,
        failures,
        observed,
        message,
        samples: None,
    }
}

/// One dataset: its schema query, then its check query without the checks
/// that need what the table lacks.
fn run_dataset(
    session: &mut engine::Session,
    ds: &Dataset,
    connection: &Connection,
    timeout: Option<Duration>,
    max_query_bytes: Option<usize>,
) -> Vec<CheckResult> {
    let dialect = connection.dialect;
    let location = connection.locate(&ds.location);
    let table = crate::emit::sql::qualified_name(&location, dialect);
    let limit = crate::emit::sql::size_limit(dialect, max_query_bytes);
    let mut schema = Vec::new();
    for (_, sql) in conformance::schema_query_parts(ds, &location, dialect, limit) {
        match session.query(&sql, timeout) {
            Ok(rows) => schema.extend(read_results(&rows)),
            Err(f) => {
                let why = match f.kind {
                    FailureKind::Timeout => f.message,
                    _ => format!("the schema query failed: {}", f.message),
                };
                return unreadable_dataset(ds, &why);
            }
        }
    }
    let mut results = Vec::new();
    let mut table_exists = true;
    let mut missing: Vec<String> = Vec::new();
    for row in schema {
        let mut r = row;
        r.contract = ds.contract.clone();
        match &r.column_name {
            None => {
                table_exists = r.failures == Some(0);
                if !table_exists {
                    r.message = Some(format!(
                        "table {table} does not exist, or the connection cannot see it"
                    ));
                }
            }
            Some(column) if r.status != Status::Pass => {
                let declared = ds.column(column);
                r.message = Some(match (declared, &r.observed) {
                    (_, None) => {
                        missing.push(column.clone());
                        format!("column `{column}` is missing from {table}")
                    }
                    (Some(c), Some(found)) => format!(
                        "column `{column}` is {found}, which does not fit its contract type {}",
                        c.ty
                    ),
                    (None, Some(found)) => format!(
                        "column `{column}` ({found}) is not in the contract, whose conformance is strict"
                    ),
                });
            }
            Some(_) => {}
        }
        if table_exists || r.column_name.is_none() {
            results.push(r);
        }
    }
    if !table_exists {
        let why = format!("table {table} does not exist, or the connection cannot see it");
        results.extend(ds.checks.iter().map(|c| errored(ds, c, &why)));
        return results;
    }
    // Checks that need a missing column are errors; the rest run.
    let mut runnable = Vec::new();
    let mut blocked = std::collections::BTreeMap::new();
    for check in &ds.checks {
        match needed_missing(check, ds.window.as_ref(), &missing) {
            Some(column) => {
                blocked.insert(
                    check.name.clone(),
                    errored(
                        ds,
                        check,
                        &format!(
                            "not run: it needs column `{column}`, which is missing from {table}"
                        ),
                    ),
                );
            }
            None => runnable.push(check.clone()),
        }
    }
    let mut found = std::collections::BTreeMap::new();
    if !runnable.is_empty() {
        let subset = Dataset {
            checks: runnable,
            ..ds.clone()
        };
        let relation = |_: &str, l: &Location| {
            crate::emit::sql::qualified_name(&connection.locate(l), dialect)
        };
        // A query larger than the limit runs in parts, one scan each.
        for part in crate::emit::sql::check_query_parts(&subset, dialect, &relation, limit) {
            let checks = &subset.checks[part.checks];
            match session.query(&part.sql, timeout) {
                Ok(rows) => {
                    for r in read_results(&rows) {
                        found.insert(r.check_name.clone(), r);
                    }
                }
                // One check the engine refuses (a `sql` check's error, a
                // `references` target it cannot read) fails the whole
                // query: then each check runs alone, so only the broken
                // ones are errors.
                Err(f) if f.kind == FailureKind::Query && checks.len() > 1 => {
                    for c in checks {
                        let alone = Dataset {
                            checks: vec![c.clone()],
                            ..ds.clone()
                        };
                        let sql = crate::emit::sql::check_query_with(&alone, dialect, &relation);
                        match session.query(&sql, timeout) {
                            Ok(rows) => {
                                for r in read_results(&rows) {
                                    found.insert(r.check_name.clone(), r);
                                }
                            }
                            Err(f) => {
                                found.insert(c.name.clone(), errored(ds, c, &query_failure(&f)));
                            }
                        }
                    }
                }
                Err(f) => {
                    let why = query_failure(&f);
                    for c in checks {
                        found.insert(c.name.clone(), errored(ds, c, &why));
                    }
                }
            }
        }
    }
    for check in &ds.checks {
        let result = blocked
            .remove(&check.name)
            .or_else(|| found.remove(&check.name))
            .unwrap_or_else(|| {
                errored(ds, check, "the check query returned no row for this check")
            });
        results.push(described(ds, check, result));
    }
    results
}

/// Fetch up to `options.samples` failing rows of each row-level check of
/// `ds` that failed or warned (its failing-rows query with a limit, run
/// only for those); a sample query that fails leaves the check as it was.
fn sample(
    session: &mut engine::Session,
    ds: &Dataset,
    connection: &Connection,
    options: &Options,
    results: &mut [CheckResult],
) {
    let dialect = connection.dialect;
    let relation =
        |_: &str, l: &Location| crate::emit::sql::qualified_name(&connection.locate(l), dialect);
    // Top-level columns holding personal data anywhere inside.
    fn personal(c: &crate::ir::Column) -> bool {
        c.pii || c.children().into_iter().any(|(_, c)| personal(c))
    }
    let masked: Vec<&str> = ds
        .columns
        .iter()
        .filter(|c| personal(c))
        .map(|c| c.name.as_str())
        .collect();
    for result in results.iter_mut() {
        let failed = matches!(result.status, Status::Fail | Status::Warn)
            && result.failures.is_some_and(|f| f > 0);
        let Some(check) = ds.checks.iter().find(|c| c.name == result.check_name) else {
            continue;
        };
        if !failed || result.contract != ds.contract {
            continue;
        }
        let Some(query) = crate::emit::sql::failing_rows_query_with(ds, check, dialect, &relation)
        else {
            continue;
        };
        let sql = crate::emit::sql::sample_query(&query, options.samples, dialect);
        let table = match session.query(&sql, options.timeout) {
            Ok(table) => table,
            Err(failure) => {
                let why = failure
                    .message
                    .lines()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                let said = result.message.take().unwrap_or_default();
                result.message = Some(format!(
                    "{said} (its failing rows could not be read: {why})"
                ));
                continue;
            }
        };
        // A `sql` check's rows are its own query's: with personal data in
        // the table, any of its columns may hold some.
        let all = matches!(check.kind, crate::ir::CheckKind::Sql { .. }) && !masked.is_empty();
        let mask: Vec<bool> = table
            .columns
            .iter()
            .map(|c| all || masked.iter().any(|m| m.to_lowercase() == c.to_lowercase()))
            .collect();
        let rows = table
            .rows
            .into_iter()
            .map(|row| {
                row.into_iter()
                    .zip(&mask)
                    .map(|(v, m)| match (v, m) {
                        (_, true) => Some(MASKED.to_string()),
                        (Some(v), false) => Some(cut(&v)),
                        (None, false) => None,
                    })
                    .collect()
            })
            .collect();
        result.samples = Some(Samples {
            columns: table.columns,
            rows,
        });
    }
}

/// Why a check query's checks could not be evaluated.
fn query_failure(f: &Failure) -> String {
    match f.kind {
        FailureKind::Timeout | FailureKind::Interrupted => f.message.clone(),
        _ => format!("the check query failed: {}", f.message),
    }
}

/// The first missing column a check needs: its column(s), its freshness
/// column, or one its SQL (`where`, `expression`) names.
fn needed_missing<'m>(
    check: &Check,
    window: Option<&crate::ir::Window>,
    missing: &'m [String],
) -> Option<&'m String> {
    if missing.is_empty() {
        return None;
    }
    let mut columns: Vec<&str> = check.column.as_deref().into_iter().collect();
    if let Some(window) = window.filter(|_| check.windowed) {
        columns.push(&window.column);
    }
    let mut texts: Vec<&str> = check.filter.as_deref().into_iter().collect();
    match &check.kind {
        CheckKind::UniqueCombination { columns: c } => {
            // A struct's field (`address.zip`) needs its column.
            columns.extend(c.iter().map(|c| match missing.contains(c) {
                true => c.as_str(),
                false => c.split('.').next().unwrap_or(c),
            }));
        }
        CheckKind::Freshness { column, .. } => columns.push(column),
        CheckKind::Expression { sql } => texts.push(sql),
        CheckKind::Sql { query } => texts.push(query),
        CheckKind::Required
        | CheckKind::Unique
        | CheckKind::AcceptedValues { .. }
        | CheckKind::Min { .. }
        | CheckKind::Max { .. }
        | CheckKind::Pattern { .. }
        | CheckKind::Length { .. }
        | CheckKind::UniqueItems
        | CheckKind::References { .. }
        | CheckKind::RowCount { .. }
        | CheckKind::RowCountChange { .. }
        | CheckKind::NullRateIncrease { .. } => {}
    }
    missing
        .iter()
        .find(|m| columns.iter().any(|c| c == m) || texts.iter().any(|t| mentions(t, m)))
}

/// Whether SQL text names an identifier, as a whole word, ignoring case.
fn mentions(sql: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let (sql, name) = (sql.to_lowercase(), name.to_lowercase());
    sql.match_indices(&name).any(|(i, _)| {
        let before = sql[..i].chars().next_back();
        let after = sql[i + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// Rows shaped like the check query's as results.
fn read_results(table: &engine::Table) -> Vec<CheckResult> {
    let col = |name: &str| table.column(name);
    let (
        Some(contract),
        Some(check),
        Some(column),
        Some(rule),
        Some(severity),
        Some(failures),
        Some(observed),
        Some(status),
    ) = (
        col("contract"),
        col("check_name"),
        col("column_name"),
        col("rule"),
        col("severity"),
        col("failures"),
        col("observed"),
        col("status"),
    )
    else {
        return Vec::new();
    };
    table
        .rows
        .iter()
        .map(|row| {
            let get = |i: usize| row.get(i).cloned().flatten();
            CheckResult {
                contract: get(contract).unwrap_or_default(),
                check_name: get(check).unwrap_or_default(),
                column_name: get(column),
                rule: get(rule).unwrap_or_default(),
                severity: get(severity).unwrap_or_default(),
                status: get(status)
                    .as_deref()
                    .and_then(Status::from_name)
                    .unwrap_or(Status::Error),
                failures: get(failures).and_then(|f| f.parse().ok()),
                observed: get(observed),
                message: None,
                samples: None,
            }
        })
        .collect()
}

/// A check's result with a message saying why it did not pass.
fn described(ds: &Dataset, check: &Check, mut r: CheckResult) -> CheckResult {
    if r.status == Status::Pass || r.status == Status::Error || r.message.is_some() {
        return r;
    }
    let failures = r.failures.unwrap_or_default();
    let observed = r.observed.clone().unwrap_or_default();
    let rows = |n: u64| {
        if n == 1 {
            "1 row".to_string()
        } else {
            format!("{n} rows")
        }
    };
    let tolerated = check.tolerance.is_some()
        && r.status == Status::Warn
        && check.severity == crate::types::Severity::Error;
    let mut message = match &check.kind {
        CheckKind::RowCountChange { .. } => format!("{observed} rows"),
        CheckKind::NullRateIncrease { .. } => format!("{observed} rows NULL"),
        CheckKind::RowCount { min, max } => {
            let bound = |b: Option<u64>| b.map_or_else(|| "…".to_string(), |b| b.to_string());
            let seen = match (check.filter.is_some(), check.windowed) {
                (true, true) => " (in the window, where the filter holds)",
                (true, false) => " (where the filter holds)",
                (false, true) => " (in the window)",
                (false, false) => "",
            };
            format!(
                "{observed} rows{seen}, outside [{}, {}]",
                bound(*min),
                bound(*max)
            )
        }
        CheckKind::Freshness {
            column,
            warn_after,
            error_after,
        } => match r.observed.as_deref() {
            None => format!("no `{column}` value: the table has no rows to date it"),
            Some(age) => {
                let age = age
                    .parse::<u64>()
                    .map_or_else(|_| format!("{age}s"), format_age);
                let limits: Vec<String> =
                    [("warn after", warn_after), ("error after", error_after)]
                        .into_iter()
                        .filter_map(|(what, d)| Some(format!("{what} {}", (*d)?)))
                        .collect();
                format!("newest `{column}` is {age} old ({})", limits.join(", "))
            }
        },
        CheckKind::Sql { .. } => format!("the query returned {}", rows(failures)),
        CheckKind::Required
        | CheckKind::Unique
        | CheckKind::AcceptedValues { .. }
        | CheckKind::Min { .. }
        | CheckKind::Max { .. }
        | CheckKind::Pattern { .. }
        | CheckKind::Length { .. }
        | CheckKind::UniqueItems
        | CheckKind::References { .. }
        | CheckKind::Expression { .. }
        | CheckKind::UniqueCombination { .. } => {
            format!("{failures} of {observed} rows fail")
        }
    };
    if tolerated {
        message.push_str(", within the tolerance");
    }
    let _ = ds;
    r.message = Some(message);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        for bad in [
            "",
            "0s",
            "1d",
            "m",
            "-1s",
            "99999999999999999999h",
            "5124095576030432h",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(Duration::from_secs(4530)), "1h15m");
        assert_eq!(format_duration(Duration::from_secs(61)), "1m1s");
        assert_eq!(format_age(273_208_946), "3162 d 3 h");
        assert_eq!(format_age(86_400), "1 d 0 h");
        assert_eq!(format_age(3 * 3600 + 125), "3 h 2 m");
        assert_eq!(format_age(200), "3 m 20 s");
        assert_eq!(format_age(0), "0 s");
    }

    #[test]
    fn a_check_needs_the_missing_columns_it_names() {
        let missing = vec!["amount".to_string()];
        let check = |kind: CheckKind, filter: Option<&str>| Check {
            name: "c".into(),
            column: None,
            path: Vec::new(),
            kind,
            severity: crate::types::Severity::Error,
            filter: filter.map(str::to_string),
            tolerance: None,
            description: None,
            windowed: false,
            window_written: None,
        };
        let expression = |sql: &str| CheckKind::Expression { sql: sql.into() };
        let needs = |check: &Check| needed_missing(check, None, &missing).is_some();
        assert!(needs(&check(expression("AMOUNT > 0"), None)));
        assert!(!needs(&check(expression("amount_cents > 0"), None)));
        assert!(needs(&check(
            expression("x > 0"),
            Some("amount is not null")
        )));
        let row_count = CheckKind::RowCount {
            min: Some(1),
            max: None,
        };
        assert!(!needs(&check(row_count.clone(), None)));
        // A windowed check needs the window's column.
        let window = crate::ir::Window {
            column: "amount".into(),
            last: crate::types::Duration::parse("1d").unwrap(),
        };
        let mut windowed = check(row_count, None);
        assert!(needed_missing(&windowed, Some(&window), &missing).is_none());
        windowed.windowed = true;
        assert!(needed_missing(&windowed, Some(&window), &missing).is_some());
    }
}
