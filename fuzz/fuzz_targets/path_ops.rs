//! Sequences of preview1 path operations against a sandbox beside a canary
//! tree; see `capwasi_fuzz::path_ops`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: capwasi_fuzz::path_ops::Input| {
    capwasi_fuzz::path_ops::run(&input);
});
