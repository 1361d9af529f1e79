//! Drafts from a live connection's catalog: tables and views with their
//! columns, types, nullability and comments, and their primary keys,
//! unique keys, foreign keys and CHECK constraints. Two queries per
//! import, whatever the number of tables: the columns, the constraints.
//!
//! DuckDB (`duckdb_columns()`, `duckdb_constraints()`) and PostgreSQL
//! (`pg_attribute`, `pg_constraint`) are read from their own catalogs,
//! which keep full type text (`DECIMAL(12,2)`, `STRUCT(…)`, `integer[]`)
//! and CHECK constraints. Other engines are read from the standard
//! `information_schema` (columns, primary and unique keys).

use std::collections::BTreeMap;
use std::time::Duration;

use sqlparser::parser::Parser;

use super::{Draft, ForeignKey, Skipped};
use crate::ir::Location;
use crate::run::engine::{Failure, Session, Table};
use crate::types::Dialect;

/// Which tables to import: none named, every table of the database but
/// the engine's own.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub schemas: Vec<String>,
    /// `schema.table`, or `table` in any schema.
    pub tables: Vec<String>,
}

impl Request {
    pub fn wants(&self, schema: &str, table: &str) -> bool {
        let schema_ok =
            self.schemas.is_empty() || self.schemas.iter().any(|s| s.eq_ignore_ascii_case(schema));
        let table_ok = self.tables.is_empty()
            || self.tables.iter().any(|t| match t.rsplit_once('.') {
                Some((s, t)) => s.eq_ignore_ascii_case(schema) && t.eq_ignore_ascii_case(table),
                None => t.eq_ignore_ascii_case(table),
            });
        schema_ok && table_ok
    }
}

/// What a connection's catalog holds, as drafts; `engine` names it in
/// each draft's header (`PostgreSQL`).
pub fn read(
    session: &mut Session,
    dialect: Dialect,
    engine: &str,
    request: &Request,
    timeout: Option<Duration>,
) -> Result<(Vec<Draft>, Vec<Skipped>), Failure> {
    let columns = session.query(&columns_query(dialect), timeout)?;
    let mut drafts: BTreeMap<(String, String), Draft> = BTreeMap::new();
    let mut skipped = Vec::new();
    let text = |t: &Table, row: &[Option<String>], name: &str| -> Option<String> {
        t.column(name).and_then(|i| row.get(i).cloned().flatten())
    };
    for row in &columns.rows {
        let (Some(schema), Some(table), Some(column), Some(ty)) = (
            text(&columns, row, "schema_name"),
            text(&columns, row, "table_name"),
            text(&columns, row, "column_name"),
            text(&columns, row, "data_type"),
        ) else {
            continue;
        };
        if !request.wants(&schema, &table) {
            continue;
        }
        let draft = drafts
            .entry((schema.clone(), table.clone()))
            .or_insert_with(|| {
                let location = Location {
                    database: None,
                    schema: Some(schema.clone()),
                    name: table.clone(),
                };
                let mut d = Draft::new(location, &format!("from {engine} table {schema}.{table}"));
                d.unenforced = super::unenforced_keys(dialect);
                d.dataset.description = text(&columns, row, "table_comment");
                d
            });
        let mut c = match super::types::column(&column, &ty, dialect) {
            Ok(c) => c,
            Err(_) => {
                draft.notes.columns.insert(
                    column.clone(),
                    format!("type `{ty}` has no logical type: imported as string"),
                );
                skipped.push(Skipped {
                    place: format!("{schema}.{table}.{column}"),
                    span: None,
                    what: format!("the type `{ty}`, which has no logical type"),
                });
                super::unknown_type(&column, &ty, dialect)
            }
        };
        super::types::keep_lossy(&mut c, &ty, dialect);
        c.description = text(&columns, row, "column_comment");
        draft.dataset.columns.push(c);
        if text(&columns, row, "not_null").as_deref() == Some("yes") {
            draft.rule(&column, crate::ir::CheckKind::Required, None);
        }
    }
    let constraints = session.query(&constraints_query(dialect), timeout)?;
    for k in constraint_rows(&constraints) {
        let Some(draft) = drafts.get_mut(&(k.schema.clone(), k.table.clone())) else {
            continue;
        };
        let name = k.name.as_deref();
        if !k.validated {
            let what = format!(
                "constraint `{}`, added NOT VALID: rows from before it may break it",
                name.unwrap_or_default()
            );
            draft.notes.header.push(format!("not imported: {what}"));
            skipped.push(Skipped {
                place: format!("{}.{}", k.schema, k.table),
                span: None,
                what,
            });
            continue;
        }
        match k.kind.as_str() {
            "p" => draft.key(&k.columns, true, name),
            "u" => draft.key(&k.columns, false, name),
            "f" => draft.foreign_keys.push(ForeignKey {
                columns: k.columns.clone(),
                schema: k.ref_schema.clone(),
                table: k.ref_table.clone().unwrap_or_default(),
                referred: k.ref_columns.clone(),
                what: None,
            }),
            "c" => {
                let sql = check_body(k.check_sql.as_deref().unwrap_or_default());
                let parser = super::ddl::parser_dialect(dialect);
                match Parser::new(parser.as_ref())
                    .try_with_sql(sql)
                    .and_then(|mut p| p.parse_expr())
                {
                    Ok(expr) => draft.check_constraint(&expr, name),
                    Err(_) => {
                        let what = format!("CHECK constraint `{sql}`, which does not parse");
                        draft.notes.header.push(format!("not imported: {what}"));
                        skipped.push(Skipped {
                            place: format!("{}.{}", k.schema, k.table),
                            span: None,
                            what,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    Ok((drafts.into_values().collect(), skipped))
}

/// A constraint as the constraints query returns it.
struct Constraint {
    schema: String,
    table: String,
    kind: String,
    name: Option<String>,
    columns: Vec<String>,
    check_sql: Option<String>,
    ref_schema: Option<String>,
    ref_table: Option<String>,
    ref_columns: Vec<String>,
    /// `false` for a PostgreSQL constraint added `NOT VALID`: rows from
    /// before it may break it.
    validated: bool,
}

/// The constraints of the query's rows: a JSON list of columns per row,
/// or (the standard views) one row per column of a constraint.
fn constraint_rows(t: &Table) -> Vec<Constraint> {
    let text = |row: &[Option<String>], name: &str| -> Option<String> {
        t.column(name).and_then(|i| row.get(i).cloned().flatten())
    };
    let list = |row: &[Option<String>], name: &str| -> Vec<String> {
        text(row, name)
            .and_then(|json| serde_json::from_str::<Vec<String>>(&json).ok())
            .unwrap_or_default()
    };
    let mut out: Vec<Constraint> = Vec::new();
    for row in &t.rows {
        let (Some(schema), Some(table), Some(kind)) = (
            text(row, "schema_name"),
            text(row, "table_name"),
            text(row, "kind"),
        ) else {
            continue;
        };
        let name = text(row, "constraint_name");
        // The standard views: one row per column of a constraint.
        let column = text(row, "column_name");
        if let Some(column) = &column {
            if let Some(last) = out.last_mut().filter(|k| {
                k.schema == schema && k.table == table && k.name == name && name.is_some()
            }) {
                last.columns.push(column.clone());
                continue;
            }
        }
        out.push(Constraint {
            schema,
            table,
            kind,
            name,
            columns: column.map_or_else(|| list(row, "columns"), |c| vec![c]),
            check_sql: text(row, "check_sql"),
            ref_schema: text(row, "ref_schema"),
            ref_table: text(row, "ref_table"),
            ref_columns: list(row, "ref_columns"),
            validated: text(row, "validated").as_deref() != Some("no"),
        });
    }
    out
}

/// `CHECK ((x >= 0)) NOT VALID` → `(x >= 0)`.
fn check_body(sql: &str) -> &str {
    let sql = sql.trim();
    let sql = sql.strip_suffix("NOT VALID").unwrap_or(sql).trim();
    sql.strip_prefix("CHECK")
        .or_else(|| sql.strip_prefix("check"))
        .unwrap_or(sql)
        .trim()
}

/// One row per column: `schema_name`, `table_name`, `table_comment`,
/// `column_name`, `data_type` (the full type text), `not_null` (`yes` or
/// `no`), `column_comment`; in column order.
fn columns_query(dialect: Dialect) -> String {
    match dialect {
        Dialect::Duckdb => "select c.schema_name, c.table_name, t.comment as table_comment, \
             c.column_name, c.data_type, \
             case when c.is_nullable then 'no' else 'yes' end as not_null, \
             c.comment as column_comment \
             from duckdb_columns() c \
             left join duckdb_tables() t on t.database_name = c.database_name \
             and t.schema_name = c.schema_name and t.table_name = c.table_name \
             where c.database_name = current_database() and not c.internal \
             order by c.schema_name, c.table_name, c.column_index"
            .into(),
        Dialect::Postgres | Dialect::Redshift => "select n.nspname as schema_name, \
             c.relname as table_name, obj_description(c.oid, 'pg_class') as table_comment, \
             a.attname as column_name, format_type(a.atttypid, a.atttypmod) as data_type, \
             case when a.attnotnull then 'yes' else 'no' end as not_null, \
             col_description(c.oid, a.attnum) as column_comment \
             from pg_attribute a \
             join pg_class c on c.oid = a.attrelid \
             join pg_namespace n on n.oid = c.relnamespace \
             where c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 \
             and not a.attisdropped and not c.relispartition \
             and n.nspname not in ('pg_catalog', 'information_schema') \
             and n.nspname not like 'pg\\_%' \
             order by n.nspname, c.relname, a.attnum"
            .into(),
        _ => "select table_schema as schema_name, table_name, \
             cast(null as varchar(1)) as table_comment, column_name, \
             case when numeric_precision is not null and numeric_scale is not null \
             and lower(data_type) in ('decimal', 'numeric', 'number') \
             then concat(data_type, '(', cast(numeric_precision as varchar(10)), ',', \
             cast(numeric_scale as varchar(10)), ')') else data_type end as data_type, \
             case when is_nullable = 'NO' then 'yes' else 'no' end as not_null, \
             cast(null as varchar(1)) as column_comment \
             from information_schema.columns \
             where lower(table_schema) <> 'information_schema' \
             order by table_schema, table_name, ordinal_position"
            .into(),
    }
}

/// One row per constraint: `schema_name`, `table_name`, `kind` (`p`
/// primary key, `u` unique, `f` foreign key, `c` check),
/// `constraint_name`, `columns` (a JSON list), `check_sql`, and for a
/// foreign key `ref_schema`, `ref_table`, `ref_columns` (a JSON list).
fn constraints_query(dialect: Dialect) -> String {
    match dialect {
        Dialect::Duckdb => "select schema_name, table_name, \
             case constraint_type when 'PRIMARY KEY' then 'p' when 'UNIQUE' then 'u' \
             when 'FOREIGN KEY' then 'f' when 'CHECK' then 'c' end as kind, \
             constraint_name, to_json(constraint_column_names)::varchar as columns, \
             expression as check_sql, \
             case when constraint_type = 'FOREIGN KEY' then schema_name end as ref_schema, \
             referenced_table as ref_table, \
             to_json(referenced_column_names)::varchar as ref_columns \
             from duckdb_constraints() \
             where database_name = current_database() \
             and constraint_type in ('PRIMARY KEY', 'UNIQUE', 'FOREIGN KEY', 'CHECK') \
             order by schema_name, table_name, constraint_index"
            .into(),
        Dialect::Postgres => "select n.nspname as schema_name, c.relname as table_name, \
             k.contype::text as kind, k.conname as constraint_name, \
             case when k.convalidated then 'yes' else 'no' end as validated, \
             (select json_agg(a.attname order by u.ord) from unnest(k.conkey) \
             with ordinality as u(attnum, ord) join pg_attribute a \
             on a.attrelid = k.conrelid and a.attnum = u.attnum)::text as columns, \
             case when k.contype = 'c' then pg_get_constraintdef(k.oid) end as check_sql, \
             fn.nspname as ref_schema, fc.relname as ref_table, \
             (select json_agg(a.attname order by u.ord) from unnest(k.confkey) \
             with ordinality as u(attnum, ord) join pg_attribute a \
             on a.attrelid = k.confrelid and a.attnum = u.attnum)::text as ref_columns \
             from pg_constraint k \
             join pg_class c on c.oid = k.conrelid \
             join pg_namespace n on n.oid = c.relnamespace \
             left join pg_class fc on fc.oid = k.confrelid \
             left join pg_namespace fn on fn.oid = fc.relnamespace \
             where k.contype in ('p', 'u', 'f', 'c') \
             order by n.nspname, c.relname, k.contype, k.conname"
            .into(),
        // The standard views: primary and unique keys.
        _ => "select t.table_schema as schema_name, t.table_name, \
             case t.constraint_type when 'PRIMARY KEY' then 'p' else 'u' end as kind, \
             t.constraint_name, \
             cast(null as varchar(1)) as columns, k.column_name, \
             cast(null as varchar(1)) as check_sql \
             from information_schema.table_constraints t \
             join information_schema.key_column_usage k \
             on k.constraint_schema = t.constraint_schema and k.constraint_name = t.constraint_name \
             and k.table_name = t.table_name \
             where t.constraint_type in ('PRIMARY KEY', 'UNIQUE') \
             order by t.table_schema, t.table_name, t.constraint_name, k.ordinal_position"
            .into(),
    }
}
