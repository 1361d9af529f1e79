//! The docs target (`compile --target docs`):
//!
//! - snapshots of the example contracts' Markdown and HTML pages;
//! - hostile text (tests/catalog/contracts/accounts.yaml) renders as text:
//!   the Markdown is parsed by a CommonMark + GFM-tables parser and must
//!   hold no HTML, links other than to pages, or stray emphasis; the HTML
//!   holds no tag from a contract;
//! - `--templates` overrides, and the located diagnostics of a broken one;
//! - the HTML catalog in a real headless Chromium (tests/catalog/browser.py,
//!   Playwright driving Debian's chromium): no console errors, no dialogs,
//!   no network, the search box filters exactly, and screenshots under
//!   target/docs-screenshots/. Without the venv of scripts/install the
//!   browser test skips, unless DATAPACT_REQUIRE_ENGINES=1.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::prelude::*;
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

fn datapact(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh folder, removed when the returned guard is dropped (also when
/// the test fails).
fn temp_dir(name: &str) -> common::TempDir {
    common::tempdir(&format!("catalog-{name}"))
}

/// A compiled docs folder, and the output folder holding it (removed on drop).
struct Compiled {
    _out: common::TempDir,
    docs: PathBuf,
}

impl AsRef<Path> for Compiled {
    fn as_ref(&self) -> &Path {
        &self.docs
    }
}

impl std::ops::Deref for Compiled {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.docs
    }
}

/// Compile `contracts` (relative to the repo root) to docs in a fresh
/// directory; returns the docs directory.
fn compile_docs(name: &str, contracts: &str, extra: &[&str]) -> Compiled {
    let out = temp_dir(name);
    let out_arg = out.to_string_lossy().into_owned();
    let mut args = vec!["compile", contracts, "--target", "docs", "--out", &out_arg];
    args.extend(extra);
    let o = datapact(&args, &common::root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The same run again is up to date, byte for byte.
    args.push("--check");
    let o = datapact(&args, &common::root());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    Compiled {
        docs: out.join("docs"),
        _out: out,
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

// ---------------------------------------------------------------------------
// Snapshots

/// The page with its inline style and script left out: those are
/// templates/docs/catalog.css and catalog.js, reviewed as files.
fn without_assets(html: &str) -> String {
    let mut out = html.to_string();
    for (open, close) in [("<style>", "</style>"), ("<script>", "</script>")] {
        if let (Some(a), Some(b)) = (out.find(open), out.find(close)) {
            out.replace_range(a + open.len()..b, "…");
        }
    }
    out
}

#[test]
fn example_contracts_pages() {
    let sources = common::load(&common::root().join("contracts"));
    let ir = datapact::check(&sources).ir.expect("valid examples");
    let files = datapact::emit::docs::emit(&ir, &datapact::emit::docs::Options::default())
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostic))
        .files;
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths.len(), 2 * ir.datasets.len() + 2, "{paths:?}");
    for f in &files {
        let text = if f.path.ends_with(".html") {
            without_assets(&f.text)
        } else {
            f.text.clone()
        };
        insta::assert_snapshot!(format!("docs__{}", f.path.replace('/', "__")), text);
    }
}

/// A page says which rules see only the dataset's window: each of them,
/// `required` and `unique` included (otherwise a plain "yes"), and no other.
#[test]
fn windowed_rules_say_so() {
    let sources = common::load(&common::root().join("tests/fixtures/valid/window.yaml"));
    let ir = datapact::check(&sources).ir.expect("valid fixture");
    let files = datapact::emit::docs::emit(&ir, &datapact::emit::docs::Options::default())
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostic))
        .files;
    let md = &files
        .iter()
        .find(|f| f.path == "shop.events.md")
        .expect("the page")
        .text;
    assert!(md.contains("Window: the rules marked"), "{md}");
    let row = |column: &str| {
        md.lines()
            .find(|l| l.starts_with(&format!("| `{column}` |")))
            .unwrap_or_else(|| panic!("no row for {column}:\n{md}"))
            .to_string()
    };
    let windowed = |line: &str| line.matches("on the rows in the window").count();
    // event_id: required in the window, unique over every row.
    assert_eq!(windowed(&row("event_id")), 1, "{}", row("event_id"));
    assert_eq!(windowed(&row("session_id")), 1, "{}", row("session_id"));
    assert_eq!(windowed(&row("kind")), 1, "{}", row("kind"));
    // amount: `window: false`.
    assert_eq!(windowed(&row("amount")), 0, "{}", row("amount"));
}

// ---------------------------------------------------------------------------
// Markdown: parsed, it must say exactly what the contract says

fn parse(md: &str) -> Vec<Event<'_>> {
    let options = pulldown_cmark::Options::ENABLE_TABLES
        | pulldown_cmark::Options::ENABLE_STRIKETHROUGH
        | pulldown_cmark::Options::ENABLE_MATH;
    Parser::new_ext(md, options).collect()
}

/// The text of the events up to the end of the enclosing element.
fn text_until_end(events: &[Event], start: usize) -> String {
    let mut depth = 0;
    let mut text = String::new();
    for e in &events[start..] {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak => text.push(' '),
            _ => {}
        }
    }
    text
}

#[test]
fn hostile_text_stays_text_in_markdown() {
    let docs = compile_docs("hostile-md", "tests/catalog/contracts", &[]);
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let md = read(&path);
        for e in parse(&md) {
            match &e {
                Event::Html(_) | Event::InlineHtml(_) => {
                    panic!("{}: raw HTML {e:?}", path.display())
                }
                Event::InlineMath(_) | Event::DisplayMath(_) => {
                    panic!("{}: math {e:?}", path.display())
                }
                Event::Start(Tag::Emphasis | Tag::Strikethrough | Tag::Image { .. }) => {
                    panic!("{}: markup from a contract {e:?}", path.display())
                }
                Event::Start(Tag::Link { dest_url, .. }) => assert!(
                    dest_url.ends_with(".md") && !dest_url.contains(':'),
                    "{}: link to {dest_url}",
                    path.display()
                ),
                _ => {}
            }
        }
    }

    let md = read(&docs.join("fx.accounts.md"));
    let events = parse(&md);
    let headings: Vec<String> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Start(Tag::Heading { .. })))
        .map(|(i, _)| text_until_end(&events, i))
        .collect();
    assert_eq!(
        headings,
        [
            "<script>alert('title')</script> Accounts",
            "Owners",
            "Service levels",
            "Schema",
            "Table checks",
            "Lineage"
        ]
    );
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Start(Tag::Heading {
            level: HeadingLevel::H1,
            ..
        })
    )));
    // The description's paragraphs, word for word.
    let paragraphs: Vec<String> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Start(Tag::Paragraph)))
        .map(|(i, _)| text_until_end(&events, i))
        .collect();
    assert!(
        paragraphs.contains(
            &"<img src=x onerror=\"alert('description')\"> Accounts & \"friends\" | not a table | \
              # not a heading [a link](javascript:alert('link')) with *stars*, _underscores_ and `ticks`."
                .to_string()
        ),
        "{paragraphs:#?}"
    );
    assert!(
        paragraphs.contains(
            &"1. not a list; {{ not_jinja }} {% if x %}; $x$ is not math; ~~not struck~~"
                .to_string()
        ),
        "{paragraphs:#?}"
    );

    // Every table row has its cells, in order: pipes in names, values and
    // descriptions are escaped.
    let tables = tables(&events);
    let owners = &tables[0];
    assert_eq!(
        owners[1],
        [
            "<b>Bold</b> & Co | Team",
            "producer",
            "x\"><script>alert('email')</script>@evil.example"
        ]
    );
    let schema = &tables[1];
    assert!(schema.iter().all(|row| row.len() == 7), "{schema:#?}");
    let names: Vec<&str> = schema[1..].iter().map(|row| row[0].as_str()).collect();
    assert_eq!(
        names,
        [
            "account_id",
            "</td><script>alert('column')</script>",
            "a|b `c`",
            "handle",
            "balance",
            "updated_at"
        ]
    );
    assert_eq!(schema[1][5], "Line one line two | with a pipe");
    assert_eq!(
        schema[3][6],
        "one of </code><script>alert('value')</script>, x|y, `tick`, the empty string"
    );
    assert_eq!(
        schema[4][6],
        "fully matches <[a-z]+>|[|]; exactly 2 characters"
    );
    assert_eq!(
        schema[5][6],
        "between -1,000.5 and 1,000,000, only where handle <> '<admin>'"
    );
    let checks = &tables[2];
    assert_eq!(checks[1][3], "<style>body{display:none}</style>");
    // The custom SQL keeps its backtick runs inside a longer fence.
    let code: Vec<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Text(t) => Some(t.as_ref()),
            _ => None,
        })
        .filter(|t| t.contains("end no fence"))
        .collect();
    assert_eq!(
        code,
        [
            "select * from {{ table }}\n-- ``` and ```` end no fence, </code></pre><script>alert('sql')</script>\nwhere false\n"
        ]
    );
}

/// Every table: rows of cell texts, the header first.
fn tables(events: &[Event]) -> Vec<Vec<Vec<String>>> {
    let mut tables = Vec::new();
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Table(_)) => tables.push(Vec::new()),
            Event::Start(Tag::TableHead | Tag::TableRow) => {
                tables.last_mut().unwrap().push(Vec::new())
            }
            Event::Start(Tag::TableCell) => {
                let text = text_until_end(events, i);
                tables.last_mut().unwrap().last_mut().unwrap().push(text);
            }
            Event::End(TagEnd::Table) => {}
            _ => {}
        }
    }
    tables
}

/// The text a CommonMark reader sees in `md`, a paragraph or one table cell.
fn rendered_text(md: &str) -> String {
    let events = parse(md);
    let mut text = String::new();
    for e in &events {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::Start(
                Tag::Paragraph | Tag::Table(_) | Tag::TableHead | Tag::TableRow | Tag::TableCell,
            )
            | Event::End(_) => {}
            other => panic!("markup in {md:?}: {other:?}"),
        }
    }
    text
}

/// Characters that mean something in Markdown, and some that do not.
fn markdownish() -> impl Strategy<Value = String> {
    let chars: Vec<char> = "ab1 _*`\\[]()<>|~&$!#-+=.:;/\"'{}%^@\n\té漢©0)"
        .chars()
        .collect();
    prop::collection::vec(prop::sample::select(chars), 0..24)
        .prop_map(|cs| cs.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Escaped text renders as itself (whitespace collapsed), in a
    /// paragraph and in a table cell.
    #[test]
    fn markdown_text_round_trips(s in markdownish()) {
        let want = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let md = datapact::emit::docs::md_text(&s);
        prop_assert_eq!(rendered_text(&md), want.clone(), "paragraph {:?}", md);
        let table = format!("| h |\n|---|\n| {md} |\n");
        prop_assert_eq!(rendered_text(&table), format!("h{want}"), "cell {:?}", table);
    }

    /// A code span holds exactly its text (line ends as spaces), in a
    /// paragraph and in a table cell.
    #[test]
    fn markdown_code_round_trips(s in markdownish()) {
        let want = s.replace("\r\n", " ").replace(['\r', '\n'], " ");
        let want = if want.is_empty() { " ".to_string() } else { want };
        let md = datapact::emit::docs::md_code(&s, false);
        prop_assert_eq!(rendered_text(&md), want.clone(), "paragraph {:?}", md);
        let table = format!("| h |\n|---|\n| {} |\n", datapact::emit::docs::md_code(&s, true));
        prop_assert_eq!(rendered_text(&table), format!("h{want}"), "cell {:?}", table);
    }
}

// ---------------------------------------------------------------------------
// HTML: no tag from a contract, and the catalog's structure

#[test]
fn hostile_text_stays_text_in_html() {
    let docs = compile_docs("hostile-html", "tests/catalog/contracts", &[]);
    let html_dir = docs.join("html");
    let mut pages = 0;
    for entry in std::fs::read_dir(&html_dir).unwrap() {
        let path = entry.unwrap().path();
        let html = read(&path);
        pages += 1;
        assert_eq!(html.matches("<script").count(), 1, "{}", path.display());
        assert_eq!(html.matches("<style").count(), 1, "{}", path.display());
        for raw in [
            "<img",
            "<iframe",
            "<marquee",
            "<b>",
            "<svg onload",
            "<script>alert",
            "href=\"javascript",
            "</td><script",
        ] {
            assert!(!html.contains(raw), "{}: {raw}", path.display());
        }
        assert!(
            html.contains("Content-Security-Policy"),
            "{}",
            path.display()
        );
    }
    assert_eq!(pages, 5, "4 contract pages and the index");
    let accounts = read(&html_dir.join("fx.accounts.html"));
    for escaped in [
        "<h1>&lt;script&gt;alert(&#x27;title&#x27;)&lt;&#x2f;script&gt; Accounts</h1>",
        "&lt;img src=x onerror=&quot;alert(&#x27;description&#x27;)&quot;&gt;",
        "<code>&lt;&#x2f;td&gt;&lt;script&gt;alert(&#x27;column&#x27;)&lt;&#x2f;script&gt;</code>",
        // The address is percent-encoded in the link: nothing rides along.
        "<a href=\"mailto:x%22%3E%3Cscript%3Ealert%28%27email%27%29%3C%2Fscript%3E@evil.example\">",
    ] {
        assert!(accounts.contains(escaped), "missing {escaped}");
    }
    // The index groups by domain: `fx`, then `Other` for `lonely`.
    let index = read(&html_dir.join("index.html"));
    let fx = index.find("<h2>fx</h2>").expect("fx group");
    let other = index.find("<h2>Other</h2>").expect("Other group");
    assert!(fx < other);
    // Lineage: items and orders reference accounts, items references orders.
    for edge in [
        "fx.items references fx.accounts",
        "fx.items references fx.orders",
        "fx.orders references fx.accounts",
    ] {
        assert!(index.contains(&format!("<title>{edge}</title>")), "{edge}");
    }
    // References link to the referenced column's row.
    let orders = read(&html_dir.join("fx.orders.html"));
    assert!(
        orders.contains("references <a href=\"fx.accounts.html#col-account_id\">fx.accounts</a>"),
        "{orders}"
    );
    assert!(accounts.contains("<tr id=\"col-account_id\""));
    let lonely = read(&html_dir.join("lonely.html"));
    assert!(!lonely.contains("<svg"), "no references, no diagram");
    assert!(lonely.contains("No references to or from other contracts."));
}

// ---------------------------------------------------------------------------
// Template overrides

#[test]
fn templates_override_by_name() {
    let templates = temp_dir("override-templates");
    // Windows line ends: the output has `\n` all the same.
    std::fs::write(
        templates.join("contract.md"),
        "{% include \"owners.md\" %}{{ page.heading }} v{{ page.version }}: {{ page.columns|length }} columns\r\n\r\n",
    )
    .unwrap();
    // A partial of the user's own, included by the override.
    std::fs::write(
        templates.join("owners.md"),
        "{{ page.owner_names|join(\", \") }} · ",
    )
    .unwrap();
    let t = templates.to_string_lossy().into_owned();
    let docs = compile_docs("override", "tests/catalog/contracts", &["--templates", &t]);
    assert_eq!(
        read(&docs.join("fx.orders.md")),
        "Order Team · Orders v2.0.0: 4 columns\n"
    );
    for entry in std::fs::read_dir(&docs).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert!(!read(&path).contains('\r'), "{}", path.display());
        }
    }
    // The other templates are the built-in ones.
    assert!(read(&docs.join("index.md")).starts_with("# Data contracts\n"));
    assert!(read(&docs.join("html/fx.orders.html")).starts_with("<!doctype html>"));

    // The same directory from datapact.yaml, relative to it.
    let project = temp_dir("override-project");
    std::fs::create_dir_all(project.join("tpl")).unwrap();
    std::fs::copy(
        templates.join("contract.md"),
        project.join("tpl/contract.md"),
    )
    .unwrap();
    std::fs::copy(templates.join("owners.md"), project.join("tpl/owners.md")).unwrap();
    let contracts = common::root().join("tests/catalog/contracts");
    std::fs::write(
        project.join("datapact.yaml"),
        format!(
            "contracts: [{}]\ntargets: [docs]\ndocs_templates: tpl\n",
            contracts.display()
        ),
    )
    .unwrap();
    let o = datapact(&["compile"], &project);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        read(&project.join("build/docs/fx.orders.md")),
        "Order Team · Orders v2.0.0: 4 columns\n"
    );
}

/// `compile tests/catalog/contracts --target docs` into `out` with the
/// templates of `templates`, plus `extra` arguments.
fn compile_with_templates(out: &Path, templates: &Path, extra: &[&str]) -> Output {
    let (out, templates) = (out.to_string_lossy(), templates.to_string_lossy());
    let mut args = vec![
        "compile",
        "tests/catalog/contracts",
        "--target",
        "docs",
        "--out",
        &out,
        "--templates",
        &templates,
        "--color",
        "never",
    ];
    args.extend(extra);
    datapact(&args, &common::root())
}

/// A broken template: exit 2, nothing written, the template's line and
/// column underlined, and a hint.
fn broken_template(name: &str, text: &str) -> (String, common::TempDir) {
    let templates = temp_dir(&format!("broken-{name}"));
    std::fs::write(templates.join(name), text).unwrap();
    let out = temp_dir(&format!("broken-{name}-out"));
    let o = compile_with_templates(&out, &templates, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        std::fs::read_dir(&out).unwrap().next().is_none(),
        "nothing is written"
    );
    (stderr(&o), templates)
}

#[test]
fn a_misspelt_variable_is_located_in_the_template() {
    let (err, dir) = broken_template(
        "contract.md",
        "# {{ page.heading }}\n\nOwned by {{ page.ownrs }}.\n",
    );
    let file = dir.join("contract.md");
    assert!(
        err.contains(&format!(
            "{}:3:13 error[template]: docs template `contract.md`: undefined value",
            file.display()
        )),
        "{err}"
    );
    assert!(err.contains("Owned by {{ page.ownrs }}."), "{err}");
    assert!(
        err.contains(
            "help: did you mean `owners`? templates see only the variables listed in docs/docs.md"
        ),
        "{err}"
    );
}

#[test]
fn an_error_in_an_included_template_points_at_it() {
    let templates = temp_dir("broken-include");
    std::fs::write(
        templates.join("contract.md"),
        "# {{ page.heading }}\n{% include \"part.md\" %}\n",
    )
    .unwrap();
    std::fs::write(templates.join("part.md"), "\nOwners: {{ page.ownrs }}\n").unwrap();
    let o = compile_with_templates(&temp_dir("broken-include-out"), &templates, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "{}:2:12 error[template]: docs template `part.md`: undefined value",
            templates.join("part.md").display()
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `owners`?"), "{err}");
}

#[test]
fn an_unused_template_file_is_a_warning() {
    let templates = temp_dir("unused");
    std::fs::write(templates.join("contracts.md"), "# {{ page.heading }}\n").unwrap();
    let out = temp_dir("unused-out");
    let o = compile_with_templates(&out, &templates, &[]);
    assert_eq!(o.status.code(), Some(0), "a warning: {}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "warning[unused-template]: `{}` is not used by any docs template",
            templates.join("contracts.md").display()
        )),
        "{err}"
    );
    assert!(err.contains("help: did you mean `contract.md`?"), "{err}");
    // In JSON, the warning is in the run's one document.
    let o = compile_with_templates(&out, &templates, &["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON document");
    assert_eq!(doc["summary"]["warnings"], 1, "{doc:#}");
    assert_eq!(doc["diagnostics"][0]["code"], "unused-template", "{doc:#}");
}

#[test]
fn a_syntax_error_is_located_in_the_template() {
    let (err, dir) = broken_template(
        "index.html",
        "{% extends \"layout.html\" %}\n{% block main %}{% for c in catalog.contracts %}{% endblock %}\n",
    );
    let file = dir.join("index.html");
    assert!(
        err.contains(&format!("{}:2:", file.display()))
            && err.contains("error[template]: docs template `index.html`: syntax error"),
        "{err}"
    );
}

#[test]
fn templates_must_be_a_directory() {
    let o = datapact(
        &[
            "compile",
            "tests/catalog/contracts",
            "--target",
            "docs",
            "--out",
            &temp_dir("no-templates").to_string_lossy(),
            "--templates",
            "tests/catalog/no-such-dir",
        ],
        &common::root(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`tests/catalog/no-such-dir` is not a directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn markdown_templates_refuse_to_print_none() {
    let (err, _) = broken_template("contract.md", "{{ page.title }}\n");
    // lonely has no title.
    assert!(err.contains("this value is none"), "{err}");
}

// ---------------------------------------------------------------------------
// A real browser

/// No errors, warnings, dialogs, requests or sideways scrolling on any page.
fn assert_clean(report: &serde_json::Value, pages: usize) {
    let pages_seen = report["pages"].as_object().expect("pages");
    assert_eq!(pages_seen.len(), pages, "{report:#}");
    for (name, page) in pages_seen {
        for key in ["console", "page_errors", "dialogs", "blocked_requests"] {
            assert_eq!(
                page[key],
                serde_json::json!([]),
                "{name}: {key}: {report:#}"
            );
        }
        assert_eq!(page["search_visible"], true, "{name}");
        assert_eq!(page["phone_overflow"], false, "{name}: wider than a phone");
    }
}

#[test]
fn catalog_in_a_real_browser() {
    let shots = common::root().join("target/docs-screenshots");
    let docs = compile_docs("browser", "tests/catalog/contracts", &[]);
    let Some(report) = common::browser(
        &docs.join("html"),
        &shots.join("fixtures"),
        &["zebra", "zebra items", "nothing-matches-this"],
    ) else {
        return;
    };
    assert_clean(&report, 5);
    let index = &report["pages"]["index.html"];
    assert_eq!(index["contracts_before"], 4, "{index:#}");
    assert_eq!(index["columns_before"], 0, "columns show only for a query");
    let q = &index["queries"];
    // accounts has the tag `zebra|crossing`; orders and items a zebra column.
    assert_eq!(q["zebra"]["contracts"], 3, "{index:#}");
    assert_eq!(q["zebra"]["columns"], 2, "{index:#}");
    assert_eq!(q["zebra"]["status"], "3 contracts, 2 columns match");
    assert_eq!(q["zebra"]["hash"], "#q=zebra");
    // Every word must match.
    assert_eq!(q["zebra items"]["contracts"], 1, "{index:#}");
    assert_eq!(q["zebra items"]["columns"], 1, "{index:#}");
    assert_eq!(q["zebra items"]["status"], "1 contract, 1 column match");
    assert_eq!(q["nothing-matches-this"]["contracts"], 0);
    assert_eq!(q["nothing-matches-this"]["columns"], 0);
    assert_eq!(index["contracts_cleared"], 4);
    assert_eq!(index["columns_cleared"], 0);
    assert_eq!(
        report["pages"]["fx.accounts.html"]["title"],
        "<script>alert('title')</script> Accounts · data contract"
    );

    // The example contracts, for the screenshots.
    let docs = compile_docs("browser-examples", "contracts", &[]);
    let report = common::browser(&docs.join("html"), &shots.join("examples"), &["payment"])
        .expect("ran above");
    assert_clean(&report, 7);
    let index = &report["pages"]["index.html"];
    assert_eq!(index["contracts_before"], 6);
    assert_eq!(index["queries"]["payment"]["contracts"], 1, "{index:#}");
    for shot in [
        "index.png",
        "index-filtered.png",
        "index-phone.png",
        "shop.orders.png",
    ] {
        let path = shots.join("examples").join(shot);
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 10_000),
            "{}",
            path.display()
        );
    }
}
