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

use std::io;
use std::os::fd::BorrowedFd;
use std::time::{Duration, Instant};

use rustix::event::{PollFd, PollFlags};
use rustix::time::Timespec;
use smallvec::SmallVec;

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

/// Fills `found` (one entry per interest) with what is met. With `block`,
/// first waits until at least one is; without, only looks.
pub fn wait(
    clock: &dyn MonotonicClock,
    interests: &[Interest<'_>],
    found: &mut [Readiness],
    block: bool,
) -> io::Result<()> {
    if interests.len() != found.len() {
        return Err(io::ErrorKind::InvalidInput.into());
    }
    let started = Instant::now();
    let began = clock.now();
    let mut pollfds: SmallVec<[PollFd<'_>; INLINE]> = SmallVec::new();
    for interest in interests {
        match interest {
            Interest::Read(fd) => pollfds.push(PollFd::from_borrowed_fd(*fd, PollFlags::IN)),
            Interest::Write(fd) => pollfds.push(PollFd::from_borrowed_fd(*fd, PollFlags::OUT)),
            Interest::Deadline(_) | Interest::Ready => {}
        }
    }
    loop {
        let now = clock.now();
        let real = started.elapsed().as_nanos().try_into().unwrap_or(u64::MAX);
        let mut any = false;
        // Until the next deadline, in real nanoseconds.
        let mut timeout: Option<u64> = None;
        for (interest, answer) in interests.iter().zip(found.iter_mut()) {
            *answer = match *interest {
                Interest::Ready => Readiness::Ready,
                Interest::Deadline(at) => {
                    let by_clock = at.saturating_sub(now);
                    let by_real = at.saturating_sub(began).saturating_sub(real);
                    if by_clock == 0 || by_real == 0 {
                        Readiness::Ready
                    } else {
                        let sleep = clock.recheck_after(by_clock).min(by_real).max(1);
                        timeout = Some(timeout.map_or(sleep, |t| t.min(sleep)));
                        Readiness::Pending
                    }
                }
                Interest::Read(_) | Interest::Write(_) => Readiness::Pending,
            };
            any |= answer.is_met();
        }
        let timeout = if any || !block { Some(0) } else { timeout };
        if pollfds.is_empty() {
            match timeout {
                Some(0) => return Ok(()),
                Some(ns) => std::thread::sleep(Duration::from_nanos(ns)),
                // Nothing could ever wake this wait; the ABI layers refuse
                // an empty one before it gets here.
                None => return Err(io::ErrorKind::InvalidInput.into()),
            }
            continue;
        }
        let timespec = timeout.map(|ns| Timespec {
            tv_sec: (ns / 1_000_000_000) as i64,
            tv_nsec: (ns % 1_000_000_000) as _,
        });
        match rustix::event::poll(&mut pollfds, timespec.as_ref()) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(errno) => return Err(errno.into()),
        }
        let mut next = pollfds.iter();
        for (interest, answer) in interests.iter().zip(found.iter_mut()) {
            if !matches!(interest, Interest::Read(_) | Interest::Write(_)) {
                continue;
            }
            let Some(pollfd) = next.next() else { break };
            let revents = pollfd.revents();
            *answer = if revents.contains(PollFlags::NVAL) {
                Readiness::Invalid
            } else if revents.contains(PollFlags::ERR) {
                Readiness::Failed
            } else if revents.contains(PollFlags::HUP) {
                Readiness::Hangup
            } else if revents.is_empty() {
                Readiness::Pending
            } else {
                Readiness::Ready
            };
            any |= answer.is_met();
        }
        if any || !block {
            // Deadlines met while the host waited are reported too.
            let now = clock.now();
            let real = started.elapsed().as_nanos().try_into().unwrap_or(u64::MAX);
            for (interest, answer) in interests.iter().zip(found.iter_mut()) {
                if let Interest::Deadline(at) = *interest {
                    if now >= at || real >= at.saturating_sub(began) {
                        *answer = Readiness::Ready;
                    }
                }
            }
            return Ok(());
        }
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
}
