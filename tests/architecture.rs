//! The pipeline's layering, read from the source: each file's `crate::`
//! and top-level `use super::` paths (imports and paths in code, not
//! comments) name the modules it depends on. The rules, each checked
//! directly and through other modules:
//!
//! - `syntax` (the front end) reaches none of `semantic`, `ir`, `emit`,
//!   nor anything after them;
//! - `semantic` reaches none of `emit`, `output`, `diff`, `run`, `slo`,
//!   `import`;
//! - `emit`, `diff`, `run`, `slo` and `import` read (or build) the IR: they reach neither
//!   `syntax` nor `semantic`;
//! - no two top-level modules depend on each other, directly or through
//!   others, and neither do two emitters (`emit::sql`, `emit::dbt`, …).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What each layer may not reach, directly or through other modules.
const RULES: &[(&str, &[&str])] = &[
    (
        "syntax",
        &[
            "semantic", "ir", "emit", "output", "diff", "run", "slo", "import", "project", "cli",
        ],
    ),
    (
        "semantic",
        &["emit", "output", "diff", "run", "slo", "import", "cli"],
    ),
    ("emit", &["syntax", "semantic", "cli"]),
    ("diff", &["syntax", "semantic", "cli"]),
    ("run", &["syntax", "semantic", "cli"]),
    ("slo", &["syntax", "semantic", "cli"]),
    ("import", &["syntax", "semantic", "cli"]),
];

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

/// The module paths a file's code names: each `crate::a::b…` (and each
/// member of a `use crate::{…}` group, at any depth), and each `use
/// super::…` at the top of the file, resolved against `module`.
fn imports(module: &[String], text: &str) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let mut code = String::new();
    for line in text.lines() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        // A file's own `use super::x` (not one inside an inline module,
        // such as `mod tests { use super::*; }`, which is indented).
        let relative = line
            .strip_prefix("pub use super::")
            .or_else(|| line.strip_prefix("use super::"));
        if let Some(rest) = relative {
            let parent = &module[..module.len().saturating_sub(1)];
            expand(parent, rest, &mut found);
        }
        code.push_str(line);
        code.push('\n');
    }
    let mut rest = code.as_str();
    while let Some(at) = rest.find("crate::") {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        expand(&[], rest, &mut found);
    }
    found
}

/// Add the path (or the paths of a group) `text` starts with, after
/// `prefix`.
fn expand(prefix: &[String], text: &str, found: &mut BTreeSet<Vec<String>>) {
    let mut path = prefix.to_vec();
    let mut rest = text;
    loop {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            rest = &rest[name.len()..];
            // `self`, globs and items (`Scope`) add nothing to the path.
            if name != "self" && !name.starts_with(|c: char| c.is_uppercase()) {
                path.push(name);
            }
            match rest.strip_prefix("::") {
                Some(more) => {
                    rest = more;
                    continue;
                }
                None => break,
            }
        }
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut member = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        expand(&path, member.trim(), found);
                        member.clear();
                        continue;
                    }
                    _ => {}
                }
                member.push(c);
            }
            expand(&path, member.trim(), found);
            return;
        }
        break;
    }
    if !path.is_empty() {
        found.insert(path);
    }
}

/// Every broken rule, as `file: message` lines.
fn violations(files: &[File]) -> Vec<String> {
    let emitters: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.module.len() >= 2 && f.module[0] == "emit")
        .map(|f| f.module[1].as_str())
        .collect();
    // The emitter grain: `emit::sql` and `emit::dbt` are units of their own;
    // `emit` itself (its mod.rs, its items) is one more.
    let fine = |path: &[String]| -> Option<String> {
        match path {
            [] => None,
            [first, second, ..] if first == "emit" && emitters.contains(second.as_str()) => {
                Some(format!("emit::{second}"))
            }
            [first, ..] => Some(first.clone()),
        }
    };
    let coarse = |path: &[String]| path.first().cloned();
    let mut out = Vec::new();
    let mut edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut top_edges: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files {
        let (Some(from), Some(top)) = (fine(&file.module), coarse(&file.module)) else {
            continue;
        };
        for import in imports(&file.module, &file.text) {
            let (Some(to), Some(to_top)) = (fine(&import), coarse(&import)) else {
                continue;
            };
            if to != from {
                edges
                    .entry(from.clone())
                    .or_default()
                    .entry(to)
                    .or_insert_with(|| file.path.clone());
            }
            if to_top != top {
                top_edges
                    .entry(top.clone())
                    .or_default()
                    .entry(to_top)
                    .or_insert_with(|| file.path.clone());
            }
        }
    }
    for (layer, forbidden) in RULES {
        for (target, via) in reachable(&top_edges, layer) {
            if forbidden.contains(&target.as_str()) {
                out.push(format!("`{layer}` reaches `{target}`: {}", via.join(" → ")));
            }
        }
    }
    let mut found: BTreeSet<String> = cycles(&top_edges).into_iter().collect();
    found.extend(cycles(&edges));
    out.extend(found);
    out
}

/// Each unit `from` reaches, with the first chain of imports (file names)
/// that reaches it.
fn reachable(
    edges: &BTreeMap<String, BTreeMap<String, String>>,
    from: &str,
) -> BTreeMap<String, Vec<String>> {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut queue = vec![(from.to_string(), Vec::new())];
    while let Some((node, via)) = queue.pop() {
        for (next, file) in edges.get(&node).into_iter().flatten() {
            if next == from || seen.contains_key(next) {
                continue;
            }
            let mut longer = via.clone();
            longer.push(format!("{file} imports `{next}`"));
            seen.insert(next.clone(), longer.clone());
            queue.push((next.clone(), longer));
        }
    }
    seen
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
fn paths_are_read_as_rust_resolves_them() {
    let paths = |module: &[&str], text: &str| -> Vec<String> {
        let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
        imports(&module, text)
            .into_iter()
            .map(|p| p.join("::"))
            .collect()
    };
    assert_eq!(
        paths(
            &["emit", "dbt"],
            "use crate::emit::{sql::dialect::X, yaml};\n"
        ),
        ["emit::sql::dialect", "emit::yaml"]
    );
    assert_eq!(
        paths(&["cli"], "use crate::{emit::{self, dbt}, load, Scope};\n"),
        ["emit", "emit::dbt", "load"]
    );
    assert_eq!(
        paths(
            &["emit", "sql"],
            "use super::dbt::jinja_text;\nmod t {\n    use super::*;\n}\n"
        ),
        ["emit::dbt::jinja_text"]
    );
    assert_eq!(
        paths(&["syntax"], "/// See [`crate::semantic`].\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        paths(&["x"], "let a = my_crate::b;\n"),
        Vec::<String>::new()
    );
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
            file("src/emit/mod.rs", "pub mod dbt;\npub mod sql;\n"),
            file("src/emit/sql/mod.rs", "use crate::ir::Ir;\n"),
            file("src/emit/dbt.rs", "use crate::emit::sql::dialect::X;\n"),
            file("src/output.rs", "use crate::emit::GeneratedFile;\n"),
            file("src/project.rs", "use crate::syntax::decode::Cx;\n"),
        ]
    };
    assert_eq!(violations(&clean()), Vec::<String>::new());

    let mut upward = clean();
    upward[0].text += "fn f() { crate::semantic::lower::lower(); }\n";
    assert_eq!(
        violations(&upward),
        [
            "`syntax` reaches `ir`: src/syntax/ast.rs imports `semantic` → src/semantic/lower.rs imports `ir`",
            "`syntax` reaches `semantic`: src/syntax/ast.rs imports `semantic`",
            "import cycle: semantic (src/semantic/lower.rs) → syntax (src/syntax/ast.rs) → semantic",
        ]
    );

    let mut emit_reads_syntax = clean();
    emit_reads_syntax[3].text += "use crate::{ir, syntax::yaml::Scalar};\n";
    assert_eq!(
        violations(&emit_reads_syntax),
        ["`emit` reaches `syntax`: src/emit/sql/mod.rs imports `syntax`"]
    );

    // Through another module: emit → project → syntax.
    let mut through = clean();
    through[4].text += "use crate::project::DbtTests;\n";
    assert_eq!(
        violations(&through),
        [
            "`emit` reaches `syntax`: src/emit/dbt.rs imports `project` → src/project.rs imports `syntax`"
        ]
    );

    // Two emitters, through a group and a relative path.
    let mut cycle = clean();
    cycle[3].text += "use super::dbt::jinja_text;\n";
    assert_eq!(
        violations(&cycle),
        ["import cycle: emit::dbt (src/emit/dbt.rs) → emit::sql (src/emit/sql/mod.rs) → emit::dbt"]
    );

    // Through the root of `emit`: emit ↔ output.
    let mut root = clean();
    root[2].text += "use crate::output::Mode;\n";
    assert_eq!(
        violations(&root),
        ["import cycle: emit (src/emit/mod.rs) → output (src/output.rs) → emit"]
    );
}
