//! The `p2_path_ops` target: `path_ops` for preview2. A sequence of
//! `wasi:filesystem` calls, with paths and symlink targets the fuzzer
//! chooses, made through the core's Rust functions for preview2
//! (`capwasi::p2::filesystem` and `capwasi::p2::io::streams`), in the same
//! fixture as `path_ops`: a read-write preopen beside a canary tree and a
//! read-only preopen.
//!
//! The oracle is `path_ops`'s, after every operation:
//! - nothing in the canary tree was opened, read or changed, and nothing
//!   read-only changed ([`Fixture::check`]);
//! - no read, by `read` or through an input stream, returned canary
//!   bytes, and no readlink returned a text that no symlink the guest
//!   could see holds;
//! - no descriptor the guest opened, and no stat it made, names a node
//!   outside the grant it came through.
//!
//! preview2's `descriptor-stat` has no device or inode number, so the last
//! check goes through `metadata-hash`, which hashes them with a secret of
//! the context. The harness grants the fixture's base directory as a third,
//! read-only preopen that the guest never sees, hashes every frozen node
//! through it at the start of each input, and so learns which `(dev, ino)`
//! each hash stands for.
//!
//! Besides: no call panics, and none traps except a descriptor's drop
//! while streams or listings made from it are live, which must trap (and
//! must not, once they are gone).

use std::collections::HashMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::{Arbitrary, Result, Unstructured};
use capwasi::p2::clocks::wall_clock::Datetime;
use capwasi::p2::filesystem::preopens;
use capwasi::p2::filesystem::types::{
    descriptor, directory_entry_stream, Descriptor, DescriptorFlags, DirectoryEntryStream,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use capwasi::p2::io::error as io_error;
use capwasi::p2::io::streams::{self, InputStream, OutputStream, StreamError};
use capwasi::p2::{Failure, Resource, Trap, WasiP2Ctx};
use capwasi::{DirPerms, WasiCtxBuilder};

use crate::fixture::{Fixture, Layout, CANARY_LINK_TEXT};
use crate::guest::tracing_calls;
use crate::input::{byte, bytes, put_bytes, read_seq, word16, Encode, PathSpec};
use crate::path_ops::{populate, MAX_OPS, MAX_WRITE, VOCAB};
use crate::{finding, holds_canary_bytes};

/// A core call's outcome: under the default blocking execution every call
/// is over at its first poll.
fn now<F: std::future::Future>(call: F) -> F::Output {
    match capwasi::execution::finish(call) {
        Some(outcome) => outcome,
        None => finding(format_args!("a blocking preview2 call was left unfinished")),
    }
}

const LAYOUT: Layout = Layout {
    tag: "p2_path_ops",
    canaries: &["outside"],
    read_only: Some("ro"),
    scratch: "sandbox",
};

/// One operation. Operands named `dir`, `fd`, `from` and `to` pick one of
/// the descriptors the guest holds, by index (modulo how many there are):
/// at the start, 0 is the read-write preopen and 1 the read-only one.
/// `child` picks one of the streams and listings it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    /// `open-at`; each flags byte is masked to the flags the WIT defines.
    Open {
        /// Directory.
        dir: u8,
        /// `path-flags` (`symlink-follow`).
        path_flags: u8,
        /// Path.
        path: PathSpec,
        /// `open-flags`.
        open_flags: u8,
        /// `descriptor-flags`.
        flags: u8,
    },
    /// `create-directory-at`.
    Mkdir {
        /// Directory.
        dir: u8,
        /// Path.
        path: PathSpec,
    },
    /// `symlink-at`.
    Symlink {
        /// The link's text.
        target: PathSpec,
        /// Directory.
        dir: u8,
        /// Where the link goes.
        path: PathSpec,
    },
    /// `link-at`.
    Link {
        /// Source directory.
        from: u8,
        /// Follow a symlink in the source's last component.
        follow: bool,
        /// Source path.
        old: PathSpec,
        /// Target directory.
        to: u8,
        /// Target path.
        new: PathSpec,
    },
    /// `rename-at`.
    Rename {
        /// Source directory.
        from: u8,
        /// Source path.
        old: PathSpec,
        /// Target directory.
        to: u8,
        /// Target path.
        new: PathSpec,
    },
    /// `unlink-file-at`.
    Unlink {
        /// Directory.
        dir: u8,
        /// Path.
        path: PathSpec,
    },
    /// `remove-directory-at`.
    Rmdir {
        /// Directory.
        dir: u8,
        /// Path.
        path: PathSpec,
    },
    /// `readlink-at`.
    Readlink {
        /// Directory.
        dir: u8,
        /// Path.
        path: PathSpec,
    },
    /// `stat-at`.
    Stat {
        /// Directory.
        dir: u8,
        /// Follow a symlink in the last component.
        follow: bool,
        /// Path.
        path: PathSpec,
    },
    /// `set-times-at`; see [`timestamp`] for what the time bytes mean.
    SetTimes {
        /// Directory.
        dir: u8,
        /// Follow a symlink in the last component.
        follow: bool,
        /// Path.
        path: PathSpec,
        /// The access time.
        atime: u8,
        /// The modification time.
        mtime: u8,
    },
    /// `read` of `len` bytes at `offset`.
    Read {
        /// Descriptor.
        fd: u8,
        /// Bytes to read.
        len: u8,
        /// Offset.
        offset: u16,
    },
    /// `write` at `offset`; the bytes are made 7-bit.
    Write {
        /// Descriptor.
        fd: u8,
        /// Bytes to write.
        data: Vec<u8>,
        /// Offset.
        offset: u16,
    },
    /// `set-size`.
    SetSize {
        /// Descriptor.
        fd: u8,
        /// New size.
        size: u16,
    },
    /// Drops a descriptor.
    Drop {
        /// Descriptor.
        fd: u8,
    },
    /// `read-via-stream` from `offset`.
    ReadVia {
        /// Descriptor.
        fd: u8,
        /// Offset.
        offset: u16,
    },
    /// `write-via-stream` from `offset`, or `append-via-stream`.
    WriteVia {
        /// Descriptor.
        fd: u8,
        /// `append-via-stream` rather than `write-via-stream`.
        append: bool,
        /// Offset, for `write-via-stream`.
        offset: u16,
    },
    /// `blocking-read` of `len` bytes from an input stream.
    StreamRead {
        /// The stream, among the input streams.
        child: u8,
        /// Bytes to read.
        len: u8,
    },
    /// `check-write`, then `write` of as much of `data` as it permits, to
    /// an output stream; the bytes are made 7-bit.
    StreamWrite {
        /// The stream, among the output streams.
        child: u8,
        /// Bytes to write.
        data: Vec<u8>,
    },
    /// `read-directory`.
    ReadDirectory {
        /// Descriptor.
        fd: u8,
    },
    /// Up to `count` calls of `read-directory-entry`.
    NextEntry {
        /// The listing, among the listings.
        child: u8,
        /// How many entries to read.
        count: u8,
    },
    /// Drops a stream or a listing.
    DropChild {
        /// The stream or listing, among all of them.
        child: u8,
    },
}

const OPS: u8 = 21;

fn flag(u: &mut Unstructured<'_>) -> Result<bool> {
    Ok(byte(u)? & 1 != 0)
}

impl<'a> Arbitrary<'a> for Op {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let path = |u: &mut Unstructured<'_>| PathSpec::read(u, VOCAB);
        Ok(match byte(u)? % OPS {
            0 => Op::Open {
                dir: byte(u)?,
                path_flags: byte(u)?,
                path: path(u)?,
                open_flags: byte(u)?,
                flags: byte(u)?,
            },
            1 => Op::Mkdir {
                dir: byte(u)?,
                path: path(u)?,
            },
            2 => Op::Symlink {
                target: path(u)?,
                dir: byte(u)?,
                path: path(u)?,
            },
            3 => Op::Link {
                from: byte(u)?,
                follow: flag(u)?,
                old: path(u)?,
                to: byte(u)?,
                new: path(u)?,
            },
            4 => Op::Rename {
                from: byte(u)?,
                old: path(u)?,
                to: byte(u)?,
                new: path(u)?,
            },
            5 => Op::Unlink {
                dir: byte(u)?,
                path: path(u)?,
            },
            6 => Op::Rmdir {
                dir: byte(u)?,
                path: path(u)?,
            },
            7 => Op::Readlink {
                dir: byte(u)?,
                path: path(u)?,
            },
            8 => Op::Stat {
                dir: byte(u)?,
                follow: flag(u)?,
                path: path(u)?,
            },
            9 => Op::SetTimes {
                dir: byte(u)?,
                follow: flag(u)?,
                path: path(u)?,
                atime: byte(u)?,
                mtime: byte(u)?,
            },
            10 => Op::Read {
                fd: byte(u)?,
                len: byte(u)?,
                offset: word16(u)?,
            },
            11 => Op::Write {
                fd: byte(u)?,
                data: bytes(u, MAX_WRITE)?.to_vec(),
                offset: word16(u)?,
            },
            12 => Op::SetSize {
                fd: byte(u)?,
                size: word16(u)?,
            },
            13 => Op::Drop { fd: byte(u)? },
            14 => Op::ReadVia {
                fd: byte(u)?,
                offset: word16(u)?,
            },
            15 => Op::WriteVia {
                fd: byte(u)?,
                append: flag(u)?,
                offset: word16(u)?,
            },
            16 => Op::StreamRead {
                child: byte(u)?,
                len: byte(u)?,
            },
            17 => Op::StreamWrite {
                child: byte(u)?,
                data: bytes(u, MAX_WRITE)?.to_vec(),
            },
            18 => Op::ReadDirectory { fd: byte(u)? },
            19 => Op::NextEntry {
                child: byte(u)?,
                count: byte(u)?,
            },
            _ => Op::DropChild { child: byte(u)? },
        })
    }
}

impl Encode for Op {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Op::Open {
                dir,
                path_flags,
                path,
                open_flags,
                flags,
            } => {
                out.extend_from_slice(&[0, *dir, *path_flags]);
                path.encode(out);
                out.extend_from_slice(&[*open_flags, *flags]);
            }
            Op::Mkdir { dir, path } => {
                out.extend_from_slice(&[1, *dir]);
                path.encode(out);
            }
            Op::Symlink { target, dir, path } => {
                out.push(2);
                target.encode(out);
                out.push(*dir);
                path.encode(out);
            }
            Op::Link {
                from,
                follow,
                old,
                to,
                new,
            } => {
                out.extend_from_slice(&[3, *from, *follow as u8]);
                old.encode(out);
                out.push(*to);
                new.encode(out);
            }
            Op::Rename { from, old, to, new } => {
                out.extend_from_slice(&[4, *from]);
                old.encode(out);
                out.push(*to);
                new.encode(out);
            }
            Op::Unlink { dir, path } => {
                out.extend_from_slice(&[5, *dir]);
                path.encode(out);
            }
            Op::Rmdir { dir, path } => {
                out.extend_from_slice(&[6, *dir]);
                path.encode(out);
            }
            Op::Readlink { dir, path } => {
                out.extend_from_slice(&[7, *dir]);
                path.encode(out);
            }
            Op::Stat { dir, follow, path } => {
                out.extend_from_slice(&[8, *dir, *follow as u8]);
                path.encode(out);
            }
            Op::SetTimes {
                dir,
                follow,
                path,
                atime,
                mtime,
            } => {
                out.extend_from_slice(&[9, *dir, *follow as u8]);
                path.encode(out);
                out.extend_from_slice(&[*atime, *mtime]);
            }
            Op::Read { fd, len, offset } => {
                out.extend_from_slice(&[10, *fd, *len]);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            Op::Write { fd, data, offset } => {
                assert!(data.len() <= MAX_WRITE);
                out.extend_from_slice(&[11, *fd]);
                put_bytes(out, data);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            Op::SetSize { fd, size } => {
                out.extend_from_slice(&[12, *fd]);
                out.extend_from_slice(&size.to_le_bytes());
            }
            Op::Drop { fd } => out.extend_from_slice(&[13, *fd]),
            Op::ReadVia { fd, offset } => {
                out.extend_from_slice(&[14, *fd]);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            Op::WriteVia { fd, append, offset } => {
                out.extend_from_slice(&[15, *fd, *append as u8]);
                out.extend_from_slice(&offset.to_le_bytes());
            }
            Op::StreamRead { child, len } => out.extend_from_slice(&[16, *child, *len]),
            Op::StreamWrite { child, data } => {
                assert!(data.len() <= MAX_WRITE);
                out.extend_from_slice(&[17, *child]);
                put_bytes(out, data);
            }
            Op::ReadDirectory { fd } => out.extend_from_slice(&[18, *fd]),
            Op::NextEntry { child, count } => out.extend_from_slice(&[19, *child, *count]),
            Op::DropChild { child } => out.extend_from_slice(&[20, *child]),
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

/// A `new-timestamp` from one byte: the low two bits choose `no-change`,
/// `now`, a valid time (a few seconds after the epoch, as many as the
/// high bits say), or one the WIT calls invalid (nanoseconds of a whole
/// second) or too late to count in nanoseconds.
pub fn timestamp(b: u8) -> NewTimestamp {
    match b & 3 {
        0 => NewTimestamp::NoChange,
        1 => NewTimestamp::Now,
        2 => NewTimestamp::Timestamp(Datetime {
            seconds: 1_000_000 + u64::from(b >> 2),
            nanoseconds: 123,
        }),
        _ if b & 4 != 0 => NewTimestamp::Timestamp(Datetime {
            seconds: 1,
            nanoseconds: 1_000_000_000,
        }),
        _ => NewTimestamp::Timestamp(Datetime {
            seconds: u64::MAX,
            nanoseconds: 0,
        }),
    }
}

/// Which grant a descriptor was opened through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Sandbox,
    ReadOnly,
}

/// A descriptor the guest holds.
struct Held {
    handle: Resource<Descriptor>,
    origin: Origin,
    /// Streams and listings made from it that are still live.
    children: u32,
}

/// A stream or a listing the guest holds.
#[derive(Clone, Copy, Debug)]
enum Child {
    Input(Resource<InputStream>),
    Output(Resource<OutputStream>),
    Listing(Resource<DirectoryEntryStream>),
}

/// Which `(dev, ino)` each frozen node's metadata hash stands for, in this
/// context.
struct Oracle {
    frozen: HashMap<MetadataHashValue, (u64, u64)>,
}

/// What the run knows of the guest: its handles and the symlink texts it
/// may legitimately read back.
struct State {
    descs: Vec<Held>,
    children: Vec<(Child, Resource<Descriptor>)>,
    links: Vec<String>,
    host_root: String,
}

impl State {
    fn desc(&self, i: u8) -> Option<usize> {
        if self.descs.is_empty() {
            None
        } else {
            Some(i as usize % self.descs.len())
        }
    }

    fn path(&self, path: &PathSpec) -> String {
        // A WIT string is UTF-8, so bytes that are not cannot reach the
        // host; they become U+FFFD, as a guest's toolchain would not.
        String::from_utf8_lossy(&path.render(VOCAB, &self.host_root)).into_owned()
    }

    /// The `i`-th (modulo) of the children that `pick` accepts.
    fn child<T>(&self, i: u8, pick: impl Fn(Child) -> Option<T>) -> Option<T> {
        let matching: Vec<T> = self.children.iter().filter_map(|(c, _)| pick(*c)).collect();
        if matching.is_empty() {
            None
        } else {
            let n = matching.len();
            matching.into_iter().nth(i as usize % n)
        }
    }

    fn adopt(&mut self, child: Child, parent: usize) {
        self.descs[parent].children += 1;
        self.children.push((child, self.descs[parent].handle));
    }
}

/// Every frozen node under the fixture's base, relative to it, found once:
/// the base, the directories above the trees, and the canary and read-only
/// trees. The scratch directory and what is in it are not frozen.
fn frozen_paths(fixture: &Fixture) -> &'static [PathBuf] {
    static PATHS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    PATHS.get_or_init(|| {
        fn walk(base: &Path, rel: &Path, scratch: &Path, out: &mut Vec<PathBuf>) {
            let full = base.join(rel);
            if full == scratch {
                return;
            }
            out.push(rel.to_path_buf());
            if fs::symlink_metadata(&full).unwrap().is_dir() {
                let mut names: Vec<_> = fs::read_dir(&full)
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                names.sort();
                for name in names {
                    walk(base, &rel.join(name), scratch, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&fixture.base, Path::new(""), &fixture.scratch, &mut out);
        out
    })
}

fn id_of(path: &Path) -> (u64, u64) {
    let meta = fs::symlink_metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (meta.dev(), meta.ino())
}

/// Runs one input against a fresh sandbox and checks the oracle after
/// every operation.
pub fn run(input: &Input) {
    LAYOUT.with_fixture(|fixture| run_in(fixture, input));
}

/// A fresh sandbox, a context granting it and the read-only tree, what the
/// guest holds at the start, and the oracle's table of hashes.
fn setup(fixture: &mut Fixture) -> (WasiP2Ctx, Oracle, State) {
    let host_root = fixture.host_root().to_string();
    fixture.reset(populate(&host_root));
    let mut builder = WasiCtxBuilder::new();
    fixture.grant_sandbox_and_read_only(&mut builder);
    fixture.check(false, || "setting up".to_string());
    // The oracle's own preopen: opening it, and listing the trees once to
    // find the frozen nodes, are events the fixture must forget.
    builder
        .preopened_dir(&fixture.base, "/oracle", DirPerms::ReadOnly)
        .expect("the base directory opens");
    let mut ctx = WasiP2Ctx::new(builder.build().expect("the grants are valid"));
    let frozen_paths = frozen_paths(fixture);

    let dirs = preopens::get_directories(&mut ctx).expect("get-directories");
    let names: Vec<&str> = dirs.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["/sandbox", "/ro", "/oracle"]);
    let mut frozen = HashMap::new();
    for rel in frozen_paths {
        let text = match rel.to_str().expect("fixture paths are UTF-8") {
            "" => ".",
            text => text,
        };
        let hash = now(descriptor::metadata_hash_at(
            &ctx,
            dirs[2].0,
            PathFlags::empty(),
            text,
        ))
        .unwrap_or_else(|e| panic!("hashing {text}: {e:?}"));
        frozen.insert(hash, id_of(&fixture.base.join(rel)));
    }
    // The guest never holds the oracle's preopen.
    descriptor::drop(&mut ctx, dirs[2].0).expect("an unused preopen drops");
    fixture.drain();

    let state = State {
        descs: vec![
            Held {
                handle: dirs[0].0,
                origin: Origin::Sandbox,
                children: 0,
            },
            Held {
                handle: dirs[1].0,
                origin: Origin::ReadOnly,
                children: 0,
            },
        ],
        children: Vec::new(),
        links: vec![
            format!("{host_root}/outside"),
            "../outside".to_string(),
            "../outside/canary.txt".to_string(),
            "file.txt".to_string(),
        ],
        host_root,
    };
    (ctx, Oracle { frozen }, state)
}

fn run_in(fixture: &mut Fixture, input: &Input) {
    let (mut ctx, oracle, mut state) = setup(fixture);
    for (i, op) in input.0.iter().enumerate() {
        step(fixture, &mut ctx, &oracle, &mut state, op);
        fixture.check(false, || format!("operation {i} {op:?}"));
    }

    // Everything the guest holds drops, children first, and then the
    // table is empty: nothing leaked.
    for (child, _) in std::mem::take(&mut state.children) {
        expect_ok(drop_child(&mut ctx, child), || {
            format!("dropping {child:?}")
        });
    }
    for held in std::mem::take(&mut state.descs) {
        expect_ok(descriptor::drop(&mut ctx, held.handle), || {
            "dropping a descriptor with no children".to_string()
        });
    }
    if !ctx.table().is_empty() {
        finding(format_args!(
            "{} resources live after the guest dropped everything it held",
            ctx.table().len()
        ));
    }
    drop(ctx);
    fixture.check(true, || "dropping every handle".to_string());
}

fn expect_ok<T>(result: std::result::Result<T, Trap>, what: impl FnOnce() -> String) -> T {
    result.unwrap_or_else(|trap| finding(format_args!("{} trapped: {trap}", what())))
}

fn drop_child(ctx: &mut WasiP2Ctx, child: Child) -> std::result::Result<(), Trap> {
    match child {
        Child::Input(s) => streams::drop_input(ctx, s),
        Child::Output(s) => streams::drop_output(ctx, s),
        Child::Listing(s) => directory_entry_stream::drop(ctx, s),
    }
}

/// A filesystem call's result, with a trap made a finding: the harness
/// passes only handles it holds, and no filesystem call it makes is one
/// the WIT says traps.
fn fs_result<T: std::fmt::Debug>(
    result: std::result::Result<T, Failure<capwasi::p2::ErrorCode>>,
    what: &dyn Fn() -> String,
) -> Option<T> {
    if tracing_calls() {
        eprintln!("  -> {result:?}");
    }
    match result {
        Ok(value) => Some(value),
        Err(Failure::Error(_)) => None,
        Err(Failure::Trap(trap)) => finding(format_args!("{} trapped: {trap}", what())),
    }
}

/// A stream call's result, likewise; a failed operation's error resource
/// is dropped at once, as a guest would.
fn stream_result<T: std::fmt::Debug>(
    ctx: &mut WasiP2Ctx,
    result: std::result::Result<T, Failure<StreamError>>,
    what: &dyn Fn() -> String,
) -> Option<T> {
    if tracing_calls() {
        eprintln!("  -> {result:?}");
    }
    match result {
        Ok(value) => Some(value),
        Err(Failure::Error(StreamError::Closed)) => None,
        Err(Failure::Error(StreamError::LastOperationFailed(err))) => {
            expect_ok(io_error::drop(ctx, err), || {
                format!("dropping the error of {}", what())
            });
            None
        }
        Err(Failure::Trap(trap)) => finding(format_args!("{} trapped: {trap}", what())),
    }
}

/// A metadata hash, learnt through a descriptor of `origin`, must not be
/// that of a node outside the grant. Every node of the read-only tree is
/// frozen, so a hash learnt through it that is not a frozen node's names
/// something in the scratch directory: outside that grant too.
fn check_identity(
    fixture: &Fixture,
    oracle: &Oracle,
    origin: Origin,
    hash: MetadataHashValue,
    what: &dyn Fn() -> String,
) {
    let read_only = origin == Origin::ReadOnly;
    match oracle.frozen.get(&hash) {
        Some(&id) if fixture.is_outside(id, read_only) => finding(format_args!(
            "{} reached (dev, ino) {id:?} outside its {origin:?} grant",
            what()
        )),
        None if read_only => finding(format_args!(
            "{} reached a node outside the read-only tree",
            what()
        )),
        _ => {}
    }
}

fn path_flags(follow: bool) -> PathFlags {
    if follow {
        PathFlags::SYMLINK_FOLLOW
    } else {
        PathFlags::empty()
    }
}

fn seven_bit(data: &[u8]) -> Vec<u8> {
    data.iter().map(|b| b & 0x7F).collect()
}

fn step(fixture: &Fixture, ctx: &mut WasiP2Ctx, oracle: &Oracle, state: &mut State, op: &Op) {
    let what = || format!("{op:?}");
    if tracing_calls() {
        eprintln!("{op:?}");
    }
    match op {
        Op::Open {
            dir,
            path_flags: pf,
            path,
            open_flags,
            flags,
        } => {
            let Some(at) = state.desc(*dir) else { return };
            let (parent, origin) = (state.descs[at].handle, state.descs[at].origin);
            let path = state.path(path);
            let pf = PathFlags::from_bits(pf & PathFlags::all().bits()).unwrap();
            let of = OpenFlags::from_bits(open_flags & OpenFlags::all().bits()).unwrap();
            let df = DescriptorFlags::from_bits(flags & DescriptorFlags::all().bits()).unwrap();
            let opened = now(descriptor::open_at(ctx, parent, pf, &path, of, df));
            if let Some(new) = fs_result(opened, &what) {
                if state.descs.iter().any(|h| h.handle == new) {
                    finding(format_args!("{} returned a live handle {new:?}", what()));
                }
                state.descs.push(Held {
                    handle: new,
                    origin,
                    children: 0,
                });
                if let Ok(hash) = now(descriptor::metadata_hash(ctx, new)) {
                    check_identity(fixture, oracle, origin, hash, &what);
                }
            }
        }
        Op::Mkdir { dir, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let path = state.path(path);
            fs_result(
                now(descriptor::create_directory_at(
                    ctx,
                    state.descs[at].handle,
                    &path,
                )),
                &what,
            );
        }
        Op::Symlink { target, dir, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let (target, path) = (state.path(target), state.path(path));
            let made = now(descriptor::symlink_at(
                ctx,
                state.descs[at].handle,
                &target,
                &path,
            ));
            if fs_result(made, &what).is_some() {
                state.links.push(target);
            }
        }
        Op::Link {
            from,
            follow,
            old,
            to,
            new,
        } => {
            let (Some(from), Some(to)) = (state.desc(*from), state.desc(*to)) else {
                return;
            };
            let (old, new) = (state.path(old), state.path(new));
            fs_result(
                now(descriptor::link_at(
                    ctx,
                    state.descs[from].handle,
                    path_flags(*follow),
                    &old,
                    state.descs[to].handle,
                    &new,
                )),
                &what,
            );
        }
        Op::Rename { from, old, to, new } => {
            let (Some(from), Some(to)) = (state.desc(*from), state.desc(*to)) else {
                return;
            };
            let (old, new) = (state.path(old), state.path(new));
            fs_result(
                now(descriptor::rename_at(
                    ctx,
                    state.descs[from].handle,
                    &old,
                    state.descs[to].handle,
                    &new,
                )),
                &what,
            );
        }
        Op::Unlink { dir, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let path = state.path(path);
            fs_result(
                now(descriptor::unlink_file_at(
                    ctx,
                    state.descs[at].handle,
                    &path,
                )),
                &what,
            );
        }
        Op::Rmdir { dir, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let path = state.path(path);
            fs_result(
                now(descriptor::remove_directory_at(
                    ctx,
                    state.descs[at].handle,
                    &path,
                )),
                &what,
            );
        }
        Op::Readlink { dir, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let path = state.path(path);
            let read = now(descriptor::readlink_at(ctx, state.descs[at].handle, &path));
            if let Some(text) = fs_result(read, &what) {
                if holds_canary_bytes(text.as_bytes()) || !state.links.contains(&text) {
                    finding(format_args!(
                        "{} returned {text:?}, which no symlink the guest can see holds",
                        what()
                    ));
                }
                if text == CANARY_LINK_TEXT {
                    finding(format_args!("{} read the canary tree's symlink", what()));
                }
            }
        }
        Op::Stat { dir, follow, path } => {
            let Some(at) = state.desc(*dir) else { return };
            let (handle, origin) = (state.descs[at].handle, state.descs[at].origin);
            let path = state.path(path);
            let pf = path_flags(*follow);
            if fs_result(now(descriptor::stat_at(ctx, handle, pf, &path)), &what).is_some() {
                // The same lookup again, for the node's identity.
                if let Ok(hash) = now(descriptor::metadata_hash_at(ctx, handle, pf, &path)) {
                    check_identity(fixture, oracle, origin, hash, &what);
                }
            }
        }
        Op::SetTimes {
            dir,
            follow,
            path,
            atime,
            mtime,
        } => {
            let Some(at) = state.desc(*dir) else { return };
            let path = state.path(path);
            fs_result(
                now(descriptor::set_times_at(
                    ctx,
                    state.descs[at].handle,
                    path_flags(*follow),
                    &path,
                    timestamp(*atime),
                    timestamp(*mtime),
                )),
                &what,
            );
        }
        Op::Read { fd, len, offset } => {
            let Some(at) = state.desc(*fd) else { return };
            let read = now(descriptor::read(
                ctx,
                state.descs[at].handle,
                *len as u64,
                *offset as u64,
            ));
            if let Some((bytes, _)) = fs_result(read, &what) {
                check_read(&bytes, *len, &what);
            }
        }
        Op::Write { fd, data, offset } => {
            let Some(at) = state.desc(*fd) else { return };
            let data = seven_bit(data);
            let written = now(descriptor::write(
                ctx,
                state.descs[at].handle,
                data.as_slice(),
                *offset as u64,
            ));
            if let Some(n) = fs_result(written, &what) {
                if n > data.len() as u64 {
                    finding(format_args!(
                        "{} claims {n} bytes written of {}",
                        what(),
                        data.len()
                    ));
                }
            }
        }
        Op::SetSize { fd, size } => {
            let Some(at) = state.desc(*fd) else { return };
            fs_result(
                now(descriptor::set_size(
                    ctx,
                    state.descs[at].handle,
                    *size as u64,
                )),
                &what,
            );
        }
        Op::Drop { fd } => {
            let Some(at) = state.desc(*fd) else { return };
            let held = &state.descs[at];
            let dropped = descriptor::drop(ctx, held.handle);
            if tracing_calls() {
                eprintln!("  -> {dropped:?}");
            }
            match (dropped, held.children) {
                (Ok(()), 0) => {
                    state.descs.remove(at);
                }
                // The WIT's rule: a resource outlives what borrows it.
                (Err(_), n) if n > 0 => {}
                (Ok(()), n) => finding(format_args!(
                    "{} dropped a descriptor with {n} live streams or listings",
                    what()
                )),
                (Err(trap), _) => finding(format_args!(
                    "{} trapped on a descriptor with no live children: {trap}",
                    what()
                )),
            }
        }
        Op::ReadVia { fd, offset } => {
            let Some(at) = state.desc(*fd) else { return };
            let made = descriptor::read_via_stream(ctx, state.descs[at].handle, *offset as u64);
            if let Some(stream) = fs_result(made, &what) {
                state.adopt(Child::Input(stream), at);
            }
        }
        Op::WriteVia { fd, append, offset } => {
            let Some(at) = state.desc(*fd) else { return };
            let handle = state.descs[at].handle;
            let made = if *append {
                descriptor::append_via_stream(ctx, handle)
            } else {
                descriptor::write_via_stream(ctx, handle, *offset as u64)
            };
            if let Some(stream) = fs_result(made, &what) {
                state.adopt(Child::Output(stream), at);
            }
        }
        Op::StreamRead { child, len } => {
            let Some(stream) = state.child(*child, |c| match c {
                Child::Input(s) => Some(s),
                _ => None,
            }) else {
                return;
            };
            let read = now(streams::blocking_read(ctx, stream, *len as u64));
            if let Some(bytes) = stream_result(ctx, read, &what) {
                check_read(&bytes, *len, &what);
            }
        }
        Op::StreamWrite { child, data } => {
            let Some(stream) = state.child(*child, |c| match c {
                Child::Output(s) => Some(s),
                _ => None,
            }) else {
                return;
            };
            let permit = streams::check_write(ctx, stream);
            if let Some(permit) = stream_result(ctx, permit, &what) {
                let data = seven_bit(data);
                let n = data.len().min(permit.try_into().unwrap_or(usize::MAX));
                let written = now(streams::write(ctx, stream, &data[..n]));
                stream_result(ctx, written, &what);
            }
        }
        Op::ReadDirectory { fd } => {
            let Some(at) = state.desc(*fd) else { return };
            let made = now(descriptor::read_directory(ctx, state.descs[at].handle));
            if let Some(listing) = fs_result(made, &what) {
                state.adopt(Child::Listing(listing), at);
            }
        }
        Op::NextEntry { child, count } => {
            let Some(listing) = state.child(*child, |c| match c {
                Child::Listing(s) => Some(s),
                _ => None,
            }) else {
                return;
            };
            for _ in 0..(*count % 16).max(1) {
                let entry = now(directory_entry_stream::read_directory_entry(ctx, listing));
                match fs_result(entry, &what) {
                    Some(Some(entry)) => {
                        if entry.name.is_empty() || entry.name == "." || entry.name == ".." {
                            finding(format_args!("{} listed {:?}", what(), entry.name));
                        }
                    }
                    Some(None) | None => break,
                }
            }
        }
        Op::DropChild { child } => {
            if state.children.is_empty() {
                return;
            }
            let i = *child as usize % state.children.len();
            let (c, parent) = state.children.remove(i);
            expect_ok(drop_child(ctx, c), what);
            if let Some(held) = state.descs.iter_mut().find(|h| h.handle == parent) {
                held.children -= 1;
            }
        }
    }
}

/// A read returned at most what was asked for, and no canary bytes.
fn check_read(bytes: &[u8], len: u8, what: &dyn Fn() -> String) {
    if bytes.len() > len as usize {
        finding(format_args!(
            "{} returned {} bytes for {len}",
            what(),
            bytes.len()
        ));
    }
    if holds_canary_bytes(bytes) {
        finding(format_args!("{} returned canary bytes", what()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// Whether the identity check calls a hash learnt through `origin` a
    /// finding.
    fn flagged(
        fixture: &Fixture,
        oracle: &Oracle,
        origin: Origin,
        hash: MetadataHashValue,
    ) -> bool {
        let what = || "test".to_string();
        catch_unwind(AssertUnwindSafe(|| {
            check_identity(fixture, oracle, origin, hash, &what)
        }))
        .is_err()
    }

    #[test]
    fn the_identity_check_sees_each_grant_reach_outside() {
        LAYOUT.with_fixture(|fixture| {
            let (ctx, oracle, state) = setup(fixture);
            let (sandbox, ro) = (state.descs[0].handle, state.descs[1].handle);
            let hash = |dir, path: &str| {
                now(descriptor::metadata_hash_at(
                    &ctx,
                    dir,
                    PathFlags::empty(),
                    path,
                ))
                .unwrap()
            };
            // Every frozen node lies outside the read-write grant.
            assert!(oracle.frozen.len() >= 12);
            for hash in oracle.frozen.keys() {
                assert!(flagged(fixture, &oracle, Origin::Sandbox, *hash));
            }
            // The read-only tree's own nodes, and nothing else, are inside
            // the read-only grant.
            for path in [".", "file.txt", "dir/inner.txt", "link"] {
                assert!(!flagged(fixture, &oracle, Origin::ReadOnly, hash(ro, path)));
            }
            for path in [".", "file.txt", "sub", "host_abs"] {
                let h = hash(sandbox, path);
                assert!(!flagged(fixture, &oracle, Origin::Sandbox, h));
                assert!(flagged(fixture, &oracle, Origin::ReadOnly, h));
            }
            let canary = fixture.root.join("outside/canary.txt");
            let canary_id = id_of(&canary);
            let (canary_hash, _) = oracle
                .frozen
                .iter()
                .find(|(_, id)| **id == canary_id)
                .expect("the canary file is frozen");
            assert!(flagged(fixture, &oracle, Origin::ReadOnly, *canary_hash));
            fixture.drain();
        });
    }
}
