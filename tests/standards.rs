//! The open standards: ODCS v3 and the Data Contract Specification.
//!
//! - Every file of the public corpus (tests/standards/corpus, see
//!   tests/standards/SOURCES.md) loads: it compiles to every target, or
//!   each construct datapact cannot compile is reported with file, line and
//!   column. The diagnostics of the whole corpus are one snapshot; the IR of
//!   a few files another.
//! - `convert` is exact: native → ODCS → native and native → native give
//!   the same IR, for the example contracts and for generated ones, and the
//!   ODCS it writes validates against the ODCS v3.1.0 JSON Schema.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use datapact::diagnostic::Severity;
use datapact::emit::convert::{self, To};
use datapact::ir::Ir;
use datapact::source::Sources;
use proptest::prelude::*;

fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in ["odcs", "dcs"] {
        let dir = common::root().join("tests/standards/corpus").join(dir);
        for entry in std::fs::read_dir(dir).unwrap() {
            files.push(entry.unwrap().path());
        }
    }
    files.sort();
    files
}

fn relative(path: &Path) -> String {
    path.strip_prefix(common::root())
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn every_corpus_file_loads_and_compiles_or_says_why() {
    let mut report = String::new();
    let (mut clean, mut without_warnings, mut contracts, mut not_compiled) = (0, 0, 0, 0);
    let files = corpus();
    for path in &files {
        let mut sources = Sources::new();
        sources.add(relative(path), std::fs::read_to_string(path).unwrap());
        let checked = datapact::check(&sources);
        for d in &checked.diagnostics {
            let at = d.position(&sources);
            assert!(d.primary.is_some(), "{at}: unlocated {d:?}");
            report.push_str(&format!(
                "{at} {}[{}]: {}\n",
                d.severity.as_str(),
                d.code.as_str(),
                d.message
            ));
            not_compiled += usize::from(d.code.as_str() == "not-compiled");
        }
        let errors = checked
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error);
        let Some(ir) = checked.ir else {
            assert!(errors);
            continue;
        };
        // Every target, every dialect.
        for &dialect in datapact::types::Dialect::ALL {
            let _ = datapact::emit::sql::emit(&ir, dialect);
        }
        // Portable: every dialect's SQL.
        let dbt = datapact::emit::dbt::Options::default();
        datapact::emit::dbt::emit(&ir, &dbt).unwrap_or_else(|e| panic!("{}: {e}", relative(path)));
        datapact::emit::docs::emit(&ir, &datapact::emit::docs::Options::default())
            .unwrap_or_else(|e| panic!("{}: {:?}", relative(path), e.diagnostic));
        clean += 1;
        contracts += ir.datasets.len();
        without_warnings += usize::from(checked.diagnostics.is_empty());
    }
    let summary = format!(
        "{} files: {clean} compile to every target ({without_warnings} without a warning), {} do not; {contracts} contracts; {not_compiled} constructs reported as not compiled",
        files.len(),
        files.len() - clean
    );
    eprintln!("{summary}");
    assert!(clean * 10 >= files.len() * 9, "{summary}");
    insta::assert_snapshot!("corpus_diagnostics", format!("{summary}\n\n{report}"));
}

/// The IR of a few corpus files, to review the mapping.
#[test]
fn corpus_ir() {
    for name in [
        "odcs/orders.odcs.yaml",
        "odcs/full-example.odcs.yaml",
        "odcs/servicelevels.odcs.yaml",
        "dcs/orders-latest__datacontract.yaml",
        "dcs/quality__datacontract.yaml",
    ] {
        let path = common::root().join("tests/standards/corpus").join(name);
        let mut sources = Sources::new();
        sources.add(relative(&path), std::fs::read_to_string(&path).unwrap());
        let ir = datapact::check(&sources).ir.expect("compiles");
        let snapshot = name.replace(['/', '.'], "_");
        insta::assert_json_snapshot!(format!("ir__{snapshot}"), ir);
    }
}

// ---------------------------------------------------------------------------
// convert: exact both ways

/// The IR of these files, read as one set.
fn ir_of(files: &[(String, String)]) -> Result<Ir, String> {
    let mut sources = Sources::new();
    for (path, text) in files {
        sources.add(path.clone(), text.clone());
    }
    let checked = datapact::check(&sources);
    let problems: Vec<_> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.as_str() != "no-owner")
        .collect();
    if !problems.is_empty() {
        let all: Vec<_> = problems.into_iter().cloned().collect();
        return Err(common::render(&sources, &all));
    }
    checked.ir.ok_or_else(|| "no IR".to_string())
}

/// The IR without where each dataset came from.
fn comparable(mut ir: Ir) -> serde_json::Value {
    for ds in &mut ir.datasets {
        ds.source_path.clear();
    }
    serde_json::to_value(ir).unwrap()
}

fn round_trip(ir: &Ir, to: To) -> Result<Ir, String> {
    let files: Vec<(String, String)> = ir
        .datasets
        .iter()
        .map(|ds| (to.file_name(ds), convert::convert(ds, to)))
        .collect();
    ir_of(&files).map_err(|e| {
        let texts: Vec<String> = files.iter().map(|(p, t)| format!("==> {p}\n{t}")).collect();
        format!("{e}\n{}", texts.join("\n"))
    })
}

fn assert_round_trips(ir: &Ir) {
    for to in [To::Native, To::Odcs] {
        let back = round_trip(ir, to).unwrap_or_else(|e| panic!("{to:?}: {e}"));
        let (want, got) = (comparable(ir.clone()), comparable(back));
        if want != got {
            let texts: Vec<String> = ir
                .datasets
                .iter()
                .map(|ds| convert::convert(ds, to))
                .collect();
            panic!(
                "{to:?} is not exact:\nwant {}\ngot  {}\n{}",
                serde_json::to_string_pretty(&want).unwrap(),
                serde_json::to_string_pretty(&got).unwrap(),
                texts.join("\n---\n")
            );
        }
    }
}

#[test]
fn example_contracts_round_trip() {
    let sources = common::load(&common::root().join("contracts"));
    let ir = datapact::check(&sources).ir.expect("valid examples");
    assert_round_trips(&ir);
}

/// Cases the generator does not make: references across contracts, names
/// needing quotes, e-mail-like owner names, a dotted table name with a
/// freshness SLA ODCS says natively, per-dialect types, YAML-ambiguous text.
#[test]
fn edge_cases_round_trip() {
    let a = r##"
contract: edge.customers
version: 1.0.0
owners:
  - {name: ops@example.com, email: ops@example.com}
  - {name: bob@example.com}
  - {name: "Carol: \"the\" steward", email: carol@example.com, role: steward}
dataset: {database: db, schema: "my schema", name: "events.v1", dbt: {source: raw}}
freshness: {column: "seen at", error_after: 2h}
row_count: {min: 1, change: {max: 10%}, severity: warn}
slo: {window: 7d, quality: 99.95%}
columns:
  - {name: id, type: bigint, required: true, unique: true, physical_type: {snowflake: "NUMBER(38,0)", postgres: int8}}
  - {name: "seen at", type: timestamp_tz, null_rate: {max_increase: 0.5%, severity: warn}}
  - {name: order, type: string, accepted_values: ["yes", "null", "1.0", "~", "#x"]}
  - {name: "Dé  jà", type: string, description: "line one\nline \"two\": #3", pattern: '^[a-z]+$', length: {max: 3}}
checks:
  - {name: id__valid, expression: "id > 0"}
"##;
    let b = r#"
contract: edge.orders
version: 2.0.0-rc.1
dataset: {name: orders}
row_count: {change: {max: 40%}, name: volume}
columns:
  - {name: customer, type: bigint, references: edge.customers.id}
  - {name: at, type: date, min: '2020-01-01', max: {value: '2030-12-31', severity: warn}}
"#;
    let ir = ir_of(&[("a.yaml".into(), a.into()), ("b.yaml".into(), b.into())])
        .unwrap_or_else(|e| panic!("{e}"));
    assert_round_trips(&ir);
    let validator = odcs_validator();
    for ds in &ir.datasets {
        let text = convert::to_odcs(ds);
        let errors = odcs_schema_errors(&validator, &text);
        assert!(errors.is_empty(), "{errors:#?}\n{text}");
    }
}

/// Struct, array and map columns with rules inside, three levels deep:
/// native → ODCS → native and native → native keep every part and rule, and
/// the ODCS text validates (v3.2.0 for a contract with a map).
#[test]
fn nested_columns_round_trip() {
    let text = r#"
contract: edge.events
version: 1.0.0
dataset: {name: events}
columns:
  - name: address
    type: struct
    description: Where it goes.
    fields:
      - {name: zip, type: string, required: true, pattern: '[0-9]{5}', length: {max: 5}}
      - name: geo
        type: struct
        fields: [{name: lat, type: double, min: -90, max: {value: 90, severity: warn}}]
  - name: items
    type: array
    length: {min: 1, max: 10}
    items:
      type: struct
      required: true
      fields:
        - {name: sku, type: string, unique: false, required: true, accepted_values: [a, b]}
        - {name: tags, type: array, unique_items: true, items: {type: string, pattern: '[a-z]+'}}
  - {name: scores, type: array, items: integer}
"#;
    let with_map = format!(
        "{text}  - {{name: labels, type: map, keys: {{type: string, length: {{max: 8}}}}, values: {{type: integer, min: 0}}}}
"
    );
    let validator = odcs_validator();
    let v32 = odcs_validator_of("v3.2.0");
    for (text, validator) in [(text.to_string(), &validator), (with_map, &v32)] {
        let ir = ir_of(&[("a.yaml".into(), text)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(ir.datasets[0].checks.iter().any(|c| !c.path.is_empty()));
        assert_round_trips(&ir);
        let odcs = convert::to_odcs(&ir.datasets[0]);
        let errors = odcs_schema_errors(validator, &odcs);
        assert!(
            errors.is_empty(),
            "{errors:#?}
{odcs}"
        );
    }
}

/// ODCS nested properties that state what only a table's column can be (a
/// primary key, a relationship) or `unique` inside array items: warnings,
/// not errors, and the rest of the nested column compiles.
#[test]
fn nested_table_rules_in_odcs_are_not_compiled_warnings() {
    let text = r#"apiVersion: v3.1.0
kind: DataContract
id: nested-keys
version: 1.0.0
status: active
schema:
  - name: shipments
    physicalType: table
    properties:
      - name: shipment_id
        logicalType: integer
      - name: address
        logicalType: object
        properties:
          - name: id
            logicalType: integer
            primaryKey: true
          - name: shipment
            logicalType: integer
            relationships:
              - to: shipments.shipment_id
      - name: lines
        logicalType: array
        items:
          logicalType: object
          properties:
            - name: sku
              logicalType: string
              unique: true
"#;
    let mut sources = Sources::new();
    sources.add("nested.odcs.yaml", text.to_string());
    let checked = datapact::check(&sources);
    let messages: Vec<String> = checked
        .diagnostics
        .iter()
        .filter(|d| d.code.to_string() == "not-compiled")
        .map(|d| d.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "a primary key inside a nested column is not compiled",
            "a relationship of a value inside a nested column is not compiled",
            "`unique` inside an array or a map is not compiled",
        ],
        "{}",
        common::render(&sources, &checked.diagnostics)
    );
    let ir = checked.ir.expect("compiles");
    let ds = &ir.datasets[0];
    assert_eq!(ds.columns[2].items.as_ref().unwrap().fields[0].name, "sku");
}

/// A DCS definition that refers to itself nests without end: read to the
/// language's depth, the rest as `json`, with a warning, never a crash.
#[test]
fn a_self_referencing_dcs_definition_stops_at_the_nesting_limit() {
    let text = r##"dataContractSpecification: 1.1.0
id: tree
info: {title: Tree, version: 1.0.0}
models:
  nodes:
    fields:
      root: {$ref: '#/definitions/node'}
definitions:
  node:
    type: object
    fields:
      label: {type: string, required: true}
      children: {type: array, items: {$ref: '#/definitions/node'}}
"##;
    let mut sources = Sources::new();
    sources.add("tree.yaml", text.to_string());
    let checked = datapact::check(&sources);
    let deep: Vec<&String> = checked
        .diagnostics
        .iter()
        .map(|d| &d.message)
        .filter(|m| m.contains("nested more than 8 levels"))
        .collect();
    assert_eq!(
        deep.len(),
        1,
        "{}",
        common::render(&sources, &checked.diagnostics)
    );
    let ir = checked.ir.expect("compiles");
    assert!(
        ir.datasets[0]
            .checks
            .iter()
            .any(|c| c.name == "root.label__required")
    );
}

fn odcs_validator() -> jsonschema::Validator {
    odcs_validator_of("v3.1.0")
}

fn odcs_validator_of(version: &str) -> jsonschema::Validator {
    let path = common::root().join(format!(
        "tests/standards/schemas/odcs-json-schema-{version}.json"
    ));
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).expect("the ODCS schema is a JSON Schema")
}

fn odcs_schema_errors(validator: &jsonschema::Validator, text: &str) -> Vec<String> {
    let mut sources = Sources::new();
    let file = sources.add("x.odcs.yaml", text.to_string());
    let (node, diags) = datapact::syntax::yaml::parse(file, sources.get(file));
    assert!(diags.is_empty(), "{diags:?}");
    let doc = node.expect("a document").to_json();
    validator
        .iter_errors(&doc)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

#[test]
fn odcs_output_validates_against_the_odcs_schema() {
    let validator = odcs_validator();
    let sources = common::load(&common::root().join("contracts"));
    let ir = datapact::check(&sources).ir.expect("valid examples");
    for ds in &ir.datasets {
        let text = convert::to_odcs(ds);
        let errors = odcs_schema_errors(&validator, &text);
        assert!(errors.is_empty(), "{}: {errors:#?}\n{text}", ds.contract);
    }
}

#[test]
fn convert_command_writes_files_and_prints_one() {
    let out = common::tempdir("convert");
    std::fs::remove_dir(&*out).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_datapact"))
            .args(args)
            .current_dir(common::root())
            .output()
            .unwrap()
    };
    let o = run(&[
        "convert",
        "contracts",
        "--to",
        "odcs",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 6);
    assert_eq!(names[0], "shop.customers.odcs.yaml");
    // Again: refused without --force, nothing changed.
    let o = run(&[
        "convert",
        "contracts",
        "--to",
        "odcs",
        "--out",
        &out.to_string_lossy(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not overwriting"));
    // One contract prints to stdout: a DCS file, as native.
    let o = run(&[
        "convert",
        "tests/standards/corpus/dcs/datacontract_servicelevels.yaml",
        "--to",
        "native",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let native = String::from_utf8(o.stdout).unwrap();
    assert!(
        native.starts_with("contract: postgres.my_table\nversion: \"0.0.1\"\n"),
        "{native}"
    );
    // Several without --out: refused.
    let o = run(&["convert", "contracts", "--to", "native"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("6 contracts to convert, and no --out"));
}

// ---------------------------------------------------------------------------
// Generated contracts

#[derive(Debug, Clone)]
struct Opts {
    warn: bool,
    filter: bool,
    tolerance: Option<&'static str>,
    description: Option<&'static str>,
    name: Option<&'static str>,
}

fn opts() -> impl Strategy<Value = Opts> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec!["3", "\"5%\"", "0"])),
        prop::option::of(prop::sample::select(vec![
            "plain words",
            "it's \"quoted\": yes, #1",
            "two\nlines",
        ])),
        prop::option::of(prop::sample::select(vec!["custom_name", "other_name"])),
    )
        .prop_map(|(warn, filter, tolerance, description, name)| Opts {
            warn,
            filter,
            tolerance,
            description,
            name,
        })
}

impl Opts {
    /// `severity`, `where`, `tolerance`, `description` and `name`, as set.
    fn parts(&self, taken: &mut Vec<String>) -> Vec<String> {
        let mut parts = Vec::new();
        if self.warn {
            parts.push("severity: warn".into());
        }
        if self.filter {
            parts.push("where: \"id > 0\"".into());
        }
        if let Some(t) = self.tolerance {
            parts.push(format!("tolerance: {t}"));
        }
        if let Some(d) = self.description {
            parts.push(format!(
                "description: {}",
                serde_json::to_string(d).unwrap()
            ));
        }
        if let Some(n) = self.name {
            if !taken.iter().any(|t| t == n) {
                taken.push(n.to_string());
                parts.push(format!("name: {n}"));
            }
        }
        parts
    }

    /// The rule in long form with these options, or the short form.
    fn rule(&self, long_key: &str, value: &str, taken: &mut Vec<String>) -> String {
        let options = self.parts(taken);
        if options.is_empty() {
            return value.to_string();
        }
        let mut parts = vec![format!("{long_key}: {value}")];
        parts.extend(options);
        format!("{{{}}}", parts.join(", "))
    }
}

/// A generated column: `name|type`, and its rules (key, value, options).
type GenColumn = (String, Vec<(String, String, Opts)>);

/// One column of a generated contract, with rules its type allows.
fn column(name: &'static str) -> impl Strategy<Value = GenColumn> {
    let types = prop::sample::select(vec![
        "string",
        "integer",
        "bigint",
        "decimal(10,2)",
        "double",
        "boolean",
        "date",
        "timestamp",
        "timestamp_tz",
        "uuid",
        "json",
        "float",
        "smallint",
        "time",
        "binary",
    ]);
    (types, prop::collection::vec((0usize..8, opts()), 0..4)).prop_map(move |(ty, rules)| {
        let mut out = Vec::new();
        for (kind, o) in rules {
            let (key, value) = match (kind, ty) {
                (0, _) => ("required", "true"),
                (1, "json") => continue,
                (1, _) => ("unique", "true"),
                (2, "string") => ("accepted_values", "[a, \"b c\", \"1\"]"),
                (2, "integer" | "bigint") => ("accepted_values", "[1, 2, 3]"),
                (3, "integer" | "bigint" | "double" | "float" | "smallint") => ("min", "0"),
                (3, "decimal(10,2)") => ("min", "0.5"),
                (3, "date") => ("min", "'2020-01-01'"),
                (4, "integer" | "bigint" | "double" | "decimal(10,2)") => ("max", "100"),
                (4, "timestamp") => ("max", "'2030-01-01T00:00:00'"),
                (5, "string") => ("pattern", "'[A-Z]{2}[0-9]+'"),
                (6, "string") => ("length", "{min: 1, max: 10}"),
                (7, "string") => ("length", "{max: 5}"),
                _ => continue,
            };
            if out
                .iter()
                .any(|(k, _, _): &(String, String, Opts)| k == key)
            {
                continue;
            }
            out.push((key.to_string(), value.to_string(), o));
        }
        (format!("{name}|{ty}"), out)
    })
}

#[derive(Debug, Clone)]
struct Spec {
    title: bool,
    owners: usize,
    location: (bool, bool),
    dbt: u8,
    columns: Vec<GenColumn>,
    row_count: Option<(Option<u64>, Option<u64>, Opts)>,
    freshness: Option<(Option<&'static str>, Option<&'static str>, bool)>,
    checks: Vec<(u8, Opts)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        any::<bool>(),
        0usize..3,
        (any::<bool>(), any::<bool>()),
        0u8..3,
        (
            column("id"),
            column("amount"),
            column("note"),
            column("seen_at"),
        ),
        prop::option::of((
            prop::option::of(0u64..10),
            prop::option::of(10u64..1000),
            opts(),
        )),
        prop::option::of((
            prop::option::of(prop::sample::select(vec!["30m", "2h"])),
            prop::option::of(prop::sample::select(vec!["1d", "1w", "36h"])),
            any::<bool>(),
        )),
        prop::collection::vec((0u8..3, opts()), 0..3),
    )
        .prop_map(
            |(title, owners, location, dbt, (a, b, c, d), row_count, freshness, checks)| Spec {
                title,
                owners,
                location,
                dbt,
                columns: vec![a, b, c, d],
                row_count: row_count.filter(|(min, max, _)| min.is_some() || max.is_some()),
                freshness: freshness.filter(|(w, e, _)| w.is_some() || e.is_some()),
                checks,
            },
        )
}

fn contract_text(spec: &Spec) -> String {
    let mut t = String::from("contract: gen.orders\nversion: 1.2.3\n");
    if spec.title {
        t.push_str(
            "title: \"Orders: generated\"\ndescription: |\n  First line.\n\n  Second paragraph.\nrenamed_from: gen.orders_v1\n",
        );
    }
    if spec.owners > 0 {
        t.push_str("owners:\n  - {name: Team A, email: a@example.com}\n");
    }
    if spec.owners > 1 {
        t.push_str("  - {name: Stewards, role: steward}\n");
    }
    t.push_str("tags: [gen, \"x y\"]\ndataset:\n");
    let (db, schema) = spec.location;
    if schema {
        if db {
            t.push_str("  database: analytics\n");
        }
        t.push_str("  schema: marts\n");
    }
    t.push_str("  name: orders\n");
    match spec.dbt {
        1 => t.push_str("  dbt: {model: orders}\n"),
        2 => t.push_str("  dbt: {source: raw}\n"),
        _ => {}
    }
    let mut taken = Vec::new();
    if let Some((min, max, o)) = &spec.row_count {
        let mut parts = Vec::new();
        if let Some(m) = min {
            parts.push(format!("min: {m}"));
        }
        if let Some(m) = max {
            parts.push(format!("max: {m}"));
        }
        if o.warn {
            parts.push("severity: warn".into());
        }
        if let Some(d) = o.description {
            parts.push(format!(
                "description: {}",
                serde_json::to_string(d).unwrap()
            ));
        }
        t.push_str(&format!("row_count: {{{}}}\n", parts.join(", ")));
    }
    if let Some((warn, error, filter)) = &spec.freshness {
        let mut parts = vec!["column: loaded_at".to_string()];
        if let Some(w) = warn {
            parts.push(format!("warn_after: {w}"));
        }
        if let Some(e) = error {
            parts.push(format!("error_after: {e}"));
        }
        if *filter {
            parts.push("where: \"id > 0\"".into());
        }
        t.push_str(&format!("freshness: {{{}}}\n", parts.join(", ")));
    }
    if spec.owners > 1 {
        t.push_str(
            "columns:\n  - {name: loaded_at, type: timestamp_tz, renamed_from: \"loaded at\"}\n",
        );
    } else {
        t.push_str("columns:\n  - {name: loaded_at, type: timestamp_tz}\n");
    }
    for (name_ty, rules) in &spec.columns {
        let (name, ty) = name_ty.split_once('|').unwrap();
        t.push_str(&format!("  - name: {name}\n    type: \"{ty}\"\n"));
        for (key, value, o) in rules {
            let long_key = if key == "accepted_values" {
                "values"
            } else {
                "value"
            };
            let text = if key == "length" {
                let mut parts: Vec<String> = value
                    .trim_matches(['{', '}'])
                    .split(", ")
                    .map(String::from)
                    .collect();
                parts.extend(o.parts(&mut taken));
                format!("{{{}}}", parts.join(", "))
            } else {
                o.rule(long_key, value, &mut taken)
            };
            t.push_str(&format!("    {key}: {text}\n"));
        }
    }
    let mut checks = String::new();
    for (i, (kind, o)) in spec.checks.iter().enumerate() {
        let body = match kind {
            0 => "expression: \"id >= 0 or note is null\"".to_string(),
            1 => "unique: [id, note]".to_string(),
            _ => "sql: \"select id from {{ table }} where id < 0\"".to_string(),
        };
        let mut parts = vec![format!("name: check_{i}"), body];
        if o.warn {
            parts.push("severity: warn".into());
        }
        if o.filter && *kind != 2 {
            parts.push("where: \"id > 0\"".into());
        }
        if let Some(tol) = o.tolerance {
            parts.push(format!("tolerance: {tol}"));
        }
        if let Some(d) = o.description {
            parts.push(format!(
                "description: {}",
                serde_json::to_string(d).unwrap()
            ));
        }
        checks.push_str(&format!("  - {{{}}}\n", parts.join(", ")));
    }
    if !checks.is_empty() {
        t.push_str("checks:\n");
        t.push_str(&checks);
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Generated contracts convert to native and to ODCS and back to the
    /// same IR, and their ODCS validates against the ODCS schema.
    #[test]
    fn generated_contracts_round_trip(spec in spec()) {
        let text = contract_text(&spec);
        let ir = match ir_of(&[("gen.yaml".to_string(), text.clone())]) {
            Ok(ir) => ir,
            Err(e) => return Err(TestCaseError::fail(format!("the generator wrote an invalid contract:\n{text}\n{e}"))),
        };
        assert_round_trips(&ir);
        let validator = odcs_validator();
        let odcs = convert::to_odcs(&ir.datasets[0]);
        let errors = odcs_schema_errors(&validator, &odcs);
        prop_assert!(errors.is_empty(), "{errors:#?}\n{odcs}");
    }
}

/// ODCS's own forms where they mean the same as the native rule: bounds of
/// dates, timestamps and floating-point numbers in `logicalTypeOptions`,
/// a unique combination as a schema-level `duplicateValues`; read back to
/// the same contract.
#[test]
fn odcs_output_uses_the_standard_forms() {
    let text = r#"
contract: std.readings
version: 1.0.0
owners: [{name: T}]
dataset: {name: readings}
columns:
  - {name: sensor, type: string, required: true}
  - {name: day, type: date, min: '2020-01-01', max: '2030-12-31'}
  - {name: at, type: timestamp_tz, min: '2020-01-01T00:00:00Z'}
  - {name: level, type: double, min: 0.5, max: 1.5e3}
checks:
  - {name: one_reading_a_day, unique: [sensor, day]}
"#;
    let ir = ir_of(&[("r.yaml".into(), text.into())]).unwrap_or_else(|e| panic!("{e}"));
    let odcs = convert::to_odcs(&ir.datasets[0]);
    for standard in [
        r#"logicalTypeOptions: {minimum: "2020-01-01", maximum: "2030-12-31"}"#,
        r#"logicalTypeOptions: {minimum: "2020-01-01T00:00:00Z"}"#,
        "logicalTypeOptions: {minimum: 0.5, maximum: 1.5e3}",
        "metric: duplicateValues",
        "properties: [sensor, day]",
    ] {
        assert!(odcs.contains(standard), "{standard}\n{odcs}");
    }
    assert!(!odcs.contains("engine: datapact"), "{odcs}");
    assert!(
        odcs_schema_errors(&odcs_validator(), &odcs).is_empty(),
        "{odcs}"
    );
    assert_round_trips(&ir);
}

/// An ODCS `duckdb` server's `database` is the database file: the check
/// query names no catalog, and runs in that file as docs/standards.md says
/// (`duckdb bench.duckdb < check.sql`, here through DuckDB's Python API,
/// which opens a file the same way).
#[test]
fn a_duckdb_server_file_is_not_a_catalog() {
    let dir = common::tempdir("duckdb-server");
    let db = dir.join("bench.duckdb");
    let contract = format!(
        "apiVersion: v3.1.0\nkind: DataContract\nid: bench.invoices\nversion: 1.0.0\nstatus: active\nservers:\n  - server: local\n    type: duckdb\n    database: {}\n    schema: main\nschema:\n  - name: invoices\n    properties:\n      - {{name: id, logicalType: integer, required: true}}\n",
        db.display()
    );
    let ir = ir_of(&[("invoices.odcs.yaml".into(), contract)]).unwrap_or_else(|e| panic!("{e}"));
    let sql = datapact::emit::sql::check_query(&ir.datasets[0], datapact::types::Dialect::Duckdb);
    assert!(sql.contains("\"main\".\"invoices\""), "{sql}");
    assert!(!sql.contains("bench.duckdb"), "{sql}");
    let Some(python) = std::env::var_os("DATAPACT_PYTHON") else {
        let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
        assert!(!required, "DATAPACT_PYTHON is required to run DuckDB");
        eprintln!("skipping the DuckDB run: DATAPACT_PYTHON is not set");
        return;
    };
    std::fs::write(dir.join("check.sql"), &sql).unwrap();
    let script = "import duckdb, sys\n\
        con = duckdb.connect(sys.argv[1])\n\
        con.execute('create table main.invoices (id integer)')\n\
        con.execute('insert into main.invoices values (1), (null)')\n\
        rows = con.execute(open(sys.argv[2]).read()).fetchall()\n\
        print(rows)\n";
    let o = std::process::Command::new(python)
        .args(["-c", script])
        .arg(&db)
        .arg(dir.join("check.sql"))
        .output()
        .expect("python runs");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{}{out}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains("'id__required'") && out.contains("'fail'"),
        "{out}"
    );
}
