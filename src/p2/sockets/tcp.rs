//! `wasi:sockets/tcp`: the TCP socket resource and its state machine, over
//! the core's [`crate::net::tcp::TcpSocket`], which
//! asks the address policy before every system call.
//!
//! The states are the WIT's (see [`State`]). Every transition happens
//! during the call that causes it: the host's `bind(2)` and `listen(2)` are
//! made by `start-bind` and `start-listen`, so `finish-bind` and
//! `finish-listen` never answer `would-block`; `connect(2)` is started by
//! `start-connect`, and `finish-connect` answers `would-block` until the
//! kernel says it is done.
//!
//! A call in the wrong state answers `invalid-state` and changes nothing;
//! a `finish-*` call without its `start-*` answers `not-in-progress`; a
//! `start-*` call while another operation is in progress answers
//! `concurrency-conflict`. A `start-connect` or `start-listen` that fails
//! for any reason other than an invalid argument leaves the socket
//! `closed`, as the WIT's operational semantics say; an invalid argument is
//! refused before anything is tried, and the socket stays as it was.
//!
//! The `network` handed to `start-bind` and `start-connect` is what grants:
//! its policy is asked before the socket's own (the context's, which the
//! core asks again). A socket bound through one network cannot connect
//! through another (`invalid-argument`, as the WIT says).
//!
//! Streams returned by `finish-connect` and `accept`, and pollables from
//! `subscribe`, are the socket's children in the [`ResourceTable`]:
//! dropping the socket while they live traps, as for a descriptor's
//! streams. The streams share the host socket, so the connection lasts
//! until the socket and both streams are gone.
//!
//! A full table answers `new-socket-limit` from the calls that make
//! sockets (`create-tcp-socket`, `accept`), the WIT's code for that limit;
//! `accept` checks for room for the socket and both streams before it
//! takes a connection off the kernel's queue, so a connection is never
//! taken only to be lost. Any other call that finds the table full (the
//! streams of `finish-connect`, a pollable) traps, as the filesystem's
//! calls do.
//!
//! [`ResourceTable`]: crate::p2::ResourceTable

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use crate::fs;
use crate::net::sockopt::{check_family, check_unicast};
use crate::net::{self, AddressPolicy, Use};
use crate::p2::io::poll::{Pollable, Way};
use crate::p2::io::streams::{InputStream, OutputStream};
use crate::p2::sockets::network::{ErrorCode, Network, SocketResult};
use crate::p2::{Failure, Resource, ResourceError, Trap, WasiP2Ctx};

pub use crate::net::tcp::IpFamily;

/// The listen queue size asked for when the guest set none, as Rust's
/// standard library asks.
pub const DEFAULT_BACKLOG: u64 = 128;

/// `shutdown-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ShutdownType {
    /// `receive`: like `SHUT_RD`.
    Receive,
    /// `send`: like `SHUT_WR`.
    Send,
    /// `both`: like `SHUT_RDWR`.
    Both,
}

/// Where a socket is in the WIT's state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum State {
    /// `unbound`: just created, or a bind failed.
    Unbound,
    /// `bind-in-progress`: bound on the host, waiting for `finish-bind`.
    BindStarted,
    /// `bound`.
    Bound,
    /// `listen-in-progress`: listening on the host, waiting for
    /// `finish-listen`.
    ListenStarted,
    /// `listening`.
    Listening,
    /// `connect-in-progress`: the host's connect was started.
    ConnectStarted,
    /// `connected`: by `finish-connect`, or made by `accept`.
    Connected,
    /// `closed`: a connect or listen failed; only dropping is left.
    Closed,
}

impl State {
    /// Whether an operation is in progress, so that a new one conflicts.
    fn in_progress(self) -> bool {
        matches!(
            self,
            State::BindStarted | State::ListenStarted | State::ConnectStarted
        )
    }

    /// Whether the socket is `bound` in the WIT's wide sense: bound or any
    /// state after it.
    fn bound(self) -> bool {
        matches!(
            self,
            State::Bound
                | State::ListenStarted
                | State::Listening
                | State::ConnectStarted
                | State::Connected
        )
    }
}

/// A `tcp-socket` resource.
pub struct TcpSocket {
    inner: net::tcp::TcpSocket,
    state: State,
    /// The policy of the network the socket was bound or connected
    /// through, once it was.
    network: Option<Arc<AddressPolicy>>,
    /// The listen queue size for `start-listen`.
    backlog: u64,
}

impl TcpSocket {
    /// An unbound socket over the host's `inner`.
    pub(crate) fn new(inner: net::tcp::TcpSocket) -> Self {
        TcpSocket::with_state(inner, State::Unbound, None)
    }

    fn with_state(
        inner: net::tcp::TcpSocket,
        state: State,
        network: Option<Arc<AddressPolicy>>,
    ) -> Self {
        TcpSocket {
            inner,
            state,
            network,
            backlog: DEFAULT_BACKLOG,
        }
    }

    /// Where the socket is in the WIT's state machine.
    pub fn state(&self) -> State {
        self.state
    }
}

/// `Err(code)` as a sockets call returns it.
fn fail<T>(code: ErrorCode) -> SocketResult<T> {
    Err(Failure::Error(code))
}

/// The answer to a `start-*` call in `state`, which is not the one it
/// starts from.
fn cannot_start<T>(state: State) -> SocketResult<T> {
    if state.in_progress() {
        fail(ErrorCode::ConcurrencyConflict)
    } else {
        fail(ErrorCode::InvalidState)
    }
}

/// The policy of `network`.
fn network_policy(ctx: &WasiP2Ctx, network: Resource<Network>) -> Result<Arc<AddressPolicy>, Trap> {
    Ok(Arc::clone(&ctx.table.get(network)?.policy))
}

/// Refuses, as the core would, a remote address wasi:sockets calls
/// invalid, so that the network's policy is asked only about a real one.
fn check_remote(family: IpFamily, addr: SocketAddr) -> io::Result<()> {
    check_family(family, &addr)?;
    check_unicast(addr.ip())?;
    if addr.ip().is_unspecified() || addr.port() == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "connecting to the unspecified address or port 0",
        ));
    }
    Ok(())
}

/// A duration in nanoseconds as the WIT gives it.
fn nanos(value: u64) -> Duration {
    Duration::from_nanos(value)
}

/// A duration as the WIT's nanoseconds, saturated.
fn to_nanos(value: Duration) -> u64 {
    u64::try_from(value.as_nanos()).unwrap_or(u64::MAX)
}

/// A connected host socket's streams, pushed as children of `parent`. If
/// the second cannot be pushed, the first is taken back out.
fn push_streams(
    ctx: &mut WasiP2Ctx,
    stream: Arc<net::tcp::TcpStream>,
    parent: Resource<TcpSocket>,
) -> Result<(Resource<InputStream>, Resource<OutputStream>), ResourceError> {
    let file: Arc<dyn fs::File> = stream;
    let input = ctx
        .table
        .push_child(InputStream::stream(Arc::clone(&file)), parent)?;
    match ctx.table.push_child(OutputStream::stream(file), parent) {
        Ok(output) => Ok((input, output)),
        Err(e) => {
            let _ = ctx.table.delete(input);
            Err(e)
        }
    }
}

/// Wraps the host's socket descriptor for a pollable.
struct SocketFd(Arc<OwnedFd>);

impl AsFd for SocketFd {
    fn as_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        self.0.as_fd()
    }
}

/// The methods of `tcp-socket`.
pub mod tcp_socket {
    use super::*;

    fn get(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> Result<&TcpSocket, Trap> {
        Ok(ctx.table.get(this)?)
    }

    fn get_mut(ctx: &mut WasiP2Ctx, this: Resource<TcpSocket>) -> Result<&mut TcpSocket, Trap> {
        Ok(ctx.table.get_mut(this)?)
    }

    /// `start-bind`: binds the host socket to `local_address`, if
    /// `network` grants it (and the socket's own policy does). On success
    /// the socket is `bind-in-progress` until `finish-bind`; on failure it
    /// stays `unbound`, for another try.
    pub fn start_bind(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: SocketAddr,
    ) -> SocketResult<()> {
        let policy = network_policy(ctx, network)?;
        let socket = get_mut(ctx, this)?;
        if socket.state != State::Unbound {
            return cannot_start(socket.state);
        }
        check_family(socket.inner.family(), &local_address)?;
        check_unicast(local_address.ip())?;
        policy.check(Use::TcpBind, local_address)?;
        socket.inner.bind(local_address)?;
        socket.state = State::BindStarted;
        socket.network = Some(policy);
        Ok(())
    }

    /// `finish-bind`: `bound`, after a successful `start-bind`.
    pub fn finish_bind(ctx: &mut WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<()> {
        let socket = get_mut(ctx, this)?;
        if socket.state != State::BindStarted {
            return fail(ErrorCode::NotInProgress);
        }
        socket.state = State::Bound;
        Ok(())
    }

    /// `start-connect`: starts connecting to `remote_address`, if
    /// `network` grants it (and the socket's own policy does). An unbound
    /// socket is bound by the host to an ephemeral port.
    pub fn start_connect(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: SocketAddr,
    ) -> SocketResult<()> {
        let policy = network_policy(ctx, network)?;
        let socket = get_mut(ctx, this)?;
        if !matches!(socket.state, State::Unbound | State::Bound) {
            return cannot_start(socket.state);
        }
        if let Some(bound) = &socket.network {
            if !Arc::ptr_eq(bound, &policy) {
                return fail(ErrorCode::InvalidArgument);
            }
        }
        check_remote(socket.inner.family(), remote_address)?;
        let started = policy
            .check(Use::TcpConnect, remote_address)
            .and_then(|()| socket.inner.connect_start(remote_address));
        match started {
            Ok(()) => {
                socket.state = State::ConnectStarted;
                socket.network = Some(policy);
                Ok(())
            }
            Err(e) => {
                let code = ErrorCode::from(e);
                if code != ErrorCode::InvalidArgument {
                    socket.state = State::Closed;
                }
                fail(code)
            }
        }
    }

    /// `finish-connect`: the connection's streams, as the socket's
    /// children, once the connect is done; `would-block` while it is in
    /// progress. A failed connect leaves the socket `closed`.
    pub fn finish_connect(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
    ) -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
        let socket = get_mut(ctx, this)?;
        if socket.state != State::ConnectStarted {
            return fail(ErrorCode::NotInProgress);
        }
        let stream = match socket
            .inner
            .connect_finish()
            .and_then(|()| socket.inner.stream())
        {
            Ok(stream) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                return fail(ErrorCode::WouldBlock);
            }
            Err(e) => {
                socket.state = State::Closed;
                return Err(e.into());
            }
        };
        socket.state = State::Connected;
        Ok(push_streams(ctx, stream, this)?)
    }

    /// `start-listen`: starts listening on the bound address with the
    /// backlog set so far, if the network the socket was bound through
    /// grants it (and the socket's own policy does). A failure leaves the
    /// socket `closed`.
    pub fn start_listen(ctx: &mut WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<()> {
        let socket = get_mut(ctx, this)?;
        if socket.state != State::Bound {
            return cannot_start(socket.state);
        }
        let network = socket.network.clone();
        let listened = socket.inner.local_addr().and_then(|local| {
            if let Some(policy) = &network {
                policy.check(Use::TcpListen, local)?;
            }
            socket.inner.listen(socket.backlog)
        });
        match listened {
            Ok(()) => {
                socket.state = State::ListenStarted;
                Ok(())
            }
            Err(e) => {
                socket.state = State::Closed;
                Err(e.into())
            }
        }
    }

    /// `finish-listen`: `listening`, after a successful `start-listen`.
    pub fn finish_listen(ctx: &mut WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<()> {
        let socket = get_mut(ctx, this)?;
        if socket.state != State::ListenStarted {
            return fail(ErrorCode::NotInProgress);
        }
        socket.state = State::Listening;
        Ok(())
    }

    /// `accept`: the next pending connection from a peer the policy grants,
    /// as a new `connected` socket and its streams (the new socket's
    /// children); `would-block` when there is none. `new-socket-limit` if
    /// the table has no room for all three, checked before a connection is
    /// taken.
    #[allow(clippy::type_complexity)] // the WIT's tuple
    pub fn accept(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
    ) -> SocketResult<(
        Resource<TcpSocket>,
        Resource<InputStream>,
        Resource<OutputStream>,
    )> {
        let socket = get(ctx, this)?;
        if socket.state != State::Listening {
            return fail(ErrorCode::InvalidState);
        }
        let max = ctx.grants.max_open_fds as usize;
        if ctx.table.len().saturating_add(3) > max {
            return fail(ErrorCode::NewSocketLimit);
        }
        let network = socket.network.clone();
        let (inner, _peer) = socket.inner.accept()?;
        let stream = inner.stream()?;
        let accepted = TcpSocket::with_state(inner, State::Connected, network);
        let accepted = match ctx.table.push(accepted) {
            Ok(accepted) => accepted,
            Err(ResourceError::Full) => return fail(ErrorCode::NewSocketLimit),
            Err(e) => return Err(e.into()),
        };
        match push_streams(ctx, stream, accepted) {
            Ok((input, output)) => Ok((accepted, input, output)),
            Err(e) => {
                let _ = ctx.table.delete(accepted);
                match e {
                    ResourceError::Full => fail(ErrorCode::NewSocketLimit),
                    e => Err(e.into()),
                }
            }
        }
    }

    /// `local-address`: the bound address; `invalid-state` unless bound.
    pub fn local_address(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<SocketAddr> {
        let socket = get(ctx, this)?;
        if !socket.state.bound() {
            return fail(ErrorCode::InvalidState);
        }
        Ok(socket.inner.local_addr()?)
    }

    /// `remote-address`: the peer's address; `invalid-state` unless
    /// connected.
    pub fn remote_address(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<SocketAddr> {
        let socket = get(ctx, this)?;
        if socket.state != State::Connected {
            return fail(ErrorCode::InvalidState);
        }
        Ok(socket.inner.peer_addr()?)
    }

    /// `is-listening`.
    pub fn is_listening(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> Result<bool, Trap> {
        Ok(get(ctx, this)?.state == State::Listening)
    }

    /// `address-family`.
    pub fn address_family(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> Result<IpFamily, Trap> {
        Ok(get(ctx, this)?.inner.family())
    }

    /// `set-listen-backlog-size`: 0 is `invalid-argument`; while connecting
    /// or connected, or closed, `invalid-state`. Before listening the size
    /// is kept for `start-listen`; while listening the host's queue is
    /// resized at once. Any other value is taken, clamped by the host.
    pub fn set_listen_backlog_size(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        let socket = get_mut(ctx, this)?;
        if value == 0 {
            return fail(ErrorCode::InvalidArgument);
        }
        match socket.state {
            State::ConnectStarted | State::Connected | State::Closed => {
                fail(ErrorCode::InvalidState)
            }
            State::Listening | State::ListenStarted => {
                socket.inner.set_listen_backlog_size(value)?;
                socket.backlog = value;
                Ok(())
            }
            State::Unbound | State::BindStarted | State::Bound => {
                socket.backlog = value;
                Ok(())
            }
        }
    }

    /// `keep-alive-enabled`.
    pub fn keep_alive_enabled(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<bool> {
        Ok(get(ctx, this)?.inner.keep_alive_enabled()?)
    }

    /// `set-keep-alive-enabled`.
    pub fn set_keep_alive_enabled(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: bool,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?.inner.set_keep_alive_enabled(value)?)
    }

    /// `keep-alive-idle-time`, in nanoseconds.
    pub fn keep_alive_idle_time(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u64> {
        Ok(to_nanos(get(ctx, this)?.inner.keep_alive_idle_time()?))
    }

    /// `set-keep-alive-idle-time`, in nanoseconds: 0 is
    /// `invalid-argument`; anything else is rounded up to whole seconds
    /// and clamped.
    pub fn set_keep_alive_idle_time(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?
            .inner
            .set_keep_alive_idle_time(nanos(value))?)
    }

    /// `keep-alive-interval`, in nanoseconds.
    pub fn keep_alive_interval(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u64> {
        Ok(to_nanos(get(ctx, this)?.inner.keep_alive_interval()?))
    }

    /// `set-keep-alive-interval`, in nanoseconds, with the rules of
    /// [`set_keep_alive_idle_time`].
    pub fn set_keep_alive_interval(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?
            .inner
            .set_keep_alive_interval(nanos(value))?)
    }

    /// `keep-alive-count`.
    pub fn keep_alive_count(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u32> {
        Ok(get(ctx, this)?.inner.keep_alive_count()?)
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; more than the host
    /// takes is clamped.
    pub fn set_keep_alive_count(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u32,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?.inner.set_keep_alive_count(value)?)
    }

    /// `hop-limit`.
    pub fn hop_limit(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u8> {
        Ok(get(ctx, this)?.inner.hop_limit()?)
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    pub fn set_hop_limit(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u8,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?.inner.set_hop_limit(value)?)
    }

    /// `receive-buffer-size`, as the host reports it.
    pub fn receive_buffer_size(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u64> {
        Ok(get(ctx, this)?.inner.receive_buffer_size()?)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; anything else
    /// is taken, clamped by the host.
    pub fn set_receive_buffer_size(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?.inner.set_receive_buffer_size(value)?)
    }

    /// `send-buffer-size`, as the host reports it.
    pub fn send_buffer_size(ctx: &WasiP2Ctx, this: Resource<TcpSocket>) -> SocketResult<u64> {
        Ok(get(ctx, this)?.inner.send_buffer_size()?)
    }

    /// `set-send-buffer-size`, with the rules of
    /// [`set_receive_buffer_size`].
    pub fn set_send_buffer_size(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(get(ctx, this)?.inner.set_send_buffer_size(value)?)
    }

    /// `subscribe`: a pollable, the socket's child: while connecting,
    /// ready when the connect is done (the socket writable, or failed);
    /// while listening, ready when a connection is pending; in every other
    /// state ready at once, since `finish-bind` and `finish-listen` never
    /// wait.
    ///
    /// The pollable waits on the socket for either direction, so what it
    /// waits for follows the socket's state when it is polled, not when it
    /// was made: the kernel reports a listener readable when a connection
    /// is pending, a connecting socket writable when the connect is over,
    /// and any other socket at once (writable, or hung up while
    /// unconnected). A guest may make one pollable up front and wait on it
    /// through every state.
    pub fn subscribe(
        ctx: &mut WasiP2Ctx,
        this: Resource<TcpSocket>,
    ) -> Result<Resource<Pollable>, Trap> {
        let socket = get(ctx, this)?;
        let pollable = Pollable::Host {
            fd: Arc::new(SocketFd(socket.inner.shared_fd())),
            way: Way::Either,
        };
        Ok(ctx.table.push_child(pollable, this)?)
    }

    /// `shutdown`: shuts one direction or both; `invalid-state` unless
    /// connected. Shutting a direction down again is `ok`.
    pub fn shutdown(
        ctx: &WasiP2Ctx,
        this: Resource<TcpSocket>,
        how: ShutdownType,
    ) -> SocketResult<()> {
        let socket = get(ctx, this)?;
        if socket.state != State::Connected {
            return fail(ErrorCode::InvalidState);
        }
        let (read, write) = match how {
            ShutdownType::Receive => (true, false),
            ShutdownType::Send => (false, true),
            ShutdownType::Both => (true, true),
        };
        // A connection the peer has ended is `closed`: the host's
        // `ENOTCONN` is `invalid-state`.
        Ok(socket.inner.shutdown(read, write)?)
    }

    /// Drops a socket, in any state. One with live streams or pollables
    /// traps: they must be dropped first, as a descriptor's are.
    pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<TcpSocket>) -> Result<(), Trap> {
        ctx.table.delete(this)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
