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
//! In scope so far: [`plan`], which reads a component binary into an
//! ordered, engine-neutral [`Plan`] of core definitions and checks that the
//! component stays within what such an instantiator can honour (imported
//! wasi 0.2 instances, UTF-8 strings, imported resources, synchronous
//! lowering, and a lifted `wasi:cli/run` export), and [`signatures`], the
//! flat core signature of every wasi 0.2 function a guest may import,
//! generated from `wit/`. Executing a plan and calling the host functions
//! through the canonical ABI come later.

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
