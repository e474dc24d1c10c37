//! `wasi:cli`: what a command is started with, its standard streams and
//! whether they are terminals, and how it ends. One file per interface.

pub mod environment;
pub mod exit;
pub mod stderr;
pub mod stdin;
pub mod stdout;
pub mod terminal_input;
pub mod terminal_output;
pub mod terminal_stderr;
pub mod terminal_stdin;
pub mod terminal_stdout;
