//! Sequences of preview2 filesystem calls against a sandbox beside a
//! canary tree; see `capwasi_fuzz::p2_path_ops`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: capwasi_fuzz::p2_path_ops::Input| {
    capwasi_fuzz::p2_path_ops::run(&input);
});
