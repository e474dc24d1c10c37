//! `wasi:random/insecure`: the same source as `wasi:random/random`, which
//! is at least as good as "insecure" asks for.

use crate::engine::Termination;
use crate::p2::WasiP2Ctx;

/// `get-insecure-random-bytes`; a trap past [`super::MAX_BYTES`].
pub fn get_insecure_random_bytes(ctx: &mut WasiP2Ctx, len: u64) -> Result<Vec<u8>, Termination> {
    super::bytes(ctx, len)
}

/// `get-insecure-random-u64`.
pub fn get_insecure_random_u64(ctx: &mut WasiP2Ctx) -> Result<u64, Termination> {
    super::u64_from(ctx)
}
