//! `wasi:cli/stdin`: a stream over the granted standard input, the handle preview1
//! numbers 0.

use std::sync::Arc;

use crate::p2::io::streams::InputStream;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-stdin`.
pub fn get_stdin(ctx: &mut WasiP2Ctx) -> Result<Resource<InputStream>, Trap> {
    let stream = InputStream::stream(Arc::clone(&ctx.grants.stdio[0]));
    Ok(ctx.table.push(stream)?)
}
