//! Shared harness: load a guest, give it a context, run it on each engine.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use capwasi::{DirPerms, Engine, OutputPipe, RunError, Stdio, WasiCtxBuilder};

/// Every engine the suite runs on. A test loops over these so that each
/// guest behaves identically everywhere.
pub fn engines() -> Vec<Box<dyn Engine>> {
    vec![
        Box::new(capwasi_wasmtime::WasmtimeEngine::new()),
        Box::new(capwasi_wasmi::WasmiEngine::new()),
    ]
}

/// [`engines`], and then the guest as a wasi 0.2 component on preview2
/// ([`AsComponent`]) on every engine, for the tests whose assertions hold
/// through the official preview1 adapter. The others check preview1 itself
/// (rights, `ENOTCAPABLE`, descriptor numbers, `proc_raise`, `EFAULT` for
/// bad pointers), which the adapter implements in its own way and not
/// through capwasi.
pub fn engines_with_preview2() -> Vec<Box<dyn Engine>> {
    let mut all = engines();
    all.push(Box::new(AsComponent(
        AS_COMPONENT,
        Box::new(capwasi_wasmtime::WasmtimeEngine::new()),
    )));
    all.push(Box::new(AsComponent(
        AS_COMPONENT_ON_WASMI,
        Box::new(capwasi_wasmi::WasmiEngine::new()),
    )));
    all
}

#[path = "../components/encode.rs"]
mod encode;

/// Runs a preview1 guest as a wasi 0.2 component: the official preview1
/// adapter turns each preview1 call into preview2 calls, which reach
/// capwasi's preview2 through the engine's component model (wasmtime) or
/// through capwasi's own instantiator (wasmi). Whatever a test asserts of
/// a guest then holds through preview2 as well.
pub struct AsComponent(pub &'static str, pub Box<dyn Engine>);

/// [`AsComponent`]'s name on wasmtime.
pub const AS_COMPONENT: &str = "wasmtime, as a component";

/// [`AsComponent`]'s name on wasmi.
pub const AS_COMPONENT_ON_WASMI: &str = "wasmi, as a component";

/// Whether `engine` runs guests as components.
pub fn is_component_way(engine: &dyn Engine) -> bool {
    [AS_COMPONENT, AS_COMPONENT_ON_WASMI].contains(&engine.name())
}

impl Engine for AsComponent {
    fn name(&self) -> &'static str {
        self.0
    }

    fn run(&self, wasm: &[u8], ctx: capwasi::WasiCtx) -> Result<i32, RunError> {
        let component = encode::preview1_command_to_component(wasm)
            .map_err(|e| RunError::Load(format!("cannot encode the guest: {e}")))?;
        self.1.run_component(&component, ctx)
    }
}

/// The bytes of a prebuilt C guest (`tests/guests/bin/NAME.wasm`) or, when
/// no such file exists, the WAT guest `tests/guests/wat/NAME.wat`.
pub fn guest(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/guests");
    let bin = root.join("bin").join(format!("{name}.wasm"));
    if bin.exists() {
        return std::fs::read(&bin).unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    }
    let wat = root.join("wat").join(format!("{name}.wat"));
    wat::parse_file(&wat).unwrap_or_else(|e| panic!("{}: {e}", wat.display()))
}

/// What a guest did.
#[derive(Debug)]
pub struct Outcome {
    /// The exit status, or the trap or load error.
    pub status: Result<i32, RunError>,
    pub stdout: String,
    pub stderr: String,
}

impl Outcome {
    /// Panics with the guest's output unless it exited with `code`.
    pub fn expect_exit(&self, code: i32) -> &Self {
        match &self.status {
            Ok(c) if *c == code => self,
            other => panic!(
                "expected exit {code}, got {other:?}\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout, self.stderr
            ),
        }
    }

    /// Shorthand for a self-checking guest that passed.
    pub fn expect_success(&self) -> &Self {
        self.expect_exit(0)
    }
}

/// A run under construction: the guest's arguments, environment, preopens
/// and stdin. `args[0]` is the program name and is added for you.
pub struct Guest {
    name: String,
    builder: WasiCtxBuilder,
}

impl Guest {
    pub fn new(name: &str) -> Self {
        let mut builder = WasiCtxBuilder::new();
        builder.arg(name);
        Guest {
            name: name.to_string(),
            builder,
        }
    }

    pub fn arg(mut self, arg: &str) -> Self {
        self.builder.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.builder.env(key, value);
        self
    }

    pub fn stdin(mut self, bytes: &[u8]) -> Self {
        self.builder.stdin(Stdio::input(bytes.to_vec()));
        self
    }

    /// Preopens `host` as `guest_path` with the given permissions.
    pub fn dir(mut self, host: &Path, guest_path: &str, perms: DirPerms) -> Self {
        self.builder
            .preopened_dir(host, guest_path, perms)
            .unwrap_or_else(|e| panic!("preopen {}: {e}", host.display()));
        self
    }

    /// Direct access for what the helpers above do not cover.
    pub fn builder(&mut self) -> &mut WasiCtxBuilder {
        &mut self.builder
    }

    /// Runs the guest on `engine` with stdout and stderr captured.
    pub fn run_on(mut self, engine: &dyn Engine) -> Outcome {
        let stdout = OutputPipe::new();
        let stderr = OutputPipe::new();
        self.builder.stdout(Stdio::output(stdout.clone()));
        self.builder.stderr(Stdio::output(stderr.clone()));
        let ctx = self.builder.build().expect("context builds");
        let status = engine.run(&guest(&self.name), ctx);
        Outcome {
            status,
            stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
        }
    }
}

/// Runs `make_guest()` on every engine and hands each outcome to `check`,
/// with a fresh sandbox per engine so runs cannot see each other.
pub fn on_every_engine(check: impl FnMut(&dyn Engine, &Sandbox)) {
    on_each(engines(), check);
}

/// Like [`on_every_engine`], and through preview2 as well
/// ([`engines_with_preview2`]).
pub fn on_every_engine_and_preview2(check: impl FnMut(&dyn Engine, &Sandbox)) {
    on_each(engines_with_preview2(), check);
}

/// Runs `check` on each of `engines`, with a fresh sandbox each.
pub fn on_each(engines: Vec<Box<dyn Engine>>, mut check: impl FnMut(&dyn Engine, &Sandbox)) {
    for engine in engines {
        let sandbox = Sandbox::new();
        check(engine.as_ref(), &sandbox);
    }
}

/// A scratch tree: `root/sandbox` is what a guest is handed, and
/// `root/outside` holds a canary the guest must never reach or change.
pub struct Sandbox {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub inside: PathBuf,
    pub outside: PathBuf,
}

/// The canary file's name and contents, beside the sandbox.
pub const CANARY: &str = "canary.txt";
pub const CANARY_BYTES: &[u8] = b"the canary must not change\n";

impl Sandbox {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().to_path_buf();
        let inside = root.join("sandbox");
        let outside = root.join("outside");
        std::fs::create_dir(&inside).unwrap();
        std::fs::create_dir(&outside).unwrap();
        std::fs::write(outside.join(CANARY), CANARY_BYTES).unwrap();
        Sandbox {
            _tmp: tmp,
            root,
            inside,
            outside,
        }
    }

    /// A listing of everything outside the sandbox: paths, sizes and
    /// contents. Compare it before and after a run to prove nothing changed.
    pub fn snapshot_outside(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.root, &self.inside, &mut out);
        out.sort();
        out
    }
}

fn walk(dir: &Path, skip: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path == skip {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() {
            out.push((path.clone(), Vec::new()));
            walk(&path, skip, out);
        } else if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).unwrap();
            out.push((path, target.into_os_string().into_encoded_bytes()));
        } else {
            out.push((path.clone(), std::fs::read(&path).unwrap()));
        }
    }
}
