//! Diagnostics as data, and one renderer per output format.
//!
//! A [`Diagnostic`] is a code, a severity, a message, labelled spans and an
//! optional help line. The human, JSON and GitHub renderers all read the same
//! values; the human one draws the source snippet with miette.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::source::{Sources, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal: $doc:literal,)*) => {
        /// Stable diagnostic codes. Each one is documented in docs/contract-format.md.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }
        }
    };
}

codes! {
    Io => "io": "a file or directory could not be read",
    NoContracts => "no-contracts": "no contract files were found under the given paths",
    YamlSyntax => "yaml-syntax": "the file is not well-formed YAML",
    DuplicateKey => "duplicate-key": "a key appears twice in one mapping",
    UnknownKey => "unknown-key": "a key that the contract language does not define",
    WrongType => "wrong-type": "a value of the wrong YAML type (e.g. a list where a string is expected)",
    MissingKey => "missing-key": "a required key is absent",
    UnsupportedVersion => "unsupported-version": "an ODCS or DCS file of a version datapact does not read",
    NotImported => "not-imported": "a part of a source `datapact import` read that no contract part says",
    NotCompiled => "not-compiled": "a construct of an ODCS or DCS file that datapact does not compile",
    Template => "template": "a documentation template could not be read, parsed or rendered",
    UnusedTemplate => "unused-template": "a file of the docs templates directory that no template uses",
    InvalidValue => "invalid-value": "a value outside the allowed set (e.g. a severity or role)",
    EmptyFile => "empty-file": "a contract file with no content",
    MultipleDocuments => "multiple-documents": "more than one YAML document in a contract file",
    InvalidContractId => "invalid-contract-id": "a contract id that is not dotted lowercase identifiers",
    DuplicateContract => "duplicate-contract": "two files declare the same contract id",
    InvalidVersion => "invalid-version": "a version that is not semantic versioning (MAJOR.MINOR.PATCH)",
    InvalidDuration => "invalid-duration": "a duration that is not a positive integer with unit m, h, d or w",
    InvalidObjective => "invalid-objective": "an SLO objective that is not a percent above 0% and below 100%",
    InvalidType => "invalid-type": "an unknown logical type or bad decimal precision/scale",
    UnknownDialect => "unknown-dialect": "a physical_type override or a project dialect datapact does not know",
    DuplicateColumn => "duplicate-column": "two columns with the same name",
    RenameConflict => "rename-conflict": "a `renamed_from` naming itself, a name still in use, or a name another contract or column is renamed from",
    FreshnessOrder => "freshness-order": "warn_after is later than error_after",
    RangeOrder => "range-order": "a minimum greater than its maximum",
    InvalidRegex => "invalid-regex": "a pattern that does not compile",
    RuleTypeMismatch => "rule-type-mismatch": "a rule that does not apply to the column's type",
    NestedType => "nested-type": "a struct, array or map without its parts, a part on another type, or nesting deeper than 8 levels",
    NestedRule => "nested-rule": "a rule that cannot apply where it is written inside a nested column (e.g. `unique` inside an array's items)",
    InvalidLiteral => "invalid-literal": "a literal that does not fit the column's type",
    UnknownColumn => "unknown-column": "a rule names a column the contract does not declare",
    FreshnessColumnType => "freshness-column-type": "the freshness column is not a date or timestamp",
    AggregateInExpression => "aggregate-in-expression": "an aggregate or window function in an expression or `where`, which are evaluated on each row",
    NotACondition => "not-a-condition": "an expression or `where` that is a value (a non-boolean column, a literal, arithmetic), not a condition",
    WindowColumnType => "window-column-type": "the dataset window's column is not a date or timestamp",
    NoWindow => "no-window": "a rule says `window: true` but its dataset has no window",
    UnknownContract => "unknown-contract": "a reference to a contract that is not loaded",
    InvalidReference => "invalid-reference": "a reference not of the form `<contract>.<column>`",
    InvalidCheckName => "invalid-check-name": "a check name that is not a lowercase identifier of at most 63 characters",
    DuplicateCheckName => "duplicate-check-name": "two checks of one contract with the same name",
    DbtNodeTwice => "dbt-node-twice": "two contracts bound to one dbt node, or a node the dbt project's own property files already describe",
    ConflictingKeys => "conflicting-keys": "keys that exclude each other, or none of a required alternative",
    InvalidTolerance => "invalid-tolerance": "a tolerance that is not a non-negative count or a percent in 0..100",
    ToleranceNotAllowed => "tolerance-not-allowed": "a tolerance on a rule that is pass/fail by nature",
    WhereNotAllowed => "where-not-allowed": "a `where` filter on a rule that brings its own query",
    UnknownPlaceholder => "unknown-placeholder": "a `{{ … }}` placeholder other than `{{ table }}` in a sql check",
    InvalidEmail => "invalid-email": "an owner email that is not an address",
    ControlCharacter => "control-character": "a value holding a control character (other than tab and line breaks) or a bidirectional text control",
    InvalidName => "invalid-name": "a column, table, schema or dbt name that cannot be written safely (a line break, tab or invisible direction mark; in a dbt name also a quote, backslash or brace)",
    MultipleStatements => "multiple-statements": "a `;` in user SQL outside a plain string literal: an expression, filter or sql check is one statement",
    RegexLimit => "regex-limit": "a pattern that some dialects' regex engines refuse (a repetition count over their limit)",
    Connection => "connection": "`run` could not load the engine's driver, connect, or finish (interrupted)",
    PathCollision => "path-collision": "two contracts whose generated files would have the same path, or paths that differ only in case",
    UnparsedSql => "unparsed-sql": "warning: a SQL fragment that datapact could not parse, so its columns were not checked",
    UnknownDbtNode => "unknown-dbt-node": "warning: a contract bound to a dbt node that the dbt project's manifest does not have",
    NoDbtNode => "no-dbt-node": "warning: compiling for dbt, a contract bound to no dbt node (and not `dbt: false`), for which the dbt target writes nothing",
    NoOwner => "no-owner": "warning: a contract without owners",
    SqlWithoutTable => "sql-without-table": "warning: a sql check that does not read `{{ table }}`",
    ReferenceTypeMismatch => "reference-type-mismatch": "warning: a reference between columns of different type families",
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where the problem is; `None` only for problems without a file.
    pub primary: Option<Label>,
    pub secondary: Vec<Label>,
    pub help: Option<String>,
    /// For diagnostics about a path that could not be read.
    pub path: Option<String>,
}

impl Diagnostic {
    pub fn error(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    pub fn warning(code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: None,
            secondary: Vec::new(),
            help: None,
            path: None,
        }
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.primary = Some(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sort diagnostics by file, position and code, so output is stable.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.primary
                    .as_ref()
                    .map(|l| (l.span.file, l.span.start, l.span.end)),
                d.path.clone(),
                d.code,
                d.message.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
}

/// Where a diagnostic points, resolved to a path and 1-based positions.
#[derive(Debug, Clone, Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub fn locate(sources: &Sources, span: Span) -> Location {
    let file = sources.get(span.file);
    let start = file.line_col(span.start);
    let end = file.line_col(span.end);
    Location {
        file: file.path.clone(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

impl Diagnostic {
    pub fn location(&self, sources: &Sources) -> Option<Location> {
        self.primary.as_ref().map(|l| locate(sources, l.span))
    }

    /// `path:line:col` (or just the path), for headers and summaries.
    pub fn position(&self, sources: &Sources) -> String {
        match (self.location(sources), &self.path) {
            (Some(l), _) => format!("{}:{}:{}", l.file, l.line, l.column),
            (None, Some(p)) => p.clone(),
            (None, None) => "datapact".to_string(),
        }
    }
}

/// How many warnings of one code human and GitHub output print in full;
/// past that, the first is printed and the rest summed up in one line.
pub const WARNINGS_IN_FULL: usize = 3;

/// How many places a summed-up line names.
const PLACES_NAMED: usize = 3;

/// What human and GitHub output print of a run's diagnostics (JSON and
/// SARIF list every one).
#[derive(Debug, Default, Clone, Copy)]
pub struct Limits {
    /// Errors only (`--quiet`).
    pub quiet: bool,
    /// At most this many diagnostics in full (`--max-diagnostics`).
    pub max: Option<usize>,
}

/// Codes whose every warning is its own news (each names something
/// different that the user needs to read), never summed up.
const NEVER_SUMMED: &[Code] = &[Code::NotImported];

/// The diagnostics to print in full, and what is summed up or left out.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// In the order found.
    pub full: Vec<&'a Diagnostic>,
    /// Per code with more than [`WARNINGS_IN_FULL`] warnings whose first
    /// is printed, those after the first, in the order the codes first
    /// appear.
    pub summed: Vec<Vec<&'a Diagnostic>>,
    /// Errors and warnings left out by [`Limits::max`].
    pub cut: (usize, usize),
}

/// Choose what to print of `diagnostics`: warnings dropped when quiet,
/// a flood of one warning code cut to its first and one summed-up line,
/// then at most `max` printed (a summed-up line counts as one), errors
/// before warnings; what does not fit is counted in [`Selection::cut`].
pub fn select(diagnostics: &[Diagnostic], limits: Limits) -> Selection<'_> {
    let summed_up = |d: &Diagnostic| !d.is_error() && !NEVER_SUMMED.contains(&d.code);
    let mut per_code: BTreeMap<Code, usize> = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| summed_up(d)) {
        *per_code.entry(d.code).or_default() += 1;
    }
    // Each diagnostic printed in full, with the group it heads, if any.
    let mut heads: Vec<(&Diagnostic, Option<usize>)> = Vec::new();
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
    let mut group_of: BTreeMap<Code, usize> = BTreeMap::new();
    for d in diagnostics {
        if limits.quiet && !d.is_error() {
            continue;
        }
        if !summed_up(d) || per_code[&d.code] <= WARNINGS_IN_FULL {
            heads.push((d, None));
            continue;
        }
        match group_of.get(&d.code) {
            Some(&i) => groups[i].push(d),
            None => {
                group_of.insert(d.code, groups.len());
                heads.push((d, Some(groups.len())));
                groups.push(Vec::new());
            }
        }
    }
    // Errors take the first places, then warnings, each in order found.
    let mut slots = limits.max.unwrap_or(usize::MAX);
    let mut kept = vec![false; heads.len()];
    for errors in [true, false] {
        for (i, (d, _)) in heads.iter().enumerate() {
            if d.is_error() == errors && slots > 0 {
                kept[i] = true;
                slots -= 1;
            }
        }
    }
    let mut selection = Selection::default();
    for ((d, group), kept) in heads.into_iter().zip(kept) {
        let rest = group
            .map(|g| std::mem::take(&mut groups[g]))
            .unwrap_or_default();
        let cut = match (kept, d.is_error()) {
            (false, true) => &mut selection.cut.0,
            _ => &mut selection.cut.1,
        };
        if !kept {
            *cut += 1 + rest.len();
            continue;
        }
        selection.full.push(d);
        if rest.is_empty() {
            continue;
        }
        // The summed-up line takes a place of its own.
        if slots > 0 {
            slots -= 1;
            selection.summed.push(rest);
        } else {
            selection.cut.1 += rest.len();
        }
    }
    selection
}

impl Selection<'_> {
    /// How many diagnostics are printed: those in full and one line per
    /// summed-up code.
    pub fn printed(&self) -> usize {
        self.full.len() + self.summed.len()
    }

    /// One warning per summed-up code, without a place of its own: how
    /// many more, in how many files, and the first few places.
    pub fn summaries(&self, sources: &Sources) -> Vec<Diagnostic> {
        self.summed
            .iter()
            .map(|group| {
                let places: Vec<String> = group.iter().map(|d| d.position(sources)).collect();
                let files = group
                    .iter()
                    .map(|d| match &d.primary {
                        Some(l) => sources.get(l.span.file).path.as_str(),
                        None => d.path.as_deref().unwrap_or(""),
                    })
                    .collect::<std::collections::BTreeSet<_>>()
                    .len();
                let mut named = places[..places.len().min(PLACES_NAMED)].join(", ");
                if places.len() > PLACES_NAMED {
                    named.push_str(", …");
                }
                let (more, in_files) = (group.len(), files);
                let noun = if more == 1 { "warning" } else { "warnings" };
                let files = if in_files == 1 { "file" } else { "files" };
                Diagnostic::warning(
                    group[0].code,
                    format!("{more} more {noun} with this code, in {in_files} {files}: {named}"),
                )
                .with_help("`--format json` lists every diagnostic; `--quiet` shows errors only")
            })
            .collect()
    }
}

/// Options of the human renderer.
#[derive(Debug, Clone, Copy)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

/// Render for people: a one-line header `path:line:col severity[code]: message`
/// (the shape compilers use, so editors and terminals can jump to it), then the
/// source snippet with the span underlined and the help line, drawn by miette.
pub fn render_human(d: &Diagnostic, sources: &Sources, options: HumanOptions) -> String {
    let mut out = String::new();
    let (sev_style, bold, reset) = if options.color {
        let sev = match d.severity {
            Severity::Error => "\x1b[1;31m",
            Severity::Warning => "\x1b[1;33m",
        };
        (sev, "\x1b[1m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    // Everything from the input is escaped: a contract's text must not
    // drive the terminal (clear it, retitle it, write the clipboard).
    let esc = |text: &str| crate::text::escape_line(text).into_owned();
    let _ = writeln!(
        out,
        "{bold}{}{reset} {sev_style}{}[{}]{reset}{bold}: {}{reset}",
        esc(&d.position(sources)),
        d.severity.as_str(),
        d.code,
        esc(&d.message)
    );
    if let Some(primary) = &d.primary {
        let file = sources.get(primary.span.file);
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
            Some(esc(&primary.message)),
            (primary.span.start, primary.span.len()),
        )];
        for label in &d.secondary {
            if label.span.file == primary.span.file {
                labels.push(miette::LabeledSpan::new_with_span(
                    Some(esc(&label.message)),
                    (label.span.start, label.span.len()),
                ));
            }
        }
        // The same offsets, with control characters shown as visible ones.
        let text = crate::text::displayable_source(&file.text).into_owned();
        let snippet = Snippet {
            source: miette::NamedSource::new(esc(&file.path), text),
            labels,
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
        };
        let mut theme = if options.color {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        // The header above already says what and where; miette draws only the snippet.
        theme.characters.error = String::new();
        theme.characters.warning = String::new();
        let handler = miette::GraphicalReportHandler::new_themed(theme)
            .with_width(options.width)
            .with_context_lines(1);
        let mut snippet_text = String::new();
        if handler.render_report(&mut snippet_text, &snippet).is_ok() {
            // Drop miette's (empty) message line; keep the drawing.
            for line in snippet_text.lines().skip_while(|l| l.trim().is_empty()) {
                let _ = writeln!(out, "{}", line.trim_end());
            }
        }
    }
    // Secondary labels in other files are listed by position.
    for label in &d.secondary {
        if d.primary
            .as_ref()
            .is_none_or(|p| p.span.file != label.span.file)
        {
            let l = locate(sources, label.span);
            let _ = writeln!(
                out,
                "   = note: {}:{}:{}: {}",
                esc(&l.file),
                l.line,
                l.column,
                esc(&label.message)
            );
        }
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "   {bold}help{reset}: {}", esc(help));
    }
    out
}

struct Snippet {
    source: miette::NamedSource<String>,
    labels: Vec<miette::LabeledSpan>,
    severity: miette::Severity,
}

impl std::fmt::Debug for Snippet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Snippet")
    }
}

impl std::fmt::Display for Snippet {
    fn fmt(&self, _: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Snippet {}

impl miette::Diagnostic for Snippet {
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

#[derive(Serialize)]
struct JsonLabel {
    message: String,
    #[serde(flatten)]
    location: Location,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'a str,
    message: &'a str,
    #[serde(flatten)]
    location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    labels: Vec<JsonLabel>,
    help: Option<&'a str>,
}

/// Summary counts printed after the diagnostics.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub contracts: usize,
    pub errors: usize,
    pub warnings: usize,
}

/// Render every diagnostic as one JSON document: `{"diagnostics": [...], "summary": {...}}`.
pub fn render_json(diagnostics: &[Diagnostic], sources: &Sources, summary: Summary) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|d| JsonDiagnostic {
            severity: d.severity,
            code: d.code.as_str(),
            message: &d.message,
            location: d.location(sources),
            path: if d.primary.is_none() {
                d.path.as_deref()
            } else {
                None
            },
            labels: d
                .primary
                .iter()
                .chain(&d.secondary)
                .map(|l| JsonLabel {
                    message: l.message.clone(),
                    location: locate(sources, l.span),
                })
                .collect(),
            help: d.help.as_deref(),
        })
        .collect();
    let doc = serde_json::json!({ "diagnostics": items, "summary": summary });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// Render as GitHub Actions workflow commands (`::error file=…,line=…::msg`).
pub fn render_github(d: &Diagnostic, sources: &Sources) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    if let Some(l) = d.location(sources) {
        props.push(format!("file={}", escape_property(&l.file)));
        props.push(format!("line={}", l.line));
        props.push(format!("col={}", l.column));
        props.push(format!("endLine={}", l.end_line));
        props.push(format!("endColumn={}", l.end_column));
    } else if let Some(p) = &d.path {
        props.push(format!("file={}", escape_property(p)));
    }
    props.push(format!(
        "title={}",
        escape_property(&format!("datapact {}", d.code))
    ));
    let mut message = crate::text::escape_line(&d.message).into_owned();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(&crate::text::escape_line(help));
    }
    format!(
        "::{command} {}::{}\n",
        props.join(","),
        escape_data(&message)
    )
}

pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

pub(crate) fn escape_property(s: &str) -> String {
    escape_data(&crate::text::escape_line(s))
        .replace(':', "%3A")
        .replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Diagnostics in the given order, each at its own place in `a.yaml`
    /// and `b.yaml` alternately.
    fn found(kinds: &[(Severity, Code)]) -> (Sources, Vec<Diagnostic>) {
        let mut sources = Sources::new();
        let files = [
            sources.add("a.yaml", "x\n".repeat(kinds.len())),
            sources.add("b.yaml", "x\n".repeat(kinds.len())),
        ];
        let diagnostics = kinds
            .iter()
            .enumerate()
            .map(|(i, &(severity, code))| {
                let span = Span::new(files[i % 2], 2 * i, 2 * i + 1);
                Diagnostic::new(severity, code, format!("number {i}")).with_label(span, "here")
            })
            .collect();
        (sources, diagnostics)
    }

    fn messages(selection: &Selection) -> Vec<String> {
        selection.full.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_flood_of_one_warning_is_its_first_and_a_count() {
        use Severity::{Error, Warning};
        let mut kinds = vec![(Warning, Code::NoOwner); 6];
        kinds.insert(2, (Error, Code::UnknownKey));
        kinds.push((Warning, Code::UnparsedSql));
        kinds.push((Warning, Code::UnparsedSql));
        kinds.push((Warning, Code::UnparsedSql));
        let (sources, diagnostics) = found(&kinds);
        let selection = select(&diagnostics, Limits::default());
        // The error, the first no-owner, and the three unparsed-sql (not
        // more than WARNINGS_IN_FULL), in the order found.
        assert_eq!(
            messages(&selection),
            ["number 0", "number 2", "number 7", "number 8", "number 9"]
        );
        let summaries = selection.summaries(&sources);
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].code, Code::NoOwner);
        assert_eq!(
            summaries[0].message,
            "5 more warnings with this code, in 2 files: b.yaml:2:1, b.yaml:4:1, a.yaml:5:1, …"
        );
        assert!(summaries[0].primary.is_none());
        assert_eq!(selection.cut, (0, 0));

        // Quiet: errors only, nothing summed up.
        let quiet = select(
            &diagnostics,
            Limits {
                quiet: true,
                max: None,
            },
        );
        assert_eq!(messages(&quiet), ["number 2"]);
        assert!(quiet.summaries(&sources).is_empty());

        // At most two printed, errors first; the others are counted, the
        // summed-up warnings too.
        let at_most = |max| {
            select(
                &diagnostics,
                Limits {
                    quiet: false,
                    max: Some(max),
                },
            )
        };
        let two = at_most(2);
        assert_eq!(messages(&two), ["number 0", "number 2"]);
        assert_eq!((two.printed(), two.cut), (2, (0, 8)));
        assert_eq!(
            at_most(6).printed(),
            6,
            "five in full and the summed-up line"
        );
        let one = at_most(1);
        assert_eq!(
            (messages(&one), one.cut),
            (vec!["number 2".to_string()], (0, 9))
        );
        let none = at_most(0);
        assert_eq!((none.printed(), none.cut), (0, (1, 9)));

        // A code whose every warning says something of its own is never
        // summed up.
        let notes = found(&[(Warning, Code::NotImported); 5]).1;
        assert_eq!(select(&notes, Limits::default()).full.len(), 5);
    }

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(
                code.as_str()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
    }

    #[test]
    fn github_escapes() {
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(escape_data("x\ny"), "x%0Ay");
    }
}
