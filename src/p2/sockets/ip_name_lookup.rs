//! `wasi:sockets/ip-name-lookup`: names resolved without blocking the
//! guest, over the core's lookups ([`Resolution`]), which run on a capped
//! set of host threads.
//!
//! `resolve-addresses` asks the `network` passed in whether the guest may
//! resolve names at all (`access-denied` if not, one of the codes every
//! sockets call may answer with) and checks the name (`invalid-argument`
//! for one that is not a host name or an IP literal); an IP literal is its
//! own answer. The stream then answers `would-block` until the lookup is
//! done, which its pollable waits for, then the addresses one by one, then
//! `none`; or the lookup's failure, on every call.

use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::net::lookup::Resolution;
use crate::p2::io::poll::{Pollable, Way};
use crate::p2::sockets::network::SocketResult;
use crate::p2::sockets::Network;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// A `resolve-address-stream` resource.
pub struct ResolveAddressStream {
    resolution: Resolution,
    /// Readable once the lookup is done.
    done: Arc<OwnedFd>,
}

/// `resolve-addresses`: starts resolving `name`. Never blocks.
pub fn resolve_addresses(
    ctx: &mut WasiP2Ctx,
    network: Resource<Network>,
    name: &str,
) -> SocketResult<Resource<ResolveAddressStream>> {
    let policy = Arc::clone(&ctx.table.get(network)?.policy);
    let resolution = Resolution::start(name, &policy)?;
    let done = resolution.pollable_shared();
    Ok(ctx.table.push(ResolveAddressStream { resolution, done })?)
}

/// The methods of `resolve-address-stream`.
pub mod resolve_address_stream {
    use super::*;

    /// `resolve-next-address`: `would-block` while the lookup runs, then
    /// the next address in the resolver's order (never IPv4-mapped), then
    /// `none`; a failed lookup's error on every call.
    pub fn resolve_next_address(
        ctx: &mut WasiP2Ctx,
        this: Resource<ResolveAddressStream>,
    ) -> SocketResult<Option<IpAddr>> {
        Ok(ctx.table.get_mut(this)?.resolution.try_next()?)
    }

    /// `subscribe`: ready once the lookup is done. The pollable is the
    /// stream's child.
    pub fn subscribe(
        ctx: &mut WasiP2Ctx,
        this: Resource<ResolveAddressStream>,
    ) -> Result<Resource<Pollable>, Trap> {
        let fd = Arc::clone(&ctx.table.get(this)?.done);
        Ok(ctx
            .table
            .push_child(Pollable::Host { fd, way: Way::Read }, this)?)
    }

    /// Drops the stream; a lookup still running finishes on its own.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<ResolveAddressStream>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
