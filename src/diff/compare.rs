//! The classification: every difference between two versions of a dataset,
//! as [`Change`]s, one function per part of a contract. docs/diff.md is the
//! same table in words; keep them together.
//!
//! The rule of thumb: a consumer may rely on every promise of the old
//! version. A change that can let through data the old version refused, or
//! that moves or renames what queries name, is breaking; a stronger or new
//! promise is minor; what no query can observe is a patch. When datapact
//! cannot prove a change is stronger (a new regular expression, a new SQL
//! expression), it is breaking.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::{Change, Class, Side, Words, w};
use crate::ir::Origin;
use crate::ir::{Check, CheckKind, Column, Dataset, DbtNode, Location, Owner, Step};
use crate::literal::{self, Literal};
use crate::names;
use crate::rules::COLUMN_RULE_KEYS;
use crate::source::Span;
use crate::types::Dialect;
use crate::types::{Duration, LogicalType, Severity, Tolerance};

/// The renames the new side declares, so that what follows a rename (a
/// reference to a renamed contract or column, a freshness column, a unique
/// combination) is not reported again.
#[derive(Debug, Default)]
pub struct Renames {
    /// Old contract id → new id.
    contracts: BTreeMap<String, String>,
    /// (new contract id, old column name) → new column name.
    columns: BTreeMap<(String, String), String>,
}

impl Renames {
    pub fn of(ir: &crate::ir::Ir) -> Renames {
        let mut r = Renames::default();
        for d in &ir.datasets {
            if let Some(old) = &d.renamed_from {
                r.contracts.insert(old.clone(), d.contract.clone());
            }
            for c in &d.columns {
                if let Some(old) = &c.renamed_from {
                    r.columns
                        .insert((d.contract.clone(), old.clone()), c.name.clone());
                }
            }
        }
        r
    }

    /// An old contract id as the new side names it.
    fn contract<'a>(&'a self, old: &'a str) -> &'a str {
        self.contracts.get(old).map_or(old, String::as_str)
    }

    /// An old column of `contract` (its new id) as the new side names it.
    fn column<'a>(&'a self, contract: &str, old: &'a str) -> &'a str {
        self.columns
            .get(&(contract.to_string(), old.to_string()))
            .map_or(old, String::as_str)
    }
}

/// The changes from `o` to `n`, in contract order: the contract, its
/// columns (removed ones last), then table rules.
pub fn datasets(
    o: &Dataset,
    o_at: &Origin,
    n: &Dataset,
    n_at: &Origin,
    renames: &Renames,
) -> Vec<Change> {
    let mut d = Diff {
        old_at: o_at,
        new_at: n_at,
        renames,
        contract: &n.contract,
        out: Vec::new(),
    };
    d.contract(o, n);
    d.columns(o, n);
    d.table_rules(o, n);
    d.out
}

/// A change found, before it is located.
struct Found {
    class: Class,
    kind: &'static str,
    what: Words,
    why: Words,
}

fn found(class: Class, kind: &'static str, what: Words, why: Words) -> Found {
    Found {
        class,
        kind,
        what,
        why,
    }
}

struct Diff<'a> {
    old_at: &'a Origin,
    new_at: &'a Origin,
    renames: &'a Renames,
    /// The new contract id.
    contract: &'a str,
    out: Vec<Change>,
}

impl Diff<'_> {
    fn push(&mut self, side: Side, span: Option<Span>, f: Found) {
        let fallback = match side {
            Side::Old => self.old_at.contract,
            Side::New => self.new_at.contract,
        };
        self.out.push(Change {
            class: f.class,
            kind: f.kind,
            what: f.what,
            why: f.why,
            side,
            span: span.unwrap_or(fallback),
        });
    }

    fn contract(&mut self, o: &Dataset, n: &Dataset) {
        let at = self.new_at;
        if o.contract != n.contract {
            self.push(
                Side::New,
                at.renamed_from,
                found(
                    Class::Breaking,
                    "contract-renamed",
                    w("contract renamed from ").c(&o.contract).t(" to ").c(&n.contract),
                    w("whatever names the old id (references, catalogs, alerts) no longer finds it"),
                ),
            );
        }
        if o.location != n.location {
            self.push(
                Side::New,
                at.dataset,
                found(
                    Class::Breaking,
                    "location-changed",
                    w("dataset moved from ")
                        .c(location(&o.location))
                        .t(" to ")
                        .c(location(&n.location)),
                    w("queries that read the old table no longer find it"),
                ),
            );
        }
        match (&o.dbt, &n.dbt) {
            (a, b) if a == b => {}
            (None, Some(b)) => self.push(
                Side::New,
                at.dbt,
                found(
                    Class::Minor,
                    "dbt-node-added",
                    w("now the dbt ").then(dbt_node(b)),
                    w("dbt projects can now build on it; the table is unchanged"),
                ),
            ),
            (Some(a), b) => {
                let what = match b {
                    Some(b) => w("dbt node ").then(dbt_node(a)).t(" → ").then(dbt_node(b)),
                    None => w("no longer the dbt ").then(dbt_node(a)),
                };
                self.push(
                    Side::New,
                    at.dbt.or(at.dataset),
                    found(
                        Class::Breaking,
                        "dbt-node-changed",
                        what,
                        w("dbt models that ")
                            .c("ref()")
                            .t(" or ")
                            .c("source()")
                            .t(" the old node no longer compile"),
                    ),
                );
            }
            (None, None) => {}
        }
        self.window(o, n);
        let docs_only = || w("documentation only: no query sees it");
        if o.title != n.title {
            self.push(
                Side::New,
                at.title,
                found(
                    Class::Patch,
                    "title-changed",
                    w("title changed"),
                    docs_only(),
                ),
            );
        }
        if o.description != n.description {
            self.push(
                Side::New,
                at.description,
                found(
                    Class::Patch,
                    "description-changed",
                    w("description changed"),
                    docs_only(),
                ),
            );
        }
        if let Some(what) = owners(&o.owners, &n.owners) {
            self.push(
                Side::New,
                at.owners,
                found(
                    Class::Patch,
                    "owners-changed",
                    what,
                    w("who answers for the data is not part of what a query sees"),
                ),
            );
        }
        if !same_set(&o.tags, &n.tags) {
            self.push(
                Side::New,
                at.tags,
                found(
                    Class::Patch,
                    "tags-changed",
                    w("tags changed"),
                    w("labels only: no query sees them"),
                ),
            );
        }
        self.slo(o, n);
    }

    /// The dataset's window: fewer rows checked is a weaker promise (when
    /// a rule sees only the window; else a change of no consequence).
    fn window(&mut self, o: &Dataset, n: &Dataset) {
        let shown = |window: &crate::ir::Window| {
            Words::default()
                .c(&window.column)
                .t(" within ")
                .c(window.last.to_string())
        };
        // The old column as the new side names it; `1d` and `24h` alike.
        let old = o.window.as_ref().map(|w| {
            (
                self.renames.column(&n.contract, &w.column).to_string(),
                w.last.seconds(),
            )
        });
        let new = n
            .window
            .as_ref()
            .map(|w| (w.column.clone(), w.last.seconds()));
        if old == new {
            return;
        }
        let applies = n.checks.iter().any(|c| c.windowed) || o.checks.iter().any(|c| c.windowed);
        let weaker = |f: Found| match applies {
            true => f,
            false => found(
                Class::Patch,
                f.kind,
                f.what,
                w("no rule sees only the window: nothing a query checks changes"),
            ),
        };
        let f = match (&o.window, &n.window, &old, &new) {
            (None, Some(b), _, _) => weaker(found(
                Class::Breaking,
                "window-added",
                w("rules on each row now see only the rows with ").then(shown(b)),
                w("older rows are no longer checked"),
            )),
            (Some(a), None, _, _) => weaker(found(
                Class::Minor,
                "window-removed",
                w("window ").then(shown(a)).t(" removed"),
                w("every row is now checked: a stronger promise"),
            )),
            (Some(a), Some(b), Some((oc, os)), Some((nc, ns))) if oc == nc && ns > os => {
                weaker(found(
                    Class::Minor,
                    "window-widened",
                    w("window ").then(shown(a)).t(" → ").then(shown(b)),
                    w("more rows are checked: a stronger promise"),
                ))
            }
            (Some(a), Some(b), Some((oc, _)), Some((nc, _))) => weaker(found(
                Class::Breaking,
                "window-narrowed",
                w("window ").then(shown(a)).t(" → ").then(shown(b)),
                if oc == nc {
                    w("fewer rows are checked")
                } else {
                    w("datapact cannot prove the new window keeps every row the old one checked")
                },
            )),
            _ => return,
        };
        self.push(Side::New, self.new_at.dataset, f);
    }

    /// The service-level objectives, defaults included: a lower objective
    /// or a longer window lets the promise be broken more often.
    fn slo(&mut self, o: &Dataset, n: &Dataset) {
        let (a, b) = (o.slo(), n.slo());
        let mut found_all = Vec::new();
        for (key, old, new) in [
            ("slo.freshness", &a.freshness, &b.freshness),
            ("slo.quality", &a.quality, &b.quality),
        ] {
            if old == new {
                continue;
            }
            let what = w("")
                .c(key)
                .t(" ")
                .c(old.to_string())
                .t(" → ")
                .c(new.to_string());
            found_all.push(if new.percent() < old.percent() {
                found(
                    Class::Breaking,
                    "slo-loosened",
                    what,
                    w("the promise may now be broken in more runs"),
                )
            } else {
                found(
                    Class::Minor,
                    "slo-tightened",
                    what,
                    w("the promise must hold in more runs: a stronger promise"),
                )
            });
        }
        if a.window.seconds() != b.window.seconds() {
            let what = w("")
                .c("slo.window")
                .t(" ")
                .c(a.window.to_string())
                .t(" → ")
                .c(b.window.to_string());
            found_all.push(if b.window.seconds() > a.window.seconds() {
                found(
                    Class::Breaking,
                    "slo-loosened",
                    what,
                    w("over a longer window, more bad runs may come in a row"),
                )
            } else {
                found(
                    Class::Minor,
                    "slo-tightened",
                    what,
                    w("over a shorter window, fewer bad runs may come in a row"),
                )
            });
        }
        for f in found_all {
            self.push(Side::New, self.new_at.slo, f);
        }
    }

    fn columns(&mut self, o: &Dataset, n: &Dataset) {
        let old: BTreeMap<&str, &Column> = o.columns.iter().map(|c| (c.name.as_str(), c)).collect();
        let current: BTreeSet<&str> = n.columns.iter().map(|c| c.name.as_str()).collect();
        let mut paired: BTreeSet<&str> = BTreeSet::new();
        for nc in &n.columns {
            let renamed_from = nc
                .renamed_from
                .as_deref()
                .filter(|from| !current.contains(from) && !paired.contains(from));
            let matched = old.get(nc.name.as_str()).or_else(|| old.get(renamed_from?));
            match matched {
                Some(oc) => {
                    paired.insert(oc.name.as_str());
                    self.column(o, oc, n, nc);
                }
                None => self.column_added(n, nc),
            }
        }
        for oc in &o.columns {
            if !paired.contains(oc.name.as_str()) {
                let span = self.old_at.columns.get(&oc.name).map(|c| c.name);
                self.push(
                    Side::Old,
                    span,
                    found(
                        Class::Breaking,
                        "column-removed",
                        w("column ").c(&oc.name).t(" removed"),
                        w("queries that select it fail"),
                    ),
                );
            }
        }
    }

    fn column_added(&mut self, n: &Dataset, nc: &Column) {
        let span = self.new_at.columns.get(&nc.name).map(|c| c.name);
        self.push(Side::New, span, added(n, &nc.name, &[], nc));
    }

    fn column(&mut self, o: &Dataset, oc: &Column, n: &Dataset, nc: &Column) {
        let at = self.new_at.columns.get(&nc.name).cloned();
        let name_at = at.as_ref().map(|a| a.name);
        let subject = || w("column ").c(&nc.name).t(": ");
        if oc.name != nc.name {
            self.push(
                Side::New,
                at.as_ref().and_then(|a| a.renamed_from).or(name_at),
                found(
                    Class::Breaking,
                    "column-renamed",
                    w("column renamed from ").c(&oc.name).t(" to ").c(&nc.name),
                    w("queries that select the old name fail"),
                ),
            );
        }
        if oc.ty != nc.ty {
            let what = subject()
                .t("type ")
                .c(oc.ty.to_string())
                .t(" → ")
                .c(nc.ty.to_string());
            let f = type_change(what, oc.ty, nc.ty);
            self.push(Side::New, at.as_ref().and_then(|a| a.ty).or(name_at), f);
        }
        for dialect in Dialect::ALL {
            let (a, b) = (
                oc.physical_types.get(dialect),
                nc.physical_types.get(dialect),
            );
            if a.is_none() && b.is_none() {
                continue;
            }
            let a = a
                .cloned()
                .unwrap_or_else(|| crate::emit::sql::column_type(oc, *dialect));
            let b = b
                .cloned()
                .unwrap_or_else(|| crate::emit::sql::column_type(nc, *dialect));
            if normalize(&a).eq_ignore_ascii_case(&normalize(&b)) {
                continue;
            }
            self.push(
                Side::New,
                at.as_ref()
                    .and_then(|a| a.physical_types.get(dialect).copied())
                    .or(name_at),
                found(
                    Class::Breaking,
                    "physical-type-changed",
                    subject()
                        .t("physical type on ")
                        .t(dialect.name())
                        .t(" ")
                        .c(a)
                        .t(" → ")
                        .c(b),
                    w("datapact cannot tell whether one physical type holds every value of another"),
                ),
            );
        }
        if oc.description != nc.description {
            self.push(
                Side::New,
                at.as_ref().and_then(|a| a.description).or(name_at),
                found(
                    Class::Patch,
                    "column-description-changed",
                    subject().t("description changed"),
                    w("documentation only: no query sees it"),
                ),
            );
        }
        if !same_set(&oc.tags, &nc.tags) {
            self.push(
                Side::New,
                at.as_ref().and_then(|a| a.tags).or(name_at),
                found(
                    Class::Patch,
                    "column-tags-changed",
                    subject().t("tags changed"),
                    w("labels only: no query sees them"),
                ),
            );
        }
        if oc.pii != nc.pii {
            let what = if nc.pii {
                subject().t("now marked personal data")
            } else {
                subject().t("no longer marked personal data")
            };
            self.push(
                Side::New,
                at.as_ref().and_then(|a| a.pii).or(name_at),
                found(
                    Class::Patch,
                    "pii-changed",
                    what,
                    w("a classification: queries see the same data"),
                ),
            );
        }
        self.nested(n, &nc.name, &[], oc, nc, name_at);
        // Rules by where they look (the column, or a path inside it) and kind.
        type Rules = BTreeMap<(Vec<Step>, &'static str), Check>;
        let rules = |d: &Dataset, column: &str| -> Rules {
            d.checks
                .iter()
                .filter(|c| c.column.as_deref() == Some(column))
                .map(|c| ((c.path.clone(), c.kind.rule()), c.clone()))
                .collect()
        };
        let (old_rules, new_rules) = (rules(o, &oc.name), rules(n, &nc.name));
        let paths: BTreeSet<&Vec<Step>> = old_rules
            .keys()
            .chain(new_rules.keys())
            .map(|(p, _)| p)
            .collect();
        // A field added or removed is reported once, as a column; its rules
        // with it.
        let exists = |c: &Column, path: &[Step]| {
            path.iter()
                .try_fold(c, |node, step| node.child(step))
                .is_some()
        };
        for path in paths.into_iter().filter(|p| exists(oc, p) && exists(nc, p)) {
            for &rule in COLUMN_RULE_KEYS.iter() {
                let key = (path.clone(), rule);
                // A derived name follows its column: a rename is reported once, as the column's.
                let derived =
                    |c: &Check, column: &str| c.name == names::nested_name(column, path, rule);
                let (a, b) = (old_rules.get(&key), new_rules.get(&key));
                let follows = a
                    .zip(b)
                    .is_some_and(|(a, b)| derived(a, &oc.name) && derived(b, &nc.name));
                let subject = if path.is_empty() {
                    subject()
                } else {
                    w("column ").c(crate::ir::path_text(&nc.name, path)).t(": ")
                };
                self.rule(subject, a, b, follows);
            }
        }
    }

    /// What a nested column holds, compared like columns: a field (items,
    /// keys, values) added, removed or retyped.
    fn nested(
        &mut self,
        n: &Dataset,
        column: &str,
        path: &[Step],
        oc: &Column,
        nc: &Column,
        at: Option<Span>,
    ) {
        for (step, new) in nc.children() {
            let mut inner = path.to_vec();
            inner.push(step.clone());
            let shown = crate::ir::path_text(column, &inner);
            let Some(old) = oc.child(&step) else {
                self.push(Side::New, at, added(n, column, &inner, new));
                continue;
            };
            if old.ty != new.ty {
                let what = w("column ")
                    .c(&shown)
                    .t(": type ")
                    .c(old.ty.to_string())
                    .t(" → ")
                    .c(new.ty.to_string());
                self.push(Side::New, at, type_change(what, old.ty, new.ty));
            }
            self.nested(n, column, &inner, old, new, at);
        }
        for (step, _) in oc.children() {
            if nc.child(&step).is_none() {
                let mut inner = path.to_vec();
                inner.push(step);
                self.push(
                    Side::New,
                    at,
                    found(
                        Class::Breaking,
                        "column-removed",
                        w("column ")
                            .c(crate::ir::path_text(column, &inner))
                            .t(" removed"),
                        w("queries that read it fail"),
                    ),
                );
            }
        }
    }

    /// Row count, freshness and table checks (paired by name; a check
    /// renamed with its rule unchanged is paired by its rule).
    fn table_rules(&mut self, o: &Dataset, n: &Dataset) {
        let table = |d: &Dataset| -> Vec<Check> {
            d.checks
                .iter()
                .filter(|c| c.column.is_none())
                .cloned()
                .collect()
        };
        let (old, new) = (table(o), table(n));
        let singleton =
            |checks: &[Check], rule: &str| checks.iter().find(|c| c.kind.rule() == rule).cloned();
        for rule in ["row_count", "row_count_change", "freshness"] {
            self.rule(
                w("").c(rule).t(": "),
                singleton(&old, rule).as_ref(),
                singleton(&new, rule).as_ref(),
                false,
            );
        }
        let named = |checks: &[Check]| -> Vec<Check> {
            checks
                .iter()
                .filter(|c| {
                    !matches!(
                        c.kind,
                        CheckKind::RowCount { .. }
                            | CheckKind::RowCountChange { .. }
                            | CheckKind::Freshness { .. }
                    )
                })
                .cloned()
                .collect()
        };
        let (old, new) = (named(&old), named(&new));
        let mut pairs: Vec<(Option<&Check>, Option<&Check>)> = Vec::new();
        let mut unpaired_old: Vec<&Check> = Vec::new();
        for oc in &old {
            match new.iter().find(|nc| nc.name == oc.name) {
                Some(nc) => pairs.push((Some(oc), Some(nc))),
                None => unpaired_old.push(oc),
            }
        }
        let mut unpaired_new: Vec<&Check> = new
            .iter()
            .filter(|nc| !old.iter().any(|oc| oc.name == nc.name))
            .collect();
        for oc in unpaired_old {
            // The same rule under another name: a renamed check.
            let same = |nc: &&Check| {
                std::mem::discriminant(&nc.kind) == std::mem::discriminant(&oc.kind)
                    && kind(&oc.kind, &nc.kind, self.renames, self.contract).is_empty()
            };
            match unpaired_new.iter().position(same) {
                Some(i) => pairs.push((Some(oc), Some(unpaired_new.remove(i)))),
                None => pairs.push((Some(oc), None)),
            }
        }
        pairs.extend(unpaired_new.into_iter().map(|nc| (None, Some(nc))));
        // In the new file's order, removed checks last.
        let position = |c: Option<&Check>| {
            c.and_then(|c| new.iter().position(|nc| nc.name == c.name))
                .unwrap_or(usize::MAX)
        };
        pairs.sort_by_key(|(oc, nc)| (position(*nc), oc.map(|c| c.name.clone())));
        for (oc, nc) in pairs {
            let name = nc.or(oc).map(|c| c.name.clone()).unwrap_or_default();
            self.rule(w("check ").c(name).t(": "), oc, nc, false);
        }
    }

    /// One rule: added, removed, or compared.
    /// `derived_names`: both checks are named after their columns, so a
    /// different name is the column's rename, not the check's.
    fn rule(&mut self, subject: Words, o: Option<&Check>, n: Option<&Check>, derived_names: bool) {
        match (o, n) {
            (None, None) => {}
            (None, Some(n)) => {
                let span = self.new_at.checks.get(&n.name).copied();
                self.push(
                    Side::New,
                    span,
                    found(
                        Class::Minor,
                        "rule-added",
                        subject.t("new rule ").then(rule_text(&n.kind)),
                        w("a new promise: data that meets it met the old contract too"),
                    ),
                );
            }
            (Some(o), None) => {
                let span = self.old_at.checks.get(&o.name).copied();
                self.push(
                    Side::Old,
                    span,
                    found(
                        Class::Breaking,
                        "rule-removed",
                        subject.t("rule ").then(rule_text(&o.kind)).t(" removed"),
                        w("consumers may rely on what it promised"),
                    ),
                );
            }
            (Some(o), Some(n)) => {
                let span = self.new_at.checks.get(&n.name).copied();
                for f in kind(&o.kind, &n.kind, self.renames, self.contract)
                    .into_iter()
                    .chain(options(o, n, derived_names))
                {
                    self.push(
                        Side::New,
                        span,
                        Found {
                            what: subject.clone().then(f.what),
                            ..f
                        },
                    );
                }
            }
        }
    }
}

/// A column added, or a value inside a nested column (at `path`): breaking
/// when it is required (`required` of severity `error`; one that only warns
/// obliges no producer).
fn added(n: &Dataset, column: &str, path: &[Step], c: &Column) -> Found {
    let required = n.checks.iter().any(|k| {
        k.column.as_deref() == Some(column)
            && k.path == path
            && k.kind == CheckKind::Required
            && k.severity == Severity::Error
    });
    let what = w("column ")
        .c(crate::ir::path_text(column, path))
        .t(" added (")
        .c(c.ty.to_string())
        .t(if required { ", required)" } else { ")" });
    match (required, path.is_empty()) {
        (true, true) => found(
            Class::Breaking,
            "required-column-added",
            what,
            w(
                "rows written to the previous version have no value for it, and every producer must now supply one; add it optional first, then make it required",
            ),
        ),
        (true, false) => found(
            Class::Breaking,
            "required-column-added",
            what,
            w(
                "values written to the previous version have no such field, and every producer must now supply one; add it optional first, then make it required",
            ),
        ),
        (false, true) => found(
            Class::Minor,
            "column-added",
            what,
            w("queries that do not select it are unaffected"),
        ),
        (false, false) => found(
            Class::Minor,
            "column-added",
            what,
            w("queries that do not read it are unaffected"),
        ),
    }
}

/// A column's (or a nested value's) type changed from `from` to `to`.
fn type_change(what: Words, from: LogicalType, to: LogicalType) -> Found {
    if widens(from, to) {
        found(
            Class::Minor,
            "type-widened",
            what,
            w("every value of the old type is a value of the new one"),
        )
    } else {
        found(
            Class::Breaking,
            "type-changed",
            what,
            w(
                "the new type does not hold every value of the old one; queries, casts and comparisons written for the old type may fail or change meaning",
            ),
        )
    }
}

/// What changed in a rule itself; old names are read through `renames`
/// (`contract` is the new contract id).
fn kind(o: &CheckKind, n: &CheckKind, renames: &Renames, contract: &str) -> Vec<Found> {
    use CheckKind as K;
    let column = |old: &str| renames.column(contract, old).to_string();
    let mut out = Vec::new();
    match (o, n) {
        (K::Required, K::Required) | (K::Unique, K::Unique) | (K::UniqueItems, K::UniqueItems) => {}
        (K::AcceptedValues { values: a }, K::AcceptedValues { values: b }) => {
            let gained: Vec<&Literal> = b.iter().filter(|v| !a.contains(v)).collect();
            let lost: Vec<&Literal> = a.iter().filter(|v| !b.contains(v)).collect();
            if !gained.is_empty() {
                out.push(found(
                    Class::Breaking,
                    "values-added",
                    w("accepted values gain ").then(values(&gained)),
                    w("consumers may now see values they do not handle"),
                ));
            }
            if !lost.is_empty() {
                out.push(found(
                    Class::Minor,
                    "values-removed",
                    w("accepted values lose ").then(values(&lost)),
                    w("fewer values are allowed: a stronger promise"),
                ));
            }
        }
        (K::Min { value: a }, K::Min { value: b }) => out.extend(bound("min", a, b)),
        (K::Max { value: a }, K::Max { value: b }) => out.extend(bound("max", a, b)),
        (K::Pattern { regex: a }, K::Pattern { regex: b }) if a != b => out.push(found(
            Class::Breaking,
            "pattern-changed",
            w("pattern ").c(a).t(" → ").c(b),
            w("datapact cannot prove the new pattern matches only values the old one matched"),
        )),
        (K::Pattern { .. }, K::Pattern { .. }) => {}
        (K::Length { min: a, max: b }, K::Length { min: c, max: d }) => {
            out.extend(limit(
                "length-loosened",
                "length-tightened",
                "length.min",
                *a,
                *c,
                false,
            ));
            out.extend(limit(
                "length-loosened",
                "length-tightened",
                "length.max",
                *b,
                *d,
                true,
            ));
        }
        (K::RowCount { min: a, max: b }, K::RowCount { min: c, max: d }) => {
            out.extend(limit(
                "row-count-loosened",
                "row-count-tightened",
                "min",
                *a,
                *c,
                false,
            ));
            out.extend(limit(
                "row-count-loosened",
                "row-count-tightened",
                "max",
                *b,
                *d,
                true,
            ));
        }
        (
            K::References {
                contract: a,
                column: b,
                ..
            },
            K::References {
                contract: c,
                column: d,
                ..
            },
        ) => {
            let target = renames.contract(a);
            if (target, renames.column(target, b)) != (c.as_str(), d.as_str()) {
                out.push(found(
                    Class::Breaking,
                    "reference-changed",
                    w("references ").c(format!("{a}.{b}")).t(" → ").c(format!("{c}.{d}")),
                    w("values are now checked against another column; ones the old one held may be missing from it"),
                ));
            }
        }
        (K::Expression { sql: a }, K::Expression { sql: b }) => {
            if normalize(a) != normalize(b) {
                out.push(found(
                    Class::Breaking,
                    "expression-changed",
                    w("expression ").c(normalize(a)).t(" → ").c(normalize(b)),
                    w("datapact cannot prove the new expression is at least as strict"),
                ));
            }
        }
        (K::Sql { query: a }, K::Sql { query: b }) => {
            if normalize(a) != normalize(b) {
                out.push(found(
                    Class::Breaking,
                    "sql-changed",
                    w("query changed"),
                    w("datapact cannot prove the new query finds every row the old one found"),
                ));
            }
        }
        (K::UniqueCombination { columns: a }, K::UniqueCombination { columns: b }) => {
            let (a_set, b_set): (BTreeSet<String>, BTreeSet<String>) = (
                a.iter().map(|c| column(c)).collect(),
                b.iter().cloned().collect(),
            );
            if a_set != b_set {
                let what = w("unique together ")
                    .c(a.join(", "))
                    .t(" → ")
                    .c(b.join(", "));
                out.push(if b_set.is_subset(&a_set) {
                    found(
                        Class::Minor,
                        "unique-tightened",
                        what,
                        w("fewer columns unique together is a stronger promise"),
                    )
                } else {
                    found(
                        Class::Breaking,
                        "unique-changed",
                        what,
                        w("rows may now repeat the old combination of columns"),
                    )
                });
            }
        }
        (
            K::Freshness {
                column: a,
                warn_after: b,
                error_after: c,
            },
            K::Freshness {
                column: d,
                warn_after: e,
                error_after: f,
            },
        ) => {
            if column(a) != *d {
                out.push(found(
                    Class::Breaking,
                    "freshness-column-changed",
                    w("measured on ").c(a).t(" → ").c(d),
                    w("the SLA is now measured on another column; the data may be as old as that one allows"),
                ));
            }
            let minutes = |d: &Option<Duration>| d.map(|d| d.seconds());
            for (key, old, new) in [("warn_after", b, e), ("error_after", c, f)] {
                let text = |d: &Option<Duration>| d.map(|d| d.to_string());
                out.extend(ordered(
                    ("freshness-loosened", "freshness-tightened"),
                    key,
                    (minutes(old), minutes(new)),
                    (text(old), text(new)),
                    true,
                ));
            }
        }
        (K::NullRateIncrease { max: a }, K::NullRateIncrease { max: b }) => {
            out.extend(change_limit(
                ("null-rate-loosened", "null-rate-tightened"),
                "max_increase",
                a,
                b,
            ))
        }
        (K::RowCountChange { max: a }, K::RowCountChange { max: b }) => out.extend(change_limit(
            ("row-count-change-loosened", "row-count-change-tightened"),
            "change.max",
            a,
            b,
        )),
        // Rules of two kinds. Every kind is named, so a new kind fails to
        // compile here until its comparison above is written.
        (
            a @ (K::Required
            | K::Unique
            | K::AcceptedValues { .. }
            | K::Min { .. }
            | K::Max { .. }
            | K::Pattern { .. }
            | K::Length { .. }
            | K::UniqueItems
            | K::References { .. }
            | K::Expression { .. }
            | K::UniqueCombination { .. }
            | K::RowCount { .. }
            | K::RowCountChange { .. }
            | K::NullRateIncrease { .. }
            | K::Freshness { .. }
            | K::Sql { .. }),
            b,
        ) => out.push(found(
            Class::Breaking,
            "rule-replaced",
            w("rule ")
                .then(rule_text(a))
                .t(" replaced by ")
                .then(rule_text(b)),
            w("rules of different kinds cannot be compared"),
        )),
    }
    out
}

/// A change limit of a rule over time: a higher one lets more through.
fn change_limit(
    kinds: (&'static str, &'static str),
    key: &str,
    a: &crate::types::ChangeLimit,
    b: &crate::types::ChangeLimit,
) -> Option<Found> {
    // Millionths of a percent: the limits' own precision.
    let exact = |l: &crate::types::ChangeLimit| (l.percent() * 1e6).round() as u64;
    ordered(
        kinds,
        key,
        (Some(exact(a)), Some(exact(b))),
        (Some(a.to_string()), Some(b.to_string())),
        true,
    )
}

/// `min`/`max`: a lower min or a higher max lets more values through.
fn bound(key: &'static str, a: &Literal, b: &Literal) -> Option<Found> {
    if a == b {
        return None;
    }
    let what = w("").c(key).t(" ").c(a.text()).t(" → ").c(b.text());
    let Some(order) = literal::compare(b, a) else {
        return Some(found(
            Class::Breaking,
            if key == "min" {
                "min-changed"
            } else {
                "max-changed"
            },
            what,
            w(
                "datapact cannot order these values (strings sort by the warehouse's collation), so the range may be wider",
            ),
        ));
    };
    let looser = match (key, order) {
        ("min", Ordering::Less) | ("max", Ordering::Greater) => true,
        ("min", Ordering::Greater) | ("max", Ordering::Less) => false,
        _ => return None,
    };
    let kind = match (key, looser) {
        ("min", true) => "min-lowered",
        ("min", false) => "min-raised",
        (_, true) => "max-raised",
        (_, false) => "max-lowered",
    };
    Some(if looser {
        found(
            Class::Breaking,
            kind,
            what,
            w("values outside the old range are now allowed"),
        )
    } else {
        found(
            Class::Minor,
            kind,
            what,
            w("the allowed range is narrower: a stronger promise"),
        )
    })
}

/// A bound on a count (`length`, `row_count`): `upper` bounds loosen upward.
fn limit(
    looser: &'static str,
    tighter: &'static str,
    key: &str,
    old: Option<u64>,
    new: Option<u64>,
    upper: bool,
) -> Option<Found> {
    ordered(
        (looser, tighter),
        key,
        (old, new),
        (old.map(|v| v.to_string()), new.map(|v| v.to_string())),
        upper,
    )
}

/// A limit that is looser when larger (`upper`) or smaller; absent means
/// no limit at all.
fn ordered(
    (looser, tighter): (&'static str, &'static str),
    key: &str,
    (old, new): (Option<u64>, Option<u64>),
    (old_text, new_text): (Option<String>, Option<String>),
    upper: bool,
) -> Option<Found> {
    let loosened = match (old, new) {
        (a, b) if a == b => return None,
        (Some(_), None) => true,
        (None, Some(_)) => false,
        (Some(a), Some(b)) => (b > a) == upper,
        (None, None) => return None,
    };
    let what = match (old_text, new_text) {
        (Some(a), Some(b)) => w("").c(key).t(" ").c(a).t(" → ").c(b),
        (Some(a), None) => w("").c(key).t(" ").c(a).t(" removed"),
        (None, Some(b)) => w("").c(key).t(" ").c(b).t(" added"),
        (None, None) => w("").c(key),
    };
    Some(if loosened {
        found(
            Class::Breaking,
            looser,
            what,
            w("the limit is looser: data the old version refused now passes"),
        )
    } else {
        found(
            Class::Minor,
            tighter,
            what,
            w("the limit is stricter: a stronger promise"),
        )
    })
}

/// What changed in a rule's options: severity, filter, tolerance,
/// description, name.
fn options(o: &Check, n: &Check, derived_names: bool) -> Vec<Found> {
    let mut out = Vec::new();
    // A freshness rule's severity follows from its thresholds.
    let freshness = matches!(n.kind, CheckKind::Freshness { .. });
    if o.severity != n.severity && !freshness {
        let what = w("severity ")
            .c(o.severity.name())
            .t(" → ")
            .c(n.severity.name());
        out.push(if n.severity == Severity::Warn {
            found(
                Class::Breaking,
                "severity-lowered",
                what,
                w("a failure now only warns: the rule no longer stops a run"),
            )
        } else {
            found(
                Class::Minor,
                "severity-raised",
                what,
                w("a failure now stops a run: a stronger promise"),
            )
        });
    }
    match (&o.filter, &n.filter) {
        (a, b) if a.as_deref().map(normalize) == b.as_deref().map(normalize) => {}
        (None, Some(b)) => out.push(found(
            Class::Breaking,
            "filter-added",
            w("now only where ").c(normalize(b)),
            w("rows outside the filter are no longer checked"),
        )),
        (Some(a), None) => out.push(found(
            Class::Minor,
            "filter-removed",
            w("filter ").c(normalize(a)).t(" removed"),
            w("every row is now checked: a stronger promise"),
        )),
        (Some(a), Some(b)) => out.push(found(
            Class::Breaking,
            "filter-changed",
            w("filter ").c(normalize(a)).t(" → ").c(normalize(b)),
            w("datapact cannot prove the new filter keeps every row the old one checked"),
        )),
        (None, None) => {}
    }
    // A rule's own `window:` (the dataset's window is compared apart).
    if o.window_written != n.window_written && o.windowed != n.windowed {
        out.push(if n.windowed {
            found(
                Class::Breaking,
                "rule-windowed",
                w("now only the rows in the window"),
                w("rows outside the window are no longer checked"),
            )
        } else {
            found(
                Class::Minor,
                "rule-unwindowed",
                w("now every row, not only the window's"),
                w("every row is now checked: a stronger promise"),
            )
        });
    }
    if let Some(f) = tolerance(o.tolerance.as_ref(), n.tolerance.as_ref()) {
        out.push(f);
    }
    if o.description != n.description {
        out.push(found(
            Class::Patch,
            "rule-description-changed",
            w("description changed"),
            w("documentation only: no query sees it"),
        ));
    }
    if o.name != n.name && !derived_names {
        out.push(found(
            Class::Patch,
            "check-renamed",
            w("check name ").c(&o.name).t(" → ").c(&n.name),
            w("the rule is the same; only its name in check results and dbt tests changes"),
        ));
    }
    out
}

fn tolerance(o: Option<&Tolerance>, n: Option<&Tolerance>) -> Option<Found> {
    let text = |t: &Tolerance| match t {
        Tolerance::Count(c) => c.to_string(),
        Tolerance::Percent(p) => format!("{p}%"),
    };
    // No tolerance is a tolerance of 0.
    let zero = |t: Option<&Tolerance>| match t {
        None | Some(Tolerance::Count(0)) => true,
        Some(Tolerance::Count(_)) => false,
        Some(Tolerance::Percent(p)) => p.chars().all(|c| c == '0' || c == '.'),
    };
    let (o, n) = (o.filter(|_| !zero(o)), n.filter(|_| !zero(n)));
    let order = match (o, n) {
        (a, b) if a == b => return None,
        (None, Some(_)) => Some(Ordering::Greater),
        (Some(_), None) => Some(Ordering::Less),
        (Some(Tolerance::Count(a)), Some(Tolerance::Count(b))) => Some(b.cmp(a)),
        (Some(Tolerance::Percent(a)), Some(Tolerance::Percent(b))) => {
            literal::compare(&Literal::Number(b.clone()), &Literal::Number(a.clone()))
        }
        _ => None,
    };
    let what = match (o, n) {
        (Some(a), Some(b)) => w("tolerance ").c(text(a)).t(" → ").c(text(b)),
        (None, Some(b)) => w("now tolerates ").c(text(b)).t(" failing rows"),
        (Some(a), None) => w("tolerance ").c(text(a)).t(" removed"),
        (None, None) => return None,
    };
    Some(match order {
        Some(Ordering::Equal) => return None,
        Some(Ordering::Greater) => found(
            Class::Breaking,
            "tolerance-raised",
            what,
            w("more failing rows now pass"),
        ),
        Some(Ordering::Less) => found(
            Class::Minor,
            "tolerance-lowered",
            what,
            w("fewer failing rows pass: a stronger promise"),
        ),
        None => found(
            Class::Breaking,
            "tolerance-changed",
            what,
            w("a count and a percentage cannot be compared without the row count"),
        ),
    })
}

/// Whether every value of `from` is a value of `to`, exactly.
pub fn widens(from: LogicalType, to: LogicalType) -> bool {
    use LogicalType as T;
    // Decimal digits an integer type holds in full.
    let digits = |t: LogicalType| match t {
        T::Smallint => Some(4),
        T::Integer => Some(9),
        T::Bigint => Some(18),
        _ => None,
    };
    // Decimal digits needed to hold every value of an integer type.
    let needs = |t: LogicalType| match t {
        T::Smallint => Some(5),
        T::Integer => Some(10),
        T::Bigint => Some(19),
        _ => None,
    };
    match (from, to) {
        (T::Smallint, T::Integer | T::Bigint) | (T::Integer, T::Bigint) => true,
        // Mantissas of 24 and 53 bits hold these integers exactly.
        (T::Smallint, T::Float | T::Double) | (T::Integer, T::Double) | (T::Float, T::Double) => {
            true
        }
        (
            T::Decimal {
                precision: p,
                scale: s,
            },
            T::Decimal {
                precision: q,
                scale: t,
            },
        ) => t >= s && i32::from(q) - i32::from(t) >= i32::from(p) - i32::from(s),
        (
            T::Decimal {
                precision: p,
                scale: 0,
            },
            int,
        ) => digits(int).is_some_and(|d| p <= d),
        (
            int,
            T::Decimal {
                precision: q,
                scale: t,
            },
        ) => needs(int).is_some_and(|d| i32::from(q) - i32::from(t) >= d),
        _ => false,
    }
}

/// A rule as a contract writes it, SQL whole on one line (a cut would
/// hide a change at its end).
fn rule_text(kind: &CheckKind) -> Words {
    let code = match kind {
        CheckKind::Required => "required".to_string(),
        CheckKind::Unique => "unique".to_string(),
        CheckKind::UniqueItems => "unique_items".to_string(),
        CheckKind::AcceptedValues { values } => {
            let shown: Vec<String> = values.iter().take(8).map(Literal::text).collect();
            let more = if values.len() > 8 { ", …" } else { "" };
            format!("accepted_values: [{}{more}]", shown.join(", "))
        }
        CheckKind::Min { value } => format!("min: {}", value.text()),
        CheckKind::Max { value } => format!("max: {}", value.text()),
        CheckKind::Pattern { regex } => format!("pattern: {regex}"),
        CheckKind::Length { min, max } | CheckKind::RowCount { min, max } => {
            let parts: Vec<String> = [("min", min), ("max", max)]
                .iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k}: {v}")))
                .collect();
            format!("{}: {{{}}}", kind.rule(), parts.join(", "))
        }
        CheckKind::References {
            contract, column, ..
        } => {
            format!("references: {contract}.{column}")
        }
        CheckKind::Expression { sql } => format!("expression: {}", normalize(sql)),
        CheckKind::RowCountChange { max } => format!("row_count: {{change: {{max: {max}}}}}"),
        CheckKind::NullRateIncrease { max } => format!("null_rate: {{max_increase: {max}}}"),
        CheckKind::UniqueCombination { columns } => format!("unique: [{}]", columns.join(", ")),
        CheckKind::Freshness {
            column,
            warn_after,
            error_after,
        } => {
            let mut parts = vec![format!("column: {column}")];
            parts.extend(warn_after.map(|d| format!("warn_after: {d}")));
            parts.extend(error_after.map(|d| format!("error_after: {d}")));
            format!("freshness: {{{}}}", parts.join(", "))
        }
        CheckKind::Sql { query } => format!("sql: {}", normalize(query)),
    };
    Words::default().c(code)
}

fn values(items: &[&Literal]) -> Words {
    let mut out = Words::default();
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out = out.t(", ");
        }
        out = out.c(v.text());
    }
    out
}

/// The same items, in any order.
fn same_set<T: Ord>(a: &[T], b: &[T]) -> bool {
    a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
}

/// Owners added and removed (an owner whose email or role changed is both);
/// the order is not a change.
fn owners(o: &[Owner], n: &[Owner]) -> Option<Words> {
    let key = |x: &Owner| (x.name.clone(), x.email.clone(), x.role);
    let (a, b): (Vec<_>, Vec<_>) = (o.iter().map(key).collect(), n.iter().map(key).collect());
    if same_set(&a, &b) {
        return None;
    }
    let names = |from: &[(String, Option<String>, crate::types::Role)],
                 not_in: &[(String, Option<String>, crate::types::Role)]| {
        from.iter()
            .filter(|x| !not_in.contains(x))
            .map(|x| x.0.clone())
            .collect::<Vec<_>>()
    };
    let (added, removed) = (names(&b, &a), names(&a, &b));
    let mut what = w("owners changed");
    if !added.is_empty() {
        what = what.t(": added ").c(added.join(", "));
    }
    if !removed.is_empty() {
        what = what
            .t(if added.is_empty() { ": " } else { "; " })
            .t("removed ")
            .c(removed.join(", "));
    }
    Some(what)
}

fn location(l: &Location) -> String {
    [
        l.database.as_deref(),
        l.schema.as_deref(),
        Some(l.name.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(".")
}

fn dbt_node(node: &DbtNode) -> Words {
    w(format!("{} ", node.kind.key())).c(&node.name)
}

/// Whitespace runs as one space: layout is not a change.
fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use LogicalType as T;

    fn dec(precision: u8, scale: u8) -> LogicalType {
        T::Decimal { precision, scale }
    }

    #[test]
    fn bounds_of_another_type_are_not_ordered() {
        let number = Literal::Number("5".into());
        let date = Literal::Date("2024-01-01".into());
        let kind = |k, a: &Literal, b: &Literal| bound(k, a, b).map(|f| (f.class, f.kind));
        assert_eq!(
            kind("min", &number, &date),
            Some((Class::Breaking, "min-changed"))
        );
        assert_eq!(
            kind("max", &date, &number),
            Some((Class::Breaking, "max-changed"))
        );
        assert_eq!(kind("min", &number, &number), None);
        let later = Literal::Date("2024-02-01".into());
        assert_eq!(
            kind("max", &date, &later),
            Some((Class::Breaking, "max-raised"))
        );
    }

    #[test]
    fn widening() {
        assert!(widens(T::Smallint, T::Integer));
        assert!(widens(T::Integer, T::Bigint));
        assert!(!widens(T::Bigint, T::Integer));
        assert!(widens(T::Float, T::Double));
        assert!(!widens(T::Double, T::Float));
        assert!(widens(T::Integer, T::Double));
        assert!(!widens(T::Bigint, T::Double));
        assert!(!widens(T::Integer, T::Float));
        assert!(widens(dec(10, 2), dec(12, 2)));
        assert!(widens(dec(10, 2), dec(12, 4)));
        assert!(!widens(dec(10, 2), dec(10, 4)));
        assert!(!widens(dec(10, 2), dec(12, 1)));
        assert!(widens(T::Integer, dec(10, 0)));
        assert!(!widens(T::Integer, dec(10, 1)));
        assert!(widens(T::Bigint, dec(38, 0)));
        assert!(widens(dec(9, 0), T::Integer));
        assert!(!widens(dec(10, 0), T::Integer));
        assert!(!widens(dec(4, 1), T::Bigint));
        assert!(!widens(T::Integer, T::String));
        assert!(!widens(T::Date, T::Timestamp));
        assert!(!widens(T::Timestamp, T::TimestampTz));
    }
}
