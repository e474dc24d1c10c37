//! `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` on sockets
//! the embedder preopened.

use std::io::IoSliceMut;

use super::descriptor::{Descriptor, Handle};
use super::fd::{in_chunks, read_into_iovecs, stream_ready, window_mut, write_stream, Way};
use super::memory::GuestMemory;
use super::types::{fdflags, rights, sockflags};
use super::Errno;
use super::WasiP1Ctx;
use super::{flags16, host};
use crate::execution::Execution;
use crate::fs::File;
use crate::net::Socket;

/// The socket behind `fd`, as a file (to wait on) and as a socket.
fn socket(ctx: &WasiP1Ctx, fd: u32, required: u64) -> Result<(&dyn File, &dyn Socket), Errno> {
    let d = ctx.fds.get(fd)?;
    let Handle::File(file) = &d.handle else {
        return Err(Errno::Notsock);
    };
    let socket = file.as_socket().ok_or(Errno::Notsock)?;
    d.require(fd, required)?;
    Ok((file.as_ref(), socket))
}

pub async fn sock_accept(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    opened: u32,
    execution: Execution,
) -> Result<(), Errno> {
    let flags = flags16(flags, fdflags::NONBLOCK)?;
    let inheriting = ctx.descriptor(fd, 0)?.inheriting;
    let (listener, socket) = socket(ctx, fd, rights::SOCK_ACCEPT)?;
    // A pending connection makes a listener readable.
    let clock = ctx.grants.monotonic_clock.as_ref();
    stream_ready(clock, listener, Way::Read, execution).await?;
    let stream = host(socket.accept(flags & fdflags::NONBLOCK != 0))?;
    let new_fd = ctx.fds.push(Descriptor {
        handle: Handle::File(stream),
        // A connection keeps the accept right so that accepting on it
        // reaches the kernel, which answers EINVAL as accept(2) documents.
        base: rights::SOCKET & (inheriting | rights::SOCK_SHUTDOWN | rights::SOCK_ACCEPT),
        inheriting: 0,
        preopen: None,
        cursor: None,
    })?;
    mem.write_u32(opened, new_fd).inspect_err(|_| {
        let _ = ctx.fds.remove(new_fd);
    })
}

pub async fn sock_recv(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
    execution: Execution,
) -> Result<(), Errno> {
    let flags = flags16(ri_flags, sockflags::RECV_PEEK | sockflags::RECV_WAITALL)?;
    let peek = flags & sockflags::RECV_PEEK != 0;
    let waitall = flags & sockflags::RECV_WAITALL != 0;
    let (file, socket) = socket(ctx, fd, rights::FD_READ)?;
    let clock = ctx.grants.monotonic_clock.as_ref();
    let waited = stream_ready(clock, file, Way::Read, execution).await?;
    let mut truncated = false;
    let mut recv = |bufs: &mut [IoSliceMut<'_>], waitall: bool| {
        let (n, cut) = socket.recv(bufs, peek, waitall)?;
        truncated |= cut;
        Ok(n)
    };
    if waited && waitall && !peek {
        // The kernel's wait for every byte would hold the executor thread:
        // the bytes are gathered here instead, with a wait before each
        // receive.
        let total = mem.iovecs_len(ri_data, ri_data_len)?;
        let got = in_chunks(clock, file, Way::Read, execution, total, |done| {
            mem.iovecs_mut(ri_data, ri_data_len, |bufs| {
                recv(&mut window_mut(bufs, done), false)
            })
        })
        .await?;
        mem.write_u32(ro_datalen, got as u32)?;
    } else {
        // A peek cannot be gathered piece by piece: after a wait, it shows
        // what has come so far.
        read_into_iovecs(mem, ri_data, ri_data_len, ro_datalen, |bufs| {
            recv(bufs, waitall && !waited)
        })?;
    }
    let out = if truncated {
        sockflags::RECV_DATA_TRUNCATED
    } else {
        0
    };
    mem.write_u16(ro_flags, out)
}

pub async fn sock_send(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    si_flags: u32,
    so_datalen: u32,
    execution: Execution,
) -> Result<(), Errno> {
    // No send flags are defined; anything set is a guest mistake.
    flags16(si_flags, 0)?;
    let (file, socket) = socket(ctx, fd, rights::FD_WRITE)?;
    let clock = ctx.grants.monotonic_clock.as_ref();
    write_stream(
        clock,
        file,
        mem,
        si_data,
        si_data_len,
        so_datalen,
        execution,
        |bufs| socket.send(bufs),
    )
    .await
}

pub fn sock_shutdown(
    ctx: &mut WasiP1Ctx,
    _mem: &mut GuestMemory<'_>,
    fd: u32,
    how: u32,
) -> Result<(), Errno> {
    let how = u8::try_from(how).map_err(|_| Errno::Inval)?;
    if how == 0 || how & !(sockflags::SHUT_RD | sockflags::SHUT_WR) != 0 {
        return Err(Errno::Inval);
    }
    let (_, socket) = socket(ctx, fd, rights::SOCK_SHUTDOWN)?;
    host(socket.shutdown(how & sockflags::SHUT_RD != 0, how & sockflags::SHUT_WR != 0))
}
