//! `poll_oneoff`: wait for clocks and for descriptors to become ready.
//!
//! The wait is one host `poll(2)` over every descriptor that has a host
//! handle, with the earliest clock deadline as its timeout. Handles with no
//! host descriptor (in-memory pipes, regular files) are always ready, as
//! POSIX says a regular file is.

use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;
use smallvec::SmallVec;

use super::descriptor::Kind;
use super::memory::GuestMemory;
use super::types::{event, eventrwflags, eventtype, rights, subclockflags, subscription};
use super::Errno;
use super::WasiP1Ctx;

/// Subscriptions this many or fewer are tracked on the stack.
const INLINE: usize = 8;

/// One decoded subscription and what has happened to it so far.
struct Sub {
    userdata: u64,
    kind: u8,
    /// For a clock: nanoseconds from the start of the call until it fires.
    due_in: u64,
    /// For a descriptor: its index among the host descriptors polled.
    poll_index: Option<usize>,
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

pub fn poll_oneoff(
    ctx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    subscriptions: u32,
    events: u32,
    nsubscriptions: u32,
    nevents: u32,
) -> Result<(), Errno> {
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

    let start = Instant::now();
    let mut subs: SmallVec<[Sub; INLINE]> = SmallVec::new();
    let mut pollfds: SmallVec<[PollFd<'_>; INLINE]> = SmallVec::new();
    for i in 0..nsubscriptions {
        let base = subscriptions + i * subscription::SIZE;
        let mut sub = Sub {
            userdata: mem.read_u64(base + subscription::USERDATA)?,
            kind: mem.read_u8(base + subscription::TAG)?,
            due_in: 0,
            poll_index: None,
            fired: None,
        };
        match sub.kind {
            eventtype::CLOCK => {
                let id = mem.read_u32(base + subscription::CLOCK_ID)?;
                let timeout = mem.read_u64(base + subscription::CLOCK_TIMEOUT)?;
                let flags = mem.read_u16(base + subscription::CLOCK_FLAGS)?;
                match super::clock::read(ctx, id, false) {
                    Ok(now) if flags & subclockflags::SUBSCRIPTION_CLOCK_ABSTIME != 0 => {
                        sub.due_in = timeout.saturating_sub(now);
                    }
                    Ok(_) => sub.due_in = timeout,
                    Err(errno) => sub.fired = Some(Fired::error(errno)),
                }
            }
            eventtype::FD_READ | eventtype::FD_WRITE => {
                let fd = mem.read_u32(base + subscription::FD)?;
                match ctx
                    .descriptor(fd, rights::POLL_FD_READWRITE)
                    .and_then(|d| d.handle.kind())
                {
                    Err(errno) => sub.fired = Some(Fired::error(errno)),
                    Ok(Kind::Dir(_)) => sub.fired = Some(Fired::error(Errno::Isdir)),
                    Ok(Kind::File(file)) => match file.pollable() {
                        Some(host_fd) => {
                            let flags = if sub.kind == eventtype::FD_READ {
                                PollFlags::IN
                            } else {
                                PollFlags::OUT
                            };
                            sub.poll_index = Some(pollfds.len());
                            pollfds.push(PollFd::from_borrowed_fd(host_fd, flags));
                        }
                        None => sub.fired = Some(Fired::ready(file.bytes_ready().unwrap_or(0))),
                    },
                }
            }
            _ => return Err(Errno::Inval),
        }
        subs.push(sub);
    }

    loop {
        let elapsed = start.elapsed().as_nanos() as u64;
        let something_fired = subs.iter().any(|s| s.fired.is_some());
        let next_clock = subs
            .iter()
            .filter(|s| s.kind == eventtype::CLOCK && s.fired.is_none())
            .map(|s| s.due_in.saturating_sub(elapsed))
            .min();
        // Already-ready subscriptions still poll the rest, without waiting,
        // so one call reports everything that is ready.
        let wait = if something_fired { Some(0) } else { next_clock };
        if pollfds.is_empty() {
            if let Some(ns) = wait {
                std::thread::sleep(Duration::from_nanos(ns));
            }
        } else {
            let timeout = wait.map(|ns| Timespec {
                tv_sec: (ns / 1_000_000_000) as i64,
                tv_nsec: (ns % 1_000_000_000) as _,
            });
            match rustix::event::poll(&mut pollfds, timeout.as_ref()) {
                Ok(_) | Err(rustix::io::Errno::INTR) => {}
                Err(errno) => return Err(errno.into()),
            }
        }
        let elapsed = start.elapsed().as_nanos() as u64;
        for sub in subs.iter_mut().filter(|s| s.fired.is_none()) {
            if sub.kind == eventtype::CLOCK {
                if sub.due_in <= elapsed {
                    sub.fired = Some(Fired::ready(0));
                }
            } else if let Some(index) = sub.poll_index {
                let revents = pollfds[index].revents();
                if revents.contains(PollFlags::NVAL) {
                    sub.fired = Some(Fired::error(Errno::Badf));
                } else if revents.contains(PollFlags::ERR) {
                    sub.fired = Some(Fired::error(Errno::Io));
                } else if !revents.is_empty() {
                    let mut fired = Fired::ready(0);
                    fired.hangup = revents.contains(PollFlags::HUP);
                    sub.fired = Some(fired);
                }
            }
        }
        if subs.iter().any(|s| s.fired.is_some()) {
            break;
        }
    }

    let mut count = 0u32;
    for sub in &subs {
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
