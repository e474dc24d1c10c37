//! Everything but path resolution: arguments, environment, clocks,
//! randomness, poll_oneoff, process control, sockets, the fd table, and
//! guest pointers that leave linear memory.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::Path;
use std::thread;
use std::time::Duration;

use capwasi::clock::{MonotonicClock, SteppingClock, WallClock};
use capwasi::random::Deterministic;
use capwasi::DirPerms;

use crate::common::{on_every_engine, on_every_engine_and_preview2, Guest, Sandbox};

/// The names in `dir`, sorted, to check what a guest left behind.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Escapes a string the way `misc_args_env` prints it: printable ASCII other
/// than backslash as is, every other byte as `\xNN`.
fn escaped(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if (0x20..0x7f).contains(&b) && b != b'\\' {
                (b as char).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

/// What `misc_args_env` prints for the given arguments (program name
/// included) and `KEY=VALUE` environment entries.
fn args_env_listing(args: &[&str], env: &[(&str, &str)]) -> String {
    let mut out = format!("argc {}\n", args.len());
    for (i, a) in args.iter().enumerate() {
        out += &format!("arg {i} {}\n", escaped(a));
    }
    out += "ok args\n";
    out += &format!("envc {}\n", env.len());
    for (i, (k, v)) in env.iter().enumerate() {
        out += &format!("env {i} {}\n", escaped(&format!("{k}={v}")));
    }
    out += "ok environ\n";
    out
}

// ---- args and environ ----------------------------------------------------

/// Inheriting the host's environment hands over what can be handed over
/// and skips the rest, rather than failing: here a name holding `=` (as
/// Windows keeps per-drive directories, and as any `execve` can pass). The
/// test runs itself again in a child process whose environment it chose,
/// since a process cannot give itself such a variable.
#[test]
fn inherit_env_skips_names_that_cannot_be_handed_over() {
    const CHILD: &str = "CAPWASI_TEST_ENV_CHILD";
    if std::env::var_os(CHILD).is_some() {
        on_every_engine(|engine, _sandbox| {
            let mut guest = Guest::new("misc_args_env");
            guest.builder().inherit_env();
            let out = guest.run_on(engine);
            out.expect_success();
            assert!(out.stdout.contains(" GOOD=yes\n"), "{}", out.stdout);
            assert!(!out.stdout.contains("=C:"), "{}", out.stdout);
        });
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "misc::inherit_env_skips_names_that_cannot_be_handed_over",
            "--test-threads=1",
        ])
        .env_clear()
        .env(CHILD, "1")
        .env("GOOD", "yes")
        .env("=C:", "C:\\work")
        .output()
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// Only the program name, and no environment at all: nothing is granted
/// that the embedder did not add.
#[test]
fn args_and_environ_empty() {
    on_every_engine_and_preview2(|engine, _sandbox| {
        let out = Guest::new("misc_args_env").run_on(engine);
        out.expect_success();
        assert_eq!(out.stdout, args_env_listing(&["misc_args_env"], &[]));
    });
}

/// Many arguments, among them an empty one, spaces, '=' and non-ASCII text,
/// each arriving byte for byte and in order.
#[test]
fn args_many_and_unicode() {
    on_every_engine_and_preview2(|engine, _sandbox| {
        let mut args: Vec<String> = vec![
            "misc_args_env".into(),
            String::new(),
            "two words".into(),
            "key=value".into(),
            "héllo wörld ✓ 🦀".into(),
            "日本語".into(),
            "back\\slash\ttab\nnewline".into(),
        ];
        args.extend((0..500).map(|i| format!("arg-{i}")));
        let mut guest = Guest::new("misc_args_env");
        for a in &args[1..] {
            guest = guest.arg(a);
        }
        let out = guest.run_on(engine);
        out.expect_success();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_eq!(out.stdout, args_env_listing(&refs, &[]));
    });
}

/// Many variables, values holding '=' or nothing, non-ASCII values, all in
/// the order they were added.
#[test]
fn environ_many_with_equals() {
    on_every_engine_and_preview2(|engine, _sandbox| {
        let mut vars: Vec<(String, String)> = vec![
            ("EQ".into(), "a=b=c".into()),
            ("EMPTY".into(), String::new()),
            ("TRAILING".into(), "x=".into()),
            ("UNICODE".into(), "ünïcödé ✓".into()),
            ("SPACES".into(), "  lead and trail  ".into()),
        ];
        vars.extend((0..200).map(|i| (format!("VAR_{i}"), format!("value {i}"))));
        let mut guest = Guest::new("misc_args_env");
        for (k, v) in &vars {
            guest = guest.env(k, v);
        }
        let out = guest.run_on(engine);
        out.expect_success();
        let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(out.stdout, args_env_listing(&["misc_args_env"], &refs));
    });
}

// ---- clocks --------------------------------------------------------------

/// The host's own clocks, on every clock id, and invalid ids.
#[test]
fn clocks_real() {
    on_every_engine(|engine, _sandbox| {
        Guest::new("misc_clock").run_on(engine).expect_success();
    });
}

/// A clock that always reads the same instant.
struct Fixed {
    now: u64,
    resolution: u64,
}

impl WallClock for Fixed {
    fn now(&self) -> u64 {
        self.now
    }
    fn resolution(&self) -> u64 {
        self.resolution
    }
}

impl MonotonicClock for Fixed {
    fn now(&self) -> u64 {
        self.now
    }
    fn resolution(&self) -> u64 {
        self.resolution
    }
}

/// Clocks the embedder supplies replace the host's, for the guest and for
/// wasi-libc's time functions alike.
#[test]
fn clocks_fixed_by_host() {
    const WALL: u64 = 1_700_000_000_123_456_789;
    const MONO: u64 = 42_000_000;
    const RES: u64 = 1000;
    on_every_engine(|engine, _sandbox| {
        let mut guest = Guest::new("misc_clock")
            .arg("fixed")
            .arg(&WALL.to_string())
            .arg(&MONO.to_string())
            .arg(&RES.to_string());
        guest
            .builder()
            .wall_clock(Fixed {
                now: WALL,
                resolution: RES,
            })
            .monotonic_clock(Fixed {
                now: MONO,
                resolution: RES,
            });
        guest.run_on(engine).expect_success();
    });
}

/// The stepping clock moves exactly one step per reading.
#[test]
fn clocks_stepping() {
    const START: u64 = 1_600_000_000_000_000_000;
    const STEP: u64 = 1000;
    on_every_engine(|engine, _sandbox| {
        let mut guest = Guest::new("misc_clock")
            .arg("step")
            .arg(&START.to_string())
            .arg(&STEP.to_string());
        guest
            .builder()
            .wall_clock(SteppingClock::new(START, STEP))
            .monotonic_clock(SteppingClock::new(START, STEP));
        guest.run_on(engine).expect_success();
    });
}

// ---- random --------------------------------------------------------------

/// The `sample` line `misc_random` ends with.
fn random_sample(engine: &dyn capwasi::Engine, seed: Option<u64>) -> String {
    let mut guest = Guest::new("misc_random");
    if let Some(seed) = seed {
        guest.builder().random(Deterministic::new(seed));
    }
    let out = guest.run_on(engine);
    out.expect_success();
    let sample = out
        .stdout
        .lines()
        .find(|l| l.starts_with("sample "))
        .unwrap_or_else(|| panic!("no sample line in:\n{}", out.stdout));
    assert_eq!(sample.len(), "sample ".len() + 64, "{sample}");
    sample.to_string()
}

/// Empty, huge and repeated requests; the host's generator differs from
/// run to run.
#[test]
fn random_from_host() {
    on_every_engine(|engine, _sandbox| {
        let a = random_sample(engine, None);
        let b = random_sample(engine, None);
        assert_ne!(a, b, "two runs drew the same bytes");
    });
}

/// A seeded generator makes a run reproducible, and the seed matters.
#[test]
fn random_seeded_is_reproducible() {
    on_every_engine(|engine, _sandbox| {
        let a = random_sample(engine, Some(7));
        let b = random_sample(engine, Some(7));
        let c = random_sample(engine, Some(8));
        assert_eq!(a, b, "the same seed gave different bytes");
        assert_ne!(a, c, "different seeds gave the same bytes");
    });
}

// ---- poll_oneoff -----------------------------------------------------------

/// Clock timeouts, several subscriptions, stdin/stdout/file readiness, a bad
/// fd reported in its event, and invalid subscriptions.
#[test]
fn poll_oneoff() {
    on_every_engine(|engine, sandbox| {
        let before = sandbox.snapshot_outside();
        let out = Guest::new("misc_poll")
            .stdin(b"bytes the host put on stdin\n")
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .run_on(engine);
        out.expect_success();
        assert!(out
            .stdout
            .contains("ok a bad fd is reported as EBADF in its event\n"));
        assert_eq!(entries(&sandbox.inside), Vec::<String>::new());
        assert_eq!(sandbox.snapshot_outside(), before);
    });
}

/// Waits are measured on the context's monotonic clock: with one that moves
/// ten minutes per reading, a guest's hour-long sleep ends in moments.
#[test]
fn poll_oneoff_sleeps_by_the_context_clock() {
    const TEN_MINUTES: u64 = 600_000_000_000;
    on_every_engine_and_preview2(|engine, _sandbox| {
        let started = std::time::Instant::now();
        let mut guest = Guest::new("misc_poll").arg("sleep-an-hour");
        guest
            .builder()
            .monotonic_clock(SteppingClock::new(1, TEN_MINUTES));
        let out = guest.run_on(engine);
        out.expect_success();
        assert!(out.stdout.contains("ok slept an hour"), "{}", out.stdout);
        assert!(started.elapsed() < Duration::from_secs(60));
    });
}

// ---- proc_exit, proc_raise, sched_yield ----------------------------------

/// The host sees the status the guest passed to proc_exit, across the whole
/// range of a byte, with the guest's output intact.
#[test]
fn proc_exit_codes() {
    on_every_engine(|engine, _sandbox| {
        for code in [0, 1, 42, 255] {
            let out = Guest::new("misc_proc")
                .arg("exit")
                .arg(&code.to_string())
                .run_on(engine);
            out.expect_exit(code);
            assert_eq!(out.stdout, format!("exiting with {code}\n"));
        }
    });
}

/// Returning from main goes through wasi-libc's own proc_exit.
#[test]
fn proc_exit_by_returning() {
    on_every_engine(|engine, _sandbox| {
        for code in [0, 3, 77] {
            let out = Guest::new("misc_proc")
                .arg("return")
                .arg(&code.to_string())
                .run_on(engine);
            out.expect_exit(code);
            assert_eq!(out.stdout, format!("returning {code}\n"));
        }
    });
}

/// A signal whose default action terminates ends the guest with 128 plus
/// its number, as a shell reports a process killed by it. Numbers are
/// preview1's `signal` enum, which matches Linux for 1 to 15. Each signal
/// costs a run, so this takes a sample of the fatal ones.
#[test]
fn proc_raise_fatal_signals() {
    // hup, abrt, kill, segv, term, xfsz, sys
    let fatal = [1, 6, 9, 11, 15, 24, 30];
    on_every_engine(|engine, _sandbox| {
        for sig in fatal {
            let out = Guest::new("misc_proc")
                .arg("raise-fatal")
                .arg(&sig.to_string())
                .run_on(engine);
            out.expect_exit(128 + sig);
            assert_eq!(out.stdout, format!("raising {sig}\n"), "signal {sig}");
        }
    });
}

/// Signals ignored by default (chld, cont, urg, winch) return success and
/// the guest carries on.
#[test]
fn proc_raise_ignored_signals() {
    on_every_engine(|engine, _sandbox| {
        let out = Guest::new("misc_proc")
            .arg("raise-ignored")
            .arg("16")
            .arg("17")
            .arg("22")
            .arg("27")
            .run_on(engine);
        out.expect_success();
        assert_eq!(
            out.stdout,
            "ok ignored 16\nok ignored 17\nok ignored 22\nok ignored 27\n"
        );
    });
}

/// Numbers outside the `signal` enum give EINVAL.
#[test]
fn proc_raise_invalid_signals() {
    const INVALID: [&str; 6] = ["31", "64", "255", "256", "271", "-1"];
    on_every_engine(|engine, _sandbox| {
        let mut guest = Guest::new("misc_proc").arg("raise-invalid");
        for sig in INVALID {
            guest = guest.arg(sig);
        }
        let out = guest.run_on(engine);
        out.expect_success();
        let want: String = INVALID
            .iter()
            .map(|s| format!("ok invalid {s}\n"))
            .collect();
        assert_eq!(out.stdout, want);
    });
}

/// sched_yield succeeds, raw and through wasi-libc.
#[test]
fn sched_yield() {
    on_every_engine_and_preview2(|engine, _sandbox| {
        Guest::new("misc_proc")
            .arg("yield")
            .run_on(engine)
            .expect_success();
    });
}

// ---- the fd table --------------------------------------------------------

/// A `misc_fd` run: "/sandbox" at fd 3 and "/second" (a directory inside
/// it) at fd 4.
fn fd_guest(sandbox: &Sandbox, mode: &str) -> Guest {
    let second = sandbox.inside.join("second");
    std::fs::create_dir_all(&second).unwrap();
    Guest::new("misc_fd")
        .arg(mode)
        .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
        .dir(&second, "/second", DirPerms::ReadWrite)
}

/// The bytes `misc_fd stdio` writes to stderr after its first line.
fn stderr_pattern() -> String {
    (0..65537)
        .map(|i| (b'a' + (i % 26) as u8) as char)
        .collect()
}

/// stdio is pipes the host captures or feeds: fdstat, reads of binary
/// stdin, and gathered writes to stdout and stderr.
#[test]
fn fd_stdio() {
    on_every_engine(|engine, sandbox| {
        let out = fd_guest(sandbox, "stdio")
            .stdin(b"stdin line one\nline two \x00\xff\xfe end")
            .run_on(engine);
        out.expect_success();
        assert_eq!(
            out.stdout,
            "ok stdio fdstat\nok stdin holds the host's bytes\nraw stdout\nok stdout and stderr writes\n"
        );
        assert!(
            out.stderr.starts_with("raw stderr\n"),
            "{:.200}",
            out.stderr
        );
        assert!(
            out.stderr["raw stderr\n".len()..] == stderr_pattern(),
            "stderr pattern differs"
        );
    });
}

/// Closing twice, closing stdin, closing a preopen.
#[test]
fn fd_close() {
    on_every_engine_and_preview2(|engine, sandbox| {
        let before = sandbox.snapshot_outside();
        fd_guest(sandbox, "close").run_on(engine).expect_success();
        // Closing the preopen closed the guest's handle, not the directory.
        assert_eq!(entries(&sandbox.inside), ["second"]);
        assert_eq!(sandbox.snapshot_outside(), before);
    });
}

/// fd_renumber onto itself, onto open fds and preopens, from and to closed
/// fds, and of a preopen to another number.
#[test]
fn fd_renumber() {
    on_every_engine(|engine, sandbox| {
        let before = sandbox.snapshot_outside();
        fd_guest(sandbox, "renumber")
            .run_on(engine)
            .expect_success();
        assert_eq!(entries(&sandbox.inside), ["second"]);
        assert_eq!(sandbox.snapshot_outside(), before);
    });
}

/// Every fd_* and path_* call on a number that names nothing gives EBADF,
/// and fd_prestat_* on things that are not preopens does too.
#[test]
fn fd_bad_everywhere() {
    on_every_engine(|engine, sandbox| {
        let before = sandbox.snapshot_outside();
        fd_guest(sandbox, "badfd").run_on(engine).expect_success();
        assert_eq!(entries(&sandbox.inside), ["second"]);
        assert_eq!(
            entries(&sandbox.inside.join("second")),
            Vec::<String>::new()
        );
        assert_eq!(sandbox.snapshot_outside(), before);
    });
}

// ---- guest pointers --------------------------------------------------------

/// Pointers and lengths that leave the guest's single page of memory get
/// EFAULT (or EINVAL for absurd counts) instead of a trap, a panic, a hang
/// or a huge allocation. The guest exits with the number of the first check
/// that failed; see `tests/guests/wat/misc_badptr.wat`.
#[test]
fn bad_guest_pointers() {
    on_every_engine(|engine, sandbox| {
        let before = sandbox.snapshot_outside();
        let started = std::time::Instant::now();
        let out = Guest::new("misc_badptr")
            .env("K", "V")
            .stdin(b"0123456789")
            .dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite)
            .run_on(engine);
        out.expect_success();
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "took {:?}",
            started.elapsed()
        );
        // Every write the guest attempted was refused or empty.
        assert_eq!(out.stdout, "");
        assert_eq!(out.stderr, "");
        assert_eq!(entries(&sandbox.inside), Vec::<String>::new());
        assert_eq!(sandbox.snapshot_outside(), before);
    });
}

// ---- sockets -------------------------------------------------------------

/// How long the host side of the socket test waits on any one step.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(20);

/// The client `misc_sock` expects; returns what the guest sent on each of
/// its two connections.
fn socket_client(addr: std::net::SocketAddr) -> std::io::Result<(Vec<u8>, Vec<u8>)> {
    let mut first = TcpStream::connect_timeout(&addr, SOCKET_TIMEOUT)?;
    first.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    first.set_write_timeout(Some(SOCKET_TIMEOUT))?;
    first.write_all(b"hello from the host\n")?;
    // The guest shuts down its write side once it has answered.
    let mut pong = Vec::new();
    first.read_to_end(&mut pong)?;
    first.write_all(b"bye\n")?;
    first.shutdown(Shutdown::Both)?;
    drop(first);

    let mut second = TcpStream::connect_timeout(&addr, SOCKET_TIMEOUT)?;
    second.set_read_timeout(Some(SOCKET_TIMEOUT))?;
    let mut bang = [0u8; 1];
    second.read_exact(&mut bang)?;
    drop(second);
    Ok((pong, bang.to_vec()))
}

/// A preopened loopback listener: accept, recv, send, shutdown, a
/// non-blocking accept and receive, and ENOTSOCK/EBADF on other fds.
#[test]
fn sockets_on_preopened_listener() {
    on_every_engine(|engine, sandbox| {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let client = thread::spawn(move || socket_client(addr));

        let mut guest =
            Guest::new("misc_sock").dir(&sandbox.inside, "/sandbox", DirPerms::ReadWrite);
        guest
            .builder()
            .preopened_socket(listener)
            .expect("preopen the listener");
        let out = guest.run_on(engine);

        let client = client.join().expect("client thread");
        out.expect_success();
        let (pong, bang) = client.expect("client conversation");
        assert_eq!(pong, b"pong from the guest\n");
        assert_eq!(bang, b"!");
        assert_eq!(entries(&sandbox.inside), Vec::<String>::new());
    });
}

#[test]
fn fd_table_is_bounded() {
    on_every_engine(|engine, sandbox| {
        let mut guest =
            Guest::new("misc_fd_limit").dir(&sandbox.inside, "/sandbox", DirPerms::ReadOnly);
        guest.builder().max_open_fds(8);
        guest.run_on(engine).expect_success();
    });
}
