//! wasi:sockets/ip-name-lookup: the `p2_lookup` guest. Nothing here needs
//! a DNS server: "localhost" comes from the hosts file, literals need no
//! lookup, and invalid names are refused before one starts.

use crate::{lines, run};

/// "localhost" resolves, once the stream's pollable is ready, to 127.0.0.1
/// (with or without ::1, as the hosts file has it), each address once and
/// none IPv4-mapped, then `none` for good.
#[test]
fn localhost_resolves_to_loopback() {
    let out = run("p2_lookup", &["localhost"], b"", |b| {
        b.allow_ip_name_lookup(true);
    });
    out.expect_exit(0);
    let got = lines(&out);
    assert_eq!(got[0], "ok localhost");
    assert!(
        ["got localhost-ipv6 yes", "got localhost-ipv6 no"].contains(&got[1].as_str()),
        "{got:?}"
    );
    assert_eq!(got[2..], ["ok p2_lookup"]);
}

/// An IP literal is its own answer at once, with no lookup: IPv4, IPv6,
/// and an IPv4-mapped literal as the IPv4 address, since answers are never
/// mapped. The core takes a bracketed IPv6 literal too.
#[test]
fn ip_literals_are_their_own_answer() {
    let out = run("p2_lookup", &["literals"], b"", |b| {
        b.allow_ip_name_lookup(true);
    });
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok literal-ipv4",
            "ok literal-ipv6",
            "ok literal-mapped",
            "got literal-bracketed ok",
            "ok p2_lookup"
        ]
    );
}

/// Names no resolver should see are invalid-argument from
/// resolve-addresses itself: empty, empty labels, spaces and other
/// characters a host name cannot hold, a 300-byte name, a 64-byte label,
/// short IPv4 forms, an embedded NUL. The core does no IDNA, and refuses a
/// name in other than ASCII the same way.
#[test]
fn invalid_names_are_invalid_arguments() {
    let out = run("p2_lookup", &["invalid"], b"", |b| {
        b.allow_ip_name_lookup(true);
    });
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        [
            "ok invalid-names",
            "got unicode-name invalid-argument",
            "ok p2_lookup"
        ]
    );
}

/// Lookup is off by default, and stays off under an inherited network:
/// resolve-addresses answers access-denied before looking at the name, so
/// even a literal or an invalid name learns nothing more.
#[test]
fn lookup_needs_its_grant() {
    let configs: [&dyn Fn(&mut capwasi::WasiCtxBuilder); 2] = [&|_| {}, &|b| {
        b.inherit_network();
    }];
    for configure in configs {
        let out = run("p2_lookup", &["denied"], b"", configure);
        out.expect_exit(0);
        assert_eq!(lines(&out), ["ok denied", "ok p2_lookup"]);
    }
}

/// Streams dropped while their lookups run (some after a pollable of
/// theirs was dropped) neither trap nor panic the host, and the lookups
/// that follow still answer.
#[test]
fn dropping_a_pending_lookup_is_harmless() {
    let out = run("p2_lookup", &["drop-pending"], b"", |b| {
        b.allow_ip_name_lookup(true);
    });
    out.expect_exit(0);
    assert_eq!(
        lines(&out),
        ["ok drop-pending", "ok lookup-after-drops", "ok p2_lookup"]
    );
}
