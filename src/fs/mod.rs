//! The capability filesystem: what a guest can do with a file or directory
//! handle, independent of any ABI.
//!
//! [`File`] and [`Dir`] are traits so that an embedder can hand a guest
//! something other than host files (an in-memory tree, a virtual device).
//! The host implementation over cap-std lives in [`host`]; it is the only
//! code in the crate that touches host files, and every path it receives is
//! resolved by cap-std beneath the directory handle it was called on.

use std::any::Any;
use std::io::{self, IoSlice, IoSliceMut, SeekFrom};
use std::os::fd::BorrowedFd;
use std::sync::Arc;

mod getdents;
mod handle;
pub mod host;
mod perms;
mod readdir;

pub use handle::{Handle, Kind};
pub use perms::{DirPerms, FilePerms};
pub use readdir::ReadDirCursor;

/// What kind of object a handle or directory entry refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    /// Anything the other variants do not describe, such as a pipe.
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device, such as a terminal.
    CharacterDevice,
    /// A directory.
    Directory,
    /// A regular file.
    RegularFile,
    /// A datagram socket.
    SocketDgram,
    /// A stream socket.
    SocketStream,
    /// A symbolic link.
    SymbolicLink,
}

impl FileType {
    /// The type encoded in a POSIX `st_mode`.
    pub fn from_mode(mode: u32) -> FileType {
        match mode & 0o170000 {
            0o060000 => FileType::BlockDevice,
            0o020000 => FileType::CharacterDevice,
            0o040000 => FileType::Directory,
            0o100000 => FileType::RegularFile,
            0o140000 => FileType::SocketStream,
            0o120000 => FileType::SymbolicLink,
            _ => FileType::Unknown,
        }
    }
}

/// Attributes of a file, with times in nanoseconds since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filestat {
    /// Device holding the file.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Kind of file.
    pub filetype: FileType,
    /// Number of hard links.
    pub nlink: u64,
    /// Size in bytes.
    pub size: u64,
    /// Last access.
    pub atim: u64,
    /// Last data modification.
    pub mtim: u64,
    /// Last status change.
    pub ctim: u64,
}

/// A new value for a file timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetTime {
    /// The current time, read by the host kernel.
    Now,
    /// Nanoseconds since the Unix epoch.
    At(u64),
}

/// Status flags of an open file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FdFlags {
    /// Every write goes to the end of the file.
    pub append: bool,
    /// Reads and writes never block; they fail with `EAGAIN` instead.
    pub nonblock: bool,
    /// Writes reach storage with their data before returning.
    pub dsync: bool,
    /// Reads wait for pending writes to reach storage.
    pub rsync: bool,
    /// Writes reach storage with data and metadata before returning.
    pub sync: bool,
}

/// An access-pattern hint for a range of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    /// No particular pattern.
    Normal,
    /// Read front to back.
    Sequential,
    /// Read in no order.
    Random,
    /// Needed soon.
    WillNeed,
    /// Not needed soon.
    DontNeed,
    /// Read once.
    NoReuse,
}

/// How to open a path beneath a directory.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenOptions {
    /// Open for reading.
    pub read: bool,
    /// Open for writing.
    pub write: bool,
    /// Create the file if it does not exist.
    pub create: bool,
    /// With `create`, fail if the file exists.
    pub exclusive: bool,
    /// Truncate the file to zero length.
    pub truncate: bool,
    /// Fail unless the path names a directory.
    pub directory: bool,
    /// Follow a symlink in the last component (symlinks earlier in the path
    /// are always followed, and always stay beneath the directory).
    pub follow: bool,
    /// Status flags for the new handle.
    pub flags: FdFlags,
}

/// What opening a path produced.
pub enum Opened {
    /// A file, device or other non-directory.
    File(Arc<dyn File>),
    /// A directory.
    Dir(Arc<dyn Dir>),
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name within its directory.
    pub name: String,
    /// Its inode number.
    pub ino: u64,
    /// Its type, as the listing reports it (symlinks are not followed).
    pub filetype: FileType,
    /// The cookie that continues the listing just after this entry (the
    /// host's `d_off`), for [`DirStream::seek`]. Never 0.
    pub next: u64,
}

impl Default for DirEntry {
    fn default() -> Self {
        DirEntry {
            name: String::new(),
            ino: 0,
            filetype: FileType::Unknown,
            next: 0,
        }
    }
}

/// A stream of directory entries, excluding `.` and `..`.
///
/// Each entry is written over the previous one, so that listing a large
/// directory allocates nothing per entry.
pub trait DirStream: Send {
    /// Overwrites `entry` with the next entry; `false` at the end.
    fn next_into(&mut self, entry: &mut DirEntry) -> io::Result<bool>;
    /// Continues the listing from `cookie`: 0 is the start, anything else
    /// an earlier entry's [`DirEntry::next`]. Seeking reads the directory
    /// afresh, so a listing from 0 sees every change made since, and a
    /// cookie handed out before a change still neither repeats nor skips
    /// the entries the change did not touch (as POSIX `seekdir` promises).
    fn seek(&mut self, cookie: u64) -> io::Result<()>;
}

/// A listing as a backend hands it out.
pub type DirEntries = Box<dyn DirStream>;

/// An open non-directory: a file, a stream, a device or a socket.
///
/// Methods take `&self` because the host objects behind them are already
/// shareable; an implementation with its own state uses interior
/// mutability.
pub trait File: Send + Sync + Any {
    /// The handle's type.
    fn filetype(&self) -> io::Result<FileType>;
    /// Reads at the current position.
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize>;
    /// Writes at the current position (or the end, in append mode).
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
    /// Reads at `offset` without moving the position.
    fn read_vectored_at(&self, _bufs: &mut [IoSliceMut<'_>], _offset: u64) -> io::Result<usize> {
        Err(spipe())
    }
    /// Writes at `offset` without moving the position.
    fn write_vectored_at(&self, _bufs: &[IoSlice<'_>], _offset: u64) -> io::Result<usize> {
        Err(spipe())
    }
    /// Reads into the spare capacity of `buf` (at `offset`, or at the
    /// position for `None`) and appends what was read. A backend that can
    /// read into memory not yet written spares the caller zeroing a buffer
    /// the read then overwrites; this default zeroes it.
    fn read_to_spare(&self, buf: &mut Vec<u8>, offset: Option<u64>) -> io::Result<usize> {
        let start = buf.len();
        buf.resize(buf.capacity(), 0);
        let mut bufs = [IoSliceMut::new(&mut buf[start..])];
        let read = match offset {
            Some(offset) => self.read_vectored_at(&mut bufs, offset),
            None => self.read_vectored(&mut bufs),
        };
        buf.truncate(start + *read.as_ref().unwrap_or(&0));
        read
    }
    /// Writes at the end of the file, wherever that is when the write
    /// lands, without moving any position a caller relies on.
    fn append_vectored(&self, _bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Err(unsupported())
    }
    /// Moves the position.
    fn seek(&self, _pos: SeekFrom) -> io::Result<u64> {
        Err(spipe())
    }
    /// Attributes.
    fn stat(&self) -> io::Result<Filestat>;
    /// Truncates or extends.
    fn set_size(&self, _size: u64) -> io::Result<()> {
        Err(io::Error::from(io::ErrorKind::InvalidInput))
    }
    /// Changes timestamps; `None` leaves one alone.
    fn set_times(&self, _atime: Option<SetTime>, _mtime: Option<SetTime>) -> io::Result<()> {
        Err(unsupported())
    }
    /// Ensures storage is allocated for a range.
    fn allocate(&self, _offset: u64, _len: u64) -> io::Result<()> {
        Err(spipe())
    }
    /// Passes an access-pattern hint on.
    fn advise(&self, _offset: u64, _len: u64, _advice: Advice) -> io::Result<()> {
        Err(spipe())
    }
    /// Flushes data to storage.
    fn sync_data(&self) -> io::Result<()> {
        Err(unsupported())
    }
    /// Flushes data and metadata to storage.
    fn sync_all(&self) -> io::Result<()> {
        Err(unsupported())
    }
    /// Current status flags.
    fn flags(&self) -> io::Result<FdFlags> {
        Ok(FdFlags::default())
    }
    /// Replaces the status flags.
    fn set_flags(&self, _flags: FdFlags) -> io::Result<()> {
        Err(unsupported())
    }
    /// Whether this is a terminal.
    fn is_tty(&self) -> bool {
        false
    }
    /// A host descriptor to wait on for readiness; `None` means the handle
    /// is always ready.
    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        None
    }
    /// Bytes that a read could return at once, where that is known.
    fn bytes_ready(&self) -> Option<u64> {
        None
    }
    /// The socket operations, if this is a socket.
    fn as_socket(&self) -> Option<&dyn crate::net::Socket> {
        None
    }
    /// The directory operations, if this handle turned out to be a
    /// directory. A backend may open a path without learning what it is
    /// (learning costs a system call that most opens never need) and hand
    /// out a file; the directory view is asked for only when it matters.
    fn as_dir(&self) -> io::Result<Option<&dyn Dir>> {
        Ok(None)
    }
    /// Whether [`Self::as_dir`] may answer with a directory.
    fn may_be_dir(&self) -> bool {
        false
    }
}

/// An open directory: every path a method takes is resolved beneath it.
pub trait Dir: Send + Sync + Any {
    /// Opens `path`.
    fn open(&self, path: &str, options: &OpenOptions) -> io::Result<Opened>;
    /// Creates a directory.
    fn create_dir(&self, path: &str) -> io::Result<()>;
    /// Removes an empty directory.
    fn remove_dir(&self, path: &str) -> io::Result<()>;
    /// Removes a non-directory (a symlink itself, never its target).
    fn unlink(&self, path: &str) -> io::Result<()>;
    /// Renames `from` to `to` beneath `to_dir`.
    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> io::Result<()>;
    /// Makes `to` beneath `to_dir` another name for `from`.
    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> io::Result<()>;
    /// Creates a symlink at `path` whose contents are `target`.
    /// Implementations refuse an absolute `target` as an escape attempt
    /// (`PermissionDenied`), since a host program outside the sandbox
    /// would follow it. A relative target is only text: it may climb out,
    /// but following it never leaves the directory it is resolved in.
    fn symlink(&self, target: &str, path: &str) -> io::Result<()>;
    /// The contents of the symlink at `path`.
    fn read_link(&self, path: &str) -> io::Result<String>;
    /// Attributes of `path`.
    fn stat_at(&self, path: &str, follow: bool) -> io::Result<Filestat>;
    /// Changes timestamps of `path`.
    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atime: Option<SetTime>,
        mtime: Option<SetTime>,
    ) -> io::Result<()>;
    /// Attributes of the directory itself.
    fn stat(&self) -> io::Result<Filestat>;
    /// Changes the directory's own timestamps.
    fn set_times(&self, atime: Option<SetTime>, mtime: Option<SetTime>) -> io::Result<()>;
    /// Flushes the directory to storage.
    fn sync(&self) -> io::Result<()> {
        Err(unsupported())
    }
    /// A fresh listing, from the start.
    fn entries(&self) -> io::Result<DirEntries>;
    /// Downcasting support, so that two handles of the same backend can
    /// rename and link between each other.
    fn as_any(&self) -> &dyn Any;
}

/// What a default method answers when the backend has not said how to do
/// the work: an error the guest sees, never a silent success.
fn unsupported() -> io::Error {
    io::Error::from(io::ErrorKind::Unsupported)
}

fn spipe() -> io::Error {
    io::Error::from(rustix::io::Errno::SPIPE)
}
