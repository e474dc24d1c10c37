//! `wasi:random/random`.

use crate::engine::Termination;
use crate::p2::WasiP2Ctx;

/// `get-random-bytes`: `len` bytes from the context's secure source; a
/// trap past [`super::MAX_BYTES`].
pub fn get_random_bytes(ctx: &mut WasiP2Ctx, len: u64) -> Result<Vec<u8>, Termination> {
    super::bytes(ctx, len)
}

/// `get-random-u64`.
pub fn get_random_u64(ctx: &mut WasiP2Ctx) -> Result<u64, Termination> {
    super::u64_from(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::testing::ctx;
    use crate::random::Deterministic;

    #[test]
    fn seeded_sources_repeat_and_huge_asks_trap() {
        let mut a = ctx(|b| {
            b.random(Deterministic::new(3));
        });
        let mut b = ctx(|b| {
            b.random(Deterministic::new(3));
        });
        let first = get_random_bytes(&mut a, 32);
        assert_eq!(first, get_random_bytes(&mut b, 32));
        assert_eq!(first.map(|v| v.len()), Ok(32));
        assert_eq!(get_random_u64(&mut a), get_random_u64(&mut b));
        assert_eq!(get_random_bytes(&mut a, 0), Ok(Vec::new()));
        assert!(matches!(
            get_random_bytes(&mut a, u64::MAX),
            Err(Termination::Trap(_))
        ));
    }
}
