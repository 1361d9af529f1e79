//! Differential test: random contracts over random typed rows (NULLs,
//! duplicates, empty tables, values on the bounds). The check query's
//! verdicts on DuckDB, PostgreSQL and Spark must equal those of an independent
//! reference evaluator written here, over the same rows. Half the contracts
//! also have a nested column (structs, arrays and maps of a few scalar
//! types, up to three levels) with rules at random places inside it, and
//! rows of NULL parents, empty and NULL-holding arrays and maps.
//!
//! DATAPACT_DIFF_CASES sets the number of cases (default 1000) on DuckDB and
//! PostgreSQL, DATAPACT_DIFF_SPARK_CASES on Spark (default 100, the first cases of
//! the seed's sequence), and DATAPACT_DIFF_SEED the seed (default: random,
//! printed) to reproduce a run.

mod common;
mod harness;

use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

use datapact::literal::Literal;
use datapact::types::Dialect;
use datapact::types::LogicalType;
use harness::{Case, Engine, Table};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// A typed value, independent of the compiler's literal handling.
#[derive(Clone, Debug, PartialEq)]
enum Val {
    Int(i64),
    /// decimal(6,2) in hundredths
    Dec(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    /// days since 2024-01-01
    Date(i64),
    /// seconds since 2024-01-01T00:00:00 (UTC for timestamp_tz)
    Ts(i64),
    TsTz(i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Int,
    Dec,
    Float,
    Str,
    Bool,
    Date,
    Ts,
    TsTz,
}

const TYPES: [Ty; 8] = [
    Ty::Int,
    Ty::Dec,
    Ty::Float,
    Ty::Str,
    Ty::Bool,
    Ty::Date,
    Ty::Ts,
    Ty::TsTz,
];

const STRINGS: [&str; 10] = ["", "a", "ab", "Ab", "abc", "it's", "é", "a b", "ZZ", "x\\y"];
const PATTERNS: [&str; 5] = ["[a-z]+", "a|ab", "[A-Z]{2}", "(ab)*", "[^ ]*"];

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Int => "bigint",
            Ty::Dec => "decimal(6,2)",
            Ty::Float => "double",
            Ty::Str => "string",
            Ty::Bool => "boolean",
            Ty::Date => "date",
            Ty::Ts => "timestamp",
            Ty::TsTz => "timestamp_tz",
        }
    }

    fn logical(self) -> LogicalType {
        LogicalType::parse(self.name()).unwrap()
    }

    fn ordered(self) -> bool {
        !matches!(self, Ty::Str | Ty::Bool)
    }

    /// A small domain, so values repeat and hit the bounds.
    fn value(self) -> BoxedStrategy<Val> {
        match self {
            Ty::Int => (-3i64..=3).prop_map(Val::Int).boxed(),
            Ty::Dec => prop::sample::select(vec![-150i64, 0, 1, 125, 250])
                .prop_map(Val::Dec)
                .boxed(),
            Ty::Float => prop::sample::select(vec![-1.5f64, 0.0, 0.25, 2.5])
                .prop_map(Val::Float)
                .boxed(),
            Ty::Str => prop::sample::select(STRINGS.to_vec())
                .prop_map(|s| Val::Str(s.to_string()))
                .boxed(),
            Ty::Bool => any::<bool>().prop_map(Val::Bool).boxed(),
            Ty::Date => (0i64..4).prop_map(Val::Date).boxed(),
            Ty::Ts => (0i64..4).prop_map(|h| Val::Ts(h * 3600)).boxed(),
            Ty::TsTz => (0i64..4).prop_map(|h| Val::TsTz(h * 1800)).boxed(),
        }
    }
}

fn civil(secs: i64) -> jiff::civil::DateTime {
    jiff::civil::date(2024, 1, 1)
        .at(0, 0, 0, 0)
        .checked_add(jiff::SignedDuration::from_secs(secs))
        .unwrap()
}

impl Val {
    /// The value as a contract literal (YAML) and as a compiler literal (for inserts).
    fn yaml(&self) -> String {
        match self {
            Val::Int(i) => i.to_string(),
            Val::Dec(c) => {
                let sign = if *c < 0 { "-" } else { "" };
                format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
            }
            Val::Float(f) => format!("{f:?}"),
            Val::Str(s) => serde_json::to_string(s).unwrap(),
            Val::Bool(b) => b.to_string(),
            Val::Date(d) => format!("'{}'", civil(d * 86400).date()),
            Val::Ts(s) => format!("'{}'", civil(*s)),
            Val::TsTz(s) => format!("'{}Z'", civil(*s)),
        }
    }

    fn literal(&self) -> Literal {
        match self {
            Val::Int(i) => Literal::Number(i.to_string()),
            Val::Dec(_) => Literal::Number(self.yaml()),
            Val::Float(f) => Literal::Float(format!("{f:?}")),
            Val::Str(s) => Literal::String(s.clone()),
            Val::Bool(b) => Literal::Boolean(*b),
            Val::Date(d) => Literal::Date(civil(d * 86400).date().to_string()),
            Val::Ts(s) => Literal::Timestamp(civil(*s).to_string()),
            Val::TsTz(s) => Literal::TimestampTz(format!("{}Z", civil(*s))),
        }
    }

    /// Order within one type (the reference's own, not the compiler's).
    fn cmp(&self, other: &Val) -> std::cmp::Ordering {
        match (self, other) {
            (Val::Int(a), Val::Int(b))
            | (Val::Dec(a), Val::Dec(b))
            | (Val::Date(a), Val::Date(b))
            | (Val::Ts(a), Val::Ts(b))
            | (Val::TsTz(a), Val::TsTz(b)) => a.cmp(b),
            (Val::Float(a), Val::Float(b)) => a.partial_cmp(b).unwrap(),
            (Val::Str(a), Val::Str(b)) => a.cmp(b),
            (Val::Bool(a), Val::Bool(b)) => a.cmp(b),
            _ => unreachable!("compared values of different types"),
        }
    }

    fn key(&self) -> String {
        format!("{self:?}")
    }
}

/// A row filter or check expression, with SQL three-valued logic.
#[derive(Clone, Debug)]
enum Pred {
    Cmp(usize, &'static str, Val),
    IsNull(usize),
    NotNull(usize),
    Or(Box<Pred>, Box<Pred>),
    And(Box<Pred>, Box<Pred>),
}

impl Pred {
    fn sql(&self, columns: &[Column]) -> String {
        let q = |i: usize| format!("\"{}\"", columns[i].name);
        match self {
            Pred::Cmp(c, op, v) => {
                let lit = match v {
                    Val::Str(s) => format!("'{}'", s.replace('\'', "''")),
                    Val::Dec(_) | Val::Int(_) => v.yaml(),
                    Val::Float(f) => format!("{f:?}"),
                    _ => unreachable!(),
                };
                format!("{} {op} {lit}", q(*c))
            }
            Pred::IsNull(c) => format!("{} is null", q(*c)),
            Pred::NotNull(c) => format!("{} is not null", q(*c)),
            Pred::Or(a, b) => format!("({} or {})", a.sql(columns), b.sql(columns)),
            Pred::And(a, b) => format!("({} and {})", a.sql(columns), b.sql(columns)),
        }
    }

    fn eval(&self, row: &[Option<Val>]) -> Option<bool> {
        match self {
            Pred::Cmp(c, op, v) => {
                let x = row[*c].as_ref()?;
                let o = x.cmp(v);
                Some(match *op {
                    "=" => o.is_eq(),
                    "<>" => o.is_ne(),
                    "<" => o.is_lt(),
                    "<=" => o.is_le(),
                    ">" => o.is_gt(),
                    ">=" => o.is_ge(),
                    _ => unreachable!(),
                })
            }
            Pred::IsNull(c) => Some(row[*c].is_none()),
            Pred::NotNull(c) => Some(row[*c].is_some()),
            Pred::Or(a, b) => match (a.eval(row), b.eval(row)) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            },
            Pred::And(a, b) => match (a.eval(row), b.eval(row)) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            },
        }
    }
}

#[derive(Clone, Debug)]
struct Column {
    name: String,
    ty: Ty,
}

#[derive(Clone, Debug)]
enum Rule {
    Required,
    Unique,
    Accepted(Vec<Val>),
    Min(Val),
    Max(Val),
    Pattern(&'static str),
    Length(Option<u64>, Option<u64>),
    Expression(Pred),
    Combination(Vec<usize>),
    RowCount(Option<u64>, Option<u64>),
}

#[derive(Clone, Debug)]
enum Tol {
    None,
    Count(u64),
    Percent(&'static str, u64, u64),
}

#[derive(Clone, Debug)]
struct RuleSpec {
    column: Option<usize>,
    rule: Rule,
    filter: Option<Pred>,
    warn: bool,
    tolerance: Tol,
}

#[derive(Clone, Debug)]
struct Spec {
    columns: Vec<Column>,
    rules: Vec<RuleSpec>,
    rows: Vec<Vec<Option<Val>>>,
    /// A nested column `n` after the others, with rules inside it.
    nested: Option<NestedSpec>,
}

/// A nested column's shape: scalars inside structs (fields `f0`, `f1`, …),
/// arrays and maps with string keys.
#[derive(Clone, Debug)]
enum Shape {
    Scalar(Ty),
    Struct(Vec<Shape>),
    Array(Box<Shape>),
    Map(Box<Shape>),
}

/// A value of a nested column (or inside one).
#[derive(Clone, Debug)]
enum NVal {
    Null,
    Scalar(Val),
    Struct(Vec<NVal>),
    Array(Vec<NVal>),
    Map(Vec<(String, NVal)>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum PStep {
    Field(usize),
    Items,
    Keys,
    Values,
}

/// A rule inside the nested column.
#[derive(Clone, Debug)]
enum NKind {
    Required,
    Accepted(Vec<Val>),
    Min(Val),
    Max(Val),
    Pattern(&'static str),
    /// Characters of a string, elements of an array, entries of a map.
    Length(Option<u64>, Option<u64>),
    UniqueItems,
}

#[derive(Clone, Debug)]
struct NRule {
    path: Vec<PStep>,
    kind: NKind,
    filter: Option<Pred>,
    warn: bool,
    tolerance: Tol,
}

#[derive(Clone, Debug)]
struct NestedSpec {
    shape: Shape,
    rules: Vec<NRule>,
    /// One value per row of `Spec::rows`.
    values: Vec<NVal>,
}

const NESTED_TYPES: [Ty; 4] = [Ty::Int, Ty::Dec, Ty::Str, Ty::Bool];
const MAP_KEYS: [&str; 4] = ["a", "ab", "Z", "k 1"];

impl Shape {
    fn at(&self, path: &[PStep]) -> Shape {
        match (path.split_first(), self) {
            (None, _) => self.clone(),
            (Some((PStep::Field(i), rest)), Shape::Struct(fields)) => fields[*i].at(rest),
            (Some((PStep::Items, rest)), Shape::Array(item)) => item.at(rest),
            (Some((PStep::Keys, rest)), Shape::Map(_)) => Shape::Scalar(Ty::Str).at(rest),
            (Some((PStep::Values, rest)), Shape::Map(value)) => value.at(rest),
            _ => unreachable!("a path of the shape"),
        }
    }

    /// Every place in the shape, the column itself first.
    fn paths(&self) -> Vec<Vec<PStep>> {
        let mut out = vec![Vec::new()];
        let mut inside = |step: PStep, shape: &Shape| {
            for mut p in shape.paths() {
                p.insert(0, step);
                out.push(p);
            }
        };
        match self {
            Shape::Scalar(_) => {}
            Shape::Struct(fields) => {
                for (i, f) in fields.iter().enumerate() {
                    inside(PStep::Field(i), f);
                }
            }
            Shape::Array(item) => inside(PStep::Items, item),
            Shape::Map(value) => {
                inside(PStep::Keys, &Shape::Scalar(Ty::Str));
                inside(PStep::Values, value);
            }
        }
        out
    }

    fn strategy() -> BoxedStrategy<Shape> {
        let leaf = prop::sample::select(NESTED_TYPES.to_vec()).prop_map(Shape::Scalar);
        leaf.prop_recursive(3, 8, 3, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..3).prop_map(Shape::Struct),
                inner.clone().prop_map(|s| Shape::Array(Box::new(s))),
                inner.prop_map(|s| Shape::Map(Box::new(s))),
            ]
        })
        .boxed()
    }

    /// Values of the shape, NULL sometimes, empty arrays and maps too.
    fn value(&self) -> BoxedStrategy<NVal> {
        let present = match self {
            Shape::Scalar(t) => t.value().prop_map(NVal::Scalar).boxed(),
            Shape::Struct(fields) => fields
                .iter()
                .map(Shape::value)
                .collect::<Vec<_>>()
                .prop_map(NVal::Struct)
                .boxed(),
            Shape::Array(item) => prop::collection::vec(item.value(), 0..4)
                .prop_map(NVal::Array)
                .boxed(),
            Shape::Map(value) => prop::collection::vec(
                (prop::sample::select(MAP_KEYS.to_vec()), value.value()),
                0..3,
            )
            .prop_map(|entries| {
                let mut seen = HashSet::new();
                NVal::Map(
                    entries
                        .into_iter()
                        .filter(|(k, _)| seen.insert(*k))
                        .map(|(k, v)| (k.to_string(), v))
                        .collect(),
                )
            })
            .boxed(),
        };
        prop_oneof![1 => Just(NVal::Null), 6 => present].boxed()
    }

    /// The contract's type of the shape, with its parts and the rules at
    /// each place (`rules`: path, YAML key, value with options).
    fn yaml(&self, path: &[PStep], rules: &[(Vec<PStep>, &str, String)]) -> String {
        let mut parts = vec![format!(
            "type: \"{}\"",
            match self {
                Shape::Scalar(t) => t.name(),
                Shape::Struct(_) => "struct",
                Shape::Array(_) => "array",
                Shape::Map(_) => "map",
            }
        )];
        let mut keys = HashSet::new();
        for (p, key, value) in rules {
            // One rule of a kind per place (a YAML key appears once).
            if p == path && keys.insert(*key) {
                parts.push(format!("{key}: {{{value}}}"));
            }
        }
        let inside = |step: PStep, shape: &Shape| {
            let mut p = path.to_vec();
            p.push(step);
            shape.yaml(&p, rules)
        };
        match self {
            Shape::Scalar(_) => {}
            Shape::Struct(fields) => {
                let fields: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{{name: f{i}, {}}}", inside(PStep::Field(i), f)))
                    .collect();
                parts.push(format!("fields: [{}]", fields.join(", ")));
            }
            Shape::Array(item) => parts.push(format!("items: {{{}}}", inside(PStep::Items, item))),
            Shape::Map(value) => {
                parts.push(format!(
                    "keys: {{{}}}",
                    inside(PStep::Keys, &Shape::Scalar(Ty::Str))
                ));
                parts.push(format!("values: {{{}}}", inside(PStep::Values, value)));
            }
        }
        parts.join(", ")
    }
}

impl NVal {
    fn json(&self) -> serde_json::Value {
        match self {
            NVal::Null => serde_json::Value::Null,
            NVal::Scalar(Val::Str(s)) => serde_json::Value::String(s.clone()),
            NVal::Scalar(Val::Bool(b)) => serde_json::Value::Bool(*b),
            NVal::Scalar(v) => serde_json::from_str(&v.yaml()).unwrap(),
            NVal::Struct(fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (format!("f{i}"), f.json()))
                    .collect(),
            ),
            NVal::Array(items) => serde_json::Value::Array(items.iter().map(NVal::json).collect()),
            NVal::Map(entries) => serde_json::Value::Object(
                entries.iter().map(|(k, v)| (k.clone(), v.json())).collect(),
            ),
        }
    }

    /// Whether some value at `path` breaks the rule: a NULL struct's
    /// fields and a NULL or empty array's elements are absent.
    fn fails(&self, path: &[PStep], kind: &NKind) -> bool {
        match (path.split_first(), self) {
            (None, v) => v.breaks(kind),
            (Some((PStep::Field(i), rest)), NVal::Struct(fields)) => fields[*i].fails(rest, kind),
            (Some((PStep::Items, rest)), NVal::Array(items)) => {
                items.iter().any(|e| e.fails(rest, kind))
            }
            (Some((PStep::Keys, rest)), NVal::Map(entries)) => entries
                .iter()
                .any(|(k, _)| NVal::Scalar(Val::Str(k.clone())).fails(rest, kind)),
            (Some((PStep::Values, rest)), NVal::Map(entries)) => {
                entries.iter().any(|(_, v)| v.fails(rest, kind))
            }
            _ => false,
        }
    }

    fn breaks(&self, kind: &NKind) -> bool {
        let bounds = |n: usize, lo: &Option<u64>, hi: &Option<u64>| {
            lo.is_some_and(|l| (n as u64) < l) || hi.is_some_and(|h| (n as u64) > h)
        };
        match (kind, self) {
            (NKind::Required, v) => matches!(v, NVal::Null),
            (NKind::Accepted(vs), NVal::Scalar(x)) => !vs.iter().any(|a| a.cmp(x).is_eq()),
            (NKind::Min(m), NVal::Scalar(x)) => x.cmp(m).is_lt(),
            (NKind::Max(m), NVal::Scalar(x)) => x.cmp(m).is_gt(),
            (NKind::Pattern(p), NVal::Scalar(Val::Str(s))) => {
                !regex::Regex::new(&format!("^(?:{p})$"))
                    .unwrap()
                    .is_match(s)
            }
            (NKind::Length(lo, hi), NVal::Scalar(Val::Str(s))) => bounds(s.chars().count(), lo, hi),
            (NKind::Length(lo, hi), NVal::Array(items)) => bounds(items.len(), lo, hi),
            (NKind::Length(lo, hi), NVal::Map(entries)) => bounds(entries.len(), lo, hi),
            (NKind::UniqueItems, NVal::Array(items)) => {
                let keys: Vec<String> = items
                    .iter()
                    .filter_map(|e| match e {
                        NVal::Scalar(v) => Some(v.key()),
                        _ => None,
                    })
                    .collect();
                keys.iter().collect::<HashSet<_>>().len() < keys.len()
            }
            _ => false,
        }
    }
}

/// Rules for a place of the shape, of kinds its type takes.
fn nested_rule_strategy(shape: Shape, columns: Vec<Column>) -> BoxedStrategy<NRule> {
    let paths = shape.paths();
    let kind = prop::sample::select(paths).prop_flat_map(move |path| {
        let at = shape.at(&path);
        let bounds = (prop::option::of(0u64..3), prop::option::of(1u64..4)).prop_map(|(lo, hi)| {
            match (lo, hi) {
                (None, None) => (Some(1), None),
                (Some(l), Some(h)) if l > h => (Some(h), Some(l)),
                other => other,
            }
        });
        let kind: BoxedStrategy<NKind> = match at {
            Shape::Scalar(t @ (Ty::Int | Ty::Dec)) => prop_oneof![
                Just(NKind::Required),
                prop::collection::vec(t.value(), 1..3).prop_map(NKind::Accepted),
                t.value().prop_map(NKind::Min),
                t.value().prop_map(NKind::Max),
            ]
            .boxed(),
            Shape::Scalar(Ty::Str) => prop_oneof![
                Just(NKind::Required),
                prop::collection::vec(Ty::Str.value(), 1..3).prop_map(NKind::Accepted),
                prop::sample::select(PATTERNS.to_vec()).prop_map(NKind::Pattern),
                bounds.prop_map(|(lo, hi)| NKind::Length(lo, hi)),
            ]
            .boxed(),
            Shape::Scalar(t) => prop_oneof![
                Just(NKind::Required),
                prop::collection::vec(t.value(), 1..3).prop_map(NKind::Accepted),
            ]
            .boxed(),
            Shape::Array(ref item) if matches!(**item, Shape::Scalar(_)) => prop_oneof![
                Just(NKind::Required),
                Just(NKind::UniqueItems),
                bounds.prop_map(|(lo, hi)| NKind::Length(lo, hi)),
            ]
            .boxed(),
            Shape::Array(_) | Shape::Map(_) => prop_oneof![
                Just(NKind::Required),
                bounds.prop_map(|(lo, hi)| NKind::Length(lo, hi)),
            ]
            .boxed(),
            Shape::Struct(_) => Just(NKind::Required).boxed(),
        };
        (Just(path), kind)
    });
    (
        kind,
        prop::option::weighted(0.2, pred_strategy(columns)),
        prop::bool::weighted(0.2),
        prop_oneof![4 => Just(Tol::None), 1 => (0u64..2).prop_map(Tol::Count)],
    )
        .prop_map(|((path, kind), filter, warn, tolerance)| NRule {
            path,
            kind,
            filter,
            warn,
            tolerance,
        })
        .boxed()
}

fn pred_strategy(columns: Vec<Column>) -> BoxedStrategy<Pred> {
    let n = columns.len();
    let leaf = (0..n, 0..3usize).prop_flat_map(move |(c, kind)| {
        let ty = columns[c].ty;
        let comparable = matches!(ty, Ty::Int | Ty::Dec | Ty::Float | Ty::Str);
        match (kind, comparable) {
            (0, _) => Just(Pred::IsNull(c)).boxed(),
            (1, _) => Just(Pred::NotNull(c)).boxed(),
            (_, true) => (
                prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]),
                ty.value(),
            )
                .prop_map(move |(op, v)| Pred::Cmp(c, op, v))
                .boxed(),
            (_, false) => Just(Pred::NotNull(c)).boxed(),
        }
    });
    leaf.prop_recursive(2, 4, 2, |inner| {
        (inner.clone(), inner, any::<bool>()).prop_map(|(a, b, or)| {
            if or {
                Pred::Or(Box::new(a), Box::new(b))
            } else {
                Pred::And(Box::new(a), Box::new(b))
            }
        })
    })
    .boxed()
}

fn rule_strategy(columns: Vec<Column>) -> BoxedStrategy<RuleSpec> {
    let n = columns.len();
    let cols = columns.clone();
    let rule = (0..n, 0..10usize).prop_flat_map(move |(c, kind)| {
        let ty = cols[c].ty;
        let column_rule: BoxedStrategy<(Option<usize>, Rule)> = match kind {
            0 => Just((Some(c), Rule::Required)).boxed(),
            1 => Just((Some(c), Rule::Unique)).boxed(),
            2 if ty != Ty::Float => prop::collection::vec(ty.value(), 1..4)
                .prop_map(move |vs| (Some(c), Rule::Accepted(vs)))
                .boxed(),
            3 if ty.ordered() => ty
                .value()
                .prop_map(move |v| (Some(c), Rule::Min(v)))
                .boxed(),
            4 if ty.ordered() => ty
                .value()
                .prop_map(move |v| (Some(c), Rule::Max(v)))
                .boxed(),
            5 if ty == Ty::Str => prop::sample::select(PATTERNS.to_vec())
                .prop_map(move |p| (Some(c), Rule::Pattern(p)))
                .boxed(),
            6 if ty == Ty::Str => (prop::option::of(0u64..3), prop::option::of(1u64..4))
                .prop_map(move |(lo, hi)| {
                    let (lo, hi) = match (lo, hi) {
                        (None, None) => (Some(1), None),
                        (Some(l), Some(h)) if l > h => (Some(h), Some(l)),
                        other => other,
                    };
                    (Some(c), Rule::Length(lo, hi))
                })
                .boxed(),
            7 => pred_strategy(cols.clone())
                .prop_map(|p| (None, Rule::Expression(p)))
                .boxed(),
            8 if n >= 2 => prop::sample::subsequence((0..n).collect::<Vec<_>>(), 2..=n.min(3))
                .prop_map(|cs| (None, Rule::Combination(cs)))
                .boxed(),
            _ => (prop::option::of(0u64..5), prop::option::of(0u64..8))
                .prop_map(|(lo, hi)| {
                    let (lo, hi) = match (lo, hi) {
                        (None, None) => (Some(1), None),
                        (Some(l), Some(h)) if l > h => (Some(h), Some(l)),
                        other => other,
                    };
                    (None, Rule::RowCount(lo, hi))
                })
                .boxed(),
        };
        column_rule
    });
    let tolerance = prop_oneof![
        4 => Just(Tol::None),
        1 => (0u64..3).prop_map(Tol::Count),
        1 => prop::sample::select(vec![("10%", 1u64, 10u64), ("50%", 1, 2), ("33.3%", 333, 1000), ("100%", 1, 1)])
            .prop_map(|(t, a, b)| Tol::Percent(t, a, b)),
    ];
    (
        rule,
        prop::option::weighted(0.3, pred_strategy(columns)),
        prop::bool::weighted(0.25),
        tolerance,
    )
        .prop_map(|((column, rule), filter, warn, tolerance)| {
            let tolerance = if matches!(rule, Rule::RowCount(..)) {
                Tol::None
            } else {
                tolerance
            };
            RuleSpec {
                column,
                rule,
                filter,
                warn,
                tolerance,
            }
        })
        .boxed()
}

fn spec_strategy() -> BoxedStrategy<Spec> {
    prop::collection::vec(prop::sample::select(TYPES.to_vec()), 1..5)
        .prop_flat_map(|types| {
            let columns: Vec<Column> = types
                .iter()
                .enumerate()
                .map(|(i, ty)| Column {
                    // One name that needs quoting.
                    name: if i == 1 {
                        "c 1".into()
                    } else {
                        format!("c{i}")
                    },
                    ty: *ty,
                })
                .collect();
            let row = types
                .iter()
                .map(|t| prop::option::weighted(0.8, t.value()))
                .collect::<Vec<_>>();
            (
                Just(columns.clone()),
                prop::collection::vec(rule_strategy(columns.clone()), 1..7),
                prop::collection::vec(row, 0..9),
                // The column itself is nested: a scalar becomes an array of it.
                prop::option::weighted(
                    0.5,
                    Shape::strategy().prop_map(|s| match s {
                        Shape::Scalar(_) => Shape::Array(Box::new(s)),
                        nested => nested,
                    }),
                ),
            )
                .prop_flat_map(move |(columns, rules, rows, shape)| {
                    let nested = match shape {
                        None => Just(None).boxed(),
                        Some(shape) => (
                            prop::collection::vec(
                                nested_rule_strategy(shape.clone(), columns.clone()),
                                1..5,
                            ),
                            prop::collection::vec(shape.value(), rows.len()),
                            Just(shape),
                        )
                            .prop_map(|(rules, values, shape)| {
                                Some(NestedSpec {
                                    shape,
                                    rules,
                                    values,
                                })
                            })
                            .boxed(),
                    };
                    (Just(columns), Just(rules), Just(rows), nested)
                })
        })
        .prop_map(|(columns, rules, rows, nested)| Spec {
            columns,
            rules,
            rows,
            nested,
        })
        .boxed()
}

/// A rule's options in its long form: its name, `where`, severity, tolerance.
fn rule_options(
    spec: &Spec,
    name: &str,
    filter: Option<&Pred>,
    warn: bool,
    tolerance: &Tol,
) -> String {
    let mut o = format!("name: {name}");
    if let Some(f) = filter {
        let _ = write!(
            o,
            ", where: {}",
            serde_json::to_string(&f.sql(&spec.columns)).unwrap()
        );
    }
    if warn {
        o.push_str(", severity: warn");
    }
    match tolerance {
        Tol::None => {}
        Tol::Count(n) => {
            let _ = write!(o, ", tolerance: {n}");
        }
        Tol::Percent(t, ..) => {
            let _ = write!(o, ", tolerance: \"{t}\"");
        }
    }
    o
}

/// The contract's YAML: every rule in long form with an explicit name `r<i>`
/// (`n<i>` inside the nested column).
fn contract_yaml(spec: &Spec, id: usize) -> String {
    let mut y = format!(
        "contract: diff.c{id}\nversion: 1.0.0\nowners: [{{name: Test}}]\ndataset: {{schema: diff, name: t{id}}}\n"
    );
    let options = |r: &RuleSpec, i: usize| {
        rule_options(
            spec,
            &format!("r{i}"),
            r.filter.as_ref(),
            r.warn,
            &r.tolerance,
        )
    };
    if let Some((i, r)) = spec
        .rules
        .iter()
        .enumerate()
        .find(|(_, r)| matches!(r.rule, Rule::RowCount(..)))
    {
        let Rule::RowCount(lo, hi) = r.rule else {
            unreachable!()
        };
        let mut o = options(r, i);
        if let Some(l) = lo {
            let _ = write!(o, ", min: {l}");
        }
        if let Some(h) = hi {
            let _ = write!(o, ", max: {h}");
        }
        let _ = writeln!(y, "row_count: {{{o}}}");
    }
    y.push_str("columns:\n");
    for (c, column) in spec.columns.iter().enumerate() {
        let _ = writeln!(
            y,
            "  - name: \"{}\"\n    type: \"{}\"",
            column.name,
            column.ty.name()
        );
        let mut seen_kinds = HashSet::new();
        // min > max on one column is a contract error: keep the first bound only.
        let first_min = spec.rules.iter().find_map(|r| match &r.rule {
            Rule::Min(v) if r.column == Some(c) => Some(v),
            _ => None,
        });
        for (i, r) in spec.rules.iter().enumerate() {
            if r.column != Some(c) {
                continue;
            }
            if let (Rule::Max(max), Some(min)) = (&r.rule, first_min) {
                if min.cmp(max).is_gt() {
                    continue;
                }
            }
            let (key, value) = match &r.rule {
                Rule::Required => ("required", "value: true".to_string()),
                Rule::Unique => ("unique", "value: true".to_string()),
                Rule::Accepted(vs) => (
                    "accepted_values",
                    format!(
                        "values: [{}]",
                        vs.iter().map(Val::yaml).collect::<Vec<_>>().join(", ")
                    ),
                ),
                Rule::Min(v) => ("min", format!("value: {}", v.yaml())),
                Rule::Max(v) => ("max", format!("value: {}", v.yaml())),
                Rule::Pattern(p) => ("pattern", format!("value: '{p}'")),
                Rule::Length(lo, hi) => (
                    "length",
                    [
                        lo.map(|l| format!("min: {l}")),
                        hi.map(|h| format!("max: {h}")),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(", "),
                ),
                _ => continue,
            };
            // One rule of a kind per column (a YAML key appears once).
            if seen_kinds.insert(key) {
                let _ = writeln!(y, "    {key}: {{{value}, {}}}", options(r, i));
            }
        }
    }
    if let Some(nested) = &spec.nested {
        // min > max at one place is a contract error: keep the first bound only.
        let first_min = |path: &[PStep]| {
            nested.rules.iter().find_map(|r| match &r.kind {
                NKind::Min(v) if r.path == path => Some(v),
                _ => None,
            })
        };
        let rules: Vec<(Vec<PStep>, &str, String)> = nested
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| match (&r.kind, first_min(&r.path)) {
                (NKind::Max(max), Some(min)) => !min.cmp(max).is_gt(),
                _ => true,
            })
            .map(|(i, r)| {
                let options = rule_options(
                    spec,
                    &format!("n{i}"),
                    r.filter.as_ref(),
                    r.warn,
                    &r.tolerance,
                );
                let list = |vs: &[Val]| vs.iter().map(Val::yaml).collect::<Vec<_>>().join(", ");
                let (key, value) = match &r.kind {
                    NKind::Required => ("required", "value: true".to_string()),
                    NKind::UniqueItems => ("unique_items", "value: true".to_string()),
                    NKind::Accepted(vs) => ("accepted_values", format!("values: [{}]", list(vs))),
                    NKind::Min(v) => ("min", format!("value: {}", v.yaml())),
                    NKind::Max(v) => ("max", format!("value: {}", v.yaml())),
                    NKind::Pattern(p) => ("pattern", format!("value: '{p}'")),
                    NKind::Length(lo, hi) => (
                        "length",
                        [
                            lo.map(|l| format!("min: {l}")),
                            hi.map(|h| format!("max: {h}")),
                        ]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", "),
                    ),
                };
                (r.path.clone(), key, format!("{value}, {options}"))
            })
            .collect();
        let _ = writeln!(y, "  - {{name: n, {}}}", nested.shape.yaml(&[], &rules));
    }
    let checks: Vec<String> = spec
        .rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.rule {
            Rule::Expression(p) => Some(format!(
                "  - {{{}, expression: {}}}",
                options(r, i),
                serde_json::to_string(&p.sql(&spec.columns)).unwrap()
            )),
            Rule::Combination(cs) => Some(format!(
                "  - {{{}, unique: [{}]}}",
                options(r, i),
                cs.iter()
                    .map(|c| format!("\"{}\"", spec.columns[*c].name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            _ => None,
        })
        .collect();
    if !checks.is_empty() {
        let _ = writeln!(y, "checks:\n{}", checks.join("\n"));
    }
    y
}

/// The reference verdict: (failures, observed, status) per check name.
fn reference(spec: &Spec, names: &HashSet<String>) -> BTreeMap<String, (i64, String, String)> {
    let mut out = BTreeMap::new();
    for (i, r) in spec.rules.iter().enumerate() {
        let name = format!("r{i}");
        if !names.contains(&name) {
            continue; // a duplicate kind on one column, not in the contract
        }
        let seen: Vec<&Vec<Option<Val>>> = spec
            .rows
            .iter()
            .filter(|row| r.filter.as_ref().is_none_or(|f| f.eval(row) == Some(true)))
            .collect();
        let n = seen.len() as i64;
        let value = |row: &Vec<Option<Val>>| row[r.column.unwrap()].clone();
        let failures = match &r.rule {
            Rule::Required => seen.iter().filter(|row| value(row).is_none()).count() as i64,
            Rule::Unique => {
                let values: Vec<String> = seen
                    .iter()
                    .filter_map(|row| value(row))
                    .map(|v| v.key())
                    .collect();
                let distinct: HashSet<&String> = values.iter().collect();
                (values.len() - distinct.len()) as i64
            }
            Rule::Accepted(vs) => seen
                .iter()
                .filter(|row| value(row).is_some_and(|v| !vs.iter().any(|a| a.cmp(&v).is_eq())))
                .count() as i64,
            Rule::Min(m) => seen
                .iter()
                .filter(|row| value(row).is_some_and(|v| v.cmp(m).is_lt()))
                .count() as i64,
            Rule::Max(m) => seen
                .iter()
                .filter(|row| value(row).is_some_and(|v| v.cmp(m).is_gt()))
                .count() as i64,
            Rule::Pattern(p) => {
                let re = regex::Regex::new(&format!("^(?:{p})$")).unwrap();
                seen.iter()
                    .filter(|row| matches!(value(row), Some(Val::Str(s)) if !re.is_match(&s)))
                    .count() as i64
            }
            Rule::Length(lo, hi) => seen
                .iter()
                .filter(|row| match value(row) {
                    Some(Val::Str(s)) => {
                        let len = s.chars().count() as u64;
                        lo.is_some_and(|l| len < l) || hi.is_some_and(|h| len > h)
                    }
                    _ => false,
                })
                .count() as i64,
            Rule::Expression(p) => {
                seen.iter().filter(|row| p.eval(row) == Some(false)).count() as i64
            }
            Rule::Combination(cs) => {
                let keys: Vec<String> = seen
                    .iter()
                    .filter(|row| cs.iter().any(|c| row[*c].is_some()))
                    .map(|row| {
                        format!(
                            "{:?}",
                            cs.iter()
                                .map(|c| row[*c].as_ref().map(Val::key))
                                .collect::<Vec<_>>()
                        )
                    })
                    .collect();
                let distinct: HashSet<&String> = keys.iter().collect();
                (keys.len() - distinct.len()) as i64
            }
            Rule::RowCount(lo, hi) => {
                i64::from(lo.is_some_and(|l| (n as u64) < l) || hi.is_some_and(|h| (n as u64) > h))
            }
        };
        let status = status(failures, n, &r.tolerance, r.warn);
        out.insert(name, (failures, n.to_string(), status.to_string()));
    }
    for (i, r) in spec.nested.iter().flat_map(|n| n.rules.iter().enumerate()) {
        let name = format!("n{i}");
        if !names.contains(&name) {
            continue; // a duplicate kind at one place, not in the contract
        }
        let nested = spec.nested.as_ref().unwrap();
        let seen: Vec<usize> = (0..spec.rows.len())
            .filter(|&row| {
                r.filter
                    .as_ref()
                    .is_none_or(|f| f.eval(&spec.rows[row]) == Some(true))
            })
            .collect();
        let n = seen.len() as i64;
        let failures = seen
            .iter()
            .filter(|&&row| nested.values[row].fails(&r.path, &r.kind))
            .count() as i64;
        let status = status(failures, n, &r.tolerance, r.warn);
        out.insert(name, (failures, n.to_string(), status.to_string()));
    }
    out
}

/// The status of a check with `failures` among `n` rows seen.
fn status(failures: i64, n: i64, tolerance: &Tol, warn: bool) -> &'static str {
    let allowed = match tolerance {
        Tol::None => 0,
        Tol::Count(c) => *c as i64,
        Tol::Percent(_, a, b) => (n as u64 * a / b) as i64,
    };
    if failures == 0 {
        "pass"
    } else if failures <= allowed || warn {
        "warn"
    } else {
        "fail"
    }
}

fn case_count() -> usize {
    std::env::var("DATAPACT_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

/// Spark runs a case in ~0.5 s (a table write and a query, each a local job),
/// so its leg takes the first `DATAPACT_DIFF_SPARK_CASES` (default 100) of
/// the same seed's cases.
fn spark_case_count() -> usize {
    std::env::var("DATAPACT_DIFF_SPARK_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
}

#[test]
fn check_queries_agree_with_the_reference_evaluator() {
    differential(&[Engine::Duckdb, Engine::Postgres], case_count());
}

/// The Spark leg, in its own test so it runs beside the others. Every other
/// case runs with `spark.sql.ansi.enabled = false` (Spark 3's default and
/// Databricks classic compute's), the rest with it `true` (Spark 4's).
#[test]
fn check_queries_agree_with_the_reference_evaluator_on_spark() {
    differential(&[Engine::Spark], spark_case_count());
}

/// The run's seed: DATAPACT_DIFF_SEED, else one taken from the clock once
/// per process, so every leg of a run draws the same sequence of cases.
fn seed() -> u64 {
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *SEED.get_or_init(|| {
        std::env::var("DATAPACT_DIFF_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
    })
}

fn differential(engines: &[Engine], count: usize) {
    let engines: Vec<Engine> = engines
        .iter()
        .copied()
        .filter(|e| harness::available(*e))
        .collect();
    if engines.is_empty() {
        return;
    }
    let seed = seed();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = spec_strategy();
    let mut specs = Vec::new();
    let mut irs = Vec::new();
    for id in 0..count {
        let spec = strategy.new_tree(&mut runner).unwrap().current();
        let yaml = contract_yaml(&spec, id);
        let mut sources = datapact::source::Sources::new();
        sources.add(format!("diff{id}.yaml"), yaml.clone());
        let checked = datapact::check(&sources);
        let ir = checked.ir.unwrap_or_else(|| {
            panic!(
                "seed {seed}: generated contract {id} does not compile:\n{yaml}\n{}",
                common::render(&sources, &checked.diagnostics)
            )
        });
        specs.push((spec, yaml));
        irs.push(ir);
    }
    let mut disagreements = Vec::new();
    for engine in &engines {
        let dialect: Dialect = engine.dialect();
        let cases: Vec<Case> = specs
            .iter()
            .zip(&irs)
            .enumerate()
            .map(|(id, ((spec, _), ir))| {
                let ds = &ir.datasets[0];
                let mut columns: Vec<(String, LogicalType)> = spec
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.ty.logical()))
                    .collect();
                let mut rows: Vec<Vec<Option<Literal>>> = spec
                    .rows
                    .iter()
                    .map(|row| row.iter().map(|v| v.as_ref().map(Val::literal)).collect())
                    .collect();
                let mut nested = BTreeMap::new();
                if let Some(n) = &spec.nested {
                    let column = ds.columns.last().expect("the nested column");
                    nested.insert(
                        columns.len(),
                        datapact::emit::sql::column_type(column, dialect),
                    );
                    columns.push((column.name.clone(), column.ty));
                    for (row, value) in rows.iter_mut().zip(&n.values) {
                        row.push(match value {
                            NVal::Null => None,
                            v => Some(Literal::String(v.json().to_string())),
                        });
                    }
                }
                let table = Table {
                    location: ds.location.clone(),
                    columns,
                    rows,
                    nested,
                };
                let mut setup = harness::table_setup(&table, dialect);
                if *engine == Engine::Spark {
                    let ansi = if id % 2 == 1 { "false" } else { "true" };
                    setup.insert(0, format!("set spark.sql.ansi.enabled = {ansi}"));
                }
                Case {
                    id: id.to_string(),
                    setup,
                    queries: vec![datapact::emit::sql::check_query(ds, dialect)],
                }
            })
            .collect();
        let outcome = harness::run(*engine, &cases);
        for (id, result) in outcome.cases.iter().enumerate() {
            let (spec, yaml) = &specs[id];
            let names: HashSet<String> = irs[id].datasets[0]
                .checks
                .iter()
                .map(|c| c.name.clone())
                .collect();
            let expected = reference(spec, &names);
            let actual: Result<BTreeMap<String, (i64, String, String)>, String> =
                match (&result.setup_error, result.results.first()) {
                    (Some(e), _) => Err(format!("setup failed: {e}")),
                    (None, Some(r)) => harness::check_rows(r).map(|rows| {
                        rows.into_iter()
                            .map(|r| {
                                (
                                    r.check_name,
                                    (r.failures, r.observed.unwrap_or_default(), r.status),
                                )
                            })
                            .collect()
                    }),
                    (None, None) => Err("no result".into()),
                };
            if actual.as_ref() != Ok(&expected) {
                let mode = if *engine == Engine::Spark && id % 2 == 1 {
                    " (spark.sql.ansi.enabled = false)"
                } else {
                    ""
                };
                disagreements.push(format!(
                    "{}{mode} case {id}:\n{yaml}rows: {:?}\nexpected {expected:?}\nactual   {actual:?}",
                    engine.name(),
                    spec.rows
                ));
            }
        }
        eprintln!(
            "differential: {} {}: {count} cases, {} checks ({} inside nested columns), {} disagreements so far (seed {seed})",
            outcome.engine,
            outcome.version,
            irs.iter()
                .map(|ir| ir.datasets[0].checks.len())
                .sum::<usize>(),
            irs.iter()
                .flat_map(|ir| &ir.datasets[0].checks)
                .filter(|c| c.name.starts_with('n'))
                .count(),
            disagreements.len()
        );
    }
    assert!(
        disagreements.is_empty(),
        "seed {seed}: {} disagreements; first ones:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
