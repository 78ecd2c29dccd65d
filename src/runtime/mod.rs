//! The handwritten runtime that generated code builds on: exact decimals, lenient integers, validation with
//! JSON pointers, parsing with JSON pointers, and endpoint descriptions.
//!
//! What a caller uses is documented here: [`Decimal`], [`Nullable`], [`Validate`] and [`Violations`],
//! [`Operation`] and [`EndpointMeta`], [`parse`] and [`check`]. The items only generated code uses (readers,
//! shapes, patterns, formats, schema checks, wire helpers) are public because the generated modules are a
//! crate of their own in spirit, and `#[doc(hidden)]`: they may change in any release.

pub mod check;
#[doc(hidden)]
pub mod choice;
mod decimal;
#[doc(hidden)]
pub mod either;
pub mod endpoint;
#[doc(hidden)]
pub mod format;
#[doc(hidden)]
pub mod lenient;
#[doc(hidden)]
pub mod newtype;
mod nullable;
pub mod parse;
mod pattern;
mod recover;
mod schema;
#[doc(hidden)]
pub mod shape;
mod validate;
#[doc(hidden)]
pub mod wire;

pub use decimal::{Decimal, DecimalError};
#[doc(hidden)]
pub use format::Format;
/// The map of an object whose members are data (`additionalProperties` as a schema): input order is kept.
pub use indexmap::IndexMap;
pub use newtype::InvalidValue;
pub use nullable::Nullable;
#[doc(hidden)]
pub use typed_builder::{self, TypedBuilder};
#[doc(hidden)]
pub use wire::json_object;

#[doc(hidden)]
/// A value quoted in a message, cut to a readable length: a 1 MB string must not make a 1 MB error.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: usize = 48;
    if text.chars().count() <= KEEP + 16 {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(KEEP).collect();
    std::borrow::Cow::Owned(format!("{kept}… ({} bytes)", text.len()))
}

#[doc(hidden)]
/// Stands in for a credential in `Debug` output: prints `*** redacted ***`.
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("*** redacted ***")
    }
}
pub use endpoint::{
    Auth, BatchMeta, Batched, BatchedVisitor, DynOperation, EndpointMeta, Operation, ResponseBody,
};
#[doc(hidden)]
pub use pattern::Pattern;
#[doc(hidden)]
pub use schema::{json_equal, SchemaCheck, SchemaDocument};
#[doc(hidden)]
pub use shape::{Kinded, Member, MemberKind, ObjectShape, Scalar, Shaped, TagValue, UnionShape};
#[doc(hidden)]
pub use validate::{Comparison, MultipleOf};
pub use validate::{Validate, Validator, Violation, Violations};
