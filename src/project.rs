//! The project file `datapact.yaml`: defaults for the CLI.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic};
pub use crate::emit::dbt::DbtTests;
use crate::source::Sources;
use crate::syntax::decode::Cx;
use crate::syntax::yaml;
use crate::types::Dialect;

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
    /// Settings of `compile --target dbt`.
    pub dbt: DbtSettings,
    /// `compile --target docs`: a directory of templates overriding the
    /// built-in ones by file name.
    pub docs_templates: Option<PathBuf>,
    /// `run`: the connections by name.
    pub connections: std::collections::BTreeMap<String, ConnectionEntry>,
    /// `run`: the connection used without `--connection`; none: the
    /// embedded DuckDB.
    pub default_connection: Option<String>,
    /// `run --store`, `report`, `compile --results`: the results store (a
    /// DuckDB file relative to the project root, a URL, or a connection
    /// name).
    pub store: Option<String>,
    /// The project root: the folder of the project file (empty: the
    /// working directory). Datasets' `path`s and `duckdb:` paths of
    /// connections are relative to it.
    pub root: PathBuf,
}

/// A connection of `datapact.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionEntry {
    /// The URL, `${VAR}` references unexpanded.
    pub url: String,
    pub settings: crate::run::connection::Settings,
}

/// Settings of the dbt target.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DbtSettings {
    /// The dialect of the one dbt adapter the files are for; `None`: files
    /// for every adapter.
    pub dialect: Option<Dialect>,
    /// One dbt test per rule, or one test per dataset running the check query.
    pub tests: DbtTests,
    /// Mark models' contracts enforced, with column types and constraints.
    pub enforce_contracts: bool,
    /// Write the dbt files into this dbt project instead of `<out>/dbt`.
    pub project: Option<PathBuf>,
}

/// What `compile` can generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    Sql,
    Dbt,
    Docs,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Sql, Target::Dbt, Target::Docs];

    pub fn name(self) -> &'static str {
        match self {
            Target::Sql => "sql",
            Target::Dbt => "dbt",
            Target::Docs => "docs",
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
            dbt: DbtSettings::default(),
            docs_templates: None,
            connections: std::collections::BTreeMap::new(),
            default_connection: None,
            store: None,
            root: PathBuf::new(),
        }
    }
}

const KEYS: &[&str] = &[
    "contracts",
    "out",
    "targets",
    "dialects",
    "dbt_dialect",
    "dbt_tests",
    "dbt_enforce_contracts",
    "dbt_project",
    "docs_templates",
    "connections",
    "default_connection",
    "store",
];

const CONNECTION_KEYS: &[&str] = &["url", "dialect", "driver", "schemas", "database"];

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
    let mut project = Project {
        root: dir.to_path_buf(),
        ..Project::default()
    };
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
        if let Some(node) = map.get("dbt_dialect") {
            project.dbt.dialect = one_dialect(&mut cx, node);
        }
        if let Some(tests) = map
            .get("dbt_tests")
            .and_then(|n| cx.choice(n, "dbt_tests", DbtTests::CHOICES))
        {
            project.dbt.tests = tests.value;
        }
        if let Some(enforce) = map.get("dbt_enforce_contracts").and_then(|n| cx.bool(n)) {
            project.dbt.enforce_contracts = enforce.value;
        }
        if let Some(dir_value) = map.get("dbt_project").and_then(|n| cx.string(n)) {
            project.dbt.project = Some(join(dir, &dir_value.value));
        }
        if let Some(dir_value) = map.get("docs_templates").and_then(|n| cx.string(n)) {
            project.docs_templates = Some(join(dir, &dir_value.value));
        }
        if let Some(node) = map.get("connections") {
            project.connections = connections(&mut cx, node);
        }
        if let Some(store) = map.get("store").and_then(|n| cx.text(n)) {
            project.store = Some(store.value);
        }
        if let Some(name) = map.get("default_connection").and_then(|n| cx.text(n)) {
            if project.connections.contains_key(&name.value) {
                project.default_connection = Some(name.value);
            } else {
                let names: Vec<&str> = project.connections.keys().map(String::as_str).collect();
                let mut d = Diagnostic::error(
                    Code::InvalidValue,
                    format!("no connection named `{}`", name.value),
                )
                .with_label(name.span, "not a connection of `connections`");
                d = match crate::suggest::closest(&name.value, names.iter().copied()) {
                    Some(c) => d.with_help(format!("did you mean `{c}`?")),
                    None => d.with_help("name one of `connections`, or add it there"),
                };
                cx.diagnostics.push(d);
            }
        }
    }
    (project, cx.diagnostics)
}

/// One dialect name (`dbt_dialect`, a connection's `dialect`); an unknown
/// one is a located error with a "did you mean".
fn one_dialect(cx: &mut Cx, node: &crate::syntax::yaml::Node) -> Option<Dialect> {
    let d = cx.string(node)?;
    let found = Dialect::from_name(&d.value);
    if found.is_none() {
        let names: Vec<&str> = Dialect::ALL.iter().map(|d| d.name()).collect();
        let help = crate::suggest::did_you_mean(&d.value, &names, Dialect::SYNONYMS)
            .unwrap_or_else(|| format!("dialects are {}", names.join(", ")));
        cx.diagnostics.push(
            Diagnostic::error(
                Code::UnknownDialect,
                format!("unknown dialect `{}`", d.value),
            )
            .with_label(d.span, "not a dialect")
            .with_help(help),
        );
    }
    found
}

/// `connections: {name: {url, dialect, driver, schemas, database}}`.
fn connections(
    cx: &mut Cx,
    node: &crate::syntax::yaml::Node,
) -> std::collections::BTreeMap<String, ConnectionEntry> {
    use crate::syntax::yaml::{NodeKind, Scalar};
    let mut out = std::collections::BTreeMap::new();
    let NodeKind::Map(entries) = &node.kind else {
        cx.map(node, "the connections", &[]);
        return out;
    };
    for (key, value) in entries {
        let NodeKind::Scalar(Scalar::String(name)) = &key.kind else {
            cx.diagnostics.push(
                Diagnostic::error(Code::WrongType, "connection names must be strings")
                    .with_label(key.span, format!("{} used as a name", key.describe())),
            );
            continue;
        };
        let Some(map) = cx.map(value, "a connection", CONNECTION_KEYS) else {
            continue;
        };
        let Some(url) = map
            .required(cx, "url", "a connection")
            .and_then(|n| cx.text(n))
        else {
            continue;
        };
        let mut settings = crate::run::connection::Settings::default();
        if let Some(node) = map.get("dialect") {
            settings.dialect = one_dialect(cx, node);
        }
        settings.driver = map.get("driver").and_then(|n| cx.text(n)).map(|d| d.value);
        settings.database = map
            .get("database")
            .and_then(|n| cx.text(n))
            .map(|d| d.value);
        if let Some(schemas) = map.get("schemas") {
            if let NodeKind::Map(pairs) = &schemas.kind {
                for (from, to) in pairs {
                    let from = cx.text(from);
                    let to = cx.text(to);
                    if let (Some(from), Some(to)) = (from, to) {
                        settings.schemas.insert(from.value, to.value);
                    }
                }
            } else {
                cx.map(schemas, "the schema renames", &[]);
            }
        }
        out.insert(
            name.clone(),
            ConnectionEntry {
                url: url.value,
                settings,
            },
        );
    }
    out
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
# What `datapact compile` generates: sql, dbt, docs.
targets: [sql]
# SQL dialects: duckdb, postgres, snowflake, bigquery, redshift, databricks,
# trino, sqlserver, or all.
dialects: [duckdb]
# The dbt target (`targets: [sql, dbt]`): files for one dbt adapter's
# dialect only (default: files that work on every adapter), `per_rule`
# tests or one `single_scan` test per model, whether model contracts are
# enforced (needs dbt_dialect), and optionally a dbt project to write into
# (else <out>/dbt).
# dbt_dialect: duckdb
# dbt_tests: per_rule
# dbt_enforce_contracts: false
# dbt_project: ../analytics
# The docs target (`targets: [sql, docs]`): a directory whose files override
# the built-in page templates by name (index.md, contract.md, index.html, ...).
# docs_templates: docs-templates
# `datapact run`: connections by name (`--connection NAME`, or a URL), and the
# one used by default. Without any, `run` uses an in-memory DuckDB reading
# each dataset's `path` files. ${VAR} is taken from the environment.
# connections:
#   warehouse: {url: \"postgresql://${PGUSER}@db.internal:5432/analytics\"}
#   local: {url: \"duckdb:build/analytics.duckdb\"}
# default_connection: local
# `datapact run --store`, `datapact report`: where run results are kept (a
# DuckDB file, created when missing, a postgresql:// URL, or a connection name).
# store: results.duckdb
";
