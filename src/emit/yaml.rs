//! Writing YAML documents for generated files (dbt property files).
//!
//! A small ordered tree, [`Yaml`], and a block-style writer. Strings are
//! written plain only when no YAML 1.1 or 1.2 reader can take them for
//! anything but a string; otherwise double-quoted, with every character
//! PyYAML (dbt's reader) refuses in a stream written as an escape.

/// A YAML value whose mappings keep their key order.
#[derive(Debug, Clone, PartialEq)]
pub enum Yaml {
    Str(String),
    /// A number, written as is (callers pass canonical number text).
    Number(String),
    Bool(bool),
    List(Vec<Yaml>),
    Map(Vec<(String, Yaml)>),
    /// A value followed by a comment (`key: value  # note`; a block's
    /// comment goes after its key).
    Noted(Box<Yaml>, String),
}

impl Yaml {
    pub fn str(text: impl Into<String>) -> Yaml {
        Yaml::Str(text.into())
    }

    pub fn int(n: u64) -> Yaml {
        Yaml::Number(n.to_string())
    }

    /// A mapping from `(key, value)` pairs, in order.
    pub fn map<K: Into<String>>(entries: impl IntoIterator<Item = (K, Yaml)>) -> Yaml {
        Yaml::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// This value with a comment after it; `note` is kept to one line.
    pub fn noted(self, note: &str) -> Yaml {
        Yaml::Noted(Box::new(self), one_line(note))
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Yaml::List(_) | Yaml::Map(_) | Yaml::Noted(..))
    }

    /// A one-line flow form for short collections of scalars.
    fn flow(&self) -> Option<String> {
        let text = match self {
            Yaml::List(items) if items.iter().all(Yaml::is_scalar) => {
                let items: Vec<String> = items.iter().map(scalar).collect();
                format!("[{}]", items.join(", "))
            }
            Yaml::Map(entries) if entries.iter().all(|(_, v)| v.is_scalar()) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{}: {}", key(k), scalar(v)))
                    .collect();
                format!("{{{}}}", entries.join(", "))
            }
            _ => return None,
        };
        (text.len() <= 72 && !text.contains('\n')).then_some(text)
    }
}

/// A YAML document (`---`-less), ending with a line break.
pub fn to_string(doc: &Yaml) -> String {
    let mut out = String::new();
    match doc {
        Yaml::Map(entries) => write_map(&mut out, entries, 0),
        Yaml::List(items) => write_list(&mut out, items, 0),
        scalar_value => {
            out.push_str(&scalar(scalar_value));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, entries: &[(String, Yaml)], indent: usize) {
    for (i, (k, v)) in entries.iter().enumerate() {
        // The first entry of a list item goes on the item's `- ` line.
        if i > 0 || !out.ends_with("- ") {
            out.push_str(&" ".repeat(indent));
        }
        out.push_str(&key(k));
        out.push(':');
        write_value(out, v, indent);
    }
}

/// The value after `key:`: on the same line, or nested below.
fn write_value(out: &mut String, value: &Yaml, indent: usize) {
    match value {
        Yaml::Noted(inner, note) => {
            let mut text = String::new();
            write_value(&mut text, inner, indent);
            let (first, rest) = text.split_once('\n').unwrap_or((&text, ""));
            out.push_str(first);
            out.push_str(&comment(note));
            out.push('\n');
            out.push_str(rest);
        }
        Yaml::List(items) if !items.is_empty() && value.flow().is_none() => {
            out.push('\n');
            write_list(out, items, indent + 2);
        }
        Yaml::Map(entries) if !entries.is_empty() && value.flow().is_none() => {
            out.push('\n');
            write_map(out, entries, indent + 2);
        }
        _ => {
            out.push(' ');
            out.push_str(&value.flow().unwrap_or_else(|| scalar(value)));
            out.push('\n');
        }
    }
}

fn write_list(out: &mut String, items: &[Yaml], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Yaml::Noted(inner, note) => {
                let mut text = String::new();
                write_list(&mut text, std::slice::from_ref(inner.as_ref()), indent);
                let text = text.trim_start_matches(' ').trim_start_matches("- ");
                let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
                out.push_str(first);
                out.push_str(&comment(note));
                out.push('\n');
                out.push_str(rest);
            }
            Yaml::Map(entries) if !entries.is_empty() => write_map(out, entries, indent + 2),
            Yaml::List(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(out, inner, indent + 2);
            }
            other => {
                out.push_str(&other.flow().unwrap_or_else(|| scalar(other)));
                out.push('\n');
            }
        }
    }
}

/// `text` for a comment: control characters and line breaks become spaces.
fn one_line(text: &str) -> String {
    crate::text::clean(text)
        .chars()
        .map(|c| {
            // Line and paragraph separators end a line for some readers.
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// A comment line (`# text`, or `#` for an empty one).
pub fn comment_line(text: &str) -> String {
    match one_line(text).trim_end() {
        "" => "#\n".into(),
        line => format!("# {line}\n"),
    }
}

/// A comment after a value on its line.
fn comment(note: &str) -> String {
    if note.is_empty() {
        String::new()
    } else {
        format!("  # {note}")
    }
}

fn key(k: &str) -> String {
    if is_plain(k) {
        k.to_string()
    } else {
        quoted(k)
    }
}

fn scalar(value: &Yaml) -> String {
    match value {
        Yaml::Str(s) if is_plain(s) => s.clone(),
        Yaml::Str(s) => quoted(s),
        Yaml::Number(n) => n.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::List(items) if items.is_empty() => "[]".into(),
        Yaml::Map(entries) if entries.is_empty() => "{}".into(),
        Yaml::Noted(inner, _) => scalar(inner),
        // Non-empty collections are never written as scalars.
        Yaml::List(_) | Yaml::Map(_) => String::new(),
    }
}

/// Words YAML 1.1 readers (PyYAML) take for booleans or null.
const RESERVED: &[&str] = &["true", "false", "yes", "no", "on", "off", "null", "y", "n"];

/// Plain only when it starts with a letter or `_`, uses a tame set of
/// characters, and is not a reserved word: then no reader sees a number,
/// boolean, null, date, anchor, tag, comment or flow indicator in it.
fn is_plain(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '_')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-' | '/' | '@'))
        && !RESERVED.contains(&s.to_ascii_lowercase().as_str())
}

/// Characters PyYAML accepts in a stream (its `NON_PRINTABLE` complement).
fn yaml_printable(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}'
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // NEL and the like are line breaks to YAML: escape them too.
            '\u{85}' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", u32::from(c)));
            }
            c if yaml_printable(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_and_flow() {
        let doc = Yaml::map([
            ("version", Yaml::int(2)),
            (
                "models",
                Yaml::List(vec![Yaml::map([
                    ("name", Yaml::str("orders")),
                    ("tags", Yaml::List(vec![Yaml::str("a"), Yaml::str("true")])),
                    ("description", Yaml::str("Two\nlines: \"q\" \u{7f}")),
                    ("columns", Yaml::List(vec![])),
                ])]),
            ),
        ]);
        assert_eq!(
            to_string(&doc),
            "version: 2\nmodels:\n  - name: orders\n    tags: [a, \"true\"]\n    \
             description: \"Two\\nlines: \\\"q\\\" \\u007f\"\n    columns: []\n"
        );
    }

    #[test]
    fn plain_only_when_unambiguous() {
        for s in ["order_id", "shop.orders", "a-b", "x@y.example"] {
            assert!(is_plain(s), "{s}");
        }
        for s in [
            "", "2.3.0", "1e5", "yes", "Off", "null", "a b", "a:b", "-x", "a#b", "é",
        ] {
            assert!(!is_plain(s), "{s}");
        }
    }
}
