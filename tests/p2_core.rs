//! The preview2 guest suite (`tests/p2`) run on wasmtime's core wasm through capwasi's own instantiator
//! and canonical ABI: the cross-check of that path against wasmtime's
//! component model on the same engine. Every test asserts
//! the same results as on wasmtime's component model.

use capwasi::execution::Execution;

#[path = "p2/bad.rs"]
mod bad;
#[path = "p2/cli.rs"]
mod cli;
#[path = "p2/echo.rs"]
mod echo;
#[path = "p2/fs.rs"]
mod fs;
#[path = "p2/harness.rs"]
mod harness;
#[path = "p2/io.rs"]
mod io;
#[path = "p2/lookup.rs"]
mod lookup;
#[path = "p2/tcp.rs"]
mod tcp;
#[path = "p2/udp.rs"]
mod udp;

pub use harness::*;

/// Calls run on the calling thread.
pub const EXECUTION: Option<Execution> = None;

/// On wasmtime's core wasm.
pub const WAY: Way = Way::WasmtimeCore;
