//! `wasi:io`: errors, pollables and streams over the capability layer's
//! files and the core's readiness.

pub mod error;
pub mod poll;
pub mod streams;
