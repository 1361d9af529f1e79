//! Writing generated files: render first, then write only what changed,
//! remove only what datapact itself wrote before, and say exactly what
//! `compile --check` finds out of date.
//!
//! The output directory holds a manifest, [`MANIFEST`], listing every file
//! datapact wrote there. A run owns some *scopes* (directory prefixes such
//! as `sql/postgres/`): files of the manifest inside a scope that the run no
//! longer generates are removed; files outside its scopes, and files the
//! manifest does not list, are never touched.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;

use crate::sql::GeneratedFile;

/// The manifest's file name, inside the output directory.
pub const MANIFEST: &str = "datapact-manifest.json";

#[derive(Debug, Deserialize)]
struct ManifestFile {
    files: Vec<String>,
}

/// What a run will do to the output directory.
#[derive(Debug, Default)]
pub struct Plan {
    /// Every file the run produces (the manifest last), with its text.
    pub files: Vec<GeneratedFile>,
    /// Files the previous manifest lists in the run's scopes that the run no
    /// longer produces.
    pub removals: Vec<String>,
    /// The run's scopes: directories a removal empties are removed only
    /// inside them (a dbt project's own `tests/` stays).
    pub scopes: Vec<String>,
}

/// What `--check` finds: each list sorted, paths relative to the output directory.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    pub missing: Vec<String>,
    pub stale: Vec<String>,
    pub extra: Vec<String>,
}

impl Drift {
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.stale.is_empty() && self.extra.is_empty()
    }
}

/// What a write did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Written {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// A problem with the output directory: the path it concerns and why.
#[derive(Debug)]
pub struct OutputError {
    pub path: PathBuf,
    pub message: String,
}

fn error(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// A manifest entry must be a plain relative path inside the directory.
fn is_safe_relative(path: &str) -> bool {
    let p = Path::new(path);
    !path.is_empty()
        && !path.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn read_manifest(out: &Path, manifest: &str) -> Result<Vec<String>, OutputError> {
    let path = out.join(manifest);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => return Err(error(&path, format!("cannot read: {err}"))),
    };
    let manifest: ManifestFile = serde_json::from_str(&text).map_err(|err| {
        error(
            &path,
            format!("is not a datapact manifest ({err}); delete it to start afresh"),
        )
    })?;
    if let Some(bad) = manifest.files.iter().find(|f| !is_safe_relative(f)) {
        return Err(error(
            &path,
            format!("lists `{bad}`, which is not a relative path inside the output directory"),
        ));
    }
    Ok(manifest.files)
}

fn render_manifest(files: &BTreeSet<String>) -> String {
    let list: Vec<&String> = files.iter().collect();
    let mut text = serde_json::to_string_pretty(&serde_json::json!({
        "generated_by": "datapact",
        "note": "Files datapact wrote here. datapact removes only these, and only when it no longer generates them.",
        "files": list,
    }))
    .expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Plan a run that generates `generated` into `out`, owning the path
/// prefixes `scopes`, with its manifest at `manifest` (relative to `out`;
/// [`MANIFEST`] unless the directory is shared, as a dbt project is).
pub fn plan(
    out: &Path,
    manifest: &str,
    mut generated: Vec<GeneratedFile>,
    scopes: &[String],
) -> Result<Plan, OutputError> {
    let previous = read_manifest(out, manifest)?;
    let in_scope = |path: &str| scopes.iter().any(|s| path.starts_with(s.as_str()));
    let produced: BTreeSet<String> = generated.iter().map(|f| f.path.clone()).collect();
    let mut listed: BTreeSet<String> = previous.iter().filter(|p| !in_scope(p)).cloned().collect();
    listed.extend(produced.iter().cloned());
    let removals: Vec<String> = previous
        .iter()
        .filter(|p| in_scope(p) && !produced.contains(*p))
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    generated.sort_by(|a, b| a.path.cmp(&b.path));
    generated.push(GeneratedFile {
        path: manifest.to_string(),
        text: render_manifest(&listed),
    });
    Ok(Plan {
        files: generated,
        removals,
        scopes: scopes.to_vec(),
    })
}

/// Compare a plan with the directory, writing nothing.
pub fn check(out: &Path, plan: &Plan) -> Drift {
    let mut drift = Drift::default();
    for file in &plan.files {
        match std::fs::read(out.join(&file.path)) {
            Ok(bytes) if bytes == file.text.as_bytes() => {}
            Ok(_) => drift.stale.push(file.path.clone()),
            Err(_) => drift.missing.push(file.path.clone()),
        }
    }
    drift.extra = plan
        .removals
        .iter()
        .filter(|p| out.join(p).exists())
        .cloned()
        .collect();
    drift
}

/// Carry out a plan: write changed files (each atomically), remove the
/// dropped ones and the directories they leave empty, the manifest last.
pub fn write(out: &Path, plan: &Plan) -> Result<Written, OutputError> {
    let mut written = Written::default();
    // The manifest (the last file) is written after the removals, so an
    // interrupted run still lists every file it may have left behind.
    let (manifest, files) = plan
        .files
        .split_last()
        .map_or((None, &[][..]), |(m, f)| (Some(m), f));
    for file in files {
        write_if_changed(out, file, &mut written)?;
    }
    for removal in &plan.removals {
        let path = out.join(removal);
        match std::fs::remove_file(&path) {
            Ok(()) => written.removed += 1,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => return Err(error(&path, format!("cannot remove: {err}"))),
        }
        // Remove directories the removal emptied, inside the run's scopes.
        let mut dir = path.parent();
        while let Some(d) = dir {
            let in_scope = d.strip_prefix(out).ok().is_some_and(|rel| {
                let rel = format!("{}/", rel.to_string_lossy().replace('\\', "/"));
                rel != "/" && plan.scopes.iter().any(|s| rel.starts_with(s.as_str()))
            });
            if !in_scope || std::fs::remove_dir(d).is_err() {
                break;
            }
            dir = d.parent();
        }
    }
    if let Some(file) = manifest {
        write_if_changed(out, file, &mut written)?;
    }
    Ok(written)
}

/// Write one file atomically unless it already holds exactly this text.
fn write_if_changed(
    out: &Path,
    file: &GeneratedFile,
    written: &mut Written,
) -> Result<(), OutputError> {
    let path = out.join(&file.path);
    if std::fs::read(&path).is_ok_and(|bytes| bytes == file.text.as_bytes()) {
        written.unchanged += 1;
        return Ok(());
    }
    write_atomic(&path, &file.text).map_err(|err| error(&path, format!("cannot write: {err}")))?;
    written.written += 1;
    Ok(())
}

/// Write via a temporary file in the same directory and rename, so readers
/// never see a half-written file.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.datapact-tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_must_stay_inside() {
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a\\b", "./a"] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
        assert!(is_safe_relative("sql/duckdb/shop.orders.sql"));
    }
}
