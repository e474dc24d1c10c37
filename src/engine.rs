//! The contract between capwasi and a WebAssembly engine.
//!
//! # Adding an engine
//!
//! The core never names an engine. An engine adapter is a small crate that
//! does two things, and holds no WASI logic of its own.
//!
//! **1. Register the function table.** [`crate::p1::FUNCTIONS`] lists every
//! preview1 function with its import name, its core wasm signature
//! ([`crate::p1::HostFunc::params`] and [`crate::p1::HostFunc::results`],
//! in [`crate::p1::ValType`]s) and its handler. For each entry the adapter
//! defines a host function named [`crate::p1::MODULE`]`.name` with that
//! signature, and on every call:
//!
//! - finds the calling instance's exported `memory` and borrows its bytes
//!   together with the store's data (a guest without a memory gets an
//!   empty slice, so every pointer it passes is `EFAULT`);
//! - passes the [`WasiCtx`], the memory bytes and the raw arguments (each
//!   `i32` zero-extended into a `u64`) to [`crate::p1::HostFunc::invoke`];
//! - turns the [`HostResult`] into the engine's terms: `Ok(errno)` is the
//!   function's `i32` result (none for `proc_exit`, whose `results` is
//!   empty), [`Termination::Exit`] ends the guest with that status, and
//!   [`Termination::Trap`] is a trap.
//!
//! **2. Implement [`Engine`]** so that the CLI and the test suite can run a
//! command module on it: compile, link, instantiate (a start function may
//! exit or trap too), call `_start`, and report an exit status or a
//! [`RunError`].
//!
//! The `capwasi-wasmi` crate (`adapters/wasmi`) is the worked example, in
//! about 120 lines. Its registration loop, in outline:
//!
//! ```text
//! for func in FUNCTIONS {
//!     let ty = FuncType::new(func.params.map(val_type), func.results.map(val_type));
//!     linker.func_new(MODULE, func.name, ty, move |mut caller, params, results| {
//!         let args = params.iter().map(raw_u64);
//!         let outcome = match caller.get_export("memory") {
//!             Some(memory) => { let (bytes, data) = memory.data_and_store_mut(&mut caller);
//!                               func.invoke(ctx(data), bytes, args) }
//!             None => func.invoke(ctx(caller.data_mut()), &mut [], args),
//!         };
//!         match outcome {
//!             Ok(errno) => results[0] = errno,
//!             Err(Termination::Exit(code)) => return the engine's exit error,
//!             Err(Termination::Trap(msg)) => return the engine's trap,
//!         }
//!     })
//! }
//! ```
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
    /// links it against the preview1 functions over `ctx`, and runs its
    /// `_start`. Returns the exit status: the `proc_exit` code, or 0 when
    /// `_start` returns.
    fn run(&self, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError>;
}
