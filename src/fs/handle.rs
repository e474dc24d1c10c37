//! A shared handle to an open file or directory, as both ABIs keep one.

use std::io;
use std::sync::Arc;

use super::{Dir, File};

/// The object behind a guest's handle: a file or a directory.
#[derive(Clone)]
pub enum Handle {
    /// A file, device, socket or stream; it may yet turn out to be a
    /// directory (see [`File::as_dir`]).
    File(Arc<dyn File>),
    /// A directory.
    Dir(Arc<dyn Dir>),
}

/// What a handle's object is, once looked at.
pub enum Kind<'a> {
    /// Not a directory.
    File(&'a dyn File),
    /// A directory.
    Dir(&'a dyn Dir),
}

impl Handle {
    /// Whether this is a file or a directory. A file handle whose backend
    /// opened it without learning which (see [`File::as_dir`]) is looked at
    /// here, on first use.
    pub fn kind(&self) -> io::Result<Kind<'_>> {
        match self {
            Handle::Dir(dir) => Ok(Kind::Dir(dir.as_ref())),
            Handle::File(file) => match file.as_dir()? {
                Some(dir) => Ok(Kind::Dir(dir)),
                None => Ok(Kind::File(file.as_ref())),
            },
        }
    }
}

impl From<super::Opened> for Handle {
    fn from(opened: super::Opened) -> Handle {
        match opened {
            super::Opened::File(file) => Handle::File(file),
            super::Opened::Dir(dir) => Handle::Dir(dir),
        }
    }
}
