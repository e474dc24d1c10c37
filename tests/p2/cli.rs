//! `wasi:cli`, `wasi:clocks` and `wasi:random` as a guest sees them:
//! arguments, environment, exit codes, terminals and randomness.

use capwasi::Stdio;

use crate::{lines, run};

#[test]
fn cli_arguments_environment_terminals_and_exit() {
    let out = run("p2_cli", &["ok", "two words"], b"", |b| {
        b.env("FOO", "bar").env("EMPTY", "");
    });
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "arg p2_cli",
            "arg ok",
            "arg two words",
            "env FOO=bar",
            "env EMPTY=",
            "cwd none",
            "terminal-stdin no",
            "terminal-stdout no",
            "terminal-stderr no",
        ]
    );
    run("p2_cli", &["err"], b"", |_| {}).expect_exit(1);
}

#[test]
fn exit_with_code_ends_with_that_status() {
    run("p2_cli", &["code", "42"], b"", |_| {}).expect_exit(42);
    run("p2_cli", &["code", "0"], b"", |_| {}).expect_exit(0);
}

/// A replaced source of randomness is what every wasi:random function
/// draws from, in the order the guest asks; the insecure seed is drawn once
/// and the same for the whole run.
#[test]
fn replaced_randomness_governs_every_random_interface() {
    use capwasi::random::{Deterministic, Rng};
    let out = run("p2_cli", &["random"], b"", |b| {
        b.random(Deterministic::new(7));
    });
    out.expect_exit(0);
    let mut same = Deterministic::new(7);
    let mut draw = || {
        let mut bytes = [0u8; 8];
        same.fill(&mut bytes)
            .expect("a deterministic source never fails");
        bytes
    };
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let u64_hex = |bytes: [u8; 8]| format!("{:016x}", u64::from_le_bytes(bytes));
    let random_bytes = hex(&draw());
    let random_u64 = u64_hex(draw());
    let insecure_bytes = hex(&draw());
    let insecure_u64 = u64_hex(draw());
    let (seed_low, seed_high) = (u64_hex(draw()), u64_hex(draw()));
    assert_eq!(
        lines(&out),
        [
            format!("random-bytes {random_bytes}"),
            format!("random-u64 {random_u64}"),
            format!("insecure-bytes {insecure_bytes}"),
            format!("insecure-u64 {insecure_u64}"),
            format!("insecure-seed {seed_low} {seed_high}"),
            "insecure-seed-again same".to_string(),
        ]
    );
}

/// A stdio stream the embedder hands over as a terminal: the guest gets a
/// terminal handle for each, and drops it.
#[test]
fn terminals_are_handed_out_for_terminal_stdio() {
    let out = Terminal::default();
    let outcome = run("p2_cli", &["ok"], b"", |b| {
        b.stdin(Stdio::custom(Box::new(Terminal::default())))
            .stdout(Stdio::custom(Box::new(out.clone())))
            .stderr(Stdio::custom(Box::new(Terminal::default())));
    });
    outcome.expect_exit(0);
    let printed = String::from_utf8_lossy(&out.0.lock().expect("output")).into_owned();
    assert!(
        printed.ends_with("terminal-stdin yes\nterminal-stdout yes\nterminal-stderr yes\n"),
        "{printed}"
    );
}

/// A terminal with nothing to read, whose output is collected.
#[derive(Clone, Default)]
struct Terminal(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl capwasi::fs::File for Terminal {
    fn filetype(&self) -> std::io::Result<capwasi::fs::FileType> {
        Ok(capwasi::fs::FileType::CharacterDevice)
    }
    fn read_vectored(&self, _bufs: &mut [std::io::IoSliceMut<'_>]) -> std::io::Result<usize> {
        Ok(0)
    }
    fn write_vectored(&self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        let mut out = self.0.lock().map_err(|_| std::io::ErrorKind::Other)?;
        std::io::Write::write_vectored(&mut *out, bufs)
    }
    fn stat(&self) -> std::io::Result<capwasi::fs::Filestat> {
        Ok(capwasi::fs::Filestat {
            dev: 0,
            ino: 0,
            filetype: capwasi::fs::FileType::CharacterDevice,
            nlink: 1,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        })
    }
    fn is_tty(&self) -> bool {
        true
    }
}
