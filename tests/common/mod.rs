//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use datapact::diagnostic::{self, HumanOptions};
use datapact::source::Sources;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Load a fixture (a file, or a directory of files) with paths relative to the repo root.
pub fn load(path: &Path) -> Sources {
    let (sources, io) = datapact::load::load(&[path.to_path_buf()]);
    assert!(io.is_empty(), "{io:?}");
    // Re-add with repo-relative paths so snapshots do not depend on the checkout location.
    let mut out = Sources::new();
    for (_, file) in sources.iter() {
        let rel = Path::new(&file.path)
            .strip_prefix(root())
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| file.path.clone());
        out.add(rel, file.text.clone());
    }
    out
}

/// Every diagnostic rendered as a user sees it (no colour, 100 columns).
pub fn render(sources: &Sources, diagnostics: &[diagnostic::Diagnostic]) -> String {
    let options = HumanOptions {
        color: false,
        width: 100,
    };
    diagnostics
        .iter()
        .map(|d| diagnostic::render_human(d, sources, options))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The codes a fixture says it expects: `expected: a, b` in its first line(s).
pub fn expected_codes(sources: &Sources) -> Vec<String> {
    let mut codes = Vec::new();
    for (_, file) in sources.iter() {
        if file.text.is_empty() {
            // A zero-byte file cannot carry its expectation.
            codes.push("empty-file".to_string());
        }
        let first = file.text.lines().next().unwrap_or("");
        if let Some((_, list)) = first.split_once("expected: ") {
            codes.extend(
                list.split(',')
                    .map(|c| c.trim().trim_matches('`').to_string()),
            );
        }
    }
    codes.sort();
    codes.dedup();
    codes
}

/// Run the built binary in `dir`, as users and CI run it.
pub fn datapact(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh, empty directory for one test: `<tmp>/datapact-<name>-<pid>`.
pub fn tempdir(name: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("datapact-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

/// A temporary folder, removed when dropped: also when the test fails.
pub struct TempDir(PathBuf);

impl std::ops::Deref for TempDir {
    type Target = PathBuf;
    fn deref(&self) -> &PathBuf {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// tests/catalog/browser.py on the HTML pages of `html_dir` in a real
/// headless Chromium, typing each of `queries` into the search box;
/// screenshots under `shots`. `None` when no browser is here and the
/// engines are not required (`DATAPACT_REQUIRE_ENGINES`).
pub fn browser(html_dir: &Path, shots: &Path, queries: &[&str]) -> Option<serde_json::Value> {
    let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
    let python = std::env::var_os("DATAPACT_PYTHON").map(PathBuf::from);
    let chromium = std::env::var_os("DATAPACT_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let why = match &python {
        None => Some("DATAPACT_PYTHON is not set (run scripts/test)".to_string()),
        Some(_) if !chromium.is_file() => Some(format!("no {}", chromium.display())),
        Some(_) => None,
    };
    if let Some(why) = why {
        assert!(!required, "the browser test is required: {why}");
        eprintln!("skipping the browser test: {why}");
        return None;
    }
    let python = python.unwrap();
    let run = || {
        Command::new(&python)
            .arg(root().join("tests/catalog/browser.py"))
            .arg(html_dir)
            .arg(shots)
            .args(queries)
            .output()
            .expect("run browser.py")
    };
    let mut o = run();
    // Chromium's renderer can die under a machine's full load ("Target
    // crashed", seen once in CI): that is the browser, not the pages, so
    // the script runs once more; a second crash fails the test.
    if !o.status.success() && String::from_utf8_lossy(&o.stderr).contains("Target crashed") {
        eprintln!("browser.py: Chromium's renderer crashed; running it once more");
        o = run();
    }
    assert!(
        o.status.success(),
        "browser.py failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some(serde_json::from_slice(&o.stdout).expect("browser.py prints JSON"))
}
