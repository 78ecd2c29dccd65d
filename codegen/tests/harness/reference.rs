//! The `jsonschema` crate's verdicts: a plain validator, to tell whether a verdict of ours that differs from
//! what a test expects is ours to fix.
//!
//! Configured as salesync judges: draft 2020-12; the ten formats salesync claims are assertions, every other
//! format jsonschema knows is an annotation; remote documents are served from memory by their URI, so
//! nothing ever reaches the network.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use jsonschema::{Draft, Registry, Resource, Retrieve, Uri, Validator};
use serde_json::Value;

/// The formats salesync validates (schemas/README.md, "Formats").
pub const CLAIMED_FORMATS: [&str; 10] = [
    "date-time",
    "date",
    "time",
    "uri",
    "uri-reference",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uuid",
];

/// The formats jsonschema 0.33 validates that salesync does not claim: annotations here, as salesync treats
/// them (any other format is an annotation to both already).
pub const OTHER_FORMATS: [&str; 9] = [
    "duration",
    "idn-email",
    "idn-hostname",
    "iri",
    "iri-reference",
    "json-pointer",
    "regex",
    "relative-json-pointer",
    "uri-template",
];

/// jsonschema configured as above, with remote documents.
#[derive(Clone)]
pub struct Reference {
    /// URI (no fragment) -> document.
    remotes: Arc<BTreeMap<String, Value>>,
    /// The remote documents as resources, processed once (per schema, that takes jsonschema 30 times longer
    /// than the validation itself); or why they cannot be.
    registry: Result<Registry, String>,
}

impl Reference {
    /// `remotes`: the documents references may name, by the URI they are retrieved at.
    pub fn new(remotes: impl IntoIterator<Item = (String, Value)>) -> Reference {
        let remotes: Arc<BTreeMap<String, Value>> = Arc::new(remotes.into_iter().collect());
        let resources = remotes.iter().map(|(uri, document)| {
            let resource = Resource::from_contents(document.clone())
                .unwrap_or_else(|_| Draft::Draft202012.create_resource(document.clone()));
            (uri.clone(), resource)
        });
        let registry = Registry::options()
            .draft(Draft::Draft202012)
            .retriever(Remotes(Arc::clone(&remotes)))
            .build(resources)
            .map_err(|err| format!("jsonschema refuses the remote documents: {err}"));
        Reference { remotes, registry }
    }

    /// The validator of `schema`, or why jsonschema refuses it (a panic included).
    pub fn validator(&self, schema: &Value) -> Result<Validator, String> {
        let mut options = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(self.registry.clone()?)
            .with_retriever(Remotes(Arc::clone(&self.remotes)));
        for format in OTHER_FORMATS {
            options = options.with_format(format, |_: &str| true);
        }
        let build = || {
            options
                .build(schema)
                .map_err(|err| format!("jsonschema refuses the schema: {err}"))
        };
        catch_unwind(AssertUnwindSafe(build))
            .unwrap_or_else(|_| Err("jsonschema panicked building the schema".into()))
    }

    /// Whether each instance is valid, or why there is no verdict.
    pub fn verdicts(&self, schema: &Value, instances: &[Value]) -> Vec<Result<bool, String>> {
        match self.validator(schema) {
            Ok(validator) => instances
                .iter()
                .map(|instance| {
                    catch_unwind(AssertUnwindSafe(|| validator.is_valid(instance)))
                        .map_err(|_| "jsonschema panicked validating the instance".to_owned())
                })
                .collect(),
            Err(why) => vec![Err(why); instances.len()],
        }
    }
}

/// Serves the remote documents; any other URI is an error, never a download.
struct Remotes(Arc<BTreeMap<String, Value>>);

impl Retrieve for Remotes {
    fn retrieve(
        &self,
        uri: &Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let wanted = uri.as_str().split('#').next().unwrap_or_default();
        self.0.get(wanted).cloned().ok_or_else(|| {
            format!("{wanted}: not a document of the test (tests stay offline)").into()
        })
    }
}
