//! Coercion: a YAML scalar checked against a column's logical type.
//!
//! Validation and lowering both call [`coerce`], so what is accepted is
//! exactly what is compiled.

use crate::literal::Literal;
use crate::syntax::yaml::Scalar;
use crate::types::{LogicalType, TypeFamily};

/// Check that `scalar` is a value of type `ty`; return its canonical form.
pub fn coerce(scalar: &Scalar, ty: LogicalType) -> Result<Literal, String> {
    let text = match scalar {
        Scalar::Null => return Err("`null` is not a value".into()),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Number(n) | Scalar::String(n) => n.clone(),
    };
    let quoted_number = |kind: &str| match scalar {
        Scalar::String(_) if text.trim().parse::<f64>().is_ok() => Err(format!(
            "expected {kind}, found the string \"{text}\" (write numbers without quotes)"
        )),
        Scalar::String(_) => Err(format!("expected {kind}, found `{text}`")),
        Scalar::Bool(_) => Err(format!("expected {kind}, found a boolean")),
        _ => Ok(()),
    };
    match ty.family() {
        TypeFamily::String => Ok(Literal::String(text)),
        TypeFamily::Integer => {
            quoted_number("an integer")?;
            let value: i128 = text
                .parse()
                .map_err(|_| format!("expected an integer, found `{text}`"))?;
            let (lo, hi): (i128, i128) = match ty {
                LogicalType::Smallint => (i16::MIN.into(), i16::MAX.into()),
                LogicalType::Integer => (i32::MIN.into(), i32::MAX.into()),
                _ => (i64::MIN.into(), i64::MAX.into()),
            };
            if !(lo..=hi).contains(&value) {
                return Err(format!("{value} is out of range for {ty} ({lo} to {hi})"));
            }
            Ok(Literal::Number(value.to_string()))
        }
        TypeFamily::Decimal => {
            quoted_number("a decimal number")?;
            let LogicalType::Decimal { precision, scale } = ty else {
                return Err(format!("expected a number, found `{text}`"));
            };
            let canonical = canonical_decimal(&text)
                .ok_or_else(|| format!("expected a decimal number, found `{text}`"))?;
            let unsigned = canonical.trim_start_matches('-');
            let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
            let int_digits = int.trim_start_matches('0').len();
            if frac.len() > usize::from(scale) {
                return Err(format!(
                    "{text} has more than {scale} digits after the point, which {ty} cannot hold"
                ));
            }
            if int_digits > usize::from(precision - scale) {
                return Err(format!(
                    "{text} has more than {} digits before the point, which {ty} cannot hold",
                    precision - scale
                ));
            }
            Ok(Literal::Number(canonical))
        }
        TypeFamily::Float => {
            quoted_number("a number")?;
            let value: f64 = text
                .parse()
                .map_err(|_| format!("expected a number, found `{text}`"))?;
            if !value.is_finite() {
                return Err(format!("{text} is not a finite number"));
            }
            if ty == LogicalType::Float && value.abs() > f64::from(f32::MAX) {
                return Err(format!("{text} is out of range for float"));
            }
            Ok(Literal::Float(text))
        }
        TypeFamily::Boolean => match scalar {
            Scalar::Bool(b) => Ok(Literal::Boolean(*b)),
            _ => Err(format!("expected `true` or `false`, found `{text}`")),
        },
        TypeFamily::Temporal => {
            if !matches!(scalar, Scalar::String(_)) {
                return Err(format!(
                    "expected a {ty} written as text, e.g. {}",
                    temporal_example(ty)
                ));
            }
            temporal(&text, ty)
        }
        TypeFamily::Uuid => {
            let lower = text.to_ascii_lowercase();
            if is_uuid(&lower) {
                Ok(Literal::Uuid(lower))
            } else {
                Err(format!(
                    "`{text}` is not a UUID (8-4-4-4-12 hexadecimal digits)"
                ))
            }
        }
        TypeFamily::Json | TypeFamily::Binary | TypeFamily::Nested => {
            Err(format!("{ty} columns take no literals"))
        }
    }
}

fn temporal_example(ty: LogicalType) -> &'static str {
    match ty {
        LogicalType::Date => "`2024-01-31`",
        LogicalType::Time => "`13:45:00`",
        LogicalType::TimestampTz => "`2024-01-31T13:45:00Z`",
        _ => "`2024-01-31T13:45:00`",
    }
}

fn temporal(text: &str, ty: LogicalType) -> Result<Literal, String> {
    let bad = || {
        format!(
            "`{text}` is not a valid {ty}; write e.g. {}",
            temporal_example(ty)
        )
    };
    match ty {
        LogicalType::Date => text
            .parse::<jiff::civil::Date>()
            .ok()
            .filter(|_| text.len() == 10)
            .map(|d| Literal::Date(d.to_string()))
            .ok_or_else(bad),
        LogicalType::Time => {
            if text.contains(['Z', 'z', '+', '-', '[']) {
                return Err(format!("`{text}` has a time zone, but {ty} has none"));
            }
            text.parse::<jiff::civil::Time>()
                .map(|t| Literal::Time(t.to_string()))
                .map_err(|_| bad())
        }
        LogicalType::Timestamp => {
            if text.len() == 10 {
                if let Ok(d) = text.parse::<jiff::civil::Date>() {
                    return Ok(Literal::Timestamp(
                        d.to_datetime(jiff::civil::Time::midnight()).to_string(),
                    ));
                }
            }
            // jiff's civil parser ignores an offset or zone annotation; we refuse them.
            let time_part = text.get(11..).unwrap_or("");
            let has_offset = time_part.contains(['Z', 'z', '+', '-', '[']);
            if has_offset {
                return Err(format!(
                    "`{text}` has a time zone, but {ty} has none; use timestamp_tz or drop the offset"
                ));
            }
            text.parse::<jiff::civil::DateTime>()
                .map(|d| Literal::Timestamp(d.to_string()))
                .map_err(|_| bad())
        }
        _ => text
            .parse::<jiff::Timestamp>()
            .map(|t| Literal::TimestampTz(t.to_string()))
            .map_err(|_| {
                format!(
                    "`{text}` is not a timestamp with a time zone; write e.g. {}",
                    temporal_example(ty)
                )
            }),
    }
}

/// `[+-]digits[.digits]` → canonical (`+` dropped, `.5` → `0.5`, `5.` → `5`).
fn canonical_decimal(text: &str) -> Option<String> {
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || !digits(frac) || (int.is_empty() && frac.is_empty()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if negative && (int != "0" || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::literal::compare;
    use std::cmp::Ordering;

    #[test]
    fn zones_are_refused_on_zoneless_types() {
        assert!(coerce(&string("2024-01-01T13:45-05:00"), LogicalType::Timestamp).is_err());
        assert!(
            coerce(
                &string("2024-01-01T00:00:00[America/New_York]"),
                LogicalType::Timestamp
            )
            .is_err()
        );
        assert!(coerce(&string("13:45:00+02:00"), LogicalType::Time).is_err());
        assert!(coerce(&string("2024-01-01 13:45:00"), LogicalType::Timestamp).is_ok());
    }

    #[test]
    fn exact_decimal_order() {
        let d = |s: &str| Literal::Number(s.into());
        let big = "123456789012345678901234567890.01";
        let bigger = "123456789012345678901234567890.02";
        assert_eq!(compare(&d(big), &d(bigger)), Some(Ordering::Less));
        assert_eq!(compare(&d("-2"), &d("-10")), Some(Ordering::Greater));
        assert_eq!(compare(&d("0.5"), &d("0.45")), Some(Ordering::Greater));
        assert_eq!(compare(&d("-0.5"), &d("3")), Some(Ordering::Less));
    }

    fn num(s: &str) -> Scalar {
        Scalar::Number(s.into())
    }
    fn string(s: &str) -> Scalar {
        Scalar::String(s.into())
    }

    #[test]
    fn integers_respect_ranges() {
        assert_eq!(
            coerce(&num("32767"), LogicalType::Smallint),
            Ok(Literal::Number("32767".into()))
        );
        assert!(coerce(&num("32768"), LogicalType::Smallint).is_err());
        assert!(coerce(&num("1.5"), LogicalType::Bigint).is_err());
        assert!(coerce(&string("5"), LogicalType::Integer).is_err());
    }

    #[test]
    fn decimals_respect_precision_and_scale() {
        let d = LogicalType::Decimal {
            precision: 5,
            scale: 2,
        };
        assert_eq!(
            coerce(&num("+123.40"), d),
            Ok(Literal::Number("123.4".into()))
        );
        assert_eq!(coerce(&num(".5"), d), Ok(Literal::Number("0.5".into())));
        assert!(coerce(&num("1.234"), d).is_err());
        assert!(coerce(&num("1234"), d).is_err());
        assert!(coerce(&num("1e3"), d).is_err());
    }

    #[test]
    fn temporal_literals() {
        assert_eq!(
            coerce(&string("2024-02-29"), LogicalType::Date),
            Ok(Literal::Date("2024-02-29".into()))
        );
        assert!(coerce(&string("2023-02-29"), LogicalType::Date).is_err());
        assert_eq!(
            coerce(&string("2024-01-01"), LogicalType::Timestamp),
            Ok(Literal::Timestamp("2024-01-01T00:00:00".into()))
        );
        assert!(coerce(&string("2024-01-01T00:00:00Z"), LogicalType::Timestamp).is_err());
        assert_eq!(
            coerce(
                &string("2024-01-01T02:00:00+02:00"),
                LogicalType::TimestampTz
            ),
            Ok(Literal::TimestampTz("2024-01-01T00:00:00Z".into()))
        );
    }

    #[test]
    fn ordering() {
        let a = Literal::Number("10".into());
        let b = Literal::Number("9.5".into());
        assert_eq!(compare(&a, &b), Some(Ordering::Greater));
    }
}
