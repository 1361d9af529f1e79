//! Connections: a URL (from `--connection` or `datapact.yaml`), what it
//! reaches, its dialect, the environment renames it applies, and how it is
//! shown (secrets redacted).
//!
//! URLs: `duckdb:PATH`, `duckdb::memory:` (also `duckdb:`),
//! `postgresql://…` (or `postgres://…`), and `adbc:DRIVER?key=value&…` for
//! any other ADBC driver (a name such as `snowflake`, or a library path).

use std::collections::BTreeMap;
use std::path::Path;

use crate::ir::Location;
use crate::types::Dialect;

use super::engine::DriverSpec;

/// What a connection reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// DuckDB's library; `None`: an in-memory database.
    Duckdb { path: Option<String> },
    /// The PostgreSQL driver with a libpq URL.
    Postgres { url: String },
    /// Any ADBC driver, with its database options (`uri`, `username`, …).
    Adbc {
        driver: String,
        options: Vec<(String, String)>,
    },
}

/// What `datapact.yaml` may say about a connection besides its URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    pub dialect: Option<Dialect>,
    /// The driver library (a name or a path), overriding the URL's.
    pub driver: Option<String>,
    /// Schema renames: the contract's schema → the one this connection reads.
    pub schemas: BTreeMap<String, String>,
    /// The database every dataset is read from, whatever its contract says.
    pub database: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The URL as shown: the configured text, passwords and secret options
    /// replaced by `***`.
    pub display: String,
    pub target: Target,
    pub dialect: Dialect,
    pub settings: Settings,
    secrets: Vec<String>,
}

/// Option and parameter names whose values are secrets.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    [
        "pass",
        "pwd",
        "secret",
        "token",
        "credential",
        "key",
        "auth",
    ]
    .iter()
    .any(|word| key.contains(word))
}

impl Connection {
    /// The embedded default: an in-memory DuckDB.
    pub fn embedded() -> Connection {
        Connection {
            display: "duckdb::memory:".into(),
            target: Target::Duckdb { path: None },
            dialect: Dialect::Duckdb,
            settings: Settings::default(),
            secrets: Vec::new(),
        }
    }

    /// Whether this is an in-memory DuckDB, where datasets' `path` files
    /// are exposed as tables.
    pub fn is_embedded(&self) -> bool {
        self.target == Target::Duckdb { path: None }
    }

    /// A connection from its URL template (which may hold `${VAR}`
    /// references, expanded from `env`); relative DuckDB paths are taken
    /// from `base`.
    pub fn parse(
        template: &str,
        settings: Settings,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Connection, String> {
        let mut secrets = Vec::new();
        let display = redact(template, &mut Vec::new());
        let target = if let Some(rest) = template.strip_prefix("duckdb:") {
            let path = match expand(rest, env)?.as_str() {
                "" | ":memory:" => None,
                path => Some(base.join(path).to_string_lossy().into_owned()),
            };
            Target::Duckdb { path }
        } else if template.starts_with("postgresql://") || template.starts_with("postgres://") {
            let url = expand(template, env)?;
            redact(&url, &mut secrets);
            Target::Postgres { url }
        } else if let Some(rest) = template.strip_prefix("adbc:") {
            // Split, decode, then expand each value: a variable's value is
            // taken as it is, never split at its own `&` or decoded again.
            let (driver, query) = rest.split_once('?').unwrap_or((rest, ""));
            let driver = expand(driver, env)?;
            if driver.is_empty() {
                return Err(
                    "`adbc:` needs a driver: `adbc:snowflake?uri=…`, or a library path".into(),
                );
            }
            let mut options = Vec::new();
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let (key, value) = (percent_decode(k), expand(&percent_decode(v), env)?);
                if is_secret_key(&key) {
                    secrets.push(value.clone());
                } else {
                    redact_value(&value, &mut secrets);
                }
                options.push((key, value));
            }
            Target::Adbc { driver, options }
        } else {
            // Shown only up to its scheme: it may be a key=value string
            // holding a password.
            let scheme = template
                .split_once(':')
                .map(|(s, _)| s)
                .filter(|s| {
                    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '+')
                })
                .map_or_else(|| "the connection".to_string(), |s| format!("a `{s}:` URL"));
            return Err(format!(
                "unknown connection URL ({scheme}): expected `duckdb:PATH`, `duckdb::memory:`, \
                 `postgresql://…`, or `adbc:DRIVER?uri=…` for any other ADBC driver"
            ));
        };
        secrets.retain(|s| s.len() >= 2);
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        let dialect = match (&target, settings.dialect) {
            (_, Some(d)) => d,
            (Target::Duckdb { .. }, None) => Dialect::Duckdb,
            (Target::Postgres { .. }, None) => Dialect::Postgres,
            (Target::Adbc { driver, .. }, None) => {
                let stem = Path::new(driver)
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_lowercase())
                    .unwrap_or_default();
                let stem = stem
                    .trim_start_matches("lib")
                    .trim_start_matches("adbc_driver_");
                match stem {
                    "snowflake" => Dialect::Snowflake,
                    "bigquery" => Dialect::Bigquery,
                    "postgresql" => Dialect::Postgres,
                    "duckdb" => Dialect::Duckdb,
                    "trino" => Dialect::Trino,
                    "mssql" | "sqlserver" => Dialect::Sqlserver,
                    "redshift" => Dialect::Redshift,
                    "databricks" | "spark" => Dialect::Databricks,
                    _ => {
                        return Err(format!(
                            "which SQL dialect does `{display}` speak? Name it in the \
                             connection's `dialect` in datapact.yaml, or with --dialect"
                        ));
                    }
                }
            }
        };
        Ok(Connection {
            display,
            target,
            dialect,
            settings,
            secrets,
        })
    }

    /// Which database this is, secrets redacted, as a store records it:
    /// the URL with its variables expanded, a DuckDB file's absolute path.
    /// Runs on the same database share it, whatever the configured text.
    pub fn identity(&self) -> String {
        match &self.target {
            Target::Duckdb { path: None } => "duckdb::memory:".into(),
            Target::Duckdb { path: Some(path) } => {
                let path = std::path::absolute(path).unwrap_or_else(|_| path.into());
                format!("duckdb:{}", path.display())
            }
            Target::Postgres { url } => scrub_all(&redact(url, &mut Vec::new()), &self.secrets),
            Target::Adbc { .. } => self.display.clone(),
        }
    }

    /// The values to scrub from every message: passwords and secret options.
    pub fn secrets(&self) -> Vec<String> {
        self.secrets.clone()
    }

    /// The driver this connection loads.
    pub fn driver(&self) -> DriverSpec {
        if let Some(driver) = &self.settings.driver {
            let mut spec = DriverSpec::named(driver);
            if matches!(self.target, Target::Duckdb { .. }) {
                spec.entrypoint = Some("duckdb_adbc_init".into());
            }
            return spec;
        }
        match &self.target {
            Target::Duckdb { .. } => DriverSpec::named("duckdb"),
            Target::Postgres { .. } => DriverSpec::named("postgresql"),
            Target::Adbc { driver, .. } => DriverSpec::named(driver),
        }
    }

    /// Where this connection reads a dataset: its location with the
    /// connection's database and schema renames applied.
    pub fn locate(&self, location: &Location) -> Location {
        let mut out = location.clone();
        if let Some(schema) = &location.schema {
            if let Some(renamed) = self.settings.schemas.get(schema) {
                out.schema = Some(renamed.clone());
            }
        }
        if let Some(db) = &self.settings.database {
            out.database = Some(db.clone());
        }
        out
    }
}

/// `${NAME}` replaced by the environment's value; an unset variable is an error.
pub fn expand(template: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("`${` without a closing `}` in a connection URL".into());
        };
        let name = &after[..end];
        let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(format!(
                "`${{{name}}}` is not an environment variable reference"
            ));
        }
        match env(name) {
            Some(value) => out.push_str(&value),
            None => {
                return Err(format!(
                    "the connection URL needs the environment variable {name}, which is not set"
                ));
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `url` with its password and secret parameters replaced by `***`; the
/// replaced values (raw and decoded) are added to `secrets`.
/// `text` with every secret replaced by `***`.
fn scrub_all(text: &str, secrets: &[String]) -> String {
    super::engine::scrub(text, secrets)
}

pub fn redact(url: &str, secrets: &mut Vec<String>) -> String {
    let mut out = url.to_string();
    // userinfo: scheme://user:password@host. As libpq reads it, the
    // authority ends at the first `/` after the last `@` before it; a
    // password may hold `?`, `#` and `@`.
    // (`://` after a `?` is in a parameter's value, not this URL's.)
    let authority = out.find("://").filter(|&s| !out[..s].contains('?'));
    if let Some(scheme_end) = authority {
        let start = scheme_end + 3;
        let rest = &out[start..];
        let at = rest
            .match_indices('@')
            .map(|(i, _)| i)
            .take_while(|&i| !rest[..i].contains('/'))
            .last();
        if let Some(at) = at {
            if let Some(colon) = rest[..at].find(':') {
                let password = rest[colon + 1..at].to_string();
                if !password.is_empty() {
                    secrets.push(percent_decode(&password));
                    secrets.push(password);
                    out.replace_range(start + colon + 1..start + at, "***");
                }
            }
        }
    }
    // key=value parameters after the authority whose key names a secret;
    // values holding credentials (an ADBC `uri=`) are redacted in turn.
    let query_start = authority.map_or(0, |s| {
        s + 3 + out[s + 3..].find('/').unwrap_or(out.len() - s - 3)
    });
    if let Some(q) = out[query_start..].find('?').map(|q| query_start + q) {
        let (head, query) = out.split_at(q + 1);
        let parts: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, v)) if is_secret_key(&percent_decode(k)) && !v.is_empty() => {
                    secrets.push(percent_decode(v));
                    secrets.push(v.to_string());
                    format!("{k}=***")
                }
                Some((k, v)) => {
                    let decoded = percent_decode(v);
                    let redacted = redact_value(&decoded, secrets);
                    if redacted == decoded {
                        pair.to_string()
                    } else {
                        format!("{k}={redacted}")
                    }
                }
                None => pair.to_string(),
            })
            .collect();
        out = format!("{head}{}", parts.join("&"));
    }
    secrets.retain(|s| s.len() >= 2);
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    out
}

/// An option value that may carry credentials: a URL (`snowflake://u:p@a`)
/// or a DSN without a scheme (`user:password@account/db`), redacted.
fn redact_value(value: &str, secrets: &mut Vec<String>) -> String {
    if value.contains("://") {
        return redact(value, secrets);
    }
    let authority = value.split('/').next().unwrap_or_default();
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at && colon + 1 < at => {
            let password = &value[colon + 1..at];
            secrets.push(password.to_string());
            secrets.push(percent_decode(password));
            format!("{}***{}", &value[..=colon], &value[at..])
        }
        _ => value.to_string(),
    }
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn passwords_and_secret_options_are_redacted() {
        let mut secrets = Vec::new();
        assert_eq!(
            redact(
                "postgresql://app:s3cr%40t@db:5432/shop?sslmode=require",
                &mut secrets
            ),
            "postgresql://app:***@db:5432/shop?sslmode=require"
        );
        assert!(secrets.contains(&"s3cr@t".to_string()));
        assert_eq!(
            redact(
                "adbc:snowflake?uri=snowflake://u:pw@acct/db&adbc.snowflake.sql.auth_token=xyz",
                &mut Vec::new()
            ),
            "adbc:snowflake?uri=snowflake://u:***@acct/db&adbc.snowflake.sql.auth_token=***"
        );
        assert_eq!(
            redact("duckdb:a.duckdb", &mut Vec::new()),
            "duckdb:a.duckdb"
        );
    }

    #[test]
    fn urls_name_their_engine_and_dialect() {
        let base = Path::new("/p");
        let c = Connection::parse("duckdb:x.duckdb", Settings::default(), base, &no_env).unwrap();
        assert_eq!(
            c.target,
            Target::Duckdb {
                path: Some("/p/x.duckdb".into())
            }
        );
        assert!(
            Connection::parse("duckdb::memory:", Settings::default(), base, &no_env)
                .unwrap()
                .is_embedded()
        );
        let c =
            Connection::parse("adbc:snowflake?uri=x", Settings::default(), base, &no_env).unwrap();
        assert_eq!(c.dialect, Dialect::Snowflake);
        assert!(
            Connection::parse("adbc:flightsql?uri=x", Settings::default(), base, &no_env).is_err()
        );
        assert!(Connection::parse("mysql://x", Settings::default(), base, &no_env).is_err());
    }

    #[test]
    fn identity_is_the_expanded_database_without_secrets() {
        let env = |name: &str| match name {
            "HOST" => Some("prod.internal".to_string()),
            "PW" => Some("s3cret".to_string()),
            _ => None,
        };
        let c = Connection::parse(
            "postgresql://app:${PW}@${HOST}:5432/shop?sslpassword=${PW}",
            Settings::default(),
            Path::new(""),
            &env,
        )
        .unwrap();
        let id = c.identity();
        assert!(id.contains("prod.internal:5432/shop"), "{id}");
        assert!(!id.contains("s3cret"), "{id}");
        let file = Connection::parse("duckdb:a.duckdb", Settings::default(), Path::new("x"), &env)
            .unwrap()
            .identity();
        assert!(
            file.starts_with("duckdb:/") && file.ends_with("x/a.duckdb"),
            "{file}"
        );
    }

    #[test]
    fn environment_references_expand_and_stay_out_of_the_display() {
        let env = |name: &str| (name == "PGPASSWORD").then(|| "hunter2".to_string());
        let c = Connection::parse(
            "postgresql://app:${PGPASSWORD}@db/shop",
            Settings::default(),
            Path::new("."),
            &env,
        )
        .unwrap();
        assert_eq!(c.display, "postgresql://app:***@db/shop");
        assert_eq!(
            c.target,
            Target::Postgres {
                url: "postgresql://app:hunter2@db/shop".into()
            }
        );
        assert!(c.secrets().contains(&"hunter2".to_string()));
        let err = Connection::parse(
            "postgresql://${NOPE}@db",
            Settings::default(),
            Path::new("."),
            &env,
        )
        .unwrap_err();
        assert!(err.contains("NOPE"), "{err}");
    }

    #[test]
    fn passwords_are_found_as_libpq_reads_them() {
        // As libpq reads it: `?`, `#` and `@` may be in a password.
        for (url, password) in [
            ("postgresql://app:pa?ss@db/shop", "pa?ss"),
            ("postgresql://app:pa#ss@db/shop?x=1", "pa#ss"),
            ("postgresql://app:p@ss@db/shop", "p@ss"),
            ("postgresql://u:%aé@h/db", "%aé"),
        ] {
            let mut secrets = Vec::new();
            let shown = redact(url, &mut secrets);
            assert!(!shown.contains(password), "{shown}");
            assert!(secrets.contains(&password.to_string()), "{secrets:?}");
        }
        let mut secrets = Vec::new();
        assert_eq!(
            redact(
                "adbc:snowflake?uri=u:pw@acct/db&adbc.flight.sql.authorization_header=Bearer%20x",
                &mut secrets
            ),
            "adbc:snowflake?uri=u:***@acct/db&adbc.flight.sql.authorization_header=***"
        );
        assert!(secrets.contains(&"Bearer x".to_string()));
    }

    #[test]
    fn an_unknown_url_is_not_echoed() {
        let err = Connection::parse(
            "host=db user=app password=hunter2",
            Settings::default(),
            Path::new("."),
            &no_env,
        )
        .unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
        let err = Connection::parse(
            "mysql://u:hunter2@h",
            Settings::default(),
            Path::new("."),
            &no_env,
        )
        .unwrap_err();
        assert!(
            !err.contains("hunter2") && err.contains("`mysql:`"),
            "{err}"
        );
    }

    #[test]
    fn variables_in_adbc_options_are_taken_as_they_are() {
        let env = |name: &str| {
            (name == "URI").then(|| "snowflake://u:p%25w@a/db?warehouse=W&role=R".to_string())
        };
        let c = Connection::parse(
            "adbc:snowflake?uri=${URI}",
            Settings::default(),
            Path::new("."),
            &env,
        )
        .unwrap();
        let Target::Adbc { options, .. } = &c.target else {
            panic!("{:?}", c.target)
        };
        assert_eq!(
            options,
            &[(
                "uri".to_string(),
                "snowflake://u:p%25w@a/db?warehouse=W&role=R".to_string()
            )]
        );
        assert!(c.secrets().iter().any(|s| s == "p%w"), "{:?}", c.secrets());
        assert_eq!(c.display, "adbc:snowflake?uri=${URI}");
    }
}
