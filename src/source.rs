//! Source files and spans.
//!
//! Every value the loader reads remembers where it came from as a byte
//! [`Span`] into one [`SourceFile`]. Line and column are computed on demand
//! (1-based, columns counted in characters) so diagnostics can point at the
//! exact text a user wrote.

use std::fmt;
use std::ops::Deref;

/// Index of a file in a [`Sources`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start,
            end: end.max(start),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// One loaded file: its display path and text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user should see it (relative where the user gave it so).
    pub path: String,
    pub text: String,
    line_starts: Vec<usize>,
}

/// 1-based line and column (in characters) of a byte offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> SourceFile {
        let text = text.into();
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Line and column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = self.floor_char_boundary(offset.min(self.text.len()));
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and 0-based character column, clamped.
    pub fn offset_of(&self, line: usize, char_col: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        let line_text = rest.split('\n').next().unwrap_or("");
        line_text
            .char_indices()
            .nth(char_col)
            .map(|(i, _)| start + i)
            .unwrap_or(start + line_text.len())
    }

    fn floor_char_boundary(&self, mut offset: usize) -> usize {
        while offset > 0 && !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        offset
    }
}

/// All files of one run, addressed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub fn new() -> Sources {
        Sources::default()
    }

    pub fn add(&mut self, path: impl Into<String>, text: impl Into<String>) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(SourceFile::new(path, text));
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Where the bytes `start..end` of a scalar's value are written in `text`,
/// the source its whole written form `written` (a span of `text`) was read
/// from; `None` when that cannot be told.
///
/// A value is its written form only when it is plain on one line; a quoted
/// scalar has escapes, and a multi-line or block (`|`, `>`) scalar has lost
/// its indentation and, folded, its line breaks. The two are walked side by
/// side: a run of whitespace in the value is a run of whitespace (or of
/// escaped whitespace) in the source, every other character is itself or
/// its escape.
pub fn written_at(
    text: &str,
    written: Span,
    value: &str,
    start: usize,
    end: usize,
) -> Option<Span> {
    if start > end || !value.is_char_boundary(start) || !value.is_char_boundary(end) {
        return None;
    }
    let source = text.get(written.start..written.end)?;
    let (from, to) = align(source, value, true, start, end)
        .or_else(|| align(source, value, false, start, end))?;
    Some(Span::new(
        written.file,
        written.start + from,
        written.start + to,
    ))
}

/// Where the bytes `start..end` of `value` are written in `source`: from
/// where the character at `start` is written to the end of the last
/// character before `end` (a run of whitespace is written where it starts).
/// `styled`: read a leading quote or block header as such; without it the
/// source is taken as plain text.
fn align(
    source: &str,
    value: &str,
    styled: bool,
    start: usize,
    end: usize,
) -> Option<(usize, usize)> {
    let (quote, mut s) = match source.chars().next() {
        Some(q @ ('"' | '\'')) if styled => (Some(q), 1),
        // A block scalar's header line (`|`, `>-`, `|2 # comment`).
        Some('|' | '>') if styled => {
            let body = source.find('\n')? + 1;
            let indent = source[body..].len() - source[body..].trim_start().len();
            let kept = value.starts_with(char::is_whitespace);
            (None, if kept { body } else { body + indent })
        }
        _ => (None, 0),
    };
    let double = quote == Some('"');
    let single = quote == Some('\'');
    let (mut from, mut to) = (None, None);
    let mut place = |v: usize, at: usize, after: usize| {
        if v == start {
            from = Some(at);
        }
        if v < end {
            to = Some(after);
        }
    };
    let mut chars = value.char_indices().peekable();
    while let Some((v, c)) = chars.next() {
        if v >= end && v > start {
            break;
        }
        if c.is_whitespace() {
            // The whole run, in the value and in the source.
            while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
            let before = s;
            loop {
                let rest = &source[s..];
                match rest.chars().next() {
                    Some(w) if w.is_whitespace() => s += w.len_utf8(),
                    Some('\\')
                        if double
                            && rest[1..].starts_with([
                                'n', 't', 'r', ' ', '\n', '\t', '_', 'N', 'L', 'P',
                            ]) =>
                    {
                        s += 2;
                    }
                    _ => break,
                }
            }
            // A block's final line break lies past its trimmed span.
            if s == before && s < source.len() {
                return None;
            }
            place(v, before, s);
            continue;
        }
        // A line continuation in a double-quoted scalar stands for nothing.
        if double && source[s..].starts_with("\\\n") {
            s += 1;
            s += source[s..].len() - source[s..].trim_start().len();
        }
        let rest = &source[s..];
        let w = rest.chars().next()?;
        let len = if double && w == '\\' {
            let len = match rest[1..].chars().next()? {
                'x' => 4,
                'u' => 6,
                'U' => 10,
                e => 1 + e.len_utf8(),
            };
            (unescape(rest.get(..len)?) == Some(c)).then_some(len)?
        } else if single && w == '\'' {
            (c == '\'' && rest.starts_with("''")).then_some(2)?
        } else if Some(w) == quote || w != c {
            return None;
        } else {
            w.len_utf8()
        };
        place(v, s, s + len);
        s += len;
    }
    if start == value.len() {
        from = Some(s);
    }
    // `start` inside a run of whitespace is not written anywhere.
    let from = from?;
    Some((from, to.map_or(from, |to| to.max(from))))
}

/// The character a double-quoted escape stands for.
fn unescape(escape: &str) -> Option<char> {
    let body = escape.strip_prefix('\\')?;
    Some(match body {
        "0" => '\0',
        "a" => '\u{7}',
        "b" => '\u{8}',
        "t" | "\t" => '\t',
        "n" => '\n',
        "v" => '\u{b}',
        "f" => '\u{c}',
        "r" => '\r',
        "e" => '\u{1b}',
        " " => ' ',
        "\"" => '"',
        "/" => '/',
        "\\" => '\\',
        "N" => '\u{85}',
        "_" => '\u{a0}',
        "L" => '\u{2028}',
        "P" => '\u{2029}',
        hex => char::from_u32(u32::from_str_radix(hex.get(1..)?, 16).ok()?)?,
    })
}

/// A value with the span of the text it was read from.
///
/// Two `Spanned` values compare equal when their values are equal, whatever
/// their spans.
#[derive(Clone, Copy)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Spanned<T> {
        Spanned { value, span }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Spanned<U> {
        Spanned {
            value: f(self.value),
            span: self.span,
        }
    }

    pub fn as_ref(&self) -> Spanned<&T> {
        Spanned {
            value: &self.value,
            span: self.span,
        }
    }
}

impl<T> Deref for Spanned<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: PartialEq> PartialEq for Spanned<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Spanned<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "ab\nnaïve: 1\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // byte 9 is after "naïve" (ï is two bytes): column 6
        assert_eq!(f.line_col(9), LineCol { line: 2, column: 6 });
        assert_eq!(f.offset_of(2, 5), 9);
        assert_eq!(f.line_col(999).line, 3);
    }

    /// The text `written_at` underlines for `word` (its first occurrence in
    /// `value`), with the scalar written as all of `source`.
    fn underlined<'s>(source: &'s str, value: &str, word: &str) -> Option<&'s str> {
        let start = value.find(word)?;
        let span = Span::new(FileId(0), 0, source.len());
        let at = written_at(source, span, value, start, start + word.len())?;
        Some(&source[at.start..at.end])
    }

    #[test]
    fn written_at_finds_a_word_through_quotes_escapes_and_folding() {
        // Plain, and over two lines (folded to one space).
        assert_eq!(underlined("a > b", "a > b", "b"), Some("b"));
        assert_eq!(underlined("a >\n    b", "a > b", "b"), Some("b"));
        // Double-quoted escapes, a line continuation and a folded break.
        let dq = r#""x\t\"y\" \u00e9 \
          z
          w""#;
        assert_eq!(underlined(dq, "x\t\"y\" é z w", "y"), Some("y"));
        assert_eq!(underlined(dq, "x\t\"y\" é z w", "\"y\""), Some(r#"\"y\""#));
        assert_eq!(underlined(dq, "x\t\"y\" é z w", "é"), Some(r"\u00e9"));
        assert_eq!(underlined(dq, "x\t\"y\" é z w", "w"), Some("w"));
        // Single-quoted: a doubled quote is one.
        assert_eq!(underlined("'it''s x'", "it's x", "'s x"), Some("''s x"));
        // Literal and folded blocks, from their header or their first line.
        let literal = "|2 # kept\n    a\n      b\n";
        assert_eq!(underlined(literal, "  a\n    b\n", "b"), Some("b"));
        assert_eq!(underlined("a\n  b\n", "a\nb\n", "b"), Some("b"));
        assert_eq!(underlined(">-\n  a\n  b", "a b", "a b"), Some("a\n  b"));
        // A block's first line that starts with a quote is not quoted.
        assert_eq!(underlined("\"a\" = b\n", "\"a\" = b\n", "b"), Some("b"));
    }

    #[test]
    fn written_at_refuses_text_it_cannot_align() {
        let span = |s: &str| Span::new(FileId(0), 0, s.len());
        // Another text, an offset inside a character or past the end.
        assert_eq!(written_at("abc", span("abc"), "abd", 2, 3), None);
        assert_eq!(written_at("é", span("é"), "é", 1, 2), None);
        assert_eq!(written_at("ab", span("ab"), "ab", 1, 3), None);
        // A span outside the text, or not on a character boundary.
        assert_eq!(
            written_at("ab", Span::new(FileId(0), 1, 9), "b", 0, 1),
            None
        );
        assert_eq!(written_at("é", Span::new(FileId(0), 1, 2), "", 0, 0), None);
        // Truncated escapes.
        assert_eq!(written_at(r#""\u00"#, span(r#""\u00"#), "x", 0, 1), None);
        assert_eq!(written_at(r#""\xé""#, span(r#""\xé""#), "x", 0, 1), None);
    }
}
