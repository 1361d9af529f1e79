//! The project file `datapact.yaml`: defaults for the CLI.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::dialect::Dialect;
use crate::source::Sources;
use crate::syntax::decode::Cx;
use crate::syntax::yaml;

pub const FILE_NAME: &str = "datapact.yaml";

/// Settings read from `datapact.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// Where contracts are, relative to the project file's directory.
    pub contracts: Vec<PathBuf>,
    /// Where `compile` writes.
    pub out: PathBuf,
    /// What `compile` generates.
    pub targets: Vec<Target>,
    /// The SQL dialects `compile --target sql` emits.
    pub dialects: Vec<Dialect>,
}

/// What `compile` can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Sql,
}

impl Target {
    pub const ALL: [Target; 1] = [Target::Sql];

    pub fn name(self) -> &'static str {
        match self {
            Target::Sql => "sql",
        }
    }

    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }
}

impl Default for Project {
    fn default() -> Project {
        Project {
            contracts: vec![PathBuf::from("contracts")],
            out: PathBuf::from("build"),
            targets: vec![Target::Sql],
            dialects: Dialect::ALL.to_vec(),
        }
    }
}

const KEYS: &[&str] = &["contracts", "out", "targets", "dialects"];

/// Parse dialect names, where `all` means every dialect; sorted, deduplicated.
pub fn parse_dialects<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Dialect>, String> {
    let mut out = Vec::new();
    for name in names {
        if name == "all" {
            out.extend(Dialect::ALL);
            continue;
        }
        match Dialect::from_name(name) {
            Some(d) => out.push(d),
            None => {
                let mut names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
                names.push("all");
                let hint = crate::suggest::did_you_mean(name, &names, Dialect::SYNONYMS)
                    .unwrap_or_else(|| format!("dialects are {}", names.join(", ")));
                return Err(format!("unknown dialect `{name}`; {hint}"));
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

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
        if let Some(out) = map.get("out").and_then(|n| cx.string(n)) {
            project.out = join(dir, &out.value);
        }
        if let Some(targets) = map.get("targets").and_then(|n| cx.strings(n, "targets")) {
            project.targets.clear();
            for t in targets {
                match Target::from_name(&t.value) {
                    Some(target) => project.targets.push(target),
                    None => {
                        let names: Vec<&str> = Target::ALL.iter().map(|t| t.name()).collect();
                        cx.diagnostics.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("unknown target `{}`", t.value),
                            )
                            .with_label(t.span, "not a target")
                            .with_help(format!("targets are {}", names.join(", "))),
                        );
                    }
                }
            }
            project.targets.sort();
            project.targets.dedup();
        }
        if let Some(dialects) = map.get("dialects").and_then(|n| cx.strings(n, "dialects")) {
            let mut all = Vec::new();
            for d in &dialects {
                match parse_dialects([d.value.as_str()]) {
                    Ok(found) => all.extend(found),
                    Err(message) => {
                        let (message, help) = message.split_once("; ").unwrap_or((&message, ""));
                        cx.diagnostics.push(
                            Diagnostic::error(Code::UnknownDialect, message.to_string())
                                .with_label(d.span, "not a dialect")
                                .with_help(help.to_string()),
                        );
                    }
                }
            }
            all.sort();
            all.dedup();
            project.dialects = all;
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
# Where `datapact compile` writes, relative to this file.
out: build
# What `datapact compile` generates.
targets: [sql]
# SQL dialects: duckdb, postgres, snowflake, bigquery, redshift, databricks,
# trino, sqlserver, or all.
dialects: [duckdb]
";
