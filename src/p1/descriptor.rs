//! What a preview1 descriptor number refers to, with its rights: the one
//! place where preview1 permission checks are made.

use std::sync::Arc;

use super::Errno;
use super::WasiP1Ctx;
use crate::fs::{self, DirPerms, ReadDirCursor};
pub(crate) use crate::fs::{Handle, Kind};
use crate::p1::types::rights;

/// An entry of a context's descriptor table.
pub struct Descriptor {
    pub(crate) handle: Handle,
    /// Rights for operations on this descriptor.
    pub(crate) base: u64,
    /// Rights that descriptors opened through this one may have.
    pub(crate) inheriting: u64,
    /// The guest name of a preopened directory.
    pub(crate) preopen: Option<String>,
    /// Where the last `fd_readdir` stopped, so the next one continues
    /// rather than starting over. Boxed, because most descriptors are never
    /// listed.
    pub(crate) cursor: Option<Box<ReadDirCursor>>,
}

/// The rights a grant of `perms` allows: a read-only grant has no right that
/// changes anything, so the guest sees the restriction before it tries.
fn granted(perms: DirPerms) -> u64 {
    match perms {
        DirPerms::ReadWrite => rights::ALL,
        DirPerms::ReadOnly => rights::ALL & !rights::MUTATING,
    }
}

impl Descriptor {
    pub(crate) fn stdio(file: Arc<dyn fs::File>) -> Self {
        Descriptor {
            handle: Handle::File(file),
            base: rights::STREAM,
            inheriting: 0,
            preopen: None,
            cursor: None,
        }
    }

    pub(crate) fn preopen(dir: Arc<dyn fs::Dir>, perms: DirPerms, name: String) -> Self {
        let allowed = granted(perms);
        Descriptor {
            handle: Handle::Dir(dir),
            base: rights::DIRECTORY & allowed,
            inheriting: allowed,
            preopen: Some(name),
            cursor: None,
        }
    }

    pub(crate) fn socket(file: Arc<dyn fs::File>) -> Self {
        Descriptor {
            handle: Handle::File(file),
            base: rights::SOCKET,
            inheriting: rights::STREAM,
            preopen: None,
            cursor: None,
        }
    }

    pub(crate) fn opened(handle: Handle, base: u64, inheriting: u64) -> Self {
        // A handle that may yet turn out to be a directory keeps the rights
        // of both; `fd_fdstat_get` reports only those of what it is.
        let applicable = match &handle {
            Handle::File(file) if file.may_be_dir() => rights::FILE | rights::DIRECTORY,
            Handle::File(_) => rights::FILE,
            Handle::Dir(_) => rights::DIRECTORY,
        };
        Descriptor {
            handle,
            base: base & applicable,
            inheriting,
            preopen: None,
            cursor: None,
        }
    }

    /// Refuses an operation this descriptor (number `fd`) lacks a right for,
    /// and reports which rights were missing and where.
    pub(crate) fn require(&self, fd: u32, required: u64) -> Result<(), Errno> {
        if self.base & required == required {
            return Ok(());
        }
        if tracing::enabled!(tracing::Level::INFO) {
            let missing: Vec<_> = rights::names(required & !self.base).collect();
            tracing::info!(
                fd,
                preopen = self.preopen.as_deref().unwrap_or("-"),
                missing = missing.join(","),
                "refused: the descriptor lacks a right"
            );
        }
        Err(Errno::Notcapable)
    }
}

impl WasiP1Ctx {
    /// Descriptor `fd`, if it has every right in `required`.
    pub(crate) fn descriptor(&self, fd: u32, required: u64) -> Result<&Descriptor, Errno> {
        let d = self.fds.get(fd)?;
        d.require(fd, required)?;
        Ok(d)
    }

    /// The file behind `fd`, which must not be a directory.
    pub(crate) fn file(&self, fd: u32, required: u64) -> Result<&dyn fs::File, Errno> {
        let d = self.fds.get(fd)?;
        match d.handle.kind()? {
            Kind::File(file) => {
                d.require(fd, required)?;
                Ok(file)
            }
            Kind::Dir(_) => Err(Errno::Badf),
        }
    }

    /// The directory behind `fd`, which must be one.
    pub(crate) fn dir(&self, fd: u32, required: u64) -> Result<&dyn fs::Dir, Errno> {
        let d = self.fds.get(fd)?;
        match d.handle.kind()? {
            Kind::Dir(dir) => {
                d.require(fd, required)?;
                Ok(dir)
            }
            Kind::File(_) => Err(Errno::Notdir),
        }
    }
}
