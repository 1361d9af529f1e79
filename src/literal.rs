//! Typed literals: the values of rules in the IR, in canonical text form.
//! `semantic::coerce` makes them from what a contract writes.

use std::cmp::Ordering;

use serde::Serialize;

/// A literal in canonical text form, tagged with the kind of SQL literal it becomes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Literal {
    String(String),
    /// An integer or decimal number, as written (no exponent).
    Number(String),
    /// A floating-point number, as written (may have an exponent).
    Float(String),
    Boolean(bool),
    /// `YYYY-MM-DD`
    Date(String),
    /// `HH:MM:SS[.fraction]`
    Time(String),
    /// `YYYY-MM-DDTHH:MM:SS[.fraction]`, no time zone
    Timestamp(String),
    /// RFC 3339 in UTC, `…Z`
    TimestampTz(String),
    /// lowercase hyphenated
    Uuid(String),
}

impl Literal {
    /// The canonical text, as a contract writes it (without quotes).
    pub fn text(&self) -> String {
        match self {
            Literal::String(s)
            | Literal::Number(s)
            | Literal::Float(s)
            | Literal::Date(s)
            | Literal::Time(s)
            | Literal::Timestamp(s)
            | Literal::TimestampTz(s)
            | Literal::Uuid(s) => s.clone(),
            Literal::Boolean(b) => b.to_string(),
        }
    }
}

/// Order two literals of the same type, for `min` ≤ `max` checks.
pub fn compare(a: &Literal, b: &Literal) -> Option<Ordering> {
    match (a, b) {
        (Literal::Number(x), Literal::Number(y)) => Some(compare_decimal(x, y)),
        (Literal::Number(x) | Literal::Float(x), Literal::Number(y) | Literal::Float(y)) => {
            x.parse::<f64>().ok()?.partial_cmp(&y.parse::<f64>().ok()?)
        }
        (Literal::Date(x), Literal::Date(y)) => Some(
            x.parse::<jiff::civil::Date>()
                .ok()?
                .cmp(&y.parse::<jiff::civil::Date>().ok()?),
        ),
        (Literal::Time(x), Literal::Time(y)) => Some(
            x.parse::<jiff::civil::Time>()
                .ok()?
                .cmp(&y.parse::<jiff::civil::Time>().ok()?),
        ),
        (Literal::Timestamp(x), Literal::Timestamp(y)) => Some(
            x.parse::<jiff::civil::DateTime>()
                .ok()?
                .cmp(&y.parse::<jiff::civil::DateTime>().ok()?),
        ),
        (Literal::TimestampTz(x), Literal::TimestampTz(y)) => {
            let x = x.parse::<jiff::Timestamp>().ok()?;
            let y = y.parse::<jiff::Timestamp>().ok()?;
            Some(x.cmp(&y))
        }
        _ => None,
    }
}

/// Order two canonical decimals (`-?digits[.digits]`, see [`canonical_decimal`]) exactly.
fn compare_decimal(a: &str, b: &str) -> Ordering {
    let split = |s: &str| {
        let (negative, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        (negative, int.to_string(), frac.to_string())
    };
    let (an, ai, af) = split(a);
    let (bn, bi, bf) = split(b);
    let magnitude = ai
        .len()
        .cmp(&bi.len())
        .then_with(|| ai.cmp(&bi))
        .then_with(|| {
            let width = af.len().max(bf.len());
            format!("{af:0<width$}").cmp(&format!("{bf:0<width$}"))
        });
    match (an, bn) {
        (false, false) => magnitude,
        (true, true) => magnitude.reverse(),
        (false, true) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}
