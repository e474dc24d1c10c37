//! What a core-only engine does for the component instantiator
//! ([`super::instance`]): compile and instantiate core modules, look up
//! their exports, make host functions, and call functions, from outside
//! and from inside a host call. That is the whole contract; everything
//! that makes a component run (which module gets which import, the
//! canonical ABI, the resource table) is the core's.
//!
//! `capwasi-wasmi` implements it in one short file; `capwasi-wasmtime`
//! implements it too, so that every preview2 test can compare wasmtime's
//! own component model with this path.

use super::abi::{Outcome, Val};
use super::signatures::FlatType;
use crate::engine::Termination;
use crate::p2::WasiP2Ctx;

/// A core item an instance exports, or a module imports.
pub enum Extern<E: CoreEngine + ?Sized> {
    /// A function.
    Func(E::Func),
    /// A memory.
    Memory(E::Memory),
    /// A table.
    Table(E::Table),
    /// A global.
    Global(E::Global),
}

impl<E: CoreEngine + ?Sized> Clone for Extern<E> {
    fn clone(&self) -> Self {
        match self {
            Extern::Func(f) => Extern::Func(f.clone()),
            Extern::Memory(m) => Extern::Memory(m.clone()),
            Extern::Table(t) => Extern::Table(t.clone()),
            Extern::Global(g) => Extern::Global(g.clone()),
        }
    }
}

/// What satisfies one import of a module: its module name, its name and
/// the item.
pub type Import<E> = (String, String, Extern<E>);

/// `imports` in the order `wanted` names them, `(module, name)` by
/// `(module, name)`: the order an engine takes a module's imports in,
/// which need not be the order of the binary.
pub fn in_order<'a, E: CoreEngine + ?Sized>(
    imports: &[Import<E>],
    wanted: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<Extern<E>>, EngineError> {
    wanted
        .map(|(module, name)| {
            imports
                .iter()
                .find(|(m, n, _)| m == module && n == name)
                .map(|(_, _, item)| item.clone())
                .ok_or_else(|| {
                    EngineError::Load(format!("nothing satisfies the import `{module}` `{name}`"))
                })
        })
        .collect()
}

/// Why an engine operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    /// The module cannot be compiled or instantiated with these imports.
    Load(String),
    /// Running code ended the guest: an exit or a trap.
    Ended(Termination),
}

/// A host function's body: given the engine's view of the store during the
/// call, the arguments and room for the results.
pub type HostHandler<E> = Box<
    dyn for<'a, 'b> Fn(&'a mut <E as CoreEngine>::Caller<'b>, &[Val], &mut [Val]) -> Outcome<()>
        + Send
        + Sync,
>;

/// A WebAssembly engine with core wasm only, as the component instantiator
/// drives it. Every store it makes holds a [`WasiP2Ctx`].
pub trait CoreEngine {
    /// A store whose data is a [`WasiP2Ctx`].
    type Store;
    /// The store as a host function sees it during a call.
    type Caller<'a>;
    /// A compiled module.
    type Module;
    /// An instance.
    type Instance;
    /// A function reference.
    type Func: Clone + Send + Sync + 'static;
    /// A memory reference.
    type Memory: Clone + Send + Sync + 'static;
    /// A table reference.
    type Table: Clone;
    /// A global reference.
    type Global: Clone;

    /// A new store holding `ctx`.
    fn store(&self, ctx: WasiP2Ctx) -> Self::Store;

    /// Compiles a core module.
    fn compile(&self, wasm: &[u8]) -> Result<Self::Module, String>;

    /// Instantiates `module`, running its start function. `imports` holds
    /// one `(module, name, item)` for each import the module declares.
    fn instantiate(
        &self,
        store: &mut Self::Store,
        module: &Self::Module,
        imports: &[Import<Self>],
    ) -> Result<Self::Instance, EngineError>;

    /// The export `name` of `instance`.
    fn export(
        &self,
        store: &mut Self::Store,
        instance: &Self::Instance,
        name: &str,
    ) -> Option<Extern<Self>>;

    /// A host function of core type `params -> results` that runs
    /// `handler`. An `Err` from the handler is the guest's exit or trap.
    fn host_func(
        &self,
        store: &mut Self::Store,
        params: &[FlatType],
        results: &[FlatType],
        handler: HostHandler<Self>,
    ) -> Self::Func;

    /// Calls `func` from outside any host call.
    fn call(
        &self,
        store: &mut Self::Store,
        func: &Self::Func,
        args: &[Val],
        results: &mut [Val],
    ) -> Result<(), EngineError>;

    /// Inside a host call: the bytes of `memory` (empty for `None`) and
    /// the store's context, borrowed together.
    fn caller_memory<'c>(
        caller: &'c mut Self::Caller<'_>,
        memory: Option<&Self::Memory>,
    ) -> (&'c mut [u8], &'c mut WasiP2Ctx);

    /// Inside a host call: calls back into the guest (its `cabi_realloc`).
    fn caller_call(
        caller: &mut Self::Caller<'_>,
        func: &Self::Func,
        args: &[Val],
        results: &mut [Val],
    ) -> Outcome<()>;
}
