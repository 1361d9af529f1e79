//! The Open Data Contract Standard (ODCS v3, Bitol) as native contracts:
//! one per object of `schema`. The mapping is documented in
//! docs/standards.md; what has no native form is a `not-compiled` warning.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span, Spanned};
use crate::types::{DbtKind, Dialect};
use crate::types::{LogicalType, MAX_NESTING, Objective, Role};

use super::ast::{self, CheckBody, ColumnRef, Contract, Nested, Part, RuleOptions};
use super::decode::Cx;
use super::foreign::{self, Action, Inside, Obj, Placed, Reader};
use super::yaml::{Node, NodeKind, Scalar};

/// Top-level keys that are metadata only.
const METADATA: &[&str] = &[
    "kind",
    "status",
    "tenant",
    "dataProduct",
    "domain",
    "price",
    "roles",
    "support",
    "authoritativeDefinitions",
    "contractCreatedTs",
    "customProperties",
    "context",
];
const OBJECT_METADATA: &[&str] = &[
    "id",
    "businessName",
    "dataGranularityDescription",
    "authoritativeDefinitions",
    "synonyms",
    "context",
    "logicalType",
    "deprecated",
];
const PROPERTY_METADATA: &[&str] = &[
    "id",
    "businessName",
    "primaryKeyPosition",
    "partitioned",
    "partitionKeyPosition",
    "criticalDataElement",
    "encryptedName",
    "transformSourceObjects",
    "transformLogic",
    "transformDescription",
    "examples",
    "authoritativeDefinitions",
    "synonyms",
    "customProperties",
];

/// Is this document ODCS? (`apiVersion` and `kind: DataContract`.)
pub fn detect(root: &Obj) -> bool {
    root.key_span("apiVersion").is_some() && root.key_span("kind").is_some()
}

/// What a relationship or SLA element can point at: an object of the file.
struct Target {
    contract: String,
    /// Property name → column name (physical).
    columns: BTreeMap<String, String>,
}

pub fn read(file: FileId, path: &str, node: &Node, cx: Cx) -> (Vec<Contract>, Vec<Diagnostic>) {
    let mut r = Reader {
        cx,
        file,
        format: "ODCS",
        columns: BTreeMap::new(),
    };
    let Some(root) = Obj::new(node) else {
        return (Vec::new(), r.cx.diagnostics);
    };
    root.skip(METADATA);
    // The version of the standard.
    if let Some(api) = root.text("apiVersion") {
        let v = api.trim_start_matches('v');
        if !v.starts_with("3.") {
            r.cx.push(
                Diagnostic::error(
                    Code::UnsupportedVersion,
                    format!("ODCS `apiVersion: {}` is not supported", api.value),
                )
                .with_label(api.span, "datapact reads ODCS v3")
                .with_help("ODCS v2 has another structure; upgrade the contract to v3.0 or later"),
            );
            return (Vec::new(), r.cx.diagnostics);
        }
    }
    if let Some(kind) = root.text("kind").filter(|k| k.as_str() != "DataContract") {
        r.cx.push(
            Diagnostic::error(
                Code::UnsupportedVersion,
                format!("ODCS `kind: {}` is not a data contract", kind.value),
            )
            .with_label(kind.span, "expected `DataContract`"),
        );
        return (Vec::new(), r.cx.diagnostics);
    }
    let version = root
        .get("version")
        .and_then(|n| super::ast::version(&mut r.cx, n));
    let _ = root.get("id");
    let name = root.text("name");
    let description = description(&root);
    let owners = team(&mut r, &root);
    let servers: Vec<Obj> = root.list("servers").iter().filter_map(Obj::new).collect();
    let server = foreign::server(&mut r, &servers);
    let tags: Vec<Spanned<String>> = strings(root.list("tags"));
    let prefix = foreign::file_prefix(path);

    let objects: Vec<Obj> = root.list("schema").iter().filter_map(Obj::new).collect();
    if root.key_span("schema").is_none() || objects.is_empty() {
        r.not_compiled(
            root.key_span("schema").unwrap_or(node.span),
            "this ODCS contract describes no object (`schema` is missing or empty)",
            "nothing is compiled from it; add the tables under `schema`",
        );
    }
    // Every object's native id and columns, for relationships and SLAs.
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for obj in &objects {
        let Some(name) = obj.text("name") else {
            continue;
        };
        let id = override_id(&mut r, obj).unwrap_or_else(|| foreign::contract_id(&prefix, &name));
        let columns = obj
            .list("properties")
            .iter()
            .filter_map(Obj::new)
            .filter_map(|p| {
                let name = p.text("name")?.value;
                let column = p
                    .text("physicalName")
                    .map_or_else(|| name.clone(), |c| c.value);
                Some((name, column))
            })
            .collect();
        targets.insert(
            name.value.clone(),
            Target {
                contract: id,
                columns,
            },
        );
    }

    let mut contracts = Vec::new();
    for obj in &objects {
        if let Some(c) = object(&mut r, obj, &prefix, &server, &targets) {
            let mut c = c;
            c.version = version.clone();
            c.title = c.title.or_else(|| name.clone());
            c.description = match (c.description.take(), &description) {
                (Some(own), _) => Some(own),
                (None, Some(d)) => Some(d.clone()),
                (None, None) => None,
            };
            c.owners = Some(owners.clone());
            c.owners_key = root.key_span("team");
            let mut all_tags = tags.clone();
            all_tags.extend(c.tags.take().unwrap_or_default());
            c.tags = (!all_tags.is_empty()).then_some(all_tags);
            contracts.push(c);
        }
    }
    sla(&mut r, &root, &objects, &mut contracts, &targets);
    r.unread(&root, "the contract");
    (contracts, r.cx.diagnostics)
}

fn strings(items: &[Node]) -> Vec<Spanned<String>> {
    items
        .iter()
        .filter_map(|n| foreign::scalar_text(n).map(|s| Spanned::new(s, n.span)))
        .filter(|s| !s.trim().is_empty())
        .collect()
}

/// `customProperties: [{property: datapactContract, value: shop.orders}]`
/// names the native contract.
fn override_id(r: &mut Reader, obj: &Obj) -> Option<String> {
    foreign::custom_contract_id(r, custom_value(obj, "datapactContract"))
}

fn custom_property(obj: &Obj, name: &str) -> Option<String> {
    custom_value(obj, name).and_then(foreign::scalar_text)
}

/// The value of a custom property, whatever its shape.
fn custom_value<'a>(obj: &Obj<'a>, name: &str) -> Option<&'a Node> {
    obj.list("customProperties")
        .iter()
        .filter_map(Obj::new)
        .find(|p| p.text("property").is_some_and(|p| p.as_str() == name))
        .and_then(|p| p.get("value"))
}

/// `description: {purpose, usage, limitations}` as paragraphs.
fn description(root: &Obj) -> Option<Spanned<String>> {
    let node = root.get("description")?;
    if let Some(text) = foreign::scalar_text(node) {
        return Some(Spanned::new(text, node.span));
    }
    let d = Obj::new(node)?;
    d.skip(&["authoritativeDefinitions", "customProperties"]);
    let parts: Vec<String> = [
        ("purpose", ""),
        ("usage", "Usage: "),
        ("limitations", "Limitations: "),
    ]
    .into_iter()
    .filter_map(|(key, label)| d.text(key).map(|t| format!("{label}{}", t.value.trim())))
    .collect();
    (!parts.is_empty()).then(|| Spanned::new(parts.join("\n\n"), node.span))
}

/// Owners from `team`: a list of members (v3.0) or `{name, members}` (v3.1+).
fn team(r: &mut Reader, root: &Obj) -> Vec<super::ast::Owner> {
    let Some(node) = root.get("team") else {
        return Vec::new();
    };
    let (members, team_name): (&[Node], Option<Spanned<String>>) = match &node.kind {
        NodeKind::Seq(items) => (items, None),
        NodeKind::Map(_) => {
            let t = Obj::new(node).expect("a mapping");
            t.skip(&[
                "id",
                "description",
                "tags",
                "customProperties",
                "authoritativeDefinitions",
            ]);
            let name = t.text("name");
            let members = t.list("members");
            r.unread(&t, "the team");
            (members, name)
        }
        _ => (&[], None),
    };
    let mut owners = Vec::new();
    for m in members.iter().filter_map(Obj::new) {
        m.skip(&[
            "description",
            "dateIn",
            "replacedByUsername",
            "tags",
            "authoritativeDefinitions",
            "id",
        ]);
        if m.text("dateOut").is_some() {
            continue; // left the team
        }
        let username = m.text("username");
        let Some(name) = m.text("name").or_else(|| username.clone()) else {
            continue;
        };
        // `username` is an e-mail address or a user name (v3.0 has no
        // `name`); `datapactEmail` says which when a name looks like an address.
        let email = match custom_value(&m, "datapactEmail") {
            Some(node) => foreign::scalar_text(node)
                .filter(|e| !e.is_empty())
                .map(|e| Spanned::new(e, node.span)),
            None => username.filter(|u| {
                crate::text::is_email(u) && m.text("name").is_none_or(|n| n.value != u.value)
            }),
        };
        let role = m.text("role").map_or(Role::Producer, |role| {
            let role = role.to_lowercase();
            if role.contains("steward") || role.contains("dpo") || role.contains("governance") {
                Role::Steward
            } else if role.contains("consumer")
                || role.contains("reader")
                || role.contains("analyst")
                || role.contains("scientist")
            {
                Role::Consumer
            } else {
                Role::Producer
            }
        });
        owners.push(foreign::owner(m.node.span, name, email, role));
        r.unread(&m, "a team member");
    }
    if owners.is_empty() {
        if let Some(name) = team_name {
            owners.push(foreign::owner(name.span, name, None, Role::Producer));
        }
    }
    owners
}

/// One object of `schema` as a native contract.
fn object(
    r: &mut Reader,
    obj: &Obj,
    prefix: &str,
    server: &foreign::Server,
    targets: &BTreeMap<String, Target>,
) -> Option<Contract> {
    obj.skip(OBJECT_METADATA);
    let Some(name) = obj.text("name") else {
        r.not_compiled(
            obj.node.span,
            "an object without a `name` is not compiled",
            "give the object a `name`",
        );
        return None;
    };
    if let Some(kind) = obj.text("physicalType") {
        if !["table", "view", "materialized view", "materialized_view"]
            .contains(&kind.to_lowercase().as_str())
        {
            r.not_compiled(
                kind.span,
                format!(
                    "an object of physical type `{}` is not compiled",
                    kind.value
                ),
                "datapact checks tables and views",
            );
            mark_all(obj);
            return None;
        }
    }
    let id = targets.get(&name.value).map_or_else(
        || foreign::contract_id(prefix, &name),
        |t| t.contract.clone(),
    );
    let table = obj.text("physicalName").unwrap_or_else(|| name.clone());
    let mut c = foreign::contract(
        crate::types::Format::Odcs,
        r.file,
        obj.node.span,
        Spanned::new(id.clone(), name.span),
    );
    // `datapactSchema`/`datapactDatabase` place the table where no server does.
    let at = |value: String| {
        Spanned::new(
            value,
            obj.key_span("customProperties").unwrap_or(obj.node.span),
        )
    };
    let (database, schema) = match custom_property(obj, "datapactSchema") {
        Some(schema) => (
            custom_property(obj, "datapactDatabase").map(at),
            Some(at(schema)),
        ),
        None => (server.database.clone(), server.schema.clone()),
    };
    let mut dataset = foreign::dataset(obj.node.span, database, schema, table.clone());
    // `datapactDbt: false` (also as text: catalogs write every value as
    // one) says the object is no dbt node; anything else is a mistake.
    let outside = custom_value(obj, crate::types::ODCS_OUTSIDE_DBT).and_then(|value| {
        if foreign::scalar_text(value).is_some_and(|t| t.eq_ignore_ascii_case("false")) {
            return Some(value.span);
        }
        r.cx.push(
            Diagnostic::error(
                Code::InvalidValue,
                format!("`{}` is `false` or absent", crate::types::ODCS_OUTSIDE_DBT),
            )
            .with_label(value.span, "expected `false`")
            .with_help(format!(
                "name the dbt node with `{}` (or `{}`, `{}`, `{}`), or write `{}: false` when the object is not part of the dbt project",
                DbtKind::Model.odcs_property(),
                DbtKind::Source.odcs_property(),
                DbtKind::Seed.odcs_property(),
                DbtKind::Snapshot.odcs_property(),
                crate::types::ODCS_OUTSIDE_DBT,
            )),
        );
        None
    });
    dataset.dbt = DbtKind::ALL.iter().find_map(|&kind| {
        let name = custom_property(obj, kind.odcs_property())?;
        Some(super::ast::DbtBinding::of(obj.node.span, kind, at(name)))
    });
    match (&dataset.dbt, outside) {
        (Some(binding), Some(off)) => {
            let (kind, _) = binding.node().expect("a binding of one node");
            r.cx.push(
                Diagnostic::error(
                    Code::ConflictingKeys,
                    format!(
                        "`{}: false` and `{}` both given",
                        crate::types::ODCS_OUTSIDE_DBT,
                        kind.odcs_property()
                    ),
                )
                .with_label(off, "not part of the dbt project")
                .with_help(format!(
                    "keep `{}` to test the object in dbt, or `{}: false` when it is not part of the dbt project",
                    kind.odcs_property(),
                    crate::types::ODCS_OUTSIDE_DBT
                )),
            );
        }
        (None, Some(off)) => {
            dataset.dbt = Some(super::ast::DbtBinding {
                span: off,
                off: true,
                ..Default::default()
            });
        }
        _ => {}
    }
    dataset.path = custom_property(obj, "datapactPath").map(at);
    dataset.conformance = custom_property(obj, "datapactConformance").and_then(|c| {
        crate::types::Conformance::CHOICES
            .iter()
            .find(|(name, _)| *name == c)
            .map(|(_, value)| at(String::new()).map(|_| *value))
    });
    dataset.window = custom_value(obj, "datapactWindow")
        .and_then(|n| super::ast::Window::decode(&mut r.cx, n, n.span));
    c.dataset = Some(dataset);
    c.description = obj.text("description");
    c.title = obj.text("businessName");
    let tags = strings(obj.list("tags"));
    c.tags = (!tags.is_empty()).then_some(tags);
    c.renamed_from =
        foreign::custom_contract_id(r, custom_value(obj, "datapactRenamedFrom")).map(at);
    let _ = obj.get("customProperties");

    let tables: Vec<&str> = [name.as_str(), table.as_str()].into();
    r.columns = targets
        .get(&name.value)
        .map(|t| t.columns.clone())
        .unwrap_or_default();
    let mut names = BTreeSet::new();
    let mut keys: Vec<(i64, usize, Span)> = Vec::new();
    let mut columns = Vec::new();
    let mut pending: Vec<(usize, Vec<Placed>)> = Vec::new();
    for p in obj.list("properties").iter().filter_map(Obj::new) {
        let Some((column, actions, key)) = property(r, &p, server, targets, &tables) else {
            continue;
        };
        let index = columns.len();
        if let Some((position, span)) = key {
            keys.push((position, index, span));
        }
        columns.push(column);
        pending.push((index, actions));
    }
    c.columns = Some(columns);
    for (index, placed) in pending {
        for (path, actions) in placed {
            foreign::apply(r, &mut c, Some((index, &path)), actions, &mut names);
        }
    }
    primary_key(&mut c, keys, &mut names);
    for q in obj.list("quality") {
        let actions = foreign::quality(r, q, None, &tables);
        foreign::apply(r, &mut c, None, actions, &mut names);
    }
    for rel in obj.list("relationships") {
        relationship(r, &mut c, rel, targets);
    }
    r.unread(obj, "an object");
    Some(c)
}

fn mark_all(obj: &Obj) {
    for (key, _) in obj.unread() {
        let _ = obj.get(key);
    }
}

/// A primary key: one column is required and unique; several make a unique
/// combination, each required.
fn primary_key(c: &mut Contract, mut keys: Vec<(i64, usize, Span)>, names: &mut BTreeSet<String>) {
    keys.sort_by_key(|(position, index, _)| (*position, *index));
    let Some(columns) = c.columns.as_mut() else {
        return;
    };
    for (_, index, span) in &keys {
        let col = &mut columns[*index];
        if col.required.is_none() {
            col.required = Some(foreign::rule(
                *span,
                Spanned::new(true, *span),
                RuleOptions::default(),
            ));
        }
        if keys.len() == 1 && col.unique.is_none() {
            col.unique = Some(foreign::rule(
                *span,
                Spanned::new(true, *span),
                RuleOptions::default(),
            ));
        }
    }
    if keys.len() > 1 {
        let span = keys[0].2;
        let cols: Vec<Spanned<String>> = keys
            .iter()
            .filter_map(|(_, i, span)| {
                columns[*i]
                    .name
                    .as_ref()
                    .map(|n| Spanned::new(n.value.clone(), *span))
            })
            .collect();
        let name = foreign::unique_name(names, "primary_key");
        c.checks
            .get_or_insert_with(Vec::new)
            .push(foreign::table_check(
                span,
                Spanned::new(name, span),
                CheckBody::Unique(Spanned::new(cols, span)),
                RuleOptions::default(),
            ));
    }
}

type PropertyOut = (super::ast::Column, Vec<Placed>, Option<(i64, Span)>);

/// One property as a column, its quality rules (with where inside the
/// column each applies), and its primary-key position. An array's `items`
/// and a map's `key` and `value` are properties without a name.
fn property(
    r: &mut Reader,
    p: &Obj,
    server: &foreign::Server,
    targets: &BTreeMap<String, Target>,
    tables: &[&str],
) -> Option<PropertyOut> {
    property_named(r, p, server, targets, tables, None, Inside::TOP)
}

fn property_named(
    r: &mut Reader,
    p: &Obj,
    server: &foreign::Server,
    targets: &BTreeMap<String, Target>,
    tables: &[&str],
    element: Option<Spanned<String>>,
    inside: Inside,
) -> Option<PropertyOut> {
    p.skip(PROPERTY_METADATA);
    if element.is_some() {
        // An array's items may carry a name; the column's path names them.
        let _ = p.get("name");
    }
    let Some(name) = element.clone().or_else(|| p.text("name")) else {
        r.not_compiled(
            p.node.span,
            "a property without a `name` is not compiled",
            "give the property a `name`",
        );
        mark_all(p);
        return None;
    };
    if let Some(semantic) = p.text("semanticType").filter(|s| s.as_str() != "column") {
        r.not_compiled(
            semantic.span,
            format!("a `{}` is not a column; not compiled", semantic.value),
            "measures and dimensions are computed, not stored",
        );
        mark_all(p);
        return None;
    }
    let column_name = p.text("physicalName").unwrap_or_else(|| name.clone());
    let logical = p.text("logicalType");
    let physical = p.text("physicalType");
    let ty = column_type(r, p, logical.as_ref(), physical.as_ref(), &column_name);
    let mut col = foreign::column(p.node.span, column_name.clone(), ty);
    col.description = p.text("description");
    let tags = strings(p.list("tags"));
    col.tags = (!tags.is_empty()).then_some(tags);
    if let Some(class) = p.text("classification") {
        let class = class.to_lowercase();
        if ["pii", "personal", "sensitive"]
            .iter()
            .any(|c| class.contains(c))
        {
            col.pii = Some(Spanned::new(
                true,
                p.key_span("classification").unwrap_or(p.node.span),
            ));
        }
    }
    col.renamed_from = custom_property(p, "datapactRenamedFrom")
        .map(|old| Spanned::new(old, p.key_span("customProperties").unwrap_or(p.node.span)));
    if let Some(types) = custom_value(p, "datapactPhysicalTypes") {
        col.physical_type = Some(
            Obj::new(types)
                .map(|o| o.entries_of())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|(dialect, key, ty)| {
                    let dialect = Dialect::from_name(dialect)?;
                    let ty = foreign::scalar_text(ty)?;
                    Some((Spanned::new(dialect, key.span), Spanned::new(ty, key.span)))
                })
                .collect(),
        );
    } else if let (Some(physical), Some(dialect)) = (&physical, server.dialect) {
        col.physical_type = Some(vec![(
            Spanned::new(dialect, physical.span),
            physical.clone(),
        )]);
    }
    let key = |k: &str| p.key_span(k).unwrap_or(p.node.span);
    if p.bool("required").is_some_and(|b| b.value) {
        col.required = Some(foreign::rule(
            key("required"),
            Spanned::new(true, key("required")),
            RuleOptions::default(),
        ));
    }
    if p.bool("unique").is_some_and(|b| b.value) {
        col.unique = Some(foreign::rule(
            key("unique"),
            Spanned::new(true, key("unique")),
            RuleOptions::default(),
        ));
    }
    let primary = p.bool("primaryKey").filter(|b| b.value).map(|b| {
        let position = p
            .text("primaryKeyPosition")
            .and_then(|s| s.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .unwrap_or(i64::MAX);
        (position, b.span)
    });
    // `enum` (v3.2): the accepted values.
    let values: Vec<Spanned<Scalar>> = p
        .list("enum")
        .iter()
        .filter_map(|e| {
            let node = Obj::new(e).and_then(|o| o.get("value")).unwrap_or(e);
            match &node.kind {
                NodeKind::Scalar(Scalar::Null) => None,
                NodeKind::Scalar(s) => Some(Spanned::new(s.clone(), node.span)),
                _ => None,
            }
        })
        .collect();
    if !values.is_empty() {
        let span = key("enum");
        col.accepted_values = Some(foreign::rule(
            span,
            Spanned::new(values, span),
            RuleOptions::default(),
        ));
    }
    options(r, p, &mut col, ty.value);
    for rel in p.list("relationships") {
        if let Some(rule) = property_relationship(r, rel, targets) {
            if col.references.is_none() {
                col.references = Some(rule);
            } else {
                r.not_compiled(
                    rule.key,
                    "a second relationship of the property is not compiled",
                    "a column has one `references` rule; the first one is kept",
                );
            }
        }
    }
    let actions: Vec<Action> = p
        .list("quality")
        .iter()
        .flat_map(|q| foreign::quality(r, q, Some(&column_name), tables))
        .collect();
    let mut placed = vec![(Vec::new(), actions)];
    let scope = (server, targets, tables);
    placed.extend(nested(r, p, &mut col, &name, scope, inside));
    if element.is_some() {
        col.name = None;
    }
    r.unread(p, "a property");
    Some((col, placed, primary))
}

/// The parts of an `object` with `properties` (a struct), an `array`
/// with `items`, and a `map` with `map: {key, value}` (ODCS v3.2), read
/// into `col`; their quality rules, placed inside it.
fn nested(
    r: &mut Reader,
    p: &Obj,
    col: &mut super::ast::Column,
    name: &Spanned<String>,
    (server, targets, tables): (&foreign::Server, &BTreeMap<String, Target>, &[&str]),
    inside: Inside,
) -> Vec<Placed> {
    let mut out = Vec::new();
    // Deeper than the language nests: the rest stays `json`.
    if inside.depth > MAX_NESTING {
        if let Some(key) = ["properties", "items", "map"]
            .into_iter()
            .find_map(|k| p.key_span(k))
        {
            r.not_compiled(
                key,
                format!("`{}` is nested more than {MAX_NESTING} levels deep; what it holds is not compiled", name.value),
                "the value is read as `json`",
            );
        }
        mark_all(p);
        return out;
    }
    let mut read = |r: &mut Reader, node: &Node, part: Part, index: usize, label: String| {
        let obj = Obj::new(node)?;
        let element = (part != Part::Field).then(|| Spanned::new(label, node.span));
        let deeper = inside.through(part);
        let (mut child, placed, primary) =
            property_named(r, &obj, server, targets, tables, element, deeper)?;
        foreign::nested_value(r, &mut child, deeper, primary.map(|(_, span)| span));
        // A nested value's physical type is part of its column's.
        child.physical_type = None;
        for (mut path, actions) in placed {
            path.insert(0, (part, index));
            out.push((path, actions));
        }
        Some(child)
    };
    let fields: Vec<&Node> = p.list("properties").iter().collect();
    if !fields.is_empty() {
        let key = p.key_span("properties").unwrap_or(p.node.span);
        let mut columns = Vec::new();
        for node in fields {
            let index = columns.len();
            if let Some(child) = read(r, node, Part::Field, index, String::new()) {
                columns.push(child);
            }
        }
        col.ty = Some(Spanned::new(LogicalType::Struct, key));
        col.fields = Some(Nested {
            key,
            value: columns,
        });
    }
    if let Some(items) = p.get("items") {
        let key = p.key_span("items").unwrap_or(p.node.span);
        if let Some(child) = read(r, items, Part::Items, 0, format!("{}[]", name.value)) {
            col.ty = Some(Spanned::new(LogicalType::Array, key));
            col.items = Some(Nested {
                key,
                value: Box::new(child),
            });
        }
    }
    if let Some(map) = p.get("map").and_then(Obj::new) {
        let key = p.key_span("map").unwrap_or(p.node.span);
        let keys = map
            .get("key")
            .and_then(|n| read(r, n, Part::Keys, 0, format!("{}[key]", name.value)));
        let values = map
            .get("value")
            .and_then(|n| read(r, n, Part::Values, 0, format!("{}[value]", name.value)));
        if let (Some(keys), Some(values)) = (keys, values) {
            col.ty = Some(Spanned::new(LogicalType::Map, key));
            col.keys = Some(Nested {
                key,
                value: Box::new(keys),
            });
            col.values = Some(Nested {
                key,
                value: Box::new(values),
            });
        } else {
            r.not_compiled(
                key,
                format!(
                    "the map `{}` without both `key` and `value` is not compiled",
                    name.value
                ),
                "the column is read as `json`",
            );
        }
        r.unread(&map, "a map");
    }
    out
}

/// The native type: the physical type when it is a SQL type datapact
/// knows (it is the more precise), else the logical type.
fn column_type(
    r: &mut Reader,
    p: &Obj,
    logical: Option<&Spanned<String>>,
    physical: Option<&Spanned<String>>,
    column: &Spanned<String>,
) -> Spanned<LogicalType> {
    let options = p.get("logicalTypeOptions").and_then(Obj::new);
    let zone = options
        .as_ref()
        .and_then(|o| o.bool("timezone"))
        .map(|b| b.value);
    if let Some(physical) = physical {
        if let Some(ty) = foreign::sql_type(physical) {
            // `timestamp` with `timezone: true` keeps the zone.
            let ty = match (ty, zone) {
                (LogicalType::Timestamp, Some(true)) => LogicalType::TimestampTz,
                (ty, _) => ty,
            };
            return Spanned::new(ty, physical.span);
        }
    }
    let Some(logical) = logical else {
        r.not_compiled(
            column.span,
            format!("`{}` has no `logicalType`; read as a string", column.value),
            "give the property a `logicalType`",
        );
        return Spanned::new(LogicalType::String, column.span);
    };
    let has_zone = zone.unwrap_or(true);
    let ty = match logical.to_lowercase().as_str() {
        "string" => LogicalType::String,
        "integer" => LogicalType::Bigint,
        "number" => LogicalType::Double,
        "boolean" => LogicalType::Boolean,
        "date" => LogicalType::Date,
        "timestamp" if has_zone => LogicalType::TimestampTz,
        "timestamp" => LogicalType::Timestamp,
        "time" => LogicalType::Time,
        "object" | "array" | "map" => LogicalType::Json,
        other => {
            r.not_compiled(logical.span, format!("the logical type `{other}` is read as a string"), "the ODCS logical types are string, date, timestamp, time, number, integer, object, array, boolean and map");
            LogicalType::String
        }
    };
    Spanned::new(ty, logical.span)
}

/// `logicalTypeOptions`: lengths, pattern, bounds.
fn options(r: &mut Reader, p: &Obj, col: &mut super::ast::Column, ty: LogicalType) {
    let Some(o) = p.get("logicalTypeOptions").and_then(Obj::new) else {
        return;
    };
    o.skip(&[
        "format",
        "timezone",
        "defaultTimezone",
        "minProperties",
        "maxProperties",
        "required",
    ]);
    let count = |key: &str| {
        o.text(key)
            .and_then(|t| t.parse::<u64>().ok().map(|n| Spanned::new(n, t.span)))
    };
    let (min_len, max_len) = (count("minLength"), count("maxLength"));
    if min_len.is_some() || max_len.is_some() {
        let key = o
            .key_span("minLength")
            .or(o.key_span("maxLength"))
            .unwrap_or(o.node.span);
        col.length = Some(foreign::length_rule(
            key,
            min_len,
            max_len,
            RuleOptions::default(),
        ));
    }
    if let Some(pattern) = o.text("pattern") {
        col.pattern = foreign::pattern_rule(r, &pattern);
    }
    // v3.0: `exclusiveMinimum: true` makes `minimum` strict; v3.1+: the bound itself.
    for (key, exclusive) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        let bound = o.get(key);
        let strict = o.get(exclusive);
        let strict_flag =
            strict.is_some_and(|n| matches!(n.kind, NodeKind::Scalar(Scalar::Bool(true))));
        if let Some(node) = bound.filter(|_| !strict_flag) {
            if let NodeKind::Scalar(s) = &node.kind {
                let span = o.key_span(key).unwrap_or(node.span);
                let rule = foreign::rule(
                    span,
                    Spanned::new(s.clone(), node.span),
                    RuleOptions::default(),
                );
                if key == "minimum" {
                    col.min = Some(rule);
                } else {
                    col.max = Some(rule);
                }
            }
        }
        let strict_value = match strict.map(|n| &n.kind) {
            Some(NodeKind::Scalar(Scalar::Bool(true))) => bound,
            Some(NodeKind::Scalar(Scalar::Bool(false))) | None => None,
            Some(_) => strict,
        };
        if let Some(node) = strict_value {
            let span = o.key_span(exclusive).unwrap_or(node.span);
            r.not_compiled(
                span,
                format!("an exclusive bound (`{exclusive}`) is not compiled"),
                if ty.is_numeric() {
                    "native `min`/`max` are inclusive; write the inclusive bound, or an `expression` check"
                } else {
                    "native `min`/`max` are inclusive; write the inclusive bound"
                },
            );
        }
    }
    // An array's (one with `items`): its number of elements, no duplicates.
    let array = p.key_span("items").is_some();
    if array {
        let (min_items, max_items) = (count("minItems"), count("maxItems"));
        if min_items.is_some() || max_items.is_some() {
            let key = o
                .key_span("minItems")
                .or(o.key_span("maxItems"))
                .unwrap_or(o.node.span);
            col.length = Some(foreign::length_rule(
                key,
                min_items,
                max_items,
                RuleOptions::default(),
            ));
        }
        if let Some(unique) = o.bool("uniqueItems").filter(|b| b.value) {
            col.unique_items = Some(foreign::rule(
                unique.span,
                Spanned::new(true, unique.span),
                RuleOptions::default(),
            ));
        }
    }
    for key in ["multipleOf", "minItems", "maxItems", "uniqueItems"] {
        if array && key != "multipleOf" {
            let _ = o.get(key);
            continue;
        }
        if let Some(span) = o.key_span(key) {
            let _ = o.get(key);
            r.not_compiled(
                span,
                format!("`{key}` is not compiled"),
                "it has no native rule",
            );
        }
    }
    r.unread(&o, "logicalTypeOptions");
}

/// A property-level relationship: `to: object.property`.
fn property_relationship(
    r: &mut Reader,
    node: &Node,
    targets: &BTreeMap<String, Target>,
) -> Option<super::ast::Rule<ColumnRef>> {
    let rel = Obj::new(node)?;
    rel.skip(&["type", "customProperties", "id", "description"]);
    let Some(to) = rel.get("to").and_then(single) else {
        r.not_compiled(
            node.span,
            "a relationship to several columns is not compiled",
            "native references are between single columns",
        );
        mark_all(&rel);
        return None;
    };
    r.unread(&rel, "a relationship");
    let target = resolve(r, &to, targets)?;
    let span = rel.key_span("to").unwrap_or(to.span);
    Some(foreign::rule(
        span,
        Spanned::new(target, to.span),
        RuleOptions::default(),
    ))
}

fn resolve(
    r: &mut Reader,
    to: &Spanned<String>,
    targets: &BTreeMap<String, Target>,
) -> Option<ColumnRef> {
    let found = to.split_once('.').and_then(|(object, property)| {
        let target = targets.get(object)?;
        Some(ColumnRef {
            contract: target.contract.clone(),
            column: target.columns.get(property)?.clone(),
        })
    });
    if found.is_none() {
        r.not_compiled(
            to.span,
            format!("the relationship to `{}` is not compiled", to.value),
            "it must name `object.property` of this file's schema",
        );
    }
    found
}

/// An object-level relationship: `from`/`to`, one column each (composite
/// keys are reported).
fn relationship(r: &mut Reader, c: &mut Contract, node: &Node, targets: &BTreeMap<String, Target>) {
    let Some(rel) = Obj::new(node) else { return };
    rel.skip(&["type", "customProperties", "id", "description"]);
    let (from, to) = (rel.get("from"), rel.get("to"));
    r.unread(&rel, "a relationship");
    let (Some(from), Some(to)) = (from.and_then(single), to.and_then(single)) else {
        r.not_compiled(
            node.span,
            "a relationship between several columns is not compiled",
            "native references are between single columns",
        );
        return;
    };
    let Some(target) = resolve(r, &to, targets) else {
        return;
    };
    // `object.property` or `property`: the property's column.
    let property = from.rsplit('.').next().unwrap_or(&from).to_string();
    let column = r.columns.get(&property).cloned().unwrap_or(property);
    let col = c
        .columns
        .iter_mut()
        .flatten()
        .find(|col| col.name.as_ref().is_some_and(|n| n.value == column));
    match col {
        Some(col) if col.references.is_none() => {
            col.references = Some(foreign::rule(
                from.span,
                Spanned::new(target, to.span),
                RuleOptions::default(),
            ));
        }
        Some(_) => r.not_compiled(
            from.span,
            format!("the relationship from `{}` is not compiled", from.value),
            "the column already has a `references` rule; the first one is kept",
        ),
        None => r.not_compiled(
            from.span,
            format!("the relationship from `{}` is not compiled", from.value),
            "it names no property of this object",
        ),
    }
}

fn single(node: &Node) -> Option<Spanned<String>> {
    match &node.kind {
        NodeKind::Seq(items) if items.len() == 1 => single(&items[0]),
        _ => foreign::scalar_text(node).map(|s| Spanned::new(s, node.span)),
    }
}

/// `slaProperties`: `freshness` (or `latency` in minutes or more) with an
/// `element` naming a date or timestamp column becomes the freshness SLA.
fn sla(
    r: &mut Reader,
    root: &Obj,
    objects: &[Obj],
    contracts: &mut [Contract],
    targets: &BTreeMap<String, Target>,
) {
    let default_element = root.text("slaDefaultElement");
    let mut freshness_seen = false;
    let items: Vec<Obj> = root
        .list("slaProperties")
        .iter()
        .filter_map(Obj::new)
        .collect();
    // `freshness` wins over `latency`.
    let mut ordered: Vec<&Obj> = items
        .iter()
        .filter(|i| is_property(i, "freshness"))
        .collect();
    ordered.extend(items.iter().filter(|i| is_property(i, "latency")));
    for item in ordered {
        item.skip(&[
            "id",
            "description",
            "driver",
            "scheduler",
            "schedule",
            "valueExt",
        ]);
        let property = item.text("property").expect("filtered");
        let at = property.span;
        if freshness_seen {
            r.not_compiled(
                at,
                format!(
                    "`{}` is not compiled: the freshness SLA comes from another property",
                    property.value
                ),
                "a contract has one freshness SLA",
            );
            r.unread(item, "an SLA property");
            continue;
        }
        let value = item.text("value");
        let unit = item.text("unit");
        let element = item.text("element").or_else(|| default_element.clone());
        r.unread(item, "an SLA property");
        let Some(value) = value else { continue };
        let duration = match foreign::duration(&value, unit.as_ref().map(|u| u.as_str())) {
            Ok(d) => d,
            Err(why) => {
                r.not_compiled(
                    value.span,
                    format!("`{}` is not compiled as freshness", property.value),
                    why,
                );
                continue;
            }
        };
        let Some(element) = element else {
            r.not_compiled(
                at,
                format!("`{}` without an `element` is not compiled", property.value),
                "name the timestamp column: `element: object.column`",
            );
            continue;
        };
        // Several elements, comma-separated: the first is the column.
        let mut listed = element.split(',').map(str::trim);
        let first = listed.next().unwrap_or("").to_string();
        if listed.next().is_some() {
            r.not_compiled(
                element.span,
                "SLA elements after the first are not compiled",
                "the freshness SLA is measured on one column",
            );
        }
        // `object.column` (either may hold dots: every split is tried), or
        // `column` when the file has one object.
        let single_object = (objects.len() == 1)
            .then(|| objects[0].text("name").map(|n| n.value))
            .flatten();
        let resolved = first
            .match_indices('.')
            .map(|(i, _)| (Some(&first[..i]), &first[i + 1..]))
            .chain([(single_object.as_deref(), first.as_str())])
            .find_map(|(object, property)| {
                let t = targets.get(object?)?;
                Some((t.contract.clone(), t.columns.get(property)?.clone()))
            });
        let Some((contract, column)) = resolved else {
            r.not_compiled(
                element.span,
                format!("the SLA element `{}` is not compiled", element.value),
                "it must name `object.column`, a property of this file's schema",
            );
            continue;
        };
        if let Some(c) = contracts
            .iter_mut()
            .find(|c| c.contract.as_ref().is_some_and(|id| id.value == contract))
        {
            let span = element.span;
            c.freshness = Some(foreign::freshness(
                at,
                Spanned::new(column, span),
                Spanned::new(duration, value.span),
                None,
            ));
            freshness_seen = true;
        }
    }
    slo(r, &items, contracts);
    for item in items.iter().filter(|i| {
        !is_property(i, "freshness") && !is_property(i, "latency") && slo_property(i).is_none()
    }) {
        // Availability, retention, support hours…: commitments, not data checks.
        if let Some(property) = item.text("property") {
            r.not_compiled(
                property.span,
                format!("the SLA property `{}` is not compiled", property.value),
                "datapact checks the freshness SLA (`freshness`, or `latency` in minutes or more)",
            );
        }
        for (key, _) in item.unread() {
            let _ = item.get(key);
        }
    }
    let _ = root.get("slaProperties");
    let _ = root.get("slaDefaultElement");
}

/// The SLO properties datapact writes (`datapactSloWindow`,
/// `datapactSloFreshness`, `datapactSloQuality`): which key each sets.
fn slo_property(item: &Obj) -> Option<&'static str> {
    [
        ("datapactSloWindow", "window"),
        ("datapactSloFreshness", "freshness"),
        ("datapactSloQuality", "quality"),
    ]
    .into_iter()
    .find(|(property, _)| is_property(item, property))
    .map(|(_, key)| key)
}

/// The service-level objectives of the file's SLA properties: they apply to
/// every contract of the file.
fn slo(r: &mut Reader, items: &[Obj], contracts: &mut [Contract]) {
    let mut found: Option<ast::Slo> = None;
    for item in items {
        let Some(key) = slo_property(item) else {
            continue;
        };
        item.skip(&["id", "description", "driver", "valueExt"]);
        let property = item.text("property").expect("filtered");
        let value = item.text("value");
        let unit = item.text("unit");
        r.unread(item, "an SLA property");
        let Some(value) = value else { continue };
        let slo = found.get_or_insert(ast::Slo {
            span: property.span,
            key: property.span,
            window: None,
            freshness: None,
            quality: None,
        });
        let unit = unit.as_ref().map(|u| u.as_str().to_ascii_lowercase());
        if key == "window" {
            match foreign::duration(&value, unit.as_deref()) {
                Ok(d) => slo.window = Some(Spanned::new(d, value.span)),
                Err(why) => r.not_compiled(value.span, "the SLO window is not compiled", why),
            }
            continue;
        }
        let text = match unit.as_deref() {
            Some("percent" | "%") => format!("{}%", value.as_str()),
            _ => value.value.clone(),
        };
        match Objective::parse(&text) {
            Ok(o) if key == "freshness" => slo.freshness = Some(Spanned::new(o, value.span)),
            Ok(o) => slo.quality = Some(Spanned::new(o, value.span)),
            Err(why) => r.not_compiled(
                value.span,
                format!("`{}` is not compiled", property.value),
                why,
            ),
        }
    }
    if let Some(found) = found {
        for c in contracts.iter_mut() {
            c.slo = Some(found.clone());
        }
    }
}

fn is_property(item: &Obj, name: &str) -> bool {
    item.text("property")
        .is_some_and(|p| p.eq_ignore_ascii_case(name))
}
