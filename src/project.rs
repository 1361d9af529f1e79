//! The project file `datapact.yaml`: defaults for the CLI.

use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use crate::syntax::decode::Cx;
use crate::syntax::yaml;

pub const FILE_NAME: &str = "datapact.yaml";

/// Settings read from `datapact.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Where contracts are, relative to the project file's directory.
    pub contracts: Vec<PathBuf>,
}

impl Default for Project {
    fn default() -> Project {
        Project {
            contracts: vec![PathBuf::from("contracts")],
        }
    }
}

const KEYS: &[&str] = &["contracts"];

/// Parse a project file held in `sources`; paths are resolved against `dir`.
pub fn parse(
    sources: &Sources,
    file: crate::source::FileId,
    dir: &Path,
) -> (Project, Vec<Diagnostic>) {
    let (node, diagnostics) = yaml::parse(file, sources.get(file));
    let mut cx = Cx { diagnostics };
    let mut project = Project::default();
    let Some(node) = node else {
        return (project, cx.diagnostics);
    };
    if let Some(map) = cx.map(&node, "the project file", KEYS) {
        if let Some(paths) = map
            .get("contracts")
            .and_then(|n| cx.strings(n, "contract paths"))
        {
            project.contracts = paths.into_iter().map(|p| join(dir, &p.value)).collect();
        }
    }
    (project, cx.diagnostics)
}

fn join(dir: &Path, path: &str) -> PathBuf {
    if dir.as_os_str().is_empty() || Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        dir.join(path)
    }
}

/// The file `datapact init` writes.
pub const TEMPLATE: &str = "\
# datapact project settings. See docs/contract-format.md.
# Where contract files live (directories are searched for *.yaml / *.yml).
contracts:
  - contracts
";
