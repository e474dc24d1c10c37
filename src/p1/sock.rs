//! `sock_accept`, `sock_recv`, `sock_send` and `sock_shutdown` on sockets
//! the embedder preopened.

use super::descriptor::{Descriptor, Handle};
use super::fd::{read_into_iovecs, write_from_iovecs};
use super::memory::GuestMemory;
use super::types::{fdflags, rights, sockflags};
use super::Errno;
use super::WasiP1Ctx;
use super::{flags16, host};
use crate::net::Socket;

fn socket(ctx: &WasiP1Ctx, fd: u32, required: u64) -> Result<&dyn Socket, Errno> {
    let d = ctx.fds.get(fd)?;
    let Handle::File(file) = &d.handle else {
        return Err(Errno::Notsock);
    };
    let socket = file.as_socket().ok_or(Errno::Notsock)?;
    d.require(fd, required)?;
    Ok(socket)
}

pub fn sock_accept(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    flags: u32,
    opened: u32,
) -> Result<(), Errno> {
    let flags = flags16(flags, fdflags::NONBLOCK)?;
    let inheriting = ctx.descriptor(fd, 0)?.inheriting;
    let stream =
        host(socket(ctx, fd, rights::SOCK_ACCEPT)?.accept(flags & fdflags::NONBLOCK != 0))?;
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

pub fn sock_recv(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    ri_data: u32,
    ri_data_len: u32,
    ri_flags: u32,
    ro_datalen: u32,
    ro_flags: u32,
) -> Result<(), Errno> {
    let flags = flags16(ri_flags, sockflags::RECV_PEEK | sockflags::RECV_WAITALL)?;
    let socket = socket(ctx, fd, rights::FD_READ)?;
    let mut truncated = false;
    read_into_iovecs(mem, ri_data, ri_data_len, ro_datalen, |bufs| {
        let (n, cut) = socket.recv(
            bufs,
            flags & sockflags::RECV_PEEK != 0,
            flags & sockflags::RECV_WAITALL != 0,
        )?;
        truncated = cut;
        Ok(n)
    })?;
    let out = if truncated {
        sockflags::RECV_DATA_TRUNCATED
    } else {
        0
    };
    mem.write_u16(ro_flags, out)
}

pub fn sock_send(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: u32,
    si_data: u32,
    si_data_len: u32,
    si_flags: u32,
    so_datalen: u32,
) -> Result<(), Errno> {
    // No send flags are defined; anything set is a guest mistake.
    flags16(si_flags, 0)?;
    let socket = socket(ctx, fd, rights::FD_WRITE)?;
    write_from_iovecs(mem, si_data, si_data_len, so_datalen, |bufs| {
        socket.send(bufs)
    })
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
    let socket = socket(ctx, fd, rights::SOCK_SHUTDOWN)?;
    host(socket.shutdown(how & sockflags::SHUT_RD != 0, how & sockflags::SHUT_WR != 0))
}
