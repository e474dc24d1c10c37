use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use super::*;
use crate::clock::{HostMonotonicClock, MonotonicClock};
use crate::error::CapabilityDenied;
use crate::poll::{wait, Interest, Readiness};

const WAIT: Duration = Duration::from_secs(5);

fn lookups_on() -> AddressPolicy {
    let mut policy = AddressPolicy::new();
    policy.allow_ip_name_lookup(true);
    policy
}

/// Waits (at most `within`) for the lookup to be done; whether it was.
fn wait_done(resolution: &Resolution, within: Duration) -> bool {
    let clock = HostMonotonicClock;
    let interests = [
        Interest::Read(resolution.pollable()),
        Interest::Deadline(clock.now() + within.as_nanos() as u64),
    ];
    let mut found = [Readiness::Pending; 2];
    wait(&clock, &interests, &mut found, true).expect("wait");
    found[0] == Readiness::Ready
}

/// Every address, after the lookup is done.
fn drain(resolution: &mut Resolution) -> io::Result<Vec<IpAddr>> {
    let mut all = Vec::new();
    for _ in 0..=MAX_ADDRESSES {
        match resolution.try_next()? {
            Some(ip) => all.push(ip),
            None => return Ok(all),
        }
    }
    panic!("more addresses than a lookup keeps");
}

#[test]
fn refused_when_lookup_is_off() {
    for name in ["localhost", "127.0.0.1", ""] {
        let err = Resolution::start(name, &AddressPolicy::new()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
        assert!(err.get_ref().is_some_and(|e| e.is::<CapabilityDenied>()));
    }
    // Granting every address grants no lookup.
    let mut policy = AddressPolicy::new();
    policy.inherit_network();
    assert!(Resolution::start("localhost", &policy).is_err());
}

#[test]
fn localhost_resolves_to_loopback_and_wakes_its_waiter() {
    let mut resolution = Resolution::start("localhost", &lookups_on()).expect("start");
    assert!(wait_done(&resolution, WAIT), "the lookup did not finish");
    assert!(resolution.is_done());
    let all = drain(&mut resolution).expect("localhost");
    assert!(!all.is_empty());
    assert!(all.iter().all(IpAddr::is_loopback), "{all:?}");
    let mut once = all.clone();
    once.dedup();
    assert_eq!(once.len(), all.len());
    // Exhausted is exhausted, however often asked.
    assert_eq!(resolution.try_next().unwrap(), None);
    assert_eq!(resolution.try_next().unwrap(), None);
    // Still readable: a waiter that comes late is not left hanging.
    assert!(wait_done(&resolution, Duration::from_millis(1)));
}

#[test]
fn an_ip_literal_is_its_own_answer_at_once() {
    let cases: [(&str, IpAddr); 5] = [
        ("127.0.0.1", Ipv4Addr::LOCALHOST.into()),
        ("::1", Ipv6Addr::LOCALHOST.into()),
        ("[::1]", Ipv6Addr::LOCALHOST.into()),
        ("192.0.2.7", Ipv4Addr::new(192, 0, 2, 7).into()),
        ("::ffff:10.0.0.1", Ipv4Addr::new(10, 0, 0, 1).into()),
    ];
    for (name, ip) in cases {
        let mut resolution = Resolution::start(name, &lookups_on()).expect(name);
        assert!(resolution.is_done(), "{name}");
        assert!(wait_done(&resolution, Duration::ZERO), "{name}");
        assert_eq!(drain(&mut resolution).unwrap(), [ip], "{name}");
    }
}

#[test]
fn invalid_names_are_rejected() {
    let long_label = "a".repeat(64);
    let too_long = ["a"; 127].join(".") + ".bc";
    assert_eq!(too_long.len(), 256);
    let bad = [
        "",
        ".",
        "a..b",
        ".a",
        "-a.example",
        "a-.example",
        "a b",
        "a/b",
        "a:80",
        "example.com:80",
        "ex%ample",
        "exa\0mple",
        "bücher.example",
        "127.1",
        "10.0.0.256",
        "[127.0.0.1]",
        "[::1",
        long_label.as_str(),
        too_long.as_str(),
    ];
    for name in bad {
        let err = Resolution::start(name, &lookups_on()).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{name:?}");
    }
    // The longest names and labels that fit are not refused.
    let longest = ["a"; 126].join(".") + ".b";
    assert_eq!(longest.len(), MAX_NAME_LEN);
    let good = [
        longest.clone(),
        longest + ".",
        "a".repeat(63) + ".example",
        "_srv.my-host.example".into(),
        "localhost".into(),
    ];
    for name in good {
        assert!(check_name(&name).is_ok(), "{name:?}");
    }
}

static GATE: Mutex<bool> = Mutex::new(false);
static OPENED: Condvar = Condvar::new();

/// A resolver that answers only once the gate opens (or after 5 s).
fn gated(_: &str) -> Outcome {
    let started = Instant::now();
    let mut open = GATE.lock().unwrap();
    while !*open && started.elapsed() < WAIT {
        open = OPENED.wait_timeout(open, WAIT).unwrap().0;
    }
    Ok(vec![Ipv4Addr::new(192, 0, 2, 1).into()])
}

#[test]
fn lookups_in_flight_are_capped() {
    static LIMIT: Limit = Limit::new(2);
    let policy = lookups_on();
    let mut running: Vec<Resolution> = (0..2)
        .map(|_| Resolution::start_with("held.example", &policy, &LIMIT, gated).unwrap())
        .collect();
    assert_eq!(LIMIT.in_flight.load(Ordering::Acquire), 2);
    for resolution in &mut running {
        assert!(!resolution.is_done());
        assert!(!wait_done(resolution, Duration::from_millis(20)));
        let err = resolution.try_next().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::WouldBlock);
    }
    // One more fails at once, without a thread, in a way the guest may retry.
    let mut over = Resolution::start_with("held.example", &policy, &LIMIT, gated).unwrap();
    assert!(wait_done(&over, Duration::ZERO));
    for _ in 0..2 {
        let err = over.try_next().unwrap_err();
        let inner = err.get_ref().and_then(|e| e.downcast_ref::<LookupError>());
        assert_eq!(inner, Some(&LookupError::TemporaryResolverFailure));
    }
    // Literals take no place.
    assert!(Resolution::start_with("::1", &policy, &LIMIT, gated).is_ok());

    *GATE.lock().unwrap() = true;
    OPENED.notify_all();
    for resolution in &mut running {
        assert!(wait_done(resolution, WAIT));
        assert_eq!(
            drain(resolution).unwrap(),
            [IpAddr::from(Ipv4Addr::new(192, 0, 2, 1))]
        );
    }
    // The places come back as the threads end.
    let started = Instant::now();
    while LIMIT.in_flight.load(Ordering::Acquire) != 0 && started.elapsed() < WAIT {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(LIMIT.in_flight.load(Ordering::Acquire), 0);
    let mut again = Resolution::start_with("held.example", &policy, &LIMIT, gated).unwrap();
    assert!(wait_done(&again, WAIT));
    assert_eq!(drain(&mut again).unwrap().len(), 1);
}

#[test]
fn answers_are_deduplicated_in_order_and_failures_sorted() {
    let v4 = |d: u8| IpAddr::from(Ipv4Addr::new(192, 0, 2, d));
    let mapped = IpAddr::from(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
    let answer = [v4(2), v4(1), mapped, v4(2), Ipv6Addr::LOCALHOST.into()];
    assert_eq!(
        collect(answer.into_iter()).unwrap(),
        [v4(2), v4(1), Ipv6Addr::LOCALHOST.into()]
    );
    assert_eq!(
        collect(std::iter::empty()).unwrap_err(),
        Failure::Lookup(LookupError::NameUnresolvable)
    );
    let many = (0..=u16::MAX).map(|i| IpAddr::from(Ipv6Addr::new(0xfd00, 0, 0, 0, 0, 0, 0, i)));
    assert_eq!(collect(many).unwrap().len(), MAX_ADDRESSES);

    let said = |text: &str| classify(&io::Error::other(text.to_string()));
    let std_prefix = "failed to lookup address information: ";
    assert_eq!(
        said(&format!("{std_prefix}Temporary failure in name resolution")),
        Failure::Lookup(LookupError::TemporaryResolverFailure)
    );
    assert_eq!(
        said(&format!(
            "{std_prefix}Non-recoverable failure in name resolution"
        )),
        Failure::Lookup(LookupError::PermanentResolverFailure)
    );
    assert_eq!(
        said(&format!("{std_prefix}Name or service not known")),
        Failure::Lookup(LookupError::NameUnresolvable)
    );
    assert_eq!(
        said(&format!("{std_prefix}Memory allocation failure")),
        Failure::OutOfMemory
    );
    let os = io::Error::from_raw_os_error(rustix::io::Errno::NOMEM.raw_os_error());
    assert_eq!(
        classify(&os),
        Failure::Os(rustix::io::Errno::NOMEM.raw_os_error())
    );
    assert_eq!(
        Failure::Lookup(LookupError::NameUnresolvable)
            .to_io()
            .kind(),
        io::ErrorKind::NotFound
    );
}
