//! preview1's error numbers, and the one place where host errors become
//! them. The capability layer speaks `io::Error` (with
//! [`CapabilityDenied`] for its own refusals); every preview1 handler
//! turns those into an [`Errno`] here, and nowhere else.

use std::fmt;
use std::io;

use crate::error::CapabilityDenied;
use crate::table::TableError;

macro_rules! errnos {
    ($($variant:ident = $code:literal, $name:literal $(, $host:ident)?;)*) => {
        /// A preview1 error number, as the guest sees it.
        ///
        /// The discriminants are the witx `errno` codes; a test checks them
        /// against `witx/typenames.witx`.
        #[repr(u16)]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Errno {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant = $code,
            )*
        }

        impl Errno {
            /// The errno with witx code `code`, if there is one.
            pub fn from_u16(code: u16) -> Option<Errno> {
                match code {
                    $($code => Some(Errno::$variant),)*
                    _ => None,
                }
            }

            /// The witx name of this errno, such as `"notcapable"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Errno::$variant => $name,)*
                }
            }

            fn from_host(errno: rustix::io::Errno) -> Errno {
                $($(
                    if errno == rustix::io::Errno::$host {
                        return Errno::$variant;
                    }
                )?)*
                Errno::Io
            }
        }
    };
}

errnos! {
    Success = 0, "success";
    TooBig = 1, "2big", TOOBIG;
    Acces = 2, "acces", ACCESS;
    Addrinuse = 3, "addrinuse", ADDRINUSE;
    Addrnotavail = 4, "addrnotavail", ADDRNOTAVAIL;
    Afnosupport = 5, "afnosupport", AFNOSUPPORT;
    Again = 6, "again", AGAIN;
    Already = 7, "already", ALREADY;
    Badf = 8, "badf", BADF;
    Badmsg = 9, "badmsg", BADMSG;
    Busy = 10, "busy", BUSY;
    Canceled = 11, "canceled", CANCELED;
    Child = 12, "child", CHILD;
    Connaborted = 13, "connaborted", CONNABORTED;
    Connrefused = 14, "connrefused", CONNREFUSED;
    Connreset = 15, "connreset", CONNRESET;
    Deadlk = 16, "deadlk", DEADLK;
    Destaddrreq = 17, "destaddrreq", DESTADDRREQ;
    Dom = 18, "dom", DOM;
    Dquot = 19, "dquot", DQUOT;
    Exist = 20, "exist", EXIST;
    Fault = 21, "fault", FAULT;
    Fbig = 22, "fbig", FBIG;
    Hostunreach = 23, "hostunreach", HOSTUNREACH;
    Idrm = 24, "idrm", IDRM;
    Ilseq = 25, "ilseq", ILSEQ;
    Inprogress = 26, "inprogress", INPROGRESS;
    Intr = 27, "intr", INTR;
    Inval = 28, "inval", INVAL;
    Io = 29, "io", IO;
    Isconn = 30, "isconn", ISCONN;
    Isdir = 31, "isdir", ISDIR;
    Loop = 32, "loop", LOOP;
    Mfile = 33, "mfile", MFILE;
    Mlink = 34, "mlink", MLINK;
    Msgsize = 35, "msgsize", MSGSIZE;
    Multihop = 36, "multihop", MULTIHOP;
    Nametoolong = 37, "nametoolong", NAMETOOLONG;
    Netdown = 38, "netdown", NETDOWN;
    Netreset = 39, "netreset", NETRESET;
    Netunreach = 40, "netunreach", NETUNREACH;
    Nfile = 41, "nfile", NFILE;
    Nobufs = 42, "nobufs", NOBUFS;
    Nodev = 43, "nodev", NODEV;
    Noent = 44, "noent", NOENT;
    Noexec = 45, "noexec", NOEXEC;
    Nolck = 46, "nolck", NOLCK;
    Nolink = 47, "nolink", NOLINK;
    Nomem = 48, "nomem", NOMEM;
    Nomsg = 49, "nomsg", NOMSG;
    Noprotoopt = 50, "noprotoopt", NOPROTOOPT;
    Nospc = 51, "nospc", NOSPC;
    Nosys = 52, "nosys", NOSYS;
    Notconn = 53, "notconn", NOTCONN;
    Notdir = 54, "notdir", NOTDIR;
    Notempty = 55, "notempty", NOTEMPTY;
    Notrecoverable = 56, "notrecoverable", NOTRECOVERABLE;
    Notsock = 57, "notsock", NOTSOCK;
    Notsup = 58, "notsup", NOTSUP;
    Notty = 59, "notty", NOTTY;
    Nxio = 60, "nxio", NXIO;
    Overflow = 61, "overflow", OVERFLOW;
    Ownerdead = 62, "ownerdead", OWNERDEAD;
    Perm = 63, "perm", PERM;
    Pipe = 64, "pipe", PIPE;
    Proto = 65, "proto", PROTO;
    Protonosupport = 66, "protonosupport", PROTONOSUPPORT;
    Prototype = 67, "prototype", PROTOTYPE;
    Range = 68, "range", RANGE;
    Rofs = 69, "rofs", ROFS;
    Spipe = 70, "spipe", SPIPE;
    Srch = 71, "srch", SRCH;
    Stale = 72, "stale", STALE;
    Timedout = 73, "timedout", TIMEDOUT;
    Txtbsy = 74, "txtbsy", TXTBSY;
    Xdev = 75, "xdev", XDEV;
    // Only capwasi's own checks decide this one; no kernel reports it.
    Notcapable = 76, "notcapable";
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (errno {})", self.name(), *self as u16)
    }
}

impl std::error::Error for Errno {}

impl From<rustix::io::Errno> for Errno {
    fn from(errno: rustix::io::Errno) -> Errno {
        Errno::from_host(errno)
    }
}

impl From<io::Error> for Errno {
    fn from(err: io::Error) -> Errno {
        if let Some(raw) = err.raw_os_error() {
            return Errno::from_host(rustix::io::Errno::from_raw_os_error(raw));
        }
        if err
            .get_ref()
            .is_some_and(|inner| inner.is::<CapabilityDenied>())
        {
            return Errno::Notcapable;
        }
        use io::ErrorKind as K;
        match err.kind() {
            K::NotFound => Errno::Noent,
            // cap-std reports every attempt to leave a directory handle
            // (absolute paths, `..` above the root, symlinks that point out)
            // as a bare PermissionDenied with no OS code.
            K::PermissionDenied => Errno::Perm,
            K::AlreadyExists => Errno::Exist,
            K::InvalidInput => Errno::Inval,
            K::InvalidData => Errno::Ilseq,
            K::WouldBlock => Errno::Again,
            K::Interrupted => Errno::Intr,
            K::Unsupported => Errno::Notsup,
            K::OutOfMemory => Errno::Nomem,
            K::NotADirectory => Errno::Notdir,
            K::IsADirectory => Errno::Isdir,
            K::DirectoryNotEmpty => Errno::Notempty,
            K::InvalidFilename => Errno::Inval,
            K::ReadOnlyFilesystem => Errno::Rofs,
            K::CrossesDevices => Errno::Xdev,
            K::BrokenPipe => Errno::Pipe,
            K::ConnectionRefused => Errno::Connrefused,
            K::ConnectionReset => Errno::Connreset,
            K::ConnectionAborted => Errno::Connaborted,
            K::NotConnected => Errno::Notconn,
            K::AddrInUse => Errno::Addrinuse,
            K::AddrNotAvailable => Errno::Addrnotavail,
            K::TimedOut => Errno::Timedout,
            _ => Errno::Io,
        }
    }
}

impl From<TableError> for Errno {
    fn from(err: TableError) -> Errno {
        match err {
            // As the kernel says of a process out of descriptors.
            TableError::Full => Errno::Mfile,
            TableError::Absent => Errno::Badf,
        }
    }
}
