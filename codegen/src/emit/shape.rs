//! `impl Shaped`: the members the shape pass checks on raw JSON, to report every missing or unknown member
//! at once (a typed parse stops at the first).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::cx::Cx;
use super::names::ident;
use super::tokens::signed_number;
use crate::model::{Additional, Literal, NamedKind, Shape, Struct, Ty, Union};

pub fn shape_impl(name: &Ident, s: &Struct, cx: &Cx) -> TokenStream {
    let type_name = name.to_string();
    let (shaped, object_shape, member) = (cx.rt("Shaped"), cx.rt("ObjectShape"), cx.rt("Member"));
    let kind = cx.rt("MemberKind");
    let members = s.fields.iter().map(|f| {
        let member_name = &f.name;
        let kind = member_kind(&f.shape, cx);
        if f.required {
            quote!(#member::required(#member_name, #kind))
        } else {
            quote!(#member::optional(#member_name, #kind))
        }
    });
    let open = s.additional != Additional::Refused;
    let kinded = kinded(name, quote!(#kind::Object(&Self::SHAPE)), cx);
    quote! {
        impl #shaped for #name {
            const SHAPE: #object_shape = #object_shape {
                name: #type_name,
                members: &[#(#members),*],
                open: #open,
            };
        }
        #kinded
    }
}

/// What a member of this shape holds: objects, unions, arrays and maps for the shape pass to look into, and
/// each scalar's JSON type for readers of untyped text (CSV cells). A named enum or newtype says it itself
/// (`impl Kinded`), so a type of another module needs nothing but its name.
fn member_kind(shape: &Shape, cx: &Cx) -> TokenStream {
    let kind = cx.rt("MemberKind");
    let direct = direct_kind(shape, cx);
    if refers_to_cycle(shape) {
        // A type of this one's own cycle: its description would contain itself.
        return quote!(#kind::Lazy(|| &#direct));
    }
    direct
}

/// Whether a value of this shape reaches a type of the holder's own cycle.
fn refers_to_cycle(shape: &Shape) -> bool {
    match &shape.ty {
        Ty::Named(named) => named.recursive,
        Ty::Array(items) => refers_to_cycle(items),
        Ty::Map(map) => refers_to_cycle(&map.values),
        _ => false,
    }
}

fn direct_kind(shape: &Shape, cx: &Cx) -> TokenStream {
    let kind = cx.rt("MemberKind");
    match &shape.ty {
        Ty::Named(named) => {
            let target = ident(&named.name);
            match named.kind {
                NamedKind::Struct => quote!(#kind::Object(&#target::SHAPE)),
                NamedKind::Union => quote!(#kind::Union(&#target::UNION)),
                NamedKind::IntEnum
                | NamedKind::StrEnum
                | NamedKind::Newtype
                | NamedKind::Choice
                | NamedKind::Either => {
                    cx.rt("Kinded");
                    quote!(#target::KIND)
                }
            }
        }
        Ty::Array(items) => match &items.ty {
            Ty::Named(named) if named.kind == NamedKind::Struct => {
                let target = ident(&named.name);
                quote!(#kind::ArrayOf(&#target::SHAPE))
            }
            _ => {
                let inner = direct_kind(items, cx);
                quote!(#kind::Array(&#inner))
            }
        },
        Ty::Map(map) => {
            let inner = direct_kind(&map.values, cx);
            quote!(#kind::Map(&#inner))
        }
        Ty::String => scalar(quote!(String), cx),
        Ty::Integer { lenient: false, .. } => scalar(quote!(Integer), cx),
        Ty::Integer { lenient: true, .. } => scalar(quote!(IntegerOrDigits), cx),
        Ty::Number => scalar(quote!(Number), cx),
        Ty::Boolean => scalar(quote!(Boolean), cx),
        Ty::Any => scalar(quote!(Any), cx),
    }
}

/// `MemberKind::Value(Scalar::<which>)`.
fn scalar(which: TokenStream, cx: &Cx) -> TokenStream {
    let (kind, scalar) = (cx.rt("MemberKind"), cx.rt("Scalar"));
    quote!(#kind::Value(#scalar::#which))
}

/// `impl Kinded` of a newtype: what a member of it holds (its value's kind).
pub fn newtype_kind(name: &Ident, shape: &Shape, cx: &Cx) -> TokenStream {
    kinded(name, member_kind(shape, cx), cx)
}

/// `impl Kinded` of an enum of integer codes: an integer, one of `codes`.
pub fn int_enum_kind(name: &Ident, codes: &[TokenStream], cx: &Cx) -> TokenStream {
    let (kind, scalar) = (cx.rt("MemberKind"), cx.rt("Scalar"));
    kinded(
        name,
        quote!(#kind::Value(#scalar::IntEnum(&[#(#codes),*]))),
        cx,
    )
}

/// `impl Kinded` of an enum of strings: a string, one of `wires`.
pub fn str_enum_kind(name: &Ident, wires: &[&str], cx: &Cx) -> TokenStream {
    let (kind, scalar) = (cx.rt("MemberKind"), cx.rt("Scalar"));
    kinded(
        name,
        quote!(#kind::Value(#scalar::StrEnum(&[#(#wires),*]))),
        cx,
    )
}

fn kinded(name: &Ident, kind: TokenStream, cx: &Cx) -> TokenStream {
    let (kinded, member_kind) = (cx.rt("Kinded"), cx.rt("MemberKind"));
    quote! {
        impl #kinded for #name {
            const KIND: #member_kind = #kind;
        }
    }
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
                let code = signed_number(&code.to_string());
                quote!(#tag_value::Int(#code))
            }
            _ => quote!(#tag_value::Str("")),
        };
        quote!((#value, &#ty::SHAPE))
    });
    let kind = cx.rt("MemberKind");
    let kinded = kinded(name, quote!(#kind::Union(&Self::UNION)), cx);
    quote! {
        impl #name {
            /// The tag and each variant's members, for the shape pass.
            pub const UNION: #union_shape = #union_shape {
                tag: #tag,
                variants: &[#(#variants),*],
            };
        }
        #kinded
    }
}
