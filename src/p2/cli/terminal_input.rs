//! `wasi:cli/terminal-input`: the resource that says stdin is a
//! terminal. The WIT gives it no methods yet.

use crate::p2::{Resource, Trap, WasiP2Ctx};

/// A `terminal-input` resource.
pub struct TerminalInput;

/// Drops a `terminal-input`.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<TerminalInput>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}
