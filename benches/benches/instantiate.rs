//! What it costs to start a wasi 0.2 component: compiling it once, and
//! instantiating it for each run, on wasmtime's component model and,
//! through capwasi's own instantiator, on wasmi and on wasmtime's core
//! wasm. The component is the README's demonstration
//! (`examples/guests/demo.component.wasm`, a preview1 program with the
//! official adapter: four core modules, 33 lowered imports and 7
//! resource drops).
//!
//!   cargo bench --manifest-path benches/Cargo.toml --bench instantiate -- [--quick] [--markdown] [--rounds N]

use std::process::ExitCode;
use std::time::Instant;

use capwasi::component::engine::CoreEngine;
use capwasi::component::instance::Compiled;
use capwasi::p2::WasiP2Ctx;
use capwasi::WasiCtx;
use capwasi_bench::{exit_code, format_ns, machine_facts, median, Failure, Options, Table};

const DEMO: &[u8] = include_bytes!("../../examples/guests/demo.component.wasm");

/// Instantiations timed per round.
const PER_ROUND: usize = 200;

struct Plan {
    rounds: usize,
    per_round: usize,
    markdown: bool,
}

fn plan() -> Result<Plan, Failure> {
    let options = Options::parse(
        std::env::args().skip(1),
        &["quick", "markdown"],
        &["rounds"],
    )?;
    let quick = options.flag("quick");
    Ok(Plan {
        rounds: if quick {
            1
        } else {
            options.count("rounds", 5)? as usize
        },
        per_round: if quick { 3 } else { PER_ROUND },
        markdown: options.flag("markdown"),
    })
}

fn ctx() -> Result<WasiCtx, String> {
    WasiCtx::builder().build().map_err(|e| e.to_string())
}

/// The median over `rounds` of the mean time of `per_round` calls of `f`.
fn time(plan: &Plan, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut rounds = Vec::new();
    for _ in 0..plan.rounds {
        let start = Instant::now();
        for _ in 0..plan.per_round {
            f()?;
        }
        rounds.push(start.elapsed().as_nanos() as f64 / plan.per_round as f64);
    }
    median(&rounds).ok_or_else(|| "no rounds".to_string())
}

/// Compile and instantiate times on a core-only engine through capwasi's
/// instantiator.
fn through_capwasi<E: CoreEngine>(plan: &Plan, engine: &E) -> Result<(f64, f64), String> {
    let compile = time(plan, || {
        Compiled::new(engine, DEMO)
            .map(drop)
            .map_err(|e| e.to_string())
    })?;
    let compiled = Compiled::new(engine, DEMO).map_err(|e| e.to_string())?;
    let instantiate = time(plan, || {
        compiled
            .instantiate(engine, ctx()?)
            .map(drop)
            .map_err(|e| e.to_string())
    })?;
    Ok((compile, instantiate))
}

/// The same on wasmtime's component model, with capwasi's preview2 linked.
fn component_model(plan: &Plan) -> Result<(f64, f64), String> {
    use wasmtime::component::{Component, Linker};
    let engine = wasmtime::Engine::default();
    let compile = time(plan, || {
        Component::new(&engine, DEMO)
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    })?;
    let component = Component::new(&engine, DEMO).map_err(|e| format!("{e:#}"))?;
    let mut linker = Linker::new(&engine);
    capwasi_wasmtime::p2::add_to_linker_sync(&mut linker, |ctx: &mut WasiP2Ctx| ctx)
        .map_err(|e| format!("{e:#}"))?;
    let pre = linker
        .instantiate_pre(&component)
        .map_err(|e| format!("{e:#}"))?;
    let instantiate = time(plan, || {
        let mut store = wasmtime::Store::new(&engine, WasiP2Ctx::new(ctx()?));
        pre.instantiate(&mut store)
            .map(drop)
            .map_err(|e| format!("{e:#}"))
    })?;
    Ok((compile, instantiate))
}

fn run() -> Result<(), Failure> {
    let plan = plan()?;
    let rows = [
        ("wasmtime, component model", component_model(&plan)?),
        (
            "wasmtime, capwasi's instantiator",
            through_capwasi(
                &plan,
                &capwasi_wasmtime::WasmtimeCore(capwasi_wasmtime::WasmtimeEngine::new()),
            )?,
        ),
        (
            "wasmi, capwasi's instantiator",
            through_capwasi(&plan, &capwasi_wasmi::WasmiEngine::new())?,
        ),
    ];
    let mut table = Table::new(["engine, path", "compile", "instantiate"]);
    for (name, (compile, instantiate)) in rows {
        table.push([name.to_string(), format_ns(compile), format_ns(instantiate)]);
    }
    let prefix = if plan.markdown { "- " } else { "" };
    for (key, value) in machine_facts(&std::env::temp_dir()) {
        println!("{prefix}{key}: {value}");
    }
    println!(
        "{prefix}method: examples/guests/demo.component.wasm ({} bytes); median of {} round(s), \
         each the mean of {} compiles and of {} instantiations (a fresh store and context each)",
        DEMO.len(),
        plan.rounds,
        plan.per_round,
        plan.per_round
    );
    println!();
    if plan.markdown {
        print!("{}", table.to_markdown());
    } else {
        print!("{}", table.to_text());
    }
    Ok(())
}

fn main() -> ExitCode {
    exit_code(run())
}
