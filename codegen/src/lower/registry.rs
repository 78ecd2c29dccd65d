//! Every definition of every file, in one place: `$defs` entries and the inline types lifted out of them
//! (each named after where it sits), what kind of type each is, how `$ref`s resolve (within a file and into
//! another file of the same vendor), and whether each type is sent, received or both.

use std::collections::{BTreeMap, BTreeSet};

use super::names::{is_pascal_case, pascal};
use crate::diagnostic::{join, Diagnostic};
use crate::load::Loaded;
use crate::model::Direction;
use crate::schema::Node;

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

/// One schema file's place in the generated code.
pub(crate) struct FileInfo {
    pub file: String,
    pub vendor: String,
    /// The Rust module: the operation, or the file's stem for a file of shared definitions.
    pub module: String,
    pub id: Option<String>,
}

/// A named type: its schema (inline types inside it replaced by references), where it is, and what it is.
pub(crate) struct Def {
    pub file: usize,
    pub name: String,
    /// Where the schema is in its file: `/$defs/Price`, or the inline type's own place.
    pub pointer: String,
    pub node: Node,
    pub kind: Option<DefKind>,
    /// The schema allows `null` besides the type (`"type": ["object", "null"]`, or `null` in an `enum`).
    pub nullable: bool,
    pub direction: Direction,
}

/// What a definition is, decided from its keywords alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefKind {
    Struct,
    IntEnum,
    StrEnum,
    Newtype,
    Union,
}

pub(crate) struct Registry {
    pub files: Vec<FileInfo>,
    pub defs: Vec<Def>,
    /// `(file, $ref key)` -> definition.
    index: BTreeMap<(usize, String), usize>,
    /// `(file, Rust name)` -> definition, to find two types of one name.
    names: BTreeMap<(usize, String), usize>,
    pub problems: Vec<Diagnostic>,
}

impl Registry {
    /// Collects the definitions of `loaded`, lifts inline types, decides kinds and directions.
    pub(crate) fn new(loaded: &[Loaded]) -> Registry {
        let mut registry = Registry {
            files: Vec::new(),
            defs: Vec::new(),
            index: BTreeMap::new(),
            names: BTreeMap::new(),
            problems: Vec::new(),
        };
        for (number, file) in loaded.iter().enumerate() {
            registry.add_file(number, file);
        }
        for def in 0..registry.defs.len() {
            let (kind, nullable) = def_kind(&registry.defs[def].node);
            if kind.is_none() {
                let pointer = registry.defs[def].pointer.clone();
                registry.error(def, &pointer, "a definition must be an object, an enum (`enum`, or `oneOf` of `const`), a union (`oneOf` of objects told apart by a `const` member), an array, a map or a scalar");
            }
            registry.defs[def].kind = kind;
            registry.defs[def].nullable = nullable;
        }
        registry.decide_directions(loaded);
        registry
    }

    fn error(&mut self, def: usize, pointer: &str, message: impl Into<String>) {
        let file = self.files[self.defs[def].file].file.clone();
        self.problems.push(Diagnostic {
            file,
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn file_error(&mut self, file: usize, pointer: &str, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            file: self.files[file].file.clone(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    fn add_file(&mut self, number: usize, loaded: &Loaded) {
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
            id: document.id.clone(),
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
            let name = node.x_name.clone().unwrap_or_else(|| key.clone());
            if !is_pascal_case(&name) {
                self.file_error(
                    number,
                    &pointer,
                    format!("definition names are Rust type names: `{name}` is not PascalCase (name it with `x-name`)"),
                );
            }
            self.add_def(number, key.clone(), name, pointer, node.clone());
        }
    }

    /// Adds a definition, lifting the inline types inside it into definitions of their own.
    /// `key` is what a `$ref` names (the `$defs` key, or the lifted type's name), `name` the Rust type name.
    fn add_def(
        &mut self,
        file: usize,
        key: String,
        name: String,
        pointer: String,
        mut node: Node,
    ) -> usize {
        let id = self.defs.len();
        self.defs.push(Def {
            file,
            name: name.clone(),
            pointer: pointer.clone(),
            node: Node::default(),
            kind: None,
            nullable: false,
            direction: Direction::Request,
        });
        self.index.insert((file, key), id);
        if let Some(other) = self.names.insert((file, name.clone()), id) {
            let other = self.defs[other].pointer.clone();
            self.error(id, &pointer, format!("the type name `{name}` is also the name of the type at {other}: name one of them with `x-name` (or `title`)"));
        }
        if RESERVED.contains(&name.as_str()) {
            self.error(id, &pointer, format!("`{name}` is a name generated code uses from Rust or serde: name this type with `x-name`"));
        }
        self.lift_inside(file, &name, &pointer, &mut node);
        self.defs[id].node = node;
        id
    }

    /// Lifts the inline types found in the members, items, map values and union variants of `node`.
    fn lift_inside(&mut self, file: usize, owner: &str, pointer: &str, node: &mut Node) {
        if let Some(properties) = node.properties.as_mut() {
            for (member, property) in properties.iter_mut() {
                let base = format!("{owner}{}", pascal(member).unwrap_or_default());
                let at = join(&join(pointer, "properties"), member);
                self.lift(file, &base, &at, property);
            }
        }
        if let Some(items) = node.items.as_mut() {
            self.lift(
                file,
                &format!("{owner}Item"),
                &join(pointer, "items"),
                items,
            );
        }
        if let Some(values) = node.additional_properties.as_mut() {
            self.lift(
                file,
                &format!("{owner}Value"),
                &join(pointer, "additionalProperties"),
                values,
            );
        }
        for (keyword, list) in [
            ("oneOf", node.one_of.as_mut()),
            ("anyOf", node.any_of.as_mut()),
        ] {
            for (index, option) in list.into_iter().flatten().enumerate() {
                let at = join(&join(pointer, keyword), &index.to_string());
                let base = match discriminant(option) {
                    Some(tag) => format!("{owner}{}", pascal(&tag).unwrap_or_default()),
                    None => owner.to_owned(),
                };
                self.lift(file, &base, &at, option);
            }
        }
    }

    /// Replaces an inline type at `node` by a reference to a new definition named `x-name`, `title` (when it
    /// is a PascalCase name) or `base`; recurses into arrays, maps and nullable wrappers.
    fn lift(&mut self, file: usize, base: &str, pointer: &str, node: &mut Node) {
        if !is_named_type(node) {
            self.lift_inside(file, base, pointer, node);
            return;
        }
        let name = node
            .x_name
            .clone()
            .or_else(|| node.title.clone().filter(|title| is_pascal_case(title)))
            .unwrap_or_else(|| base.to_owned());
        if !is_pascal_case(&name) {
            self.file_error(file, pointer, format!("this inline type would be named `{name}`, which is not a Rust type name: name it with `x-name`"));
        }
        let description = node.description.clone();
        let lifted = std::mem::take(node);
        self.add_def(file, name.clone(), name.clone(), pointer.to_owned(), lifted);
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

    /// The definition a `$ref` in `file` names: `#/$defs/Name` in the same file, `other.json#/$defs/Name` in a
    /// file beside it (or one whose `$id` is `other.json`), of the same vendor.
    pub(crate) fn resolve(&self, file: usize, target: &str) -> Result<usize, String> {
        if let Some(name) = target.strip_prefix(INLINE) {
            return self
                .index
                .get(&(file, name.to_owned()))
                .copied()
                .ok_or_else(|| format!("`{name}` is not defined"));
        }
        let Some((document, fragment)) = target.split_once('#') else {
            return Err(format!("`$ref` must name a definition, `#/$defs/<Name>` or `<file>.json#/$defs/<Name>`; found `{target}`"));
        };
        let Some(name) = fragment.strip_prefix("/$defs/") else {
            return Err(format!(
                "`$ref` must point into `$defs` (`#/$defs/<Name>`); found `{target}`"
            ));
        };
        let target_file = if document.is_empty() {
            file
        } else {
            self.file_named(file, document)?
        };
        self.index
            .get(&(target_file, name.to_owned()))
            .copied()
            .ok_or_else(|| {
                format!(
                    "`$ref` names `{name}`, which is not in `$defs` of {}",
                    self.files[target_file].file
                )
            })
    }

    fn file_named(&self, from: usize, document: &str) -> Result<usize, String> {
        let here = &self.files[from];
        let directory = here.file.rsplit_once('/').map_or("", |(dir, _)| dir);
        let relative = document.trim_start_matches("./");
        let path = if directory.is_empty() {
            relative.to_owned()
        } else {
            format!("{directory}/{relative}")
        };
        let found = self
            .files
            .iter()
            .position(|info| info.file == path || info.id.as_deref() == Some(document))
            .ok_or_else(|| format!("`{document}` is not a schema file beside {}", here.file))?;
        if self.files[found].vendor != here.vendor {
            return Err(format!(
                "`{document}` belongs to vendor `{}`: `$ref` stays within one vendor",
                self.files[found].vendor
            ));
        }
        Ok(found)
    }

    /// The definitions each reference inside `def` names, with the reference's pointer; unresolvable ones
    /// are reported (once, here).
    fn references_of(&mut self, def: usize) -> Vec<usize> {
        let mut found = Vec::new();
        let mut targets = Vec::new();
        collect_references(&self.defs[def].node, &self.defs[def].pointer, &mut targets);
        for (target, pointer) in targets {
            match self.resolve(self.defs[def].file, &target) {
                Ok(id) => found.push(id),
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
        self.check_cycles(&edges);
        let mut sent = BTreeSet::new();
        let mut received = BTreeSet::new();
        for (file, loaded) in loaded.iter().enumerate() {
            let Some(endpoint) = &loaded.document.endpoint else {
                continue;
            };
            if let Ok(root) = self.resolve(file, &endpoint.request) {
                reach(root, &edges, &mut sent);
            }
            let responses =
                std::iter::once(&endpoint.response).chain(endpoint.error_response.as_ref());
            for target in responses {
                if let Ok(root) = self.resolve(file, target) {
                    reach(root, &edges, &mut received);
                }
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

    /// A type that contains itself (directly or through others) is an error: the shape pass describes types in
    /// constants, which cannot refer to themselves.
    fn check_cycles(&mut self, edges: &[Vec<usize>]) {
        for start in 0..self.defs.len() {
            let mut seen = BTreeSet::new();
            let mut pending: Vec<usize> = edges[start].clone();
            while let Some(def) = pending.pop() {
                if def == start {
                    let pointer = self.defs[start].pointer.clone();
                    let name = self.defs[start].name.clone();
                    self.error(
                        start,
                        &pointer,
                        format!("`{name}` contains itself: recursive schemas are not supported"),
                    );
                    break;
                }
                if seen.insert(def) {
                    pending.extend(&edges[def]);
                }
            }
        }
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

/// Every `$ref` below `node`, with the pointer of the node holding it.
pub(crate) fn collect_references(node: &Node, pointer: &str, out: &mut Vec<(String, String)>) {
    if let Some(target) = &node.reference {
        out.push((target.clone(), pointer.to_owned()));
    }
    for (path, child) in children(node) {
        collect_references(child, &format!("{pointer}{path}"), out);
    }
}

/// The schemas directly inside `node`, each with its pointer relative to `node`.
pub(crate) fn children(node: &Node) -> Vec<(String, &Node)> {
    let mut out = Vec::new();
    for (member, child) in node.properties.iter().flatten() {
        out.push((join("/properties", member), child));
    }
    let single = [
        ("/items", &node.items),
        ("/additionalProperties", &node.additional_properties),
        ("/propertyNames", &node.property_names),
        ("/if", &node.if_),
        ("/then", &node.then),
        ("/else", &node.else_),
    ];
    for (path, child) in single {
        if let Some(child) = child {
            out.push((path.to_owned(), child));
        }
    }
    for (keyword, list) in [
        ("/oneOf", &node.one_of),
        ("/anyOf", &node.any_of),
        ("/allOf", &node.all_of),
    ] {
        for (index, child) in list.iter().flatten().enumerate() {
            out.push((format!("{keyword}/{index}"), child));
        }
    }
    out
}

/// Whether an inline schema is a type that needs a name of its own: an object with members, an enum of
/// strings or of named integer codes, or a union.
fn is_named_type(node: &Node) -> bool {
    if node.reference.is_some() || node.boolean.is_some() || nullable_wrapper(node).is_some() {
        return false;
    }
    matches!(
        def_kind(node).0,
        Some(DefKind::Struct | DefKind::StrEnum | DefKind::IntEnum | DefKind::Union)
    )
}

/// The kind of a definition and whether it also allows `null`; `None` when it is none of the supported ones.
pub(crate) fn def_kind(node: &Node) -> (Option<DefKind>, bool) {
    let (types, mut nullable) = node.types_without_null();
    if node.boolean.is_some() {
        return (Some(DefKind::Newtype), false);
    }
    if node
        .enumeration
        .as_ref()
        .is_some_and(|values| values.contains(&serde_json::Value::Null))
    {
        nullable = true;
    }
    let kind = if nullable_wrapper(node).is_some() {
        None
    } else if let Some(options) = &node.one_of {
        let constants: Vec<&serde_json::Value> = options
            .iter()
            .filter_map(|option| option.constant.as_ref())
            .collect();
        if !constants.is_empty()
            && options
                .iter()
                .all(|option| option.properties.is_none() && option.reference.is_none())
        {
            // An enum; entries without a usable `const` are reported when it is lowered.
            if types == ["integer"] {
                Some(DefKind::IntEnum)
            } else if types == ["string"] || constants.iter().all(|value| value.is_string()) {
                Some(DefKind::StrEnum)
            } else if constants.iter().all(|value| value.is_i64()) {
                Some(DefKind::IntEnum)
            } else {
                None
            }
        } else if types.iter().all(|ty| *ty == "object") {
            Some(DefKind::Union)
        } else {
            None
        }
    } else if is_object(node, &types) {
        // A map has a schema for its values and no named members; `{"type": "object"}` alone is an object
        // that keeps whatever it holds.
        let is_map = node.properties.is_none()
            && node
                .additional_properties
                .as_ref()
                .is_some_and(|extra| extra.boolean.is_none());
        Some(if is_map {
            DefKind::Newtype
        } else {
            DefKind::Struct
        })
    } else if node.enumeration.as_ref().is_some_and(|values| {
        values.iter().any(serde_json::Value::is_string)
            && values
                .iter()
                .all(|value| value.is_string() || value.is_null())
    }) {
        Some(DefKind::StrEnum)
    } else {
        match types.as_slice() {
            []
            | ["string" | "integer" | "number" | "boolean" | "array"]
            | ["integer", "string"] => Some(DefKind::Newtype),
            _ => None,
        }
    };
    (kind, nullable)
}

fn is_object(node: &Node, types: &[&str]) -> bool {
    types == ["object"] || (types.is_empty() && node.properties.is_some())
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

/// `X`, when `node` is `oneOf` or `anyOf` of exactly `X` and `{"type": "null"}`: a nullable `X`.
pub(crate) fn nullable_wrapper(node: &Node) -> Option<&Node> {
    let options = node.one_of.as_ref().or(node.any_of.as_ref())?;
    let is_null = |option: &Node| {
        option.ty.as_deref() == Some(&["null".to_owned()]) && option.keywords == ["type"]
    };
    match options.as_slice() {
        [value, null] | [null, value] if is_null(null) && !is_null(value) => Some(value),
        _ => None,
    }
}
