//! Error paths of the file system: unreadable inputs, an output directory
//! that cannot be written, a full disk. Each is a clear error and exit 2,
//! and a failed compile leaves the output directory exactly as it was.
//!
//! The read-only and full-disk cases mount a small tmpfs, which needs root
//! (CAP_SYS_ADMIN); where mounting is not allowed they say so and pass, and
//! the same property is still tested with a simulated full disk in
//! `output::tests::a_full_disk_changes_nothing`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{datapact, stderr};

fn tempdir(name: &str) -> common::TempDir {
    common::tempdir(&format!("errors-{name}"))
}

/// Every file under `dir` (hidden ones too) with its bytes.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect();
    files.sort();
    files
}

#[test]
fn unreadable_inputs_are_io_errors() {
    let dir = tempdir("inputs");
    let fifo = dir.join("fifo.yaml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("loop.yaml", dir.join("loop.yaml")).unwrap();
    std::fs::write(dir.join("big.yaml"), "x".repeat(5 << 20)).unwrap();
    std::fs::write(dir.join("binary.yaml"), [0xff, 0xfe, 0x00, 0x80]).unwrap();
    for (file, why) in [
        // Opening a FIFO would block forever.
        ("fifo.yaml", "not a regular file"),
        (
            "loop.yaml",
            "Too many levels of symbolic links (os error 40)",
        ),
        (
            "big.yaml",
            "the file is larger than the limit of 4194304 bytes for a contract file",
        ),
        ("binary.yaml", "not UTF-8 text"),
    ] {
        let o = datapact(&["--color", "never", "validate", file], &dir);
        assert_eq!(o.status.code(), Some(2), "{file}: {}", stderr(&o));
        let first = stderr(&o).lines().next().unwrap_or_default().to_string();
        assert_eq!(
            first,
            format!("{file} error[io]: cannot read `{file}`: {why}")
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Mount a tmpfs at `at` with `options`; false where that is not allowed.
fn mount(at: &Path, options: &str) -> bool {
    std::fs::create_dir_all(at).unwrap();
    let ok = Command::new("mount")
        .args(["-t", "tmpfs", "-o", options, "tmpfs"])
        .arg(at)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "not allowed to mount a tmpfs here: skipping the case on {}",
            at.display()
        );
    }
    ok
}

fn umount(at: &Path) {
    let _ = Command::new("umount").arg(at).status();
}

const COMPILE: &[&str] = &[
    "--color",
    "never",
    "compile",
    "--target",
    "sql,dbt,docs",
    "--dialect",
    "all",
    "--dbt-dialect",
    "duckdb",
    "--out",
];

fn compile(contracts: &Path, out: &Path) -> std::process::Output {
    let mut args: Vec<&str> = COMPILE.to_vec();
    args.push(out.to_str().unwrap());
    args.push(contracts.to_str().unwrap());
    datapact(&args, &common::root())
}

#[test]
fn an_output_path_under_a_file_is_an_io_error() {
    let dir = tempdir("under-file");
    std::fs::write(dir.join("file"), "not a directory").unwrap();
    let out = dir.join("file/build");
    let o = compile(&common::root().join("contracts"), &out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Not a directory (os error 20)"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("file")).unwrap(),
        "not a directory"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_only_output_directory_is_an_io_error() {
    let dir = tempdir("read-only");
    let out = dir.join("out");
    if !mount(&out, "ro,size=1m") {
        return;
    }
    let o = compile(&common::root().join("contracts"), &out);
    umount(&out);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Read-only file system (os error 30)"),
        "{}",
        stderr(&o)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A disk that fills up half-way through a compile: exit 2, and the
/// previous output is untouched, with no temporary file left behind.
#[test]
fn a_full_disk_leaves_the_output_as_it_was() {
    let dir = tempdir("full-disk");
    let out = dir.join("out");
    // Room for the output of one contract, not of six.
    if !mount(&out, "size=2m") {
        return;
    }
    let one = dir.join("one");
    std::fs::create_dir_all(&one).unwrap();
    std::fs::copy(
        common::root().join("contracts/shop/customers.yaml"),
        one.join("customers.yaml"),
    )
    .unwrap();
    let first = compile(&one, &out);
    let before = snapshot(&out);
    let o = compile(&common::root().join("contracts"), &out);
    let after = snapshot(&out);
    umount(&out);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(!before.is_empty());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("No space left on device (os error 28)"),
        "{}",
        stderr(&o)
    );
    assert!(
        after == before,
        "the failed compile changed the output directory"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
