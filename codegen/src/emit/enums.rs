//! Enums of integer codes and of strings, and unions of objects. A type that is received (a response, or a
//! type used both ways) keeps a value this version does not know in an `Unknown` variant; a type that is
//! only sent has no such variant, so a request can only hold values the schema allows.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::cx::Cx;
use super::names::{doc, ident};
use super::tokens::signed_number;
use super::{json_schema, shape};
use crate::model::{Direction, Literal as Value, StrVariant, Union, Variant};

pub fn int_enum(
    name: &Ident,
    docs: TokenStream,
    variants: &[Variant],
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let open = direction.tolerant();
    let type_name = name.to_string();
    let variant_items = variants.iter().map(|v| {
        let docs = doc(Some(&format!(
            "`{}`: {}",
            v.code,
            v.doc.as_deref().unwrap_or(&v.name)
        )));
        let variant = ident(&v.name);
        quote!(#docs #variant)
    });
    let names: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
    let codes: Vec<_> = variants
        .iter()
        .map(|v| signed_number(&v.code.to_string()))
        .collect();
    let (unknown_variant, non_exhaustive) = unknown(open, quote!(i64), "code");
    let conversions = if open {
        quote! {
            /// The integer the platform uses.
            pub const fn code(self) -> i64 {
                match self { #(Self::#names => #codes,)* Self::Unknown(code) => code }
            }
            /// The variant for a code; an unknown code is kept as `Unknown`.
            pub const fn from_code(code: i64) -> Self {
                match code { #(#codes => Self::#names,)* other => Self::Unknown(other) }
            }
        }
    } else {
        quote! {
            /// The integer the platform uses.
            pub const fn code(self) -> i64 {
                match self { #(Self::#names => #codes,)* }
            }
            /// The variant for a code, if it is one.
            pub const fn from_code(code: i64) -> Option<Self> {
                match code { #(#codes => Some(Self::#names),)* _ => None }
            }
        }
    };
    let whole = cx.rt_path("lenient::whole");
    let deserialize_body = if open {
        quote!(Ok(Self::from_code(#whole(deserializer)?)))
    } else {
        let unknown_code = cx.rt_path("endpoint::unknown_code");
        quote! {
            let code = #whole(deserializer)?;
            Self::from_code(code).ok_or_else(|| #unknown_code(#type_name, code, &[#(#codes),*]))
        }
    };
    let (serializer, deserializer) = (cx.serde("Serializer"), cx.serde("Deserializer"));
    let schema = json_schema::int_enum_impl(name, variants, !direction.validated());
    let kind = direction
        .validated()
        .then(|| shape::int_enum_kind(name, &codes, cx));
    let validation = (direction == Direction::Both).then(|| {
        let known = variants
            .iter()
            .map(|v| v.code.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        refuse_unknown(
            name,
            quote!(Self::Unknown(code)),
            quote!(format!("{code} is not a {}; expected one of {}", #type_name, #known)),
            cx,
        )
    });
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #non_exhaustive
        pub enum #name { #(#variant_items,)* #unknown_variant }
        impl #name { #conversions }
        impl std::fmt::Display for #name {
            /// The code, as sent.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.code())
            }
        }
        impl Serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.code())
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize_body
            }
        }
        #validation
        #kind
        #schema
    }
}

pub fn str_enum(
    name: &Ident,
    docs: TokenStream,
    variants: &[StrVariant],
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let open = direction.tolerant();
    let type_name = name.to_string();
    let variant_items = variants.iter().map(|v| {
        let text = match &v.doc {
            Some(text) => format!("`\"{}\"`: {text}", v.wire),
            None => format!("`\"{}\"`", v.wire),
        };
        let docs = doc(Some(&text));
        let variant = ident(&v.name);
        quote!(#docs #variant)
    });
    let names: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
    let wires: Vec<_> = variants.iter().map(|v| v.wire.as_str()).collect();
    let (unknown_variant, non_exhaustive) = unknown(open, quote!(String), "value");
    let (derives, receiver, as_str_unknown, from_wire) = if open {
        (
            quote!(Debug, Clone, PartialEq, Eq, Hash),
            quote!(&self),
            quote!(Self::Unknown(value) => value,),
            quote! {
                /// The variant for a string; an unknown one is kept as `Unknown`.
                pub fn from_wire(text: &str) -> Self {
                    match text { #(#wires => Self::#names,)* other => Self::Unknown(other.to_owned()) }
                }
            },
        )
    } else {
        (
            quote!(Debug, Clone, Copy, PartialEq, Eq, Hash),
            quote!(self),
            quote!(),
            quote! {
                /// The variant for a string, if it is one.
                pub fn from_wire(text: &str) -> Option<Self> {
                    match text { #(#wires => Some(Self::#names),)* _ => None }
                }
            },
        )
    };
    let lifetime = if open {
        quote!(&str)
    } else {
        quote!(&'static str)
    };
    let read = cx.rt_path("wire::str_enum");
    let parse = if open {
        quote!(|text| Some(Self::from_wire(text)))
    } else {
        quote!(Self::from_wire)
    };
    let (serializer, deserializer) = (cx.serde("Serializer"), cx.serde("Deserializer"));
    let schema = json_schema::str_enum_impl(name, variants, !direction.validated());
    let kind = direction
        .validated()
        .then(|| shape::str_enum_kind(name, &wires, cx));
    let validation = (direction == Direction::Both).then(|| {
        let known = wires.join(", ");
        refuse_unknown(
            name,
            quote!(Self::Unknown(value)),
            quote!(format!("\"{value}\" is not a {}; expected one of {}", #type_name, #known)),
            cx,
        )
    });
    quote! {
        #docs
        #[derive(#derives)]
        #non_exhaustive
        pub enum #name { #(#variant_items,)* #unknown_variant }
        impl #name {
            /// The string the platform uses.
            pub fn as_str(#receiver) -> #lifetime {
                match self { #(Self::#names => #wires,)* #as_str_unknown }
            }
            #from_wire
        }
        impl std::fmt::Display for #name {
            /// The string, as sent.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl Serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #read(deserializer, #type_name, #parse, &[#(#wires),*])
            }
        }
        #validation
        #kind
        #schema
    }
}

/// A union: one variant per object, read by its tag member, written as the object itself (tag included).
pub fn union(
    name: &Ident,
    docs: TokenStream,
    union: &Union,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let open = direction.tolerant();
    let type_name = name.to_string();
    let tag = &union.tag;
    let variant_items = union.variants.iter().map(|v| {
        let (variant, ty) = (ident(&v.name), ident(&v.ty));
        let docs = doc(Some(&format!("`{tag}`: {}", v.tag.shown())));
        quote!(#docs #variant(#ty))
    });
    let names: Vec<_> = union.variants.iter().map(|v| ident(&v.name)).collect();
    let (unknown_variant, non_exhaustive) = unknown(open, quote!(serde_json::Value), "object");
    let unknown_arm = open.then(|| quote!(Self::Unknown(value) => value.serialize(serializer),));
    let is_string = union
        .variants
        .iter()
        .all(|v| matches!(v.tag, Value::String(_)));
    let (tags, access): (Vec<TokenStream>, TokenStream) = if is_string {
        (
            union
                .variants
                .iter()
                .map(|v| match &v.tag {
                    Value::String(text) => quote!(Some(#text)),
                    _ => quote!(None),
                })
                .collect(),
            quote!(tag.as_str()),
        )
    } else {
        (
            union
                .variants
                .iter()
                .map(|v| match &v.tag {
                    Value::Integer(code) => {
                        let code = signed_number(&code.to_string());
                        quote!(Some(#code))
                    }
                    _ => quote!(None),
                })
                .collect(),
            quote!(tag.as_i64()),
        )
    };
    let known: Vec<String> = union.variants.iter().map(|v| v.tag.shown()).collect();
    let (tagged, variant) = (cx.rt_path("wire::tagged"), cx.rt_path("wire::variant"));
    let otherwise = if open {
        quote!(_ => Ok(Self::Unknown(value)),)
    } else {
        let unknown_tag = cx.rt_path("wire::unknown_tag");
        quote!(_ => Err(#unknown_tag(#type_name, #tag, &tag, &[#(#known),*])),)
    };
    let (serializer, deserializer) = (cx.serde("Serializer"), cx.serde("Deserializer"));
    let validation = direction.validated().then(|| {
        let validate = cx.rt("Validate");
        let validator = cx.rt("Validator");
        let message = format!(
            "not a known kind of {type_name}: `{tag}` must be one of {}",
            known.join(", ")
        );
        let unknown = open.then(|| quote!(Self::Unknown(_) => v.report("oneOf", #message),));
        quote! {
            impl #validate for #name {
                fn validate_into(&self, v: &mut #validator) {
                    match self { #(Self::#names(value) => value.validate_into(v),)* #unknown }
                }
            }
        }
    });
    let union_shape = direction
        .validated()
        .then(|| shape::union_shape(name, union, cx));
    let schema = json_schema::union_impl(name, union, !direction.validated());
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #non_exhaustive
        pub enum #name { #(#variant_items,)* #unknown_variant }
        impl Serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self { #(Self::#names(value) => value.serialize(serializer),)* #unknown_arm }
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let (tag, value) = #tagged(deserializer, #tag)?;
                match #access {
                    #(#tags => #variant(value).map(Self::#names),)*
                    #otherwise
                }
            }
        }
        #validation
        #union_shape
        #schema
    }
}

/// The `Unknown` variant of a type that is received, and `#[non_exhaustive]`, which every enum is: a value
/// added to the schema breaks no `match` written against it.
fn unknown(open: bool, held: TokenStream, what: &str) -> (TokenStream, TokenStream) {
    if !open {
        return (quote!(), quote!(#[non_exhaustive]));
    }
    let text = format!(" A {what} this version of salesync does not know, kept as received.");
    (
        quote!(#[doc = #text] Unknown(#held),),
        quote!(#[non_exhaustive]),
    )
}

/// `impl Validate` for an enum used both ways: a value it does not know is read, but never sent.
fn refuse_unknown(
    name: &Ident,
    pattern: TokenStream,
    message: TokenStream,
    cx: &Cx,
) -> TokenStream {
    let (validate, validator) = (cx.rt("Validate"), cx.rt("Validator"));
    quote! {
        impl #validate for #name {
            fn validate_into(&self, v: &mut #validator) {
                if let #pattern = self {
                    v.report("enum", #message);
                }
            }
        }
    }
}
