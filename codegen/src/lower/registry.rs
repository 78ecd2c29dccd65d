//! Every definition of every file, in one place: `$defs` entries (at the top of a file or nested in any
//! schema) and the inline types lifted out of them (each named after where it sits), what kind of type each
//! is, how `$ref`s resolve, and whether each type is sent, received or both.

use std::collections::{BTreeMap, BTreeSet};

use super::kind::{self, classify, JsonType, Kind};
use super::names::{is_pascal_case, pascal};
use super::resolve::{Resources, Target};
use crate::diagnostic::{join, Diagnostic};
use crate::load::Loaded;
use crate::model::Direction;
use crate::schema::{Document, Node};

/// Names generated code uses from the Rust prelude and serde: a type of one of these names would hide them.
const RESERVED: [&str; 25] = [
    "Self",
    "String",
    "Vec",
    "Option",
    "Result",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "From",
    "Into",
    "Send",
    "Sync",
    "Serialize",
    "Deserialize",
    "Serializer",
    "Deserializer",
];

/// The `$ref` prefix of a lifted inline type: not a `$defs` entry, so a schema cannot name it by accident.
const INLINE: &str = "#/$inline/";

/// How many `$ref`s in a row a reference may pass through before it is taken as the schema it lands on.
const MAX_HOPS: usize = 32;

/// One schema file's place in the generated code.
pub(crate) struct FileInfo {
    pub file: String,
    pub vendor: String,
    /// The Rust module: the operation, or the file's stem for a file of shared definitions.
    pub module: String,
}

/// A named type: its schema (inline types inside it replaced by references), where it is, and what it is.
pub(crate) struct Def {
    pub file: usize,
    pub name: String,
    /// Where the schema is in its file: `/$defs/Price`, or the inline type's own place.
    pub pointer: String,
    pub node: Node,
    pub kind: Kind,
    /// The schema allows `null` besides the type (`"type": ["object", "null"]`, or `null` in an `enum`).
    pub nullable: bool,
    pub direction: Direction,
}

/// What a reference names.
pub(crate) enum Resolved<'a> {
    /// A named type.
    Def(&'a Def),
    /// A schema that is no named type (a member's schema, a meta-schema): the compiled schema checks it.
    Schema,
}

/// The files as read, and where their references land: what lifting and naming consult.
struct Sources<'a> {
    documents: Vec<&'a Document>,
    resources: Resources,
    /// `(file, pointer)` of every schema that reaches a `$dynamicRef` (through its subschemas and `$ref`s).
    dynamic: BTreeSet<(usize, String)>,
    /// `(file, pointer)` of every endpoint's request and response bodies.
    bodies: BTreeSet<(usize, String)>,
}

impl<'a> Sources<'a> {
    /// The schema at `pointer` of `file`, as written.
    fn node_at(&self, file: usize, pointer: &str) -> Option<&'a Node> {
        let document = self.documents[file];
        let (mut node, mut rest) = match &document.root_schema {
            Some(root) => (root, pointer),
            None => {
                let rest = pointer.strip_prefix("/$defs/")?;
                let (key, rest) = match rest.find('/') {
                    Some(at) => (&rest[..at], &rest[at..]),
                    None => (rest, ""),
                };
                let key = key.replace("~1", "/").replace("~0", "~");
                (document.defs.get(&key)?, rest)
            }
        };
        while !rest.is_empty() {
            let (path, child) = node.subschemas().into_iter().find(|(path, _)| {
                rest == path
                    || rest
                        .strip_prefix(path.as_str())
                        .is_some_and(|after| after.starts_with('/'))
            })?;
            rest = &rest[path.len()..];
            node = child;
        }
        Some(node)
    }

    /// The bodies `x-endpoint` names: they stay typed objects whatever they reach.
    fn find_bodies(&mut self) {
        for (file, document) in self.documents.iter().enumerate() {
            let Some(endpoint) = &document.endpoint else {
                continue;
            };
            let targets = [
                Some(&endpoint.request),
                Some(&endpoint.response),
                endpoint.error_response.as_ref(),
            ];
            for target in targets.into_iter().flatten() {
                if let Ok(Target::Node {
                    file: at_file,
                    pointer,
                }) = self.resources.resolve(file, "", target)
                {
                    self.bodies.insert((at_file, pointer));
                }
            }
        }
    }

    /// Every schema whose evaluation can reach a `$dynamicRef`: it contains one, or a `$ref` of it lands on a
    /// schema that does. Such a schema is checked whole by the compiled schema from where it is entered, so
    /// the dynamic scope the `$dynamicRef` resolves in is the one JSON Schema means.
    fn find_dynamic(&mut self) {
        let mut nodes: Vec<(usize, String, &'a Node)> = Vec::new();
        for (file, document) in self.documents.iter().enumerate() {
            let mut pending: Vec<(String, &'a Node)> = tops(document);
            while let Some((pointer, node)) = pending.pop() {
                for (path, child) in node.subschemas() {
                    pending.push((format!("{pointer}{path}"), child));
                }
                nodes.push((file, pointer, node));
            }
        }
        // Direct: a `$dynamicRef` in the schema or below it (pointer prefixes).
        let mut dynamic: BTreeSet<(usize, String)> = nodes
            .iter()
            .filter(|(_, _, node)| node.dynamic_reference.is_some())
            .map(|(file, pointer, _)| (*file, pointer.clone()))
            .collect();
        // Then through `$ref`s, until nothing changes.
        loop {
            let mut changed = false;
            for (file, pointer, node) in &nodes {
                if dynamic.contains(&(*file, pointer.clone())) {
                    continue;
                }
                let below = reaches(&dynamic, *file, &format!("{pointer}/"));
                let through = node.reference.as_ref().is_some_and(|reference| {
                    match self.resources.resolve(*file, pointer, reference) {
                        Ok(Target::Node {
                            file: target,
                            pointer: at,
                        }) => {
                            dynamic.contains(&(target, at.clone()))
                                || reaches(&dynamic, target, &format!("{at}/"))
                        }
                        _ => false,
                    }
                });
                if below || through {
                    dynamic.insert((*file, pointer.clone()));
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.dynamic = dynamic;
    }

    /// Whether the schema at `pointer` can reach a `$dynamicRef`.
    fn is_dynamic(&self, file: usize, pointer: &str) -> bool {
        self.dynamic.contains(&(file, pointer.to_owned()))
    }

    /// The schema a `$ref` written at `pointer` lands on, passing through schemas that are only a `$ref`.
    fn lookup(&self, file: usize, pointer: &str, reference: &str) -> Option<&'a Node> {
        let (mut file, mut pointer, mut reference) =
            (file, pointer.to_owned(), reference.to_owned());
        for _ in 0..MAX_HOPS {
            let Ok(Target::Node {
                file: target,
                pointer: at,
            }) = self.resources.resolve(file, &pointer, &reference)
            else {
                return None;
            };
            let next = if at.is_empty() && self.documents[target].root_schema.is_none() {
                self.documents[target].root.clone()
            } else {
                let node = self.node_at(target, &at)?;
                match (&node.reference, classify(node, &|_| None).0) {
                    (Some(next), Kind::Reference) => Some(next.clone()),
                    _ => return Some(node),
                }
            };
            (file, pointer, reference) = (target, at, next?);
        }
        None
    }
}

pub(crate) struct Registry {
    pub files: Vec<FileInfo>,
    pub defs: Vec<Def>,
    /// `(file, pointer)` of every named type's schema -> definition.
    by_pointer: BTreeMap<(usize, String), usize>,
    /// `(file, Rust name)` -> definition, to find two types of one name (and lifted types by name).
    names: BTreeMap<(usize, String), usize>,
    /// Each file's root `$ref` (the request definition of an endpoint file).
    roots: Vec<Option<String>>,
    resources: Resources,
    /// The files each file's references reach, directly.
    reaches: Vec<BTreeSet<usize>>,
    /// Each file's JSON, compact.
    json: Vec<String>,
    /// The schemas that can reach a `$dynamicRef` ([`Sources::find_dynamic`]).
    dynamic: BTreeSet<(usize, String)>,
    pub problems: Vec<Diagnostic>,
}

impl Registry {
    /// Collects the definitions of `loaded`, lifts inline types, decides kinds and directions.
    pub(crate) fn new(loaded: &[Loaded]) -> Registry {
        let files: Vec<(&str, &Document)> = loaded
            .iter()
            .map(|file| (file.file.as_str(), &file.document))
            .collect();
        let mut sources = Sources {
            documents: files.iter().map(|(_, document)| *document).collect(),
            resources: Resources::new(&files),
            dynamic: BTreeSet::new(),
            bodies: BTreeSet::new(),
        };
        sources.find_dynamic();
        sources.find_bodies();
        let mut registry = Registry {
            files: Vec::new(),
            defs: Vec::new(),
            by_pointer: BTreeMap::new(),
            names: BTreeMap::new(),
            roots: loaded
                .iter()
                .map(|file| file.document.root.clone())
                .collect(),
            resources: Resources::default(),
            reaches: Vec::new(),
            json: loaded.iter().map(|file| file.json.clone()).collect(),
            dynamic: BTreeSet::new(),
            problems: Vec::new(),
        };
        for (number, file) in loaded.iter().enumerate() {
            registry.add_file(number, file, &sources);
        }
        for (file, message_pointer, message) in &sources.resources.problems {
            registry.file_error(*file, message_pointer, message.clone());
        }
        for (number, file) in loaded.iter().enumerate() {
            registry.add_nested(number, &file.document, &sources);
        }
        registry.reaches = (0..loaded.len())
            .map(|file| files_reached(&sources, file))
            .collect();
        registry.dynamic = sources.dynamic;
        registry.resources = sources.resources;
        registry.decide_directions(loaded);
        registry
    }

    /// The schema file `file` as the compiled checks read it: its URIs, its JSON, and the other files of its
    /// vendor its references reach (directly or through others).
    pub(crate) fn embedded(&self, file: usize) -> crate::model::Embedded {
        let mut reached = BTreeSet::new();
        let mut pending = vec![file];
        while let Some(next) = pending.pop() {
            for &other in &self.reaches[next] {
                if other != file && reached.insert(other) {
                    pending.push(other);
                }
            }
        }
        let uris = &self.resources.uris[file];
        crate::model::Embedded {
            uri: uris.last().cloned().unwrap_or_default(),
            aliases: uris[..uris.len().saturating_sub(1)].to_vec(),
            json: self.json[file].clone(),
            uses: reached
                .into_iter()
                .filter(|other| self.files[*other].vendor == self.files[file].vendor)
                .map(|other| self.files[other].module.clone())
                .collect(),
        }
    }

    fn error(&mut self, def: usize, pointer: &str, message: impl Into<String>) {
        self.file_error(self.defs[def].file, pointer, message);
    }

    fn file_error(&mut self, file: usize, pointer: &str, message: impl Into<String>) {
        let file = self
            .files
            .get(file)
            .map_or_else(String::new, |info| info.file.clone());
        self.problems.push(Diagnostic {
            file,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn add_file(&mut self, number: usize, loaded: &Loaded, sources: &Sources) {
        let document = &loaded.document;
        let stem = loaded
            .file
            .rsplit('/')
            .next()
            .unwrap_or(&loaded.file)
            .trim_end_matches(".json")
            .to_owned();
        let directory = loaded.file.rsplit_once('/').map(|(dir, _)| dir.to_owned());
        let (vendor, module) = match &document.endpoint {
            Some(endpoint) => (endpoint.vendor.clone(), endpoint.operation.clone()),
            None => (directory.clone().unwrap_or_default(), stem.clone()),
        };
        self.files.push(FileInfo {
            file: loaded.file.clone(),
            vendor,
            module,
        });
        if document.endpoint.is_none() {
            if directory.is_none() {
                self.file_error(number, "", "a file without `x-endpoint` holds shared definitions of one vendor: put it in `schemas/<vendor>/`");
            }
            if !super::names::is_snake_case(&stem) {
                self.file_error(number, "", format!("a file of shared definitions is a Rust module named after the file: `{stem}` is not snake_case"));
            }
        }
        for (key, node) in &document.defs {
            let pointer = join("/$defs", key);
            let Some(name) = self.def_name(number, node, key, &pointer, "", "") else {
                continue;
            };
            self.add_def(number, name, pointer, node, sources);
        }
    }

    /// Registers the `$defs` found inside definitions (a schema resource of its own keeps its definitions
    /// with it), each named by its key, or by its holder's name and its key when the key's name is taken.
    fn add_nested(&mut self, file: usize, document: &Document, sources: &Sources) {
        // (pointer, schema, holder's name, holder's pointer)
        let mut pending: Vec<(String, &Node, String, String)> = document
            .defs
            .iter()
            .map(|(key, node)| {
                let at = join("/$defs", key);
                (at.clone(), node, self.name_at(file, &at), at)
            })
            .collect();
        while let Some((pointer, node, holder, holder_at)) = pending.pop() {
            for (path, child) in node.subschemas() {
                let at = format!("{pointer}{path}");
                let (mut owner, mut owner_at) = (holder.clone(), holder_at.clone());
                if let Some(key) = path.strip_prefix("/$defs/") {
                    let key = key.replace("~1", "/").replace("~0", "~");
                    let route = route_words(&at[holder_at.len()..]);
                    if let Some(name) = self.def_name(file, child, &key, &at, &holder, &route) {
                        self.add_def(file, name.clone(), at.clone(), child, sources);
                        (owner, owner_at) = (name, at.clone());
                    }
                }
                pending.push((at, child, owner, owner_at));
            }
        }
    }

    /// The name of the type at `pointer`, if it is one.
    fn name_at(&self, file: usize, pointer: &str) -> String {
        self.by_pointer
            .get(&(file, pointer.to_owned()))
            .map_or_else(String::new, |id| self.defs[*id].name.clone())
    }

    /// A definition's Rust name: its `x-name`, its key when PascalCase, else its key made PascalCase; a
    /// nested definition whose name is taken is named after its holder too (`Tree` + `node` -> `TreeNode`),
    /// then after the way from its holder to it (`V` + `then` + `thingy` -> `VThenThingy`).
    fn def_name(
        &mut self,
        file: usize,
        node: &Node,
        key: &str,
        pointer: &str,
        holder: &str,
        route: &str,
    ) -> Option<String> {
        if let Some(name) = &node.x_name {
            if !is_pascal_case(name) {
                self.file_error(
                    file,
                    &join(pointer, "x-name"),
                    format!("`x-name` is a Rust type name: `{name}` is not PascalCase"),
                );
            }
            return Some(name.clone());
        }
        let base = if is_pascal_case(key) {
            key.to_owned()
        } else {
            pascal(key)
                .map(|name| {
                    if name.starts_with(|c: char| c.is_ascii_digit()) {
                        format!("Def{name}")
                    } else {
                        name
                    }
                })
                .unwrap_or_else(|| {
                    if key.is_empty() {
                        "Empty".to_owned()
                    } else {
                        key.chars().map(|c| format!("U{:04X}", c as u32)).collect()
                    }
                })
        };
        let base = if RESERVED.contains(&base.as_str()) {
            format!("{base}Def")
        } else {
            base
        };
        let taken = |name: &str| self.names.contains_key(&(file, name.to_owned()));
        let candidates = [
            base.clone(),
            format!("{holder}{base}"),
            format!("{holder}{route}{base}"),
        ];
        if holder.is_empty() {
            return Some(base);
        }
        Some(
            candidates
                .iter()
                .find(|name| !taken(name))
                .unwrap_or(&candidates[2])
                .clone(),
        )
    }

    /// Adds a definition, lifting the inline types inside it into definitions of their own.
    fn add_def(
        &mut self,
        file: usize,
        name: String,
        pointer: String,
        node: &Node,
        sources: &Sources,
    ) {
        let id = self.defs.len();
        let (kind, nullable) =
            classify(node, &|reference| sources.lookup(file, &pointer, reference));
        self.defs.push(Def {
            file,
            name: name.clone(),
            pointer: pointer.clone(),
            node: Node::default(),
            kind,
            nullable,
            direction: Direction::Request,
        });
        self.by_pointer.insert((file, pointer.clone()), id);
        if let Some(other) = self.names.insert((file, name.clone()), id) {
            let other = self.defs[other].pointer.clone();
            self.error(id, &pointer, format!("the type name `{name}` is also the name of the type at {other}: name one of them with `x-name` (or `title`)"));
        }
        if RESERVED.contains(&name.as_str()) {
            self.error(id, &pointer, format!("`{name}` is a name generated code uses from Rust or serde: name this type with `x-name`"));
        }
        let mut node = node.clone();
        self.lift_inside(file, &name, &pointer, &mut node, sources);
        self.defs[id].node = node;
    }

    /// Lifts the inline types found in the members, items, map values and union options of `node`.
    fn lift_inside(
        &mut self,
        file: usize,
        owner: &str,
        pointer: &str,
        node: &mut Node,
        sources: &Sources,
    ) {
        let (kind, _) = classify(node, &|reference| sources.lookup(file, pointer, reference));
        // Only the schemas the type of this node holds become types: inside a schema the compiled schema
        // checks whole (no `type`, a `$dynamicRef`), a member's schema is no Rust type.
        let kind = if sources.is_dynamic(file, pointer) {
            Kind::Any
        } else {
            kind
        };
        let wrapper = kind::nullable_wrapper(node).is_some();
        if kind == Kind::Struct {
            let mut seen: Vec<String> = Vec::new();
            if let Some(properties) = node.properties.as_mut() {
                for (member, property) in properties.iter_mut() {
                    let base = format!("{owner}{}", member_word(member));
                    let at = join(&join(pointer, "properties"), member);
                    self.lift(file, &base, &at, property, sources);
                    seen.push(member.clone());
                }
            }
            // The members an `allOf` part brings are fields too (a member another part or the object itself
            // already has keeps that one's type).
            for (index, part) in node.all_of.iter_mut().flatten().enumerate() {
                let part_pointer = join(&join(pointer, "allOf"), &index.to_string());
                for (member, property) in part.properties.iter_mut().flatten() {
                    if seen.contains(member) {
                        continue;
                    }
                    let base = format!("{owner}{}", member_word(member));
                    let at = join(&join(&part_pointer, "properties"), member);
                    self.lift(file, &base, &at, property, sources);
                    seen.push(member.clone());
                }
            }
        }
        if kind == Kind::Scalar(JsonType::Array) && node.prefix_items.is_none() {
            if let Some(items) = node.items.as_mut() {
                let at = join(pointer, "items");
                self.lift(file, &format!("{owner}Item"), &at, items, sources);
            }
        }
        if matches!(kind, Kind::Struct | Kind::Map) && node.pattern_properties.is_none() {
            if let Some(values) = node.additional_properties.as_mut() {
                let at = join(pointer, "additionalProperties");
                self.lift(file, &format!("{owner}Value"), &at, values, sources);
            }
        }
        if !matches!(kind, Kind::Union | Kind::Choice) && !wrapper {
            return;
        }
        let names = (!wrapper && kind == Kind::Choice)
            .then(|| {
                kind::choice_names(node, &|reference| sources.lookup(file, pointer, reference))
            })
            .flatten();
        for (keyword, list) in [
            ("oneOf", node.one_of.as_mut()),
            ("anyOf", node.any_of.as_mut()),
        ] {
            let Some(options) = list else { continue };
            for (index, option) in options.iter_mut().enumerate() {
                let at = join(&join(pointer, keyword), &index.to_string());
                match &names {
                    // Every option of a union chosen by validation is a named type: the variant's.
                    Some(names) if option.reference.is_none() => {
                        let name = format!("{owner}{}", names[index]);
                        self.lift_as(file, name, &at, option, sources);
                    }
                    _ => {
                        let base = match discriminant(option) {
                            Some(tag) => format!("{owner}{}", member_word(&tag)),
                            None => owner.to_owned(),
                        };
                        self.lift(file, &base, &at, option, sources);
                    }
                }
            }
        }
    }

    /// Replaces an inline type at `node` by a reference to a new definition named `x-name`, `title` (when it
    /// is a PascalCase name) or `base`; recurses into arrays, maps and nullable wrappers.
    fn lift(&mut self, file: usize, base: &str, pointer: &str, node: &mut Node, sources: &Sources) {
        let (kind, _) = classify(node, &|reference| sources.lookup(file, pointer, reference));
        let wrapper = kind::nullable_wrapper(node).is_some();
        let dynamic = sources.is_dynamic(file, pointer);
        if node.reference.is_some()
            || node.boolean.is_some()
            || wrapper
            || dynamic
            || !kind.is_named()
        {
            self.lift_inside(file, base, pointer, node, sources);
            return;
        }
        let name = node
            .x_name
            .clone()
            .or_else(|| node.title.clone().filter(|title| is_pascal_case(title)))
            .unwrap_or_else(|| base.to_owned());
        self.lift_as(file, name, pointer, node, sources);
    }

    fn lift_as(
        &mut self,
        file: usize,
        name: String,
        pointer: &str,
        node: &mut Node,
        sources: &Sources,
    ) {
        if !is_pascal_case(&name) {
            self.file_error(file, pointer, format!("this inline type would be named `{name}`, which is not a Rust type name: name it with `x-name`"));
        }
        let description = node.description.clone();
        let lifted = std::mem::take(node);
        self.add_def(file, name.clone(), pointer.to_owned(), &lifted, sources);
        *node = Node {
            keywords: vec!["$ref"],
            reference: Some(format!("{INLINE}{name}")),
            description,
            ..Node::default()
        };
        if node.description.is_some() {
            node.keywords.push("description");
        }
    }

    /// What a `$ref` written at `pointer` in `file` names.
    pub(crate) fn resolve(
        &self,
        file: usize,
        pointer: &str,
        target: &str,
    ) -> Result<Resolved<'_>, String> {
        if let Some(name) = target.strip_prefix(INLINE) {
            return self
                .names
                .get(&(file, name.to_owned()))
                .map(|id| Resolved::Def(&self.defs[*id]))
                .ok_or_else(|| format!("`{name}` is not defined"));
        }
        let (mut file, mut pointer, mut target) = (file, pointer.to_owned(), target.to_owned());
        for _ in 0..MAX_HOPS {
            let (found, at) = match self.resources.resolve(file, &pointer, &target)? {
                Target::MetaSchema(_) => return Ok(Resolved::Schema),
                Target::Node { file, pointer } => (file, pointer),
            };
            if at.is_empty() {
                match &self.roots[found] {
                    Some(root) => (file, pointer, target) = (found, at, root.clone()),
                    None => return Ok(Resolved::Schema),
                }
                continue;
            }
            if let Some(id) = self.by_pointer.get(&(found, at.clone())) {
                let def = &self.defs[*id];
                // A schema that reaches a `$dynamicRef` is checked whole from where it is referred to.
                if def.kind == Kind::Any && self.dynamic.contains(&(found, at)) {
                    return Ok(Resolved::Schema);
                }
                return Ok(Resolved::Def(def));
            }
            return Ok(Resolved::Schema);
        }
        Ok(Resolved::Schema)
    }

    /// The definitions each reference inside `def` names; unresolvable ones are reported (once, here).
    fn references_of(&mut self, def: usize) -> Vec<usize> {
        let mut targets = Vec::new();
        collect_references(&self.defs[def].node, &self.defs[def].pointer, &mut targets);
        let mut found = Vec::new();
        for (target, pointer) in targets {
            match self.resolve(self.defs[def].file, &pointer, &target) {
                Ok(Resolved::Def(target)) => {
                    let id = self.by_pointer[&(target.file, target.pointer.clone())];
                    found.push(id);
                }
                Ok(Resolved::Schema) => {}
                Err(message) => self.error(def, &join(&pointer, "$ref"), message),
            }
        }
        found
    }

    /// Sent types are those the requests reach; received, those the responses reach.
    fn decide_directions(&mut self, loaded: &[Loaded]) {
        let edges: Vec<Vec<usize>> = (0..self.defs.len())
            .map(|def| self.references_of(def))
            .collect();
        let mut sent = BTreeSet::new();
        let mut received = BTreeSet::new();
        for (file, loaded) in loaded.iter().enumerate() {
            let Some(endpoint) = &loaded.document.endpoint else {
                continue;
            };
            if let Ok(Resolved::Def(root)) = self.resolve(file, "", &endpoint.request) {
                reach(self.id_of(root), &edges, &mut sent);
            }
            let responses =
                std::iter::once(&endpoint.response).chain(endpoint.error_response.as_ref());
            for target in responses {
                if let Ok(Resolved::Def(root)) = self.resolve(file, "", target) {
                    reach(self.id_of(root), &edges, &mut received);
                }
            }
        }
        // A definition nothing reaches is generated as a sent type: so are the types it holds.
        for id in 0..self.defs.len() {
            if !sent.contains(&id) && !received.contains(&id) {
                reach(id, &edges, &mut sent);
            }
        }
        for (id, def) in self.defs.iter_mut().enumerate() {
            def.direction = match (sent.contains(&id), received.contains(&id)) {
                (_, false) => Direction::Request,
                (false, true) => Direction::Response,
                (true, true) => Direction::Both,
            };
        }
    }

    /// Whether the schema at `pointer` of `file` can reach a `$dynamicRef`: checked whole where it is entered.
    pub(crate) fn is_dynamic(&self, file: usize, pointer: &str) -> bool {
        self.dynamic.contains(&(file, pointer.to_owned()))
    }

    /// The index of a definition.
    pub(crate) fn id_of(&self, def: &Def) -> usize {
        self.by_pointer[&(def.file, def.pointer.clone())]
    }

    /// The definitions of one file, in order.
    pub(crate) fn defs_of(&self, file: usize) -> impl Iterator<Item = (usize, &Def)> {
        self.defs
            .iter()
            .enumerate()
            .filter(move |(_, def)| def.file == file)
    }
}

fn reach(root: usize, edges: &[Vec<usize>], seen: &mut BTreeSet<usize>) {
    let mut pending = vec![root];
    while let Some(def) = pending.pop() {
        if seen.insert(def) {
            pending.extend(&edges[def]);
        }
    }
}

/// Every `$ref` below `node` (not into nested `$defs`, which are definitions of their own), with the
/// pointer of the node holding it.
pub(crate) fn collect_references(node: &Node, pointer: &str, out: &mut Vec<(String, String)>) {
    if let Some(target) = &node.reference {
        out.push((target.clone(), pointer.to_owned()));
    }
    for (path, child) in node.subschemas() {
        if !path.starts_with("/$defs/") {
            collect_references(child, &format!("{pointer}{path}"), out);
        }
    }
}

/// The `const` of the member that tells a union's variants apart, for naming an inline variant.
fn discriminant(node: &Node) -> Option<String> {
    node.properties
        .iter()
        .flatten()
        .find_map(|(_, property)| match &property.constant {
            Some(serde_json::Value::String(text)) => Some(text.clone()),
            Some(serde_json::Value::Number(number)) => Some(number.to_string()),
            _ => None,
        })
}

/// The files the references of `file` land in (itself included when they stay in it).
fn files_reached(sources: &Sources, file: usize) -> BTreeSet<usize> {
    let mut found = BTreeSet::new();
    let document = sources.documents[file];
    let mut pending: Vec<(String, &Node)> = tops(document);
    let mut add = |pointer: &str, reference: &str| {
        if let Ok(Target::Node { file: target, .. }) =
            sources.resources.resolve(file, pointer, reference)
        {
            found.insert(target);
        }
    };
    if let Some(root) = &document.root {
        add("", root);
    }
    while let Some((pointer, node)) = pending.pop() {
        // A custom meta-schema (`$schema` of an embedded resource) is reached like a `$ref`.
        let references = node
            .reference
            .iter()
            .chain(&node.dynamic_reference)
            .chain(&node.dialect);
        for reference in references {
            add(&pointer, reference);
        }
        for (path, child) in node.subschemas() {
            pending.push((format!("{pointer}{path}"), child));
        }
    }
    found
}

/// The words of the way from a holder to a nested definition: its keywords and members, made PascalCase, the
/// `$defs` and the definition's own key left out (`/then/$defs/thingy` -> `Then`).
fn route_words(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let inner = &segments[..segments.len().saturating_sub(1)];
    inner
        .iter()
        .filter(|segment| **segment != "$defs")
        .filter_map(|segment| pascal(segment))
        .collect()
}

/// Whether `set` holds a pointer of `file` that starts with `prefix` (which ends in `/`: the schemas below one).
fn reaches(set: &BTreeSet<(usize, String)>, file: usize, prefix: &str) -> bool {
    set.range((file, prefix.to_owned())..)
        .next()
        .is_some_and(|(f, p)| *f == file && p.starts_with(prefix))
}

/// The schemas at the top of a document, with their pointers: its root when it is a schema, else its
/// definitions.
fn tops(document: &Document) -> Vec<(String, &Node)> {
    match &document.root_schema {
        Some(root) => vec![(String::new(), root)],
        None => document
            .defs
            .iter()
            .map(|(key, node)| (join("/$defs", key), node))
            .collect(),
    }
}

/// A member's name (or a tag's value) as a word of a type name: PascalCase, or its code points when it has no
/// ASCII letter or digit (`名前` -> `U540DU524D`), `Empty` for the empty name, so a type named after it never
/// takes its holder's name.
fn member_word(member: &str) -> String {
    match pascal(member) {
        Some(word) => word,
        None if member.is_empty() => "Empty".to_owned(),
        None => member
            .chars()
            .map(|c| format!("U{:04X}", c as u32))
            .collect(),
    }
}
