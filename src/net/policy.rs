//! The network address policy: which socket addresses a guest may use, and
//! how, and whether it may resolve names. Named after no ABI; every ABI's
//! socket calls ask it before they touch the host.
//!
//! The default grants nothing: no socket can be created, bound or
//! connected, and no name resolves. An embedder grants
//!
//! - rules ([`Rule`]): a set of uses, an address or block of addresses,
//!   and a port range;
//! - a callback ([`AddressPolicy::socket_addr_check`]) for anything the
//!   rules cannot express;
//! - name lookup, with a switch of its own, since resolving a name reaches
//!   the host's resolver whatever address the guest means to use.
//!
//! Two protocol switches, [`AddressPolicy::allow_tcp`] and
//! [`AddressPolicy::allow_udp`], are on by default as in wasmtime-wasi, but
//! they only ever take away: a protocol switched off is refused whatever the
//! rules and the callback say, and a protocol switched on still reaches
//! nothing that no rule or callback grants.
//!
//! An address is decided in this order: the protocol switch, then the rules
//! (any one that matches grants it), then the callback. A refusal is an
//! `io::Error` of kind `PermissionDenied` carrying [`CapabilityDenied`], as
//! file refusals are, and the host log (`tracing`, at info) names the rule
//! that would have granted it, in the syntax [`Rule`] parses.
//!
//! An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is decided as the IPv4
//! address it reaches, both when checked and in rules, so that spelling an
//! address in IPv6 neither dodges an IPv4 rule nor gains from one written
//! for IPv6.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::ops::BitOr;
use std::sync::Arc;

use crate::error::CapabilityDenied;

mod rule;

pub use rule::{Addresses, IpNet, PortRange, Rule, RuleError, RuleProblem};

/// One thing a guest does with a socket address; each is granted on its
/// own, so that a guest allowed to connect somewhere cannot serve there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Use {
    /// Binding a TCP socket to a local address. Port 0 asks the host to
    /// pick a port, so it is granted only by a rule whose range holds 0.
    TcpBind,
    /// Listening on a TCP socket, checked against its local address.
    TcpListen,
    /// Connecting a TCP socket, checked against the remote address.
    TcpConnect,
    /// Accepting a TCP connection, checked against the peer's address.
    TcpAccept,
    /// Binding a UDP socket to a local address; port 0 as for
    /// [`Use::TcpBind`].
    UdpBind,
    /// Sending a UDP datagram, or fixing a UDP socket's remote address,
    /// checked against the destination.
    UdpSend,
    /// Receiving a UDP datagram, checked against its source; a datagram
    /// from a peer not granted is dropped.
    UdpReceive,
}

impl Use {
    /// Every use, in the order they are listed in a rule's text.
    pub const ALL: [Use; 7] = [
        Use::TcpBind,
        Use::TcpListen,
        Use::TcpConnect,
        Use::TcpAccept,
        Use::UdpBind,
        Use::UdpSend,
        Use::UdpReceive,
    ];

    /// The use's name as a rule spells it, such as `tcp-connect`.
    pub fn name(self) -> &'static str {
        match self {
            Use::TcpBind => "tcp-bind",
            Use::TcpListen => "tcp-listen",
            Use::TcpConnect => "tcp-connect",
            Use::TcpAccept => "tcp-accept",
            Use::UdpBind => "udp-bind",
            Use::UdpSend => "udp-send",
            Use::UdpReceive => "udp-receive",
        }
    }

    /// The protocol whose switch governs this use.
    pub fn protocol(self) -> Protocol {
        match self {
            Use::TcpBind | Use::TcpListen | Use::TcpConnect | Use::TcpAccept => Protocol::Tcp,
            Use::UdpBind | Use::UdpSend | Use::UdpReceive => Protocol::Udp,
        }
    }

    fn bit(self) -> u8 {
        1 << self as u8
    }
}

impl fmt::Display for Use {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A transport protocol, switched on or off as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
        })
    }
}

/// A set of [`Use`]s, so that one rule can grant several (`bind` is
/// `tcp-bind` and `udp-bind`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Uses(u8);

impl Uses {
    /// No use at all.
    pub const NONE: Uses = Uses(0);
    /// Every use.
    pub const ALL: Uses = Uses((1 << Use::ALL.len()) - 1);

    /// Whether `u` is in the set.
    pub fn contains(self, u: Use) -> bool {
        self.0 & u.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The uses in the set, in the order of [`Use::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Use> {
        Use::ALL.into_iter().filter(move |&u| self.contains(u))
    }
}

impl From<Use> for Uses {
    fn from(u: Use) -> Uses {
        Uses(u.bit())
    }
}

impl<T: Into<Uses>> BitOr<T> for Uses {
    type Output = Uses;
    fn bitor(self, other: T) -> Uses {
        Uses(self.0 | other.into().0)
    }
}

impl<T: Into<Uses>> BitOr<T> for Use {
    type Output = Uses;
    fn bitor(self, other: T) -> Uses {
        Uses::from(self) | other
    }
}

impl fmt::Debug for Uses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

/// Comma-separated names, as a rule spells them.
impl fmt::Display for Uses {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, u) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(u.name())?;
        }
        Ok(())
    }
}

/// The embedder's own decision for what no rule grants.
type Check = dyn Fn(SocketAddr, Use) -> bool + Send + Sync;

/// Why an address was refused, for the host log.
enum Refusal {
    SwitchedOff(Protocol),
    NoGrant,
}

/// What a guest may do on the network. The default (and [`Self::new`])
/// grants nothing.
#[derive(Clone)]
pub struct AddressPolicy {
    rules: Vec<Rule>,
    check: Option<Arc<Check>>,
    tcp: bool,
    udp: bool,
    ip_name_lookup: bool,
}

impl Default for AddressPolicy {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for AddressPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressPolicy")
            .field("rules", &self.rules)
            .field("socket_addr_check", &self.check.is_some())
            .field("tcp", &self.tcp)
            .field("udp", &self.udp)
            .field("ip_name_lookup", &self.ip_name_lookup)
            .finish()
    }
}

impl AddressPolicy {
    /// A policy that grants nothing. `const` and allocation-free, so that a
    /// context without network grants costs nothing for them.
    pub const fn new() -> Self {
        AddressPolicy {
            rules: Vec::new(),
            check: None,
            tcp: true,
            udp: true,
            ip_name_lookup: false,
        }
    }

    /// Switches TCP as a whole. On by default, but that grants no address;
    /// off refuses every TCP use, whatever the rules and callback say.
    pub fn allow_tcp(&mut self, enable: bool) -> &mut Self {
        self.tcp = enable;
        self
    }

    /// Switches UDP as a whole, as [`Self::allow_tcp`] does TCP.
    pub fn allow_udp(&mut self, enable: bool) -> &mut Self {
        self.udp = enable;
        self
    }

    /// Switches name lookup. Off by default. The addresses a lookup returns
    /// are not filtered: using one is checked like any other address.
    pub fn allow_ip_name_lookup(&mut self, enable: bool) -> &mut Self {
        self.ip_name_lookup = enable;
        self
    }

    /// Grants every use on every address and port ([`Rule::any`]), as
    /// wasmtime-wasi's `inherit_network` does. The protocol switches still
    /// apply, and name lookup stays as it was.
    pub fn inherit_network(&mut self) -> &mut Self {
        self.allow_net(Rule::any())
    }

    /// Grants what `rule` describes, in addition to what is granted already.
    pub fn allow_net(&mut self, rule: Rule) -> &mut Self {
        if !self.rules.contains(&rule) {
            self.rules.push(rule);
        }
        self
    }

    /// Installs a callback asked about every use of an address that no rule
    /// grants; it grants by returning `true`. It replaces an earlier one. It
    /// sees an IPv4-mapped address as the IPv4 address it reaches.
    ///
    /// Rules are consulted first so that a common grant costs no call into
    /// the embedder; a callback cannot take away what a rule grants.
    pub fn socket_addr_check(
        &mut self,
        check: impl Fn(SocketAddr, Use) -> bool + Send + Sync + 'static,
    ) -> &mut Self {
        self.check = Some(Arc::new(check));
        self
    }

    /// The rules granted, in the order they were.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Whether the switch for `protocol` is on.
    pub fn protocol_allowed(&self, protocol: Protocol) -> bool {
        match protocol {
            Protocol::Tcp => self.tcp,
            Protocol::Udp => self.udp,
        }
    }

    /// Whether name lookup is switched on.
    pub fn ip_name_lookup_allowed(&self) -> bool {
        self.ip_name_lookup
    }

    /// Whether this is the policy [`Self::new`] makes, so that a context can
    /// leave it unallocated.
    pub(crate) fn is_default(&self) -> bool {
        self.rules.is_empty()
            && self.check.is_none()
            && self.tcp
            && self.udp
            && !self.ip_name_lookup
    }

    /// Whether `u` of `addr` is granted, without logging a refusal; for
    /// callers that drop what is refused, such as datagrams received from a
    /// peer not granted.
    pub fn permits(&self, u: Use, addr: SocketAddr) -> bool {
        self.decide(u, canonical(addr)).is_ok()
    }

    /// Checks `u` of `addr`. A refusal is logged with the rule that would
    /// have granted it.
    pub fn check(&self, u: Use, addr: SocketAddr) -> io::Result<()> {
        let addr = canonical(addr);
        self.decide(u, addr).map_err(|refusal| {
            let wanted = Rule::exact(u, addr);
            match refusal {
                Refusal::SwitchedOff(protocol) => {
                    tracing::info!(%wanted, %protocol, "refused: the protocol is switched off");
                }
                Refusal::NoGrant => {
                    tracing::info!(%wanted, "refused: no network rule grants it");
                }
            }
            CapabilityDenied::io(u.name())
        })
    }

    /// Checks that a socket of `protocol` may be created: its switch is on
    /// and something could grant one of its uses (a rule with such a use,
    /// or the callback). Refusing here keeps a guest that was granted
    /// nothing from holding host sockets at all.
    pub fn check_socket(&self, protocol: Protocol) -> io::Result<()> {
        if !self.protocol_allowed(protocol) {
            tracing::info!(%protocol, "refused: creating a socket of a protocol switched off");
            return Err(CapabilityDenied::io(socket_what(protocol)));
        }
        let granted = self.check.is_some()
            || self
                .rules
                .iter()
                .any(|rule| rule.uses().iter().any(|u| u.protocol() == protocol));
        if granted {
            Ok(())
        } else {
            tracing::info!(%protocol, "refused: creating a socket when no network rule grants the protocol");
            Err(CapabilityDenied::io(socket_what(protocol)))
        }
    }

    /// Checks that `name` may be resolved.
    pub fn check_name_lookup(&self, name: &str) -> io::Result<()> {
        if self.ip_name_lookup {
            Ok(())
        } else {
            tracing::info!(name, "refused: name lookup is not granted");
            Err(CapabilityDenied::io("ip-name-lookup"))
        }
    }

    fn decide(&self, u: Use, addr: SocketAddr) -> Result<(), Refusal> {
        let protocol = u.protocol();
        if !self.protocol_allowed(protocol) {
            return Err(Refusal::SwitchedOff(protocol));
        }
        if self.rules.iter().any(|rule| rule.matches(u, addr)) {
            return Ok(());
        }
        match &self.check {
            Some(check) if check(addr, u) => Ok(()),
            _ => Err(Refusal::NoGrant),
        }
    }
}

fn socket_what(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Tcp => "tcp socket",
        Protocol::Udp => "udp socket",
    }
}

/// `addr` with an IPv4-mapped IPv6 address replaced by the IPv4 address
/// it reaches.
fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(v6) => match v6.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::V4(SocketAddrV4::new(v4, v6.port())),
            None => addr,
        },
        SocketAddr::V4(_) => addr,
    }
}

/// The IP address `ip` reaches: an IPv4-mapped one as IPv4.
fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

#[cfg(test)]
mod tests;
