//! `wasi:filesystem/types`: descriptors over the capability layer's files
//! and directories, directory listings, and the error code behind a
//! stream's failure.
//!
//! Every path is handed, as the guest wrote it, to the [`fs::Dir`] the
//! descriptor holds, which resolves it beneath itself; nothing here looks
//! inside a path. Host errors become error codes in one place
//! ([`ErrorCode`]'s conversion from `io::Error`).
//!
//! Permissions are checked here first and again by the capability layer. A
//! directory descriptor without `mutate-directory` refuses every change
//! beneath it with `not-permitted`; a file descriptor opened without
//! `write` refuses writes and resizing with `bad-descriptor` (as POSIX does
//! for a descriptor not open for writing) and new timestamps with
//! `not-permitted`; one opened without `read` refuses reads with
//! `bad-descriptor`. A descriptor opened beneath another never holds more:
//! asking for `write` or `mutate-directory`, or to create or truncate,
//! beneath a directory without `mutate-directory` is refused, and a
//! directory opened beneath one inherits its `mutate-directory` and nothing
//! else.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::io::{self, IoSlice};
use std::sync::{Arc, Mutex, PoisonError};

use crate::fs::{self, DirPerms, Handle, SetTime};
use crate::p2::clocks::wall_clock::Datetime;
use crate::p2::io::error::IoError;
use crate::p2::io::streams::{InputStream, OutputStream, MAX_READ};
use crate::p2::{ErrorCode, Failure, Resource, Trap, WasiP2Ctx};

/// What a call with the WIT's `result<_, error-code>` returns.
pub type FsResult<T> = Result<T, Failure<ErrorCode>>;

/// `filesize`: a file size, or the length of a region within a file.
pub type Filesize = u64;

/// `link-count`: the number of hard links to an inode.
pub type LinkCount = u64;

/// `descriptor-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DescriptorType {
    /// `unknown`: none of the others, or not known.
    Unknown,
    /// `block-device`.
    BlockDevice,
    /// `character-device`.
    CharacterDevice,
    /// `directory`.
    Directory,
    /// `fifo`: a named pipe. The capability layer does not tell pipes from
    /// other unknown objects, so it reports those as `unknown`.
    Fifo,
    /// `symbolic-link`.
    SymbolicLink,
    /// `regular-file`.
    RegularFile,
    /// `socket`.
    Socket,
}

impl From<fs::FileType> for DescriptorType {
    fn from(filetype: fs::FileType) -> Self {
        match filetype {
            fs::FileType::Unknown => DescriptorType::Unknown,
            fs::FileType::BlockDevice => DescriptorType::BlockDevice,
            fs::FileType::CharacterDevice => DescriptorType::CharacterDevice,
            fs::FileType::Directory => DescriptorType::Directory,
            fs::FileType::RegularFile => DescriptorType::RegularFile,
            fs::FileType::SocketDgram | fs::FileType::SocketStream => DescriptorType::Socket,
            fs::FileType::SymbolicLink => DescriptorType::SymbolicLink,
        }
    }
}

/// Defines a WIT `flags` type: bit `n` is the WIT's `n`th flag, as the
/// canonical ABI lays them out.
macro_rules! wit_flags {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$flag_meta:meta])* $flag:ident = $bit:literal;)* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
        pub struct $name(u8);

        impl $name {
            $(
                $(#[$flag_meta])*
                pub const $flag: $name = $name(1 << $bit);
            )*

            /// No flag set.
            pub const fn empty() -> Self {
                $name(0)
            }

            /// Every flag the WIT defines.
            pub const fn all() -> Self {
                $name(0 $(| (1 << $bit))*)
            }

            /// The flags as bits, bit `n` for the WIT's `n`th flag.
            pub const fn bits(self) -> u8 {
                self.0
            }

            /// The flags in `bits`; `None` if a bit the WIT does not define
            /// is set.
            pub const fn from_bits(bits: u8) -> Option<Self> {
                if bits & !Self::all().0 == 0 {
                    Some($name(bits))
                } else {
                    None
                }
            }

            /// Whether every flag of `other` is set.
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }

            /// Whether any flag of `other` is set.
            pub const fn intersects(self, other: Self) -> bool {
                self.0 & other.0 != 0
            }

            /// Whether no flag is set.
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }
        }

        impl std::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }
        }

        impl std::ops::BitOrAssign for $name {
            fn bitor_assign(&mut self, other: $name) {
                self.0 |= other.0;
            }
        }

        impl std::ops::BitAnd for $name {
            type Output = $name;
            fn bitand(self, other: $name) -> $name {
                $name(self.0 & other.0)
            }
        }

        impl std::ops::Sub for $name {
            type Output = $name;
            /// The flags of `self` that `other` does not have.
            fn sub(self, other: $name) -> $name {
                $name(self.0 & !other.0)
            }
        }
    };
}

wit_flags! {
    /// `descriptor-flags`: what a descriptor was opened for.
    DescriptorFlags {
        /// `read`: data can be read.
        READ = 0;
        /// `write`: data can be written.
        WRITE = 1;
        /// `file-integrity-sync`: writes reach storage with data and
        /// metadata (`O_SYNC`).
        FILE_INTEGRITY_SYNC = 2;
        /// `data-integrity-sync`: writes reach storage with their data
        /// (`O_DSYNC`).
        DATA_INTEGRITY_SYNC = 3;
        /// `requested-write-sync`: reads wait as writes do (`O_RSYNC`).
        REQUESTED_WRITE_SYNC = 4;
        /// `mutate-directory`: what is beneath the directory may change.
        /// Only directories have it.
        MUTATE_DIRECTORY = 5;
    }
}

wit_flags! {
    /// `path-flags`: how a path is resolved.
    PathFlags {
        /// `symlink-follow`: a symlink in the last component is followed.
        SYMLINK_FOLLOW = 0;
    }
}

wit_flags! {
    /// `open-flags`: how `open-at` opens.
    OpenFlags {
        /// `create`: create the file if it does not exist (`O_CREAT`).
        CREATE = 0;
        /// `directory`: fail unless it is a directory (`O_DIRECTORY`).
        DIRECTORY = 1;
        /// `exclusive`: with `create`, fail if it exists (`O_EXCL`).
        EXCLUSIVE = 2;
        /// `truncate`: truncate the file to size 0 (`O_TRUNC`).
        TRUNCATE = 3;
    }
}

/// `descriptor-stat`: a file's attributes, without device and inode
/// numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DescriptorStat {
    /// `type`.
    pub type_: DescriptorType,
    /// `link-count`.
    pub link_count: LinkCount,
    /// `size`: bytes in a file, or in a symlink's contents.
    pub size: Filesize,
    /// `data-access-timestamp`.
    pub data_access_timestamp: Option<Datetime>,
    /// `data-modification-timestamp`.
    pub data_modification_timestamp: Option<Datetime>,
    /// `status-change-timestamp`.
    pub status_change_timestamp: Option<Datetime>,
}

impl From<fs::Filestat> for DescriptorStat {
    fn from(st: fs::Filestat) -> Self {
        DescriptorStat {
            type_: st.filetype.into(),
            link_count: st.nlink,
            size: st.size,
            data_access_timestamp: Some(Datetime::from_nanos(st.atim)),
            data_modification_timestamp: Some(Datetime::from_nanos(st.mtim)),
            status_change_timestamp: Some(Datetime::from_nanos(st.ctim)),
        }
    }
}

/// `new-timestamp`: what to set a timestamp to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewTimestamp {
    /// `no-change`: leave it.
    NoChange,
    /// `now`: the filesystem's current time.
    Now,
    /// `timestamp`: this time.
    Timestamp(Datetime),
}

impl NewTimestamp {
    /// The capability layer's form: `None` leaves the timestamp alone. A
    /// time with nanoseconds past a second is `invalid`; one too far in
    /// the future to count in nanoseconds is an `overflow`.
    fn to_set_time(self) -> Result<Option<SetTime>, ErrorCode> {
        match self {
            NewTimestamp::NoChange => Ok(None),
            NewTimestamp::Now => Ok(Some(SetTime::Now)),
            NewTimestamp::Timestamp(at) => {
                if at.nanoseconds >= 1_000_000_000 {
                    return Err(ErrorCode::Invalid);
                }
                at.seconds
                    .checked_mul(1_000_000_000)
                    .and_then(|nanos| nanos.checked_add(u64::from(at.nanoseconds)))
                    .map(|nanos| Some(SetTime::At(nanos)))
                    .ok_or(ErrorCode::Overflow)
            }
        }
    }
}

/// `directory-entry`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// `type`: what the entry is, as the listing says (a symlink is not
    /// followed).
    pub type_: DescriptorType,
    /// `name`.
    pub name: String,
}

/// `advice`: how a range of a file will be used; the capability layer's
/// own type, whose cases are the WIT's.
pub use crate::fs::Advice;

/// `metadata-hash-value`: 128 bits in two halves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetadataHashValue {
    /// `lower`.
    pub lower: u64,
    /// `upper`.
    pub upper: u64,
}

/// The secret that keys a context's metadata hashes, so that a hash says
/// nothing a guest could compute from inode numbers, and two contexts'
/// hashes of one file differ.
pub(crate) struct MetadataKey(RandomState);

impl MetadataKey {
    /// A fresh key.
    pub(crate) fn new() -> Self {
        MetadataKey(RandomState::new())
    }

    /// The hash of what identifies `st` and changes when it is modified or
    /// replaced: device, inode, size and modification time.
    fn hash(&self, st: &fs::Filestat) -> MetadataHashValue {
        let half = |salt: u8| self.0.hash_one((salt, st.dev, st.ino, st.size, st.mtim));
        MetadataHashValue {
            lower: half(0),
            upper: half(1),
        }
    }
}

/// A `descriptor` resource: a shared handle to a file or directory, and
/// what it was opened for.
#[derive(Clone)]
pub struct Descriptor {
    handle: Handle,
    flags: DescriptorFlags,
}

/// What a descriptor's object turned out to be.
enum Object<'a> {
    File(&'a Arc<dyn fs::File>),
    Dir(&'a dyn fs::Dir),
}

impl Descriptor {
    /// A preopened directory granted with `perms`: readable, and mutable
    /// only under a read-write grant.
    pub(crate) fn preopen(dir: Arc<dyn fs::Dir>, perms: DirPerms) -> Self {
        let mut flags = DescriptorFlags::READ;
        if perms.can_mutate() {
            flags |= DescriptorFlags::MUTATE_DIRECTORY;
        }
        Descriptor {
            handle: Handle::Dir(dir),
            flags,
        }
    }

    /// A file or a directory? A file handle that may be a directory is
    /// looked at on first use.
    fn object(&self) -> io::Result<Object<'_>> {
        match &self.handle {
            Handle::Dir(dir) => Ok(Object::Dir(dir.as_ref())),
            Handle::File(file) => match file.as_dir()? {
                Some(dir) => Ok(Object::Dir(dir)),
                None => Ok(Object::File(file)),
            },
        }
    }

    fn stat(&self) -> io::Result<fs::Filestat> {
        match &self.handle {
            Handle::Dir(dir) => dir.stat(),
            Handle::File(file) => file.stat(),
        }
    }

    fn can_mutate(&self) -> bool {
        self.flags.contains(DescriptorFlags::MUTATE_DIRECTORY)
    }

    /// The directory; `not-directory` if it is a file.
    fn dir(&self) -> FsResult<&dyn fs::Dir> {
        match self.object()? {
            Object::Dir(dir) => Ok(dir),
            Object::File(_) => Err(ErrorCode::NotDirectory.into()),
        }
    }

    /// The directory, which must have `mutate-directory` for `call` to
    /// change `path` beneath it.
    fn mutable_dir(&self, call: &'static str, path: &str) -> FsResult<&dyn fs::Dir> {
        let dir = self.dir()?;
        if !self.can_mutate() {
            return refuse(call, path, "the directory lacks mutate-directory");
        }
        Ok(dir)
    }

    /// The file, which must have been opened with `needed`. A directory is
    /// `on_dir`; a file without `needed` is `bad-descriptor`, as POSIX
    /// answers for a descriptor not open for reading or writing.
    fn file(&self, needed: DescriptorFlags, on_dir: ErrorCode) -> FsResult<&Arc<dyn fs::File>> {
        match self.object()? {
            Object::Dir(_) => Err(on_dir.into()),
            Object::File(_) if !self.flags.contains(needed) => Err(ErrorCode::BadDescriptor.into()),
            Object::File(file) => Ok(file),
        }
    }
}

/// The descriptor behind `this`.
fn get(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> Result<&Descriptor, Trap> {
    Ok(ctx.table.get(this)?)
}

/// Runs `work` on a share of the descriptor `this`, as the context's
/// [`Execution`](crate::execution::Execution) runs filesystem work: inline,
/// or on tokio's blocking pool.
async fn on<R: Send + 'static>(
    ctx: &WasiP2Ctx,
    this: Resource<Descriptor>,
    work: impl FnOnce(&Descriptor) -> FsResult<R> + Send + 'static,
) -> FsResult<R> {
    let d = get(ctx, this)?.clone();
    ctx.execution.offload(move || work(&d)).await?
}

/// [`on`], for a call on two descriptors.
async fn on_both<R: Send + 'static>(
    ctx: &WasiP2Ctx,
    this: Resource<Descriptor>,
    other: Resource<Descriptor>,
    work: impl FnOnce(&Descriptor, &Descriptor) -> FsResult<R> + Send + 'static,
) -> FsResult<R> {
    let (a, b) = (get(ctx, this)?.clone(), get(ctx, other)?.clone());
    ctx.execution.offload(move || work(&a, &b)).await?
}

/// A host result as the guest sees it; a refusal is reported to the
/// embedder with the call and path it concerned.
fn host<T>(call: &'static str, path: &str, result: io::Result<T>) -> FsResult<T> {
    result.map_err(|err| {
        let code = ErrorCode::from(err);
        if matches!(code, ErrorCode::NotPermitted | ErrorCode::Access) {
            tracing::info!(call, path, %code, "refused");
        }
        Failure::Error(code)
    })
}

/// Refuses `call` on `path` with `not-permitted`, telling the embedder
/// why.
fn refuse<T>(call: &'static str, path: &str, why: &'static str) -> FsResult<T> {
    tracing::info!(call, path, why, "refused");
    Err(Failure::Error(ErrorCode::NotPermitted))
}

/// `filesystem-error-code`: the error code of the host error behind a
/// stream's `last-operation-failed`. Every stream error this crate makes
/// is a host error, so there is always one.
pub fn filesystem_error_code(
    ctx: &WasiP2Ctx,
    err: Resource<IoError>,
) -> Result<Option<ErrorCode>, Trap> {
    let copy = crate::p2::io::error::host_error(ctx, err)?;
    Ok(Some(ErrorCode::from(copy)))
}

/// The methods of `descriptor`. Those that touch the filesystem are
/// `async`: they run their work as the context's
/// [`Execution`](crate::execution::Execution) says.
pub mod descriptor {
    use super::*;

    /// `read-via-stream`: a stream reading the file from `offset` on. The
    /// stream is the descriptor's child: the descriptor cannot be dropped
    /// before it.
    pub fn read_via_stream(
        ctx: &mut WasiP2Ctx,
        this: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<InputStream>> {
        let file = get(ctx, this)?.file(DescriptorFlags::READ, ErrorCode::IsDirectory)?;
        let stream = InputStream::at(Arc::clone(file), offset);
        Ok(ctx.table.push_child(stream, this)?)
    }

    /// `write-via-stream`: a stream writing the file from `offset` on, a
    /// child of the descriptor.
    pub fn write_via_stream(
        ctx: &mut WasiP2Ctx,
        this: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<OutputStream>> {
        let file = get(ctx, this)?.file(DescriptorFlags::WRITE, ErrorCode::BadDescriptor)?;
        let stream = OutputStream::at(Arc::clone(file), offset);
        Ok(ctx.table.push_child(stream, this)?)
    }

    /// `append-via-stream`: a stream writing at the end of the file, a
    /// child of the descriptor.
    pub fn append_via_stream(
        ctx: &mut WasiP2Ctx,
        this: Resource<Descriptor>,
    ) -> FsResult<Resource<OutputStream>> {
        let file = get(ctx, this)?.file(DescriptorFlags::WRITE, ErrorCode::BadDescriptor)?;
        let stream = OutputStream::append(Arc::clone(file));
        Ok(ctx.table.push_child(stream, this)?)
    }

    /// `advise`: passes an access-pattern hint for a range of a file on.
    pub async fn advise(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        offset: Filesize,
        length: Filesize,
        advice: Advice,
    ) -> FsResult<()> {
        on(ctx, this, move |d| {
            let file = d.file(DescriptorFlags::empty(), ErrorCode::BadDescriptor)?;
            Ok(file.advise(offset, length, advice)?)
        })
        .await
    }

    /// Flushes a descriptor with `flush`, or succeeds with no effect if it
    /// cannot have changed anything (a file without `write`, a directory
    /// without `mutate-directory`), as the WIT says.
    async fn flush(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        flush: fn(&dyn fs::File) -> io::Result<()>,
    ) -> FsResult<()> {
        on(ctx, this, move |d| match d.object()? {
            Object::File(file) if d.flags.contains(DescriptorFlags::WRITE) => {
                Ok(flush(file.as_ref())?)
            }
            Object::Dir(dir) if d.can_mutate() => Ok(dir.sync()?),
            Object::File(_) | Object::Dir(_) => Ok(()),
        })
        .await
    }

    /// `sync-data`: flushes a file's data to storage (`fdatasync`).
    pub async fn sync_data(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> FsResult<()> {
        flush(ctx, this, |file| file.sync_data()).await
    }

    /// `sync`: flushes data and metadata to storage (`fsync`).
    pub async fn sync(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> FsResult<()> {
        flush(ctx, this, |file| file.sync_all()).await
    }

    /// `get-flags`: what the descriptor was opened for; only a directory
    /// has `mutate-directory`.
    pub fn get_flags(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> FsResult<DescriptorFlags> {
        let d = get(ctx, this)?;
        Ok(match d.object()? {
            Object::Dir(_) => d.flags,
            Object::File(_) => d.flags - DescriptorFlags::MUTATE_DIRECTORY,
        })
    }

    /// `get-type`: what the descriptor refers to.
    pub async fn get_type(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> FsResult<DescriptorType> {
        on(ctx, this, |d| {
            Ok(match d.object()? {
                Object::Dir(_) => DescriptorType::Directory,
                Object::File(file) => file.filetype()?.into(),
            })
        })
        .await
    }

    /// `set-size`: truncates or zero-extends a file opened for writing.
    pub async fn set_size(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        size: Filesize,
    ) -> FsResult<()> {
        on(ctx, this, move |d| {
            let file = d.file(DescriptorFlags::WRITE, ErrorCode::BadDescriptor)?;
            Ok(file.set_size(size)?)
        })
        .await
    }

    /// `set-times`: changes the timestamps of a file opened for writing,
    /// or of a directory with `mutate-directory`.
    pub async fn set_times(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FsResult<()> {
        let atime = data_access_timestamp.to_set_time()?;
        let mtime = data_modification_timestamp.to_set_time()?;
        on(ctx, this, move |d| match d.object()? {
            Object::File(file) if d.flags.contains(DescriptorFlags::WRITE) => {
                host("set-times", "", file.set_times(atime, mtime))
            }
            Object::File(_) => refuse("set-times", "", "the file was not opened for writing"),
            Object::Dir(dir) if d.can_mutate() => {
                host("set-times", "", dir.set_times(atime, mtime))
            }
            Object::Dir(_) => refuse("set-times", "", "the directory lacks mutate-directory"),
        })
        .await
    }

    /// `read`: up to `length` bytes from `offset`, without a position of
    /// its own, and whether the end of the file was reached. At most
    /// [`MAX_READ`] bytes come back at once; fewer than were asked for (and
    /// could be) means the end was reached.
    pub async fn read(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        length: Filesize,
        offset: Filesize,
    ) -> FsResult<(Vec<u8>, bool)> {
        on(ctx, this, move |d| {
            let file = d.file(DescriptorFlags::READ, ErrorCode::IsDirectory)?;
            let wanted = length.min(MAX_READ) as usize;
            // `with_capacity` gives exactly `wanted`, so the read is
            // bounded by it.
            let mut buf = Vec::with_capacity(wanted);
            let n = loop {
                match file.read_to_spare(&mut buf, Some(offset)) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    result => break result?,
                }
            };
            Ok((buf, n < wanted))
        })
        .await
    }

    /// `write`: writes `buffer` at `offset`, without a position of its own,
    /// and says how many bytes were written (perhaps fewer).
    pub async fn write(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        buffer: impl Into<Vec<u8>>,
        offset: Filesize,
    ) -> FsResult<Filesize> {
        let buffer = buffer.into();
        on(ctx, this, move |d| {
            let file = d.file(DescriptorFlags::WRITE, ErrorCode::BadDescriptor)?;
            let n = file.write_vectored_at(&[IoSlice::new(&buffer)], offset)?;
            Ok(n as Filesize)
        })
        .await
    }

    /// `read-directory`: a listing from the start, without `.` and `..`. It
    /// is the descriptor's child.
    pub async fn read_directory(
        ctx: &mut WasiP2Ctx,
        this: Resource<Descriptor>,
    ) -> FsResult<Resource<DirectoryEntryStream>> {
        let entries = on(ctx, this, |d| Ok(d.dir()?.entries()?)).await?;
        let stream = DirectoryEntryStream {
            listing: Arc::new(Mutex::new(Listing {
                entries,
                scratch: fs::DirEntry::default(),
                done: false,
            })),
        };
        Ok(ctx.table.push_child(stream, this)?)
    }

    /// Makes `change` to `path` beneath the directory `this`, which needs
    /// `mutate-directory` for it.
    async fn change_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        call: &'static str,
        path: String,
        change: fn(&dyn fs::Dir, &str) -> io::Result<()>,
    ) -> FsResult<()> {
        on(ctx, this, move |d| {
            host(call, &path, change(d.mutable_dir(call, &path)?, &path))
        })
        .await
    }

    /// `create-directory-at`.
    pub async fn create_directory_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path: impl Into<String>,
    ) -> FsResult<()> {
        let call = "create-directory-at";
        change_at(ctx, this, call, path.into(), |dir, path| {
            dir.create_dir(path)
        })
        .await
    }

    /// `stat`: the attributes of the descriptor's object.
    pub async fn stat(ctx: &WasiP2Ctx, this: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        on(ctx, this, |d| Ok(d.stat()?.into())).await
    }

    /// The host's attributes of `path` beneath the directory `this`.
    async fn stat_of(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        call: &'static str,
        path_flags: PathFlags,
        path: String,
    ) -> FsResult<fs::Filestat> {
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        on(ctx, this, move |d| {
            host(call, &path, d.dir()?.stat_at(&path, follow))
        })
        .await
    }

    /// `stat-at`: the attributes of `path`.
    pub async fn stat_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path_flags: PathFlags,
        path: impl Into<String>,
    ) -> FsResult<DescriptorStat> {
        let st = stat_of(ctx, this, "stat-at", path_flags, path.into()).await?;
        Ok(st.into())
    }

    /// `set-times-at`: changes the timestamps of `path`.
    pub async fn set_times_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path_flags: PathFlags,
        path: impl Into<String>,
        data_access_timestamp: NewTimestamp,
        data_modification_timestamp: NewTimestamp,
    ) -> FsResult<()> {
        let path = path.into();
        let atime = data_access_timestamp.to_set_time()?;
        let mtime = data_modification_timestamp.to_set_time()?;
        let follow = path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        on(ctx, this, move |d| {
            let call = "set-times-at";
            let dir = d.mutable_dir(call, &path)?;
            host(call, &path, dir.set_times_at(&path, follow, atime, mtime))
        })
        .await
    }

    /// `link-at`: makes `new-path` beneath `new_descriptor` another name
    /// for `old-path`. Both directories need `mutate-directory`, so no link
    /// gives a read-only file a writable name.
    pub async fn link_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        old_path_flags: PathFlags,
        old_path: impl Into<String>,
        new_descriptor: Resource<Descriptor>,
        new_path: impl Into<String>,
    ) -> FsResult<()> {
        let (old_path, new_path) = (old_path.into(), new_path.into());
        let follow = old_path_flags.contains(PathFlags::SYMLINK_FOLLOW);
        on_both(ctx, this, new_descriptor, move |from, to| {
            let call = "link-at";
            let from = from.mutable_dir(call, &old_path)?;
            let to = to.mutable_dir(call, &new_path)?;
            host(
                call,
                &old_path,
                from.hard_link(&old_path, follow, to, &new_path),
            )
        })
        .await
    }

    /// `open-at`: opens `path` beneath the directory. Asking for `write` or
    /// `mutate-directory`, or to create or truncate, needs
    /// `mutate-directory`; a directory opened here inherits this one's
    /// `mutate-directory`.
    pub async fn open_at(
        ctx: &mut WasiP2Ctx,
        this: Resource<Descriptor>,
        path_flags: PathFlags,
        path: impl Into<String>,
        open_flags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let path = path.into();
        // As open(2) on Linux: no creating a directory by opening it.
        if open_flags.contains(OpenFlags::DIRECTORY | OpenFlags::CREATE) {
            return Err(ErrorCode::Invalid.into());
        }
        let options = fs::OpenOptions {
            read: flags.contains(DescriptorFlags::READ),
            write: flags.contains(DescriptorFlags::WRITE),
            create: open_flags.contains(OpenFlags::CREATE),
            exclusive: open_flags.contains(OpenFlags::EXCLUSIVE),
            truncate: open_flags.contains(OpenFlags::TRUNCATE),
            directory: open_flags.contains(OpenFlags::DIRECTORY),
            follow: path_flags.contains(PathFlags::SYMLINK_FOLLOW),
            flags: fs::FdFlags {
                append: false,
                nonblock: false,
                dsync: flags.contains(DescriptorFlags::DATA_INTEGRITY_SYNC),
                rsync: flags.contains(DescriptorFlags::REQUESTED_WRITE_SYNC),
                sync: flags.contains(DescriptorFlags::FILE_INTEGRITY_SYNC),
            },
        };
        let mutates = flags.intersects(DescriptorFlags::WRITE | DescriptorFlags::MUTATE_DIRECTORY)
            || open_flags.intersects(OpenFlags::CREATE | OpenFlags::TRUNCATE);
        let child = on(ctx, this, move |parent| {
            let call = "open-at";
            let Object::Dir(dir) = parent.object()? else {
                return Err(ErrorCode::NotDirectory.into());
            };
            if mutates && !parent.can_mutate() {
                return refuse(call, &path, "the directory lacks mutate-directory");
            }
            let inherited = parent.flags & DescriptorFlags::MUTATE_DIRECTORY;
            Ok(Descriptor {
                handle: Handle::from(host(call, &path, dir.open(&path, &options))?),
                flags: (flags - DescriptorFlags::MUTATE_DIRECTORY) | inherited,
            })
        })
        .await?;
        Ok(ctx.table.push(child)?)
    }

    /// `readlink-at`: the contents of the symlink at `path`; one that names
    /// an absolute path is `not-permitted`, as the WIT says.
    pub async fn readlink_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path: impl Into<String>,
    ) -> FsResult<String> {
        let path = path.into();
        on(ctx, this, move |d| {
            let target = host("readlink-at", &path, d.dir()?.read_link(&path))?;
            if target.starts_with('/') {
                return refuse("readlink-at", &path, "the symlink names an absolute path");
            }
            Ok(target)
        })
        .await
    }

    /// `remove-directory-at`: removes an empty directory.
    pub async fn remove_directory_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path: impl Into<String>,
    ) -> FsResult<()> {
        let call = "remove-directory-at";
        change_at(ctx, this, call, path.into(), |dir, path| {
            dir.remove_dir(path)
        })
        .await
    }

    /// `rename-at`: moves `old-path` to `new-path` beneath
    /// `new_descriptor`. Both directories need `mutate-directory`.
    pub async fn rename_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        old_path: impl Into<String>,
        new_descriptor: Resource<Descriptor>,
        new_path: impl Into<String>,
    ) -> FsResult<()> {
        let (old_path, new_path) = (old_path.into(), new_path.into());
        on_both(ctx, this, new_descriptor, move |from, to| {
            let call = "rename-at";
            let from = from.mutable_dir(call, &old_path)?;
            let to = to.mutable_dir(call, &new_path)?;
            host(call, &old_path, from.rename(&old_path, to, &new_path))
        })
        .await
    }

    /// `symlink-at`: creates a symlink at `new-path` whose contents are
    /// `old-path`. An absolute `old-path` is `not-permitted`.
    pub async fn symlink_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        old_path: impl Into<String>,
        new_path: impl Into<String>,
    ) -> FsResult<()> {
        let (old_path, new_path) = (old_path.into(), new_path.into());
        on(ctx, this, move |d| {
            let call = "symlink-at";
            let dir = d.mutable_dir(call, &new_path)?;
            if old_path.starts_with('/') {
                return refuse(call, &new_path, "the target is an absolute path");
            }
            host(call, &new_path, dir.symlink(&old_path, &new_path))
        })
        .await
    }

    /// `unlink-file-at`: removes a non-directory (a symlink itself, not
    /// what it points to).
    pub async fn unlink_file_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path: impl Into<String>,
    ) -> FsResult<()> {
        let call = "unlink-file-at";
        change_at(ctx, this, call, path.into(), |dir, path| dir.unlink(path)).await
    }

    /// `is-same-object`: whether both descriptors refer to one object (the
    /// same device and inode). An object that cannot be looked at is not
    /// known to be the same.
    pub async fn is_same_object(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> Result<bool, Trap> {
        let same = on_both(ctx, this, other, |a, b| {
            Ok(match (a.stat(), b.stat()) {
                (Ok(a), Ok(b)) => a.dev == b.dev && a.ino == b.ino,
                _ => false,
            })
        });
        match same.await {
            Ok(same) => Ok(same),
            Err(Failure::Trap(trap)) => Err(trap),
            Err(Failure::Error(_)) => Ok(false),
        }
    }

    /// `metadata-hash`: a hash, keyed by a secret of the context, of the
    /// object's identity, size and modification time.
    pub async fn metadata_hash(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
    ) -> FsResult<MetadataHashValue> {
        let st = on(ctx, this, |d| Ok(d.stat()?)).await?;
        Ok(ctx.metadata_key.hash(&st))
    }

    /// `metadata-hash-at`: the same hash, of `path`.
    pub async fn metadata_hash_at(
        ctx: &WasiP2Ctx,
        this: Resource<Descriptor>,
        path_flags: PathFlags,
        path: impl Into<String>,
    ) -> FsResult<MetadataHashValue> {
        let st = stat_of(ctx, this, "metadata-hash-at", path_flags, path.into()).await?;
        Ok(ctx.metadata_key.hash(&st))
    }

    /// Drops a descriptor. One with live streams or listings traps: they
    /// must be dropped first.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<Descriptor>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

/// A listing and where its reading stands.
struct Listing {
    entries: fs::DirEntries,
    /// The entry each read overwrites.
    scratch: fs::DirEntry,
    /// The end was reached.
    done: bool,
}

/// A `directory-entry-stream` resource: a listing read an entry at a time.
pub struct DirectoryEntryStream {
    /// Shared with the read in progress, which may run on another thread;
    /// a guest's reads of one listing never overlap, so the lock is never
    /// contended.
    listing: Arc<Mutex<Listing>>,
}

/// The methods of `directory-entry-stream`.
pub mod directory_entry_stream {
    use super::*;

    /// `read-directory-entry`: the next entry, or `None` at the end.
    pub async fn read_directory_entry(
        ctx: &WasiP2Ctx,
        this: Resource<DirectoryEntryStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let listing = Arc::clone(&ctx.table.get(this)?.listing);
        let next = move || -> FsResult<Option<DirectoryEntry>> {
            let mut listing = listing.lock().unwrap_or_else(PoisonError::into_inner);
            let Listing {
                entries,
                scratch,
                done,
            } = &mut *listing;
            if *done {
                return Ok(None);
            }
            if entries.next_into(scratch)? {
                Ok(Some(DirectoryEntry {
                    type_: scratch.filetype.into(),
                    name: scratch.name.clone(),
                }))
            } else {
                *done = true;
                Ok(None)
            }
        };
        ctx.execution.offload(next).await?
    }

    /// Drops a listing.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<DirectoryEntryStream>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Debug;
    use std::path::Path;

    use super::descriptor as d;
    use super::directory_entry_stream as listing;
    use super::*;
    use crate::p2::filesystem::preopens::get_directories;
    use crate::p2::io::streams::{self, StreamError};
    use crate::p2::testing::{self, blocking};

    const NOFOLLOW: PathFlags = PathFlags::empty();
    const FOLLOW: PathFlags = PathFlags::SYMLINK_FOLLOW;
    const NONE: OpenFlags = OpenFlags::empty();
    const R: DescriptorFlags = DescriptorFlags::READ;
    const W: DescriptorFlags = DescriptorFlags::WRITE;
    const MUTATE: DescriptorFlags = DescriptorFlags::MUTATE_DIRECTORY;

    fn ok<T, E: Debug>(result: Result<T, E>) -> T {
        match result {
            Ok(value) => value,
            Err(err) => panic!("unexpected failure: {err:?}"),
        }
    }

    fn code<T: Debug>(result: FsResult<T>) -> ErrorCode {
        match result {
            Err(Failure::Error(code)) => code,
            other => panic!("expected an error code, got {other:?}"),
        }
    }

    fn traps<T: Debug>(result: FsResult<T>) -> bool {
        matches!(result, Err(Failure::Trap(_)))
    }

    fn tempdir() -> tempfile::TempDir {
        ok(tempfile::tempdir())
    }

    /// A context granting each `(host, perms)` as `/sandbox0`, `/sandbox1`,
    /// …, and their descriptors.
    fn grant(dirs: &[(&Path, DirPerms)]) -> (WasiP2Ctx, Vec<Resource<Descriptor>>) {
        let mut ctx = testing::ctx(|b| {
            for (i, (host, perms)) in dirs.iter().enumerate() {
                ok(b.preopened_dir(host, format!("/sandbox{i}"), *perms));
            }
        });
        let preopens = ok(get_directories(&mut ctx));
        let names: Vec<_> = preopens.iter().map(|(_, name)| name.clone()).collect();
        let expected: Vec<_> = (0..dirs.len()).map(|i| format!("/sandbox{i}")).collect();
        assert_eq!(names, expected);
        let descriptors = preopens.into_iter().map(|(d, _)| d).collect();
        (ctx, descriptors)
    }

    fn sandbox(host: &Path, perms: DirPerms) -> (WasiP2Ctx, Resource<Descriptor>) {
        let (ctx, descriptors) = grant(&[(host, perms)]);
        (ctx, descriptors[0])
    }

    fn create(ctx: &mut WasiP2Ctx, dir: Resource<Descriptor>, path: &str) -> Resource<Descriptor> {
        ok(blocking(d::open_at(
            ctx,
            dir,
            NOFOLLOW,
            path,
            OpenFlags::CREATE,
            R | W,
        )))
    }

    fn listing_of(ctx: &mut WasiP2Ctx, dir: Resource<Descriptor>) -> Vec<(String, DescriptorType)> {
        let stream = ok(blocking(d::read_directory(ctx, dir)));
        let mut entries = Vec::new();
        while let Some(entry) = ok(blocking(listing::read_directory_entry(ctx, stream))) {
            entries.push((entry.name, entry.type_));
        }
        assert_eq!(
            ok(blocking(listing::read_directory_entry(ctx, stream))),
            None
        );
        ok(listing::drop(ctx, stream));
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        entries
    }

    #[test]
    fn files_read_write_stat_and_resize() {
        let tmp = tempdir();
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadWrite);
        let f = create(&mut ctx, root, "a.txt");
        assert_eq!(ok(blocking(d::write(&ctx, f, b"hello", 0))), 5);
        assert_eq!(ok(blocking(d::write(&ctx, f, b"world", 10))), 5);
        assert_eq!(
            ok(blocking(d::read(&ctx, f, 100, 0))),
            (b"hello\0\0\0\0\0world".to_vec(), true)
        );
        assert_eq!(
            ok(blocking(d::read(&ctx, f, 3, 1))),
            (b"ell".to_vec(), false)
        );
        assert_eq!(ok(blocking(d::read(&ctx, f, 10, 100))), (Vec::new(), true));
        // Nothing asked for, nothing read, and not the end.
        assert_eq!(ok(blocking(d::read(&ctx, f, 0, 0))), (Vec::new(), false));
        // A huge length is a short read, not a huge allocation.
        assert_eq!(ok(blocking(d::read(&ctx, f, u64::MAX, 10))).0, b"world");

        let st = ok(blocking(d::stat(&ctx, f)));
        assert_eq!(st.type_, DescriptorType::RegularFile);
        assert_eq!((st.size, st.link_count), (15, 1));
        assert_eq!(
            ok(blocking(d::get_type(&ctx, f))),
            DescriptorType::RegularFile
        );
        assert_eq!(ok(d::get_flags(&ctx, f)), R | W);

        ok(blocking(d::set_size(&ctx, f, 4)));
        assert_eq!(ok(blocking(d::stat(&ctx, f))).size, 4);
        assert_eq!(ok(std::fs::read(tmp.path().join("a.txt"))), b"hell");

        let atime = Datetime {
            seconds: 1_000_000_000,
            nanoseconds: 5,
        };
        let mtime = Datetime {
            seconds: 1_500_000_000,
            nanoseconds: 0,
        };
        ok(blocking(d::set_times(
            &ctx,
            f,
            NewTimestamp::Timestamp(atime),
            NewTimestamp::NoChange,
        )));
        ok(blocking(d::set_times_at(
            &ctx,
            root,
            NOFOLLOW,
            "a.txt",
            NewTimestamp::NoChange,
            NewTimestamp::Timestamp(mtime),
        )));
        let st = ok(blocking(d::stat_at(&ctx, root, NOFOLLOW, "a.txt")));
        assert_eq!(st.data_access_timestamp, Some(atime));
        assert_eq!(st.data_modification_timestamp, Some(mtime));
        let bad = Datetime {
            seconds: 0,
            nanoseconds: 1_000_000_000,
        };
        assert_eq!(
            code(blocking(d::set_times(
                &ctx,
                f,
                NewTimestamp::Timestamp(bad),
                NewTimestamp::Now
            ))),
            ErrorCode::Invalid
        );
        ok(blocking(d::sync_data(&ctx, f)));
        ok(blocking(d::sync(&ctx, f)));
        ok(blocking(d::advise(&ctx, f, 0, 4, Advice::Sequential)));

        // Opening again: exclusive creation, truncation, what is missing.
        assert_eq!(
            code(blocking(d::open_at(
                &mut ctx,
                root,
                NOFOLLOW,
                "a.txt",
                OpenFlags::CREATE | OpenFlags::EXCLUSIVE,
                W
            ))),
            ErrorCode::Exist
        );
        assert_eq!(
            code(blocking(d::open_at(
                &mut ctx, root, NOFOLLOW, "missing", NONE, R
            ))),
            ErrorCode::NoEntry
        );
        assert_eq!(
            code(blocking(d::open_at(
                &mut ctx,
                root,
                NOFOLLOW,
                "a.txt",
                OpenFlags::DIRECTORY,
                R
            ))),
            ErrorCode::NotDirectory
        );
        assert_eq!(
            code(blocking(d::open_at(&mut ctx, f, NOFOLLOW, "x", NONE, R))),
            ErrorCode::NotDirectory
        );
        let t = ok(blocking(d::open_at(
            &mut ctx,
            root,
            NOFOLLOW,
            "a.txt",
            OpenFlags::TRUNCATE,
            W,
        )));
        assert_eq!(ok(blocking(d::stat(&ctx, t))).size, 0);

        // What a descriptor was not opened for.
        let write_only = t;
        assert_eq!(
            code(blocking(d::read(&ctx, write_only, 1, 0))),
            ErrorCode::BadDescriptor
        );
        let read_only = ok(blocking(d::open_at(
            &mut ctx, root, NOFOLLOW, "a.txt", NONE, R,
        )));
        assert_eq!(
            code(blocking(d::write(&ctx, read_only, b"x", 0))),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(blocking(d::set_size(&ctx, read_only, 0))),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(blocking(d::set_times(
                &ctx,
                read_only,
                NewTimestamp::Now,
                NewTimestamp::Now
            ))),
            ErrorCode::NotPermitted
        );
        // Nothing to flush through a descriptor that cannot write.
        ok(blocking(d::sync(&ctx, read_only)));
        assert_eq!(
            code(blocking(d::read(&ctx, root, 1, 0))),
            ErrorCode::IsDirectory
        );
        assert_eq!(
            code(blocking(d::write(&ctx, root, b"x", 0))),
            ErrorCode::BadDescriptor
        );
        for handle in [f, t, read_only, root] {
            ok(d::drop(&mut ctx, handle));
        }
        assert!(ctx.table.is_empty());
    }

    #[test]
    fn streams_are_children_of_their_descriptor() {
        let tmp = tempdir();
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadWrite);
        let f = create(&mut ctx, root, "log");
        let out = ok(d::write_via_stream(&mut ctx, f, 0));
        ok(blocking(streams::write(&mut ctx, out, b"stream data")));
        let tail = ok(d::append_via_stream(&mut ctx, f));
        ok(blocking(streams::write(&mut ctx, tail, b"!")));

        // The descriptor outlives its streams.
        assert!(matches!(d::drop(&mut ctx, f), Err(Trap(_))));
        ok(streams::drop_output(&mut ctx, out));
        ok(streams::drop_output(&mut ctx, tail));

        let input = ok(d::read_via_stream(&mut ctx, f, 0));
        assert_eq!(
            ok(blocking(streams::blocking_read(&mut ctx, input, 100))),
            b"stream data!"
        );
        assert_eq!(
            blocking(streams::blocking_read(&mut ctx, input, 100)),
            Err(Failure::Error(StreamError::Closed))
        );
        let from_7 = ok(d::read_via_stream(&mut ctx, f, 7));
        assert_eq!(
            ok(blocking(streams::blocking_read(&mut ctx, from_7, 4))),
            b"data"
        );
        assert!(matches!(d::drop(&mut ctx, f), Err(Trap(_))));
        ok(streams::drop_input(&mut ctx, input));
        ok(streams::drop_input(&mut ctx, from_7));
        ok(d::drop(&mut ctx, f));

        // Streams need a file opened for what they do.
        let read_only = ok(blocking(d::open_at(
            &mut ctx, root, NOFOLLOW, "log", NONE, R,
        )));
        assert_eq!(
            code(d::write_via_stream(&mut ctx, read_only, 0)),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(d::append_via_stream(&mut ctx, read_only)),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(d::read_via_stream(&mut ctx, root, 0)),
            ErrorCode::IsDirectory
        );
    }

    #[test]
    fn stream_errors_carry_their_code() {
        let mut ctx = testing::ctx(|_| {});
        let missing = ok(ctx
            .table
            .push(IoError(io::Error::from(rustix::io::Errno::NOENT))));
        let denied = ok(ctx
            .table
            .push(IoError(crate::CapabilityDenied::io("write"))));
        let zero = ok(ctx
            .table
            .push(IoError(io::Error::from(io::ErrorKind::WriteZero))));
        assert_eq!(
            filesystem_error_code(&ctx, missing),
            Ok(Some(ErrorCode::NoEntry))
        );
        assert_eq!(
            filesystem_error_code(&ctx, denied),
            Ok(Some(ErrorCode::NotPermitted))
        );
        assert_eq!(filesystem_error_code(&ctx, zero), Ok(Some(ErrorCode::Io)));
        assert!(filesystem_error_code(&ctx, Resource::new(99)).is_err());
    }

    #[test]
    fn directories_list_and_remove() {
        let tmp = tempdir();
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadWrite);
        ok(blocking(d::create_directory_at(&ctx, root, "sub")));
        assert_eq!(
            code(blocking(d::create_directory_at(&ctx, root, "sub"))),
            ErrorCode::Exist
        );
        let f = create(&mut ctx, root, "sub/f");
        ok(d::drop(&mut ctx, f));
        let a = create(&mut ctx, root, "a");
        ok(d::drop(&mut ctx, a));
        assert_eq!(
            listing_of(&mut ctx, root),
            vec![
                ("a".to_string(), DescriptorType::RegularFile),
                ("sub".to_string(), DescriptorType::Directory),
            ]
        );

        // A listing is the descriptor's child.
        let stream = ok(blocking(d::read_directory(&mut ctx, root)));
        assert!(matches!(d::drop(&mut ctx, root), Err(Trap(_))));
        ok(listing::drop(&mut ctx, stream));
        let a = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "a", NONE, R)));
        assert_eq!(
            code(blocking(d::read_directory(&mut ctx, a))),
            ErrorCode::NotDirectory
        );
        assert_eq!(
            code(blocking(d::stat_at(&ctx, root, NOFOLLOW, "a/b"))),
            ErrorCode::NotDirectory
        );

        // A directory opened beneath a mutable one can change what is in
        // it, whether or not it was opened as a directory.
        let sub = ok(blocking(d::open_at(
            &mut ctx,
            root,
            NOFOLLOW,
            "sub",
            OpenFlags::DIRECTORY,
            R,
        )));
        assert_eq!(ok(d::get_flags(&ctx, sub)), R | MUTATE);
        assert_eq!(
            ok(blocking(d::get_type(&ctx, sub))),
            DescriptorType::Directory
        );
        let plain = ok(blocking(d::open_at(
            &mut ctx, root, NOFOLLOW, "sub", NONE, R,
        )));
        assert_eq!(
            ok(blocking(d::get_type(&ctx, plain))),
            DescriptorType::Directory
        );
        assert_eq!(ok(d::get_flags(&ctx, plain)), R | MUTATE);
        ok(blocking(d::create_directory_at(&ctx, plain, "inner")));
        assert_eq!(
            listing_of(&mut ctx, sub),
            vec![
                ("f".to_string(), DescriptorType::RegularFile),
                ("inner".to_string(), DescriptorType::Directory),
            ]
        );
        ok(blocking(d::sync(&ctx, sub)));
        assert_eq!(
            code(blocking(d::open_at(
                &mut ctx,
                root,
                NOFOLLOW,
                "sub",
                OpenFlags::DIRECTORY | OpenFlags::CREATE,
                R
            ))),
            ErrorCode::Invalid
        );

        assert_eq!(
            code(blocking(d::remove_directory_at(&ctx, root, "sub"))),
            ErrorCode::NotEmpty
        );
        assert_eq!(
            code(blocking(d::unlink_file_at(&ctx, root, "sub"))),
            ErrorCode::IsDirectory
        );
        assert_eq!(
            code(blocking(d::remove_directory_at(&ctx, root, "a"))),
            ErrorCode::NotDirectory
        );
        ok(blocking(d::unlink_file_at(&ctx, sub, "f")));
        ok(blocking(d::remove_directory_at(&ctx, sub, "inner")));
        ok(blocking(d::remove_directory_at(&ctx, root, "sub")));
        assert_eq!(
            code(blocking(d::remove_directory_at(&ctx, root, "sub"))),
            ErrorCode::NoEntry
        );
        assert_eq!(
            code(blocking(d::unlink_file_at(&ctx, root, "sub"))),
            ErrorCode::NoEntry
        );
        assert_eq!(
            listing_of(&mut ctx, root),
            vec![("a".to_string(), DescriptorType::RegularFile)]
        );
    }

    #[test]
    fn rename_link_symlink_readlink() {
        let tmp = tempdir();
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadWrite);
        let f = create(&mut ctx, root, "a");
        ok(blocking(d::write(&ctx, f, b"x", 0)));
        ok(d::drop(&mut ctx, f));
        ok(blocking(d::rename_at(&ctx, root, "a", root, "b")));
        assert_eq!(
            code(blocking(d::stat_at(&ctx, root, NOFOLLOW, "a"))),
            ErrorCode::NoEntry
        );
        assert_eq!(
            code(blocking(d::rename_at(&ctx, root, "a", root, "c"))),
            ErrorCode::NoEntry
        );

        ok(blocking(d::link_at(&ctx, root, NOFOLLOW, "b", root, "c")));
        assert_eq!(
            ok(blocking(d::stat_at(&ctx, root, NOFOLLOW, "b"))).link_count,
            2
        );
        assert_eq!(
            code(blocking(d::link_at(&ctx, root, NOFOLLOW, "b", root, "c"))),
            ErrorCode::Exist
        );
        assert_eq!(
            code(blocking(d::link_at(
                &ctx, root, NOFOLLOW, "missing", root, "d"
            ))),
            ErrorCode::NoEntry
        );
        ok(blocking(d::create_directory_at(&ctx, root, "dir")));
        assert_eq!(
            code(blocking(d::link_at(
                &ctx, root, NOFOLLOW, "dir", root, "dir2"
            ))),
            ErrorCode::NotPermitted
        );

        ok(blocking(d::symlink_at(&ctx, root, "b", "l")));
        assert_eq!(ok(blocking(d::readlink_at(&ctx, root, "l"))), "b");
        assert_eq!(
            ok(blocking(d::stat_at(&ctx, root, NOFOLLOW, "l"))).type_,
            DescriptorType::SymbolicLink
        );
        assert_eq!(
            ok(blocking(d::stat_at(&ctx, root, FOLLOW, "l"))).type_,
            DescriptorType::RegularFile
        );
        assert_eq!(
            code(blocking(d::readlink_at(&ctx, root, "b"))),
            ErrorCode::Invalid
        );
        // Linking through the symlink links what it points to.
        ok(blocking(d::link_at(&ctx, root, FOLLOW, "l", root, "e")));
        assert_eq!(
            ok(blocking(d::stat_at(&ctx, root, NOFOLLOW, "e"))).link_count,
            3
        );
        assert_eq!(
            code(blocking(d::symlink_at(&ctx, root, "/etc/passwd", "abs"))),
            ErrorCode::NotPermitted
        );
        assert!(!tmp.path().join("abs").exists());
        ok(blocking(d::unlink_file_at(&ctx, root, "l")));
        assert!(tmp.path().join("b").exists());

        // One object under two names, and another.
        let b = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "b", NONE, R)));
        let c = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "c", NONE, R)));
        let other = create(&mut ctx, root, "other");
        assert_eq!(blocking(d::is_same_object(&ctx, b, c)), Ok(true));
        assert_eq!(blocking(d::is_same_object(&ctx, b, b)), Ok(true));
        assert_eq!(blocking(d::is_same_object(&ctx, b, other)), Ok(false));
        assert_eq!(blocking(d::is_same_object(&ctx, b, root)), Ok(false));
        let hash = ok(blocking(d::metadata_hash(&ctx, b)));
        assert_eq!(ok(blocking(d::metadata_hash(&ctx, c))), hash);
        assert_eq!(
            ok(blocking(d::metadata_hash_at(&ctx, root, NOFOLLOW, "c"))),
            hash
        );
        assert_ne!(ok(blocking(d::metadata_hash(&ctx, other))), hash);
        assert_eq!(
            code(blocking(d::metadata_hash_at(
                &ctx, root, NOFOLLOW, "missing"
            ))),
            ErrorCode::NoEntry
        );
        // The hash changes with the file, and is the context's own.
        ok(blocking(d::write(&ctx, other, b"more", 0)));
        let before = ok(blocking(d::metadata_hash_at(&ctx, root, NOFOLLOW, "b")));
        ok(d::drop(&mut ctx, other));
        let w = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "b", NONE, W)));
        ok(blocking(d::write(&ctx, w, b"longer", 0)));
        assert_ne!(ok(blocking(d::metadata_hash(&ctx, b))), before);
        let (other_ctx, other_root) = sandbox(tmp.path(), DirPerms::ReadOnly);
        assert_ne!(
            ok(blocking(d::metadata_hash_at(
                &other_ctx, other_root, NOFOLLOW, "b"
            ))),
            ok(blocking(d::metadata_hash(&ctx, b)))
        );
    }

    #[test]
    fn escapes_are_not_permitted() {
        let tmp = tempdir();
        let inside = tmp.path().join("inside");
        let outside = tmp.path().join("outside");
        ok(std::fs::create_dir(&inside));
        ok(std::fs::create_dir(&outside));
        ok(std::fs::write(outside.join("secret"), b"secret"));
        ok(std::os::unix::fs::symlink(&outside, inside.join("out")));
        ok(std::os::unix::fs::symlink("../outside", inside.join("up")));
        let (mut ctx, root) = sandbox(&inside, DirPerms::ReadWrite);

        for path in [
            "../outside/secret",
            "/etc/passwd",
            "out/secret",
            "up/secret",
        ] {
            assert_eq!(
                code(blocking(d::open_at(&mut ctx, root, FOLLOW, path, NONE, R))),
                ErrorCode::NotPermitted,
                "{path}"
            );
            assert_eq!(
                code(blocking(d::stat_at(&ctx, root, FOLLOW, path))),
                ErrorCode::NotPermitted,
                "{path}"
            );
        }
        for path in ["../x", "/tmp/x", "out/x", "up/x"] {
            assert_eq!(
                code(blocking(d::open_at(
                    &mut ctx,
                    root,
                    NOFOLLOW,
                    path,
                    OpenFlags::CREATE,
                    W
                ))),
                ErrorCode::NotPermitted,
                "{path}"
            );
            assert_eq!(
                code(blocking(d::create_directory_at(&ctx, root, path))),
                ErrorCode::NotPermitted,
                "{path}"
            );
            assert_eq!(
                code(blocking(d::symlink_at(&ctx, root, "target", path))),
                ErrorCode::NotPermitted,
                "{path}"
            );
        }
        assert_eq!(
            code(blocking(d::rename_at(
                &ctx,
                root,
                "../outside/secret",
                root,
                "stolen"
            ))),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(blocking(d::unlink_file_at(&ctx, root, "out/secret"))),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(blocking(d::link_at(
                &ctx,
                root,
                FOLLOW,
                "out/secret",
                root,
                "stolen"
            ))),
            ErrorCode::NotPermitted
        );
        // A link whose contents are an absolute path is not handed over.
        assert_eq!(
            code(blocking(d::readlink_at(&ctx, root, "out"))),
            ErrorCode::NotPermitted
        );
        assert_eq!(ok(blocking(d::readlink_at(&ctx, root, "up"))), "../outside");
        // The link itself is inside, and may be looked at and removed.
        assert_eq!(
            ok(blocking(d::stat_at(&ctx, root, NOFOLLOW, "out"))).type_,
            DescriptorType::SymbolicLink
        );

        let mut outside_now: Vec<_> = ok(std::fs::read_dir(&outside))
            .filter_map(Result::ok)
            .map(|entry| entry.file_name())
            .collect();
        outside_now.sort();
        assert_eq!(outside_now, ["secret"]);
        assert_eq!(ok(std::fs::read(outside.join("secret"))), b"secret");
        assert!(!tmp.path().join("x").exists());
        assert!(!inside.join("stolen").exists());
    }

    #[test]
    fn read_only_grants_refuse_every_mutation() {
        let tmp = tempdir();
        ok(std::fs::write(tmp.path().join("f"), b"data"));
        ok(std::fs::create_dir(tmp.path().join("d")));
        ok(std::fs::write(tmp.path().join("d/g"), b"g"));
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadOnly);
        assert_eq!(ok(d::get_flags(&ctx, root)), R);

        let now = NewTimestamp::Now;
        let refusals: Vec<(&str, FsResult<()>)> = vec![
            ("mkdir", blocking(d::create_directory_at(&ctx, root, "new"))),
            ("rmdir", blocking(d::remove_directory_at(&ctx, root, "d"))),
            ("unlink", blocking(d::unlink_file_at(&ctx, root, "f"))),
            (
                "rename",
                blocking(d::rename_at(&ctx, root, "f", root, "f2")),
            ),
            (
                "link",
                blocking(d::link_at(&ctx, root, NOFOLLOW, "f", root, "f2")),
            ),
            ("symlink", blocking(d::symlink_at(&ctx, root, "f", "l"))),
            (
                "set-times-at",
                blocking(d::set_times_at(&ctx, root, NOFOLLOW, "f", now, now)),
            ),
            ("set-times", blocking(d::set_times(&ctx, root, now, now))),
        ];
        for (what, result) in refusals {
            assert_eq!(code(result), ErrorCode::NotPermitted, "{what}");
        }
        for (open_flags, flags) in [
            (OpenFlags::CREATE, R),
            (OpenFlags::TRUNCATE, R),
            (NONE, W),
            (NONE, R | W),
            (OpenFlags::DIRECTORY, R | MUTATE),
            (OpenFlags::CREATE | OpenFlags::EXCLUSIVE, R),
        ] {
            for path in ["f", "new"] {
                assert_eq!(
                    code(blocking(d::open_at(
                        &mut ctx, root, NOFOLLOW, path, open_flags, flags
                    ))),
                    ErrorCode::NotPermitted,
                    "{path} {open_flags:?} {flags:?}"
                );
            }
        }

        let f = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "f", NONE, R)));
        assert_eq!(
            ok(blocking(d::read(&ctx, f, 10, 0))),
            (b"data".to_vec(), true)
        );
        assert_eq!(ok(d::get_flags(&ctx, f)), R);
        assert_eq!(
            code(blocking(d::write(&ctx, f, b"x", 0))),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(blocking(d::set_size(&ctx, f, 0))),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(blocking(d::set_times(&ctx, f, now, now))),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            code(d::write_via_stream(&mut ctx, f, 0)),
            ErrorCode::BadDescriptor
        );
        assert_eq!(
            code(d::append_via_stream(&mut ctx, f)),
            ErrorCode::BadDescriptor
        );

        // A directory beneath a read-only grant is read-only too.
        let dir = ok(blocking(d::open_at(
            &mut ctx,
            root,
            NOFOLLOW,
            "d",
            OpenFlags::DIRECTORY,
            R,
        )));
        assert_eq!(ok(d::get_flags(&ctx, dir)), R);
        assert_eq!(
            code(blocking(d::unlink_file_at(&ctx, dir, "g"))),
            ErrorCode::NotPermitted
        );
        let plain = ok(blocking(d::open_at(&mut ctx, root, NOFOLLOW, "d", NONE, R)));
        assert_eq!(ok(d::get_flags(&ctx, plain)), R);
        assert_eq!(
            code(blocking(d::create_directory_at(&ctx, plain, "x"))),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            listing_of(&mut ctx, dir),
            vec![("g".to_string(), DescriptorType::RegularFile)]
        );

        assert_eq!(ok(std::fs::read(tmp.path().join("f"))), b"data");
        let mut names: Vec<_> = ok(std::fs::read_dir(tmp.path()))
            .filter_map(Result::ok)
            .map(|entry| entry.file_name())
            .collect();
        names.sort();
        assert_eq!(names, ["d", "f"]);
    }

    #[test]
    fn read_only_holds_across_grants() {
        let (rw, ro) = (tempdir(), tempdir());
        ok(std::fs::write(rw.path().join("mine"), b"1"));
        ok(std::fs::write(ro.path().join("theirs"), b"2"));
        let (ctx, dirs) = grant(&[
            (rw.path(), DirPerms::ReadWrite),
            (ro.path(), DirPerms::ReadOnly),
        ]);
        let (rw_root, ro_root) = (dirs[0], dirs[1]);
        for result in [
            blocking(d::rename_at(&ctx, rw_root, "mine", ro_root, "mine")),
            blocking(d::rename_at(&ctx, ro_root, "theirs", rw_root, "theirs")),
            blocking(d::link_at(&ctx, rw_root, NOFOLLOW, "mine", ro_root, "mine")),
            blocking(d::link_at(
                &ctx, ro_root, NOFOLLOW, "theirs", rw_root, "theirs",
            )),
        ] {
            assert_eq!(code(result), ErrorCode::NotPermitted);
        }
        assert!(rw.path().join("mine").exists() && ro.path().join("theirs").exists());
        assert!(!rw.path().join("theirs").exists() && !ro.path().join("mine").exists());
    }

    #[test]
    fn bad_handles_trap() {
        let tmp = tempdir();
        let (mut ctx, root) = sandbox(tmp.path(), DirPerms::ReadWrite);
        let absent = Resource::<Descriptor>::new(999);
        assert!(traps(blocking(d::stat(&ctx, absent))));
        assert!(traps(blocking(d::open_at(
            &mut ctx, absent, NOFOLLOW, "x", NONE, R
        ))));
        assert!(traps(blocking(d::rename_at(&ctx, root, "x", absent, "y"))));
        assert!(blocking(d::is_same_object(&ctx, root, absent)).is_err());
        let f = create(&mut ctx, root, "f");
        let stream = ok(d::read_via_stream(&mut ctx, f, 0));
        let forged = Resource::<Descriptor>::new(stream.rep());
        assert!(traps(blocking(d::stat(&ctx, forged))));
        let forged = Resource::<DirectoryEntryStream>::new(stream.rep());
        assert!(traps(blocking(listing::read_directory_entry(&ctx, forged))));
        ok(streams::drop_input(&mut ctx, stream));
        ok(d::drop(&mut ctx, f));
        assert!(d::drop(&mut ctx, f).is_err());
    }

    #[test]
    fn flags_round_trip_their_bits() {
        assert_eq!(DescriptorFlags::all().bits(), 0b11_1111);
        assert_eq!(DescriptorFlags::from_bits(0b10_0001), Some(R | MUTATE));
        assert_eq!(DescriptorFlags::from_bits(0b100_0000), None);
        assert_eq!(OpenFlags::from_bits(0b1000), Some(OpenFlags::TRUNCATE));
        assert_eq!(PathFlags::from_bits(2), None);
        assert!((R | W).contains(W) && !(R | W).contains(MUTATE));
        assert_eq!((R | W) - W, R);
    }
}
