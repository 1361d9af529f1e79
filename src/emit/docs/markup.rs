//! Escaping and the filters of the docs templates: everything a contract
//! says renders as text, in HTML and in Markdown.

use minijinja::value::Kwargs;
use minijinja::{AutoEscape, Error, ErrorKind, Output, State, Value};
use serde::Serialize;

/// The formatter of `{{ value }}`: Markdown templates escape as Markdown
/// ([`md_text`]) and refuse to print none; others as minijinja does.
pub fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), Error> {
    if state.auto_escape() != AutoEscape::Custom("markdown") {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = if value.is_safe() {
        value.to_string()
    } else if value.is_none() {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "this value is none; test it with `{% if %}` before printing it",
        ));
    } else {
        md_text(&value.to_string())
    };
    out.write_str(&text).map_err(Error::from)
}

/// The output format of the template being rendered.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Html,
    Markdown,
    Text,
}

fn format_of(state: &State) -> Format {
    match state.auto_escape() {
        AutoEscape::Html => Format::Html,
        AutoEscape::Custom("markdown") => Format::Markdown,
        _ => Format::Text,
    }
}

/// Markdown for plain text: every character that could start markup is
/// backslash-escaped, and line breaks become spaces (text lands in table
/// cells and list items), so the text renders as itself.
pub fn md_text(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let text = words.join(" ");
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let escape = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '$' => true,
            // `_` inside a word never starts emphasis.
            '_' => {
                let alnum = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(|c| c.is_alphanumeric())
                };
                !(alnum(i.checked_sub(1)) && alnum(Some(i + 1)))
            }
            _ => false,
        };
        if escape {
            out.push('\\');
        }
        out.push(c);
    }
    // What means something only at the start of a line: headings, list
    // items, thematic breaks, setext underlines, ordered-list numbers.
    let marker_end = |len: usize| matches!(out.as_bytes().get(len), None | Some(b' '));
    let hashes = out.bytes().take_while(|&b| b == b'#').count();
    let digits = out.bytes().take_while(u8::is_ascii_digit).count();
    if (hashes > 0 && marker_end(hashes))
        || (out.starts_with(['-', '+']) && marker_end(1))
        || (!out.is_empty() && out.bytes().all(|b| b == b'=' || b == b'-' || b == b' '))
    {
        out.insert(0, '\\');
    } else if digits > 0
        && matches!(out.as_bytes().get(digits), Some(b'.' | b')'))
        && marker_end(digits + 1)
    {
        out.insert(digits, '\\');
    }
    // A heading's closing sequence: a run of `#` at the end after a space.
    let closing = out.bytes().rev().take_while(|&b| b == b'#').count();
    if closing > 0 && closing < out.len() && out.as_bytes()[out.len() - closing - 1] == b' ' {
        out.insert(out.len() - closing, '\\');
    }
    out
}

/// A Markdown code span of `text`, fenced with more backticks than it holds.
/// In a table cell, `|` must be escaped even inside code.
pub fn md_code(text: &str, cell: bool) -> String {
    // Line ends would end a table row; other spaces are kept, as code spans do.
    let text = text.replace("\r\n", " ").replace(['\r', '\n'], " ");
    let text = if cell { text.replace('|', "\\|") } else { text };
    let longest = longest_run(&text, '`');
    let fence = "`".repeat(longest + 1);
    if text.is_empty() {
        return format!("{fence} {fence}");
    }
    // A reader strips one space from each end when both ends have one, and
    // a backtick at an end would join the fence.
    let all_spaces = text.bytes().all(|b| b == b' ');
    let pad = if text.starts_with('`')
        || text.ends_with('`')
        || (!all_spaces && text.starts_with(' ') && text.ends_with(' '))
    {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

fn html(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

/// One piece of a phrase in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Part {
    Text {
        text: String,
    },
    Code {
        text: String,
    },
    /// A link to another contract's page (and column, in HTML).
    Link {
        text: String,
        contract: String,
        anchor: Option<String>,
    },
}

fn cell_flag(kwargs: &Kwargs) -> Result<bool, Error> {
    let cell: Option<bool> = kwargs.get("cell")?;
    kwargs.assert_all_used()?;
    Ok(cell.unwrap_or(false))
}

/// `phrase|inline(cell=false)`: a list of [`Part`]s as markup of the
/// template's format.
pub fn inline(state: &State, phrase: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let cell = cell_flag(&kwargs)?;
    let parts: Vec<Part> = serde::Deserialize::deserialize(phrase).map_err(|err| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("`inline` takes a phrase (a list of parts): {err}"),
        )
    })?;
    let format = format_of(state);
    let out: String = parts.iter().map(|p| part(p, format, cell)).collect();
    Ok(Value::from_safe_string(out))
}

/// A phrase as Markdown (`cell`: inside a table cell), for output outside
/// the templates (`datapact diff --format markdown`).
pub fn md_phrase(parts: &[Part], cell: bool) -> String {
    parts
        .iter()
        .map(|p| part(p, Format::Markdown, cell))
        .collect()
}

/// A phrase as plain text, code in backticks.
pub fn plain_phrase(parts: &[Part]) -> String {
    parts.iter().map(|p| part(p, Format::Text, false)).collect()
}

/// One part of a phrase as markup of `format`.
fn part(part: &Part, format: Format, cell: bool) -> String {
    match (part, format) {
        (Part::Text { text }, Format::Html) => html(text),
        (Part::Text { text }, Format::Markdown) => {
            // Words inside a phrase: no line-start escapes needed.
            let escaped = md_text(&format!("x{text}"));
            let trail = if text.ends_with(' ') { " " } else { "" };
            format!("{}{trail}", &escaped[1..])
        }
        (Part::Text { text }, Format::Text) => text.clone(),
        (Part::Code { text }, Format::Html) => format!("<code>{}</code>", html(text)),
        (Part::Code { text }, Format::Markdown) => md_code(text, cell),
        (Part::Code { text }, Format::Text) => format!("`{text}`"),
        (
            Part::Link {
                text,
                contract,
                anchor,
            },
            Format::Html,
        ) => {
            let anchor = anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default();
            format!(
                "<a href=\"{}.html{}\">{}</a>",
                html(contract),
                html(&anchor),
                html(text)
            )
        }
        (Part::Link { text, contract, .. }, Format::Markdown) => {
            format!("[{}]({contract}.md)", md_text(text))
        }
        (Part::Link { text, .. }, Format::Text) => text.clone(),
    }
}

/// `text|code(cell=false)`: inline code.
pub fn code(state: &State, text: String, kwargs: Kwargs) -> Result<Value, Error> {
    let cell = cell_flag(&kwargs)?;
    Ok(Value::from_safe_string(match format_of(state) {
        Format::Html => format!("<code>{}</code>", html(&text)),
        Format::Markdown => md_code(&text, cell),
        Format::Text => format!("`{text}`"),
    }))
}

/// `text|codeblock(lang)`: a block of code, kept exactly.
pub fn codeblock(state: &State, text: String, lang: Option<String>) -> Result<Value, Error> {
    let lang = lang.unwrap_or_default();
    Ok(Value::from_safe_string(match format_of(state) {
        Format::Html => format!(
            "<pre><code class=\"language-{}\">{}</code></pre>",
            html(&lang),
            html(text.trim_end())
        ),
        Format::Markdown | Format::Text => {
            let fence = "`".repeat(longest_run(&text, '`').max(2) + 1);
            let lang: String = lang.chars().filter(char::is_ascii_alphanumeric).collect();
            format!("{fence}{lang}\n{}\n{fence}", text.trim_end())
        }
    }))
}

/// `text|paragraphs`: the text split at blank lines, each paragraph trimmed.
pub fn paragraphs(text: String) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_text_renders_as_itself() {
        assert_eq!(md_text("a <b> | c_d"), r"a \<b\> \| c_d");
        assert_eq!(md_text("# not a heading"), r"\# not a heading");
        assert_eq!(md_text("1. not a list"), r"1\. not a list");
        assert_eq!(md_text("2.3.0"), "2.3.0");
        assert_eq!(md_text("- x"), r"\- x");
        assert_eq!(md_text("---"), r"\---");
        assert_eq!(md_text("#tag"), "#tag");
        assert_eq!(md_text("updated_at _x_"), r"updated_at \_x\_");
        assert_eq!(md_text("Tickets ##"), r"Tickets \##");
        assert_eq!(md_text("#"), r"\#");
        assert_eq!(md_code("a  b", false), "`a  b`");
        assert_eq!(md_code(" a ", false), "`  a  `");
        assert_eq!(md_text("two\n\nlines"), "two lines");
        assert_eq!(md_code("a`b", false), "``a`b``");
        assert_eq!(md_code("`x`", false), "`` `x` ``");
        assert_eq!(md_code("a | b", true), r"`a \| b`");
    }
}
