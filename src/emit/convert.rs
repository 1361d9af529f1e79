//! `datapact convert`: a dataset of the IR written back as a contract, in
//! the native language or in ODCS v3.1.
//!
//! Both writers are exact: reading what they write gives the same dataset
//! again (a property test holds them to it). ODCS has no place for some
//! native meanings (filters, warn thresholds, custom check names, regular
//! expressions with native semantics, references across files); those
//! rules travel as ODCS `custom` quality rules with `engine: datapact`, whose
//! `implementation` is the native rule, and other tools skip them as custom
//! rules of an engine they do not run. What datapact needs to rebuild the
//! dataset (its contract id, location, dbt node, per-dialect types) goes
//! into `customProperties`.

use std::collections::BTreeMap;

use crate::emit::yaml::{self, Yaml};
use crate::ir::Step;
use crate::ir::{Check, CheckKind, Column, Dataset, DbtNode};
use crate::literal::Literal;
use crate::names::nested_name;
use crate::types::{
    Conformance, Duration, LogicalType, ODCS_OUTSIDE_DBT, Role, Severity, Tolerance,
};

/// The formats `convert --to` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum To {
    Native,
    Odcs,
}

impl To {
    pub const CHOICES: &'static [(&'static str, To)] =
        &[("native", To::Native), ("odcs", To::Odcs)];

    /// The file name of a dataset's contract in this format.
    pub fn file_name(self, ds: &Dataset) -> String {
        match self {
            To::Native => format!("{}.yaml", ds.contract),
            To::Odcs => format!("{}.odcs.yaml", ds.contract),
        }
    }
}

pub fn convert(ds: &Dataset, to: To) -> String {
    match to {
        To::Native => to_native(ds),
        To::Odcs => to_odcs(ds),
    }
}

/// Comments a native contract is written with (`datapact import` says
/// where each part came from, and what a human should review).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// Lines at the top of the file.
    pub header: Vec<String>,
    /// After a column's name, by column name.
    pub columns: BTreeMap<String, String>,
    /// After a rule, by check name.
    pub checks: BTreeMap<String, String>,
}

impl Notes {
    fn check(&self, check: &Check, value: Yaml) -> Yaml {
        match self.checks.get(&check.name) {
            Some(note) => value.noted(note),
            None => value,
        }
    }
}

fn opt_str(v: &Option<String>) -> Option<Yaml> {
    v.as_ref().map(Yaml::str)
}

fn push(entries: &mut Vec<(String, Yaml)>, key: &str, value: Option<Yaml>) {
    if let Some(v) = value {
        entries.push((key.to_string(), v));
    }
}

fn literal(value: &Literal) -> Yaml {
    match value {
        Literal::Number(n) | Literal::Float(n) => Yaml::Number(n.clone()),
        Literal::Boolean(b) => Yaml::Bool(*b),
        Literal::String(s)
        | Literal::Date(s)
        | Literal::Time(s)
        | Literal::Timestamp(s)
        | Literal::TimestampTz(s)
        | Literal::Uuid(s) => Yaml::str(s),
    }
}

fn tolerance(t: &Tolerance) -> Yaml {
    match t {
        Tolerance::Count(n) => Yaml::int(*n),
        Tolerance::Percent(p) => Yaml::str(format!("{p}%")),
    }
}

/// A column's per-dialect types as a mapping.
fn physical_types(c: &Column) -> Yaml {
    Yaml::Map(
        c.physical_types
            .iter()
            .map(|(d, t)| (d.name().to_string(), Yaml::str(t)))
            .collect(),
    )
}

// ---------------------------------------------------------------------------
// Native

/// The dataset as a native contract.
pub fn to_native(ds: &Dataset) -> String {
    to_native_noted(ds, &Notes::default())
}

/// [`to_native`] with comments.
pub fn to_native_noted(ds: &Dataset, notes: &Notes) -> String {
    let mut doc = Vec::new();
    push(&mut doc, "contract", Some(Yaml::str(&ds.contract)));
    push(&mut doc, "version", Some(Yaml::str(&ds.version)));
    push(&mut doc, "renamed_from", opt_str(&ds.renamed_from));
    push(&mut doc, "title", opt_str(&ds.title));
    push(&mut doc, "description", opt_str(&ds.description));
    if !ds.owners.is_empty() {
        let owners = ds
            .owners
            .iter()
            .map(|o| {
                let mut e = vec![("name".to_string(), Yaml::str(&o.name))];
                push(&mut e, "email", opt_str(&o.email));
                if o.role != Role::Producer {
                    e.push(("role".into(), Yaml::str(o.role.name())));
                }
                Yaml::Map(e)
            })
            .collect();
        doc.push(("owners".into(), Yaml::List(owners)));
    }
    if !ds.tags.is_empty() {
        doc.push((
            "tags".into(),
            Yaml::List(ds.tags.iter().map(Yaml::str).collect()),
        ));
    }
    let mut dataset = Vec::new();
    push(&mut dataset, "database", opt_str(&ds.location.database));
    push(&mut dataset, "schema", opt_str(&ds.location.schema));
    dataset.push(("name".into(), Yaml::str(&ds.location.name)));
    if let Some(node) = &ds.dbt {
        dataset.push(("dbt".into(), dbt(node)));
    } else if ds.outside_dbt {
        dataset.push(("dbt".into(), Yaml::Bool(false)));
    }
    push(&mut dataset, "path", opt_str(&ds.path));
    if ds.conformance != Conformance::default() {
        dataset.push(("conformance".into(), Yaml::str(ds.conformance.name())));
    }
    if let Some(window) = &ds.window {
        dataset.push((
            "window".into(),
            Yaml::map([
                ("column", Yaml::str(&window.column)),
                ("last", Yaml::str(window.last.to_string())),
            ]),
        ));
    }
    doc.push(("dataset".into(), Yaml::Map(dataset)));
    let mut row_count_written = false;
    for check in ds.checks.iter().filter(|c| c.column.is_none()) {
        match &check.kind {
            CheckKind::Freshness {
                column,
                warn_after,
                error_after,
            } => doc.push((
                "freshness".into(),
                notes.check(check, freshness(check, column, warn_after, error_after)),
            )),
            CheckKind::RowCount { .. } | CheckKind::RowCountChange { .. } => {
                if !row_count_written {
                    doc.extend(
                        row_count_block(ds)
                            .map(|b| ("row_count".to_string(), notes.check(check, b))),
                    );
                    row_count_written = true;
                }
            }
            CheckKind::Required
            | CheckKind::Unique
            | CheckKind::AcceptedValues { .. }
            | CheckKind::Min { .. }
            | CheckKind::Max { .. }
            | CheckKind::Pattern { .. }
            | CheckKind::Length { .. }
            | CheckKind::UniqueItems
            | CheckKind::References { .. }
            | CheckKind::Expression { .. }
            | CheckKind::UniqueCombination { .. }
            | CheckKind::NullRateIncrease { .. }
            | CheckKind::Sql { .. } => {}
        }
    }
    if let Some(slo) = &ds.slo_written {
        doc.push((
            "slo".into(),
            Yaml::map([
                ("window", Yaml::str(slo.window.to_string())),
                ("freshness", Yaml::str(slo.freshness.to_string())),
                ("quality", Yaml::str(slo.quality.to_string())),
            ]),
        ));
    }
    if !ds.columns.is_empty() {
        let columns = ds
            .columns
            .iter()
            .map(|c| native_node(ds, notes, c, &c.name, &[]))
            .collect();
        doc.push(("columns".into(), Yaml::List(columns)));
    }
    let table: Vec<Yaml> = ds
        .checks
        .iter()
        .filter(|c| c.column.is_none())
        .filter_map(|c| table_check(c).map(|y| notes.check(c, y)))
        .collect();
    if !table.is_empty() {
        doc.push(("checks".into(), Yaml::List(table)));
    }
    let mut out = String::new();
    for line in &notes.header {
        out.push_str(&yaml::comment_line(line));
    }
    out.push_str(&yaml::to_string(&Yaml::Map(doc)));
    out
}

fn dbt(node: &DbtNode) -> Yaml {
    Yaml::map([(node.kind.key(), Yaml::str(&node.name))])
}

/// `severity`, `where`, `tolerance`, `description` and `name` of a rule,
/// each only when it is not the default (`name` when not `default_name`).
fn options(check: &Check, default_name: &str) -> Vec<(String, Yaml)> {
    let mut e = Vec::new();
    if check.severity == Severity::Warn {
        e.push(("severity".into(), Yaml::str("warn")));
    }
    push(&mut e, "where", opt_str(&check.filter));
    push(&mut e, "window", check.window_written.map(Yaml::Bool));
    push(&mut e, "tolerance", check.tolerance.as_ref().map(tolerance));
    push(&mut e, "description", opt_str(&check.description));
    if check.name != default_name {
        e.push(("name".into(), Yaml::str(&check.name)));
    }
    e
}

fn freshness(
    check: &Check,
    column: &str,
    warn_after: &Option<Duration>,
    error_after: &Option<Duration>,
) -> Yaml {
    let mut e = vec![("column".to_string(), Yaml::str(column))];
    push(
        &mut e,
        "warn_after",
        warn_after.map(|d| Yaml::str(d.to_string())),
    );
    push(
        &mut e,
        "error_after",
        error_after.map(|d| Yaml::str(d.to_string())),
    );
    push(&mut e, "where", opt_str(&check.filter));
    push(&mut e, "description", opt_str(&check.description));
    Yaml::Map(e)
}

/// The `row_count` mapping of a dataset: its bounds check and its change
/// check (which shares the bounds' options; its name is the bounds' name
/// with `_change`).
fn row_count_block(ds: &Dataset) -> Option<Yaml> {
    let table = ds.checks.iter().filter(|c| c.column.is_none());
    let bounds = table
        .clone()
        .find(|c| matches!(c.kind, CheckKind::RowCount { .. }));
    let change = table
        .clone()
        .find(|c| matches!(c.kind, CheckKind::RowCountChange { .. }));
    let mut e = Vec::new();
    if let Some(CheckKind::RowCount { min, max }) = bounds.map(|c| &c.kind) {
        push(&mut e, "min", min.map(Yaml::int));
        push(&mut e, "max", max.map(Yaml::int));
    }
    if let Some(CheckKind::RowCountChange { max }) = change.map(|c| &c.kind) {
        e.push((
            "change".into(),
            Yaml::map([("max", Yaml::str(max.to_string()))]),
        ));
    }
    let owner = match (bounds, change) {
        (Some(b), _) => b.clone(),
        (None, Some(c)) => Check {
            name: c
                .name
                .strip_suffix("_change")
                .unwrap_or(&c.name)
                .to_string(),
            ..c.clone()
        },
        (None, None) => return None,
    };
    e.extend(options(&owner, "row_count"));
    Some(Yaml::Map(e))
}

fn row_count(check: &Check, min: &Option<u64>, max: &Option<u64>) -> Yaml {
    let mut e = Vec::new();
    push(&mut e, "min", min.map(Yaml::int));
    push(&mut e, "max", max.map(Yaml::int));
    e.extend(options(check, "row_count"));
    Yaml::Map(e)
}

/// A column, or a value inside one at `path` (its `name` only when it has
/// one), with what it holds and the rules written on it.
fn native_node(ds: &Dataset, notes: &Notes, c: &Column, column: &str, path: &[Step]) -> Yaml {
    let mut e = Vec::new();
    if !c.name.is_empty() {
        let name = Yaml::str(&c.name);
        let name = match notes.columns.get(&c.name).filter(|_| path.is_empty()) {
            Some(note) => name.noted(note),
            None => name,
        };
        e.push(("name".to_string(), name));
    }
    e.push(("type".to_string(), Yaml::str(c.ty.to_string())));
    push(&mut e, "description", opt_str(&c.description));
    if !c.physical_types.is_empty() {
        e.push(("physical_type".into(), physical_types(c)));
    }
    if c.pii {
        e.push(("pii".into(), Yaml::Bool(true)));
    }
    if !c.tags.is_empty() {
        e.push((
            "tags".into(),
            Yaml::List(c.tags.iter().map(Yaml::str).collect()),
        ));
    }
    push(&mut e, "renamed_from", opt_str(&c.renamed_from));
    for check in checks_at(ds, column, path) {
        let Some((key, value)) = column_rule(check, column) else {
            continue;
        };
        e.push((key.to_string(), notes.check(check, value)));
    }
    let inside = |step: Step, child: &Column| {
        let mut path = path.to_vec();
        path.push(step);
        native_node(ds, notes, child, column, &path)
    };
    if !c.fields.is_empty() {
        let fields = c
            .fields
            .iter()
            .map(|f| inside(Step::Field(f.name.clone()), f))
            .collect();
        e.push(("fields".into(), Yaml::List(fields)));
    }
    for (key, step, child) in [
        ("items", Step::Items, &c.items),
        ("keys", Step::Keys, &c.keys),
        ("values", Step::Values, &c.values),
    ] {
        if let Some(child) = child {
            e.push((key.into(), inside(step, child)));
        }
    }
    Yaml::Map(e)
}

/// The checks written at `path` inside `column`.
fn checks_at<'a>(
    ds: &'a Dataset,
    column: &'a str,
    path: &'a [Step],
) -> impl Iterator<Item = &'a Check> {
    ds.checks
        .iter()
        .filter(move |k| k.column.as_deref() == Some(column) && k.path == path)
}

/// A column rule in native syntax: short form when it has no options.
fn column_rule(check: &Check, column: &str) -> Option<(&'static str, Yaml)> {
    let key = check.kind.rule();
    let opts = options(check, &nested_name(column, &check.path, key));
    let (long_key, value) = match &check.kind {
        CheckKind::Required | CheckKind::Unique | CheckKind::UniqueItems => {
            ("value", Yaml::Bool(true))
        }
        CheckKind::AcceptedValues { values } => {
            ("values", Yaml::List(values.iter().map(literal).collect()))
        }
        CheckKind::Min { value } | CheckKind::Max { value } => ("value", literal(value)),
        CheckKind::Pattern { regex } => ("value", Yaml::str(regex)),
        CheckKind::References {
            contract, column, ..
        } => ("value", Yaml::str(format!("{contract}.{column}"))),
        CheckKind::Length { min, max } => {
            let mut e = Vec::new();
            push(&mut e, "min", min.map(Yaml::int));
            push(&mut e, "max", max.map(Yaml::int));
            e.extend(opts);
            return Some((key, Yaml::Map(e)));
        }
        CheckKind::NullRateIncrease { max } => {
            let mut e = vec![("max_increase".to_string(), Yaml::str(max.to_string()))];
            e.extend(opts);
            return Some((key, Yaml::Map(e)));
        }
        // Table checks have no column.
        CheckKind::Expression { .. }
        | CheckKind::UniqueCombination { .. }
        | CheckKind::Sql { .. }
        | CheckKind::RowCount { .. }
        | CheckKind::RowCountChange { .. }
        | CheckKind::Freshness { .. } => return None,
    };
    if opts.is_empty() {
        return Some((key, value));
    }
    let mut e = vec![(long_key.to_string(), value)];
    e.extend(opts);
    Some((key, Yaml::Map(e)))
}

fn table_check(check: &Check) -> Option<Yaml> {
    let (key, body) = match &check.kind {
        CheckKind::Expression { sql } => ("expression", Yaml::str(sql)),
        CheckKind::UniqueCombination { columns } => (
            "unique",
            Yaml::List(columns.iter().map(Yaml::str).collect()),
        ),
        CheckKind::Sql { query } => ("sql", Yaml::str(query)),
        // Written as their own blocks, or on a column.
        CheckKind::RowCount { .. }
        | CheckKind::RowCountChange { .. }
        | CheckKind::Freshness { .. }
        | CheckKind::Required
        | CheckKind::Unique
        | CheckKind::AcceptedValues { .. }
        | CheckKind::Min { .. }
        | CheckKind::Max { .. }
        | CheckKind::Pattern { .. }
        | CheckKind::Length { .. }
        | CheckKind::UniqueItems
        | CheckKind::References { .. }
        | CheckKind::NullRateIncrease { .. } => return None,
    };
    let mut e = vec![
        ("name".to_string(), Yaml::str(&check.name)),
        (key.to_string(), body),
    ];
    // The name is written first; options never repeat it.
    e.extend(options(check, &check.name));
    Some(Yaml::Map(e))
}

// ---------------------------------------------------------------------------
// ODCS v3.1

/// The ODCS logical type of a native type.
fn odcs_logical(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::String | LogicalType::Uuid | LogicalType::Binary => "string",
        LogicalType::Integer | LogicalType::Bigint | LogicalType::Smallint => "integer",
        LogicalType::Decimal { .. } | LogicalType::Float | LogicalType::Double => "number",
        LogicalType::Boolean => "boolean",
        LogicalType::Date => "date",
        LogicalType::Time => "time",
        LogicalType::Timestamp | LogicalType::TimestampTz => "timestamp",
        LogicalType::Json | LogicalType::Struct => "object",
        LogicalType::Array => "array",
        LogicalType::Map => "map",
    }
}

fn custom_property(name: &str, value: Yaml) -> Yaml {
    Yaml::map([("property", Yaml::str(name)), ("value", value)])
}

/// A native rule carried as an ODCS custom rule of the `datapact` engine.
fn carried(key: &str, rule: Yaml, description: Option<&String>) -> Yaml {
    let mut e = vec![
        ("type".to_string(), Yaml::str("custom")),
        ("engine".to_string(), Yaml::str("datapact")),
    ];
    push(&mut e, "description", description.map(Yaml::str));
    e.push(("implementation".into(), Yaml::map([(key, rule)])));
    Yaml::Map(e)
}

/// Is this check its plain form: default severity, no filter, no
/// tolerance, no description, the derived name?
fn plain(check: &Check, default_name: &str) -> bool {
    check.severity == Severity::Error
        && check.filter.is_none()
        && check.window_written.is_none()
        && check.tolerance.is_none()
        && check.description.is_none()
        && check.name == default_name
}

/// A map column, or one holding a map.
fn has_map(c: &Column) -> bool {
    c.ty == LogicalType::Map || c.children().into_iter().any(|(_, c)| has_map(c))
}

/// The dataset as an ODCS v3.1 contract with one object (v3.2 when it has
/// a map).
pub fn to_odcs(ds: &Dataset) -> String {
    odcs(ds, "active", &Notes::default())
}

/// [`to_odcs`] of a draft: `status: draft`, the notes' header as comments
/// at the top (ODCS has no place for the others).
pub fn to_odcs_draft(ds: &Dataset, notes: &Notes) -> String {
    odcs(ds, "draft", notes)
}

fn odcs(ds: &Dataset, status: &str, notes: &Notes) -> String {
    let mut doc: Vec<(String, Yaml)> = vec![
        // `map` came with ODCS v3.2.0.
        (
            "apiVersion".into(),
            Yaml::str(if ds.columns.iter().any(has_map) {
                "v3.2.0"
            } else {
                "v3.1.0"
            }),
        ),
        ("kind".into(), Yaml::str("DataContract")),
        ("id".into(), Yaml::str(&ds.contract)),
    ];
    push(&mut doc, "name", opt_str(&ds.title));
    doc.push(("version".into(), Yaml::str(&ds.version)));
    doc.push(("status".into(), Yaml::str(status)));
    if !ds.tags.is_empty() {
        doc.push((
            "tags".into(),
            Yaml::List(ds.tags.iter().map(Yaml::str).collect()),
        ));
    }
    if !ds.owners.is_empty() {
        let members = ds
            .owners
            .iter()
            .map(|o| {
                let mut e = vec![
                    (
                        "username".to_string(),
                        Yaml::str(o.email.as_ref().unwrap_or(&o.name)),
                    ),
                    ("name".to_string(), Yaml::str(&o.name)),
                    ("role".to_string(), Yaml::str(o.role.name())),
                ];
                // Readers take an address-like `username` for the e-mail
                // unless it is the name; say which when that guess is wrong.
                let looks_like_email = crate::text::is_email(&o.name);
                match &o.email {
                    Some(email) if *email == o.name => e.push((
                        "customProperties".into(),
                        Yaml::List(vec![custom_property("datapactEmail", Yaml::str(email))]),
                    )),
                    None if looks_like_email => e.push((
                        "customProperties".into(),
                        Yaml::List(vec![custom_property("datapactEmail", Yaml::str(""))]),
                    )),
                    _ => {}
                }
                Yaml::Map(e)
            })
            .collect();
        doc.push(("team".into(), Yaml::map([("members", Yaml::List(members))])));
    }

    let mut object: Vec<(String, Yaml)> = vec![
        ("name".into(), Yaml::str(&ds.location.name)),
        ("physicalType".into(), Yaml::str("table")),
    ];
    push(&mut object, "businessName", opt_str(&ds.title));
    push(&mut object, "description", opt_str(&ds.description));
    let mut custom = vec![custom_property("datapactContract", Yaml::str(&ds.contract))];
    if let Some(db) = &ds.location.database {
        custom.push(custom_property("datapactDatabase", Yaml::str(db)));
    }
    if let Some(schema) = &ds.location.schema {
        custom.push(custom_property("datapactSchema", Yaml::str(schema)));
    }
    if let Some(node) = &ds.dbt {
        let key = node.kind.odcs_property();
        custom.push(custom_property(key, Yaml::str(&node.name)));
    } else if ds.outside_dbt {
        custom.push(custom_property(ODCS_OUTSIDE_DBT, Yaml::Bool(false)));
    }
    if let Some(old) = &ds.renamed_from {
        custom.push(custom_property("datapactRenamedFrom", Yaml::str(old)));
    }
    if let Some(path) = &ds.path {
        custom.push(custom_property("datapactPath", Yaml::str(path)));
    }
    if ds.conformance != Conformance::default() {
        custom.push(custom_property(
            "datapactConformance",
            Yaml::str(ds.conformance.name()),
        ));
    }
    if let Some(window) = &ds.window {
        custom.push(custom_property(
            "datapactWindow",
            Yaml::map([
                ("column", Yaml::str(&window.column)),
                ("last", Yaml::str(window.last.to_string())),
            ]),
        ));
    }
    object.push(("customProperties".into(), Yaml::List(custom)));
    let properties: Vec<Yaml> = ds.columns.iter().map(|c| odcs_property(ds, c)).collect();
    if !properties.is_empty() {
        object.push(("properties".into(), Yaml::List(properties)));
    }
    let mut quality = Vec::new();
    let mut sla = Vec::new();
    // A change limit has no ODCS form: the row count block is carried whole.
    let carry_row_count = ds
        .checks
        .iter()
        .any(|c| matches!(c.kind, CheckKind::RowCountChange { .. }));
    if let Some(block) = row_count_block(ds).filter(|_| carry_row_count) {
        quality.push(carried("row_count", block, None));
    }
    for check in ds.checks.iter().filter(|c| c.column.is_none()) {
        match &check.kind {
            CheckKind::RowCount { .. } | CheckKind::RowCountChange { .. } if carry_row_count => {}
            CheckKind::RowCountChange { .. } => {}
            CheckKind::RowCount { min, max } if plain_but_description(check, "row_count") => {
                let mut e = vec![
                    ("type".to_string(), Yaml::str("library")),
                    ("metric".to_string(), Yaml::str("rowCount")),
                ];
                match (min, max) {
                    (Some(a), Some(b)) if a == b => e.push(("mustBe".into(), Yaml::int(*a))),
                    (Some(a), Some(b)) => e.push((
                        "mustBeBetween".into(),
                        Yaml::List(vec![Yaml::int(*a), Yaml::int(*b)]),
                    )),
                    (Some(a), None) => e.push(("mustBeGreaterOrEqualTo".into(), Yaml::int(*a))),
                    (None, Some(b)) => e.push(("mustBeLessOrEqualTo".into(), Yaml::int(*b))),
                    (None, None) => {}
                }
                push(&mut e, "description", opt_str(&check.description));
                if check.severity == Severity::Warn {
                    e.push(("severity".into(), Yaml::str("warning")));
                }
                quality.push(Yaml::Map(e));
            }
            CheckKind::RowCount { min, max } => {
                quality.push(carried("row_count", row_count(check, min, max), None));
            }
            CheckKind::Freshness {
                column,
                warn_after: None,
                error_after: Some(after),
            } if check.filter.is_none() && check.description.is_none() => {
                let (value, unit) = (after.count.to_string(), after.to_string());
                let unit = unit
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .to_string();
                sla.push(Yaml::map([
                    ("property", Yaml::str("freshness")),
                    ("value", Yaml::Number(value)),
                    ("unit", Yaml::str(unit)),
                    (
                        "element",
                        Yaml::str(format!("{}.{column}", ds.location.name)),
                    ),
                ]));
            }
            CheckKind::Freshness {
                column,
                warn_after,
                error_after,
            } => quality.push(carried(
                "freshness",
                freshness(check, column, warn_after, error_after),
                None,
            )),
            // ODCS's own form (a schema-level `duplicateValues` over
            // `arguments.properties`), when nothing but its name and
            // description is said of it.
            CheckKind::UniqueCombination { columns }
                if check.filter.is_none()
                    && check.window_written.is_none()
                    && check.tolerance.is_none()
                    && check.severity == Severity::Error =>
            {
                let mut e = vec![
                    ("type".to_string(), Yaml::str("library")),
                    ("name".to_string(), Yaml::str(&check.name)),
                    ("metric".to_string(), Yaml::str("duplicateValues")),
                    (
                        "arguments".to_string(),
                        Yaml::map([(
                            "properties",
                            Yaml::List(columns.iter().map(Yaml::str).collect()),
                        )]),
                    ),
                    ("mustBe".to_string(), Yaml::int(0)),
                ];
                push(&mut e, "description", opt_str(&check.description));
                quality.push(Yaml::Map(e));
            }
            _ => {
                if let Some(check_yaml) = table_check(check) {
                    quality.push(carried("check", check_yaml, None));
                }
            }
        }
    }
    if !quality.is_empty() {
        object.push(("quality".into(), Yaml::List(quality)));
    }
    doc.push(("schema".into(), Yaml::List(vec![Yaml::Map(object)])));
    if let Some(slo) = &ds.slo_written {
        let window = slo.window.to_string();
        let unit = window.trim_start_matches(|c: char| c.is_ascii_digit());
        sla.push(Yaml::map([
            ("property", Yaml::str("datapactSloWindow")),
            ("value", Yaml::Number(slo.window.count.to_string())),
            ("unit", Yaml::str(unit)),
        ]));
        for (property, objective) in [
            ("datapactSloFreshness", &slo.freshness),
            ("datapactSloQuality", &slo.quality),
        ] {
            sla.push(Yaml::map([
                ("property", Yaml::str(property)),
                ("value", Yaml::Number(objective.as_str().to_string())),
                ("unit", Yaml::str("percent")),
            ]));
        }
    }
    if !sla.is_empty() {
        doc.push(("slaProperties".into(), Yaml::List(sla)));
    }
    let mut out: String = notes.header.iter().map(|l| yaml::comment_line(l)).collect();
    out.push_str(&yaml::to_string(&Yaml::Map(doc)));
    out
}

/// Plain apart from a description and a warn severity, which ODCS library
/// rules carry.
fn plain_but_description(check: &Check, default_name: &str) -> bool {
    check.filter.is_none()
        && check.window_written.is_none()
        && check.tolerance.is_none()
        && check.name == default_name
}

fn odcs_property(ds: &Dataset, c: &Column) -> Yaml {
    odcs_node(ds, c, &c.name, &[])
}

/// A column as an ODCS property, or a value inside one at `path`: a struct
/// is an `object` with `properties`, an array an `array` with `items`, a
/// map a `map` with `map: {key, value}` (ODCS v3.2).
fn odcs_node(ds: &Dataset, c: &Column, column: &str, path: &[Step]) -> Yaml {
    let mut e = Vec::new();
    if !c.name.is_empty() {
        e.push(("name".to_string(), Yaml::str(&c.name)));
    }
    e.push(("logicalType".to_string(), Yaml::str(odcs_logical(c.ty))));
    // The native type, which datapact reads back exactly (a 32-bit float
    // is `real`: `float` is 64 bits in most warehouses). A nested type is
    // told by its parts.
    if !c.ty.is_nested() {
        e.push((
            "physicalType".to_string(),
            Yaml::str(match c.ty {
                LogicalType::Float => "real".to_string(),
                ty => ty.to_string(),
            }),
        ));
    }
    push(&mut e, "description", opt_str(&c.description));
    if c.pii {
        e.push(("classification".into(), Yaml::str("pii")));
    }
    if !c.tags.is_empty() {
        e.push((
            "tags".into(),
            Yaml::List(c.tags.iter().map(Yaml::str).collect()),
        ));
    }
    let mut options = Vec::new();
    let mut quality = Vec::new();
    let length_ok = matches!(c.ty, LogicalType::String);
    // The bounds ODCS states in `logicalTypeOptions` (v3.1 and v3.2): numbers
    // on integer and number columns, ISO text on date, time and timestamp
    // columns; others travel as datapact rules.
    let bound_ok = |value: &Literal| {
        matches!(
            (odcs_logical(c.ty), value),
            ("integer", Literal::Number(_))
                | ("number", Literal::Number(_) | Literal::Float(_))
                | ("date", Literal::Date(_))
                | ("time", Literal::Time(_))
                | ("timestamp", Literal::Timestamp(_) | Literal::TimestampTz(_))
        )
    };
    for check in checks_at(ds, column, path) {
        let is_plain = plain(check, &nested_name(column, path, check.kind.rule()));
        match &check.kind {
            CheckKind::Required if is_plain => e.push(("required".into(), Yaml::Bool(true))),
            CheckKind::Unique if is_plain => e.push(("unique".into(), Yaml::Bool(true))),
            CheckKind::Length { min, max } if is_plain && length_ok => {
                push(&mut options, "minLength", min.map(Yaml::int));
                push(&mut options, "maxLength", max.map(Yaml::int));
            }
            // An array's elements (read back from `items`' presence).
            CheckKind::Length { min, max } if is_plain && c.ty == LogicalType::Array => {
                push(&mut options, "minItems", min.map(Yaml::int));
                push(&mut options, "maxItems", max.map(Yaml::int));
            }
            CheckKind::UniqueItems if is_plain => {
                options.push(("uniqueItems".into(), Yaml::Bool(true)));
            }
            CheckKind::Min { value } if is_plain && bound_ok(value) => {
                options.push(("minimum".into(), literal(value)));
            }
            CheckKind::Max { value } if is_plain && bound_ok(value) => {
                options.push(("maximum".into(), literal(value)));
            }
            CheckKind::AcceptedValues { values } if is_plain => {
                quality.push(Yaml::map([
                    ("type", Yaml::str("library")),
                    ("metric", Yaml::str("invalidValues")),
                    (
                        "arguments",
                        Yaml::map([(
                            "validValues",
                            Yaml::List(values.iter().map(literal).collect()),
                        )]),
                    ),
                    ("mustBe", Yaml::int(0)),
                ]));
            }
            _ => {
                if let Some((key, rule)) = column_rule(check, column) {
                    quality.push(carried(key, rule, None));
                }
            }
        }
    }
    if !options.is_empty() {
        e.push(("logicalTypeOptions".into(), Yaml::Map(options)));
    }
    let mut custom = Vec::new();
    if !c.physical_types.is_empty() {
        custom.push(custom_property("datapactPhysicalTypes", physical_types(c)));
    }
    if let Some(old) = &c.renamed_from {
        custom.push(custom_property("datapactRenamedFrom", Yaml::str(old)));
    }
    if !custom.is_empty() {
        e.push(("customProperties".into(), Yaml::List(custom)));
    }
    if !quality.is_empty() {
        e.push(("quality".into(), Yaml::List(quality)));
    }
    let inside = |step: Step, child: &Column| {
        let mut path = path.to_vec();
        path.push(step);
        odcs_node(ds, child, column, &path)
    };
    if !c.fields.is_empty() {
        let fields = c
            .fields
            .iter()
            .map(|f| inside(Step::Field(f.name.clone()), f))
            .collect();
        e.push(("properties".into(), Yaml::List(fields)));
    }
    if let Some(items) = &c.items {
        e.push(("items".into(), inside(Step::Items, items)));
    }
    if let (Some(keys), Some(values)) = (&c.keys, &c.values) {
        e.push((
            "map".into(),
            Yaml::map([
                ("key", inside(Step::Keys, keys)),
                ("value", inside(Step::Values, values)),
            ]),
        ));
    }
    Yaml::Map(e)
}
