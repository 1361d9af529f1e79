//! datapact in other tools' pipelines: the pre-commit hooks of
//! .pre-commit-hooks.yaml run by pre-commit itself (from PyPI, next to
//! `DATAPACT_PYTHON`), and the GitHub Action's steps (action.yml calls
//! scripts/action) run as a script with GitHub's environment, on a fixture
//! git repository with a base branch.
//!
//! pre-commit is found next to `DATAPACT_PYTHON` (scripts/install's venv);
//! without it the hook test skips, unless DATAPACT_REQUIRE_ENGINES=1.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{root, tempdir};

fn bin_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_datapact"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// `PATH` with the built datapact first.
fn path_with_datapact() -> String {
    format!(
        "{}:{}",
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

const ORDERS: &str = "contract: shop.orders
version: 1.0.0
owners: [{name: Shop Team}]
dataset: {name: orders, path: data/orders.csv}
columns:
  - {name: id, type: integer, required: true}
  - {name: customer_id, type: integer, references: shop.customers.id}
  - {name: amount, type: integer, min: 0}
";

const CUSTOMERS: &str = "contract: shop.customers
version: 1.0.0
owners: [{name: Shop Team}]
dataset: {name: customers, path: data/customers.csv}
columns:
  - {name: id, type: integer, unique: true}
";

/// A project in a git repository on `main`: two contracts, one referencing
/// the other, their data, a dbt-style YAML file that is not a contract,
/// and the compiled SQL, committed.
fn project(name: &str) -> common::TempDir {
    let dir = tempdir(name);
    let files = [
        (
            "datapact.yaml",
            "contracts: [contracts]\nout: build\ntargets: [sql]\ndialects: [duckdb]\n",
        ),
        ("contracts/orders.yaml", ORDERS),
        ("contracts/customers.yaml", CUSTOMERS),
        ("data/orders.csv", "id,customer_id,amount\n1,1,5\n2,1,-1\n"),
        ("data/customers.csv", "id\n1\n"),
        ("profiles.yml", "shop:\n  target: dev\n"),
        // dbt's YAML among the contracts, read by no command, at any revision.
        (
            "contracts/schema.yml",
            "version: 2\nmodels:\n  - name: orders\n",
        ),
    ];
    for (path, content) in files {
        std::fs::create_dir_all(dir.join(path).parent().unwrap()).unwrap();
        std::fs::write(dir.join(path), content).unwrap();
    }
    let o = common::datapact(&["compile"], &dir);
    assert!(o.status.success(), "{}", text(&o));
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "contracts"]);
    dir
}

/// pre-commit next to `DATAPACT_PYTHON`; `None` skips, unless required.
fn pre_commit() -> Option<PathBuf> {
    let exe = std::env::var_os("DATAPACT_PYTHON")
        .map(|p| Path::new(&p).with_file_name("pre-commit"))
        .filter(|p| p.is_file());
    if exe.is_none() {
        let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "pre-commit is required (DATAPACT_REQUIRE_ENGINES=1): none next to DATAPACT_PYTHON"
        );
        eprintln!("skipping: no pre-commit next to DATAPACT_PYTHON");
    }
    exe
}

#[test]
fn pre_commit_runs_the_hooks_on_changed_contracts() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    // A hook repository holding this repository's hook definitions, with
    // the built binary instead of a cargo build (`system` for `rust`: the
    // hooks, their files and arguments are the ones published).
    let hooks = tempdir("pre-commit-hooks");
    let published = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    assert_eq!(published.matches("\n  language: rust\n").count(), 2);
    std::fs::write(
        hooks.join(".pre-commit-hooks.yaml"),
        published.replace("\n  language: rust\n", "\n  language: system\n"),
    )
    .unwrap();
    git(&hooks, &["init", "-q"]);
    git(&hooks, &["add", "-A"]);
    git(&hooks, &["commit", "-q", "-m", "hooks"]);
    let rev = git(&hooks, &["rev-parse", "HEAD"]);

    let dir = project("pre-commit");
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: datapact-validate\n      - id: datapact-compile-check\n",
            hooks.display()
        ),
    )
    .unwrap();
    let cache = tempdir("pre-commit-home");
    let run = |files: &[&str]| {
        Command::new(&pre_commit)
            .args(["run", "--color", "never", "--files"])
            .args(files)
            .current_dir(&dir)
            .env("PATH", path_with_datapact())
            .env("PRE_COMMIT_HOME", &*cache)
            .output()
            .expect("pre-commit runs")
    };

    // A commit changing one contract and a YAML file that is not one.
    let o = run(&["contracts/orders.yaml", "profiles.yml"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("datapact validate"), "{}", text(&o));
    assert!(text(&o).contains("Passed"), "{}", text(&o));

    // A mistake: the hook fails, at its place.
    std::fs::write(
        dir.join("contracts/orders.yaml"),
        ORDERS.replace("min: 0}", "minn: 0}"),
    )
    .unwrap();
    let o = run(&["contracts/orders.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "contracts/orders.yaml:8:35 error[unknown-key]: unknown key `minn` in a column"
        ),
        "{}",
        text(&o)
    );

    // A valid change whose generated files were not compiled again.
    std::fs::write(dir.join("contracts/orders.yaml"), ORDERS).unwrap();
    std::fs::write(
        dir.join("contracts/customers.yaml"),
        format!("{CUSTOMERS}  - {{name: email, type: string, required: true}}\n"),
    )
    .unwrap();
    let o = run(&["contracts/customers.yaml"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("stale: build/sql/duckdb/shop.customers.sql"),
        "{}",
        text(&o)
    );
    let o = common::datapact(&["compile"], &dir);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&["contracts/customers.yaml"]);
    assert!(o.status.success(), "{}", text(&o));
}

/// scripts/action `step` in `dir`, as action.yml runs it on GitHub.
fn action(dir: &Path, step: &str, env: &[(&str, &str)], summary: &Path) -> Output {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/action"))
        .arg(step)
        .current_dir(dir)
        .env("DATAPACT", env!("CARGO_BIN_EXE_datapact"))
        .env("GITHUB_STEP_SUMMARY", summary)
        .env("DATAPACT_DRIVER_PATH", root().join(".datapact/drivers"))
        .env_remove("DATAPACT_BASE")
        .env_remove("DATAPACT_CONNECTION")
        .env_remove("DATAPACT_CONTRACTS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("bash runs")
}

#[test]
fn the_action_steps_run_as_a_script() {
    let dir = project("action");
    let summary = dir.join("summary.md");
    // The workflow file names each step; each runs scripts/action.
    let workflow = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for step in ["install", "validate", "compile-check", "diff", "run"] {
        assert!(
            workflow.contains(&format!("\"$GITHUB_ACTION_PATH/scripts/action\" {step}'")),
            "{step}"
        );
    }

    // A pull request's branch: a column removed with a patch bump, and the
    // generated files not compiled again.
    git(&dir, &["checkout", "-q", "-b", "feature"]);
    let changed = ORDERS
        .replace("version: 1.0.0", "version: 1.0.1")
        .replace("  - {name: amount, type: integer, min: 0}\n", "");
    std::fs::write(dir.join("contracts/orders.yaml"), &changed).unwrap();
    git(&dir, &["commit", "-q", "-am", "drop amount"]);

    // datapact built from this commit is there: nothing to install.
    let o = action(&dir, "install", &[], &summary);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains(") is installed"), "{}", text(&o));

    let o = action(&dir, "validate", &[], &summary);
    assert!(o.status.success(), "{}", text(&o));
    assert!(!text(&o).contains("::error"), "{}", text(&o));

    let o = action(&dir, "compile-check", &[], &summary);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "::error file=build/sql/duckdb/shop.orders.sql,title=datapact compile --check::stale"
        ),
        "{}",
        text(&o)
    );

    // No base (not a pull request): the diff is skipped.
    let o = action(&dir, "diff", &[], &summary);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("skipped"), "{}", text(&o));
    let o = action(&dir, "diff", &[("DATAPACT_BASE", "main")], &summary);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains(
            "::error file=contracts/orders.yaml,title=datapact diff%3A version::shop.orders"
        ),
        "{}",
        text(&o)
    );
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("## datapact diff ❌"), "{written}");
    assert!(
        written.contains("| ❌ | `shop.orders` | 1.0.0 → 1.0.1 | 1 breaking |"),
        "{written}"
    );

    // The checks on the data, with a connection as a secret would give it.
    if !root().join(".datapact/drivers/libduckdb.so").is_file() {
        let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "the DuckDB driver is required: run scripts/drivers"
        );
        eprintln!("skipping the run step: no DuckDB driver (scripts/drivers)");
        return;
    }
    std::fs::remove_file(&summary).unwrap();
    let o = action(
        &dir,
        "run",
        &[("DATAPACT_CONNECTION", "duckdb::memory:")],
        &summary,
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("### ✅ datapact run: 8 pass"),
        "{written}"
    );
    // Back on main, the planted negative amount fails the run.
    git(&dir, &["checkout", "-q", "main"]);
    let o = action(
        &dir,
        "run",
        &[
            ("DATAPACT_CONNECTION", "duckdb::memory:"),
            ("DATAPACT_RUN_ARGS", "--samples 1"),
        ],
        &summary,
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.contains("| shop.orders | amount__min | amount | fail | 1 |"),
        "{written}"
    );
}
