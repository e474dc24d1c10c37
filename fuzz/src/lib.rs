//! Shared harness for capwasi's fuzz targets.
//!
//! The targets drive the core directly through [`capwasi::p1::FUNCTIONS`],
//! the same table every engine adapter registers, so that one input costs a
//! few system calls rather than a module compilation; [`p2_path_ops`]
//! calls preview2's functions in `capwasi::p2` the same way, and [`p2_abi`]
//! calls every wasi 0.2 function through its canonical-ABI binding in
//! `capwasi::component::host`, as a core-wasm engine links a component's
//! imports. Each target is an adversary with an oracle:
//!
//! - [`fixture`] builds a scratch tree with a preopened sandbox beside
//!   canary trees, and says after every operation whether anything outside
//!   the sandbox was touched (an inotify watch) or changed (a snapshot of
//!   bytes and metadata).
//! - [`guest`] plays the guest: it owns a linear memory and calls preview1
//!   functions with pointers into it, as compiled code would.
//! - [`input`] decodes fuzzer bytes into structured inputs and encodes them
//!   back, so that the seed corpus is written from readable descriptions
//!   (`examples/seeds.rs`).

#![deny(missing_docs)]

pub mod abi;
pub mod fixture;
pub mod guest;
pub mod input;
pub mod p2_abi;
pub mod p2_path_ops;
pub mod path_ops;
pub mod seeds;
pub mod zipslip;

/// Bytes every canary file is made of. No UTF-8 text contains a byte in
/// `0xF5..=0xFF`, guests write only 7-bit bytes, and holes read as zero, so
/// a read that returns any such byte read a canary.
pub const CANARY_BYTES: &[u8] = &[
    0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF, 0xF8, 0xF9, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF,
    0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8,
];

/// Whether `bytes`, returned to the guest by a read, hold canary bytes.
pub fn holds_canary_bytes(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| b >= 0xF5)
}

/// Panics with a report that libFuzzer records as a crash, naming what the
/// oracle saw. A finding is never silently tolerated.
#[track_caller]
pub fn finding(what: std::fmt::Arguments<'_>) -> ! {
    panic!("FINDING: {what}")
}
