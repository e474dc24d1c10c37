use std::net::UdpSocket as HostPeer;
use std::time::Duration;

use super::incoming_datagram_stream as incoming;
use super::outgoing_datagram_stream as outgoing;
use super::*;
use crate::p2::io::poll;
use crate::p2::sockets::network::instance_network;
use crate::p2::sockets::udp_create_socket::create_udp_socket;
use crate::p2::testing::{blocking, ctx};
use crate::WasiCtxBuilder;

/// The longest a test waits for a datagram.
const WAIT: Duration = Duration::from_secs(2);

fn peer() -> HostPeer {
    let peer = HostPeer::bind("127.0.0.1:0").expect("host peer");
    peer.set_read_timeout(Some(Duration::from_millis(200)))
        .expect("read timeout");
    peer
}

fn addr(peer: &HostPeer) -> SocketAddr {
    peer.local_addr().expect("peer address")
}

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("address")
}

/// Grants binding on loopback, and sending to and hearing from `peers`.
fn grant(b: &mut WasiCtxBuilder, peers: &[SocketAddr]) {
    b.allow_net("bind=127.0.0.1".parse().expect("rule"));
    for peer in peers {
        b.allow_net(format!("send,receive={peer}").parse().expect("rule"));
    }
}

fn code<T: std::fmt::Debug>(result: SocketResult<T>) -> ErrorCode {
    match result {
        Err(Failure::Error(code)) => code,
        other => panic!("expected an error code, got {other:?}"),
    }
}

fn traps<T: std::fmt::Debug>(result: SocketResult<T>) {
    match result {
        Err(Failure::Trap(_)) => {}
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// A socket bound to loopback through start-bind and finish-bind.
fn bound_socket(ctx: &mut WasiP2Ctx) -> Resource<UdpSocket> {
    let socket = create_udp_socket(ctx, IpFamily::Ipv4).expect("socket");
    let network = instance_network(ctx).expect("network");
    udp_socket::start_bind(ctx, socket, network, loopback()).expect("start-bind");
    udp_socket::finish_bind(ctx, socket).expect("finish-bind");
    crate::p2::sockets::network::drop(ctx, network).expect("drop network");
    socket
}

/// Waits on `pollable`, at most [`WAIT`]; whether it became ready.
fn ready_within(ctx: &mut WasiP2Ctx, pollable: Resource<Pollable>) -> bool {
    let at = ctx.grants.monotonic_clock.now() + WAIT.as_nanos() as u64;
    let deadline = poll::subscribe_deadline(ctx, at).expect("deadline");
    let ready = blocking(poll::poll(ctx, &[pollable, deadline])).expect("poll");
    poll::drop(ctx, deadline).expect("drop deadline");
    ready.contains(&0)
}

/// Receives until `want` datagrams came or [`WAIT`] passed, waiting on the
/// stream's pollable in between; a bounded number of rounds.
fn receive_some(
    ctx: &mut WasiP2Ctx,
    stream: Resource<IncomingDatagramStream>,
    want: usize,
) -> Vec<IncomingDatagram> {
    let mut got = Vec::new();
    let pollable = incoming::subscribe(ctx, stream).expect("subscribe");
    for _ in 0..50 {
        if got.len() >= want {
            break;
        }
        if !ready_within(ctx, pollable) {
            break;
        }
        got.extend(incoming::receive(ctx, stream, 16).expect("receive"));
    }
    poll::drop(ctx, pollable).expect("drop pollable");
    got
}

/// Sends `datagrams` after the check-send that permits them, waiting on
/// the stream's pollable while the permit is 0.
fn send_all(
    ctx: &mut WasiP2Ctx,
    stream: Resource<OutgoingDatagramStream>,
    datagrams: &[OutgoingDatagram],
) -> SocketResult<u64> {
    let pollable = outgoing::subscribe(ctx, stream).expect("subscribe");
    let mut permit = 0;
    for _ in 0..50 {
        permit = outgoing::check_send(ctx, stream)?;
        if permit >= datagrams.len() as u64 {
            break;
        }
        assert!(ready_within(ctx, pollable), "never writable");
    }
    assert!(permit >= datagrams.len() as u64);
    let sent = outgoing::send(ctx, stream, datagrams);
    poll::drop(ctx, pollable).expect("drop pollable");
    sent
}

fn datagram(data: &[u8], to: Option<SocketAddr>) -> OutgoingDatagram {
    OutgoingDatagram {
        data: data.to_vec(),
        remote_address: to,
    }
}

fn drop_pair(
    ctx: &mut WasiP2Ctx,
    (rx, tx): (
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    ),
) {
    incoming::drop(ctx, rx).expect("drop incoming");
    outgoing::drop(ctx, tx).expect("drop outgoing");
}

#[test]
fn ping_pong_connected() {
    let host = peer();
    let mut ctx = ctx(|b| grant(b, &[addr(&host)]));
    let socket = bound_socket(&mut ctx);
    let local = udp_socket::local_address(&ctx, socket).expect("local address");
    assert_eq!(local.ip(), loopback().ip());
    assert_ne!(local.port(), 0);

    let (rx, tx) = udp_socket::stream(&mut ctx, socket, Some(addr(&host))).expect("stream");
    assert_eq!(udp_socket::remote_address(&ctx, socket), Ok(addr(&host)));
    let sent = send_all(
        &mut ctx,
        tx,
        &[
            datagram(b"ping", None),
            datagram(b"ping2", Some(addr(&host))),
        ],
    );
    assert_eq!(sent, Ok(2));
    let mut buf = [0u8; 64];
    for want in [&b"ping"[..], &b"ping2"[..]] {
        let (n, from) = host.recv_from(&mut buf).expect("the peer hears the guest");
        assert_eq!(&buf[..n], want);
        assert_eq!(from, local);
    }

    host.send_to(b"pong", local).expect("host send");
    let got = receive_some(&mut ctx, rx, 1);
    assert_eq!(
        got,
        vec![IncomingDatagram {
            data: b"pong".to_vec(),
            remote_address: addr(&host),
        }]
    );

    // A destination other than the stream's peer is invalid.
    let other: SocketAddr = "127.0.0.1:9".parse().expect("address");
    assert_eq!(
        code(send_all(&mut ctx, tx, &[datagram(b"x", Some(other))])),
        ErrorCode::InvalidArgument
    );
    drop_pair(&mut ctx, (rx, tx));
    udp_socket::drop(&mut ctx, socket).expect("drop socket");
}

#[test]
fn ping_pong_unconnected() {
    let (one, two) = (peer(), peer());
    let mut ctx = ctx(|b| grant(b, &[addr(&one), addr(&two)]));
    let socket = bound_socket(&mut ctx);
    let local = udp_socket::local_address(&ctx, socket).expect("local address");
    let (rx, tx) = udp_socket::stream(&mut ctx, socket, None).expect("stream");
    assert_eq!(
        code(udp_socket::remote_address(&ctx, socket)),
        ErrorCode::InvalidState
    );

    let sent = send_all(
        &mut ctx,
        tx,
        &[
            datagram(b"to one", Some(addr(&one))),
            datagram(b"to two", Some(addr(&two))),
        ],
    );
    assert_eq!(sent, Ok(2));
    let mut buf = [0u8; 64];
    let (n, from) = one.recv_from(&mut buf).expect("one hears");
    assert_eq!((&buf[..n], from), (&b"to one"[..], local));
    let (n, from) = two.recv_from(&mut buf).expect("two hears");
    assert_eq!((&buf[..n], from), (&b"to two"[..], local));

    one.send_to(b"from one", local).expect("host send");
    two.send_to(b"from two", local).expect("host send");
    let mut got = receive_some(&mut ctx, rx, 2);
    got.sort_by(|a, b| a.data.cmp(&b.data));
    assert_eq!(
        got,
        vec![
            IncomingDatagram {
                data: b"from one".to_vec(),
                remote_address: addr(&one),
            },
            IncomingDatagram {
                data: b"from two".to_vec(),
                remote_address: addr(&two),
            },
        ]
    );

    // Without a peer, a destination is required.
    assert_eq!(
        code(send_all(&mut ctx, tx, &[datagram(b"x", None)])),
        ErrorCode::InvalidArgument
    );
    // Nothing asked for, nothing received.
    assert_eq!(incoming::receive(&mut ctx, rx, 0), Ok(Vec::new()));
    drop_pair(&mut ctx, (rx, tx));
    udp_socket::drop(&mut ctx, socket).expect("drop socket");
}

#[test]
fn calls_out_of_order_get_the_documented_codes() {
    let host = peer();
    let mut ctx = ctx(|b| grant(b, &[addr(&host)]));
    let network = instance_network(&mut ctx).expect("network");
    let socket = create_udp_socket(&mut ctx, IpFamily::Ipv4).expect("socket");
    assert_eq!(udp_socket::address_family(&ctx, socket), Ok(IpFamily::Ipv4));

    // Unbound.
    assert_eq!(
        code(udp_socket::stream(&mut ctx, socket, None)),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(udp_socket::stream(&mut ctx, socket, Some(addr(&host)))),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(udp_socket::finish_bind(&mut ctx, socket)),
        ErrorCode::NotInProgress
    );
    assert_eq!(
        code(udp_socket::local_address(&ctx, socket)),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(udp_socket::remote_address(&ctx, socket)),
        ErrorCode::InvalidState
    );
    // The wrong family, and an address not granted, leave it unbound.
    assert_eq!(
        code(udp_socket::start_bind(
            &mut ctx,
            socket,
            network,
            "[::1]:0".parse().expect("address")
        )),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(udp_socket::start_bind(
            &mut ctx,
            socket,
            network,
            "127.0.0.2:0".parse().expect("address")
        )),
        ErrorCode::AccessDenied
    );

    // Bind in progress.
    udp_socket::start_bind(&mut ctx, socket, network, loopback()).expect("start-bind");
    assert_eq!(
        code(udp_socket::start_bind(
            &mut ctx,
            socket,
            network,
            loopback()
        )),
        ErrorCode::ConcurrencyConflict
    );
    assert_eq!(
        code(udp_socket::stream(&mut ctx, socket, None)),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(udp_socket::local_address(&ctx, socket)),
        ErrorCode::InvalidState
    );

    // Bound.
    assert_eq!(udp_socket::finish_bind(&mut ctx, socket), Ok(()));
    assert_eq!(
        code(udp_socket::finish_bind(&mut ctx, socket)),
        ErrorCode::NotInProgress
    );
    assert_eq!(
        code(udp_socket::start_bind(
            &mut ctx,
            socket,
            network,
            loopback()
        )),
        ErrorCode::InvalidState
    );
    assert!(udp_socket::local_address(&ctx, socket).is_ok());

    // Invalid remote addresses.
    for bad in ["0.0.0.0:9", "127.0.0.1:0", "[::1]:9"] {
        assert_eq!(
            code(udp_socket::stream(
                &mut ctx,
                socket,
                Some(bad.parse().expect("address"))
            )),
            ErrorCode::InvalidArgument,
            "{bad}"
        );
    }

    // Options.
    assert_eq!(
        code(udp_socket::set_unicast_hop_limit(&ctx, socket, 0)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(udp_socket::set_unicast_hop_limit(&ctx, socket, 42), Ok(()));
    assert_eq!(udp_socket::unicast_hop_limit(&ctx, socket), Ok(42));
    assert_eq!(
        code(udp_socket::set_receive_buffer_size(&ctx, socket, 0)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        code(udp_socket::set_send_buffer_size(&ctx, socket, 0)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        udp_socket::set_receive_buffer_size(&ctx, socket, 8192),
        Ok(())
    );
    assert_eq!(udp_socket::set_send_buffer_size(&ctx, socket, 8192), Ok(()));
    assert!(udp_socket::receive_buffer_size(&ctx, socket).is_ok_and(|n| n > 0));
    assert!(udp_socket::send_buffer_size(&ctx, socket).is_ok_and(|n| n > 0));

    // The socket's own pollable is ready at once.
    let pollable = udp_socket::subscribe(&mut ctx, socket).expect("subscribe");
    assert_eq!(poll::ready(&ctx, pollable), Ok(true));
    assert!(udp_socket::drop(&mut ctx, socket).is_err());
    poll::drop(&mut ctx, pollable).expect("drop pollable");
    udp_socket::drop(&mut ctx, socket).expect("drop socket");
    // Dropped handles trap.
    traps(udp_socket::finish_bind(&mut ctx, socket));
}

#[test]
fn send_needs_a_permit_from_check_send() {
    let host = peer();
    let mut ctx = ctx(|b| grant(b, &[addr(&host)]));
    let socket = bound_socket(&mut ctx);
    let (rx, tx) = udp_socket::stream(&mut ctx, socket, Some(addr(&host))).expect("stream");
    // An empty list needs no permit.
    assert_eq!(outgoing::send(&mut ctx, tx, &[]), Ok(0));
    traps(outgoing::send(&mut ctx, tx, &[datagram(b"x", None)]));
    let permit = outgoing::check_send(&mut ctx, tx).expect("check-send");
    assert!(permit > 0);
    let too_many = vec![datagram(b"x", None); permit as usize + 1];
    traps(outgoing::send(&mut ctx, tx, &too_many));
    // The trap used the permit up.
    traps(outgoing::send(&mut ctx, tx, &[datagram(b"x", None)]));
    assert_eq!(outgoing::check_send(&mut ctx, tx), Ok(permit));
    assert_eq!(outgoing::send(&mut ctx, tx, &[datagram(b"x", None)]), Ok(1));
    // And so did the send.
    traps(outgoing::send(&mut ctx, tx, &[datagram(b"x", None)]));
    drop_pair(&mut ctx, (rx, tx));
}

#[test]
fn policy_refuses_sends_and_drops_datagrams_not_granted() {
    let (granted, stranger) = (peer(), peer());
    let mut ctx = ctx(|b| grant(b, &[addr(&granted)]));
    let socket = bound_socket(&mut ctx);
    let local = udp_socket::local_address(&ctx, socket).expect("local address");

    // A stream to a peer not granted is refused.
    assert_eq!(
        code(udp_socket::stream(&mut ctx, socket, Some(addr(&stranger)))),
        ErrorCode::AccessDenied
    );
    let (rx, tx) = udp_socket::stream(&mut ctx, socket, None).expect("stream");
    assert_eq!(
        code(send_all(
            &mut ctx,
            tx,
            &[datagram(b"secret", Some(addr(&stranger)))]
        )),
        ErrorCode::AccessDenied
    );
    // The first datagram was sent; the refused one ends the call.
    assert_eq!(
        send_all(
            &mut ctx,
            tx,
            &[
                datagram(b"ok", Some(addr(&granted))),
                datagram(b"secret", Some(addr(&stranger))),
            ]
        ),
        Ok(1)
    );
    let mut buf = [0u8; 64];
    assert!(
        stranger.recv_from(&mut buf).is_err(),
        "an address not granted heard the guest"
    );
    let (n, _) = granted.recv_from(&mut buf).expect("the granted peer hears");
    assert_eq!(&buf[..n], b"ok");

    // The stranger's datagram is dropped; the granted one's comes.
    stranger.send_to(b"intrusion", local).expect("host send");
    granted.send_to(b"welcome", local).expect("host send");
    let got = receive_some(&mut ctx, rx, 1);
    assert_eq!(
        got,
        vec![IncomingDatagram {
            data: b"welcome".to_vec(),
            remote_address: addr(&granted),
        }]
    );
    assert_eq!(incoming::receive(&mut ctx, rx, 16), Ok(Vec::new()));
    drop_pair(&mut ctx, (rx, tx));
}

#[test]
fn a_guest_granted_nothing_udp_gets_no_socket() {
    let mut ctx = ctx(|b| {
        b.allow_net("tcp-connect=127.0.0.1".parse().expect("rule"));
    });
    assert_eq!(
        code(create_udp_socket(&mut ctx, IpFamily::Ipv4)),
        ErrorCode::AccessDenied
    );
}

#[test]
fn stream_again_retires_the_old_pair() {
    let (one, two) = (peer(), peer());
    let mut ctx = ctx(|b| grant(b, &[addr(&one), addr(&two)]));
    let socket = bound_socket(&mut ctx);
    let local = udp_socket::local_address(&ctx, socket).expect("local address");
    let (old_rx, old_tx) = udp_socket::stream(&mut ctx, socket, Some(addr(&one))).expect("stream");
    let permit = outgoing::check_send(&mut ctx, old_tx).expect("check-send");
    assert!(permit > 0);

    // A failed call changes nothing: the old pair still works.
    assert_eq!(
        code(udp_socket::stream(
            &mut ctx,
            socket,
            Some("127.0.0.1:0".parse().expect("address"))
        )),
        ErrorCode::InvalidArgument
    );
    assert_eq!(outgoing::check_send(&mut ctx, old_tx), Ok(permit));

    let (rx, tx) = udp_socket::stream(&mut ctx, socket, Some(addr(&two))).expect("stream");
    assert_eq!(udp_socket::remote_address(&ctx, socket), Ok(addr(&two)));

    // The old pair no longer works; its pollables are ready at once.
    assert_eq!(
        code(outgoing::send(&mut ctx, old_tx, &[datagram(b"x", None)])),
        ErrorCode::InvalidState
    );
    assert_eq!(
        code(outgoing::check_send(&mut ctx, old_tx)),
        ErrorCode::InvalidState
    );
    traps(outgoing::send(&mut ctx, old_tx, &[datagram(b"x", None)]));
    assert_eq!(
        code(incoming::receive(&mut ctx, old_rx, 1)),
        ErrorCode::InvalidState
    );
    let old_in = incoming::subscribe(&mut ctx, old_rx).expect("subscribe");
    let old_out = outgoing::subscribe(&mut ctx, old_tx).expect("subscribe");
    assert_eq!(poll::ready(&ctx, old_in), Ok(true));
    assert_eq!(poll::ready(&ctx, old_out), Ok(true));
    poll::drop(&mut ctx, old_in).expect("drop");
    poll::drop(&mut ctx, old_out).expect("drop");

    // The new pair talks to the new peer only.
    assert_eq!(send_all(&mut ctx, tx, &[datagram(b"hi", None)]), Ok(1));
    let mut buf = [0u8; 16];
    let (n, _) = two.recv_from(&mut buf).expect("two hears");
    assert_eq!(&buf[..n], b"hi");
    one.send_to(b"stale", local).expect("host send");
    two.send_to(b"fresh", local).expect("host send");
    let got = receive_some(&mut ctx, rx, 1);
    assert_eq!(
        got,
        vec![IncomingDatagram {
            data: b"fresh".to_vec(),
            remote_address: addr(&two),
        }]
    );

    // The socket outlives both pairs.
    assert!(udp_socket::drop(&mut ctx, socket).is_err());
    drop_pair(&mut ctx, (old_rx, old_tx));
    assert!(udp_socket::drop(&mut ctx, socket).is_err());
    drop_pair(&mut ctx, (rx, tx));
    udp_socket::drop(&mut ctx, socket).expect("drop socket");
}
