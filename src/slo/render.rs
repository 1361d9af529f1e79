//! The SLO report in each format: `human` (a table), `json` (one document,
//! keys documented in docs/run.md), `markdown` (a pull-request comment or
//! a wiki page) and `html` (one self-contained page: inline style under a
//! Content-Security-Policy that allows only it, by hash, and an inline SVG
//! chart per contract; no script, nothing fetched).

use std::fmt::Write as _;

use jiff::Timestamp;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;
use serde_json::json;

use super::{ContractSlo, Measure};
use crate::text::escape_line;
use crate::types::Duration;

/// The window the report states: `--since`, else the one every contract
/// shares, else `per-contract`.
pub fn window_label(contracts: &[ContractSlo], since: Option<Duration>) -> String {
    if let Some(since) = since {
        return since.to_string();
    }
    let mut windows = contracts.iter().map(|c| c.window);
    match windows.next() {
        None => crate::ir::Slo::default().window.to_string(),
        Some(first) if windows.all(|w| w == first) => first.to_string(),
        Some(_) => "per-contract".into(),
    }
}

/// Three decimals: what the report shows of a percentage or a rate.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn percent_text(x: f64) -> String {
    let text = format!("{:.3}", round(x));
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

fn rate_text(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), |x| format!("{:.2}", round(x)))
}

/// `12m`, `3h`, `2d`: how long ago, coarsely.
pub fn ago(now: Timestamp, then: Timestamp) -> String {
    let s = now.duration_since(then).as_secs().max(0);
    match s {
        0..60 => format!("{s}s ago"),
        60..3_600 => format!("{}m ago", s / 60),
        3_600..172_800 => format!("{}h ago", s / 3_600),
        _ => format!("{}d ago", s / 86_400),
    }
}

fn time_text(t: Timestamp) -> String {
    t.round(jiff::Unit::Second).unwrap_or(t).to_string()
}

/// The JSON document: `{"window", "contracts": [...]}`, exactly the keys
/// docs/run.md lists; percentages are numbers 0–100, three decimals.
pub fn json(contracts: &[ContractSlo], since: Option<Duration>) -> serde_json::Value {
    let attainment = |m: Option<&Measure>| m.and_then(Measure::attainment).map(round);
    json!({
        "window": window_label(contracts, since),
        "contracts": contracts.iter().map(|c| json!({
            "contract": c.contract,
            "runs": c.runs,
            "freshness_attainment": attainment(c.freshness.as_ref()),
            "freshness_objective": c.slo.freshness.percent(),
            "quality_attainment": attainment(Some(&c.quality)),
            "quality_objective": c.slo.quality.percent(),
            "error_budget_left": round(c.error_budget_left()),
            "burn_rate_24h": c.burn_rate_24h.map(round),
            "burn_rate_7d": c.burn_rate_7d.map(round),
            "last_good_run": c.last_good_run.map(time_text),
        })).collect::<Vec<_>>(),
    })
}

/// One contract's cells: contract, runs, freshness, quality, budget left,
/// burn 24h, burn 7d, last good run.
fn cells(c: &ContractSlo, now: Timestamp) -> [String; 8] {
    let measured = |m: Option<&Measure>, objective: &crate::types::Objective| match m
        .and_then(Measure::attainment)
    {
        Some(a) => format!("{} / {objective}", percent_text(a)),
        None => format!("– / {objective}"),
    };
    let budget = if c.spent() {
        format!("{} spent", percent_text(c.error_budget_left()))
    } else {
        percent_text(c.error_budget_left())
    };
    [
        c.contract.clone(),
        c.runs.to_string(),
        measured(c.freshness.as_ref(), &c.slo.freshness),
        measured(Some(&c.quality), &c.slo.quality),
        budget,
        rate_text(c.burn_rate_24h),
        rate_text(c.burn_rate_7d),
        c.last_good_run
            .map_or_else(|| "never".into(), |t| ago(now, t)),
    ]
}

const HEADER: [&str; 8] = [
    "contract",
    "runs",
    "freshness / objective",
    "quality / objective",
    "budget left",
    "burn 24h",
    "burn 7d",
    "last good run",
];

/// The summary line.
pub fn summary_line(contracts: &[ContractSlo], since: Option<Duration>) -> String {
    let spent: Vec<&str> = contracts
        .iter()
        .filter(|c| c.spent())
        .map(|c| c.contract.as_str())
        .collect();
    let n = contracts.len();
    let what = if n == 1 {
        "1 contract".to_string()
    } else {
        format!("{n} contracts")
    };
    let window = window_label(contracts, since);
    match spent.len() {
        0 => format!("report ok: {what} over {window}, every error budget left"),
        k => format!(
            "report failed: {what} over {window}, {k} spent {} error budget: {}",
            if k == 1 { "its" } else { "their" },
            escape_line(&spent.join(", "))
        ),
    }
}

/// A table, the checks that failed most under it, then the summary line.
pub fn human(contracts: &[ContractSlo], since: Option<Duration>, now: Timestamp) -> String {
    let rows: Vec<[String; 8]> = contracts
        .iter()
        .map(|c| cells(c, now).map(|cell| escape_line(&cell).into_owned()))
        .collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String; 8]| {
        let mut text = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            let pad = " ".repeat(w - cell.chars().count());
            // Numbers align right.
            if (1..7).contains(&i) {
                let _ = write!(text, "{pad}{cell}  ");
            } else {
                let _ = write!(text, "{cell}{pad}  ");
            }
        }
        text.trim_end().to_string()
    };
    let mut out = String::new();
    let _ = writeln!(out, "{}", line(&HEADER.map(str::to_string)));
    for row in &rows {
        let _ = writeln!(out, "{}", line(row));
    }
    let failing: Vec<&ContractSlo> = contracts
        .iter()
        .filter(|c| !c.failed_most.is_empty())
        .collect();
    if !failing.is_empty() {
        out.push('\n');
        for c in failing {
            let _ = writeln!(
                out,
                "{} failed most: {}",
                escape_line(&c.contract),
                escape_line(&failed_most_text(c, str::to_string))
            );
        }
    }
    out.push('\n');
    out.push_str(&summary_line(contracts, since));
    out.push('\n');
    out
}

/// "amount__min (3 runs), freshness (1 run)", each check name through `name`.
fn failed_most_text(c: &ContractSlo, name: impl Fn(&str) -> String) -> String {
    c.failed_most
        .iter()
        .map(|(check, runs)| {
            let unit = if *runs == 1 { "run" } else { "runs" };
            format!("{} ({runs} {unit})", name(check))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Markdown table (cells escaped), the checks that failed most, and the
/// summary line.
pub fn markdown(contracts: &[ContractSlo], since: Option<Duration>, now: Timestamp) -> String {
    let cell = |text: &str| crate::emit::docs::md_text(&escape_line(text)).replace('|', "\\|");
    let code = |text: &str| crate::emit::docs::md_code(&escape_line(text), true);
    let mut out = format!(
        "## Data contract SLOs ({})\n\n",
        cell(&window_label(contracts, since))
    );
    let _ = writeln!(out, "| {} |", HEADER.join(" | "));
    let _ = writeln!(
        out,
        "|{}",
        [
            "---|", "---:|", "---:|", "---:|", "---:|", "---:|", "---:|", "---|"
        ]
        .concat()
    );
    for c in contracts {
        let mut row: Vec<String> = cells(c, now).iter().map(|t| cell(t)).collect();
        row[0] = code(&c.contract);
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
    let failing: Vec<&ContractSlo> = contracts
        .iter()
        .filter(|c| !c.failed_most.is_empty())
        .collect();
    if !failing.is_empty() {
        out.push_str("\nFailed most:\n\n");
        for c in failing {
            let checks = failed_most_text(c, code);
            let _ = writeln!(out, "- {}: {checks}", code(&c.contract));
        }
    }
    let _ = write!(out, "\n{}\n", cell(&summary_line(contracts, since)));
    out
}

#[derive(Serialize)]
struct HtmlContract {
    contract: String,
    cells: [String; 8],
    spent: bool,
    failed_most: String,
    /// The chart: one mark per run.
    marks: Vec<Mark>,
    good: usize,
    bad: usize,
}

#[derive(Serialize)]
struct Mark {
    x: String,
    class: &'static str,
    title: String,
}

/// The chart's width in SVG units.
const CHART_WIDTH: f64 = 600.0;

/// One self-contained page.
pub fn html(
    contracts: &[ContractSlo],
    since: Option<Duration>,
    now: Timestamp,
) -> Result<String, minijinja::Error> {
    let style = include_str!("../../templates/report/report.css");
    let csp = format!(
        "default-src 'none'; style-src '{}'; base-uri 'none'; form-action 'none'",
        crate::emit::docs::csp_hash(style)
    );
    let views: Vec<HtmlContract> = contracts
        .iter()
        .map(|c| {
            let span = c.window.seconds() as f64;
            let start = now
                .checked_sub(jiff::SignedDuration::from_secs(
                    i64::try_from(c.window.seconds()).unwrap_or(i64::MAX),
                ))
                .unwrap_or(Timestamp::MIN);
            let marks: Vec<Mark> = c
                .history
                .iter()
                .map(|p| {
                    let offset = p.started_at.duration_since(start).as_secs_f64();
                    let x = (CHART_WIDTH - 3.0) * (offset / span).clamp(0.0, 1.0);
                    let (class, what) = match (p.freshness_bad, p.quality_bad) {
                        (false, false) => ("good", "held"),
                        (true, false) => ("stale", "freshness broken"),
                        (false, true) => ("broken", "quality broken"),
                        (true, true) => ("broken", "freshness and quality broken"),
                    };
                    Mark {
                        x: format!("{x:.1}"),
                        class,
                        title: format!("{}: {what}", time_text(p.started_at)),
                    }
                })
                .collect();
            let good = c
                .history
                .iter()
                .filter(|p| !p.freshness_bad && !p.quality_bad)
                .count();
            HtmlContract {
                contract: c.contract.clone(),
                cells: cells(c, now),
                spent: c.spent(),
                failed_most: failed_most_text(c, str::to_string),
                bad: marks.len() - good,
                good,
                marks,
            }
        })
        .collect();
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    let rendered = env
        .template_from_str(include_str!("../../templates/report/report.html"))
        .and_then(|t| {
            t.render(minijinja::context! {
                contracts => views,
                header => HEADER,
                window => window_label(contracts, since),
                now => time_text(now),
                summary => summary_line(contracts, since),
                style,
                csp,
            })
        });
    rendered.map(|mut text| {
        let trimmed = text.trim_end().len();
        text.truncate(trimmed);
        text.push('\n');
        text
    })
}

/// What the docs catalog shows of a contract's results: its latest run
/// (`None`: never run) and its objectives.
pub fn health(
    c: &ContractSlo,
    latest: Option<&crate::run::store::Latest>,
) -> Option<crate::emit::docs::Health> {
    let latest = latest?;
    let worst = latest
        .checks
        .values()
        .max()
        .copied()
        .unwrap_or(crate::run::Status::Pass);
    let held = |m: &Measure, objective: &crate::types::Objective| {
        format!(
            "{} of runs (objective {objective})",
            m.attainment().map_or_else(|| "–".to_string(), percent_text)
        )
    };
    Some(crate::emit::docs::Health {
        status: worst.name().into(),
        last_run: time_text(latest.started_at),
        window: c.window.to_string(),
        runs: c.runs,
        freshness: c.freshness.as_ref().map(|m| held(m, &c.slo.freshness)),
        quality: held(&c.quality, &c.slo.quality),
        budget_left: percent_text(c.error_budget_left()),
        spent: c.spent(),
        checks: latest
            .checks
            .iter()
            .map(|(k, v)| (k.clone(), v.name().to_string()))
            .collect(),
        not_passing: latest
            .checks
            .iter()
            .filter(|(_, s)| **s != crate::run::Status::Pass)
            .map(|(k, v)| crate::emit::docs::NotPassing {
                name: k.clone(),
                status: v.name().into(),
            })
            .collect(),
    })
}
