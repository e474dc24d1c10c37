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
mod ctx;
pub mod engine;
mod error;
pub mod fs;
pub mod net;
pub mod p1;
pub mod random;
mod stdio;
mod table;

pub use ctx::{inheritable_env, WasiCtx, WasiCtxBuilder, DEFAULT_MAX_OPEN_FDS};
pub use engine::{Engine, RunError, Termination};
pub use error::{CapabilityDenied, Error};
pub use fs::DirPerms;
pub use stdio::{OutputPipe, Stdio};
