//! Any preview1 call with raw arguments against a fuzzer-chosen memory
//! image; see `capwasi_fuzz::abi`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[global_allocator]
static ALLOCATOR: capwasi_fuzz::abi::AllocationMeter = capwasi_fuzz::abi::AllocationMeter;

fuzz_target!(|input: capwasi_fuzz::abi::Input| {
    capwasi_fuzz::abi::run(&input);
});
