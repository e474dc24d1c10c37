//! Turns a preview1 command module into a wasi 0.2 command component, and
//! reads back what a component imports and exports.
//!
//! A plain module file: a test binary takes it in with
//! `#[path = "components/encode.rs"] mod encode;` (path relative to `tests/`).
//!
//! The preview1 calls are bridged by the official `wasi_snapshot_preview1`
//! command adapter (crate `wasi-preview1-component-adapter-provider`), whose
//! wasi 0.2 version matches the packages vendored in `wit/`.
#![allow(dead_code)] // each includer uses its own part of this file

use std::error::Error;

use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
};
use wasmparser::{Parser, Payload, Validator};

/// The error of these helpers: the message carries the whole cause chain.
pub type EncodeError = Box<dyn Error + Send + Sync>;

/// Encodes `module`, a core module importing `wasi_snapshot_preview1` and
/// exporting `_start`, as a component of the `wasi:cli/command` world.
///
/// The result is validated by the encoder before it is returned.
pub fn preview1_command_to_component(module: &[u8]) -> Result<Vec<u8>, EncodeError> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(module)
        .map_err(chain)?
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
        )
        .map_err(chain)?
        .encode()
        .map_err(chain)
}

/// Keeps every cause: `{:#}` on the encoder's error prints the whole chain.
fn chain(e: impl std::fmt::Display) -> EncodeError {
    format!("{e:#}").into()
}

/// What a component takes in and gives out at its outermost level.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ComponentShape {
    /// Names of the top-level imports, e.g. `wasi:io/streams@0.2.12`.
    pub imports: Vec<String>,
    /// Names of the top-level exports, e.g. `wasi:cli/run@0.2.12`.
    pub exports: Vec<String>,
}

/// Validates `bytes` as a component (not a core module) and lists its
/// top-level imports and exports. Nested core modules and components are
/// validated but their own imports are not listed.
pub fn component_shape(bytes: &[u8]) -> Result<ComponentShape, EncodeError> {
    if !Parser::is_component(bytes) {
        return Err("not a component (a core module, or not wasm at all)".into());
    }
    Validator::new().validate_all(bytes)?;
    let mut shape = ComponentShape::default();
    // Nested modules and components are reported inline by `parse_all`, each
    // closed by its own `End`; depth 0 is the outer component.
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload? {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(reader) if depth == 0 => {
                for import in reader {
                    shape.imports.push(import?.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 0 => {
                for export in reader {
                    shape.exports.push(export?.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}
