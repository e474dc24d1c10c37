//! `wasi:clocks`: the context's wall and monotonic clocks, the same ones
//! preview1 reads, so a replaced clock applies to both ABIs.

pub mod monotonic_clock;
pub mod wall_clock;
