//! Bad input through the canonical ABI: forged, dropped and mistyped
//! handles, strings that are not UTF-8 and lists that do not fit. Each
//! traps the guest, with the host unharmed and able to run the next one.

use capwasi::RunError;

use crate::{run, sandbox};

/// Runs `p2_bad MODE` and returns the trap's message.
fn trap_of(mode: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = run("p2_bad", &[mode], b"", sandbox(tmp.path()));
    match &out.status {
        Err(RunError::Trap(message)) => message.clone(),
        other => panic!("{mode}: expected a trap, got {other:?}\n{}", out.stdout()),
    }
}

#[test]
fn bad_handles_trap() {
    for (mode, needle) in [
        ("forged-borrow", "unknown handle index"),
        ("double-drop", "unknown handle index"),
        ("borrow-after-drop", "unknown handle index"),
        ("wrong-type", "handle index"),
    ] {
        let message = trap_of(mode);
        assert!(message.contains(needle), "{mode}: {message}");
    }
}

#[test]
fn bad_strings_and_lists_trap() {
    for (mode, needle) in [
        ("bad-utf8", "utf-8"),
        ("huge-random", "random bytes"),
        ("list-past-memory", "out of bounds"),
    ] {
        let message = trap_of(mode);
        assert!(message.contains(needle), "{mode}: {message}");
    }
}
