//! The native contract language as typed syntax, decoded from YAML nodes.
//!
//! Every field remembers its span. Fields the language requires are still
//! `Option` here: a missing key is reported once by the decoder and the rest
//! of the file is still checked, so one run reports every problem.
//!
//! The same types generate the language's JSON Schema (`datapact schema`):
//! doc comments become the descriptions editors show on hover.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};

use crate::diagnostic::{Code, Diagnostic};
use std::sync::LazyLock;

use crate::rules::{COLUMN_RULE_KEYS, ColumnRuleKind};
use crate::source::{FileId, Span, Spanned};
use crate::suggest;
use crate::types::{
    ChangeLimit, Conformance, Duration, LogicalType, Objective, Role, Severity, TYPE_NAMES,
    TYPE_SYNONYMS, Tolerance,
};
use crate::types::{DbtKind, Dialect};

use super::decode::{self, Cx, Map};
use super::yaml::{Node, NodeKind, Scalar};

/// The contract id as the JSON Schema says it (ECMA-262, for editors): not
/// starting with a Windows device name (see `reserved_on_windows`).
pub const CONTRACT_ID_PATTERN: &str =
    r"^(?!(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$))[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$";
pub const CHECK_NAME_PATTERN: &str = "^(?!(con|prn|aux|nul|com[0-9]|lpt[0-9])$)[a-z][a-z0-9_]*$";
pub const CHECK_NAME_MAX: usize = 63;
pub const CONTRACT_ID_MAX: usize = 128;
const SEMVER_PATTERN: &str =
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$";

/// A datapact data contract: what one dataset promises.
#[derive(Debug, JsonSchema)]
#[schemars(title = "datapact contract", deny_unknown_fields)]
pub struct Contract {
    #[schemars(skip)]
    pub file: FileId,
    /// The format the contract is written in.
    #[schemars(skip)]
    pub format: crate::types::Format,
    #[schemars(skip)]
    pub span: Span,
    /// Unique id of the contract across the repository: dotted lowercase identifiers, e.g. `shop.orders`.
    #[schemars(required, regex(pattern = CONTRACT_ID_PATTERN), length(max = CONTRACT_ID_MAX))]
    pub contract: Option<Spanned<String>>,
    /// Semantic version of the contract (MAJOR.MINOR.PATCH), e.g. `1.4.0`.
    #[schemars(required, with = "Option<String>", regex(pattern = SEMVER_PATTERN))]
    pub version: Option<Spanned<semver::Version>>,
    /// Human title of the dataset.
    pub title: Option<Spanned<String>>,
    /// What one row is and what the dataset is for.
    pub description: Option<Spanned<String>>,
    /// Who answers for this data.
    pub owners: Option<Vec<Owner>>,
    /// Where the data lives.
    #[schemars(required)]
    pub dataset: Option<Dataset>,
    /// The freshness SLA: how recent the newest row must be.
    pub freshness: Option<Freshness>,
    /// Bounds on the number of rows.
    pub row_count: Option<RowCount>,
    /// Service-level objectives: how often, over a rolling window, the
    /// promises must hold. `datapact report` measures them from the results
    /// `datapact run --store` keeps.
    pub slo: Option<Slo>,
    /// The columns: types and column rules.
    pub columns: Option<Vec<Column>>,
    /// Table-level rules: row expressions, unique combinations, custom SQL.
    pub checks: Option<Vec<TableCheck>>,
    /// Free-form labels.
    pub tags: Option<Vec<Spanned<String>>>,
    /// The contract id of the previous version, when this release renames the
    /// contract: `datapact diff` then compares the two as one contract (a
    /// breaking rename) instead of reporting a removal and an addition.
    #[schemars(regex(pattern = CONTRACT_ID_PATTERN), length(max = CONTRACT_ID_MAX))]
    pub renamed_from: Option<Spanned<String>>,
    /// The `owners` key, when written (even with a value of the wrong type).
    #[schemars(skip)]
    pub owners_key: Option<Span>,
}

/// A person or team answerable for the data.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Owner {
    #[schemars(skip)]
    pub span: Span,
    /// Name of the team or person.
    #[schemars(required)]
    pub name: Option<Spanned<String>>,
    /// Contact address.
    #[schemars(regex(pattern = r"^[^@\s]+@[^@\s]+$"))]
    pub email: Option<Spanned<String>>,
    /// `producer` (default), `consumer` or `steward`.
    #[schemars(with = "Option<RoleName>")]
    pub role: Option<Spanned<Role>>,
}

#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
enum RoleName {
    Producer,
    Consumer,
    Steward,
}

#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
enum SeverityName {
    Error,
    Warn,
}

/// Where the dataset lives in the warehouse, and how dbt knows it.
#[derive(Debug, JsonSchema)]
#[schemars(deny_unknown_fields, extend("dependentRequired" = {"database": ["schema"]}))]
pub struct Dataset {
    #[schemars(skip)]
    pub span: Span,
    /// Database (catalog, project) name; optional, requires `schema`.
    pub database: Option<Spanned<String>>,
    /// Schema (dataset, namespace) name.
    pub schema: Option<Spanned<String>>,
    /// Table or view name.
    #[schemars(required)]
    pub name: Option<Spanned<String>>,
    /// The dbt node this dataset is: `{model: orders}` or `{source: shop}`;
    /// `false` when it is not part of the dbt project (the dbt target then
    /// writes nothing for it, and says nothing about it).
    #[schemars(with = "Option<DbtField>")]
    pub dbt: Option<DbtBinding>,
    /// The dataset's data files, for `datapact run` on its embedded DuckDB:
    /// Parquet, CSV or JSON lines (by extension), a glob allowed, relative
    /// to the project root (the folder of datapact.yaml, else the working
    /// directory).
    pub path: Option<Spanned<String>>,
    /// `additive` (default): the table may have columns the contract does
    /// not declare; `strict`: every column must be declared.
    #[schemars(with = "Option<ConformanceName>")]
    pub conformance: Option<Spanned<Conformance>>,
    /// Check only recent rows: the row-level rules see the rows whose
    /// `column` is within `last` of now (uniqueness and references keep
    /// the whole table unless they say `window: true`).
    pub window: Option<Window>,
}

/// The recent rows a windowed rule sees: `column` within `last` of now.
#[derive(Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Window {
    #[schemars(skip)]
    pub span: Span,
    /// The `window` key.
    #[schemars(skip)]
    pub key: Span,
    /// A date or timestamp column: when each row arrived or happened.
    #[schemars(required)]
    pub column: Option<Spanned<String>>,
    /// How far back from now, e.g. `1d` or `6h`.
    #[schemars(required, with = "Option<DurationText>")]
    pub last: Option<Spanned<Duration>>,
}

#[derive(JsonSchema)]
#[schemars(rename_all = "lowercase")]
#[allow(dead_code)]
enum ConformanceName {
    Additive,
    Strict,
}

/// Exactly one of `model`, `source`, `seed` or `snapshot`.
#[derive(Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields, extend("oneOf" = [{"required": ["model"]}, {"required": ["source"]}, {"required": ["seed"]}, {"required": ["snapshot"]}]))]
pub struct DbtBinding {
    #[schemars(skip)]
    pub span: Span,
    /// `dbt: false`: the dataset is deliberately no dbt node.
    #[schemars(skip)]
    pub off: bool,
    /// The dbt model that builds this dataset.
    pub model: Option<Spanned<String>>,
    /// The dbt source (its `name:`) that declares this dataset as a table.
    pub source: Option<Spanned<String>>,
    /// The dbt seed (a CSV file `dbt seed` loads) this dataset is.
    pub seed: Option<Spanned<String>>,
    /// The dbt snapshot that builds this dataset.
    pub snapshot: Option<Spanned<String>>,
}

impl DbtBinding {
    /// Each node the binding names, by kind, in the order of [`DbtKind::ALL`].
    pub fn nodes(&self) -> impl Iterator<Item = (DbtKind, &Spanned<String>)> {
        let names = [&self.model, &self.source, &self.seed, &self.snapshot];
        DbtKind::ALL
            .iter()
            .zip(names)
            .filter_map(|(kind, name)| Some((*kind, name.as_ref()?)))
    }

    /// The node this dataset is: the first one written (validation refuses
    /// more than one).
    pub fn node(&self) -> Option<(DbtKind, &Spanned<String>)> {
        self.nodes().next()
    }

    /// A binding of one node.
    pub fn of(span: Span, kind: DbtKind, name: Spanned<String>) -> DbtBinding {
        let mut binding = DbtBinding {
            span,
            ..DbtBinding::default()
        };
        let slot = match kind {
            DbtKind::Model => &mut binding.model,
            DbtKind::Source => &mut binding.source,
            DbtKind::Seed => &mut binding.seed,
            DbtKind::Snapshot => &mut binding.snapshot,
        };
        *slot = Some(name);
        binding
    }
}

/// The freshness SLA: age = now (UTC) − max(column).
#[derive(Debug, JsonSchema)]
#[schemars(deny_unknown_fields, extend("anyOf" = [{"required": ["warn_after"]}, {"required": ["error_after"]}]))]
pub struct Freshness {
    #[schemars(skip)]
    pub span: Span,
    /// The `freshness` key.
    #[schemars(skip)]
    pub key: Span,
    /// A date or timestamp column holding when each row arrived.
    #[schemars(required)]
    pub column: Option<Spanned<String>>,
    /// Warn when the newest row is older than this, e.g. `2h`.
    #[schemars(with = "Option<DurationText>")]
    pub warn_after: Option<Spanned<Duration>>,
    /// Fail when the newest row is older than this, e.g. `6h`.
    #[schemars(with = "Option<DurationText>")]
    pub error_after: Option<Spanned<Duration>>,
    /// SQL filter: only these rows count.
    #[schemars(rename = "where")]
    pub filter: Option<Spanned<String>>,
    /// Why this SLA.
    pub description: Option<Spanned<String>>,
}

/// Service-level objectives, measured over the runs of a rolling window.
#[derive(Debug, Clone, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Slo {
    #[schemars(skip)]
    pub span: Span,
    /// The `slo` key.
    #[schemars(skip)]
    pub key: Span,
    /// The rolling window the objectives are measured over, e.g. `30d` (the default).
    #[schemars(with = "Option<DurationText>")]
    pub window: Option<Spanned<Duration>>,
    /// The share of runs in the window in which freshness held, e.g. `99.5%` (default `99%`).
    #[schemars(with = "Option<ObjectiveText>")]
    pub freshness: Option<Spanned<Objective>>,
    /// The share of runs in the window in which no check of severity
    /// `error` failed or could not be evaluated, e.g. `99%` (the default).
    #[schemars(with = "Option<ObjectiveText>")]
    pub quality: Option<Spanned<Objective>>,
}

/// A percent above 0% and below 100%, e.g. `99.5%`.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct ObjectiveText(#[schemars(regex(pattern = Objective::PATTERN))] String);

/// A duration: a positive whole number and a unit `m`, `h`, `d` or `w`.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct DurationText(#[schemars(regex(pattern = Duration::PATTERN))] String);

/// Bounds on the number of rows (inclusive), and on its change between runs.
#[derive(Debug, JsonSchema)]
#[schemars(deny_unknown_fields, extend("anyOf" = [{"required": ["min"]}, {"required": ["max"]}, {"required": ["change"]}]))]
pub struct RowCount {
    #[schemars(skip)]
    pub span: Span,
    #[schemars(skip)]
    pub key: Span,
    /// At least this many rows.
    pub min: Option<Spanned<u64>>,
    /// At most this many rows.
    pub max: Option<Spanned<u64>>,
    /// How much the row count may change from the previous good run kept
    /// in the results store (`datapact run --store`), e.g. `{max: 25%}`:
    /// checked as `row_count_change` (`<name>_change` with a `name`).
    pub change: Option<RowCountChange>,
    #[schemars(with = "Option<SeverityName>")]
    /// `error` (default) or `warn`.
    pub severity: Option<Spanned<Severity>>,
    /// SQL filter: count only these rows.
    #[schemars(rename = "where")]
    pub filter: Option<Spanned<String>>,
    /// Why this rule.
    pub description: Option<Spanned<String>>,
    /// Check name (default `row_count`).
    #[schemars(regex(pattern = CHECK_NAME_PATTERN), length(max = CHECK_NAME_MAX))]
    pub name: Option<Spanned<String>>,
    /// Count only the rows in the dataset's window (default: every row).
    pub window: Option<Spanned<bool>>,
}

/// A limit on the change of the row count between runs.
#[derive(Debug, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RowCountChange {
    #[schemars(skip)]
    pub span: Span,
    /// The largest change, up or down, relative to the previous good run's
    /// row count, e.g. `25%`.
    #[schemars(required, with = "Option<ChangeText>")]
    pub max: Option<Spanned<ChangeLimit>>,
}

/// A percent of zero or more, e.g. `25%`.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct ChangeText(#[schemars(regex(pattern = ChangeLimit::PATTERN))] String);

/// A column: its type and its rules.
#[derive(Debug, Default, JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Column {
    #[schemars(skip)]
    pub span: Span,
    /// Column name, exactly as in the warehouse (any characters; always quoted in SQL).
    #[schemars(required)]
    pub name: Option<Spanned<String>>,
    /// Logical type: string, integer, bigint, smallint, decimal(p,s), float, double, boolean, date, time, timestamp, timestamp_tz, json, binary, uuid, or the nested struct (with `fields`), array (with `items`) and map (with `keys` and `values`).
    #[schemars(required, rename = "type", with = "Option<TypeText>")]
    pub ty: Option<Spanned<LogicalType>>,
    /// What the column means.
    pub description: Option<Spanned<String>>,
    /// Physical type per dialect, overriding the one mapped from the logical type.
    #[schemars(with = "Option<PhysicalTypes>")]
    pub physical_type: Option<Vec<(Spanned<Dialect>, Spanned<String>)>>,
    /// Personal data.
    pub pii: Option<Spanned<bool>>,
    /// Free-form labels.
    pub tags: Option<Vec<Spanned<String>>>,
    /// The column's name in the previous version, when this release renames
    /// it: `datapact diff` then compares the two as one column (a breaking
    /// rename) instead of reporting a removal and an addition.
    #[schemars(length(min = 1))]
    pub renamed_from: Option<Spanned<String>>,
    /// Must not be null.
    #[schemars(with = "Option<BoolRule>")]
    pub required: Option<Rule<bool>>,
    /// No non-null value occurs twice.
    #[schemars(with = "Option<BoolRule>")]
    pub unique: Option<Rule<bool>>,
    /// Every non-null value is one of these.
    #[schemars(with = "Option<ValuesRule>")]
    pub accepted_values: Option<Rule<Vec<Spanned<Scalar>>>>,
    /// Every non-null value is at least this (inclusive).
    #[schemars(with = "Option<LiteralRule>")]
    pub min: Option<Rule<Scalar>>,
    /// Every non-null value is at most this (inclusive).
    #[schemars(with = "Option<LiteralRule>")]
    pub max: Option<Rule<Scalar>>,
    /// Every non-null value fully matches this regular expression.
    #[schemars(with = "Option<PatternRule>")]
    pub pattern: Option<Rule<String>>,
    /// Every non-null value's length is within these bounds: characters for a string, elements for an array or a map.
    #[schemars(with = "Option<LengthRuleSchema>")]
    pub length: Option<LengthRule>,
    /// No value occurs twice in an array (NULL elements aside).
    #[schemars(with = "Option<BoolRule>")]
    pub unique_items: Option<Rule<bool>>,
    /// Every non-null value exists in another contract's column: `<contract>.<column>`.
    #[schemars(with = "Option<ReferenceRule>")]
    pub references: Option<Rule<ColumnRef>>,
    /// The share of NULLs may rise by at most `max_increase` percentage
    /// points from the previous good run kept in the results store, e.g.
    /// `{max_increase: 5%}`: a rule over time, judged by `datapact run --store`.
    #[schemars(with = "Option<NullRateRuleSchema>")]
    pub null_rate: Option<NullRateRule>,
    /// The fields of a `struct` column, each a column with its own type and
    /// rules. A field of a NULL struct is absent: its rules do not apply.
    #[schemars(with = "Option<Vec<Column>>", length(min = 1))]
    pub fields: Option<Nested<Vec<Column>>>,
    /// The elements of an `array` column: a type, or a column without a
    /// name whose rules every element must keep.
    #[schemars(with = "Option<ElementSchema>")]
    pub items: Option<Nested<Box<Column>>>,
    /// The keys of a `map` column: a type, or a column without a name whose
    /// rules every key must keep.
    #[schemars(with = "Option<ElementSchema>")]
    pub keys: Option<Nested<Box<Column>>>,
    /// The values of a `map` column: a type, or a column without a name
    /// whose rules every value must keep.
    #[schemars(with = "Option<ElementSchema>")]
    pub values: Option<Nested<Box<Column>>>,
}

/// What a nested type holds (`fields`, `items`, `keys`, `values`), with the
/// span of its key.
#[derive(Debug)]
pub struct Nested<T> {
    pub key: Span,
    pub value: T,
}

/// The parts of a column that hold other columns: struct fields, array
/// items, map keys and values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Field,
    Items,
    Keys,
    Values,
}

impl Part {
    /// The key the part is written under.
    pub fn key(self) -> &'static str {
        match self {
            Part::Field => "fields",
            Part::Items => "items",
            Part::Keys => "keys",
            Part::Values => "values",
        }
    }
}

impl Column {
    /// The `index`th field, or the items, keys or values.
    pub fn child_mut(&mut self, part: Part, index: usize) -> Option<&mut Column> {
        match part {
            Part::Field => self.fields.as_mut()?.value.get_mut(index),
            Part::Items => self.items.as_mut().map(|n| &mut *n.value),
            Part::Keys => self.keys.as_mut().map(|n| &mut *n.value),
            Part::Values => self.values.as_mut().map(|n| &mut *n.value),
        }
    }

    /// The columns inside this one, each with the part it is: fields in
    /// order, then items, keys, values.
    pub fn children(&self) -> Vec<(Part, &Column)> {
        let mut out: Vec<(Part, &Column)> = Vec::new();
        for field in self.fields.iter().flat_map(|f| f.value.iter()) {
            out.push((Part::Field, field));
        }
        for (part, child) in [
            (Part::Items, &self.items),
            (Part::Keys, &self.keys),
            (Part::Values, &self.values),
        ] {
            if let Some(child) = child {
                out.push((part, &child.value));
            }
        }
        out
    }
}

#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct TypeText(
    #[schemars(regex(
        pattern = r"^(string|integer|bigint|smallint|float|double|boolean|date|time|timestamp|timestamp_tz|json|binary|uuid|struct|array|map|decimal\(\s*[0-9]+\s*(,\s*[0-9]+\s*)?\))$"
    ))]
    String,
);

/// `<contract id>.<column>`, split at the last dot.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnRef {
    pub contract: String,
    pub column: String,
}

/// The options every rule's long form takes.
#[derive(Debug, Default, Clone)]
pub struct RuleOptions {
    pub severity: Option<Spanned<Severity>>,
    pub filter: Option<Spanned<String>>,
    pub tolerance: Option<Spanned<Tolerance>>,
    pub description: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    /// Whether the rule sees only the dataset's window; `None`: its
    /// kind's default.
    pub window: Option<Spanned<bool>>,
}

/// A column rule in short form (`min: 0`) or long form (`min: {value: 0, severity: warn}`).
#[derive(Debug)]
pub struct Rule<T> {
    /// The rule's key, e.g. `min`.
    pub key: Span,
    pub value: Option<Spanned<T>>,
    pub options: RuleOptions,
}

#[derive(Debug)]
pub struct NullRateRule {
    pub key: Span,
    pub max_increase: Option<Spanned<ChangeLimit>>,
    pub options: RuleOptions,
}

#[derive(Debug)]
pub struct LengthRule {
    pub key: Span,
    pub min: Option<Spanned<u64>>,
    pub max: Option<Spanned<u64>>,
    pub options: RuleOptions,
}

/// A table-level rule.
#[derive(Debug)]
pub struct TableCheck {
    pub span: Span,
    pub name: Option<Spanned<String>>,
    pub body: Option<CheckBody>,
    pub options: RuleOptions,
}

#[derive(Debug)]
pub enum CheckBody {
    /// Each row satisfies this SQL boolean expression.
    Expression(Spanned<String>),
    /// The combination of these columns is unique.
    Unique(Spanned<Vec<Spanned<String>>>),
    /// A query returning the failing rows.
    Sql(Spanned<String>),
}

// ---------------------------------------------------------------------------
// JSON Schema for the parts whose YAML shape is not a plain struct.

const RULE_OPTION_KEYS: [&str; 6] = [
    "severity",
    "where",
    "tolerance",
    "description",
    "name",
    "window",
];

fn option_properties() -> serde_json::Map<String, serde_json::Value> {
    let schema = serde_json::json!({
        "severity": {"description": "`error` (default) or `warn`.", "enum": ["error", "warn"]},
        "where": {"description": "SQL filter: the rule sees only rows where this is true.", "type": "string"},
        "tolerance": {
            "description": "Failing rows allowed before the rule fails: a count (`5`) or a percent of the rows the rule sees (`\"0.5%\"`). Within tolerance the rule warns.",
            "anyOf": [{"type": "integer", "minimum": 0}, {"type": "string", "pattern": Tolerance::PATTERN}]
        },
        "description": {"description": "Why this rule exists.", "type": "string"},
        "name": {"description": "Check name overriding the derived `<column>__<rule>`.", "type": "string", "pattern": CHECK_NAME_PATTERN, "maxLength": CHECK_NAME_MAX},
        "window": {"description": "With a dataset window: whether the rule sees only the rows in it (default: yes for rules on each row, no for uniqueness, references and the row count).", "type": "boolean"}
    });
    match schema {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    }
}

fn rule_schema(short: serde_json::Value, long_key: &str) -> Schema {
    let mut properties = option_properties();
    properties.insert(long_key.to_string(), short.clone());
    json_schema!({
        "anyOf": [
            short,
            {"type": "object", "properties": properties, "required": [long_key], "additionalProperties": false}
        ]
    })
}

fn literal_json() -> serde_json::Value {
    serde_json::json!({"type": ["string", "number", "boolean"]})
}

fn bool_rule(_: &mut SchemaGenerator) -> Schema {
    rule_schema(serde_json::json!({"type": "boolean"}), "value")
}

fn literal_rule(_: &mut SchemaGenerator) -> Schema {
    rule_schema(literal_json(), "value")
}

fn values_rule(_: &mut SchemaGenerator) -> Schema {
    rule_schema(
        serde_json::json!({"type": "array", "items": literal_json(), "minItems": 1}),
        "values",
    )
}

fn pattern_rule(_: &mut SchemaGenerator) -> Schema {
    rule_schema(
        serde_json::json!({"type": "string", "minLength": 1}),
        "value",
    )
}

fn reference_rule(_: &mut SchemaGenerator) -> Schema {
    rule_schema(
        serde_json::json!({"type": "string", "pattern": r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\..+$"}),
        "value",
    )
}

fn length_rule(_: &mut SchemaGenerator) -> Schema {
    let mut properties = option_properties();
    properties.insert(
        "min".into(),
        serde_json::json!({"type": "integer", "minimum": 0}),
    );
    properties.insert(
        "max".into(),
        serde_json::json!({"type": "integer", "minimum": 0}),
    );
    json_schema!({
        "type": "object",
        "properties": properties,
        "anyOf": [{"required": ["min"]}, {"required": ["max"]}],
        "additionalProperties": false
    })
}

fn null_rate_rule(_: &mut SchemaGenerator) -> Schema {
    let mut properties = option_properties();
    properties.remove("tolerance");
    properties.insert(
        "max_increase".into(),
        serde_json::json!({
            "type": "string",
            "pattern": r"^(100(\.0{1,6})?|[1-9]?[0-9](\.[0-9]{1,6})?)%$",
            "description": "The largest rise of the share of NULLs, in percentage points, e.g. `5%`."
        }),
    );
    json_schema!({
        "type": "object",
        "properties": properties,
        "required": ["max_increase"],
        "additionalProperties": false
    })
}

/// An array's items, a map's keys or values: a type, or a column's
/// mapping without `name` and `renamed_from`.
fn element_schema(generator: &mut SchemaGenerator) -> Schema {
    let mut column = Column::json_schema(generator);
    if let Some(o) = column.as_object_mut() {
        o.remove("title");
        o.remove("description");
        if let Some(serde_json::Value::Object(p)) = o.get_mut("properties") {
            p.remove("name");
            p.remove("renamed_from");
        }
        if let Some(serde_json::Value::Array(r)) = o.get_mut("required") {
            r.retain(|k| k != "name");
        }
    }
    let ty = generator.subschema_for::<TypeText>();
    json_schema!({"anyOf": [ty, column]})
}

fn physical_type_schema(_: &mut SchemaGenerator) -> Schema {
    let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
    json_schema!({
        "type": "object",
        "propertyNames": {"enum": names},
        "additionalProperties": {"type": "string", "minLength": 1}
    })
}

impl JsonSchema for TableCheck {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TableCheck".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let variant = |key: &str, schema: serde_json::Value, description: &str| {
            let mut properties = option_properties();
            properties.insert(
                "name".into(),
                serde_json::json!({"type": "string", "pattern": CHECK_NAME_PATTERN, "maxLength": CHECK_NAME_MAX}),
            );
            if key == "sql" {
                properties.remove("where");
            }
            let mut schema = schema;
            if let serde_json::Value::Object(o) = &mut schema {
                o.insert("description".into(), description.into());
            }
            properties.insert(key.into(), schema);
            serde_json::json!({
                "type": "object",
                "properties": properties,
                "required": ["name", key],
                "additionalProperties": false
            })
        };
        json_schema!({
            "description": "A table-level rule: exactly one of `expression`, `unique` or `sql`.",
            "oneOf": [
                variant("expression", serde_json::json!({"type": "string", "minLength": 1}),
                    "SQL boolean every row must satisfy (NULL passes)."),
                variant("unique", serde_json::json!({"type": "array", "items": {"type": "string"}, "minItems": 2}),
                    "Columns whose combination is unique."),
                variant("sql", serde_json::json!({"type": "string", "minLength": 1}),
                    "A query returning failing rows; `{{ table }}` is the dataset."),
            ]
        })
    }
}

/// Names the schemas above, so they can be used as `with = "Option<…>"`
/// (an `Option` field is not required; a `schema_with` one would be).
macro_rules! schema_types {
    ($($name:ident => $function:ident,)*) => {$(
        struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(generator: &mut SchemaGenerator) -> Schema {
                $function(generator)
            }
        }
    )*};
}

/// `dataset.dbt`: a binding, or `false`.
fn dbt_field(generator: &mut SchemaGenerator) -> Schema {
    let binding = generator.subschema_for::<DbtBinding>();
    json_schema!({
        "anyOf": [
            binding,
            {"const": false, "description": "Not part of the dbt project: the dbt target writes nothing for it."},
        ]
    })
}

schema_types! {
    DbtField => dbt_field,
    ElementSchema => element_schema,
    BoolRule => bool_rule,
    ValuesRule => values_rule,
    LiteralRule => literal_rule,
    PatternRule => pattern_rule,
    LengthRuleSchema => length_rule,
    NullRateRuleSchema => null_rate_rule,
    ReferenceRule => reference_rule,
    PhysicalTypes => physical_type_schema,
}

// ---------------------------------------------------------------------------
// Decoding.

/// Every key the language defines, at any level (for tests and tooling).
pub fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&str> = [
        CONTRACT_KEYS,
        OWNER_KEYS,
        DATASET_KEYS,
        WINDOW_KEYS,
        DBT_KEYS,
        FRESHNESS_KEYS,
        ROW_COUNT_KEYS,
        &COLUMN_KEYS,
        CHECK_KEYS,
        &RULE_OPTION_KEYS,
        &["value", "values"],
    ]
    .concat();
    keys.sort_unstable();
    keys.dedup();
    keys
}

const CONTRACT_KEYS: &[&str] = &[
    "contract",
    "version",
    "title",
    "description",
    "owners",
    "dataset",
    "freshness",
    "row_count",
    "slo",
    "columns",
    "checks",
    "tags",
    "renamed_from",
];
const OWNER_KEYS: &[&str] = &["name", "email", "role"];
const DATASET_KEYS: &[&str] = &[
    "database",
    "schema",
    "name",
    "dbt",
    "path",
    "conformance",
    "window",
];
const WINDOW_KEYS: &[&str] = &["column", "last"];
const DBT_KEYS: &[&str] = &["model", "source", "seed", "snapshot"];
const FRESHNESS_KEYS: &[&str] = &[
    "column",
    "warn_after",
    "error_after",
    "where",
    "description",
];
const SLO_KEYS: &[&str] = &["window", "freshness", "quality"];
const ROW_COUNT_KEYS: &[&str] = &[
    "min",
    "max",
    "change",
    "severity",
    "where",
    "description",
    "name",
    "window",
];
/// A column's own keys; its rules' keys follow ([`COLUMN_RULE_KEYS`]).
const COLUMN_FIELD_KEYS: &[&str] = &[
    "name",
    "type",
    "description",
    "physical_type",
    "pii",
    "tags",
    "renamed_from",
    "fields",
    "items",
    "keys",
    "values",
];
static COLUMN_KEYS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| [COLUMN_FIELD_KEYS, &COLUMN_RULE_KEYS].concat());
/// The keys of an array's items or a map's keys or values: a column's,
/// without a name.
static ELEMENT_KEYS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    COLUMN_KEYS
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "name" | "renamed_from"))
        .collect()
});
const CHECK_KEYS: &[&str] = &[
    "name",
    "expression",
    "unique",
    "sql",
    "severity",
    "where",
    "tolerance",
    "description",
    "window",
];

impl Contract {
    /// Decode a whole contract document. Never fails: problems become diagnostics.
    pub fn decode(cx: &mut Cx, file: FileId, node: &Node) -> Option<Contract> {
        let NodeKind::Map(_) = node.kind else {
            cx.push(
                Diagnostic::error(
                    Code::WrongType,
                    format!("a contract is a mapping, found {}", node.describe()),
                )
                .with_label(node.span, "expected `contract:`, `version:`, `dataset:`, …"),
            );
            return None;
        };
        let map = cx.map(node, "a contract", CONTRACT_KEYS)?;
        let mut contract = Contract {
            file,
            format: crate::types::Format::Native,
            span: node.span,
            contract: None,
            version: None,
            title: None,
            description: None,
            owners: None,
            dataset: None,
            freshness: None,
            row_count: None,
            slo: None,
            columns: None,
            checks: None,
            tags: None,
            renamed_from: None,
            owners_key: map.key_span("owners"),
        };
        contract.contract = map
            .required(cx, "contract", "the contract")
            .and_then(|n| contract_id(cx, n));
        contract.version = map
            .required(cx, "version", "the contract")
            .and_then(|n| version(cx, n));
        contract.title = map.get("title").and_then(|n| cx.string(n));
        contract.description = map.get("description").and_then(|n| cx.string(n));
        contract.owners = map
            .get("owners")
            .and_then(|n| cx.list(n, "owners"))
            .map(|items| items.iter().filter_map(|n| Owner::decode(cx, n)).collect());
        contract.dataset = map
            .required(cx, "dataset", "the contract")
            .and_then(|n| Dataset::decode(cx, n));
        contract.freshness = map
            .get("freshness")
            .and_then(|n| Freshness::decode(cx, n, map.key_span("freshness").unwrap_or(n.span)));
        contract.row_count = map
            .get("row_count")
            .and_then(|n| RowCount::decode(cx, n, map.key_span("row_count").unwrap_or(n.span)));
        contract.slo = map
            .get("slo")
            .and_then(|n| Slo::decode(cx, n, map.key_span("slo").unwrap_or(n.span)));
        contract.columns = map
            .get("columns")
            .and_then(|n| cx.list(n, "columns"))
            .map(|items| items.iter().filter_map(|n| Column::decode(cx, n)).collect());
        contract.checks = map
            .get("checks")
            .and_then(|n| cx.list(n, "checks"))
            .map(|items| {
                items
                    .iter()
                    .filter_map(|n| TableCheck::decode(cx, n))
                    .collect()
            });
        contract.tags = map.get("tags").and_then(|n| cx.strings(n, "tags"));
        contract.renamed_from = map.get("renamed_from").and_then(|n| contract_id(cx, n));
        Some(contract)
    }
}

fn contract_id(cx: &mut Cx, node: &Node) -> Option<Spanned<String>> {
    let id = cx.text(node)?;
    if let Some(d) = contract_id_error(&id) {
        cx.push(d);
        return None;
    }
    Some(id)
}

/// The `invalid-contract-id` error of an id, if it is not one.
pub fn contract_id_error(id: &Spanned<String>) -> Option<Diagnostic> {
    let why = contract_id_problem(id)?;
    let shown = crate::text::escape_line(id);
    let help = if why == RESERVED_ON_WINDOWS {
        format!(
            "`{}` names a device on Windows, so its files could not be checked out there; choose another first segment",
            id.split('.').next().unwrap_or_default()
        )
    } else {
        format!(
            "use lowercase letters, digits and `_`, segments separated by dots, e.g. `{}`",
            suggest_contract_id(id)
        )
    };
    Some(
        Diagnostic::error(
            Code::InvalidContractId,
            format!("invalid contract id `{shown}`"),
        )
        .with_label(id.span, why)
        .with_help(help),
    )
}

const RESERVED_ON_WINDOWS: &str = "a name Windows reserves for a device";

/// Names Windows reserves for devices, alone or before any extension
/// (`nul`, `nul.txt`): files of these names cannot exist on Windows.
fn reserved_on_windows(base: &str) -> bool {
    const DEVICES: [&str; 4] = ["con", "prn", "aux", "nul"];
    let numbered = ["com", "lpt"].iter().any(|prefix| {
        base.strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && n.bytes().all(|b| b.is_ascii_digit()))
    });
    DEVICES.contains(&base) || numbered
}

/// Why `id` is not a contract id: dotted lowercase identifiers, the first
/// not a Windows device name (it starts every file name of the contract).
fn contract_id_problem(id: &str) -> Option<&'static str> {
    let plain = id.len() <= CONTRACT_ID_MAX
        && !id.is_empty()
        && id.split('.').all(|segment| {
            segment.starts_with(|c: char| c.is_ascii_lowercase())
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if !plain {
        return Some("not dotted lowercase identifiers");
    }
    reserved_on_windows(id.split('.').next().unwrap_or_default()).then_some(RESERVED_ON_WINDOWS)
}

pub fn is_contract_id(id: &str) -> bool {
    contract_id_problem(id).is_none()
}

fn suggest_contract_id(id: &str) -> String {
    let segments: Vec<String> = id
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| crate::names::identifier(s, "c"))
        .collect();
    if segments.is_empty() {
        "shop.orders".into()
    } else {
        segments.join(".")
    }
}

pub(crate) fn version(cx: &mut Cx, node: &Node) -> Option<Spanned<semver::Version>> {
    // `version: 1.4` is a YAML number; still a version mistake, not a type mistake.
    let text = match &node.kind {
        NodeKind::Scalar(Scalar::String(s) | Scalar::Number(s)) => s.clone(),
        _ => {
            cx.wrong_type(node, "a version string such as `1.4.0`");
            return None;
        }
    };
    match semver::Version::parse(&text) {
        Ok(v) => Some(Spanned::new(v, node.span)),
        Err(err) => {
            let mut d = Diagnostic::error(
                Code::InvalidVersion,
                format!("`{text}` is not a semantic version: {err}"),
            )
            .with_label(node.span, "expected MAJOR.MINOR.PATCH");
            let fixed = text.trim_start_matches(['v', 'V']);
            let fixed = match fixed.split('.').count() {
                1 => format!("{fixed}.0.0"),
                2 => format!("{fixed}.0"),
                _ => fixed.to_string(),
            };
            if semver::Version::parse(&fixed).is_ok() {
                d = d.with_help(format!("write `{fixed}`"));
            } else {
                d = d.with_help("write three numbers, e.g. `1.4.0`");
            }
            cx.push(d);
            None
        }
    }
}

impl Owner {
    fn decode(cx: &mut Cx, node: &Node) -> Option<Owner> {
        let map = cx.map(node, "an owner", OWNER_KEYS)?;
        let email = map.get("email").and_then(|n| cx.text(n));
        let email = email.filter(|e| {
            let ok = crate::text::is_email(e);
            if !ok {
                cx.push(
                    Diagnostic::error(
                        Code::InvalidEmail,
                        format!("`{}` is not an email address", e.value),
                    )
                    .with_label(e.span, "expected `name@domain`"),
                );
            }
            ok
        });
        Some(Owner {
            span: node.span,
            name: map
                .required(cx, "name", "an owner")
                .and_then(|n| cx.text(n)),
            email,
            role: map
                .get("role")
                .and_then(|n| cx.choice(n, "role", Role::CHOICES)),
        })
    }
}

impl Dataset {
    fn decode(cx: &mut Cx, node: &Node) -> Option<Dataset> {
        let map = cx.map(node, "the dataset", DATASET_KEYS)?;
        let dataset = Dataset {
            span: node.span,
            database: map.get("database").and_then(|n| cx.text(n)),
            schema: map.get("schema").and_then(|n| cx.text(n)),
            name: map
                .required(cx, "name", "the dataset")
                .and_then(|n| cx.text(n)),
            dbt: map.get("dbt").and_then(|n| DbtBinding::decode(cx, n)),
            path: map.get("path").and_then(|n| cx.text(n)),
            conformance: map
                .get("conformance")
                .and_then(|n| cx.choice(n, "conformance", Conformance::CHOICES)),
            window: map
                .get("window")
                .and_then(|n| Window::decode(cx, n, map.key_span("window").unwrap_or(n.span))),
        };
        if let (Some(database), None) = (&dataset.database, map.get("schema")) {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    "a dataset with a `database` needs a `schema`",
                )
                .with_label(database.span, "database given without schema")
                .with_help("add `schema: …`, or drop `database` to use the connection's default"),
            );
        }
        Some(dataset)
    }
}

impl Window {
    /// `{column, last}`, both required; `key`: where the window is named.
    pub(crate) fn decode(cx: &mut Cx, node: &Node, key: Span) -> Option<Window> {
        let window = cx.map(node, "the window", WINDOW_KEYS)?;
        Some(Window {
            span: node.span,
            key,
            column: window
                .required(cx, "column", "the window")
                .and_then(|n| cx.text(n)),
            last: window
                .required(cx, "last", "the window")
                .and_then(|n| duration(cx, n)),
        })
    }
}

impl DbtBinding {
    fn decode(cx: &mut Cx, node: &Node) -> Option<DbtBinding> {
        match node.kind {
            NodeKind::Scalar(Scalar::Bool(false)) => {
                return Some(DbtBinding {
                    span: node.span,
                    off: true,
                    ..DbtBinding::default()
                });
            }
            NodeKind::Scalar(Scalar::Bool(true)) => {
                cx.push(
                    Diagnostic::error(Code::WrongType, "`dbt: true` does not say which dbt node")
                        .with_label(node.span, "a binding names its node")
                        .with_help(
                            "write `dbt: {model: <model name>}` (or `source`, `seed`, `snapshot`), or `dbt: false` when the dataset is not part of the dbt project",
                        ),
                );
                return None;
            }
            _ => {}
        }
        let map = cx.map(node, "the dbt binding", DBT_KEYS)?;
        let mut binding = DbtBinding {
            span: node.span,
            ..DbtBinding::default()
        };
        for kind in DbtKind::ALL {
            let name = map.get(kind.key()).and_then(|n| cx.text(n));
            match kind {
                DbtKind::Model => binding.model = name,
                DbtKind::Source => binding.source = name,
                DbtKind::Seed => binding.seed = name,
                DbtKind::Snapshot => binding.snapshot = name,
            }
        }
        let written: Vec<Span> = DbtKind::ALL
            .iter()
            .filter_map(|kind| map.key_span(kind.key()))
            .collect();
        match written.as_slice() {
            [] => cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    "`dbt` needs `model`, `source`, `seed` or `snapshot`",
                )
                .with_label(node.span, "empty binding")
                .with_help(
                    "write `dbt: {model: <model name>}`, `dbt: {source: <source name>}`, `dbt: {seed: <seed name>}` or `dbt: {snapshot: <snapshot name>}`",
                ),
            ),
            [_] => {}
            [first, second, ..] => cx.push(
                Diagnostic::error(
                    Code::ConflictingKeys,
                    "`dbt` binds one node: a `model`, `source`, `seed` or `snapshot`",
                )
                .with_label(*second, "second binding")
                .with_secondary(*first, "first binding")
                .with_help("a dataset is one dbt node; keep the one that builds or declares it"),
            ),
        }
        Some(binding)
    }
}

fn duration(cx: &mut Cx, node: &Node) -> Option<Spanned<Duration>> {
    let text = match &node.kind {
        NodeKind::Scalar(Scalar::String(s) | Scalar::Number(s)) => s.clone(),
        _ => {
            cx.wrong_type(node, "a duration such as `2h`");
            return None;
        }
    };
    match Duration::parse(&text) {
        Ok(d) => Some(Spanned::new(d, node.span)),
        Err(why) => {
            cx.push(
                Diagnostic::error(Code::InvalidDuration, format!("invalid duration `{text}`"))
                    .with_label(
                        node.span,
                        if why.contains("too long") {
                            "longer than 100 years"
                        } else {
                            "not a duration"
                        },
                    )
                    .with_help(why),
            );
            None
        }
    }
}

fn objective(cx: &mut Cx, node: &Node) -> Option<Spanned<Objective>> {
    let result = match &node.kind {
        NodeKind::Scalar(Scalar::String(s)) => Objective::parse(s),
        NodeKind::Scalar(Scalar::Number(n)) => {
            Err(format!("write the objective as a percent: `{n}%`"))
        }
        _ => {
            cx.wrong_type(node, "a percent such as `99.5%`");
            return None;
        }
    };
    match result {
        Ok(o) => Some(Spanned::new(o, node.span)),
        Err(why) => {
            cx.push(
                Diagnostic::error(Code::InvalidObjective, "invalid objective")
                    .with_label(node.span, "not a percent above 0% and below 100%")
                    .with_help(why),
            );
            None
        }
    }
}

impl Slo {
    pub(crate) fn decode(cx: &mut Cx, node: &Node, key: Span) -> Option<Slo> {
        let map = cx.map(node, "slo", SLO_KEYS)?;
        Some(Slo {
            span: node.span,
            key,
            window: map.get("window").and_then(|n| duration(cx, n)),
            freshness: map.get("freshness").and_then(|n| objective(cx, n)),
            quality: map.get("quality").and_then(|n| objective(cx, n)),
        })
    }
}

/// `tolerance` on a rule judged as a whole, with `help`: how to make it
/// only warn. The rule's map is read with `tolerance` refused
/// ([`Cx::map_refusing`]), so the key is reported here alone.
fn tolerance_not_allowed(cx: &mut Cx, map: &Map<'_>, what: &str, help: &str) {
    if let Some(span) = map.key_span("tolerance") {
        cx.push(
            Diagnostic::error(
                Code::ToleranceNotAllowed,
                format!("`tolerance` does not apply to {what}"),
            )
            .with_label(span, "not allowed here")
            .with_help(format!("{what} passes or fails as a whole; {help}")),
        );
    }
}

/// Keys read only to be refused with a reason ([`tolerance_not_allowed`]).
const REFUSED_TOLERANCE: &[&str] = &["tolerance"];

impl Freshness {
    pub(crate) fn decode(cx: &mut Cx, node: &Node, key: Span) -> Option<Freshness> {
        let map = cx.map_refusing(node, "freshness", FRESHNESS_KEYS, REFUSED_TOLERANCE)?;
        tolerance_not_allowed(
            cx,
            &map,
            "freshness",
            "to only warn, give `warn_after` without `error_after`",
        );
        let freshness = Freshness {
            span: node.span,
            key,
            column: map
                .required(cx, "column", "freshness")
                .and_then(|n| cx.text(n)),
            warn_after: map.get("warn_after").and_then(|n| duration(cx, n)),
            error_after: map.get("error_after").and_then(|n| duration(cx, n)),
            filter: map.get("where").and_then(|n| cx.text(n)),
            description: map.get("description").and_then(|n| cx.string(n)),
        };
        if !map.has("warn_after") && !map.has("error_after") {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    "freshness needs `warn_after`, `error_after` or both",
                )
                .with_label(key, "no threshold given")
                .with_help("add e.g. `error_after: 6h`"),
            );
        }
        Some(freshness)
    }
}

impl RowCount {
    pub(crate) fn decode(cx: &mut Cx, node: &Node, key: Span) -> Option<RowCount> {
        let map = cx.map_refusing(node, "row_count", ROW_COUNT_KEYS, REFUSED_TOLERANCE)?;
        tolerance_not_allowed(cx, &map, "row_count", "use `severity: warn` to only warn");
        let row_count = RowCount {
            span: node.span,
            key,
            min: map.get("min").and_then(|n| cx.count(n)),
            max: map.get("max").and_then(|n| cx.count(n)),
            change: map
                .get("change")
                .and_then(|n| RowCountChange::decode(cx, n)),
            severity: map
                .get("severity")
                .and_then(|n| cx.choice(n, "severity", Severity::CHOICES)),
            filter: map.get("where").and_then(|n| cx.text(n)),
            description: map.get("description").and_then(|n| cx.string(n)),
            name: map.get("name").and_then(|n| check_name(cx, n)),
            window: map.get("window").and_then(|n| cx.bool(n)),
        };
        if !map.has("min") && !map.has("max") && !map.has("change") {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    "row_count needs `min`, `max`, `change` or several",
                )
                .with_label(key, "no bound given")
                .with_help("write e.g. `row_count: {min: 1}`"),
            );
        }
        Some(row_count)
    }
}

impl RowCountChange {
    fn decode(cx: &mut Cx, node: &Node) -> Option<RowCountChange> {
        let map = cx.map(node, "row_count change", &["max"])?;
        let max = map
            .required(cx, "max", "row_count change")
            .and_then(|n| change_limit(cx, n));
        Some(RowCountChange {
            span: node.span,
            max,
        })
    }
}

fn change_limit(cx: &mut Cx, node: &Node) -> Option<Spanned<ChangeLimit>> {
    let result = match &node.kind {
        NodeKind::Scalar(Scalar::String(s)) => ChangeLimit::parse(s),
        NodeKind::Scalar(Scalar::Number(n)) => Err(format!("write the limit as a percent: `{n}%`")),
        _ => {
            cx.wrong_type(node, "a percent such as `25%`");
            return None;
        }
    };
    match result {
        Ok(limit) => Some(Spanned::new(limit, node.span)),
        Err(why) => {
            cx.push(
                Diagnostic::error(Code::InvalidValue, "invalid change limit")
                    .with_label(node.span, "not a percent")
                    .with_help(why),
            );
            None
        }
    }
}

impl Column {
    fn decode(cx: &mut Cx, node: &Node) -> Option<Column> {
        let map = cx.map(node, "a column", &COLUMN_KEYS)?;
        let name = map
            .required(cx, "name", "a column")
            .and_then(|n| cx.text(n));
        let ty = map
            .required(cx, "type", "a column")
            .and_then(|n| logical_type(cx, n));
        Some(Column::decode_map(cx, node, &map, name, ty))
    }

    /// An array's items or a map's keys or values: a type alone
    /// (`items: string`), or a column without a name.
    fn decode_element(cx: &mut Cx, node: &Node, what: &str) -> Option<Column> {
        if let NodeKind::Scalar(_) = node.kind {
            return Some(Column {
                span: node.span,
                ty: logical_type(cx, node),
                ..Column::default()
            });
        }
        let map = cx.map(node, what, &ELEMENT_KEYS)?;
        let ty = map
            .required(cx, "type", what)
            .and_then(|n| logical_type(cx, n));
        Some(Column::decode_map(cx, node, &map, None, ty))
    }

    /// Column rules alone (`{pattern: …}`), as written inside a foreign
    /// file: a column with no name or type, holding the rules.
    pub(crate) fn decode_rules(cx: &mut Cx, node: &Node) -> Option<Column> {
        let map = cx.map(node, "column rules", &COLUMN_RULE_KEYS)?;
        Some(Column::decode_map(cx, node, &map, None, None))
    }

    fn decode_map(
        cx: &mut Cx,
        node: &Node,
        map: &Map<'_>,
        name: Option<Spanned<String>>,
        ty: Option<Spanned<LogicalType>>,
    ) -> Column {
        let mut column = Column {
            span: node.span,
            name,
            ty,
            description: map.get("description").and_then(|n| cx.string(n)),
            physical_type: map.get("physical_type").and_then(|n| physical_types(cx, n)),
            pii: map.get("pii").and_then(|n| cx.bool(n)),
            tags: map.get("tags").and_then(|n| cx.strings(n, "tags")),
            renamed_from: map.get("renamed_from").and_then(|n| cx.text(n)),
            fields: map.get("fields").and_then(|n| {
                let NodeKind::Seq(items) = &n.kind else {
                    cx.wrong_type(n, "a list of fields, each a column");
                    return None;
                };
                Some(Nested {
                    key: map.key_span("fields").unwrap_or(n.span),
                    value: items.iter().filter_map(|f| Column::decode(cx, f)).collect(),
                })
            }),
            // The rules, read below.
            ..Column::default()
        };
        for (part, slot) in [
            (Part::Items, &mut column.items),
            (Part::Keys, &mut column.keys),
            (Part::Values, &mut column.values),
        ] {
            let Some(n) = map.get(part.key()) else {
                continue;
            };
            let what = match part {
                Part::Items => "the items of an array",
                Part::Keys => "the keys of a map",
                _ => "the values of a map",
            };
            *slot = Column::decode_element(cx, n, what).map(|c| Nested {
                key: map.key_span(part.key()).unwrap_or(n.span),
                value: Box::new(c),
            });
        }
        for &kind in ColumnRuleKind::ALL {
            let Some(n) = map.get(kind.key()) else {
                continue;
            };
            let key = map.key_span(kind.key()).unwrap_or(node.span);
            match kind {
                ColumnRuleKind::Required => {
                    column.required = Some(rule(cx, key, n, "value", |cx, n| cx.bool(n)));
                }
                ColumnRuleKind::Unique => {
                    column.unique = Some(rule(cx, key, n, "value", |cx, n| cx.bool(n)));
                }
                ColumnRuleKind::AcceptedValues => {
                    column.accepted_values = Some(rule(cx, key, n, "values", accepted_values));
                }
                ColumnRuleKind::Min => column.min = Some(rule(cx, key, n, "value", literal)),
                ColumnRuleKind::Max => column.max = Some(rule(cx, key, n, "value", literal)),
                ColumnRuleKind::Pattern => {
                    column.pattern = Some(rule(cx, key, n, "value", pattern));
                }
                ColumnRuleKind::Length => column.length = length(cx, key, n),
                ColumnRuleKind::UniqueItems => {
                    column.unique_items = Some(rule(cx, key, n, "value", |cx, n| cx.bool(n)));
                }
                ColumnRuleKind::References => {
                    column.references = Some(rule(cx, key, n, "value", reference));
                }
                ColumnRuleKind::NullRate => column.null_rate = null_rate(cx, key, n),
            }
        }
        column
    }
}

fn logical_type(cx: &mut Cx, node: &Node) -> Option<Spanned<LogicalType>> {
    let text = cx.text(node)?;
    match LogicalType::parse(&text) {
        Ok(ty) => Some(Spanned::new(ty, text.span)),
        Err(why) => {
            let word = text.split('(').next().unwrap_or("").trim().to_lowercase();
            let cut = text.contains('(') && !text.contains(')');
            let help = suggest::did_you_mean(&word, TYPE_NAMES, TYPE_SYNONYMS)
                .filter(|_| word != "decimal")
                .or_else(|| cut.then(|| decode::FLOW_COMMA.to_string()))
                .unwrap_or_else(|| format!("the types are: {}", TYPE_NAMES.join(", ")));
            cx.push(
                Diagnostic::error(Code::InvalidType, format!("invalid type `{}`", text.value))
                    .with_label(text.span, why)
                    .with_help(help),
            );
            None
        }
    }
}

fn physical_types(cx: &mut Cx, node: &Node) -> Option<Vec<(Spanned<Dialect>, Spanned<String>)>> {
    let NodeKind::Map(entries) = &node.kind else {
        cx.wrong_type(node, "a mapping of dialect to type");
        return None;
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let Some(name) = cx.string(key) else { continue };
        let Some(dialect) = Dialect::from_name(&name) else {
            let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
            let help = suggest::did_you_mean(&name, &names, Dialect::SYNONYMS)
                .unwrap_or_else(|| format!("the dialects are: {}", names.join(", ")));
            cx.push(
                Diagnostic::error(
                    Code::UnknownDialect,
                    format!("unknown dialect `{}`", name.value),
                )
                .with_label(key.span, "not a dialect datapact knows")
                .with_help(help),
            );
            continue;
        };
        let Some(ty) = cx.text(value) else { continue };
        out.push((Spanned::new(dialect, key.span), ty));
    }
    Some(out)
}

/// A character a physical type may hold: enough for every type name of the
/// dialects (`timestamp(6) with time zone`, `array<struct<a: int64>>`,
/// `nvarchar(max)`), nothing that ends a statement, quotes or comments.
/// A rule in short or long form. The long form is a mapping holding the value
/// under `long_key` plus the common options.
fn rule<T>(
    cx: &mut Cx,
    key: Span,
    node: &Node,
    long_key: &str,
    value: impl Fn(&mut Cx, &Node) -> Option<Spanned<T>>,
) -> Rule<T> {
    if !matches!(node.kind, NodeKind::Map(_)) {
        return Rule {
            key,
            value: value(cx, node),
            options: RuleOptions::default(),
        };
    }
    let mut keys = vec![long_key];
    keys.extend(RULE_OPTION_KEYS);
    let Some(map) = cx.map(node, "a rule", &keys) else {
        return Rule {
            key,
            value: None,
            options: RuleOptions::default(),
        };
    };
    Rule {
        key,
        value: map
            .required(cx, long_key, "the rule")
            .and_then(|n| value(cx, n)),
        options: rule_options(cx, &map),
    }
}

fn rule_options(cx: &mut Cx, map: &Map<'_>) -> RuleOptions {
    RuleOptions {
        severity: map
            .get("severity")
            .and_then(|n| cx.choice(n, "severity", Severity::CHOICES)),
        filter: map.get("where").and_then(|n| cx.text(n)),
        tolerance: map.get("tolerance").and_then(|n| tolerance(cx, n)),
        description: map.get("description").and_then(|n| cx.string(n)),
        name: map.get("name").and_then(|n| check_name(cx, n)),
        window: map.get("window").and_then(|n| cx.bool(n)),
    }
}

fn tolerance(cx: &mut Cx, node: &Node) -> Option<Spanned<Tolerance>> {
    let result = match &node.kind {
        NodeKind::Scalar(Scalar::Number(n)) => n
            .parse::<u64>()
            .map(Tolerance::Count)
            .map_err(|_| format!("`{n}` is not a whole number of rows; for a share of rows write a percent such as `\"{n}%\"`")),
        NodeKind::Scalar(Scalar::String(s)) => Tolerance::parse_percent(s),
        _ => Err("a tolerance is a count of rows (`5`) or a percent (`\"0.5%\"`)".to_string()),
    };
    match result {
        Ok(t) => Some(Spanned::new(t, node.span)),
        Err(why) => {
            cx.push(
                Diagnostic::error(Code::InvalidTolerance, "invalid tolerance")
                    .with_label(node.span, "not a count or percent")
                    .with_help(why),
            );
            None
        }
    }
}

pub(crate) fn check_name(cx: &mut Cx, node: &Node) -> Option<Spanned<String>> {
    let name = cx.text(node)?;
    if let Err(why) = validate_check_name(&name) {
        cx.push(
            Diagnostic::error(Code::InvalidCheckName, format!("invalid check name `{}`", name.value))
                .with_label(name.span, why)
                .with_help(format!(
                    "check names are lowercase identifiers of at most {CHECK_NAME_MAX} characters, e.g. `{}`",
                    suggest_check_name(&name)
                )),
        );
        return None;
    }
    Some(name)
}

pub fn validate_check_name(name: &str) -> Result<(), String> {
    if name.len() > CHECK_NAME_MAX {
        return Err(format!("longer than {CHECK_NAME_MAX} characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("must start with a lowercase letter".into());
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err("only lowercase letters, digits and `_` are allowed".into());
    }
    if reserved_on_windows(name) {
        // A check's failing-rows query is the file `<check>.sql`.
        return Err(format!(
            "`{name}` names a device on Windows, so its file could not be checked out there"
        ));
    }
    Ok(())
}

fn suggest_check_name(name: &str) -> String {
    let name = crate::names::identifier(name, "check");
    let name = name
        .chars()
        .take(CHECK_NAME_MAX)
        .collect::<String>()
        .trim_end_matches('_')
        .to_string();
    if reserved_on_windows(&name) {
        format!("{name}_check")
    } else {
        name
    }
}

fn literal(cx: &mut Cx, node: &Node) -> Option<Spanned<Scalar>> {
    match &node.kind {
        NodeKind::Scalar(Scalar::Null) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidLiteral,
                    "`null` is not a value a rule can compare with",
                )
                .with_label(node.span, "null")
                .with_help(
                    "NULLs pass every rule except `required`; to forbid them use `required: true`",
                ),
            );
            None
        }
        NodeKind::Scalar(s) => Some(Spanned::new(s.clone(), node.span)),
        _ => {
            cx.wrong_type(node, "a string, number or boolean");
            None
        }
    }
}

fn accepted_values(cx: &mut Cx, node: &Node) -> Option<Spanned<Vec<Spanned<Scalar>>>> {
    let items = cx.list(node, "accepted values")?;
    if items.is_empty() {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                "accepted_values must list at least one value",
            )
            .with_label(node.span, "empty list"),
        );
        return None;
    }
    let values: Vec<_> = items.iter().filter_map(|n| literal(cx, n)).collect();
    Some(Spanned::new(values, node.span))
}

fn pattern(cx: &mut Cx, node: &Node) -> Option<Spanned<String>> {
    let text = cx.text(node)?;
    if let Err(err) = regex::Regex::new(&text) {
        let detail = match &err {
            regex::Error::Syntax(s) => s
                .lines()
                .last()
                .unwrap_or(s)
                .trim_start_matches("error: ")
                .to_string(),
            other => other.to_string(),
        };
        cx.push(
            Diagnostic::error(Code::InvalidRegex, "invalid regular expression")
                .with_label(text.span, detail)
                .with_help(
                    "patterns use the RE2 syntax that every warehouse supports: no look-around, no backreferences",
                ),
        );
        return None;
    }
    Some(text)
}

fn null_rate(cx: &mut Cx, key: Span, node: &Node) -> Option<NullRateRule> {
    let mut keys = vec!["max_increase"];
    keys.extend(RULE_OPTION_KEYS.iter().filter(|k| **k != "tolerance"));
    let map = cx.map_refusing(node, "a null_rate rule", &keys, REFUSED_TOLERANCE)?;
    let max_increase = map
        .required(cx, "max_increase", "a null_rate rule")
        .and_then(|n| change_limit(cx, n))
        .filter(|limit| {
            let fits = limit.value.percent() <= 100.0;
            if !fits {
                cx.push(
                    Diagnostic::error(Code::InvalidValue, "invalid change limit")
                        .with_label(limit.span, "more than 100 percentage points")
                        .with_help(
                            "the share of NULLs is between 0% and 100%: write at most `100%`",
                        ),
                );
            }
            fits
        });
    // Not `tolerance`: the rule judges a share, not failing rows.
    tolerance_not_allowed(cx, &map, "null_rate", "use `severity: warn` to only warn");
    let options = RuleOptions {
        severity: map
            .get("severity")
            .and_then(|n| cx.choice(n, "severity", Severity::CHOICES)),
        filter: map.get("where").and_then(|n| cx.text(n)),
        tolerance: None,
        description: map.get("description").and_then(|n| cx.string(n)),
        name: map.get("name").and_then(|n| check_name(cx, n)),
        window: map.get("window").and_then(|n| cx.bool(n)),
    };
    Some(NullRateRule {
        key,
        max_increase,
        options,
    })
}

fn length(cx: &mut Cx, key: Span, node: &Node) -> Option<LengthRule> {
    let mut keys = vec!["min", "max"];
    keys.extend(RULE_OPTION_KEYS);
    let map = cx.map(node, "a length rule", &keys)?;
    let rule = LengthRule {
        key,
        min: map.get("min").and_then(|n| cx.count(n)),
        max: map.get("max").and_then(|n| cx.count(n)),
        options: rule_options(cx, &map),
    };
    if !map.has("min") && !map.has("max") {
        cx.push(
            Diagnostic::error(Code::MissingKey, "length needs `min`, `max` or both")
                .with_label(key, "no bound given")
                .with_help("write e.g. `length: {min: 1, max: 255}`"),
        );
    }
    Some(rule)
}

fn reference(cx: &mut Cx, node: &Node) -> Option<Spanned<ColumnRef>> {
    let text = cx.text(node)?;
    let parsed = text
        .rsplit_once('.')
        .filter(|(contract, column)| is_contract_id(contract) && !column.is_empty());
    match parsed {
        Some((contract, column)) => Some(Spanned::new(
            ColumnRef {
                contract: contract.to_string(),
                column: column.to_string(),
            },
            text.span,
        )),
        None => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidReference,
                    format!("invalid reference `{}`", text.value),
                )
                .with_label(text.span, "expected `<contract>.<column>`")
                .with_help(
                    "name the contract id and the column, e.g. `shop.customers.customer_id`",
                ),
            );
            None
        }
    }
}

impl TableCheck {
    pub(crate) fn decode(cx: &mut Cx, node: &Node) -> Option<TableCheck> {
        let map = cx.map(node, "a check", CHECK_KEYS)?;
        map.required(cx, "name", "a check");
        let options = rule_options(cx, &map);
        let bodies: Vec<&str> = ["expression", "unique", "sql"]
            .into_iter()
            .filter(|k| map.has(k))
            .collect();
        let body = match bodies.as_slice() {
            [] => {
                cx.push(
                    Diagnostic::error(Code::ConflictingKeys, "a check needs one of `expression`, `unique` or `sql`")
                        .with_label(map.key_span("name").unwrap_or(node.span), "this check tests nothing")
                        .with_help("add `expression: <SQL that every row satisfies>`, `unique: [col, …]` or `sql: <query returning failing rows>`"),
                );
                None
            }
            [one] => map.get(one).and_then(|n| match *one {
                "expression" => cx.text(n).map(CheckBody::Expression),
                "unique" => unique_columns(cx, n).map(CheckBody::Unique),
                _ => cx.text(n).map(CheckBody::Sql),
            }),
            [first, second, ..] => {
                let mut d = Diagnostic::error(
                    Code::ConflictingKeys,
                    format!("a check has exactly one of `expression`, `unique` or `sql`; found `{first}` and `{second}`"),
                )
                .with_label(map.key_span(second).unwrap_or(node.span), "second rule body");
                if let Some(span) = map.key_span(first) {
                    d = d.with_secondary(span, "first rule body");
                }
                cx.push(d.with_help("split it into two checks"));
                None
            }
        };
        if let (Some(CheckBody::Sql(_)), Some(span)) = (&body, map.key_span("window")) {
            cx.push(
                Diagnostic::error(
                    Code::WhereNotAllowed,
                    "`window` does not apply to a sql check",
                )
                .with_label(span, "not allowed here")
                .with_help("a sql check's query reads `{{ table }}` whole: put the window in its own WHERE clause"),
            );
        }
        if let (Some(CheckBody::Sql(_)), Some(span)) = (&body, map.key_span("where")) {
            cx.push(
                Diagnostic::error(
                    Code::WhereNotAllowed,
                    "`where` does not apply to a sql check",
                )
                .with_label(span, "not allowed here")
                .with_help("put the filter in the query's own WHERE clause"),
            );
        }
        Some(TableCheck {
            span: node.span,
            name: options.name.clone(),
            body,
            options,
        })
    }
}

fn unique_columns(cx: &mut Cx, node: &Node) -> Option<Spanned<Vec<Spanned<String>>>> {
    let columns = cx.strings(node, "columns")?;
    if columns.len() < 2 {
        cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                "a unique combination needs at least two columns",
            )
            .with_label(node.span, "fewer than two columns")
            .with_help("for one column, put `unique: true` on the column itself"),
        );
        return None;
    }
    Some(Spanned::new(columns, node.span))
}
