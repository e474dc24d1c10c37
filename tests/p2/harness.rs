//! What every preview2 suite shares: running a prebuilt component, as
//! the suite's root says (`WAY` and `EXECUTION`), and reading what it did.

use std::path::Path;

use capwasi::{DirPerms, OutputPipe, RunError, Stdio, WasiCtxBuilder};

/// How a suite runs its components.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Way {
    /// wasmtime's component model, with capwasi's preview2 behind
    /// `bindgen!`.
    ComponentModel,
    /// wasmi, through capwasi's own instantiator and canonical ABI.
    Wasmi,
    /// wasmtime's core wasm, through capwasi's own instantiator and
    /// canonical ABI: the cross-check of that path against
    /// [`Way::ComponentModel`] on the same engine.
    WasmtimeCore,
}

/// What a component did.
#[derive(Debug)]
pub struct Outcome {
    pub status: Result<i32, RunError>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Outcome {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Panics with the guest's output unless it exited with `code`.
    pub fn expect_exit(&self, code: i32) -> &Self {
        match &self.status {
            Ok(c) if *c == code => self,
            other => panic!(
                "expected exit {code}, got {other:?}\n--- stdout\n{}\n--- stderr\n{}",
                self.stdout(),
                String::from_utf8_lossy(&self.stderr)
            ),
        }
    }

    /// Panics unless the guest trapped with a message holding `needle`.
    pub fn expect_trap(&self, needle: &str) {
        match &self.status {
            Err(RunError::Trap(message)) if message.contains(needle) => {}
            other => panic!(
                "expected a trap about {needle:?}, got {other:?}\n{}",
                self.stdout()
            ),
        }
    }
}

/// Runs the prebuilt component `tests/components/bin/NAME.wasm` with
/// `args` (after its name), stdin bytes and whatever `configure` grants.
pub fn run(
    name: &str,
    args: &[&str],
    stdin: &[u8],
    configure: impl FnOnce(&mut WasiCtxBuilder),
) -> Outcome {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/components/bin")
        .join(format!("{name}.wasm"));
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (stdout, stderr) = (OutputPipe::new(), OutputPipe::new());
    let mut builder = WasiCtxBuilder::new();
    builder
        .arg(name)
        .args(args)
        .stdin(Stdio::input(stdin.to_vec()))
        .stdout(Stdio::output(stdout.clone()))
        .stderr(Stdio::output(stderr.clone()));
    configure(&mut builder);
    let ctx = builder.build().expect("the test's grants are valid");
    let engine = capwasi_wasmtime::WasmtimeEngine::new();
    let status = match (crate::WAY, crate::EXECUTION) {
        (Way::ComponentModel, None) => capwasi::Engine::run_component(&engine, &wasm, ctx),
        (Way::ComponentModel, Some(execution)) => run_async(&engine, &wasm, ctx, execution),
        (Way::Wasmi, _) => {
            capwasi::Engine::run_component(&capwasi_wasmi::WasmiEngine::new(), &wasm, ctx)
        }
        (Way::WasmtimeCore, _) => {
            capwasi::Engine::run_component(&capwasi_wasmtime::WasmtimeCore(engine), &wasm, ctx)
        }
    };
    Outcome {
        status,
        stdout: stdout.contents(),
        stderr: stderr.contents(),
    }
}

/// Runs a component on the async linker, on a tokio runtime of its own.
pub fn run_async(
    engine: &capwasi_wasmtime::WasmtimeEngine,
    wasm: &[u8],
    ctx: capwasi::WasiCtx,
    execution: capwasi::execution::Execution,
) -> Result<i32, RunError> {
    let component = wasmtime::component::Component::new(engine.engine(), wasm)
        .map_err(|e| RunError::Load(format!("{e:#}")))?;
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(engine.run_command_async(&component, ctx, execution))
}

/// Grants `dir` read-write as `/sandbox`.
pub fn sandbox(dir: &Path) -> impl FnOnce(&mut WasiCtxBuilder) + '_ {
    move |b| {
        b.preopened_dir(dir, "/sandbox", DirPerms::ReadWrite)
            .expect("preopen");
    }
}

/// The guest's stdout lines, each as `ok …` or `got …`.
pub fn lines(out: &Outcome) -> Vec<String> {
    out.stdout().lines().map(str::to_string).collect()
}
