//! `wasi:io/error`: the error behind a stream's `last-operation-failed`.

use std::io;

use crate::p2::{Resource, Trap, WasiP2Ctx};

/// An `error` resource: a host error, kept for the guest to describe.
#[derive(Debug)]
pub struct IoError(pub io::Error);

/// `error.to-debug-string`: a description for people, not for programs.
pub fn to_debug_string(ctx: &WasiP2Ctx, this: Resource<IoError>) -> Result<String, Trap> {
    Ok(ctx.table.get(this)?.0.to_string())
}

/// A copy of the host error behind `this`, carrying what an error-code
/// mapping reads: the OS code, or else the kind (a capability refusal's
/// kind is `PermissionDenied`, which maps as the refusal does). The error
/// itself stays in its resource for the guest to describe.
pub(crate) fn host_error(ctx: &WasiP2Ctx, this: Resource<IoError>) -> Result<io::Error, Trap> {
    let err = &ctx.table.get(this)?.0;
    Ok(match err.raw_os_error() {
        Some(raw) => io::Error::from_raw_os_error(raw),
        None => io::Error::from(err.kind()),
    })
}

/// Drops an `error`.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<IoError>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}
