//! Property tests: no input makes the loader, validator, lowering or any
//! renderer panic, and the docs render every valid contract. ODCS and DCS
//! files of the standards corpus, randomly edited, go through the same. Arbitrary bytes, arbitrary YAML documents built from the
//! language's own vocabulary, and random edits of the example contracts.

mod common;

use datapact::diagnostic::{self, HumanOptions, Summary};
use datapact::source::Sources;
use proptest::prelude::*;
use serde_json::Value;

/// Run the whole front end and every renderer over these files.
fn run(files: &[String]) {
    let mut sources = Sources::new();
    for (i, text) in files.iter().enumerate() {
        sources.add(format!("f{i}.yaml"), text.clone());
    }
    let checked = datapact::check(&sources);
    if let Some(ir) = &checked.ir {
        assert!(checked.diagnostics.iter().all(|d| !d.is_error()));
        // The built-in docs templates render every valid contract.
        if let Err(err) = datapact::docs::emit(ir, &datapact::docs::Options::default()) {
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

fn keys() -> Vec<&'static str> {
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

fn scalar() -> impl Strategy<Value = Value> {
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

fn document() -> impl Strategy<Value = Value> {
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
fn block_yaml(value: &Value, indent: usize, out: &mut String) {
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
fn standards() -> Vec<String> {
    let mut texts = Vec::new();
    for dir in ["odcs", "dcs"] {
        for e in std::fs::read_dir(common::root().join("tests/standards/corpus").join(dir)).unwrap()
        {
            texts.push(std::fs::read_to_string(e.unwrap().path()).unwrap());
        }
    }
    texts.sort();
    texts
}

fn examples() -> Vec<String> {
    let mut texts: Vec<String> = std::fs::read_dir(common::root().join("contracts/shop"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    texts.sort();
    texts
}

#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    ReplaceValue(usize, String),
    InsertBytes(usize, Vec<u8>),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
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

fn apply(text: &str, edit: &Edit) -> String {
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        run(&[String::from_utf8_lossy(&bytes).into_owned()]);
    }

    #[test]
    fn arbitrary_yaml_documents_never_panic(doc in document(), other in document()) {
        let mut block = String::new();
        block_yaml(&doc, 0, &mut block);
        run(&[doc.to_string(), block, other.to_string()]);
    }

    /// ODCS and DCS files, randomly edited: the readers of the standards
    /// never panic, and what they accept compiles.
    #[test]
    fn edited_standards_never_panic(edits in prop::collection::vec(edit(), 1..6), pick in any::<usize>()) {
        let files = standards();
        let mut text = files[pick % files.len()].clone();
        for e in &edits {
            text = apply(&text, e);
        }
        run(&[text]);
    }

    #[test]
    fn edited_examples_never_panic(edits in prop::collection::vec(edit(), 1..6), pick in any::<usize>()) {
        let mut files = examples();
        let i = pick % files.len();
        for e in &edits {
            files[i] = apply(&files[i], e);
        }
        run(&files);
    }
}
