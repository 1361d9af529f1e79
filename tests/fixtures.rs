//! Fixture suites: every invalid input with its exact rendered diagnostics,
//! every valid input with its lowered IR, and the JSON Schema checked against both.

mod common;

use std::path::Path;

use datapact::diagnostic::Code;
use datapact::source::Sources;

fn is_fixture(path: &Path) -> bool {
    path.is_dir() || path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

#[test]
fn invalid_fixtures() {
    insta::glob!("fixtures/invalid/*", |path| {
        if !is_fixture(path) {
            return;
        }
        let sources = common::load(path);
        let checked = datapact::check(&sources);
        assert!(
            checked.ir.is_none(),
            "{} lowered without errors",
            path.display()
        );
        for d in &checked.diagnostics {
            assert!(
                d.primary.is_some(),
                "diagnostic without a location in {}: {d:?}",
                path.display()
            );
        }
        insta::assert_snapshot!(common::render(&sources, &checked.diagnostics));
    });
}

/// Each invalid fixture reports exactly the codes its first line names.
#[test]
fn invalid_fixture_codes() {
    let dir = common::root().join("tests/fixtures/invalid");
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut mismatches = Vec::new();
    let mut count = 0;
    for path in entries.iter().filter(|p| is_fixture(p)) {
        let sources = common::load(path);
        let checked = datapact::check(&sources);
        let mut codes: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect();
        codes.sort();
        codes.dedup();
        let expected = common::expected_codes(&sources);
        if codes != expected {
            mismatches.push(format!(
                "{}: expected {expected:?}, got {codes:?}",
                path.display()
            ));
        }
        count += 1;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert!(count >= 50, "only {count} invalid fixtures");
}

#[test]
fn warning_fixtures() {
    insta::glob!("fixtures/warning/*.yaml", |path| {
        let sources = common::load(path);
        let checked = datapact::check(&sources);
        assert!(checked.ir.is_some(), "{} has errors", path.display());
        let mut codes: Vec<String> = checked
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect();
        codes.sort();
        assert_eq!(
            codes,
            common::expected_codes(&sources),
            "codes of {}",
            path.display()
        );
        insta::assert_snapshot!(common::render(&sources, &checked.diagnostics));
    });
}

#[test]
fn valid_fixtures() {
    insta::glob!("fixtures/valid/*", |path| {
        if !is_fixture(path) {
            return;
        }
        let sources = common::load(path);
        let checked = datapact::check(&sources);
        let errors: Vec<_> = checked
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .collect();
        assert!(
            errors.is_empty(),
            "{}:\n{}",
            path.display(),
            common::render(&sources, &checked.diagnostics)
        );
        // Only the fixture that is about it may warn about owners.
        for d in &checked.diagnostics {
            assert!(
                d.code == Code::NoOwner && path.ends_with("minimal.yaml"),
                "unexpected {d:?}"
            );
        }
        insta::assert_yaml_snapshot!(checked.ir.expect("lowered"));
    });
}

#[test]
fn example_contracts_are_valid() {
    let sources = common::load(&common::root().join("contracts"));
    assert!(sources.len() >= 6);
    let checked = datapact::check(&sources);
    assert!(
        checked.diagnostics.is_empty(),
        "{}",
        common::render(&sources, &checked.diagnostics)
    );
    let ir = checked.ir.expect("lowered");
    insta::assert_yaml_snapshot!("example_contracts_ir", ir);
}

/// Every rule kind is used by the example contracts.
#[test]
fn example_contracts_use_every_rule_kind() {
    let sources = common::load(&common::root().join("contracts"));
    let ir = datapact::check(&sources).ir.expect("lowered");
    let mut rules: Vec<&str> = ir
        .datasets
        .iter()
        .flat_map(|d| d.checks.iter().map(|c| c.kind.rule()))
        .collect();
    rules.sort();
    rules.dedup();
    assert_eq!(
        rules,
        [
            "accepted_values",
            "expression",
            "freshness",
            "length",
            "max",
            "min",
            "pattern",
            "references",
            "required",
            "row_count",
            "sql",
            "unique",
            "unique_combination",
            "unique_items"
        ]
    );
}

// --- The JSON Schema -------------------------------------------------------

fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&datapact::syntax::schema::json_schema()).unwrap();
    jsonschema::validator_for(&schema).expect("the schema is a valid JSON Schema")
}

fn documents(sources: &Sources) -> Vec<(String, serde_json::Value)> {
    sources
        .iter()
        .filter_map(|(id, file)| {
            let (node, _) = datapact::syntax::yaml::parse(id, file);
            Some((file.path.clone(), node?.to_json()))
        })
        .collect()
}

fn schema_errors(validator: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn committed_schema_is_current() {
    let path = common::root().join("datapact.schema.json");
    let generated = datapact::syntax::schema::json_schema();
    if std::env::var_os("DATAPACT_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "datapact.schema.json is stale: run `cargo run -- schema --out datapact.schema.json`"
    );
}

#[test]
fn schema_accepts_every_valid_document() {
    let validator = schema_validator();
    let root = common::root();
    let mut count = 0;
    for dir in [
        "contracts",
        "tests/fixtures/valid",
        "tests/fixtures/warning",
    ] {
        for (path, doc) in documents(&common::load(&root.join(dir))) {
            let errors = schema_errors(&validator, &doc);
            assert!(
                errors.is_empty(),
                "{path} is rejected by the schema: {errors:#?}"
            );
            count += 1;
        }
    }
    let example =
        datapact::source::SourceFile::new("init example", datapact::cli::EXAMPLE_CONTRACT);
    let (node, _) = datapact::syntax::yaml::parse(datapact::source::FileId(0), &example);
    assert!(schema_errors(&validator, &node.unwrap().to_json()).is_empty());
    assert!(count >= 30, "only {count} documents checked");
}

/// Fixtures whose only problem is one the schema can express are rejected by it too,
/// so editors flag what `datapact validate` flags.
#[test]
fn schema_rejects_structural_errors() {
    let validator = schema_validator();
    let structural = [
        "unknown-key",
        "missing-key",
        "wrong-type",
        "invalid-contract-id",
        "invalid-duration",
        "invalid-check-name",
        "unknown-dialect",
    ];
    let dir = common::root().join("tests/fixtures/invalid");
    let mut checked = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        // The schema's duration pattern does not bound a duration's length.
        if path
            .file_name()
            .is_some_and(|n| n == "duration_too_long.yaml")
        {
            continue;
        }
        let sources = common::load(&path);
        let codes = common::expected_codes(&sources);
        if codes.len() != 1 || !structural.contains(&codes[0].as_str()) {
            continue;
        }
        for (file, doc) in documents(&sources) {
            assert!(
                !validator.is_valid(&doc),
                "{file} ({}) passes the schema",
                codes[0]
            );
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} structural fixtures");
}

/// Every stored snapshot belongs to a fixture that still exists (no orphans).
#[test]
fn no_orphaned_snapshots() {
    let root = common::root();
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(root.join("tests/snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".snap") else {
            orphans.push(name);
            continue;
        };
        let exists = match stem.split_once('@') {
            Some(("fixtures__invalid_fixtures", f)) => {
                root.join("tests/fixtures/invalid").join(f).exists()
            }
            Some(("fixtures__valid_fixtures", f)) => {
                root.join("tests/fixtures/valid").join(f).exists()
            }
            Some(("fixtures__warning_fixtures", f)) => {
                root.join("tests/fixtures/warning").join(f).exists()
            }
            _ => match stem.strip_prefix("sql_snapshots__sql__") {
                // sql_snapshots__sql__<dialect>__<contract>
                Some(rest) => rest.split_once("__").is_some_and(|(dialect, contract)| {
                    datapact::types::Dialect::from_name(dialect).is_some()
                        && root
                            .join("contracts/shop")
                            .join(format!("{}.yaml", contract.trim_start_matches("shop.")))
                            .exists()
                }),
                None => match stem.strip_prefix("dbt_snapshots__dbt__") {
                    // dbt_snapshots__dbt__macros__<portable|dialect> or __<case>
                    Some(rest) => match rest.strip_prefix("macros__") {
                        Some(which) => {
                            which == "portable"
                                || datapact::types::Dialect::from_name(which).is_some()
                        }
                        None => [
                            "portable_per_rule",
                            "portable_single_scan",
                            "duckdb_per_rule",
                            "snowflake_enforced",
                        ]
                        .contains(&rest),
                    },
                    None => match stem.strip_prefix("catalog__docs__") {
                        // catalog__docs__[html__]<contract or index>.<md|html>
                        Some(rest) => {
                            let page = rest.strip_prefix("html__").unwrap_or(rest);
                            let contract = page
                                .strip_suffix(".md")
                                .or_else(|| page.strip_suffix(".html"))
                                .unwrap_or("");
                            contract == "index"
                                || root
                                    .join("contracts/shop")
                                    .join(format!("{}.yaml", contract.trim_start_matches("shop.")))
                                    .exists()
                        }
                        None => match stem.strip_prefix("standards__ir__") {
                            // standards__ir__<dir>_<file, `.` as `_`>
                            Some(mangled) => ["odcs", "dcs"].iter().any(|dir| {
                                std::fs::read_dir(root.join("tests/standards/corpus").join(dir))
                                    .into_iter()
                                    .flatten()
                                    .flatten()
                                    .any(|e| {
                                        let name =
                                            format!("{dir}/{}", e.file_name().to_string_lossy());
                                        name.replace(['/', '.'], "_") == mangled
                                    })
                            }),
                            None => {
                                stem == "fixtures__example_contracts_ir"
                                    || stem == "standards__corpus_diagnostics"
                                    || ["text", "markdown", "json", "github"]
                                        .iter()
                                        .any(|f| stem == format!("diff__diff_{f}"))
                            }
                        },
                    },
                },
            },
        };
        if !exists {
            orphans.push(name);
        }
    }
    assert!(
        orphans.is_empty(),
        "orphaned snapshots (delete them): {orphans:?}"
    );
}
