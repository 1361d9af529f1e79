//! SARIF 2.1.0 logs (the OASIS Static Analysis Results Interchange
//! Format), which code-scanning services read: one run of datapact, the
//! rules it reports on, and one result per diagnostic or change.
//!
//! Paths are written as the user gave them (relative to where datapact ran,
//! which in CI is the repository root), as relative URIs; columns count
//! Unicode code points (`columnKind`), as datapact's do.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, Location};
use crate::source::Sources;

/// The JSON Schema a log declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A result's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }
}

/// Where a result is: a region of a file, or a whole file.
pub enum Place {
    Region(Location),
    File(String),
}

/// A log being written: its rules (by id, with a description) and results.
#[derive(Default)]
pub struct Log {
    rules: BTreeMap<String, String>,
    results: Vec<Finding>,
}

/// One result: its rule, level, message, place and related places.
struct Finding {
    rule: String,
    level: Level,
    message: String,
    place: Option<Place>,
    related: Vec<(Place, String)>,
}

impl Log {
    pub fn new() -> Log {
        Log::default()
    }

    /// Report `message` under the rule `rule` (described by `description`
    /// the first time), at `place`, with related places and what each is.
    pub fn result(
        &mut self,
        rule: &str,
        description: &str,
        level: Level,
        message: String,
        place: Option<Place>,
        related: Vec<(Place, String)>,
    ) {
        self.rules
            .entry(rule.to_string())
            .or_insert_with(|| description.to_string());
        self.results.push(Finding {
            rule: rule.to_string(),
            level,
            message,
            place,
            related,
        });
    }

    /// The log as pretty-printed JSON, ending with a line break.
    pub fn render(&self) -> String {
        let index: BTreeMap<&str, usize> = self
            .rules
            .keys()
            .enumerate()
            .map(|(i, id)| (id.as_str(), i))
            .collect();
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|(id, description)| {
                json!({
                    "id": id,
                    "name": id,
                    "shortDescription": {"text": description},
                })
            })
            .collect();
        let results: Vec<Value> = self
            .results
            .iter()
            .map(
                |Finding {
                     rule,
                     level,
                     message,
                     place,
                     related,
                 }| {
                    let mut result = json!({
                        "ruleId": rule,
                        "ruleIndex": index[rule.as_str()],
                        "level": level.name(),
                        "message": {"text": message},
                    });
                    if let Some(place) = place {
                        result["locations"] = json!([location(place)]);
                    }
                    if !related.is_empty() {
                        result["relatedLocations"] = related
                            .iter()
                            .enumerate()
                            .map(|(i, (place, what))| {
                                let mut l = location(place);
                                l["id"] = json!(i);
                                l["message"] = json!({"text": what});
                                l
                            })
                            .collect();
                    }
                    result
                },
            )
            .collect();
        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": {
                    "name": "datapact",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }],
        });
        let mut text = serde_json::to_string_pretty(&log).expect("JSON serializes");
        text.push('\n');
        text
    }
}

/// Render as a SARIF 2.1.0 log (for code scanning): one result per
/// diagnostic, its secondary labels as related locations.
pub fn diagnostics(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    diagnostic_sets(&[(diagnostics, sources)])
}

/// [`diagnostics`] of diagnostics of several sets of files (`diff`'s old
/// and new contracts), in one log.
pub fn diagnostic_sets(sets: &[(&[Diagnostic], &Sources)]) -> String {
    let mut log = Log::new();
    for (d, sources) in sets
        .iter()
        .flat_map(|(ds, s)| ds.iter().map(move |d| (d, *s)))
    {
        let level = match d.severity {
            crate::diagnostic::Severity::Error => Level::Error,
            crate::diagnostic::Severity::Warning => Level::Warning,
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let place = match (d.location(sources), &d.path) {
            (Some(l), _) => Some(Place::Region(l)),
            (None, Some(path)) => Some(Place::File(path.clone())),
            (None, None) => None,
        };
        let related = d
            .secondary
            .iter()
            .map(|l| {
                (
                    Place::Region(crate::diagnostic::locate(sources, l.span)),
                    l.message.clone(),
                )
            })
            .collect();
        log.result(
            d.code.as_str(),
            d.code.description(),
            level,
            message,
            place,
            related,
        );
    }
    log.render()
}

fn location(place: &Place) -> Value {
    match place {
        Place::Region(l) => json!({"physicalLocation": {
            "artifactLocation": {"uri": uri(&l.file)},
            "region": {
                "startLine": l.line,
                "startColumn": l.column,
                "endLine": l.end_line,
                "endColumn": l.end_column,
            },
        }}),
        Place::File(path) => json!({"physicalLocation": {
            "artifactLocation": {"uri": uri(path)},
        }}),
    }
}

/// A path as a URI reference: relative (as code scanning wants, from the
/// repository root) with `/` separators, or a `file://` URI for an absolute
/// path; every byte outside the unreserved characters percent-encoded. A
/// file of an earlier revision (`origin/main:contracts/x.yaml`, as `diff
/// --base` names it) is named by its path.
pub fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = match path.rsplit_once(':') {
        Some((_, rest)) if !path.starts_with('/') && !rest.is_empty() => rest.to_string(),
        _ => path,
    };
    let (scheme, path) = match path.strip_prefix('/') {
        Some(_) => ("file://", path.as_str()),
        None => ("", path.strip_prefix("./").unwrap_or(&path)),
    };
    let mut out = String::with_capacity(path.len() + scheme.len());
    out.push_str(scheme);
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_uris() {
        assert_eq!(
            uri("contracts/shop/orders.yaml"),
            "contracts/shop/orders.yaml"
        );
        assert_eq!(uri("./my contracts/ö.yaml"), "my%20contracts/%C3%B6.yaml");
        assert_eq!(uri(r"contracts\a#b.yaml"), "contracts/a%23b.yaml");
        assert_eq!(uri("origin/main:contracts/x.yaml"), "contracts/x.yaml");
        assert_eq!(uri("/tmp/x y.yaml"), "file:///tmp/x%20y.yaml");
    }
}
