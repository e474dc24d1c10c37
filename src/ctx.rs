//! A guest's grants: arguments, environment, stdio, preopens, the network
//! address policy, clocks and randomness, and the limits on what it may
//! hold.
//!
//! Nothing here belongs to an ABI. Each ABI builds its own state from the
//! grants (preview1 its descriptor table with rights and listing cursors,
//! in [`crate::p1::WasiP1Ctx`]); files, directories and sockets are shared
//! handles, so a grant costs the same whichever ABI uses it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use crate::clock::{HostMonotonicClock, HostWallClock, MonotonicClock, WallClock};
use crate::fs::host::HostDir;
use crate::fs::{self, DirPerms};
use crate::net::{AddressPolicy, HostSocket, Rule, Use};
use crate::random::{HostRandom, Rng};
use crate::stdio::Stdio;
use crate::Error;

/// The default bound on open descriptors, matching a common `ulimit -n`.
pub const DEFAULT_MAX_OPEN_FDS: u32 = 1024;

/// The policy of every context granted no network, shared so that such a
/// context allocates nothing for it.
static NO_NETWORK: AddressPolicy = AddressPolicy::new();

/// A list of NUL-terminated strings laid out as `args_get` and
/// `environ_get` copy them, so each call is one copy and no formatting.
#[derive(Default)]
pub(crate) struct StringList {
    pub(crate) bytes: Vec<u8>,
    pub(crate) offsets: Vec<u32>,
}

impl StringList {
    /// The strings, in order, without their NULs.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.offsets.iter().enumerate().map(|(i, &start)| {
            let end = self
                .offsets
                .get(i + 1)
                .map_or(self.bytes.len(), |&next| next as usize);
            // Each string was pushed from a `&str`, so it is UTF-8.
            std::str::from_utf8(&self.bytes[start as usize..end.saturating_sub(1)])
                .unwrap_or_default()
        })
    }

    /// Appends the concatenation of `parts` as one string, so that
    /// `key=value` needs no temporary.
    fn push(&mut self, what: &'static str, parts: &[&str]) -> Result<(), Error> {
        let whole = || parts.concat();
        if parts.iter().any(|part| part.contains('\0')) {
            return Err(Error::Invalid {
                what,
                value: whole(),
                reason: "contains a NUL byte",
            });
        }
        let offset = u32::try_from(self.bytes.len()).map_err(|_| Error::Invalid {
            what,
            value: whole().chars().take(32).collect(),
            reason: "the list exceeds 4 GiB",
        })?;
        self.offsets.push(offset);
        for part in parts {
            self.bytes.extend_from_slice(part.as_bytes());
        }
        self.bytes.push(0);
        Ok(())
    }
}

/// The host's environment variables that can be handed to a guest as
/// `NAME=VALUE` text. A variable whose name or value is not UTF-8, or whose
/// name is empty or holds `=` or NUL, is left out. (Windows keeps
/// per-drive directories under names like `=C:`, and any `execve` can pass
/// one on Unix too.) Refusing to run over a variable that the user never
/// meant to grant would help nobody.
pub fn inheritable_env() -> impl Iterator<Item = (String, String)> {
    std::env::vars_os().filter_map(|(key, value)| {
        let (key, value) = (key.into_string().ok()?, value.into_string().ok()?);
        let usable = !key.is_empty() && !key.contains(['=', '\0']) && !value.contains('\0');
        usable.then_some((key, value))
    })
}

/// Everything a guest is granted. Built with [`WasiCtxBuilder`].
pub struct WasiCtx {
    pub(crate) args: StringList,
    pub(crate) env: StringList,
    /// Standard input, output and error.
    pub(crate) stdio: [Arc<dyn fs::File>; 3],
    pub(crate) preopens: Vec<Preopen>,
    /// The address policy, shared with each ABI's state; `None` is the
    /// default that grants nothing, so most contexts allocate nothing for it.
    pub(crate) address_policy: Option<Arc<AddressPolicy>>,
    pub(crate) wall_clock: Box<dyn WallClock>,
    pub(crate) monotonic_clock: Box<dyn MonotonicClock>,
    /// Whether the CPU-time clocks read the host's; a context with a
    /// replaced monotonic clock reads that instead, so that no clock leaks
    /// real time into a deterministic run.
    pub(crate) host_cpu_clocks: bool,
    pub(crate) random: Box<dyn Rng>,
    /// The most handles the guest may hold at once, stdio and preopens
    /// included.
    pub(crate) max_open_fds: u32,
}

impl WasiCtx {
    /// A builder for a context with nothing granted.
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// Which socket addresses the guest may use, and whether it may resolve
    /// names.
    pub fn address_policy(&self) -> &AddressPolicy {
        self.address_policy.as_deref().unwrap_or(&NO_NETWORK)
    }

    /// The policy as the sockets the guest makes keep it: shared, so that a
    /// socket outlives neither more nor less of it than the context.
    pub(crate) fn address_policy_shared(&self) -> Arc<AddressPolicy> {
        match &self.address_policy {
            Some(policy) => Arc::clone(policy),
            None => Arc::new(AddressPolicy::new()),
        }
    }
}

/// A directory or socket granted before the guest starts.
pub(crate) enum Preopen {
    /// A directory, the permissions beneath it, and the guest's name for it.
    Dir(Arc<dyn fs::Dir>, DirPerms, String),
    /// A listening socket.
    Socket(Arc<dyn fs::File>),
}

/// Configures a [`WasiCtx`]. A guest gets nothing that is not granted here:
/// no arguments, no environment, stdio connected to nothing, no files, no
/// network.
pub struct WasiCtxBuilder {
    args: StringList,
    env: StringList,
    stdin: Option<Stdio>,
    stdout: Option<Stdio>,
    stderr: Option<Stdio>,
    preopens: Vec<Preopen>,
    address_policy: AddressPolicy,
    wall_clock: Option<Box<dyn WallClock>>,
    monotonic_clock: Option<Box<dyn MonotonicClock>>,
    random: Option<Box<dyn Rng>>,
    max_open_fds: u32,
    error: Option<Error>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl WasiCtxBuilder {
    /// A builder that grants nothing yet.
    pub fn new() -> Self {
        WasiCtxBuilder {
            args: StringList::default(),
            env: StringList::default(),
            stdin: None,
            stdout: None,
            stderr: None,
            preopens: Vec::new(),
            address_policy: AddressPolicy::new(),
            wall_clock: None,
            monotonic_clock: None,
            random: None,
            max_open_fds: DEFAULT_MAX_OPEN_FDS,
            error: None,
        }
    }

    fn remember(&mut self, result: Result<(), Error>) {
        if let (Err(e), None) = (result, &self.error) {
            self.error = Some(e);
        }
    }

    /// Appends one argument. The first is the program name by convention.
    /// An argument containing NUL makes [`Self::build`] fail.
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        let result = self.args.push("argument", &[arg.as_ref()]);
        self.remember(result);
        self
    }

    /// Appends several arguments.
    pub fn args<I: IntoIterator<Item = S>, S: AsRef<str>>(&mut self, args: I) -> &mut Self {
        for arg in args {
            self.arg(arg);
        }
        self
    }

    /// Adds the environment variable `key=value`.
    pub fn env(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        let (key, value) = (key.as_ref(), value.as_ref());
        let result = if key.is_empty() || key.contains('=') {
            Err(Error::Invalid {
                what: "environment variable name",
                value: key.to_string(),
                reason: "must be non-empty and contain no '='",
            })
        } else {
            self.env.push("environment variable", &[key, "=", value])
        };
        self.remember(result);
        self
    }

    /// Adds every variable of the host's environment that a guest can be
    /// handed (see [`inheritable_env`]); the rest are skipped.
    pub fn inherit_env(&mut self) -> &mut Self {
        for (key, value) in inheritable_env() {
            self.env(key, value);
        }
        self
    }

    /// Connects standard input.
    pub fn stdin(&mut self, stdin: Stdio) -> &mut Self {
        self.stdin = Some(stdin);
        self
    }

    /// Connects standard output.
    pub fn stdout(&mut self, stdout: Stdio) -> &mut Self {
        self.stdout = Some(stdout);
        self
    }

    /// Connects standard error.
    pub fn stderr(&mut self, stderr: Stdio) -> &mut Self {
        self.stderr = Some(stderr);
        self
    }

    /// Connects all three standard streams to the host process's own.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin(Stdio::inherit())
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
    }

    /// Grants the host directory `host` to the guest under the name
    /// `guest`, with `perms`. Preopens get descriptors 3, 4, … in the order
    /// they are granted.
    pub fn preopened_dir(
        &mut self,
        host: impl AsRef<Path>,
        guest: impl AsRef<str>,
        perms: DirPerms,
    ) -> Result<&mut Self, Error> {
        let host = host.as_ref();
        let dir = HostDir::open_ambient(host, perms).map_err(|source| Error::Preopen {
            path: host.to_path_buf(),
            source,
        })?;
        Ok(self.preopened(Box::new(dir), guest, perms))
    }

    /// Grants any [`fs::Dir`] implementation under the name `guest`.
    pub fn preopened(
        &mut self,
        dir: Box<dyn fs::Dir>,
        guest: impl AsRef<str>,
        perms: DirPerms,
    ) -> &mut Self {
        self.preopens.push(Preopen::Dir(
            Arc::from(dir),
            perms,
            guest.as_ref().to_string(),
        ));
        self
    }

    /// Grants a listening TCP socket; the guest accepts connections from it
    /// with `sock_accept`.
    pub fn preopened_socket(
        &mut self,
        listener: std::net::TcpListener,
    ) -> Result<&mut Self, Error> {
        self.preopens
            .push(Preopen::Socket(Arc::new(HostSocket::listener(listener))));
        Ok(self)
    }

    /// Switches TCP as a whole. On by default, as in wasmtime-wasi, but that
    /// reaches no address until a rule or [`Self::socket_addr_check`]
    /// grants one; off refuses every TCP use whatever they grant.
    pub fn allow_tcp(&mut self, enable: bool) -> &mut Self {
        self.address_policy.allow_tcp(enable);
        self
    }

    /// Switches UDP as a whole, as [`Self::allow_tcp`] does TCP.
    pub fn allow_udp(&mut self, enable: bool) -> &mut Self {
        self.address_policy.allow_udp(enable);
        self
    }

    /// Switches name lookup (`wasi:sockets/ip-name-lookup`). Off by
    /// default; [`Self::inherit_network`] leaves it off too, since a lookup
    /// reaches the host's resolver, not an address the guest was granted.
    pub fn allow_ip_name_lookup(&mut self, enable: bool) -> &mut Self {
        self.address_policy.allow_ip_name_lookup(enable);
        self
    }

    /// Grants every use of every address and port the host can reach, as
    /// wasmtime-wasi's `inherit_network` does. [`Self::allow_tcp`] and
    /// [`Self::allow_udp`] can still switch a protocol off.
    pub fn inherit_network(&mut self) -> &mut Self {
        self.address_policy.inherit_network();
        self
    }

    /// Grants what `rule` describes, in addition to earlier grants. A rule
    /// is usually parsed from text such as `connect=127.0.0.1:8080` (see
    /// [`Rule`]).
    pub fn allow_net(&mut self, rule: Rule) -> &mut Self {
        self.address_policy.allow_net(rule);
        self
    }

    /// Installs the embedder's check, asked about each use of an address
    /// that no rule grants (rules are consulted first); returning `true`
    /// grants it. It replaces an earlier check.
    pub fn socket_addr_check(
        &mut self,
        check: impl Fn(SocketAddr, Use) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.address_policy.socket_addr_check(check);
        self
    }

    /// Replaces the wall clock.
    pub fn wall_clock(&mut self, clock: impl WallClock + 'static) -> &mut Self {
        self.wall_clock = Some(Box::new(clock));
        self
    }

    /// Replaces the monotonic clock (and, with it, the CPU-time clocks).
    pub fn monotonic_clock(&mut self, clock: impl MonotonicClock + 'static) -> &mut Self {
        self.monotonic_clock = Some(Box::new(clock));
        self
    }

    /// Replaces the source of randomness.
    pub fn random(&mut self, random: impl Rng + 'static) -> &mut Self {
        self.random = Some(Box::new(random));
        self
    }

    /// Bounds how many descriptors the guest may hold at once, stdio and
    /// preopens included.
    pub fn max_open_fds(&mut self, max: u32) -> &mut Self {
        self.max_open_fds = max;
        self
    }

    /// Builds the context, consuming what was granted so far.
    pub fn build(&mut self) -> Result<WasiCtx, Error> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        // Every ABI's table starts with stdio and the preopens, so a limit
        // below that is the embedder's mistake, reported here.
        let limit = self.max_open_fds;
        if u32::try_from(3 + self.preopens.len()).map_or(true, |needed| needed > limit) {
            return Err(Error::TooManyFds { limit });
        }
        let stdio = [self.stdin.take(), self.stdout.take(), self.stderr.take()];
        let mut host_fd = 0;
        let stdio = stdio.map(|stream| {
            let file = stream.unwrap_or_else(Stdio::null).into_file(host_fd);
            host_fd += 1;
            file
        });
        let host_cpu_clocks = self.monotonic_clock.is_none();
        let address_policy = std::mem::take(&mut self.address_policy);
        let address_policy = (!address_policy.is_default()).then(|| Arc::new(address_policy));
        Ok(WasiCtx {
            args: std::mem::take(&mut self.args),
            env: std::mem::take(&mut self.env),
            stdio,
            preopens: std::mem::take(&mut self.preopens),
            address_policy,
            wall_clock: self
                .wall_clock
                .take()
                .unwrap_or_else(|| Box::new(HostWallClock)),
            monotonic_clock: self
                .monotonic_clock
                .take()
                .unwrap_or_else(|| Box::new(HostMonotonicClock)),
            host_cpu_clocks,
            random: self
                .random
                .take()
                .unwrap_or_else(|| Box::new(HostRandom::new())),
            max_open_fds: limit,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Protocol;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn network_default_context_grants_nothing_and_allocates_no_policy() {
        let ctx = WasiCtxBuilder::new().build().unwrap();
        assert!(ctx.address_policy.is_none());
        let policy = ctx.address_policy();
        assert!(std::ptr::eq(policy, &NO_NETWORK));
        for u in Use::ALL {
            assert!(!policy.permits(u, addr("127.0.0.1:80")), "{u}");
        }
        assert!(policy.check_socket(Protocol::Tcp).is_err());
        assert!(policy.check_name_lookup("example.com").is_err());
    }

    #[test]
    fn network_builder_methods_reach_the_context() {
        let mut builder = WasiCtxBuilder::new();
        builder
            .allow_net("connect=127.0.0.1:8080".parse().unwrap())
            .allow_ip_name_lookup(true)
            .allow_udp(false)
            .socket_addr_check(|addr, u| u == Use::TcpAccept && addr.port() == 9);
        let ctx = builder.build().unwrap();
        let policy = ctx.address_policy();
        assert!(policy.permits(Use::TcpConnect, addr("127.0.0.1:8080")));
        assert!(!policy.permits(Use::TcpConnect, addr("127.0.0.1:8081")));
        // `connect` grants udp-send too, but UDP is switched off.
        assert!(!policy.permits(Use::UdpSend, addr("127.0.0.1:8080")));
        assert!(policy.permits(Use::TcpAccept, addr("10.0.0.1:9")));
        assert!(policy.check_name_lookup("example.com").is_ok());

        // Building consumes the grants, as it does the arguments.
        let again = builder.build().unwrap();
        assert!(again.address_policy.is_none());
    }

    #[test]
    fn network_inherit_network_grants_every_use_but_not_lookup() {
        let ctx = WasiCtxBuilder::new().inherit_network().build().unwrap();
        let policy = ctx.address_policy();
        for u in Use::ALL {
            assert!(policy.permits(u, addr("[2001:db8::1]:0")), "{u}");
        }
        assert!(!policy.ip_name_lookup_allowed());
    }

    #[test]
    fn network_a_switch_alone_is_kept_though_it_grants_nothing() {
        let ctx = WasiCtxBuilder::new().allow_tcp(false).build().unwrap();
        assert!(!ctx.address_policy().protocol_allowed(Protocol::Tcp));
        assert!(ctx.address_policy().protocol_allowed(Protocol::Udp));
    }
}
