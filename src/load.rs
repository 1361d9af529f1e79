//! Finding and reading contract files.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Sources;

/// Names of files that are never contracts, even under a contracts directory.
const PROJECT_FILES: &[&str] = &["datapact.yaml", "datapact.yml"];

/// Read every contract file under `paths` (files, or directories searched
/// recursively for `*.yaml`/`*.yml`), in a stable order. Unreadable paths
/// become diagnostics; the rest are still loaded.
pub fn load(paths: &[PathBuf]) -> (Sources, Vec<Diagnostic>) {
    let mut sources = Sources::new();
    let mut diagnostics = Vec::new();
    let mut files: Vec<PathBuf> = Vec::new();
    for path in paths {
        if path.is_dir() {
            let walker = walkdir::WalkDir::new(path)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walker {
                match entry {
                    Ok(e) if e.file_type().is_file() && is_contract_file(e.path()) => {
                        files.push(e.into_path())
                    }
                    Ok(_) => {}
                    Err(err) => diagnostics.push(io_error(
                        err.path().unwrap_or(path),
                        &err.io_error()
                            .map_or_else(|| err.to_string(), |e| e.to_string()),
                    )),
                }
            }
        } else if path.exists() {
            files.push(path.clone());
        } else {
            diagnostics.push(io_error(path, "no such file or directory"));
        }
    }
    // One sorted list, each file once however many arguments reach it.
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    files.sort_by_key(|f| display(f));
    for file in files {
        match std::fs::read(&file) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    // A byte-order mark is not content (and would shift every column on line 1).
                    let text = match text.strip_prefix('\u{FEFF}') {
                        Some(rest) => rest.to_string(),
                        None => text,
                    };
                    sources.add(display(&file), text);
                }
                Err(_) => diagnostics.push(io_error(&file, "not UTF-8 text")),
            },
            Err(err) => diagnostics.push(io_error(&file, &err.to_string())),
        }
    }
    (sources, diagnostics)
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
    Diagnostic::error(Code::Io, format!("cannot read `{}`: {why}", display(path)))
        .with_path(display(path))
}
