//! Host files and directories, over cap-std.
//!
//! Every path here is handed to cap-std together with the directory handle
//! it is relative to; cap-std resolves it beneath that handle (with
//! `openat2(RESOLVE_BENEATH)` where the kernel has it) and refuses anything
//! that would leave it. Operations on an already-open descriptor go straight
//! to rustix: they name no path, so there is nothing to confine.

use std::any::Any;
use std::io::{self, IoSlice, IoSliceMut, SeekFrom};
use std::os::fd::{AsFd, BorrowedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use cap_fs_ext::{
    DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt, OpenOptionsSyncExt,
    SystemTimeSpec,
};
use cap_std::fs as cap;
use rustix::fs::{FallocateFlags, OFlags, Timespec, Timestamps};

use super::getdents::HostListing;
use super::{
    Advice, Dir, DirEntries, DirPerms, FdFlags, FilePerms, FileType, Filestat, OpenOptions, Opened,
    SetTime,
};

/// Whether `path` ends in a way that, by POSIX, resolves a symlink before
/// its end even when the caller asked not to follow: a trailing slash, `.`
/// or `..` (`lstat("link/")` and `lstat("link/.")` describe the link's
/// target, not the link). Without this, a no-follow lookup would answer for
/// a link whose target lies outside the directory.
fn forces_follow(path: &str) -> bool {
    matches!(path.rsplit('/').next(), Some("" | "." | ".."))
}

/// How many symlinks a followed hard-link source may pass through, as
/// Linux allows for a path lookup.
const MAX_SYMLINK_HOPS: usize = 40;

/// A host directory, and what the embedder allowed beneath it.
///
/// The handle is reference-counted so that one grant can be shared by many
/// guests (see [`HostDir::share`]) without a descriptor each.
pub struct HostDir {
    dir: Arc<cap::Dir>,
    perms: DirPerms,
}

impl HostDir {
    /// Wraps an open cap-std directory.
    pub fn new(dir: cap::Dir, perms: DirPerms) -> Self {
        HostDir {
            dir: Arc::new(dir),
            perms,
        }
    }

    /// The same directory for another guest, with the same or narrower
    /// permissions. No system call is made: thousands of guests given one
    /// directory hold one host descriptor between them.
    pub fn share(&self, perms: DirPerms) -> Self {
        HostDir {
            dir: Arc::clone(&self.dir),
            perms: self.perms.narrowed(perms),
        }
    }

    /// Opens a host directory by path. This is the embedder's act of
    /// granting it, and the only place a host path is opened directly.
    pub fn open_ambient(path: &Path, perms: DirPerms) -> io::Result<Self> {
        let dir = cap::Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(HostDir::new(dir, perms))
    }

    /// The permissions granted beneath this directory.
    pub fn perms(&self) -> DirPerms {
        self.perms
    }

    fn peer<'a>(&self, other: &'a dyn Dir) -> io::Result<&'a HostDir> {
        other
            .as_any()
            .downcast_ref::<HostDir>()
            .ok_or_else(|| io::Error::from(rustix::io::Errno::XDEV))
    }

    /// Follows symlinks in the last component of `path` for a hard link.
    /// Each hop's target is resolved by cap-std beneath this directory, so
    /// a target that points out is refused like any other path.
    fn resolve_links(&self, path: &str) -> io::Result<PathBuf> {
        let mut current = PathBuf::from(path);
        for _ in 0..MAX_SYMLINK_HOPS {
            let meta = self.dir.symlink_metadata(&current)?;
            if !meta.is_symlink() {
                return Ok(current);
            }
            let target = self.dir.read_link_contents(&current)?;
            let parent = current.parent().map(Path::to_path_buf).unwrap_or_default();
            current = parent.join(target);
        }
        Err(io::Error::from(rustix::io::Errno::LOOP))
    }
}

impl Dir for HostDir {
    fn open(&self, path: &str, o: &OpenOptions) -> io::Result<Opened> {
        if o.write || o.create || o.truncate || o.flags.append {
            self.perms.check_mutate("open for writing")?;
        }
        let mut opts = cap::OpenOptions::new();
        // The host refuses creating or truncating through a read-only
        // descriptor, but the guest may ask for either without asking to
        // write; its rights, not the host mode, decide what it may do next.
        let write = o.write || o.create || o.truncate;
        opts.read(o.read || !write)
            .write(write)
            .truncate(o.truncate)
            .follow(if o.follow {
                FollowSymlinks::Yes
            } else {
                FollowSymlinks::No
            })
            .maybe_dir(true)
            .nonblock(o.flags.nonblock)
            .dsync(o.flags.dsync)
            .rsync(o.flags.rsync)
            .sync(o.flags.sync);
        let mut raw = OFlags::empty();
        // std's `OpenOptions`, and cap-std's after it, refuse append with
        // truncate, which POSIX allows (`O_CREAT|O_TRUNC|O_APPEND` is how a
        // log is started afresh), and imply write access with append, which
        // POSIX does not. So `O_APPEND` goes to the kernel as it is.
        raw.set(OFlags::APPEND, o.flags.append);
        // The kernel checks the type before it creates or truncates
        // anything, so `O_DIRECTORY|O_TRUNC` on a file changes nothing.
        raw.set(OFlags::DIRECTORY, o.directory);
        {
            use cap_std::fs::OpenOptionsExt;
            opts.custom_flags(raw.bits() as i32);
        }
        if o.create && o.exclusive {
            opts.create_new(true);
        } else if o.create {
            opts.create(true);
        }
        let file = self.dir.open_with(path, &opts)?.into_std();
        let perms = self.perms;
        if o.directory {
            let dir = cap::Dir::from_std_file(file);
            return Ok(Opened::Dir(Arc::new(HostDir::new(dir, perms))));
        }
        if write {
            // The kernel opens no directory for writing, so this is a file;
            // its exact type waits until someone asks, sparing an fstat on
            // every create.
            return Ok(Opened::File(Arc::new(HostFile::untyped(
                file,
                perms.file_perms(),
            ))));
        }
        // Only a read-only open can have reached a directory. Which it did
        // is left until it matters: most opens are of files, and are
        // closed or read without ever needing to know.
        let mut file = HostFile::untyped(file, perms.file_perms());
        file.dir_perms = Some(perms);
        Ok(Opened::File(Arc::new(file)))
    }

    fn create_dir(&self, path: &str) -> io::Result<()> {
        self.perms.check_mutate("create a directory")?;
        self.dir.create_dir(path)
    }

    fn remove_dir(&self, path: &str) -> io::Result<()> {
        self.perms.check_mutate("remove a directory")?;
        // rmdir(2) accepts `dir/`; cap-std reads the empty last component
        // as `.` and refuses. Trailing slashes add nothing for rmdir, which
        // never follows a symlink, so they are dropped (but not a lone `/`).
        let trimmed = path.trim_end_matches('/');
        self.dir
            .remove_dir(if trimmed.is_empty() { path } else { trimmed })
    }

    fn unlink(&self, path: &str) -> io::Result<()> {
        self.perms.check_mutate("unlink a file")?;
        self.dir.remove_file(path)
    }

    fn rename(&self, from: &str, to_dir: &dyn Dir, to: &str) -> io::Result<()> {
        let to_dir = self.peer(to_dir)?;
        self.perms.check_mutate("rename from")?;
        to_dir.perms.check_mutate("rename to")?;
        // rename(2) refuses a trailing slash on either name unless the source
        // is a directory; cap-std drops the slash, so the check is made here.
        if from.ends_with('/') || to.ends_with('/') {
            let source = self.dir.symlink_metadata(from.trim_end_matches('/'))?;
            if !source.is_dir() {
                return Err(io::Error::from(rustix::io::Errno::NOTDIR));
            }
        }
        self.dir.rename(from, &to_dir.dir, to)
    }

    fn hard_link(&self, from: &str, follow: bool, to_dir: &dyn Dir, to: &str) -> io::Result<()> {
        let to_dir = self.peer(to_dir)?;
        // Linking out of a read-only tree would give the guest a writable
        // name for a file it may only read.
        self.perms.check_mutate("link from")?;
        to_dir.perms.check_mutate("link to")?;
        if follow {
            let source = self.resolve_links(from)?;
            self.dir.hard_link(source, &to_dir.dir, to)
        } else {
            self.dir.hard_link(from, &to_dir.dir, to)
        }
    }

    fn symlink(&self, target: &str, path: &str) -> io::Result<()> {
        self.perms.check_mutate("create a symlink")?;
        // cap-std refuses an absolute target as an escape attempt: the link
        // could not be followed from inside the grant anyway, but another
        // program on the host, which is not confined, would follow it.
        self.dir.symlink(target, path)
    }

    fn read_link(&self, path: &str) -> io::Result<String> {
        self.dir
            .read_link_contents(path)?
            .into_os_string()
            .into_string()
            .map_err(|_| io::Error::from(io::ErrorKind::InvalidData))
    }

    fn stat_at(&self, path: &str, follow: bool) -> io::Result<Filestat> {
        let meta = if follow || forces_follow(path) {
            self.dir.metadata(path)?
        } else {
            self.dir.symlink_metadata(path)?
        };
        Ok(metadata_filestat(&meta))
    }

    fn set_times_at(
        &self,
        path: &str,
        follow: bool,
        atime: Option<SetTime>,
        mtime: Option<SetTime>,
    ) -> io::Result<()> {
        self.perms.check_mutate("set times")?;
        let (atime, mtime) = (atime.map(time_spec), mtime.map(time_spec));
        if follow || forces_follow(path) {
            self.dir.set_times(path, atime, mtime)
        } else {
            self.dir.set_symlink_times(path, atime, mtime)
        }
    }

    fn stat(&self) -> io::Result<Filestat> {
        fd_filestat(self.dir.as_fd())
    }

    fn set_times(&self, atime: Option<SetTime>, mtime: Option<SetTime>) -> io::Result<()> {
        self.perms.check_mutate("set times")?;
        fd_set_times(self.dir.as_fd(), atime, mtime)
    }

    fn sync(&self) -> io::Result<()> {
        Ok(rustix::fs::fsync(&self.dir)?)
    }

    fn entries(&self) -> io::Result<DirEntries> {
        // A stream of its own, so that its offset is not shared with the
        // handle (which may have been opened with `O_PATH` and could not be
        // listed at all). "." names the directory itself: nothing to escape.
        let own = rustix::fs::openat(
            &*self.dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            rustix::fs::Mode::empty(),
        )?;
        Ok(Box::new(HostListing::new(own)))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// How a guest's writes must reach storage when it asked for synchronous
/// writes after opening: Linux ignores `O_SYNC` and `O_DSYNC` in `F_SETFL`,
/// so those requests are honoured by syncing after each write instead.
#[derive(Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum SyncAfterWrite {
    No = 0,
    Data = 1,
    All = 2,
}

/// The bits of `st_mode` that give a file's type (`S_IFMT`).
const TYPE_BITS: u32 = 0o170000;

/// A host file, device or pipe.
pub struct HostFile {
    file: std::fs::File,
    perms: FilePerms,
    /// The `st_mode` type bits, read on first use (a descriptor's type
    /// never changes); zero until then, which no real file has.
    type_bits: AtomicU32,
    sync_after_write: AtomicU8,
    /// Set when the open could have reached a directory: the permissions
    /// beneath it if it did.
    dir_perms: Option<DirPerms>,
    /// The directory view, made on first use of this handle as one.
    dir_view: OnceLock<HostDir>,
}

impl HostFile {
    /// Wraps an open host file.
    pub fn new(file: std::fs::File, perms: FilePerms) -> io::Result<Self> {
        Ok(HostFile::untyped(file, perms))
    }

    fn untyped(file: std::fs::File, perms: FilePerms) -> Self {
        HostFile {
            file,
            perms,
            type_bits: AtomicU32::new(0),
            sync_after_write: AtomicU8::new(SyncAfterWrite::No as u8),
            dir_perms: None,
            dir_view: OnceLock::new(),
        }
    }

    fn after_write(&self, written: usize) -> io::Result<usize> {
        match self.sync_after_write.load(Ordering::Relaxed) {
            1 => rustix::fs::fdatasync(&self.file)?,
            2 => rustix::fs::fsync(&self.file)?,
            _ => {}
        }
        Ok(written)
    }
}

impl super::File for HostFile {
    fn may_be_dir(&self) -> bool {
        self.dir_perms.is_some()
    }

    fn as_dir(&self) -> io::Result<Option<&dyn Dir>> {
        let Some(perms) = self.dir_perms else {
            return Ok(None);
        };
        if let Some(view) = self.dir_view.get() {
            return Ok(Some(view));
        }
        if self.filetype()? != FileType::Directory {
            return Ok(None);
        }
        // The view needs a handle of its own; the descriptor is the same
        // open directory, so it grants nothing the open did not.
        let dir = cap::Dir::from_std_file(self.file.try_clone()?);
        Ok(Some(self.dir_view.get_or_init(|| HostDir::new(dir, perms))))
    }

    fn filetype(&self) -> io::Result<FileType> {
        let mut bits = self.type_bits.load(Ordering::Relaxed);
        if bits == 0 {
            bits = rustix::fs::fstat(&self.file)?.st_mode & TYPE_BITS;
            self.type_bits.store(bits, Ordering::Relaxed);
        }
        Ok(FileType::from_mode(bits))
    }

    // Nearly every guest passes one buffer; the plain calls spare the
    // kernel copying in and checking an iovec array.

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Ok(match bufs {
            [one] => rustix::io::read(&self.file, &mut one[..])?,
            _ => rustix::io::readv(&self.file, bufs)?,
        })
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let n = match bufs {
            [one] => rustix::io::write(&self.file, one)?,
            _ => rustix::io::writev(&self.file, bufs)?,
        };
        self.after_write(n)
    }

    fn read_vectored_at(&self, bufs: &mut [IoSliceMut<'_>], offset: u64) -> io::Result<usize> {
        Ok(match bufs {
            [one] => rustix::io::pread(&self.file, &mut one[..], offset)?,
            _ => rustix::io::preadv(&self.file, bufs, offset)?,
        })
    }

    fn write_vectored_at(&self, bufs: &[IoSlice<'_>], offset: u64) -> io::Result<usize> {
        let n = match bufs {
            [one] => rustix::io::pwrite(&self.file, one, offset)?,
            _ => rustix::io::pwritev(&self.file, bufs, offset)?,
        };
        self.after_write(n)
    }

    fn read_to_spare(&self, buf: &mut Vec<u8>, offset: Option<u64>) -> io::Result<usize> {
        // rustix refuses a buffer with no room (it asserts), and a read of
        // nothing reads nothing: a guest may well ask for zero bytes.
        if buf.capacity() == buf.len() {
            return Ok(0);
        }
        let spare = rustix::buffer::spare_capacity(buf);
        Ok(match offset {
            Some(offset) => rustix::io::pread(&self.file, spare, offset)?,
            None => rustix::io::read(&self.file, spare)?,
        })
    }

    fn append_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        // Per-write append: the descriptor's own flags stay as opened.
        let n = rustix::io::pwritev2(
            &self.file,
            bufs,
            u64::MAX,
            rustix::io::ReadWriteFlags::APPEND,
        )?;
        self.after_write(n)
    }

    fn seek(&self, pos: SeekFrom) -> io::Result<u64> {
        let pos = match pos {
            SeekFrom::Start(n) => rustix::fs::SeekFrom::Start(n),
            SeekFrom::Current(n) => rustix::fs::SeekFrom::Current(n),
            SeekFrom::End(n) => rustix::fs::SeekFrom::End(n),
        };
        Ok(rustix::fs::seek(&self.file, pos)?)
    }

    fn stat(&self) -> io::Result<Filestat> {
        fd_filestat(self.file.as_fd())
    }

    fn set_size(&self, size: u64) -> io::Result<()> {
        self.perms.check_write("set size")?;
        Ok(rustix::fs::ftruncate(&self.file, size)?)
    }

    fn set_times(&self, atime: Option<SetTime>, mtime: Option<SetTime>) -> io::Result<()> {
        // The kernel lets an owner change times through a read-only
        // descriptor, so the grant is checked here rather than left to it.
        self.perms.check_write("set times")?;
        fd_set_times(self.file.as_fd(), atime, mtime)
    }

    fn allocate(&self, offset: u64, len: u64) -> io::Result<()> {
        self.perms.check_write("allocate")?;
        Ok(rustix::fs::fallocate(
            &self.file,
            FallocateFlags::empty(),
            offset,
            len,
        )?)
    }

    fn advise(&self, offset: u64, len: u64, advice: Advice) -> io::Result<()> {
        use rustix::fs::Advice as A;
        let advice = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        Ok(rustix::fs::fadvise(
            &self.file,
            offset,
            std::num::NonZeroU64::new(len),
            advice,
        )?)
    }

    fn sync_data(&self) -> io::Result<()> {
        Ok(rustix::fs::fdatasync(&self.file)?)
    }

    fn sync_all(&self) -> io::Result<()> {
        Ok(rustix::fs::fsync(&self.file)?)
    }

    fn flags(&self) -> io::Result<FdFlags> {
        let host = rustix::fs::fcntl_getfl(&self.file)?;
        let emulated = self.sync_after_write.load(Ordering::Relaxed);
        Ok(FdFlags {
            append: host.contains(OFlags::APPEND),
            nonblock: host.contains(OFlags::NONBLOCK),
            dsync: host.contains(OFlags::DSYNC) || emulated == SyncAfterWrite::Data as u8,
            rsync: host.contains(OFlags::RSYNC),
            sync: host.contains(OFlags::SYNC) || emulated == SyncAfterWrite::All as u8,
        })
    }

    fn set_flags(&self, flags: FdFlags) -> io::Result<()> {
        if flags.append {
            self.perms.check_write("append")?;
        }
        let mut host = rustix::fs::fcntl_getfl(&self.file)?;
        host.set(OFlags::APPEND, flags.append);
        host.set(OFlags::NONBLOCK, flags.nonblock);
        rustix::fs::fcntl_setfl(&self.file, host)?;
        let mode = if flags.sync || flags.rsync {
            SyncAfterWrite::All
        } else if flags.dsync {
            SyncAfterWrite::Data
        } else {
            SyncAfterWrite::No
        };
        self.sync_after_write.store(mode as u8, Ordering::Relaxed);
        Ok(())
    }

    fn is_tty(&self) -> bool {
        rustix::termios::isatty(&self.file)
    }

    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        Some(self.file.as_fd())
    }
}

/// Attributes of an open host descriptor.
pub(crate) fn fd_filestat(fd: BorrowedFd<'_>) -> io::Result<Filestat> {
    let st = rustix::fs::fstat(fd)?;
    Ok(Filestat {
        dev: st.st_dev,
        ino: st.st_ino,
        filetype: FileType::from_mode(st.st_mode),
        nlink: st.st_nlink,
        size: st.st_size as u64,
        atim: nanos(st.st_atime, st.st_atime_nsec as i64),
        mtim: nanos(st.st_mtime, st.st_mtime_nsec as i64),
        ctim: nanos(st.st_ctime, st.st_ctime_nsec as i64),
    })
}

fn metadata_filestat(meta: &cap::Metadata) -> Filestat {
    use cap_std::fs::MetadataExt;
    Filestat {
        dev: meta.dev(),
        ino: meta.ino(),
        filetype: FileType::from_mode(meta.mode()),
        nlink: meta.nlink(),
        size: meta.size(),
        atim: nanos(meta.atime(), meta.atime_nsec()),
        mtim: nanos(meta.mtime(), meta.mtime_nsec()),
        ctim: nanos(meta.ctime(), meta.ctime_nsec()),
    }
}

/// Nanoseconds since the epoch; times before it read as the epoch, since
/// the guest's timestamp type is unsigned.
fn nanos(secs: i64, nsecs: i64) -> u64 {
    u64::try_from(secs)
        .unwrap_or(0)
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::try_from(nsecs).unwrap_or(0))
}

fn time_spec(t: SetTime) -> SystemTimeSpec {
    match t {
        SetTime::Now => SystemTimeSpec::SymbolicNow,
        SetTime::At(ns) => SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(
            SystemTime::UNIX_EPOCH + Duration::from_nanos(ns),
        )),
    }
}

fn fd_set_times(
    fd: BorrowedFd<'_>,
    atime: Option<SetTime>,
    mtime: Option<SetTime>,
) -> io::Result<()> {
    fn spec(t: Option<SetTime>) -> Timespec {
        match t {
            None => Timespec {
                tv_sec: 0,
                tv_nsec: rustix::fs::UTIME_OMIT,
            },
            Some(SetTime::Now) => Timespec {
                tv_sec: 0,
                tv_nsec: rustix::fs::UTIME_NOW,
            },
            Some(SetTime::At(ns)) => Timespec {
                tv_sec: (ns / 1_000_000_000) as i64,
                tv_nsec: (ns % 1_000_000_000) as _,
            },
        }
    }
    let times = Timestamps {
        last_access: spec(atime),
        last_modification: spec(mtime),
    };
    Ok(rustix::fs::futimens(fd, &times)?)
}
