//! Struct fields: their Rust types (absent and `null` told apart where the schema makes them differ), their
//! serde attributes, and the constructor of a type's required members.

use proc_macro2::TokenStream;
use quote::quote;

use super::cx::Cx;
use super::names::{doc, ident};
use super::rust_type::{held_type, integer_reader};
use super::tokens::literal_value;
use crate::model::{Direction, Field, Presence, Ty};

/// A struct field with its doc comment and serde attributes.
pub(crate) fn field(field: &Field, direction: Direction, cx: &Cx) -> TokenStream {
    let name = ident(&field.rust);
    let docs = doc(field.doc.as_deref());
    let inner = held_type(&field.shape, cx);
    let presence = field.presence(direction);
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
    // An optional member of any JSON value keeps an explicit `null` (`Some(Value::Null)`): serde's `Option`
    // would read it as absent, and the schema's checks would not see it.
    let any_value = field.shape.ty == Ty::Any && !field.shape.boxed && direction.validated();
    if any_value && presence == Presence::Optional {
        let path = cx.rt_str("wire::present");
        serde.push(quote!(default, deserialize_with = #path));
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
