use std::time::Duration;

use super::resolve_address_stream::{drop, resolve_next_address, subscribe};
use super::*;
use crate::p2::io::poll;
use crate::p2::sockets::network::instance_network;
use crate::p2::sockets::ErrorCode;
use crate::p2::testing::{blocking, ctx};
use crate::p2::Failure;

const WAIT: Duration = Duration::from_secs(10);

fn code<T: std::fmt::Debug>(result: SocketResult<T>) -> ErrorCode {
    match result {
        Err(Failure::Error(code)) => code,
        other => panic!("expected an error code, got {other:?}"),
    }
}

/// Every address, after waiting (at most [`WAIT`]) for the lookup.
fn resolve_all(
    ctx: &mut WasiP2Ctx,
    stream: Resource<ResolveAddressStream>,
) -> SocketResult<Vec<IpAddr>> {
    let pollable = subscribe(ctx, stream).expect("subscribe");
    let at = ctx.grants.monotonic_clock.now() + WAIT.as_nanos() as u64;
    let deadline = poll::subscribe_deadline(ctx, at).expect("deadline");
    let ready = blocking(poll::poll(ctx, &[pollable, deadline])).expect("poll");
    assert!(ready.contains(&0), "the lookup did not finish in time");
    assert_eq!(blocking(poll::block(ctx, pollable)), Ok(()));
    poll::drop(ctx, deadline).expect("drop deadline");
    poll::drop(ctx, pollable).expect("drop pollable");
    let mut all = Vec::new();
    for _ in 0..1000 {
        match resolve_next_address(ctx, stream)? {
            Some(ip) => all.push(ip),
            None => return Ok(all),
        }
    }
    panic!("the stream never ended");
}

#[test]
fn refused_unless_granted() {
    let mut ctx = ctx(|b| {
        b.inherit_network();
    });
    let network = instance_network(&mut ctx).expect("network");
    for name in ["localhost", "127.0.0.1", "not a name"] {
        assert_eq!(
            code(resolve_addresses(&mut ctx, network, name)),
            ErrorCode::AccessDenied,
            "{name}"
        );
    }
}

#[test]
fn localhost_resolves_to_loopback() {
    let mut ctx = ctx(|b| {
        b.allow_ip_name_lookup(true);
    });
    let network = instance_network(&mut ctx).expect("network");
    let stream = resolve_addresses(&mut ctx, network, "localhost").expect("resolve");
    let all = resolve_all(&mut ctx, stream).expect("localhost resolves");
    assert!(!all.is_empty());
    assert!(all.iter().all(IpAddr::is_loopback), "{all:?}");
    // The end stays the end.
    assert_eq!(resolve_next_address(&mut ctx, stream), Ok(None));
    let pollable = subscribe(&mut ctx, stream).expect("subscribe");
    assert!(drop(&mut ctx, stream).is_err());
    poll::drop(&mut ctx, pollable).expect("drop pollable");
    assert_eq!(drop(&mut ctx, stream), Ok(()));
    assert!(resolve_next_address(&mut ctx, stream).is_err());
}

#[test]
fn literals_answer_themselves() {
    let mut ctx = ctx(|b| {
        b.allow_ip_name_lookup(true);
    });
    let network = instance_network(&mut ctx).expect("network");
    for (name, ip) in [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
    ] {
        let stream = resolve_addresses(&mut ctx, network, name).expect("resolve");
        let want: IpAddr = ip.parse().expect("address");
        assert_eq!(resolve_all(&mut ctx, stream), Ok(vec![want]), "{name}");
        drop(&mut ctx, stream).expect("drop");
    }
}

#[test]
fn invalid_names_are_invalid_arguments() {
    let mut ctx = ctx(|b| {
        b.allow_ip_name_lookup(true);
    });
    let network = instance_network(&mut ctx).expect("network");
    let long = "a".repeat(300);
    for name in [
        "",
        "a b",
        "exa mple.com",
        "-lead.example",
        "a..b",
        &long,
        "127.1",
        "ünïcode.example",
    ] {
        assert_eq!(
            code(resolve_addresses(&mut ctx, network, name)),
            ErrorCode::InvalidArgument,
            "{name}"
        );
    }
}

#[test]
fn an_unknown_name_is_unresolvable() {
    let mut ctx = ctx(|b| {
        b.allow_ip_name_lookup(true);
    });
    let network = instance_network(&mut ctx).expect("network");
    let stream = resolve_addresses(&mut ctx, network, "no-such-host.invalid").expect("resolve");
    let failed = code(resolve_all(&mut ctx, stream));
    // `.invalid` never resolves; a host without a resolver may say so as
    // a resolver failure.
    assert!(
        matches!(
            failed,
            ErrorCode::NameUnresolvable
                | ErrorCode::TemporaryResolverFailure
                | ErrorCode::PermanentResolverFailure
        ),
        "{failed:?}"
    );
    // The failure is reported again.
    assert_eq!(code(resolve_next_address(&mut ctx, stream)), failed);
}
