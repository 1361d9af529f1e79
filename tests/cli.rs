//! The built binary, as users and CI run it: exit codes, formats, colour, init, schema.

mod common;

use common::{datapact, stderr, stdout};

use std::path::Path;
use std::process::{Command, Output};

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
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
fn each_command_offers_only_its_own_formats_with_examples() {
    let root = common::root();
    let help = |command: &str| {
        let o = datapact(&[command, "--help"], &root);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    for (command, takes, not) in [
        (
            "init",
            &["human", "json", "github"][..],
            &["markdown", "junit", "html", "sarif"][..],
        ),
        (
            "schema",
            &["human", "json", "github"],
            &["markdown", "junit", "html", "sarif"],
        ),
        (
            "validate",
            &["human", "json", "github", "sarif"],
            &["markdown", "junit", "html"],
        ),
        (
            "diff",
            &["human", "json", "github", "markdown", "sarif"],
            &["junit", "html"],
        ),
        (
            "run",
            &["human", "json", "github", "markdown", "junit"],
            &["html", "sarif"],
        ),
        (
            "report",
            &["human", "json", "markdown", "html"],
            &["github", "junit", "sarif"],
        ),
    ] {
        let text = help(command);
        let formats = text
            .split("--format <FORMAT>")
            .nth(1)
            .and_then(|rest| rest.split("\n  -").next())
            .unwrap_or_else(|| panic!("{command}: no --format in\n{text}"));
        for format in takes {
            assert!(
                formats.contains(&format!("- {format}:")),
                "{command} lacks {format}:\n{formats}"
            );
        }
        for format in not {
            assert!(
                !formats.contains(format),
                "{command} offers {format}:\n{formats}"
            );
        }
        assert!(
            text.contains(&format!("Examples:\n  datapact {command}")),
            "{command}:\n{text}"
        );
    }
    // Before or after the command, the same.
    let after = datapact(&["validate", "--format", "json", BAD], &root);
    let before = datapact(&["--format", "json", "validate", BAD], &root);
    assert_eq!(after.stdout, before.stdout);
    assert!(after.stdout.starts_with(b"{"));
    // A format the command does not take is a usage error naming the ones it does.
    let o = datapact(&["init", "--format", "markdown"], &root);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("[possible values: human, json, github]"),
        "{}",
        stderr(&o)
    );
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
                "compile",
                "convert",
                "Exit codes",
            ],
        ),
        (
            vec!["validate", "--help"],
            vec!["--format", "--color", "--config", "[PATHS]"],
        ),
        (vec!["init", "--help"], vec!["--force", "[DIR]"]),
        (vec!["schema", "--help"], vec!["--out"]),
        (
            vec!["compile", "--help"],
            vec![
                "--target",
                "--dialect",
                "--out",
                "--check",
                "[PATHS]",
                "--dbt-dialect",
                "--dbt-tests",
                "--dbt-enforce-contracts",
                "--dbt-project",
                "--templates",
            ],
        ),
        (
            vec!["convert", "--help"],
            vec!["--to", "--out", "--force", "[PATHS]"],
        ),
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

fn tempdir(name: &str) -> common::TempDir {
    common::tempdir(&format!("cli-{name}"))
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
        datapact::syntax::schema::json_schema()
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
    // The example follows the advice of docs/contract-format.md: a pattern
    // without anchors (it matches the whole value) and without `\s`.
    let example = std::fs::read_to_string(dir.join("contracts/example.yaml")).unwrap();
    let pattern = example
        .lines()
        .find(|l| l.trim_start().starts_with("pattern:"))
        .unwrap();
    let value = pattern.split('\'').nth(1).unwrap();
    assert!(
        !value.starts_with('^') && !value.ends_with('$') && !value.contains("\\s"),
        "{pattern}"
    );
    assert!(example.contains("  dbt: {model: orders}\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_in_a_dbt_project_binds_no_model() {
    let dir = tempdir("init-dbt");
    std::fs::write(dir.join("dbt_project.yml"), "name: shop\nprofile: shop\n").unwrap();
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(dir.join("models/orders.sql"), "select 1 as order_id\n").unwrap();
    let o = datapact(&["init"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("this is a dbt project (dbt_project.yml)"),
        "{}",
        stderr(&o)
    );
    let example = std::fs::read_to_string(dir.join("contracts/example.yaml")).unwrap();
    assert!(!example.contains("dbt:"), "{example}");
    // It validates, and `validate .` at the dbt project's root skips dbt's files.
    let o = datapact(&["validate", "."], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("1 contract in 1 file, 0 errors, 0 warnings; skipped 1 YAML file"),
        "{}",
        stderr(&o)
    );
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
    assert_eq!(stdout(&o), datapact::syntax::schema::json_schema());
    let dir = tempdir("schema");
    let o = datapact(&["schema", "--out", "s.json"], &dir);
    assert_eq!(code(&o), 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("s.json")).unwrap(),
        datapact::syntax::schema::json_schema()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every file under `dir`, relative, sorted, with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn compile_project(name: &str) -> common::TempDir {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    for entry in std::fs::read_dir(common::root().join("contracts/shop")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join("contracts").join(path.file_name().unwrap())).unwrap();
    }
    dir
}

#[test]
fn compile_writes_sql_per_dialect_and_check_is_exact() {
    let dir = compile_project("compile");
    let o = datapact(
        &["compile", "--dialect", "postgres,duckdb", "--out", "out"],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let out = dir.join("out");
    assert!(out.join("sql/postgres/shop.orders.sql").is_file());
    assert!(
        out.join("sql/duckdb/shop.orders/order_id__unique.sql")
            .is_file()
    );
    assert!(!out.join("sql/postgres/shop.orders/row_count.sql").exists());
    assert!(!out.join("sql/snowflake").exists());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("datapact-manifest.json")).unwrap())
            .unwrap();
    let listed = manifest["files"].as_array().unwrap().len();
    let first = tree(&out);
    assert_eq!(
        listed + 1,
        first.len(),
        "the manifest lists every other file"
    );

    // A second run is byte-identical and rewrites nothing.
    let o = datapact(
        &["compile", "--dialect", "postgres,duckdb", "--out", "out"],
        &dir,
    );
    assert!(
        stderr(&o).contains("compile wrote 0 files"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&out), first);
    let check = |dir: &Path| {
        datapact(
            &[
                "compile",
                "--check",
                "--dialect",
                "postgres,duckdb",
                "--out",
                "out",
            ],
            dir,
        )
    };
    assert_eq!(code(&check(&dir)), 0);

    // A user's own file in the output directory is never touched.
    std::fs::write(out.join("sql/postgres/mine.sql"), "select 1\n").unwrap();
    // Stale, missing and extra files are each reported, and --check writes nothing.
    std::fs::write(out.join("sql/postgres/shop.orders.sql"), "-- edited\n").unwrap();
    std::fs::remove_file(out.join("sql/duckdb/shop.customers.sql")).unwrap();
    std::fs::remove_file(dir.join("contracts/payments.yaml")).unwrap();
    let before = tree(&out);
    let o = check(&dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("stale: out/sql/postgres/shop.orders.sql"),
        "{err}"
    );
    assert!(
        err.contains("missing: out/sql/duckdb/shop.customers.sql"),
        "{err}"
    );
    assert!(
        err.contains("extra: out/sql/duckdb/shop.payments.sql"),
        "{err}"
    );
    assert!(
        err.contains("extra: out/sql/postgres/shop.payments/payment_id__unique.sql"),
        "{err}"
    );
    assert!(err.contains("stale: out/datapact-manifest.json"), "{err}");
    assert!(!err.contains("mine.sql"), "{err}");
    assert_eq!(tree(&out), before, "--check wrote nothing");

    // JSON lists the same.
    let o = datapact(
        &[
            "compile",
            "--check",
            "--format",
            "json",
            "--dialect",
            "postgres,duckdb",
            "--out",
            "out",
        ],
        &dir,
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc["check"]["up_to_date"], false);
    assert_eq!(doc["check"]["stale"].as_array().unwrap().len(), 2);
    assert_eq!(doc["summary"]["errors"], 0);

    // Compiling again removes exactly the files of the removed contract.
    let o = datapact(
        &["compile", "--dialect", "postgres,duckdb", "--out", "out"],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!out.join("sql/duckdb/shop.payments.sql").exists());
    assert!(
        !out.join("sql/postgres/shop.payments").exists(),
        "its emptied directory goes too"
    );
    assert!(out.join("sql/postgres/mine.sql").is_file());
    assert_eq!(code(&check(&dir)), 0);

    // Compiling one dialect leaves the other dialect's files alone.
    let o = datapact(&["compile", "--dialect", "postgres", "--out", "out"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(out.join("sql/duckdb/shop.orders.sql").is_file());

    // Compiling some contracts (paths given) leaves the others' files alone.
    let compile_two = || {
        let o = datapact(
            &[
                "compile",
                "contracts/orders.yaml",
                "contracts/customers.yaml",
                "--dialect",
                "postgres",
                "--out",
                "out",
            ],
            &dir,
        );
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(stderr(&o).contains("0 removed"), "{}", stderr(&o));
    };
    compile_two();
    assert!(out.join("sql/postgres/shop.products.sql").is_file());

    // A contract owns its own files, not those of a contract whose files'
    // names extend its own (`shop.orders.sql` and `shop.orders.sqlx.sql`).
    let orders = std::fs::read_to_string(dir.join("contracts/orders.yaml")).unwrap();
    let longer = orders
        .replacen("contract: shop.orders\n", "contract: shop.orders.sqlx\n", 1)
        .replacen("model: fct_orders\n", "model: fct_orders_sqlx\n", 1);
    assert_ne!(orders, longer);
    std::fs::write(dir.join("contracts/orders_sql.yaml"), longer).unwrap();
    let o = datapact(&["compile", "--dialect", "postgres", "--out", "out"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let theirs = [
        "sql/postgres/shop.orders.sqlx.sql",
        "sql/postgres/shop.orders.sqlx.schema.sql",
        "sql/postgres/shop.orders.sqlx/order_id__unique.sql",
    ];
    for path in theirs {
        assert!(out.join(path).is_file(), "{path}");
    }
    compile_two();
    for path in theirs {
        assert!(out.join(path).is_file(), "{path}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_writes_nothing_on_contract_errors() {
    let dir = compile_project("compile-errors");
    std::fs::copy(common::root().join(BAD), dir.join("contracts/bad.yaml")).unwrap();
    let o = datapact(&["compile", "--out", "out"], &dir);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("error[unknown-key]"), "{}", stderr(&o));
    assert!(!dir.join("out").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_refuses_a_manifest_pointing_outside() {
    let dir = compile_project("compile-manifest");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    std::fs::write(
        dir.join("out/datapact-manifest.json"),
        r#"{"files": ["sql/duckdb/../../keep.txt"]}"#,
    )
    .unwrap();
    let o = datapact(&["compile", "--out", "out", "--dialect", "duckdb"], &dir);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not a relative path inside the output directory"),
        "{}",
        stderr(&o)
    );
    assert!(dir.join("keep.txt").is_file());
    assert!(!dir.join("out/sql").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compile_reads_defaults_from_the_project_file() {
    let dir = compile_project("compile-project");
    std::fs::write(
        dir.join("datapact.yaml"),
        "contracts: [contracts]\nout: generated\ntargets: [sql]\ndialects: [trino, sqlserver]\n",
    )
    .unwrap();
    let o = datapact(&["compile"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.join("generated/sql/trino/shop.orders.sql").is_file());
    assert!(
        dir.join("generated/sql/sqlserver/shop.orders.sql")
            .is_file()
    );
    assert!(!dir.join("generated/sql/duckdb").exists());
    // Flags override it.
    let o = datapact(
        &["compile", "--dialect", "all", "--out", "everything"],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    for &d in datapact::types::Dialect::ALL {
        assert!(
            dir.join("everything/sql")
                .join(d.name())
                .join("shop.orders.sql")
                .is_file()
        );
    }
    // Unknown dialects are located errors with a hint, on the flag and in the file.
    std::fs::write(dir.join("datapact.yaml"), "dialects: [postgresql]\n").unwrap();
    let o = datapact(&["compile"], &dir);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("datapact.yaml:1:12 error[unknown-dialect]"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `postgres`?"),
        "{}",
        stderr(&o)
    );
    let o = datapact(
        &["compile", "--dialect", "oracle", "--config", "none.yaml"],
        &dir,
    );
    assert_eq!(code(&o), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_then_compile() {
    let dir = tempdir("init-compile");
    assert_eq!(code(&datapact(&["init"], &dir)), 0);
    let o = datapact(&["compile"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(dir.join("build/sql/duckdb/shop.orders.sql").is_file());
    assert_eq!(code(&datapact(&["compile", "--check"], &dir)), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn dbt_target_is_portable_without_a_dialect() {
    let dir = compile_project("dbt-dialect");
    // No dialect: files for every adapter, without per-adapter column types.
    let o = datapact(&["compile", "--target", "dbt"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let path = dir.join("build/dbt/models/datapact/shop.customers.yml");
    let yml = std::fs::read_to_string(&path).unwrap();
    assert!(!yml.contains("data_type:"), "portable:\n{yml}");
    let pattern =
        std::fs::read_to_string(dir.join("build/dbt/macros/datapact/datapact_pattern.sql"))
            .unwrap();
    for implementation in ["default__", "duckdb__", "bigquery__", "sqlserver__"] {
        assert!(pattern.contains(implementation), "{implementation}");
    }
    // With one: that adapter's types, and its SQL only.
    let o = datapact(
        &["compile", "--target", "dbt", "--dbt-dialect", "postgres"],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let yml = std::fs::read_to_string(&path).unwrap();
    assert!(yml.contains("data_type: text"), "postgres types:\n{yml}");
    let pattern =
        std::fs::read_to_string(dir.join("build/dbt/macros/datapact/datapact_pattern.sql"))
            .unwrap();
    assert!(!pattern.contains("duckdb__"), "{pattern}");
    // Enforced model contracts name types: they need the adapter.
    let o = datapact(
        &["compile", "--target", "dbt", "--dbt-enforce-contracts"],
        &dir,
    );
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("enforced model contracts need the dialect of your dbt adapter"),
        "{}",
        stderr(&o)
    );
}

/// dbt takes one properties entry per node: two contracts bound to one
/// model are refused in `validate`, both bindings shown.
#[test]
fn two_contracts_bound_to_one_dbt_node_are_refused() {
    let dir = compile_project("dbt-twice");
    let orders = std::fs::read_to_string(dir.join("contracts/orders.yaml")).unwrap();
    let copy = orders.replacen("contract: shop.orders\n", "contract: shop.orders_copy\n", 1);
    std::fs::write(dir.join("contracts/orders_copy.yaml"), copy).unwrap();
    let o = datapact(&["validate"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[dbt-node-twice]: contracts `shop.orders` and `shop.orders_copy` are both bound to dbt node `fct_orders`"),
        "{err}"
    );
    assert!(err.contains("contracts/orders_copy.yaml:27:12"), "{err}");
    assert!(
        err.contains("contracts/orders.yaml:27:12: first bound here"),
        "{err}"
    );
}

#[test]
fn dbt_project_gets_only_datapact_folders() {
    let dir = compile_project("dbt-project");
    let project = dir.join("analytics");
    // Not a dbt project (yet): refused, nothing written.
    std::fs::create_dir_all(project.join("models")).unwrap();
    let args = [
        "compile",
        "--target",
        "dbt",
        "--dbt-dialect",
        "duckdb",
        "--dbt-project",
        "analytics",
    ];
    let o = datapact(&args, &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`analytics` is not a dbt project: it holds no dbt_project.yml"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&project), vec![]);
    // A directory that is not there is named so, not "not a dbt project".
    let mut missing = args;
    missing[6] = "analytcs";
    let o = datapact(&missing, &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`analytcs` does not exist"),
        "{}",
        stderr(&o)
    );

    std::fs::write(project.join("dbt_project.yml"), "name: analytics\n").unwrap();
    std::fs::write(project.join("models/mine.sql"), "select 1\n").unwrap();
    let o = datapact(&args, &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = tree(&project);
    for (path, _) in &files {
        assert!(
            ["models/datapact/", "macros/datapact/", "tests/datapact/"]
                .iter()
                .any(|owned| path.starts_with(owned))
                || path == "dbt_project.yml"
                || path == "models/mine.sql",
            "wrote {path} outside the datapact folders"
        );
    }
    assert!(
        files
            .iter()
            .any(|(p, _)| p == "models/datapact/datapact-manifest.json")
    );
    assert!(
        files
            .iter()
            .any(|(p, _)| p == "models/datapact/shop.orders.yml")
    );
    assert!(files.iter().any(|(p, _)| p
        == "tests/datapact/shop.order_items/shop_order_items__line_numbers_contiguous.sql"));
    assert!(!dir.join("build").exists(), "no SQL target, no build/");

    // Up to date; a second run writes nothing.
    let mut check = args.to_vec();
    check.push("--check");
    assert_eq!(code(&datapact(&check, &dir)), 0);
    let o = datapact(&args, &dir);
    assert!(
        stderr(&o).contains("compile wrote 0 files"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&project), files);

    // A removed contract's files go; the user's own files stay.
    std::fs::remove_file(dir.join("contracts/order_items.yaml")).unwrap();
    let o = datapact(&check, &dir);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains(
            "extra: analytics/tests/datapact/shop.order_items/shop_order_items__line_numbers_contiguous.sql"
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(code(&datapact(&args, &dir)), 0);
    assert!(
        !project
            .join("models/datapact/shop.order_items.yml")
            .exists()
    );
    assert!(
        !project.join("tests/datapact").exists(),
        "emptied folder removed"
    );
    assert!(
        project.join("tests").is_dir(),
        "the project's own folder stays"
    );
    assert!(project.join("models/mine.sql").exists());

    // Single-scan mode from the project file: one test per dataset.
    std::fs::write(
        dir.join("datapact.yaml"),
        "dbt_tests: single_scan\ndbt_dialect: duckdb\ndbt_project: analytics\ntargets: [dbt]\n",
    )
    .unwrap();
    let o = datapact(&["compile"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let tests: Vec<String> = tree(&project.join("tests/datapact"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        tests,
        [
            "shop.customers/shop_customers__checks.sql",
            "shop.orders/shop_orders__checks.sql",
            "shop.payments/shop_payments__checks.sql",
            "shop.products/shop_products__checks.sql",
            "shop.web_events/shop_web_events__checks.sql"
        ]
    );
    let yml = std::fs::read_to_string(project.join("models/datapact/shop.orders.yml")).unwrap();
    assert!(!yml.contains("data_tests"), "{yml}");

    // A misspelt mode is a located error with a suggestion.
    std::fs::write(dir.join("datapact.yaml"), "dbt_tests: single-scan\n").unwrap();
    let o = datapact(&["compile"], &dir);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("invalid dbt_tests `single-scan`"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("did you mean `single_scan`?"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn dbt_test_names_must_not_clash() {
    let dir = tempdir("dbt-clash");
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    for (file, id, name) in [("a.yaml", "a.b_c", "t1"), ("b.yaml", "a_b.c", "t2")] {
        std::fs::write(
            dir.join("contracts").join(file),
            format!(
                "contract: {id}\nversion: 1.0.0\nowners: [{{name: x}}]\n\
                 dataset: {{name: {name}, dbt: {{model: {name}}}}}\n\
                 columns:\n  - name: id\n    type: integer\n    required: true\n"
            ),
        )
        .unwrap();
    }
    let o = datapact(&["compile", "--target", "dbt", "--dialect", "duckdb"], &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "contracts `a.b_c` and `a_b.c` both give a dbt test the name `a_b_c__id__required`"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("build").exists(), "nothing written");

    // Within one contract: a nested rule's path in a dbt name's characters.
    std::fs::remove_file(dir.join("contracts/b.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/a.yaml"),
        "contract: a.b_c\nversion: 1.0.0\nowners: [{name: x}]\n\
         dataset: {name: t1, dbt: {model: t1}}\n\
         columns:\n  - {name: a, type: struct, fields: [{name: b, type: integer, min: 0}]}\n\
         \x20 - {name: c, type: integer, min: {value: 1, name: a__b__min}}\n",
    )
    .unwrap();
    let o = datapact(&["compile", "--target", "dbt", "--dialect", "duckdb"], &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "checks `a.b__min` and `a__b__min` of `a.b_c` both give a dbt test the name `a_b_c__a__b__min`"
        ),
        "{}",
        stderr(&o)
    );
}

/// What `--dbt-project` reads of the project, without dbt: paths that
/// leave the project are refused (exit 2); a snapshot defined in the
/// project's YAML cannot be bound, and the help says why; property files
/// datapact generated under an older path are not the project's.
#[test]
fn the_dbt_project_is_read_before_writing() {
    let dir = compile_project("dbt-read");
    let project = dir.join("analytics");
    std::fs::create_dir_all(project.join("models")).unwrap();
    let args = ["compile", "--target", "dbt", "--dbt-project", "analytics"];
    std::fs::write(
        project.join("dbt_project.yml"),
        "name: analytics\nmodel-paths: ['..\\\\shared']\n",
    )
    .unwrap();
    let o = datapact(&args, &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "error[invalid-value]: `model-paths` must list folders inside the dbt project"
        ) && stderr(&o).contains("analytics/dbt_project.yml:2:15"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&project).len(), 1, "nothing written");

    // A datapact file left under the old model path is not a clash; a
    // snapshot the project defines in YAML is.
    std::fs::write(
        project.join("dbt_project.yml"),
        "name: analytics\nmodel-paths: [src, models]\n",
    )
    .unwrap();
    std::fs::create_dir_all(project.join("models/datapact")).unwrap();
    std::fs::write(
        project.join("models/datapact/shop.orders.yml"),
        "# dbt properties of shop.orders 1.0.0, from contracts/orders.yaml.\n# Generated by datapact; do not edit.\nversion: 2\nmodels:\n  - name: fct_orders\n",
    )
    .unwrap();
    let orders = std::fs::read_to_string(dir.join("contracts/orders.yaml")).unwrap();
    std::fs::write(
        dir.join("contracts/orders.yaml"),
        orders.replacen("model: fct_orders\n", "snapshot: orders_history\n", 1),
    )
    .unwrap();
    std::fs::write(
        project.join("models/snapshots.yml"),
        "snapshots:\n  - name: orders_history\n    relation: ref('fct_orders')\n    config: {unique_key: order_id, strategy: check, check_cols: all}\n",
    )
    .unwrap();
    let o = datapact(&args, &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[dbt-node-twice]: contract `shop.orders` is bound to dbt snapshot `orders_history`, which `analytics/models/snapshots.yml` already describes"),
        "{err}"
    );
    assert!(
        err.contains("that entry defines the snapshot (`relation:`)"),
        "{err}"
    );
    assert_eq!(
        err.matches("error[dbt-node-twice]").count(),
        1,
        "datapact's own old file is no clash: {err}"
    );
    std::fs::remove_file(project.join("models/snapshots.yml")).unwrap();
    let o = datapact(&args, &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(project.join("src/datapact/shop.orders.yml").is_file());
}

/// B4: the generated files do not depend on the working directory. A
/// compile run from `/` with `--config` writes the same bytes as one run
/// in the project, so `compile --check` there finds nothing stale.
#[test]
fn output_is_the_same_from_any_working_directory() {
    let dir = common::tempdir("cli-cwd");
    let project = dir.as_path().canonicalize().unwrap();
    std::fs::create_dir_all(project.join("contracts")).unwrap();
    std::fs::copy(
        common::root().join("tests/fixtures/valid/dbt_source.yaml"),
        project.join("contracts/source.yaml"),
    )
    .unwrap();
    std::fs::write(
        project.join("datapact.yaml"),
        "contracts: [contracts]\nout: build\ntargets: [sql, dbt, docs]\ndialects: [postgres]\n",
    )
    .unwrap();
    let in_project = datapact(&["compile"], &project);
    assert_eq!(code(&in_project), 0, "{}", common::stderr(&in_project));
    let read_all = |dir: &std::path::Path| {
        let mut files = std::collections::BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.insert(path.clone(), std::fs::read(&path).unwrap());
                }
            }
        }
        files
    };
    let first = read_all(&project.join("build"));
    let config = project.join("datapact.yaml");
    let elsewhere = datapact(
        &["--config", config.to_str().unwrap(), "compile"],
        Path::new("/"),
    );
    assert_eq!(code(&elsewhere), 0, "{}", common::stderr(&elsewhere));
    let second = read_all(&project.join("build"));
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(
            second[path] == *bytes,
            "{} differs when compiled from /:\n{}",
            path.display(),
            String::from_utf8_lossy(&second[path])
        );
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains(project.to_str().unwrap()),
            "{}",
            path.display()
        );
    }
    let check = datapact(&["compile", "--check"], &project);
    assert_eq!(code(&check), 0, "{}", common::stderr(&check));
}

/// A project: datapact.yaml, and `shop.orders` referencing `shop.customers`,
/// whose file also has a problem of its own (no owner).
fn referencing_project(name: &str) -> common::TempDir {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join("contracts")).unwrap();
    std::fs::write(dir.join("datapact.yaml"), "contracts: [contracts]\n").unwrap();
    std::fs::write(
        dir.join("contracts/customers.yaml"),
        "contract: shop.customers\nversion: 1.0.0\ndataset: {name: customers}\ncolumns: [{name: id, type: integer, unique: true}]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("contracts/orders.yaml"),
        "contract: shop.orders\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: orders}\ncolumns:\n  - {name: id, type: integer}\n  - {name: customer_id, type: integer, references: shop.customers.id}\n",
    )
    .unwrap();
    dir
}

#[test]
fn one_file_is_checked_with_the_project_as_context() {
    let dir = referencing_project("context");
    // The reference resolves; the other file's warning is not this file's.
    let o = datapact(&["validate", "contracts/orders.yaml"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "validate ok: 1 contract in 1 file, 0 errors, 0 warnings; read 1 other file of the project for references"
        ),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("no-owner"), "{}", stderr(&o));
    // So do convert, compile and the JSON summary.
    let o = datapact(&["convert", "contracts/orders.yaml", "--to", "odcs"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("id: shop.orders"));
    let o = datapact(
        &[
            "compile",
            "contracts/orders.yaml",
            "--target",
            "sql",
            "--dialect",
            "duckdb",
        ],
        &dir,
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let o = datapact(
        &["validate", "--format", "json", "contracts/orders.yaml"],
        &dir,
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 1);
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 0, "{doc}");
    // A new version of a project contract, kept elsewhere, stands in for
    // it: no "declared twice".
    std::fs::create_dir_all(dir.join("drafts")).unwrap();
    std::fs::copy(
        dir.join("contracts/orders.yaml"),
        dir.join("drafts/orders.yaml"),
    )
    .unwrap();
    let o = datapact(&["validate", "drafts/orders.yaml"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A mistake in the file given is reported as ever.
    std::fs::write(
        dir.join("drafts/orders.yaml"),
        "contract: shop.orders\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: orders}\ncolumns: [{name: customer_id, type: integer, references: shop.customer.id}]\n",
    )
    .unwrap();
    let o = datapact(&["validate", "drafts/orders.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[unknown-contract]"),
        "{}",
        stderr(&o)
    );
    // Outside a project, the file is all there is.
    std::fs::remove_file(dir.join("datapact.yaml")).unwrap();
    let o = datapact(&["validate", "contracts/orders.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[unknown-contract]"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_directory_walk_skips_files_that_are_not_contracts() {
    let dir = referencing_project("not-contracts");
    // A dbt project at the root, and datapact's own output under build/.
    let files = [
        (
            "dbt_project.yml",
            "name: shop\nversion: \"1.0\"\nconfig-version: 2\nprofile: shop\n",
        ),
        (
            "profiles.yml",
            "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n",
        ),
        (
            "models/schema.yml",
            "version: 2\nmodels:\n  - name: orders\n",
        ),
        ("build/datapact-manifest.json", "{}\n"),
        (
            "build/odcs/shop.orders.odcs.yaml",
            "apiVersion: v3.1.0\nkind: DataContract\nid: shop.orders\n",
        ),
    ];
    for (path, text) in files {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.join(path), text).unwrap();
    }
    let o = datapact(&["validate", "."], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("validate ok: 2 contracts in 2 files, 0 errors, 1 warning; skipped 4 YAML files that are not contracts or that datapact wrote"),
        "{}",
        stderr(&o)
    );
    // A contract that lost its id is still read, to say so.
    std::fs::write(
        dir.join("contracts/typo.yaml"),
        "contarct: shop.x\nversion: 1.0.0\ncolumns: [{name: id, type: integer}]\n",
    )
    .unwrap();
    let o = datapact(&["validate", "."], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("contracts/typo.yaml:1:1 error[unknown-key]"),
        "{}",
        stderr(&o)
    );
    // Named files too (a pre-commit hook names every YAML file changed):
    // with nothing else to check, nothing is wrong.
    let o = datapact(&["validate", "profiles.yml", "dbt_project.yml"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("validate ok: 0 contracts in 0 files, 0 errors, 0 warnings; skipped 2 YAML files that are not contracts or that datapact wrote"),
        "{}",
        stderr(&o)
    );
    // Only files that are not contracts: said so.
    let o = datapact(&["validate", "models"], &dir);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o)
            .contains("no contract files (*.yaml, *.yml) under models (the one YAML file there is not a contract)"),
        "{}",
        stderr(&o)
    );
}

/// Compiling for dbt, a contract bound to no dbt node gets a located
/// warning saying the dbt target writes nothing for it, in the spelling of
/// its format and naming the project's node of the table's name; `dbt:
/// false` (ODCS `datapactDbt: false`) says it is not part of the project,
/// and survives conversion both ways.
#[test]
fn contracts_without_a_dbt_node_are_named_when_compiling_for_dbt() {
    let dir = common::tempdir("no-dbt-node");
    let project = dir.join("shop");
    std::fs::create_dir_all(project.join("target")).expect("mkdir");
    std::fs::write(
        project.join("dbt_project.yml"),
        "name: shop\nversion: '1.0'\nprofile: shop\n",
    )
    .expect("write");
    std::fs::write(
        project.join("target/manifest.json"),
        r#"{"nodes": {"model.shop.orders": {"resource_type": "model", "name": "orders"}}}"#,
    )
    .expect("write");
    let contracts = dir.join("contracts");
    std::fs::create_dir_all(&contracts).expect("mkdir");
    std::fs::write(
        contracts.join("sales.odcs.yaml"),
        "apiVersion: v3.1.0\nkind: DataContract\nid: sales\nversion: 1.0.0\nstatus: active\n\
         schema:\n  - name: orders\n    properties:\n      - name: id\n        logicalType: integer\n  \
         - name: refunds\n    customProperties:\n      - property: datapactDbt\n        value: \"false\"\n    \
         properties:\n      - name: id\n        logicalType: integer\n",
    )
    .expect("write");
    std::fs::write(
        contracts.join("customers.yaml"),
        "contract: crm.customers\nversion: 1.0.0\nowners: [{name: CRM}]\ndataset:\n  schema: crm\n  name: customers\ncolumns:\n  - {name: id, type: integer}\n",
    )
    .expect("write");
    std::fs::write(
        contracts.join("leads.yaml"),
        "contract: crm.leads\nversion: 1.0.0\nowners: [{name: CRM}]\ndataset:\n  name: leads\n  dbt: false\ncolumns:\n  - {name: id, type: integer}\n",
    )
    .expect("write");
    let o = datapact(
        &[
            "compile",
            "contracts",
            "--target",
            "dbt",
            "--dbt-project",
            "shop",
        ],
        &dir,
    );
    let err = stderr(&o);
    assert_eq!(code(&o), 0, "warnings only: {err}");
    assert_eq!(err.matches("warning[no-dbt-node]").count(), 2, "{err}");
    assert!(
        err.contains("contracts/sales.odcs.yaml:7:11 warning[no-dbt-node]: contract `sales.orders` is bound to no dbt node, so the dbt target writes nothing for it"),
        "{err}"
    );
    assert!(
        err.contains("help: the dbt project has a model `orders`: add the custom property `datapactDbtModel: orders` to this schema object"),
        "{err}"
    );
    assert!(
        err.contains("contracts/customers.yaml:5:3 warning[no-dbt-node]: contract `crm.customers` is bound to no dbt node")
            && err.contains("help: add `dbt: {model: <model name>}` under `dataset:`"),
        "{err}"
    );
    assert!(
        !err.contains("sales.refunds") && !err.contains("crm.leads"),
        "{err}"
    );
    assert!(
        err.contains("compile ok: 4 contracts in 3 files, 0 errors, 4 warnings"),
        "{err}"
    );

    // Not a dbt target: nothing to say.
    let o = datapact(&["compile", "contracts", "--target", "sql"], &dir);
    assert!(!stderr(&o).contains("no-dbt-node"), "{}", stderr(&o));

    // Anything but `false` is an error where it is written.
    std::fs::write(
        dir.join("bad.odcs.yaml"),
        "apiVersion: v3.1.0\nkind: DataContract\nid: bad\nversion: 1.0.0\nstatus: active\n\
         schema:\n  - name: t\n    customProperties:\n      - property: datapactDbt\n        value: orders\n",
    )
    .expect("write");
    let o = datapact(&["validate", "bad.odcs.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "bad.odcs.yaml:10:16 error[invalid-value]: `datapactDbt` is `false` or absent"
        ),
        "{}",
        stderr(&o)
    );

    std::fs::write(
        dir.join("both.odcs.yaml"),
        "apiVersion: v3.1.0\nkind: DataContract\nid: both\nversion: 1.0.0\nstatus: active\n\
         schema:\n  - name: t\n    customProperties:\n      - property: datapactDbtModel\n        value: t\n      \
         - property: datapactDbt\n        value: false\n",
    )
    .expect("write");
    let o = datapact(&["validate", "both.odcs.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("both.odcs.yaml:12:16 error[conflicting-keys]: `datapactDbt: false` and `datapactDbtModel` both given"),
        "{}",
        stderr(&o)
    );

    // `false` is kept by conversion both ways.
    let o = datapact(&["convert", "contracts/leads.yaml", "--to", "odcs"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let odcs = stdout(&o);
    assert!(
        odcs.contains("- property: datapactDbt\n        value: false"),
        "{odcs}"
    );
    std::fs::write(dir.join("leads.odcs.yaml"), &odcs).expect("write");
    let o = datapact(&["convert", "leads.odcs.yaml", "--to", "native"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("dbt: false}"), "{}", stdout(&o));
}

/// A warning repeated across many contracts is printed once in full and
/// then counted, with its first places; `--quiet` prints errors only,
/// `--max-diagnostics` caps what is printed, and JSON keeps every one.
#[test]
fn a_flood_of_one_warning_is_summed_up() {
    let dir = common::tempdir("warning-flood");
    for i in 0..6 {
        std::fs::write(
            dir.join(format!("t{i}.yaml")),
            format!("contract: flood.t{i}\nversion: 1.0.0\ndataset: {{name: t{i}}}\ncolumns:\n  - {{name: id, type: integer}}\n"),
        )
        .expect("write");
    }
    std::fs::write(
        dir.join("bad.yaml"),
        "contract: flood.bad\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: bad}\ncolumns:\n  - {name: id, type: integeer}\n",
    )
    .expect("write");

    let o = datapact(&["validate", "."], &dir);
    let err = stderr(&o);
    assert_eq!(code(&o), 1, "{err}");
    assert_eq!(err.matches("error[invalid-type]").count(), 1, "{err}");
    assert_eq!(
        err.matches(" warning[no-owner]: this contract names no owner")
            .count(),
        1,
        "{err}"
    );
    assert!(
        err.contains("datapact warning[no-owner]: 5 more warnings with this code, in 5 files: t1.yaml:1:11, t2.yaml:1:11, t3.yaml:1:11, …\n"),
        "{err}"
    );
    assert!(
        err.contains("`--format json` lists every diagnostic"),
        "{err}"
    );
    assert!(
        err.contains("validate failed: 7 contracts in 7 files, 1 error, 6 warnings"),
        "{err}"
    );

    let o = datapact(&["validate", ".", "--quiet"], &dir);
    let err = stderr(&o);
    assert!(
        err.contains("error[invalid-type]") && !err.contains("warning["),
        "{err}"
    );
    assert!(err.contains("1 error, 6 warnings"), "counted still: {err}");

    // Errors first; the summed-up warnings are counted too.
    let o = datapact(&["--max-diagnostics", "1", "validate", "."], &dir);
    let err = stderr(&o);
    assert!(
        err.contains("error[invalid-type]") && !err.contains("warning["),
        "{err}"
    );
    assert!(
        err.contains("6 more diagnostics not shown (0 errors, 6 warnings; --max-diagnostics 1)"),
        "{err}"
    );
    let o = datapact(&["--max-diagnostics", "2", "validate", "."], &dir);
    let err = stderr(&o);
    assert!(
        err.contains("error[invalid-type]") && err.contains("t0.yaml:1:11 warning[no-owner]"),
        "{err}"
    );
    assert!(
        err.contains("5 more diagnostics not shown (0 errors, 5 warnings; --max-diagnostics 2)"),
        "{err}"
    );

    let o = datapact(&["validate", ".", "--format", "github", "-q"], &dir);
    let out = stdout(&o);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("::error file=bad.yaml,"), "{out}");

    let o = datapact(
        &[
            "validate",
            ".",
            "--format",
            "json",
            "--quiet",
            "--max-diagnostics",
            "0",
        ],
        &dir,
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(
        doc["diagnostics"].as_array().expect("list").len(),
        7,
        "JSON is complete"
    );
}

/// A compile of the same inputs whose files are as the last compile left
/// them is not rendered again: the stamp under `.datapact/` vouches for
/// them by size and modification time. Any other change takes the full
/// path, which renders and compares every file.
#[test]
fn a_compile_that_changes_nothing_trusts_its_stamp() {
    let dir = common::tempdir("compile-stamp");
    std::fs::create_dir_all(dir.join("contracts")).expect("mkdir");
    let contract = |min: u32| {
        format!(
            "contract: s.t\nversion: 1.0.0\nowners: [{{name: T}}]\ndataset: {{name: t}}\ncolumns:\n  - {{name: n, type: integer, min: {min}}}\n"
        )
    };
    std::fs::write(dir.join("contracts/t.yaml"), contract(0)).expect("write");
    let compile = |extra: &[&str]| {
        let mut args = vec!["compile", "--target", "sql", "--dialect", "duckdb"];
        args.extend(extra);
        let o = datapact(&args, &dir);
        assert!(code(&o) <= 1, "{}", stderr(&o));
        stderr(&o)
    };
    assert!(compile(&[]).contains("compile wrote 4 files to build (0 unchanged, 0 removed)"));
    let stamp = dir.join(".datapact/compile.stamp");
    assert!(stamp.is_file(), "a writing compile leaves a stamp");
    assert_eq!(
        std::fs::read_to_string(dir.join(".datapact/.gitignore")).expect("read"),
        "# datapact's own files (drivers, the compile stamp)\n*\n"
    );

    // A file changed behind the stamp's back, keeping its size and time,
    // is trusted: this is how the re-run is shown to render nothing.
    let sql = dir.join("build/sql/duckdb/s.t.sql");
    let text = std::fs::read_to_string(&sql).expect("read");
    let time = std::fs::metadata(&sql)
        .and_then(|m| m.modified())
        .expect("time");
    let swapped = text.replacen("select", "SELECT", 1);
    assert_ne!(swapped, text);
    std::fs::write(&sql, &swapped).expect("write");
    let file = std::fs::File::options()
        .write(true)
        .open(&sql)
        .expect("open");
    file.set_modified(time).expect("set time");
    drop(file);
    assert!(compile(&[]).contains("compile wrote 0 files to build (4 unchanged, 0 removed)"));
    assert!(compile(&["--check"]).contains("compile --check ok"));
    assert_eq!(std::fs::read_to_string(&sql).expect("read"), swapped);

    // Touched: the full path finds it and writes it again.
    let file = std::fs::File::options()
        .write(true)
        .open(&sql)
        .expect("open");
    file.set_modified(std::time::SystemTime::now())
        .expect("set time");
    drop(file);
    assert!(compile(&["--check"]).contains("stale: build/sql/duckdb/s.t.sql"));
    assert!(compile(&[]).contains("compile wrote 1 file to build (3 unchanged, 0 removed)"));
    assert_eq!(std::fs::read_to_string(&sql).expect("read"), text);

    // Other inputs (a changed contract, another target) take the full path.
    std::fs::write(dir.join("contracts/t.yaml"), contract(1)).expect("write");
    assert!(compile(&["--check"]).contains("stale: build/sql/duckdb/s.t.sql"));
    assert!(compile(&[]).contains("compile wrote 2 files to build (2 unchanged, 0 removed)"));
    assert!(
        compile(&["--dialect", "postgres"])
            .contains("compile wrote 4 files to build (3 unchanged, 0 removed)")
    );

    // `--check` writes no stamp; a writing compile removes it before it
    // starts, so an interrupted one leaves none.
    std::fs::remove_file(&stamp).expect("remove");
    assert!(compile(&["--check", "--dialect", "postgres"]).contains("compile --check ok"));
    assert!(!stamp.exists());
}
