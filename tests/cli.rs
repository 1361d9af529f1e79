//! The built binary, as users and CI run it: exit codes, formats, colour, init, schema.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn datapact(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const BAD: &str = "tests/fixtures/invalid/unknown_key_column_rule.yaml";

#[test]
fn example_contracts_validate_with_exit_0() {
    let o = datapact(&["validate", "contracts"], &common::root());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("validate ok: 6 contracts in 6 files, 0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn default_paths_come_from_the_project_file() {
    // The repo root has no datapact.yaml: `contracts/` is the default.
    let o = datapact(&["validate"], &common::root());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stderr(&o).contains("6 contracts"));
}

#[test]
fn contract_errors_exit_1_with_located_diagnostic() {
    let o = datapact(&["validate", BAD], &common::root());
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.starts_with(
            "tests/fixtures/invalid/unknown_key_column_rule.yaml:12:5 error[unknown-key]: unknown key `acepted_values` in a column\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean `accepted_values`?"),
        "{err}"
    );
    assert!(err.contains("───────┬──────"), "span not underlined: {err}");
    assert!(
        !err.contains('\x1b'),
        "colour when not on a terminal: {err}"
    );
}

#[test]
fn every_invalid_fixture_exits_1() {
    let root = common::root();
    let mut count = 0;
    for entry in std::fs::read_dir(root.join("tests/fixtures/invalid")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let o = datapact(&["validate", "--format", "json", &rel], &root);
        assert_eq!(code(&o), 1, "{rel}: {}", stdout(&o));
        let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        for d in doc["diagnostics"].as_array().unwrap() {
            assert!(d["line"].as_u64().unwrap() >= 1, "{rel}: {d}");
            assert!(d["file"].as_str().unwrap().starts_with(&rel), "{rel}: {d}");
        }
        count += 1;
    }
    assert!(count >= 50);
}

#[test]
fn errors_in_several_files_are_all_reported() {
    let o = datapact(
        &["validate", "tests/fixtures/invalid/errors_in_two_files"],
        &common::root(),
    );
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(
        err.contains("customers.yaml:12:5 error[unknown-key]"),
        "{err}"
    );
    assert!(
        err.contains("orders.yaml:3:10 error[invalid-version]"),
        "{err}"
    );
    assert!(err.contains("2 errors"), "{err}");
}

#[test]
fn warnings_alone_exit_0() {
    let o = datapact(
        &[
            "validate",
            "tests/fixtures/warning/no_owner_empty_list.yaml",
        ],
        &common::root(),
    );
    assert_eq!(code(&o), 0);
    assert!(stderr(&o).contains("warning[no-owner]"));
}

#[test]
fn missing_path_exits_2() {
    let o = datapact(&["validate", "no/such/dir"], &common::root());
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("error[io]: cannot read `no/such/dir`: no such file or directory"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn empty_directory_exits_2() {
    let dir = tempdir("empty");
    let o = datapact(&["validate", "."], &dir);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("error[no-contracts]"), "{}", stderr(&o));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        code(&datapact(&["validate", "--format", "xml"], &common::root())),
        2
    );
    assert_eq!(code(&datapact(&["frobnicate"], &common::root())), 2);
    assert_eq!(code(&datapact(&[], &common::root())), 2);
}

#[test]
fn json_format() {
    let o = datapact(&["validate", "--format", "json", BAD], &common::root());
    assert_eq!(code(&o), 1);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("stdout is JSON");
    let d = &doc["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "unknown-key");
    assert_eq!(d["file"], BAD);
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(12), Some(5))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(12), Some(19))
    );
    assert_eq!(d["help"], "did you mean `accepted_values`?");
    assert_eq!(doc["summary"]["errors"], 1);
    assert_eq!(doc["summary"]["contracts"], 1);
    // Nothing else on stdout; nothing human on stderr.
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn github_format() {
    let o = datapact(&["validate", "--format", "github", BAD], &common::root());
    assert_eq!(code(&o), 1);
    assert_eq!(
        stdout(&o),
        format!(
            "::error file={BAD},line=12,col=5,endLine=12,endColumn=19,title=datapact unknown-key::\
             unknown key `acepted_values` in a column%0Ahelp: did you mean `accepted_values`?\n"
        )
    );
    let o = datapact(
        &[
            "validate",
            "--format",
            "github",
            "tests/fixtures/warning/no_owner_missing_owners.yaml",
        ],
        &common::root(),
    );
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).starts_with("::warning file="), "{}", stdout(&o));
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let o = datapact(&["validate", "--color", "always", BAD], &common::root());
    assert!(stderr(&o).contains('\x1b'), "no colour with --color always");
    let o = Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(["validate", "--color", "always", BAD])
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!stderr(&o).contains('\x1b'), "colour despite NO_COLOR");
    let o = datapact(&["validate", "--color", "never", BAD], &common::root());
    assert!(!stderr(&o).contains('\x1b'));
}

#[test]
fn help_documents_every_flag() {
    let root = common::root();
    for (args, flags) in [
        (
            vec!["--help"],
            vec![
                "--format",
                "--color",
                "--config",
                "init",
                "validate",
                "schema",
                "Exit codes",
            ],
        ),
        (
            vec!["validate", "--help"],
            vec!["--format", "--color", "--config", "[PATHS]"],
        ),
        (vec!["init", "--help"], vec!["--force", "[DIR]"]),
        (vec!["schema", "--help"], vec!["--out"]),
    ] {
        let o = datapact(&args, &root);
        assert_eq!(code(&o), 0);
        for flag in flags {
            assert!(
                stdout(&o).contains(flag),
                "`{}` does not document {flag}",
                args.join(" ")
            );
        }
    }
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("datapact-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn init_then_validate() {
    let dir = tempdir("init");
    let o = datapact(&["init"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.join("datapact.yaml").is_file());
    assert!(dir.join("contracts/example.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join("datapact.schema.json")).unwrap(),
        datapact::schema::json_schema()
    );
    let o = datapact(&["validate"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 contract in 1 file, 0 errors, 0 warnings"),
        "{}",
        stderr(&o)
    );
    // A second init refuses to overwrite; --force does.
    let o = datapact(&["init"], &dir);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--force"));
    assert_eq!(code(&datapact(&["init", "--force"], &dir)), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn project_file_paths_and_errors() {
    let dir = tempdir("project");
    std::fs::create_dir_all(dir.join("specs")).unwrap();
    std::fs::write(dir.join("specs/x.yaml"), datapact::cli::EXAMPLE_CONTRACT).unwrap();
    std::fs::write(dir.join("datapact.yaml"), "contracts: [specs]\n").unwrap();
    let o = datapact(&["validate"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(dir.join("datapact.yaml"), "contract: [specs]\n").unwrap();
    let o = datapact(&["validate"], &dir);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("datapact.yaml:1:1 error[unknown-key]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `contracts`?"),
        "{}",
        stderr(&o)
    );
    // --config names another file; a missing one is an IO error.
    assert_eq!(
        code(&datapact(&["validate", "--config", "nope.yaml"], &dir)),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn schema_command() {
    let o = datapact(&["schema"], &common::root());
    assert_eq!(code(&o), 0);
    let schema: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(jsonschema::meta::is_valid(&schema));
    assert_eq!(stdout(&o), datapact::schema::json_schema());
    let dir = tempdir("schema");
    let o = datapact(&["schema", "--out", "s.json"], &dir);
    assert_eq!(code(&o), 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("s.json")).unwrap(),
        datapact::schema::json_schema()
    );
    let _ = std::fs::remove_dir_all(&dir);
}
