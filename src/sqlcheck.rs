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
        let Some(offset) = line_col_to_offset(&sql, line, column) else {
            return sql;
        };
        sql.replace_range(offset..offset + 1, "");
        sql = sql.trim_end().to_string();
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
    }
}
