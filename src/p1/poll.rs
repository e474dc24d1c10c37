//! `poll_oneoff`: wait for clocks and for descriptors to become ready.
//!
//! Each subscription becomes an [`Interest`] for the core's one wait
//! ([`crate::poll::wait`]): a clock becomes a deadline on the context's
//! monotonic clock, a descriptor its host descriptor, and a handle with no
//! host descriptor (in-memory pipes, regular files) is always ready, as
//! POSIX says a regular file is.
//!
//! The call runs in three phases: decoding (which reads the clocks, so a
//! relative timeout counts from the call's start), the wait, which the
//! [`Execution`] turns into a blocked thread or a yield to the executor,
//! and the report.

use smallvec::SmallVec;

use super::descriptor::Kind;
use super::memory::GuestMemory;
use super::types::{event, eventrwflags, eventtype, rights, subclockflags, subscription};
use super::Errno;
use super::WasiP1Ctx;
use crate::execution::Execution;
use crate::poll::{Interest, Readiness};

/// Subscriptions this many or fewer are tracked on the stack.
const INLINE: usize = 8;

/// One decoded subscription and what has happened to it so far.
struct Sub {
    userdata: u64,
    kind: u8,
    /// Set once the subscription has an event to report.
    fired: Option<Fired>,
}

#[derive(Clone, Copy)]
struct Fired {
    error: Errno,
    nbytes: u64,
    hangup: bool,
}

impl Fired {
    fn ready(nbytes: u64) -> Self {
        Fired {
            error: Errno::Success,
            nbytes,
            hangup: false,
        }
    }

    fn error(error: Errno) -> Self {
        Fired {
            error,
            nbytes: 0,
            hangup: false,
        }
    }
}

/// A call's subscriptions, decoded, with what each waits for. The
/// interests borrow host descriptors from the context, so nothing can close
/// them while the call waits.
struct Decoded<'a> {
    subs: SmallVec<[Sub; INLINE]>,
    interests: SmallVec<[Interest<'a>; INLINE]>,
}

pub async fn poll_oneoff(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    subscriptions: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
    execution: Execution,
) -> Result<(), Errno> {
    let Decoded {
        mut subs,
        interests,
    } = decode(ctx, mem, subscriptions, events, nsubscriptions, nevents)?;
    // Subscriptions already answered still look at the rest, without
    // waiting, so that one call reports everything that is ready.
    let block = subs.iter().all(|s| s.fired.is_none());
    let mut found: SmallVec<[Readiness; INLINE]> =
        SmallVec::from_elem(Readiness::Pending, interests.len());
    let clock = ctx.grants.monotonic_clock.as_ref();
    if let Err(err) = execution.wait(clock, &interests, &mut found, block).await {
        return Err(err.into());
    }
    record(&mut subs, &found);
    report(mem, &subs, events, nevents)
}

fn decode<'a>(
    ctx: &'a WasiP1Ctx,
    mem: &GuestMemory<'_>,
    subscriptions: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> Result<Decoded<'a>, Errno> {
    if nsubscriptions == 0 {
        return Err(Errno::Inval);
    }
    // Both arrays must lie inside memory before anything is decoded, which
    // also bounds how much the host allocates by the guest's memory size.
    let in_len = nsubscriptions
        .checked_mul(subscription::SIZE)
        .ok_or(Errno::Fault)?;
    let out_len = nsubscriptions
        .checked_mul(event::SIZE)
        .ok_or(Errno::Fault)?;
    mem.slice(subscriptions, in_len)?;
    mem.slice(events, out_len)?;
    mem.slice(nevents, 4)?;

    let mono_now = ctx.grants.monotonic_clock.now();
    let mut subs: SmallVec<[Sub; INLINE]> = SmallVec::new();
    let mut interests: SmallVec<[Interest<'_>; INLINE]> = SmallVec::new();
    for i in 0..nsubscriptions {
        let base = subscriptions + i * subscription::SIZE;
        let mut sub = Sub {
            userdata: mem.read_u64(base + subscription::USERDATA)?,
            kind: mem.read_u8(base + subscription::TAG)?,
            fired: None,
        };
        // A subscription that has its answer already still takes its place
        // in the wait, as always-ready, so the indices line up.
        let mut interest = Interest::Ready;
        match sub.kind {
            eventtype::CLOCK => {
                let id = mem.read_u32(base + subscription::CLOCK_ID)?;
                let timeout = mem.read_u64(base + subscription::CLOCK_TIMEOUT)?;
                let flags = mem.read_u16(base + subscription::CLOCK_FLAGS)?;
                // Whatever clock it names, the wait is measured on the
                // monotonic one: the time left now, from now.
                match super::clock::read(ctx, id, false) {
                    Ok(now) => {
                        let left = if flags & subclockflags::SUBSCRIPTION_CLOCK_ABSTIME != 0 {
                            timeout.saturating_sub(now)
                        } else {
                            timeout
                        };
                        interest = Interest::Deadline(mono_now.saturating_add(left));
                    }
                    Err(errno) => sub.fired = Some(Fired::error(errno)),
                }
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = mem.read_u32(base + subscription::FD)?;
                match ctx
                    .descriptor(fd, rights::POLL_FD_READWRITE)
                    .and_then(|d| Ok(d.handle.kind()?))
                {
                    Err(errno) => sub.fired = Some(Fired::error(errno)),
                    Ok(Kind::Dir(_)) => sub.fired = Some(Fired::error(Errno::Isdir)),
                    Ok(Kind::File(file)) => match file.pollable() {
                        Some(host_fd) if sub.kind == eventtype::FD_READ => {
                            interest = Interest::Read(host_fd);
                        }
                        Some(host_fd) => interest = Interest::Write(host_fd),
                        None => sub.fired = Some(Fired::ready(file.bytes_ready().unwrap_or(0))),
                    },
                }
            }
            _ => return Err(Errno::Inval),
        }
        subs.push(sub);
        interests.push(interest);
    }

    Ok(Decoded { subs, interests })
}

/// Gives each subscription still unanswered what the wait found for it.
fn record(subs: &mut [Sub], found: &[Readiness]) {
    for (sub, readiness) in subs.iter_mut().zip(found) {
        if sub.fired.is_some() {
            continue;
        }
        sub.fired = match readiness {
            Readiness::Pending => None,
            Readiness::Ready => Some(Fired::ready(0)),
            Readiness::Hangup => Some(Fired {
                hangup: true,
                ..Fired::ready(0)
            }),
            Readiness::Invalid => Some(Fired::error(Errno::Badf)),
            Readiness::Failed => Some(Fired::error(Errno::Io)),
        };
    }
}

/// Writes an event for each answered subscription, and their count.
fn report(mem: &mut GuestMemory<'_>, subs: &[Sub], events: u32, nevents: u32) -> Result<(), Errno> {
    let mut count = 0u32;
    for sub in subs {
        let Some(fired) = sub.fired else { continue };
        let mut out = [0u8; event::SIZE as usize];
        out[event::USERDATA as usize..][..8].copy_from_slice(&sub.userdata.to_le_bytes());
        out[event::ERROR as usize..][..2].copy_from_slice(&(fired.error as u16).to_le_bytes());
        out[event::TYPE as usize] = sub.kind;
        if sub.kind != eventtype::CLOCK {
            let rw = event::FD_READWRITE as usize;
            out[rw..][..8].copy_from_slice(&fired.nbytes.to_le_bytes());
            if fired.hangup {
                out[rw + 8..][..2]
                    .copy_from_slice(&eventrwflags::FD_READWRITE_HANGUP.to_le_bytes());
            }
        }
        mem.write(events + count * event::SIZE, &out)?;
        count += 1;
    }
    mem.write_u32(nevents, count)
}
