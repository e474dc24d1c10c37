//! Writes the seed corpus: one input per escape route and advisory, for
//! each target, as the exact bytes that decode to it.
//!
//!     cargo run --release --example seeds [CORPUS_DIR]
//!
//! Seeds are named `seed-*`; inputs the fuzzer added (named by their hash)
//! are left alone. `tests/seeds.rs` checks that the committed seeds match
//! what this writes, and runs each one through its target's oracle.

use std::path::Path;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "corpus".to_string());
    for (target, seeds) in capwasi_fuzz::seeds::all() {
        let target_dir = Path::new(&dir).join(target);
        std::fs::create_dir_all(&target_dir).unwrap();
        for (name, bytes) in seeds {
            std::fs::write(target_dir.join(format!("seed-{name}")), bytes).unwrap();
        }
    }
}
