//! `wasi:sockets/udp`: a UDP socket and the pair of datagram streams it
//! hands out, over the core's confined socket ([`net::udp::UdpSocket`]).
//!
//! The core checks every address against the guest's policy, refuses
//! everything that would bind the socket behind the policy's back, and
//! drops datagrams from sources not granted. What lives here is the WIT's
//! state machine:
//!
//! - a socket starts unbound; `start-bind` binds it (after the `network`
//!   passed in granted the address) and leaves the bind in progress, and
//!   `finish-bind` completes it. `start-bind` while a bind is in progress
//!   is `concurrency-conflict`, once bound `invalid-state`; `finish-bind`
//!   with no bind in progress is `not-in-progress`;
//! - only a bound socket has a local address or makes streams; before,
//!   both are `invalid-state`;
//! - `stream` returns a fresh incoming and outgoing stream, children of
//!   the socket (which cannot be dropped before them). Only the pair the
//!   latest successful `stream` returned works: a call on an older one is
//!   `invalid-state`, and its pollables are ready at once, so that a guest
//!   waiting on one learns that;
//! - every `send` must be permitted by the `check-send` before it: one
//!   without a permit, or with more datagrams than the permit, traps. A
//!   permit is used up by the `send` it was for.

use std::net::SocketAddr;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::net::udp::IpFamily;
use crate::net::{self, sockopt, Use};
use crate::p2::io::poll::{HostWait, Pollable, Way};
use crate::p2::sockets::network::SocketResult;
use crate::p2::sockets::{ErrorCode, Network};
use crate::p2::{Failure, Resource, Trap, WasiP2Ctx};

/// Where a socket stands in the WIT's bind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BindState {
    /// Not bound.
    Unbound,
    /// `start-bind` bound it; `finish-bind` has not been called.
    BindStarted,
    /// Bound.
    Bound,
}

/// A `udp-socket` resource.
pub struct UdpSocket {
    socket: Arc<net::udp::UdpSocket>,
    state: BindState,
    /// Counts the successful `stream` calls: only streams made under the
    /// current count work. Shared with the streams' pollables, which turn
    /// ready when it moves on.
    generation: Arc<AtomicU64>,
}

impl UdpSocket {
    pub(crate) fn new(socket: net::udp::UdpSocket) -> Self {
        UdpSocket {
            socket: Arc::new(socket),
            state: BindState::Unbound,
            generation: Arc::default(),
        }
    }
}

/// `incoming-datagram`: a datagram received, and its source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingDatagram {
    /// The payload.
    pub data: Vec<u8>,
    /// The source; the stream's remote address if it has one.
    pub remote_address: SocketAddr,
}

/// `outgoing-datagram`: a datagram to send, and where to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingDatagram {
    /// The payload.
    pub data: Vec<u8>,
    /// The destination: required on a stream without a remote address,
    /// and on one with it, `None` or that address.
    pub remote_address: Option<SocketAddr>,
}

/// An `incoming-datagram-stream` resource, a child of its socket.
pub struct IncomingDatagramStream {
    socket: Arc<net::udp::UdpSocket>,
    parent: Resource<UdpSocket>,
    generation: u64,
}

/// An `outgoing-datagram-stream` resource, a child of its socket.
pub struct OutgoingDatagramStream {
    socket: Arc<net::udp::UdpSocket>,
    parent: Resource<UdpSocket>,
    generation: u64,
    /// What the last `check-send` permitted, until a `send` uses it.
    permit: Option<u64>,
}

/// The socket as something to wait on, for the streams made under
/// `generation`: nothing to wait for once a later `stream` call replaced
/// them, so that a guest already waiting learns that at once.
struct SocketWait {
    socket: Arc<net::udp::UdpSocket>,
    current: Arc<AtomicU64>,
    generation: u64,
}

impl HostWait for SocketWait {
    fn descriptor(&self) -> Option<BorrowedFd<'_>> {
        (self.current.load(Ordering::Acquire) == self.generation).then(|| self.socket.pollable())
    }
}

/// A pollable for a stream made under `generation` of `udp`.
fn stream_pollable(udp: &UdpSocket, generation: u64, way: Way) -> Pollable {
    Pollable::Host {
        fd: Arc::new(SocketWait {
            socket: Arc::clone(&udp.socket),
            current: Arc::clone(&udp.generation),
            generation,
        }),
        way,
    }
}

/// Whether a stream made under `generation` of `parent` still works.
fn is_current(ctx: &WasiP2Ctx, parent: Resource<UdpSocket>, generation: u64) -> Result<bool, Trap> {
    Ok(ctx.table.get(parent)?.generation.load(Ordering::Acquire) == generation)
}

/// The methods of `udp-socket`.
pub mod udp_socket {
    use super::*;

    /// `start-bind`: binds the socket to `local_address`, if `network`
    /// grants it (and the socket's own policy, which the core asks). Port
    /// 0 lets the host pick one.
    pub fn start_bind(
        ctx: &mut WasiP2Ctx,
        this: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: SocketAddr,
    ) -> SocketResult<()> {
        let policy = Arc::clone(&ctx.table.get(network)?.policy);
        let udp = ctx.table.get(this)?;
        match udp.state {
            BindState::Unbound => {}
            BindState::BindStarted => return Err(ErrorCode::ConcurrencyConflict.into()),
            BindState::Bound => return Err(ErrorCode::InvalidState.into()),
        }
        sockopt::check_family(udp.socket.family(), &local_address)?;
        policy.check(Use::UdpBind, local_address)?;
        udp.socket.bind(local_address)?;
        ctx.table.get_mut(this)?.state = BindState::BindStarted;
        Ok(())
    }

    /// `finish-bind`: completes the bind `start-bind` started.
    pub fn finish_bind(ctx: &mut WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<()> {
        let udp = ctx.table.get_mut(this)?;
        if udp.state != BindState::BindStarted {
            return Err(ErrorCode::NotInProgress.into());
        }
        udp.state = BindState::Bound;
        Ok(())
    }

    /// `stream`: fixes the socket's peer to `remote_address`, or clears it
    /// with `None`, and returns a fresh pair of streams, the only ones
    /// that work from now on. The socket must be bound.
    pub fn stream(
        ctx: &mut WasiP2Ctx,
        this: Resource<UdpSocket>,
        remote_address: Option<SocketAddr>,
    ) -> SocketResult<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> {
        let udp = ctx.table.get(this)?;
        if udp.state != BindState::Bound {
            return Err(ErrorCode::InvalidState.into());
        }
        let socket = Arc::clone(&udp.socket);
        let before = socket.remote_addr().ok();
        let associated = match remote_address {
            Some(remote) => socket.connect(remote),
            None => socket.disconnect(),
        };
        let udp = ctx.table.get_mut(this)?;
        if let Err(e) = associated {
            // A failure that already cleared the old peer leaves the old
            // streams speaking for an association that is gone.
            if socket.remote_addr().ok() != before {
                udp.generation.fetch_add(1, Ordering::AcqRel);
            }
            return Err(e.into());
        }
        let generation = udp.generation.fetch_add(1, Ordering::AcqRel) + 1;
        let incoming = IncomingDatagramStream {
            socket: Arc::clone(&socket),
            parent: this,
            generation,
        };
        let outgoing = OutgoingDatagramStream {
            socket,
            parent: this,
            generation,
            permit: None,
        };
        let incoming = ctx.table.push_child(incoming, this)?;
        match ctx.table.push_child(outgoing, this) {
            Ok(outgoing) => Ok((incoming, outgoing)),
            Err(e) => {
                ctx.table.delete(incoming)?;
                Err(e.into())
            }
        }
    }

    /// `local-address`: the address the socket is bound to.
    pub fn local_address(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<SocketAddr> {
        let udp = ctx.table.get(this)?;
        if udp.state != BindState::Bound {
            return Err(ErrorCode::InvalidState.into());
        }
        Ok(udp.socket.local_addr()?)
    }

    /// `remote-address`: the peer the last `stream` fixed;
    /// `invalid-state` without one.
    pub fn remote_address(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<SocketAddr> {
        Ok(ctx.table.get(this)?.socket.remote_addr()?)
    }

    /// `address-family`.
    pub fn address_family(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> Result<IpFamily, Trap> {
        Ok(ctx.table.get(this)?.socket.family())
    }

    /// `unicast-hop-limit`.
    pub fn unicast_hop_limit(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<u8> {
        Ok(ctx.table.get(this)?.socket.unicast_hop_limit()?)
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    pub fn set_unicast_hop_limit(
        ctx: &WasiP2Ctx,
        this: Resource<UdpSocket>,
        value: u8,
    ) -> SocketResult<()> {
        Ok(ctx.table.get(this)?.socket.set_unicast_hop_limit(value)?)
    }

    /// `receive-buffer-size`, as the host reports it.
    pub fn receive_buffer_size(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<u64> {
        Ok(ctx.table.get(this)?.socket.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the host clamps
    /// anything else as it likes.
    pub fn set_receive_buffer_size(
        ctx: &WasiP2Ctx,
        this: Resource<UdpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(ctx.table.get(this)?.socket.set_receive_buffer_size(value)?)
    }

    /// `send-buffer-size`, as the host reports it.
    pub fn send_buffer_size(ctx: &WasiP2Ctx, this: Resource<UdpSocket>) -> SocketResult<u64> {
        Ok(ctx.table.get(this)?.socket.send_buffer_size()?)
    }

    /// `set-send-buffer-size`, as `set-receive-buffer-size`.
    pub fn set_send_buffer_size(
        ctx: &WasiP2Ctx,
        this: Resource<UdpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(ctx.table.get(this)?.socket.set_send_buffer_size(value)?)
    }

    /// `subscribe`: ready at once, since a bind finishes without waiting.
    /// The pollable is the socket's child.
    pub fn subscribe(
        ctx: &mut WasiP2Ctx,
        this: Resource<UdpSocket>,
    ) -> Result<Resource<Pollable>, Trap> {
        ctx.table.get(this)?;
        Ok(ctx.table.push_child(Pollable::Ready, this)?)
    }

    /// Drops a socket. One with live streams or pollables traps: they must
    /// be dropped first.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<UdpSocket>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

/// The methods of `incoming-datagram-stream`.
pub mod incoming_datagram_stream {
    use super::*;

    /// `receive`: up to `max_results` datagrams waiting now (at most
    /// [`net::udp::MAX_RECEIVE`]), without blocking; an empty list when
    /// none is. Datagrams from sources not granted never show.
    pub fn receive(
        ctx: &mut WasiP2Ctx,
        this: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        let stream = ctx.table.get(this)?;
        if !is_current(ctx, stream.parent, stream.generation)? {
            return Err(ErrorCode::InvalidState.into());
        }
        let received = stream.socket.receive(max_results)?;
        Ok(received
            .into_iter()
            .map(|datagram| IncomingDatagram {
                data: datagram.data,
                remote_address: datagram.remote,
            })
            .collect())
    }

    /// `subscribe`: ready when a datagram is waiting (which may turn out
    /// to be one that is dropped); at once on a stream that no longer
    /// works. The pollable is the stream's child.
    pub fn subscribe(
        ctx: &mut WasiP2Ctx,
        this: Resource<IncomingDatagramStream>,
    ) -> Result<Resource<Pollable>, Trap> {
        let stream = ctx.table.get(this)?;
        let pollable = stream_pollable(ctx.table.get(stream.parent)?, stream.generation, Way::Read);
        Ok(ctx.table.push_child(pollable, this)?)
    }

    /// Drops the stream.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<IncomingDatagramStream>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

/// The methods of `outgoing-datagram-stream`.
pub mod outgoing_datagram_stream {
    use super::*;

    /// `check-send`: how many datagrams the next `send` may be given; 0
    /// while the host's queue is full (wait on `subscribe`). Never
    /// `would-block`.
    pub fn check_send(
        ctx: &mut WasiP2Ctx,
        this: Resource<OutgoingDatagramStream>,
    ) -> SocketResult<u64> {
        let stream = ctx.table.get(this)?;
        let checked = if is_current(ctx, stream.parent, stream.generation)? {
            stream.socket.check_send().map_err(ErrorCode::from)
        } else {
            Err(ErrorCode::InvalidState)
        };
        let stream = ctx.table.get_mut(this)?;
        stream.permit = checked.ok();
        Ok(checked?)
    }

    /// `send`: sends `datagrams` in order until the first that cannot be,
    /// and returns how many were sent; the error of the first only if no
    /// datagram was sent. An empty list is `ok(0)`. A list the last
    /// `check-send` did not permit traps.
    pub fn send(
        ctx: &mut WasiP2Ctx,
        this: Resource<OutgoingDatagramStream>,
        datagrams: &[OutgoingDatagram],
    ) -> SocketResult<u64> {
        if datagrams.is_empty() {
            return Ok(0);
        }
        let stream = ctx.table.get_mut(this)?;
        match stream.permit.take() {
            Some(permitted) if u64::try_from(datagrams.len()).is_ok_and(|n| n <= permitted) => {}
            Some(permitted) => {
                return Err(Failure::Trap(Trap(format!(
                    "send of {} datagrams, more than the {permitted} check-send permitted",
                    datagrams.len()
                ))));
            }
            None => {
                return Err(Failure::Trap(Trap(
                    "send without a permit from check-send".into(),
                )));
            }
        }
        let stream = ctx.table.get(this)?;
        if !is_current(ctx, stream.parent, stream.generation)? {
            return Err(ErrorCode::InvalidState.into());
        }
        let sent = stream.socket.send(
            datagrams
                .iter()
                .map(|datagram| (datagram.data.as_slice(), datagram.remote_address)),
        )?;
        Ok(sent as u64)
    }

    /// `subscribe`: ready when a send can queue; at once on a stream that
    /// no longer works. The pollable is the stream's child.
    pub fn subscribe(
        ctx: &mut WasiP2Ctx,
        this: Resource<OutgoingDatagramStream>,
    ) -> Result<Resource<Pollable>, Trap> {
        let stream = ctx.table.get(this)?;
        let pollable =
            stream_pollable(ctx.table.get(stream.parent)?, stream.generation, Way::Write);
        Ok(ctx.table.push_child(pollable, this)?)
    }

    /// Drops the stream.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<OutgoingDatagramStream>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
