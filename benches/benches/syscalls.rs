//! Times system-call patterns natively and under several WASI runtimes,
//! with one C program (guest/bench.c) that times itself, so that starting,
//! compiling and instantiating are never measured. A second program,
//! guest/p2/bench_p2.c, a wasi 0.2 component that needs no adapter, times
//! preview2-native ops on the component runtimes in the same way.
//!
//!   cargo bench --manifest-path benches/Cargo.toml --bench syscalls -- [OPTIONS]
//!
//! Options: --reps N, --ops a,b, --runtimes a,b, --dir PATH, --quick,
//! --markdown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use capwasi_bench::{
    exit_code, format_ns, format_ratio, geometric_mean, machine_facts, median, Failure, Fixture,
    Options, Table, UsageError,
};

/// bench.c's ops, which every runtime runs.
const MODULE_OPS: [&str; 9] = [
    "write16",
    "clock",
    "open_close",
    "stat",
    "fstat",
    "pread4k",
    "create_unlink",
    "read64k",
    "readdir",
];

/// bench_p2.c's preview2-native ops, which only the component runtimes run,
/// each with bench.c's op closest to it: native runs that one in its row.
const P2_OPS: [(&str, &str); 5] = [
    ("p2_write16", "write16"),
    ("p2_read_stream64k", "read64k"),
    ("p2_open_at", "open_close"),
    ("p2_stat_at", "stat"),
    ("p2_readdir", "readdir"),
];

/// Every op `--ops` may name: bench.c's, then bench_p2.c's.
fn all_ops() -> Vec<&'static str> {
    let p2 = P2_OPS.iter().map(|&(op, _)| op);
    MODULE_OPS.iter().copied().chain(p2).collect()
}

/// The bench.c op paired with a preview2-native op; `None` for bench.c's.
fn paired(op: &str) -> Option<&'static str> {
    P2_OPS
        .iter()
        .find(|&&(p2, _)| p2 == op)
        .map(|&(_, native)| native)
}

const NATIVE: &str = "native";
const CAPWASI_WASMTIME: &str = "capwasi-wasmtime";
const CAPWASI_WASMI: &str = "capwasi-wasmi";
const WASMTIME_WASI: &str = "wasmtime-wasi";
/// The same program as a wasi 0.2 component (encoded with the official
/// preview1 adapter), on capwasi's preview2 and on wasmtime-wasi's; they
/// also run bench_p2.wasm, a component of its own.
const CAPWASI_P2: &str = "capwasi-p2";
const WASMTIME_WASI_P2: &str = "wasmtime-wasi-p2";
/// The component on capwasi's async linker, on a tokio runtime: filesystem
/// work on tokio's blocking pool, or inline on the executor thread.
const CAPWASI_P2_TOKIO: &str = "capwasi-p2-tokio";
const CAPWASI_P2_TOKIO_INLINE: &str = "capwasi-p2-tokio-inline";
/// Both components on wasmi, which has no component model: capwasi's own
/// instantiator and canonical ABI run them.
const CAPWASI_P2_WASMI: &str = "capwasi-p2-wasmi";
const RUNTIMES: [&str; 9] = [
    NATIVE,
    CAPWASI_WASMTIME,
    CAPWASI_WASMI,
    WASMTIME_WASI,
    CAPWASI_P2,
    WASMTIME_WASI_P2,
    CAPWASI_P2_TOKIO,
    CAPWASI_P2_TOKIO_INLINE,
    CAPWASI_P2_WASMI,
];
/// The runtimes that run components, and so bench_p2.wasm.
const COMPONENT_RUNTIMES: [&str; 5] = [
    CAPWASI_P2,
    WASMTIME_WASI_P2,
    CAPWASI_P2_TOKIO,
    CAPWASI_P2_TOKIO_INLINE,
    CAPWASI_P2_WASMI,
];

/// Which program an op belongs to, each with a table of its own.
#[derive(Clone, Copy, PartialEq)]
enum Group {
    /// bench.c's ops, which every runtime runs.
    Module,
    /// bench_p2.c's, which native runs as their bench.c pair and the
    /// component runtimes as they are.
    P2,
}

impl Group {
    fn of(op: &str) -> Group {
        match paired(op) {
            Some(_) => Group::P2,
            None => Group::Module,
        }
    }

    /// Whether `runtime` runs this group's ops.
    fn run_by(self, runtime: &str) -> bool {
        self == Group::Module || runtime == NATIVE || COMPONENT_RUNTIMES.contains(&runtime)
    }

    /// The runtime the table's targets are about, which gets a column
    /// against the confined floor.
    fn target(self) -> &'static str {
        match self {
            Group::Module => CAPWASI_WASMTIME,
            Group::P2 => CAPWASI_P2,
        }
    }

    /// Pairs of runtimes whose ratio, slower over faster, gets a column.
    fn comparisons(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Group::Module => &[
                (WASMTIME_WASI, CAPWASI_WASMTIME),
                (WASMTIME_WASI_P2, CAPWASI_P2),
                (CAPWASI_P2, CAPWASI_WASMTIME),
                (CAPWASI_P2_TOKIO, CAPWASI_P2),
                (CAPWASI_P2_TOKIO_INLINE, CAPWASI_P2),
                (CAPWASI_P2_WASMI, CAPWASI_WASMI),
            ],
            Group::P2 => &[
                (WASMTIME_WASI_P2, CAPWASI_P2),
                (CAPWASI_P2_TOKIO, CAPWASI_P2),
                (CAPWASI_P2_TOKIO_INLINE, CAPWASI_P2),
            ],
        }
    }
}

/// What `runtime` runs in `op`'s row, if anything: the op itself, or, for a
/// preview2-native op on native, its bench.c pair.
fn runs(op: &'static str, runtime: &str) -> Option<&'static str> {
    if !Group::of(op).run_by(runtime) {
        None
    } else if runtime == NATIVE {
        Some(paired(op).unwrap_or(op))
    } else {
        Some(op)
    }
}

const GUEST_WASM: &[u8] = include_bytes!("../guest/bench.wasm");
const GUEST_P2_WASM: &[u8] = include_bytes!("../guest/p2/bench_p2.wasm");
const NATIVE_BINARY: &str = env!("BENCH_NATIVE");
const GUEST_DIR: &str = "/bench";

/// How long one measured repetition should take.
const TARGET_NS: f64 = 100e6;
/// How long a calibration run must take before its rate is trusted.
const PROBE_NS: f64 = 10e6;
/// `bench.c` reads the count with atol, and `long` is 32 bits in wasm32.
const MAX_ITERATIONS: u64 = i32::MAX as u64;

const DEFAULT_REPS: u64 = 7;
/// Interleaved rounds per op; each runtime's result is its median round.
const DEFAULT_ROUNDS: u64 = 3;

fn main() -> ExitCode {
    exit_code(run())
}

struct Plan {
    ops: Vec<&'static str>,
    runtimes: Vec<&'static str>,
    reps: u64,
    rounds: u64,
    quick: bool,
    markdown: bool,
    dir: Option<PathBuf>,
}

impl Plan {
    fn from_args() -> Result<Plan, UsageError> {
        let options = Options::parse(
            std::env::args().skip(1),
            &["quick", "markdown"],
            &["reps", "rounds", "ops", "runtimes", "dir"],
        )?;
        let quick = options.flag("quick");
        Ok(Plan {
            ops: options.subset("ops", &all_ops())?,
            runtimes: options.subset("runtimes", &RUNTIMES)?,
            reps: if quick {
                1
            } else {
                options.count("reps", DEFAULT_REPS)?
            },
            rounds: if quick {
                1
            } else {
                options.count("rounds", DEFAULT_ROUNDS)?
            },
            quick,
            markdown: options.flag("markdown"),
            dir: options.value("dir").map(PathBuf::from),
        })
    }

    /// Repetitions thrown away first; the first one pays for cold caches and
    /// lazy set-up inside the guest and the runtime.
    fn warmup(&self) -> u64 {
        if self.quick {
            0
        } else {
            1
        }
    }

    fn has(&self, runtime: &str) -> bool {
        self.runtimes.contains(&runtime)
    }
}

/// The native-only op that is `op`'s confined floor, if it has its own.
fn floor_op(op: &str) -> Option<&'static str> {
    match op {
        "open_close" => Some("open_close_floor"),
        "stat" => Some("stat_floor"),
        _ => None,
    }
}

fn run() -> Result<(), Failure> {
    let plan = Plan::from_args()?;
    eprintln!("creating fixture ...");
    let fixture = Fixture::create(plan.dir.as_deref())
        .map_err(|e| format!("cannot create the fixture: {e}"))?;
    let runners = runners(&plan, fixture.path())?;
    let results = measure_all(&plan, &runners)?;
    print_report(&plan, fixture.path(), &results);
    if !plan.quick {
        let [empty, writing, clock] = host_call_floors()?;
        println!();
        println!(
            "wasmtime's own cost of a call from wasm to a typed host function: \
             {empty:.1} ns when it does nothing; {writing:.1} ns when it finds the \
             guest's memory and writes 8 bytes there, the least a WASI call with \
             a result adds to its native cost; {clock:.1} ns with the guest then \
             splitting the 8 bytes into seconds and nanoseconds, as wasi-libc's \
             clock_gettime must (so clock's least cost on wasmtime is its native \
             time plus this)"
        );
    }
    Ok(())
}

/// A guest loop calling an imported function `CALLS` times, then doing
/// `after` with what the call wrote at offset 64.
fn host_calls_wat(after: &str) -> String {
    format!(
        r#"
(module
  (import "host" "call" (func $call (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param $n i32)
    (loop $again
      (drop (call $call (i32.const 64)))
      {after}
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))))
"#
    )
}

/// What wasi-libc's `clock_gettime` does with the nanoseconds
/// `clock_time_get` returns: split them into seconds and nanoseconds, two
/// 64-bit divisions that the native vDSO never makes.
const SPLIT_NANOSECONDS: &str = "
      (i64.store (i32.const 72) (i64.div_u (i64.load (i32.const 64)) (i64.const 1000000000)))
      (i64.store (i32.const 80) (i64.rem_u (i64.load (i32.const 64)) (i64.const 1000000000)))";

const CALLS: i32 = 10_000_000;

/// The median time per iteration of [`host_calls_wat`]`(after)` on
/// wasmtime, with its import registered as `register` does.
fn host_call_ns(
    after: &str,
    register: impl FnOnce(&mut wasmtime::Linker<Option<wasmtime::Memory>>) -> wasmtime::Result<()>,
) -> Result<f64, String> {
    let fail = |e: wasmtime::Error| format!("host call: {e:#}");
    let engine = wasmtime::Engine::default();
    let module = wasmtime::Module::new(&engine, host_calls_wat(after)).map_err(fail)?;
    let mut linker = wasmtime::Linker::new(&engine);
    register(&mut linker).map_err(fail)?;
    let mut store = wasmtime::Store::new(&engine, None);
    let instance = linker.instantiate(&mut store, &module).map_err(fail)?;
    *store.data_mut() = instance.get_memory(&mut store, "memory");
    let run = instance
        .get_typed_func::<i32, ()>(&mut store, "run")
        .map_err(fail)?;
    let mut per_call = Vec::new();
    for _ in 0..=DEFAULT_REPS {
        let start = std::time::Instant::now();
        run.call(&mut store, CALLS).map_err(fail)?;
        per_call.push(start.elapsed().as_nanos() as f64 / f64::from(CALLS));
    }
    // The first round warms up, as for every op.
    median(&per_call[1..]).ok_or_else(|| "host call: no samples".to_string())
}

/// A host function that, like every WASI call with a result, finds the
/// guest's memory through a handle kept in the store and writes 8 bytes.
fn register_writing(
    linker: &mut wasmtime::Linker<Option<wasmtime::Memory>>,
) -> wasmtime::Result<()> {
    linker.func_wrap(
        "host",
        "call",
        |mut caller: wasmtime::Caller<'_, Option<wasmtime::Memory>>, at: i32| {
            let Some(memory) = *caller.data() else {
                return 1;
            };
            let bytes = memory.data_mut(&mut caller);
            let at = at as usize;
            match bytes.get_mut(at..at + 8) {
                Some(slot) => {
                    slot.copy_from_slice(&1_700_000_000_123_456_789u64.to_le_bytes());
                    0
                }
                None => 1,
            }
        },
    )?;
    Ok(())
}

/// wasmtime's floors for a WASI call, in ns: an empty typed host function;
/// one that writes its result to guest memory; and that, followed by the
/// guest's own handling of a `clock_time_get` result.
fn host_call_floors() -> Result<[f64; 3], String> {
    let empty = host_call_ns("", |linker| {
        linker.func_wrap("host", "call", |x: i32| x)?;
        Ok(())
    })?;
    let writing = host_call_ns("", register_writing)?;
    let clock = host_call_ns(SPLIT_NANOSECONDS, register_writing)?;
    Ok([empty, writing, clock])
}

/// One way of running the benchmark program.
trait Runner {
    /// Runs `bench OP ITERATIONS REPETITIONS DIR` and returns its stdout.
    fn run(&self, op: &str, iterations: u64, repetitions: u64) -> Result<String, String>;
}

/// A runner under its runtime's name.
type Named = (&'static str, Box<dyn Runner>);

fn runners(plan: &Plan, dir: &Path) -> Result<Vec<Named>, String> {
    let mut runners: Vec<Named> = Vec::new();
    let mut shared = Shared::default();
    for &name in &plan.runtimes {
        let runner =
            runner(name, dir, &mut shared).map_err(|e| format!("cannot set up {name}: {e}"))?;
        runners.push((name, runner));
    }
    Ok(runners)
}

fn runner(name: &str, dir: &Path, shared: &mut Shared) -> Result<Box<dyn Runner>, String> {
    Ok(match name {
        NATIVE => Box::new(Native {
            dir: dir.to_path_buf(),
        }),
        CAPWASI_WASMI => Box::new(Capwasi::on_wasmi(dir)?),
        CAPWASI_P2_WASMI => Box::new(Capwasi::on_wasmi_components(dir)?),
        CAPWASI_WASMTIME => Box::new(Capwasi::on_wasmtime(shared.wasmtime()?, dir)),
        CAPWASI_P2 => Box::new(Capwasi::on_components(shared.components()?, dir)),
        CAPWASI_P2_TOKIO => Box::new(Capwasi::on_tokio(
            shared.components()?,
            dir,
            capwasi::execution::Execution::Tokio,
        )?),
        CAPWASI_P2_TOKIO_INLINE => Box::new(Capwasi::on_tokio(
            shared.components()?,
            dir,
            capwasi::execution::Execution::TokioInline,
        )?),
        WASMTIME_WASI_P2 => Box::new(WasmtimeWasiP2::new(shared.components()?, dir)?),
        _ => Box::new(WasmtimeWasi::new(shared.wasmtime()?, dir)?),
    })
}

/// The arguments the guest gets; its directory is the preopen's name.
fn guest_args(op: &str, iterations: u64, repetitions: u64) -> [String; 5] {
    [
        "bench".to_string(),
        op.to_string(),
        iterations.to_string(),
        repetitions.to_string(),
        GUEST_DIR.to_string(),
    ]
}

/// The outcome of a guest's `_start`: success, or why not.
fn finish(ended: Result<(), (String, Option<i32>)>, stderr: &[u8]) -> Result<(), String> {
    let why = match ended {
        Ok(()) | Err((_, Some(0))) => return Ok(()),
        Err((_, Some(status))) => format!("exited with status {status}"),
        Err((error, None)) => error,
    };
    let stderr = String::from_utf8_lossy(stderr);
    let stderr = stderr.trim();
    if stderr.is_empty() {
        Err(why)
    } else {
        Err(format!(
            "{why}; guest stderr: {}",
            stderr.replace('\n', " / ")
        ))
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

struct Native {
    dir: PathBuf,
}

impl Runner for Native {
    fn run(&self, op: &str, iterations: u64, repetitions: u64) -> Result<String, String> {
        let output = Command::new(NATIVE_BINARY)
            .args([op, &iterations.to_string(), &repetitions.to_string()])
            .arg(&self.dir)
            .output()
            .map_err(|e| format!("cannot start {NATIVE_BINARY}: {e}"))?;
        let ended = match output.status.code() {
            Some(code) => Err((String::new(), Some(code))),
            None => Err((output.status.to_string(), None)),
        };
        finish(ended, &output.stderr)?;
        Ok(lossy(&output.stdout))
    }
}

/// One wasmtime engine and module for both wasmtime-based runtimes, so that
/// they differ only in their WASI implementation.
struct WasmtimeSetup {
    engine: wasmtime::Engine,
    module: wasmtime::Module,
}

/// One thing per component guest: `bench.wasm` encoded with the preview1
/// adapter, which runs bench.c's ops, and `bench_p2.wasm`, which runs the
/// preview2-native ones.
#[derive(Clone)]
struct Guests<T> {
    adapted: T,
    direct: T,
}

impl<T> Guests<T> {
    /// The guest that runs `op`.
    fn for_op(&self, op: &str) -> &T {
        match paired(op) {
            Some(_) => &self.direct,
            None => &self.adapted,
        }
    }

    fn try_map<U>(&self, f: impl Fn(&T) -> Result<U, String>) -> Result<Guests<U>, String> {
        Ok(Guests {
            adapted: f(&self.adapted)?,
            direct: f(&self.direct)?,
        })
    }
}

/// Both component guests, compiled for one engine.
#[derive(Clone)]
struct ComponentSetup {
    engine: wasmtime::Engine,
    guests: Guests<wasmtime::component::Component>,
}

/// What the wasmtime-based runtimes share, made when the first one needs
/// it: one engine, the module, and the components.
#[derive(Default)]
struct Shared {
    wasmtime: Option<WasmtimeSetup>,
    components: Option<ComponentSetup>,
}

impl Shared {
    fn wasmtime(&mut self) -> Result<&WasmtimeSetup, String> {
        if self.wasmtime.is_none() {
            let engine = wasmtime::Engine::default();
            let module = wasmtime::Module::new(&engine, GUEST_WASM)
                .map_err(|e| format!("wasmtime cannot compile bench.wasm: {e:#}"))?;
            self.wasmtime = Some(WasmtimeSetup { engine, module });
        }
        self.wasmtime
            .as_ref()
            .ok_or_else(|| "no wasmtime engine".to_string())
    }

    fn components(&mut self) -> Result<ComponentSetup, String> {
        if self.components.is_none() {
            let engine = self.wasmtime()?.engine.clone();
            let guests = guest_components(&engine)?;
            self.components = Some(ComponentSetup { engine, guests });
        }
        self.components
            .clone()
            .ok_or_else(|| "no components".to_string())
    }
}

#[path = "../../tests/components/encode.rs"]
mod encode;

/// `bench.wasm` as a wasi 0.2 command component, and `bench_p2.wasm`,
/// compiled for `engine`.
fn guest_components(
    engine: &wasmtime::Engine,
) -> Result<Guests<wasmtime::component::Component>, String> {
    let adapted = encode::preview1_command_to_component(GUEST_WASM)
        .map_err(|e| format!("cannot encode bench.wasm as a component: {e}"))?;
    Guests {
        adapted: ("bench.wasm as a component", &adapted[..]),
        direct: ("bench_p2.wasm", GUEST_P2_WASM),
    }
    .try_map(|&(name, bytes)| {
        wasmtime::component::Component::new(engine, bytes)
            .map_err(|e| format!("wasmtime cannot compile {name}: {e:#}"))
    })
}

/// Runs a guest with a fresh context for an op; returns its exit status.
type RunGuest = Box<dyn Fn(&str, capwasi::WasiCtx) -> Result<i32, capwasi::RunError>>;

/// capwasi on one engine, as its own command runner uses it: a store
/// holding only the guest, whose memory the host calls look up once.
struct Capwasi {
    run_guest: RunGuest,
    dir: PathBuf,
}

impl Capwasi {
    fn on_wasmtime(setup: &WasmtimeSetup, dir: &Path) -> Self {
        let engine = capwasi_wasmtime::WasmtimeEngine::with_engine(setup.engine.clone());
        let module = setup.module.clone();
        Capwasi {
            run_guest: Box::new(move |_, ctx| engine.run_module(&module, ctx)),
            dir: dir.to_path_buf(),
        }
    }

    fn on_components(setup: ComponentSetup, dir: &Path) -> Self {
        let engine = capwasi_wasmtime::WasmtimeEngine::with_engine(setup.engine);
        let guests = setup.guests;
        Capwasi {
            run_guest: Box::new(move |op, ctx| engine.run_command(guests.for_op(op), ctx)),
            dir: dir.to_path_buf(),
        }
    }

    /// On the async linker, as a tokio server would run it: one guest at a
    /// time on a single-threaded runtime.
    fn on_tokio(
        setup: ComponentSetup,
        dir: &Path,
        execution: capwasi::execution::Execution,
    ) -> Result<Self, String> {
        let engine = capwasi_wasmtime::WasmtimeEngine::with_engine(setup.engine);
        let guests = setup.guests;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("no tokio runtime: {e}"))?;
        Ok(Capwasi {
            run_guest: Box::new(move |op, ctx| {
                runtime.block_on(engine.run_command_async(guests.for_op(op), ctx, execution))
            }),
            dir: dir.to_path_buf(),
        })
    }

    fn on_wasmi(dir: &Path) -> Result<Self, String> {
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, GUEST_WASM).map_err(|e| e.to_string())?;
        let engine = capwasi_wasmi::WasmiEngine::with_engine(engine);
        Ok(Capwasi {
            run_guest: Box::new(move |_, ctx| engine.run_module(&module, ctx)),
            dir: dir.to_path_buf(),
        })
    }
}

impl Capwasi {
    /// Both components on wasmi through capwasi's instantiator, compiled
    /// once; each run instantiates them anew, as each run of the module
    /// does.
    fn on_wasmi_components(dir: &Path) -> Result<Self, String> {
        use capwasi::component::instance::Compiled;
        let engine = capwasi_wasmi::WasmiEngine::new();
        let adapted = encode::preview1_command_to_component(GUEST_WASM)
            .map_err(|e| format!("cannot encode bench.wasm as a component: {e}"))?;
        let compile = |bytes: &[u8]| Compiled::new(&engine, bytes).map_err(|e| e.to_string());
        let guests = Guests {
            adapted: compile(&adapted)?,
            direct: compile(GUEST_P2_WASM)?,
        };
        Ok(Capwasi {
            run_guest: Box::new(move |op, ctx| {
                guests.for_op(op).instantiate(&engine, ctx)?.run(&engine)
            }),
            dir: dir.to_path_buf(),
        })
    }
}

impl Runner for Capwasi {
    fn run(&self, op: &str, iterations: u64, repetitions: u64) -> Result<String, String> {
        let (stdout, stderr) = (capwasi::OutputPipe::new(), capwasi::OutputPipe::new());
        let args = guest_args(op, iterations, repetitions);
        let ctx = capwasi_ctx(&args, &self.dir, &stdout, &stderr)?;
        let ended = (self.run_guest)(op, ctx);
        finish(run_outcome(ended), &stderr.contents())?;
        Ok(lossy(&stdout.contents()))
    }
}

/// An engine adapter's outcome in the terms of [`finish`].
fn run_outcome(ended: Result<i32, capwasi::RunError>) -> Result<(), (String, Option<i32>)> {
    match ended {
        Ok(status) => Err((String::new(), Some(status))),
        Err(error) => Err((error.to_string(), None)),
    }
}

fn capwasi_ctx(
    args: &[String],
    dir: &Path,
    stdout: &capwasi::OutputPipe,
    stderr: &capwasi::OutputPipe,
) -> Result<capwasi::WasiCtx, String> {
    let mut builder = capwasi::WasiCtx::builder();
    builder
        .args(args)
        .stdout(capwasi::Stdio::output(stdout.clone()))
        .stderr(capwasi::Stdio::output(stderr.clone()))
        .preopened_dir(dir, GUEST_DIR, capwasi::DirPerms::ReadWrite)
        .map_err(|e| e.to_string())?;
    builder.build().map_err(|e| e.to_string())
}

/// Room for the guest's output; `bench` writes a line per repetition.
const PIPE_CAPACITY: usize = 1 << 20;

/// A run's stdout and stderr on wasmtime-wasi.
struct WasmtimeWasiOutput {
    stdout: wasmtime_wasi::p2::pipe::MemoryOutputPipe,
    stderr: wasmtime_wasi::p2::pipe::MemoryOutputPipe,
}

impl WasmtimeWasiOutput {
    fn new() -> Self {
        WasmtimeWasiOutput {
            stdout: wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(PIPE_CAPACITY),
            stderr: wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(PIPE_CAPACITY),
        }
    }

    /// A context builder for one run of `op` with this output and `dir`
    /// preopened, for both of wasmtime-wasi's runtimes.
    fn builder(
        &self,
        dir: &Path,
        op: &str,
        iterations: u64,
        repetitions: u64,
    ) -> Result<wasmtime_wasi::WasiCtxBuilder, String> {
        let mut builder = wasmtime_wasi::WasiCtxBuilder::new();
        // The documented setting for synchronous embedders: file operations
        // run on this thread instead of round-tripping through tokio. A
        // preopen copies it, so it comes first.
        builder
            .allow_blocking_current_thread(true)
            .args(&guest_args(op, iterations, repetitions))
            .stdout(self.stdout.clone())
            .stderr(self.stderr.clone())
            .preopened_dir(dir, GUEST_DIR, wasmtime_wasi::FsPerms::ReadWrite)
            .map_err(|e| format!("{e:#}"))?;
        Ok(builder)
    }

    /// The program's stdout if it `ended` well.
    fn finish(&self, ended: wasmtime::Result<()>) -> Result<String, String> {
        let ended = ended.map_err(|e| {
            let status = e
                .downcast_ref::<wasmtime_wasi::I32Exit>()
                .map(|exit| exit.0);
            (format!("{e:#}"), status)
        });
        finish(ended, &self.stderr.contents())?;
        Ok(lossy(&self.stdout.contents()))
    }
}

struct WasmtimeWasi {
    engine: wasmtime::Engine,
    pre: wasmtime::InstancePre<wasmtime_wasi::p1::WasiP1Ctx>,
    dir: PathBuf,
}

impl WasmtimeWasi {
    fn new(setup: &WasmtimeSetup, dir: &Path) -> Result<Self, String> {
        let mut linker = wasmtime::Linker::new(&setup.engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |ctx| ctx)
            .map_err(|e| format!("{e:#}"))?;
        let pre = linker
            .instantiate_pre(&setup.module)
            .map_err(|e| format!("{e:#}"))?;
        Ok(WasmtimeWasi {
            engine: setup.engine.clone(),
            pre,
            dir: dir.to_path_buf(),
        })
    }
}

impl Runner for WasmtimeWasi {
    fn run(&self, op: &str, iterations: u64, repetitions: u64) -> Result<String, String> {
        let output = WasmtimeWasiOutput::new();
        let ctx = output
            .builder(&self.dir, op, iterations, repetitions)?
            .build_p1();
        let mut store = wasmtime::Store::new(&self.engine, ctx);
        let ended = self
            .pre
            .instantiate(&mut store)
            .and_then(|instance| instance.get_typed_func::<(), ()>(&mut store, "_start"))
            .and_then(|start| start.call(&mut store, ()));
        output.finish(ended)
    }
}

/// Runs the program and returns its ns/iteration, one per repetition.
fn samples(
    runner: &dyn Runner,
    op: &str,
    iterations: u64,
    repetitions: u64,
) -> Result<Vec<f64>, String> {
    let stdout = runner.run(op, iterations, repetitions)?;
    let samples = stdout
        .lines()
        .map(|line| parse_sample(op, line))
        .collect::<Result<Vec<f64>, String>>()?;
    if samples.len() as u64 != repetitions {
        return Err(format!(
            "printed {} results for {repetitions} repetitions",
            samples.len()
        ));
    }
    Ok(samples)
}

fn parse_sample(op: &str, line: &str) -> Result<f64, String> {
    line.strip_prefix(op)
        .and_then(|rest| rest.strip_prefix(' '))
        .and_then(|value| value.parse::<f64>().ok())
        .filter(|value| value.is_finite() && *value >= 0.0)
        .ok_or_else(|| format!("printed `{line}`, not `{op} NS_PER_ITERATION`"))
}

/// The iteration count at which one repetition takes about TARGET_NS,
/// found by growing short runs until they last long enough to trust.
fn calibrate(runner: &dyn Runner, op: &str) -> Result<u64, String> {
    let mut iterations = 1u64;
    loop {
        // The second repetition's rate: the first pays for a cold start.
        let ns = samples(runner, op, iterations, 2)?[1].max(0.1);
        if ns * iterations as f64 >= PROBE_NS || iterations >= MAX_ITERATIONS {
            return Ok(iterations_for(TARGET_NS / ns));
        }
        let next = iterations_for(1.5 * PROBE_NS / ns);
        iterations = next
            .clamp(iterations * 2, iterations * 100)
            .min(MAX_ITERATIONS);
    }
}

fn iterations_for(count: f64) -> u64 {
    (count.round() as u64).clamp(1, MAX_ITERATIONS)
}

/// Iterations for `--quick`: enough to exercise each op, and no more. A
/// preview2-native op runs as many as its bench.c pair.
fn quick_iterations(op: &str) -> u64 {
    match paired(op).unwrap_or(op) {
        "readdir" => 1,
        "clock" => 1000,
        _ => 10,
    }
}

/// How many iterations one repetition of `op` on `runner` runs.
fn iterations(runner: &dyn Runner, op: &str, plan: &Plan) -> Result<u64, String> {
    if plan.quick {
        Ok(quick_iterations(op))
    } else {
        calibrate(runner, op)
    }
}

/// The median ns/iteration of one round of `op` on `runner`, warm-up
/// excluded.
fn measure_round(
    runner: &dyn Runner,
    op: &str,
    iterations: u64,
    plan: &Plan,
) -> Result<f64, String> {
    let warmup = plan.warmup();
    let all = samples(runner, op, iterations, warmup + plan.reps)?;
    median(&all[warmup as usize..]).ok_or_else(|| "no repetitions".to_string())
}

/// Nanoseconds per iteration, by (op, runtime); the floors are stored
/// under the runtime name "floor". A preview2-native op's row holds what
/// native ran for it, its pair from bench.c, under the op's own name.
type Results = HashMap<(&'static str, &'static str), f64>;

const FLOOR: &str = "floor";

fn measure_all(plan: &Plan, runners: &[Named]) -> Result<Results, String> {
    let mut results = Results::new();
    // Ops outside, runtimes inside: a noisy stretch of time then hits every
    // runtime on the same op rather than one runtime on every op. Several
    // such rounds, each runtime's result the median of its rounds, keep a
    // stretch that hits only one runtime from deciding a ratio.
    for &op in &plan.ops {
        let mut jobs = Vec::new();
        for (name, runner) in runners {
            let Some(job_op) = runs(op, name) else {
                continue;
            };
            jobs.push((job_op, *name, *name, runner.as_ref()));
            if *name == NATIVE {
                if let Some(floor) = floor_op(job_op) {
                    jobs.push((floor, *name, FLOOR, runner.as_ref()));
                }
            }
        }
        let mut counts = Vec::new();
        for &(job_op, name, _, runner) in &jobs {
            let count = logged(job_op, name, || {
                iterations(runner, job_op, plan).map(Iterations)
            })?;
            counts.push(count.0);
        }
        let mut rounds = vec![Vec::new(); jobs.len()];
        for _ in 0..plan.rounds {
            for (i, &(job_op, name, _, runner)) in jobs.iter().enumerate() {
                let ns = logged(job_op, name, || {
                    measure_round(runner, job_op, counts[i], plan).map(Ns)
                })?;
                rounds[i].push(ns.0);
            }
        }
        for (i, &(_, _, key, _)) in jobs.iter().enumerate() {
            let ns = median(&rounds[i]).ok_or_else(|| "no rounds".to_string())?;
            results.insert((op, key), ns);
        }
        if !results.contains_key(&(op, FLOOR)) {
            if let Some(&native) = results.get(&(op, NATIVE)) {
                results.insert((op, FLOOR), native);
            }
        }
    }
    Ok(results)
}

/// A calibrated iteration count, as the progress log shows it.
struct Iterations(u64);

impl std::fmt::Display for Iterations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} iterations per repetition", self.0)
    }
}

/// A time, shown as [`format_ns`] shows it.
struct Ns(f64);

impl std::fmt::Display for Ns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_ns(self.0))
    }
}

/// Runs one step of the measurement, reporting it on stderr as it goes.
fn logged<T: std::fmt::Display>(
    op: &str,
    name: &str,
    step: impl FnOnce() -> Result<T, String>,
) -> Result<T, String> {
    eprint!("{op:<17} {name:<17} ");
    match step() {
        Ok(value) => {
            eprintln!("{value}");
            Ok(value)
        }
        Err(e) => {
            eprintln!("failed");
            Err(format!("{name} failed on {op}: {e}"))
        }
    }
}

/// A table cell: a time, a ratio, or the name of an op.
enum Cell {
    Time(f64),
    Ratio(f64),
    Op(&'static str),
}

/// Finds a column's cell for an op's row in the results.
type CellValue = Box<dyn Fn(&Results, &'static str) -> Option<Cell>>;

/// A table column: its header, and its cell for an op.
struct Column {
    header: String,
    cell: CellValue,
}

/// Where a column finds a runtime's time for an op's row: in the row
/// itself, or, for a preview2-native op, in the row of its bench.c pair.
#[derive(Clone, Copy)]
enum At {
    Row(&'static str),
    Pair(&'static str),
}

impl At {
    fn time(self, results: &Results, op: &'static str) -> Option<f64> {
        let key = match self {
            At::Row(runtime) => (op, runtime),
            At::Pair(runtime) => (paired(op)?, runtime),
        };
        results.get(&key).copied()
    }
}

fn time_column(header: &str, runtime: &'static str) -> Column {
    Column {
        header: header.to_string(),
        cell: Box::new(move |results, op| At::Row(runtime).time(results, op).map(Cell::Time)),
    }
}

fn ratio_column(header: &str, top: At, bottom: At) -> Column {
    Column {
        header: header.to_string(),
        cell: Box::new(move |results, op| {
            Some(Cell::Ratio(
                top.time(results, op)? / bottom.time(results, op)?,
            ))
        }),
    }
}

fn columns(plan: &Plan, group: Group) -> Vec<Column> {
    let native = plan.has(NATIVE);
    let mut columns = Vec::new();
    if native {
        if group == Group::P2 {
            columns.push(Column {
                header: "native runs".to_string(),
                cell: Box::new(|_, op| paired(op).map(Cell::Op)),
            });
        }
        columns.push(time_column(NATIVE, NATIVE));
        columns.push(time_column("confined floor", FLOOR));
    }
    let shown = plan.runtimes.iter().filter(|r| group.run_by(r));
    for &runtime in shown.filter(|r| **r != NATIVE) {
        columns.push(time_column(runtime, runtime));
        if native {
            columns.push(ratio_column("vs native", At::Row(runtime), At::Row(NATIVE)));
        }
        if native && runtime == group.target() {
            columns.push(ratio_column("vs floor", At::Row(runtime), At::Row(FLOOR)));
        }
    }
    for &(slower, faster) in group.comparisons() {
        if plan.has(slower) && plan.has(faster) {
            let header = format!("{slower} / {faster}");
            columns.push(ratio_column(&header, At::Row(slower), At::Row(faster)));
        }
    }
    if group == Group::P2 {
        // What the preview1 adapter adds to a component runtime, and what the
        // component costs on capwasi against the module without it. Both
        // read the bench.c op's own row, so need it measured too.
        for runtime in [CAPWASI_P2, WASMTIME_WASI_P2] {
            if plan.has(runtime) {
                let header = format!("{runtime} adapted / direct");
                columns.push(ratio_column(&header, At::Pair(runtime), At::Row(runtime)));
            }
        }
        for (component, module) in [
            (CAPWASI_P2, CAPWASI_WASMTIME),
            (CAPWASI_P2_WASMI, CAPWASI_WASMI),
        ] {
            if plan.has(component) && plan.has(module) {
                let header = format!("{component} / {module}");
                columns.push(ratio_column(&header, At::Row(component), At::Pair(module)));
            }
        }
    }
    columns
}

fn table(plan: &Plan, results: &Results, group: Group) -> Table {
    let columns = columns(plan, group);
    let ops: Vec<&'static str> = plan
        .ops
        .iter()
        .copied()
        .filter(|op| Group::of(op) == group)
        .collect();
    let mut table = Table::new(std::iter::once("op").chain(columns.iter().map(|c| &*c.header)));
    for &op in &ops {
        let cells = columns
            .iter()
            .map(|column| match (column.cell)(results, op) {
                Some(Cell::Time(v)) => format_ns(v),
                Some(Cell::Ratio(v)) => format_ratio(v),
                Some(Cell::Op(name)) => name.to_string(),
                None => "-".to_string(),
            });
        table.push(std::iter::once(op.to_string()).chain(cells));
    }
    let means = columns.iter().map(|column| {
        let ratios: Vec<f64> = ops
            .iter()
            .filter_map(|&op| match (column.cell)(results, op) {
                Some(Cell::Ratio(v)) => Some(v),
                _ => None,
            })
            .collect();
        geometric_mean(&ratios)
            .map(format_ratio)
            .unwrap_or_default()
    });
    table.push(std::iter::once("geomean".to_string()).chain(means));
    table
}

fn print_report(plan: &Plan, fixture: &Path, results: &Results) {
    let method = if plan.quick {
        "quick smoke run: fixed small iteration counts, 1 repetition, no calibration".to_string()
    } else {
        format!(
            "time per operation, measured inside the program; median of {} interleaved \
             rounds, each the median of {} repetitions of ~{} ms after 1 warm-up",
            plan.rounds,
            plan.reps,
            TARGET_NS / 1e6
        )
    };
    let groups: Vec<Group> = [Group::Module, Group::P2]
        .into_iter()
        .filter(|&group| plan.ops.iter().any(|op| Group::of(op) == group))
        .filter(|&group| plan.runtimes.iter().any(|r| group.run_by(r)))
        .collect();
    let mut facts = machine_facts(fixture);
    facts.push(("method", method));
    facts.push((
        "confined floor",
        "openat2(RESOLVE_BENEATH) for open_close and stat; native time for the rest".to_string(),
    ));
    if groups.contains(&Group::P2) {
        facts.push((
            "preview2-native ops",
            "the p2_* ops run guest/p2/bench_p2.wasm, a wasi 0.2 component with no \
             adapter, on the component runtimes only; native and the floor run the \
             bench.c op under `native runs`; `adapted / direct` is a runtime's time \
             for that bench.c op (bench.wasm through the preview1 adapter) over its \
             time for the p2 op, and capwasi-p2 / capwasi-wasmtime the p2 op on \
             capwasi's preview2 over the bench.c op on its preview1"
                .to_string(),
        ));
    }
    for (key, value) in facts {
        if plan.markdown {
            println!("- {key}: {value}");
        } else {
            println!("{key}: {value}");
        }
    }
    for group in groups {
        let table = table(plan, results, group);
        println!();
        if plan.markdown {
            print!("{}", table.to_markdown());
        } else {
            print!("{}", table.to_text());
        }
    }
}

/// wasmtime-wasi's preview2 state: its context and resource table.
struct P2State {
    ctx: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for P2State {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

struct WasmtimeWasiP2 {
    engine: wasmtime::Engine,
    pres: Guests<wasmtime_wasi::p2::bindings::sync::CommandPre<P2State>>,
    dir: PathBuf,
}

impl WasmtimeWasiP2 {
    fn new(setup: ComponentSetup, dir: &Path) -> Result<Self, String> {
        let mut linker = wasmtime::component::Linker::new(&setup.engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
        let pres = setup.guests.try_map(|component| {
            linker
                .instantiate_pre(component)
                .and_then(wasmtime_wasi::p2::bindings::sync::CommandPre::new)
                .map_err(|e| format!("{e:#}"))
        })?;
        Ok(WasmtimeWasiP2 {
            engine: setup.engine,
            pres,
            dir: dir.to_path_buf(),
        })
    }
}

impl Runner for WasmtimeWasiP2 {
    fn run(&self, op: &str, iterations: u64, repetitions: u64) -> Result<String, String> {
        let output = WasmtimeWasiOutput::new();
        let state = P2State {
            ctx: output
                .builder(&self.dir, op, iterations, repetitions)?
                .build(),
            table: wasmtime::component::ResourceTable::new(),
        };
        let mut store = wasmtime::Store::new(&self.engine, state);
        let ended = self
            .pres
            .for_op(op)
            .instantiate(&mut store)
            .and_then(|command| command.wasi_cli_run().call_run(&mut store))
            // An `err` from run is exit status 1, as capwasi reports it.
            .and_then(|status| {
                status.map_err(|()| wasmtime::Error::from(wasmtime_wasi::I32Exit(1)))
            });
        output.finish(ended)
    }
}
