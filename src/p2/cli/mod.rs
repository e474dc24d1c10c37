//! `wasi:cli`: what a command is started with, and how it ends.

pub mod environment;
pub mod exit;
