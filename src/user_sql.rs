//! What datapact checks inside user SQL (`expression:` and `where:`): that it
//! parses as one expression, and that the columns it names are declared.

use sqlparser::ast::{Expr, visit_expressions};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

/// Names the SQL standard treats as values, not columns.
const NOT_COLUMNS: &[&str] = &[
    "current_date",
    "current_time",
    "current_timestamp",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "user",
    "true",
    "false",
    "null",
];

/// The outcome of reading a SQL boolean expression.
#[derive(Debug, PartialEq)]
pub enum Expression {
    /// Parsed; these are the unqualified identifiers it names (as written, and whether quoted).
    Parsed(Vec<Identifier>),
    /// Not parseable by the generic dialect (it may still be valid in the
    /// user's warehouse): why, and the byte offset where the parser stopped
    /// when it says.
    Unparsed(String, Option<usize>),
}

/// A parser error's message without its location, and the byte offset of
/// that location in `sql`.
fn unparsed(sql: &str, error: &sqlparser::parser::ParserError) -> Expression {
    let message = error.to_string();
    let Some((why, at)) = message.rsplit_once(" at Line: ") else {
        return Expression::Unparsed(message, None);
    };
    let offset = at.split_once(", Column: ").and_then(|(line, column)| {
        line_col_to_offset(sql, line.parse().ok()?, column.trim().parse().ok()?)
    });
    match offset {
        Some(offset) => Expression::Unparsed(why.to_string(), Some(offset)),
        None => Expression::Unparsed(message, None),
    }
}

#[derive(Debug, PartialEq, Clone)]
pub struct Identifier {
    pub name: String,
    pub quoted: bool,
}

pub fn read_expression(sql: &str) -> Expression {
    let dialect = GenericDialect {};
    let mut parser = match Parser::new(&dialect).try_with_sql(sql) {
        Ok(p) => p,
        Err(e) => return unparsed(sql, &e),
    };
    let expr = match parser.parse_expr() {
        Ok(e) => e,
        Err(e) => return unparsed(sql, &e),
    };
    let next = parser.next_token();
    if next.token != Token::EOF {
        let at = next.span.start;
        return Expression::Unparsed(
            format!("unexpected `{}` after the expression", next.token),
            line_col_to_offset(sql, at.line, at.column),
        );
    }
    let mut found: Vec<Identifier> = Vec::new();
    let _ = visit_expressions(&expr, |e| {
        if let Expr::Identifier(ident) = e {
            let quoted = ident.quote_style.is_some();
            if quoted || !NOT_COLUMNS.contains(&ident.value.to_lowercase().as_str()) {
                let id = Identifier {
                    name: ident.value.clone(),
                    quoted,
                };
                if !found.contains(&id) {
                    found.push(id);
                }
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    Expression::Parsed(found)
}

/// What an expression is when it is certainly not a condition, as far as
/// its own text tells (a function or `case` may return a boolean: not
/// judged).
#[derive(Debug, PartialEq)]
pub enum NotCondition {
    /// A bare column: a condition only if the column is a boolean.
    Column(String),
    /// A literal or arithmetic: what it is, in words.
    Value(&'static str),
}

/// Whether `sql` is, at its top, something other than a condition.
pub fn not_condition(sql: &str) -> Option<NotCondition> {
    use sqlparser::ast::{BinaryOperator as Op, UnaryOperator, Value};
    let dialect = GenericDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(sql).ok()?;
    let mut expr = parser.parse_expr().ok()?;
    // Only what the generic dialect reads whole (`email notnull` stops
    // after `email`): the rest is the engine's to judge.
    if parser.next_token().token != Token::EOF {
        return None;
    }
    while let Expr::Nested(inner) = expr {
        expr = *inner;
    }
    match expr {
        Expr::Identifier(ident) => {
            let quoted = ident.quote_style.is_some();
            let keyword = NOT_COLUMNS.contains(&ident.value.to_lowercase().as_str());
            (quoted || !keyword).then_some(NotCondition::Column(ident.value))
        }
        Expr::Value(v) => match v.value {
            Value::Number(..) => Some(NotCondition::Value("a number")),
            Value::SingleQuotedString(_)
            | Value::DoubleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::NationalStringLiteral(_)
            | Value::DollarQuotedString(_) => Some(NotCondition::Value("a string")),
            _ => None,
        },
        Expr::BinaryOp { op, .. } => match op {
            Op::Plus | Op::Minus | Op::Multiply | Op::Divide | Op::Modulo => {
                Some(NotCondition::Value("arithmetic (a number)"))
            }
            Op::StringConcat => Some(NotCondition::Value("a concatenation (a string)")),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus | UnaryOperator::Plus,
            ..
        } => Some(NotCondition::Value("a number")),
        _ => None,
    }
}

/// Aggregate functions common to the dialects: in a row-level expression
/// or `where` they fail on the engine (or the whole one-scan query).
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "variance",
    "var_pop",
    "var_samp",
    "median",
    "mode",
    "array_agg",
    "string_agg",
    "listagg",
    "group_concat",
    "bool_and",
    "bool_or",
    "every",
    "any_value",
    "count_if",
    "countif",
    "approx_count_distinct",
    "approx_distinct",
    "percentile_cont",
    "percentile_disc",
    "corr",
    "covar_pop",
    "covar_samp",
];

/// The aggregate and window functions `sql` calls (as written, once
/// each), when it parses as one expression: a rule on each row cannot
/// hold them.
pub fn aggregates(sql: &str) -> Vec<String> {
    let dialect = GenericDialect {};
    let Ok(mut parser) = Parser::new(&dialect).try_with_sql(sql) else {
        return Vec::new();
    };
    let Ok(expr) = parser.parse_expr() else {
        return Vec::new();
    };
    let mut found: Vec<String> = Vec::new();
    let _ = visit_expressions(&expr, |e| {
        if let Expr::Function(f) = e {
            let name = f.name.0.last().map(|p| p.to_string()).unwrap_or_default();
            let aggregate = AGGREGATES.contains(&name.to_lowercase().as_str());
            if (aggregate || f.over.is_some()) && !found.contains(&name) {
                found.push(name);
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    found
}

/// Does `ident` name `column`? Quoted identifiers match exactly; unquoted ones
/// case-insensitively, since warehouses fold unquoted names differently.
pub fn names(ident: &Identifier, column: &str) -> bool {
    if ident.quoted {
        ident.name == column
    } else {
        ident.name == column || ident.name.to_lowercase() == column.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(sql: &str) -> Vec<String> {
        match read_expression(sql) {
            Expression::Parsed(ids) => ids.into_iter().map(|i| i.name).collect(),
            Expression::Unparsed(e, _) => panic!("{e}"),
        }
    }

    #[test]
    fn collects_columns() {
        assert_eq!(
            idents("shipped_at is null or shipped_at >= placed_at"),
            ["shipped_at", "placed_at"]
        );
        assert_eq!(
            idents("amount > 0 and lower(status) in ('a', 'b')"),
            ["amount", "status"]
        );
        assert_eq!(idents("created_at <= current_timestamp"), ["created_at"]);
        assert_eq!(idents(r#""odd col" = 1"#), ["odd col"]);
    }

    #[test]
    fn tells_values_from_conditions() {
        use super::NotCondition::{Column, Value};
        assert_eq!(not_condition("amount"), Some(Column("amount".into())));
        assert_eq!(not_condition("(\"Odd\")"), Some(Column("Odd".into())));
        assert_eq!(
            not_condition("amount * 2"),
            Some(Value("arithmetic (a number)"))
        );
        assert_eq!(not_condition("1"), Some(Value("a number")));
        assert_eq!(not_condition("'yes'"), Some(Value("a string")));
        assert_eq!(
            not_condition("a || b"),
            Some(Value("a concatenation (a string)"))
        );
        for condition in [
            "email notnull",
            "x isnull",
            "amount > 0",
            "a and b",
            "not a",
            "a is null",
            "true",
            "f(a)",
            "case when a then true end",
            "a in (1, 2)",
            "(a > 0)",
        ] {
            assert_eq!(not_condition(condition), None, "{condition}");
        }
    }

    #[test]
    fn rejects_statements_and_garbage() {
        assert!(matches!(
            read_expression("1 = 1; drop table x"),
            Expression::Unparsed(_, Some(5))
        ));
        assert!(matches!(read_expression("a >"), Expression::Unparsed(_, _)));
        // Where the parser stopped, on the second line.
        assert_eq!(
            read_expression("a > 0\n  and b >>> 1"),
            Expression::Unparsed(
                "sql parser error: Expected: an expression, found: >".into(),
                Some(16)
            )
        );
    }
}

/// A query without its trailing `;` (comments after it are kept), so it
/// can be embedded as a subquery. Tokenizes with the generic dialect; when
/// that fails, only a `;` at the very end is removed.
pub fn strip_trailing_semicolons(sql: &str) -> String {
    let mut sql = sql.trim_end().to_string();
    loop {
        let dialect = GenericDialect {};
        let Ok(tokens) =
            sqlparser::tokenizer::Tokenizer::new(&dialect, &sql).tokenize_with_location()
        else {
            return sql
                .trim_end_matches([';', ' ', '\t', '\n', '\r'])
                .to_string();
        };
        let last = tokens
            .iter()
            .rev()
            .find(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF));
        let Some(last) = last.filter(|t| t.token == Token::SemiColon) else {
            return sql;
        };
        let (line, column) = (last.span.start.line, last.span.start.column);
        let Some(offset) =
            line_col_to_offset(&sql, line, column).filter(|&offset| sql[offset..].starts_with(';'))
        else {
            return sql;
        };
        sql.replace_range(offset..offset + 1, "");
        sql = sql.trim_end().to_string();
    }
}

/// How a dialect writes a quoted name and a string literal: all that
/// [`for_dialect`] needs of one (every SQL dialect of the emitter is one).
pub trait Quote {
    fn quote_ident(&self, name: &str) -> String;
    fn string_literal(&self, text: &str) -> String;
}

/// User SQL (`expression`, `where`) as `d` reads it.
///
/// Contracts write this SQL in one portable form: `"double quotes"` (or
/// backticks) around identifiers, `'single quotes'` around strings with `''`
/// for a quote and `\` an ordinary character. Engines differ on exactly
/// these: Spark and BigQuery read `"x"` as a string and take `\` in `'...'`
/// as an escape. So every quoted identifier and string literal is written
/// again with `d`'s quoting; all else is kept byte for byte. Left as written:
/// SQL that does not parse as one generic expression (the `unparsed-sql`
/// warning: it may be in the warehouse's own dialect), a string right after
/// a word (a prefix such as BigQuery's `rb'...'`), and a quoted name right
/// after `:` (a JSON path key such as Snowflake's `payload:"id"`).
pub fn for_dialect<Q: Quote + ?Sized>(sql: &str, d: &Q) -> String {
    if !matches!(read_expression(sql), Expression::Parsed(_)) {
        return sql.to_string();
    }
    let dialect = GenericDialect {};
    let Ok(tokens) = sqlparser::tokenizer::Tokenizer::new(&dialect, sql).tokenize_with_location()
    else {
        return sql.to_string();
    };
    let mut out = String::with_capacity(sql.len());
    let mut cursor = Cursor::new(sql);
    let mut copied = 0;
    for (i, token) in tokens.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &tokens[p].token);
        let replacement = match (&token.token, previous) {
            (Token::Word(w), previous)
                if w.quote_style.is_some() && previous != Some(&Token::Colon) =>
            {
                d.quote_ident(&w.value)
            }
            (Token::SingleQuotedString(text), previous)
                if !matches!(previous, Some(Token::Word(_))) =>
            {
                d.string_literal(text)
            }
            _ => continue,
        };
        let (Some(start), Some(end)) = (
            cursor.offset(token.span.start),
            cursor.offset(token.span.end),
        ) else {
            return sql.to_string();
        };
        // The span must hold exactly this token (the tokenizer's spans are
        // off inside `/*! ... */` comment hints, for one).
        if !is_exactly(&sql[start..end], &token.token) {
            return sql.to_string();
        }
        out.push_str(&sql[copied..start]);
        out.push_str(&replacement);
        copied = end;
    }
    out.push_str(&sql[copied..]);
    out
}

/// Whether `text` tokenizes as `token` alone.
fn is_exactly(text: &str, token: &Token) -> bool {
    let dialect = GenericDialect {};
    sqlparser::tokenizer::Tokenizer::new(&dialect, text)
        .tokenize()
        .is_ok_and(|tokens| tokens.len() == 1 && &tokens[0] == token)
}

/// Byte offsets of the tokenizer's (line, character column) locations,
/// asked for in increasing order: one pass over the text in all.
struct Cursor<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
    column: u64,
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Cursor {
            text,
            offset: 0,
            line: 1,
            column: 1,
        }
    }

    /// The offset of `at`; None if it lies before the cursor or past the end.
    fn offset(&mut self, at: sqlparser::tokenizer::Location) -> Option<usize> {
        while (self.line, self.column) < (at.line, at.column) {
            let c = self.text[self.offset..].chars().next()?;
            self.offset += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        ((self.line, self.column) == (at.line, at.column)).then_some(self.offset)
    }
}

/// 1-based line and character column → byte offset.
fn line_col_to_offset(text: &str, line: u64, column: u64) -> Option<usize> {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i as u64 + 1 == line {
            return l
                .char_indices()
                .nth(usize::try_from(column).ok()?.checked_sub(1)?)
                .map(|(o, _)| start + o);
        }
        start += l.len();
    }
    None
}

#[cfg(test)]
mod semicolon_tests {
    use super::strip_trailing_semicolons as strip;

    #[test]
    fn trailing_semicolons_go_comments_stay() {
        assert_eq!(strip("select 1;"), "select 1");
        assert_eq!(strip("select 1; -- done\n"), "select 1 -- done");
        assert_eq!(strip("select ';' ;; "), "select ';'");
        assert_eq!(strip("select 'é';\n/* c */"), "select 'é'\n/* c */");
        assert_eq!(strip("select 1 -- x;"), "select 1 -- x;");
        assert_eq!(strip("select 1 /*! done;*/"), "select 1 /*! done;*/");
    }
}

#[cfg(test)]
mod for_dialect_tests {
    use super::for_dialect;
    use crate::types::Dialect;

    #[test]
    fn user_sql_takes_each_dialects_quoting() {
        let sql = "\"Order ID\" > 0 and status <> 'it''s' -- \"c\" 'x'\n and `b` = 'a\\b' and \"é\" = 'ü'";
        let spark = for_dialect(sql, Dialect::Databricks.sql());
        assert_eq!(
            spark,
            "`Order ID` > 0 and status <> 'it\\'s' -- \"c\" 'x'\n and `b` = 'a\\\\b' and `é` = 'ü'"
        );
        assert_eq!(
            for_dialect(sql, Dialect::Postgres.sql()),
            "\"Order ID\" > 0 and status <> 'it''s' -- \"c\" 'x'\n and \"b\" = 'a\\b' and \"é\" = 'ü'"
        );
        assert_eq!(
            for_dialect(r#""a""b" = 1"#, Dialect::Databricks.sql()),
            "`a\"b` = 1"
        );
        let spark = |sql| for_dialect(sql, Dialect::Databricks.sql());
        // Not one generic expression, or not tokenizable: kept as written.
        assert_eq!(spark("\"open = 1"), "\"open = 1");
        assert_eq!(spark("\"a\" = 1; \"b\""), "\"a\" = 1; \"b\"");
        // Comment hints, whose token spans are off: kept as written.
        assert_eq!(spark("x /*!\"a\"*/ = 1"), "x /*!\"a\"*/ = 1");
        assert_eq!(spark("x = 1 /*!50110 'x' */"), "x = 1 /*!50110 'x' */");
        // A JSON path key after `:` and a prefixed string stay.
        assert!(matches!(
            super::read_expression("payload:\"id\" = 'a'"),
            super::Expression::Parsed(_)
        ));
        assert_eq!(
            for_dialect("payload:\"id\" = 'a'", Dialect::Snowflake.sql()),
            "payload:\"id\" = 'a'"
        );
        assert_eq!(spark("x = rb'\\d'"), "x = rb'\\d'");
        // Parsed, but the comment hint's span is off: kept as written.
        assert!(matches!(
            super::read_expression("x /*! = \"a\" */"),
            super::Expression::Parsed(_)
        ));
        assert_eq!(spark("x /*! = \"a\" */"), "x /*! = \"a\" */");
    }
}

/// Something in user SQL that could make a client or engine run more than
/// the one statement (or expression) it was meant to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hazard {
    /// Byte offset of the character in the text.
    pub offset: usize,
    pub what: HazardKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HazardKind {
    /// `;`, which ends a statement.
    Separator,
    /// `\`, which starts a psql meta-command (`\! <shell command>`).
    Backslash,
    /// A line starting with `GO`, which ends a batch in sqlcmd and SSMS.
    BatchSeparator,
    /// A line a SQL client runs as its own command: sqlcmd's `:r`, `:out`,
    /// `!!` (a shell command), `exit`, `quit`, `ed`, `reset`, SnowSQL's
    /// `!system`.
    ClientCommand,
    /// `$(`, which sqlcmd replaces with a variable or an environment value.
    Variable,
    /// `{{ table }}` inside a string literal, quoted name or comment, or
    /// where engines may disagree on their extent: the table's quoted name,
    /// which may hold quotes, is pasted there and could end it.
    Placeholder,
}

impl HazardKind {
    /// What the hazard could do, after "this expression holds".
    pub fn describe(self) -> &'static str {
        match self {
            HazardKind::Separator => "a `;`, which could end the statement and start another",
            HazardKind::Backslash => {
                "a `\\` that psql could run as a command (`\\!` runs a shell command)"
            }
            HazardKind::BatchSeparator => "a line `GO`, which ends a batch in SQL Server's tools",
            HazardKind::ClientCommand => {
                "a line a SQL client runs as its own command (sqlcmd `:r`, `!!`, `exit`; SnowSQL `!`)"
            }
            HazardKind::Variable => {
                "`$(`, which sqlcmd replaces with a variable or an environment value"
            }
            HazardKind::Placeholder => {
                "`{{ table }}` inside a string, quoted name or comment, which the table's name could end"
            }
        }
    }

    /// How to write the SQL without the hazard.
    pub fn help(self) -> &'static str {
        match self {
            HazardKind::Separator => {
                "user SQL is one statement and holds no `;`, not even in a string or comment (readers disagree on where those end; a `sql` query may end with one); for the character, write `chr(59)`"
            }
            HazardKind::Backslash => {
                "a `\\` may appear only in a '...' string literal or a `--` comment, and only before anything readers disagree on: a `$`, a backtick, a `#` or `//` comment, a nested `/* */` comment, a `[name]` or a prefixed literal"
            }
            HazardKind::BatchSeparator | HazardKind::ClientCommand => {
                "user SQL is one statement; start the line with something else (indenting is not enough)"
            }
            HazardKind::Variable => "write `$` and `(` apart, e.g. `'$' || '('`",
            HazardKind::Placeholder => {
                "write `{{ table }}` only where a table name goes, outside strings and comments"
            }
        }
    }
}

/// The byte ranges of the `{{ table }}` placeholders of a sql check.
pub fn placeholders(sql: &str) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
    static PLACEHOLDER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\{\{\s*table\s*\}\}").expect("valid regex")
    });
    PLACEHOLDER.find_iter(sql).map(|m| m.range())
}

/// The first place in user SQL (`expression`, `where`, or a `sql` check
/// without its trailing `;`, with `placeholders` set) where it could be more
/// than one statement on some engine or client: a `;` or `\` outside a
/// string literal or a `--` comment, one inside them when engines may read
/// their extent differently, a line a client takes as its own command, a
/// `$(`, or a `{{ table }}` anywhere but in plain SQL text or a `--`
/// comment.
///
/// Engines and clients agree where a `'...'` literal ends (with `''` for a
/// quote) until the text holds something they read differently: a dollar
/// quote (`$$`, `$tag$`), a `#` comment, a nested or unterminated `/*`
/// comment (some engines nest them), a `[name]`, a prefixed literal
/// (`E'...'`, `r'...'`), a backslash before a closing quote, or a carriage
/// return in a `--` comment. After such a place a `;`, `\` or `{{ table }}`
/// is refused even inside a literal or a `--` comment; before it, only
/// outside them. A `;` or `\` in a quoted name or a `/* */` comment is
/// always refused.
pub fn hazard(sql: &str, placeholders: bool) -> Option<Hazard> {
    let at = |offset: usize, what: HazardKind| Hazard { offset, what };
    let marks: Vec<usize> = if placeholders {
        self::placeholders(sql).map(|r| r.start).collect()
    } else {
        Vec::new()
    };
    // The first placeholder starting in `range`.
    let placeholder_in = |range: std::ops::Range<usize>| {
        marks
            .iter()
            .find(|&&m| range.contains(&m))
            .map(|&m| at(m, HazardKind::Placeholder))
    };
    let bytes = sql.as_bytes();
    let hazard_at = |i: usize| match bytes[i] {
        b';' => Some(at(i, HazardKind::Separator)),
        b'\\' => Some(at(i, HazardKind::Backslash)),
        _ => None,
    };
    // The first `;`, `\` or placeholder in `range`.
    let first_in = |range: std::ops::Range<usize>| {
        let found = range.clone().find_map(hazard_at);
        match (found, placeholder_in(range)) {
            (Some(a), Some(b)) => Some(if a.offset < b.offset { a } else { b }),
            (a, b) => a.or(b),
        }
    };
    let is_word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let scanned = 'scan: {
        // Whether engines may have started to read the text differently.
        let mut diverged = false;
        // Whether a literal held `''`: a quote to PostgreSQL and psql (so a
        // `\\` stays safe), but two literals or a `'''` string to BigQuery
        // and Spark, where the placeholder's name could end one.
        let mut doubled = false;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                quote @ (b'\'' | b'"' | b'`') => {
                    // A prefixed literal (`E'…'`, `r'…'`); a backtick, a name
                    // to some engines and an operator to PostgreSQL.
                    if (quote == b'\'' && i > 0 && is_word(bytes[i - 1])) || quote == b'`' {
                        diverged = true;
                    }
                    // Only a string literal may hold `;` and `\`, and only
                    // while engines agree on where it ends.
                    let literal = quote == b'\'';
                    let mut j = i + 1;
                    loop {
                        let Some(&b) = bytes.get(j) else {
                            // Unterminated: engines read the rest as they please.
                            break 'scan first_in(i + 1..bytes.len());
                        };
                        if b == quote {
                            if bytes.get(j + 1) == Some(&quote) {
                                doubled = true;
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        if b == b'\\' && (!literal || bytes.get(j + 1) == Some(&quote)) {
                            // An escape to engines that take `\` as one.
                            diverged = true;
                        }
                        if !literal || diverged {
                            if let Some(h) = hazard_at(j) {
                                break 'scan Some(h);
                            }
                        }
                        j += 1;
                    }
                    if let Some(h) = placeholder_in(i + 1..j) {
                        break 'scan Some(h);
                    }
                    i = j + 1;
                }
                b'-' if bytes.get(i + 1) == Some(&b'-') && exponent_sign(bytes, i) => {
                    // `1E--`: PostgreSQL's lexer (and psql's, DuckDB's) reads
                    // `1E-` as one token, so no comment starts here for them;
                    // other engines see a comment.
                    diverged = true;
                    i += 1;
                }
                b'-' if bytes.get(i + 1) == Some(&b'-') => {
                    // Every engine and client ends a `--` comment at the line
                    // feed, some already at a carriage return.
                    let end = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
                    if bytes[i..end].contains(&b'\r') {
                        diverged = true;
                    }
                    if diverged {
                        if let Some(h) = first_in(i..end) {
                            break 'scan Some(h);
                        }
                    }
                    if doubled {
                        if let Some(h) = placeholder_in(i..end) {
                            break 'scan Some(h);
                        }
                    }
                    // Spark continues a comment past a `\` at a line's end.
                    if bytes[i..end].contains(&b'\\') {
                        diverged = true;
                    }
                    i = end;
                }
                b'/' if bytes.get(i + 1) == Some(&b'*') => {
                    // Engines agree on the extent of a comment that holds no
                    // `/*`, whether or not they nest comments.
                    let body = i + 2;
                    match sql[body..].find("*/") {
                        Some(n) if !sql[body..body + n].contains("/*") => {
                            if let Some(h) = first_in(body..body + n) {
                                break 'scan Some(h);
                            }
                            i = body + n + 2;
                        }
                        _ => {
                            diverged = true;
                            i = body;
                        }
                    }
                }
                b => {
                    if let Some(h) = hazard_at(i) {
                        break 'scan Some(h);
                    }
                    if diverged || doubled {
                        if let Some(h) = placeholder_in(i..i + 1) {
                            break 'scan Some(h);
                        }
                    }
                    // Any `$` may open a dollar quote (`$$`, `$tag$` with a
                    // tag of any letters, after a number too); `//` starts a
                    // comment in Snowflake.
                    if b == b'$'
                        || b == b'#'
                        || b == b'['
                        || (b == b'/' && bytes.get(i + 1) == Some(&b'/'))
                    {
                        diverged = true;
                    }
                    i += 1;
                }
            }
        }
        None
    };
    [
        scanned,
        // No `;` anywhere: a reader that ends a literal or comment elsewhere
        // than the others would take it as the end of the statement.
        sql.find(';').map(|i| at(i, HazardKind::Separator)),
        client_line(sql),
        sql.find("$(").map(|i| at(i, HazardKind::Variable)),
    ]
    .into_iter()
    .flatten()
    .min_by_key(|h| h.offset)
}

/// Whether the `-` at `i` follows a number's exponent mark (`1E-`,
/// `2.5e-`, `1_000E-`), where PostgreSQL's lexer takes it into the number.
fn exponent_sign(bytes: &[u8], i: usize) -> bool {
    if i < 2 || !matches!(bytes[i - 1], b'e' | b'E') {
        return false;
    }
    let mut j = i - 1;
    let mut digits = false;
    while j > 0 && matches!(bytes[j - 1], b'0'..=b'9' | b'.' | b'_') {
        digits |= bytes[j - 1].is_ascii_digit();
        j -= 1;
    }
    digits
        && (j == 0
            || !(bytes[j - 1].is_ascii_alphanumeric() || matches!(bytes[j - 1], b'_' | b'$')))
}

/// The first line a SQL client would run as its own command rather than
/// send as SQL, wherever it is (clients differ on whether a string or a
/// comment hides it): sqlcmd and SSMS take `GO` as the end of a batch and
/// run `:command`, `!! shell`, `exit`, `quit`, `ed` and `reset`; SnowSQL
/// runs `!command`. Leading blanks do not hide a command, and a carriage
/// return counts as a line break.
fn client_line(sql: &str) -> Option<Hazard> {
    const COMMANDS: [&str; 4] = ["exit", "quit", "ed", "reset"];
    let mut start = 0;
    // A carriage return alone ends a line for some readers.
    for line in sql.split_inclusive(['\n', '\r']) {
        let text = line.trim_start();
        let offset = start + line.len() - text.len();
        start += line.len();
        let bytes = text.as_bytes();
        let what = match bytes {
            [b'!', ..] => Some(HazardKind::ClientCommand),
            [b':', next, ..] if next.is_ascii_alphabetic() || *next == b'!' => {
                Some(HazardKind::ClientCommand)
            }
            _ => {
                let word = text
                    .find(|c: char| !c.is_ascii_alphabetic())
                    .map_or(text, |n| &text[..n]);
                let ends = text[word.len()..]
                    .chars()
                    .next()
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '$'));
                if !ends || word.is_empty() {
                    None
                } else if word.eq_ignore_ascii_case("go") {
                    Some(HazardKind::BatchSeparator)
                } else if COMMANDS.iter().any(|c| word.eq_ignore_ascii_case(c)) {
                    Some(HazardKind::ClientCommand)
                } else {
                    None
                }
            }
        };
        if let Some(what) = what {
            return Some(Hazard { offset, what });
        }
    }
    None
}

#[cfg(test)]
mod hazard_tests {
    use super::{HazardKind, hazard};

    fn kind(sql: &str) -> Option<HazardKind> {
        hazard(sql, true).map(|h| h.what)
    }

    #[test]
    fn one_statement_passes() {
        for sql in [
            "a > 0",
            "note like '%,%'",
            "code ~ '^\\d+$'",
            "code ~ '^[A-Z]{2}\\d+$' and c = ','",
            "price > $1",
            "\"Order ID\" = 'it''s fine'",
            "a = 'it''s' and b = 'x\\y'",
            "x = 1 -- a comment with \\ and 'quotes\n and y = 2",
            "select * from {{ table }} where a < 0",
            "category = 'go'",
            "good = 1\n  and gone = 2",
            "a = 1 /* a comment holding ' and -- */ and b = 2",
            "select 1 as x /* reads */ from {{ table }} -- from {{ table }}\nwhere a < 0",
            "exists (select 1)\n  and edited = 1\n  and gotten = 2\n  and a != 1",
            "price like '$%'",
            "x1e > 0 -- a comment, fine",
            "a > 1e-3 -- a comment, fine",
        ] {
            assert_eq!(hazard(sql, true), None, "{sql}");
        }
    }

    #[test]
    fn a_second_statement_is_found() {
        let cases = [
            ("a = 1; drop table t", 5, HazardKind::Separator),
            ("a = 1) ; drop table t; --", 7, HazardKind::Separator),
            ("\"a;b\" = 1", 2, HazardKind::Separator),
            // A `;` even where every reader sees a literal or a comment.
            ("note like '%;%'", 12, HazardKind::Separator),
            ("x = 1 -- a comment; fine", 18, HazardKind::Separator),
            ("a = 'open ;", 10, HazardKind::Separator),
            ("a = 1 \\! touch /tmp/x", 6, HazardKind::Backslash),
            // A `\` in a literal once readers may disagree on its extent.
            ("a = E'x\\' ; drop'", 7, HazardKind::Backslash),
            ("a = $$ ' $$ \\! x '", 12, HazardKind::Backslash),
            ("a = $\u{e9}$ ' $\u{e9}$ \\! x '", 16, HazardKind::Backslash),
            ("a = 1$$ ' $$ \\! '", 13, HazardKind::Backslash),
            ("a = ` ' ` || ' \\! '", 15, HazardKind::Backslash),
            ("a = 1 /* ' */ \\! '", 14, HazardKind::Backslash),
            ("a = 'x' # '\\!'", 11, HazardKind::Backslash),
            ("a = x'00' and b = '\\!'", 19, HazardKind::Backslash),
            ("a = 1 -- x\r' \n and b = '\\!'", 24, HazardKind::Backslash),
            ("a = '\\' x '\\!'", 5, HazardKind::Backslash),
            ("a = 'open \\", 10, HazardKind::Backslash),
            (
                "select 1 where a = 'it''s' and b in (select c from {{ table }})",
                51,
                HazardKind::Placeholder,
            ),
            ("a = 1 // x\n and b = '\\!'", 21, HazardKind::Backslash),
            ("a = 1 -- x \\\n and b = '\\!'", 23, HazardKind::Backslash),
            ("a > 1E-- x\n and b = '\\!'", 21, HazardKind::Backslash),
            ("a = 1\nGO\ndrop table t", 6, HazardKind::BatchSeparator),
            ("a = 1\n  go 2\n", 8, HazardKind::BatchSeparator),
            (
                "a = 1\nGO -- end of batch\ndrop table t",
                6,
                HazardKind::BatchSeparator,
            ),
            ("a = 1\n!! touch /tmp/x #", 6, HazardKind::ClientCommand),
            ("a = 1\n  :!! id", 8, HazardKind::ClientCommand),
            ("a = 1\n:out /tmp/x\n", 6, HazardKind::ClientCommand),
            ("a = 1\n:r /etc/passwd", 6, HazardKind::ClientCommand),
            ("a = 1\nexit(select 1)", 6, HazardKind::ClientCommand),
            ("a = 1\n !system touch x", 7, HazardKind::ClientCommand),
            ("a = 1\r:r /etc/passwd", 6, HazardKind::ClientCommand),
            ("a > 1E--; drop table t", 8, HazardKind::Separator),
            ("a = 1\r\nGO", 7, HazardKind::BatchSeparator),
            ("a = '$(SQLCMDPASSWORD)'", 5, HazardKind::Variable),
            // The table's quoted name could end what holds the placeholder.
            (
                "select 1 where '{{ table }}' = ''",
                16,
                HazardKind::Placeholder,
            ),
            ("select 1 from \"{{ table }}\"", 15, HazardKind::Placeholder),
            (
                "select 1 /* {{ table }} */ from t",
                12,
                HazardKind::Placeholder,
            ),
            ("select $$ {{ table }} $$", 10, HazardKind::Placeholder),
            (
                "select 1 /* /* */ from {{ table }}",
                23,
                HazardKind::Placeholder,
            ),
            ("select 1 /* a; */ from t", 13, HazardKind::Separator),
        ];
        for (sql, offset, what) in cases {
            let got = hazard(sql, true);
            assert_eq!(
                got.map(|h| (h.offset, h.what)),
                Some((offset, what)),
                "{sql}"
            );
        }
    }

    #[test]
    fn placeholders_count_only_in_sql_checks() {
        assert_eq!(hazard("note = '{{ table }}'", false), None);
        assert_eq!(kind("note = '{{ table }}'"), Some(HazardKind::Placeholder));
    }

    #[test]
    fn comments_end_at_a_line_feed() {
        assert_eq!(
            kind("a = 1 -- x\r; drop table t"),
            Some(HazardKind::Separator)
        );
    }
}
