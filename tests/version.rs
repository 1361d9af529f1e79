//! `datapact --version` names the version and the commit it was built from.

mod common;

#[test]
fn version_names_the_commit() {
    let o = common::datapact(&["--version"], &common::root());
    assert!(o.status.success());
    let text = common::stdout(&o);
    assert!(
        text.starts_with(&format!("datapact {} (", env!("CARGO_PKG_VERSION"))),
        "{text}"
    );
    // Built from this checkout: its commit and that commit's date.
    let head = std::process::Command::new("git")
        .args(["log", "-1", "--format=%h %cs"])
        .current_dir(common::root())
        .output()
        .expect("git runs");
    let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
    assert!(!head.is_empty());
    assert_eq!(
        text.trim_end(),
        format!("datapact {} ({head})", env!("CARGO_PKG_VERSION"))
    );
}
