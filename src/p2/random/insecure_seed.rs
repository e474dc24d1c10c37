//! `wasi:random/insecure-seed`.

use crate::engine::Termination;
use crate::p2::WasiP2Ctx;

/// `insecure-seed`: 128 bits drawn from the context's source on the first
/// call, and the same answer on every call after, as the WIT asks (it
/// seeds hash tables against flooding, which must stay consistent).
pub fn insecure_seed(ctx: &mut WasiP2Ctx) -> Result<(u64, u64), Termination> {
    if let Some(seed) = ctx.insecure_seed {
        return Ok(seed);
    }
    let seed = (super::u64_from(ctx)?, super::u64_from(ctx)?);
    ctx.insecure_seed = Some(seed);
    Ok(seed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::p2::testing::ctx;

    #[test]
    fn the_same_for_the_whole_run() {
        let mut ctx = ctx(|_| {});
        let seed = insecure_seed(&mut ctx);
        assert!(seed.is_ok());
        assert_eq!(insecure_seed(&mut ctx), seed);
    }
}
