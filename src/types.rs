//! Value types of the contract language, parsed from their text forms:
//! logical column types, durations, severities, owner roles, tolerances.

use std::fmt;

use serde::Serialize;

/// A column's logical type, mapped to a physical type per dialect by emitters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogicalType {
    String,
    Integer,
    Bigint,
    Smallint,
    Decimal {
        precision: u8,
        scale: u8,
    },
    Float,
    Double,
    Boolean,
    Date,
    Time,
    Timestamp,
    TimestampTz,
    Json,
    Binary,
    Uuid,
    /// Named fields (`fields:`), each a column of its own.
    Struct,
    /// A list of values of one type (`items:`).
    Array,
    /// Keys to values (`keys:`, `values:`).
    Map,
}

/// How deep struct, array and map types may nest inside one column (a
/// column of type `array` whose items are structs is depth 2).
pub const MAX_NESTING: usize = 8;

/// One step from a column to a value inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A struct's field.
    Field(String),
    /// Each element of an array.
    Items,
    /// Each key of a map.
    Keys,
    /// Each value of a map.
    Values,
}

impl Step {
    /// Whether the step visits each of several values (array elements, map
    /// keys or values) rather than one.
    pub fn iterates(&self) -> bool {
        !matches!(self, Step::Field(_))
    }
}

/// Broad families, for deciding which rules and literals a type accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeFamily {
    String,
    Integer,
    Decimal,
    Float,
    Boolean,
    Temporal,
    Json,
    Binary,
    Uuid,
    /// Struct, array and map: values with values inside.
    Nested,
}

pub const TYPE_NAMES: &[&str] = &[
    "string",
    "integer",
    "bigint",
    "smallint",
    "decimal(p,s)",
    "float",
    "double",
    "boolean",
    "date",
    "time",
    "timestamp",
    "timestamp_tz",
    "json",
    "binary",
    "uuid",
    "struct",
    "array",
    "map",
];

/// Whether a physical type may hold `c`: letters, digits, spaces and
/// `_ ( ) , . : < > [ ]` (dbt writes the type into its DDL as written).
pub fn is_physical_type_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(
            c,
            ' ' | '_' | '(' | ')' | ',' | '.' | ':' | '<' | '>' | '[' | ']'
        )
}

/// Other names for our types, from SQL dialects and other contract formats.
pub const TYPE_SYNONYMS: &[(&str, &str)] = &[
    ("int", "integer"),
    ("int4", "integer"),
    ("int32", "integer"),
    ("long", "bigint"),
    ("int8", "bigint"),
    ("int64", "bigint"),
    ("short", "smallint"),
    ("int2", "smallint"),
    ("int16", "smallint"),
    ("text", "string"),
    ("varchar", "string"),
    ("char", "string"),
    ("str", "string"),
    ("bool", "boolean"),
    ("numeric", "decimal(p,s)"),
    ("number", "decimal(p,s)"),
    ("real", "float"),
    ("float4", "float"),
    ("float8", "double"),
    ("double precision", "double"),
    ("datetime", "timestamp"),
    ("timestamp_ntz", "timestamp"),
    ("timestamptz", "timestamp_tz"),
    ("timestamp_ltz", "timestamp_tz"),
    ("jsonb", "json"),
    ("variant", "json"),
    ("bytes", "binary"),
    ("bytea", "binary"),
    ("blob", "binary"),
    ("varbinary", "binary"),
    ("guid", "uuid"),
    ("object", "struct"),
    ("record", "struct"),
    ("row", "struct"),
    ("list", "array"),
];

impl LogicalType {
    /// Parse a type as written in a contract: `string`, `decimal(12,2)`, …
    pub fn parse(text: &str) -> Result<LogicalType, String> {
        let t = text;
        let simple = match t {
            "string" => Some(LogicalType::String),
            "integer" => Some(LogicalType::Integer),
            "bigint" => Some(LogicalType::Bigint),
            "smallint" => Some(LogicalType::Smallint),
            "float" => Some(LogicalType::Float),
            "double" => Some(LogicalType::Double),
            "boolean" => Some(LogicalType::Boolean),
            "date" => Some(LogicalType::Date),
            "time" => Some(LogicalType::Time),
            "timestamp" => Some(LogicalType::Timestamp),
            "timestamp_tz" => Some(LogicalType::TimestampTz),
            "json" => Some(LogicalType::Json),
            "binary" => Some(LogicalType::Binary),
            "uuid" => Some(LogicalType::Uuid),
            "struct" => Some(LogicalType::Struct),
            "array" => Some(LogicalType::Array),
            "map" => Some(LogicalType::Map),
            _ => None,
        };
        if let Some(ty) = simple {
            return Ok(ty);
        }
        let Some(args) = t.strip_prefix("decimal") else {
            return Err(format!("unknown type `{t}`"));
        };
        let inner = args
            .strip_prefix('(')
            .and_then(|a| a.strip_suffix(')'))
            .ok_or_else(|| {
                "write decimal with its precision and scale: `decimal(p,s)`".to_string()
            })?;
        let mut parts = inner.split(',').map(str::trim);
        let number = |p: Option<&str>| p.and_then(|p| p.parse::<u8>().ok());
        let precision =
            number(parts.next()).ok_or("decimal precision must be an integer from 1 to 38")?;
        let scale = match parts.next() {
            None => 0,
            Some(s) => number(Some(s)).ok_or("decimal scale must be a non-negative integer")?,
        };
        if parts.next().is_some() {
            return Err("decimal takes at most two arguments: `decimal(p,s)`".into());
        }
        if !(1..=38).contains(&precision) {
            return Err(format!(
                "decimal precision must be from 1 to 38, not {precision}"
            ));
        }
        if scale > precision {
            return Err(format!(
                "decimal scale ({scale}) must not exceed its precision ({precision})"
            ));
        }
        Ok(LogicalType::Decimal { precision, scale })
    }

    pub fn family(self) -> TypeFamily {
        match self {
            LogicalType::String => TypeFamily::String,
            LogicalType::Integer | LogicalType::Bigint | LogicalType::Smallint => {
                TypeFamily::Integer
            }
            LogicalType::Decimal { .. } => TypeFamily::Decimal,
            LogicalType::Float | LogicalType::Double => TypeFamily::Float,
            LogicalType::Boolean => TypeFamily::Boolean,
            LogicalType::Date
            | LogicalType::Time
            | LogicalType::Timestamp
            | LogicalType::TimestampTz => TypeFamily::Temporal,
            LogicalType::Json => TypeFamily::Json,
            LogicalType::Binary => TypeFamily::Binary,
            LogicalType::Uuid => TypeFamily::Uuid,
            LogicalType::Struct | LogicalType::Array | LogicalType::Map => TypeFamily::Nested,
        }
    }

    /// Struct, array or map: a value with values inside.
    pub fn is_nested(self) -> bool {
        self.family() == TypeFamily::Nested
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self.family(),
            TypeFamily::Integer | TypeFamily::Decimal | TypeFamily::Float
        )
    }
}

impl fmt::Display for LogicalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            LogicalType::Decimal { precision, scale } => {
                return write!(f, "decimal({precision},{scale})");
            }
            LogicalType::String => "string",
            LogicalType::Integer => "integer",
            LogicalType::Bigint => "bigint",
            LogicalType::Smallint => "smallint",
            LogicalType::Float => "float",
            LogicalType::Double => "double",
            LogicalType::Boolean => "boolean",
            LogicalType::Date => "date",
            LogicalType::Time => "time",
            LogicalType::Timestamp => "timestamp",
            LogicalType::TimestampTz => "timestamp_tz",
            LogicalType::Json => "json",
            LogicalType::Binary => "binary",
            LogicalType::Uuid => "uuid",
            LogicalType::Struct => "struct",
            LogicalType::Array => "array",
            LogicalType::Map => "map",
        };
        f.write_str(name)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
}

/// A span of time such as `30m`, `2h`, `1d` or `1w`. (Ordered as
/// written, not by length: compare [`Duration::seconds`] for that.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Duration {
    pub count: u32,
    pub unit: TimeUnit,
}

impl Duration {
    pub const PATTERN: &'static str = "^[1-9][0-9]*[mhdw]$";

    pub fn parse(text: &str) -> Result<Duration, String> {
        let hint = "write a positive whole number and a unit: `30m`, `2h`, `1d`, `1w`";
        let split = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let (digits, unit) = text.split_at(split);
        let unit = match unit {
            "m" => TimeUnit::Minute,
            "h" => TimeUnit::Hour,
            "d" => TimeUnit::Day,
            "w" => TimeUnit::Week,
            _ => return Err(hint.into()),
        };
        if digits.starts_with('0') && digits.len() > 1 || digits.is_empty() {
            return Err(hint.into());
        }
        let too_long = || {
            format!(
                "`{text}` is too long: a duration is at most 100 years (`{}w`, `{}d`, `{}h`, `{}m`)",
                Self::MAX_SECONDS / 604_800,
                Self::MAX_SECONDS / 86_400,
                Self::MAX_SECONDS / 3_600,
                Self::MAX_SECONDS / 60
            )
        };
        // Digits only, so a failure to parse is a number too large.
        let count: u32 = digits.parse().map_err(|_| too_long())?;
        if count == 0 {
            return Err("a duration must be longer than zero".into());
        }
        let duration = Duration { count, unit };
        if duration.seconds() > Self::MAX_SECONDS {
            return Err(too_long());
        }
        Ok(duration)
    }

    /// The longest duration: 100 years of 365 days. Every engine can
    /// subtract it from now (a window's start) and compare it in seconds.
    pub const MAX_SECONDS: u64 = 100 * 365 * 86_400;

    pub fn seconds(self) -> u64 {
        let per = match self.unit {
            TimeUnit::Minute => 60,
            TimeUnit::Hour => 3_600,
            TimeUnit::Day => 86_400,
            TimeUnit::Week => 604_800,
        };
        u64::from(self.count) * per
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unit = match self.unit {
            TimeUnit::Minute => "m",
            TimeUnit::Hour => "h",
            TimeUnit::Day => "d",
            TimeUnit::Week => "w",
        };
        write!(f, "{}{unit}", self.count)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Error,
    Warn,
}

impl Severity {
    pub const CHOICES: &'static [(&'static str, Severity)] =
        &[("error", Severity::Error), ("warn", Severity::Warn)];

    /// The name a contract writes: `error` or `warn`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warn => "warn",
        }
    }
}

/// Which columns a dataset's table may have besides the declared ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Conformance {
    /// Columns the contract does not declare are allowed (the default).
    #[default]
    Additive,
    /// Every column of the table must be declared.
    Strict,
}

impl Conformance {
    pub const CHOICES: &'static [(&'static str, Conformance)] = &[
        ("additive", Conformance::Additive),
        ("strict", Conformance::Strict),
    ];

    pub fn is_additive(&self) -> bool {
        *self == Conformance::Additive
    }

    /// The name a contract writes.
    pub fn name(self) -> &'static str {
        match self {
            Conformance::Additive => "additive",
            Conformance::Strict => "strict",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Producer,
    Consumer,
    Steward,
}

impl Role {
    pub const CHOICES: &'static [(&'static str, Role)] = &[
        ("producer", Role::Producer),
        ("consumer", Role::Consumer),
        ("steward", Role::Steward),
    ];

    /// The name a contract writes: `producer`, `consumer` or `steward`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Producer => "producer",
            Role::Consumer => "consumer",
            Role::Steward => "steward",
        }
    }
}

/// How many failing rows a rule tolerates before it fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tolerance {
    /// At most this many failing rows.
    Count(u64),
    /// At most this percent (0..=100) of the rows the rule sees, as a
    /// canonical decimal (`0.5`, `10`), kept exact.
    Percent(String),
}

impl Tolerance {
    pub const PATTERN: &'static str = r"^(100(\.0{1,6})?|[1-9]?[0-9](\.[0-9]{1,6})?)%$";

    /// Allowed failures are `floor(rows seen × numerator / denominator)`:
    /// the percent as an exact fraction in lowest terms.
    pub fn ratio(&self) -> (u64, u64) {
        match self {
            Tolerance::Count(_) => (0, 1),
            Tolerance::Percent(text) => {
                let (int, frac) = text.split_once('.').unwrap_or((text, ""));
                let digits = format!("{int}{frac}");
                let numerator: u64 = digits.parse().unwrap_or(0);
                let denominator = 100 * 10u64.pow(frac.len() as u32);
                let g = gcd(numerator, denominator);
                (numerator / g, denominator / g)
            }
        }
    }

    pub fn parse_percent(text: &str) -> Result<Tolerance, String> {
        let number = text
            .strip_suffix('%')
            .ok_or("a tolerance is a count of rows (`5`) or a percent (`\"0.5%\"`)")?;
        // Exactly the schema's pattern: 0–100 with an optional fraction, no leading zeros.
        let (int, frac) = number.split_once('.').unwrap_or((number, "0"));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let valid_syntax = digits(int)
            && digits(frac)
            && int.len() <= 3
            && frac.len() <= 6
            && (int == "0" || !int.starts_with('0'));
        let value: f64 = number
            .parse()
            .ok()
            .filter(|_| valid_syntax)
            .ok_or_else(|| format!("`{number}` is not a number"))?;
        if !(0.0..=100.0).contains(&value) {
            return Err(format!(
                "a percent tolerance must be between 0% and 100%, not {number}%"
            ));
        }
        let frac = frac.trim_end_matches('0');
        let canonical = if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        };
        Ok(Tolerance::Percent(canonical))
    }
}

/// A service-level objective: the share of runs, strictly between 0% and
/// 100%, in which a promise must hold. Kept as its canonical decimal
/// (`99.5`), exact.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Objective(String);

impl Objective {
    /// The schema's pattern: a percent above 0 and below 100, up to six
    /// decimals (100% leaves no error budget: one bad run would break it).
    pub const PATTERN: &'static str = r"^(?!0(\.0{1,6})?%$)[1-9]?[0-9](\.[0-9]{1,6})?%$";

    /// The objective a contract gets when it states none: 99%.
    pub fn default_objective() -> Objective {
        Objective("99".into())
    }

    pub fn parse(text: &str) -> Result<Objective, String> {
        let number = text
            .strip_suffix('%')
            .ok_or_else(|| format!("an objective is a percent, e.g. `{text}%`"))?;
        match Tolerance::parse_percent(text) {
            Ok(Tolerance::Percent(canonical)) if canonical != "0" && canonical != "100" => {
                Ok(Objective(canonical))
            }
            Ok(Tolerance::Percent(canonical)) if canonical == "100" => Err(
                "100% leaves no error budget: one bad run would break the promise; write e.g. `99.9%`"
                    .into(),
            ),
            Ok(_) => Err("0% promises nothing; write e.g. `99%`".into()),
            Err(_) => Err(format!(
                "`{number}` is not a percent between 0 and 100 with at most six decimals"
            )),
        }
    }

    /// The percent, e.g. `99.5`.
    pub fn percent(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }

    /// The canonical decimal, e.g. `99.5`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Objective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// A relative change limit, e.g. `25%`: zero or more percent, up to six
/// decimals (above 100% allowed: a table may more than double). Kept as its
/// canonical decimal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct ChangeLimit(String);

impl ChangeLimit {
    pub const PATTERN: &'static str = r"^(0|[1-9][0-9]{0,5})(\.[0-9]{1,6})?%$";

    pub fn parse(text: &str) -> Result<ChangeLimit, String> {
        let hint = || format!("a change limit is a percent such as `25%`, not `{text}`");
        let number = text.strip_suffix('%').ok_or_else(hint)?;
        let (int, frac) = number.split_once('.').unwrap_or((number, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        let valid = !int.is_empty()
            && digits(int)
            && digits(frac)
            && int.len() <= 6
            && frac.len() <= 6
            && (int == "0" || !int.starts_with('0'))
            && number.contains('.') != frac.is_empty();
        if !valid {
            return Err(hint());
        }
        let frac = frac.trim_end_matches('0');
        Ok(ChangeLimit(if frac.is_empty() {
            int.to_string()
        } else {
            format!("{int}.{frac}")
        }))
    }

    /// The percent, e.g. `25.0`.
    pub fn percent(&self) -> f64 {
        self.0.parse().unwrap_or(0.0)
    }
}

impl fmt::Display for ChangeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a.max(1) } else { gcd(b, a % b) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_types() {
        assert_eq!(
            LogicalType::parse("decimal(12, 2)"),
            Ok(LogicalType::Decimal {
                precision: 12,
                scale: 2
            })
        );
        assert_eq!(
            LogicalType::parse("decimal(5)"),
            Ok(LogicalType::Decimal {
                precision: 5,
                scale: 0
            })
        );
        assert!(LogicalType::parse("decimal(40,2)").is_err());
        assert!(LogicalType::parse("decimal(5,7)").is_err());
        assert!(LogicalType::parse("decimal").is_err());
        assert!(LogicalType::parse("int").is_err());
        assert!(LogicalType::parse(" string").is_err());
        assert!(LogicalType::parse("decimal (12,2)").is_err());
        assert!(Duration::parse("01h").is_err());
        for bad in [" 5%", "007%", "5.%"] {
            assert!(Tolerance::parse_percent(bad).is_err(), "{bad}");
        }
        assert_eq!(
            LogicalType::parse("timestamp_tz").unwrap().to_string(),
            "timestamp_tz"
        );
    }

    #[test]
    fn parses_durations() {
        assert_eq!(Duration::parse("2h").map(Duration::seconds), Ok(7200));
        assert_eq!(Duration::parse("1w").unwrap().to_string(), "1w");
        for bad in [
            "0h",
            "2 hours",
            "5y",
            "-1h",
            "h",
            "",
            "1.5h",
            "99999999999h",
        ] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_change_limits() {
        assert_eq!(ChangeLimit::parse("25%").unwrap().to_string(), "25%");
        assert_eq!(ChangeLimit::parse("250.50%").unwrap().percent(), 250.5);
        assert_eq!(ChangeLimit::parse("0%").unwrap().percent(), 0.0);
        for bad in ["25", "-5%", "05%", "1.%", "1234567%", "x%", "%"] {
            assert!(ChangeLimit::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_objectives() {
        assert_eq!(Objective::parse("99.50%").unwrap().to_string(), "99.5%");
        assert_eq!(Objective::parse("0.1%").unwrap().percent(), 0.1);
        for bad in [
            "100%",
            "0%",
            "0.000%",
            "99.5",
            "101%",
            "-1%",
            "99.1234567%",
            "abc%",
        ] {
            assert!(Objective::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn parses_percent_tolerance() {
        assert_eq!(
            Tolerance::parse_percent("0.5%"),
            Ok(Tolerance::Percent("0.5".into()))
        );
        assert_eq!(
            Tolerance::parse_percent("100.00%"),
            Ok(Tolerance::Percent("100".into()))
        );
        assert_eq!(Tolerance::parse_percent("0.5%").unwrap().ratio(), (1, 200));
        assert_eq!(Tolerance::parse_percent("100%").unwrap().ratio(), (1, 1));
        assert_eq!(Tolerance::parse_percent("0%").unwrap().ratio(), (0, 1));
        assert_eq!(
            Tolerance::parse_percent("12.345678%").unwrap().ratio(),
            (6172839, 50000000)
        );
        for bad in [
            "150%",
            "abc",
            "-1%",
            "5",
            "%",
            "1e2%",
            ".5%",
            "nan%",
            "inf%",
            "0.1234567%",
        ] {
            assert!(Tolerance::parse_percent(bad).is_err(), "{bad}");
        }
    }
}

/// A SQL dialect datapact emits: its identity and names. How it writes SQL
/// is its `SqlDialect` implementation (`emit::sql::dialect`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    strum::VariantArray,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Dialect {
    Duckdb,
    Postgres,
    Snowflake,
    Bigquery,
    Redshift,
    Databricks,
    Trino,
    Sqlserver,
}

/// The format a contract is written in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// datapact's own format.
    #[default]
    Native,
    /// The Open Data Contract Standard (ODCS) v3.
    Odcs,
    /// The Data Contract Specification (DCS).
    Dcs,
}

/// The ODCS custom property of a schema object that is no node of the dbt
/// project (`datapactDbt: false`, the native `dataset.dbt: false`).
pub const ODCS_OUTSIDE_DBT: &str = "datapactDbt";

/// The kinds of dbt node a dataset can be bound to (`dataset.dbt`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    strum::VariantArray,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum DbtKind {
    /// Built by a dbt model: `ref('<name>')`.
    Model,
    /// A table of a dbt source: `source('<name>', '<table>')`.
    Source,
    /// Loaded by `dbt seed`: `ref('<name>')`.
    Seed,
    /// Built by a dbt snapshot: `ref('<name>')`.
    Snapshot,
}

impl DbtKind {
    /// Every kind, in declaration order.
    pub const ALL: &'static [DbtKind] = <DbtKind as strum::VariantArray>::VARIANTS;

    /// The key of `dataset.dbt` that binds this kind (`model`, `source`, …).
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The ODCS custom property that carries the binding
    /// (`datapactDbtModel`, …), read and written by `convert --to odcs`.
    pub fn odcs_property(self) -> &'static str {
        match self {
            DbtKind::Model => "datapactDbtModel",
            DbtKind::Source => "datapactDbtSource",
            DbtKind::Seed => "datapactDbtSeed",
            DbtKind::Snapshot => "datapactDbtSnapshot",
        }
    }

    /// The top-level key of a dbt property file listing such nodes.
    pub fn property_key(self) -> &'static str {
        match self {
            DbtKind::Model => "models",
            DbtKind::Source => "sources",
            DbtKind::Seed => "seeds",
            DbtKind::Snapshot => "snapshots",
        }
    }
}

impl Dialect {
    /// Every dialect, in declaration order.
    pub const ALL: &'static [Dialect] = <Dialect as strum::VariantArray>::VARIANTS;

    pub fn name(self) -> &'static str {
        self.into()
    }

    pub fn from_name(name: &str) -> Option<Dialect> {
        Dialect::ALL.iter().copied().find(|d| d.name() == name)
    }

    /// Other names people use for a dialect, for "did you mean" hints.
    pub const SYNONYMS: &'static [(&'static str, &'static str)] = &[
        ("postgresql", "postgres"),
        ("pg", "postgres"),
        ("mssql", "sqlserver"),
        ("tsql", "sqlserver"),
        ("spark", "databricks"),
        ("sparksql", "databricks"),
        ("presto", "trino"),
        ("bq", "bigquery"),
        ("duck", "duckdb"),
    ];
}

/// The repetition counts a regex engine accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegexLimits {
    /// The largest count in one `{n,m}`.
    pub count: u32,
    /// The largest product of the counts of nested repetitions
    /// (`(a{100}){10}` is 1,000), if the engine limits it.
    pub nested: Option<u32>,
}

/// RE2 (DuckDB, BigQuery, SQL Server): at most 1,000 repetitions, nested
/// ones included (`kMaxRepeat`; "invalid repetition size").
const RE2_LIMITS: RegexLimits = RegexLimits {
    count: 1000,
    nested: Some(1000),
};

/// PostgreSQL's Spencer engine and Redshift's: at most 255 (`RE_DUP_MAX`;
/// "invalid repetition count(s)").
const POSTGRES_LIMITS: RegexLimits = RegexLimits {
    count: 255,
    nested: None,
};

impl Dialect {
    /// The largest repetition counts the dialect's regex engine takes in
    /// `{n}`, `{n,}` and `{n,m}`; `None` when no pattern a contract can
    /// hold reaches them. A pattern over them would take the whole one-scan
    /// query down, so validation refuses it (`regex-limit`).
    pub fn regex_limits(self) -> Option<RegexLimits> {
        match self {
            Dialect::Duckdb | Dialect::Bigquery | Dialect::Sqlserver => Some(RE2_LIMITS),
            Dialect::Postgres | Dialect::Redshift => Some(POSTGRES_LIMITS),
            Dialect::Snowflake | Dialect::Databricks | Dialect::Trino => None,
        }
    }
}
