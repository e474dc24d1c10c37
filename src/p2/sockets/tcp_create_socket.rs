//! `wasi:sockets/tcp-create-socket`: new TCP sockets, governed by the
//! context's address policy.

use crate::net;
use crate::p2::sockets::network::{ErrorCode, SocketResult};
use crate::p2::sockets::tcp::{IpFamily, TcpSocket};
use crate::p2::{Failure, Resource, ResourceError, WasiP2Ctx};

/// `create-tcp-socket`: a new `unbound` socket of `family`.
///
/// Refused with `access-denied` when the context's policy could grant no
/// TCP use at all, so that a guest granted nothing holds no host socket.
/// `new-socket-limit` when the resource table is full (the bound set with
/// the builder's `max_open_fds`) or the host is out of descriptors; the
/// table is checked first, so that no host socket is made only to be
/// closed.
pub fn create_tcp_socket(
    ctx: &mut WasiP2Ctx,
    family: IpFamily,
) -> SocketResult<Resource<TcpSocket>> {
    if ctx.table.len() >= ctx.grants.max_open_fds as usize {
        return Err(Failure::Error(ErrorCode::NewSocketLimit));
    }
    let policy = ctx.grants.address_policy_shared();
    let inner = net::tcp::TcpSocket::new(family, policy)?;
    match ctx.table.push(TcpSocket::new(inner)) {
        Ok(socket) => Ok(socket),
        Err(ResourceError::Full) => Err(Failure::Error(ErrorCode::NewSocketLimit)),
        Err(e) => Err(e.into()),
    }
}
