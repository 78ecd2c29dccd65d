//! Step 2: parsed [`Document`]s -> the intermediate [`Module`]s. Every problem in every file is collected,
//! with the file and JSON pointer, so a schema author sees them all in one run.

mod choice;
mod conditional;
mod ctx;
mod endpoint;
mod enums;
mod keywords;
mod kind;
mod members;
mod merge;
mod names;
mod object;
mod pattern;
mod recursion;
mod registry;
mod resolve;
mod scalar;
mod shape;
mod verify;
mod versions;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostic::Diagnostic;
use crate::load::Loaded;
use crate::model::{Module, TypeDef, TypeKind};
use ctx::Ctx;
use kind::Kind;
use registry::{Def, Registry};

const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";

/// Lowers every loaded file. The problems found while reading the files come first; a lowering problem
/// inside a node that already had a reading problem is left out, as it would only repeat it.
pub fn lower_all(loaded: &[Loaded]) -> Result<Vec<Module>, Vec<Diagnostic>> {
    let reading: Vec<Diagnostic> = loaded
        .iter()
        .flat_map(|file| file.problems.clone())
        .collect();
    let registry = Registry::new(loaded);
    let mut lowering = registry.problems.clone();
    let mut modules = Vec::new();
    for (file, loaded) in loaded.iter().enumerate() {
        let mut ctx = Ctx {
            registry: &registry,
            file,
            problems: Vec::new(),
            imports: BTreeSet::new(),
            named_defs: BTreeMap::new(),
        };
        let module = lower_file(&mut ctx, loaded);
        lowering.extend(ctx.problems);
        modules.extend(module);
    }
    versions::arrange(&mut modules, &mut lowering);
    recursion::break_cycles(&mut modules);
    keep_documents_in_use(&mut modules);
    if lowering.is_empty() && reading.is_empty() {
        lowering.extend(verify::verify(&modules));
    }
    endpoint::check_unique_names(&modules, &mut lowering);
    lowering.retain(|problem| !repeats(problem, &reading));
    let mut problems = reading;
    problems.extend(lowering);
    // Stable: by file, then in the order found; each problem once.
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    let mut seen = BTreeSet::new();
    problems.retain(|problem| seen.insert(problem.to_string()));
    if problems.is_empty() {
        Ok(modules)
    } else {
        Err(problems)
    }
}

/// Keeps the embedded schema file of the modules that check something with it, and of the modules of the
/// same vendor those reach; the others embed nothing.
fn keep_documents_in_use(modules: &mut [Module]) {
    let mut needed: BTreeSet<(String, String)> = BTreeSet::new();
    for module in modules.iter().filter(|module| module.has_schema_checks()) {
        needed.insert((module.vendor.clone(), module.name.clone()));
        if let Some(document) = &module.document {
            needed.extend(
                document
                    .uses
                    .iter()
                    .map(|used| (module.vendor.clone(), used.clone())),
            );
        }
    }
    for module in modules.iter_mut() {
        if !needed.contains(&(module.vendor.clone(), module.name.clone())) {
            module.document = None;
        }
    }
}

/// Whether `problem` lies inside a node that already had a reading problem.
fn repeats(problem: &Diagnostic, reading: &[Diagnostic]) -> bool {
    reading.iter().any(|read| {
        let node = read.pointer.rsplit_once('/').map_or("", |(node, _)| node);
        read.file == problem.file && !node.is_empty() && problem.pointer.starts_with(node)
    })
}

fn lower_file(ctx: &mut Ctx, loaded: &Loaded) -> Option<Module> {
    let document = &loaded.document;
    if document
        .dialect
        .as_deref()
        .is_some_and(|dialect| dialect != DIALECT)
    {
        ctx.error("/$schema", format!("`$schema` must be `{DIALECT}`"));
    }
    let endpoint = match &document.endpoint {
        Some(schema) => endpoint::lower_endpoint(ctx, schema, document.root.as_deref()),
        None => {
            if document.root.is_some() {
                ctx.error(
                    "/$ref",
                    "a file without `x-endpoint` holds shared definitions: it has no root `$ref`",
                );
            }
            None
        }
    };
    let mut types = Vec::new();
    let registry = ctx.registry;
    for (_, def) in registry.defs_of(ctx.file) {
        if let Some(kind) = lower_def(ctx, def) {
            types.push(TypeDef {
                name: def.name.clone(),
                doc: shape::doc_of(&def.node),
                direction: def.direction,
                kind,
                pointer: def.pointer.clone(),
            });
        }
    }
    let endpoint = endpoint
        .map(|endpoint| endpoint::with_batch(ctx, endpoint, &types))
        .map(|endpoint| endpoint::with_credentials(ctx, endpoint, &types));
    if document.endpoint.is_some() && endpoint.is_none() {
        return None;
    }
    let info = &registry.files[ctx.file];
    let local: BTreeSet<&str> = types.iter().map(|def| def.name.as_str()).collect();
    for (module, name) in &ctx.imports.clone() {
        if local.contains(name.as_str()) {
            ctx.error("", format!("`{name}` is defined here and also used from `{module}`: one module cannot hold two types of one name"));
        }
    }
    Some(Module {
        source: loaded.file.clone(),
        vendor: info.vendor.clone(),
        name: info.module.clone(),
        version_module: None,
        endpoint,
        types,
        imports: ctx.imports.iter().cloned().collect(),
        document: Some(registry.embedded(ctx.file)),
    })
}

fn lower_def<'a>(ctx: &mut Ctx<'a>, def: &'a Def) -> Option<TypeKind> {
    let pointer = def.pointer.as_str();
    match &def.kind {
        Kind::Struct => {
            object::lower_struct(ctx, &def.node, def.direction, pointer).map(TypeKind::Struct)
        }
        Kind::IntEnum => enums::lower_int_enum(ctx, def).map(TypeKind::IntEnum),
        Kind::StrEnum => enums::lower_str_enum(ctx, def).map(TypeKind::StrEnum),
        Kind::Union => enums::lower_union(ctx, def).map(TypeKind::Union),
        Kind::Choice => choice::lower_choice(ctx, def).map(TypeKind::Choice),
        Kind::Either(types) => {
            choice::lower_either(ctx, &def.node, types, pointer).map(TypeKind::Either)
        }
        Kind::Reference | Kind::Map | Kind::Scalar(_) | Kind::LenientInteger | Kind::Any => {
            shape::lower_newtype(ctx, &def.node, pointer).map(TypeKind::Newtype)
        }
    }
}
