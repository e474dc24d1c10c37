//! wasi 0.2 guests that call preview2 directly (`tests/components`), run
//! on capwasi's preview2 through wasmtime's component model. Each guest
//! checks what it can see and prints a line per check; the tests here set
//! up stdio and preopens and compare what the guest printed and left.

use capwasi::execution::Execution;

mod bad;
mod cli;
mod echo;
mod fs;
#[path = "harness.rs"]
mod harness;
mod io;
mod lookup;
mod tcp;
mod udp;

pub use harness::*;

/// Every component here runs on the synchronous linker.
pub const EXECUTION: Option<Execution> = None;

/// Through wasmtime's component model.
pub const WAY: Way = Way::ComponentModel;
