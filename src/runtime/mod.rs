//! The handwritten runtime that generated code builds on: exact decimals, lenient integers, validation with
//! JSON pointers, parsing with JSON pointers, and endpoint descriptions.

pub mod check;
mod decimal;
pub mod endpoint;
pub mod lenient;
pub mod parse;
mod validate;

pub use decimal::{Decimal, DecimalError};
pub use endpoint::{Auth, BatchMeta, Batched, DynOperation, EndpointMeta, Operation};
pub use validate::{Comparison, Pattern, Validate, Validator, Violation, Violations};
