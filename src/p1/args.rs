//! `args_*` and `environ_*`: the guest's command line and environment.

use super::memory::GuestMemory;
use super::Errno;
use super::WasiP1Ctx;
use crate::ctx::StringList;

/// Writes a pointer per string at `pointers` and the NUL-terminated strings
/// themselves at `buf`: the layout C's `argv` and `environ` expect.
fn copy_list(
    list: &StringList,
    mem: &mut GuestMemory<'_>,
    pointers: u32,
    buf: u32,
) -> Result<(), Errno> {
    mem.write(buf, &list.bytes)?;
    for (i, offset) in list.offsets.iter().enumerate() {
        let slot = pointers.checked_add(i as u32 * 4).ok_or(Errno::Fault)?;
        let target = buf.checked_add(*offset).ok_or(Errno::Fault)?;
        mem.write_u32(slot, target)?;
    }
    Ok(())
}

fn sizes(list: &StringList, mem: &mut GuestMemory<'_>, count: u32, size: u32) -> Result<(), Errno> {
    mem.write_u32(count, list.offsets.len() as u32)?;
    mem.write_u32(size, list.bytes.len() as u32)
}

pub fn args_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    argv: u32,
    argv_buf: u32,
) -> Result<(), Errno> {
    copy_list(&ctx.grants.args, mem, argv, argv_buf)
}

pub fn args_sizes_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    argc: u32,
    argv_buf_size: u32,
) -> Result<(), Errno> {
    sizes(&ctx.grants.args, mem, argc, argv_buf_size)
}

pub fn environ_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    environ: u32,
    environ_buf: u32,
) -> Result<(), Errno> {
    copy_list(&ctx.grants.env, mem, environ, environ_buf)
}

pub fn environ_sizes_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    count: u32,
    buf_size: u32,
) -> Result<(), Errno> {
    sizes(&ctx.grants.env, mem, count, buf_size)
}
