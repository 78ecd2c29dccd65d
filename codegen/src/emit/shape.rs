//! `impl Shaped`: the members the shape pass checks on raw JSON, to report every missing or unknown member
//! at once (a typed parse stops at the first).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::names::ident;
use super::Cx;
use crate::model::{Additional, Literal, NamedKind, Shape, Struct, Ty, Union};

pub fn shape_impl(name: &Ident, s: &Struct, cx: &Cx) -> TokenStream {
    let type_name = name.to_string();
    let (shaped, object_shape, member) = (cx.rt("Shaped"), cx.rt("ObjectShape"), cx.rt("Member"));
    let members = s.fields.iter().map(|f| {
        let member_name = &f.name;
        let kind = member_kind(&f.shape, cx).unwrap_or_else(|| {
            let kind = cx.rt("MemberKind");
            quote!(#kind::Value)
        });
        if f.required {
            quote!(#member::required(#member_name, #kind))
        } else {
            quote!(#member::optional(#member_name, #kind))
        }
    });
    let open = s.additional != Additional::Refused;
    quote! {
        impl #shaped for #name {
            const SHAPE: #object_shape = #object_shape {
                name: #type_name,
                members: &[#(#members),*],
                open: #open,
            };
        }
    }
}

/// What the shape pass looks into: objects, unions, and arrays and maps of them; `None` for any other value.
fn member_kind(shape: &Shape, cx: &Cx) -> Option<TokenStream> {
    let target = |name: &str| ident(name);
    Some(match &shape.ty {
        Ty::Named(named) if named.kind == NamedKind::Struct => {
            let (kind, target) = (cx.rt("MemberKind"), target(&named.name));
            quote!(#kind::Object(&#target::SHAPE))
        }
        Ty::Named(named) if named.kind == NamedKind::Union => {
            let (kind, target) = (cx.rt("MemberKind"), target(&named.name));
            quote!(#kind::Union(&#target::UNION))
        }
        Ty::Array(items) => match &items.ty {
            Ty::Named(named) if named.kind == NamedKind::Struct => {
                let (kind, target) = (cx.rt("MemberKind"), target(&named.name));
                quote!(#kind::ArrayOf(&#target::SHAPE))
            }
            _ => {
                let (kind, inner) = (cx.rt("MemberKind"), member_kind(items, cx)?);
                quote!(#kind::Array(&#inner))
            }
        },
        Ty::Map(map) => {
            let (kind, inner) = (cx.rt("MemberKind"), member_kind(&map.values, cx)?);
            quote!(#kind::Map(&#inner))
        }
        _ => return None,
    })
}

/// `const UNION`: the tag and each variant's members, for the shape pass.
pub fn union_shape(name: &Ident, union: &Union, cx: &Cx) -> TokenStream {
    let (union_shape, tag_value) = (cx.rt("UnionShape"), cx.rt("TagValue"));
    let tag = &union.tag;
    let variants = union.variants.iter().map(|v| {
        let ty = ident(&v.ty);
        let value = match &v.tag {
            Literal::String(text) => quote!(#tag_value::Str(#text)),
            Literal::Integer(code) => {
                let code = super::json_schema::signed_number(&code.to_string());
                quote!(#tag_value::Int(#code))
            }
            _ => quote!(#tag_value::Str("")),
        };
        quote!((#value, &#ty::SHAPE))
    });
    quote! {
        impl #name {
            /// The tag and each variant's members, for the shape pass.
            pub const UNION: #union_shape = #union_shape {
                tag: #tag,
                variants: &[#(#variants),*],
            };
        }
    }
}
