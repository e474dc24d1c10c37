//! Every wasi 0.2 function that preview2 serves is linked, checked against
//! `wit/` rather than against a list kept by hand: a component that imports
//! the whole host world must instantiate against the wasmtime adapter's
//! linker. The exception is `wasi:sockets`, which comes with its own grants
//! and address policy.

use capwasi::p2::WasiP2Ctx;
use wasmtime::component::{Component, Linker};
use wit_component::{ComponentEncoder, StringEncoding};
use wit_parser::{LiftLowerAbi, ManglingAndAbi, Resolve};

/// A component importing every interface of `wit/`'s host world except
/// those `leave_out` names.
fn component_importing_the_host_world(leave_out: impl Fn(&str) -> bool) -> Vec<u8> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/wit"))
        .unwrap_or_else(|e| panic!("wit/ resolves: {e:#}"));
    let world = resolve
        .select_world(&[pkg], Some("host"))
        .unwrap_or_else(|e| panic!("wit/ has the host world: {e:#}"));
    let left_out: Vec<_> = resolve.worlds[world]
        .imports
        .keys()
        .filter(|key| leave_out(&resolve.name_world_key(key)))
        .cloned()
        .collect();
    for key in &left_out {
        resolve.worlds[world].imports.shift_remove(key);
    }
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
fn every_function_but_sockets_is_linked() {
    let component = component_importing_the_host_world(|name| name.starts_with("wasi:sockets/"));
    let engine = wasmtime::Engine::default();
    let component = Component::new(&engine, &component)
        .unwrap_or_else(|e| panic!("wasmtime compiles the component: {e:#}"));
    let mut linker = Linker::<WasiP2Ctx>::new(&engine);
    capwasi_wasmtime::p2::add_to_linker_sync(&mut linker, |ctx| ctx)
        .unwrap_or_else(|e| panic!("preview2 links: {e:#}"));
    if let Err(e) = linker.instantiate_pre(&component) {
        panic!("an import of wit/ has no implementation: {e:#}");
    }
}
