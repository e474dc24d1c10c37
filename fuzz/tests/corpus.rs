//! The committed corpus: the seeds match their source, and every input in
//! it, seed or found by the fuzzer, passes its target's oracle. This runs
//! the corpus as plain tests, without libFuzzer or nightly.

use std::path::Path;

#[global_allocator]
static ALLOCATOR: capwasi_fuzz::abi::AllocationMeter = capwasi_fuzz::abi::AllocationMeter;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let path = e.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    inputs
}

/// The allocation meter counts the whole process, so a test that reads it
/// must not run beside one that allocates.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn the_allocation_meter_sees_a_large_allocation() {
    use capwasi_fuzz::abi::{AllocationMeter, ALLOCATION_BUDGET};
    let _s = serial();
    let start = AllocationMeter::start();
    let big = vec![1u8; ALLOCATION_BUDGET + 1];
    std::hint::black_box(&big);
    drop(big);
    assert!(AllocationMeter::peak_since(start) > ALLOCATION_BUDGET);
    let start = AllocationMeter::start();
    assert!(AllocationMeter::peak_since(start) < ALLOCATION_BUDGET);
}

#[test]
fn committed_seeds_match_their_source() {
    for (target, seeds) in capwasi_fuzz::seeds::all() {
        let committed = corpus(target);
        for (name, bytes) in seeds {
            let file = format!("seed-{name}");
            let found = committed.iter().find(|(n, _)| *n == file);
            assert_eq!(
                found.map(|(_, b)| b),
                Some(&bytes),
                "corpus/{target}/{file} is missing or stale; run `cargo run --example seeds`"
            );
        }
    }
}

fn run_all<T>(target: &str, run: impl Fn(&T))
where
    T: for<'a> arbitrary::Arbitrary<'a>,
{
    let _s = serial();
    let inputs = corpus(target);
    assert!(!inputs.is_empty());
    for (name, bytes) in inputs {
        let input: T = capwasi_fuzz::input::decode(&bytes)
            .unwrap_or_else(|e| panic!("{target}/{name} does not decode: {e}"));
        run(&input);
    }
}

#[test]
fn path_ops_corpus_passes() {
    run_all("path_ops", capwasi_fuzz::path_ops::run);
}

#[test]
fn p2_path_ops_corpus_passes() {
    run_all("p2_path_ops", capwasi_fuzz::p2_path_ops::run);
}

#[test]
fn p1_abi_corpus_passes() {
    run_all("p1_abi", capwasi_fuzz::abi::run);
}

#[test]
fn p2_abi_corpus_passes() {
    run_all("p2_abi", capwasi_fuzz::p2_abi::run);
}

#[test]
fn zipslip_corpus_passes() {
    run_all("zipslip", capwasi_fuzz::zipslip::run);
}
