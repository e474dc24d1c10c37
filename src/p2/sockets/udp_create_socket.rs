//! `wasi:sockets/udp-create-socket`: a new, unbound UDP socket.

use crate::net;
use crate::net::udp::IpFamily;
use crate::p2::sockets::network::SocketResult;
use crate::p2::sockets::udp::UdpSocket;
use crate::p2::sockets::ErrorCode;
use crate::p2::{Failure, Resource, ResourceError, WasiP2Ctx};

/// `create-udp-socket`: a socket of `family`, confined by the guest's
/// address policy. A guest granted nothing UDP gets `access-denied`: the
/// core holds no host socket for it at all. A full resource table is
/// `new-socket-limit`, as a full descriptor table is.
pub fn create_udp_socket(
    ctx: &mut WasiP2Ctx,
    family: IpFamily,
) -> SocketResult<Resource<UdpSocket>> {
    let socket = net::udp::UdpSocket::new(family, ctx.grants.address_policy_shared())?;
    match ctx.table.push(UdpSocket::new(socket)) {
        Ok(handle) => Ok(handle),
        Err(ResourceError::Full) => Err(Failure::Error(ErrorCode::NewSocketLimit)),
        Err(e) => Err(e.into()),
    }
}
