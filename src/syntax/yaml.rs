//! YAML → a small tree of spanned nodes.
//!
//! This is the only place that talks to the YAML parser (saphyr-parser, a
//! maintained YAML 1.2 parser). We consume its event stream and build our own
//! tree so that every key and value keeps its span, duplicate keys are
//! reported (with both places), aliases and `<<` merge keys are resolved, and
//! hostile input (alias bombs, absurd nesting) is refused with a diagnostic
//! instead of exhausting memory or the stack.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span as YSpan};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, Span, written_at};

/// Maximum nesting of collections in one document.
const MAX_DEPTH: usize = 128;
/// Maximum number of nodes in one document after alias expansion.
const MAX_NODES: usize = 200_000;
pub use crate::load::MAX_FILE_BYTES;
/// Maximum length of one value (a description, a pattern, an expression).
pub const MAX_SCALAR_BYTES: usize = 64 << 10;

#[derive(Debug, Clone)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A scalar with its YAML 1.2 core-schema resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    /// An integer or float, kept as written (for exact decimal handling).
    Number(String),
    String(String),
}

impl Node {
    /// What kind of YAML value this is, for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(Scalar::Null) => "null",
            NodeKind::Scalar(Scalar::Bool(_)) => "a boolean",
            NodeKind::Scalar(Scalar::Number(_)) => "a number",
            NodeKind::Scalar(Scalar::String(_)) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The scalar's text if this node is a scalar key or value.
    pub fn scalar_text(&self) -> Option<String> {
        match &self.kind {
            NodeKind::Scalar(Scalar::Null) => Some("null".into()),
            NodeKind::Scalar(Scalar::Bool(b)) => Some(b.to_string()),
            NodeKind::Scalar(Scalar::Number(n)) => Some(n.clone()),
            NodeKind::Scalar(Scalar::String(s)) => Some(s.clone()),
            _ => None,
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar(_) => 1,
            NodeKind::Seq(items) => 1 + items.iter().map(Node::count).sum::<usize>(),
            NodeKind::Map(entries) => {
                1 + entries
                    .iter()
                    .map(|(k, v)| k.count() + v.count())
                    .sum::<usize>()
            }
        }
    }
}

impl Node {
    /// The node as JSON (for checking documents against the JSON Schema).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Scalar(Scalar::Null) => Value::Null,
            NodeKind::Scalar(Scalar::Bool(b)) => Value::Bool(*b),
            NodeKind::Scalar(Scalar::Number(n)) => n
                .parse::<i64>()
                .map(Value::from)
                .ok()
                .or_else(|| {
                    n.parse::<f64>()
                        .ok()
                        .and_then(serde_json::Number::from_f64)
                        .map(Value::Number)
                })
                .unwrap_or_else(|| Value::String(n.clone())),
            NodeKind::Scalar(Scalar::String(s)) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.scalar_text().unwrap_or_default(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Resolve a plain scalar by the YAML 1.2 core schema.
fn resolve_plain(text: &str) -> Scalar {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    if is_core_int(text) || is_core_float(text) {
        Scalar::Number(text.to_string())
    } else {
        Scalar::String(text.to_string())
    }
}

fn is_core_int(t: &str) -> bool {
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn is_core_float(t: &str) -> bool {
    // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    let s = t.strip_prefix(['-', '+']).unwrap_or(t);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = all_digits(int)
        && frac.is_none_or(all_digits)
        && (!int.is_empty() || frac.is_some_and(|f| !f.is_empty()));
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

enum Frame {
    Seq {
        start: Span,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Span,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        pending_key: Option<Node>,
    },
}

struct Builder<'a> {
    file: FileId,
    source: &'a SourceFile,
    anchors: HashMap<usize, Node>,
    stack: Vec<Frame>,
    documents: Vec<Node>,
    nodes: usize,
    /// Whether an alias has been expanded (for the size limit's message).
    aliased: bool,
    diagnostics: Vec<Diagnostic>,
}

impl Builder<'_> {
    fn span(&self, s: &YSpan) -> Span {
        let start = self.source.offset_of(s.start.line(), s.start.col());
        let end = self.source.offset_of(s.end.line(), s.end.col());
        Span::new(self.file, start, end)
    }

    /// A span of one character at a parser marker.
    fn point(&self, line: usize, col: usize) -> Span {
        let start = self.source.offset_of(line, col);
        let end = self.source.text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(start, |c| start + c.len_utf8());
        Span::new(self.file, start, end)
    }

    /// Add a finished node to the enclosing collection (or as a document).
    fn push(&mut self, node: Node, anchor: usize) -> Result<(), Box<Diagnostic>> {
        if anchor != 0 {
            // The anchored copy counts against the limit too.
            self.grow(node.count(), node.span)?;
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
        Ok(())
    }

    fn grow(&mut self, by: usize, span: Span) -> Result<(), Box<Diagnostic>> {
        self.nodes += by;
        if self.nodes <= MAX_NODES {
            return Ok(());
        }
        // Name the limit that was reached: aliases only when one was expanded.
        let diagnostic = if self.aliased {
            Diagnostic::error(
                Code::YamlSyntax,
                format!(
                    "document is too large: more than {MAX_NODES} values, counting every copy an alias makes"
                ),
            )
            .with_label(span, "the limit is passed here")
            .with_help("aliases copy what their anchor holds; use fewer of them, or split the file")
        } else {
            Diagnostic::error(
                Code::YamlSyntax,
                format!(
                    "document is too large: more than {MAX_NODES} values (keys, values and collections), the limit of one file"
                ),
            )
            .with_label(span, "the limit is passed here")
            .with_help("split the file: one contract per file is the convention")
        };
        Err(Box::new(diagnostic))
    }

    fn on_event(&mut self, event: Event<'_>, yspan: YSpan) -> Result<(), Box<Diagnostic>> {
        let span = self.span(&yspan);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                if !self.documents.is_empty() {
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::MultipleDocuments,
                            "a contract file holds exactly one YAML document",
                        )
                        .with_label(
                            self.point(yspan.start.line(), yspan.start.col()),
                            "a second document starts here",
                        )
                        .with_help("put each contract in its own file"),
                    ));
                }
            }
            Event::Alias(id) => {
                self.aliased = true;
                let Some(node) = self.anchors.get(&id).cloned() else {
                    return Err(Box::new(
                        Diagnostic::error(Code::YamlSyntax, "unknown alias")
                            .with_label(span, "no anchor of this name is defined before"),
                    ));
                };
                self.grow(node.count(), span)?;
                // The alias's own span is where the user wrote it.
                let node = Node { span, ..node };
                self.push(node, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.grow(1, span)?;
                if text.len() > MAX_SCALAR_BYTES {
                    // Underline only the value's first character: the
                    // snippet would print all of it.
                    let first = self.source.text[span.start..]
                        .chars()
                        .next()
                        .map_or(0, char::len_utf8);
                    return Err(Box::new(
                        Diagnostic::error(
                            Code::YamlSyntax,
                            format!(
                                "value is too long: {} bytes, more than the limit of {MAX_SCALAR_BYTES}",
                                text.len()
                            ),
                        )
                        .with_label(
                            Span::new(self.file, span.start, span.start + first),
                            "this value",
                        ),
                    ));
                }
                let forced_string = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let text = self.refuse_forbidden(text, span);
                // A block scalar's span runs on to the next token; it ends
                // where its last character is written.
                let span = match style {
                    ScalarStyle::Literal | ScalarStyle::Folded => {
                        let end = text.trim_end().len();
                        written_at(&self.source.text, span, &text, end, end)
                            .map_or(span, |at| Span::new(self.file, span.start, at.end))
                    }
                    _ => span,
                };
                let value = if style == ScalarStyle::Plain && !forced_string {
                    resolve_plain(&text)
                } else {
                    Scalar::String(text.into_owned())
                };
                self.push(
                    Node {
                        kind: NodeKind::Scalar(value),
                        span,
                    },
                    anchor,
                )?;
            }
            Event::SequenceStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Seq {
                    start: span,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.open(span)?;
                self.stack.push(Frame::Map {
                    start: span,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (node, anchor) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        items,
                    } => (
                        Node {
                            kind: NodeKind::Seq(items),
                            span: Span::new(self.file, start.start, span.end.max(start.end)),
                        },
                        anchor,
                    ),
                    Frame::Map {
                        start,
                        anchor,
                        entries,
                        ..
                    } => (
                        Node {
                            kind: NodeKind::Map(self.finish_map(entries)),
                            span: Span::new(self.file, start.start, span.end.max(start.end)),
                        },
                        anchor,
                    ),
                };
                self.push(node, anchor)?;
            }
        }
        Ok(())
    }

    /// Report a control or bidirectional character in a value (or key),
    /// and keep the value with each such character replaced, so nothing
    /// later copies it.
    fn refuse_forbidden<'t>(
        &mut self,
        text: std::borrow::Cow<'t, str>,
        span: Span,
    ) -> std::borrow::Cow<'t, str> {
        let Some((_, c)) = crate::text::forbidden(&text) else {
            return text;
        };
        let what = if crate::text::is_bidi_control(c) {
            "the bidirectional text control"
        } else {
            "the control character"
        };
        self.diagnostics.push(
            Diagnostic::error(
                Code::ControlCharacter,
                format!("this value holds {what} {}", crate::text::code_point(c)),
            )
            .with_label(span, "in this value")
            .with_help(
                "datapact never copies control or text-direction characters into SQL, dbt files or docs; remove it",
            ),
        );
        std::borrow::Cow::Owned(crate::text::clean(&text).into_owned())
    }

    fn open(&mut self, span: Span) -> Result<(), Box<Diagnostic>> {
        self.grow(1, span)?;
        if self.stack.len() >= MAX_DEPTH {
            return Err(Box::new(
                Diagnostic::error(
                    Code::YamlSyntax,
                    format!("nesting deeper than {MAX_DEPTH} levels"),
                )
                .with_label(span, "too deep"),
            ));
        }
        Ok(())
    }

    /// Apply `<<` merge keys and report duplicate keys.
    fn finish_map(&mut self, entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
        let mut own: Vec<(Node, Node)> = Vec::with_capacity(entries.len());
        let mut seen: HashMap<String, Span> = HashMap::with_capacity(entries.len());
        let mut merged: Vec<(Node, Node)> = Vec::new();
        for (key, value) in entries {
            let is_merge = matches!(&key.kind, NodeKind::Scalar(Scalar::String(s)) if s == "<<")
                && !matches!(value.kind, NodeKind::Scalar(_));
            if is_merge {
                let sources = match value.kind {
                    NodeKind::Seq(items) => items,
                    _ => vec![value],
                };
                for source in sources {
                    match source.kind {
                        NodeKind::Map(entries) => merged.extend(entries),
                        _ => self.diagnostics.push(
                            Diagnostic::error(Code::WrongType, "`<<` merges mappings only")
                                .with_label(source.span, format!("found {}", source.describe())),
                        ),
                    }
                }
                continue;
            }
            if let Some(text) = key.scalar_text() {
                if let Some(first) = seen.get(&text) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::DuplicateKey, format!("duplicate key `{text}`"))
                            .with_label(key.span, "defined again here")
                            .with_secondary(*first, "first defined here")
                            .with_help("remove one of them: YAML keys must be unique in a mapping"),
                    );
                    continue;
                }
                seen.insert(text, key.span);
            }
            own.push((key, value));
        }
        // Keys written in the mapping itself override merged ones; among merged
        // mappings, the first one listed wins.
        for (key, value) in merged {
            let Some(text) = key.scalar_text() else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(slot) = seen.entry(text) {
                slot.insert(key.span);
                own.push((key, value));
            }
        }
        own
    }
}

/// Parse one YAML document. Returns `None` for an empty file (no document).
pub fn parse(file: FileId, source: &SourceFile) -> (Option<Node>, Vec<Diagnostic>) {
    if source.text.len() > MAX_FILE_BYTES {
        let diagnostic = Diagnostic::error(
            Code::YamlSyntax,
            format!(
                "file is too large: {} bytes, more than the limit of {MAX_FILE_BYTES}",
                source.text.len()
            ),
        )
        .with_label(Span::new(file, 0, 0), "in this file")
        .with_help("split the file: one contract per file is the convention");
        return (None, vec![diagnostic]);
    }
    let mut builder = Builder {
        file,
        source,
        anchors: HashMap::new(),
        stack: Vec::new(),
        documents: Vec::new(),
        nodes: 0,
        aliased: false,
        diagnostics: Vec::new(),
    };
    let mut parser = Parser::new_from_str(&source.text);
    let result = parser.try_for_each(|item| match item {
        Ok((event, span)) => builder.on_event(event, span),
        Err(err) => Err(Box::new(scan_error(&builder, &err))),
    });
    let mut diagnostics = std::mem::take(&mut builder.diagnostics);
    if let Err(diagnostic) = result {
        diagnostics.push(*diagnostic);
        return (None, diagnostics);
    }
    (builder.documents.into_iter().next(), diagnostics)
}

fn scan_error(builder: &Builder<'_>, err: &ScanError) -> Diagnostic {
    let marker = err.marker();
    let span = builder.point(marker.line(), marker.col());
    let info = err.info();
    let mut diagnostic = Diagnostic::error(Code::YamlSyntax, format!("invalid YAML: {info}"))
        .with_label(span, "here");
    if info.contains("quoted scalar") {
        diagnostic = diagnostic.with_help("a quoted string may be missing its closing quote");
    } else if info.contains("tab") {
        diagnostic =
            diagnostic.with_help("indent with spaces: YAML does not allow tabs for indentation");
    }
    diagnostic
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> (Option<Node>, Vec<Diagnostic>) {
        let source = SourceFile::new("t.yaml", text);
        parse(FileId(0), &source)
    }

    #[test]
    fn core_schema_resolution() {
        assert_eq!(resolve_plain("12"), Scalar::Number("12".into()));
        assert_eq!(resolve_plain("-1.5e3"), Scalar::Number("-1.5e3".into()));
        assert_eq!(resolve_plain(".5"), Scalar::Number(".5".into()));
        assert_eq!(resolve_plain("1.4.0"), Scalar::String("1.4.0".into()));
        assert_eq!(resolve_plain("yes"), Scalar::String("yes".into()));
        assert_eq!(resolve_plain("~"), Scalar::Null);
        assert_eq!(resolve_plain("."), Scalar::String(".".into()));
        assert_eq!(resolve_plain("e5"), Scalar::String("e5".into()));
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let (node, diags) = parse_str("a: 1\nb: 2\na: 3\n");
        assert!(node.is_some());
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].code, Code::DuplicateKey);
    }

    #[test]
    fn merge_keys_and_aliases() {
        let (node, diags) = parse_str("d: &d {x: 1, y: 2}\ne:\n  <<: *d\n  y: 3\n");
        assert!(diags.is_empty(), "{diags:?}");
        let NodeKind::Map(entries) = node.unwrap().kind else {
            panic!()
        };
        let NodeKind::Map(e) = &entries[1].1.kind else {
            panic!()
        };
        let keys: Vec<_> = e
            .iter()
            .map(|(k, v)| (k.scalar_text().unwrap(), v.scalar_text().unwrap()))
            .collect();
        assert_eq!(keys, [("y".into(), "3".into()), ("x".into(), "1".into())]);
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!("a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"));
        }
        let (node, diags) = parse_str(&text);
        assert!(node.is_none());
        assert!(diags[0].message.contains("too large"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let text = "[".repeat(10_000);
        let (node, diags) = parse_str(&text);
        assert!(node.is_none());
        assert_eq!(diags.len(), 1);
    }

    #[test]
    fn second_document_is_an_error() {
        let (_, diags) = parse_str("a: 1\n---\nb: 2\n");
        assert_eq!(diags[0].code, Code::MultipleDocuments);
    }

    #[test]
    fn empty_file_has_no_document() {
        let (node, diags) = parse_str("# just a comment\n");
        assert!(node.is_none());
        assert!(diags.is_empty());
    }
}
