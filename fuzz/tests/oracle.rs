//! The oracle must see what it is there to see. Each test does, from the
//! host side, one thing a guest escape would do, and checks that the
//! fixture reports it; and does what a guest may do, and checks that it
//! does not.

use std::fs;
use std::os::unix::fs::symlink;
use std::panic::{catch_unwind, AssertUnwindSafe};

use capwasi::component::abi::{Guest, Val};
use capwasi::component::host::HostFunc;
use capwasi::component::FlatType;
use capwasi::Termination;
use capwasi_fuzz::abi::{AllocationMeter, ALLOCATION_BUDGET};
use capwasi_fuzz::fixture::{Fixture, Layout};
use capwasi_fuzz::p2_abi::{self, Call, Realloc};

// The ABI targets' budget is measured by this allocator.
#[global_allocator]
static ALLOCATOR: AllocationMeter = AllocationMeter;

const LAYOUT: Layout = Layout {
    tag: "oracle-test",
    canaries: &["outside"],
    read_only: Some("ro"),
    scratch: "sandbox",
};

/// Whether `check` (events only, or with the snapshot) reports a finding.
fn reports(fixture: &mut Fixture, full: bool) -> bool {
    let caught = catch_unwind(AssertUnwindSafe(|| {
        fixture.check(full, || "the test's action".to_string())
    }));
    match caught {
        Ok(()) => false,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert!(msg.starts_with("FINDING"), "unexpected panic: {msg}");
            true
        }
    }
}

/// A fresh fixture. Fixtures of one process share a base directory, so
/// the tests take turns.
fn fixture() -> Fixture {
    Fixture::new(&LAYOUT)
}

// One fixture at a time: they share a base directory.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

#[test]
fn work_inside_the_sandbox_is_no_finding() {
    let _s = serial();
    let mut f = fixture();
    let s = f.scratch.clone();
    fs::write(s.join("a"), b"x").unwrap();
    fs::create_dir(s.join("d")).unwrap();
    symlink("../outside", s.join("l")).unwrap();
    fs::rename(s.join("a"), s.join("d/b")).unwrap();
    fs::remove_file(s.join("l")).unwrap();
    fs::File::open(&s).unwrap();
    assert!(!reports(&mut f, true));
}

#[test]
fn reading_the_read_only_tree_is_no_finding() {
    let _s = serial();
    let mut f = fixture();
    let ro = f.read_only.clone().unwrap();
    assert_eq!(
        fs::read(ro.join("file.txt")).unwrap(),
        capwasi_fuzz::fixture::READ_ONLY_FILE
    );
    fs::read_dir(&ro).unwrap().for_each(drop);
    assert!(!reports(&mut f, true));
}

#[test]
fn a_write_to_the_canary_is_a_finding() {
    let _s = serial();
    let mut f = fixture();
    let canary = f.root.join("outside/canary.txt");
    let mut bytes = fs::read(&canary).unwrap();
    f.drain();
    bytes[0] = b'!';
    fs::write(&canary, &bytes).unwrap();
    assert!(reports(&mut f, false));
    // The snapshot sees it too, without the events.
    assert!(reports(&mut f, true));
}

#[test]
fn reading_the_canary_is_a_finding() {
    let _s = serial();
    let mut f = fixture();
    fs::read(f.root.join("outside/secret/inner.txt")).unwrap();
    assert!(reports(&mut f, false));
}

#[test]
fn a_hard_link_to_the_canary_is_a_finding() {
    let _s = serial();
    let mut f = fixture();
    fs::hard_link(f.root.join("outside/canary.txt"), f.scratch.join("stolen")).unwrap();
    assert!(reports(&mut f, false));
    fs::remove_file(f.scratch.join("stolen")).unwrap();
}

#[test]
fn a_new_file_beside_the_sandbox_is_a_finding() {
    let _s = serial();
    let mut f = fixture();
    fs::write(f.root.join("planted"), b"x").unwrap();
    assert!(reports(&mut f, false));
    fs::remove_file(f.root.join("planted")).unwrap();
}

#[test]
fn changing_read_only_times_is_a_finding() {
    let _s = serial();
    let mut f = fixture();
    let file = fs::File::options()
        .write(true)
        .open(f.read_only.as_ref().unwrap().join("dir/inner.txt"))
        .unwrap();
    file.set_modified(std::time::SystemTime::now()).unwrap();
    assert!(reports(&mut f, false));
}

#[test]
fn a_change_the_events_missed_is_caught_by_the_snapshot() {
    let _s = serial();
    let mut f = fixture();
    fs::remove_dir(f.root.join("outside/empty")).unwrap();
    // Throw the events away, as if they had been lost.
    f.drain();
    assert!(!reports(&mut f, false));
    assert!(reports(&mut f, true));
}

// ---- p2_abi: the oracle of the canonical-ABI target ------------------------

type HostCall = fn(&mut dyn Guest, &[Val], &mut [Val]) -> Result<(), Termination>;

/// Runs `p2_abi`'s harness on one call to a stand-in host function, with
/// 64 KiB of memory, and returns the finding it reported, if any. The run
/// has a thread of its own, so that the thread's fixture is gone once it
/// is joined, and holds the lock, since the allocation meter counts the
/// whole process.
fn p2_abi_finding(results: &'static [FlatType], call: HostCall) -> Option<String> {
    let _s = serial();
    let caught = std::thread::spawn(move || {
        let host = HostFunc {
            interface: "test:oracle/host",
            function: "misbehave",
            call,
            flat: match results {
                [] => || (Vec::new(), Vec::new()),
                _ => || (Vec::new(), vec![FlatType::I32]),
            },
        };
        let input = p2_abi::Input {
            memory_size: 4,
            calls: vec![Call {
                func: 0,
                realloc: Realloc::Bump,
                args: Vec::new(),
            }],
            image: Vec::new(),
        };
        p2_abi::run_with(&[&host], &input);
    })
    .join();
    match caught {
        Ok(()) => None,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default();
            assert!(msg.starts_with("FINDING"), "unexpected panic: {msg}");
            Some(msg)
        }
    }
}

#[test]
fn a_host_that_keeps_to_guest_memory_is_no_finding() {
    let finding = p2_abi_finding(&[], |guest, _, _| {
        let memory = guest.memory_and_ctx().0;
        memory.fill(0x5A);
        let at = guest.realloc(8, 64)?;
        std::hint::black_box(vec![0u8; 1 << 20]);
        Err(Termination::Trap(format!(
            "trapped after allocating {at:#x}"
        )))
    });
    assert_eq!(finding, None);
}

#[test]
fn a_host_that_writes_past_guest_memory_is_a_finding() {
    let finding = p2_abi_finding(&[], |guest, _, _| {
        let memory = guest.memory_and_ctx().0;
        // The bug under test: a store one byte past the slice, as an
        // unchecked offset would make. It lands in the harness's guard
        // zone, which is part of the same allocation.
        unsafe { memory.as_mut_ptr().add(memory.len()).write_volatile(0) };
        Ok(())
    });
    assert!(finding.is_some_and(|f| f.contains("wrote outside guest memory")));
}

#[test]
fn a_host_that_allocates_past_the_budget_is_a_finding() {
    let finding = p2_abi_finding(&[], |_, _, _| {
        std::hint::black_box(vec![1u8; ALLOCATION_BUDGET + 1]);
        Ok(())
    });
    assert!(finding.is_some_and(|f| f.contains("allocated")));
}

#[test]
fn a_host_that_asks_for_no_alignment_is_a_finding() {
    let finding = p2_abi_finding(&[], |guest, _, _| {
        guest.realloc(3, 1)?;
        Ok(())
    });
    assert!(finding.is_some_and(|f| f.contains("alignment 3")));
}

#[test]
fn an_exit_outside_wasi_cli_exit_is_a_finding() {
    let finding = p2_abi_finding(&[], |_, _, _| Err(Termination::Exit(0)));
    assert!(finding.is_some_and(|f| f.contains("ended the guest")));
}

#[test]
fn a_result_of_the_wrong_type_is_a_finding() {
    let finding = p2_abi_finding(&[FlatType::I32], |_, _, results| {
        results[0] = Val::I64(1);
        Ok(())
    });
    assert!(finding.is_some_and(|f| f.contains("for results of type")));
}
