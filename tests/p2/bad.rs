//! Bad input through the canonical ABI: forged, dropped and mistyped
//! handles, strings that are not UTF-8 and lists that do not fit. Each
//! traps the guest, with the host unharmed and able to run the next one.

use capwasi::RunError;

use crate::{run, sandbox};

/// Runs `p2_bad MODE` and returns the trap's message, in lower case.
fn trap_of(mode: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let out = run("p2_bad", &[mode], b"", sandbox(tmp.path()));
    match &out.status {
        Err(RunError::Trap(message)) => message.to_lowercase(),
        other => panic!("{mode}: expected a trap, got {other:?}\n{}", out.stdout()),
    }
}

/// Whether `message` holds one of `needles`: wasmtime's component model
/// and capwasi's canonical ABI word the same trap differently.
fn says(message: &str, needles: &[&str]) -> bool {
    needles.iter().any(|needle| message.contains(needle))
}

#[test]
fn bad_handles_trap() {
    let unknown: &[&str] = &["unknown handle index", "no such resource"];
    for (mode, needles) in [
        ("forged-borrow", unknown),
        ("double-drop", unknown),
        ("borrow-after-drop", unknown),
        ("wrong-type", &["handle index", "wrong type"]),
    ] {
        let message = trap_of(mode);
        assert!(says(&message, needles), "{mode}: {message}");
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
        assert!(says(&message, &[needle]), "{mode}: {message}");
    }
}
