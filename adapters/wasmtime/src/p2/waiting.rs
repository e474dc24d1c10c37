impl wasi::io::poll::Host for WasiP2Ctx {
    host_fn! {
        fn poll(
            &mut self,
            pollables: Vec<Resource<core::io::poll::Pollable>>,
        ) -> wasmtime::Result<Vec<u32>> {
            let handles: Vec<_> = pollables.iter().map(handle).collect();
            wait!(self, core::io::poll::poll(self, &handles)).map_err(trap)
        }
    }
}

impl wasi::io::poll::HostPollable for WasiP2Ctx {
    host_fn! {
        fn ready(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<bool> {
            core::io::poll::ready(self, handle(&this)).map_err(trap)
        }
    }
    host_fn! {
        fn block(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<()> {
            wait!(self, core::io::poll::block(self, handle(&this))).map_err(trap)
        }
    }
    host_fn! {
        fn drop(&mut self, this: Resource<core::io::poll::Pollable>) -> wasmtime::Result<()> {
            core::io::poll::drop(self, handle(&this)).map_err(trap)
        }
    }
}

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
    host_fn! {
        fn read(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<Vec<u8>> {
            failure(wait!(self, streams::read(self, handle(&this), len)), stream_error)
        }
    }
    host_fn! {
        fn blocking_read(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<Vec<u8>> {
            failure(
                wait!(self, streams::blocking_read(self, handle(&this), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn skip(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<u64> {
            failure(wait!(self, streams::skip(self, handle(&this), len)), stream_error)
        }
    }
    host_fn! {
        fn blocking_skip(&mut self, this: Resource<InputStream>, len: u64) -> StreamResult<u64> {
            failure(
                wait!(self, streams::blocking_skip(self, handle(&this), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn subscribe(
            &mut self,
            this: Resource<InputStream>,
        ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
            streams::subscribe_input(self, handle(&this))
                .map(owned)
                .map_err(trap)
        }
    }
    host_fn! {
        fn drop(&mut self, this: Resource<InputStream>) -> wasmtime::Result<()> {
            streams::drop_input(self, handle(&this)).map_err(trap)
        }
    }
}

impl wasi::io::streams::HostOutputStream for WasiP2Ctx {
    host_fn! {
        fn check_write(&mut self, this: Resource<OutputStream>) -> StreamResult<u64> {
            failure(streams::check_write(self, handle(&this)), stream_error)
        }
    }
    host_fn! {
        fn write(&mut self, this: Resource<OutputStream>, contents: Vec<u8>) -> StreamResult<()> {
            failure(wait!(self, streams::write(self, handle(&this), contents)), stream_error)
        }
    }
    host_fn! {
        fn blocking_write_and_flush(
            &mut self,
            this: Resource<OutputStream>,
            contents: Vec<u8>,
        ) -> StreamResult<()> {
            failure(
                wait!(self, streams::blocking_write_and_flush(self, handle(&this), contents)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn flush(&mut self, this: Resource<OutputStream>) -> StreamResult<()> {
            failure(streams::flush(self, handle(&this)), stream_error)
        }
    }
    host_fn! {
        fn blocking_flush(&mut self, this: Resource<OutputStream>) -> StreamResult<()> {
            failure(streams::blocking_flush(self, handle(&this)), stream_error)
        }
    }
    host_fn! {
        fn subscribe(
            &mut self,
            this: Resource<OutputStream>,
        ) -> wasmtime::Result<Resource<core::io::poll::Pollable>> {
            streams::subscribe_output(self, handle(&this))
                .map(owned)
                .map_err(trap)
        }
    }
    host_fn! {
        fn write_zeroes(&mut self, this: Resource<OutputStream>, len: u64) -> StreamResult<()> {
            failure(
                wait!(self, streams::write_zeroes(self, handle(&this), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn blocking_write_zeroes_and_flush(
            &mut self,
            this: Resource<OutputStream>,
            len: u64,
        ) -> StreamResult<()> {
            failure(
                wait!(self, streams::blocking_write_zeroes_and_flush(self, handle(&this), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn splice(
            &mut self,
            this: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> StreamResult<u64> {
            failure(
                wait!(self, streams::splice(self, handle(&this), handle(&src), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn blocking_splice(
            &mut self,
            this: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> StreamResult<u64> {
            failure(
                wait!(self, streams::blocking_splice(self, handle(&this), handle(&src), len)),
                stream_error,
            )
        }
    }
    host_fn! {
        fn drop(&mut self, this: Resource<OutputStream>) -> wasmtime::Result<()> {
            streams::drop_output(self, handle(&this)).map_err(trap)
        }
    }
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
    host_fn! {
        fn filesystem_error_code(
            &mut self,
            err: Resource<core::io::error::IoError>,
        ) -> wasmtime::Result<Option<wit::ErrorCode>> {
            Ok(fs::filesystem_error_code(self, handle(&err))
                .map_err(trap)?
                .map(Convert::convert))
        }
    }
}

impl wit::HostDescriptor for WasiP2Ctx {
    host_fn! {
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
    }
    host_fn! {
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
    }
    host_fn! {
        fn append_via_stream(
            &mut self,
            this: Resource<Descriptor>,
        ) -> FsResult<Resource<OutputStream>> {
            fs_result(descriptor::append_via_stream(self, handle(&this)), owned)
        }
    }
    host_fn! {
        fn advise(
            &mut self,
            this: Resource<Descriptor>,
            offset: u64,
            length: u64,
            advice: wit::Advice,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::advise(self, handle(&this), offset, length, advice.convert())),
                |v| v,
            )
        }
    }
    host_fn! {
        fn sync_data(&mut self, this: Resource<Descriptor>) -> FsResult<()> {
            fs_result(wait!(self, descriptor::sync_data(self, handle(&this))), |v| v)
        }
    }
    host_fn! {
        fn get_flags(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorFlags> {
            fs_result(descriptor::get_flags(self, handle(&this)), Convert::convert)
        }
    }
    host_fn! {
        fn get_type(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorType> {
            fs_result(wait!(self, descriptor::get_type(self, handle(&this))), Convert::convert)
        }
    }
    host_fn! {
        fn set_size(&mut self, this: Resource<Descriptor>, size: u64) -> FsResult<()> {
            fs_result(wait!(self, descriptor::set_size(self, handle(&this), size)), |v| v)
        }
    }
    host_fn! {
        fn set_times(
            &mut self,
            this: Resource<Descriptor>,
            atime: wit::NewTimestamp,
            mtime: wit::NewTimestamp,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::set_times(self, handle(&this), atime.convert(), mtime.convert())),
                |v| v,
            )
        }
    }
    host_fn! {
        fn read(
            &mut self,
            this: Resource<Descriptor>,
            length: u64,
            offset: u64,
        ) -> FsResult<(Vec<u8>, bool)> {
            fs_result(wait!(self, descriptor::read(self, handle(&this), length, offset)), |v| v)
        }
    }
    host_fn! {
        fn write(&mut self, this: Resource<Descriptor>, buffer: Vec<u8>, offset: u64) -> FsResult<u64> {
            fs_result(
                wait!(self, descriptor::write(self, handle(&this), buffer, offset)),
                |v| v,
            )
        }
    }
    host_fn! {
        fn read_directory(
            &mut self,
            this: Resource<Descriptor>,
        ) -> FsResult<Resource<DirectoryEntryStream>> {
            fs_result(wait!(self, descriptor::read_directory(self, handle(&this))), owned)
        }
    }
    host_fn! {
        fn sync(&mut self, this: Resource<Descriptor>) -> FsResult<()> {
            fs_result(wait!(self, descriptor::sync(self, handle(&this))), |v| v)
        }
    }
    host_fn! {
        fn create_directory_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::create_directory_at(self, handle(&this), path)),
                |v| v,
            )
        }
    }
    host_fn! {
        fn stat(&mut self, this: Resource<Descriptor>) -> FsResult<wit::DescriptorStat> {
            fs_result(wait!(self, descriptor::stat(self, handle(&this))), Convert::convert)
        }
    }
    host_fn! {
        fn stat_at(
            &mut self,
            this: Resource<Descriptor>,
            path_flags: wit::PathFlags,
            path: String,
        ) -> FsResult<wit::DescriptorStat> {
            fs_result(
                wait!(self, descriptor::stat_at(self, handle(&this), path_flags.convert(), path)),
                Convert::convert,
            )
        }
    }
    host_fn! {
        fn set_times_at(
            &mut self,
            this: Resource<Descriptor>,
            path_flags: wit::PathFlags,
            path: String,
            atime: wit::NewTimestamp,
            mtime: wit::NewTimestamp,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::set_times_at(
                    self,
                    handle(&this),
                    path_flags.convert(),
                    path,
                    atime.convert(),
                    mtime.convert(),
                )),
                |v| v,
            )
        }
    }
    host_fn! {
        fn link_at(
            &mut self,
            this: Resource<Descriptor>,
            old_path_flags: wit::PathFlags,
            old_path: String,
            new_descriptor: Resource<Descriptor>,
            new_path: String,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::link_at(
                    self,
                    handle(&this),
                    old_path_flags.convert(),
                    old_path,
                    handle(&new_descriptor),
                    new_path,
                )),
                |v| v,
            )
        }
    }
    host_fn! {
        fn open_at(
            &mut self,
            this: Resource<Descriptor>,
            path_flags: wit::PathFlags,
            path: String,
            open_flags: wit::OpenFlags,
            flags: wit::DescriptorFlags,
        ) -> FsResult<Resource<Descriptor>> {
            fs_result(
                wait!(self, descriptor::open_at(
                    self,
                    handle(&this),
                    path_flags.convert(),
                    path,
                    open_flags.convert(),
                    flags.convert(),
                )),
                owned,
            )
        }
    }
    host_fn! {
        fn readlink_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<String> {
            fs_result(wait!(self, descriptor::readlink_at(self, handle(&this), path)), |v| v)
        }
    }
    host_fn! {
        fn remove_directory_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::remove_directory_at(self, handle(&this), path)),
                |v| v,
            )
        }
    }
    host_fn! {
        fn rename_at(
            &mut self,
            this: Resource<Descriptor>,
            old_path: String,
            new_descriptor: Resource<Descriptor>,
            new_path: String,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::rename_at(
                    self,
                    handle(&this),
                    old_path,
                    handle(&new_descriptor),
                    new_path,
                )),
                |v| v,
            )
        }
    }
    host_fn! {
        fn symlink_at(
            &mut self,
            this: Resource<Descriptor>,
            old_path: String,
            new_path: String,
        ) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::symlink_at(self, handle(&this), old_path, new_path)),
                |v| v,
            )
        }
    }
    host_fn! {
        fn unlink_file_at(&mut self, this: Resource<Descriptor>, path: String) -> FsResult<()> {
            fs_result(
                wait!(self, descriptor::unlink_file_at(self, handle(&this), path)),
                |v| v,
            )
        }
    }
    host_fn! {
        fn is_same_object(
            &mut self,
            this: Resource<Descriptor>,
            other: Resource<Descriptor>,
        ) -> wasmtime::Result<bool> {
            wait!(self, descriptor::is_same_object(self, handle(&this), handle(&other))).map_err(trap)
        }
    }
    host_fn! {
        fn metadata_hash(&mut self, this: Resource<Descriptor>) -> FsResult<wit::MetadataHashValue> {
            fs_result(
                wait!(self, descriptor::metadata_hash(self, handle(&this))),
                Convert::convert,
            )
        }
    }
    host_fn! {
        fn metadata_hash_at(
            &mut self,
            this: Resource<Descriptor>,
            path_flags: wit::PathFlags,
            path: String,
        ) -> FsResult<wit::MetadataHashValue> {
            fs_result(
                wait!(self, descriptor::metadata_hash_at(self, handle(&this), path_flags.convert(), path)),
                Convert::convert,
            )
        }
    }
    host_fn! {
        fn drop(&mut self, this: Resource<Descriptor>) -> wasmtime::Result<()> {
            descriptor::drop(self, handle(&this)).map_err(trap)
        }
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
    host_fn! {
        fn read_directory_entry(
            &mut self,
            this: Resource<DirectoryEntryStream>,
        ) -> FsResult<Option<wit::DirectoryEntry>> {
            fs_result(
                wait!(self, directory_entry_stream::read_directory_entry(self, handle(&this))),
                |entry| entry.map(Convert::convert),
            )
        }
    }
    host_fn! {
        fn drop(&mut self, this: Resource<DirectoryEntryStream>) -> wasmtime::Result<()> {
            directory_entry_stream::drop(self, handle(&this)).map_err(trap)
        }
    }
}

