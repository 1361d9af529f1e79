//! The names datapact derives from what a contract writes: check names,
//! identifiers and slugs. Shared by the front end (which reports clashes
//! between them) and the emitters (which name files after them).

use crate::types::Step;

/// `Order ID` → `order_id`: lowercase, runs of other characters become `_`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The default name of a column rule: `<column slug>__<rule>`.
pub fn derived_name(column: &str, rule: &str) -> String {
    format!("{}__{rule}", identifier(column, "column"))
}

/// The default name of a rule at `path` inside `column`: `<column>__<rule>`,
/// or the path with each name as an identifier (`address.zip__pattern`,
/// `items[].sku__required`, `labels[key]__pattern`).
pub fn nested_name(column: &str, path: &[Step], rule: &str) -> String {
    if path.is_empty() {
        return derived_name(column, rule);
    }
    let mut out = identifier(column, "column");
    for step in path {
        match step {
            Step::Field(name) => {
                out.push('.');
                out.push_str(&identifier(name, "field"));
            }
            Step::Items => out.push_str("[]"),
            Step::Keys => out.push_str("[key]"),
            Step::Values => out.push_str("[value]"),
        }
    }
    format!("{out}__{rule}")
}

/// `text` as a lowercase identifier: its [`slug`], prefixed with `prefix_`
/// when it does not start with a letter, or `prefix` alone when it is empty.
pub fn identifier(text: &str, prefix: &str) -> String {
    let slug = slug(text);
    if slug.is_empty() {
        prefix.to_string()
    } else if slug.starts_with(|c: char| c.is_ascii_lowercase()) {
        slug
    } else {
        format!("{prefix}_{slug}")
    }
}

/// The name of a row count's change check: `row_count_change`, or
/// `<name>_change` for a named row count.
pub fn change_name(row_count: &str) -> String {
    format!("{row_count}_change")
}

/// The name of a dataset's schema check (its columns against the
/// engine's catalog); each column's is `<column>__schema`.
pub const SCHEMA_CHECK: &str = "schema";
