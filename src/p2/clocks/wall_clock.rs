//! `wasi:clocks/wall-clock`.

use crate::p2::WasiP2Ctx;

/// `datetime`: a time since the Unix epoch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Datetime {
    /// Whole seconds.
    pub seconds: u64,
    /// Nanoseconds past them, below 1,000,000,000.
    pub nanoseconds: u32,
}

impl Datetime {
    /// The time `nanos` nanoseconds after the epoch.
    pub fn from_nanos(nanos: u64) -> Self {
        Datetime {
            seconds: nanos / 1_000_000_000,
            nanoseconds: (nanos % 1_000_000_000) as u32,
        }
    }
}

/// `now`: the context's wall clock.
pub fn now(ctx: &WasiP2Ctx) -> Datetime {
    Datetime::from_nanos(ctx.grants.wall_clock.now())
}

/// `resolution`: the wall clock's resolution.
pub fn resolution(ctx: &WasiP2Ctx) -> Datetime {
    Datetime::from_nanos(ctx.grants.wall_clock.resolution())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SteppingClock;
    use crate::p2::testing::ctx;

    #[test]
    fn reads_the_context_clock() {
        let ctx = ctx(|b| {
            b.wall_clock(SteppingClock::new(1_700_000_000_123_456_789, 1_000_000_001));
        });
        assert_eq!(
            now(&ctx),
            Datetime {
                seconds: 1_700_000_000,
                nanoseconds: 123_456_789
            }
        );
        assert_eq!(
            resolution(&ctx),
            Datetime {
                seconds: 1,
                nanoseconds: 1
            }
        );
    }
}
