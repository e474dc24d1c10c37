//! Runs capwasi's preview1 functions on wasmtime.
//!
//! [`add_to_linker`] registers every entry of [`capwasi::p1::FUNCTIONS`]
//! with a `wasmtime::Linker`; [`WasmtimeEngine`] runs a command module with
//! it. Like every adapter, this crate holds no WASI logic: it moves
//! arguments, memory and results between wasmtime and the core.

use capwasi::p1::{ValType, FUNCTIONS, MODULE};
use capwasi::{RunError, Termination, WasiCtx};
use wasmtime::{Caller, Engine, Extern, FuncType, Linker, Module, Store, Val};

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

fn val_type(ty: ValType) -> wasmtime::ValType {
    match ty {
        ValType::I32 => wasmtime::ValType::I32,
        ValType::I64 => wasmtime::ValType::I64,
    }
}

fn raw(val: &Val) -> u64 {
    match val {
        Val::I32(v) => *v as u32 as u64,
        Val::I64(v) => *v as u64,
        _ => 0,
    }
}

/// Registers every preview1 function in `linker`. `ctx` finds the guest's
/// [`WasiCtx`] in the store's data.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiCtx,
) -> wasmtime::Result<()> {
    let engine = linker.engine().clone();
    for func in FUNCTIONS {
        let ty = FuncType::new(
            &engine,
            func.params.iter().copied().map(val_type),
            func.results.iter().copied().map(val_type),
        );
        linker.func_new(
            MODULE,
            func.name,
            ty,
            move |mut caller: Caller<'_, T>, params: &[Val], results: &mut [Val]| {
                let outcome = match caller.get_export("memory") {
                    Some(Extern::Memory(memory)) => {
                        let (bytes, data) = memory.data_and_store_mut(&mut caller);
                        func.invoke(ctx(data), bytes, params.iter().map(raw))
                    }
                    _ => func.invoke(ctx(caller.data_mut()), &mut [], params.iter().map(raw)),
                };
                match outcome {
                    Ok(errno) => {
                        if let Some(result) = results.first_mut() {
                            *result = Val::I32(errno);
                        }
                        Ok(())
                    }
                    Err(Termination::Exit(code)) => Err(wasmtime::Error::new(Exit(code))),
                    Err(Termination::Trap(message)) => Err(wasmtime::Error::msg(message)),
                }
            },
        )?;
    }
    Ok(())
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
        let load = |e: wasmtime::Error| RunError::Load(format!("{e:#}"));
        let module = Module::new(&self.engine, wasm).map_err(load)?;
        let mut linker = Linker::new(&self.engine);
        add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).map_err(load)?;
        let mut store = Store::new(&self.engine, ctx);
        let ended = |e: wasmtime::Error| match exit_status(&e) {
            Some(code) => Ok(code),
            None => Err(RunError::Trap(format!("{e:?}"))),
        };
        let instance = match linker.instantiate(&mut store, &module) {
            Ok(instance) => instance,
            // A start function may exit or trap too; anything else is a
            // module that cannot be linked.
            Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() || exit_status(&e).is_some() => {
                return ended(e)
            }
            Err(e) => return Err(load(e)),
        };
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .map_err(|e| RunError::Load(format!("no usable `_start` export: {e:#}")))?;
        match start.call(&mut store, ()) {
            Ok(()) => Ok(0),
            Err(e) => ended(e),
        }
    }
}
