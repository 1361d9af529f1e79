//! Drafts from a dbt manifest (`target/manifest.json`): one per model,
//! seed, snapshot and source table, with its description, owner (`meta`
//! `owner`, or its group's owner), tags, columns (`data_type` read in the
//! adapter's dialect), `dataset.dbt` bound to the node, source freshness,
//! model-contract constraints, and the tests whose meaning a rule has:
//! `not_null`, `unique`, `accepted_values`, `relationships`,
//! `dbt_utils.unique_combination_of_columns`, `expression_is_true`,
//! `accepted_range` and the `dbt_expectations` tests of the same meaning.
//! Every other test is a [`Skipped`] naming the test and its file.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Draft, ForeignKey, Skipped};
use crate::ir::{CheckKind, DbtNode, Location, Owner};
use crate::literal::Literal;
use crate::types::{DbtKind, Dialect, Duration, LogicalType, Role, Severity};

#[derive(Debug, Default)]
pub struct Read {
    pub drafts: Vec<Draft>,
    pub skipped: Vec<Skipped>,
    /// Tests read, and how many became rules.
    pub tests: usize,
    pub rules: usize,
}

fn str_of<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

/// The dialect of the manifest's adapter.
fn dialect(manifest: &Value) -> Dialect {
    let adapter = manifest
        .pointer("/metadata/adapter_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match adapter {
        "spark" | "databricks" => Dialect::Databricks,
        "sqlserver" | "fabric" => Dialect::Sqlserver,
        other => Dialect::from_name(other).unwrap_or(Dialect::Postgres),
    }
}

/// The keys of a JSON object in the order written (a `Value`'s object
/// sorts them; dbt writes columns in the order the YAML lists them).
#[derive(Default)]
struct Keys(Vec<String>);

impl<'de> serde::Deserialize<'de> for Keys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Keys, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Keys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys, A::Error> {
                let mut keys = Vec::new();
                while let Some((key, _)) = map.next_entry::<String, serde::de::IgnoredAny>()? {
                    keys.push(key);
                }
                Ok(Keys(keys))
            }
        }
        deserializer.deserialize_map(Visitor)
    }
}

#[derive(serde::Deserialize, Default)]
struct ColumnOrder {
    #[serde(default)]
    columns: Option<Keys>,
}

#[derive(serde::Deserialize)]
struct Orders {
    #[serde(default)]
    nodes: BTreeMap<String, ColumnOrder>,
    #[serde(default)]
    sources: BTreeMap<String, ColumnOrder>,
}

/// Read the manifest `text` (`path` as shown in notes).
pub fn read(path: &str, text: &str) -> Result<Read, String> {
    let manifest: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let orders: Orders = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let order_of = |id: &str| -> Vec<String> {
        orders
            .nodes
            .get(id)
            .or_else(|| orders.sources.get(id))
            .and_then(|o| o.columns.as_ref())
            .map(|k| k.0.clone())
            .unwrap_or_default()
    };
    let (Some(nodes), Some(sources)) = (
        manifest.get("nodes").and_then(Value::as_object),
        manifest.get("sources").and_then(Value::as_object),
    ) else {
        return Err("it has no `nodes` and `sources`".into());
    };
    let dialect = dialect(&manifest);
    let groups = manifest.get("groups").and_then(Value::as_object);
    let mut read = Read::default();
    // Drafts by unique id, so tests find the node they test.
    let mut drafts: BTreeMap<String, Draft> = BTreeMap::new();
    let project = manifest
        .pointer("/metadata/project_name")
        .and_then(Value::as_str);
    // The root project's nodes first, so a package's node of the same name
    // is the one left out.
    let mut ordered: Vec<(&String, &Value)> = nodes.iter().collect();
    ordered.sort_by_key(|(id, n)| (str_of(n, "package_name") != project, *id));
    let mut bound: BTreeMap<String, String> = BTreeMap::new();
    for (id, node) in ordered {
        let kind = match str_of(node, "resource_type") {
            Some("model") => DbtKind::Model,
            Some("seed") => DbtKind::Seed,
            Some("snapshot") => DbtKind::Snapshot,
            _ => continue,
        };
        let Some(name) = str_of(node, "name") else {
            continue;
        };
        let skip = |what: String| Skipped {
            place: format!("{path}: {id}"),
            span: None,
            what,
        };
        // A versioned model: its latest version is the one a contract binds.
        let version = node.get("version").filter(|v| !v.is_null());
        let latest = node.get("latest_version").filter(|v| !v.is_null());
        if let (Some(v), Some(latest)) = (version, latest) {
            if v != latest {
                read.skipped.push(skip(format!(
                    "version {v} of model `{name}`: a contract binds its latest version, {latest}"
                )));
                continue;
            }
        }
        if node.pointer("/config/materialized").and_then(Value::as_str) == Some("ephemeral") {
            read.skipped.push(skip(format!(
                "the ephemeral model `{name}`: no table to check"
            )));
            continue;
        }
        if let Some(other) = bound.get(name) {
            read.skipped.push(skip(format!(
                "`{id}`, named like `{other}`: a contract binds a node by its name"
            )));
            continue;
        }
        bound.insert(name.to_string(), id.clone());
        // dbt builds the node in its target's schema: whoever ran dbt's.
        let location = Location {
            database: None,
            schema: None,
            name: str_of(node, "alias").unwrap_or(name).to_string(),
        };
        let what = match kind {
            DbtKind::Model => "model",
            DbtKind::Seed => "seed",
            _ => "snapshot",
        };
        let mut draft = Draft::new(location, &format!("from dbt {what} `{name}` of {path}"));
        draft.id = Some(crate::names::identifier(name, "model"));
        draft.dataset.dbt = Some(DbtNode {
            kind,
            name: name.to_string(),
        });
        describe(&mut draft, node, &order_of(id), dialect, groups);
        if let Some(schema) = str_of(node, "schema") {
            draft.notes.header.push(format!(
                "dbt built it in the schema of the target it was parsed for (`{schema}`): \
                 set `dataset.schema` for the SQL checks and `run`"
            ));
        }
        drafts.insert(id.clone(), draft);
    }
    for (id, source) in sources {
        let (Some(source_name), Some(table)) =
            (str_of(source, "source_name"), str_of(source, "name"))
        else {
            continue;
        };
        // The dataset's name is the source table's: `dataset.dbt` binds
        // `source('<source>', '<name>')` by it.
        let location = Location {
            database: None,
            schema: str_of(source, "schema").map(str::to_string),
            name: table.to_string(),
        };
        let mut draft = Draft::new(
            location,
            &format!("from dbt source `{source_name}.{table}` of {path}"),
        );
        draft.id = Some(format!(
            "{}.{}",
            crate::names::identifier(source_name, "source"),
            crate::names::identifier(table, "table")
        ));
        draft.dataset.dbt = Some(DbtNode {
            kind: DbtKind::Source,
            name: source_name.to_string(),
        });
        describe(&mut draft, source, &order_of(id), dialect, groups);
        if draft.dataset.description.is_none() {
            draft.dataset.description = str_of(source, "source_description").map(str::to_string);
        }
        if let Some(identifier) = str_of(source, "identifier").filter(|i| *i != table) {
            draft.notes.header.push(format!(
                "dbt reads this source from `{identifier}` (its identifier); the SQL checks and \
                 `run` read `{table}`: point them at it with a view or a connection's schema"
            ));
        }
        freshness(&mut draft, source);
        drafts.insert(id.clone(), draft);
    }
    // Tests, in the manifest's order of unique ids.
    let mut tests: Vec<(&String, &Value)> = nodes
        .iter()
        .filter(|(_, n)| str_of(n, "resource_type") == Some("test"))
        .collect();
    tests.sort_by_key(|(id, _)| *id);
    for (id, test) in tests {
        read.tests += 1;
        // The node tested: the one `kwargs.model` names (a source test's
        // `attached_node` is empty), else `attached_node`.
        let kwargs = test.pointer("/test_metadata/kwargs");
        let attached = kwargs
            .and_then(|k| str_of(k, "model"))
            .and_then(|m| node_named(m, nodes, sources))
            .or_else(|| str_of(test, "attached_node").map(str::to_string));
        let file = str_of(test, "original_file_path").unwrap_or(path);
        let place = format!("{file}: {}", str_of(test, "name").unwrap_or(id));
        let skip = |why: String| Skipped {
            place: place.clone(),
            span: None,
            what: why,
        };
        let target = kwargs
            .and_then(|k| str_of(k, "to"))
            .and_then(|to| node_named(to, nodes, sources))
            .and_then(|n| drafts.get(&n))
            .map(|d| d.dataset.location.clone());
        let Some(draft) = attached.as_ref().and_then(|a| drafts.get_mut(a)) else {
            read.skipped.push(skip(format!(
                "test `{id}`, attached to no model, seed, snapshot or source"
            )));
            continue;
        };
        match test_rule(draft, test, target) {
            Ok(()) => read.rules += 1,
            Err(why) => {
                draft
                    .notes
                    .header
                    .push(format!("not imported: {place} ({why})"));
                read.skipped.push(skip(why));
            }
        }
    }
    read.drafts = drafts.into_values().collect();
    Ok(read)
}

/// The unique id of the node `ref('name')` or `source('source', 'table')`
/// (inside `{{ get_where_subquery(…) }}` or not) names.
fn node_named(
    text: &str,
    nodes: &serde_json::Map<String, Value>,
    sources: &serde_json::Map<String, Value>,
) -> Option<String> {
    let args = |call: &str| -> Option<Vec<String>> {
        let at = text.find(&format!("{call}("))?;
        let rest = &text[at + call.len() + 1..];
        let inner = &rest[..rest.find(')')?];
        Some(
            inner
                .split(',')
                .map(|a| a.trim().trim_matches(['\'', '"']).to_string())
                .filter(|a| !a.is_empty() && !a.contains('='))
                .collect(),
        )
    };
    if let Some(args) = args("source") {
        let [source, table] = args.as_slice() else {
            return None;
        };
        return sources
            .iter()
            .find(|(_, s)| {
                str_of(s, "source_name") == Some(source) && str_of(s, "name") == Some(table)
            })
            .map(|(id, _)| id.clone());
    }
    let args = args("ref")?;
    // `ref('name')` or `ref('package', 'name')`.
    let name = args.last()?;
    nodes
        .iter()
        .filter(|(_, n)| {
            matches!(
                str_of(n, "resource_type"),
                Some("model" | "seed" | "snapshot")
            ) && str_of(n, "name") == Some(name)
        })
        .max_by_key(|(_, n)| n.get("version") == n.get("latest_version"))
        .map(|(id, _)| id.clone())
}

/// Description, owner, tags and columns of a node or source.
fn describe(
    draft: &mut Draft,
    node: &Value,
    order: &[String],
    dialect: Dialect,
    groups: Option<&serde_json::Map<String, Value>>,
) {
    draft.dataset.description = str_of(node, "description").map(str::to_string);
    let meta = node
        .get("meta")
        .filter(|m| m.as_object().is_some_and(|m| !m.is_empty()))
        .or_else(|| node.pointer("/config/meta"));
    let owner = meta.and_then(|m| m.get("owner"));
    let group_owner = str_of(node, "group")
        .and_then(|g| groups?.values().find(|v| str_of(v, "name") == Some(g)))
        .and_then(|g| g.get("owner"));
    for owner in [owner, group_owner].into_iter().flatten() {
        let (name, email) = match owner {
            Value::String(s) if s.contains('@') => (s.clone(), Some(s.clone())),
            Value::String(s) => (s.clone(), None),
            Value::Object(_) => {
                let email = str_of(owner, "email").map(str::to_string);
                match (str_of(owner, "name"), &email) {
                    (Some(n), _) => (n.to_string(), email),
                    (None, Some(e)) => (e.clone(), email),
                    (None, None) => continue,
                }
            }
            _ => continue,
        };
        if !draft.dataset.owners.iter().any(|o| o.name == name) {
            draft.dataset.owners.push(Owner {
                name,
                email,
                role: Role::Producer,
            });
        }
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in node
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        if !tags.iter().any(|t| t == tag) {
            tags.push(tag.to_string());
        }
    }
    draft.dataset.tags = tags;
    let Some(columns) = node.get("columns").and_then(Value::as_object) else {
        return;
    };
    // Without a type in the manifest, a column is a string to set: said
    // once when no column has one.
    let untyped = order
        .iter()
        .filter_map(|k| columns.get(k))
        .all(|c| str_of(c, "data_type").is_none());
    if untyped && !order.is_empty() {
        draft.notes.header.push(
            "no column has a data_type in the manifest: each is a string here; set their types"
                .into(),
        );
    }
    // In the order the manifest (and the YAML before it) lists them.
    for key in order {
        let Some(column) = columns.get(key) else {
            continue;
        };
        let name = str_of(column, "name").unwrap_or(key).to_string();
        let mut c = match str_of(column, "data_type") {
            Some(ty) => match super::types::column(&name, ty, dialect) {
                Ok(c) => c,
                Err(_) => {
                    draft.notes.columns.insert(
                        name.clone(),
                        format!("type `{ty}` has no logical type: imported as string"),
                    );
                    super::unknown_type(&name, ty, dialect)
                }
            },
            None => {
                if !untyped {
                    draft.notes.columns.insert(
                        name.clone(),
                        "no data_type in the manifest: the type is a guess, set it".into(),
                    );
                }
                let mut c = crate::ir::Column::of(LogicalType::String);
                c.name = name.clone();
                c
            }
        };
        c.description = str_of(column, "description").map(str::to_string);
        c.tags = column
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        draft.dataset.columns.push(c);
        // Model contracts' column constraints.
        for constraint in column
            .get("constraints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            match str_of(constraint, "type") {
                Some("not_null") => {
                    draft.rule(
                        &name,
                        CheckKind::Required,
                        Some("model contract constraint".into()),
                    );
                }
                Some("unique") => {
                    draft.rule(
                        &name,
                        CheckKind::Unique,
                        Some("model contract constraint".into()),
                    );
                }
                Some("primary_key") => draft.key(std::slice::from_ref(&name), true, None),
                _ => {}
            }
        }
    }
}

/// A source's freshness: `loaded_at_field` with `warn_after` and
/// `error_after`.
fn freshness(draft: &mut Draft, source: &Value) {
    let Some(column) = str_of(source, "loaded_at_field") else {
        return;
    };
    // An expression (`convert_timezone('UTC', _loaded)`) is no column.
    if !column.chars().all(|c| c.is_alphanumeric() || c == '_') {
        draft.notes.header.push(format!(
            "not imported: source freshness on `{column}`, an expression: freshness reads a column"
        ));
        return;
    }
    let after = |key: &str| -> Option<Duration> {
        let spec = source.pointer(&format!("/freshness/{key}"))?;
        let count = spec.get("count").and_then(Value::as_u64)?;
        let unit = match str_of(spec, "period")? {
            "minute" => "m",
            "hour" => "h",
            "day" => "d",
            _ => return None,
        };
        Duration::parse(&format!("{count}{unit}")).ok()
    };
    let (warn_after, error_after) = (after("warn_after"), after("error_after"));
    if warn_after.is_none() && error_after.is_none() {
        return;
    }
    let name = match draft.column_name(column) {
        Some(name) => name,
        None => {
            let mut c = crate::ir::Column::of(LogicalType::Timestamp);
            c.name = column.to_string();
            draft.notes.columns.insert(
                column.to_string(),
                "the source's loaded_at_field, not among its columns: the type is a guess, set it"
                    .into(),
            );
            draft.dataset.columns.push(c);
            column.to_string()
        }
    };
    draft.table_rule(
        "freshness",
        CheckKind::Freshness {
            column: name,
            warn_after,
            error_after,
        },
        Some("source freshness".into()),
    );
}

/// A literal of a test argument.
fn literal(v: &Value) -> Option<Literal> {
    match v {
        Value::String(s) => Some(Literal::String(s.clone())),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some(Literal::Number(n.to_string())),
        Value::Number(n) => Some(Literal::Float(n.to_string())),
        Value::Bool(b) => Some(Literal::Boolean(*b)),
        _ => None,
    }
}

/// The rule a test means, added to `draft`; `Err` says why it is not one.
fn test_rule(draft: &mut Draft, test: &Value, target: Option<Location>) -> Result<(), String> {
    let meta = test
        .get("test_metadata")
        .ok_or("a singular test (its own SQL file)")?;
    let name = str_of(meta, "name").unwrap_or_default();
    let namespace = str_of(meta, "namespace");
    let kwargs = meta.get("kwargs").cloned().unwrap_or(Value::Null);
    let column = str_of(test, "column_name")
        .or_else(|| str_of(&kwargs, "column_name"))
        .map(|c| c.trim_matches('"').to_string());
    let arg = |key: &str| kwargs.get(key).filter(|v| !v.is_null());
    let full = match namespace {
        Some(ns) => format!("{ns}.{name}"),
        None => name.to_string(),
    };
    let need_column = || -> Result<String, String> {
        let c = column.clone().ok_or("a column test without a column")?;
        draft
            .column_name(&c)
            .ok_or_else(|| format!("its column `{c}` is not among the node's documented columns"))
    };
    let note = Some(format!("dbt test {full}"));
    let (column_name, kind) = match full.as_str() {
        "not_null" | "dbt_expectations.expect_column_values_to_not_be_null" => {
            (Some(need_column()?), CheckKind::Required)
        }
        "unique" | "dbt_expectations.expect_column_values_to_be_unique" => {
            (Some(need_column()?), CheckKind::Unique)
        }
        "accepted_values" | "dbt_expectations.expect_column_values_to_be_in_set" => {
            let values = arg("values")
                .or_else(|| arg("value_set"))
                .and_then(Value::as_array)
                .ok_or("no values")?;
            // `quote: false`: the values are SQL.
            let sql = kwargs.get("quote") == Some(&Value::Bool(false));
            let values = values
                .iter()
                .map(|v| match (sql, v) {
                    (true, _) => sql_literal(v).ok(),
                    (false, _) => literal(v),
                })
                .collect::<Option<Vec<_>>>()
                .ok_or("values that are not literals")?;
            if values.is_empty() {
                return Err("no values".into());
            }
            (Some(need_column()?), CheckKind::AcceptedValues { values })
        }
        "relationships" => {
            let column = need_column()?;
            let field = str_of(&kwargs, "field")
                .ok_or("no field")?
                .trim_matches('"');
            let target = target
                .ok_or("its `to` is not a model, seed, snapshot or source of the manifest")?;
            draft.foreign_keys.push(ForeignKey {
                columns: vec![column],
                schema: target.schema,
                table: target.name,
                referred: vec![field.to_string()],
                what: Some("dbt test relationships".into()),
            });
            return Ok(());
        }
        "dbt_utils.unique_combination_of_columns" => {
            let columns: Vec<String> = arg("combination_of_columns")
                .and_then(Value::as_array)
                .ok_or("no combination_of_columns")?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            let columns = columns
                .iter()
                .map(|c| {
                    draft
                        .column_name(c)
                        .ok_or_else(|| format!("its column `{c}` is not documented"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let name = format!("unique_{}", columns.join("_"));
            let added = draft.table_rule(&name, CheckKind::UniqueCombination { columns }, note);
            configure(draft, test, added);
            return Ok(());
        }
        "dbt_utils.expression_is_true" => {
            let expression = str_of(&kwargs, "expression").ok_or("no expression")?;
            let sql = match &column {
                Some(c) => format!("{c} {expression}"),
                None => expression.to_string(),
            };
            let name = match &column {
                Some(c) => format!("{c}_expression"),
                None => "expression".to_string(),
            };
            let added = draft.table_rule(&name, CheckKind::Expression { sql }, note);
            configure(draft, test, added);
            return Ok(());
        }
        "dbt_utils.accepted_range" | "dbt_expectations.expect_column_values_to_be_between" => {
            let column = need_column()?;
            let exclusive = kwargs.get("inclusive") == Some(&Value::Bool(false))
                || kwargs.get("strictly") == Some(&Value::Bool(true));
            if exclusive {
                return Err("an exclusive range (min and max are inclusive)".into());
            }
            // dbt writes the bounds into the SQL as they are.
            let min = arg("min_value").map(sql_literal).transpose()?;
            let max = arg("max_value").map(sql_literal).transpose()?;
            if min.is_none() && max.is_none() {
                return Err("no bounds".into());
            }
            let mut added = Vec::new();
            for (rule, bound) in [("min", min), ("max", max)] {
                let Some(value) = bound else { continue };
                let kind = match rule {
                    "min" => CheckKind::Min { value },
                    _ => CheckKind::Max { value },
                };
                if draft.rule(&column, kind, note.clone()) {
                    added.push(crate::names::derived_name(&column, rule));
                }
            }
            for name in added {
                configure(draft, test, Some(name));
            }
            return Ok(());
        }
        "dbt_expectations.expect_column_value_lengths_to_be_between" => {
            let min = arg("min_value").and_then(Value::as_u64);
            let max = arg("max_value").and_then(Value::as_u64);
            if min.is_none() && max.is_none() {
                return Err("no bounds".into());
            }
            (Some(need_column()?), CheckKind::Length { min, max })
        }
        "dbt_expectations.expect_column_values_to_match_regex" => {
            let regex = str_of(&kwargs, "regex").ok_or("no regex")?;
            // dbt_expectations searches; a pattern matches the whole value.
            let whole = regex
                .strip_prefix('^')
                .and_then(|r| r.strip_suffix('$'))
                .filter(|r| !r.contains('|'))
                .ok_or("a regex that may match part of a value (a pattern matches all of it): anchor it with ^…$, without a top-level |")?;
            (
                Some(need_column()?),
                CheckKind::Pattern {
                    regex: whole.to_string(),
                },
            )
        }
        "dbt_expectations.expect_table_row_count_to_be_between" => {
            let min = arg("min_value").and_then(Value::as_u64);
            let max = arg("max_value").and_then(Value::as_u64);
            if min.is_none() && max.is_none() {
                return Err("no bounds".into());
            }
            let added = draft.table_rule("row_count", CheckKind::RowCount { min, max }, note);
            configure(draft, test, added);
            return Ok(());
        }
        _ if name.starts_with("datapact_") => {
            return Err(format!(
                "`{full}` is a test datapact writes from a contract: the contract is its source"
            ));
        }
        _ => return Err(format!("`{full}` has no rule of the same meaning")),
    };
    let column_name = column_name.expect("column tests have a column");
    let rule = kind.rule();
    if !draft.rule(&column_name, kind, note) {
        return Err(format!("a second `{rule}` on `{column_name}`"));
    }
    configure(
        draft,
        test,
        Some(crate::names::derived_name(&column_name, rule)),
    );
    Ok(())
}

/// A test argument dbt writes into SQL as it is: a number, or a quoted
/// string (`'2020-01-01'`).
fn sql_literal(v: &Value) -> Result<Literal, String> {
    match v {
        Value::Number(_) => literal(v).ok_or_else(|| "a bound that is not a literal".into()),
        Value::String(s) => {
            let s = s.trim();
            if let Some(text) = s.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')) {
                return Ok(Literal::String(text.replace("''", "'")));
            }
            let digits = s.strip_prefix('-').unwrap_or(s);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Ok(Literal::Number(s.to_string()));
            }
            Err(format!("`{s}`, a SQL expression, as a bound"))
        }
        _ => Err("a bound that is not a literal".into()),
    }
}

/// A test's `severity: warn` and `where` (and a dbt_expectations
/// `row_condition`) on the check `name` it became.
fn configure(draft: &mut Draft, test: &Value, name: Option<String>) {
    let Some(name) = name else {
        return;
    };
    let warn = test
        .pointer("/config/severity")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("warn"));
    let filters: Vec<String> = [
        test.pointer("/config/where"),
        test.pointer("/test_metadata/kwargs/row_condition"),
    ]
    .into_iter()
    .flatten()
    .filter_map(Value::as_str)
    .map(|f| format!("({f})"))
    .collect();
    if let Some(check) = draft.dataset.checks.iter_mut().find(|c| c.name == name) {
        if warn {
            check.severity = Severity::Warn;
        }
        if !filters.is_empty() {
            check.filter = Some(filters.join(" and "));
        }
    }
}
