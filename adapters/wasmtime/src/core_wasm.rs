//! wasmtime as a core-only engine: [`CoreEngine`] for wasmtime's core wasm
//! API, so that the core's own component instantiator
//! ([`capwasi::component::instance`]) can run components on wasmtime too.
//! The test suite runs every preview2 guest both ways, through wasmtime's
//! component model and through this, and requires the same results: the
//! cross-check that keeps the core's canonical ABI honest.

use capwasi::component::abi::{Outcome, Val};
use capwasi::component::engine::{in_order, CoreEngine, EngineError, Extern, HostHandler, Import};
use capwasi::component::FlatType;
use capwasi::p2::WasiP2Ctx;
use capwasi::{RunError, Termination, WasiCtx};
use smallvec::SmallVec;
use wasmtime::{Caller, Func, FuncType, Global, Instance, Memory, Module, Store, Table, ValType};

use crate::{exit_status, Exit, WasmtimeEngine};

/// Runs components on wasmtime through capwasi's instantiator instead of
/// wasmtime's component model.
pub struct WasmtimeCore(pub WasmtimeEngine);

impl capwasi::Engine for WasmtimeCore {
    fn name(&self) -> &'static str {
        "wasmtime-core"
    }

    fn run(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        self.0.run(wasm, ctx)
    }

    fn run_component(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        capwasi::component::instance::run_command(self, wasm, ctx)
    }
}

fn val_type(ty: &FlatType) -> ValType {
    match ty {
        FlatType::I32 => ValType::I32,
        FlatType::I64 => ValType::I64,
        FlatType::F32 => ValType::F32,
        FlatType::F64 => ValType::F64,
    }
}

fn to_wasmtime(val: &Val) -> wasmtime::Val {
    match *val {
        Val::I32(v) => wasmtime::Val::I32(v),
        Val::I64(v) => wasmtime::Val::I64(v),
        Val::F32(v) => wasmtime::Val::F32(v.to_bits()),
        Val::F64(v) => wasmtime::Val::F64(v.to_bits()),
    }
}

/// A core value back from wasmtime; the core only ever asks for numbers.
fn from_wasmtime(val: &wasmtime::Val) -> Val {
    match val {
        wasmtime::Val::I32(v) => Val::I32(*v),
        wasmtime::Val::I64(v) => Val::I64(*v),
        wasmtime::Val::F32(v) => Val::F32(f32::from_bits(*v)),
        wasmtime::Val::F64(v) => Val::F64(f64::from_bits(*v)),
        _ => Val::I32(0),
    }
}

fn termination(error: &wasmtime::Error) -> Option<Termination> {
    if let Some(code) = exit_status(error) {
        return Some(Termination::Exit(code));
    }
    if let Some(trap) = error.downcast_ref::<wasmtime::Trap>() {
        return Some(Termination::Trap(trap.to_string()));
    }
    None
}

/// wasmtime's error as an exit or a trap; a host function's own trap
/// message is the error's root.
fn ended(error: wasmtime::Error) -> Termination {
    termination(&error).unwrap_or_else(|| Termination::Trap(format!("{}", error.root_cause())))
}

fn call_with(
    store: impl wasmtime::AsContextMut,
    func: &Func,
    args: &[Val],
    results: &mut [Val],
) -> wasmtime::Result<()> {
    let args: Vec<wasmtime::Val> = args.iter().map(to_wasmtime).collect();
    let mut out: Vec<wasmtime::Val> = results.iter().map(to_wasmtime).collect();
    func.call(store, &args, &mut out)?;
    for (slot, value) in results.iter_mut().zip(&out) {
        *slot = from_wasmtime(value);
    }
    Ok(())
}

impl CoreEngine for WasmtimeCore {
    type Store = Store<WasiP2Ctx>;
    type Caller<'a> = Caller<'a, WasiP2Ctx>;
    type Module = Module;
    type Instance = Instance;
    type Func = Func;
    type Memory = Memory;
    type Table = Table;
    type Global = Global;

    fn store(&self, ctx: WasiP2Ctx) -> Self::Store {
        Store::new(self.0.engine(), ctx)
    }

    fn compile(&self, wasm: &[u8]) -> Result<Module, String> {
        Module::new(self.0.engine(), wasm).map_err(|e| format!("{e:#}"))
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
        let ordered: Vec<wasmtime::Extern> = in_order(imports, wanted)?
            .into_iter()
            .map(|item| match item {
                Extern::Func(f) => wasmtime::Extern::Func(f),
                Extern::Memory(m) => wasmtime::Extern::Memory(m),
                Extern::Table(t) => wasmtime::Extern::Table(t),
                Extern::Global(g) => wasmtime::Extern::Global(g),
            })
            .collect();
        Instance::new(store, module, &ordered).map_err(|e| match termination(&e) {
            Some(end) => EngineError::Ended(end),
            None => EngineError::Load(format!("{e:#}")),
        })
    }

    fn export(
        &self,
        store: &mut Self::Store,
        instance: &Instance,
        name: &str,
    ) -> Option<Extern<Self>> {
        Some(match instance.get_export(&mut *store, name)? {
            wasmtime::Extern::Func(f) => Extern::Func(f),
            wasmtime::Extern::Memory(m) => Extern::Memory(m),
            wasmtime::Extern::Table(t) => Extern::Table(t),
            wasmtime::Extern::Global(g) => Extern::Global(g),
            _ => return None,
        })
    }

    fn host_func(
        &self,
        store: &mut Self::Store,
        params: &[FlatType],
        results: &[FlatType],
        handler: HostHandler<Self>,
    ) -> Func {
        let ty = FuncType::new(
            self.0.engine(),
            params.iter().map(val_type),
            results.iter().map(val_type),
        );
        Func::new(store, ty, move |mut caller, args, out| {
            // On the stack: a call passes at most 16 values and a return
            // pointer, and returns at most one.
            let args: SmallVec<[Val; 17]> = args.iter().map(from_wasmtime).collect();
            let mut results: SmallVec<[Val; 1]> = out.iter().map(from_wasmtime).collect();
            match handler(&mut caller, &args, &mut results) {
                Ok(()) => {
                    for (slot, value) in out.iter_mut().zip(&results) {
                        *slot = to_wasmtime(value);
                    }
                    Ok(())
                }
                Err(Termination::Exit(code)) => Err(wasmtime::Error::new(Exit(code))),
                Err(Termination::Trap(message)) => Err(wasmtime::Error::msg(message)),
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
        call_with(store, func, args, results).map_err(|e| EngineError::Ended(ended(e)))
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
        call_with(caller, func, args, results).map_err(ended)
    }
}
