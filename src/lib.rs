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
pub mod stamp;
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
    /// The IR, present when there were no errors and [`Options::ir`]
    /// asks for it.
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
    /// Keep the IR. `validate` does not: each contract's IR is dropped as
    /// soon as it is lowered, so memory is the sources and the summaries.
    pub ir: bool,
    /// Keep where every part of every contract was written
    /// ([`Checked::origins`]), which `diff` reports by.
    pub origins: bool,
    /// Check and report on the first `n` files only: the others are
    /// context, contracts the checked ones may reference (the rest of the
    /// project when one file is validated), read but not reported on.
    pub checked_files: Option<usize>,
}

/// Parse, validate and lower every file of `sources`, as a complete set.
pub fn check(sources: &Sources) -> Checked {
    check_with(
        sources,
        Options {
            scope: Scope::Complete,
            ir: true,
            origins: false,
            checked_files: None,
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
    let checked_files = options.checked_files.unwrap_or(files.len());
    let reported = |d: &Diagnostic| {
        let ours = |span: source::Span| (span.file.0 as usize) < checked_files;
        d.primary.as_ref().is_none_or(|l| ours(l.span)) || d.secondary.iter().any(|l| ours(l.span))
    };
    let mut diagnostics = Vec::new();
    let mut summaries = Vec::new();
    let mut parsed_cleanly = Vec::with_capacity(files.len());
    let mut contracts = 0;
    let mut context = Vec::new();
    for (i, (found, diags)) in parsed.into_iter().enumerate() {
        parsed_cleanly.push(!diags.iter().any(Diagnostic::is_error));
        if i < checked_files {
            diagnostics.extend(diags);
            contracts += found.len();
            summaries.extend(found);
        } else {
            context.extend(found);
        }
    }
    // A checked contract stands in for the project's contract of its id
    // (a new version of it, validated before it replaces the old).
    let ids: std::collections::HashSet<String> = summaries
        .iter()
        .filter_map(|s| Some(s.id.as_ref()?.value.clone()))
        .collect();
    summaries.extend(
        context
            .into_iter()
            .filter(|s| s.id.as_ref().is_none_or(|id| !ids.contains(&id.value))),
    );
    let mut across = Vec::new();
    let index = semantic::Index::new(summaries, scope, &mut across);
    // Of the problems across files, those that involve a checked one.
    diagnostics.extend(across.into_iter().filter(|d| reported(d)));
    let checked: Vec<semantic::Checked> = files[..checked_files.min(files.len())]
        .par_iter()
        .zip(&parsed_cleanly)
        .map(|(&(id, file), &clean)| {
            let (found, _, _) = syntax::parse_file(id, file);
            let mut checked = semantic::check(&found, &index, sources, clean, options.origins);
            if !options.ir {
                checked.lowered.clear();
            }
            checked
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
        ir: options.ir.then_some(ir::Ir { datasets }),
        origins,
        ids,
        diagnostics,
        contracts,
    }
}
