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
use crate::source::{Sources, Span};
use crate::syntax::Contract;

/// What [`check`] found in the contracts of one file.
#[derive(Debug, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    /// Each contract without errors, lowered, with where its id is
    /// written, and where each of its parts is (when asked for).
    pub lowered: Vec<(Dataset, Span, Option<Origin>)>,
}

/// Validate the contracts of one file against the index of the run, and
/// lower each that has no error (none when `lower` is false: the file
/// itself has errors), with its [`Origin`] when `origins` is true.
pub fn check(
    contracts: &[Contract],
    index: &Index,
    sources: &Sources,
    lower: bool,
    origins: bool,
) -> Checked {
    let mut checked = Checked::default();
    for contract in contracts {
        let diagnostics = validate::validate(contract, index, sources);
        let clean = lower && !diagnostics.iter().any(Diagnostic::is_error);
        checked.diagnostics.extend(diagnostics);
        let id = contract.contract.as_ref().map(|id| id.span);
        if let (true, Some(id)) = (clean, id) {
            if let Some(dataset) = lower::lower(contract, index, sources) {
                let origin = origins.then(|| lower::origin(contract));
                checked.lowered.push((dataset, id, origin));
            }
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
