//! `wasi:cli/terminal-output`: the resource that says stdout or stderr
//! is a terminal. The WIT gives it no methods yet.

use crate::p2::{Resource, Trap, WasiP2Ctx};

/// A `terminal-output` resource.
pub struct TerminalOutput;

/// Drops a `terminal-output`.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<TerminalOutput>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}
