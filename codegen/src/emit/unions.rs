//! Unions without a tag. `Either`: a value of one of several JSON types (`StringOrNumber::Number(Decimal)`),
//! read by the value's JSON type, each variant checked by its type's keywords. `Choice`: `oneOf`/`anyOf` of
//! typed schemas, read as the first variant the value is valid as, and validated by counting the variants it
//! is valid as (exactly one for `oneOf`, at least one for `anyOf`).

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::checks::{schema_check, shape_checks, Value};
use super::cx::Cx;
use super::names::ident;
use super::rust_type::held_type;
use crate::model::{Choice, Direction, Either, Ty};

/// An enum with one variant per JSON type.
pub(crate) fn either(
    name: &Ident,
    docs: TokenStream,
    either: &Either,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let type_name = name.to_string();
    let variants: Vec<Ident> = either.variants.iter().map(|v| ident(&v.name)).collect();
    let types: Vec<TokenStream> = either
        .variants
        .iter()
        .map(|v| held_type(&v.shape, cx))
        .collect();
    let kinds: Vec<TokenStream> = either
        .variants
        .iter()
        .map(|v| {
            let kind = ident(&v.name);
            let json_kind = cx.rt_path("either::JsonKind");
            quote!(#json_kind::#kind)
        })
        .collect();
    let copy = either
        .variants
        .iter()
        .all(|v| matches!(v.shape.ty, Ty::Integer { .. } | Ty::Number | Ty::Boolean))
        .then(|| quote!(Copy,));
    let variant_docs = either.variants.iter().map(|v| {
        let text = format!(" A JSON {}.", v.name.to_ascii_lowercase());
        quote!(#[doc = #text])
    });
    let (serializer, deserializer) = (cx.serde("Serializer"), cx.serde("Deserializer"));
    let json = cx.rt_path("either::Json");
    let read = cx.rt_path("either::read");
    // `read` gives only the kinds asked for; the other kinds of JSON still need an arm.
    let other = (either.variants.len() < 6)
        .then(|| quote!(_ => Err(serde::de::Error::custom("[type] a JSON type this union does not hold")),));
    let validation = direction
        .validated()
        .then(|| either_validate(name, either, cx));
    let kind = direction.validated().then(|| any_kind(name, cx));
    let schema = json_schema_of_types(name, either);
    quote! {
        #docs
        #[derive(Debug, Clone, #copy PartialEq)]
        #[non_exhaustive]
        pub enum #name { #(#variant_docs #variants(#types),)* }
        impl Serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self { #(Self::#variants(value) => value.serialize(serializer),)* }
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                match #read(deserializer, #type_name, &[#(#kinds),*])? {
                    #(#json::#variants(value) => Ok(Self::#variants(value)),)*
                    #other
                }
            }
        }
        #validation
        #kind
        #schema
    }
}

fn either_validate(name: &Ident, either: &Either, cx: &Cx) -> TokenStream {
    let (validate, validator) = (cx.rt("Validate"), cx.rt("Validator"));
    let arms = either.variants.iter().filter_map(|variant| {
        let checks = shape_checks(&variant.shape, &Value::reference(quote!(value)), cx);
        if checks.is_empty() {
            return None;
        }
        let name = ident(&variant.name);
        Some((name, quote!(#(#checks;)*)))
    });
    let arms: Vec<(Ident, TokenStream)> = arms.collect();
    let matched = match arms.as_slice() {
        [] => None,
        [(variant, checks)] if either.variants.len() > 1 => {
            Some(quote!(if let Self::#variant(value) = self { #checks }))
        }
        _ => {
            let rest = (arms.len() < either.variants.len()).then(|| quote!(_ => {}));
            let arms = arms
                .iter()
                .map(|(variant, checks)| quote!(Self::#variant(value) => { #checks }));
            Some(quote!(match self { #(#arms)* #rest }))
        }
    };
    let residual = either
        .residual
        .as_ref()
        .map(|pointer| schema_check(pointer, quote!(schema_of), &quote!(self), cx));
    let v = if matched.is_none() && residual.is_none() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        impl #validate for #name {
            fn validate_into(&self, #v: &mut #validator) {
                #matched
                #residual
            }
        }
    }
}

/// An enum of `oneOf`/`anyOf`'s options, each a named type.
pub(crate) fn choice(
    name: &Ident,
    docs: TokenStream,
    choice: &Choice,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let type_name = name.to_string();
    let open = direction.tolerant();
    let variants: Vec<Ident> = choice.variants.iter().map(|v| ident(&v.name)).collect();
    let labels: Vec<String> = choice.variants.iter().map(|v| v.name.clone()).collect();
    let types: Vec<Ident> = choice.variants.iter().map(|v| ident(&v.ty.name)).collect();
    // A variant of the union's own cycle is boxed, so the enum has a size.
    let held: Vec<TokenStream> = choice
        .variants
        .iter()
        .map(|v| {
            let ty = ident(&v.ty.name);
            if v.ty.recursive {
                quote!(Box<#ty>)
            } else {
                quote!(#ty)
            }
        })
        .collect();
    // How a variant's value becomes the union's: boxed where the variant is of the union's own cycle.
    let wraps: Vec<TokenStream> = choice
        .variants
        .iter()
        .map(|v| {
            let variant = ident(&v.name);
            if v.ty.recursive {
                quote!(|value| Self::#variant(Box::new(value)))
            } else {
                quote!(Self::#variant)
            }
        })
        .collect();
    // A variant whose type has no checks of its own (a closed enum of strings, say) is tried by reading it.
    let attempts: Vec<TokenStream> = choice
        .variants
        .iter()
        .map(|v| {
            if direction.validated() && v.ty.validated {
                cx.rt_path("choice::attempt")
            } else {
                cx.rt_path("choice::attempt_read")
            }
        })
        .collect();
    let (unknown_variant, unknown_arm, unknown_read) = if open {
        (
            quote!(
                /// A value none of the variants reads, kept as received.
                Unknown(serde_json::Value),
            ),
            quote!(Self::Unknown(value) => value.serialize(serializer),),
            quote!(Some(Self::Unknown)),
        )
    } else {
        (quote!(), quote!(), quote!(None))
    };
    let keyword = if choice.exactly_one { "oneOf" } else { "anyOf" };
    let (serializer, deserializer) = (cx.serde("Serializer"), cx.serde("Deserializer"));
    let choose = cx.rt_path("choice::choose");
    let validation = direction
        .validated()
        .then(|| choice_validate(name, choice, open, cx));
    let kind = direction.validated().then(|| any_kind(name, cx));
    let schema = json_schema_of_choice(name, choice, &types);
    let variant_docs = choice.variants.iter().map(|v| {
        let text = format!(" A value valid as [`{}`].", v.ty.name);
        quote!(#[doc = #text])
    });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #name { #(#variant_docs #variants(#held),)* #unknown_variant }
        impl Serialize for #name {
            fn serialize<S: #serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self { #(Self::#variants(value) => value.serialize(serializer),)* #unknown_arm }
            }
        }
        impl<'de> Deserialize<'de> for #name {
            fn deserialize<D: #deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                #choose(
                    value,
                    #type_name,
                    #keyword,
                    &[#((#labels, |value| #attempts::<#types>(value).map(#wraps))),*],
                    #unknown_read,
                )
                .map_err(serde::de::Error::custom)
            }
        }
        #validation
        #kind
        #schema
    }
}

/// `impl Validate`: the value is counted against every variant (a value valid as two variants of a `oneOf`
/// is refused even though it was read as the first).
fn choice_validate(name: &Ident, choice: &Choice, open: bool, cx: &Cx) -> TokenStream {
    let (validate, validator) = (cx.rt("Validate"), cx.rt("Validator"));
    let labels: Vec<&str> = choice.variants.iter().map(|v| v.name.as_str()).collect();
    let types: Vec<Ident> = choice.variants.iter().map(|v| ident(&v.ty.name)).collect();
    let count = cx.rt_path("choice::check");
    let judges: Vec<TokenStream> = choice
        .variants
        .iter()
        .map(|v| {
            if v.ty.validated {
                cx.rt_path("choice::violations")
            } else {
                cx.rt_path("choice::read_violations")
            }
        })
        .collect();
    let exactly_one = choice.exactly_one;
    let rule = if exactly_one { "oneOf" } else { "anyOf" };
    let unknown = open.then(|| {
        let message = format!("not a value of {name}: it is valid as none of its variants");
        quote! {
            if let Self::Unknown(_) = self {
                v.report(#rule, #message);
                return;
            }
        }
    });
    let residual = choice
        .residual
        .as_ref()
        .map(|pointer| schema_check(pointer, quote!(schema), &quote!(&value), cx));
    quote! {
        impl #validate for #name {
            fn validate_into(&self, v: &mut #validator) {
                #unknown
                let value = serde_json::to_value(self).unwrap_or_default();
                #count(v, &value, #exactly_one, &[#((#labels, #judges::<#types>)),*]);
                #residual
            }
        }
    }
}

/// `impl Kinded`: the shape pass cannot look into a union that is chosen by validation.
fn any_kind(name: &Ident, cx: &Cx) -> TokenStream {
    let (kinded, member_kind, scalar) = (cx.rt("Kinded"), cx.rt("MemberKind"), cx.rt("Scalar"));
    quote! {
        impl #kinded for #name {
            const KIND: #member_kind = #member_kind::Value(#scalar::Any);
        }
    }
}

fn json_schema_of_types(name: &Ident, either: &Either) -> TokenStream {
    let type_name = name.to_string();
    let types: Vec<String> = either
        .variants
        .iter()
        .map(|v| v.name.to_ascii_lowercase())
        .collect();
    quote! {
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #type_name.into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({"type": [#(#types),*]})
            }
        }
    }
}

fn json_schema_of_choice(name: &Ident, choice: &Choice, types: &[Ident]) -> TokenStream {
    let type_name = name.to_string();
    let keyword = if choice.exactly_one { "oneOf" } else { "anyOf" };
    quote! {
        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for #name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                #type_name.into()
            }
            fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({#keyword: [#(generator.subschema_for::<#types>()),*]})
            }
        }
    }
}
