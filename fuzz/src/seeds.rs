//! The seed corpus, written as values: each seed is one escape route or
//! one advisory that another runtime shipped, so that the fuzzer starts
//! next to every known hole and mutates outward from there.

use crate::abi::{self, Arg, Call};
use crate::input::{Encode, Part, PathSpec};
use crate::path_ops::{self, Fd, Op};
use crate::zipslip::{self, Archive, Entry, Kind, MAKE_PARENTS, NO_FOLLOW, PREFIX_OUT, VERIFY};
use capwasi::p1::types::{oflags, rights};

/// A path written as text: `/` separates components, a leading `/` makes
/// it absolute and a trailing one is kept, `{root}` is the host's path of
/// the scratch root, names in `vocabulary` become vocabulary parts and any
/// other component is raw bytes.
pub fn path(vocabulary: &[&str], text: &str) -> PathSpec {
    let absolute = text.starts_with('/');
    let body = text.strip_prefix('/').unwrap_or(text);
    let trailing_slash = body.len() > 1 && body.ends_with('/');
    let body = if trailing_slash {
        &body[..body.len() - 1]
    } else {
        body
    };
    let parts = if body.is_empty() {
        Vec::new()
    } else {
        body.split('/')
            .map(|c| match c {
                "." => Part::Dot,
                ".." => Part::DotDot,
                "" => Part::Empty,
                "{root}" => Part::HostRoot,
                name => match vocabulary.iter().position(|v| *v == name) {
                    Some(i) => Part::Name(i as u8),
                    None => Part::Raw(name.as_bytes().to_vec()),
                },
            })
            .collect()
    };
    PathSpec {
        absolute,
        trailing_slash,
        parts,
    }
}

fn encoded(value: &impl Encode) -> Vec<u8> {
    let mut out = Vec::new();
    value.encode(&mut out);
    out
}

/// Named seed inputs of one target: `(name, bytes)`.
pub type Seeds = Vec<(String, Vec<u8>)>;

/// Every target's seeds, by target name.
pub fn all() -> Vec<(&'static str, Seeds)> {
    vec![
        ("path_ops", path_ops_seeds()),
        ("p2_path_ops", p2::seeds()),
        ("p1_abi", abi_seeds()),
        ("p2_abi", p2abi::seeds()),
        ("zipslip", zipslip_seeds()),
    ]
}

// ---- path_ops -------------------------------------------------------------

const SANDBOX: Fd = Fd::Live(0);
const RO: Fd = Fd::Live(1);
/// The most recently opened descriptor, while two preopens and one opened
/// descriptor are live.
const OPENED: Fd = Fd::Live(2);

const READ: u8 = 1;
const WRITE: u8 = 2;
const READ_WRITE: u8 = 3;
const DIR_RIGHTS: u8 = 5;
const ALL_RIGHTS: u8 = 6 | 0x80;

fn p(text: &str) -> PathSpec {
    path(path_ops::VOCAB, text)
}

fn open(dir: Fd, follow: bool, text: &str, oflags: u16, rights: u8) -> Op {
    Op::Open {
        dir,
        follow,
        path: p(text),
        oflags: oflags as u8,
        rights,
        fdflags: 0,
    }
}

fn read(fd: Fd) -> Op {
    Op::Read {
        fd,
        len: 64,
        offset: None,
    }
}

fn write(fd: Fd, data: &[u8]) -> Op {
    Op::Write {
        fd,
        data: data.to_vec(),
        offset: None,
    }
}

fn symlink(target: &str, at: &str) -> Op {
    Op::Symlink {
        target: p(target),
        dir: SANDBOX,
        path: p(at),
    }
}

fn stat(follow: bool, text: &str) -> Op {
    Op::Stat {
        dir: SANDBOX,
        follow,
        path: p(text),
    }
}

fn path_ops_seeds() -> Seeds {
    let creat_trunc = oflags::CREAT | oflags::TRUNC;
    let seeds: Vec<(&str, Vec<Op>)> = vec![
        (
            "dotdot",
            vec![
                open(SANDBOX, true, "../outside/canary.txt", 0, READ),
                read(OPENED),
                open(SANDBOX, true, "sub/../../outside/secret/inner.txt", 0, READ),
                stat(false, ".."),
            ],
        ),
        (
            "absolute-host-path",
            vec![
                open(SANDBOX, true, "/{root}/outside/canary.txt", 0, READ),
                read(OPENED),
                Op::Mkdir {
                    dir: SANDBOX,
                    path: p("/{root}/outside/new"),
                },
                open(SANDBOX, true, "/", oflags::DIRECTORY, DIR_RIGHTS),
            ],
        ),
        (
            "host-symlinks-out",
            vec![
                open(SANDBOX, true, "host_abs/canary.txt", 0, READ),
                open(SANDBOX, true, "host_canary", 0, READ),
                open(SANDBOX, true, "host_rel/secret/inner.txt", 0, READ),
                stat(true, "host_abs"),
                read(OPENED),
            ],
        ),
        (
            // wazero followed a relative symlink that the guest made.
            "guest-relative-symlink",
            vec![
                symlink("../outside", "a"),
                open(SANDBOX, true, "a/canary.txt", 0, READ),
                read(OPENED),
                symlink("../outside/canary.txt", "b"),
                open(SANDBOX, true, "b", 0, READ),
            ],
        ),
        (
            "guest-absolute-symlink",
            vec![
                symlink("/{root}/outside", "a"),
                open(SANDBOX, true, "a/canary.txt", 0, READ),
                symlink("/", "b"),
                open(SANDBOX, true, "b/{root}/outside/canary.txt", 0, READ),
                Op::Readlink {
                    dir: SANDBOX,
                    path: p("a"),
                    len: 200,
                },
            ],
        ),
        (
            // Wasmer followed a symlink out when opening with O_CREAT.
            "creat-through-dangling-symlink",
            vec![
                symlink("../outside/created.txt", "a"),
                open(SANDBOX, true, "a", creat_trunc, READ_WRITE),
                write(OPENED, b"escaped"),
                open(SANDBOX, true, "host_canary", creat_trunc, WRITE),
                open(SANDBOX, false, "a", oflags::CREAT, WRITE),
            ],
        ),
        (
            // uvwasi: mkdir, rename and unlink outside through a symlink.
            "mkdir-rename-unlink-through-symlink",
            vec![
                symlink("../outside", "a"),
                Op::Mkdir {
                    dir: SANDBOX,
                    path: p("a/b"),
                },
                Op::Rename {
                    from: SANDBOX,
                    old: p("file.txt"),
                    to: SANDBOX,
                    new: p("a/file.txt"),
                },
                Op::Rename {
                    from: SANDBOX,
                    old: p("host_rel/canary.txt"),
                    to: SANDBOX,
                    new: p("b"),
                },
                Op::Unlink {
                    dir: SANDBOX,
                    path: p("a/canary.txt"),
                },
                Op::Rmdir {
                    dir: SANDBOX,
                    path: p("host_abs/empty"),
                },
            ],
        ),
        (
            // wasmtime: O_TRUNC without write on a read-only preopen.
            "read-only-trunc",
            vec![
                open(RO, true, "file.txt", oflags::TRUNC, READ),
                open(RO, true, "link", oflags::TRUNC, 0),
                open(RO, true, "dir/inner.txt", creat_trunc, READ_WRITE),
                Op::SetTimes {
                    dir: RO,
                    follow: true,
                    path: p("file.txt"),
                    flags: 0b1010,
                },
            ],
        ),
        (
            // wasmtime: link or rename across preopens of different
            // permissions.
            "across-preopens",
            vec![
                Op::Link {
                    from: RO,
                    follow: false,
                    old: p("file.txt"),
                    to: SANDBOX,
                    new: p("a"),
                },
                open(SANDBOX, true, "a", 0, READ_WRITE),
                Op::Rename {
                    from: RO,
                    old: p("file.txt"),
                    to: SANDBOX,
                    new: p("b"),
                },
                Op::Rename {
                    from: SANDBOX,
                    old: p("file.txt"),
                    to: RO,
                    new: p("planted"),
                },
                Op::Link {
                    from: SANDBOX,
                    follow: false,
                    old: p("file.txt"),
                    to: RO,
                    new: p("planted"),
                },
            ],
        ),
        (
            // wasmtime: a trailing slash made a no-follow lookup follow.
            "trailing-slash-nofollow",
            vec![
                open(SANDBOX, false, "host_abs/", oflags::DIRECTORY, DIR_RIGHTS),
                stat(false, "host_rel/"),
                stat(false, "host_rel/."),
                Op::SetTimes {
                    dir: SANDBOX,
                    follow: false,
                    path: p("host_abs/"),
                    flags: 0b0101,
                },
                Op::Readdir { fd: OPENED },
            ],
        ),
        (
            // wasmtime: fd_renumber panicked.
            "renumber",
            vec![
                Op::Renumber {
                    from: SANDBOX,
                    to: SANDBOX,
                },
                Op::Renumber {
                    from: Fd::Raw(9),
                    to: SANDBOX,
                },
                Op::Renumber {
                    from: SANDBOX,
                    to: Fd::Raw(9),
                },
                open(SANDBOX, true, "file.txt", 0, READ),
                Op::Renumber {
                    from: OPENED,
                    to: RO,
                },
                Op::Renumber {
                    from: Fd::Raw(4),
                    to: Fd::Raw(0),
                },
                Op::Renumber {
                    from: Fd::Raw(31),
                    to: Fd::Raw(31),
                },
                open(
                    Fd::Raw(3),
                    true,
                    "../outside",
                    oflags::DIRECTORY,
                    DIR_RIGHTS,
                ),
            ],
        ),
        (
            "hard-link-out",
            vec![
                Op::Link {
                    from: SANDBOX,
                    follow: true,
                    old: p("host_canary"),
                    to: SANDBOX,
                    new: p("a"),
                },
                Op::Link {
                    from: SANDBOX,
                    follow: false,
                    old: p("../outside/canary.txt"),
                    to: SANDBOX,
                    new: p("b"),
                },
                Op::Link {
                    from: SANDBOX,
                    follow: false,
                    old: p("file.txt"),
                    to: SANDBOX,
                    new: p("host_rel/planted"),
                },
            ],
        ),
        (
            "readlink-and-times-out",
            vec![
                Op::Readlink {
                    dir: SANDBOX,
                    path: p("host_abs"),
                    len: 255,
                },
                Op::Readlink {
                    dir: SANDBOX,
                    path: p("host_rel/link"),
                    len: 64,
                },
                Op::Readlink {
                    dir: SANDBOX,
                    path: p("../outside/link"),
                    len: 3,
                },
                Op::SetTimes {
                    dir: SANDBOX,
                    follow: true,
                    path: p("host_canary"),
                    flags: 0b0101,
                },
                Op::SetTimes {
                    dir: SANDBOX,
                    follow: false,
                    path: p("../outside/canary.txt"),
                    flags: 0b1010,
                },
            ],
        ),
        (
            "two-hop-symlink",
            vec![
                symlink("..", "sub/a"),
                symlink("sub/a/..", "b"),
                open(SANDBOX, true, "b/outside/canary.txt", 0, READ),
                open(SANDBOX, true, "sub/a/file.txt", 0, READ),
                read(OPENED),
                symlink("b/outside", "a"),
                stat(true, "a/canary.txt"),
            ],
        ),
        (
            "subdirectory-handle",
            vec![
                open(SANDBOX, true, "sub", oflags::DIRECTORY, ALL_RIGHTS),
                open(OPENED, true, "../file.txt", 0, READ),
                Op::Stat {
                    dir: OPENED,
                    follow: true,
                    path: p(".."),
                },
                Op::Mkdir {
                    dir: OPENED,
                    path: p("../../outside/new"),
                },
            ],
        ),
        (
            "files-inside",
            vec![
                open(SANDBOX, true, "a", oflags::CREAT | oflags::EXCL, ALL_RIGHTS),
                write(OPENED, b"some bytes"),
                Op::Read {
                    fd: OPENED,
                    len: 16,
                    offset: Some(0),
                },
                Op::SetSize {
                    fd: OPENED,
                    size: 4096,
                },
                Op::Write {
                    fd: OPENED,
                    data: b"later".to_vec(),
                    offset: Some(9000),
                },
                Op::Close { fd: OPENED },
                Op::Readdir { fd: SANDBOX },
                Op::Rename {
                    from: SANDBOX,
                    old: p("a"),
                    to: SANDBOX,
                    new: p("sub/b"),
                },
                Op::Unlink {
                    dir: SANDBOX,
                    path: p("sub/b"),
                },
                Op::Rmdir {
                    dir: SANDBOX,
                    path: p("sub/"),
                },
            ],
        ),
        (
            "nul-and-invalid-utf8",
            vec![
                Op::Open {
                    dir: SANDBOX,
                    follow: true,
                    path: PathSpec {
                        parts: vec![Part::Raw(b"file.txt\0../outside".to_vec())],
                        ..Default::default()
                    },
                    oflags: 0,
                    rights: READ,
                    fdflags: 0,
                },
                Op::Mkdir {
                    dir: SANDBOX,
                    path: PathSpec {
                        parts: vec![Part::Raw(b"\xff\xfe".to_vec())],
                        ..Default::default()
                    },
                },
                Op::Open {
                    dir: SANDBOX,
                    follow: true,
                    path: p("file.txt"),
                    oflags: 0x10,
                    rights: READ,
                    fdflags: 0x20,
                },
            ],
        ),
    ];
    seeds
        .into_iter()
        .map(|(name, ops)| (name.to_string(), encoded(&path_ops::Input(ops))))
        .collect()
}

// ---- p2_path_ops ----------------------------------------------------------

mod p2 {
    use super::{encoded, p, Seeds};
    use crate::p2_path_ops::{Input, Op};

    // Descriptors by index: the two preopens, then what was opened since.
    const SANDBOX: u8 = 0;
    const RO: u8 = 1;
    const OPENED: u8 = 2;

    // `descriptor-flags`, `open-flags` and `path-flags` as the WIT's bits.
    const READ: u8 = 1;
    const WRITE: u8 = 2;
    const MUTATE: u8 = 0x20;
    const CREATE: u8 = 1;
    const DIRECTORY: u8 = 2;
    const TRUNCATE: u8 = 8;
    const FOLLOW: u8 = 1;

    fn open(dir: u8, path_flags: u8, text: &str, open_flags: u8, flags: u8) -> Op {
        Op::Open {
            dir,
            path_flags,
            path: p(text),
            open_flags,
            flags,
        }
    }

    fn stat(dir: u8, follow: bool, text: &str) -> Op {
        Op::Stat {
            dir,
            follow,
            path: p(text),
        }
    }

    fn readlink(dir: u8, text: &str) -> Op {
        Op::Readlink { dir, path: p(text) }
    }

    fn read(fd: u8) -> Op {
        Op::Read {
            fd,
            len: 64,
            offset: 0,
        }
    }

    fn symlink(target: &str, at: &str) -> Op {
        Op::Symlink {
            target: p(target),
            dir: SANDBOX,
            path: p(at),
        }
    }

    fn rename(from: u8, old: &str, to: u8, new: &str) -> Op {
        Op::Rename {
            from,
            old: p(old),
            to,
            new: p(new),
        }
    }

    fn link(from: u8, follow: bool, old: &str, to: u8, new: &str) -> Op {
        Op::Link {
            from,
            follow,
            old: p(old),
            to,
            new: p(new),
        }
    }

    pub(super) fn seeds() -> Seeds {
        let seeds: Vec<(&str, Vec<Op>)> = vec![
            (
                "dotdot",
                vec![
                    open(SANDBOX, FOLLOW, "../outside/canary.txt", 0, READ),
                    read(OPENED),
                    open(SANDBOX, FOLLOW, "sub/../../outside/secret", DIRECTORY, READ),
                    stat(SANDBOX, false, ".."),
                    stat(RO, false, "../sandbox"),
                    stat(RO, true, "dir/../../outside/link"),
                ],
            ),
            (
                "absolute-host-path",
                vec![
                    open(SANDBOX, FOLLOW, "/{root}/outside/canary.txt", 0, READ),
                    stat(SANDBOX, true, "{root}/outside"),
                    symlink("/{root}/outside/canary.txt", "abs"),
                    open(SANDBOX, FOLLOW, "abs", 0, READ),
                    readlink(SANDBOX, "abs"),
                ],
            ),
            (
                "host-symlinks",
                vec![
                    open(SANDBOX, FOLLOW, "host_abs/canary.txt", 0, READ),
                    open(SANDBOX, FOLLOW, "host_rel/secret/inner.txt", 0, READ),
                    open(SANDBOX, FOLLOW, "host_canary", CREATE | TRUNCATE, WRITE),
                    readlink(SANDBOX, "host_canary"),
                    readlink(SANDBOX, "host_abs"),
                    stat(SANDBOX, true, "host_rel"),
                    open(SANDBOX, FOLLOW, "host_rel", DIRECTORY, READ | MUTATE),
                    Op::ReadDirectory { fd: OPENED },
                    Op::NextEntry {
                        child: 0,
                        count: 15,
                    },
                ],
            ),
            (
                "guest-symlink-out",
                vec![
                    symlink("../outside", "a"),
                    open(SANDBOX, FOLLOW, "a/canary.txt", 0, READ),
                    open(SANDBOX, FOLLOW, "a/new", CREATE, WRITE),
                    Op::Mkdir {
                        dir: SANDBOX,
                        path: p("a/x"),
                    },
                    Op::SetTimes {
                        dir: SANDBOX,
                        follow: true,
                        path: p("a"),
                        atime: 1,
                        mtime: 2,
                    },
                    link(SANDBOX, true, "a", SANDBOX, "b"),
                    symlink("sub/../../ro/file.txt", "b"),
                    open(SANDBOX, FOLLOW, "b", 0, READ | WRITE),
                ],
            ),
            (
                "trailing-slash",
                vec![
                    open(SANDBOX, 0, "host_abs/", 0, READ),
                    stat(SANDBOX, false, "host_rel/"),
                    Op::Unlink {
                        dir: SANDBOX,
                        path: p("host_abs/"),
                    },
                    Op::Rmdir {
                        dir: SANDBOX,
                        path: p("host_rel/"),
                    },
                    rename(SANDBOX, "host_rel/", SANDBOX, "b"),
                    open(SANDBOX, 0, "host_canary/", CREATE | TRUNCATE, WRITE),
                ],
            ),
            (
                "across-preopens",
                vec![
                    rename(SANDBOX, "file.txt", RO, "file.txt"),
                    rename(RO, "file.txt", SANDBOX, "b"),
                    link(RO, false, "file.txt", SANDBOX, "hard"),
                    link(SANDBOX, false, "file.txt", RO, "hard"),
                    Op::Unlink {
                        dir: RO,
                        path: p("link"),
                    },
                    Op::Rmdir {
                        dir: RO,
                        path: p("empty"),
                    },
                    Op::Symlink {
                        target: p("file.txt"),
                        dir: RO,
                        path: p("a"),
                    },
                ],
            ),
            (
                "read-only-writes",
                vec![
                    open(RO, 0, "file.txt", TRUNCATE, READ),
                    open(RO, 0, "file.txt", 0, READ | WRITE),
                    open(RO, 0, "dir", DIRECTORY, READ),
                    open(RO, 0, "dir", DIRECTORY, READ | MUTATE),
                    open(OPENED, 0, "inner.txt", CREATE, WRITE),
                    open(OPENED, 0, "inner.txt", TRUNCATE, READ),
                    open(RO, FOLLOW, "link", 0, READ),
                    Op::WriteVia {
                        fd: 3,
                        append: true,
                        offset: 0,
                    },
                    Op::SetSize { fd: 3, size: 0 },
                    Op::Write {
                        fd: 3,
                        data: b"x".to_vec(),
                        offset: 0,
                    },
                    Op::SetTimes {
                        dir: RO,
                        follow: false,
                        path: p("file.txt"),
                        atime: 1,
                        mtime: 1,
                    },
                    Op::ReadVia { fd: 3, offset: 0 },
                    Op::StreamRead { child: 0, len: 64 },
                ],
            ),
            (
                "streams",
                vec![
                    open(SANDBOX, 0, "a", CREATE, READ | WRITE),
                    Op::WriteVia {
                        fd: OPENED,
                        append: false,
                        offset: 3,
                    },
                    Op::StreamWrite {
                        child: 0,
                        data: b"stream".to_vec(),
                    },
                    Op::WriteVia {
                        fd: OPENED,
                        append: true,
                        offset: 0,
                    },
                    Op::StreamWrite {
                        child: 1,
                        data: b"appended".to_vec(),
                    },
                    Op::ReadVia {
                        fd: OPENED,
                        offset: 0,
                    },
                    Op::StreamRead { child: 0, len: 64 },
                    Op::StreamRead { child: 0, len: 64 },
                    Op::Drop { fd: OPENED },
                    Op::DropChild { child: 0 },
                    Op::DropChild { child: 0 },
                    Op::SetSize {
                        fd: OPENED,
                        size: 2,
                    },
                    Op::DropChild { child: 0 },
                    Op::Drop { fd: OPENED },
                ],
            ),
            (
                "listings",
                vec![
                    Op::ReadDirectory { fd: SANDBOX },
                    Op::ReadDirectory { fd: RO },
                    Op::NextEntry { child: 0, count: 2 },
                    Op::Unlink {
                        dir: SANDBOX,
                        path: p("host_abs"),
                    },
                    Op::NextEntry {
                        child: 0,
                        count: 15,
                    },
                    Op::NextEntry {
                        child: 1,
                        count: 15,
                    },
                    Op::Drop { fd: SANDBOX },
                    Op::DropChild { child: 0 },
                    Op::Drop { fd: SANDBOX },
                    open(SANDBOX, FOLLOW, "../sandbox/file.txt", 0, READ),
                ],
            ),
        ];
        seeds
            .into_iter()
            .map(|(name, ops)| (name.to_string(), encoded(&Input(ops))))
            .collect()
    }
}

// ---- p1_abi ---------------------------------------------------------------

/// A memory image under construction.
struct Image(Vec<u8>);

impl Image {
    fn new() -> Self {
        Image(Vec::new())
    }

    fn at(mut self, offset: usize, bytes: &[u8]) -> Self {
        if self.0.len() < offset + bytes.len() {
            self.0.resize(offset + bytes.len(), 0);
        }
        self.0[offset..offset + bytes.len()].copy_from_slice(bytes);
        self
    }

    fn iovec(self, offset: usize, buf: u32, len: u32) -> Self {
        let mut pair = buf.to_le_bytes().to_vec();
        pair.extend_from_slice(&len.to_le_bytes());
        self.at(offset, &pair)
    }
}

const PAGE: u8 = 4; // index of 65536 in MEMORY_SIZES

fn c(name: &str, args: &[Arg]) -> Call {
    Call::to(name, args.to_vec())
}

fn s(v: u8) -> Arg {
    Arg::Small(v)
}

fn sh(v: u16) -> Arg {
    Arg::Short(v)
}

fn w(v: u64) -> Arg {
    Arg::Wide(v)
}

fn abi_seeds() -> Seeds {
    let file = b"file.txt";
    let rights_rw = rights::FD_READ | rights::FD_WRITE | rights::FD_SEEK | rights::FD_TELL;
    let seeds: Vec<(&str, u8, Vec<Call>, Image)> = vec![
        (
            "stdio",
            PAGE,
            vec![
                c("fd_write", &[s(1), sh(0x100), s(2), sh(0x180)]),
                c("fd_read", &[s(0), sh(0x100), s(2), sh(0x180)]),
                c("fd_fdstat_get", &[s(0), sh(0x400)]),
            ],
            Image::new()
                .iovec(0x100, 0x200, 5)
                .iovec(0x108, 0x300, 3)
                .at(0x200, b"hello")
                .at(0x300, b"!!\n"),
        ),
        (
            "iovec-limits",
            PAGE,
            vec![
                c("fd_write", &[s(1), sh(0x100), Arg::Short(1025), sh(0x180)]),
                c("fd_read", &[s(0), sh(0x100), Arg::FromTop(0), sh(0x180)]),
                c("fd_write", &[s(1), Arg::FromEnd(8), s(2), sh(0x180)]),
                c("fd_read", &[s(0), sh(0x100), s(1), Arg::FromEnd(3)]),
            ],
            Image::new()
                .iovec(0x100, 0xFFFF_FFF0, 0x20)
                .iovec(0x108, 0x200, 0xFFFF_FFFF),
        ),
        (
            "open-read-write",
            PAGE,
            vec![
                c(
                    "path_open",
                    &[
                        s(3),
                        s(1),
                        sh(0x300),
                        s(file.len() as u8),
                        s(0),
                        w(rights_rw),
                        w(0),
                        s(0),
                        sh(0x10),
                    ],
                ),
                c("fd_pread", &[s(5), sh(0x100), s(1), w(2), sh(0x180)]),
                c("fd_write", &[s(5), sh(0x100), s(1), sh(0x180)]),
                c("fd_seek", &[s(5), w(u64::MAX), s(1), sh(0x188)]),
                c("fd_tell", &[s(5), Arg::FromEnd(7)]),
                c("fd_filestat_set_size", &[s(5), w(1 << 40)]),
                c("fd_allocate", &[s(5), w(0), w(4096)]),
                c("fd_close", &[s(5)]),
            ],
            Image::new().iovec(0x100, 0x200, 16).at(0x300, file),
        ),
        (
            "path-calls-out",
            PAGE,
            vec![
                c(
                    "path_filestat_get",
                    &[s(3), s(1), sh(0x300), s(21), sh(0x400)],
                ),
                c("path_create_directory", &[s(3), sh(0x300), s(10)]),
                c("path_symlink", &[sh(0x300), s(10), s(3), sh(0x340), s(1)]),
                c(
                    "path_readlink",
                    &[s(3), sh(0x340), s(1), sh(0x500), s(4), sh(0x180)],
                ),
                c(
                    "path_rename",
                    &[s(3), sh(0x360), s(8), s(4), sh(0x380), s(7)],
                ),
                c(
                    "path_link",
                    &[s(4), s(0), sh(0x380), s(8), s(3), sh(0x3a0), s(3)],
                ),
                c("path_unlink_file", &[s(3), sh(0x300), s(21)]),
                c("path_remove_directory", &[s(3), sh(0x3c0), s(3)]),
            ],
            Image::new()
                .at(0x300, b"../outside/canary.txt")
                .at(0x340, b"x")
                .at(0x360, b"file.txt")
                .at(0x380, b"file.txt")
                .at(0x3a0, b"new")
                .at(0x3c0, b"dir"),
        ),
        (
            "args-environ-prestat",
            PAGE,
            vec![
                c("args_sizes_get", &[sh(0x10), sh(0x14)]),
                c("args_get", &[sh(0x100), sh(0x200)]),
                c("environ_sizes_get", &[sh(0x10), Arg::FromEnd(4)]),
                c("environ_get", &[sh(0x100), Arg::FromEnd(2)]),
                c("fd_prestat_get", &[s(3), sh(0x20)]),
                c("fd_prestat_dir_name", &[s(3), sh(0x300), s(8)]),
                c("fd_prestat_dir_name", &[s(4), sh(0x300), s(1)]),
            ],
            Image::new(),
        ),
        (
            "poll-and-clocks",
            PAGE,
            vec![
                c("poll_oneoff", &[sh(0x100), sh(0x400), s(3), sh(0x10)]),
                c("clock_time_get", &[s(1), w(0), Arg::FromEnd(8)]),
                c("clock_res_get", &[s(9), sh(0x18)]),
                c(
                    "poll_oneoff",
                    &[sh(0x100), sh(0x400), Arg::FromTop(0), sh(0x10)],
                ),
                c("sched_yield", &[]),
            ],
            Image::new()
                // A clock that is already due, stdin, and a preopen.
                .at(0x100, &7u64.to_le_bytes())
                .at(0x108, &[0])
                .at(0x110, &1u32.to_le_bytes())
                .at(0x118, &0u64.to_le_bytes())
                .at(0x130, &[1, 0])
                .at(0x138, &[1])
                .at(0x140, &0u32.to_le_bytes())
                .at(0x168, &[2])
                .at(0x170, &3u32.to_le_bytes()),
        ),
        (
            "readdir",
            PAGE,
            vec![
                c("fd_readdir", &[s(3), sh(0x1000), sh(256), w(0), sh(0x10)]),
                c("fd_readdir", &[s(3), sh(0x1000), s(30), w(1), sh(0x10)]),
                c(
                    "fd_readdir",
                    &[s(4), Arg::FromEnd(20), s(40), w(u64::MAX), sh(0x10)],
                ),
            ],
            Image::new(),
        ),
        (
            "renumber-and-close",
            PAGE,
            vec![
                c("fd_renumber", &[s(3), s(3)]),
                c("fd_renumber", &[s(4), s(3)]),
                c("fd_renumber", &[s(3), s(9)]),
                c("fd_renumber", &[s(200), s(0)]),
                c("fd_close", &[s(0)]),
                c("fd_renumber", &[Arg::FromTop(0), Arg::FromTop(0)]),
                c("fd_fdstat_set_rights", &[s(3), w(0), w(0)]),
            ],
            Image::new(),
        ),
        (
            "random-and-exit",
            5,
            vec![
                c("random_get", &[s(0), Arg::FromEnd(0)]),
                c("random_get", &[Arg::FromEnd(1), s(2)]),
                c("proc_raise", &[s(16)]),
                c("proc_raise", &[s(200)]),
                c("proc_exit", &[s(3)]),
            ],
            Image::new(),
        ),
        (
            "no-memory",
            0,
            vec![
                c("fd_write", &[s(1), s(0), s(1), s(0)]),
                c("args_get", &[s(0), s(0)]),
                c("fd_fdstat_get", &[s(3), s(0)]),
            ],
            Image::new(),
        ),
        (
            "sockets-on-files",
            PAGE,
            vec![
                c("sock_accept", &[s(3), s(0), sh(0x10)]),
                c(
                    "sock_recv",
                    &[s(0), sh(0x100), s(1), s(0), sh(0x10), sh(0x14)],
                ),
                c("sock_send", &[s(1), sh(0x100), s(1), s(0), sh(0x10)]),
                c("sock_shutdown", &[s(3), s(3)]),
            ],
            Image::new().iovec(0x100, 0x200, 8),
        ),
    ];
    seeds
        .into_iter()
        .map(|(name, memory_size, calls, image)| {
            let input = abi::Input {
                memory_size,
                calls,
                image: image.0,
            };
            (name.to_string(), encoded(&input))
        })
        .collect()
}

// ---- p2_abi ---------------------------------------------------------------

mod p2abi {
    use super::{encoded, s, sh, w, Image, Seeds, PAGE};
    use crate::abi::{Arg, NOW};
    use crate::p2_abi::{Call, Input, Realloc};

    /// A call to `name`, `interface#function`, with the allocator
    /// behaving as `realloc`.
    fn r(name: &str, realloc: Realloc, args: &[Arg]) -> Call {
        let (interface, function) = name.split_once('#').expect("interface#function");
        Call::to(interface, function, realloc, args.to_vec())
    }

    /// A call to `name` with a well-behaved allocator.
    fn k(name: &str, args: &[Arg]) -> Call {
        r(name, Realloc::Bump, args)
    }

    /// Handles: the resource table's index plus one.
    fn h(v: u8) -> Arg {
        s(v)
    }

    const GET_DIRECTORIES: &str = "wasi:filesystem/preopens#get-directories";
    const OPEN_AT: &str = "wasi:filesystem/types#[method]descriptor.open-at";
    const DROP_DESCRIPTOR: &str = "wasi:filesystem/types#[resource-drop]descriptor";
    const WRITE: &str = "wasi:io/streams#[method]output-stream.write";
    const POLL: &str = "wasi:io/poll#poll";

    /// `ip-socket-address` flattened: the case, then the widest case's
    /// slots (`ipv6-socket-address`: port, flow info, eight segments,
    /// scope), with an IPv4 address in the first five.
    fn v4(octets: [u8; 4], port: u16) -> Vec<Arg> {
        let mut flat = vec![s(0), sh(port)];
        flat.extend(octets.map(s));
        flat.resize(12, s(0));
        flat
    }

    pub(super) fn seeds() -> Seeds {
        // Scratch return areas in the low half of memory; the bump
        // allocator works in the upper half.
        let (ret, ret2, stat) = (sh(0x10), sh(0x20), sh(0x80));
        let seeds: Vec<(&str, u8, Vec<Call>, Image)> =
            vec![
                (
                    // The preopens' handles, then a file opened, read, written
                    // and statted through the returned one, a listing, and
                    // paths that leave the grant.
                    "preopens-open-read-write",
                    PAGE,
                    vec![
                    k(GET_DIRECTORIES, &[ret]),
                    k(OPEN_AT, &[h(1), s(1), sh(0x300), s(8), s(0), s(3), ret2]),
                    k(
                        "wasi:filesystem/types#[method]descriptor.read",
                        &[h(3), w(64), w(0), sh(0x30)],
                    ),
                    k(
                        "wasi:filesystem/types#[method]descriptor.write",
                        &[h(3), sh(0x340), s(5), w(2), sh(0x40)],
                    ),
                    k("wasi:filesystem/types#[method]descriptor.stat", &[h(3), stat]),
                    k(
                        "wasi:filesystem/types#[method]descriptor.read-directory",
                        &[h(1), sh(0x50)],
                    ),
                    k(
                        "wasi:filesystem/types#[method]directory-entry-stream.read-directory-entry",
                        &[h(4), sh(0x60)],
                    ),
                    k(
                        "wasi:filesystem/types#[method]directory-entry-stream.read-directory-entry",
                        &[h(4), sh(0x60)],
                    ),
                    k(
                        "wasi:filesystem/types#[method]descriptor.readlink-at",
                        &[h(1), sh(0x360), s(4), sh(0x70)],
                    ),
                    k(
                        "wasi:filesystem/types#[method]descriptor.metadata-hash-at",
                        &[h(1), s(0), sh(0x360), s(4), sh(0xc0)],
                    ),
                    k(OPEN_AT, &[h(2), s(1), sh(0x380), s(21), s(0), s(1), ret2]),
                    k(OPEN_AT, &[h(1), s(0), sh(0x3a0), s(3), s(1), s(0x23), ret2]),
                    k(
                        "wasi:filesystem/types#[method]descriptor.rename-at",
                        &[h(1), sh(0x300), s(8), h(2), sh(0x3b0), s(7), ret2],
                    ),
                    k(
                        "wasi:filesystem/types#[resource-drop]directory-entry-stream",
                        &[h(4)],
                    ),
                    k(DROP_DESCRIPTOR, &[h(3)]),
                    k(DROP_DESCRIPTOR, &[h(3)]),
                ],
                    Image::new()
                        .at(0x300, b"file.txt")
                        .at(0x340, b"hello")
                        .at(0x360, b"link")
                        .at(0x380, b"../outside/canary.txt")
                        .at(0x3a0, b"new")
                        .at(0x3b0, b"planted"),
                ),
                (
                    // The standard streams: writes, reads, a splice between
                    // them, and a pollable.
                    "stdio-streams",
                    PAGE,
                    vec![
                        k("wasi:cli/stdout#get-stdout", &[]),
                        k("wasi:cli/stdin#get-stdin", &[]),
                        k(
                            "wasi:io/streams#[method]output-stream.check-write",
                            &[h(1), ret],
                        ),
                        k(WRITE, &[h(1), sh(0x200), s(5), ret]),
                        k(
                            "wasi:io/streams#[method]output-stream.blocking-write-and-flush",
                            &[h(1), sh(0x200), s(5), ret],
                        ),
                        k(
                            "wasi:io/streams#[method]input-stream.blocking-read",
                            &[h(2), w(4), ret2],
                        ),
                        k(
                            "wasi:io/streams#[method]input-stream.read",
                            &[h(2), w(u64::MAX), ret2],
                        ),
                        k(
                            "wasi:io/streams#[method]input-stream.read",
                            &[h(2), w(64), ret2],
                        ),
                        k(
                            "wasi:io/streams#[method]output-stream.splice",
                            &[h(1), h(2), w(64), sh(0x30)],
                        ),
                        k("wasi:io/streams#[method]output-stream.subscribe", &[h(1)]),
                        k("wasi:io/poll#[method]pollable.ready", &[h(3)]),
                        k("wasi:io/poll#[method]pollable.block", &[h(3)]),
                        k("wasi:io/poll#[resource-drop]pollable", &[h(3)]),
                        k(
                            "wasi:io/streams#[method]output-stream.write-zeroes",
                            &[h(1), w(4096), ret],
                        ),
                        k("wasi:io/streams#[resource-drop]input-stream", &[h(2)]),
                        k("wasi:io/streams#[resource-drop]output-stream", &[h(1)]),
                    ],
                    Image::new().at(0x200, b"hello"),
                ),
                (
                    // Strings that start or end past memory, wrap, or are not
                    // UTF-8.
                    "string-past-memory",
                    PAGE,
                    vec![
                        k(GET_DIRECTORIES, &[ret]),
                        k(
                            OPEN_AT,
                            &[h(1), s(0), Arg::FromEnd(3), s(8), s(0), s(1), ret2],
                        ),
                        k(
                            "wasi:filesystem/types#[method]descriptor.create-directory-at",
                            &[h(1), Arg::FromTop(0), s(10), ret2],
                        ),
                        k(
                            "wasi:filesystem/types#[method]descriptor.stat-at",
                            &[h(1), s(0), sh(0x300), Arg::FromTop(0), stat],
                        ),
                        k(
                            "wasi:filesystem/types#[method]descriptor.readlink-at",
                            &[h(1), Arg::FromEnd(0), s(0), sh(0x70)],
                        ),
                        k(
                            "wasi:filesystem/types#[method]descriptor.symlink-at",
                            &[h(1), sh(0x300), s(8), Arg::FromEnd(1), s(1), ret2],
                        ),
                        k(OPEN_AT, &[h(1), s(0), sh(0x3a0), s(2), s(0), s(1), ret2]),
                        k(
                            "wasi:sockets/ip-name-lookup#resolve-addresses",
                            &[h(9), Arg::FromEnd(2), s(9), ret2],
                        ),
                    ],
                    Image::new().at(0x300, b"file.txt").at(0x3a0, b"\xff\xfe"),
                ),
                (
                    // Lists whose byte length overflows 32 bits, or that are
                    // misaligned, empty, or hold handles of the wrong type.
                    "list-length-overflows",
                    PAGE,
                    vec![
                        k("wasi:cli/stdout#get-stdout", &[]),
                        k(WRITE, &[h(1), sh(0x100), Arg::FromTop(0), ret]),
                        k(POLL, &[sh(0x100), Arg::Word(0x4000_0000), ret]),
                        k(POLL, &[sh(0x101), s(1), ret]),
                        k(POLL, &[sh(0x100), s(0), ret]),
                        k(POLL, &[sh(0x200), s(3), ret]),
                        k(
                            "wasi:sockets/udp#[method]outgoing-datagram-stream.send",
                            &[h(1), sh(0x100), Arg::Word(0x1000_0000), ret],
                        ),
                        k(
                            "wasi:filesystem/types#[method]descriptor.write",
                            &[h(1), Arg::FromEnd(4), s(8), w(0), ret],
                        ),
                        k(WRITE, &[h(1), Arg::FromEnd(0), s(0), ret]),
                    ],
                    Image::new().at(0x200, &[1, 0, 0, 0, 1, 0, 0, 0, 9, 0, 0, 0]),
                ),
                (
                    // An allocator that traps, answers at or past the end of
                    // memory, misaligned or near u32::MAX; and return pointers
                    // out of bounds or misaligned.
                    "misbehaving-realloc",
                    PAGE,
                    vec![
                        r(GET_DIRECTORIES, Realloc::Trap, &[ret]),
                        r(GET_DIRECTORIES, Realloc::AtEnd(0), &[ret]),
                        r(GET_DIRECTORIES, Realloc::AtEnd(1), &[ret]),
                        r(GET_DIRECTORIES, Realloc::Misaligned, &[ret]),
                        r(GET_DIRECTORIES, Realloc::FromTop(0), &[ret]),
                        r(
                            "wasi:cli/environment#get-arguments",
                            Realloc::Misaligned,
                            &[ret],
                        ),
                        r(
                            "wasi:cli/environment#get-environment",
                            Realloc::AtEnd(0),
                            &[ret],
                        ),
                        r("wasi:cli/environment#initial-cwd", Realloc::Trap, &[ret]),
                        r(
                            "wasi:random/random#get-random-bytes",
                            Realloc::FromTop(15),
                            &[w(16), ret],
                        ),
                        r(
                            "wasi:random/insecure#get-insecure-random-bytes",
                            Realloc::FromTop(0),
                            &[w(0), ret],
                        ),
                        k(
                            "wasi:random/random#get-random-bytes",
                            &[w(64), Arg::FromEnd(4)],
                        ),
                        k("wasi:cli/environment#get-arguments", &[sh(0x12)]),
                        r(
                            "wasi:filesystem/types#[method]descriptor.readlink-at",
                            Realloc::Misaligned,
                            &[h(1), sh(0x300), s(4), sh(0x70)],
                        ),
                    ],
                    Image::new().at(0x300, b"link"),
                ),
                (
                    // Clocks, and pollables for deadlines due at once or soon,
                    // waited on; far deadlines are not made.
                    "clocks-and-poll",
                    PAGE,
                    vec![
                        k("wasi:clocks/wall-clock#now", &[ret]),
                        k("wasi:clocks/wall-clock#resolution", &[ret2]),
                        k("wasi:clocks/monotonic-clock#now", &[]),
                        k("wasi:clocks/monotonic-clock#resolution", &[]),
                        k(
                            "wasi:clocks/monotonic-clock#subscribe-duration",
                            &[w(50_000)],
                        ),
                        k("wasi:clocks/monotonic-clock#subscribe-instant", &[w(NOW)]),
                        k("wasi:clocks/monotonic-clock#subscribe-instant", &[w(0)]),
                        k(POLL, &[sh(0x100), s(3), ret]),
                        k("wasi:io/poll#[method]pollable.ready", &[h(1)]),
                        k("wasi:io/poll#[method]pollable.block", &[h(1)]),
                        k("wasi:io/poll#[method]pollable.block", &[h(2)]),
                        k(
                            "wasi:clocks/monotonic-clock#subscribe-duration",
                            &[w(u64::MAX)],
                        ),
                        k(
                            "wasi:clocks/monotonic-clock#subscribe-instant",
                            &[w(u64::MAX)],
                        ),
                        k("wasi:io/poll#[resource-drop]pollable", &[h(1)]),
                        k("wasi:io/poll#[resource-drop]pollable", &[h(1)]),
                        k("wasi:random/insecure-seed#insecure-seed", &[sh(0x40)]),
                    ],
                    Image::new().at(0x100, &[1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0]),
                ),
                (
                    // Sockets with no network granted: creating one and a
                    // lookup are refused, so the methods see only the
                    // addresses they lift and handles that name no socket.
                    "sockets-denied",
                    PAGE,
                    vec![
                        k("wasi:sockets/instance-network#instance-network", &[]),
                        k(
                            "wasi:sockets/tcp-create-socket#create-tcp-socket",
                            &[s(0), ret],
                        ),
                        k(
                            "wasi:sockets/tcp#[method]tcp-socket.start-bind",
                            &[[h(2), h(1)].as_slice(), &v4([127, 0, 0, 1], 0), &[ret2]].concat(),
                        ),
                        k(
                            "wasi:sockets/tcp#[method]tcp-socket.start-connect",
                            &[[h(2), h(1)].as_slice(), &v4([127, 0, 0, 1], 80), &[ret2]].concat(),
                        ),
                        k("wasi:sockets/tcp#[method]tcp-socket.subscribe", &[h(2)]),
                        k("wasi:io/poll#[method]pollable.ready", &[h(3)]),
                        k(
                            "wasi:sockets/tcp#[method]tcp-socket.local-address",
                            &[h(2), sh(0x40)],
                        ),
                        k(
                            "wasi:sockets/tcp#[method]tcp-socket.set-hop-limit",
                            &[h(2), s(0), ret2],
                        ),
                        k(
                            "wasi:sockets/ip-name-lookup#resolve-addresses",
                            &[h(1), sh(0x300), s(9), ret2],
                        ),
                        k(
                            "wasi:sockets/udp-create-socket#create-udp-socket",
                            &[s(1), ret],
                        ),
                        k(
                            "wasi:sockets/udp#[method]udp-socket.stream",
                            &[[h(4), s(0)].as_slice(), &[s(0); 12], &[ret2]].concat(),
                        ),
                        k(
                            "wasi:sockets/udp#[method]udp-socket.start-bind",
                            &[[h(4), h(1)].as_slice(), &v4([0, 0, 0, 0], 0), &[ret2]].concat(),
                        ),
                        k("wasi:sockets/tcp#[resource-drop]tcp-socket", &[h(2)]),
                        k("wasi:sockets/network#[resource-drop]network", &[h(1)]),
                    ],
                    Image::new().at(0x300, b"localhost"),
                ),
                (
                    // Exits: a bad discriminant traps, a good one ends the
                    // input.
                    "exit",
                    PAGE,
                    vec![
                        k("wasi:cli/environment#get-arguments", &[ret]),
                        k("wasi:cli/exit#exit", &[s(2)]),
                        k("wasi:cli/exit#exit-with-code", &[s(3)]),
                        k("wasi:cli/stdout#get-stdout", &[]),
                    ],
                    Image::new(),
                ),
                (
                    // Datagrams whose data all name the whole of memory: the
                    // lifting copies at most a UDP payload and a byte of each.
                    "datagrams-aliasing-memory",
                    5,
                    vec![k(
                        "wasi:sockets/udp#[method]outgoing-datagram-stream.send",
                        &[h(1), sh(0x100), s(6), ret],
                    )],
                    (0..6).fold(Image::new(), |image, i| {
                        image.at(0x100 + i * 44 + 4, &0x40000u32.to_le_bytes())
                    }),
                ),
                (
                    "no-memory",
                    0,
                    vec![
                        k(GET_DIRECTORIES, &[s(0)]),
                        // The trapped get-directories left handles 1 and 2.
                        k("wasi:cli/stdout#get-stdout", &[]),
                        k(WRITE, &[h(3), s(0), s(0), s(0)]),
                        k("wasi:clocks/monotonic-clock#now", &[]),
                        k("wasi:random/random#get-random-bytes", &[w(0), s(0)]),
                    ],
                    Image::new(),
                ),
            ];
        seeds
            .into_iter()
            .map(|(name, memory_size, calls, image)| {
                let input = Input {
                    memory_size,
                    calls,
                    image: image.0,
                };
                (name.to_string(), encoded(&input))
            })
            .collect()
    }
}

// ---- zipslip ----------------------------------------------------------------

fn z(text: &str) -> PathSpec {
    path(zipslip::VOCAB, text)
}

fn file(name: &str) -> Entry {
    Entry {
        kind: Kind::File(b"payload".to_vec()),
        name: z(name),
    }
}

fn dir(name: &str) -> Entry {
    Entry {
        kind: Kind::Dir,
        name: z(name),
    }
}

fn link(name: &str, target: &str) -> Entry {
    Entry {
        kind: Kind::Symlink(z(target)),
        name: z(name),
    }
}

fn hard(name: &str, target: &str) -> Entry {
    Entry {
        kind: Kind::HardLink(z(target)),
        name: z(name),
    }
}

fn zipslip_seeds() -> Seeds {
    let seeds: Vec<(&str, u8, Vec<Entry>)> = vec![
        (
            "benign",
            PREFIX_OUT | VERIFY,
            vec![
                dir("a"),
                file("a/x.js"),
                link("a/link", "x.js"),
                hard("b", "a/x.js"),
                file("a/link"),
            ],
        ),
        (
            "dotdot",
            PREFIX_OUT | MAKE_PARENTS,
            vec![
                file("../../outside/x.js"),
                file("../outside/x.js"),
                file("a/../../../outside/canary.txt"),
                file("../../../outside/secret/inner.txt"),
                dir("../../outside/evil"),
            ],
        ),
        (
            "dotdot-no-prefix",
            0,
            vec![
                file("../outside/x.js"),
                file("../../outside/canary.txt"),
                file("./../outside/secret/x.js"),
            ],
        ),
        (
            "absolute",
            0,
            vec![
                file("/{root}/outside/x.js"),
                file("/{root}/work/outside/canary.txt"),
                dir("/{root}/outside/evil"),
                file("/dest/x.js"),
            ],
        ),
        (
            "symlink-then-file",
            PREFIX_OUT | VERIFY,
            vec![
                link("link", "../../outside"),
                file("link/x.js"),
                file("link/canary.txt"),
                link("evil", "../../../outside/canary.txt"),
                file("evil"),
            ],
        ),
        (
            "absolute-symlink-then-file",
            PREFIX_OUT | MAKE_PARENTS,
            vec![
                link("link", "/{root}/outside"),
                file("link/x.js"),
                file("link/secret/inner.txt"),
                dir("link/evil"),
            ],
        ),
        (
            "nested-symlink-climb",
            PREFIX_OUT | MAKE_PARENTS,
            vec![
                dir("a"),
                link("a/b", "../.."),
                file("a/b/outside/x.js"),
                link("x.js", "a/b/../outside/canary.txt"),
                file("x.js"),
            ],
        ),
        (
            "hard-link-out",
            PREFIX_OUT | VERIFY,
            vec![
                hard("stolen", "../../outside/canary.txt"),
                link("link", "../../outside/canary.txt"),
                hard("stolen2", "link"),
                file("stolen"),
                file("stolen2"),
            ],
        ),
        (
            "no-follow",
            PREFIX_OUT | NO_FOLLOW | VERIFY,
            vec![link("x.js", "../../outside/canary.txt"), file("x.js")],
        ),
    ];
    seeds
        .into_iter()
        .map(|(name, flags, entries)| (name.to_string(), encoded(&Archive { flags, entries })))
        .collect()
}
