//! `wasi:cli`: environment, exit, the standard streams and the terminals.

use crate::p2::cli::terminal_input::{self, TerminalInput};
use crate::p2::cli::terminal_output::{self, TerminalOutput};
use crate::p2::cli::{
    environment, exit, stderr, stdin, stdout, terminal_stderr, terminal_stdin, terminal_stdout,
};
use crate::p2::io::streams::{InputStream, OutputStream};
use crate::p2::Resource;

use super::trapping;

host_functions! {
    // ---- wasi:cli/environment
    "wasi:cli/environment" "get-environment" |ctx| -> Vec<(String, String)> {
        Ok(environment::get_environment(ctx))
    }
    "wasi:cli/environment" "get-arguments" |ctx| -> Vec<String> {
        Ok(environment::get_arguments(ctx))
    }
    "wasi:cli/environment" "initial-cwd" |ctx| -> Option<String> {
        Ok(environment::initial_cwd(ctx))
    }

    // ---- wasi:cli/exit: both end the guest, with the core's termination
    "wasi:cli/exit" "exit" |ctx, status: Result<(), ()>| -> () {
        Err(exit::exit(status))
    }
    "wasi:cli/exit" "exit-with-code" |ctx, status_code: u8| -> () {
        Err(exit::exit_with_code(status_code))
    }

    // ---- wasi:cli/stdin, stdout, stderr
    "wasi:cli/stdin" "get-stdin" |ctx| -> Resource<InputStream> {
        trapping(stdin::get_stdin(ctx))
    }
    "wasi:cli/stdout" "get-stdout" |ctx| -> Resource<OutputStream> {
        trapping(stdout::get_stdout(ctx))
    }
    "wasi:cli/stderr" "get-stderr" |ctx| -> Resource<OutputStream> {
        trapping(stderr::get_stderr(ctx))
    }

    // ---- wasi:cli/terminal-input, terminal-output
    "wasi:cli/terminal-input" "[resource-drop]terminal-input"
        |ctx, this: Resource<TerminalInput>| -> () {
        trapping(terminal_input::drop(ctx, this))
    }
    "wasi:cli/terminal-output" "[resource-drop]terminal-output"
        |ctx, this: Resource<TerminalOutput>| -> () {
        trapping(terminal_output::drop(ctx, this))
    }

    // ---- wasi:cli/terminal-stdin, terminal-stdout, terminal-stderr
    "wasi:cli/terminal-stdin" "get-terminal-stdin" |ctx| -> Option<Resource<TerminalInput>> {
        trapping(terminal_stdin::get_terminal_stdin(ctx))
    }
    "wasi:cli/terminal-stdout" "get-terminal-stdout" |ctx| -> Option<Resource<TerminalOutput>> {
        trapping(terminal_stdout::get_terminal_stdout(ctx))
    }
    "wasi:cli/terminal-stderr" "get-terminal-stderr" |ctx| -> Option<Resource<TerminalOutput>> {
        trapping(terminal_stderr::get_terminal_stderr(ctx))
    }
}
