//! The long fuzz run:
//!
//! ```sh
//! cargo run --release --example fuzz -- [--minutes M] [--jobs N] [--seed S] [--state FILE] [--fresh]
//! cargo run --release --example fuzz -- --replay target/fuzz/crash-7-0-1-1
//! ```
//!
//! Draws cases from the harness of the test suite (tests/fuzz/mod.rs:
//! arbitrary bytes, the language's vocabulary, edited contracts and
//! standards, hostile inputs) and sends each through load, validate, lower
//! and every emitter, on `--jobs` threads (default: one per core) for
//! `--minutes` (default 1).
//!
//! A run is resumable: its totals are kept in `--state` (default
//! target/fuzz/state.json), written every 30 seconds and at the end, and
//! the next run with the same state file adds to them, drawing from new
//! seeds (each run is a new segment; each thread of it draws from the seed,
//! the segment and its number), so no case is drawn twice. A run that is
//! killed loses at most 30 seconds. `--fresh` starts the totals again.
//!
//! A panic is a crash; a case using more than 20 s of CPU time (or waiting
//! 10 minutes) is a hang. Either is
//! saved under target/fuzz/ (one directory per case, its files as f0.yaml,
//! f1.yaml, ...) and makes the run exit 1. Prints this run's and all runs'
//! executions per kind of input, the slowest case and the crash count.

#[path = "../tests/fuzz/mod.rs"]
mod fuzz;

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Value, json};

/// A case is a hang when it has used this much CPU time (or, where the
/// thread's CPU time cannot be read, this much wall time): a run sharing
/// its cores with other work must not take a slow case for a hang.
const HANG: Duration = Duration::from_secs(20);
/// A case that waits (uses no CPU) this long is a hang too.
const STUCK: Duration = Duration::from_secs(600);
const CHECKPOINT: Duration = Duration::from_secs(30);
/// `started` of a thread between cases.
const IDLE: u64 = u64::MAX;

/// Executions and time per kind of input, the crashes and the slowest case.
#[derive(Default, Clone)]
struct Totals {
    runs: BTreeMap<String, (u64, f64)>,
    crashes: u64,
    hangs: u64,
    seconds: f64,
    slowest: (f64, String),
}

impl Totals {
    fn add(&mut self, other: &Totals) {
        for (kind, (n, secs)) in &other.runs {
            let entry = self.runs.entry(kind.clone()).or_default();
            entry.0 += n;
            entry.1 += secs;
        }
        self.crashes += other.crashes;
        self.hangs += other.hangs;
        self.seconds += other.seconds;
        if other.slowest.0 > self.slowest.0 {
            self.slowest = other.slowest.clone();
        }
    }

    fn executions(&self) -> u64 {
        self.runs.values().map(|r| r.0).sum()
    }

    fn to_json(&self) -> Value {
        json!({
            "executions": self.executions(),
            "crashes": self.crashes,
            "hangs": self.hangs,
            "seconds": self.seconds,
            "slowest": {"ms": self.slowest.0 * 1e3, "kind": self.slowest.1},
            "kinds": self.runs.iter().map(|(k, (n, s))| (k.clone(), json!({"executions": n, "seconds": s}))).collect::<serde_json::Map<_, _>>(),
        })
    }

    fn from_json(v: &Value) -> Totals {
        let num = |v: &Value| v.as_f64().unwrap_or(0.0);
        Totals {
            runs: v["kinds"]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, r)| {
                    (
                        k.clone(),
                        (r["executions"].as_u64().unwrap_or(0), num(&r["seconds"])),
                    )
                })
                .collect(),
            crashes: v["crashes"].as_u64().unwrap_or(0),
            hangs: v["hangs"].as_u64().unwrap_or(0),
            seconds: num(&v["seconds"]),
            slowest: (
                num(&v["slowest"]["ms"]) / 1e3,
                v["slowest"]["kind"].as_str().unwrap_or("").to_string(),
            ),
        }
    }

    fn print(&self, title: &str) {
        let total = self.executions();
        println!(
            "{title}: {total} executions in {:.0} s of wall time ({:.0}/s), {} crashes, {} hangs (limit {HANG:?})",
            self.seconds,
            total as f64 / self.seconds.max(1e-9),
            self.crashes,
            self.hangs,
        );
        for (kind, (n, secs)) in &self.runs {
            println!(
                "  {kind:<16} {n:>9} executions, {:>7.2} ms each",
                secs * 1e3 / (*n).max(1) as f64
            );
        }
        println!(
            "  slowest case: {:.0} ms ({})",
            self.slowest.0 * 1e3,
            self.slowest.1
        );
    }
}

/// What the threads share: each one's totals, when its case started
/// (milliseconds since the epoch, or [`IDLE`]) and the case's files.
struct Shared {
    epoch: Instant,
    totals: Vec<Mutex<Totals>>,
    started: Vec<AtomicU64>,
    /// Each thread's CPU time when its case started (clock ticks), and its
    /// Linux thread id (0 when unknown).
    started_cpu: Vec<AtomicU64>,
    tids: Vec<AtomicU64>,
    current: Vec<Mutex<Vec<String>>>,
    stop: AtomicBool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let number = |flag: &str, default: u64| -> u64 {
        value(flag).map_or(default, |v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{flag} takes a whole number"))
        })
    };
    // `--replay DIR`: run one saved case (its f0.yaml, f1.yaml, ...) and
    // say how long it took.
    if let Some(dir) = value("--replay") {
        let mut files = Vec::new();
        while let Ok(text) =
            std::fs::read_to_string(Path::new(dir).join(format!("f{}.yaml", files.len())))
        {
            files.push(text);
        }
        let start = Instant::now();
        fuzz::run(&files);
        println!(
            "replayed {} files in {:.2} s",
            files.len(),
            start.elapsed().as_secs_f64()
        );
        return;
    }
    let minutes = number("--minutes", 1);
    let seed = number("--seed", 0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let jobs = number("--jobs", cores).max(1) as usize;
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/fuzz");
    let state_path = value("--state").map_or_else(|| out.join("state.json"), PathBuf::from);
    let _ = std::fs::create_dir_all(&out);

    // The totals of earlier runs with this state file, and this run's segment.
    let earlier = (!args.iter().any(|a| a == "--fresh"))
        .then(|| std::fs::read_to_string(&state_path).ok())
        .flatten()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok());
    if let Some(state) = &earlier {
        if state["seed"].as_u64() != Some(seed) {
            eprintln!(
                "{} holds a run with seed {}; pass that seed to resume it, or --fresh",
                state_path.display(),
                state["seed"]
            );
            std::process::exit(2);
        }
    }
    let segment = earlier
        .as_ref()
        .map_or(0, |s| s["segments"].as_u64().unwrap_or(0));
    let before = earlier
        .as_ref()
        .map(|s| Totals::from_json(&s["totals"]))
        .unwrap_or_default();
    println!(
        "fuzz: seed {seed}, segment {segment}, {jobs} threads, {minutes} min; {} executions before",
        before.executions()
    );

    let shared = Arc::new(Shared {
        epoch: Instant::now(),
        totals: (0..jobs).map(|_| Mutex::default()).collect(),
        started: (0..jobs).map(|_| AtomicU64::new(IDLE)).collect(),
        started_cpu: (0..jobs).map(|_| AtomicU64::new(0)).collect(),
        tids: (0..jobs).map(|_| AtomicU64::new(0)).collect(),
        current: (0..jobs).map(|_| Mutex::default()).collect(),
        stop: AtomicBool::new(false),
    });
    let save_state = {
        let shared = shared.clone();
        let (state_path, before) = (state_path.clone(), before.clone());
        move || -> Totals {
            let mut now = Totals::default();
            for t in &shared.totals {
                now.add(&t.lock().unwrap_or_else(|e| e.into_inner()));
            }
            now.seconds = shared.epoch.elapsed().as_secs_f64();
            let mut all = before.clone();
            all.add(&now);
            let state = json!({"seed": seed, "segments": segment + 1, "totals": all.to_json()});
            let tmp = state_path.with_extension("json.tmp");
            let text = serde_json::to_string_pretty(&state).expect("JSON");
            if std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, &state_path))
                .is_err()
            {
                eprintln!("could not write {}", state_path.display());
            }
            now
        }
    };

    // Panics are counted, not printed one by one.
    std::panic::set_hook(Box::new(|info| eprintln!("crash: {info}")));
    let deadline = Duration::from_secs(minutes * 60);
    let workers: Vec<_> = (0..jobs)
        .map(|worker| {
            let shared = shared.clone();
            let out = out.clone();
            std::thread::spawn(move || fuzz_thread(&shared, worker, seed, segment, deadline, &out))
        })
        .collect();

    // The watchdog and the checkpoints.
    let mut checkpoint = Instant::now();
    while workers.iter().any(|w| !w.is_finished()) {
        std::thread::sleep(Duration::from_millis(500));
        let now = shared.epoch.elapsed().as_millis() as u64;
        for (worker, started) in shared.started.iter().enumerate() {
            let at = started.load(Ordering::SeqCst);
            if at == IDLE {
                continue;
            }
            let wall = Duration::from_millis(now.saturating_sub(at));
            let tid = shared.tids[worker].load(Ordering::SeqCst);
            let used = match cpu_ticks(tid) {
                Some(ticks) => Duration::from_millis(
                    ticks.saturating_sub(shared.started_cpu[worker].load(Ordering::SeqCst)) * 10,
                ),
                None => wall,
            };
            if used > HANG || wall > STUCK {
                let files = shared.current[worker]
                    .lock()
                    .map(|f| f.clone())
                    .unwrap_or_default();
                let dir = save(&out, &format!("hang-{seed}-{segment}-{worker}"), &files);
                eprintln!(
                    "HANG: a case used {used:?} of CPU time in {wall:?} (limits {HANG:?} of CPU, {STUCK:?} in all); saved in {}",
                    dir.display()
                );
                shared.totals[worker]
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .hangs += 1;
                save_state();
                std::process::exit(1);
            }
        }
        if checkpoint.elapsed() >= CHECKPOINT {
            save_state();
            checkpoint = Instant::now();
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    let now = save_state();
    now.print("this run");
    let mut all = before;
    all.add(&now);
    all.print(&format!(
        "all runs of {} ({} segments)",
        state_path.display(),
        segment + 1
    ));
    if now.crashes > 0 {
        std::process::exit(1);
    }
}

/// One thread: draw and run cases until the deadline.
fn fuzz_thread(
    shared: &Shared,
    worker: usize,
    seed: u64,
    segment: u64,
    deadline: Duration,
    out: &Path,
) {
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    seed_bytes[8..16].copy_from_slice(&segment.to_le_bytes());
    seed_bytes[16..24].copy_from_slice(&(worker as u64).to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let strategy = fuzz::case();
    let mut crashes = 0;
    // The library works on rayon's threads: each case runs in a pool of
    // one thread of its own, whose CPU time the watchdog reads.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let tid = pool.install(|| {
        std::fs::read_link("/proc/thread-self")
            .ok()
            .and_then(|p| p.file_name()?.to_str()?.parse().ok())
            .unwrap_or(0)
    });
    shared.tids[worker].store(tid, Ordering::SeqCst);
    while shared.epoch.elapsed() < deadline && !shared.stop.load(Ordering::SeqCst) {
        let (kind, files) = strategy
            .new_tree(&mut runner)
            .expect("the strategy draws")
            .current();
        *shared.current[worker]
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = files.clone();
        let start = Instant::now();
        let cpu = cpu_ticks(shared.tids[worker].load(Ordering::SeqCst)).unwrap_or(0);
        shared.started_cpu[worker].store(cpu, Ordering::SeqCst);
        shared.started[worker].store(shared.epoch.elapsed().as_millis() as u64, Ordering::SeqCst);
        let result =
            pool.install(|| std::panic::catch_unwind(AssertUnwindSafe(|| fuzz::run(&files))));
        shared.started[worker].store(IDLE, Ordering::SeqCst);
        let took = start.elapsed().as_secs_f64();
        let mut totals = shared.totals[worker]
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if result.is_err() {
            crashes += 1;
            totals.crashes += 1;
            let dir = save(
                out,
                &format!("crash-{seed}-{segment}-{worker}-{crashes}"),
                &files,
            );
            eprintln!("  saved in {}", dir.display());
        }
        let entry = totals.runs.entry(kind.to_string()).or_default();
        entry.0 += 1;
        entry.1 += took;
        if took > totals.slowest.0 {
            totals.slowest = (took, kind.to_string());
        }
    }
}

/// The CPU time a thread has used, in clock ticks (1/100 s), from Linux's
/// /proc; `None` elsewhere or for thread id 0.
fn cpu_ticks(tid: u64) -> Option<u64> {
    if tid == 0 {
        return None;
    }
    let stat = std::fs::read_to_string(format!("/proc/self/task/{tid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses): utime and
    // stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

/// Save a case's files under `out/name/`.
fn save(out: &Path, name: &str, files: &[String]) -> PathBuf {
    let dir = out.join(name);
    // No file of an earlier case with this name is left for `--replay`.
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::create_dir_all(&dir);
    for (i, text) in files.iter().enumerate() {
        let _ = std::fs::write(dir.join(format!("f{i}.yaml")), text);
    }
    dir
}
