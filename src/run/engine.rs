//! Engines through Apache Arrow ADBC: a driver library loaded at run time
//! (the way dbt loads adapters), a database, connections, and queries
//! whose results come back as text.
//!
//! Nothing here knows about contracts. Every error is a [`Failure`] whose
//! message has had the connection's secrets replaced by `***`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use adbc_core::options::{AdbcVersion, OptionDatabase, OptionValue};
use adbc_core::{Connection as _, Database as _, Driver as _, Optionable as _, Statement as _};
use adbc_driver_manager::{ManagedConnection, ManagedDatabase, ManagedDriver};
use arrow_array::{Array, RecordBatchReader};

use super::connection::{Connection, Target};
use super::watch::Watch;

/// Why something could not be done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The driver library could not be found or loaded.
    Driver,
    /// The database could not be opened or connected to.
    Connect,
    /// A query failed.
    Query,
    /// A query ran past its timeout and was cancelled.
    Timeout,
    /// The run was interrupted (Ctrl-C).
    Interrupted,
}

impl Failure {
    pub fn new(kind: FailureKind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
        }
    }
}

/// A driver library: its file and entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverSpec {
    /// What the user calls it (`duckdb`, `postgresql`, `snowflake`, or a path).
    pub name: String,
    /// The library file name to look for (`libduckdb.so`), or a path.
    pub file: String,
    /// The entry point; `None`: derived from the file name by the driver
    /// manager, else `AdbcDriverInit`.
    pub entrypoint: Option<String>,
}

impl DriverSpec {
    /// A driver known by name: DuckDB's library, or `adbc_driver_<name>`.
    pub fn named(name: &str) -> DriverSpec {
        if name.contains('/') || name.contains(std::path::MAIN_SEPARATOR) {
            return DriverSpec {
                name: name.into(),
                file: name.into(),
                entrypoint: None,
            };
        }
        let (stem, entrypoint) = match name {
            "duckdb" => ("duckdb".to_string(), Some("duckdb_adbc_init".to_string())),
            _ => (format!("adbc_driver_{name}"), None),
        };
        DriverSpec {
            name: name.into(),
            file: format!(
                "{}{stem}{}",
                std::env::consts::DLL_PREFIX,
                std::env::consts::DLL_SUFFIX
            ),
            entrypoint,
        }
    }
}

/// Where driver libraries are looked for, in order; then the system's
/// library search path.
pub fn driver_dirs(project_root: &Path) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(paths) = std::env::var_os("DATAPACT_DRIVER_PATH") {
        dirs.extend(std::env::split_paths(&paths).filter(|p| !p.as_os_str().is_empty()));
    }
    dirs.push(project_root.join(".datapact").join("drivers"));
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    if let Some(data) = data_home {
        dirs.push(data.join("datapact").join("drivers"));
    }
    dirs
}

/// Load a driver: from the first directory holding its file, else through
/// the system loader.
pub fn load_driver(spec: &DriverSpec, dirs: &[PathBuf]) -> Result<ManagedDriver, Failure> {
    let entry = spec.entrypoint.as_ref().map(|e| e.as_bytes());
    let explicit = spec.file.contains('/') || spec.file.contains(std::path::MAIN_SEPARATOR);
    let found = if explicit {
        Some(PathBuf::from(&spec.file))
    } else {
        dirs.iter()
            .map(|d| d.join(&spec.file))
            .find(|p| p.is_file())
    };
    let result = match &found {
        Some(path) => ManagedDriver::load_dynamic_from_filename(path, entry, AdbcVersion::V110),
        None => ManagedDriver::load_dynamic_from_filename(&spec.file, entry, AdbcVersion::V110),
    };
    result.map_err(|err| {
        let mut looked: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        looked.push("the system library path".into());
        let place = match &found {
            Some(path) => format!("{} could not be loaded: {}", path.display(), err.message),
            None if explicit => format!("{} could not be loaded: {}", spec.file, err.message),
            None => format!("{} not found in {}", spec.file, looked.join(", ")),
        };
        Failure::new(
            FailureKind::Driver,
            format!(
                "the ADBC driver `{}` is not available: {place}; {}",
                spec.name,
                install_hint(&spec.name)
            ),
        )
    })
}

/// How to get a driver.
fn install_hint(name: &str) -> String {
    match name {
        "duckdb" => "get it with `scripts/drivers` (from a datapact checkout), or put DuckDB's \
                     libduckdb (from the npm package @duckdb/node-bindings-<platform>, or a DuckDB \
                     release's libduckdb zip) in .datapact/drivers/; see docs/run.md"
            .into(),
        "postgresql" => "get it with `scripts/drivers` (from a datapact checkout), or take \
                         libadbc_driver_postgresql from the PyPI wheel adbc-driver-postgresql \
                         (or conda-forge libadbc-driver-postgresql) into .datapact/drivers/; \
                         see docs/run.md"
            .into(),
        other if other.contains('/') => "check the path in the connection's `driver`".into(),
        other => format!(
            "install the ADBC driver for {other} (e.g. from the PyPI wheel \
             adbc-driver-{other} or conda-forge libadbc-driver-{other}) into \
             .datapact/drivers/, or name its library file in the connection's `driver`; \
             see docs/run.md"
        ),
    }
}

/// Whether a database file is only read, or also written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// An open database: a loaded driver and its database handle, from which
/// sessions (connections) are made, one per worker thread.
pub struct Engine {
    database: ManagedDatabase,
    /// Secrets to scrub from every message.
    secrets: Arc<Vec<String>>,
    watch: Watch,
}

impl Engine {
    /// Load the connection's driver and open its database.
    /// A database that fails to open (drivers such as PostgreSQL's connect
    /// here) is retried `retries` times, with backoff.
    pub fn open(
        connection: &Connection,
        dirs: &[PathBuf],
        watch: Watch,
        retries: u32,
    ) -> Result<Engine, Failure> {
        Engine::open_for(connection, dirs, watch, retries, Access::Read)
    }

    /// [`Engine::open`], saying whether a DuckDB file is only read (it must
    /// exist) or also written (it is created when missing).
    pub fn open_for(
        connection: &Connection,
        dirs: &[PathBuf],
        watch: Watch,
        retries: u32,
        access: Access,
    ) -> Result<Engine, Failure> {
        let secrets = Arc::new(connection.secrets());
        let scrub = |f: Failure| Failure {
            message: scrub(&f.message, &secrets),
            ..f
        };
        let mut driver = load_driver(&connection.driver(), dirs).map_err(scrub)?;
        let options: Vec<(OptionDatabase, OptionValue)> = match &connection.target {
            // A database file is only read: it must exist (DuckDB would
            // create an empty one), and is opened read-only.
            Target::Duckdb { path: Some(path) } if access == Access::Write => vec![(
                OptionDatabase::Other("path".into()),
                OptionValue::String(path.clone()),
            )],
            Target::Duckdb { path: Some(path) } => {
                if !Path::new(path).is_file() {
                    return Err(Failure::new(
                        FailureKind::Connect,
                        format!("no DuckDB database file at {path}"),
                    ));
                }
                vec![
                    (
                        OptionDatabase::Other("path".into()),
                        OptionValue::String(path.clone()),
                    ),
                    (
                        OptionDatabase::Other("access_mode".into()),
                        OptionValue::String("read_only".into()),
                    ),
                ]
            }
            Target::Duckdb { path: None } => vec![(
                OptionDatabase::Other("path".into()),
                OptionValue::String(":memory:".into()),
            )],
            Target::Postgres { url } => {
                vec![(OptionDatabase::Uri, OptionValue::String(url.clone()))]
            }
            Target::Adbc { options, .. } => options
                .iter()
                .map(|(key, value)| {
                    let key = match key.as_str() {
                        "uri" => OptionDatabase::Uri,
                        "username" => OptionDatabase::Username,
                        "password" => OptionDatabase::Password,
                        other => OptionDatabase::Other(other.into()),
                    };
                    (key, OptionValue::String(value.clone()))
                })
                .collect(),
        };
        let database = retry(retries, &watch, || {
            driver
                .new_database_with_opts(options.clone())
                .map_err(|e| adbc_failure(FailureKind::Connect, &e, &secrets))
        })?;
        Ok(Engine {
            database,
            secrets,
            watch,
        })
    }

    /// A new session. Connection errors are retried `retries` times, with
    /// backoff, unless the run was interrupted.
    pub fn session(&self, retries: u32) -> Result<Session, Failure> {
        let connection = retry(retries, &self.watch, || {
            self.database
                .new_connection()
                .map_err(|e| adbc_failure(FailureKind::Connect, &e, &self.secrets))
        })?;
        Ok(Session {
            connection,
            secrets: self.secrets.clone(),
            watch: self.watch.clone(),
        })
    }
}

/// `attempt()`, retried `retries` times after a failure, waiting 0.5 s,
/// 1 s, 2 s, … between attempts; stops at an interrupt.
fn retry<T>(
    retries: u32,
    watch: &Watch,
    mut attempt: impl FnMut() -> Result<T, Failure>,
) -> Result<T, Failure> {
    let mut delay = Duration::from_millis(500);
    let mut left = retries;
    loop {
        match attempt() {
            Ok(value) => return Ok(value),
            Err(_) if watch.interrupted() => {
                return Err(Failure::new(FailureKind::Interrupted, "interrupted"));
            }
            Err(failure) if left == 0 || !transient(&failure) => {
                let tries = retries - left + 1;
                return Err(Failure {
                    message: if tries > 1 {
                        format!("{} (after {tries} attempts)", failure.message)
                    } else {
                        failure.message
                    },
                    ..failure
                });
            }
            Err(_) => {
                // Sleep in small steps, so an interrupt is not kept waiting.
                let until = Instant::now() + delay;
                while Instant::now() < until && !watch.interrupted() {
                    std::thread::sleep(Duration::from_millis(20));
                }
                delay *= 2;
                left -= 1;
            }
        }
    }
}

/// Whether a connection failure may go away by itself (a server starting,
/// a network blip), unlike wrong credentials or a database that does not
/// exist, which are not retried (retrying a password can lock an account).
fn transient(failure: &Failure) -> bool {
    let message = failure.message.to_ascii_lowercase();
    ![
        "authentication",
        "password",
        "does not exist",
        "permission denied",
        "not authorized",
        "invalid",
        "no such file",
        "not a valid",
    ]
    .iter()
    .any(|word| message.contains(word))
}

/// A query result, every value as text (`None` for NULL).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
}

impl Table {
    /// The index of a column by name, ignoring case.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.eq_ignore_ascii_case(name))
    }
}

/// One connection to the engine.
pub struct Session {
    connection: ManagedConnection,
    secrets: Arc<Vec<String>>,
    watch: Watch,
}

impl Session {
    /// Run a query that returns rows, cancelling it after `timeout` or on
    /// an interrupt.
    pub fn query(&mut self, sql: &str, timeout: Option<Duration>) -> Result<Table, Failure> {
        self.run(sql, timeout, true)
    }

    /// Run a statement that returns no rows (DDL).
    pub fn execute(&mut self, sql: &str) -> Result<(), Failure> {
        self.run(sql, None, false).map(|_| ())
    }

    /// Run `work` in one transaction: committed when it returns `Ok`,
    /// rolled back otherwise, so nothing of a failed `work` is kept.
    pub fn transaction<T>(
        &mut self,
        work: impl FnOnce(&mut Session) -> Result<T, Failure>,
    ) -> Result<T, Failure> {
        let failure = |e: adbc_core::error::Error, secrets: &[String]| {
            adbc_failure(FailureKind::Query, &e, secrets)
        };
        self.connection
            .set_option(
                adbc_core::options::OptionConnection::AutoCommit,
                OptionValue::String("false".into()),
            )
            .map_err(|e| failure(e, &self.secrets))?;
        let result = work(self).and_then(|value| {
            self.connection
                .commit()
                .map(|()| value)
                .map_err(|e| failure(e, &self.secrets))
        });
        if let Err(original) = &result {
            // A rollback that fails leaves the session as it is: turning
            // autocommit back on would commit what is pending.
            if let Err(e) = self.connection.rollback() {
                let rollback = failure(e, &self.secrets);
                // Not a query failure: the session is unusable, nothing
                // may retry on it.
                return Err(Failure {
                    kind: FailureKind::Connect,
                    message: format!(
                        "{} (and the rollback failed: {})",
                        original.message, rollback.message
                    ),
                });
            }
        }
        let restored = self
            .connection
            .set_option(
                adbc_core::options::OptionConnection::AutoCommit,
                OptionValue::String("true".into()),
            )
            .map_err(|e| failure(e, &self.secrets));
        let value = result?;
        restored?;
        Ok(value)
    }

    fn run(&mut self, sql: &str, timeout: Option<Duration>, rows: bool) -> Result<Table, Failure> {
        if self.watch.interrupted() {
            return Err(Failure::new(FailureKind::Interrupted, "interrupted"));
        }
        let query_failure =
            |e: &adbc_core::error::Error| adbc_failure(FailureKind::Query, e, &self.secrets);
        let mut statement = self
            .connection
            .new_statement()
            .map_err(|e| query_failure(&e))?;
        statement
            .set_sql_query(sql)
            .map_err(|e| query_failure(&e))?;
        // A timeout too large for the clock is no deadline.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let guard = self.watch.register(statement.get_cancel_handle(), deadline);
        let result = if rows {
            statement
                .execute()
                .map_err(|e| query_failure(&e))
                .and_then(|reader| {
                    read_table(reader)
                        .map_err(|m| Failure::new(FailureKind::Query, scrub(&m, &self.secrets)))
                })
        } else {
            statement
                .execute_update()
                .map(|_| Table::default())
                .map_err(|e| query_failure(&e))
        };
        let outcome = guard.finish();
        match (result, outcome) {
            (Ok(table), _) => Ok(table),
            (Err(_), Some(super::watch::Stopped::Timeout)) => Err(Failure::new(
                FailureKind::Timeout,
                format!(
                    "{} ({}) and was cancelled",
                    super::TIMEOUT_MESSAGE,
                    super::format_duration(timeout.unwrap_or_default())
                ),
            )),
            (Err(_), Some(super::watch::Stopped::Interrupt)) => {
                Err(Failure::new(FailureKind::Interrupted, "interrupted"))
            }
            (Err(failure), None) => Err(failure),
        }
    }
}

/// A column as it can be written as text: a timestamp with a named time
/// zone (DuckDB's `Etc/UTC`, which the formatter cannot read without a
/// zone database) as the same instants at `+00:00`, as Arrow stores them.
fn displayable(column: &arrow_array::ArrayRef) -> arrow_array::ArrayRef {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
        TimestampSecondType,
    };
    use arrow_schema::{DataType, TimeUnit};
    let DataType::Timestamp(unit, Some(zone)) = column.data_type() else {
        return column.clone();
    };
    let offset = zone.starts_with(['+', '-']);
    if offset {
        return column.clone();
    }
    const UTC: &str = "+00:00";
    match unit {
        TimeUnit::Second => Arc::new(
            column
                .as_primitive::<TimestampSecondType>()
                .clone()
                .with_timezone(UTC),
        ),
        TimeUnit::Millisecond => Arc::new(
            column
                .as_primitive::<TimestampMillisecondType>()
                .clone()
                .with_timezone(UTC),
        ),
        TimeUnit::Microsecond => Arc::new(
            column
                .as_primitive::<TimestampMicrosecondType>()
                .clone()
                .with_timezone(UTC),
        ),
        TimeUnit::Nanosecond => Arc::new(
            column
                .as_primitive::<TimestampNanosecondType>()
                .clone()
                .with_timezone(UTC),
        ),
    }
}

/// Read every batch, formatting each value as text.
fn read_table(reader: Box<dyn RecordBatchReader + Send>) -> Result<Table, String> {
    let schema = reader.schema();
    let mut table = Table {
        columns: schema.fields().iter().map(|f| f.name().clone()).collect(),
        rows: Vec::new(),
    };
    let options = arrow_cast::display::FormatOptions::default();
    for batch in reader {
        let batch = batch.map_err(|e| e.to_string())?;
        let columns: Vec<arrow_array::ArrayRef> = batch.columns().iter().map(displayable).collect();
        let formatters: Vec<_> = columns
            .iter()
            .map(|c| arrow_cast::display::ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        for row in 0..batch.num_rows() {
            table.rows.push(
                columns
                    .iter()
                    .zip(&formatters)
                    .map(|(column, f)| (!column.is_null(row)).then(|| f.value(row).to_string()))
                    .collect(),
            );
        }
    }
    Ok(table)
}

/// An ADBC error as a failure: its message, secrets scrubbed, and the
/// driver's status and SQLSTATE when they say more.
fn adbc_failure(kind: FailureKind, e: &adbc_core::error::Error, secrets: &[String]) -> Failure {
    let message = e.message.trim().trim_end_matches('.').to_string();
    Failure::new(kind, scrub(&message, secrets))
}

/// `text` with every secret replaced by `***`.
pub fn scrub(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret.as_str(), "***");
    }
    out
}
