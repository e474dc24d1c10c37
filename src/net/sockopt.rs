//! Socket options and the address family that TCP and UDP sockets share,
//! with the argument rules wasi:sockets gives them, so that both protocols
//! validate and clamp the same way.
//!
//! For use by `net::tcp` and `net::udp`:
//!
//! - [`IpFamily`] (public; re-export it as `pub use super::sockopt::IpFamily`):
//!   [`IpFamily::of`], [`IpFamily::unspecified`];
//! - [`socket`]: a non-blocking, close-on-exec socket, `IPV6_V6ONLY` on an
//!   IPv6 one;
//! - [`check_family`]: refuses an address of the other family, and an
//!   IPv4-mapped one on an IPv6 socket;
//! - [`hop_limit`] / [`set_hop_limit`] (`IP_TTL` / `IPV6_UNICAST_HOPS`);
//! - [`receive_buffer_size`] / [`set_receive_buffer_size`] (`SO_RCVBUF`),
//!   [`send_buffer_size`] / [`set_send_buffer_size`] (`SO_SNDBUF`).
//!
//! Argument errors are `InvalidInput`; what the OS refuses comes back as
//! its raw error.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::fd::{BorrowedFd, OwnedFd};

use rustix::net::{sockopt, AddressFamily, SocketFlags, SocketType};

/// The IP version of a socket, fixed when it is created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpFamily {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 only (`AF_INET6` with `IPV6_V6ONLY`).
    Ipv6,
}

impl IpFamily {
    /// The family `addr` is written in. An IPv4-mapped IPv6 address is
    /// IPv6 here: it is the spelling, not the destination, that decides
    /// which socket can take it.
    pub fn of(addr: &SocketAddr) -> IpFamily {
        match addr {
            SocketAddr::V4(_) => IpFamily::Ipv4,
            SocketAddr::V6(_) => IpFamily::Ipv6,
        }
    }

    /// The family's unspecified address (`0.0.0.0` or `::`).
    pub fn unspecified(self) -> IpAddr {
        match self {
            IpFamily::Ipv4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpFamily::Ipv6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }

    pub(crate) fn raw(self) -> AddressFamily {
        match self {
            IpFamily::Ipv4 => AddressFamily::INET,
            IpFamily::Ipv6 => AddressFamily::INET6,
        }
    }
}

/// A new socket of `family` and `kind`. Always non-blocking, since every
/// wait goes through the readiness module rather than a blocked thread,
/// and close-on-exec, so no child the host spawns inherits a guest's
/// socket. An IPv6 socket is IPv6-only, as wasi:sockets requires: a guest
/// granted an IPv6 socket must not reach IPv4 peers through mapped
/// addresses.
pub(crate) fn socket(family: IpFamily, kind: SocketType) -> io::Result<OwnedFd> {
    let fd = rustix::net::socket_with(
        family.raw(),
        kind,
        SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
        None,
    )?;
    if family == IpFamily::Ipv6 {
        sockopt::set_ipv6_v6only(&fd, true)?;
    }
    Ok(fd)
}

/// Refuses `addr` on a socket of `family` when it is of the other family,
/// or an IPv4-mapped IPv6 address (which an IPv6-only socket could never
/// reach, and wasi:sockets calls invalid).
pub(crate) fn check_family(family: IpFamily, addr: &SocketAddr) -> io::Result<()> {
    if IpFamily::of(addr) != family {
        return Err(invalid("the address is of the other family"));
    }
    if let SocketAddr::V6(v6) = addr {
        if v6.ip().to_ipv4_mapped().is_some() {
            return Err(invalid("an IPv4-mapped IPv6 address"));
        }
    }
    Ok(())
}

/// The unicast hop limit: `IP_TTL` on IPv4, `IPV6_UNICAST_HOPS` on IPv6.
pub(crate) fn hop_limit(fd: BorrowedFd<'_>, family: IpFamily) -> io::Result<u8> {
    match family {
        // Linux keeps the TTL within 1..=255.
        IpFamily::Ipv4 => Ok(u8::try_from(sockopt::ip_ttl(fd)?).unwrap_or(u8::MAX)),
        IpFamily::Ipv6 => Ok(sockopt::ipv6_unicast_hops(fd)?),
    }
}

/// Sets the unicast hop limit. 0 is invalid-argument in wasi:sockets
/// (a packet that may take no hop can never leave), though Linux takes it
/// for IPv6.
pub(crate) fn set_hop_limit(fd: BorrowedFd<'_>, family: IpFamily, value: u8) -> io::Result<()> {
    if value == 0 {
        return Err(invalid("a hop limit of 0"));
    }
    match family {
        IpFamily::Ipv4 => Ok(sockopt::set_ip_ttl(fd, value.into())?),
        IpFamily::Ipv6 => Ok(sockopt::set_ipv6_unicast_hops(fd, Some(value))?),
    }
}

/// What the kernel reports for `SO_RCVBUF`. On Linux that is twice what
/// was last set (the kernel reserves as much again for its bookkeeping),
/// after clamping to `net.core.rmem_max` and a floor of its own; it is
/// reported as is, since that is the space the socket really has.
pub(crate) fn receive_buffer_size(fd: BorrowedFd<'_>) -> io::Result<u64> {
    Ok(sockopt::socket_recv_buffer_size(fd)? as u64)
}

/// Sets `SO_RCVBUF`. 0 is invalid-argument; any other value is accepted,
/// clamped to what the option's `int` holds, and the kernel clamps it
/// further (see [`receive_buffer_size`]).
pub(crate) fn set_receive_buffer_size(fd: BorrowedFd<'_>, value: u64) -> io::Result<()> {
    Ok(sockopt::set_socket_recv_buffer_size(
        fd,
        buffer_size(value)?,
    )?)
}

/// What the kernel reports for `SO_SNDBUF`; doubled and clamped as for
/// [`receive_buffer_size`], against `net.core.wmem_max`.
pub(crate) fn send_buffer_size(fd: BorrowedFd<'_>) -> io::Result<u64> {
    Ok(sockopt::socket_send_buffer_size(fd)? as u64)
}

/// Sets `SO_SNDBUF`, with the rules of [`set_receive_buffer_size`].
pub(crate) fn set_send_buffer_size(fd: BorrowedFd<'_>, value: u64) -> io::Result<()> {
    Ok(sockopt::set_socket_send_buffer_size(
        fd,
        buffer_size(value)?,
    )?)
}

/// A buffer size the option can carry: wasi:sockets promises that any
/// value but 0 is taken, so an oversized one is clamped, not refused.
fn buffer_size(value: u64) -> io::Result<usize> {
    if value == 0 {
        return Err(invalid("a buffer size of 0"));
    }
    // The kernel doubles what it is given within an `int`; half of
    // `i32::MAX` keeps that doubling from overflowing.
    let max = (i32::MAX / 2) as u64;
    Ok(value.min(max) as usize)
}

/// An argument error, with what was wrong for the host's log.
/// Refuses what wasi:sockets does not call unicast: multicast addresses,
/// and IPv4's limited broadcast address. Their use needs options (group
/// membership, `SO_BROADCAST`) that the WIT does not offer.
pub(crate) fn check_unicast(ip: std::net::IpAddr) -> io::Result<()> {
    let unicast = match ip {
        std::net::IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        std::net::IpAddr::V6(v6) => !v6.is_multicast(),
    };
    if unicast {
        Ok(())
    } else {
        Err(invalid("a multicast or broadcast address"))
    }
}

pub(crate) fn invalid(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, what)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    fn tcp(family: IpFamily) -> OwnedFd {
        socket(family, SocketType::STREAM).unwrap()
    }

    #[test]
    fn sockets_are_nonblocking_cloexec_and_v6_only() {
        for family in [IpFamily::Ipv4, IpFamily::Ipv6] {
            let fd = tcp(family);
            let fl = rustix::fs::fcntl_getfl(&fd).unwrap();
            assert!(fl.contains(rustix::fs::OFlags::NONBLOCK));
            let fdf = rustix::io::fcntl_getfd(&fd).unwrap();
            assert!(fdf.contains(rustix::io::FdFlags::CLOEXEC));
            assert_eq!(sockopt::socket_domain(&fd).unwrap(), family.raw());
            if family == IpFamily::Ipv6 {
                assert!(sockopt::ipv6_v6only(&fd).unwrap());
            }
        }
    }

    #[test]
    fn check_family_refuses_the_other_family_and_mapped_addresses() {
        let v4: SocketAddr = "127.0.0.1:1".parse().unwrap();
        let v6: SocketAddr = "[::1]:1".parse().unwrap();
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:1".parse().unwrap();
        assert!(check_family(IpFamily::Ipv4, &v4).is_ok());
        assert!(check_family(IpFamily::Ipv6, &v6).is_ok());
        for (family, addr) in [
            (IpFamily::Ipv4, v6),
            (IpFamily::Ipv6, v4),
            (IpFamily::Ipv6, mapped),
            (IpFamily::Ipv4, mapped),
        ] {
            let err = check_family(family, &addr).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{family:?} {addr}");
        }
    }

    #[test]
    fn hop_limit_round_trips_and_refuses_zero() {
        for family in [IpFamily::Ipv4, IpFamily::Ipv6] {
            let fd = tcp(family);
            for value in [1, 64, 255] {
                set_hop_limit(fd.as_fd(), family, value).unwrap();
                assert_eq!(hop_limit(fd.as_fd(), family).unwrap(), value);
            }
            let err = set_hop_limit(fd.as_fd(), family, 0).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
            assert_eq!(hop_limit(fd.as_fd(), family).unwrap(), 255);
        }
    }

    #[test]
    fn buffer_sizes_take_any_nonzero_value() {
        let fd = tcp(IpFamily::Ipv4);
        let fd = fd.as_fd();
        for value in [1, 4096, 65536, u64::from(u32::MAX), u64::MAX] {
            set_receive_buffer_size(fd, value).unwrap();
            set_send_buffer_size(fd, value).unwrap();
            assert!(receive_buffer_size(fd).unwrap() > 0);
            assert!(send_buffer_size(fd).unwrap() > 0);
        }
        // Within the kernel's bounds, Linux reports twice what was set.
        set_receive_buffer_size(fd, 8192).unwrap();
        assert_eq!(receive_buffer_size(fd).unwrap(), 16384);
        set_send_buffer_size(fd, 8192).unwrap();
        assert_eq!(send_buffer_size(fd).unwrap(), 16384);
        for err in [
            set_receive_buffer_size(fd, 0).unwrap_err(),
            set_send_buffer_size(fd, 0).unwrap_err(),
        ] {
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        }
    }
}
