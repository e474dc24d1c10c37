//! Reads a component binary into a [`Plan`]: its core modules, and the core
//! definitions that wire them together, in the order the binary makes them.
//!
//! Every core index in a plan (instance, function, memory, table, global,
//! module) has been checked against its index space, so an instantiator can
//! execute the definitions one by one, each appending to one core index
//! space, and look items up without further checks. Names (a core
//! instance's export, a lowered function) were checked by the validator,
//! but a lookup by name on an engine is still fallible and should stay so.
//! Anything an engine without the component model could not honour is
//! refused up front with a [`PlanError`] that names it.
//!
//! Component-level index spaces (functions, instances, types, nested
//! components) exist only while parsing: they serve to resolve what each
//! `canon lower`, `canon resource.drop` and `canon lift` refers to, and do
//! not survive into the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::rc::Rc;

use wasmparser::{
    CanonicalFunction, CanonicalOption, Chunk, ComponentAlias, ComponentDefinedType,
    ComponentExport, ComponentExternalKind, ComponentFuncType, ComponentImport, ComponentInstance,
    ComponentOuterAliasKind, ComponentType, ComponentTypeRef, ComponentValType, Encoding,
    ExternalKind, Instance, InstanceTypeDeclaration, Parser, Payload, TypeBounds, Validator,
};

/// What a component does, as core definitions an engine without the
/// component model can execute.
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    modules: Vec<&'a [u8]>,
    definitions: Vec<Definition>,
    imports: Vec<Import>,
    run: Run,
}

/// One core definition. Each appends one item to the core index space its
/// variant names, so the n-th [`Definition::CoreFunc`] is core function n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Definition {
    /// A new core instance.
    CoreInstance(CoreInstance),
    /// A new core function.
    CoreFunc(CoreFunc),
    /// A core memory exported by a core instance.
    CoreMemory(CoreExport),
    /// A core table exported by a core instance.
    CoreTable(CoreExport),
    /// A core global exported by a core instance.
    CoreGlobal(CoreExport),
}

/// How a core instance comes to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreInstance {
    /// Instantiates core module `module`, satisfying each import module name
    /// with the core instance given for it. Every import module name of the
    /// module has an entry.
    Instantiate {
        /// Index into [`Plan::modules`].
        module: u32,
        /// `(import module name, core instance index)`.
        args: Vec<(String, u32)>,
    },
    /// A bag of already-defined core items under export names; it exists
    /// only to be passed to an instantiation.
    FromExports(Vec<(String, CoreItem)>),
}

/// A core item by kind and index into its core index space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoreItem {
    /// A core function.
    Func(u32),
    /// A core table.
    Table(u32),
    /// A core memory.
    Memory(u32),
    /// A core global.
    Global(u32),
}

/// An export of a core instance defined earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreExport {
    /// The core instance index.
    pub instance: u32,
    /// The export's name.
    pub name: String,
}

/// Where a core function comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreFunc {
    /// An export of a core instance defined earlier.
    Alias(CoreExport),
    /// A wasi 0.2 function imported by the component, lowered to its flat
    /// canonical-ABI signature.
    Lower {
        /// The imported interface, e.g. `wasi:io/streams@0.2.12`.
        interface: String,
        /// The function as the interface names it, e.g.
        /// `[method]output-stream.blocking-write-and-flush`.
        func: String,
        /// Where lowered lists and strings live and how they are allocated.
        options: CanonOptions,
    },
    /// Drops a handle to a resource of an imported interface.
    ResourceDrop {
        /// The interface that defines the resource, e.g.
        /// `wasi:io/streams@0.2.12`.
        interface: String,
        /// The resource's name, e.g. `output-stream`.
        resource: String,
    },
}

/// The canonical options of a lowering or lifting. Strings are always UTF-8:
/// any other encoding is refused while planning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanonOptions {
    /// The core memory that pointers refer to.
    pub memory: Option<u32>,
    /// The core function the host calls to allocate in that memory.
    pub realloc: Option<u32>,
    /// The core function to call once a lifted function's results are read.
    pub post_return: Option<u32>,
}

/// An imported wasi 0.2 interface and what of it the component uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// The import's name, e.g. `wasi:io/streams@0.2.12`.
    pub name: String,
    /// The functions lowered from it.
    pub funcs: BTreeSet<String>,
    /// The resources whose handles the component drops through it.
    pub resources: BTreeSet<String>,
}

/// The component's `wasi:cli/run` export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    /// The core function lifted as `run`: no parameters, and an `i32` result
    /// that is 0 for `ok` and 1 for `err`.
    pub func: u32,
    /// Its canonical options, `post_return` among them.
    pub options: CanonOptions,
}

/// Why a component cannot be planned. Each message names what the component
/// uses.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// The bytes are a core module, or not wasm at all.
    #[error("not a component (a core module, or not wasm at all)")]
    NotAComponent,
    /// The binary is not a valid component.
    #[error("the component is malformed: {0}")]
    Malformed(#[from] wasmparser::BinaryReaderError),
    /// The binary ended inside a section.
    #[error("the component is truncated")]
    Truncated,
    /// A top-level import that is not an instance.
    #[error("the component imports `{name}` as a {kind}, and only instances of wasi 0.2 interfaces are supported")]
    ImportNotInstance {
        /// The import's name.
        name: String,
        /// What it imports instead (`func`, `type`, ...).
        kind: &'static str,
    },
    /// An instance import whose name is not a wasi 0.2 interface.
    #[error("the component imports `{0}`, which is not a wasi 0.2 interface")]
    NotWasiInterface(String),
    /// A string encoding other than UTF-8.
    #[error("the component uses string encoding {0}, and only UTF-8 is supported")]
    StringEncoding(&'static str),
    /// A canonical option an engine without the component model cannot
    /// honour (`async`, `callback`, `core-type`, `gc`).
    #[error("the component uses the canonical option `{0}`, which is not supported")]
    CanonOption(&'static str),
    /// A canonical built-in other than `lift`, `lower` and `resource.drop`.
    #[error("the component uses `canon {0}`, which is not supported")]
    Canonical(String),
    /// A handle to a resource type the component defines itself.
    #[error("the component drops a handle to a resource type it defines itself, and only imported resources are supported")]
    DefinedResource,
    /// A component-level start function.
    #[error("the component has a component-level start function, which is not supported")]
    ComponentStart,
    /// A nested component that is not the type-ascription shim.
    #[error("nested component at index {0} does more than re-export its imports")]
    NestedComponent(u32),
    /// A core module import that no instantiation argument satisfies.
    #[error("core module {module} imports from `{name}`, and its instantiation gives no instance for it")]
    UnsatisfiedModuleImport {
        /// The core module index.
        module: u32,
        /// The import module name.
        name: String,
    },
    /// An index beyond its index space.
    #[error("{space} index {index} is out of range")]
    IndexOutOfRange {
        /// The index space, e.g. `core func`.
        space: &'static str,
        /// The index.
        index: u32,
    },
    /// An item used as something it is not.
    #[error("{space} {index} is not {expected}")]
    WrongKind {
        /// The index space, e.g. `component type`.
        space: &'static str,
        /// The index.
        index: u32,
        /// What the use needs, e.g. `an imported resource`.
        expected: &'static str,
    },
    /// An alias or instantiation names an export that is not there.
    #[error("{what} has no {kind} export `{name}`")]
    MissingExport {
        /// The instance or component, e.g. the import's name.
        what: String,
        /// The sort looked for, e.g. `func`.
        kind: &'static str,
        /// The export's name.
        name: String,
    },
    /// A top-level export other than `wasi:cli/run`.
    #[error("the component exports `{0}`, and only `wasi:cli/run@0.2` is supported")]
    Export(String),
    /// No `wasi:cli/run@0.2` export, or one without a `run` function.
    #[error("the component does not export `wasi:cli/run@0.2` with a `run` function")]
    MissingRun,
    /// The `run` export is not a function the component lifts from core.
    #[error("the component's `run` is not a core function it lifts")]
    RunNotLifted,
    /// The `run` export's type is not `func() -> result`.
    #[error("the component's `run` is not `func() -> result`")]
    RunSignature,
    /// Anything else outside what a plan can say.
    #[error("the component uses {0}, which is not supported")]
    Unsupported(String),
}

impl<'a> Plan<'a> {
    /// Validates `bytes` as a component and plans it.
    ///
    /// Never panics: malformed input, indices out of range and features out
    /// of scope all come back as a [`PlanError`].
    pub fn parse(bytes: &'a [u8]) -> Result<Self, PlanError> {
        if !Parser::is_component(bytes) {
            return Err(PlanError::NotAComponent);
        }
        Validator::new().validate_all(bytes)?;
        Self::plan_without_validation(bytes)
    }

    /// Plans `bytes` that were validated. Validation makes the errors
    /// clearer, not the planning safer: the tests feed corrupted input here
    /// directly.
    fn plan_without_validation(bytes: &'a [u8]) -> Result<Self, PlanError> {
        let mut builder = Builder::new(bytes);
        builder.component()?;
        builder.finish()
    }

    /// The core modules, by module index: slices of the input.
    pub fn modules(&self) -> &[&'a [u8]] {
        &self.modules
    }

    /// The core definitions, in the order they must be made.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// Every imported interface, in import order, with what of it is used.
    pub fn imports(&self) -> &[Import] {
        &self.imports
    }

    /// The `wasi:cli/run` export.
    pub fn run(&self) -> Run {
        self.run
    }
}

/// A component-level type, as far as planning needs to know it.
#[derive(Debug, Clone)]
enum TypeEntry {
    /// A resource of an imported instance: index into `Builder::imports`.
    Resource {
        import: usize,
        name: Rc<str>,
    },
    Instance(Rc<InstanceType>),
    /// A resource the component defines; no built-in on it is supported.
    DefinedResource,
    /// `result` with neither payload: what `run` returns.
    UnitResult,
    /// `func() -> result`.
    RunSignature,
    /// Any other type: it only occupies an index.
    Opaque,
}

/// The exports of an instance type, enough to resolve aliases of an import
/// of that type.
#[derive(Debug, Default)]
struct InstanceType {
    exports: BTreeMap<String, TypeExport>,
}

#[derive(Debug, Clone)]
enum TypeExport {
    Func,
    Type(LocalType),
    Other,
}

/// A type inside an instance type: either one known from outside, or a
/// fresh resource the instance itself provides (named by its export).
#[derive(Debug, Clone)]
enum LocalType {
    Known(TypeEntry),
    Fresh(Rc<str>),
}

#[derive(Debug, Clone)]
enum FuncEntry {
    /// A function of an imported instance.
    Imported {
        import: usize,
        name: Rc<str>,
    },
    Lifted(Lifted),
}

#[derive(Debug, Clone, Copy)]
struct Lifted {
    core_func: u32,
    options: CanonOptions,
    run_signature: bool,
}

#[derive(Debug, Clone)]
enum InstanceEntry {
    /// Index into `Builder::imports`.
    Imported(usize),
    Exports(Rc<BTreeMap<String, Item>>),
}

/// An item exported by a component instance the component makes itself.
#[derive(Debug, Clone)]
enum Item {
    Func(FuncEntry),
    Type(TypeEntry),
    Instance(InstanceEntry),
}

/// The one nested component planning accepts: it imports functions and
/// types and exports them again, only to ascribe them types.
#[derive(Debug)]
struct Shim {
    exports: Vec<(String, ShimExport)>,
}

#[derive(Debug, Clone)]
enum ShimExport {
    /// Re-exports the function imported under this name.
    Func(Rc<str>),
    /// Re-exports the type imported under this name.
    ImportedType(Rc<str>),
    /// Exports a type the shim defines; only its index matters outside.
    OwnType,
}

#[derive(Debug)]
struct ImportSlot {
    name: String,
    ty: Rc<InstanceType>,
    funcs: BTreeSet<String>,
    resources: BTreeSet<String>,
}

/// Counts of the core index spaces so far.
#[derive(Debug, Default)]
struct CoreCounts {
    instances: u32,
    funcs: u32,
    memories: u32,
    tables: u32,
    globals: u32,
}

struct Builder<'a> {
    bytes: &'a [u8],
    modules: Vec<&'a [u8]>,
    definitions: Vec<Definition>,
    core: CoreCounts,
    imports: Vec<ImportSlot>,
    types: Vec<TypeEntry>,
    funcs: Vec<FuncEntry>,
    instances: Vec<InstanceEntry>,
    components: Vec<Rc<Shim>>,
    run: Option<Run>,
}

/// Looks up `index` in `space`, or says which index space it overran.
fn get<'s, T>(items: &'s [T], index: u32, space: &'static str) -> Result<&'s T, PlanError> {
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .ok_or(PlanError::IndexOutOfRange { space, index })
}

fn check(index: u32, len: u32, space: &'static str) -> Result<u32, PlanError> {
    if index < len {
        Ok(index)
    } else {
        Err(PlanError::IndexOutOfRange { space, index })
    }
}

/// Advances past `n` bytes of `rest`, which a nested module or component
/// occupies and the parser left for us to skip.
fn skip(rest: &[u8], n: usize) -> Result<&[u8], PlanError> {
    rest.get(n..).ok_or(PlanError::Truncated)
}

/// The next payload of `parser` over `rest`, and what remains after it.
fn next<'b>(parser: &mut Parser, rest: &'b [u8]) -> Result<(Payload<'b>, &'b [u8]), PlanError> {
    match parser.parse(rest, true)? {
        Chunk::Parsed { consumed, payload } => Ok((payload, skip(rest, consumed)?)),
        Chunk::NeedMoreData(_) => Err(PlanError::Truncated),
    }
}

fn nested_bytes(bytes: &[u8], range: Range<usize>) -> Result<&[u8], PlanError> {
    bytes.get(range).ok_or(PlanError::Truncated)
}

impl<'a> Builder<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            modules: Vec::new(),
            definitions: Vec::new(),
            core: CoreCounts::default(),
            imports: Vec::new(),
            types: Vec::new(),
            funcs: Vec::new(),
            instances: Vec::new(),
            components: Vec::new(),
            run: None,
        }
    }

    fn finish(self) -> Result<Plan<'a>, PlanError> {
        let run = self.run.ok_or(PlanError::MissingRun)?;
        let imports = self
            .imports
            .into_iter()
            .map(|slot| Import {
                name: slot.name,
                funcs: slot.funcs,
                resources: slot.resources,
            })
            .collect();
        Ok(Plan {
            modules: self.modules,
            definitions: self.definitions,
            imports,
            run,
        })
    }

    /// Walks the outer component's sections in binary order.
    fn component(&mut self) -> Result<(), PlanError> {
        let bytes = self.bytes;
        let mut parser = Parser::new(0);
        let mut rest = bytes;
        loop {
            let (payload, after) = next(&mut parser, rest)?;
            rest = after;
            match payload {
                Payload::Version { encoding, .. } if encoding != Encoding::Component => {
                    return Err(PlanError::NotAComponent)
                }
                Payload::Version { .. }
                | Payload::CustomSection(_)
                | Payload::CoreTypeSection(_) => {}
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    let module = nested_bytes(bytes, unchecked_range)?;
                    self.modules.push(module);
                    rest = skip(rest, module.len())?;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    let start = unchecked_range.start;
                    let nested = nested_bytes(bytes, unchecked_range)?;
                    let index = u32::try_from(self.components.len()).unwrap_or(u32::MAX);
                    self.components.push(Rc::new(shim(nested, start, index)?));
                    rest = skip(rest, nested.len())?;
                }
                Payload::InstanceSection(reader) => {
                    for instance in reader {
                        self.core_instance(instance?)?;
                    }
                }
                Payload::ComponentTypeSection(reader) => {
                    for ty in reader {
                        let entry = self.type_entry(ty?)?;
                        self.types.push(entry);
                    }
                }
                Payload::ComponentImportSection(reader) => {
                    for import in reader {
                        self.import(import?)?;
                    }
                }
                Payload::ComponentAliasSection(reader) => {
                    for alias in reader {
                        self.alias(alias?)?;
                    }
                }
                Payload::ComponentCanonicalSection(reader) => {
                    for canonical in reader {
                        self.canonical(canonical?)?;
                    }
                }
                Payload::ComponentInstanceSection(reader) => {
                    for instance in reader {
                        self.instance(instance?)?;
                    }
                }
                Payload::ComponentExportSection(reader) => {
                    for export in reader {
                        self.export(export?)?;
                    }
                }
                Payload::ComponentStartSection { .. } => return Err(PlanError::ComponentStart),
                Payload::End(_) => return Ok(()),
                _ => return Err(PlanError::Unsupported("an unknown section".into())),
            }
        }
    }

    fn define(&mut self, definition: Definition) {
        let counter = match &definition {
            Definition::CoreInstance(_) => &mut self.core.instances,
            Definition::CoreFunc(_) => &mut self.core.funcs,
            Definition::CoreMemory(_) => &mut self.core.memories,
            Definition::CoreTable(_) => &mut self.core.tables,
            Definition::CoreGlobal(_) => &mut self.core.globals,
        };
        *counter = counter.saturating_add(1);
        self.definitions.push(definition);
    }

    fn core_instance(&mut self, instance: Instance<'_>) -> Result<(), PlanError> {
        let instance = match instance {
            Instance::Instantiate { module_index, args } => {
                let module = *get(&self.modules, module_index, "core module")?;
                let args = args
                    .iter()
                    .map(|arg| {
                        check(arg.index, self.core.instances, "core instance")
                            .map(|index| (arg.name.to_string(), index))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                check_module_imports(module, module_index, &args)?;
                CoreInstance::Instantiate {
                    module: module_index,
                    args,
                }
            }
            Instance::FromExports(exports) => CoreInstance::FromExports(
                exports
                    .iter()
                    .map(|export| {
                        Ok((
                            export.name.to_string(),
                            self.core_item(export.kind, export.index)?,
                        ))
                    })
                    .collect::<Result<Vec<_>, PlanError>>()?,
            ),
        };
        self.define(Definition::CoreInstance(instance));
        Ok(())
    }

    fn core_item(&self, kind: ExternalKind, index: u32) -> Result<CoreItem, PlanError> {
        Ok(match kind {
            ExternalKind::Func | ExternalKind::FuncExact => {
                CoreItem::Func(check(index, self.core.funcs, "core func")?)
            }
            ExternalKind::Table => CoreItem::Table(check(index, self.core.tables, "core table")?),
            ExternalKind::Memory => {
                CoreItem::Memory(check(index, self.core.memories, "core memory")?)
            }
            ExternalKind::Global => {
                CoreItem::Global(check(index, self.core.globals, "core global")?)
            }
            ExternalKind::Tag => return Err(PlanError::Unsupported("a core tag".into())),
        })
    }

    fn type_entry(&self, ty: ComponentType<'_>) -> Result<TypeEntry, PlanError> {
        Ok(match ty {
            ComponentType::Defined(ComponentDefinedType::Result {
                ok: None,
                err: None,
            }) => TypeEntry::UnitResult,
            ComponentType::Func(func) => self.func_type(&func),
            ComponentType::Instance(decls) => {
                TypeEntry::Instance(Rc::new(self.instance_type(&decls)?))
            }
            ComponentType::Resource { .. } => TypeEntry::DefinedResource,
            ComponentType::Defined(_) | ComponentType::Component(_) => TypeEntry::Opaque,
        })
    }

    fn func_type(&self, func: &ComponentFuncType<'_>) -> TypeEntry {
        let returns_unit_result = match func.result {
            Some(ComponentValType::Type(index)) => {
                matches!(
                    get(&self.types, index, "component type"),
                    Ok(TypeEntry::UnitResult)
                )
            }
            _ => false,
        };
        if !func.async_ && func.params.is_empty() && returns_unit_result {
            TypeEntry::RunSignature
        } else {
            TypeEntry::Opaque
        }
    }

    /// Records an instance type's exports, following `alias outer` and
    /// `(eq ..)` bounds so that a resource re-exported by one interface
    /// resolves to the import that defines it.
    fn instance_type(
        &self,
        decls: &[InstanceTypeDeclaration<'_>],
    ) -> Result<InstanceType, PlanError> {
        let mut local: Vec<LocalType> = Vec::new();
        let mut exports = BTreeMap::new();
        for decl in decls {
            match decl {
                InstanceTypeDeclaration::CoreType(_) => {}
                InstanceTypeDeclaration::Type(_) => local.push(LocalType::Known(TypeEntry::Opaque)),
                InstanceTypeDeclaration::Alias(alias) => {
                    if let Some(ty) = self.instance_type_alias(alias, &local)? {
                        local.push(ty);
                    }
                }
                InstanceTypeDeclaration::Export { name, ty } => {
                    let export = match ty {
                        ComponentTypeRef::Func(_) => TypeExport::Func,
                        ComponentTypeRef::Type(TypeBounds::SubResource) => {
                            let fresh = LocalType::Fresh(name.name.into());
                            local.push(fresh.clone());
                            TypeExport::Type(fresh)
                        }
                        ComponentTypeRef::Type(TypeBounds::Eq(index)) => {
                            let ty = get(&local, *index, "instance type's type")?.clone();
                            local.push(ty.clone());
                            TypeExport::Type(ty)
                        }
                        _ => TypeExport::Other,
                    };
                    exports.entry(name.name.to_string()).or_insert(export);
                }
            }
        }
        Ok(InstanceType { exports })
    }

    /// The type an alias inside an instance type adds, if it adds one.
    fn instance_type_alias(
        &self,
        alias: &ComponentAlias<'_>,
        local: &[LocalType],
    ) -> Result<Option<LocalType>, PlanError> {
        Ok(match alias {
            ComponentAlias::Outer {
                kind: ComponentOuterAliasKind::Type,
                count,
                index,
            } => Some(match count {
                0 => get(local, *index, "instance type's type")?.clone(),
                1 => LocalType::Known(get(&self.types, *index, "component type")?.clone()),
                _ => return Err(PlanError::Unsupported(format!("an `alias outer {count}`"))),
            }),
            ComponentAlias::InstanceExport {
                kind: ComponentExternalKind::Type,
                ..
            } => Some(LocalType::Known(TypeEntry::Opaque)),
            _ => None,
        })
    }

    fn import(&mut self, import: ComponentImport<'_>) -> Result<(), PlanError> {
        let name = import.name.name;
        let ComponentTypeRef::Instance(index) = import.ty else {
            return Err(PlanError::ImportNotInstance {
                name: name.to_string(),
                kind: import.ty.kind().desc(),
            });
        };
        if !is_wasi_p2_interface(name) {
            return Err(PlanError::NotWasiInterface(name.to_string()));
        }
        let TypeEntry::Instance(ty) = get(&self.types, index, "component type")? else {
            return Err(PlanError::WrongKind {
                space: "component type",
                index,
                expected: "an instance type",
            });
        };
        self.imports.push(ImportSlot {
            name: name.to_string(),
            ty: ty.clone(),
            funcs: BTreeSet::new(),
            resources: BTreeSet::new(),
        });
        self.instances
            .push(InstanceEntry::Imported(self.imports.len() - 1));
        Ok(())
    }

    fn alias(&mut self, alias: ComponentAlias<'_>) -> Result<(), PlanError> {
        match alias {
            ComponentAlias::CoreInstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let export = CoreExport {
                    instance: check(instance_index, self.core.instances, "core instance")?,
                    name: name.to_string(),
                };
                let definition = match kind {
                    ExternalKind::Func | ExternalKind::FuncExact => {
                        Definition::CoreFunc(CoreFunc::Alias(export))
                    }
                    ExternalKind::Table => Definition::CoreTable(export),
                    ExternalKind::Memory => Definition::CoreMemory(export),
                    ExternalKind::Global => Definition::CoreGlobal(export),
                    ExternalKind::Tag => return Err(PlanError::Unsupported("a core tag".into())),
                };
                self.define(definition);
            }
            ComponentAlias::InstanceExport {
                kind,
                instance_index,
                name,
            } => {
                let instance = get(&self.instances, instance_index, "component instance")?.clone();
                let item = self.instance_export(&instance, kind, name)?;
                self.push_item(item);
            }
            ComponentAlias::Outer { kind, count, index } => self.outer_alias(kind, count, index)?,
        }
        Ok(())
    }

    /// `alias outer 0` names this very component, the only one a top-level
    /// alias can name.
    fn outer_alias(
        &mut self,
        kind: ComponentOuterAliasKind,
        count: u32,
        index: u32,
    ) -> Result<(), PlanError> {
        if count != 0 {
            return Err(PlanError::Unsupported(format!("an `alias outer {count}`")));
        }
        match kind {
            ComponentOuterAliasKind::CoreType => {}
            ComponentOuterAliasKind::CoreModule => {
                let module = *get(&self.modules, index, "core module")?;
                self.modules.push(module);
            }
            ComponentOuterAliasKind::Type => {
                let ty = get(&self.types, index, "component type")?.clone();
                self.types.push(ty);
            }
            ComponentOuterAliasKind::Component => {
                let component = get(&self.components, index, "component")?.clone();
                self.components.push(component);
            }
        }
        Ok(())
    }

    fn instance_export(
        &self,
        instance: &InstanceEntry,
        kind: ComponentExternalKind,
        name: &str,
    ) -> Result<Item, PlanError> {
        let missing = |what: &str| PlanError::MissingExport {
            what: what.to_string(),
            kind: kind.desc(),
            name: name.to_string(),
        };
        match instance {
            InstanceEntry::Imported(import) => {
                let slot = get(
                    &self.imports,
                    u32::try_from(*import).unwrap_or(u32::MAX),
                    "import",
                )?;
                let export = slot.ty.exports.get(name);
                match (kind, export) {
                    (ComponentExternalKind::Func, Some(TypeExport::Func)) => {
                        Ok(Item::Func(FuncEntry::Imported {
                            import: *import,
                            name: name.into(),
                        }))
                    }
                    (ComponentExternalKind::Type, Some(TypeExport::Type(ty))) => {
                        Ok(Item::Type(match ty {
                            LocalType::Known(entry) => entry.clone(),
                            LocalType::Fresh(resource) => TypeEntry::Resource {
                                import: *import,
                                name: resource.clone(),
                            },
                        }))
                    }
                    (ComponentExternalKind::Func | ComponentExternalKind::Type, _) => {
                        Err(missing(&slot.name))
                    }
                    _ => Err(PlanError::Unsupported(format!(
                        "an alias of a {} export of `{}`",
                        kind.desc(),
                        slot.name
                    ))),
                }
            }
            InstanceEntry::Exports(exports) => {
                let item = exports
                    .get(name)
                    .ok_or_else(|| missing("a component instance"))?;
                let matches = matches!(
                    (kind, item),
                    (ComponentExternalKind::Func, Item::Func(_))
                        | (ComponentExternalKind::Type, Item::Type(_))
                        | (ComponentExternalKind::Instance, Item::Instance(_))
                );
                if matches {
                    Ok(item.clone())
                } else {
                    Err(missing("a component instance"))
                }
            }
        }
    }

    fn push_item(&mut self, item: Item) {
        match item {
            Item::Func(func) => self.funcs.push(func),
            Item::Type(ty) => self.types.push(ty),
            Item::Instance(instance) => self.instances.push(instance),
        }
    }

    fn canonical(&mut self, canonical: CanonicalFunction) -> Result<(), PlanError> {
        match canonical {
            CanonicalFunction::Lower {
                func_index,
                options,
            } => self.lower(func_index, &options),
            CanonicalFunction::Lift {
                core_func_index,
                type_index,
                options,
            } => self.lift(core_func_index, type_index, &options),
            CanonicalFunction::ResourceDrop { resource } => self.resource_drop(resource),
            other => Err(PlanError::Canonical(canonical_name(&other))),
        }
    }

    fn lower(&mut self, func_index: u32, options: &[CanonicalOption]) -> Result<(), PlanError> {
        let options = self.canon_options(options)?;
        let (import, name) = match get(&self.funcs, func_index, "component func")? {
            FuncEntry::Imported { import, name } => (*import, name.clone()),
            FuncEntry::Lifted(_) => {
                return Err(PlanError::Unsupported(
                    "`canon lower` of a function it lifts itself".into(),
                ))
            }
        };
        let slot = self
            .imports
            .get_mut(import)
            .ok_or(PlanError::IndexOutOfRange {
                space: "import",
                index: u32::try_from(import).unwrap_or(u32::MAX),
            })?;
        slot.funcs.insert(name.to_string());
        let interface = slot.name.clone();
        self.define(Definition::CoreFunc(CoreFunc::Lower {
            interface,
            func: name.to_string(),
            options,
        }));
        Ok(())
    }

    fn lift(
        &mut self,
        core_func: u32,
        type_index: u32,
        options: &[CanonicalOption],
    ) -> Result<(), PlanError> {
        let core_func = check(core_func, self.core.funcs, "core func")?;
        let options = self.canon_options(options)?;
        let run_signature = matches!(
            get(&self.types, type_index, "component type")?,
            TypeEntry::RunSignature
        );
        self.funcs.push(FuncEntry::Lifted(Lifted {
            core_func,
            options,
            run_signature,
        }));
        Ok(())
    }

    fn resource_drop(&mut self, resource: u32) -> Result<(), PlanError> {
        let (import, name) = match get(&self.types, resource, "component type")? {
            TypeEntry::Resource { import, name } => (import, name),
            TypeEntry::DefinedResource => return Err(PlanError::DefinedResource),
            _ => {
                return Err(PlanError::WrongKind {
                    space: "component type",
                    index: resource,
                    expected: "a resource of an imported interface",
                })
            }
        };
        let (import, name) = (*import, name.clone());
        let slot = self
            .imports
            .get_mut(import)
            .ok_or(PlanError::IndexOutOfRange {
                space: "import",
                index: u32::try_from(import).unwrap_or(u32::MAX),
            })?;
        slot.resources.insert(name.to_string());
        let interface = slot.name.clone();
        self.define(Definition::CoreFunc(CoreFunc::ResourceDrop {
            interface,
            resource: name.to_string(),
        }));
        Ok(())
    }

    fn canon_options(&self, options: &[CanonicalOption]) -> Result<CanonOptions, PlanError> {
        let mut out = CanonOptions::default();
        for option in options {
            match *option {
                CanonicalOption::UTF8 => {}
                CanonicalOption::UTF16 => return Err(PlanError::StringEncoding("utf16")),
                CanonicalOption::CompactUTF16 => {
                    return Err(PlanError::StringEncoding("latin1+utf16"))
                }
                CanonicalOption::Memory(index) => {
                    out.memory = Some(check(index, self.core.memories, "core memory")?)
                }
                CanonicalOption::Realloc(index) => {
                    out.realloc = Some(check(index, self.core.funcs, "core func")?)
                }
                CanonicalOption::PostReturn(index) => {
                    out.post_return = Some(check(index, self.core.funcs, "core func")?)
                }
                CanonicalOption::Async => return Err(PlanError::CanonOption("async")),
                CanonicalOption::Callback(_) => return Err(PlanError::CanonOption("callback")),
                CanonicalOption::CoreType(_) => return Err(PlanError::CanonOption("core-type")),
                CanonicalOption::Gc => return Err(PlanError::CanonOption("gc")),
            }
        }
        Ok(out)
    }

    fn instance(&mut self, instance: ComponentInstance<'_>) -> Result<(), PlanError> {
        let exports = match instance {
            ComponentInstance::Instantiate {
                component_index,
                args,
            } => {
                let shim = get(&self.components, component_index, "component")?.clone();
                let mut by_name = BTreeMap::new();
                for arg in args.iter() {
                    by_name.entry(arg.name).or_insert((arg.kind, arg.index));
                }
                shim.exports
                    .iter()
                    .map(|(name, export)| {
                        Ok((
                            name.clone(),
                            self.shim_export(component_index, export, &by_name)?,
                        ))
                    })
                    .collect::<Result<BTreeMap<_, _>, PlanError>>()?
            }
            ComponentInstance::FromExports(exports) => exports
                .iter()
                .map(|export| {
                    Ok((
                        export.name.name.to_string(),
                        self.item(export.kind, export.index)?,
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, PlanError>>()?,
        };
        self.instances
            .push(InstanceEntry::Exports(Rc::new(exports)));
        Ok(())
    }

    /// What an export of an instantiated shim resolves to: the argument
    /// passed for the import it re-exports.
    fn shim_export(
        &self,
        component: u32,
        export: &ShimExport,
        args: &BTreeMap<&str, (ComponentExternalKind, u32)>,
    ) -> Result<Item, PlanError> {
        let (import, kind) = match export {
            ShimExport::Func(import) => (import, ComponentExternalKind::Func),
            ShimExport::ImportedType(import) => (import, ComponentExternalKind::Type),
            ShimExport::OwnType => return Ok(Item::Type(TypeEntry::Opaque)),
        };
        let index = args
            .get(&**import)
            .filter(|(arg_kind, _)| *arg_kind == kind)
            .map(|(_, index)| *index)
            .ok_or_else(|| PlanError::MissingExport {
                what: format!("the instantiation of nested component {component}"),
                kind: kind.desc(),
                name: import.to_string(),
            })?;
        self.item(kind, index)
    }

    fn item(&self, kind: ComponentExternalKind, index: u32) -> Result<Item, PlanError> {
        Ok(match kind {
            ComponentExternalKind::Func => {
                Item::Func(get(&self.funcs, index, "component func")?.clone())
            }
            ComponentExternalKind::Type => {
                Item::Type(get(&self.types, index, "component type")?.clone())
            }
            ComponentExternalKind::Instance => {
                Item::Instance(get(&self.instances, index, "component instance")?.clone())
            }
            other => {
                return Err(PlanError::Unsupported(format!(
                    "a {} in a component instance",
                    other.desc()
                )))
            }
        })
    }

    /// An export is also a new index of its sort; only `wasi:cli/run` may
    /// be exported.
    fn export(&mut self, export: ComponentExport<'_>) -> Result<(), PlanError> {
        let name = export.name.name;
        if !is_wasi_cli_run(name) {
            return Err(PlanError::Export(name.to_string()));
        }
        if self.run.is_some() {
            return Err(PlanError::Unsupported("two `wasi:cli/run` exports".into()));
        }
        if export.kind != ComponentExternalKind::Instance {
            return Err(PlanError::WrongKind {
                space: "export",
                index: export.index,
                expected: "an instance",
            });
        }
        let instance = get(&self.instances, export.index, "component instance")?.clone();
        self.run = Some(run_of(&instance)?);
        self.instances.push(instance);
        Ok(())
    }
}

fn run_of(instance: &InstanceEntry) -> Result<Run, PlanError> {
    let InstanceEntry::Exports(exports) = instance else {
        return Err(PlanError::RunNotLifted);
    };
    let item = exports.get("run").ok_or(PlanError::MissingRun)?;
    match item {
        Item::Func(FuncEntry::Lifted(lifted)) if lifted.run_signature => Ok(Run {
            func: lifted.core_func,
            options: lifted.options,
        }),
        Item::Func(FuncEntry::Lifted(_)) => Err(PlanError::RunSignature),
        Item::Func(FuncEntry::Imported { .. }) => Err(PlanError::RunNotLifted),
        Item::Type(_) | Item::Instance(_) => Err(PlanError::MissingRun),
    }
}

/// Reads a nested component, accepting only the type-ascription shim:
/// imports of functions and types, type definitions and outer type aliases,
/// and exports of what it imported.
fn shim(bytes: &[u8], offset: usize, index: u32) -> Result<Shim, PlanError> {
    let refuse = || PlanError::NestedComponent(index);
    let mut funcs: Vec<Rc<str>> = Vec::new();
    let mut types: Vec<Option<Rc<str>>> = Vec::new();
    let mut exports = Vec::new();
    let mut parser = Parser::new(u64::try_from(offset).unwrap_or(u64::MAX));
    let mut rest = bytes;
    loop {
        let (payload, after) = next(&mut parser, rest)?;
        rest = after;
        match payload {
            Payload::Version { .. } | Payload::CustomSection(_) => {}
            Payload::ComponentTypeSection(reader) => {
                for ty in reader {
                    if let ComponentType::Resource { .. } = ty? {
                        return Err(refuse());
                    }
                    types.push(None);
                }
            }
            Payload::ComponentAliasSection(reader) => {
                for alias in reader {
                    match alias? {
                        ComponentAlias::Outer {
                            kind: ComponentOuterAliasKind::Type,
                            ..
                        } => types.push(None),
                        _ => return Err(refuse()),
                    }
                }
            }
            Payload::ComponentImportSection(reader) => {
                for import in reader {
                    let import = import?;
                    match import.ty {
                        ComponentTypeRef::Func(_) => funcs.push(import.name.name.into()),
                        ComponentTypeRef::Type(_) => types.push(Some(import.name.name.into())),
                        _ => return Err(refuse()),
                    }
                }
            }
            Payload::ComponentExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    let shim_export = match export.kind {
                        ComponentExternalKind::Func => {
                            let import = get(&funcs, export.index, "component func")?.clone();
                            funcs.push(import.clone());
                            ShimExport::Func(import)
                        }
                        ComponentExternalKind::Type => {
                            let import = get(&types, export.index, "component type")?.clone();
                            types.push(import.clone());
                            import.map_or(ShimExport::OwnType, ShimExport::ImportedType)
                        }
                        _ => return Err(refuse()),
                    };
                    exports.push((export.name.name.to_string(), shim_export));
                }
            }
            Payload::End(_) => return Ok(Shim { exports }),
            _ => return Err(refuse()),
        }
    }
}

/// Checks that every import module name of `module` has an instance among
/// `args`, so that an instantiator never meets an unsatisfied import.
fn check_module_imports(
    module: &[u8],
    index: u32,
    args: &[(String, u32)],
) -> Result<(), PlanError> {
    let given: BTreeSet<&str> = args.iter().map(|(name, _)| name.as_str()).collect();
    let mut parser = Parser::new(0);
    let mut rest = module;
    loop {
        let (payload, after) = next(&mut parser, rest)?;
        rest = after;
        match payload {
            Payload::Version { .. } | Payload::TypeSection(_) | Payload::CustomSection(_) => {}
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    if !given.contains(import.module) {
                        return Err(PlanError::UnsatisfiedModuleImport {
                            module: index,
                            name: import.module.to_string(),
                        });
                    }
                }
                return Ok(());
            }
            // Imports precede every other section but types.
            _ => return Ok(()),
        }
    }
}

/// `wasi:<package>/<interface>@0.2.<patch>`, the names a wasi 0.2 host
/// provides.
fn is_wasi_p2_interface(name: &str) -> bool {
    let Some((path, version)) = name.split_once('@') else {
        return false;
    };
    let Some(path) = path.strip_prefix("wasi:") else {
        return false;
    };
    let Some((package, interface)) = path.split_once('/') else {
        return false;
    };
    !package.is_empty() && !interface.is_empty() && version.starts_with("0.2.")
}

fn is_wasi_cli_run(name: &str) -> bool {
    name.strip_prefix("wasi:cli/run@")
        .is_some_and(|version| version.starts_with("0.2."))
}

/// The built-in's name, in kebab case from wasmparser's variant name for
/// anything but the resource built-ins (e.g. `task-return`).
fn canonical_name(canonical: &CanonicalFunction) -> String {
    match canonical {
        CanonicalFunction::ResourceNew { .. } => "resource.new".into(),
        CanonicalFunction::ResourceRep { .. } => "resource.rep".into(),
        other => {
            let debug = format!("{other:?}");
            let variant = debug
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .unwrap_or_default();
            let mut name = String::new();
            for c in variant.chars() {
                if c.is_ascii_uppercase() && !name.is_empty() {
                    name.push('-');
                }
                name.push(c.to_ascii_lowercase());
            }
            name
        }
    }
}

#[cfg(test)]
mod tests;
