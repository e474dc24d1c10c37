//! Builds the native twin of the guest benchmark program, so that `syscalls`
//! can run the same C code natively and as wasm.

use std::env;
use std::path::PathBuf;
use std::process::{Command, ExitCode};

const SOURCE: &str = "guest/bench.c";

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed={SOURCE}");
    match build() {
        Ok(binary) => {
            println!("cargo:rustc-env=BENCH_NATIVE={}", binary.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn build() -> Result<PathBuf, String> {
    let out_dir = env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?;
    let binary = PathBuf::from(out_dir).join("bench-native");
    // Only the compiler's path is taken from cc: its default flags follow the
    // Rust profile, while the native build must match the wasm build's -O2.
    let compiler = cc::Build::new()
        .try_get_compiler()
        .map_err(|e| format!("no C compiler found for the native benchmark: {e}"))?;
    let path = compiler.path();
    let output = Command::new(path)
        .args(["-O2", "-Wall", "-o"])
        .arg(&binary)
        .arg(SOURCE)
        .output()
        .map_err(|e| format!("cannot run C compiler `{}`: {e}", path.display()))?;
    if !output.status.success() {
        return Err(format!(
            "`{}` failed to compile {SOURCE} ({}):\n{}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim_end()
        ));
    }
    Ok(binary)
}
