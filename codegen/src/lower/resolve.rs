//! Where a `$ref` lands, as JSON Schema 2020-12 says: every schema resource (a document, or a schema with an
//! `$id`) is known by its absolute URI, every `$anchor` and `$dynamicAnchor` by `uri#name`, and a reference is
//! resolved against the base URI of the schema holding it (RFC 3986), then found by its fragment (a JSON
//! pointer or an anchor). A file without an `$id` is known by a URI made from its path, so `common.json`
//! beside it resolves to it.

use std::collections::{BTreeMap, BTreeSet};

use fluent_uri::{Iri, IriRef};

use crate::diagnostic::join;
use crate::schema::{Document, Node};

/// The base of the URIs the generator gives files without an `$id` (`.invalid` never resolves).
pub(crate) const FILE_BASE: &str = "https://schemas.salesync.invalid/";

/// Where a reference lands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A schema in one of the files: the file's index and the schema's JSON pointer (`""` is the root).
    Node { file: usize, pointer: String },
    /// A meta-schema of JSON Schema itself, which the compiled validator knows by heart.
    MetaSchema(String),
}

/// Every resource and anchor of every file.
#[derive(Default)]
pub(crate) struct Resources {
    /// Each file's URIs: the one made from its path, and its `$id` if it has one.
    pub(crate) uris: Vec<Vec<String>>,
    /// Resources by absolute URI (no fragment): file and pointer of the resource's root.
    resources: BTreeMap<String, (usize, String)>,
    /// `uri#name` of every `$anchor` and `$dynamicAnchor`.
    anchors: BTreeMap<String, (usize, String)>,
    /// Each file's resource roots: pointer -> base URI.
    bases: Vec<BTreeMap<String, String>>,
    /// Each file's schema pointers, to tell a reference to a schema from one to anything else.
    nodes: Vec<BTreeSet<String>>,
    /// `(file, pointer, message)` of identifiers that cannot be used.
    pub(crate) problems: Vec<(usize, String, String)>,
}

impl Resources {
    /// Walks every file: `files` gives each file's path (relative to the schema directory) and document.
    pub(crate) fn new(files: &[(&str, &Document)]) -> Resources {
        let mut resources = Resources::default();
        for (index, (path, document)) in files.iter().enumerate() {
            resources.add_document(index, path, document);
        }
        resources
    }

    fn add_document(&mut self, file: usize, path: &str, document: &Document) {
        let made = format!("{FILE_BASE}{path}");
        let mut uris = vec![made.clone()];
        let base = match &document.id {
            Some(id) => match absolute(id, &made) {
                Ok(uri) => {
                    uris.push(uri.clone());
                    uri
                }
                Err(message) => {
                    self.problems.push((file, "/$id".into(), message));
                    made.clone()
                }
            },
            None => made.clone(),
        };
        for uri in &uris {
            self.resources.insert(uri.clone(), (file, String::new()));
        }
        self.uris.push(uris);
        self.bases
            .push(BTreeMap::from([(String::new(), base.clone())]));
        self.nodes.push(BTreeSet::from([String::new()]));
        match &document.root_schema {
            // The root's own `$id` is the document's, already known.
            Some(root) => {
                for (path, child) in root.subschemas() {
                    self.add_node(file, &path, child, &base);
                }
                for anchor in root.anchor.iter().chain(&root.dynamic_anchor) {
                    self.anchors
                        .insert(format!("{base}#{anchor}"), (file, String::new()));
                }
            }
            None => {
                for (key, node) in &document.defs {
                    self.add_node(file, &join("/$defs", key), node, &base);
                }
            }
        }
    }

    fn add_node(&mut self, file: usize, pointer: &str, node: &Node, base: &str) {
        self.nodes[file].insert(pointer.to_owned());
        let mut base = base.to_owned();
        if let Some(id) = &node.id {
            match absolute(id, &base) {
                Ok(uri) if uri.contains('#') => self.problems.push((
                    file,
                    join(pointer, "$id"),
                    "an `$id` has no fragment in 2020-12: name the place with `$anchor`".into(),
                )),
                Ok(uri) => {
                    self.resources
                        .insert(uri.clone(), (file, pointer.to_owned()));
                    self.bases[file].insert(pointer.to_owned(), uri.clone());
                    base = uri;
                }
                Err(message) => self.problems.push((file, join(pointer, "$id"), message)),
            }
        }
        for anchor in node.anchor.iter().chain(&node.dynamic_anchor) {
            self.anchors
                .insert(format!("{base}#{anchor}"), (file, pointer.to_owned()));
        }
        for (path, child) in node.subschemas() {
            self.add_node(file, &format!("{pointer}{path}"), child, &base);
        }
    }

    /// The base URI of the schema at `pointer`: that of the nearest resource root at or above it.
    pub(crate) fn base_of(&self, file: usize, pointer: &str) -> &str {
        let bases = &self.bases[file];
        let mut at = pointer;
        loop {
            if let Some(base) = bases.get(at) {
                return base;
            }
            match at.rsplit_once('/') {
                Some((parent, _)) => at = parent,
                None => return &bases[""],
            }
        }
    }

    /// Resolves `reference`, written in the schema at `pointer` of `file`.
    pub(crate) fn resolve(
        &self,
        file: usize,
        pointer: &str,
        reference: &str,
    ) -> Result<Target, String> {
        let uri = absolute(reference, self.base_of(file, pointer))?;
        let (resource, fragment) = match uri.split_once('#') {
            Some((resource, fragment)) => (resource, fragment),
            None => (uri.as_str(), ""),
        };
        let Some((target_file, root)) = self.resources.get(resource) else {
            if resource.starts_with("https://json-schema.org/") {
                return Ok(Target::MetaSchema(uri.clone()));
            }
            return Err(format!(
                "`{reference}` names `{resource}`, which is no schema file here: put that document in the \
                 schema directory (with that `$id`) or refer to a file beside this one"
            ));
        };
        let found = if fragment.is_empty() {
            root.clone()
        } else if fragment.starts_with('/') {
            format!("{root}{}", percent_decoded(fragment))
        } else {
            match self.anchors.get(&format!("{resource}#{fragment}")) {
                Some((anchor_file, at)) if anchor_file == target_file => at.clone(),
                _ => {
                    return Err(format!(
                        "`{reference}`: no `$anchor` named `{fragment}` there"
                    ))
                }
            }
        };
        if !self.nodes[*target_file].contains(&found) {
            return Err(format!("`{reference}` does not point at a schema"));
        }
        Ok(Target::Node {
            file: *target_file,
            pointer: found,
        })
    }
}

/// `reference` resolved against `base` (RFC 3986, with IRIs' characters allowed).
fn absolute(reference: &str, base: &str) -> Result<String, String> {
    let parsed = IriRef::parse(reference)
        .map_err(|err| format!("`{reference}` is not a URI reference: {err}"))?;
    let base = Iri::parse(base).map_err(|err| format!("`{base}` is not a base URI: {err}"))?;
    let resolved = parsed
        .resolve_against(&base)
        .map_err(|err| format!("`{reference}` cannot be resolved against `{base}`: {err}"))?;
    Ok(resolved.normalize().as_str().to_owned())
}

/// A URI fragment with its percent-encoded bytes decoded (`%25` is `%`), as a JSON pointer is written in one.
fn percent_decoded(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let hex = |at: usize| {
            bytes
                .get(at)
                .and_then(|b| (*b as char).to_digit(16))
                .map(|d| d as u8)
        };
        match (bytes[index], hex(index + 1), hex(index + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push(high * 16 + low);
                index += 3;
            }
            (byte, _, _) => {
                out.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn document(text: &str) -> Document {
        let loaded = crate::load::parse("acme/a.json", text);
        assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
        loaded.document
    }

    #[test]
    fn pointers_anchors_and_nested_ids() {
        let doc = document(
            r##"{"$schema": "https://json-schema.org/draft/2020-12/schema",
                "$defs": {
                  "A": {"$anchor": "here", "type": "string"},
                  "B": {"$id": "http://example.com/b/", "$defs": {"C": {"$id": "c.json", "type": "integer"}}},
                  "a b%": {"type": "boolean"}
                }}"##,
        );
        let resources = Resources::new(&[("acme/a.json", &doc)]);
        let node = |pointer: &str| {
            Ok(Target::Node {
                file: 0,
                pointer: pointer.to_owned(),
            })
        };
        assert_eq!(resources.resolve(0, "", "#/$defs/A"), node("/$defs/A"));
        assert_eq!(resources.resolve(0, "", "#here"), node("/$defs/A"));
        assert_eq!(
            resources.resolve(0, "", "a.json#/$defs/a%20b%25"),
            node("/$defs/a b%")
        );
        assert_eq!(
            resources.resolve(0, "/$defs/B", "c.json"),
            node("/$defs/B/$defs/C")
        );
        assert_eq!(
            resources.resolve(0, "", "http://example.com/b/c.json"),
            node("/$defs/B/$defs/C")
        );
        assert_eq!(resources.resolve(0, "", "#"), node(""));
        assert!(resources.resolve(0, "", "#/$defs/Nope").is_err());
        assert!(resources
            .resolve(0, "", "http://localhost:1234/x.json")
            .is_err());
        assert!(matches!(
            resources.resolve(0, "", "https://json-schema.org/draft/2020-12/schema"),
            Ok(Target::MetaSchema(_))
        ));
    }
}
