//! The report in each output format: text for people, Markdown for a
//! pull-request comment, JSON for tools, GitHub workflow annotations.
//! Unchanged contracts are counted, not listed (JSON lists them).

use serde_json::{Value, json};

use super::{Change, Class, Entry, Report, Side, Status, Words};
use crate::diagnostic::{Location, escape_data, escape_property};
use crate::emit::docs::{md_code, md_phrase, md_text};
use crate::source::Sources;

/// Both sides' files, to locate changes.
#[derive(Clone, Copy)]
pub struct Files<'a> {
    pub old: &'a Sources,
    pub new: &'a Sources,
}

impl Files<'_> {
    fn locate(&self, change: &Change) -> Location {
        let sources = match change.side {
            Side::Old => self.old,
            Side::New => self.new,
        };
        let file = sources.get(change.span.file);
        let start = file.line_col(change.span.start);
        let end = file.line_col(change.span.end);
        Location {
            file: file.path.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

fn versions(e: &Entry) -> String {
    match (&e.old, &e.new) {
        (Some(o), Some(n)) if o.version == n.version => o.version.clone(),
        (Some(o), Some(n)) => format!("{} → {}", o.version, n.version),
        (None, Some(n)) => format!("new, {}", n.version),
        (Some(o), None) => format!("removed, was {}", o.version),
        (None, None) => String::new(),
    }
}

fn title(e: &Entry) -> String {
    match &e.status {
        Status::Renamed(from) => format!("{} (renamed from {from}) {}", e.contract, versions(e)),
        _ => format!("{} {}", e.contract, versions(e)),
    }
}

fn counts(report: &Report) -> Vec<(&'static str, usize)> {
    let count = |f: &dyn Fn(&Entry) -> bool| report.entries.iter().filter(|e| f(e)).count();
    vec![
        ("changed", count(&|e| e.status == Status::Changed)),
        (
            "renamed",
            count(&|e| matches!(e.status, Status::Renamed(_))),
        ),
        ("added", count(&|e| e.status == Status::Added)),
        ("removed", count(&|e| e.status == Status::Removed)),
        ("unchanged", count(&|e| e.status == Status::Unchanged)),
    ]
}

fn summary(report: &Report) -> String {
    let failed = report.entries.iter().filter(|e| !e.verdict.ok).count();
    let parts: Vec<String> = counts(report)
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    let total = report.entries.len();
    let contracts = if total == 1 { "contract" } else { "contracts" };
    let verdict = if failed == 0 {
        "diff ok".to_string()
    } else {
        format!(
            "diff failed: {failed} of {total} {contracts} not allowed by {}",
            if failed == 1 {
                "its version"
            } else {
                "their versions"
            }
        )
    };
    if parts.is_empty() {
        format!("{verdict}: no contracts")
    } else {
        format!("{verdict} ({total} {contracts}: {})", parts.join(", "))
    }
}

/// What text and Markdown list: all but the unchanged (counted in the summary).
fn listed(report: &Report) -> impl Iterator<Item = &Entry> {
    report
        .entries
        .iter()
        .filter(|e| e.status != Status::Unchanged)
}

/// Text for people: each contract that changed, its verdict, and each
/// change with its place and reason.
pub fn human(report: &Report, files: Files) -> String {
    // Each entry is one line whatever its values hold (a line break in an
    // accepted value must not fake a line of the report).
    let line = |text: &str| crate::text::escape_line(text).into_owned();
    let mut out = String::new();
    for e in listed(report) {
        let mark = if e.verdict.ok { "ok" } else { "FAIL" };
        out.push_str(&format!(
            "{}: {mark}: {}\n",
            line(&title(e)),
            line(&e.verdict.message.plain())
        ));
        for change in &e.changes {
            let at = files.locate(change);
            out.push_str(&format!(
                "  {:<8}  {}:{}:{}  {}\n            {}\n",
                change.class.name(),
                line(&at.file),
                at.line,
                at.column,
                line(&change.what.plain()),
                line(&change.why.plain()),
            ));
        }
        out.push('\n');
    }
    out.push_str(&summary(report));
    out.push('\n');
    out
}

fn md(words: &Words) -> String {
    md_phrase(&words.0, true)
}

fn mark(ok: bool) -> &'static str {
    if ok { "✅" } else { "❌" }
}

fn tally(changes: &[Change]) -> String {
    [Class::Breaking, Class::Minor, Class::Patch]
        .iter()
        .filter_map(|class| {
            let n = changes.iter().filter(|c| c.class == *class).count();
            (n > 0).then(|| format!("{n} {}", class.name()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Markdown for a pull-request comment: a table of contracts, then a table
/// of changes per contract.
pub fn markdown(report: &Report, files: Files) -> String {
    let mut out = format!("## datapact diff {}\n\n", mark(report.ok()));
    out.push_str(&md_text(&summary(report)));
    out.push_str("\n\n");
    let entries: Vec<&Entry> = listed(report).collect();
    if entries.is_empty() {
        return out;
    }
    out.push_str("| | Contract | Version | Changes | Verdict |\n|---|---|---|---|---|\n");
    for e in &entries {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            mark(e.verdict.ok),
            md_code(&e.contract, true),
            md_text(&versions(e)),
            tally(&e.changes),
            md(&e.verdict.message),
        ));
    }
    for e in entries.iter().filter(|e| !e.changes.is_empty()) {
        out.push_str(&format!(
            "\n### {} {}\n\n",
            md_code(&e.contract, false),
            md_text(&versions(e))
        ));
        out.push_str("| Class | Change | Where | Why |\n|---|---|---|---|\n");
        for change in &e.changes {
            let at = files.locate(change);
            out.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                change.class.name(),
                md(&change.what),
                md_code(&format!("{}:{}", at.file, at.line), true),
                md(&change.why),
            ));
        }
    }
    out
}

/// JSON for tools: every contract, unchanged ones too.
pub fn json(report: &Report, files: Files) -> Value {
    let release = |r: &Option<super::Release>| {
        r.as_ref()
            .map(|r| json!({"version": r.version, "path": r.path}))
    };
    let contracts: Vec<Value> = report
        .entries
        .iter()
        .map(|e| {
            let changes: Vec<Value> = e
                .changes
                .iter()
                .map(|c| {
                    let at = files.locate(c);
                    json!({
                        "class": c.class.name(),
                        "kind": c.kind,
                        "message": c.what.plain(),
                        "why": c.why.plain(),
                        "side": match c.side { Side::Old => "old", Side::New => "new" },
                        "file": at.file,
                        "line": at.line,
                        "column": at.column,
                        "end_line": at.end_line,
                        "end_column": at.end_column,
                    })
                })
                .collect();
            let renamed_from = match &e.status {
                Status::Renamed(from) => Some(from.as_str()),
                _ => None,
            };
            json!({
                "contract": e.contract,
                "status": e.status.name(),
                "renamed_from": renamed_from,
                "old": release(&e.old),
                "new": release(&e.new),
                "verdict": {
                    "ok": e.verdict.ok,
                    "class": e.verdict.needed.map(Class::name),
                    "bump": e.verdict.bump.map(super::Bump::name),
                    "suggested_version": e.verdict.suggested,
                    "message": e.verdict.message.plain(),
                },
                "changes": changes,
            })
        })
        .collect();
    let mut summary = serde_json::Map::new();
    summary.insert("contracts".into(), json!(report.entries.len()));
    for (what, n) in counts(report) {
        summary.insert(what.into(), json!(n));
    }
    summary.insert(
        "failed".into(),
        json!(report.entries.iter().filter(|e| !e.verdict.ok).count()),
    );
    json!({"ok": report.ok(), "summary": summary, "contracts": contracts})
}

/// A SARIF 2.1.0 log (for code scanning): one result per change, an error
/// where it needs a bump the version does not make, else a note; and an
/// error per contract whose version does not allow its changes.
pub fn sarif(report: &Report, files: Files) -> String {
    use crate::sarif::{Level, Log, Place};
    let mut log = Log::new();
    for e in listed(report) {
        let new_path = e.new.as_ref().map(|r| r.path.clone());
        for change in &e.changes {
            let level = if e.blocks(change) {
                Level::Error
            } else {
                Level::Note
            };
            // An old file's place is not in the checkout: the new file's, if any.
            let place = match (change.side, &new_path) {
                (Side::New, _) => Some(Place::Region(files.locate(change))),
                (Side::Old, Some(path)) => Some(Place::File(path.clone())),
                (Side::Old, None) => e.old.as_ref().map(|r| Place::File(r.path.clone())),
            };
            log.result(
                change.kind,
                &format!("a change of kind {} (see docs/diff.md)", change.kind),
                level,
                format!(
                    "{}: {} ({}): {}\n{}",
                    e.contract,
                    change.class.name(),
                    change.kind,
                    change.what.plain(),
                    change.why.plain()
                ),
                place,
                Vec::new(),
            );
        }
        if !e.verdict.ok {
            let path = new_path
                .clone()
                .or_else(|| e.old.as_ref().map(|r| r.path.clone()));
            log.result(
                "version",
                "the contract's version does not allow its changes",
                Level::Error,
                format!("{}: {}", e.contract, e.verdict.message.plain()),
                path.map(Place::File),
                Vec::new(),
            );
        }
    }
    log.render()
}

/// GitHub workflow annotations: one per change (an error for the changes
/// that need the bump a contract lacks, else a notice), and one per failing
/// contract. A change in an old
/// file is annotated on the contract's new file, without a line.
pub fn github(report: &Report, files: Files) -> String {
    let mut out = String::new();
    for e in listed(report) {
        let new_path = e.new.as_ref().map(|r| r.path.clone());
        for change in &e.changes {
            // Errors for the changes that need the missing bump.
            let level = if e.blocks(change) { "error" } else { "notice" };
            let mut props = Vec::new();
            match (change.side, &new_path) {
                (Side::New, _) => {
                    let at = files.locate(change);
                    props.push(format!("file={}", escape_property(&at.file)));
                    props.push(format!("line={}", at.line));
                    props.push(format!("col={}", at.column));
                    props.push(format!("endLine={}", at.end_line));
                    props.push(format!("endColumn={}", at.end_column));
                }
                (Side::Old, Some(path)) => props.push(format!("file={}", escape_property(path))),
                (Side::Old, None) => {}
            }
            props.push(format!(
                "title={}",
                escape_property(&format!(
                    "datapact diff: {} {}",
                    change.class.name(),
                    change.kind
                ))
            ));
            out.push_str(&format!(
                "::{level} {}::{}\n",
                props.join(","),
                escape_data(&format!(
                    "{}: {}\n{}",
                    e.contract,
                    change.what.plain(),
                    change.why.plain()
                ))
            ));
        }
        if !e.verdict.ok {
            let mut props = Vec::new();
            if let Some(path) = &new_path {
                props.push(format!("file={}", escape_property(path)));
            }
            props.push(format!(
                "title={}",
                escape_property("datapact diff: version")
            ));
            out.push_str(&format!(
                "::error {}::{}\n",
                props.join(","),
                escape_data(&format!("{}: {}", e.contract, e.verdict.message.plain()))
            ));
        }
    }
    out
}
