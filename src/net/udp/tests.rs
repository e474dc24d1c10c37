use std::io;
use std::net::{SocketAddr, UdpSocket as HostPeer};
use std::time::{Duration, Instant};

use super::*;
use crate::clock::{HostMonotonicClock, MonotonicClock};
use crate::error::CapabilityDenied;
use crate::poll::{wait, Interest, Readiness};

const WAIT: Duration = Duration::from_secs(2);

fn policy(rules: &[String]) -> AddressPolicy {
    let mut policy = AddressPolicy::new();
    for rule in rules {
        policy.allow_net(rule.parse().expect("rule"));
    }
    policy
}

fn peer() -> HostPeer {
    let peer = HostPeer::bind("127.0.0.1:0").expect("host peer");
    peer.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("read timeout");
    peer
}

fn any_local() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn is_denied(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::PermissionDenied
        && err
            .get_ref()
            .is_some_and(|inner| inner.is::<CapabilityDenied>())
}

fn is_invalid_state(err: &io::Error) -> bool {
    err.raw_os_error() == Some(rustix::io::Errno::DESTADDRREQ.raw_os_error())
}

/// Waits (at most [`WAIT`]) until the socket has something to read.
fn wait_readable(socket: &UdpSocket) -> bool {
    let clock = HostMonotonicClock;
    let interests = [
        Interest::Read(socket.pollable()),
        Interest::Deadline(clock.now() + WAIT.as_nanos() as u64),
    ];
    let mut found = [Readiness::Pending; 2];
    wait(&clock, &interests, &mut found, true).expect("wait");
    found[0].is_met()
}

/// Receives until `want` datagrams came or [`WAIT`] passed.
fn receive_some(socket: &UdpSocket, want: usize) -> Vec<Datagram> {
    let started = Instant::now();
    let mut got = Vec::new();
    while got.len() < want && started.elapsed() < WAIT {
        if !wait_readable(socket) {
            break;
        }
        got.extend(socket.receive(64).expect("receive"));
    }
    got
}

fn host_recv(peer: &HostPeer) -> Option<(Vec<u8>, SocketAddr)> {
    let mut buf = [0u8; 256];
    match peer.recv_from(&mut buf) {
        Ok((n, from)) => Some((buf[..n].to_vec(), from)),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) =>
        {
            None
        }
        Err(e) => panic!("host peer: {e}"),
    }
}

/// A socket bound to 127.0.0.1 that may send to and hear from `granted`.
fn granted_socket(granted: SocketAddr) -> UdpSocket {
    let rules = [
        "bind=127.0.0.1".to_string(),
        format!("send,receive={granted}"),
    ];
    let socket = UdpSocket::new(IpFamily::Ipv4, policy(&rules)).expect("socket");
    socket.bind(any_local()).expect("bind");
    socket
}

#[test]
fn the_default_policy_refuses_a_socket() {
    let err = UdpSocket::new(IpFamily::Ipv4, AddressPolicy::new()).unwrap_err();
    assert!(is_denied(&err), "{err:?}");
    // TCP grants alone give no UDP socket.
    let tcp_only = policy(&["tcp-connect=127.0.0.1".into()]);
    let err = UdpSocket::new(IpFamily::Ipv6, tcp_only).unwrap_err();
    assert!(is_denied(&err), "{err:?}");
    let mut off = policy(&["bind=127.0.0.1".into()]);
    off.allow_udp(false);
    assert!(is_denied(&UdpSocket::new(IpFamily::Ipv4, off).unwrap_err()));
}

#[test]
fn ping_pong_unconnected_and_connected() {
    let host = peer();
    let host_addr = host.local_addr().unwrap();
    let socket = granted_socket(host_addr);
    let local = socket.local_addr().expect("local address");
    assert_eq!(local.ip(), any_local().ip());
    assert_ne!(local.port(), 0);
    assert!(socket.check_send().expect("check-send") >= 1);

    // Unconnected: every datagram names its destination.
    assert_eq!(socket.send([(&b"ping"[..], Some(host_addr))]).unwrap(), 1);
    assert_eq!(host_recv(&host), Some((b"ping".to_vec(), local)));
    host.send_to(b"pong", local).unwrap();
    let got = receive_some(&socket, 1);
    assert_eq!(
        got,
        [Datagram {
            data: b"pong".to_vec(),
            remote: host_addr
        }]
    );
    let err = socket.send([(&b"x"[..], None)]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(
        socket.remote_addr().unwrap_err().raw_os_error(),
        Some(rustix::io::Errno::NOTCONN.raw_os_error())
    );

    // Connected: a datagram may leave out its destination, or name the peer.
    socket.connect(host_addr).expect("connect");
    assert_eq!(socket.remote_addr().unwrap(), host_addr);
    let two = [(&b"one"[..], None), (&b"two"[..], Some(host_addr))];
    assert_eq!(socket.send(two).unwrap(), 2);
    assert_eq!(host_recv(&host), Some((b"one".to_vec(), local)));
    assert_eq!(host_recv(&host), Some((b"two".to_vec(), local)));
    host.send_to(b"back", local).unwrap();
    let got = receive_some(&socket, 1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, b"back");
    assert_eq!(got[0].remote, host_addr);

    // Clearing the peer keeps the port the host picked at the bind.
    socket.disconnect().expect("disconnect");
    assert!(socket.remote_addr().is_err());
    assert_eq!(socket.local_addr().unwrap(), local);
    assert_eq!(socket.send([(&b"again"[..], Some(host_addr))]).unwrap(), 1);
    assert_eq!(host_recv(&host), Some((b"again".to_vec(), local)));
    // A disconnect without a peer is no error.
    socket.disconnect().expect("disconnect twice");
}

#[test]
fn sending_where_not_granted_is_refused_and_nothing_leaves() {
    let host = peer();
    let other = peer();
    let host_addr = host.local_addr().unwrap();
    let other_addr = other.local_addr().unwrap();
    let socket = granted_socket(host_addr);

    let err = socket.send([(&b"no"[..], Some(other_addr))]).unwrap_err();
    assert!(is_denied(&err), "{err:?}");
    assert_eq!(host_recv(&other), None);

    // The refused datagram ends the call; those before it were sent, and
    // the count says so, as the WIT asks.
    let three = [
        (&b"a"[..], Some(host_addr)),
        (&b"b"[..], Some(other_addr)),
        (&b"c"[..], Some(host_addr)),
    ];
    assert_eq!(socket.send(three).unwrap(), 1);
    assert_eq!(host_recv(&host).map(|d| d.0), Some(b"a".to_vec()));
    assert_eq!(host_recv(&host), None);
    assert_eq!(host_recv(&other), None);

    // Fixing an ungranted peer is refused too, and leaves the socket as
    // it was.
    let err = socket.connect(other_addr).unwrap_err();
    assert!(is_denied(&err), "{err:?}");
    assert!(socket.remote_addr().is_err());

    // A connected socket may send to its peer only.
    socket.connect(host_addr).unwrap();
    let err = socket.send([(&b"d"[..], Some(other_addr))]).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert_eq!(host_recv(&other), None);
}

#[test]
fn a_datagram_from_an_ungranted_peer_is_dropped() {
    let host = peer();
    let stranger = peer();
    let host_addr = host.local_addr().unwrap();
    let socket = granted_socket(host_addr);
    let local = socket.local_addr().unwrap();

    stranger.send_to(b"stranger", local).unwrap();
    host.send_to(b"friend", local).unwrap();
    let got = receive_some(&socket, 1);
    assert_eq!(
        got,
        [Datagram {
            data: b"friend".to_vec(),
            remote: host_addr
        }]
    );
    // Nothing left behind: the stranger's was read and dropped.
    assert_eq!(socket.receive(64).unwrap(), []);

    // On a connected socket, a granted source that is not the peer is
    // dropped too, even if the host queued it before the peer was fixed.
    let rules = [
        "bind=127.0.0.1".to_string(),
        "send,receive=127.0.0.1".to_string(),
    ];
    let socket = UdpSocket::new(IpFamily::Ipv4, policy(&rules)).unwrap();
    socket.bind(any_local()).unwrap();
    let local = socket.local_addr().unwrap();
    stranger.send_to(b"early", local).unwrap();
    assert!(wait_readable(&socket));
    socket.connect(host_addr).unwrap();
    host.send_to(b"peer", local).unwrap();
    let got = receive_some(&socket, 1);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].data, b"peer");
    assert_eq!(socket.receive(64).unwrap(), []);
}

#[test]
fn port_range_edges_are_exact() {
    let lo: u16 = 40_000;
    let hi: u16 = 40_002;
    let rules = [
        "bind=127.0.0.1:0".to_string(),
        format!("send=127.0.0.1:{lo}-{hi}"),
    ];
    let socket = UdpSocket::new(IpFamily::Ipv4, policy(&rules)).unwrap();
    // Only port 0 may be bound, and only on 127.0.0.1.
    let err = socket.bind("127.0.0.2:0".parse().unwrap()).unwrap_err();
    assert!(is_denied(&err));
    socket.bind(any_local()).unwrap();
    let to = |port: u16| SocketAddr::from(([127, 0, 0, 1], port));
    for port in [lo, lo + 1, hi] {
        assert_eq!(socket.send([(&b"x"[..], Some(to(port)))]).unwrap(), 1);
    }
    for port in [lo - 1, hi + 1] {
        let err = socket.send([(&b"x"[..], Some(to(port)))]).unwrap_err();
        assert!(is_denied(&err), "port {port}: {err:?}");
    }

    // A bind rule without port 0 grants no host-picked port, and its own
    // ports exactly.
    let rules = ["udp-bind=127.0.0.1:1-65535".to_string()];
    let socket = UdpSocket::new(IpFamily::Ipv4, policy(&rules)).unwrap();
    assert!(is_denied(&socket.bind(any_local()).unwrap_err()));
    // Refused before the host saw it: the socket is still unbound.
    assert!(is_invalid_state(&socket.local_addr().unwrap_err()));
    let host = peer();
    let taken = host.local_addr().unwrap();
    // Granted, so the host decides: the port is in use.
    let err = socket.bind(taken).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::AddrInUse);
}

#[test]
fn bad_input_is_invalid() {
    let rules = ["bind=*".to_string(), "send,receive=*".to_string()];
    let socket = UdpSocket::new(IpFamily::Ipv4, policy(&rules)).unwrap();
    assert_eq!(socket.family(), IpFamily::Ipv4);

    // Nothing but bind works before a bind: the host would bind by itself.
    let host = peer();
    let host_addr = host.local_addr().unwrap();
    assert!(is_invalid_state(
        &socket.send([(&b"x"[..], Some(host_addr))]).unwrap_err()
    ));
    assert!(is_invalid_state(&socket.connect(host_addr).unwrap_err()));
    assert!(is_invalid_state(&socket.receive(1).unwrap_err()));
    assert!(is_invalid_state(&socket.check_send().unwrap_err()));
    assert_eq!(host_recv(&host), None);

    let invalid = |r: io::Result<()>| {
        let err = r.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{err:?}");
        assert_eq!(err.raw_os_error(), None);
    };
    invalid(socket.bind("[::1]:0".parse().unwrap()));
    invalid(socket.bind("224.0.0.1:0".parse().unwrap()));
    invalid(socket.bind("255.255.255.255:0".parse().unwrap()));
    socket.bind(any_local()).unwrap();
    invalid(socket.connect("0.0.0.0:9".parse().unwrap()));
    invalid(socket.connect("127.0.0.1:0".parse().unwrap()));
    invalid(socket.connect("[::1]:9".parse().unwrap()));
    let send = |to: &str| {
        socket
            .send([(&b"x"[..], Some(to.parse().unwrap()))])
            .map(drop)
    };
    invalid(send("127.0.0.1:0"));
    invalid(send("0.0.0.0:9"));
    invalid(send("[::1]:9"));
    invalid(send("255.255.255.255:9"));
    assert_eq!(socket.send([]).unwrap(), 0);

    // Options: 0 is invalid; others take.
    invalid(socket.set_unicast_hop_limit(0));
    socket.set_unicast_hop_limit(42).unwrap();
    assert_eq!(socket.unicast_hop_limit().unwrap(), 42);
    invalid(socket.set_receive_buffer_size(0));
    invalid(socket.set_send_buffer_size(0));
    socket.set_receive_buffer_size(64 * 1024).unwrap();
    assert!(socket.receive_buffer_size().unwrap() >= 64 * 1024);
    socket.set_send_buffer_size(64 * 1024).unwrap();
    assert!(socket.send_buffer_size().unwrap() >= 64 * 1024);
    // Too large for the host is clamped, not refused.
    socket.set_receive_buffer_size(u64::MAX).unwrap();
    socket.set_send_buffer_size(u64::MAX).unwrap();

    // max 0 is an empty list, not an error; a huge max is capped.
    let local = socket.local_addr().unwrap();
    for i in 0..(MAX_RECEIVE + 6) {
        host.send_to(&[i as u8], local).unwrap();
    }
    assert_eq!(socket.receive(0).unwrap(), []);
    assert!(wait_readable(&socket));
    let started = Instant::now();
    let mut first = Vec::new();
    while first.is_empty() && started.elapsed() < WAIT {
        first = socket.receive(u64::MAX).unwrap();
    }
    assert!(!first.is_empty() && first.len() <= MAX_RECEIVE);
    assert_eq!(first[0].data, [0]);
    // The rest is still there, in order.
    let mut all = first;
    while all.len() < MAX_RECEIVE + 6 && started.elapsed() < WAIT {
        all.extend(socket.receive(u64::MAX).unwrap());
    }
    let bytes: Vec<u8> = all.iter().map(|d| d.data[0]).collect();
    let want: Vec<u8> = (0..(MAX_RECEIVE + 6) as u8).collect();
    assert_eq!(bytes, want);
}

#[test]
fn ipv6_is_v6_only_and_refuses_mapped_addresses() {
    let rules = ["bind=*".to_string(), "send,receive=*".to_string()];
    let socket = match UdpSocket::new(IpFamily::Ipv6, policy(&rules)) {
        Ok(socket) => socket,
        // A host without IPv6 has nothing to test here.
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::AFNOSUPPORT.raw_os_error()) => return,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(socket.family(), IpFamily::Ipv6);
    assert!(rustix::net::sockopt::ipv6_v6only(socket.pollable()).unwrap());
    for addr in ["[::ffff:127.0.0.1]:0", "[::127.0.0.1]:0", "127.0.0.1:0"] {
        let err = socket.bind(addr.parse().unwrap()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{addr}");
    }
    if socket.bind("[::1]:0".parse().unwrap()).is_ok() {
        socket.set_unicast_hop_limit(7).unwrap();
        assert_eq!(socket.unicast_hop_limit().unwrap(), 7);
        let err = socket
            .send([(&b"x"[..], Some("[::ffff:127.0.0.1]:9".parse().unwrap()))])
            .unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
