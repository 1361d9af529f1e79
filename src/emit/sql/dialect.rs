//! The SQL dialects datapact emits, and everything that differs between them.
//!
//! This file is the one place a dialect lives: a variant of [`Dialect`] (its
//! name) and an implementation of [`SqlDialect`] (quoting, literals, type
//! names, regex, string length, integer division, time arithmetic). The
//! trait's defaults are ANSI SQL; a dialect overrides only what it does
//! differently. The emitter (`sql.rs`) is written once against the trait.
//!
//! Adding a dialect: a variant here, its arm in [`Dialect::name`] and
//! [`Dialect::sql`], a unit struct implementing [`SqlDialect`], and tests.

use crate::literal::Literal;
use crate::types::{Dialect, LogicalType, TypeFamily};

impl Dialect {
    /// The dialect's SQL rendering.
    pub fn sql(self) -> &'static dyn SqlDialect {
        match self {
            Dialect::Duckdb => &DuckDb,
            Dialect::Postgres => &Postgres,
            Dialect::Snowflake => &Snowflake,
            Dialect::Bigquery => &BigQuery,
            Dialect::Redshift => &Redshift,
            Dialect::Databricks => &Databricks,
            Dialect::Trino => &Trino,
            Dialect::Sqlserver => &SqlServer,
        }
    }
}

/// How a dialect writes string literals; see [`SqlDialect::string_quoting`].
#[derive(Debug, Clone, Copy)]
pub struct StringQuoting {
    pub prefix: &'static str,
    pub escapes: &'static [(&'static str, &'static str)],
}

impl<D: SqlDialect + ?Sized> crate::user_sql::Quote for D {
    fn quote_ident(&self, name: &str) -> String {
        SqlDialect::quote_ident(self, name)
    }

    fn string_literal(&self, text: &str) -> String {
        SqlDialect::string_literal(self, text)
    }
}

/// Keywords that cannot be a bare column name on some supported engine
/// (ANSI, plus BigQuery, SQL Server, Trino, Snowflake and Spark additions).
const RESERVED: &[&str] = &[
    "all",
    "alter",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "assert_rows_modified",
    "at",
    "authorization",
    "backup",
    "begin",
    "between",
    "break",
    "browse",
    "bulk",
    "by",
    "cascade",
    "case",
    "cast",
    "check",
    "checkpoint",
    "close",
    "clustered",
    "coalesce",
    "collate",
    "column",
    "commit",
    "compute",
    "connect",
    "constraint",
    "contains",
    "containstable",
    "continue",
    "convert",
    "create",
    "cross",
    "cube",
    "current",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "cursor",
    "database",
    "dbcc",
    "deallocate",
    "declare",
    "default",
    "define",
    "delete",
    "deny",
    "desc",
    "describe",
    "disk",
    "distinct",
    "distributed",
    "double",
    "drop",
    "dump",
    "else",
    "end",
    "enum",
    "errlvl",
    "escape",
    "except",
    "exclude",
    "exec",
    "execute",
    "exists",
    "exit",
    "external",
    "extract",
    "false",
    "fetch",
    "file",
    "fillfactor",
    "following",
    "for",
    "foreign",
    "freetext",
    "freetexttable",
    "from",
    "full",
    "function",
    "goto",
    "grant",
    "group",
    "grouping",
    "groups",
    "hash",
    "having",
    "holdlock",
    "identity",
    "identity_insert",
    "identitycol",
    "if",
    "ignore",
    "ilike",
    "in",
    "increment",
    "index",
    "inner",
    "insert",
    "intersect",
    "interval",
    "into",
    "is",
    "join",
    "key",
    "kill",
    "lateral",
    "left",
    "like",
    "limit",
    "lineno",
    "load",
    "localtime",
    "localtimestamp",
    "lookup",
    "merge",
    "minus",
    "national",
    "natural",
    "new",
    "no",
    "nocheck",
    "nonclustered",
    "not",
    "null",
    "nullif",
    "nulls",
    "of",
    "off",
    "offset",
    "offsets",
    "on",
    "open",
    "opendatasource",
    "openquery",
    "openrowset",
    "openxml",
    "option",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "percent",
    "pivot",
    "plan",
    "preceding",
    "precision",
    "primary",
    "print",
    "proc",
    "procedure",
    "proto",
    "public",
    "qualify",
    "raiserror",
    "range",
    "read",
    "readtext",
    "reconfigure",
    "recursive",
    "references",
    "regexp",
    "replication",
    "respect",
    "restore",
    "restrict",
    "return",
    "revert",
    "revoke",
    "right",
    "rlike",
    "rollback",
    "rollup",
    "row",
    "rowcount",
    "rowguidcol",
    "rows",
    "rule",
    "sample",
    "save",
    "schema",
    "select",
    "session_user",
    "set",
    "setuser",
    "show",
    "shutdown",
    "some",
    "statistics",
    "struct",
    "system_user",
    "table",
    "tablesample",
    "textsize",
    "then",
    "to",
    "top",
    "tran",
    "transaction",
    "treat",
    "trigger",
    "true",
    "truncate",
    "try_convert",
    "tsequal",
    "unbounded",
    "uescape",
    "union",
    "unique",
    "unnest",
    "unpivot",
    "update",
    "updatetext",
    "use",
    "user",
    "using",
    "values",
    "varying",
    "view",
    "waitfor",
    "when",
    "where",
    "while",
    "window",
    "with",
    "within",
    "writetext",
    // PostgreSQL, DuckDB, Redshift and Snowflake additions.
    "account",
    "analyse",
    "analyze",
    "anti",
    "asof",
    "asymmetric",
    "binary",
    "both",
    "collation",
    "concurrently",
    "connection",
    "current_catalog",
    "current_role",
    "current_schema",
    "deferrable",
    "do",
    "freeze",
    "gscluster",
    "initially",
    "isnull",
    "issue",
    "leading",
    "map",
    "notnull",
    "only",
    "organization",
    "overlaps",
    "placing",
    "positional",
    "returning",
    "semi",
    "similar",
    "start",
    "summarize",
    "symmetric",
    "sysdate",
    "timestamp",
    "trailing",
    "try_cast",
    "variadic",
    "verbose",
    "whenever",
];

/// Whether a column name can be written bare (dbt's properties and tests): lower-case letters,
/// digits and `_`, not a keyword. Other names are quoted (`quote: true`).
pub fn is_plain_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !RESERVED.contains(&name)
}

/// How one SQL dialect writes the pieces the emitter needs.
///
/// Expression arguments are SQL text that is already safe to embed
/// (quoted identifiers, escaped literals, parenthesized where needed).
pub trait SqlDialect: Sync {
    /// A quoted identifier, as [`Self::quote_name`] writes it, never holding
    /// a control character, line break or bidirectional control whatever
    /// `name` holds (validation refuses such names; each is replaced by
    /// U+FFFD here). Dialects override `quote_name`, not this.
    fn quote_ident(&self, name: &str) -> String {
        self.quote_name(&crate::text::clean_name(name))
    }

    /// How the dialect quotes a name. ANSI: `"name"`, inner quotes doubled.
    fn quote_name(&self, name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// How string literals are written: a prefix before the opening quote
    /// and the replacements, applied in order, that escape the text.
    /// ANSI: `'text'`, inner quotes doubled, backslash literal. Data, so the
    /// dbt target can escape in Jinja exactly as [`Self::string_literal`] does.
    fn string_quoting(&self) -> StringQuoting {
        StringQuoting {
            prefix: "",
            escapes: &[("'", "''")],
        }
    }

    /// A string literal, written as [`Self::string_quoting`] says, never
    /// holding a control character other than tab and line breaks, or a
    /// bidirectional control (each replaced by U+FFFD; validation refuses
    /// them in every value).
    fn string_literal(&self, text: &str) -> String {
        let quoting = self.string_quoting();
        let mut body = crate::text::clean(text).into_owned();
        for (from, to) in quoting.escapes {
            body = body.replace(from, to);
        }
        format!("{}'{body}'", quoting.prefix)
    }

    /// The physical type of a logical type.
    fn type_name(&self, ty: LogicalType) -> String;

    /// The most bytes one check query may hold: a larger one is split into
    /// parts (`check_query_parts`). ANSI: no limit (DuckDB, PostgreSQL's
    /// 1 GB, Spark).
    fn max_query_bytes(&self) -> Option<usize> {
        None
    }

    /// At most `n` rows of `query`. ANSI: `limit` on a derived table.
    fn limited(&self, query: &str, n: u64) -> String {
        format!("select *\nfrom (\n{query}\n) as datapact_sample\nlimit {n}")
    }

    fn bool_literal(&self, value: bool) -> String {
        if value { "true" } else { "false" }.to_string()
    }

    /// A literal of a column's type, compared in that type.
    fn literal(&self, literal: &Literal, ty: LogicalType) -> String {
        match literal {
            Literal::String(s) => self.string_literal(s),
            // A float column compares in its own precision: `real_col <= 0.1`
            // must not widen the column to double.
            Literal::Number(n) | Literal::Float(n) if ty == LogicalType::Float => {
                format!("cast({n} as {})", self.type_name(ty))
            }
            // Exact in the column's own type: engines read a literal with a
            // fraction or many digits as a double (BigQuery any fraction,
            // DuckDB more than 38 digits), losing the digits a bound needs.
            // Integers that fit 64 bits are exact everywhere.
            Literal::Number(n) | Literal::Float(n)
                if matches!(ty, LogicalType::Decimal { .. }) && !is_small_integer(n) =>
            {
                self.typed_literal(n, ty)
            }
            Literal::Number(n) | Literal::Float(n) => n.clone(),
            Literal::Boolean(b) => self.bool_literal(*b),
            Literal::Date(text) | Literal::Time(text) | Literal::Uuid(text) => {
                self.typed_literal(text, ty)
            }
            Literal::Timestamp(text) => self.typed_literal(&text.replacen('T', " ", 1), ty),
            Literal::TimestampTz(text) => self.timestamp_tz_literal(text, ty),
        }
    }

    /// `cast('text' as type)`: the portable typed literal.
    fn typed_literal(&self, text: &str, ty: LogicalType) -> String {
        format!(
            "cast({} as {})",
            self.string_literal(text),
            self.type_name(ty)
        )
    }

    /// A UTC instant written `YYYY-MM-DDTHH:MM:SS[.f]Z`.
    fn timestamp_tz_literal(&self, text: &str, ty: LogicalType) -> String {
        let utc = text.replacen('T', " ", 1);
        let utc = utc.strip_suffix('Z').unwrap_or(&utc);
        self.typed_literal(&format!("{utc}+00:00"), ty)
    }

    /// True when the whole of `value` matches `regex` (RE2 syntax, unanchored
    /// as written). ANSI has no regex; every dialect says how.
    fn regex_full_match(&self, value: &str, regex: &str) -> String;

    /// Number of characters (not bytes) of a string.
    fn char_length(&self, value: &str) -> String {
        format!("char_length({value})")
    }

    /// The counting aggregate, returning a 64-bit integer.
    fn count(&self) -> &'static str {
        "count"
    }

    /// Integer division of non-negative integers, truncating.
    fn int_div(&self, dividend: &str, divisor: &str) -> String {
        format!("({dividend}) / ({divisor})")
    }

    /// String concatenation of non-null strings.
    fn concat(&self, parts: &[String]) -> String {
        parts.join(" || ")
    }

    /// Seconds since 1970-01-01 00:00 UTC of a value of type `ty` (date,
    /// timestamp taken as UTC, or timestamp_tz), as a number.
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String;

    /// Seconds since 1970-01-01 00:00 UTC of the moment the query runs.
    fn now_epoch_seconds(&self) -> String;

    /// Seconds elapsed from `value` (date, timestamp as UTC, timestamp_tz)
    /// until now; NULL when `value` is NULL.
    fn age_seconds(&self, value: &str, ty: LogicalType) -> String {
        format!(
            "{} - {}",
            self.now_epoch_seconds(),
            self.epoch_seconds(value, ty)
        )
    }

    /// The start of a window `seconds` long ending now, as a value of `ty`
    /// (date; timestamp, read as UTC; timestamp_tz) that a column of that
    /// type is compared with as it is, so the engine can skip partitions
    /// and files outside it. For a date: the UTC day it starts on.
    /// ANSI: interval arithmetic on `current_timestamp`.
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        let start = format!("current_timestamp - interval '{seconds}' second");
        match ty {
            LogicalType::Date => format!("cast({start} as date)"),
            _ => start,
        }
    }

    /// A value usable in `count(distinct …)` standing for `value`.
    fn distinct_key(&self, value: &str, _ty: LogicalType) -> String {
        value.to_string()
    }

    /// Whether uniqueness is counted in a grouped pass of its own (group
    /// by the key, duplicates = rows - groups) rather than as
    /// `count(distinct …)` in the one scan. Spark plans several distinct
    /// counts in one aggregate by copying every row once per distinct (its
    /// `Expand`), and merges single-row aggregates over one table back
    /// into one (`MergeScalarSubqueries`); a grouped pass is neither.
    /// ANSI: in the one scan (DuckDB, PostgreSQL and the warehouses keep a
    /// hash table per distinct; see docs/sql.md).
    fn grouped_uniqueness(&self) -> bool {
        false
    }

    // --- Nested values: struct, array, map (`nested.rs`). ---

    /// Whether a column of nested type `ty` is stored as a JSON document
    /// rather than the engine's own struct, array or map type;
    /// `scalar_items`: an array whose items are not nested. Everything
    /// inside a JSON document is JSON. ANSI: the engine's own types.
    fn nested_in_json(&self, _ty: LogicalType, _scalar_items: bool) -> bool {
        false
    }

    /// Whether rules inside nested columns are compiled at all.
    fn nested_rules(&self) -> bool {
        true
    }

    /// Whether an aggregate's argument may hold a subquery; when not, the
    /// conditions that hold one are computed per row beside the scan.
    fn subquery_in_aggregate(&self) -> bool {
        true
    }

    /// A struct type of `(name, type)` fields. ANSI: `row("a" t, …)`.
    fn struct_type(&self, fields: &[(String, String)]) -> String {
        let fields: Vec<String> = fields
            .iter()
            .map(|(name, ty)| format!("{} {ty}", self.quote_ident(name)))
            .collect();
        format!("row({})", fields.join(", "))
    }

    /// An array type. ANSI: `t array`.
    fn array_type(&self, item: &str) -> String {
        format!("{item} array")
    }

    /// A map type. ANSI: `map(k, v)`.
    fn map_type(&self, key: &str, value: &str) -> String {
        format!("map({key}, {value})")
    }

    /// A field of a struct value; NULL when the struct is NULL.
    fn field(&self, value: &str, name: &str) -> String {
        format!("{value}.{}", self.quote_ident(name))
    }

    /// True when some element of the array `list` makes `predicate` (built
    /// from the element's expression) true; NULL or false otherwise, and
    /// for a NULL or empty array. `var` is a name free in the query.
    /// ANSI: `exists` over `unnest`.
    fn any_element(&self, list: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from unnest({list}) as {var}_t({var}) where {})",
            predicate(var)
        )
    }

    /// The number of elements of an array; NULL for NULL.
    fn element_count(&self, list: &str) -> String {
        format!("cardinality({list})")
    }

    /// The number of entries of a map; NULL for NULL.
    fn map_size(&self, map: &str) -> String {
        format!("cardinality({map})")
    }

    /// True when a non-null element occurs twice in the array.
    fn has_duplicates(&self, list: &str, var: &str) -> String {
        format!(
            "(select count(distinct {var}) < count({var}) from unnest({list}) as {var}_t({var}))"
        )
    }

    /// [`Self::any_element`] over a map's keys. ANSI: over `map_keys`.
    fn map_any_key(&self, map: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.any_element(&self.map_keys(map), var, predicate)
    }

    /// [`Self::any_element`] over a map's values. ANSI: over `map_values`.
    fn map_any_value(&self, map: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.any_element(&self.map_values(map), var, predicate)
    }

    /// A map's keys, as an array.
    fn map_keys(&self, map: &str) -> String {
        format!("map_keys({map})")
    }

    /// A map's values, as an array.
    fn map_values(&self, map: &str) -> String {
        format!("map_values({map})")
    }

    /// In a JSON document: the member `name` of an object (SQL NULL when
    /// absent); `nested`: the member is itself an object or array.
    fn json_field(&self, doc: &str, name: &str, _nested: bool) -> String {
        format!(
            "json_query({doc}, {})",
            self.string_literal(&json_path(name))
        )
    }

    /// A JSON value as a SQL value of the scalar type `ty`; NULL for JSON
    /// null or a value of another kind.
    fn json_scalar(&self, value: &str, ty: LogicalType) -> String {
        format!("cast({value} as {})", self.type_name(ty))
    }

    /// Text (a JSON object's key) as a SQL value of the scalar type `ty`;
    /// NULL where it is not one. ANSI: a cast.
    fn text_scalar(&self, text: &str, ty: LogicalType) -> String {
        format!("cast({text} as {})", self.type_name(ty))
    }

    /// True for SQL NULL and JSON null.
    fn json_is_null(&self, value: &str) -> String {
        format!("{value} is null")
    }

    /// [`Self::any_element`] over a JSON array.
    fn json_any_element(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.any_element(doc, var, predicate)
    }

    /// [`Self::any_element`] over a JSON object's keys (as text).
    fn json_any_key(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.any_element(&self.map_keys(doc), var, predicate)
    }

    /// [`Self::any_element`] over a JSON object's values.
    fn json_any_value(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.any_element(&self.map_values(doc), var, predicate)
    }

    /// The number of elements of a JSON array (`object`: entries of an
    /// object); NULL for NULL.
    fn json_length(&self, doc: &str, _object: bool) -> String {
        self.element_count(doc)
    }

    /// [`Self::has_duplicates`] for a JSON array (JSON nulls aside).
    fn json_has_duplicates(&self, doc: &str, var: &str) -> String {
        self.has_duplicates(doc, var)
    }

    // --- The catalog, for schema conformance (`conformance.rs`). ---

    /// The catalog view listing columns (`table_catalog`, `table_schema`,
    /// `table_name`, `column_name`, `data_type`) of tables in `database`
    /// (the connection's when `None`) and `schema`.
    fn columns_catalog(&self, _database: Option<&str>, _schema: Option<&str>) -> String {
        "information_schema.columns".into()
    }

    /// The current database (catalog), to scope the catalog when a
    /// dataset names none; `None` when [`Self::columns_catalog`] is scoped.
    fn current_database(&self) -> Option<&'static str> {
        Some("current_database()")
    }

    /// The current schema, for a dataset that names none.
    fn current_schema(&self) -> &'static str {
        "current_schema()"
    }

    /// A name as the catalog stores it when written as
    /// [`Self::quote_ident`] writes it.
    fn stored_name(&self, name: &str) -> String {
        name.to_string()
    }

    /// Whether quoted names match regardless of case (the catalog is then
    /// compared case-insensitively).
    fn names_ignore_case(&self) -> bool {
        false
    }

    /// `LIKE` patterns, lower case, of the catalog's `data_type` of the
    /// columns whose values fit the logical type `ty`: its own type and the
    /// narrower ones (an `integer` column fits `bigint`). Precision, scale
    /// and length are not compared. ANSI: PostgreSQL's and DuckDB's names.
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        ansi_catalog_types(ty)
    }
}

/// An integer literal of at most 18 digits: a 64-bit integer on every engine.
fn is_small_integer(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Physical types shared by most dialects; each dialect's `type_name`
/// handles its differences first and falls back to this.
fn common_type(ty: LogicalType) -> String {
    match ty {
        LogicalType::String => "varchar".into(),
        LogicalType::Integer => "integer".into(),
        LogicalType::Bigint => "bigint".into(),
        LogicalType::Smallint => "smallint".into(),
        LogicalType::Decimal { precision, scale } => format!("decimal({precision},{scale})"),
        LogicalType::Float => "real".into(),
        LogicalType::Double => "double precision".into(),
        LogicalType::Boolean => "boolean".into(),
        LogicalType::Date => "date".into(),
        LogicalType::Time => "time".into(),
        LogicalType::Timestamp => "timestamp".into(),
        LogicalType::TimestampTz => "timestamp with time zone".into(),
        LogicalType::Json => "json".into(),
        LogicalType::Binary => "varbinary".into(),
        LogicalType::Uuid => "uuid".into(),
        // Without its parts (see `nested::column_type`): a JSON document.
        LogicalType::Struct | LogicalType::Array | LogicalType::Map => "json".into(),
    }
}

/// `view` of `database`'s catalog (`"db".information_schema.columns`), or
/// of the connection's database.
fn in_database(d: &dyn SqlDialect, database: Option<&str>, view: &str) -> String {
    match database {
        Some(db) => format!("{}.{view}", d.quote_ident(db)),
        None => view.to_string(),
    }
}

/// The catalog types of [`SqlDialect::catalog_types`] in PostgreSQL's and
/// DuckDB's names, which most engines share.
fn ansi_catalog_types(ty: LogicalType) -> Vec<&'static str> {
    const SMALLINT: &[&str] = &["smallint", "tinyint", "int2", "utinyint"];
    const INTEGER: &[&str] = &["integer", "int", "int4", "usmallint"];
    const STRING: &[&str] = &[
        "character varying%",
        "varchar%",
        "character(%",
        "char%",
        "bpchar%",
        "text",
        "string",
        // PostgreSQL's one-byte `"char"`; a DuckDB enum of strings.
        "\"char\"",
        "enum(%",
    ];
    match ty {
        LogicalType::String => STRING.to_vec(),
        LogicalType::Uuid => [&["uuid"], STRING].concat(),
        LogicalType::Smallint => SMALLINT.to_vec(),
        LogicalType::Integer => [SMALLINT, INTEGER].concat(),
        LogicalType::Bigint => [SMALLINT, INTEGER, &["bigint", "int8", "uinteger"]].concat(),
        LogicalType::Decimal { .. } => vec!["numeric%", "decimal%"],
        LogicalType::Float => vec!["real", "float", "float4"],
        LogicalType::Double => vec!["real", "float", "float4", "float8", "double%"],
        LogicalType::Boolean => vec!["boolean", "bool"],
        LogicalType::Date => vec!["date"],
        LogicalType::Time => vec![
            "time",
            "time(%)",
            "time without time zone",
            "time(%) without time zone",
        ],
        LogicalType::Timestamp => vec![
            "timestamp",
            "timestamp(%)",
            "timestamp without time zone",
            "timestamp(%) without time zone",
            "timestamp_s",
            "timestamp_ms",
            "timestamp_ns",
        ],
        LogicalType::TimestampTz => vec![
            "timestamp with time zone",
            "timestamp(%) with time zone",
            "timestamptz",
        ],
        LogicalType::Json => vec!["json", "jsonb"],
        LogicalType::Binary => vec!["bytea", "blob", "binary%", "varbinary%"],
        // Native nested types (DuckDB, Spark, Trino, BigQuery), or JSON.
        LogicalType::Struct => vec!["struct%", "row%", "record%", "json", "jsonb"],
        // `integer[]`, and DuckDB's fixed-size `integer[3]`.
        LogicalType::Array => vec!["%]", "array%", "list%", "json", "jsonb"],
        LogicalType::Map => vec!["map%", "json", "jsonb"],
    }
}

/// Backslash-escaping string literals (BigQuery, Spark, Snowflake): `\` and
/// `'` are escaped, and control characters are written as escapes.
const BACKSLASH_STRING: StringQuoting = StringQuoting {
    prefix: "",
    escapes: &[
        ("\\", "\\\\"),
        ("'", "\\'"),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
    ],
};

/// `$."name"`: a JSON path to an object's member, quoted.
fn json_path(name: &str) -> String {
    format!("$.\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `^(re)$`: full match for engines whose regex functions search.
fn anchored(regex: &str) -> String {
    format!("^({regex})$")
}

/// Full match for Java-style engines (Spark, Trino), where `$` also matches
/// before a final line break: anchor at the very end with `\z`.
fn anchored_java(regex: &str) -> String {
    format!("^(?:{regex})\\z")
}

pub struct DuckDb;

impl SqlDialect for DuckDb {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        // Microseconds since the epoch, UTC: a timestamp without time zone.
        let utc = format!("make_timestamp(cast((epoch(now()) - {seconds}) * 1000000 as bigint))");
        match ty {
            LogicalType::TimestampTz => format!("now() - to_seconds({seconds})"),
            LogicalType::Date => format!("cast({utc} as date)"),
            _ => utc,
        }
    }
    fn struct_type(&self, fields: &[(String, String)]) -> String {
        let fields: Vec<String> = fields
            .iter()
            .map(|(name, ty)| format!("{} {ty}", self.quote_ident(name)))
            .collect();
        format!("struct({})", fields.join(", "))
    }
    fn array_type(&self, item: &str) -> String {
        format!("{item}[]")
    }
    fn field(&self, value: &str, name: &str) -> String {
        // `"a"."b"` would name table `a`'s column `b`.
        format!("struct_extract({value}, {})", self.string_literal(name))
    }
    fn any_element(&self, list: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "len(list_filter({list}, lambda {var}: {})) > 0",
            predicate(var)
        )
    }
    fn element_count(&self, list: &str) -> String {
        format!("len({list})")
    }
    fn has_duplicates(&self, list: &str, var: &str) -> String {
        // list_distinct drops NULLs.
        format!(
            "len(list_distinct({list})) < len(list_filter({list}, lambda {var}: {var} is not null))"
        )
    }
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::Double => "double".into(),
            LogicalType::TimestampTz => "timestamptz".into(),
            LogicalType::Binary => "blob".into(),
            _ => common_type(ty),
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!("regexp_full_match({value}, {})", self.string_literal(regex))
    }
    fn char_length(&self, value: &str) -> String {
        format!("length({value})")
    }
    fn int_div(&self, dividend: &str, divisor: &str) -> String {
        format!("({dividend}) // ({divisor})")
    }
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String {
        match ty {
            LogicalType::Date => format!("epoch(cast({value} as timestamp))"),
            _ => format!("epoch({value})"),
        }
    }
    fn now_epoch_seconds(&self) -> String {
        "epoch(now())".into()
    }
}

pub struct Postgres;

impl SqlDialect for Postgres {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("now() - {seconds} * interval '1 second'"),
            LogicalType::Date => {
                format!(
                    "cast((now() at time zone 'UTC') - {seconds} * interval '1 second' as date)"
                )
            }
            _ => format!("(now() at time zone 'UTC') - {seconds} * interval '1 second'"),
        }
    }
    /// Arrays of scalars are PostgreSQL arrays; structs, maps and arrays
    /// of nested values are `jsonb`.
    fn nested_in_json(&self, ty: LogicalType, scalar_items: bool) -> bool {
        !(ty == LogicalType::Array && scalar_items)
    }
    fn array_type(&self, item: &str) -> String {
        format!("{item}[]")
    }
    fn field(&self, value: &str, name: &str) -> String {
        format!("({value}).{}", self.quote_ident(name))
    }
    fn json_field(&self, doc: &str, name: &str, _nested: bool) -> String {
        format!("({doc} -> {})", self.string_literal(name))
    }
    /// By the JSON value's kind: a number as `numeric` (no typmod to
    /// overflow), text through [`Self::text_scalar`]; a value of another
    /// kind is NULL.
    fn json_scalar(&self, value: &str, ty: LogicalType) -> String {
        let text = format!("({value} #>> '{{}}')");
        let (kind, converted) = match ty.family() {
            TypeFamily::String => ("string", text),
            TypeFamily::Uuid | TypeFamily::Temporal => ("string", self.text_scalar(&text, ty)),
            TypeFamily::Integer | TypeFamily::Decimal => {
                ("number", format!("cast({text} as numeric)"))
            }
            TypeFamily::Float => ("number", format!("cast({text} as double precision)")),
            TypeFamily::Boolean => ("boolean", format!("cast({text} as boolean)")),
            TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => return value.into(),
        };
        format!("case when jsonb_typeof({value}) = '{kind}' then {converted} end")
    }
    /// PostgreSQL 15 has no cast that returns NULL: the text's shape is
    /// checked first (a date of the right shape that does not exist, such
    /// as `2024-02-30`, still fails the query).
    fn text_scalar(&self, text: &str, ty: LogicalType) -> String {
        let guarded = |shape: &str, target: &str| {
            format!(
                "case when {text} ~ {} then cast({text} as {target}) end",
                self.string_literal(shape)
            )
        };
        let number = r"^\s*[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?\s*$";
        match ty.family() {
            TypeFamily::String | TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => {
                text.into()
            }
            TypeFamily::Integer | TypeFamily::Decimal => guarded(number, "numeric"),
            TypeFamily::Float => guarded(number, "double precision"),
            TypeFamily::Boolean => {
                format!("case lower({text}) when 'true' then true when 'false' then false end")
            }
            TypeFamily::Uuid => guarded(
                "^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$",
                "uuid",
            ),
            TypeFamily::Temporal => {
                let shape = match ty {
                    LogicalType::Date => "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                    LogicalType::Time => "^[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?$",
                    _ => {
                        "^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?)?([zZ]|[-+][0-9]{2}(:?[0-9]{2})?)?$"
                    }
                };
                guarded(shape, &self.type_name(ty))
            }
        }
    }
    fn json_is_null(&self, value: &str) -> String {
        format!("coalesce(jsonb_typeof({value}), 'null') = 'null'")
    }
    fn json_any_element(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "case when jsonb_typeof({doc}) = 'array' then exists (select 1 from jsonb_array_elements({doc}) as {var}_t({var}) where {}) end",
            predicate(var)
        )
    }
    fn json_any_key(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "case when jsonb_typeof({doc}) = 'object' then exists (select 1 from jsonb_object_keys({doc}) as {var}_t({var}) where {}) end",
            predicate(var)
        )
    }
    fn json_any_value(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "case when jsonb_typeof({doc}) = 'object' then exists (select 1 from jsonb_each({doc}) as {var}_t({var}_k, {var}) where {}) end",
            predicate(var)
        )
    }
    fn json_length(&self, doc: &str, object: bool) -> String {
        if object {
            format!(
                "case when jsonb_typeof({doc}) = 'object' then (select count(*) from jsonb_object_keys({doc})) end"
            )
        } else {
            format!("case when jsonb_typeof({doc}) = 'array' then jsonb_array_length({doc}) end")
        }
    }
    fn json_has_duplicates(&self, doc: &str, var: &str) -> String {
        format!(
            "case when jsonb_typeof({doc}) = 'array' then (select count(distinct {var}) < count(*) from jsonb_array_elements({doc}) as {var}_t({var}) where jsonb_typeof({var}) <> 'null') end"
        )
    }
    /// The system catalog rather than `information_schema.columns`, which
    /// lists no materialized view and only what the user may access.
    fn columns_catalog(&self, _database: Option<&str>, _schema: Option<&str>) -> String {
        "(select current_database() as table_catalog, n.nspname as table_schema, \
         c.relname as table_name, a.attname as column_name, \
         format_type(a.atttypid, a.atttypmod) as data_type \
         from pg_catalog.pg_attribute as a \
         join pg_catalog.pg_class as c on c.oid = a.attrelid \
         join pg_catalog.pg_namespace as n on n.oid = c.relnamespace \
         where a.attnum > 0 and not a.attisdropped and c.relkind in ('r', 'v', 'm', 'f', 'p')) \
         as pg_columns"
            .into()
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::String => "text".into(),
            LogicalType::Decimal { precision, scale } => format!("numeric({precision},{scale})"),
            LogicalType::TimestampTz => "timestamptz".into(),
            LogicalType::Json | LogicalType::Struct | LogicalType::Map => "jsonb".into(),
            LogicalType::Array => "jsonb".into(),
            LogicalType::Binary => "bytea".into(),
            _ => common_type(ty),
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!("{value} ~ {}", self.string_literal(&anchored(regex)))
    }
    fn epoch_seconds(&self, value: &str, _ty: LogicalType) -> String {
        // For date and timestamp, the nominal seconds (as if UTC).
        format!("extract(epoch from {value})")
    }
    fn now_epoch_seconds(&self) -> String {
        "extract(epoch from now())".into()
    }
}

pub struct Redshift;

impl SqlDialect for Redshift {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        // getdate(): the current UTC time, without time zone.
        let utc = format!("dateadd(second, -{seconds}, getdate())");
        match ty {
            LogicalType::TimestampTz => format!("cast({utc} as timestamptz)"),
            LogicalType::Date => format!("cast({utc} as date)"),
            _ => utc,
        }
    }
    /// The documented 16 MB statement limit, with room to spare.
    fn max_query_bytes(&self) -> Option<usize> {
        Some(16_000_000)
    }
    /// Nested values are `super`; PartiQL unnests arrays only in `FROM`,
    /// so rules inside them are not compiled (their checks report an error).
    fn nested_in_json(&self, _ty: LogicalType, _scalar_items: bool) -> bool {
        true
    }
    fn nested_rules(&self) -> bool {
        false
    }
    /// Redshift folds every name to lower case, quoted or not (unless
    /// `enable_case_sensitive_identifier` is on).
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        match ty {
            LogicalType::Json | LogicalType::Struct | LogicalType::Array | LogicalType::Map => {
                vec!["super", "json"]
            }
            _ => ansi_catalog_types(ty),
        }
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            // A bare varchar is varchar(256) in Redshift.
            LogicalType::String => "varchar(65535)".into(),
            LogicalType::TimestampTz => "timestamptz".into(),
            LogicalType::Json | LogicalType::Struct | LogicalType::Array | LogicalType::Map => {
                "super".into()
            }
            LogicalType::Binary => "varbyte".into(),
            LogicalType::Uuid => "char(36)".into(),
            _ => common_type(ty),
        }
    }
    fn string_quoting(&self) -> StringQuoting {
        // Redshift treats backslash as an escape character in literals.
        StringQuoting {
            prefix: "",
            escapes: &[("\\", "\\\\"), ("'", "''")],
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!("{value} ~ {}", self.string_literal(&anchored(regex)))
    }
    fn char_length(&self, value: &str) -> String {
        format!("length({value})")
    }
    fn epoch_seconds(&self, value: &str, _ty: LogicalType) -> String {
        format!("extract(epoch from {value})")
    }
    fn now_epoch_seconds(&self) -> String {
        // getdate() is the current UTC time, without time zone.
        "extract(epoch from getdate())".into()
    }
}

pub struct Snowflake;

impl SqlDialect for Snowflake {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("dateadd(second, -{seconds}, current_timestamp())"),
            // sysdate(): the current UTC time, without time zone.
            LogicalType::Date => format!("cast(dateadd(second, -{seconds}, sysdate()) as date)"),
            _ => format!("dateadd(second, -{seconds}, sysdate())"),
        }
    }
    /// Snowflake keeps query texts up to 1 MB and truncates larger ones in
    /// its history (then they cannot be rerun).
    fn max_query_bytes(&self) -> Option<usize> {
        Some(1_000_000)
    }
    /// Semi-structured: `object`, `array` (`variant` values).
    fn nested_in_json(&self, _ty: LogicalType, _scalar_items: bool) -> bool {
        true
    }
    fn json_field(&self, doc: &str, name: &str, _nested: bool) -> String {
        format!("get({doc}, {})", self.string_literal(name))
    }
    fn json_scalar(&self, value: &str, ty: LogicalType) -> String {
        match ty.family() {
            TypeFamily::String | TypeFamily::Uuid => format!("as_varchar({value})"),
            TypeFamily::Integer => format!("as_integer({value})"),
            TypeFamily::Decimal | TypeFamily::Float => format!("as_double({value})"),
            TypeFamily::Boolean => format!("as_boolean({value})"),
            TypeFamily::Temporal => {
                format!("try_cast(as_varchar({value}) as {})", self.type_name(ty))
            }
            TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => value.into(),
        }
    }
    fn json_is_null(&self, value: &str) -> String {
        format!("({value} is null or is_null_value({value}))")
    }
    fn text_scalar(&self, text: &str, ty: LogicalType) -> String {
        match ty.family() {
            TypeFamily::String | TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => {
                text.into()
            }
            _ => format!("try_cast({text} as {})", self.type_name(ty)),
        }
    }
    fn json_any_element(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "array_size(filter(as_array({doc}), {var} -> {})) > 0",
            predicate(var)
        )
    }
    fn json_any_key(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "array_size(filter(object_keys(as_object({doc})), {var} -> {})) > 0",
            predicate(&format!("as_varchar({var})"))
        )
    }
    fn json_any_value(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "array_size(filter(object_keys(as_object({doc})), {var} -> {})) > 0",
            predicate(&format!("get({doc}, as_varchar({var}))"))
        )
    }
    fn json_length(&self, doc: &str, object: bool) -> String {
        if object {
            format!("array_size(object_keys(as_object({doc})))")
        } else {
            format!("array_size(as_array({doc}))")
        }
    }
    fn json_has_duplicates(&self, doc: &str, _var: &str) -> String {
        format!(
            "array_size(array_distinct(array_compact(as_array({doc})))) < array_size(array_compact(as_array({doc})))"
        )
    }
    fn columns_catalog(&self, database: Option<&str>, _schema: Option<&str>) -> String {
        in_database(self, database, "information_schema.columns")
    }
    fn stored_name(&self, name: &str) -> String {
        let quoted = self.quote_ident(name);
        quoted[1..quoted.len() - 1].replace("\"\"", "\"")
    }
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        match ty {
            LogicalType::String | LogicalType::Uuid => vec!["text", "varchar%"],
            LogicalType::Smallint
            | LogicalType::Integer
            | LogicalType::Bigint
            | LogicalType::Decimal { .. } => vec!["number%", "decimal%", "numeric%"],
            LogicalType::Float | LogicalType::Double => vec!["float", "double", "real"],
            LogicalType::Timestamp => vec!["timestamp_ntz%"],
            LogicalType::TimestampTz => vec!["timestamp_tz%", "timestamp_ltz%"],
            LogicalType::Json | LogicalType::Struct | LogicalType::Array | LogicalType::Map => {
                vec!["variant", "object", "array"]
            }
            LogicalType::Binary => vec!["binary%"],
            _ => ansi_catalog_types(ty),
        }
    }
    /// Snowflake folds unquoted names to upper case, so a contract's plain
    /// lowercase name (`order_id`) means the column created as `order_id`
    /// unquoted, stored as `ORDER_ID`. Such names are written `"ORDER_ID"`;
    /// others keep their case.
    fn quote_name(&self, name: &str) -> String {
        let plain = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$');
        let name = if plain {
            name.to_ascii_uppercase()
        } else {
            name.to_string()
        };
        format!("\"{}\"", name.replace('"', "\"\""))
    }
    fn string_quoting(&self) -> StringQuoting {
        BACKSLASH_STRING
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::Decimal { precision, scale } => format!("number({precision},{scale})"),
            LogicalType::Float => "float".into(),
            LogicalType::Double => "double".into(),
            LogicalType::Timestamp => "timestamp_ntz".into(),
            LogicalType::TimestampTz => "timestamp_tz".into(),
            LogicalType::Json => "variant".into(),
            LogicalType::Struct | LogicalType::Map => "object".into(),
            LogicalType::Array => "array".into(),
            LogicalType::Binary => "binary".into(),
            LogicalType::Uuid => "varchar(36)".into(),
            _ => common_type(ty),
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        // REGEXP_LIKE matches the whole string; anchor alternations anyway.
        format!(
            "regexp_like({value}, {})",
            self.string_literal(&anchored(regex))
        )
    }
    fn char_length(&self, value: &str) -> String {
        format!("length({value})")
    }
    fn int_div(&self, dividend: &str, divisor: &str) -> String {
        // `/` rounds to 6 decimals; divide an exact multiple instead.
        format!("(({dividend}) - mod({dividend}, {divisor})) / ({divisor})")
    }
    fn epoch_seconds(&self, value: &str, _ty: LogicalType) -> String {
        format!("date_part(epoch_second, {value})")
    }
    fn now_epoch_seconds(&self) -> String {
        "date_part(epoch_second, current_timestamp())".into()
    }
}

pub struct BigQuery;

impl SqlDialect for BigQuery {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => {
                format!("timestamp_sub(current_timestamp(), interval {seconds} second)")
            }
            LogicalType::Date => {
                format!("date(timestamp_sub(current_timestamp(), interval {seconds} second))")
            }
            _ => format!("datetime_sub(current_datetime('UTC'), interval {seconds} second)"),
        }
    }
    /// The text limit is 1,024K characters, but long queries are refused as
    /// too complex well below it; 200 KB is where others split too.
    fn max_query_bytes(&self) -> Option<usize> {
        Some(200_000)
    }
    fn struct_type(&self, fields: &[(String, String)]) -> String {
        let fields: Vec<String> = fields
            .iter()
            .map(|(name, ty)| format!("{} {ty}", self.quote_ident(name)))
            .collect();
        format!("struct<{}>", fields.join(", "))
    }
    fn array_type(&self, item: &str) -> String {
        format!("array<{item}>")
    }
    /// BigQuery has no map: an array of key/value structs.
    fn map_type(&self, key: &str, value: &str) -> String {
        format!("array<struct<key {key}, value {value}>>")
    }
    fn any_element(&self, list: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from unnest({list}) as {var} where {})",
            predicate(var)
        )
    }
    fn element_count(&self, list: &str) -> String {
        format!("array_length({list})")
    }
    fn map_size(&self, map: &str) -> String {
        format!("array_length({map})")
    }
    fn has_duplicates(&self, list: &str, var: &str) -> String {
        format!("(select count(distinct {var}) < count({var}) from unnest({list}) as {var})")
    }
    /// Over the entries' structs: an array of arrays (values that are
    /// arrays) is not a BigQuery type.
    fn map_any_key(&self, map: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from unnest({map}) as {var} where {})",
            predicate(&format!("{var}.key"))
        )
    }
    fn map_any_value(&self, map: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from unnest({map}) as {var} where {})",
            predicate(&format!("{var}.value"))
        )
    }
    fn columns_catalog(&self, database: Option<&str>, schema: Option<&str>) -> String {
        let scope: Vec<String> = [database, schema]
            .into_iter()
            .flatten()
            .map(|part| self.quote_ident(part))
            .collect();
        format!("{}.INFORMATION_SCHEMA.COLUMNS", scope.join("."))
    }
    fn current_database(&self) -> Option<&'static str> {
        None
    }
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        match ty {
            LogicalType::String | LogicalType::Uuid => vec!["string%"],
            LogicalType::Smallint | LogicalType::Integer | LogicalType::Bigint => vec!["int64"],
            LogicalType::Decimal { .. } => vec!["numeric%", "bignumeric%"],
            LogicalType::Float | LogicalType::Double => vec!["float64"],
            LogicalType::Boolean => vec!["bool"],
            LogicalType::Timestamp => vec!["datetime"],
            LogicalType::TimestampTz => vec!["timestamp"],
            LogicalType::Binary => vec!["bytes%"],
            _ => ansi_catalog_types(ty),
        }
    }
    fn quote_name(&self, name: &str) -> String {
        format!("`{}`", name.replace('\\', "\\\\").replace('`', "\\`"))
    }
    fn string_quoting(&self) -> StringQuoting {
        BACKSLASH_STRING
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::String | LogicalType::Uuid => "string".into(),
            LogicalType::Integer | LogicalType::Bigint | LogicalType::Smallint => "int64".into(),
            LogicalType::Decimal { precision, scale } if scale <= 9 && precision - scale <= 29 => {
                format!("numeric({precision},{scale})")
            }
            LogicalType::Decimal { precision, scale } => format!("bignumeric({precision},{scale})"),
            LogicalType::Float | LogicalType::Double => "float64".into(),
            LogicalType::Boolean => "bool".into(),
            LogicalType::Timestamp => "datetime".into(),
            LogicalType::TimestampTz => "timestamp".into(),
            LogicalType::Binary => "bytes".into(),
            _ => common_type(ty),
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!(
            "regexp_contains({value}, {})",
            self.string_literal(&anchored(regex))
        )
    }
    fn int_div(&self, dividend: &str, divisor: &str) -> String {
        format!("div({dividend}, {divisor})")
    }
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("unix_seconds({value})"),
            // timestamp(datetime or date) reads it as UTC.
            _ => format!("unix_seconds(timestamp({value}))"),
        }
    }
    fn now_epoch_seconds(&self) -> String {
        "unix_seconds(current_timestamp())".into()
    }
    fn distinct_key(&self, value: &str, ty: LogicalType) -> String {
        match ty {
            // JSON values cannot be grouped or compared.
            LogicalType::Json => format!("to_json_string({value})"),
            _ => value.to_string(),
        }
    }
}

pub struct Databricks;

impl SqlDialect for Databricks {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        let since = format!("unix_seconds(current_timestamp()) - {seconds}");
        match ty {
            LogicalType::TimestampTz => format!("timestamp_seconds({since})"),
            // As UTC whatever the session time zone: days since the epoch.
            LogicalType::Date => {
                format!("date_from_unix_date(cast(floor(({since}) / 86400) as int))")
            }
            _ => format!("timestampadd(SECOND, {since}, timestamp_ntz'1970-01-01 00:00:00')"),
        }
    }
    fn grouped_uniqueness(&self) -> bool {
        true
    }
    fn struct_type(&self, fields: &[(String, String)]) -> String {
        let fields: Vec<String> = fields
            .iter()
            .map(|(name, ty)| format!("{}: {ty}", self.quote_ident(name)))
            .collect();
        format!("struct<{}>", fields.join(", "))
    }
    fn array_type(&self, item: &str) -> String {
        format!("array<{item}>")
    }
    fn map_type(&self, key: &str, value: &str) -> String {
        format!("map<{key}, {value}>")
    }
    fn any_element(&self, list: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!("exists({list}, {var} -> {})", predicate(var))
    }
    fn element_count(&self, list: &str) -> String {
        // `size` of NULL is -1 unless ANSI mode is on.
        format!("array_size({list})")
    }
    fn map_size(&self, map: &str) -> String {
        format!("case when {map} is not null then size({map}) end")
    }
    fn has_duplicates(&self, list: &str, var: &str) -> String {
        let present = format!("filter({list}, {var} -> {var} is not null)");
        format!("size(array_distinct({present})) < size({present})")
    }
    fn columns_catalog(&self, database: Option<&str>, _schema: Option<&str>) -> String {
        in_database(self, database, "information_schema.columns")
    }
    fn current_database(&self) -> Option<&'static str> {
        Some("current_catalog()")
    }
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        match ty {
            LogicalType::String | LogicalType::Uuid | LogicalType::Json | LogicalType::Time => {
                vec!["string", "varchar%", "char%"]
            }
            LogicalType::Float => vec!["float"],
            LogicalType::Double => vec!["float", "double"],
            LogicalType::Timestamp => vec!["timestamp_ntz"],
            LogicalType::TimestampTz => vec!["timestamp"],
            LogicalType::Binary => vec!["binary"],
            // Unity Catalog's `data_type` also uses Spark's own names.
            LogicalType::Smallint => vec!["smallint", "short", "tinyint", "byte"],
            LogicalType::Integer => vec!["smallint", "short", "tinyint", "byte", "int", "integer"],
            LogicalType::Bigint => {
                vec![
                    "smallint", "short", "tinyint", "byte", "int", "integer", "bigint", "long",
                ]
            }
            _ => ansi_catalog_types(ty),
        }
    }
    fn quote_name(&self, name: &str) -> String {
        format!("`{}`", name.replace('`', "``"))
    }
    fn string_quoting(&self) -> StringQuoting {
        BACKSLASH_STRING
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::String | LogicalType::Uuid | LogicalType::Json => "string".into(),
            // Spark has no time-of-day type; HH:MM:SS text orders correctly.
            LogicalType::Time => "string".into(),
            LogicalType::Integer => "int".into(),
            LogicalType::Float => "float".into(),
            LogicalType::Double => "double".into(),
            LogicalType::Timestamp => "timestamp_ntz".into(),
            LogicalType::TimestampTz => "timestamp".into(),
            LogicalType::Binary => "binary".into(),
            _ => common_type(ty),
        }
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!(
            "{value} rlike {}",
            self.string_literal(&anchored_java(regex))
        )
    }
    fn int_div(&self, dividend: &str, divisor: &str) -> String {
        format!("({dividend}) div ({divisor})")
    }
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("unix_seconds({value})"),
            LogicalType::Date => format!("cast(unix_date({value}) as bigint) * 86400"),
            // A timestamp_ntz read as UTC, independent of the session time
            // zone: whole days plus the time of day.
            _ => format!(
                "(cast(unix_date(cast({value} as date)) as bigint) * 86400 + hour({value}) * 3600 + minute({value}) * 60 + second({value}))"
            ),
        }
    }
    fn now_epoch_seconds(&self) -> String {
        "unix_seconds(current_timestamp())".into()
    }
}

pub struct Trino;

impl SqlDialect for Trino {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("current_timestamp - interval '{seconds}' second"),
            LogicalType::Date => format!(
                "cast(cast(current_timestamp at time zone 'UTC' as timestamp) - interval '{seconds}' second as date)"
            ),
            _ => format!(
                "cast(current_timestamp at time zone 'UTC' as timestamp) - interval '{seconds}' second"
            ),
        }
    }
    /// Trino's default `query.max-length` is 1,000,000 characters.
    fn max_query_bytes(&self) -> Option<usize> {
        Some(1_000_000)
    }
    fn array_type(&self, item: &str) -> String {
        format!("array({item})")
    }
    fn any_element(&self, list: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!("any_match({list}, {var} -> {})", predicate(var))
    }
    fn has_duplicates(&self, list: &str, var: &str) -> String {
        let present = format!("filter({list}, {var} -> {var} is not null)");
        format!("cardinality(array_distinct({present})) < cardinality({present})")
    }
    /// Trino's connectors store names in lower case, quoted or not.
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn columns_catalog(&self, database: Option<&str>, _schema: Option<&str>) -> String {
        in_database(self, database, "information_schema.columns")
    }
    fn current_database(&self) -> Option<&'static str> {
        Some("current_catalog")
    }
    fn current_schema(&self) -> &'static str {
        "current_schema"
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::Double => "double".into(),
            LogicalType::Timestamp => "timestamp(6)".into(),
            LogicalType::TimestampTz => "timestamp(6) with time zone".into(),
            _ => common_type(ty),
        }
    }
    fn timestamp_tz_literal(&self, text: &str, ty: LogicalType) -> String {
        let utc = text.replacen('T', " ", 1);
        let utc = utc.strip_suffix('Z').unwrap_or(&utc);
        self.typed_literal(&format!("{utc} UTC"), ty)
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        format!(
            "regexp_like({value}, {})",
            self.string_literal(&anchored_java(regex))
        )
    }
    fn char_length(&self, value: &str) -> String {
        format!("length({value})")
    }
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String {
        match ty {
            LogicalType::TimestampTz => format!("to_unixtime({value})"),
            LogicalType::Date => {
                format!("to_unixtime(with_timezone(cast({value} as timestamp(6)), 'UTC'))")
            }
            _ => format!("to_unixtime(with_timezone({value}, 'UTC'))"),
        }
    }
    fn now_epoch_seconds(&self) -> String {
        "to_unixtime(current_timestamp)".into()
    }
}

pub struct SqlServer;

impl SqlDialect for SqlServer {
    fn window_start(&self, seconds: u64, ty: LogicalType) -> String {
        // `dateadd` takes an int: whole days, then the seconds left.
        let back = |now: &str| {
            format!(
                "dateadd(second, -{}, dateadd(day, -{}, {now}))",
                seconds % 86_400,
                seconds / 86_400
            )
        };
        match ty {
            LogicalType::TimestampTz => back("sysdatetimeoffset()"),
            LogicalType::Date => format!("cast({} as date)", back("sysutcdatetime()")),
            _ => back("sysutcdatetime()"),
        }
    }
    /// A batch holds at most 65,536 network packets of 4 KB (the
    /// default), its text sent as UTF-16: two bytes per character.
    fn max_query_bytes(&self) -> Option<usize> {
        Some(65_536 * 4_096 / 2)
    }
    fn limited(&self, query: &str, n: u64) -> String {
        format!("select top ({n}) *\nfrom (\n{query}\n) as datapact_sample")
    }
    /// JSON text in `nvarchar(max)`, read with `json_value`, `json_query`
    /// and `openjson`.
    fn nested_in_json(&self, _ty: LogicalType, _scalar_items: bool) -> bool {
        true
    }
    /// "Cannot perform an aggregate function on an expression containing
    /// an aggregate or a subquery."
    fn subquery_in_aggregate(&self) -> bool {
        false
    }
    fn json_field(&self, doc: &str, name: &str, nested: bool) -> String {
        let function = if nested { "json_query" } else { "json_value" };
        format!(
            "{function}({doc}, {})",
            self.string_literal(&json_path(name))
        )
    }
    /// A scalar is already text (`json_value`, `openjson`'s `value`).
    fn json_scalar(&self, value: &str, ty: LogicalType) -> String {
        match ty.family() {
            TypeFamily::String | TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => {
                value.into()
            }
            TypeFamily::Boolean => {
                format!("case {value} when 'true' then 1 when 'false' then 0 end")
            }
            _ => format!("try_cast({value} as {})", self.type_name(ty)),
        }
    }
    fn json_any_element(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from openjson({doc}) as {var} where {})",
            predicate(&format!("{var}.[value]"))
        )
    }
    fn json_any_key(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        format!(
            "exists (select 1 from openjson({doc}) as {var} where {})",
            predicate(&format!("{var}.[key]"))
        )
    }
    fn json_any_value(&self, doc: &str, var: &str, predicate: &dyn Fn(&str) -> String) -> String {
        self.json_any_element(doc, var, predicate)
    }
    fn text_scalar(&self, text: &str, ty: LogicalType) -> String {
        self.json_scalar(text, ty)
    }
    fn json_length(&self, doc: &str, _object: bool) -> String {
        format!("case when {doc} is not null then (select count(*) from openjson({doc})) end")
    }
    fn json_has_duplicates(&self, doc: &str, var: &str) -> String {
        format!(
            "(select count(distinct {var}.[value]) from openjson({doc}) as {var} where {var}.[type] <> 0) < (select count(*) from openjson({doc}) as {var} where {var}.[type] <> 0)"
        )
    }
    fn columns_catalog(&self, database: Option<&str>, _schema: Option<&str>) -> String {
        in_database(self, database, "INFORMATION_SCHEMA.COLUMNS")
    }
    fn current_database(&self) -> Option<&'static str> {
        Some("db_name()")
    }
    fn current_schema(&self) -> &'static str {
        "schema_name()"
    }
    fn names_ignore_case(&self) -> bool {
        true
    }
    fn catalog_types(&self, ty: LogicalType) -> Vec<&'static str> {
        const STRING: &[&str] = &["nvarchar", "varchar", "nchar", "char", "ntext", "text"];
        match ty {
            LogicalType::String
            | LogicalType::Json
            | LogicalType::Struct
            | LogicalType::Array
            | LogicalType::Map => STRING.to_vec(),
            LogicalType::Uuid => [&["uniqueidentifier"], STRING].concat(),
            LogicalType::Float => vec!["real"],
            LogicalType::Double => vec!["real", "float"],
            LogicalType::Boolean => vec!["bit"],
            LogicalType::Timestamp => vec!["datetime2", "datetime", "smalldatetime"],
            LogicalType::TimestampTz => vec!["datetimeoffset"],
            LogicalType::Binary => vec!["varbinary", "binary"],
            _ => ansi_catalog_types(ty),
        }
    }
    fn quote_name(&self, name: &str) -> String {
        format!("[{}]", name.replace(']', "]]"))
    }
    fn string_quoting(&self) -> StringQuoting {
        // Line breaks are written as NCHAR(13)/NCHAR(10) between pieces:
        // sqlcmd and SSMS take a line `GO`, `:r` or `!! cmd` as their own
        // even inside a literal, and a backslash before a line break is a
        // line continuation in T-SQL. `$(` is split too: sqlcmd replaces
        // `$(name)` with a variable or environment value anywhere.
        StringQuoting {
            prefix: "N",
            escapes: &[
                ("'", "''"),
                ("\r", "' + NCHAR(13) + N'"),
                ("\n", "' + NCHAR(10) + N'"),
                ("$(", "$' + N'("),
            ],
        }
    }
    fn type_name(&self, ty: LogicalType) -> String {
        match ty {
            LogicalType::String
            | LogicalType::Json
            | LogicalType::Struct
            | LogicalType::Array
            | LogicalType::Map => "nvarchar(max)".into(),
            LogicalType::Integer => "int".into(),
            LogicalType::Double => "float".into(),
            LogicalType::Boolean => "bit".into(),
            LogicalType::Timestamp => "datetime2".into(),
            LogicalType::TimestampTz => "datetimeoffset".into(),
            LogicalType::Binary => "varbinary(max)".into(),
            LogicalType::Uuid => "uniqueidentifier".into(),
            _ => common_type(ty),
        }
    }
    fn bool_literal(&self, value: bool) -> String {
        if value { "1" } else { "0" }.to_string()
    }
    fn regex_full_match(&self, value: &str, regex: &str) -> String {
        // REGEXP_LIKE needs SQL Server 2025 / Azure SQL (compatibility level 170).
        format!(
            "regexp_like({value}, {})",
            self.string_literal(&anchored(regex))
        )
    }
    fn char_length(&self, value: &str) -> String {
        // LEN ignores trailing spaces; count them by appending a character.
        format!("(len(cast({value} as nvarchar(max)) + N'x') - 1)")
    }
    fn count(&self) -> &'static str {
        "count_big"
    }
    fn concat(&self, parts: &[String]) -> String {
        format!("concat({})", parts.join(", "))
    }
    fn epoch_seconds(&self, value: &str, ty: LogicalType) -> String {
        format!(
            "datediff_big(second, cast('1970-01-01' as datetime2), {})",
            utc_datetime2(value, ty)
        )
    }
    fn now_epoch_seconds(&self) -> String {
        "datediff_big(second, cast('1970-01-01' as datetime2), sysutcdatetime())".into()
    }
    fn age_seconds(&self, value: &str, ty: LogicalType) -> String {
        format!(
            "datediff_big(second, {}, sysutcdatetime())",
            utc_datetime2(value, ty)
        )
    }
}

/// A SQL Server date/datetime2/datetimeoffset as a UTC datetime2.
fn utc_datetime2(value: &str, ty: LogicalType) -> String {
    match ty {
        LogicalType::TimestampTz => format!("cast(switchoffset({value}, '+00:00') as datetime2)"),
        LogicalType::Date => format!("cast({value} as datetime2)"),
        _ => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_every_dialect() {
        let name = "a\"b`c]d'e\\f";
        let quoted: Vec<String> = Dialect::ALL
            .iter()
            .map(|d| d.sql().quote_ident(name))
            .collect();
        assert_eq!(
            quoted,
            [
                "\"a\"\"b`c]d'e\\f\"",
                "\"a\"\"b`c]d'e\\f\"",
                "\"a\"\"b`c]d'e\\f\"",
                "`a\"b\\`c]d'e\\\\f`",
                "\"a\"\"b`c]d'e\\f\"",
                "`a\"b``c]d'e\\f`",
                "\"a\"\"b`c]d'e\\f\"",
                "[a\"b`c]]d'e\\f]",
            ]
        );
        assert_eq!(Snowflake.quote_ident("order_id"), "\"ORDER_ID\"");
        assert_eq!(Snowflake.quote_ident("Order ID"), "\"Order ID\"");
        // Whatever the IR holds, no control character reaches the SQL.
        for d in Dialect::ALL {
            let quoted = d.sql().quote_ident("a\0\u{1b}\n\u{202e}b");
            assert!(
                !quoted.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{quoted:?}"
            );
            let literal = d.sql().string_literal("a\0\u{1b}\u{202e}b");
            assert!(
                !literal.contains(['\0', '\u{1b}', '\u{202e}']),
                "{literal:?}"
            );
        }
    }

    #[test]
    fn string_literals_escape_quotes_and_backslashes() {
        let text = "it's a\\b\n";
        assert_eq!(Postgres.string_literal(text), "'it''s a\\b\n'");
        assert_eq!(BigQuery.string_literal(text), "'it\\'s a\\\\b\\n'");
        assert_eq!(
            SqlServer.string_literal(text),
            "N'it''s a\\b' + NCHAR(10) + N''"
        );
        assert_eq!(Redshift.string_literal(text), "'it''s a\\\\b\n'");
        // No line of a SQL Server literal starts inside it, and sqlcmd
        // finds no `$(` variable in it.
        assert_eq!(
            SqlServer.string_literal("a\\\r\nGO\n$(PASSWORD)"),
            "N'a\\' + NCHAR(13) + N'' + NCHAR(10) + N'GO' + NCHAR(10) + N'$' + N'(PASSWORD)'"
        );
    }
}
