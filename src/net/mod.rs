//! Sockets, beside [`crate::fs`] and named after no ABI: the operations a
//! socket handle offers ([`Socket`]), and the host sockets the embedder
//! hands to a guest: a listener preopened by the host, and the connections
//! the guest accepts from it. Every ABI's socket calls come here, and ask
//! the address policy ([`policy`]) which addresses the guest may use.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;

use rustix::net::{RecvAncillaryBuffer, RecvFlags, ReturnFlags, SendAncillaryBuffer, SendFlags};

use crate::fs::{self, FdFlags, FileType, Filestat};

pub mod lookup;
pub mod policy;
pub(crate) mod sockopt;
pub mod tcp;
pub mod udp;

pub use policy::{AddressPolicy, Protocol, Rule, RuleError, Use, Uses};

/// Socket operations, for a handle that is a socket.
pub trait Socket: Send + Sync {
    /// Accepts a pending connection as a new stream handle.
    fn accept(&self, nonblocking: bool) -> io::Result<Arc<dyn fs::File>>;
    /// Receives into `bufs`; returns the byte count and whether the message
    /// was cut short.
    fn recv(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        peek: bool,
        waitall: bool,
    ) -> io::Result<(usize, bool)>;
    /// Sends `bufs`.
    fn send(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;
    /// Shuts down the read half, the write half, or both.
    fn shutdown(&self, read: bool, write: bool) -> io::Result<()>;
}

/// A host TCP socket, listening or connected.
pub struct HostSocket {
    fd: OwnedFd,
}

impl HostSocket {
    /// Wraps a listener the embedder bound.
    pub fn listener(listener: std::net::TcpListener) -> Self {
        HostSocket {
            fd: listener.into(),
        }
    }

    /// Wraps a connected stream.
    pub fn stream(stream: std::net::TcpStream) -> Self {
        HostSocket { fd: stream.into() }
    }
}

impl Socket for HostSocket {
    fn accept(&self, nonblocking: bool) -> io::Result<Arc<dyn fs::File>> {
        let mut flags = rustix::net::SocketFlags::CLOEXEC;
        if nonblocking {
            flags |= rustix::net::SocketFlags::NONBLOCK;
        }
        let fd = rustix::net::accept_with(&self.fd, flags)?;
        Ok(Arc::new(HostSocket { fd }))
    }

    fn recv(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        peek: bool,
        waitall: bool,
    ) -> io::Result<(usize, bool)> {
        recv(self.fd.as_fd(), bufs, peek, waitall)
    }

    fn send(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        send(self.fd.as_fd(), bufs)
    }

    fn shutdown(&self, read: bool, write: bool) -> io::Result<()> {
        shutdown(self.fd.as_fd(), read, write)
    }
}

// The stream operations of a connected socket, whoever made it: the host
// (a preopened listener's connections) or the guest ([`tcp`]).

/// Receives into `bufs`; returns the byte count and whether the message
/// was cut short.
pub(crate) fn recv(
    fd: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    peek: bool,
    waitall: bool,
) -> io::Result<(usize, bool)> {
    let mut flags = RecvFlags::empty();
    flags.set(RecvFlags::PEEK, peek);
    flags.set(RecvFlags::WAITALL, waitall);
    let msg = rustix::net::recvmsg(fd, bufs, &mut RecvAncillaryBuffer::default(), flags)?;
    Ok((msg.bytes, msg.flags.contains(ReturnFlags::TRUNC)))
}

/// Sends with `MSG_NOSIGNAL`: a peer that hung up must cost the guest
/// `EPIPE`, not the host process a `SIGPIPE`.
pub(crate) fn send(fd: BorrowedFd<'_>, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
    match bufs {
        [buf] => Ok(rustix::net::send(fd, buf, SendFlags::NOSIGNAL)?),
        _ => Ok(rustix::net::sendmsg(
            fd,
            bufs,
            &mut SendAncillaryBuffer::default(),
            SendFlags::NOSIGNAL,
        )?),
    }
}

/// Shuts down the read half, the write half, or both; neither is
/// `InvalidInput`.
pub(crate) fn shutdown(fd: BorrowedFd<'_>, read: bool, write: bool) -> io::Result<()> {
    use rustix::net::Shutdown;
    let how = match (read, write) {
        (true, true) => Shutdown::Both,
        (true, false) => Shutdown::Read,
        (false, true) => Shutdown::Write,
        (false, false) => return Err(sockopt::invalid("a shutdown of neither half")),
    };
    Ok(rustix::net::shutdown(fd, how)?)
}

impl fs::File for HostSocket {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::SocketStream)
    }
    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        Ok(rustix::io::readv(&self.fd, bufs)?)
    }
    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Socket::send(self, bufs)
    }
    fn stat(&self) -> io::Result<Filestat> {
        let mut stat = fs::host::fd_filestat(self.fd.as_fd())?;
        stat.filetype = FileType::SocketStream;
        Ok(stat)
    }
    fn flags(&self) -> io::Result<FdFlags> {
        let host = rustix::fs::fcntl_getfl(&self.fd)?;
        Ok(FdFlags {
            nonblock: host.contains(rustix::fs::OFlags::NONBLOCK),
            ..FdFlags::default()
        })
    }
    fn set_flags(&self, flags: FdFlags) -> io::Result<()> {
        if flags.append || flags.dsync || flags.rsync || flags.sync {
            return Err(io::ErrorKind::InvalidInput.into());
        }
        let mut host = rustix::fs::fcntl_getfl(&self.fd)?;
        host.set(rustix::fs::OFlags::NONBLOCK, flags.nonblock);
        Ok(rustix::fs::fcntl_setfl(&self.fd, host)?)
    }
    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd.as_fd())
    }
    fn as_socket(&self) -> Option<&dyn Socket> {
        Some(self)
    }
}
