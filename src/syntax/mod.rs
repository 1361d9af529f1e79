//! Front end: the only module that knows YAML.
//!
//! `yaml` turns text into spanned nodes; `ast` decodes nodes into the typed
//! syntax of the contract language, reporting every problem it meets. Files
//! in the open standards, ODCS v3 (`odcs`) and the Data Contract
//! Specification (`dcs`), are recognised by their content and read into the
//! same typed syntax (`foreign` holds what both share), so nothing after
//! this module knows where a contract came from.

pub mod ast;
pub mod dcs;
pub mod decode;
pub mod foreign;
pub mod odcs;
pub mod schema;
pub mod yaml;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, Span};

pub use ast::Contract;

pub use crate::types::Format;

/// Parse and decode one contract file of any format: a native file holds one
/// contract, an ODCS or DCS file one per object or model. Returns no
/// contract when the file holds no usable document; diagnostics say why.
pub fn parse_file(file: FileId, source: &SourceFile) -> (Vec<Contract>, Vec<Diagnostic>, Format) {
    let (node, diagnostics) = yaml::parse(file, source);
    let format = node
        .as_ref()
        .and_then(foreign::Obj::new)
        .map_or(Format::Native, |root| {
            if odcs::detect(&root) {
                Format::Odcs
            } else if dcs::detect(&root) {
                Format::Dcs
            } else {
                Format::Native
            }
        });
    match (format, &node) {
        (Format::Odcs, Some(node)) => {
            let (contracts, diagnostics) =
                odcs::read(file, &source.path, node, decode::Cx { diagnostics });
            (contracts, diagnostics, format)
        }
        (Format::Dcs, Some(node)) => {
            let (contracts, diagnostics) =
                dcs::read(file, &source.path, node, decode::Cx { diagnostics });
            (contracts, diagnostics, format)
        }
        _ => {
            let (contract, diagnostics) = parse_contract(file, source);
            (contract.into_iter().collect(), diagnostics, Format::Native)
        }
    }
}

/// Parse and decode one native contract file. Returns `None` when the file holds no
/// usable document (empty, or not YAML); diagnostics say why.
pub fn parse_contract(file: FileId, source: &SourceFile) -> (Option<Contract>, Vec<Diagnostic>) {
    let (node, mut diagnostics) = yaml::parse(file, source);
    let Some(node) = node else {
        if diagnostics.is_empty() {
            diagnostics.push(empty_file(file));
        }
        return (None, diagnostics);
    };
    if matches!(node.kind, yaml::NodeKind::Scalar(yaml::Scalar::Null)) {
        diagnostics.push(empty_file(file));
        return (None, diagnostics);
    }
    let mut cx = decode::Cx { diagnostics };
    let contract = Contract::decode(&mut cx, file, &node);
    (contract, cx.diagnostics)
}

fn empty_file(file: FileId) -> Diagnostic {
    Diagnostic::error(Code::EmptyFile, "the file holds no contract")
        .with_label(Span::new(file, 0, 0), "empty")
        .with_help("start with `contract: <id>`, `version: 1.0.0` and `dataset: {name: <table>}`, or run `datapact init` for an example")
}
