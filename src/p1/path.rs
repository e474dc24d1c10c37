//! `path_*`: operations on a path beneath a directory descriptor.
//!
//! Each call checks the directory descriptor's rights, decodes the guest
//! path, and hands both to [`crate::fs::Dir`], which resolves the path
//! beneath the directory. Nothing here interprets a path.

use super::descriptor::{Descriptor, Handle, Kind};
use super::fd::{time_changes, write_filestat};
use super::flags16;
use super::memory::GuestMemory;
use super::types::{fdflags, lookupflags, oflags, rights};
use std::fmt::Display;
use std::io;

use super::Errno;
use super::WasiP1Ctx;
use crate::fs::{FdFlags, OpenOptions, Opened};

/// Converts a path operation's host result, and reports a refusal together
/// with the path it concerned, so that an embedder (or `CAPWASI_LOG` on the
/// command line) can see what a guest was denied and where.
fn at<T>(call: &'static str, path: impl Display, result: io::Result<T>) -> Result<T, Errno> {
    result.map_err(|err| {
        let errno = Errno::from(err);
        if matches!(errno, Errno::Perm | Errno::Notcapable | Errno::Acces) {
            tracing::info!(call, %path, %errno, "refused");
        }
        errno
    })
}

/// Decodes `lookupflags`: whether to follow a symlink in the last component.
fn follows(flags: u32) -> Result<bool, Errno> {
    if flags & !lookupflags::SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval);
    }
    Ok(flags & lookupflags::SYMLINK_FOLLOW != 0)
}

pub fn path_create_directory(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let dir = ctx.dir(fd, rights::PATH_CREATE_DIRECTORY)?;
    let path = mem.path(path, path_len)?;
    at("path_create_directory", path, dir.create_dir(path))
}

pub fn path_filestat_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    stat: u32,
) -> Result<(), Errno> {
    let follow = follows(flags)?;
    let dir = ctx.dir(fd, rights::PATH_FILESTAT_GET)?;
    let path = mem.path(path, path_len)?;
    let st = at("path_filestat_get", path, dir.stat_at(path, follow))?;
    write_filestat(mem, stat, &st)
}

pub fn path_filestat_set_times(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    path: u32,
    path_len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> Result<(), Errno> {
    let follow = follows(flags)?;
    let (atime, mtime) = time_changes(atim, mtim, fst_flags)?;
    let dir = ctx.dir(fd, rights::PATH_FILESTAT_SET_TIMES)?;
    let path = mem.path(path, path_len)?;
    at(
        "path_filestat_set_times",
        path,
        dir.set_times_at(path, follow, atime, mtime),
    )
}

pub fn path_link(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> Result<(), Errno> {
    let follow = follows(old_flags)?;
    let from = ctx.dir(old_fd, rights::PATH_LINK_SOURCE)?;
    let to = ctx.dir(new_fd, rights::PATH_LINK_TARGET)?;
    let (old_path, new_path) = (
        mem.path(old_path, old_path_len)?,
        mem.path(new_path, new_path_len)?,
    );
    at(
        "path_link",
        format_args!("{old_path} -> {new_path}"),
        from.hard_link(old_path, follow, to, new_path),
    )
}

pub fn path_open(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights_base: u64,
    rights_inheriting: u64,
    fdflags: u32,
    opened: u32,
) -> Result<(), Errno> {
    let follow = follows(dirflags)?;
    let oflags = flags16(oflags, oflags::ALL)?;
    let fdflags = flags16(fdflags, fdflags::ALL)?;
    if oflags & oflags::DIRECTORY != 0 && oflags & oflags::CREAT != 0 {
        return Err(Errno::Inval);
    }
    let mut required = rights::PATH_OPEN;
    if oflags & oflags::CREAT != 0 {
        required |= rights::PATH_CREATE_FILE;
    }
    if oflags & oflags::TRUNC != 0 {
        required |= rights::PATH_FILESTAT_SET_SIZE;
    }
    let parent = ctx.fds.get(fd)?;
    let Kind::Dir(dir) = parent.handle.kind()? else {
        return Err(Errno::Notdir);
    };
    parent.require(fd, required)?;
    // A new descriptor never holds more than its parent may pass on.
    if rights_base & !parent.inheriting != 0 || rights_inheriting & !parent.inheriting != 0 {
        if tracing::enabled!(tracing::Level::INFO) {
            let missing: Vec<_> =
                rights::names((rights_base | rights_inheriting) & !parent.inheriting).collect();
            tracing::info!(
                path = mem.path(path, path_len).unwrap_or("?"),
                missing = missing.join(","),
                "refused: path_open asked for rights its directory cannot pass on"
            );
        }
        return Err(Errno::Notcapable);
    }
    let directory = oflags & oflags::DIRECTORY != 0;
    // Resizing and allocating need a host descriptor open for writing, so
    // those rights open it so; a directory is only ever asked for plain
    // writing, which the kernel refuses with EISDIR as open(2) does.
    let write_rights = if directory {
        rights::FD_WRITE
    } else {
        rights::FD_WRITE | rights::FD_FILESTAT_SET_SIZE | rights::FD_ALLOCATE
    };
    let options = OpenOptions {
        read: rights_base & (rights::FD_READ | rights::FD_READDIR) != 0,
        write: rights_base & write_rights != 0,
        create: oflags & oflags::CREAT != 0,
        exclusive: oflags & oflags::EXCL != 0,
        truncate: oflags & oflags::TRUNC != 0,
        directory,
        follow,
        flags: FdFlags {
            append: fdflags & fdflags::APPEND != 0,
            nonblock: fdflags & fdflags::NONBLOCK != 0,
            dsync: fdflags & fdflags::DSYNC != 0,
            rsync: fdflags & fdflags::RSYNC != 0,
            sync: fdflags & fdflags::SYNC != 0,
        },
    };
    let path = mem.path(path, path_len)?;
    let handle = match at("path_open", path, dir.open(path, &options))? {
        Opened::File(file) => Handle::File(file),
        Opened::Dir(dir) => Handle::Dir(dir),
    };
    let new_fd = ctx
        .fds
        .push(Descriptor::opened(handle, rights_base, rights_inheriting))?;
    mem.write_u32(opened, new_fd).inspect_err(|_| {
        let _ = ctx.fds.remove(new_fd);
    })
}

pub fn path_readlink(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
    buf: u32,
    buf_len: u32,
    bufused: u32,
) -> Result<(), Errno> {
    let dir = ctx.dir(fd, rights::PATH_READLINK)?;
    let path = mem.path(path, path_len)?;
    let target = at("path_readlink", path, dir.read_link(path))?;
    // Like readlink(2): a short buffer gets the start of the target.
    let n = target.len().min(buf_len as usize);
    mem.write(buf, &target.as_bytes()[..n])?;
    mem.write_u32(bufused, n as u32)
}

pub fn path_remove_directory(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let dir = ctx.dir(fd, rights::PATH_REMOVE_DIRECTORY)?;
    let path = mem.path(path, path_len)?;
    at("path_remove_directory", path, dir.remove_dir(path))
}

pub fn path_rename(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    old_path: u32,
    old_path_len: u32,
    new_fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> Result<(), Errno> {
    let from = ctx.dir(fd, rights::PATH_RENAME_SOURCE)?;
    let to = ctx.dir(new_fd, rights::PATH_RENAME_TARGET)?;
    let (old_path, new_path) = (
        mem.path(old_path, old_path_len)?,
        mem.path(new_path, new_path_len)?,
    );
    at(
        "path_rename",
        format_args!("{old_path} -> {new_path}"),
        from.rename(old_path, to, new_path),
    )
}

pub fn path_symlink(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    old_path: u32,
    old_path_len: u32,
    fd: u32,
    new_path: u32,
    new_path_len: u32,
) -> Result<(), Errno> {
    let dir = ctx.dir(fd, rights::PATH_SYMLINK)?;
    let (target, path) = (
        mem.path(old_path, old_path_len)?,
        mem.path(new_path, new_path_len)?,
    );
    at("path_symlink", path, dir.symlink(target, path))
}

pub fn path_unlink_file(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    path: u32,
    path_len: u32,
) -> Result<(), Errno> {
    let dir = ctx.dir(fd, rights::PATH_UNLINK_FILE)?;
    let path = mem.path(path, path_len)?;
    at("path_unlink_file", path, dir.unlink(path))
}
