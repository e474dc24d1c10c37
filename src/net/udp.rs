//! UDP sockets the guest makes itself, over the host's, named after no ABI:
//! what `wasi:sockets/udp` needs from the host, with the address policy
//! asked before anything reaches the network.
//!
//! The socket holds the guest's [`AddressPolicy`], so that no caller can
//! hand it another one after the socket was made, and checks
//!
//! - creation against [`AddressPolicy::check_socket`], so that a guest
//!   granted nothing UDP holds no host socket at all;
//! - a bind against [`Use::UdpBind`] of the local address;
//! - fixing a peer ([`UdpSocket::connect`]) and every send against
//!   [`Use::UdpSend`] of the destination;
//! - every datagram received against [`Use::UdpReceive`] of its source: one
//!   from a peer not granted is dropped, as if it had been lost on the way.
//!
//! The kernel binds a socket by itself when it first sends or connects, to
//! an address no policy was asked about; so everything that would do that
//! is refused here until the socket was bound through [`UdpSocket::bind`].
//!
//! # Errors
//!
//! Everything is an `io::Error`, for the ABI layer to map to its codes:
//!
//! - a refusal of the policy: kind `PermissionDenied` carrying
//!   [`CapabilityDenied`](crate::CapabilityDenied);
//! - an argument the WIT calls invalid (wrong family, an IPv4-mapped
//!   address on an IPv6 socket, an unspecified address or port 0 as a
//!   destination, a multicast or broadcast address, a missing or
//!   mismatched destination, option values of 0): kind `InvalidInput`,
//!   with no OS error code, so that it is never confused with the host's
//!   `EINVAL`, which means invalid-state for a bind;
//! - an operation before the socket was bound (the WIT's invalid-state):
//!   the OS error `EDESTADDRREQ`, as for a TCP socket's address before a
//!   bind; the host never gives it here otherwise, since a destination is
//!   checked before any call that could;
//! - anything else: the host's error, with its OS code.

use std::fmt;
use std::io;
use std::net::{Ipv6Addr, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rustix::event::{PollFd, PollFlags};
use rustix::net::{self as host, RecvFlags, SendFlags, SocketType};

use super::policy::{AddressPolicy, Protocol, Use};
use super::sockopt::{self, invalid};

/// The most datagrams one [`UdpSocket::receive`] returns, however many
/// the guest asks for, so that one call allocates a bounded amount.
pub const MAX_RECEIVE: usize = 64;

/// The largest datagram received whole: more than any UDP payload over
/// IPv4 or IPv6 without jumbograms, so none is cut short.
pub const MAX_DATAGRAM: usize = 64 * 1024;

/// How many datagrams [`UdpSocket::check_send`] permits at once when the
/// host can take more; a batch, not a promise that the host queue has room
/// for all of them (a send that finds it full sends fewer).
pub const SEND_PERMIT: u64 = 16;

/// How many datagrams one receive reads from the host at most, counting
/// those dropped, so that a flood from peers not granted cannot keep a
/// call spinning.
const MAX_READS: usize = 4 * MAX_RECEIVE;

/// The family a socket is made for, shared with TCP.
pub use super::sockopt::IpFamily;

/// A datagram received, and where from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// The payload.
    pub data: Vec<u8>,
    /// The source.
    pub remote: SocketAddr,
}

/// What changes as the guest uses the socket. Behind a lock, so that the
/// socket can be shared by the handles an ABI makes of it (preview2's
/// socket and its two datagram streams).
#[derive(Debug, Default)]
struct State {
    /// The address the guest asked to bind, kept to bind again after a
    /// disconnect dropped a host-picked port.
    requested: Option<SocketAddr>,
    /// The peer fixed by [`UdpSocket::connect`].
    remote: Option<SocketAddr>,
}

/// A non-blocking host UDP socket, confined by the guest's address policy.
pub struct UdpSocket {
    fd: OwnedFd,
    family: IpFamily,
    policy: Arc<AddressPolicy>,
    state: Mutex<State>,
}

impl fmt::Debug for UdpSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UdpSocket")
            .field("fd", &self.fd)
            .field("family", &self.family)
            .field("state", &*self.state())
            .finish()
    }
}

impl UdpSocket {
    /// Makes a socket of `family`, if `policy` lets the guest hold UDP
    /// sockets at all. It is non-blocking and closed on exec, and an IPv6
    /// socket never reaches IPv4, as the WIT fixes.
    pub fn new(family: IpFamily, policy: impl Into<Arc<AddressPolicy>>) -> io::Result<Self> {
        let policy = policy.into();
        policy.check_socket(Protocol::Udp)?;
        let fd = sockopt::socket(family, SocketType::DGRAM)?;
        Ok(UdpSocket {
            fd,
            family,
            policy,
            state: Mutex::new(State::default()),
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // The state is a few plain fields, consistent after every store.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The family the socket was made for.
    pub fn family(&self) -> IpFamily {
        self.family
    }

    /// The policy the socket is confined by.
    pub fn policy(&self) -> &AddressPolicy {
        &self.policy
    }

    /// Binds the socket to `local`; port 0 lets the host pick one. Refused
    /// unless the policy grants [`Use::UdpBind`] of `local` (port 0 as
    /// asked, not the port picked). Binding twice is the host's `EINVAL`.
    pub fn bind(&self, local: SocketAddr) -> io::Result<()> {
        self.check_family(local)?;
        sockopt::check_unicast(local.ip())?;
        self.policy.check(Use::UdpBind, local)?;
        let mut state = self.state();
        host::bind(&self.fd, &local)?;
        state.requested = Some(local);
        Ok(())
    }

    /// Fixes the socket's peer: sends without a destination go to
    /// `remote`, and only datagrams from it are received. Replaces an
    /// earlier peer. Refused unless the policy grants [`Use::UdpSend`] of
    /// `remote`; the socket must be bound.
    pub fn connect(&self, remote: SocketAddr) -> io::Result<()> {
        self.check_destination(remote)?;
        self.policy.check(Use::UdpSend, remote)?;
        let mut state = self.state();
        let requested = bound(&state)?;
        // As the WIT has it: the old peer goes first, so a failed connect
        // leaves the socket with none, in the host's view and the guest's.
        if state.remote.take().is_some() {
            self.unconnect(requested)?;
        }
        host::connect(&self.fd, &remote)?;
        state.remote = Some(remote);
        Ok(())
    }

    /// Clears the socket's peer, if it had one: sends need a destination
    /// again, and datagrams from any granted source are received.
    pub fn disconnect(&self) -> io::Result<()> {
        let mut state = self.state();
        let requested = bound(&state)?;
        if state.remote.take().is_some() {
            self.unconnect(requested)?;
        }
        Ok(())
    }

    /// `connect(AF_UNSPEC)`, and a bind again where the host dropped the
    /// binding with the peer.
    fn unconnect(&self, requested: SocketAddr) -> io::Result<()> {
        let before = self.local_addr_host()?;
        match host::connect_unspec(&self.fd) {
            // BSDs report this though the peer was cleared.
            Ok(()) | Err(rustix::io::Errno::AFNOSUPPORT) => {}
            Err(e) => return Err(e.into()),
        }
        // Linux forgets a port it picked when the peer is cleared, so that
        // the next send would bind anew, to a port no policy was asked
        // about. Take the same port back; were it taken meanwhile, do what
        // the guest's bind asked for again, which the policy granted.
        if self.local_addr_host()?.port() == 0 {
            let mut again = requested;
            again.set_port(before.port());
            if host::bind(&self.fd, &again).is_err() {
                host::bind(&self.fd, &requested)?;
            }
        }
        Ok(())
    }

    /// The address the socket is bound to; the host's pick for port 0.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        bound(&self.state())?;
        self.local_addr_host()
    }

    fn local_addr_host(&self) -> io::Result<SocketAddr> {
        to_std(host::getsockname(&self.fd)?)
    }

    /// The peer fixed by [`Self::connect`]; the host's `ENOTCONN` without
    /// one.
    pub fn remote_addr(&self) -> io::Result<SocketAddr> {
        self.state()
            .remote
            .ok_or_else(|| rustix::io::Errno::NOTCONN.into())
    }

    /// How many datagrams [`Self::send`] may be given now: none while the
    /// host's send queue is full (wait on [`Self::pollable`] for writing),
    /// else [`SEND_PERMIT`]. Keeping a guest to the permit is the ABI's
    /// business; a send of more only sends fewer.
    pub fn check_send(&self) -> io::Result<u64> {
        bound(&self.state())?;
        let mut fds = [PollFd::new(&self.fd, PollFlags::OUT)];
        let zero = rustix::time::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        match rustix::event::poll(&mut fds, Some(&zero)) {
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(0),
            Err(e) => return Err(e.into()),
        }
        let revents = fds[0].revents();
        // An error pending on the socket is the next send's to report.
        if revents.intersects(PollFlags::OUT | PollFlags::ERR) {
            Ok(SEND_PERMIT)
        } else {
            Ok(0)
        }
    }

    /// Sends `datagrams` in order, each to its destination or, without one,
    /// to the peer fixed by [`Self::connect`], and returns how many were
    /// sent. As the WIT has it, the first that cannot be sent ends the
    /// call: with its error if it was the first, else with the count of
    /// those before it, whose sending stands (the guest learns the error
    /// when it sends the rest again). A full host queue is not an error:
    /// what was sent until then is the count, possibly 0.
    ///
    /// A destination must be granted [`Use::UdpSend`], of the socket's
    /// family, unicast and neither unspecified nor port 0; on a socket with
    /// a peer it may only name the peer.
    pub fn send<'a>(
        &self,
        datagrams: impl IntoIterator<Item = (&'a [u8], Option<SocketAddr>)>,
    ) -> io::Result<usize> {
        let remote = {
            let state = self.state();
            bound(&state)?;
            state.remote
        };
        let mut sent = 0;
        for (data, to) in datagrams {
            match self.send_one(data, to, remote) {
                Ok(()) => sent += 1,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(sent),
                Err(e) if sent == 0 => return Err(e),
                Err(_) => return Ok(sent),
            }
        }
        Ok(sent)
    }

    fn send_one(
        &self,
        data: &[u8],
        to: Option<SocketAddr>,
        remote: Option<SocketAddr>,
    ) -> io::Result<()> {
        match (to, remote) {
            (Some(to), Some(remote)) if to != remote => {
                Err(invalid("destination differs from the socket's peer"))
            }
            (_, Some(remote)) => {
                // Granted when it was fixed, and the policy never changes;
                // asked again so that no path sends unchecked.
                self.policy.check(Use::UdpSend, remote)?;
                host::send(&self.fd, data, SendFlags::empty())?;
                Ok(())
            }
            (Some(to), None) => {
                self.check_destination(to)?;
                self.policy.check(Use::UdpSend, to)?;
                host::sendto(&self.fd, data, SendFlags::empty(), &to)?;
                Ok(())
            }
            (None, None) => Err(invalid("no destination, and the socket has no peer")),
        }
    }

    /// Receives up to `max` datagrams (at most [`MAX_RECEIVE`]) that are
    /// waiting, without blocking: an empty list when none is, or `max` is
    /// 0. A datagram from a source not granted [`Use::UdpReceive`] is
    /// dropped and not counted; so is one from another source than the
    /// peer, which the host may have queued before the peer was fixed. A
    /// host error is returned only if nothing was received before it.
    pub fn receive(&self, max: u64) -> io::Result<Vec<Datagram>> {
        let max = usize::try_from(max).unwrap_or(usize::MAX).min(MAX_RECEIVE);
        let remote = {
            let state = self.state();
            bound(&state)?;
            state.remote
        };
        let mut received = Vec::new();
        if max == 0 {
            return Ok(received);
        }
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut dropped = 0u64;
        let mut last_dropped = None;
        for _ in 0..MAX_READS {
            if received.len() == max {
                break;
            }
            let (len, source) = match host::recvfrom(&self.fd, &mut buf[..], RecvFlags::empty()) {
                Ok((len, _, Some(source))) => (len, source),
                // A datagram without a source cannot be judged.
                Ok((_, _, None)) => continue,
                Err(rustix::io::Errno::AGAIN) => break,
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) if received.is_empty() => return Err(e.into()),
                Err(_) => break,
            };
            let source = to_std(source)?;
            let from_peer = remote.is_none_or(|peer| peer == source);
            if !from_peer || !self.policy.permits(Use::UdpReceive, source) {
                dropped += 1;
                last_dropped = Some(source);
                continue;
            }
            received.push(Datagram {
                data: buf[..len].to_vec(),
                remote: source,
            });
        }
        if let Some(source) = last_dropped {
            tracing::info!(
                dropped,
                %source,
                wanted = %super::Rule::exact(Use::UdpReceive, source),
                "dropped datagrams from sources not granted"
            );
        }
        Ok(received)
    }

    /// The hop limit of unicast datagrams sent (`IP_TTL`,
    /// `IPV6_UNICAST_HOPS`).
    pub fn unicast_hop_limit(&self) -> io::Result<u8> {
        sockopt::hop_limit(self.fd.as_fd(), self.family)
    }

    /// Sets the hop limit of unicast datagrams; 0 is invalid.
    pub fn set_unicast_hop_limit(&self, value: u8) -> io::Result<()> {
        sockopt::set_hop_limit(self.fd.as_fd(), self.family, value)
    }

    /// The host's receive buffer size (`SO_RCVBUF`), as the host reports
    /// it (Linux reports twice what was set, its bookkeeping included).
    pub fn receive_buffer_size(&self) -> io::Result<u64> {
        sockopt::receive_buffer_size(self.fd.as_fd())
    }

    /// Asks for a receive buffer of `value` bytes; 0 is invalid, and the
    /// host clamps and rounds anything else as it likes.
    pub fn set_receive_buffer_size(&self, value: u64) -> io::Result<()> {
        sockopt::set_receive_buffer_size(self.fd.as_fd(), value)
    }

    /// The host's send buffer size (`SO_SNDBUF`), as the host reports it.
    pub fn send_buffer_size(&self) -> io::Result<u64> {
        sockopt::send_buffer_size(self.fd.as_fd())
    }

    /// Asks for a send buffer of `value` bytes, as
    /// [`Self::set_receive_buffer_size`] does for receiving.
    pub fn set_send_buffer_size(&self, value: u64) -> io::Result<()> {
        sockopt::set_send_buffer_size(self.fd.as_fd(), value)
    }

    /// The host socket, for waits: readable when a datagram is waiting
    /// (though it may be one that is then dropped), writable when a send
    /// can queue.
    pub fn pollable(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    fn check_family(&self, addr: SocketAddr) -> io::Result<()> {
        sockopt::check_family(self.family, &addr)?;
        match addr {
            SocketAddr::V6(v6) if is_ipv4_compatible(v6.ip()) => {
                Err(invalid("a deprecated IPv4-compatible address"))
            }
            _ => Ok(()),
        }
    }

    fn check_destination(&self, addr: SocketAddr) -> io::Result<()> {
        self.check_family(addr)?;
        if addr.ip().is_unspecified() {
            return Err(invalid("an unspecified destination address"));
        }
        if addr.port() == 0 {
            return Err(invalid("destination port 0"));
        }
        sockopt::check_unicast(addr.ip())
    }
}

/// The address the guest bound; `EDESTADDRREQ` (invalid-state) if it has
/// not.
fn bound(state: &State) -> io::Result<SocketAddr> {
    state
        .requested
        .ok_or_else(|| rustix::io::Errno::DESTADDRREQ.into())
}

/// `::a.b.c.d`, deprecated since RFC 4291, and handled differently by
/// hosts; `::` and `::1` are not among them.
fn is_ipv4_compatible(ip: &Ipv6Addr) -> bool {
    let bits = u128::from(*ip);
    bits >> 32 == 0 && bits > 1
}

fn to_std(addr: host::SocketAddrAny) -> io::Result<SocketAddr> {
    SocketAddr::try_from(addr).map_err(|_| io::Error::other("the host gave a non-IP address"))
}

#[cfg(test)]
mod tests;
