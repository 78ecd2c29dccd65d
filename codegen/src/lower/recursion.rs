//! Types that contain themselves (`"$ref": "#"`, a tree whose nodes hold nodes): a value held directly
//! (a field, a newtype's value, a union's option) by a type of its own cycle goes in a `Box`, so the type has
//! a size; every reference inside a cycle is marked, so the shape pass reaches it through a function instead
//! of a constant that would contain itself.

use std::collections::BTreeMap;

use crate::model::{Additional, Module, NamedRef, Shape, Ty, TypeKind};

/// A type, by its module's index and its name.
type Node = (usize, String);

/// Marks the recursive references and boxes the direct ones, across every module.
pub(crate) fn break_cycles(modules: &mut [Module]) {
    let nodes: Vec<Node> = modules
        .iter()
        .enumerate()
        .flat_map(|(index, module)| {
            module
                .types
                .iter()
                .map(move |def| (index, def.name.clone()))
        })
        .collect();
    let index: BTreeMap<Node, usize> = nodes
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, n)| (n, i))
        .collect();
    let mut edges = vec![Vec::new(); nodes.len()];
    for (from, (module, name)) in nodes.iter().enumerate() {
        let Some(def) = modules[*module].types.iter().find(|def| &def.name == name) else {
            continue;
        };
        for target in references(&def.kind) {
            if let Some(to) = target_of(modules, *module, &target).and_then(|t| index.get(&t)) {
                edges[from].push(*to);
            }
        }
    }
    let component = components(&edges);
    for (from, (module, name)) in nodes.iter().enumerate() {
        let in_cycle = |target: &str| {
            target_of(modules, *module, target)
                .and_then(|t| index.get(&t))
                .is_some_and(|to| component[*to] == component[from])
        };
        let cyclic: Vec<String> = {
            let Some(def) = modules[*module].types.iter().find(|def| &def.name == name) else {
                continue;
            };
            references(&def.kind)
                .into_iter()
                .filter(|t| in_cycle(t))
                .collect()
        };
        if cyclic.is_empty() {
            continue;
        }
        if let Some(def) = modules[*module]
            .types
            .iter_mut()
            .find(|def| &def.name == name)
        {
            mark(&mut def.kind, &cyclic);
        }
    }
}

/// The names of the types a type holds, directly or inside arrays and maps.
fn references(kind: &TypeKind) -> Vec<String> {
    let mut found = Vec::new();
    let mut shape = |shape: &Shape| named_in(shape, &mut found);
    match kind {
        TypeKind::Struct(s) => {
            s.fields.iter().for_each(|f| shape(&f.shape));
            if let Additional::Typed(values) = &s.additional {
                shape(values);
            }
        }
        TypeKind::Newtype(inner) => shape(inner),
        TypeKind::Union(union) => found.extend(union.variants.iter().map(|v| v.ty.clone())),
        TypeKind::Choice(choice) => found.extend(choice.variants.iter().map(|v| v.ty.name.clone())),
        TypeKind::IntEnum(_) | TypeKind::StrEnum(_) | TypeKind::Either(_) => {}
    }
    found
}

fn named_in(shape: &Shape, found: &mut Vec<String>) {
    match &shape.ty {
        Ty::Named(named) => found.push(named.name.clone()),
        Ty::Array(items) => named_in(items, found),
        Ty::Map(map) => named_in(&map.values, found),
        _ => {}
    }
}

/// Marks the references to `cyclic` types inside `kind`; those held directly are boxed.
fn mark(kind: &mut TypeKind, cyclic: &[String]) {
    match kind {
        TypeKind::Struct(s) => {
            for field in &mut s.fields {
                mark_shape(&mut field.shape, cyclic, true);
            }
            if let Additional::Typed(values) = &mut s.additional {
                mark_shape(values, cyclic, true);
            }
        }
        TypeKind::Newtype(inner) => mark_shape(inner, cyclic, true),
        TypeKind::Choice(choice) => {
            for variant in &mut choice.variants {
                mark_named(&mut variant.ty, cyclic);
            }
        }
        // A tagged union's options are structs, whose fields break the cycle.
        TypeKind::Union(_) | TypeKind::IntEnum(_) | TypeKind::StrEnum(_) | TypeKind::Either(_) => {}
    }
}

fn mark_shape(shape: &mut Shape, cyclic: &[String], direct: bool) {
    match &mut shape.ty {
        Ty::Named(named) => shape.boxed = mark_named(named, cyclic) && direct,
        Ty::Array(items) => mark_shape(items, cyclic, false),
        Ty::Map(map) => mark_shape(&mut map.values, cyclic, false),
        _ => {}
    }
}

fn mark_named(named: &mut NamedRef, cyclic: &[String]) -> bool {
    named.recursive = cyclic.contains(&named.name);
    named.recursive
}

/// Where a type named `name` used in module `module` is defined: the module itself, or the module it is
/// imported from.
fn target_of(modules: &[Module], module: usize, name: &str) -> Option<Node> {
    let here = &modules[module];
    if here.types.iter().any(|def| def.name == name) {
        return Some((module, name.to_owned()));
    }
    let (from, _) = here.imports.iter().find(|(_, imported)| imported == name)?;
    let found = modules.iter().position(|m| {
        &m.name == from && m.vendor == here.vendor && m.types.iter().any(|d| d.name == name)
    })?;
    Some((found, name.to_owned()))
}

/// Strongly connected components (Tarjan): the component of each node; a node alone is in a cycle only
/// if it refers to itself, which `break_cycles` sees through its own references.
fn components(edges: &[Vec<usize>]) -> Vec<usize> {
    struct State<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        component: Vec<usize>,
        count: usize,
    }
    fn visit(state: &mut State<'_>, node: usize) {
        state.index[node] = Some(state.next);
        state.low[node] = state.next;
        state.next += 1;
        state.stack.push(node);
        state.on_stack[node] = true;
        for &to in &state.edges[node] {
            match state.index[to] {
                None => {
                    visit(state, to);
                    state.low[node] = state.low[node].min(state.low[to]);
                }
                Some(index) if state.on_stack[to] => state.low[node] = state.low[node].min(index),
                Some(_) => {}
            }
        }
        if Some(state.low[node]) == state.index[node] {
            while let Some(top) = state.stack.pop() {
                state.on_stack[top] = false;
                state.component[top] = state.count;
                if top == node {
                    break;
                }
            }
            state.count += 1;
        }
    }
    let mut state = State {
        edges,
        index: vec![None; edges.len()],
        low: vec![0; edges.len()],
        on_stack: vec![false; edges.len()],
        stack: Vec::new(),
        next: 0,
        component: vec![0; edges.len()],
        count: 0,
    };
    for node in 0..edges.len() {
        if state.index[node].is_none() {
            visit(&mut state, node);
        }
    }
    state.component
}
