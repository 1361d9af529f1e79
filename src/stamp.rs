//! What the last compile of a project wrote, so that a compile that would
//! change nothing can say so without rendering and reading back every
//! file (`.datapact/compile.stamp` under the project root).
//!
//! A stamp holds a fingerprint of everything the output is made from (the
//! text of every file read, the targets and destinations, the datapact
//! binary) and the size and modification time of every file the compile
//! produced, and of each manifest. A later compile with the same
//! fingerprint whose files all still have those sizes and times is a
//! no-op, as `git status` trusts its index. Anything else (a stamp
//! missing, unreadable or of other inputs, one file touched, a file whose
//! time is too close to the stamp's to be trusted) takes the full path,
//! which renders and compares every file. Every compile that may write
//! deletes the stamp first, so an interrupted one leaves none.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::output::Destination;

/// The stamp's path under the project root.
pub const PATH: &str = ".datapact/compile.stamp";

/// The first line of a stamp, with the version of its format.
const HEADER: &str = "datapact-stamp 1";

/// A fingerprint of a compile's inputs, built from each part fed to it.
pub struct Fingerprint(Sha256);

impl Default for Fingerprint {
    fn default() -> Fingerprint {
        let mut hash = Sha256::new();
        hash.update(HEADER);
        hash.update(env!("DATAPACT_VERSION"));
        // A rebuilt binary of the same commit may write other files.
        if let Some(binary) = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::metadata(exe).ok())
        {
            hash.update(binary.len().to_le_bytes());
            hash.update(nanos(binary.modified().ok()).to_le_bytes());
        }
        Fingerprint(hash)
    }
}

impl Fingerprint {
    /// Add one part; each is length-prefixed, so parts never run together.
    pub fn add(&mut self, part: impl AsRef<[u8]>) -> &mut Fingerprint {
        let part = part.as_ref();
        self.0.update((part.len() as u64).to_le_bytes());
        self.0.update(part);
        self
    }

    fn hex(self) -> String {
        self.0
            .finalize()
            .iter()
            .fold(String::new(), |mut out, byte| {
                let _ = write!(out, "{byte:02x}");
                out
            })
    }
}

/// A file's size and modification time (nanoseconds since the epoch), as
/// a stamp records it; `None` for anything but a regular file.
fn stat(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    meta.is_file()
        .then(|| (meta.len(), nanos(meta.modified().ok())))
}

fn nanos(time: Option<SystemTime>) -> u128 {
    time.and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// A file as a stamp records it: its size, modification time and path.
type Recorded = (u64, u128, String);

/// The files a stamp vouches for, in each destination, with the manifest
/// of each: what [`holds`] counts as unchanged.
struct Stamp {
    inputs: String,
    /// Per destination: its directory and each file.
    files: Vec<(PathBuf, Vec<Recorded>)>,
    /// When the stamp was made.
    made: u128,
}

/// Whether the stamp at `path` vouches for `destinations` built from
/// `inputs`: the number of files it holds unchanged (manifests counted),
/// or `None` when the compile must take the full path.
pub fn holds(path: &Path, inputs: Fingerprint, destinations: &[Destination]) -> Option<usize> {
    let text = std::fs::read_to_string(path).ok()?;
    let stamp = parse(&text)?;
    if stamp.inputs != inputs.hex() || stamp.files.len() != destinations.len() {
        return None;
    }
    // A file system that keeps whole seconds (or two: FAT) cannot tell a
    // file written just before the stamp from one changed just after it.
    let whole_seconds = stamp
        .files
        .iter()
        .flat_map(|(_, files)| files)
        .all(|(_, time, _)| time % 1_000_000_000 == 0);
    let trusted = |time: u128| match whole_seconds {
        true => time + 2_000_000_000 <= stamp.made,
        false => time < stamp.made,
    };
    let mut unchanged = 0;
    for ((dir, files), destination) in stamp.files.iter().zip(destinations) {
        if *dir != destination.dir {
            return None;
        }
        let all_hold = files.par_iter().all(|(size, time, file)| {
            trusted(*time) && stat(&dir.join(file)) == Some((*size, *time))
        });
        if !all_hold {
            return None;
        }
        // The manifest counts as a file, as the full path counts it.
        unchanged += files.len();
    }
    Some(unchanged)
}

fn parse(text: &str) -> Option<Stamp> {
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let inputs = lines.next()?.strip_prefix("inputs ")?.to_string();
    let made = lines.next()?.strip_prefix("made ")?.parse().ok()?;
    let mut files: Vec<(PathBuf, Vec<Recorded>)> = Vec::new();
    for line in lines {
        if let Some(dir) = line.strip_prefix("dir ") {
            files.push((PathBuf::from(dir), Vec::new()));
            continue;
        }
        let mut parts = line.splitn(3, ' ');
        let size = parts.next()?.parse().ok()?;
        let time = parts.next()?.parse().ok()?;
        let file = parts.next()?.to_string();
        files.last_mut()?.1.push((size, time, file));
    }
    Some(Stamp {
        inputs,
        files,
        made,
    })
}

/// Remove the stamp at `path`, before a compile that may write.
pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Record, at `path`, the files of `destinations` a compile from `inputs`
/// just produced (`produced[d]`, relative to each directory) and each
/// manifest. Best effort: a stamp that cannot be written only means the
/// next compile takes the full path. A destination directory whose name
/// cannot be written on one line makes no stamp.
pub fn write(
    path: &Path,
    inputs: Fingerprint,
    destinations: &[Destination],
    produced: &[Vec<String>],
) {
    let made = nanos(Some(SystemTime::now()));
    let mut text = format!("{HEADER}\ninputs {}\nmade {made}\n", inputs.hex());
    for (destination, files) in destinations.iter().zip(produced) {
        let Some(dir) = destination.dir.to_str().filter(|d| !d.contains('\n')) else {
            return;
        };
        let _ = writeln!(text, "dir {dir}");
        let stats: Option<Vec<(u64, u128)>> = std::iter::once(&destination.manifest)
            .chain(files)
            .collect::<Vec<_>>()
            .par_iter()
            .map(|file| stat(&destination.dir.join(file)))
            .collect();
        let Some(stats) = stats else { return };
        for (file, (size, time)) in std::iter::once(&destination.manifest)
            .chain(files)
            .zip(stats)
        {
            if file.contains('\n') {
                return;
            }
            let _ = writeln!(text, "{size} {time} {file}");
        }
    }
    let Some(dir) = path.parent() else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    // The folder is datapact's own: git is told to leave it alone.
    let ignore = dir.join(".gitignore");
    if !ignore.exists() {
        let _ = std::fs::write(
            ignore,
            "# datapact's own files (drivers, the compile stamp)\n*\n",
        );
    }
    if let Ok(mut file) = tempfile::NamedTempFile::new_in(dir) {
        use std::io::Write as _;
        if file.write_all(text.as_bytes()).is_ok() {
            let _ = file.persist(path);
        }
    }
}
