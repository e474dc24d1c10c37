//! The contract between capwasi and a WebAssembly engine.
//!
//! # Adding an engine
//!
//! The core never names an engine. An engine adapter is a small crate that
//! does two things, and holds no WASI logic of its own.
//!
//! **1. Register every preview1 function.** [`crate::for_each_function!`]
//! expands a macro of the adapter's with the signature of every function
//! (its import name and its arguments' core wasm types); the adapter turns
//! each into a typed host function named [`crate::p1::MODULE`]`.name` that
//! calls the matching [`crate::p1::typed`] function. Typed registration
//! matters: an engine calls a typed host function with its arguments in
//! registers, while a dynamically typed one boxes them into values first,
//! which costs more than a cheap call itself. On every call the adapter:
//!
//! - finds the calling instance's `memory` and borrows its bytes together
//!   with the store's data (a guest without a memory gets an empty slice,
//!   so every pointer it passes is `EFAULT`). Looking the export up by name
//!   on every call is slow; where the adapter knows which instance can be
//!   calling (a store holding a single instance), it looks it up once;
//! - passes the [`crate::p1::WasiP1Ctx`], the memory bytes and the arguments to the
//!   [`crate::p1::typed`] function;
//! - turns the [`HostResult`] into the engine's terms: `Ok(errno)` is the
//!   function's `i32` result (none for `proc_exit`), [`Termination::Exit`]
//!   ends the guest with that status, and [`Termination::Trap`] is a trap.
//!
//! An engine that can only register host functions dynamically uses
//! [`crate::p1::FUNCTIONS`] instead: the same functions as values, with
//! their signatures as [`crate::p1::ValType`]s and a handler taking raw
//! arguments ([`crate::p1::HostFunc::invoke`]).
//!
//! **2. Implement [`Engine`]** so that the CLI and the test suite can run a
//! command module on it: compile, link, instantiate (a start function may
//! exit or trap too), call `_start`, and report an exit status or a
//! [`RunError`].
//!
//! The `capwasi-wasmi` crate (`adapters/wasmi`) is the worked example, in
//! under 200 lines. Its registration, in outline:
//!
//! ```text
//! macro_rules! register {
//!     ($($family:ident :: $name:ident ( $($arg:ident : $ty:ident),* ) $(-> $never:tt)? ;)*) => {
//!         fn register<T>(linker: &mut Linker<T>, ctx: fn(&mut T) -> &mut WasiP1Ctx) -> Result<()> {
//!             $(linker.func_wrap(MODULE, stringify!($name), move |mut caller, $($arg: $ty),*| {
//!                 let (bytes, data) = find_memory(&mut caller).data_and_store_mut(&mut caller);
//!                 match typed::$name(ctx(data), bytes, $($arg),*) {
//!                     Ok(errno) => Ok(errno),
//!                     Err(Termination::Exit(code)) => Err(the engine's exit error),
//!                     Err(Termination::Trap(msg)) => Err(the engine's trap),
//!                 }
//!             })?;)*
//!             Ok(())
//!         }
//!     };
//! }
//! capwasi::for_each_function!(register);
//! ```
//!
//! **3. For wasi 0.2 components**, an engine with the component model
//! links [`crate::p2`] through its own bindings (as `capwasi-wasmtime`
//! does with `bindgen!`). An engine without it implements
//! [`crate::component::engine::CoreEngine`] instead: compile and
//! instantiate core modules, look up exports, make host functions of a
//! given core type, and call functions. The core's instantiator
//! ([`crate::component::instance`]) then runs the component, and its
//! canonical-ABI table ([`crate::component::host`]) serves every wasi 0.2
//! call; `Engine::run_component` is one line calling
//! [`crate::component::instance::run_command`]. `capwasi-wasmi`'s
//! `component.rs` is the worked example.
//!
//! Where engines differ in how they report an exit or a trap, the adapter
//! hides the difference: `Engine::run` returns the same exit status and the
//! same kind of [`RunError`] on every engine, and the guest suite
//! (`tests/p1`) runs every test on every engine to hold them to it.

use std::fmt;

use crate::WasiCtx;

/// Why a host call ends the guest instead of returning to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Termination {
    /// The guest asked to exit with this status.
    Exit(i32),
    /// The guest did something that cannot continue.
    Trap(String),
}

/// What a host function returns to its adapter: an errno for the guest, or
/// the end of the guest.
pub type HostResult = Result<i32, Termination>;

/// Why a command module did not run to an exit status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The module could not be compiled, linked or started: invalid wasm,
    /// an unknown import, no `_start`.
    Load(String),
    /// The guest trapped.
    Trap(String),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Load(msg) => write!(f, "cannot load module: {msg}"),
            RunError::Trap(msg) => write!(f, "guest trapped: {msg}"),
        }
    }
}

impl std::error::Error for RunError {}

/// A WebAssembly engine that can run a WASI command module.
pub trait Engine: Send + Sync {
    /// The engine's name, as the CLI's `--engine` flag spells it.
    fn name(&self) -> &'static str;

    /// Compiles `wasm` (binary, or text where the engine accepts it),
    /// links it against the preview1 functions over preview1's state built
    /// from `ctx` ([`crate::p1::WasiP1Ctx::new`]), and runs its
    /// `_start`. Returns the exit status: the `proc_exit` code, or 0 when
    /// `_start` returns.
    fn run(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError>;

    /// Compiles the `wasi:cli/command` component `wasm`, links it against
    /// preview2 over preview2's state built from `ctx`
    /// ([`crate::p2::WasiP2Ctx::new`]), and calls its `wasi:cli/run`
    /// export. Returns the exit status: the `wasi:cli/exit` code, 0 when
    /// `run` returns `ok` and 1 when it returns `err`.
    ///
    /// An engine without the component model implements
    /// [`crate::component::engine::CoreEngine`] and answers with
    /// [`crate::component::instance::run_command`]; one that does neither
    /// says so with a [`RunError::Load`] that names it.
    fn run_component(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
        let _ = (wasm, ctx);
        Err(RunError::Load(format!(
            "the {} engine cannot run wasi 0.2 components: it implements neither the \
             component model nor capwasi's CoreEngine",
            self.name()
        )))
    }
}

/// Whether `wasm` is a component rather than a core module: the binary
/// preamble's layer field says which (text is left to the engine).
pub fn is_component(wasm: &[u8]) -> bool {
    wasm.len() >= 8 && wasm[..4] == *b"\0asm" && wasm[6..8] == [1, 0]
}
