//! What the embedder allowed a handle to do, checked by the backend itself
//! so that no ABI layer can forget a check.

use std::io;

use crate::error::CapabilityDenied;

/// What a guest may do beneath a preopened directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DirPerms {
    /// Look up, open for reading, list and stat; nothing that changes the
    /// tree or any file in it.
    ReadOnly,
    /// Everything `ReadOnly` allows, plus creating, writing, renaming,
    /// linking and removing.
    ReadWrite,
}

impl DirPerms {
    /// Whether anything beneath may be changed.
    pub fn can_mutate(self) -> bool {
        self == DirPerms::ReadWrite
    }

    /// Refuses a mutation beneath a read-only directory.
    pub fn check_mutate(self, what: &'static str) -> io::Result<()> {
        if self.can_mutate() {
            Ok(())
        } else {
            Err(CapabilityDenied::io(what))
        }
    }

    /// The permissions that both `self` and `other` allow: a share of a
    /// grant never exceeds the grant.
    pub fn narrowed(self, other: DirPerms) -> DirPerms {
        if self.can_mutate() && other.can_mutate() {
            DirPerms::ReadWrite
        } else {
            DirPerms::ReadOnly
        }
    }

    /// The permissions of a file opened beneath this directory.
    pub fn file_perms(self) -> FilePerms {
        FilePerms {
            write: self.can_mutate(),
        }
    }
}

/// What a guest may do with an open file beyond reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FilePerms {
    /// Whether its contents, size or times may change.
    pub write: bool,
}

impl FilePerms {
    /// Refuses a change to a file opened beneath a read-only directory.
    pub fn check_write(self, what: &'static str) -> io::Result<()> {
        if self.write {
            Ok(())
        } else {
            Err(CapabilityDenied::io(what))
        }
    }
}
