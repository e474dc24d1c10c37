//! The wasi 0.2 packages in `wit/`, and the components built against them.
//!
//! `wit/` is the source of truth for the preview2 ABI as `witx/` is for
//! preview1. These tests pin what it holds (one wasi version across all
//! packages, every interface present in the host world) and check that the
//! two ways of building preview2 test guests give components that import
//! only those interfaces. Run with `--nocapture` for the function counts and
//! encode times.

#[path = "components/encode.rs"]
mod encode;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use wit_parser::{PackageId, Resolve, WorldId, WorldItem, WorldKey};

/// The wasi 0.2 patch release vendored in `wit/deps` (see `wit/README.md`).
const WASI_VERSION: &str = "0.2.12";

/// The six wasi 0.2 packages.
const WASI_PACKAGES: [&str; 6] = ["cli", "clocks", "filesystem", "io", "random", "sockets"];

/// Every interface a wasi 0.2 host provides, without their version.
const HOST_INTERFACES: [&str; 27] = [
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:clocks/monotonic-clock",
    "wasi:clocks/wall-clock",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:sockets/network",
    "wasi:sockets/instance-network",
    "wasi:sockets/udp",
    "wasi:sockets/udp-create-socket",
    "wasi:sockets/tcp",
    "wasi:sockets/tcp-create-socket",
    "wasi:sockets/ip-name-lookup",
];

/// Interfaces in the packages that the host world does not import: `run` is
/// what a command exports, and `timezone` is `@unstable(feature =
/// clocks-timezone)`, a gate that stays off.
const NOT_IMPORTED: [&str; 2] = ["wasi:cli/run", "wasi:clocks/timezone"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn resolve_wit() -> (Resolve, PackageId) {
    let mut resolve = Resolve::default();
    let (pkg, _sources) = resolve
        .push_dir(repo().join("wit"))
        .unwrap_or_else(|e| panic!("wit/ does not resolve: {e:#}"));
    (resolve, pkg)
}

fn versioned(name: &str) -> String {
    format!("{name}@{WASI_VERSION}")
}

/// The interfaces a world imports or exports, by their full versioned name.
fn interfaces_of<'a>(
    resolve: &Resolve,
    items: impl IntoIterator<Item = (&'a WorldKey, &'a WorldItem)>,
) -> BTreeSet<String> {
    items
        .into_iter()
        .filter_map(|(_, item)| match item {
            WorldItem::Interface { id, .. } => Some(
                resolve
                    .id_of(*id)
                    .expect("a world imports only named interfaces"),
            ),
            _ => None,
        })
        .collect()
}

fn world(resolve: &Resolve, pkg: PackageId, name: &str) -> WorldId {
    resolve
        .select_world(&[pkg], Some(name))
        .unwrap_or_else(|e| panic!("wit/ has no world {name}: {e:#}"))
}

#[test]
fn every_wasi_package_has_the_same_version() {
    let (resolve, pkg) = resolve_wit();
    let top = &resolve.packages[pkg].name;
    assert_eq!(
        (top.namespace.as_str(), top.name.as_str()),
        ("capwasi", "host")
    );

    let mut found = BTreeSet::new();
    for (_, package) in resolve.packages.iter() {
        let name = &package.name;
        if name.namespace != "wasi" {
            assert_eq!(name.namespace, "capwasi", "unexpected package {name}");
            continue;
        }
        let version = name
            .version
            .as_ref()
            .unwrap_or_else(|| panic!("wasi:{} has no version", name.name));
        assert_eq!(version.to_string(), WASI_VERSION, "wasi:{}", name.name);
        assert!(
            found.insert(name.name.clone()),
            "wasi:{} is vendored twice",
            name.name
        );
    }
    let expected: BTreeSet<String> = WASI_PACKAGES.iter().map(|p| p.to_string()).collect();
    assert_eq!(found, expected);
}

#[test]
fn host_world_imports_every_wasi_interface() {
    let (resolve, pkg) = resolve_wit();
    let host = &resolve.worlds[world(&resolve, pkg, "host")];
    assert!(host.exports.is_empty(), "the host world exports nothing");
    let imports = interfaces_of(&resolve, &host.imports);
    let expected: BTreeSet<String> = HOST_INTERFACES.iter().map(|i| versioned(i)).collect();
    assert_eq!(imports, expected);

    // Nothing the packages declare is left out, bar the known exceptions.
    let mut declared = BTreeSet::new();
    for (_, package) in resolve.packages.iter() {
        if package.name.namespace == "wasi" {
            for id in package.interfaces.values() {
                declared.insert(resolve.id_of(*id).expect("named interface"));
            }
        }
    }
    let left_out: BTreeSet<String> = declared.difference(&imports).cloned().collect();
    let allowed: BTreeSet<String> = NOT_IMPORTED.iter().map(|i| versioned(i)).collect();
    assert!(
        left_out.is_subset(&allowed),
        "not imported by the host world: {:?}",
        left_out.difference(&allowed).collect::<Vec<_>>()
    );
    assert!(left_out.contains(&versioned("wasi:cli/run")));

    // Every import is an interface (no bare functions or types at world level).
    assert_eq!(imports.len(), host.imports.len());

    let mut total = 0;
    println!("functions per interface in capwasi:host/host (wasi {WASI_VERSION}):");
    for (_, item) in &host.imports {
        let WorldItem::Interface { id, .. } = item else {
            unreachable!()
        };
        let iface = &resolve.interfaces[*id];
        let name = resolve.id_of(*id).expect("named interface");
        assert!(name.starts_with("wasi:"), "{name}");
        println!("  {:>3}  {name}", iface.functions.len());
        total += iface.functions.len();
    }
    println!("  {total:>3}  in {} interfaces", host.imports.len());
    // 123 in 0.2.12, resource methods included; a much lower count means a
    // package lost its body.
    assert!(total >= 100, "only {total} functions");

    // The calls the first preview2 guests make, by their canonical names.
    for (iface, func) in [
        ("wasi:cli/environment", "get-arguments"),
        ("wasi:cli/exit", "exit"),
        ("wasi:cli/stdout", "get-stdout"),
        (
            "wasi:io/streams",
            "[method]output-stream.blocking-write-and-flush",
        ),
        ("wasi:io/poll", "poll"),
        ("wasi:filesystem/types", "[method]descriptor.open-at"),
        ("wasi:filesystem/preopens", "get-directories"),
        ("wasi:sockets/tcp", "[method]tcp-socket.start-connect"),
    ] {
        let id = host
            .imports
            .values()
            .find_map(|item| match item {
                WorldItem::Interface { id, .. } if resolve.id_of(*id) == Some(versioned(iface)) => {
                    Some(*id)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("{iface} is not imported"));
        assert!(
            resolve.interfaces[id].functions.contains_key(func),
            "{iface} has no {func}"
        );
    }
}

#[test]
fn command_world_adds_only_the_run_export() {
    let (resolve, pkg) = resolve_wit();
    let host = &resolve.worlds[world(&resolve, pkg, "host")];
    let command = &resolve.worlds[world(&resolve, pkg, "command")];
    assert_eq!(
        interfaces_of(&resolve, &command.imports),
        interfaces_of(&resolve, &host.imports)
    );
    let exports = interfaces_of(&resolve, &command.exports);
    assert_eq!(exports, BTreeSet::from([versioned("wasi:cli/run")]));
}

/// Checks one built component: valid, imports only this host's wasi 0.2
/// interfaces, and exports `wasi:cli/run`.
fn check_command_component(what: &str, component: &[u8], host_imports: &BTreeSet<String>) {
    let shape = encode::component_shape(component)
        .unwrap_or_else(|e| panic!("{what} is not a valid component: {e}"));
    assert!(!shape.imports.is_empty(), "{what} imports nothing");
    for import in &shape.imports {
        assert!(
            import.starts_with("wasi:") && import.ends_with(&format!("@{WASI_VERSION}")),
            "{what} imports {import}, which is not wasi {WASI_VERSION}"
        );
        assert!(
            host_imports.contains(import),
            "{what} imports {import}, which the host world lacks"
        );
    }
    assert_eq!(shape.exports, [versioned("wasi:cli/run")], "{what} exports");
}

fn wasm_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .collect();
    files.sort();
    files
}

fn host_imports() -> BTreeSet<String> {
    let (resolve, pkg) = resolve_wit();
    interfaces_of(
        &resolve,
        &resolve.worlds[world(&resolve, pkg, "host")].imports,
    )
}

#[test]
fn preview1_guests_encode_as_wasi_0_2_components() {
    let host = host_imports();
    let guests = wasm_files(&repo().join("tests/guests/bin"));
    assert!(!guests.is_empty(), "no guests in tests/guests/bin");
    // CAPWASI_DUMP_COMPONENTS=DIR keeps the components, e.g. for
    // `wasm-tools validate` or `wasm-tools component wit`.
    let dump = std::env::var_os("CAPWASI_DUMP_COMPONENTS").map(PathBuf::from);
    println!("preview1 guest -> component (command adapter):");
    for path in &guests {
        let name = path.file_name().unwrap().to_string_lossy();
        let module = std::fs::read(path).unwrap();
        assert!(
            !wasmparser::Parser::is_component(&module),
            "{name} is already a component"
        );
        let start = Instant::now();
        let component = encode::preview1_command_to_component(&module)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let took = start.elapsed();
        check_command_component(&name, &component, &host);
        if let Some(dir) = &dump {
            std::fs::write(dir.join(&*name), &component).unwrap();
        }
        println!(
            "  {:>8.2} ms  {:>7} -> {:>7} bytes  {name}",
            took.as_secs_f64() * 1e3,
            module.len(),
            component.len()
        );
    }
}

#[test]
fn preview1_encoding_rejects_what_is_not_a_preview1_module() {
    // Not wasm at all.
    assert!(encode::preview1_command_to_component(b"not wasm").is_err());
    // A module without `_start` cannot satisfy the command adapter's `run`.
    let no_start = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert!(encode::preview1_command_to_component(&no_start).is_err());
    // And a core module is not mistaken for a component.
    assert!(encode::component_shape(&no_start).is_err());
}

#[test]
fn prebuilt_wasi_0_2_components_are_valid() {
    let host = host_imports();
    let components = wasm_files(&repo().join("tests/components/bin"));
    assert!(
        !components.is_empty(),
        "no components in tests/components/bin"
    );
    for path in &components {
        let name = path.file_name().unwrap().to_string_lossy();
        let bytes = std::fs::read(path).unwrap();
        check_command_component(&name, &bytes, &host);
    }
}

/// The cases of the enum `name` in the interface `interface` (unversioned).
fn enum_cases(resolve: &Resolve, interface: &str, name: &str) -> Vec<String> {
    let id = resolve
        .interfaces
        .iter()
        .find(|(id, _)| resolve.id_of(*id).as_deref() == Some(&versioned(interface)))
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("wit/ has no {interface}"));
    let ty = resolve.interfaces[id].types[name];
    match &resolve.types[ty].kind {
        wit_parser::TypeDefKind::Enum(e) => e.cases.iter().map(|c| c.name.clone()).collect(),
        other => panic!("{interface}.{name} is not an enum: {other:?}"),
    }
}

/// The core's preview2 error codes are the WIT's, name for name and in its
/// order (which is each code's discriminant on the wire).
#[test]
fn filesystem_error_codes_match_the_wit() {
    let (resolve, _) = resolve_wit();
    let wit = enum_cases(&resolve, "wasi:filesystem/types", "error-code");
    let core: Vec<&str> = capwasi::p2::ErrorCode::ALL
        .iter()
        .map(|code| code.name())
        .collect();
    assert_eq!(core, wit);
}

/// `examples/guests/demo.component.wasm` is the demo module encoded with the
/// official preview1 adapter, byte for byte, so that the README can run the
/// same program as a component. `CAPWASI_BLESS=1` writes it anew.
#[test]
fn demo_component_is_the_demo_module_encoded() {
    let dir = repo().join("examples/guests");
    let module = std::fs::read(dir.join("demo.wasm")).expect("the demo module");
    let encoded = encode::preview1_command_to_component(&module)
        .unwrap_or_else(|e| panic!("the demo encodes: {e}"));
    let committed = dir.join("demo.component.wasm");
    if std::env::var_os("CAPWASI_BLESS").is_some() {
        std::fs::write(&committed, &encoded).expect("write the demo component");
    }
    let on_disk = std::fs::read(&committed).unwrap_or_default();
    assert!(
        on_disk == encoded,
        "{} is not the encoded demo; run this test with CAPWASI_BLESS=1",
        committed.display()
    );
}
