//! Errors of the capability layer and of setting up a guest: the
//! refusal a capability check makes ([`CapabilityDenied`]), and the
//! embedder-facing [`Error`]. Each ABI maps host errors to its own guest
//! codes in a module of its own (preview1: `p1/errno.rs`).

use std::io;
use std::path::PathBuf;

/// The payload of an `io::Error` that a capability check refused.
///
/// Backends return it so that each ABI's error mapping can tell a refusal
/// of capwasi's own (preview1's `notcapable`) from a host error, whatever
/// layer decided it.
#[derive(Debug, thiserror::Error)]
#[error("capability denied: {0}")]
pub struct CapabilityDenied(pub &'static str);

impl CapabilityDenied {
    /// An `io::Error` carrying this refusal.
    pub fn io(what: &'static str) -> io::Error {
        io::Error::new(io::ErrorKind::PermissionDenied, CapabilityDenied(what))
    }
}

/// The payload of an `io::Error` from writing to a connection whose
/// sending half the guest shut down itself: preview2 calls that stream
/// `closed`, where the host's `EPIPE` would say the write failed.
#[derive(Debug, thiserror::Error)]
#[error("the sending half of the connection was shut down")]
pub(crate) struct SendShutDown;

impl SendShutDown {
    /// An `io::Error` carrying this.
    pub(crate) fn io() -> io::Error {
        io::Error::new(io::ErrorKind::BrokenPipe, SendShutDown)
    }

    /// Whether `err` carries this.
    pub(crate) fn is(err: &io::Error) -> bool {
        err.get_ref()
            .is_some_and(|inner| inner.is::<SendShutDown>())
    }
}

/// An error an embedder sees while setting up or running a guest.
///
/// Each variant names what was being done and the path or value involved, so
/// that a command-line user can act on the message alone.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A directory to preopen could not be opened on the host.
    #[error("cannot open directory {path}: {source}")]
    Preopen {
        /// The host path as given.
        path: PathBuf,
        /// Why the host refused.
        #[source]
        source: io::Error,
    },
    /// A guest-facing name (preopen name, argument, variable) is unusable.
    #[error("invalid {what}: {value:?}: {reason}")]
    Invalid {
        /// What kind of value it was, such as "environment variable".
        what: &'static str,
        /// The offending value.
        value: String,
        /// Why it cannot be used.
        reason: &'static str,
    },
    /// A host resource could not be set up.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The host error.
        #[source]
        source: io::Error,
    },
    /// More descriptors were requested than the configured limit allows.
    #[error("too many open descriptors (limit {limit})")]
    TooManyFds {
        /// The configured limit.
        limit: u32,
    },
}
