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
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod ir;
pub mod literal;
pub mod load;
pub mod names;
pub mod output;
pub mod project;
pub mod rules;
pub mod run;
pub mod semantic;
pub mod slo;
pub mod source;
pub mod suggest;
pub mod syntax;
pub mod text;
pub mod types;
pub mod user_sql;

use diagnostic::Diagnostic;
use rayon::prelude::*;
pub use semantic::Scope;
use source::Sources;

/// The result of checking a set of contract files.
#[derive(Debug, Default)]
pub struct Checked {
    /// The IR, present when there were no errors.
    pub ir: Option<ir::Ir>,
    /// Where each dataset of the IR was written, by contract id (present
    /// with the IR).
    pub origins: std::collections::BTreeMap<String, ir::Origin>,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many contracts the files decoded into.
    pub contracts: usize,
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
    diagnostics.extend(semantic::validate::validate_scoped(&contracts, scope));
    diagnostic::sort(&mut diagnostics);
    // A mistake inside an anchor reused by aliases is reported once.
    diagnostics.dedup();
    let mut checked = Checked {
        contracts: contracts.len(),
        ..Checked::default()
    };
    if !diagnostics.iter().any(Diagnostic::is_error) {
        checked.ir = Some(semantic::lower::lower_scoped(&contracts, sources, scope));
        checked.origins = contracts
            .iter()
            .filter_map(|c| {
                Some((
                    c.contract.as_ref()?.value.clone(),
                    semantic::lower::origin(c),
                ))
            })
            .collect();
    }
    checked.diagnostics = diagnostics;
    checked
}
