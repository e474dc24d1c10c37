//! Name lookup that never blocks its caller, named after no ABI: what
//! `wasi:sockets/ip-name-lookup` needs from the host.
//!
//! [`Resolution::start`] asks the policy first (name lookup is off by
//! default), checks the name, and answers an IP literal at once. A name goes
//! to the host's resolver (`getaddrinfo`, through std) on a thread of its
//! own, since the resolver only blocks; the caller gets a [`Resolution`] to
//! ask for addresses ([`Resolution::try_next`]) and a host descriptor that
//! becomes readable when they are there ([`Resolution::pollable`]), for
//! [`crate::poll`] to wait on beside anything else.
//!
//! # Threads
//!
//! At most [`MAX_IN_FLIGHT`] lookups run at once in the process, whichever
//! guests started them, so a guest cannot pile up host threads. A lookup
//! started beyond that does not queue and does not block: it fails at once,
//! through its stream, with [`LookupError::TemporaryResolverFailure`], which
//! is what a resolver out of resources reports (`EAI_AGAIN`) and what a
//! guest is expected to retry. A queue would only move the pile from
//! threads to memory, and a guest that drops its stream would keep its
//! place in it. A thread whose stream was dropped still runs until the
//! resolver returns, and keeps its place until then: the resolver cannot be
//! interrupted, and the place is what bounds the threads.
//!
//! # Errors
//!
//! - lookup not granted: kind `PermissionDenied` carrying
//!   [`CapabilityDenied`](crate::CapabilityDenied), from `start`;
//! - a name the WIT calls syntactically invalid: kind `InvalidInput`, from
//!   `start`;
//! - not resolved yet: kind `WouldBlock`, from `try_next`;
//! - the resolver's failures, from `try_next`: an `io::Error` carrying a
//!   [`LookupError`], which names the WIT's error code (kind `NotFound` for
//!   `name-unresolvable`, `Other` for the resolver failures), or the host's
//!   error with its OS code when the resolver failed in a system call.

use std::collections::VecDeque;
use std::io;
use std::net::{IpAddr, Ipv6Addr, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rustix::event::{eventfd, EventfdFlags};

use super::policy::AddressPolicy;

/// The most lookups that run at once in the process.
pub const MAX_IN_FLIGHT: usize = 16;

/// The longest name resolved: the longest a DNS name can be spelled, not
/// counting a final dot.
pub const MAX_NAME_LEN: usize = 253;

/// The most addresses one lookup keeps; a resolver's answer is rarely a
/// tenth of it, and the guest needs no more to connect.
const MAX_ADDRESSES: usize = 256;

/// Why the resolver found no address, as the WIT names it. The payload of
/// the `io::Error`s [`Resolution::try_next`] returns for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// `name-unresolvable`: no such name, or no address for it (`EAI_NONAME`,
    /// `EAI_NODATA`, `EAI_ADDRFAMILY`, or an empty answer).
    #[error("name does not resolve")]
    NameUnresolvable,
    /// `temporary-resolver-failure`: try again later (`EAI_AGAIN`, or too
    /// many lookups in flight).
    #[error("temporary failure in name resolution")]
    TemporaryResolverFailure,
    /// `permanent-resolver-failure`: the resolver cannot answer at all
    /// (`EAI_FAIL`, and whatever else it reports).
    #[error("permanent failure in name resolution")]
    PermanentResolverFailure,
}

impl LookupError {
    /// An `io::Error` carrying this.
    pub fn io(self) -> io::Error {
        let kind = match self {
            LookupError::NameUnresolvable => io::ErrorKind::NotFound,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, self)
    }
}

/// How a lookup ended, kept so that it can be reported more than once
/// (`io::Error` is not `Clone`).
#[derive(Debug, PartialEq, Eq)]
enum Failure {
    Lookup(LookupError),
    /// `EAI_MEMORY`, which the WIT counts as `out-of-memory`.
    OutOfMemory,
    Os(i32),
}

impl Failure {
    fn to_io(&self) -> io::Error {
        match *self {
            Failure::Lookup(e) => e.io(),
            Failure::OutOfMemory => io::ErrorKind::OutOfMemory.into(),
            Failure::Os(code) => io::Error::from_raw_os_error(code),
        }
    }
}

type Outcome = Result<Vec<IpAddr>, Failure>;

/// What the lookup thread hands over.
struct Shared {
    outcome: Mutex<Option<Outcome>>,
    /// Readable once `outcome` is set; it is never read, so it stays so.
    /// Shared, so that a wait can hold it without holding the lookup.
    done: Arc<OwnedFd>,
}

impl Shared {
    fn finish(&self, outcome: Outcome) {
        *self.outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        // Only a counter at its maximum refuses a write, and this is the
        // one write.
        let _ = rustix::io::write(&self.done, &1u64.to_ne_bytes());
    }
}

/// A count of lookups in flight, bounded.
struct Limit {
    in_flight: AtomicUsize,
    max: usize,
}

impl Limit {
    const fn new(max: usize) -> Self {
        Limit {
            in_flight: AtomicUsize::new(0),
            max,
        }
    }

    fn acquire(&'static self) -> Option<Slot> {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < self.max).then_some(n + 1)
            })
            .ok()
            .map(|_| Slot(self))
    }
}

/// A place among the lookups in flight, given back when dropped, so that a
/// thread that panics gives it back too.
struct Slot(&'static Limit);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

static IN_FLIGHT: Limit = Limit::new(MAX_IN_FLIGHT);

/// A lookup started: the addresses a name resolved to, one at a time, in
/// the resolver's order (its preference for connecting), each once, never
/// IPv4-mapped.
pub struct Resolution {
    shared: Arc<Shared>,
    /// The addresses not yet taken, once the outcome is in.
    addresses: Option<VecDeque<IpAddr>>,
    failure: Option<Failure>,
}

impl std::fmt::Debug for Resolution {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolution")
            .field("addresses", &self.addresses)
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}

impl Resolution {
    /// Starts resolving `name`, if `policy` grants name lookup. Never
    /// blocks: an IP literal (IPv6 in brackets or not) is its own answer at
    /// once; any other name is checked (ASCII letters, digits, `-` and `_`
    /// in dot-separated labels of 1 to 63 bytes, at most [`MAX_NAME_LEN`]
    /// bytes, a last label not all digits) and handed to a lookup thread.
    ///
    /// A name in other than ASCII is refused as invalid: the WIT asks for
    /// it to be converted to ASCII (IDNA), which is not done here.
    pub fn start(name: &str, policy: &AddressPolicy) -> io::Result<Resolution> {
        Self::start_with(name, policy, &IN_FLIGHT, resolve)
    }

    fn start_with(
        name: &str,
        policy: &AddressPolicy,
        limit: &'static Limit,
        resolver: fn(&str) -> Outcome,
    ) -> io::Result<Resolution> {
        policy.check_name_lookup(name)?;
        let literal = parse_literal(name);
        if literal.is_none() {
            check_name(name)?;
        }
        let done = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        let shared = Arc::new(Shared {
            outcome: Mutex::new(None),
            done: Arc::new(done),
        });
        let resolution = Resolution {
            shared: shared.clone(),
            addresses: None,
            failure: None,
        };
        if let Some(ip) = literal {
            shared.finish(Ok(vec![ip]));
            return Ok(resolution);
        }
        let Some(slot) = limit.acquire() else {
            tracing::info!(name, "name lookup refused: too many in flight");
            shared.finish(Err(Failure::Lookup(LookupError::TemporaryResolverFailure)));
            return Ok(resolution);
        };
        let owned = name.to_owned();
        let thread = std::thread::Builder::new()
            .name("capwasi-lookup".into())
            .spawn(move || {
                let _slot = slot;
                shared.finish(resolver(&owned));
            });
        if let Err(e) = thread {
            // The slot went with the closure, and was given back with it.
            tracing::warn!(name, error = %e, "cannot start a name lookup thread");
            resolution
                .shared
                .finish(Err(Failure::Lookup(LookupError::TemporaryResolverFailure)));
        }
        Ok(resolution)
    }

    /// The next address: `Ok(None)` once all were taken, an error of kind
    /// `WouldBlock` while the lookup runs, and the lookup's failure (again
    /// on every call) if it failed.
    pub fn try_next(&mut self) -> io::Result<Option<IpAddr>> {
        if self.addresses.is_none() && self.failure.is_none() {
            let taken = self
                .shared
                .outcome
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match taken {
                None => return Err(io::ErrorKind::WouldBlock.into()),
                Some(Ok(addresses)) => self.addresses = Some(addresses.into()),
                Some(Err(failure)) => self.failure = Some(failure),
            }
        }
        if let Some(failure) = &self.failure {
            return Err(failure.to_io());
        }
        Ok(self.addresses.as_mut().and_then(VecDeque::pop_front))
    }

    /// Whether [`Self::try_next`] has stopped answering `WouldBlock`.
    pub fn is_done(&self) -> bool {
        self.addresses.is_some()
            || self.failure.is_some()
            || self
                .shared
                .outcome
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .is_some()
    }

    /// A host descriptor that becomes readable when the lookup is done, and
    /// stays so.
    pub fn pollable(&self) -> BorrowedFd<'_> {
        self.shared.done.as_fd()
    }

    /// The descriptor of [`Self::pollable`], shared, for a wait that must
    /// own what it waits on.
    pub fn pollable_shared(&self) -> Arc<OwnedFd> {
        Arc::clone(&self.shared.done)
    }
}

/// An IP literal, as the WIT asks for it to be answered without a lookup;
/// an IPv4-mapped one as the IPv4 address, since the answers are never
/// mapped.
fn parse_literal(name: &str) -> Option<IpAddr> {
    let bare = name
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'));
    let ip = match bare {
        Some(v6) => IpAddr::V6(v6.parse::<Ipv6Addr>().ok()?),
        None => name.parse().ok()?,
    };
    Some(unmapped(ip))
}

fn unmapped(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// Checks that `name` is a host name as DNS spells one, so that nothing
/// else (a path, a service, a second address form) reaches the resolver.
fn check_name(name: &str) -> io::Result<()> {
    let invalid = |why: &'static str| Err(io::Error::new(io::ErrorKind::InvalidInput, why));
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return invalid("an empty name");
    }
    if name.len() > MAX_NAME_LEN {
        return invalid("a name longer than 253 bytes");
    }
    let mut last = "";
    for label in name.split('.') {
        if label.is_empty() || label.len() > 63 {
            return invalid("a label of a name is empty or longer than 63 bytes");
        }
        let fits = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'_';
        if !label.bytes().all(fits) {
            return invalid("a name holds a character a host name cannot");
        }
        if label.starts_with('-') || label.ends_with('-') {
            return invalid("a label of a name begins or ends with '-'");
        }
        last = label;
    }
    // An all-digit last label is an IPv4 address in one of the short forms
    // (`127.1`) that the resolver would read as one; the WIT's literals are
    // the full forms only.
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return invalid("a name whose last label is a number");
    }
    Ok(())
}

/// The host resolver, on the lookup thread: port 0 asks for addresses
/// only.
fn resolve(name: &str) -> Outcome {
    match (name, 0u16).to_socket_addrs() {
        Ok(found) => collect(found.map(|addr| addr.ip())),
        Err(e) => Err(classify(&e)),
    }
}

/// The resolver's answer, each address once, in its order; none is
/// `name-unresolvable`.
fn collect(found: impl Iterator<Item = IpAddr>) -> Outcome {
    let mut addresses: Vec<IpAddr> = Vec::new();
    for ip in found {
        let ip = unmapped(ip);
        if !addresses.contains(&ip) {
            addresses.push(ip);
        }
        if addresses.len() == MAX_ADDRESSES {
            break;
        }
    }
    if addresses.is_empty() {
        Err(Failure::Lookup(LookupError::NameUnresolvable))
    } else {
        Ok(addresses)
    }
}

/// Sorts a resolver failure into the WIT's codes. std keeps the OS code of
/// a failed system call (`EAI_SYSTEM`), but of the resolver's own codes
/// only their text, `gai_strerror`'s, so that is what is read: glibc's and
/// musl's wording of `EAI_AGAIN`, `EAI_FAIL` and `EAI_MEMORY`. Anything
/// else is taken for a name that does not resolve, the common case.
/// (`getaddrinfo` called directly would give the codes themselves; it
/// needs the `libc` crate, which this crate does not depend on.)
fn classify(e: &io::Error) -> Failure {
    if let Some(code) = e.raw_os_error() {
        return Failure::Os(code);
    }
    let text = e.to_string();
    let has = |words: &[&str]| words.iter().any(|w| text.contains(w));
    if has(&["Temporary failure", "Try again"]) {
        Failure::Lookup(LookupError::TemporaryResolverFailure)
    } else if has(&["Memory allocation", "Out of memory"]) {
        Failure::OutOfMemory
    } else if has(&["Non-recoverable"]) {
        Failure::Lookup(LookupError::PermanentResolverFailure)
    } else {
        Failure::Lookup(LookupError::NameUnresolvable)
    }
}

#[cfg(test)]
mod tests;
