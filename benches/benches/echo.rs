//! TCP echo over loopback: one wasi:sockets echo server component
//! (`tests/components/src/p2_echo.c`), served by capwasi and by
//! wasmtime-wasi on the same wasmtime engine, driven by a native client on
//! the host. It measures round-trip latency (one byte each way, many times
//! on one connection) and bulk throughput (bytes sent through the guest and
//! back, on a second connection).
//!
//!   cargo bench --manifest-path benches/Cargo.toml --bench echo -- [--quick] [--markdown]
//!     [--rounds N] [--round-trips N] [--megabytes N] [--runtimes a,b]

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use capwasi::execution::Execution;
use capwasi_bench::{exit_code, format_ns, machine_facts, median, Failure, Options, Table};
use wasmtime::component::Component;

const ECHO_WASM: &[u8] = include_bytes!("../../tests/components/bin/p2_echo.wasm");

const CAPWASI: &str = "capwasi-p2";
const CAPWASI_TOKIO: &str = "capwasi-p2-tokio";
const WASMTIME_WASI: &str = "wasmtime-wasi-p2";
const RUNTIMES: [&str; 3] = [CAPWASI, CAPWASI_TOKIO, WASMTIME_WASI];

const DEFAULT_ROUNDS: u64 = 5;
const DEFAULT_ROUND_TRIPS: u64 = 20_000;
const DEFAULT_MEGABYTES: u64 = 256;
/// The client's writes and reads in the throughput run.
const CHUNK: usize = 64 * 1024;

fn main() -> ExitCode {
    exit_code(run())
}

struct Plan {
    runtimes: Vec<&'static str>,
    rounds: u64,
    round_trips: u64,
    bytes: u64,
    markdown: bool,
}

impl Plan {
    fn from_args() -> Result<Plan, Failure> {
        let options = Options::parse(
            std::env::args().skip(1),
            &["quick", "markdown"],
            &["rounds", "round-trips", "megabytes", "runtimes"],
        )?;
        let quick = options.flag("quick");
        let pick = |name, full, quick_value| -> Result<u64, Failure> {
            Ok(if quick {
                quick_value
            } else {
                options.count(name, full)?
            })
        };
        Ok(Plan {
            runtimes: options.subset("runtimes", &RUNTIMES)?,
            rounds: pick("rounds", DEFAULT_ROUNDS, 1)?,
            round_trips: pick("round-trips", DEFAULT_ROUND_TRIPS, 100)?,
            bytes: pick("megabytes", DEFAULT_MEGABYTES, 1)? << 20,
            markdown: options.flag("markdown"),
        })
    }
}

/// One round's figures for one runtime.
struct Sample {
    round_trip_ns: f64,
    bytes_per_second: f64,
}

/// Starts the echo server on `addr` for two connections, on a thread of
/// its own; the thread returns the guest's exit status.
type Serve = Box<dyn Fn(SocketAddr) -> thread::JoinHandle<Result<i32, String>>>;

fn servers(runtime: &str) -> Result<Serve, String> {
    let engine = capwasi_wasmtime::WasmtimeEngine::new();
    let component = Component::new(engine.engine(), ECHO_WASM)
        .map_err(|e| format!("wasmtime cannot compile p2_echo.wasm: {e:#}"))?;
    let engine = Arc::new(engine);
    Ok(match runtime {
        CAPWASI | CAPWASI_TOKIO => {
            let tokio = runtime == CAPWASI_TOKIO;
            Box::new(move |addr| {
                let (engine, component) = (engine.clone(), component.clone());
                thread::spawn(move || {
                    let ctx = capwasi_ctx(addr)?;
                    let ended = if tokio {
                        tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .map_err(|e| e.to_string())?
                            .block_on(engine.run_command_async(&component, ctx, Execution::Tokio))
                    } else {
                        engine.run_command(&component, ctx)
                    };
                    ended.map_err(|e| e.to_string())
                })
            })
        }
        _ => {
            let mut linker = wasmtime::component::Linker::new(engine.engine());
            wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(|e| format!("{e:#}"))?;
            let pre = linker
                .instantiate_pre(&component)
                .and_then(wasmtime_wasi::p2::bindings::sync::CommandPre::new)
                .map_err(|e| format!("{e:#}"))?;
            Box::new(move |addr| {
                let (engine, pre) = (engine.clone(), pre.clone());
                thread::spawn(move || run_wasmtime_wasi(engine.engine(), &pre, addr))
            })
        }
    })
}

/// The guest's arguments: where to listen, and two connections.
fn guest_args(addr: SocketAddr) -> [String; 3] {
    ["p2_echo".into(), addr.to_string(), "2".into()]
}

/// capwasi's grant: listening on the one port, accepting local peers.
fn capwasi_ctx(addr: SocketAddr) -> Result<capwasi::WasiCtx, String> {
    let mut builder = capwasi::WasiCtxBuilder::new();
    builder
        .args(guest_args(addr))
        .allow_net(
            format!("bind,listen={addr}")
                .parse()
                .map_err(|e| format!("{e}"))?,
        )
        .allow_net("accept=127.0.0.1".parse().map_err(|e| format!("{e}"))?);
    builder.build().map_err(|e| e.to_string())
}

/// wasmtime-wasi's preview2 state: its context and resource table.
struct P2State {
    ctx: wasmtime_wasi::WasiCtx,
    table: wasmtime::component::ResourceTable,
}

impl wasmtime_wasi::WasiView for P2State {
    fn ctx(&mut self) -> wasmtime_wasi::WasiCtxView<'_> {
        wasmtime_wasi::WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn run_wasmtime_wasi(
    engine: &wasmtime::Engine,
    pre: &wasmtime_wasi::p2::bindings::sync::CommandPre<P2State>,
    addr: SocketAddr,
) -> Result<i32, String> {
    let mut builder = wasmtime_wasi::WasiCtxBuilder::new();
    // wasmtime-wasi has no per-address rules; it is given every address,
    // which is the least it could check, and TCP, which it turns off by
    // default.
    let stderr = wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(4096);
    builder
        .args(&guest_args(addr))
        .inherit_network()
        .allow_tcp(true)
        .stderr(stderr.clone());
    let state = P2State {
        ctx: builder.build(),
        table: wasmtime::component::ResourceTable::new(),
    };
    let mut store = wasmtime::Store::new(engine, state);
    let command = pre.instantiate(&mut store).map_err(|e| format!("{e:#}"))?;
    let status = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => exit.0,
            None => return Err(format!("{e:#}")),
        },
    };
    match status {
        0 => Ok(0),
        _ => Err(String::from_utf8_lossy(&stderr.contents())
            .trim()
            .to_string()),
    }
}

/// A loopback address whose port nothing listened on a moment ago.
fn free_addr() -> Result<SocketAddr, String> {
    let probe = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind a probe: {e}"))?;
    probe.local_addr().map_err(|e| e.to_string())
}

/// Connects once the guest listens (it compiles nothing, but instantiates
/// first), giving up after 10 s.
fn connect(addr: SocketAddr) -> Result<TcpStream, String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(addr) {
            Ok(stream) => {
                stream.set_nodelay(true).map_err(|e| e.to_string())?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .map_err(|e| e.to_string())?;
                return Ok(stream);
            }
            Err(e) if e.kind() == ErrorKind::ConnectionRefused && Instant::now() < deadline => {
                thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(format!("connecting to the guest at {addr}: {e}")),
        }
    }
}

/// One byte out and back, `count` times; the mean round trip.
fn round_trips(addr: SocketAddr, count: u64) -> Result<f64, String> {
    let mut stream = connect(addr)?;
    let mut byte = [0u8; 1];
    let started = Instant::now();
    for i in 0..count {
        let sent = [i as u8];
        stream.write_all(&sent).map_err(|e| e.to_string())?;
        stream.read_exact(&mut byte).map_err(|e| e.to_string())?;
        if byte != sent {
            return Err(format!("round trip {i}: sent {sent:?}, got {byte:?}"));
        }
    }
    let elapsed = started.elapsed();
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| e.to_string())?;
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).map_err(|e| e.to_string())?;
    Ok(elapsed.as_nanos() as f64 / count as f64)
}

/// `total` bytes through the guest and back, written and read side by
/// side; bytes per second, counted one way.
fn throughput(addr: SocketAddr, total: u64) -> Result<f64, String> {
    let stream = connect(addr)?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let sending = thread::spawn(move || -> Result<(), String> {
        let chunk: Vec<u8> = (0..CHUNK).map(|i| (i % 251) as u8).collect();
        let mut left = total;
        while left > 0 {
            let n = left.min(CHUNK as u64) as usize;
            writer.write_all(&chunk[..n]).map_err(|e| e.to_string())?;
            left -= n as u64;
        }
        writer.shutdown(Shutdown::Write).map_err(|e| e.to_string())
    });
    let mut buf = vec![0u8; CHUNK];
    let mut received = 0u64;
    loop {
        let n = (&stream).read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        received += n as u64;
    }
    let elapsed = started.elapsed();
    sending
        .join()
        .map_err(|_| "the sending thread panicked".to_string())??;
    if received != total {
        return Err(format!("sent {total} bytes, {received} came back"));
    }
    Ok(total as f64 / elapsed.as_secs_f64())
}

fn sample(serve: &Serve, plan: &Plan) -> Result<Sample, String> {
    let addr = free_addr()?;
    let server = serve(addr);
    let measured = round_trips(addr, plan.round_trips)
        .and_then(|rtt| Ok((rtt, throughput(addr, plan.bytes)?)));
    let status = server
        .join()
        .map_err(|_| "the server thread panicked".to_string())?;
    // A guest that never listened explains a client that could not connect.
    let status = status.map_err(|e| format!("the echo server failed: {e}"))?;
    let (round_trip_ns, bytes_per_second) = match measured {
        Ok(m) => m,
        Err(e) => return Err(format!("{e} (the echo server exited with status {status})")),
    };
    match status {
        0 => Ok(Sample {
            round_trip_ns,
            bytes_per_second,
        }),
        code => Err(format!("the echo server exited with status {code}")),
    }
}

fn run() -> Result<(), Failure> {
    let plan = Plan::from_args()?;
    let serves = plan
        .runtimes
        .iter()
        .map(|&runtime| Ok((runtime, servers(runtime)?)))
        .collect::<Result<Vec<_>, String>>()?;
    let mut samples: Vec<Vec<Sample>> = serves.iter().map(|_| Vec::new()).collect();
    // Interleaved: every runtime in each round, so noise hits all alike.
    for round in 0..plan.rounds {
        for (i, (runtime, serve)) in serves.iter().enumerate() {
            eprintln!("round {} of {}: {runtime} ...", round + 1, plan.rounds);
            let got = sample(serve, &plan).map_err(|e| format!("{runtime}: {e}"))?;
            samples[i].push(got);
        }
    }
    report(&plan, &serves, &samples);
    Ok(())
}

fn report(plan: &Plan, serves: &[(&str, Serve)], samples: &[Vec<Sample>]) {
    let medians: Vec<(f64, f64)> = samples
        .iter()
        .map(|s| {
            let rtt: Vec<f64> = s.iter().map(|x| x.round_trip_ns).collect();
            let bps: Vec<f64> = s.iter().map(|x| x.bytes_per_second).collect();
            (median(&rtt).unwrap_or(0.0), median(&bps).unwrap_or(0.0))
        })
        .collect();
    let baseline = serves
        .iter()
        .position(|(runtime, _)| *runtime == WASMTIME_WASI)
        .map(|i| medians[i]);
    let mut table = Table::new([
        "runtime",
        "round trip",
        "vs wasmtime-wasi",
        "throughput",
        "vs wasmtime-wasi",
    ]);
    for ((runtime, _), &(rtt, bps)) in serves.iter().zip(&medians) {
        let (rtt_ratio, bps_ratio) = match baseline {
            Some((base_rtt, base_bps)) => (
                format!("{:.2}x", rtt / base_rtt),
                format!("{:.2}x", bps / base_bps),
            ),
            None => ("-".into(), "-".into()),
        };
        table.push([
            runtime.to_string(),
            format_ns(rtt),
            rtt_ratio,
            format!("{:.0} MiB/s", bps / f64::from(1 << 20)),
            bps_ratio,
        ]);
    }
    // The filesystem fact is about a fixture this benchmark does not have.
    for (fact, value) in machine_facts(&std::env::temp_dir()) {
        if !fact.contains("filesystem") {
            println!("{fact}: {value}");
        }
    }
    println!(
        "{} round trips of one byte, {} MiB each way for throughput; median of {} rounds. \
         Round trip: lower is better (a ratio under 1 is faster than wasmtime-wasi). \
         Throughput: higher is better (a ratio over 1 is faster).",
        plan.round_trips,
        plan.bytes >> 20,
        plan.rounds
    );
    println!();
    if plan.markdown {
        print!("{}", table.to_markdown());
    } else {
        print!("{}", table.to_text());
    }
}
