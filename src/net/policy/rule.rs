//! One grant of the address policy, a [`Rule`], and its text form.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use super::{canonical_ip, Use, Uses};

/// A block of IP addresses: those whose leading `prefix_len` bits are the
/// network address's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IpNet {
    addr: IpAddr,
    prefix_len: u8,
}

impl IpNet {
    /// The block of `addr`'s first `prefix_len` bits, or `None` if the
    /// family has fewer bits. An IPv4-mapped block of prefix 96 or more
    /// becomes the IPv4 block it maps, as addresses checked against it do.
    pub fn new(addr: IpAddr, prefix_len: u8) -> Option<IpNet> {
        let (addr, prefix_len) = match addr {
            IpAddr::V4(_) if prefix_len > 32 => return None,
            IpAddr::V6(_) if prefix_len > 128 => return None,
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix_len >= 96 => (IpAddr::V4(v4), prefix_len - 96),
                _ => (addr, prefix_len),
            },
            IpAddr::V4(_) => (addr, prefix_len),
        };
        let addr = match addr {
            IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) & mask32(prefix_len))),
            IpAddr::V6(a) => IpAddr::V6(Ipv6Addr::from(u128::from(a) & mask128(prefix_len))),
        };
        Some(IpNet { addr, prefix_len })
    }

    /// The block holding `addr` alone.
    pub fn host(addr: IpAddr) -> IpNet {
        let addr = canonical_ip(addr);
        let prefix_len = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        IpNet { addr, prefix_len }
    }

    /// The network address: the block's first, host bits cleared.
    pub fn addr(self) -> IpAddr {
        self.addr
    }

    /// How many leading bits an address shares with the block.
    pub fn prefix_len(self) -> u8 {
        self.prefix_len
    }

    /// Whether `addr` is in the block; an IPv4-mapped address is judged as
    /// its IPv4 address.
    pub fn contains(self, addr: IpAddr) -> bool {
        match (self.addr, canonical_ip(addr)) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                u32::from(a) & mask32(self.prefix_len) == u32::from(net)
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                u128::from(a) & mask128(self.prefix_len) == u128::from(net)
            }
            _ => false,
        }
    }

    fn is_host(self) -> bool {
        self.prefix_len
            == match self.addr {
                IpAddr::V4(_) => 32,
                IpAddr::V6(_) => 128,
            }
    }
}

/// `10.0.0.0/8`, or the address alone for a single host; IPv6 without
/// brackets.
impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_host() {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix_len)
        }
    }
}

fn mask32(prefix_len: u8) -> u32 {
    u32::MAX
        .checked_shl(32 - u32::from(prefix_len))
        .unwrap_or(0)
}

fn mask128(prefix_len: u8) -> u128 {
    u128::MAX
        .checked_shl(128 - u32::from(prefix_len))
        .unwrap_or(0)
}

/// The addresses a rule covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Addresses {
    /// Every address of both families (`*`).
    Any,
    /// One block.
    Net(IpNet),
}

impl Addresses {
    /// Whether `addr` is covered.
    pub fn contains(self, addr: IpAddr) -> bool {
        match self {
            Addresses::Any => true,
            Addresses::Net(net) => net.contains(addr),
        }
    }
}

/// An inclusive range of ports, never empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PortRange {
    lo: u16,
    hi: u16,
}

impl PortRange {
    /// Every port, 0 included.
    pub const ANY: PortRange = PortRange {
        lo: 0,
        hi: u16::MAX,
    };

    /// Ports `lo` to `hi`, both included, or `None` if `lo` is above `hi`.
    pub fn new(lo: u16, hi: u16) -> Option<PortRange> {
        (lo <= hi).then_some(PortRange { lo, hi })
    }

    /// The one port `port`.
    pub const fn single(port: u16) -> PortRange {
        PortRange { lo: port, hi: port }
    }

    /// The lowest port in the range.
    pub fn lo(self) -> u16 {
        self.lo
    }

    /// The highest port in the range.
    pub fn hi(self) -> u16 {
        self.hi
    }

    /// Whether `port` is in the range.
    pub fn contains(self, port: u16) -> bool {
        (self.lo..=self.hi).contains(&port)
    }
}

/// `*`, `80` or `8000-8999`.
impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ANY {
            f.write_str("*")
        } else if self.lo == self.hi {
            write!(f, "{}", self.lo)
        } else {
            write!(f, "{}-{}", self.lo, self.hi)
        }
    }
}

/// A grant: these uses, of these addresses, on these ports.
///
/// # Syntax
///
/// `USE[,USE...]=ADDR[:PORTS]`
///
/// - `USE` is one of `tcp-bind`, `tcp-listen`, `tcp-connect`, `tcp-accept`,
///   `udp-bind`, `udp-send`, `udp-receive`, or a short form: `bind`
///   (`tcp-bind` and `udp-bind`), `connect` (`tcp-connect`, `udp-send`
///   and `udp-receive`: a peer it may send to may answer),
///   `listen` (`tcp-listen`), `accept` (`tcp-accept`), `send` (`udp-send`),
///   `receive` (`udp-receive`). Several are joined with commas.
/// - `ADDR` is `*` for every address, an IPv4 address (`127.0.0.1`) or
///   block (`10.0.0.0/8`), or an IPv6 address or block in brackets
///   (`[::1]`, `[fd00::/8]`). IPv6 always takes brackets, port or not, so
///   that `::1:80` can never be read as a port. Bits below the prefix
///   length are ignored: `10.1.2.3/8` is `10.0.0.0/8`. An IPv4-mapped block
///   of prefix 96 or more (`[::ffff:10.0.0.0/104]`) is the IPv4 block it
///   maps (`10.0.0.0/8`); IPv6 blocks never hold IPv4 addresses, so
///   `[::/0]` grants no IPv4 address, mapped or not.
/// - `PORTS` is a port (`80`), an inclusive range (`8000-8999`) or `*`;
///   left out, every port. Port 0 is what a bind asks for when the host is
///   to pick the port, so a bind rule grants that only if its range holds 0.
///
/// ```
/// use capwasi::net::policy::{Rule, Use};
/// let rule: Rule = "connect=127.0.0.1:8080".parse()?;
/// assert!(rule.matches(Use::TcpConnect, "127.0.0.1:8080".parse()?));
/// assert!(!rule.matches(Use::TcpBind, "127.0.0.1:8080".parse()?));
/// let rule: Rule = "tcp-listen,tcp-accept=[fd00::/8]:443".parse()?;
/// assert_eq!(rule.to_string(), "tcp-listen,tcp-accept=[fd00::/8]:443");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rule {
    uses: Uses,
    addresses: Addresses,
    ports: PortRange,
}

impl Rule {
    /// A rule granting `uses` of `addresses` on `ports`; with no uses it
    /// grants nothing.
    pub fn new(uses: impl Into<Uses>, addresses: Addresses, ports: PortRange) -> Rule {
        Rule {
            uses: uses.into(),
            addresses,
            ports,
        }
    }

    /// The rule granting everything: every use, every address, every port.
    pub fn any() -> Rule {
        Rule::new(Uses::ALL, Addresses::Any, PortRange::ANY)
    }

    /// The narrowest rule granting `u` of `addr`: one address, one port.
    pub fn exact(u: Use, addr: SocketAddr) -> Rule {
        Rule::new(
            u,
            Addresses::Net(IpNet::host(addr.ip())),
            PortRange::single(addr.port()),
        )
    }

    /// The uses granted.
    pub fn uses(&self) -> Uses {
        self.uses
    }

    /// The addresses covered.
    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    /// The ports covered.
    pub fn ports(&self) -> PortRange {
        self.ports
    }

    /// Whether this rule grants `u` of `addr`; an IPv4-mapped address is
    /// judged as its IPv4 address.
    pub fn matches(&self, u: Use, addr: SocketAddr) -> bool {
        self.uses.contains(u)
            && self.ports.contains(addr.port())
            && self.addresses.contains(addr.ip())
    }
}

/// The text [`Rule::from_str`] parses back to the same rule; ports are left
/// out when the rule covers them all.
impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}=", self.uses)?;
        match self.addresses {
            Addresses::Any => f.write_str("*")?,
            Addresses::Net(net) if net.addr.is_ipv4() => write!(f, "{net}")?,
            Addresses::Net(net) => write!(f, "[{net}]")?,
        }
        if self.ports != PortRange::ANY {
            write!(f, ":{}", self.ports)?;
        }
        Ok(())
    }
}

/// A rule's text that does not parse: the text, and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid network rule {rule:?}: {problem}")]
pub struct RuleError {
    /// The rule as given.
    pub rule: String,
    /// What is wrong with it.
    pub problem: RuleProblem,
}

/// What is wrong with a rule's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleProblem {
    /// There is no `=` between the uses and the address.
    #[error("expected USE=ADDR[:PORTS]")]
    MissingEquals,
    /// A use in the list is empty.
    #[error("a use is empty; expected USE[,USE...]=ADDR[:PORTS]")]
    EmptyUse,
    /// A use is not one of the names a rule knows.
    #[error(
        "unknown use {0:?}; expected tcp-bind, tcp-listen, tcp-connect, tcp-accept, \
         udp-bind, udp-send, udp-receive, bind, connect, listen, accept, send or receive"
    )]
    UnknownUse(String),
    /// Nothing follows `=`, or nothing stands before `:` or `/`.
    #[error("the address is empty; use * for every address")]
    EmptyAddress,
    /// The address is not an IPv4 address, an IPv4 block or `*`.
    #[error("{0:?} is not an IPv4 address, an IPv4 block or *")]
    BadAddress(String),
    /// An IPv6 address was written without brackets.
    #[error("IPv6 address {0:?} must be in brackets, as in [::1] or [::1]:80")]
    Ipv6NeedsBrackets(String),
    /// What stands in brackets is not an IPv6 address or block.
    #[error("{0:?} in brackets is not an IPv6 address or block")]
    BadIpv6(String),
    /// A `[` has no matching `]`.
    #[error("'[' has no matching ']'")]
    UnclosedBracket,
    /// Something other than `:PORTS` follows `]`.
    #[error("expected :PORTS or nothing after ']', found {0:?}")]
    AfterBracket(String),
    /// A prefix length is not a number, or is more bits than the family
    /// has.
    #[error("prefix length {prefix:?} is not a number from 0 to {max}")]
    BadPrefix {
        /// The prefix length as given.
        prefix: String,
        /// The family's bit count.
        max: u8,
    },
    /// Nothing follows `:`.
    #[error("no port after ':'; leave out ':' or use * for every port")]
    EmptyPorts,
    /// The ports are not a number, a range of numbers or `*`.
    #[error("{0:?} is not a port, a range LO-HI of ports or *")]
    BadPorts(String),
    /// A port is above 65535.
    #[error("port {0} is out of range 0-65535")]
    PortOutOfRange(String),
    /// A range's low end is above its high end.
    #[error("port range {lo}-{hi} is inverted: {lo} is above {hi}")]
    InvertedRange {
        /// The low end as given.
        lo: u16,
        /// The high end as given.
        hi: u16,
    },
}

impl FromStr for Rule {
    type Err = RuleError;

    fn from_str(text: &str) -> Result<Rule, RuleError> {
        parse(text).map_err(|problem| RuleError {
            rule: text.to_string(),
            problem,
        })
    }
}

fn parse(text: &str) -> Result<Rule, RuleProblem> {
    let (uses, target) = text.split_once('=').ok_or(RuleProblem::MissingEquals)?;
    let uses = parse_uses(uses)?;
    let (addresses, ports) = parse_target(target)?;
    let ports = ports.map_or(Ok(PortRange::ANY), parse_ports)?;
    Ok(Rule::new(uses, addresses, ports))
}

fn parse_uses(text: &str) -> Result<Uses, RuleProblem> {
    text.split(',').try_fold(Uses::NONE, |uses, name| {
        let named: Uses = match name {
            "" => return Err(RuleProblem::EmptyUse),
            "tcp-bind" => Use::TcpBind.into(),
            "tcp-listen" | "listen" => Use::TcpListen.into(),
            "tcp-connect" => Use::TcpConnect.into(),
            "tcp-accept" | "accept" => Use::TcpAccept.into(),
            "udp-bind" => Use::UdpBind.into(),
            "udp-send" | "send" => Use::UdpSend.into(),
            "udp-receive" | "receive" => Use::UdpReceive.into(),
            "bind" => Use::TcpBind | Use::UdpBind,
            // A UDP client that may send to a peer must hear its replies.
            "connect" => Use::TcpConnect | Use::UdpSend | Use::UdpReceive,
            other => return Err(RuleProblem::UnknownUse(other.to_string())),
        };
        Ok(uses | named)
    })
}

/// Splits `ADDR[:PORTS]` and parses the address.
fn parse_target(text: &str) -> Result<(Addresses, Option<&str>), RuleProblem> {
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(RuleProblem::UnclosedBracket)?;
        let ports = match after {
            "" => None,
            _ => Some(
                after
                    .strip_prefix(':')
                    .ok_or_else(|| RuleProblem::AfterBracket(after.to_string()))?,
            ),
        };
        return Ok((Addresses::Net(parse_v6_net(inside)?), ports));
    }
    let (addr, ports) = match text.split_once(':') {
        Some((addr, ports)) => (addr, Some(ports)),
        None => (text, None),
    };
    // An IPv4 address or `*` leaves any further colon to the ports, where
    // it is reported as such; anything else with two colons is IPv6.
    let ipv4ish = addr == "*" || addr.contains('.');
    if !ipv4ish && ports.is_some_and(|ports| ports.contains(':')) {
        return Err(RuleProblem::Ipv6NeedsBrackets(text.to_string()));
    }
    let addresses = match addr {
        "*" => Addresses::Any,
        _ => Addresses::Net(parse_v4_net(addr)?),
    };
    Ok((addresses, ports))
}

fn parse_v4_net(text: &str) -> Result<IpNet, RuleProblem> {
    let (addr, prefix) = split_prefix(text)?;
    let addr: Ipv4Addr = addr
        .parse()
        .map_err(|_| RuleProblem::BadAddress(text.to_string()))?;
    net(IpAddr::V4(addr), prefix, 32)
}

fn parse_v6_net(text: &str) -> Result<IpNet, RuleProblem> {
    let (addr, prefix) = split_prefix(text)?;
    let addr: Ipv6Addr = addr
        .parse()
        .map_err(|_| RuleProblem::BadIpv6(text.to_string()))?;
    net(IpAddr::V6(addr), prefix, 128)
}

fn split_prefix(text: &str) -> Result<(&str, Option<&str>), RuleProblem> {
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (addr, Some(prefix)),
        None => (text, None),
    };
    if addr.is_empty() {
        return Err(RuleProblem::EmptyAddress);
    }
    Ok((addr, prefix))
}

fn net(addr: IpAddr, prefix: Option<&str>, max: u8) -> Result<IpNet, RuleProblem> {
    let Some(prefix) = prefix else {
        return Ok(IpNet::host(addr));
    };
    let bad = || RuleProblem::BadPrefix {
        prefix: prefix.to_string(),
        max,
    };
    if !is_decimal(prefix) {
        return Err(bad());
    }
    let len: u8 = prefix.parse().map_err(|_| bad())?;
    IpNet::new(addr, len).ok_or_else(bad)
}

fn parse_ports(text: &str) -> Result<PortRange, RuleProblem> {
    match text {
        "" => Err(RuleProblem::EmptyPorts),
        "*" => Ok(PortRange::ANY),
        _ => match text.split_once('-') {
            None => Ok(PortRange::single(port(text, text)?)),
            Some((lo, hi)) => {
                let (lo, hi) = (port(lo, text)?, port(hi, text)?);
                PortRange::new(lo, hi).ok_or(RuleProblem::InvertedRange { lo, hi })
            }
        },
    }
}

/// One port of the ports `whole`, which a malformed one is reported as.
fn port(text: &str, whole: &str) -> Result<u16, RuleProblem> {
    if !is_decimal(text) {
        return Err(RuleProblem::BadPorts(whole.to_string()));
    }
    text.parse()
        .map_err(|_| RuleProblem::PortOutOfRange(text.to_string()))
}

/// Whether `text` is digits only; `str::parse` would also take a sign.
fn is_decimal(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}
