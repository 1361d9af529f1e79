//! The dbt target: property YAML with `data_tests`, source freshness, model
//! contracts, generic test macros and singular tests, laid out in a dbt
//! project's folders (`datapact/` inside its model, macro and test paths),
//! for every dbt adapter or for one.
//!
//! Reads only the IR. SQL pieces come from the same [`SqlDialect`] as the
//! SQL target. Without a dbt dialect the output is portable: each piece
//! that differs between dialects is written for every adapter and chosen
//! by dbt when it runs (`adapter.dispatch` in the macros, `target.type` in
//! the YAML and singular tests; see [`Variants`]). Every text from a
//! contract that dbt renders as Jinja goes through [`jinja_text`], so a
//! contract cannot inject Jinja. See docs/dbt.md.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use minijinja::Environment;
use minijinja::syntax::SyntaxConfig;
use rayon::prelude::*;

use crate::emit::sql::GeneratedFile;
use crate::emit::sql::dialect::{SqlDialect, is_plain_ident};
use crate::emit::yaml::{self, Yaml};
use crate::ir::{Check, CheckKind, Column, Dataset, DbtNode, Ir, Location};
use crate::literal::Literal;
use crate::types::{DbtKind, Dialect};
use crate::types::{Duration, LogicalType, Severity, Tolerance};

/// How rules become dbt tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DbtTests {
    /// One dbt test per rule (the default).
    #[default]
    PerRule,
    /// One singular test per dataset that runs the one-scan check query.
    SingleScan,
}

impl DbtTests {
    pub const CHOICES: &'static [(&'static str, DbtTests)] = &[
        ("per_rule", DbtTests::PerRule),
        ("single_scan", DbtTests::SingleScan),
    ];
}

/// How to generate the dbt files.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// The dialect of the dbt project's adapter; `None`: portable files
    /// that work on every adapter.
    pub dialect: Option<Dialect>,
    pub tests: DbtTests,
    /// Enforce model contracts: `contract: {enforced: true}` and constraints.
    /// Needs a dialect: model contracts name each column's type.
    pub enforce_contracts: bool,
    /// Where the files go in the dbt project.
    pub layout: Layout,
    /// The most bytes of a single-scan test's query, below each dialect's
    /// own limit; a larger one is split into parts.
    pub max_query_bytes: Option<usize>,
}

/// The folders datapact writes into and owns, relative to the dbt project:
/// `datapact/` inside the first of the project's model, macro and test
/// paths (`model-paths`, … of dbt_project.yml), each ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub models: String,
    pub macros: String,
    pub tests: String,
}

impl Default for Layout {
    /// dbt's default paths: `models/datapact/`, `macros/datapact/`,
    /// `tests/datapact/`.
    fn default() -> Layout {
        Layout::new("models", "macros", "tests")
    }
}

impl Layout {
    /// The layout for a project whose model, macro and test paths are these.
    pub fn new(models: &str, macros: &str, tests: &str) -> Layout {
        let owned = |path: &str| {
            let path = path.trim_end_matches('/');
            if path.is_empty() || path == "." {
                "datapact/".to_string()
            } else {
                format!("{path}/datapact/")
            }
        };
        Layout {
            models: owned(models),
            macros: owned(macros),
            tests: owned(tests),
        }
    }

    /// The folders datapact owns.
    pub fn owned(&self) -> [&str; 3] {
        [&self.models, &self.macros, &self.tests]
    }

    fn properties(&self, ds: &Dataset) -> String {
        format!("{}{}.yml", self.models, ds.contract)
    }

    fn test_dir(&self, ds: &Dataset) -> String {
        format!("{}{}/", self.tests, ds.contract)
    }
}

/// `error_if` of a test with a percent tolerance: its rows carry the
/// allowed number of failures (see `datapact_with_allowed`).
const ALLOWED_ERROR_IF: &str = "> max(datapact_allowed)";

/// What a run owns (see `output::compile`): the owned folders, or for a
/// run on some contracts only, the macros and those contracts' files.
pub fn scopes(ir: &Ir, subset: bool, layout: &Layout) -> Vec<String> {
    if !subset {
        return layout.owned().iter().map(|s| s.to_string()).collect();
    }
    let mut scopes = vec![layout.macros.clone()];
    for ds in &ir.datasets {
        scopes.push(layout.properties(ds));
        scopes.push(layout.test_dir(ds));
    }
    scopes
}

/// The dialect whose SQL the `default__` macros and every other portable
/// default are written in: PostgreSQL's, which most SQL engines without a
/// dialect of their own here also speak.
pub const DEFAULT_DIALECT: Dialect = Dialect::Postgres;

/// The dbt adapters (their `type`, dbt's `target.type`) that run a
/// dialect's SQL, each the prefix of its `adapter.dispatch`
/// implementations. dbt-databricks also falls back to dbt-spark's.
pub fn adapters(dialect: Dialect) -> &'static [&'static str] {
    match dialect {
        Dialect::Duckdb => &["duckdb"],
        Dialect::Postgres => &["postgres"],
        Dialect::Snowflake => &["snowflake"],
        Dialect::Bigquery => &["bigquery"],
        Dialect::Redshift => &["redshift"],
        Dialect::Databricks => &["databricks", "spark"],
        Dialect::Trino => &["trino"],
        // dbt-fabric and dbt-synapse speak SQL Server's T-SQL.
        Dialect::Sqlserver => &["sqlserver", "fabric", "synapse"],
    }
}

/// A piece of generated text as each dbt adapter needs it: the default
/// (the one dialect's, or [`DEFAULT_DIALECT`]'s when portable) and, when
/// portable, each other dialect whose text differs, in [`Dialect::ALL`]
/// order. Generated from the [`SqlDialect`] of each, as the SQL target is.
#[derive(Debug)]
struct Variants {
    default: String,
    others: Vec<(Dialect, String)>,
}

impl Variants {
    /// `render` for `dialect`, or for every dialect when it is `None`.
    fn new(dialect: Option<Dialect>, render: impl Fn(Dialect) -> String) -> Variants {
        let Some(dialect) = dialect else {
            let default = render(DEFAULT_DIALECT);
            let others = (Dialect::ALL.iter())
                .filter(|&&d| d != DEFAULT_DIALECT)
                .map(|&d| (d, render(d)))
                .filter(|(_, text)| *text != default)
                .collect();
            return Variants { default, others };
        };
        Variants {
            default: render(dialect),
            others: Vec::new(),
        }
    }

    /// A Jinja expression evaluating to the text for the adapter dbt runs
    /// on: a string, or `{'bigquery': …}.get(target.type, <default>)`.
    fn expression(&self) -> String {
        if self.others.is_empty() {
            return jinja_str(&self.default);
        }
        let entries: Vec<String> = (self.others.iter())
            .flat_map(|(d, text)| {
                (adapters(*d).iter()).map(move |a| format!("{}: {}", jinja_str(a), jinja_str(text)))
            })
            .collect();
        format!(
            "{{{}}}.get(target.type, {})",
            entries.join(", "),
            jinja_str(&self.default)
        )
    }

    /// A value dbt renders (a test argument, a config): the one text,
    /// written by `escape` to render as itself, or a Jinja expression
    /// choosing the adapter's text.
    fn value(&self, escape: fn(&str) -> String) -> String {
        if self.others.is_empty() {
            escape(&self.default)
        } else {
            format!("{{{{ {} }}}}", self.expression())
        }
    }

    /// Jinja text (each variant already Jinja as dbt should render it):
    /// the one variant, or `{% if target.type in [...] %}` blocks with the
    /// default last.
    fn blocks(&self) -> String {
        if self.others.is_empty() {
            return self.default.clone();
        }
        let mut out = String::new();
        for (i, (d, text)) in self.others.iter().enumerate() {
            let names: Vec<String> = adapters(*d).iter().map(|a| jinja_str(a)).collect();
            let tag = if i == 0 { "if" } else { "elif" };
            out.push_str(&format!(
                "{{%- {tag} target.type in [{}] %}}\n{text}\n",
                names.join(", ")
            ));
        }
        out.push_str(&format!("{{%- else %}}\n{}\n{{%- endif %}}", self.default));
        out
    }
}

/// The generic test macros, by file name.
const MACROS: &[(&str, &str)] = &[
    (
        "datapact_accepted_values.sql",
        include_str!("../../templates/dbt/macros/datapact_accepted_values.sql"),
    ),
    (
        "datapact_expression.sql",
        include_str!("../../templates/dbt/macros/datapact_expression.sql"),
    ),
    (
        "datapact_freshness.sql",
        include_str!("../../templates/dbt/macros/datapact_freshness.sql"),
    ),
    (
        "datapact_length.sql",
        include_str!("../../templates/dbt/macros/datapact_length.sql"),
    ),
    (
        "datapact_pattern.sql",
        include_str!("../../templates/dbt/macros/datapact_pattern.sql"),
    ),
    (
        "datapact_range.sql",
        include_str!("../../templates/dbt/macros/datapact_range.sql"),
    ),
    (
        "datapact_references.sql",
        include_str!("../../templates/dbt/macros/datapact_references.sql"),
    ),
    (
        "datapact_required.sql",
        include_str!("../../templates/dbt/macros/datapact_required.sql"),
    ),
    (
        "datapact_row_count.sql",
        include_str!("../../templates/dbt/macros/datapact_row_count.sql"),
    ),
    (
        "datapact_unique.sql",
        include_str!("../../templates/dbt/macros/datapact_unique.sql"),
    ),
    (
        "datapact_unique_combination.sql",
        include_str!("../../templates/dbt/macros/datapact_unique_combination.sql"),
    ),
    (
        "datapact_with_allowed.sql",
        include_str!("../../templates/dbt/macros/datapact_with_allowed.sql"),
    ),
];

/// Every dbt file, paths relative to the dbt project, sorted by path:
/// the macros ([`macros`]) and each dataset's files ([`dataset_files`]).
/// Fails when two contracts' tests would share a name.
pub fn emit(ir: &Ir, options: &Options) -> Result<Vec<GeneratedFile>, String> {
    check(ir, options)?;
    let mut files = macros(options);
    files.par_extend(
        ir.datasets
            .par_iter()
            .flat_map_iter(|ds| dataset_files(ir, ds, options)),
    );
    files.par_sort_unstable_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// What must hold of the whole run before any dataset's files are
/// rendered: no two contracts' tests share a name.
pub fn check(ir: &Ir, options: &Options) -> Result<(), String> {
    match name_clash(ir, options.tests) {
        Some(clash) => Err(clash),
        None => Ok(()),
    }
}

/// One dataset's dbt files: its properties file and singular tests; none
/// for a dataset without `dataset.dbt`.
pub fn dataset_files(ir: &Ir, ds: &Dataset, options: &Options) -> Vec<GeneratedFile> {
    let mut files = Vec::new();
    if let Some(node) = &ds.dbt {
        let e = Emitter {
            ir,
            ds,
            node,
            options,
        };
        files.push(GeneratedFile {
            path: options.layout.properties(ds),
            text: e.properties(),
            contract: Some(ds.contract.clone()),
        });
        files.extend(e.singular_tests());
    }
    files
}

/// The generic test macros, for every adapter or for one
/// (`options.dialect`): each file holds the test, which dispatches to
/// `default__` (the default dialect's SQL) or to the implementation of the
/// adapter dbt runs on, where its SQL differs.
pub fn macros(options: &Options) -> Vec<GeneratedFile> {
    let env = macro_environment();
    MACROS
        .iter()
        .map(|(name, template)| {
            let variants = Variants::new(options.dialect, |d| render_macro(&env, template, d));
            GeneratedFile {
                path: format!("{}{name}", options.layout.macros),
                text: dispatched(&variants, options.dialect),
                contract: None,
            }
        })
        .collect()
}

/// One macro template rendered with `dialect`'s SQL.
fn render_macro(env: &Environment, template: &str, dialect: Dialect) -> String {
    let d = dialect.sql();
    let age = |ty| d.age_seconds("max({{ column }})", ty);
    let context = minijinja::context! {
        count => d.count(),
        regex_match => regex_match_jinja(d),
        allowed => d.int_div(
            &format!("(select {}(*) from {{{{ model }}}}) * {{{{ per_100m }}}}", d.count()),
            "100000000",
        ),
        length => d.char_length("{{ column_name }}"),
        age_date => age(LogicalType::Date),
        age_timestamp => age(LogicalType::Timestamp),
        age_timestamp_tz => age(LogicalType::TimestampTz),
    };
    env.render_str(template, &context)
        .expect("the macro templates render")
}

/// A rendered macro template: its doc comment, the `test` or `macro` it
/// defines, and that block's body.
struct MacroParts<'a> {
    doc: &'a str,
    /// `test` or `macro`.
    kind: &'a str,
    name: &'a str,
    params: &'a str,
    body: &'a str,
}

impl<'a> MacroParts<'a> {
    /// The template's one block opens on a line `{% test name(params) -%}`
    /// (or `macro`) and closes with its last `{%- endtest %}`.
    fn of(text: &'a str) -> MacroParts<'a> {
        let open = ["{% test ", "{% macro "]
            .iter()
            .filter_map(|tag| text.find(tag))
            .min()
            .expect("a macro template defines a test or macro");
        let line_end = open + text[open..].find('\n').expect("a body follows");
        let signature = &text[open + 3..line_end];
        let (kind, rest) = signature.split_once(' ').expect("`test name(…)`");
        let (name, rest) = rest.split_once('(').expect("`name(params)`");
        let params = &rest[..rest.rfind(')').expect("`(params)`")];
        let close = text
            .rfind(&format!("{{%- end{kind} %}}"))
            .expect("the block is closed");
        MacroParts {
            doc: &text[..open],
            kind,
            name,
            params,
            body: &text[line_end + 1..close],
        }
    }

    /// The parameters' names, as the dispatching block passes them on.
    fn args(&self) -> String {
        let names: Vec<&str> = (self.params.split(','))
            .map(|p| p.split('=').next().unwrap_or_default().trim())
            .collect();
        names.join(", ")
    }
}

/// A macro file: the test (or macro) dispatching on the adapter, then its
/// `default__` implementation and one per adapter whose SQL differs, as
/// dbt packages write them (`adapter.dispatch(name, 'datapact')`, so a
/// project can override one with its `dispatch:` config).
fn dispatched(variants: &Variants, dialect: Option<Dialect>) -> String {
    let parts = MacroParts::of(&variants.default);
    let (kind, name, params) = (parts.kind, parts.name, parts.params);
    let target = match kind {
        "test" => format!("test_{name}"),
        _ => name.to_string(),
    };
    let mut out = match dialect {
        Some(d) => format!(
            "{{# Generated by datapact for {}; do not edit. #}}\n",
            d.name()
        ),
        None => "{# Generated by datapact for every dbt adapter; do not edit. #}\n".to_string(),
    };
    out.push_str(parts.doc);
    out.push_str(&format!(
        "{{% {kind} {name}({params}) -%}}\n\
         {{{{ return(adapter.dispatch('{target}', 'datapact')({})) }}}}\n\
         {{%- end{kind} %}}\n",
        parts.args()
    ));
    let implementation = |prefix: &str, body: &str| {
        format!("\n{{% macro {prefix}__{target}({params}) -%}}\n{body}{{%- endmacro %}}\n")
    };
    out.push_str(&match dialect {
        Some(d) => format!("\n{{#- {}'s SQL. -#}}", d.name()),
        None => format!(
            "\n{{#- {}'s SQL, for any adapter without its own below. -#}}",
            DEFAULT_DIALECT.name()
        ),
    });
    out.push_str(&implementation("default", parts.body));
    for (d, text) in &variants.others {
        for adapter in adapters(*d) {
            out.push_str(&implementation(adapter, MacroParts::of(text).body));
        }
    }
    out
}

/// The environment the macro templates render in: `<< >>` for datapact's
/// values (dbt's Jinja is left as written), and an unknown name is an
/// error, never empty SQL.
fn macro_environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_syntax(
        SyntaxConfig::builder()
            .block_delimiters("<%", "%>")
            .variable_delimiters("<<", ">>")
            .comment_delimiters("<#", "#>")
            .build()
            .expect("valid delimiters"),
    );
    env.set_keep_trailing_newline(true);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env
}

/// The dialect's full regex match of `{{ column_name }}` against the Jinja
/// variable `regex`, escaped in Jinja as the dialect escapes literals.
fn regex_match_jinja(d: &dyn SqlDialect) -> String {
    const MARK: &str = "DATAPACTREGEXMARK";
    let sql = d.regex_full_match("{{ column_name }}", MARK);
    let escaped = d
        .string_quoting()
        .escapes
        .iter()
        .fold("regex".to_string(), |expr, (from, to)| {
            format!("{expr} | replace({}, {})", jinja_str(from), jinja_str(to))
        });
    sql.replace(MARK, &format!("{{{{ {escaped} }}}}"))
}

/// A Jinja string literal.
fn jinja_str(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Text dbt will render as Jinja, made to render as itself: each `{` that
/// would open a tag (`{{`, `{%`, `{#`) becomes `{{ '{' }}`.
pub fn jinja_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%' | '#')) {
            out.push_str("{{ '{' }}");
        } else {
            out.push(c);
        }
    }
    out
}

/// A test argument: [`jinja_text`], and never taken by dbt for a Jinja
/// call. dbt evaluates an argument that looks like `ref(…)`, `source(…)`,
/// `var(…)`, `env_var(…)` or `doc(…)`; an empty `{{ '' }}` in front keeps
/// it text.
pub fn jinja_arg(text: &str) -> String {
    static CALL: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"^\s*(env_var|ref|var|source|doc)\s*\(").expect("valid regex")
    });
    let looks_like_call = CALL.is_match(text);
    let text = jinja_text(text);
    if looks_like_call {
        format!("{{{{ '' }}}}{text}")
    } else {
        text
    }
}

/// A SQL condition dbt embeds in its own SQL (`where`, a freshness
/// query): with `d`'s quoting ([`crate::user_sql::for_dialect`]); with a
/// `--` comment, in parentheses after a line break (dbt trims a trailing
/// one), so the comment cannot swallow what dbt writes after it.
fn condition(sql: &str, d: &dyn SqlDialect) -> String {
    let sql = crate::user_sql::for_dialect(sql.trim(), d);
    if sql.contains("--") {
        format!("({sql}\n)")
    } else {
        sql
    }
}

/// A check query without its own header comment lines: a test's says more.
fn without_header(query: &str) -> String {
    query
        .lines()
        .skip_while(|l| l.starts_with("--"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The dbt name of a check's test: `<contract>__<check>`, the contract id's
/// dots written `_`. Unique across a run, which [`emit`] checks.
fn test_name(contract: &str, check: &str) -> String {
    // A nested rule's path, in the characters of a dbt name: `.f` is
    // `__f`, `[]` `__items`, `[key]` `__keys`, `[value]` `__values` (a
    // column's slug never holds `__`, so these names stay distinct).
    let check = check
        .replace("[key]", "__keys")
        .replace("[value]", "__values")
        .replace("[]", "__items")
        .replace('.', "__");
    format!("{}__{check}", contract.replace('.', "_"))
}

/// Two contracts whose tests would share a name (`a.b_c` and `a_b.c`).
fn name_clash(ir: &Ir, tests: DbtTests) -> Option<String> {
    let mut seen: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    for ds in ir.datasets.iter().filter(|ds| ds.dbt.is_some()) {
        let names: Vec<(String, &str)> = match tests {
            DbtTests::PerRule => ds
                .checks
                .iter()
                .map(|c| (test_name(&ds.contract, &c.name), c.name.as_str()))
                .collect(),
            DbtTests::SingleScan => vec![(test_name(&ds.contract, "checks"), "checks")],
        };
        for (name, check) in names {
            let Some((contract, other)) = seen.insert(name.clone(), (&ds.contract, check)) else {
                continue;
            };
            // Within one contract: a nested rule's path written in a dbt
            // name's characters (`a.b__min` and a check named `a__b__min`).
            return Some(if contract == ds.contract {
                format!(
                    "checks `{other}` and `{check}` of `{contract}` both give a dbt test the name `{name}`; set another `name:` on one of them"
                )
            } else {
                format!(
                    "contracts `{contract}` and `{}` both give a dbt test the name `{name}`; rename a contract or check",
                    ds.contract
                )
            });
        }
    }
    None
}

struct Emitter<'a> {
    ir: &'a Ir,
    ds: &'a Dataset,
    node: &'a DbtNode,
    options: &'a Options,
}

/// The Jinja expression naming a dbt node: `ref('m')` or `source('s', 't')`.
fn node_expr(node: &DbtNode, location: &Location) -> String {
    match node.kind {
        DbtKind::Model | DbtKind::Seed | DbtKind::Snapshot => {
            format!("ref({})", jinja_str(&node.name))
        }
        DbtKind::Source => format!(
            "source({}, {})",
            jinja_str(&node.name),
            jinja_str(&location.name)
        ),
    }
}

fn str_list(items: &[String]) -> Yaml {
    Yaml::List(items.iter().map(|s| Yaml::str(jinja_arg(s))).collect())
}

/// A column name as dbt SQL: bare when plain, else quoted for the dialect.
fn ident(name: &str, d: &dyn SqlDialect) -> String {
    if is_plain_ident(name) {
        name.to_string()
    } else {
        d.quote_ident(name)
    }
}

impl Emitter<'_> {
    /// `render` for the adapters the files are for ([`Variants`]).
    fn variants(&self, render: impl Fn(&'static dyn SqlDialect, Dialect) -> String) -> Variants {
        Variants::new(self.options.dialect, |d| render(d.sql(), d))
    }

    /// A test argument that is SQL: the same for every adapter, or chosen
    /// by dbt for the one it runs on.
    fn sql_arg(&self, render: impl Fn(&'static dyn SqlDialect, Dialect) -> String) -> Yaml {
        Yaml::str(self.variants(render).value(jinja_arg))
    }

    /// A column name as a test argument ([`ident`]).
    fn ident_arg(&self, name: &str) -> Yaml {
        self.sql_arg(|d, _| ident(name, d))
    }

    /// A column's `name:` in the properties. Names that are not plain are
    /// quoted by dbt (`quote: true`) exactly as written, except for
    /// Snowflake, where a lower-case name (a keyword such as `order`) is
    /// stored upper-case, as the SQL target's quoting says (only with the
    /// snowflake dialect: a name here is the same for every adapter).
    fn dbt_column_name(&self, name: &str) -> String {
        match self.options.dialect {
            Some(d) if !is_plain_ident(name) => d.sql().stored_name(name),
            _ => name.to_string(),
        }
    }

    fn column_type(&self, name: &str) -> LogicalType {
        self.ds.column_type(name)
    }

    /// The Jinja expression naming the contract `contract`'s table, if it
    /// is a dbt node.
    fn relation_of(&self, contract: &str) -> Option<String> {
        let ds = self.ir.datasets.iter().find(|d| d.contract == contract)?;
        Some(node_expr(ds.dbt.as_ref()?, &ds.location))
    }

    /// Only models have contracts dbt enforces.
    fn enforces_contract(&self) -> bool {
        self.options.enforce_contracts && self.node.kind == DbtKind::Model
    }

    fn is_source(&self) -> bool {
        self.node.kind == DbtKind::Source
    }

    /// The property file of the dataset.
    fn properties(&self) -> String {
        let ds = self.ds;
        let mut node: Vec<(String, Yaml)> = Vec::new();
        let (table_name, source) = match self.node.kind {
            DbtKind::Model | DbtKind::Seed | DbtKind::Snapshot => (self.node.name.clone(), None),
            DbtKind::Source => (ds.location.name.clone(), Some(&self.node.name)),
        };
        node.push(("name".into(), Yaml::str(jinja_text(&table_name))));
        if let Some(description) = self.description() {
            node.push(("description".into(), Yaml::str(jinja_text(&description))));
        }
        node.push(("config".into(), self.node_config()));
        let model_tests: Vec<Yaml> = self
            .ds
            .checks
            .iter()
            .filter(|c| c.column.is_none() || crate::emit::sql::is_nested_check(self.ds, c))
            .filter_map(|c| self.test(c))
            .collect();
        if !model_tests.is_empty() {
            node.push(("data_tests".into(), Yaml::List(model_tests)));
        }
        let columns: Vec<Yaml> = ds.columns.iter().map(|c| self.column_yaml(c)).collect();
        if !columns.is_empty() {
            node.push(("columns".into(), Yaml::List(columns)));
        }
        let header = format!(
            "# dbt properties of {} {}, from {}.\n# Generated by datapact; do not edit.\n",
            // One line: a file name is the only text here not validated.
            ds.contract,
            ds.version,
            crate::text::escape_line(&ds.source_path)
        );
        let doc = match source {
            None => Yaml::map([
                ("version", Yaml::int(2)),
                (
                    self.node.kind.property_key(),
                    Yaml::List(vec![Yaml::Map(node)]),
                ),
            ]),
            Some(source) => {
                let mut entry = vec![("name".to_string(), Yaml::str(jinja_text(source)))];
                if let Some(db) = &ds.location.database {
                    entry.push(("database".into(), Yaml::str(jinja_text(db))));
                }
                // Without a schema the table is in the target's schema, not
                // in a schema named after the source (dbt's default).
                let schema = ds
                    .location
                    .schema
                    .as_deref()
                    .map_or_else(|| "{{ target.schema }}".to_string(), jinja_text);
                entry.push(("schema".into(), Yaml::str(schema)));
                entry.push(("tables".into(), Yaml::List(vec![Yaml::Map(node)])));
                Yaml::map([
                    ("version", Yaml::int(2)),
                    ("sources", Yaml::List(vec![Yaml::Map(entry)])),
                ])
            }
        };
        format!("{header}{}", yaml::to_string(&doc))
    }

    /// The node's dbt description: the contract's description, else its
    /// title (docs/dbt.md). dbt shows it as a paragraph of its own, where
    /// a title glued to the description would read as its first words.
    fn description(&self) -> Option<String> {
        let ds = self.ds;
        match (&ds.description, &ds.title) {
            (Some(d), _) => Some(d.trim().to_string()),
            (None, title) => title.clone(),
        }
    }

    fn node_config(&self) -> Yaml {
        let ds = self.ds;
        let mut config: Vec<(String, Yaml)> = Vec::new();
        if !ds.tags.is_empty() {
            config.push(("tags".into(), str_list(&ds.tags)));
        }
        let owners: Vec<Yaml> = ds
            .owners
            .iter()
            .map(|o| {
                let mut owner = vec![("name".to_string(), Yaml::str(jinja_text(&o.name)))];
                if let Some(email) = &o.email {
                    owner.push(("email".into(), Yaml::str(jinja_text(email))));
                }
                let role = serde_json::to_value(o.role)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                owner.push(("role".into(), Yaml::str(role)));
                Yaml::Map(owner)
            })
            .collect();
        let mut meta = vec![
            ("contract".to_string(), Yaml::str(&ds.contract)),
            ("contract_version".into(), Yaml::str(&ds.version)),
        ];
        if !owners.is_empty() {
            meta.push(("owners".into(), Yaml::List(owners)));
        }
        config.push(("meta".into(), Yaml::Map(meta)));
        if self.is_source() {
            if let Some(freshness) = self.source_freshness() {
                config.extend(freshness);
            }
        } else if self.enforces_contract() {
            config.push((
                "contract".into(),
                Yaml::map([("enforced", Yaml::Bool(true))]),
            ));
        }
        Yaml::Map(config)
    }

    /// `freshness:` and `loaded_at_query:` of a source table, from the
    /// SLA. The query is the newest value of the column (a date as its
    /// midnight, a timestamp as UTC) among the rows the rule sees, and
    /// 1970-01-01 when there is none: dbt then reports an empty table as
    /// stale, as the SQL target does, not as a runtime error.
    fn source_freshness(&self) -> Option<Vec<(String, Yaml)>> {
        let check = self
            .ds
            .checks
            .iter()
            .find(|c| matches!(c.kind, CheckKind::Freshness { .. }))?;
        let CheckKind::Freshness {
            column,
            warn_after,
            error_after,
        } = &check.kind
        else {
            return None;
        };
        let mut freshness: Vec<(String, Yaml)> = Vec::new();
        for (key, after) in [("warn_after", warn_after), ("error_after", error_after)] {
            if let Some(after) = after {
                freshness.push((key.into(), dbt_period(*after)));
            }
        }
        // NUL, which no contract text holds: only this becomes Jinja.
        const THIS: &str = "\u{0}this\u{0}";
        let query = self.variants(|d, _| {
            let value = ident(column, d);
            let (value, epoch) = match self.column_type(column) {
                LogicalType::TimestampTz => {
                    (value, Literal::TimestampTz("1970-01-01T00:00:00Z".into()))
                }
                // dbt takes a timestamp without time zone as UTC; a date
                // is its midnight.
                LogicalType::Date => (
                    format!("cast({value} as {})", d.type_name(LogicalType::Timestamp)),
                    Literal::Timestamp("1970-01-01T00:00:00".into()),
                ),
                _ => (value, Literal::Timestamp("1970-01-01T00:00:00".into())),
            };
            let ty = match epoch {
                Literal::TimestampTz(_) => LogicalType::TimestampTz,
                _ => LogicalType::Timestamp,
            };
            // dbt selects it from a CTE, whose columns T-SQL wants named.
            let mut sql = format!(
                "select coalesce(max({value}), {}) as max_loaded_at from {THIS}",
                d.literal(&epoch, ty)
            );
            if let Some(filter) = &check.filter {
                sql.push_str(&format!(" where {}", condition(filter, d)));
            }
            jinja_text(&sql).replace(THIS, "{{ this }}")
        });
        Some(vec![
            ("freshness".into(), Yaml::Map(freshness)),
            ("loaded_at_query".into(), Yaml::str(query.blocks())),
        ])
    }

    fn column_yaml(&self, column: &Column) -> Yaml {
        let mut entry: Vec<(String, Yaml)> = vec![(
            "name".into(),
            Yaml::str(jinja_text(&self.dbt_column_name(&column.name))),
        )];
        if !is_plain_ident(&column.name) {
            entry.push(("quote".into(), Yaml::Bool(true)));
        }
        if let Some(description) = &column.description {
            entry.push((
                "description".into(),
                Yaml::str(jinja_text(description.trim())),
            ));
        }
        // Types differ between adapters: written for one dialect only.
        if let Some(dialect) = self.options.dialect {
            let data_type = crate::emit::sql::column_type(column, dialect);
            entry.push(("data_type".into(), Yaml::str(jinja_text(&data_type))));
        }
        let mut config: Vec<(String, Yaml)> = Vec::new();
        if !column.tags.is_empty() {
            config.push(("tags".into(), str_list(&column.tags)));
        }
        let mut meta = vec![("logical_type".to_string(), Yaml::str(column.ty.to_string()))];
        if column.pii {
            meta.push(("pii".into(), Yaml::Bool(true)));
        }
        config.push(("meta".into(), Yaml::Map(meta)));
        entry.push(("config".into(), Yaml::Map(config)));
        if self.enforces_contract() {
            let constraints = self.constraints(column);
            if !constraints.is_empty() {
                entry.push(("constraints".into(), Yaml::List(constraints)));
            }
        }
        let tests: Vec<Yaml> = self
            .ds
            .checks
            .iter()
            .filter(|c| c.column.as_deref() == Some(column.name.as_str()))
            .filter(|c| !crate::emit::sql::is_nested_check(self.ds, c))
            .filter_map(|c| self.test(c))
            .collect();
        if !tests.is_empty() {
            entry.push(("data_tests".into(), Yaml::List(tests)));
        }
        Yaml::Map(entry)
    }

    /// Constraints the database enforces while building the model: only
    /// for rules that hold for every row (error severity, no filter, no
    /// tolerance), so the build never rejects what the contract allows.
    fn constraints(&self, column: &Column) -> Vec<Yaml> {
        let strict = |rule: fn(&CheckKind) -> bool| {
            self.ds.checks.iter().any(|c| {
                c.column.as_deref() == Some(column.name.as_str())
                    && c.path.is_empty()
                    && rule(&c.kind)
                    && c.severity == Severity::Error
                    && c.filter.is_none()
                    && !c.windowed
                    && c.tolerance.is_none()
            })
        };
        let mut out = Vec::new();
        if strict(|k| matches!(k, CheckKind::Required)) {
            out.push(Yaml::map([("type", Yaml::str("not_null"))]));
        }
        if strict(|k| matches!(k, CheckKind::Unique)) {
            out.push(Yaml::map([("type", Yaml::str("unique"))]));
        }
        out
    }

    /// The dbt test of a check in per-rule mode; `None` for checks that are
    /// not generic tests (sql checks are singular tests, a source's
    /// freshness is dbt's source freshness) and for every check in
    /// single-scan mode.
    fn test(&self, check: &Check) -> Option<Yaml> {
        if self.options.tests == DbtTests::SingleScan {
            return None;
        }
        let ty = || self.column_type(check.column.as_deref().unwrap_or_default());
        let percent = match &check.tolerance {
            Some(Tolerance::Percent(p)) => Some(p.clone()),
            _ => None,
        };
        let literal = |v| self.sql_arg(|d, _| d.literal(v, ty()));
        let mut config: Vec<(String, Yaml)> = Vec::new();
        let mut args: Vec<(String, Yaml)> = Vec::new();
        // A unique combination of struct fields keeps its own test.
        let nested = crate::emit::sql::is_nested_check(self.ds, check)
            && !matches!(check.kind, CheckKind::UniqueCombination { .. });
        let name: &str = match (&check.kind, &percent) {
            // Inside a nested column: a test on the model, through the
            // condition the SQL target writes.
            (CheckKind::Unique, _) if nested => {
                let value = self
                    .sql_arg(|_, dialect| crate::emit::sql::check_value(self.ds, check, dialect));
                args.push(("columns".into(), Yaml::List(vec![value])));
                "datapact_unique_combination"
            }
            (CheckKind::RowCountChange { .. } | CheckKind::NullRateIncrease { .. }, _)
                if nested =>
            {
                return None;
            }
            (_, _) if nested => {
                let expression = self.sql_arg(|_, dialect| {
                    let failing = crate::emit::sql::row_condition(self.ds, check, dialect);
                    format!("not ({})", failing.as_deref().unwrap_or("false"))
                });
                args.push(("expression".into(), expression));
                "datapact_expression"
            }
            (CheckKind::Required, None) => "not_null",
            (CheckKind::Required, Some(_)) => "datapact_required",
            (CheckKind::Unique, None) => {
                if check.tolerance.is_some() {
                    config.push((
                        "fail_calc".into(),
                        Yaml::str("coalesce(sum(n_records - 1), 0)"),
                    ));
                }
                "unique"
            }
            (CheckKind::Unique, Some(_)) => "datapact_unique",
            (CheckKind::AcceptedValues { values }, _) => {
                let ty = ty();
                let plain = percent.is_none()
                    && ty == LogicalType::String
                    && values.iter().all(|v| {
                        matches!(v, crate::literal::Literal::String(s)
                            if s.chars().all(|c| c.is_ascii_graphic() || c == ' ')
                                && !s.contains(['\'', '\\', '{']))
                    });
                if plain {
                    let texts: Vec<String> = values
                        .iter()
                        .map(|v| match v {
                            crate::literal::Literal::String(s) => s.clone(),
                            _ => String::new(),
                        })
                        .collect();
                    args.push(("values".into(), str_list(&texts)));
                } else {
                    args.push((
                        "values".into(),
                        Yaml::List(values.iter().map(literal).collect()),
                    ));
                    if percent.is_none() {
                        args.push(("quote".into(), Yaml::Bool(false)));
                    }
                }
                if percent.is_some() {
                    "datapact_accepted_values"
                } else {
                    if check.tolerance.is_some() {
                        config.push(("fail_calc".into(), Yaml::str("coalesce(sum(n_records), 0)")));
                    }
                    "accepted_values"
                }
            }
            (CheckKind::Min { value }, _) => {
                args.push(("min_value".into(), literal(value)));
                "datapact_range"
            }
            (CheckKind::Max { value }, _) => {
                args.push(("max_value".into(), literal(value)));
                "datapact_range"
            }
            (CheckKind::Pattern { regex }, _) => {
                args.push(("regex".into(), Yaml::str(jinja_arg(regex))));
                "datapact_pattern"
            }
            // Always inside a nested column: handled above.
            (CheckKind::UniqueItems, _) => return None,
            (CheckKind::Length { min, max }, _) => {
                push_bounds(&mut args, [("min_length", min), ("max_length", max)]);
                "datapact_length"
            }
            (
                CheckKind::References {
                    contract,
                    column,
                    location,
                },
                _,
            ) => {
                let to = self.relation_of(contract);
                let to_yaml = match &to {
                    Some(expr) => Yaml::str(expr),
                    None => self
                        .sql_arg(|_, dialect| crate::emit::sql::qualified_name(location, dialect)),
                };
                args.push(("to".into(), to_yaml));
                args.push(("field".into(), self.ident_arg(column)));
                if to.is_some() && percent.is_none() {
                    "relationships"
                } else {
                    "datapact_references"
                }
            }
            (CheckKind::Expression { sql }, _) => {
                let sql = self.sql_arg(|d, _| crate::user_sql::for_dialect(sql.trim(), d));
                args.push(("expression".into(), sql));
                "datapact_expression"
            }
            (CheckKind::UniqueCombination { columns }, _) => {
                let quoted: Vec<Yaml> = columns
                    .iter()
                    .map(|c| match self.ds.columns.iter().any(|col| &col.name == c) {
                        true => self.ident_arg(c),
                        // A struct's field (`address.zip`).
                        false => {
                            self.sql_arg(|_, dialect| crate::emit::sql::member(self.ds, c, dialect))
                        }
                    })
                    .collect();
                args.push(("columns".into(), Yaml::List(quoted)));
                "datapact_unique_combination"
            }
            (CheckKind::RowCount { min, max }, _) => {
                push_bounds(&mut args, [("min_rows", min), ("max_rows", max)]);
                "datapact_row_count"
            }
            (
                CheckKind::Freshness {
                    column,
                    warn_after,
                    error_after,
                },
                _,
            ) => {
                if self.is_source() {
                    return None;
                }
                args.push(("column".into(), self.ident_arg(column)));
                args.push((
                    "column_type".into(),
                    Yaml::str(self.column_type(column).to_string()),
                ));
                for (key, after) in [
                    ("warn_after_seconds", warn_after),
                    ("error_after_seconds", error_after),
                ] {
                    if let Some(after) = after {
                        args.push((key.into(), Yaml::int(after.seconds())));
                    }
                }
                // One row per threshold passed; severity follows error_after.
                match (warn_after, error_after) {
                    (Some(_), Some(_)) => {
                        config.push(("warn_if".into(), Yaml::str(">= 1")));
                        config.push(("error_if".into(), Yaml::str(">= 2")));
                    }
                    (Some(_), None) => {
                        config.push(("severity".into(), Yaml::str("warn")));
                    }
                    _ => {}
                }
                "datapact_freshness"
            }
            (CheckKind::Sql { .. }, _) => return None,
            // dbt keeps no results between runs: nothing to compare with.
            (CheckKind::RowCountChange { .. } | CheckKind::NullRateIncrease { .. }, _) => {
                return None;
            }
        };
        if let Some(p) = &percent {
            args.push(("tolerance_percent".into(), Yaml::Number(p.clone())));
        }
        if check.severity == Severity::Warn && !config.iter().any(|(k, _)| k == "severity") {
            config.insert(0, ("severity".into(), Yaml::str("warn")));
        }
        // Its `where` and, when windowed, the dataset's window.
        if check.filter.is_some() || (check.windowed && self.ds.window.is_some()) {
            let filter = self
                .variants(|d, dialect| {
                    let window = crate::emit::sql::window_scope(self.ds, check, dialect);
                    match (&check.filter, window) {
                        (Some(filter), Some(window)) => {
                            format!("({}) and ({window})", condition(filter, d))
                        }
                        (Some(filter), None) => condition(filter, d),
                        (None, window) => window.unwrap_or_default(),
                    }
                })
                .value(jinja_text);
            config.push(("where".into(), Yaml::str(filter)));
        }
        // Failures within the tolerance warn; past it, an error-severity
        // check fails (docs/contract-format.md).
        if check.severity == Severity::Error {
            match &check.tolerance {
                Some(Tolerance::Count(n)) => {
                    config.push(("error_if".into(), Yaml::str(format!("> {n}"))));
                }
                Some(Tolerance::Percent(_)) => {
                    config.push(("error_if".into(), Yaml::str(ALLOWED_ERROR_IF)));
                }
                None => {}
            }
        }
        let mut body: Vec<(String, Yaml)> = vec![(
            "name".into(),
            Yaml::str(test_name(&self.ds.contract, &check.name)),
        )];
        if let Some(description) = &check.description {
            body.push((
                "description".into(),
                Yaml::str(jinja_text(description.trim())),
            ));
        }
        if !args.is_empty() {
            body.push(("arguments".into(), Yaml::Map(args)));
        }
        if !config.is_empty() {
            body.push(("config".into(), Yaml::Map(config)));
        }
        Some(Yaml::map([(name, Yaml::Map(body))]))
    }

    /// Singular tests: each `sql:` check in per-rule mode, or the one-scan
    /// check query in single-scan mode.
    fn singular_tests(&self) -> Vec<GeneratedFile> {
        let own = node_expr(self.node, &self.ds.location);
        match self.options.tests {
            DbtTests::SingleScan => self.single_scan_tests(),
            DbtTests::PerRule => self
                .ds
                .checks
                .iter()
                .filter_map(|check| {
                    let CheckKind::Sql { query } = &check.kind else {
                        return None;
                    };
                    let name = test_name(&self.ds.contract, &check.name);
                    Some(GeneratedFile {
                        path: format!("{}{name}.sql", self.options.layout.test_dir(self.ds)),
                        text: self.sql_test(check, query, &own),
                        contract: Some(self.ds.contract.clone()),
                    })
                })
                .collect(),
        }
    }

    /// A Jinja comment heading a test file: it vanishes from the compiled
    /// SQL, which then starts with the query itself (dbt-sqlserver runs a
    /// query starting with `with` differently).
    fn header(&self, what: &str, description: Option<&str>) -> String {
        let mut out = format!(
            "{{# datapact {what} on {} {}.\n",
            self.ds.contract, self.ds.version
        );
        for line in description.unwrap_or_default().trim().lines() {
            // Only `#}` ends a Jinja comment.
            out.push_str(&format!("   {}\n", line.replace("#}", "# }")));
        }
        out.push_str("   Generated by datapact; do not edit. #}\n");
        out
    }

    fn sql_test(&self, check: &Check, query: &str, own: &str) -> String {
        let severity = check.severity.name();
        let mut out = self.header(
            &format!("check {} (sql, {severity})", check.name),
            check.description.as_deref(),
        );
        let mut config = Vec::new();
        match (check.severity, &check.tolerance) {
            (Severity::Warn, _) => config.push("severity='warn'".to_string()),
            (Severity::Error, Some(Tolerance::Count(n))) => {
                config.push(format!("error_if='> {n}'"))
            }
            (Severity::Error, Some(Tolerance::Percent(_))) => {
                config.push(format!("error_if={}", jinja_str(ALLOWED_ERROR_IF)));
            }
            (Severity::Error, None) => {}
        }
        if !config.is_empty() {
            out.push_str(&format!("{{{{ config({}) }}}}\n", config.join(", ")));
        }
        // `{{ table }}` is the model; everything else is the user's SQL.
        // The mark holds NUL, which no contract text can (validation refuses
        // it in every value), so only the placeholder becomes Jinja.
        const MARK: &str = "\u{0}table\u{0}";
        let query = jinja_text(&crate::emit::sql::sql_check_query(query, MARK));
        let query = query.replace(MARK, &format!("{{{{ {own} }}}}"));
        match &check.tolerance {
            Some(Tolerance::Percent(p)) => {
                // A sql check sees every row of the dataset.
                out.push_str(&format!(
                    "{{% set failing %}}\n{query}\n{{% endset %}}\n\
                     {{{{ datapact_with_allowed({own}, failing, {p}) }}}}\n"
                ));
            }
            _ => {
                out.push_str(&query);
                out.push('\n');
            }
        }
        out
    }

    /// One test running the one-scan check query: it returns the checks
    /// that did not pass; it warns when all of them are warnings. Portable,
    /// it holds the query of each dialect that writes it differently,
    /// chosen by `target.type`. A query larger than the dialect's limit is
    /// split ([`crate::emit::sql::check_query_parts`]) into tests
    /// `…__checks_part_<n>`, as many as the dialect that needs the most;
    /// where a dialect has fewer parts, its last tests check nothing.
    fn single_scan_tests(&self) -> Vec<GeneratedFile> {
        // NUL, which no contract text holds, so no text can forge a mark;
        // as long as the qualified name dbt puts there usually is, so the
        // parts are measured at about their compiled size.
        const MARK: &str = "\u{0}relation";
        let mark = |i: usize| format!("{MARK}{i}{:.<100}\u{0}", "");
        // The dbt relations the query reads, in a stable order; the query
        // is rendered with placeholders for them, Jinja-escaped, and then
        // the placeholders become `{{ ref(…) }}` / `{{ source(…) }}`.
        let mut relations = vec![node_expr(self.node, &self.ds.location)];
        for check in &self.ds.checks {
            if let CheckKind::References { contract, .. } = &check.kind {
                if let Some(expr) = self.relation_of(contract) {
                    if !relations.contains(&expr) {
                        relations.push(expr);
                    }
                }
            }
        }
        // dbt keeps no results between runs: rules over time are left out.
        let judged = Dataset {
            checks: (self.ds.checks.iter())
                .filter(|c| !c.kind.over_time())
                .cloned()
                .collect(),
            ..self.ds.clone()
        };
        let parts = |dialect: Dialect| -> Vec<String> {
            let relation = |contract: &str, location: &Location| {
                let expr = if contract == self.ds.contract {
                    Some(relations[0].clone())
                } else {
                    self.relation_of(contract)
                };
                match expr.and_then(|e| relations.iter().position(|r| *r == e)) {
                    Some(i) => mark(i),
                    None => crate::emit::sql::qualified_name(location, dialect),
                }
            };
            let limit = crate::emit::sql::size_limit(dialect, self.options.max_query_bytes);
            crate::emit::sql::check_query_parts_non_passing(&judged, dialect, &relation, limit)
                .into_iter()
                .map(|part| {
                    let mut query = jinja_text(&part.sql);
                    for (i, expr) in relations.iter().enumerate() {
                        query = query.replace(&mark(i), &format!("{{{{ {expr} }}}}"));
                    }
                    without_header(&query)
                })
                .collect()
        };
        let by_dialect: Vec<(Dialect, Vec<String>)> = match self.options.dialect {
            Some(d) => vec![(d, parts(d))],
            None => Dialect::ALL.iter().map(|&d| (d, parts(d))).collect(),
        };
        let count = by_dialect.iter().map(|(_, p)| p.len()).max().unwrap_or(1);
        (0..count)
            .map(|k| {
                let queries = self.variants(|_, dialect| {
                    let parts = &by_dialect
                        .iter()
                        .find(|(d, _)| *d == dialect)
                        .expect("rendered")
                        .1;
                    match parts.get(k) {
                        Some(query) => query.clone(),
                        // Nothing left to check on this adapter.
                        None => {
                            without_header(&jinja_text(&crate::emit::sql::check_query_non_passing(
                                &Dataset {
                                    checks: Vec::new(),
                                    ..self.ds.clone()
                                },
                                dialect,
                                &|_, l| crate::emit::sql::qualified_name(l, dialect),
                            )))
                        }
                    }
                });
                let name = if count == 1 {
                    "checks".to_string()
                } else {
                    format!("checks_part_{}", k + 1)
                };
                self.single_scan_test(&queries, &name, (count > 1).then_some((k + 1, count)))
            })
            .collect()
    }

    /// The single-scan test file `name` running `queries`; `part`: which
    /// of how many.
    fn single_scan_test(
        &self,
        queries: &Variants,
        name: &str,
        part: Option<(usize, usize)>,
    ) -> GeneratedFile {
        let fail_calc = self.variants(|d, _| format!("{}(*)", d.count()));
        // Jinja comments, so the compiled test starts with its query.
        let mut out = format!(
            "{{# datapact one-scan checks on {} {}{}: one row per check that did not pass\n   \
             (see docs/sql.md for the columns). Warns when every such check warns,\n   \
             else fails. Generated by datapact; do not edit. #}}\n",
            // Ids and versions are plain (validated): no `#}` in them.
            self.ds.contract,
            self.ds.version,
            match part {
                Some((n, of)) => format!(", part {n} of {of}"),
                None => String::new(),
            },
        );
        out.push_str(&format!(
            "{{{{ config(\n    fail_calc={},\n    warn_if='!= 0',\n    error_if=\"!= 0 and max(case when status = 'fail' then 1 else 0 end) = 1\"\n) }}}}\n",
            fail_calc.expression(),
        ));
        out.push_str("{%- set datapact_checks -%}\n");
        out.push_str(&queries.blocks());
        out.push_str("\n{%- endset -%}\n");
        out.push_str(SINGLE_SCAN_REPORT);
        let name = test_name(&self.ds.contract, name);
        GeneratedFile {
            path: format!("{}{name}.sql", self.options.layout.test_dir(self.ds)),
            text: out,
            contract: Some(self.ds.contract.clone()),
        }
    }
}

/// The end of a one-scan test: when dbt runs it, the check query runs
/// once (`run_query`), each check that did not pass is logged on dbt's
/// console, and the test reads those rows back as constants (contract,
/// check name, rule, severity, failures, status: ids, names and numbers
/// datapact wrote, quotes doubled all the same), so `fail_calc`, `error_if`
/// and `--store-failures` see them without a second scan. Columns by
/// position, as every engine names them differently (docs/sql.md).
const SINGLE_SCAN_REPORT: &str = r#"{%- if execute -%}
{%- set datapact_rows = run_query(datapact_checks).rows -%}
{%- for row in datapact_rows -%}
{%- do log('datapact ' ~ row[0] ~ ': ' ~ row[7] ~ ' ' ~ row[1] ~ ' (' ~ row[3] ~ ', ' ~ (row[5] | int) ~ ' failing, observed ' ~ row[6] ~ ')', info=True) -%}
{%- endfor -%}
{%- for row in datapact_rows %}
{% if not loop.first %}union all
{% endif %}select '{{ row[0] | replace("'", "''") }}' as contract, '{{ row[1] | replace("'", "''") }}' as check_name, '{{ row[3] | replace("'", "''") }}' as rule, '{{ row[4] | replace("'", "''") }}' as severity, {{ row[5] | int }} as failures, '{{ row[7] | replace("'", "''") }}' as status
{%- else %}
select * from (select 'none' as contract, 'none' as check_name, 'none' as rule, 'none' as severity, 0 as failures, 'pass' as status) datapact_none where 1 = 0
{%- endfor %}
{%- else %}
{{ datapact_checks }}
{%- endif %}
"#;

/// The bounds that are set, as integer arguments.
fn push_bounds(args: &mut Vec<(String, Yaml)>, bounds: [(&str, &Option<u64>); 2]) {
    for (key, bound) in bounds {
        if let Some(n) = bound {
            args.push((key.into(), Yaml::int(*n)));
        }
    }
}

/// A duration as dbt's `{count, period}`, in the largest exact period
/// among minute, hour and day (a week is 7 days).
fn dbt_period(after: Duration) -> Yaml {
    let seconds = after.seconds();
    let (count, period) = if seconds % 86_400 == 0 {
        (seconds / 86_400, "day")
    } else if seconds % 3_600 == 0 {
        (seconds / 3_600, "hour")
    } else {
        (seconds / 60, "minute")
    };
    Yaml::map([("count", Yaml::int(count)), ("period", Yaml::str(period))])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_template_value_is_an_error_not_empty_sql() {
        let env = macro_environment();
        let context = minijinja::context! { length => "length(x)" };
        assert_eq!(
            env.render_str("<< length >> {{ dbt }}", &context).unwrap(),
            "length(x) {{ dbt }}"
        );
        assert!(env.render_str("<< lenght >>", &context).is_err());
        // Every dialect's macros render with every value they name.
        for &dialect in Dialect::ALL {
            let options = Options {
                dialect: Some(dialect),
                ..Options::default()
            };
            assert!(!macros(&options).is_empty());
        }
    }

    #[test]
    fn jinja_text_renders_as_itself() {
        assert_eq!(
            jinja_text("a {{ b }} {% c %} {# d #}"),
            "a {{ '{' }}{ b }} {{ '{' }}% c %} {{ '{' }}# d #}"
        );
        assert_eq!(jinja_text("{{{x"), "{{ '{' }}{{ '{' }}{x");
        assert_eq!(jinja_text("a } { b"), "a } { b");
    }

    #[test]
    fn regex_escaped_in_jinja_as_the_dialect_escapes() {
        let mut env = Environment::new();
        env.set_keep_trailing_newline(true);
        for dialect in Dialect::ALL {
            let d = dialect.sql();
            let template = regex_match_jinja(d);
            for regex in [
                "[a-z]+", "it's", r"a\d\\b'", "x\ny", "\\\n", "\\\r\n", "t\tab", "{{ x }}",
            ] {
                let got = env
                    .render_str(
                        &template,
                        minijinja::context! {column_name => "col", regex => regex},
                    )
                    .expect("renders");
                assert_eq!(
                    got,
                    d.regex_full_match("col", regex),
                    "{dialect:?} {regex:?}"
                );
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn jinja_text_round_trips(text in "[{}%#a -]{0,12}") {
            let mut env = Environment::new();
            env.set_keep_trailing_newline(true);
            let rendered = env.render_str(&jinja_text(&text), ()).expect("renders");
            proptest::prop_assert_eq!(rendered, text);
        }
    }

    #[test]
    fn arguments_dbt_would_evaluate_stay_text() {
        assert_eq!(jinja_arg(r#"ref("x")"#), r#"{{ '' }}ref("x")"#);
        assert_eq!(jinja_arg(" env_var ('HOME')"), "{{ '' }} env_var ('HOME')");
        assert_eq!(jinja_arg("reference"), "reference");
        assert_eq!(jinja_arg("a {{ b }}"), "a {{ '{' }}{ b }}");
    }

    #[test]
    fn plain_identifiers() {
        assert!(is_plain_ident("order_id"));
        for name in ["Order", "naïve col", "select", "1st", "a-b"] {
            assert!(!is_plain_ident(name), "{name}");
        }
    }
}
