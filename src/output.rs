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

use rayon::prelude::*;
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
    let states: Vec<Option<bool>> = plan
        .files
        .par_iter()
        .map(|file| {
            std::fs::read(out.join(&file.path))
                .ok()
                .map(|bytes| bytes == file.text.as_bytes())
        })
        .collect();
    for (file, state) in plan.files.iter().zip(states) {
        match state {
            Some(true) => {}
            Some(false) => drift.stale.push(file.path.clone()),
            None => drift.missing.push(file.path.clone()),
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

/// Where generated files' bytes go: the real file system, or in tests one
/// that fails part-way, as a full disk does.
pub trait Disk: Sync {
    /// Create or truncate the file `path` (its directory exists) holding `text`.
    fn write(&self, path: &Path, text: &str) -> std::io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&self, path: &Path, text: &str) -> std::io::Result<()> {
        std::fs::write(path, text)
    }
}

/// A plan whose changed files have been written next to their destinations
/// as temporary files; [`Staged::commit`] renames them into place and
/// [`Staged::abort`] deletes them, leaving the directory as it was.
#[must_use = "a staged plan is committed or aborted"]
pub struct Staged<'a> {
    out: PathBuf,
    plan: &'a Plan,
    /// (temporary file, destination), in plan order; the manifest's last
    /// when it changed.
    temps: Vec<(PathBuf, PathBuf)>,
    manifest_changed: bool,
    unchanged: usize,
}

/// Carry out a plan, staging every file first: on a write error (a full
/// disk, a read-only directory) nothing in `out` has changed.
pub fn write(out: &Path, plan: &Plan) -> Result<Written, OutputError> {
    stage(out, plan, &RealDisk)?.commit()
}

/// The first half of [`write`]: write each changed file of `plan` (in
/// parallel) to a temporary file beside its destination. On any error the
/// temporary files written so far are deleted and the first error, in path
/// order, is returned.
pub fn stage<'a>(out: &Path, plan: &'a Plan, disk: &dyn Disk) -> Result<Staged<'a>, OutputError> {
    let results: Vec<Result<Option<(PathBuf, PathBuf)>, OutputError>> = plan
        .files
        .par_iter()
        .map(|file| {
            let path = out.join(&file.path);
            if std::fs::read(&path).is_ok_and(|bytes| bytes == file.text.as_bytes()) {
                return Ok(None);
            }
            let tmp = temp_path(&path);
            let written = match path.parent() {
                Some(dir) => std::fs::create_dir_all(dir),
                None => Ok(()),
            }
            .and_then(|()| disk.write(&tmp, &file.text));
            match written {
                Ok(()) => Ok(Some((tmp, path))),
                Err(err) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(error(&path, format!("cannot write: {err}")))
                }
            }
        })
        .collect();
    let mut temps = Vec::new();
    let mut first_error = None;
    let mut unchanged = 0;
    for result in results {
        match result {
            Ok(Some(temp)) => temps.push(temp),
            Ok(None) => unchanged += 1,
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
    }
    let manifest_changed = temps
        .last()
        .zip(plan.files.last())
        .is_some_and(|((_, dest), manifest)| *dest == out.join(&manifest.path));
    let staged = Staged {
        out: out.to_path_buf(),
        plan,
        temps,
        manifest_changed,
        unchanged,
    };
    match first_error {
        Some(err) => {
            staged.abort();
            Err(err)
        }
        None => Ok(staged),
    }
}

impl Staged<'_> {
    /// Delete the temporary files: the directory is as it was.
    pub fn abort(self) {
        self.temps.par_iter().for_each(|(tmp, _)| {
            let _ = std::fs::remove_file(tmp);
        });
    }

    /// Rename the staged files into place, remove the dropped ones and the
    /// directories they leave empty, the manifest last: an interrupted run
    /// still lists every file it may have left behind.
    pub fn commit(mut self) -> Result<Written, OutputError> {
        let manifest = if self.manifest_changed {
            self.temps.pop()
        } else {
            None
        };
        let mut written = Written {
            unchanged: self.unchanged,
            ..Written::default()
        };
        let renamed: Vec<Result<(), OutputError>> = self
            .temps
            .par_iter()
            .map(|(tmp, dest)| {
                std::fs::rename(tmp, dest).map_err(|err| {
                    let _ = std::fs::remove_file(tmp);
                    error(dest, format!("cannot write: {err}"))
                })
            })
            .collect();
        if let Some(err) = renamed.into_iter().find_map(Result::err) {
            if let Some((tmp, _)) = manifest {
                let _ = std::fs::remove_file(tmp);
            }
            return Err(err);
        }
        written.written = self.temps.len();
        let out = &self.out;
        for removal in &self.plan.removals {
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
                    rel != "/" && self.plan.scopes.iter().any(|s| rel.starts_with(s.as_str()))
                });
                if !in_scope || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        if let Some((tmp, dest)) = manifest {
            std::fs::rename(&tmp, &dest).map_err(|err| {
                let _ = std::fs::remove_file(&tmp);
                error(&dest, format!("cannot write: {err}"))
            })?;
            written.written += 1;
        }
        Ok(written)
    }
}

/// The temporary file a file is staged in: hidden, in the same directory
/// (so the rename is atomic).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.datapact-tmp"))
}

/// Write via a temporary file in the same directory and rename, so readers
/// never see a half-written file.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = temp_path(path);
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
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

    /// A disk that fills up: the `room`-th write and later ones write half
    /// their bytes, then fail with ENOSPC.
    struct FullDisk {
        room: usize,
        writes: std::sync::atomic::AtomicUsize,
    }

    impl Disk for FullDisk {
        fn write(&self, path: &Path, text: &str) -> std::io::Result<()> {
            let n = self
                .writes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < self.room {
                return std::fs::write(path, text);
            }
            std::fs::write(path, &text.as_bytes()[..text.len() / 2])?;
            Err(std::io::Error::from_raw_os_error(28))
        }
    }

    fn file(path: &str, text: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            text: text.to_string(),
        }
    }

    /// Every file under `dir` (hidden ones too) with its text.
    fn snapshot(dir: &Path) -> Vec<(String, String)> {
        let mut files: Vec<(String, String)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read_to_string(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn a_full_disk_changes_nothing() {
        let dir = std::env::temp_dir().join(format!("datapact-full-disk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let scopes = vec!["sql/".to_string()];
        let old = plan(
            &dir,
            MANIFEST,
            vec![file("sql/a.sql", "old a\n"), file("sql/gone.sql", "gone\n")],
            &scopes,
        )
        .unwrap();
        write(&dir, &old).unwrap();
        let before = snapshot(&dir);

        let new_files = vec![
            file("sql/a.sql", "new a\n"),
            file("sql/b/c.sql", "new c\n".repeat(100).as_str()),
            file("sql/d.sql", "new d\n"),
        ];
        let new = plan(&dir, MANIFEST, new_files, &scopes).unwrap();
        for room in 0..4 {
            let disk = FullDisk {
                room,
                writes: Default::default(),
            };
            let err = stage(&dir, &new, &disk).err().expect("the disk is full");
            assert!(err.message.starts_with("cannot write: "), "{}", err.message);
            assert!(
                err.message.contains("No space left on device"),
                "{}",
                err.message
            );
            // No file changed, none was added (no temporary file is left), none removed.
            assert_eq!(snapshot(&dir), before, "room for {room} writes");
        }

        let written = stage(&dir, &new, &RealDisk).unwrap().commit().unwrap();
        assert_eq!(
            written,
            Written {
                written: 4,
                unchanged: 0,
                removed: 1
            }
        );
        let after = snapshot(&dir);
        let names: Vec<&str> = after.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(names, [MANIFEST, "sql/a.sql", "sql/b/c.sql", "sql/d.sql"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
