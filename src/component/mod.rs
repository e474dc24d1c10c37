//! Running wasi 0.2 components on engines that only know core wasm.
//!
//! A component built by `wit-component` is a recipe: a few core modules, and
//! the order in which to instantiate them, with each import satisfied by
//! another instance's export or by a host function lowered from a wasi 0.2
//! import. An engine without the component model can run it if someone
//! follows that recipe for it. Doing so here, in the core, keeps every
//! engine adapter thin: the adapter compiles and instantiates core modules
//! and looks up their exports, and the core decides what goes where.
//!
//! The pieces, in the order a component meets them:
//!
//! - [`plan`] reads a component binary into an ordered, engine-neutral
//!   [`Plan`] of core definitions, and refuses in one line what such an
//!   instantiator cannot honour (other string encodings, async, nested
//!   components other than the `run` shim, imports that are not wasi 0.2).
//! - [`instance`] executes a plan on an [`engine::CoreEngine`]: compiles the
//!   core modules once ([`instance::Compiled`]), then per run instantiates
//!   them in order, binds each `canon lower` and `resource.drop` to its host
//!   function, and calls the lifted `wasi:cli/run`.
//! - [`host`] is every wasi 0.2 function in its flat form over
//!   [`crate::p2`], one file per WIT package; [`abi`] is how each WIT type
//!   crosses: lifted from flat values and guest memory, lowered into them
//!   through the guest's `cabi_realloc`, every pointer, length, alignment,
//!   string, discriminant and handle checked, a violation a trap.
//! - [`signatures`] is the flat core signature of every function,
//!   generated from `wit/`; `tests/component_abi.rs` holds each [`host`]
//!   entry to it.
//!
//! Guest handles are the p2 resource table's indices plus one, so own and
//! borrow need no second table: a handle that was never given, was dropped
//! or names another type is refused by the table and traps.

pub mod abi;
pub mod engine;
pub mod host;
pub mod instance;
pub mod plan;
pub mod signatures;

pub use plan::{
    CanonOptions, CoreExport, CoreFunc, CoreInstance, CoreItem, Definition, Import, Plan,
    PlanError, Run,
};
pub use signatures::{FlatSignature, FlatType};
