//! wasi:sockets/udp and udp-create-socket: the `p2_udp` guest against
//! loopback peers run here with std's `UdpSocket`, under the address
//! policies each test grants. Every host socket reads with a timeout, so
//! a guest that never sends leaves a test failing, not hanging.

use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use capwasi::WasiCtxBuilder;

use crate::{lines, run};

/// How long a host socket waits for the guest: far longer than loopback
/// takes, short enough that a guest that failed early ends the test soon.
const PATIENCE: Duration = Duration::from_secs(20);

/// A loopback socket of the test's, bound to `addr`.
fn host(addr: &str) -> UdpSocket {
    let socket = UdpSocket::bind(addr).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    socket.set_read_timeout(Some(PATIENCE)).expect("timeout");
    socket
}

fn port(socket: &UdpSocket) -> u16 {
    socket.local_addr().expect("address").port()
}

/// Grants each rule, in its text form.
fn grant(builder: &mut WasiCtxBuilder, rules: &[String]) {
    for rule in rules {
        builder.allow_net(rule.parse().expect("a valid rule"));
    }
}

/// What a peer heard: each payload and where it came from.
type Heard = Vec<(Vec<u8>, SocketAddr)>;

/// Answers every datagram but `end` with `re:` and its payload; if there is
/// an intruder, it sends `intruder` to the same source first, so that the
/// guest's queue holds the intruder's datagram before the answer.
fn echo_peer(socket: UdpSocket, intruder: Option<UdpSocket>) -> JoinHandle<Heard> {
    thread::spawn(move || {
        let mut heard = Vec::new();
        let mut buf = vec![0; 65_536];
        for _ in 0..1000 {
            // A timeout means the guest is gone; the test reports why.
            let Ok((len, from)) = socket.recv_from(&mut buf) else {
                break;
            };
            let payload = buf[..len].to_vec();
            heard.push((payload.clone(), from));
            if payload == b"end" {
                break;
            }
            if let Some(intruder) = &intruder {
                intruder.send_to(b"intruder", from).expect("intrude");
            }
            let mut reply = b"re:".to_vec();
            reply.extend_from_slice(&payload);
            socket.send_to(&reply, from).expect("reply");
        }
        heard
    })
}

/// Collects payloads, answering none, until `end` and a short while after
/// it, for whatever UDP delivered out of order.
fn collector(socket: UdpSocket) -> JoinHandle<Vec<Vec<u8>>> {
    thread::spawn(move || {
        let mut heard = Vec::new();
        let mut buf = vec![0; 65_536];
        for _ in 0..1000 {
            let Ok(len) = socket.recv(&mut buf) else {
                break;
            };
            heard.push(buf[..len].to_vec());
            if &buf[..len] == b"end" {
                socket
                    .set_read_timeout(Some(Duration::from_millis(200)))
                    .expect("timeout");
            }
        }
        heard
    })
}

/// Panics if `socket` has a datagram waiting: everything the guest sent
/// over loopback was queued before the guest exited.
fn assert_silent(socket: &UdpSocket) {
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    let mut buf = [0; 64];
    match socket.recv_from(&mut buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("the socket received {other:?}"),
    }
}

fn payloads(heard: &Heard) -> Vec<String> {
    heard
        .iter()
        .map(|(payload, _)| String::from_utf8_lossy(payload).into_owned())
        .collect()
}

/// Checks that every datagram came from one loopback source with a port
/// the host picked: the guest's socket never moved, whatever it did.
fn one_source(heard: &Heard) -> SocketAddr {
    let source = heard.first().expect("the peer heard something").1;
    assert!(source.ip().is_loopback() && source.port() != 0, "{source}");
    assert!(heard.iter().all(|(_, from)| *from == source), "{heard:?}");
    source
}

/// Sends and receives with a destination on every datagram, over IPv4 and
/// IPv6: the datagrams and their source addresses arrive intact both
/// ways, one at a time and several in one `send`.
#[test]
fn unconnected_ping_pong_over_ipv4_and_ipv6() {
    for (family, local, peer_host) in [("4", "127.0.0.1", "127.0.0.1"), ("6", "[::1]", "[::1]")] {
        let peer = host(&format!("{peer_host}:0"));
        let peer_port = port(&peer).to_string();
        let rules = [
            format!("udp-bind={local}:0"),
            format!("udp-send,udp-receive={peer_host}:{peer_port}"),
        ];
        let heard = echo_peer(peer, None);
        let out = run("p2_udp", &["ping", family, &peer_port, "5"], b"", |b| {
            grant(b, &rules)
        });
        out.expect_exit(0);
        assert_eq!(
            lines(&out),
            ["ok ping-pong", "ok send-several", "ok p2_udp"]
        );
        let heard = heard.join().expect("peer");
        assert_eq!(
            payloads(&heard),
            ["ping 0", "ping 1", "ping 2", "ping 3", "ping 4", "a", "bb", "ccc", "end"]
        );
        let source = one_source(&heard);
        assert_eq!(source.is_ipv6(), family == "6");
    }
}

/// Streams fixed to a peer send with no destination or the peer's own,
/// refuse any other (the WIT's invalid-argument), and hear only the peer,
/// though the policy grants receiving from the intruder too: that it is
/// the connection that filters shows once the streams are unconnected
/// again and the intruder's datagram arrives. The guest's port survives
/// the disconnect, which on Linux needs a bind again.
#[test]
fn connected_streams_hear_only_their_peer() {
    let (peer, other) = (host("127.0.0.1:0"), host("127.0.0.1:0"));
    let (peer_port, other_port) = (port(&peer).to_string(), port(&other).to_string());
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        format!("udp-send,udp-receive=127.0.0.1:{peer_port}"),
        format!("udp-receive=127.0.0.1:{other_port}"),
    ];
    let watcher = other.try_clone().expect("clone");
    let heard = echo_peer(peer, Some(other));
    let out = run(
        "p2_udp",
        &["connected", &peer_port, &other_port],
        b"",
        |b| grant(b, &rules),
    );
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok connected-ping-pong",
            "ok connected-other-destination",
            "ok unconnected-again",
            "ok reconnected",
            "ok p2_udp"
        ]
    );
    let heard = heard.join().expect("peer");
    assert_eq!(payloads(&heard), ["c1", "c2", "c4", "c5", "end"]);
    one_source(&heard);
    assert_silent(&watcher);
}

/// A peer that is not there answers with an ICMP refusal: it wakes the
/// connected incoming stream, and the next receive reports it as the WIT's
/// connection-refused, once.
#[test]
fn a_refusal_from_a_connected_peer_is_reported_once() {
    // A port nobody holds: the host picked it, and it was released.
    let closed = port(&host("127.0.0.1:0")).to_string();
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        format!("udp-send,udp-receive=127.0.0.1:{closed}"),
    ];
    let out = run("p2_udp", &["refused", &closed], b"", |b| grant(b, &rules));
    out.expect_exit(0);
    assert_eq!(lines(&out), ["ok receive-refused", "ok p2_udp"]);
}

/// Every option of both families reads back what was set (buffer sizes
/// as the host clamps them), refuses 0 with invalid-argument and holds
/// across the bind; local-address needs a bind and then gives the
/// loopback address with the port the host picked.
#[test]
fn every_option_on_both_families() {
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        "udp-bind=[::1]:0".to_string(),
    ];
    let out = run("p2_udp", &["options"], b"", |b| grant(b, &rules));
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        ["ok options-ipv4", "ok options-ipv6", "ok p2_udp"]
    );
}

/// The WIT's state machine: no streams, local or remote address before a
/// bind (no implicit bind), finish-bind only after start-bind, one bind
/// only; a second `stream` leaves the first pair answering invalid-state
/// with ready pollables (the core's choice over trapping), and a `stream`
/// refused for its address changes nothing.
#[test]
fn bind_and_stream_state_machine() {
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        "udp-send,udp-receive=127.0.0.1".to_string(),
    ];
    let out = run("p2_udp", &["states"], b"", |b| grant(b, &rules));
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok unbound",
            "ok bind",
            "ok stream-again",
            "ok stream-refused",
            "ok p2_udp"
        ]
    );
}

/// A guest granted nothing UDP gets access-denied from
/// create-udp-socket itself, so it never holds a host socket: with no
/// grant at all, with UDP switched off over an inherited network, and
/// with TCP grants only.
#[test]
fn creating_a_socket_needs_a_udp_grant() {
    let configs: [&dyn Fn(&mut WasiCtxBuilder); 3] = [
        &|_| {},
        &|b| {
            b.inherit_network().allow_udp(false);
        },
        &|b| grant(b, &["tcp-connect=127.0.0.1:80".to_string()]),
    ];
    for configure in configs {
        let out = run("p2_udp", &["policy-create"], b"", configure);
        out.expect_exit(0);
        assert_eq!(lines(&out), ["ok policy-create", "ok p2_udp"]);
    }
}

/// A socket may be made under any UDP grant, but binding 127.0.0.1:0 is
/// access-denied unless a bind rule holds that address and port 0 itself:
/// sending rights, a range without 0 and another address do not.
#[test]
fn binding_needs_a_bind_grant() {
    for rule in [
        "udp-send=127.0.0.1:9",
        "udp-bind=127.0.0.1:1-65535",
        "udp-bind=[::1]:0",
    ] {
        let out = run("p2_udp", &["policy-bind"], b"", |b| {
            grant(b, &[rule.to_string()])
        });
        out.expect_exit(0);
        assert_eq!(lines(&out), ["ok policy-bind", "ok p2_udp"], "{rule}");
    }
}

/// A send to an address not granted, alone or first in a batch, and a
/// `stream` fixed to it are access-denied, and the address receives
/// nothing; a grant of the port next to it changes nothing.
#[test]
fn sending_to_an_address_not_granted_reaches_nothing() {
    let (target, neighbour) = (host("127.0.0.1:0"), host("127.0.0.1:0"));
    let target_port = port(&target).to_string();
    for rules in [
        vec!["udp-bind=127.0.0.1:0".to_string()],
        vec![
            "udp-bind=127.0.0.1:0".to_string(),
            format!("udp-send,udp-receive=127.0.0.1:{}", port(&neighbour)),
        ],
    ] {
        let out = run("p2_udp", &["policy-send", &target_port], b"", |b| {
            grant(b, &rules)
        });
        out.expect_exit(0);
        assert_eq!(lines(&out), ["ok policy-send", "ok p2_udp"]);
        assert_silent(&target);
        assert_silent(&neighbour);
    }
}

/// A datagram from a peer not granted udp-receive is dropped: the
/// intruder's datagram reaches the guest's host socket before the granted
/// peer's answer, and the guest sees the answer alone.
#[test]
fn datagrams_from_sources_not_granted_are_dropped() {
    let (peer, intruder) = (host("127.0.0.1:0"), host("127.0.0.1:0"));
    let peer_port = port(&peer).to_string();
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        format!("udp-send,udp-receive=127.0.0.1:{peer_port}"),
    ];
    let heard = echo_peer(peer, Some(intruder));
    let out = run("p2_udp", &["policy-receive", &peer_port], b"", |b| {
        grant(b, &rules)
    });
    out.expect_exit(0);
    assert_eq!(lines(&out), ["ok policy-receive", "ok p2_udp"]);
    let heard = heard.join().expect("peer");
    assert_eq!(payloads(&heard), ["hello", "end"]);
}

/// `n` host sockets on consecutive loopback ports, the first at the port
/// returned, so that a range can be granted with a socket on either side.
fn consecutive_ports(n: u16) -> (u16, Vec<UdpSocket>) {
    for _ in 0..100 {
        let first = host("127.0.0.1:0");
        let base = port(&first);
        if base > u16::MAX - n {
            continue;
        }
        let mut sockets = vec![first];
        for i in 1..n {
            match UdpSocket::bind(("127.0.0.1", base + i)) {
                Ok(socket) => sockets.push(socket),
                Err(_) => break,
            }
        }
        if sockets.len() == usize::from(n) {
            for socket in &sockets {
                socket.set_read_timeout(Some(PATIENCE)).expect("timeout");
            }
            return (base, sockets);
        }
    }
    panic!("no {n} consecutive free loopback ports");
}

/// A granted port range `LO-HI` is honoured exactly: sends to LO and HI go
/// out and LO-1 and HI+1 are access-denied and hear nothing; datagrams
/// from LO-1 and HI+1 are dropped, from LO and HI received, in the order
/// sent.
#[test]
fn a_port_range_is_granted_exactly_to_its_edges() {
    let (base, sockets) = consecutive_ports(4);
    let (lo, hi) = (base + 1, base + 2);
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        format!("udp-send,udp-receive=127.0.0.1:{lo}-{hi}"),
    ];
    let [below, low, high, above]: [UdpSocket; 4] = sockets.try_into().expect("four");
    let (below_watch, above_watch) = (
        below.try_clone().expect("clone"),
        above.try_clone().expect("clone"),
    );
    let peers = thread::spawn(move || {
        let mut buf = [0; 64];
        let (len, guest) = low.recv_from(&mut buf)?;
        assert_eq!(&buf[..len], b"lo");
        let (len, from) = high.recv_from(&mut buf)?;
        assert_eq!((&buf[..len], from), (&b"hi"[..], guest));
        below.send_to(b"re:below", guest)?;
        above.send_to(b"re:above", guest)?;
        low.send_to(b"re:lo", guest)?;
        high.send_to(b"re:hi", guest)?;
        std::io::Result::Ok(())
    });
    let out = run(
        "p2_udp",
        &["edges", &lo.to_string(), &hi.to_string()],
        b"",
        |b| grant(b, &rules),
    );
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        ["ok send-edges", "ok receive-edges", "ok p2_udp"]
    );
    peers.join().expect("peers").expect("the peers' sockets");
    assert_silent(&below_watch);
    assert_silent(&above_watch);
}

/// A bind to a taken port is address-in-use and to an address not local
/// address-not-bindable, each leaving no bind in progress. Invalid
/// destinations (port 0, unspecified, the other family, none on
/// unconnected streams, IPv4-mapped on IPv6) are invalid-argument before
/// the policy is asked; 65,508 bytes is datagram-too-large and 65,507
/// arrives whole; a batch stops at its first bad datagram; `receive(0)` is
/// empty and `receive(2^64-1)` returns bounded batches. What the collector
/// heard is exactly what the guest says went out.
#[test]
fn invalid_input_is_refused_and_receives_are_bounded() {
    let target = host("127.0.0.1:0");
    let target_port = port(&target).to_string();
    let rules = [
        "udp-bind=127.0.0.1".to_string(),
        "udp-bind=192.0.2.1:0".to_string(),
        "udp-bind=[::1]:0".to_string(),
        "udp-send,udp-receive=127.0.0.1".to_string(),
    ];
    let heard = collector(target);
    let out = run("p2_udp", &["bad-input", &target_port], b"", |b| {
        grant(b, &rules)
    });
    out.expect_exit(0);
    // However many were waiting, no receive returned more than the core's
    // bound, and the largest batch is reported apart from the other lines,
    // since how many had arrived at each receive is up to the host.
    let mut got = lines(&out);
    let largest = got
        .iter()
        .position(|line| line.starts_with("got receive-huge-max-largest "))
        .map(|at| got.remove(at))
        .expect("the largest receive is reported");
    let largest: usize = largest
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(
        (1..=capwasi::net::udp::MAX_RECEIVE).contains(&largest),
        "{largest}"
    );
    // The core refuses broadcast as not unicast and permits 16 datagrams
    // per check-send.
    assert_eq!(
        got,
        [
            "ok bind-errors",
            "ok send-invalid-address",
            "got send-broadcast invalid-argument",
            "ok datagram-too-large",
            "ok send-partial",
            "got check-send 16",
            "ok send-permitted",
            "ok stream-invalid-address",
            "ok receive-zero",
            "ok receive-huge-max",
            "ok ipv6-invalid-address",
            "ok p2_udp"
        ]
    );
    let mut heard = heard.join().expect("collector");
    let pattern: Vec<u8> = (0..65_507).map(|i| b'a' + (i % 26) as u8).collect();
    let mut want = vec![pattern, b"b1".to_vec()];
    want.extend(std::iter::repeat_n(b"p".to_vec(), 16));
    want.extend([b"after".to_vec(), b"end".to_vec()]);
    heard.sort();
    want.sort();
    assert_eq!(heard.len(), want.len());
    assert!(heard == want, "the collector heard other datagrams");
}

/// `send` must be permitted by the `check-send` before it (the WIT says
/// traps): without one, with more datagrams than permitted, and a second
/// time on one permit.
#[test]
fn sends_beyond_the_check_send_permit_trap() {
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        "udp-send,udp-receive=127.0.0.1".to_string(),
    ];
    for (mode, message) in [
        (
            "trap-send-without-check",
            "send without a permit from check-send",
        ),
        (
            "trap-send-over-permit",
            "more than the 16 check-send permitted",
        ),
        (
            "trap-permit-reused",
            "send without a permit from check-send",
        ),
    ] {
        run("p2_udp", &[mode], b"", |b| grant(b, &rules)).expect_trap(message);
    }
}

/// The streams are the socket's children: dropping the socket first traps
/// rather than leaving them over a socket that is gone.
#[test]
fn dropping_a_socket_before_its_streams_traps() {
    let rules = [
        "udp-bind=127.0.0.1:0".to_string(),
        "udp-send,udp-receive=127.0.0.1".to_string(),
    ];
    run("p2_udp", &["trap-drop-socket-with-streams"], b"", |b| {
        grant(b, &rules)
    })
    .expect_trap("live children");
}
