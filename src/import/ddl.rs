//! Drafts from DDL: the CREATE TABLE statements of a file (columns, types,
//! NOT NULL, PRIMARY KEY, UNIQUE, REFERENCES, CHECK, comments), the
//! `ALTER TABLE … ADD CONSTRAINT` and `COMMENT ON` statements about them.
//! Each statement is parsed on its own with sqlparser in the file's
//! dialect; one that does not parse, or is not about a table, is a
//! [`Skipped`] with its line and column, and the others are still read.

use sqlparser::ast::{
    AlterTableOperation, ColumnOption, CommentObject, CreateTable, ObjectName, Statement,
    TableConstraint,
};
use sqlparser::dialect::{self as sql_dialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::{Draft, ForeignKey, Skipped};
use crate::ir::Location;
use crate::types::Dialect;

/// What a DDL file holds.
#[derive(Debug, Default)]
pub struct Read {
    pub drafts: Vec<Draft>,
    pub skipped: Vec<Skipped>,
}

pub(super) fn parser_dialect(dialect: Dialect) -> Box<dyn sql_dialect::Dialect> {
    match dialect {
        Dialect::Duckdb => Box::new(sql_dialect::DuckDbDialect {}),
        Dialect::Postgres => Box::new(sql_dialect::PostgreSqlDialect {}),
        Dialect::Snowflake => Box::new(sql_dialect::SnowflakeDialect),
        Dialect::Bigquery => Box::new(sql_dialect::BigQueryDialect),
        Dialect::Redshift => Box::new(sql_dialect::RedshiftSqlDialect {}),
        Dialect::Databricks => Box::new(sql_dialect::DatabricksDialect {}),
        Dialect::Trino => Box::new(sql_dialect::GenericDialect {}),
        Dialect::Sqlserver => Box::new(sql_dialect::MsSqlDialect {}),
    }
}

/// The statements of `sql`: each one's text and where it starts (line,
/// column, both from 1). Split at top-level semicolons by the dialect's
/// tokenizer, so a `;` inside a string or comment does not split.
fn statements(
    sql: &str,
    dialect: &dyn sql_dialect::Dialect,
) -> Result<Vec<(String, u64, u64, usize)>, String> {
    let tokens = Tokenizer::new(dialect, sql)
        .tokenize_with_location()
        .map_err(|e| e.to_string())?;
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(sql.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let offset = |line: u64, column: u64| -> usize {
        let start = line_starts
            .get((line.max(1) - 1) as usize)
            .copied()
            .unwrap_or(sql.len());
        // Columns count characters.
        sql[start..]
            .char_indices()
            .nth((column.max(1) - 1) as usize)
            .map_or(sql.len(), |(i, _)| start + i)
    };
    let mut out = Vec::new();
    let mut start: Option<(u64, u64)> = None;
    let flush = |from: Option<(u64, u64)>, to: usize, out: &mut Vec<(String, u64, u64, usize)>| {
        if let Some((line, column)) = from {
            let begin = offset(line, column);
            if begin < to {
                out.push((sql[begin..to].to_string(), line, column, begin));
            }
        }
    };
    for token in &tokens {
        match &token.token {
            Token::SemiColon => {
                let at = offset(token.span.start.line, token.span.start.column);
                flush(start.take(), at, &mut out);
            }
            Token::Whitespace(_) => {}
            _ if start.is_none() => start = Some((token.span.start.line, token.span.start.column)),
            _ => {}
        }
    }
    flush(start, sql.len(), &mut out);
    Ok(out)
}

/// sqlparser's message without its position (the note has its own).
fn without_position(e: &sqlparser::parser::ParserError) -> String {
    let e = e.to_string();
    e.split(" at Line: ").next().unwrap_or(&e).to_string()
}

/// A statement parsed; when it is a CREATE TABLE that does not parse, the
/// column or constraint where parsing stopped is left out and the rest
/// parsed again (a generated column of a newer PostgreSQL, an engine's
/// storage option), at most 8 times. Returns what was left out, each with
/// the parser's message.
fn parse_table_leniently(
    text: &str,
    dialect: &dyn sql_dialect::Dialect,
) -> (
    Result<Statement, sqlparser::parser::ParserError>,
    Vec<(String, String)>,
) {
    let mut sql = text.to_string();
    let mut left_out = Vec::new();
    loop {
        let parsed = Parser::new(dialect)
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_statement());
        let Err(e) = &parsed else {
            return (parsed, left_out);
        };
        let is_table = sql
            .split_whitespace()
            .take(5)
            .any(|w| w.eq_ignore_ascii_case("table"))
            && sql.trim_start().to_ascii_uppercase().starts_with("CREATE");
        let item = is_table
            .then(|| error_offset(&sql, &e.to_string()))
            .flatten()
            .and_then(|at| item_at(&sql, at));
        match item {
            Some(range) if left_out.len() < 8 => {
                let shown = sql[range.clone()]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                left_out.push((shown, without_position(e)));
                // Blank it out, with the comma that separates it.
                let (start, end) = with_comma(&sql, range);
                sql.replace_range(start..end, &" ".repeat(end - start));
            }
            _ => return (parsed, left_out),
        }
    }
}

/// The byte offset of sqlparser's `at Line: L, Column: C` in `sql`.
fn error_offset(sql: &str, message: &str) -> Option<usize> {
    let at = message.rsplit_once("at Line: ")?.1;
    let (line, column) = at.split_once(", Column: ")?;
    let line: usize = line.trim().parse().ok()?;
    let column: usize = column
        .trim()
        .trim_end_matches(|c: char| !c.is_ascii_digit())
        .parse()
        .ok()?;
    let start = sql
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let line_text = sql[start..].lines().next().unwrap_or_default();
    let offset = line_text
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_text.len(), |(i, _)| i);
    Some(start + offset)
}

/// The column or constraint of a CREATE TABLE's list that holds `at`: the
/// text between the commas (at the list's depth) around it.
fn item_at(sql: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let open = sql.find('(')?;
    let mut depth = 0;
    let mut start = open + 1;
    let mut quote: Option<char> = None;
    for (i, c) in sql.char_indices().skip_while(|(i, _)| *i < open) {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' | '`' => quote = Some(c),
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return (at >= start && at <= i && !sql[start..i].trim().is_empty())
                        .then_some(start..i);
                }
            }
            ',' if depth == 1 => {
                if at >= start && at <= i {
                    return Some(start..i);
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// `range` widened to the comma after it, else the comma before it.
fn with_comma(sql: &str, range: std::ops::Range<usize>) -> (usize, usize) {
    if sql[range.end..].starts_with(',') {
        return (range.start, range.end + 1);
    }
    match sql[..range.start].rfind(',') {
        Some(comma) if sql[comma + 1..range.start].trim().is_empty() => (comma, range.end),
        _ => (range.start, range.end),
    }
}

/// The file as sqlparser can read it, of the same length (so notes point
/// at the right place): SQL Server's `GO` batch separators become `;`;
/// Redshift's storage attributes (`encode`, `distkey`, `sortkey`,
/// `diststyle`), which say how rows are stored, not what they hold, are
/// blanked.
fn prepared(sql: &str, dialect: Dialect) -> String {
    let blank = |text: &str, pattern: &str| -> String {
        let re = regex::Regex::new(pattern).expect("a valid pattern");
        re.replace_all(text, |c: &regex::Captures| " ".repeat(c[0].len()))
            .into_owned()
    };
    match dialect {
        Dialect::Sqlserver => {
            let re = regex::Regex::new(r"(?mi)^([ \t]*)GO([ \t]*[0-9]*[ \t]*)$")
                .expect("a valid pattern");
            re.replace_all(sql, |c: &regex::Captures| {
                format!("{};{}", &c[1], " ".repeat(1 + c[2].len()))
            })
            .into_owned()
        }
        Dialect::Redshift => {
            let mut out = sql.to_string();
            for pattern in [
                r"(?i)\bencode\s+[a-z0-9_]+",
                r"(?i)\b(?:compound\s+|interleaved\s+)?sortkey\s*\([^)]*\)",
                r"(?i)\bdistkey\s*\([^)]*\)",
                r"(?i)\bdiststyle\s+[a-z]+",
                r"(?i)\b(?:distkey|sortkey)\b",
                r"(?i)\bbackup\s+(?:yes|no)\b",
            ] {
                out = blank(&out, pattern);
            }
            out
        }
        _ => sql.to_string(),
    }
}

/// Read the DDL file `path` (as shown in notes) of `dialect`.
pub fn read(path: &str, sql: &str, dialect: Dialect) -> Read {
    // A byte order mark is no SQL; three spaces keep the offsets.
    let unmarked;
    let sql = match sql.strip_prefix('\u{feff}') {
        Some(rest) => {
            unmarked = format!("   {rest}");
            unmarked.as_str()
        }
        None => sql,
    };
    let prepared = prepared(sql, dialect);
    let sql = prepared.as_str();
    let parser_dialect = parser_dialect(dialect);
    let mut read = Read::default();
    // The tokenizer stops at an unterminated quote; then split at each
    // `;` that ends a line, so the statements before and after it are read.
    let statements =
        statements(sql, parser_dialect.as_ref()).unwrap_or_else(|_| split_at_line_ends(sql));
    // Statements that define no table, by kind: one note per file.
    let mut other: Vec<(String, usize)> = Vec::new();
    let mut first_other: Option<Skipped> = None;
    for (text, line, column, begin) in statements {
        let place = format!("{path}:{line}:{column}");
        let first_line = text.lines().next().unwrap_or_default().trim_end().len();
        let span = Some((path.to_string(), begin..begin + first_line.max(1)));
        let skip = |what: String| Skipped {
            place: place.clone(),
            span: span.clone(),
            what,
        };
        let (parsed, left_out) = parse_table_leniently(&text, parser_dialect.as_ref());
        for (item, e) in left_out {
            read.skipped.push(skip(format!(
                "`{item}` in the table's definition, which does not parse as {}: {e}",
                dialect.name()
            )));
        }
        let statement = match parsed {
            Ok(s) => s,
            Err(e) => {
                let creates_table = {
                    let words: Vec<String> = text
                        .split_whitespace()
                        .take(6)
                        .map(str::to_ascii_uppercase)
                        .collect();
                    words.iter().any(|w| w == "TABLE")
                        && matches!(
                            words.first().map(String::as_str),
                            Some("CREATE" | "ALTER" | "COMMENT")
                        )
                };
                if creates_table {
                    read.skipped.push(skip(format!(
                        "a statement that does not parse as {}: {}",
                        dialect.name(),
                        without_position(&e)
                    )));
                } else {
                    // Not about a table: one of the statements counted below.
                    count(&mut other, kind_of(&text.to_ascii_uppercase()));
                    first_other.get_or_insert_with(|| skip(String::new()));
                }
                continue;
            }
        };
        match statement {
            Statement::CreateTable(table) => {
                let origin = format!("from {place}");
                if table.columns.is_empty() {
                    read.skipped.push(skip(format!(
                        "CREATE TABLE `{}` without column definitions: import it from a connection",
                        table.name
                    )));
                    continue;
                }
                let draft = create_table(&table, dialect, &origin, &skip, &mut read.skipped);
                // A table created again (after a DROP) is the later one.
                let same = read
                    .drafts
                    .iter()
                    .position(|d| same_table(&d.dataset.location, &draft.dataset.location));
                if let Some(earlier) = same {
                    read.drafts.remove(earlier);
                    read.skipped.push(skip(format!(
                        "an earlier CREATE TABLE of `{}`: this one replaces it",
                        table.name
                    )));
                }
                read.drafts.push(draft);
            }
            Statement::AlterTable(alter) => {
                let Some(draft) = find(&mut read.drafts, &alter.name) else {
                    let constrains = alter
                        .operations
                        .iter()
                        .any(|op| matches!(op, AlterTableOperation::AddConstraint { .. }));
                    if constrains {
                        read.skipped.push(skip(format!(
                            "ALTER TABLE of `{}`, which no CREATE TABLE before it creates",
                            alter.name
                        )));
                    } else {
                        // A view's or sequence's owner (pg_dump writes them).
                        for op in &alter.operations {
                            count(
                                &mut other,
                                format!("ALTER TABLE … {}", kind_of(&op.to_string())),
                            );
                        }
                        first_other.get_or_insert_with(|| skip(String::new()));
                    }
                    continue;
                };
                for op in &alter.operations {
                    match op {
                        AlterTableOperation::AddConstraint {
                            not_valid: true, ..
                        } => {
                            let what =
                                "a constraint added NOT VALID: rows from before it may break it"
                                    .to_string();
                            draft.notes.header.push(format!("not imported: {what}"));
                            read.skipped.push(skip(what));
                        }
                        AlterTableOperation::AddConstraint { constraint, .. } => {
                            constraint_of(draft, constraint, &skip, &mut read.skipped);
                        }
                        op => {
                            let kind = format!("ALTER TABLE … {}", kind_of(&op.to_string()));
                            count(&mut other, kind);
                            first_other.get_or_insert_with(|| skip(String::new()));
                        }
                    }
                }
            }
            Statement::Comment {
                object_type,
                object_name,
                comment,
                ..
            } => {
                let parts = &object_name.0;
                let described = match object_type {
                    CommentObject::Table => find(&mut read.drafts, &object_name).map(|d| {
                        d.dataset.description = comment.clone();
                    }),
                    CommentObject::Column if parts.len() >= 2 => {
                        let table = ObjectName(parts[..parts.len() - 1].to_vec());
                        let column = parts[parts.len() - 1].to_string();
                        let column = column.trim_matches('"').to_string();
                        find(&mut read.drafts, &table)
                            .and_then(|d| d.column_mut(&column))
                            .map(|c| c.description = comment.clone())
                    }
                    _ => None,
                };
                if described.is_none() {
                    read.skipped.push(skip(format!(
                        "a comment on `{object_name}`, which no CREATE TABLE before it creates"
                    )));
                }
            }
            statement => {
                count(&mut other, kind_of(&statement.to_string()));
                first_other.get_or_insert_with(|| skip(String::new()));
            }
        }
    }
    if let Some(first) = first_other {
        let total: usize = other.iter().map(|(_, n)| n).sum();
        let kinds: Vec<String> = other
            .iter()
            .map(|(kind, n)| match n {
                1 => format!("`{kind}`"),
                n => format!("`{kind}` ×{n}"),
            })
            .collect();
        read.skipped.push(Skipped {
            what: format!(
                "{total} {} that define{} no table ({}); the first is here",
                if total == 1 {
                    "statement"
                } else {
                    "statements"
                },
                if total == 1 { "s" } else { "" },
                kinds.join(", ")
            ),
            ..first
        });
    }
    read
}

fn count(kinds: &mut Vec<(String, usize)>, kind: String) {
    match kinds.iter_mut().find(|(k, _)| *k == kind) {
        Some((_, n)) => *n += 1,
        None => kinds.push((kind, 1)),
    }
}

/// A statement's kind: its leading keywords (`CREATE INDEX`, `SET`,
/// `GRANT`, `OWNER TO`).
fn kind_of(sql: &str) -> String {
    let words: Vec<&str> = sql
        .split_whitespace()
        .take_while(|w| {
            w.chars().all(|c| c.is_ascii_uppercase() || c == '_') && !matches!(*w, "IF" | "ON")
        })
        .take(3)
        .collect();
    match words.as_slice() {
        [] => first_words(sql),
        words => words.join(" "),
    }
}

/// Statements split at each `;` that ends a line (when the tokenizer
/// cannot read the file), with where each starts.
fn split_at_line_ends(sql: &str) -> Vec<(String, u64, u64, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut line = 1u64;
    let mut start_line = 1u64;
    for (i, c) in sql.char_indices() {
        if c == '\n' {
            let before = sql[start..i].trim_end();
            if before.ends_with(';') {
                let text = &sql[start..i];
                let lead = text.len() - text.trim_start().len();
                let skipped_lines = text[..lead].matches('\n').count() as u64;
                if !text.trim().is_empty() {
                    out.push((
                        text.trim().trim_end_matches(';').to_string(),
                        start_line + skipped_lines,
                        1,
                        start + lead,
                    ));
                }
                start = i + 1;
                start_line = line + 1;
            }
            line += 1;
        }
    }
    let text = &sql[start..];
    if !text.trim().is_empty() {
        let lead = text.len() - text.trim_start().len();
        let skipped_lines = text[..lead].matches('\n').count() as u64;
        out.push((
            text.trim().to_string(),
            start_line + skipped_lines,
            1,
            start + lead,
        ));
    }
    out
}

/// The first words of a statement, for a note.
fn first_words(sql: &str) -> String {
    let words: Vec<&str> = sql.split_whitespace().take(4).collect();
    let text = words.join(" ");
    if sql.split_whitespace().count() > 4 {
        format!("{text} …")
    } else {
        text
    }
}

fn location(name: &ObjectName) -> Location {
    let parts: Vec<String> = name
        .0
        .iter()
        .map(|p| {
            p.as_ident()
                .map_or_else(|| p.to_string(), |i| i.value.clone())
        })
        .collect();
    match parts.as_slice() {
        [.., db, schema, table] => Location {
            database: Some(db.clone()),
            schema: Some(schema.clone()),
            name: table.clone(),
        },
        [schema, table] => Location {
            database: None,
            schema: Some(schema.clone()),
            name: table.clone(),
        },
        [table] => Location {
            database: None,
            schema: None,
            name: table.clone(),
        },
        [] => Location {
            database: None,
            schema: None,
            name: String::new(),
        },
    }
}

/// The foreign key from `columns` a constraint declares.
fn foreign_key(columns: Vec<String>, fk: &sqlparser::ast::ForeignKeyConstraint) -> ForeignKey {
    let target = location(&fk.foreign_table);
    ForeignKey {
        columns,
        schema: target.schema,
        table: target.name,
        referred: fk
            .referred_columns
            .iter()
            .map(|i| i.value.clone())
            .collect(),
        what: None,
    }
}

fn same_table(a: &Location, b: &Location) -> bool {
    a.name == b.name && a.schema == b.schema
}

fn find<'d>(drafts: &'d mut [Draft], name: &ObjectName) -> Option<&'d mut Draft> {
    let wanted = location(name);
    drafts.iter_mut().rev().find(|d| {
        let l = &d.dataset.location;
        l.name.eq_ignore_ascii_case(&wanted.name)
            && (wanted.schema.is_none()
                || l.schema.as_deref().map(str::to_ascii_lowercase)
                    == wanted.schema.as_deref().map(str::to_ascii_lowercase))
    })
}

fn create_table(
    table: &CreateTable,
    dialect: Dialect,
    origin: &str,
    skip: &dyn Fn(String) -> Skipped,
    skipped: &mut Vec<Skipped>,
) -> Draft {
    let mut at = location(&table.name);
    // The database is the connection's, not the contract's.
    at.database = None;
    let mut draft = Draft::new(at, origin);
    draft.unenforced = super::unenforced_keys(dialect);
    if let Some(comment) = &table.comment {
        let (sqlparser::ast::CommentDef::WithEq(text)
        | sqlparser::ast::CommentDef::WithoutEq(text)) = comment;
        draft.dataset.description = Some(text.clone());
    }
    for def in &table.columns {
        let name = def.name.value.clone();
        let ty_text = def.data_type.to_string();
        let column = match super::types::column(&name, &ty_text, dialect) {
            Ok(c) => c,
            Err(_) => {
                draft.notes.columns.insert(
                    name.clone(),
                    format!("type `{ty_text}` has no logical type: imported as string"),
                );
                super::unknown_type(&name, &ty_text, dialect)
            }
        };
        draft.dataset.columns.push(column);
    }
    for def in &table.columns {
        let name = def.name.value.clone();
        for option in &def.options {
            let constraint = option.name.as_ref().map(|n| n.value.clone());
            match &option.option {
                ColumnOption::NotNull => {
                    draft.rule(&name, crate::ir::CheckKind::Required, None);
                }
                ColumnOption::PrimaryKey(_) => {
                    draft.key(std::slice::from_ref(&name), true, constraint.as_deref())
                }
                ColumnOption::Unique(_) => {
                    draft.key(std::slice::from_ref(&name), false, constraint.as_deref())
                }
                ColumnOption::ForeignKey(fk) => {
                    let columns = vec![name.clone()];
                    draft.foreign_keys.push(foreign_key(columns, fk));
                }
                ColumnOption::Check(check) => {
                    let name = check
                        .name
                        .as_ref()
                        .map(|n| n.value.clone())
                        .or(constraint)
                        .unwrap_or_else(|| format!("{name}_check"));
                    draft.check_constraint(&check.expr, Some(&name));
                }
                ColumnOption::Comment(text) => {
                    if let Some(c) = draft.column_mut(&name) {
                        c.description = Some(text.clone());
                    }
                }
                // Defaults, collations, identity, generated values: how
                // rows are written, not what they hold.
                ColumnOption::Null
                | ColumnOption::Default(_)
                | ColumnOption::CharacterSet(_)
                | ColumnOption::Collation(_)
                | ColumnOption::Identity(_)
                | ColumnOption::OnUpdate(_)
                | ColumnOption::Generated { .. }
                | ColumnOption::Materialized(_)
                | ColumnOption::Ephemeral(_)
                | ColumnOption::Alias(_) => {}
                other => {
                    let what = format!("column option `{other}` of `{name}`");
                    draft.notes.header.push(format!("not imported: {what}"));
                    skipped.push(skip(what));
                }
            }
        }
    }
    for constraint in &table.constraints {
        constraint_of(&mut draft, constraint, skip, skipped);
    }
    draft
}

fn constraint_of(
    draft: &mut Draft,
    constraint: &TableConstraint,
    skip: &dyn Fn(String) -> Skipped,
    skipped: &mut Vec<Skipped>,
) {
    let index_columns = |columns: &[sqlparser::ast::IndexColumn]| -> Vec<String> {
        columns
            .iter()
            .map(|c| match &c.column.expr {
                sqlparser::ast::Expr::Identifier(i) => i.value.clone(),
                other => other.to_string(),
            })
            .collect()
    };
    match constraint {
        TableConstraint::PrimaryKey(pk) => {
            let name = pk.name.as_ref().map(|n| n.value.clone());
            draft.key(&index_columns(&pk.columns), true, name.as_deref());
        }
        TableConstraint::Unique(u) => {
            let name = u.name.as_ref().map(|n| n.value.clone());
            draft.key(&index_columns(&u.columns), false, name.as_deref());
        }
        TableConstraint::ForeignKey(fk) => {
            let columns = fk.columns.iter().map(|i| i.value.clone()).collect();
            draft.foreign_keys.push(foreign_key(columns, fk));
        }
        TableConstraint::Check(check) => {
            let name = check.name.as_ref().map(|n| n.value.clone());
            draft.check_constraint(&check.expr, name.as_deref());
        }
        other => {
            let what = format!("table constraint `{}`", first_words(&other.to_string()));
            draft.notes.header.push(format!("not imported: {what}"));
            skipped.push(skip(what));
        }
    }
}
