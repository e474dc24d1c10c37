//! The conformance programs in `spec-tests/`, run against the `capwasi` binary on every
//! engine, the way the official WASI test runner runs a test suite.
//!
//! Each directory of `spec-tests/` with a `manifest.json` is a suite; each `NAME.wasm` in it
//! is a test whose `NAME.json` gives its arguments, environment, preopened directories and
//! expected exit status, stdout and stderr. As the official runner does, every file or
//! directory named `*.cleanup` under a test's directories is deleted before and after it
//! runs. On top of that, this runner checks that a test leaves its directories exactly as
//! it found them, and it works in a private copy of `spec-tests/` per engine so that the
//! engines can run side by side.
//!
//! A program listed in [`KNOWN_FAILURES`] fails because of a bug in capwasi itself. It still
//! runs on every engine and is reported on its own line, so the bug stays in sight without
//! failing the build; once it passes, the runner says so and it should leave the list.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

/// The engines every program runs on, by the name `capwasi run --engine` takes, and
/// the two ways through preview2 ([`PREVIEW2`], [`PREVIEW2_WASMI`]).
const ENGINES: &[&str] = &["wasmtime", "wasmi", PREVIEW2, PREVIEW2_WASMI];

/// Not an engine but a way through: the program encoded as a wasi 0.2 component with the
/// official preview1 adapter, run on wasmtime, so each preview1 call reaches capwasi's
/// preview2 through the adapter.
const PREVIEW2: &str = "preview2";

/// The same component on wasmi, which runs it through capwasi's own
/// component instantiator and canonical ABI.
const PREVIEW2_WASMI: &str = "preview2-wasmi";

/// The engine a way through preview2 runs its component on.
fn component_engine(way: &str) -> Option<&'static str> {
    match way {
        PREVIEW2 => Some("wasmtime"),
        PREVIEW2_WASMI => Some("wasmi"),
        _ => None,
    }
}

/// Programs whose expectations are preview1 facts that the preview1 adapter, not capwasi,
/// decides when they run as components (the [`PREVIEW2`] way), with the difference.
/// Each reason says what was seen.
const ADAPTER_DIFFERENCES: &[(&str, &str)] = &[
    (
        "clock/clocks",
        "EBADF for the CPU-time clocks, which preview2 does not have",
    ),
    (
        "fd/advise_allocate",
        "no preview1 rights (fd_advise succeeds without its right); fd_allocate is ENOTSUP",
    ),
    (
        "fd/fdflags",
        "APPEND is emulated by the adapter; a write after turning it off lands elsewhere",
    ),
    (
        "fd/file_io",
        "vectored reads and writes move only the first buffer",
    ),
    (
        "fd/preopens",
        "ESPIPE rather than EBADF for fd_seek on a closed descriptor",
    ),
    (
        "fd/readdir",
        "other cookies, and entries cut by a short buffer come back differently",
    ),
    ("fd/rights", "no preview1 rights to narrow"),
    (
        "fd/size_rights_without_write",
        "no preview1 rights: resizing follows the open mode",
    ),
    (
        "fd/stdio",
        "a vectored write to stdout writes only its first buffer",
    ),
    ("fd/times", "undefined fstflags bits are not refused"),
    (
        "path/hard_links",
        "undefined lookupflags bits are not refused",
    ),
    (
        "path/path_open",
        "EBADF rather than ENOTDIR for a path call on stdin",
    ),
    (
        "path/stat_dev_ino",
        "inode numbers come from metadata-hash, which by the WIT covers size and mtime",
    ),
    (
        "poll/poll_oneoff",
        "a bad descriptor fails the whole call instead of its event",
    ),
    (
        "proc/exit_code",
        "every nonzero proc_exit code becomes wasi:cli/exit's err, status 1",
    ),
    (
        "random/random_bounds",
        "random_get at the very end of memory fails inside the adapter",
    ),
    ("sock/not_a_socket", "sock_* calls trap inside the adapter"),
];

#[path = "../../tests/components/encode.rs"]
mod encode;

/// Programs that fail because of a bug in capwasi, with the bug. Each is reported as a known
/// failure rather than a failure; see the comment at the top of each program for the
/// behaviour it expects and why.
const KNOWN_FAILURES: &[(&str, &str)] = &[];

/// How long one program may run before it is killed and failed.
const TIMEOUT: Duration = Duration::from_secs(120);

/// The repository root (the workspace holding this crate).
fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("cli/ has a parent")
        .to_path_buf()
}

/// One test: a program and what its `.json` says about running it.
#[derive(Debug)]
struct Spec {
    /// `SUITE/NAME`, as reported.
    name: String,
    /// The suite directory, relative to `spec-tests/`.
    suite: String,
    /// The program's file name within the suite.
    wasm: String,
    args: Vec<String>,
    env: BTreeMap<String, String>,
    /// Directories preopened under their own names, relative to the suite.
    dirs: Vec<String>,
    /// A directory preopened as `/`, relative to the suite.
    root: Option<String>,
    exit_code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
}

/// Reads every suite under `spec_dir`, in name order.
fn discover(spec_dir: &Path) -> Vec<Spec> {
    let mut suites: Vec<PathBuf> = fs::read_dir(spec_dir)
        .expect("spec-tests/ is readable")
        .map(|e| e.expect("spec-tests/ entry").path())
        .filter(|p| p.join("manifest.json").is_file())
        .collect();
    suites.sort();
    let mut specs = Vec::new();
    for suite_dir in suites {
        let suite = suite_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let mut programs: Vec<PathBuf> = fs::read_dir(&suite_dir)
            .expect("suite is readable")
            .map(|e| e.expect("suite entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        programs.sort();
        for wasm in programs {
            specs.push(read_spec(&suite, &wasm));
        }
    }
    specs
}

/// Parses the `.json` next to `wasm`, with the official runner's defaults for what it
/// leaves out.
fn read_spec(suite: &str, wasm: &Path) -> Spec {
    let stem = wasm.file_stem().unwrap().to_string_lossy().into_owned();
    let name = format!("{suite}/{stem}");
    let json_path = wasm.with_extension("json");
    let config: Value = match fs::read_to_string(&json_path) {
        Ok(text) => serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", json_path.display())),
        Err(_) => Value::Object(Default::default()),
    };
    let strings = |key: &str| -> Vec<String> {
        config
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .unwrap_or_else(|| panic!("{name}: `{key}` holds a non-string"))
                            .to_owned()
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let text = |key: &str| config.get(key).and_then(Value::as_str).map(str::to_owned);
    let env = config
        .get("env")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    let v = v
                        .as_str()
                        .unwrap_or_else(|| panic!("{name}: env `{k}` is not a string"));
                    (k.clone(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    Spec {
        suite: suite.to_owned(),
        wasm: wasm.file_name().unwrap().to_string_lossy().into_owned(),
        args: strings("args"),
        env,
        dirs: strings("dirs"),
        root: text("root"),
        exit_code: config
            .get("exit_code")
            .and_then(Value::as_i64)
            .map_or(0, |c| c as i32),
        stdout: text("stdout"),
        stderr: text("stderr"),
        name,
    }
}

/// Copies a tree of plain files, directories and symlinks.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create copy");
    for entry in fs::read_dir(from).expect("read tree") {
        let entry = entry.expect("tree entry");
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        let kind = entry.file_type().expect("entry type");
        if kind.is_dir() {
            copy_tree(&src, &dst);
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src).expect("readlink"), &dst)
                .expect("copy symlink");
        } else {
            fs::copy(&src, &dst).expect("copy file");
        }
    }
}

/// Deletes everything named `*.cleanup` under `dir`, as the official runner does around
/// each test.
fn remove_cleanup(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if path.to_string_lossy().ends_with(".cleanup") {
            if is_dir {
                // A test may have left a directory it made unreadable or unwritable.
                make_writable(&path);
                let _ = fs::remove_dir_all(&path);
            } else {
                let _ = fs::remove_file(&path);
            }
        } else if is_dir {
            remove_cleanup(&path);
        }
    }
}

fn make_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o755));
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                make_writable(&entry.path());
            }
        }
    }
}

/// What a directory holds: every path under it with its kind and contents, for telling
/// whether a test changed its fixture.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let kind = entry.file_type().expect("entry type");
            let what = if kind.is_symlink() {
                format!("symlink to {:?}", fs::read_link(&path).unwrap_or_default())
            } else if kind.is_dir() {
                walk(base, &path, out);
                "directory".to_owned()
            } else {
                format!("file {:?}", fs::read(&path).unwrap_or_default())
            };
            out.insert(rel, what);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// How one run ended.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

/// Runs `cmd` with stdin an empty pipe, as the official runner does, collecting its output
/// and killing it after [`TIMEOUT`].
fn run_with_timeout(mut cmd: Command) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("capwasi starts");
    drop(child.stdin.take());
    let collect = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let out = collect(Box::new(child.stdout.take().unwrap()));
    let err = collect(Box::new(child.stderr.take().unwrap()));
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for capwasi") {
            break status;
        }
        if start.elapsed() > TIMEOUT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().expect("wait for killed capwasi");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        timed_out,
    }
}

/// Runs one test in the copy of `spec-tests/` at `root` and returns why it failed, if it
/// did.
fn run_spec(spec: &Spec, root: &Path, engine: &str) -> Result<(), String> {
    let suite = root.join(&spec.suite);
    let mut host_dirs: Vec<(PathBuf, String)> = spec
        .dirs
        .iter()
        .map(|d| (suite.join(d), d.clone()))
        .collect();
    if let Some(r) = &spec.root {
        host_dirs.push((suite.join(r), "/".to_owned()));
    }
    for (host, _) in &host_dirs {
        remove_cleanup(host);
    }
    let before: Vec<_> = host_dirs.iter().map(|(h, _)| snapshot(h)).collect();

    let mut program = suite.join(&spec.wasm);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capwasi"));
    cmd.current_dir(&suite).arg("run").arg("--engine");
    if let Some(component_engine) = component_engine(engine) {
        let module = fs::read(&program).map_err(|e| format!("{}: {e}", program.display()))?;
        let component = encode::preview1_command_to_component(&module)
            .map_err(|e| format!("cannot encode {}: {e}", program.display()))?;
        program.set_extension("component.wasm");
        fs::write(&program, component).map_err(|e| format!("{}: {e}", program.display()))?;
        cmd.arg(component_engine);
    } else {
        cmd.arg(engine);
    }
    for (k, v) in &spec.env {
        cmd.arg("--env").arg(format!("{k}={v}"));
    }
    for (host, guest) in &host_dirs {
        cmd.arg("--dir").arg(format!("{}::{guest}", host.display()));
    }
    cmd.arg(&program).args(&spec.args);
    let out = run_with_timeout(cmd);

    for (host, _) in &host_dirs {
        remove_cleanup(host);
    }
    let mut why = String::new();
    if out.timed_out {
        let _ = writeln!(why, "killed after {TIMEOUT:?}");
    }
    if out.code != Some(spec.exit_code) {
        let _ = writeln!(why, "exit status {:?}, want {}", out.code, spec.exit_code);
    }
    if let Some(want) = &spec.stdout {
        if &out.stdout != want {
            let _ = writeln!(why, "stdout differs:\n{}", diff(want, &out.stdout));
        }
    }
    if let Some(want) = &spec.stderr {
        if &out.stderr != want {
            let _ = writeln!(why, "stderr differs:\n{}", diff(want, &out.stderr));
        }
    }
    for ((host, guest), before) in host_dirs.iter().zip(&before) {
        let after = snapshot(host);
        if &after != before {
            let _ = writeln!(why, "left its directory `{guest}` changed:");
            for (path, what) in before {
                if after.get(path) != Some(what) {
                    let _ = writeln!(why, "  {path}: was {what}, now {:?}", after.get(path));
                }
            }
            for path in after.keys().filter(|p| !before.contains_key(*p)) {
                let _ = writeln!(why, "  {path}: new");
            }
        }
    }
    if why.is_empty() {
        Ok(())
    } else {
        if !out.stderr.is_empty() && spec.stderr.is_none() {
            let _ = writeln!(why, "stderr:\n{}", out.stderr.trim_end());
        }
        Err(why)
    }
}

/// Line by line, the expected and actual text where they differ.
fn diff(want: &str, got: &str) -> String {
    let (w, g): (Vec<_>, Vec<_>) = (want.lines().collect(), got.lines().collect());
    let mut out = String::new();
    for i in 0..w.len().max(g.len()) {
        match (w.get(i), g.get(i)) {
            (Some(a), Some(b)) if a == b => {}
            (a, b) => {
                let show =
                    |l: Option<&&str>| l.map_or("(no line)".to_owned(), |l| format!("{l:?}"));
                let _ = writeln!(out, "  line {}: want {}", i + 1, show(a));
                let _ = writeln!(out, "  line {}:  got {}", i + 1, show(b));
            }
        }
    }
    if out.is_empty() {
        out = format!("  (only in line endings) want {want:?}, got {got:?}\n");
    }
    out
}

/// What one engine's run of the whole suite came to.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: Vec<(String, String)>,
    known: Vec<String>,
    fixed: Vec<String>,
}

/// The failures expected of `engine`: capwasi's known bugs, and on the [`PREVIEW2`] way
/// also the adapter's differences.
fn known_failures(engine: &str) -> impl Iterator<Item = (&'static str, &'static str)> {
    let adapter: &[(&str, &str)] = if component_engine(engine).is_some() {
        ADAPTER_DIFFERENCES
    } else {
        &[]
    };
    KNOWN_FAILURES.iter().chain(adapter).copied()
}

fn run_engine(engine: &str, specs: &[Spec]) -> Tally {
    let copy = TempDir::new().expect("temp dir");
    copy_tree(&repo_root().join("spec-tests"), copy.path());
    let mut tally = Tally::default();
    for spec in specs {
        let known = known_failures(engine).any(|(n, _)| n == spec.name);
        match (run_spec(spec, copy.path(), engine), known) {
            (Ok(()), false) => tally.passed += 1,
            (Ok(()), true) => {
                tally.passed += 1;
                tally.fixed.push(spec.name.clone());
            }
            (Err(_), true) => tally.known.push(spec.name.clone()),
            (Err(why), false) => tally.failed.push((spec.name.clone(), why)),
        }
    }
    tally
}

/// Writes to the real standard output, which the test harness does not capture, so the
/// summary shows in every `cargo test` run.
fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[test]
fn spec_tests_pass_on_every_engine() {
    let specs = discover(&repo_root().join("spec-tests"));
    assert!(
        specs.len() >= 15,
        "only {} spec programs found",
        specs.len()
    );
    for (name, _) in KNOWN_FAILURES.iter().chain(ADAPTER_DIFFERENCES) {
        assert!(
            specs.iter().any(|s| s.name == *name),
            "known failure {name} names no spec program"
        );
    }
    let tallies: Vec<(&str, Tally)> = std::thread::scope(|scope| {
        let handles: Vec<_> = ENGINES
            .iter()
            .map(|engine| {
                let specs = &specs;
                (*engine, scope.spawn(move || run_engine(engine, specs)))
            })
            .collect();
        handles
            .into_iter()
            .map(|(engine, h)| (engine, h.join().expect("engine run")))
            .collect()
    });

    let mut report = String::new();
    let (mut passed, mut failed) = (0, 0);
    for (engine, tally) in &tallies {
        for (name, why) in &tally.failed {
            let _ = writeln!(report, "FAILED {engine} {name}\n{}", why.trim_end());
        }
        for name in &tally.known {
            let reason = known_failures(engine)
                .find(|(n, _)| n == name)
                .map_or("", |(_, why)| why);
            let _ = writeln!(report, "known failure {engine} {name}: {reason}");
        }
        for name in &tally.fixed {
            let _ = writeln!(
                report,
                "{engine} {name} passes now: remove it from its list in cli/tests/spec.rs"
            );
        }
        let _ = writeln!(
            report,
            "{engine}: {} passed, {} failed",
            tally.passed,
            tally.failed.len()
        );
        if !tally.known.is_empty() {
            let _ = writeln!(
                report,
                "{engine}: {} known failures (listed above)",
                tally.known.len()
            );
        }
        passed += tally.passed;
        failed += tally.failed.len();
    }
    let _ = writeln!(report, "spec-tests: {passed} passed, {failed} failed");
    say(&format!("\n{report}"));
    assert_eq!(failed, 0, "spec programs failed:\n{report}");
}

/// The runtime adapter for the official runner, loaded and exercised the way that runner
/// does by `spec-tests/check_adapter.py`. It needs Python 3; without one it says so and
/// checks nothing.
#[test]
fn official_runner_adapter_works() {
    let python = ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("-c")
            .arg("import sys; sys.exit(sys.version_info < (3, 8))")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(python) = python else {
        say("\nno Python 3 found: spec-tests/check_adapter.py did not run\n");
        return;
    };
    let out = Command::new(python)
        .arg(repo_root().join("spec-tests/check_adapter.py"))
        .env("CAPWASI", env!("CARGO_BIN_EXE_capwasi"))
        .env_remove("CAPWASI_ENGINE")
        .output()
        .expect("python starts");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    say(&format!("\n{text}"));
    assert!(out.status.success(), "check_adapter.py failed:\n{text}");
}
