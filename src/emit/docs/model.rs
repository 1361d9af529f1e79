//! The view model: what the docs templates see. Rules are phrased here,
//! in plain words, as [`Part`] lists.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::Serialize;

use super::lineage::{Diagram, layout};
use super::markup::Part;
use crate::ir::{Check, CheckKind, Column, Dataset, Ir, Location, Step};
use crate::literal::Literal;
use crate::types::{DbtKind, Duration, Role, Severity, TimeUnit, Tolerance};

/// What `index.*` templates see as `catalog`.
#[derive(Debug, Serialize)]
pub struct Catalog {
    /// Every contract, sorted by id (each page shared with its group).
    pub contracts: Vec<Arc<Page>>,
    /// Contracts grouped by domain: the contract id without its last segment.
    pub groups: Vec<Group>,
    /// Every column of every contract, for the search.
    pub columns: Vec<ColumnRef>,
    /// References between contracts, laid out.
    pub lineage: Diagram,
    pub totals: Totals,
}

#[derive(Debug, Serialize)]
pub struct Group {
    /// The domain, e.g. `shop`; empty for one-segment contract ids.
    pub name: String,
    pub contracts: Vec<Arc<Page>>,
}

#[derive(Debug, Serialize)]
pub struct Totals {
    pub contracts: usize,
    pub columns: usize,
    pub rules: usize,
}

#[derive(Debug, Serialize)]
pub struct ColumnRef {
    pub contract: String,
    pub html: String,
    pub md: String,
    pub name: String,
    pub anchor: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub description: Option<String>,
    pub pii: bool,
    /// Lower-cased text the search box matches.
    pub search: String,
}

/// What `contract.*` templates see as `page` (and index rows, per contract).
#[derive(Debug, Clone, Serialize)]
pub struct Page {
    pub contract: String,
    pub title: Option<String>,
    /// The title, else the contract id.
    pub heading: String,
    pub version: String,
    pub description: Option<String>,
    /// The Markdown and HTML file names of the page.
    pub md: String,
    pub html: String,
    /// `database.schema.name`, unquoted.
    pub location: String,
    pub domain: String,
    pub dbt: Option<DbtView>,
    /// The dataset's window: the rows the windowed rules see.
    pub window: Option<WindowView>,
    pub tags: Vec<String>,
    pub owners: Vec<OwnerView>,
    /// The producers' names, else every owner's.
    pub owner_names: Vec<String>,
    pub freshness: Option<Sla>,
    pub row_count: Option<Rule>,
    pub columns: Vec<ColumnView>,
    /// Table-level checks: expressions, unique combinations, custom SQL.
    pub checks: Vec<Rule>,
    /// Contracts this one references.
    pub upstream: Vec<Link>,
    /// Contracts that reference this one.
    pub downstream: Vec<Link>,
    pub lineage: Diagram,
    pub rules: usize,
    pub warn_rules: usize,
    pub source_path: String,
    /// Lower-cased text the search box matches.
    pub search: String,
    /// The latest results and SLO attainment, when the catalog is compiled
    /// with a results store (`compile --results`).
    pub health: Option<Health>,
}

/// A dataset's window: rows whose `column` is within `last` of now.
#[derive(Debug, Clone, Serialize)]
pub struct WindowView {
    pub column: String,
    /// A duration, e.g. `1d`.
    pub last: String,
}

/// A contract's results, from a results store.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Health {
    /// The latest run's worst status: `pass`, `warn`, `fail` or `error`.
    pub status: String,
    /// When the latest run started, RFC 3339 UTC.
    pub last_run: String,
    /// The SLO window, e.g. `30d`, and the runs in it.
    pub window: String,
    pub runs: u64,
    /// "99.6% of runs (objective 99.5%)"; `None`: freshness not checked.
    pub freshness: Option<String>,
    pub quality: String,
    /// The error budget left, e.g. `50%`.
    pub budget_left: String,
    pub spent: bool,
    /// Each check's status in the latest run, by check name.
    pub checks: BTreeMap<String, String>,
    /// The checks that did not pass in the latest run, by name.
    pub not_passing: Vec<NotPassing>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NotPassing {
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DbtView {
    /// `model` or `source`.
    pub kind: &'static str,
    /// The model, or `source.table`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct OwnerView {
    pub name: String,
    pub email: Option<String>,
    /// The `href` of the e-mail link, percent-encoded.
    pub mailto: Option<String>,
    pub role: &'static str,
}

/// The freshness SLA.
#[derive(Debug, Clone, Serialize)]
pub struct Sla {
    /// "must be fresh within 2 hours (warning) / 6 hours (error), measured on `loaded_at`"
    pub phrase: Vec<Part>,
    /// "warn 2h · error 6h"
    pub short: String,
    pub column: String,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    /// The column's name; inside a nested column, the path
    /// (`address.zip`, `items[].sku`).
    pub name: String,
    /// How deep inside a nested column: 0 for a table's column.
    pub depth: usize,
    /// What the row shows: the column's name, or the last step of the path
    /// (`zip`, `[]`, `[key]`), indented by `depth`.
    pub label: String,
    /// Unique within the page; the HTML row's id.
    pub anchor: String,
    #[serde(rename = "type")]
    pub ty: String,
    /// Per-dialect physical types, sorted by dialect.
    pub physical_types: Vec<PhysicalType>,
    /// `error` or `warn` when the column has a plain `required` rule.
    pub required: Option<&'static str>,
    /// `error` or `warn` when the column has a plain `unique` rule.
    pub unique: Option<&'static str>,
    /// The check names of the plain `required` and `unique` rules.
    pub required_check: Option<String>,
    pub unique_check: Option<String>,
    pub pii: bool,
    pub tags: Vec<String>,
    pub description: Option<String>,
    /// The other rules on the column.
    pub rules: Vec<Rule>,
    pub search: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PhysicalType {
    pub dialect: &'static str,
    #[serde(rename = "type")]
    pub ty: String,
}

/// One rule in plain words.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// The check's name, as in check results.
    pub name: String,
    pub rule: &'static str,
    /// What the data must satisfy, with its filter and tolerance.
    pub phrase: Vec<Part>,
    pub severity: &'static str,
    pub description: Option<String>,
    /// The query of a custom SQL check.
    pub sql: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub contract: String,
    pub heading: String,
    pub md: String,
    pub html: String,
    /// The column pairs of the references.
    pub via: Vec<Via>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Via {
    /// The referencing contract's column.
    pub column: String,
    /// The referenced contract's column.
    pub target: String,
}

/// The view model of every contract.
pub fn catalog(ir: &Ir, results: Option<&BTreeMap<String, Health>>) -> Catalog {
    let headings: BTreeMap<&str, String> = ir
        .datasets
        .iter()
        .map(|ds| (ds.contract.as_str(), heading(ds)))
        .collect();
    // (referenced, referencing) → column pairs.
    let mut references: BTreeMap<(String, String), BTreeSet<Via>> = BTreeMap::new();
    for ds in &ir.datasets {
        for check in &ds.checks {
            if let CheckKind::References {
                contract, column, ..
            } = &check.kind
            {
                references
                    .entry((contract.clone(), ds.contract.clone()))
                    .or_default()
                    .insert(Via {
                        column: check.column.clone().unwrap_or_default(),
                        target: column.clone(),
                    });
            }
        }
    }
    let link = |contract: &str, via: &BTreeSet<Via>| Link {
        contract: contract.to_string(),
        heading: headings
            .get(contract)
            .cloned()
            .unwrap_or_else(|| contract.to_string()),
        md: format!("{contract}.md"),
        html: format!("{contract}.html"),
        via: via.iter().cloned().collect(),
    };
    let edges: BTreeSet<(String, String)> = references
        .keys()
        .filter(|(from, to)| from != to && headings.contains_key(from.as_str()))
        .cloned()
        .collect();
    let all: Vec<(&str, &str)> = headings.iter().map(|(c, h)| (*c, h.as_str())).collect();

    // Every column's row id, for links from `references`.
    let column_anchors: Anchors = ir
        .datasets
        .iter()
        .map(|ds| {
            let names = rows(ds).into_iter().map(|r| r.path);
            (ds.contract.clone(), names.zip(anchors(ds)).collect())
        })
        .collect();
    let mut contracts = Vec::new();
    for ds in &ir.datasets {
        let id = ds.contract.as_str();
        let upstream: Vec<Link> = references
            .iter()
            .filter(|((_, to), _)| to == id)
            .map(|((from, _), via)| link(from, via))
            .collect();
        let downstream: Vec<Link> = references
            .iter()
            .filter(|((from, _), _)| from == id)
            .map(|((_, to), via)| link(to, via))
            .collect();
        let near: BTreeSet<&str> = upstream
            .iter()
            .chain(&downstream)
            .map(|l| l.contract.as_str())
            .chain([id])
            .collect();
        let local_nodes: Vec<(&str, &str)> = all
            .iter()
            .filter(|(c, _)| near.contains(c))
            .copied()
            .collect();
        let local_edges: BTreeSet<(String, String)> = edges
            .iter()
            .filter(|(from, to)| from == id || to == id)
            .cloned()
            .collect();
        let lineage = if local_edges.is_empty() {
            Diagram::default()
        } else {
            layout(&local_nodes, &local_edges, Some(id))
        };
        let mut page = page(ds, upstream, downstream, lineage, &column_anchors);
        page.health = results.and_then(|r| r.get(&page.contract).cloned());
        contracts.push(Arc::new(page));
    }

    let mut groups: Vec<Group> = Vec::new();
    for page in &contracts {
        match groups.iter_mut().find(|g| g.name == page.domain) {
            Some(group) => group.contracts.push(Arc::clone(page)),
            None => groups.push(Group {
                name: page.domain.clone(),
                contracts: vec![Arc::clone(page)],
            }),
        }
    }
    // Named domains in order, then contracts without one.
    groups.sort_by(|a, b| (a.name.is_empty(), &a.name).cmp(&(b.name.is_empty(), &b.name)));
    let columns: Vec<ColumnRef> = contracts
        .iter()
        .flat_map(|page| {
            page.columns.iter().map(|c| ColumnRef {
                contract: page.contract.clone(),
                html: page.html.clone(),
                md: page.md.clone(),
                name: c.name.clone(),
                anchor: c.anchor.clone(),
                ty: c.ty.clone(),
                description: c.description.clone(),
                pii: c.pii,
                search: format!("{} {}", page.contract, c.search),
            })
        })
        .collect();
    let totals = Totals {
        contracts: contracts.len(),
        columns: columns.len(),
        rules: contracts.iter().map(|p| p.rules).sum(),
    };
    let lineage = if edges.is_empty() {
        Diagram::default()
    } else {
        layout(&all, &edges, None)
    };
    Catalog {
        contracts,
        groups,
        columns,
        lineage,
        totals,
    }
}

fn heading(ds: &Dataset) -> String {
    ds.title.clone().unwrap_or_else(|| ds.contract.clone())
}

fn display_location(location: &Location) -> String {
    [&location.database, &location.schema]
        .into_iter()
        .flatten()
        .chain([&location.name])
        .cloned()
        .collect::<Vec<_>>()
        .join(".")
}

/// Column row ids by contract and column name.
type Anchors = BTreeMap<String, BTreeMap<String, String>>;

fn page(
    ds: &Dataset,
    upstream: Vec<Link>,
    downstream: Vec<Link>,
    lineage: Diagram,
    column_anchors: &Anchors,
) -> Page {
    let owners: Vec<OwnerView> = ds
        .owners
        .iter()
        .map(|o| OwnerView {
            name: o.name.clone(),
            email: o.email.clone(),
            mailto: o.email.as_deref().map(mailto),
            role: o.role.name(),
        })
        .collect();
    let producers: Vec<String> = ds
        .owners
        .iter()
        .filter(|o| o.role == Role::Producer)
        .map(|o| o.name.clone())
        .collect();
    let owner_names = if producers.is_empty() {
        ds.owners.iter().map(|o| o.name.clone()).collect()
    } else {
        producers
    };
    let rows = rows(ds);
    let anchors = anchors(ds);
    let mut columns: Vec<ColumnView> = rows
        .iter()
        .zip(&anchors)
        .map(|(row, anchor)| {
            let c = row.column;
            ColumnView {
                name: row.path.clone(),
                depth: row.depth,
                label: row.label.clone(),
                anchor: anchor.clone(),
                ty: c.ty.to_string(),
                physical_types: c
                    .physical_types
                    .iter()
                    .map(|(d, ty)| PhysicalType {
                        dialect: d.name(),
                        ty: ty.clone(),
                    })
                    .collect(),
                required: None,
                unique: None,
                required_check: None,
                unique_check: None,
                pii: c.pii,
                tags: c.tags.clone(),
                description: c.description.clone(),
                rules: Vec::new(),
                search: search_text(
                    [row.path.as_str(), &c.ty.to_string()]
                        .into_iter()
                        .chain(c.description.as_deref())
                        .chain(c.tags.iter().map(String::as_str))
                        .chain(c.pii.then_some("pii")),
                ),
            }
        })
        .collect();
    let mut freshness = None;
    let mut row_count = None;
    let mut checks = Vec::new();
    let column_checks = combine_bounds(&ds.checks);
    for item in &column_checks {
        let check = item.check;
        let plain = check.filter.is_none() && !check.windowed && tolerance(check).is_none();
        match (&check.kind, &check.column) {
            (
                CheckKind::Freshness {
                    column,
                    warn_after,
                    error_after,
                },
                _,
            ) => {
                freshness = Some(Sla {
                    phrase: with_conditions(
                        freshness_phrase(column, *warn_after, *error_after),
                        check,
                    ),
                    short: [("warn", warn_after), ("error", error_after)]
                        .into_iter()
                        .filter_map(|(name, d)| d.map(|d| format!("{name} {d}")))
                        .collect::<Vec<_>>()
                        .join(" · "),
                    column: column.clone(),
                    name: check.name.clone(),
                    description: check.description.clone(),
                });
            }
            (CheckKind::RowCount { .. }, _) => row_count = Some(rule(item, ds, column_anchors)),
            (kind, Some(name)) => {
                let path = crate::ir::path_text(name, &check.path);
                let Some(view) = columns.iter_mut().find(|c| c.name == path) else {
                    continue;
                };
                match kind {
                    CheckKind::Required if plain && view.required.is_none() => {
                        view.required = Some(check.severity.name());
                        view.required_check = Some(check.name.clone());
                    }
                    CheckKind::Unique if plain && view.unique.is_none() => {
                        view.unique = Some(check.severity.name());
                        view.unique_check = Some(check.name.clone());
                    }
                    _ => view.rules.push(rule(item, ds, column_anchors)),
                }
            }
            (_, None) => checks.push(rule(item, ds, column_anchors)),
        }
    }
    let search = search_text(
        [
            ds.contract.as_str(),
            &heading(ds),
            &display_location(&ds.location),
        ]
        .into_iter()
        .chain(ds.description.as_deref())
        .chain(ds.owners.iter().map(|o| o.name.as_str()))
        .chain(ds.tags.iter().map(String::as_str))
        .chain(ds.columns.iter().map(|c| c.name.as_str())),
    );
    Page {
        contract: ds.contract.clone(),
        title: ds.title.clone(),
        heading: heading(ds),
        version: ds.version.clone(),
        description: ds.description.clone(),
        md: format!("{}.md", ds.contract),
        html: format!("{}.html", ds.contract),
        location: display_location(&ds.location),
        domain: ds
            .contract
            .rsplit_once('.')
            .map_or(String::new(), |(domain, _)| domain.to_string()),
        dbt: ds.dbt.as_ref().map(|node| DbtView {
            kind: node.kind.key(),
            name: match node.kind {
                DbtKind::Source => format!("{}.{}", node.name, ds.location.name),
                DbtKind::Model | DbtKind::Seed | DbtKind::Snapshot => node.name.clone(),
            },
        }),
        window: ds.window.as_ref().map(|w| WindowView {
            column: w.column.clone(),
            last: w.last.to_string(),
        }),
        tags: ds.tags.clone(),
        owners,
        owner_names,
        freshness,
        row_count,
        columns,
        checks,
        upstream,
        downstream,
        lineage,
        rules: ds.checks.len(),
        warn_rules: ds
            .checks
            .iter()
            .filter(|c| c.severity == Severity::Warn)
            .count(),
        source_path: crate::text::escape_line(&ds.source_path).into_owned(),
        search,
        health: None,
    }
}

fn search_text<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts
        .flat_map(str::split_whitespace)
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// HTML ids for the columns: `col-` and the name's letters and digits,
/// numbered when two names give the same id.
/// A row of the schema table: a column, or a value inside a nested one.
struct Row<'a> {
    path: String,
    depth: usize,
    label: String,
    column: &'a Column,
}

/// The columns, each followed by what it holds (depth first).
fn rows(ds: &Dataset) -> Vec<Row<'_>> {
    fn inside<'a>(column: &'a Column, path: &str, depth: usize, out: &mut Vec<Row<'a>>) {
        for (step, child) in column.children() {
            let step = [step];
            let label = crate::ir::path_text("", &step)
                .trim_start_matches('.')
                .to_string();
            let path = crate::ir::path_text(path, &step);
            out.push(Row {
                path: path.clone(),
                depth: depth + 1,
                label,
                column: child,
            });
            inside(child, &path, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    for c in &ds.columns {
        out.push(Row {
            path: c.name.clone(),
            depth: 0,
            label: c.name.clone(),
            column: c,
        });
        inside(c, &c.name, 0, &mut out);
    }
    out
}

/// The anchor of each row of [`rows`]: a table's columns first, so theirs
/// do not depend on what nested columns hold.
fn anchors(ds: &Dataset) -> Vec<String> {
    let mut seen = BTreeSet::new();
    let mut anchor_of = |name: &str| {
        let slug: String = name
            .chars()
            .map(|ch| {
                if ch.is_ascii_alphanumeric() || ch == '_' {
                    ch.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        let base = format!("col-{slug}");
        let mut anchor = base.clone();
        let mut n = 2;
        while !seen.insert(anchor.clone()) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        anchor
    };
    let rows = rows(ds);
    let top: Vec<String> = rows
        .iter()
        .filter(|r| r.depth == 0)
        .map(|r| anchor_of(&r.path))
        .collect();
    let mut top = top.into_iter();
    let nested: Vec<Option<String>> = rows
        .iter()
        .map(|r| (r.depth > 0).then(|| anchor_of(&r.path)))
        .collect();
    nested
        .into_iter()
        .map(|a| a.unwrap_or_else(|| top.next().unwrap_or_default()))
        .collect()
}

/// A check, or a column's `min` and `max` phrased together as "between".
struct Item<'a> {
    check: &'a Check,
    /// The `max` paired with this `min`.
    max: Option<&'a Check>,
}

/// The checks in order, a column's `min` and `max` paired when they differ
/// in nothing but their bound.
fn combine_bounds(checks: &[Check]) -> Vec<Item<'_>> {
    let same = |a: &Check, b: &Check| {
        a.column == b.column
            && a.path == b.path
            && a.severity == b.severity
            && a.filter == b.filter
            && a.windowed == b.windowed
            && a.tolerance == b.tolerance
            && a.description == b.description
    };
    // Each column's `max` checks, so pairing is not a search of them all.
    let mut maxes: HashMap<(Option<&str>, &[Step]), Vec<usize>> = HashMap::new();
    for (j, c) in checks.iter().enumerate() {
        if matches!(c.kind, CheckKind::Max { .. }) {
            maxes
                .entry((c.column.as_deref(), &c.path))
                .or_default()
                .push(j);
        }
    }
    let mut paired = BTreeSet::new();
    let mut items = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        if paired.contains(&i) {
            continue;
        }
        let max = if matches!(check.kind, CheckKind::Min { .. }) {
            let candidates = maxes.get(&(check.column.as_deref(), &check.path[..]));
            candidates
                .into_iter()
                .flatten()
                .map(|&j| (j, &checks[j]))
                .find(|(j, c)| !paired.contains(j) && same(check, c))
                .map(|(j, c)| {
                    paired.insert(j);
                    c
                })
        } else {
            None
        };
        items.push(Item { check, max });
    }
    items
}

fn text(s: impl Into<String>) -> Part {
    Part::Text { text: s.into() }
}

fn code_part(s: impl Into<String>) -> Part {
    Part::Code { text: s.into() }
}

fn rule(item: &Item, ds: &Dataset, column_anchors: &Anchors) -> Rule {
    let check = item.check;
    // A length counts an array's or a map's elements.
    let unit = if ds.check_type(check).is_nested() {
        "element"
    } else {
        "character"
    };
    let mut phrase = match (&check.kind, item.max) {
        (CheckKind::Min { value }, Some(max)) => {
            let CheckKind::Max { value: max } = &max.kind else {
                unreachable!("paired with a max")
            };
            let mut p = vec![text("between ")];
            p.extend(literal_parts(value));
            p.push(text(" and "));
            p.extend(literal_parts(max));
            p
        }
        (kind, _) => kind_phrase(kind, unit, column_anchors),
    };
    phrase = with_conditions(phrase, check);
    Rule {
        name: match item.max {
            Some(max) => format!("{}, {}", check.name, max.name),
            None => check.name.clone(),
        },
        rule: match item.max {
            Some(_) => "range",
            None => check.kind.rule(),
        },
        phrase,
        severity: check.severity.name(),
        description: check.description.clone(),
        sql: match &check.kind {
            CheckKind::Sql { query } => Some(query.clone()),
            _ => None,
        },
    }
}

/// The filter and tolerance of a check, appended to its phrase.
fn with_conditions(mut phrase: Vec<Part>, check: &Check) -> Vec<Part> {
    if check.windowed {
        phrase.push(text(", on the rows in the window"));
    }
    if let Some(filter) = &check.filter {
        phrase.push(text(", only where "));
        phrase.push(code_part(filter.trim()));
    }
    // Failures within the tolerance warn instead of failing.
    match tolerance(check) {
        Some(Tolerance::Count(n)) => phrase.push(text(format!(
            " (up to {} only warn)",
            count(*n, "failing row")
        ))),
        Some(Tolerance::Percent(p)) => {
            phrase.push(text(format!(" (up to {p}% failing rows only warn)")));
        }
        None => {}
    }
    phrase
}

/// The check's tolerance, unless it tolerates nothing (`0`, `"0%"`).
fn tolerance(check: &Check) -> Option<&Tolerance> {
    check.tolerance.as_ref().filter(|t| match t {
        Tolerance::Count(n) => *n > 0,
        Tolerance::Percent(_) => t.ratio().0 > 0,
    })
}

/// A `mailto:` address with everything but the plain characters of an
/// address percent-encoded, so `?cc=` or `&body=` cannot ride along.
fn mailto(email: &str) -> String {
    let mut out = String::from("mailto:");
    for b in email.bytes() {
        if b.is_ascii_alphanumeric() || b"@.-_+~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn kind_phrase(kind: &CheckKind, unit: &str, column_anchors: &Anchors) -> Vec<Part> {
    match kind {
        CheckKind::Required => vec![text("required (not null)")],
        CheckKind::Unique => vec![text("unique")],
        CheckKind::UniqueItems => vec![text("no element twice")],
        CheckKind::AcceptedValues { values } => {
            let mut p = vec![text("one of ")];
            for (i, value) in values.iter().enumerate() {
                if i > 0 {
                    p.push(text(", "));
                }
                p.push(match value {
                    Literal::String(s) if s.is_empty() => text("the empty string"),
                    other => code_part(other.text()),
                });
            }
            p
        }
        CheckKind::Min { value } => {
            let mut p = vec![text("at least ")];
            p.extend(literal_parts(value));
            p
        }
        CheckKind::Max { value } => {
            let mut p = vec![text("at most ")];
            p.extend(literal_parts(value));
            p
        }
        CheckKind::Pattern { regex } => vec![text("fully matches "), code_part(regex.clone())],
        CheckKind::Length { min, max } => vec![text(bounds(*min, *max, unit))],
        CheckKind::References {
            contract, column, ..
        } => vec![
            text("references "),
            Part::Link {
                text: contract.clone(),
                contract: contract.clone(),
                anchor: column_anchors
                    .get(contract)
                    .and_then(|columns| columns.get(column))
                    .cloned(),
            },
            text(" "),
            code_part(column.clone()),
        ],
        CheckKind::Expression { sql } => vec![text("holds: "), code_part(sql.trim())],
        CheckKind::UniqueCombination { columns } => {
            let mut p = vec![text("unique combination of ")];
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    p.push(text(", "));
                }
                p.push(code_part(column.clone()));
            }
            p
        }
        CheckKind::RowCount { min, max } => vec![text(bounds(*min, *max, "row"))],
        CheckKind::RowCountChange { max } => vec![text(format!(
            "the row count changes by at most {max} from the previous good run"
        ))],
        CheckKind::NullRateIncrease { max } => vec![text(format!(
            "the share of NULLs rises by at most {} percentage points from the previous good run",
            max.to_string().trim_end_matches('%')
        ))],
        CheckKind::Freshness {
            column,
            warn_after,
            error_after,
        } => freshness_phrase(column, *warn_after, *error_after),
        CheckKind::Sql { .. } => vec![text("custom SQL returns no rows")],
    }
}

/// `1 row`, `1,000 rows`.
fn count(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", group_digits(&n.to_string()))
}

/// "at least 1,000 rows", "1 to 100 characters", "exactly 2 characters".
fn bounds(min: Option<u64>, max: Option<u64>, noun: &str) -> String {
    match (min, max) {
        (Some(a), Some(b)) if a == b => format!("exactly {}", count(a, noun)),
        (Some(a), Some(b)) => format!("{} to {}", group_digits(&a.to_string()), count(b, noun)),
        (Some(a), None) => format!("at least {}", count(a, noun)),
        (None, Some(b)) => format!("at most {}", count(b, noun)),
        (None, None) => format!("any number of {noun}s"),
    }
}

fn freshness_phrase(column: &str, warn: Option<Duration>, error: Option<Duration>) -> Vec<Part> {
    let limits: Vec<String> = [(warn, "warning"), (error, "error")]
        .into_iter()
        .filter_map(|(d, what)| d.map(|d| format!("{} ({what})", duration_words(d))))
        .collect();
    vec![
        text(format!(
            "must be fresh within {}, measured on ",
            limits.join(" / ")
        )),
        code_part(column),
    ]
}

/// `2h` → "2 hours".
pub fn duration_words(d: Duration) -> String {
    let unit = match d.unit {
        TimeUnit::Minute => "minute",
        TimeUnit::Hour => "hour",
        TimeUnit::Day => "day",
        TimeUnit::Week => "week",
    };
    count(u64::from(d.count), unit)
}

/// Numbers as words ("100,000"); anything else as code.
fn literal_parts(value: &Literal) -> Vec<Part> {
    match value {
        Literal::Number(n) | Literal::Float(n) => vec![text(group_digits(n))],
        other => vec![code_part(other.text())],
    }
}

/// `1234567.5` → `1,234,567.5`: thousands separators in the integer part.
pub fn group_digits(number: &str) -> String {
    let (sign, rest) = match number.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", number),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (rest, None),
    };
    if !int.bytes().all(|b| b.is_ascii_digit()) {
        return number.to_string();
    }
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match frac {
        Some(frac) => format!("{sign}{grouped}.{frac}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_grouped() {
        for (n, want) in [
            ("0", "0"),
            ("999", "999"),
            ("1000", "1,000"),
            ("100000", "100,000"),
            ("-1234567.891", "-1,234,567.891"),
            ("1e10", "1e10"),
        ] {
            assert_eq!(group_digits(n), want);
        }
    }

    #[test]
    fn durations_in_words() {
        let d = |s| duration_words(Duration::parse(s).unwrap());
        assert_eq!(d("1h"), "1 hour");
        assert_eq!(d("30m"), "30 minutes");
        assert_eq!(d("2d"), "2 days");
        assert_eq!(d("1w"), "1 week");
    }
}
