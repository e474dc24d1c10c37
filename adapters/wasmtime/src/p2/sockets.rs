//! `wasi:sockets` on wasmtime: each method forwards to the function of the
//! same name in `capwasi::p2::sockets`, converting addresses, families,
//! error codes and datagrams at the edge.
//!
//! None of these calls waits (connects, listens and binds are started and
//! finished by separate calls, and a guest waits on their pollables), so
//! both linkers share these implementations.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use capwasi::net::tcp::IpFamily;
use capwasi::p2::io::error::IoError;
use capwasi::p2::io::poll::Pollable;
use capwasi::p2::io::streams::{InputStream, OutputStream};
use capwasi::p2::sockets::ip_name_lookup::{self as lookup, ResolveAddressStream};
use capwasi::p2::sockets::network::SocketResult;
use capwasi::p2::sockets::tcp::{self as tcp, tcp_socket, TcpSocket};
use capwasi::p2::sockets::udp::{
    self as udp, incoming_datagram_stream, outgoing_datagram_stream, udp_socket,
    IncomingDatagramStream, OutgoingDatagramStream, UdpSocket,
};
use capwasi::p2::sockets::{self as core, Network};
use capwasi::p2::WasiP2Ctx;
use wasmtime::component::Resource;

use super::wasi::sockets as wit;
use super::{failure, handle, owned, trap, Convert};
use wit::network::{
    ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};

/// What a sockets call answers the guest: a value, an error code, or a trap.
type Answer<T> = wasmtime::Result<Result<T, ErrorCode>>;

/// An error code for the guest.
fn error_code(code: core::ErrorCode) -> ErrorCode {
    code.convert()
}

/// A core sockets call's outcome, its value converted by `value`.
fn answer<T, U>(result: SocketResult<T>, value: impl FnOnce(T) -> U) -> Answer<U> {
    failure(result.map(value), error_code)
}

same_enum!(core::ErrorCode => ErrorCode {
    Unknown,
    AccessDenied,
    NotSupported,
    InvalidArgument,
    OutOfMemory,
    Timeout,
    ConcurrencyConflict,
    NotInProgress,
    WouldBlock,
    InvalidState,
    NewSocketLimit,
    AddressNotBindable,
    AddressInUse,
    RemoteUnreachable,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    DatagramTooLarge,
    NameUnresolvable,
    TemporaryResolverFailure,
    PermanentResolverFailure,
});
same_enum!(IpAddressFamily => IpFamily { Ipv4, Ipv6 });
same_enum!(IpFamily => IpAddressFamily { Ipv4, Ipv6 });
same_enum!(wit::tcp::ShutdownType => tcp::ShutdownType { Receive, Send, Both });

impl Convert<IpAddress> for IpAddr {
    fn convert(self) -> IpAddress {
        match self {
            IpAddr::V4(ip) => {
                let [a, b, c, d] = ip.octets();
                IpAddress::Ipv4((a, b, c, d))
            }
            IpAddr::V6(ip) => {
                let [a, b, c, d, e, f, g, h] = ip.segments();
                IpAddress::Ipv6((a, b, c, d, e, f, g, h))
            }
        }
    }
}

impl Convert<IpSocketAddress> for SocketAddr {
    fn convert(self) -> IpSocketAddress {
        match self {
            SocketAddr::V4(addr) => {
                let [a, b, c, d] = addr.ip().octets();
                IpSocketAddress::Ipv4(Ipv4SocketAddress {
                    port: addr.port(),
                    address: (a, b, c, d),
                })
            }
            SocketAddr::V6(addr) => {
                let [a, b, c, d, e, f, g, h] = addr.ip().segments();
                IpSocketAddress::Ipv6(Ipv6SocketAddress {
                    port: addr.port(),
                    flow_info: addr.flowinfo(),
                    address: (a, b, c, d, e, f, g, h),
                    scope_id: addr.scope_id(),
                })
            }
        }
    }
}

impl Convert<SocketAddr> for IpSocketAddress {
    fn convert(self) -> SocketAddr {
        match self {
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port,
                address: (a, b, c, d),
            }) => SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), port)),
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port,
                flow_info,
                address: (a, b, c, d, e, f, g, h),
                scope_id,
            }) => SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::new(a, b, c, d, e, f, g, h),
                port,
                flow_info,
                scope_id,
            )),
        }
    }
}

/// A socket address for the guest.
fn socket_address(addr: SocketAddr) -> IpSocketAddress {
    addr.convert()
}

// ---- wasi:sockets/network, instance-network ---------------------------------

impl wit::network::Host for WasiP2Ctx {
    fn network_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(core::network::network_error_code(self, handle(&err))
            .map_err(trap)?
            .map(error_code))
    }
}

impl wit::network::HostNetwork for WasiP2Ctx {
    fn drop(&mut self, this: Resource<Network>) -> wasmtime::Result<()> {
        core::network::drop(self, handle(&this)).map_err(trap)
    }
}

impl wit::instance_network::Host for WasiP2Ctx {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        core::network::instance_network(self)
            .map(owned)
            .map_err(trap)
    }
}

// ---- wasi:sockets/ip-name-lookup --------------------------------------------

impl wit::ip_name_lookup::Host for WasiP2Ctx {
    fn resolve_addresses(
        &mut self,
        network: Resource<Network>,
        name: String,
    ) -> Answer<Resource<ResolveAddressStream>> {
        answer(
            lookup::resolve_addresses(self, handle(&network), &name),
            owned,
        )
    }
}

impl wit::ip_name_lookup::HostResolveAddressStream for WasiP2Ctx {
    fn resolve_next_address(
        &mut self,
        this: Resource<ResolveAddressStream>,
    ) -> Answer<Option<IpAddress>> {
        answer(
            lookup::resolve_address_stream::resolve_next_address(self, handle(&this)),
            |ip| ip.map(Convert::convert),
        )
    }
    fn subscribe(
        &mut self,
        this: Resource<ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        lookup::resolve_address_stream::subscribe(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn drop(&mut self, this: Resource<ResolveAddressStream>) -> wasmtime::Result<()> {
        lookup::resolve_address_stream::drop(self, handle(&this)).map_err(trap)
    }
}

// ---- wasi:sockets/tcp-create-socket, tcp ------------------------------------

impl wit::tcp_create_socket::Host for WasiP2Ctx {
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> Answer<Resource<TcpSocket>> {
        answer(
            core::tcp_create_socket::create_tcp_socket(self, address_family.convert()),
            owned,
        )
    }
}

impl wit::tcp::Host for WasiP2Ctx {}

impl wit::tcp::HostTcpSocket for WasiP2Ctx {
    fn start_bind(
        &mut self,
        this: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> Answer<()> {
        let local_address = local_address.convert();
        failure(
            tcp_socket::start_bind(self, handle(&this), handle(&network), local_address),
            error_code,
        )
    }
    fn finish_bind(&mut self, this: Resource<TcpSocket>) -> Answer<()> {
        failure(tcp_socket::finish_bind(self, handle(&this)), error_code)
    }
    fn start_connect(
        &mut self,
        this: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: IpSocketAddress,
    ) -> Answer<()> {
        let remote_address = remote_address.convert();
        failure(
            tcp_socket::start_connect(self, handle(&this), handle(&network), remote_address),
            error_code,
        )
    }
    fn finish_connect(
        &mut self,
        this: Resource<TcpSocket>,
    ) -> Answer<(Resource<InputStream>, Resource<OutputStream>)> {
        answer(
            tcp_socket::finish_connect(self, handle(&this)),
            |(input, output)| (owned(input), owned(output)),
        )
    }
    fn start_listen(&mut self, this: Resource<TcpSocket>) -> Answer<()> {
        failure(tcp_socket::start_listen(self, handle(&this)), error_code)
    }
    fn finish_listen(&mut self, this: Resource<TcpSocket>) -> Answer<()> {
        failure(tcp_socket::finish_listen(self, handle(&this)), error_code)
    }
    fn accept(
        &mut self,
        this: Resource<TcpSocket>,
    ) -> Answer<(
        Resource<TcpSocket>,
        Resource<InputStream>,
        Resource<OutputStream>,
    )> {
        answer(
            tcp_socket::accept(self, handle(&this)),
            |(socket, input, output)| (owned(socket), owned(input), owned(output)),
        )
    }
    fn local_address(&mut self, this: Resource<TcpSocket>) -> Answer<IpSocketAddress> {
        answer(
            tcp_socket::local_address(self, handle(&this)),
            socket_address,
        )
    }
    fn remote_address(&mut self, this: Resource<TcpSocket>) -> Answer<IpSocketAddress> {
        answer(
            tcp_socket::remote_address(self, handle(&this)),
            socket_address,
        )
    }
    fn is_listening(&mut self, this: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        tcp_socket::is_listening(self, handle(&this)).map_err(trap)
    }
    fn address_family(&mut self, this: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        tcp_socket::address_family(self, handle(&this))
            .map(Convert::convert)
            .map_err(trap)
    }
    fn set_listen_backlog_size(&mut self, this: Resource<TcpSocket>, value: u64) -> Answer<()> {
        failure(
            tcp_socket::set_listen_backlog_size(self, handle(&this), value),
            error_code,
        )
    }
    fn keep_alive_enabled(&mut self, this: Resource<TcpSocket>) -> Answer<bool> {
        failure(
            tcp_socket::keep_alive_enabled(self, handle(&this)),
            error_code,
        )
    }
    fn set_keep_alive_enabled(&mut self, this: Resource<TcpSocket>, value: bool) -> Answer<()> {
        failure(
            tcp_socket::set_keep_alive_enabled(self, handle(&this), value),
            error_code,
        )
    }
    fn keep_alive_idle_time(&mut self, this: Resource<TcpSocket>) -> Answer<u64> {
        failure(
            tcp_socket::keep_alive_idle_time(self, handle(&this)),
            error_code,
        )
    }
    fn set_keep_alive_idle_time(&mut self, this: Resource<TcpSocket>, value: u64) -> Answer<()> {
        failure(
            tcp_socket::set_keep_alive_idle_time(self, handle(&this), value),
            error_code,
        )
    }
    fn keep_alive_interval(&mut self, this: Resource<TcpSocket>) -> Answer<u64> {
        failure(
            tcp_socket::keep_alive_interval(self, handle(&this)),
            error_code,
        )
    }
    fn set_keep_alive_interval(&mut self, this: Resource<TcpSocket>, value: u64) -> Answer<()> {
        failure(
            tcp_socket::set_keep_alive_interval(self, handle(&this), value),
            error_code,
        )
    }
    fn keep_alive_count(&mut self, this: Resource<TcpSocket>) -> Answer<u32> {
        failure(
            tcp_socket::keep_alive_count(self, handle(&this)),
            error_code,
        )
    }
    fn set_keep_alive_count(&mut self, this: Resource<TcpSocket>, value: u32) -> Answer<()> {
        failure(
            tcp_socket::set_keep_alive_count(self, handle(&this), value),
            error_code,
        )
    }
    fn hop_limit(&mut self, this: Resource<TcpSocket>) -> Answer<u8> {
        failure(tcp_socket::hop_limit(self, handle(&this)), error_code)
    }
    fn set_hop_limit(&mut self, this: Resource<TcpSocket>, value: u8) -> Answer<()> {
        failure(
            tcp_socket::set_hop_limit(self, handle(&this), value),
            error_code,
        )
    }
    fn receive_buffer_size(&mut self, this: Resource<TcpSocket>) -> Answer<u64> {
        failure(
            tcp_socket::receive_buffer_size(self, handle(&this)),
            error_code,
        )
    }
    fn set_receive_buffer_size(&mut self, this: Resource<TcpSocket>, value: u64) -> Answer<()> {
        failure(
            tcp_socket::set_receive_buffer_size(self, handle(&this), value),
            error_code,
        )
    }
    fn send_buffer_size(&mut self, this: Resource<TcpSocket>) -> Answer<u64> {
        failure(
            tcp_socket::send_buffer_size(self, handle(&this)),
            error_code,
        )
    }
    fn set_send_buffer_size(&mut self, this: Resource<TcpSocket>, value: u64) -> Answer<()> {
        failure(
            tcp_socket::set_send_buffer_size(self, handle(&this), value),
            error_code,
        )
    }
    fn subscribe(&mut self, this: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        tcp_socket::subscribe(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn shutdown(
        &mut self,
        this: Resource<TcpSocket>,
        shutdown_type: wit::tcp::ShutdownType,
    ) -> Answer<()> {
        failure(
            tcp_socket::shutdown(self, handle(&this), shutdown_type.convert()),
            error_code,
        )
    }
    fn drop(&mut self, this: Resource<TcpSocket>) -> wasmtime::Result<()> {
        tcp_socket::drop(self, handle(&this)).map_err(trap)
    }
}

// ---- wasi:sockets/udp-create-socket, udp ------------------------------------

impl wit::udp_create_socket::Host for WasiP2Ctx {
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> Answer<Resource<UdpSocket>> {
        answer(
            core::udp_create_socket::create_udp_socket(self, address_family.convert()),
            owned,
        )
    }
}

impl wit::udp::Host for WasiP2Ctx {}

impl wit::udp::HostUdpSocket for WasiP2Ctx {
    fn start_bind(
        &mut self,
        this: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> Answer<()> {
        let local_address = local_address.convert();
        failure(
            udp_socket::start_bind(self, handle(&this), handle(&network), local_address),
            error_code,
        )
    }
    fn finish_bind(&mut self, this: Resource<UdpSocket>) -> Answer<()> {
        failure(udp_socket::finish_bind(self, handle(&this)), error_code)
    }
    fn stream(
        &mut self,
        this: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> Answer<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> {
        let remote_address = remote_address.map(Convert::convert);
        answer(
            udp_socket::stream(self, handle(&this), remote_address),
            |(incoming, outgoing)| (owned(incoming), owned(outgoing)),
        )
    }
    fn local_address(&mut self, this: Resource<UdpSocket>) -> Answer<IpSocketAddress> {
        answer(
            udp_socket::local_address(self, handle(&this)),
            socket_address,
        )
    }
    fn remote_address(&mut self, this: Resource<UdpSocket>) -> Answer<IpSocketAddress> {
        answer(
            udp_socket::remote_address(self, handle(&this)),
            socket_address,
        )
    }
    fn address_family(&mut self, this: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        udp_socket::address_family(self, handle(&this))
            .map(Convert::convert)
            .map_err(trap)
    }
    fn unicast_hop_limit(&mut self, this: Resource<UdpSocket>) -> Answer<u8> {
        failure(
            udp_socket::unicast_hop_limit(self, handle(&this)),
            error_code,
        )
    }
    fn set_unicast_hop_limit(&mut self, this: Resource<UdpSocket>, value: u8) -> Answer<()> {
        failure(
            udp_socket::set_unicast_hop_limit(self, handle(&this), value),
            error_code,
        )
    }
    fn receive_buffer_size(&mut self, this: Resource<UdpSocket>) -> Answer<u64> {
        failure(
            udp_socket::receive_buffer_size(self, handle(&this)),
            error_code,
        )
    }
    fn set_receive_buffer_size(&mut self, this: Resource<UdpSocket>, value: u64) -> Answer<()> {
        failure(
            udp_socket::set_receive_buffer_size(self, handle(&this), value),
            error_code,
        )
    }
    fn send_buffer_size(&mut self, this: Resource<UdpSocket>) -> Answer<u64> {
        failure(
            udp_socket::send_buffer_size(self, handle(&this)),
            error_code,
        )
    }
    fn set_send_buffer_size(&mut self, this: Resource<UdpSocket>, value: u64) -> Answer<()> {
        failure(
            udp_socket::set_send_buffer_size(self, handle(&this), value),
            error_code,
        )
    }
    fn subscribe(&mut self, this: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        udp_socket::subscribe(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn drop(&mut self, this: Resource<UdpSocket>) -> wasmtime::Result<()> {
        udp_socket::drop(self, handle(&this)).map_err(trap)
    }
}

impl wit::udp::HostIncomingDatagramStream for WasiP2Ctx {
    fn receive(
        &mut self,
        this: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> Answer<Vec<wit::udp::IncomingDatagram>> {
        answer(
            incoming_datagram_stream::receive(self, handle(&this), max_results),
            |datagrams| {
                datagrams
                    .into_iter()
                    .map(|datagram| wit::udp::IncomingDatagram {
                        data: datagram.data,
                        remote_address: datagram.remote_address.convert(),
                    })
                    .collect()
            },
        )
    }
    fn subscribe(
        &mut self,
        this: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        incoming_datagram_stream::subscribe(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn drop(&mut self, this: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        incoming_datagram_stream::drop(self, handle(&this)).map_err(trap)
    }
}

impl wit::udp::HostOutgoingDatagramStream for WasiP2Ctx {
    fn check_send(&mut self, this: Resource<OutgoingDatagramStream>) -> Answer<u64> {
        failure(
            outgoing_datagram_stream::check_send(self, handle(&this)),
            error_code,
        )
    }
    fn send(
        &mut self,
        this: Resource<OutgoingDatagramStream>,
        datagrams: Vec<wit::udp::OutgoingDatagram>,
    ) -> Answer<u64> {
        let datagrams: Vec<_> = datagrams
            .into_iter()
            .map(|datagram| udp::OutgoingDatagram {
                data: datagram.data,
                remote_address: datagram.remote_address.map(Convert::convert),
            })
            .collect();
        failure(
            outgoing_datagram_stream::send(self, handle(&this), &datagrams),
            error_code,
        )
    }
    fn subscribe(
        &mut self,
        this: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        outgoing_datagram_stream::subscribe(self, handle(&this))
            .map(owned)
            .map_err(trap)
    }
    fn drop(&mut self, this: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        outgoing_datagram_stream::drop(self, handle(&this)).map_err(trap)
    }
}
