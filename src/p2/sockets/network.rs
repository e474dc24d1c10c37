//! `wasi:sockets/network`: the network resource, and the error codes every
//! sockets call answers with, mapped from host errors in this one place.

use std::io;
use std::sync::Arc;

use crate::error::CapabilityDenied;
use crate::net::lookup::LookupError;
use crate::net::AddressPolicy;
use crate::p2::io::error::IoError;
use crate::p2::{Failure, Resource, Trap, WasiP2Ctx};

/// A `network` resource: the addresses the guest was granted, which every
/// socket made through it checks.
pub struct Network {
    pub(crate) policy: Arc<AddressPolicy>,
}

/// `instance-network`: the guest's one network, with its grants.
pub fn instance_network(ctx: &mut WasiP2Ctx) -> Result<Resource<Network>, Trap> {
    let policy = ctx.grants.address_policy_shared();
    Ok(ctx.table.push(Network { policy })?)
}

/// Drops a network.
pub fn drop(ctx: &mut WasiP2Ctx, this: Resource<Network>) -> Result<(), Trap> {
    ctx.table.delete(this)?;
    Ok(())
}

/// `network-error-code`: the sockets error code of the host error behind
/// a stream's `last-operation-failed`. Every stream error this crate makes
/// is a host error, so there is always one.
pub fn network_error_code(
    ctx: &WasiP2Ctx,
    err: Resource<IoError>,
) -> Result<Option<ErrorCode>, Trap> {
    let copy = crate::p2::io::error::host_error(ctx, err)?;
    Ok(Some(ErrorCode::from(copy)))
}

/// Defines `network.error-code` and the list of its codes in order, from
/// one list of cases.
macro_rules! socket_error_codes {
    ($($variant:ident),* $(,)?) => {
        /// `network.error-code`, in the WIT's order.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)] // each variant is the WIT case of the same name
        pub enum ErrorCode {
            $($variant,)*
        }

        impl ErrorCode {
            /// Every code, in the WIT's order (its discriminant order).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];
        }
    };
}

socket_error_codes! {
    Unknown,
    AccessDenied,
    NotSupported,
    InvalidArgument,
    OutOfMemory,
    Timeout,
    ConcurrencyConflict,
    NotInProgress,
    WouldBlock,
    InvalidState,
    NewSocketLimit,
    AddressNotBindable,
    AddressInUse,
    RemoteUnreachable,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    DatagramTooLarge,
    NameUnresolvable,
    TemporaryResolverFailure,
    PermanentResolverFailure,
}

impl From<io::Error> for ErrorCode {
    fn from(err: io::Error) -> Self {
        use rustix::io::Errno;
        if let Some(inner) = err.get_ref() {
            if inner.is::<CapabilityDenied>() {
                return ErrorCode::AccessDenied;
            }
            if let Some(lookup) = inner.downcast_ref::<LookupError>() {
                return match lookup {
                    LookupError::NameUnresolvable => ErrorCode::NameUnresolvable,
                    LookupError::TemporaryResolverFailure => ErrorCode::TemporaryResolverFailure,
                    LookupError::PermanentResolverFailure => ErrorCode::PermanentResolverFailure,
                };
            }
        }
        let Some(raw) = err.raw_os_error() else {
            return match err.kind() {
                io::ErrorKind::InvalidInput => ErrorCode::InvalidArgument,
                io::ErrorKind::PermissionDenied => ErrorCode::AccessDenied,
                io::ErrorKind::WouldBlock => ErrorCode::WouldBlock,
                io::ErrorKind::OutOfMemory => ErrorCode::OutOfMemory,
                io::ErrorKind::Unsupported => ErrorCode::NotSupported,
                io::ErrorKind::TimedOut => ErrorCode::Timeout,
                _ => ErrorCode::Unknown,
            };
        };
        match Errno::from_raw_os_error(raw) {
            Errno::ACCESS | Errno::PERM => ErrorCode::AccessDenied,
            Errno::AFNOSUPPORT | Errno::PROTONOSUPPORT | Errno::OPNOTSUPP | Errno::NOPROTOOPT => {
                ErrorCode::NotSupported
            }
            Errno::INVAL => ErrorCode::InvalidArgument,
            Errno::NOMEM | Errno::NOBUFS => ErrorCode::OutOfMemory,
            Errno::TIMEDOUT => ErrorCode::Timeout,
            Errno::ALREADY => ErrorCode::ConcurrencyConflict,
            Errno::AGAIN | Errno::INPROGRESS => ErrorCode::WouldBlock,
            Errno::ISCONN | Errno::NOTCONN | Errno::DESTADDRREQ => ErrorCode::InvalidState,
            Errno::MFILE | Errno::NFILE => ErrorCode::NewSocketLimit,
            Errno::ADDRNOTAVAIL => ErrorCode::AddressNotBindable,
            Errno::ADDRINUSE => ErrorCode::AddressInUse,
            Errno::HOSTUNREACH | Errno::NETUNREACH | Errno::NETDOWN | Errno::HOSTDOWN => {
                ErrorCode::RemoteUnreachable
            }
            Errno::CONNREFUSED => ErrorCode::ConnectionRefused,
            Errno::CONNRESET | Errno::PIPE => ErrorCode::ConnectionReset,
            Errno::CONNABORTED => ErrorCode::ConnectionAborted,
            Errno::MSGSIZE => ErrorCode::DatagramTooLarge,
            _ => ErrorCode::Unknown,
        }
    }
}

impl From<ErrorCode> for Failure<ErrorCode> {
    fn from(code: ErrorCode) -> Self {
        Failure::Error(code)
    }
}

impl From<io::Error> for Failure<ErrorCode> {
    fn from(err: io::Error) -> Self {
        Failure::Error(err.into())
    }
}

/// What a sockets call returns.
pub type SocketResult<T> = Result<T, Failure<ErrorCode>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::testing::ctx;
    use rustix::io::Errno;

    #[test]
    fn host_errors_refusals_and_lookups_map_once() {
        let os = |errno: Errno| ErrorCode::from(io::Error::from(errno));
        assert_eq!(os(Errno::CONNREFUSED), ErrorCode::ConnectionRefused);
        assert_eq!(os(Errno::ADDRINUSE), ErrorCode::AddressInUse);
        assert_eq!(os(Errno::NOTCONN), ErrorCode::InvalidState);
        assert_eq!(os(Errno::MFILE), ErrorCode::NewSocketLimit);
        assert_eq!(os(Errno::AGAIN), ErrorCode::WouldBlock);
        assert_eq!(os(Errno::PIPE), ErrorCode::ConnectionReset);
        assert_eq!(os(Errno::MSGSIZE), ErrorCode::DatagramTooLarge);
        assert_eq!(os(Errno::NOSYS), ErrorCode::Unknown);
        let refused = io::Error::new(
            io::ErrorKind::PermissionDenied,
            CapabilityDenied("tcp-connect"),
        );
        assert_eq!(ErrorCode::from(refused), ErrorCode::AccessDenied);
        let invalid = io::Error::new(io::ErrorKind::InvalidInput, "port 0");
        assert_eq!(ErrorCode::from(invalid), ErrorCode::InvalidArgument);
        assert_eq!(
            ErrorCode::from(LookupError::NameUnresolvable.io()),
            ErrorCode::NameUnresolvable
        );
        assert_eq!(
            ErrorCode::from(LookupError::TemporaryResolverFailure.io()),
            ErrorCode::TemporaryResolverFailure
        );
    }

    #[test]
    fn stream_errors_have_a_sockets_code() {
        let mut ctx = ctx(|_| {});
        let push = |ctx: &mut WasiP2Ctx, err: io::Error| match ctx.table.push(IoError(err)) {
            Ok(err) => err,
            Err(e) => panic!("{e}"),
        };
        let reset = push(&mut ctx, io::Error::from(Errno::CONNRESET));
        assert_eq!(
            network_error_code(&ctx, reset),
            Ok(Some(ErrorCode::ConnectionReset))
        );
        let refused = push(
            &mut ctx,
            io::Error::new(
                io::ErrorKind::PermissionDenied,
                CapabilityDenied("tcp-connect"),
            ),
        );
        assert_eq!(
            network_error_code(&ctx, refused),
            Ok(Some(ErrorCode::AccessDenied))
        );
        assert!(network_error_code(&ctx, Resource::new(99)).is_err());
    }

    #[test]
    fn the_instance_network_carries_the_grants() {
        let mut ctx = ctx(|b| {
            b.allow_net("connect=127.0.0.1:80".parse().expect("rule"));
        });
        let Ok(network) = instance_network(&mut ctx) else {
            panic!("network");
        };
        let policy = match ctx.table.get(network) {
            Ok(network) => Arc::clone(&network.policy),
            Err(e) => panic!("{e}"),
        };
        assert!(policy.permits(
            crate::net::Use::TcpConnect,
            "127.0.0.1:80".parse().expect("address")
        ));
        assert!(!policy.permits(
            crate::net::Use::TcpConnect,
            "127.0.0.1:81".parse().expect("address")
        ));
        assert_eq!(drop(&mut ctx, network), Ok(()));
        assert!(drop(&mut ctx, network).is_err());
    }
}
