//! The documentation stays true to the code.

mod common;

#[test]
fn every_diagnostic_code_is_documented() {
    let doc = std::fs::read_to_string(common::root().join("docs/contract-format.md")).unwrap();
    let missing: Vec<&str> = datapact::diagnostic::Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !doc.contains(&format!("| `{c}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "codes missing from docs/contract-format.md: {missing:?}"
    );
}

#[test]
fn readme_states_the_two_commands() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    assert!(readme.contains("cargo run --release -- validate contracts/"));
    assert!(readme.contains("scripts/test"));
    let ci = std::fs::read_to_string(common::root().join(".ci/run")).unwrap();
    assert!(ci.contains("scripts/test"));
}
