//! The handwritten runtime that generated code builds on: exact decimals, lenient integers, validation with
//! JSON pointers, parsing with JSON pointers, and endpoint descriptions.

pub mod check;
mod decimal;
pub mod endpoint;
pub mod format;
pub mod lenient;
pub mod newtype;
mod nullable;
pub mod parse;
mod pattern;
mod recover;
pub mod shape;
mod validate;
pub mod wire;

pub use decimal::{Decimal, DecimalError};
pub use format::Format;
/// The map of an object whose members are data (`additionalProperties` as a schema): input order is kept.
pub use indexmap::IndexMap;
pub use newtype::InvalidValue;
pub use nullable::Nullable;
#[doc(hidden)]
pub use typed_builder::{self, TypedBuilder};
pub use wire::json_object;

/// A value quoted in a message, cut to a readable length: a 1 MB string must not make a 1 MB error.
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    const KEEP: usize = 48;
    if text.chars().count() <= KEEP + 16 {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: String = text.chars().take(KEEP).collect();
    std::borrow::Cow::Owned(format!("{kept}… ({} bytes)", text.len()))
}

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
pub use pattern::Pattern;
pub use shape::{Member, MemberKind, ObjectShape, Shaped, TagValue, UnionShape};
pub use validate::{Comparison, MultipleOf, Validate, Validator, Violation, Violations};
