//! The preview1 witx types as Rust constants and byte layouts.
//!
//! `tests/witx_abi.rs` checks every constant and layout here against
//! `witx/`, so the code cannot drift from the interface definition.

/// Byte layout of a witx record or union, for the drift check.
pub struct TypeLayout {
    /// The witx type name, such as `"fdstat"`.
    pub name: &'static str,
    /// Size in bytes.
    pub size: u32,
    /// Alignment in bytes.
    pub align: u32,
    /// Each field's witx name and byte offset (empty for unions).
    pub fields: &'static [(&'static str, u32)],
}

/// Every record and union that crosses guest memory, with the offsets the
/// code in [`super::memory`] and the call families uses.
pub static LAYOUTS: &[TypeLayout] = &[
    TypeLayout {
        name: "iovec",
        size: 8,
        align: 4,
        fields: &[("buf", 0), ("buf_len", 4)],
    },
    TypeLayout {
        name: "ciovec",
        size: 8,
        align: 4,
        fields: &[("buf", 0), ("buf_len", 4)],
    },
    TypeLayout {
        name: "fdstat",
        size: fdstat::SIZE,
        align: 8,
        fields: &[
            ("fs_filetype", fdstat::FILETYPE),
            ("fs_flags", fdstat::FLAGS),
            ("fs_rights_base", fdstat::RIGHTS_BASE),
            ("fs_rights_inheriting", fdstat::RIGHTS_INHERITING),
        ],
    },
    TypeLayout {
        name: "filestat",
        size: filestat::SIZE,
        align: 8,
        fields: &[
            ("dev", filestat::DEV),
            ("ino", filestat::INO),
            ("filetype", filestat::FILETYPE),
            ("nlink", filestat::NLINK),
            ("size", filestat::SIZE_FIELD),
            ("atim", filestat::ATIM),
            ("mtim", filestat::MTIM),
            ("ctim", filestat::CTIM),
        ],
    },
    TypeLayout {
        name: "dirent",
        size: dirent::SIZE,
        align: 8,
        fields: &[
            ("d_next", dirent::NEXT),
            ("d_ino", dirent::INO),
            ("d_namlen", dirent::NAMLEN),
            ("d_type", dirent::TYPE),
        ],
    },
    TypeLayout {
        name: "prestat_dir",
        size: 4,
        align: 4,
        fields: &[("pr_name_len", 0)],
    },
    TypeLayout {
        name: "prestat",
        size: prestat::SIZE,
        align: 4,
        fields: &[],
    },
    TypeLayout {
        name: "event_fd_readwrite",
        size: 16,
        align: 8,
        fields: &[("nbytes", 0), ("flags", 8)],
    },
    TypeLayout {
        name: "event",
        size: event::SIZE,
        align: 8,
        fields: &[
            ("userdata", event::USERDATA),
            ("error", event::ERROR),
            ("type", event::TYPE),
            ("fd_readwrite", event::FD_READWRITE),
        ],
    },
    TypeLayout {
        name: "subscription_clock",
        size: 32,
        align: 8,
        fields: &[("id", 0), ("timeout", 8), ("precision", 16), ("flags", 24)],
    },
    TypeLayout {
        name: "subscription_fd_readwrite",
        size: 4,
        align: 4,
        fields: &[("file_descriptor", 0)],
    },
    TypeLayout {
        name: "subscription_u",
        size: 40,
        align: 8,
        fields: &[],
    },
    TypeLayout {
        name: "subscription",
        size: subscription::SIZE,
        align: 8,
        fields: &[("userdata", 0), ("u", 8)],
    },
];

/// `fdstat` field offsets.
pub mod fdstat {
    /// Record size.
    pub const SIZE: u32 = 24;
    /// `fs_filetype`, u8.
    pub const FILETYPE: u32 = 0;
    /// `fs_flags`, u16.
    pub const FLAGS: u32 = 2;
    /// `fs_rights_base`, u64.
    pub const RIGHTS_BASE: u32 = 8;
    /// `fs_rights_inheriting`, u64.
    pub const RIGHTS_INHERITING: u32 = 16;
}

/// `filestat` field offsets.
pub mod filestat {
    /// Record size.
    pub const SIZE: u32 = 64;
    /// `dev`, u64.
    pub const DEV: u32 = 0;
    /// `ino`, u64.
    pub const INO: u32 = 8;
    /// `filetype`, u8.
    pub const FILETYPE: u32 = 16;
    /// `nlink`, u64.
    pub const NLINK: u32 = 24;
    /// `size`, u64.
    pub const SIZE_FIELD: u32 = 32;
    /// `atim`, u64 nanoseconds.
    pub const ATIM: u32 = 40;
    /// `mtim`, u64 nanoseconds.
    pub const MTIM: u32 = 48;
    /// `ctim`, u64 nanoseconds.
    pub const CTIM: u32 = 56;
}

/// `dirent` header offsets; the name follows the header unterminated.
pub mod dirent {
    /// Header size.
    pub const SIZE: u32 = 24;
    /// `d_next`, the cookie of the entry after this one.
    pub const NEXT: u32 = 0;
    /// `d_ino`.
    pub const INO: u32 = 8;
    /// `d_namlen`, u32.
    pub const NAMLEN: u32 = 16;
    /// `d_type`, u8.
    pub const TYPE: u32 = 20;
}

/// `prestat` layout: a tag byte, then the directory name length.
pub mod prestat {
    /// Union size.
    pub const SIZE: u32 = 8;
    /// Offset of `pr_name_len`.
    pub const NAME_LEN: u32 = 4;
}

/// `event` field offsets.
pub mod event {
    /// Record size.
    pub const SIZE: u32 = 32;
    /// `userdata`, u64.
    pub const USERDATA: u32 = 0;
    /// `error`, u16.
    pub const ERROR: u32 = 8;
    /// `type`, u8.
    pub const TYPE: u32 = 10;
    /// `fd_readwrite`: `nbytes` u64 here, `flags` u16 eight bytes later.
    pub const FD_READWRITE: u32 = 16;
}

/// `subscription` offsets.
pub mod subscription {
    /// Record size.
    pub const SIZE: u32 = 48;
    /// `userdata`, u64.
    pub const USERDATA: u32 = 0;
    /// The union tag (an `eventtype`).
    pub const TAG: u32 = 8;
    /// Clock: `id` u32.
    pub const CLOCK_ID: u32 = 16;
    /// Clock: `timeout` u64.
    pub const CLOCK_TIMEOUT: u32 = 24;
    /// Clock: `precision` u64.
    pub const CLOCK_PRECISION: u32 = 32;
    /// Clock: `flags` u16.
    pub const CLOCK_FLAGS: u32 = 40;
    /// fd_read / fd_write: `file_descriptor` u32.
    pub const FD: u32 = 16;
}

/// The `rights` flags.
pub mod rights {
    #![allow(missing_docs)]
    pub const FD_DATASYNC: u64 = 1 << 0;
    pub const FD_READ: u64 = 1 << 1;
    pub const FD_SEEK: u64 = 1 << 2;
    pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
    pub const FD_SYNC: u64 = 1 << 4;
    pub const FD_TELL: u64 = 1 << 5;
    pub const FD_WRITE: u64 = 1 << 6;
    pub const FD_ADVISE: u64 = 1 << 7;
    pub const FD_ALLOCATE: u64 = 1 << 8;
    pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
    pub const PATH_CREATE_FILE: u64 = 1 << 10;
    pub const PATH_LINK_SOURCE: u64 = 1 << 11;
    pub const PATH_LINK_TARGET: u64 = 1 << 12;
    pub const PATH_OPEN: u64 = 1 << 13;
    pub const FD_READDIR: u64 = 1 << 14;
    pub const PATH_READLINK: u64 = 1 << 15;
    pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
    pub const PATH_RENAME_TARGET: u64 = 1 << 17;
    pub const PATH_FILESTAT_GET: u64 = 1 << 18;
    pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
    pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
    pub const FD_FILESTAT_GET: u64 = 1 << 21;
    pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
    pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
    pub const PATH_SYMLINK: u64 = 1 << 24;
    pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
    pub const PATH_UNLINK_FILE: u64 = 1 << 26;
    pub const POLL_FD_READWRITE: u64 = 1 << 27;
    pub const SOCK_SHUTDOWN: u64 = 1 << 28;
    pub const SOCK_ACCEPT: u64 = 1 << 29;

    /// Every defined right.
    pub const ALL: u64 = (1 << 30) - 1;

    /// The witx name of each right, by bit number.
    pub const NAMES: [&str; 30] = [
        "fd_datasync",
        "fd_read",
        "fd_seek",
        "fd_fdstat_set_flags",
        "fd_sync",
        "fd_tell",
        "fd_write",
        "fd_advise",
        "fd_allocate",
        "path_create_directory",
        "path_create_file",
        "path_link_source",
        "path_link_target",
        "path_open",
        "fd_readdir",
        "path_readlink",
        "path_rename_source",
        "path_rename_target",
        "path_filestat_get",
        "path_filestat_set_size",
        "path_filestat_set_times",
        "fd_filestat_get",
        "fd_filestat_set_size",
        "fd_filestat_set_times",
        "path_symlink",
        "path_remove_directory",
        "path_unlink_file",
        "poll_fd_readwrite",
        "sock_shutdown",
        "sock_accept",
    ];

    /// The names of the rights set in `mask`.
    pub fn names(mask: u64) -> impl Iterator<Item = &'static str> {
        NAMES
            .iter()
            .enumerate()
            .filter(move |(bit, _)| mask & (1 << bit) != 0)
            .map(|(_, name)| *name)
    }

    /// Rights that change something on disk. A read-only preopen, and
    /// everything opened beneath it, never holds any of these.
    pub const MUTATING: u64 = FD_DATASYNC
        | FD_SYNC
        | FD_WRITE
        | FD_ALLOCATE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE;

    /// Rights that mean something on a directory descriptor.
    pub const DIRECTORY: u64 = FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_ADVISE
        | PATH_CREATE_DIRECTORY
        | PATH_CREATE_FILE
        | PATH_LINK_SOURCE
        | PATH_LINK_TARGET
        | PATH_OPEN
        | FD_READDIR
        | PATH_READLINK
        | PATH_RENAME_SOURCE
        | PATH_RENAME_TARGET
        | PATH_FILESTAT_GET
        | PATH_FILESTAT_SET_SIZE
        | PATH_FILESTAT_SET_TIMES
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_TIMES
        | PATH_SYMLINK
        | PATH_REMOVE_DIRECTORY
        | PATH_UNLINK_FILE
        | POLL_FD_READWRITE;

    /// Rights that mean something on a regular file.
    pub const FILE: u64 = FD_DATASYNC
        | FD_READ
        | FD_SEEK
        | FD_FDSTAT_SET_FLAGS
        | FD_SYNC
        | FD_TELL
        | FD_WRITE
        | FD_ADVISE
        | FD_ALLOCATE
        | FD_FILESTAT_GET
        | FD_FILESTAT_SET_SIZE
        | FD_FILESTAT_SET_TIMES
        | POLL_FD_READWRITE;

    /// Rights of a stream that cannot seek: stdio, pipes, sockets.
    pub const STREAM: u64 = FD_READ
        | FD_WRITE
        | FD_FDSTAT_SET_FLAGS
        | FD_FILESTAT_GET
        | POLL_FD_READWRITE
        | FD_DATASYNC
        | FD_SYNC;

    /// Rights of a socket handed to the guest.
    pub const SOCKET: u64 = STREAM | SOCK_SHUTDOWN | SOCK_ACCEPT;
}

/// The `filetype` enum.
pub mod filetype {
    #![allow(missing_docs)]
    pub const UNKNOWN: u8 = 0;
    pub const BLOCK_DEVICE: u8 = 1;
    pub const CHARACTER_DEVICE: u8 = 2;
    pub const DIRECTORY: u8 = 3;
    pub const REGULAR_FILE: u8 = 4;
    pub const SOCKET_DGRAM: u8 = 5;
    pub const SOCKET_STREAM: u8 = 6;
    pub const SYMBOLIC_LINK: u8 = 7;
}

/// The `fdflags` flags.
pub mod fdflags {
    #![allow(missing_docs)]
    pub const APPEND: u16 = 1 << 0;
    pub const DSYNC: u16 = 1 << 1;
    pub const NONBLOCK: u16 = 1 << 2;
    pub const RSYNC: u16 = 1 << 3;
    pub const SYNC: u16 = 1 << 4;
    pub const ALL: u16 = (1 << 5) - 1;
}

/// The `oflags` flags.
pub mod oflags {
    #![allow(missing_docs)]
    pub const CREAT: u16 = 1 << 0;
    pub const DIRECTORY: u16 = 1 << 1;
    pub const EXCL: u16 = 1 << 2;
    pub const TRUNC: u16 = 1 << 3;
    pub const ALL: u16 = (1 << 4) - 1;
}

/// The `lookupflags` flags.
pub mod lookupflags {
    #![allow(missing_docs)]
    pub const SYMLINK_FOLLOW: u32 = 1 << 0;
}

/// The `fstflags` flags.
pub mod fstflags {
    #![allow(missing_docs)]
    pub const ATIM: u16 = 1 << 0;
    pub const ATIM_NOW: u16 = 1 << 1;
    pub const MTIM: u16 = 1 << 2;
    pub const MTIM_NOW: u16 = 1 << 3;
    pub const ALL: u16 = (1 << 4) - 1;
}

/// The `clockid` enum.
pub mod clockid {
    #![allow(missing_docs)]
    pub const REALTIME: u32 = 0;
    pub const MONOTONIC: u32 = 1;
    pub const PROCESS_CPUTIME_ID: u32 = 2;
    pub const THREAD_CPUTIME_ID: u32 = 3;
}

/// The `whence` enum.
pub mod whence {
    #![allow(missing_docs)]
    pub const SET: u32 = 0;
    pub const CUR: u32 = 1;
    pub const END: u32 = 2;
}

/// The `advice` enum.
pub mod advice {
    #![allow(missing_docs)]
    pub const NORMAL: u32 = 0;
    pub const SEQUENTIAL: u32 = 1;
    pub const RANDOM: u32 = 2;
    pub const WILLNEED: u32 = 3;
    pub const DONTNEED: u32 = 4;
    pub const NOREUSE: u32 = 5;
}

/// The `eventtype` enum.
pub mod eventtype {
    #![allow(missing_docs)]
    pub const CLOCK: u8 = 0;
    pub const FD_READ: u8 = 1;
    pub const FD_WRITE: u8 = 2;
}

/// The `eventrwflags` flags.
pub mod eventrwflags {
    #![allow(missing_docs)]
    pub const FD_READWRITE_HANGUP: u16 = 1 << 0;
}

/// The `subclockflags` flags.
pub mod subclockflags {
    #![allow(missing_docs)]
    pub const SUBSCRIPTION_CLOCK_ABSTIME: u16 = 1 << 0;
}

/// The `riflags`, `roflags`, `siflags` and `sdflags` socket flags.
pub mod sockflags {
    #![allow(missing_docs)]
    pub const RECV_PEEK: u16 = 1 << 0;
    pub const RECV_WAITALL: u16 = 1 << 1;
    pub const RECV_DATA_TRUNCATED: u16 = 1 << 0;
    pub const SHUT_RD: u8 = 1 << 0;
    pub const SHUT_WR: u8 = 1 << 1;
}

/// The `preopentype` enum.
pub mod preopentype {
    #![allow(missing_docs)]
    pub const DIR: u8 = 0;
}

/// The `signal` enum: the ones capwasi treats specially by name.
pub mod signal {
    #![allow(missing_docs)]
    pub const NONE: u32 = 0;
    pub const CHLD: u32 = 16;
    pub const CONT: u32 = 17;
    pub const URG: u32 = 22;
    pub const WINCH: u32 = 27;
    /// The highest defined signal number (`sys`).
    pub const MAX: u32 = 30;
}
