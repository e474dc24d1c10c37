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

/// Drops an `error`.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<IoError>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}
