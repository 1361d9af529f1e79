//! datapact: a compiler for data contracts.
//!
//! ```text
//!   files ──load──▶ Sources ──syntax::parse_file──▶ ast::Contract (spans; native, ODCS or DCS)
//!                                                        │
//!                                 semantic::validate (against an Index) ──▶ Diagnostics
//!                                                        │ (no errors)
//!                                        semantic::lower ──▶ ir::Ir
//!                                                        │
//!                      emit::Emission (unit by unit) ──▶ output::compile (staged, all or nothing)
//! ```
//!
//! Each stage is a public function; [`check`] chains the front end, and
//! [`emit::emit`] renders an IR. No stage panics on any input: every
//! problem is a [`Diagnostic`] with a span.

pub mod cli;
pub mod dbt_project;
pub mod diagnostic;
pub mod diff;
pub mod emit;
pub mod import;
pub mod ir;
pub mod literal;
pub mod load;
pub mod names;
pub mod output;
pub mod project;
pub mod rules;
pub mod run;
pub mod sarif;
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
    /// with the IR, when [`Options::origins`] asks for it).
    pub origins: std::collections::BTreeMap<String, ir::Origin>,
    /// Where each dataset's contract id is written (present with the IR).
    pub ids: std::collections::BTreeMap<String, source::Span>,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// How many contracts the files decoded into.
    pub contracts: usize,
}

/// What to check, and what to keep besides the IR.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub scope: Scope,
    /// Keep where every part of every contract was written
    /// ([`Checked::origins`]), which `diff` reports by.
    pub origins: bool,
}

/// Parse, validate and lower every file of `sources`, as a complete set.
pub fn check(sources: &Sources) -> Checked {
    check_with(
        sources,
        Options {
            scope: Scope::Complete,
            origins: false,
        },
    )
}

/// Parse, validate and lower every file of `sources`.
///
/// In two passes over the files, each in parallel: the first parses every
/// file and keeps only a [`semantic::Summary`] of each contract (its id,
/// columns and location: what cross-file checks need), the second parses
/// each file again and validates and lowers its contracts against the
/// index of summaries. No pass holds every syntax tree at once, so memory
/// is the sources, the index and the IR.
pub fn check_with(sources: &Sources, options: Options) -> Checked {
    let scope = options.scope;
    let files: Vec<_> = sources.iter().collect();
    let parsed: Vec<(Vec<semantic::Summary>, Vec<Diagnostic>)> = files
        .par_iter()
        .map(|&(id, file)| {
            let (found, diagnostics, _) = syntax::parse_file(id, file);
            (
                found.iter().map(semantic::Summary::of).collect(),
                diagnostics,
            )
        })
        .collect();
    let mut diagnostics = Vec::new();
    let mut summaries = Vec::new();
    let mut parsed_cleanly = Vec::with_capacity(files.len());
    for (found, diags) in parsed {
        parsed_cleanly.push(!diags.iter().any(Diagnostic::is_error));
        diagnostics.extend(diags);
        summaries.extend(found);
    }
    let contracts = summaries.len();
    let index = semantic::Index::new(summaries, scope, &mut diagnostics);
    let checked: Vec<semantic::Checked> = files
        .par_iter()
        .zip(&parsed_cleanly)
        .map(|(&(id, file), &clean)| {
            let (found, _, _) = syntax::parse_file(id, file);
            semantic::check(&found, &index, sources, clean, options.origins)
        })
        .collect();
    let mut datasets = Vec::new();
    let mut origins = std::collections::BTreeMap::new();
    let mut ids = std::collections::BTreeMap::new();
    for file in checked {
        diagnostics.extend(file.diagnostics);
        for (dataset, id, origin) in file.lowered {
            ids.insert(dataset.contract.clone(), id);
            if let Some(origin) = origin {
                origins.insert(dataset.contract.clone(), origin);
            }
            datasets.push(dataset);
        }
    }
    diagnostic::sort(&mut diagnostics);
    // A mistake inside an anchor reused by aliases is reported once.
    diagnostics.dedup();
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Checked {
            diagnostics,
            contracts,
            ..Checked::default()
        };
    }
    datasets.sort_by(|a, b| a.contract.cmp(&b.contract));
    Checked {
        ir: Some(ir::Ir { datasets }),
        origins,
        ids,
        diagnostics,
        contracts,
    }
}
