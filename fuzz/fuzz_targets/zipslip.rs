//! A naive archive extractor fed fuzzer-made archives; see
//! `capwasi_fuzz::zipslip`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|archive: capwasi_fuzz::zipslip::Archive| {
    capwasi_fuzz::zipslip::run(&archive);
});
