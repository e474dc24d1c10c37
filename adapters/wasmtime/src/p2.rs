//! Runs capwasi's preview2 on wasmtime's component model.
//!
//! `bindgen!` turns `wit/` into one host trait per interface; each method
//! here forwards to the function of the same name in `capwasi::p2`, and
//! converts between wasmtime's generated types and the core's. There is no
//! WASI logic in this file.

use capwasi::engine::Termination;
use capwasi::p2::{self as core, Trap, WasiP2Ctx};
use wasmtime::component::{HasSelf, Linker, Resource};

use crate::Exit;

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
        },
    });
}

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

impl wasi::io::poll::Host for WasiP2Ctx {
    fn poll(
        &mut self,
        pollables: Vec<Resource<core::io::poll::Pollable>>,
    ) -> wasmtime::Result<Vec<u32>> {
        let handles: Vec<_> = pollables.iter().map(handle).collect();
        core::io::poll::poll(self, &handles).map_err(trap)
    }
}

impl wasi::io::poll::HostPollable for WasiP2Ctx {
    fn ready(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<bool> {
        core::io::poll::ready(self, handle(&this)).map_err(trap)
    }
    fn block(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<()> {
        core::io::poll::block(self, handle(&this)).map_err(trap)
    }
    fn drop(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<()> {
        core::io::poll::drop(self, handle(&this)).map_err(trap)
    }
}

use core::io::streams::{self as streams, InputStream, OutputStream};
use wasi::io::streams::StreamError;

fn stream_error(error: streams::StreamError) -> StreamError {
    match error {
        streams::StreamError::LastOperationFailed(e) => StreamError::LastOperationFailed(owned(e)),
        streams::StreamError::Closed => StreamError::Closed,
    }
}

type StreamResult<T> = wasmtime::Result<Result<T, StreamError>>;

impl wasi::io::streams::Host for WasiP2Ctx {}

impl wasi::io::streams::HostInputStream for WasiP2Ctx {
    fn read(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<Vec<u8>> {
        failure(streams::read(self, handle(&this), len), stream_error)
    }
    fn blocking_read(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<Vec<u8>> {
        failure(
            streams::blocking_read(self, handle(&this), len),
            stream_error,
        )
    }
    fn skip(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<u64> {
        failure(streams::skip(self, handle(&this), len), stream_error)
    }
    fn blocking_skip(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<u64> {
        failure(
            streams::blocking_skip(self, handle(&this), len),
            stream_error,
        )
    }
    fn subscribe(
        &mut self,
        this: Resource<InputStream>,
    ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
        streams::subscribe_input(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn drop(&mut self, this: Resource<InputStream>) -> wasmtime::Result<()> {
        streams::drop_input(self, handle(&this)).map_err(trap)
    }
}

impl wasi::io::streams::HostOutputStream for WasiP2Ctx {
    fn check_write(&mut self, this: Resource<OutputStream>) -> StreamResult<u64> {
        failure(streams::check_write(self, handle(&this)), stream_error)
    }
    fn write(&mut self, this: Resource<OutputStream>, contents: Vec<u8>) -> StreamResult<()> {
        failure(streams::write(self, handle(&this), &contents), stream_error)
    }
    fn blocking_write_and_flush(
        &mut self,
        this: Resource<OutputStream>,
        contents: Vec<u8>,
    ) -> StreamResult<()> {
        failure(
            streams::blocking_write_and_flush(self, handle(&this), &contents),
            stream_error,
        )
    }
    fn flush(&mut self, this: Resource<OutputStream>) -> StreamResult<()> {
        failure(streams::flush(self, handle(&this)), stream_error)
    }
    fn blocking_flush(&mut self, this: Resource<OutputStream>) -> StreamResult<()> {
        failure(streams::blocking_flush(self, handle(&this)), stream_error)
    }
    fn subscribe(
        &mut self,
        this: Resource<OutputStream>,
    ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
        streams::subscribe_output(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn write_zeroes(&mut self, this: Resource<OutputStream>, len: u64) -> StreamResult<()> {
        failure(
            streams::write_zeroes(self, handle(&this), len),
            stream_error,
        )
    }
    fn blocking_write_zeroes_and_flush(
        &mut self,
        this: Resource<OutputStream>,
        len: u64,
    ) -> StreamResult<()> {
        failure(
            streams::blocking_write_zeroes_and_flush(self, handle(&this), len),
            stream_error,
        )
    }
    fn splice(
        &mut self,
        this: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> StreamResult<u64> {
        failure(
            streams::splice(self, handle(&this), handle(&src), len),
            stream_error,
        )
    }
    fn blocking_splice(
        &mut self,
        this: Resource<OutputStream>,
        src: Resource<InputStream>,
        len: u64,
    ) -> StreamResult<u64> {
        failure(
            streams::blocking_splice(self, handle(&this), handle(&src), len),
            stream_error,
        )
    }
    fn drop(&mut self, this: Resource<OutputStream>) -> wasmtime::Result<()> {
        streams::drop_output(self, handle(&this)).map_err(trap)
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

/// Links every preview2 interface capwasi implements into `linker`, for
/// store data from which `ctx` reaches a [`WasiP2Ctx`]. Calls run inline:
/// a wait blocks the calling thread, and no async runtime is needed.
pub fn add_to_linker_sync<T: 'static>(
    linker: &mut Linker<T>,
    ctx: fn(&mut T) -> &mut WasiP2Ctx,
) -> wasmtime::Result<()> {
    type D = HasSelf<WasiP2Ctx>;
    wasi::io::error::add_to_linker::<T, D>(linker, ctx)?;
    wasi::io::poll::add_to_linker::<T, D>(linker, ctx)?;
    wasi::io::streams::add_to_linker::<T, D>(linker, ctx)?;
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
    Ok(())
}
