//! What the generator says about each endpoint, for the clients, the CLI and the mock.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::{Kinded, Shaped, Validate, Violation};

/// How a platform authenticates a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <token>` (Shopline).
    ShoplineBearer,
    /// `access_token`, `timestamp` and `nonce` in the query string (Tencent Marketing API).
    TencentQueryToken,
}

/// The request member that holds a batch, and its limit (the member's `maxItems`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchMeta {
    /// JSON member name, e.g. `salesinfo`.
    pub items: &'static str,
    /// Fewest items one request may carry (the member's `minItems`, else 0).
    pub min_items: usize,
    /// Most items one request may carry.
    pub max_items: usize,
}

/// An endpoint as its schema describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EndpointMeta {
    /// `shopline` or `tencent`.
    pub vendor: &'static str,
    /// snake_case name of the call, e.g. `salesinfo_add`.
    pub operation: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// Path template; `{version}` stands for the API version.
    pub path: &'static str,
    /// Default API version segment.
    pub version: &'static str,
    /// How calls authenticate.
    pub auth: Auth,
    /// The batch member, when the request carries a batch.
    pub batch: Option<BatchMeta>,
    /// The schema file this endpoint was generated from, relative to the workspace.
    pub schema: &'static str,
    /// Whether this is the version `vendor.operation` names: the operation's only version, or the default one
    /// among versions side by side.
    pub default: bool,
}

impl EndpointMeta {
    /// `vendor.operation`, the name the CLI takes for the default version.
    pub fn name(&self) -> String {
        format!("{}.{}", self.vendor, self.operation)
    }

    /// `vendor.operation@version`, the name of this very version.
    pub fn versioned_name(&self) -> String {
        format!("{}.{}@{}", self.vendor, self.operation, self.version)
    }

    /// The request path for an API version, e.g. `/v1.3/salesinfo/add`.
    pub fn path_for(&self, version: &str) -> String {
        self.path.replace("{version}", version)
    }
}

/// A typed endpoint: its request and response bodies and its metadata.
pub trait Operation {
    /// The request body.
    type Request: Serialize + DeserializeOwned + Validate + Shaped + Clone + Send + Sync + 'static;
    /// The success response body.
    type Response: ResponseBody + Send + 'static;
    /// What the schema says about the endpoint.
    const META: EndpointMeta;

    /// The values of the request's credential members (`x-sensitive`, e.g. Shopline's `app_key`): the clients
    /// scrub them from errors and logs, as they do their own tokens, without reading the serialized body.
    fn credentials(request: &Self::Request) -> Vec<&str> {
        let _ = request;
        Vec::new()
    }
}

/// A response body: tolerant of what platforms add, and of old member names (`x-aliases`).
pub trait ResponseBody: DeserializeOwned {
    /// `(alias, member)` pairs: `retcode` is read as `code`. When a body carries both, the member wins and
    /// the alias is dropped, instead of failing as a duplicate.
    const ALIASES: &'static [(&'static str, &'static str)] = &[];

    /// Parses a JSON value, resolving aliases first.
    ///
    /// # Errors
    ///
    /// serde's error when the value is not what the type describes.
    fn from_json(mut value: serde_json::Value) -> Result<Self, serde_json::Error> {
        if let Some(object) = value.as_object_mut() {
            for (alias, member) in Self::ALIASES {
                if object.contains_key(*member) {
                    object.remove(*alias);
                }
            }
        }
        serde_json::from_value(value)
    }
}

/// An endpoint whose request carries a batch of items in one member.
pub trait Batched: Operation {
    /// One item of the batch.
    type Item: Serialize + DeserializeOwned + Validate + Kinded + Clone + Send + Sync + 'static;

    /// The batch items of a request.
    fn items(request: &Self::Request) -> &[Self::Item];

    /// The batch member, to split a request or fill an envelope.
    fn items_mut(request: &mut Self::Request) -> &mut Vec<Self::Item>;
}

/// Code that works on any batched endpoint, given its type: `salesync::visit_batched(name, visitor)` calls
/// it with the endpoint named at run time (the CLI's `push`), so a new schema needs no new dispatch code.
pub trait BatchedVisitor {
    /// What the visit gives back.
    type Output;

    /// Runs with endpoint `O`.
    fn visit<O: Batched + 'static>(self) -> Self::Output;
}

/// An endpoint known by name at run time, e.g. to the CLI: `salesync::ENDPOINTS`.
pub trait DynOperation: Sync {
    /// What the schema says about the endpoint.
    fn meta(&self) -> &'static EndpointMeta;

    /// Parses and validates one request body, reporting every violation found.
    fn check_body(&self, body: &str) -> Vec<Violation>;
}

/// The error a deserializer gives for an integer code that is not one of an enum's values.
pub fn unknown_code<E: serde::de::Error>(type_name: &str, code: i64, known: &[i64]) -> E {
    let known: Vec<String> = known.iter().map(i64::to_string).collect();
    E::custom(format!(
        "[enum] {code} is not a {type_name}; expected one of {}",
        known.join(", ")
    ))
}
