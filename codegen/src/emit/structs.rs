//! Structs, with serde attributes, builders, a redacting `Debug` and what responses need.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::cx::Cx;
use super::fields::field;
use super::names::ident;
use super::rust_type::{integer_reader, value_type};
use super::{json_schema, shape, validate};
use crate::model::{Additional, Direction, Struct};

pub(crate) fn structure(
    name: &Ident,
    docs: TokenStream,
    s: &Struct,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let fields: Vec<TokenStream> = s.fields.iter().map(|f| field(f, direction, cx)).collect();
    let extra = extra_field(&s.additional, direction, cx);
    let default = (s.fields.iter().all(|f| !f.required)).then(|| quote!(Default,));
    let (debug, redacting_debug) = match redacting_debug(name, s, cx) {
        Some(debug_impl) => (quote!(), Some(debug_impl)),
        None => (quote!(Debug,), None),
    };
    // A strict object refuses unknown members; it is read from a JSON object only, never from serde's
    // positional array form (`json_object!`).
    let strict = direction == Direction::Request && s.additional == Additional::Refused;
    let (serde, json_object) = if strict {
        let macro_path = cx.rt_path("json_object");
        (
            quote!(#[serde(deny_unknown_fields, remote = "Self")]),
            Some(quote!(#macro_path!(#name);)),
        )
    } else {
        (quote!(), None)
    };
    // Members may be added to any type without breaking code written against it: no struct literals outside
    // salesync; sent types are built with `X::builder()`, which checks required members at compile time.
    let (builder, builder_attr) = if direction.validated() {
        let derive = cx.rt("TypedBuilder");
        // The derive names its support crate by this path, so code generated outside salesync needs no
        // `typed-builder` dependency of its own.
        let support = cx.rt_path("typed_builder");
        (
            quote!(#derive,),
            Some(quote!(#[builder(crate_module_path = #support, field_defaults(setter(into)))])),
        )
    } else {
        (quote!(), None)
    };
    let validation = direction
        .validated()
        .then(|| validate::struct_impl(name, s, direction, cx));
    let shape = direction
        .validated()
        .then(|| shape::shape_impl(name, s, cx));
    let response_body = (direction.tolerant()).then(|| response_body(name, s, cx));
    let (derive_schema, schema) = (
        json_schema::derive(),
        json_schema::struct_attr(s, direction),
    );
    quote! {
        #docs
        #[derive(#debug Clone, #default PartialEq, Serialize, Deserialize, #builder)]
        #derive_schema
        #serde
        #schema
        #builder_attr
        #[non_exhaustive]
        pub struct #name {
            #(#fields,)*
            #extra
        }
        #json_object
        #redacting_debug
        #validation
        #shape
        #response_body
    }
}

/// The `extra` member of an object that keeps members it does not name.
fn extra_field(additional: &Additional, direction: Direction, cx: &Cx) -> Option<TokenStream> {
    let (ty, doc) = match (additional, direction) {
        (Additional::Refused, Direction::Request) => return None,
        (Additional::Refused, _) => (
            quote!(serde_json::Map<String, serde_json::Value>),
            " Members this version of salesync does not know, kept as received (never sent: validation refuses them).",
        ),
        (Additional::Kept, Direction::Response) => (
            quote!(serde_json::Map<String, serde_json::Value>),
            " Members this version of salesync does not know, kept as received.",
        ),
        (Additional::Kept, _) => (
            quote!(serde_json::Map<String, serde_json::Value>),
            " Members the schema does not name, which it allows: kept and sent as they are.",
        ),
        (Additional::Typed(values), _) => {
            let values = value_type(values, cx);
            let index_map = cx.rt("IndexMap");
            (
                quote!(#index_map<String, #values>),
                " Members the schema does not name, each checked against its `additionalProperties` schema.",
            )
        }
    };
    let reader = match additional {
        Additional::Typed(values) => {
            integer_reader(values, cx).map(|path| quote!(, deserialize_with = #path))
        }
        _ => None,
    };
    let builder = direction.validated().then(|| quote!(#[builder(default)]));
    Some(quote! {
        #[doc = #doc]
        #[serde(flatten #reader)]
        #builder
        pub extra: #ty,
    })
}

/// `impl ResponseBody`, with the `x-aliases` the client resolves before parsing.
fn response_body(name: &Ident, s: &Struct, cx: &Cx) -> TokenStream {
    let body = cx.rt_path("ResponseBody");
    let pairs: Vec<TokenStream> = s
        .fields
        .iter()
        .flat_map(|f| f.aliases.iter().map(move |alias| (alias, &f.name)))
        .map(|(alias, member)| quote!((#alias, #member)))
        .collect();
    if pairs.is_empty() {
        return quote!(impl #body for #name {});
    }
    quote! {
        impl #body for #name {
            const ALIASES: &'static [(&'static str, &'static str)] = &[#(#pairs),*];
        }
    }
}

/// `Debug` that prints `*** redacted ***` for credentials (`x-sensitive`), so a logged request leaks nothing.
fn redacting_debug(name: &Ident, s: &Struct, cx: &Cx) -> Option<TokenStream> {
    if !s.fields.iter().any(|f| f.sensitive) {
        return None;
    }
    let redacted = cx.rt_path("Redacted");
    let type_name = name.to_string();
    let fields = s.fields.iter().map(|f| {
        let (member, field) = (&f.rust, ident(&f.rust));
        if f.sensitive {
            quote!(.field(#member, &#redacted))
        } else {
            quote!(.field(#member, &self.#field))
        }
    });
    let extra = (s.additional != Additional::Refused).then(|| quote!(.field("extra", &self.extra)));
    Some(quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name) #(#fields)* #extra .finish()
            }
        }
    })
}
