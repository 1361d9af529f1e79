//! What the last compile of a project wrote, so that a compile that would
//! change nothing can say so without rendering and reading back every
//! file (`.datapact/compile.stamp` under the project root).
//!
//! A stamp holds a fingerprint of everything the output is made from (the
//! text of every file read, the targets and destinations, the datapact
//! version and a hash of the sources it was built from) and the size and
//! modification time of every file the compile produced, and of each
//! manifest. A later compile with the same
//! fingerprint whose files all still have those sizes and times is a
//! no-op, as `git status` trusts its index. Anything else (a stamp
//! missing, unreadable or of other inputs, one file touched, a file whose
//! time is not before the stamp's own) takes the full path, which renders
//! and compares every file. Every compile that may write deletes the stamp
//! first, so an interrupted one leaves none.
//!
//! The sizes and times recorded are those `output::compile` saw before it
//! read a file to compare it, or of the file it wrote: a change after that
//! shows as another time. The stamp's own modification time, on the file
//! system's clock, is when it was made; a file with a time not before it
//! could have been changed within the same tick of that clock unseen, so
//! it is not trusted (git's "racily clean" entries).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::output::{Destination, Stat};

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
        // A build of other sources of the same version writes other files.
        hash.update(env!("DATAPACT_SOURCE"));
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

    /// The fingerprint, as a stamp records it.
    pub fn finish(self) -> String {
        self.0
            .finalize()
            .iter()
            .fold(String::new(), |mut out, byte| {
                let _ = write!(out, "{byte:02x}");
                out
            })
    }
}

/// A file as a stamp records it: its size, modification time and path.
type Recorded = (u64, u128, String);

/// The files a stamp vouches for, in each destination, with the manifest
/// of each: what [`holds`] counts as unchanged.
struct Stamp {
    inputs: String,
    /// Per destination: its directory and each file.
    files: Vec<(PathBuf, Vec<Recorded>)>,
}

/// Whether the stamp at `path` vouches for `destinations` built from
/// `inputs`: the number of files it holds unchanged (manifests counted),
/// or `None` when the compile must take the full path.
pub fn holds(path: &Path, inputs: &str, destinations: &[Destination]) -> Option<usize> {
    let (_, made) = crate::output::stat(path)?;
    let text = std::fs::read_to_string(path).ok()?;
    let stamp = parse(&text)?;
    if stamp.inputs != inputs || stamp.files.len() != destinations.len() {
        return None;
    }
    let mut unchanged = 0;
    for ((dir, files), destination) in stamp.files.iter().zip(destinations) {
        if *dir != destination.dir {
            return None;
        }
        // A destination on a file system that keeps whole seconds (or two:
        // FAT) rounds its files' times down: one written just before the
        // stamp and one changed just after it can have the same time.
        let whole_seconds = files.iter().all(|(_, time, _)| time % 1_000_000_000 == 0);
        let margin = if whole_seconds { 2_000_000_000 } else { 0 };
        let all_hold = files.par_iter().all(|(size, time, file)| {
            time + margin < made && crate::output::stat(&dir.join(file)) == Some((*size, *time))
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
    Some(Stamp { inputs, files })
}

/// Remove the stamp at `path`, before a compile that may write.
pub fn remove(path: &Path) {
    let _ = std::fs::remove_file(path);
}

/// Record, at `path`, the files of `destinations` a compile from `inputs`
/// just produced, each with the size and time it had when compared or
/// written (`produced[d]`, relative to each directory, the manifest
/// last). Best effort: a stamp that cannot be written only means the next
/// compile takes the full path; so does a file whose size and time are
/// unknown, or a name that does not fit on one line.
pub fn write(
    path: &Path,
    inputs: &str,
    destinations: &[Destination],
    produced: &[Vec<(String, Option<Stat>)>],
) {
    let mut text = format!("{HEADER}\ninputs {inputs}\n");
    let mut newest = 0;
    for (destination, files) in destinations.iter().zip(produced) {
        let Some(dir) = destination.dir.to_str().filter(|d| !d.contains('\n')) else {
            return;
        };
        let _ = writeln!(text, "dir {dir}");
        for (file, stat) in files {
            let Some((size, time)) = stat else { return };
            if file.contains('\n') {
                return;
            }
            newest = newest.max(*time);
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
    // A stamp made within the clock tick of the newest file could not vouch
    // for it: written again a tick later, it can. Coarse clocks tick in
    // milliseconds; a file system keeping seconds gets a stamp that
    // vouches for older files only.
    for _ in 0..3 {
        let Ok(mut file) = tempfile::NamedTempFile::new_in(dir) else {
            return;
        };
        use std::io::Write as _;
        if file.write_all(text.as_bytes()).is_err() || file.persist(path).is_err() {
            return;
        }
        match crate::output::stat(path) {
            Some((_, made)) if made > newest => return,
            _ => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn set_time(path: &Path, time: SystemTime) {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        file.set_modified(time).expect("set time");
    }

    /// A file is vouched for only when its time is before the stamp's own,
    /// by two seconds on a file system that keeps whole seconds.
    #[test]
    fn times_too_close_to_the_stamp_are_not_trusted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        std::fs::create_dir_all(&out).expect("mkdir");
        let destinations = [Destination {
            dir: out.clone(),
            manifest: "m.json".into(),
            scopes: Vec::new(),
        }];
        let mut fingerprint = Fingerprint::default();
        fingerprint.add("the inputs");
        let inputs = fingerprint.finish();
        let stamp = dir.path().join("stamp");
        let base = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let cases = [
            // (files' time, stamp's time, vouched for)
            (
                base + Duration::from_millis(1),
                base + Duration::from_millis(2),
                true,
            ),
            (
                base + Duration::from_millis(2),
                base + Duration::from_millis(2),
                false,
            ),
            (base, base + Duration::from_secs(1), false),
            (base, base + Duration::from_secs(3), true),
        ];
        for (i, (file_time, stamp_time, vouched)) in cases.into_iter().enumerate() {
            for name in ["a.sql", "m.json"] {
                std::fs::write(out.join(name), "text").expect("write");
                set_time(&out.join(name), file_time);
            }
            let produced = [vec![
                ("a.sql".to_string(), crate::output::stat(&out.join("a.sql"))),
                (
                    "m.json".to_string(),
                    crate::output::stat(&out.join("m.json")),
                ),
            ]];
            write(&stamp, &inputs, &destinations, &produced);
            set_time(&stamp, stamp_time);
            let held = holds(&stamp, &inputs, &destinations);
            assert_eq!(held.is_some(), vouched, "case {i}");
            if vouched {
                assert_eq!(held, Some(2), "the manifest counts");
                // Other inputs, or a file changed, take the full path.
                let mut other = Fingerprint::default();
                other.add("other inputs");
                assert_eq!(holds(&stamp, &other.finish(), &destinations), None);
                std::fs::write(out.join("a.sql"), "TEXT").expect("write");
                assert_eq!(holds(&stamp, &inputs, &destinations), None, "case {i}");
            }
        }
    }
}
