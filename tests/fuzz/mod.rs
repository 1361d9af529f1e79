//! The fuzz harness, shared by the short run in the test suite
//! (tests/robustness.rs, a few thousand cases on every `cargo test`) and the
//! long one (`cargo run --release --example fuzz -- --minutes 30`): inputs
//! built from arbitrary bytes, from the language's own vocabulary, from
//! edits of real contracts, and hostile ones (alias bombs, deep nesting,
//! huge values, thousands of columns); [`run`] sends them through load,
//! validate, lower and every emitter.
#![allow(dead_code)]

use std::path::PathBuf;

use datapact::diagnostic::{self, HumanOptions, Summary};
use datapact::source::Sources;
use datapact::types::Dialect;
use proptest::prelude::*;
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the whole front end and every emitter over these files.
pub fn run(files: &[String]) {
    let mut sources = Sources::new();
    for (i, text) in files.iter().enumerate() {
        sources.add(format!("f{i}.yaml"), text.clone());
    }
    let checked = datapact::check(&sources);
    if let Some(ir) = &checked.ir {
        assert!(checked.diagnostics.iter().all(|d| !d.is_error()));
        for &dialect in Dialect::ALL {
            let _ = datapact::emit::sql::emit(ir, dialect);
        }
        for (dialect, tests) in [
            (Some(Dialect::Duckdb), datapact::project::DbtTests::PerRule),
            (
                Some(Dialect::Snowflake),
                datapact::project::DbtTests::SingleScan,
            ),
            (None, datapact::project::DbtTests::SingleScan),
        ] {
            let options = datapact::emit::dbt::Options {
                dialect,
                tests,
                enforce_contracts: dialect.is_some(),
                ..Default::default()
            };
            // Clashing test names are an error message, not a panic.
            let _ = datapact::emit::dbt::emit(ir, &options);
        }
        // The built-in docs templates render every valid contract.
        if let Err(err) = datapact::emit::docs::emit(ir, &datapact::emit::docs::Options::default())
        {
            panic!("docs template error: {:?}", err.diagnostic);
        }
    }
    for d in &checked.diagnostics {
        let _ = diagnostic::render_human(
            d,
            &sources,
            HumanOptions {
                color: true,
                width: 80,
            },
        );
        let _ = diagnostic::render_github(d, &sources);
        assert!(d.primary.is_some(), "unlocated diagnostic {d:?}");
    }
    let _ = diagnostic::render_json(&checked.diagnostics, &sources, Summary::default());
}

/// Keys beyond the language's own: dialect names, a merge key and a typo.
const EXTRA_KEYS: &[&str] = &["postgres", "duckdb", "<<", "acepted_values"];

pub fn keys() -> Vec<&'static str> {
    let mut keys = datapact::syntax::ast::all_keys();
    keys.extend(EXTRA_KEYS);
    keys
}

const SCALARS: &[&str] = &[
    "shop.orders",
    "shop.customers",
    "shop.customers.customer_id",
    "1.0.0",
    "1.4",
    "string",
    "bigint",
    "decimal(12,2)",
    "decimal(40,2)",
    "timestamp",
    "date",
    "boolean",
    "json",
    "uuid",
    "2h",
    "0h",
    "1w",
    "error",
    "warn",
    "producer",
    "5%",
    "150%",
    "a@b.c",
    "^[a-z]+$",
    "(?=x)",
    "a > 0",
    "a >",
    "order_id",
    "select * from {{ table }}",
    "{{ tabel }}",
    "2024-01-01",
    "2024-13-01",
    "00000000-0000-0000-0000-000000000000",
    "",
    "naïve col",
    "a;drop table x--",
];

pub fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        prop::sample::select(SCALARS).prop_map(|s| Value::String(s.to_string())),
        any::<i64>().prop_map(Value::from),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        (-1e6f64..1e6)
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ]
}

pub fn document() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(keys()), inner), 0..8).prop_map(
                |entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (k.to_string(), v))
                            .collect(),
                    )
                }
            ),
        ]
    })
}

/// Emit a JSON value as block-style YAML (JSON itself is flow-style YAML).
pub fn block_yaml(value: &Value, indent: usize, out: &mut String) {
    let pad = " ".repeat(indent);
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                out.push_str(&format!("{pad}{}:", serde_json::to_string(k).unwrap()));
                if matches!(v, Value::Object(m) if !m.is_empty())
                    || matches!(v, Value::Array(a) if !a.is_empty())
                {
                    out.push('\n');
                    block_yaml(v, indent + 2, out);
                } else {
                    out.push_str(&format!(" {v}\n"));
                }
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for v in items {
                out.push_str(&format!("{pad}-\n"));
                block_yaml(v, indent + 2, out);
            }
        }
        other => out.push_str(&format!("{pad}{other}\n")),
    }
}

/// The ODCS and DCS files of the standards corpus.
pub fn standards() -> Vec<String> {
    let mut texts = Vec::new();
    for dir in ["odcs", "dcs"] {
        for e in std::fs::read_dir(root().join("tests/standards/corpus").join(dir)).unwrap() {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    texts.sort();
    texts
}

pub fn examples() -> Vec<String> {
    let mut texts: Vec<String> = std::fs::read_dir(root().join("contracts/shop"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    texts
}

#[derive(Debug, Clone)]
pub enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceValue(usize, String),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
}

pub fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::DeleteLine),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), prop::sample::select(SCALARS))
            .prop_map(|(i, s)| Edit::ReplaceValue(i, s.to_string())),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..4))
            .prop_map(|(i, b)| Edit::InsertBytes(i, b)),
        any::<usize>().prop_map(Edit::Truncate),
    ]
}

pub fn apply(text: &str, edit: &Edit) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let n = lines.len().max(1);
    match edit {
        Edit::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
        }
        Edit::DuplicateLine(i) => {
            if let Some(line) = lines.get(i % n).cloned() {
                lines.insert(i % n, line);
            }
        }
        Edit::ReplaceValue(i, value) => {
            if let Some(line) = lines.get_mut(i % n) {
                if let Some((key, _)) = line.split_once(": ") {
                    *line = format!("{key}: {value}");
                }
            }
        }
        Edit::InsertBytes(i, bytes) => {
            let mut raw = lines.join("\n").into_bytes();
            let at = i % (raw.len() + 1);
            raw.splice(at..at, bytes.iter().copied());
            return String::from_utf8_lossy(&raw).into_owned();
        }
        Edit::Truncate(i) => {
            let joined = lines.join("\n");
            let mut at = i % (joined.len() + 1);
            while !joined.is_char_boundary(at) {
                at -= 1;
            }
            return joined[..at].to_string();
        }
    }
    lines.join("\n")
}

/// Hostile inputs: what an attacker or a broken generator might commit.
/// Each must end in diagnostics (or compile), quickly and within memory.
pub fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        // Nesting far deeper than any contract, flow and block style.
        (100usize..20_000).prop_map(|n| format!("a: {}{}\n", "[".repeat(n), "]".repeat(n))),
        (100usize..3_000).prop_map(|n| {
            (0..n).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>()
        }),
        // An alias bomb: each level doubles (or more) the previous one.
        (2usize..10, 5usize..40).prop_map(|(fan, levels)| {
            let mut text = String::from("l0: &l0 [x]\n");
            for l in 1..levels {
                let refs = vec![format!("*l{}", l - 1); fan].join(", ");
                text.push_str(&format!("l{l}: &l{l} [{refs}]\n"));
            }
            text
        }),
        // A value of 60 KB to 6 MB, in each place a contract has text.
        (
            prop::sample::select(&["description", "pattern", "expression", "name", "title"][..]),
            10usize..100_000,
            prop::sample::select(&["x", "'", "\\", "é", "{{", "--"][..])
        )
            .prop_map(|(key, n, unit)| {
                let value = unit.repeat(n * 6 / unit.len().max(1));
                let value = serde_json::to_string(&value).unwrap();
                format!(
                    "contract: a.b\nversion: 1.0.0\ndataset: {{name: t}}\ntitle: {value}\n\
                     columns:\n  - name: {value}\n    type: string\n    description: {value}\n    pattern: {value}\n\
                     checks:\n  - name: c\n    expression: {value}\n    description: {value}\n",
                    value = if key == "title" { value.clone() } else { value }
                )
            }),
        // Thousands of columns, each with rules.
        (1_000usize..5_000).prop_map(|n| {
            let mut text = String::from("contract: wide.t\nversion: 1.0.0\ndataset: {name: t}\ncolumns:\n");
            for i in 0..n {
                text.push_str(&format!(
                    "  - {{name: c{i}, type: integer, required: true, min: 0, max: {i}}}\n"
                ));
            }
            text
        }),
        // Many documents, anchors and merge keys in one file.
        (1usize..2_000).prop_map(|n| "---\na: &x {b: 1}\nc: {<<: *x}\n".repeat(n)),
    ]
}

/// One fuzz case: what kind of input it is, and its files.
pub fn case() -> impl Strategy<Value = (&'static str, Vec<String>)> {
    prop_oneof![
        3 => prop::collection::vec(any::<u8>(), 0..2_000)
            .prop_map(|b| ("bytes", vec![String::from_utf8_lossy(&b).into_owned()])),
        3 => (document(), document()).prop_map(|(doc, other)| {
            let mut block = String::new();
            block_yaml(&doc, 0, &mut block);
            ("vocabulary", vec![doc.to_string(), block, other.to_string()])
        }),
        3 => (prop::collection::vec(edit(), 1..8), any::<usize>()).prop_map(|(edits, pick)| {
            let files = standards();
            let mut text = files[pick % files.len()].clone();
            for e in &edits {
                text = apply(&text, e);
            }
            ("edited standard", vec![text])
        }),
        3 => (prop::collection::vec(edit(), 1..8), any::<usize>()).prop_map(|(edits, pick)| {
            let mut files = examples();
            let i = pick % files.len();
            for e in &edits {
                files[i] = apply(&files[i], e);
            }
            ("edited example", files)
        }),
        1 => hostile().prop_map(|text| ("hostile", vec![text])),
    ]
}
