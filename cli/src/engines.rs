//! The engines `--engine` can name.
//!
//! Adding an engine is one line in [`ENGINES`]: its name and how to make it.

use capwasi::Engine;

/// Makes a fresh engine.
type MakeEngine = fn() -> Box<dyn Engine>;

/// The engine used when `--engine` is not given.
pub const DEFAULT: &str = "wasmtime";

/// Every engine this build can run guests on, by the name `--engine` takes.
const ENGINES: &[(&str, MakeEngine)] = &[
    ("wasmtime", || {
        Box::new(capwasi_wasmtime::WasmtimeEngine::new())
    }),
    ("wasmi", || Box::new(capwasi_wasmi::WasmiEngine::new())),
];

/// The engine called `name`, or `None` when this build has no such engine.
pub fn by_name(name: &str) -> Option<Box<dyn Engine>> {
    ENGINES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, make)| make())
}

/// The names `--engine` accepts, comma separated, for error messages.
pub fn names() -> String {
    ENGINES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_engine_exists() {
        assert!(by_name(DEFAULT).is_some());
        assert!(names().split(", ").any(|n| n == DEFAULT));
    }

    #[test]
    fn unknown_engine_is_none() {
        assert!(by_name("no-such-engine").is_none());
    }
}
