//! `wasi:clocks/monotonic-clock`.

use crate::p2::WasiP2Ctx;

/// `now`: nanoseconds on the context's monotonic clock.
pub fn now(ctx: &WasiP2Ctx) -> u64 {
    ctx.grants.monotonic_clock.now()
}

/// `resolution`: the clock's resolution in nanoseconds.
pub fn resolution(ctx: &WasiP2Ctx) -> u64 {
    ctx.grants.monotonic_clock.resolution()
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
