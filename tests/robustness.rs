//! The short fuzz run (the harness is tests/fuzz/mod.rs; the long run is
//! `cargo run --release --example fuzz`): no input makes the loader,
//! validator, lowering or any emitter panic or hang, and the docs render
//! every valid contract. Arbitrary bytes, arbitrary YAML documents built
//! from the language's own vocabulary, random edits of the example
//! contracts and of the standards corpus, and hostile inputs.

mod fuzz;

use fuzz::{apply, block_yaml, document, edit, examples, hostile, run, standards};
use proptest::prelude::*;

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

proptest! {
    // Each case is large (up to megabytes, or thousands of columns): fewer
    // here; the long run (`--example fuzz`) draws them by the thousand.
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Alias bombs, deep nesting, huge values, thousands of columns.
    #[test]
    fn hostile_inputs_never_panic(text in hostile()) {
        run(&[text]);
    }
}

/// A 10 MB value, a 100 KB value, 10,000 levels of nesting and an alias
/// bomb are each refused with one located diagnostic.
#[test]
fn oversized_inputs_are_refused_with_a_diagnostic() {
    let cases = [
        (
            format!("contract: a.b\ndescription: {}\n", "x".repeat(10 << 20)),
            "file is too large: 10485788 bytes, more than the limit of 4194304",
        ),
        (
            format!("contract: a.b\ndescription: '{}'\n", "y".repeat(100 << 10)),
            "value is too long: 102400 bytes, more than the limit of 65536",
        ),
        (
            format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
            // The YAML parser's own limit, for flow style.
            "invalid YAML: recursion limit exceeded",
        ),
        (
            (0..1_000)
                .map(|i| format!("{}k:\n", " ".repeat(i)))
                .collect(),
            "nesting deeper than 128 levels",
        ),
        (
            (1..30).fold("l0: &l0 [x, x]\n".to_string(), |text, l| {
                format!("{text}l{l}: &l{l} [*l{p}, *l{p}]\n", p = l - 1)
            }),
            "document is too large: more than 200000 values, counting every copy an alias makes",
        ),
    ];
    for (text, message) in cases {
        let mut sources = datapact::source::Sources::new();
        sources.add("hostile.yaml", text);
        let checked = datapact::check(&sources);
        let messages: Vec<&str> = checked
            .diagnostics
            .iter()
            .map(|d| d.message.as_str())
            .collect();
        assert_eq!(messages, [message]);
        assert!(checked.diagnostics[0].primary.is_some());
    }
}
