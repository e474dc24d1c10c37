//! preview2 on the async linker, under tokio: the whole preview2 suite
//! again (`tests/p2/`, with each component run under
//! `Execution::Tokio`), many guests at once on one executor thread (waiting
//! on stdin, and on sockets), and the synchronous linker called from inside
//! a runtime.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use capwasi::execution::Execution;
use capwasi::net::HostSocket;
use capwasi::{OutputPipe, Stdio, WasiCtxBuilder};
use capwasi_wasmtime::WasmtimeEngine;
use wasmtime::component::Component;

#[path = "p2/bad.rs"]
mod bad;
#[path = "p2/cli.rs"]
mod cli;
#[path = "p2/echo.rs"]
mod echo;
#[path = "p2/fs.rs"]
mod fs;
#[path = "p2/harness.rs"]
mod harness;
#[path = "p2/io.rs"]
mod io;
#[path = "p2/lookup.rs"]
mod lookup;
#[path = "p2/tcp.rs"]
mod tcp;
#[path = "p2/udp.rs"]
mod udp;

pub use harness::*;

/// Every component of the shared suite runs on the async linker, its
/// filesystem work on tokio's blocking pool.
pub const EXECUTION: Option<Execution> = Some(Execution::Tokio);

/// Through wasmtime's component model, on its async linker.
pub const WAY: Way = Way::ComponentModel;

/// Long enough for a slow machine; a guest that holds the executor makes
/// the others miss it by far more.
const PATIENCE: Duration = Duration::from_secs(60);

fn component(engine: &WasmtimeEngine, name: &str) -> Component {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/components/bin")
        .join(format!("{name}.wasm"));
    let wasm = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Component::new(engine.engine(), wasm).expect("the component compiles")
}

/// A connected pair of loopback sockets: the guest's end, and the test's.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let ours = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (theirs, _) = listener.accept().expect("accept");
    (theirs, ours)
}

fn single_threaded() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Eight guests wait on stdin with nothing to read while eight others run
/// to their end, all on one executor thread: a wait that held the thread
/// would stop every other guest. Then each waiting guest is sent its input
/// and finishes as it does on the synchronous linker.
#[test]
fn guests_waiting_on_stdin_hold_no_executor_thread() {
    for execution in [Execution::Tokio, Execution::TokioInline] {
        within(PATIENCE, move || guests_share_one_thread(execution));
    }
}

/// Runs `test` on a thread of its own and fails if it is not over within
/// `limit`: a guest that holds the only executor thread would otherwise
/// hang the test rather than fail it.
fn within(limit: Duration, test: impl FnOnce() + Send + 'static) {
    let (done, over) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match over.recv_timeout(limit) {
        Ok(()) => {}
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("not over within {limit:?}: a waiting guest held the executor thread")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the test failed"),
    }
}

fn guests_share_one_thread(execution: Execution) {
    single_threaded().block_on(async {
        let engine = Arc::new(WasmtimeEngine::new());
        let streams = component(&engine, "p2_streams");
        let hello = component(&engine, "p2_hello");
        let mut waiting = Vec::new();
        for _ in 0..8 {
            let (guest_end, test_end) = socket_pair();
            let stdout = OutputPipe::new();
            let mut builder = WasiCtxBuilder::new();
            builder
                .args(["p2_streams", "in"])
                .stdin(Stdio::custom(Box::new(HostSocket::stream(guest_end))))
                .stdout(Stdio::output(stdout.clone()));
            let ctx = builder.build().expect("grants");
            let (engine, streams) = (Arc::clone(&engine), streams.clone());
            let guest =
                tokio::spawn(
                    async move { engine.run_command_async(&streams, ctx, execution).await },
                );
            waiting.push((guest, test_end, stdout));
        }
        for i in 0..8 {
            let stdout = OutputPipe::new();
            let mut builder = WasiCtxBuilder::new();
            builder
                .args(["p2_hello", &i.to_string()])
                .stdout(Stdio::output(stdout.clone()));
            let ctx = builder.build().expect("grants");
            let run = engine.run_command_async(&hello, ctx, execution);
            let status = tokio::time::timeout(PATIENCE, run).await;
            assert!(matches!(status, Ok(Ok(0))), "{execution:?}: {status:?}");
            assert_eq!(
                stdout.contents(),
                format!("p2_hello: p2_hello {i}\n").as_bytes()
            );
        }
        for (guest, _, _) in &waiting {
            assert!(!guest.is_finished(), "a guest read input it was never sent");
        }
        for (guest, mut test_end, stdout) in waiting {
            test_end.write_all(b"hello stdin\n").expect("send");
            drop(test_end);
            let status = tokio::time::timeout(PATIENCE, guest).await;
            assert!(matches!(status, Ok(Ok(Ok(0)))), "{execution:?}: {status:?}");
            let printed = String::from_utf8_lossy(&stdout.contents()).into_owned();
            assert!(
                printed.ends_with("ok blocking-read\nok closed-stays-closed\nok p2_streams\n"),
                "{printed}"
            );
        }
    });
}

/// Eight echo servers wait in `accept`, then (connected, sent nothing) in
/// a read of their connection, while eight other guests run to their end
/// each time, all on one executor thread: socket waits go to tokio's
/// reactor like any other. Then each server echoes its client and exits.
#[test]
fn guests_waiting_on_sockets_hold_no_executor_thread() {
    for execution in [Execution::Tokio, Execution::TokioInline] {
        within(PATIENCE, move || servers_share_one_thread(execution));
    }
}

/// Runs `p2_hello` eight times to the end on the current thread.
async fn run_hellos(engine: &WasmtimeEngine, hello: &Component, execution: Execution) {
    for i in 0..8 {
        let ctx = WasiCtxBuilder::new()
            .args(["p2_hello", &i.to_string()])
            .stdout(Stdio::output(OutputPipe::new()))
            .build()
            .expect("grants");
        let run = engine.run_command_async(hello, ctx, execution);
        let status = tokio::time::timeout(PATIENCE, run).await;
        assert!(matches!(status, Ok(Ok(0))), "{execution:?}: {status:?}");
    }
}

fn servers_share_one_thread(execution: Execution) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    single_threaded().block_on(async {
        let engine = Arc::new(WasmtimeEngine::new());
        let echo = component(&engine, "p2_echo");
        let hello = component(&engine, "p2_hello");
        let mut servers = Vec::new();
        for _ in 0..8 {
            let port = TcpListener::bind("127.0.0.1:0")
                .and_then(|probe| probe.local_addr())
                .expect("a free port")
                .port();
            let target = format!("127.0.0.1:{port}");
            let ctx = WasiCtxBuilder::new()
                .args(["p2_echo", &target])
                .stdout(Stdio::output(OutputPipe::new()))
                .allow_net(format!("bind,listen={target}").parse().expect("rule"))
                .allow_net("accept=127.0.0.1".parse().expect("rule"))
                .build()
                .expect("grants");
            let (engine, echo) = (Arc::clone(&engine), echo.clone());
            let guest =
                tokio::spawn(async move { engine.run_command_async(&echo, ctx, execution).await });
            servers.push((guest, target));
        }
        run_hellos(&engine, &hello, execution).await;
        let mut clients = Vec::new();
        for (guest, target) in &servers {
            assert!(
                !guest.is_finished(),
                "a server ended before any client came"
            );
            // The server may still be on its way to listening.
            let mut tries = 0;
            let client = loop {
                match tokio::net::TcpStream::connect(target.as_str()).await {
                    Ok(client) => break client,
                    Err(e) if tries < 1000 => {
                        tries += 1;
                        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused);
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    Err(e) => panic!("connecting to {target}: {e}"),
                }
            };
            clients.push(client);
        }
        run_hellos(&engine, &hello, execution).await;
        for ((guest, _), mut client) in servers.into_iter().zip(clients) {
            assert!(
                !guest.is_finished(),
                "a server ended before its client sent"
            );
            client.write_all(b"ping").await.expect("send");
            client.shutdown().await.expect("shut the sending half");
            let mut back = Vec::new();
            let read = tokio::time::timeout(PATIENCE, client.read_to_end(&mut back)).await;
            assert!(matches!(read, Ok(Ok(4))), "{read:?}");
            assert_eq!(back, b"ping");
            let status = tokio::time::timeout(PATIENCE, guest).await;
            assert!(matches!(status, Ok(Ok(Ok(0)))), "{execution:?}: {status:?}");
        }
    });
}

/// The synchronous linker needs no runtime and starts none, so calling it
/// from inside one (either flavour) neither panics nor deadlocks, even for
/// a guest that waits on clocks and streams.
#[test]
fn the_synchronous_linker_runs_inside_a_tokio_runtime() {
    let multi = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    for runtime in [single_threaded(), multi] {
        let status = runtime.block_on(async {
            let engine = WasmtimeEngine::new();
            let poll = component(&engine, "p2_poll");
            let ctx = WasiCtxBuilder::new()
                .arg("p2_poll")
                .stdout(Stdio::output(OutputPipe::new()))
                .build()
                .expect("grants");
            engine.run_command(&poll, ctx)
        });
        assert!(matches!(status, Ok(0)), "{status:?}");
    }
}

/// A context set up for tokio, linked with the synchronous linker, is
/// refused with a trap that says so, before its call does anything.
#[test]
fn a_tokio_context_on_the_synchronous_linker_traps() {
    let engine = WasmtimeEngine::new();
    let hello = component(&engine, "p2_hello");
    let mut linker = wasmtime::component::Linker::new(engine.engine());
    capwasi_wasmtime::p2::add_to_linker_sync(&mut linker, |ctx: &mut capwasi::p2::WasiP2Ctx| ctx)
        .expect("link");
    let grants = WasiCtxBuilder::new()
        .arg("p2_hello")
        .stdout(Stdio::output(OutputPipe::new()))
        .build()
        .expect("grants");
    let mut wasi = capwasi::p2::WasiP2Ctx::new(grants);
    wasi.set_execution(Execution::Tokio);
    let mut store = wasmtime::Store::new(engine.engine(), wasi);
    let command = capwasi_wasmtime::p2::Command::instantiate(&mut store, &hello, &linker)
        .expect("instantiate");
    let error = command
        .wasi_cli_run()
        .call_run(&mut store)
        .expect_err("the write is refused");
    assert!(
        format!("{error:?}").contains("set up for tokio"),
        "{error:?}"
    );
}
