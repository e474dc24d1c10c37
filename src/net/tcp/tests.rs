//! Loopback tests of [`TcpSocket`]: every wait is bounded by a deadline,
//! and every loop by a count.

use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::clock::{HostMonotonicClock, MonotonicClock};
use crate::error::CapabilityDenied;
use crate::fs::File;
use crate::net::Rule;
use std::net::IpAddr;

/// The longest any one wait in these tests may take.
const WAIT: u64 = 5_000_000_000;

fn policy(rules: &[&str]) -> Arc<AddressPolicy> {
    let mut policy = AddressPolicy::new();
    for rule in rules {
        policy.allow_net(rule.parse::<Rule>().unwrap());
    }
    Arc::new(policy)
}

fn everything() -> Arc<AddressPolicy> {
    let mut policy = AddressPolicy::new();
    policy.inherit_network();
    Arc::new(policy)
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn v4(port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port))
}

fn assert_denied(result: io::Result<impl std::fmt::Debug>) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied, "{err}");
    assert!(
        err.get_ref().is_some_and(|e| e.is::<CapabilityDenied>()),
        "not a capability refusal: {err:?}"
    );
}

fn assert_invalid(result: io::Result<impl std::fmt::Debug>) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err:?}");
}

fn assert_errno(result: io::Result<impl std::fmt::Debug>, errno: Errno) {
    let err = result.unwrap_err();
    assert_eq!(err.raw_os_error(), Some(errno.raw_os_error()), "{err:?}");
}

/// Waits, at most [`WAIT`], for `fd` to be readable or writable; returns
/// whether it became so.
fn wait_for(fd: BorrowedFd<'_>, write: bool) -> bool {
    let clock = HostMonotonicClock;
    let interest = if write {
        Interest::Write(fd)
    } else {
        Interest::Read(fd)
    };
    let deadline = clock.now() + WAIT;
    let mut found = [Readiness::Pending; 2];
    poll::wait(
        &clock,
        &[interest, Interest::Deadline(deadline)],
        &mut found,
        true,
    )
    .unwrap();
    found[0].is_met()
}

fn connect(client: &TcpSocket, to: SocketAddr) {
    client.connect_start(to).unwrap();
    for _ in 0..100 {
        match client.connect_finish() {
            Ok(()) => return,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(wait_for(client.pollable(), true), "connect timed out");
            }
            Err(e) => panic!("connect failed: {e}"),
        }
    }
    panic!("connect never finished");
}

fn accept(listener: &TcpSocket) -> (TcpSocket, SocketAddr) {
    for _ in 0..100 {
        match listener.accept() {
            Ok(accepted) => return accepted,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(wait_for(listener.pollable(), false), "accept timed out");
            }
            Err(e) => panic!("accept failed: {e}"),
        }
    }
    panic!("nothing to accept");
}

/// Reads until `want` bytes or the end of the stream; returns what came.
fn read_some(stream: &TcpStream, want: usize) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..1000 {
        if got.len() >= want {
            break;
        }
        match stream.read_vectored(&mut [IoSliceMut::new(&mut buf)]) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(wait_for(stream.fd.as_fd(), false), "read timed out");
            }
            Err(e) => panic!("read failed: {e}"),
        }
    }
    got
}

fn write_all(stream: &TcpStream, mut data: &[u8]) {
    for _ in 0..1000 {
        if data.is_empty() {
            return;
        }
        match stream.write_vectored(&[IoSlice::new(data)]) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(wait_for(stream.fd.as_fd(), true), "write timed out");
            }
            Err(e) => panic!("write failed: {e}"),
        }
    }
    panic!("write never finished");
}

/// A port nothing listens on just now, from the kernel's ephemeral range.
fn free_port() -> u16 {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().port()
}

fn ipv6_loopback_works() -> bool {
    std::net::TcpListener::bind("[::1]:0").is_ok()
}

#[test]
fn net_tcp_default_policy_refuses_creation() {
    for family in [IpFamily::Ipv4, IpFamily::Ipv6] {
        assert_denied(TcpSocket::new(family, Arc::new(AddressPolicy::new())));
    }
    // A UDP grant is no TCP grant.
    assert_denied(TcpSocket::new(IpFamily::Ipv4, policy(&["udp-bind=*"])));
    // Switched off, TCP is refused whatever is granted.
    let mut off = AddressPolicy::new();
    off.inherit_network().allow_tcp(false);
    assert_denied(TcpSocket::new(IpFamily::Ipv4, Arc::new(off)));
}

#[test]
fn net_tcp_connect_grant_refuses_bind_listen_and_other_ports_before_the_wire() {
    let host = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    host.set_nonblocking(true).unwrap();
    let refused_port = host.local_addr().unwrap().port();
    let granted_port = refused_port - 1;
    let only_connect = policy(&[&format!("tcp-connect=127.0.0.1:{granted_port}")]);

    let socket = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&only_connect)).unwrap();
    assert_denied(socket.bind(v4(0)));
    assert_denied(socket.bind(v4(granted_port)));
    assert_errno(socket.local_addr(), Errno::DESTADDRREQ);

    // Listen needs a bound socket; bind is granted here, listen is not.
    let bind_too = policy(&[
        &format!("tcp-connect=127.0.0.1:{granted_port}"),
        "tcp-bind=127.0.0.1",
    ]);
    let bound = TcpSocket::new(IpFamily::Ipv4, bind_too).unwrap();
    bound.bind(v4(0)).unwrap();
    assert_denied(bound.listen(128));
    assert!(!bound.is_listening().unwrap());

    // A refused connect never reaches the host's listener.
    assert_denied(socket.connect_start(v4(refused_port)));
    std::thread::sleep(Duration::from_millis(100));
    let err = host.accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    assert_errno(socket.peer_addr(), Errno::NOTCONN);

    // The same listener does see a granted one, so the silence above is
    // the policy's doing.
    let granted = TcpSocket::new(
        IpFamily::Ipv4,
        policy(&[&format!("tcp-connect=127.0.0.1:{refused_port}")]),
    )
    .unwrap();
    connect(&granted, v4(refused_port));
    host.set_nonblocking(false).unwrap();
    let (_conn, peer) = host.accept().unwrap();
    assert_eq!(peer, granted.local_addr().unwrap());
}

fn round_trip(family: IpFamily, loopback: &str) {
    let rules = [format!(
        "tcp-bind,tcp-listen,tcp-accept,tcp-connect={loopback}"
    )];
    let rules: Vec<&str> = rules.iter().map(String::as_str).collect();
    let granted = policy(&rules);

    let listener = TcpSocket::new(family, Arc::clone(&granted)).unwrap();
    assert_eq!(listener.family(), family);
    listener
        .bind(SocketAddr::new(loopback_ip(loopback), 0))
        .unwrap();
    let server_addr = listener.local_addr().unwrap();
    assert_ne!(server_addr.port(), 0);
    assert!(!listener.is_listening().unwrap());
    listener.listen(16).unwrap();
    assert!(listener.is_listening().unwrap());
    // Linux takes a second listen as a new backlog.
    listener.set_listen_backlog_size(64).unwrap();
    assert!(listener.is_listening().unwrap());
    assert_errno(listener.stream(), Errno::NOTCONN);
    // Nothing pending yet.
    let err = listener.accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);

    let client = TcpSocket::new(family, Arc::clone(&granted)).unwrap();
    // Never connected: nothing in progress, nothing to finish.
    assert_errno(client.connect_finish(), Errno::NOTCONN);
    assert_errno(client.stream(), Errno::NOTCONN);
    connect(&client, server_addr);
    assert_eq!(client.peer_addr().unwrap(), server_addr);
    assert!(!client.is_listening().unwrap());
    assert_errno(client.set_listen_backlog_size(8), Errno::ISCONN);

    let (server, peer) = accept(&listener);
    assert_eq!(peer, client.local_addr().unwrap());
    assert_eq!(server.peer_addr().unwrap(), peer);
    assert_eq!(server.local_addr().unwrap(), server_addr);
    assert_eq!(server.family(), family);

    let client_stream = client.stream().unwrap();
    let server_stream = server.stream().unwrap();
    assert_eq!(client_stream.filetype().unwrap(), FileType::SocketStream);
    assert!(client_stream.flags().unwrap().nonblock);
    assert!(client_stream.pollable().is_some());
    assert!(client_stream.as_socket().is_some());
    assert_eq!(client_stream.peer_addr().unwrap(), server_addr);
    assert_eq!(server_stream.local_addr().unwrap(), server_addr);

    let request = vec![7u8; 100_000];
    write_all(&client_stream, &request);
    assert_eq!(read_some(&server_stream, request.len()), request);
    write_all(&server_stream, b"pong");
    assert_eq!(read_some(&client_stream, 4), b"pong");

    // Vectored reads and writes go through the socket the same way.
    let sent = client_stream
        .write_vectored(&[IoSlice::new(b"ab"), IoSlice::new(b"cd")])
        .unwrap();
    assert_eq!(sent, 4);
    assert!(wait_for(server_stream.fd.as_fd(), false));
    let (mut a, mut b) = ([0u8; 1], [0u8; 8]);
    let got = server_stream
        .read_vectored(&mut [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)])
        .unwrap();
    assert_eq!(got, 4);
    assert_eq!((&a[..], &b[..3]), (&b"a"[..], &b"bcd"[..]));

    // Shutting down the client's sending half is the end of the stream for
    // the server, and the server can still answer.
    assert_invalid(client.shutdown(false, false));
    client.shutdown(false, true).unwrap();
    client.shutdown(false, true).unwrap();
    assert_eq!(read_some(&server_stream, 1), b"");
    write_all(&server_stream, b"bye");
    assert_eq!(read_some(&client_stream, 3), b"bye");
    // A write after the socket's own shutdown is refused as such, not as
    // the host's EPIPE, and so is one after a stream's shutdown.
    let err = client_stream
        .write_vectored(&[IoSlice::new(b"x")])
        .unwrap_err();
    assert!(crate::error::SendShutDown::is(&err), "{err:?}");
    Socket::shutdown(&*server_stream, true, true).unwrap();
    let err = server_stream
        .write_vectored(&[IoSlice::new(b"x")])
        .unwrap_err();
    assert!(crate::error::SendShutDown::is(&err), "{err:?}");
    assert_eq!(read_some(&client_stream, 1), b"");
    // Both ends have ended the connection, where the host would answer
    // ENOTCONN; shutting a half down again is still no error.
    client.shutdown(false, true).unwrap();
    Socket::shutdown(&*server_stream, true, true).unwrap();
}

fn loopback_ip(text: &str) -> IpAddr {
    text.trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .unwrap()
}

#[test]
fn net_tcp_round_trip_ipv4() {
    round_trip(IpFamily::Ipv4, "127.0.0.1");
}

#[test]
fn net_tcp_round_trip_ipv6() {
    if !ipv6_loopback_works() {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    }
    round_trip(IpFamily::Ipv6, "[::1]");
}

#[test]
fn net_tcp_connect_refused_by_the_peer_is_reported_by_finish() {
    let port = free_port();
    let client = TcpSocket::new(IpFamily::Ipv4, everything()).unwrap();
    client.connect_start(v4(port)).unwrap();
    let mut outcome = None;
    for _ in 0..100 {
        match client.connect_finish() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                assert!(wait_for(client.pollable(), true));
            }
            other => {
                outcome = Some(other);
                break;
            }
        }
    }
    assert_errno(outcome.expect("never finished"), Errno::CONNREFUSED);
    // The reason is reported once; the socket is not connected after.
    assert_errno(client.connect_finish(), Errno::NOTCONN);
}

/// A host socket bound to `from` and connected, blocking, to `to`.
fn host_client(from: Ipv4Addr, to: SocketAddr) -> std::net::TcpStream {
    let fd: OwnedFd =
        rustix::net::socket(rustix::net::AddressFamily::INET, SocketType::STREAM, None).unwrap();
    rustix::net::bind(&fd, &SocketAddr::V4(SocketAddrV4::new(from, 0))).unwrap();
    rustix::net::connect(&fd, &to).unwrap();
    let stream = std::net::TcpStream::from(fd);
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream
}

#[test]
fn net_tcp_accept_drops_peers_not_granted() {
    let granted = policy(&["tcp-bind,tcp-listen=127.0.0.1", "tcp-accept=127.0.0.2"]);
    let listener = TcpSocket::new(IpFamily::Ipv4, granted).unwrap();
    listener.bind(v4(0)).unwrap();
    listener.listen(16).unwrap();
    let at = listener.local_addr().unwrap();

    // Only a peer not granted: it is reset, and the guest sees nothing.
    let mut stranger = host_client(Ipv4Addr::LOCALHOST, at);
    assert!(wait_for(listener.pollable(), false));
    let err = listener.accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    let mut buf = [0u8; 1];
    match stranger.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        other => panic!("the refused peer saw {other:?}"),
    }

    // A stranger queued ahead of a granted peer is dropped on the way to it.
    let mut stranger = host_client(Ipv4Addr::LOCALHOST, at);
    let mut friend = host_client(Ipv4Addr::new(127, 0, 0, 2), at);
    let (accepted, peer) = accept(&listener);
    assert_eq!(peer, friend.local_addr().unwrap());
    assert_eq!(peer.ip(), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    match stranger.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
        other => panic!("the refused peer saw {other:?}"),
    }
    friend.write_all(b"hi").unwrap();
    assert_eq!(read_some(&accepted.stream().unwrap(), 2), b"hi");
    let err = listener.accept().unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
}

#[test]
fn net_tcp_bind_port_range_edges() {
    let mut checked = false;
    for _ in 0..20 {
        let base = free_port();
        let (lo, hi) = if base > u16::MAX - 2 {
            (base - 2, base)
        } else {
            (base, base + 2)
        };
        let granted = policy(&[&format!("tcp-bind=127.0.0.1:{lo}-{hi}")]);
        let below = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
        assert_denied(below.bind(v4(lo - 1)));
        assert_denied(below.bind(v4(0)));
        assert_denied(below.bind(v4(hi + 1)));
        let at_lo = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
        let at_hi = TcpSocket::new(IpFamily::Ipv4, granted).unwrap();
        let (a, b) = (at_lo.bind(v4(lo)), at_hi.bind(v4(hi)));
        // Another process may hold one of these ports; try other ones.
        let busy = |r: &io::Result<()>| {
            r.as_ref()
                .is_err_and(|e| e.kind() == io::ErrorKind::AddrInUse)
        };
        if busy(&a) || busy(&b) {
            continue;
        }
        a.unwrap();
        b.unwrap();
        assert_eq!(at_lo.local_addr().unwrap(), v4(lo));
        assert_eq!(at_hi.local_addr().unwrap(), v4(hi));
        checked = true;
        break;
    }
    assert!(checked, "no free port range found");
}

#[test]
fn net_tcp_bad_addresses_are_invalid_arguments() {
    let v4s = TcpSocket::new(IpFamily::Ipv4, everything()).unwrap();
    assert_invalid(v4s.bind(addr("[::1]:0")));
    assert_invalid(v4s.connect_start(addr("[::1]:80")));
    assert_invalid(v4s.bind(addr("224.0.0.1:0")));
    assert_invalid(v4s.bind(addr("255.255.255.255:0")));
    assert_invalid(v4s.connect_start(addr("224.0.0.1:80")));
    assert_invalid(v4s.connect_start(addr("255.255.255.255:80")));
    assert_invalid(v4s.connect_start(addr("127.0.0.1:0")));
    assert_invalid(v4s.connect_start(addr("0.0.0.0:80")));
    // None of that bound or connected the socket.
    assert_errno(v4s.local_addr(), Errno::DESTADDRREQ);

    let v6s = TcpSocket::new(IpFamily::Ipv6, everything()).unwrap();
    assert_invalid(v6s.bind(addr("127.0.0.1:0")));
    assert_invalid(v6s.connect_start(addr("127.0.0.1:80")));
    assert_invalid(v6s.bind(addr("[::ffff:127.0.0.1]:0")));
    assert_invalid(v6s.connect_start(addr("[::ffff:127.0.0.1]:80")));
    assert_invalid(v6s.bind(addr("[ff02::1]:0")));
    assert_invalid(v6s.connect_start(addr("[ff02::1]:80")));
    assert_invalid(v6s.connect_start(addr("[::1]:0")));
    assert_invalid(v6s.connect_start(addr("[::]:80")));
    assert!(sockopt::ipv6_v6only(v6s.pollable()).unwrap());

    // Arguments are judged before the policy: an invalid address is
    // invalid even where nothing is granted for it.
    let narrow = TcpSocket::new(IpFamily::Ipv4, policy(&["tcp-connect=10.0.0.1:80"])).unwrap();
    assert_invalid(narrow.connect_start(addr("127.0.0.1:0")));
}

#[test]
fn net_tcp_listen_needs_a_bind_and_clamps_any_backlog() {
    let unbound = TcpSocket::new(IpFamily::Ipv4, everything()).unwrap();
    // Listening unbound would let the kernel pick a port unasked.
    assert_errno(unbound.listen(16), Errno::DESTADDRREQ);
    assert!(!unbound.is_listening().unwrap());
    assert_errno(unbound.local_addr(), Errno::DESTADDRREQ);
    assert_invalid(unbound.set_listen_backlog_size(0));
    // Not listening yet: the hint is only checked.
    unbound.set_listen_backlog_size(10).unwrap();
    assert!(!unbound.is_listening().unwrap());

    for backlog in [0, 1, u64::from(u32::MAX), u64::MAX] {
        let socket = TcpSocket::new(IpFamily::Ipv4, everything()).unwrap();
        socket.bind(v4(0)).unwrap();
        socket.listen(backlog).unwrap();
        assert!(socket.is_listening().unwrap());
        socket.set_listen_backlog_size(u64::from(u32::MAX)).unwrap();
        socket.set_listen_backlog_size(u64::MAX).unwrap();
        assert_invalid(socket.set_listen_backlog_size(0));
        assert!(socket.is_listening().unwrap());
    }
    assert_eq!(clamp_backlog(0), 1);
    assert_eq!(clamp_backlog(u64::from(u32::MAX)), i32::MAX);
}

#[test]
fn net_tcp_bind_twice_is_the_kernels_einval() {
    let socket = TcpSocket::new(IpFamily::Ipv4, everything()).unwrap();
    socket.bind(v4(0)).unwrap();
    assert_errno(socket.bind(v4(0)), Errno::INVAL);
}

#[test]
fn net_tcp_bind_reuses_time_wait_ports() {
    let granted = everything();
    // Port 0 is bound as the guest left it: a port the kernel picks is in
    // no TIME_WAIT.
    let probe = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
    probe.bind(v4(0)).unwrap();
    assert!(!sockopt::socket_reuseaddr(probe.pollable()).unwrap());
    let at = probe.local_addr().unwrap();
    drop(probe);

    let listener = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
    listener.bind(at).unwrap();
    assert!(sockopt::socket_reuseaddr(listener.pollable()).unwrap());
    listener.listen(4).unwrap();
    let client = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
    connect(&client, at);
    let (server, _) = accept(&listener);
    // The server side closes first, so its port is the one in TIME_WAIT.
    server.shutdown(true, true).unwrap();
    drop(server);
    drop(listener);
    assert_eq!(read_some(&client.stream().unwrap(), 1), b"");
    let again = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
    again.bind(at).unwrap();
    again.listen(4).unwrap();

    // A bind that fails leaves the option as it found it.
    let loser = TcpSocket::new(IpFamily::Ipv4, granted).unwrap();
    assert_eq!(loser.bind(at).unwrap_err().kind(), io::ErrorKind::AddrInUse);
    assert!(!sockopt::socket_reuseaddr(loser.pollable()).unwrap());
}

#[test]
fn net_tcp_options_round_trip() {
    let families: &[IpFamily] = if ipv6_loopback_works() {
        &[IpFamily::Ipv4, IpFamily::Ipv6]
    } else {
        &[IpFamily::Ipv4]
    };
    for &family in families {
        let socket = TcpSocket::new(family, everything()).unwrap();

        for value in [true, false, true] {
            socket.set_keep_alive_enabled(value).unwrap();
            assert_eq!(socket.keep_alive_enabled().unwrap(), value);
        }

        type Get = fn(&TcpSocket) -> io::Result<Duration>;
        type Set = fn(&TcpSocket, Duration) -> io::Result<()>;
        let times: [(Get, Set); 2] = [
            (
                TcpSocket::keep_alive_idle_time,
                TcpSocket::set_keep_alive_idle_time,
            ),
            (
                TcpSocket::keep_alive_interval,
                TcpSocket::set_keep_alive_interval,
            ),
        ];
        for (get, set) in times {
            let secs = Duration::from_secs;
            for (given, read_back) in [
                (secs(1), secs(1)),
                (secs(75), secs(75)),
                // Rounded up to whole seconds, never down to 0.
                (Duration::from_nanos(1), secs(1)),
                (Duration::from_millis(1500), secs(2)),
                // Clamped to what Linux takes.
                (secs(32_767), secs(32_767)),
                (secs(32_768), secs(32_767)),
                (Duration::from_nanos(u64::MAX), secs(32_767)),
                (Duration::MAX, secs(32_767)),
            ] {
                set(&socket, given).unwrap();
                assert_eq!(get(&socket).unwrap(), read_back, "{given:?}");
            }
            assert_invalid(set(&socket, Duration::ZERO));
            assert_eq!(get(&socket).unwrap(), secs(32_767));
        }

        for (given, read_back) in [(1, 1), (9, 9), (127, 127), (128, 127), (u32::MAX, 127)] {
            socket.set_keep_alive_count(given).unwrap();
            assert_eq!(socket.keep_alive_count().unwrap(), read_back);
        }
        assert_invalid(socket.set_keep_alive_count(0));
        assert_eq!(socket.keep_alive_count().unwrap(), 127);

        for value in [1, 64, 255] {
            socket.set_hop_limit(value).unwrap();
            assert_eq!(socket.hop_limit().unwrap(), value);
        }
        assert_invalid(socket.set_hop_limit(0));
        assert_eq!(socket.hop_limit().unwrap(), 255);

        // Linux reports twice what was set, within its limits.
        socket.set_receive_buffer_size(8192).unwrap();
        assert_eq!(socket.receive_buffer_size().unwrap(), 16384);
        socket.set_send_buffer_size(8192).unwrap();
        assert_eq!(socket.send_buffer_size().unwrap(), 16384);
        for huge in [u64::from(u32::MAX), u64::MAX] {
            socket.set_receive_buffer_size(huge).unwrap();
            socket.set_send_buffer_size(huge).unwrap();
            assert!(socket.receive_buffer_size().unwrap() >= 16384);
            assert!(socket.send_buffer_size().unwrap() >= 16384);
        }
        socket.set_receive_buffer_size(1).unwrap();
        assert!(socket.receive_buffer_size().unwrap() > 0);
        assert_invalid(socket.set_receive_buffer_size(0));
        assert_invalid(socket.set_send_buffer_size(0));
    }
}

#[test]
fn net_tcp_accepted_sockets_inherit_the_listeners_options() {
    let granted = everything();
    let listener = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&granted)).unwrap();
    listener.set_keep_alive_enabled(true).unwrap();
    listener
        .set_keep_alive_idle_time(Duration::from_secs(42))
        .unwrap();
    listener.set_keep_alive_count(5).unwrap();
    listener.set_hop_limit(17).unwrap();
    listener.bind(v4(0)).unwrap();
    listener.listen(4).unwrap();
    let client = TcpSocket::new(IpFamily::Ipv4, granted).unwrap();
    connect(&client, listener.local_addr().unwrap());
    let (accepted, _) = accept(&listener);
    assert!(accepted.keep_alive_enabled().unwrap());
    assert_eq!(
        accepted.keep_alive_idle_time().unwrap(),
        Duration::from_secs(42)
    );
    assert_eq!(accepted.keep_alive_count().unwrap(), 5);
    assert_eq!(accepted.hop_limit().unwrap(), 17);
    assert!(!accepted.is_listening().unwrap());
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[test]
fn net_tcp_ten_thousand_sockets_leak_no_descriptor() {
    let granted = everything();
    let before = open_fds();
    for i in 0..10_000 {
        let family = if i % 2 == 0 {
            IpFamily::Ipv4
        } else {
            IpFamily::Ipv6
        };
        let socket = TcpSocket::new(family, Arc::clone(&granted)).unwrap();
        if i % 1000 == 0 {
            // A refused call must not leak either.
            let _ = socket.connect_start(addr("0.0.0.0:1"));
            let _ = socket.listen(1);
        }
    }
    let refused = policy(&["tcp-connect=10.0.0.1:1"]);
    for _ in 0..1000 {
        let socket = TcpSocket::new(IpFamily::Ipv4, Arc::clone(&refused)).unwrap();
        assert_denied(socket.connect_start(v4(1)));
    }
    let after = open_fds();
    // Other tests run beside this one and open sockets of their own; a
    // leak here would be thousands.
    assert!(
        after <= before + 64,
        "descriptors before {before}, after {after}"
    );
}

#[test]
fn net_tcp_keep_alive_seconds_rounding() {
    assert_invalid(keep_alive_secs(Duration::ZERO, "zero"));
    assert_eq!(
        keep_alive_secs(Duration::from_nanos(1_000_000_001), "").unwrap(),
        Duration::from_secs(2)
    );
    assert_eq!(
        keep_alive_secs(Duration::MAX, "").unwrap(),
        Duration::from_secs(MAX_KEEPALIVE_SECS)
    );
}
