//! Validated syntax → IR.
//!
//! Runs only on contracts that validated without errors, so every required
//! field is present; should one be missing anyway, the item is skipped rather
//! than panicking.

use crate::ir::{self, Check, CheckKind, Dataset, DbtNode, Location};
use crate::ir::{ColumnOrigin, Origin};
use crate::names::{change_name, nested_name};
use crate::rules::ColumnRuleKind;
use crate::semantic::coerce;
use crate::semantic::validate::Index;
use crate::source::Spanned;
use crate::source::{Sources, Span};
use crate::syntax::ast::{
    CheckBody, Column, ColumnRef, Contract, LengthRule, Nested, NullRateRule, Part, Rule,
    RuleOptions,
};
use crate::syntax::yaml::Scalar;
use crate::types::Severity;

/// Lower one validated contract: its dataset, and where its parts were
/// written. References are resolved through `index`; in a
/// [`Scope::Selection`], a reference to a contract outside it gets the
/// location `<contract id>` (a table of that name): only `diff` lowers
/// selections, and it compares references by contract and column, never by
/// location.
pub fn lower(c: &Contract, index: &Index, sources: &Sources) -> Option<Dataset> {
    dataset(c, index, sources)
}

pub(crate) fn location(c: &Contract) -> Option<Location> {
    let dataset = c.dataset.as_ref()?;
    Some(Location {
        database: dataset.database.as_ref().map(|s| s.value.clone()),
        schema: dataset.schema.as_ref().map(|s| s.value.clone()),
        name: dataset.name.as_ref()?.value.clone(),
    })
}

fn text(s: &Option<crate::source::Spanned<String>>) -> Option<String> {
    s.as_ref().map(|s| s.value.clone())
}

fn strings(v: &Option<Vec<crate::source::Spanned<String>>>) -> Vec<String> {
    v.iter().flatten().map(|s| s.value.clone()).collect()
}

fn dataset(c: &Contract, index: &Index, sources: &Sources) -> Option<Dataset> {
    let contract = c.contract.as_ref()?.value.clone();
    let dataset = c.dataset.as_ref()?;
    let dbt = dataset.dbt.as_ref().and_then(|b| {
        let (kind, name) = b.node()?;
        Some(DbtNode {
            kind,
            name: name.value.clone(),
        })
    });
    let columns: Vec<ir::Column> = c.columns.iter().flatten().filter_map(column).collect();
    Some(Dataset {
        contract,
        version: c.version.as_ref()?.value.to_string(),
        title: text(&c.title),
        description: text(&c.description),
        owners: c
            .owners
            .iter()
            .flatten()
            .filter_map(|o| {
                Some(ir::Owner {
                    name: o.name.as_ref()?.value.clone(),
                    email: text(&o.email),
                    role: o.role.as_ref().map(|r| r.value).unwrap_or_default(),
                })
            })
            .collect(),
        location: location(c)?,
        dbt,
        outside_dbt: dataset.dbt.as_ref().is_some_and(|b| b.off),
        path: text(&dataset.path),
        conformance: dataset
            .conformance
            .as_ref()
            .map(|c| c.value)
            .unwrap_or_default(),
        tags: strings(&c.tags),
        slo_written: c.slo.as_ref().map(|slo| {
            let default = ir::Slo::default();
            ir::Slo {
                window: slo.window.as_ref().map_or(default.window, |w| w.value),
                freshness: slo
                    .freshness
                    .as_ref()
                    .map_or(default.freshness, |o| o.value.clone()),
                quality: slo
                    .quality
                    .as_ref()
                    .map_or(default.quality, |o| o.value.clone()),
            }
        }),
        columns,
        checks: checks(c, index),
        source_path: sources.get(c.file).path.clone(),
        renamed_from: text(&c.renamed_from),
        window: dataset.window.as_ref().and_then(|w| {
            Some(ir::Window {
                column: w.column.as_ref()?.value.clone(),
                last: w.last.as_ref()?.value,
            })
        }),
        column_index: ir::ColumnIndex::default(),
    })
}

/// A column of the IR, with what it holds; an array's items and a map's
/// keys and values have an empty name.
fn column(col: &Column) -> Option<ir::Column> {
    let child = |c: &Option<Nested<Box<Column>>>| -> Option<Box<ir::Column>> {
        c.as_ref().and_then(|c| column(&c.value)).map(Box::new)
    };
    Some(ir::Column {
        name: col
            .name
            .as_ref()
            .map_or_else(String::new, |n| n.value.clone()),
        ty: col.ty.as_ref()?.value,
        physical_types: col
            .physical_type
            .iter()
            .flatten()
            .map(|(d, t)| (d.value, t.value.clone()))
            .collect(),
        description: text(&col.description),
        pii: col.pii.as_ref().is_some_and(|p| p.value),
        tags: strings(&col.tags),
        required: col
            .required
            .as_ref()
            .and_then(|r| r.value.as_ref())
            .is_some_and(|v| v.value),
        renamed_from: text(&col.renamed_from),
        fields: col
            .fields
            .iter()
            .flat_map(|f| f.value.iter())
            .filter_map(column)
            .collect(),
        items: child(&col.items),
        keys: child(&col.keys),
        values: child(&col.values),
    })
}

/// Every column and value inside one, depth first, with its path from the
/// column: the column itself first (empty path).
pub(crate) fn nodes(column: &Column) -> Vec<(Vec<ir::Step>, &Column)> {
    fn walk<'a>(
        c: &'a Column,
        path: &mut Vec<ir::Step>,
        out: &mut Vec<(Vec<ir::Step>, &'a Column)>,
    ) {
        out.push((path.clone(), c));
        for (part, child) in c.children() {
            path.push(match part {
                Part::Field => match &child.name {
                    Some(name) => ir::Step::Field(name.value.clone()),
                    None => continue,
                },
                Part::Items => ir::Step::Items,
                Part::Keys => ir::Step::Keys,
                Part::Values => ir::Step::Values,
            });
            walk(child, path, out);
            path.pop();
        }
    }
    let mut out = Vec::new();
    walk(column, &mut Vec::new(), &mut out);
    out
}

fn check(name: String, column: Option<&str>, kind: CheckKind, options: &RuleOptions) -> Check {
    // Without a window on the dataset, `windowed` is set false by `checks`.
    let windowed = options
        .window
        .as_ref()
        .map(|w| w.value)
        .or(kind.window_default())
        .unwrap_or(false);
    Check {
        windowed,
        window_written: options.window.as_ref().map(|w| w.value),
        name,
        column: column.map(str::to_string),
        path: Vec::new(),
        kind,
        severity: options
            .severity
            .as_ref()
            .map(|s| s.value)
            .unwrap_or_default(),
        filter: text(&options.filter),
        tolerance: options.tolerance.as_ref().map(|t| t.value.clone()),
        description: text(&options.description),
    }
}

fn checks(c: &Contract, index: &Index) -> Vec<Check> {
    let mut out = Vec::new();
    for column in c.columns.iter().flatten() {
        let Some(name) = &column.name else {
            continue;
        };
        for (path, node) in nodes(column) {
            let Some(ty) = &node.ty else { continue };
            for (rule, options, kind) in column_checks(node, ty.value, index) {
                let check_name = options
                    .name
                    .as_ref()
                    .map(|n| n.value.clone())
                    .unwrap_or_else(|| nested_name(name, &path, rule));
                let mut check = check(check_name, Some(name), kind, options);
                check.path = path.clone();
                out.push(check);
            }
        }
    }
    if let Some(rc) = &c.row_count {
        let options = RuleOptions {
            severity: rc.severity,
            filter: rc.filter.clone(),
            tolerance: None,
            description: rc.description.clone(),
            name: rc.name.clone(),
            window: rc.window,
        };
        let name = text(&rc.name).unwrap_or_else(|| "row_count".into());
        if rc.min.is_some() || rc.max.is_some() {
            let kind = CheckKind::RowCount {
                min: rc.min.as_ref().map(|m| m.value),
                max: rc.max.as_ref().map(|m| m.value),
            };
            out.push(check(name.clone(), None, kind, &options));
        }
        if let Some(max) = rc.change.as_ref().and_then(|c| c.max.as_ref()) {
            let kind = CheckKind::RowCountChange {
                max: max.value.clone(),
            };
            out.push(check(change_name(&name), None, kind, &options));
        }
    }
    if let Some(f) = &c.freshness {
        if let Some(column) = &f.column {
            let options = RuleOptions {
                severity: None,
                filter: f.filter.clone(),
                tolerance: None,
                description: f.description.clone(),
                name: None,
                window: None,
            };
            let kind = CheckKind::Freshness {
                column: column.value.clone(),
                warn_after: f.warn_after.as_ref().map(|d| d.value),
                error_after: f.error_after.as_ref().map(|d| d.value),
            };
            let mut freshness = check("freshness".into(), None, kind, &options);
            // Freshness fails only past error_after; with warn_after alone it can only warn.
            if f.error_after.is_none() {
                freshness.severity = Severity::Warn;
            }
            out.push(freshness);
        }
    }
    for tc in c.checks.iter().flatten() {
        let (Some(name), Some(body)) = (&tc.name, &tc.body) else {
            continue;
        };
        let kind = match body {
            CheckBody::Expression(sql) => CheckKind::Expression {
                sql: sql.value.clone(),
            },
            CheckBody::Unique(columns) => CheckKind::UniqueCombination {
                columns: columns.iter().map(|c| c.value.clone()).collect(),
            },
            CheckBody::Sql(query) => CheckKind::Sql {
                query: query.value.clone(),
            },
        };
        out.push(check(name.value.clone(), None, kind, &tc.options));
    }
    // Only a dataset with a (whole) window has windowed checks.
    let window = c.dataset.as_ref().and_then(|d| d.window.as_ref());
    if window.is_none_or(|w| w.column.is_none() || w.last.is_none()) {
        for check in &mut out {
            check.windowed = false;
        }
    }
    out
}

/// Where the parts of `c` were written.
pub fn origin(c: &Contract) -> Origin {
    fn at<T>(s: &Option<Spanned<T>>) -> Option<Span> {
        s.as_ref().map(|s| s.span)
    }
    fn first<T>(items: &Option<Vec<Spanned<T>>>) -> Option<Span> {
        items.as_ref()?.first().map(|s| s.span)
    }
    let columns = c
        .columns
        .iter()
        .flatten()
        .filter_map(|col| {
            let name = col.name.as_ref()?;
            let physical_types = col
                .physical_type
                .iter()
                .flatten()
                .map(|(d, _)| (d.value, d.span))
                .collect();
            let origin = ColumnOrigin {
                name: name.span,
                ty: at(&col.ty),
                description: at(&col.description),
                physical_types,
                pii: at(&col.pii),
                tags: first(&col.tags),
                renamed_from: at(&col.renamed_from),
            };
            Some((name.value.clone(), origin))
        })
        .collect();
    Origin {
        format: c.format,
        contract: c.contract.as_ref().map_or(c.span, |id| id.span),
        version: at(&c.version),
        renamed_from: at(&c.renamed_from),
        title: at(&c.title),
        description: at(&c.description),
        owners: c.owners_key,
        tags: first(&c.tags),
        dataset: c.dataset.as_ref().map(|d| d.span),
        dbt: (c.dataset.as_ref())
            .and_then(|d| d.dbt.as_ref()?.node())
            .map(|(_, name)| name.span),
        slo: c.slo.as_ref().map(|s| s.key),
        columns,
        checks: check_names(c)
            .into_iter()
            .map(|(name, span, _)| (name, span))
            .collect(),
    }
}

/// The check kind of each rule set on one column, with its options, in the
/// fixed order checks are listed.
fn column_checks<'a>(
    column: &'a Column,
    ty: crate::types::LogicalType,
    index: &Index,
) -> Vec<(&'static str, &'a RuleOptions, CheckKind)> {
    let coerce = |v: &Option<Spanned<Scalar>>| coerce::coerce(v.as_ref()?, ty).ok();
    rule_sites(column)
        .into_iter()
        .filter_map(|rule| {
            let kind = match rule {
                ColumnRule::Required(_) => CheckKind::Required,
                ColumnRule::Unique(_) => CheckKind::Unique,
                ColumnRule::AcceptedValues(r) => CheckKind::AcceptedValues {
                    values: r
                        .value
                        .as_ref()?
                        .iter()
                        .filter_map(|v| coerce::coerce(v, ty).ok())
                        .collect(),
                },
                ColumnRule::Min(r) => CheckKind::Min {
                    value: coerce(&r.value)?,
                },
                ColumnRule::Max(r) => CheckKind::Max {
                    value: coerce(&r.value)?,
                },
                ColumnRule::Pattern(r) => CheckKind::Pattern {
                    regex: r.value.as_ref()?.value.clone(),
                },
                ColumnRule::Length(r) => CheckKind::Length {
                    min: r.min.as_ref().map(|m| m.value),
                    max: r.max.as_ref().map(|m| m.value),
                },
                ColumnRule::UniqueItems(_) => CheckKind::UniqueItems,
                ColumnRule::NullRate(r) => CheckKind::NullRateIncrease {
                    max: r.max_increase.as_ref()?.value.clone(),
                },
                ColumnRule::References(r) => {
                    let target = r.value.as_ref()?;
                    CheckKind::References {
                        contract: target.contract.clone(),
                        column: target.column.clone(),
                        location: index.location(&target.contract)?,
                    }
                }
            };
            Some((rule.name(), rule.options(), kind))
        })
        .collect()
}

/// One rule written on a column.
#[derive(Clone, Copy)]
pub(crate) enum ColumnRule<'a> {
    Required(&'a Rule<bool>),
    Unique(&'a Rule<bool>),
    AcceptedValues(&'a Rule<Vec<Spanned<Scalar>>>),
    Min(&'a Rule<Scalar>),
    Max(&'a Rule<Scalar>),
    Pattern(&'a Rule<String>),
    Length(&'a LengthRule),
    UniqueItems(&'a Rule<bool>),
    References(&'a Rule<ColumnRef>),
    NullRate(&'a NullRateRule),
}

impl<'a> ColumnRule<'a> {
    /// The rule's kind in the vocabulary.
    pub fn kind(self) -> ColumnRuleKind {
        match self {
            ColumnRule::Required(_) => ColumnRuleKind::Required,
            ColumnRule::Unique(_) => ColumnRuleKind::Unique,
            ColumnRule::AcceptedValues(_) => ColumnRuleKind::AcceptedValues,
            ColumnRule::Min(_) => ColumnRuleKind::Min,
            ColumnRule::Max(_) => ColumnRuleKind::Max,
            ColumnRule::Pattern(_) => ColumnRuleKind::Pattern,
            ColumnRule::Length(_) => ColumnRuleKind::Length,
            ColumnRule::UniqueItems(_) => ColumnRuleKind::UniqueItems,
            ColumnRule::References(_) => ColumnRuleKind::References,
            ColumnRule::NullRate(_) => ColumnRuleKind::NullRate,
        }
    }

    /// The rule's name: its key in the contract, and the suffix of its check name.
    pub fn name(self) -> &'static str {
        self.kind().key()
    }

    /// The span of the rule's key.
    pub fn key(self) -> Span {
        match self {
            ColumnRule::Required(r) | ColumnRule::Unique(r) | ColumnRule::UniqueItems(r) => r.key,
            ColumnRule::AcceptedValues(r) => r.key,
            ColumnRule::Min(r) | ColumnRule::Max(r) => r.key,
            ColumnRule::Pattern(r) => r.key,
            ColumnRule::Length(r) => r.key,
            ColumnRule::References(r) => r.key,
            ColumnRule::NullRate(r) => r.key,
        }
    }

    pub fn options(self) -> &'a RuleOptions {
        match self {
            ColumnRule::Required(r) | ColumnRule::Unique(r) | ColumnRule::UniqueItems(r) => {
                &r.options
            }
            ColumnRule::AcceptedValues(r) => &r.options,
            ColumnRule::Min(r) | ColumnRule::Max(r) => &r.options,
            ColumnRule::Pattern(r) => &r.options,
            ColumnRule::Length(r) => &r.options,
            ColumnRule::References(r) => &r.options,
            ColumnRule::NullRate(r) => &r.options,
        }
    }
}

/// The rules set (and enabled) on a column, in the fixed order of checks.
/// The one list of a column's rules: naming, validation and lowering all read it.
pub(crate) fn rule_sites(column: &Column) -> Vec<ColumnRule<'_>> {
    let enabled = |rule: &Option<Rule<bool>>| -> bool {
        rule.as_ref()
            .and_then(|r| r.value.as_ref())
            .is_some_and(|v| v.value)
    };
    let site = |kind: ColumnRuleKind| match kind {
        ColumnRuleKind::Required => column
            .required
            .as_ref()
            .filter(|_| enabled(&column.required))
            .map(ColumnRule::Required),
        ColumnRuleKind::Unique => column
            .unique
            .as_ref()
            .filter(|_| enabled(&column.unique))
            .map(ColumnRule::Unique),
        ColumnRuleKind::AcceptedValues => column
            .accepted_values
            .as_ref()
            .map(ColumnRule::AcceptedValues),
        ColumnRuleKind::Min => column.min.as_ref().map(ColumnRule::Min),
        ColumnRuleKind::Max => column.max.as_ref().map(ColumnRule::Max),
        ColumnRuleKind::Pattern => column.pattern.as_ref().map(ColumnRule::Pattern),
        ColumnRuleKind::Length => column.length.as_ref().map(ColumnRule::Length),
        ColumnRuleKind::UniqueItems => column
            .unique_items
            .as_ref()
            .filter(|_| enabled(&column.unique_items))
            .map(ColumnRule::UniqueItems),
        ColumnRuleKind::References => column.references.as_ref().map(ColumnRule::References),
        ColumnRuleKind::NullRate => column.null_rate.as_ref().map(ColumnRule::NullRate),
    };
    ColumnRuleKind::ALL
        .iter()
        .filter_map(|&k| site(k))
        .collect()
}

/// Every check name of a contract with the span it comes from, and whether
/// the name was derived (rather than written by the user).
pub fn check_names(c: &Contract) -> Vec<(String, Span, bool)> {
    let mut out = Vec::new();
    for column in c.columns.iter().flatten() {
        let Some(name) = &column.name else { continue };
        for (path, node) in nodes(column) {
            for rule in rule_sites(node) {
                match &rule.options().name {
                    Some(n) => out.push((n.value.clone(), n.span, false)),
                    None => out.push((nested_name(name, &path, rule.name()), rule.key(), true)),
                }
            }
        }
    }
    if let Some(rc) = &c.row_count {
        let (name, span, derived) = match &rc.name {
            Some(n) => (n.value.clone(), n.span, false),
            None => ("row_count".to_string(), rc.key, true),
        };
        if let Some(change) = &rc.change {
            out.push((change_name(&name), change.span, derived));
        }
        if rc.min.is_some() || rc.max.is_some() {
            out.push((name, span, derived));
        }
    }
    if let Some(f) = &c.freshness {
        out.push(("freshness".into(), f.key, true));
    }
    for tc in c.checks.iter().flatten() {
        if let Some(n) = &tc.name {
            out.push((n.value.clone(), n.span, false));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_names() {
        use crate::ir::Step;
        let path = [Step::Items, Step::Field("SKU Code".into())];
        assert_eq!(
            nested_name("Line Items", &path, "required"),
            "line_items[].sku_code__required"
        );
        assert_eq!(
            nested_name("labels", &[Step::Keys], "pattern"),
            "labels[key]__pattern"
        );
        assert_eq!(
            nested_name("a", &[Step::Field("1".into())], "min"),
            "a.field_1__min"
        );
    }

    #[test]
    fn derived_names() {
        use crate::names::derived_name;
        assert_eq!(derived_name("Order ID", "unique"), "order_id__unique");
        assert_eq!(
            derived_name("a;drop table x--", "min"),
            "a_drop_table_x__min"
        );
        assert_eq!(derived_name("\"odd\"name", "min"), "odd_name__min");
        assert_eq!(derived_name("naïve col", "pattern"), "na_ve_col__pattern");
        assert_eq!(derived_name("1st", "min"), "column_1st__min");
        assert_eq!(derived_name("\"\"", "min"), "column__min");
    }
}
