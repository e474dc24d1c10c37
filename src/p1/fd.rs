//! `fd_*`: operations on an open descriptor.

use std::io::{self, IoSlice, IoSliceMut, SeekFrom};

use smallvec::SmallVec;

use super::descriptor::{Handle, Kind};
use super::memory::GuestMemory;
use super::types::{
    self, advice, dirent, fdflags, fdstat, filestat, fstflags, prestat, rights, whence,
};
use super::Errno;
use super::WasiP1Ctx;
use super::{flags16, host};
use crate::clock::MonotonicClock;
use crate::execution::Execution;
use crate::fs::{Advice, FdFlags, File, FileType, Filestat, ReadDirCursor, SetTime};
use crate::poll::{Interest, Readiness};
use crate::stdio::PIPE_BUF;

/// The witx `filetype` code of a host type.
pub(crate) fn filetype_code(ft: FileType) -> u8 {
    use types::filetype as t;
    match ft {
        FileType::Unknown => t::UNKNOWN,
        FileType::BlockDevice => t::BLOCK_DEVICE,
        FileType::CharacterDevice => t::CHARACTER_DEVICE,
        FileType::Directory => t::DIRECTORY,
        FileType::RegularFile => t::REGULAR_FILE,
        FileType::SocketDgram => t::SOCKET_DGRAM,
        FileType::SocketStream => t::SOCKET_STREAM,
        FileType::SymbolicLink => t::SYMBOLIC_LINK,
    }
}

/// Writes a witx `filestat` at `ptr`.
pub(crate) fn write_filestat(
    mem: &mut GuestMemory<'_>,
    ptr: u32,
    st: &Filestat,
) -> Result<(), Errno> {
    let mut out = [0u8; filestat::SIZE as usize];
    let mut put = |offset: u32, bytes: &[u8]| {
        out[offset as usize..offset as usize + bytes.len()].copy_from_slice(bytes)
    };
    put(filestat::DEV, &st.dev.to_le_bytes());
    put(filestat::INO, &st.ino.to_le_bytes());
    put(filestat::FILETYPE, &[filetype_code(st.filetype)]);
    put(filestat::NLINK, &st.nlink.to_le_bytes());
    put(filestat::SIZE_FIELD, &st.size.to_le_bytes());
    put(filestat::ATIM, &st.atim.to_le_bytes());
    put(filestat::MTIM, &st.mtim.to_le_bytes());
    put(filestat::CTIM, &st.ctim.to_le_bytes());
    mem.write(ptr, &out)
}

/// Decodes a `fstflags` argument into the two timestamp changes. Asking
/// for both an explicit time and "now" for the same stamp is `EINVAL`.
pub(crate) fn time_changes(
    atim: u64,
    mtim: u64,
    flags: u32,
) -> Result<(Option<SetTime>, Option<SetTime>), Errno> {
    let flags = flags16(flags, fstflags::ALL)?;
    let pick = |set: u16, now: u16, value: u64| match (flags & set != 0, flags & now != 0) {
        (true, true) => Err(Errno::Inval),
        (true, false) => Ok(Some(SetTime::At(value))),
        (false, true) => Ok(Some(SetTime::Now)),
        (false, false) => Ok(None),
    };
    Ok((
        pick(fstflags::ATIM, fstflags::ATIM_NOW, atim)?,
        pick(fstflags::MTIM, fstflags::MTIM_NOW, mtim)?,
    ))
}

/// Reads into the guest's iovecs with `read`, then stores the byte count at
/// `nread`: the shape of every vectored read in preview1.
pub(crate) fn read_into_iovecs(
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
    read: impl FnOnce(&mut [IoSliceMut<'_>]) -> io::Result<usize>,
) -> Result<(), Errno> {
    let n = host(mem.iovecs_mut(iovs, iovs_len, read)?)?;
    mem.write_u32(nread, n as u32)
}

/// Writes the guest's iovecs with `write`, then stores the byte count at
/// `nwritten`: the shape of every vectored write in preview1.
pub(crate) fn write_from_iovecs(
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
    write: impl FnOnce(&[IoSlice<'_>]) -> io::Result<usize>,
) -> Result<(), Errno> {
    let n = host(mem.iovecs(iovs, iovs_len, write)?)?;
    mem.write_u32(nwritten, n as u32)
}

/// Which way a stream is to be ready.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Way {
    Read,
    Write,
}

/// Under an async execution, waits until `file` can be read or written
/// (`way`) without blocking the thread, so that the blocking call after it
/// returns at once; returns whether it is such a stream. Under
/// [`Execution::Blocking`] the call itself blocks, so there is nothing to
/// do here and no system call is spent.
///
/// Only pipes, sockets and devices can keep a call waiting: a regular file
/// is always ready, as POSIX says. A guest that made the stream
/// non-blocking asked to see `EAGAIN` rather than wait, so it is not made
/// to wait. (Another thread's reader may still drain a stream between the
/// wait and the read; the guest's own executor thread never does, since
/// nothing else runs on it in between.)
pub(crate) async fn stream_ready(
    clock: &dyn MonotonicClock,
    file: &dyn File,
    way: Way,
    execution: Execution,
) -> Result<bool, Errno> {
    if execution == Execution::Blocking {
        return Ok(false);
    }
    let Some(host_fd) = file.pollable() else {
        return Ok(false);
    };
    match host(file.filetype())? {
        FileType::Unknown
        | FileType::CharacterDevice
        | FileType::SocketStream
        | FileType::SocketDgram => {}
        _ => return Ok(false),
    }
    let interest = [match way {
        Way::Read => Interest::Read(host_fd),
        Way::Write => Interest::Write(host_fd),
    }];
    let mut found = [Readiness::Pending];
    // A look first: a ready stream then costs one poll(2), with no
    // registration with the reactor.
    host(execution.wait(clock, &interest, &mut found, false).await)?;
    if !found[0].is_met() {
        if host(file.flags())?.nonblock {
            return Ok(false);
        }
        host(execution.wait(clock, &interest, &mut found, true).await)?;
    }
    Ok(true)
}

/// [`read_into_iovecs`] from a stream, first waiting as `execution` says
/// until the read cannot block.
pub(crate) async fn read_stream(
    clock: &dyn MonotonicClock,
    file: &dyn File,
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
    execution: Execution,
    read: impl FnOnce(&mut [IoSliceMut<'_>]) -> io::Result<usize>,
) -> Result<(), Errno> {
    stream_ready(clock, file, Way::Read, execution).await?;
    read_into_iovecs(mem, iovs, iovs_len, nread, read)
}

/// [`write_from_iovecs`] to a stream. Under an async execution, a stream
/// that may fill up is written at most [`PIPE_BUF`] bytes at a time, each
/// after a wait until it is writable, until all is written: the guest sees
/// the whole write a blocking descriptor would give it, and the executor
/// thread never blocks on a full pipe.
pub(crate) async fn write_stream(
    clock: &dyn MonotonicClock,
    file: &dyn File,
    mem: &mut GuestMemory<'_>,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
    execution: Execution,
    write: impl Fn(&[IoSlice<'_>]) -> io::Result<usize>,
) -> Result<(), Errno> {
    if !stream_ready(clock, file, Way::Write, execution).await? {
        return write_from_iovecs(mem, iovs, iovs_len, nwritten, write);
    }
    let total = mem.iovecs_len(iovs, iovs_len)?;
    let done = in_chunks(clock, file, Way::Write, execution, total, |done| {
        mem.iovecs(iovs, iovs_len, |bufs| write(&window(bufs, done, PIPE_BUF)))
    })
    .await?;
    mem.write_u32(nwritten, done as u32)
}

/// Moves `total` bytes through a stream that is ready now, one `step` at a
/// time (each given the bytes moved so far), waiting until the stream is
/// ready again before each further step; returns the bytes moved. A step
/// that moves nothing ends it, and so does an error once anything has
/// moved: what moved stays moved, and the next call sees the error.
pub(crate) async fn in_chunks(
    clock: &dyn MonotonicClock,
    file: &dyn File,
    way: Way,
    execution: Execution,
    total: usize,
    mut step: impl FnMut(usize) -> Result<io::Result<usize>, Errno>,
) -> Result<usize, Errno> {
    let mut done = 0;
    loop {
        match step(done)? {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(_) if done > 0 => break,
            Err(e) => return Err(e.into()),
        }
        if done >= total || !stream_ready(clock, file, way, execution).await? {
            break;
        }
    }
    Ok(done)
}

/// At most `limit` bytes of `bufs`, from `skip` bytes in.
fn window<'b>(
    bufs: &'b [IoSlice<'_>],
    mut skip: usize,
    limit: usize,
) -> SmallVec<[IoSlice<'b>; 8]> {
    let mut room = limit;
    let mut out = SmallVec::new();
    for buf in bufs {
        if room == 0 {
            break;
        }
        if skip >= buf.len() {
            skip -= buf.len();
            continue;
        }
        let part = &buf[std::mem::take(&mut skip)..];
        let part = &part[..part.len().min(room)];
        room -= part.len();
        out.push(IoSlice::new(part));
    }
    out
}

/// The buffers of `bufs` from `skip` bytes in.
pub(crate) fn window_mut<'b>(
    bufs: &'b mut [IoSliceMut<'_>],
    mut skip: usize,
) -> SmallVec<[IoSliceMut<'b>; 8]> {
    let mut out = SmallVec::new();
    for buf in bufs {
        if skip >= buf.len() {
            skip -= buf.len();
            continue;
        }
        out.push(IoSliceMut::new(&mut buf[std::mem::take(&mut skip)..]));
    }
    out
}

pub fn fd_advise(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
    advice: u32,
) -> Result<(), Errno> {
    let advice = match advice {
        advice::NORMAL => Advice::Normal,
        advice::SEQUENTIAL => Advice::Sequential,
        advice::RANDOM => Advice::Random,
        advice::WILLNEED => Advice::WillNeed,
        advice::DONTNEED => Advice::DontNeed,
        advice::NOREUSE => Advice::NoReuse,
        _ => return Err(Errno::Inval),
    };
    host(ctx.file(fd, rights::FD_ADVISE)?.advise(offset, len, advice))
}

pub fn fd_allocate(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    len: u64,
) -> Result<(), Errno> {
    host(ctx.file(fd, rights::FD_ALLOCATE)?.allocate(offset, len))
}

pub fn fd_close(ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
    Ok(ctx.fds.remove(fd).map(drop)?)
}

pub fn fd_datasync(ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
    host(ctx.file(fd, rights::FD_DATASYNC)?.sync_data())
}

pub fn fd_fdstat_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    stat: u32,
) -> Result<(), Errno> {
    let d = ctx.fds.get(fd)?;
    let (filetype, flags, base) = match d.handle.kind()? {
        Kind::File(file) => {
            // A handle that might have been a directory held the rights of
            // both until now; it reports those of what it is.
            let base = if file.may_be_dir() {
                d.base & rights::FILE
            } else {
                d.base
            };
            (host(file.filetype())?, host(file.flags())?, base)
        }
        Kind::Dir(_) => (
            FileType::Directory,
            FdFlags::default(),
            d.base & rights::DIRECTORY,
        ),
    };
    let mut flag_bits = 0;
    for (set, bit) in [
        (flags.append, fdflags::APPEND),
        (flags.dsync, fdflags::DSYNC),
        (flags.nonblock, fdflags::NONBLOCK),
        (flags.rsync, fdflags::RSYNC),
        (flags.sync, fdflags::SYNC),
    ] {
        if set {
            flag_bits |= bit;
        }
    }
    let mut out = [0u8; fdstat::SIZE as usize];
    out[fdstat::FILETYPE as usize] = filetype_code(filetype);
    out[fdstat::FLAGS as usize..][..2].copy_from_slice(&flag_bits.to_le_bytes());
    out[fdstat::RIGHTS_BASE as usize..][..8].copy_from_slice(&base.to_le_bytes());
    out[fdstat::RIGHTS_INHERITING as usize..][..8].copy_from_slice(&d.inheriting.to_le_bytes());
    mem.write(stat, &out)
}

pub fn fd_fdstat_set_flags(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
) -> Result<(), Errno> {
    let flags = flags16(flags, fdflags::ALL)?;
    let mut required = rights::FD_FDSTAT_SET_FLAGS;
    if flags & fdflags::DSYNC != 0 {
        required |= rights::FD_DATASYNC;
    }
    if flags & (fdflags::SYNC | fdflags::RSYNC) != 0 {
        required |= rights::FD_SYNC;
    }
    let d = ctx.descriptor(fd, required)?;
    match d.handle.kind()? {
        Kind::File(file) => host(file.set_flags(FdFlags {
            append: flags & fdflags::APPEND != 0,
            nonblock: flags & fdflags::NONBLOCK != 0,
            dsync: flags & fdflags::DSYNC != 0,
            rsync: flags & fdflags::RSYNC != 0,
            sync: flags & fdflags::SYNC != 0,
        })),
        // A directory has no data stream for these flags to act on.
        Kind::Dir(_) if flags & !fdflags::NONBLOCK == 0 => Ok(()),
        Kind::Dir(_) => Err(Errno::Isdir),
    }
}

pub fn fd_fdstat_set_rights(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    base: u64,
    inheriting: u64,
) -> Result<(), Errno> {
    let d = ctx.fds.get_mut(fd)?;
    // Rights only ever shrink: a guest cannot regain what it gave up.
    if base & !d.base != 0 || inheriting & !d.inheriting != 0 {
        return Err(Errno::Notcapable);
    }
    d.base = base;
    d.inheriting = inheriting;
    Ok(())
}

pub fn fd_filestat_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    stat: u32,
) -> Result<(), Errno> {
    let d = ctx.descriptor(fd, rights::FD_FILESTAT_GET)?;
    // A file handle describes itself even when it turns out to be a
    // directory, so there is no need to find out which it is.
    let st = match &d.handle {
        Handle::File(file) => host(file.stat())?,
        Handle::Dir(dir) => host(dir.stat())?,
    };
    write_filestat(mem, stat, &st)
}

pub fn fd_filestat_set_size(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    size: u64,
) -> Result<(), Errno> {
    host(ctx.file(fd, rights::FD_FILESTAT_SET_SIZE)?.set_size(size))
}

pub fn fd_filestat_set_times(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(), Errno> {
    let (atime, mtime) = time_changes(atim, mtim, fst_flags)?;
    let d = ctx.descriptor(fd, rights::FD_FILESTAT_SET_TIMES)?;
    match d.handle.kind()? {
        Kind::File(file) => host(file.set_times(atime, mtime)),
        Kind::Dir(dir) => host(dir.set_times(atime, mtime)),
    }
}

pub fn fd_pread(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nread: u32,
) -> Result<(), Errno> {
    let file = ctx.file(fd, rights::FD_READ | rights::FD_SEEK)?;
    read_into_iovecs(mem, iovs, iovs_len, nread, |bufs| {
        file.read_vectored_at(bufs, offset)
    })
}

pub fn fd_prestat_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    out: u32,
) -> Result<(), Errno> {
    let name = ctx.fds.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
    let mut bytes = [0u8; prestat::SIZE as usize];
    bytes[0] = types::preopentype::DIR;
    bytes[prestat::NAME_LEN as usize..].copy_from_slice(&(name.len() as u32).to_le_bytes());
    mem.write(out, &bytes)
}

pub fn fd_prestat_dir_name(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let name = ctx.fds.get(fd)?.preopen.as_ref().ok_or(Errno::Badf)?;
    if (path_len as usize) < name.len() {
        return Err(Errno::Nametoolong);
    }
    mem.write(path, name.as_bytes())
}

pub fn fd_pwrite(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    offset: u64,
    nwritten: u32,
) -> Result<(), Errno> {
    let file = ctx.file(fd, rights::FD_WRITE | rights::FD_SEEK)?;
    write_from_iovecs(mem, iovs, iovs_len, nwritten, |bufs| {
        file.write_vectored_at(bufs, offset)
    })
}

pub async fn fd_read(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nread: u32,
    execution: Execution,
) -> Result<(), Errno> {
    let file = ctx.file(fd, rights::FD_READ)?;
    let clock = ctx.grants.monotonic_clock.as_ref();
    read_stream(clock, file, mem, iovs, iovs_len, nread, execution, |bufs| {
        file.read_vectored(bufs)
    })
    .await
}

/// Fills a guest buffer with `dirent` records, each a fixed header then
/// the name. A record that does not fit is cut off at the end of the
/// buffer; the guest notices the full buffer and asks again from that
/// record's cookie.
struct DirentWriter<'m> {
    out: &'m mut [u8],
    used: usize,
}

impl DirentWriter<'_> {
    /// Writes one record; returns whether it fit whole.
    fn push(&mut self, next: u64, ino: u64, filetype: FileType, name: &str) -> bool {
        let mut header = [0u8; dirent::SIZE as usize];
        header[dirent::NEXT as usize..][..8].copy_from_slice(&next.to_le_bytes());
        header[dirent::INO as usize..][..8].copy_from_slice(&ino.to_le_bytes());
        header[dirent::NAMLEN as usize..][..4].copy_from_slice(&(name.len() as u32).to_le_bytes());
        header[dirent::TYPE as usize] = filetype_code(filetype);
        self.copy(&header) && self.copy(name.as_bytes())
    }

    fn copy(&mut self, bytes: &[u8]) -> bool {
        let room = self.out.len() - self.used;
        let n = room.min(bytes.len());
        self.out[self.used..self.used + n].copy_from_slice(&bytes[..n]);
        self.used += n;
        n == bytes.len()
    }
}

pub fn fd_readdir(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    buf: u32,
    buf_len: u32,
    cookie: u64,
    bufused: u32,
) -> Result<(), Errno> {
    ctx.descriptor(fd, rights::FD_READDIR)?;
    let d = ctx.fds.get_mut(fd)?;
    let Kind::Dir(dir) = d.handle.kind()? else {
        return Err(Errno::Notdir);
    };
    let cursor = &mut d.cursor;
    if cookie == 0 {
        // A listing from the start is a rewind: it must see what changed
        // since the last one, even if the dots fill the buffer.
        if let Some(cursor) = cursor {
            host(cursor.rewind())?;
        }
    }
    let mut writer = DirentWriter {
        out: mem.slice_mut(buf, buf_len)?,
        used: 0,
    };
    // `.` and `..` come first with cookies 0 and 1; the host listing
    // leaves them out, so they are made here from the directory's own
    // identity. At a preopen's root `..` is outside the grant, and reports
    // the root itself rather than anything about the host above it.
    let mut full = false;
    if cookie < 2 {
        let own = host(dir.stat())?.ino;
        if cookie == 0 {
            full = !writer.push(1, own, FileType::Directory, ".");
        }
        if !full {
            let parent = dir.stat_at("..", true).map_or(own, |st| st.ino);
            full = !writer.push(2, parent, FileType::Directory, "..");
        }
    }
    if !full {
        let cursor = match cursor {
            Some(cursor) => cursor,
            None => cursor.insert(Box::new(host(ReadDirCursor::new(dir))?)),
        };
        host(cursor.seek(cookie.saturating_sub(2)))?;
        loop {
            let next = cursor.position() + 3;
            let Some(entry) = host(cursor.peek())? else {
                break;
            };
            if !writer.push(next, entry.ino, entry.filetype, &entry.name) {
                break;
            }
            cursor.advance();
        }
    }
    let used = writer.used as u32;
    mem.write_u32(bufused, used)
}

pub fn fd_renumber(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    to: u32,
) -> Result<(), Errno> {
    Ok(ctx.fds.renumber(fd, to)?)
}

pub fn fd_seek(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u64,
    whence: u32,
    newoffset: u32,
) -> Result<(), Errno> {
    let offset = offset as i64;
    let pos = match whence {
        whence::SET => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        whence::CUR => SeekFrom::Current(offset),
        whence::END => SeekFrom::End(offset),
        _ => return Err(Errno::Inval),
    };
    // Reading the position without moving it needs only the right to tell.
    let required = if pos == SeekFrom::Current(0) {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    let new = host(ctx.file(fd, required)?.seek(pos))?;
    mem.write_u64(newoffset, new)
}

pub fn fd_sync(ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>, fd: u32) -> Result<(), Errno> {
    let d = ctx.descriptor(fd, rights::FD_SYNC)?;
    match d.handle.kind()? {
        Kind::File(file) => host(file.sync_all()),
        Kind::Dir(dir) => host(dir.sync()),
    }
}

pub fn fd_tell(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    offset: u32,
) -> Result<(), Errno> {
    let pos = host(ctx.file(fd, rights::FD_TELL)?.seek(SeekFrom::Current(0)))?;
    mem.write_u64(offset, pos)
}

pub async fn fd_write(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    iovs: u32,
    iovs_len: u32,
    nwritten: u32,
    execution: Execution,
) -> Result<(), Errno> {
    let file = ctx.file(fd, rights::FD_WRITE)?;
    let clock = ctx.grants.monotonic_clock.as_ref();
    write_stream(
        clock,
        file,
        mem,
        iovs,
        iovs_len,
        nwritten,
        execution,
        |bufs| file.write_vectored(bufs),
    )
    .await
}
