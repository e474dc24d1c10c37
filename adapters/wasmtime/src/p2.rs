//! Runs capwasi's preview2 on wasmtime's component model.
//!
//! `bindgen!` turns `wit/` into one host trait per interface, every
//! interface of the host world (`wasi:sockets` included) and the unstable
//! `network-error-code`; each method here (and in `p2/sockets.rs`, for
//! `wasi:sockets`) forwards to the function of the same name in
//! `capwasi::p2`, and converts between wasmtime's generated types and the
//! core's. There is no WASI logic in these files.

use capwasi::engine::Termination;
use capwasi::execution::Execution;
use capwasi::p2::{self as core, Trap, WasiP2Ctx};
use capwasi::{RunError, WasiCtx};
use wasmtime::component::{Component, HasSelf, Linker, Resource};
use wasmtime::Store;

use crate::{exit_status, load_error, Exit, WasmtimeEngine};
use core::io::streams::{self as streams, InputStream, OutputStream};

mod bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "capwasi:host/command",
        imports: { default: trappable },
        with: {
            "wasi:io/error.error": capwasi::p2::io::error::IoError,
            "wasi:io/poll.pollable": capwasi::p2::io::poll::Pollable,
            "wasi:io/streams.input-stream": capwasi::p2::io::streams::InputStream,
            "wasi:io/streams.output-stream": capwasi::p2::io::streams::OutputStream,
            "wasi:cli/terminal-input.terminal-input": capwasi::p2::cli::terminal_input::TerminalInput,
            "wasi:cli/terminal-output.terminal-output": capwasi::p2::cli::terminal_output::TerminalOutput,
            "wasi:filesystem/types.descriptor": capwasi::p2::filesystem::types::Descriptor,
            "wasi:filesystem/types.directory-entry-stream": capwasi::p2::filesystem::types::DirectoryEntryStream,
            "wasi:sockets/network.network": capwasi::p2::sockets::Network,
            "wasi:sockets/tcp.tcp-socket": capwasi::p2::sockets::tcp::TcpSocket,
            "wasi:sockets/udp.udp-socket": capwasi::p2::sockets::udp::UdpSocket,
            "wasi:sockets/udp.incoming-datagram-stream": capwasi::p2::sockets::udp::IncomingDatagramStream,
            "wasi:sockets/udp.outgoing-datagram-stream": capwasi::p2::sockets::udp::OutgoingDatagramStream,
            "wasi:sockets/ip-name-lookup.resolve-address-stream": capwasi::p2::sockets::ip_name_lookup::ResolveAddressStream,
        },
    });
}

/// The same world with the calls that may wait or touch the filesystem
/// made `async`. The interfaces with none of those (`wasi:sockets` among
/// them: its calls start and finish without waiting, and a guest waits on
/// their pollables) are the synchronous bindings' own, so they are
/// implemented once.
mod async_bindings {
    wasmtime::component::bindgen!({
        path: "../../wit",
        world: "capwasi:host/command",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "wasi:io/error": super::bindings::wasi::io::error,
            "wasi:clocks": super::bindings::wasi::clocks,
            "wasi:random": super::bindings::wasi::random,
            "wasi:cli": super::bindings::wasi::cli,
            "wasi:filesystem/preopens": super::bindings::wasi::filesystem::preopens,
            "wasi:sockets": super::bindings::wasi::sockets,
            "wasi:io/poll.pollable": capwasi::p2::io::poll::Pollable,
            "wasi:io/streams.input-stream": capwasi::p2::io::streams::InputStream,
            "wasi:io/streams.output-stream": capwasi::p2::io::streams::OutputStream,
            "wasi:filesystem/types.descriptor": capwasi::p2::filesystem::types::Descriptor,
            "wasi:filesystem/types.directory-entry-stream": capwasi::p2::filesystem::types::DirectoryEntryStream,
        },
    });
}

/// [`Command`] for the async linker: instantiated and run with `.await`.
pub use async_bindings::Command as CommandAsync;
use bindings::wasi;
pub use bindings::Command;

/// The core's handle for a handle wasmtime passed in.
fn handle<T>(resource: &Resource<T>) -> core::Resource<T> {
    core::Resource::new(resource.rep())
}

/// wasmtime's owned handle for a resource the core made.
fn owned<T: 'static>(resource: core::Resource<T>) -> Resource<T> {
    Resource::new_own(resource.rep())
}

fn trap(trap: Trap) -> wasmtime::Error {
    wasmtime::Error::msg(trap.0)
}

fn ended(termination: Termination) -> wasmtime::Error {
    match termination {
        Termination::Exit(code) => wasmtime::Error::new(Exit(code)),
        Termination::Trap(message) => wasmtime::Error::msg(message),
    }
}

/// A call with a WIT error type: the error for the guest, or a trap.
fn failure<T, E, G>(
    result: Result<T, core::Failure<E>>,
    error: impl FnOnce(E) -> G,
) -> wasmtime::Result<Result<T, G>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(core::Failure::Error(e)) => Ok(Err(error(e))),
        Err(core::Failure::Trap(t)) => Err(trap(t)),
    }
}

// ---- wasi:io --------------------------------------------------------------

impl wasi::io::error::Host for WasiP2Ctx {}

impl wasi::io::error::HostError for WasiP2Ctx {
    fn to_debug_string(
        &mut self,
        this: Resource<core::io::error::IoError>,
    ) -> wasmtime::Result<String> {
        core::io::error::to_debug_string(self, handle(&this)).map_err(trap)
    }
    fn drop(&mut self, this: Resource<core::io::error::IoError>) -> wasmtime::Result<()> {
        core::io::error::drop(self, handle(&this)).map_err(trap)
    }
}

// ---- wasi:clocks ----------------------------------------------------------

fn datetime(t: core::clocks::wall_clock::Datetime) -> wasi::clocks::wall_clock::Datetime {
    wasi::clocks::wall_clock::Datetime {
        seconds: t.seconds,
        nanoseconds: t.nanoseconds,
    }
}

impl wasi::clocks::wall_clock::Host for WasiP2Ctx {
    fn now(&mut self) -> wasmtime::Result<wasi::clocks::wall_clock::Datetime> {
        Ok(datetime(core::clocks::wall_clock::now(self)))
    }
    fn resolution(&mut self) -> wasmtime::Result<wasi::clocks::wall_clock::Datetime> {
        Ok(datetime(core::clocks::wall_clock::resolution(self)))
    }
}

impl wasi::clocks::monotonic_clock::Host for WasiP2Ctx {
    fn now(&mut self) -> wasmtime::Result<u64> {
        Ok(core::clocks::monotonic_clock::now(self))
    }
    fn resolution(&mut self) -> wasmtime::Result<u64> {
        Ok(core::clocks::monotonic_clock::resolution(self))
    }
    fn subscribe_instant(
        &mut self,
        when: u64,
    ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
        core::clocks::monotonic_clock::subscribe_instant(self, when)
            .map(owned)
            .map_err(trap)
    }
    fn subscribe_duration(
        &mut self,
        duration: u64,
    ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
        core::clocks::monotonic_clock::subscribe_duration(self, duration)
            .map(owned)
            .map_err(trap)
    }
}

// ---- wasi:random ----------------------------------------------------------

impl wasi::random::random::Host for WasiP2Ctx {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        core::random::random::get_random_bytes(self, len).map_err(ended)
    }
    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        core::random::random::get_random_u64(self).map_err(ended)
    }
}

impl wasi::random::insecure::Host for WasiP2Ctx {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        core::random::insecure::get_insecure_random_bytes(self, len).map_err(ended)
    }
    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        core::random::insecure::get_insecure_random_u64(self).map_err(ended)
    }
}

impl wasi::random::insecure_seed::Host for WasiP2Ctx {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        core::random::insecure_seed::insecure_seed(self).map_err(ended)
    }
}

// ---- wasi:cli -------------------------------------------------------------

impl wasi::cli::environment::Host for WasiP2Ctx {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(core::cli::environment::get_environment(self))
    }
    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(core::cli::environment::get_arguments(self))
    }
    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(core::cli::environment::initial_cwd(self))
    }
}

impl wasi::cli::exit::Host for WasiP2Ctx {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        Err(ended(core::cli::exit::exit(status)))
    }
    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(ended(core::cli::exit::exit_with_code(status_code)))
    }
}

impl wasi::cli::stdin::Host for WasiP2Ctx {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        core::cli::stdin::get_stdin(self).map(owned).map_err(trap)
    }
}

impl wasi::cli::stdout::Host for WasiP2Ctx {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        core::cli::stdout::get_stdout(self).map(owned).map_err(trap)
    }
}

impl wasi::cli::stderr::Host for WasiP2Ctx {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        core::cli::stderr::get_stderr(self).map(owned).map_err(trap)
    }
}

use core::cli::terminal_input::TerminalInput;
use core::cli::terminal_output::TerminalOutput;

impl wasi::cli::terminal_input::Host for WasiP2Ctx {}

impl wasi::cli::terminal_input::HostTerminalInput for WasiP2Ctx {
    fn drop(&mut self, this: Resource<TerminalInput>) -> wasmtime::Result<()> {
        core::cli::terminal_input::drop(self, handle(&this)).map_err(trap)
    }
}

impl wasi::cli::terminal_output::Host for WasiP2Ctx {}

impl wasi::cli::terminal_output::HostTerminalOutput for WasiP2Ctx {
    fn drop(&mut self, this: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        core::cli::terminal_output::drop(self, handle(&this)).map_err(trap)
    }
}

impl wasi::cli::terminal_stdin::Host for WasiP2Ctx {
    fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<TerminalInput>>> {
        Ok(core::cli::terminal_stdin::get_terminal_stdin(self)
            .map_err(trap)?
            .map(owned))
    }
}

impl wasi::cli::terminal_stdout::Host for WasiP2Ctx {
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        Ok(core::cli::terminal_stdout::get_terminal_stdout(self)
            .map_err(trap)?
            .map(owned))
    }
}

impl wasi::cli::terminal_stderr::Host for WasiP2Ctx {
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        Ok(core::cli::terminal_stderr::get_terminal_stderr(self)
            .map_err(trap)?
            .map(owned))
    }
}

// ---- wasi:filesystem ------------------------------------------------------

use core::filesystem::types::Descriptor;

/// Maps between a core enum and its generated twin, variant by variant
/// (both take the WIT's case names).
macro_rules! same_enum {
    ($from:ty => $to:ty { $($variant:ident),* $(,)? }) => {
        impl Convert<$to> for $from {
            fn convert(self) -> $to {
                match self {
                    $(<$from>::$variant => <$to>::$variant,)*
                }
            }
        }
    };
}

/// Maps between a core flags type and its generated twin, flag by flag.
macro_rules! same_flags {
    ($a:ty, $b:ty { $($flag:ident),* $(,)? }) => {
        impl Convert<$b> for $a {
            fn convert(self) -> $b {
                let mut out = <$b>::empty();
                $(if self.contains(<$a>::$flag) { out |= <$b>::$flag; })*
                out
            }
        }
        impl Convert<$a> for $b {
            fn convert(self) -> $a {
                let mut out = <$a>::empty();
                $(if self.contains(<$b>::$flag) { out |= <$a>::$flag; })*
                out
            }
        }
    };
}

/// A conversion between the core's types and the generated ones (a local
/// trait, since both sides are foreign to the other's crate).
trait Convert<T> {
    fn convert(self) -> T;
}

// `wasi:sockets`, which both flavours of bindings share: none of its calls
// waits.
mod sockets;

// Both flavours of bindings share `wasi:clocks`, and so this conversion.
impl Convert<core::clocks::wall_clock::Datetime> for wasi::clocks::wall_clock::Datetime {
    fn convert(self) -> core::clocks::wall_clock::Datetime {
        core::clocks::wall_clock::Datetime {
            seconds: self.seconds,
            nanoseconds: self.nanoseconds,
        }
    }
}

// The interfaces whose calls may wait or touch the filesystem (wasi:io's
// poll and streams, wasi:filesystem's types) are written once, in
// `p2/waiting.rs`, and compiled twice: for the synchronous bindings, where
// `host_fn!` makes plain methods and `wait!` finishes a core call on the
// spot, and for the async ones, where they are `async` and `wait!` awaits.

/// The host traits of the synchronous bindings.
mod sync_host {
    use super::*;
    use capwasi::execution::{finish, Execution};
    use capwasi::p2 as core;
    use capwasi::p2::filesystem::types::{
        self as fs, descriptor, directory_entry_stream, DirectoryEntryStream,
    };
    use wasi::filesystem::types as wit;

    macro_rules! host_fn {
        ($(#[$meta:meta])* fn $($method:tt)*) => { $(#[$meta])* fn $($method)* };
    }

    /// A core call made here runs on this thread, so it is over once
    /// polled; a context set up for tokio is refused before it starts.
    macro_rules! wait {
        ($ctx:ident, $call:expr) => {{
            if $ctx.execution() != Execution::Blocking {
                return Err(wasmtime::Error::msg(
                    "a preview2 context set up for tokio was linked with add_to_linker_sync",
                ));
            }
            match finish($call) {
                Some(outcome) => outcome,
                None => return Err(wasmtime::Error::msg("a blocking call was left unfinished")),
            }
        }};
    }

    include!("p2/waiting.rs");
}

/// The host traits of the async bindings.
mod async_host {
    use super::async_bindings::wasi;
    use super::*;
    use capwasi::p2 as core;
    use capwasi::p2::filesystem::types::{
        self as fs, descriptor, directory_entry_stream, DirectoryEntryStream,
    };
    use wasi::filesystem::types as wit;

    macro_rules! host_fn {
        ($(#[$meta:meta])* fn $($method:tt)*) => { $(#[$meta])* async fn $($method)* };
    }

    macro_rules! wait {
        ($ctx:ident, $call:expr) => {
            $call.await
        };
    }

    include!("p2/waiting.rs");
}

impl wasi::filesystem::preopens::Host for WasiP2Ctx {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let dirs = core::filesystem::preopens::get_directories(self).map_err(trap)?;
        Ok(dirs
            .into_iter()
            .map(|(dir, name)| (owned(dir), name))
            .collect())
    }
}

/// Links every preview2 interface into `linker` (`wasi:sockets` too, with
/// the unstable `network-error-code`), for store data from which `ctx`
/// reaches a [`WasiP2Ctx`]. Calls run inline:
/// a wait blocks the calling thread, and no async runtime is needed.
pub fn add_to_linker_sync<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP2Ctx,
) -> wasmtime::Result<()> {
    type D = HasSelf<WasiP2Ctx>;
    wasi::io::poll::add_to_linker::<T, D>(linker, ctx)?;
    wasi::io::streams::add_to_linker::<T, D>(linker, ctx)?;
    wasi::filesystem::types::add_to_linker::<T, D>(linker, ctx)?;
    add_unchanged(linker, ctx)
}

/// The interfaces both linkers share: none of their calls waits or touches
/// the filesystem.
fn add_unchanged<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP2Ctx,
) -> wasmtime::Result<()> {
    type D = HasSelf<WasiP2Ctx>;
    wasi::io::error::add_to_linker::<T, D>(linker, ctx)?;
    wasi::clocks::wall_clock::add_to_linker::<T, D>(linker, ctx)?;
    wasi::clocks::monotonic_clock::add_to_linker::<T, D>(linker, ctx)?;
    wasi::random::random::add_to_linker::<T, D>(linker, ctx)?;
    wasi::random::insecure::add_to_linker::<T, D>(linker, ctx)?;
    wasi::random::insecure_seed::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::environment::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::exit::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::stdin::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::stdout::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::stderr::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::terminal_input::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::terminal_output::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::terminal_stdin::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::terminal_stdout::add_to_linker::<T, D>(linker, ctx)?;
    wasi::cli::terminal_stderr::add_to_linker::<T, D>(linker, ctx)?;
    wasi::filesystem::preopens::add_to_linker::<T, D>(linker, ctx)?;
    // `network-error-code` is unstable in the WIT, so wasmtime links it
    // only when asked; it is implemented, so it is asked for.
    let mut network = wasi::sockets::network::LinkOptions::default();
    network.network_error_code(true);
    wasi::sockets::network::add_to_linker::<T, D>(linker, &network, ctx)?;
    wasi::sockets::instance_network::add_to_linker::<T, D>(linker, ctx)?;
    wasi::sockets::ip_name_lookup::add_to_linker::<T, D>(linker, ctx)?;
    wasi::sockets::tcp_create_socket::add_to_linker::<T, D>(linker, ctx)?;
    wasi::sockets::tcp::add_to_linker::<T, D>(linker, ctx)?;
    wasi::sockets::udp_create_socket::add_to_linker::<T, D>(linker, ctx)?;
    wasi::sockets::udp::add_to_linker::<T, D>(linker, ctx)?;
    Ok(())
}

/// Links every preview2 interface into `linker`, as
/// [`add_to_linker_sync`] does, for a wasmtime engine with async support, whose guests are called with
/// `call_async` on a tokio runtime. A guest's waits then yield to the
/// executor, and its filesystem work runs as its context's
/// [`Execution`] says: set
/// `Execution::Tokio` or `Execution::TokioInline` with
/// [`WasiP2Ctx::set_execution`]. Under the default `Blocking`, calls still
/// work, but each wait holds an executor thread.
pub fn add_to_linker_async<T: Send + 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP2Ctx,
) -> wasmtime::Result<()> {
    type D = HasSelf<WasiP2Ctx>;
    async_bindings::wasi::io::poll::add_to_linker::<T, D>(linker, ctx)?;
    async_bindings::wasi::io::streams::add_to_linker::<T, D>(linker, ctx)?;
    async_bindings::wasi::filesystem::types::add_to_linker::<T, D>(linker, ctx)?;
    add_unchanged(linker, ctx)
}

impl WasmtimeEngine {
    /// Runs a `wasi:cli/command` component on the async linker, with its
    /// calls waiting and doing filesystem work as `execution` says. Await
    /// it on a tokio runtime with its I/O and time drivers enabled: many
    /// guests then run at once on a few threads, and one that waits holds
    /// none of them.
    pub async fn run_command_async(
        &self,
        component: &Component,
        ctx: WasiCtx,
        execution: Execution,
    ) -> Result<i32, RunError> {
        let mut linker = Linker::new(&self.engine);
        add_to_linker_async(&mut linker, |ctx: &mut WasiP2Ctx| ctx).map_err(load_error)?;
        let mut wasi = WasiP2Ctx::new(ctx);
        wasi.set_execution(execution);
        let mut store = Store::new(&self.engine, wasi);
        let command = match CommandAsync::instantiate_async(&mut store, component, &linker).await {
            Ok(command) => command,
            Err(e) if e.downcast_ref::<wasmtime::Trap>().is_some() || exit_status(&e).is_some() => {
                return crate::ended(e)
            }
            Err(e) => return Err(load_error(e)),
        };
        match command.wasi_cli_run().call_run(&mut store).await {
            Ok(Ok(())) => Ok(0),
            Ok(Err(())) => Ok(1),
            Err(e) => crate::ended(e),
        }
    }
}
