//! `wasi:random`: the context's source of randomness, the same one
//! preview1's `random_get` reads, so a replaced source applies to both.

pub mod insecure;
pub mod insecure_seed;
// The interface is `wasi:random/random`; its file keeps the WIT's name.
#[allow(clippy::module_inception)]
pub mod random;

use crate::engine::Termination;
use crate::p2::WasiP2Ctx;

/// The most bytes one call may ask for. The WIT gives these calls no error
/// to return, and a guest asking for more than this cannot have meant it;
/// the call traps rather than have the host allocate it.
pub const MAX_BYTES: u64 = 64 << 20;

/// `len`, if a guest may ask for that many random bytes at once; a trap
/// past [`MAX_BYTES`].
pub fn check_len(len: u64) -> Result<u32, Termination> {
    match u32::try_from(len) {
        Ok(len) if u64::from(len) <= MAX_BYTES => Ok(len),
        _ => Err(Termination::Trap(format!(
            "asked for {len} random bytes; at most {MAX_BYTES} may be asked for at once"
        ))),
    }
}

/// Fills `out` from the context's source, for an ABI that writes the bytes
/// straight into guest memory.
pub fn fill(ctx: &mut WasiP2Ctx, out: &mut [u8]) -> Result<(), Termination> {
    ctx.grants
        .random
        .fill(out)
        .map_err(|e| Termination::Trap(format!("the host's randomness failed: {e}")))
}

/// `len` bytes from the context's source.
fn bytes(ctx: &mut WasiP2Ctx, len: u64) -> Result<Vec<u8>, Termination> {
    let mut out = vec![0; check_len(len)? as usize];
    fill(ctx, &mut out)?;
    Ok(out)
}

/// A `u64` from the context's source.
fn u64_from(ctx: &mut WasiP2Ctx) -> Result<u64, Termination> {
    let mut out = [0u8; 8];
    ctx.grants
        .random
        .fill(&mut out)
        .map_err(|e| Termination::Trap(format!("the host's randomness failed: {e}")))?;
    Ok(u64::from_le_bytes(out))
}
