//! Regression tests of the hostile-input review: each pins one way a
//! contract (which comes from a pull request by anyone), a file of the
//! repository or the output directory could make datapact run SQL, run
//! Jinja in dbt, write or delete outside its output directory, hang,
//! exhaust memory or drive the terminal. docs/architecture.md has the
//! threat model. The item numbers are those of the review.

mod common;
mod harness;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{datapact, stderr, stdout};

const HEAD: &str = "version: 1.0.0\nowners: [{name: T}]\n";

fn tempdir(name: &str) -> common::TempDir {
    common::tempdir(&format!("security-{name}"))
}

/// A contract `id` reading table `t`, with `rest` appended (YAML).
fn contract(id: &str, rest: &str) -> String {
    format!("contract: {id}\n{HEAD}dataset: {{name: t}}\n{rest}")
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn code(o: &Output) -> Option<i32> {
    o.status.code()
}

/// `datapact --color never <args>` in `dir`.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["--color", "never"];
    all.extend(args);
    datapact(&all, dir)
}

/// Every file under `dir` (hidden ones too, links as links) with its bytes.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            let bytes = if e.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(e.path()).unwrap().display()).into_bytes()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            (rel, bytes)
        })
        .collect();
    files.sort();
    files
}

/// The temporary files (`*.datapact-tmp`) under `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.ends_with(".datapact-tmp"))
        .collect()
}

fn symlink(target: impl AsRef<Path>, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Run `datapact <args>` in `dir`, killing it after `limit`: `None` if it
/// did not finish in time (it hung).
fn run_with_limit(dir: &Path, args: &[&str], limit: Duration) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(["--color", "never"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

// ---------------------------------------------------------------------------
// 1. SQL injection through NUL and control characters in names

#[test]
fn nul_in_a_column_name_is_refused_and_nothing_is_compiled() {
    let dir = tempdir("nul");
    // The reproduction: the NUL makes psql drop the rest of the line, so the
    // second name's quote closes early and its statement runs.
    let columns = "columns:\n  - {name: \"a\\0\", type: integer, required: true}\n  - {name: \" then 1 end)) select 1; drop table sentinel; --\", type: integer, required: true}\n";
    write(&dir.join("c/t.yaml"), &contract("t.x", columns));
    let o = run(
        &dir,
        &["compile", "c", "--dialect", "postgres", "--out", "build"],
    );
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(
            "c/t.yaml:6:12 error[control-character]: this value holds the control character U+0000"
        ),
        "{err}"
    );
    assert!(!dir.join("build").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn control_line_break_and_bidi_characters_in_names_are_refused() {
    let dir = tempdir("names");
    let cases = [
        // (column name as YAML, code, message part)
        ("\"a\\e[2Jb\"", "control-character", "U+001B"),
        ("\"a\\x85b\"", "control-character", "U+0085"),
        (
            "\"a\\u202Eb\"",
            "control-character",
            "bidirectional text control U+202E",
        ),
        ("\"a\\tb\"", "invalid-name", "a tab (U+0009)"),
        ("\"a\\nb\"", "invalid-name", "a line break (U+000A)"),
        ("\"a\\u2028b\"", "invalid-name", "a line break (U+2028)"),
        (
            "\"a\\u200Fb\"",
            "invalid-name",
            "an invisible direction mark (U+200F)",
        ),
    ];
    for (i, (name, code_name, part)) in cases.iter().enumerate() {
        let text = contract(
            &format!("t.c{i}"),
            &format!("columns:\n  - {{name: {name}, type: integer}}\n"),
        );
        write(&dir.join(format!("c{i}/t.yaml")), &text);
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(
            err.contains(&format!("error[{code_name}]")) && err.contains(part),
            "{name}: {err}"
        );
    }
    // Table, schema, database and referenced names too.
    let text = "contract: t.y\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {database: \"d\\nb\", schema: \"s\\tc\", name: \"n\\u2029\"}\n";
    write(&dir.join("d/t.yaml"), text);
    let o = run(&dir, &["validate", "d"]);
    assert_eq!(
        stderr(&o).matches("error[invalid-name]").count(),
        3,
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Whatever the IR holds, the SQL writers emit no control character.
#[test]
fn the_sql_writers_cannot_emit_control_characters() {
    use datapact::types::Dialect;
    let hostile = "a\0\u{1b}[2J\n\u{85}\u{202e}b";
    for &dialect in Dialect::ALL {
        let d = dialect.sql();
        for text in [d.quote_ident(hostile), d.string_literal(hostile)] {
            let bad: Vec<char> = text
                .chars()
                .filter(|&c| c != '\n' && (c.is_control() || c == '\u{202e}'))
                .collect();
            assert!(bad.is_empty(), "{dialect:?}: {text:?}");
        }
        assert!(!d.quote_ident(hostile).contains('\n'), "{dialect:?}");
    }
}

// ---------------------------------------------------------------------------
// 2. Symlinks at temporary names

#[test]
fn a_link_planted_at_a_temporary_name_is_never_followed() {
    let dir = tempdir("temp-links");
    let victim = dir.join("authorized_keys");
    std::fs::write(&victim, "ssh-ed25519 AAAA owner\n").unwrap();
    write(
        &dir.join("c/t.yaml"),
        &contract(
            "t.x",
            "columns: [{name: a, type: integer, required: true}]\n",
        ),
    );
    // Links at every name the old fixed-name scheme used, in every directory.
    let plant = |dir: &Path, name: &str| {
        std::fs::create_dir_all(dir).unwrap();
        symlink(&victim, &dir.join(format!(".{name}.datapact-tmp")));
    };
    let out = dir.join("build");
    plant(&out.join("sql/duckdb"), "t.x.sql");
    plant(&out.join("sql/duckdb/t.x"), "a__required.sql");
    plant(&out, "datapact-manifest.json");
    plant(&dir, "datapact.schema.json");
    plant(&dir.join("odcs"), "t.x.odcs.yaml");
    plant(&dir.join("init"), "datapact.yaml");
    for args in [
        &["compile", "c", "--dialect", "duckdb", "--out", "build"][..],
        &["schema", "--out", "datapact.schema.json"],
        &["convert", "c", "--to", "odcs", "--out", "odcs"],
        &["init", "init"],
    ] {
        let o = run(&dir, args);
        assert_eq!(code(&o), Some(0), "{args:?}: {}", stderr(&o));
    }
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "ssh-ed25519 AAAA owner\n"
    );
    assert!(dir.join("build/sql/duckdb/t.x.sql").is_file());
    assert!(dir.join("odcs/t.x.odcs.yaml").is_file());
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 3. Jinja injection through a dbt source table name

#[test]
fn a_quote_in_a_dbt_name_is_refused() {
    let dir = tempdir("dbt-names");
    let payload = "t') if log('PWNED-' ~ (7*191), info=True) == '' else source('s', 't";
    let cases = [
        format!("dataset: {{name: \"{payload}\", dbt: {{source: s}}}}\n"),
        "dataset: {name: t, dbt: {source: \"s'x\"}}\n".to_string(),
        "dataset: {name: t, dbt: {model: \"m\\\\x\"}}\n".to_string(),
        "dataset: {name: \"t{{x}}\", dbt: {source: s}}\n".to_string(),
    ];
    for (i, dataset) in cases.iter().enumerate() {
        let text = format!("contract: t.d{i}\n{HEAD}{dataset}");
        write(&dir.join(format!("c{i}/t.yaml")), &text);
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{dataset}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[invalid-name]")
                && stderr(&o).contains("which dbt cannot quote"),
            "{}",
            stderr(&o)
        );
    }
    // Such a table name is fine without dbt: the SQL target quotes it.
    let text = format!("contract: t.ok\n{HEAD}dataset: {{name: \"{payload}\"}}\n");
    write(&dir.join("ok/t.yaml"), &text);
    let o = run(&dir, &["validate", "ok"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A physical type goes into dbt's DDL as written: no statement ends there.
#[test]
fn a_physical_type_cannot_end_the_statement() {
    let dir = tempdir("physical-type");
    let columns = "columns:\n  - {name: a, type: integer, physical_type: {postgres: \"int); drop table t; --\"}}\n";
    write(&dir.join("c/t.yaml"), &contract("t.x", columns));
    let o = run(&dir, &["validate", "c"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[invalid-value]: a physical type cannot hold `;`"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 4. A line break in a contract's file name

#[test]
fn a_line_break_in_a_file_name_is_refused() {
    let dir = tempdir("file-name");
    let name = "x\nsources: [{name: s, tables: [{name: \"{{ log('PWNED') }}\"}]}]\n#.yaml";
    let text =
        contract("t.x", "").replace("dataset: {name: t}", "dataset: {name: t, dbt: {model: m}}");
    write(&dir.join("c").join(name), &text);
    write(&dir.join("c/ok.yaml"), &contract("t.ok", ""));
    let o = run(
        &dir,
        &[
            "compile",
            "c",
            "--target",
            "dbt",
            "--dbt-dialect",
            "duckdb",
            "--out",
            "build",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("error[io]: cannot read `c/x\\nsources: ")
            && err.contains("its name holds the control character U+000A"),
        "{err}"
    );
    // The name is shown on one line.
    assert!(!err.lines().any(|l| l.starts_with("sources:")), "{err}");
    assert!(!dir.join("build").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 5. Writes and deletes through a symlinked output subfolder

#[test]
fn a_symlinked_output_folder_is_refused() {
    let dir = tempdir("out-links");
    write(
        &dir.join("c/t.yaml"),
        &contract(
            "t.x",
            "columns: [{name: a, type: integer, required: true}]\n",
        ),
    );
    let elsewhere = dir.join("elsewhere");
    write(&elsewhere.join("t.x.sql"), "precious\n");
    write(&elsewhere.join("keep.txt"), "precious\n");
    // A manifest naming the victim, and the dialect folder a link to it.
    let out = dir.join("build");
    write(
        &out.join("datapact-manifest.json"),
        r#"{"files": ["sql/duckdb/t.x.sql", "sql/duckdb/keep.txt"]}"#,
    );
    std::fs::create_dir_all(out.join("sql")).unwrap();
    symlink(&elsewhere, &out.join("sql/duckdb"));
    let before = tree(&dir);
    let o = run(
        &dir,
        &["compile", "c", "--dialect", "duckdb", "--out", "build"],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[io]: `build/sql/duckdb` is a symbolic link: datapact writes only inside the output directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dir), before, "nothing may change");

    // The same inside a dbt project.
    let project = dir.join("project");
    write(&project.join("dbt_project.yml"), "name: p\n");
    std::fs::create_dir_all(project.join("models")).unwrap();
    symlink(&elsewhere, &project.join("models/datapact"));
    let text =
        contract("t.x", "").replace("dataset: {name: t}", "dataset: {name: t, dbt: {model: m}}");
    write(&dir.join("d/t.yaml"), &text);
    let before = tree(&dir);
    let o = run(
        &dir,
        &[
            "compile",
            "d",
            "--target",
            "dbt",
            "--dbt-dialect",
            "duckdb",
            "--dbt-project",
            "project",
        ],
    );
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`project/models/datapact` is a symbolic link"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dir), before, "nothing may change");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 6. Output paths of two contracts that collide

#[test]
fn colliding_output_paths_are_located_errors_before_writing() {
    let dir = tempdir("collisions");
    let rule = "columns: [{name: a, type: integer, required: true}]\n";
    write(&dir.join("c/x.yaml"), &contract("x", rule));
    write(&dir.join("c/xs.yaml"), &contract("x.sql", rule));
    let o = run(
        &dir,
        &["compile", "c", "--dialect", "duckdb", "--out", "build"],
    );
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("c/xs.yaml:1:11 error[path-collision]: `build/sql/duckdb/x.sql/a__required.sql` of contract `x.sql` needs a directory where there is `build/sql/duckdb/x.sql` of contract `x`"),
        "{err}"
    );
    assert!(
        err.contains("= note: c/x.yaml:1:11: the other contract"),
        "{err}"
    );
    assert!(!dir.join("build").exists());

    // A contract named like the docs index page.
    write(&dir.join("d/index.yaml"), &contract("index", rule));
    let o = run(
        &dir,
        &["compile", "d", "--target", "docs", "--out", "build"],
    );
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("d/index.yaml:1:11 error[path-collision]: `build/docs/html/index.html` of contract `index` has the same path as `build/docs/html/index.html` (a file of every run, not of one contract)"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.join("build").exists());

    // Renaming `x` to `x.sql`: the old file is removed before the new
    // directory takes its place.
    std::fs::remove_file(dir.join("c/xs.yaml")).unwrap();
    write(
        &dir.join("datapact.yaml"),
        "contracts: [c]\nout: build\ndialects: [duckdb]\n",
    );
    let o = run(&dir, &["compile"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    write(&dir.join("c/x.yaml"), &contract("x.sql", rule));
    let o = run(&dir, &["compile"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let files: Vec<String> = tree(&dir.join("build"))
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert_eq!(
        files,
        [
            "datapact-manifest.json",
            "sql/duckdb/x.sql.schema.sql",
            "sql/duckdb/x.sql.sql",
            "sql/duckdb/x.sql/a__required.sql"
        ]
    );
    let o = run(&dir, &["compile", "--check"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 7. A compile killed half-way

/// What an interrupted run leaves (temporaries, files its manifest marked
/// in progress lists) is reported by `--check` and removed by the next run.
#[test]
fn leftovers_of_an_interrupted_compile_are_found_and_removed() {
    let dir = tempdir("leftovers");
    write(
        &dir.join("c/t.yaml"),
        &contract(
            "t.x",
            "columns: [{name: a, type: integer, required: true}]\n",
        ),
    );
    write(
        &dir.join("datapact.yaml"),
        "contracts: [c]\nout: build\ndialects: [duckdb]\n",
    );
    let compile = ["compile"];
    let o = run(&dir, &compile);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let out = dir.join("build");
    write(
        &out.join("sql/duckdb/.t.x.sql.a8Kx31Qz.datapact-tmp"),
        "half a fi",
    );
    write(&out.join(".datapact-manifest.json.datapact-tmp"), "{");
    // The manifest of a run that wrote `orphan.sql` and died.
    write(&out.join("sql/duckdb/orphan.sql"), "select 1\n");
    write(
        &out.join("datapact-manifest.json"),
        "{\"files\": [\"sql/duckdb/orphan.sql\", \"sql/duckdb/t.x.sql\", \"sql/duckdb/t.x/a__required.sql\"], \"in_progress\": \"...\"}\n",
    );
    let mut check = compile.to_vec();
    check.push("--check");
    let o = run(&dir, &check);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "stale: build/datapact-manifest.json",
        "extra: build/.datapact-manifest.json.datapact-tmp",
        "extra: build/sql/duckdb/.t.x.sql.a8Kx31Qz.datapact-tmp",
        "extra: build/sql/duckdb/orphan.sql",
    ] {
        assert!(err.lines().any(|l| l == line), "{line}:\n{err}");
    }
    let o = run(&dir, &compile);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 removed"), "{}", stderr(&o));
    let files: Vec<String> = tree(&out).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        files,
        [
            "datapact-manifest.json",
            "sql/duckdb/t.x.schema.sql",
            "sql/duckdb/t.x.sql",
            "sql/duckdb/t.x/a__required.sql"
        ]
    );
    let o = run(&dir, &check);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `kill -9` at many moments of a large compile: whatever it left,
/// `--check` never calls it up to date unless it is, and the next run
/// leaves exactly the manifest's files.
#[test]
fn a_compile_killed_at_any_moment_is_cleaned_up_by_the_next() {
    let dir = tempdir("killed");
    for i in 0..300 {
        let columns = "columns: [{name: a, type: integer, required: true, unique: true}, {name: b, type: string, pattern: '[a-z]+'}]\n";
        write(
            &dir.join(format!("c/t{i}.yaml")),
            &contract(&format!("t.t{i}"), columns),
        );
    }
    write(
        &dir.join("datapact.yaml"),
        "contracts: [c]\nout: build\ntargets: [sql, docs]\n",
    );
    let out = dir.join("build");
    // How long a whole compile takes here.
    let start = Instant::now();
    let o = run(&dir, &["compile"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let full = start.elapsed();
    std::fs::remove_dir_all(&out).unwrap();
    for step in 1..=8u32 {
        // Change every contract so that every file is rewritten.
        for i in 0..300 {
            let text = contract(
                &format!("t.t{i}"),
                &format!(
                    "description: run {step}\ncolumns: [{{name: a, type: integer, required: true}}]\n"
                ),
            );
            write(&dir.join(format!("c/t{i}.yaml")), &text);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_datapact"))
            .arg("compile")
            .current_dir(&dir)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full * step / 8);
        let _ = child.kill();
        let _ = child.wait();
        let check = run(&dir, &["compile", "--check"]);
        let left = temporaries(&out);
        if code(&check) == Some(0) {
            assert!(left.is_empty(), "up to date with temporaries: {left:?}");
        }
        let o = run(&dir, &["compile"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        assert!(temporaries(&out).is_empty(), "{:?}", temporaries(&out));
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("datapact-manifest.json")).unwrap())
                .unwrap();
        let mut listed: Vec<String> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect();
        listed.push("datapact-manifest.json".into());
        listed.sort();
        let mut present: Vec<String> = tree(&out).into_iter().map(|(p, _)| p).collect();
        present.sort();
        assert_eq!(present, listed, "after the kill at step {step}");
        let o = run(&dir, &["compile", "--check"]);
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 8. Limits on every file read

#[test]
fn the_project_file_templates_and_manifest_are_read_with_limits() {
    let dir = tempdir("limits");
    write(&dir.join("c/t.yaml"), &contract("t.x", ""));
    let limit = Duration::from_secs(20);
    // A project file that is a link to an endless device, or a FIFO.
    symlink("/dev/zero", &dir.join("datapact.yaml"));
    let o = run_with_limit(&dir, &["validate"], limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot read `datapact.yaml`: not a regular file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.join("datapact.yaml")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("datapact.yaml"))
            .status()
            .unwrap()
            .success()
    );
    let o = run_with_limit(&dir, &["validate"], limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    std::fs::remove_file(dir.join("datapact.yaml")).unwrap();
    // Too large.
    std::fs::write(dir.join("datapact.yaml"), "#".repeat(5 << 20)).unwrap();
    let o = run_with_limit(&dir, &["validate"], limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("larger than the limit of 4194304 bytes for a project file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_file(dir.join("datapact.yaml")).unwrap();

    // A docs template that is a FIFO, or a link out of the templates folder.
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(templates.join("index.md"))
            .status()
            .unwrap()
            .success()
    );
    let docs = [
        "compile",
        "c",
        "--target",
        "docs",
        "--templates",
        "templates",
        "--out",
        "build",
    ];
    let o = run_with_limit(&dir, &docs, limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    std::fs::remove_file(templates.join("index.md")).unwrap();
    write(&dir.join("secret.txt"), "TOKEN=hunter2\n");
    symlink(dir.join("secret.txt"), &templates.join("index.md"));
    let o = run_with_limit(&dir, &docs, limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("a symbolic link out of the templates directory"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("hunter2") && !dir.join("build").exists());
    std::fs::remove_file(templates.join("index.md")).unwrap();

    // A manifest that is a FIFO.
    std::fs::create_dir_all(dir.join("build")).unwrap();
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("build/datapact-manifest.json"))
            .status()
            .unwrap()
            .success()
    );
    let o = run_with_limit(&dir, &["compile", "c", "--out", "build"], limit).expect("no hang");
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("datapact-manifest.json` cannot be read: not a regular file"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 9. Patterns engines refuse

/// A pattern over one dialect's regex limits would fail the whole check
/// query of its table there: refused at validation, naming the dialects.
/// (The limits themselves run on the engines: tests/engines/cases/limits.yaml.)
#[test]
fn patterns_over_a_dialects_regex_limits_are_refused() {
    let dir = tempdir("regex-limits");
    let columns = "columns:\n  - {name: a, type: string, pattern: '[a-z]{1,300}'}\n  - {name: b, type: string, pattern: 'a{1001}'}\n  - {name: c, type: string, pattern: '(x(a{100}){11})'}\n  - {name: d, type: string, pattern: '[a-z]{1,255}(?:(?:ab){10}){100}'}\n";
    write(&dir.join("c/t.yaml"), &contract("t.x", columns));
    let o = run(&dir, &["validate", "c"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    for line in [
        "c/t.yaml:6:39 error[regex-limit]: this pattern is too large for the regex engine of postgres, redshift",
        "c/t.yaml:7:39 error[regex-limit]: this pattern is too large for the regex engine of duckdb, bigquery, sqlserver, postgres, redshift",
        "c/t.yaml:8:42 error[regex-limit]: this pattern is too large for the regex engine of duckdb, bigquery, sqlserver",
    ] {
        assert!(err.lines().any(|l| l == line), "{line}\n{err}");
    }
    assert!(err.contains("nested repetitions make 1100 in all"), "{err}");
    assert_eq!(err.matches("error[regex-limit]").count(), 3, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 10. diff at the largest version

#[test]
fn diff_refuses_a_breaking_change_at_the_largest_version() {
    let dir = tempdir("max-version");
    for (old, new) in [
        ("18446744073709551615.0.0", "18446744073709551615.0.1"),
        ("0.18446744073709551615.0", "0.18446744073709551615.1"),
        ("18446744073709551615.5.5", "18446744073709551615.6.0"),
    ] {
        let text = |version: &str, columns: &str| {
            format!(
                "contract: t.x\nversion: {version}\nowners: [{{name: T}}]\ndataset: {{name: t}}\ncolumns: [{columns}]\n"
            )
        };
        write(
            &dir.join("old/t.yaml"),
            &text(old, "{name: a, type: integer}, {name: b, type: integer}"),
        );
        write(
            &dir.join("new/t.yaml"),
            &text(new, "{name: a, type: integer}"),
        );
        let o = run(&dir, &["diff", "old", "new"]);
        assert_eq!(code(&o), Some(1), "{old}: {}", stdout(&o));
        assert!(
            stdout(&o)
                .contains("and none exists: the number to raise is the largest a version can hold"),
            "{old}: {}",
            stdout(&o)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 11. Terminal control sequences

#[test]
fn terminal_control_sequences_are_never_printed() {
    let dir = tempdir("terminal");
    let text = "contract: \"e.x\\e[2J\\e]0;owned\\a\"\nversion: 1.0.0\nowners: [{name: \"\\e]52;c;ZWNobyBwd25lZA==\\a\"}]\ndataset: {name: t}\ncolums: []\n";
    write(&dir.join("c/t.yaml"), text);
    // A raw escape in the file itself, shown in the snippet.
    write(
        &dir.join("c/u.yaml"),
        "contract: u.x\nversion: 1.0.0\nowners: [{name: T}]\ndataset: {name: \"a\u{1b}[31mb\"}\n",
    );
    for format in ["human", "github", "json"] {
        let o = run(&dir, &["--format", format, "validate", "c"]);
        assert_eq!(code(&o), Some(1), "{}", stderr(&o));
        for output in [&o.stdout, &o.stderr] {
            assert!(
                !output.contains(&0x1b) && !output.contains(&0x07),
                "{format}: {}",
                String::from_utf8_lossy(output)
            );
        }
    }
    let o = run(&dir, &["validate", "c"]);
    assert!(
        stderr(&o).contains("error[control-character]"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 12. A manifest entry naming a folder

#[test]
fn a_manifest_entry_naming_a_folder_fails_before_writing() {
    let dir = tempdir("manifest-folder");
    write(&dir.join("c/t.yaml"), &contract("t.x", ""));
    let out = dir.join("build");
    write(&out.join("sql/duckdb/folder/keep.txt"), "mine\n");
    write(
        &out.join("datapact-manifest.json"),
        r#"{"files": ["sql/duckdb/folder"]}"#,
    );
    write(
        &dir.join("datapact.yaml"),
        "contracts: [c]\nout: build\ndialects: [duckdb]\n",
    );
    let before = tree(&dir);
    let o = run(&dir, &["compile"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("`build/sql/duckdb/folder` is not a regular file, where datapact writes (or would remove) one of its files"),
        "{}",
        stderr(&o)
    );
    assert_eq!(tree(&dir), before, "nothing may change, no temporary left");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 13. An invalid `datapactContract` in ODCS

#[test]
fn an_invalid_contract_id_in_a_standard_file_is_an_error() {
    let dir = tempdir("odcs-id");
    for (i, id) in ["../../x", "Shop.Orders", "con.orders"].iter().enumerate() {
        let text = format!(
            "apiVersion: v3.0.2\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\nschema:\n  - name: orders\n    customProperties:\n      - {{property: datapactContract, value: \"{id}\"}}\n    properties:\n      - {{name: a, logicalType: integer}}\n"
        );
        write(&dir.join(format!("c{i}/orders.odcs.yaml")), &text);
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{id}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "c{i}/orders.odcs.yaml:9:45 error[invalid-contract-id]: invalid contract id `{id}`"
            )),
            "{id}: {}",
            stderr(&o)
        );
    }
    let text = "dataContractSpecification: 1.1.0\nid: x\ninfo: {title: X, version: 1.0.0}\nmodels:\n  orders:\n    config: {datapactContract: \"a..b\"}\n    fields: {a: {type: integer}}\n";
    write(&dir.join("d/orders.dcs.yaml"), text);
    let o = run(&dir, &["validate", "d"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[invalid-contract-id]: invalid contract id `a..b`"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 14. Symlinked contract files and folders

#[test]
fn links_in_a_contract_folder_are_followed_inside_and_reported_outside() {
    let dir = tempdir("contract-links");
    let c = dir.join("contracts");
    write(&c.join("a.yaml"), &contract("t.a", ""));
    // Inside: a link to a file in a hidden folder (not walked itself).
    write(&c.join(".versions/b.yaml"), &contract("t.b", ""));
    symlink(".versions/b.yaml", &c.join("b.yaml"));
    // Outside: a file and a folder elsewhere on the machine.
    write(
        &dir.join("secrets/credentials.yaml"),
        "aws_secret_access_key: hunter2\n",
    );
    symlink(dir.join("secrets/credentials.yaml"), &c.join("c.yaml"));
    symlink(dir.join("secrets"), &c.join("more"));
    // A loop.
    symlink(".", &c.join("loop"));
    let o = run(&dir, &["validate", "contracts"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("cannot read `contracts/c.yaml`: it is a symbolic link to"),
        "{err}"
    );
    assert!(
        err.contains("cannot read `contracts/more`: it is a symbolic link to"),
        "{err}"
    );
    assert!(
        err.contains("cannot read `contracts/loop`: a symbolic link loop"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(
        err.contains("validate failed: 2 contracts in 2 files"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 16. The message of the size limit

#[test]
fn a_file_of_too_many_values_names_the_limit_it_reached() {
    let mut text = contract("t.x", "columns:\n");
    for i in 0..70_000 {
        text.push_str(&format!("  - {{name: c{i}, type: integer}}\n"));
    }
    let mut sources = datapact::source::Sources::new();
    sources.add("big.yaml", text);
    let checked = datapact::check(&sources);
    let messages: Vec<&str> = checked
        .diagnostics
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "document is too large: more than 200000 values (keys, values and collections), the limit of one file"
        ]
    );
}

// ---------------------------------------------------------------------------
// 17. Windows device names

#[test]
fn windows_device_names_are_refused_as_ids_and_check_names() {
    let dir = tempdir("devices");
    for (i, id) in ["con", "nul.aux", "prn.x", "com1.orders", "lpt9"]
        .iter()
        .enumerate()
    {
        write(&dir.join(format!("c{i}/t.yaml")), &contract(id, ""));
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{id}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("a name Windows reserves for a device"),
            "{id}: {}",
            stderr(&o)
        );
    }
    let checks =
        "columns: [{name: a, type: integer}]\nchecks:\n  - {name: aux, expression: a > 0}\n";
    write(&dir.join("d/t.yaml"), &contract("t.x", checks));
    let o = run(&dir, &["validate", "d"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("error[invalid-check-name]: invalid check name `aux`"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("e.g. `aux_check`"), "{}", stderr(&o));
    // Names that only start like a device are fine.
    write(
        &dir.join("e/t.yaml"),
        &contract(
            "console.nullable",
            "columns: [{name: a, type: integer}]\nchecks:\n  - {name: aux1, expression: a > 0}\n",
        ),
    );
    let o = run(&dir, &["validate", "e"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 18. A second statement in user SQL

#[test]
fn a_second_statement_in_user_sql_is_refused() {
    let dir = tempdir("statements");
    let cases = [
        (
            "columns: [{name: a, type: integer, min: {value: 0, where: \"a > 0) ; drop table sentinel; --\"}}]\n",
            "c/t.yaml:5:67",
        ),
        (
            "columns: [{name: a, type: integer}]\nchecks:\n  - {name: c, expression: \"a > 0 \\\\! touch /tmp/x\"}\n",
            "c/t.yaml:7:34",
        ),
        (
            "columns: [{name: a, type: integer}]\nchecks:\n  - name: c\n    sql: |\n      select * from {{ table }} where a < 0;\n      drop table sentinel;\n",
            "c/t.yaml:9:44",
        ),
        (
            "columns: [{name: a, type: integer}]\nchecks:\n  - name: c\n    sql: \"select * from {{ table }}\\nGO\\ndrop table sentinel\"\n",
            "c/t.yaml:8:38",
        ),
        // A `;` even inside a literal: a reader that ends the literal
        // elsewhere (a dollar-quote tag of any letter, `1$$`, a backtick
        // to PostgreSQL) would run what follows.
        (
            "columns: [{name: a, type: string}]\nchecks:\n  - {name: c, expression: \"a <> $é$ ' $é$) ; drop table victim; -- '\"}\n",
            "c/t.yaml:7:44",
        ),
        (
            "columns: [{name: a, type: string}]\nchecks:\n  - {name: c, expression: \"a not like '%;%'\"}\n",
            "c/t.yaml:7:41",
        ),
        // A `\\` in a literal after a `$`: psql could see it outside.
        (
            "columns: [{name: a, type: integer}]\nchecks:\n  - {name: c, expression: \"a = 1$$ ' $$ \\\\! touch /tmp/x '\"}\n",
            "c/t.yaml:7:41",
        ),
    ];
    for (rest, at) in cases {
        write(&dir.join("c/t.yaml"), &contract("t.x", rest));
        let o = run(&dir, &["compile", "c", "--out", "build"]);
        assert_eq!(code(&o), Some(1), "{rest}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{at} error[multiple-statements]")),
            "{rest}: {}",
            stderr(&o)
        );
        assert!(!dir.join("build").exists());
    }
    // One statement, a `\\` in a string, a final `;`, a comment: fine.
    let rest = "columns: [{name: a, type: string}]\nchecks:\n  - {name: c, expression: \"a !~ '^\\\\d+$'\"}\n  - name: d\n    sql: |\n      -- rows with a comma in a\n      select * from {{ table }} where a like '%,%';\n";
    write(&dir.join("c/t.yaml"), &contract("t.x", rest));
    let o = run(&dir, &["validate", "c"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// 1 and 18, end to end: hostile names and text that validation lets through
// (they are quoted, escaped, or inside a literal or comment) run under
// `psql -f` as the one query they are, and nothing else.

/// `psql` from the PATH, else from the newest server's binaries.
fn psql() -> Option<PathBuf> {
    let on_path = Command::new("psql")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if on_path {
        return Some(PathBuf::from("psql"));
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| Some(e.ok()?.path().join("bin/psql")))
        .filter(|p| p.is_file())
        .collect();
    found.sort();
    found.pop()
}

#[test]
fn hostile_names_and_text_run_as_one_query_under_psql() {
    if !harness::available(harness::Engine::Postgres) {
        return;
    }
    let dsn = std::env::var("DATAPACT_PG_DSN").unwrap();
    let psql = psql().expect("psql (scripts/install installs PostgreSQL)");
    let dir = tempdir("psql");
    let canary = dir.join("pwned");
    let shell = format!("\\! touch {}", canary.display());
    let schema = format!("sec_{}", std::process::id());
    // A YAML double-quoted string.
    let yq = |text: &str| format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let (name_yaml, shell_yaml) = (yq(&format!("x{shell}")), yq(&shell));
    // Every name and text here is valid: it must stay a name or a text.
    let contract_text = format!(
        r#"contract: t.hostile
version: 1.0.0
owners: [{{name: T}}]
dataset: {{schema: {schema}, name: "t; drop table sentinel"}}
columns:
  - {{name: " then 1 end)) select 1; drop table sentinel; --", type: integer, required: true}}
  - name: {name_yaml}
    type: string
    accepted_values: ["'; drop table sentinel; --", {shell_yaml}, "$$; drop table sentinel; $$"]
    pattern: '[^;]*'
  - {{name: note, type: string}}
checks:
  - name: one
    expression: |
      note not like '%{shell}%' -- a comment {shell}
      or note is null
  - name: two
    sql: |
      -- rows whose text holds a comma
      select * from {{{{ table }}}} where note like '%,%';
"#
    );
    write(&dir.join("c/t.yaml"), &contract_text);
    let o = run(
        &dir,
        &["compile", "c", "--dialect", "postgres", "--out", "build"],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let q = |name: &str| datapact::types::Dialect::Postgres.sql().quote_ident(name);
    let setup = format!(
        "create schema {s}; create table {s}.sentinel (x int); \
         create table {s}.{t} ({a} integer, {x} text, note text); \
         insert into {s}.{t} values (1, '''; drop table sentinel; --', 'a;b'), (null, 'a;b', null);",
        s = q(&schema),
        t = q("t; drop table sentinel"),
        a = q(" then 1 end)) select 1; drop table sentinel; --"),
        x = q(&format!("x{shell}")),
    );
    let psql_run = |args: &[&str]| {
        Command::new(&psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", &dsn])
            .args(args)
            .output()
            .unwrap()
    };
    let o = psql_run(&["-c", &setup]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir.join("build/sql/postgres"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    assert!(files.len() >= 4, "{files:?}");
    let mut outputs = Vec::new();
    for file in &files {
        let o = psql_run(&["-f", file.to_str().unwrap()]);
        outputs.push((file.clone(), o.status.success(), stdout(&o), stderr(&o)));
    }
    let tables = psql_run(&[
        "-A",
        "-t",
        "-c",
        &format!("select count(*) from information_schema.tables where table_schema = '{schema}'"),
    ]);
    let _ = psql_run(&["-c", &format!("drop schema {} cascade", q(&schema))]);
    for (file, ok, out, err) in &outputs {
        assert!(ok, "{}: {err}", file.display());
        // One result per file: no second statement ran.
        assert!(
            !out.contains("SELECT 1") && !out.contains("DROP"),
            "{}: {out}",
            file.display()
        );
    }
    assert_eq!(stdout(&tables).trim(), "2", "the sentinel table is gone");
    assert!(!canary.exists(), "psql ran a shell command");
    std::fs::remove_dir_all(&dir).unwrap();
}

// ---------------------------------------------------------------------------
// Found by the second, adversarial review.

/// The table's quoted name may hold `'` and `;`: pasted inside a string
/// literal, a quoted name or a comment, it could end it and start a second
/// statement. `{{ table }}` is allowed only as SQL text (and in `--`
/// comments, which no name can end: names hold no line break).
#[test]
fn a_placeholder_inside_a_literal_or_comment_is_refused() {
    let dir = tempdir("placeholder");
    let schema = "main' = ''; create table pwned as select 42 as y; select '";
    for (i, (sql, col)) in [
        ("select 1 as x where '{{ table }}' = ''", 32),
        // Through the YAML's escapes, at the placeholder.
        ("select 1 as x from \\\"{{ table }}\\\"", 32),
        ("select 1 as x /* {{ table }} */ from t", 28),
        ("select $$ {{ table }} $$ as x", 21),
    ]
    .iter()
    .enumerate()
    {
        let text = format!(
            "contract: t.p{i}\n{HEAD}dataset: {{schema: \"{schema}\", name: t}}\ncolumns: [{{name: a, type: integer}}]\nchecks:\n  - name: c\n    sql: \"{sql}\"\n"
        );
        write(&dir.join(format!("c{i}/p.yaml")), &text);
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{sql}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "c{i}/p.yaml:8:{col} error[multiple-statements]: this sql check holds `{{{{ table }}}}` inside a string, quoted name or comment"
            )),
            "{sql}: {}",
            stderr(&o)
        );
    }
    // As SQL text and in a `--` comment it is what it always was.
    let text = format!(
        "contract: t.ok\n{HEAD}dataset: {{schema: \"{schema}\", name: t}}\ncolumns: [{{name: a, type: integer}}]\nchecks:\n  - name: c\n    sql: |\n      -- reads {{{{ table }}}}\n      select * from {{{{ table }}}} where a < 0\n"
    );
    write(&dir.join("ok/p.yaml"), &text);
    let o = run(&dir, &["validate", "ok"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The dbt writer marks where a relation goes before escaping the text for
/// Jinja; no contract text can forge such a mark.
#[test]
fn contract_text_cannot_forge_the_dbt_writers_marks() {
    let dir = tempdir("dbt-marks");
    let text = format!(
        "contract: t.m\n{HEAD}dataset: {{name: t, dbt: {{model: m}}}}\ncolumns: [{{name: a, type: integer}}]\nchecks:\n  - name: forged\n    sql: |\n      select * from {{{{ table }}}} where 'DATAPACTTABLEMARK' = '{{DATAPACTTABLEMARK'\n  - name: forged_scan\n    expression: \"'DATAPACTRELATIONMARK0X' <> ''\"\n"
    );
    write(&dir.join("c/m.yaml"), &text);
    // (mode, test file, the relations it reads)
    for (mode, file, relations) in [
        ("per_rule", "t_m__forged.sql", 1),
        ("single_scan", "t_m__checks.sql", 2),
    ] {
        let out = format!("build-{mode}");
        let o = run(
            &dir,
            &[
                "compile",
                "c",
                "--target",
                "dbt",
                "--dbt-dialect",
                "duckdb",
                "--dbt-tests",
                mode,
                "--out",
                &out,
            ],
        );
        assert_eq!(code(&o), Some(0), "{}", stderr(&o));
        let path = dir.join(&out).join("dbt/tests/datapact/t.m").join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.matches("{{ ref('m') }}").count(), relations, "{text}");
        assert!(!text.contains("{{{"), "{text}");
        assert!(
            text.contains("where 'DATAPACTTABLEMARK' = '{DATAPACTTABLEMARK'"),
            "{text}"
        );
        if mode == "single_scan" {
            assert!(text.contains("'DATAPACTRELATIONMARK0X' <> ''"), "{text}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// ODCS `physicalType`, its `datapactPhysicalTypes` and DCS
/// `config.<dialect>Type` get the check native `physical_type` gets: dbt
/// writes them into DDL.
#[test]
fn physical_types_from_odcs_and_dcs_are_checked() {
    let dir = tempdir("foreign-physical");
    let odcs = |property: &str| {
        format!(
            "apiVersion: v3.0.2\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\nservers: [{{server: prod, type: duckdb, environment: prod, database: db, schema: main}}]\nschema:\n  - name: orders\n    properties:\n      - name: a\n        logicalType: integer\n{property}"
        )
    };
    write(
        &dir.join("a/orders.odcs.yaml"),
        &odcs("        physicalType: \"integer); create table pwned (x int); --\"\n"),
    );
    write(
        &dir.join("b/orders.odcs.yaml"),
        &odcs(
            "        customProperties:\n          - {property: datapactPhysicalTypes, value: {postgres: \"int; drop table x\"}}\n",
        ),
    );
    write(
        &dir.join("c/orders.dcs.yaml"),
        "dataContractSpecification: 1.1.0\nid: x\ninfo: {title: X, version: 1.0.0}\nmodels:\n  orders:\n    fields: {a: {type: integer, config: {postgresType: \"int; drop table x\"}}}\n",
    );
    for folder in ["a", "b", "c"] {
        let o = run(&dir, &["validate", folder]);
        assert_eq!(code(&o), Some(1), "{folder}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("error[invalid-value]: a physical type cannot hold `;`"),
            "{folder}: {}",
            stderr(&o)
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// sqlcmd (SQL Server) and SnowSQL run lines of their own: `:r`, `:out`,
/// `!! shell`, `exit`, `GO` with a comment, `!system`; sqlcmd replaces
/// `$(name)` with a variable or an environment value. None may come from a
/// contract.
#[test]
fn client_commands_and_variables_are_refused_in_user_sql_and_names() {
    let dir = tempdir("sqlcmd");
    let cases = [
        (
            "where: \"a > 0\\n!! touch /tmp/pwned #\"",
            "a line a SQL client runs as its own command",
        ),
        (
            "where: \"a > 0\\n  :r /etc/passwd\"",
            "a line a SQL client runs as its own command",
        ),
        (
            "where: \"a > 0\\nexit(select 1)\"",
            "a line a SQL client runs as its own command",
        ),
        (
            "where: \"a > 0\\n!system touch /tmp/pwned\"",
            "a line a SQL client runs as its own command",
        ),
        (
            "where: \"a > 0\\nGO -- end of batch\\nand 1 = 1\"",
            "a line `GO`",
        ),
        (
            "where: \"note = '$(SQLCMDPASSWORD)'\"",
            "`$(`, which sqlcmd replaces",
        ),
    ];
    for (i, (rule, message)) in cases.iter().enumerate() {
        let text = contract(
            &format!("t.s{i}"),
            &format!(
                "columns: [{{name: a, type: integer}}, {{name: note, type: string}}]\nrow_count: {{min: 1, {rule}}}\n"
            ),
        );
        write(&dir.join(format!("c{i}/s.yaml")), &text);
        let o = run(&dir, &["validate", &format!("c{i}")]);
        assert_eq!(code(&o), Some(1), "{rule}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!(
                "error[multiple-statements]: the row_count `where` filter holds {message}"
            )),
            "{rule}: {}",
            stderr(&o)
        );
    }
    let text = contract(
        "t.n",
        "columns: [{name: \"x$(SQLCMDPASSWORD)\", type: integer}]\n",
    );
    write(&dir.join("n/n.yaml"), &text);
    let o = run(&dir, &["validate", "n"]);
    assert_eq!(code(&o), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("n/n.yaml:5:20 error[invalid-name]: this column name holds `$(`"),
        "{}",
        stderr(&o)
    );
    // Values are data: in SQL Server's files no line starts inside a
    // literal, and no `$(` is left for sqlcmd.
    let text = contract(
        "t.v",
        "columns: [{name: note, type: string, accepted_values: [\"x\\nGO\\n:r /etc/passwd\\n!! id\", \"$(SQLCMDPASSWORD)\"]}]\n",
    );
    write(&dir.join("v/v.yaml"), &text);
    let o = run(
        &dir,
        &["compile", "v", "--dialect", "sqlserver", "--out", "build"],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let files = tree(&dir.join("build"));
    assert!(files.iter().any(|(p, _)| p.ends_with(".sql")), "{files:?}");
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("$("), "{path}: {text}");
        for line in text.lines() {
            let line = line.trim_start();
            assert!(
                !(line.starts_with("GO") || line.starts_with(':') || line.starts_with('!')),
                "{path}: {line}"
            );
        }
        if path.ends_with(".sql") && text.contains("accepted") {
            assert!(text.contains("N'x' + NCHAR(10) + N'GO'"), "{path}: {text}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `init` writes below its folder: a committed `contracts` link to another
/// folder is refused, not written through.
#[test]
fn init_does_not_write_through_a_linked_folder() {
    let dir = tempdir("init-link");
    std::fs::create_dir_all(dir.join("victim")).unwrap();
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    symlink("../victim", &dir.join("repo/contracts"));
    let o = run(&dir.join("repo"), &["init"]);
    assert_eq!(code(&o), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "not writing through `contracts`, which is not a folder but a link or a file"
        ),
        "{}",
        stderr(&o)
    );
    assert!(tree(&dir.join("victim")).is_empty());
    assert!(
        !dir.join("repo/datapact.yaml").exists(),
        "nothing is written"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Generated files get the mode any new file gets (0666 less the umask),
/// not the owner-only mode of a temporary file: web servers, CI and other
/// users read them.
#[test]
fn generated_files_get_the_mode_of_new_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir("modes");
    write(
        &dir.join("c/t.yaml"),
        &contract("t.x", "columns: [{name: a, type: integer}]\n"),
    );
    let o = run(
        &dir,
        &["compile", "c", "--dialect", "duckdb", "--out", "build"],
    );
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    let o = run(&dir, &["schema", "--out", "schema.json"]);
    assert_eq!(code(&o), Some(0), "{}", stderr(&o));
    // A file this process creates gets 0666 less the same umask.
    std::fs::write(dir.join("plain"), "").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let expected = mode(&dir.join("plain"));
    let mut files: Vec<PathBuf> = tree(&dir.join("build"))
        .into_iter()
        .map(|(p, _)| dir.join("build").join(p))
        .collect();
    files.push(dir.join("schema.json"));
    for file in files {
        assert_eq!(mode(&file), expected, "{}", file.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A line break in a value cannot fake a line of `diff`'s report (say, an
/// "ok" verdict under a failing one): each change is one line.
#[test]
fn a_line_break_in_a_value_stays_inside_its_diff_line() {
    let dir = tempdir("diff-lines");
    let text = |version: &str, values: &str| {
        format!(
            "contract: t.x\nversion: {version}\nowners: [{{name: T}}]\ndataset: {{name: t}}\ncolumns: [{{name: a, type: string, accepted_values: [{values}]}}]\n"
        )
    };
    write(&dir.join("old/t.yaml"), &text("1.0.0", "\"x\""));
    write(
        &dir.join("new/t.yaml"),
        &text(
            "1.0.1",
            "\"x\", \"y\\nt.x (1.0.0 -> 1.0.1): ok: nothing breaks\"",
        ),
    );
    let o = run(&dir, &["diff", "old", "new"]);
    let out = stdout(&o);
    assert!(
        !out.lines()
            .any(|l| l.starts_with("t.x (1.0.0 -> 1.0.1): ok")),
        "{out}"
    );
    assert!(
        out.contains("y\\nt.x (1.0.0 -> 1.0.1): ok: nothing breaks"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
