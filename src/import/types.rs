//! Engine types back to logical types: the inverse of each dialect's type
//! table (`SqlDialect::type_name`), widened to the spellings engines and
//! DDL use (`character varying(20)`, `INT64`, `NUMBER(38,0)`,
//! `STRUCT(a INTEGER)`, `map<string,int>`, `text[]`). docs/import.md has
//! the table.

use crate::ir::Column;
use crate::types::{Dialect, LogicalType};

/// A column of type `text` (as the engine or the DDL writes it) in
/// `dialect`, with the parts of a nested type; `Err` names the type that
/// has no logical type.
pub fn column(name: &str, text: &str, dialect: Dialect) -> Result<Column, String> {
    let mut parser = Parser {
        text: text.trim(),
        at: 0,
        dialect,
    };
    let mut column = parser.ty(0)?;
    parser.space();
    if parser.at < parser.text.len() {
        return Err(text.trim().to_string());
    }
    column.name = name.to_string();
    Ok(column)
}

/// Keep the engine's type `text` as the column's physical type for
/// `dialect` when the catalog type does not fit its logical type as `run`'s
/// schema check reads it (`HUGEINT` read as `decimal(38,0)`, `timetz` as
/// `time`); `text` is the catalog's spelling.
pub fn keep_lossy(column: &mut Column, text: &str, dialect: Dialect) {
    let text = text.trim().to_ascii_lowercase();
    let fits = dialect
        .sql()
        .catalog_types(column.ty)
        .iter()
        .any(|pattern| like(&text, pattern));
    let writable = text.chars().all(crate::types::is_physical_type_char);
    if !fits && writable && !column.ty.is_nested() {
        column.physical_types.insert(dialect, text);
    }
}

/// SQL `LIKE` with `%` only.
fn like(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('%').collect();
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    rest.is_empty()
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    dialect: Dialect,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn space(&mut self) {
        let skipped = self.rest().len() - self.rest().trim_start().len();
        self.at += skipped;
    }

    fn eat(&mut self, token: &str) -> bool {
        self.space();
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    /// A word (letters, digits, `_`), lower case.
    fn word(&mut self) -> String {
        self.space();
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        let word = self.rest()[..len].to_ascii_lowercase();
        self.at += len;
        word
    }

    /// A field name: a word, or quoted with `"` or backticks.
    fn name(&mut self) -> Option<String> {
        self.space();
        for quote in ['"', '`'] {
            if let Some(body) = self.rest().strip_prefix(quote) {
                let end = body.find(quote)?;
                let name = body[..end].to_string();
                self.at += end + 2;
                return Some(name);
            }
        }
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(self.rest().len());
        (len > 0).then(|| {
            let name = self.rest()[..len].to_string();
            self.at += len;
            name
        })
    }

    /// The text up to the parenthesis closing the one just read.
    fn arguments(&mut self) -> Option<Vec<String>> {
        let mut depth = 1;
        let start = self.at;
        for (i, c) in self.rest().char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        let inner = &self.text[start..start + i];
                        self.at = start + i + 1;
                        return Some(inner.split(',').map(|a| a.trim().to_string()).collect());
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn ty(&mut self, depth: usize) -> Result<Column, String> {
        if depth > crate::types::MAX_NESTING {
            return Err(self.text.to_string());
        }
        let start = self.at;
        let word = self.word();
        let mut column = match word.as_str() {
            "struct" | "row" | "record" => self.fields(depth)?,
            "array" | "list" => {
                let open = if self.eat("<") {
                    Some('>')
                } else if self.eat("(") {
                    Some(')')
                } else {
                    None
                };
                let items = match open {
                    Some(close) => {
                        let items = self.ty(depth + 1)?;
                        if !self.eat(&close.to_string()) {
                            return Err(self.text.to_string());
                        }
                        items
                    }
                    // Snowflake's ARRAY: semi-structured elements.
                    None => Column::of(LogicalType::Json),
                };
                Column {
                    items: Some(Box::new(items)),
                    ..Column::of(LogicalType::Array)
                }
            }
            "map" => {
                let close = if self.eat("<") {
                    ">"
                } else if self.eat("(") {
                    ")"
                } else {
                    // Without its types: a JSON document.
                    return Ok(self.array_suffix(Column::of(LogicalType::Json), depth));
                };
                let keys = self.ty(depth + 1)?;
                if !self.eat(",") {
                    return Err(self.text.to_string());
                }
                let values = self.ty(depth + 1)?;
                if !self.eat(close) {
                    return Err(self.text.to_string());
                }
                Column {
                    keys: Some(Box::new(keys)),
                    values: Some(Box::new(values)),
                    ..Column::of(LogicalType::Map)
                }
            }
            _ => {
                // Multi-word names: `double precision`, `character varying`,
                // `timestamp(6) with time zone`.
                let mut args = None;
                let mut words = vec![word];
                loop {
                    if self.eat("(") {
                        args = Some(self.arguments().ok_or_else(|| self.text.to_string())?);
                        continue;
                    }
                    let save = self.at;
                    let next = self.word();
                    if matches!(
                        next.as_str(),
                        "precision" | "varying" | "with" | "without" | "time" | "zone" | "local"
                    ) {
                        words.push(next);
                    } else {
                        self.at = save;
                        break;
                    }
                }
                let name = words.join(" ");
                let ty = scalar(&name, args.as_deref(), self.dialect)
                    .ok_or_else(|| self.text[start..self.at].trim().to_string())?;
                Column::of(ty)
            }
        };
        column = self.array_suffix(column, depth);
        Ok(column)
    }

    /// `T[]`, `T[3][]`: arrays of `T`.
    fn array_suffix(&mut self, mut column: Column, depth: usize) -> Column {
        let mut levels = depth;
        loop {
            self.space();
            let Some(rest) = self.rest().strip_prefix('[') else {
                return column;
            };
            let Some(end) = rest.find(']') else {
                return column;
            };
            if !rest[..end].chars().all(|c| c.is_ascii_digit())
                || levels >= crate::types::MAX_NESTING
            {
                return column;
            }
            self.at += end + 2;
            levels += 1;
            column = Column {
                items: Some(Box::new(column)),
                ..Column::of(LogicalType::Array)
            };
        }
    }

    /// A struct's fields: `(a INTEGER, b VARCHAR)`, `<a: int, b: string>`,
    /// `<a INT64>`.
    fn fields(&mut self, depth: usize) -> Result<Column, String> {
        let close = if self.eat("<") {
            ">"
        } else if self.eat("(") {
            ")"
        } else {
            // Without its fields: a JSON document.
            return Ok(Column::of(LogicalType::Json));
        };
        let mut fields = Vec::new();
        loop {
            let name = self.name().ok_or_else(|| self.text.to_string())?;
            self.eat(":");
            let mut field = self.ty(depth + 1)?;
            field.name = name;
            // `NOT NULL` and `COMMENT '…'` inside Spark and BigQuery structs.
            if self.eat("not null") || self.eat("NOT NULL") {
                field.required = true;
            }
            fields.push(field);
            if self.eat(",") {
                continue;
            }
            if self.eat(close) {
                break;
            }
            return Err(self.text.to_string());
        }
        Ok(Column {
            fields,
            ..Column::of(LogicalType::Struct)
        })
    }
}

/// A scalar type by its (lower-case) name and arguments.
fn scalar(name: &str, args: Option<&[String]>, dialect: Dialect) -> Option<LogicalType> {
    let number = |i: usize| {
        args.and_then(|a| a.get(i))
            .and_then(|a| a.trim().parse::<u32>().ok())
    };
    let decimal = |default: (u32, u32)| {
        let precision = number(0).unwrap_or(default.0);
        let scale = number(1).unwrap_or(if args.is_some() { 0 } else { default.1 });
        let (precision, scale) = (precision.clamp(1, 38), scale.min(precision.min(38)));
        LogicalType::Decimal {
            precision: precision as u8,
            scale: scale as u8,
        }
    };
    let ty = match name {
        "varchar"
        | "character varying"
        | "text"
        | "string"
        | "char"
        | "character"
        | "nchar"
        | "nvarchar"
        | "bpchar"
        | "ntext"
        | "clob"
        | "citext"
        | "name"
        | "tinytext"
        | "mediumtext"
        | "longtext"
        | "national character varying" => LogicalType::String,
        // Snowflake's and BigQuery's integer names all mean one 64-bit
        // (Snowflake: NUMBER(38,0)) type.
        "int" | "integer" | "smallint" | "tinyint" | "byteint" | "bigint"
            if matches!(dialect, Dialect::Snowflake | Dialect::Bigquery) =>
        {
            LogicalType::Bigint
        }
        "int" | "integer" | "int4" | "int32" | "mediumint" | "serial" | "serial4" | "usmallint" => {
            LogicalType::Integer
        }
        "bigint" | "int8" | "long" | "bigserial" | "serial8" | "uinteger" => LogicalType::Bigint,
        "int64" => LogicalType::Bigint,
        "smallint" | "int2" | "int16" | "tinyint" | "int1" | "utinyint" | "smallserial"
        | "serial2" | "byteint" => LogicalType::Smallint,
        "ubigint" | "hugeint" | "uhugeint" | "int128" => LogicalType::Decimal {
            precision: 38,
            scale: 0,
        },
        // Snowflake's integers are NUMBER(38,0).
        "number" | "numeric" | "decimal"
            if dialect == Dialect::Snowflake
                && number(1).unwrap_or(0) == 0
                && number(0).is_none_or(|p| p == 38) =>
        {
            LogicalType::Bigint
        }
        "decimal" | "numeric" | "number" | "dec" | "bignumeric" | "bigdecimal" => {
            decimal(match dialect {
                Dialect::Duckdb => (18, 3),
                Dialect::Databricks => (10, 0),
                Dialect::Sqlserver | Dialect::Redshift => (18, 0),
                Dialect::Trino => (38, 0),
                // BigQuery's NUMERIC; PostgreSQL's unconstrained numeric
                // holds more (a precision to set).
                _ => (38, 9),
            })
        }
        "money" => decimal((19, 4)),
        "real" | "float4" | "float32" => LogicalType::Float,
        "float" => match number(0) {
            Some(bits) if bits <= 24 => LogicalType::Float,
            Some(_) => LogicalType::Double,
            // DuckDB's and Spark's FLOAT is 4 bytes; elsewhere 8.
            None if matches!(dialect, Dialect::Duckdb | Dialect::Databricks) => LogicalType::Float,
            None => LogicalType::Double,
        },
        "double" | "double precision" | "float8" | "float64" => LogicalType::Double,
        "boolean" | "bool" | "logical" => LogicalType::Boolean,
        // Elsewhere a BIT is a string of bits.
        "bit" if dialect == Dialect::Sqlserver => LogicalType::Boolean,
        "date" => LogicalType::Date,
        "time" | "time without time zone" | "timetz" | "time with time zone" => LogicalType::Time,
        // BigQuery's and Spark's TIMESTAMP is an instant; SQL Server's a
        // row version.
        "timestamp" if matches!(dialect, Dialect::Bigquery | Dialect::Databricks) => {
            LogicalType::TimestampTz
        }
        "timestamp" | "rowversion" if dialect == Dialect::Sqlserver => LogicalType::Binary,
        "timestamp"
        | "timestamp without time zone"
        | "datetime"
        | "datetime2"
        | "smalldatetime"
        | "timestamp_ntz"
        | "timestamp_ns"
        | "timestamp_ms"
        | "timestamp_s" => LogicalType::Timestamp,
        "timestamptz"
        | "timestamp with time zone"
        | "timestamp_tz"
        | "timestamp_ltz"
        | "datetimeoffset"
        | "timestamp with local time zone" => LogicalType::TimestampTz,
        "json" | "jsonb" | "variant" | "super" | "object" => LogicalType::Json,
        "bytea" | "blob" | "binary" | "varbinary" | "bytes" | "image" | "varbyte"
        | "bytestring" => LogicalType::Binary,
        "uuid" | "uniqueidentifier" | "guid" => LogicalType::Uuid,
        _ => return None,
    };
    Some(ty)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str, dialect: Dialect) -> String {
        match column("c", text, dialect) {
            Ok(c) => shape(&c),
            Err(e) => format!("error: {e}"),
        }
    }

    fn shape(c: &Column) -> String {
        let mut out = c.ty.to_string();
        if !c.fields.is_empty() {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| format!("{} {}", f.name, shape(f)))
                .collect();
            out = format!("struct<{}>", fields.join(", "));
        }
        if let Some(items) = &c.items {
            out = format!("array<{}>", shape(items));
        }
        if let (Some(k), Some(v)) = (&c.keys, &c.values) {
            out = format!("map<{}, {}>", shape(k), shape(v));
        }
        out
    }

    #[test]
    fn engine_spellings() {
        let d = Dialect::Postgres;
        assert_eq!(ty("character varying(20)", d), "string");
        assert_eq!(ty("numeric(12,2)", d), "decimal(12,2)");
        assert_eq!(ty("NUMERIC", d), "decimal(38,9)");
        assert_eq!(ty("timestamp(3) with time zone", d), "timestamp_tz");
        assert_eq!(ty("timestamp without time zone", d), "timestamp");
        assert_eq!(ty("double precision", d), "double");
        assert_eq!(ty("integer[]", d), "array<integer>");
        assert_eq!(ty("text[][]", d), "array<array<string>>");
        assert_eq!(ty("float", d), "double");
        assert_eq!(ty("interval", d), "error: interval");
        let d = Dialect::Duckdb;
        assert_eq!(ty("FLOAT", d), "float");
        assert_eq!(ty("DECIMAL(12,2)", d), "decimal(12,2)");
        assert_eq!(
            ty(r#"STRUCT("type" VARCHAR, os VARCHAR, tags VARCHAR[])"#, d),
            "struct<type string, os string, tags array<string>>"
        );
        assert_eq!(
            ty("MAP(VARCHAR, STRUCT(a INTEGER))[]", d),
            "array<map<string, struct<a integer>>>"
        );
        assert_eq!(ty("HUGEINT", d), "decimal(38,0)");
        let d = Dialect::Databricks;
        assert_eq!(
            ty("struct<a:int,b:array<string>>", d),
            "struct<a integer, b array<string>>"
        );
        assert_eq!(ty("timestamp", d), "timestamp_tz");
        assert_eq!(ty("map<string,bigint>", d), "map<string, bigint>");
        assert_eq!(
            ty("ARRAY<STRUCT<x INT64, y STRING>>", Dialect::Bigquery),
            "array<struct<x bigint, y string>>"
        );
        assert_eq!(
            ty("row(a integer, b varchar)", Dialect::Trino),
            "struct<a integer, b string>"
        );
        assert_eq!(ty("NUMBER(38,0)", Dialect::Snowflake), "bigint");
        assert_eq!(ty("NUMBER(10,2)", Dialect::Snowflake), "decimal(10,2)");
        assert_eq!(ty("timestamp", Dialect::Sqlserver), "binary");
        assert!(ty("STRUCT<a INT", Dialect::Bigquery).starts_with("error"));
    }

    /// Every dialect's physical type of every scalar logical type reads
    /// back as that type, or as the one the dialect stores it as.
    #[test]
    fn inverse_of_every_dialects_type_table() {
        use LogicalType as T;
        let scalars = [
            T::String,
            T::Integer,
            T::Bigint,
            T::Smallint,
            T::Decimal {
                precision: 12,
                scale: 2,
            },
            T::Float,
            T::Double,
            T::Boolean,
            T::Date,
            T::Time,
            T::Timestamp,
            T::TimestampTz,
            T::Json,
            T::Binary,
            T::Uuid,
        ];
        let mut lossy = Vec::new();
        for dialect in Dialect::ALL {
            let sql = dialect.sql();
            for ty in scalars {
                let physical = sql.type_name(ty);
                let back = column("c", &physical, *dialect)
                    .unwrap_or_else(|e| panic!("{dialect:?} {physical}: {e}"))
                    .ty;
                if back != ty {
                    lossy.push(format!("{dialect:?}: {ty} -> {physical} -> {back}"));
                }
            }
        }
        // The types a dialect has no own type for (docs/import.md).
        assert_eq!(
            lossy,
            [
                "Snowflake: integer -> integer -> bigint",
                "Snowflake: smallint -> smallint -> bigint",
                "Snowflake: float -> float -> double",
                "Snowflake: uuid -> varchar(36) -> string",
                "Bigquery: integer -> int64 -> bigint",
                "Bigquery: smallint -> int64 -> bigint",
                "Bigquery: float -> float64 -> double",
                "Bigquery: uuid -> string -> string",
                "Redshift: uuid -> char(36) -> string",
                "Databricks: time -> string -> string",
                "Databricks: json -> string -> string",
                "Databricks: uuid -> string -> string",
                "Sqlserver: json -> nvarchar(max) -> string",
            ]
        );
    }
}
