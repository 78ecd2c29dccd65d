//! `Validate` impls: one `v.at(member, ...)` per constrained member, then the rules between members.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::fields::{presence, Presence};
use super::names::ident;
use super::{rules, Cx};
use crate::model::{
    Additional, Bound, Check, Direction, Field, Literal as Constant, Shape, Struct, Ty,
};

/// `impl Validate` for a struct that is sent.
pub fn struct_impl(name: &Ident, s: &Struct, direction: Direction, cx: &Cx) -> TokenStream {
    let fields = s
        .fields
        .iter()
        .filter_map(|f| field_checks(f, direction, cx));
    let extra = extra_checks(name, s, direction, cx);
    let has_extra = !(direction == Direction::Request && s.additional == Additional::Refused);
    let rules = s
        .rules
        .iter()
        .map(|rule| rules::object_rule(rule, &s.fields, has_extra, cx));
    let body: TokenStream = fields.chain(extra).chain(rules).collect();
    let v = if body.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    let (validate, validator) = (cx.rt("Validate"), cx.rt("Validator"));
    quote! {
        impl #validate for #name {
            fn validate_into(&self, #v: &mut #validator) { #body }
        }
    }
}

/// `impl Validate` for a newtype that is sent: the checks of its value.
pub fn newtype_impl(name: &Ident, shape: &Shape, cx: &Cx) -> TokenStream {
    let checks = shape_checks(shape, &Value::place(quote!(self.0)), cx);
    let v = if checks.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    let (validate, validator) = (cx.rt("Validate"), cx.rt("Validator"));
    quote! {
        impl #validate for #name {
            fn validate_into(&self, #v: &mut #validator) { #(#checks;)* }
        }
    }
}

/// Members the object does not name: each checked against `additionalProperties`, or (a type also read
/// from responses, which keeps them) refused.
fn extra_checks(name: &Ident, s: &Struct, direction: Direction, cx: &Cx) -> Option<TokenStream> {
    match &s.additional {
        Additional::Typed(values) if has_checks(values) => {
            let checks = value_checks(values, &Value::reference(quote!(value)), cx);
            Some(quote!(v.each_entry(&self.extra, |v, _, value| #checks);))
        }
        Additional::Refused if direction == Direction::Both => {
            let type_name = name.to_string();
            let known = s.fields.iter().map(|f| f.name.as_str());
            Some(quote!(v.unknown_members(&self.extra, #type_name, &[#(#known),*]);))
        }
        _ => None,
    }
}

/// Whether a value of this shape has anything to check.
pub(crate) fn has_checks(shape: &Shape) -> bool {
    !shape.checks.is_empty()
        || match &shape.ty {
            Ty::Named(named) => named.validated,
            Ty::Array(items) => has_checks(items),
            Ty::Map(map) => has_checks(&map.values) || !map.keys.is_empty(),
            _ => false,
        }
}

fn field_checks(field: &Field, direction: Direction, cx: &Cx) -> Option<TokenStream> {
    if !has_checks(&field.shape) {
        return None;
    }
    let member = &field.name;
    let name = ident(&field.rust);
    Some(match presence(field, direction) {
        Presence::Always => {
            let checks = closure(shape_checks(
                &field.shape,
                &Value::place(quote!(self.#name)),
                cx,
            ));
            quote!(v.at(#member, #checks);)
        }
        Presence::RequiredNullable | Presence::Optional => {
            let checks = closure(shape_checks(
                &field.shape,
                &Value::reference(quote!(value)),
                cx,
            ));
            quote! {
                if let Some(value) = &self.#name {
                    v.at(#member, #checks);
                }
            }
        }
        Presence::Nullable => {
            let checks = closure(shape_checks(
                &field.shape,
                &Value::reference(quote!(value)),
                cx,
            ));
            quote! {
                if let Some(value) = self.#name.as_option() {
                    v.at(#member, #checks);
                }
            }
        }
    })
}

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
fn value_checks(shape: &Shape, value: &Value, cx: &Cx) -> TokenStream {
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
    let mut checks: Vec<TokenStream> = shape
        .checks
        .iter()
        .map(|check| check_call(check, value, cx))
        .collect();
    match &shape.ty {
        Ty::Named(named) if named.validated => {
            let receiver = value.receiver();
            checks.push(quote!(#receiver.validate_into(v)));
        }
        Ty::Array(items) if has_checks(items) => {
            let item_checks = value_checks(items, &Value::reference(quote!(item)), cx);
            let items = value.borrowed();
            checks.push(quote!(v.each(#items, |v, item| #item_checks)));
        }
        Ty::Map(map) if has_checks(&map.values) || !map.keys.is_empty() => {
            let key_checks: Vec<TokenStream> = map
                .keys
                .iter()
                .map(|check| check_call(check, &Value::reference(quote!(key)), cx))
                .collect();
            let keys = (!key_checks.is_empty()).then(|| {
                let checks = closure(key_checks);
                quote!(v.member_name(#checks);)
            });
            let values = has_checks(&map.values)
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
        Check::MinProperties(min) => {
            let min = count(*min);
            quote!(v.min_properties(#value.len(), #min))
        }
        Check::MaxProperties(max) => {
            let max = count(*max);
            quote!(v.max_properties(#value.len(), #max))
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

/// An unsuffixed literal: `32`, not `32u64`.
fn count(value: u64) -> Literal {
    Literal::u64_unsuffixed(value)
}

pub(crate) fn bound_literal(bound: &Bound, cx: &Cx) -> TokenStream {
    match bound {
        Bound::Integer(value) => super::json_schema::signed_number(&value.to_string()),
        Bound::Decimal { mantissa: 0, .. } => {
            let decimal = cx.rt("Decimal");
            quote!(#decimal::ZERO)
        }
        Bound::Decimal { mantissa, scale } => {
            let decimal = cx.rt("Decimal");
            let mantissa = super::json_schema::signed_number(&mantissa.to_string());
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
        other => super::fields::literal_value(other, cx),
    }
}

/// A reference to a constant: `"cny"` is one already.
fn constant_ref(constant: &Constant, cx: &Cx) -> TokenStream {
    let value = constant_value(constant, cx);
    match constant {
        Constant::String(_) => value,
        _ => quote!(&#value),
    }
}
