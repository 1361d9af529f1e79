//! The meaning of contracts: validation, then lowering to the IR.
//!
//! Reads the syntax trees (`syntax::ast`), reports every mistake as a
//! located diagnostic, and lowers a set without errors to [`crate::ir::Ir`].

pub mod coerce;
pub mod lower;
pub mod validate;

/// Which contracts a set of files may reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The files are the whole set: every referenced contract must be among
    /// them (`validate`, `compile`).
    Complete,
    /// The files are a selection (`diff old.yaml new.yaml`): a reference to
    /// a contract outside them is taken as written, and only its contract id
    /// and column are known.
    Selection,
}
