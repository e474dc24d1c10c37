//! `capwasi`: run a WebAssembly program with exactly the capabilities named on the command
//! line, and nothing else.
//!
//! The process exits with the guest's exit status. When the guest cannot run, or stops on a
//! trap, a message starting with `error:` goes to stderr (one line, except that a trap adds
//! the guest's wasm backtrace) and the status says which it was:
//! 2 for a command line that does not parse, 1 for a module or grant that cannot be loaded
//! or opened, and 128 + SIGABRT (134) for a trap, as the wasmtime CLI does on Unix, so
//! scripts can tell a crashed guest from one that reported failure.

mod args;
mod engines;

use std::io::Write;
use std::net::TcpListener;
use std::path::Path;

use capwasi::{DirPerms, RunError, WasiCtx, WasiCtxBuilder};
use clap::Parser;

use args::{Cli, Command, RunArgs};

/// Exit status for a command line that does not parse (clap's convention).
const EXIT_USAGE: i32 = 2;
/// Exit status when the module or a grant cannot be set up.
const EXIT_SETUP: i32 = 1;
/// Exit status for a trapped guest: an abort on Unix (128 + SIGABRT); Windows' abort() uses 3.
const EXIT_TRAP: i32 = if cfg!(windows) { 3 } else { 128 + 6 };

/// Why the guest did not run to an exit status of its own.
#[derive(Debug)]
struct Failure {
    /// The process exit status to report it with.
    code: i32,
    /// Printed after `error: `; one line, except a trap's, which carries the guest's
    /// wasm backtrace.
    message: String,
}

/// A setup failure: a module, directory, variable or socket that could not be used.
fn setup(message: String) -> Failure {
    Failure {
        code: EXIT_SETUP,
        message,
    }
}

/// The environment variable that turns on capwasi's own log, such as
/// `CAPWASI_LOG=info` to see every refusal with the path and the missing
/// capability. Off by default: a guest probing what it may do is not an
/// error worth printing.
const LOG_VAR: &str = "CAPWASI_LOG";

fn init_log() {
    let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env(LOG_VAR) else {
        return;
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .without_time()
        .init();
}

fn main() {
    init_log();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => usage_error(err),
    };
    let Command::Run(run_args) = cli.command;
    let code = match run(&run_args) {
        Ok(code) => code,
        Err(failure) => {
            // Whatever the guest printed comes first, so the error is the last thing seen.
            let _ = std::io::stdout().flush();
            eprintln!("error: {}", failure.message);
            failure.code
        }
    };
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code);
}

/// Prints a command-line error as one line and exits. Help and `--version` are not errors
/// and print as clap renders them.
fn usage_error(err: clap::Error) -> ! {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => err.exit(),
        _ => {
            eprintln!("{}", one_line_usage_error(&err.render().to_string()));
            std::process::exit(EXIT_USAGE);
        }
    }
}

/// clap's message is the text before the first blank line (after which come tips, usage and
/// a pointer to --help); some messages put the offending argument on an indented second
/// line, so the lines are joined rather than cut.
fn one_line_usage_error(rendered: &str) -> String {
    let mut line = String::new();
    for part in rendered.lines().take_while(|l| !l.trim().is_empty()) {
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(part.trim());
    }
    if line.is_empty() {
        line = "error: invalid command line".to_owned();
    }
    line
}

/// Runs the guest and returns its exit status.
fn run(args: &RunArgs) -> Result<i32, Failure> {
    let engine = engines::by_name(&args.engine).ok_or_else(|| Failure {
        code: EXIT_USAGE,
        message: format!(
            "--engine {}: unknown engine (this build has: {})",
            args.engine,
            engines::names()
        ),
    })?;
    let module = args.module();
    let wasm = read_module(module)?;
    let ctx = build_ctx(args)?;
    // The binary preamble tells a component from a core module; both run
    // with the same grants and report their status the same way. One guest
    // runs at a time here, so components take the synchronous linker, the
    // fastest execution measured (benches/README.md): filesystem work on
    // tokio's blocking pool costs a thread hop per call, and even inline
    // under tokio the async machinery costs a little.
    let outcome = if capwasi::engine::is_component(&wasm) {
        engine.run_component(&wasm, ctx)
    } else {
        engine.run(&wasm, ctx)
    };
    match outcome {
        Ok(code) => Ok(code),
        Err(RunError::Load(message)) => Err(setup(format!("{module}: {message}"))),
        Err(RunError::Trap(message)) => Err(Failure {
            code: EXIT_TRAP,
            message: without_host_backtrace(&message).to_owned(),
        }),
    }
}

/// A trap message may end with the host's own Rust stack (engines capture one when
/// RUST_BACKTRACE is set); it says nothing about the guest, so only the part before it is
/// shown: the trap and the guest's wasm backtrace.
fn without_host_backtrace(message: &str) -> &str {
    let end = message.find("\nStack backtrace:").unwrap_or(message.len());
    message[..end].trim_end()
}

/// Reads the module and turns the text format into the binary one, so every engine gets a
/// binary whatever it can parse itself.
fn read_module(path: &str) -> Result<Vec<u8>, Failure> {
    let bytes = std::fs::read(path).map_err(|e| setup(format!("{path}: cannot read: {e}")))?;
    match wat::Detect::from_bytes(&bytes) {
        wat::Detect::WasmBinary => Ok(bytes),
        wat::Detect::WasmText => {
            match wat::Parser::new().parse_bytes(Some(Path::new(path)), &bytes) {
                Ok(binary) => Ok(binary.into_owned()),
                Err(e) => Err(setup(one_line_wat_error(path, &e.to_string()))),
            }
        }
        wat::Detect::Unknown => Err(setup(format!(
            "{path}: not a WebAssembly module (neither the binary nor the text format)"
        ))),
    }
}

/// The wat parser renders a message, then a `--> FILE:LINE:COL` line and a source excerpt;
/// this keeps the message and the location.
fn one_line_wat_error(path: &str, rendered: &str) -> String {
    let message = rendered
        .lines()
        .next()
        .unwrap_or("invalid text format")
        .trim();
    match rendered
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
    {
        Some(location) => format!("{}: {message}", location.trim()),
        None => format!("{path}: {message}"),
    }
}

/// Builds the guest's context from the grants on the command line: argv, environment,
/// inherited stdio, directories (fd 3, 4, ... in order), then listening sockets.
fn build_ctx(args: &RunArgs) -> Result<WasiCtx, Failure> {
    let mut builder = WasiCtxBuilder::new();
    builder.args(args.guest_argv());
    for (name, value) in guest_env(args)? {
        builder.env(name, value);
    }
    builder.inherit_stdio();

    for dir in &args.dirs {
        // Opening it here first gives the user the OS's own reason (missing, not a
        // directory, no permission) together with the flag that named it.
        if let Err(e) = std::fs::read_dir(&dir.host) {
            return Err(setup(format!(
                "--dir {}: cannot open directory `{}`: {e}",
                dir.spec, dir.host
            )));
        }
        let perms = if dir.read_only {
            DirPerms::ReadOnly
        } else {
            DirPerms::ReadWrite
        };
        builder
            .preopened_dir(&dir.host, &dir.guest, perms)
            .map_err(|e| setup(format!("--dir {}: {e}", dir.spec)))?;
    }

    let network = args.network();
    builder
        .allow_tcp(network.tcp)
        .allow_udp(network.udp)
        .allow_ip_name_lookup(network.name_lookup);
    if network.inherit {
        builder.inherit_network();
    }
    for rule in network.rules {
        builder.allow_net(rule);
    }

    for addr in args.listen_addrs() {
        let listener = TcpListener::bind(addr)
            .map_err(|e| setup(format!("--tcplisten {addr}: cannot listen: {e}")))?;
        builder
            .preopened_socket(listener)
            .map_err(|e| setup(format!("--tcplisten {addr}: {e}")))?;
    }

    builder
        .build()
        .map_err(|e| setup(format!("cannot set up the guest: {e}")))
}

/// The guest's environment: the host's when inherited, then each `--env` in order, a later
/// value replacing an earlier one of the same name so the guest never sees duplicates.
fn guest_env(args: &RunArgs) -> Result<Vec<(String, String)>, Failure> {
    let mut env: Vec<(String, String)> = Vec::new();
    if args.inherit_env() {
        env.extend(capwasi::inheritable_env());
    }
    for grant in &args.envs {
        let value = match &grant.value {
            Some(value) => value.clone(),
            // `--env NAME` for a variable the host does not have leaves it unset.
            None => match std::env::var_os(&grant.name) {
                None => continue,
                Some(value) => value.into_string().map_err(|_| {
                    setup(format!(
                        "--env {}: the host's value is not valid UTF-8",
                        grant.name
                    ))
                })?,
            },
        };
        match env.iter_mut().find(|(name, _)| *name == grant.name) {
            Some(slot) => slot.1 = value,
            None => env.push((grant.name.clone(), value)),
        }
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_become_one_line() {
        let rendered = "error: the following required arguments were not provided:\n  \
                        <MODULE>...\n\nUsage: capwasi run [OPTIONS] <MODULE> [ARGS]...\n\n\
                        For more information, try '--help'.\n";
        assert_eq!(
            one_line_usage_error(rendered),
            "error: the following required arguments were not provided: <MODULE>..."
        );
        let rendered = "error: unexpected argument '--nope' found\n\n  tip: ...\n";
        assert_eq!(
            one_line_usage_error(rendered),
            "error: unexpected argument '--nope' found"
        );
    }

    #[test]
    fn wat_errors_keep_message_and_location() {
        let text = b"(module (func (export \"_start\") (unknown_op)))";
        let err = wat::Parser::new()
            .parse_bytes(Some(Path::new("m.wat")), text)
            .unwrap_err();
        let line = one_line_wat_error("m.wat", &err.to_string());
        assert!(line.starts_with("m.wat:1:"), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }

    #[test]
    fn host_backtraces_are_cut_from_trap_messages() {
        let message = "error while executing\n\nCaused by:\n    wasm trap: unreachable\n\n\
                       Stack backtrace:\n   0: somewhere\n             at src/lib.rs:1:1\n";
        assert_eq!(
            without_host_backtrace(message),
            "error while executing\n\nCaused by:\n    wasm trap: unreachable"
        );
        assert_eq!(without_host_backtrace("plain\n"), "plain");
    }

    #[test]
    fn later_env_values_replace_earlier_ones() {
        let cli = Cli::try_parse_from([
            "capwasi", "run", "--env", "A=1", "--env", "B=2", "--env", "A=3", "m.wasm",
        ])
        .unwrap();
        let Command::Run(run_args) = cli.command;
        let env = guest_env(&run_args).unwrap();
        assert_eq!(
            env,
            [
                ("A".to_owned(), "3".to_owned()),
                ("B".to_owned(), "2".to_owned())
            ]
        );
    }
}
