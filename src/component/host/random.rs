//! `wasi:random`: secure and insecure random bytes, and the insecure seed.
//!
//! The core's calls already answer `Result<_, Termination>`, an
//! [`Outcome`](crate::component::abi::Outcome): running out of randomness
//! ends the guest.

use crate::p2::random::{insecure, insecure_seed, random};

host_functions! {
    // ---- wasi:random/random
    "wasi:random/random" "get-random-bytes" |ctx, len: u64| -> Vec<u8> {
        random::get_random_bytes(ctx, len)
    }
    "wasi:random/random" "get-random-u64" |ctx| -> u64 {
        random::get_random_u64(ctx)
    }

    // ---- wasi:random/insecure
    "wasi:random/insecure" "get-insecure-random-bytes" |ctx, len: u64| -> Vec<u8> {
        insecure::get_insecure_random_bytes(ctx, len)
    }
    "wasi:random/insecure" "get-insecure-random-u64" |ctx| -> u64 {
        insecure::get_insecure_random_u64(ctx)
    }

    // ---- wasi:random/insecure-seed
    "wasi:random/insecure-seed" "insecure-seed" |ctx| -> (u64, u64) {
        insecure_seed::insecure_seed(ctx)
    }
}
