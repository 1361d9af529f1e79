//! Writing generated files: render first, then write only what changed,
//! remove only what datapact itself wrote before, and say exactly what
//! `compile --check` finds out of date.
//!
//! The output directory holds a manifest, [`MANIFEST`], listing every file
//! datapact wrote there. A run owns some *scopes* (directory prefixes such
//! as `sql/postgres/`): files of the manifest inside a scope that the run no
//! longer generates are removed; files outside its scopes, and files the
//! manifest does not list, are never touched.
//!
//! Nothing is written or removed outside the output directory: planning
//! refuses a path that passes through a symbolic link or names something
//! other than a file, two files of one path (or of paths that differ only
//! in case, which macOS and Windows checkouts cannot hold), and a file
//! whose text holds a control character. Files are staged under random
//! names created exclusively (never through an existing link), and a run
//! first writes the manifest marked in progress, listing every file it may
//! leave, so a run killed half-way is cleaned up by the next one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use serde::Deserialize;
use tempfile::TempPath;

use crate::sql::GeneratedFile;

/// The manifest's file name, inside the output directory.
pub const MANIFEST: &str = "datapact-manifest.json";

/// The end of a temporary file's name: `.<file name>.<random>.datapact-tmp`.
pub const TEMP_SUFFIX: &str = ".datapact-tmp";

/// The largest manifest read: a million paths of 64 bytes.
const MAX_MANIFEST_BYTES: usize = 64 << 20;

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
    /// Temporary files an interrupted run left beside the run's files.
    pub leftovers: Vec<String>,
    /// The run's scopes: directories a removal empties are removed only
    /// inside them (a dbt project's own `tests/` stays).
    pub scopes: Vec<String>,
    /// The manifest written before any other change: every file the
    /// previous manifest lists and every file the run produces.
    in_progress: String,
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
    /// Two generated files that cannot both exist, when that is the problem.
    pub collision: Option<Box<Collision>>,
}

/// Two generated files whose paths are the same, differ only in case, or
/// are a file and a directory holding another file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collision {
    pub first: GeneratedPath,
    pub second: GeneratedPath,
}

/// A generated file's path and the contract it was generated for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedPath {
    pub path: String,
    pub contract: Option<String>,
}

fn error(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError {
        path: path.to_path_buf(),
        message: message.into(),
        collision: None,
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
    let text = match std::fs::symlink_metadata(&path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        _ => crate::load::read_text(&path, MAX_MANIFEST_BYTES, "a manifest")
            .map_err(|why| error(&path, format!("cannot be read: {why}")))?,
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
            format!(
                "lists `{}`, which is not a relative path inside the output directory",
                crate::text::escape_line(bad)
            ),
        ));
    }
    Ok(manifest.files)
}

fn render_manifest(files: &BTreeSet<String>, in_progress: bool) -> String {
    let list: Vec<&String> = files.iter().collect();
    let mut doc = serde_json::json!({
        "generated_by": "datapact",
        "note": "Files datapact wrote here. datapact removes only these, and only when it no longer generates them.",
        "files": list,
    });
    if in_progress {
        doc["in_progress"] = serde_json::json!(
            "a run started writing and did not finish; the next run removes what it left"
        );
    }
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Plan a run that generates `generated` into `out`, owning the path
/// prefixes `scopes`, with its manifest at `manifest` (relative to `out`;
/// [`MANIFEST`] unless the directory is shared, as a dbt project is).
///
/// Fails, before anything is written, on two files that cannot both
/// exist, a generated file holding a control character, a path through a
/// symbolic link or onto something that is not a file, and an unreadable
/// or foreign manifest.
pub fn plan(
    out: &Path,
    manifest: &str,
    mut generated: Vec<GeneratedFile>,
    scopes: &[String],
) -> Result<Plan, OutputError> {
    generated.sort_by(|a, b| a.path.cmp(&b.path));
    if let Some(collision) = collision(&generated) {
        return Err(OutputError {
            path: out.join(&collision.second.path),
            message: "would be written twice: two generated files have this path, or paths that differ only in case".into(),
            collision: Some(Box::new(collision)),
        });
    }
    if let Some((file, c)) = generated
        .iter()
        .find_map(|f| Some((f, crate::text::forbidden(&f.text)?.1)))
    {
        return Err(error(
            &out.join(&file.path),
            format!(
                "would hold the control character {}; nothing was written (this is a bug in datapact)",
                crate::text::code_point(c)
            ),
        ));
    }
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
    let mut everything: BTreeSet<String> = previous.into_iter().collect();
    everything.extend(produced.iter().cloned());
    let in_progress = render_manifest(&everything, true);
    generated.push(GeneratedFile {
        path: manifest.to_string(),
        text: render_manifest(&listed, false),
        contract: None,
    });
    let mut guard = Guard::new(out, &removals);
    for path in generated.iter().map(|f| &f.path).chain(&removals) {
        guard.check(path)?;
    }
    let leftovers = leftovers(out, generated.iter().map(|f| &f.path).chain(&removals));
    Ok(Plan {
        files: generated,
        removals,
        leftovers,
        scopes: scopes.to_vec(),
        in_progress,
    })
}

/// Two generated files that cannot both exist: the same path, paths that
/// differ only in case, or a file where another needs a directory. `files`
/// is sorted by path.
fn collision(files: &[GeneratedFile]) -> Option<Collision> {
    let at = |f: &GeneratedFile| GeneratedPath {
        path: f.path.clone(),
        contract: f.contract.clone(),
    };
    // Every path and every directory above one, by its lowercase form.
    let mut seen: BTreeMap<String, (&GeneratedFile, bool)> = BTreeMap::new();
    for file in files {
        let mut entries: Vec<(String, bool)> = Vec::new();
        let mut prefix = String::new();
        for part in file.path.split('/') {
            if !prefix.is_empty() {
                entries.push((prefix.clone(), true));
                prefix.push('/');
            }
            prefix.push_str(part);
        }
        entries.push((prefix, false));
        for (path, is_dir) in entries {
            let key = path.to_lowercase();
            match seen.get(&key) {
                None => {
                    seen.insert(key, (file, is_dir));
                }
                // Two files share a directory: that is what directories are for.
                Some((other, true)) if is_dir && lowercase_prefix_eq(&other.path, &path) => {}
                Some((other, _)) => {
                    return Some(Collision {
                        first: at(other),
                        second: at(file),
                    });
                }
            }
        }
    }
    None
}

/// Whether `path`, a directory above `file`'s path, is written exactly so
/// in `file`'s path (not only the same in lower case).
fn lowercase_prefix_eq(file: &str, path: &str) -> bool {
    file.starts_with(path) && file[path.len()..].starts_with('/')
}

/// Checks that paths under the output directory stay inside it: no part
/// of a path may be a symbolic link, and what is there must be a
/// directory (for the parts above) or a regular file (for the path).
struct Guard<'a> {
    out: &'a Path,
    /// Files the run removes: one may stand where a new file needs a
    /// directory (contract `x` renamed to `x.sql`).
    removals: BTreeSet<&'a str>,
    /// Directories already found to be plain (or absent).
    checked: BTreeSet<PathBuf>,
}

impl<'a> Guard<'a> {
    fn new(out: &'a Path, removals: &'a [String]) -> Guard<'a> {
        Guard {
            out,
            removals: removals.iter().map(String::as_str).collect(),
            checked: BTreeSet::new(),
        }
    }

    fn check(&mut self, path: &str) -> Result<(), OutputError> {
        let mut at = self.out.to_path_buf();
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            let here = parts[..=i].join("/");
            if !last && self.removals.contains(here.as_str()) {
                // Removed before the files below it are put in place.
                return Ok(());
            }
            if !last && self.checked.contains(&at) {
                continue;
            }
            let meta = match std::fs::symlink_metadata(&at) {
                Ok(meta) => meta,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    // Nothing below an absent directory exists either.
                    return Ok(());
                }
                Err(err) => return Err(error(&at, format!("cannot be read: {err}"))),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                return Err(error(
                    &at,
                    "is a symbolic link: datapact writes only inside the output directory, never through a link; remove the link",
                ));
            }
            if last && !kind.is_file() {
                return Err(error(
                    &at,
                    "is not a regular file, where datapact writes (or would remove) one of its files; move it away",
                ));
            }
            if !last {
                if !kind.is_dir() {
                    return Err(error(
                        &at,
                        "is not a directory, where datapact needs one for its files; move it away",
                    ));
                }
                self.checked.insert(at.clone());
            }
        }
        Ok(())
    }
}

/// Temporary files (`.<name>.<random>.datapact-tmp`) in the output
/// directory and the directories of `paths`, which a run killed while
/// writing left behind.
fn leftovers<'p>(out: &Path, paths: impl Iterator<Item = &'p String>) -> Vec<String> {
    let dirs: BTreeSet<&str> = paths
        .map(|p| p.rsplit_once('/').map_or("", |(dir, _)| dir))
        .chain([""])
        .collect();
    let mut found: Vec<String> = dirs
        .par_iter()
        .flat_map_iter(|dir| {
            let listing = std::fs::read_dir(out.join(dir)).into_iter().flatten();
            listing
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    let temporary = name.starts_with('.') && name.ends_with(TEMP_SUFFIX);
                    temporary.then(|| {
                        if dir.is_empty() {
                            name
                        } else {
                            format!("{dir}/{name}")
                        }
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    found.sort();
    found
}

/// Whether the file at `path` holds exactly `text`; only a regular file of
/// that size is read.
fn holds(path: &Path, text: &str) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == text.len() as u64)
        && std::fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes())
}

/// Compare a plan with the directory, writing nothing. Leftovers of an
/// interrupted run are extra files.
pub fn check(out: &Path, plan: &Plan) -> Drift {
    let mut drift = Drift::default();
    let states: Vec<Option<bool>> = plan
        .files
        .par_iter()
        .map(|file| {
            let path = out.join(&file.path);
            std::fs::symlink_metadata(&path)
                .ok()
                .map(|_| holds(&path, &file.text))
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
        .chain(&plan.leftovers)
        .cloned()
        .collect();
    drift.extra.sort();
    drift
}

/// Where generated files' bytes go: the real file system, or in tests one
/// that fails part-way, as a full disk does.
pub trait Disk: Sync {
    /// Write `text` into `file`, a new temporary file.
    fn write(&self, file: &mut std::fs::File, text: &str) -> std::io::Result<()>;
}

/// The real file system.
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&self, file: &mut std::fs::File, text: &str) -> std::io::Result<()> {
        use std::io::Write as _;
        file.write_all(text.as_bytes())
    }
}

/// A new temporary file for `path` in `dir`, created exclusively under a
/// random name (so never through a link planted there), holding `text`.
/// It is deleted when the returned [`TempPath`] is dropped, unless
/// persisted.
fn temporary(dir: &Path, path: &Path, text: &str, disk: &dyn Disk) -> std::io::Result<TempPath> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(TEMP_SUFFIX).rand_bytes(8);
    // The mode a plain new file gets (0666 less the umask), not the 0600 of
    // a temporary: the output is read by web servers, CI and dbt users.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut file = builder.tempfile_in(dir)?;
    disk.write(file.as_file_mut(), text)?;
    Ok(file.into_temp_path())
}

/// A plan whose changed files have been written next to their destinations
/// as temporary files; [`Staged::commit`] renames them into place, and
/// dropping it (or [`Staged::abort`]) deletes them, leaving the directory
/// as it was.
#[must_use = "a staged plan is committed or aborted"]
pub struct Staged<'a> {
    out: PathBuf,
    plan: &'a Plan,
    /// (temporary file, destination), in plan order; the manifest's last
    /// when it changed.
    temps: Vec<(TempPath, PathBuf)>,
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
    let results: Vec<Result<Option<(TempPath, PathBuf)>, OutputError>> = plan
        .files
        .par_iter()
        .map(|file| {
            let path = out.join(&file.path);
            if holds(&path, &file.text) {
                return Ok(None);
            }
            // Beside the destination, unless a file the run removes stands
            // where its directory goes: then in the output directory.
            let blocked = plan.removals.iter().any(|r| {
                file.path.starts_with(r.as_str()) && file.path[r.len()..].starts_with('/')
            });
            let dir = match path.parent() {
                Some(dir) if !blocked => dir.to_path_buf(),
                _ => out.to_path_buf(),
            };
            let staged = std::fs::create_dir_all(&dir)
                .and_then(|()| temporary(&dir, &path, &file.text, disk));
            match staged {
                Ok(tmp) => Ok(Some((tmp, path))),
                Err(err) => Err(error(&path, format!("cannot write: {err}"))),
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
    if let Some(err) = first_error {
        // Dropping the temporary paths deletes them.
        return Err(err);
    }
    Ok(Staged {
        out: out.to_path_buf(),
        plan,
        temps,
        manifest_changed,
        unchanged,
    })
}

impl Staged<'_> {
    /// Delete the temporary files: the directory is as it was.
    pub fn abort(self) {
        drop(self);
    }

    /// Put the staged files in place: first the manifest marked in
    /// progress (listing every file the run may leave), then the removals
    /// (with the directories they leave empty, and leftovers of an
    /// interrupted run), the files by rename, and the final manifest last.
    /// A run killed at any point leaves a manifest that lists every file it
    /// wrote, and temporaries the next run removes.
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
        let out = self.out.clone();
        let changes = !self.temps.is_empty()
            || !self.plan.removals.is_empty()
            || !self.plan.leftovers.is_empty();
        if let (Some((_, dest)), true) = (&manifest, changes) {
            write_atomic(dest, &self.plan.in_progress)
                .map_err(|err| error(dest, format!("cannot write: {err}")))?;
        }
        for leftover in &self.plan.leftovers {
            let path = out.join(leftover);
            match std::fs::remove_file(&path) {
                Ok(()) => written.removed += 1,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(error(&path, format!("cannot remove: {err}"))),
            }
        }
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
                let in_scope = d.strip_prefix(&out).ok().is_some_and(|rel| {
                    let rel = format!("{}/", rel.to_string_lossy().replace('\\', "/"));
                    rel != "/" && self.plan.scopes.iter().any(|s| rel.starts_with(s.as_str()))
                });
                if !in_scope || std::fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        let temps = std::mem::take(&mut self.temps);
        written.written = temps.len();
        let renamed: Vec<Result<(), OutputError>> = temps
            .into_par_iter()
            .map(|(tmp, dest)| {
                // A directory a removal emptied (or one a removed file stood
                // in the way of) is made again.
                let made = match dest.parent() {
                    Some(dir) => std::fs::create_dir_all(dir),
                    None => Ok(()),
                };
                made.map_err(|err| error(&dest, format!("cannot write: {err}")))?;
                tmp.persist(&dest)
                    .map_err(|err| error(&dest, format!("cannot write: {}", err.error)))
            })
            .collect();
        if let Some(err) = renamed.into_iter().find_map(Result::err) {
            return Err(err);
        }
        if let Some((tmp, dest)) = manifest {
            tmp.persist(&dest)
                .map_err(|err| error(&dest, format!("cannot write: {}", err.error)))?;
            written.written += 1;
        }
        Ok(written)
    }
}

/// Write via a new temporary file in the same directory (created
/// exclusively under a random name) and rename, so readers never see a
/// half-written file and a link planted beside it is never followed. A
/// link at `path` itself is replaced, not followed.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    temporary(dir, path, text, &RealDisk)?
        .persist(path)
        .map_err(|err| err.error)
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
        fn write(&self, file: &mut std::fs::File, text: &str) -> std::io::Result<()> {
            use std::io::Write as _;
            let n = self
                .writes
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if n < self.room {
                return file.write_all(text.as_bytes());
            }
            file.write_all(&text.as_bytes()[..text.len() / 2])?;
            Err(std::io::Error::from_raw_os_error(28))
        }
    }

    fn file(path: &str, text: &str) -> GeneratedFile {
        GeneratedFile {
            path: path.to_string(),
            text: text.to_string(),
            contract: None,
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

    #[test]
    fn collisions_are_found_before_writing() {
        let owned = |path: &str, contract: &str| GeneratedFile {
            contract: Some(contract.into()),
            ..file(path, "x\n")
        };
        let cases = [
            // A file where another needs a directory.
            (
                vec![owned("sql/x.sql", "x"), owned("sql/x.sql/c.sql", "x.sql")],
                Some(("x", "x.sql")),
            ),
            // The same path.
            (
                vec![owned("index.md", "index"), file("index.md", "")],
                Some(("index", "")),
            ),
            // Paths that differ only in case.
            (
                vec![owned("a/B.sql", "b"), owned("a/b.sql", "c")],
                Some(("b", "c")),
            ),
            (
                vec![owned("A/x.sql", "a"), owned("a/y.sql", "b")],
                Some(("a", "b")),
            ),
            // Files in one directory.
            (
                vec![
                    owned("a/x.sql", "a"),
                    owned("a/y.sql", "b"),
                    owned("a/b/z.sql", "b"),
                ],
                None,
            ),
        ];
        for (mut files, expected) in cases {
            files.sort_by(|a, b| a.path.cmp(&b.path));
            let got = collision(&files).map(|c| {
                (
                    c.first.contract.unwrap_or_default(),
                    c.second.contract.unwrap_or_default(),
                )
            });
            let expected = expected.map(|(a, b)| (a.to_string(), b.to_string()));
            assert_eq!(got, expected, "{files:?}");
        }
    }
}
