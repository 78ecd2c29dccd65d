//! Rust literals of the model's values: numbers, bounds and constants as the runtime's types spell them, and
//! JSON in `json!`-style syntax.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use serde_json::Value;

use super::cx::Cx;
use super::names::ident;
use crate::model::{Bound, Literal as Constant};

/// A JSON value as the tokens of `json!`-style syntax (strings as Rust literals, so any text is safe).
pub(crate) fn json_tokens(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(null),
        Value::Bool(flag) => quote!(#flag),
        Value::Number(number) => json_number(number),
        Value::String(text) => {
            let literal = proc_macro2::Literal::string(text);
            quote!(#literal)
        }
        Value::Array(items) => {
            let items = items.iter().map(json_tokens);
            quote!([#(#items),*])
        }
        Value::Object(members) => {
            let members = members.iter().map(|(key, value)| {
                let key = proc_macro2::Literal::string(key);
                let value = json_tokens(value);
                quote!(#key: #value)
            });
            quote!({#(#members),*})
        }
    }
}

/// A number written as JSON writes it (`-1.5`, `2e+20`): the sign as its own token, as Rust reads it.
pub(crate) fn signed_number(text: &str) -> TokenStream {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text),
    };
    let literal: TokenStream = digits.parse().unwrap_or_else(|_| quote!(0));
    if negative {
        quote!(-#literal)
    } else {
        literal
    }
}

/// A JSON number as a literal `json!` reads as the same number: an integer beyond `i32` carries its type
/// (`9007199254740992i64`), since an untyped literal is an `i32` there.
fn json_number(number: &serde_json::Number) -> TokenStream {
    let fits_i32 = number.as_i64().is_some_and(|n| i32::try_from(n).is_ok());
    if number.is_f64() || fits_i32 {
        return signed_number(&number.to_string());
    }
    let (text, suffix) = match (number.as_i64(), number.as_u64()) {
        (Some(n), _) => (n.to_string(), "i64"),
        (None, Some(n)) => (n.to_string(), "u64"),
        (None, None) => (number.to_string(), ""),
    };
    signed_number(&format!("{text}{suffix}"))
}

/// A constant as a Rust value of its member's type.
pub(crate) fn literal_value(value: &Constant, cx: &Cx) -> TokenStream {
    match value {
        Constant::String(text) => quote!(#text.to_owned()),
        Constant::Integer(number) => signed_number(&number.to_string()),
        Constant::Boolean(flag) => quote!(#flag),
        Constant::Decimal { mantissa, scale } => {
            let decimal = cx.rt("Decimal");
            let mantissa = signed_number(&mantissa.to_string());
            let scale = Literal::u32_unsuffixed(*scale);
            quote!(#decimal::from_parts(#mantissa, #scale))
        }
        Constant::Variant {
            enum_name, variant, ..
        } => {
            let (enum_name, variant) = (ident(enum_name), ident(variant));
            quote!(#enum_name::#variant)
        }
    }
}
/// An unsuffixed literal: `32`, not `32u64`.
pub(crate) fn count(value: u64) -> Literal {
    Literal::u64_unsuffixed(value)
}

pub(crate) fn bound_literal(bound: &Bound, cx: &Cx) -> TokenStream {
    match bound {
        Bound::Integer(value) => signed_number(&value.to_string()),
        Bound::Decimal { mantissa: 0, .. } => {
            let decimal = cx.rt("Decimal");
            quote!(#decimal::ZERO)
        }
        Bound::Decimal { mantissa, scale } => {
            let decimal = cx.rt("Decimal");
            let mantissa = signed_number(&mantissa.to_string());
            if *scale == 0 {
                quote!(#decimal::from_i64(#mantissa))
            } else {
                let scale = Literal::u32_unsuffixed(*scale);
                quote!(#decimal::from_parts(#mantissa, #scale))
            }
        }
    }
}

/// A constant as a value to compare with: `"cny"` (a `&str`), `5`, `true`, `Decimal::from_parts(1, 1)`.
pub(crate) fn constant_value(constant: &Constant, cx: &Cx) -> TokenStream {
    match constant {
        Constant::String(text) => quote!(#text),
        other => literal_value(other, cx),
    }
}

/// A reference to a constant: `"cny"` is one already.
pub(crate) fn constant_ref(constant: &Constant, cx: &Cx) -> TokenStream {
    let value = constant_value(constant, cx);
    match constant {
        Constant::String(_) => value,
        _ => quote!(&#value),
    }
}
