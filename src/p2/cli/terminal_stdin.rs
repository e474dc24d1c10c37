//! `wasi:cli/terminal-stdin`.

use crate::p2::cli::terminal_input::TerminalInput;
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `get-terminal-stdin`: a `terminal-input` if stdin is a terminal.
pub fn get_terminal_stdin(ctx: &mut WasiP2Ctx) -> Result<Option<Resource<TerminalInput>>, Trap> {
    if !ctx.grants.stdio[0].is_tty() {
        return Ok(None);
    }
    Ok(Some(ctx.table.push(TerminalInput)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::cli::terminal_stderr::get_terminal_stderr;
    use crate::p2::cli::terminal_stdout::get_terminal_stdout;
    use crate::p2::testing::ctx;

    #[test]
    fn memory_streams_are_no_terminals() {
        let mut ctx = ctx(|_| {});
        assert_eq!(get_terminal_stdin(&mut ctx).map(|t| t.is_none()), Ok(true));
        assert_eq!(get_terminal_stdout(&mut ctx).map(|t| t.is_none()), Ok(true));
        assert_eq!(get_terminal_stderr(&mut ctx).map(|t| t.is_none()), Ok(true));
    }
}
