//! Clocks a guest can read, replaceable so that tests can be deterministic.

use std::sync::atomic::{AtomicU64, Ordering};

use rustix::time::ClockId;

/// Wall-clock time, in nanoseconds since the Unix epoch.
pub trait WallClock: Send + Sync {
    /// The current time.
    fn now(&self) -> u64;
    /// The clock's resolution in nanoseconds.
    fn resolution(&self) -> u64;
}

/// A clock that never goes backwards, in nanoseconds from an arbitrary start.
///
/// Waits are measured on it (see [`crate::poll`]).
pub trait MonotonicClock: Send + Sync {
    /// The current reading.
    fn now(&self) -> u64;
    /// The clock's resolution in nanoseconds.
    fn resolution(&self) -> u64;
    /// How many real nanoseconds a wait may sleep before it reads this
    /// clock again, when `remaining` nanoseconds of this clock are left
    /// before a deadline. Nobody knows how a replaced clock relates to
    /// real time, so by default it is read again every 10 ms.
    fn recheck_after(&self, remaining: u64) -> u64 {
        remaining.min(10_000_000)
    }
}

/// Reads one of the host kernel's clocks.
pub(crate) fn host_now(id: ClockId) -> u64 {
    let ts = rustix::time::clock_gettime(id);
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// The host kernel's resolution for one of its clocks.
pub(crate) fn host_resolution(id: ClockId) -> u64 {
    let ts = rustix::time::clock_getres(id);
    ((ts.tv_sec as u64) * 1_000_000_000 + ts.tv_nsec as u64).max(1)
}

/// The host's real-time clock.
pub struct HostWallClock;

impl WallClock for HostWallClock {
    fn now(&self) -> u64 {
        host_now(ClockId::Realtime)
    }
    fn resolution(&self) -> u64 {
        host_resolution(ClockId::Realtime)
    }
}

/// The host's monotonic clock.
pub struct HostMonotonicClock;

impl MonotonicClock for HostMonotonicClock {
    fn now(&self) -> u64 {
        host_now(ClockId::Monotonic)
    }
    fn resolution(&self) -> u64 {
        host_resolution(ClockId::Monotonic)
    }
    fn recheck_after(&self, remaining: u64) -> u64 {
        // This is the clock the kernel's timeouts run on.
        remaining
    }
}

/// A clock that starts at a fixed time and moves forward by a fixed step
/// each time it is read, so that a guest's view of time is reproducible.
pub struct SteppingClock {
    next: AtomicU64,
    step: u64,
}

impl SteppingClock {
    /// A clock whose first reading is `start` and which advances by `step`
    /// nanoseconds per reading.
    pub fn new(start: u64, step: u64) -> Self {
        SteppingClock {
            next: AtomicU64::new(start),
            step,
        }
    }

    fn tick(&self) -> u64 {
        self.next.fetch_add(self.step, Ordering::Relaxed)
    }
}

impl WallClock for SteppingClock {
    fn now(&self) -> u64 {
        self.tick()
    }
    fn resolution(&self) -> u64 {
        self.step.max(1)
    }
}

impl MonotonicClock for SteppingClock {
    fn now(&self) -> u64 {
        self.tick()
    }
    fn resolution(&self) -> u64 {
        self.step.max(1)
    }
}
