//! The long fuzz run: `cargo run --release --example fuzz -- [--minutes M]
//! [--seed S]` (default 1 minute, seed 0).
//!
//! Draws cases from the harness of the test suite (tests/fuzz/mod.rs:
//! arbitrary bytes, the language's vocabulary, edited contracts and
//! standards, hostile inputs) and sends each through load, validate, lower
//! and every emitter. A panic is a crash; a case running longer than 20 s is
//! a hang. Either is saved under target/fuzz/ (one directory per case, its
//! files as f0.yaml, f1.yaml, ...) and makes the run exit 1. Prints the
//! executions per kind of input, the slowest case and the crash count.

#[path = "../tests/fuzz/mod.rs"]
mod fuzz;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const HANG: Duration = Duration::from_secs(20);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str, default: u64| -> u64 {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let minutes = value("--minutes", 1);
    let seed = value("--seed", 0);
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz");

    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = fuzz::case();

    // The watchdog: if one case runs longer than HANG, save it and exit.
    let epoch = Instant::now();
    let started = Arc::new(AtomicU64::new(u64::MAX));
    let current: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let (started, current, out) = (started.clone(), current.clone(), out.clone());
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let at = started.load(Ordering::SeqCst);
                if at != u64::MAX
                    && epoch.elapsed().as_millis() as u64 - at > HANG.as_millis() as u64
                {
                    let files = current.lock().map(|f| f.clone()).unwrap_or_default();
                    let dir = save(&out, "hang", &files);
                    eprintln!(
                        "HANG: a case ran longer than {HANG:?}; saved in {}",
                        dir.display()
                    );
                    std::process::exit(1);
                }
            }
        });
    }
    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|info| eprintln!("crash: {info}")));

    let deadline = epoch + Duration::from_secs(minutes * 60);
    let mut runs: BTreeMap<&str, (u64, Duration)> = BTreeMap::new();
    let mut crashes = 0;
    let mut slowest = (Duration::ZERO, "");
    while Instant::now() < deadline {
        let (kind, files) = strategy
            .new_tree(&mut runner)
            .expect("the strategy draws")
            .current();
        *current.lock().unwrap() = files.clone();
        let start = Instant::now();
        started.store(epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| fuzz::run(&files)));
        started.store(u64::MAX, Ordering::SeqCst);
        let took = start.elapsed();
        if result.is_err() {
            crashes += 1;
            let dir = save(&out, &format!("crash-{crashes}"), &files);
            eprintln!("  saved in {}", dir.display());
        }
        let entry = runs.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += took;
        if took > slowest.0 {
            slowest = (took, kind);
        }
    }
    let total: u64 = runs.values().map(|r| r.0).sum();
    let elapsed = epoch.elapsed().as_secs_f64();
    println!(
        "fuzz: {total} executions in {elapsed:.0} s ({:.0}/s), seed {seed}, {crashes} crashes, 0 hangs (limit {HANG:?})",
        total as f64 / elapsed
    );
    for (kind, (n, time)) in &runs {
        println!(
            "  {kind:<16} {n:>8} executions, {:>7.2} ms each",
            time.as_secs_f64() * 1e3 / *n as f64
        );
    }
    println!(
        "  slowest case: {:.0} ms ({})",
        slowest.0.as_secs_f64() * 1e3,
        slowest.1
    );
    if crashes > 0 {
        std::process::exit(1);
    }
}

/// Save a case's files under `out/name/`.
fn save(out: &Path, name: &str, files: &[String]) -> PathBuf {
    let dir = out.join(name);
    let _ = std::fs::create_dir_all(&dir);
    for (i, text) in files.iter().enumerate() {
        let _ = std::fs::write(dir.join(format!("f{i}.yaml")), text);
    }
    dir
}
