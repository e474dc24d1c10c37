//! wasi:io streams and polling, and wasi:clocks subscriptions.

use crate::{lines, run};

#[test]
fn output_streams_budgets_flushes_and_zeroes() {
    let out = run("p2_streams", &["out"], b"", |_| {});
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok check-write",
            "ok write",
            "ok flush",
            "ok subscribe",
            "ok blocking-flush",
            "ok check-write-after-flush",
            "ok blocking-write-and-flush",
            "ok write-loop",
            "ok write-zeroes",
            "ok blocking-write-zeroes-and-flush",
            "ok p2_streams",
        ]
    );
    let pattern: Vec<u8> = (0..102_400).map(|i| b'a' + (i % 26) as u8).collect();
    let mut want = pattern.clone();
    want.extend_from_slice(&pattern);
    want.extend_from_slice(&[0; 512]);
    want.push(b'\n');
    assert_eq!(out.stderr.len(), 205_313);
    assert!(out.stderr == want, "stderr differs from the pattern");
}

#[test]
fn input_streams_read_skip_and_stay_closed() {
    let out = run("p2_streams", &["in"], b"hello stdin\n", |_| {});
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok read-zero",
            "ok subscribe",
            "ok skip",
            "ok blocking-skip",
            "ok read",
            "ok blocking-read",
            "ok closed-stays-closed",
            "ok p2_streams",
        ]
    );
    let out = run("p2_streams", &["in-empty"], b"", |_| {});
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok blocking-read-empty",
            "ok closed-stays-closed",
            "ok p2_streams"
        ]
    );
}

#[test]
fn writing_past_the_blocking_limit_traps() {
    run("p2_streams", &["trap-blocking-write"], b"", |_| {})
        .expect_trap("blocking-write-and-flush takes at most 4096 bytes");
}

#[test]
fn pollables_over_clocks_and_streams() {
    let out = run("p2_poll", &[], b"", |_| {});
    out.expect_exit(0);
    let got = lines(&out);
    // A deadline already passed is ready at the first look here; the WIT
    // allows either answer, and the guest reports which it saw.
    assert_eq!(
        got,
        [
            "ok clocks",
            "got duration-zero-first-ready yes",
            "ok duration-zero",
            "ok duration-50ms",
            "got instant-zero-first-ready yes",
            "ok instant-past",
            "ok instant-future",
            "ok poll-mixed",
            "ok poll-earliest",
            "ok poll-duplicate",
            "ok poll-1000-one-ready",
            "got poll-1000-all-ready 1000",
            "ok poll-1000-all-ready",
            "ok p2_poll",
        ]
    );
}

#[test]
fn polling_nothing_traps() {
    run("p2_poll", &["trap-empty"], b"", |_| {}).expect_trap("poll was given no pollables");
}

/// stdout that fails every write: the guest's write gets
/// last-operation-failed, with an error that describes itself and carries
/// the host's error code, and the stream stays closed.
#[test]
fn a_failed_write_closes_the_stream_with_a_described_error() {
    struct Full;
    impl std::io::Write for Full {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let stderr = capwasi::OutputPipe::new();
    let out = run("p2_streams", &["fail"], b"", |b| {
        b.stdout(capwasi::Stdio::writer(Full))
            .stderr(capwasi::Stdio::output(stderr.clone()));
    });
    out.expect_exit(0);
    assert_eq!(
        String::from_utf8_lossy(&stderr.contents()),
        "ok write-fails\nok to-debug-string\ncode insufficient-space\nok closed-after-failure\n"
    );
}
