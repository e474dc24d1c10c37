//! `clock_res_get` and `clock_time_get`.

use rustix::time::ClockId;

use super::memory::GuestMemory;
use super::types::clockid;
use super::Errno;
use super::WasiP1Ctx;
use crate::clock::{host_now, host_resolution};

/// Reads clock `id`: `(now, resolution)` as one of the two is asked for.
pub(crate) fn read(ctx: &WasiP1Ctx, id: u32, resolution: bool) -> Result<u64, Errno> {
    let pick = |now: u64, res: u64| if resolution { res } else { now };
    Ok(match id {
        clockid::REALTIME => {
            if resolution {
                ctx.grants.wall_clock.resolution()
            } else {
                ctx.grants.wall_clock.now()
            }
        }
        clockid::MONOTONIC => {
            if resolution {
                ctx.grants.monotonic_clock.resolution()
            } else {
                ctx.grants.monotonic_clock.now()
            }
        }
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID if ctx.grants.host_cpu_clocks => {
            let host = if id == clockid::PROCESS_CPUTIME_ID {
                ClockId::ProcessCPUTime
            } else {
                ClockId::ThreadCPUTime
            };
            if resolution {
                host_resolution(host)
            } else {
                host_now(host)
            }
        }
        clockid::PROCESS_CPUTIME_ID | clockid::THREAD_CPUTIME_ID => pick(
            if resolution {
                0
            } else {
                ctx.grants.monotonic_clock.now()
            },
            ctx.grants.monotonic_clock.resolution(),
        ),
        _ => return Err(Errno::Inval),
    })
}

pub fn clock_res_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    resolution: u32,
) -> Result<(), Errno> {
    let value = read(ctx, id, true)?;
    mem.write_u64(resolution, value)
}

pub fn clock_time_get(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    id: u32,
    _precision: u64,
    time: u32,
) -> Result<(), Errno> {
    let value = read(ctx, id, false)?;
    mem.write_u64(time, value)
}
