//! Characters that are never safe to copy: what datapact refuses in contract
//! text and names, and how it shows text on a terminal or in a one-line
//! comment.
//!
//! Control characters (C0 other than tab, line feed and carriage return,
//! DEL, C1) and the bidirectional formatting characters that reorder how text
//! is displayed ("Trojan Source") are refused in every value of every input
//! file (`syntax::yaml`). Names that reach SQL or file paths (columns,
//! tables, schemas, dbt nodes) also refuse every line break and tab
//! ([`name_problem`]). The writers never emit any of them whatever they are
//! given: identifiers and string literals replace them (`dialect`), and
//! `output::compile` refuses a generated file that holds one.

use std::borrow::Cow;

/// The replacement written for a character that must not be copied.
pub const REPLACEMENT: char = '\u{FFFD}';

/// A bidirectional embedding, override or isolate (LRE, RLE, PDF, LRO, RLO,
/// LRI, RLI, FSI, PDI): it changes the order in which text is displayed, so
/// what a reviewer reads is not what runs.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character no input value may hold: a control character other than tab,
/// line feed and carriage return, or a bidirectional control.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || is_bidi_control(c)
}

/// The first character of `text` that no value may hold, with its byte offset.
pub fn forbidden(text: &str) -> Option<(usize, char)> {
    text.char_indices().find(|&(_, c)| is_forbidden(c))
}

/// A character a name (a column, table, schema or dbt node) may not hold
/// besides the forbidden ones: line breaks, tabs, and the invisible
/// direction marks (LRM, RLM, ALM).
fn is_forbidden_in_name(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
        )
}

/// Why `name` cannot be a name: its first character no name may hold, with
/// its byte offset.
pub fn name_problem(name: &str) -> Option<(usize, char)> {
    name.char_indices().find(|&(_, c)| is_forbidden_in_name(c))
}

/// `name` with every character no name may hold replaced by
/// [`REPLACEMENT`]; for writers, which must not copy them whatever they are
/// given.
pub fn clean_name(name: &str) -> Cow<'_, str> {
    if name_problem(name).is_none() {
        return Cow::Borrowed(name);
    }
    Cow::Owned(
        name.chars()
            .map(|c| {
                if is_forbidden_in_name(c) {
                    REPLACEMENT
                } else {
                    c
                }
            })
            .collect(),
    )
}

/// `text` with every forbidden character replaced by [`REPLACEMENT`].
pub fn clean(text: &str) -> Cow<'_, str> {
    if forbidden(text).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if is_forbidden(c) { REPLACEMENT } else { c })
            .collect(),
    )
}

/// How a character is named in messages: `U+001B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// `text` safe to print on a terminal, on one line: every control
/// character (line breaks and tabs too) and bidirectional control written as
/// an escape (`\n`, `\t`, `\u{1b}`), so text from a contract cannot move the
/// cursor, clear the screen, set the window title or hide what follows.
pub fn escape_line(text: &str) -> Cow<'_, str> {
    let unsafe_char = |c: char| is_forbidden_in_name(c);
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Text of several lines safe to print on a terminal: as [`escape_line`],
/// but line feeds and tabs stay.
pub fn escape_lines(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| !matches!(c, '\n' | '\t') && is_forbidden_in_name(c))
    {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<'_, str>> = text
        .split('\n')
        .map(|line| {
            let parts: Vec<Cow<'_, str>> = line.split('\t').map(escape_line).collect();
            Cow::Owned(parts.join("\t"))
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// A source text as a terminal may show it, with the same byte offsets:
/// each forbidden character becomes a visible character of the same UTF-8
/// length (`?` for one byte, `¿` for two, [`REPLACEMENT`] for three), so
/// spans still point at the right place.
pub fn displayable_source(text: &str) -> Cow<'_, str> {
    if forbidden(text).is_none() {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if !is_forbidden(c) {
                    return c;
                }
                match c.len_utf8() {
                    1 => '?',
                    2 => '¿',
                    _ => REPLACEMENT,
                }
            })
            .collect(),
    )
}

/// An e-mail address as contracts accept it: exactly one `@` with text on
/// both sides, no whitespace.
pub fn is_email(text: &str) -> bool {
    text.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.is_empty()
            && !domain.contains('@')
            && !text.chars().any(char::is_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters() {
        for c in [
            '\0', '\u{1b}', '\u{7f}', '\u{85}', '\u{9b}', '\u{202E}', '\u{2066}',
        ] {
            assert!(is_forbidden(c), "{c:?}");
        }
        for c in ['\t', '\n', '\r', 'a', 'é', '\u{200F}', '\u{2028}', '😀'] {
            assert!(!is_forbidden(c), "{c:?}");
        }
        assert_eq!(name_problem("a\tb"), Some((1, '\t')));
        assert_eq!(name_problem("a\u{200F}"), Some((1, '\u{200F}')));
        assert_eq!(name_problem("Order ID é"), None);
    }

    #[test]
    fn escapes_keep_text_on_one_line() {
        assert_eq!(escape_line("a\u{1b}[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
        assert_eq!(escape_line("plain"), "plain");
        assert_eq!(escape_line("\u{202E}x"), "\\u{202e}x");
        assert_eq!(
            escape_lines("a\u{1b}]0;t\u{7}\n\tb\r"),
            "a\\u{1b}]0;t\\u{7}\n\tb\\r"
        );
    }

    #[test]
    fn displayable_source_keeps_offsets() {
        let text = "a\u{1b}b\u{85}c\u{202E}d\ne";
        let shown = displayable_source(text);
        assert_eq!(shown.len(), text.len());
        assert_eq!(shown, "a?b¿c\u{FFFD}d\ne");
    }

    #[test]
    fn cleaning_replaces_what_must_not_be_copied() {
        assert_eq!(clean_name("a\0b\n"), "a\u{FFFD}b\u{FFFD}");
        assert_eq!(clean("a\0b\n"), "a\u{FFFD}b\n");
        assert!(matches!(clean_name("ok"), Cow::Borrowed(_)));
    }
}
