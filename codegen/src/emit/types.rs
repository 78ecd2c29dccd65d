//! Structs, integer enums and newtypes, with serde attributes and constructors.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::names::{doc, ident};
use super::{validate, Runtime};
use crate::model::{Direction, Field, Shape, Struct, Ty, TypeDef, TypeKind, Variant};

/// Every item of one named type.
pub fn type_def(def: &TypeDef, rt: &Runtime) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    match &def.kind {
        TypeKind::Struct(s) => structure(&name, docs, s, def.direction, rt),
        TypeKind::IntEnum(variants) => {
            int_enum(&name, &def.name, docs, variants, def.direction, rt)
        }
        TypeKind::Newtype(shape) => newtype(&name, docs, shape, def.direction, rt),
    }
}

/// The Rust type of a value.
pub fn rust_type(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Integer { .. } => quote!(i64),
        Ty::Number => quote!(Decimal),
        Ty::Boolean => quote!(bool),
        Ty::Any => quote!(serde_json::Value),
        Ty::Named(named) => {
            let name = ident(&named.name);
            quote!(#name)
        }
        Ty::Array(items) => {
            let item = rust_type(&items.ty);
            quote!(Vec<#item>)
        }
    }
}

fn structure(
    name: &Ident,
    docs: TokenStream,
    s: &Struct,
    direction: Direction,
    rt: &Runtime,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| field(f, rt));
    let default = s
        .fields
        .iter()
        .all(|f| !f.required)
        .then(|| quote!(Default,));
    let (debug, redacting_debug) = match redacting_debug(name, s, rt) {
        Some(debug_impl) => (quote!(), Some(debug_impl)),
        None => (quote!(Debug,), None),
    };
    match direction {
        Direction::Request => {
            let constructor = constructor(name, &s.fields);
            let validation = validate::struct_impl(name, s);
            let shape = shape_impl(name, s);
            quote! {
                #docs
                #[derive(#debug Clone, #default PartialEq, Serialize, Deserialize)]
                #[serde(deny_unknown_fields)]
                pub struct #name { #(#fields,)* }
                #redacting_debug
                #constructor
                #validation
                #shape
            }
        }
        Direction::Response => {
            let response_body = response_body(name, s, rt);
            quote! {
                #docs
                #[derive(#debug Clone, #default PartialEq, Serialize, Deserialize)]
                #[non_exhaustive]
                pub struct #name {
                    #(#fields,)*
                    /// Members this version of salesync does not know, kept as received.
                    #[serde(flatten)]
                    pub extra: serde_json::Map<String, serde_json::Value>,
                }
                #redacting_debug
                #response_body
            }
        }
    }
}

/// `impl Shaped`: the members the shape pass checks on raw JSON, to report every missing or unknown one.
fn shape_impl(name: &Ident, s: &Struct) -> TokenStream {
    let type_name = name.to_string();
    let members = s.fields.iter().map(|f| {
        let member = &f.name;
        let kind = match &f.shape.ty {
            Ty::Named(named) if named.object => {
                let target = ident(&named.name);
                quote!(MemberKind::Object(&#target::SHAPE))
            }
            Ty::Array(items) => match &items.ty {
                Ty::Named(named) if named.object => {
                    let target = ident(&named.name);
                    quote!(MemberKind::ArrayOf(&#target::SHAPE))
                }
                _ => quote!(MemberKind::Value),
            },
            _ => quote!(MemberKind::Value),
        };
        if f.required {
            quote!(Member::required(#member, #kind))
        } else {
            quote!(Member::optional(#member, #kind))
        }
    });
    quote! {
        impl Shaped for #name {
            const SHAPE: ObjectShape = ObjectShape {
                name: #type_name,
                members: &[#(#members),*],
            };
        }
    }
}

/// `impl ResponseBody`, with the `x-aliases` the client resolves before parsing.
fn response_body(name: &Ident, s: &Struct, rt: &Runtime) -> TokenStream {
    let rt = rt.tokens();
    let pairs: Vec<TokenStream> = s
        .fields
        .iter()
        .flat_map(|f| f.aliases.iter().map(move |alias| (alias, &f.name)))
        .map(|(alias, member)| quote!((#alias, #member)))
        .collect();
    if pairs.is_empty() {
        return quote!(impl #rt::ResponseBody for #name {});
    }
    quote! {
        impl #rt::ResponseBody for #name {
            const ALIASES: &'static [(&'static str, &'static str)] = &[#(#pairs),*];
        }
    }
}

/// `Debug` that prints `*** redacted ***` for credentials (`x-sensitive`), so a logged request leaks nothing.
fn redacting_debug(name: &Ident, s: &Struct, rt: &Runtime) -> Option<TokenStream> {
    if !s.fields.iter().any(|f| f.sensitive) {
        return None;
    }
    let rt = rt.tokens();
    let type_name = name.to_string();
    let fields = s.fields.iter().map(|f| {
        let (member, ident) = (&f.name, ident(&f.name));
        if f.sensitive {
            quote!(.field(#member, &#rt::Redacted))
        } else {
            quote!(.field(#member, &self.#ident))
        }
    });
    Some(quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name) #(#fields)* .finish()
            }
        }
    })
}

/// The runtime reader of an integer value: whole-number floats (`5.0`) are integers, as in JSON Schema, and
/// lenient integers also take a string of digits.
fn integer_reader(ty: &Ty) -> Option<&'static str> {
    match ty {
        Ty::Integer { lenient: true } => Some("i64"),
        Ty::Integer { lenient: false } => Some("whole_i64"),
        Ty::Array(items) if items.ty == (Ty::Integer { lenient: false }) => Some("vec_whole_i64"),
        _ => None,
    }
}

fn field(field: &Field, rt: &Runtime) -> TokenStream {
    let name = ident(&field.name);
    let docs = doc(field.doc.as_deref());
    let ty = rust_type(&field.shape.ty);
    let mut serde = Vec::new();
    serde.extend(field.aliases.iter().map(|alias| quote!(alias = #alias)));
    match (field.required, integer_reader(&field.shape.ty)) {
        (true, Some(reader)) => {
            let path = rt.item(&format!("lenient::{reader}"));
            serde.push(quote!(deserialize_with = #path));
        }
        (false, Some(reader)) => {
            let path = rt.item(&format!("lenient::option_{reader}"));
            serde.push(quote!(default, deserialize_with = #path));
        }
        (_, None) => {}
    }
    if !field.required {
        serde.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    let attr = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
    let ty = if field.required {
        ty
    } else {
        quote!(Option<#ty>)
    };
    quote! {
        #docs
        #attr
        pub #name: #ty
    }
}

/// `new(required members...)`: the optional members start empty; set them with struct update syntax.
fn constructor(name: &Ident, fields: &[Field]) -> TokenStream {
    let required: Vec<_> = fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let name = ident(&f.name);
        match f.shape.ty {
            Ty::String => quote!(#name: impl Into<String>),
            _ => {
                let ty = rust_type(&f.shape.ty);
                quote!(#name: #ty)
            }
        }
    });
    let inits = fields.iter().map(|f| {
        let name = ident(&f.name);
        match (f.required, &f.shape.ty) {
            (true, Ty::String) => quote!(#name: #name.into()),
            (true, _) => quote!(#name),
            (false, _) => quote!(#name: None),
        }
    });
    let doc = format!(" A `{name}` with its required members; the optional ones start as `None`.");
    // Clippy's default limit; past it a struct literal would be the idiom, but `new` keeps one way to build.
    let allow = (required.len() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    quote! {
        impl #name {
            #[doc = #doc]
            #allow
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits),* }
            }
        }
    }
}

fn int_enum(
    name: &Ident,
    type_name: &str,
    docs: TokenStream,
    variants: &[Variant],
    direction: Direction,
    rt: &Runtime,
) -> TokenStream {
    let rt = rt.tokens();
    let open = direction == Direction::Response;
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
        .map(|v| Literal::i64_unsuffixed(v.code))
        .collect();
    let (unknown_variant, non_exhaustive) = if open {
        (
            quote!(
                /// A code this version of salesync does not know, kept as received.
                Unknown(i64),
            ),
            quote!(#[non_exhaustive]),
        )
    } else {
        (quote!(), quote!())
    };
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
    let deserialize_body = if open {
        quote!(Ok(Self::from_code(#rt::lenient::whole_i64(deserializer)?)))
    } else {
        quote! {
            let code = #rt::lenient::whole_i64(deserializer)?;
            Self::from_code(code).ok_or_else(|| #rt::endpoint::unknown_code(#type_name, code, &[#(#codes),*]))
        }
    };
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #non_exhaustive
        pub enum #name { #(#variant_items,)* #unknown_variant }
        impl #name { #conversions }
        impl Serialize for #name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_i64(self.code())
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize_body
            }
        }
    }
}

fn newtype(
    name: &Ident,
    docs: TokenStream,
    shape: &Shape,
    direction: Direction,
    rt: &Runtime,
) -> TokenStream {
    let inner = rust_type(&shape.ty);
    let derives = match shape.ty {
        Ty::String => quote!(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash),
        Ty::Integer { .. } | Ty::Number => {
            quote!(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)
        }
        Ty::Boolean => quote!(Debug, Clone, Copy, PartialEq, Eq, Hash),
        _ => quote!(Debug, Clone, PartialEq),
    };
    let lenient = integer_reader(&shape.ty).map(|reader| {
        let path = rt.item(&format!("lenient::{reader}"));
        quote!(#[serde(deserialize_with = #path)])
    });
    let from_str = match shape.ty {
        Ty::String => Some(quote! {
            impl From<&str> for #name {
                fn from(value: &str) -> Self { Self(value.to_owned()) }
            }
        }),
        Ty::Number => Some(quote! {
            impl std::str::FromStr for #name {
                type Err = DecimalError;
                fn from_str(text: &str) -> Result<Self, Self::Err> { text.parse().map(Self) }
            }
        }),
        _ => None,
    };
    let validation = (direction == Direction::Request).then(|| validate::newtype_impl(name, shape));
    quote! {
        #docs
        #[derive(#derives, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct #name(#lenient pub #inner);
        impl From<#inner> for #name {
            fn from(value: #inner) -> Self { Self(value) }
        }
        #from_str
        #validation
    }
}
