//! `proc_exit`, `proc_raise` and `sched_yield`.

use super::memory::GuestMemory;
use super::types::signal;
use super::Errno;
use super::WasiP1Ctx;
use crate::engine::{HostResult, Termination};

pub fn proc_exit(_ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>, rval: u32) -> Termination {
    Termination::Exit(rval as i32)
}

/// Delivers a signal to the guest itself. A guest has no handlers the host
/// could run, so each signal takes its POSIX default action: the ones that
/// are ignored by default return at once, and the rest end the guest with
/// the status a shell reports for death by that signal.
pub fn proc_raise(_ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>, sig: u32) -> HostResult {
    match sig {
        signal::NONE | signal::CHLD | signal::CONT | signal::URG | signal::WINCH => Ok(0),
        1..=signal::MAX => Err(Termination::Exit(128 + sig as i32)),
        _ => Ok(Errno::Inval as i32),
    }
}

pub fn sched_yield(_ctx: &mut WasiP1Ctx, _mem: &mut GuestMemory<'_>) -> Result<(), Errno> {
    std::thread::yield_now();
    Ok(())
}
