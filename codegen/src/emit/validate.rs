//! `Validate` impls: one `v.at(member, ...)` per constrained member, then the rules between members.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::checks::{closure, schema_check, shape_checks, value_checks, Value};
use super::cx::Cx;
use super::names::ident;
use super::rules;
use crate::model::{Additional, Direction, Field, Presence, Shape, Struct};

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
    // What the fields and rules do not say, the compiled schema checks on the whole object.
    let residual = s.residual.as_ref().map(|pointer| {
        let check = schema_check(pointer, quote!(schema_of), &quote!(self), cx);
        quote!(#check;)
    });
    let body: TokenStream = fields.chain(extra).chain(rules).chain(residual).collect();
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
        Additional::Typed(values) if values.has_checks() => {
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

fn field_checks(field: &Field, direction: Direction, cx: &Cx) -> Option<TokenStream> {
    if !field.shape.has_checks() {
        return None;
    }
    let member = &field.name;
    let name = ident(&field.rust);
    Some(match field.presence(direction) {
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
