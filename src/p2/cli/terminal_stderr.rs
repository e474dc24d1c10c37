//! `wasi:cli/terminal-stderr`.

use crate::p2::cli::terminal_output::TerminalOutput;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-terminal-stderr`: a `terminal-output` if stderr is a terminal.
pub fn get_terminal_stderr(ctx: &mut WasiP2Ctx) -> Result<Option<Resource<TerminalOutput>>, Trap> {
    if !ctx.grants.stdio[2].is_tty() {
        return Ok(None);
    }
    Ok(Some(ctx.table.push(TerminalOutput)?))
}
