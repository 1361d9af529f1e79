//! The contract language's JSON Schema, generated from the syntax types.

use schemars::Schema;
use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use serde_json::Value;

use crate::syntax::ast::Contract;

/// The JSON Schema (draft 2020-12) of a contract file, pretty-printed.
pub fn json_schema() -> String {
    let settings = SchemaSettings::draft2020_12().with(|s| {
        s.transforms.push(Box::new(RecursiveTransform(forbid_null)));
    });
    let schema = schemars::SchemaGenerator::new(settings).into_root_schema_for::<Contract>();
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Optional keys may be left out, but never written as `null` (the decoder
/// rejects `title: ~`), so the schema must not allow null either.
fn forbid_null(schema: &mut Schema) {
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            schema.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(any)) = schema.get_mut("anyOf") {
        any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
    }
    if let Some(Value::Array(values)) = schema.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
}
