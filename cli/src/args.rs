//! The command line: what `capwasi` accepts and how each value is checked.
//!
//! The spellings follow the wasmtime CLI (`--dir HOST::GUEST`, `--env NAME[=VAL]`,
//! `-S inherit-env`, `-S tcplisten=ADDR`) so that existing command lines keep working.
//! Everything that can be judged from the text alone is judged here, so a malformed
//! value is reported by clap as a usage error naming the flag before anything is opened.

use clap::{Args, Parser, Subcommand};

/// `capwasi`: the whole command line.
#[derive(Debug, Parser)]
#[command(
    name = "capwasi",
    version,
    about = "Run WebAssembly programs with exactly the capabilities you hand them",
    long_about = "Run WebAssembly programs (WASI preview1) with exactly the capabilities you hand \
                  them: the directories named with --dir, the variables named with --env, the \
                  sockets named with --tcplisten, and nothing else.",
    subcommand_required = true,
    arg_required_else_help = true
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a WebAssembly module (`.wasm` binary or `.wat` text) as a WASI program.
    Run(RunArgs),
}

/// `capwasi run`: the grants for the guest, the module, and its arguments.
#[derive(Debug, Args)]
#[command(
    override_usage = "capwasi run [OPTIONS] <MODULE> [ARGS]...",
    after_help = RUN_EXAMPLES
)]
pub struct RunArgs {
    /// Hand the guest a host directory.
    ///
    /// `HOST` alone makes the directory visible under the same name; `HOST::GUEST` makes it
    /// visible as `GUEST`. A trailing `:ro` grants it read-only: the guest can list and read
    /// but every attempt to create, write, rename or delete fails with ENOTCAPABLE. A trailing
    /// `:rw` (the default) grants it read-write. May be given more than once; the guest sees
    /// the directories as file descriptors 3, 4, ... in the order given.
    #[arg(long = "dir", value_name = "HOST[::GUEST][:ro]", value_parser = parse_dir)]
    pub dirs: Vec<DirGrant>,

    /// Set an environment variable for the guest.
    ///
    /// `NAME=VAL` sets it to VAL; `NAME` alone passes the host's value of NAME, and leaves it
    /// unset in the guest when the host has no such variable. May be given more than once;
    /// later values win, and they win over --inherit-env.
    #[arg(long = "env", value_name = "NAME[=VAL]", value_parser = parse_env)]
    pub envs: Vec<EnvGrant>,

    /// Pass the host's whole environment to the guest (same as `-S inherit-env`).
    ///
    /// Off by default: the guest sees only the variables named with --env.
    #[arg(long = "inherit-env")]
    pub inherit_env: bool,

    /// Listen on a TCP address and hand the listening socket to the guest.
    ///
    /// ADDR is `HOST:PORT`, e.g. `127.0.0.1:8080` (port 0 picks a free port). The socket
    /// follows the --dir directories in the guest's file descriptors, in the order given.
    /// Same as `-S tcplisten=ADDR`.
    #[arg(long = "tcplisten", value_name = "ADDR", value_parser = parse_listen_addr)]
    pub tcplisten: Vec<String>,

    /// Grant the guest a network use on addresses and ports (repeatable).
    ///
    /// RULE is `USE[,USE...]=ADDR[:PORTS]`. USE is `tcp-bind`, `tcp-listen`,
    /// `tcp-connect`, `tcp-accept`, `udp-bind`, `udp-send`, `udp-receive`, or `bind`,
    /// `connect`, `listen`, `accept`, `send`, `receive`. ADDR is `*`, an IPv4 address or
    /// block (`10.0.0.0/8`), or an IPv6 one in brackets (`[::1]`); PORTS is a port, a
    /// range `LO-HI`, or `*` (the default). Nothing is granted without one. `accept` is
    /// checked against the connecting peer, whose port is ephemeral, so it usually names
    /// no port. Examples: `connect=127.0.0.1:8080`, `bind,listen=127.0.0.1:8000-8999`,
    /// `accept=127.0.0.1`.
    #[arg(long = "allow-net", value_name = "RULE", value_parser = parse_net_rule)]
    pub allow_net: Vec<capwasi::net::Rule>,

    /// WASI options in wasmtime's `-S` syntax, comma separated.
    ///
    /// Understood: `inherit-env[=y|n]`, `tcplisten=ADDR`, `inherit-network[=y|n]` (every
    /// address, every use), `allow-ip-name-lookup[=y|n]`, `tcp[=y|n]`, `udp[=y|n]`, and
    /// `network[=y|n]` (`n` turns TCP and UDP off whatever else grants them).
    #[arg(short = 'S', long = "wasi", value_name = "KEY[=VAL,...]", value_parser = parse_wasi_options)]
    pub wasi: Vec<WasiOptions>,

    /// The engine that runs the module.
    #[arg(long = "engine", value_name = "ENGINE", default_value = crate::engines::DEFAULT)]
    pub engine: String,

    /// The module to run (`.wasm` or `.wat`) followed by the guest's arguments.
    ///
    /// The guest's `argv[0]` is MODULE exactly as written here. Everything after MODULE goes to
    /// the guest unchanged, including words that look like capwasi flags.
    #[arg(
        value_name = "MODULE",
        required = true,
        num_args = 1..,
        trailing_var_arg = true
    )]
    pub module_and_args: Vec<String>,
}

const RUN_EXAMPLES: &str = "Examples:
  capwasi run --dir examples/data::/data examples/guests/demo.wasm world
  capwasi run --dir ./in::/in:ro --dir ./out::/out tool.wasm /in/a.txt /out/b.txt
  capwasi run --env LANG=C --env HOME --tcplisten 127.0.0.1:8080 server.wasm";

impl RunArgs {
    /// The module path as written on the command line.
    pub fn module(&self) -> &str {
        &self.module_and_args[0]
    }

    /// The guest's argv: the module path followed by the arguments after it.
    pub fn guest_argv(&self) -> &[String] {
        &self.module_and_args
    }

    /// Whether the host environment is passed in, by `--inherit-env` or `-S inherit-env`.
    /// The last `-S inherit-env=...` wins, as repeated wasmtime options do.
    pub fn inherit_env(&self) -> bool {
        let mut inherit = self.inherit_env;
        for opt in self.wasi.iter().flat_map(|o| &o.0) {
            if let WasiOption::InheritEnv(on) = opt {
                inherit = *on;
            }
        }
        inherit
    }

    /// The network the guest is granted: `--allow-net` rules and the `-S` network
    /// switches, a later `-S` of one key overriding an earlier one.
    pub fn network(&self) -> Network {
        let mut network = Network {
            rules: self.allow_net.clone(),
            inherit: false,
            name_lookup: false,
            tcp: true,
            udp: true,
        };
        let mut enabled = true;
        for opt in self.wasi.iter().flat_map(|o| &o.0) {
            match opt {
                WasiOption::InheritNetwork(on) => network.inherit = *on,
                WasiOption::AllowIpNameLookup(on) => network.name_lookup = *on,
                WasiOption::Tcp(on) => network.tcp = *on,
                WasiOption::Udp(on) => network.udp = *on,
                WasiOption::Network(on) => enabled = *on,
                WasiOption::InheritEnv(_) | WasiOption::TcpListen(_) => {}
            }
        }
        if !enabled {
            network.tcp = false;
            network.udp = false;
        }
        network
    }

    /// Every address to listen on, from `--tcplisten` and `-S tcplisten=`, in command-line
    /// order within each kind (the `--tcplisten` ones first).
    pub fn listen_addrs(&self) -> Vec<&str> {
        let mut addrs: Vec<&str> = self.tcplisten.iter().map(String::as_str).collect();
        for opt in self.wasi.iter().flat_map(|o| &o.0) {
            if let WasiOption::TcpListen(addr) = opt {
                addrs.push(addr);
            }
        }
        addrs
    }
}

/// What the command line grants of the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// `--allow-net` rules, in order.
    pub rules: Vec<capwasi::net::Rule>,
    /// `-S inherit-network`: every use on every address.
    pub inherit: bool,
    /// `-S allow-ip-name-lookup`.
    pub name_lookup: bool,
    /// TCP may be used at all.
    pub tcp: bool,
    /// UDP may be used at all.
    pub udp: bool,
}

/// One `--dir` grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirGrant {
    /// The value as written, for error messages.
    pub spec: String,
    /// The host directory.
    pub host: String,
    /// The name the guest sees it under.
    pub guest: String,
    /// Whether the guest may only read.
    pub read_only: bool,
}

/// One `--env` grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvGrant {
    /// The variable's name.
    pub name: String,
    /// Its value, or `None` to take the host's value.
    pub value: Option<String>,
}

/// One `-S` option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WasiOption {
    /// `-S inherit-env[=y|n]`.
    InheritEnv(bool),
    /// `-S tcplisten=ADDR`.
    TcpListen(String),
    /// `-S inherit-network[=y|n]`.
    InheritNetwork(bool),
    /// `-S allow-ip-name-lookup[=y|n]`.
    AllowIpNameLookup(bool),
    /// `-S tcp[=y|n]`.
    Tcp(bool),
    /// `-S udp[=y|n]`.
    Udp(bool),
    /// `-S network[=y|n]`.
    Network(bool),
}

/// The options of one `-S` occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasiOptions(pub Vec<WasiOption>);

/// Parses `HOST`, `HOST::GUEST`, either with `:ro` or `:rw` after it.
///
/// The mode suffix is taken off first so that `HOST:ro` (guest name = host name) works too.
/// The price is that a directory whose own name ends in `:ro` or `:rw` cannot be named as
/// the last component; grant its parent instead.
pub fn parse_dir(spec: &str) -> Result<DirGrant, String> {
    let (rest, read_only) = if let Some(rest) = spec.strip_suffix(":ro") {
        (rest, true)
    } else if let Some(rest) = spec.strip_suffix(":rw") {
        (rest, false)
    } else {
        (spec, false)
    };
    let (host, guest) = match rest.split_once("::") {
        Some((host, guest)) => (host, guest),
        None => (rest, rest),
    };
    if host.is_empty() {
        return Err(format!(
            "`{spec}` names no host directory (expected HOST[::GUEST][:ro])"
        ));
    }
    if guest.is_empty() {
        return Err(format!(
            "`{spec}` names no guest path after `::` (expected HOST::GUEST)"
        ));
    }
    if guest.contains("::") {
        return Err(format!(
            "`{spec}` has more than one `::` (expected HOST::GUEST)"
        ));
    }
    Ok(DirGrant {
        spec: spec.to_owned(),
        host: host.to_owned(),
        guest: guest.to_owned(),
        read_only,
    })
}

/// Parses `NAME=VAL` or `NAME`. The value may contain `=`; the name may not be empty.
pub fn parse_env(spec: &str) -> Result<EnvGrant, String> {
    let (name, value) = match spec.split_once('=') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (spec, None),
    };
    if name.is_empty() {
        return Err(format!(
            "`{spec}` has no variable name (expected NAME=VAL or NAME)"
        ));
    }
    Ok(EnvGrant {
        name: name.to_owned(),
        value,
    })
}

/// Checks the shape of a listen address. Host names are allowed (`localhost:8080`), so the
/// real check is the bind at run time; this one catches a missing or non-numeric port early.
pub fn parse_listen_addr(addr: &str) -> Result<String, String> {
    match addr.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {
            Ok(addr.to_owned())
        }
        _ => Err(format!("`{addr}` is not HOST:PORT (e.g. 127.0.0.1:8080)")),
    }
}

/// Parses one `-S` value: comma-separated `key[=value]` items.
pub fn parse_wasi_options(spec: &str) -> Result<WasiOptions, String> {
    let mut options = Vec::new();
    for item in spec.split(',') {
        let (key, value) = match item.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (item, None),
        };
        let option = match key {
            "inherit-env" => WasiOption::InheritEnv(parse_flag(key, value)?),
            "inherit-network" => WasiOption::InheritNetwork(parse_flag(key, value)?),
            "allow-ip-name-lookup" => WasiOption::AllowIpNameLookup(parse_flag(key, value)?),
            "tcp" => WasiOption::Tcp(parse_flag(key, value)?),
            "udp" => WasiOption::Udp(parse_flag(key, value)?),
            "network" => WasiOption::Network(parse_flag(key, value)?),
            "tcplisten" => match value {
                Some(addr) => WasiOption::TcpListen(parse_listen_addr(addr)?),
                None => return Err("`tcplisten` needs an address: -S tcplisten=HOST:PORT".into()),
            },
            _ => {
                return Err(format!(
                    "unknown option `{key}` (capwasi understands inherit-env, tcplisten, \
                     inherit-network, allow-ip-name-lookup, tcp, udp and network)"
                ))
            }
        };
        options.push(option);
    }
    Ok(WasiOptions(options))
}

/// One `--allow-net` rule; a malformed one is refused with a line naming it.
pub fn parse_net_rule(spec: &str) -> Result<capwasi::net::Rule, String> {
    spec.parse()
        .map_err(|e: capwasi::net::RuleError| e.to_string())
}

/// A boolean `-S` value, spelled as wasmtime accepts it.
fn parse_flag(key: &str, value: Option<&str>) -> Result<bool, String> {
    match value {
        None | Some("y" | "yes" | "true") => Ok(true),
        Some("n" | "no" | "false") => Ok(false),
        Some(other) => Err(format!(
            "`{key}={other}`: expected y, yes, true, n, no or false"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> RunArgs {
        let cli = Cli::try_parse_from(["capwasi", "run"].iter().chain(args))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        let Command::Run(run) = cli.command;
        run
    }

    fn dir(host: &str, guest: &str, read_only: bool, spec: &str) -> DirGrant {
        DirGrant {
            spec: spec.into(),
            host: host.into(),
            guest: guest.into(),
            read_only,
        }
    }

    #[test]
    fn network_grants_and_switches() {
        let none = run(&["m.wasm"]).network();
        assert!(none.rules.is_empty() && !none.inherit && !none.name_lookup);
        let args = run(&[
            "--allow-net",
            "connect=127.0.0.1:8080",
            "--allow-net",
            "bind=127.0.0.1:0-65535",
            "-S",
            "inherit-network,allow-ip-name-lookup,udp=n",
            "m.wasm",
        ]);
        let network = args.network();
        assert_eq!(network.rules.len(), 2);
        assert!(network.inherit && network.name_lookup && network.tcp && !network.udp);
        let off = run(&["-S", "tcp,network=n", "m.wasm"]).network();
        assert!(!off.tcp && !off.udp);
        for bad in [
            "connect=127.0.0.1:65536",
            "dial=127.0.0.1",
            "connect=::1:80",
        ] {
            let refused = Cli::try_parse_from(["capwasi", "run", "--allow-net", bad, "m.wasm"]);
            let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(message.contains(bad), "{bad}: {message}");
            assert_eq!(
                message.trim_end().lines().next().map(|l| l.contains(bad)),
                Some(true)
            );
        }
    }

    #[test]
    fn dir_forms() {
        assert_eq!(parse_dir("a"), Ok(dir("a", "a", false, "a")));
        assert_eq!(parse_dir("a::/g"), Ok(dir("a", "/g", false, "a::/g")));
        assert_eq!(parse_dir("a::/g:ro"), Ok(dir("a", "/g", true, "a::/g:ro")));
        assert_eq!(parse_dir("a:ro"), Ok(dir("a", "a", true, "a:ro")));
        assert_eq!(parse_dir("a::/g:rw"), Ok(dir("a", "/g", false, "a::/g:rw")));
        assert_eq!(parse_dir("."), Ok(dir(".", ".", false, ".")));
        // One colon is part of a name, not a separator: wasmtime splits on `::` only.
        assert_eq!(parse_dir("a:b"), Ok(dir("a:b", "a:b", false, "a:b")));
    }

    #[test]
    fn dir_rejects() {
        for bad in ["", ":ro", "::/g", "a::", "a:::ro", "a::b::c"] {
            assert!(parse_dir(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn env_forms() {
        let e = parse_env("K=V=W").unwrap();
        assert_eq!((e.name.as_str(), e.value.as_deref()), ("K", Some("V=W")));
        let e = parse_env("K=").unwrap();
        assert_eq!(e.value.as_deref(), Some(""));
        assert_eq!(parse_env("K").unwrap().value, None);
        assert!(parse_env("=V").is_err());
        assert!(parse_env("").is_err());
    }

    #[test]
    fn listen_addr_forms() {
        for good in ["127.0.0.1:0", "localhost:8080", "[::1]:80"] {
            assert!(parse_listen_addr(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "8080",
            ":80",
            "127.0.0.1",
            "127.0.0.1:x",
            "1.2.3.4:70000",
        ] {
            assert!(parse_listen_addr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn wasi_options() {
        let r = run(&["-S", "inherit-env", "m.wasm"]);
        assert!(r.inherit_env());
        let r = run(&["--inherit-env", "-S", "inherit-env=n", "m.wasm"]);
        assert!(!r.inherit_env());
        let r = run(&[
            "--tcplisten",
            "127.0.0.1:1",
            "-Stcplisten=127.0.0.1:2,inherit-env=yes",
            "m.wasm",
        ]);
        assert_eq!(r.listen_addrs(), ["127.0.0.1:1", "127.0.0.1:2"]);
        assert!(r.inherit_env());
        for bad in ["bogus", "inherit-env=maybe", "tcplisten", "tcplisten=nope"] {
            assert!(parse_wasi_options(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn everything_after_the_module_is_the_guests() {
        let r = run(&[
            "--dir", "d", "m.wasm", "--dir", "x", "-S", "--", "--env", "-v",
        ]);
        assert_eq!(r.dirs.len(), 1);
        assert_eq!(r.module(), "m.wasm");
        assert_eq!(
            r.guest_argv(),
            ["m.wasm", "--dir", "x", "-S", "--", "--env", "-v"]
        );
    }

    #[test]
    fn double_dash_before_the_module_ends_capwasi_flags() {
        let r = run(&["--", "--weird.wasm", "a"]);
        assert_eq!(r.guest_argv(), ["--weird.wasm", "a"]);
    }

    #[test]
    fn engine_defaults_to_wasmtime() {
        assert_eq!(run(&["m.wasm"]).engine, "wasmtime");
        assert_eq!(run(&["--engine", "other", "m.wasm"]).engine, "other");
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
