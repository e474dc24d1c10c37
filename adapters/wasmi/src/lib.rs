//! Runs capwasi's preview1 functions on wasmi.
//!
//! [`add_to_linker`] registers every preview1 function (the list that
//! [`capwasi::for_each_function!`] expands) with a `wasmi::Linker`;
//! [`WasmiEngine`] runs a command module with it, and a wasi 0.2 component
//! through the core's component instantiator, for which it implements
//! [`capwasi::component::engine::CoreEngine`]. Like every adapter, this
//! crate holds no WASI logic: it moves arguments, memory and results
//! between wasmi and the core.

use capwasi::engine::HostResult;
use capwasi::p1::{typed, WasiP1Ctx, MODULE};
use capwasi::{RunError, Termination, WasiCtx};
use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{Caller, Engine, Extern, Linker, Memory, Module, Store, TrapCode};

mod component;

/// Any caller: the guest's memory by export name, a string search on every
/// call, which [`memory_remembered`] spares the engine's own runs.
fn memory_named<T>(caller: &mut Caller<'_, T>) -> Option<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => Some(memory),
        _ => None,
    }
}

/// The store of [`WasmiEngine::run`], which holds exactly one instance: its
/// memory is looked up once, after instantiation, and every later call can
/// only come from that instance.
struct Sole {
    wasi: WasiP1Ctx,
    memory: Option<Memory>,
}

/// The sole instance's memory; before instantiation ends, a start
/// function's calls find it by name.
fn memory_remembered(caller: &mut Caller<'_, Sole>) -> Option<Memory> {
    caller.data().memory.or_else(|| memory_named(caller))
}

/// Runs one call with the caller's memory and context, and turns its
/// outcome into wasmi's terms.
#[inline]
fn call<T>(
    caller: &mut Caller<'_, T>,
    ctx: impl Fn(&mut T) -> &mut WasiP1Ctx,
    memory: impl Fn(&mut Caller<'_, T>) -> Option<Memory>,
    run: impl FnOnce(&mut WasiP1Ctx, &mut [u8]) -> HostResult,
) -> Result<i32, wasmi::Error> {
    let outcome = match memory(caller) {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            run(ctx(data), bytes)
        }
        // A guest without a memory gets an empty one: every pointer it
        // passes is EFAULT.
        None => run(ctx(caller.data_mut()), &mut []),
    };
    match outcome {
        Ok(errno) => Ok(errno),
        Err(Termination::Exit(code)) => Err(wasmi::Error::i32_exit(code)),
        Err(Termination::Trap(message)) => Err(wasmi::Error::new(message)),
    }
}

/// Registers each function as a typed host function, which wasmi calls
/// without copying its arguments through a buffer of `Val`s.
macro_rules! register {
    ($($family:ident :: $name:ident ( $($arg:ident : $ty:ident),* ) $(-> $never:tt)? ;)*) => {
        fn register<T: 'static>(
            linker: &mut Linker<T>,
            // A closure rather than a function pointer, so that each call
            // can inline it.
            ctx: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
            memory: impl Fn(&mut Caller<'_, T>) -> Option<Memory> + Copy + Send + Sync + 'static,
        ) -> Result<(), wasmi::Error> {
            $(
                linker.func_wrap(
                    MODULE,
                    stringify!($name),
                    move |mut caller: Caller<'_, T>, $($arg: $ty),*| {
                        let result = call(&mut caller, ctx, memory, |wasi, memory| {
                            typed::$name(wasi, memory, $($arg),*)
                        });
                        register!(@result result $($never)?)
                    },
                )?;
            )*
            Ok(())
        }
    };
    (@result $result:ident) => { $result };
    // `proc_exit` has no result: it only ever returns an exit or a trap.
    (@result $result:ident !) => { $result.map(drop) };
}

capwasi::for_each_function!(register);

/// Registers every preview1 function in `linker`. `ctx` finds the guest's
/// [`WasiP1Ctx`] in the store's data.
///
/// A guest that calls `proc_exit` ends with wasmi's i32 exit error, which
/// [`wasmi::Error::i32_exit_status`] recognises again.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP1Ctx,
) -> Result<(), wasmi::Error> {
    register(linker, ctx, memory_named::<T>)
}

/// The trap message when `error` was raised by running the guest, `None`
/// when it was raised by loading or linking it.
fn trap_message(error: &wasmi::Error) -> Option<String> {
    match error.kind() {
        ErrorKind::Message(message) => Some(message.to_string()),
        // wasmtime reports a segment that does not fit its table as a trap,
        // so this does too, and wasmi's own text for it names internal handles.
        ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit { .. }) => {
            Some(TrapCode::TableOutOfBounds.to_string())
        }
        _ => error.as_trap_code().map(|code| code.to_string()),
    }
}

/// wasmi renders some errors over several lines; a load error is reported
/// as one, like every other engine's.
fn one_line(error: &wasmi::Error) -> String {
    error
        .to_string()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// wasmi as a [`capwasi::Engine`].
pub struct WasmiEngine {
    engine: Engine,
}

impl WasmiEngine {
    /// An engine with wasmi's default configuration.
    pub fn new() -> Self {
        WasmiEngine {
            engine: Engine::default(),
        }
    }

    /// An engine built from an embedder's own configuration.
    pub fn with_engine(engine: Engine) -> Self {
        WasmiEngine { engine }
    }
}

impl Default for WasmiEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl capwasi::Engine for WasmiEngine {
    fn name(&self) -> &'static str {
        "wasmi"
    }

    fn run(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        let module = Module::new(&self.engine, wasm).map_err(|e| load(&e))?;
        self.run_module(&module, ctx)
    }

    fn run_component(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        capwasi::component::instance::run_command(self, wasm, ctx)
    }
}

fn load(error: &wasmi::Error) -> RunError {
    RunError::Load(one_line(error))
}

impl WasmiEngine {
    /// Runs a command module compiled for this engine, like
    /// [`capwasi::Engine::run`] without compiling it again.
    pub fn run_module(&self, module: &Module, ctx: WasiCtx) -> Result<i32, RunError> {
        let load = |e: wasmi::Error| load(&e);
        let mut linker = Linker::new(&self.engine);
        register(
            &mut linker,
            |sole: &mut Sole| &mut sole.wasi,
            memory_remembered,
        )
        .map_err(load)?;
        let mut store = Store::new(
            &self.engine,
            Sole {
                wasi: WasiP1Ctx::new(ctx),
                memory: None,
            },
        );
        let ended = |e: wasmi::Error| match e.i32_exit_status() {
            Some(code) => Ok(code),
            None => Err(RunError::Trap(
                trap_message(&e).unwrap_or_else(|| one_line(&e)),
            )),
        };
        let instance = match linker.instantiate_and_start(&mut store, module) {
            Ok(instance) => instance,
            // A start function may exit or trap too; anything else is a
            // module that cannot be linked.
            Err(e) if e.i32_exit_status().is_some() || trap_message(&e).is_some() => {
                return ended(e)
            }
            Err(e) => return Err(load(e)),
        };
        store.data_mut().memory = instance.get_memory(&store, "memory");
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .map_err(|e| RunError::Load(format!("no usable `_start` export: {}", one_line(&e))))?;
        match start.call(&mut store, ()) {
            Ok(()) => Ok(0),
            Err(e) => ended(e),
        }
    }
}
