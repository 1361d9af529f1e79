//! The meaning of contracts: validation, then lowering to the IR.
//!
//! Reads the syntax trees (`syntax::ast`), reports every mistake as a
//! located diagnostic, and lowers a set without errors to [`crate::ir::Ir`].

pub mod coerce;
pub mod lower;
pub mod validate;

pub use validate::{Index, Summary};

use crate::diagnostic::Diagnostic;
use crate::ir::{Dataset, Origin};
use crate::source::Sources;
use crate::syntax::Contract;

/// What [`check`] found in the contracts of one file.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Each contract without errors, lowered, with where it was written.
    pub lowered: Vec<(Dataset, Origin)>,
}

/// Validate the contracts of one file against the index of the run, and
/// lower each that has no error (none when `lower` is false: the file
/// itself has errors).
pub fn check(contracts: &[Contract], index: &Index, sources: &Sources, lower: bool) -> Checked {
    let mut checked = Checked::default();
    for contract in contracts {
        let diagnostics = validate::validate(contract, index);
        let clean = lower && !diagnostics.iter().any(Diagnostic::is_error);
        checked.diagnostics.extend(diagnostics);
        if clean {
            checked
                .lowered
                .extend(lower::lower(contract, index, sources));
        }
    }
    checked
}

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
