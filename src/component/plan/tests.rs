//! Plans of the repository's real components, checked against `wit/`, and
//! one small component per refusal, built from text.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use wit_parser::{Resolve, Type, TypeDefKind, WorldItem};

use super::*;

const RUN_EXPORT: &str = "wasi:cli/run@0.2.12#run";

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(relative: &str) -> Vec<u8> {
    let path = repo().join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// The C guests under tests/components/bin, in name order.
fn c_components() -> Vec<PathBuf> {
    let dir = repo().join("tests/components/bin");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no components in {}", dir.display());
    paths
}

fn plan_of(bytes: &[u8]) -> Plan<'_> {
    Plan::parse(bytes).unwrap_or_else(|e| panic!("plans: {e}"))
}

fn wat_err(wat: &str) -> PlanError {
    let bytes = wat::parse_str(wat).unwrap_or_else(|e| panic!("the text parses: {e}"));
    match Plan::parse(&bytes) {
        Ok(plan) => panic!("planned what should be refused: {plan:?}"),
        Err(e) => e,
    }
}

/// The core function index space of a plan.
fn core_funcs<'p>(plan: &'p Plan<'_>) -> Vec<&'p CoreFunc> {
    plan.definitions()
        .iter()
        .filter_map(|d| match d {
            Definition::CoreFunc(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn core_instances<'p>(plan: &'p Plan<'_>) -> Vec<&'p CoreInstance> {
    plan.definitions()
        .iter()
        .filter_map(|d| match d {
            Definition::CoreInstance(i) => Some(i),
            _ => None,
        })
        .collect()
}

/// The module whose instance exports the core function lifted as `run`,
/// and that export's name.
fn run_source(plan: &Plan<'_>) -> (u32, String) {
    let funcs = core_funcs(plan);
    let CoreFunc::Alias(export) = funcs[plan.run().func as usize] else {
        panic!("run is not an alias: {:?}", funcs[plan.run().func as usize]);
    };
    let CoreInstance::Instantiate { module, .. } = core_instances(plan)[export.instance as usize]
    else {
        panic!("run comes from an instance that instantiates nothing");
    };
    (*module, export.name.clone())
}

/// What `wit/`'s command world imports: each function, with whether its
/// result holds a list or string (and so needs `realloc`), and each
/// resource, by `(interface, name)`.
struct Wit {
    funcs: BTreeMap<(String, String), bool>,
    resources: BTreeSet<(String, String)>,
}

fn wit() -> Wit {
    let mut resolve = Resolve::default();
    resolve.features.insert("network-error-code".to_string());
    let (pkg, _) = resolve
        .push_dir(repo().join("wit"))
        .unwrap_or_else(|e| panic!("wit/ resolves: {e:#}"));
    let world = resolve
        .select_world(&[pkg], Some("command"))
        .unwrap_or_else(|e| panic!("wit/ has the command world: {e:#}"));
    let mut wit = Wit {
        funcs: BTreeMap::new(),
        resources: BTreeSet::new(),
    };
    for item in resolve.worlds[world].imports.values() {
        let WorldItem::Interface { id, .. } = item else {
            continue;
        };
        let name = resolve.id_of(*id).expect("a named interface");
        let interface = &resolve.interfaces[*id];
        for (func_name, func) in &interface.functions {
            let needs_realloc = func.result.is_some_and(|ty| holds_list(&resolve, ty));
            wit.funcs
                .insert((name.clone(), func_name.clone()), needs_realloc);
        }
        for (type_name, ty) in &interface.types {
            if matches!(resolve.types[*ty].kind, TypeDefKind::Resource) {
                wit.resources.insert((name.clone(), type_name.clone()));
            }
        }
    }
    wit
}

/// Whether lowering a value of `ty` into guest memory allocates.
fn holds_list(resolve: &Resolve, ty: Type) -> bool {
    let Type::Id(id) = ty else {
        return ty == Type::String;
    };
    let any =
        |mut types: Box<dyn Iterator<Item = Type> + '_>| types.any(|t| holds_list(resolve, t));
    match &resolve.types[id].kind {
        TypeDefKind::List(_) | TypeDefKind::Map(..) => true,
        TypeDefKind::Record(r) => any(Box::new(r.fields.iter().map(|f| f.ty))),
        TypeDefKind::Tuple(t) => any(Box::new(t.types.iter().copied())),
        TypeDefKind::Variant(v) => any(Box::new(v.cases.iter().filter_map(|c| c.ty))),
        TypeDefKind::Result(r) => any(Box::new(r.ok.into_iter().chain(r.err))),
        TypeDefKind::Option(t) | TypeDefKind::Type(t) | TypeDefKind::FixedLengthList(t, _) => {
            holds_list(resolve, *t)
        }
        _ => false,
    }
}

/// Checks every lowering and drop of `plan` against `wit/`, and that what
/// [`Plan::imports`] says is used is what the definitions use.
fn check_against_wit(plan: &Plan<'_>, wit: &Wit, what: &str) {
    let mut used: BTreeMap<&str, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for func in core_funcs(plan) {
        match func {
            CoreFunc::Lower {
                interface,
                func,
                options,
            } => {
                let key = (interface.clone(), func.clone());
                let needs_realloc = *wit
                    .funcs
                    .get(&key)
                    .unwrap_or_else(|| panic!("{what}: {interface} {func} is not in wit/"));
                if needs_realloc {
                    assert!(
                        options.memory.is_some() && options.realloc.is_some(),
                        "{what}: {interface} {func} returns a list but has {options:?}"
                    );
                }
                if options.realloc.is_some() {
                    assert!(options.memory.is_some(), "{what}: realloc without memory");
                }
                used.entry(interface).or_default().0.insert(func);
            }
            CoreFunc::ResourceDrop {
                interface,
                resource,
            } => {
                assert!(
                    wit.resources
                        .contains(&(interface.clone(), resource.clone())),
                    "{what}: resource {interface} {resource} is not in wit/"
                );
                used.entry(interface).or_default().1.insert(resource);
            }
            CoreFunc::Alias(_) => {}
        }
    }
    for import in plan.imports() {
        let (funcs, resources) = used.remove(import.name.as_str()).unwrap_or_default();
        let recorded: BTreeSet<&str> = import.funcs.iter().map(String::as_str).collect();
        assert_eq!(recorded, funcs, "{what}: funcs of {}", import.name);
        let recorded: BTreeSet<&str> = import.resources.iter().map(String::as_str).collect();
        assert_eq!(recorded, resources, "{what}: resources of {}", import.name);
    }
    assert!(used.is_empty(), "{what}: used but not imported: {used:?}");
}

#[test]
fn every_c_component_plans() {
    let wit = wit();
    for path in c_components() {
        let what = path.display().to_string();
        let bytes = std::fs::read(&path).unwrap();
        let plan = Plan::parse(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
        // main, the shim holding the indirect table, and the fixup.
        assert_eq!(plan.modules().len(), 3, "{what}");
        assert_eq!(run_source(&plan), (0, RUN_EXPORT.to_string()), "{what}");
        check_against_wit(&plan, &wit, &what);
        assert!(
            plan.imports().iter().any(|i| !i.funcs.is_empty()),
            "{what}: lowers nothing"
        );
    }
}

#[test]
fn a_c_component_has_the_wit_component_shape() {
    let bytes = read("tests/components/bin/p2_hello.wasm");
    let plan = plan_of(&bytes);
    let instances = core_instances(&plan);
    // The shim module is instantiated first, with nothing.
    assert_eq!(
        instances[0],
        &CoreInstance::Instantiate {
            module: 1,
            args: vec![]
        }
    );
    // The main module gets one bag of functions per interface.
    let main = instances
        .iter()
        .find(|i| matches!(i, CoreInstance::Instantiate { module: 0, .. }))
        .expect("main is instantiated");
    let CoreInstance::Instantiate { args, .. } = main else {
        unreachable!()
    };
    assert!(args
        .iter()
        .any(|(name, _)| name == "wasi:io/streams@0.2.12"));
    // The fixup fills the shim's table from `actual`, reading the shim.
    let fixup = instances
        .iter()
        .find(|i| matches!(i, CoreInstance::Instantiate { module: 2, .. }))
        .expect("fixup is instantiated");
    let CoreInstance::Instantiate { args, .. } = fixup else {
        unreachable!()
    };
    let names: Vec<&str> = args.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(names, ["actual", "shim"]);
    // get-arguments returns a list of strings: memory and realloc, where
    // the realloc is main's `cabi_realloc`.
    let funcs = core_funcs(&plan);
    let Some(CoreFunc::Lower { options, .. }) = funcs
        .iter()
        .find(|f| matches!(f, CoreFunc::Lower { func, .. } if func == "get-arguments"))
    else {
        panic!("get-arguments is lowered");
    };
    assert_eq!(options.memory, Some(0));
    let realloc = funcs[options.realloc.expect("a realloc") as usize];
    assert!(matches!(realloc, CoreFunc::Alias(e) if e.name == "cabi_realloc"));
    assert!(plan
        .definitions()
        .contains(&Definition::CoreFunc(CoreFunc::ResourceDrop {
            interface: "wasi:io/streams@0.2.12".into(),
            resource: "output-stream".into(),
        })));
}

/// The preview1 adapter's shape: main, adapter, shim and fixup, with the
/// adapter taking main's memory and the fixup taking the shim's table.
fn check_adapter_shape(plan: &Plan<'_>, what: &str) {
    assert_eq!(plan.modules().len(), 4, "{what}");
    assert_eq!(run_source(plan), (1, RUN_EXPORT.to_string()), "{what}");
    let defs = plan.definitions();
    assert!(
        defs.iter()
            .any(|d| matches!(d, Definition::CoreMemory(e) if e.name == "memory")),
        "{what}: main's memory is aliased"
    );
    assert!(
        defs.iter()
            .any(|d| matches!(d, Definition::CoreTable(e) if e.name == "$imports")),
        "{what}: the shim's table is aliased"
    );
    let instances = core_instances(plan);
    let adapter = instances
        .iter()
        .find_map(|i| match i {
            CoreInstance::Instantiate { module: 1, args } => Some(args),
            _ => None,
        })
        .expect("the adapter is instantiated");
    let (_, env) = adapter
        .iter()
        .find(|(name, _)| name == "env")
        .expect("the adapter imports env");
    assert!(matches!(
        instances[*env as usize],
        CoreInstance::FromExports(items) if items.iter().any(|(_, item)| matches!(item, CoreItem::Memory(_)))
    ));
    let funcs = core_funcs(plan);
    let reallocs: BTreeSet<&str> = funcs
        .iter()
        .filter_map(|f| match f {
            CoreFunc::Lower { options, .. } => options.realloc,
            _ => None,
        })
        .map(|index| match funcs[index as usize] {
            CoreFunc::Alias(e) => e.name.as_str(),
            other => panic!("{what}: realloc is {other:?}"),
        })
        .collect();
    assert_eq!(reallocs, BTreeSet::from(["cabi_import_realloc"]), "{what}");
}

#[test]
fn the_demo_adapter_component_plans() {
    let bytes = read("examples/guests/demo.component.wasm");
    let plan = plan_of(&bytes);
    check_adapter_shape(&plan, "demo.component.wasm");
    check_against_wit(&plan, &wit(), "demo.component.wasm");
}

#[test]
fn the_bench_component_plans() {
    let bytes = read("benches/guest/p2/bench_p2.wasm");
    let plan = plan_of(&bytes);
    assert_eq!(plan.modules().len(), 3);
    assert_eq!(run_source(&plan), (0, RUN_EXPORT.to_string()));
    check_against_wit(&plan, &wit(), "bench_p2.wasm");
}

#[test]
fn preview1_guests_wrapped_by_the_adapter_plan() {
    use wasi_preview1_component_adapter_provider::{
        WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
    };
    let wit = wit();
    for name in ["misc_args_env", "fs_files", "misc_poll"] {
        let module = read(&format!("tests/guests/bin/{name}.wasm"));
        let component = wit_component::ComponentEncoder::default()
            .module(&module)
            .and_then(|encoder| {
                encoder.adapter(
                    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
                    WASI_SNAPSHOT_PREVIEW1_COMMAND_ADAPTER,
                )
            })
            .and_then(|mut encoder| encoder.encode())
            .unwrap_or_else(|e| panic!("{name} encodes: {e:#}"));
        let plan = plan_of(&component);
        check_adapter_shape(&plan, name);
        check_against_wit(&plan, &wit, name);
    }
}

/// A small component of every shape a plan holds: a lowering, a drop of a
/// resource reached through another interface's re-export, a bag of core
/// functions, an instantiation, aliases, a lift with post-return, and the
/// type-ascription shim.
const SMALL: &str = r#"
(component
  (import "wasi:io/streams@0.2.12" (instance $streams
    (export "output-stream" (type (sub resource)))
  ))
  (alias export $streams "output-stream" (type $os))
  (import "wasi:cli/stdout@0.2.12" (instance $stdout
    (export "output-stream" (type $o (eq $os)))
    (export "get-stdout" (func (result (own $o))))
  ))
  (alias export $stdout "output-stream" (type $os2))
  (core func $drop (canon resource.drop $os2))
  (alias export $stdout "get-stdout" (func $get-stdout))
  (core func $get-stdout (canon lower (func $get-stdout)))
  (core module $main
    (import "wasi:io/streams@0.2.12" "[resource-drop]output-stream" (func (param i32)))
    (import "wasi:cli/stdout@0.2.12" "get-stdout" (func (result i32)))
    (memory (export "memory") 1)
    (func (export "wasi:cli/run@0.2.12#run") (result i32) i32.const 0)
    (func (export "cabi_post_wasi:cli/run@0.2.12#run") (param i32))
  )
  (core instance $streams-core (export "[resource-drop]output-stream" (func $drop)))
  (core instance $stdout-core (export "get-stdout" (func $get-stdout)))
  (core instance $main (instantiate $main
    (with "wasi:io/streams@0.2.12" (instance $streams-core))
    (with "wasi:cli/stdout@0.2.12" (instance $stdout-core))
  ))
  (alias core export $main "memory" (core memory $mem))
  (alias core export $main "wasi:cli/run@0.2.12#run" (core func $run-core))
  (alias core export $main "cabi_post_wasi:cli/run@0.2.12#run" (core func $post))
  (type $r (result))
  (type $t (func (result $r)))
  (func $run (type $t) (canon lift (core func $run-core) (post-return $post)))
  (component $shim
    (type $r (result))
    (type $t (func (result $r)))
    (import "import-func-run" (func $f (type $t)))
    (export "run" (func $f))
  )
  (instance $shim-i (instantiate $shim (with "import-func-run" (func $run))))
  (export "wasi:cli/run@0.2.12" (instance $shim-i))
)
"#;

#[test]
fn a_small_component_plans_exactly() {
    let bytes = wat::parse_str(SMALL).unwrap();
    let plan = plan_of(&bytes);
    let export = |instance, name: &str| CoreExport {
        instance,
        name: name.into(),
    };
    assert_eq!(plan.modules().len(), 1);
    assert_eq!(
        plan.definitions(),
        [
            // Dropped through stdout's re-export, defined by streams.
            Definition::CoreFunc(CoreFunc::ResourceDrop {
                interface: "wasi:io/streams@0.2.12".into(),
                resource: "output-stream".into(),
            }),
            Definition::CoreFunc(CoreFunc::Lower {
                interface: "wasi:cli/stdout@0.2.12".into(),
                func: "get-stdout".into(),
                options: CanonOptions::default(),
            }),
            Definition::CoreInstance(CoreInstance::FromExports(vec![(
                "[resource-drop]output-stream".into(),
                CoreItem::Func(0)
            )])),
            Definition::CoreInstance(CoreInstance::FromExports(vec![(
                "get-stdout".into(),
                CoreItem::Func(1)
            )])),
            Definition::CoreInstance(CoreInstance::Instantiate {
                module: 0,
                args: vec![
                    ("wasi:io/streams@0.2.12".into(), 0),
                    ("wasi:cli/stdout@0.2.12".into(), 1)
                ],
            }),
            Definition::CoreMemory(export(2, "memory")),
            Definition::CoreFunc(CoreFunc::Alias(export(2, RUN_EXPORT))),
            Definition::CoreFunc(CoreFunc::Alias(export(
                2,
                "cabi_post_wasi:cli/run@0.2.12#run"
            ))),
        ]
    );
    assert_eq!(
        plan.run(),
        Run {
            func: 2,
            options: CanonOptions {
                post_return: Some(3),
                ..CanonOptions::default()
            }
        }
    );
    assert_eq!(
        plan.imports(),
        [
            Import {
                name: "wasi:io/streams@0.2.12".into(),
                funcs: BTreeSet::new(),
                resources: BTreeSet::from(["output-stream".to_string()]),
            },
            Import {
                name: "wasi:cli/stdout@0.2.12".into(),
                funcs: BTreeSet::from(["get-stdout".to_string()]),
                resources: BTreeSet::new(),
            },
        ]
    );
}

#[test]
fn a_run_export_without_the_shim_plans() {
    let wat = SMALL.replace(
        r#"(instance $shim-i (instantiate $shim (with "import-func-run" (func $run))))"#,
        r#"(instance $shim-i (export "run" (func $run)))"#,
    );
    let bytes = wat::parse_str(&wat).unwrap();
    assert_eq!(plan_of(&bytes).run().func, 2);
}

#[test]
fn a_bare_func_import_is_refused() {
    let e = wat_err(r#"(component (import "run" (func)))"#);
    assert!(
        matches!(&e, PlanError::ImportNotInstance { name, kind: "func" } if name == "run"),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "the component imports `run` as a func, and only instances of wasi 0.2 interfaces are supported"
    );
}

#[test]
fn an_import_that_is_not_wasi_0_2_is_refused() {
    for name in ["foo:bar/baz", "wasi:io/streams@0.3.0", "wasi:io/streams"] {
        let e = wat_err(&format!(r#"(component (import "{name}" (instance)))"#));
        assert!(
            matches!(&e, PlanError::NotWasiInterface(n) if n == name),
            "{e}"
        );
        assert_eq!(
            e.to_string(),
            format!("the component imports `{name}`, which is not a wasi 0.2 interface")
        );
    }
}

#[test]
fn utf16_strings_are_refused() {
    let e = wat_err(
        r#"(component
          (import "wasi:cli/environment@0.2.12" (instance $env
            (export "get-arguments" (func (result (list string))))))
          (core module $m
            (memory (export "memory") 1)
            (func (export "realloc") (param i32 i32 i32 i32) (result i32) unreachable))
          (core instance $i (instantiate $m))
          (alias core export $i "memory" (core memory $mem))
          (alias core export $i "realloc" (core func $realloc))
          (alias export $env "get-arguments" (func $f))
          (core func (canon lower (func $f) (memory $mem) (realloc $realloc) string-encoding=utf16))
        )"#,
    );
    assert!(matches!(e, PlanError::StringEncoding("utf16")), "{e}");
    assert_eq!(
        e.to_string(),
        "the component uses string encoding utf16, and only UTF-8 is supported"
    );
}

#[test]
fn a_nested_component_doing_more_than_re_exporting_is_refused() {
    let e = wat_err(r#"(component (component (core module)))"#);
    assert!(matches!(e, PlanError::NestedComponent(0)), "{e}");
    assert_eq!(
        e.to_string(),
        "nested component at index 0 does more than re-export its imports"
    );
    let e = wat_err(
        r#"(component
          (component)
          (component (import "i" (instance))))"#,
    );
    assert!(matches!(e, PlanError::NestedComponent(1)), "{e}");
}

#[test]
fn a_component_without_run_is_refused() {
    let e = wat_err(r#"(component)"#);
    assert!(matches!(e, PlanError::MissingRun), "{e}");
    let wat = SMALL.replace(r#"(export "wasi:cli/run@0.2.12" (instance $shim-i))"#, "");
    let e = wat_err(&wat);
    assert!(matches!(e, PlanError::MissingRun), "{e}");
}

#[test]
fn other_exports_are_refused() {
    let wat = SMALL.replace(
        r#"(export "wasi:cli/run@0.2.12" (instance $shim-i))"#,
        r#"(export "wasi:http/incoming-handler@0.2.12" (instance $shim-i))"#,
    );
    let e = wat_err(&wat);
    assert!(
        matches!(&e, PlanError::Export(n) if n == "wasi:http/incoming-handler@0.2.12"),
        "{e}"
    );
}

#[test]
fn a_run_of_the_wrong_type_is_refused() {
    let wat = SMALL
        .replace(
            r#"(func $run (type $t) (canon lift (core func $run-core) (post-return $post)))"#,
            r#"(type $u (func (result u32)))
               (func $run (type $u) (canon lift (core func $run-core)))"#,
        )
        .replace(
            r#"(import "import-func-run" (func $f (type $t)))"#,
            r#"(import "import-func-run" (func $f (result u32)))"#,
        );
    let e = wat_err(&wat);
    assert!(matches!(e, PlanError::RunSignature), "{e}");
}

#[test]
fn a_re_exported_import_as_run_is_refused() {
    let e = wat_err(
        r#"(component
          (import "wasi:cli/environment@0.2.12" (instance $i
            (export "run" (func (result (result))))))
          (export "wasi:cli/run@0.2.12" (instance $i)))"#,
    );
    assert!(matches!(e, PlanError::RunNotLifted), "{e}");
}

#[test]
fn guest_defined_resources_are_refused() {
    let e = wat_err(
        r#"(component
          (type $r (resource (rep i32)))
          (core func (canon resource.new $r)))"#,
    );
    assert!(
        matches!(&e, PlanError::Canonical(n) if n == "resource.new"),
        "{e}"
    );
    assert_eq!(
        e.to_string(),
        "the component uses `canon resource.new`, which is not supported"
    );
    let e = wat_err(
        r#"(component
          (type $r (resource (rep i32)))
          (core func (canon resource.rep $r)))"#,
    );
    assert!(
        matches!(&e, PlanError::Canonical(n) if n == "resource.rep"),
        "{e}"
    );
    let e = wat_err(
        r#"(component
          (type $r (resource (rep i32)))
          (core func (canon resource.drop $r)))"#,
    );
    assert!(matches!(e, PlanError::DefinedResource), "{e}");
}

#[test]
fn async_built_ins_are_refused() {
    // Whether the validator or the planner refuses depends on the features
    // wasmparser enables by default; either way it is an error naming it.
    let bytes = wat::parse_str(r#"(component (core func (canon task.return)))"#).unwrap();
    match Plan::parse(&bytes).unwrap_err() {
        PlanError::Canonical(name) => assert_eq!(name, "task-return"),
        PlanError::Malformed(e) => assert!(e.to_string().contains("async"), "{e}"),
        e => panic!("{e}"),
    }
    assert!(matches!(
        Plan::plan_without_validation(&bytes),
        Err(PlanError::Canonical(name)) if name == "task-return"
    ));
    let bytes = wat::parse_str(
        r#"(component
          (import "wasi:cli/exit@0.2.12" (instance $i (export "exit" (func async))))
          (alias export $i "exit" (func $f))
          (core func (canon lower (func $f) async)))"#,
    )
    .unwrap();
    let e = Plan::parse(&bytes).unwrap_err();
    assert!(
        matches!(e, PlanError::CanonOption("async") | PlanError::Malformed(_)),
        "{e}"
    );
    assert!(matches!(
        Plan::plan_without_validation(&bytes),
        Err(PlanError::CanonOption("async"))
    ));
}

#[test]
fn a_component_start_function_is_refused() {
    // The validator wants component-model values for a start section; the
    // planner refuses it on its own too.
    let bytes = wat::parse_str(
        r#"(component
          (core module $m (func (export "f")))
          (core instance $i (instantiate $m))
          (func $f (canon lift (core func $i "f")))
          (start $f))"#,
    )
    .unwrap();
    assert!(Plan::parse(&bytes).is_err());
    assert!(matches!(
        Plan::plan_without_validation(&bytes),
        Err(PlanError::ComponentStart)
    ));
}

#[test]
fn a_core_module_and_garbage_are_not_components() {
    let module = wat::parse_str("(module)").unwrap();
    assert!(matches!(
        Plan::parse(&module),
        Err(PlanError::NotAComponent)
    ));
    assert!(matches!(Plan::parse(b""), Err(PlanError::NotAComponent)));
    assert!(matches!(
        Plan::parse(b"\0asm\x0d\0\x01\0garbage"),
        Err(PlanError::Malformed(_))
    ));
}

#[test]
fn an_unsatisfied_module_import_is_refused_without_validation() {
    let bytes = wat::parse_str(
        r#"(component
          (core module $m (import "env" "f" (func)))
          (core instance (instantiate $m)))"#,
    )
    .unwrap();
    // The validator refuses it first; the planner does not rely on that.
    assert!(matches!(Plan::parse(&bytes), Err(PlanError::Malformed(_))));
    assert!(matches!(
        Plan::plan_without_validation(&bytes),
        Err(PlanError::UnsatisfiedModuleImport { module: 0, name }) if name == "env"
    ));
}

/// A deterministic byte source for corrupting inputs.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Plans `bytes` both ways; either may fail, neither may panic.
fn plan_any(bytes: &[u8]) {
    let _ = Plan::parse(bytes);
    let _ = Plan::plan_without_validation(bytes);
}

#[test]
fn truncated_components_never_panic() {
    for bytes in [
        read("tests/components/bin/p2_hello.wasm"),
        wat::parse_str(SMALL).unwrap(),
    ] {
        for len in (0..bytes.len()).step_by(97) {
            assert!(Plan::parse(&bytes[..len]).is_err(), "prefix {len} planned");
            plan_any(&bytes[..len]);
        }
        // Every prefix of the small one, and the tail of the large one,
        // where the component-level sections are.
        let tail = bytes.len().saturating_sub(3000);
        for len in tail..bytes.len() {
            plan_any(&bytes[..len]);
        }
    }
}

#[test]
fn corrupted_components_never_panic() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    for original in [
        read("tests/components/bin/p2_hello.wasm"),
        wat::parse_str(SMALL).unwrap(),
    ] {
        // Corrupt the component-level sections more often than the modules.
        let tail = original.len().saturating_sub(3000);
        for round in 0..600 {
            let mut bytes = original.clone();
            for _ in 0..1 + round % 3 {
                let span = if round % 4 == 0 {
                    bytes.len()
                } else {
                    bytes.len() - tail
                };
                let at = bytes.len() - span + (rng.next() as usize) % span;
                bytes[at] = rng.next() as u8;
            }
            plan_any(&bytes);
        }
    }
}
