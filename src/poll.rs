//! Readiness: what a guest can wait for, and the one place that waits.
//!
//! Every ABI's wait (preview1's `poll_oneoff`, and preview2's pollables)
//! turns what the guest subscribed to into [`Interest`]s and calls
//! [`wait`]: one host `poll(2)` over the host descriptors among them, with
//! the nearest deadline as its timeout.
//!
//! Deadlines are readings of the context's monotonic clock, so a replaced
//! clock governs waits as it governs what the guest reads: a deadline is
//! met once the clock reaches it, and a wait reads a replaced clock again
//! as it sleeps ([`MonotonicClock::recheck_after`]). A wait never outlasts
//! the real time the clock said remained when it began, though: a clock
//! that stands still or crawls must not hang the host.

use std::future::Future;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd};
use std::task::Poll;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;
use smallvec::SmallVec;
use tokio::io::unix::AsyncFd;

use crate::clock::MonotonicClock;

/// Waits on this many host descriptors or fewer allocate nothing.
const INLINE: usize = 8;

/// One thing a wait can be woken by.
#[derive(Clone, Copy, Debug)]
pub enum Interest<'a> {
    /// Met when the monotonic clock reads at least this many nanoseconds.
    Deadline(u64),
    /// Met when the host descriptor can be read without blocking.
    Read(BorrowedFd<'a>),
    /// Met when the host descriptor can be written without blocking.
    Write(BorrowedFd<'a>),
    /// Met when the host descriptor can be read or written: for an object
    /// whose state decides which (a socket waits to accept while listening,
    /// to finish connecting while connecting).
    ReadOrWrite(BorrowedFd<'a>),
    /// Met already: an object with no host descriptor behind it (memory,
    /// a regular file) never makes anyone wait.
    Ready,
}

/// What a wait found for one [`Interest`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Not met.
    Pending,
    /// Met.
    Ready,
    /// Met: the peer hung up, so a read sees the end of the stream.
    Hangup,
    /// The host descriptor is not open (`POLLNVAL`).
    Invalid,
    /// The host descriptor is in an error state (`POLLERR`).
    Failed,
}

impl Readiness {
    /// Whether a guest waiting on this would be woken.
    pub fn is_met(self) -> bool {
        self != Readiness::Pending
    }
}

/// When a wait began, on the context's clock and in real time: a wait
/// never outlasts the real time its deadlines had left when it began.
#[derive(Clone, Copy)]
struct Began {
    real: Instant,
    clock: u64,
}

impl Began {
    fn now(clock: &dyn MonotonicClock) -> Self {
        Began {
            real: Instant::now(),
            clock: clock.now(),
        }
    }

    fn real_elapsed(&self) -> u64 {
        self.real
            .elapsed()
            .as_nanos()
            .try_into()
            .unwrap_or(u64::MAX)
    }
}

/// Answers the interests that need no host descriptor (deadlines and
/// always-ready objects) in `found`; returns whether any is met, and the
/// real nanoseconds until the nearest pending deadline should be looked at
/// again.
fn look_at_deadlines(
    clock: &dyn MonotonicClock,
    began: Began,
    interests: &[Interest<'_>],
    found: &mut [Readiness],
) -> (bool, Option<u64>) {
    let now = clock.now();
    let real = began.real_elapsed();
    let mut any = false;
    let mut timeout: Option<u64> = None;
    for (interest, answer) in interests.iter().zip(found.iter_mut()) {
        *answer = match *interest {
            Interest::Ready => Readiness::Ready,
            Interest::Deadline(at) => {
                let by_clock = at.saturating_sub(now);
                let by_real = at.saturating_sub(began.clock).saturating_sub(real);
                if by_clock == 0 || by_real == 0 {
                    Readiness::Ready
                } else {
                    let sleep = clock.recheck_after(by_clock).min(by_real).max(1);
                    timeout = Some(timeout.map_or(sleep, |t| t.min(sleep)));
                    Readiness::Pending
                }
            }
            Interest::Read(_) | Interest::Write(_) | Interest::ReadOrWrite(_) => Readiness::Pending,
        };
        any |= answer.is_met();
    }
    (any, timeout)
}

/// The host descriptors among a wait's interests, each once, with all
/// that is wanted of it: a guest's list may name one descriptor a hundred
/// thousand times, and `poll(2)` refuses more entries than the process may
/// hold descriptors.
struct HostFds<'a> {
    /// Each descriptor, and what is wanted of it.
    wanted: SmallVec<[(BorrowedFd<'a>, PollFlags); INLINE]>,
    fds: SmallVec<[PollFd<'a>; INLINE]>,
    /// For each interest, its entry in `fds`; `NONE` for one without a
    /// host descriptor.
    slots: SmallVec<[u32; INLINE]>,
}

const NONE: u32 = u32::MAX;

impl<'a> HostFds<'a> {
    fn new(interests: &[Interest<'a>]) -> Self {
        let mut order: SmallVec<[(i32, u32); INLINE]> = SmallVec::new();
        for (at, interest) in interests.iter().enumerate() {
            if let Interest::Read(fd) | Interest::Write(fd) | Interest::ReadOrWrite(fd) = interest {
                order.push((fd.as_raw_fd(), at as u32));
            }
        }
        order.sort_unstable();
        let mut wanted: SmallVec<[(BorrowedFd<'a>, PollFlags); INLINE]> = SmallVec::new();
        let mut slots: SmallVec<[u32; INLINE]> = SmallVec::from_elem(NONE, interests.len());
        let mut last = None;
        for (raw, at) in order {
            let (fd, events) = match interests[at as usize] {
                Interest::Read(fd) => (fd, PollFlags::IN),
                Interest::Write(fd) => (fd, PollFlags::OUT),
                Interest::ReadOrWrite(fd) => (fd, PollFlags::IN | PollFlags::OUT),
                Interest::Deadline(_) | Interest::Ready => continue,
            };
            if last != Some(raw) {
                wanted.push((fd, PollFlags::empty()));
                last = Some(raw);
            }
            let slot = wanted.len() - 1;
            wanted[slot].1 |= events;
            slots[at as usize] = slot as u32;
        }
        let fds = wanted
            .iter()
            .map(|(fd, events)| PollFd::from_borrowed_fd(*fd, *events))
            .collect();
        HostFds { wanted, fds, slots }
    }

    fn is_empty(&self) -> bool {
        self.fds.is_empty()
    }

    /// One host `poll(2)`, waiting at most `timeout` nanoseconds (forever
    /// for `None`); fills in the answers of the interests with a host
    /// descriptor and returns whether any is met.
    fn poll(
        &mut self,
        interests: &[Interest<'_>],
        found: &mut [Readiness],
        timeout: Option<u64>,
    ) -> io::Result<bool> {
        let timespec = timeout.map(|ns| Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        });
        match rustix::event::poll(&mut self.fds, timespec.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(errno) => return Err(errno.into()),
        }
        let mut any = false;
        for ((interest, answer), slot) in interests.iter().zip(found.iter_mut()).zip(&self.slots) {
            if *slot == NONE {
                continue;
            }
            let wanted = match interest {
                Interest::Write(_) => PollFlags::OUT,
                Interest::ReadOrWrite(_) => PollFlags::IN | PollFlags::OUT,
                _ => PollFlags::IN,
            };
            let revents = self.fds[*slot as usize].revents();
            *answer = if revents.contains(PollFlags::NVAL) {
                Readiness::Invalid
            } else if revents.contains(PollFlags::ERR) {
                Readiness::Failed
            } else if revents.contains(PollFlags::HUP) {
                Readiness::Hangup
            } else if revents.intersects(wanted) {
                Readiness::Ready
            } else {
                Readiness::Pending
            };
            any |= answer.is_met();
        }
        Ok(any)
    }
}

/// Deadlines met while the host waited are reported too.
fn mark_deadlines_met(
    clock: &dyn MonotonicClock,
    began: Began,
    interests: &[Interest<'_>],
    found: &mut [Readiness],
) {
    let now = clock.now();
    let real = began.real_elapsed();
    for (interest, answer) in interests.iter().zip(found.iter_mut()) {
        if let Interest::Deadline(at) = *interest {
            if now >= at || real >= at.saturating_sub(began.clock) {
                *answer = Readiness::Ready;
            }
        }
    }
}

/// Fills `found` (one entry per interest) with what is met. With `block`,
/// first waits until at least one is, blocking the calling thread; without,
/// only looks.
pub fn wait(
    clock: &dyn MonotonicClock,
    interests: &[Interest<'_>],
    found: &mut [Readiness],
    block: bool,
) -> io::Result<()> {
    if interests.len() != found.len() {
        return Err(io::ErrorKind::InvalidInput.into());
    }
    let began = Began::now(clock);
    let mut host = HostFds::new(interests);
    loop {
        let (mut any, timeout) = look_at_deadlines(clock, began, interests, found);
        let timeout = if any || !block { Some(0) } else { timeout };
        if host.is_empty() {
            match timeout {
                Some(0) => return Ok(()),
                Some(ns) => std::thread::sleep(Duration::from_nanos(ns)),
                // Nothing could ever wake this wait; the ABI layers refuse
                // an empty one before it gets here.
                None => return Err(io::ErrorKind::InvalidInput.into()),
            }
            continue;
        }
        any |= host.poll(interests, found, timeout)?;
        if any || !block {
            mark_deadlines_met(clock, began, interests, found);
            return Ok(());
        }
    }
}

/// A descriptor registered with tokio's reactor, and what is wanted of it.
type Watched = (AsyncFd<OwnedFd>, tokio::io::Interest);

const READ: tokio::io::Interest = tokio::io::Interest::READABLE;
const WRITE: tokio::io::Interest = tokio::io::Interest::WRITABLE;

/// Registers each of `host`'s descriptors with tokio's reactor, for all
/// that is wanted of it. Each is registered on a duplicate, so that the
/// registration belongs to this wait alone and never disturbs the guest's
/// descriptor or another wait on it.
fn register(host: &HostFds<'_>) -> io::Result<SmallVec<[Watched; INLINE]>> {
    let mut watched = SmallVec::new();
    for (fd, events) in &host.wanted {
        let interest = match (
            events.contains(PollFlags::IN),
            events.contains(PollFlags::OUT),
        ) {
            (true, true) => READ | WRITE,
            (false, true) => WRITE,
            _ => READ,
        };
        // SAFETY: the AsyncFd owns the duplicate, which stays open and
        // unchanged for as long as the AsyncFd lives.
        let duplicate = fd.try_clone_to_owned()?;
        match unsafe { AsyncFd::register_with_interest(duplicate, interest) } {
            Ok(registered) => watched.push((registered, interest)),
            Err(e) => {
                let (_, cause) = e.into_parts();
                // epoll refuses only what is always ready (a regular file),
                // which the host poll reports as such.
                if cause.raw_os_error() != Some(rustix::io::Errno::PERM.raw_os_error()) {
                    return Err(cause);
                }
            }
        }
    }
    Ok(watched)
}

/// [`wait`] with `block`, for a guest run on a tokio runtime: instead of
/// blocking the thread, the wait yields to the executor, with the host
/// descriptors registered with tokio's reactor and the deadlines on its
/// timer. The runtime needs its I/O and time drivers (`enable_all`).
/// Outside a runtime it is [`wait`].
pub async fn wait_async(
    clock: &dyn MonotonicClock,
    interests: &[Interest<'_>],
    found: &mut [Readiness],
) -> io::Result<()> {
    if interests.len() != found.len() {
        return Err(io::ErrorKind::InvalidInput.into());
    }
    if tokio::runtime::Handle::try_current().is_err() {
        return wait(clock, interests, found, true);
    }
    let began = Began::now(clock);
    let mut host = HostFds::new(interests);
    let watched = register(&host)?;
    loop {
        let (mut any, timeout) = look_at_deadlines(clock, began, interests, found);
        if !host.is_empty() {
            any |= host.poll(interests, found, Some(0))?;
        }
        if any {
            mark_deadlines_met(clock, began, interests, found);
            return Ok(());
        }
        if watched.is_empty() && timeout.is_none() {
            // Only descriptors the reactor refused, none of them ready:
            // nothing could wake this wait but a blocking poll.
            return wait(clock, interests, found, true);
        }
        let mut sleep = timeout.map(|ns| Box::pin(tokio::time::sleep(Duration::from_nanos(ns))));
        std::future::poll_fn(|cx| {
            let mut woken = false;
            for (registered, wanted) in &watched {
                for write in [false, true] {
                    if (write && !wanted.is_writable()) || (!write && !wanted.is_readable()) {
                        continue;
                    }
                    let ready = if write {
                        registered.poll_write_ready(cx)
                    } else {
                        registered.poll_read_ready(cx)
                    };
                    match ready {
                        // The host poll above decides what is ready; the
                        // reactor's word is only a reason to look again.
                        Poll::Ready(Ok(mut guard)) => {
                            guard.clear_ready();
                            woken = true;
                        }
                        Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                        Poll::Pending => {}
                    }
                }
            }
            if let Some(sleep) = sleep.as_mut() {
                woken |= sleep.as_mut().poll(cx).is_ready();
            }
            if woken {
                Poll::Ready(Ok(()))
            } else {
                Poll::Pending
            }
        })
        .await?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;

    use crate::clock::{HostMonotonicClock, SteppingClock};

    #[test]
    fn a_frozen_clock_cannot_hang_a_wait() {
        let frozen = SteppingClock::new(1_000, 0);
        let mut found = [Readiness::Pending];
        let started = Instant::now();
        let result = wait(
            &frozen,
            &[Interest::Deadline(1_000 + 20_000_000)],
            &mut found,
            true,
        );
        assert!(result.is_ok());
        assert_eq!(found, [Readiness::Ready]);
        assert!(started.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn a_fast_clock_shortens_a_wait() {
        // Each reading is 10 s on: a 10 min deadline is met in 60 reads.
        let fast = SteppingClock::new(0, 10_000_000_000);
        let mut found = [Readiness::Pending];
        let started = Instant::now();
        let result = wait(
            &fast,
            &[Interest::Deadline(600_000_000_000)],
            &mut found,
            true,
        );
        assert!(result.is_ok());
        assert_eq!(found, [Readiness::Ready]);
        assert!(started.elapsed() < Duration::from_secs(60));
    }

    #[test]
    fn ready_objects_and_looking_do_not_wait() {
        let clock = HostMonotonicClock;
        let far = clock.now() + 3_600_000_000_000;
        let mut found = [Readiness::Pending; 2];
        let started = Instant::now();
        let interests = [Interest::Deadline(far), Interest::Ready];
        assert!(wait(&clock, &interests, &mut found, true).is_ok());
        assert_eq!(found, [Readiness::Pending, Readiness::Ready]);
        let mut found = [Readiness::Pending];
        assert!(wait(&clock, &[Interest::Deadline(far)], &mut found, false).is_ok());
        assert_eq!(found, [Readiness::Pending]);
        assert!(started.elapsed() < Duration::from_secs(1));
    }

    #[test]
    fn a_pipe_is_readable_once_written() {
        let (read, write) = rustix::pipe::pipe().expect("pipe");
        let clock = HostMonotonicClock;
        let mut found = [Readiness::Pending; 2];
        let both = [Interest::Read(read.as_fd()), Interest::Write(write.as_fd())];
        assert!(wait(&clock, &both, &mut found, true).is_ok());
        assert_eq!(found, [Readiness::Pending, Readiness::Ready]);
        assert_eq!(rustix::io::write(&write, b"x"), Ok(1));
        let readable = [Interest::Read(read.as_fd())];
        let mut found = [Readiness::Pending];
        assert!(wait(&clock, &readable, &mut found, true).is_ok());
        assert_eq!(found, [Readiness::Ready]);
        drop(write);
        let mut byte = [0u8];
        assert_eq!(rustix::io::read(&read, &mut byte), Ok(1));
        assert!(wait(&clock, &readable, &mut found, true).is_ok());
        assert_eq!(found, [Readiness::Hangup]);
    }

    #[test]
    fn one_descriptor_named_a_hundred_thousand_times_is_waited_on_once() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (read, write) = rustix::pipe::pipe().expect("pipe");
        let clock = HostMonotonicClock;
        let mut interests = vec![Interest::Read(read.as_fd()); 100_000];
        interests.push(Interest::Write(read.as_fd()));
        interests.push(Interest::Deadline(clock.now() + 10_000_000));
        let mut found = vec![Readiness::Pending; interests.len()];
        let waited = runtime.block_on(wait_async(&clock, &interests, &mut found));
        assert!(waited.is_ok(), "{waited:?}");
        assert_eq!(found[100_001], Readiness::Ready);
        assert!(found[..100_000].iter().all(|r| *r == Readiness::Pending));
        // An entry (and a reactor registration) per interest would be
        // 100,000 of them, more than a usual descriptor limit allows, which
        // poll(2) refuses; one per descriptor is one.
        assert_eq!(rustix::io::write(&write, b"x"), Ok(1));
        let mut found = vec![Readiness::Pending; interests.len()];
        let waited = runtime.block_on(wait_async(
            &clock,
            &interests[..100_000],
            &mut found[..100_000],
        ));
        assert!(waited.is_ok());
        assert!(found[..100_000].iter().all(|r| *r == Readiness::Ready));
        let mut found = vec![Readiness::Pending; 100_000];
        assert!(wait(&clock, &interests[..100_000], &mut found, true).is_ok());
        assert!(found.iter().all(|r| *r == Readiness::Ready));
    }
}
