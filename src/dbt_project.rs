//! A dbt project datapact compiles into (`--dbt-project DIR`): where its
//! files go (dbt_project.yml's `model-paths`, `macro-paths`,
//! `test-paths`), which nodes the project's own property files already
//! describe, and which nodes its manifest (`target/manifest.json`, written
//! by `dbt parse`) knows. [`check`] compares a run's contracts with them
//! before anything is written; [`unbound`] names the contracts the dbt
//! target writes nothing for, with or without a project.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
use crate::emit::dbt::Layout;
use crate::ir::{Ir, Origin};
use crate::load;
use crate::source::{Sources, Span};
use crate::syntax::yaml::{self, Node, NodeKind, Scalar};
use crate::types::{DbtKind, Format, ODCS_OUTSIDE_DBT};

/// A node as a contract binds it: its kind, name, and for a source the
/// table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeKey {
    pub kind: DbtKind,
    pub name: String,
    /// The table of a source; empty for other kinds.
    pub table: String,
}

impl NodeKey {
    fn describe(&self) -> String {
        match self.kind {
            DbtKind::Source => format!("source `{}` table `{}`", self.name, self.table),
            kind => format!("{} `{}`", kind.key(), self.name),
        }
    }
}

/// A node a property file of the project describes.
#[derive(Debug, Clone, Copy)]
struct Described {
    /// Where its `name:` is written.
    span: Span,
    /// The entry defines the node (a snapshot with `relation:`), so it
    /// cannot be moved into a contract.
    defines: bool,
}

/// What datapact reads of a dbt project.
#[derive(Debug)]
pub struct DbtProject {
    /// The `name:` of dbt_project.yml.
    pub name: String,
    /// Where datapact's files go.
    pub layout: Layout,
    /// Nodes that a property file of the project (outside datapact's
    /// folders) already describes.
    described: BTreeMap<NodeKey, Described>,
    /// The models, seeds and snapshots of `target/manifest.json`, by kind,
    /// when there is one; `None` without a manifest.
    manifest: Option<BTreeMap<DbtKind, Vec<String>>>,
}

/// dbt's default folders for each kind of path, as dbt_project.yml names them.
const PATHS: [(&str, &str); 6] = [
    ("model-paths", "models"),
    ("macro-paths", "macros"),
    ("test-paths", "tests"),
    ("seed-paths", "seeds"),
    ("snapshot-paths", "snapshots"),
    ("analysis-paths", "analyses"),
];

/// Read the dbt project in `dir`: its dbt_project.yml (added to `sources`
/// for diagnostics), the property files in its resource folders (added
/// when they describe a node), and its manifest if present. `Err`: the
/// diagnostics that make the project unusable.
pub fn read(dir: &Path, sources: &mut Sources) -> Result<DbtProject, Vec<Diagnostic>> {
    let path = dir.join("dbt_project.yml");
    let text = load::read_text(&path, load::MAX_FILE_BYTES, "a dbt project file")
        .map_err(|why| vec![load::io_error(&path, &why)])?;
    let file = sources.add(load::display(&path), text);
    let (root, mut diagnostics) = yaml::parse(file, sources.get(file));
    let root = match root {
        Some(root) if diagnostics.is_empty() => root,
        _ => {
            if diagnostics.is_empty() {
                diagnostics.push(
                    Diagnostic::error(Code::YamlSyntax, "dbt_project.yml is empty")
                        .with_path(load::display(&path)),
                );
            }
            return Err(diagnostics);
        }
    };
    let name = get(&root, "name")
        .and_then(text_of)
        .unwrap_or_default()
        .to_string();
    let mut paths: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (key, default) in PATHS {
        let list = match get(&root, key) {
            None => vec![default.to_string()],
            Some(node) => match folders(node) {
                Ok(list) => list,
                Err(span) => {
                    diagnostics.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            format!("`{key}` must list folders inside the dbt project"),
                        )
                        .with_label(span, "not a relative folder of the project")
                        .with_help(format!(
                            "write e.g. `{key}: [\"{default}\"]`; datapact writes only inside the project"
                        )),
                    );
                    continue;
                }
            },
        };
        paths.insert(key, list);
    }
    if !diagnostics.is_empty() {
        return Err(diagnostics);
    }
    let first = |key: &str| {
        paths
            .get(key)
            .and_then(|l| l.first())
            .cloned()
            .unwrap_or_default()
    };
    let layout = Layout::new(
        &first("model-paths"),
        &first("macro-paths"),
        &first("test-paths"),
    );
    let mut folders: Vec<&String> = paths.values().flatten().collect();
    folders.sort();
    folders.dedup();
    let mut described = BTreeMap::new();
    for folder in folders {
        for file in property_files(dir, folder, &layout) {
            describe(&file, sources, &mut described);
        }
    }
    Ok(DbtProject {
        name,
        layout,
        described,
        manifest: manifest(dir),
    })
}

/// The value of `key` in a mapping.
fn get<'a>(node: &'a Node, key: &str) -> Option<&'a Node> {
    let NodeKind::Map(entries) = &node.kind else {
        return None;
    };
    (entries.iter())
        .find(|(k, _)| matches!(&k.kind, NodeKind::Scalar(Scalar::String(s)) if s == key))
        .map(|(_, v)| v)
}

fn text_of(node: &Node) -> Option<&str> {
    match &node.kind {
        NodeKind::Scalar(Scalar::String(s)) => Some(s),
        _ => None,
    }
}

/// A non-empty list of relative folders (or one folder), each as
/// `a/b`, or the span of the first value that is not one: absolute,
/// reaching out of the project (`..`), or written with `\` (a separator
/// on Windows only, so refused everywhere).
fn folders(node: &Node) -> Result<Vec<String>, Span> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) if items.is_empty() => return Err(node.span),
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .map(|item| {
            let text = text_of(item).ok_or(item.span)?;
            let mut parts = Vec::new();
            for part in text.split('/') {
                match part {
                    "" | "." => {}
                    ".." => return Err(item.span),
                    part if part.contains(['\\', ':']) => return Err(item.span),
                    part => parts.push(part),
                }
            }
            if parts.is_empty() || text.starts_with('/') {
                return Err(item.span);
            }
            Ok(parts.join("/"))
        })
        .collect()
}

/// The YAML files under `folder` of the project, except datapact's own
/// folders: the files dbt reads properties from.
fn property_files(dir: &Path, folder: &str, layout: &Layout) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir.join(folder))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .filter(|p| {
            p.extension()
                .is_some_and(|ext| ext == "yml" || ext == "yaml")
        })
        .filter(|p| {
            let relative = relative(dir, p);
            !layout.owned().iter().any(|own| relative.starts_with(own))
        })
        .collect();
    files.sort();
    files
}

/// `path` relative to the project `dir`, with `/` separators.
fn relative(dir: &Path, path: &Path) -> String {
    load::display(path.strip_prefix(dir).unwrap_or(path))
}

/// Record the nodes a property file describes; a file that is not
/// readable YAML is left to dbt to report, and one datapact generated (in
/// a folder it used before the project's paths changed) is not the
/// project's.
fn describe(path: &Path, sources: &mut Sources, out: &mut BTreeMap<NodeKey, Described>) {
    let Ok(text) = load::read_text(path, load::MAX_FILE_BYTES, "a dbt property file") else {
        return;
    };
    if text
        .lines()
        .take(2)
        .any(|l| l.starts_with("# Generated by datapact"))
    {
        return;
    }
    let mut scratch = Sources::new();
    let id = scratch.add(load::display(path), text.clone());
    let (Some(root), _) = yaml::parse(id, scratch.get(id)) else {
        return;
    };
    let mut found = Vec::new();
    for kind in DbtKind::ALL {
        let Some(NodeKind::Seq(entries)) = get(&root, kind.property_key()).map(|n| &n.kind) else {
            continue;
        };
        for entry in entries {
            let Some(name) = get(entry, "name") else {
                continue;
            };
            let Some(text) = text_of(name) else { continue };
            match kind {
                DbtKind::Source => {
                    let Some(NodeKind::Seq(tables)) = get(entry, "tables").map(|n| &n.kind) else {
                        continue;
                    };
                    for table in tables {
                        if let Some(t) = get(table, "name") {
                            if let Some(table_name) = text_of(t) {
                                found.push((
                                    NodeKey {
                                        kind: *kind,
                                        name: text.to_string(),
                                        table: table_name.to_string(),
                                    },
                                    t.span,
                                    false,
                                ));
                            }
                        }
                    }
                }
                DbtKind::Model | DbtKind::Seed | DbtKind::Snapshot => found.push((
                    NodeKey {
                        kind: *kind,
                        name: text.to_string(),
                        table: String::new(),
                    },
                    name.span,
                    // A snapshot with a `relation` is defined here, not
                    // only described.
                    *kind == DbtKind::Snapshot && get(entry, "relation").is_some(),
                )),
            }
        }
    }
    if found.is_empty() {
        return;
    }
    // Only files that describe a node are kept for diagnostics; the spans
    // move to the file's id in `sources`.
    let file = sources.add(load::display(path), text);
    for (key, span, defines) in found {
        out.entry(key).or_insert_with(|| Described {
            span: Span::new(file, span.start, span.end),
            defines,
        });
    }
}

/// The models, seeds and snapshots of the project's
/// `target/manifest.json`, if there is one that reads as JSON. Only the
/// nodes' kind and name are kept; the rest is skipped while reading.
fn manifest(dir: &Path) -> Option<BTreeMap<DbtKind, Vec<String>>> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        nodes: BTreeMap<String, ManifestNode>,
    }
    #[derive(serde::Deserialize)]
    struct ManifestNode {
        resource_type: String,
        name: String,
    }
    // A manifest of a big project is tens of megabytes.
    let bytes = load::read_bounded(
        &dir.join("target/manifest.json"),
        load::MAX_MANIFEST_BYTES,
        "a dbt manifest",
    )
    .ok()?;
    let doc: Manifest = serde_json::from_slice(&bytes).ok()?;
    let mut nodes: BTreeMap<DbtKind, Vec<String>> = BTreeMap::new();
    for node in doc.nodes.into_values() {
        let kind = match node.resource_type.as_str() {
            "model" => DbtKind::Model,
            "seed" => DbtKind::Seed,
            "snapshot" => DbtKind::Snapshot,
            _ => continue,
        };
        nodes.entry(kind).or_default().push(node.name);
    }
    for names in nodes.values_mut() {
        names.sort();
        names.dedup();
    }
    Some(nodes)
}

/// The project against a run's contracts: an error for each node a
/// property file of the project already describes (dbt would refuse the
/// second entry), a warning for each node the manifest does not have.
/// `origins` locate each contract's binding.
pub fn check(
    project: &DbtProject,
    ir: &Ir,
    origins: &BTreeMap<String, Origin>,
    sources: &Sources,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for ds in &ir.datasets {
        let Some(node) = &ds.dbt else { continue };
        let key = NodeKey {
            kind: node.kind,
            name: node.name.clone(),
            table: match node.kind {
                DbtKind::Source => ds.location.name.clone(),
                _ => String::new(),
            },
        };
        let span = origins.get(&ds.contract).and_then(|o| o.dbt);
        let at = |d: Diagnostic, message: &str| match span {
            Some(span) => d.with_label(span, message),
            None => d,
        };
        if let Some(theirs) = project.described.get(&key) {
            let file = &sources.get(theirs.span.file).path;
            let way_out = if theirs.defines {
                format!(
                    "that entry defines the snapshot (`relation:`), so it cannot move into a contract: keep its tests in `{file}`, or define the snapshot in a SQL file (`{{% snapshot %}}`) and move the rest of the entry into the contract"
                )
            } else {
                format!(
                    "dbt takes one properties entry per node: move that entry's description, columns and tests into the contract and remove it from `{file}`, or remove `dataset.dbt` from the contract"
                )
            };
            let d = Diagnostic::error(
                Code::DbtNodeTwice,
                format!(
                    "contract `{}` is bound to dbt {}, which `{file}` already describes",
                    ds.contract,
                    key.describe()
                ),
            );
            out.push(
                at(d, "datapact would write a second properties entry for it")
                    .with_secondary(theirs.span, "described here")
                    .with_help(way_out),
            );
            continue;
        }
        let Some(manifest) = &project.manifest else {
            continue;
        };
        let known = manifest.get(&key.kind).map(Vec::as_slice).unwrap_or(&[]);
        let name = key.name.clone();
        // A source datapact's own file declares is new to dbt, not unknown.
        if key.kind == DbtKind::Source || known.contains(&name) {
            continue;
        }
        let mut d = at(
            Diagnostic::warning(
                Code::UnknownDbtNode,
                format!(
                    "contract `{}` is bound to dbt {}, which the dbt project does not have",
                    ds.contract,
                    key.describe()
                ),
            ),
            "not in target/manifest.json",
        );
        let candidates: Vec<&str> = known.iter().map(String::as_str).collect();
        let hint = match crate::suggest::did_you_mean(&name, &candidates, &[]) {
            Some(hint) => format!("{hint} "),
            None => String::new(),
        };
        d = d.with_help(format!(
            "{hint}the project's {}s are read from target/manifest.json; run `dbt parse` if the {} is new",
            key.kind.key(),
            key.kind.key()
        ));
        out.push(d);
    }
    out
}

/// A warning for each contract bound to no dbt node and not marked
/// `dbt: false`: the dbt target writes nothing for it, which would
/// otherwise go unsaid. The help spells the binding in the contract's
/// format and, when the project's manifest has a model, seed or snapshot
/// named as the table, offers that one.
pub fn unbound(
    ir: &Ir,
    origins: &BTreeMap<String, Origin>,
    project: Option<&DbtProject>,
) -> Vec<Diagnostic> {
    let manifest = project.and_then(|p| p.manifest.as_ref());
    let mut out = Vec::new();
    for ds in ir
        .datasets
        .iter()
        .filter(|ds| ds.dbt.is_none() && !ds.outside_dbt)
    {
        let Some(origin) = origins.get(&ds.contract) else {
            continue;
        };
        // A node of the project named as the table is the likely binding.
        let table = &ds.location.name;
        let found = manifest.and_then(|m| {
            [DbtKind::Model, DbtKind::Seed, DbtKind::Snapshot]
                .into_iter()
                .find(|kind| m.get(kind).is_some_and(|names| names.contains(table)))
        });
        let (kind, name) = match found {
            Some(kind) => (kind, table.clone()),
            None => (DbtKind::Model, format!("<{} name>", DbtKind::Model.key())),
        };
        let found_text = match found {
            Some(kind) => format!("the dbt project has a {} `{table}`: ", kind.key()),
            None => String::new(),
        };
        let message = format!(
            "contract `{}` is bound to no dbt node, so the dbt target writes nothing for it",
            ds.contract
        );
        let (span, label, help) = match origin.format {
            Format::Native => (
                origin.dataset.unwrap_or(origin.contract),
                "this dataset has no `dbt:`",
                format!(
                    "{found_text}add `dbt: {{{}: {name}}}` under `dataset:` (or a `source`, `seed`, `snapshot`) to test it in dbt, or `dbt: false` when it is not part of the dbt project",
                    kind.key()
                ),
            ),
            Format::Odcs => (
                origin.contract,
                "this schema object has no dbt binding",
                format!(
                    "{found_text}add the custom property `{}: {name}` to this schema object (or `{}`, `{}`, `{}`) to test it in dbt, or `{ODCS_OUTSIDE_DBT}: false` when it is not part of the dbt project",
                    kind.odcs_property(),
                    DbtKind::Source.odcs_property(),
                    DbtKind::Seed.odcs_property(),
                    DbtKind::Snapshot.odcs_property(),
                ),
            ),
            Format::Dcs => (
                origin.contract,
                "a DCS model has no dbt binding",
                "`datapact convert --to native` (or `--to odcs`) writes the contract in a format that can name its dbt node".to_string(),
            ),
        };
        out.push(
            Diagnostic::warning(Code::NoDbtNode, message)
                .with_label(span, label)
                .with_help(help),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folders_of(yaml_text: &str) -> Result<Vec<String>, ()> {
        let mut sources = Sources::new();
        let id = sources.add("dbt_project.yml", yaml_text);
        let (root, _) = yaml::parse(id, sources.get(id));
        folders(get(&root.expect("YAML"), "model-paths").expect("key")).map_err(|_| ())
    }

    #[test]
    fn paths_stay_inside_the_project() {
        assert_eq!(
            folders_of("model-paths: [models]"),
            Ok(vec!["models".into()])
        );
        assert_eq!(
            folders_of("model-paths: [./src//models/, other]"),
            Ok(vec!["src/models".into(), "other".into()])
        );
        assert_eq!(
            folders_of("model-paths: src/models"),
            Ok(vec!["src/models".into()])
        );
        for outside in [
            "model-paths: [../elsewhere]",
            "model-paths: [src/../../x]",
            "model-paths: ['/abs']",
            "model-paths: ['..\\x']",
            "model-paths: ['C:/x']",
            "model-paths: ['.']",
            "model-paths: []",
            "model-paths: [1]",
        ] {
            assert_eq!(folders_of(outside), Err(()), "{outside}");
        }
    }
}
