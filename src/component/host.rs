//! Every wasi 0.2 function in its canonical-ABI flat form, over
//! [`crate::p2`]: the table an engine without the component model links a
//! component's lowered imports to, the same shape as preview1's.
//!
//! Each entry lifts its parameters from flat core values and guest memory
//! ([`super::abi`]), calls the function of the same name in `crate::p2`,
//! and lowers its result: returned directly when it is one core value,
//! stored through the guest's return pointer otherwise. The Rust types in
//! each entry decide the flattening; `tests/component_abi.rs` checks every
//! entry's against the signature generated from `wit/`
//! ([`super::signatures`]), so an entry cannot drift from the WIT.
//!
//! There is one file per WIT package, and in it a section per interface.

use super::abi::{Abi, Flat, Guest, Outcome, Val};
use super::signatures::FlatType;
use crate::engine::Termination;
use crate::execution::Execution;
use crate::p2::{Failure, Trap, WasiP2Ctx};

/// One wasi 0.2 function, or the drop of one resource type, as a guest
/// imports it.
#[derive(Clone, Copy)]
pub struct HostFunc {
    /// The interface, without its version, e.g. `wasi:io/streams`.
    pub interface: &'static str,
    /// The function as the interface names it, e.g.
    /// `[method]output-stream.write`, or `[resource-drop]output-stream`.
    pub function: &'static str,
    /// Runs the call: lifts `args` (which match the signature), calls the
    /// host, lowers the result into `results` or the guest's memory.
    pub call: fn(&mut dyn Guest, &[Val], &mut [Val]) -> Outcome<()>,
    /// The flat parameter and result types this entry's Rust types give.
    pub flat: fn() -> (Vec<FlatType>, Vec<FlatType>),
}

impl std::fmt::Debug for HostFunc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}#{}", self.interface, self.function)
    }
}

/// Every entry, package by package.
pub fn functions() -> impl Iterator<Item = &'static HostFunc> {
    [
        io::FUNCTIONS,
        clocks::FUNCTIONS,
        random::FUNCTIONS,
        cli::FUNCTIONS,
        filesystem::FUNCTIONS,
        sockets::FUNCTIONS,
    ]
    .into_iter()
    .flatten()
}

/// The entry for `function` of `interface`, which may name any wasi 0.2
/// patch release (`wasi:io/streams@0.2.0`). `function` may be
/// `[resource-drop]NAME` for a resource the interface defines.
pub fn lookup(interface: &str, function: &str) -> Option<&'static HostFunc> {
    let (name, version) = interface.split_once('@')?;
    let patch = version.strip_prefix("0.2.")?;
    if patch.is_empty() || !patch.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    functions().find(|f| f.interface == name && f.function == function)
}

/// The parameters' flat types, the return pointer included, and the
/// results', for parameters `P` and result `R`.
pub fn flatten<R: Abi>(params: &[fn(&mut Vec<FlatType>)]) -> (Vec<FlatType>, Vec<FlatType>) {
    let mut flat = Vec::new();
    for param in params {
        param(&mut flat);
    }
    let mut results = Vec::new();
    R::flat_types(&mut results);
    if results.len() > 1 {
        flat.push(FlatType::I32);
        results.clear();
    }
    (flat, results)
}

/// Where a result of `R` goes: the return pointer, read after the
/// parameters, when it is several core values.
pub fn return_pointer<R: Abi>(flat: &mut Flat<'_>) -> Outcome<Option<u32>> {
    if R::FLAT > 1 {
        Ok(Some(flat.i32()? as u32))
    } else {
        Ok(None)
    }
}

/// Hands `value` back: returned directly, or stored at `retptr`, which
/// must be aligned for it and inside memory.
pub fn lower<R: Abi>(
    guest: &mut dyn Guest,
    value: R,
    retptr: Option<u32>,
    results: &mut [Val],
) -> Outcome<()> {
    match retptr {
        Some(at) => {
            if !at.is_multiple_of(R::ALIGN) {
                return super::abi::trap(format!(
                    "return pointer {at:#x} is not {}-byte aligned",
                    R::ALIGN
                ));
            }
            let memory = guest.memory_and_ctx().0;
            if (at as usize).saturating_add(R::SIZE as usize) > memory.len() {
                return super::abi::trap(format!(
                    "return pointer {at:#x} + {} bytes is out of bounds of memory",
                    R::SIZE
                ));
            }
            value.store(guest, at)
        }
        None if R::FLAT == 1 => {
            if let Some(slot) = results.first_mut() {
                *slot = value.lower()?;
            }
            Ok(())
        }
        None => Ok(()),
    }
}

/// A call with a WIT error type: the error goes to the guest, a trap ends
/// it.
pub fn fallible<T, E>(result: Result<T, Failure<E>>) -> Outcome<Result<T, E>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(Failure::Error(error)) => Ok(Err(error)),
        Err(Failure::Trap(trap)) => Err(Termination::Trap(trap.0)),
    }
}

/// A call without one: a trap ends the guest.
pub fn trapping<T>(result: Result<T, Trap>) -> Outcome<T> {
    result.map_err(|trap| Termination::Trap(trap.0))
}

/// Refuses a context set up for tokio: a core-only engine calls its host
/// functions synchronously, so a wait blocks the calling thread.
pub fn blocking(ctx: &WasiP2Ctx) -> Outcome<()> {
    match ctx.execution() {
        Execution::Blocking => Ok(()),
        _ => super::abi::trap(
            "a preview2 context set up for tokio runs only on wasmtime's async linker",
        ),
    }
}

/// Runs a core call that may wait to its end on this thread.
pub fn finished<T>(future: impl std::future::Future<Output = T>) -> Outcome<T> {
    match crate::execution::finish(future) {
        Some(value) => Ok(value),
        None => super::abi::trap("a blocking call was left unfinished"),
    }
}

/// Declares a package's entries. Each reads
///
/// ```text
/// "wasi:io/streams" "[method]output-stream.flush"
///     |ctx, this: Resource<OutputStream>| -> Result<(), StreamError> { ... }
/// ```
///
/// where the body evaluates to an [`Outcome`] of the result type, with
/// `ctx` the guest's [`WasiP2Ctx`]. `wait!(ctx, call)` inside a body runs a
/// core call that may wait.
macro_rules! host_functions {
    ($(
        $interface:literal $function:literal
        |$ctx:ident $(, $arg:ident : $ty:ty)* $(,)?| -> $ret:ty $body:block
    )*) => {
        /// This package's entries.
        pub(super) const FUNCTIONS: &[$crate::component::host::HostFunc] = &[$(
            $crate::component::host::HostFunc {
                interface: $interface,
                function: $function,
                call: {
                    #[allow(unused_variables, unused_mut)]
                    fn call(
                        guest: &mut dyn $crate::component::abi::Guest,
                        args: &[$crate::component::abi::Val],
                        results: &mut [$crate::component::abi::Val],
                    ) -> $crate::component::abi::Outcome<()> {
                        let mut flat = $crate::component::abi::Flat::new(args);
                        let memory = &*guest.memory_and_ctx().0;
                        $(let $arg = <$ty as $crate::component::abi::Abi>::lift(&mut flat, memory)?;)*
                        let retptr = $crate::component::host::return_pointer::<$ret>(&mut flat)?;
                        let $ctx = guest.memory_and_ctx().1;
                        let value: $ret = $body?;
                        $crate::component::host::lower(guest, value, retptr, results)
                    }
                    call
                },
                flat: {
                    fn flat() -> (
                        Vec<$crate::component::signatures::FlatType>,
                        Vec<$crate::component::signatures::FlatType>,
                    ) {
                        $crate::component::host::flatten::<$ret>(&[
                            $(<$ty as $crate::component::abi::Abi>::flat_types,)*
                        ])
                    }
                    flat
                },
            },
        )*];
    };
}

/// Runs a core call that may wait, on this thread.
macro_rules! wait {
    ($ctx:ident, $call:expr) => {{
        $crate::component::host::blocking($ctx)?;
        $crate::component::host::finished($call)?
    }};
}

// The packages' entries, declared after the macros they use.
mod cli;
mod clocks;
mod filesystem;
mod io;
mod random;
mod sockets;

#[cfg(test)]
mod tests;
