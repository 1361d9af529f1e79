//! Sets `DATAPACT_VERSION`, what `datapact --version` prints: the package
//! version and, when built from a git checkout, the commit (`0.1.0
//! (91b4aa7 2026-12-06)`: the commit checked out, whatever the work tree
//! holds besides); and `DATAPACT_SOURCE`, a hash of the sources the binary
//! is built from (`src/`, `templates/`, `Cargo.lock`, `Cargo.toml`,
//! `build.rs`), which the compile
//! stamp takes as the binary's identity: two builds of one commit with
//! different work trees write different files.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::process::Command;

/// Every file under `dir` (or `dir` itself), by path, into `hasher`.
fn hash_tree(dir: &Path, hasher: &mut impl Hasher) {
    if dir.is_file() {
        dir.to_string_lossy().hash(hasher);
        std::fs::read(dir).unwrap_or_default().hash(hasher);
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    paths.sort();
    for path in paths {
        hash_tree(&path, hasher);
    }
}

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
        .filter(|s| !s.is_empty())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    let commit = git(&["log", "-1", "--format=%h %cs"]);
    let full = match commit {
        Some(commit) => format!("{version} ({commit})"),
        None => version.to_string(),
    };
    println!("cargo:rustc-env=DATAPACT_VERSION={full}");
    // `DefaultHasher::new` has fixed keys: the same sources, the same hash.
    let mut source = std::collections::hash_map::DefaultHasher::new();
    for part in ["src", "templates", "Cargo.lock", "Cargo.toml", "build.rs"] {
        hash_tree(Path::new(part), &mut source);
        if Path::new(part).exists() {
            println!("cargo:rerun-if-changed={part}");
        }
    }
    println!("cargo:rustc-env=DATAPACT_SOURCE={:016x}", source.finish());
    // Again when HEAD moves or the branch it names does. Only files that
    // exist: cargo runs a build script again on every build when one it
    // watches is missing. A worktree's HEAD is in its own git dir, branches
    // in the common one.
    let mut watched = Vec::new();
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        watched.push(format!("{dir}/HEAD"));
    }
    if let Some(common) = git(&["rev-parse", "--git-common-dir"]) {
        // The directory, not the branch's file: that appears only when the
        // branch moves after `git gc` packed it.
        watched.push(format!("{common}/refs/heads"));
        watched.push(format!("{common}/packed-refs"));
    }
    for path in watched {
        if std::path::Path::new(&path).exists() {
            println!("cargo:rerun-if-changed={path}");
        }
    }
    println!("cargo:rerun-if-changed=build.rs");
}
