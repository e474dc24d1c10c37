//! Any wasi 0.2 call through the canonical ABI, with raw flat arguments,
//! against a fuzzer-chosen memory image and allocator; see
//! `capwasi_fuzz::p2_abi`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: capwasi_fuzz::abi::AllocationMeter = capwasi_fuzz::abi::AllocationMeter;

fuzz_target!(|input: capwasi_fuzz::p2_abi::Input| {
    capwasi_fuzz::p2_abi::run(&input);
});
