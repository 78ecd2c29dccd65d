//! The checks of one value, each an expression on the validator `v`: one runtime call per `Check`, and the
//! walk into arrays, maps and named types.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::cx::Cx;
use super::names::ident;
use super::tokens::{bound_literal, constant_ref, constant_value, count};
use crate::model::{Check, Shape, Ty};

/// An expression for the value being checked: a place (`self.price`) or a reference (`value`).
pub(crate) struct Value {
    expr: TokenStream,
    is_reference: bool,
}

impl Value {
    pub(crate) fn place(expr: TokenStream) -> Self {
        Value {
            expr,
            is_reference: false,
        }
    }

    pub(crate) fn reference(expr: TokenStream) -> Self {
        Value {
            expr,
            is_reference: true,
        }
    }

    /// `&T`, for arguments.
    fn borrowed(&self) -> TokenStream {
        let expr = &self.expr;
        if self.is_reference {
            quote!(#expr)
        } else {
            quote!(&#expr)
        }
    }

    /// `T`, for `Copy` numbers.
    fn copied(&self) -> TokenStream {
        let expr = &self.expr;
        if self.is_reference {
            quote!(*#expr)
        } else {
            quote!(#expr)
        }
    }

    /// The value as a method receiver (auto-referenced).
    fn receiver(&self) -> &TokenStream {
        &self.expr
    }
}

/// `|v| check` for one check, `|v| { a; b; }` for several.
pub(crate) fn closure(checks: Vec<TokenStream>) -> TokenStream {
    match checks.as_slice() {
        [single] => quote!(|v| #single),
        many => quote!(|v| { #(#many;)* }),
    }
}

/// The checks of a value that may be `null` (an array item, a map value): only a value is checked.
pub(crate) fn value_checks(shape: &Shape, value: &Value, cx: &Cx) -> TokenStream {
    let checks = shape_checks(shape, value, cx);
    let body = match checks.as_slice() {
        [single] => quote!(#single),
        many => quote!({ #(#many;)* }),
    };
    if shape.nullable {
        let expr = &value.expr;
        quote!(if let Some(#expr) = #expr { #body })
    } else {
        body
    }
}

/// The checks of one value, each an expression.
pub(crate) fn shape_checks(shape: &Shape, value: &Value, cx: &Cx) -> Vec<TokenStream> {
    // A scalar newtype with checks of its own use (`{"$ref": "#/$defs/Yuan", "minimum": 0}`): they are made
    // on its inner value.
    let inner = match &shape.ty {
        Ty::Named(named) if named.copy => Some(Value::place({
            let receiver = value.receiver();
            quote!(#receiver.get())
        })),
        Ty::Named(_) => Some(Value::place({
            let receiver = value.receiver();
            quote!(#receiver.as_str())
        })),
        _ => None,
    };
    let mut checks: Vec<TokenStream> = shape
        .checks
        .iter()
        .map(|check| match check {
            // Any JSON value is checked as it is; a typed one is written as JSON first.
            Check::Schema(pointer) if shape.ty == Ty::Any && !shape.boxed => {
                schema_check(pointer, quote!(schema), &value.borrowed(), cx)
            }
            Check::Schema(_) => check_call(check, value, cx),
            _ => check_call(check, inner.as_ref().unwrap_or(value), cx),
        })
        .collect();
    match &shape.ty {
        Ty::Named(named) if named.validated => {
            let receiver = value.receiver();
            checks.push(quote!(#receiver.validate_into(v)));
        }
        Ty::Array(items) if items.has_checks() => {
            let item_checks = value_checks(items, &Value::reference(quote!(item)), cx);
            let items = value.borrowed();
            checks.push(quote!(v.each(#items, |v, item| #item_checks)));
        }
        Ty::Map(map) if map.values.has_checks() || !map.keys.is_empty() => {
            let key_checks: Vec<TokenStream> = map
                .keys
                .iter()
                .map(|check| check_call(check, &Value::reference(quote!(key)), cx))
                .collect();
            let keys = (!key_checks.is_empty()).then(|| {
                let checks = closure(key_checks);
                quote!(v.member_name(#checks);)
            });
            let values = map
                .values
                .has_checks()
                .then(|| value_checks(&map.values, &Value::reference(quote!(value)), cx));
            let entries = value.borrowed();
            let key = if keys.is_some() {
                quote!(key)
            } else {
                quote!(_)
            };
            let value_binding = if values.is_some() {
                quote!(value)
            } else {
                quote!(_)
            };
            checks
                .push(quote!(v.each_entry(#entries, |v, #key, #value_binding| { #keys #values })));
        }
        _ => {}
    }
    checks
}

pub(crate) fn check_call(check: &Check, value: &Value, cx: &Cx) -> TokenStream {
    let (borrowed, copied) = (value.borrowed(), value.copied());
    let receiver = value.receiver().clone();
    let value = &borrowed;
    match check {
        Check::MinLength(min) => {
            let min = count(*min);
            quote!(v.min_length(#value, #min))
        }
        Check::MaxLength(max) => {
            let max = count(*max);
            quote!(v.max_length(#value, #max))
        }
        Check::MinBytes(min) => {
            let min = count(*min);
            quote!(v.min_bytes(#value, #min))
        }
        Check::MaxBytes(max) => {
            let max = count(*max);
            quote!(v.max_bytes(#value, #max))
        }
        Check::Pattern { source, rust } => {
            let ty = cx.rt("Pattern");
            let pattern = if source == rust {
                quote!(#ty::new(#source))
            } else {
                quote!(#ty::translated(#source, #rust))
            };
            quote!({
                static PATTERN: #ty = #pattern;
                v.pattern(#value, &PATTERN)
            })
        }
        Check::Format(name) => {
            let format = cx.rt("Format");
            let variant = format_variant(name);
            quote!(v.format(#value, #format::#variant))
        }
        Check::Minimum(bound) => {
            let bound = bound_literal(bound, cx);
            quote!(v.minimum(#copied, #bound))
        }
        Check::Maximum(bound) => {
            let bound = bound_literal(bound, cx);
            quote!(v.maximum(#copied, #bound))
        }
        Check::ExclusiveMinimum(bound) => {
            let bound = bound_literal(bound, cx);
            quote!(v.exclusive_minimum(#copied, #bound))
        }
        Check::ExclusiveMaximum(bound) => {
            let bound = bound_literal(bound, cx);
            quote!(v.exclusive_maximum(#copied, #bound))
        }
        Check::MultipleOf(bound) => {
            let bound = bound_literal(bound, cx);
            quote!(v.multiple_of(#copied, #bound))
        }
        Check::DecimalPlaces(places) => {
            let places = Literal::u32_unsuffixed(*places);
            quote!(v.decimal_places(#copied, #places))
        }
        Check::MinItems(min) => {
            let min = count(*min);
            quote!(v.min_items(#value, #min))
        }
        Check::MaxItems(max) => {
            let max = count(*max);
            quote!(v.max_items(#value, #max))
        }
        Check::UniqueItems => quote!(v.unique_items(#value)),
        Check::UniqueJson => quote!(v.unique_json(#value)),
        Check::Schema(pointer) => schema_check(pointer, quote!(schema_of), value, cx),
        Check::MinProperties(min) => {
            let min = count(*min);
            quote!(v.min_properties(#receiver.len(), #min))
        }
        Check::MaxProperties(max) => {
            let max = count(*max);
            quote!(v.max_properties(#receiver.len(), #max))
        }
        Check::Const(constant) => {
            let constant = constant_ref(constant, cx);
            quote!(v.constant(#value, #constant))
        }
        Check::Enum(constants) => {
            let constants = constants.iter().map(|c| constant_value(c, cx));
            quote!(v.enumerated(#value, &[#(#constants),*]))
        }
    }
}

/// The runtime's `Format` variant for a validated format name (`date-time` -> `DateTime`).
fn format_variant(name: &str) -> Ident {
    let pascal: String = name
        .split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    ident(&pascal)
}

/// The residual check at `pointer` of the module's document: a check compiled once, on first use.
pub(crate) fn schema_check(
    pointer: &str,
    method: TokenStream,
    value: &TokenStream,
    cx: &Cx,
) -> TokenStream {
    let check = cx.rt("SchemaCheck");
    quote!({
        static CHECK: #check = #check::new(&SCHEMA_DOCUMENT, #pointer);
        v.#method(#value, &CHECK)
    })
}
