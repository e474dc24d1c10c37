//! Runs a component's [`Plan`] on a [`CoreEngine`]: compiles its core
//! modules, instantiates them in the plan's order with each import
//! satisfied by an earlier instance's export or by a host function from
//! [`super::host`], and calls the lifted `wasi:cli/run`.
//!
//! Handles the guest holds are indices into the context's resource table
//! (plus one), so the resource intrinsics the plan uses (`resource.drop` of
//! a wasi resource) are host functions like any other.

use wasmparser::{Parser, Payload};

use super::abi::{trap, Guest, Outcome, Val};
use super::engine::{CoreEngine, EngineError, Extern};
use super::host::{self, HostFunc};
use super::plan::{CoreExport, CoreFunc, CoreInstance, CoreItem, Definition, Plan, Run};
use super::signatures::{self, FlatType};
use crate::engine::{RunError, Termination};
use crate::p2::WasiP2Ctx;
use crate::WasiCtx;

/// A component compiled for one engine, ready to instantiate any number of
/// times.
pub struct Compiled<E: CoreEngine> {
    modules: Vec<CoreModule<E>>,
    /// Each definition, with the host function it lowers when it is a
    /// lowering or a resource drop, found once here rather than on every
    /// instantiation.
    definitions: Vec<(Definition, Option<Lowering>)>,
    run: Run,
}

/// The host function behind a lowering, and its core type.
#[derive(Clone, Copy)]
struct Lowering {
    entry: &'static HostFunc,
    params: &'static [FlatType],
    results: &'static [FlatType],
}

/// The host function `definition` lowers, if it lowers one.
fn lowering(definition: &Definition) -> Result<Option<Lowering>, RunError> {
    Ok(match definition {
        Definition::CoreFunc(CoreFunc::Lower {
            interface, func, ..
        }) => match (
            host::lookup(interface, func),
            signatures::lookup(interface, func),
        ) {
            (Some(entry), Some(signature)) => Some(Lowering {
                entry,
                params: signature.params,
                results: signature.results,
            }),
            _ => {
                return Err(RunError::Load(format!(
                "the component imports `{func}` from `{interface}`, which capwasi does not provide"
            )))
            }
        },
        Definition::CoreFunc(CoreFunc::ResourceDrop {
            interface,
            resource,
        }) => match host::lookup(interface, &format!("[resource-drop]{resource}")) {
            Some(entry) => Some(Lowering {
                entry,
                params: &[FlatType::I32],
                results: &[],
            }),
            None => {
                return Err(RunError::Load(format!(
                "the component drops `{resource}` of `{interface}`, which capwasi does not provide"
            )))
            }
        },
        _ => None,
    })
}

/// A compiled core module and the `(module, name)` of its imports.
struct CoreModule<E: CoreEngine> {
    module: E::Module,
    imports: Vec<(String, String)>,
}

/// An instantiated component whose `run` has not been called yet.
pub struct Instantiated<E: CoreEngine> {
    store: E::Store,
    run: E::Func,
    post_return: Option<E::Func>,
}

impl<E: CoreEngine> Compiled<E> {
    /// Plans `wasm` and compiles its core modules.
    pub fn new(engine: &E, wasm: &[u8]) -> Result<Self, RunError> {
        let plan = Plan::parse(wasm).map_err(|e| RunError::Load(e.to_string()))?;
        let modules = plan
            .modules()
            .iter()
            .enumerate()
            .map(|(i, bytes)| {
                let module = engine
                    .compile(bytes)
                    .map_err(|e| RunError::Load(format!("core module {i}: {e}")))?;
                Ok(CoreModule {
                    module,
                    imports: imports_of(bytes)?,
                })
            })
            .collect::<Result<_, RunError>>()?;
        Ok(Compiled {
            modules,
            definitions: plan
                .definitions()
                .iter()
                .map(|definition| Ok((definition.clone(), lowering(definition)?)))
                .collect::<Result<_, RunError>>()?,
            run: plan.run(),
        })
    }

    /// Instantiates the component over preview2 state built from `ctx`.
    pub fn instantiate(&self, engine: &E, ctx: WasiCtx) -> Result<Instantiated<E>, RunError> {
        let mut spaces = Spaces::<E> {
            store: engine.store(WasiP2Ctx::new(ctx)),
            instances: Vec::new(),
            funcs: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
        };
        for (definition, lowering) in &self.definitions {
            spaces.define(engine, &self.modules, definition, *lowering)?;
        }
        let func = |index: u32| spaces.funcs.get(index as usize).cloned();
        let run = func(self.run.func).ok_or_else(|| missing("function", self.run.func))?;
        let post_return = match self.run.options.post_return {
            Some(index) => Some(func(index).ok_or_else(|| missing("function", index))?),
            None => None,
        };
        Ok(Instantiated {
            store: spaces.store,
            run,
            post_return,
        })
    }
}

impl<E: CoreEngine> Instantiated<E> {
    /// Calls `wasi:cli/run`. Returns the exit status: the `wasi:cli/exit`
    /// code, 0 when `run` returns `ok` and 1 when it returns `err`.
    pub fn run(mut self, engine: &E) -> Result<i32, RunError> {
        let mut result = [Val::I32(0)];
        if let Err(e) = engine.call(&mut self.store, &self.run, &[], &mut result) {
            return ended(e);
        }
        let status = match result[0] {
            Val::I32(0) => 0,
            Val::I32(1) => 1,
            other => {
                return Err(RunError::Trap(format!(
                    "wasi:cli/run returned {other:?}, which is neither ok nor err"
                )))
            }
        };
        if let Some(post_return) = &self.post_return {
            if let Err(e) = engine.call(&mut self.store, post_return, &result, &mut []) {
                return ended(e);
            }
        }
        Ok(status)
    }
}

/// Runs the `wasi:cli/command` component `wasm` on `engine`, as
/// [`crate::Engine::run_component`] does.
pub fn run_command<E: CoreEngine>(engine: &E, wasm: &[u8], ctx: WasiCtx) -> Result<i32, RunError> {
    Compiled::new(engine, wasm)?
        .instantiate(engine, ctx)?
        .run(engine)
}

fn ended(error: EngineError) -> Result<i32, RunError> {
    match error {
        EngineError::Ended(Termination::Exit(code)) => Ok(code),
        EngineError::Ended(Termination::Trap(message)) => Err(RunError::Trap(message)),
        EngineError::Load(message) => Err(RunError::Load(message)),
    }
}

fn missing(kind: &str, index: u32) -> RunError {
    RunError::Load(format!(
        "the component names core {kind} {index}, which it never defines"
    ))
}

/// The `(module, name)` of each import of a core module, in order.
fn imports_of(wasm: &[u8]) -> Result<Vec<(String, String)>, RunError> {
    let bad = |e: wasmparser::BinaryReaderError| RunError::Load(format!("core module: {e}"));
    let mut imports = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::ImportSection(reader) = payload.map_err(bad)? {
            for import in reader.into_imports() {
                let import = import.map_err(bad)?;
                imports.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    Ok(imports)
}

/// A core instance: one the engine made, or a bag of items under names.
enum Slot<E: CoreEngine> {
    Engine(E::Instance),
    Bag(Vec<(String, Extern<E>)>),
}

/// The component's core index spaces as they fill up.
struct Spaces<E: CoreEngine> {
    store: E::Store,
    instances: Vec<Slot<E>>,
    funcs: Vec<E::Func>,
    memories: Vec<E::Memory>,
    tables: Vec<E::Table>,
    globals: Vec<E::Global>,
}

impl<E: CoreEngine> Spaces<E> {
    fn define(
        &mut self,
        engine: &E,
        modules: &[CoreModule<E>],
        definition: &Definition,
        lowering: Option<Lowering>,
    ) -> Result<(), RunError> {
        match definition {
            Definition::CoreInstance(CoreInstance::Instantiate { module, args }) => {
                let CoreModule {
                    module,
                    imports: wanted,
                } = modules
                    .get(*module as usize)
                    .ok_or_else(|| missing("module", *module))?;
                let mut imports = Vec::with_capacity(wanted.len());
                for (from, name) in wanted {
                    let instance = args
                        .iter()
                        .find(|(arg, _)| arg == from)
                        .map(|(_, instance)| *instance)
                        .ok_or_else(|| {
                            RunError::Load(format!(
                                "no instance is given for the import module `{from}`"
                            ))
                        })?;
                    imports.push((
                        from.clone(),
                        name.clone(),
                        self.export(engine, instance, name)?,
                    ));
                }
                let instance = engine
                    .instantiate(&mut self.store, module, &imports)
                    .map_err(|e| match e {
                        EngineError::Load(message) => RunError::Load(message),
                        EngineError::Ended(Termination::Trap(message)) => RunError::Trap(message),
                        EngineError::Ended(Termination::Exit(code)) => {
                            RunError::Trap(format!("exit({code}) while instantiating"))
                        }
                    })?;
                self.instances.push(Slot::Engine(instance));
            }
            Definition::CoreInstance(CoreInstance::FromExports(items)) => {
                let bag = items
                    .iter()
                    .map(|(name, item)| Ok((name.clone(), self.item(*item)?)))
                    .collect::<Result<_, RunError>>()?;
                self.instances.push(Slot::Bag(bag));
            }
            Definition::CoreFunc(CoreFunc::Alias(export)) => {
                let func = match self.aliased(engine, export)? {
                    Extern::Func(func) => func,
                    _ => return Err(not_a(export, "function")),
                };
                self.funcs.push(func);
            }
            Definition::CoreFunc(CoreFunc::Lower { options, .. }) => {
                let memory = match options.memory {
                    Some(index) => Some(
                        self.memories
                            .get(index as usize)
                            .cloned()
                            .ok_or_else(|| missing("memory", index))?,
                    ),
                    None => None,
                };
                let realloc = match options.realloc {
                    Some(index) => Some(
                        self.funcs
                            .get(index as usize)
                            .cloned()
                            .ok_or_else(|| missing("function", index))?,
                    ),
                    None => None,
                };
                let lowered = self.lowered(engine, lowering, memory, realloc)?;
                self.funcs.push(lowered);
            }
            Definition::CoreFunc(CoreFunc::ResourceDrop { .. }) => {
                let lowered = self.lowered(engine, lowering, None, None)?;
                self.funcs.push(lowered);
            }
            Definition::CoreMemory(export) => match self.aliased(engine, export)? {
                Extern::Memory(memory) => self.memories.push(memory),
                _ => return Err(not_a(export, "memory")),
            },
            Definition::CoreTable(export) => match self.aliased(engine, export)? {
                Extern::Table(table) => self.tables.push(table),
                _ => return Err(not_a(export, "table")),
            },
            Definition::CoreGlobal(export) => match self.aliased(engine, export)? {
                Extern::Global(global) => self.globals.push(global),
                _ => return Err(not_a(export, "global")),
            },
        }
        Ok(())
    }

    /// A host function running `entry` with the lowering's memory and
    /// allocator.
    fn lowered(
        &mut self,
        engine: &E,
        lowering: Option<Lowering>,
        memory: Option<E::Memory>,
        realloc: Option<E::Func>,
    ) -> Result<E::Func, RunError> {
        let Some(lowering) = lowering else {
            return Err(RunError::Load(
                "a lowering without its host function".into(),
            ));
        };
        let call = lowering.entry.call;
        Ok(engine.host_func(
            &mut self.store,
            lowering.params,
            lowering.results,
            Box::new(move |caller, args, results| {
                if E::caller_memory(caller, None).1.in_realloc {
                    return trap(
                        "cannot leave component instance: the guest's cabi_realloc called the host",
                    );
                }
                let mut site = CallSite::<E> {
                    caller,
                    memory: memory.as_ref(),
                    realloc: realloc.as_ref(),
                };
                call(&mut site, args, results)
            }),
        ))
    }

    fn item(&self, item: CoreItem) -> Result<Extern<E>, RunError> {
        let get = |len: usize, index: u32, kind: &str| {
            if (index as usize) < len {
                Ok(index as usize)
            } else {
                Err(missing(kind, index))
            }
        };
        Ok(match item {
            CoreItem::Func(i) => {
                Extern::Func(self.funcs[get(self.funcs.len(), i, "function")?].clone())
            }
            CoreItem::Memory(i) => {
                Extern::Memory(self.memories[get(self.memories.len(), i, "memory")?].clone())
            }
            CoreItem::Table(i) => {
                Extern::Table(self.tables[get(self.tables.len(), i, "table")?].clone())
            }
            CoreItem::Global(i) => {
                Extern::Global(self.globals[get(self.globals.len(), i, "global")?].clone())
            }
        })
    }

    fn aliased(&mut self, engine: &E, export: &CoreExport) -> Result<Extern<E>, RunError> {
        self.export(engine, export.instance, &export.name)
    }

    fn export(&mut self, engine: &E, instance: u32, name: &str) -> Result<Extern<E>, RunError> {
        let found = match self.instances.get(instance as usize) {
            None => return Err(missing("instance", instance)),
            Some(Slot::Engine(handle)) => engine.export(&mut self.store, handle, name),
            Some(Slot::Bag(items)) => items
                .iter()
                .find(|(item, _)| item == name)
                .map(|(_, item)| item.clone()),
        };
        found.ok_or_else(|| {
            RunError::Load(format!("core instance {instance} has no export `{name}`"))
        })
    }
}

fn not_a(export: &CoreExport, kind: &str) -> RunError {
    RunError::Load(format!(
        "export `{}` of core instance {} is not a {kind}",
        export.name, export.instance
    ))
}

/// The guest as a lowered host function sees it: the engine's caller, and
/// the memory and allocator its canonical options name.
struct CallSite<'a, 'b, E: CoreEngine> {
    caller: &'a mut E::Caller<'b>,
    memory: Option<&'a E::Memory>,
    realloc: Option<&'a E::Func>,
}

impl<E: CoreEngine> Guest for CallSite<'_, '_, E> {
    fn memory_and_ctx(&mut self) -> (&mut [u8], &mut WasiP2Ctx) {
        E::caller_memory(self.caller, self.memory)
    }

    fn realloc(&mut self, align: u32, size: u32) -> Outcome<u32> {
        let Some(realloc) = self.realloc else {
            return trap("the lowering returns a list or string but names no cabi_realloc");
        };
        let args = [
            Val::I32(0),
            Val::I32(0),
            Val::I32(align as i32),
            Val::I32(size as i32),
        ];
        let mut result = [Val::I32(0)];
        E::caller_memory(self.caller, None).1.in_realloc = true;
        let called = E::caller_call(self.caller, realloc, &args, &mut result);
        E::caller_memory(self.caller, None).1.in_realloc = false;
        called?;
        match result[0] {
            Val::I32(at) => Ok(at as u32),
            other => trap(format!("cabi_realloc returned {other:?}, not an i32")),
        }
    }
}
