//! The intermediate representation: what every emitter reads.
//!
//! Resolved and typed: every rule is a [`Check`] with a stable name, its
//! severity, filter and tolerance; references carry the target's location.
//! Nothing here knows about YAML or where a contract came from. It derives
//! `Serialize` only so tests can snapshot it.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::literal::Literal;
use crate::source::Span;
pub use crate::types::Step;
use crate::types::{
    ChangeLimit, Conformance, Duration, LogicalType, Objective, Role, Severity, TimeUnit, Tolerance,
};
use crate::types::{DbtKind, Dialect, Format};

/// All datasets of a run, sorted by contract id.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Ir {
    pub datasets: Vec<Dataset>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Dataset {
    /// The contract id, e.g. `shop.orders`.
    pub contract: String,
    pub version: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub owners: Vec<Owner>,
    pub location: Location,
    pub dbt: Option<DbtNode>,
    /// `dataset.dbt: false`: the dataset is deliberately no node of the
    /// dbt project.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub outside_dbt: bool,
    /// The data files `datapact run` reads on its embedded DuckDB, as written
    /// (a glob, relative to the project root).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Whether the table may have columns the contract does not declare.
    #[serde(skip_serializing_if = "Conformance::is_additive")]
    pub conformance: Conformance,
    pub tags: Vec<String>,
    /// The service-level objectives as written; `None` when the contract
    /// states none (see [`Dataset::slo`] for the ones that apply).
    #[serde(rename = "slo", skip_serializing_if = "Option::is_none")]
    pub slo_written: Option<Slo>,
    pub columns: Vec<Column>,
    /// Every rule of the dataset, in a stable order: column rules in column
    /// order, then row_count, freshness, then table checks as written.
    pub checks: Vec<Check>,
    /// The contract file, as the user named it.
    pub source_path: String,
    /// The contract id of the previous version, when this one renames it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The recent rows the windowed checks see ([`Check::windowed`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Window>,
    /// `columns` by name, for [`Dataset::column`].
    #[serde(skip)]
    pub column_index: ColumnIndex,
}

/// The position of each column by name, built on the first lookup (a wide
/// table's checks each look their column up). A clone starts empty, so a
/// dataset built as `Dataset { columns, ..ds.clone() }` indexes its own
/// columns; `columns` must not change once a lookup has been made.
#[derive(Default)]
pub struct ColumnIndex(std::sync::OnceLock<(usize, HashMap<String, usize>)>);

impl Clone for ColumnIndex {
    fn clone(&self) -> ColumnIndex {
        ColumnIndex::default()
    }
}

impl std::fmt::Debug for ColumnIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ColumnIndex")
    }
}

/// The rows whose `column` is within `last` of now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub column: String,
    pub last: Duration,
}

impl Dataset {
    /// The declared column of this name (the first, if two have it).
    pub fn column(&self, name: &str) -> Option<&Column> {
        let (len, index) = self.column_index.0.get_or_init(|| {
            let mut index = HashMap::with_capacity(self.columns.len());
            for (i, c) in self.columns.iter().enumerate() {
                index.entry(c.name.clone()).or_insert(i);
            }
            (self.columns.len(), index)
        });
        if *len != self.columns.len() {
            // Changed since indexed (see [`ColumnIndex`]): look it up in full.
            return self.columns.iter().find(|c| c.name == name);
        }
        self.columns
            .get(*index.get(name)?)
            .filter(|c| c.name == name)
    }

    /// The logical type of a column; a column the contract does not declare
    /// (a freshness column may be undeclared) is taken for a timestamp.
    pub fn column_type(&self, name: &str) -> LogicalType {
        self.column(name).map_or(LogicalType::Timestamp, |c| c.ty)
    }
}

impl Dataset {
    /// The column (or the value inside one) a path leads to.
    pub fn node(&self, column: &str, path: &[Step]) -> Option<&Column> {
        let mut node = self.column(column)?;
        for step in path {
            node = node.child(step)?;
        }
        Some(node)
    }

    /// The logical type of the value a check looks at: its column's, or the
    /// type at its path.
    pub fn check_type(&self, check: &Check) -> LogicalType {
        let column = check.column.as_deref().unwrap_or_default();
        self.node(column, &check.path)
            .map_or_else(|| self.column_type(column), |n| n.ty)
    }
}

impl Dataset {
    /// The objectives that apply: those written, defaults for the rest.
    pub fn slo(&self) -> Slo {
        self.slo_written.clone().unwrap_or_default()
    }
}

/// Service-level objectives over a rolling window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slo {
    pub window: Duration,
    /// The share of runs in which freshness held.
    pub freshness: Objective,
    /// The share of runs in which no check of severity `error` failed or
    /// could not be evaluated.
    pub quality: Objective,
}

impl Default for Slo {
    fn default() -> Slo {
        Slo {
            window: Duration {
                count: 30,
                unit: TimeUnit::Day,
            },
            freshness: Objective::default_objective(),
            quality: Objective::default_objective(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub name: String,
    pub email: Option<String>,
    pub role: Role,
}

/// Where a table lives: `[database.][schema.]name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub database: Option<String>,
    pub schema: Option<String>,
    pub name: String,
}

/// The dbt node a dataset is (`dataset.dbt`): serialized as
/// `{"model": "orders"}`, as written in a contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbtNode {
    pub kind: DbtKind,
    /// The model, seed or snapshot name; for a source, the source's name
    /// (the table is the dataset's `name`).
    pub name: String,
}

impl Serialize for DbtNode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(self.kind.key(), &self.name)?;
        map.end()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: LogicalType,
    /// Per-dialect physical type overrides.
    pub physical_types: BTreeMap<Dialect, String>,
    pub description: Option<String>,
    pub pii: bool,
    pub tags: Vec<String>,
    /// Has a `required` rule (of any severity).
    pub required: bool,
    /// The column's name in the previous version, when this one renames it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// A struct's fields, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Column>,
    /// An array's items; a map's keys and values. Their `name` is empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Column>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Box<Column>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Box<Column>>,
}

impl Column {
    /// A column of type `ty` without a name, rules or parts (a nested
    /// column's value, a column being built).
    pub fn of(ty: LogicalType) -> Column {
        Column {
            name: String::new(),
            ty,
            physical_types: BTreeMap::new(),
            description: None,
            pii: false,
            tags: Vec::new(),
            required: false,
            renamed_from: None,
            fields: Vec::new(),
            items: None,
            keys: None,
            values: None,
        }
    }

    /// The column a step leads to from this one.
    pub fn child(&self, step: &Step) -> Option<&Column> {
        match step {
            Step::Field(name) => self.fields.iter().find(|f| &f.name == name),
            Step::Items => self.items.as_deref(),
            Step::Keys => self.keys.as_deref(),
            Step::Values => self.values.as_deref(),
        }
    }

    /// The columns inside this one with the step to each: fields in order,
    /// then items, keys, values.
    pub fn children(&self) -> Vec<(Step, &Column)> {
        let mut out: Vec<(Step, &Column)> = self
            .fields
            .iter()
            .map(|f| (Step::Field(f.name.clone()), f))
            .collect();
        for (step, child) in [
            (Step::Items, &self.items),
            (Step::Keys, &self.keys),
            (Step::Values, &self.values),
        ] {
            if let Some(child) = child {
                out.push((step, child));
            }
        }
        out
    }
}

/// A path as contracts, check names and reports write it:
/// `address.zip`, `items[].sku`, `labels[key]`, `labels[value]`.
pub fn path_text(column: &str, path: &[Step]) -> String {
    let mut out = column.to_string();
    for step in path {
        match step {
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Items => out.push_str("[]"),
            Step::Keys => out.push_str("[key]"),
            Step::Values => out.push_str("[value]"),
        }
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable, unique within the dataset, `^[a-z][a-z0-9_]*$`; a derived
    /// name of a rule inside a nested column writes its path
    /// (`address.zip__pattern`, `items[].sku__required`).
    pub name: String,
    /// The column for column rules; `None` for table rules.
    pub column: Option<String>,
    /// Where inside the column the rule applies: empty for the column
    /// itself.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<Step>,
    pub kind: CheckKind,
    pub severity: Severity,
    /// SQL filter: the rule sees only rows where this holds.
    pub filter: Option<String>,
    pub tolerance: Option<Tolerance>,
    pub description: Option<String>,
    /// Whether the check sees only the dataset's window (its `where`, if
    /// any, also applies); false without a window.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub windowed: bool,
    /// `window: true|false` as the contract writes it on the rule; `None`:
    /// its kind's default ([`CheckKind::window_default`]).
    #[serde(skip)]
    pub window_written: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum CheckKind {
    Required,
    Unique,
    AcceptedValues {
        values: Vec<Literal>,
    },
    Min {
        value: Literal,
    },
    Max {
        value: Literal,
    },
    Pattern {
        regex: String,
    },
    /// Characters of a string; elements of an array or a map.
    Length {
        min: Option<u64>,
        max: Option<u64>,
    },
    /// No value occurs twice in an array.
    UniqueItems,
    References {
        contract: String,
        column: String,
        location: Location,
    },
    Expression {
        sql: String,
    },
    UniqueCombination {
        columns: Vec<String>,
    },
    RowCount {
        min: Option<u64>,
        max: Option<u64>,
    },
    /// The row count may differ from the previous good run's (in the
    /// results store) by at most `max`, up or down. The check query only
    /// observes the count; `datapact run` compares it.
    RowCountChange {
        max: ChangeLimit,
    },
    /// The column's share of NULLs may rise by at most `max` percentage
    /// points from the previous good run's. Observed, then compared by
    /// `datapact run`, like [`CheckKind::RowCountChange`].
    NullRateIncrease {
        max: ChangeLimit,
    },
    Freshness {
        column: String,
        warn_after: Option<Duration>,
        error_after: Option<Duration>,
    },
    Sql {
        query: String,
    },
}

impl CheckKind {
    /// Whether the rule sees only the dataset's window unless it says
    /// otherwise (`window: true|false`); `None` when a window does not
    /// apply to it. Rules on each row: yes. Rules that compare a row with
    /// others (`unique`, a unique combination, `references`) and the row
    /// count: no, the whole table, since a window hides what lies beyond
    /// it (a duplicate of an older row). Freshness reads the newest row,
    /// and a `sql` check its own query: not applicable.
    pub fn window_default(&self) -> Option<bool> {
        match self {
            CheckKind::Required
            | CheckKind::AcceptedValues { .. }
            | CheckKind::Min { .. }
            | CheckKind::Max { .. }
            | CheckKind::Pattern { .. }
            | CheckKind::Length { .. }
            | CheckKind::UniqueItems
            | CheckKind::Expression { .. }
            | CheckKind::NullRateIncrease { .. } => Some(true),
            CheckKind::Unique
            | CheckKind::UniqueCombination { .. }
            | CheckKind::References { .. }
            | CheckKind::RowCount { .. }
            | CheckKind::RowCountChange { .. } => Some(false),
            CheckKind::Freshness { .. } | CheckKind::Sql { .. } => None,
        }
    }

    /// Rules judged against earlier runs kept in a results store: the
    /// check query observes, `datapact run` compares.
    pub fn over_time(&self) -> bool {
        self.compared().is_some()
    }

    /// A rule over time: what it compares with the previous good run.
    pub fn compared(&self) -> Option<Compared<'_>> {
        match self {
            CheckKind::RowCountChange { max } => Some(Compared::RowCount(max)),
            CheckKind::NullRateIncrease { max } => Some(Compared::NullRate(max)),
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
            | CheckKind::RowCount { .. }
            | CheckKind::Freshness { .. }
            | CheckKind::Sql { .. } => None,
        }
    }

    /// The rule's name as reported in check results.
    pub fn rule(&self) -> &'static str {
        match self {
            CheckKind::Required => "required",
            CheckKind::Unique => "unique",
            CheckKind::AcceptedValues { .. } => "accepted_values",
            CheckKind::Min { .. } => "min",
            CheckKind::Max { .. } => "max",
            CheckKind::Pattern { .. } => "pattern",
            CheckKind::Length { .. } => "length",
            CheckKind::UniqueItems => "unique_items",
            CheckKind::References { .. } => "references",
            CheckKind::Expression { .. } => "expression",
            CheckKind::UniqueCombination { .. } => "unique_combination",
            CheckKind::RowCount { .. } => "row_count",
            CheckKind::RowCountChange { .. } => "row_count_change",
            CheckKind::NullRateIncrease { .. } => "null_rate",
            CheckKind::Freshness { .. } => "freshness",
            CheckKind::Sql { .. } => "sql",
        }
    }
}

/// What a rule over time compares with the previous good run, and the
/// largest change it allows.
#[derive(Debug, Clone, Copy)]
pub enum Compared<'a> {
    /// The row count, up or down.
    RowCount(&'a ChangeLimit),
    /// The column's share of NULLs, up only.
    NullRate(&'a ChangeLimit),
}

/// Where the parts of a contract were written: spans keyed by the names the
/// IR uses, for reports about datasets (`datapact diff`). Emitters never
/// read it.
#[derive(Debug, Clone)]
pub struct Origin {
    /// The format the contract is written in.
    pub format: Format,
    /// The contract id.
    pub contract: Span,
    pub version: Option<Span>,
    pub renamed_from: Option<Span>,
    pub title: Option<Span>,
    pub description: Option<Span>,
    pub owners: Option<Span>,
    pub tags: Option<Span>,
    /// The `dataset` mapping: the location.
    pub dataset: Option<Span>,
    /// The name of the dbt node in `dataset.dbt`.
    pub dbt: Option<Span>,
    /// The `slo` mapping.
    pub slo: Option<Span>,
    pub columns: BTreeMap<String, ColumnOrigin>,
    /// Each check by its name: where its rule is written.
    pub checks: BTreeMap<String, Span>,
}

#[derive(Debug, Clone)]
pub struct ColumnOrigin {
    pub name: Span,
    pub ty: Option<Span>,
    pub description: Option<Span>,
    pub physical_types: BTreeMap<Dialect, Span>,
    pub pii: Option<Span>,
    pub tags: Option<Span>,
    pub renamed_from: Option<Span>,
}
