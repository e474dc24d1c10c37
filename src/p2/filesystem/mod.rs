//! `wasi:filesystem`: descriptors over the capability layer's files and
//! directories, and the preopened directories a guest was granted.

pub mod preopens;
pub mod types;
