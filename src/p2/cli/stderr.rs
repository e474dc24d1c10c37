//! `wasi:cli/stderr`: a stream over the granted standard error, the handle preview1
//! numbers 2.

use std::sync::Arc;

use crate::p2::io::streams::OutputStream;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-stderr`.
pub fn get_stderr(ctx: &mut WasiP2Ctx) -> Result<Resource<OutputStream>, Trap> {
    let stream = OutputStream::stream(Arc::clone(&ctx.grants.stdio[2]));
    Ok(ctx.table.push(stream)?)
}
