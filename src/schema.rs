//! The contract language's JSON Schema, generated from the syntax types.

use crate::syntax::ast::Contract;

/// The JSON Schema (draft 2020-12) of a contract file, pretty-printed.
pub fn json_schema() -> String {
    let mut schema = schemars::SchemaGenerator::default().into_root_schema_for::<Contract>();
    schema.insert(
        "$id".into(),
        "https://github.com/datapact/datapact/datapact.schema.json".into(),
    );
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
