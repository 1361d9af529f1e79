//! Semantic validation of decoded contracts, across all files of a run.
//!
//! Decoding has already checked each value's shape; this pass checks what
//! needs context: rules against column types, ranges, names, and references
//! between contracts. It is tolerant of partial syntax (a field the decoder
//! could not read is `None` and simply not checked), so a file with one
//! mistake does not produce a cascade of follow-on errors.

use std::collections::BTreeMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Location;
use crate::literal::{self, Literal};
use crate::rules::ColumnRuleKind;
use crate::semantic::Scope;
use crate::semantic::coerce;
use crate::semantic::lower::{self, ColumnRule};
use crate::source::{self, Sources, Span, Spanned};
use crate::suggest;
use crate::syntax::ast::{CheckBody, Column, Contract, Part, Rule, TableCheck};
use crate::syntax::yaml::Scalar;
use crate::types::{DbtKind, LogicalType, MAX_NESTING, TypeFamily};
use crate::user_sql::{self, Expression};

/// Validate one contract against the index of the run's contracts; returns
/// every diagnostic found.
pub fn validate(contract: &Contract, index: &Index, sources: &Sources) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    Validator {
        contract,
        index,
        sources,
        out: &mut out,
    }
    .run();
    out
}

/// What the other contracts of a run may know of a contract: its id, its
/// previous id, its columns and its location. Cross-file checks and
/// lowering read these, never another contract's syntax tree, so each
/// contract's tree can be let go once it is summarized.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: Option<Spanned<String>>,
    pub renamed_from: Option<Spanned<String>>,
    /// Each column's name and type, as written.
    pub columns: Vec<(String, Option<LogicalType>)>,
    pub location: Option<Location>,
    /// The dbt node of `dataset.dbt`.
    pub dbt: Option<(DbtKind, Spanned<String>)>,
}

impl Summary {
    pub fn of(c: &Contract) -> Summary {
        Summary {
            id: c.contract.clone(),
            renamed_from: c.renamed_from.clone(),
            columns: c
                .columns
                .iter()
                .flatten()
                .filter_map(|col| {
                    Some((
                        col.name.as_ref()?.value.clone(),
                        col.ty.as_ref().map(|t| t.value),
                    ))
                })
                .collect(),
            location: lower::location(c),
            dbt: (c.dataset.as_ref())
                .and_then(|d| d.dbt.as_ref()?.node())
                .map(|(kind, name)| (kind, name.clone())),
        }
    }
}

/// The contracts of a run by id, for references across files.
#[derive(Debug)]
pub struct Index {
    by_id: BTreeMap<String, Summary>,
    scope: Scope,
}

impl Index {
    /// The index of `summaries` (in file order: the first of two contracts
    /// with one id is the one declared first), with the diagnostics of the
    /// whole set: an id declared twice, two contracts renamed from one id.
    pub fn new(summaries: Vec<Summary>, scope: Scope, out: &mut Vec<Diagnostic>) -> Index {
        let mut by_id: BTreeMap<String, Summary> = BTreeMap::new();
        let mut renames = Vec::new();
        let mut nodes: BTreeMap<(bool, String, String), (String, Span)> = BTreeMap::new();
        for summary in &summaries {
            let (Some(id), Some((kind, name))) = (&summary.id, &summary.dbt) else {
                continue;
            };
            // Models, seeds and snapshots share `ref`'s names; a source's
            // node is its table.
            let table = match kind {
                DbtKind::Source => summary.location.as_ref().map(|l| l.name.clone()),
                DbtKind::Model | DbtKind::Seed | DbtKind::Snapshot => Some(String::new()),
            };
            let Some(table) = table else { continue };
            let key = (*kind == DbtKind::Source, name.value.clone(), table);
            match nodes.get(&key) {
                Some((first, first_span)) if *first != id.value => {
                    let node = match kind {
                        DbtKind::Source => format!("source `{}` table `{}`", name.value, key.2),
                        _ => format!("`{}`", name.value),
                    };
                    out.push(
                        Diagnostic::error(
                            Code::DbtNodeTwice,
                            format!(
                                "contracts `{first}` and `{}` are both bound to dbt node {node}",
                                id.value
                            ),
                        )
                        .with_label(name.span, "bound again here")
                        .with_secondary(*first_span, "first bound here")
                        .with_help(
                            "dbt takes one properties entry per node: bind each node to one contract, and keep the other contract's rules in it",
                        ),
                    );
                }
                Some(_) => {}
                None => {
                    nodes.insert(key, (id.value.clone(), name.span));
                }
            }
        }
        for summary in summaries {
            renames.push((summary.renamed_from.clone(), summary.id.clone()));
            let Some(id) = summary.id.clone() else {
                continue;
            };
            match by_id.get(id.as_str()) {
                Some(first) => {
                    let mut d = Diagnostic::error(
                        Code::DuplicateContract,
                        format!("contract `{}` is declared twice", id.value),
                    )
                    .with_label(id.span, "declared again here")
                    .with_help("contract ids are unique across the repository; rename one of them");
                    if let Some(first_id) = &first.id {
                        d = d.with_secondary(first_id.span, "first declared here");
                    }
                    out.push(d);
                }
                None => {
                    by_id.insert(id.value.clone(), summary);
                }
            }
        }
        let mut renamed: BTreeMap<&str, Span> = BTreeMap::new();
        // Renames from the contract's own id, or from one still loaded, are
        // reported by the contract itself.
        let renames = renames.iter().filter_map(|(old, id)| {
            let old = old.as_ref()?;
            let own = id.as_ref().is_some_and(|id| id.value == old.value);
            (!own && !by_id.contains_key(old.as_str())).then_some(old)
        });
        for old in renames {
            if let Some(first) = renamed.get(old.as_str()) {
                out.push(twice_renamed("contracts", old, *first));
            } else {
                renamed.insert(old.as_str(), old.span);
            }
        }
        Index { by_id, scope }
    }

    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Where the contract of id `id` is, when it is in the index; in a
    /// [`Scope::Selection`], a contract outside it is a table of that name.
    pub fn location(&self, id: &str) -> Option<Location> {
        match self.by_id.get(id) {
            Some(summary) => summary.location.clone(),
            None if self.scope == Scope::Selection => Some(Location {
                database: None,
                schema: None,
                name: id.to_string(),
            }),
            None => None,
        }
    }
}

fn renamed_from_itself(what: &str, old: &Spanned<String>) -> Diagnostic {
    Diagnostic::error(
        Code::RenameConflict,
        format!("the {what} is renamed from its own name `{}`", old.value),
    )
    .with_label(old.span, "its current name")
    .with_help(format!(
        "write the name the previous version had, or remove `renamed_from` once the {what} is not being renamed"
    ))
}

fn still_in_use(what: &str, old: &Spanned<String>, current: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RenameConflict,
        format!(
            "renamed from `{}`, but a {what} of that name still exists",
            old.value
        ),
    )
    .with_label(old.span, "renamed from here")
    .with_secondary(current, "still declared here")
    .with_help(format!(
        "a renamed {what}'s old name cannot be in use; remove `renamed_from`, or the old {what}"
    ))
}

fn twice_renamed(what: &str, old: &Spanned<String>, first: Span) -> Diagnostic {
    Diagnostic::error(
        Code::RenameConflict,
        format!("two {what} are renamed from `{}`", old.value),
    )
    .with_label(old.span, "renamed from here")
    .with_secondary(first, "and here")
    .with_help("a name becomes one new name; remove one of the `renamed_from` keys")
}

struct Validator<'a, 'o> {
    contract: &'a Contract,
    index: &'a Index,
    /// The text of the contract's file, to point inside a value.
    sources: &'a Sources,
    out: &'o mut Vec<Diagnostic>,
}

impl<'a> Validator<'a, '_> {
    fn run(&mut self) {
        self.names();
        self.owners();
        self.columns();
        self.renames();
        self.freshness();
        self.window();
        self.row_count();
        self.table_checks();
        self.check_names();
    }

    /// Every name that reaches SQL, a dbt file or a path can be written
    /// safely: no line breaks, tabs or invisible direction marks (control
    /// characters are refused for every value by `syntax::yaml`); the names
    /// dbt pastes into its own Jinja also no quote, backslash or brace.
    fn names(&mut self) {
        let c = self.contract;
        let mut names: Vec<(&Spanned<String>, &str)> = Vec::new();
        if let Some(ds) = &c.dataset {
            names.extend(ds.database.iter().map(|n| (n, "database name")));
            names.extend(ds.schema.iter().map(|n| (n, "schema name")));
            names.extend(ds.name.iter().map(|n| (n, "table name")));
        }
        for column in c.columns.as_deref().unwrap_or_default() {
            names.extend(column.name.iter().map(|n| (n, "column name")));
            names.extend(column.renamed_from.iter().map(|n| (n, "column name")));
            for (path, node) in lower::nodes(column).into_iter().skip(1) {
                if matches!(path.last(), Some(crate::ir::Step::Field(_))) {
                    names.extend(node.name.iter().map(|n| (n, "field name")));
                }
            }
        }
        if let Some(column) = c.freshness.as_ref().and_then(|f| f.column.as_ref()) {
            names.push((column, "column name"));
        }
        for check in c.checks.as_deref().unwrap_or_default() {
            if let Some(CheckBody::Unique(columns)) = &check.body {
                names.extend(columns.iter().map(|n| (n, "column name")));
            }
        }
        for (name, what) in names {
            if let Some(at) = name.find("$(") {
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        format!("this {what} holds `$(`, which sqlcmd replaces with a variable"),
                    )
                    .with_label(self.sub_span(name, at, at + 2), "sqlcmd would read a variable here")
                    .with_help("SQL Server's sqlcmd puts a variable or environment value in place of `$(name)`, even inside a quoted name; write `$` and `(` apart"),
                );
            }
            if let Some((_, ch)) = crate::text::name_problem(name) {
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        format!(
                            "this {what} holds {}, which no name may hold",
                            describe_char(ch)
                        ),
                    )
                    .with_label(name.span, "cannot be written safely into SQL")
                    .with_help("names may hold spaces and any printable character, but no line break, tab or invisible mark"),
                );
            }
        }
        self.reference_names();
        self.dbt_names();
        self.physical_types();
        self.data_path();
    }

    /// A dataset's `path` stays inside the project: `run` reads it with the
    /// contract's own SQL, so a contract (anyone's pull request) must not
    /// name a file elsewhere on the machine or a URL.
    fn data_path(&mut self) {
        let Some(path) = self.contract.dataset.as_ref().and_then(|d| d.path.as_ref()) else {
            return;
        };
        let text = path.value.as_str();
        let problem = if text.contains("://") {
            Some("a URL")
        } else if text.starts_with(['/', '\\', '~']) || text.as_bytes().get(1) == Some(&b':') {
            Some("an absolute path")
        } else if text.split(['/', '\\']).any(|part| part == "..") {
            Some("a path that leaves the project (`..`)")
        } else if let Some((_, ch)) = crate::text::name_problem(path) {
            let _ = ch;
            Some("a path with a line break, tab or invisible mark")
        } else {
            None
        };
        if let Some(problem) = problem {
            self.out.push(
                Diagnostic::error(Code::InvalidValue, format!("`path` is {problem}"))
                    .with_label(path.span, "not a path inside the project")
                    .with_help("name the data files relative to the project root (the folder of datapact.yaml), e.g. `data/orders/*.parquet`"),
            );
        }
    }

    /// Physical types, from whichever format, hold only what a type needs:
    /// dbt writes them into its DDL as written.
    fn physical_types(&mut self) {
        let c = self.contract;
        for column in c.columns.as_deref().unwrap_or_default() {
            for (_, ty) in column.physical_type.iter().flatten() {
                let Some((at, bad)) = ty
                    .char_indices()
                    .find(|&(_, c)| !crate::types::is_physical_type_char(c))
                else {
                    continue;
                };
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        format!(
                            "a physical type cannot hold `{}`",
                            crate::text::escape_line(&bad.to_string())
                        ),
                    )
                    .with_label(
                        self.sub_span(ty, at, at + bad.len_utf8()),
                        "dbt writes this type into its DDL as written",
                    )
                    .with_help("a type is letters, digits, spaces and `_ ( ) , . : < > [ ]`, e.g. `varchar(255)` or `struct<a: int64>`"),
                );
            }
        }
    }

    /// The column part of each reference, which may name a contract outside
    /// the files (`diff` of a selection) and is then written as given.
    fn reference_names(&mut self) {
        for column in self.contract.columns.as_deref().unwrap_or_default() {
            let Some(target) = column.references.as_ref().and_then(|r| r.value.as_ref()) else {
                continue;
            };
            if let Some((_, ch)) = crate::text::name_problem(&target.column) {
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        format!(
                            "the referenced column name holds {}, which no name may hold",
                            describe_char(ch)
                        ),
                    )
                    .with_label(target.span, "cannot be written safely into SQL"),
                );
            }
        }
    }

    /// dbt writes the names of a dbt node into its own Jinja as quoted
    /// strings (`ref('<model>')`, `source('<source>', '<table>')`) without
    /// escaping them, so they may hold no quote, backslash or brace.
    fn dbt_names(&mut self) {
        let Some(ds) = &self.contract.dataset else {
            return;
        };
        let Some(dbt) = &ds.dbt else { return };
        let mut names: Vec<(&Spanned<String>, String)> = dbt
            .nodes()
            .map(|(kind, name)| (name, format!("dbt {} name", kind.key())))
            .collect();
        if dbt.source.is_some() {
            names.extend((ds.name.iter()).map(|n| (n, "table name of a dbt source".to_string())));
        }
        for (name, what) in names {
            let bad = name
                .chars()
                .find(|c| matches!(c, '\'' | '"' | '\\' | '{' | '}'));
            if let Some(ch) = bad {
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidName,
                        format!("this {what} holds `{ch}`, which dbt cannot quote"),
                    )
                    .with_label(name.span, "dbt pastes this name into its Jinja unescaped")
                    .with_help("rename it, or leave out `dataset.dbt`: the SQL and docs targets quote any name"),
                );
            }
        }
    }

    fn columns_declared(&self) -> Option<&'a [Column]> {
        self.contract.columns.as_deref().filter(|c| !c.is_empty())
    }

    fn column(&self, name: &str) -> Option<&'a Column> {
        self.columns_declared()?
            .iter()
            .find(|c| c.name.as_ref().is_some_and(|n| n.value == name))
    }

    /// A field inside struct columns named by its path (`address.zip`,
    /// `address.geo.lat`): the column's name, then field names, each step
    /// into a struct (not an array or map).
    fn struct_field(&self, path: &str) -> Option<&'a Column> {
        let mut parts = path.split('.');
        let mut node = self.column(parts.next()?)?;
        for name in parts {
            node = node
                .fields
                .as_ref()?
                .value
                .iter()
                .find(|f| f.name.as_ref().is_some_and(|n| n.value == name))?;
        }
        Some(node)
    }

    fn column_names(&self) -> Vec<&'a str> {
        self.columns_declared()
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.name.as_ref().map(|n| n.as_str()))
            .collect()
    }

    fn unknown_column(&mut self, name: &str, span: Span, context: &str) {
        let names = self.column_names();
        let mut d = Diagnostic::error(
            Code::UnknownColumn,
            format!("{context} names `{name}`, which is not a column of this contract"),
        )
        .with_label(span, "unknown column");
        d = match suggest::closest(name, names.iter().copied()) {
            Some(c) => d.with_help(format!("did you mean `{c}`?")),
            None => d.with_help("declare it under `columns:`"),
        };
        self.out.push(d);
    }

    /// `renamed_from` names a previous name: not the current one, not one
    /// still in use, not one another contract or column is renamed from.
    fn renames(&mut self) {
        let c = self.contract;
        if let (Some(old), Some(id)) = (&c.renamed_from, &c.contract) {
            let still = self
                .index
                .by_id
                .get(old.as_str())
                .and_then(|o| o.id.as_ref());
            if old.value == id.value {
                self.out.push(renamed_from_itself("contract", old));
            } else if let Some(other) = still {
                self.out.push(still_in_use("contract", old, other.span));
            }
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for column in self.columns_declared().unwrap_or_default() {
            let (Some(old), Some(name)) = (&column.renamed_from, &column.name) else {
                continue;
            };
            if old.value == name.value {
                self.out.push(renamed_from_itself("column", old));
            } else if let Some(other) = self.column(old.as_str()).and_then(|o| o.name.as_ref()) {
                self.out.push(still_in_use("column", old, other.span));
            } else if let Some(first) = seen.get(old.as_str()) {
                self.out.push(twice_renamed("columns", old, *first));
            } else {
                seen.insert(old.as_str(), old.span);
            }
        }
    }

    fn owners(&mut self) {
        let written = self.contract.owners_key.is_some();
        let empty = self.contract.owners.as_ref().is_some_and(|o| o.is_empty());
        if !written || empty {
            let span = self
                .contract
                .contract
                .as_ref()
                .map_or(Span::new(self.contract.file, 0, 0), |c| c.span);
            self.out.push(
                Diagnostic::warning(Code::NoOwner, "this contract names no owner")
                    .with_label(span, "who answers for this data?")
                    .with_help("add `owners: [{name: <team>, email: <address>}]`"),
            );
        }
    }

    fn columns(&mut self) {
        let Some(columns) = self.columns_declared() else {
            return;
        };
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for column in columns {
            if let Some(name) = &column.name {
                if let Some(first) = seen.get(name.as_str()) {
                    self.out.push(
                        Diagnostic::error(
                            Code::DuplicateColumn,
                            format!("column `{}` is declared twice", name.value),
                        )
                        .with_label(name.span, "declared again here")
                        .with_secondary(*first, "first declared here"),
                    );
                } else {
                    seen.insert(name.as_str(), name.span);
                }
            }
            let name = column.name.as_ref().map_or("?", |n| n.as_str());
            self.column_rules(column, name);
            self.nested(column, name, 1, false);
        }
    }

    /// What a nested column holds: each type its own parts (a struct its
    /// fields, an array its items, a map its keys and values) and no
    /// other, fields named once, nesting at most [`MAX_NESTING`] deep, and
    /// inside arrays and maps only rules that look at one value at a time.
    fn nested(&mut self, column: &'a Column, path: &str, depth: usize, iterated: bool) {
        let ty = column.ty.as_ref();
        let parts = [
            (Part::Field, column.fields.as_ref().map(|f| f.key)),
            (Part::Items, column.items.as_ref().map(|i| i.key)),
            (Part::Keys, column.keys.as_ref().map(|k| k.key)),
            (Part::Values, column.values.as_ref().map(|v| v.key)),
        ];
        for (part, key) in parts {
            let (Some(key), Some(ty)) = (key, ty) else {
                continue;
            };
            let owner = match part {
                Part::Field => LogicalType::Struct,
                Part::Items => LogicalType::Array,
                Part::Keys | Part::Values => LogicalType::Map,
            };
            if ty.value != owner {
                self.out.push(
                    Diagnostic::error(
                        Code::NestedType,
                        format!(
                            "`{}` belongs to {owner} columns, and `{path}` is {}",
                            part.key(),
                            ty.value
                        ),
                    )
                    .with_label(key, format!("only {} has `{}`", article(owner), part.key()))
                    .with_secondary(ty.span, format!("`{path}` is {}", ty.value))
                    .with_help(format!(
                        "make the type `{owner}`, or remove `{}`",
                        part.key()
                    )),
                );
            }
        }
        if let Some(ty) = ty {
            let missing: &[(bool, &str, &str)] = match ty.value {
                LogicalType::Struct => &[(
                    column.fields.as_ref().is_some_and(|f| !f.value.is_empty()),
                    "fields",
                    "list its fields, each a column: `fields: [{name: zip, type: string}]`",
                )],
                LogicalType::Array => &[(
                    column.items.is_some(),
                    "items",
                    "say what its elements are: `items: string`, or `items: {type: struct, fields: [...]}`",
                )],
                LogicalType::Map => &[
                    (
                        column.keys.is_some(),
                        "keys",
                        "say what its keys are: `keys: string`",
                    ),
                    (
                        column.values.is_some(),
                        "values",
                        "say what its values are: `values: integer`",
                    ),
                ],
                _ => &[],
            };
            // No value twice: values of scalar types, which every engine
            // compares (BigQuery cannot count distinct structs or arrays).
            if let (Some(rule), Some(items)) = (
                column.unique_items.as_ref(),
                column.items.as_ref().and_then(|i| i.value.ty.as_ref()),
            ) {
                if items.value.is_nested() && rule.value.as_ref().is_some_and(|v| v.value) {
                    self.out.push(
                        Diagnostic::error(
                            Code::NestedRule,
                            format!(
                                "`unique_items` does not apply to `{path}`, an array of {} values",
                                items.value
                            ),
                        )
                        .with_label(rule.key, "compares the elements, which must be scalars")
                        .with_secondary(items.span, format!("its items are {}", items.value))
                        .with_help("check the fields that identify an element with a `sql:` check"),
                    );
                }
            }
            for (present, key, help) in missing {
                if !present {
                    self.out.push(
                        Diagnostic::error(
                            Code::NestedType,
                            format!("`{path}` is {} but has no `{key}`", article(ty.value)),
                        )
                        .with_label(ty.span, format!("{} needs `{key}`", ty.value))
                        .with_help(*help),
                    );
                }
            }
            if ty.value.is_nested() && depth > MAX_NESTING {
                self.out.push(
                    Diagnostic::error(
                        Code::NestedType,
                        format!("`{path}` is nested {depth} levels deep"),
                    )
                    .with_label(
                        ty.span,
                        format!("more than {MAX_NESTING} levels of struct, array and map"),
                    )
                    .with_help("keep what lies deeper as `json`, or flatten the structure"),
                );
                return;
            }
        }
        let mut seen: BTreeMap<&str, Span> = BTreeMap::new();
        for (part, child) in column.children() {
            let child_path = match part {
                Part::Field => {
                    let name = child.name.as_ref().map_or("?", |n| n.as_str());
                    if let Some(n) = &child.name {
                        if let Some(first) = seen.get(n.as_str()) {
                            self.out.push(
                                Diagnostic::error(
                                    Code::DuplicateColumn,
                                    format!("field `{}` is declared twice in `{path}`", n.value),
                                )
                                .with_label(n.span, "declared again here")
                                .with_secondary(*first, "first declared here"),
                            );
                        } else {
                            seen.insert(n.as_str(), n.span);
                        }
                    }
                    format!("{path}.{name}")
                }
                Part::Items => format!("{path}[]"),
                Part::Keys => format!("{path}[key]"),
                Part::Values => format!("{path}[value]"),
            };
            if part == Part::Keys && child.ty.as_ref().is_some_and(|t| t.value.is_nested()) {
                if let Some(t) = &child.ty {
                    self.out.push(
                        Diagnostic::error(Code::NestedType, "map keys are not nested")
                            .with_label(t.span, format!("keys of type {}", t.value))
                            .with_help("a map's keys are scalars, e.g. `keys: string`"),
                    );
                }
            }
            for (key, span) in [
                (
                    "physical_type",
                    child
                        .physical_type
                        .as_ref()
                        .and_then(|p| p.first())
                        .map(|(d, _)| d.span),
                ),
                ("renamed_from", child.renamed_from.as_ref().map(|r| r.span)),
            ] {
                if let Some(span) = span {
                    self.out.push(
                        Diagnostic::error(
                            Code::NestedType,
                            format!("`{key}` applies to a table's columns, not to `{child_path}`"),
                        )
                        .with_label(span, "inside a nested column")
                        .with_help(if key == "physical_type" {
                            "set the physical type of the whole column on the column itself"
                        } else {
                            "renaming a field inside a nested column is a change of its column's type"
                        }),
                    );
                }
            }
            let child_iterated = iterated || part != Part::Field;
            self.column_rules(child, &child_path);
            for site in lower::rule_sites(child) {
                let why = match site.kind() {
                    ColumnRuleKind::References => {
                        "`references` is compiled for a table's columns only"
                    }
                    ColumnRuleKind::Unique | ColumnRuleKind::NullRate if child_iterated => {
                        "it counts one value per row, and an array or a map holds many"
                    }
                    _ => continue,
                };
                let kind = site.kind().key();
                self.out.push(
                    Diagnostic::error(
                        Code::NestedRule,
                        format!("`{kind}` does not apply to `{child_path}`"),
                    )
                    .with_label(site.key(), why)
                    .with_help(match site.kind() {
                        ColumnRuleKind::Unique => "for no duplicates within one array, set `unique_items: true` on the array",
                        ColumnRuleKind::References => "check it with a `sql:` check that unnests the values",
                        _ => "set it on the column itself",
                    }),
                );
            }
            self.nested(
                child,
                &child_path,
                depth + usize::from(child.ty.as_ref().is_some_and(|t| t.value.is_nested())),
                child_iterated,
            );
        }
    }

    fn column_rules(&mut self, column: &'a Column, name: &str) {
        let Some(ty) = column.ty.as_ref() else {
            // Type unknown: only type-independent checks.
            self.rule_filters(column);
            return;
        };
        let ty_value = ty.value;
        let mismatch = |key: Span, rule: &str, applies: &str| {
            Diagnostic::error(
                Code::RuleTypeMismatch,
                format!(
                    "`{rule}` does not apply to `{name}`, {} column",
                    article(ty_value)
                ),
            )
            .with_label(key, format!("`{rule}` applies to {applies}"))
            .with_secondary(ty.span, format!("`{name}` is {ty_value}"))
        };
        let mut bounds: [Option<Spanned<Literal>>; 2] = [None, None];
        for site in lower::rule_sites(column) {
            let kind = site.kind();
            if let Some(applies) = kind.refuses(ty_value) {
                self.out.push(mismatch(site.key(), kind.key(), applies));
                // A pattern is still one every engine takes, whatever the
                // column.
                if let ColumnRule::Pattern(rule) = site {
                    if let Some(pattern) = &rule.value {
                        self.regex_limits(pattern);
                    }
                }
                continue;
            }
            match site {
                ColumnRule::Pattern(rule) => {
                    if let Some(pattern) = &rule.value {
                        self.regex_limits(pattern);
                    }
                }
                ColumnRule::Length(rule) => {
                    if let (Some(min), Some(max)) = (&rule.min, &rule.max) {
                        if min.value > max.value {
                            self.range_order(min.span, max.span, "length");
                        }
                    }
                }
                ColumnRule::Min(rule) | ColumnRule::Max(rule) => {
                    let slot = usize::from(kind == ColumnRuleKind::Max);
                    if let Some(value) = &rule.value {
                        bounds[slot] = self.literal(value, ty_value, kind.key(), name);
                    }
                }
                ColumnRule::AcceptedValues(rule) => {
                    for value in rule.value.iter().flat_map(|v| v.value.iter()) {
                        self.literal(value, ty_value, kind.key(), name);
                    }
                }
                ColumnRule::References(rule) => self.reference(rule, column),
                ColumnRule::Required(_)
                | ColumnRule::Unique(_)
                | ColumnRule::UniqueItems(_)
                | ColumnRule::NullRate(_) => {}
            }
        }
        if let [Some(min), Some(max)] = &bounds {
            if literal::compare(&min.value, &max.value) == Some(std::cmp::Ordering::Greater) {
                self.range_order(min.span, max.span, "min/max");
            }
        }
        self.rule_filters(column);
    }

    /// A pattern every dialect's regex engine takes: repetition counts
    /// within each engine's limits (`Dialect::regex_limits`).
    fn regex_limits(&mut self, pattern: &Spanned<String>) {
        let Some(worst) = Repetitions::of(pattern) else {
            return;
        };
        let mut over: Vec<(String, Vec<&str>)> = Vec::new();
        for dialect in crate::types::Dialect::ALL {
            let Some(limits) = dialect.regex_limits() else {
                continue;
            };
            let why = if worst.count > limits.count {
                format!("at most {} in one `{{m,n}}`", limits.count)
            } else if limits.nested.is_some_and(|n| worst.product > n) {
                format!(
                    "at most {} for nested repetitions multiplied",
                    limits.nested.unwrap_or_default()
                )
            } else {
                continue;
            };
            match over.iter_mut().find(|(w, _)| *w == why) {
                Some((_, names)) => names.push(dialect.name()),
                None => over.push((why, vec![dialect.name()])),
            }
        }
        if over.is_empty() {
            return;
        }
        let names: Vec<&str> = over.iter().flat_map(|(_, n)| n.iter().copied()).collect();
        let help: Vec<String> = over
            .iter()
            .map(|(why, names)| format!("{}: {why}", names.join(", ")))
            .collect();
        let (at, what) = if worst.count >= worst.product {
            (worst.count_at, format!("repeats {} times", worst.count))
        } else {
            (
                worst.product_at,
                format!("nested repetitions make {} in all", worst.product),
            )
        };
        self.out.push(
            Diagnostic::error(
                Code::RegexLimit,
                format!(
                    "this pattern is too large for the regex engine of {}",
                    names.join(", ")
                ),
            )
            .with_label(self.sub_span(pattern, at.0, at.1), what)
            .with_help(format!(
                "{}; the check query of the whole table would fail there, so repeat less (e.g. check the length with `length`)",
                help.join("; ")
            )),
        );
    }

    fn literal(
        &mut self,
        value: &Spanned<Scalar>,
        ty: LogicalType,
        rule: &str,
        column: &str,
    ) -> Option<Spanned<Literal>> {
        match coerce::coerce(value, ty) {
            Ok(lit) => Some(Spanned::new(lit, value.span)),
            Err(why) => {
                self.out.push(
                    Diagnostic::error(
                        Code::InvalidLiteral,
                        format!(
                            "this `{rule}` value does not fit `{column}`, {} column",
                            article(ty)
                        ),
                    )
                    .with_label(value.span, why),
                );
                None
            }
        }
    }

    fn range_order(&mut self, min: Span, max: Span, what: &str) {
        self.out.push(
            Diagnostic::error(
                Code::RangeOrder,
                format!("{what}: the minimum is greater than the maximum"),
            )
            .with_label(min, "minimum")
            .with_secondary(max, "maximum")
            .with_help("no value can satisfy both bounds; swap them or fix one"),
        );
    }

    fn reference(&mut self, rule: &Rule<crate::syntax::ast::ColumnRef>, column: &Column) {
        let Some(target) = &rule.value else { return };
        let Some(contract) = self.index.by_id.get(target.contract.as_str()) else {
            if self.index.scope == Scope::Selection {
                return;
            }
            let ids: Vec<&str> = self.index.by_id.keys().map(String::as_str).collect();
            let mut d = Diagnostic::error(
                Code::UnknownContract,
                format!("no contract `{}` is loaded", target.contract),
            )
            .with_label(target.span, "unknown contract");
            d = match suggest::closest(&target.contract, ids.iter().copied()) {
                Some(c) => d.with_help(format!("did you mean `{c}`?")),
                None => d.with_help("references name a contract id, then a column: `<contract>.<column>`; the contracts known are the files given and, in a project (a datapact.yaml here, or --config), its other contracts"),
            };
            self.out.push(d);
            return;
        };
        let columns = &contract.columns;
        let found = columns.iter().find(|(name, _)| *name == target.column);
        let Some((_, found)) = found else {
            let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
            let mut d = Diagnostic::error(
                Code::UnknownColumn,
                format!(
                    "contract `{}` has no column `{}`",
                    target.contract, target.column
                ),
            )
            .with_label(target.span, "unknown column");
            if let Some(c) = suggest::closest(&target.column, names.iter().copied()) {
                d = d.with_help(format!("did you mean `{}.{c}`?", target.contract));
            }
            self.out.push(d);
            return;
        };
        if let (Some(from), Some(to)) = (&column.ty, found) {
            if from.family() != to.family() {
                self.out.push(
                    Diagnostic::warning(
                        Code::ReferenceTypeMismatch,
                        format!(
                            "`{}` is {} but references a {} column",
                            column.name.as_ref().map_or("?", |n| n.as_str()),
                            from.value,
                            to
                        ),
                    )
                    .with_label(
                        target.span,
                        format!("`{}.{}` is {}", target.contract, target.column, to),
                    )
                    .with_secondary(from.span, "this type")
                    .with_help("values of different type families never match without a cast"),
                );
            }
        }
    }

    /// The `where` filters of a column's rules.
    fn rule_filters(&mut self, column: &Column) {
        let sites = lower::rule_sites(column);
        for rule in &sites {
            self.window_option(rule.options().window.as_ref());
        }
        let filters = sites
            .iter()
            .filter_map(|rule| rule.options().filter.as_ref());
        for filter in filters {
            self.sql_expression(filter, "this `where` filter");
        }
    }

    /// User SQL is one statement: nothing in it may end the statement (or a
    /// batch) and start another on any engine or client; false when
    /// something does (it is reported).
    /// `placeholders`: whether `{{ table }}` is filled in (a sql check).
    fn one_statement(
        &mut self,
        sql: &Spanned<String>,
        text: &str,
        context: &str,
        placeholders: bool,
    ) -> bool {
        let Some(hazard) = user_sql::hazard(text, placeholders) else {
            return true;
        };
        // `text` is `sql` or its beginning (a query without its trailing `;`).
        let span = if sql.as_str().starts_with(text) {
            self.char_span(sql, hazard.offset)
        } else {
            sql.span
        };
        self.out.push(
            Diagnostic::error(
                Code::MultipleStatements,
                format!("{context} holds {}", hazard.what.describe()),
            )
            .with_label(span, "here")
            .with_help(hazard.what.help()),
        );
        false
    }

    /// Parse a SQL boolean and check the columns it names.
    fn sql_expression(&mut self, sql: &Spanned<String>, context: &str) {
        if !self.one_statement(sql, sql, context, false) {
            // The parser would only stop at the same place.
            return;
        }
        for function in user_sql::aggregates(sql) {
            self.out.push(
                Diagnostic::error(
                    Code::AggregateInExpression,
                    format!("{context} calls `{function}`, which needs more than one row"),
                )
                .with_label(self.find_word(sql, &function), "an aggregate or window function")
                .with_help(
                    "an expression and a `where` are evaluated on each row; for a condition on the whole table, write a `sql` check returning the failing rows, e.g. `select 1 from {{ table }} having sum(amount) <= 0`",
                ),
            );
        }
        self.condition(sql, context);
        match user_sql::read_expression(sql) {
            Expression::Unparsed(why, at) => self.out.push(
                Diagnostic::warning(
                    Code::UnparsedSql,
                    format!(
                        "{context} could not be parsed as SQL, so its columns were not checked"
                    ),
                )
                .with_label(at.map_or(sql.span, |at| self.char_span(sql, at)), why)
                .with_help("if it is valid in your warehouse's dialect, this is only a warning"),
            ),
            Expression::Parsed(idents) => {
                if self.columns_declared().is_none() {
                    return;
                }
                let names = self.column_names();
                for ident in idents {
                    if names.iter().any(|c| user_sql::names(&ident, c)) {
                        continue;
                    }
                    let span = self.find_word(sql, &ident.name);
                    self.unknown_column(&ident.name, span, context);
                }
            }
        }
    }

    /// An expression or `where` must be a condition: true on good rows.
    fn condition(&mut self, sql: &Spanned<String>, context: &str) {
        let what = match user_sql::not_condition(sql) {
            None => return,
            Some(user_sql::NotCondition::Value(what)) => what.to_string(),
            Some(user_sql::NotCondition::Column(name)) => {
                let column = self.column(&name).or_else(|| {
                    self.columns_declared()?.iter().find(|c| {
                        c.name
                            .as_ref()
                            .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    })
                });
                let ty = column.and_then(|c| c.ty.as_ref());
                match ty {
                    Some(ty) if ty.value != LogicalType::Boolean => {
                        format!("the column `{name}` ({})", ty.value)
                    }
                    _ => return,
                }
            }
        };
        self.out.push(
            Diagnostic::error(
                Code::NotACondition,
                format!("{context} is {what}, not a condition"),
            )
            .with_label(sql.span, "a value, not true or false")
            .with_help("write a condition that holds on every good row, e.g. `amount > 0` or `status is not null`"),
        );
    }

    fn freshness(&mut self) {
        let Some(freshness) = &self.contract.freshness else {
            return;
        };
        if let (Some(warn), Some(error)) = (&freshness.warn_after, &freshness.error_after) {
            if warn.seconds() > error.seconds() {
                self.out.push(
                    Diagnostic::error(
                        Code::FreshnessOrder,
                        format!(
                            "warn_after ({}) is later than error_after ({})",
                            warn.value, error.value
                        ),
                    )
                    .with_label(warn.span, "warns only after")
                    .with_secondary(error.span, "it already fails here")
                    .with_help("warn_after must not exceed error_after"),
                );
            }
        }
        if let Some(filter) = &freshness.filter {
            self.sql_expression(filter, "the freshness `where` filter");
        }
        let Some(column) = &freshness.column else {
            return;
        };
        if self.columns_declared().is_none() {
            return;
        }
        match self.column(column) {
            None => self.unknown_column(column, column.span, "freshness"),
            Some(found) => {
                if let Some(ty) = &found.ty {
                    if ty.family() != TypeFamily::Temporal || ty.value == LogicalType::Time {
                        self.out.push(
                            Diagnostic::error(Code::FreshnessColumnType, format!("freshness column `{}` is {}, not a date or timestamp", column.value, ty.value))
                                .with_label(column.span, "not a date or timestamp")
                                .with_secondary(ty.span, "declared here")
                                .with_help("freshness needs a date, timestamp or timestamp_tz column recording when rows arrived"),
                        );
                    }
                }
            }
        }
    }

    /// The dataset's window: a declared date or timestamp column.
    fn window(&mut self) {
        let Some(window) = self
            .contract
            .dataset
            .as_ref()
            .and_then(|d| d.window.as_ref())
        else {
            return;
        };
        let Some(column) = &window.column else {
            return;
        };
        if self.columns_declared().is_none() {
            return;
        }
        match self.column(column) {
            None => self.unknown_column(column, column.span, "the window"),
            Some(found) => {
                if let Some(ty) = &found.ty {
                    if ty.family() != TypeFamily::Temporal || ty.value == LogicalType::Time {
                        self.out.push(
                            Diagnostic::error(
                                Code::WindowColumnType,
                                format!(
                                    "window column `{}` is {}, not a date or timestamp",
                                    column.value, ty.value
                                ),
                            )
                            .with_label(column.span, "not a date or timestamp")
                            .with_secondary(ty.span, "declared here")
                            .with_help("a window needs a date, timestamp or timestamp_tz column: when each row arrived or happened"),
                        );
                    }
                }
            }
        }
    }

    /// `window: true` on a rule of a dataset without a window.
    fn window_option(&mut self, window: Option<&Spanned<bool>>) {
        let Some(window) = window.filter(|w| w.value) else {
            return;
        };
        if self
            .contract
            .dataset
            .as_ref()
            .is_some_and(|d| d.window.is_some())
        {
            return;
        }
        self.out.push(
            Diagnostic::error(
                Code::NoWindow,
                "`window: true`, but the dataset has no window",
            )
            .with_label(window.span, "no window to see")
            .with_help("declare one on the dataset, e.g. `window: {column: loaded_at, last: 1d}`, or drop this key"),
        );
    }

    fn row_count(&mut self) {
        let Some(row_count) = &self.contract.row_count else {
            return;
        };
        self.window_option(row_count.window.as_ref());
        if let (Some(min), Some(max)) = (&row_count.min, &row_count.max) {
            if min.value > max.value {
                self.range_order(min.span, max.span, "row_count");
            }
        }
        if let Some(filter) = &row_count.filter {
            self.sql_expression(filter, "the row_count `where` filter");
        }
    }

    fn table_checks(&mut self) {
        for check in self.contract.checks.as_deref().unwrap_or_default() {
            self.table_check(check);
        }
    }

    fn table_check(&mut self, check: &TableCheck) {
        self.window_option(check.options.window.as_ref());
        if let Some(filter) = &check.options.filter {
            self.sql_expression(filter, "this `where` filter");
        }
        match &check.body {
            None => {}
            Some(CheckBody::Expression(sql)) => self.sql_expression(sql, "this expression"),
            Some(CheckBody::Unique(columns)) => {
                let checkable = self.columns_declared().is_some();
                let mut seen: Vec<&str> = Vec::new();
                for column in columns.iter() {
                    if seen.contains(&column.as_str()) {
                        self.out.push(
                            Diagnostic::error(
                                Code::InvalidValue,
                                format!("`{}` is listed twice", column.value),
                            )
                            .with_label(column.span, "listed again here"),
                        );
                    } else if checkable
                        && self.column(column).is_none()
                        && self.struct_field(column).is_none()
                    {
                        self.unknown_column(column, column.span, "this unique combination");
                    }
                    seen.push(column.as_str());
                }
            }
            Some(CheckBody::Sql(sql)) => {
                let query = user_sql::strip_trailing_semicolons(sql);
                self.one_statement(sql, &query, "this sql check", true);
                self.placeholders(sql);
            }
        }
    }

    fn placeholders(&mut self, sql: &Spanned<String>) {
        let mut rest = sql.as_str();
        let mut reads_table = false;
        let mut unknown = false;
        while let Some(start) = rest.find("{{") {
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else { break };
            let inner = after[..end].trim();
            if inner == "table" {
                reads_table = true;
            } else {
                unknown = true;
                let span = self.find_word(sql, &format!("{{{{{}}}}}", &after[..end]));
                let mut d = Diagnostic::error(
                    Code::UnknownPlaceholder,
                    format!("unknown placeholder `{{{{ {inner} }}}}`"),
                )
                .with_label(span, "not a placeholder datapact fills in");
                d = if suggest::closest(inner, ["table"]).is_some() {
                    d.with_help("did you mean `{{ table }}`?")
                } else {
                    d.with_help(
                        "the only placeholder is `{{ table }}`, the dataset's qualified name",
                    )
                };
                self.out.push(d);
            }
            rest = &after[end + 2..];
        }
        if !reads_table && !unknown {
            self.out.push(
                Diagnostic::warning(
                    Code::SqlWithoutTable,
                    "this sql check does not read `{{ table }}`",
                )
                .with_label(sql.span, "no `{{ table }}` here")
                .with_help(
                    "write `from {{ table }}` so the check follows the dataset when it moves",
                ),
            );
        }
    }

    /// Every check of the contract has a distinct, valid name.
    fn check_names(&mut self) {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        for (name, span, derived) in lower::check_names(self.contract) {
            if derived {
                // A nested rule's derived name writes its path (`a.b[]__min`).
                let plain: String = name.chars().filter(|c| !".[]".contains(*c)).collect();
                if let Err(why) = crate::syntax::ast::validate_check_name(&plain) {
                    self.out.push(
                        Diagnostic::error(
                            Code::InvalidCheckName,
                            format!("the derived check name `{name}` is invalid: {why}"),
                        )
                        .with_label(span, "this rule")
                        .with_help("give the rule a `name:` in its long form"),
                    );
                    continue;
                }
            }
            // `schema` and `<column>__schema` are the schema conformance
            // checks' names (`datapact run`, the SQL target's schema query).
            if name == crate::names::SCHEMA_CHECK || name.ends_with("__schema") {
                self.out.push(
                    Diagnostic::error(
                        Code::DuplicateCheckName,
                        format!("`{name}` is the name of a schema conformance check"),
                    )
                    .with_label(span, "this check")
                    .with_help("`schema` and `<column>__schema` name the checks of the table's schema; set another `name:`"),
                );
                continue;
            }
            match seen.get(&name) {
                Some(first) => self.out.push(
                    Diagnostic::error(
                        Code::DuplicateCheckName,
                        format!("two checks are named `{name}`"),
                    )
                    .with_label(span, "this check")
                    .with_secondary(*first, "has the same name as this one")
                    .with_help("check names are unique per contract; set `name:` on one of them"),
                ),
                None => {
                    seen.insert(name, span);
                }
            }
        }
    }
}

impl Validator<'_, '_> {
    /// The span of the first whole-word occurrence of `word` in `sql`'s
    /// text, or the whole value when there is none.
    fn find_word(&self, sql: &Spanned<String>, word: &str) -> Span {
        let value = sql.as_str();
        if word.is_empty() {
            return sql.span;
        }
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let mut from = 0;
        while let Some(pos) = value[from..].find(word).map(|p| p + from) {
            let before = value[..pos].chars().next_back();
            let after = value[pos + word.len()..].chars().next();
            if !before.is_some_and(is_word) && !after.is_some_and(is_word) {
                return self.sub_span(sql, pos, pos + word.len());
            }
            from = pos + word.len();
        }
        sql.span
    }

    /// The span of the character at byte `offset` of `sql`'s text.
    fn char_span(&self, sql: &Spanned<String>, offset: usize) -> Span {
        let len = sql[offset..].chars().next().map_or(0, char::len_utf8);
        self.sub_span(sql, offset, offset + len)
    }

    /// The span of bytes `start..end` of `value`'s text where it is written
    /// (through quotes, escapes, and the indentation and folded line breaks
    /// of a block), or the whole value when that cannot be told.
    fn sub_span(&self, value: &Spanned<String>, start: usize, end: usize) -> Span {
        let text = &self.sources.get(value.span.file).text;
        source::written_at(text, value.span, value, start, end).unwrap_or(value.span)
    }
}

/// The largest repetition count of a pattern, and the largest product of
/// nested counts, each with where it is written (byte offsets).
struct Repetitions {
    count: u32,
    count_at: (usize, usize),
    product: u32,
    product_at: (usize, usize),
}

impl Repetitions {
    /// `None` when the pattern does not parse (reported elsewhere) or has
    /// no counted repetition.
    fn of(pattern: &str) -> Option<Repetitions> {
        let ast = regex_syntax::ast::parse::Parser::new()
            .parse(pattern)
            .ok()?;
        let mut worst = Repetitions {
            count: 0,
            count_at: (0, 0),
            product: 0,
            product_at: (0, 0),
        };
        worst.walk(&ast, 1);
        (worst.count > 0).then_some(worst)
    }

    /// As RE2 counts: `{n,m}` weighs m, `{n,}` n; `*`, `+` and `?` nothing.
    fn walk(&mut self, ast: &regex_syntax::ast::Ast, outer: u32) {
        use regex_syntax::ast::{Ast, RepetitionKind, RepetitionRange};
        match ast {
            Ast::Repetition(rep) => {
                let count = match &rep.op.kind {
                    RepetitionKind::Range(
                        RepetitionRange::Exactly(n) | RepetitionRange::AtLeast(n),
                    ) => *n,
                    RepetitionKind::Range(RepetitionRange::Bounded(m, n)) => (*m).max(*n),
                    _ => 0,
                };
                let at = (rep.span.start.offset, rep.span.end.offset);
                if count > self.count {
                    (self.count, self.count_at) = (count, at);
                }
                let product = outer.saturating_mul(count.max(1));
                if count > 0 && product > self.product {
                    (self.product, self.product_at) = (product, at);
                }
                self.walk(&rep.ast, product);
            }
            Ast::Group(group) => self.walk(&group.ast, outer),
            Ast::Concat(concat) => concat.asts.iter().for_each(|a| self.walk(a, outer)),
            Ast::Alternation(alt) => alt.asts.iter().for_each(|a| self.walk(a, outer)),
            _ => {}
        }
    }
}

/// `a string`, `an integer`: the type with its indefinite article.
fn article(ty: LogicalType) -> String {
    let name = ty.to_string();
    let vowel = name.starts_with(['a', 'e', 'i', 'o', 'u']);
    // "uuid" is read "you-you-id".
    if vowel && !name.starts_with('u') {
        format!("an {name}")
    } else {
        format!("a {name}")
    }
}

/// A character as messages name it: `a line feed (U+000A)`.
fn describe_char(c: char) -> String {
    let what = match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => "a line break",
        '\t' => "a tab",
        c if crate::text::is_bidi_control(c) => "a bidirectional text control",
        c if c.is_control() => "a control character",
        _ => "an invisible direction mark",
    };
    format!("{what} ({})", crate::text::code_point(c))
}
