//! Every wasi 0.2 function that preview2 serves is linked, checked against
//! `wit/` rather than against a list kept by hand: a component that imports
//! the whole host world, `wasi:sockets` included, must instantiate against
//! both of the wasmtime adapter's linkers. Of the WIT's unstable features,
//! `network-error-code` is served and so required too; `clocks-timezone`
//! is not.

use capwasi::p2::WasiP2Ctx;
use wasmtime::component::{Component, Linker};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

/// A component importing every function of `wit/`'s host world, with the
/// unstable `network-error-code` enabled.
fn component_importing_the_host_world() -> Vec<u8> {
    let mut resolve = Resolve::default();
    resolve.features.insert("network-error-code".to_string());
    let (pkg, _) = resolve
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/wit"))
        .unwrap_or_else(|e| panic!("wit/ resolves: {e:#}"));
    let world = resolve
        .select_world(&[pkg], Some("host"))
        .unwrap_or_else(|e| panic!("wit/ has the host world: {e:#}"));
    let imports: Vec<_> = resolve.worlds[world]
        .imports
        .keys()
        .map(|key| resolve.name_world_key(key))
        .collect();
    assert!(
        imports.iter().any(|name| name.starts_with("wasi:sockets/")),
        "the host world imports wasi:sockets: {imports:?}"
    );
    let mut module =
        wit_component::dummy_module(&resolve, world, ManglingAndAbi::Legacy(LiftLowerAbi::Sync));
    wit_component::embed_component_metadata(&mut module, &resolve, world, StringEncoding::UTF8)
        .unwrap_or_else(|e| panic!("metadata embeds: {e:#}"));
    ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .and_then(|mut encoder| encoder.encode())
        .unwrap_or_else(|e| panic!("the component encodes: {e:#}"))
}

#[test]
fn every_function_is_linked_by_the_sync_linker() {
    let engine = wasmtime::Engine::default();
    let component = Component::new(&engine, component_importing_the_host_world())
        .unwrap_or_else(|e| panic!("wasmtime compiles the component: {e:#}"));
    let mut linker = Linker::<WasiP2Ctx>::new(&engine);
    capwasi_wasmtime::p2::add_to_linker_sync(&mut linker, |ctx| ctx)
        .unwrap_or_else(|e| panic!("preview2 links: {e:#}"));
    if let Err(e) = linker.instantiate_pre(&component) {
        panic!("an import of wit/ has no implementation: {e:#}");
    }
}

#[test]
fn every_function_is_linked_by_the_async_linker() {
    let engine = wasmtime::Engine::default();
    let component = Component::new(&engine, component_importing_the_host_world())
        .unwrap_or_else(|e| panic!("wasmtime compiles the component: {e:#}"));
    let mut linker = Linker::<WasiP2Ctx>::new(&engine);
    capwasi_wasmtime::p2::add_to_linker_async(&mut linker, |ctx| ctx)
        .unwrap_or_else(|e| panic!("preview2 links: {e:#}"));
    if let Err(e) = linker.instantiate_pre(&component) {
        panic!("an import of wit/ has no implementation: {e:#}");
    }
}
