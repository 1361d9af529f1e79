//! The rule vocabulary, declared once: each kind of column rule, its key
//! in a contract, and the column types it applies to. The key lists of the
//! decoder, the order of a column's checks, the type checks of validation
//! and the rule-by-rule comparison of `diff` all derive from this list,
//! and every `match` on it is exhaustive, so a new kind fails to compile
//! in each place that must handle it.
//!
//! Table rules (`row_count`, `freshness`, `checks:`) each have a block of
//! their own; in the IR every rule is an `ir::CheckKind`.

use std::sync::LazyLock;

use crate::types::{LogicalType, TypeFamily};

/// A rule written on a column, in the order a column's checks are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, strum::VariantArray)]
pub enum ColumnRuleKind {
    Required,
    Unique,
    AcceptedValues,
    Min,
    Max,
    Pattern,
    Length,
    UniqueItems,
    References,
    NullRate,
}

impl ColumnRuleKind {
    /// Every column rule, in the order a column's checks are listed.
    pub const ALL: &'static [ColumnRuleKind] = <Self as strum::VariantArray>::VARIANTS;

    /// The rule's key in a contract, and the suffix of its derived check
    /// name (`<column>__<key>`).
    pub fn key(self) -> &'static str {
        match self {
            ColumnRuleKind::Required => "required",
            ColumnRuleKind::Unique => "unique",
            ColumnRuleKind::AcceptedValues => "accepted_values",
            ColumnRuleKind::Min => "min",
            ColumnRuleKind::Max => "max",
            ColumnRuleKind::Pattern => "pattern",
            ColumnRuleKind::Length => "length",
            ColumnRuleKind::UniqueItems => "unique_items",
            ColumnRuleKind::References => "references",
            ColumnRuleKind::NullRate => "null_rate",
        }
    }

    pub fn from_key(key: &str) -> Option<ColumnRuleKind> {
        ColumnRuleKind::ALL.iter().copied().find(|k| k.key() == key)
    }

    /// `None` when the rule applies to a column of type `ty`; otherwise
    /// the columns it does apply to, as a phrase.
    pub fn refuses(self, ty: LogicalType) -> Option<&'static str> {
        let family = ty.family();
        match self {
            ColumnRuleKind::Required | ColumnRuleKind::NullRate => None,
            ColumnRuleKind::Unique | ColumnRuleKind::References => {
                (family == TypeFamily::Nested).then_some("columns other than struct, array and map")
            }
            ColumnRuleKind::Pattern => (family != TypeFamily::String).then_some("string columns"),
            ColumnRuleKind::Length => (family != TypeFamily::String
                && !matches!(ty, LogicalType::Array | LogicalType::Map))
            .then_some("string columns (characters), arrays and maps (elements)"),
            ColumnRuleKind::UniqueItems => (ty != LogicalType::Array).then_some("array columns"),
            ColumnRuleKind::Min | ColumnRuleKind::Max => {
                let ordered = ty.is_numeric() || family == TypeFamily::Temporal;
                (!ordered).then_some(if family == TypeFamily::String {
                    "numeric, date and time columns (for strings, use `length`)"
                } else {
                    "numeric, date and time columns"
                })
            }
            ColumnRuleKind::AcceptedValues => matches!(
                family,
                TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested
            )
            .then_some("columns other than json, binary, struct, array and map"),
        }
    }
}

/// The keys of column rules, in the order their checks are listed.
pub static COLUMN_RULE_KEYS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| ColumnRuleKind::ALL.iter().map(|k| k.key()).collect());
