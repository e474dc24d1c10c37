//! preview1 on tokio: guests that wait (in `poll_oneoff`, or in a read,
//! write or accept on a pipe or socket) yield to the executor, so a runtime
//! with a single executor thread runs many guests at once, and a waiting
//! guest holds up none of the others.

use std::future::Future;
use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use capwasi::fs::host::HostFile;
use capwasi::fs::FilePerms;
use capwasi::{OutputPipe, RunError, Stdio, WasiCtxBuilder};
use capwasi_wasmtime::WasmtimeEngine;
use tokio::task::JoinHandle;
use wasmtime::Module;

/// Longer than any wait here should take: a guest that still waits then
/// is one that a regression left hanging.
const PATIENCE: Duration = Duration::from_secs(10);

/// Imports, memory, and helpers every guest below shares.
///
/// Memory: a subscription at 0, its event at 64, the event count at 96,
/// an iovec at 128 (a 64-byte buffer at 256) with the byte count read at
/// 136, a ciovec at 144 with the count written at 152, and text at 512.
const PRELUDE: &str = r#"
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (data (i32.const 512) "quick\nslept\n")

  ;; Exits with `code` unless `errno` is 0.
  (func $ok (param $errno i32) (param $code i32)
    (if (local.get $errno) (then (call $exit (local.get $code)))))

  ;; Writes `len` bytes at `ptr` to stdout, all of them.
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 144) (local.get $ptr))
    (i32.store (i32.const 148) (local.get $len))
    (call $ok (call $write (i32.const 1) (i32.const 144) (i32.const 1) (i32.const 152)) (i32.const 20))
    (if (i32.ne (i32.load (i32.const 152)) (local.get $len)) (then (call $exit (i32.const 21)))))

  ;; One poll_oneoff on the subscription at 0, which must report one
  ;; event for userdata 7 with no error.
  (func $poll_one
    (i64.store (i32.const 0) (i64.const 7))
    (call $ok (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 96)) (i32.const 10))
    (if (i32.ne (i32.load (i32.const 96)) (i32.const 1)) (then (call $exit (i32.const 11))))
    (if (i64.ne (i64.load (i32.const 64)) (i64.const 7)) (then (call $exit (i32.const 12))))
    (call $ok (i32.load16_u (i32.const 72)) (i32.const 13)))

  ;; Reads once from stdin and prints what came.
  (func $echo
    (i32.store (i32.const 128) (i32.const 256))
    (i32.store (i32.const 132) (i32.const 64))
    (call $ok (call $read (i32.const 0) (i32.const 128) (i32.const 1) (i32.const 136)) (i32.const 30))
    (call $print (i32.const 256) (i32.load (i32.const 136))))
"#;

/// Prints `quick` and ends.
const QUICK: &str = r#"(func (export "_start") (call $print (i32.const 512) (i32.const 6)))"#;

/// Waits in poll_oneoff for stdin to be readable, then echoes it.
const POLL_STDIN: &str = r#"(func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 1))
    (i32.store (i32.const 16) (i32.const 0))
    (call $poll_one)
    (call $echo))"#;

/// Waits in fd_read on stdin, then echoes what it read.
const READ_STDIN: &str = r#"(func (export "_start") (call $echo))"#;

/// Sleeps 300 ms on a relative monotonic clock subscription, then prints
/// `slept`.
const SLEEP: &str = r#"(func (export "_start")
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 300000000))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    (call $poll_one)
    (if (i32.load8_u (i32.const 74)) (then (call $exit (i32.const 14))))
    (call $print (i32.const 518) (i32.const 6)))"#;

/// How long [`SLEEP`] sleeps.
const SLEEP_FOR: Duration = Duration::from_millis(300);

/// Writes 100 000 bytes of `x` to stdout in one fd_write, which must take
/// them all: more than a pipe holds.
const FLOOD: &str = r#"(func (export "_start")
    (memory.fill (i32.const 4096) (i32.const 120) (i32.const 100000))
    (call $print (i32.const 4096) (i32.const 100000)))"#;

/// Accepts a connection on the preopened listener (descriptor 3), receives
/// once from it and sends back what came.
const ECHO_SERVER: &str = r#"(func (export "_start") (local $conn i32)
    (call $ok (call $accept (i32.const 3) (i32.const 0) (i32.const 200)) (i32.const 40))
    (local.set $conn (i32.load (i32.const 200)))
    (i32.store (i32.const 128) (i32.const 256))
    (i32.store (i32.const 132) (i32.const 64))
    (call $ok (call $recv (local.get $conn) (i32.const 128) (i32.const 1) (i32.const 0) (i32.const 136) (i32.const 140)) (i32.const 41))
    (i32.store (i32.const 144) (i32.const 256))
    (i32.store (i32.const 148) (i32.load (i32.const 136)))
    (call $ok (call $send (local.get $conn) (i32.const 144) (i32.const 1) (i32.const 0) (i32.const 152)) (i32.const 42))
    (if (i32.ne (i32.load (i32.const 152)) (i32.load (i32.const 136))) (then (call $exit (i32.const 43)))))"#;

/// Compiles a guest made of [`PRELUDE`] and `start`.
fn module(engine: &WasmtimeEngine, start: &str) -> Module {
    let wasm = wat::parse_str(format!("(module {PRELUDE} {start})")).expect("guest assembles");
    Module::new(engine.engine(), wasm).expect("guest compiles")
}

/// How long a whole test may take. A guest that blocks the executor
/// thread stops every timer on it too, so this is watched from another
/// thread.
const WATCHDOG: Duration = Duration::from_secs(60);

/// Runs `test` on a runtime with one executor thread: a guest that blocked
/// it would stop every other task. A test stuck that way fails after
/// [`WATCHDOG`] rather than hanging (its thread is left behind).
fn on_one_thread<F: Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(test());
        let _ = done.send(());
    });
    match finished.recv_timeout(WATCHDOG) {
        Ok(()) => {}
        Err(RecvTimeoutError::Timeout) => {
            panic!("the executor thread is stuck: a guest blocked it")
        }
        // The test failed; its panic is the one to report.
        Err(RecvTimeoutError::Disconnected) => match thread.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the test ended without saying so"),
        },
    }
}

/// A host pipe: its read end as a guest's stdin, and the write end.
fn stdin_pipe() -> (Stdio, OwnedFd) {
    let (read, write) = rustix::pipe::pipe().expect("pipe");
    let file = HostFile::new(read.into(), FilePerms { write: false }).expect("host file");
    (Stdio::custom(Box::new(file)), write)
}

/// What a guest run came to: its exit status and stdout.
type Run = (Result<i32, RunError>, Vec<u8>);

/// Runs `module` as a task on the current runtime, with `stdin` (nothing
/// if `None`) and its stdout captured; `more` grants anything else.
fn spawn(
    engine: &Arc<WasmtimeEngine>,
    module: &Module,
    stdin: Option<Stdio>,
    more: impl FnOnce(&mut WasiCtxBuilder),
) -> JoinHandle<Run> {
    let stdout = OutputPipe::new();
    let mut builder = WasiCtxBuilder::new();
    builder.stdout(Stdio::output(stdout.clone()));
    if let Some(stdin) = stdin {
        builder.stdin(stdin);
    }
    more(&mut builder);
    let ctx = builder.build().expect("context builds");
    let (engine, module) = (engine.clone(), module.clone());
    tokio::spawn(async move {
        let status = engine.run_module_async(&module, ctx).await;
        (status, stdout.contents())
    })
}

/// The outcome of a guest's task, which must end within [`PATIENCE`].
async fn outcome(task: JoinHandle<Run>) -> Run {
    tokio::time::timeout(PATIENCE, task)
        .await
        .expect("the guest finishes in time")
        .expect("the guest's task does not panic")
}

/// Lets the executor run everything that can run, for a while.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[test]
fn guests_waiting_on_pipes_and_clocks_share_one_thread() {
    on_one_thread(|| async {
        let engine = Arc::new(WasmtimeEngine::new());
        let poller = module(&engine, POLL_STDIN);
        let reader = module(&engine, READ_STDIN);
        let sleeper = module(&engine, SLEEP);
        let quick = module(&engine, QUICK);

        // Twenty guests wait on pipes only this test writes to: ten in
        // poll_oneoff and ten in fd_read.
        let mut blocked = Vec::new();
        for i in 0..20 {
            let (stdin, write) = stdin_pipe();
            let guest = if i % 2 == 0 { &poller } else { &reader };
            blocked.push((spawn(&engine, guest, Some(stdin), |_| {}), write));
        }
        let began = Instant::now();
        let sleepers: Vec<_> = (0..8)
            .map(|_| spawn(&engine, &sleeper, None, |_| {}))
            .collect();
        let quick: Vec<_> = (0..10)
            .map(|_| spawn(&engine, &quick, None, |_| {}))
            .collect();

        for task in quick {
            let (status, stdout) = outcome(task).await;
            assert!(matches!(status, Ok(0)), "{status:?}");
            assert_eq!(stdout, b"quick\n");
        }
        for task in sleepers {
            let (status, stdout) = outcome(task).await;
            assert!(matches!(status, Ok(0)), "{status:?}");
            assert_eq!(stdout, b"slept\n");
        }
        // Each sleeper slept its whole time, and they slept at once: one
        // after another, eight would take 2.4 s.
        let slept = began.elapsed();
        assert!(slept >= SLEEP_FOR, "slept only {slept:?}");
        assert!(
            slept < SLEEP_FOR * 4,
            "the sleeps did not overlap: {slept:?}"
        );

        settle().await;
        for (task, _) in &blocked {
            assert!(!task.is_finished(), "a guest ended with nothing to read");
        }

        // Written to and closed, each pipe releases its guest, which
        // echoes what it was sent.
        for (i, (_, write)) in blocked.iter().enumerate() {
            let mut write = std::fs::File::from(write.try_clone().expect("dup"));
            write
                .write_all(format!("pipe {i}\n").as_bytes())
                .expect("write");
        }
        for (i, (task, write)) in blocked.into_iter().enumerate() {
            drop(write);
            let (status, stdout) = outcome(task).await;
            assert!(matches!(status, Ok(0)), "guest {i}: {status:?}");
            assert_eq!(stdout, format!("pipe {i}\n").as_bytes(), "guest {i}");
        }
    });
}

#[test]
fn a_guest_reading_a_pipe_does_not_block_the_executor() {
    on_one_thread(|| async {
        let engine = Arc::new(WasmtimeEngine::new());
        let (stdin, write) = stdin_pipe();
        let reader = spawn(&engine, &module(&engine, READ_STDIN), Some(stdin), |_| {});
        settle().await;
        assert!(!reader.is_finished());

        let (status, stdout) = outcome(spawn(&engine, &module(&engine, QUICK), None, |_| {})).await;
        assert!(matches!(status, Ok(0)), "{status:?}");
        assert_eq!(stdout, b"quick\n");
        assert!(
            !reader.is_finished(),
            "the reader ended with nothing to read"
        );

        // End of file releases it too: it echoes nothing.
        drop(write);
        let (status, stdout) = outcome(reader).await;
        assert!(matches!(status, Ok(0)), "{status:?}");
        assert_eq!(stdout, b"");
    });
}

#[test]
fn a_guest_writing_to_a_full_pipe_does_not_block_the_executor() {
    on_one_thread(|| async {
        let engine = Arc::new(WasmtimeEngine::new());
        let (read, write) = rustix::pipe::pipe().expect("pipe");
        let stdout = HostFile::new(write.into(), FilePerms { write: true }).expect("host file");
        let flood = module(&engine, FLOOD);
        let stdout = Stdio::custom(Box::new(stdout));
        let writer = spawn(&engine, &flood, None, move |builder| {
            builder.stdout(stdout);
        });
        settle().await;
        assert!(!writer.is_finished(), "the pipe held 100 000 bytes");

        let (status, _) = outcome(spawn(&engine, &module(&engine, QUICK), None, |_| {})).await;
        assert!(matches!(status, Ok(0)), "{status:?}");
        assert!(!writer.is_finished());

        // Drained, the pipe takes the rest; the guest's one fd_write
        // reports every byte, and every byte arrives.
        let drain = tokio::task::spawn_blocking(move || {
            let mut all = Vec::new();
            std::fs::File::from(read).read_to_end(&mut all).map(|_| all)
        });
        let (status, _) = outcome(writer).await;
        assert!(matches!(status, Ok(0)), "{status:?}");
        let all = tokio::time::timeout(PATIENCE, drain)
            .await
            .expect("the pipe closes")
            .expect("the drain does not panic")
            .expect("the pipe reads");
        assert_eq!(all.len(), 100_000);
        assert!(all.iter().all(|&b| b == b'x'));
    });
}

#[test]
fn a_guest_waiting_for_a_connection_does_not_block_the_executor() {
    on_one_thread(|| async {
        let engine = Arc::new(WasmtimeEngine::new());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let server = spawn(
            &engine,
            &module(&engine, ECHO_SERVER),
            None,
            move |builder| {
                builder.preopened_socket(listener).expect("socket");
            },
        );
        settle().await;
        assert!(!server.is_finished());
        let (status, _) = outcome(spawn(&engine, &module(&engine, QUICK), None, |_| {})).await;
        assert!(matches!(status, Ok(0)), "{status:?}");

        // Connected but silent, the client keeps the guest in sock_recv.
        let client = tokio::task::spawn_blocking(move || std::net::TcpStream::connect(address));
        let mut client = tokio::time::timeout(PATIENCE, client)
            .await
            .expect("the connection is made in time")
            .expect("the connect does not panic")
            .expect("connect");
        settle().await;
        assert!(!server.is_finished(), "the guest received nothing yet");
        let (status, _) = outcome(spawn(&engine, &module(&engine, QUICK), None, |_| {})).await;
        assert!(matches!(status, Ok(0)), "{status:?}");

        let echo = tokio::task::spawn_blocking(move || {
            client.write_all(b"ping")?;
            let mut echoed = [0u8; 4];
            client.read_exact(&mut echoed).map(|()| echoed)
        });
        let echoed = tokio::time::timeout(PATIENCE, echo)
            .await
            .expect("the echo comes in time")
            .expect("the client does not panic")
            .expect("the echo arrives");
        assert_eq!(&echoed, b"ping");
        let (status, _) = outcome(server).await;
        assert!(matches!(status, Ok(0)), "{status:?}");
    });
}
