//! `wasi:sockets`: networks, name lookup, TCP and UDP.
//!
//! Addresses travel as [`std::net::IpAddr`] (`ip-address`) and
//! [`std::net::SocketAddr`] (`ip-socket-address`), whose [`Abi`] is in
//! [`crate::component::abi`].
//!
//! [`Abi`]: crate::component::abi::Abi

use std::net::{IpAddr, SocketAddr};

use crate::p2::io::error::IoError;
use crate::p2::io::poll::Pollable;
use crate::p2::io::streams::{InputStream, OutputStream};
use crate::p2::sockets::ip_name_lookup::{
    self as lookup, resolve_address_stream, ResolveAddressStream,
};
use crate::p2::sockets::network::{self, SocketResult};
use crate::p2::sockets::tcp::{tcp_socket, IpFamily, ShutdownType, TcpSocket};
use crate::p2::sockets::udp::{
    incoming_datagram_stream, outgoing_datagram_stream, udp_socket, IncomingDatagram,
    IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use crate::p2::sockets::{tcp_create_socket, udp_create_socket, ErrorCode, Network};
use crate::p2::Resource;

use super::{fallible, trapping};
use crate::component::abi::{align_to, aligned, list_bytes, span, trap, Abi, Flat, Guest, Outcome};
use crate::component::signatures::FlatType;
use crate::net;
use crate::{cabi_enum, cabi_record};

// `network.error-code`: the core lists its codes in the WIT's order.
cabi_enum!(ErrorCode = ErrorCode::ALL);

// `ip-address-family`.
cabi_enum!(IpFamily { Ipv4, Ipv6 });

// `tcp.shutdown-type`.
cabi_enum!(ShutdownType {
    Receive,
    Send,
    Both
});

// `udp.incoming-datagram`.
cabi_record!(IncomingDatagram {
    data: Vec<u8>,
    remote_address: SocketAddr,
});

// `udp.outgoing-datagram`.
cabi_record!(OutgoingDatagram {
    data: Vec<u8>,
    remote_address: Option<SocketAddr>,
});

/// The `list<outgoing-datagram>` that `send` takes, lifted with two bounds
/// that change no outcome but keep a guest from making the host copy far
/// more than its own memory: each datagram's `data` may name the same
/// bytes, so an unbounded list could be copied many times over.
///
/// - A list longer than any `check-send` ever permits
///   ([`net::udp::SEND_PERMIT`]) traps before anything is copied, as
///   `send` would trap on it after.
/// - Only the first [`net::udp::MAX_DATAGRAM`] + 1 bytes of a datagram's
///   `data` are copied (after the whole of it is checked to be inside
///   memory): one that long is more than any UDP payload, which the kernel
///   refuses whatever the rest holds.
struct Datagrams(Vec<OutgoingDatagram>);

impl Abi for Datagrams {
    const FLAT: usize = Vec::<OutgoingDatagram>::FLAT;
    const SIZE: u32 = Vec::<OutgoingDatagram>::SIZE;
    const ALIGN: u32 = Vec::<OutgoingDatagram>::ALIGN;
    fn flat_types(out: &mut Vec<FlatType>) {
        Vec::<OutgoingDatagram>::flat_types(out)
    }
    fn lift(flat: &mut Flat<'_>, memory: &[u8]) -> Outcome<Self> {
        let (at, len) = (flat.i32()? as u32, flat.i32()? as u32);
        if u64::from(len) > net::udp::SEND_PERMIT {
            return trap(format!(
                "send of {len} datagrams, more than the {} check-send permitted, or ever permits",
                net::udp::SEND_PERMIT
            ));
        }
        let size = OutgoingDatagram::SIZE;
        let at = aligned(at, OutgoingDatagram::ALIGN)?;
        span(memory, at, list_bytes(len, size)?)?;
        (0..len)
            .map(|i| datagram(memory, at + i * size))
            .collect::<Outcome<_>>()
            .map(Datagrams)
    }
    fn load(_: &[u8], _: u32) -> Outcome<Self> {
        trap("a list of datagrams is only ever a parameter")
    }
    fn store(self, _: &mut dyn Guest, _: u32) -> Outcome<()> {
        trap("a list of datagrams is only ever a parameter")
    }
}

/// The `outgoing-datagram` at `at`, its `data` cut as [`Datagrams`] says.
fn datagram(memory: &[u8], at: u32) -> Outcome<OutgoingDatagram> {
    let (data, len) = (u32::load(memory, at)?, u32::load(memory, at + 4)?);
    let whole = span(memory, data, len)?;
    let kept = whole.start..whole.end.min(whole.start + net::udp::MAX_DATAGRAM + 1);
    let remote = align_to(Vec::<u8>::SIZE, Option::<SocketAddr>::ALIGN);
    Ok(OutgoingDatagram {
        data: memory[kept].to_vec(),
        remote_address: Option::<SocketAddr>::load(memory, at + remote)?,
    })
}

type Socket<T> = Result<T, ErrorCode>;

/// A sockets call's outcome for the guest: its value or error code, or a
/// trap.
fn answer<T>(result: SocketResult<T>) -> Outcome<Socket<T>> {
    fallible(result)
}

host_functions! {
    // ---- wasi:sockets/network
    "wasi:sockets/network" "network-error-code"
        |ctx, err: Resource<IoError>| -> Option<ErrorCode> {
        trapping(network::network_error_code(ctx, err))
    }
    "wasi:sockets/network" "[resource-drop]network" |ctx, this: Resource<Network>| -> () {
        trapping(network::drop(ctx, this))
    }

    // ---- wasi:sockets/instance-network
    "wasi:sockets/instance-network" "instance-network" |ctx| -> Resource<Network> {
        trapping(network::instance_network(ctx))
    }

    // ---- wasi:sockets/ip-name-lookup
    "wasi:sockets/ip-name-lookup" "resolve-addresses"
        |ctx, network: Resource<Network>, name: String| -> Socket<Resource<ResolveAddressStream>> {
        answer(lookup::resolve_addresses(ctx, network, &name))
    }
    "wasi:sockets/ip-name-lookup" "[method]resolve-address-stream.resolve-next-address"
        |ctx, this: Resource<ResolveAddressStream>| -> Socket<Option<IpAddr>> {
        answer(resolve_address_stream::resolve_next_address(ctx, this))
    }
    "wasi:sockets/ip-name-lookup" "[method]resolve-address-stream.subscribe"
        |ctx, this: Resource<ResolveAddressStream>| -> Resource<Pollable> {
        trapping(resolve_address_stream::subscribe(ctx, this))
    }
    "wasi:sockets/ip-name-lookup" "[resource-drop]resolve-address-stream"
        |ctx, this: Resource<ResolveAddressStream>| -> () {
        trapping(resolve_address_stream::drop(ctx, this))
    }

    // ---- wasi:sockets/tcp-create-socket
    "wasi:sockets/tcp-create-socket" "create-tcp-socket"
        |ctx, address_family: IpFamily| -> Socket<Resource<TcpSocket>> {
        answer(tcp_create_socket::create_tcp_socket(ctx, address_family))
    }

    // ---- wasi:sockets/tcp
    "wasi:sockets/tcp" "[method]tcp-socket.start-bind"
        |ctx, this: Resource<TcpSocket>, network: Resource<Network>, local_address: SocketAddr|
        -> Socket<()> {
        answer(tcp_socket::start_bind(ctx, this, network, local_address))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.finish-bind"
        |ctx, this: Resource<TcpSocket>| -> Socket<()> {
        answer(tcp_socket::finish_bind(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.start-connect"
        |ctx, this: Resource<TcpSocket>, network: Resource<Network>, remote_address: SocketAddr|
        -> Socket<()> {
        answer(tcp_socket::start_connect(ctx, this, network, remote_address))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.finish-connect"
        |ctx, this: Resource<TcpSocket>|
        -> Socket<(Resource<InputStream>, Resource<OutputStream>)> {
        answer(tcp_socket::finish_connect(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.start-listen"
        |ctx, this: Resource<TcpSocket>| -> Socket<()> {
        answer(tcp_socket::start_listen(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.finish-listen"
        |ctx, this: Resource<TcpSocket>| -> Socket<()> {
        answer(tcp_socket::finish_listen(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.accept"
        |ctx, this: Resource<TcpSocket>|
        -> Socket<(Resource<TcpSocket>, Resource<InputStream>, Resource<OutputStream>)> {
        answer(tcp_socket::accept(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.local-address"
        |ctx, this: Resource<TcpSocket>| -> Socket<SocketAddr> {
        answer(tcp_socket::local_address(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.remote-address"
        |ctx, this: Resource<TcpSocket>| -> Socket<SocketAddr> {
        answer(tcp_socket::remote_address(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.is-listening"
        |ctx, this: Resource<TcpSocket>| -> bool {
        trapping(tcp_socket::is_listening(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.address-family"
        |ctx, this: Resource<TcpSocket>| -> IpFamily {
        trapping(tcp_socket::address_family(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-listen-backlog-size"
        |ctx, this: Resource<TcpSocket>, value: u64| -> Socket<()> {
        answer(tcp_socket::set_listen_backlog_size(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.keep-alive-enabled"
        |ctx, this: Resource<TcpSocket>| -> Socket<bool> {
        answer(tcp_socket::keep_alive_enabled(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-keep-alive-enabled"
        |ctx, this: Resource<TcpSocket>, value: bool| -> Socket<()> {
        answer(tcp_socket::set_keep_alive_enabled(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.keep-alive-idle-time"
        |ctx, this: Resource<TcpSocket>| -> Socket<u64> {
        answer(tcp_socket::keep_alive_idle_time(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-keep-alive-idle-time"
        |ctx, this: Resource<TcpSocket>, value: u64| -> Socket<()> {
        answer(tcp_socket::set_keep_alive_idle_time(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.keep-alive-interval"
        |ctx, this: Resource<TcpSocket>| -> Socket<u64> {
        answer(tcp_socket::keep_alive_interval(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-keep-alive-interval"
        |ctx, this: Resource<TcpSocket>, value: u64| -> Socket<()> {
        answer(tcp_socket::set_keep_alive_interval(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.keep-alive-count"
        |ctx, this: Resource<TcpSocket>| -> Socket<u32> {
        answer(tcp_socket::keep_alive_count(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-keep-alive-count"
        |ctx, this: Resource<TcpSocket>, value: u32| -> Socket<()> {
        answer(tcp_socket::set_keep_alive_count(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.hop-limit"
        |ctx, this: Resource<TcpSocket>| -> Socket<u8> {
        answer(tcp_socket::hop_limit(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-hop-limit"
        |ctx, this: Resource<TcpSocket>, value: u8| -> Socket<()> {
        answer(tcp_socket::set_hop_limit(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.receive-buffer-size"
        |ctx, this: Resource<TcpSocket>| -> Socket<u64> {
        answer(tcp_socket::receive_buffer_size(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-receive-buffer-size"
        |ctx, this: Resource<TcpSocket>, value: u64| -> Socket<()> {
        answer(tcp_socket::set_receive_buffer_size(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.send-buffer-size"
        |ctx, this: Resource<TcpSocket>| -> Socket<u64> {
        answer(tcp_socket::send_buffer_size(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.set-send-buffer-size"
        |ctx, this: Resource<TcpSocket>, value: u64| -> Socket<()> {
        answer(tcp_socket::set_send_buffer_size(ctx, this, value))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.subscribe"
        |ctx, this: Resource<TcpSocket>| -> Resource<Pollable> {
        trapping(tcp_socket::subscribe(ctx, this))
    }
    "wasi:sockets/tcp" "[method]tcp-socket.shutdown"
        |ctx, this: Resource<TcpSocket>, shutdown_type: ShutdownType| -> Socket<()> {
        answer(tcp_socket::shutdown(ctx, this, shutdown_type))
    }
    "wasi:sockets/tcp" "[resource-drop]tcp-socket" |ctx, this: Resource<TcpSocket>| -> () {
        trapping(tcp_socket::drop(ctx, this))
    }

    // ---- wasi:sockets/udp-create-socket
    "wasi:sockets/udp-create-socket" "create-udp-socket"
        |ctx, address_family: IpFamily| -> Socket<Resource<UdpSocket>> {
        answer(udp_create_socket::create_udp_socket(ctx, address_family))
    }

    // ---- wasi:sockets/udp: udp-socket
    "wasi:sockets/udp" "[method]udp-socket.start-bind"
        |ctx, this: Resource<UdpSocket>, network: Resource<Network>, local_address: SocketAddr|
        -> Socket<()> {
        answer(udp_socket::start_bind(ctx, this, network, local_address))
    }
    "wasi:sockets/udp" "[method]udp-socket.finish-bind"
        |ctx, this: Resource<UdpSocket>| -> Socket<()> {
        answer(udp_socket::finish_bind(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.stream"
        |ctx, this: Resource<UdpSocket>, remote_address: Option<SocketAddr>|
        -> Socket<(Resource<IncomingDatagramStream>, Resource<OutgoingDatagramStream>)> {
        answer(udp_socket::stream(ctx, this, remote_address))
    }
    "wasi:sockets/udp" "[method]udp-socket.local-address"
        |ctx, this: Resource<UdpSocket>| -> Socket<SocketAddr> {
        answer(udp_socket::local_address(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.remote-address"
        |ctx, this: Resource<UdpSocket>| -> Socket<SocketAddr> {
        answer(udp_socket::remote_address(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.address-family"
        |ctx, this: Resource<UdpSocket>| -> IpFamily {
        trapping(udp_socket::address_family(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.unicast-hop-limit"
        |ctx, this: Resource<UdpSocket>| -> Socket<u8> {
        answer(udp_socket::unicast_hop_limit(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.set-unicast-hop-limit"
        |ctx, this: Resource<UdpSocket>, value: u8| -> Socket<()> {
        answer(udp_socket::set_unicast_hop_limit(ctx, this, value))
    }
    "wasi:sockets/udp" "[method]udp-socket.receive-buffer-size"
        |ctx, this: Resource<UdpSocket>| -> Socket<u64> {
        answer(udp_socket::receive_buffer_size(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.set-receive-buffer-size"
        |ctx, this: Resource<UdpSocket>, value: u64| -> Socket<()> {
        answer(udp_socket::set_receive_buffer_size(ctx, this, value))
    }
    "wasi:sockets/udp" "[method]udp-socket.send-buffer-size"
        |ctx, this: Resource<UdpSocket>| -> Socket<u64> {
        answer(udp_socket::send_buffer_size(ctx, this))
    }
    "wasi:sockets/udp" "[method]udp-socket.set-send-buffer-size"
        |ctx, this: Resource<UdpSocket>, value: u64| -> Socket<()> {
        answer(udp_socket::set_send_buffer_size(ctx, this, value))
    }
    "wasi:sockets/udp" "[method]udp-socket.subscribe"
        |ctx, this: Resource<UdpSocket>| -> Resource<Pollable> {
        trapping(udp_socket::subscribe(ctx, this))
    }
    "wasi:sockets/udp" "[resource-drop]udp-socket" |ctx, this: Resource<UdpSocket>| -> () {
        trapping(udp_socket::drop(ctx, this))
    }

    // ---- wasi:sockets/udp: incoming-datagram-stream
    "wasi:sockets/udp" "[method]incoming-datagram-stream.receive"
        |ctx, this: Resource<IncomingDatagramStream>, max_results: u64|
        -> Socket<Vec<IncomingDatagram>> {
        answer(incoming_datagram_stream::receive(ctx, this, max_results))
    }
    "wasi:sockets/udp" "[method]incoming-datagram-stream.subscribe"
        |ctx, this: Resource<IncomingDatagramStream>| -> Resource<Pollable> {
        trapping(incoming_datagram_stream::subscribe(ctx, this))
    }
    "wasi:sockets/udp" "[resource-drop]incoming-datagram-stream"
        |ctx, this: Resource<IncomingDatagramStream>| -> () {
        trapping(incoming_datagram_stream::drop(ctx, this))
    }

    // ---- wasi:sockets/udp: outgoing-datagram-stream
    "wasi:sockets/udp" "[method]outgoing-datagram-stream.check-send"
        |ctx, this: Resource<OutgoingDatagramStream>| -> Socket<u64> {
        answer(outgoing_datagram_stream::check_send(ctx, this))
    }
    "wasi:sockets/udp" "[method]outgoing-datagram-stream.send"
        |ctx, this: Resource<OutgoingDatagramStream>, datagrams: Datagrams|
        -> Socket<u64> {
        answer(outgoing_datagram_stream::send(ctx, this, &datagrams.0))
    }
    "wasi:sockets/udp" "[method]outgoing-datagram-stream.subscribe"
        |ctx, this: Resource<OutgoingDatagramStream>| -> Resource<Pollable> {
        trapping(outgoing_datagram_stream::subscribe(ctx, this))
    }
    "wasi:sockets/udp" "[resource-drop]outgoing-datagram-stream"
        |ctx, this: Resource<OutgoingDatagramStream>| -> () {
        trapping(outgoing_datagram_stream::drop(ctx, this))
    }
}
