//! `import --profile`: scan a table once (one aggregate query, like the
//! check query) and propose the rules that hold on its data today, each
//! with a comment saying what was observed, for a person to review:
//!
//! - `required` where no value is NULL, `unique` where no value repeats;
//! - `min`/`max` of numbers, rounded outward to two significant digits
//!   of the larger bound;
//! - `accepted_values` for text with at most 20 distinct values, each
//!   seen 5 times on average (DuckDB and PostgreSQL);
//! - `pattern` for text of one shape (`[A-Z]{2}`, `[0-9]{5,6}`,
//!   `[A-Z]+-[0-9]+`, …);
//! - a `row_count` floor at half today's rows;
//! - `freshness` on the first `…_at`/`…time…`/`loaded…` timestamp: warn
//!   after twice the mean gap between its distinct values, error after
//!   four times, when its newest value is that recent today.
//!
//! Columns that look personal (see [`super::looks_personal`]) get no
//! rule that writes their values (accepted values, bounds); only their
//! shape.

use std::time::Duration as Elapsed;

use super::Draft;
use crate::ir::{CheckKind, Column};
use crate::literal::Literal;
use crate::run::engine::{Failure, Session};
use crate::types::{Dialect, Duration, LogicalType, TypeFamily};

/// The fewest non-NULL values a column needs for `unique`, bounds,
/// accepted values or a pattern to be proposed.
const MIN_ROWS: u64 = 10;

/// Text with at most this many distinct values gets `accepted_values`.
const MAX_ACCEPTED: u64 = 20;

/// Shapes of text, tried in order: (regex of one character class with a
/// repeat, how a pattern writes it).
const SHAPES: &[(&str, &str)] = &[
    ("[0-9]+", "[0-9]"),
    ("[A-Z]+", "[A-Z]"),
    ("[a-z]+", "[a-z]"),
    ("[A-Z0-9]+", "[A-Z0-9]"),
    ("[a-z0-9]+", "[a-z0-9]"),
    ("[A-Z]+-[0-9]+", ""),
];

/// What a column is profiled for.
fn kind(c: &Column) -> Option<TypeFamily> {
    match c.ty {
        LogicalType::Json | LogicalType::Binary => None,
        ty if ty.is_nested() => None,
        ty => Some(ty.family()),
    }
}

fn is_text(c: &Column) -> bool {
    c.ty == LogicalType::String
}

fn is_number(c: &Column) -> bool {
    matches!(
        c.ty,
        LogicalType::Integer
            | LogicalType::Bigint
            | LogicalType::Smallint
            | LogicalType::Decimal { .. }
            | LogicalType::Float
            | LogicalType::Double
    )
}

/// The column freshness is proposed on.
fn freshness_column(ds: &crate::ir::Dataset) -> Option<&Column> {
    ds.columns.iter().find(|c| {
        let name = c.name.to_ascii_lowercase();
        matches!(c.ty, LogicalType::Timestamp | LogicalType::TimestampTz)
            && (name.ends_with("_at")
                || name.contains("time")
                || name.contains("load")
                || name.ends_with("_ts"))
    })
}

/// The distinct values of a text column as one JSON list, where the
/// dialect can write one.
fn distinct_json(dialect: Dialect, value: &str) -> Option<String> {
    match dialect {
        Dialect::Duckdb => Some(format!(
            "to_json(list(distinct {value} order by {value}))::varchar"
        )),
        Dialect::Postgres => Some(format!("json_agg(distinct {value} order by {value})::text")),
        _ => None,
    }
}

/// What the query measures of column `i`: (name, SQL) pairs, read back
/// under `c<i>_<name>`.
fn measures(c: &Column, dialect: Dialect) -> Vec<(String, String)> {
    let d = dialect.sql();
    let mut out = Vec::new();
    if kind(c).is_none() {
        return out;
    }
    let v = d.quote_ident(&c.name);
    // Text measures read the value as text (an enum, a domain).
    let text = format!("cast({v} as {})", d.type_name(LogicalType::String));
    let value = if is_text(c) { &text } else { &v };
    out.push(("nn".into(), format!("count({v})")));
    if c.ty != LogicalType::Boolean {
        out.push(("d".into(), format!("count(distinct {value})")));
    }
    if is_number(c) {
        out.push(("min".into(), format!("min({v})")));
        out.push(("max".into(), format!("max({v})")));
    }
    if is_text(c) {
        let len = d.char_length(&text);
        out.push(("minlen".into(), format!("min({len})")));
        out.push(("maxlen".into(), format!("max({len})")));
        for (s, (regex, _)) in SHAPES.iter().enumerate() {
            let m = d.regex_full_match(&text, regex);
            out.push((
                format!("shape{s}"),
                format!("sum(case when {m} then 1 else 0 end)"),
            ));
        }
        // Last: the list may hold the separator.
        if let Some(json) = distinct_json(dialect, &text) {
            out.push((
                "values".into(),
                format!("case when count(distinct {text}) <= {MAX_ACCEPTED} then {json} end"),
            ));
        }
    }
    out
}

/// The profile query of a draft's table: one row, one scan. Each column's
/// measures are one `|`-separated text value, so a wide table stays within
/// an engine's limit on select items.
pub fn query(draft: &Draft, dialect: Dialect) -> String {
    let d = dialect.sql();
    let text = d.type_name(LogicalType::String);
    let mut select = vec!["count(*) as n".to_string()];
    for (i, c) in draft.dataset.columns.iter().enumerate() {
        let parts = measures(c, dialect);
        if parts.is_empty() {
            continue;
        }
        let joined: Vec<String> = parts
            .iter()
            .map(|(_, e)| format!("coalesce(cast({e} as {text}), '')"))
            .collect();
        select.push(format!("{} as c{i}", joined.join(" || '|' || ")));
    }
    if let Some(c) = freshness_column(&draft.dataset) {
        let v = d.quote_ident(&c.name);
        let epoch = |e: String| d.epoch_seconds(&e, c.ty);
        select.push(format!(
            "cast({} as {text}) as fresh_min",
            epoch(format!("min({v})"))
        ));
        select.push(format!(
            "cast({} as {text}) as fresh_max",
            epoch(format!("max({v})"))
        ));
        select.push(format!("count(distinct {v}) as fresh_d"));
        select.push(format!(
            "cast({} as {text}) as fresh_now",
            d.now_epoch_seconds()
        ));
    }
    let location = &draft.dataset.location;
    let table: Vec<String> = [&location.database, &location.schema]
        .into_iter()
        .flatten()
        .chain(std::iter::once(&location.name))
        .map(|p| d.quote_ident(p))
        .collect();
    format!(
        "select\n  {}\nfrom {}",
        select.join(",\n  "),
        table.join(".")
    )
}

/// Profile a draft's table with one query and add the rules that hold.
pub fn profile(
    session: &mut Session,
    dialect: Dialect,
    draft: &mut Draft,
    timeout: Option<Elapsed>,
) -> Result<(), Failure> {
    let result = session.query(&query(draft, dialect), timeout)?;
    let Some(row) = result.rows.first() else {
        return Ok(());
    };
    let cell = |name: &str| -> Option<String> {
        result
            .column(name)
            .and_then(|i| row.get(i).cloned().flatten())
    };
    let mut values: std::collections::BTreeMap<String, String> = Default::default();
    for (i, c) in draft.dataset.columns.iter().enumerate() {
        let names = measures(c, dialect);
        let Some(joined) = cell(&format!("c{i}")) else {
            continue;
        };
        for ((name, _), value) in names.iter().zip(joined.splitn(names.len(), '|')) {
            if !value.is_empty() {
                values.insert(format!("c{i}_{name}"), value.to_string());
            }
        }
    }
    let get = |name: &str| -> Option<String> { values.get(name).cloned().or_else(|| cell(name)) };
    let number = |name: &str| get(name).and_then(|v| v.parse::<f64>().ok());
    let count = |name: &str| get(name).and_then(|v| v.parse::<u64>().ok());
    let n = count("n").unwrap_or(0);
    if n == 0 {
        draft
            .notes
            .header
            .push("profiled: the table has no rows; no rule proposed from data".into());
        return Ok(());
    }
    let rows = rows_text(n);
    let columns = draft.dataset.columns.clone();
    for (i, c) in columns.iter().enumerate() {
        let Some(family) = kind(c) else {
            continue;
        };
        let personal = super::looks_personal(c);
        let nn = count(&format!("c{i}_nn")).unwrap_or(0);
        let distinct = count(&format!("c{i}_d"));
        if nn == n {
            draft.rule(
                &c.name,
                CheckKind::Required,
                Some(format!("profiled: no NULL in {rows}")),
            );
        }
        // Values, not keys, are what bounds, sets and shapes are for; and
        // a handful of rows proves little.
        let enough = nn >= MIN_ROWS;
        let identifying = matches!(
            family,
            TypeFamily::Integer | TypeFamily::String | TypeFamily::Uuid | TypeFamily::Decimal
        );
        if distinct == Some(nn) && nn == n && enough && identifying && !personal {
            draft.rule(
                &c.name,
                CheckKind::Unique,
                Some(format!(
                    "profiled: {} distinct values in {rows}",
                    thousands(n)
                )),
            );
        }
        let keyed = draft.dataset.checks.iter().any(|k| match &k.kind {
            CheckKind::Unique | CheckKind::References { .. } => {
                k.column.as_deref() == Some(c.name.as_str())
            }
            CheckKind::UniqueCombination { columns } => columns.contains(&c.name),
            _ => false,
        });
        if is_number(c) && !personal && !keyed && enough {
            let (Some(min), Some(max)) =
                (number(&format!("c{i}_min")), number(&format!("c{i}_max")))
            else {
                continue;
            };
            let (low, high) = outward(min, max, c.ty);
            let mut observed = Some(format!(
                "profiled: observed {} to {} in {rows}",
                shown_number(min),
                shown_number(max)
            ));
            // Said once, on the first bound.
            if let Some(low) = low {
                let kind = CheckKind::Min {
                    value: Literal::Number(low),
                };
                draft.rule(&c.name, kind, observed.take());
            }
            if let Some(high) = high {
                let kind = CheckKind::Max {
                    value: Literal::Number(high),
                };
                draft.rule(&c.name, kind, observed.take());
            }
        }
        if is_text(c) && enough {
            let values: Option<Vec<String>> = get(&format!("c{i}_values"))
                .and_then(|json| serde_json::from_str::<Vec<Option<String>>>(&json).ok())
                .map(|v| v.into_iter().flatten().collect());
            let few = distinct.is_some_and(|d| d <= MAX_ACCEPTED && nn >= 5 * d);
            if let (Some(values), true, false) = (&values, few, personal) {
                if !values.is_empty() {
                    let note = format!(
                        "profiled: {} distinct values in {} non-NULL rows",
                        values.len(),
                        thousands(nn)
                    );
                    let values = values.iter().map(|v| Literal::String(v.clone())).collect();
                    draft.rule(&c.name, CheckKind::AcceptedValues { values }, Some(note));
                    continue;
                }
            }
            let (Some(minlen), Some(maxlen)) = (
                count(&format!("c{i}_minlen")),
                count(&format!("c{i}_maxlen")),
            ) else {
                continue;
            };
            let shape = SHAPES
                .iter()
                .enumerate()
                .find(|(s, _)| count(&format!("c{i}_shape{s}")) == Some(nn));
            if let Some((_, (regex, class))) = shape {
                let pattern = if class.is_empty() {
                    regex.to_string()
                } else if minlen == maxlen {
                    format!("{class}{{{minlen}}}")
                } else {
                    format!("{class}{{{minlen},{maxlen}}}")
                };
                let note = format!(
                    "profiled: every one of {} non-NULL values has this shape",
                    thousands(nn)
                );
                draft.rule(&c.name, CheckKind::Pattern { regex: pattern }, Some(note));
            }
        }
    }
    // A floor at half of today's rows.
    draft.table_rule(
        "row_count",
        CheckKind::RowCount {
            min: Some(n.div_ceil(2)),
            max: None,
        },
        Some(format!("profiled: {rows} today; the floor is half of them")),
    );
    if let Some(c) = freshness_column(&draft.dataset) {
        let (Some(first), Some(last), Some(distinct), Some(now)) = (
            number("fresh_min"),
            number("fresh_max"),
            count("fresh_d"),
            number("fresh_now"),
        ) else {
            return Ok(());
        };
        if distinct < 3 {
            return Ok(());
        }
        let gap = (last - first) / (distinct - 1) as f64;
        let (warn, error) = (duration(2.0 * gap), duration(4.0 * gap));
        let age = now - last;
        match (warn, error) {
            (Some(warn), Some(error)) if age <= warn.seconds() as f64 => {
                let note = format!(
                    "profiled: {} distinct values, one every {} on average",
                    thousands(distinct),
                    human(gap),
                );
                let column = c.name.clone();
                draft.table_rule(
                    "freshness",
                    CheckKind::Freshness {
                        column,
                        warn_after: Some(warn),
                        error_after: Some(error),
                    },
                    Some(note),
                );
            }
            _ => draft.notes.header.push(format!(
                "profiled: no freshness proposed: the newest `{}` is {} old, longer than its cadence allows",
                c.name,
                human(age.max(0.0))
            )),
        }
    }
    Ok(())
}

/// `min` down and `max` up to two significant digits of the larger
/// magnitude (`3.5..987.2` → `0..990`), within the type's range, never
/// inside what was observed; a bound of 0 stays 0. No bound where values
/// are not finite, or where rounding reaches the type's own limit (a bound
/// there says nothing).
fn outward(min: f64, max: f64, ty: LogicalType) -> (Option<String>, Option<String>) {
    if !min.is_finite() || !max.is_finite() {
        return (None, None);
    }
    let limit = match ty {
        LogicalType::Smallint => Some(i16::MAX as f64),
        LogicalType::Integer => Some(i32::MAX as f64),
        LogicalType::Bigint => Some(i64::MAX as f64),
        LogicalType::Decimal { precision, scale } => Some(
            10f64.powi(i32::from(precision) - i32::from(scale)) - 10f64.powi(-i32::from(scale)),
        ),
        _ => None,
    };
    let integer = ty.family() == TypeFamily::Integer;
    let magnitude = min.abs().max(max.abs());
    if magnitude == 0.0 {
        return (Some("0".into()), Some("0".into()));
    }
    let mut step = 10f64.powi(magnitude.log10().floor() as i32 - 1);
    if integer {
        step = step.max(1.0);
    }
    let mut low = (min / step).floor() * step;
    let high = (max / step).ceil() * step;
    if min >= 0.0 && low < 0.0 {
        low = 0.0;
    }
    let mut low_text = number_text(low, step);
    let mut high_text = number_text(high, step);
    // Formatting rounds: widen by a step where the text falls inside.
    if low_text.parse::<f64>().is_ok_and(|l| l > min) {
        low_text = number_text(low - step, step);
    }
    if high_text.parse::<f64>().is_ok_and(|h| h < max) {
        high_text = number_text(high + step, step);
    }
    let within = |text: &str| {
        text.parse::<f64>()
            .is_ok_and(|x| limit.is_none_or(|l| x.abs() < l))
    };
    let low = within(&low_text).then_some(low_text);
    let high = within(&high_text).then_some(high_text);
    (low, high)
}

fn number_text(x: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    let text = format!("{x:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" { "0".into() } else { text }
}

/// A duration of at least `seconds`, in whole minutes, hours or days.
fn duration(seconds: f64) -> Option<Duration> {
    if !seconds.is_finite() || seconds <= 0.0 {
        return None;
    }
    let (count, unit) = if seconds < 120.0 * 60.0 {
        ((seconds / 60.0).ceil().max(1.0), "m")
    } else if seconds <= 72.0 * 3600.0 {
        ((seconds / 3600.0).ceil(), "h")
    } else {
        ((seconds / 86400.0).ceil(), "d")
    };
    Duration::parse(&format!("{}{unit}", count as u64)).ok()
}

/// `90061` seconds as `1 d 1 h`.
fn human(seconds: f64) -> String {
    let s = seconds.round() as u64;
    let (d, h, m) = (s / 86400, s % 86400 / 3600, s % 3600 / 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `1 row`, `1,250 rows`.
fn rows_text(n: u64) -> String {
    match n {
        1 => "1 row".into(),
        n => format!("{} rows", thousands(n)),
    }
}

/// A number with at most 6 significant digits (`0.00351924`, `68770`).
fn shown_number(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{x:.0}");
    }
    let digits = 6 - 1 - x.abs().log10().floor() as i32;
    let text = format!("{x:.*}", digits.clamp(0, 12) as usize);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// `12345` as `12,345`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_round_outward() {
        let pair = |a: &str, b: &str| (Some(a.to_string()), Some(b.to_string()));
        assert_eq!(outward(3.5, 987.2, LogicalType::Double), pair("0", "990"));
        assert_eq!(outward(12.0, 87.0, LogicalType::Integer), pair("12", "87"));
        assert_eq!(
            outward(-4.25, 0.5, LogicalType::Double),
            pair("-4.3", "0.5")
        );
        assert_eq!(
            outward(1.0, 5000.0, LogicalType::Integer),
            pair("0", "5000")
        );
        // Never inside what was seen; no bound at the type's limit, or of
        // values that are not finite.
        assert_eq!(
            outward(0.5, 1.8000000000000003, LogicalType::Double),
            pair("0.5", "1.9")
        );
        assert_eq!(
            outward(1.0, 2147483647.0, LogicalType::Integer),
            (Some("0".into()), None)
        );
        assert_eq!(
            outward(-32768.0, 32767.0, LogicalType::Smallint),
            (None, None)
        );
        assert_eq!(
            outward(0.0, f64::INFINITY, LogicalType::Double),
            (None, None)
        );
        let decimal = LogicalType::Decimal {
            precision: 4,
            scale: 2,
        };
        assert_eq!(outward(0.5, 99.99, decimal), (Some("0".into()), None));
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(shown_number(0.003519242097051234), "0.00351924");
        assert_eq!(shown_number(68770.0), "68770");
        assert_eq!(shown_number(10.25), "10.25");
        assert_eq!(rows_text(1), "1 row");
        assert_eq!(human(90061.0), "1 d 1 h");
        assert_eq!(duration(7199.0).map(|d| d.to_string()), Some("120m".into()));
        assert_eq!(duration(7200.0).map(|d| d.to_string()), Some("2h".into()));
        assert_eq!(duration(7201.0).map(|d| d.to_string()), Some("3h".into()));
    }
}
