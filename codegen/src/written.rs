//! The model's constraints written back as the JSON a schema spells them with, for the `schemars` attributes
//! emission writes and for the notes of `codegen diff`: one spelling of each keyword's value.

use serde_json::{Number, Value};

use crate::model::{decimal_text, Bound, Check, Literal};

/// The keyword's value as the schema writes it (`32`, `"^[0-9]+$"`, `0.01`, `["a", "b"]`).
pub(crate) fn check(check: &Check) -> Value {
    match check {
        Check::MinLength(n)
        | Check::MaxLength(n)
        | Check::MinBytes(n)
        | Check::MaxBytes(n)
        | Check::MinItems(n)
        | Check::MaxItems(n)
        | Check::MinProperties(n)
        | Check::MaxProperties(n) => Value::from(*n),
        Check::Pattern { source, .. } => Value::from(source.as_str()),
        Check::Format(format) => Value::from(format.as_str()),
        Check::Minimum(b)
        | Check::Maximum(b)
        | Check::ExclusiveMinimum(b)
        | Check::ExclusiveMaximum(b)
        | Check::MultipleOf(b) => bound(b),
        Check::DecimalPlaces(places) => Value::from(*places),
        Check::UniqueItems | Check::UniqueJson => Value::Bool(true),
        Check::Schema(pointer) => Value::from(pointer.as_str()),
        Check::Const(constant) => literal(constant),
        Check::Enum(constants) => Value::Array(constants.iter().map(literal).collect()),
    }
}

/// A bound as a JSON number.
pub(crate) fn bound(bound: &Bound) -> Value {
    match bound {
        Bound::Integer(value) => Value::from(*value),
        Bound::Decimal { mantissa, scale } => decimal(*mantissa, *scale),
    }
}

/// A constant as JSON.
pub(crate) fn literal(literal: &Literal) -> Value {
    match literal {
        Literal::String(text) => Value::from(text.as_str()),
        Literal::Integer(value) => Value::from(*value),
        Literal::Boolean(flag) => Value::Bool(*flag),
        Literal::Decimal { mantissa, scale } => decimal(*mantissa, *scale),
        Literal::Variant { wire, .. } => serde_json::from_str(wire).unwrap_or(Value::Null),
    }
}

/// `mantissa * 10^-scale` as a JSON number, written exactly (never through a float).
fn decimal(mantissa: i64, scale: u32) -> Value {
    serde_json::from_str::<Number>(&decimal_text(mantissa, scale))
        .map_or(Value::Null, Value::Number)
}
