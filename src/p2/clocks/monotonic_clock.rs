//! `wasi:clocks/monotonic-clock`.

use crate::p2::io::poll::{subscribe_deadline, Pollable};
use crate::p2::{Resource, Trap, WasiP2Ctx};

/// `now`: nanoseconds on the context's monotonic clock.
pub fn now(ctx: &WasiP2Ctx) -> u64 {
    ctx.grants.monotonic_clock.now()
}

/// `resolution`: the clock's resolution in nanoseconds.
pub fn resolution(ctx: &WasiP2Ctx) -> u64 {
    ctx.grants.monotonic_clock.resolution()
}

/// `subscribe-instant`: a pollable ready once the clock reads `when`.
pub fn subscribe_instant(ctx: &mut WasiP2Ctx, when: u64) -> Result<Resource<Pollable>, Trap> {
    subscribe_deadline(ctx, when)
}

/// `subscribe-duration`: a pollable ready `duration` nanoseconds from now.
pub fn subscribe_duration(ctx: &mut WasiP2Ctx, duration: u64) -> Result<Resource<Pollable>, Trap> {
    let when = now(ctx).saturating_add(duration);
    subscribe_deadline(ctx, when)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SteppingClock;
    use crate::p2::testing::ctx;

    #[test]
    fn reads_the_context_clock() {
        let ctx = ctx(|b| {
            b.monotonic_clock(SteppingClock::new(100, 7));
        });
        assert_eq!(now(&ctx), 100);
        assert_eq!(now(&ctx), 107);
        assert_eq!(resolution(&ctx), 7);
    }
}
