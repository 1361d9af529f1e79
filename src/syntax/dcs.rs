//! The Data Contract Specification (DCS, datacontract.com) as native
//! contracts: one per entry of `models`. The mapping is documented in
//! docs/standards.md; what has no native form is a `not-compiled` warning.

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Span, Spanned};
use crate::types::Dialect;
use crate::types::{LogicalType, MAX_NESTING, Role};

use super::ast::{ColumnRef, Contract, Nested, Part, RuleOptions};
use super::decode::Cx;
use super::foreign::{self, Action, Inside, Obj, Placed, Reader};
use super::yaml::{Node, NodeKind, Scalar};

/// The versions of the specification datapact reads.
const VERSIONS: &[&str] = &[
    "0.9.0", "0.9.1", "0.9.2", "0.9.3", "1.1.0", "1.2.0", "1.2.1",
];

const FIELD_METADATA: &[&str] = &[
    "title",
    "example",
    "examples",
    "classification",
    "links",
    "lineage",
    "format",
    "precision",
    "scale",
];

/// `config` keys that give a column's type in a dialect.
const PHYSICAL_KEYS: &[(&str, Dialect)] = &[
    ("postgresType", Dialect::Postgres),
    ("snowflakeType", Dialect::Snowflake),
    ("bigqueryType", Dialect::Bigquery),
    ("redshiftType", Dialect::Redshift),
    ("databricksType", Dialect::Databricks),
    ("trinoType", Dialect::Trino),
    ("sqlserverType", Dialect::Sqlserver),
    ("duckdbType", Dialect::Duckdb),
];

pub fn detect(root: &Obj) -> bool {
    root.key_span("dataContractSpecification").is_some()
}

pub fn read(file: FileId, path: &str, node: &Node, cx: Cx) -> (Vec<Contract>, Vec<Diagnostic>) {
    let mut r = Reader {
        cx,
        file,
        format: "DCS",
        columns: BTreeMap::new(),
    };
    let Some(root) = Obj::new(node) else {
        return (Vec::new(), r.cx.diagnostics);
    };
    if let Some(v) = root.text("dataContractSpecification") {
        if !VERSIONS.contains(&v.as_str()) {
            r.cx.push(
                Diagnostic::error(
                    Code::UnsupportedVersion,
                    format!("Data Contract Specification {} is not supported", v.value),
                )
                .with_label(v.span, "unknown version")
                .with_help(format!("datapact reads versions {}", VERSIONS.join(", "))),
            );
            return (Vec::new(), r.cx.diagnostics);
        }
    }
    root.skip(&["terms", "links", "definitions", "examples"]);
    let id = root.text("id");
    let prefix = id
        .as_ref()
        .map(|id| foreign::segment(id.rsplit(':').next().unwrap_or(id)))
        .unwrap_or_else(|| foreign::file_prefix(path));
    let info = root.get("info").and_then(Obj::new);
    let (title, version, description, owners) = match &info {
        Some(info) => {
            info.skip(&["status", "contact", "links"]);
            let version = info
                .get("version")
                .and_then(|n| super::ast::version(&mut r.cx, n));
            let owner = info.text("owner");
            let contact = info.get("contact").and_then(Obj::new);
            let email = contact.as_ref().and_then(|c| c.text("email"));
            let contact_name = contact.as_ref().and_then(|c| c.text("name"));
            let mut owners = Vec::new();
            if let Some(owner) = &owner {
                owners.push(foreign::owner(
                    owner.span,
                    owner.clone(),
                    email.clone(),
                    Role::Producer,
                ));
            } else if let Some(name) = &contact_name {
                owners.push(foreign::owner(
                    name.span,
                    name.clone(),
                    email.clone(),
                    Role::Producer,
                ));
            }
            (
                info.text("title"),
                version,
                info.text("description"),
                owners,
            )
        }
        None => (None, None, None, Vec::new()),
    };
    let servers: Vec<Obj> = root
        .entries("servers")
        .into_iter()
        .filter_map(|(_, _, s)| Obj::new(s))
        .collect();
    let server = foreign::server(&mut r, &servers);
    let tags: Vec<Spanned<String>> = root
        .list("tags")
        .iter()
        .filter_map(|n| foreign::scalar_text(n).map(|s| Spanned::new(s, n.span)))
        .collect();
    let definitions = root.get("definitions");
    let models = root.entries("models");
    if models.is_empty() {
        r.not_compiled(
            root.key_span("models").unwrap_or(node.span),
            "this contract describes no model (`models` is missing or empty)",
            "nothing is compiled from it; add the tables under `models`",
        );
    }
    // Every model's native id and fields, for references.
    let ids: BTreeMap<&str, String> = models
        .iter()
        .map(|(name, _, model)| {
            let given = Obj::new(model)
                .and_then(|m| m.get("config").and_then(Obj::new))
                .and_then(|c| c.get("datapactContract"));
            let id = foreign::custom_contract_id(&mut r, given)
                .unwrap_or_else(|| foreign::contract_id(&prefix, name));
            (*name, id)
        })
        .collect();
    let mut contracts = Vec::new();
    for (name, key, model) in &models {
        let Some(m) = Obj::new(model) else { continue };
        let mut c = self::model(&mut r, &m, name, key.span, &server, &ids, definitions);
        c.version = version.clone();
        c.title = m.text("title").or_else(|| title.clone());
        c.description = m.text("description").or_else(|| description.clone());
        c.owners = Some(owners.clone());
        c.owners_key = info.as_ref().and_then(|i| i.key_span("owner"));
        c.tags = (!tags.is_empty()).then(|| tags.clone());
        r.unread(&m, "a model");
        contracts.push(c);
    }
    servicelevels(&mut r, &root, &mut contracts, &ids, &models);
    legacy_quality(&mut r, &root);
    if let Some(info) = &info {
        r.unread(info, "info");
    }
    r.unread(&root, "the contract");
    (contracts, r.cx.diagnostics)
}

fn model(
    r: &mut Reader,
    m: &Obj,
    name: &str,
    name_span: Span,
    server: &foreign::Server,
    ids: &BTreeMap<&str, String>,
    definitions: Option<&Node>,
) -> Contract {
    m.skip(&["type", "examples", "additionalFields", "config"]);
    let id = ids
        .get(name)
        .cloned()
        .unwrap_or_else(|| foreign::contract_id("dcs", name));
    let mut c = foreign::contract(
        crate::types::Format::Dcs,
        r.file,
        m.node.span,
        Spanned::new(id, name_span),
    );
    c.dataset = Some(foreign::dataset(
        m.node.span,
        server.database.clone(),
        server.schema.clone(),
        Spanned::new(name.to_string(), name_span),
    ));
    let tables = [name];
    let mut names = BTreeSet::new();
    let mut columns = Vec::new();
    let mut pending = Vec::new();
    let mut field_keys: Vec<Spanned<String>> = Vec::new();
    for (field_name, key, field) in m.entries("fields") {
        let Some((col, actions, primary)) = self::field(
            r,
            (field_name, key.span),
            field,
            ids,
            definitions,
            &tables,
            Inside::TOP,
        ) else {
            continue;
        };
        if let Some(span) = primary {
            field_keys.push(Spanned::new(field_name.to_string(), span));
        }
        pending.push((columns.len(), actions));
        columns.push(col);
    }
    c.columns = Some(columns);
    for (index, placed) in pending {
        for (path, actions) in placed {
            foreign::apply(r, &mut c, Some((index, &path)), actions, &mut names);
        }
    }
    // The primary key: the model's `primaryKey: [a, b]`, else the fields
    // marked as keys. Each key column is required; one column is unique,
    // several are a unique combination.
    let model_keys: Vec<Spanned<String>> = m
        .list("primaryKey")
        .iter()
        .filter_map(|n| foreign::scalar_text(n).map(|s| Spanned::new(s, n.span)))
        .collect();
    let keys = if model_keys.is_empty() {
        field_keys
    } else {
        model_keys
    };
    let known = |k: &Spanned<String>| {
        c.columns
            .iter()
            .flatten()
            .any(|col| col.name.as_ref().is_some_and(|n| n.value == k.value))
    };
    if let Some(missing) = keys.iter().find(|k| !known(k)) {
        r.not_compiled(
            missing.span,
            format!(
                "the primary key column `{}` is not a field; the key is not compiled",
                missing.value
            ),
            "name fields of this model",
        );
    } else {
        for key in &keys {
            let col = c
                .columns
                .iter_mut()
                .flatten()
                .find(|col| col.name.as_ref().is_some_and(|n| n.value == key.value))
                .expect("checked above");
            if col.required.is_none() {
                col.required = Some(foreign::rule(
                    key.span,
                    Spanned::new(true, key.span),
                    RuleOptions::default(),
                ));
            }
            if keys.len() == 1 && col.unique.is_none() {
                col.unique = Some(foreign::rule(
                    key.span,
                    Spanned::new(true, key.span),
                    RuleOptions::default(),
                ));
            }
        }
        if keys.len() > 1 {
            let span = keys[0].span;
            let name = foreign::unique_name(&mut names, "primary_key");
            c.checks
                .get_or_insert_with(Vec::new)
                .push(foreign::table_check(
                    span,
                    Spanned::new(name, span),
                    super::ast::CheckBody::Unique(Spanned::new(keys, span)),
                    RuleOptions::default(),
                ));
        }
    }
    for q in m.list("quality") {
        let actions = foreign::quality(r, q, None, &tables);
        foreign::apply(r, &mut c, None, actions, &mut names);
    }
    c
}

/// A field, with the keys of its `$ref` definition under its own.
fn field(
    r: &mut Reader,
    (name, name_span): (&str, Span),
    node: &Node,
    ids: &BTreeMap<&str, String>,
    definitions: Option<&Node>,
    tables: &[&str],
    inside: Inside,
) -> Option<(super::ast::Column, Vec<Placed>, Option<Span>)> {
    let f = Obj::new(node)?;
    f.skip(FIELD_METADATA);
    let definition = f.text("$ref").and_then(|reference| {
        let path = reference.strip_prefix("#/definitions/")?;
        let defs = Obj::new(definitions?)?;
        let found = defs.get(path).and_then(Obj::new);
        if found.is_none() {
            r.not_compiled(
                reference.span,
                format!("the definition `{}` is not found", reference.value),
                "only `#/definitions/<name>` of this file is read",
            );
        }
        found
    });
    // A key of the field, else of its definition.
    let get = |key: &str| {
        f.get(key)
            .or_else(|| definition.as_ref().and_then(|d| d.get(key)))
    };
    let text =
        |key: &str| get(key).and_then(|n| foreign::scalar_text(n).map(|s| Spanned::new(s, n.span)));
    let ty_text = text("type");
    let ty = match &ty_text {
        Some(t) => match field_type(t, &text) {
            Some(ty) => Spanned::new(ty, t.span),
            None => {
                r.not_compiled(
                    t.span,
                    format!("the type `{}` is read as a string", t.value),
                    "it has no native type",
                );
                Spanned::new(LogicalType::String, t.span)
            }
        },
        None => {
            r.not_compiled(
                name_span,
                format!("`{name}` has no `type`; read as a string"),
                "give the field a `type`",
            );
            Spanned::new(LogicalType::String, name_span)
        }
    };
    let mut col = foreign::column(node.span, Spanned::new(name.to_string(), name_span), ty);
    col.description = text("description");
    col.pii = get("pii").and_then(|n| match n.kind {
        NodeKind::Scalar(Scalar::Bool(b)) => Some(Spanned::new(b, n.span)),
        _ => None,
    });
    let tags: Vec<Spanned<String>> = match get("tags").map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items
            .iter()
            .filter_map(|n| foreign::scalar_text(n).map(|s| Spanned::new(s, n.span)))
            .collect(),
        _ => Vec::new(),
    };
    col.tags = (!tags.is_empty()).then_some(tags);
    let flag = |key: &str| {
        get(key).and_then(|n| match n.kind {
            NodeKind::Scalar(Scalar::Bool(true)) => Some(n.span),
            _ => None,
        })
    };
    let key_span = |key: &str| f.key_span(key).unwrap_or(name_span);
    // A primary key (`primaryKey`, or `primary` before 1.0) is settled
    // with the model's other key columns.
    let primary = flag("primaryKey").or(flag("primary"));
    if let Some(span) = flag("required") {
        col.required = Some(foreign::rule(
            span,
            Spanned::new(true, span),
            RuleOptions::default(),
        ));
    }
    if let Some(span) = flag("unique") {
        col.unique = Some(foreign::rule(
            span,
            Spanned::new(true, span),
            RuleOptions::default(),
        ));
    }
    if let Some(NodeKind::Seq(items)) = get("enum").map(|n| &n.kind) {
        let values: Vec<Spanned<super::yaml::Scalar>> = items
            .iter()
            .filter_map(|n| match &n.kind {
                NodeKind::Scalar(Scalar::Null) => None,
                NodeKind::Scalar(s) => Some(Spanned::new(s.clone(), n.span)),
                _ => None,
            })
            .collect();
        if !values.is_empty() {
            let span = key_span("enum");
            col.accepted_values = Some(foreign::rule(
                span,
                Spanned::new(values, span),
                RuleOptions::default(),
            ));
        }
    }
    if let Some(pattern) = text("pattern") {
        col.pattern = foreign::pattern_rule(r, &pattern);
    }
    let count =
        |key: &str| text(key).and_then(|t| t.parse::<u64>().ok().map(|n| Spanned::new(n, t.span)));
    let (min_len, max_len) = (count("minLength"), count("maxLength"));
    if min_len.is_some() || max_len.is_some() {
        let span = f
            .key_span("minLength")
            .or(f.key_span("maxLength"))
            .unwrap_or(name_span);
        col.length = Some(foreign::length_rule(
            span,
            min_len,
            max_len,
            RuleOptions::default(),
        ));
    }
    for (key, target) in [("minimum", &mut col.min), ("maximum", &mut col.max)] {
        if let Some(node) = get(key) {
            if let NodeKind::Scalar(s) = &node.kind {
                *target = Some(foreign::rule(
                    key_span(key),
                    Spanned::new(s.clone(), node.span),
                    RuleOptions::default(),
                ));
            }
        }
    }
    for key in ["exclusiveMinimum", "exclusiveMaximum"] {
        if get(key).is_some() {
            r.not_compiled(
                key_span(key),
                format!("`{key}` is not compiled"),
                "native `min`/`max` are inclusive; write the inclusive bound",
            );
        }
    }
    if let Some(reference) = text("references") {
        let target = reference.split_once('.').and_then(|(model, column)| {
            Some(ColumnRef {
                contract: ids.get(model)?.clone(),
                column: column.to_string(),
            })
        });
        match target {
            Some(t) => {
                col.references = Some(foreign::rule(
                    key_span("references"),
                    Spanned::new(t, reference.span),
                    RuleOptions::default(),
                ))
            }
            None => r.not_compiled(
                reference.span,
                format!("the reference to `{}` is not compiled", reference.value),
                "it must name `model.field` of this file",
            ),
        }
    }
    if let Some(config) = get("config").and_then(Obj::new) {
        let mut physical = Vec::new();
        for (key, dialect) in PHYSICAL_KEYS {
            if let Some(t) = config.text(key) {
                physical.push((Spanned::new(*dialect, t.span), t));
            }
        }
        if !physical.is_empty() {
            col.physical_type = Some(physical);
        }
        // Other engines' types (Avro, JSON, Oracle…) say nothing datapact checks.
        for (key, _) in config.unread() {
            let _ = config.get(key);
        }
    }
    let actions: Vec<Action> = f
        .list("quality")
        .iter()
        .flat_map(|q| foreign::quality(r, q, Some(name), tables))
        .collect();
    let mut placed = vec![(Vec::new(), actions)];
    // The parts of a nested type: `fields` of an object, record or struct,
    // `items` of an array, `keys` and `values` of a map.
    let mut read =
        |r: &mut Reader, node: &Node, part: Part, index: usize, label: &str, span: Span| {
            let deeper = inside.through(part);
            let (mut child, inner, primary) =
                field(r, (label, span), node, ids, definitions, tables, deeper)?;
            foreign::nested_value(r, &mut child, deeper, primary);
            // A nested value's physical type is part of its column's.
            child.physical_type = None;
            if part != Part::Field {
                child.name = None;
            }
            for (mut path, actions) in inner {
                path.insert(0, (part, index));
                placed.push((path, actions));
            }
            Some(child)
        };
    // Deeper than the language nests (a `$ref` to itself, say): the rest
    // stays `json`.
    let parts = ["fields", "items", "keys", "values"];
    if inside.depth > MAX_NESTING {
        if let Some(key) = parts.iter().find(|k| get(k).is_some()) {
            r.not_compiled(
                key_span(key),
                format!("`{name}` is nested more than {MAX_NESTING} levels deep; what it holds is not compiled"),
                "a `$ref` that refers to itself nests without end; the value is read as `json`",
            );
        }
        for key in parts {
            let _ = f.get(key);
        }
        let _ = f.get("$ref");
        r.unread(&f, "a field");
        return Some((col, placed, primary));
    }
    let fields = get("fields").and_then(Obj::new).map(|o| o.entries_of());
    if let Some(fields) = fields.filter(|f| !f.is_empty()) {
        let key = key_span("fields");
        let mut columns = Vec::new();
        for (field_name, field_key, node) in fields {
            let index = columns.len();
            if let Some(child) = read(r, node, Part::Field, index, field_name, field_key.span) {
                columns.push(child);
            }
        }
        col.ty = Some(Spanned::new(LogicalType::Struct, key));
        col.fields = Some(Nested {
            key,
            value: columns,
        });
    }
    if let Some(items) = get("items") {
        let key = key_span("items");
        if let Some(child) = read(r, items, Part::Items, 0, &format!("{name}[]"), key) {
            col.ty = Some(Spanned::new(LogicalType::Array, key));
            col.items = Some(Nested {
                key,
                value: Box::new(child),
            });
        }
    }
    if get("keys").is_some() || get("values").is_some() {
        let keys = get("keys").and_then(|n| {
            read(
                r,
                n,
                Part::Keys,
                0,
                &format!("{name}[key]"),
                key_span("keys"),
            )
        });
        let values = get("values").and_then(|n| {
            read(
                r,
                n,
                Part::Values,
                0,
                &format!("{name}[value]"),
                key_span("values"),
            )
        });
        let key = key_span(if get("keys").is_some() {
            "keys"
        } else {
            "values"
        });
        match (keys, values) {
            (Some(keys), Some(values)) => {
                col.ty = Some(Spanned::new(LogicalType::Map, key));
                col.keys = Some(Nested {
                    key,
                    value: Box::new(keys),
                });
                col.values = Some(Nested {
                    key,
                    value: Box::new(values),
                });
            }
            _ => r.not_compiled(
                key,
                format!("the map `{name}` without both `keys` and `values` is not compiled"),
                "the column is read as `json`",
            ),
        }
    }
    let _ = f.get("$ref");
    r.unread(&f, "a field");
    Some((col, placed, primary))
}

/// The native type of a DCS type (`timestamp` has a time zone in DCS).
fn field_type(ty: &str, text: &dyn Fn(&str) -> Option<Spanned<String>>) -> Option<LogicalType> {
    Some(match ty.to_lowercase().as_str() {
        "string" | "text" | "varchar" => LogicalType::String,
        "int" | "integer" => LogicalType::Integer,
        "long" | "bigint" => LogicalType::Bigint,
        "float" => LogicalType::Float,
        "double" => LogicalType::Double,
        "number" | "decimal" | "numeric" => {
            let precision = text("precision").and_then(|p| p.parse::<u32>().ok());
            let scale = text("scale").and_then(|s| s.parse::<u32>().ok());
            match (precision, scale) {
                (None, None) => LogicalType::Double,
                (p, s) => {
                    LogicalType::parse(&format!("decimal({},{})", p.unwrap_or(38), s.unwrap_or(0)))
                        .ok()?
                }
            }
        }
        "boolean" => LogicalType::Boolean,
        "timestamp" | "timestamp_tz" => LogicalType::TimestampTz,
        "timestamp_ntz" => LogicalType::Timestamp,
        "date" => LogicalType::Date,
        "time" => LogicalType::Time,
        "bytes" => LogicalType::Binary,
        "json" | "variant" | "object" | "record" | "struct" | "array" | "map" => LogicalType::Json,
        _ => return None,
    })
}

/// `servicelevels.freshness`: `threshold` and `timestampField: model.field`.
fn servicelevels(
    r: &mut Reader,
    root: &Obj,
    contracts: &mut [Contract],
    ids: &BTreeMap<&str, String>,
    models: &[(&str, &Node, &Node)],
) {
    let Some(levels) = root.get("servicelevels").and_then(Obj::new) else {
        return;
    };
    if let Some(f) = levels.get("freshness").and_then(Obj::new) {
        let description = f.text("description");
        match (f.text("threshold"), f.text("timestampField")) {
            (Some(threshold), Some(field)) => {
                let (model, column) = match field.split_once('.') {
                    Some((m, c)) => (m.to_string(), c.to_string()),
                    None if models.len() == 1 => (models[0].0.to_string(), field.value.clone()),
                    None => (String::new(), field.value.clone()),
                };
                match (foreign::duration(&threshold, None), ids.get(model.as_str())) {
                    (Ok(d), Some(id)) => {
                        if let Some(c) = contracts
                            .iter_mut()
                            .find(|c| c.contract.as_ref().is_some_and(|x| &x.value == id))
                        {
                            let key = levels.key_span("freshness").unwrap_or(f.node.span);
                            c.freshness = Some(foreign::freshness(
                                key,
                                Spanned::new(column, field.span),
                                Spanned::new(d, threshold.span),
                                description,
                            ));
                        }
                    }
                    (Err(why), _) => r.not_compiled(
                        threshold.span,
                        "this freshness threshold is not compiled",
                        why,
                    ),
                    (_, None) => r.not_compiled(
                        field.span,
                        format!("the timestamp field `{}` is not compiled", field.value),
                        "it must name `model.field` of this file",
                    ),
                }
            }
            _ => r.not_compiled(
                f.node.span,
                "freshness without `threshold` and `timestampField` is not compiled",
                "name the timestamp field and the threshold",
            ),
        }
        r.unread(&f, "the freshness service level");
    }
    for (key, span) in levels.unread() {
        let _ = levels.get(key);
        r.not_compiled(
            span,
            format!("the service level `{key}` is not compiled"),
            "datapact checks the freshness service level",
        );
    }
}

/// The top-level `quality` of DCS before 1.1 (SodaCL, Great Expectations).
fn legacy_quality(r: &mut Reader, root: &Obj) {
    if let Some(span) = root.key_span("quality") {
        let _ = root.get("quality");
        r.not_compiled(
            span,
            "the top-level `quality` block (SodaCL, Great Expectations) is not compiled",
            "since DCS 1.1 quality rules sit on models and fields; datapact compiles those",
        );
    }
}
