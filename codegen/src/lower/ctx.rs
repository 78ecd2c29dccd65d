//! The context of lowering one file: its problems, what it imports, and every definition of every file.

use std::collections::{BTreeMap, BTreeSet};

use super::kind::{JsonType, Kind};
use super::registry::{Def, Registry, Resolved};
use crate::diagnostic::Diagnostic;
use crate::model::{NamedKind, NamedRef};

/// Collects diagnostics for one file and knows every definition of every file.
pub(crate) struct Ctx<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) file: usize,
    pub(crate) problems: Vec<Diagnostic>,
    /// Types of other modules this file uses: `(module, type)`.
    pub(crate) imports: BTreeSet<(String, String)>,
    /// The definitions behind the named types used so far, by name.
    pub(crate) named_defs: BTreeMap<String, &'a Def>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn error(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Diagnostic {
            file: self.registry.files[self.file].file.clone(),
            pointer: pointer.to_owned(),
            message: message.into(),
        });
    }

    /// What a `$ref` written at `pointer` names. An unresolvable one was reported when the registry was built.
    pub(crate) fn resolve(&self, pointer: &str, target: &str) -> Option<Resolved<'a>> {
        let registry: &'a Registry = self.registry;
        registry.resolve(self.file, pointer, target).ok()
    }

    /// The definition a reference outside the definitions (`x-endpoint`) names, reporting a bad one.
    pub(crate) fn resolve_reporting(&mut self, target: &str, pointer: &str) -> Option<&'a Def> {
        let registry: &'a Registry = self.registry;
        match registry.resolve(self.file, "", target) {
            Ok(Resolved::Def(def)) => Some(def),
            Ok(Resolved::Schema) => {
                self.error(pointer, format!("`{target}` must name a definition"));
                None
            }
            Err(message) => {
                self.error(pointer, message);
                None
            }
        }
    }

    /// Runs `lower`; when it finds a problem, forgets it and gives `None`. For the forms of standard keywords
    /// that the typed checks know (an `if` testing constants, a tagged union, ...): a schema written otherwise
    /// is no error, the compiled schema checks it instead.
    pub(crate) fn attempt<T>(&mut self, lower: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        let mark = self.problems.len();
        let found = lower(self);
        if self.problems.len() > mark {
            self.problems.truncate(mark);
            return None;
        }
        found
    }

    /// A reference to `def` as a value's type; a type of another module is imported.
    pub(crate) fn named(&mut self, def: &'a Def) -> NamedRef {
        self.named_defs.insert(def.name.clone(), def);
        if def.file != self.file {
            let module = self.registry.files[def.file].module.clone();
            self.imports.insert((module, def.name.clone()));
        }
        let kind = named_kind(&def.kind);
        let tolerant = def.direction.tolerant();
        let validated = match kind {
            NamedKind::IntEnum | NamedKind::StrEnum => {
                def.direction == crate::model::Direction::Both
            }
            _ => def.direction.validated(),
        };
        let copy = match &def.kind {
            Kind::IntEnum => true,
            Kind::StrEnum => !tolerant,
            Kind::Scalar(JsonType::Integer | JsonType::Number | JsonType::Boolean)
            | Kind::LenientInteger => true,
            Kind::Either(types) => types
                .iter()
                .all(|ty| matches!(ty, JsonType::Integer | JsonType::Number | JsonType::Boolean)),
            _ => false,
        };
        NamedRef {
            name: def.name.clone(),
            kind,
            validated,
            copy,
            recursive: false,
        }
    }

    /// The definition behind a named type, for rules that look into it.
    pub(crate) fn def_named(&self, named: &NamedRef) -> Option<&'a Def> {
        self.named_defs.get(&named.name).copied()
    }
}

/// What a definition of this kind is, as the types that use it care.
fn named_kind(kind: &Kind) -> NamedKind {
    match kind {
        Kind::Struct => NamedKind::Struct,
        Kind::IntEnum => NamedKind::IntEnum,
        Kind::StrEnum => NamedKind::StrEnum,
        Kind::Union => NamedKind::Union,
        Kind::Choice => NamedKind::Choice,
        Kind::Either(_) => NamedKind::Either,
        Kind::Reference | Kind::Map | Kind::Scalar(_) | Kind::LenientInteger | Kind::Any => {
            NamedKind::Newtype
        }
    }
}
