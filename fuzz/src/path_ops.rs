//! The `path_ops` target: a sequence of preview1 path operations, with
//! paths and symlink targets the fuzzer chooses, in a sandbox beside a
//! canary tree and a read-only preopen.
//!
//! The oracle, after every operation:
//! - nothing in the canary tree was opened, read or changed, and nothing
//!   read-only changed ([`Fixture::check`]: inotify events after every
//!   operation, and a snapshot of bytes and metadata compared after the
//!   last one, or after every one with `CAPWASI_FUZZ_FULL_CHECK=1`);
//! - no read returned canary bytes, and no readlink returned a text that
//!   no symlink the guest could see holds;
//! - no descriptor the guest opened, and no stat it made, names a node
//!   outside the grant it came through.

use std::fs;
use std::os::unix::fs::symlink;

use arbitrary::{Arbitrary, Result, Unstructured};
use capwasi::p1::types::{lookupflags, rights};
use capwasi::p1::Errno;
use capwasi::WasiCtxBuilder;

use crate::fixture::{Fixture, Layout, CANARY_LINK_TEXT};
use crate::guest::{Guest, IOVEC, OUT_FD, OUT_SIZE, OUT_STAT};
use crate::input::{byte, bytes, put_bytes, read_seq, word16, Encode, PathSpec};
use crate::{finding, holds_canary_bytes};

/// Names the fuzzer builds paths from: what exists in the sandbox at the
/// start, in the canary tree, in the read-only tree, and the trees' own
/// names.
pub const VOCAB: &[&str] = &[
    "a",
    "b",
    "sub",
    "file.txt",
    "host_abs",
    "host_rel",
    "host_canary",
    "outside",
    "canary.txt",
    "secret",
    "inner.txt",
    "empty",
    "link",
    "ro",
    "dir",
    "sandbox",
    "root",
];

/// The most operations one input runs.
pub const MAX_OPS: usize = 24;
/// The longest write.
pub const MAX_WRITE: usize = 48;

/// The preopened sandbox, read-write.
pub const SANDBOX_FD: u32 = 3;
/// The preopened read-only tree.
pub const RO_FD: u32 = 4;

const LAYOUT: Layout = Layout {
    tag: "path_ops",
    canaries: &["outside"],
    read_only: Some("ro"),
    scratch: "sandbox",
};

/// A descriptor operand: one the guest holds, picked by index, or a raw
/// number (stdio, closed numbers, numbers never used).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fd {
    /// The n-th (modulo) descriptor the harness knows to be open.
    Live(u8),
    /// This number, below 32.
    Raw(u8),
}

const RAW_FD: u8 = 0xE0;

impl Fd {
    fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        let v = byte(u)?;
        Ok(if v < RAW_FD {
            Fd::Live(v)
        } else {
            Fd::Raw(v - RAW_FD)
        })
    }
}

impl Encode for Fd {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(match *self {
            Fd::Live(i) => {
                assert!(i < RAW_FD);
                i
            }
            Fd::Raw(n) => {
                assert!(n < 32);
                RAW_FD + n
            }
        });
    }
}

/// Rights a path_open asks for, by the low three bits of its rights byte;
/// the high bit asks for every right to be inheritable.
const RIGHTS: [u64; 8] = [
    0,
    rights::FD_READ | rights::FD_FILESTAT_GET,
    rights::FD_WRITE | rights::FD_FILESTAT_GET,
    rights::FD_READ | rights::FD_WRITE | rights::FD_SEEK | rights::FD_FILESTAT_GET,
    rights::FILE,
    rights::DIRECTORY,
    rights::ALL,
    rights::FD_READ | rights::FD_READDIR | rights::FD_FILESTAT_GET | rights::PATH_OPEN,
];

/// One operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `path_open`; `oflags` and `fdflags` are passed as given (masked to
    /// one bit beyond the defined ones, which must be EINVAL).
    Open {
        /// Directory.
        dir: Fd,
        /// Follow a symlink in the last component.
        follow: bool,
        /// Path.
        path: PathSpec,
        /// `oflags`.
        oflags: u8,
        /// An index into the rights presets; bit 7 for inheriting all.
        rights: u8,
        /// `fdflags`.
        fdflags: u8,
    },
    /// `path_create_directory`.
    Mkdir {
        /// Directory.
        dir: Fd,
        /// Path.
        path: PathSpec,
    },
    /// `path_symlink`.
    Symlink {
        /// The link's text.
        target: PathSpec,
        /// Directory.
        dir: Fd,
        /// Where the link goes.
        path: PathSpec,
    },
    /// `path_link`.
    Link {
        /// Source directory.
        from: Fd,
        /// Follow a symlink in the source's last component.
        follow: bool,
        /// Source path.
        old: PathSpec,
        /// Target directory.
        to: Fd,
        /// Target path.
        new: PathSpec,
    },
    /// `path_rename`.
    Rename {
        /// Source directory.
        from: Fd,
        /// Source path.
        old: PathSpec,
        /// Target directory.
        to: Fd,
        /// Target path.
        new: PathSpec,
    },
    /// `path_unlink_file`.
    Unlink {
        /// Directory.
        dir: Fd,
        /// Path.
        path: PathSpec,
    },
    /// `path_remove_directory`.
    Rmdir {
        /// Directory.
        dir: Fd,
        /// Path.
        path: PathSpec,
    },
    /// `path_readlink` into a buffer of `len` bytes.
    Readlink {
        /// Directory.
        dir: Fd,
        /// Path.
        path: PathSpec,
        /// Buffer length.
        len: u8,
    },
    /// `path_filestat_get`.
    Stat {
        /// Directory.
        dir: Fd,
        /// Follow a symlink in the last component.
        follow: bool,
        /// Path.
        path: PathSpec,
    },
    /// `path_filestat_set_times`.
    SetTimes {
        /// Directory.
        dir: Fd,
        /// Follow a symlink in the last component.
        follow: bool,
        /// Path.
        path: PathSpec,
        /// `fstflags`, masked to one bit beyond the defined ones.
        flags: u8,
    },
    /// `fd_read`, or `fd_pread` at `offset`.
    Read {
        /// Descriptor.
        fd: Fd,
        /// Bytes to read.
        len: u8,
        /// An offset for `fd_pread`.
        offset: Option<u16>,
    },
    /// `fd_write`, or `fd_pwrite` at `offset`; the bytes are made 7-bit.
    Write {
        /// Descriptor.
        fd: Fd,
        /// Bytes to write.
        data: Vec<u8>,
        /// An offset for `fd_pwrite`.
        offset: Option<u16>,
    },
    /// `fd_close`.
    Close {
        /// Descriptor.
        fd: Fd,
    },
    /// `fd_filestat_set_size`.
    SetSize {
        /// Descriptor.
        fd: Fd,
        /// New size.
        size: u16,
    },
    /// `fd_readdir` from cookie 0.
    Readdir {
        /// Descriptor.
        fd: Fd,
    },
    /// `fd_renumber`.
    Renumber {
        /// Source.
        from: Fd,
        /// Target.
        to: Fd,
    },
}

const OPS: u8 = 16;

fn flag(u: &mut Unstructured<'_>) -> Result<bool> {
    Ok(byte(u)? & 1 != 0)
}

fn offset(u: &mut Unstructured<'_>) -> Result<Option<u16>> {
    Ok(if flag(u)? { Some(word16(u)?) } else { None })
}

fn put_offset(out: &mut Vec<u8>, offset: Option<u16>) {
    match offset {
        Some(o) => {
            out.push(1);
            out.extend_from_slice(&o.to_le_bytes());
        }
        None => out.push(0),
    }
}

impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let path = |u: &mut Unstructured<'_>| PathSpec::read(u, VOCAB);
        Ok(match byte(u)? % OPS {
            0 => Op::Open {
                dir: Fd::read(u)?,
                follow: flag(u)?,
                path: path(u)?,
                oflags: byte(u)?,
                rights: byte(u)?,
                fdflags: byte(u)?,
            },
            1 => Op::Mkdir {
                dir: Fd::read(u)?,
                path: path(u)?,
            },
            2 => Op::Symlink {
                target: path(u)?,
                dir: Fd::read(u)?,
                path: path(u)?,
            },
            3 => Op::Link {
                from: Fd::read(u)?,
                follow: flag(u)?,
                old: path(u)?,
                to: Fd::read(u)?,
                new: path(u)?,
            },
            4 => Op::Rename {
                from: Fd::read(u)?,
                old: path(u)?,
                to: Fd::read(u)?,
                new: path(u)?,
            },
            5 => Op::Unlink {
                dir: Fd::read(u)?,
                path: path(u)?,
            },
            6 => Op::Rmdir {
                dir: Fd::read(u)?,
                path: path(u)?,
            },
            7 => Op::Readlink {
                dir: Fd::read(u)?,
                path: path(u)?,
                len: byte(u)?,
            },
            8 => Op::Stat {
                dir: Fd::read(u)?,
                follow: flag(u)?,
                path: path(u)?,
            },
            9 => Op::SetTimes {
                dir: Fd::read(u)?,
                follow: flag(u)?,
                path: path(u)?,
                flags: byte(u)?,
            },
            10 => Op::Read {
                fd: Fd::read(u)?,
                len: byte(u)?,
                offset: offset(u)?,
            },
            11 => Op::Write {
                fd: Fd::read(u)?,
                data: bytes(u, MAX_WRITE)?.to_vec(),
                offset: offset(u)?,
            },
            12 => Op::Close { fd: Fd::read(u)? },
            13 => Op::SetSize {
                fd: Fd::read(u)?,
                size: word16(u)?,
            },
            14 => Op::Readdir { fd: Fd::read(u)? },
            _ => Op::Renumber {
                from: Fd::read(u)?,
                to: Fd::read(u)?,
            },
        })
    }
}

impl Encode for Op {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Op::Open {
                dir,
                follow,
                path,
                oflags,
                rights,
                fdflags,
            } => {
                out.push(0);
                dir.encode(out);
                out.push(*follow as u8);
                path.encode(out);
                out.extend_from_slice(&[*oflags, *rights, *fdflags]);
            }
            Op::Mkdir { dir, path } => {
                out.push(1);
                dir.encode(out);
                path.encode(out);
            }
            Op::Symlink { target, dir, path } => {
                out.push(2);
                target.encode(out);
                dir.encode(out);
                path.encode(out);
            }
            Op::Link {
                from,
                follow,
                old,
                to,
                new,
            } => {
                out.push(3);
                from.encode(out);
                out.push(*follow as u8);
                old.encode(out);
                to.encode(out);
                new.encode(out);
            }
            Op::Rename { from, old, to, new } => {
                out.push(4);
                from.encode(out);
                old.encode(out);
                to.encode(out);
                new.encode(out);
            }
            Op::Unlink { dir, path } => {
                out.push(5);
                dir.encode(out);
                path.encode(out);
            }
            Op::Rmdir { dir, path } => {
                out.push(6);
                dir.encode(out);
                path.encode(out);
            }
            Op::Readlink { dir, path, len } => {
                out.push(7);
                dir.encode(out);
                path.encode(out);
                out.push(*len);
            }
            Op::Stat { dir, follow, path } => {
                out.push(8);
                dir.encode(out);
                out.push(*follow as u8);
                path.encode(out);
            }
            Op::SetTimes {
                dir,
                follow,
                path,
                flags,
            } => {
                out.push(9);
                dir.encode(out);
                out.push(*follow as u8);
                path.encode(out);
                out.push(*flags);
            }
            Op::Read { fd, len, offset } => {
                out.push(10);
                fd.encode(out);
                out.push(*len);
                put_offset(out, *offset);
            }
            Op::Write { fd, data, offset } => {
                assert!(data.len() <= MAX_WRITE);
                out.push(11);
                fd.encode(out);
                put_bytes(out, data);
                put_offset(out, *offset);
            }
            Op::Close { fd } => {
                out.push(12);
                fd.encode(out);
            }
            Op::SetSize { fd, size } => {
                out.push(13);
                fd.encode(out);
                out.extend_from_slice(&size.to_le_bytes());
            }
            Op::Readdir { fd } => {
                out.push(14);
                fd.encode(out);
            }
            Op::Renumber { from, to } => {
                out.push(15);
                from.encode(out);
                to.encode(out);
            }
        }
    }
}

/// A whole input: the operations, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Input(pub Vec<Op>);

impl<'a> Arbitrary<'a> for Input {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Input(read_seq(u, MAX_OPS, Op::arbitrary)?))
    }
}

impl Encode for Input {
    fn encode(&self, out: &mut Vec<u8>) {
        for op in &self.0 {
            op.encode(out);
        }
    }
}

/// Which grant a descriptor was opened through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Sandbox,
    ReadOnly,
}

/// What the run knows of the guest: its descriptors and the symlink texts
/// it may legitimately read back.
struct State {
    fds: Vec<(u32, Origin)>,
    links: Vec<Vec<u8>>,
    host_root: String,
}

impl State {
    fn fd(&self, fd: Fd) -> u32 {
        match fd {
            // With every descriptor closed or moved away, fall back to the
            // small numbers, where the preopens were.
            Fd::Live(i) if self.fds.is_empty() => i as u32 % 8,
            Fd::Live(i) => self.fds[i as usize % self.fds.len()].0,
            Fd::Raw(n) => n as u32,
        }
    }

    fn origin(&self, fd: u32) -> Option<Origin> {
        self.fds.iter().find(|(n, _)| *n == fd).map(|(_, o)| *o)
    }

    fn forget(&mut self, fd: u32) -> Option<Origin> {
        let i = self.fds.iter().position(|(n, _)| *n == fd)?;
        Some(self.fds.remove(i).1)
    }

    fn path(&self, guest: &mut Guest, path: &PathSpec) -> (u64, u64) {
        let bytes = path.render(VOCAB, &self.host_root);
        let (ptr, len) = guest.put(&bytes);
        (ptr as u64, len as u64)
    }
}

/// What the sandbox holds at the start of every input: a file, a
/// directory, and symlinks that point out, absolute and relative.
pub(crate) fn populate(fixture_root: &str) -> impl FnOnce(&std::path::Path) + '_ {
    move |sandbox| {
        fs::write(sandbox.join("file.txt"), b"hello\n").unwrap();
        fs::create_dir(sandbox.join("sub")).unwrap();
        symlink(format!("{fixture_root}/outside"), sandbox.join("host_abs")).unwrap();
        symlink("../outside", sandbox.join("host_rel")).unwrap();
        symlink("../outside/canary.txt", sandbox.join("host_canary")).unwrap();
    }
}

/// Runs one input against a fresh sandbox and checks the oracle after
/// every operation.
pub fn run(input: &Input) {
    LAYOUT.with_fixture(|fixture| run_in(fixture, input));
}

fn run_in(fixture: &mut Fixture, input: &Input) {
    let host_root = fixture.host_root().to_string();
    fixture.reset(populate(&host_root));
    let ctx = {
        let mut b = WasiCtxBuilder::new();
        fixture.grant_sandbox_and_read_only(&mut b);
        b.build().unwrap()
    };
    let mut guest = Guest::new(ctx, 64 * 1024);
    let mut state = State {
        fds: vec![(SANDBOX_FD, Origin::Sandbox), (RO_FD, Origin::ReadOnly)],
        links: vec![
            format!("{host_root}/outside").into_bytes(),
            b"../outside".to_vec(),
            b"../outside/canary.txt".to_vec(),
            b"file.txt".to_vec(),
        ],
        host_root,
    };
    fixture.check(false, || "setting up".to_string());
    for (i, op) in input.0.iter().enumerate() {
        guest.reset_scratch();
        step(fixture, &mut guest, &mut state, op);
        fixture.check(false, || format!("operation {i} {op:?}"));
    }
    drop(guest);
    fixture.check(true, || "closing every descriptor".to_string());
}

fn step(fixture: &mut Fixture, guest: &mut Guest, state: &mut State, op: &Op) {
    let what = || format!("{op:?}");
    match op {
        Op::Open {
            dir,
            follow,
            path,
            oflags,
            rights: preset,
            fdflags,
        } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            let base = RIGHTS[(*preset & 7) as usize];
            let inheriting = if preset & 0x80 != 0 {
                rights::ALL
            } else {
                base
            };
            let e = guest.call(
                "path_open",
                &[
                    dir as u64,
                    lookup(*follow),
                    p,
                    len,
                    (*oflags & 0x1F) as u64,
                    base,
                    inheriting,
                    (*fdflags & 0x3F) as u64,
                    OUT_FD as u64,
                ],
            );
            if e == Errno::Success {
                let new = guest.read_u32(OUT_FD);
                let origin = state.origin(dir).unwrap_or_else(|| {
                    finding(format_args!(
                        "{} opened through fd {dir}, which is no directory the guest holds",
                        what()
                    ))
                });
                state.forget(new);
                state.fds.push((new, origin));
                if guest.call("fd_filestat_get", &[new as u64, OUT_STAT as u64]) == Errno::Success {
                    check_identity(fixture, guest, origin, &what);
                }
            }
        }
        Op::Mkdir { dir, path } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            guest.call("path_create_directory", &[dir as u64, p, len]);
        }
        Op::Symlink { target, dir, path } => {
            let dir = state.fd(*dir);
            let text = target.render(VOCAB, &state.host_root);
            let (t, tlen) = guest.put(&text);
            let (p, len) = state.path(guest, path);
            if guest.call("path_symlink", &[t as u64, tlen as u64, dir as u64, p, len])
                == Errno::Success
            {
                state.links.push(text);
            }
        }
        Op::Link {
            from,
            follow,
            old,
            to,
            new,
        } => {
            let (from, to) = (state.fd(*from), state.fd(*to));
            let (o, olen) = state.path(guest, old);
            let (n, nlen) = state.path(guest, new);
            guest.call(
                "path_link",
                &[from as u64, lookup(*follow), o, olen, to as u64, n, nlen],
            );
        }
        Op::Rename { from, old, to, new } => {
            let (from, to) = (state.fd(*from), state.fd(*to));
            let (o, olen) = state.path(guest, old);
            let (n, nlen) = state.path(guest, new);
            guest.call("path_rename", &[from as u64, o, olen, to as u64, n, nlen]);
        }
        Op::Unlink { dir, path } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            guest.call("path_unlink_file", &[dir as u64, p, len]);
        }
        Op::Rmdir { dir, path } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            guest.call("path_remove_directory", &[dir as u64, p, len]);
        }
        Op::Readlink {
            dir,
            path,
            len: buf_len,
        } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            let buf = guest.reserve(*buf_len as u32);
            let e = guest.call(
                "path_readlink",
                &[
                    dir as u64,
                    p,
                    len,
                    buf as u64,
                    *buf_len as u64,
                    OUT_SIZE as u64,
                ],
            );
            if e == Errno::Success {
                let n = guest.read_u32(OUT_SIZE) as usize;
                if n > *buf_len as usize {
                    finding(format_args!(
                        "{} claims {n} bytes in a {buf_len}-byte buffer",
                        what()
                    ));
                }
                let text = &guest.memory[buf as usize..buf as usize + n];
                if holds_canary_bytes(text) || !state.links.iter().any(|l| l.starts_with(text)) {
                    finding(format_args!(
                        "{} returned {:?}, which no symlink the guest can see holds",
                        what(),
                        String::from_utf8_lossy(text)
                    ));
                }
                if text == CANARY_LINK_TEXT.as_bytes() {
                    finding(format_args!("{} read the canary tree's symlink", what()));
                }
            }
        }
        Op::Stat { dir, follow, path } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            let e = guest.call(
                "path_filestat_get",
                &[dir as u64, lookup(*follow), p, len, OUT_STAT as u64],
            );
            if e == Errno::Success {
                let origin = state.origin(dir).unwrap_or(Origin::Sandbox);
                check_identity(fixture, guest, origin, &what);
            }
        }
        Op::SetTimes {
            dir,
            follow,
            path,
            flags,
        } => {
            let dir = state.fd(*dir);
            let (p, len) = state.path(guest, path);
            guest.call(
                "path_filestat_set_times",
                &[
                    dir as u64,
                    lookup(*follow),
                    p,
                    len,
                    1_000_000_123,
                    2_000_000_456,
                    (*flags & 0x1F) as u64,
                ],
            );
        }
        Op::Read { fd, len, offset } => {
            let fd = state.fd(*fd);
            let buf = guest.reserve(*len as u32);
            guest.set_iovec(buf, *len as u32);
            let e = match offset {
                None => guest.call("fd_read", &[fd as u64, IOVEC as u64, 1, OUT_SIZE as u64]),
                Some(off) => guest.call(
                    "fd_pread",
                    &[fd as u64, IOVEC as u64, 1, *off as u64, OUT_SIZE as u64],
                ),
            };
            if e == Errno::Success {
                let n = guest.read_u32(OUT_SIZE) as usize;
                if n > *len as usize {
                    finding(format_args!("{} claims {n} bytes read into {len}", what()));
                }
                if holds_canary_bytes(&guest.memory[buf as usize..buf as usize + n]) {
                    finding(format_args!("{} returned canary bytes", what()));
                }
            }
        }
        Op::Write { fd, data, offset } => {
            let fd = state.fd(*fd);
            let seven_bit: Vec<u8> = data.iter().map(|b| b & 0x7F).collect();
            let (buf, len) = guest.put(&seven_bit);
            guest.set_iovec(buf, len);
            match offset {
                None => guest.call("fd_write", &[fd as u64, IOVEC as u64, 1, OUT_SIZE as u64]),
                Some(off) => guest.call(
                    "fd_pwrite",
                    &[fd as u64, IOVEC as u64, 1, *off as u64, OUT_SIZE as u64],
                ),
            };
        }
        Op::Close { fd } => {
            let fd = state.fd(*fd);
            if guest.call("fd_close", &[fd as u64]) == Errno::Success {
                state.forget(fd);
            }
        }
        Op::SetSize { fd, size } => {
            let fd = state.fd(*fd);
            guest.call("fd_filestat_set_size", &[fd as u64, *size as u64]);
        }
        Op::Readdir { fd } => {
            let fd = state.fd(*fd);
            let buf = guest.reserve(512);
            guest.call(
                "fd_readdir",
                &[fd as u64, buf as u64, 512, 0, OUT_SIZE as u64],
            );
        }
        Op::Renumber { from, to } => {
            let (from, to) = (state.fd(*from), state.fd(*to));
            if guest.call("fd_renumber", &[from as u64, to as u64]) == Errno::Success && from != to
            {
                let origin = state.forget(from);
                state.forget(to);
                if let Some(origin) = origin {
                    state.fds.push((to, origin));
                }
            }
        }
    }
}

fn lookup(follow: bool) -> u64 {
    if follow {
        lookupflags::SYMLINK_FOLLOW as u64
    } else {
        0
    }
}

/// The filestat at `OUT_STAT` must not describe a node outside the grant
/// the descriptor came through.
fn check_identity(fixture: &Fixture, guest: &Guest, origin: Origin, what: &dyn Fn() -> String) {
    let id = guest.stat_identity();
    if fixture.is_outside(id, origin == Origin::ReadOnly) {
        finding(format_args!(
            "{} reached (dev, ino) {id:?} outside its {origin:?} grant",
            what()
        ));
    }
}
