//! Runs capwasi's preview1 functions on wasmi.
//!
//! [`add_to_linker`] registers every entry of [`capwasi::p1::FUNCTIONS`]
//! with a `wasmi::Linker`; [`WasmiEngine`] runs a command module with it.
//! Like every adapter, this crate holds no WASI logic: it moves arguments,
//! memory and results between wasmi and the core.

use capwasi::p1::{ValType, FUNCTIONS, MODULE};
use capwasi::{RunError, Termination, WasiCtx};
use wasmi::errors::{ErrorKind, InstantiationError};
use wasmi::{Caller, Engine, Extern, FuncType, Linker, Module, Store, TrapCode, Val};

fn val_type(ty: ValType) -> wasmi::ValType {
    match ty {
        ValType::I32 => wasmi::ValType::I32,
        ValType::I64 => wasmi::ValType::I64,
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
///
/// A guest that calls `proc_exit` ends with wasmi's i32 exit error, which
/// [`wasmi::Error::i32_exit_status`] recognises again.
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiCtx,
) -> Result<(), wasmi::Error> {
    for func in FUNCTIONS {
        let ty = FuncType::new(
            func.params.iter().copied().map(val_type),
            func.results.iter().copied().map(val_type),
        );
        // wasmi copies a small buffer of values for every dynamic host call;
        // typed registration would not, but the table's signatures are values
        // rather than types.
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
                    Err(Termination::Exit(code)) => Err(wasmi::Error::i32_exit(code)),
                    Err(Termination::Trap(message)) => Err(wasmi::Error::new(message)),
                }
            },
        )?;
    }
    Ok(())
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
        let load = |e: wasmi::Error| RunError::Load(one_line(&e));
        let module = Module::new(&self.engine, wasm).map_err(load)?;
        let mut linker = Linker::new(&self.engine);
        add_to_linker(&mut linker, |ctx: &mut WasiCtx| ctx).map_err(load)?;
        let mut store = Store::new(&self.engine, ctx);
        let ended = |e: wasmi::Error| match e.i32_exit_status() {
            Some(code) => Ok(code),
            None => Err(RunError::Trap(
                trap_message(&e).unwrap_or_else(|| one_line(&e)),
            )),
        };
        let instance = match linker.instantiate_and_start(&mut store, &module) {
            Ok(instance) => instance,
            // A start function may exit or trap too; anything else is a
            // module that cannot be linked.
            Err(e) if e.i32_exit_status().is_some() || trap_message(&e).is_some() => {
                return ended(e)
            }
            Err(e) => return Err(load(e)),
        };
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .map_err(|e| RunError::Load(format!("no usable `_start` export: {}", one_line(&e))))?;
        match start.call(&mut store, ()) {
            Ok(()) => Ok(0),
            Err(e) => ended(e),
        }
    }
}
