//! Guest programs that exercise every preview1 function, run on every engine.
//!
//! Each guest is self-checking: it asserts inside the sandbox, prints what it
//! checked, and exits non-zero on the first failure. The harness here sets up
//! the host side (preopens, canaries, stdio) and checks what the guest could
//! not see for itself, such as files outside its preopen.

mod common;
mod fs;
mod misc;
mod regressions;
