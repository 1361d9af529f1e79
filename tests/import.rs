//! `datapact import` end to end: the example contracts' tables created on
//! DuckDB and PostgreSQL (types, NOT NULL, UNIQUE, REFERENCES) imported
//! back, validated, run, and compared with the originals' schema part;
//! the DDL corpus of every dialect; a dbt manifest; and `--profile` on
//! planted data, counting its scans.

mod common;
mod harness;

use std::collections::BTreeSet;
use std::path::Path;

use datapact::ir::{CheckKind, Column, Dataset, Ir};
use datapact::types::{Dialect, LogicalType};
use harness::Engine;

fn datapact(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_datapact"))
        .args(args)
        .current_dir(dir)
        .env("DATAPACT_DRIVER_PATH", harness::driver_dir())
        .env("NO_COLOR", "1")
        .output()
        .expect("datapact runs")
}

/// `datapact run` of the contracts at `contracts` on `url`, in JSON,
/// storing nothing.
fn run_json(contracts: &str, url: &str, dir: &Path) -> std::process::Output {
    datapact(
        &[
            "run",
            contracts,
            "--connection",
            url,
            "--no-store",
            "--format",
            "json",
        ],
        dir,
    )
}

fn example_ir() -> Ir {
    let sources = common::load(&common::root().join("contracts"));
    datapact::check(&sources)
        .ir
        .expect("the example contracts validate")
}

fn ir_of(dir: &Path) -> Ir {
    let sources = common::load(dir);
    let checked = datapact::check(&sources);
    assert!(
        checked.ir.is_some(),
        "imported contracts validate:\n{}",
        common::render(&sources, &checked.diagnostics)
    );
    checked.ir.unwrap()
}

/// A column's type in `engine`'s DDL.
fn ddl_type(c: &Column, engine: Engine) -> String {
    let d = engine.dialect().sql();
    match (c.ty, engine) {
        (LogicalType::Struct | LogicalType::Array | LogicalType::Map, Engine::Postgres) => {
            "jsonb".into()
        }
        (LogicalType::Struct, _) => {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| format!("\"{}\" {}", f.name, ddl_type(f, engine)))
                .collect();
            format!("struct({})", fields.join(", "))
        }
        (LogicalType::Array, _) => format!("{}[]", ddl_type(c.items.as_ref().unwrap(), engine)),
        (LogicalType::Map, _) => format!(
            "map({}, {})",
            ddl_type(c.keys.as_ref().unwrap(), engine),
            ddl_type(c.values.as_ref().unwrap(), engine)
        ),
        (ty, _) => d.type_name(ty),
    }
}

fn required(ds: &Dataset, column: &str) -> bool {
    ds.checks.iter().any(|k| {
        k.column.as_deref() == Some(column)
            && k.path.is_empty()
            && k.kind == CheckKind::Required
            && k.filter.is_none()
    })
}

/// The schema part of a dataset: columns with types, required, unique and
/// references (by table), and unique combinations.
fn schema_part(ds: &Dataset, ir: &Ir, engine: Engine) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in &ds.columns {
        let ty = match (c.ty, engine) {
            (ty, Engine::Postgres) if ty.is_nested() => "json".to_string(),
            (ty, _) => ty.to_string(),
        };
        out.insert(format!("column {} {ty}", c.name));
        if engine != Engine::Postgres || !c.ty.is_nested() {
            for (step, child) in c.children() {
                out.insert(format!("part {}.{step:?} {}", c.name, child.ty));
            }
        }
        if required(ds, &c.name) {
            out.insert(format!("required {}", c.name));
        }
    }
    for k in ds
        .checks
        .iter()
        .filter(|k| k.filter.is_none() && k.path.is_empty())
    {
        match &k.kind {
            CheckKind::Unique => {
                out.insert(format!("unique {}", k.column.as_deref().unwrap()));
            }
            CheckKind::UniqueCombination { columns } => {
                out.insert(format!("unique {}", columns.join(",")));
            }
            CheckKind::References {
                contract, column, ..
            } => {
                let target = ir
                    .datasets
                    .iter()
                    .find(|d| &d.contract == contract)
                    .unwrap();
                out.insert(format!(
                    "references {} {}.{column}",
                    k.column.as_deref().unwrap(),
                    target.location.name
                ));
            }
            _ => {}
        }
    }
    out
}

/// The example datasets, referenced ones first.
fn in_order(ir: &Ir) -> Vec<&Dataset> {
    let mut order: Vec<&Dataset> = Vec::new();
    let mut left: Vec<&Dataset> = ir.datasets.iter().collect();
    while !left.is_empty() {
        let (ready, rest): (Vec<&Dataset>, Vec<&Dataset>) = left.into_iter().partition(|ds| {
            ds.checks.iter().all(|k| match &k.kind {
                CheckKind::References { contract, .. } => {
                    contract == &ds.contract || order.iter().any(|o| &o.contract == contract)
                }
                _ => true,
            })
        });
        assert!(!ready.is_empty(), "references form a cycle");
        order.extend(ready);
        left = rest;
    }
    order
}

/// CREATE TABLE statements for the example datasets in `schema`.
fn create_tables(ir: &Ir, schema: &str, engine: Engine) -> Vec<String> {
    let mut out = vec![format!("create schema {schema}")];
    for ds in in_order(ir) {
        let mut defs = Vec::new();
        for c in &ds.columns {
            let mut def = format!("\"{}\" {}", c.name, ddl_type(c, engine));
            if required(ds, &c.name) {
                def.push_str(" not null");
            }
            for k in ds.checks.iter().filter(|k| {
                k.column.as_deref() == Some(&c.name) && k.path.is_empty() && k.filter.is_none()
            }) {
                match &k.kind {
                    CheckKind::Unique => def.push_str(" unique"),
                    CheckKind::References {
                        contract, column, ..
                    } => {
                        let target = ir
                            .datasets
                            .iter()
                            .find(|d| &d.contract == contract)
                            .unwrap();
                        def.push_str(&format!(
                            " references {schema}.{}(\"{column}\")",
                            target.location.name
                        ));
                    }
                    _ => {}
                }
            }
            defs.push(def);
        }
        for k in &ds.checks {
            if let (CheckKind::UniqueCombination { columns }, None) = (&k.kind, &k.filter) {
                defs.push(format!("unique ({})", columns.join(", ")));
            }
        }
        out.push(format!(
            "create table {schema}.{} ({})",
            ds.location.name,
            defs.join(", ")
        ));
    }
    out
}

/// The example data loaded into the tables of [`create_tables`] on
/// DuckDB: the rows that keep their constraints (the example data breaks
/// some rules on purpose).
fn load_duckdb(url: &str, ir: &Ir, schema: &str) {
    let root = common::root();
    let mut statements = Vec::new();
    for ds in in_order(ir) {
        let path = root.join(ds.path.as_ref().unwrap());
        let path = path.to_str().unwrap();
        let reader = match path.rsplit('.').next().unwrap() {
            "parquet" => format!("read_parquet('{path}')"),
            "csv" => format!("read_csv('{path}')"),
            _ => format!("read_json_auto('{path}')"),
        };
        let columns: Vec<String> = ds
            .columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        let mut keep = vec!["true".to_string()];
        for c in &ds.columns {
            if required(ds, &c.name) {
                keep.push(format!("\"{}\" is not null", c.name));
            }
        }
        for k in ds
            .checks
            .iter()
            .filter(|k| k.filter.is_none() && k.path.is_empty())
        {
            if let CheckKind::References {
                contract, column, ..
            } = &k.kind
            {
                let target = ir
                    .datasets
                    .iter()
                    .find(|d| &d.contract == contract)
                    .unwrap();
                let c = k.column.as_deref().unwrap();
                keep.push(format!(
                    "(\"{c}\" is null or \"{c}\" in (select \"{column}\" from {schema}.{}))",
                    target.location.name
                ));
            }
        }
        statements.push(format!(
            "insert or ignore into {schema}.{} by name select {} from {reader} where {}",
            ds.location.name,
            columns.join(", "),
            keep.join(" and ")
        ));
    }
    harness::adbc_execute(url, &statements).expect("example data loaded");
}

/// The rows of the DuckDB tables copied into PostgreSQL's (nested values
/// as JSON).
fn copy_to_postgres(duckdb: &str, postgres: &str, ir: &Ir, schema: &str) -> usize {
    let mut statements = Vec::new();
    let mut copied = 0;
    for ds in in_order(ir) {
        let names: Vec<String> = ds
            .columns
            .iter()
            .map(|c| format!("\"{}\"", c.name))
            .collect();
        let select: Vec<String> = ds
            .columns
            .iter()
            .map(|c| match c.ty {
                ty if ty.is_nested() => format!("to_json(\"{}\")::varchar", c.name),
                // PostgreSQL's hex input of bytea.
                LogicalType::Binary => format!("'\\x' || lower(hex(\"{}\"))", c.name),
                _ => format!("\"{}\"::varchar", c.name),
            })
            .collect();
        let rows = harness::adbc_query(
            duckdb,
            &format!(
                "select {} from {schema}.{}",
                select.join(", "),
                ds.location.name
            ),
        )
        .unwrap();
        copied += rows.len();
        for chunk in rows.chunks(500) {
            let values: Vec<String> = chunk
                .iter()
                .map(|row| {
                    let cells: Vec<String> = row
                        .iter()
                        .map(|v| match v {
                            Some(v) => format!("'{}'", v.replace('\'', "''")),
                            None => "null".into(),
                        })
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            statements.push(format!(
                "insert into {schema}.{} ({}) values {}",
                ds.location.name,
                names.join(", "),
                values.join(", ")
            ));
        }
    }
    if let Err(e) = harness::adbc_execute(postgres, &statements) {
        panic!(
            "rows copied to PostgreSQL: {}",
            e.chars()
                .rev()
                .take(600)
                .collect::<String>()
                .chars()
                .rev()
                .collect::<String>()
        );
    }
    copied
}

/// The example contracts' tables created on `engine` with the example
/// data, imported back: the drafts validate, `run` passes on the same
/// data, and their schema part equals the originals'.
fn round_trip(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let ir = example_ir();
    let dir = common::tempdir(&format!("import_round_trip_{}", engine.name()));
    let schema = format!("import_rt_{}", std::process::id());
    let duckdb = format!("duckdb:{}", dir.as_path().join("shop.duckdb").display());
    harness::adbc_execute(&duckdb, &create_tables(&ir, &schema, Engine::Duckdb))
        .expect("tables created");
    load_duckdb(&duckdb, &ir, &schema);
    let url = match engine {
        Engine::Postgres => {
            let url = harness::pg_url("postgres", None, "postgres");
            harness::adbc_execute(&url, &create_tables(&ir, &schema, engine))
                .expect("tables created");
            let copied = copy_to_postgres(&duckdb, &url, &ir, &schema);
            assert!(copied > 1000, "{copied} rows");
            url
        }
        _ => duckdb,
    };
    let drop = || {
        if engine == Engine::Postgres {
            let _ = harness::adbc_execute(&url, &[format!("drop schema {schema} cascade")]);
        }
    };
    let out = datapact(
        &[
            "import",
            "--connection",
            &url,
            "--schema",
            &schema,
            "--out",
            "imported",
        ],
        dir.as_path(),
    );
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "import: {stderr}");
    let imported = ir_of(&dir.as_path().join("imported"));
    assert_eq!(imported.datasets.len(), ir.datasets.len(), "{stderr}");
    for original in &ir.datasets {
        let back = imported
            .datasets
            .iter()
            .find(|d| d.location.name == original.location.name)
            .unwrap_or_else(|| panic!("{} imported", original.location.name));
        assert_eq!(
            back.contract,
            format!("{schema}.{}", original.location.name)
        );
        assert_eq!(
            schema_part(back, &imported, engine),
            schema_part(original, &ir, engine),
            "{}",
            original.contract
        );
    }
    let run = run_json("imported", &url, dir.as_path());
    drop();
    let report: serde_json::Value = serde_json::from_str(&common::stdout(&run))
        .unwrap_or_else(|_| panic!("{}", common::stderr(&run)));
    assert!(
        run.status.success(),
        "run on the imported contracts: {report}"
    );
    // Every check ran and passed, on every example table's rows.
    let results = report["results"].as_array().unwrap();
    assert!(results.len() > 100, "{} results", results.len());
    assert!(results.iter().all(|r| r["status"] == "pass"), "{report}");
    let rule = |name: &str| results.iter().filter(|r| r["rule"] == name).count();
    assert!(rule("required") > 0 && rule("unique") > 0 && rule("references") > 0);
    eprintln!(
        "round trip on {}: {} tables imported, {} checks run, all pass \
         ({} required, {} unique, {} references, {} schema)",
        engine.name(),
        imported.datasets.len(),
        results.len(),
        rule("required"),
        rule("unique"),
        rule("references"),
        rule("schema"),
    );
}

#[test]
fn example_tables_round_trip_on_duckdb() {
    round_trip(Engine::Duckdb);
}

#[test]
fn example_tables_round_trip_on_postgres() {
    round_trip(Engine::Postgres);
}

/// Every DDL file of the corpus imports (every dialect), each draft
/// validates, and what is left out is a located `not-imported` note.
#[test]
fn ddl_corpus_imports_in_every_dialect() {
    let corpus = common::root().join("tests/import/ddl");
    let mut seen = 0;
    for dialect in Dialect::ALL {
        let folder = corpus.join(dialect.name());
        if !folder.is_dir() {
            continue;
        }
        seen += 1;
        let dir = common::tempdir(&format!("import_ddl_{}", dialect.name()));
        let out = datapact(
            &[
                "import",
                folder.to_str().unwrap(),
                "--dialect",
                dialect.name(),
                "--out",
                "drafts",
                "--format",
                "json",
            ],
            dir.as_path(),
        );
        let stdout = common::stdout(&out);
        assert!(
            out.status.success(),
            "{}: {stdout}\n{}",
            dialect.name(),
            common::stderr(&out)
        );
        let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        for d in doc["diagnostics"].as_array().unwrap() {
            assert_eq!(d["code"], "not-imported", "{d}");
            assert_eq!(d["severity"], "warning", "{d}");
        }
        let ir = ir_of(&dir.as_path().join("drafts"));
        assert!(!ir.datasets.is_empty(), "{}", dialect.name());
        // And they compile, to every target.
        let compile = datapact(
            &[
                "compile",
                "drafts",
                "--target",
                "sql,dbt,docs",
                "--dialect",
                "all",
                "--out",
                "build",
            ],
            dir.as_path(),
        );
        assert!(
            compile.status.success(),
            "{}: {}",
            dialect.name(),
            common::stderr(&compile)
        );
        assert!(
            ir.datasets.iter().all(|ds| !ds.columns.is_empty()),
            "{}",
            dialect.name()
        );
    }
    assert!(seen >= 8, "a DDL file per dialect under tests/import/ddl");
    // Scripts with SQL Server's `GO` batches and Redshift's storage
    // attributes: every table.
    for (dialect, file, tables) in [
        ("sqlserver", "sqlserver/chinook.sql", 11),
        ("redshift", "redshift/tickit.sql", 7),
    ] {
        let dir = common::tempdir(&format!("import_ddl_{dialect}_file"));
        let path = corpus.join(file);
        let out = datapact(
            &[
                "import",
                path.to_str().unwrap(),
                "--dialect",
                dialect,
                "--out",
                "d",
            ],
            dir.as_path(),
        );
        let stderr = common::stderr(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(!stderr.contains("does not parse"), "{stderr}");
        assert_eq!(
            ir_of(&dir.as_path().join("d")).datasets.len(),
            tables,
            "{stderr}"
        );
    }
}

/// What users get wrong is said plainly: no source, an unknown connection
/// name; `--table` picks one table of a DDL file; ODCS drafts are drafts.
#[test]
fn import_usage_is_said_plainly() {
    let dir = common::tempdir("import_usage");
    let out = datapact(&["import", "--out", "c"], dir.as_path());
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("import needs a source to read"));
    let out = datapact(&["import", "--connection", "warehouse"], dir.as_path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("no connection named `warehouse`"),
        "{}",
        common::stderr(&out)
    );
    std::fs::write(
        dir.as_path().join("s.sql"),
        "create table a (id int primary key);\ncreate table b (id int, a_id int references a(id));\n",
    )
    .unwrap();
    let out = datapact(
        &["import", "s.sql", "--dialect", "duckdb", "--table", "b"],
        dir.as_path(),
    );
    let text = common::stdout(&out);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(text.contains("contract: b\n"), "{text}");
    // `a` was not imported: the reference is a note, and says so.
    assert!(
        common::stderr(&out).contains("foreign key (a_id) to a, a table neither imported"),
        "{}",
        common::stderr(&out)
    );
    // With `a`'s contract already in the output folder, it is kept.
    let out = datapact(
        &[
            "import",
            "s.sql",
            "--dialect",
            "duckdb",
            "--table",
            "a",
            "--out",
            "c",
        ],
        dir.as_path(),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let out = datapact(
        &[
            "import",
            "s.sql",
            "--dialect",
            "duckdb",
            "--table",
            "b",
            "--out",
            "c",
        ],
        dir.as_path(),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let b = std::fs::read_to_string(dir.as_path().join("c/b.yaml")).unwrap();
    assert!(b.contains("references: a.id  # foreign key"), "{b}");
    assert_eq!(ir_of(&dir.as_path().join("c")).datasets.len(), 2);
    let out = datapact(
        &[
            "import",
            "s.sql",
            "--dialect",
            "duckdb",
            "--to",
            "odcs",
            "--out",
            "o",
        ],
        dir.as_path(),
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    let a = std::fs::read_to_string(dir.as_path().join("o/a.odcs.yaml")).unwrap();
    assert!(a.starts_with("# Imported from s.sql:1:1"), "{a}");
    assert!(a.contains("\nstatus: draft\n"), "{a}");
}

/// Constraints of simple forms become rules; others are expressions; what
/// no contract part says is located.
#[test]
fn ddl_constraints_become_rules() {
    let dir = common::tempdir("import_ddl_rules");
    std::fs::write(
        dir.as_path().join("schema.sql"),
        "create table s.customers (\n  id uuid primary key,\n  email varchar(200) not null unique,\n  \
         country char(2) check (country in ('DE', 'FR')),\n  score integer check (score >= 0 and score <= 100)\n);\n\
         create index on s.customers(email);\n\
         create table s.orders (id bigint, customer_id uuid references s.customers(id), \
         qty int check (qty > 0), amount numeric(12,2), line int, \
         primary key (id, line), constraint positive check (amount > 0 or qty < 5));\n\
         comment on column s.orders.qty is 'Units ordered';\n",
    )
    .unwrap();
    let out = datapact(
        &[
            "import",
            "schema.sql",
            "--dialect",
            "postgres",
            "--out",
            "c",
        ],
        dir.as_path(),
    );
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("schema.sql:7:1 warning[not-imported]: not imported: 1 statement that defines no table (`CREATE INDEX`); the first is here"),
        "{stderr}"
    );
    let orders = std::fs::read_to_string(dir.as_path().join("c/s.orders.yaml")).unwrap();
    for line in [
        "    references: s.customers.id  # foreign key",
        "    description: \"Units ordered\"",
        "    min: 1  # CHECK constraint `qty_check`",
        "  - name: primary_key  # primary key",
        "    unique: [id, line]",
        "    expression: \"amount > 0 OR qty < 5\"",
    ] {
        assert!(orders.contains(line), "{line}\n{orders}");
    }
    let customers = std::fs::read_to_string(dir.as_path().join("c/s.customers.yaml")).unwrap();
    for line in [
        "    accepted_values: [DE, FR]",
        "    min: 0  # CHECK constraint `score_check`",
        "    max: 100  # CHECK constraint `score_check`",
        "    unique: true  # unique key",
    ] {
        assert!(customers.contains(line), "{line}\n{customers}");
    }
    // Never overwritten without --force.
    let again = datapact(
        &[
            "import",
            "schema.sql",
            "--dialect",
            "postgres",
            "--out",
            "c",
        ],
        dir.as_path(),
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(common::stderr(&again).contains("not overwriting"));
    // ODCS too, and it validates.
    let odcs = datapact(
        &[
            "import",
            "schema.sql",
            "--dialect",
            "postgres",
            "--out",
            "o",
            "--to",
            "odcs",
        ],
        dir.as_path(),
    );
    assert!(odcs.status.success(), "{}", common::stderr(&odcs));
    assert_eq!(ir_of(&dir.as_path().join("o")).datasets.len(), 2);
}

/// The models, seeds, snapshots and source tables of a manifest: a draft
/// each.
fn tables_of(manifest: &serde_json::Value) -> usize {
    let nodes = manifest["nodes"].as_object().unwrap();
    let tables = nodes
        .values()
        .filter(|n| {
            matches!(
                n["resource_type"].as_str(),
                Some("model" | "seed" | "snapshot")
            )
        })
        .count();
    tables + manifest["sources"].as_object().unwrap().len()
}

/// A manifest of the fixture dbt project (written by `dbt parse` in the
/// test) and the checked-in one of a public example project: every model,
/// seed, snapshot and source is a draft bound to its node, every test a
/// rule or a `not-imported` note.
#[test]
fn dbt_manifests_import_with_every_node_and_test_accounted_for() {
    let manifest = common::root().join("tests/import/dbt/jaffle_shop/manifest.json");
    if !manifest.is_file() {
        panic!("tests/import/dbt/jaffle_shop/manifest.json is missing");
    }
    let text = std::fs::read_to_string(&manifest).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let nodes = doc["nodes"].as_object().unwrap();
    let expected = tables_of(&doc);
    let tests = nodes
        .values()
        .filter(|n| n["resource_type"] == "test")
        .count();
    let dir = common::tempdir("import_dbt");
    let out = datapact(
        &[
            "import",
            "--dbt-manifest",
            manifest.to_str().unwrap(),
            "--out",
            "c",
            "--format",
            "json",
        ],
        dir.as_path(),
    );
    let stdout = common::stdout(&out);
    assert!(out.status.success(), "{stdout}{}", common::stderr(&out));
    let notes: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let skipped = notes["diagnostics"].as_array().unwrap().len();
    let ir = ir_of(&dir.as_path().join("c"));
    assert_eq!(ir.datasets.len(), expected);
    assert!(ir.datasets.iter().all(|ds| ds.dbt.is_some()));
    // Each test became one rule (two for a range) or one note.
    let rules: usize = ir
        .datasets
        .iter()
        .flat_map(|ds| &ds.checks)
        .filter(|k| !matches!(k.kind, CheckKind::Freshness { .. }))
        .count();
    assert!(
        rules + skipped >= tests,
        "{rules} rules + {skipped} notes < {tests} tests"
    );
    // The tests of the manifest by kind, each found as its rule.
    for node in nodes.values().filter(|n| n["resource_type"] == "test") {
        let Some(meta) = node.get("test_metadata") else {
            continue;
        };
        let (Some(column), Some(attached)) =
            (node["column_name"].as_str(), node["attached_node"].as_str())
        else {
            continue;
        };
        let model = nodes[attached]["name"].as_str().unwrap();
        let ds = ir
            .datasets
            .iter()
            .find(|d| d.dbt.as_ref().is_some_and(|n| n.name == model))
            .unwrap();
        let rule = match meta["name"].as_str().unwrap() {
            "not_null" => "required",
            "unique" => "unique",
            "accepted_values" => "accepted_values",
            "relationships" => "references",
            _ => continue,
        };
        assert!(
            ds.checks
                .iter()
                .any(|k| k.column.as_deref() == Some(column) && k.kind.rule() == rule),
            "{model}.{column} {rule}"
        );
    }
}

/// `--profile` on planted data proposes exactly the rules that hold, in
/// one query per table; on PostgreSQL, one scan (its own scan counter).
fn profile_planted(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let dir = common::tempdir(&format!("import_profile_{}", engine.name()));
    let schema = format!("import_profile_{}", std::process::id());
    let (url, planted) = match engine {
        Engine::Postgres => (
            harness::pg_url("postgres", None, "postgres"),
            format!(
                "create table {schema}.planted as select i as id, \
                 (array['red', 'green', 'blue'])[1 + i % 3] as colour, \
                 'SO-' || lpad(i::text, 6, '0') as code, \
                 chr(65 + i % 26) || chr(65 + (i / 26) % 26) as country, \
                 (i % 50) + 10.25 as price, \
                 case when i % 10 = 0 then null else i end as sometimes, \
                 'someone' || i || '@example.com' as email, \
                 now() - make_interval(hours => 1000 - i) as loaded_at \
                 from generate_series(1, 1000) as i"
            ),
        ),
        _ => (
            format!("duckdb:{}", dir.as_path().join("planted.duckdb").display()),
            format!(
                "create table {schema}.planted as select i as id, \
                 ['red', 'green', 'blue'][1 + i % 3] as colour, \
                 'SO-' || lpad(i::varchar, 6, '0') as code, \
                 chr((65 + i % 26)::integer) || chr((65 + (i // 26) % 26)::integer) as country, \
                 (i % 50) + 10.25 as price, \
                 case when i % 10 = 0 then null else i end as sometimes, \
                 'someone' || i || '@example.com' as email, \
                 now() - to_hours(1000 - i) as loaded_at \
                 from range(1, 1001) as t(i)"
            ),
        ),
    };
    harness::adbc_execute(&url, &[format!("create schema {schema}"), planted]).unwrap();
    let scans = || -> Option<u64> {
        (engine == Engine::Postgres).then(|| {
            harness::adbc_query(
                &url,
                &format!(
                    "select seq_scan from pg_stat_user_tables \
                     where schemaname = '{schema}' and relname = 'planted'"
                ),
            )
            .unwrap()[0][0]
                .as_deref()
                .unwrap()
                .parse()
                .unwrap()
        })
    };
    let before = scans();
    let out = datapact(
        &[
            "import",
            "--connection",
            &url,
            "--table",
            &format!("{schema}.planted"),
            "--profile",
        ],
        dir.as_path(),
    );
    // PostgreSQL counts a scan when the backend that ran it reports.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let after = scans();
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("profiled 1 table with 1 query (one scan each)"),
        "{stderr}"
    );
    if let (Some(before), Some(after)) = (before, after) {
        assert_eq!(after - before, 1, "one scan of the table");
    }
    let text = common::stdout(&out);
    for line in [
        "row_count: {min: 500}  # profiled: 1,000 rows today; the floor is half of them",
        "    unique: true  # profiled: 1,000 distinct values in 1,000 rows",
        "    accepted_values: [blue, green, red]  # profiled: 3 distinct values in 1,000 non-NULL rows",
        "    pattern: \"[A-Z]+-[0-9]+\"",
        "    pattern: \"[A-Z]{2}\"",
        "    min: 10  # profiled: observed 10.25 to 59.25 in 1,000 rows",
        "    max: 60\n",
        "freshness: {column: loaded_at, warn_after: \"2h\", error_after: \"4h\"}  # profiled: 1,000 distinct values, one every 1 h on average",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }
    // Exactly the planted properties, and nothing else.
    let mut proposed = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("  - name: ") {
            current = name.split("  #").next().unwrap().to_string();
        } else if let Some(rule) = line
            .strip_prefix("    ")
            .filter(|l| !l.starts_with("type:"))
        {
            let rule = rule.split("  #").next().unwrap();
            proposed.push(format!("{current} {rule}"));
        }
    }
    assert_eq!(
        proposed,
        [
            "id required: true",
            "id unique: true",
            "colour required: true",
            "colour accepted_values: [blue, green, red]",
            "code required: true",
            "code unique: true",
            "code pattern: \"[A-Z]+-[0-9]+\"",
            "country required: true",
            "country pattern: \"[A-Z]{2}\"",
            "price required: true",
            "price min: 10",
            "price max: 60",
            "sometimes min: 0",
            "sometimes max: 1000",
            "email required: true",
            "loaded_at required: true",
        ],
        "{text}"
    );
    let column = |name: &str| -> String {
        text.split(&format!("- name: {name}\n"))
            .nth(1)
            .unwrap()
            .split("- name:")
            .next()
            .unwrap()
            .to_string()
    };
    // NULLs: not required; a key: no bounds; personal: no values, only
    // its shape.
    assert!(!column("sometimes").contains("required"), "{text}");
    assert!(
        column("sometimes").contains("min: 0  # profiled: observed 1 to 999"),
        "{text}"
    );
    assert!(!column("id").contains("min:"), "{text}");
    // Personal, and instants: values, not keys.
    assert!(!column("email").contains("unique"), "{text}");
    assert!(!column("loaded_at").contains("unique"), "{text}");
    let email = column("email");
    assert!(
        !email.contains("accepted_values") && !email.contains("@example.com"),
        "{email}"
    );
    // The draft validates and its rules hold on the data they came from.
    std::fs::write(dir.as_path().join("planted.yaml"), &text).unwrap();
    let run = run_json("planted.yaml", &url, dir.as_path());
    if engine == Engine::Postgres {
        let _ = harness::adbc_execute(&url, &[format!("drop schema {schema} cascade")]);
    }
    assert!(
        run.status.success(),
        "{}{}",
        common::stdout(&run),
        common::stderr(&run)
    );
}

#[test]
fn profile_proposes_the_planted_rules_on_duckdb() {
    profile_planted(Engine::Duckdb);
}

#[test]
fn profile_proposes_the_planted_rules_with_one_scan_on_postgres() {
    profile_planted(Engine::Postgres);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// dbt next to `DATAPACT_PYTHON` (scripts/install's venv); `None` skips,
/// unless DATAPACT_REQUIRE_ENGINES=1.
fn dbt_exe() -> Option<std::path::PathBuf> {
    let exe = std::env::var_os("DATAPACT_PYTHON")
        .map(|p| Path::new(&p).with_file_name("dbt"))
        .filter(|p| p.is_file());
    if exe.is_none() {
        let required = std::env::var("DATAPACT_REQUIRE_ENGINES").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "dbt is required (DATAPACT_REQUIRE_ENGINES=1): no dbt next to DATAPACT_PYTHON"
        );
        eprintln!("skipping: no dbt next to DATAPACT_PYTHON");
    }
    exe
}

fn dbt_parse(exe: &Path, project: &Path) {
    let out = std::process::Command::new(exe)
        .args(["parse", "--profiles-dir", ".", "--no-use-colors"])
        .current_dir(project)
        .env("DATAPACT_DBT_DB", project.join("fixture.duckdb"))
        .env("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        .output()
        .expect("dbt runs");
    assert!(
        out.status.success(),
        "dbt parse: {}{}",
        common::stdout(&out),
        common::stderr(&out)
    );
}

/// The fixture dbt project with datapact's tests compiled in, parsed by
/// dbt; its manifest imported: a draft per model, seed, snapshot and
/// source, bound to its node, its built-in tests back as the rules they
/// came from; and the drafts compiled into the project land on the same
/// nodes (no `unknown-dbt-node`), which dbt parses.
#[test]
fn a_generated_dbt_manifest_imports_and_lands_back_on_its_nodes() {
    let Some(exe) = dbt_exe() else {
        return;
    };
    let root = common::root();
    let work = common::tempdir("import_dbt_fixture");
    let project = work.as_path().join("project");
    copy_dir(&root.join("tests/dbt/project"), &project);
    let compile = datapact(
        &[
            "compile",
            "tests/dbt/contracts",
            "--target",
            "dbt",
            "--dbt-project",
            project.to_str().unwrap(),
        ],
        &root,
    );
    assert!(compile.status.success(), "{}", common::stderr(&compile));
    dbt_parse(&exe, &project);
    let manifest = project.join("target/manifest.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let nodes = doc["nodes"].as_object().unwrap();
    let expected = tables_of(&doc);
    let out = datapact(
        &[
            "import",
            "--dbt-manifest",
            manifest.to_str().unwrap(),
            "--out",
            "drafts",
            "--format",
            "json",
        ],
        work.as_path(),
    );
    let stdout = common::stdout(&out);
    assert!(out.status.success(), "{stdout}{}", common::stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let notes = report["diagnostics"].as_array().unwrap();
    assert!(
        notes.iter().all(|d| d["code"] == "not-imported"),
        "{report}"
    );
    let imported = ir_of(&work.as_path().join("drafts"));
    assert_eq!(imported.datasets.len(), expected);
    // Every test: a rule, or a note naming it.
    let tests: Vec<&serde_json::Value> = nodes
        .values()
        .filter(|n| n["resource_type"] == "test")
        .collect();
    for test in &tests {
        let name = test["name"].as_str().unwrap();
        let noted = notes.iter().any(|d| {
            d["path"]
                .as_str()
                .is_some_and(|f| f.ends_with(&format!(": {name}")))
        });
        let meta = &test["test_metadata"];
        let rule = match meta["name"].as_str() {
            Some("not_null") => Some("required"),
            Some("unique") => Some("unique"),
            Some("accepted_values") => Some("accepted_values"),
            Some("relationships") => Some("references"),
            _ => None,
        };
        match (
            rule,
            test["column_name"].as_str(),
            test["attached_node"].as_str(),
        ) {
            (Some(rule), Some(column), Some(node)) if !noted => {
                let column = column.trim_matches('"');
                let node = nodes[node]["name"].as_str().unwrap();
                let ds = imported
                    .datasets
                    .iter()
                    .find(|d| d.dbt.as_ref().is_some_and(|n| n.name == node))
                    .unwrap();
                assert!(
                    ds.checks
                        .iter()
                        .any(|k| k.column.as_deref() == Some(column) && k.kind.rule() == rule),
                    "{name}: {node}.{column} {rule}"
                );
            }
            _ => assert!(
                noted || rule.is_some(),
                "test {name} is neither a rule nor a note: {report}"
            ),
        }
    }
    // Every binding of the original contracts is among the drafts'.
    let original = ir_of(&root.join("tests/dbt/contracts"));
    let bindings = |ir: &Ir| -> BTreeSet<String> {
        ir.datasets
            .iter()
            .filter_map(|d| d.dbt.as_ref())
            .map(|n| format!("{}:{}", n.kind.key(), n.name))
            .collect()
    };
    assert!(
        bindings(&original).is_subset(&bindings(&imported)),
        "{:?} ⊄ {:?}",
        bindings(&original),
        bindings(&imported)
    );
    // Compiled into a fresh copy of the project: on the same nodes.
    let fresh = work.as_path().join("fresh");
    copy_dir(&root.join("tests/dbt/project"), &fresh);
    let again = datapact(
        &[
            "compile",
            "drafts",
            "--target",
            "dbt",
            "--dbt-project",
            fresh.to_str().unwrap(),
        ],
        work.as_path(),
    );
    let stderr = common::stderr(&again);
    assert!(again.status.success(), "{stderr}");
    assert!(!stderr.contains("unknown-dbt-node"), "{stderr}");
    dbt_parse(&exe, &fresh);
}

/// DDL whose constraints would make rules that do not validate, or that
/// would fail on the rows the constraints allow: none of them is a rule,
/// the rest of each table still is, and the import succeeds.
#[test]
fn ddl_constraints_that_are_no_rule_stay_out() {
    let dir = common::tempdir("import_ddl_edges");
    let long = "a".repeat(60);
    std::fs::write(
        dir.as_path().join("edges.sql"),
        format!(
            "\u{feff}create table t (\n  \
             n int check (n between 10 and 1),\n  \
             code varchar(9) check (code >= 'A'),\n  \
             e int check (e >= 1.5),\n  \
             i int check (i in (1, -2, 3.0)),\n  \
             x numeric check (x <= 1e3),\n  \
             g int check (g < 9223372036854775808),\n  \
             u int check (u::text >= '5'),\n  \
             price numeric check (price > 0 and (o > 0 or p > 0)),\n  \
             o int, p int, a int, b int,\n  \
             {long} int not null,\n  \
             ok int check (ok >= 0),\n  \
             unique (a, b)\n);\n\
             alter table t add constraint small check (ok < 5) not valid;\n\
             create table s.customers (id int primary key);\n\
             create table customers (id int primary key);\n\
             create table s.orders (cid int references customers(id));\n"
        ),
    )
    .unwrap();
    let out = datapact(
        &["import", "edges.sql", "--dialect", "postgres", "--out", "c"],
        dir.as_path(),
    );
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    let t = std::fs::read_to_string(dir.as_path().join("c/t.yaml")).unwrap();
    // The first statement is read despite the byte order mark.
    assert!(
        t.contains("  - name: ok\n    type: integer\n    min: 0"),
        "{t}"
    );
    // Each such constraint stays an expression with its own SQL: no
    // column but `ok` has a rule.
    let rules: Vec<&str> = t
        .lines()
        .filter(|l| {
            l.starts_with("    ")
                && !l.starts_with("    type:")
                && !l.starts_with("    expression:")
        })
        .collect();
    assert_eq!(rules, ["    min: 0  # CHECK constraint `ok_check`"], "{t}");
    for expression in [
        "n BETWEEN 10 AND 1",
        "code >= 'A'",
        "e >= 1.5",
        "u::TEXT >= '5'",
        "x <= 1e3",
    ] {
        assert!(
            t.contains(&format!("expression: \"{expression}\"")),
            "{expression}\n{t}"
        );
    }
    for present in [
        // An `or` keeps its parentheses inside the `and`.
        "expression: \"(price > 0) and (o > 0 OR p > 0)\"",
        "not imported: a constraint added NOT VALID",
        "not imported: unique key over (a, b): its columns may be NULL",
        "not imported: the rule `",
    ] {
        assert!(t.contains(present), "{present}\n{t}");
    }
    // An unqualified reference is the referencing table's schema first.
    let orders = std::fs::read_to_string(dir.as_path().join("c/s.orders.yaml")).unwrap();
    assert!(orders.contains("references: s.customers.id"), "{orders}");
}

/// A manifest of the forms real projects have: versioned models, a
/// source's relationships test (no attached node), a test's `where`,
/// `severity` and `row_condition` on table rules too, SQL bounds,
/// `quote: false`, an empty value list, freshness on an expression, a
/// source `identifier`.
#[test]
fn dbt_manifest_forms_import_as_they_mean() {
    let dir = common::tempdir("import_dbt_forms");
    let column = |name: &str, ty: &str| serde_json::json!({"name": name, "data_type": ty, "description": ""});
    let test = |name: &str,
                ns: Option<&str>,
                kwargs: serde_json::Value,
                attached: Option<&str>,
                column: Option<&str>,
                config: serde_json::Value| {
        serde_json::json!({
            "resource_type": "test", "name": name, "original_file_path": "models/schema.yml",
            "attached_node": attached, "column_name": column, "config": config,
            "test_metadata": {"name": name.split('.').next_back().unwrap(), "namespace": ns, "kwargs": kwargs},
            "depends_on": {"nodes": []}
        })
    };
    let manifest = serde_json::json!({
        "metadata": {"adapter_type": "postgres", "project_name": "p"},
        "nodes": {
            "model.p.orders.v1": {"resource_type": "model", "name": "orders", "package_name": "p", "schema": "s", "version": 1, "latest_version": 2,
                "columns": {"id": column("id", "integer")}},
            "model.p.orders.v2": {"resource_type": "model", "name": "orders", "package_name": "p", "schema": "s", "version": 2, "latest_version": 2,
                "columns": {"id": column("id", "integer"), "d": column("d", "date"), "amount": column("amount", "numeric(12,2)"), "kind": column("kind", "integer")}},
            "test.p.range": test("accepted_range", Some("dbt_utils"), serde_json::json!({"column_name": "d", "min_value": "'2020-01-01'", "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), Some("d"), serde_json::json!({"severity": "warn"})),
            "test.p.sqlbound": test("accepted_range", Some("dbt_utils"), serde_json::json!({"column_name": "amount", "min_value": "current_date", "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), Some("amount"), serde_json::json!({})),
            "test.p.expr": test("expression_is_true", Some("dbt_utils"), serde_json::json!({"expression": "amount >= 0", "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), None, serde_json::json!({"where": "id > 10", "severity": "warn"})),
            "test.p.kinds": test("accepted_values", None, serde_json::json!({"column_name": "kind", "values": [1, 2], "quote": false, "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), Some("kind"), serde_json::json!({})),
            "test.p.none": test("accepted_values", None, serde_json::json!({"column_name": "kind", "values": [], "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), Some("kind"), serde_json::json!({})),
            "test.p.notnull": test("expect_column_values_to_not_be_null", Some("dbt_expectations"), serde_json::json!({"column_name": "amount", "row_condition": "kind = 1", "model": "{{ get_where_subquery(ref('orders')) }}"}), Some("model.p.orders.v2"), Some("amount"), serde_json::json!({})),
            "test.p.rel": test("relationships", None, serde_json::json!({"column_name": "x", "to": "source('raw', 'b')", "field": "y", "model": "{{ get_where_subquery(source('raw', 'a')) }}"}), None, Some("x"), serde_json::json!({}))
        },
        "sources": {
            "source.p.raw.a": {"resource_type": "source", "source_name": "raw", "name": "a", "schema": "raw", "identifier": "a_v2",
                "loaded_at_field": "convert_timezone('UTC', _loaded)", "freshness": {"warn_after": {"count": 1, "period": "hour"}},
                "columns": {"x": column("x", "integer")}},
            "source.p.raw.b": {"resource_type": "source", "source_name": "raw", "name": "b", "schema": "raw",
                "columns": {"y": column("y", "integer")}}
        }
    });
    std::fs::write(dir.as_path().join("manifest.json"), manifest.to_string()).unwrap();
    let out = datapact(
        &["import", "--dbt-manifest", "manifest.json", "--out", "c"],
        dir.as_path(),
    );
    let stderr = common::stderr(&out);
    assert!(out.status.success(), "{stderr}");
    let read = |f: &str| std::fs::read_to_string(dir.as_path().join("c").join(f)).unwrap();
    let orders = read("orders.yaml");
    for present in [
        "  - name: kind\n    type: integer\n    accepted_values: [1, 2]",
        "    min: {value: \"2020-01-01\", severity: warn}",
        "    required: {value: true, where: \"(kind = 1)\"}",
        "    expression: \"amount >= 0\"\n    severity: warn\n    where: \"(id > 10)\"",
    ] {
        assert!(orders.contains(present), "{present}\n{orders}");
    }
    assert!(
        !orders.contains("value: current_date") && !orders.contains("min: current_date"),
        "{orders}"
    );
    assert!(stderr.contains("version 1 of model `orders`"), "{stderr}");
    assert!(stderr.contains("no values"), "{stderr}");
    let a = read("raw.a.yaml");
    assert!(a.contains("  name: a\n  dbt: {source: raw}"), "{a}");
    assert!(a.contains("dbt reads this source from `a_v2`"), "{a}");
    assert!(a.contains("references: raw.b.y"), "{a}");
    assert!(!a.contains("\nfreshness:"), "{a}");
}

/// Tables of the types and constraints real catalogs hold (enums,
/// intervals, bit strings, huge integers, fixed-size arrays, infinities,
/// integers at their limit, a key over nullable columns, a constraint
/// added NOT VALID, partitions, a table of 160 text columns) import with
/// `--profile`, and `run` of the drafts on the same data passes: every
/// type fits `run`'s schema check and every proposed rule holds.
fn odd_catalog(engine: Engine) {
    if !harness::run_available(engine) {
        return;
    }
    let dir = common::tempdir(&format!("import_odd_{}", engine.name()));
    let schema = format!("import_odd_{}", std::process::id());
    let wide: Vec<String> = (0..160).map(|i| format!("t{i} text")).collect();
    let wide_values: Vec<String> = (0..160).map(|i| format!("'v{i}'")).collect();
    let (url, setup) = match engine {
        Engine::Postgres => (
            harness::pg_url("postgres", None, "postgres"),
            vec![
                format!("create schema {schema}"),
                format!("create type {schema}.mood as enum ('sad', 'ok', 'happy')"),
                format!(
                    "create table {schema}.odd (id integer primary key, m {schema}.mood, \
                     span interval, bits bit(3), cash money, tz timetz, c \"char\", n name, \
                     d double precision, top integer, small smallint, a int, b int, \
                     loaded_at timestamptz, unique (a, b))"
                ),
                format!(
                    "insert into {schema}.odd select i, \
                     (array['sad', 'ok', 'happy'])[1 + i % 3]::{schema}.mood, \
                     make_interval(hours => i), B'101', i * 1.5, '10:00+02', 'x', 'nm', \
                     case when i = 1 then 'Infinity'::float8 else i / 3.0 end, \
                     case when i < 3 then 2147483647 else i end, \
                     case when i = 1 then 32767 else i end, \
                     1, null, now() - make_interval(hours => 30 - i) \
                     from generate_series(1, 30) as i"
                ),
                format!("alter table {schema}.odd add constraint few check (id < 5) not valid"),
                format!("create table {schema}.parted (id int, day date) partition by range (day)"),
                format!(
                    "create table {schema}.parted_2024 partition of {schema}.parted \
                     for values from ('2024-01-01') to ('2025-01-01')"
                ),
                format!("insert into {schema}.parted values (1, '2024-02-02')"),
                format!("create table {schema}.wide ({})", wide.join(", ")),
                format!(
                    "insert into {schema}.wide values ({})",
                    wide_values.join(", ")
                ),
            ],
        ),
        _ => (
            format!("duckdb:{}", dir.as_path().join("odd.duckdb").display()),
            vec![
                format!("create schema {schema}"),
                format!(
                    "create table {schema}.odd (id integer primary key, m enum('sad', 'ok', 'happy'), \
                     span interval, bits bit, huge hugeint, ubig ubigint, tz timetz, \
                     triple integer[3], d double, top integer, a int, b int, \
                     loaded_at timestamptz, unique (a, b))"
                ),
                format!(
                    "insert into {schema}.odd select i, ['sad', 'ok', 'happy'][1 + i % 3], \
                     to_hours(i), '101'::bit, i, i, '10:00:00+02'::timetz, [i, i, i], \
                     case when i = 1 then 'inf'::double else i / 3 end, \
                     case when i < 3 then 2147483647 else i end, 1, null, \
                     now() - to_hours(30 - i) from range(1, 31) as t(i)"
                ),
                format!("create table {schema}.wide ({})", wide.join(", ")),
                format!(
                    "insert into {schema}.wide values ({})",
                    wide_values.join(", ")
                ),
            ],
        ),
    };
    harness::adbc_execute(&url, &setup).expect("tables created");
    let out = datapact(
        &[
            "import",
            "--connection",
            &url,
            "--schema",
            &schema,
            "--profile",
            "--out",
            "c",
        ],
        dir.as_path(),
    );
    let stderr = common::stderr(&out);
    let run = run_json("c", &url, dir.as_path());
    if engine == Engine::Postgres {
        let _ = harness::adbc_execute(&url, &[format!("drop schema {schema} cascade")]);
    }
    assert!(out.status.success(), "{stderr}");
    let names: Vec<String> = std::fs::read_dir(dir.as_path().join("c"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    // Partitions are their table's rows, not tables of their own.
    assert!(
        !names.iter().any(|n| n.contains("parted_2024")),
        "{names:?}"
    );
    let odd = std::fs::read_to_string(dir.as_path().join(format!("c/{schema}.odd.yaml"))).unwrap();
    assert!(!odd.contains("unique: [a, b]"), "{odd}");
    assert!(!odd.contains("max: 4"), "{odd}");
    let report = common::stdout(&run);
    assert!(
        run.status.success(),
        "run of the drafts on their own data:\n{odd}\n{report}\n{}",
        common::stderr(&run)
    );
    assert!(
        stderr.contains("with 3 queries") || stderr.contains("with 2 queries"),
        "{stderr}"
    );
}

#[test]
fn odd_catalogs_import_and_run_clean_on_duckdb() {
    odd_catalog(Engine::Duckdb);
}

#[test]
fn odd_catalogs_import_and_run_clean_on_postgres() {
    odd_catalog(Engine::Postgres);
}
