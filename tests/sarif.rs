//! `--format sarif` for `validate` and `diff`: every log validates against
//! the SARIF 2.1.0 JSON Schema (tests/standards/schemas, from OASIS), holds
//! one result per diagnostic or change at the place the other formats name,
//! and has what code scanning needs of each result (a rule, a message, a
//! file and a line).

mod common;

use std::process::Output;

use common::{datapact, root, stderr, tempdir};
use serde_json::Value;

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn validator() -> jsonschema::Validator {
    let path = root().join("tests/standards/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the SARIF schema is a valid JSON Schema")
}

/// The log on stdout, checked against the schema and what code scanning
/// reads; returns its only run.
fn sarif_run(stdout: &[u8]) -> Value {
    let log: Value = serde_json::from_slice(stdout).expect("one JSON document on stdout");
    let errors: Vec<String> = validator()
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "not valid SARIF 2.1.0: {errors:#?}");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = runs[0].clone();
    assert_eq!(run["tool"]["driver"]["name"], "datapact");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for result in run["results"].as_array().unwrap() {
        let rule = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], rule, "{result}");
        assert!(!result["message"]["text"].as_str().unwrap().is_empty());
        let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
        assert!(uri.is_string(), "a result without a file: {result}");
    }
    run
}

#[test]
fn validate_writes_valid_sarif_at_the_diagnostics_places() {
    let dir = root();
    let invalid = "tests/fixtures/invalid";
    let o = datapact(&["validate", "--format", "sarif", invalid], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let run = sarif_run(&o.stdout);
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    // The same diagnostics, at the same places, as in JSON.
    let json = datapact(&["validate", "--format", "json", invalid], &dir);
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    let expected: Vec<(String, String, String, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let level = d["severity"].as_str().unwrap().to_string();
            (
                d["code"].as_str().unwrap().to_string(),
                level,
                d["file"].as_str().unwrap_or_default().to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["column"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    let got: Vec<(String, String, String, u64, u64)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let place = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                place["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                place["region"]["startLine"].as_u64().unwrap_or(0),
                place["region"]["startColumn"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert!(expected.len() > 100, "{}", expected.len());
    assert_eq!(got, expected);
    // Secondary labels are related locations.
    assert!(
        run["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["relatedLocations"][0]["message"]["text"].is_string())
    );

    // Valid contracts: an empty log, exit 0.
    let o = datapact(&["validate", "--format", "sarif", "contracts"], &dir);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let run = sarif_run(&o.stdout);
    assert_eq!(run["results"].as_array().unwrap().len(), 0);
}

#[test]
fn diff_writes_valid_sarif_with_errors_where_a_bump_is_missing() {
    let dir = tempdir("sarif-diff");
    let contract = |version: &str, columns: &str| {
        format!(
            "contract: shop.orders\nversion: {version}\nowners: [{{name: T}}]\ndataset: {{name: orders}}\ncolumns:\n{columns}"
        )
    };
    let old = contract(
        "1.0.0",
        "  - {name: id, type: integer, required: true}\n  - {name: note, type: string}\n",
    );
    // `note` removed (breaking) and `amount` added (minor), with a patch bump.
    let new = contract(
        "1.0.1",
        "  - {name: id, type: integer, required: true}\n  - {name: amount, type: \"decimal(12, 2)\"}\n",
    );
    std::fs::write(dir.join("old.yaml"), old).unwrap();
    std::fs::write(dir.join("new.yaml"), new).unwrap();
    let o = datapact(&["diff", "--format", "sarif", "old.yaml", "new.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let run = sarif_run(&o.stdout);
    let results: Vec<(String, String, String)> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["ruleId"].as_str().unwrap().to_string(),
                r["level"].as_str().unwrap().to_string(),
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let triple = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        results,
        [
            triple("column-added", "note", "new.yaml"),
            triple("column-removed", "error", "new.yaml"),
            triple("version", "error", "new.yaml"),
        ]
    );
    // The added column is located where it is written.
    let added = &run["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(added["startLine"], 7, "{added}");

    // Contracts with errors cannot be compared: their diagnostics, both
    // sides in one log.
    std::fs::write(dir.join("old.yaml"), "contract: shop.orders\nversion: x\n").unwrap();
    std::fs::write(
        dir.join("new.yaml"),
        "contract: shop.orders\nversoin: 1.0.0\n",
    )
    .unwrap();
    let o = datapact(&["diff", "--format", "sarif", "old.yaml", "new.yaml"], &dir);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let run = sarif_run(&o.stdout);
    let files: Vec<&str> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        files.contains(&"old.yaml") && files.contains(&"new.yaml"),
        "{files:?}"
    );

    // Other commands refuse it.
    let o = datapact(&["--format", "sarif", "compile"], &dir);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("`--format sarif` is for `validate` and `diff` only"));
}
