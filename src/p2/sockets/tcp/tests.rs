//! Loopback tests of the TCP state machine. Every host wait has a
//! timeout, and every loop a bound.

use std::fmt::Debug;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use super::tcp_socket::*;
use super::*;
use crate::net::AddressPolicy;
use crate::p2::io::{poll, streams};
use crate::p2::sockets::network::instance_network;
use crate::p2::sockets::tcp_create_socket::create_tcp_socket;
use crate::p2::testing::{blocking, ctx};

/// The most times a test retries a call that answers `would-block`.
const TRIES: usize = 1_000;

/// The longest a host socket in these tests waits.
const HOST_WAIT: Duration = Duration::from_secs(5);

fn granting(rules: &[&str]) -> WasiP2Ctx {
    ctx(|b| {
        for rule in rules {
            b.allow_net(rule.parse().expect("rule"));
        }
    })
}

fn everything() -> WasiP2Ctx {
    ctx(|b| {
        b.inherit_network();
    })
}

fn ok<T, E: Debug>(result: Result<T, E>) -> T {
    match result {
        Ok(value) => value,
        Err(e) => panic!("unexpected failure: {e:?}"),
    }
}

fn code<T: Debug>(result: SocketResult<T>) -> ErrorCode {
    match result {
        Err(Failure::Error(code)) => code,
        other => panic!("expected an error code, got {other:?}"),
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

fn host_listener() -> (TcpListener, SocketAddr) {
    let listener = ok(TcpListener::bind(loopback(0)));
    let addr = ok(listener.local_addr());
    (listener, addr)
}

fn state(ctx: &WasiP2Ctx, socket: Resource<TcpSocket>) -> State {
    ok(ctx.table.get(socket)).state()
}

/// Binds `socket` to a free loopback port through `network`.
fn bind(ctx: &mut WasiP2Ctx, socket: Resource<TcpSocket>, network: Resource<Network>) {
    ok(start_bind(ctx, socket, network, loopback(0)));
    ok(finish_bind(ctx, socket));
}

/// A listening socket on a free loopback port, and its address.
fn listening(ctx: &mut WasiP2Ctx) -> (Resource<TcpSocket>, SocketAddr) {
    let network = ok(instance_network(ctx));
    let socket = ok(create_tcp_socket(ctx, IpFamily::Ipv4));
    bind(ctx, socket, network);
    ok(start_listen(ctx, socket));
    ok(finish_listen(ctx, socket));
    let addr = ok(local_address(ctx, socket));
    (socket, addr)
}

/// Finishes the connect `socket` started, waiting on its pollable between
/// tries.
fn finish(
    ctx: &mut WasiP2Ctx,
    socket: Resource<TcpSocket>,
) -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
    let pollable = ok(subscribe(ctx, socket));
    let mut result = finish_connect(ctx, socket);
    for _ in 0..TRIES {
        if !matches!(result, Err(Failure::Error(ErrorCode::WouldBlock))) {
            break;
        }
        ok(blocking(poll::block(ctx, pollable)));
        result = finish_connect(ctx, socket);
    }
    ok(poll::drop(ctx, pollable));
    result
}

/// Accepts a connection, waiting on the listener's pollable between tries.
#[allow(clippy::type_complexity)]
fn accept_one(
    ctx: &mut WasiP2Ctx,
    listener: Resource<TcpSocket>,
) -> (
    Resource<TcpSocket>,
    Resource<InputStream>,
    Resource<OutputStream>,
) {
    let pollable = ok(subscribe(ctx, listener));
    for _ in 0..TRIES {
        match accept(ctx, listener) {
            Ok(accepted) => {
                ok(poll::drop(ctx, pollable));
                return accepted;
            }
            Err(Failure::Error(ErrorCode::WouldBlock)) => {
                ok(blocking(poll::block(ctx, pollable)));
            }
            Err(e) => panic!("accept failed: {e:?}"),
        }
    }
    panic!("no connection to accept after {TRIES} tries");
}

/// Reads exactly `len` bytes from a p2 stream.
fn read_exactly(ctx: &mut WasiP2Ctx, input: Resource<InputStream>, len: usize) -> Vec<u8> {
    let mut got = Vec::new();
    for _ in 0..TRIES {
        if got.len() >= len {
            break;
        }
        let more = ok(blocking(streams::blocking_read(
            ctx,
            input,
            (len - got.len()) as u64,
        )));
        got.extend_from_slice(&more);
    }
    assert_eq!(got.len(), len);
    got
}

fn host_read(stream: &mut std::net::TcpStream, len: usize) -> Vec<u8> {
    let mut buf = vec![0; len];
    ok(stream.read_exact(&mut buf));
    buf
}

#[test]
fn a_server_accepts_a_host_client_and_echoes() {
    let mut ctx = granting(&["bind,listen,accept=127.0.0.1"]);
    let (listener, addr) = listening(&mut ctx);
    assert_eq!(is_listening(&ctx, listener), Ok(true));
    assert_eq!(address_family(&ctx, listener), Ok(IpFamily::Ipv4));
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(addr.port(), 0);

    let mut client = ok(std::net::TcpStream::connect(addr));
    ok(client.set_read_timeout(Some(HOST_WAIT)));
    let (conn, input, output) = accept_one(&mut ctx, listener);
    assert_eq!(state(&ctx, conn), State::Connected);
    assert_eq!(remote_address(&ctx, conn), Ok(ok(client.local_addr())));
    assert_eq!(local_address(&ctx, conn), Ok(addr));
    assert_eq!(is_listening(&ctx, conn), Ok(false));

    ok(client.write_all(b"ping"));
    let got = read_exactly(&mut ctx, input, 4);
    assert_eq!(got, b"ping");
    ok(blocking(streams::blocking_write_and_flush(
        &mut ctx, output, got,
    )));
    assert_eq!(host_read(&mut client, 4), b"ping");

    // Shutting the sending half down ends the client's reads.
    ok(shutdown(&ctx, conn, ShutdownType::Send));
    ok(shutdown(&ctx, conn, ShutdownType::Send));
    let mut rest = Vec::new();
    assert_eq!(client.read_to_end(&mut rest).ok(), Some(0));

    ok(streams::drop_input(&mut ctx, input));
    ok(streams::drop_output(&mut ctx, output));
    ok(tcp_socket::drop(&mut ctx, conn));
    ok(tcp_socket::drop(&mut ctx, listener));
    assert!(ctx.table.len() <= 1, "only the network is left");
}

#[test]
fn a_client_connects_to_a_host_listener() {
    let (host, addr) = host_listener();
    let mut ctx = granting(&[&format!("connect=127.0.0.1:{}", addr.port())]);
    let network = ok(instance_network(&mut ctx));
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    ok(start_connect(&mut ctx, socket, network, addr));
    assert_eq!(state(&ctx, socket), State::ConnectStarted);
    let (input, output) = ok(finish(&mut ctx, socket));
    assert_eq!(state(&ctx, socket), State::Connected);
    assert_eq!(remote_address(&ctx, socket), Ok(addr));

    let (mut peer, from) = ok(host.accept());
    assert_eq!(local_address(&ctx, socket), Ok(from));
    ok(peer.set_read_timeout(Some(HOST_WAIT)));
    ok(blocking(streams::blocking_write_and_flush(
        &mut ctx,
        output,
        b"hello".to_vec(),
    )));
    assert_eq!(host_read(&mut peer, 5), b"hello");
    ok(peer.write_all(b"world"));
    assert_eq!(read_exactly(&mut ctx, input, 5), b"world");

    // The peer ends the connection: the input stream ends.
    std::mem::drop(peer);
    let mut ended = false;
    for _ in 0..TRIES {
        match blocking(streams::blocking_read(&mut ctx, input, 16)) {
            Ok(bytes) if bytes.is_empty() => continue,
            Ok(bytes) => panic!("unexpected bytes {bytes:?}"),
            Err(_) => {
                ended = true;
                break;
            }
        }
    }
    assert!(ended);
}

#[test]
fn a_refused_connect_closes_the_socket() {
    // A port nobody listens on: bound once, then let go.
    let (host, addr) = host_listener();
    std::mem::drop(host);
    let mut ctx = everything();
    let network = ok(instance_network(&mut ctx));
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    let result = start_connect(&mut ctx, socket, network, addr)
        .and_then(|()| finish(&mut ctx, socket).map(|_| ()));
    assert_eq!(code(result), ErrorCode::ConnectionRefused);
    assert_eq!(state(&ctx, socket), State::Closed);
    assert_eq!(
        code(finish_connect(&mut ctx, socket)),
        ErrorCode::NotInProgress
    );
}

/// A socket in `wanted`, made with every grant; `host` is a listener for
/// the states that need a peer.
fn socket_in(ctx: &mut WasiP2Ctx, wanted: State, host: SocketAddr) -> Resource<TcpSocket> {
    let network = ok(instance_network(ctx));
    let socket = ok(create_tcp_socket(ctx, IpFamily::Ipv4));
    match wanted {
        State::Unbound => {}
        State::BindStarted => ok(start_bind(ctx, socket, network, loopback(0))),
        State::Bound => bind(ctx, socket, network),
        State::ListenStarted => {
            bind(ctx, socket, network);
            ok(start_listen(ctx, socket));
        }
        State::Listening => {
            bind(ctx, socket, network);
            ok(start_listen(ctx, socket));
            ok(finish_listen(ctx, socket));
        }
        State::ConnectStarted => ok(start_connect(ctx, socket, network, host)),
        State::Connected => {
            ok(start_connect(ctx, socket, network, host));
            let (input, output) = ok(finish(ctx, socket));
            ok(streams::drop_input(ctx, input));
            ok(streams::drop_output(ctx, output));
        }
        State::Closed => {
            // A listen refused by the network the socket was bound
            // through closes the socket.
            let deny = ok(ctx.table.push(Network {
                policy: Arc::new(AddressPolicy::new()),
            }));
            ok(start_bind(ctx, socket, network, loopback(0)));
            ok(finish_bind(ctx, socket));
            // Swap in the network that refuses, as if bound through it.
            let policy = Arc::clone(&ok(ctx.table.get(deny)).policy);
            ok(ctx.table.get_mut(socket)).network = Some(policy);
            assert_eq!(code(start_listen(ctx, socket)), ErrorCode::AccessDenied);
        }
    }
    assert_eq!(state(ctx, socket), wanted);
    socket
}

/// One call, as the table names it.
#[derive(Clone, Copy, Debug)]
enum Call {
    StartBind,
    FinishBind,
    StartConnect,
    FinishConnect,
    StartListen,
    FinishListen,
    Accept,
    LocalAddress,
    RemoteAddress,
    Shutdown,
    Backlog,
}

fn call(
    ctx: &mut WasiP2Ctx,
    socket: Resource<TcpSocket>,
    which: Call,
    host: SocketAddr,
) -> ErrorCode {
    let network = ok(instance_network(ctx));
    let answer = match which {
        Call::StartBind => code(start_bind(ctx, socket, network, loopback(0))),
        Call::FinishBind => code(finish_bind(ctx, socket)),
        Call::StartConnect => code(start_connect(ctx, socket, network, host)),
        Call::FinishConnect => code(finish_connect(ctx, socket)),
        Call::StartListen => code(start_listen(ctx, socket)),
        Call::FinishListen => code(finish_listen(ctx, socket)),
        Call::Accept => code(accept(ctx, socket)),
        Call::LocalAddress => code(local_address(ctx, socket)),
        Call::RemoteAddress => code(remote_address(ctx, socket)),
        Call::Shutdown => code(shutdown(ctx, socket, ShutdownType::Both)),
        Call::Backlog => code(set_listen_backlog_size(ctx, socket, 5)),
    };
    ok(crate::p2::sockets::network::drop(ctx, network));
    answer
}

#[test]
fn every_call_out_of_order_gets_its_documented_error() {
    use Call::*;
    use ErrorCode::{ConcurrencyConflict as Busy, InvalidState as Bad, NotInProgress as Idle};
    let table: &[(State, &[(Call, ErrorCode)])] = &[
        (
            State::Unbound,
            &[
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (StartListen, Bad),
                (FinishListen, Idle),
                (Accept, Bad),
                (LocalAddress, Bad),
                (RemoteAddress, Bad),
                (Shutdown, Bad),
            ],
        ),
        (
            State::BindStarted,
            &[
                (StartBind, Busy),
                (StartConnect, Busy),
                (StartListen, Busy),
                (FinishConnect, Idle),
                (FinishListen, Idle),
                (Accept, Bad),
                (LocalAddress, Bad),
                (RemoteAddress, Bad),
            ],
        ),
        (
            State::Bound,
            &[
                (StartBind, Bad),
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (FinishListen, Idle),
                (Accept, Bad),
                (RemoteAddress, Bad),
                (Shutdown, Bad),
            ],
        ),
        (
            State::ListenStarted,
            &[
                (StartBind, Busy),
                (StartConnect, Busy),
                (StartListen, Busy),
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (Accept, Bad),
                (RemoteAddress, Bad),
            ],
        ),
        (
            State::Listening,
            &[
                (StartBind, Bad),
                (StartConnect, Bad),
                (StartListen, Bad),
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (FinishListen, Idle),
                (RemoteAddress, Bad),
                (Shutdown, Bad),
            ],
        ),
        (
            State::ConnectStarted,
            &[
                (StartBind, Busy),
                (StartConnect, Busy),
                (StartListen, Busy),
                (FinishBind, Idle),
                (FinishListen, Idle),
                (Accept, Bad),
                (Backlog, Bad),
            ],
        ),
        (
            State::Connected,
            &[
                (StartBind, Bad),
                (StartConnect, Bad),
                (StartListen, Bad),
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (FinishListen, Idle),
                (Accept, Bad),
                (Backlog, Bad),
            ],
        ),
        (
            State::Closed,
            &[
                (StartBind, Bad),
                (StartConnect, Bad),
                (StartListen, Bad),
                (FinishBind, Idle),
                (FinishConnect, Idle),
                (FinishListen, Idle),
                (Accept, Bad),
                (LocalAddress, Bad),
                (RemoteAddress, Bad),
                (Shutdown, Bad),
                (Backlog, Bad),
            ],
        ),
    ];
    let (_host, host) = host_listener();
    for (from, calls) in table {
        let mut ctx = everything();
        let socket = socket_in(&mut ctx, *from, host);
        for (which, expected) in *calls {
            let answer = call(&mut ctx, socket, *which, host);
            assert_eq!(answer, *expected, "{which:?} in {from:?}");
            assert_eq!(state(&ctx, socket), *from, "{which:?} changed {from:?}");
        }
    }
}

#[test]
fn the_network_and_the_grants_decide() {
    let (host, addr) = host_listener();
    ok(host.set_nonblocking(true));
    // Granted something, so a socket can be made, but not this.
    let mut ctx = granting(&["connect=127.0.0.1:1", "bind=127.0.0.1"]);
    let network = ok(instance_network(&mut ctx));

    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    assert_eq!(
        code(start_connect(&mut ctx, socket, network, addr)),
        ErrorCode::AccessDenied
    );
    assert_eq!(state(&ctx, socket), State::Closed);
    assert_eq!(
        host.accept().err().map(|e| e.kind()),
        Some(std::io::ErrorKind::WouldBlock),
        "nothing reached the host listener"
    );

    // Bind is granted on 127.0.0.1 only.
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    let elsewhere = SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0));
    assert_eq!(
        code(start_bind(&mut ctx, socket, network, elsewhere)),
        ErrorCode::AccessDenied
    );
    assert_eq!(state(&ctx, socket), State::Unbound);

    // A network granting nothing refuses what the context would grant.
    let nothing = ok(ctx.table.push(Network {
        policy: Arc::new(AddressPolicy::new()),
    }));
    assert_eq!(
        code(start_bind(&mut ctx, socket, nothing, loopback(0))),
        ErrorCode::AccessDenied
    );
    assert_eq!(state(&ctx, socket), State::Unbound);

    // Bound, but listening is not granted.
    bind(&mut ctx, socket, network);
    let local = ok(local_address(&ctx, socket));
    assert_eq!(
        code(start_listen(&mut ctx, socket)),
        ErrorCode::AccessDenied
    );
    assert_eq!(state(&ctx, socket), State::Closed);
    assert!(
        std::net::TcpStream::connect_timeout(&local, HOST_WAIT).is_err(),
        "nobody listens"
    );

    // A socket bound through one network cannot connect through another.
    let mut ctx = everything();
    let first = ok(instance_network(&mut ctx));
    let other = ok(ctx.table.push(Network {
        policy: Arc::new(AddressPolicy::new()),
    }));
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    bind(&mut ctx, socket, first);
    assert_eq!(
        code(start_connect(&mut ctx, socket, other, addr)),
        ErrorCode::InvalidArgument
    );
    assert_eq!(state(&ctx, socket), State::Bound);

    // Granted nothing at all: no socket.
    let mut ctx = granting(&[]);
    assert_eq!(
        code(create_tcp_socket(&mut ctx, IpFamily::Ipv4)),
        ErrorCode::AccessDenied
    );
}

#[test]
fn invalid_arguments_change_nothing() {
    let mut ctx = everything();
    let network = ok(instance_network(&mut ctx));
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    let v6: SocketAddr = ok("[::1]:80".parse());
    let mapped: SocketAddr = ok("[::ffff:127.0.0.1]:80".parse());
    let multicast: SocketAddr = ok("224.0.0.1:80".parse());
    for bad in [v6, mapped, multicast] {
        assert_eq!(
            code(start_bind(&mut ctx, socket, network, bad)),
            ErrorCode::InvalidArgument,
            "bind {bad}"
        );
    }
    for bad in [
        v6,
        multicast,
        loopback(0),
        SocketAddr::from((Ipv4Addr::UNSPECIFIED, 80)),
    ] {
        assert_eq!(
            code(start_connect(&mut ctx, socket, network, bad)),
            ErrorCode::InvalidArgument,
            "connect {bad}"
        );
    }
    assert_eq!(state(&ctx, socket), State::Unbound);
    // Dropped handles trap rather than answer.
    let gone: Resource<TcpSocket> = Resource::new(socket.rep() + 100);
    assert!(matches!(finish_bind(&mut ctx, gone), Err(Failure::Trap(_))));
    assert!(is_listening(&ctx, gone).is_err());
}

#[test]
fn options_get_and_set() {
    let mut ctx = everything();
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    ok(set_keep_alive_enabled(&mut ctx, socket, true));
    assert_eq!(keep_alive_enabled(&ctx, socket), Ok(true));
    ok(set_keep_alive_enabled(&mut ctx, socket, false));
    assert_eq!(keep_alive_enabled(&ctx, socket), Ok(false));

    let second = 1_000_000_000;
    ok(set_keep_alive_idle_time(&mut ctx, socket, second + 1));
    assert_eq!(keep_alive_idle_time(&ctx, socket), Ok(2 * second));
    ok(set_keep_alive_interval(&mut ctx, socket, 3 * second));
    assert_eq!(keep_alive_interval(&ctx, socket), Ok(3 * second));
    ok(set_keep_alive_idle_time(&mut ctx, socket, u64::MAX));
    assert!(ok(keep_alive_idle_time(&ctx, socket)) > 0);
    ok(set_keep_alive_count(&mut ctx, socket, 7));
    assert_eq!(keep_alive_count(&ctx, socket), Ok(7));
    ok(set_keep_alive_count(&mut ctx, socket, u32::MAX));
    assert!(ok(keep_alive_count(&ctx, socket)) > 0);
    ok(set_hop_limit(&mut ctx, socket, 42));
    assert_eq!(hop_limit(&ctx, socket), Ok(42));
    ok(set_receive_buffer_size(&mut ctx, socket, 1 << 16));
    assert!(ok(receive_buffer_size(&ctx, socket)) > 0);
    ok(set_send_buffer_size(&mut ctx, socket, u64::MAX));
    assert!(ok(send_buffer_size(&ctx, socket)) > 0);

    for zero in [
        set_keep_alive_idle_time(&mut ctx, socket, 0),
        set_keep_alive_interval(&mut ctx, socket, 0),
        set_keep_alive_count(&mut ctx, socket, 0),
        set_hop_limit(&mut ctx, socket, 0),
        set_receive_buffer_size(&mut ctx, socket, 0),
        set_send_buffer_size(&mut ctx, socket, 0),
        set_listen_backlog_size(&mut ctx, socket, 0),
    ] {
        assert_eq!(code(zero), ErrorCode::InvalidArgument);
    }

    // The largest backlog is kept, then taken (clamped) by listen, and
    // taken again while listening.
    ok(set_listen_backlog_size(
        &mut ctx,
        socket,
        u64::from(u32::MAX),
    ));
    let network = ok(instance_network(&mut ctx));
    bind(&mut ctx, socket, network);
    ok(start_listen(&mut ctx, socket));
    ok(finish_listen(&mut ctx, socket));
    ok(set_listen_backlog_size(
        &mut ctx,
        socket,
        u64::from(u32::MAX),
    ));
    ok(set_listen_backlog_size(&mut ctx, socket, u64::MAX));
    assert_eq!(is_listening(&ctx, socket), Ok(true));
}

#[test]
fn a_socket_outlives_its_streams_and_pollables() {
    let mut ctx = everything();
    let (listener, addr) = listening(&mut ctx);
    let pollable = ok(subscribe(&mut ctx, listener));
    let _client = ok(std::net::TcpStream::connect(addr));
    let (conn, input, output) = accept_one(&mut ctx, listener);

    assert!(tcp_socket::drop(&mut ctx, listener).is_err());
    ok(poll::drop(&mut ctx, pollable));
    ok(tcp_socket::drop(&mut ctx, listener));

    assert!(tcp_socket::drop(&mut ctx, conn).is_err());
    ok(streams::drop_input(&mut ctx, input));
    assert!(tcp_socket::drop(&mut ctx, conn).is_err());
    // The output stream works with the input gone.
    ok(blocking(streams::blocking_write_and_flush(
        &mut ctx,
        output,
        b"x".to_vec(),
    )));
    ok(streams::drop_output(&mut ctx, output));
    ok(tcp_socket::drop(&mut ctx, conn));
    assert!(tcp_socket::drop(&mut ctx, conn).is_err());
}

/// One pollable, made before the socket is even bound, waits for what
/// each state needs: a listener's pollable is pending until a connection
/// is, and is ready once one is.
#[test]
fn a_pollable_made_up_front_follows_the_socket_through_its_states() {
    let mut ctx = everything();
    let network = ok(instance_network(&mut ctx));
    let socket = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    let early = ok(subscribe(&mut ctx, socket));
    assert_eq!(
        poll::ready(&ctx, early),
        Ok(true),
        "unbound: nothing to wait for"
    );
    bind(&mut ctx, socket, network);
    assert_eq!(
        poll::ready(&ctx, early),
        Ok(true),
        "bound: nothing to wait for"
    );
    ok(start_listen(&mut ctx, socket));
    ok(finish_listen(&mut ctx, socket));
    let addr = ok(local_address(&ctx, socket));
    assert_eq!(
        poll::ready(&ctx, early),
        Ok(false),
        "listening, nobody calling"
    );
    assert_eq!(code(accept(&mut ctx, socket)), ErrorCode::WouldBlock);
    let _client = ok(std::net::TcpStream::connect(addr));
    ok(blocking(poll::block(&ctx, early)));
    assert_eq!(poll::ready(&ctx, early), Ok(true));
    let (conn, input, output) = ok(accept(&mut ctx, socket));
    assert_eq!(
        poll::ready(&ctx, early),
        Ok(false),
        "listening again, nobody calling"
    );

    // A client socket's early pollable waits for its connect to finish.
    let (host, host_addr) = host_listener();
    let client = ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4));
    let client_early = ok(subscribe(&mut ctx, client));
    ok(start_connect(&mut ctx, client, network, host_addr));
    ok(blocking(poll::block(&ctx, client_early)));
    let (client_in, client_out) = ok(finish_connect(&mut ctx, client));
    std::mem::drop(host);
    for stream in [input, client_in] {
        ok(streams::drop_input(&mut ctx, stream));
    }
    for stream in [output, client_out] {
        ok(streams::drop_output(&mut ctx, stream));
    }
    for pollable in [early, client_early] {
        ok(poll::drop(&mut ctx, pollable));
    }
    for socket in [conn, socket, client] {
        ok(tcp_socket::drop(&mut ctx, socket));
    }
}

#[test]
fn the_table_bounds_how_many_sockets_there_are() {
    const MAX: u32 = 10_000;
    let mut ctx = ctx(|b| {
        b.inherit_network();
        b.max_open_fds(MAX);
    });
    let mut made = Vec::new();
    let mut refused = 0;
    for _ in 0..MAX + 10 {
        match create_tcp_socket(&mut ctx, IpFamily::Ipv4) {
            Ok(socket) => made.push(socket),
            Err(Failure::Error(ErrorCode::NewSocketLimit)) => refused += 1,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(made.len(), MAX as usize);
    assert_eq!(refused, 10);
    let last = made.pop().expect("a socket");
    ok(tcp_socket::drop(&mut ctx, last));
    made.push(ok(create_tcp_socket(&mut ctx, IpFamily::Ipv4)));
    for socket in made {
        ok(tcp_socket::drop(&mut ctx, socket));
    }
    assert!(ctx.table.is_empty());
}

#[test]
fn accept_answers_new_socket_limit_and_keeps_the_connection() {
    let mut ctx = ctx(|b| {
        b.inherit_network();
        b.max_open_fds(4);
    });
    let (listener, addr) = listening(&mut ctx);
    // The network and the listener are live: two slots left, three needed.
    let pollable = ok(subscribe(&mut ctx, listener));
    let _client = ok(std::net::TcpStream::connect(addr));
    ok(blocking(poll::block(&ctx, pollable)));
    assert_eq!(code(accept(&mut ctx, listener)), ErrorCode::NewSocketLimit);
    ok(poll::drop(&mut ctx, pollable));
    let network = Resource::<Network>::new(0);
    ok(crate::p2::sockets::network::drop(&mut ctx, network));
    // Room again: the same connection is still there to accept.
    let (conn, input, output) = ok(accept(&mut ctx, listener));
    assert_eq!(state(&ctx, conn), State::Connected);
    ok(streams::drop_input(&mut ctx, input));
    ok(streams::drop_output(&mut ctx, output));
    ok(tcp_socket::drop(&mut ctx, conn));
}
