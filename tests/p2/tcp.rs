//! wasi:sockets TCP from a guest (`tests/components/src/p2_tcp.c`):
//! connecting and listening over loopback with a std::net peer on the
//! test's side, every option, the state machine, the address policy and
//! bad input. Every wait on the test's side is bounded, so a guest that
//! stops early fails the test rather than hanging it.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use capwasi::WasiCtxBuilder;

use crate::{lines, run};

/// How long the test's side waits for the guest: long enough for a debug
/// build on a loaded machine, short enough to end a stuck test.
const PATIENCE: Duration = Duration::from_secs(30);

/// The pause between the test's connect attempts while a guest is not yet
/// listening.
const RETRY: Duration = Duration::from_millis(10);

/// Grants each rule of `rules`.
fn grant(rules: &[String]) -> impl FnOnce(&mut WasiCtxBuilder) + '_ {
    move |b| {
        for rule in rules {
            b.allow_net(rule.parse().expect("a valid rule"));
        }
    }
}

/// A loopback listener on a port of the kernel's choosing, and its port.
fn listener() -> (TcpListener, u16) {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = listener.local_addr().expect("address").port();
    (listener, port)
}

/// A loopback port nothing listens on: one the kernel just handed out and
/// that was closed again at once.
fn free_port() -> u16 {
    listener().1
}

/// The next connection on `listener`, or a panic once `PATIENCE` is over.
fn accept_within(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).expect("nonblocking");
    let start = Instant::now();
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).expect("blocking");
                timeouts(&stream);
                return stream;
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock && start.elapsed() < PATIENCE => {
                thread::sleep(RETRY);
            }
            Err(e) => panic!("no connection from the guest: {e}"),
        }
    }
}

/// How many connections are waiting on `listener`, taking them all; at
/// most 16 are counted, more than any test makes.
fn pending(listener: &TcpListener) -> usize {
    listener.set_nonblocking(true).expect("nonblocking");
    let mut count = 0;
    while count < 16 {
        match listener.accept() {
            Ok(_) => count += 1,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("accept: {e}"),
        }
    }
    count
}

/// Connects to `addr`, retrying while nothing listens there yet (the guest
/// is still starting), for at most `PATIENCE`.
fn connect_retrying(addr: SocketAddr) -> TcpStream {
    let start = Instant::now();
    loop {
        match TcpStream::connect_timeout(&addr, PATIENCE) {
            Ok(stream) => {
                timeouts(&stream);
                return stream;
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused && start.elapsed() < PATIENCE => {
                thread::sleep(RETRY);
            }
            Err(e) => panic!("the guest never listened on {addr}: {e}"),
        }
    }
}

fn timeouts(stream: &TcpStream) {
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_write_timeout(Some(PATIENCE)).expect("timeout");
}

/// Reads until the peer ends its sending half, within `PATIENCE`.
fn read_to_end(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    stream.read_to_end(&mut got).expect("read to the end");
    got
}

/// A loopback IPv6 listener, if the host has IPv6 loopback.
fn listener6() -> Option<(TcpListener, u16)> {
    let listener = TcpListener::bind("[::1]:0").ok()?;
    let port = listener.local_addr().ok()?.port();
    Some((listener, port))
}

/// Plays the peer of `client`: reads what the guest sends, which names the
/// port it connected from, answers with it reversed, and closes.
fn echo_reversed(listener: TcpListener) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut stream = accept_within(&listener);
        let peer = stream.peer_addr().expect("peer");
        let want = format!("guest port={}", peer.port());
        let mut got = vec![0; want.len()];
        stream.read_exact(&mut got).expect("the guest's message");
        assert_eq!(String::from_utf8_lossy(&got), want);
        got.reverse();
        stream.write_all(&got).expect("answer");
    })
}

/// A guest client connects to a peer it was granted, on IPv4 and (where
/// the host has it) IPv6: the addresses it reports are the ones the peer
/// sees, data goes both ways, and the peer's close reaches it as the end
/// of its input stream.
#[test]
fn a_client_connects_to_a_granted_peer_and_exchanges_data() {
    let (l4, port4) = listener();
    let v6 = listener6();
    let port6 = v6.as_ref().map_or(0, |(_, port)| *port);
    let mut rules = vec![format!("connect=127.0.0.1:{port4}")];
    if port6 != 0 {
        rules.push(format!("connect=[::1]:{port6}"));
    }
    let mut peers = vec![echo_reversed(l4)];
    if let Some((l6, _)) = v6 {
        peers.push(echo_reversed(l6));
    }
    let out = run(
        "p2_tcp",
        &["client", &port4.to_string(), &port6.to_string()],
        b"",
        grant(&rules),
    );
    for peer in peers {
        peer.join().expect("the peer's checks");
    }
    out.expect_exit(0);
    let mut want = Vec::new();
    let families: &[&str] = if port6 != 0 {
        &["ipv4", "ipv6"]
    } else {
        &["ipv4"]
    };
    for family in families {
        for step in [
            "client-fresh",
            "client-connect",
            "client-addresses",
            "client-exchange",
            "client-peer-closed",
        ] {
            want.push(format!("ok {step}-{family}"));
        }
    }
    want.push("ok p2_tcp".to_string());
    assert_eq!(lines(&out), want);
}

/// The rules for a guest listening on `port` of 127.0.0.1 and accepting
/// peers from `peers`, whose own ports the kernel picks.
fn listening(port: u16, peers: &str) -> [String; 2] {
    [
        format!("bind,listen=127.0.0.1:{port}"),
        format!("accept={peers}"),
    ]
}

/// A guest listener accepts a peer it was granted: the accepted socket is
/// connected, with the peer's address and the listener's local address,
/// carries the options the WIT says it inherits, and its streams work.
/// The guest cannot tell the test its port while it runs, so the test
/// picks a free one and connects in a bounded retry loop until the guest
/// listens.
#[test]
fn a_listener_accepts_a_granted_peer() {
    let port = free_port();
    let rules = listening(port, "127.0.0.1");
    let peer = thread::spawn(move || {
        let mut stream = connect_retrying(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        stream.write_all(b"hello guest").expect("send");
        let want = format!("peer port={}", stream.local_addr().expect("address").port());
        let mut got = vec![0; want.len()];
        stream.read_exact(&mut got).expect("the guest's answer");
        assert_eq!(String::from_utf8_lossy(&got), want);
    });
    let out = run("p2_tcp", &["server", &port.to_string()], b"", grant(&rules));
    peer.join().expect("the peer's checks");
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok server-listen",
            "ok server-accept",
            "ok server-accepted-inherits",
            "ok server-exchange",
            "ok server-peer-closed",
            "ok server-still-listening",
            "ok p2_tcp",
        ]
    );
}

/// Every option of an IPv4 and an IPv6 socket reads back what was set,
/// refuses 0 with `invalid-argument` as the WIT says (leaving the value as
/// it was), and clamps the largest value instead of refusing it. The
/// values recorded are Linux's: keep-alive times in whole seconds up to
/// 32767, at most 127 probes, buffers reported doubled.
#[test]
fn every_option_round_trips_refuses_zero_and_clamps() {
    let out = run("p2_tcp", &["options"], b"", |b| {
        b.allow_net("bind=127.0.0.1:0".parse().expect("rule"));
    });
    out.expect_exit(0);
    let mut want = Vec::new();
    for family in ["ipv4", "ipv6"] {
        want.push(format!("ok keep-alive-enabled-{family}"));
        for name in ["keep-alive-idle-time", "keep-alive-interval"] {
            want.push(format!("got {name}-rounded-{family} 2000000000"));
            want.push(format!("got {name}-max-{family} 32767000000000"));
            want.push(format!("ok {name}-{family}"));
        }
        want.push(format!("got keep-alive-count-max-{family} 127"));
        want.push(format!("ok keep-alive-count-{family}"));
        want.push(format!("ok hop-limit-{family}"));
        for name in ["receive-buffer-size", "send-buffer-size"] {
            want.push(format!("got {name}-{family} 16384"));
            want.push(format!("ok {name}-{family}"));
        }
        want.push(format!("ok listen-backlog-size-{family}"));
    }
    want.push("ok p2_tcp".to_string());
    assert_eq!(lines(&out), want);
}

/// Every call made in a state it is not for answers the WIT's code and
/// changes nothing: `not-in-progress` for a finish without its start,
/// `concurrency-conflict` for a start while another operation is in
/// progress, `invalid-state` otherwise, and `invalid-argument` for an
/// address of the other family. A refused connect leaves the socket
/// `closed`, where only dropping is left.
#[test]
fn each_call_in_the_wrong_state_gets_the_wit_code() {
    let (open, open_port) = listener();
    let closed_port = free_port();
    let rules = [
        "bind,listen=127.0.0.1".to_string(),
        format!("connect=127.0.0.1:{open_port}"),
        format!("connect=127.0.0.1:{closed_port}"),
    ];
    let out = run(
        "p2_tcp",
        &["states", &open_port.to_string(), &closed_port.to_string()],
        b"",
        grant(&rules),
    );
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok unbound",
            "ok bind-wrong-family",
            "ok bind-in-progress",
            "ok bound",
            "ok listen-in-progress",
            "ok listening",
            "ok connect-in-progress",
            "ok connected",
            "ok shutdown-idempotent",
            "ok connect-refused",
            "got finish-connect-closed not-in-progress",
            "ok closed",
            "ok p2_tcp",
        ]
    );
    // The one connect the guest made, and nothing else.
    assert_eq!(pending(&open), 1);
}

/// A guest granted no TCP use gets no host socket at all: creating one is
/// `access-denied`, whether nothing was granted, TCP was switched off
/// under a grant of everything, or only UDP was granted.
#[test]
fn without_a_tcp_grant_no_socket_is_created() {
    type Configure = Box<dyn FnOnce(&mut WasiCtxBuilder)>;
    let configs: [(&str, Configure); 3] = [
        ("nothing granted", Box::new(|_| {})),
        (
            "tcp switched off",
            Box::new(|b| {
                b.inherit_network().allow_tcp(false);
            }),
        ),
        (
            "udp only",
            Box::new(|b| {
                b.allow_net("send=127.0.0.1".parse().expect("rule"));
            }),
        ),
    ];
    for (what, configure) in configs {
        let out = run("p2_tcp", &["nothing"], b"", configure);
        out.expect_exit(0);
        assert_eq!(lines(&out), ["ok create-denied", "ok p2_tcp"], "{what}");
    }
}

/// Connects, binds and listens that no rule grants are `access-denied`,
/// and nothing reaches the wire: the listeners the guest tried to reach
/// see no connection. A refused bind leaves the socket unbound for another
/// try; a refused connect or listen leaves it `closed`, as any failed one
/// does.
#[test]
fn refused_connects_binds_and_listens_leave_no_trace() {
    let (l4, port4) = listener();
    let v6 = listener6();
    // Without IPv6 loopback the guest's IPv6 connect is refused all the
    // same, before any system call.
    let port6 = v6.as_ref().map_or_else(free_port, |(_, port)| *port);
    let out = run(
        "p2_tcp",
        &["denied", &port4.to_string(), &port6.to_string()],
        b"",
        |b| {
            b.allow_net("bind=127.0.0.1:0".parse().expect("rule"));
        },
    );
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok connect-denied",
            "ok connect-denied-bound",
            "ok bind-denied",
            "ok listen-denied",
            "ok ipv6-denied",
            "ok p2_tcp",
        ]
    );
    assert_eq!(pending(&l4), 0, "a refused connect reached the IPv4 peer");
    if let Some((l6, _)) = v6 {
        assert_eq!(pending(&l6), 0, "a refused connect reached the IPv6 peer");
    }
}

/// A listening guest never gets a connection from a peer no accept rule
/// grants: the kernel completes the handshake, but `accept` resets the
/// connection and answers `would-block`, and the peer reads the reset.
#[test]
fn a_peer_not_granted_is_reset_and_never_accepted() {
    let port = free_port();
    // The peer connects from 127.0.0.1, which this does not cover.
    let rules = listening(port, "127.0.0.2");
    let peer = thread::spawn(move || {
        let mut stream = connect_retrying(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        let mut buf = [0; 16];
        match stream.read(&mut buf) {
            Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
            other => panic!("the refused peer read {other:?}, not a reset"),
        }
    });
    let out = run(
        "p2_tcp",
        &["accept-denied", &port.to_string()],
        b"",
        grant(&rules),
    );
    peer.join().expect("the peer's checks");
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        ["ok listen", "ok accept-refused-peer", "ok p2_tcp"]
    );
}

/// Four consecutive free ports P..P+3, each with a listener, for a range
/// rule's edges; bounded attempts.
fn four_listeners() -> (u16, Vec<TcpListener>) {
    for _ in 0..100 {
        let (first, base) = listener();
        if base > 65535 - 3 {
            continue;
        }
        let rest: Option<Vec<TcpListener>> = (1..4)
            .map(|i| TcpListener::bind((Ipv4Addr::LOCALHOST, base + i)).ok())
            .collect();
        if let Some(rest) = rest {
            let mut all = vec![first];
            all.extend(rest);
            return (base, all);
        }
    }
    panic!("no four consecutive free ports");
}

/// A granted port range is honoured exactly: its first and last ports are
/// let through, the ports just outside it are refused, and only the
/// listeners inside it see a connection.
#[test]
fn a_port_range_is_honoured_at_its_edges() {
    let (base, listeners) = four_listeners();
    let rules = [format!("connect=127.0.0.1:{}-{}", base + 1, base + 2)];
    let out = run("p2_tcp", &["range", &base.to_string()], b"", grant(&rules));
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok range-below",
            "ok range-low-edge",
            "ok range-high-edge",
            "ok range-above",
            "ok p2_tcp",
        ]
    );
    let seen: Vec<usize> = listeners.iter().map(pending).collect();
    assert_eq!(seen, [0, 1, 1, 0]);
}

/// Addresses wasi:sockets calls invalid (unspecified, port 0, multicast,
/// broadcast, the other family, IPv4-mapped IPv6) are `invalid-argument`
/// for connect and bind, refused before anything is tried so that the
/// socket stays usable. A granted bind to an address in use or not the
/// host's gets the WIT's code for each and leaves the socket unbound for
/// another try. Backlogs up to `u64::MAX` are clamped, not refused,
/// before and while listening.
#[test]
fn invalid_addresses_are_refused_and_huge_backlogs_clamped() {
    let (_taken, port) = listener();
    let rules = [
        "bind=127.0.0.1:0".to_string(),
        "bind=[::1]:0".to_string(),
        format!("bind=127.0.0.1:{port}"),
        // TEST-NET-1: never an address of this host.
        "bind=192.0.2.1:0".to_string(),
        "listen=127.0.0.1".to_string(),
    ];
    let out = run("p2_tcp", &["bad", &port.to_string()], b"", grant(&rules));
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok connect-unspecified",
            "ok connect-port-zero",
            "ok connect-multicast",
            "ok connect-broadcast",
            "ok connect-wrong-family",
            "ok connect-ipv6",
            "ok still-usable",
            "ok bind-invalid",
            "ok bind-unavailable",
            "ok backlog-huge",
            "ok p2_tcp",
        ]
    );
}

/// A guest creating 10,000 sockets ends at the table's limit with
/// `new-socket-limit`, stays there without trapping, and can make sockets
/// again once it drops them. The limit is kept small so that the host
/// descriptors the guest holds cannot starve tests running beside it.
#[test]
fn ten_thousand_sockets_end_at_the_limit() {
    let limit = 64;
    let out = run("p2_tcp", &["many"], b"", |b| {
        b.allow_net("bind=127.0.0.1:0".parse().expect("rule"))
            .max_open_fds(limit);
    });
    out.expect_exit(0);
    let got = lines(&out);
    assert_eq!(got.len(), 4, "{got:?}");
    let made: u32 = got[0]
        .strip_prefix("got sockets ")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{got:?}"));
    assert!(
        made > 0 && made <= limit,
        "{made} sockets under a limit of {limit}"
    );
    assert_eq!(got[1..], ["ok limit", "ok after-drop", "ok p2_tcp"]);
}

/// With the guest's table too full for an accepted socket and its two
/// streams, `accept` answers `new-socket-limit` and leaves the connection
/// queued rather than taking it only to lose it: once the guest makes
/// room, the same connection is accepted and its data read, and the peer
/// sees an orderly close, not a reset.
#[test]
fn accept_at_the_table_limit_keeps_the_connection_queued() {
    let port = free_port();
    let rules = listening(port, "127.0.0.1");
    let peer = thread::spawn(move || {
        let mut stream = connect_retrying(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        stream.write_all(b"queued").expect("send");
        assert_eq!(read_to_end(&mut stream), b"");
    });
    let out = run("p2_tcp", &["accept-limit", &port.to_string()], b"", |b| {
        grant(&rules)(b);
        b.max_open_fds(64);
    });
    peer.join().expect("the peer's checks");
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok table-full",
            "ok accept-at-limit",
            "ok accept-after-room",
            "ok p2_tcp",
        ]
    );
}

/// Each half of a connection ends on its own: after the guest shuts its
/// sending half the peer reads the end while the guest still reads, and
/// after the peer shuts its sending half the guest reads the end while it
/// still writes. Shutting a half down again is no error, as the WIT says,
/// even once the peer has ended the connection too (where the host's own
/// `shutdown` would say `ENOTCONN`).
#[test]
fn half_closed_connections_keep_the_other_direction() {
    let (listener, port) = listener();
    let peer = thread::spawn(move || {
        let mut first = accept_within(&listener);
        assert_eq!(read_to_end(&mut first), b"ping");
        first.write_all(b"pong").expect("answer");
        first.shutdown(Shutdown::Write).expect("shutdown");
        let mut second = accept_within(&listener);
        second.shutdown(Shutdown::Write).expect("shutdown");
        assert_eq!(read_to_end(&mut second), b"still-open");
    });
    let out = run(
        "p2_tcp",
        &["half-close", &port.to_string()],
        b"",
        grant(&[format!("connect=127.0.0.1:{port}")]),
    );
    peer.join().expect("the peer's checks");
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok shutdown-send",
            "ok read-after-shutdown-send",
            "ok write-after-shutdown-send-closed",
            "got shutdown-after-both-ends ok",
            "ok peer-shutdown-read-closed",
            "ok write-after-peer-shutdown",
            "ok shutdown-receive-then-both",
            "ok p2_tcp",
        ]
    );
}
