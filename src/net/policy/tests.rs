use std::fmt::{self, Write as _};
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use super::*;

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn rule(text: &str) -> Rule {
    text.parse().unwrap()
}

fn granting(rules: &[&str]) -> AddressPolicy {
    let mut policy = AddressPolicy::new();
    for text in rules {
        policy.allow_net(rule(text));
    }
    policy
}

/// Addresses of both families, mapped ones, the unspecified ones and the
/// extreme ports, for "nothing is granted" checks.
const SAMPLES: &[&str] = &[
    "127.0.0.1:80",
    "0.0.0.0:0",
    "255.255.255.255:65535",
    "10.1.2.3:443",
    "[::1]:80",
    "[::]:0",
    "[::ffff:127.0.0.1]:8080",
    "[fd00::1]:65535",
];

fn assert_refusal(err: io::Error, what: &str) {
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
    let denied = err
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<CapabilityDenied>())
        .expect("a CapabilityDenied payload");
    assert_eq!(denied.0, what);
}

#[test]
fn net_default_denies_every_use_socket_and_lookup() {
    for policy in [AddressPolicy::new(), AddressPolicy::default()] {
        assert!(policy.is_default());
        for u in Use::ALL {
            for sample in SAMPLES {
                assert!(!policy.permits(u, addr(sample)), "{u} {sample}");
                assert_refusal(policy.check(u, addr(sample)).unwrap_err(), u.name());
            }
        }
        assert_refusal(
            policy.check_socket(Protocol::Tcp).unwrap_err(),
            "tcp socket",
        );
        assert_refusal(
            policy.check_socket(Protocol::Udp).unwrap_err(),
            "udp socket",
        );
        assert_refusal(
            policy.check_name_lookup("example.com").unwrap_err(),
            "ip-name-lookup",
        );
    }
}

#[test]
fn net_refusal_maps_like_a_file_refusal_in_both_abis() {
    let err = AddressPolicy::new()
        .check(Use::TcpConnect, addr("127.0.0.1:80"))
        .unwrap_err();
    assert_eq!(crate::p1::Errno::from(err), crate::p1::Errno::Notcapable);
    let err = AddressPolicy::new()
        .check(Use::TcpConnect, addr("127.0.0.1:80"))
        .unwrap_err();
    assert_eq!(
        crate::p2::ErrorCode::from(err),
        crate::p2::ErrorCode::NotPermitted
    );
}

#[test]
fn net_each_use_is_granted_only_by_a_rule_of_that_use() {
    for granted in Use::ALL {
        let mut policy = AddressPolicy::new();
        policy.allow_net(Rule::new(granted, Addresses::Any, PortRange::ANY));
        for u in Use::ALL {
            for sample in SAMPLES {
                assert_eq!(
                    policy.permits(u, addr(sample)),
                    u == granted,
                    "rule for {granted}, asked {u} {sample}"
                );
                assert_eq!(policy.check(u, addr(sample)).is_ok(), u == granted);
            }
        }
    }
}

#[test]
fn net_short_uses_grant_what_they_stand_for() {
    let cases: &[(&str, &[Use])] = &[
        ("bind", &[Use::TcpBind, Use::UdpBind]),
        ("connect", &[Use::TcpConnect, Use::UdpSend, Use::UdpReceive]),
        ("listen", &[Use::TcpListen]),
        ("accept", &[Use::TcpAccept]),
        ("send", &[Use::UdpSend]),
        ("receive", &[Use::UdpReceive]),
        ("tcp-bind", &[Use::TcpBind]),
        ("tcp-listen", &[Use::TcpListen]),
        ("tcp-connect", &[Use::TcpConnect]),
        ("tcp-accept", &[Use::TcpAccept]),
        ("udp-bind", &[Use::UdpBind]),
        ("udp-send", &[Use::UdpSend]),
        ("udp-receive", &[Use::UdpReceive]),
        ("listen,accept", &[Use::TcpListen, Use::TcpAccept]),
        ("bind,bind,udp-bind", &[Use::TcpBind, Use::UdpBind]),
        (
            "bind,connect,listen,accept,send,receive",
            &[
                Use::TcpBind,
                Use::TcpListen,
                Use::TcpConnect,
                Use::TcpAccept,
                Use::UdpBind,
                Use::UdpSend,
                Use::UdpReceive,
            ],
        ),
    ];
    for (uses, expected) in cases {
        let rule = rule(&format!("{uses}=*"));
        let granted: Vec<Use> = rule.uses().iter().collect();
        assert_eq!(&granted, expected, "{uses}");
        let policy = granting(&[&format!("{uses}=*")]);
        for u in Use::ALL {
            assert_eq!(
                policy.permits(u, addr("192.0.2.1:1")),
                expected.contains(&u),
                "{uses} {u}"
            );
        }
    }
}

#[test]
fn net_ipv4_block_edges() {
    let policy = granting(&["connect=10.0.0.0/8"]);
    let at = |ip: &str| policy.permits(Use::TcpConnect, SocketAddr::new(ip.parse().unwrap(), 1));
    assert!(!at("9.255.255.255"));
    assert!(at("10.0.0.0"));
    assert!(at("10.255.255.255"));
    assert!(!at("11.0.0.0"));

    let policy = granting(&["connect=192.168.1.2/31"]);
    let at = |ip: &str| policy.permits(Use::TcpConnect, SocketAddr::new(ip.parse().unwrap(), 1));
    assert!(!at("192.168.1.1"));
    assert!(at("192.168.1.2"));
    assert!(at("192.168.1.3"));
    assert!(!at("192.168.1.4"));

    let policy = granting(&["connect=192.168.1.2"]);
    let at = |ip: &str| policy.permits(Use::TcpConnect, SocketAddr::new(ip.parse().unwrap(), 1));
    assert!(!at("192.168.1.1"));
    assert!(at("192.168.1.2"));
    assert!(!at("192.168.1.3"));
}

#[test]
fn net_ipv6_block_edges() {
    let policy = granting(&["connect=[fd00::/8]"]);
    let at = |ip: &str| policy.permits(Use::TcpConnect, SocketAddr::new(ip.parse().unwrap(), 1));
    assert!(!at("fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    assert!(at("fd00::"));
    assert!(at("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
    assert!(!at("fe00::"));

    let policy = granting(&["connect=[2001:db8::/127]"]);
    let at = |ip: &str| policy.permits(Use::TcpConnect, SocketAddr::new(ip.parse().unwrap(), 1));
    assert!(!at("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff"));
    assert!(at("2001:db8::"));
    assert!(at("2001:db8::1"));
    assert!(!at("2001:db8::2"));
}

#[test]
fn net_whole_family_blocks_stay_in_their_family() {
    let v4 = granting(&["connect=0.0.0.0/0"]);
    assert!(v4.permits(Use::TcpConnect, addr("0.0.0.0:1")));
    assert!(v4.permits(Use::TcpConnect, addr("255.255.255.255:1")));
    assert!(v4.permits(Use::TcpConnect, addr("[::ffff:1.2.3.4]:1")));
    assert!(!v4.permits(Use::TcpConnect, addr("[::1]:1")));

    let v6 = granting(&["connect=[::/0]"]);
    assert!(v6.permits(Use::TcpConnect, addr("[::]:1")));
    assert!(v6.permits(
        Use::TcpConnect,
        addr("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:1")
    ));
    assert!(!v6.permits(Use::TcpConnect, addr("1.2.3.4:1")));
    // A mapped address reaches IPv4, which an IPv6 rule does not grant.
    assert!(!v6.permits(Use::TcpConnect, addr("[::ffff:1.2.3.4]:1")));
}

#[test]
fn net_port_range_edges() {
    let policy = granting(&["connect=*:1000-2000"]);
    let at = |port: u16| {
        policy.permits(
            Use::TcpConnect,
            SocketAddr::new(IpAddr::from([1, 2, 3, 4]), port),
        )
    };
    assert!(!at(999));
    assert!(at(1000));
    assert!(at(2000));
    assert!(!at(2001));

    let single = granting(&["connect=*:65535"]);
    assert!(single.permits(Use::TcpConnect, addr("1.2.3.4:65535")));
    assert!(!single.permits(Use::TcpConnect, addr("1.2.3.4:65534")));

    let all = granting(&["connect=*:0-65535"]);
    assert!(all.permits(Use::TcpConnect, addr("1.2.3.4:0")));
    assert!(all.permits(Use::TcpConnect, addr("1.2.3.4:65535")));
}

#[test]
fn net_bind_to_port_zero_needs_zero_in_the_range() {
    let fixed = granting(&["bind=127.0.0.1:1024-65535"]);
    assert!(!fixed.permits(Use::TcpBind, addr("127.0.0.1:0")));
    assert!(!fixed.permits(Use::UdpBind, addr("127.0.0.1:0")));
    assert!(fixed.permits(Use::TcpBind, addr("127.0.0.1:1024")));

    let any = granting(&["bind=127.0.0.1:0-65535"]);
    assert!(any.permits(Use::TcpBind, addr("127.0.0.1:0")));
    assert!(any.permits(Use::UdpBind, addr("127.0.0.1:0")));
    // The wildcard address is an address like any other.
    assert!(!any.permits(Use::TcpBind, addr("0.0.0.0:0")));

    let omitted = granting(&["bind=127.0.0.1"]);
    assert!(omitted.permits(Use::TcpBind, addr("127.0.0.1:0")));
}

#[test]
fn net_ipv4_mapped_addresses_are_judged_as_ipv4() {
    let policy = granting(&["connect=127.0.0.1:80"]);
    assert!(policy.permits(Use::TcpConnect, addr("[::ffff:127.0.0.1]:80")));
    assert!(!policy.permits(Use::TcpConnect, addr("[::ffff:127.0.0.2]:80")));
    assert!(!policy.permits(Use::TcpConnect, addr("[::ffff:127.0.0.1]:81")));
    // The IPv4-compatible form is a different IPv6 address, not IPv4.
    assert!(!policy.permits(Use::TcpConnect, addr("[::127.0.0.1]:80")));

    let block = granting(&["connect=10.0.0.0/8"]);
    assert!(block.permits(Use::TcpConnect, addr("[::ffff:10.9.9.9]:1")));
    assert!(!block.permits(Use::TcpConnect, addr("[::ffff:11.0.0.0]:1")));

    // A rule spelled as a mapped block is the IPv4 block.
    let mapped = granting(&["connect=[::ffff:10.0.0.0/104]"]);
    assert_eq!(mapped.rules()[0], rule("connect=10.0.0.0/8"));
    assert!(mapped.permits(Use::TcpConnect, addr("10.1.2.3:1")));
    assert!(mapped.permits(Use::TcpConnect, addr("[::ffff:10.1.2.3]:1")));
    assert!(!mapped.permits(Use::TcpConnect, addr("11.0.0.0:1")));

    // A mapped address can't dodge a callback's refusal either: the
    // callback sees IPv4.
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut checked = AddressPolicy::new();
    let log = seen.clone();
    checked.socket_addr_check(move |addr, u| {
        log.lock().unwrap().push((addr, u));
        addr.is_ipv6()
    });
    assert!(!checked.permits(Use::UdpSend, addr("[::ffff:192.0.2.1]:53")));
    assert_eq!(
        *seen.lock().unwrap(),
        [(addr("192.0.2.1:53"), Use::UdpSend)]
    );
}

#[test]
fn net_star_covers_every_address_of_both_families() {
    let any = granting(&["connect=*"]);
    for sample in SAMPLES {
        assert!(any.permits(Use::TcpConnect, addr(sample)), "{sample}");
    }
    let https = granting(&["connect=*:443"]);
    assert!(https.permits(Use::TcpConnect, addr("203.0.113.9:443")));
    assert!(https.permits(Use::TcpConnect, addr("[2001:db8::9]:443")));
    assert!(!https.permits(Use::TcpConnect, addr("203.0.113.9:80")));
    assert_eq!(rule("connect=*:*"), rule("connect=*"));
}

#[test]
fn net_inherit_network_grants_every_use_of_every_address() {
    let mut policy = AddressPolicy::new();
    policy.inherit_network();
    assert_eq!(policy.rules(), [Rule::any()]);
    for u in Use::ALL {
        for sample in SAMPLES {
            assert!(policy.permits(u, addr(sample)), "{u} {sample}");
            assert!(policy.check(u, addr(sample)).is_ok());
        }
    }
    assert!(policy.check_socket(Protocol::Tcp).is_ok());
    assert!(policy.check_socket(Protocol::Udp).is_ok());
    assert!(policy.check_name_lookup("example.com").is_err());
    // Granting it twice keeps one rule.
    policy.inherit_network();
    assert_eq!(policy.rules().len(), 1);
}

#[test]
fn net_a_protocol_switched_off_is_refused_whatever_is_granted() {
    let mut policy = AddressPolicy::new();
    policy
        .inherit_network()
        .socket_addr_check(|_, _| true)
        .allow_tcp(false);
    for u in Use::ALL {
        let expected = u.protocol() == Protocol::Udp;
        assert_eq!(policy.permits(u, addr("127.0.0.1:80")), expected, "{u}");
    }
    assert_refusal(
        policy
            .check(Use::TcpConnect, addr("127.0.0.1:80"))
            .unwrap_err(),
        "tcp-connect",
    );
    assert!(policy.check_socket(Protocol::Tcp).is_err());
    assert!(policy.check_socket(Protocol::Udp).is_ok());

    policy.allow_tcp(true).allow_udp(false);
    for u in Use::ALL {
        let expected = u.protocol() == Protocol::Tcp;
        assert_eq!(policy.permits(u, addr("127.0.0.1:80")), expected, "{u}");
    }
    assert!(policy.check_socket(Protocol::Tcp).is_ok());
    assert!(policy.check_socket(Protocol::Udp).is_err());
    assert!(!policy.is_default());
}

#[test]
fn net_callback_is_asked_only_what_no_rule_grants() {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let log = asked.clone();
    let mut policy = granting(&["tcp-connect=127.0.0.1:80"]);
    policy.socket_addr_check(move |addr, u| {
        log.lock().unwrap().push((addr, u));
        addr.port() == 8080
    });

    // Granted by the rule: the callback is not asked.
    assert!(policy.check(Use::TcpConnect, addr("127.0.0.1:80")).is_ok());
    assert!(asked.lock().unwrap().is_empty());

    // Not granted by a rule: the callback decides, either way.
    assert!(policy
        .check(Use::TcpConnect, addr("127.0.0.1:8080"))
        .is_ok());
    assert!(policy.check(Use::UdpBind, addr("[::1]:8081")).is_err());
    assert_eq!(
        *asked.lock().unwrap(),
        [
            (addr("127.0.0.1:8080"), Use::TcpConnect),
            (addr("[::1]:8081"), Use::UdpBind)
        ]
    );

    // A later callback replaces the earlier one.
    policy.socket_addr_check(|_, _| false);
    assert!(policy
        .check(Use::TcpConnect, addr("127.0.0.1:8080"))
        .is_err());
    assert!(policy.check(Use::TcpConnect, addr("127.0.0.1:80")).is_ok());
    assert_eq!(asked.lock().unwrap().len(), 2);
}

#[test]
fn net_callback_is_not_asked_for_a_protocol_switched_off() {
    let asked = Arc::new(Mutex::new(0));
    let log = asked.clone();
    let mut policy = AddressPolicy::new();
    policy
        .socket_addr_check(move |_, _| {
            *log.lock().unwrap() += 1;
            true
        })
        .allow_udp(false);
    assert!(!policy.permits(Use::UdpSend, addr("127.0.0.1:53")));
    assert_eq!(*asked.lock().unwrap(), 0);
    assert!(policy.permits(Use::TcpConnect, addr("127.0.0.1:53")));
    assert_eq!(*asked.lock().unwrap(), 1);
}

#[test]
fn net_socket_creation_needs_a_grant_of_its_protocol() {
    let tcp_only = granting(&["tcp-accept=10.0.0.0/8"]);
    assert!(tcp_only.check_socket(Protocol::Tcp).is_ok());
    assert_refusal(
        tcp_only.check_socket(Protocol::Udp).unwrap_err(),
        "udp socket",
    );

    let udp_only = granting(&["receive=*"]);
    assert!(udp_only.check_socket(Protocol::Tcp).is_err());
    assert!(udp_only.check_socket(Protocol::Udp).is_ok());

    let mut checked = AddressPolicy::new();
    checked.socket_addr_check(|_, _| false);
    assert!(checked.check_socket(Protocol::Tcp).is_ok());
    assert!(checked.check_socket(Protocol::Udp).is_ok());
}

#[test]
fn net_name_lookup_has_its_own_switch() {
    let mut policy = granting(&["connect=*"]);
    assert!(policy.check_name_lookup("example.com").is_err());
    policy.allow_ip_name_lookup(true);
    assert!(policy.ip_name_lookup_allowed());
    assert!(policy.check_name_lookup("example.com").is_ok());
    policy.allow_ip_name_lookup(false);
    assert!(policy.check_name_lookup("example.com").is_err());

    let mut lookup_only = AddressPolicy::new();
    lookup_only.allow_ip_name_lookup(true);
    assert!(lookup_only.check_name_lookup("example.com").is_ok());
    assert!(!lookup_only.permits(Use::TcpConnect, addr("127.0.0.1:80")));
    assert!(lookup_only.check_socket(Protocol::Tcp).is_err());
}

#[test]
fn net_rules_accumulate_and_duplicates_are_kept_once() {
    let policy = granting(&[
        "connect=127.0.0.1:80",
        "udp-receive=[::1]",
        "connect=127.0.0.1:80",
    ]);
    assert_eq!(policy.rules().len(), 2);
    assert!(policy.permits(Use::TcpConnect, addr("127.0.0.1:80")));
    assert!(policy.permits(Use::UdpReceive, addr("[::1]:5353")));
    assert!(!policy.permits(Use::UdpReceive, addr("127.0.0.1:5353")));
}

/// Records every event as `LEVEL field=value ...`.
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = event.metadata().level().to_string();
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn logged(work: impl FnOnce()) -> Vec<String> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    tracing::subscriber::with_default(Capture(lines.clone()), work);
    let lines = lines.lock().unwrap().clone();
    lines
}

#[test]
fn net_refusals_log_the_rule_that_would_grant_them() {
    let mut policy = granting(&["connect=127.0.0.1:80"]);
    let lines = logged(|| {
        assert!(policy.check(Use::TcpConnect, addr("127.0.0.1:80")).is_ok());
        assert!(policy.check(Use::TcpConnect, addr("127.0.0.1:81")).is_err());
        assert!(policy
            .check(Use::UdpReceive, addr("[::ffff:10.0.0.1]:53"))
            .is_err());
        assert!(policy.check(Use::TcpBind, addr("[::1]:0")).is_err());
        // Quiet: the caller drops what it refuses.
        assert!(!policy.permits(Use::UdpReceive, addr("10.0.0.1:53")));
        assert!(policy.check_name_lookup("example.com").is_err());
        assert!(policy.check_socket(Protocol::Udp).is_ok());
    });
    assert_eq!(
        lines,
        [
            "INFO message=refused: no network rule grants it wanted=tcp-connect=127.0.0.1:81",
            "INFO message=refused: no network rule grants it wanted=udp-receive=10.0.0.1:53",
            "INFO message=refused: no network rule grants it wanted=tcp-bind=[::1]:0",
            "INFO message=refused: name lookup is not granted name=\"example.com\"",
        ]
    );

    policy.allow_tcp(false);
    let lines = logged(|| {
        assert!(policy.check(Use::TcpConnect, addr("127.0.0.1:80")).is_err());
        assert!(policy.check_socket(Protocol::Tcp).is_err());
    });
    assert_eq!(
        lines,
        [
            "INFO message=refused: the protocol is switched off wanted=tcp-connect=127.0.0.1:80 protocol=TCP",
            "INFO message=refused: creating a socket of a protocol switched off protocol=TCP",
        ]
    );

    let lines = logged(|| {
        assert!(AddressPolicy::new().check_socket(Protocol::Udp).is_err());
    });
    assert_eq!(
        lines,
        ["INFO message=refused: creating a socket when no network rule grants the protocol protocol=UDP"]
    );
}

#[test]
fn net_logged_rules_parse_back_to_an_exact_grant() {
    for sample in SAMPLES {
        for u in Use::ALL {
            let exact = Rule::exact(u, addr(sample));
            let reparsed = rule(&exact.to_string());
            assert_eq!(reparsed, exact, "{exact}");
            assert!(granting(&[&exact.to_string()]).permits(u, addr(sample)));
        }
    }
}

#[test]
fn net_debug_shows_the_grants() {
    let mut policy = granting(&["listen=[::1]:80"]);
    policy.socket_addr_check(|_, _| true);
    let text = format!("{policy:?}");
    assert!(text.contains("TcpListen"), "{text}");
    assert!(text.contains("socket_addr_check: true"), "{text}");
    assert!(text.contains("ip_name_lookup: false"), "{text}");
}

mod parse {
    use super::*;

    #[test]
    fn net_rules_parse_to_their_parts() {
        let v4 = |a: [u8; 4], len| Addresses::Net(IpNet::new(IpAddr::from(a), len).unwrap());
        let v6 = |a: &str, len| Addresses::Net(IpNet::new(a.parse().unwrap(), len).unwrap());
        let ports = |lo, hi| PortRange::new(lo, hi).unwrap();
        let cases: &[(&str, Uses, Addresses, PortRange)] = &[
            (
                "connect=127.0.0.1:8080",
                Use::TcpConnect | Use::UdpSend | Use::UdpReceive,
                v4([127, 0, 0, 1], 32),
                PortRange::single(8080),
            ),
            (
                "bind=127.0.0.1:0-65535",
                Use::TcpBind | Use::UdpBind,
                v4([127, 0, 0, 1], 32),
                PortRange::ANY,
            ),
            (
                "tcp-connect,udp-receive=10.0.0.0/8:443",
                Use::TcpConnect | Use::UdpReceive,
                v4([10, 0, 0, 0], 8),
                PortRange::single(443),
            ),
            (
                "listen=[::1]:80",
                Use::TcpListen.into(),
                v6("::1", 128),
                PortRange::single(80),
            ),
            (
                "accept=[::1]",
                Use::TcpAccept.into(),
                v6("::1", 128),
                PortRange::ANY,
            ),
            (
                "send=[fd00::/8]:443",
                Use::UdpSend.into(),
                v6("fd00::", 8),
                PortRange::single(443),
            ),
            (
                "receive=*",
                Use::UdpReceive.into(),
                Addresses::Any,
                PortRange::ANY,
            ),
            (
                "tcp-bind=*:*",
                Use::TcpBind.into(),
                Addresses::Any,
                PortRange::ANY,
            ),
            (
                "udp-bind=0.0.0.0/0:1000-2000",
                Use::UdpBind.into(),
                v4([0, 0, 0, 0], 0),
                ports(1000, 2000),
            ),
            (
                "udp-bind=*:7-7",
                Use::UdpBind.into(),
                Addresses::Any,
                PortRange::single(7),
            ),
            (
                "tcp-listen=[::ffff:192.0.2.1]:80",
                Use::TcpListen.into(),
                v4([192, 0, 2, 1], 32),
                PortRange::single(80),
            ),
            (
                "tcp-listen=[::ffff:0:0/96]",
                Use::TcpListen.into(),
                v4([0, 0, 0, 0], 0),
                PortRange::ANY,
            ),
            (
                "tcp-listen=[::ffff:0:0/95]",
                Use::TcpListen.into(),
                v6("::fffe:0:0", 95),
                PortRange::ANY,
            ),
            (
                "connect=1.2.3.4:00080",
                Use::TcpConnect | Use::UdpSend | Use::UdpReceive,
                v4([1, 2, 3, 4], 32),
                PortRange::single(80),
            ),
        ];
        for (text, uses, addresses, ports) in cases {
            let rule = rule(text);
            assert_eq!(rule.uses(), *uses, "{text}");
            assert_eq!(rule.addresses(), *addresses, "{text}");
            assert_eq!(rule.ports(), *ports, "{text}");
        }
    }

    #[test]
    fn net_host_bits_below_the_prefix_are_ignored() {
        let rule = rule("connect=10.1.2.3/8");
        assert_eq!(rule, super::rule("connect=10.0.0.0/8"));
        let Addresses::Net(net) = rule.addresses() else {
            panic!("a block");
        };
        assert_eq!(net.addr(), IpAddr::from([10, 0, 0, 0]));
        assert_eq!(net.prefix_len(), 8);
        assert_eq!(
            super::rule("connect=[fd12:3456::1/16]"),
            super::rule("connect=[fd12::/16]")
        );
    }

    #[test]
    fn net_rules_display_in_the_syntax_they_parse_from() {
        let cases = [
            (
                "connect=127.0.0.1:8080",
                "tcp-connect,udp-send,udp-receive=127.0.0.1:8080",
            ),
            ("bind=127.0.0.1:0-65535", "tcp-bind,udp-bind=127.0.0.1"),
            (
                "listen,accept=10.0.0.0/8:8000-8999",
                "tcp-listen,tcp-accept=10.0.0.0/8:8000-8999",
            ),
            ("send=[fd00::/8]:443", "udp-send=[fd00::/8]:443"),
            ("receive=[::1]", "udp-receive=[::1]"),
            ("udp-bind=*:*", "udp-bind=*"),
            ("tcp-bind=[::ffff:10.0.0.0/104]:0", "tcp-bind=10.0.0.0/8:0"),
            ("tcp-bind=0.0.0.0/0", "tcp-bind=0.0.0.0/0"),
            ("tcp-bind=[::/0]", "tcp-bind=[::/0]"),
        ];
        for (text, shown) in cases {
            let parsed = rule(text);
            assert_eq!(parsed.to_string(), shown);
            assert_eq!(rule(shown), parsed, "{shown}");
        }
        assert_eq!(
            Rule::any().to_string(),
            "tcp-bind,tcp-listen,tcp-connect,tcp-accept,udp-bind,udp-send,udp-receive=*"
        );
        assert_eq!(rule(&Rule::any().to_string()), Rule::any());
    }

    #[test]
    fn net_every_malformed_rule_names_itself_and_its_problem() {
        let cases: &[(&str, RuleProblem, &str)] = &[
            (
                "connect",
                RuleProblem::MissingEquals,
                r#"invalid network rule "connect": expected USE=ADDR[:PORTS]"#,
            ),
            (
                "",
                RuleProblem::MissingEquals,
                r#"invalid network rule "": expected USE=ADDR[:PORTS]"#,
            ),
            (
                "=127.0.0.1",
                RuleProblem::EmptyUse,
                r#"invalid network rule "=127.0.0.1": a use is empty; expected USE[,USE...]=ADDR[:PORTS]"#,
            ),
            (
                "connect,=127.0.0.1",
                RuleProblem::EmptyUse,
                r#"invalid network rule "connect,=127.0.0.1": a use is empty; expected USE[,USE...]=ADDR[:PORTS]"#,
            ),
            (
                "dial=127.0.0.1",
                RuleProblem::UnknownUse("dial".into()),
                r#"invalid network rule "dial=127.0.0.1": unknown use "dial"; expected tcp-bind, tcp-listen, tcp-connect, tcp-accept, udp-bind, udp-send, udp-receive, bind, connect, listen, accept, send or receive"#,
            ),
            (
                "Connect=127.0.0.1",
                RuleProblem::UnknownUse("Connect".into()),
                r#"invalid network rule "Connect=127.0.0.1": unknown use "Connect"; expected tcp-bind, tcp-listen, tcp-connect, tcp-accept, udp-bind, udp-send, udp-receive, bind, connect, listen, accept, send or receive"#,
            ),
            (
                "connect=",
                RuleProblem::EmptyAddress,
                r#"invalid network rule "connect=": the address is empty; use * for every address"#,
            ),
            (
                "connect=:80",
                RuleProblem::EmptyAddress,
                r#"invalid network rule "connect=:80": the address is empty; use * for every address"#,
            ),
            (
                "connect=/8",
                RuleProblem::EmptyAddress,
                r#"invalid network rule "connect=/8": the address is empty; use * for every address"#,
            ),
            (
                "connect=[]:80",
                RuleProblem::EmptyAddress,
                r#"invalid network rule "connect=[]:80": the address is empty; use * for every address"#,
            ),
            (
                "connect=localhost:80",
                RuleProblem::BadAddress("localhost".into()),
                r#"invalid network rule "connect=localhost:80": "localhost" is not an IPv4 address, an IPv4 block or *"#,
            ),
            (
                "connect=10.0.0/8",
                RuleProblem::BadAddress("10.0.0/8".into()),
                r#"invalid network rule "connect=10.0.0/8": "10.0.0/8" is not an IPv4 address, an IPv4 block or *"#,
            ),
            (
                "connect=010.0.0.1",
                RuleProblem::BadAddress("010.0.0.1".into()),
                r#"invalid network rule "connect=010.0.0.1": "010.0.0.1" is not an IPv4 address, an IPv4 block or *"#,
            ),
            (
                "connect=*/8",
                RuleProblem::BadAddress("*/8".into()),
                r#"invalid network rule "connect=*/8": "*/8" is not an IPv4 address, an IPv4 block or *"#,
            ),
            (
                "connect=::1",
                RuleProblem::Ipv6NeedsBrackets("::1".into()),
                r#"invalid network rule "connect=::1": IPv6 address "::1" must be in brackets, as in [::1] or [::1]:80"#,
            ),
            (
                "connect=::1:80",
                RuleProblem::Ipv6NeedsBrackets("::1:80".into()),
                r#"invalid network rule "connect=::1:80": IPv6 address "::1:80" must be in brackets, as in [::1] or [::1]:80"#,
            ),
            (
                "connect=fd00::/8",
                RuleProblem::Ipv6NeedsBrackets("fd00::/8".into()),
                r#"invalid network rule "connect=fd00::/8": IPv6 address "fd00::/8" must be in brackets, as in [::1] or [::1]:80"#,
            ),
            (
                "connect=[127.0.0.1]:80",
                RuleProblem::BadIpv6("127.0.0.1".into()),
                r#"invalid network rule "connect=[127.0.0.1]:80": "127.0.0.1" in brackets is not an IPv6 address or block"#,
            ),
            (
                "connect=[*]",
                RuleProblem::BadIpv6("*".into()),
                r#"invalid network rule "connect=[*]": "*" in brackets is not an IPv6 address or block"#,
            ),
            (
                "connect=[::1:80",
                RuleProblem::UnclosedBracket,
                r#"invalid network rule "connect=[::1:80": '[' has no matching ']'"#,
            ),
            (
                "connect=[::1]80",
                RuleProblem::AfterBracket("80".into()),
                r#"invalid network rule "connect=[::1]80": expected :PORTS or nothing after ']', found "80""#,
            ),
            (
                "connect=[::1]]",
                RuleProblem::AfterBracket("]".into()),
                r#"invalid network rule "connect=[::1]]": expected :PORTS or nothing after ']', found "]""#,
            ),
            (
                "connect=10.0.0.0/33",
                RuleProblem::BadPrefix {
                    prefix: "33".into(),
                    max: 32,
                },
                r#"invalid network rule "connect=10.0.0.0/33": prefix length "33" is not a number from 0 to 32"#,
            ),
            (
                "connect=10.0.0.0/",
                RuleProblem::BadPrefix {
                    prefix: "".into(),
                    max: 32,
                },
                r#"invalid network rule "connect=10.0.0.0/": prefix length "" is not a number from 0 to 32"#,
            ),
            (
                "connect=10.0.0.0/+8",
                RuleProblem::BadPrefix {
                    prefix: "+8".into(),
                    max: 32,
                },
                r#"invalid network rule "connect=10.0.0.0/+8": prefix length "+8" is not a number from 0 to 32"#,
            ),
            (
                "connect=10.0.0.0/99999",
                RuleProblem::BadPrefix {
                    prefix: "99999".into(),
                    max: 32,
                },
                r#"invalid network rule "connect=10.0.0.0/99999": prefix length "99999" is not a number from 0 to 32"#,
            ),
            (
                "connect=[fd00::/129]:443",
                RuleProblem::BadPrefix {
                    prefix: "129".into(),
                    max: 128,
                },
                r#"invalid network rule "connect=[fd00::/129]:443": prefix length "129" is not a number from 0 to 128"#,
            ),
            (
                "connect=[fd00::/x]",
                RuleProblem::BadPrefix {
                    prefix: "x".into(),
                    max: 128,
                },
                r#"invalid network rule "connect=[fd00::/x]": prefix length "x" is not a number from 0 to 128"#,
            ),
            (
                "connect=127.0.0.1:",
                RuleProblem::EmptyPorts,
                r#"invalid network rule "connect=127.0.0.1:": no port after ':'; leave out ':' or use * for every port"#,
            ),
            (
                "connect=[::1]:",
                RuleProblem::EmptyPorts,
                r#"invalid network rule "connect=[::1]:": no port after ':'; leave out ':' or use * for every port"#,
            ),
            (
                "connect=127.0.0.1:http",
                RuleProblem::BadPorts("http".into()),
                r#"invalid network rule "connect=127.0.0.1:http": "http" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:-80",
                RuleProblem::BadPorts("-80".into()),
                r#"invalid network rule "connect=127.0.0.1:-80": "-80" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:80-",
                RuleProblem::BadPorts("80-".into()),
                r#"invalid network rule "connect=127.0.0.1:80-": "80-" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:1-2-3",
                RuleProblem::BadPorts("1-2-3".into()),
                r#"invalid network rule "connect=127.0.0.1:1-2-3": "1-2-3" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:+80",
                RuleProblem::BadPorts("+80".into()),
                r#"invalid network rule "connect=127.0.0.1:+80": "+80" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:80:90",
                RuleProblem::BadPorts("80:90".into()),
                r#"invalid network rule "connect=127.0.0.1:80:90": "80:90" is not a port, a range LO-HI of ports or *"#,
            ),
            (
                "connect=127.0.0.1:65536",
                RuleProblem::PortOutOfRange("65536".into()),
                r#"invalid network rule "connect=127.0.0.1:65536": port 65536 is out of range 0-65535"#,
            ),
            (
                "bind=*:0-99999999999999999999",
                RuleProblem::PortOutOfRange("99999999999999999999".into()),
                r#"invalid network rule "bind=*:0-99999999999999999999": port 99999999999999999999 is out of range 0-65535"#,
            ),
            (
                "bind=*:2000-1000",
                RuleProblem::InvertedRange { lo: 2000, hi: 1000 },
                r#"invalid network rule "bind=*:2000-1000": port range 2000-1000 is inverted: 2000 is above 1000"#,
            ),
            (
                "bind=[::1]:1-0",
                RuleProblem::InvertedRange { lo: 1, hi: 0 },
                r#"invalid network rule "bind=[::1]:1-0": port range 1-0 is inverted: 1 is above 0"#,
            ),
            (
                "connect=127.0.0.1:80\nbind=*",
                RuleProblem::BadPorts("80\nbind=*".into()),
                r#"invalid network rule "connect=127.0.0.1:80\nbind=*": "80\nbind=*" is not a port, a range LO-HI of ports or *"#,
            ),
        ];
        for (text, problem, message) in cases {
            let err = text.parse::<Rule>().unwrap_err();
            assert_eq!(&err.problem, problem, "{text:?}");
            assert_eq!(err.rule, *text);
            let shown = err.to_string();
            assert_eq!(shown, *message, "{text:?}");
            assert!(!shown.contains('\n'), "{shown}");
        }
    }

    #[test]
    fn net_blocks_and_ranges_refuse_impossible_values() {
        assert!(IpNet::new(IpAddr::from([0, 0, 0, 0]), 33).is_none());
        assert!(IpNet::new("::".parse().unwrap(), 129).is_none());
        assert!(IpNet::new("::".parse().unwrap(), 128).is_some());
        assert!(PortRange::new(2, 1).is_none());
        let range = PortRange::new(1, 2).unwrap();
        assert_eq!((range.lo(), range.hi()), (1, 2));
        assert_eq!(PortRange::ANY.to_string(), "*");
        assert_eq!(
            IpNet::host("::ffff:1.2.3.4".parse().unwrap()),
            IpNet::host(IpAddr::from([1, 2, 3, 4]))
        );
    }
}
