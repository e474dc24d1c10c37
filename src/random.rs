//! Randomness for `random_get`, replaceable so that tests can be
//! deterministic.

use std::io;

use cap_rand::{RngCore, SeedableRng, TryRngCore};

/// A source of random bytes.
pub trait Rng: Send + Sync {
    /// Fills `dest` with random bytes, or says why it could not.
    fn fill(&mut self, dest: &mut [u8]) -> io::Result<()>;
}

/// The host kernel's cryptographically secure generator.
pub struct HostRandom(cap_rand::rngs::OsRng);

impl HostRandom {
    /// A handle on the host generator. Handing it to a guest is the
    /// embedder's act of granting randomness.
    pub fn new() -> Self {
        HostRandom(cap_rand::rngs::OsRng::default(cap_rand::ambient_authority()))
    }
}

impl Default for HostRandom {
    fn default() -> Self {
        Self::new()
    }
}

impl Rng for HostRandom {
    fn fill(&mut self, dest: &mut [u8]) -> io::Result<()> {
        self.0.try_fill_bytes(dest).map_err(io::Error::other)
    }
}

/// A seeded generator: the same seed always gives the same bytes.
pub struct Deterministic(cap_rand::rngs::StdRng);

impl Deterministic {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Deterministic(cap_rand::rngs::StdRng::seed_from_u64(seed))
    }
}

impl Rng for Deterministic {
    fn fill(&mut self, dest: &mut [u8]) -> io::Result<()> {
        self.0.fill_bytes(dest);
        Ok(())
    }
}
