//! preview2 (wasi 0.2): one module per WIT package and one file per WIT
//! interface, as plain Rust over Rust types. Nothing here names an engine;
//! an engine adapter turns each call of its generated bindings into a call
//! here.
//!
//! preview2 shares everything below the ABI with preview1: the same grants
//! ([`WasiCtx`]), the same capability layer ([`crate::fs`],
//! [`crate::net`], [`crate::clock`], [`crate::random`]) and the same
//! readiness ([`crate::poll`]). What is preview2's own is its state: a
//! [`ResourceTable`] of handles in place of preview1's descriptor table,
//! and its error codes, mapped from host errors in one place
//! ([`ErrorCode`]).

pub mod cli;
pub mod clocks;
mod error;
pub mod filesystem;
pub mod io;
pub mod random;
pub mod sockets;
pub mod table;

pub use error::ErrorCode;
pub use table::{Resource, ResourceError, ResourceTable};

use std::fmt;

/// A call that cannot go on: the guest broke a rule the WIT says traps
/// (writing past `check-write`, polling nothing), or handed over a handle
/// that is not live. The engine adapter turns it into the engine's trap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trap(pub String);

impl fmt::Display for Trap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Trap {}

impl From<ResourceError> for Trap {
    fn from(err: ResourceError) -> Trap {
        Trap(format!("bad resource handle: {err}"))
    }
}

/// What a preview2 call with a WIT error type returns when it fails: the
/// WIT's error value, for the guest, or a [`Trap`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure<E> {
    /// The WIT's error value.
    Error(E),
    /// The call traps.
    Trap(Trap),
}

impl<E> From<Trap> for Failure<E> {
    fn from(trap: Trap) -> Self {
        Failure::Trap(trap)
    }
}

impl<E> From<ResourceError> for Failure<E> {
    fn from(err: ResourceError) -> Self {
        Failure::Trap(err.into())
    }
}

impl From<ErrorCode> for Failure<ErrorCode> {
    fn from(code: ErrorCode) -> Self {
        Failure::Error(code)
    }
}

impl From<std::io::Error> for Failure<ErrorCode> {
    fn from(err: std::io::Error) -> Self {
        Failure::Error(err.into())
    }
}

use crate::execution::Execution;
use crate::WasiCtx;

/// A guest's grants and what preview2 keeps on top of them.
pub struct WasiP2Ctx {
    pub(crate) grants: WasiCtx,
    pub(crate) table: ResourceTable,
    /// `wasi:random/insecure-seed`'s answer, the same for the whole run.
    pub(crate) insecure_seed: Option<(u64, u64)>,
    /// The secret behind `wasi:filesystem`'s metadata hashes.
    pub(crate) metadata_key: filesystem::types::MetadataKey,
    /// How calls wait and do filesystem work.
    pub(crate) execution: Execution,
    /// Whether the host is inside a call to the guest's `cabi_realloc`, in
    /// which the guest may not call the host back (the canonical ABI's
    /// rule; only the core's own canonical ABI sets it).
    pub(crate) in_realloc: bool,
}

impl WasiP2Ctx {
    /// preview2's view of `grants`, with an empty resource table bounded
    /// by the grants' descriptor limit.
    pub fn new(grants: WasiCtx) -> Self {
        let table = ResourceTable::new(grants.max_open_fds);
        WasiP2Ctx {
            grants,
            table,
            insecure_seed: None,
            metadata_key: filesystem::types::MetadataKey::new(),
            execution: Execution::Blocking,
            in_realloc: false,
        }
    }

    /// How this context's calls wait and do filesystem work:
    /// [`Execution::Blocking`] (the default) for the synchronous linker,
    /// one of the tokio executions for the async one.
    pub fn set_execution(&mut self, execution: Execution) {
        self.execution = execution;
    }

    /// How this context's calls wait and do filesystem work.
    pub fn execution(&self) -> Execution {
        self.execution
    }

    /// The grants this state was built from.
    pub fn grants(&self) -> &WasiCtx {
        &self.grants
    }

    /// The live resources.
    pub fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
}

impl From<WasiCtx> for WasiP2Ctx {
    fn from(grants: WasiCtx) -> Self {
        WasiP2Ctx::new(grants)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::WasiP2Ctx;
    use crate::WasiCtxBuilder;

    /// A call's outcome under the default blocking execution, which never
    /// leaves a call unfinished.
    pub(crate) fn blocking<F: std::future::Future>(call: F) -> F::Output {
        match crate::execution::finish(call) {
            Some(outcome) => outcome,
            None => panic!("a blocking call finished at its first poll"),
        }
    }

    /// A context built from `configure`'s grants.
    pub(crate) fn ctx(configure: impl FnOnce(&mut WasiCtxBuilder)) -> WasiP2Ctx {
        let mut builder = WasiCtxBuilder::new();
        configure(&mut builder);
        match builder.build() {
            Ok(grants) => WasiP2Ctx::new(grants),
            Err(e) => panic!("the test's grants are valid: {e}"),
        }
    }
}

#[cfg(test)]
mod send_sync {
    fn shared<T: Send + Sync>() {}
    #[test]
    fn a_context_can_be_shared_across_an_await() {
        shared::<super::WasiP2Ctx>();
    }
}
