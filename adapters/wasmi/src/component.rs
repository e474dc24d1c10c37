//! Runs wasi 0.2 components on wasmi: wasmi has core wasm only, so the
//! core's instantiator ([`capwasi::component::instance`]) drives it
//! through [`CoreEngine`], which this file implements and nothing more.

use capwasi::component::abi::{Outcome, Val};
use capwasi::component::engine::{in_order, CoreEngine, EngineError, Extern, HostHandler, Import};
use capwasi::component::FlatType;
use capwasi::p2::WasiP2Ctx;
use capwasi::Termination;
use smallvec::SmallVec;

use wasmi::{
    Caller, Func, FuncType, Global, Instance, Memory, Module, Store, Table, ValType, F32, F64,
};

use crate::{one_line, trap_message, WasmiEngine};

fn val_type(ty: &FlatType) -> ValType {
    match ty {
        FlatType::I32 => ValType::I32,
        FlatType::I64 => ValType::I64,
        FlatType::F32 => ValType::F32,
        FlatType::F64 => ValType::F64,
    }
}

fn to_wasmi(val: &Val) -> wasmi::Val {
    match *val {
        Val::I32(v) => wasmi::Val::I32(v),
        Val::I64(v) => wasmi::Val::I64(v),
        Val::F32(v) => wasmi::Val::F32(F32::from_float(v)),
        Val::F64(v) => wasmi::Val::F64(F64::from_float(v)),
    }
}

/// A core value back from wasmi; the core only ever asks for numbers.
fn from_wasmi(val: &wasmi::Val) -> Val {
    match val {
        wasmi::Val::I32(v) => Val::I32(*v),
        wasmi::Val::I64(v) => Val::I64(*v),
        wasmi::Val::F32(v) => Val::F32(v.to_float()),
        wasmi::Val::F64(v) => Val::F64(v.to_float()),
        _ => Val::I32(0),
    }
}

/// wasmi's error as an exit or a trap, or a failure to load.
fn engine_error(error: wasmi::Error) -> EngineError {
    if let Some(code) = error.i32_exit_status() {
        return EngineError::Ended(Termination::Exit(code));
    }
    match trap_message(&error) {
        Some(message) => EngineError::Ended(Termination::Trap(message)),
        None => EngineError::Load(one_line(&error)),
    }
}

fn termination(error: wasmi::Error) -> Termination {
    match engine_error(error) {
        EngineError::Ended(end) => end,
        EngineError::Load(message) => Termination::Trap(message),
    }
}

/// Calls `func` with core values, converting on the way in and out.
fn call_with(
    store: impl wasmi::AsContextMut,
    func: &Func,
    args: &[Val],
    results: &mut [Val],
) -> Result<(), wasmi::Error> {
    let args: Vec<wasmi::Val> = args.iter().map(to_wasmi).collect();
    let mut out: Vec<wasmi::Val> = results.iter().map(to_wasmi).collect();
    func.call(store, &args, &mut out)?;
    for (slot, value) in results.iter_mut().zip(&out) {
        *slot = from_wasmi(value);
    }
    Ok(())
}

impl CoreEngine for WasmiEngine {
    type Store = Store<WasiP2Ctx>;
    type Caller<'a> = Caller<'a, WasiP2Ctx>;
    type Module = Module;
    type Instance = Instance;
    type Func = Func;
    type Memory = Memory;
    type Table = Table;
    type Global = Global;

    fn store(&self, ctx: WasiP2Ctx) -> Self::Store {
        Store::new(&self.engine, ctx)
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, String> {
        Module::new(&self.engine, wasm).map_err(|e| one_line(&e))
    }

    fn instantiate(
        &self,
        store: &mut Self::Store,
        module: &Module,
        imports: &[Import<Self>],
    ) -> Result<Instance, EngineError> {
        let wanted = module
            .imports()
            .map(|import| (import.module(), import.name()));
        let ordered: Vec<wasmi::Extern> = in_order(imports, wanted)?
            .into_iter()
            .map(|item| match item {
                Extern::Func(f) => wasmi::Extern::Func(f),
                Extern::Memory(m) => wasmi::Extern::Memory(m),
                Extern::Table(t) => wasmi::Extern::Table(t),
                Extern::Global(g) => wasmi::Extern::Global(g),
            })
            .collect();
        Instance::new(store, module, &ordered).map_err(engine_error)
    }

    fn export(
        &self,
        store: &mut Self::Store,
        instance: &Instance,
        name: &str,
    ) -> Option<Extern<Self>> {
        Some(match instance.get_export(&*store, name)? {
            wasmi::Extern::Func(f) => Extern::Func(f),
            wasmi::Extern::Memory(m) => Extern::Memory(m),
            wasmi::Extern::Table(t) => Extern::Table(t),
            wasmi::Extern::Global(g) => Extern::Global(g),
        })
    }

    fn host_func(
        &self,
        store: &mut Self::Store,
        params: &[FlatType],
        results: &[FlatType],
        handler: HostHandler<Self>,
    ) -> Func {
        let ty = FuncType::new(params.iter().map(val_type), results.iter().map(val_type));
        Func::new(store, ty, move |mut caller, args, out| {
            // On the stack: a call passes at most 16 values and a return
            // pointer, and returns at most one.
            let args: SmallVec<[Val; 17]> = args.iter().map(from_wasmi).collect();
            let mut results: SmallVec<[Val; 1]> = out.iter().map(from_wasmi).collect();
            match handler(&mut caller, &args, &mut results) {
                Ok(()) => {
                    for (slot, value) in out.iter_mut().zip(&results) {
                        *slot = to_wasmi(value);
                    }
                    Ok(())
                }
                Err(Termination::Exit(code)) => Err(wasmi::Error::i32_exit(code)),
                Err(Termination::Trap(message)) => Err(wasmi::Error::new(message)),
            }
        })
    }

    fn call(
        &self,
        store: &mut Self::Store,
        func: &Func,
        args: &[Val],
        results: &mut [Val],
    ) -> Result<(), EngineError> {
        call_with(store, func, args, results).map_err(engine_error)
    }

    fn caller_memory<'c>(
        caller: &'c mut Self::Caller<'_>,
        memory: Option<&Memory>,
    ) -> (&'c mut [u8], &'c mut WasiP2Ctx) {
        match memory {
            Some(memory) => memory.data_and_store_mut(caller),
            None => (&mut [], caller.data_mut()),
        }
    }

    fn caller_call(
        caller: &mut Self::Caller<'_>,
        func: &Func,
        args: &[Val],
        results: &mut [Val],
    ) -> Outcome<()> {
        call_with(caller, func, args, results).map_err(termination)
    }
}
