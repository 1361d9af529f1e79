//! The docs target: Markdown pages and a static HTML catalog of every contract.
//!
//! The IR becomes a view model ([`Catalog`], [`Page`]) whose rules are
//! already phrased in plain words ([`Part`] lists, so inline code and links
//! render per format); minijinja templates lay it out. The templates are in
//! `templates/docs/`, and a user's `--templates` directory overrides any of
//! them by file name.
//!
//! Templates are strict (an undefined variable is an error, reported with
//! the template's line and column) and everything a contract says is
//! escaped for its format: `.html` templates auto-escape as HTML, `.md`
//! templates as Markdown ([`md_text`]). Text from contracts is never markup.
//! The HTML pages carry a Content-Security-Policy that allows only their own
//! inline style and script, by hash: no network, no injected script.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

mod lineage;
mod markup;
mod model;

pub use lineage::{Diagram, Edge, Node};
pub use markup::{Part, md_code, md_phrase, md_text, plain_phrase};
pub use model::*;

use base64::Engine as _;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, Value};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diagnostic::{Code, Diagnostic};
use crate::emit::sql::GeneratedFile;
use crate::ir::Ir;
use crate::source::{Sources, Span};

/// The built-in templates, by the name a `--templates` file overrides.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("index.md", include_str!("../../../templates/docs/index.md")),
    (
        "contract.md",
        include_str!("../../../templates/docs/contract.md"),
    ),
    (
        "layout.html",
        include_str!("../../../templates/docs/layout.html"),
    ),
    (
        "index.html",
        include_str!("../../../templates/docs/index.html"),
    ),
    (
        "contract.html",
        include_str!("../../../templates/docs/contract.html"),
    ),
    (
        "lineage.html",
        include_str!("../../../templates/docs/lineage.html"),
    ),
    (
        "catalog.css",
        include_str!("../../../templates/docs/catalog.css"),
    ),
    (
        "catalog.js",
        include_str!("../../../templates/docs/catalog.js"),
    ),
    (
        "results.css",
        include_str!("../../../templates/docs/results.css"),
    ),
];

/// Options of the docs target.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A directory whose files override the built-in templates by name.
    pub templates: Option<PathBuf>,
    /// Each contract's results (`compile --results`); `None`: the catalog
    /// shows the contracts only.
    pub results: Option<std::collections::BTreeMap<String, Health>>,
}

/// A template that failed to load or render, located in its file.
#[derive(Debug)]
pub struct TemplateError {
    /// Holds the template's text, for the diagnostic's snippet.
    pub sources: Sources,
    pub diagnostic: Diagnostic,
}

/// The paths a run owns under `docs/`: everything, or for a subset of
/// contracts their pages and the indexes (which list the run's contracts).
pub fn scopes(ir: &Ir, subset: bool) -> Vec<String> {
    if !subset {
        return vec![String::new()];
    }
    let indexes = ["index.md".to_string(), "html/index.html".to_string()];
    ir.datasets
        .iter()
        .flat_map(|ds| {
            [
                format!("{}.md", ds.contract),
                format!("html/{}.html", ds.contract),
            ]
        })
        .chain(indexes)
        .collect()
}

/// What the docs target produced.
#[derive(Debug)]
pub struct Docs {
    pub files: Vec<GeneratedFile>,
    /// Files of the templates directory no template used (a misspelt
    /// override, most likely).
    pub warnings: Vec<Diagnostic>,
}

/// Render the docs of `ir`: `index.md`, `<contract>.md`, `html/index.html`
/// and `html/<contract>.html` (paths relative to the docs directory). The
/// indexes list the contracts of `ir`.
pub fn emit(ir: &Ir, options: &Options) -> Result<Docs, Box<TemplateError>> {
    let renderer = Renderer::new(ir, options)?;
    // Pages render in parallel; the first error in page order is reported.
    let pages: Vec<Result<[GeneratedFile; 2], Box<TemplateError>>> = (0..renderer.pages())
        .into_par_iter()
        .map(|i| renderer.page(i))
        .collect();
    let mut files = Vec::with_capacity(pages.len() * 2 + 2);
    for page in pages {
        files.extend(page?);
    }
    files.extend(renderer.indexes()?);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Docs {
        files,
        warnings: renderer.warnings(),
    })
}

/// The docs of a run, ready to render page by page: the templates, the
/// catalog's view model and the assets every page shares.
pub struct Renderer<'o> {
    options: &'o Options,
    env: Environment<'static>,
    used: Arc<Mutex<BTreeSet<String>>>,
    catalog: Catalog,
    assets: Assets,
}

impl<'o> Renderer<'o> {
    pub fn new(ir: &Ir, options: &'o Options) -> Result<Renderer<'o>, Box<TemplateError>> {
        let used = Arc::new(Mutex::new(BTreeSet::new()));
        let env = environment(options.templates.clone(), Arc::clone(&used));
        let catalog = catalog(ir, options.results.as_ref());
        let fail = |err: Error| template_error(&err, options.templates.as_deref(), &catalog);
        // The inline style and script, rendered once: their hashes go into
        // every page's Content-Security-Policy.
        let style = render(&env, "catalog.css", Value::UNDEFINED).map_err(fail)?;
        let script = render(&env, "catalog.js", Value::UNDEFINED).map_err(fail)?;
        // The results' style, only with results: without them every page is
        // what it was.
        let results_style = match options.results {
            Some(_) => render(&env, "results.css", Value::UNDEFINED).map_err(fail)?,
            None => String::new(),
        };
        let style_sources = if results_style.is_empty() {
            format!("'{}'", csp_hash(&style))
        } else {
            format!("'{}' '{}'", csp_hash(&style), csp_hash(&results_style))
        };
        let assets = Assets {
            csp: format!(
                "default-src 'none'; img-src data:; style-src {style_sources}; script-src '{}'; base-uri 'none'; form-action 'none'",
                csp_hash(&script)
            ),
            style,
            script,
            results_style,
        };
        Ok(Renderer {
            options,
            env,
            used,
            catalog,
            assets,
        })
    }

    fn fail(&self, err: Error) -> Box<TemplateError> {
        template_error(&err, self.options.templates.as_deref(), &self.catalog)
    }

    /// How many contract pages there are: one per dataset, in IR order.
    pub fn pages(&self) -> usize {
        self.catalog.contracts.len()
    }

    /// The Markdown and HTML pages of the `i`th contract.
    pub fn page(&self, i: usize) -> Result<[GeneratedFile; 2], Box<TemplateError>> {
        let page = &self.catalog.contracts[i];
        let context = minijinja::context! { page, assets => &self.assets };
        let md = render(&self.env, "contract.md", context.clone()).map_err(|e| self.fail(e))?;
        let html = render(&self.env, "contract.html", context).map_err(|e| self.fail(e))?;
        Ok([
            GeneratedFile {
                path: page.md.clone(),
                text: md,
                contract: Some(page.contract.clone()),
            },
            GeneratedFile {
                path: format!("html/{}", page.html),
                text: html,
                contract: Some(page.contract.clone()),
            },
        ])
    }

    /// The Markdown and HTML indexes of every contract.
    pub fn indexes(&self) -> Result<Vec<GeneratedFile>, Box<TemplateError>> {
        let context = minijinja::context! { catalog => &self.catalog, assets => &self.assets };
        let mut files = Vec::new();
        for (template, path) in [("index.md", "index.md"), ("index.html", "html/index.html")] {
            let text = render(&self.env, template, context.clone()).map_err(|e| self.fail(e))?;
            files.push(GeneratedFile {
                path: path.to_string(),
                text,
                contract: None,
            });
        }
        Ok(files)
    }

    /// Files of the templates directory no template used, once every page
    /// has rendered.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        let used = self.used.lock().map(|u| u.clone()).unwrap_or_default();
        match &self.options.templates {
            Some(dir) => unused_templates(dir, &used),
            None => Vec::new(),
        }
    }
}

/// A warning for each file of `dir` that no template loaded.
fn unused_templates(dir: &Path, used: &BTreeSet<String>) -> Vec<Diagnostic> {
    let builtin: Vec<&str> = TEMPLATES.iter().map(|(n, _)| *n).collect();
    let mut warnings = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_file())
    {
        let Ok(relative) = entry.path().strip_prefix(dir) else {
            continue;
        };
        let name = relative.to_string_lossy().replace('\\', "/");
        if used.contains(&name) {
            continue;
        }
        let shown = crate::load::display(entry.path());
        let help = match crate::suggest::did_you_mean(&name, &builtin, &[]) {
            Some(hint) => format!("{hint} templates are named {}", builtin.join(", ")),
            None => format!(
                "templates are named {}; other files count only when a template includes them",
                builtin.join(", ")
            ),
        };
        warnings.push(
            Diagnostic::warning(
                Code::UnusedTemplate,
                format!("`{shown}` is not used by any docs template"),
            )
            .with_path(shown)
            .with_help(help),
        );
    }
    warnings
}

fn render(env: &Environment<'static>, name: &str, context: Value) -> Result<String, Error> {
    // Line ends are `\n` whatever the template's (a Windows checkout): the
    // output stays the same on every machine, and the CSP hashes match what
    // the browser hashes (it reads CRLF as LF).
    let mut text = env
        .get_template(name)?
        .render(context)?
        .replace("\r\n", "\n");
    // Every file ends in exactly one newline, whatever the template does.
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    text.push('\n');
    Ok(text)
}

/// A Content-Security-Policy source for an inline style or script.
pub(crate) fn csp_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

#[derive(Debug, Serialize)]
struct Assets {
    csp: String,
    style: String,
    script: String,
    /// Empty without results.
    results_style: String,
}

/// A did-you-mean for a misspelt variable: the closest name the templates
/// can see (a key anywhere in the view model).
fn suggest(word: &str, catalog: &Catalog) -> Option<String> {
    fn keys(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k.clone());
                    keys(v, out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut names: BTreeSet<String> = ["page", "catalog", "assets", "csp", "style", "script"]
        .map(String::from)
        .into();
    keys(&serde_json::to_value(catalog).ok()?, &mut names);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    crate::suggest::did_you_mean(word, &names, &[])
}

// ---------------------------------------------------------------------------
// Templates: loading and errors

/// Where a template comes from: the user's directory, else built in.
fn template_source(dir: Option<&Path>, name: &str) -> Option<(String, String)> {
    if let Some((dir, path)) = dir.and_then(|dir| Some((dir, user_template(dir, name)?))) {
        let text = read_template(dir, &path).ok()?;
        return Some((crate::load::display(&path), text));
    }
    TEMPLATES.iter().find(|(n, _)| *n == name).map(|(n, text)| {
        (
            format!("templates/docs/{n} (built in)"),
            (*text).to_string(),
        )
    })
}

/// The user's file for template `name`, if there is one; names that would
/// leave the directory are not looked up.
fn user_template(dir: &Path, name: &str) -> Option<PathBuf> {
    let plain = !name.is_empty()
        && Path::new(name)
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    let path = dir.join(name);
    (plain && path.symlink_metadata().is_ok()).then_some(path)
}

/// The largest template read.
/// As large as a contract file may be.
const MAX_TEMPLATE_BYTES: usize = 4 << 20;

/// A user template's text: a regular file of at most
/// [`MAX_TEMPLATE_BYTES`], inside the templates directory even when it is
/// a symbolic link (a template's text ends up in the generated pages).
fn read_template(dir: &Path, path: &Path) -> Result<String, String> {
    let inside = match (std::fs::canonicalize(dir), std::fs::canonicalize(path)) {
        (Ok(dir), Ok(path)) => path.starts_with(dir),
        _ => false,
    };
    if !inside {
        return Err("it is a symbolic link out of the templates directory".into());
    }
    crate::load::read_text(path, MAX_TEMPLATE_BYTES, "a template")
}

/// The template environment; the names of the templates it loads go into `used`.
fn environment(dir: Option<PathBuf>, used: Arc<Mutex<BTreeSet<String>>>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_loader(move |name| {
        if let Ok(mut used) = used.lock() {
            used.insert(name.to_string());
        }
        match dir
            .as_deref()
            .and_then(|d| Some((d, user_template(d, name)?)))
        {
            Some((dir, path)) => read_template(dir, &path).map(Some).map_err(|why| {
                Error::new(
                    ErrorKind::InvalidOperation,
                    format!(
                        "cannot read {} (templates are UTF-8 text files): {why}",
                        crate::text::escape_line(&crate::load::display(&path))
                    ),
                )
            }),
            None => Ok(TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_string())),
        }
    });
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".md") {
            AutoEscape::Custom("markdown")
        } else {
            minijinja::default_auto_escape_callback(name)
        }
    });
    env.set_formatter(markup::formatter);
    env.add_filter("inline", markup::inline);
    env.add_filter("code", markup::code);
    env.add_filter("codeblock", markup::codeblock);
    env.add_filter("paragraphs", markup::paragraphs);
    env
}

/// A located diagnostic for a template error.
fn template_error(err: &Error, dir: Option<&Path>, catalog: &Catalog) -> Box<TemplateError> {
    // An error inside an included, imported or extended template arrives
    // wrapped; report where it happened.
    let mut err = err;
    while let Some(inner) = std::error::Error::source(err).and_then(|e| e.downcast_ref::<Error>()) {
        err = inner;
    }
    let mut sources = Sources::new();
    let name = err.name().unwrap_or("").to_string();
    let what = match err.kind() {
        ErrorKind::UndefinedError => "undefined value".to_string(),
        ErrorKind::TemplateNotFound => "template not found".to_string(),
        ErrorKind::SyntaxError => "syntax error".to_string(),
        kind => kind.to_string(),
    };
    let detail = err.detail().map(|d| format!(": {d}")).unwrap_or_default();
    let mut diagnostic = Diagnostic::error(
        Code::Template,
        if name.is_empty() {
            format!("docs template: {what}{detail}")
        } else {
            format!("docs template `{name}`: {what}{detail}")
        },
    );
    let user = dir.is_some_and(|d| user_template(d, &name).is_some());
    // The last name of the undefined expression, e.g. `ownrs` of `page.ownrs`.
    let mut misspelt = None;
    match template_source(dir, &name) {
        Some((path, text)) => {
            misspelt = err
                .range()
                .and_then(|r| text.get(r))
                .and_then(|expr| {
                    expr.rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                        .find(|w| !w.is_empty())
                })
                .map(str::to_string);
            let range = err.range().or_else(|| {
                let line = err.line()?;
                let start = text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum();
                let len = text[start..].find('\n').unwrap_or(text.len() - start);
                Some(start..start + len)
            });
            let range = range.filter(|r| {
                r.end <= text.len()
                    && text.is_char_boundary(r.start)
                    && text.is_char_boundary(r.end)
            });
            let file = sources.add(path.clone(), text);
            diagnostic = match range {
                Some(range) => diagnostic.with_label(Span::new(file, range.start, range.end), what),
                None => diagnostic.with_path(path),
            };
        }
        None => {
            if let Some(dir) = dir {
                diagnostic = diagnostic.with_path(crate::load::display(dir));
            }
        }
    }
    let help = match err.kind() {
        ErrorKind::UndefinedError => {
            let list = "templates see only the variables listed in docs/docs.md";
            match misspelt.and_then(|word| suggest(&word, catalog)) {
                Some(hint) => format!("{hint} {list}"),
                None => format!("{list}; check the spelling"),
            }
        }
        ErrorKind::TemplateNotFound => {
            "a template can include the built-in templates and files of the --templates directory"
                .to_string()
        }
        _ if !user => {
            "this is a bug in datapact's built-in templates; please report it".to_string()
        }
        _ => {
            "see the minijinja template syntax: https://docs.rs/minijinja/latest/minijinja/syntax/"
                .to_string()
        }
    };
    Box::new(TemplateError {
        sources,
        diagnostic: diagnostic.with_help(help),
    })
}
