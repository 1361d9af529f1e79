//! The results store: every run's results, kept in a database through the
//! same engine layer as the run (a DuckDB file by default, PostgreSQL for
//! a store a team shares), so `datapact report` can measure the contracts'
//! objectives over time and users can query and plot the history.
//!
//! Two tables, documented in docs/run.md: `datapact_runs` (one row per
//! run) and `datapact_results` (one row per check of a run). A run is
//! written in one transaction: a store holds a run whole or not at all.
//! `datapact_store` records the schema version; [`Store::open`] migrates a
//! store forward and refuses one written by a newer datapact.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::Timestamp;

use super::connection::{Connection, Target};
use super::engine::{self, Access, Engine, Failure, FailureKind, Session};
use super::{Report, Status, Watch};
use crate::types::Dialect;

/// The schema version this datapact writes.
pub const SCHEMA_VERSION: u32 = 2;

/// Each version's statements, applied in order to reach it.
fn migration(version: u32, dialect: Dialect) -> Vec<String> {
    match version {
        1 => {
            let mut statements = vec![
                "create table if not exists datapact_runs (
  run_id varchar not null primary key,
  started_at timestamp not null,
  duration_ms bigint not null,
  connection varchar not null,
  datapact_version varchar not null,
  contracts integer not null,
  checks integer not null
)"
                .to_string(),
                "create table if not exists datapact_results (
  run_id varchar not null,
  contract varchar not null,
  contract_version varchar not null,
  check_name varchar not null,
  column_name varchar,
  rule varchar not null,
  severity varchar not null,
  status varchar not null,
  failures bigint,
  observed varchar,
  message varchar
)"
                .to_string(),
            ];
            // DuckDB's zone maps serve these scans; a server needs indexes.
            if dialect != Dialect::Duckdb {
                statements.push(
                    "create index if not exists datapact_runs_started_at on datapact_runs (started_at)"
                        .into(),
                );
                statements.push(
                    "create index if not exists datapact_results_run_id on datapact_results (run_id)"
                        .into(),
                );
            }
            statements
        }
        // `run --samples`: a check's failing rows, as JSON text.
        2 => vec!["alter table datapact_results add column if not exists samples varchar".into()],
        _ => Vec::new(),
    }
}

/// An open store.
pub struct Store {
    // Dropped before the engine it was made from.
    session: Session,
    _engine: Engine,
    dialect: Dialect,
}

/// One contract in one run: whether its promises held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub run_id: String,
    pub started_at: Timestamp,
    pub contract: String,
    /// The run had a `freshness` check for the contract.
    pub has_freshness: bool,
    /// Its freshness check failed or could not be evaluated.
    pub freshness_bad: bool,
    /// Another check of severity `error` failed or could not be evaluated.
    pub quality_bad: bool,
}

impl Outcome {
    /// Freshness and quality held.
    pub fn good(&self) -> bool {
        !self.freshness_bad && !self.quality_bad
    }
}

/// A check's latest result, for the catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    pub started_at: Timestamp,
    /// Check name → status.
    pub checks: BTreeMap<String, Status>,
}

impl Store {
    /// Open (creating a DuckDB file when missing) and migrate the store.
    /// A DuckDB file another process is writing is waited for, with backoff.
    pub fn open(connection: &Connection, root: &Path, watch: Watch) -> Result<Store, Failure> {
        let mut store = Store::connect(connection, root, watch, Access::Write)?;
        // Two writers creating the tables of a new server store at once:
        // one may see the other's table appear; the second attempt finds
        // the version written.
        match store.migrate() {
            Err(f) if f.kind == FailureKind::Query => store.migrate()?,
            other => other?,
        }
        Ok(store)
    }

    /// Open a store to read it: it must exist and have this datapact's
    /// schema version (a DuckDB file is opened read-only).
    pub fn open_existing(
        connection: &Connection,
        root: &Path,
        watch: Watch,
    ) -> Result<Store, Failure> {
        if let Target::Duckdb { path: Some(path) } = &connection.target {
            if !Path::new(path).is_file() {
                return Err(Failure {
                    kind: FailureKind::Connect,
                    message: format!(
                        "no store at {}: `datapact run --store {}` creates it",
                        connection.display,
                        connection.display.trim_start_matches("duckdb:")
                    ),
                });
            }
        }
        let mut store = Store::connect(connection, root, watch, Access::Read)?;
        let found = store
            .session
            .query("select max(version) from datapact_store", None)
            .map_err(|f| Failure {
                kind: FailureKind::Connect,
                message: format!(
                    "{} is not a datapact results store (no datapact_store table): {}",
                    connection.display, f.message
                ),
            })?
            .rows
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        if found != SCHEMA_VERSION {
            return Err(Failure {
                kind: FailureKind::Connect,
                message: if found > SCHEMA_VERSION {
                    format!(
                        "the store has schema version {found}, written by a newer datapact; \
                         this one reads version {SCHEMA_VERSION}: upgrade datapact"
                    )
                } else {
                    format!(
                        "the store has schema version {found}; this datapact reads version \
                         {SCHEMA_VERSION}: the next `datapact run --store` migrates it"
                    )
                },
            });
        }
        Ok(store)
    }

    fn connect(
        connection: &Connection,
        root: &Path,
        watch: Watch,
        access: Access,
    ) -> Result<Store, Failure> {
        if connection.is_embedded() {
            return Err(Failure {
                kind: FailureKind::Connect,
                message: "a store in memory keeps nothing: give a file (`results.duckdb`) or a \
                          `postgresql://` URL"
                    .into(),
            });
        }
        if !matches!(connection.dialect, Dialect::Duckdb | Dialect::Postgres) {
            return Err(Failure {
                kind: FailureKind::Connect,
                message: format!(
                    "a results store is a DuckDB file or a PostgreSQL database, not a {} connection",
                    connection.dialect.name()
                ),
            });
        }
        let dirs = engine::driver_dirs(root);
        if let (Target::Duckdb { path: Some(path) }, Access::Write) = (&connection.target, access) {
            create_whole(connection, Path::new(path), &dirs, watch.clone())?;
        }
        // A DuckDB file is locked by the process writing it: others wait
        // (0.5 s, 1 s, … about a minute in all).
        let retries = match connection.target {
            Target::Duckdb { .. } => 7,
            _ => 3,
        };
        let engine = Engine::open_for(connection, &dirs, watch, retries, access)?;
        let session = engine.session(retries)?;
        Ok(Store {
            session,
            _engine: engine,
            dialect: connection.dialect,
        })
    }

    /// The schema version of the store; 0 when it has none yet.
    fn version(session: &mut engine::Session) -> Result<u32, Failure> {
        session.execute("create table if not exists datapact_store (version integer not null)")?;
        let found = session.query("select max(version) from datapact_store", None)?;
        Ok(found
            .rows
            .first()
            .and_then(|r| r.first().cloned().flatten())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Bring the store to [`SCHEMA_VERSION`], in one transaction. On
    /// PostgreSQL, writers that start together take turns (an advisory
    /// lock held to the commit): two `create table if not exists` of one
    /// name at once make one of them fail. A DuckDB file has one writer.
    fn migrate(&mut self) -> Result<(), Failure> {
        let dialect = self.dialect;
        self.session.transaction(|s| {
            if dialect == Dialect::Postgres {
                // Any constant, the same for every datapact: "datapact".
                s.execute("select pg_advisory_xact_lock(7017419710165725044)")?;
            }
            let found = Self::version(s)?;
            if found > SCHEMA_VERSION {
                return Err(Failure {
                    kind: FailureKind::Connect,
                    message: format!(
                        "the store has schema version {found}, written by a newer datapact; \
                         this one reads version {SCHEMA_VERSION}: upgrade datapact"
                    ),
                });
            }
            for version in found + 1..=SCHEMA_VERSION {
                for sql in migration(version, dialect) {
                    s.execute(&sql)?;
                }
                s.execute(&format!("insert into datapact_store values ({version})"))?;
            }
            Ok(())
        })
    }

    /// Append a run with all its results, in one transaction. Returns the
    /// run's id.
    /// `connection` is the run's [`Connection::identity`].
    pub fn append(&mut self, report: &Report, connection: &str) -> Result<String, Failure> {
        let d = self.dialect.sql();
        let started = parse_time(&report.started_at).unwrap_or_else(Timestamp::now);
        let run_id = run_id(started);
        let text = |s: &str| d.string_literal(s);
        let opt = |s: Option<&str>| s.map_or_else(|| "null".to_string(), |s| d.string_literal(s));
        let versions: BTreeMap<&str, &str> = report
            .contracts
            .iter()
            .map(|c| (c.contract.as_str(), c.version.as_str()))
            .collect();
        let run = format!(
            "insert into datapact_runs (run_id, started_at, duration_ms, connection, \
             datapact_version, contracts, checks) values ({}, {}, {}, {}, {}, {}, {})",
            text(&run_id),
            timestamp_literal(started),
            u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
            text(connection),
            text(env!("CARGO_PKG_VERSION")),
            report.contracts.len(),
            report.results.len(),
        );
        let rows: Vec<String> = report
            .results
            .iter()
            .map(|r| {
                let samples = r
                    .samples
                    .as_ref()
                    .map(|s| serde_json::json!({"columns": s.columns, "rows": s.rows}).to_string());
                format!(
                    "({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
                    text(&run_id),
                    text(&r.contract),
                    text(versions.get(r.contract.as_str()).copied().unwrap_or("")),
                    text(&r.check_name),
                    opt(r.column_name.as_deref()),
                    text(&r.rule),
                    text(&r.severity),
                    text(r.status.name()),
                    r.failures.map_or_else(|| "null".into(), |f| f.to_string()),
                    opt(r.observed.as_deref()),
                    opt(r.message.as_deref()),
                    opt(samples.as_deref()),
                )
            })
            .collect();
        self.session.transaction(|s| {
            s.execute(&run)?;
            for chunk in rows.chunks(500) {
                s.execute(&format!(
                    "insert into datapact_results (run_id, contract, contract_version, \
                     check_name, column_name, rule, severity, status, failures, observed, \
                     message, samples) values {}",
                    chunk.join(", ")
                ))?;
            }
            Ok(())
        })?;
        Ok(run_id)
    }

    /// Per run started in `(since, until]` and contract: whether its
    /// promises held.
    pub fn outcomes(
        &mut self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<Outcome>, Failure> {
        let sql = format!(
            "select r.run_id, r.started_at, x.contract,
  max(case when x.rule = 'freshness' then 1 else 0 end) as has_freshness,
  max(case when x.rule = 'freshness' and x.status in ('fail', 'error') then 1 else 0 end) as freshness_bad,
  max(case when x.rule <> 'freshness' and x.severity = 'error' and x.status in ('fail', 'error') then 1 else 0 end) as quality_bad
from datapact_runs r join datapact_results x on x.run_id = r.run_id
where {}
group by r.run_id, r.started_at, x.contract
order by r.started_at, r.run_id, x.contract",
            between(since, until)
        );
        let table = self.session.query(&sql, None)?;
        let flag = |v: Option<&Option<String>>| v.and_then(Option::as_deref) == Some("1");
        table
            .rows
            .iter()
            .map(|row| {
                Ok(Outcome {
                    run_id: text_at(row, 0)?,
                    started_at: time_at(row, 1)?,
                    contract: text_at(row, 2)?,
                    has_freshness: flag(row.get(3)),
                    freshness_bad: flag(row.get(4)),
                    quality_bad: flag(row.get(5)),
                })
            })
            .collect()
    }

    /// Per contract and check: how many runs started in `(since, until]`
    /// it failed or could not be evaluated in.
    pub fn failures(
        &mut self,
        since: Timestamp,
        until: Timestamp,
    ) -> Result<Vec<(String, String, u64)>, Failure> {
        let sql = format!(
            "select x.contract, x.check_name, count(*) as runs
from datapact_runs r join datapact_results x on x.run_id = r.run_id
where {} and x.status in ('fail', 'error')
group by x.contract, x.check_name",
            between(since, until)
        );
        let table = self.session.query(&sql, None)?;
        Ok(table
            .rows
            .iter()
            .filter_map(|row| {
                Some((
                    row.first()?.clone()?,
                    row.get(1)?.clone()?,
                    row.get(2)?.as_deref()?.parse().ok()?,
                ))
            })
            .collect())
    }

    /// Per contract: when its last good run before `until` started.
    pub fn last_good(&mut self, until: Timestamp) -> Result<BTreeMap<String, Timestamp>, Failure> {
        let sql = format!(
            "select contract, max(started_at) from (
  select r.started_at, x.contract
  from datapact_runs r join datapact_results x on x.run_id = r.run_id
  where r.started_at <= {}
  group by r.run_id, r.started_at, x.contract
  having max(case when x.status in ('fail', 'error') and (x.rule = 'freshness' or x.severity = 'error') then 1 else 0 end) = 0
) good
group by contract",
            timestamp_literal(until)
        );
        let table = self.session.query(&sql, None)?;
        table
            .rows
            .iter()
            .map(|row| Ok((text_at(row, 0)?, time_at(row, 1)?)))
            .collect()
    }

    /// The results of rules over time (`row_count_change`, `null_rate`) in each
    /// contract's previous good run on the same database (`connection`, a
    /// [`Connection::identity`]; the latest before `before` in which no
    /// check failed), by (contract, check name).
    pub fn baselines(
        &mut self,
        before: Timestamp,
        connection: &str,
    ) -> Result<super::Baselines, Failure> {
        let sql = format!(
            "with good as (
  select r.run_id, r.started_at, x.contract
  from datapact_runs r join datapact_results x on x.run_id = r.run_id
  where r.started_at < {} and r.connection = {}
  group by r.run_id, r.started_at, x.contract
  having max(case when x.status in ('fail', 'error') and (x.rule = 'freshness' or x.severity = 'error') then 1 else 0 end) = 0
), last as (
  select contract, max(started_at) as started_at from good group by contract
)
select x.contract, x.check_name, g.started_at, x.observed, g.run_id
from last
join good g on g.contract = last.contract and g.started_at = last.started_at
join datapact_results x on x.run_id = g.run_id and x.contract = g.contract
where x.rule in ('row_count_change', 'null_rate')
order by g.run_id",
            timestamp_literal(before),
            self.dialect.sql().string_literal(connection)
        );
        let table = self.session.query(&sql, None)?;
        let mut out = super::Baselines::new();
        for row in &table.rows {
            let cell = |i: usize| row.get(i).cloned().flatten();
            let (Some(contract), Some(check), Some(at)) = (cell(0), cell(1), cell(2)) else {
                continue;
            };
            let started_at = parse_time(&at).ok_or_else(|| unreadable_time(&at))?;
            // Two good runs at the same instant: the last by id wins.
            out.insert(
                (contract, check),
                super::Baseline {
                    started_at,
                    observed: cell(3),
                },
            );
        }
        Ok(out)
    }

    /// Per contract: the results of its latest run before `until`.
    pub fn latest(&mut self, until: Timestamp) -> Result<BTreeMap<String, Latest>, Failure> {
        let sql = format!(
            "with last as (
  select x.contract, max(r.started_at) as started_at
  from datapact_runs r join datapact_results x on x.run_id = r.run_id
  where r.started_at <= {}
  group by x.contract
)
select x.contract, r.started_at, x.check_name, x.status, r.run_id
from last
join datapact_runs r on r.started_at = last.started_at
join datapact_results x on x.run_id = r.run_id and x.contract = last.contract
order by x.contract, r.run_id",
            timestamp_literal(until)
        );
        let table = self.session.query(&sql, None)?;
        let mut out: BTreeMap<String, (String, Latest)> = BTreeMap::new();
        for row in &table.rows {
            let cell = |i: usize| row.get(i).cloned().flatten();
            let (Some(contract), Some(at), Some(check), Some(status), Some(run)) =
                (cell(0), cell(1), cell(2), cell(3), cell(4))
            else {
                continue;
            };
            let at = parse_time(&at).ok_or_else(|| unreadable_time(&at))?;
            let Some(status) = Status::from_name(&status) else {
                continue;
            };
            // Two runs that started at the same instant: the last by id.
            let entry = out.entry(contract).or_insert_with(|| {
                (
                    run.clone(),
                    Latest {
                        started_at: at,
                        checks: BTreeMap::new(),
                    },
                )
            });
            if entry.0 < run {
                *entry = (
                    run.clone(),
                    Latest {
                        started_at: at,
                        checks: BTreeMap::new(),
                    },
                );
            }
            if entry.0 == run {
                entry.1.checks.insert(check, status);
            }
        }
        Ok(out.into_iter().map(|(k, (_, v))| (k, v)).collect())
    }
}

/// Column `i` of a row, which the query never leaves NULL.
fn text_at(row: &[Option<String>], i: usize) -> Result<String, Failure> {
    row.get(i).cloned().flatten().ok_or_else(|| Failure {
        kind: FailureKind::Query,
        message: "the store returned a NULL where its schema has none".into(),
    })
}

/// Column `i` of a row as a time.
fn time_at(row: &[Option<String>], i: usize) -> Result<Timestamp, Failure> {
    let text = text_at(row, i)?;
    parse_time(&text).ok_or_else(|| unreadable_time(&text))
}

fn unreadable_time(text: &str) -> Failure {
    Failure {
        kind: FailureKind::Query,
        message: format!("the store returned a time datapact cannot read: `{text}`"),
    }
}

/// `started_at > since and started_at <= until`.
fn between(since: Timestamp, until: Timestamp) -> String {
    format!(
        "r.started_at > {} and r.started_at <= {}",
        timestamp_literal(since),
        timestamp_literal(until)
    )
}

/// A UTC timestamp literal both DuckDB and PostgreSQL read, to the
/// microsecond.
fn timestamp_literal(t: Timestamp) -> String {
    // Engines read years 1–9999; a window reaching further back starts at
    // the epoch (no run is older).
    let t = t.max(Timestamp::UNIX_EPOCH);
    format!("timestamp '{}'", t.strftime("%Y-%m-%d %H:%M:%S%.6f"))
}

/// An RFC 3339 time, or a `timestamp` as an engine prints it
/// (`2026-12-05 16:40:06.123`, taken as UTC).
pub fn parse_time(text: &str) -> Option<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    let civil: jiff::civil::DateTime = text.trim().replacen(' ', "T", 1).parse().ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(civil).ok()
}

/// A run's id: its start time, then 64 random bits, so ids sort by time
/// and concurrent writers never collide.
fn run_id(started: Timestamp) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    hasher.write_i128(Timestamp::now().as_nanosecond());
    format!(
        "{}-{:016x}",
        started.strftime("%Y%m%dT%H%M%S%.3fZ"),
        hasher.finish()
    )
}

/// A DuckDB store file that does not exist yet is made whole under a
/// temporary name next to it, then linked to its name unless another
/// writer made it meanwhile: no writer ever opens a file another is still
/// creating, which DuckDB reads as "not a valid DuckDB database file".
fn create_whole(
    connection: &Connection,
    path: &Path,
    dirs: &[std::path::PathBuf],
    watch: Watch,
) -> Result<(), Failure> {
    if path.exists() {
        return Ok(());
    }
    let name = path
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.creating", std::process::id()));
    let remove_temporary = || {
        let _ = std::fs::remove_file(&temporary);
        let _ = std::fs::remove_file(temporary.with_extension("creating.wal"));
    };
    let made = (|| {
        let mut new = connection.clone();
        new.target = Target::Duckdb {
            path: Some(temporary.to_string_lossy().into_owned()),
        };
        let engine = Engine::open_for(&new, dirs, watch, 0, Access::Write)?;
        let mut session = engine.session(0)?;
        session.execute("create table if not exists datapact_store (version integer not null)")
        // Dropped here: the database is closed and its file complete.
    })();
    if let Err(failure) = made {
        remove_temporary();
        return Err(failure);
    }
    let linked = std::fs::hard_link(&temporary, path).or_else(|err| {
        // A file system without hard links: rename, unless the store
        // appeared meanwhile.
        if err.kind() != std::io::ErrorKind::AlreadyExists && !path.exists() {
            std::fs::rename(&temporary, path)
        } else {
            Err(err)
        }
    });
    remove_temporary();
    match linked {
        Err(err) if err.kind() != std::io::ErrorKind::AlreadyExists => Err(Failure {
            kind: FailureKind::Connect,
            message: format!("cannot create the store {}: {err}", connection.display),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_back() {
        let t: Timestamp = "2026-12-05T16:40:06.123Z".parse().unwrap();
        assert_eq!(parse_time("2026-12-05 16:40:06.123"), Some(t));
        assert_eq!(parse_time("2026-12-05T16:40:06.123"), Some(t));
        assert_eq!(parse_time("2026-12-05T16:40:06.123Z"), Some(t));
        assert_eq!(
            timestamp_literal(t),
            "timestamp '2026-12-05 16:40:06.123000'"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn run_ids_sort_by_time_and_differ() {
        let t: Timestamp = "2026-12-05T16:40:06.123Z".parse().unwrap();
        let (a, b) = (run_id(t), run_id(t));
        assert_ne!(a, b);
        assert!(a.starts_with("20261205T164006.123Z-"), "{a}");
    }
}
