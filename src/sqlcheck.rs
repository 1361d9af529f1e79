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
