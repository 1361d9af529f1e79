//! Finding and reading contract files.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Sources;

/// Names of files that are never contracts, even under a contracts directory.
const PROJECT_FILES: &[&str] = &["datapact.yaml", "datapact.yml"];

/// Maximum size of a contract file: 20 times the largest public contract
/// we know (192 KB), so memory and time stay bounded on any input.
pub const MAX_FILE_BYTES: usize = 4 << 20;
/// The largest dbt manifest read.
pub const MAX_MANIFEST_BYTES: usize = 1 << 30;

/// Read every contract file under `paths` (files, or directories searched
/// recursively for `*.yaml`/`*.yml`), in a stable order. Unreadable paths
/// become diagnostics; the rest are still loaded.
///
/// Symbolic links found in a directory are followed when they lead inside
/// one of the directories given (each file is read once, and a loop is
/// reported); a link leading elsewhere is reported and not read, so a
/// contract directory cannot pull in files from the rest of the machine.
/// A file whose name holds a control character or line break is reported
/// and not read.
pub fn load(paths: &[PathBuf]) -> (Sources, Vec<Diagnostic>) {
    let loaded = load_counted(paths);
    (loaded.sources, loaded.diagnostics)
}

/// What [`load_counted`] read.
pub struct Loaded {
    pub sources: Sources,
    pub diagnostics: Vec<Diagnostic>,
    /// YAML files that are not contracts (see [`is_contract`]) or that
    /// datapact wrote (under a directory holding its [`MANIFEST`]), not read.
    pub skipped: usize,
}

/// [`load`], also counting the YAML files it skipped.
pub fn load_counted(paths: &[PathBuf]) -> Loaded {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut skipped = 0;
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .filter_map(|p| std::fs::canonicalize(p).ok())
        .collect();
    for path in paths {
        if path.is_dir() {
            let mut outside: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
            let walker = walkdir::WalkDir::new(path)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    if e.depth() == 0 {
                        return true;
                    }
                    if e.file_name().to_string_lossy().starts_with('.') {
                        return false;
                    }
                    if !e.path_is_symlink() {
                        return true;
                    }
                    let target = std::fs::canonicalize(e.path()).ok();
                    let inside = target
                        .as_ref()
                        .is_some_and(|t| roots.iter().any(|r| t.starts_with(r)));
                    if !inside && (e.file_type().is_dir() || is_contract_file(e.path())) {
                        outside.push((e.path().to_path_buf(), target));
                    }
                    inside
                });
            // Directories datapact compiled into (they hold its manifest).
            let mut outputs: Vec<PathBuf> = Vec::new();
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_dir() && e.path().join(MANIFEST).is_file() => {
                        outputs.push(e.into_path());
                    }
                    Ok(e) if e.file_type().is_file() && is_contract_file(e.path()) => {
                        if outputs.iter().any(|o| e.path().starts_with(o)) {
                            skipped += 1;
                            continue;
                        }
                        files.push(e.into_path());
                    }
                    Ok(_) => {}
                    Err(err) => {
                        let at = err.path().unwrap_or(path).to_path_buf();
                        let why = if err.loop_ancestor().is_some() {
                            "a symbolic link loop (it leads to a directory above it)".to_string()
                        } else {
                            err.io_error()
                                .map_or_else(|| err.to_string(), |e| e.to_string())
                        };
                        diagnostics.push(io_error(&at, &why));
                    }
                }
            }
            for (link, target) in outside {
                let why = match target {
                    Some(target) => format!(
                        "it is a symbolic link to `{}`, outside the directories given; not read",
                        display(&target)
                    ),
                    None => "it is a symbolic link that leads nowhere".to_string(),
                };
                diagnostics.push(io_error(&link, &why));
            }
        } else if path.symlink_metadata().is_ok() {
            files.push(path.clone());
        } else {
            diagnostics.push(io_error(path, "no such file or directory"));
        }
    }
    // A name that would carry a line break or terminal control into a
    // generated file's header, a diagnostic or a report.
    files.retain(|f| match crate::text::name_problem(&display(f)) {
        None => true,
        Some((_, c)) => {
            diagnostics.push(io_error(
                f,
                &format!(
                    "its name holds the control character {}; rename the file",
                    crate::text::code_point(c)
                ),
            ));
            false
        }
    });
    // One sorted list, each file once however many arguments reach it.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files.sort_by_key(|f| display(f));
    let read: Vec<_> = files
        .into_par_iter()
        .map(|file| {
            let bytes = read_contract(&file);
            (file, bytes)
        })
        .collect();
    for (file, bytes) in read {
        match bytes {
            Ok(bytes) => {
                if std::str::from_utf8(&bytes).is_ok_and(|text| !is_contract(text)) {
                    skipped += 1;
                    continue;
                }
                if add(&mut sources, display(&file), bytes).is_err() {
                    diagnostics.push(io_error(&file, "not UTF-8 text"));
                }
            }
            Err(why) => diagnostics.push(io_error(&file, &why)),
        }
    }
    Loaded {
        sources,
        diagnostics,
        skipped,
    }
}

/// The file that lists what a compile wrote, in its output directory.
pub const MANIFEST: &str = "datapact-manifest.json";

/// Whether a YAML file is read as a contract: its
/// top-level keys include `contract` (native), `apiVersion` and `kind:
/// DataContract` (ODCS; other manifests have both keys too), `dataContractSpecification` (DCS), or `dataset` or `columns` (a
/// native contract missing its id still gets its diagnostics). An empty
/// file, and a file whose
/// top level is not a block mapping (flow style, a list, a scalar) is read:
/// it may be a contract written oddly. So a dbt project's
/// `dbt_project.yml`, `profiles.yml` and property files, and CI
/// configuration, are not read as contracts, whether found in a directory
/// or named (a pre-commit hook names every YAML file a commit changes).
pub fn is_contract(text: &str) -> bool {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut keys: Vec<&str> = Vec::new();
    let mut data_contract = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if trimmed.is_empty()
            || trimmed.starts_with('#')
            || trimmed.starts_with('%')
            || trimmed == "---"
            || line.starts_with([' ', '\t'])
        {
            continue;
        }
        if trimmed == "..." {
            break;
        }
        match top_level_key(trimmed) {
            Some(key) => keys.push(key),
            None => return true,
        }
        if let Some(kind) = trimmed.strip_prefix("kind:") {
            data_contract = kind.trim().trim_matches(['"', '\'']) == "DataContract";
        }
    }
    let has = |key: &str| keys.contains(&key);
    // An empty file is read, to be reported as one.
    keys.is_empty()
        || has("contract")
        || has("dataContractSpecification")
        || (has("apiVersion") && data_contract)
        || has("dataset")
        || has("columns")
}

/// The key of a line `key: …` (plain or quoted), else `None`.
fn top_level_key(line: &str) -> Option<&str> {
    let (key, rest) = match line.chars().next()? {
        q @ ('"' | '\'') => {
            let end = line[1..].find(q)? + 1;
            (&line[1..end], &line[end + 1..])
        }
        // A list item, an anchor, a tag, flow style: not a key as such.
        c if !(c.is_alphanumeric() || c == '_') => return None,
        _ => {
            let colon = line
                .find(": ")
                .or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
            (&line[..colon], &line[colon..])
        }
    };
    let plain = key
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' '));
    (plain && !key.is_empty() && rest.starts_with(':')).then_some(key.trim())
}

/// A contract file's bytes, read as [`read_bounded`] reads.
fn read_contract(path: &Path) -> Result<Vec<u8>, String> {
    read_bounded(path, MAX_FILE_BYTES, "a contract file")
}

/// The bytes of a file datapact reads (a contract, `datapact.yaml`, a docs
/// template, a manifest). Only regular files are read (a FIFO would block
/// forever, a device never end), and only up to `limit` bytes; `what`
/// names the kind of file in the message.
pub fn read_bounded(path: &Path, limit: usize, what: &str) -> Result<Vec<u8>, String> {
    use std::io::Read as _;
    // Before opening: opening a FIFO blocks until something writes to it.
    let meta = std::fs::metadata(path).map_err(|err| err.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let file = std::fs::File::open(path).map_err(|err| err.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|err| err.to_string())?;
    if bytes.len() > limit {
        return Err(format!(
            "the file is larger than the limit of {limit} bytes for {what}"
        ));
    }
    Ok(bytes)
}

/// A text file read as [`read_bounded`] reads; `Err` also when it is not
/// UTF-8.
pub fn read_text(path: &Path, limit: usize, what: &str) -> Result<String, String> {
    let bytes = read_bounded(path, limit, what)?;
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

/// Add a file's bytes as text; `Err` if they are not UTF-8.
fn add(sources: &mut Sources, path: String, bytes: Vec<u8>) -> Result<(), ()> {
    let text = String::from_utf8(bytes).map_err(|_| ())?;
    // A byte-order mark is not content (and would shift every column on line 1).
    let text = match text.strip_prefix('\u{FEFF}') {
        Some(rest) => rest.to_string(),
        None => text,
    };
    sources.add(path, text);
    Ok(())
}

/// Read every contract file under `paths` as of the git revision `rev`,
/// choosing files as [`load`] does; each is named `<rev>:<path from the
/// repository root>`, as `git show` takes it. Git runs in the current
/// directory, so paths are relative to it as usual. Paths that did not exist
/// at `rev` contribute no files. `Err` says why git could not answer.
pub fn load_git(
    rev: &str,
    paths: &[PathBuf],
) -> Result<(Sources, Vec<Diagnostic>), Box<Diagnostic>> {
    let fail = |message: String, help: &str| {
        Box::new(Diagnostic::error(Code::Io, message).with_help(help))
    };
    let prefix = git(&["rev-parse", "--show-prefix"], None).map_err(|why| {
        fail(
            why,
            "--base compares with a revision of the git repository in the current directory",
        )
    })?;
    let prefix = String::from_utf8_lossy(&prefix)
        .trim_end_matches('\n')
        .to_string();
    let commit = format!("{rev}^{{commit}}");
    if git(&["rev-parse", "--verify", "--quiet", &commit], None).is_err() {
        let shallow = git(&["rev-parse", "--is-shallow-repository"], None)
            .is_ok_and(|out| out.starts_with(b"true"));
        let help = if shallow {
            "this clone is shallow and may not have that commit: fetch more history (in GitHub Actions, `actions/checkout` with `fetch-depth: 0`)"
        } else {
            "--base takes a branch, tag or commit of this repository, e.g. `origin/main`"
        };
        return Err(fail(
            format!("`{rev}` is not a commit of this git repository"),
            help,
        ));
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let roots: Vec<PathBuf> = paths.iter().map(|p| lexical(&cwd.join(p))).collect();
    let mut args = vec!["ls-tree", "-r", "-z", rev, "--"];
    let shown: Vec<String> = paths.iter().map(|p| display(p)).collect();
    args.extend(shown.iter().map(String::as_str));
    let listing = git(&args, None).map_err(|why| fail(why, "check the paths and the revision"))?;
    let mut blobs: Vec<(String, String)> = Vec::new();
    // Directories datapact compiled into, as `load` skips them.
    let outputs: Vec<PathBuf> = listing
        .split(|&b| b == 0)
        .filter_map(|e| {
            let entry = String::from_utf8_lossy(e);
            let (_, path) = entry.split_once('\t')?;
            let path = Path::new(path);
            (path.file_name()? == MANIFEST).then(|| path.parent().map(Path::to_path_buf))?
        })
        .collect();
    for entry in listing.split(|&b| b == 0).filter(|e| !e.is_empty()) {
        let entry = String::from_utf8_lossy(entry);
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut meta = meta.split(' ');
        let (mode, kind, oid) = (meta.next(), meta.next(), meta.next());
        let (Some(mode), Some("blob"), Some(oid)) = (mode, kind, oid) else {
            continue;
        };
        // Symbolic links and submodules are not contract files.
        let absolute = lexical(&cwd.join(path));
        if mode == "120000"
            || !is_contract_file(Path::new(path))
            || hidden(&absolute, &roots)
            || outputs.iter().any(|o| Path::new(path).starts_with(o))
        {
            continue;
        }
        // `ls-tree` names files from the current directory; `git show` from the root.
        let from_root = lexical(&Path::new(&prefix).join(path));
        blobs.push((display(&from_root), oid.to_string()));
    }
    blobs.sort();
    blobs.dedup();
    let input: String = blobs.iter().map(|(_, oid)| format!("{oid}\n")).collect();
    let output = git(&["cat-file", "--batch"], Some(input))
        .map_err(|why| fail(why, "git could not read the files"))?;
    let mut rest = output.as_slice();
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let broken = || {
        fail(
            "git cat-file ended early".into(),
            "git could not read the files",
        )
    };
    for (path, _) in &blobs {
        // `<oid> blob <size>\n<content>\n`
        let header_end = rest.iter().position(|&b| b == b'\n').ok_or_else(broken)?;
        let header = String::from_utf8_lossy(&rest[..header_end]).to_string();
        let size: usize = header
            .rsplit(' ')
            .next()
            .and_then(|s| s.parse().ok())
            .ok_or_else(broken)?;
        let body = rest
            .get(header_end + 1..header_end + 1 + size)
            .ok_or_else(broken)?;
        let name = format!("{rev}:{path}");
        rest = rest.get(header_end + 2 + size..).unwrap_or_default();
        // Other YAML, as `load` skips it.
        if std::str::from_utf8(body).is_ok_and(|text| !is_contract(text)) {
            continue;
        }
        if add(&mut sources, name.clone(), body.to_vec()).is_err() {
            diagnostics.push(
                Diagnostic::error(Code::Io, format!("cannot read `{name}`: not UTF-8 text"))
                    .with_path(name),
            );
        }
    }
    Ok((sources, diagnostics))
}

/// `a/./b/../c` → `a/c`, without touching the file system.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Whether a path has a hidden part below the root it was found under (as
/// the directory walk of [`load`] skips them; a root given by name counts).
fn hidden(path: &Path, roots: &[PathBuf]) -> bool {
    let below = roots
        .iter()
        .filter_map(|root| path.strip_prefix(root).ok())
        .min_by_key(|rest| rest.components().count());
    below.is_some_and(|rest| {
        rest.components()
            .any(|part| part.as_os_str().to_string_lossy().starts_with('.'))
    })
}

/// Run git in the current directory; its standard output, or why it failed.
fn git(args: &[&str], input: Option<String>) -> Result<Vec<u8>, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("git")
        .args(args)
        // Paths are paths, never pathspec magic (`:odd`, `*`).
        .env("GIT_LITERAL_PATHSPECS", "1")
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| format!("cannot run git: {err}"))?;
    // Written from a thread: git answers while it reads, and both pipes are finite.
    let writer = match (input, child.stdin.take()) {
        (Some(input), Some(mut stdin)) => Some(std::thread::spawn(move || {
            let _ = stdin.write_all(input.as_bytes());
        })),
        _ => None,
    };
    let output = child
        .wait_with_output()
        .map_err(|err| format!("git failed: {err}"))?;
    if let Some(writer) = writer {
        let _ = writer.join();
    }
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!(
            "`git {}` failed: {}",
            args.join(" "),
            stderr.trim()
        ))
    }
}

fn is_contract_file(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy())
        .unwrap_or_default();
    (ext == "yaml" || ext == "yml") && !PROJECT_FILES.contains(&name.as_ref())
}

/// A path as users should see it: relative as given, with `/` separators.
pub fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

pub fn io_error(path: &Path, why: &str) -> Diagnostic {
    let shown = crate::text::escape_line(&display(path)).into_owned();
    Diagnostic::error(Code::Io, format!("cannot read `{shown}`: {why}")).with_path(shown)
}

#[cfg(test)]
mod contract_tests {
    use super::is_contract;

    #[test]
    fn contracts_are_told_from_other_yaml() {
        for contract in [
            "contract: shop.orders\nversion: 1.0.0\n",
            "# yaml-language-server: $schema=x\n---\ncontract: a\n",
            "apiVersion: v3.1.0\nkind: DataContract\nid: x\n",
            "dataContractSpecification: 1.1.0\nid: x\n",
            "'contract': a\n",
            // Not a contract yet, but meant to be one: read, to say what is missing.
            "version: 1.0.0\ncolumns: []\n",
            "",
            "# only a comment\n",
            "- contract: a\n",
            "{contract: a}\n",
        ] {
            assert!(is_contract(contract), "{contract:?}");
        }
        for other in [
            "name: shop\nversion: \"1.0\"\nconfig-version: 2\nprofile: shop\n",
            "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb}\n",
            "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n",
            "repos:\n  - repo: local\n",
            "apiVersion: apps/v1\nmetadata: {}\n",
            "apiVersion: apps/v1\nkind: Deployment\n",
        ] {
            assert!(!is_contract(other), "{other:?}");
        }
    }
}
