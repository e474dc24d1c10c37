//! What a preview1 descriptor number refers to, with its rights: the one
//! place where preview1 permission checks are made.

use crate::fs::{self, DirPerms, ReadDirCursor};
use crate::p1::types::rights;
use crate::{Errno, WasiCtx};

/// The object behind a descriptor.
pub(crate) enum Handle {
    File(Box<dyn fs::File>),
    Dir {
        dir: Box<dyn fs::Dir>,
        /// Where the last `fd_readdir` stopped, so the next one continues
        /// rather than starting over.
        cursor: Option<ReadDirCursor>,
    },
}

/// An entry of a context's descriptor table.
pub struct Descriptor {
    pub(crate) handle: Handle,
    /// Rights for operations on this descriptor.
    pub(crate) base: u64,
    /// Rights that descriptors opened through this one may have.
    pub(crate) inheriting: u64,
    /// The guest name of a preopened directory.
    pub(crate) preopen: Option<String>,
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
    pub(crate) fn stdio(file: Box<dyn fs::File>) -> Self {
        Descriptor {
            handle: Handle::File(file),
            base: rights::STREAM,
            inheriting: 0,
            preopen: None,
        }
    }

    pub(crate) fn preopen(dir: Box<dyn fs::Dir>, perms: DirPerms, name: String) -> Self {
        let allowed = granted(perms);
        Descriptor {
            handle: Handle::Dir { dir, cursor: None },
            base: rights::DIRECTORY & allowed,
            inheriting: allowed,
            preopen: Some(name),
        }
    }

    pub(crate) fn socket(file: Box<dyn fs::File>) -> Self {
        Descriptor {
            handle: Handle::File(file),
            base: rights::SOCKET,
            inheriting: rights::STREAM,
            preopen: None,
        }
    }

    pub(crate) fn opened(handle: Handle, base: u64, inheriting: u64) -> Self {
        let applicable = match handle {
            Handle::File(_) => rights::FILE,
            Handle::Dir { .. } => rights::DIRECTORY,
        };
        Descriptor {
            handle,
            base: base & applicable,
            inheriting,
            preopen: None,
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

impl WasiCtx {
    /// Descriptor `fd`, if it has every right in `required`.
    pub(crate) fn descriptor(&self, fd: u32, required: u64) -> Result<&Descriptor, Errno> {
        let d = self.fds.get(fd)?;
        d.require(fd, required)?;
        Ok(d)
    }

    /// The file behind `fd`, which must not be a directory.
    pub(crate) fn file(&self, fd: u32, required: u64) -> Result<&dyn fs::File, Errno> {
        let d = self.fds.get(fd)?;
        match &d.handle {
            Handle::File(file) => {
                d.require(fd, required)?;
                Ok(file.as_ref())
            }
            Handle::Dir { .. } => Err(Errno::Badf),
        }
    }

    /// The directory behind `fd`, which must be one.
    pub(crate) fn dir(&self, fd: u32, required: u64) -> Result<&dyn fs::Dir, Errno> {
        let d = self.fds.get(fd)?;
        match &d.handle {
            Handle::Dir { dir, .. } => {
                d.require(fd, required)?;
                Ok(dir.as_ref())
            }
            Handle::File(_) => Err(Errno::Notdir),
        }
    }
}
