//! Emitters: the IR rendered as files. Each reads only [`crate::ir`].
//!
//! [`Emission`] is the stage's interface: given the IR and the
//! [`Targets`], it renders the files of one dataset at a time (a *unit*),
//! and then the files of the whole run (indexes, macros), so a caller can
//! write each unit's files and let go of them before rendering the next
//! (`output::compile` does, in parallel). [`emit`] renders everything into
//! memory, for tests and library users.

pub mod convert;
pub mod dbt;
pub mod docs;
pub mod sql;
pub mod yaml;

use rayon::prelude::*;

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Ir;
use crate::source::Sources;
use crate::types::Dialect;

/// A generated file: a path relative to its output tree, its text, and the
/// contract it was generated for (none for files of the whole run, such as
/// indexes and macros), which names the culprit when two files would have
/// the same path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub text: String,
    pub contract: Option<String>,
}

/// Where a generated file goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tree {
    /// The output directory: `sql/`, `docs/`, and `dbt/` unless the dbt
    /// files go into a dbt project.
    Out,
    /// The dbt project the dbt files are written into.
    DbtProject,
}

/// What to emit.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// The SQL target, for each of these dialects.
    pub sql: Vec<Dialect>,
    /// The most bytes of one check query (SQL target and dbt single-scan
    /// tests), below each dialect's own limit; a larger query is split.
    pub max_query_bytes: Option<usize>,
    /// The dbt target.
    pub dbt: Option<dbt::Options>,
    /// Whether the dbt files go into a dbt project ([`Tree::DbtProject`])
    /// rather than under `dbt/` in the output directory.
    pub dbt_project: bool,
    /// The docs target.
    pub docs: Option<docs::Options>,
    /// The IR holds some of the project's contracts (given paths), not all:
    /// the run owns those contracts' files only.
    pub subset: bool,
}

/// Why an emission failed: one kind of error for the stage, with its
/// diagnostic (and the text it points into, for a template).
#[derive(Debug)]
pub struct Error(Box<ErrorInner>);

#[derive(Debug)]
struct ErrorInner {
    kind: ErrorKind,
    diagnostic: Diagnostic,
    sources: Sources,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A docs template failed to load or render.
    Template,
    /// Two contracts' generated names clash (dbt test names).
    NameClash,
}

impl Error {
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    pub fn diagnostic(&self) -> &Diagnostic {
        &self.0.diagnostic
    }

    /// The text the diagnostic's spans point into.
    pub fn sources(&self) -> &Sources {
        &self.0.sources
    }

    fn from_template(sources: Sources, diagnostic: Diagnostic) -> Error {
        Error(Box::new(ErrorInner {
            kind: ErrorKind::Template,
            diagnostic,
            sources,
        }))
    }

    fn name_clash(message: String) -> Error {
        Error(Box::new(ErrorInner {
            kind: ErrorKind::NameClash,
            diagnostic: Diagnostic::error(Code::InvalidValue, message),
            sources: Sources::new(),
        }))
    }
}

impl From<Box<docs::TemplateError>> for Error {
    fn from(err: Box<docs::TemplateError>) -> Error {
        let docs::TemplateError {
            sources,
            diagnostic,
        } = *err;
        Error::from_template(sources, diagnostic)
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.diagnostic.message)
    }
}

impl std::error::Error for Error {}

/// A file and the tree it goes into.
pub type Placed = (Tree, GeneratedFile);

/// The emission of one IR: renders unit by unit.
pub struct Emission<'a> {
    ir: &'a Ir,
    targets: &'a Targets,
    docs: Option<docs::Renderer<'a>>,
}

impl<'a> Emission<'a> {
    /// Prepare the targets: load the docs templates, check what must hold
    /// of the whole run. Nothing is rendered yet.
    pub fn new(ir: &'a Ir, targets: &'a Targets) -> Result<Emission<'a>, Error> {
        if let Some(options) = &targets.dbt {
            dbt::check(ir, options).map_err(Error::name_clash)?;
        }
        let docs = match &targets.docs {
            Some(options) => Some(docs::Renderer::new(ir, options).map_err(Error::from)?),
            None => None,
        };
        Ok(Emission { ir, targets, docs })
    }

    /// The units: one per dataset, in IR order, then one for the files of
    /// the whole run.
    pub fn units(&self) -> usize {
        self.ir.datasets.len() + 1
    }

    /// The files of one unit, in no particular order.
    pub fn render(&self, unit: usize) -> Result<Vec<Placed>, Error> {
        let mut files = Vec::new();
        let dbt_tree = self.dbt_tree();
        let Some(ds) = self.ir.datasets.get(unit) else {
            // The files of the whole run.
            if let Some(options) = &self.targets.dbt {
                files.extend(dbt::macros(options).into_iter().map(dbt_tree));
            }
            if let Some(docs) = &self.docs {
                let indexes = docs.indexes().map_err(Error::from)?;
                files.extend(indexes.into_iter().map(in_docs));
            }
            return Ok(files);
        };
        for &dialect in &self.targets.sql {
            files.extend(
                sql::dataset_files(ds, dialect, self.targets.max_query_bytes)
                    .into_iter()
                    .map(|f| (Tree::Out, f)),
            );
        }
        if let Some(options) = &self.targets.dbt {
            files.extend(
                dbt::dataset_files(self.ir, ds, options)
                    .into_iter()
                    .map(dbt_tree),
            );
        }
        if let Some(docs) = &self.docs {
            if unit < docs.pages() {
                files.extend(docs.page(unit).map_err(Error::from)?.map(in_docs));
            }
        }
        Ok(files)
    }

    /// Where the dbt files go, and the `dbt/` prefix when in `Tree::Out`.
    fn dbt_tree(&self) -> impl Fn(GeneratedFile) -> Placed + use<> {
        let project = self.targets.dbt_project;
        move |mut f| {
            if project {
                (Tree::DbtProject, f)
            } else {
                f.path = format!("dbt/{}", f.path);
                (Tree::Out, f)
            }
        }
    }

    /// What the run owns in each tree, directories (ending in `/`) and
    /// files: what it may remove when a file is no longer generated.
    pub fn scopes(&self) -> Vec<(Tree, String)> {
        let (ir, subset) = (self.ir, self.targets.subset);
        let mut scopes = Vec::new();
        for dialect in &self.targets.sql {
            let dir = format!("sql/{}/", dialect.name());
            if subset {
                for ds in &ir.datasets {
                    scopes.push((Tree::Out, format!("{dir}{}.sql", ds.contract)));
                    scopes.push((Tree::Out, format!("{dir}{}.schema.sql", ds.contract)));
                    scopes.push((Tree::Out, format!("{dir}{}/", ds.contract)));
                }
            } else {
                scopes.push((Tree::Out, dir));
            }
        }
        if let Some(options) = &self.targets.dbt {
            let tree = self.dbt_tree();
            scopes.extend(
                dbt::scopes(ir, subset, &options.layout)
                    .into_iter()
                    .map(|s| {
                        let (tree, f) = tree(GeneratedFile {
                            path: s,
                            text: String::new(),
                            contract: None,
                        });
                        (tree, f.path)
                    }),
            );
        }
        if self.targets.docs.is_some() {
            scopes.extend(
                docs::scopes(ir, subset)
                    .into_iter()
                    .map(|s| (Tree::Out, format!("docs/{s}"))),
            );
        }
        scopes
    }

    /// Warnings found while rendering (templates no page used): complete
    /// once every unit has rendered.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.docs
            .as_ref()
            .map(docs::Renderer::warnings)
            .unwrap_or_default()
    }
}

fn in_docs(mut f: GeneratedFile) -> Placed {
    f.path = format!("docs/{}", f.path);
    (Tree::Out, f)
}

/// Everything an emission produced, in memory.
#[derive(Debug, Default)]
pub struct Artifacts {
    /// Every file, sorted by tree and path.
    pub files: Vec<Placed>,
    pub warnings: Vec<Diagnostic>,
}

/// Render every target of `ir` into memory. A compile writes unit by unit
/// instead (`output::compile`), holding one unit's text at a time.
pub fn emit(ir: &Ir, targets: &Targets) -> Result<Artifacts, Error> {
    let emission = Emission::new(ir, targets)?;
    let units: Vec<Result<Vec<Placed>, Error>> = (0..emission.units())
        .into_par_iter()
        .map(|unit| emission.render(unit))
        .collect();
    let mut files = Vec::new();
    for unit in units {
        files.extend(unit?);
    }
    files.par_sort_unstable_by(|a, b| (a.0, &a.1.path).cmp(&(b.0, &b.1.path)));
    Ok(Artifacts {
        files,
        warnings: emission.warnings(),
    })
}
