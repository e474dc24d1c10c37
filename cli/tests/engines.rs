//! The `capwasi` binary on each engine `--engine` can name: a guest must do the same thing
//! whichever engine runs it.

use std::fs;
use std::process::{Command, Output};
use tempfile::TempDir;

mod common;
use common::{copy_of_example_data, repo_root};

/// Every engine the binary is built with; the first is the default.
const ENGINES: &[&str] = &["wasmtime", "wasmi"];

/// Lines of the demo's output that differ from run to run whatever the engine.
const TIME_DEPENDENT: &[&str] = &["wall clock: ", "file work took "];

/// The binary under test, with no stray environment that could leak into a guest.
fn capwasi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capwasi"));
    cmd.env_remove("GREETING").env_remove("DEMO_DIR");
    cmd
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Runs the demo on `engine` and returns its stdout without the time-dependent lines.
fn demo_on(engine: &str) -> Vec<String> {
    let data = copy_of_example_data();
    let dir = format!("{}::/data", data.path().to_str().expect("UTF-8 temp path"));
    let out = capwasi()
        .current_dir(repo_root())
        .args(["run", "--engine", engine, "--dir", &dir])
        .arg("examples/guests/demo.wasm")
        .output()
        .expect("capwasi starts");
    assert_eq!(out.status.code(), Some(0), "{engine}: {}", describe(&out));
    let text = String::from_utf8(out.stdout).expect("UTF-8 stdout");
    for prefix in TIME_DEPENDENT {
        assert!(
            text.lines().any(|line| line.starts_with(prefix)),
            "{engine}: no {prefix:?} line\n{text}"
        );
    }
    text.lines()
        .filter(|line| !TIME_DEPENDENT.iter().any(|p| line.starts_with(p)))
        .map(str::to_owned)
        .collect()
}

#[test]
fn demo_prints_the_same_on_every_engine() {
    let expected = demo_on(ENGINES[0]);
    assert!(
        expected.iter().any(|l| l == "all done, /data is as it was"),
        "{expected:#?}"
    );
    for engine in &ENGINES[1..] {
        assert_eq!(
            demo_on(engine),
            expected,
            "{engine} differs from {}",
            ENGINES[0]
        );
    }
}

/// Runs a text-format module on `engine`.
fn run_wat(engine: &str, wat: &str) -> Output {
    let tmp = TempDir::new().unwrap();
    let module = tmp.path().join("guest.wat");
    fs::write(&module, wat).unwrap();
    capwasi()
        .args(["run", "--engine", engine])
        .arg(&module)
        .output()
        .expect("capwasi starts")
}

#[test]
fn exit_status_and_traps_are_the_same_on_every_engine() {
    let exit_7 = r#"(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (call $exit (i32.const 7))))"#;
    let trap = r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#;
    let abort = if cfg!(windows) { 3 } else { 128 + 6 };
    for engine in ENGINES {
        let out = run_wat(engine, exit_7);
        assert_eq!(out.status.code(), Some(7), "{engine}: {}", describe(&out));

        let out = run_wat(engine, trap);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(abort),
            "{engine}: {}",
            describe(&out)
        );
        assert!(err.starts_with("error:"), "{engine}: {}", describe(&out));
        assert!(err.contains("unreachable"), "{engine}: {}", describe(&out));
    }
}

#[test]
fn a_module_that_cannot_link_is_one_line_on_every_engine() {
    let unknown_import = r#"(module
      (import "wasi_snapshot_preview1" "no_such_call" (func))
      (func (export "_start")))"#;
    for engine in ENGINES {
        let out = run_wat(engine, unknown_import);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{engine}: {}", describe(&out));
        assert!(err.starts_with("error:"), "{engine}: {}", describe(&out));
        assert!(err.contains("no_such_call"), "{engine}: {}", describe(&out));
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{engine}: {}",
            describe(&out)
        );
    }
}

#[test]
fn an_invalid_binary_is_one_line_on_every_engine() {
    let tmp = TempDir::new().unwrap();
    let module = tmp.path().join("broken.wasm");
    // A valid header followed by a section id no engine knows.
    fs::write(&module, b"\0asm\x01\0\0\0\x7f\x00").unwrap();
    for engine in ENGINES {
        let out = capwasi()
            .args(["run", "--engine", engine])
            .arg(&module)
            .output()
            .expect("capwasi starts");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{engine}: {}", describe(&out));
        assert!(err.starts_with("error:"), "{engine}: {}", describe(&out));
        assert_eq!(
            err.trim_end().lines().count(),
            1,
            "{engine}: {}",
            describe(&out)
        );
    }
}

#[test]
fn an_unknown_engine_lists_every_known_one() {
    let out = capwasi()
        .args(["run", "--engine", "bogus", "m.wasm"])
        .output()
        .expect("capwasi starts");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    assert_eq!(err.trim_end().lines().count(), 1, "{}", describe(&out));
    for engine in ENGINES {
        assert!(
            err.contains(engine),
            "{engine} not listed\n{}",
            describe(&out)
        );
    }
}
