//! The pipeline's layering, read from the source: each file's `crate::`
//! paths (imports and paths in code, not comments) name the modules it
//! depends on. The rules:
//!
//! - `syntax` (the front end) imports none of `semantic`, `ir`, `emit`,
//!   nor anything after them;
//! - `emit` and `diff` read the IR: they import neither `syntax` nor
//!   `semantic`;
//! - no two top-level modules depend on each other, directly or through
//!   others, and neither do two emitters (`emit::sql`, `emit::dbt`, …).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Modules the front end must not reach: it runs before them.
const AFTER_SYNTAX: &[&str] = &[
    "semantic", "ir", "emit", "output", "diff", "run", "slo", "project", "cli",
];

/// What may not be imported by a module that reads only the IR.
const BEFORE_IR: &[&str] = &["syntax", "semantic", "cli"];

struct File {
    /// `src/emit/sql/mod.rs` → `["emit", "sql"]`; the crate root is empty.
    module: Vec<String>,
    path: String,
    text: String,
}

fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_string());
    }
    parts
}

fn read_sources() -> Vec<File> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).unwrap();
                files.push(File {
                    module: module_of(relative),
                    path: format!("src/{}", relative.display()),
                    text: std::fs::read_to_string(&path).unwrap(),
                });
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// The module paths (up to two segments) a file's code names with
/// `crate::`, including each member of a `use crate::{a, b::c}` group.
fn imports(text: &str) -> BTreeSet<Vec<String>> {
    let code: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let mut found = BTreeSet::new();
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Each top-level member of the group, nested groups skipped.
            let mut depth = 0;
            let mut member = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        found.extend(path_of(&member));
                        member.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 0 {
                    member.push(c);
                }
            }
            found.extend(path_of(&member));
        } else {
            found.extend(path_of(rest));
        }
    }
    found
}

/// `emit::sql::dialect::X` → `["emit", "sql"]`; `self` and items of the
/// crate root (`crate::Scope`) are left out.
fn path_of(text: &str) -> Option<Vec<String>> {
    let segments: Vec<String> = text
        .trim()
        .split("::")
        .map(|s| {
            s.chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .take_while(|s| !s.is_empty())
        .take(2)
        .collect();
    let first = segments.first()?;
    if first == "self" || first.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    Some(segments)
}

/// Every broken rule, as `file: message` lines.
fn violations(files: &[File]) -> Vec<String> {
    let mut out = Vec::new();
    // Edges between units: top-level modules, and each emitter on its own.
    let unit = |path: &[String]| -> Option<String> {
        match path {
            [] => None,
            [first, second, ..] if first == "emit" => Some(format!("emit::{second}")),
            [first, ..] => Some(first.clone()),
        }
    };
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let Some(top) = file.module.first() else {
            continue;
        };
        let from = unit(&file.module).unwrap();
        for import in imports(&file.text) {
            let target = &import[0];
            // A module's own children (and `crate::emit::x` from `emit`'s
            // own mod.rs) are not dependencies between units.
            let forbidden = match top.as_str() {
                "syntax" => AFTER_SYNTAX,
                "emit" | "diff" => BEFORE_IR,
                _ => &[],
            };
            if forbidden.contains(&target.as_str()) {
                out.push(format!(
                    "{}: `{}` imports `crate::{}`",
                    file.path, top, target
                ));
            }
            // A path that stops at `emit` (`crate::emit::GeneratedFile`) is
            // the emit stage's own interface.
            let Some(to) = unit(&import) else { continue };
            if to != from && !(import.len() == 1 && target == "emit") {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| file.path.clone());
            }
        }
    }
    out.extend(cycles(&edges));
    out
}

/// Each cycle between units, found by a depth-first search from each unit.
fn cycles(edges: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut found = BTreeSet::new();
    for start in edges.keys() {
        let mut stack = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((node, path)) = stack.pop() {
            for next in edges.get(&node).into_iter().flat_map(BTreeMap::keys) {
                if next == start {
                    // Report each cycle once, from its smallest unit.
                    if path.iter().min() == Some(start) {
                        let via: Vec<String> = path
                            .windows(2)
                            .chain(std::iter::once(&[node.clone(), start.clone()][..]))
                            .map(|w| format!("{} ({})", w[0], edges[&w[0]][&w[1]]))
                            .collect();
                        found.insert(format!("import cycle: {} → {start}", via.join(" → ")));
                    }
                } else if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
    found.into_iter().collect()
}

#[test]
fn the_source_keeps_the_pipelines_layers() {
    let files = read_sources();
    assert!(files.len() > 30, "the source tree was not found");
    let found = violations(&files);
    assert!(found.is_empty(), "{}", found.join("\n"));
}

fn file(path: &str, text: &str) -> File {
    File {
        module: module_of(Path::new(path.trim_start_matches("src/"))),
        path: path.to_string(),
        text: text.to_string(),
    }
}

#[test]
fn a_planted_import_is_found() {
    let clean = || {
        vec![
            file("src/syntax/ast.rs", "use crate::source::Span;\n"),
            file(
                "src/semantic/lower.rs",
                "use crate::{ir::Ir, syntax::ast};\n",
            ),
            file("src/emit/sql/mod.rs", "use crate::ir::Ir;\n"),
            file("src/emit/dbt.rs", "use crate::emit::sql::dialect::X;\n"),
        ]
    };
    assert_eq!(violations(&clean()), Vec::<String>::new());

    let mut upward = clean();
    upward[0].text += "fn f() { crate::semantic::lower::lower(); }\n";
    assert_eq!(
        violations(&upward),
        [
            "src/syntax/ast.rs: `syntax` imports `crate::semantic`",
            "import cycle: semantic (src/semantic/lower.rs) → syntax (src/syntax/ast.rs) → semantic",
        ]
    );

    let mut emit_reads_syntax = clean();
    emit_reads_syntax[2].text += "use crate::{ir, syntax::yaml::Scalar};\n";
    assert_eq!(
        violations(&emit_reads_syntax),
        ["src/emit/sql/mod.rs: `emit` imports `crate::syntax`"]
    );

    // A comment names a module without depending on it.
    let mut comment = clean();
    comment[0].text += "/// See [`crate::semantic::lower`].\n";
    assert_eq!(violations(&comment), Vec::<String>::new());

    let mut cycle = clean();
    cycle[2].text += "use crate::emit::dbt::jinja_text;\n";
    assert_eq!(
        violations(&cycle),
        ["import cycle: emit::dbt (src/emit/dbt.rs) → emit::sql (src/emit/sql/mod.rs) → emit::dbt"]
    );
}
