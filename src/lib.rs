//! datapact: a compiler for data contracts.
//!
//! ```text
//!   files ──load──▶ Sources ──syntax::parse_file──▶ ast::Contract (spans; native, ODCS or DCS)
//!                                                        │
//!                                              validate::validate ──▶ Diagnostics
//!                                                        │ (no errors)
//!                                                  lower::lower ──▶ ir::Ir ──▶ emitters
//! ```
//!
//! Each stage is a public function; [`check`] chains them. No stage panics on
//! any input: every problem is a [`Diagnostic`] with a span.

pub mod cli;
pub mod conformance;
pub mod convert;
pub mod dbt;
pub mod diagnostic;
pub mod dialect;
pub mod diff;
pub mod docs;
pub mod ir;
pub mod literal;
pub mod load;
pub mod lower;
pub mod output;
pub mod project;
pub mod run;
pub mod schema;
pub mod slo;
pub mod source;
pub mod sql;
pub mod sqlcheck;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod types;
pub mod validate;
pub mod yaml_writer;

use diagnostic::Diagnostic;
use rayon::prelude::*;
use source::Sources;

/// The result of checking a set of contract files.
#[derive(Debug, Default)]
pub struct Checked {
    /// The IR, present when there were no errors.
    pub ir: Option<ir::Ir>,
    /// Where each dataset of the IR was written, by contract id (present
    /// with the IR).
    pub origins: std::collections::BTreeMap<String, lower::Origin>,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many contracts the files decoded into.
    pub contracts: usize,
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

/// Parse, validate and lower every file of `sources`, as a complete set.
pub fn check(sources: &Sources) -> Checked {
    check_scoped(sources, Scope::Complete)
}

/// Parse, validate and lower every file of `sources`.
pub fn check_scoped(sources: &Sources, scope: Scope) -> Checked {
    let mut diagnostics = Vec::new();
    let mut contracts = Vec::new();
    // Files parse independently, in parallel; the results keep file order.
    let files: Vec<_> = sources.iter().collect();
    let parsed: Vec<_> = files
        .into_par_iter()
        .map(|(id, file)| syntax::parse_file(id, file))
        .collect();
    for (found, diags, _) in parsed {
        diagnostics.extend(diags);
        contracts.extend(found);
    }
    diagnostics.extend(validate::validate_scoped(&contracts, scope));
    diagnostic::sort(&mut diagnostics);
    // A mistake inside an anchor reused by aliases is reported once.
    diagnostics.dedup();
    let mut checked = Checked {
        contracts: contracts.len(),
        ..Checked::default()
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        checked.ir = Some(lower::lower_scoped(&contracts, sources, scope));
        checked.origins = contracts
            .iter()
            .filter_map(|c| Some((c.contract.as_ref()?.value.clone(), lower::origin(c))))
            .collect();
    }
    checked.diagnostics = diagnostics;
    checked
}
