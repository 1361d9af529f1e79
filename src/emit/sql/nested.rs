//! Values inside nested columns (struct fields, array elements, map keys
//! and values) and the rules on them, for every dialect through
//! [`SqlDialect`]'s nested methods.
//!
//! A rule at a path fails a row when some value at that path breaks it:
//! a struct's field is one value, an array's items or a map's keys or
//! values are each value in turn (`exists`, `any_match`, a filtered list…).
//! A field of a NULL struct, the elements of a NULL or empty array, and the
//! entries of a NULL map are absent: no rule fails on them, and `required`
//! on a field fails only where the struct holding it is present.

use crate::emit::sql::dialect::SqlDialect;
use crate::ir::{Check, CheckKind, Column, Dataset, Step};
use crate::types::{Dialect, LogicalType};

/// A value in a row: its SQL, and whether it is JSON (a JSON document
/// column, or a value inside one) rather than the engine's own type.
#[derive(Clone, Debug)]
pub(super) struct Value {
    pub expr: String,
    pub json: bool,
    /// Text standing for a value of another type: a JSON object's key.
    pub text: bool,
}

impl Value {
    pub fn new(expr: String, json: bool) -> Value {
        Value {
            expr,
            json,
            text: false,
        }
    }
}

/// The physical type of a column in `dialect`, with its fields, items,
/// keys and values: its `physical_type` when it states one.
pub fn column_type(column: &Column, dialect: Dialect) -> String {
    if let Some(physical) = column.physical_types.get(&dialect) {
        return physical.clone();
    }
    native_type(column, dialect.sql())
}

/// A nested type stored as JSON is the dialect's JSON type, whatever it
/// holds; otherwise the engine's own type, built from its parts.
fn native_type(column: &Column, d: &dyn SqlDialect) -> String {
    let ty = column.ty;
    if !ty.is_nested() || d.nested_in_json(ty, scalar_items(column)) {
        return d.type_name(ty);
    }
    let part = |c: &Option<Box<Column>>| {
        c.as_deref()
            .map_or_else(|| d.type_name(LogicalType::String), |c| native_type(c, d))
    };
    match ty {
        LogicalType::Struct => {
            let fields: Vec<(String, String)> = column
                .fields
                .iter()
                .map(|f| (f.name.clone(), native_type(f, d)))
                .collect();
            d.struct_type(&fields)
        }
        LogicalType::Array => d.array_type(&part(&column.items)),
        _ => d.map_type(&part(&column.keys), &part(&column.values)),
    }
}

/// An array whose items are not nested.
fn scalar_items(column: &Column) -> bool {
    column.items.as_ref().is_some_and(|i| !i.ty.is_nested())
}

/// Whether `check` looks inside a nested column (a path, the elements of
/// an array or map, or a struct's field in a unique combination).
pub(super) fn is_nested(ds: &Dataset, check: &Check) -> bool {
    match &check.kind {
        CheckKind::UniqueItems => true,
        CheckKind::Length { .. } => !check.path.is_empty() || ds.check_type(check).is_nested(),
        // A struct's field named by its path.
        CheckKind::UniqueCombination { columns } => {
            columns.iter().any(|name| ds.column(name).is_none())
        }
        CheckKind::Required
        | CheckKind::Unique
        | CheckKind::AcceptedValues { .. }
        | CheckKind::Min { .. }
        | CheckKind::Max { .. }
        | CheckKind::Pattern { .. }
        | CheckKind::References { .. }
        | CheckKind::NullRateIncrease { .. }
        | CheckKind::Expression { .. }
        | CheckKind::Sql { .. }
        | CheckKind::RowCount { .. }
        | CheckKind::RowCountChange { .. }
        | CheckKind::Freshness { .. } => !check.path.is_empty(),
    }
}

/// Whether `check` visits the elements of an array or map.
pub(super) fn iterates(ds: &Dataset, check: &Check) -> bool {
    check.path.iter().any(Step::iterates)
        || matches!(check.kind, CheckKind::UniqueItems)
        || (matches!(check.kind, CheckKind::Length { .. }) && ds.check_type(check).is_nested())
}

/// Reads values at paths in one dataset's rows.
pub(super) struct Paths<'a> {
    pub d: &'a dyn SqlDialect,
    pub ds: &'a Dataset,
}

impl Paths<'_> {
    fn column(&self, check: &Check) -> Option<&Column> {
        self.ds.column(check.column.as_deref()?)
    }

    /// The column itself, as a value.
    fn root(&self, name: &str, column: Option<&Column>) -> Value {
        let json = column
            .is_some_and(|c| c.ty.is_nested() && self.d.nested_in_json(c.ty, scalar_items(c)));
        Value::new(self.d.quote_ident(name), json)
    }

    /// The value at a path of struct fields only (no array or map steps),
    /// as a SQL value of its type; `None` when the path iterates.
    pub fn single(&self, check: &Check) -> Option<(Value, LogicalType)> {
        let name = check.column.as_deref().unwrap_or_default();
        let column = self.column(check);
        let mut value = self.root(name, column);
        let Some(mut node) = column else {
            return Some((value, self.ds.column_type(name)));
        };
        for step in &check.path {
            let Step::Field(field) = step else {
                return None;
            };
            node = node.child(step)?;
            value = self.field(&value, field, node);
        }
        Some((self.scalar(&value, node), node.ty))
    }

    /// A column by name, or a struct's field by its path (`address.zip`,
    /// as unique combinations name them), as a SQL value of its type.
    pub fn named(&self, name: &str) -> Value {
        self.named_typed(name).0
    }

    /// [`Paths::named`], with the value's logical type.
    pub fn named_typed(&self, name: &str) -> (Value, LogicalType) {
        let plain = (
            Value::new(self.d.quote_ident(name), false),
            self.ds.column_type(name),
        );
        if self.ds.column(name).is_some() {
            return plain;
        }
        let mut parts = name.split('.');
        let column = parts.next().unwrap_or_default();
        let check = Check {
            name: String::new(),
            column: Some(column.to_string()),
            path: parts.map(|f| Step::Field(f.to_string())).collect(),
            kind: CheckKind::Required,
            severity: Default::default(),
            filter: None,
            tolerance: None,
            description: None,
            windowed: false,
            window_written: None,
        };
        match self.ds.node(column, &check.path) {
            Some(_) => self.single(&check).unwrap_or(plain),
            None => plain,
        }
    }

    /// True for SQL NULL (and JSON null in JSON).
    pub fn is_null(&self, value: &Value) -> String {
        if value.json {
            self.d.json_is_null(&value.expr)
        } else {
            format!("{} is null", value.expr)
        }
    }

    fn field(&self, value: &Value, name: &str, child: &Column) -> Value {
        let expr = if value.json {
            self.d.json_field(&value.expr, name, child.ty.is_nested())
        } else {
            self.d.field(&value.expr, name)
        };
        Value::new(expr, value.json)
    }

    /// A value as a SQL value of its scalar type (JSON converted).
    fn scalar(&self, value: &Value, node: &Column) -> Value {
        if value.text {
            Value::new(self.d.text_scalar(&value.expr, node.ty), false)
        } else if value.json && !node.ty.is_nested() {
            Value::new(self.d.json_scalar(&value.expr, node.ty), false)
        } else {
            value.clone()
        }
    }

    /// The condition true for a row in which some value at the check's
    /// path makes `leaf` true (given the value, converted to its scalar
    /// type unless nested, and its column). With `guard`, a last field is
    /// looked at only where its struct is present.
    pub fn any(
        &self,
        check: &Check,
        guard: bool,
        leaf: &dyn Fn(&Value, &Column) -> String,
    ) -> String {
        let name = check.column.as_deref().unwrap_or_default();
        let column = self.column(check);
        let root = self.root(name, column);
        match column {
            Some(column) => self.walk(root, column, &check.path, guard, leaf, 1),
            // Undeclared (validation forbids rules on those): the column alone.
            None => leaf(&root, &Column::of(self.ds.column_type(name))),
        }
    }

    fn walk(
        &self,
        value: Value,
        node: &Column,
        steps: &[Step],
        guard: bool,
        leaf: &dyn Fn(&Value, &Column) -> String,
        depth: usize,
    ) -> String {
        let Some((step, rest)) = steps.split_first() else {
            return leaf(&self.scalar(&value, node), node);
        };
        let Some(child) = node.child(step) else {
            return "false".into();
        };
        let var = format!("datapact_e{depth}");
        match step {
            Step::Field(name) => {
                let inner = self.field(&value, name, child);
                let condition = self.walk(inner, child, rest, guard, leaf, depth);
                if guard && rest.is_empty() {
                    format!("not ({}) and {condition}", self.is_null(&value))
                } else {
                    condition
                }
            }
            Step::Items | Step::Values => {
                // An element (value) is JSON inside a JSON document.
                let each = |e: &str| {
                    let element = Value::new(e.to_string(), value.json);
                    self.walk(element, child, rest, guard, leaf, depth + 1)
                };
                match (step, value.json) {
                    (Step::Items, true) => self.d.json_any_element(&value.expr, &var, &each),
                    (Step::Items, false) => self.d.any_element(&value.expr, &var, &each),
                    (_, true) => self.d.json_any_value(&value.expr, &var, &each),
                    (_, false) => self.d.map_any_value(&value.expr, &var, &each),
                }
            }
            Step::Keys => {
                // Keys are text in a JSON object.
                let each = |e: &str| {
                    let key = Value {
                        expr: e.to_string(),
                        json: false,
                        text: value.json,
                    };
                    self.walk(key, child, rest, guard, leaf, depth + 1)
                };
                if value.json {
                    self.d.json_any_key(&value.expr, &var, &each)
                } else {
                    self.d.map_any_key(&value.expr, &var, &each)
                }
            }
        }
    }

    /// The number of elements of an array or entries of a map.
    pub fn count(&self, value: &Value, ty: LogicalType) -> String {
        match (value.json, ty) {
            (true, LogicalType::Map) => self.d.json_length(&value.expr, true),
            (true, _) => self.d.json_length(&value.expr, false),
            (false, LogicalType::Map) => self.d.map_size(&value.expr),
            (false, _) => self.d.element_count(&value.expr),
        }
    }

    /// True when an array holds a non-null value twice.
    pub fn duplicates(&self, value: &Value, depth_var: &str) -> String {
        if value.json {
            self.d.json_has_duplicates(&value.expr, depth_var)
        } else {
            self.d.has_duplicates(&value.expr, depth_var)
        }
    }
}
