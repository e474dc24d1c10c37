//! Bad input through the canonical ABI: forged, dropped and mistyped
//! handles, strings that are not UTF-8 and lists that do not fit. Each
//! traps the guest, with the host unharmed and able to run the next one.

use capwasi::RunError;

use crate::{run, sandbox};

/// Runs `p2_bad MODE` and returns the trap's message, in lower case.
fn trap_of(mode: &str) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let grant = sandbox(tmp.path());
    // An environment, so that the host has a non-empty list to allocate
    // room for when the guest asks for it.
    let out = run("p2_bad", &[mode], b"", |b| {
        grant(b);
        b.env("KEY", "value");
    });
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

#[test]
fn malformed_arguments_trap() {
    for (mode, needles) in [
        ("list-overflow", &["out of bounds", "overflows"][..]),
        ("bad-discriminant", &["discriminant"]),
    ] {
        let message = trap_of(mode);
        assert!(says(&message, needles), "{mode}: {message}");
    }
}

/// The host asks the guest's `cabi_realloc` for room for a result; an
/// allocator that answers with memory the guest does not have, a pointer
/// misaligned for the result, a trap, or a call back into the host ends
/// the guest cleanly.
#[test]
fn misbehaving_allocators_trap() {
    for (mode, needle) in [
        (
            "realloc-out-of-bounds",
            &["out of bounds", "beyond end of memory"][..],
        ),
        ("realloc-misaligned", &["align"]),
        ("realloc-traps", &["unreachable"]),
        ("realloc-reenters", &["cannot leave component instance"]),
    ] {
        let message = trap_of(mode);
        assert!(says(&message, needle), "{mode}: {message}");
    }
}

/// Flag bits the WIT does not define are ignored, as the canonical ABI
/// says: the call goes on as if they were clear.
#[test]
fn undefined_flag_bits_are_ignored() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run("p2_bad", &["bad-flags"], b"", sandbox(tmp.path()));
    out.expect_exit(0);
    assert_eq!(out.stdout(), "got bad-flags: stat-at no-entry\n");
}
