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
            "wasi:filesystem/types.descriptor": capwasi::p2::filesystem::types::Descriptor,
            "wasi:filesystem/types.directory-entry-stream": capwasi::p2::filesystem::types::DirectoryEntryStream,
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

// ---- wasi:filesystem ------------------------------------------------------

use core::filesystem::types::{
    self as fs, descriptor, directory_entry_stream, Descriptor, DirectoryEntryStream,
};
use wasi::filesystem::types as wit;

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

same_enum!(core::ErrorCode => wit::ErrorCode {
    Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
    IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks,
    MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory, InsufficientSpace,
    NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow,
    NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice,
});
same_enum!(fs::DescriptorType => wit::DescriptorType {
    Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket,
});
same_enum!(wit::Advice => fs::Advice { Normal, Sequential, Random, WillNeed, DontNeed, NoReuse });
same_flags!(
    fs::DescriptorFlags,
    wit::DescriptorFlags {
        READ,
        WRITE,
        FILE_INTEGRITY_SYNC,
        DATA_INTEGRITY_SYNC,
        REQUESTED_WRITE_SYNC,
        MUTATE_DIRECTORY,
    }
);
same_flags!(fs::PathFlags, wit::PathFlags { SYMLINK_FOLLOW });
same_flags!(
    fs::OpenFlags,
    wit::OpenFlags {
        CREATE,
        DIRECTORY,
        EXCLUSIVE,
        TRUNCATE
    }
);

impl Convert<core::clocks::wall_clock::Datetime> for wit::Datetime {
    fn convert(self) -> core::clocks::wall_clock::Datetime {
        core::clocks::wall_clock::Datetime {
            seconds: self.seconds,
            nanoseconds: self.nanoseconds,
        }
    }
}

impl Convert<fs::NewTimestamp> for wit::NewTimestamp {
    fn convert(self) -> fs::NewTimestamp {
        match self {
            wit::NewTimestamp::NoChange => fs::NewTimestamp::NoChange,
            wit::NewTimestamp::Now => fs::NewTimestamp::Now,
            wit::NewTimestamp::Timestamp(at) => fs::NewTimestamp::Timestamp(at.convert()),
        }
    }
}

impl Convert<wit::DescriptorStat> for fs::DescriptorStat {
    fn convert(self) -> wit::DescriptorStat {
        wit::DescriptorStat {
            type_: self.type_.convert(),
            link_count: self.link_count,
            size: self.size,
            data_access_timestamp: self.data_access_timestamp.map(datetime),
            data_modification_timestamp: self.data_modification_timestamp.map(datetime),
            status_change_timestamp: self.status_change_timestamp.map(datetime),
        }
    }
}

impl Convert<wit::MetadataHashValue> for fs::MetadataHashValue {
    fn convert(self) -> wit::MetadataHashValue {
        wit::MetadataHashValue {
            lower: self.lower,
            upper: self.upper,
        }
    }
}

type FsResult<T> = wasmtime::Result<Result<T, wit::ErrorCode>>;

/// A filesystem call's outcome in the generated types.
fn fs_result<T, U>(result: fs::FsResult<T>, value: impl FnOnce(T) -> U) -> FsResult<U> {
    failure(result.map(value), Convert::convert)
}

impl wit::Host for WasiP2Ctx {
    fn filesystem_error_code(
        &mut self,
        err: Resource<core::io::error::IoError>,
    ) -> wasmtime::Result<Option<wit::ErrorCode>> {
        Ok(fs::filesystem_error_code(self, handle(&err))
            .map_err(trap)?
            .map(Convert::convert))
    }
}

impl wit::HostDescriptor for WasiP2Ctx {
    fn read_via_stream(
        &mut self,
        this: Resource<Descriptor>,
        offset: u64,
    ) -> FsResult<Resource<InputStream>> {
        fs_result(
            descriptor::read_via_stream(self, handle(&this), offset),
            owned,
        )
    }
    fn write_via_stream(
        &mut self,
        this: Resource<Descriptor>,
        offset: u64,
    ) -> FsResult<Resource<OutputStream>> {
        fs_result(
            descriptor::write_via_stream(self, handle(&this), offset),
            owned,
        )
    }
    fn append_via_stream(
        &mut self,
        this: Resource<Descriptor>,
    ) -> FsResult<Resource<OutputStream>> {
        fs_result(descriptor::append_via_stream(self, handle(&this)), owned)
    }
    fn advise(
        &mut self,
        this: Resource<Descriptor>,
        offset: u64,
        length: u64,
        advice: wit::Advice,
    ) -> FsResult<()> {
        fs_result(
            descriptor::advise(self, handle(&this), offset, length, advice.convert()),
            |v| v,
        )
    }
    fn sync_data(&mut self, this: Resource<Descriptor>) -> FsResult<()> {
        fs_result(descriptor::sync_data(self, handle(&this)), |v| v)
    }
    fn get_flags(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorFlags> {
        fs_result(descriptor::get_flags(self, handle(&this)), Convert::convert)
    }
    fn get_type(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorType> {
        fs_result(descriptor::get_type(self, handle(&this)), Convert::convert)
    }
    fn set_size(&mut self, this: Resource<Descriptor>, size: u64) -> FsResult<()> {
        fs_result(descriptor::set_size(self, handle(&this), size), |v| v)
    }
    fn set_times(
        &mut self,
        this: Resource<Descriptor>,
        atime: wit::NewTimestamp,
        mtime: wit::NewTimestamp,
    ) -> FsResult<()> {
        fs_result(
            descriptor::set_times(self, handle(&this), atime.convert(), mtime.convert()),
            |v| v,
        )
    }
    fn read(
        &mut self,
        this: Resource<Descriptor>,
        length: u64,
        offset: u64,
    ) -> FsResult<(Vec<u8>, bool)> {
        fs_result(descriptor::read(self, handle(&this), length, offset), |v| v)
    }
    fn write(&mut self, this: Resource<Descriptor>, buffer: Vec<u8>, offset: u64) -> FsResult<u64> {
        fs_result(
            descriptor::write(self, handle(&this), &buffer, offset),
            |v| v,
        )
    }
    fn read_directory(
        &mut self,
        this: Resource<Descriptor>,
    ) -> FsResult<Resource<DirectoryEntryStream>> {
        fs_result(descriptor::read_directory(self, handle(&this)), owned)
    }
    fn sync(&mut self, this: Resource<Descriptor>) -> FsResult<()> {
        fs_result(descriptor::sync(self, handle(&this)), |v| v)
    }
    fn create_directory_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
        fs_result(
            descriptor::create_directory_at(self, handle(&this), &path),
            |v| v,
        )
    }
    fn stat(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorStat> {
        fs_result(descriptor::stat(self, handle(&this)), Convert::convert)
    }
    fn stat_at(
        &mut self,
        this: Resource<Descriptor>,
        path_flags: wit::PathFlags,
        path: String,
    ) -> FsResult<wit::DescriptorStat> {
        fs_result(
            descriptor::stat_at(self, handle(&this), path_flags.convert(), &path),
            Convert::convert,
        )
    }
    fn set_times_at(
        &mut self,
        this: Resource<Descriptor>,
        path_flags: wit::PathFlags,
        path: String,
        atime: wit::NewTimestamp,
        mtime: wit::NewTimestamp,
    ) -> FsResult<()> {
        fs_result(
            descriptor::set_times_at(
                self,
                handle(&this),
                path_flags.convert(),
                &path,
                atime.convert(),
                mtime.convert(),
            ),
            |v| v,
        )
    }
    fn link_at(
        &mut self,
        this: Resource<Descriptor>,
        old_path_flags: wit::PathFlags,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        fs_result(
            descriptor::link_at(
                self,
                handle(&this),
                old_path_flags.convert(),
                &old_path,
                handle(&new_descriptor),
                &new_path,
            ),
            |v| v,
        )
    }
    fn open_at(
        &mut self,
        this: Resource<Descriptor>,
        path_flags: wit::PathFlags,
        path: String,
        open_flags: wit::OpenFlags,
        flags: wit::DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        fs_result(
            descriptor::open_at(
                self,
                handle(&this),
                path_flags.convert(),
                &path,
                open_flags.convert(),
                flags.convert(),
            ),
            owned,
        )
    }
    fn readlink_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<String> {
        fs_result(descriptor::readlink_at(self, handle(&this), &path), |v| v)
    }
    fn remove_directory_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
        fs_result(
            descriptor::remove_directory_at(self, handle(&this), &path),
            |v| v,
        )
    }
    fn rename_at(
        &mut self,
        this: Resource<Descriptor>,
        old_path: String,
        new_descriptor: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        fs_result(
            descriptor::rename_at(
                self,
                handle(&this),
                &old_path,
                handle(&new_descriptor),
                &new_path,
            ),
            |v| v,
        )
    }
    fn symlink_at(
        &mut self,
        this: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        fs_result(
            descriptor::symlink_at(self, handle(&this), &old_path, &new_path),
            |v| v,
        )
    }
    fn unlink_file_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
        fs_result(
            descriptor::unlink_file_at(self, handle(&this), &path),
            |v| v,
        )
    }
    fn is_same_object(
        &mut self,
        this: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        descriptor::is_same_object(self, handle(&this), handle(&other)).map_err(trap)
    }
    fn metadata_hash(&mut self, this: Resource<Descriptor>) -> FsResult<wit::MetadataHashValue> {
        fs_result(
            descriptor::metadata_hash(self, handle(&this)),
            Convert::convert,
        )
    }
    fn metadata_hash_at(
        &mut self,
        this: Resource<Descriptor>,
        path_flags: wit::PathFlags,
        path: String,
    ) -> FsResult<wit::MetadataHashValue> {
        fs_result(
            descriptor::metadata_hash_at(self, handle(&this), path_flags.convert(), &path),
            Convert::convert,
        )
    }
    fn drop(&mut self, this: Resource<Descriptor>) -> wasmtime::Result<()> {
        descriptor::drop(self, handle(&this)).map_err(trap)
    }
}

impl Convert<wit::DirectoryEntry> for fs::DirectoryEntry {
    fn convert(self) -> wit::DirectoryEntry {
        wit::DirectoryEntry {
            type_: self.type_.convert(),
            name: self.name,
        }
    }
}

impl wit::HostDirectoryEntryStream for WasiP2Ctx {
    fn read_directory_entry(
        &mut self,
        this: Resource<DirectoryEntryStream>,
    ) -> FsResult<Option<wit::DirectoryEntry>> {
        fs_result(
            directory_entry_stream::read_directory_entry(self, handle(&this)),
            |entry| entry.map(Convert::convert),
        )
    }
    fn drop(&mut self, this: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
        directory_entry_stream::drop(self, handle(&this)).map_err(trap)
    }
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
    wasi::filesystem::types::add_to_linker::<T, D>(linker, ctx)?;
    wasi::filesystem::preopens::add_to_linker::<T, D>(linker, ctx)?;
    Ok(())
}
