//! `wasi:cli/terminal-stdout`.

use crate::p2::cli::terminal_output::TerminalOutput;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-terminal-stdout`: a `terminal-output` if stdout is a terminal.
pub fn get_terminal_stdout(ctx: &mut WasiP2Ctx) -> Result<Option<Resource<TerminalOutput>>, Trap> {
    if !ctx.grants.stdio[1].is_tty() {
        return Ok(None);
    }
    Ok(Some(ctx.table.push(TerminalOutput)?))
}
