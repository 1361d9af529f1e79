//! Writing generated files as they are rendered: write only what changed,
//! remove only what datapact itself wrote before, and say exactly what
//! `compile --check` finds out of date. [`compile`] takes the files unit by
//! unit (one contract's at a time, in parallel): each file is compared with
//! the one on disk and, when it differs, staged as a temporary file beside
//! it, and its text is let go. Only paths are kept until the end, when
//! collisions and removals are known and the staged files are renamed into
//! place, all or nothing.
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

use crate::emit::GeneratedFile;

/// The manifest's file name, inside the output directory.
pub use crate::load::MANIFEST;

/// The end of a temporary file's name: `.<file name>.<random>.datapact-tmp`.
pub const TEMP_SUFFIX: &str = ".datapact-tmp";

/// The largest manifest read: a million paths of 64 bytes.
const MAX_MANIFEST_BYTES: usize = 64 << 20;

#[derive(Debug, Deserialize)]
struct ManifestFile {
    files: Vec<String>,
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
    /// The index of the destination the collision is in.
    pub destination: Option<usize>,
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

/// A regular file's size and modification time (nanoseconds since the
/// epoch), as the compile stamp records it (`crate::stamp`).
pub type Stat = (u64, u128);

/// The [`Stat`] of the regular file at `path`; `None` for anything else.
pub fn stat(path: &Path) -> Option<Stat> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.is_file().then(|| stat_of(&meta))
}

fn stat_of(meta: &std::fs::Metadata) -> Stat {
    let time = (meta.modified().ok())
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    (meta.len(), time)
}

fn error(path: &Path, message: impl Into<String>) -> OutputError {
    OutputError {
        path: path.to_path_buf(),
        message: message.into(),
        collision: None,
        destination: None,
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

fn render_manifest(files: &BTreeSet<&str>, in_progress: bool) -> String {
    // As `serde_json::to_string_pretty` writes the document (keys sorted),
    // without building it: the list may hold millions of paths.
    let quoted = |text: &str| serde_json::to_string(text).expect("a string serializes");
    let mut text = String::from("{\n");
    if files.is_empty() {
        text.push_str("  \"files\": [],\n");
    } else {
        text.push_str("  \"files\": [\n");
        for (i, file) in files.iter().enumerate() {
            let comma = if i + 1 < files.len() { "," } else { "" };
            text.push_str(&format!("    {}{comma}\n", quoted(file)));
        }
        text.push_str("  ],\n");
    }
    text.push_str("  \"generated_by\": \"datapact\",\n");
    if in_progress {
        text.push_str("  \"in_progress\": \"a run started writing and did not finish; the next run removes what it left\",\n");
    }
    text.push_str("  \"note\": \"Files datapact wrote here. datapact removes only these, and only when it no longer generates them.\"\n}\n");
    text
}

/// Two generated files that cannot both exist: the same path, paths that
/// differ only in case, or a file where another needs a directory. `files`
/// is sorted by path.
fn collision(files: &[GeneratedPath]) -> Option<Collision> {
    // Every path and every directory above one, by its lowercase form.
    let mut seen: BTreeMap<String, (&GeneratedPath, bool)> = BTreeMap::new();
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
                        first: (*other).clone(),
                        second: file.clone(),
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
    removals: &'a BTreeSet<&'a str>,
    /// Directories already found to be plain (or absent).
    checked: BTreeSet<PathBuf>,
}

impl<'a> Guard<'a> {
    fn new(out: &'a Path, removals: &'a BTreeSet<&'a str>) -> Guard<'a> {
        Guard {
            out,
            removals,
            checked: BTreeSet::new(),
        }
    }

    /// Check `path`; the size and time of the regular file there, if there
    /// is one.
    fn check(&mut self, path: &str) -> Result<Option<Stat>, OutputError> {
        let mut at = self.out.to_path_buf();
        let parts: Vec<&str> = path.split('/').collect();
        for (i, part) in parts.iter().enumerate() {
            at.push(part);
            let last = i + 1 == parts.len();
            let here = parts[..=i].join("/");
            if !last && self.removals.contains(here.as_str()) {
                // Removed before the files below it are put in place.
                return Ok(None);
            }
            if !last && self.checked.contains(&at) {
                continue;
            }
            let meta = match std::fs::symlink_metadata(&at) {
                Ok(meta) => meta,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                    // Nothing below an absent directory exists either.
                    return Ok(None);
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
            if last {
                return Ok(Some(stat_of(&meta)));
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
        Ok(None)
    }
}

/// Temporary files (`.<name>.<random>.datapact-tmp`) in the output
/// directory and the directories of `paths`, which a run killed while
/// writing left behind.
fn leftovers<'p>(out: &Path, paths: impl Iterator<Item = &'p str>) -> Vec<String> {
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
fn holds(path: &Path, size: Option<u64>, text: &str) -> bool {
    size == Some(text.len() as u64)
        && std::fs::read(path).is_ok_and(|bytes| bytes == text.as_bytes())
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

/// One directory a compile writes into: its manifest (relative to `dir`;
/// [`MANIFEST`] unless the directory is shared, as a dbt project is) and
/// what the run owns there: directories (`sql/postgres/`) and files.
#[derive(Debug, Clone)]
pub struct Destination {
    pub dir: PathBuf,
    pub manifest: String,
    pub scopes: Vec<String>,
}

/// What a run owns in one destination, for lookups in time independent of
/// the number of scopes (a compile of 1,000 contracts by path owns
/// thousands): a scope ending in `/` (or empty) owns everything below it,
/// any other scope that one file.
struct Owned {
    everything: bool,
    dirs: std::collections::HashSet<String>,
    files: std::collections::HashSet<String>,
}

impl Owned {
    fn new(scopes: &[String]) -> Owned {
        let mut owned = Owned {
            everything: false,
            dirs: Default::default(),
            files: Default::default(),
        };
        for scope in scopes {
            if scope.is_empty() {
                owned.everything = true;
            } else if scope.ends_with('/') {
                owned.dirs.insert(scope.clone());
            } else {
                owned.files.insert(scope.clone());
            }
        }
        owned
    }

    /// Whether the run owns the file `path`.
    fn file(&self, path: &str) -> bool {
        self.files.contains(path) || self.dir(path)
    }

    /// Whether `path` lies below a directory the run owns.
    fn dir(&self, path: &str) -> bool {
        self.everything
            || path
                .match_indices('/')
                .any(|(i, _)| self.dirs.contains(&path[..=i]))
    }
}

/// What [`compile`] does: write the files, or only compare them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Write,
    /// `compile --check`: nothing is written.
    Check,
}

/// What [`compile`] did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The files written, unchanged and removed, over every destination.
    pub written: Written,
    /// What `--check` found, for each destination.
    pub drift: Vec<Drift>,
    /// The files the run produced in each destination, sorted, each with
    /// its size and time as compared or written (`None` when unknown:
    /// `--check` found it out of date), then the manifest.
    pub produced: Vec<Vec<(String, Option<Stat>)>>,
}

/// Why [`compile`] failed: rendering a unit (the renderer's error), or the
/// output directory. Either way nothing was changed.
#[derive(Debug)]
pub enum Failure<E> {
    Render(E),
    Output(OutputError),
}

impl<E> From<OutputError> for Failure<E> {
    fn from(err: OutputError) -> Self {
        Failure::Output(err)
    }
}

/// What one unit's files came to.
#[derive(Default)]
struct UnitResult {
    /// (destination, path) of every file.
    paths: Vec<(usize, GeneratedPath)>,
    /// (destination, path, size and time) of each file up to date or staged.
    stats: Vec<(usize, String, Stat)>,
    /// (destination, temporary file, final path) of each changed file.
    temps: Vec<(usize, TempPath, PathBuf)>,
    /// (destination, path, whether it exists) of each file not up to date.
    drift: Vec<(usize, String, bool)>,
    unchanged: usize,
    /// The unit's first problem with a file, by [`Problem`] order.
    problem: Option<Problem>,
}

/// A problem found with a file, ordered as they are reported: a collision
/// (found once every path is known) first, then a control character, an
/// unreadable manifest, a path through a link or onto a non-file, and a
/// write error; among problems of one kind, the first path in order.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    ControlCharacter,
    Manifest,
    Path,
    Write,
}

#[derive(Debug)]
struct Problem {
    rank: Rank,
    destination: usize,
    path: String,
    error: OutputError,
}

impl Problem {
    fn key(&self) -> (&Rank, usize, &str) {
        (&self.rank, self.destination, &self.path)
    }

    /// The earlier of two problems.
    fn first(a: Option<Problem>, b: Option<Problem>) -> Option<Problem> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.key() < a.key() { b } else { a }),
            (a, b) => a.or(b),
        }
    }
}

/// Directories a run made for its temporary files: on a failure, those
/// left empty are removed (also when a renderer panics), so the directory
/// is as it was.
#[derive(Default)]
struct Made {
    dirs: std::sync::Mutex<Vec<PathBuf>>,
    /// Set once the run commits: nothing is undone then.
    kept: std::sync::atomic::AtomicBool,
}

impl Made {
    /// Make `dir` and its missing parents, noting the outermost one first.
    fn dir(&self, dir: &Path) -> std::io::Result<()> {
        let mut missing = None;
        let mut at = Some(dir);
        while let Some(d) = at.filter(|d| std::fs::symlink_metadata(d).is_err()) {
            missing = Some(d.to_path_buf());
            at = d.parent().filter(|p| !p.as_os_str().is_empty());
        }
        if let (Some(top), Ok(mut dirs)) = (missing, self.dirs.lock()) {
            dirs.push(top);
        }
        std::fs::create_dir_all(dir)
    }
}

impl Drop for Made {
    /// Remove the directories made, where empty (deepest first), unless
    /// the run committed.
    fn drop(&mut self) {
        if self.kept.load(std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let dirs = self.dirs.lock().map(|m| m.clone()).unwrap_or_default();
        for top in dirs {
            let walk = walkdir::WalkDir::new(&top).contents_first(true);
            for entry in walk.into_iter().filter_map(Result::ok) {
                if entry.file_type().is_dir() {
                    let _ = std::fs::remove_dir(entry.path());
                }
            }
        }
    }
}

/// Write (or with [`Mode::Check`], compare) the files `render` returns for
/// each of `units` units, as (index into `destinations`, file). Units
/// render in parallel and each unit's text is dropped once staged.
///
/// Fails, with the directory unchanged, on a render error (the first in
/// unit order), two files that cannot both exist, a file holding a control
/// character, an unreadable or foreign manifest, a path through a symbolic
/// link or onto something that is not a file, and a write error while
/// staging (a full disk, a read-only directory), reported in that order.
/// Once every file is staged, each destination commits (see
/// [`Staged::commit`]).
pub fn compile<E: Send>(
    destinations: &[Destination],
    units: usize,
    render: impl Fn(usize) -> Result<Vec<(usize, GeneratedFile)>, E> + Sync,
    mode: Mode,
    disk: &dyn Disk,
) -> Result<Outcome, Failure<E>> {
    let made = Made::default();
    // An unreadable manifest is reported after render errors and
    // collisions: the files are still rendered and compared, not staged.
    let mut manifest_problem = None;
    let previous: Vec<Vec<String>> = destinations
        .iter()
        .enumerate()
        .map(|(d, dest)| {
            read_manifest(&dest.dir, &dest.manifest).unwrap_or_else(|error| {
                let problem = Problem {
                    rank: Rank::Manifest,
                    destination: d,
                    path: dest.manifest.clone(),
                    error,
                };
                manifest_problem = Problem::first(manifest_problem.take(), Some(problem));
                Vec::new()
            })
        })
        .collect();
    let staging = mode == Mode::Write && manifest_problem.is_none();
    let owned: Vec<Owned> = destinations.iter().map(|d| Owned::new(&d.scopes)).collect();
    let in_scope = |d: usize, path: &str| owned[d].file(path);
    // Files the run may remove: those of the previous manifests in scope.
    // One may stand where a new file needs a directory.
    let candidates: Vec<BTreeSet<&str>> = previous
        .iter()
        .enumerate()
        .map(|(d, files)| {
            files
                .iter()
                .map(String::as_str)
                .filter(|p| in_scope(d, p))
                .collect()
        })
        .collect();
    // Once a unit fails, the others stop staging files.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let results: Vec<Result<UnitResult, E>> = (0..units)
        .into_par_iter()
        .map(|unit| {
            let files = render(unit).inspect_err(|_| {
                failed.store(true, std::sync::atomic::Ordering::SeqCst);
            })?;
            let mut guards: Vec<Guard> = destinations
                .iter()
                .zip(&candidates)
                .map(|(d, c)| Guard::new(&d.dir, c))
                .collect();
            let mut result = UnitResult {
                paths: Vec::with_capacity(files.len()),
                ..UnitResult::default()
            };
            for (d, file) in files {
                // After a problem, only paths are kept (for collisions).
                let stage = staging
                    && result.problem.is_none()
                    && !failed.load(std::sync::atomic::Ordering::Relaxed);
                let how = if stage { Mode::Write } else { Mode::Check };
                let out = &destinations[d].dir;
                match place(
                    out,
                    &file,
                    how,
                    &mut guards[d],
                    &candidates[d],
                    (disk, &made),
                ) {
                    Ok(Placement::Unchanged(stat)) => {
                        result.unchanged += 1;
                        result.stats.push((d, file.path.clone(), stat));
                    }
                    Ok(Placement::Staged(tmp, path, stat)) => {
                        result.temps.push((d, tmp, path));
                        if let Some(stat) = stat {
                            result.stats.push((d, file.path.clone(), stat));
                        }
                    }
                    Ok(Placement::Drift(exists)) => {
                        result.drift.push((d, file.path.clone(), exists));
                    }
                    Err((rank, error)) => {
                        let problem = Problem {
                            rank,
                            destination: d,
                            path: file.path.clone(),
                            error,
                        };
                        result.problem = Problem::first(result.problem.take(), Some(problem));
                        failed.store(true, std::sync::atomic::Ordering::SeqCst);
                    }
                }
                result.paths.push((
                    d,
                    GeneratedPath {
                        path: file.path,
                        contract: file.contract,
                    },
                ));
            }
            Ok(result)
        })
        .collect();
    let mut produced: Vec<Vec<GeneratedPath>> = vec![Vec::new(); destinations.len()];
    let mut temps: Vec<Vec<(TempPath, PathBuf)>> =
        destinations.iter().map(|_| Vec::new()).collect();
    let mut drift: Vec<Drift> = destinations.iter().map(|_| Drift::default()).collect();
    let mut unchanged = 0;
    let mut problem = manifest_problem;
    let mut stats: Vec<std::collections::HashMap<String, Stat>> =
        destinations.iter().map(|_| Default::default()).collect();
    for result in results {
        // Dropping the temporary paths (on an error) deletes them.
        let result = result.map_err(Failure::Render)?;
        unchanged += result.unchanged;
        for (d, path, stat) in result.stats {
            stats[d].insert(path, stat);
        }
        problem = Problem::first(problem, result.problem);
        for (d, path) in result.paths {
            produced[d].push(path);
        }
        for (d, tmp, path) in result.temps {
            temps[d].push((tmp, path));
        }
        for (d, path, exists) in result.drift {
            if exists {
                drift[d].stale.push(path);
            } else {
                drift[d].missing.push(path);
            }
        }
    }
    for (d, destination) in destinations.iter().enumerate() {
        let produced = &mut produced[d];
        produced.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(collision) = collision(produced) {
            return Err(Failure::Output(OutputError {
                path: destination.dir.join(&collision.second.path),
                message: "would be written twice: two generated files have this path, or paths that differ only in case".into(),
                collision: Some(Box::new(collision)),
                destination: Some(d),
            }));
        }
    }
    if let Some(problem) = problem {
        return Err(Failure::Output(problem.error));
    }
    // Temporaries of this run, by name (random), in every destination: the
    // rest beside its files are leftovers of an interrupted run.
    let ours: BTreeSet<std::ffi::OsString> = temps
        .iter()
        .flatten()
        .filter_map(|(tmp, _)| tmp.file_name().map(|n| n.to_os_string()))
        .collect();
    let mut staged = Vec::new();
    let mut manifest_stats: Vec<Option<Stat>> = destinations.iter().map(|_| None).collect();
    for (d, destination) in destinations.iter().enumerate() {
        let out = &destination.dir;
        let paths: BTreeSet<&str> = produced[d].iter().map(|p| p.path.as_str()).collect();
        let removals: Vec<String> = candidates[d]
            .iter()
            .filter(|p| !paths.contains(*p))
            .map(|p| p.to_string())
            .collect();
        let removing: BTreeSet<&str> = removals.iter().map(String::as_str).collect();
        let mut guard = Guard::new(out, &removing);
        for path in &removals {
            guard.check(path)?;
        }
        let mut listed: BTreeSet<&str> = previous[d]
            .iter()
            .map(String::as_str)
            .filter(|p| !in_scope(d, p))
            .collect();
        listed.extend(paths.iter().copied());
        let mut everything: BTreeSet<&str> = previous[d].iter().map(String::as_str).collect();
        everything.extend(listed.iter().copied());
        let manifest = GeneratedFile {
            path: destination.manifest.clone(),
            text: render_manifest(&listed, false),
            contract: None,
        };
        let leftovers: Vec<String> = leftovers(
            out,
            paths
                .iter()
                .copied()
                .chain(removals.iter().map(String::as_str))
                .chain([manifest.path.as_str()]),
        )
        .into_iter()
        .filter(|l| {
            let name = Path::new(l.as_str()).file_name();
            !name.is_some_and(|n| ours.contains(n))
        })
        .collect();
        let manifest = place(
            out,
            &manifest,
            mode,
            &mut guard,
            &BTreeSet::new(),
            (disk, &made),
        )
        .map_err(|(_, error)| Failure::Output(error))?;
        match mode {
            Mode::Check => {
                let drift = &mut drift[d];
                drift.missing.sort();
                drift.stale.sort();
                // The manifest last, as it is written last.
                if let Placement::Drift(exists) = manifest {
                    let path = destination.manifest.clone();
                    if exists {
                        drift.stale.push(path);
                    } else {
                        drift.missing.push(path);
                    }
                }
                drift.extra = removals
                    .iter()
                    .filter(|p| out.join(p).exists())
                    .chain(&leftovers)
                    .cloned()
                    .collect();
                drift.extra.sort();
            }
            Mode::Write => {
                let (manifest, manifest_unchanged) = match manifest {
                    Placement::Staged(tmp, path, stat) => {
                        manifest_stats[d] = stat;
                        (Some((tmp, path)), 0)
                    }
                    Placement::Unchanged(stat) => {
                        manifest_stats[d] = Some(stat);
                        (None, 1)
                    }
                    Placement::Drift(_) => (None, 1),
                };
                staged.push(Staged {
                    out: out.clone(),
                    removals,
                    leftovers,
                    scopes: destination.scopes.clone(),
                    in_progress: render_manifest(&everything, true),
                    temps: std::mem::take(&mut temps[d]),
                    manifest,
                    unchanged: manifest_unchanged,
                });
            }
        }
    }
    let produced = produced
        .into_iter()
        .zip(stats)
        .zip(destinations)
        .zip(manifest_stats)
        .map(|(((files, mut stats), destination), manifest)| {
            let mut files: Vec<(String, Option<Stat>)> = files
                .into_iter()
                .map(|p| {
                    let stat = stats.remove(&p.path);
                    (p.path, stat)
                })
                .collect();
            files.push((destination.manifest.clone(), manifest));
            files
        })
        .collect();
    let mut outcome = Outcome {
        drift,
        produced,
        ..Outcome::default()
    };
    outcome.written.unchanged = unchanged;
    // From here the directories made stay: files are being put in place.
    made.kept.store(true, std::sync::atomic::Ordering::SeqCst);
    for s in staged {
        let w = s.commit()?;
        outcome.written.written += w.written;
        outcome.written.unchanged += w.unchanged;
        outcome.written.removed += w.removed;
    }
    Ok(outcome)
}

/// What became of one generated file.
enum Placement {
    /// The file on disk already holds its text; its size and time before
    /// it was read.
    Unchanged(Stat),
    /// Written to a temporary file, to be renamed to the path; the
    /// temporary's size and time, which the rename keeps.
    Staged(TempPath, PathBuf, Option<Stat>),
    /// `--check`: not up to date; whether a file is there.
    Drift(bool),
}

/// Check one file's path and text, and compare it with the file on disk;
/// in [`Mode::Write`], stage it when it differs.
fn place(
    out: &Path,
    file: &GeneratedFile,
    mode: Mode,
    guard: &mut Guard,
    candidates: &BTreeSet<&str>,
    (disk, made): (&dyn Disk, &Made),
) -> Result<Placement, (Rank, OutputError)> {
    let path = out.join(&file.path);
    if let Some((_, c)) = crate::text::forbidden(&file.text) {
        return Err((
            Rank::ControlCharacter,
            error(
                &path,
                format!(
                    "would hold the control character {}; nothing was written (this is a bug in datapact)",
                    crate::text::code_point(c)
                ),
            ),
        ));
    }
    // Taken before the file is read: a change after it shows as another time.
    let stat = guard.check(&file.path).map_err(|e| (Rank::Path, e))?;
    if let Some(stat) = stat.filter(|s| holds(&path, Some(s.0), &file.text)) {
        return Ok(Placement::Unchanged(stat));
    }
    if mode == Mode::Check {
        return Ok(Placement::Drift(stat.is_some()));
    }
    // Beside the destination, unless a file the run removes stands where
    // its directory goes: then in the output directory.
    let blocked = file
        .path
        .match_indices('/')
        .any(|(at, _)| candidates.contains(&file.path[..at]));
    let dir = match path.parent() {
        Some(dir) if !blocked => dir.to_path_buf(),
        _ => out.to_path_buf(),
    };
    match made
        .dir(&dir)
        .and_then(|()| temporary(&dir, &path, &file.text, disk))
    {
        Ok(tmp) => {
            let stat = self::stat(&tmp);
            Ok(Placement::Staged(tmp, path, stat))
        }
        Err(err) => Err((Rank::Write, error(&path, format!("cannot write: {err}")))),
    }
}

/// One destination's changed files, written next to their final paths as
/// temporary files; [`Staged::commit`] renames them into place, and
/// dropping it deletes them, leaving the directory as it was.
#[must_use = "staged files are committed or dropped"]
struct Staged {
    out: PathBuf,
    /// Files the previous manifest lists in the run's scopes that the run
    /// no longer produces.
    removals: Vec<String>,
    /// Temporary files an interrupted run left beside the run's files.
    leftovers: Vec<String>,
    /// The run's scopes: directories a removal empties are removed only
    /// inside them (a dbt project's own `tests/` stays).
    scopes: Vec<String>,
    /// The manifest written before any other change: every file the
    /// previous manifest lists and every file the run produces.
    in_progress: String,
    /// (temporary file, destination) of each changed file.
    temps: Vec<(TempPath, PathBuf)>,
    /// The new manifest, when it changed.
    manifest: Option<(TempPath, PathBuf)>,
    unchanged: usize,
}

impl Staged {
    /// Put the staged files in place: first the manifest marked in
    /// progress (listing every file the run may leave), then the removals
    /// (with the directories they leave empty, and leftovers of an
    /// interrupted run), the files by rename, and the final manifest last.
    /// A run killed at any point leaves a manifest that lists every file it
    /// wrote, and temporaries the next run removes.
    fn commit(mut self) -> Result<Written, OutputError> {
        let manifest = self.manifest.take();
        let mut written = Written {
            unchanged: self.unchanged,
            ..Written::default()
        };
        let out = self.out.clone();
        let changes =
            !self.temps.is_empty() || !self.removals.is_empty() || !self.leftovers.is_empty();
        if let (Some((_, dest)), true) = (&manifest, changes) {
            write_atomic(dest, &self.in_progress)
                .map_err(|err| error(dest, format!("cannot write: {err}")))?;
        }
        for leftover in &self.leftovers {
            let path = out.join(leftover);
            match std::fs::remove_file(&path) {
                Ok(()) => written.removed += 1,
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(error(&path, format!("cannot remove: {err}"))),
            }
        }
        let owned = Owned::new(&self.scopes);
        for removal in &self.removals {
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
                    rel != "/" && owned.dir(&rel)
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

    /// `Owned` answers as a scan of every scope does.
    #[test]
    fn owned_scopes_answer_as_a_scan_does() {
        let scan = |scopes: &[String], path: &str| {
            scopes.iter().any(|s| {
                if s.is_empty() || s.ends_with('/') {
                    path.starts_with(s.as_str())
                } else {
                    path == s
                }
            })
        };
        let paths = [
            "",
            "/",
            "a",
            "a/",
            "a/b",
            "a/b/",
            "a/b/c.sql",
            "a/bc.sql",
            "ab/c",
            "sql/duckdb/x.sql",
            "sql/duckdb/",
            "sql/duck/x.sql",
            "docs/x.md",
            "x.md",
        ];
        let scope_sets: [&[&str]; 5] = [
            &[],
            &[""],
            &["a/", "sql/duckdb/x.sql"],
            &["a/b/", "x.md", "docs/"],
            &["sql/duckdb/", "sql/", "a/bc.sql"],
        ];
        for set in scope_sets {
            let scopes: Vec<String> = set.iter().map(|s| s.to_string()).collect();
            let owned = Owned::new(&scopes);
            for path in paths {
                assert_eq!(owned.file(path), scan(&scopes, path), "{set:?} {path}");
            }
        }
    }

    #[test]
    fn the_manifest_is_what_serde_json_writes() {
        for files in [vec![], vec!["a.sql", "b/\"q\".sql", "c/é.sql"]] {
            for in_progress in [false, true] {
                let list: BTreeSet<&str> = files.iter().copied().collect();
                let mut doc = serde_json::json!({
                    "generated_by": "datapact",
                    "note": "Files datapact wrote here. datapact removes only these, and only when it no longer generates them.",
                    "files": files,
                });
                if in_progress {
                    doc["in_progress"] = serde_json::json!(
                        "a run started writing and did not finish; the next run removes what it left"
                    );
                }
                let expected = serde_json::to_string_pretty(&doc).unwrap() + "\n";
                assert_eq!(render_manifest(&list, in_progress), expected);
            }
        }
    }

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

    /// Write `files` (one unit each) into `dir` with `disk`.
    fn write_with(
        dir: &Path,
        files: &[GeneratedFile],
        disk: &dyn Disk,
    ) -> Result<Written, OutputError> {
        let destination = Destination {
            dir: dir.to_path_buf(),
            manifest: MANIFEST.to_string(),
            scopes: vec!["sql/".to_string()],
        };
        let render = |unit: usize| Ok::<_, ()>(vec![(0, files[unit].clone())]);
        match compile(&[destination], files.len(), render, Mode::Write, disk) {
            Ok(outcome) => Ok(outcome.written),
            Err(Failure::Output(err)) => Err(err),
            Err(Failure::Render(())) => unreachable!("the files render"),
        }
    }

    #[test]
    fn a_full_disk_changes_nothing() {
        // Removed when dropped, also when the test fails.
        let tmp = tempfile::Builder::new()
            .prefix("datapact-full-disk-")
            .tempdir()
            .unwrap();
        let dir = tmp.path().join("out");
        let old = [file("sql/a.sql", "old a\n"), file("sql/gone.sql", "gone\n")];
        write_with(&dir, &old, &RealDisk).unwrap();
        let before = snapshot(&dir);

        let new_files = [
            file("sql/a.sql", "new a\n"),
            file("sql/b/c.sql", "new c\n".repeat(100).as_str()),
            file("sql/d.sql", "new d\n"),
        ];
        for room in 0..4 {
            let disk = FullDisk {
                room,
                writes: Default::default(),
            };
            let err = write_with(&dir, &new_files, &disk).expect_err("the disk is full");
            assert!(err.message.starts_with("cannot write: "), "{}", err.message);
            assert!(
                err.message.contains("No space left on device"),
                "{}",
                err.message
            );
            // No file changed, none was added (no temporary file is left),
            // none removed; a directory made for a new file may stay empty.
            assert_eq!(snapshot(&dir), before, "room for {room} writes");
        }

        let written = write_with(&dir, &new_files, &RealDisk).unwrap();
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
        // Again: nothing changes.
        let again = write_with(&dir, &new_files, &RealDisk).unwrap();
        assert_eq!(
            again,
            Written {
                written: 0,
                unchanged: 4,
                removed: 0
            }
        );
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
        for (files, expected) in cases {
            let mut files: Vec<GeneratedPath> = files
                .into_iter()
                .map(|f| GeneratedPath {
                    path: f.path,
                    contract: f.contract,
                })
                .collect();
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
