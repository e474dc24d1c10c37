//! Runs capwasi's preview1 functions on wasmtime, and its preview2 on
//! wasmtime's component model.
//!
//! [`add_to_linker`] registers every preview1 function (the list that
//! [`capwasi::for_each_function!`] expands) with a `wasmtime::Linker`;
//! [`add_to_linker_async`] does the same for guests run on tokio, where a
//! guest waiting in `poll_oneoff` or on a pipe or socket yields to the
//! executor instead of holding its thread. [`p2::add_to_linker_sync`] and
//! [`p2::add_to_linker_async`] link every preview2 interface, `wasi:sockets`
//! included, into a `wasmtime::component::Linker`. [`WasmtimeEngine`] runs a
//! command module or a command component with them. Like every adapter,
//! this crate holds no WASI logic: it moves arguments, memory and results
//! between wasmtime and the core.

mod core_wasm;
pub mod p2;

pub use core_wasm::WasmtimeCore;

use capwasi::engine::HostResult;
use capwasi::execution::Execution;
use capwasi::p1::{typed, waiting, WasiP1Ctx, MODULE};
use capwasi::p2::WasiP2Ctx;
use capwasi::{RunError, Termination, WasiCtx};
use wasmtime::component::{self, Component};
use wasmtime::{
    Caller, Engine, Extern, Instance, Linker, Memory, Module, ModuleExport, Store, TypedFunc,
};

/// The error a host call returns to end the guest with an exit status;
/// [`exit_status`] recognises it again.
#[derive(Debug)]
pub struct Exit(pub i32);

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "guest exited with status {}", self.0)
    }
}

impl std::error::Error for Exit {}

/// The exit status carried by an error from a call into a guest, if the
/// guest ended by exiting rather than by trapping.
pub fn exit_status(error: &wasmtime::Error) -> Option<i32> {
    error.downcast_ref::<Exit>().map(|exit| exit.0)
}

// How a host call finds the calling guest's memory. Looking it up by name
// is a large share of a cheap call, so the faster ways below are used where
// they are known to be right.

/// Any caller: by export name.
fn memory_named<T>(caller: &mut Caller<'_, T>) -> Option<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => Some(memory),
        _ => None,
    }
}

/// Instances of one module: by export index. wasmtime checks the index
/// against the calling instance's module, so another module's instance
/// falls back to the name.
fn memory_at<T>(caller: &mut Caller<'_, T>, index: &ModuleExport) -> Option<Memory> {
    match caller.get_module_export(index) {
        Some(Extern::Memory(memory)) => Some(memory),
        Some(_) => None,
        None => memory_named(caller),
    }
}

/// The store of [`WasmtimeEngine::run_module`], which holds exactly one
/// instance: its memory is looked up once, after instantiation, and every
/// later call can only come from that instance.
struct Sole {
    wasi: WasiP1Ctx,
    memory: Option<Memory>,
}

/// The guest's context in a [`Sole`] store.
fn sole_wasi(sole: &mut Sole) -> &mut WasiP1Ctx {
    &mut sole.wasi
}

/// The sole instance's memory; before instantiation ends, a start
/// function's calls find it by name.
fn memory_remembered(caller: &mut Caller<'_, Sole>) -> Option<Memory> {
    caller.data().memory.or_else(|| memory_named(caller))
}

/// Runs one call with the caller's memory and context, and turns its
/// outcome into wasmtime's terms.
#[inline]
fn call<T>(
    caller: &mut Caller<'_, T>,
    ctx: impl Fn(&mut T) -> &mut WasiP1Ctx,
    memory: impl Fn(&mut Caller<'_, T>) -> Option<Memory>,
    run: impl FnOnce(&mut WasiP1Ctx, &mut [u8]) -> HostResult,
) -> wasmtime::Result<i32> {
    let outcome = match memory(caller) {
        Some(memory) => {
            let (bytes, data) = memory.data_and_store_mut(caller);
            run(ctx(data), bytes)
        }
        // A guest without a memory gets an empty one: every pointer it
        // passes is EFAULT.
        None => run(ctx(caller.data_mut()), &mut []),
    };
    outcome_to_wasmtime(outcome)
}

/// A call's outcome in wasmtime's terms: an errno, or an exit or trap that
/// ends the guest.
fn outcome_to_wasmtime(outcome: HostResult) -> wasmtime::Result<i32> {
    match outcome {
        Ok(errno) => Ok(errno),
        Err(Termination::Exit(code)) => Err(wasmtime::Error::new(Exit(code))),
        Err(Termination::Trap(message)) => Err(wasmtime::Error::msg(message)),
    }
}

/// Registers each function as a typed host function: wasmtime then calls
/// it with its arguments in registers, with no boxing into `Val`s.
macro_rules! register {
    ($($family:ident :: $name:ident ( $($arg:ident : $ty:ident),* ) $(-> $never:tt)? ;)*) => {
        /// Registers every function whose name is not in `skip`.
        fn register<T: 'static>(
            linker: &mut Linker<T>,
            // A closure rather than a function pointer, so that each call
            // can inline it.
            ctx: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
            memory: impl Fn(&mut Caller<'_, T>) -> Option<Memory> + Copy + Send + Sync + 'static,
            skip: &[&str],
        ) -> wasmtime::Result<()> {
            $(
                if !skip.contains(&stringify!($name)) { linker.func_wrap(
                    MODULE,
                    stringify!($name),
                    move |mut caller: Caller<'_, T>, $($arg: $ty),*| {
                        let result = call(&mut caller, ctx, memory, |wasi, memory| {
                            typed::$name(wasi, memory, $($arg),*)
                        });
                        register!(@result result $($never)?)
                    },
                )?; }
            )*
            Ok(())
        }
    };
    (@result $result:ident) => { $result };
    // `proc_exit` has no result: it only ever returns an exit or a trap.
    (@result $result:ident !) => { $result.map(drop) };
}

capwasi::for_each_function!(register);

/// Registers each call that can wait as an async host function: wasmtime
/// suspends the guest on its fiber, and the call's future yields to the
/// executor until the guest's descriptor or deadline is ready.
macro_rules! register_waiting {
    ($($family:ident :: $name:ident ( $($arg:ident : $ty:ident),* ) ;)*) => {
        fn register_waiting<T: Send + 'static>(
            linker: &mut Linker<T>,
            ctx: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
            memory: impl Fn(&mut Caller<'_, T>) -> Option<Memory> + Copy + Send + Sync + 'static,
        ) -> wasmtime::Result<()> {
            $(
                linker.func_wrap_async(
                    MODULE,
                    stringify!($name),
                    move |mut caller: Caller<'_, T>, ($($arg,)*): ($($ty,)*)| {
                        Box::new(async move {
                            // The guest is suspended for as long as this
                            // future lives, so its memory can neither grow
                            // nor be reached by anyone else meanwhile.
                            let outcome = match memory(&mut caller) {
                                Some(memory) => {
                                    let (bytes, data) = memory.data_and_store_mut(&mut caller);
                                    waiting::$name(ctx(data), bytes, $($arg,)* Execution::Tokio).await
                                }
                                None => {
                                    waiting::$name(ctx(caller.data_mut()), &mut [], $($arg,)* Execution::Tokio)
                                        .await
                                }
                            };
                            outcome_to_wasmtime(outcome)
                        })
                    },
                )?;
            )*
            Ok(())
        }
    };
}

capwasi::for_each_waiting_function!(register_waiting);

/// Registers every preview1 function in `linker`. `ctx` finds the guest's
/// [`WasiP1Ctx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP1Ctx,
) -> wasmtime::Result<()> {
    register(linker, ctx, memory_named::<T>, &[])
}

/// Registers every preview1 function in `linker`, for guests run with
/// wasmtime's async calls (`instantiate_async`, `call_async`) on a tokio
/// runtime with its I/O and time drivers enabled. The calls that can wait
/// (`poll_oneoff`, and reads, writes, accepts, receives and sends on pipes,
/// sockets and terminals; see [`capwasi::for_each_waiting_function!`])
/// yield to the executor while they wait, so one executor thread can run
/// many guests at once; the others run as [`add_to_linker`] registers them.
/// `ctx` finds the guest's [`WasiP1Ctx`] in the store's data.
pub fn add_to_linker_async<T: Send + 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP1Ctx,
) -> wasmtime::Result<()> {
    register(linker, ctx, memory_named::<T>, waiting::NAMES)?;
    register_waiting(linker, ctx, memory_named::<T>)
}

/// Like [`add_to_linker`], with a faster path for instances of `module`:
/// each call finds the guest's memory by its export index instead of by
/// name. Instances of other modules still work, at the cost of the name
/// lookup.
pub fn add_to_linker_for<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP1Ctx,
    module: &Module,
) -> wasmtime::Result<()> {
    match module.get_export_index("memory") {
        Some(index) => register(
            linker,
            ctx,
            move |caller: &mut Caller<'_, T>| memory_at(caller, &index),
            &[],
        ),
        None => register(linker, ctx, memory_named::<T>, &[]),
    }
}

/// wasmtime as a [`capwasi::Engine`].
pub struct WasmtimeEngine {
    engine: Engine,
}

impl WasmtimeEngine {
    /// An engine with wasmtime's default configuration.
    pub fn new() -> Self {
        WasmtimeEngine {
            engine: Engine::default(),
        }
    }

    /// An engine built from an embedder's own configuration.
    pub fn with_engine(engine: Engine) -> Self {
        WasmtimeEngine { engine }
    }

    /// The wasmtime engine, to compile modules for
    /// [`Self::run_module`] and [`Self::run_module_async`] once and run
    /// them many times.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }
}

impl Default for WasmtimeEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl capwasi::Engine for WasmtimeEngine {
    fn name(&self) -> &'static str {
        "wasmtime"
    }

    fn run(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        let module = Module::new(&self.engine, wasm).map_err(load_error)?;
        self.run_module(&module, ctx)
    }

    fn run_component(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        let component = Component::new(&self.engine, wasm).map_err(load_error)?;
        self.run_command(&component, ctx)
    }
}

/// How a call into a guest that failed ended: an exit status, or a trap.
fn ended(e: wasmtime::Error) -> Result<i32, RunError> {
    match exit_status(&e) {
        Some(code) => Ok(code),
        None => Err(RunError::Trap(format!("{e:?}"))),
    }
}

fn load_error(e: wasmtime::Error) -> RunError {
    RunError::Load(format!("{e:#}"))
}

/// What instantiating a command came to: the instance, or how the run
/// ended already.
fn instantiated<I>(result: wasmtime::Result<I>) -> Result<I, Result<i32, RunError>> {
    match result {
        Ok(instance) => Ok(instance),
        // A start function may exit or trap too; anything else is a
        // module that cannot be linked.
        Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() || exit_status(&e).is_some() => {
            Err(ended(e))
        }
        Err(e) => Err(Err(load_error(e))),
    }
}

/// The sole instance's `_start`, once its memory is remembered for the
/// calls it makes.
fn command_start(
    store: &mut Store<Sole>,
    instance: Instance,
) -> Result<TypedFunc<(), ()>, RunError> {
    store.data_mut().memory = instance.get_memory(&mut *store, "memory");
    instance
        .get_typed_func::<(), ()>(&mut *store, "_start")
        .map_err(|e| RunError::Load(format!("no usable `_start` export: {e:#}")))
}

/// How a run of `_start` ended.
fn command_ended(result: wasmtime::Result<()>) -> Result<i32, RunError> {
    match result {
        Ok(()) => Ok(0),
        Err(e) => ended(e),
    }
}

impl WasmtimeEngine {
    /// A store for one run of a command module.
    fn command_store(&self, ctx: WasiCtx) -> Store<Sole> {
        Store::new(
            &self.engine,
            Sole {
                wasi: WasiP1Ctx::new(ctx),
                memory: None,
            },
        )
    }

    /// Runs a command module compiled for this engine, like
    /// [`capwasi::Engine::run`] without compiling it again.
    pub fn run_module(&self, module: &Module, ctx: WasiCtx) -> Result<i32, RunError> {
        let mut linker = Linker::new(&self.engine);
        register(&mut linker, sole_wasi, memory_remembered, &[]).map_err(load_error)?;
        let mut store = self.command_store(ctx);
        let instance = match instantiated(linker.instantiate(&mut store, module)) {
            Ok(instance) => instance,
            Err(ended) => return ended,
        };
        let start = command_start(&mut store, instance)?;
        command_ended(start.call(&mut store, ()))
    }

    /// Runs a command module compiled for this engine with wasmtime's
    /// async calls, from a task on a tokio runtime with its I/O and time
    /// drivers enabled ([`add_to_linker_async`]). While the guest waits
    /// for a descriptor or a deadline, the executor runs other tasks, so
    /// one thread can run many guests at once. The future is `Send`.
    pub async fn run_module_async(&self, module: &Module, ctx: WasiCtx) -> Result<i32, RunError> {
        let mut linker = Linker::new(&self.engine);
        register(&mut linker, sole_wasi, memory_remembered, waiting::NAMES)
            .and_then(|()| register_waiting(&mut linker, sole_wasi, memory_remembered))
            .map_err(load_error)?;
        let mut store = self.command_store(ctx);
        let instance = match instantiated(linker.instantiate_async(&mut store, module).await) {
            Ok(instance) => instance,
            Err(ended) => return ended,
        };
        let start = command_start(&mut store, instance)?;
        command_ended(start.call_async(&mut store, ()).await)
    }

    /// Runs a `wasi:cli/command` component compiled for this engine, like
    /// [`capwasi::Engine::run_component`] without compiling it again.
    pub fn run_command(&self, component: &Component, ctx: WasiCtx) -> Result<i32, RunError> {
        let mut linker = component::Linker::new(&self.engine);
        p2::add_to_linker_sync(&mut linker, |ctx: &mut WasiP2Ctx| ctx).map_err(load_error)?;
        let mut store = Store::new(&self.engine, WasiP2Ctx::new(ctx));
        let command = match instantiated(p2::Command::instantiate(&mut store, component, &linker)) {
            Ok(command) => command,
            Err(ended) => return ended,
        };
        match command.wasi_cli_run().call_run(&mut store) {
            Ok(Ok(())) => Ok(0),
            Ok(Err(())) => Ok(1),
            Err(e) => ended(e),
        }
    }
}
