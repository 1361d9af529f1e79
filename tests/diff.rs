//! `datapact diff`: one case per classification rule (a base contract, an
//! edit, the exact changes expected), verdicts of whole sets, a real git
//! repository with two commits, and snapshots of every output format.

mod common;

use common::{datapact, stderr, stdout};

use std::path::Path;
use std::process::Command;

use datapact::diff::{self, Class, Report, Set};
use datapact::source::Sources;
use datapact::{Options, Scope, check_with};

const BASE: &str = r#"contract: t.orders
version: 1.0.0
title: Orders
description: One row per order.
owners:
  - {name: Team, email: team@example.com}
tags: [sales]
dataset:
  schema: marts
  name: orders
  dbt: {model: orders}
freshness: {column: loaded_at, warn_after: 2h, error_after: 6h}
row_count: {min: 10, max: 1000}
columns:
  - name: id
    type: integer
    required: true
    unique: true
  - name: status
    type: string
    accepted_values: [a, b, c]
    pattern: '[a-z]+'
    length: {min: 1, max: 10}
  - name: amount
    type: decimal(10,2)
    description: Amount.
    min: 0
    max: 100
  - name: customer_id
    type: integer
    references: t.customers.id
  - name: loaded_at
    type: timestamp
checks:
  - name: positive
    expression: amount >= 0
  - name: pair
    unique: [id, status, amount]
  - name: custom
    sql: select * from {{ table }} where amount > 1000
"#;

/// Check `files` (path, text) as a selection, as `diff` does.
fn checked(files: &[(&str, &str)]) -> (Sources, datapact::Checked) {
    let mut sources = Sources::new();
    for (path, text) in files {
        sources.add(*path, *text);
    }
    let checked = check_with(
        &sources,
        Options {
            scope: Scope::Selection,
            origins: true,
            checked_files: None,
            ir: true,
        },
    );
    let errors: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{files:?}");
    (sources, checked)
}

fn report(old: &[(&str, &str)], new: &[(&str, &str)], options: diff::Options) -> Report {
    let (_, o) = checked(old);
    let (_, n) = checked(new);
    diff::diff(
        Set {
            ir: o.ir.as_ref().unwrap(),
            origins: &o.origins,
        },
        Set {
            ir: n.ir.as_ref().unwrap(),
            origins: &n.origins,
        },
        options,
    )
}

fn edit(text: &str, edits: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (from, to) in edits {
        assert!(text.contains(from), "edit `{from}` not found in\n{text}");
        text = text.replacen(from, to, 1);
    }
    text
}

struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    /// The edited contract is the old version, the base the new one.
    reverse: bool,
    expect: &'static [(Class, &'static str)],
}

const fn case(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    expect: &'static [(Class, &'static str)],
) -> Case {
    Case {
        name,
        edits,
        reverse: false,
        expect,
    }
}

const fn back(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    expect: &'static [(Class, &'static str)],
) -> Case {
    Case {
        name,
        edits,
        reverse: true,
        expect,
    }
}

use Class::{Breaking as B, Minor as M, Patch as P};

const CASES: &[Case] = &[
    case("nothing changed", &[], &[]),
    case(
        "columns reordered",
        &[
            ("  - name: loaded_at\n    type: timestamp\n", ""),
            (
                "columns:\n",
                "columns:\n  - name: loaded_at\n    type: timestamp\n",
            ),
        ],
        &[],
    ),
    case(
        "tags reordered",
        &[("tags: [sales]", "tags: [sales, x]")],
        &[(P, "tags-changed")],
    ),
    case(
        "owners reordered",
        &[(
            "  - {name: Team, email: team@example.com}\n",
            "  - {name: Ops}\n  - {name: Team, email: team@example.com}\n",
        )],
        &[(P, "owners-changed")],
    ),
    case(
        "a tolerance of 0 is no tolerance",
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    tolerance: \"0%\"",
        )],
        &[],
    ),
    case(
        "layout of an expression",
        &[(
            "expression: amount >= 0",
            "expression: \"amount   >=\n      0\"",
        )],
        &[],
    ),
    // The contract.
    case(
        "contract renamed",
        &[(
            "contract: t.orders",
            "contract: t.purchases\nrenamed_from: t.orders",
        )],
        &[(B, "contract-renamed")],
    ),
    case(
        "location changed",
        &[("schema: marts", "schema: core")],
        &[(B, "location-changed")],
    ),
    case(
        "dbt model changed",
        &[("dbt: {model: orders}", "dbt: {model: fct_orders}")],
        &[(B, "dbt-node-changed")],
    ),
    case(
        "dbt binding removed",
        &[("  dbt: {model: orders}\n", "")],
        &[(B, "dbt-node-changed")],
    ),
    back(
        "dbt binding added",
        &[("  dbt: {model: orders}\n", "")],
        &[(M, "dbt-node-added")],
    ),
    case(
        "title changed",
        &[("title: Orders", "title: All orders")],
        &[(P, "title-changed")],
    ),
    case(
        "description changed",
        &[("One row per order.", "One row per placed order.")],
        &[(P, "description-changed")],
    ),
    case(
        "owner added",
        &[(
            "  - {name: Team, email: team@example.com}\n",
            "  - {name: Team, email: team@example.com}\n  - {name: Finance, role: consumer}\n",
        )],
        &[(P, "owners-changed")],
    ),
    case(
        "tags changed",
        &[("tags: [sales]", "tags: [sales, core]")],
        &[(P, "tags-changed")],
    ),
    // Columns.
    case(
        "column removed",
        &[(
            "  - name: customer_id\n    type: integer\n    references: t.customers.id\n",
            "",
        )],
        &[(B, "column-removed")],
    ),
    case(
        "optional column added",
        &[(
            "  - name: loaded_at\n",
            "  - name: note\n    type: string\n  - name: loaded_at\n",
        )],
        &[(M, "column-added")],
    ),
    case(
        "column added, required only as a warning",
        &[(
            "  - name: loaded_at\n",
            "  - name: note\n    type: string\n    required: {value: true, severity: warn}\n  - name: loaded_at\n",
        )],
        &[(M, "column-added")],
    ),
    case(
        "required column added",
        &[(
            "  - name: loaded_at\n",
            "  - name: note\n    type: string\n    required: true\n  - name: loaded_at\n",
        )],
        &[(B, "required-column-added")],
    ),
    case(
        "column renamed",
        &[(
            "  - name: customer_id\n",
            "  - name: buyer_id\n    renamed_from: customer_id\n",
        )],
        &[(B, "column-renamed")],
    ),
    case(
        "the freshness column renamed",
        &[
            (
                "  - name: loaded_at\n",
                "  - name: arrived_at\n    renamed_from: loaded_at\n",
            ),
            ("column: loaded_at,", "column: arrived_at,"),
        ],
        &[(B, "column-renamed")],
    ),
    case(
        "a column of a unique combination renamed",
        &[
            (
                "  - name: amount\n",
                "  - name: total\n    renamed_from: amount\n",
            ),
            (
                "unique: [id, status, amount]",
                "unique: [id, status, total]",
            ),
            ("expression: amount >= 0", "expression: total >= 0"),
            ("where amount > 1000", "where total > 1000"),
        ],
        &[
            (B, "column-renamed"),
            (B, "expression-changed"),
            (B, "sql-changed"),
        ],
    ),
    case(
        "column renamed without renamed_from",
        &[("  - name: customer_id\n", "  - name: buyer_id\n")],
        &[(M, "column-added"), (B, "column-removed")],
    ),
    case(
        "renamed column whose rule changed",
        &[(
            "  - name: customer_id\n    type: integer\n    references: t.customers.id\n",
            "  - name: buyer_id\n    renamed_from: customer_id\n    type: integer\n    references: t.buyers.id\n",
        )],
        &[(B, "column-renamed"), (B, "reference-changed")],
    ),
    case(
        "type widened: integer to bigint",
        &[(
            "  - name: customer_id\n    type: integer",
            "  - name: customer_id\n    type: bigint",
        )],
        &[(M, "type-widened")],
    ),
    case(
        "type widened: decimal(10,2) to decimal(14,4)",
        &[("type: decimal(10,2)", "type: decimal(14,4)")],
        &[(M, "type-widened")],
    ),
    case(
        "type narrowed: decimal(10,2) to decimal(8,2)",
        &[("type: decimal(10,2)", "type: decimal(8,2)")],
        &[(B, "type-changed")],
    ),
    back(
        "type narrowed: bigint to integer",
        &[(
            "  - name: customer_id\n    type: integer",
            "  - name: customer_id\n    type: bigint",
        )],
        &[(B, "type-changed")],
    ),
    case(
        "type changed: integer to string",
        &[(
            "  - name: customer_id\n    type: integer",
            "  - name: customer_id\n    type: string",
        )],
        &[(B, "type-changed")],
    ),
    case(
        "physical type set",
        &[(
            "    description: Amount.\n",
            "    description: Amount.\n    physical_type: {postgres: \"numeric(12,2)\"}\n",
        )],
        &[(B, "physical-type-changed")],
    ),
    case(
        "column description changed",
        &[("description: Amount.", "description: Amount charged.")],
        &[(P, "column-description-changed")],
    ),
    case(
        "column tagged",
        &[(
            "    description: Amount.\n",
            "    description: Amount.\n    tags: [finance]\n",
        )],
        &[(P, "column-tags-changed")],
    ),
    case(
        "column marked pii",
        &[(
            "    description: Amount.\n",
            "    description: Amount.\n    pii: true\n",
        )],
        &[(P, "pii-changed")],
    ),
    // Column rules.
    case(
        "required dropped",
        &[(
            "    required: true\n    unique: true\n",
            "    unique: true\n",
        )],
        &[(B, "rule-removed")],
    ),
    back(
        "required added",
        &[(
            "    required: true\n    unique: true\n",
            "    unique: true\n",
        )],
        &[(M, "rule-added")],
    ),
    case(
        "unique dropped",
        &[(
            "    required: true\n    unique: true\n",
            "    required: true\n",
        )],
        &[(B, "rule-removed")],
    ),
    case(
        "accepted values gained one",
        &[("[a, b, c]", "[a, b, c, d]")],
        &[(B, "values-added")],
    ),
    case(
        "accepted values lost one",
        &[("[a, b, c]", "[a, b]")],
        &[(M, "values-removed")],
    ),
    case(
        "accepted values swapped one",
        &[("[a, b, c]", "[a, b, d]")],
        &[(B, "values-added"), (M, "values-removed")],
    ),
    case(
        "accepted values removed",
        &[("    accepted_values: [a, b, c]\n", "")],
        &[(B, "rule-removed")],
    ),
    case(
        "min lowered",
        &[("min: 0\n", "min: -5\n")],
        &[(B, "min-lowered")],
    ),
    case(
        "min raised",
        &[("min: 0\n", "min: 0.5\n")],
        &[(M, "min-raised")],
    ),
    case(
        "max raised",
        &[("max: 100\n", "max: 100.01\n")],
        &[(B, "max-raised")],
    ),
    case(
        "max lowered",
        &[("max: 100\n", "max: 99\n")],
        &[(M, "max-lowered")],
    ),
    case(
        "min removed",
        &[("    min: 0\n", "")],
        &[(B, "rule-removed")],
    ),
    case(
        "min added",
        &[(
            "    references: t.customers.id\n",
            "    references: t.customers.id\n    min: 1\n",
        )],
        &[(M, "rule-added")],
    ),
    case(
        "pattern changed",
        &[("pattern: '[a-z]+'", "pattern: '[a-z]+|x'")],
        &[(B, "pattern-changed")],
    ),
    case(
        "pattern removed",
        &[("    pattern: '[a-z]+'\n", "")],
        &[(B, "rule-removed")],
    ),
    case(
        "length minimum lowered",
        &[("length: {min: 1, max: 10}", "length: {min: 0, max: 10}")],
        &[(B, "length-loosened")],
    ),
    case(
        "length maximum removed",
        &[("length: {min: 1, max: 10}", "length: {min: 1}")],
        &[(B, "length-loosened")],
    ),
    case(
        "length tightened",
        &[("length: {min: 1, max: 10}", "length: {min: 2, max: 8}")],
        &[(M, "length-tightened"), (M, "length-tightened")],
    ),
    case(
        "reference changed",
        &[("references: t.customers.id", "references: t.buyers.id")],
        &[(B, "reference-changed")],
    ),
    // Options of a rule.
    case(
        "severity lowered",
        &[(
            "    required: true\n",
            "    required: {value: true, severity: warn}\n",
        )],
        &[(B, "severity-lowered")],
    ),
    back(
        "severity raised",
        &[(
            "    required: true\n",
            "    required: {value: true, severity: warn}\n",
        )],
        &[(M, "severity-raised")],
    ),
    case(
        "filter added",
        &[(
            "    min: 0\n",
            "    min: {value: 0, where: \"status <> 'c'\"}\n",
        )],
        &[(B, "filter-added")],
    ),
    back(
        "filter removed",
        &[(
            "    min: 0\n",
            "    min: {value: 0, where: \"status <> 'c'\"}\n",
        )],
        &[(M, "filter-removed")],
    ),
    case(
        "filter on a table check",
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    where: id > 0",
        )],
        &[(B, "filter-added")],
    ),
    case(
        "window added",
        &[(
            "  dbt: {model: orders}\n",
            "  dbt: {model: orders}\n  window: {column: loaded_at, last: 7d}\n",
        )],
        &[(B, "window-added")],
    ),
    back(
        "window removed",
        &[(
            "  dbt: {model: orders}\n",
            "  dbt: {model: orders}\n  window: {column: loaded_at, last: 7d}\n",
        )],
        &[(M, "window-removed")],
    ),
    case(
        "a rule opts into the window",
        &[
            (
                "  dbt: {model: orders}\n",
                "  dbt: {model: orders}\n  window: {column: loaded_at, last: 7d}\n",
            ),
            (
                "    unique: true\n",
                "    unique: {value: true, window: true}\n",
            ),
        ],
        &[(B, "window-added"), (B, "rule-windowed")],
    ),
    back(
        "a rule leaves the window",
        &[
            (
                "  dbt: {model: orders}\n",
                "  dbt: {model: orders}\n  window: {column: loaded_at, last: 7d}\n",
            ),
            (
                "    unique: true\n",
                "    unique: {value: true, window: true}\n",
            ),
        ],
        &[(M, "window-removed"), (M, "rule-unwindowed")],
    ),
    case(
        "tolerance added",
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    tolerance: 5",
        )],
        &[(B, "tolerance-raised")],
    ),
    case(
        "tolerance on a column rule",
        &[(
            "pattern: '[a-z]+'",
            "pattern: {value: '[a-z]+', tolerance: \"0.5%\"}",
        )],
        &[(B, "tolerance-raised")],
    ),
    case(
        "rule description",
        &[(
            "    min: 0\n",
            "    min: {value: 0, description: Refunds are separate.}\n",
        )],
        &[(P, "rule-description-changed")],
    ),
    case(
        "column rule named",
        &[(
            "    min: 0\n",
            "    min: {value: 0, name: amount_not_negative}\n",
        )],
        &[(P, "check-renamed")],
    ),
    // Table rules.
    case(
        "expression changed",
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0 or status = 'c'",
        )],
        &[(B, "expression-changed")],
    ),
    case(
        "unique combination of fewer columns",
        &[("unique: [id, status, amount]", "unique: [id, status]")],
        &[(M, "unique-tightened")],
    ),
    case(
        "unique combination of more columns",
        &[(
            "unique: [id, status, amount]",
            "unique: [id, status, amount, customer_id]",
        )],
        &[(B, "unique-changed")],
    ),
    case(
        "sql changed",
        &[("where amount > 1000", "where amount > 2000")],
        &[(B, "sql-changed")],
    ),
    case(
        "table check renamed",
        &[("name: positive", "name: amount_positive")],
        &[(P, "check-renamed")],
    ),
    case(
        "table check renamed and reformatted",
        &[(
            "  - name: positive\n    expression: amount >= 0\n",
            "  - name: amount_positive\n    expression: \"amount  >=  0\"\n",
        )],
        &[(P, "check-renamed")],
    ),
    case(
        "table check removed",
        &[("  - name: positive\n    expression: amount >= 0\n", "")],
        &[(B, "rule-removed")],
    ),
    case(
        "table check added",
        &[(
            "checks:\n",
            "checks:\n  - name: small\n    expression: amount < 50\n",
        )],
        &[(M, "rule-added")],
    ),
    case(
        "table check replaced by another kind",
        &[(
            "expression: amount >= 0",
            "sql: select * from {{ table }} where amount < 0",
        )],
        &[(B, "rule-replaced")],
    ),
    case(
        "row count minimum lowered",
        &[(
            "row_count: {min: 10, max: 1000}",
            "row_count: {min: 5, max: 1000}",
        )],
        &[(B, "row-count-loosened")],
    ),
    case(
        "row count maximum lowered",
        &[(
            "row_count: {min: 10, max: 1000}",
            "row_count: {min: 10, max: 900}",
        )],
        &[(M, "row-count-tightened")],
    ),
    case(
        "row count removed",
        &[("row_count: {min: 10, max: 1000}\n", "")],
        &[(B, "rule-removed")],
    ),
    case(
        "freshness loosened",
        &[("error_after: 6h", "error_after: 1d")],
        &[(B, "freshness-loosened")],
    ),
    case(
        "freshness tightened",
        &[("warn_after: 2h", "warn_after: 90m")],
        &[(M, "freshness-tightened")],
    ),
    case(
        "row count change limit raised",
        &[(
            "row_count: {min: 10, max: 1000}",
            "row_count: {min: 10, max: 1000, change: {max: 30%}}",
        )],
        &[(M, "rule-added")],
    ),
    back(
        "row count change limit lowered",
        &[(
            "row_count: {min: 10, max: 1000}",
            "row_count: {min: 10, max: 1000, change: {max: 30%}}",
        )],
        &[(B, "rule-removed")],
    ),
    case(
        "slo objective lowered",
        &[(
            "row_count: {min: 10, max: 1000}\n",
            "row_count: {min: 10, max: 1000}\nslo: {freshness: 98.5%}\n",
        )],
        &[(B, "slo-loosened")],
    ),
    case(
        "slo objectives raised and the window shortened",
        &[(
            "row_count: {min: 10, max: 1000}\n",
            "row_count: {min: 10, max: 1000}\nslo: {window: 7d, quality: 99.9%}\n",
        )],
        &[(M, "slo-tightened"), (M, "slo-tightened")],
    ),
    back(
        "slo removed: the defaults are looser",
        &[(
            "row_count: {min: 10, max: 1000}\n",
            "row_count: {min: 10, max: 1000}\nslo: {window: 7d, freshness: 99.9%}\n",
        )],
        &[(B, "slo-loosened"), (B, "slo-loosened")],
    ),
    case(
        "slo written as its defaults",
        &[(
            "row_count: {min: 10, max: 1000}\n",
            "row_count: {min: 10, max: 1000}\nslo: {window: 30d, freshness: 99%, quality: 99.0%}\n",
        )],
        &[],
    ),
    case(
        "freshness error threshold removed",
        &[("warn_after: 2h, error_after: 6h", "warn_after: 2h")],
        &[(B, "freshness-loosened")],
    ),
    case(
        "freshness measured on another column",
        &[
            ("column: loaded_at,", "column: updated_at,"),
            (
                "  - name: loaded_at\n",
                "  - name: updated_at\n    type: timestamp\n  - name: loaded_at\n",
            ),
        ],
        &[(M, "column-added"), (B, "freshness-column-changed")],
    ),
    case(
        "freshness removed",
        &[(
            "freshness: {column: loaded_at, warn_after: 2h, error_after: 6h}\n",
            "",
        )],
        &[(B, "rule-removed")],
    ),
];

#[test]
fn every_classification_rule() {
    let mut failures = Vec::new();
    for case in CASES {
        let edited = edit(BASE, case.edits);
        let (old, new) = if case.reverse {
            (edited.as_str(), BASE)
        } else {
            (BASE, edited.as_str())
        };
        let report = report(
            &[("old.yaml", old)],
            &[("new.yaml", new)],
            diff::Options::default(),
        );
        let got: Vec<(Class, &str)> = report
            .entries
            .iter()
            .flat_map(|e| e.changes.iter().map(|c| (c.class, c.kind)))
            .collect();
        if got != case.expect {
            failures.push(format!(
                "{}: expected {:?}, got {got:?}",
                case.name, case.expect
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(CASES.len() >= 60, "{} cases", CASES.len());
}

#[test]
fn every_change_kind_has_a_case_and_a_row_in_the_docs() {
    let docs = std::fs::read_to_string(common::root().join("docs/diff.md")).unwrap();
    let source = std::fs::read_to_string(common::root().join("src/diff/compare.rs")).unwrap()
        + &std::fs::read_to_string(common::root().join("src/diff/mod.rs")).unwrap();
    // Every kind the code can produce: a string literal in kebab case after a class.
    let kinds: std::collections::BTreeSet<String> = regex::Regex::new(r#""([a-z]+(?:-[a-z]+)+)""#)
        .unwrap()
        .captures_iter(&source)
        .map(|c| c[1].to_string())
        .filter(|k| !["pre-release"].contains(&k.as_str()))
        .collect();
    let tested: std::collections::BTreeSet<&str> = CASES
        .iter()
        .flat_map(|c| c.expect.iter().map(|(_, k)| *k))
        .collect();
    // Kinds the report-level tests cover.
    let elsewhere = [
        "contract-removed",
        "row-count-change-loosened",
        "row-count-change-tightened",
        "null-rate-loosened",
        "null-rate-tightened",
        "filter-changed",
        "min-changed",
        "max-changed",
        "tolerance-changed",
        "tolerance-lowered",
        "window-narrowed",
        "window-widened",
    ];
    for kind in &kinds {
        assert!(
            docs.contains(&format!("`{kind}`")),
            "`{kind}` is not in docs/diff.md"
        );
        assert!(
            tested.contains(kind.as_str()) || elsewhere.contains(&kind.as_str()),
            "`{kind}` has no case"
        );
    }
    assert!(kinds.len() >= 40, "{kinds:?}");
}

/// The (class, kind) of each change from `a` to `b`, one contract each.
fn kinds(a: &str, b: &str) -> Vec<(Class, &'static str)> {
    report(
        &[("old.yaml", a)],
        &[("new.yaml", b)],
        diff::Options::default(),
    )
    .entries[0]
        .changes
        .iter()
        .map(|c| (c.class, c.kind))
        .collect()
}

/// Inside a nested column, fields, items, keys and values are compared
/// like columns, and their rules rule by rule at each path.
#[test]
fn nested_fields_compared_like_columns() {
    let base = r"contract: t.events
version: 1.0.0
dataset: {name: events}
columns:
  - name: address
    type: struct
    fields:
      - {name: zip, type: string, pattern: '[0-9]{5}'}
      - {name: n, type: integer}
  - name: items
    type: array
    items: {type: struct, fields: [{name: qty, type: integer, min: 1}]}
";
    let with = |edits: &[(&str, &str)]| edit(base, edits);
    type Edits = &'static [(&'static str, &'static str)];
    type Kinds = &'static [(Class, &'static str)];
    let cases: &[(&str, Edits, Kinds)] = &[
        ("nothing", &[], &[]),
        (
            "field added",
            &[(
                "{name: n, type: integer}",
                "{name: n, type: integer}\n      - {name: city, type: string}",
            )],
            &[(M, "column-added")],
        ),
        (
            "required field added",
            &[(
                "{name: n, type: integer}",
                "{name: n, type: integer}\n      - {name: city, type: string, required: true}",
            )],
            &[(B, "required-column-added")],
        ),
        (
            "field removed",
            &[("      - {name: n, type: integer}\n", "")],
            &[(B, "column-removed")],
        ),
        (
            "field widened",
            &[("{name: n, type: integer}", "{name: n, type: bigint}")],
            &[(M, "type-widened")],
        ),
        (
            "items' field retyped",
            &[(
                "{name: qty, type: integer, min: 1}",
                "{name: qty, type: string}",
            )],
            &[(B, "type-changed"), (B, "rule-removed")],
        ),
        (
            "items' rule tightened",
            &[("min: 1}", "min: 2}")],
            &[(M, "min-raised")],
        ),
        (
            "field's rule loosened",
            &[("pattern: '[0-9]{5}'", "pattern: '[0-9]{4,5}'")],
            &[(B, "pattern-changed")],
        ),
    ];
    let mut failures = Vec::new();
    for (name, edits, expect) in cases {
        let got = kinds(base, &with(edits));
        if got != *expect {
            failures.push(format!("{name}: expected {expect:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn row_count_change_limits_compared() {
    let with = |limit: &str| {
        edit(
            BASE,
            &[(
                "row_count: {min: 10, max: 1000}",
                &format!("row_count: {{min: 10, max: 1000, change: {{max: {limit}}}}}"),
            )],
        )
    };
    assert_eq!(
        kinds(&with("25%"), &with("30.5%")),
        [(B, "row-count-change-loosened")]
    );
    assert_eq!(
        kinds(&with("25%"), &with("10%")),
        [(M, "row-count-change-tightened")]
    );
    assert_eq!(kinds(&with("25%"), &with("25.000%")), []);
    let nulls = |limit: &str| {
        edit(
            BASE,
            &[(
                "    description: Amount.\n",
                &format!("    description: Amount.\n    null_rate: {{max_increase: {limit}}}\n"),
            )],
        )
    };
    assert_eq!(
        kinds(&nulls("2%"), &nulls("5%")),
        [(B, "null-rate-loosened")]
    );
    assert_eq!(
        kinds(&nulls("2%"), &nulls("0.5%")),
        [(M, "null-rate-tightened")]
    );
}

#[test]
fn tolerances_and_filters_compared() {
    let old = edit(
        BASE,
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    tolerance: 5",
        )],
    );
    let new = edit(
        BASE,
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    tolerance: \"1%\"",
        )],
    );
    let lower = edit(
        BASE,
        &[(
            "expression: amount >= 0",
            "expression: amount >= 0\n    tolerance: 2",
        )],
    );
    assert_eq!(kinds(&old, &new), [(B, "tolerance-changed")]);
    assert_eq!(kinds(&old, &lower), [(M, "tolerance-lowered")]);
    let filtered = |f: &str| {
        edit(
            BASE,
            &[(
                "    min: 0\n",
                &format!("    min: {{value: 0, where: \"{f}\"}}\n"),
            )],
        )
    };
    assert_eq!(
        kinds(
            &filtered("status <> 'c'"),
            &filtered("status not in ('c', 'd')")
        ),
        [(B, "filter-changed")]
    );
    assert_eq!(
        kinds(&filtered("status <> 'c'"), &filtered("status  <>  'c'")),
        []
    );
}

#[test]
fn the_same_contract_in_odcs_is_no_change() {
    let (_, native) = checked(&[("orders.yaml", BASE)]);
    let odcs = datapact::emit::convert::to_odcs(&native.ir.as_ref().unwrap().datasets[0]);
    let report = report(
        &[("orders.yaml", BASE)],
        &[("orders.odcs.yaml", &odcs)],
        diff::Options::default(),
    );
    assert_eq!(report.entries.len(), 1);
    let e = &report.entries[0];
    assert!(e.changes.is_empty(), "{:?}", e.changes);
    assert!(e.verdict.ok);
}

#[test]
fn verdicts_of_a_set() {
    let v = |text: &str, version: &str| {
        text.replacen("version: 1.0.0", &format!("version: {version}"), 1)
    };
    let customers = "contract: t.customers\nversion: 2.1.0\nowners: [{name: T}]\ndataset: {name: customers}\ncolumns: [{name: id, type: integer}]\n";
    let loosened = edit(BASE, &[("[a, b, c]", "[a, b, c, d]")]);
    let tightened = edit(BASE, &[("[a, b, c]", "[a, b]")]);
    let described = edit(BASE, &[("title: Orders", "title: All orders")]);
    let cases: &[(&str, String, bool, &str)] = &[
        (
            "breaking, major bump",
            v(&loosened, "2.0.0"),
            true,
            "changed",
        ),
        (
            "breaking, minor bump",
            v(&loosened, "1.1.0"),
            false,
            "changed",
        ),
        ("minor, minor bump", v(&tightened, "1.1.0"), true, "changed"),
        (
            "minor, patch bump",
            v(&tightened, "1.0.1"),
            false,
            "changed",
        ),
        ("patch, patch bump", v(&described, "1.0.1"), true, "changed"),
        ("patch, no bump", v(&described, "1.0.0"), false, "changed"),
        ("no change, no bump", v(BASE, "1.0.0"), true, "unchanged"),
        (
            "no change, version down",
            v(BASE, "0.9.0"),
            false,
            "changed",
        ),
    ];
    for (name, new, ok, status) in cases {
        let r = report(
            &[("orders.yaml", BASE), ("customers.yaml", customers)],
            &[("orders.yaml", new), ("customers.yaml", customers)],
            diff::Options::default(),
        );
        let e = &r.entries[1];
        assert_eq!(e.contract, "t.orders");
        assert_eq!(
            (e.verdict.ok, e.status.name()),
            (*ok, *status),
            "{name}: {:?}",
            e.verdict
        );
        assert_eq!(r.ok(), *ok, "{name}");
        assert_eq!(r.entries[0].status.name(), "unchanged");
    }
    // Added, removed (failing unless allowed), renamed (breaking).
    let renamed = v(
        &edit(
            BASE,
            &[(
                "contract: t.orders",
                "contract: t.purchases\nrenamed_from: t.orders",
            )],
        ),
        "2.0.0",
    );
    let r = report(
        &[("orders.yaml", BASE), ("customers.yaml", customers)],
        &[("purchases.yaml", &renamed)],
        diff::Options::default(),
    );
    let got: Vec<(&str, &str, bool)> = r
        .entries
        .iter()
        .map(|e| (e.contract.as_str(), e.status.name(), e.verdict.ok))
        .collect();
    assert_eq!(
        got,
        [
            ("t.customers", "removed", false),
            ("t.purchases", "renamed", true)
        ]
    );
    let allowed = diff::Options {
        allow_removed: true,
    };
    let r = report(
        &[("customers.yaml", customers)],
        &[("orders.yaml", BASE)],
        allowed,
    );
    let got: Vec<(&str, &str, bool)> = r
        .entries
        .iter()
        .map(|e| (e.contract.as_str(), e.status.name(), e.verdict.ok))
        .collect();
    assert_eq!(
        got,
        [
            ("t.customers", "removed", true),
            ("t.orders", "added", true)
        ]
    );
    // A rename without a major bump fails.
    let r = report(
        &[("orders.yaml", BASE)],
        &[(
            "purchases.yaml",
            &renamed.replace("version: 2.0.0", "version: 1.1.0"),
        )],
        diff::Options::default(),
    );
    assert!(!r.ok());
    assert_eq!(r.entries[0].verdict.suggested.as_deref(), Some("2.0.0"));
}

#[test]
fn changes_are_located_in_the_new_file_or_the_old_one_for_removals() {
    let new = edit(
        BASE,
        &[
            ("[a, b, c]", "[a, b, c, d]"),
            (
                "  - name: customer_id\n    type: integer\n    references: t.customers.id\n",
                "",
            ),
        ],
    );
    let (old_sources, o) = checked(&[("old.yaml", BASE)]);
    let (new_sources, n) = checked(&[("new.yaml", &new)]);
    let r = diff::diff(
        Set {
            ir: o.ir.as_ref().unwrap(),
            origins: &o.origins,
        },
        Set {
            ir: n.ir.as_ref().unwrap(),
            origins: &n.origins,
        },
        diff::Options::default(),
    );
    let doc = diff::json(
        &r,
        diff::Files {
            old: &old_sources,
            new: &new_sources,
        },
    );
    let at: Vec<(String, u64, u64)> = doc["contracts"][0]["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["file"].as_str().unwrap().to_string(),
                c["line"].as_u64().unwrap(),
                c["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // `accepted_values:` of status (new file), `name: customer_id` (old file).
    assert_eq!(
        at,
        [
            ("new.yaml".to_string(), 21, 5),
            ("old.yaml".to_string(), 29, 11)
        ]
    );
}

// ---------------------------------------------------------------------------
// The binary: outputs, exit codes, git.

#[test]
fn outputs_of_the_fixture_release() {
    let root = common::root();
    for (format, name) in [
        ("human", "text"),
        ("markdown", "markdown"),
        ("json", "json"),
        ("github", "github"),
    ] {
        let o = datapact(
            &[
                "diff",
                "tests/diff/old",
                "tests/diff/new",
                "--format",
                format,
            ],
            &root,
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert_eq!(stderr(&o), "");
        insta::assert_snapshot!(format!("diff_{name}"), stdout(&o));
    }
    let o = datapact(
        &[
            "diff",
            "tests/diff/old",
            "tests/diff/old",
            "--format",
            "json",
        ],
        &root,
    );
    assert_eq!(o.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["summary"]["unchanged"], 4);
}

#[test]
fn usage_errors_exit_2_and_contract_errors_exit_1() {
    let root = common::root();
    let o = datapact(&["diff", "tests/diff/old"], &root);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("diff takes two paths (OLD NEW), not 1"),
        "{}",
        stderr(&o)
    );
    let o = datapact(
        &["diff", "tests/diff/old", "tests/diff/new/orders.yaml"],
        &root,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("compare two files or two directories"));
    let o = datapact(
        &["diff", "tests/diff/nope.yaml", "tests/diff/new/orders.yaml"],
        &root,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read `tests/diff/nope.yaml`"));
    let o = datapact(&["validate", "--format", "markdown"], &root);
    assert_eq!(o.status.code(), Some(2));
    let bad = "tests/fixtures/invalid/unknown_key_column_rule.yaml";
    let o = datapact(&["diff", bad, "tests/diff/new/orders.yaml"], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("error[unknown-key]"), "{}", stderr(&o));
    assert!(stderr(&o).contains("diff failed: contracts with errors cannot be compared (1 error)"));
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
}

#[test]
fn against_a_git_revision() {
    let tmp = tempdir();
    let dir = tmp.as_path();
    git(dir, &["init", "-q", "-b", "main"]);
    git(dir, &["config", "user.email", "ci@example.com"]);
    git(dir, &["config", "user.name", "CI"]);
    let contracts = dir.join("contracts/sales");
    std::fs::create_dir_all(&contracts).unwrap();
    let customers = "contract: t.customers\nversion: 2.1.0\nowners: [{name: T}]\ndataset: {name: customers}\ncolumns: [{name: id, type: integer}]\n";
    std::fs::write(contracts.join("orders.yaml"), BASE).unwrap();
    std::fs::write(contracts.join("customers.yaml"), customers).unwrap();
    std::fs::write(dir.join("README.md"), "not a contract\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "first"]);

    // Second commit: orders gains a value without a major bump, customers
    // is removed, payments is added.
    let loosened = edit(
        BASE,
        &[
            ("[a, b, c]", "[a, b, c, d]"),
            ("version: 1.0.0", "version: 1.1.0"),
        ],
    );
    std::fs::write(contracts.join("orders.yaml"), &loosened).unwrap();
    std::fs::remove_file(contracts.join("customers.yaml")).unwrap();
    let payments =
        "contract: t.payments\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: payments}\n";
    std::fs::write(contracts.join("payments.yaml"), payments).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "second"]);

    let o = datapact(&["diff", "--base", "HEAD~1", "--format", "json"], dir);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let got: Vec<(String, String, bool)> = doc["contracts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["contract"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
                c["verdict"]["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("t.customers", "removed", false),
        ("t.orders", "changed", false),
        ("t.payments", "added", true),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c));
    assert_eq!(got, expected);
    let removal = &doc["contracts"][0]["changes"][0];
    assert_eq!(removal["file"], "HEAD~1:contracts/sales/customers.yaml");
    assert_eq!(
        (removal["line"].as_u64(), removal["side"].as_str()),
        (Some(1), Some("old"))
    );
    assert_eq!(doc["contracts"][1]["verdict"]["suggested_version"], "2.0.0");
    assert_eq!(
        doc["contracts"][1]["changes"][0]["file"],
        "contracts/sales/orders.yaml"
    );

    // The major bump, uncommitted, and removals accepted: exit 0.
    std::fs::write(
        contracts.join("orders.yaml"),
        loosened.replace("1.1.0", "2.0.0"),
    )
    .unwrap();
    let o = datapact(&["diff", "--base", "HEAD~1", "--allow-removed"], dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).ends_with("diff ok (3 contracts: 1 changed, 1 added, 1 removed)\n"),
        "{}",
        stdout(&o)
    );
    // From a subdirectory, paths are relative to it; a new version alone is
    // no change, and is listed.
    let o = datapact(&["diff", "--base", "HEAD", "orders.yaml"], &contracts);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "t.orders 1.1.0 → 2.0.0: ok: no changes; version `1.1.0` → `2.0.0`\n\ndiff ok (1 contract: 1 changed)\n"
    );
    let o = datapact(
        &["diff", "--base", "HEAD", "orders.yaml", "--format", "json"],
        &contracts,
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["contracts"][0]["status"], "changed");
    assert!(
        doc["contracts"][0]["changes"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Old files are named as `git show` takes them: from the repository root.
    assert_eq!(
        doc["contracts"][0]["old"]["path"],
        "HEAD:contracts/sales/orders.yaml"
    );
    assert_eq!(doc["contracts"][0]["old"]["version"], "1.1.0");
    // A revision git does not know is a usage error.
    let o = datapact(&["diff", "--base", "no-such-branch"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("`no-such-branch` is not a commit of this git repository"),
        "{}",
        stderr(&o)
    );
    // A path that did not exist at the revision: everything is added.
    let o = datapact(
        &["diff", "--base", "HEAD~1", "contracts/sales/payments.yaml"],
        dir,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("t.payments new, 1.0.0: ok: new contract at `1.0.0`"));
    // Absolute paths, and hidden directories skipped at the revision too.
    let hidden = contracts.join(".drafts");
    std::fs::create_dir_all(&hidden).unwrap();
    std::fs::write(hidden.join("draft.yaml"), "not: [a contract").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "third"]);
    let absolute = dir.join("contracts").to_string_lossy().into_owned();
    let o = datapact(&["diff", "--base", "HEAD", &absolute], dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    // A directory deleted since the revision: its contracts are removed.
    std::fs::remove_dir_all(dir.join("contracts")).unwrap();
    let o = datapact(
        &["diff", "--base", "HEAD", "contracts", "--format", "json"],
        dir,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["summary"]["removed"], 2);
    let o = datapact(&["diff", "--base", "HEAD", "nowhere"], dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read `nowhere`: no such file or directory, here or at `HEAD`"),
        "{}",
        stderr(&o)
    );
    // A path that looks like pathspec magic is a path.
    let odd = dir.join(":odd");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(odd.join("p.yaml"), payments).unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-qm", "fourth"]);
    let o = datapact(&["diff", "--base", "HEAD", ":odd", "--format", "json"], dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["summary"]["unchanged"], 1, "{doc}");
    // Outside a repository.
    let outside = tempdir();
    std::fs::write(outside.join("a.yaml"), payments).unwrap();
    let o = datapact(&["diff", "--base", "HEAD", "a.yaml"], &outside);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("not a git repository"),
        "{}",
        stderr(&o)
    );
    let _ = std::fs::remove_dir_all(outside);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn renames_do_not_echo_into_references() {
    let customers = "contract: t.customers\nversion: 2.1.0\nowners: [{name: T}]\ndataset: {name: customers}\ncolumns: [{name: id, type: integer}]\n";
    let clients = "contract: t.clients\nrenamed_from: t.customers\nversion: 3.0.0\nowners: [{name: T}]\ndataset: {name: customers}\ncolumns: [{name: client_id, renamed_from: id, type: integer}]\n";
    let orders = edit(
        BASE,
        &[(
            "references: t.customers.id",
            "references: t.clients.client_id",
        )],
    );
    let r = report(
        &[("orders.yaml", BASE), ("customers.yaml", customers)],
        &[("orders.yaml", &orders), ("clients.yaml", clients)],
        diff::Options::default(),
    );
    let got: Vec<(&str, &str, usize, bool)> = r
        .entries
        .iter()
        .map(|e| {
            (
                e.contract.as_str(),
                e.status.name(),
                e.changes.len(),
                e.verdict.ok,
            )
        })
        .collect();
    // clients: renamed (contract and column); orders: the same reference.
    assert_eq!(
        got,
        [
            ("t.clients", "renamed", 2, true),
            ("t.orders", "unchanged", 0, true)
        ]
    );
}

fn tempdir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "datapact-diff-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A shorter window checks fewer rows (breaking), a longer one more
/// (minor); another column cannot be compared (breaking).
#[test]
fn windows_narrowed_widened_and_moved() {
    let with = |window: &str| {
        BASE.replace(
            "  dbt: {model: orders}\n",
            &format!("  dbt: {{model: orders}}\n  window: {window}\n"),
        )
    };
    let week = with("{column: loaded_at, last: 7d}");
    let day = with("{column: loaded_at, last: 1d}");
    assert_eq!(kinds(&week, &day), [(B, "window-narrowed")]);
    // The same window in other units is no change.
    assert_eq!(kinds(&day, &with("{column: loaded_at, last: 24h}")), []);
    assert_eq!(kinds(&day, &week), [(M, "window-widened")]);
    let moved = week.replace(
        "  - name: loaded_at\n    type: timestamp\n",
        "  - name: loaded_at\n    type: timestamp\n  - name: seen_at\n    type: timestamp\n",
    );
    let other = moved.replace(
        "{column: loaded_at, last: 7d}",
        "{column: seen_at, last: 30d}",
    );
    assert_eq!(
        kinds(&moved, &other),
        [(B, "window-narrowed")],
        "another column"
    );
}

/// B2: a changed expression is shown whole in every format, so two long
/// expressions that differ only at their end do not look the same.
#[test]
fn long_changed_expressions_are_shown_whole() {
    let dir = common::tempdir("diff-long-expressions");
    let long = "amount >= 0 and amount <= 1000000 and status in ('a', 'b', 'c', 'd', 'e') and status <> 'void'";
    // Alone: without the reference to a contract not given here.
    let old = BASE
        .replace("    references: t.customers.id\n", "")
        .replace(
            "expression: amount >= 0",
            &format!("expression: \"{long}\""),
        );
    let new_long = long.replace("'void'", "'voided'");
    let new = old
        .replace(long, &new_long)
        .replace("version: 1.0.0", "version: 2.0.0");
    std::fs::write(dir.join("old.yaml"), old).unwrap();
    std::fs::write(dir.join("new.yaml"), new).unwrap();
    for format in ["human", "markdown", "json", "github"] {
        let o = datapact(
            &["diff", "old.yaml", "new.yaml", "--format", format],
            dir.as_path(),
        );
        let out = stdout(&o);
        assert_eq!(stderr(&o), "", "{format}");
        for whole in [long, new_long.as_str()] {
            // JSON escapes nothing in these; Markdown may wrap code in backticks.
            assert!(
                out.contains(whole),
                "{format}: `{whole}` not whole in:\n{out}"
            );
        }
    }
}
