//! End-to-end tests of the `capwasi` binary: the demo guest, exit statuses, every kind of
//! bad input, and that each grant on the command line does what it says and no more.

use std::collections::BTreeMap;
use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, MutexGuard};

use tempfile::TempDir;

mod common;
use common::{demo_wasm, repo_root};

/// The binary under test, with no stray environment that could leak into a guest.
fn capwasi() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capwasi"));
    cmd.env_remove("GREETING").env_remove("DEMO_DIR");
    cmd
}

fn run(args: &[&str]) -> Output {
    capwasi().args(args).output().expect("capwasi starts")
}

/// Runs the binary and asserts its exit status, showing the whole run when it differs.
#[track_caller]
fn run_expecting(code: i32, args: &[&str]) -> Output {
    let out = run(args);
    assert_eq!(out.status.code(), Some(code), "{}", describe(&out));
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    )
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// Asserts the run failed the way a user mistake should: a non-zero status, a single
/// `error:` line on stderr that mentions `needle`, and no panic or backtrace.
fn assert_clean_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert!(!out.status.success(), "expected failure\n{}", describe(out));
    assert!(!err.contains("panicked"), "panicked\n{}", describe(out));
    assert!(
        !err.contains("RUST_BACKTRACE"),
        "backtrace hint\n{}",
        describe(out)
    );
    assert!(
        err.starts_with("error:"),
        "no `error:` prefix\n{}",
        describe(out)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "not one line\n{}",
        describe(out)
    );
    assert!(
        err.contains(needle),
        "stderr does not mention {needle:?}\n{}",
        describe(out)
    );
}

fn write_wat(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Every file and directory under `root` with its contents (directories map to None).
fn tree(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(rel, None);
                walk(root, &path, out);
            } else {
                out.insert(rel, Some(fs::read(&path).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Held while a test reads or runs the demo in the repository's own examples/data, since
/// one test lets the demo write there (briefly) and another copies it.
static EXAMPLE_DATA: Mutex<()> = Mutex::new(());

fn lock_example_data() -> MutexGuard<'static, ()> {
    EXAMPLE_DATA
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A private copy of examples/data, taken while no test here runs the demo in
/// the repository's own copy.
fn copy_of_example_data() -> TempDir {
    let _guard = lock_example_data();
    common::copy_of_example_data()
}

/// Prints argv, a marker line, then the environment, one entry per line: every NUL that
/// ends a string in the args_get / environ_get buffers is turned into a newline.
const PRINT_ARGS_AND_ENV: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 4)
  (data (i32.const 512) "=== env\n")
  ;; Layout: 0 count, 4 buffer size, 16 iovec, 32 nwritten, 1024.. pointers, 65536.. strings.
  (func $check_sizes
    (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 16000)) (then (call $proc_exit (i32.const 99))))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 196608)) (then (call $proc_exit (i32.const 99)))))
  (func $emit (param $ptr i32) (param $len i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (if (i32.eqz (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
          (then (i32.store8 (i32.add (local.get $ptr) (local.get $i)) (i32.const 10))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.store (i32.const 16) (local.get $ptr))
    (i32.store (i32.const 20) (local.get $len))
    (if (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 32))
      (then (call $proc_exit (i32.const 98)))))
  (func (export "_start")
    (if (call $args_sizes_get (i32.const 0) (i32.const 4)) (then (call $proc_exit (i32.const 97))))
    (call $check_sizes)
    (if (call $args_get (i32.const 1024) (i32.const 65536)) (then (call $proc_exit (i32.const 97))))
    (call $emit (i32.const 65536) (i32.load (i32.const 4)))
    (call $emit (i32.const 512) (i32.const 8))
    (if (call $environ_sizes_get (i32.const 0) (i32.const 4)) (then (call $proc_exit (i32.const 96))))
    (call $check_sizes)
    (if (call $environ_get (i32.const 1024) (i32.const 65536)) (then (call $proc_exit (i32.const 96))))
    (call $emit (i32.const 65536) (i32.load (i32.const 4)))))
"#;

/// What PRINT_ARGS_AND_ENV printed: (argv, environment lines).
fn args_and_env(out: &Output) -> (Vec<String>, Vec<String>) {
    assert!(out.status.success(), "{}", describe(out));
    let text = stdout(out);
    let (args, env) = text.split_once("=== env\n").expect("marker line");
    (
        args.lines().map(str::to_owned).collect(),
        env.lines().map(str::to_owned).collect(),
    )
}

/// Opens `f.txt` in the first preopen (fd 3) asking for FD_WRITE and no other right, and
/// writes "CHANGED" at its start. Exits with the errno of a failed open, 100 + the errno of
/// a failed write, or 0.
const OPEN_AND_WRITE: &str = r#"
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "f.txt")
  (data (i32.const 200) "CHANGED")
  (func (export "_start")
    (local $err i32)
    (local.set $err
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 5)
        (i32.const 0) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $err) (then (call $proc_exit (local.get $err))))
    (i32.store (i32.const 8) (i32.const 200))
    (i32.store (i32.const 12) (i32.const 7))
    (local.set $err (call $fd_write (i32.load (i32.const 0)) (i32.const 8) (i32.const 1) (i32.const 16)))
    (if (local.get $err) (then (call $proc_exit (i32.add (i32.const 100) (local.get $err)))))))
"#;

/// Exits with the filetype fd_fdstat_get reports for fd FD, or 100 + errno.
fn fdstat_filetype_guest(fd: u32) -> String {
    r#"
(module
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (local $err i32)
    (local.set $err (call $fdstat (i32.const FD) (i32.const 0)))
    (if (local.get $err) (then (call $proc_exit (i32.add (i32.const 100) (local.get $err)))))
    (call $proc_exit (i32.load8_u (i32.const 0)))))
"#
    .replace("FD", &fd.to_string())
}

const EXIT_7: &str = r#"
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") (call $proc_exit (i32.const 7))))
"#;

const ERRNO_NOTCAPABLE: i32 = 76;
const FILETYPE_DIRECTORY: i32 = 3;
const FILETYPE_SOCKET_STREAM: i32 = 6;

// ---------------------------------------------------------------------------------------
// The demo guest
// ---------------------------------------------------------------------------------------

#[test]
fn demo_reports_everything_and_leaves_its_directory_as_it_was() {
    let data = copy_of_example_data();
    let before = tree(data.path());
    let dir = format!("{}::/data", path_str(data.path()));
    let out = run(&[
        "run",
        "--dir",
        &dir,
        "--env",
        "GREETING=Hi",
        path_str(&demo_wasm()),
        "world",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    for expected in [
        "Hi, world!\n",
        &format!("  argv[0] = {}\n", demo_wasm().display()),
        "  argv[1] = world\n",
        "environment: GREETING is \"Hi\"\n",
        "wall clock: ",
        "contents of /data:\n",
        "  letters/                     directory\n",
        "  letters/a.txt                    17 bytes, 3 lines\n",
        "  letters/b.txt                    15 bytes, 1 line\n",
        "  message.txt                     159 bytes, 3 lines\n",
        "  | The guest reads it through the directory it was handed as /data,\n",
        "  wrote 51 bytes to /data/demo-note.tmp\n",
        "  renamed it to /data/demo-note.txt\n",
        "  stat says 51 bytes\n",
        "  read it back: same 51 bytes\n",
        "  deleted /data/demo-note.txt\n",
        "file work took ",
        "  /etc/passwd                  refused: Capabilities insufficient\n",
        "  /data/../../Cargo.toml       refused: Operation not permitted\n",
        "all done, /data is as it was\n",
    ] {
        assert!(
            text.contains(expected),
            "missing {expected:?}\n{}",
            describe(&out)
        );
    }
    assert!(!text.contains("PROBLEM"), "{}", describe(&out));
    assert_eq!(
        tree(data.path()),
        before,
        "the demo left the directory changed"
    );
}

#[test]
fn demo_under_a_read_only_grant_writes_nothing() {
    let data = copy_of_example_data();
    let before = tree(data.path());
    let dir = format!("{}::/data:ro", path_str(data.path()));
    let out = run(&["run", "--dir", &dir, path_str(&demo_wasm())]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(
        text.contains("Hello, whoever you are!\n"),
        "{}",
        describe(&out)
    );
    assert!(text.contains("GREETING is not set"), "{}", describe(&out));
    assert!(text.contains("  message.txt  "), "{}", describe(&out));
    assert!(
        text.contains("  create /data/demo-note.tmp: refused: Capabilities insufficient\n"),
        "{}",
        describe(&out)
    );
    assert!(!text.contains("wrote "), "{}", describe(&out));
    assert_eq!(tree(data.path()), before);
}

#[test]
fn demo_without_a_directory_says_how_to_give_it_one() {
    let out = run_expecting(1, &["run", path_str(&demo_wasm())]);
    let text = stdout(&out);
    assert!(
        text.contains("no directory was handed over as /data"),
        "{}",
        describe(&out)
    );
    assert!(text.contains("--dir HOST_DIR::/data"), "{}", describe(&out));
}

/// The README's first command, verbatim, from the repository root.
#[test]
fn readme_command_works_and_keeps_the_tree_clean() {
    let _guard = lock_example_data();
    let root = repo_root();
    let data = root.join("examples/data");
    let before = tree(&data);
    let out = capwasi()
        .current_dir(&root)
        .args([
            "run",
            "--dir",
            "examples/data::/data",
            "--env",
            "GREETING=Hello",
            "examples/guests/demo.wasm",
            "world",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    assert!(text.starts_with("Hello, world!\n"), "{}", describe(&out));
    assert!(
        text.contains("  argv[0] = examples/guests/demo.wasm\n"),
        "{}",
        describe(&out)
    );
    assert!(
        text.contains("all done, /data is as it was\n"),
        "{}",
        describe(&out)
    );
    assert_eq!(tree(&data), before, "examples/data changed");
}

// ---------------------------------------------------------------------------------------
// Version, help, exit statuses
// ---------------------------------------------------------------------------------------

#[test]
fn version_is_the_crate_version() {
    let out = run(&["--version"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(
        stdout(&out),
        format!("capwasi {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn run_help_explains_every_flag() {
    let out = run(&["run", "--help"]);
    assert!(out.status.success(), "{}", describe(&out));
    let text = stdout(&out);
    for flag in [
        "--dir",
        "HOST::GUEST",
        ":ro",
        "--env",
        "--inherit-env",
        "--tcplisten",
        "-S",
        "--engine",
        "MODULE",
        "Examples:",
    ] {
        assert!(text.contains(flag), "help lacks {flag}\n{text}");
    }
}

#[test]
fn proc_exit_status_becomes_the_process_status() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let out = run_expecting(7, &["run", path_str(&module)]);
    assert_eq!(stderr(&out), "", "{}", describe(&out));
}

#[test]
fn binary_modules_run_like_text_ones() {
    let tmp = TempDir::new().unwrap();
    let module = tmp.path().join("exit7.wasm");
    fs::write(&module, wat::parse_str(EXIT_7).unwrap()).unwrap();
    run_expecting(7, &["run", path_str(&module)]);
}

#[test]
fn returning_from_start_exits_zero() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(
        tmp.path(),
        "empty.wat",
        r#"(module (memory (export "memory") 1) (func (export "_start")))"#,
    );
    let out = run_expecting(0, &["run", path_str(&module)]);
    assert_eq!(stdout(&out), "");
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_trap_is_reported_and_exits_like_an_abort() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(
        tmp.path(),
        "trap.wat",
        r#"(module (memory (export "memory") 1) (func (export "_start") unreachable))"#,
    );
    // The host's Rust backtrace, which an engine may capture when asked to, is not the
    // user's concern: the trap and the guest's own backtrace are.
    let out = capwasi()
        .env("RUST_BACKTRACE", "1")
        .args(["run", path_str(&module)])
        .output()
        .unwrap();
    let err = stderr(&out);
    let expected = if cfg!(windows) { 3 } else { 128 + 6 };
    assert_eq!(out.status.code(), Some(expected), "{}", describe(&out));
    assert!(err.starts_with("error:"), "{}", describe(&out));
    assert!(
        err.to_lowercase().contains("unreachable"),
        "{}",
        describe(&out)
    );
    assert!(!err.contains("panicked"), "{}", describe(&out));
    assert!(!err.contains("Stack backtrace"), "{}", describe(&out));
}

// ---------------------------------------------------------------------------------------
// Bad input: one line naming the culprit, never a panic
// ---------------------------------------------------------------------------------------

#[test]
fn missing_module_is_named() {
    let tmp = TempDir::new().unwrap();
    let missing = tmp.path().join("nowhere.wasm");
    let out = run_expecting(1, &["run", path_str(&missing)]);
    assert_clean_error(&out, path_str(&missing));
}

#[test]
fn invalid_wasm_is_a_load_error_naming_the_module() {
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("bad.wasm");
    fs::write(&bad, b"\0asm\x01\0\0\0\xff\xff\xff").unwrap();
    let out = run_expecting(1, &["run", path_str(&bad)]);
    assert_clean_error(&out, &format!("error: {}:", bad.display()));
}

#[test]
fn a_file_that_is_no_module_at_all_is_named() {
    let tmp = TempDir::new().unwrap();
    let bad = tmp.path().join("notes.txt");
    fs::write(&bad, "just some words\n").unwrap();
    let out = run_expecting(1, &["run", path_str(&bad)]);
    assert_clean_error(&out, &format!("error: {}:", bad.display()));
}

#[test]
fn broken_text_module_points_at_the_line() {
    let tmp = TempDir::new().unwrap();
    let bad = write_wat(
        tmp.path(),
        "bad.wat",
        "(module\n  (func (export \"_start\") (no_such_op)))\n",
    );
    let out = run_expecting(1, &["run", path_str(&bad)]);
    assert_clean_error(&out, &format!("{}:2:", bad.display()));
}

#[test]
fn module_without_start_is_a_load_error() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(
        tmp.path(),
        "lib.wat",
        r#"(module (memory (export "memory") 1))"#,
    );
    let out = run_expecting(1, &["run", path_str(&module)]);
    assert_clean_error(&out, &format!("error: {}:", module.display()));
    assert!(stderr(&out).contains("_start"), "{}", describe(&out));
}

#[test]
fn missing_dir_is_named() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let missing = tmp.path().join("absent");
    let spec = format!("{}::/data", missing.display());
    let out = run_expecting(1, &["run", "--dir", &spec, path_str(&module)]);
    assert_clean_error(&out, path_str(&missing));
    assert!(stderr(&out).contains("--dir"), "{}", describe(&out));
}

#[test]
fn a_file_given_as_dir_is_named() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let out = run_expecting(1, &["run", "--dir", path_str(&module), path_str(&module)]);
    assert_clean_error(&out, &format!("--dir {}", module.display()));
}

#[cfg(unix)]
#[test]
fn unreadable_dir_is_named() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let locked = tmp.path().join("locked");
    fs::create_dir(&locked).unwrap();
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    // A privileged user opens it anyway; then there is no failure to observe.
    let opens_anyway = fs::read_dir(&locked).is_ok();
    let out = run(&["run", "--dir", path_str(&locked), path_str(&module)]);
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
    if opens_anyway {
        assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    } else {
        assert_eq!(out.status.code(), Some(1), "{}", describe(&out));
        assert_clean_error(&out, &format!("--dir {}", locked.display()));
    }
}

#[test]
fn malformed_dir_values_name_the_flag() {
    for spec in ["::/data", "somewhere::", "a::b::c", ":ro", ""] {
        let out = run(&["run", "--dir", spec, "m.wasm"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--dir {spec:?}\n{}",
            describe(&out)
        );
        assert_clean_error(&out, "--dir");
        assert!(
            stderr(&out).contains(&format!("'{spec}'")),
            "{}",
            describe(&out)
        );
    }
}

#[test]
fn malformed_env_values_name_the_flag() {
    for spec in ["=value", ""] {
        let out = run(&["run", "--env", spec, "m.wasm"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--env {spec:?}\n{}",
            describe(&out)
        );
        assert_clean_error(&out, "--env");
    }
}

#[test]
fn malformed_listen_addresses_name_the_flag() {
    for addr in ["nonsense", "127.0.0.1", "127.0.0.1:port", ":8080"] {
        let out = run(&["run", "--tcplisten", addr, "m.wasm"]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "--tcplisten {addr:?}\n{}",
            describe(&out)
        );
        assert_clean_error(&out, "--tcplisten");
        assert!(stderr(&out).contains(addr), "{}", describe(&out));
    }
}

#[test]
fn an_address_that_cannot_be_bound_is_named() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = run_expecting(1, &["run", "--tcplisten", &addr, path_str(&module)]);
    assert_clean_error(&out, &format!("--tcplisten {addr}"));
}

#[test]
fn unknown_flags_and_options_are_named() {
    let out = run_expecting(2, &["run", "--frobnicate", "m.wasm"]);
    assert_clean_error(&out, "--frobnicate");

    let out = run_expecting(2, &["run", "-S", "frobnicate=1", "m.wasm"]);
    assert_clean_error(&out, "frobnicate");

    let out = run_expecting(2, &["frobnicate"]);
    assert_clean_error(&out, "frobnicate");
}

#[test]
fn missing_module_argument_is_a_usage_error() {
    let out = run_expecting(2, &["run", "--dir", "."]);
    assert_clean_error(&out, "MODULE");
}

#[test]
fn unknown_engine_is_named() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    let out = run_expecting(2, &["run", "--engine", "warp-drive", path_str(&module)]);
    assert_clean_error(&out, "warp-drive");
    assert!(
        stderr(&out).contains("wasmtime"),
        "lists the engines there are\n{}",
        describe(&out)
    );
}

#[test]
fn the_default_engine_can_be_named() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "exit7.wat", EXIT_7);
    run_expecting(7, &["run", "--engine", "wasmtime", path_str(&module)]);
}

// ---------------------------------------------------------------------------------------
// Grants
// ---------------------------------------------------------------------------------------

#[test]
fn read_only_dir_refuses_a_write_and_the_file_is_unchanged() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "write.wat", OPEN_AND_WRITE);
    let data = tmp.path().join("data");
    fs::create_dir(&data).unwrap();
    fs::write(data.join("f.txt"), "original contents\n").unwrap();

    let ro = format!("{}::/data:ro", data.display());
    run_expecting(ERRNO_NOTCAPABLE, &["run", "--dir", &ro, path_str(&module)]);
    assert_eq!(
        fs::read_to_string(data.join("f.txt")).unwrap(),
        "original contents\n"
    );

    // The same guest with a read-write grant does write: the refusal came from `:ro`.
    let rw = format!("{}::/data", data.display());
    run_expecting(0, &["run", "--dir", &rw, path_str(&module)]);
    assert_eq!(
        fs::read_to_string(data.join("f.txt")).unwrap(),
        "CHANGEDl contents\n"
    );
}

#[test]
fn env_sets_passes_and_omits_variables() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "print.wat", PRINT_ARGS_AND_ENV);
    let out = capwasi()
        .env("CAPWASI_TEST_FROM_HOST", "host value")
        .env("CAPWASI_TEST_NOT_PASSED", "secret")
        .env_remove("CAPWASI_TEST_UNSET")
        .args([
            "run",
            "--env",
            "A=1",
            "--env",
            "B=x=y",
            "--env",
            "EMPTY=",
            "--env",
            "CAPWASI_TEST_FROM_HOST",
            "--env",
            "CAPWASI_TEST_UNSET",
            "--env",
            "A=2",
            path_str(&module),
        ])
        .output()
        .unwrap();
    let (_, env) = args_and_env(&out);
    assert_eq!(
        env,
        [
            "A=2",
            "B=x=y",
            "EMPTY=",
            "CAPWASI_TEST_FROM_HOST=host value"
        ],
        "{}",
        describe(&out)
    );
}

#[test]
fn no_environment_unless_granted() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "print.wat", PRINT_ARGS_AND_ENV);
    let out = capwasi()
        .env("CAPWASI_TEST_NOT_PASSED", "secret")
        .args(["run", path_str(&module)])
        .output()
        .unwrap();
    let (_, env) = args_and_env(&out);
    assert!(env.is_empty(), "{}", describe(&out));
}

#[test]
fn inherit_env_passes_the_host_environment() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "print.wat", PRINT_ARGS_AND_ENV);
    for flag in [&["--inherit-env"][..], &["-S", "inherit-env"][..]] {
        let out = capwasi()
            .env("CAPWASI_TEST_INHERITED", "yes")
            .env("CAPWASI_TEST_OVERRIDDEN", "host")
            .args(["run"])
            .args(flag)
            .args(["--env", "CAPWASI_TEST_OVERRIDDEN=flag", path_str(&module)])
            .output()
            .unwrap();
        let (_, env) = args_and_env(&out);
        assert!(
            env.iter().any(|l| l == "CAPWASI_TEST_INHERITED=yes"),
            "{flag:?}\n{}",
            describe(&out)
        );
        let overridden: Vec<_> = env
            .iter()
            .filter(|l| l.starts_with("CAPWASI_TEST_OVERRIDDEN="))
            .collect();
        assert_eq!(
            overridden,
            ["CAPWASI_TEST_OVERRIDDEN=flag"],
            "{flag:?}\n{}",
            describe(&out)
        );
    }
}

#[test]
fn arguments_after_the_module_reach_the_guest_verbatim() {
    let tmp = TempDir::new().unwrap();
    let module = write_wat(tmp.path(), "print.wat", PRINT_ARGS_AND_ENV);
    let module = path_str(&module);
    let guest_args = [
        "--dir",
        "/etc",
        "-S",
        "inherit-env",
        "--env",
        "X=1",
        "--",
        "-v",
        "--help",
        "--version",
        "",
        "two words",
    ];
    let out = capwasi()
        .args(["run", module])
        .args(guest_args)
        .output()
        .unwrap();
    let (args, env) = args_and_env(&out);
    let mut expected = vec![module.to_owned()];
    expected.extend(guest_args.iter().map(|s| s.to_string()));
    assert_eq!(args, expected, "{}", describe(&out));
    assert!(
        env.is_empty(),
        "guest flags were taken as capwasi's\n{}",
        describe(&out)
    );
}

#[test]
fn argv0_is_the_module_path_as_written() {
    let tmp = TempDir::new().unwrap();
    write_wat(tmp.path(), "print.wat", PRINT_ARGS_AND_ENV);
    let out = capwasi()
        .current_dir(tmp.path())
        .args(["run", "./print.wat", "a"])
        .output()
        .unwrap();
    let (args, _) = args_and_env(&out);
    assert_eq!(args, ["./print.wat", "a"], "{}", describe(&out));
}

#[test]
fn tcplisten_hands_over_a_socket_after_the_directories() {
    let tmp = TempDir::new().unwrap();
    let fd3 = write_wat(tmp.path(), "fd3.wat", &fdstat_filetype_guest(3));
    let fd4 = write_wat(tmp.path(), "fd4.wat", &fdstat_filetype_guest(4));
    let dir = path_str(tmp.path());

    run_expecting(
        FILETYPE_SOCKET_STREAM,
        &["run", "--tcplisten", "127.0.0.1:0", path_str(&fd3)],
    );

    run_expecting(
        FILETYPE_SOCKET_STREAM,
        &["run", "-S", "tcplisten=127.0.0.1:0", path_str(&fd3)],
    );

    // The socket is named first on the command line but still follows the directory.
    run_expecting(
        FILETYPE_DIRECTORY,
        &[
            "run",
            "--tcplisten",
            "127.0.0.1:0",
            "--dir",
            dir,
            path_str(&fd3),
        ],
    );
    run_expecting(
        FILETYPE_SOCKET_STREAM,
        &[
            "run",
            "--tcplisten",
            "127.0.0.1:0",
            "--dir",
            dir,
            path_str(&fd4),
        ],
    );
}

#[test]
fn directories_take_fds_in_command_line_order() {
    let tmp = TempDir::new().unwrap();
    let fd4 = write_wat(tmp.path(), "fd4.wat", &fdstat_filetype_guest(4));
    let fd5 = write_wat(tmp.path(), "fd5.wat", &fdstat_filetype_guest(5));
    let dir = path_str(tmp.path());
    let a = format!("{dir}::/a");
    let b = format!("{dir}::/b:ro");
    run_expecting(
        FILETYPE_DIRECTORY,
        &["run", "--dir", &a, "--dir", &b, path_str(&fd4)],
    );
    // Nothing was granted at fd 5: EBADF (8).
    run_expecting(100 + 8, &["run", "--dir", &a, "--dir", &b, path_str(&fd5)]);
}

/// `CAPWASI_LOG=info` names each refusal: the preopen and the rights it
/// lacked, or the path and why it was refused. Without it, nothing is logged.
#[test]
fn capwasi_log_names_what_was_refused_and_where() {
    let data = copy_of_example_data();
    let dir = format!("{}::/data:ro", path_str(data.path()));
    let demo = demo_wasm();
    let args = ["run", "--dir", dir.as_str(), path_str(&demo)];

    let quiet = capwasi()
        .env_remove("CAPWASI_LOG")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(quiet.status.code(), Some(0), "{}", describe(&quiet));
    assert!(!stderr(&quiet).contains("refused"), "{}", describe(&quiet));

    let logged = capwasi()
        .env("CAPWASI_LOG", "info")
        .args(args)
        .output()
        .unwrap();
    assert_eq!(logged.status.code(), Some(0), "{}", describe(&logged));
    let log = stderr(&logged);
    assert!(
        log.contains(r#"preopen="/data" missing="path_create_file"#),
        "{log}"
    );
    assert!(
        log.contains(r#"call="path_open" path=../../Cargo.toml errno=perm"#),
        "{log}"
    );
}

/// The host's own status flags on the descriptors a run was handed as its stdio.
fn host_flags(fds: &[&dyn std::os::fd::AsFd]) -> Vec<rustix::fs::OFlags> {
    fds.iter()
        .map(|fd| rustix::fs::fcntl_getfl(fd.as_fd()).expect("F_GETFL"))
        .collect()
}

/// A guest that makes stdout append and non-blocking, and stdin non-blocking, gets what it
/// asked for, but the host's descriptors (shared with the parent shell, whose terminal
/// would otherwise stay non-blocking) keep their flags: F_GETFL is the same before and
/// after the run, on every engine.
#[test]
fn guest_stdio_flags_never_reach_the_host() {
    use std::io::{Seek, Write};
    let module = repo_root().join("tests/guests/bin/misc_stdio_flags.wasm");
    for engine in ["wasmtime", "wasmi"] {
        let dir = TempDir::new().unwrap();
        let mut files = Vec::new();
        for name in ["stdout", "stderr"] {
            let mut file = fs::File::options()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(dir.path().join(name))
                .unwrap();
            file.write_all(b"host line\n").unwrap();
            file.rewind().unwrap();
            files.push(file);
        }
        // The test keeps the write end open and silent, so a blocking read would hang.
        let (stdin_read, stdin_write) = rustix::pipe::pipe().unwrap();
        let before = host_flags(&[&stdin_read, &files[0], &files[1]]);
        let stdin_kept = stdin_read.try_clone().unwrap();
        let status = capwasi()
            .args(["run", "--engine", engine, path_str(&module)])
            .stdin(std::process::Stdio::from(stdin_read))
            .stdout(files[0].try_clone().unwrap())
            .stderr(files[1].try_clone().unwrap())
            .status()
            .expect("capwasi starts");
        let stdout = fs::read_to_string(dir.path().join("stdout")).unwrap();
        let stderr = fs::read_to_string(dir.path().join("stderr")).unwrap();
        assert_eq!(status.code(), Some(0), "{engine}\n{stdout}{stderr}");
        assert_eq!(
            host_flags(&[&stdin_kept, &files[0], &files[1]]),
            before,
            "{engine}: the guest changed the host's stdio flags"
        );
        assert_eq!(stdout, "host line\nguest stdout\n", "{engine}");
        assert_eq!(stderr, "host line\nguest stderr\n", "{engine}");
        drop(stdin_write);
    }
}

/// A wasi 0.2 component runs through the same `capwasi run` as a module: its arguments
/// arrive, its output is the process's, and `wasi:cli/exit` gives the status.
#[test]
fn a_component_runs_like_a_module() {
    let component = repo_root().join("tests/components/bin/p2_hello.wasm");
    let out = run_expecting(0, &["run", path_str(&component), "one", "two words"]);
    assert_eq!(
        stdout(&out),
        format!("p2_hello: {} one two words\n", path_str(&component))
    );
}

/// wasmi has no component model; capwasi's own instantiator runs the component on it,
/// with the same output.
#[test]
fn a_component_runs_on_wasmi_as_on_wasmtime() {
    let component = repo_root().join("tests/components/bin/p2_hello.wasm");
    for engine in ["wasmtime", "wasmi"] {
        let args = [
            "run",
            "--engine",
            engine,
            path_str(&component),
            "one",
            "two words",
        ];
        let out = run_expecting(0, &args);
        assert_eq!(
            stdout(&out),
            format!("p2_hello: {} one two words\n", path_str(&component)),
            "{engine}"
        );
    }
}

/// A component outside what capwasi's instantiator runs (here, one importing an
/// interface that is not wasi's) gets one line naming the component and what it uses.
#[test]
fn a_component_wasmi_cannot_run_is_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foreign.wasm");
    let wasm = wat::parse_str(r#"(component (import "acme:widgets/gears@1.0.0" (instance)))"#)
        .expect("a component");
    fs::write(&path, wasm).unwrap();
    let out = run(&["run", "--engine", "wasmi", path_str(&path)]);
    assert_clean_error(&out, "acme:widgets/gears@1.0.0");
    assert!(stderr(&out).contains("foreign.wasm"), "{}", describe(&out));
}

/// The demo encoded as a wasi 0.2 component (`examples/guests/demo.component.wasm`) prints,
/// through preview2, the report the module prints through preview1: every line but the
/// program's own name and the two that read clocks. It prints the same on wasmi, through
/// capwasi's own instantiator, as on wasmtime's component model.
#[test]
fn the_demo_component_prints_what_the_module_prints() {
    let component = demo_wasm().with_file_name("demo.component.wasm");
    let report = |program: &Path, engine: &str| {
        let data = copy_of_example_data();
        let before = tree(data.path());
        let dir = format!("{}::/data", path_str(data.path()));
        let args = [
            "run",
            "--engine",
            engine,
            "--dir",
            &dir,
            "--env",
            "GREETING=Hi",
            path_str(program),
            "w",
        ];
        let out = run_expecting(0, &args);
        assert_eq!(tree(data.path()), before, "{}", describe(&out));
        stdout(&out)
            .lines()
            .filter(|line| {
                !line.starts_with("  argv[0] = ")
                    && !line.starts_with("wall clock: ")
                    && !line.starts_with("file work took ")
            })
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let module = report(&demo_wasm(), "wasmtime");
    assert!(module.len() > 20, "{module:?}");
    assert_eq!(report(&component, "wasmtime"), module);
    assert_eq!(report(&component, "wasmi"), module);
}
