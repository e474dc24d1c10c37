//! Standard input, output and error: inherited, null, in-memory, or any
//! reader or writer.

use std::io::{self, IoSlice, IoSliceMut, Read, Write};
use std::os::fd::BorrowedFd;
use std::sync::{Arc, Mutex, PoisonError};

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

    pub(crate) fn into_file(self, host_fd: u8) -> Box<dyn fs::File> {
        match self.0 {
            StdioKind::Inherit => Box::new(Inherited { host_fd }),
            StdioKind::Null => Box::new(Null),
            StdioKind::Input(bytes) => Box::new(MemoryInput(Mutex::new((bytes, 0)))),
            StdioKind::Output(pipe) => Box::new(pipe),
            StdioKind::Reader(r) => Box::new(ReaderStream(Mutex::new(r))),
            StdioKind::Writer(w) => Box::new(WriterStream(Mutex::new(w))),
            StdioKind::Custom(file) => file,
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

/// Attributes of a stream that exists only in memory.
fn memory_stat(filetype: FileType) -> Filestat {
    Filestat {
        dev: 0,
        ino: 0,
        filetype,
        nlink: 0,
        size: 0,
        atim: 0,
        mtim: 0,
        ctim: 0,
    }
}

impl fs::File for OutputPipe {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::Unknown)
    }
    fn read_vectored(&self, _bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let mut out = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let mut total = 0;
        for buf in bufs {
            out.extend_from_slice(buf);
            total += buf.len();
        }
        Ok(total)
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(memory_stat(FileType::Unknown))
    }
}

struct MemoryInput(Mutex<(Vec<u8>, usize)>);

impl fs::File for MemoryInput {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::Unknown)
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (bytes, pos) = &mut *state;
        let n = (&bytes[*pos..]).read_vectored(bufs)?;
        *pos += n;
        Ok(n)
    }
    fn write_vectored(&self, _bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(memory_stat(FileType::Unknown))
    }
    fn bytes_ready(&self) -> Option<u64> {
        let state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        Some((state.0.len() - state.1) as u64)
    }
}

struct Null;

impl fs::File for Null {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::CharacterDevice)
    }
    fn read_vectored(&self, _bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Ok(0)
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Ok(bufs.iter().map(|b| b.len()).sum())
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(memory_stat(FileType::CharacterDevice))
    }
}

struct ReaderStream(Mutex<Box<dyn Read + Send>>);

impl fs::File for ReaderStream {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::Unknown)
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .read_vectored(bufs)
    }
    fn write_vectored(&self, _bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(memory_stat(FileType::Unknown))
    }
}

struct WriterStream(Mutex<Box<dyn Write + Send>>);

impl fs::File for WriterStream {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::Unknown)
    }
    fn read_vectored(&self, _bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Err(io::Error::from(rustix::io::Errno::BADF))
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .write_vectored(bufs)
    }
    fn sync_data(&self) -> io::Result<()> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .flush()
    }
    fn sync_all(&self) -> io::Result<()> {
        self.sync_data()
    }
    fn stat(&self) -> io::Result<Filestat> {
        Ok(memory_stat(FileType::Unknown))
    }
}

/// One of the host process's own standard streams, used directly so that
/// guest output is not held in a host-side buffer.
struct Inherited {
    host_fd: u8,
}

impl Inherited {
    fn fd(&self) -> BorrowedFd<'static> {
        match self.host_fd {
            0 => rustix::stdio::stdin(),
            1 => rustix::stdio::stdout(),
            _ => rustix::stdio::stderr(),
        }
    }
}

impl fs::File for Inherited {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::from_mode(rustix::fs::fstat(self.fd())?.st_mode))
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Ok(rustix::io::readv(self.fd(), bufs)?)
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Ok(rustix::io::writev(self.fd(), bufs)?)
    }
    fn stat(&self) -> io::Result<Filestat> {
        crate::fs::host::fd_filestat(self.fd())
    }
    fn sync_data(&self) -> io::Result<()> {
        // Terminals and pipes cannot be synced; there is nothing to flush.
        Ok(())
    }
    fn flags(&self) -> io::Result<FdFlags> {
        let host = rustix::fs::fcntl_getfl(self.fd())?;
        Ok(FdFlags {
            append: host.contains(rustix::fs::OFlags::APPEND),
            nonblock: host.contains(rustix::fs::OFlags::NONBLOCK),
            ..FdFlags::default()
        })
    }
    fn set_flags(&self, flags: FdFlags) -> io::Result<()> {
        // Synchronous-write flags cannot change on an open stream under
        // Linux, and a terminal or pipe has no storage to sync to.
        if flags.dsync || flags.rsync || flags.sync {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut host = rustix::fs::fcntl_getfl(self.fd())?;
        host.set(rustix::fs::OFlags::APPEND, flags.append);
        host.set(rustix::fs::OFlags::NONBLOCK, flags.nonblock);
        Ok(rustix::fs::fcntl_setfl(self.fd(), host)?)
    }
    fn is_tty(&self) -> bool {
        rustix::termios::isatty(self.fd())
    }
    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd())
    }
}
