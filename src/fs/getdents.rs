//! A host directory listing, read a kernel batch at a time.
//!
//! Each `getdents64` batch is decoded into one reused arena of names, so a
//! listing of any size allocates nothing per entry, and the position inside
//! a batch survives between the guest's `fd_readdir` calls.

use std::ffi::OsStr;
use std::io;
use std::mem::MaybeUninit;
use std::ops::Range;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;

use rustix::fs::{AtFlags, RawDir};

use super::{DirEntry, DirStream, FileType};

/// As much as glibc's `readdir` asks the kernel for at once.
const BATCH_BYTES: usize = 32 * 1024;

/// One decoded entry of the current batch.
struct Decoded {
    ino: u64,
    /// The type as `st_mode` type bits; zero when the listing left it out.
    type_bits: u32,
    /// The name's bytes within [`HostListing::names`].
    name: Range<usize>,
    /// The kernel's `d_off`: where the entry after this one starts.
    next: u64,
}

/// A listing of an open host directory, excluding `.` and `..`.
pub(crate) struct HostListing {
    /// A descriptor of its own, so its offset is the listing's alone.
    fd: OwnedFd,
    buf: Box<[MaybeUninit<u8>]>,
    names: Vec<u8>,
    batch: Vec<Decoded>,
    next: usize,
    ended: bool,
}

impl HostListing {
    /// A listing from the start of the directory open as `fd`.
    pub(crate) fn new(fd: OwnedFd) -> Self {
        HostListing {
            fd,
            buf: vec![MaybeUninit::uninit(); BATCH_BYTES].into_boxed_slice(),
            names: Vec::new(),
            batch: Vec::new(),
            next: 0,
            ended: false,
        }
    }

    /// Decodes the next kernel batch; `false` at the end of the directory.
    fn refill(&mut self) -> io::Result<bool> {
        self.batch.clear();
        self.names.clear();
        self.next = 0;
        let mut raw = RawDir::new(&self.fd, &mut self.buf);
        // The first entry reads a batch; stopping when the buffer runs dry
        // keeps to that one batch, so nothing is read ahead and lost.
        loop {
            let entry = match raw.next() {
                None => break,
                Some(entry) => entry?,
            };
            let name = entry.file_name().to_bytes();
            if name != b"." && name != b".." {
                let start = self.names.len();
                self.names.extend_from_slice(name);
                self.batch.push(Decoded {
                    ino: entry.ino(),
                    type_bits: match entry.file_type() {
                        rustix::fs::FileType::Unknown => 0,
                        known => known.as_raw_mode(),
                    },
                    name: start..self.names.len(),
                    next: entry.next_entry_cookie(),
                });
            }
            if raw.is_buffer_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

impl DirStream for HostListing {
    fn next_into(&mut self, out: &mut DirEntry) -> io::Result<bool> {
        while self.next == self.batch.len() {
            if self.ended || !self.refill()? {
                self.ended = true;
                return Ok(false);
            }
        }
        let decoded = &self.batch[self.next];
        self.next += 1;
        let name = &self.names[decoded.name.clone()];
        out.name.clear();
        // Guest paths are UTF-8, so a name that is not could never be opened
        // by the guest; it is shown, lossily, all the same.
        match std::str::from_utf8(name) {
            Ok(name) => out.name.push_str(name),
            Err(_) => out.name.push_str(&String::from_utf8_lossy(name)),
        }
        out.ino = decoded.ino;
        out.next = decoded.next;
        let mut type_bits = decoded.type_bits;
        if type_bits == 0 {
            // Some filesystems leave the type out of the listing. The name
            // is one component straight from the kernel, never `.` or `..`,
            // and is not followed, so this stat stays in the directory.
            let stat =
                rustix::fs::statat(&self.fd, OsStr::from_bytes(name), AtFlags::SYMLINK_NOFOLLOW)?;
            type_bits = stat.st_mode;
        }
        out.filetype = FileType::from_mode(type_bits);
        Ok(true)
    }

    fn seek(&mut self, cookie: u64) -> io::Result<()> {
        // The kernel's own `d_off` positions, as `seekdir` uses them: a
        // rewind re-reads the directory, and a cookie stays meaningful
        // across changes. The descriptor is the listing's own, so nothing
        // else sees its offset move.
        rustix::fs::seek(&self.fd, rustix::fs::SeekFrom::Start(cookie))?;
        self.batch.clear();
        self.names.clear();
        self.next = 0;
        self.ended = false;
        Ok(())
    }
}
