//! What datapact checks inside user SQL (`expression:` and `where:`): that it
//! parses as one expression, and that the columns it names are declared.

use sqlparser::ast::{Expr, visit_expressions};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Token;

use crate::dialect::SqlDialect;

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
    /// Not parseable by the generic dialect (it may still be valid in the user's warehouse).
    Unparsed(String),
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
        Err(e) => return Expression::Unparsed(e.to_string()),
    };
    let expr = match parser.parse_expr() {
        Ok(e) => e,
        Err(e) => return Expression::Unparsed(e.to_string()),
    };
    let next = parser.next_token();
    if next.token != Token::EOF {
        return Expression::Unparsed(format!("unexpected `{}` after the expression", next.token));
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
            Expression::Unparsed(e) => panic!("{e}"),
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
    fn rejects_statements_and_garbage() {
        assert!(matches!(
            read_expression("1 = 1; drop table x"),
            Expression::Unparsed(_)
        ));
        assert!(matches!(read_expression("a >"), Expression::Unparsed(_)));
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
pub fn for_dialect(sql: &str, d: &dyn SqlDialect) -> String {
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
    use crate::dialect::Dialect;

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
