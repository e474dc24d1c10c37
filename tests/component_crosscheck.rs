//! The cross-check that keeps capwasi's canonical ABI honest: every guest
//! below runs three ways, and all three must do exactly the same thing.
//!
//! 1. wasmtime's component model, with capwasi's preview2 behind `bindgen!`;
//! 2. wasmtime's core wasm, through capwasi's own instantiator and
//!    canonical ABI (`capwasi_wasmtime::WasmtimeCore`);
//! 3. wasmi, the same way.
//!
//! Clocks and randomness are replaced by reproducible ones, so that the
//! same guest prints the same bytes however it runs: the same exit status,
//! stdout and stderr byte for byte, and the same files left behind. Traps
//! must trap on every way (their wording is each engine's own).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use capwasi::clock::SteppingClock;
use capwasi::random::Deterministic;
use capwasi::{DirPerms, Engine, OutputPipe, RunError, Stdio, WasiCtxBuilder};

#[path = "components/encode.rs"]
mod encode;

/// What a run did, in a form that compares across ways.
#[derive(Debug, PartialEq, Eq)]
struct Seen {
    status: Result<i32, &'static str>,
    stdout: String,
    stderr: String,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

/// One guest run: the component, its arguments and stdin, and whether it
/// gets a sandbox (`/sandbox`, read-write, holding `seed`'s files).
struct Case {
    name: String,
    wasm: Vec<u8>,
    args: Vec<String>,
    stdin: Vec<u8>,
    sandbox: Option<Vec<(&'static str, &'static [u8])>>,
    env: Vec<(&'static str, &'static str)>,
}

fn component(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/components/bin")
        .join(format!("{name}.wasm"));
    fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn case(name: &str, args: &[&str]) -> Case {
    Case {
        name: format!("{name} {}", args.join(" ")),
        wasm: component(name),
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin: Vec::new(),
        sandbox: None,
        env: Vec::new(),
    }
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        for entry in fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            if path.is_dir() {
                out.insert(rel, b"<dir>".to_vec());
                stack.push(path);
            } else {
                out.insert(rel, fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

fn run_on(engine: &dyn Engine, case: &Case) -> Seen {
    let tmp = tempfile::tempdir().unwrap();
    let (stdout, stderr) = (OutputPipe::new(), OutputPipe::new());
    let mut builder = WasiCtxBuilder::new();
    builder
        .arg(&case.name)
        .args(&case.args)
        .stdin(Stdio::input(case.stdin.clone()))
        .stdout(Stdio::output(stdout.clone()))
        .stderr(Stdio::output(stderr.clone()))
        .wall_clock(SteppingClock::new(1_700_000_000_000_000_000, 1_000_000))
        .monotonic_clock(SteppingClock::new(0, 1_000_000))
        .random(Deterministic::new(42));
    for (key, value) in &case.env {
        builder.env(key, value);
    }
    if let Some(seed) = &case.sandbox {
        for (path, bytes) in seed {
            let path = tmp.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        builder
            .preopened_dir(tmp.path(), "/sandbox", DirPerms::ReadWrite)
            .unwrap();
    }
    let status = engine.run_component(&case.wasm, builder.build().unwrap());
    Seen {
        status: match status {
            Ok(code) => Ok(code),
            Err(RunError::Trap(_)) => Err("trap"),
            Err(RunError::Load(e)) => {
                panic!("{}: cannot load on {}: {e}", case.name, engine.name())
            }
        },
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
        files: files(tmp.path()),
    }
}

fn cases() -> Vec<Case> {
    let mut all = vec![
        case("p2_hello", &[]),
        case("p2_cli", &["ok", "two words"]),
        case("p2_cli", &["err"]),
        case("p2_cli", &["code", "42"]),
        case("p2_cli", &["random"]),
        case("p2_poll", &[]),
        case("p2_poll", &["trap-empty"]),
        case("p2_streams", &["out"]),
        case("p2_streams", &["in-empty"]),
        case("p2_streams", &["trap-blocking-write"]),
        case("p2_lookup", &["literals"]),
        case("p2_lookup", &["invalid"]),
        case("p2_lookup", &["denied"]),
        case("p2_tcp", &["options"]),
        case("p2_tcp", &["nothing"]),
        case("p2_udp", &["options"]),
        case("p2_udp", &["states"]),
        case("p2_udp", &["policy-create"]),
        case("p2_udp", &["trap-drop-socket-with-streams"]),
    ];
    let mut with_env = case("p2_cli", &["ok"]);
    with_env.env = vec![("FOO", "bar"), ("EMPTY", "")];
    all.push(with_env);
    let mut stdin = case("p2_streams", &["in"]);
    stdin.stdin = b"hello stdin\n".to_vec();
    all.push(stdin);
    for (name, args) in [("p2_fs", &[][..]), ("p2_streams", &["splice"][..])] {
        let mut fs_case = case(name, args);
        fs_case.sandbox = Some(Vec::new());
        all.push(fs_case);
    }
    for mode in [
        "forged-borrow",
        "double-drop",
        "borrow-after-drop",
        "wrong-type",
        "bad-utf8",
        "huge-random",
        "list-past-memory",
        "list-overflow",
        "bad-discriminant",
        "bad-flags",
        "realloc-out-of-bounds",
        "realloc-misaligned",
        "realloc-traps",
        "realloc-reenters",
    ] {
        let mut bad = case("p2_bad", &[mode]);
        bad.sandbox = Some(Vec::new());
        bad.env = vec![("KEY", "value")];
        all.push(bad);
    }
    // The README's demonstration, a preview1 program through the official
    // adapter, with a copy of its data.
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/guests/demo.component.wasm");
    all.push(Case {
        name: "demo".into(),
        wasm: fs::read(demo).unwrap(),
        args: vec!["world".into()],
        stdin: Vec::new(),
        sandbox: Some(vec![
            ("message.txt", b"one\ntwo\nthree\n"),
            ("letters/a.txt", b"a\nb\nc\n"),
        ]),
        env: vec![("GREETING", "Hello"), ("DEMO_DIR", "/sandbox")],
    });
    all
}

#[test]
fn component_model_and_capwasi_instantiator_agree_on_every_guest() {
    let ways: Vec<Box<dyn Engine>> = vec![
        Box::new(capwasi_wasmtime::WasmtimeEngine::new()),
        Box::new(capwasi_wasmtime::WasmtimeCore(
            capwasi_wasmtime::WasmtimeEngine::new(),
        )),
        Box::new(capwasi_wasmi::WasmiEngine::new()),
    ];
    let cases = cases();
    let mut disagreements = Vec::new();
    for case in &cases {
        let reference = run_on(ways[0].as_ref(), case);
        for way in &ways[1..] {
            let seen = run_on(way.as_ref(), case);
            if seen != reference {
                disagreements.push(format!(
                    "{}: {} differs from {}:\n  {:?}\n  {:?}",
                    case.name,
                    way.name(),
                    ways[0].name(),
                    seen,
                    reference
                ));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} guests disagree:\n{}",
        disagreements.len(),
        cases.len(),
        disagreements.join("\n")
    );
}
