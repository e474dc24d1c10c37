//! The `zipslip` target: a deliberately naive archive extractor, run as a
//! guest, fed archives the fuzzer generates.
//!
//! The extractor is what vulnerable code looks like: it joins each entry's
//! name onto its output directory as a string (`"out/" + name`), with no
//! check for `..`, absolute names or symlinks, then creates what the entry
//! says through preview1 calls: `path_open(CREAT|TRUNC)` and `fd_write`
//! for a file, `path_create_directory` for a directory, `path_symlink` for
//! a symlink, `path_link` for a hard link. It is written in Rust against
//! guest memory rather than compiled to wasm, so each archive costs system
//! calls, not a module instantiation; the host functions it calls are the
//! real ones every engine registers.
//!
//! The oracle: nothing outside the preopened output directory is opened,
//! read or changed ([`Fixture::check`] after every entry), and nothing the
//! extractor reads back holds canary bytes.

use arbitrary::{Arbitrary, Result, Unstructured};
use capwasi::p1::types::{lookupflags, oflags, rights};
use capwasi::p1::Errno;
use capwasi::{DirPerms, WasiCtxBuilder};

use crate::fixture::{Fixture, Layout};
use crate::guest::{Guest, IOVEC, OUT_FD, OUT_SIZE};
use crate::input::{byte, bytes, put_bytes, read_seq, Encode, PathSpec};
use crate::{finding, holds_canary_bytes};

/// Names entries are built from: the extractor's own directory, plain
/// names, and the names of the canary trees and of the directories above
/// the output directory.
pub const VOCAB: &[&str] = &[
    "out",
    "a",
    "b",
    "x.js",
    "evil",
    "link",
    "outside",
    "canary.txt",
    "dest",
    "work",
    "secret",
    "inner.txt",
    "root",
];

/// The most entries one archive holds.
pub const MAX_ENTRIES: usize = 16;
/// The largest file entry.
pub const MAX_DATA: usize = 32;

/// The preopened output directory.
const DEST_FD: u32 = 3;

const LAYOUT: Layout = Layout {
    tag: "zipslip",
    // One canary beside the output directory and one a level above it, so
    // that `../` and `../../` both have something to hit.
    canaries: &["outside", "work/outside"],
    read_only: None,
    scratch: "work/dest",
};

/// What an entry makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A regular file with these bytes (made 7-bit).
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symlink with this text.
    Symlink(PathSpec),
    /// A hard link to this earlier entry name.
    HardLink(PathSpec),
}

/// One archive entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What it makes.
    pub kind: Kind,
    /// Its name, as stored in the archive.
    pub name: PathSpec,
}

/// Joins entry names under `out/`; without it, names are used as they are.
pub const PREFIX_OUT: u8 = 1;
/// Creates each name's parent directories first, as `mkdir -p` would.
pub const MAKE_PARENTS: u8 = 2;
/// Opens files without following a symlink in the last component.
pub const NO_FOLLOW: u8 = 4;
/// Reads every file entry back after extracting, to verify it.
pub const VERIFY: u8 = 8;

/// An archive and how the extractor treats it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archive {
    /// [`PREFIX_OUT`], [`MAKE_PARENTS`], [`NO_FOLLOW`], [`VERIFY`].
    pub flags: u8,
    /// The entries, in order.
    pub entries: Vec<Entry>,
}

impl Entry {
    fn read(u: &mut Unstructured<'_>) -> Result<Self> {
        let path = |u: &mut Unstructured<'_>| PathSpec::read(u, VOCAB);
        let kind = match byte(u)? % 4 {
            0 => Kind::File(bytes(u, MAX_DATA)?.to_vec()),
            1 => Kind::Dir,
            2 => Kind::Symlink(path(u)?),
            _ => Kind::HardLink(path(u)?),
        };
        Ok(Entry {
            kind,
            name: path(u)?,
        })
    }
}

impl Encode for Entry {
    fn encode(&self, out: &mut Vec<u8>) {
        match &self.kind {
            Kind::File(data) => {
                assert!(data.len() <= MAX_DATA);
                out.push(0);
                put_bytes(out, data);
            }
            Kind::Dir => out.push(1),
            Kind::Symlink(target) => {
                out.push(2);
                target.encode(out);
            }
            Kind::HardLink(target) => {
                out.push(3);
                target.encode(out);
            }
        }
        self.name.encode(out);
    }
}

impl<'a> Arbitrary<'a> for Archive {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Archive {
            flags: byte(u)?,
            entries: read_seq(u, MAX_ENTRIES, Entry::read)?,
        })
    }
}

impl Encode for Archive {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.flags);
        for entry in &self.entries {
            entry.encode(out);
        }
    }
}

/// Extracts one archive into a fresh output directory and checks the
/// oracle after every entry.
pub fn run(archive: &Archive) {
    LAYOUT.with_fixture(|fixture| run_in(fixture, archive));
}

fn run_in(fixture: &mut Fixture, archive: &Archive) {
    fixture.reset(|_| {});
    let ctx = {
        let mut b = WasiCtxBuilder::new();
        b.preopened_dir(&fixture.scratch, "/dest", DirPerms::ReadWrite)
            .unwrap();
        b.build().unwrap()
    };
    let mut guest = Guest::new(ctx, 64 * 1024);
    let host_root = fixture.host_root().to_string();
    let prefix: &[u8] = if archive.flags & PREFIX_OUT != 0 {
        b"out/"
    } else {
        b""
    };
    if !prefix.is_empty() {
        mkdir(&mut guest, b"out");
    }
    fixture.check(false, || "making the output directory".to_string());
    let joined = |name: &PathSpec| [prefix, &name.render(VOCAB, &host_root)].concat();
    for (i, entry) in archive.entries.iter().enumerate() {
        guest.reset_scratch();
        let path = joined(&entry.name);
        if archive.flags & MAKE_PARENTS != 0 {
            for (at, _) in path.iter().enumerate().filter(|(_, &b)| b == b'/') {
                if at > 0 {
                    mkdir(&mut guest, &path[..at]);
                }
            }
        }
        match &entry.kind {
            Kind::Dir => mkdir(&mut guest, &path),
            Kind::File(data) => write_file(&mut guest, &path, data, archive.flags),
            Kind::Symlink(target) => {
                let target = target.render(VOCAB, &host_root);
                let (t, tlen) = guest.put(&target);
                let (p, len) = guest.put(&path);
                guest.call(
                    "path_symlink",
                    &[t as u64, tlen as u64, DEST_FD as u64, p as u64, len as u64],
                );
            }
            Kind::HardLink(target) => {
                let (t, tlen) = guest.put(&joined(target));
                let (p, len) = guest.put(&path);
                guest.call(
                    "path_link",
                    &[
                        DEST_FD as u64,
                        lookupflags::SYMLINK_FOLLOW as u64,
                        t as u64,
                        tlen as u64,
                        DEST_FD as u64,
                        p as u64,
                        len as u64,
                    ],
                );
            }
        }
        fixture.check(false, || format!("entry {i} {entry:?}"));
    }
    if archive.flags & VERIFY != 0 {
        for (i, entry) in archive.entries.iter().enumerate() {
            if matches!(entry.kind, Kind::File(_)) {
                guest.reset_scratch();
                verify(&mut guest, &joined(&entry.name), archive.flags);
                fixture.check(false, || format!("reading back entry {i} {entry:?}"));
            }
        }
    }
    drop(guest);
    fixture.check(true, || "closing every descriptor".to_string());
}

fn follow(flags: u8) -> u64 {
    if flags & NO_FOLLOW != 0 {
        0
    } else {
        lookupflags::SYMLINK_FOLLOW as u64
    }
}

fn mkdir(guest: &mut Guest, path: &[u8]) {
    let (p, len) = guest.put(path);
    guest.call(
        "path_create_directory",
        &[DEST_FD as u64, p as u64, len as u64],
    );
}

fn write_file(guest: &mut Guest, path: &[u8], data: &[u8], flags: u8) {
    let (p, len) = guest.put(path);
    let e = guest.call(
        "path_open",
        &[
            DEST_FD as u64,
            follow(flags),
            p as u64,
            len as u64,
            (oflags::CREAT | oflags::TRUNC) as u64,
            rights::FD_READ | rights::FD_WRITE,
            0,
            0,
            OUT_FD as u64,
        ],
    );
    if e != Errno::Success {
        return;
    }
    let fd = guest.read_u32(OUT_FD);
    let seven_bit: Vec<u8> = data.iter().map(|b| b & 0x7F).collect();
    let (buf, n) = guest.put(&seven_bit);
    guest.set_iovec(buf, n);
    guest.call("fd_write", &[fd as u64, IOVEC as u64, 1, OUT_SIZE as u64]);
    guest.call("fd_close", &[fd as u64]);
}

fn verify(guest: &mut Guest, path: &[u8], flags: u8) {
    let (p, len) = guest.put(path);
    let e = guest.call(
        "path_open",
        &[
            DEST_FD as u64,
            follow(flags),
            p as u64,
            len as u64,
            0,
            rights::FD_READ,
            0,
            0,
            OUT_FD as u64,
        ],
    );
    if e != Errno::Success {
        return;
    }
    let fd = guest.read_u32(OUT_FD);
    let buf = guest.reserve(256);
    guest.set_iovec(buf, 256);
    if guest.call("fd_read", &[fd as u64, IOVEC as u64, 1, OUT_SIZE as u64]) == Errno::Success {
        let n = guest.read_u32(OUT_SIZE) as usize;
        if holds_canary_bytes(&guest.memory[buf as usize..buf as usize + n.min(256)]) {
            finding(format_args!(
                "reading back {:?} returned canary bytes",
                String::from_utf8_lossy(path)
            ));
        }
    }
    guest.call("fd_close", &[fd as u64]);
}
