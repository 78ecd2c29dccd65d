//! Unions chosen by validation (`oneOf`/`anyOf` of typed schemas with no tag): a value is read as the first
//! variant it is valid as, and validated by counting the variants it is valid as, so a `oneOf` refuses a value
//! two variants accept, and "none" says why each variant refused it.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{parse, Validate, Validator, Violation};

/// A value tried as one variant.
#[derive(Debug)]
pub enum Attempt<T> {
    /// It reads, and breaks none of the variant's rules.
    Valid(T),
    /// It reads, but breaks some of the variant's rules.
    Invalid(T, Violation),
    /// It does not read as the variant (a member of the wrong type, say).
    Unreadable(Violation),
}

impl<T> Attempt<T> {
    /// The same attempt holding `f(value)`: the variant wrapped in its union.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attempt<U> {
        match self {
            Attempt::Valid(value) => Attempt::Valid(f(value)),
            Attempt::Invalid(value, why) => Attempt::Invalid(f(value), why),
            Attempt::Unreadable(why) => Attempt::Unreadable(why),
        }
    }
}

/// `value` as a `T`, validated.
pub fn attempt<T: DeserializeOwned + Validate>(value: &Value) -> Attempt<T> {
    match parse::from_value::<T>(value, "") {
        Err(why) => Attempt::Unreadable(why),
        Ok(parsed) => match violations::<T>(value).into_iter().next() {
            None => Attempt::Valid(parsed),
            Some(why) => Attempt::Invalid(parsed, why),
        },
    }
}

/// `value` as a `T` that is only received: any value that reads is valid.
pub fn attempt_read<T: DeserializeOwned>(value: &Value) -> Attempt<T> {
    match parse::from_value::<T>(value, "") {
        Ok(parsed) => Attempt::Valid(parsed),
        Err(why) => Attempt::Unreadable(why),
    }
}

/// Every violation of `value` as a `T` (a value that does not read as one breaks `type`).
pub fn violations<T: DeserializeOwned + Validate>(value: &Value) -> Vec<Violation> {
    match parse::from_value::<T>(value, "") {
        Err(why) => vec![why],
        Ok(parsed) => {
            let mut v = Validator::new();
            parsed.validate_into(&mut v);
            v.into_violations()
        }
    }
}

/// A variant's name and how a value is tried as it.
pub type TryAs<T> = (&'static str, fn(&Value) -> Attempt<T>);

/// A variant's name and the violations of a value as it.
pub type Judge = (&'static str, fn(&Value) -> Vec<Violation>);

/// The violations of `value` as a `T` that has no checks of its own: none when it reads.
pub fn read_violations<T: DeserializeOwned>(value: &Value) -> Vec<Violation> {
    match parse::from_value::<T>(value, "") {
        Ok(_) => Vec::new(),
        Err(why) => vec![why],
    }
}

/// The variant `value` reads as: the first it is valid as, else the first it reads as (validation then says
/// what is wrong), else `unknown` (a union that is received keeps it); none of these is an error naming what
/// each variant found, prefixed `[oneOf]` or `[anyOf]` for the parse's rule.
///
/// # Errors
///
/// A value no variant reads, in a union that is sent.
pub fn choose<T>(
    value: Value,
    type_name: &str,
    keyword: &'static str,
    variants: &[TryAs<T>],
    unknown: Option<fn(Value) -> T>,
) -> Result<T, String> {
    let mut readable = None;
    let mut reasons = Vec::new();
    for (name, try_as) in variants {
        match try_as(&value) {
            Attempt::Valid(found) => return Ok(found),
            Attempt::Invalid(found, _) => {
                readable.get_or_insert(found);
            }
            Attempt::Unreadable(why) => reasons.push(format!("as {name}: {}", shown(&why))),
        }
    }
    if let Some(found) = readable {
        return Ok(found);
    }
    if let Some(unknown) = unknown {
        return Ok(unknown(value));
    }
    Err(format!(
        "[{keyword}] not a {type_name}: {}",
        reasons.join("; ")
    ))
}

/// `oneOf` (`exactly_one`) or `anyOf`: reports at the current pointer a value valid as no variant (with the
/// first thing each variant found), or, for `oneOf`, as several.
pub fn check(v: &mut Validator, value: &Value, exactly_one: bool, variants: &[Judge]) {
    let rule = if exactly_one { "oneOf" } else { "anyOf" };
    let mut valid = Vec::new();
    let mut reasons = Vec::new();
    for (name, violations) in variants {
        match violations(value).first() {
            None => valid.push(*name),
            Some(why) => reasons.push(format!("as {name}: {}", shown(why))),
        }
    }
    match valid.len() {
        0 => v.report(
            rule,
            format!("valid as none of its variants ({})", reasons.join("; ")),
        ),
        1 => {}
        _ if exactly_one => v.report(
            rule,
            format!(
                "valid as {}: `oneOf` allows exactly one",
                valid.join(" and ")
            ),
        ),
        _ => {}
    }
}

/// A violation inside a variant, as a reason: its pointer (below the union) and message.
fn shown(violation: &Violation) -> String {
    if violation.pointer.is_empty() {
        format!("{} [{}]", violation.message, violation.rule)
    } else {
        format!(
            "{}: {} [{}]",
            violation.pointer, violation.message, violation.rule
        )
    }
}
