//! The SQL target: for each dataset, one check query that evaluates every
//! rule in a single scan and returns one row per check, plus one
//! failing-rows query per row-level check.
//!
//! Written once against [`SqlDialect`]; reads only the IR. Every identifier
//! goes through `quote_ident` and every value through `literal`, so a
//! contract injects SQL only through its `where`, `expression` and `sql`
//! texts, which are SQL by definition.
//!
//! Shape of a check query (see docs/sql.md):
//!
//! ```text
//! with "datapact_scan" as (select count(*) …, count(case when … then 1 end) … from T),
//!      "datapact_check_N" as (…)           -- references, sql checks, and uniqueness
//!                                          -- as a grouped pass (Spark)
//!      "datapact_measures" as (select … from scan cross join checks cross join (constant list))
//! select contract, check_name, column_name, rule, severity, failures, observed, status
//! ```
//!
//! The scan CTE is referenced exactly once (engines such as BigQuery
//! evaluate a CTE once per reference), and the one-row-per-check list is a
//! constant `union all` crossed with it.

pub mod conformance;
pub mod dialect;
mod nested;

pub use nested::column_type;

use std::fmt::Write as _;

use rayon::prelude::*;

pub use crate::emit::GeneratedFile;
use crate::emit::sql::dialect::SqlDialect;
use crate::ir::{Check, CheckKind, Column, Dataset, Ir, Location, Window};
use crate::types::Dialect;
use crate::types::{LogicalType, Severity, Tolerance};

/// Every SQL file for `dialect`: `sql/<dialect>/<contract>.sql` (the check
/// query, in parts when larger than the dialect's limit, each part then
/// also `sql/<dialect>/<contract>/check-part-<n>.sql`),
/// `sql/<dialect>/<contract>.schema.sql` (the schema query) and
/// `sql/<dialect>/<contract>/<check>.sql`, sorted by path.
pub fn emit(ir: &Ir, dialect: Dialect) -> Vec<GeneratedFile> {
    let mut files: Vec<GeneratedFile> = ir
        .datasets
        .par_iter()
        .flat_map_iter(|ds| dataset_files(ds, dialect, None))
        .collect();
    files.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    files
}

/// One dataset's SQL files for `dialect`, as [`emit`] names them.
pub fn dataset_files(ds: &Dataset, dialect: Dialect, limit: Option<usize>) -> Vec<GeneratedFile> {
    let dir = format!("sql/{}/{}", dialect.name(), ds.contract);
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    let limit = size_limit(dialect, limit);
    let parts: Vec<(std::ops::Range<usize>, String)> =
        check_query_parts(ds, dialect, &relation, limit)
            .into_iter()
            .map(|p| (p.checks, p.sql))
            .collect();
    let schema_parts = conformance::schema_query_parts(ds, &ds.location, dialect, limit);
    let mut files = vec![
        GeneratedFile {
            path: format!("{dir}.sql"),
            text: joined(&parts, "checks", ds.checks.len()),
            contract: Some(ds.contract.clone()),
        },
        GeneratedFile {
            path: format!("{dir}.schema.sql"),
            text: joined(&schema_parts, "columns", ds.columns.len()),
            contract: Some(ds.contract.clone()),
        },
    ];
    // A split query also as one file per part, for clients that send a
    // file as one request (`bq query`: its limit is the whole script's).
    // `-` is in no check name, so no check's file has these names.
    for (what, parts) in [("check", &parts), ("schema", &schema_parts)] {
        if parts.len() > 1 {
            for (i, (_, sql)) in parts.iter().enumerate() {
                files.push(GeneratedFile {
                    path: format!("{dir}/{what}-part-{}.sql", i + 1),
                    text: sql.clone(),
                    contract: Some(ds.contract.clone()),
                });
            }
        }
    }
    for check in &ds.checks {
        if let Some(text) = failing_rows_query(ds, check, dialect) {
            files.push(GeneratedFile {
                path: format!("{dir}/{}.sql", check.name),
                text,
                contract: Some(ds.contract.clone()),
            });
        }
    }
    files
}

/// The text of a query file: the query, or its parts as statements each
/// ending in `;`, each after a line saying which `what` (checks, columns)
/// of how many it covers.
fn joined(parts: &[(std::ops::Range<usize>, String)], what: &str, of: usize) -> String {
    if let [(_, sql)] = parts {
        return sql.clone();
    }
    let mut out = String::new();
    for (i, (range, sql)) in parts.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "-- Part {} of {}: {what} {} to {} of {of}.",
            i + 1,
            parts.len(),
            range.start + 1,
            range.end
        );
        out.push_str(sql.trim_end());
        out.push_str(";\n");
    }
    out
}

/// `[database.][schema.]name`, each part quoted.
pub fn qualified_name(location: &Location, dialect: Dialect) -> String {
    qualified_name_with(location, dialect.sql())
}

/// User SQL (`where`, `expression`) with `d`'s quoting
/// ([`crate::user_sql::for_dialect`]), in parentheses; a `--` comment in it
/// must not swallow what follows, so it then ends with a line break.
fn user_sql(sql: &str, d: &dyn SqlDialect) -> String {
    let sql = crate::user_sql::for_dialect(sql.trim(), d);
    if sql.contains("--") {
        format!("({sql}\n)")
    } else {
        format!("({sql})")
    }
}

/// A `sql:` check's query with `{{ table }}` replaced and trailing `;` removed.
/// It is embedded as `(\n<query>\n)`, so a final `--` comment is harmless.
fn user_query(query: &str, table: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut last = 0;
    for range in crate::user_sql::placeholders(query) {
        out.push_str(&query[last..range.start]);
        out.push_str(table);
        last = range.end;
    }
    out.push_str(&query[last..]);
    crate::user_sql::strip_trailing_semicolons(&out)
}

/// Columns of the constant list of checks (`datapact_checks`), in order.
const CHECK_LIST_COLUMNS: [&str; 7] = [
    "ord",
    "contract",
    "check_name",
    "column_name",
    "rule",
    "severity",
    "fail_status",
];

/// The check query's scans: the whole table, and the rows in its window.
const SCANS: [&str; 2] = ["datapact_scan", "datapact_window"];

/// How a query names a dataset's table, given its contract id and location.
pub type Relation<'r> = &'r dyn Fn(&str, &Location) -> String;

struct Emitter<'a> {
    d: &'static dyn SqlDialect,
    dialect: Dialect,
    ds: &'a Dataset,
    /// The checks the check query evaluates: all of the dataset's, or one
    /// part of them ([`check_query_parts`]) starting at check `first`.
    checks: &'a [Check],
    first: usize,
    relation: Relation<'a>,
    table: String,
    /// Whether the check query ends with `order by`.
    ordered: bool,
    /// Whether the check query returns only the checks that did not pass
    /// (unordered).
    non_passing_only: bool,
}

impl<'a> Emitter<'a> {
    fn new(ds: &'a Dataset, dialect: Dialect, relation: Relation<'a>) -> Emitter<'a> {
        Emitter {
            d: dialect.sql(),
            dialect,
            ds,
            checks: &ds.checks,
            first: 0,
            relation,
            table: relation(&ds.contract, &ds.location),
            ordered: true,
            non_passing_only: false,
        }
    }

    fn q(&self, name: &str) -> String {
        self.d.quote_ident(name)
    }

    fn column_type(&self, name: &str) -> LogicalType {
        self.ds.column_type(name)
    }

    fn text_type(&self) -> String {
        self.d.type_name(LogicalType::String)
    }

    fn to_text(&self, expr: &str) -> String {
        format!("cast({expr} as {})", self.text_type())
    }

    fn paths(&self) -> nested::Paths<'_> {
        nested::Paths {
            d: self.d,
            ds: self.ds,
        }
    }

    /// The predicate true for a row that fails a single-row rule; `None`
    /// for rules that need more than the row itself. A rule inside a
    /// nested column fails the row when some value at its path breaks it.
    fn row_predicate(&self, check: &Check) -> Option<String> {
        let paths = self.paths();
        let leaf = |value: &nested::Value, node: &Column| -> String {
            let v = &value.expr;
            let ty = node.ty;
            match &check.kind {
                CheckKind::Required => paths.is_null(value),
                CheckKind::AcceptedValues { values } => {
                    let list: Vec<String> = values.iter().map(|l| self.d.literal(l, ty)).collect();
                    format!("{v} not in ({})", list.join(", "))
                }
                CheckKind::Min { value } => format!("{v} < {}", self.d.literal(value, ty)),
                CheckKind::Max { value } => format!("{v} > {}", self.d.literal(value, ty)),
                CheckKind::Pattern { regex } => {
                    format!("not ({})", self.d.regex_full_match(v, regex))
                }
                CheckKind::Length { min, max } => {
                    let length = if ty.is_nested() {
                        paths.count(value, ty)
                    } else {
                        self.d.char_length(v)
                    };
                    let bounds: Vec<String> = [min.map(|m| (m, "<")), max.map(|m| (m, ">"))]
                        .into_iter()
                        .flatten()
                        .map(|(bound, op)| format!("{length} {op} {bound}"))
                        .collect();
                    bounds.join(" or ")
                }
                CheckKind::UniqueItems => paths.duplicates(value, "datapact_u"),
                // Not a rule on one value: never given a leaf (below).
                CheckKind::Expression { .. }
                | CheckKind::Unique
                | CheckKind::References { .. }
                | CheckKind::UniqueCombination { .. }
                | CheckKind::Sql { .. }
                | CheckKind::RowCount { .. }
                | CheckKind::RowCountChange { .. }
                | CheckKind::NullRateIncrease { .. }
                | CheckKind::Freshness { .. } => String::new(),
            }
        };
        Some(match &check.kind {
            CheckKind::Required
            | CheckKind::AcceptedValues { .. }
            | CheckKind::Min { .. }
            | CheckKind::Max { .. }
            | CheckKind::Pattern { .. }
            | CheckKind::Length { .. }
            | CheckKind::UniqueItems => {
                paths.any(check, matches!(check.kind, CheckKind::Required), &leaf)
            }
            CheckKind::Expression { sql } => format!("not {}", user_sql(sql, self.d)),
            CheckKind::Unique
            | CheckKind::References { .. }
            | CheckKind::UniqueCombination { .. }
            | CheckKind::Sql { .. }
            | CheckKind::RowCount { .. }
            | CheckKind::RowCountChange { .. }
            | CheckKind::NullRateIncrease { .. }
            | CheckKind::Freshness { .. } => return None,
        })
    }

    /// The value a check on one value per row (`unique`, `null_rate`)
    /// reads: the column, or a struct field inside it.
    fn single_value(&self, check: &Check) -> (nested::Value, LogicalType) {
        self.paths().single(check).unwrap_or_else(|| {
            let column = check.column.as_deref().unwrap_or_default();
            (
                nested::Value::new(self.q(column), false),
                self.column_type(column),
            )
        })
    }

    /// The rows a check sees, as one condition: its `where` and, when it
    /// is windowed, the dataset's window; `None`: every row.
    fn scope(&self, check: &Check) -> Option<String> {
        self.scope_with(check, true)
    }

    /// [`Emitter::scope`], without the window when `window` is false (in
    /// the check query's window scan, whose `where` holds it).
    fn scope_with(&self, check: &Check, window: bool) -> Option<String> {
        let window = (self.ds.window.as_ref())
            .filter(|_| check.windowed && window)
            .map(|w| format!("({})", window_condition(w, self.ds, self.d)));
        let filter = check.filter.as_deref().map(|w| user_sql(w, self.d));
        match (filter, window) {
            (Some(filter), Some(window)) => Some(format!("{filter} and {window}")),
            (filter, window) => filter.or(window),
        }
    }

    /// `(scope) and (predicate)`, or the predicate alone.
    fn filtered(&self, check: &Check, predicate: &str) -> String {
        self.filtered_with(check, predicate, true)
    }

    /// [`Emitter::filtered`], without the window when `window` is false.
    fn filtered_with(&self, check: &Check, predicate: &str, window: bool) -> String {
        match self.scope_with(check, window) {
            Some(scope) => format!("{scope} and ({predicate})"),
            None => predicate.to_string(),
        }
    }

    /// A unique combination's member: a column, or a struct's field by its
    /// path (`address.zip`).
    fn member(&self, name: &str) -> String {
        self.paths().named(name).expr
    }

    /// The type of a unique combination's member ([`Emitter::member`]).
    fn member_type(&self, name: &str) -> LogicalType {
        self.paths().named_typed(name).1
    }

    /// True for rows a unique-combination check looks at: not all NULL.
    fn not_all_null(&self, columns: &[String]) -> String {
        let all: Vec<String> = columns
            .iter()
            .map(|c| format!("{} is null", self.member(c)))
            .collect();
        format!("not ({})", all.join(" and "))
    }

    /// An injective text key of several columns, NULL-aware: each value
    /// becomes `n`, or `v<length>:<text>`.
    fn combination_key(&self, columns: &[String]) -> String {
        let pieces: Vec<String> = columns
            .iter()
            .map(|c| {
                let column = self.member(c);
                let text = self.to_text(&column);
                let length = self.to_text(&self.d.char_length(&text));
                format!(
                    "case when {column} is null then {} else {} end",
                    self.d.string_literal("n"),
                    self.d.concat(&[
                        self.d.string_literal("v"),
                        length,
                        self.d.string_literal(":"),
                        text
                    ])
                )
            })
            .collect();
        self.d.concat(&pieces)
    }

    fn count(&self, arg: &str) -> String {
        format!("{}({arg})", self.d.count())
    }

    /// Duplicates counted in a grouped pass of their own: the rows where
    /// `condition` holds, grouped by `key`, each group of n counting n - 1.
    fn grouped_pass(&self, key: &str, condition: &str) -> String {
        let n = self.q("datapact_n");
        format!(
            "select coalesce(sum({n} - 1), 0) as {}\nfrom (\n  select {}(*) as {n}\n  from {}\n  where {condition}\n  group by {key}\n) as {}",
            self.q("failures"),
            self.d.count(),
            self.table,
            self.q("datapact_groups")
        )
    }

    fn check_query(&self) -> String {
        let d = self.d;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "-- datapact check query for {} {}. Generated by datapact; do not edit.",
            self.ds.contract, self.ds.version
        );
        out.push_str(
            "-- One row per check: contract, check_name, column_name, rule, severity,\n\
             -- failures, observed, status ('pass' | 'warn' | 'fail').\n",
        );
        if self.checks.is_empty() {
            let text = self.text_type();
            let bigint = d.type_name(LogicalType::Bigint);
            let columns = [
                ("contract", &text),
                ("check_name", &text),
                ("column_name", &text),
                ("rule", &text),
                ("severity", &text),
                ("failures", &bigint),
                ("observed", &text),
                ("status", &text),
            ];
            let list: Vec<String> = columns
                .iter()
                .map(|(name, ty)| format!("cast(null as {ty}) as {}", self.q(name)))
                .collect();
            let _ = writeln!(out, "-- The contract declares no checks.");
            // A FROM clause: BigQuery refuses WHERE without one.
            let _ = writeln!(
                out,
                "select\n  {}\nfrom (select 1 as {}) as {}\nwhere 1 = 0",
                list.join(",\n  "),
                self.q("one"),
                self.q("datapact_none")
            );
            return out;
        }

        // The scans: aggregates over the whole dataset, and over the rows
        // in its window (for the windowed checks; its `where` lets the
        // engine skip what lies outside). Each is emitted when used.
        let mut scans: [Vec<(String, String)>; 2] = [
            vec![("rows".into(), self.count("*"))],
            vec![("rows".into(), self.count("*"))],
        ];
        let mut used = [false; 2];
        // Extra CTEs for checks that read more than the scan.
        let mut extra: Vec<(String, String)> = Vec::new();
        // Per check: failures, allowed, observed (SQL over the aliases below).
        let mut measures: Vec<Measure> = Vec::new();
        let at = |k: usize, alias: &str| format!("{}.{}", self.q(SCANS[k]), self.q(alias));

        // Per-row conditions computed beside each scan (see `flags` below).
        let mut flags: [Vec<(String, String)>; 2] = [Vec::new(), Vec::new()];
        for (i, check) in self.checks.iter().enumerate() {
            let n = self.first + i + 1;
            if nested::is_nested(self.ds, check) && !d.nested_rules() {
                measures.push(Measure {
                    failures: format!("cast(null as {})", d.type_name(LogicalType::Bigint)),
                    allowed: "0".into(),
                    observed: d.string_literal(&format!(
                        "rules inside nested columns are not compiled for {}",
                        self.dialect.name()
                    )),
                    fail_status: "error",
                    status_sql: None,
                });
                continue;
            }
            // The scan the check's aggregates go in; inside it, what the
            // check sees is its `where` alone.
            let k = usize::from(check.windowed && self.ds.window.is_some());
            used[k] = true;
            let seen_alias = format!("seen_{n}");
            let seen = match self.scope_with(check, false) {
                Some(scope) => {
                    scans[k].push((
                        seen_alias.clone(),
                        self.count(&format!("case when {scope} then 1 end")),
                    ));
                    at(k, &seen_alias)
                }
                None => at(k, "rows"),
            };
            let failures_alias = format!("failures_{n}");
            let counted = |scan: &mut Vec<(String, String)>, expr: String| {
                scan.push((failures_alias.clone(), expr));
                at(k, &failures_alias)
            };
            // A rule with a query of its own: its count, joined to the scan.
            let own_scan = |extra: &mut Vec<(String, String)>, body: String| {
                let name = format!("datapact_check_{n}");
                let failures = format!("{}.{}", self.q(&name), self.q("failures"));
                extra.push((name, body));
                Measure::counted(failures, &seen, check, self)
            };
            let measure = match &check.kind {
                CheckKind::Unique => {
                    let (value, ty) = self.single_value(check);
                    let column = value.expr;
                    if d.grouped_uniqueness() {
                        let condition = self.filtered(check, &format!("{column} is not null"));
                        let key = d.distinct_key(&column, ty);
                        own_scan(&mut extra, self.grouped_pass(&key, &condition))
                    } else {
                        let value = match self.scope_with(check, false) {
                            Some(scope) => format!("case when {scope} then {column} end"),
                            None => column,
                        };
                        let failures = counted(
                            &mut scans[k],
                            format!(
                                "{} - {}",
                                self.count(&value),
                                self.count(&format!("distinct {}", d.distinct_key(&value, ty)))
                            ),
                        );
                        Measure::counted(failures, &seen, check, self)
                    }
                }
                CheckKind::UniqueCombination { columns } => {
                    let all_null = self.not_all_null(columns);
                    if d.grouped_uniqueness() {
                        // GROUP BY holds NULL equal to NULL, as the rule
                        // does; a nested member (a map cannot be grouped
                        // by in Spark 3) by its text key.
                        let nested = columns.iter().any(|c| self.member_type(c).is_nested());
                        let members: Vec<String> = if nested {
                            vec![self.combination_key(columns)]
                        } else {
                            columns.iter().map(|c| self.member(c)).collect()
                        };
                        let condition = self.filtered(check, &all_null);
                        own_scan(
                            &mut extra,
                            self.grouped_pass(&members.join(", "), &condition),
                        )
                    } else {
                        let key = self.combination_key(columns);
                        let condition = self.filtered_with(check, &all_null, false);
                        let failures = counted(
                            &mut scans[k],
                            format!(
                                "{} - {}",
                                self.count(&format!("case when {condition} then 1 end")),
                                self.count(&format!(
                                    "distinct case when {condition} then {key} end"
                                ))
                            ),
                        );
                        Measure::counted(failures, &seen, check, self)
                    }
                }
                CheckKind::References { .. } => {
                    let body = format!(
                        "select {} as {}\n{}",
                        self.count("*"),
                        self.q("failures"),
                        self.references_from_where(check)
                    );
                    own_scan(&mut extra, body)
                }
                CheckKind::Sql { query } => {
                    let body = format!(
                        "select {} as {} from (\n{}\n) as {}",
                        self.count("*"),
                        self.q("failures"),
                        user_query(query, &self.table),
                        self.q("datapact_rows")
                    );
                    own_scan(&mut extra, body)
                }
                CheckKind::RowCount { min, max } => {
                    let bounds: Vec<String> = [min.map(|m| (m, "<")), max.map(|m| (m, ">"))]
                        .into_iter()
                        .flatten()
                        .map(|(bound, op)| format!("{seen} {op} {bound}"))
                        .collect();
                    Measure {
                        failures: format!("case when {} then 1 else 0 end", bounds.join(" or ")),
                        allowed: "0".into(),
                        observed: self.to_text(&seen),
                        fail_status: fail_status(check.severity),
                        status_sql: None,
                    }
                }
                // Judged against earlier runs by `datapact run`: the query
                // observes the count and cannot judge it alone, so its
                // status is `error` with no failure count.
                CheckKind::RowCountChange { .. } => Measure {
                    failures: format!("cast(null as {})", d.type_name(LogicalType::Bigint)),
                    allowed: "0".into(),
                    observed: self.to_text(&seen),
                    fail_status: "error",
                    status_sql: None,
                },
                // Observed as `<nulls>/<rows seen>`, judged by `datapact run`.
                CheckKind::NullRateIncrease { .. } => {
                    let (value, _) = self.single_value(check);
                    let condition = self.filtered_with(check, &self.paths().is_null(&value), false);
                    let nulls = counted(
                        &mut scans[k],
                        self.count(&format!("case when {condition} then 1 end")),
                    );
                    Measure {
                        failures: format!("cast(null as {})", d.type_name(LogicalType::Bigint)),
                        allowed: "0".into(),
                        observed: d.concat(&[
                            self.to_text(&nulls),
                            d.string_literal("/"),
                            self.to_text(&seen),
                        ]),
                        fail_status: "error",
                        status_sql: None,
                    }
                }
                CheckKind::Freshness {
                    column,
                    warn_after,
                    error_after,
                } => {
                    let value = match self.scope_with(check, false) {
                        Some(scope) => format!("case when {scope} then {} end", self.q(column)),
                        None => self.q(column),
                    };
                    let age_alias = format!("age_{n}");
                    scans[k].push((
                        age_alias.clone(),
                        d.age_seconds(&format!("max({value})"), self.column_type(column)),
                    ));
                    let age = at(k, &age_alias);
                    let stale = |after: Option<crate::types::Duration>| {
                        after.map(|a| format!("{age} > {}", a.seconds()))
                    };
                    // warn_after ≤ error_after: stale at all means past the first.
                    let any_stale: Vec<String> = std::iter::once(format!("{age} is null"))
                        .chain(stale(warn_after.or(*error_after)))
                        .collect();
                    let failures =
                        format!("case when {} then 1 else 0 end", any_stale.join(" or "));
                    // Stale past warn_after only warns.
                    let status_sql = match stale(*error_after) {
                        Some(error) if warn_after.is_some() => Some(format!(
                            "case when {age} is null or {error} then {} else {} end",
                            d.string_literal("fail"),
                            d.string_literal("warn")
                        )),
                        _ => None,
                    };
                    Measure {
                        failures,
                        allowed: "0".into(),
                        observed: self.to_text(&format!(
                            "cast(floor({age}) as {})",
                            d.type_name(LogicalType::Bigint)
                        )),
                        fail_status: if error_after.is_some() {
                            "fail"
                        } else {
                            "warn"
                        },
                        status_sql,
                    }
                }
                CheckKind::Required
                | CheckKind::AcceptedValues { .. }
                | CheckKind::Min { .. }
                | CheckKind::Max { .. }
                | CheckKind::Pattern { .. }
                | CheckKind::Length { .. }
                | CheckKind::UniqueItems
                | CheckKind::Expression { .. } => {
                    let predicate = self.row_predicate(check).unwrap_or_default();
                    let condition = self.filtered_with(check, &predicate, false);
                    // An element rule's subquery, where an aggregate may not
                    // hold one: a flag computed per row beside the scan.
                    let condition =
                        if nested::iterates(self.ds, check) && !d.subquery_in_aggregate() {
                            let flag = format!("flag_{n}");
                            flags[k].push((flag.clone(), condition));
                            format!("{}.{} = 1", self.q("datapact_flags"), self.q(&flag))
                        } else {
                            condition
                        };
                    let failures = counted(
                        &mut scans[k],
                        self.count(&format!("case when {condition} then 1 end")),
                    );
                    Measure::counted(failures, &seen, check, self)
                }
            };
            measures.push(measure);
        }
        // The whole-table scan also when no check used either.
        used[0] |= !used[1];

        out.push_str("with ");
        let mut first = true;
        for k in (0..2).filter(|&k| used[k]) {
            if !first {
                out.push_str(",\n");
            }
            first = false;
            let _ = writeln!(out, "{} as (", self.q(SCANS[k]));
            out.push_str("  select\n");
            let scan_lines: Vec<String> = scans[k]
                .iter()
                .map(|(alias, expr)| format!("    {expr} as {}", self.q(alias)))
                .collect();
            out.push_str(&scan_lines.join(",\n"));
            let _ = write!(out, "\n  from {}", self.table);
            if !flags[k].is_empty() {
                let list: Vec<String> = flags[k]
                    .iter()
                    .map(|(flag, condition)| {
                        format!(
                            "case when {condition} then 1 else 0 end as {}",
                            self.q(flag)
                        )
                    })
                    .collect();
                let _ = write!(
                    out,
                    "\n  cross apply (select {}) as {}",
                    list.join(", "),
                    self.q("datapact_flags")
                );
            }
            if let (1, Some(window)) = (k, &self.ds.window) {
                let _ = write!(
                    out,
                    "\n  where {}",
                    window_condition(window, self.ds, self.d)
                );
            }
            out.push_str("\n)");
        }
        for (name, body) in &extra {
            let _ = write!(
                out,
                ",\n{} as (\n  {}\n)",
                self.q(name),
                body.replace('\n', "\n  ")
            );
        }

        // The constant list of checks, one row each.
        let text = self.text_type();
        let rows: Vec<String> = self
            .checks
            .iter()
            .zip(&measures)
            .enumerate()
            .map(|(i, (check, m))| {
                let column = match &check.column {
                    Some(c) => d.string_literal(c),
                    None => format!("cast(null as {text})"),
                };
                let values = [
                    (self.first + i + 1).to_string(),
                    d.string_literal(&self.ds.contract),
                    d.string_literal(&check.name),
                    column,
                    d.string_literal(check.kind.rule()),
                    d.string_literal(check.severity.name()),
                    d.string_literal(m.fail_status),
                ];
                if i == 0 {
                    let aliased: Vec<String> = values
                        .iter()
                        .zip(CHECK_LIST_COLUMNS)
                        .map(|(v, n)| format!("{v} as {}", self.q(n)))
                        .collect();
                    format!("select {}", aliased.join(", "))
                } else {
                    format!("select {}", values.join(", "))
                }
            })
            .collect();
        let c = |column: &str| format!("{}.{}", self.q("datapact_checks"), self.q(column));
        // A CASE over the check number; arms equal to `default` fall to `else`.
        let by_check = |pick: &dyn Fn(&Measure) -> &String, default: Option<&str>| -> String {
            let arms: Vec<String> = measures
                .iter()
                .enumerate()
                .filter(|(_, m)| Some(pick(m).as_str()) != default)
                .map(|(i, m)| format!("      when {} then {}", self.first + i + 1, pick(m)))
                .collect();
            match default {
                Some(default) if arms.is_empty() => default.to_string(),
                Some(default) => format!(
                    "case {}\n{}\n      else {default}\n    end",
                    c("ord"),
                    arms.join("\n")
                ),
                None => format!("case {}\n{}\n    end", c("ord"), arms.join("\n")),
            }
        };
        let main = usize::from(!used[0]);
        let rows_text = self.to_text(&at(main, "rows"));
        let _ = write!(out, ",\n{} as (\n  select\n", self.q("datapact_measures"));
        for column in CHECK_LIST_COLUMNS {
            if column == "fail_status" && measures.iter().any(|m| m.status_sql.is_some()) {
                let arms: Vec<String> = measures
                    .iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let sql = m.status_sql.as_ref()?;
                        Some(format!("      when {} then {sql}", self.first + i + 1))
                    })
                    .collect();
                let _ = writeln!(
                    out,
                    "    case {}\n{}\n      else {}\n    end as {},",
                    c("ord"),
                    arms.join("\n"),
                    c(column),
                    self.q(column)
                );
            } else {
                let _ = writeln!(out, "    {},", c(column));
            }
        }
        let _ = writeln!(
            out,
            "    {} as {},",
            by_check(&|m| &m.failures, None),
            self.q("failures")
        );
        let _ = writeln!(
            out,
            "    {} as {},",
            by_check(&|m| &m.allowed, Some("0")),
            self.q("allowed")
        );
        let _ = writeln!(
            out,
            "    {} as {}",
            by_check(&|m| &m.observed, Some(&rows_text)),
            self.q("observed")
        );
        let _ = writeln!(out, "  from {}", self.q(SCANS[main]));
        if used[0] && used[1] {
            let _ = writeln!(out, "  cross join {}", self.q(SCANS[1]));
        }
        for (name, _) in &extra {
            let _ = writeln!(out, "  cross join {}", self.q(name));
        }
        let _ = writeln!(
            out,
            "  cross join (\n    {}\n  ) as {}\n)",
            rows.join("\n    union all\n    "),
            self.q("datapact_checks")
        );
        let m = |column: &str| self.q(column);
        let mut results = String::new();
        let _ = writeln!(
            results,
            "select\n  {},\n  {},\n  {},\n  {},\n  {},\n  cast({} as {}) as {},\n  {},\n  \
             case when {} = 0 then {} when {} <= {} then {} else {} end as {}\nfrom {}",
            m("contract"),
            m("check_name"),
            m("column_name"),
            m("rule"),
            m("severity"),
            m("failures"),
            d.type_name(LogicalType::Bigint),
            m("failures"),
            m("observed"),
            m("failures"),
            d.string_literal("pass"),
            m("failures"),
            m("allowed"),
            d.string_literal("warn"),
            m("fail_status"),
            m("status"),
            m("datapact_measures"),
        );
        if self.non_passing_only {
            // A last CTE rather than a derived table: T-SQL allows no CTE
            // inside one.
            out.truncate(out.trim_end().len());
            let _ = write!(
                out,
                ",\n{} as (\n  {}\n)\nselect *\nfrom {}\nwhere {} <> {}\n",
                m("datapact_results"),
                results.trim_end().replace('\n', "\n  "),
                m("datapact_results"),
                m("status"),
                d.string_literal("pass")
            );
        } else {
            out.push_str(&results);
            if self.ordered {
                let _ = writeln!(out, "order by {}", m("ord"));
            }
        }
        out
    }

    /// `from <table> as source where … and not exists (… target …)`.
    fn references_from_where(&self, check: &Check) -> String {
        let CheckKind::References {
            contract,
            column: target_column,
            location,
        } = &check.kind
        else {
            return String::new();
        };
        let dialect_target = (self.relation)(contract, location);
        let source = self.q("datapact_source");
        let target = self.q("datapact_target");
        let column = self.q(check.column.as_deref().unwrap_or_default());
        let mut conditions = Vec::new();
        conditions.extend(self.scope(check));
        conditions.push(format!("{source}.{column} is not null"));
        conditions.push(format!(
            "not exists (\n    select 1\n    from {dialect_target} as {target}\n    where {target}.{} = {source}.{column}\n  )",
            self.q(target_column)
        ));
        format!(
            "from {} as {source}\nwhere {}",
            self.table,
            conditions.join("\n  and ")
        )
    }

    /// The failing-rows query of a check that judges rows; `None` for one
    /// that judges the dataset as a whole (the match below decides).
    fn failing_rows(&self, check: &Check) -> Option<String> {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "-- datapact failing rows of check {} ({}, {}) on {} {}.\n-- Generated by datapact; do not edit.",
            check.name,
            check.kind.rule(),
            check.severity.name(),
            self.ds.contract,
            self.ds.version
        );
        let occurrences = self.q("datapact_occurrences");
        // Partitioned by expressions, already quoted.
        let windowed = |partition: &[String], condition: String| {
            format!(
                "select *\nfrom (\n  select\n    *,\n    {}(*) over (partition by {}) as {occurrences}\n  from {}\n  where {condition}\n) as {}\nwhere {occurrences} > 1",
                self.d.count(),
                partition.join(", "),
                self.table,
                self.q("datapact_rows")
            )
        };
        let body = match &check.kind {
            CheckKind::Unique => {
                let (value, _) = self.single_value(check);
                let condition = self.filtered(check, &format!("{} is not null", value.expr));
                out.push_str(
                    "-- Every row whose value occurs more than once, with its number of occurrences.\n",
                );
                windowed(&[value.expr], condition)
            }
            CheckKind::UniqueCombination { columns } => {
                out.push_str(
                    "-- Every row whose combination occurs more than once, with its number of occurrences.\n",
                );
                let quoted: Vec<String> = columns.iter().map(|c| self.member(c)).collect();
                windowed(&quoted, self.filtered(check, &self.not_all_null(columns)))
            }
            CheckKind::References { .. } => format!(
                "select {}.*\n{}",
                self.q("datapact_source"),
                self.references_from_where(check)
            ),
            CheckKind::Sql { query } => user_query(query, &self.table),
            CheckKind::RowCount { .. }
            | CheckKind::RowCountChange { .. }
            | CheckKind::NullRateIncrease { .. }
            | CheckKind::Freshness { .. } => return None,
            CheckKind::Required
            | CheckKind::AcceptedValues { .. }
            | CheckKind::Min { .. }
            | CheckKind::Max { .. }
            | CheckKind::Pattern { .. }
            | CheckKind::Length { .. }
            | CheckKind::UniqueItems
            | CheckKind::Expression { .. } => {
                if nested::is_nested(self.ds, check) && !self.d.nested_rules() {
                    return None;
                }
                let predicate = self.row_predicate(check)?;
                format!(
                    "select *\nfrom {}\nwhere {}",
                    self.table,
                    self.filtered(check, &predicate)
                )
            }
        };
        out.push_str(&body);
        out.push('\n');
        Some(out)
    }
}

/// What the measures CTE reports for one check.
struct Measure {
    failures: String,
    allowed: String,
    observed: String,
    fail_status: &'static str,
    /// The status when failing, when it depends on the data (freshness
    /// past warn_after only); else `fail_status`.
    status_sql: Option<String>,
}

impl Measure {
    /// A rule that counts failing rows among `seen`, with its tolerance.
    fn counted(failures: String, seen: &str, check: &Check, e: &Emitter) -> Measure {
        let allowed = match &check.tolerance {
            None => "0".to_string(),
            Some(Tolerance::Count(n)) => n.to_string(),
            Some(t @ Tolerance::Percent(_)) => {
                let (numerator, denominator) = t.ratio();
                e.d.int_div(&format!("{seen} * {numerator}"), &denominator.to_string())
            }
        };
        Measure {
            failures,
            allowed,
            observed: e.to_text(seen),
            fail_status: fail_status(check.severity),
            status_sql: None,
        }
    }
}

fn fail_status(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "fail",
        Severity::Warn => "warn",
    }
}

fn qualified_name_with(location: &Location, d: &dyn SqlDialect) -> String {
    [&location.database, &location.schema]
        .into_iter()
        .flatten()
        .chain(std::iter::once(&location.name))
        .map(|part| d.quote_ident(part))
        .collect::<Vec<_>>()
        .join(".")
}

/// The check query of a dataset.
pub fn check_query(ds: &Dataset, dialect: Dialect) -> String {
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    Emitter::new(ds, dialect, &relation).check_query()
}

/// One part of a dataset's check query: the checks `checks` (indexes into
/// the dataset's) and the query that evaluates them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub checks: std::ops::Range<usize>,
    pub sql: String,
}

/// The condition true for a row inside the dataset's window: its column
/// at or after the window's start (a date column: on or after the day the
/// window starts, UTC). A row whose column is NULL is outside.
fn window_condition(window: &Window, ds: &Dataset, d: &dyn SqlDialect) -> String {
    format!(
        "{} >= {}",
        d.quote_ident(&window.column),
        d.window_start(window.last.seconds(), ds.column_type(&window.column))
    )
}

/// [`window_condition`] in `dialect`, for a check that sees the window
/// (with its own `where`, which dbt applies apart); `None` otherwise.
pub fn window_scope(ds: &Dataset, check: &Check, dialect: Dialect) -> Option<String> {
    let window = ds.window.as_ref().filter(|_| check.windowed)?;
    Some(window_condition(window, ds, dialect.sql()))
}

/// The bytes a check query of `dialect` may hold: `limit` when given (a
/// server configured below its default), else the dialect's own
/// ([`SqlDialect::max_query_bytes`]).
pub fn size_limit(dialect: Dialect, limit: Option<usize>) -> Option<usize> {
    limit.or(dialect.sql().max_query_bytes())
}

/// A dataset's check query in parts of at most `limit` bytes each (see
/// [`size_limit`]); one part without a limit or when it fits. Each part is
/// a whole check query over the same table for a run of consecutive
/// checks, as many as fit: one more scan of the table per part. A single
/// check larger than the limit is a part of its own (its `sql`,
/// `expression` or list of values is that large).
pub fn check_query_parts(
    ds: &Dataset,
    dialect: Dialect,
    relation: Relation,
    limit: Option<usize>,
) -> Vec<Part> {
    parts(ds, dialect, relation, limit, false)
}

/// [`check_query_parts`] as tests: each part returns only the checks that
/// did not pass ([`check_query_non_passing`]).
pub fn check_query_parts_non_passing(
    ds: &Dataset,
    dialect: Dialect,
    relation: Relation,
    limit: Option<usize>,
) -> Vec<Part> {
    parts(ds, dialect, relation, limit, true)
}

fn parts(
    ds: &Dataset,
    dialect: Dialect,
    relation: Relation,
    limit: Option<usize>,
    non_passing: bool,
) -> Vec<Part> {
    let query = |checks: std::ops::Range<usize>| {
        let mut e = Emitter::new(ds, dialect, relation);
        e.checks = &ds.checks[checks.clone()];
        e.first = checks.start;
        e.non_passing_only = non_passing;
        e.check_query()
    };
    split(ds.checks.len(), limit, query)
        .into_iter()
        .map(|(checks, sql)| Part { checks, sql })
        .collect()
}

/// `0..n` in consecutive ranges whose `render`ed text fits in `limit`
/// bytes, each with its text: the whole range when it fits (or without a
/// limit), else greedily from the start the longest range that fits, found
/// by doubling and then bisecting (a text grows with its range). A range
/// of one is taken even when it does not fit.
pub(crate) fn split(
    n: usize,
    limit: Option<usize>,
    render: impl Fn(std::ops::Range<usize>) -> String,
) -> Vec<(std::ops::Range<usize>, String)> {
    let whole = render(0..n);
    let Some(limit) = limit.filter(|&limit| whole.len() > limit && n > 1) else {
        return vec![(0..n, whole)];
    };
    let mut parts = Vec::new();
    let mut start = 0;
    while start < n {
        let fits = |to: usize| render(start..to).len() <= limit;
        // `good` fits (or is one past `start`); `bad` does not (or is past `n`).
        let (mut good, mut bad) = (start + 1, n + 1);
        let mut step = 1;
        while start + step * 2 <= n {
            if fits(start + step * 2) {
                good = start + step * 2;
                step *= 2;
            } else {
                bad = start + step * 2;
                break;
            }
        }
        if bad > n && good < n {
            if fits(n) {
                good = n;
            } else {
                bad = n;
            }
        }
        while bad - good > 1 {
            let mid = good + (bad - good) / 2;
            if fits(mid) {
                good = mid;
            } else {
                bad = mid;
            }
        }
        parts.push((start..good, render(start..good)));
        start = good;
    }
    parts
}

/// The check query of a dataset with its tables named through `relation`.
pub fn check_query_with(ds: &Dataset, dialect: Dialect, relation: Relation) -> String {
    Emitter::new(ds, dialect, relation).check_query()
}

/// The check query of a dataset as a test: tables named through
/// `relation`, returning only the checks that did not pass, unordered.
pub fn check_query_non_passing(ds: &Dataset, dialect: Dialect, relation: Relation) -> String {
    let mut emitter = Emitter::new(ds, dialect, relation);
    emitter.non_passing_only = true;
    emitter.check_query()
}

/// The failing-rows query of a row-level check; `None` for row_count and freshness.
pub fn failing_rows_query(ds: &Dataset, check: &Check, dialect: Dialect) -> Option<String> {
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    failing_rows_query_with(ds, check, dialect, &relation)
}

/// [`failing_rows_query`] with tables named through `relation`.
pub fn failing_rows_query_with(
    ds: &Dataset,
    check: &Check,
    dialect: Dialect,
    relation: Relation,
) -> Option<String> {
    Emitter::new(ds, dialect, relation).failing_rows(check)
}

/// At most `n` rows of `query` (a failing-rows query).
pub fn sample_query(query: &str, n: u64, dialect: Dialect) -> String {
    dialect.sql().limited(query.trim_end(), n)
}

/// Whether a check looks inside a nested column: at a path, or at the
/// elements of an array or map.
pub fn is_nested_check(ds: &Dataset, check: &Check) -> bool {
    nested::is_nested(ds, check)
}

/// The condition true for a row that fails a row-level check (without its
/// `where`), in `dialect`; `None` for checks that judge more than a row.
pub fn row_condition(ds: &Dataset, check: &Check, dialect: Dialect) -> Option<String> {
    if nested::is_nested(ds, check) && !dialect.sql().nested_rules() {
        return Some(format!("{} = 0", not_compiled(dialect)));
    }
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    Emitter::new(ds, dialect, &relation).row_predicate(check)
}

/// Where a dialect does not compile rules inside nested columns (Redshift),
/// a value that fails the query with the reason: a dbt test on such a rule
/// errors rather than passing unchecked.
fn not_compiled(dialect: Dialect) -> String {
    let d = dialect.sql();
    format!(
        "cast({} as {})",
        d.string_literal(&format!(
            "rules inside nested columns are not compiled for {}",
            dialect.name()
        )),
        d.type_name(LogicalType::Integer)
    )
}

/// A unique combination's member in `dialect`: the quoted column, or a
/// struct's field by its path (`address.zip`).
pub fn member(ds: &Dataset, name: &str, dialect: Dialect) -> String {
    if ds.column(name).is_none() && !dialect.sql().nested_rules() {
        return not_compiled(dialect);
    }
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    Emitter::new(ds, dialect, &relation).member(name)
}

/// The one value per row a `unique` or `null_rate` check reads: its
/// column, or a struct field inside it, in `dialect`.
pub fn check_value(ds: &Dataset, check: &Check, dialect: Dialect) -> String {
    if !check.path.is_empty() && !dialect.sql().nested_rules() {
        return not_compiled(dialect);
    }
    let relation = |_: &str, location: &Location| qualified_name(location, dialect);
    Emitter::new(ds, dialect, &relation)
        .single_value(check)
        .0
        .expr
}

/// A `sql:` check's query with `{{ table }}` replaced by `table` and
/// trailing semicolons removed.
pub fn sql_check_query(query: &str, table: &str) -> String {
    user_query(query, table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_take_the_dialects_limit() {
        let q = "-- failing rows\nselect * from t where x < 0\n";
        assert_eq!(
            sample_query(q, 5, Dialect::Postgres),
            "select *\nfrom (\n-- failing rows\nselect * from t where x < 0\n) as datapact_sample\nlimit 5"
        );
        assert_eq!(
            sample_query(q, 5, Dialect::Sqlserver),
            "select top (5) *\nfrom (\n-- failing rows\nselect * from t where x < 0\n) as datapact_sample"
        );
    }
}
