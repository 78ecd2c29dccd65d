//! The Rust type of a value: the runtime's scalars, named types, `Vec`, maps, `Option` and `Box` where the
//! model says so, and the reader serde uses for the integers inside.

use proc_macro2::TokenStream;
use quote::quote;

use super::cx::Cx;
use super::names::ident;
use crate::model::{Shape, Ty};

/// The Rust type of a value: `Option<T>` when it may be `null`.
pub fn value_type(shape: &Shape, cx: &Cx) -> TokenStream {
    let ty = held_type(shape, cx);
    if shape.nullable {
        quote!(Option<#ty>)
    } else {
        ty
    }
}

/// The Rust type of a value, `null` aside: in a `Box` where the type contains itself through it.
pub fn held_type(shape: &Shape, cx: &Cx) -> TokenStream {
    let ty = rust_type(&shape.ty, cx);
    if shape.boxed {
        quote!(Box<#ty>)
    } else {
        ty
    }
}

/// The Rust type of a value's type, `null` aside.
pub fn rust_type(ty: &Ty, cx: &Cx) -> TokenStream {
    match ty {
        Ty::String => quote!(String),
        Ty::Integer { .. } => quote!(i64),
        Ty::Number => cx.rt("Decimal"),
        Ty::Boolean => quote!(bool),
        Ty::Any => quote!(serde_json::Value),
        Ty::Named(named) => {
            let name = ident(&named.name);
            quote!(#name)
        }
        Ty::Array(items) => {
            let item = value_type(items, cx);
            quote!(Vec<#item>)
        }
        Ty::Map(map) => {
            let values = value_type(&map.values, cx);
            let index_map = cx.rt("IndexMap");
            quote!(#index_map<String, #values>)
        }
    }
}

/// The runtime function that reads the integers in a value of this shape (outside named types): whole-number
/// floats (`5.0`) are integers, as in JSON Schema, and lenient integers also take a string of digits.
pub(crate) fn integer_reader(shape: &Shape, cx: &Cx) -> Option<String> {
    shape.integer_reading().map(|reading| {
        cx.rt_str(match reading {
            (true, false) => "lenient::integer",
            (false, false) => "lenient::whole",
            (true, true) => "lenient::minor_units",
            (false, true) => "lenient::whole_minor_units",
        })
    })
}
