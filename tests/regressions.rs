//! Regression tests, each named after the bug it pins.

mod common;

use datapact::source::Sources;

const BASE: &str = "contract: t.x\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: x}\n";

fn codes(files: &[&str]) -> Vec<String> {
    let mut sources = Sources::new();
    for (i, text) in files.iter().enumerate() {
        sources.add(format!("f{i}.yaml"), *text);
    }
    datapact::check(&sources)
        .diagnostics
        .iter()
        .map(|d| format!("{}@{}", d.code, d.position(&sources)))
        .collect()
}

#[test]
fn empty_quoted_identifier_with_multibyte_text_does_not_panic() {
    let text = format!(
        "{BASE}columns: [{{name: größe, type: integer}}]\nchecks:\n  - name: c\n    expression: 'größe > 0 or \"\" is null'\n"
    );
    let got = codes(&[&text]);
    assert!(
        got.iter().any(|c| c.starts_with("unknown-column")),
        "{got:?}"
    );
}

#[test]
fn unicode_column_names_match_case_insensitively() {
    let text = format!(
        "{BASE}columns: [{{name: Größe, type: integer}}]\nchecks:\n  - name: c\n    expression: größe > 0\n"
    );
    assert_eq!(codes(&[&text]), Vec::<String>::new());
}

#[test]
fn reference_to_contract_without_columns_is_unknown_column() {
    let target = "contract: t.y\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: y}\n";
    let text = format!("{BASE}columns: [{{name: a, type: integer, references: t.y.id}}]\n");
    assert_eq!(codes(&[&text, target]), ["unknown-column@f0.yaml:5:48"]);
}

#[test]
fn error_inside_a_reused_anchor_is_reported_once() {
    let text = format!(
        "{BASE}columns:\n  - &c {{name: a, type: integer, min: {{value: 1, severty: warn}}}}\n  - {{<<: *c, name: b}}\n"
    );
    let got = codes(&[&text]);
    assert_eq!(got.len(), 1, "{got:?}");
}

#[test]
fn byte_order_mark_does_not_shift_columns() {
    let dir = std::env::temp_dir().join(format!("datapact-bom-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("c.yaml");
    std::fs::write(&file, format!("\u{FEFF}{BASE}colums: []\n")).unwrap();
    let (sources, io) = datapact::load::load(std::slice::from_ref(&file));
    assert!(io.is_empty());
    let checked = datapact::check(&sources);
    let position = checked.diagnostics[0].position(&sources);
    assert!(position.ends_with("c.yaml:5:1"), "{position}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_named_twice_on_the_command_line_loads_once() {
    let root = common::root();
    let paths = [
        root.join("contracts"),
        root.join("contracts/shop/orders.yaml"),
        root.join("./contracts"),
    ];
    let (sources, io) = datapact::load::load(&paths);
    assert!(io.is_empty());
    assert_eq!(sources.len(), 6);
    let checked = datapact::check(&sources);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

#[test]
fn flat_mapping_with_many_keys_is_linear() {
    // 50,000 distinct keys: quadratic duplicate detection would take minutes.
    let mut text = String::from(BASE);
    for i in 0..50_000 {
        text.push_str(&format!("k{i}: 1\n"));
    }
    let got = codes(&[&text]);
    assert_eq!(got.len(), 50_000);
}

/// B3: freshness has no `severity`, so `tolerance` there must not advise
/// one, and the help for an unknown key must not offer `tolerance`, which
/// freshness refuses.
#[test]
fn freshness_help_does_not_contradict_itself() {
    let text = format!(
        "{BASE}freshness: {{column: d, error_after: 1d, tolerance: 1, severity: warn}}\n\
         columns: [{{name: d, type: date}}]\n"
    );
    let mut sources = Sources::new();
    sources.add("f.yaml", text);
    let diagnostics = datapact::check(&sources).diagnostics;
    let helps: Vec<(String, String)> = diagnostics
        .iter()
        .map(|d| (d.code.to_string(), d.help.clone().unwrap_or_default()))
        .collect();
    let help = |code: &str| {
        helps
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| panic!("no {code}: {helps:?}"))
    };
    let tolerance = help("tolerance-not-allowed");
    assert!(!tolerance.contains("severity"), "{tolerance}");
    assert!(tolerance.contains("warn_after"), "{tolerance}");
    let unknown = help("unknown-key");
    assert!(!unknown.contains("tolerance"), "{unknown}");
    assert!(!unknown.contains("severity"), "{unknown}");
}

/// B5: the dbt description is the contract's description, else its title,
/// as docs/dbt.md says; not "<title>: <description>".
#[test]
fn dbt_description_is_the_description_else_the_title() {
    let yaml_of = |head: &str| {
        let text = format!(
            "contract: t.x\nversion: 1.0.0\nowners: [{{name: T}}]\n{head}\
             dataset: {{name: x, dbt: {{model: x}}}}\ncolumns: [{{name: a, type: integer}}]\n"
        );
        let mut sources = Sources::new();
        sources.add("x.yaml", text);
        let ir = datapact::check(&sources).ir.expect("valid");
        let files = datapact::emit::dbt::emit(&ir, &datapact::emit::dbt::Options::default())
            .expect("dbt files");
        files
            .into_iter()
            .find(|f| f.path.ends_with(".yml") && f.text.contains("models:"))
            .expect("the model's properties")
            .text
    };
    let both = yaml_of("title: Orders\ndescription: One row per order.\n");
    assert!(
        both.contains("description: \"One row per order.\""),
        "{both}"
    );
    assert!(!both.contains("Orders: One row"), "{both}");
    let title = yaml_of("title: Orders\n");
    assert!(title.contains("description: Orders\n"), "{title}");
}

/// B6: an aggregate or window function in an expression or `where` is a
/// located error (it passed validation, then failed the whole one-scan
/// query at run time); a scalar function of the same look is not.
#[test]
fn aggregates_in_row_rules_are_refused() {
    let contract = |rule: &str| {
        format!(
            "{BASE}columns:\n  - {{name: amount, type: integer}}\n  - {{name: at, type: date}}\n{rule}"
        )
    };
    for rule in [
        "checks:\n  - {name: c, expression: \"sum(amount) > 0\"}\n",
        "checks:\n  - {name: c, expression: \"amount > 0\", where: \"count(*) > 1\"}\n",
        "checks:\n  - {name: c, expression: \"amount > avg(amount) over ()\"}\n",
        "row_count: {min: 1, where: \"max(at) > current_date\"}\n",
    ] {
        let got = codes(&[&contract(rule)]);
        assert!(
            got.iter()
                .any(|c| c.starts_with("aggregate-in-expression@")),
            "{rule}: {got:?}"
        );
    }
    let fine = codes(&[&contract(
        "checks:\n  - {name: c, expression: \"abs(amount) >= 0 and coalesce(amount, 0) < 10\"}\n",
    )]);
    assert_eq!(fine, Vec::<String>::new());
}

/// Each diagnostic's code, where it starts and the text it underlines.
fn underlined(text: &str) -> Vec<(String, String, String)> {
    let mut sources = Sources::new();
    sources.add("f.yaml", text);
    datapact::check(&sources)
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.primary.as_ref().expect("located").span;
            (
                d.code.to_string(),
                d.position(&sources),
                text[span.start..span.end].to_string(),
            )
        })
        .collect()
}

#[test]
fn diagnostics_inside_block_scalars_point_at_the_word() {
    // Folded, literal with a kept-indent header and a comment, a plain
    // scalar over two lines, and double- and single-quoted with escapes:
    // each diagnostic underlines the word where it is written, and a block
    // ends at its last character, not in the next item.
    let text = format!(
        "{BASE}columns: [{{name: amount, type: integer}}, {{name: note, type: string}}]
checks:
  - name: folded
    expression: >
      amount > 0
      and amout < 100

  - name: literal
    expression: |2- # kept
        amount > 0
          and notte is null
  - name: sql
    sql: |
      select *
      from {{{{ tabel }}}}
      where note is null
  - name: plain
    expression: amount > 0
      and sum(amount) > 1
  - name: double
    expression: \"amount > 0 and\\t\\\"x\\\" = 'y' and\\n  nott = 1\"
  - name: single
    expression: 'note <> ''it''''s'' and
      amont = 1'
  - name: unparsed
    expression: >-
      amount > 0
      and amount >>> 1
"
    );
    let at = |line: usize, col: usize| format!("f.yaml:{line}:{col}");
    let word =
        |code: &str, line, col, word: &str| (code.to_string(), at(line, col), word.to_string());
    assert_eq!(
        underlined(&text),
        [
            word("unknown-column", 10, 11, "amout"),
            word("unknown-column", 15, 15, "notte"),
            word("unknown-placeholder", 19, 12, "{{ tabel }}"),
            word("aggregate-in-expression", 23, 11, "sum"),
            word("unknown-column", 25, 36, "x"),
            word("unknown-column", 25, 53, "nott"),
            word("unknown-column", 28, 7, "amont"),
            word("unparsed-sql", 32, 20, ">"),
        ]
    );
}

#[test]
fn a_block_scalar_ends_at_its_last_character() {
    let text = format!(
        "{BASE}columns: [{{name: amount, type: integer}}]
checks:
  - name: folded
    expression: >
      amount > 0
      and

  # a comment
  - name: next
    expression: amount > 0
"
    );
    // The parser stops at the end, so the whole value is underlined.
    assert_eq!(
        underlined(&text),
        [(
            "unparsed-sql".to_string(),
            "f.yaml:9:7".to_string(),
            "amount > 0\n      and".to_string()
        )]
    );
}

#[test]
fn a_type_cut_at_a_comma_in_flow_style_says_to_quote_it() {
    let text = format!("{BASE}columns:\n  - {{name: amount, type: decimal(12, 2)}}\n");
    let mut sources = Sources::new();
    sources.add("f.yaml", text.as_str());
    let checked = datapact::check(&sources);
    let got: Vec<(String, String)> = checked
        .diagnostics
        .iter()
        .map(|d| (d.code.to_string(), d.help.clone().unwrap_or_default()))
        .collect();
    assert_eq!(got.len(), 2, "{got:?}");
    for (code, help) in &got {
        assert!(
            ["invalid-type", "unknown-key"].contains(&code.as_str()),
            "{got:?}"
        );
        assert!(
            help.contains(r#"quote a value that holds a comma: `{type: "decimal(12,2)"}`"#),
            "{got:?}"
        );
    }
}
