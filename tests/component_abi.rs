//! The canonical-ABI host table (`capwasi::component::host`) against the
//! signatures generated from `wit/`: every function a component may import
//! has an entry, every entry's Rust types flatten to exactly the generated
//! signature, and every resource of those interfaces can be dropped.

use std::collections::BTreeSet;

use capwasi::component::host::{functions, lookup};
use capwasi::component::signatures::{FlatType, IMPORTS, WASI_VERSION};

fn versioned(interface: &str) -> String {
    format!("{interface}@{WASI_VERSION}")
}

#[test]
fn every_import_has_an_entry_that_flattens_to_its_signature() {
    let mut wrong = Vec::new();
    for signature in IMPORTS {
        match lookup(signature.interface, signature.function) {
            None => wrong.push(format!(
                "{}#{}: no entry",
                signature.interface, signature.function
            )),
            Some(entry) => {
                let (params, results) = (entry.flat)();
                if params != signature.params || results != signature.results {
                    wrong.push(format!(
                        "{}#{}: entry flattens to {params:?} -> {results:?}, wit/ says {:?} -> {:?}",
                        signature.interface, signature.function, signature.params, signature.results
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_entry_is_a_wit_function_or_the_drop_of_a_wit_resource() {
    let resources = wit_resources();
    let mut seen = BTreeSet::new();
    for entry in functions() {
        assert!(
            seen.insert((entry.interface, entry.function)),
            "{entry:?} is listed twice"
        );
        let interface = versioned(entry.interface);
        match entry.function.strip_prefix("[resource-drop]") {
            Some(resource) => {
                assert!(
                    resources.contains(&(interface.clone(), resource.to_string())),
                    "{entry:?} drops no resource of wit/"
                );
                assert_eq!((entry.flat)(), (vec![FlatType::I32], vec![]));
            }
            None => assert!(
                IMPORTS
                    .iter()
                    .any(|s| s.interface == interface && s.function == entry.function),
                "{entry:?} is no function of wit/"
            ),
        }
    }
    for (interface, resource) in &resources {
        let drop = format!("[resource-drop]{resource}");
        assert!(
            lookup(interface, &drop).is_some(),
            "{interface} {resource} cannot be dropped"
        );
    }
}

#[test]
fn lookup_takes_any_patch_release_and_nothing_else() {
    assert!(lookup("wasi:io/streams@0.2.0", "[method]output-stream.write").is_some());
    assert!(lookup("wasi:io/streams@0.2.12", "[resource-drop]output-stream").is_some());
    assert!(lookup("wasi:io/streams@0.3.0", "[method]output-stream.write").is_none());
    assert!(lookup("wasi:io/streams", "[method]output-stream.write").is_none());
    assert!(lookup("wasi:io/streams@0.2.x", "[method]output-stream.write").is_none());
    assert!(lookup("wasi:io/streams@0.2.0", "[method]output-stream.nope").is_none());
}

/// Every resource type defined by an interface the world
/// `capwasi:host/command` imports, as `(interface@version, resource)`.
fn wit_resources() -> BTreeSet<(String, String)> {
    let mut resolve = wit_parser::Resolve::new();
    resolve.features.insert("network-error-code".to_string());
    let (pkg, _) = resolve
        .push_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/wit"))
        .expect("wit/ resolves");
    let world = resolve
        .select_world(&[pkg], Some("command"))
        .expect("wit/ has the world command");
    let mut out = BTreeSet::new();
    for item in resolve.worlds[world].imports.values() {
        let wit_parser::WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let name = resolve.id_of(*id).expect("a named interface");
        for (type_name, ty) in &resolve.interfaces[*id].types {
            if matches!(resolve.types[*ty].kind, wit_parser::TypeDefKind::Resource) {
                out.insert((name.clone(), type_name.clone()));
            }
        }
    }
    out
}
