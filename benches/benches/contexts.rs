//! What one WASI context costs when a host keeps thousands alive: heap
//! bytes, allocations and host descriptors per context, and the time to
//! create and drop it, for capwasi and wasmtime-wasi.
//!
//!   cargo bench --manifest-path benches/Cargo.toml --bench contexts -- [--quick] [--markdown]

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use capwasi::fs::host::HostDir;
use capwasi::p1::WasiP1Ctx;
use capwasi::p2::WasiP2Ctx;
use capwasi::DirPerms;
use capwasi_bench::{
    exit_code, format_ns, machine_facts, median, Failure, Options, Table, UsageError,
};

/// Counts what the process allocates, so that heap use per context can be
/// read off as a difference.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters only observe sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            grew(layout.size());
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const N: usize = 10_000;
const ROUNDS: usize = 5;
const QUICK_N: usize = 100;
/// Descriptors the process needs besides the contexts' own.
const FD_HEADROOM: u64 = 64;

const ARGS: [&str; 3] = ["app.wasm", "--verbose", "input.txt"];
const ENV: [(&str, &str); 3] = [("HOME", "/data"), ("LANG", "C.UTF-8"), ("MODE", "bench")];
const GUEST_DIR: &str = "/data";

fn main() -> ExitCode {
    exit_code(run())
}

struct Plan {
    n: usize,
    rounds: usize,
    markdown: bool,
    /// Contexts per round for the variants that hold a descriptor each,
    /// when the descriptor limit does not allow `n`.
    fd_n: usize,
}

fn plan() -> Result<Plan, UsageError> {
    let options = Options::parse(std::env::args().skip(1), &["quick", "markdown"], &[])?;
    let quick = options.flag("quick");
    let n = if quick { QUICK_N } else { N };
    let limit = raise_fd_limit();
    let fd_n = match limit {
        Some(limit) if limit < n as u64 + FD_HEADROOM => {
            (limit.saturating_sub(FD_HEADROOM) as usize).max(1)
        }
        _ => n,
    };
    Ok(Plan {
        n,
        rounds: if quick { 1 } else { ROUNDS },
        markdown: options.flag("markdown"),
        fd_n,
    })
}

/// Raises the soft descriptor limit to the hard one, since variants that
/// open a directory per context need one descriptor per context; returns
/// the limit now in force, if it is known.
fn raise_fd_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current != limit.maximum {
        limit.current = limit.maximum;
        // Failing leaves the old limit, which the caller then works within.
        let _ = setrlimit(Resource::Nofile, limit);
    }
    getrlimit(Resource::Nofile).current
}

/// What one round measured, per context.
#[derive(Clone, Copy)]
struct Sample {
    heap: f64,
    peak: f64,
    allocations: f64,
    fds: Option<f64>,
    create_ns: f64,
    drop_ns: f64,
}

/// Creates `n` contexts with `make`, keeps them all alive, then drops them.
fn round<T>(n: usize, make: &mut dyn FnMut() -> Result<T, String>) -> Result<Sample, String> {
    let mut contexts: Vec<T> = Vec::with_capacity(n);
    let fds_before = open_fds();
    let live_before = LIVE.load(Ordering::Relaxed);
    PEAK.store(live_before, Ordering::Relaxed);
    let allocations_before = ALLOCATIONS.load(Ordering::Relaxed);
    let start = Instant::now();
    for _ in 0..n {
        contexts.push(make()?);
    }
    let create = start.elapsed();
    let allocations = ALLOCATIONS.load(Ordering::Relaxed) - allocations_before;
    let live = LIVE.load(Ordering::Relaxed).saturating_sub(live_before);
    let peak = PEAK.load(Ordering::Relaxed).saturating_sub(live_before);
    let fds = fds_before.zip(open_fds()).map(|(b, a)| a as f64 - b as f64);
    let start = Instant::now();
    drop(contexts);
    let drop_time = start.elapsed();
    let per = |x: f64| x / n as f64;
    Ok(Sample {
        heap: per(live as f64),
        peak: per(peak as f64),
        allocations: per(allocations as f64),
        fds: fds.map(per),
        create_ns: per(create.as_nanos() as f64),
        drop_ns: per(drop_time.as_nanos() as f64),
    })
}

/// Descriptors open in this process, if the platform tells.
fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd")
        .ok()
        .map(|entries| entries.count())
}

/// One kind of context, and how to make it.
struct Variant {
    name: &'static str,
    size: usize,
    /// Whether each context holds a host descriptor of its own.
    fd_each: bool,
    rounds: Box<dyn Fn(usize) -> Result<Sample, String>>,
}

fn capwasi_builder() -> capwasi::WasiCtxBuilder {
    let mut builder = capwasi::WasiCtx::builder();
    builder.args(ARGS);
    for (key, value) in ENV {
        builder.env(key, value);
    }
    builder
}

/// A preview1 context as a guest runs with it: the grants, and the
/// descriptor table built from them.
fn capwasi_p1(builder: &mut capwasi::WasiCtxBuilder) -> Result<WasiP1Ctx, String> {
    Ok(WasiP1Ctx::new(builder.build().map_err(|e| e.to_string())?))
}

fn capwasi_own_dir(dir: &Path) -> Result<WasiP1Ctx, String> {
    let mut builder = capwasi_builder();
    builder
        .preopened_dir(dir, GUEST_DIR, DirPerms::ReadWrite)
        .map_err(|e| e.to_string())?;
    capwasi_p1(&mut builder)
}

fn capwasi_shared_dir(shared: &HostDir) -> Result<WasiP1Ctx, String> {
    let mut builder = capwasi_builder();
    let dir = Box::new(shared.share(DirPerms::ReadWrite));
    builder.preopened(dir, GUEST_DIR, DirPerms::ReadWrite);
    capwasi_p1(&mut builder)
}

/// A preview2 context as a component runs with it: the grants, and an
/// empty resource table (the guest asks for its preopens when it starts).
fn capwasi_p2_own_dir(dir: &Path) -> Result<WasiP2Ctx, String> {
    let mut builder = capwasi_builder();
    builder
        .preopened_dir(dir, GUEST_DIR, DirPerms::ReadWrite)
        .map_err(|e| e.to_string())?;
    Ok(WasiP2Ctx::new(builder.build().map_err(|e| e.to_string())?))
}

fn wasmtime_wasi_builder(dir: &Path) -> Result<wasmtime_wasi::WasiCtxBuilder, String> {
    let mut builder = wasmtime_wasi::WasiCtxBuilder::new();
    builder.args(&ARGS);
    for (key, value) in ENV {
        builder.env(key, value);
    }
    builder
        .preopened_dir(dir, GUEST_DIR, wasmtime_wasi::FsPerms::ReadWrite)
        .map_err(|e| format!("{e:#}"))?;
    Ok(builder)
}

fn variants(dir: &Path) -> Result<Vec<Variant>, String> {
    let shared = HostDir::open_ambient(dir, DirPerms::ReadWrite)
        .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
    let own = dir.to_path_buf();
    let p1 = dir.to_path_buf();
    let p2 = dir.to_path_buf();
    let capwasi_p2 = dir.to_path_buf();
    Ok(vec![
        Variant {
            name: "capwasi, dir opened per context",
            size: size_of::<WasiP1Ctx>(),
            fd_each: true,
            rounds: Box::new(move |n| round(n, &mut || capwasi_own_dir(&own))),
        },
        Variant {
            name: "capwasi, one dir shared",
            size: size_of::<WasiP1Ctx>(),
            fd_each: false,
            rounds: Box::new(move |n| round(n, &mut || capwasi_shared_dir(&shared))),
        },
        Variant {
            name: "capwasi preview2, dir opened per context",
            size: size_of::<WasiP2Ctx>(),
            fd_each: true,
            rounds: Box::new(move |n| round(n, &mut || capwasi_p2_own_dir(&capwasi_p2))),
        },
        Variant {
            name: "wasmtime-wasi p1 (WasiP1Ctx)",
            size: size_of::<wasmtime_wasi::p1::WasiP1Ctx>(),
            fd_each: true,
            rounds: Box::new(move |n| round(n, &mut || Ok(wasmtime_wasi_builder(&p1)?.build_p1()))),
        },
        Variant {
            name: "wasmtime-wasi WasiCtx",
            size: size_of::<wasmtime_wasi::WasiCtx>(),
            fd_each: true,
            rounds: Box::new(move |n| round(n, &mut || Ok(wasmtime_wasi_builder(&p2)?.build()))),
        },
    ])
}

/// A variant's medians over all rounds.
struct Summary {
    name: &'static str,
    size: usize,
    n: usize,
    sample: Sample,
    create_and_drop_ns: f64,
}

fn summarize(variant: &Variant, n: usize, samples: &[Sample]) -> Summary {
    let mid = |f: fn(&Sample) -> f64| median(&samples.iter().map(f).collect::<Vec<_>>());
    let or_zero = |value: Option<f64>| value.unwrap_or(0.0);
    let fds: Vec<f64> = samples.iter().filter_map(|s| s.fds).collect();
    Summary {
        name: variant.name,
        size: variant.size,
        n,
        sample: Sample {
            heap: or_zero(mid(|s| s.heap)),
            peak: or_zero(mid(|s| s.peak)),
            allocations: or_zero(mid(|s| s.allocations)),
            fds: median(&fds),
            create_ns: or_zero(mid(|s| s.create_ns)),
            drop_ns: or_zero(mid(|s| s.drop_ns)),
        },
        create_and_drop_ns: or_zero(mid(|s| s.create_ns + s.drop_ns)),
    }
}

fn measure(plan: &Plan, variants: &[Variant]) -> Result<Vec<Summary>, String> {
    // One untimed batch each first, so that one-time set-up (thread-local
    // random generators, lazily built tables) is not charged to round one.
    for variant in variants {
        (variant.rounds)(QUICK_N.min(plan.fd_n))
            .map_err(|e| format!("{} failed: {e}", variant.name))?;
    }
    let mut samples: Vec<Vec<Sample>> = variants.iter().map(|_| Vec::new()).collect();
    // Variants inside rounds, so that drifting machine state spreads evenly.
    for round in 1..=plan.rounds {
        eprintln!("round {round} of {}", plan.rounds);
        for (variant, samples) in variants.iter().zip(&mut samples) {
            let sample = (variant.rounds)(variant_n(plan, variant))
                .map_err(|e| format!("{} failed: {e}", variant.name))?;
            samples.push(sample);
        }
    }
    Ok(variants
        .iter()
        .zip(&samples)
        .map(|(variant, samples)| summarize(variant, variant_n(plan, variant), samples))
        .collect())
}

fn variant_n(plan: &Plan, variant: &Variant) -> usize {
    if variant.fd_each {
        plan.fd_n
    } else {
        plan.n
    }
}

fn table(summaries: &[Summary]) -> Table {
    let mut table = Table::new([
        "variant",
        "contexts",
        "size_of",
        "heap B",
        "peak heap B",
        "allocations",
        "fds",
        "create",
        "drop",
        "create+drop",
    ]);
    for s in summaries {
        table.push([
            s.name.to_string(),
            s.n.to_string(),
            s.size.to_string(),
            format!("{:.0}", s.sample.heap),
            format!("{:.0}", s.sample.peak),
            format!("{:.1}", s.sample.allocations),
            s.sample
                .fds
                .map_or_else(|| "-".to_string(), |fds| format!("{fds:.2}")),
            format_ns(s.sample.create_ns),
            format_ns(s.sample.drop_ns),
            format_ns(s.create_and_drop_ns),
        ]);
    }
    table
}

fn print_report(plan: &Plan, dir: &Path, summaries: &[Summary]) {
    let mut facts = machine_facts(dir);
    facts.push((
        "method",
        format!(
            "{} live contexts per variant (3 args, 3 env vars, 1 preopen, null stdio); \
             per-context figures, median of {} round(s)",
            plan.n, plan.rounds
        ),
    ));
    if plan.fd_n < plan.n {
        facts.push((
            "note",
            format!(
                "descriptor limit too low for {} contexts with a directory each; \
                 those variants use {}",
                plan.n, plan.fd_n
            ),
        ));
    }
    let table = table(summaries);
    let (prefix, rendered) = if plan.markdown {
        ("- ", table.to_markdown())
    } else {
        ("", table.to_text())
    };
    for (key, value) in facts {
        println!("{prefix}{key}: {value}");
    }
    println!();
    print!("{rendered}");
}

fn run() -> Result<(), Failure> {
    let plan = plan()?;
    let dir = tempfile::Builder::new()
        .prefix("capwasi-contexts-")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let variants = variants(dir.path())?;
    let summaries = measure(&plan, &variants)?;
    print_report(&plan, dir.path(), &summaries);
    if plan.rounds > 1 {
        let ns = open_and_close_ns(dir.path())?;
        println!();
        println!(
            "opening and closing the directory alone, with no context: {} per \
             directory (the least any variant that opens a directory per \
             context pays)",
            format_ns(ns)
        );
    }
    Ok(())
}

/// The median time to open a directory and close it again, the system
/// calls a per-context preopen cannot avoid.
fn open_and_close_ns(dir: &Path) -> Result<f64, String> {
    const N: usize = 10_000;
    let mut rounds = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..N {
            let opened = HostDir::open_ambient(dir, DirPerms::ReadWrite)
                .map_err(|e| format!("cannot open {}: {e}", dir.display()))?;
            drop(opened);
        }
        rounds.push(start.elapsed().as_nanos() as f64 / N as f64);
    }
    median(&rounds).ok_or_else(|| "no rounds".to_string())
}
