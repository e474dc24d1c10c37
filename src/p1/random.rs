//! `random_get`.

use super::memory::GuestMemory;
use super::Errno;
use super::WasiP1Ctx;

pub fn random_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    buf: u32,
    buf_len: u32,
) -> Result<(), Errno> {
    // Filled in place: the guest's own buffer bounds the work, and the host
    // allocates nothing.
    let dest = mem.slice_mut(buf, buf_len)?;
    ctx.grants.random.fill(dest).map_err(Errno::from)
}
