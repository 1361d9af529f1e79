//! Helpers that turn spanned YAML nodes into typed syntax, collecting every
//! problem as a diagnostic instead of stopping at the first.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Span, Spanned};
use crate::suggest;

/// Help for a value cut at a comma inside a flow mapping.
pub const FLOW_COMMA: &str = "a comma inside `{ … }` ends the value before it, so `decimal(12,2)` reads as two; quote a value that holds a comma: `{type: \"decimal(12,2)\"}`";

use super::yaml::{Node, NodeKind, Scalar};

/// Collects the diagnostics of one decoding pass.
#[derive(Default)]
pub struct Cx {
    pub diagnostics: Vec<Diagnostic>,
}

/// Names users often write for a key of ours, by their origin (dbt, ODCS, SQL).
const KEY_SYNONYMS: &[(&str, &str)] = &[
    ("not_null", "required"),
    ("nullable", "required"),
    ("enum", "accepted_values"),
    ("allowed_values", "accepted_values"),
    ("valid_values", "accepted_values"),
    ("regex", "pattern"),
    ("minimum", "min"),
    ("maximum", "max"),
    ("min_length", "length"),
    ("max_length", "length"),
    ("foreign_key", "references"),
    ("relationships", "references"),
    ("owner", "owners"),
    ("table", "dataset"),
    ("tests", "checks"),
    ("data_tests", "checks"),
    ("fields", "columns"),
    ("properties", "columns"),
    ("data_type", "type"),
    ("filter", "where"),
    ("level", "severity"),
    ("sla", "freshness"),
];

impl Cx {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    pub fn wrong_type(&mut self, node: &Node, expected: &str) {
        let mut d = Diagnostic::error(
            Code::WrongType,
            format!("expected {expected}, found {}", node.describe()),
        )
        .with_label(node.span, format!("expected {expected}"));
        if expected.contains("string") {
            if let NodeKind::Scalar(Scalar::Number(_) | Scalar::Bool(_) | Scalar::Null) = node.kind
            {
                d = d.with_help("quote the value to make it a string");
            }
        }
        self.push(d);
    }

    /// Read `node` as a mapping whose keys must be among `known`.
    pub fn map<'a>(&mut self, node: &'a Node, what: &str, known: &[&str]) -> Option<Map<'a>> {
        self.map_refusing(node, what, known, &[])
    }

    /// [`Cx::map`], also taking the `refused` keys, which the caller
    /// reports with a reason of its own (`tolerance` on freshness); the
    /// help for an unknown key does not offer them.
    pub fn map_refusing<'a>(
        &mut self,
        node: &'a Node,
        what: &str,
        known: &[&str],
        refused: &[&str],
    ) -> Option<Map<'a>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_type(node, &format!("a mapping ({what})"));
            return None;
        };
        let mut keys = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let Some(NodeKind::Scalar(Scalar::String(text))) = Some(&key.kind) else {
                self.push(
                    Diagnostic::error(Code::WrongType, format!("keys of {what} must be strings"))
                        .with_label(key.span, format!("{} used as a key", key.describe())),
                );
                continue;
            };
            if !known.contains(&text.as_str()) && !refused.contains(&text.as_str()) {
                let mut d =
                    Diagnostic::error(Code::UnknownKey, format!("unknown key `{text}` in {what}"))
                        .with_label(key.span, "unknown key");
                d = match suggest::did_you_mean(text, known, KEY_SYNONYMS) {
                    Some(help) if known.contains(&help_target(&help)) => d.with_help(help),
                    // `{type: decimal(12,2)}`: the comma ended the value.
                    _ if text.ends_with(')') && !text.contains('(') => d.with_help(FLOW_COMMA),
                    _ => d.with_help(format!("{what} takes: {}", known.join(", "))),
                };
                self.push(d);
                continue;
            }
            keys.push((text.as_str(), key, value));
        }
        Some(Map {
            span: node.span,
            entries: keys,
        })
    }

    pub fn string(&mut self, node: &Node) -> Option<Spanned<String>> {
        match &node.kind {
            NodeKind::Scalar(Scalar::String(s)) => Some(Spanned::new(s.clone(), node.span)),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    /// A non-empty string (blank names and SQL fragments are errors).
    pub fn text(&mut self, node: &Node) -> Option<Spanned<String>> {
        let s = self.string(node)?;
        if s.trim().is_empty() {
            self.push(
                Diagnostic::error(Code::InvalidValue, "value must not be blank")
                    .with_label(node.span, "blank"),
            );
            return None;
        }
        Some(s)
    }

    pub fn bool(&mut self, node: &Node) -> Option<Spanned<bool>> {
        match &node.kind {
            NodeKind::Scalar(Scalar::Bool(b)) => Some(Spanned::new(*b, node.span)),
            _ => {
                self.wrong_type(node, "`true` or `false`");
                None
            }
        }
    }

    /// A non-negative integer.
    pub fn count(&mut self, node: &Node) -> Option<Spanned<u64>> {
        if let NodeKind::Scalar(Scalar::Number(n)) = &node.kind {
            if let Ok(v) = n.parse::<u64>() {
                return Some(Spanned::new(v, node.span));
            }
            let d = Diagnostic::error(
                Code::InvalidValue,
                format!("expected a non-negative integer, found `{n}`"),
            )
            .with_label(node.span, "not a non-negative integer");
            self.push(d);
            return None;
        }
        self.wrong_type(node, "a non-negative integer");
        None
    }

    pub fn list<'a>(&mut self, node: &'a Node, what: &str) -> Option<&'a [Node]> {
        match &node.kind {
            NodeKind::Seq(items) => Some(items),
            _ => {
                self.wrong_type(node, &format!("a list ({what})"));
                None
            }
        }
    }

    /// A list of non-empty strings.
    pub fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<Spanned<String>>> {
        let items = self.list(node, what)?;
        Some(items.iter().filter_map(|item| self.text(item)).collect())
    }

    /// One of a fixed set of words.
    pub fn choice<T: Copy>(
        &mut self,
        node: &Node,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        let s = self.string(node)?;
        if let Some((_, v)) = options.iter().find(|(name, _)| *name == s.as_str()) {
            return Some(Spanned::new(*v, node.span));
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let mut d = Diagnostic::error(Code::InvalidValue, format!("invalid {what} `{}`", s.value))
            .with_label(node.span, format!("expected one of: {}", names.join(", ")));
        if let Some(c) = suggest::closest(&s, names.iter().copied()) {
            d = d.with_help(format!("did you mean `{c}`?"));
        }
        self.push(d);
        None
    }
}

fn help_target(help: &str) -> &str {
    help.split('`').nth(1).unwrap_or("")
}

/// A mapping whose keys were checked against the known set.
pub struct Map<'a> {
    pub span: Span,
    entries: Vec<(&'a str, &'a Node, &'a Node)>,
}

impl<'a> Map<'a> {
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
    }

    /// The span of the key itself (for "this key conflicts with …" labels).
    pub fn key_span(&self, key: &str) -> Option<Span> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, k, _)| k.span)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A key that must be present; reports `missing-key` otherwise.
    pub fn required(&self, cx: &mut Cx, key: &str, what: &str) -> Option<&'a Node> {
        let found = self.get(key);
        if found.is_none() {
            cx.push(
                Diagnostic::error(
                    Code::MissingKey,
                    format!("{what} is missing the required key `{key}`"),
                )
                .with_label(self.head_span(), format!("`{key}` is required here"))
                .with_help(format!("add `{key}: …`")),
            );
        }
        found
    }

    /// The first line of the mapping: where to point when a key is missing.
    fn head_span(&self) -> Span {
        self.entries
            .first()
            .map(|(_, k, _)| k.span)
            .unwrap_or(self.span)
    }
}
