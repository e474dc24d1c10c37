//! capwasi: WASI for WebAssembly guests that get exactly the capabilities
//! they are handed.
//!
//! A guest reaches a file only through a directory it was given
//! ([`WasiCtxBuilder::preopened_dir`]); every path it names is resolved by
//! cap-std beneath that directory, and every pointer it passes is checked
//! against its memory. Nothing here names an engine: engines plug in
//! through the contract in [`engine`], and `capwasi-wasmtime` is one such
//! adapter.
//!
//! # Layers
//!
//! - **Grants** ([`WasiCtx`]): arguments, environment, stdio, preopened
//!   directories and sockets as shared handles, the network addresses a
//!   guest may use ([`net::AddressPolicy`], nothing by default), clocks,
//!   randomness and limits. Nothing in it belongs to an ABI.
//! - **ABI state**, built by each ABI from the grants: preview1's
//!   descriptor table with rights and listing cursors
//!   ([`p1::WasiP1Ctx`]), and preview2's resource table of descriptors,
//!   streams and pollables ([`p2::WasiP2Ctx`]).
//! - **ABI layers** ([`p1`], [`p2`]) decode guest arguments, check the
//!   ABI's own permissions, call the capability layer and encode results.
//!   Each maps host errors to its guest codes in one place (`p1/errno.rs`,
//!   `p2/error.rs`).
//! - **The capability layer** ([`fs`], [`net`], [`clock`], [`random`]) is
//!   the only code that touches host files and sockets. It speaks
//!   `io::Result`, with [`CapabilityDenied`] for its own refusals, and
//!   checks a grant's permissions again, so that no ABI layer can forget.
//!   Both ABIs reach a file through the same [`fs::Dir`] of a grant, so a
//!   read-only grant or a path escape is refused by the same code whichever
//!   ABI the guest speaks.
//! - **Readiness and execution**, shared by both ABIs: one wait over
//!   deadlines and host descriptors ([`poll`]), and how calls that wait or
//!   do filesystem work run ([`execution`]): on the calling thread for the
//!   synchronous linkers, or yielding to tokio for the async ones.
//!
//! ```no_run
//! use capwasi::{DirPerms, WasiCtxBuilder};
//! let mut builder = WasiCtxBuilder::new();
//! builder
//!     .args(["prog", "input.txt"])
//!     .inherit_stdio()
//!     .preopened_dir("/srv/data", "/data", DirPerms::ReadOnly)?;
//! let ctx = builder.build()?;
//! # Ok::<(), capwasi::Error>(())
//! ```

#![deny(missing_docs)]

pub mod clock;
pub mod component;
mod ctx;
pub mod engine;
mod error;
pub mod execution;
pub mod fs;
pub mod net;
pub mod p1;
pub mod p2;
pub mod poll;
pub mod random;
mod stdio;
mod table;

pub use ctx::{inheritable_env, WasiCtx, WasiCtxBuilder, DEFAULT_MAX_OPEN_FDS};
pub use engine::{Engine, RunError, Termination};
pub use error::{CapabilityDenied, Error};
pub use fs::DirPerms;
pub use stdio::{OutputPipe, Stdio};
