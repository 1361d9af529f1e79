//! A run's report in each output format: `human` (a table per contract),
//! `json` (one document, keys documented in docs/run.md), `junit` (for CI
//! test views), `github` (workflow annotations at the contract line of
//! each check that did not pass) and `markdown` (a pull-request comment).
//!
//! Every text from a contract or an engine goes through
//! [`crate::text::escape_line`] (human, markdown) or the format's own
//! escaping, so no value can forge a line or a control sequence.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_json::json;

use super::{CheckResult, Report, Status};
use crate::ir::Owner;
use crate::text::escape_line;

/// Where each check is written, for `github`: file, line, column.
pub type Locate<'a> = &'a dyn Fn(&str, &str) -> Option<(String, usize, usize)>;

/// The JSON document; with an `error` when queries timed out (exit 2).
pub fn json(report: &Report) -> serde_json::Value {
    let s = report.summary();
    let mut doc = json!({
        "results": report.results.iter().map(|r| json!({
            "contract": r.contract,
            "check_name": r.check_name,
            "column_name": r.column_name,
            "rule": r.rule,
            "severity": r.severity,
            "status": r.status.name(),
            "failures": r.failures,
            "observed": r.observed,
            "message": r.message,
            "samples": r.samples.as_ref().map(|s| json!({"columns": s.columns, "rows": s.rows})),
            "owners": owners_json(report.owners(&r.contract)),
        })).collect::<Vec<_>>(),
        "summary": {"pass": s.pass, "warn": s.warn, "fail": s.fail, "error": s.error},
        "connection": report.connection,
        "started_at": report.started_at,
        "duration_ms": u64::try_from(report.duration.as_millis()).unwrap_or(u64::MAX),
    });
    if let Some(error) = timeout_error(report) {
        doc["error"] = json!(error);
    }
    doc
}

/// Why a run with timed-out queries is an error (exit 2).
pub fn timeout_error(report: &Report) -> Option<String> {
    (report.timed_out > 0).then(|| {
        format!(
            "the queries of {} contract(s) ran longer than the timeout and were cancelled; \
             their checks could not be evaluated",
            report.timed_out
        )
    })
}

/// The JSON document of a run that could not start: no results, and why.
pub fn json_failure(
    connection: &str,
    started_at: &str,
    duration_ms: u64,
    message: &str,
) -> serde_json::Value {
    json!({
        "results": [],
        "summary": {"pass": 0, "warn": 0, "fail": 0, "error": 0},
        "connection": connection,
        "started_at": started_at,
        "duration_ms": duration_ms,
        "error": message,
    })
}

fn owners_json(owners: &[Owner]) -> serde_json::Value {
    owners
        .iter()
        .map(|o| json!({"name": o.name, "email": o.email, "role": o.role.name()}))
        .collect()
}

fn owner_text(o: &Owner) -> String {
    match &o.email {
        Some(email) => format!("{} <{email}> ({})", o.name, o.role.name()),
        None => format!("{} ({})", o.name, o.role.name()),
    }
}

/// The summary line.
pub fn summary_line(report: &Report) -> String {
    let s = report.summary();
    let checks = report.results.len();
    let verdict = if s.fail > 0 || s.error > 0 {
        "failed"
    } else {
        "ok"
    };
    let contracts = match report.contracts.len() {
        1 => "1 contract".to_string(),
        n => format!("{n} contracts"),
    };
    format!(
        "run {verdict}: {contracts}, {checks} checks: {} pass, {} warn, {} fail, {} error ({:.1}s on {})",
        s.pass,
        s.warn,
        s.fail,
        s.error,
        report.duration.as_secs_f64(),
        escape_line(&report.connection)
    )
}

/// A table per contract (passing column schema checks left out), owners
/// under any contract with a failure or an error, then the summary line.
pub fn human(report: &Report, color: bool) -> String {
    let paint = |status: Status, text: &str| -> String {
        if !color {
            return text.to_string();
        }
        let code = match status {
            Status::Pass => "32",
            Status::Warn => "33",
            Status::Fail => "31",
            Status::Error => "35",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let mut out = String::new();
    for contract in &report.contracts {
        // A column's schema check is shown when it did not pass; the table's
        // `schema` row says how many columns the table has.
        let rows: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|r| r.contract == contract.contract)
            .filter(|r| {
                !(r.rule == "schema" && r.column_name.is_some() && r.status == Status::Pass)
            })
            .collect();
        let _ = writeln!(out, "{}", escape_line(&contract.contract));
        let header = ["check", "column", "status", "failures", "observed"];
        let cells: Vec<[String; 5]> = rows
            .iter()
            .map(|r| {
                [
                    escape_line(&r.check_name).into_owned(),
                    escape_line(r.column_name.as_deref().unwrap_or("")).into_owned(),
                    r.status.name().to_string(),
                    r.failures.map(|f| f.to_string()).unwrap_or_default(),
                    escape_line(&truncate(&super::observed_text(r).unwrap_or_default(), 40))
                        .into_owned(),
                ]
            })
            .collect();
        let mut widths = header.map(|h| h.chars().count());
        for row in &cells {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String; 5], status: Option<Status>| {
            let mut text = String::from("  ");
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                let cell = match (i, status) {
                    (2, Some(s)) => paint(s, cell),
                    _ => cell.clone(),
                };
                if i == 3 {
                    let _ = write!(text, "{}{cell}  ", " ".repeat(pad));
                } else {
                    let _ = write!(text, "{cell}{}  ", " ".repeat(pad));
                }
            }
            text.trim_end().to_string()
        };
        let _ = writeln!(out, "{}", line(&header.map(str::to_string), None));
        for (row, r) in cells.iter().zip(&rows) {
            let _ = writeln!(out, "{}", line(row, Some(r.status)));
            if let Some(message) = &r.message {
                if r.status != Status::Pass {
                    let _ = writeln!(out, "      {}", escape_line(message));
                }
            }
            if let Some(samples) = &r.samples {
                for line in sample_table(samples, r.failures) {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        if rows
            .iter()
            .any(|r| matches!(r.status, Status::Fail | Status::Error))
            && !contract.owners.is_empty()
        {
            let owners: Vec<String> = contract.owners.iter().map(owner_text).collect();
            let _ = writeln!(out, "  owners: {}", escape_line(&owners.join(", ")));
        }
        out.push('\n');
    }
    out.push_str(&summary_line(report));
    out.push('\n');
    out
}

/// Sample rows as an aligned text table: a header, then a line per row
/// (values escaped, cut at 30 characters, NULL as `null`).
fn sample_table(samples: &crate::run::Samples, failures: Option<u64>) -> Vec<String> {
    let cell = |v: &Option<String>| match v {
        Some(v) => escape_line(&truncate(v, 30)).into_owned(),
        None => "NULL".to_string(),
    };
    let header: Vec<String> = samples
        .columns
        .iter()
        .map(|c| escape_line(&truncate(c, 30)).into_owned())
        .collect();
    let rows: Vec<Vec<String>> = samples
        .rows
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let text: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        text.join("  ").trim_end().to_string()
    };
    let shown = rows.len() as u64;
    let mut out = vec![match failures {
        Some(n) if n > shown => format!("{shown} of {n} failing rows:"),
        _ if shown == 1 => "1 failing row:".to_string(),
        _ => format!("{shown} failing rows:"),
    }];
    out.push(format!("  {}", line(&header)));
    out.extend(rows.iter().map(|r| format!("  {}", line(r))));
    out
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max - 1).collect();
        format!("{cut}…")
    }
}

/// JUnit XML: a testsuite per contract, a testcase per check.
pub fn junit(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"datapact run\" tests=\"{}\" failures=\"{}\" errors=\"{}\" time=\"{:.3}\">",
        report.results.len(),
        s.fail,
        s.error,
        report.duration.as_secs_f64()
    );
    for contract in &report.contracts {
        let rows: Vec<&CheckResult> = report
            .results
            .iter()
            .filter(|r| r.contract == contract.contract)
            .collect();
        let count = |status: Status| rows.iter().filter(|r| r.status == status).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" file=\"{}\">",
            xml(&contract.contract),
            rows.len(),
            count(Status::Fail),
            count(Status::Error),
            xml(&contract.source_path)
        );
        for r in rows {
            let name = match &r.column_name {
                Some(c) => format!("{} ({}, column {c})", r.check_name, r.rule),
                None => format!("{} ({})", r.check_name, r.rule),
            };
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\"",
                xml(&r.contract),
                xml(&name)
            );
            let message = r.message.as_deref().unwrap_or("");
            match r.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Warn => {
                    let _ = writeln!(
                        out,
                        ">\n      <system-out>warn: {}</system-out>\n    </testcase>",
                        xml(message)
                    );
                }
                Status::Fail => {
                    let mut text = detail(r);
                    if let Some(samples) = &r.samples {
                        for line in sample_table(samples, r.failures) {
                            text.push('\n');
                            text.push_str(&line);
                        }
                    }
                    let _ = writeln!(
                        out,
                        ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                        xml(message),
                        xml(&r.severity),
                        xml(&text)
                    );
                }
                Status::Error => {
                    let _ = writeln!(
                        out,
                        ">\n      <error message=\"{}\" type=\"error\">{}</error>\n    </testcase>",
                        xml(message),
                        xml(&detail(r))
                    );
                }
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn detail(r: &CheckResult) -> String {
    format!(
        "failures: {}, observed: {}",
        r.failures
            .map_or_else(|| "-".to_string(), |f| f.to_string()),
        super::observed_text(r).unwrap_or(Cow::Borrowed("-"))
    )
}

/// Text for XML attributes and content: markup escaped, and characters XML
/// 1.0 cannot hold replaced.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// GitHub Actions workflow commands: an annotation at each check that did
/// not pass, then a notice with the summary.
pub fn github(report: &Report, locate: Locate) -> String {
    let mut out = String::new();
    for r in report.results.iter().filter(|r| r.status != Status::Pass) {
        let command = match r.status {
            Status::Warn => "warning",
            _ => "error",
        };
        let mut props = Vec::new();
        if let Some((file, line, col)) = locate(&r.contract, &r.check_name) {
            props.push(format!("file={}", property(&file)));
            props.push(format!("line={line}"));
            props.push(format!("col={col}"));
        }
        props.push(format!(
            "title={}",
            property(&format!(
                "datapact run: {} {} {}",
                r.contract,
                r.check_name,
                r.status.name()
            ))
        ));
        // Each line escaped on its own; the line break between them is the
        // annotation's own.
        let mut lines = vec![escape_line(r.message.as_deref().unwrap_or_default()).into_owned()];
        if matches!(r.status, Status::Fail | Status::Error) {
            let owners: Vec<String> = report.owners(&r.contract).iter().map(owner_text).collect();
            if !owners.is_empty() {
                lines.push(escape_line(&format!("owners: {}", owners.join(", "))).into_owned());
            }
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            data(&lines.join("\n"))
        );
    }
    let _ = writeln!(
        out,
        "::notice title=datapact run::{}",
        data(&summary_line(report))
    );
    out
}

fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn property(text: &str) -> String {
    data(&escape_line(text))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

/// A Markdown summary: a table of the checks that did not pass, per
/// contract, with owners, and the totals.
pub fn markdown(report: &Report) -> String {
    let s = report.summary();
    let mut out = String::new();
    let verdict = if s.fail > 0 || s.error > 0 {
        "❌"
    } else if s.warn > 0 {
        "⚠️"
    } else {
        "✅"
    };
    let _ = writeln!(
        out,
        "### {verdict} datapact run: {} pass, {} warn, {} fail, {} error\n",
        s.pass, s.warn, s.fail, s.error
    );
    let _ = writeln!(
        out,
        "{} contract(s), {} checks on {}.\n",
        report.contracts.len(),
        report.results.len(),
        cell(&report.connection)
    );
    let bad: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| r.status != Status::Pass)
        .collect();
    if bad.is_empty() {
        out.push_str("Every check passed.\n");
        return out;
    }
    out.push_str("| contract | check | column | status | failures | observed | message |\n");
    out.push_str("|---|---|---|---|---:|---|---|\n");
    for r in &bad {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            cell(&r.contract),
            cell(&r.check_name),
            cell(r.column_name.as_deref().unwrap_or("")),
            r.status.name(),
            r.failures.map(|f| f.to_string()).unwrap_or_default(),
            cell(&super::observed_text(r).unwrap_or_default()),
            cell(r.message.as_deref().unwrap_or(""))
        );
    }
    let sampled: Vec<&&CheckResult> = bad.iter().filter(|r| r.samples.is_some()).collect();
    if !sampled.is_empty() {
        out.push_str("\n**Failing rows**\n");
        for r in sampled {
            let Some(samples) = &r.samples else { continue };
            let _ = writeln!(out, "\n{} · {}:\n", cell(&r.contract), cell(&r.check_name));
            let header: Vec<String> = samples.columns.iter().map(|c| cell(c)).collect();
            let _ = writeln!(out, "| {} |", header.join(" | "));
            let _ = writeln!(out, "|{}", "---|".repeat(header.len()));
            for row in &samples.rows {
                let cells: Vec<String> = row
                    .iter()
                    .map(|v| {
                        v.as_deref()
                            .map_or_else(|| "*NULL*".to_string(), |v| cell(&truncate(v, 60)))
                    })
                    .collect();
                let _ = writeln!(out, "| {} |", cells.join(" | "));
            }
        }
    }
    let mut paged: Vec<&str> = bad
        .iter()
        .filter(|r| matches!(r.status, Status::Fail | Status::Error))
        .map(|r| r.contract.as_str())
        .collect();
    paged.dedup();
    if !paged.is_empty() {
        out.push_str("\n**Owners to contact**\n\n");
        for contract in paged {
            let owners: Vec<String> = report.owners(contract).iter().map(owner_text).collect();
            if !owners.is_empty() {
                let _ = writeln!(out, "- {}: {}", cell(contract), cell(&owners.join(", ")));
            }
        }
    }
    out
}

/// Text for a Markdown table cell: one line, pipes and markup escaped.
fn cell(text: &str) -> String {
    let mut out = String::new();
    for c in escape_line(text).chars() {
        if matches!(c, '|' | '\\' | '`' | '*' | '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::ContractRun;

    /// A report of one stale freshness check.
    fn stale() -> Report {
        Report {
            results: vec![CheckResult {
                contract: "shop.orders".into(),
                check_name: "freshness".into(),
                column_name: None,
                rule: "freshness".into(),
                severity: "error".into(),
                status: Status::Fail,
                failures: Some(1),
                observed: Some("273208946".into()),
                message: Some("newest `ordered_at` is too old".into()),
                samples: None,
            }],
            contracts: vec![ContractRun {
                contract: "shop.orders".into(),
                version: "1.0.0".into(),
                owners: Vec::new(),
                source_path: "orders.yaml".into(),
            }],
            connection: "duckdb".into(),
            started_at: "2026-12-06T00:00:00Z".into(),
            duration: std::time::Duration::ZERO,
            timed_out: 0,
        }
    }

    #[test]
    fn freshness_is_an_age_for_people_and_seconds_in_json() {
        let report = stale();
        for (format, text) in [
            ("human", human(&report, false)),
            ("markdown", markdown(&report)),
            ("junit", junit(&report)),
        ] {
            assert!(text.contains("3162 d 3 h"), "{format}: {text}");
            assert!(!text.contains("273208946"), "{format}: {text}");
        }
        assert_eq!(json(&report)["results"][0]["observed"], "273208946");
    }
}
