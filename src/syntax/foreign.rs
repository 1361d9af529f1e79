//! What the readers of the open standards (ODCS, DCS) share: a lenient view
//! of a mapping that remembers which keys were read, quality thresholds,
//! durations, patterns, custom SQL metrics, and the builders of native
//! syntax. A foreign file becomes native [`Contract`]s whose spans point into
//! it, so validation, lowering and every emitter work unchanged.
//!
//! Foreign formats are read leniently: a construct datapact cannot compile
//! is a `not-compiled` warning at its place, never an error and never
//! silently dropped.

use crate::rules::ColumnRuleKind;
use std::cell::RefCell;
use std::collections::BTreeSet;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span, Spanned};
use crate::types::{Duration, Format, LogicalType, Severity, TimeUnit, Tolerance};

use super::ast::{
    CheckBody, Column, Contract, Dataset, Freshness, LengthRule, Owner, Part, RowCount, Rule,
    RuleOptions, TableCheck,
};
use super::decode::Cx;
use super::yaml::{Node, NodeKind, Scalar};

/// A mapping of a foreign file, read key by key.
pub struct Obj<'a> {
    pub node: &'a Node,
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
    used: RefCell<BTreeSet<&'a str>>,
}

impl<'a> Obj<'a> {
    /// `None` unless `node` is a mapping; keys that are not strings are skipped.
    pub fn new(node: &'a Node) -> Option<Obj<'a>> {
        let NodeKind::Map(entries) = &node.kind else {
            return None;
        };
        let entries = entries
            .iter()
            .filter_map(|(k, v)| match &k.kind {
                NodeKind::Scalar(Scalar::String(s)) => Some((s.as_str(), k, v)),
                _ => None,
            })
            .collect();
        Some(Obj {
            node,
            entries,
            used: RefCell::new(BTreeSet::new()),
        })
    }

    /// The value of `key` (marking it read); YAML `null` counts as absent.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        let (k, _, v) = self.entries.iter().find(|(k, _, _)| *k == key)?;
        self.used.borrow_mut().insert(k);
        (!matches!(v.kind, NodeKind::Scalar(Scalar::Null))).then_some(*v)
    }

    /// Mark keys as read without using them (metadata datapact has no place for).
    pub fn skip(&self, keys: &[&str]) {
        for key in keys {
            let _ = self.get(key);
        }
    }

    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, _)| k.span)
    }

    /// A string (or a number, as written) under `key`.
    pub fn text(&self, key: &str) -> Option<Spanned<String>> {
        let node = self.get(key)?;
        scalar_text(node)
            .filter(|s| !s.trim().is_empty())
            .map(|s| Spanned::new(s, node.span))
    }

    pub fn bool(&self, key: &str) -> Option<Spanned<bool>> {
        let node = self.get(key)?;
        match node.kind {
            NodeKind::Scalar(Scalar::Bool(b)) => Some(Spanned::new(b, node.span)),
            _ => None,
        }
    }

    pub fn list(&self, key: &str) -> &'a [Node] {
        match self.get(key).map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items,
            _ => &[],
        }
    }

    /// The entries of a mapping under `key`, in order.
    pub fn entries(&self, key: &str) -> Vec<(&'a str, &'a Node, &'a Node)> {
        self.get(key)
            .and_then(Obj::new)
            .map(|o| o.entries)
            .unwrap_or_default()
    }

    /// This mapping's entries, in order (all marked read).
    pub fn entries_of(&self) -> Vec<(&'a str, &'a Node, &'a Node)> {
        for (k, _, _) in &self.entries {
            self.used.borrow_mut().insert(k);
        }
        self.entries.clone()
    }

    /// Keys present but never read.
    pub fn unread(&self) -> Vec<(&'a str, Span)> {
        let used = self.used.borrow();
        self.entries
            .iter()
            .filter(|(k, _, _)| !used.contains(k))
            .map(|(k, key, _)| (*k, key.span))
            .collect()
    }
}

/// A scalar as text: strings as they are, numbers and booleans as written.
pub fn scalar_text(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar(Scalar::String(s) | Scalar::Number(s)) => Some(s.clone()),
        NodeKind::Scalar(Scalar::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

/// A contract id given in a custom property (`datapactContract`,
/// `datapactRenamedFrom`): `None` when absent, and when it is not an id,
/// which is an `invalid-contract-id` error at the value.
pub fn custom_contract_id(r: &mut Reader, node: Option<&Node>) -> Option<String> {
    let node = node?;
    let Some(text) = scalar_text(node) else {
        r.cx.wrong_type(node, "a contract id such as `shop.orders`");
        return None;
    };
    let id = Spanned::new(text, node.span);
    match super::ast::contract_id_error(&id) {
        None => Some(id.value),
        Some(error) => {
            r.cx.push(error);
            None
        }
    }
}

/// The diagnostics of reading one foreign file.
pub struct Reader {
    pub cx: Cx,
    pub file: FileId,
    /// `ODCS` or `DCS`, for messages.
    pub format: &'static str,
    /// The current object's property names → column names, where they differ.
    pub columns: std::collections::BTreeMap<String, String>,
}

impl Reader {
    /// A construct datapact does not compile: a warning at `span`.
    pub fn not_compiled(&mut self, span: Span, what: impl Into<String>, why: impl Into<String>) {
        self.cx.push(
            Diagnostic::warning(Code::NotCompiled, what.into())
                .with_label(span, "not compiled")
                .with_help(why.into()),
        );
    }

    /// Warn about every key of `obj` that nothing read.
    pub fn unread(&mut self, obj: &Obj, what: &str) {
        for (key, span) in obj.unread() {
            self.not_compiled(
                span,
                format!("`{key}` in {what} is not read"),
                format!(
                    "datapact compiles the {} keys listed in docs/standards.md; this one has no meaning for the checks or docs it writes",
                    self.format
                ),
            );
        }
    }
}

/// A native contract id segment for foreign text: `Orders-Latest` → `orders_latest`.
pub fn segment(text: &str) -> String {
    crate::names::identifier(text, "c")
}

/// The contract id `<prefix>.<object>`, or an override the file gives.
pub fn contract_id(prefix: &str, object: &str) -> String {
    format!("{prefix}.{}", segment(object))
}

/// The file name without directories and extensions, as a contract id segment:
/// `contracts/orders.odcs.yaml` → `orders`.
pub fn file_prefix(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let stem = name.split('.').next().unwrap_or(name);
    segment(stem)
}

/// Where a file's tables live: its chosen server's database and schema,
/// and the server's dialect.
pub struct Server {
    pub database: Option<Spanned<String>>,
    pub schema: Option<Spanned<String>>,
    pub dialect: Option<crate::types::Dialect>,
}

/// The first server of a SQL type datapact knows, a `prod…` one first: its
/// database and schema (BigQuery `project`/`dataset`, Databricks and Trino
/// `catalog`/`schema`). Its other keys are connection details.
pub fn server(r: &mut Reader, servers: &[Obj]) -> Server {
    use crate::types::Dialect;
    let dialect_of = |s: &Obj| {
        s.text("type")
            .and_then(|t| match t.to_lowercase().as_str() {
                "postgresql" => Some(Dialect::Postgres),
                other => Dialect::from_name(other),
            })
    };
    let production = |s: &Obj| {
        s.text("environment")
            .is_some_and(|e| e.to_lowercase().starts_with("prod"))
    };
    let chosen = servers
        .iter()
        .find(|s| dialect_of(s).is_some() && production(s))
        .or_else(|| servers.iter().find(|s| dialect_of(s).is_some()));
    let Some(s) = chosen else {
        return Server {
            database: None,
            schema: None,
            dialect: None,
        };
    };
    let dialect = dialect_of(s);
    let (db_key, schema_key) = match dialect {
        Some(Dialect::Bigquery) => ("project", "dataset"),
        Some(Dialect::Databricks | Dialect::Trino) => ("catalog", "schema"),
        _ => ("database", "schema"),
    };
    let database = s.text(db_key);
    let schema = s.text(schema_key);
    if let (Some(db), None) = (&database, &schema) {
        r.not_compiled(
            db.span,
            format!("the server's `{db_key}` without a `{schema_key}` is not used"),
            "a table's location needs the schema when it names the database",
        );
    }
    // A DuckDB server's `database` is usually the database file. DuckDB
    // names an attached file by its stem, and a file opened on the command
    // line is the default catalog: the path as a catalog names none DuckDB
    // has (`"/data/bench.duckdb"."main"."t"` fails in `duckdb
    // /data/bench.duckdb`). A table in a file is placed by its schema.
    let database = match dialect {
        Some(Dialect::Duckdb) => database.filter(|db| !duckdb_file(db)),
        _ => database,
    };
    Server {
        database: database.filter(|_| schema.is_some()),
        schema,
        dialect,
    }
}

/// Whether a DuckDB `database` names a file (or the in-memory database)
/// rather than a catalog.
fn duckdb_file(database: &str) -> bool {
    let lower = database.to_lowercase();
    database.contains(['/', '\\'])
        || lower == ":memory:"
        || [".duckdb", ".db", ".ddb"]
            .iter()
            .any(|ext| lower.ends_with(ext))
}

/// A standard's pattern as a native `pattern` rule, or a warning when it
/// is not a regular expression warehouses share.
pub fn pattern_rule(r: &mut Reader, pattern: &Spanned<String>) -> Option<Rule<String>> {
    let native = native_pattern(pattern);
    if regex::Regex::new(&native).is_err() {
        r.not_compiled(
            pattern.span,
            "this pattern is not compiled",
            "it is not a regular expression in the RE2 syntax warehouses share",
        );
        return None;
    }
    Some(rule(
        pattern.span,
        Spanned::new(native, pattern.span),
        RuleOptions::default(),
    ))
}

// ---------------------------------------------------------------------------
// Types

/// A warehouse type name as the logical type it stores, if it is a SQL type
/// datapact knows: `varchar(18)` → string, `NUMBER(12,2)` → decimal(12,2),
/// `timestamptz` → timestamp_tz.
pub fn sql_type(physical: &str) -> Option<LogicalType> {
    let lower = physical.trim().to_lowercase();
    // `timestamp(3) with time zone`: the base is the text around the
    // arguments, the arguments are those of the first parenthesis.
    let (base, args) = match lower.find(['(', '[']) {
        Some(i) => {
            let close = lower[i..].find([')', ']']).map_or(lower.len(), |j| i + j);
            let rest = lower.get(close + 1..).unwrap_or("").trim();
            let base = format!("{} {rest}", lower[..i].trim());
            (
                base.trim().to_string(),
                Some(lower[i + 1..close].to_string()),
            )
        }
        None => (lower.clone(), None),
    };
    let base = base.split_whitespace().collect::<Vec<_>>().join(" ");
    let (base, args) = (base.as_str(), args.as_deref());
    let ty = match base {
        "varchar" | "char" | "character" | "character varying" | "nvarchar" | "nchar" | "text"
        | "string" | "bpchar" | "varchar2" | "nvarchar2" | "clob" | "citext" => LogicalType::String,
        "int" | "integer" | "int4" | "serial" | "mediumint" => LogicalType::Integer,
        "bigint" | "int8" | "bigserial" | "long" | "int64" => LogicalType::Bigint,
        "smallint" | "int2" | "tinyint" | "smallserial" => LogicalType::Smallint,
        "decimal" | "numeric" | "number" | "bignumeric" => {
            let args = args?;
            let mut parts = args.split(',').map(str::trim);
            let p: u32 = parts.next()?.parse().ok()?;
            let s: u32 = parts.next().unwrap_or("0").parse().ok()?;
            return LogicalType::parse(&format!("decimal({p},{s})")).ok();
        }
        "real" | "float4" => LogicalType::Float,
        // `float` is 64 bits in PostgreSQL, Snowflake, SQL Server and BigQuery.
        "float" | "double" | "float8" | "double precision" | "float64" => LogicalType::Double,
        "bool" | "boolean" | "bit" => LogicalType::Boolean,
        "date" => LogicalType::Date,
        "time" | "time without time zone" => LogicalType::Time,
        "timestamp"
        | "datetime"
        | "datetime2"
        | "timestamp_ntz"
        | "timestamp without time zone" => LogicalType::Timestamp,
        "timestamptz"
        | "timestamp_tz"
        | "timestamp_ltz"
        | "timestamp with time zone"
        | "datetimeoffset" => LogicalType::TimestampTz,
        "json" | "jsonb" | "variant" | "object" | "struct" | "array" | "map" | "super"
        | "record" | "list" => LogicalType::Json,
        "uuid" | "uniqueidentifier" => LogicalType::Uuid,
        "binary" | "varbinary" | "bytea" | "bytes" | "blob" | "image" => LogicalType::Binary,
        _ => return None,
    };
    Some(ty)
}

// ---------------------------------------------------------------------------
// Quality thresholds

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
    Between,
    NotBetween,
}

/// The operator keys, in the order datacontract-cli reads them; the
/// `…ThanOrEqualTo` spellings are DCS's deprecated ones.
const OPERATORS: &[(&str, Op)] = &[
    ("mustBe", Op::Eq),
    ("mustNotBe", Op::Ne),
    ("mustBeGreaterThan", Op::Gt),
    ("mustBeGreaterOrEqualTo", Op::Ge),
    ("mustBeGreaterThanOrEqualTo", Op::Ge),
    ("mustBeLessThan", Op::Lt),
    ("mustBeLessOrEqualTo", Op::Le),
    ("mustBeLessThanOrEqualTo", Op::Le),
    ("mustBeBetween", Op::Between),
    ("mustNotBeBetween", Op::NotBetween),
];

/// `metric <op> values`, as written in a quality rule.
#[derive(Clone, Debug)]
pub struct Threshold {
    pub op: Op,
    /// One number, or two for the between forms.
    pub values: Vec<String>,
    /// The operator's key.
    pub key: Span,
}

impl Threshold {
    fn first(&self) -> &str {
        &self.values[0]
    }

    /// The comparison in SQL, on `value`.
    pub fn sql(&self, value: &str) -> String {
        let v = &self.values;
        match self.op {
            Op::Eq => format!("{value} = {}", v[0]),
            Op::Ne => format!("{value} <> {}", v[0]),
            Op::Gt => format!("{value} > {}", v[0]),
            Op::Ge => format!("{value} >= {}", v[0]),
            Op::Lt => format!("{value} < {}", v[0]),
            Op::Le => format!("{value} <= {}", v[0]),
            Op::Between => format!("{value} between {} and {}", v[0], v[1]),
            Op::NotBetween => format!("{value} not between {} and {}", v[0], v[1]),
        }
    }
}

/// The thresholds of a quality rule, one per operator written (ODCS v3.0
/// allows several); `Err` with a reason when one is malformed.
pub fn thresholds(obj: &Obj) -> Result<Vec<Threshold>, (Span, String)> {
    let mut out = Vec::new();
    for (key, op) in OPERATORS {
        let Some(node) = obj.get(key) else { continue };
        let key_span = obj.key_span(key).unwrap_or(node.span);
        let number = |n: &Node| match &n.kind {
            NodeKind::Scalar(Scalar::Number(s)) => Some(s.clone()),
            _ => None,
        };
        let values: Option<Vec<String>> = match (&node.kind, op) {
            (NodeKind::Seq(items), Op::Between | Op::NotBetween) if items.len() == 2 => {
                items.iter().map(number).collect()
            }
            (_, Op::Between | Op::NotBetween) => None,
            _ => number(node).map(|n| vec![n]),
        };
        match values {
            Some(values) => out.push(Threshold {
                op: *op,
                values,
                key: key_span,
            }),
            None => {
                return Err((
                    node.span,
                    format!("`{key}` takes a number (the between forms a list of two numbers)"),
                ));
            }
        }
    }
    Ok(out)
}

fn whole(text: &str) -> Option<u64> {
    text.parse::<u64>().ok().or_else(|| {
        let (int, frac) = text.split_once('.')?;
        frac.bytes().all(|b| b == b'0').then(|| int.parse().ok())?
    })
}

/// The tolerance a threshold on a count of failing rows allows: `None` for
/// none (`mustBe: 0`). Native tolerances let failures within them warn,
/// where the standards pass them.
pub fn tolerance(t: &Threshold, percent: bool) -> Result<Option<Tolerance>, String> {
    let upper = match t.op {
        Op::Eq if whole(t.first()) == Some(0) => return Ok(None),
        Op::Le => t.first().to_string(),
        Op::Between if whole(&t.values[0]) == Some(0) => t.values[1].clone(),
        Op::Lt if !percent => match whole(t.first()) {
            Some(n) if n >= 1 => (n - 1).to_string(),
            _ => {
                return Err(format!(
                    "`< {}` rows is not a whole number of rows",
                    t.first()
                ));
            }
        },
        // `< p%` is read as `≤ p%` (documented).
        Op::Lt => t.first().to_string(),
        _ => {
            return Err(
                "only `mustBe: 0`, `mustBeLessThan`, `mustBeLessOrEqualTo` and `mustBeBetween: [0, n]` bound a count of failing rows"
                    .into(),
            );
        }
    };
    if percent {
        Tolerance::parse_percent(&format!("{upper}%")).map(Some)
    } else {
        whole(&upper)
            .map(|n| Some(Tolerance::Count(n)))
            .ok_or_else(|| format!("`{upper}` is not a whole number of rows"))
    }
}

/// `row_count` bounds from a threshold on the number of rows.
pub fn row_bounds(t: &Threshold) -> Result<(Option<u64>, Option<u64>), String> {
    let n = |s: &str| whole(s).ok_or_else(|| format!("`{s}` is not a whole number of rows"));
    Ok(match t.op {
        Op::Eq => (Some(n(t.first())?), Some(n(t.first())?)),
        Op::Gt => (
            Some(
                n(t.first())?
                    .checked_add(1)
                    .ok_or("the row count bound is too large")?,
            ),
            None,
        ),
        Op::Ge => (Some(n(t.first())?), None),
        Op::Lt => match n(t.first())? {
            0 => return Err("fewer than 0 rows can never hold".into()),
            m => (None, Some(m - 1)),
        },
        Op::Le => (None, Some(n(t.first())?)),
        Op::Between => (Some(n(&t.values[0])?), Some(n(&t.values[1])?)),
        Op::Ne | Op::NotBetween => {
            return Err(
                "`mustNotBe` and `mustNotBeBetween` on a row count have no native form".into(),
            );
        }
    })
}

// ---------------------------------------------------------------------------
// Durations and patterns

/// A duration from a number and a unit (`24`, `h`), or from text: `25h`,
/// `24 hours`, ISO 8601 `PT1H30M` / `P1D`. Seconds, months and years have no
/// native form.
pub fn duration(value: &str, unit: Option<&str>) -> Result<Duration, String> {
    let value = value.trim();
    if unit.is_none() {
        if let Some(iso) = value.strip_prefix(['P', 'p']) {
            return iso_duration(iso);
        }
        let split = value
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(value.len());
        let (number, unit) = value.split_at(split);
        return duration(number, Some(unit.trim()));
    }
    let unit = unit.unwrap_or("").trim().to_lowercase();
    let minutes_per = match unit.as_str() {
        "m" | "min" | "mins" | "minute" | "minutes" => 1.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 60.0,
        "d" | "day" | "days" => 1440.0,
        "w" | "wk" | "week" | "weeks" => 10080.0,
        other => {
            return Err(format!(
                "the unit `{other}` has no native form: freshness is in minutes, hours, days or weeks"
            ));
        }
    };
    let number: f64 = value
        .parse()
        .map_err(|_| format!("`{value}` is not a number"))?;
    let minutes = number * minutes_per;
    if minutes < 1.0 || minutes.fract() != 0.0 || minutes > f64::from(u32::MAX) {
        return Err(format!("{value} {unit} is not a whole number of minutes"));
    }
    let minutes = minutes as u64;
    let (count, unit) = [
        (10080, TimeUnit::Week),
        (1440, TimeUnit::Day),
        (60, TimeUnit::Hour),
        (1, TimeUnit::Minute),
    ]
    .into_iter()
    .find(|(per, _)| minutes % per == 0 && (*per as f64) <= minutes_per)
    .map(|(per, unit)| (minutes / per, unit))
    .unwrap_or((minutes, TimeUnit::Minute));
    Ok(Duration {
        count: u32::try_from(count).map_err(|_| "too long".to_string())?,
        unit,
    })
}

fn iso_duration(text: &str) -> Result<Duration, String> {
    let upper = text.to_uppercase();
    let (date, time) = upper.split_once('T').unwrap_or((&upper, ""));
    let mut minutes: u64 = 0;
    let mut number = String::new();
    for (part, in_time) in [(date, false), (time, true)] {
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            let n: u64 = number
                .parse()
                .map_err(|_| format!("`P{text}` is not an ISO 8601 duration"))?;
            number.clear();
            let per: u64 = match (c, in_time) {
                ('W', false) => 10080,
                ('D', false) => 1440,
                ('H', true) => 60,
                ('M', true) => 1,
                ('Y' | 'M', false) => {
                    return Err("years and months have no fixed length".into());
                }
                ('S', true) => return Err("seconds have no native form".into()),
                _ => return Err(format!("`P{text}` is not an ISO 8601 duration")),
            };
            minutes = n
                .checked_mul(per)
                .and_then(|m| m.checked_add(minutes))
                .ok_or_else(|| format!("`P{text}` is too long"))?;
        }
    }
    if !number.is_empty() || minutes == 0 {
        return Err(format!("`P{text}` is not an ISO 8601 duration"));
    }
    duration(&minutes.to_string(), Some("m")).map(|d| {
        // Prefer the largest whole unit.
        let m = d.seconds() / 60;
        [
            (10080, TimeUnit::Week),
            (1440, TimeUnit::Day),
            (60, TimeUnit::Hour),
        ]
        .into_iter()
        .find(|(per, _)| m % per == 0)
        .map_or(d, |(per, unit)| Duration {
            count: (m / per) as u32,
            unit,
        })
    })
}

/// A JSON-Schema-style pattern (matches anywhere, ECMA-262) as a native one
/// (matches the whole value, RE2): `.*(?:p).*`, which finds `p` anywhere
/// whatever anchors or alternatives it holds; without `|`, the ends it
/// anchors itself need no `.*`. `\d` becomes `[0-9]`.
pub fn native_pattern(pattern: &str) -> String {
    let body = pattern.replace("\\d", "[0-9]");
    if body.contains('|') {
        return format!(".*(?:{body}).*");
    }
    let anchored_start = body.starts_with('^');
    let anchored_end = body.ends_with('$') && !body.ends_with("\\$");
    match (anchored_start, anchored_end) {
        (true, true) => body,
        (true, false) => format!("{body}.*"),
        (false, true) => format!(".*{body}"),
        (false, false) => format!(".*(?:{body}).*"),
    }
}

// ---------------------------------------------------------------------------
// Custom SQL metrics

const TABLE_SENTINEL: &str = "datapact_table_placeholder";

/// A quality query that returns one number, compared with `thresholds`
/// (all must hold), as a native `sql` check (a query returning the failing
/// rows): one row when the number breaks them. Table placeholders become
/// `{{ table }}`, and so does the object's own table written out (an
/// unqualified name in `tables` that is not a CTE of the query); column
/// placeholders become `column`.
pub fn metric_query(
    query: &str,
    tables: &[&str],
    column: Option<&str>,
    thresholds: &[Threshold],
) -> Result<String, String> {
    let placeholder = regex::Regex::new(
        r#"["'`]?\$?\{\s*(object|model|table|property|field|column|schema|dataset|database|catalog|project)\s*\}["'`]?(\.)?"#,
    )
    .expect("a valid regex");
    let mut problem = None;
    let text = placeholder.replace_all(query, |caps: &regex::Captures| {
        let whole = caps.get(0).expect("a match");
        let touches = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if touches(query[..whole.start()].chars().next_back())
            || touches(query[whole.end()..].chars().next())
        {
            problem = Some(format!(
                "the placeholder `{}` is part of a longer name",
                whole.as_str()
            ));
            return String::new();
        }
        let dot = caps.get(2).map_or("", |m| m.as_str());
        match &caps[1] {
            "object" | "model" | "table" => format!("{TABLE_SENTINEL}{dot}"),
            // `${schema}.{table}`: the schema goes with the table.
            "schema" | "dataset" | "database" | "catalog" | "project" if !dot.is_empty() => {
                String::new()
            }
            "property" | "field" | "column" => match column {
                Some(c) if is_plain_identifier(c) => format!("{c}{dot}"),
                _ => {
                    problem = Some(format!(
                        "the placeholder `{}` has no value here",
                        whole.as_str()
                    ));
                    String::new()
                }
            },
            _ => {
                problem = Some(format!(
                    "the placeholder `{}` has no value here",
                    whole.as_str()
                ));
                String::new()
            }
        }
    });
    if let Some(p) = problem {
        return Err(p);
    }
    let text = crate::user_sql::strip_trailing_semicolons(&text);
    use sqlparser::ast::{
        Ident, ObjectName, ObjectNamePart, Query, Visit, Visitor, visit_relations_mut,
    };
    /// The names the query's CTEs define.
    struct Ctes(Vec<String>);
    impl Visitor for Ctes {
        type Break = ();
        fn pre_visit_query(&mut self, query: &Query) -> std::ops::ControlFlow<()> {
            if let Some(with) = &query.with {
                self.0.extend(
                    with.cte_tables
                        .iter()
                        .map(|c| c.alias.name.value.to_lowercase()),
                );
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let query =
        match sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::GenericDialect {}, &text) {
            Ok(mut statements) if statements.len() == 1 => {
                let mut ctes = Ctes(Vec::new());
                let _ = statements.visit(&mut ctes);
                let mut replaced = false;
                let _ = visit_relations_mut(&mut statements, |name: &mut ObjectName| {
                    let parts: Vec<String> = name
                        .0
                        .iter()
                        .filter_map(|p| p.as_ident().map(|i| i.value.clone()))
                        .collect();
                    let last = parts.last().map(|s| s.to_lowercase()).unwrap_or_default();
                    let object = last == TABLE_SENTINEL
                        || (parts.len() == 1
                            && !ctes.0.contains(&last)
                            && tables.iter().any(|t| t.eq_ignore_ascii_case(&last)));
                    if object {
                        *name =
                            ObjectName(vec![ObjectNamePart::Identifier(Ident::new("{{ table }}"))]);
                        replaced = true;
                    }
                    std::ops::ControlFlow::<()>::Continue(())
                });
                if text.contains(TABLE_SENTINEL) && !replaced {
                    return Err("the table placeholder is not in a FROM clause".into());
                }
                if replaced {
                    statements[0].to_string()
                } else {
                    text.clone()
                }
            }
            Ok(_) => return Err("the query must be one statement".into()),
            // A dialect's own syntax: kept as written; only the placeholders
            // are replaced.
            Err(_) => text.replace(TABLE_SENTINEL, "{{ table }}"),
        };
    let holds: Vec<String> = thresholds.iter().map(|t| t.sql("datapact_value")).collect();
    Ok(format!(
        "select datapact_value\nfrom (select (\n{query}\n) as datapact_value) as datapact_metric\nwhere not ({})",
        holds.join(" and ")
    ))
}

/// A column name SQL can take unquoted in every dialect: lowercase letters,
/// digits and `_`, not starting with a digit.
pub fn is_plain_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

// ---------------------------------------------------------------------------
// Building native syntax

/// A contract read from `format` with nothing but its id; readers fill the
/// rest.
pub fn contract(format: Format, file: FileId, span: Span, id: Spanned<String>) -> Contract {
    Contract {
        file,
        format,
        span,
        contract: Some(id),
        version: None,
        title: None,
        description: None,
        owners: None,
        dataset: None,
        freshness: None,
        row_count: None,
        slo: None,
        columns: None,
        checks: None,
        tags: None,
        renamed_from: None,
        owners_key: None,
    }
}

pub fn dataset(
    span: Span,
    database: Option<Spanned<String>>,
    schema: Option<Spanned<String>>,
    name: Spanned<String>,
) -> Dataset {
    Dataset {
        span,
        database,
        schema,
        name: Some(name),
        dbt: None,
        path: None,
        conformance: None,
        window: None,
    }
}

pub fn column(span: Span, name: Spanned<String>, ty: Spanned<LogicalType>) -> Column {
    Column {
        span,
        name: Some(name),
        ty: Some(ty),
        ..Column::default()
    }
}

pub fn owner(
    span: Span,
    name: Spanned<String>,
    email: Option<Spanned<String>>,
    role: crate::types::Role,
) -> Owner {
    Owner {
        span,
        name: Some(name),
        email,
        role: Some(Spanned::new(role, span)),
    }
}

/// A rule: its key's span, its value, and options.
pub fn rule<T>(key: Span, value: Spanned<T>, options: RuleOptions) -> Rule<T> {
    Rule {
        key,
        value: Some(value),
        options,
    }
}

pub fn length_rule(
    key: Span,
    min: Option<Spanned<u64>>,
    max: Option<Spanned<u64>>,
    options: RuleOptions,
) -> LengthRule {
    LengthRule {
        key,
        min,
        max,
        options,
    }
}

pub fn table_check(
    span: Span,
    name: Spanned<String>,
    body: CheckBody,
    options: RuleOptions,
) -> TableCheck {
    TableCheck {
        span,
        name: Some(name.clone()),
        body: Some(body),
        options: RuleOptions {
            name: Some(name),
            ..options
        },
    }
}

pub fn freshness(
    key: Span,
    column: Spanned<String>,
    error_after: Spanned<Duration>,
    description: Option<Spanned<String>>,
) -> Freshness {
    Freshness {
        span: key,
        key,
        column: Some(column),
        warn_after: None,
        error_after: Some(error_after),
        filter: None,
        description,
    }
}

pub fn row_count(key: Span, min: Option<u64>, max: Option<u64>, options: RuleOptions) -> RowCount {
    RowCount {
        span: key,
        key,
        min: min.map(|m| Spanned::new(m, key)),
        max: max.map(|m| Spanned::new(m, key)),
        change: None,
        severity: options.severity,
        filter: None,
        description: options.description,
        name: options.name,
        window: None,
    }
}

/// A quality rule's severity: `warn`/`warning`/`info` warn; anything else fails.
pub fn severity(text: Option<&Spanned<String>>) -> Option<Spanned<Severity>> {
    let text = text?;
    let lower = text.to_lowercase();
    let severity = if ["warn", "warning", "info", "low", "minor"].contains(&lower.as_str()) {
        Severity::Warn
    } else {
        Severity::Error
    };
    Some(Spanned::new(severity, text.span))
}

/// A unique check name within a contract: `base`, else `base_2`, `base_3`, …
pub fn unique_name(taken: &mut BTreeSet<String>, base: &str) -> String {
    let base = crate::names::identifier(base, "check");
    let base: String = base.chars().take(56).collect();
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

// ---------------------------------------------------------------------------
// Quality rules (ODCS `quality`, DCS `quality`): the same vocabulary

/// What a quality rule becomes in native syntax.
/// Where a property (field) being read sits: how many levels of struct,
/// array and map hold it (1 for a table's column), and whether an array or
/// map is among them.
#[derive(Clone, Copy, Debug)]
pub struct Inside {
    pub depth: usize,
    pub iterated: bool,
}

impl Inside {
    pub const TOP: Inside = Inside {
        depth: 1,
        iterated: false,
    };

    /// One level further in, through `part`.
    pub fn through(self, part: Part) -> Inside {
        Inside {
            depth: self.depth + 1,
            iterated: self.iterated || part != Part::Field,
        }
    }
}

/// What a nested value read from a foreign file states that datapact
/// compiles for a table's columns only: not compiled, with a warning each
/// (a primary key, a relationship; `unique` inside an array or a map).
pub fn nested_value(r: &mut Reader, col: &mut Column, inside: Inside, primary: Option<Span>) {
    if let Some(span) = primary {
        r.not_compiled(
            span,
            "a primary key inside a nested column is not compiled",
            "a primary key is one of the table's columns",
        );
    }
    if let Some(rule) = col.references.take() {
        r.not_compiled(
            rule.key,
            "a relationship of a value inside a nested column is not compiled",
            "references are compiled for a table's columns",
        );
    }
    if inside.iterated {
        if let Some(rule) = col.unique.take() {
            r.not_compiled(
                rule.key,
                "`unique` inside an array or a map is not compiled",
                "it would count many values per row; `uniqueItems` on the array says no value twice in one array",
            );
        }
    }
}

/// Actions with where inside a column they apply: the parts from the
/// column to the value (`(Field, 2)` is its third field).
pub type Placed = (Vec<(Part, usize)>, Vec<Action>);

pub enum Action {
    Required(Span, RuleOptions),
    Unique(Span, RuleOptions),
    AcceptedValues(Span, Spanned<Vec<Spanned<Scalar>>>, RuleOptions),
    Pattern(Span, Spanned<String>, RuleOptions),
    /// A table check; its name is made unique when applied.
    Check {
        span: Span,
        base: String,
        body: CheckBody,
        options: RuleOptions,
    },
    RowCount(Span, Option<u64>, Option<u64>, RuleOptions),
    /// A rule in words only: it goes into the description.
    Note(String),
    /// Native rules carried by a `custom` rule of the `datapact` engine
    /// (what `datapact convert --to odcs` writes).
    Rules(Box<Column>),
    Table(Box<TableCheck>),
    NativeRowCount(Box<RowCount>),
    NativeFreshness(Box<Freshness>),
}

/// Quality-rule keys that are metadata only.
const QUALITY_METADATA: &[&str] = &[
    "id",
    "dimension",
    "businessImpact",
    "method",
    "schedule",
    "scheduler",
    "tags",
    "customProperties",
    "authoritativeDefinitions",
    "dialect",
];

/// Read one quality rule of an object (`column` is `None`) or a column.
/// `tables` are the object's own names, which SQL rules often write out.
pub fn quality(r: &mut Reader, node: &Node, column: Option<&str>, tables: &[&str]) -> Vec<Action> {
    let Some(q) = Obj::new(node) else {
        r.not_compiled(
            node.span,
            "a quality rule that is not a mapping",
            "write each rule as a mapping with `type` and `metric` or `query`",
        );
        return Vec::new();
    };
    q.skip(QUALITY_METADATA);
    let description = q.text("description");
    let name = q.text("name");
    let rule_severity = severity(q.text("severity").as_ref());
    let options = || RuleOptions {
        severity: rule_severity,
        description: description.clone(),
        ..RuleOptions::default()
    };
    let unit = q.text("unit");
    let percent = unit
        .as_ref()
        .is_some_and(|u| u.to_lowercase().starts_with("percent") || u.as_str() == "%");
    let ty = q.text("type").map(|t| t.to_lowercase());
    let metric = q.text("metric").or_else(|| q.text("rule"));
    let at = q
        .key_span("type")
        .or(q.key_span("metric"))
        .or(q.key_span("rule"))
        .unwrap_or(node.span);
    let actions = match ty.as_deref() {
        Some("text") => description
            .as_ref()
            .map(|d| vec![Action::Note(d.value.clone())])
            .unwrap_or_default(),
        Some("custom") if q.text("engine").is_some_and(|e| e.as_str() == "datapact") => {
            native(r, q.get("implementation"), column, at)
        }
        Some("custom") => {
            let engine = q.text("engine").map_or("an unnamed engine".into(), |e| {
                format!("engine `{}`", e.value)
            });
            q.skip(&["engine", "implementation"]);
            r.not_compiled(
                at,
                format!("a custom quality rule ({engine}) is not compiled"),
                "custom rules run in their own engine; write the rule as a `sql` or `library` rule for datapact to compile it",
            );
            Vec::new()
        }
        Some("sql") => sql_rule(r, &q, at, column, tables, name.as_ref(), options()),
        Some("library") | None if metric.is_some() => {
            let metric = metric.expect("checked");
            library(r, &q, &metric, column, percent, name.as_ref(), options())
        }
        None => {
            r.not_compiled(
                at,
                "a quality rule without `type` or `metric` is not compiled",
                "give it `type: sql` with a `query`, or a `metric` such as `nullValues`",
            );
            q.skip(&[
                "mustBe",
                "mustNotBe",
                "mustBeGreaterThan",
                "mustBeGreaterOrEqualTo",
                "mustBeLessThan",
                "mustBeLessOrEqualTo",
                "mustBeBetween",
                "mustNotBeBetween",
            ]);
            Vec::new()
        }
        Some(other) => {
            r.not_compiled(
                at,
                format!("a quality rule of type `{other}` is not compiled"),
                "the types are text, library, sql and custom",
            );
            Vec::new()
        }
    };
    if unit.is_some() && !percent && unit.as_ref().is_some_and(|u| u.to_lowercase() != "rows") {
        if let Some(u) = &unit {
            r.not_compiled(
                u.span,
                format!("the unit `{}` is not read", u.value),
                "units are `rows` (the default) or `percent`",
            );
        }
    }
    // Thresholds were read, or their rule was reported as a whole.
    q.skip(&OPERATORS.iter().map(|(k, _)| *k).collect::<Vec<_>>());
    q.skip(&[
        "arguments",
        "validValues",
        "missingValues",
        "pattern",
        "properties",
    ]);
    r.unread(&q, "a quality rule");
    actions
}

/// The `implementation` of a `datapact` custom rule: native column rules
/// (on a column), or one `check`, `row_count` or `freshness` (on an object).
fn native(
    r: &mut Reader,
    implementation: Option<&Node>,
    column: Option<&str>,
    at: Span,
) -> Vec<Action> {
    let Some(node) = implementation else {
        r.not_compiled(
            at,
            "a datapact rule without `implementation` is not compiled",
            "the implementation holds the native rule",
        );
        return Vec::new();
    };
    if column.is_some() {
        return super::ast::Column::decode_rules(&mut r.cx, node)
            .map(|c| vec![Action::Rules(Box::new(c))])
            .unwrap_or_default();
    }
    let Some(map) = r.cx.map(
        node,
        "a datapact rule",
        &["check", "row_count", "freshness"],
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(n) = map.get("check") {
        out.extend(TableCheck::decode(&mut r.cx, n).map(|t| Action::Table(Box::new(t))));
    }
    if let Some(n) = map.get("row_count") {
        let key = map.key_span("row_count").unwrap_or(n.span);
        out.extend(
            RowCount::decode(&mut r.cx, n, key).map(|rc| Action::NativeRowCount(Box::new(rc))),
        );
    }
    if let Some(n) = map.get("freshness") {
        let key = map.key_span("freshness").unwrap_or(n.span);
        out.extend(
            Freshness::decode(&mut r.cx, n, key).map(|f| Action::NativeFreshness(Box::new(f))),
        );
    }
    out
}

fn sql_rule(
    r: &mut Reader,
    q: &Obj,
    at: Span,
    column: Option<&str>,
    tables: &[&str],
    name: Option<&Spanned<String>>,
    options: RuleOptions,
) -> Vec<Action> {
    let Some(query) = q.text("query") else {
        r.not_compiled(
            at,
            "a sql quality rule without a `query` is not compiled",
            "add the query that returns the number to compare",
        );
        return Vec::new();
    };
    let t = match thresholds(q) {
        Ok(t) if !t.is_empty() => t,
        Ok(_) => {
            r.not_compiled(
                at,
                "a sql quality rule without a threshold is not compiled",
                "add an operator such as `mustBe: 0` or `mustBeLessThan: 100`",
            );
            return Vec::new();
        }
        Err((span, why)) => {
            r.not_compiled(span, "a malformed threshold", why);
            return Vec::new();
        }
    };
    match metric_query(&query, tables, column, &t) {
        Ok(sql) => vec![Action::Check {
            span: query.span,
            base: name.map_or_else(
                || column.map_or("sql".into(), |c| format!("{c}_sql")),
                |n| n.value.clone(),
            ),
            body: CheckBody::Sql(Spanned::new(sql, query.span)),
            options,
        }],
        Err(why) => {
            r.not_compiled(query.span, "this sql quality rule is not compiled", why);
            Vec::new()
        }
    }
}

fn library(
    r: &mut Reader,
    q: &Obj,
    metric: &Spanned<String>,
    column: Option<&str>,
    percent: bool,
    name: Option<&Spanned<String>>,
    options: RuleOptions,
) -> Vec<Action> {
    let args = q.get("arguments").and_then(Obj::new);
    let arg = |key: &str| {
        args.as_ref()
            .and_then(|a| a.get(key))
            .or_else(|| q.get(key))
    };
    let all = match thresholds(q) {
        Ok(t) => t,
        Err((span, why)) => {
            r.not_compiled(span, "a malformed threshold", why);
            return Vec::new();
        }
    };
    let canonical = match metric.as_str() {
        "nullValues" | "nullCheck" | "notNull" => "nullValues",
        "missingValues" => "missingValues",
        "invalidValues" | "validValues" => "invalidValues",
        "duplicateValues" | "duplicateCount" | "uniqueCheck" => "duplicateValues",
        "rowCount" | "countCheck" => "rowCount",
        other => {
            r.not_compiled(metric.span, format!("the metric `{other}` is not compiled"), "the metrics are nullValues, missingValues, invalidValues, duplicateValues and rowCount");
            return Vec::new();
        }
    };
    if canonical == "rowCount" {
        if column.is_some() {
            r.not_compiled(
                metric.span,
                "`rowCount` on a column is not compiled",
                "put the row count rule on the object",
            );
            return Vec::new();
        }
        let Some(first) = all.first() else {
            r.not_compiled(
                metric.span,
                "`rowCount` without a threshold is not compiled",
                "add e.g. `mustBeGreaterThan: 0`",
            );
            return Vec::new();
        };
        if percent {
            r.not_compiled(
                first.key,
                "a row count in percent is not compiled",
                "a row count is a number of rows",
            );
            return Vec::new();
        }
        // Several operators: every bound holds.
        let (mut min, mut max): (Option<u64>, Option<u64>) = (None, None);
        for t in &all {
            match row_bounds(t) {
                Ok((lo, hi)) => {
                    min = min.max(lo);
                    max = match (max, hi) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                }
                Err(why) => {
                    r.not_compiled(t.key, "this row count threshold is not compiled", why);
                    return Vec::new();
                }
            }
        }
        return vec![Action::RowCount(
            first.key,
            min,
            max,
            RuleOptions {
                name: None,
                ..options
            },
        )];
    }
    // One threshold on a count of failing rows.
    if let Some(extra) = all.get(1) {
        r.not_compiled(
            extra.key,
            format!("several thresholds on `{}` are not compiled", metric.value),
            "a count of failing rows takes one bound: `mustBe: 0`, `mustBeLessThan` or `mustBeLessOrEqualTo`",
        );
        return Vec::new();
    }
    let t = all.into_iter().next();
    // Every other metric counts failing rows: the threshold is a tolerance.
    let tolerance = match &t {
        None => None,
        Some(t) => match tolerance(t, percent) {
            Ok(tol) => tol.map(|tol| Spanned::new(tol, t.key)),
            Err(why) => {
                r.not_compiled(
                    t.key,
                    format!("this threshold on `{}` is not compiled", metric.value),
                    why,
                );
                return Vec::new();
            }
        },
    };
    let options = RuleOptions {
        tolerance,
        ..options
    };
    let at = metric.span;
    if canonical == "duplicateValues" && column.is_none() {
        let columns: Vec<Spanned<String>> = arg("properties")
            .map(|n| match &n.kind {
                NodeKind::Seq(items) => items
                    .iter()
                    .filter_map(|i| scalar_text(i).map(|s| Spanned::new(s, i.span)))
                    // Property names as the columns they are.
                    .map(|s| s.map(|s| r.columns.get(&s).cloned().unwrap_or(s)))
                    .collect(),
                _ => Vec::new(),
            })
            .unwrap_or_default();
        if columns.len() < 2 {
            r.not_compiled(at, "`duplicateValues` on an object needs `arguments.properties` with two or more columns", "list the columns whose combination is unique, or put the rule on the column");
            return Vec::new();
        }
        let span = arg("properties").map_or(at, |n| n.span);
        return vec![Action::Check {
            span,
            base: name.map_or_else(|| "unique_combination".to_string(), |n| n.value.clone()),
            body: CheckBody::Unique(Spanned::new(columns, span)),
            options,
        }];
    }
    let Some(column) = column else {
        r.not_compiled(
            at,
            format!("`{}` on an object is not compiled", metric.value),
            "put the rule on the column it counts",
        );
        return Vec::new();
    };
    match canonical {
        "nullValues" => vec![Action::Required(at, options)],
        "duplicateValues" => vec![Action::Unique(at, options)],
        "invalidValues" => {
            let mut out = Vec::new();
            if let Some(values) = arg("validValues") {
                let items: Vec<Spanned<Scalar>> = match &values.kind {
                    NodeKind::Seq(items) => items
                        .iter()
                        .filter_map(|i| match &i.kind {
                            NodeKind::Scalar(Scalar::Null) => None,
                            NodeKind::Scalar(s) => Some(Spanned::new(s.clone(), i.span)),
                            _ => None,
                        })
                        .collect(),
                    _ => Vec::new(),
                };
                if items.is_empty() {
                    r.not_compiled(
                        values.span,
                        "`validValues` with no value is not compiled",
                        "list the valid values",
                    );
                } else {
                    out.push(Action::AcceptedValues(
                        at,
                        Spanned::new(items, values.span),
                        options.clone(),
                    ));
                }
            }
            if let Some(p) =
                arg("pattern").and_then(|n| scalar_text(n).map(|s| Spanned::new(s, n.span)))
            {
                out.push(Action::Pattern(
                    at,
                    p.map(|p| native_pattern(&p)),
                    options.clone(),
                ));
            }
            if out.is_empty() {
                r.not_compiled(
                    at,
                    "`invalidValues` without `validValues` or `pattern` is not compiled",
                    "say what is valid in `arguments`",
                );
            }
            out
        }
        "missingValues" => {
            let values: Vec<&Node> = match arg("missingValues").map(|n| &n.kind) {
                Some(NodeKind::Seq(items)) => items.iter().collect(),
                _ => Vec::new(),
            };
            let literals: Vec<String> = values
                .iter()
                .filter_map(|n| match &n.kind {
                    NodeKind::Scalar(Scalar::String(s)) => {
                        Some(format!("'{}'", s.replace('\'', "''")))
                    }
                    NodeKind::Scalar(Scalar::Number(n)) => Some(n.clone()),
                    _ => None,
                })
                .collect();
            // NULL is always missing; with other missing values, one
            // expression counts both (an expression fails on FALSE, not NULL).
            if literals.is_empty() {
                vec![Action::Required(at, options)]
            } else if is_plain_identifier(column) {
                vec![Action::Check {
                    span: at,
                    base: name.map_or_else(|| format!("{column}_not_missing"), |n| n.value.clone()),
                    body: CheckBody::Expression(Spanned::new(
                        format!(
                            "{column} is not null and {column} not in ({})",
                            literals.join(", ")
                        ),
                        at,
                    )),
                    options,
                }]
            } else {
                r.not_compiled(
                    at,
                    "the missing values of a column whose name needs quoting are not compiled",
                    "only NULL is checked, as `required`",
                );
                vec![Action::Required(at, options)]
            }
        }
        _ => Vec::new(),
    }
}

/// Apply quality actions to a contract: column rules to `c.columns[column]`.
pub fn apply(
    r: &mut Reader,
    c: &mut Contract,
    column: Option<(usize, &[(Part, usize)])>,
    actions: Vec<Action>,
    names: &mut BTreeSet<String>,
) {
    for action in actions {
        let col = column.and_then(|(i, path)| {
            let mut col = c.columns.as_mut()?.get_mut(i)?;
            for &(part, index) in path {
                col = col.child_mut(part, index)?;
            }
            Some(col)
        });
        match (action, col) {
            (Action::Required(key, options), Some(col)) => {
                set_rule(
                    r,
                    &mut col.required,
                    "required",
                    rule(key, Spanned::new(true, key), options),
                );
            }
            (Action::Unique(key, options), Some(col)) => {
                set_rule(
                    r,
                    &mut col.unique,
                    "unique",
                    rule(key, Spanned::new(true, key), options),
                );
            }
            (Action::AcceptedValues(key, values, options), Some(col)) => {
                set_rule(
                    r,
                    &mut col.accepted_values,
                    "accepted_values",
                    rule(key, values, options),
                );
            }
            (Action::Pattern(key, pattern, options), Some(col)) => {
                set_rule(r, &mut col.pattern, "pattern", rule(key, pattern, options));
            }
            (Action::Note(text), Some(col)) => {
                col.description = Some(append(col.description.take(), &text, col.span))
            }
            (Action::Note(text), None) => {
                c.description = Some(append(c.description.take(), &text, c.span))
            }
            (
                Action::Check {
                    span,
                    base,
                    body,
                    options,
                },
                _,
            ) => {
                let name = unique_name(names, &base);
                c.checks.get_or_insert_with(Vec::new).push(table_check(
                    span,
                    Spanned::new(name, span),
                    body,
                    options,
                ));
            }
            (Action::Rules(rules), Some(col)) => {
                let mut rules = *rules;
                for &kind in ColumnRuleKind::ALL {
                    let what = kind.key();
                    match kind {
                        ColumnRuleKind::Required => {
                            if let Some(new) = rules.required.take() {
                                set_rule(r, &mut col.required, what, new);
                            }
                        }
                        ColumnRuleKind::Unique => {
                            if let Some(new) = rules.unique.take() {
                                set_rule(r, &mut col.unique, what, new);
                            }
                        }
                        ColumnRuleKind::AcceptedValues => {
                            if let Some(new) = rules.accepted_values.take() {
                                set_rule(r, &mut col.accepted_values, what, new);
                            }
                        }
                        ColumnRuleKind::Min => {
                            if let Some(new) = rules.min.take() {
                                set_rule(r, &mut col.min, what, new);
                            }
                        }
                        ColumnRuleKind::Max => {
                            if let Some(new) = rules.max.take() {
                                set_rule(r, &mut col.max, what, new);
                            }
                        }
                        ColumnRuleKind::Pattern => {
                            if let Some(new) = rules.pattern.take() {
                                set_rule(r, &mut col.pattern, what, new);
                            }
                        }
                        ColumnRuleKind::UniqueItems => {
                            if let Some(new) = rules.unique_items.take() {
                                set_rule(r, &mut col.unique_items, what, new);
                            }
                        }
                        ColumnRuleKind::References => {
                            if let Some(new) = rules.references.take() {
                                set_rule(r, &mut col.references, what, new);
                            }
                        }
                        ColumnRuleKind::Length => {
                            if let Some(new) = rules.length.take() {
                                let key = new.key;
                                set_once(r, &mut col.length, what, key, new);
                            }
                        }
                        ColumnRuleKind::NullRate => {
                            if let Some(new) = rules.null_rate.take() {
                                let key = new.key;
                                set_once(r, &mut col.null_rate, what, key, new);
                            }
                        }
                    }
                }
            }
            (Action::Table(check), _) => {
                if let Some(name) = &check.name {
                    names.insert(name.value.clone());
                }
                c.checks.get_or_insert_with(Vec::new).push(*check);
            }
            (Action::NativeRowCount(rc), _) => {
                if c.row_count.is_some() {
                    r.not_compiled(
                        rc.key,
                        "a second row count rule is not compiled",
                        "a contract has one `row_count`; merge the bounds into one rule",
                    );
                } else {
                    c.row_count = Some(*rc);
                }
            }
            (Action::NativeFreshness(f), _) => {
                if c.freshness.is_some() {
                    r.not_compiled(
                        f.key,
                        "a second freshness rule is not compiled",
                        "a contract has one freshness SLA",
                    );
                } else {
                    c.freshness = Some(*f);
                }
            }
            (Action::Rules(rules), None) => {
                r.not_compiled(
                    rules.span,
                    "column rules outside a column are not compiled",
                    "put them on the column",
                );
            }
            (Action::RowCount(key, min, max, options), _) => {
                if c.row_count.is_some() {
                    r.not_compiled(
                        key,
                        "a second row count rule is not compiled",
                        "a contract has one `row_count`; merge the bounds into one rule",
                    );
                } else {
                    c.row_count = Some(row_count(key, min, max, options));
                }
            }
            (
                Action::Required(key, _)
                | Action::Unique(key, _)
                | Action::AcceptedValues(key, _, _)
                | Action::Pattern(key, _, _),
                None,
            ) => {
                r.not_compiled(
                    key,
                    "a column rule outside a column is not compiled",
                    "put it on the column",
                );
            }
        }
    }
}

fn set_rule<T: PartialEq>(r: &mut Reader, slot: &mut Option<Rule<T>>, what: &str, new: Rule<T>) {
    let strictness = |o: &RuleOptions| {
        (
            o.severity.as_ref().map(|s| s.value),
            o.tolerance.as_ref().map(|t| t.value.clone()),
        )
    };
    match slot {
        None => *slot = Some(new),
        // The same rule again (`required: true` and `nullValues: 0`): one is enough.
        Some(old)
            if old.value == new.value && strictness(&old.options) == strictness(&new.options) => {}
        Some(_) => r.not_compiled(
            new.key,
            format!("a second `{what}` rule on the column is not compiled"),
            "a column has one rule of each kind; the first one is kept",
        ),
    }
}

/// A rule of a kind that has no value to compare: the first one is kept.
fn set_once<T>(r: &mut Reader, slot: &mut Option<T>, what: &str, key: Span, new: T) {
    if slot.is_none() {
        *slot = Some(new);
    } else {
        r.not_compiled(
            key,
            format!("a second `{what}` rule on the column is not compiled"),
            "a column has one rule of each kind; the first one is kept",
        );
    }
}

fn append(description: Option<Spanned<String>>, text: &str, span: Span) -> Spanned<String> {
    match description {
        Some(d) => Spanned::new(format!("{}\n\n{text}", d.value.trim_end()), d.span),
        None => Spanned::new(text.to_string(), span),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |v: &str, u: Option<&str>| duration(v, u).map(|d| d.to_string());
        assert_eq!(d("25h", None), Ok("25h".into()));
        assert_eq!(d("PT1H", None), Ok("1h".into()));
        assert_eq!(d("PT1H30M", None), Ok("90m".into()));
        assert_eq!(d("P1D", None), Ok("1d".into()));
        assert_eq!(d("24 hours", None), Ok("24h".into()));
        assert_eq!(d("1.5", Some("h")), Ok("90m".into()));
        assert_eq!(d("2", Some("d")), Ok("2d".into()));
        assert!(d("500", Some("ms")).is_err());
        assert!(d("P1Y", None).is_err());
        assert!(d("5s", None).is_err());
    }

    #[test]
    fn patterns_match_anywhere_unless_anchored() {
        assert_eq!(native_pattern("^B[0-9]+$"), "^B[0-9]+$");
        assert_eq!(native_pattern("^ab|cd"), ".*(?:^ab|cd).*");
        assert_eq!(native_pattern("ACC[0-9]{8}"), ".*(?:ACC[0-9]{8}).*");
        assert_eq!(
            native_pattern("[A-Za-z]{2}-\\d{3}-[A-Za-z]{2}$"),
            ".*[A-Za-z]{2}-[0-9]{3}-[A-Za-z]{2}$"
        );
    }

    #[test]
    fn sql_types() {
        assert_eq!(sql_type("varchar(18)"), Some(LogicalType::String));
        assert_eq!(
            sql_type("NUMBER(12,2)").map(|t| t.to_string()),
            Some("decimal(12,2)".into())
        );
        assert_eq!(sql_type("timestamptz"), Some(LogicalType::TimestampTz));
        assert_eq!(
            sql_type("timestamp(3) with time zone"),
            Some(LogicalType::TimestampTz)
        );
        assert_eq!(sql_type("float"), Some(LogicalType::Double));
        assert_eq!(sql_type("numeric"), None);
        assert_eq!(sql_type("geography"), None);
    }

    #[test]
    fn metric_queries_wrap_and_name_the_table() {
        let t = [Threshold {
            op: Op::Lt,
            values: vec!["3600".into()],
            key: Span::default(),
        }];
        let q = metric_query(
            "SELECT count(*) FROM {object} WHERE x IS NULL;",
            &[],
            None,
            &t,
        )
        .unwrap();
        assert_eq!(
            q,
            "select datapact_value\nfrom (select (\nSELECT count(*) FROM {{ table }} WHERE x IS NULL\n) as datapact_value) as datapact_metric\nwhere not (datapact_value < 3600)"
        );
        let q = metric_query("select max(a) from orders", &["orders"], None, &t).unwrap();
        assert!(q.contains("FROM {{ table }}"), "{q}");
        let q = metric_query(
            "select count(*) from ${schema}.{model} where {property} < 0",
            &[],
            Some("amount"),
            &t,
        )
        .unwrap();
        assert!(q.contains("FROM {{ table }} WHERE amount < 0"), "{q}");
        // Another schema's table of the same name, and a CTE of that name, stay.
        let q = metric_query(
            "with orders as (select * from {object} where open) select count(*) from orders o where not exists (select 1 from archive.orders a)",
            &["orders"],
            None,
            &t,
        )
        .unwrap();
        assert!(q.contains("FROM {{ table }} WHERE open"), "{q}");
        assert!(
            q.contains("FROM orders AS o") || q.contains("FROM orders o"),
            "{q}"
        );
        assert!(q.contains("archive.orders"), "{q}");
        // All thresholds hold.
        let both = [
            Threshold {
                op: Op::Gt,
                values: vec!["10".into()],
                key: Span::default(),
            },
            Threshold {
                op: Op::Lt,
                values: vec!["100".into()],
                key: Span::default(),
            },
        ];
        let q = metric_query("select count(*) from {table}", &[], None, &both).unwrap();
        assert!(
            q.ends_with("where not (datapact_value > 10 and datapact_value < 100)"),
            "{q}"
        );
        assert!(metric_query("select 1 from orders_{table}_x", &[], None, &t).is_err());
    }
}
