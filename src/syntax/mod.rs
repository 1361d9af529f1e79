//! Front end: the only module that knows YAML.
//!
//! `yaml` turns text into spanned nodes; `ast` decodes nodes into the typed
//! syntax of the contract language, reporting every problem it meets.

pub mod ast;
pub mod decode;
pub mod yaml;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, SourceFile, Span};

pub use ast::Contract;

/// Parse and decode one contract file. Returns `None` when the file holds no
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
