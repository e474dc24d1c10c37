//! `wasi:random`: secure and insecure random bytes, and the insecure seed.
//!
//! The core's calls already answer `Result<_, Termination>`, an
//! [`Outcome`]: running out of randomness ends the guest.

use crate::component::abi::{allocate, span, trap, Abi, Flat, Guest, Outcome};
use crate::component::signatures::FlatType;
use crate::p2::random::{self as core, insecure, insecure_seed, random};

/// A `list<u8>` of random bytes, drawn straight into the room the guest's
/// allocator gives for them: the host never holds them, so a guest asking
/// for many costs the host nothing its own memory does not pay for. Both
/// `wasi:random` interfaces draw from the same source.
struct RandomBytes(u32);

impl Abi for RandomBytes {
    const FLAT: usize = Vec::<u8>::FLAT;
    const SIZE: u32 = Vec::<u8>::SIZE;
    const ALIGN: u32 = Vec::<u8>::ALIGN;
    fn flat_types(out: &mut Vec<FlatType>) {
        Vec::<u8>::flat_types(out)
    }
    fn lift(_: &mut Flat<'_>, _: &[u8]) -> Outcome<Self> {
        trap("random bytes are only ever a result")
    }
    fn load(_: &[u8], _: u32) -> Outcome<Self> {
        trap("random bytes are only ever a result")
    }
    fn store(self, guest: &mut dyn Guest, at: u32) -> Outcome<()> {
        let data = allocate(guest, 1, self.0)?;
        let (memory, ctx) = guest.memory_and_ctx();
        let range = span(memory, data, self.0)?;
        core::fill(ctx, &mut memory[range])?;
        data.store(guest, at)?;
        self.0.store(guest, at + 4)
    }
}

fn random_bytes(len: u64) -> Outcome<RandomBytes> {
    core::check_len(len).map(RandomBytes)
}

host_functions! {
    // ---- wasi:random/random
    "wasi:random/random" "get-random-bytes" |ctx, len: u64| -> RandomBytes {
        random_bytes(len)
    }
    "wasi:random/random" "get-random-u64" |ctx| -> u64 {
        random::get_random_u64(ctx)
    }

    // ---- wasi:random/insecure
    "wasi:random/insecure" "get-insecure-random-bytes" |ctx, len: u64| -> RandomBytes {
        random_bytes(len)
    }
    "wasi:random/insecure" "get-insecure-random-u64" |ctx| -> u64 {
        insecure::get_insecure_random_u64(ctx)
    }

    // ---- wasi:random/insecure-seed
    "wasi:random/insecure-seed" "insecure-seed" |ctx| -> (u64, u64) {
        insecure_seed::insecure_seed(ctx)
    }
}
