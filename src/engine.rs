//! The contract between capwasi and a WebAssembly engine.
//!
//! # Adding an engine
//!
//! An adapter registers every entry of [`crate::p1::FUNCTIONS`] under the
//! import module [`crate::p1::MODULE`]. For each call it:
//!
//! 1. finds the guest's exported `memory` (a guest without one gets an
//!    empty slice, so every pointer it passes is `EFAULT`);
//! 2. passes the context, the memory bytes and the raw arguments (each
//!    `i32` zero-extended into a `u64`) to [`crate::p1::HostFunc::call`];
//! 3. returns `Ok(errno)` to the guest as the function's `i32` result, or
//!    ends the guest on [`Termination`]: [`Termination::Exit`] is a normal
//!    exit with that status, [`Termination::Trap`] is a trap.
//!
//! It then implements [`Engine`] so that the CLI and the test suite can run
//! a command module on it. An adapter holds no WASI logic of its own.

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
