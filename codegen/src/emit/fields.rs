//! Struct fields: their Rust types (absent and `null` told apart where the schema makes them differ), their
//! serde attributes, and the constructor of a type's required members.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::quote;

use super::names::{doc, ident};
use super::types::rust_type;
use super::Cx;
use crate::model::{Direction, Field, Literal, Shape, Ty};

/// How a member's presence and `null` map to Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Presence {
    /// Required, never null: `T`.
    Always,
    /// Required, may be null: `Option<T>`, `None` sent as `null`.
    RequiredNullable,
    /// Optional: `Option<T>`, `None` left out (a `null` received reads as absent).
    Optional,
    /// Optional and nullable in a validated type: `Nullable<T>`, absent and `null` told apart.
    Nullable,
}

pub(crate) fn presence(field: &Field, direction: Direction) -> Presence {
    match (field.required, field.shape.nullable) {
        (true, false) => Presence::Always,
        (true, true) => Presence::RequiredNullable,
        (false, true) if direction.validated() => Presence::Nullable,
        (false, _) => Presence::Optional,
    }
}

/// The runtime function that reads the integers in a value of this shape (outside named types): whole-number
/// floats (`5.0`) are integers, as in JSON Schema, and lenient integers also take a string of digits.
pub(crate) fn integer_reader(shape: &Shape, cx: &Cx) -> Option<String> {
    fn find(ty: &Ty) -> Option<(bool, bool)> {
        match ty {
            Ty::Integer {
                lenient,
                minor_units,
            } => Some((*lenient, *minor_units)),
            Ty::Array(items) => find(&items.ty),
            Ty::Map(map) => find(&map.values.ty),
            _ => None,
        }
    }
    find(&shape.ty).map(|reading| {
        cx.rt_str(match reading {
            (true, false) => "lenient::integer",
            (false, false) => "lenient::whole",
            (true, true) => "lenient::minor_units",
            (false, true) => "lenient::whole_minor_units",
        })
    })
}

/// A struct field with its doc comment and serde attributes.
pub(crate) fn field(field: &Field, direction: Direction, cx: &Cx) -> TokenStream {
    let name = ident(&field.rust);
    let docs = doc(field.doc.as_deref());
    let inner = rust_type(&field.shape.ty, cx);
    let presence = presence(field, direction);
    let mut serde = Vec::new();
    if field.rust != field.name {
        let member = &field.name;
        serde.push(quote!(rename = #member));
    }
    serde.extend(field.aliases.iter().map(|alias| quote!(alias = #alias)));
    let reader = integer_reader(&field.shape, cx);
    let needs_default =
        matches!(presence, Presence::Optional | Presence::Nullable) && reader.is_some();
    if needs_default {
        serde.push(quote!(default));
    }
    match (reader, presence) {
        (Some(path), _) => serde.push(quote!(deserialize_with = #path)),
        (None, Presence::RequiredNullable) => {
            let path = cx.rt_str("wire::required_nullable");
            serde.push(quote!(deserialize_with = #path));
        }
        (None, Presence::Nullable) => serde.push(quote!(default)),
        _ => {}
    }
    let ty = match presence {
        Presence::Always => inner,
        Presence::RequiredNullable => quote!(Option<#inner>),
        Presence::Optional => {
            serde.push(quote!(skip_serializing_if = "Option::is_none"));
            quote!(Option<#inner>)
        }
        Presence::Nullable => {
            let nullable = cx.rt("Nullable");
            let is_absent = format!("{}::is_absent", nullable.to_string().replace(' ', ""));
            serde.push(quote!(skip_serializing_if = #is_absent));
            quote!(#nullable<#inner>)
        }
    };
    let attr = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    let schema = super::json_schema::field_attr(field, direction, cx);
    let builder = direction
        .validated()
        .then(|| builder_attr(field, presence, cx))
        .flatten();
    quote! {
        #docs
        #attr
        #schema
        #builder
        pub #name: #ty
    }
}

/// The builder's setter of a member: optional members start empty (the setter takes the value itself), a
/// member fixed by a `const` is filled in and has no setter.
fn builder_attr(field: &Field, presence: Presence, cx: &Cx) -> Option<TokenStream> {
    if let Some(value) = field.fixed() {
        let value = literal_value(value, cx);
        return Some(quote!(#[builder(default = #value, setter(skip))]));
    }
    match presence {
        Presence::Optional => Some(quote!(#[builder(default, setter(strip_option))])),
        Presence::Nullable => Some(quote!(#[builder(default)])),
        Presence::Always | Presence::RequiredNullable => None,
    }
}

/// A constant as a Rust value of its member's type.
pub(crate) fn literal_value(value: &Literal, cx: &Cx) -> TokenStream {
    match value {
        Literal::String(text) => quote!(#text.to_owned()),
        Literal::Integer(number) => super::json_schema::signed_number(&number.to_string()),
        Literal::Boolean(flag) => quote!(#flag),
        Literal::Decimal { mantissa, scale } => {
            let decimal = cx.rt("Decimal");
            let mantissa = super::json_schema::signed_number(&mantissa.to_string());
            let scale = Lit::u32_unsuffixed(*scale);
            quote!(#decimal::from_parts(#mantissa, #scale))
        }
        Literal::Variant {
            enum_name, variant, ..
        } => {
            let (enum_name, variant) = (ident(enum_name), ident(variant));
            quote!(#enum_name::#variant)
        }
    }
}
