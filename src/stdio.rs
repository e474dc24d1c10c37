//! Standard input, output and error: inherited, null, in-memory, or any
//! reader or writer.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::io::ReadWriteFlags;

use crate::fs::{self, FdFlags, FileType, Filestat};

/// What one of the three standard streams is connected to.
pub struct Stdio(pub(crate) StdioKind);

pub(crate) enum StdioKind {
    Inherit,
    Null,
    Input(Vec<u8>),
    Output(OutputPipe),
    Reader(Box<dyn Read + Send>),
    Writer(Box<dyn Write + Send>),
    Custom(Box<dyn fs::File>),
}

impl Stdio {
    /// The host process's own stream.
    pub fn inherit() -> Self {
        Stdio(StdioKind::Inherit)
    }

    /// Reads see end-of-file at once; writes are discarded.
    pub fn null() -> Self {
        Stdio(StdioKind::Null)
    }

    /// Reads return `bytes`, then end-of-file.
    pub fn input(bytes: impl Into<Vec<u8>>) -> Self {
        Stdio(StdioKind::Input(bytes.into()))
    }

    /// Writes are collected in `pipe`, which the embedder keeps a clone of.
    pub fn output(pipe: OutputPipe) -> Self {
        Stdio(StdioKind::Output(pipe))
    }

    /// Reads come from `reader`.
    pub fn reader(reader: impl Read + Send + 'static) -> Self {
        Stdio(StdioKind::Reader(Box::new(reader)))
    }

    /// Writes go to `writer`.
    pub fn writer(writer: impl Write + Send + 'static) -> Self {
        Stdio(StdioKind::Writer(Box::new(writer)))
    }

    /// Any handle the embedder implements itself.
    pub fn custom(file: Box<dyn fs::File>) -> Self {
        Stdio(StdioKind::Custom(file))
    }

    pub(crate) fn into_file(self, host_fd: u8) -> Arc<dyn fs::File> {
        match self.0 {
            StdioKind::Inherit => Arc::new(Inherited {
                host_fd,
                guest_flags: GuestFlags::default(),
            }),
            StdioKind::Null => InMemory::shared(Null),
            StdioKind::Input(bytes) => InMemory::shared(MemoryInput(Mutex::new((bytes, 0)))),
            StdioKind::Output(pipe) => InMemory::shared(pipe),
            StdioKind::Reader(r) => InMemory::shared(ReaderStream(Mutex::new(r))),
            StdioKind::Writer(w) => InMemory::shared(WriterStream(Mutex::new(w))),
            StdioKind::Custom(file) => Arc::from(file),
        }
    }
}

/// A shared in-memory buffer that collects what a guest writes.
#[derive(Clone, Default)]
pub struct OutputPipe(Arc<Mutex<Vec<u8>>>);

impl OutputPipe {
    /// An empty pipe.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// A stream that lives in capwasi's memory or in the embedder's reader or
/// writer: no host descriptor, so nothing ever waits.
trait MemoryStream: Send + Sync + 'static {
    /// What `fd_fdstat_get` reports it as.
    const FILETYPE: FileType = FileType::Unknown;
    fn read(&self, _bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    fn write(&self, _bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    /// Hands buffered output on; memory has nothing to flush.
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
    fn bytes_ready(&self) -> Option<u64> {
        None
    }
}

/// A [`MemoryStream`] with the status flags the guest set on it.
struct InMemory<T> {
    stream: T,
    guest_flags: GuestFlags,
}

impl<T: MemoryStream> InMemory<T> {
    fn shared(stream: T) -> Arc<dyn fs::File> {
        Arc::new(InMemory {
            stream,
            guest_flags: GuestFlags::default(),
        })
    }
}

impl<T: MemoryStream> fs::File for InMemory<T> {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(T::FILETYPE)
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.stream.read(bufs)
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.stream.write(bufs)
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: T::FILETYPE,
            nlink: 0,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        })
    }
    fn sync_data(&self) -> io::Result<()> {
        self.stream.flush()
    }
    fn sync_all(&self) -> io::Result<()> {
        self.stream.flush()
    }
    // A memory stream never blocks and only ever appends, so both flags
    // hold by construction; they are kept to report back.
    fn flags(&self) -> io::Result<FdFlags> {
        Ok(self.guest_flags.get())
    }
    fn set_flags(&self, flags: FdFlags) -> io::Result<()> {
        self.guest_flags.set(flags)
    }
    fn bytes_ready(&self) -> Option<u64> {
        self.stream.bytes_ready()
    }
}

impl MemoryStream for OutputPipe {
    fn write(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut out = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut total = 0;
        for buf in bufs {
            out.extend_from_slice(buf);
            total += buf.len();
        }
        Ok(total)
    }
}

struct MemoryInput(Mutex<(Vec<u8>, usize)>);

impl MemoryStream for MemoryInput {
    fn read(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (bytes, pos) = &mut *state;
        let n = (&bytes[*pos..]).read_vectored(bufs)?;
        *pos += n;
        Ok(n)
    }
    fn bytes_ready(&self) -> Option<u64> {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Some((state.0.len() - state.1) as u64)
    }
}

struct Null;

impl MemoryStream for Null {
    const FILETYPE: FileType = FileType::CharacterDevice;
    fn read(&self, _bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Ok(0)
    }
    fn write(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Ok(bufs.iter().map(|b| b.len()).sum())
    }
}

struct ReaderStream(Mutex<Box<dyn Read + Send>>);

impl MemoryStream for ReaderStream {
    fn read(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .read_vectored(bufs)
    }
}

struct WriterStream(Mutex<Box<dyn Write + Send>>);

impl MemoryStream for WriterStream {
    fn write(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_vectored(bufs)
    }
    fn flush(&self) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
}

/// Status flags a guest set on a standard stream. They are remembered and
/// honoured by capwasi itself and never reach a host descriptor: an
/// inherited stream's open file description is shared with the parent
/// shell, so a guest that made it non-blocking would leave the terminal
/// non-blocking for every program after it.
#[derive(Default)]
struct GuestFlags(AtomicU8);

impl GuestFlags {
    const APPEND: u8 = 1;
    const NONBLOCK: u8 = 2;

    fn get(&self) -> FdFlags {
        let bits = self.0.load(Ordering::Relaxed);
        FdFlags {
            append: bits & Self::APPEND != 0,
            nonblock: bits & Self::NONBLOCK != 0,
            ..FdFlags::default()
        }
    }

    fn set(&self, flags: FdFlags) -> io::Result<()> {
        // A stream has no storage to sync to, and Linux cannot change the
        // synchronous-write flags of an open descriptor anyway.
        if flags.dsync || flags.rsync || flags.sync {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut bits = 0;
        if flags.append {
            bits |= Self::APPEND;
        }
        if flags.nonblock {
            bits |= Self::NONBLOCK;
        }
        self.0.store(bits, Ordering::Relaxed);
        Ok(())
    }
}

/// The most a non-blocking write to a stream offers at once: a pipe that
/// polls writable has room for this much, so the write cannot block.
pub(crate) const PIPE_BUF: usize = 4096;

/// One of the host process's own standard streams, used directly so that
/// guest output is not held in a host-side buffer.
struct Inherited {
    host_fd: u8,
    guest_flags: GuestFlags,
}

impl Inherited {
    fn fd(&self) -> BorrowedFd<'static> {
        match self.host_fd {
            0 => rustix::stdio::stdin(),
            1 => rustix::stdio::stdout(),
            _ => rustix::stdio::stderr(),
        }
    }

    /// Whether the stream can be read (or written) without blocking; with
    /// `wait`, blocks until it can.
    fn ready(&self, events: PollFlags, wait: bool) -> io::Result<bool> {
        let fd = self.fd();
        let mut fds = [PollFd::new(&fd, events)];
        let timeout = Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        loop {
            match rustix::event::poll(&mut fds, (!wait).then_some(&timeout)) {
                Ok(n) => return Ok(n > 0),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Runs `io` as the guest's flags ask, whatever the host's are: a
    /// guest that asked for non-blocking I/O gets `EAGAIN` instead of a
    /// wait, and one that did not is never shown the `EAGAIN` of a host
    /// descriptor that someone else made non-blocking.
    fn guest_io(
        &self,
        events: PollFlags,
        mut io: impl FnMut() -> rustix::io::Result<usize>,
    ) -> io::Result<usize> {
        if self.guest_flags.get().nonblock {
            if !self.ready(events, false)? {
                return Err(io::Error::from(rustix::io::Errno::AGAIN));
            }
            return Ok(io()?);
        }
        loop {
            match io() {
                Err(rustix::io::Errno::AGAIN) => {
                    self.ready(events, true)?;
                }
                Err(rustix::io::Errno::INTR) => {}
                result => return Ok(result?),
            }
        }
    }
}

impl fs::File for Inherited {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::from_mode(rustix::fs::fstat(self.fd())?.st_mode))
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let fd = self.fd();
        self.guest_io(PollFlags::IN, || match bufs {
            [one] => rustix::io::read(fd, &mut one[..]),
            _ => rustix::io::readv(fd, bufs),
        })
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let fd = self.fd();
        let flags = self.guest_flags.get();
        // A single buffer goes through plain `write`; a non-blocking one is
        // cut to what a writable pipe is sure to take.
        let first = bufs.first().map_or(&[][..], |b| &b[..]);
        let one = [IoSlice::new(&first[..first.len().min(PIPE_BUF)])];
        let bufs = if flags.nonblock { &one[..] } else { bufs };
        self.guest_io(PollFlags::OUT, || {
            if flags.append {
                // Per-write append leaves the shared descriptor's flags
                // alone. On a pipe or terminal it is simply a write.
                return rustix::io::pwritev2(fd, bufs, u64::MAX, ReadWriteFlags::APPEND);
            }
            match bufs {
                [one] => rustix::io::write(fd, one),
                _ => rustix::io::writev(fd, bufs),
            }
        })
    }
    fn stat(&self) -> io::Result<Filestat> {
        crate::fs::host::fd_filestat(self.fd())
    }
    fn sync_data(&self) -> io::Result<()> {
        host_sync(rustix::fs::fdatasync(self.fd()))
    }
    fn sync_all(&self) -> io::Result<()> {
        host_sync(rustix::fs::fsync(self.fd()))
    }
    fn flags(&self) -> io::Result<FdFlags> {
        let host = rustix::fs::fcntl_getfl(self.fd())?;
        let guest = self.guest_flags.get();
        Ok(FdFlags {
            append: guest.append || host.contains(rustix::fs::OFlags::APPEND),
            ..guest
        })
    }
    fn set_flags(&self, flags: FdFlags) -> io::Result<()> {
        self.guest_flags.set(flags)
    }
    fn is_tty(&self) -> bool {
        rustix::termios::isatty(self.fd())
    }
    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd())
    }
}

/// A sync of a host stream: a file it was redirected to reaches storage,
/// while a terminal or pipe (`EINVAL`) holds nothing to flush, since
/// capwasi writes to it unbuffered.
fn host_sync(result: rustix::io::Result<()>) -> io::Result<()> {
    match result {
        Err(rustix::io::Errno::INVAL) => Ok(()),
        other => Ok(other?),
    }
}
