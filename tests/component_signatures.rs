//! The flat canonical-ABI signatures of `src/component/signatures.rs`.
//!
//! That file is generated from `wit/` by this test, which fails if the
//! committed file differs from what `wit/` gives. After changing `wit/`,
//! regenerate it with
//!
//! ```sh
//! CAPWASI_BLESS=1 cargo test --test component_signatures
//! ```
//!
//! The table is then checked against the components in the repository: for
//! every function a component lowers, the core function type that the
//! component's own core modules import it as must be the table's. Run with
//! `--nocapture` for the counts.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use capwasi::component::signatures::{lookup, FlatType, IMPORTS, WASI_VERSION};
use capwasi::component::{CoreFunc, CoreInstance, CoreItem, Definition, Plan};
use wasmparser::{CompositeInnerType, FuncType, Parser, Payload, TypeRef, ValType};
use wit_parser::abi::{AbiVariant, WasmType};
use wit_parser::{Resolve, WorldItem};

/// The generated file, relative to the crate.
const GENERATED: &str = "src/component/signatures.rs";

/// The unstable WIT features the wasmtime adapter's linker serves, and so
/// the table covers. `clocks-timezone` is not served: `wasi:clocks/timezone`
/// stays out.
const FEATURES: [&str; 1] = ["network-error-code"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The hand-written part of the generated file: everything but the table.
/// `{VERSION}` is replaced by the wasi version of `wit/`.
const TEMPLATE: &str = r#"// @generated from wit/ by tests/component_signatures.rs. Do not edit by hand:
// after changing wit/ (or the template in that test), regenerate with
//
//     CAPWASI_BLESS=1 cargo test --test component_signatures

//! Every wasi 0.2 function a `wasi:cli/command` component may import, in
//! its flat canonical-ABI form: the core wasm function type through which
//! the guest calls the host.
//!
//! This is what an engine without the component model needs to link a
//! lowered import. The canonical ABI flattens a function for a caller
//! (here, a guest calling an import) as follows:
//!
//! - The parameters flatten to a list of core values. If there are more
//!   than 16, the guest stores them in its memory instead and passes one
//!   `i32` pointer to them ([`FlatSignature::indirect_params`]).
//! - If the results flatten to at most one core value, the function returns
//!   it. Otherwise the guest passes one more `i32` after the parameters, a
//!   pointer to where the host writes the results, and the function returns
//!   nothing ([`FlatSignature::retptr`]).
//! - Pointers and lengths are `i32`: wasi 0.2 guests have 32-bit memories.
//!
//! [`IMPORTS`] holds one entry per function of every interface that the
//! world `capwasi:host/command` in `wit/` imports, the unstable
//! `network-error-code` included since the host serves it. [`lookup`] finds
//! an entry for an interface named with any wasi 0.2 patch release.

/// A core wasm value type, as the canonical ABI flattens values to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlatType {
    /// `i32`, also every pointer and length.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
}

/// A wasi 0.2 function as a guest imports it: its flat core signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FlatSignature {
    /// The interface, with the version in `wit/`, e.g.
    /// `wasi:io/streams@{VERSION}`.
    pub interface: &'static str,
    /// The function as the interface names it, e.g.
    /// `[method]output-stream.blocking-write-and-flush`.
    pub function: &'static str,
    /// The core parameters, in order, the return pointer included when
    /// there is one.
    pub params: &'static [FlatType],
    /// The core results: none, or one value.
    pub results: &'static [FlatType],
    /// The parameters did not fit in 16 core values: `params` starts with
    /// an `i32` pointer to them in guest memory instead.
    pub indirect_params: bool,
    /// The results did not fit in one core value: the last of `params` is
    /// an `i32` pointer to where the host writes them, and `results` is
    /// empty.
    pub retptr: bool,
}

/// The wasi 0.2 patch release of every interface in [`IMPORTS`].
pub const WASI_VERSION: &str = "{VERSION}";

/// Finds the signature of `function` in `interface`, where `interface` may
/// name any wasi 0.2 patch release, e.g. `wasi:io/streams@0.2.0`: patch
/// releases keep every function's signature. Gives `None` for any other
/// version, an unversioned name or a function not in [`IMPORTS`].
///
/// ```
/// use capwasi::component::signatures::{lookup, FlatType};
///
/// let write = lookup("wasi:io/streams@0.2.0", "[method]output-stream.write").unwrap();
/// assert_eq!(write.params, [FlatType::I32; 4]);
/// assert!(write.retptr);
/// assert!(lookup("wasi:io/streams@0.3.0", "[method]output-stream.write").is_none());
/// ```
pub fn lookup(interface: &str, function: &str) -> Option<&'static FlatSignature> {
    let (name, version) = interface.split_once('@')?;
    let patch = version.strip_prefix("0.2.")?;
    let is_number = !patch.is_empty() && patch.bytes().all(|b| b.is_ascii_digit());
    if !is_number || (patch.len() > 1 && patch.starts_with('0')) {
        return None;
    }
    // The table's names all end in `@{WASI_VERSION}`: compare against the
    // name as it would be spelled there, without building it.
    let spelled = || name.bytes().chain(*b"@").chain(WASI_VERSION.bytes());
    IMPORTS
        .binary_search_by(|entry| {
            entry
                .interface
                .bytes()
                .cmp(spelled())
                .then_with(|| entry.function.cmp(function))
        })
        .ok()
        .map(|index| &IMPORTS[index])
}
"#;

/// Resolves `wit/` with the served unstable features and gives, for the
/// world `capwasi:host/command`, every imported function's signature,
/// sorted by (interface, function).
fn signatures_from_wit() -> Vec<(String, String, wit_parser::abi::WasmSignature)> {
    let mut resolve = Resolve::new();
    for feature in FEATURES {
        resolve.features.insert(feature.to_string());
    }
    let (pkg, _) = resolve
        .push_dir(repo().join("wit"))
        .unwrap_or_else(|e| panic!("wit/ does not resolve: {e:#}"));
    let world = resolve
        .select_world(&[pkg], Some("command"))
        .unwrap_or_else(|e| panic!("wit/ has no world command: {e:#}"));
    let mut signatures = Vec::new();
    for item in resolve.worlds[world].imports.values() {
        let WorldItem::Interface { id, .. } = item else {
            panic!("capwasi:host/command imports something other than an interface")
        };
        let interface = resolve
            .id_of(*id)
            .expect("a world imports named interfaces");
        for func in resolve.interfaces[*id].functions.values() {
            let signature = resolve.wasm_signature(AbiVariant::GuestImport, func);
            signatures.push((interface.clone(), func.name.clone(), signature));
        }
    }
    signatures.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    signatures
}

/// A flattened type as the table spells it. Pointers and lengths are `i32`
/// in a 32-bit memory; a pointer joined with an `i64` is an `i64`.
fn flat_name(ty: WasmType) -> &'static str {
    match ty {
        WasmType::I32 | WasmType::Pointer | WasmType::Length => "I32",
        WasmType::I64 | WasmType::PointerOrI64 => "I64",
        WasmType::F32 => "F32",
        WasmType::F64 => "F64",
    }
}

/// `&[I32, I64]`.
fn flat_list(types: &[WasmType]) -> String {
    let names: Vec<_> = types.iter().map(|ty| flat_name(*ty)).collect();
    format!("&[{}]", names.join(", "))
}

/// The whole generated file.
fn generate() -> String {
    let signatures = signatures_from_wit();
    let versions: BTreeSet<&str> = signatures
        .iter()
        .map(|(interface, ..)| {
            let (_, version) = interface
                .split_once('@')
                .unwrap_or_else(|| panic!("{interface} has no version"));
            version
        })
        .collect();
    assert_eq!(versions.len(), 1, "wit/ mixes wasi versions: {versions:?}");
    let version = versions.into_iter().next().unwrap_or_default();
    assert!(version.starts_with("0.2."), "wit/ is wasi {version}");

    let mut used = BTreeSet::new();
    let mut entries = String::new();
    for (interface, function, signature) in &signatures {
        for ty in signature.params.iter().chain(&signature.results) {
            used.insert(flat_name(*ty));
        }
        writeln!(
            entries,
            "    FlatSignature {{ interface: {interface:?}, function: {function:?}, \
             params: {}, results: {}, indirect_params: {}, retptr: {} }},",
            flat_list(&signature.params),
            flat_list(&signature.results),
            signature.indirect_params,
            signature.retptr,
        )
        .expect("writing to a String");
    }

    let mut out = TEMPLATE.replace("{VERSION}", version);
    let used: Vec<_> = used.into_iter().collect();
    let names = if used.len() == 1 {
        used[0].to_string()
    } else {
        format!("{{{}}}", used.join(", "))
    };
    writeln!(
        out,
        "\nuse FlatType::{names};\n\n\
         /// Every function of every interface imported by the world\n\
         /// `capwasi:host/command` in `wit/` ({} functions), sorted by interface,\n\
         /// then function.\n\
         #[rustfmt::skip]\n\
         pub static IMPORTS: &[FlatSignature] = &[\n{entries}];",
        signatures.len(),
    )
    .expect("writing to a String");
    out
}

#[test]
fn the_committed_table_is_generated_from_wit() {
    let path = repo().join(GENERATED);
    let generated = generate();
    if std::env::var_os("CAPWASI_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &generated)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(generated.lines().count()));
        panic!(
            "{GENERATED} is not what wit/ gives (first difference on line {}); \
             regenerate it with `CAPWASI_BLESS=1 cargo test --test component_signatures`",
            line + 1
        );
    }
}

#[test]
fn the_table_is_sorted_and_consistent() {
    assert!(!IMPORTS.is_empty());
    for pair in IMPORTS.windows(2) {
        assert!(
            (pair[0].interface, pair[0].function) < (pair[1].interface, pair[1].function),
            "not sorted or duplicated: {} {} before {} {}",
            pair[0].interface,
            pair[0].function,
            pair[1].interface,
            pair[1].function
        );
    }
    let suffix = format!("@{WASI_VERSION}");
    let mut per_interface: BTreeMap<&str, usize> = BTreeMap::new();
    for sig in IMPORTS {
        let what = format!("{} {}", sig.interface, sig.function);
        assert!(sig.interface.starts_with("wasi:"), "{what}");
        assert!(sig.interface.ends_with(&suffix), "{what}");
        assert!(sig.results.len() <= 1, "{what}");
        assert!(sig.params.len() <= 17, "{what}");
        if sig.indirect_params {
            assert_eq!(sig.params[0], FlatType::I32, "{what}");
            assert!(sig.params.len() <= 2, "{what}");
        }
        if sig.retptr {
            assert!(sig.results.is_empty(), "{what}");
            assert_eq!(sig.params.last(), Some(&FlatType::I32), "{what}");
        }
        *per_interface.entry(sig.interface).or_default() += 1;
        assert_eq!(lookup(sig.interface, sig.function), Some(sig), "{what}");
    }
    println!("flat signatures per interface:");
    for (interface, count) in &per_interface {
        println!("  {count:>3}  {interface}");
    }
    println!(
        "  {:>3}  in {} interfaces",
        IMPORTS.len(),
        per_interface.len()
    );

    // The served unstable function is in; the unserved interface is not.
    assert!(lookup("wasi:sockets/network@0.2.0", "network-error-code").is_some());
    assert!(IMPORTS
        .iter()
        .all(|sig| !sig.interface.starts_with("wasi:clocks/timezone@")));
}

#[test]
fn lookup_accepts_every_patch_release_of_wasi_0_2() {
    let function = "[method]output-stream.blocking-write-and-flush";
    for version in ["0.2.0", "0.2.6", "0.2.12", "0.2.99"] {
        let interface = format!("wasi:io/streams@{version}");
        let sig = lookup(&interface, function).unwrap_or_else(|| panic!("{interface}"));
        assert_eq!(sig.interface, format!("wasi:io/streams@{WASI_VERSION}"));
        assert_eq!(sig.function, function);
        assert_eq!(sig.params, [FlatType::I32; 4]);
        assert!(sig.retptr);
    }
    // Names sorted differently once the version is stripped still resolve.
    for (interface, function) in [
        ("wasi:sockets/tcp@0.2.0", "[method]tcp-socket.start-connect"),
        ("wasi:sockets/tcp-create-socket@0.2.0", "create-tcp-socket"),
        ("wasi:sockets/udp@0.2.3", "[method]udp-socket.stream"),
        ("wasi:sockets/udp-create-socket@0.2.3", "create-udp-socket"),
        ("wasi:cli/terminal-stdout@0.2.1", "get-terminal-stdout"),
    ] {
        assert!(
            lookup(interface, function).is_some(),
            "{interface} {function}"
        );
    }
    for (interface, function) in [
        ("wasi:io/streams@0.3.0", function),
        ("wasi:io/streams@0.1.0", function),
        ("wasi:io/streams@1.2.0", function),
        ("wasi:io/streams@0.2", function),
        ("wasi:io/streams@0.2.", function),
        ("wasi:io/streams@0.2.01", function),
        ("wasi:io/streams@0.2.0-rc-2023-11-10", function),
        ("wasi:io/streams", function),
        (
            "wasi:io/streams@0.2.0",
            "[method]output-stream.no-such-method",
        ),
        ("wasi:io/stream@0.2.0", function),
        ("wasi:clocks/timezone@0.2.0", "display"),
        ("wasi:cli/run@0.2.0", "run"),
        ("", ""),
    ] {
        assert!(
            lookup(interface, function).is_none(),
            "{interface} {function}"
        );
    }
}

/// The components in the repository: the C guests, the example and the
/// benchmark guest.
fn components() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/components/bin"))
        .expect("tests/components/bin")
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    paths.sort();
    paths.push(repo().join("examples/guests/demo.component.wasm"));
    paths.push(repo().join("benches/guest/p2/bench_p2.wasm"));
    paths
}

/// What a core module imports.
struct ModuleImports {
    /// Its function imports and their types, by (module, name).
    funcs: BTreeMap<(String, String), FuncType>,
    /// Whether it imports a table: wit-component's fixup module does, to
    /// place the lowerings it imports in the shim's table.
    table: bool,
}

fn module_imports(module: &[u8]) -> ModuleImports {
    let mut types: Vec<Option<FuncType>> = Vec::new();
    let mut imports = ModuleImports {
        funcs: BTreeMap::new(),
        table: false,
    };
    for payload in Parser::new(0).parse_all(module) {
        match payload.expect("a valid core module") {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for ty in group.expect("a type").into_types() {
                        types.push(match ty.composite_type.inner {
                            CompositeInnerType::Func(func) => Some(func),
                            _ => None,
                        });
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import.expect("an import");
                    match import.ty {
                        TypeRef::Func(index) | TypeRef::FuncExact(index) => {
                            let ty = types[index as usize].clone().expect("a function type");
                            let key = (import.module.to_string(), import.name.to_string());
                            imports.funcs.insert(key, ty);
                        }
                        TypeRef::Table(_) => imports.table = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    imports
}

fn flat(ty: ValType) -> FlatType {
    match ty {
        ValType::I32 => FlatType::I32,
        ValType::I64 => FlatType::I64,
        ValType::F32 => FlatType::F32,
        ValType::F64 => FlatType::F64,
        other => panic!("{other:?} is not a flat canonical-ABI type"),
    }
}

/// How a component's lowerings were checked.
#[derive(Debug, Default)]
struct Checked {
    /// Lowerings, each `canon lower` counted once.
    lowerings: usize,
    /// Lowerings a module imports under an interface's name (the main
    /// module, or the preview1 adapter).
    direct: usize,
    /// Lowerings wit-component's fixup module imports to place them in the
    /// shim's table, through which the shim's exports that the main module
    /// imports call them.
    through_table: usize,
}

/// Checks every lowering of the component at `path` against the table.
///
/// A lowering reaches a core module only as an argument of an
/// instantiation, through a bag of exports; the module's import that the
/// argument satisfies has the core type the guest expects. The validator
/// already made sure that this type is the one the canonical ABI gives the
/// lowering, so this compares the table with the binary's own typing.
fn cross_check(path: &Path) -> Checked {
    let name = path.display();
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let plan = Plan::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    let modules: Vec<_> = plan.modules().iter().map(|m| module_imports(m)).collect();

    // The core index spaces, as the definitions build them.
    let mut funcs: Vec<&CoreFunc> = Vec::new();
    let mut instances: Vec<&CoreInstance> = Vec::new();
    // A lowering's core function index -> whether a module that imports it
    // fills a table with it.
    let mut checked: BTreeMap<usize, bool> = BTreeMap::new();
    for definition in plan.definitions() {
        match definition {
            Definition::CoreFunc(func) => funcs.push(func),
            Definition::CoreInstance(instance) => {
                if let CoreInstance::Instantiate { module, args } = instance {
                    let imports = &modules[*module as usize];
                    for (arg, index) in args {
                        let CoreInstance::FromExports(items) = instances[*index as usize] else {
                            continue;
                        };
                        for (field, item) in items {
                            let CoreItem::Func(func) = item else { continue };
                            let CoreFunc::Lower {
                                interface, func: f, ..
                            } = funcs[*func as usize]
                            else {
                                continue;
                            };
                            let Some(expected) = imports.funcs.get(&(arg.clone(), field.clone()))
                            else {
                                continue;
                            };
                            let sig = lookup(interface, f).unwrap_or_else(|| {
                                panic!("{name}: {interface} {f} is not in the table")
                            });
                            let params: Vec<_> =
                                expected.params().iter().map(|t| flat(*t)).collect();
                            let results: Vec<_> =
                                expected.results().iter().map(|t| flat(*t)).collect();
                            assert_eq!(
                                (sig.params, sig.results),
                                (&params[..], &results[..]),
                                "{name}: {interface} {f}, imported by module {module} as {arg:?} {field:?}"
                            );
                            *checked.entry(*func as usize).or_default() |= imports.table;
                        }
                    }
                }
                instances.push(instance);
            }
            _ => {}
        }
    }

    let lowered: BTreeSet<usize> = funcs
        .iter()
        .enumerate()
        .filter(|(_, func)| matches!(func, CoreFunc::Lower { .. }))
        .map(|(index, _)| index)
        .collect();
    let seen: BTreeSet<usize> = checked.keys().copied().collect();
    assert_eq!(lowered, seen, "{name}: lowerings no core module imports");
    let through_table = checked.values().filter(|table| **table).count();
    Checked {
        lowerings: lowered.len(),
        direct: lowered.len() - through_table,
        through_table,
    }
}

#[test]
fn every_lowering_in_the_repository_matches_the_table() {
    let mut total = Checked::default();
    let paths = components();
    println!("lowerings (direct + through the shim's table) checked:");
    for path in &paths {
        let checked = cross_check(path);
        println!(
            "  {:>3} ({:>2} + {:>2})  {}",
            checked.lowerings,
            checked.direct,
            checked.through_table,
            path.strip_prefix(repo()).unwrap_or(path).display()
        );
        assert!(checked.lowerings > 0, "{} lowers nothing", path.display());
        total.lowerings += checked.lowerings;
        total.direct += checked.direct;
        total.through_table += checked.through_table;
    }
    println!(
        "  {:>3} ({:>2} + {:>2})  in {} components",
        total.lowerings,
        total.direct,
        total.through_table,
        paths.len()
    );
    assert!(total.through_table > 0, "no lowering went through a table");
}
