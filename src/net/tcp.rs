//! TCP sockets the guest makes itself, behind the address policy.
//!
//! [`TcpSocket`] is the host side of one guest TCP socket, named after no
//! ABI: preview2's `wasi:sockets/tcp` keeps the WIT's state machine (which
//! call is legal when) and maps errors to its codes; this layer does the
//! work, and asks the guest's [`AddressPolicy`] before every system call
//! that would put anything on the network, so that a refused bind, listen
//! or connect leaves no trace on the wire.
//!
//! Every socket is non-blocking. Operations that take time report
//! `WouldBlock` and are waited for through [`crate::poll`]: a connect in
//! progress with [`Interest::Write`] on [`TcpSocket::pollable`], a
//! listener's next connection with [`Interest::Read`].
//!
//! A connected socket's data goes through [`TcpStream`], an [`fs::File`],
//! so that the streams each ABI already has for files and pipes carry it.
//!
//! Errors are `io::Error`: the OS's own errno where it gave one,
//! `InvalidInput` for an argument wasi:sockets calls invalid, and
//! `PermissionDenied` carrying [`crate::CapabilityDenied`] for what the
//! policy refuses.
//!
//! [`Interest::Write`]: crate::poll::Interest::Write
//! [`Interest::Read`]: crate::poll::Interest::Read

use std::io::{self, IoSlice, IoSliceMut};
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rustix::io::Errno;
use rustix::net::{sockopt, RecvFlags, SocketFlags, SocketType};

pub use super::sockopt::IpFamily;
use super::sockopt::{check_family, invalid, socket};
use super::{AddressPolicy, Protocol, Socket, Use};
use crate::error::SendShutDown;
use crate::fs::{self, FdFlags, FileType, Filestat};
use crate::poll::{self, Interest, Readiness};

/// The largest keep-alive idle time and interval Linux accepts, in seconds
/// (`MAX_TCP_KEEPIDLE`, `MAX_TCP_KEEPINTVL`).
const MAX_KEEPALIVE_SECS: u64 = 32_767;

/// The most keep-alive probes Linux accepts (`MAX_TCP_KEEPCNT`).
const MAX_KEEPALIVE_COUNT: u32 = 127;

/// How many refused connections one [`TcpSocket::accept`] closes before it
/// gives up with `WouldBlock`, so that a flood of peers not granted cannot
/// hold the guest's call forever; the listener stays readable, and the
/// guest's next wait wakes for the rest.
const ACCEPT_ATTEMPTS: usize = 64;

/// One TCP socket a guest created: unbound, bound, listening, connecting or
/// connected, as the kernel knows it.
///
/// Methods take `&self`: the kernel holds the socket's state, and the ABI
/// layer above keeps the state machine its interface asks for.
pub struct TcpSocket {
    fd: Arc<OwnedFd>,
    family: IpFamily,
    policy: Arc<AddressPolicy>,
    /// The halves shut down so far ([`RECEIVE_SHUT`], [`SEND_SHUT`]);
    /// shared with the streams.
    shut: Arc<AtomicU8>,
}

impl std::fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpSocket")
            .field("fd", &self.fd)
            .field("family", &self.family)
            .finish_non_exhaustive()
    }
}

impl TcpSocket {
    /// A new, unbound socket of `family`, governed by `policy` for its
    /// whole life. Refused when the policy could grant no TCP use at all,
    /// so that a guest granted nothing holds no host socket.
    pub fn new(family: IpFamily, policy: Arc<AddressPolicy>) -> io::Result<TcpSocket> {
        policy.check_socket(Protocol::Tcp)?;
        let fd = socket(family, SocketType::STREAM)?;
        Ok(TcpSocket {
            fd: Arc::new(fd),
            family,
            policy,
            shut: Arc::default(),
        })
    }

    /// The socket's address family.
    pub fn family(&self) -> IpFamily {
        self.family
    }

    /// The descriptor to wait on: [`Interest::Write`] for a connect to
    /// finish, [`Interest::Read`] for a connection to accept or data to read.
    pub fn pollable(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// The descriptor to wait on, shared, for a waiter that outlives this
    /// borrow (preview2's pollables). Crate-only: whoever holds it could
    /// make system calls the policy never sees, so it goes only to code
    /// that waits on it.
    pub(crate) fn shared_fd(&self) -> Arc<OwnedFd> {
        Arc::clone(&self.fd)
    }

    /// Binds to `addr`. Refused with `InvalidInput` for an address of the
    /// other family, an IPv4-mapped one, or one that is not unicast
    /// (multicast, or the IPv4 broadcast address); refused by the policy
    /// unless [`Use::TcpBind`] of `addr` is granted.
    ///
    /// A non-zero port is bound with `SO_REUSEADDR`, as wasi:sockets asks,
    /// so that a port of a recently closed socket in `TIME_WAIT` can be
    /// bound again; a failed bind takes the option back off.
    pub fn bind(&self, addr: SocketAddr) -> io::Result<()> {
        check_family(self.family, &addr)?;
        super::sockopt::check_unicast(addr.ip())?;
        self.policy.check(Use::TcpBind, addr)?;
        let reuse = addr.port() != 0;
        if reuse {
            sockopt::set_socket_reuseaddr(&*self.fd, true)?;
        }
        rustix::net::bind(&*self.fd, &addr).map_err(|errno| {
            if reuse {
                // The socket stays usable for another bind, as it was.
                let _ = sockopt::set_socket_reuseaddr(&*self.fd, false);
            }
            io::Error::from(errno)
        })
    }

    /// Starts listening with a queue of `backlog` pending connections,
    /// clamped to what `listen(2)` takes (the kernel clamps it further, to
    /// `net.core.somaxconn`). The socket must be bound: Linux would bind an
    /// unbound one to a port of its choosing, which no grant was asked
    /// for, so that is refused with `EDESTADDRREQ` as wasi:sockets says.
    /// Refused by the policy unless [`Use::TcpListen`] of the local address
    /// is granted.
    pub fn listen(&self, backlog: u64) -> io::Result<()> {
        let local = self.local_addr()?;
        self.policy.check(Use::TcpListen, local)?;
        Ok(rustix::net::listen(&*self.fd, clamp_backlog(backlog))?)
    }

    /// Changes the listen queue size. 0 is `InvalidInput`. On a listening
    /// socket, Linux takes a second `listen(2)` as a new size, so this is
    /// one; the policy is asked again, as for the first. On a connected
    /// socket it is `EISCONN`. On one not yet listening there is nothing in
    /// the kernel to change: the caller keeps the hint for its
    /// [`Self::listen`].
    pub fn set_listen_backlog_size(&self, value: u64) -> io::Result<()> {
        if value == 0 {
            return Err(invalid("a listen backlog of 0"));
        }
        if self.is_listening()? {
            return self.listen(value);
        }
        if self.peer_addr().is_ok() {
            return Err(Errno::ISCONN.into());
        }
        Ok(())
    }

    /// Starts connecting to `addr`; [`Self::connect_finish`] tells when it
    /// is done. Refused with `InvalidInput` for an address of the other
    /// family, an IPv4-mapped one, one that is not unicast, the unspecified
    /// address or port 0; refused by the policy unless
    /// [`Use::TcpConnect`] of `addr` is granted. Both are decided before
    /// `connect(2)`, so a refused connect sends nothing.
    ///
    /// An unbound socket is bound by the kernel to an ephemeral port, as a
    /// client socket always is; that binding is the host's, not a bind the
    /// guest asked for.
    pub fn connect_start(&self, addr: SocketAddr) -> io::Result<()> {
        check_family(self.family, &addr)?;
        super::sockopt::check_unicast(addr.ip())?;
        if addr.ip().is_unspecified() {
            return Err(invalid("connecting to the unspecified address"));
        }
        if addr.port() == 0 {
            return Err(invalid("connecting to port 0"));
        }
        self.policy.check(Use::TcpConnect, addr)?;
        match rustix::net::connect(&*self.fd, &addr) {
            Ok(()) | Err(Errno::INPROGRESS) => Ok(()),
            Err(errno) => Err(errno.into()),
        }
    }

    /// Whether the connect begun by [`Self::connect_start`] is done:
    /// `Ok` once connected, `WouldBlock` while it is in progress, and the
    /// reason it failed (`ECONNREFUSED`, `ETIMEDOUT`, ...) once it has.
    /// The kernel reports a failure's reason once; asked again, the answer
    /// is `ENOTCONN`, as it is for a socket that never connected.
    pub fn connect_finish(&self) -> io::Result<()> {
        let mut found = [Readiness::Pending];
        poll::wait(
            &crate::clock::HostMonotonicClock,
            &[Interest::Write(self.fd.as_fd())],
            &mut found,
            false,
        )?;
        if found[0] == Readiness::Pending {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        sockopt::socket_error(&*self.fd)?.map_err(io::Error::from)?;
        match rustix::net::getpeername(&*self.fd)? {
            Some(_) => Ok(()),
            None => Err(Errno::NOTCONN.into()),
        }
    }

    /// Accepts the next pending connection whose peer the policy grants
    /// ([`Use::TcpAccept`]), as a connected socket, with its peer's address.
    ///
    /// A connection from a peer not granted is reset and closed at once
    /// (`SO_LINGER` of 0), never handed to the guest, and the next one is
    /// tried; after a bounded number of those, or when none is pending, the
    /// answer is `WouldBlock`.
    ///
    /// On Linux the accepted socket inherits the listener's options (keep-
    /// alive, hop limit, buffer sizes), as wasi:sockets requires.
    pub fn accept(&self) -> io::Result<(TcpSocket, SocketAddr)> {
        for _ in 0..ACCEPT_ATTEMPTS {
            let (fd, peer) = rustix::net::acceptfrom_with(
                &*self.fd,
                SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            )?;
            let peer = match peer.map(SocketAddr::try_from) {
                Some(Ok(peer)) => peer,
                // A peer with no IP address cannot be checked, so it is
                // not let in.
                _ => {
                    reset(&fd);
                    continue;
                }
            };
            if self.policy.check(Use::TcpAccept, peer).is_err() {
                reset(&fd);
                continue;
            }
            let socket = TcpSocket {
                fd: Arc::new(fd),
                family: self.family,
                policy: Arc::clone(&self.policy),
                shut: Arc::default(),
            };
            return Ok((socket, peer));
        }
        Err(io::ErrorKind::WouldBlock.into())
    }

    /// The connected socket's data streams, as an [`fs::File`] sharing this
    /// socket's descriptor; `ENOTCONN` if it is not connected, so that no
    /// stream is ever handed out over a socket that could still be bound or
    /// connected elsewhere without the policy seeing it.
    pub fn stream(&self) -> io::Result<Arc<TcpStream>> {
        self.peer_addr()?;
        Ok(Arc::new(TcpStream {
            fd: Arc::clone(&self.fd),
            shut: Arc::clone(&self.shut),
        }))
    }

    /// Shuts down the receiving half, the sending half, or both; a peer
    /// reads the end of the stream once sending is shut down, and a write
    /// to the socket's streams after that is refused as shut down, which
    /// preview2 calls a closed stream. Neither is `InvalidInput`;
    /// `ENOTCONN` unless connected.
    pub fn shutdown(&self, read: bool, write: bool) -> io::Result<()> {
        shutdown_marked(&self.fd, &self.shut, read, write)
    }

    /// The bound local address; `EDESTADDRREQ` if the socket is not bound,
    /// since wasi:sockets gives no address for an unbound socket, where
    /// POSIX would give an unspecified one.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        let addr = sock_addr(rustix::net::getsockname(&*self.fd)?)?;
        if addr.port() == 0 {
            return Err(Errno::DESTADDRREQ.into());
        }
        Ok(addr)
    }

    /// The connected peer's address; `ENOTCONN` unless connected.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match rustix::net::getpeername(&*self.fd)? {
            Some(addr) => sock_addr(addr),
            None => Err(Errno::NOTCONN.into()),
        }
    }

    /// Whether the socket is listening (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> io::Result<bool> {
        Ok(sockopt::socket_acceptconn(&*self.fd)?)
    }

    /// Whether keep-alive probes are sent (`SO_KEEPALIVE`).
    pub fn keep_alive_enabled(&self) -> io::Result<bool> {
        Ok(sockopt::socket_keepalive(&*self.fd)?)
    }

    /// Switches keep-alive probes on or off.
    pub fn set_keep_alive_enabled(&self, value: bool) -> io::Result<()> {
        Ok(sockopt::set_socket_keepalive(&*self.fd, value)?)
    }

    /// How long the connection is idle before the first probe
    /// (`TCP_KEEPIDLE`), in whole seconds.
    pub fn keep_alive_idle_time(&self) -> io::Result<Duration> {
        Ok(sockopt::tcp_keepidle(&*self.fd)?)
    }

    /// Sets the idle time before the first probe. Zero is `InvalidInput`;
    /// anything else is rounded up to whole seconds (the option's unit) and
    /// clamped to Linux's limit, as wasi:sockets allows.
    pub fn set_keep_alive_idle_time(&self, value: Duration) -> io::Result<()> {
        let value = keep_alive_secs(value, "a keep-alive idle time of 0")?;
        Ok(sockopt::set_tcp_keepidle(&*self.fd, value)?)
    }

    /// The time between probes (`TCP_KEEPINTVL`), in whole seconds.
    pub fn keep_alive_interval(&self) -> io::Result<Duration> {
        Ok(sockopt::tcp_keepintvl(&*self.fd)?)
    }

    /// Sets the time between probes, with the rules of
    /// [`Self::set_keep_alive_idle_time`].
    pub fn set_keep_alive_interval(&self, value: Duration) -> io::Result<()> {
        let value = keep_alive_secs(value, "a keep-alive interval of 0")?;
        Ok(sockopt::set_tcp_keepintvl(&*self.fd, value)?)
    }

    /// How many unanswered probes end the connection (`TCP_KEEPCNT`).
    pub fn keep_alive_count(&self) -> io::Result<u32> {
        Ok(sockopt::tcp_keepcnt(&*self.fd)?)
    }

    /// Sets how many unanswered probes end the connection. 0 is
    /// `InvalidInput`; more than Linux's limit is clamped to it.
    pub fn set_keep_alive_count(&self, value: u32) -> io::Result<()> {
        if value == 0 {
            return Err(invalid("a keep-alive count of 0"));
        }
        Ok(sockopt::set_tcp_keepcnt(
            &*self.fd,
            value.min(MAX_KEEPALIVE_COUNT),
        )?)
    }

    /// The unicast hop limit (`IP_TTL` or `IPV6_UNICAST_HOPS`).
    pub fn hop_limit(&self) -> io::Result<u8> {
        super::sockopt::hop_limit(self.fd.as_fd(), self.family)
    }

    /// Sets the unicast hop limit; 0 is `InvalidInput`.
    pub fn set_hop_limit(&self, value: u8) -> io::Result<()> {
        super::sockopt::set_hop_limit(self.fd.as_fd(), self.family, value)
    }

    /// The receive buffer's size as the kernel reports it (`SO_RCVBUF`):
    /// on Linux twice what was set, after clamping to `net.core.rmem_max`.
    pub fn receive_buffer_size(&self) -> io::Result<u64> {
        super::sockopt::receive_buffer_size(self.fd.as_fd())
    }

    /// Asks for a receive buffer of `value` bytes; 0 is `InvalidInput`, and
    /// any other value is taken, clamped (see [`Self::receive_buffer_size`]).
    pub fn set_receive_buffer_size(&self, value: u64) -> io::Result<()> {
        super::sockopt::set_receive_buffer_size(self.fd.as_fd(), value)
    }

    /// The send buffer's size as the kernel reports it (`SO_SNDBUF`): on
    /// Linux twice what was set, after clamping to `net.core.wmem_max`.
    pub fn send_buffer_size(&self) -> io::Result<u64> {
        super::sockopt::send_buffer_size(self.fd.as_fd())
    }

    /// Asks for a send buffer of `value` bytes, with the rules of
    /// [`Self::set_receive_buffer_size`].
    pub fn set_send_buffer_size(&self, value: u64) -> io::Result<()> {
        super::sockopt::set_send_buffer_size(self.fd.as_fd(), value)
    }
}

/// The data streams of a connected [`TcpSocket`]: reads and writes as an
/// [`fs::File`], and the [`Socket`] operations. It shares the socket's
/// descriptor, so the connection lasts while either is held.
pub struct TcpStream {
    fd: Arc<OwnedFd>,
    /// The halves shut down so far, through the socket or a stream;
    /// shared by both.
    shut: Arc<AtomicU8>,
}

/// The bit of a shut receiving half.
const RECEIVE_SHUT: u8 = 1;
/// The bit of a shut sending half.
const SEND_SHUT: u8 = 2;

/// Shuts down halves of the connection on `fd` and records them in `shut`.
/// A half already shut is not shut again: shutting down is idempotent (as
/// wasi:sockets says), where the kernel answers `ENOTCONN` once the peer
/// has ended the connection too.
fn shutdown_marked(fd: &OwnedFd, shut: &AtomicU8, read: bool, write: bool) -> io::Result<()> {
    let wanted = if read { RECEIVE_SHUT } else { 0 } | if write { SEND_SHUT } else { 0 };
    let remaining = wanted & !shut.load(Ordering::Acquire);
    if wanted != 0 && remaining == 0 {
        return Ok(());
    }
    super::shutdown(
        fd.as_fd(),
        remaining & RECEIVE_SHUT != 0,
        remaining & SEND_SHUT != 0,
    )?;
    shut.fetch_or(remaining, Ordering::Release);
    Ok(())
}

impl std::fmt::Debug for TcpStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpStream").field("fd", &self.fd).finish()
    }
}

impl TcpStream {
    /// The connected peer's address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        match rustix::net::getpeername(&*self.fd)? {
            Some(addr) => sock_addr(addr),
            None => Err(Errno::NOTCONN.into()),
        }
    }

    /// The local address of the connection.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        sock_addr(rustix::net::getsockname(&*self.fd)?)
    }
}

impl Socket for TcpStream {
    /// A connected stream has nothing to accept (`EINVAL`, as the kernel
    /// would say); connections are accepted from [`TcpSocket::accept`],
    /// which asks the policy.
    fn accept(&self, _nonblocking: bool) -> io::Result<Arc<dyn fs::File>> {
        Err(Errno::INVAL.into())
    }

    fn recv(
        &self,
        bufs: &mut [IoSliceMut<'_>],
        peek: bool,
        waitall: bool,
    ) -> io::Result<(usize, bool)> {
        super::recv(self.fd.as_fd(), bufs, peek, waitall)
    }

    fn send(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        super::send(self.fd.as_fd(), bufs)
    }

    fn shutdown(&self, read: bool, write: bool) -> io::Result<()> {
        shutdown_marked(&self.fd, &self.shut, read, write)
    }
}

impl fs::File for TcpStream {
    fn filetype(&self) -> io::Result<FileType> {
        Ok(FileType::SocketStream)
    }

    fn read_vectored(&self, bufs: &mut [IoSliceMut<'_>]) -> io::Result<usize> {
        // One buffer, the common case, is one plain recv.
        match bufs {
            [buf] => Ok(rustix::net::recv(&*self.fd, &mut buf[..], RecvFlags::empty())?.0),
            _ => Ok(rustix::io::readv(&*self.fd, bufs)?),
        }
    }

    fn write_vectored(&self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if self.shut.load(Ordering::Acquire) & SEND_SHUT != 0 {
            return Err(SendShutDown::io());
        }
        super::send(self.fd.as_fd(), bufs)
    }

    fn stat(&self) -> io::Result<Filestat> {
        let mut stat = fs::host::fd_filestat(self.fd.as_fd())?;
        stat.filetype = FileType::SocketStream;
        Ok(stat)
    }

    /// Always non-blocking: every wait goes through the readiness module.
    fn flags(&self) -> io::Result<FdFlags> {
        Ok(FdFlags {
            nonblock: true,
            ..FdFlags::default()
        })
    }

    fn pollable(&self) -> Option<BorrowedFd<'_>> {
        Some(self.fd.as_fd())
    }

    fn as_socket(&self) -> Option<&dyn Socket> {
        Some(self)
    }
}

/// Closes an accepted connection with a reset rather than a goodbye, so
/// that a peer the guest may not talk to learns at once that nobody will
/// answer, and no data it sent is acknowledged as read.
fn reset(fd: &OwnedFd) {
    // If the option cannot be set, closing still ends the connection.
    let _ = sockopt::set_socket_linger(fd, Some(Duration::ZERO));
}

/// `backlog` as `listen(2)` takes it: an `int`, positive.
fn clamp_backlog(backlog: u64) -> i32 {
    backlog.clamp(1, i32::MAX as u64) as i32
}

/// A keep-alive time as the option takes it: whole seconds, rounded up so
/// that a positive time never becomes 0, and at most Linux's limit.
fn keep_alive_secs(value: Duration, zero: &'static str) -> io::Result<Duration> {
    if value.is_zero() {
        return Err(invalid(zero));
    }
    let secs = value
        .as_secs()
        .saturating_add(u64::from(value.subsec_nanos() != 0))
        .min(MAX_KEEPALIVE_SECS);
    Ok(Duration::from_secs(secs))
}

/// An address the kernel gave back, which for an IP socket is always IP.
fn sock_addr(addr: rustix::net::SocketAddrAny) -> io::Result<SocketAddr> {
    SocketAddr::try_from(addr).map_err(io::Error::from)
}

#[cfg(test)]
mod tests;
