//! `wasi:clocks`: the wall clock and the monotonic clock.

use crate::p2::clocks::monotonic_clock;
use crate::p2::clocks::wall_clock::{self, Datetime};
use crate::p2::io::poll::Pollable;
use crate::p2::Resource;

use super::trapping;
use crate::cabi_record;

// `datetime`: a record of seconds and nanoseconds.
cabi_record!(Datetime {
    seconds: u64,
    nanoseconds: u32
});

/// `instant` and `duration`: nanoseconds.
type Nanos = u64;

host_functions! {
    // ---- wasi:clocks/wall-clock
    "wasi:clocks/wall-clock" "now" |ctx| -> Datetime {
        Ok(wall_clock::now(ctx))
    }
    "wasi:clocks/wall-clock" "resolution" |ctx| -> Datetime {
        Ok(wall_clock::resolution(ctx))
    }

    // ---- wasi:clocks/monotonic-clock
    "wasi:clocks/monotonic-clock" "now" |ctx| -> Nanos {
        Ok(monotonic_clock::now(ctx))
    }
    "wasi:clocks/monotonic-clock" "resolution" |ctx| -> Nanos {
        Ok(monotonic_clock::resolution(ctx))
    }
    "wasi:clocks/monotonic-clock" "subscribe-instant"
        |ctx, when: Nanos| -> Resource<Pollable> {
        trapping(monotonic_clock::subscribe_instant(ctx, when))
    }
    "wasi:clocks/monotonic-clock" "subscribe-duration"
        |ctx, when: Nanos| -> Resource<Pollable> {
        trapping(monotonic_clock::subscribe_duration(ctx, when))
    }
}
