//! `datapact import`: draft contracts from what a team already has: the
//! catalog of a live connection ([`catalog`]), CREATE TABLE statements
//! ([`ddl`]), a dbt manifest ([`dbt`]); [`profile`] proposes rules that
//! hold on the data today.
//!
//! Every source fills [`Draft`]s: an IR dataset with the notes a reviewer
//! reads (where each part came from, what was not imported) and the
//! foreign keys still to resolve. [`finish`] names the contracts, turns
//! foreign keys between imported tables into `references`, and orders the
//! checks as a contract lists them; `emit::convert` writes the files. The
//! command line validates every draft before writing any.

pub mod catalog;
pub mod dbt;
pub mod ddl;
pub mod profile;
pub mod types;

use std::collections::BTreeMap;

use sqlparser::ast::{BinaryOperator, Expr, UnaryOperator, Value};

use crate::emit::convert::Notes;
use crate::ir::{Check, CheckKind, Column, Dataset, Location};
use crate::literal::Literal;
use crate::names::{derived_name, identifier};
use crate::types::{Conformance, LogicalType, Severity};

/// The version every imported contract starts at.
pub const VERSION: &str = "0.1.0";

/// One table on its way to a contract.
#[derive(Debug, Clone)]
pub struct Draft {
    pub dataset: Dataset,
    pub notes: Notes,
    /// Foreign keys, resolved against the other drafts by [`finish`].
    pub foreign_keys: Vec<ForeignKey>,
    /// The contract id the source suggests (a dbt model's name); else
    /// `<schema>.<name>`.
    pub id: Option<String>,
    /// The engine whose keys are declared but not enforced (Snowflake,
    /// BigQuery, Redshift, Databricks): its keys' rules say so.
    pub unenforced: Option<&'static str>,
}

/// The engines that declare primary, unique and foreign keys without
/// enforcing them.
pub fn unenforced_keys(dialect: crate::types::Dialect) -> Option<&'static str> {
    use crate::types::Dialect;
    match dialect {
        Dialect::Snowflake => Some("Snowflake"),
        Dialect::Bigquery => Some("BigQuery"),
        Dialect::Redshift => Some("Redshift"),
        Dialect::Databricks => Some("Databricks"),
        Dialect::Duckdb | Dialect::Postgres | Dialect::Trino | Dialect::Sqlserver => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    /// The referenced table: its schema (`None`: the same as the draft's)
    /// and name.
    pub schema: Option<String>,
    pub table: String,
    /// Empty: the referenced table's primary key.
    pub referred: Vec<String>,
    /// What the reference's comment says it came from (`dbt test
    /// relationships`); `None`: a foreign key.
    pub what: Option<String>,
}

/// Something a source holds that no contract part says: where it is and
/// what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `file:line:col`, a manifest node, or a table.
    pub place: String,
    /// The file and the bytes of it, when the source is a file.
    pub span: Option<(String, std::ops::Range<usize>)>,
    pub what: String,
}

impl Draft {
    /// An empty draft of the table at `location`; `origin` heads the file
    /// (`from PostgreSQL table marts.orders`).
    pub fn new(location: Location, origin: &str) -> Draft {
        let dataset = Dataset {
            contract: String::new(),
            version: VERSION.into(),
            title: None,
            description: None,
            owners: Vec::new(),
            location,
            dbt: None,
            outside_dbt: false,
            path: None,
            conformance: Conformance::default(),
            tags: Vec::new(),
            slo_written: None,
            columns: Vec::new(),
            checks: Vec::new(),
            source_path: String::new(),
            renamed_from: None,
            window: None,
            column_index: Default::default(),
        };
        let notes = Notes {
            header: vec![
                format!("Imported {origin} by `datapact import`."),
                "A draft: review every rule, then add owners, freshness and the rules the data must keep."
                    .into(),
            ],
            ..Notes::default()
        };
        Draft {
            dataset,
            notes,
            foreign_keys: Vec::new(),
            id: None,
            unenforced: None,
        }
    }

    /// The type of the column named `name`, ignoring case.
    fn column_type(&self, name: &str) -> Option<LogicalType> {
        self.dataset
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| c.ty)
    }

    /// The column named `name`, ignoring case.
    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        self.dataset
            .columns
            .iter_mut()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// A column's name as declared (`name` may differ in case).
    pub fn column_name(&self, name: &str) -> Option<String> {
        self.dataset
            .columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .map(|c| c.name.clone())
    }

    /// Add a column rule, unless the column is unknown or already has this
    /// rule; `note` is written after it.
    pub fn rule(&mut self, column: &str, kind: CheckKind, note: Option<String>) -> bool {
        let Some(column) = self.column_name(column) else {
            return false;
        };
        let name = derived_name(&column, kind.rule());
        if self.dataset.checks.iter().any(|c| c.name == name) {
            return false;
        }
        if kind == CheckKind::Required {
            if let Some(c) = self.column_mut(&column) {
                c.required = true;
            }
        }
        if let Some(note) = note {
            self.notes.checks.insert(name.clone(), note);
        }
        self.dataset.checks.push(check(name, Some(column), kind));
        true
    }

    /// Add a table rule (`unique` over columns, `expression`, `row_count`,
    /// `freshness`), named `name` or, when taken, `name_2`, ….
    pub fn table_rule(
        &mut self,
        name: &str,
        kind: CheckKind,
        note: Option<String>,
    ) -> Option<String> {
        if self
            .dataset
            .checks
            .iter()
            .any(|c| c.column.is_none() && c.kind == kind)
        {
            return None;
        }
        let base = identifier(name, "check");
        let mut name = base.clone();
        let mut n = 1;
        while self.dataset.checks.iter().any(|c| c.name == name) {
            n += 1;
            name = format!("{base}_{n}");
        }
        if let Some(note) = note {
            self.notes.checks.insert(name.clone(), note);
        }
        self.dataset.checks.push(check(name.clone(), None, kind));
        Some(name)
    }

    /// Keys over `columns`: `unique` on one column, a table `unique` over
    /// several; a primary key's columns are also `required`.
    pub fn key(&mut self, columns: &[String], primary: bool, constraint: Option<&str>) {
        let what = if primary { "primary key" } else { "unique key" };
        let unenforced = self.unenforced;
        let note = |text: &str| {
            let named = match constraint {
                Some(name) => format!("{text} `{name}`"),
                None => text.to_string(),
            };
            match unenforced {
                Some(engine) => format!("{named}, declared only: {engine} does not enforce it"),
                None => named,
            }
        };
        if primary {
            for c in columns {
                self.rule(c, CheckKind::Required, None);
            }
        }
        match columns {
            [] => {}
            [one] => {
                self.rule(one, CheckKind::Unique, Some(note(what)));
            }
            many => {
                let Some(columns) = many
                    .iter()
                    .map(|c| self.column_name(c))
                    .collect::<Option<Vec<String>>>()
                else {
                    return;
                };
                // The engine's key lets rows repeat where one of its
                // columns is NULL; a `unique` over columns does not.
                let nullable: Vec<&String> = columns
                    .iter()
                    .filter(|c| {
                        !self
                            .dataset
                            .columns
                            .iter()
                            .any(|col| &col.name == *c && col.required)
                    })
                    .collect();
                if !nullable.is_empty() && !primary {
                    self.notes.header.push(format!(
                        "not imported: {} over ({}): its columns may be NULL, and rows with a NULL \
                         may repeat under the key, not under `unique: [...]`",
                        note(what),
                        columns.join(", ")
                    ));
                    return;
                }
                let name = if primary {
                    "primary_key".to_string()
                } else {
                    format!("unique_{}", columns.join("_"))
                };
                self.table_rule(
                    &name,
                    CheckKind::UniqueCombination { columns },
                    Some(note(what)),
                );
            }
        }
    }

    /// What a CHECK constraint says, as rules where it has a rule's form
    /// (`x >= 0`, `x between 1 and 9`, `x in ('a', 'b')`, `x is not null`,
    /// `length(x) <= 20`, each side of an `and`), else as an `expression`
    /// check with the constraint's own SQL.
    pub fn check_constraint(&mut self, expr: &Expr, name: Option<&str>) {
        let mut rest = Vec::new();
        for part in conjuncts(expr) {
            if !self.simple_rule(part, name) {
                rest.push(parens(part).to_string());
            }
        }
        if !rest.is_empty() {
            let sql = match rest.as_slice() {
                [one] => one.clone(),
                many => many
                    .iter()
                    .map(|p| format!("({p})"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            };
            let name = name.map_or_else(|| "check".to_string(), identifier_of);
            let note = "a CHECK constraint".to_string();
            self.table_rule(&name, CheckKind::Expression { sql }, Some(note));
        }
    }

    fn simple_rule(&mut self, expr: &Expr, constraint: Option<&str>) -> bool {
        let note = Some(match constraint {
            Some(name) => format!("CHECK constraint `{name}`"),
            None => "a CHECK constraint".to_string(),
        });
        let expr = unnest(expr);
        match expr {
            Expr::IsNotNull(inner) => match column_of(inner) {
                Some(c) => self.rule(&c, CheckKind::Required, None),
                None => false,
            },
            Expr::Between {
                expr,
                negated: false,
                low,
                high,
            } => {
                let (Some(c), Some(low), Some(high)) =
                    (column_of(expr), literal_of(low), literal_of(high))
                else {
                    return false;
                };
                let Some(ty) = self.column_type(&c) else {
                    return false;
                };
                if !bound_fits(ty, &low) || !bound_fits(ty, &high) || !ordered(&low, &high) {
                    return false;
                }
                self.rule(&c, CheckKind::Min { value: low }, note.clone());
                self.rule(&c, CheckKind::Max { value: high }, note);
                true
            }
            Expr::In {
                expr,
                target: sqlparser::ast::InTarget::List(list),
                negated: false,
                ..
            } => {
                let Some(c) = column_of(expr) else {
                    return false;
                };
                let Some(values) = list.iter().map(literal_of).collect::<Option<Vec<_>>>() else {
                    return false;
                };
                let Some(ty) = self.column_type(&c) else {
                    return false;
                };
                if values.is_empty() || !values.iter().all(|v| value_fits(ty, v)) {
                    return false;
                }
                self.rule(&c, CheckKind::AcceptedValues { values }, note)
            }
            Expr::BinaryOp { left, op, right } => {
                // `x op literal`, or `literal op x` turned around.
                let (column, op, value) = match (column_of(left), literal_of(right)) {
                    (Some(c), Some(v)) => (c, op.clone(), v),
                    _ => match (literal_of(left), column_of(right)) {
                        (Some(v), Some(c)) => (c, flip(op), v),
                        _ => return self.length_rule(left, op, right, note),
                    },
                };
                let Some(ty) = self.column_type(&column) else {
                    return false;
                };
                if !bound_fits(ty, &value) {
                    return false;
                }
                let bound = |by| step(&value, by);
                let kind = match (op, ty.family()) {
                    (BinaryOperator::GtEq, _) => CheckKind::Min {
                        value: value.clone(),
                    },
                    (BinaryOperator::LtEq, _) => CheckKind::Max {
                        value: value.clone(),
                    },
                    // An integer bound that excludes its value is the next one.
                    (BinaryOperator::Gt, crate::types::TypeFamily::Integer) => match bound(1) {
                        Some(value) => CheckKind::Min { value },
                        None => return false,
                    },
                    (BinaryOperator::Lt, crate::types::TypeFamily::Integer) => match bound(-1) {
                        Some(value) => CheckKind::Max { value },
                        None => return false,
                    },
                    _ => return false,
                };
                self.rule(&column, kind, note)
            }
            _ => false,
        }
    }

    /// `length(x) <= n`, `char_length(x) >= n`, `len(x) < n`.
    fn length_rule(
        &mut self,
        left: &Expr,
        op: &BinaryOperator,
        right: &Expr,
        note: Option<String>,
    ) -> bool {
        let Expr::Function(f) = unnest(left) else {
            return false;
        };
        let fname = f.name.to_string().to_ascii_lowercase();
        if !matches!(
            fname.as_str(),
            "length" | "char_length" | "len" | "character_length"
        ) {
            return false;
        }
        let sqlparser::ast::FunctionArguments::List(args) = &f.args else {
            return false;
        };
        let [sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(arg))] =
            args.args.as_slice()
        else {
            return false;
        };
        let (Some(column), Some(Literal::Number(n))) = (column_of(arg), literal_of(right)) else {
            return false;
        };
        let Ok(n) = n.parse::<u64>() else {
            return false;
        };
        let (min, max) = match op {
            BinaryOperator::LtEq => (None, Some(n)),
            BinaryOperator::Lt if n > 0 => (None, Some(n - 1)),
            BinaryOperator::GtEq => (Some(n), None),
            BinaryOperator::Gt => (Some(n + 1), None),
            _ => return false,
        };
        self.rule(&column, CheckKind::Length { min, max }, note)
    }
}

/// Whether `value` can be a `min`/`max` of a column of type `ty`: a
/// number for numbers (a whole one within 64 bits for integers), text for
/// dates, times and timestamps (validation reads it in the type).
fn bound_fits(ty: LogicalType, value: &Literal) -> bool {
    use crate::types::TypeFamily;
    match (ty.family(), value) {
        (TypeFamily::Integer, Literal::Number(n)) => n.parse::<i64>().is_ok(),
        (TypeFamily::Decimal | TypeFamily::Float, Literal::Number(n)) => plain_number(n),
        (TypeFamily::Temporal, Literal::String(_)) => true,
        _ => false,
    }
}

/// Whether `value` can be an accepted value of a column of type `ty`.
fn value_fits(ty: LogicalType, value: &Literal) -> bool {
    match (ty, value) {
        (LogicalType::String, Literal::String(_)) => true,
        _ => bound_fits(ty, value),
    }
}

/// `12`, `-4.50`: no exponent.
fn plain_number(n: &str) -> bool {
    let digits = n.strip_prefix('-').unwrap_or(n);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or("0");
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// `low <= high`, for numbers; other literals are left to validation.
fn ordered(low: &Literal, high: &Literal) -> bool {
    match (low, high) {
        (Literal::Number(a), Literal::Number(b)) => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(a), Ok(b)) => a <= b,
            _ => false,
        },
        _ => true,
    }
}

fn check(name: String, column: Option<String>, kind: CheckKind) -> Check {
    Check {
        name,
        column,
        path: Vec::new(),
        kind,
        severity: Severity::Error,
        filter: None,
        tolerance: None,
        description: None,
        windowed: false,
        window_written: None,
    }
}

fn identifier_of(name: &str) -> String {
    identifier(name, "check")
}

/// The parts of `a and b and c`, each as written (an `or` keeps its
/// parentheses).
fn conjuncts(expr: &Expr) -> Vec<&Expr> {
    match parens(expr) {
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            let mut out = conjuncts(left);
            out.extend(conjuncts(right));
            out
        }
        _ => vec![expr],
    }
}

/// Without parentheses.
fn parens(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => parens(inner),
        other => other,
    }
}

/// Without parentheses and the casts PostgreSQL adds to literals
/// (`(0)::numeric`); only for literals, where a cast keeps the value.
fn unnest(expr: &Expr) -> &Expr {
    match expr {
        Expr::Nested(inner) => unnest(inner),
        Expr::Cast { expr, .. } => unnest(expr),
        other => other,
    }
}

/// The column a condition reads, as written (a cast of it is not the
/// column: `u::text >= '5'` compares text).
fn column_of(expr: &Expr) -> Option<String> {
    match parens(expr) {
        Expr::Identifier(ident) => Some(ident.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
        _ => None,
    }
}

/// A number or string literal (`-5` included).
fn literal_of(expr: &Expr) -> Option<Literal> {
    match unnest(expr) {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(Literal::Number(n.to_string())),
            Value::SingleQuotedString(s) => Some(Literal::String(s.clone())),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match literal_of(expr)? {
            Literal::Number(n) if !n.starts_with('-') => Some(Literal::Number(format!("-{n}"))),
            _ => None,
        },
        _ => None,
    }
}

/// `value + by`, for an integer.
fn step(value: &Literal, by: i128) -> Option<Literal> {
    let Literal::Number(n) = value else {
        return None;
    };
    let n: i128 = n.parse().ok()?;
    Some(Literal::Number((n + by).to_string()))
}

fn flip(op: &BinaryOperator) -> BinaryOperator {
    match op {
        BinaryOperator::Gt => BinaryOperator::Lt,
        BinaryOperator::Lt => BinaryOperator::Gt,
        BinaryOperator::GtEq => BinaryOperator::LtEq,
        BinaryOperator::LtEq => BinaryOperator::GtEq,
        other => other.clone(),
    }
}

/// The contract id of a table: `<schema>.<name>` as identifiers.
pub fn contract_id(location: &Location) -> String {
    let name = identifier(&location.name, "t");
    match &location.schema {
        Some(schema) => format!("{}.{name}", identifier(schema, "s")),
        None => name,
    }
}

/// Name the drafts' contracts (distinct ids), resolve foreign keys between
/// them into `references` (the others become notes), order the checks as
/// a contract lists them, and sort the drafts by contract id.
pub fn finish(mut drafts: Vec<Draft>, known: &[Table]) -> (Vec<Draft>, Vec<Skipped>) {
    let mut skipped = Vec::new();
    let mut taken: BTreeMap<String, ()> = known
        .iter()
        .filter(|k| {
            !drafts
                .iter()
                .any(|d| same_place(&d.dataset.location, &k.location))
        })
        .map(|k| (k.contract.clone(), ()))
        .collect();
    for draft in &mut drafts {
        let base = draft
            .id
            .clone()
            .unwrap_or_else(|| contract_id(&draft.dataset.location));
        let mut id = base.clone();
        let mut n = 1;
        while taken.contains_key(&id) {
            n += 1;
            id = format!("{base}_{n}");
        }
        taken.insert(id.clone(), ());
        draft.dataset.contract = id;
    }
    // The drafts, then the contracts already written for other tables.
    let mut tables: Vec<Table> = drafts.iter().map(|d| Table::of(&d.dataset)).collect();
    tables.extend(
        known
            .iter()
            .filter(|k| {
                !drafts
                    .iter()
                    .any(|d| same_place(&d.dataset.location, &k.location))
            })
            .cloned(),
    );
    let tables: Vec<(Location, String, Vec<String>, Vec<String>)> = tables
        .into_iter()
        .map(|t| (t.location, t.contract, t.primary_key, t.columns))
        .collect();
    for draft in &mut drafts {
        for fk in std::mem::take(&mut draft.foreign_keys) {
            let target = referenced(&tables, &fk, &draft.dataset.location);
            let shown = match &fk.schema {
                Some(s) => format!("{s}.{}", fk.table),
                None => fk.table.clone(),
            };
            let referred = match (&fk.referred[..], target) {
                ([], Some((_, _, pk, _))) => pk.clone(),
                (r, _) => r.to_vec(),
            };
            let declared = |to: &str| {
                target.and_then(|(_, _, _, columns)| {
                    columns.iter().find(|c| c.eq_ignore_ascii_case(to)).cloned()
                })
            };
            let what = match (target, fk.columns.as_slice(), referred.as_slice()) {
                (Some(_), [_], [to]) if declared(to).is_none() => format!(
                    "foreign key ({}) to {shown}({to}), a column it does not have",
                    fk.columns.join(", ")
                ),
                (Some((location, contract, _, _)), [column], [to]) => {
                    let kind = CheckKind::References {
                        contract: contract.clone(),
                        column: declared(to).unwrap_or_default(),
                        location: location.clone(),
                    };
                    let what = fk.what.clone().unwrap_or_else(|| "foreign key".into());
                    let note = match draft.unenforced {
                        Some(engine) => {
                            format!("{what}, declared only: {engine} does not enforce it")
                        }
                        None => what,
                    };
                    draft.rule(column, kind, Some(note));
                    continue;
                }
                (None, _, _) => format!(
                    "foreign key ({}) to {shown}, a table neither imported nor among the \
                     contracts in the output folder",
                    fk.columns.join(", ")
                ),
                (Some(_), _, _) => format!(
                    "foreign key ({}) to {shown}: a reference names one column",
                    fk.columns.join(", ")
                ),
            };
            draft.notes.header.push(format!("not imported: {what}"));
            skipped.push(Skipped {
                place: draft.dataset.contract.clone(),
                span: None,
                what,
            });
        }
        order_checks(&mut draft.dataset);
    }
    drafts.sort_by(|a, b| a.dataset.contract.cmp(&b.dataset.contract));
    (drafts, skipped)
}

/// A table a foreign key may name: a draft's, or one an existing contract
/// describes.
#[derive(Debug, Clone)]
pub struct Table {
    pub location: Location,
    pub contract: String,
    pub primary_key: Vec<String>,
    pub columns: Vec<String>,
}

impl Table {
    pub fn of(ds: &Dataset) -> Table {
        Table {
            location: ds.location.clone(),
            contract: ds.contract.clone(),
            primary_key: primary_key(ds),
            columns: ds.columns.iter().map(|c| c.name.clone()).collect(),
        }
    }
}

fn same_place(a: &Location, b: &Location) -> bool {
    a.name == b.name && a.schema == b.schema
}

/// The table a foreign key names: the same name in the schema it names
/// (else the referencing table's schema, else no schema, else the one
/// table of that name), the exact spelling before one differing in case.
fn referenced<'t>(
    tables: &'t [(Location, String, Vec<String>, Vec<String>)],
    fk: &ForeignKey,
    from: &Location,
) -> Option<&'t (Location, String, Vec<String>, Vec<String>)> {
    let schemas: Vec<Option<&str>> = match &fk.schema {
        Some(s) => vec![Some(s.as_str())],
        None => vec![from.schema.as_deref(), None],
    };
    for schema in &schemas {
        for exact in [true, false] {
            let same = |a: &str, b: &str| {
                if exact {
                    a == b
                } else {
                    a.eq_ignore_ascii_case(b)
                }
            };
            let found = tables.iter().find(|(l, _, _, _)| {
                same(&l.name, &fk.table)
                    && match (l.schema.as_deref(), schema) {
                        (Some(a), Some(b)) => same(a, b),
                        (None, None) => true,
                        _ => false,
                    }
            });
            if found.is_some() {
                return found;
            }
        }
    }
    let mut named = tables.iter().filter(|(l, _, _, _)| l.name == fk.table);
    match (fk.schema.is_none(), named.next(), named.next()) {
        (true, Some(one), None) => Some(one),
        _ => None,
    }
}

/// The columns of a dataset's primary key: its table `unique` named
/// `primary_key`, or the one column that is both required and unique.
fn primary_key(ds: &Dataset) -> Vec<String> {
    for c in &ds.checks {
        if let (None, "primary_key", CheckKind::UniqueCombination { columns }) =
            (&c.column, c.name.as_str(), &c.kind)
        {
            return columns.clone();
        }
    }
    let unique: Vec<&str> = ds
        .checks
        .iter()
        .filter(|c| c.kind == CheckKind::Unique)
        .filter_map(|c| c.column.as_deref())
        .filter(|c| ds.columns.iter().any(|col| col.name == *c && col.required))
        .collect();
    match unique.as_slice() {
        [one] => vec![one.to_string()],
        _ => Vec::new(),
    }
}

/// Column rules in column order and rule order, then row_count,
/// freshness, then table checks as added.
fn order_checks(ds: &mut Dataset) {
    let position = |c: &Check| -> (usize, usize) {
        let kind_rank = match &c.kind {
            CheckKind::Required => 0,
            CheckKind::Unique => 1,
            CheckKind::AcceptedValues { .. } => 2,
            CheckKind::Min { .. } => 3,
            CheckKind::Max { .. } => 4,
            CheckKind::Pattern { .. } => 5,
            CheckKind::Length { .. } => 6,
            CheckKind::UniqueItems => 7,
            CheckKind::References { .. } => 8,
            CheckKind::NullRateIncrease { .. } => 9,
            CheckKind::RowCount { .. } | CheckKind::RowCountChange { .. } => 0,
            CheckKind::Freshness { .. } => 1,
            CheckKind::Expression { .. }
            | CheckKind::UniqueCombination { .. }
            | CheckKind::Sql { .. } => 2,
        };
        match &c.column {
            Some(column) => (
                ds.columns
                    .iter()
                    .position(|col| &col.name == column)
                    .unwrap_or(usize::MAX - 1),
                kind_rank,
            ),
            None => (usize::MAX, kind_rank),
        }
    };
    let mut checks = std::mem::take(&mut ds.checks);
    checks.sort_by_key(|c| position(c));
    ds.checks = checks;
}

/// Whether a column's name or description says it holds personal data
/// (its values are never proposed as rules, only their shape).
pub fn looks_personal(column: &Column) -> bool {
    if column.pii {
        return true;
    }
    let name = column.name.to_ascii_lowercase();
    const WORDS: &[&str] = &[
        "email",
        "e_mail",
        "phone",
        "mobile",
        "ssn",
        "social_security",
        "passport",
        "first_name",
        "last_name",
        "full_name",
        "surname",
        "given_name",
        "birth",
        "dob",
        "address",
        "street",
        "postcode",
        "zip",
        "ip_address",
        "iban",
        "card_number",
        "credit_card",
        "tax_id",
        "password",
        "national_id",
        "license",
        "salary",
    ];
    WORDS.iter().any(|w| name.contains(w)) || name == "name" || name == "ip"
}

/// The type of a column whose engine type has no logical type: `string`,
/// with the engine's type as its physical type for the dialect.
/// (Kept only when a physical type may hold its text: letters, digits,
/// spaces and `_ ( ) , . : < > [ ]`.)
pub fn unknown_type(name: &str, physical: &str, dialect: crate::types::Dialect) -> Column {
    let mut column = Column::of(LogicalType::String);
    column.name = name.to_string();
    let physical = physical.trim().to_ascii_lowercase();
    let writable =
        !physical.is_empty() && physical.chars().all(crate::types::is_physical_type_char);
    if writable {
        column.physical_types.insert(dialect, physical);
    }
    column
}
