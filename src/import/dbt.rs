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
    for (id, node) in nodes {
        let kind = match str_of(node, "resource_type") {
            Some("model") => DbtKind::Model,
            Some("seed") => DbtKind::Seed,
            Some("snapshot") => DbtKind::Snapshot,
            _ => continue,
        };
        let Some(name) = str_of(node, "name") else {
            continue;
        };
        let location = Location {
            database: None,
            schema: str_of(node, "schema").map(str::to_string),
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
        drafts.insert(id.clone(), draft);
    }
    for (id, source) in sources {
        let (Some(source_name), Some(table)) =
            (str_of(source, "source_name"), str_of(source, "name"))
        else {
            continue;
        };
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
        let attached = str_of(test, "attached_node")
            .map(str::to_string)
            .or_else(|| {
                // Tests of sources name no attached node: the one source
                // they depend on.
                test.pointer("/depends_on/nodes")
                    .and_then(Value::as_array)
                    .and_then(|n| {
                        n.iter()
                            .filter_map(Value::as_str)
                            .find(|n| n.starts_with("source."))
                    })
                    .map(str::to_string)
            });
        let file = str_of(test, "original_file_path").unwrap_or(path);
        let place = format!("{file}: {}", str_of(test, "name").unwrap_or(id));
        let skip = |why: String| Skipped {
            place: place.clone(),
            span: None,
            what: why,
        };
        let Some(draft) = attached.as_ref().and_then(|a| drafts.get(a)) else {
            read.skipped.push(skip(format!(
                "test `{id}`, attached to no model, seed, snapshot or source"
            )));
            continue;
        };
        let target = test
            .pointer("/depends_on/nodes")
            .and_then(Value::as_array)
            .and_then(|nodes| {
                nodes
                    .iter()
                    .filter_map(Value::as_str)
                    .find(|n| Some(*n) != attached.as_deref())
            })
            .and_then(|n| drafts.get(n))
            .map(|d| d.dataset.location.clone());
        let _ = draft;
        let draft = drafts
            .get_mut(attached.as_deref().unwrap_or_default())
            .expect("found above");
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
    let mut tags: Vec<String> = node
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    tags.dedup();
    draft.dataset.tags = tags;
    let Some(columns) = node.get("columns").and_then(Value::as_object) else {
        return;
    };
    // In the order the manifest (and the YAML before it) lists them.
    for key in order {
        let Some(column) = columns.get(key) else {
            continue;
        };
        let name = str_of(column, "name").unwrap_or(key).to_string();
        let mut c = match str_of(column, "data_type") {
            Some(ty) => match super::types::column(&name, ty, dialect) {
                Ok(c) => c,
                Err(unknown) => {
                    draft.notes.columns.insert(
                        name.clone(),
                        format!("type `{unknown}` has no logical type: imported as string, its physical type kept"),
                    );
                    super::unknown_type(&name, ty, dialect)
                }
            },
            None => {
                draft.notes.columns.insert(
                    name.clone(),
                    "no data_type in the manifest: the type is a guess, set it".into(),
                );
                let mut c = super::types::plain(LogicalType::String);
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
            let mut c = super::types::plain(LogicalType::Timestamp);
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
            let values = values
                .iter()
                .map(literal)
                .collect::<Option<Vec<_>>>()
                .ok_or("values that are not scalars")?;
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
            draft.table_rule(&name, CheckKind::UniqueCombination { columns }, note);
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
            draft.table_rule(&name, CheckKind::Expression { sql }, note);
            return Ok(());
        }
        "dbt_utils.accepted_range" | "dbt_expectations.expect_column_values_to_be_between" => {
            let column = need_column()?;
            let exclusive = kwargs.get("inclusive") == Some(&Value::Bool(false))
                || kwargs.get("strictly") == Some(&Value::Bool(true));
            if exclusive {
                return Err("an exclusive range (min and max are inclusive)".into());
            }
            let min = arg("min_value").and_then(literal);
            let max = arg("max_value").and_then(literal);
            if min.is_none() && max.is_none() {
                return Err("no bounds".into());
            }
            if let Some(value) = min {
                draft.rule(&column, CheckKind::Min { value }, note.clone());
            }
            if let Some(value) = max {
                draft.rule(&column, CheckKind::Max { value }, note.clone());
            }
            options(draft, test, &column, &["min", "max"]);
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
                .ok_or("a regex that may match part of a value (a pattern matches all of it): anchor it with ^…$")?;
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
            draft.table_rule("row_count", CheckKind::RowCount { min, max }, note);
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
    options(draft, test, &column_name, &[rule]);
    Ok(())
}

/// A test's `severity: warn` and `where` on the rules it became.
fn options(draft: &mut Draft, test: &Value, column: &str, rules: &[&str]) {
    let warn = test
        .pointer("/config/severity")
        .and_then(Value::as_str)
        .is_some_and(|s| s.eq_ignore_ascii_case("warn"));
    let filter = test
        .pointer("/config/where")
        .and_then(Value::as_str)
        .map(str::to_string);
    for rule in rules {
        let name = crate::names::derived_name(column, rule);
        if let Some(check) = draft.dataset.checks.iter_mut().find(|c| c.name == name) {
            if warn {
                check.severity = Severity::Warn;
            }
            if filter.is_some() {
                check.filter = filter.clone();
            }
        }
    }
}
