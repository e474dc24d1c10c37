//! `wasi_snapshot_preview1`: the witx ABI over guest memory.
//!
//! [`FUNCTIONS`] is the table every engine adapter registers: one entry per
//! witx function, with its import name, its core wasm signature, and a
//! handler. The handlers live in one file per family of calls (`fd.rs`
//! holds `fd_read` and its siblings, `path.rs` holds `path_open` and its
//! siblings, and so on); they decode arguments through [`memory`] and reach
//! host objects only through [`crate::fs`], [`crate::net`] and the context.
//!
//! The calls that can wait for a descriptor or a deadline (`poll_oneoff`,
//! `fd_read`, `fd_write`, `sock_accept`, `sock_recv`, `sock_send`) are each
//! written once, as an `async fn` that waits through an [`Execution`]. The
//! synchronous table drives them under [`Execution::Blocking`]; [`waiting`]
//! hands them to async linkers, which run many guests on one executor (see
//! [`for_each_waiting_function!`](crate::for_each_waiting_function)).

// Each handler takes exactly the arguments of its witx function, so the
// count is the ABI's, not a design choice.
#![allow(clippy::too_many_arguments)]

mod args;
mod clock;
mod ctx;
mod descriptor;
mod errno;
mod fd;
pub mod memory;
mod path;
mod poll;
mod proc;
mod random;
mod sock;
pub mod types;

pub use ctx::WasiP1Ctx;
pub use descriptor::Descriptor;
pub use errno::Errno;

use crate::engine::{HostResult, Termination};
use crate::execution::{finish, Execution};
use memory::GuestMemory;

/// The import module name of every preview1 function.
pub const MODULE: &str = "wasi_snapshot_preview1";

/// A core wasm value type, as it appears in a host function's signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValType {
    /// `i32`: pointers, lengths, descriptors, flags and errnos.
    I32,
    /// `i64`: offsets, sizes, timestamps and rights.
    I64,
}

/// The handler behind one host function. `memory` is the guest's whole
/// linear memory; `args` holds the raw arguments, each `i32` zero-extended.
pub type Handler = fn(ctx: &mut WasiP1Ctx, memory: &mut [u8], args: &[u64]) -> HostResult;

/// One preview1 function as an engine adapter registers it.
pub struct HostFunc {
    /// The import field name, such as `"fd_write"`.
    pub name: &'static str,
    /// Parameter types, in order.
    pub params: &'static [ValType],
    /// Result types: `[I32]` (the errno) for every function but
    /// `proc_exit`, which never returns.
    pub results: &'static [ValType],
    /// Runs the call.
    pub call: Handler,
}

/// The most parameters any preview1 function takes (`path_open`'s nine).
pub const MAX_PARAMS: usize = 9;

impl HostFunc {
    /// Runs the call with arguments straight from an engine's own value
    /// type, each `i32` zero-extended. Gathering them on the stack here
    /// spares every adapter the same buffer and keeps the call free of heap
    /// allocation; arguments beyond [`MAX_PARAMS`] are ignored.
    pub fn invoke(
        &self,
        ctx: &mut WasiP1Ctx,
        memory: &mut [u8],
        args: impl IntoIterator<Item = u64>,
    ) -> HostResult {
        let mut raw = [0u64; MAX_PARAMS];
        let mut len = 0;
        for (slot, arg) in raw.iter_mut().zip(args) {
            *slot = arg;
            len += 1;
        }
        (self.call)(ctx, memory, &raw[..len])
    }
}

/// Turns what a family handler returns into what the adapter expects.
trait IntoHostResult {
    fn into_host_result(self) -> HostResult;
}

impl IntoHostResult for Result<(), Errno> {
    fn into_host_result(self) -> HostResult {
        match self {
            Ok(()) => Ok(0),
            Err(errno) => Ok(errno as i32),
        }
    }
}

impl IntoHostResult for Termination {
    fn into_host_result(self) -> HostResult {
        Err(self)
    }
}

impl IntoHostResult for HostResult {
    fn into_host_result(self) -> HostResult {
        self
    }
}

/// Notes a call that failed, for whoever is tracing the guest.
#[inline]
fn traced(call: &'static str, result: HostResult) -> HostResult {
    if let Ok(errno @ 1..) = result {
        tracing::trace!(call, errno, "preview1 call failed");
    }
    result
}

macro_rules! p1_functions {
    ($($family:ident :: $name:ident ( $($arg:ident : $ty:tt),* ) $(-> $never:tt)? ;)*) => {
        /// Every preview1 function with its arguments in their core wasm
        /// types, for adapters that register typed host functions (see
        /// [`for_each_function!`](crate::for_each_function)). Each returns
        /// what [`HostFunc::call`] would.
        #[allow(non_snake_case)]
        pub mod typed {
            use super::*;
            $(
                #[doc = concat!("`", stringify!($name), "`, typed.")]
                #[inline]
                pub fn $name(ctx: &mut WasiP1Ctx, memory: &mut [u8], $($arg: p1_functions!(@wasm $ty)),*) -> HostResult {
                    let mut memory = GuestMemory::new(memory);
                    let result = $family::$name(ctx, &mut memory, $(p1_functions!(@host $ty, $arg)),*).into_host_result();
                    traced(stringify!($name), result)
                }
            )*
        }

        /// Every preview1 function, in witx order.
        pub static FUNCTIONS: &[HostFunc] = &[$(
            HostFunc {
                name: stringify!($name),
                params: &[$(p1_functions!(@ty $ty)),*],
                results: p1_functions!(@results $($never)?),
                call: |ctx, memory, args| {
                    #[allow(unused_mut, unused_variables)]
                    let mut args = args.iter().copied();
                    typed::$name(ctx, memory, $(p1_functions!(@arg $ty, args)),*)
                },
            },
        )*];
    };
    (@ty i32) => { ValType::I32 };
    (@ty i64) => { ValType::I64 };
    (@wasm i32) => { i32 };
    (@wasm i64) => { i64 };
    (@unsigned i32) => { u32 };
    (@unsigned i64) => { u64 };
    // Pointers, lengths and flags are unsigned in witx; offsets and rights
    // travel as raw 64-bit patterns.
    (@host i32, $arg:ident) => { $arg as u32 };
    (@host i64, $arg:ident) => { $arg as u64 };
    // An adapter passes exactly the declared arguments; a short list reads
    // as zeros rather than a panic.
    (@arg i32, $args:ident) => { $args.next().unwrap_or(0) as i32 };
    (@arg i64, $args:ident) => { $args.next().unwrap_or(0) as i64 };
    (@results) => { &[ValType::I32] };
    (@results !) => { &[] };
}

/// Expands `$callback! { … }` with the signature of every preview1
/// function, in witx order, one per line:
///
/// ```text
/// family::name(arg: i32, other: i64, …);
/// proc::proc_exit(rval: i32) -> !;
/// ```
///
/// `family` is the core module that implements the call (`blocking` for
/// the calls that can wait, which
/// [`for_each_waiting_function!`](crate::for_each_waiting_function) lists
/// with their own families); `-> !` marks the one function with no result. Adapters use it to register each function
/// as a typed host function calling [`p1::typed`](crate::p1::typed), which
/// engines dispatch much faster than a dynamically typed one; the core
/// builds [`FUNCTIONS`](crate::p1::FUNCTIONS) from the same list.
#[macro_export]
macro_rules! for_each_function {
    ($callback:ident) => {
        $callback! {
            args::args_get(argv: i32, argv_buf: i32);
            args::args_sizes_get(argc: i32, argv_buf_size: i32);
            args::environ_get(environ: i32, environ_buf: i32);
            args::environ_sizes_get(count: i32, buf_size: i32);
            clock::clock_res_get(id: i32, resolution: i32);
            clock::clock_time_get(id: i32, precision: i64, time: i32);
            fd::fd_advise(fd: i32, offset: i64, len: i64, advice: i32);
            fd::fd_allocate(fd: i32, offset: i64, len: i64);
            fd::fd_close(fd: i32);
            fd::fd_datasync(fd: i32);
            fd::fd_fdstat_get(fd: i32, stat: i32);
            fd::fd_fdstat_set_flags(fd: i32, flags: i32);
            fd::fd_fdstat_set_rights(fd: i32, base: i64, inheriting: i64);
            fd::fd_filestat_get(fd: i32, stat: i32);
            fd::fd_filestat_set_size(fd: i32, size: i64);
            fd::fd_filestat_set_times(fd: i32, atim: i64, mtim: i64, fst_flags: i32);
            fd::fd_pread(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nread: i32);
            fd::fd_prestat_get(fd: i32, prestat: i32);
            fd::fd_prestat_dir_name(fd: i32, path: i32, path_len: i32);
            fd::fd_pwrite(fd: i32, iovs: i32, iovs_len: i32, offset: i64, nwritten: i32);
            blocking::fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
            fd::fd_readdir(fd: i32, buf: i32, buf_len: i32, cookie: i64, bufused: i32);
            fd::fd_renumber(fd: i32, to: i32);
            fd::fd_seek(fd: i32, offset: i64, whence: i32, newoffset: i32);
            fd::fd_sync(fd: i32);
            fd::fd_tell(fd: i32, offset: i32);
            blocking::fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
            path::path_create_directory(fd: i32, path: i32, path_len: i32);
            path::path_filestat_get(fd: i32, flags: i32, path: i32, path_len: i32, stat: i32);
            path::path_filestat_set_times(fd: i32, flags: i32, path: i32, path_len: i32, atim: i64, mtim: i64, fst_flags: i32);
            path::path_link(old_fd: i32, old_flags: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
            path::path_open(fd: i32, dirflags: i32, path: i32, path_len: i32, oflags: i32, rights_base: i64, rights_inheriting: i64, fdflags: i32, opened: i32);
            path::path_readlink(fd: i32, path: i32, path_len: i32, buf: i32, buf_len: i32, bufused: i32);
            path::path_remove_directory(fd: i32, path: i32, path_len: i32);
            path::path_rename(fd: i32, old_path: i32, old_path_len: i32, new_fd: i32, new_path: i32, new_path_len: i32);
            path::path_symlink(old_path: i32, old_path_len: i32, fd: i32, new_path: i32, new_path_len: i32);
            path::path_unlink_file(fd: i32, path: i32, path_len: i32);
            blocking::poll_oneoff(subscriptions: i32, events: i32, nsubscriptions: i32, nevents: i32);
            proc::proc_exit(rval: i32) -> !;
            proc::proc_raise(sig: i32);
            proc::sched_yield();
            random::random_get(buf: i32, buf_len: i32);
            blocking::sock_accept(fd: i32, flags: i32, opened: i32);
            blocking::sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_datalen: i32, ro_flags: i32);
            blocking::sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32);
            sock::sock_shutdown(fd: i32, how: i32);
        }
    };
}

crate::for_each_function!(p1_functions);

macro_rules! p1_waiting {
    ($($family:ident :: $name:ident ( $($arg:ident : $ty:tt),* ) ;)*) => {
        /// The preview1 calls that can wait, for async linkers (see
        /// [`for_each_waiting_function!`](crate::for_each_waiting_function)):
        /// each takes the arguments of its [`typed`] twin and an
        /// [`Execution`], and under [`Execution::Tokio`] or
        /// [`Execution::TokioInline`] yields to the executor while the guest
        /// waits, instead of blocking the thread. Each returns what
        /// [`HostFunc::call`] would.
        ///
        /// The futures are `Send`: a guest may be moved between executor
        /// threads while it waits.
        pub mod waiting {
            use super::*;

            /// The import name of every function here, for an adapter
            /// that registers them in place of their [`typed`] twins.
            pub const NAMES: &[&str] = &[$(stringify!($name)),*];

            $(
                #[doc = concat!("`", stringify!($name), "`, waiting as `execution` says.")]
                pub async fn $name(
                    ctx: &mut WasiP1Ctx,
                    memory: &mut [u8],
                    $($arg: p1_functions!(@wasm $ty),)*
                    execution: Execution,
                ) -> HostResult {
                    let mut memory = GuestMemory::new(memory);
                    let result = $family::$name(ctx, &mut memory, $(p1_functions!(@host $ty, $arg),)* execution)
                        .await
                        .into_host_result();
                    traced(stringify!($name), result)
                }
            )*
        }

        /// The calls that can wait, for the synchronous table: each runs
        /// its async version under [`Execution::Blocking`], which is done
        /// at its first poll, so the call costs what a plain function would.
        mod blocking {
            use super::*;
            $(
                #[inline]
                pub(super) fn $name(
                    ctx: &mut WasiP1Ctx,
                    memory: &mut GuestMemory<'_>,
                    $($arg: p1_functions!(@unsigned $ty)),*
                ) -> Result<(), Errno> {
                    // A blocking execution never leaves its future pending;
                    // should that ever change, the guest sees an error
                    // rather than the host a panic.
                    finish($family::$name(ctx, memory, $($arg,)* Execution::Blocking))
                        .unwrap_or(Err(Errno::Io))
                }
            )*
        }
    };
}

/// Expands `$callback! { … }` with the signature of every preview1 call
/// that can wait for a descriptor or a deadline, in the form
/// [`for_each_function!`] uses (none of them is `-> !`). An async adapter
/// registers these as async host functions calling
/// [`p1::waiting`](crate::p1::waiting), and every other function as its
/// synchronous linker does; [`p1::waiting::NAMES`](crate::p1::waiting::NAMES)
/// names them.
#[macro_export]
macro_rules! for_each_waiting_function {
    ($callback:ident) => {
        $callback! {
            fd::fd_read(fd: i32, iovs: i32, iovs_len: i32, nread: i32);
            fd::fd_write(fd: i32, iovs: i32, iovs_len: i32, nwritten: i32);
            poll::poll_oneoff(subscriptions: i32, events: i32, nsubscriptions: i32, nevents: i32);
            sock::sock_accept(fd: i32, flags: i32, opened: i32);
            sock::sock_recv(fd: i32, ri_data: i32, ri_data_len: i32, ri_flags: i32, ro_datalen: i32, ro_flags: i32);
            sock::sock_send(fd: i32, si_data: i32, si_data_len: i32, si_flags: i32, so_datalen: i32);
        }
    };
}

crate::for_each_waiting_function!(p1_waiting);

/// Narrows a flags argument to its witx width; set bits beyond it are
/// `EINVAL`, as are bits the witx type does not define.
fn flags16(value: u32, defined: u16) -> Result<u16, Errno> {
    let narrow = u16::try_from(value).map_err(|_| Errno::Inval)?;
    if narrow & !defined != 0 {
        return Err(Errno::Inval);
    }
    Ok(narrow)
}

/// Converts a host `io::Error` at the call boundary.
fn host<T>(result: std::io::Result<T>) -> Result<T, Errno> {
    result.map_err(Errno::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    fn send<F: Future + Send>(future: F) -> F {
        future
    }

    /// Every waiting call's future may move between executor threads, and
    /// each has the signature the table gives its synchronous twin.
    macro_rules! check_waiting {
        ($($family:ident :: $name:ident ( $($arg:ident : $ty:tt),* ) ;)*) => {
            #[test]
            fn waiting_calls_are_send_and_match_the_table() {
                let mut ctx = WasiP1Ctx::new(crate::WasiCtxBuilder::new().build().expect("ctx"));
                let mut memory = [0u8; 64];
                $(
                    let table = FUNCTIONS
                        .iter()
                        .find(|f| f.name == stringify!($name))
                        .expect(stringify!($name));
                    assert_eq!(table.params, &[$(p1_functions!(@ty $ty)),*], stringify!($name));
                    assert_eq!(table.results, &[ValType::I32], stringify!($name));
                    // Descriptor 99 is not open: each call fails at once,
                    // whatever it is.
                    $(let $arg = if stringify!($arg) == "fd" { 99 } else { 0 };)*
                    let future = send(waiting::$name(&mut ctx, &mut memory, $($arg,)* Execution::Tokio));
                    let errno = finish(future).expect("an invalid call does not wait");
                    assert!(matches!(errno, Ok(1..)), "{}: {errno:?}", stringify!($name));
                )*
                assert_eq!(waiting::NAMES.len(), [$(stringify!($name)),*].len());
            }
        };
    }

    crate::for_each_waiting_function!(check_waiting);
}
