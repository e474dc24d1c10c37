//! preview2's filesystem error codes, and the one place where host errors
//! become them. The capability layer speaks `io::Error` (with
//! [`CapabilityDenied`] for its own refusals); every preview2 interface
//! that reports a `wasi:filesystem/types.error-code` converts through here.

use std::fmt;
use std::io;

use crate::error::CapabilityDenied;

macro_rules! error_codes {
    ($($variant:ident = $name:literal $(, $($host:ident)|+)?;)*) => {
        /// `wasi:filesystem/types.error-code`, in the WIT's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum ErrorCode {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl ErrorCode {
            /// Every code, in the WIT's order (its discriminant order).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The WIT name of this code, such as `"not-permitted"`.
            pub fn name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $name,)*
                }
            }

            fn from_host(errno: rustix::io::Errno) -> ErrorCode {
                $($($(
                    if errno == rustix::io::Errno::$host {
                        return ErrorCode::$variant;
                    }
                )+)?)*
                ErrorCode::Io
            }
        }
    };
}

error_codes! {
    Access = "access", ACCESS;
    WouldBlock = "would-block", AGAIN;
    Already = "already", ALREADY;
    BadDescriptor = "bad-descriptor", BADF;
    Busy = "busy", BUSY;
    Deadlock = "deadlock", DEADLK;
    Quota = "quota", DQUOT;
    Exist = "exist", EXIST;
    FileTooLarge = "file-too-large", FBIG;
    IllegalByteSequence = "illegal-byte-sequence", ILSEQ;
    InProgress = "in-progress", INPROGRESS;
    Interrupted = "interrupted", INTR;
    Invalid = "invalid", INVAL;
    Io = "io", IO;
    IsDirectory = "is-directory", ISDIR;
    Loop = "loop", LOOP;
    TooManyLinks = "too-many-links", MLINK;
    MessageSize = "message-size", MSGSIZE;
    NameTooLong = "name-too-long", NAMETOOLONG;
    NoDevice = "no-device", NODEV;
    NoEntry = "no-entry", NOENT;
    NoLock = "no-lock", NOLCK;
    InsufficientMemory = "insufficient-memory", NOMEM;
    InsufficientSpace = "insufficient-space", NOSPC;
    NotDirectory = "not-directory", NOTDIR;
    NotEmpty = "not-empty", NOTEMPTY;
    NotRecoverable = "not-recoverable", NOTRECOVERABLE;
    Unsupported = "unsupported", NOTSUP;
    NoTty = "no-tty", NOTTY;
    NoSuchDevice = "no-such-device", NXIO;
    Overflow = "overflow", OVERFLOW;
    NotPermitted = "not-permitted", PERM;
    Pipe = "pipe", PIPE;
    ReadOnly = "read-only", ROFS;
    InvalidSeek = "invalid-seek", SPIPE;
    TextFileBusy = "text-file-busy", TXTBSY;
    CrossDevice = "cross-device", XDEV;
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for ErrorCode {}

impl From<rustix::io::Errno> for ErrorCode {
    fn from(errno: rustix::io::Errno) -> ErrorCode {
        ErrorCode::from_host(errno)
    }
}

impl From<io::Error> for ErrorCode {
    fn from(err: io::Error) -> ErrorCode {
        if let Some(raw) = err.raw_os_error() {
            return ErrorCode::from_host(rustix::io::Errno::from_raw_os_error(raw));
        }
        // preview2 has no `notcapable`: a grant's refusal is a refusal to
        // permit, as is an escape that cap-std refused (a bare
        // PermissionDenied with no OS code).
        if err
            .get_ref()
            .is_some_and(|inner| inner.is::<CapabilityDenied>())
        {
            return ErrorCode::NotPermitted;
        }
        use io::ErrorKind as K;
        match err.kind() {
            K::NotFound => ErrorCode::NoEntry,
            K::PermissionDenied => ErrorCode::NotPermitted,
            K::AlreadyExists => ErrorCode::Exist,
            K::InvalidInput => ErrorCode::Invalid,
            K::InvalidData => ErrorCode::IllegalByteSequence,
            K::WouldBlock => ErrorCode::WouldBlock,
            K::Interrupted => ErrorCode::Interrupted,
            K::Unsupported => ErrorCode::Unsupported,
            K::OutOfMemory => ErrorCode::InsufficientMemory,
            K::NotADirectory => ErrorCode::NotDirectory,
            K::IsADirectory => ErrorCode::IsDirectory,
            K::DirectoryNotEmpty => ErrorCode::NotEmpty,
            K::InvalidFilename => ErrorCode::Invalid,
            K::ReadOnlyFilesystem => ErrorCode::ReadOnly,
            K::CrossesDevices => ErrorCode::CrossDevice,
            K::BrokenPipe => ErrorCode::Pipe,
            _ => ErrorCode::Io,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_errors_and_refusals() {
        let os = |errno: rustix::io::Errno| ErrorCode::from(io::Error::from(errno));
        assert_eq!(os(rustix::io::Errno::NOENT), ErrorCode::NoEntry);
        assert_eq!(os(rustix::io::Errno::PERM), ErrorCode::NotPermitted);
        assert_eq!(os(rustix::io::Errno::SPIPE), ErrorCode::InvalidSeek);
        assert_eq!(os(rustix::io::Errno::OPNOTSUPP), ErrorCode::Unsupported);
        // An errno preview2 has no code for.
        assert_eq!(os(rustix::io::Errno::CONNREFUSED), ErrorCode::Io);
        assert_eq!(
            ErrorCode::from(CapabilityDenied::io("write")),
            ErrorCode::NotPermitted
        );
        assert_eq!(
            ErrorCode::from(io::Error::from(io::ErrorKind::PermissionDenied)),
            ErrorCode::NotPermitted
        );
    }

    #[test]
    fn every_code_has_its_wit_name_and_place() {
        assert_eq!(ErrorCode::ALL.len(), 37);
        for (index, code) in ErrorCode::ALL.iter().enumerate() {
            assert_eq!(*code as usize, index);
        }
        assert_eq!(ErrorCode::CrossDevice.name(), "cross-device");
    }
}
