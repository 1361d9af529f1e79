//! Compile throughput: `cargo bench --bench compile [-- SIZES]` (default
//! `100,1000,10000`). Under `cargo test` it is a smoke run on 10 contracts.
//!
//! For each size N, a deterministic set of N contracts (see
//! `support/generate.rs`) is written under `target/bench/compile/N/`, then
//! each stage runs in a fresh child process (this same executable), so that
//! its peak RSS is its own:
//!
//! - `load`: read the files and parse their YAML (the floor);
//! - `validate`: load, parse, validate and lower (what `datapact validate` does);
//! - `emit`: validate, then render every target in memory (`emit::emit`):
//!   SQL for all 8 dialects, dbt and docs;
//! - `stream`: the same rendered unit by unit (`emit::Emission`), each
//!   unit's files dropped once measured, as a compile does;
//! - `sql postgres (write)`, `(untouched)`, `(unchanged)`, `--check`:
//!   `datapact compile --target sql --dialect postgres --out out-pg`, into
//!   an empty directory; again, with the stamp the write left (nothing is
//!   rendered); again without a stamp (every file rendered and compared),
//!   and as the CI gate on a fresh checkout (no stamp either);
//! - `floor: create its files`: the same paths created empty, in parallel,
//!   in a fresh folder (the file system's share of the write);
//! - `compile (write)`: `datapact compile --target sql,dbt,docs --dialect all
//!   --dbt-dialect duckdb --out DIR` into an empty directory;
//! - `compile (untouched)`: the same again, with the stamp the write left;
//! - `compile (unchanged)`: the same again without a stamp, every file
//!   rendered and found up to date;
//! - `compile --check`: the CI gate on the up-to-date directory, without a
//!   stamp.
//!
//! Each stage runs `RUNS` times (default 3); the table shows the median
//! wall time and the largest peak RSS. The three disk stages run only up to
//! `DISK_UP_TO` contracts (default 1000). Figures are printed, never asserted.

#[path = "support/generate.rs"]
mod generate;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use clap::Parser as _;

const STAGES: &[&str] = &[
    "load",
    "validate",
    "emit",
    "stream",
    "pg-write",
    "pg-stamped",
    "pg-unchanged",
    "pg-check",
    "pg-floor",
    "write",
    "stamped",
    "unchanged",
    "check",
];

/// Stages that measure the full path of a compile: the stamp a previous
/// stage left is removed first.
const UNSTAMPED: &[&str] = &["pg-unchanged", "pg-check", "unchanged", "check"];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(&args[1], Path::new(&args[2]));
        return;
    }
    // `cargo bench` passes `--bench`; anything else is the list of sizes.
    let sizes: Vec<usize> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .flat_map(|a| a.split(',').map(|n| n.parse().expect("sizes are numbers")))
        .collect();
    // `cargo test --all-targets` runs this without `--bench`: a smoke run
    // of every stage on 10 contracts, once.
    let smoke = !args.iter().any(|a| a == "--bench");
    let sizes = match (sizes.is_empty(), smoke) {
        (false, _) => sizes,
        (true, false) => vec![100, 1_000, 10_000],
        (true, true) => vec![10],
    };
    let runs: usize = match std::env::var("RUNS") {
        Ok(r) => r.parse().expect("RUNS is a number"),
        Err(_) if smoke => 1,
        Err(_) => 3,
    };
    // Writing ~330 files per contract: above this many contracts the disk
    // stages take many minutes on a slow file system, so they are skipped.
    let disk_up_to: usize =
        std::env::var("DISK_UP_TO").map_or(1_000, |r| r.parse().expect("DISK_UP_TO is a number"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench/compile");
    println!(
        "compile throughput, {} runs per stage, {} threads available",
        runs,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>6} {:>9} {:>22} {:>10} {:>11} {:>9}",
        "N", "files", "stage", "wall ms", "× load", "peak MB"
    );
    for n in sizes {
        let dir = root.join(n.to_string());
        let contracts = dir.join("contracts");
        let bytes = write_contracts(&contracts, n);
        let out = dir.join("out");
        let mut load_ms = f64::NAN;
        for stage in STAGES {
            if ["write", "stamped", "unchanged", "check"].contains(stage) && n > disk_up_to {
                println!("{:>6} {:>9} {:>22} {:>10}", n, "", label(stage), "skipped");
                continue;
            }
            let mut walls = Vec::new();
            let mut peak = 0;
            for _ in 0..runs {
                if *stage == "write" {
                    let _ = std::fs::remove_dir_all(&out);
                }
                if *stage == "pg-write" {
                    let _ = std::fs::remove_dir_all(dir.join("out-pg"));
                }
                if UNSTAMPED.contains(stage) {
                    let _ = std::fs::remove_file(dir.join(datapact::stamp::PATH));
                }
                if ["pg-stamped", "stamped"].contains(stage) {
                    let stamp = dir.join(datapact::stamp::PATH);
                    assert!(stamp.is_file(), "the write before left a stamp");
                }
                let (wall, rss) = run_child(stage, &dir);
                walls.push(wall);
                peak = peak.max(rss);
            }
            walls.sort_by(f64::total_cmp);
            let wall = walls[walls.len() / 2];
            if *stage == "load" {
                load_ms = wall;
            }
            let files = if *stage == "load" {
                format!("{}", n)
            } else {
                String::new()
            };
            println!(
                "{:>6} {:>9} {:>22} {:>10.1} {:>11.2} {:>9.1}",
                n,
                files,
                label(stage),
                wall,
                wall / load_ms,
                peak as f64 / 1024.0
            );
        }
        if n > disk_up_to {
            println!("{n:>6} {n} contracts, {:.1} MB of YAML", bytes as f64 / 1e6);
            continue;
        }
        let written = count_files(&out);
        println!(
            "{:>6} {} contracts, {:.1} MB of YAML; compile wrote {} files, {:.1} MB",
            n,
            n,
            bytes as f64 / 1e6,
            written.0,
            written.1 as f64 / 1e6
        );
    }
}

fn label(stage: &str) -> &'static str {
    match stage {
        "load" => "load (floor)",
        "validate" => "validate",
        "emit" => "emit all in memory",
        "stream" => "emit all, unit by unit",
        "pg-write" => "sql postgres (write)",
        "pg-stamped" => "sql postgres (untouched)",
        "pg-unchanged" => "sql postgres (unchanged)",
        "pg-check" => "sql postgres --check",
        "pg-floor" => "  floor: create its files",
        "write" => "compile (write)",
        "stamped" => "compile (untouched)",
        "unchanged" => "compile (unchanged)",
        "check" => "compile --check",
        _ => unreachable!(),
    }
}

/// Write the N contracts, leaving files that already hold the same text.
fn write_contracts(dir: &Path, n: usize) -> usize {
    let mut bytes = 0;
    for i in 0..n {
        let path = dir.join(generate::contract_path(i));
        let text = generate::contract(i, 42);
        bytes += text.len();
        if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
            continue;
        }
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
    }
    bytes
}

fn count_files(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(n, b), e| {
            (n + 1, b + e.metadata().map_or(0, |m| m.len()))
        })
}

/// Run one stage in a child process; its wall time (ms) and peak RSS (KiB).
fn run_child(stage: &str, dir: &Path) -> (f64, u64) {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args(["--child", stage])
        .arg(dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let mut fields = last.split_whitespace();
    match (fields.next(), fields.next()) {
        (Some(wall), Some(rss)) if output.status.success() => {
            (wall.parse().unwrap(), rss.parse().unwrap())
        }
        _ => panic!(
            "stage {stage} failed: {}\n{stdout}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ),
    }
}

/// In the child: run the stage, then print `<wall ms> <peak RSS KiB>`.
fn child(stage: &str, dir: &Path) {
    // As a user runs it: in the project, on its `contracts/` directory.
    std::env::set_current_dir(dir).unwrap();
    let contracts = vec![PathBuf::from("contracts")];
    let out = PathBuf::from("out");
    let start = Instant::now();
    match stage {
        "load" => {
            let (sources, diagnostics) = datapact::load::load(&contracts);
            assert!(diagnostics.is_empty());
            for (id, file) in sources.iter() {
                let (node, diagnostics) = datapact::syntax::yaml::parse(id, file);
                assert!(node.is_some() && diagnostics.is_empty());
            }
        }
        "validate" => {
            // As `datapact validate`: each contract's IR dropped once lowered.
            let (sources, _) = datapact::load::load(&contracts);
            let options = datapact::Options {
                scope: datapact::Scope::Complete,
                ir: false,
                origins: false,
                checked_files: None,
            };
            let checked = datapact::check_with(&sources, options);
            let valid = !checked.diagnostics.iter().any(|d| d.is_error());
            assert!(valid, "the generated contracts are valid");
        }
        "emit" | "stream" => {
            let (sources, _) = datapact::load::load(&contracts);
            let ir = datapact::check(&sources).ir.expect("valid");
            let targets = datapact::emit::Targets {
                sql: datapact::types::Dialect::ALL.to_vec(),
                dbt: Some(datapact::emit::dbt::Options {
                    dialect: Some(datapact::types::Dialect::Duckdb),
                    tests: datapact::project::DbtTests::PerRule,
                    enforce_contracts: true,
                    ..Default::default()
                }),
                dbt_project: false,
                docs: Some(datapact::emit::docs::Options::default()),
                subset: false,
                max_query_bytes: None,
            };
            let bytes: usize = if stage == "emit" {
                let artifacts = datapact::emit::emit(&ir, &targets).unwrap();
                artifacts.files.iter().map(|(_, f)| f.text.len()).sum()
            } else {
                // What a compile does, less the disk: each unit's files
                // rendered, measured and dropped.
                use rayon::prelude::*;
                let emission = datapact::emit::Emission::new(&ir, &targets).unwrap();
                (0..emission.units())
                    .into_par_iter()
                    .map(|u| {
                        let files = emission.render(u).unwrap();
                        files.iter().map(|(_, f)| f.text.len()).sum::<usize>()
                    })
                    .sum()
            };
            assert!(bytes > 0);
        }
        "pg-floor" => {
            // What writing the postgres output costs the file system alone:
            // the same paths created empty, in parallel, in a fresh folder.
            use rayon::prelude::*;
            let manifest = std::fs::read_to_string("out-pg/datapact-manifest.json").unwrap();
            let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
            let files: Vec<&str> = manifest["files"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| f.as_str())
                .collect();
            let root = Path::new("out-floor");
            let _ = std::fs::remove_dir_all(root);
            let start = Instant::now();
            files.par_iter().for_each(|f| {
                let path = root.join(f);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, "").unwrap();
            });
            let wall = start.elapsed().as_secs_f64() * 1e3;
            std::fs::remove_dir_all(root).unwrap();
            println!("{wall:.3} {}", peak_rss_kib());
            return;
        }
        "pg-write" | "pg-stamped" | "pg-unchanged" | "pg-check" => {
            let mut args = vec![
                "datapact",
                "--color",
                "never",
                "compile",
                "--target",
                "sql",
                "--dialect",
                "postgres",
                "--out",
                "out-pg",
            ];
            if stage == "pg-check" {
                args.push("--check");
            }
            let cli = datapact::cli::Cli::parse_from(args);
            assert_eq!(datapact::cli::run(&cli), 0, "compile failed");
        }
        "write" | "stamped" | "unchanged" | "check" => {
            let mut args: Vec<PathBuf> = ["datapact", "--color", "never", "compile"]
                .iter()
                .map(PathBuf::from)
                .collect();
            for a in [
                "--target",
                "sql,dbt,docs",
                "--dialect",
                "all",
                "--dbt-dialect",
                "duckdb",
            ] {
                args.push(a.into());
            }
            args.push("--out".into());
            args.push(out);
            if stage == "check" {
                args.push("--check".into());
            }
            let cli = datapact::cli::Cli::parse_from(args);
            let code = datapact::cli::run(&cli);
            assert_eq!(code, 0, "compile failed");
        }
        _ => panic!("unknown stage {stage}"),
    }
    let wall = start.elapsed().as_secs_f64() * 1e3;
    println!("{wall:.3} {}", peak_rss_kib());
}

/// The process's peak resident set size (`VmHWM`), in KiB.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
