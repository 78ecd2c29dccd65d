//! Newtypes (a named scalar, array or map: `Yuan`, `MillisString`): a private value that every constructor
//! checks against the schema (`new`, `TryFrom`, `FromStr`, `from_minor_units`), accessors, `Display` as the
//! wire has the value, and `Validate` for a value that was deserialized (which reads it as it is).

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::checks::{shape_checks, Value};
use super::cx::Cx;
use super::rust_type::{integer_reader, rust_type};
use super::{json_schema, validate};
use crate::model::{Check, Direction, Shape, Ty};
use crate::written;

/// What the value of a newtype is, as far as its constructors care.
enum Inner {
    String,
    Integer {
        minor_units: bool,
    },
    /// A decimal, with its `x-decimalPlaces`.
    Number {
        places: Option<u32>,
    },
    Boolean,
    /// An array, a map, any JSON value, or another named type.
    Other,
}

impl Inner {
    fn of(shape: &Shape) -> Inner {
        match shape.ty {
            Ty::String => Inner::String,
            Ty::Integer { minor_units, .. } => Inner::Integer { minor_units },
            Ty::Number => Inner::Number {
                places: shape.checks.iter().find_map(|check| match check {
                    Check::DecimalPlaces(places) => Some(*places),
                    _ => None,
                }),
            },
            Ty::Boolean => Inner::Boolean,
            _ => Inner::Other,
        }
    }

    fn copy(&self) -> bool {
        matches!(
            self,
            Inner::Integer { .. } | Inner::Number { .. } | Inner::Boolean
        )
    }
}

pub(crate) fn newtype(
    name: &Ident,
    docs: TokenStream,
    shape: &Shape,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let inner = Inner::of(shape);
    let value_ty = rust_type(&shape.ty, cx);
    let derives = match &shape.ty {
        Ty::String => quote!(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash),
        Ty::Integer { .. } | Ty::Number => {
            quote!(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)
        }
        Ty::Boolean => quote!(Debug, Clone, Copy, PartialEq, Eq, Hash),
        _ => quote!(Debug, Clone, PartialEq),
    };
    let reader = integer_reader(shape, cx).map(|path| quote!(#[serde(deserialize_with = #path)]));
    let constructors = constructors(name, shape, &inner, &value_ty, direction, cx);
    let conversions = conversions(name, &inner, &value_ty, cx);
    let validation = direction
        .validated()
        .then(|| validate::newtype_impl(name, shape, cx));
    let kind = direction
        .validated()
        .then(|| super::shape::newtype_kind(name, shape, cx));
    let (derive_schema, schema) = (json_schema::derive(), json_schema::newtype_attr(shape, cx));
    let how = construction_doc(shape, &inner);
    let paragraph = (!docs.is_empty()).then(|| quote!(#[doc = ""]));
    quote! {
        #docs
        #paragraph
        #[doc = #how]
        #[derive(#derives, Serialize, Deserialize)]
        #derive_schema
        #[serde(transparent)]
        pub struct #name(#reader #schema #value_ty);
        #constructors
        #conversions
        #validation
        #kind
    }
}

/// The doc paragraph that says how a value is built.
fn construction_doc(shape: &Shape, inner: &Inner) -> String {
    let from_text = match inner {
        Inner::Other => "",
        _ => ", `parse()`",
    };
    let minor = match inner {
        Inner::Number { places: Some(2) } => ", `from_cents`",
        Inner::Number { places: Some(_) } => ", `from_minor_units`",
        _ => "",
    };
    let rule = if shape.has_checks() {
        "each checks the schema's constraints"
    } else {
        "the schema puts no constraint on the value"
    };
    format!(
        " Built with `new`, `try_from`{from_text}{minor} ({rule}); read from JSON as it is, and checked by \
         `validate()`."
    )
}

/// `impl Name { new, accessors, minor units }`.
fn constructors(
    name: &Ident,
    shape: &Shape,
    inner: &Inner,
    value_ty: &TokenStream,
    direction: Direction,
    cx: &Cx,
) -> TokenStream {
    let invalid = cx.rt("InvalidValue");
    let type_name = name.to_string();
    let (parameter, wrap) = match inner {
        Inner::String => (quote!(impl Into<String>), quote!(Self(value.into()))),
        _ => (value_ty.clone(), quote!(Self(value))),
    };
    let places = match inner {
        Inner::Number {
            places: Some(places),
        } => Some(*places),
        _ => None,
    };
    let body = if shape.has_checks() || places.is_some() {
        let validator = cx.rt("Validator");
        let checks = if direction.validated() {
            let validate = cx.rt("Validate");
            quote!(#validate::validate_into(&value, &mut v);)
        } else {
            let checks = shape_checks(shape, &Value::place(quote!(value.0)), cx);
            quote!(#(#checks;)*)
        };
        let fits = places.map(|places| {
            let check = cx.rt_path("newtype::fits_minor_units");
            let places = Literal::u32_unsuffixed(places);
            quote!(#check(&mut v, value.0, #places);)
        });
        quote! {
            let value = #wrap;
            let mut v = #validator::new();
            #checks
            #fits
            #invalid::judge(#type_name, v, value)
        }
    } else {
        quote!(Ok(#wrap))
    };
    let new_doc = format!(
        " The value, when it meets the schema{}.",
        constraints(shape)
    );
    let errors_doc = if shape.has_checks() || places.is_some() {
        " An `InvalidValue` naming every rule of the schema the value breaks."
    } else {
        " Never: the schema sets no rule on this type (a rule added later keeps callers' code unchanged)."
    };
    let accessors = match inner {
        Inner::String => quote! {
            /// The value.
            pub fn as_str(&self) -> &str { &self.0 }
        },
        _ if inner.copy() => quote! {
            /// The value.
            pub fn get(self) -> #value_ty { self.0 }
        },
        _ => quote! {
            /// The value.
            pub fn get(&self) -> &#value_ty { &self.0 }
        },
    };
    let minor_units = places.map(|places| minor_units(places, cx));
    quote! {
        impl #name {
            #[doc = #new_doc]
            ///
            /// # Errors
            ///
            #[doc = #errors_doc]
            pub fn new(value: #parameter) -> Result<Self, #invalid> { #body }
            #accessors
            /// The value, unwrapped.
            pub fn into_inner(self) -> #value_ty { self.0 }
            #minor_units
        }
    }
}

/// `: `minimum` 0, `x-decimalPlaces` 2`, or ` (which puts no constraint on it)`.
fn constraints(shape: &Shape) -> String {
    let mut named: Vec<String> = shape
        .checks
        .iter()
        .map(|check| format!("`{}` {}", check.keyword(), written::check(check)))
        .collect();
    let nested = match &shape.ty {
        Ty::Array(items) => items.has_checks().then_some("the checks of its items"),
        Ty::Map(map) => {
            (map.values.has_checks() || !map.keys.is_empty()).then_some("the checks of its members")
        }
        Ty::Named(named) => named.validated.then_some("the checks of its type"),
        _ => None,
    };
    named.extend(nested.map(String::from));
    if named.is_empty() {
        String::from(" (which puts no constraint on it)")
    } else {
        format!(": {}", named.join(", "))
    }
}

/// `from_minor_units`/`to_minor_units` of a decimal with `x-decimalPlaces`, and `from_cents`/`to_cents` when
/// that is 2.
fn minor_units(places: u32, cx: &Cx) -> TokenStream {
    let invalid = cx.rt("InvalidValue");
    let decimal = cx.rt("Decimal");
    let scale = Literal::u32_unsuffixed(places);
    let unit = match places {
        0 => String::from("units"),
        1 => String::from("tenths"),
        2 => String::from("hundredths"),
        3 => String::from("thousandths"),
        n => format!("10^-{n}ths"),
    };
    let (units, example) = match places {
        0 => (String::from("8"), String::from("8")),
        _ => {
            let zeros = "0".repeat(places as usize - 1);
            (format!("89{zeros}"), format!("8.9{zeros}"))
        }
    };
    let from_doc = format!(
        " An amount of minor units ({unit}), exactly: `from_minor_units({units})` is {example}; checked as `new` is."
    );
    let to_doc = format!(
        " The value in minor units ({unit}), exactly (never rounded). `None` only for a value deserialized and \
         not validated: one with more than {places} decimal place(s), or too large for an `i64` count."
    );
    let cents = (places == 2).then(|| {
        quote! {
            /// An amount in cents (fen): `from_cents(890)` is 8.90; checked as `new` is.
            ///
            /// # Errors
            ///
            /// As `new`, for the amount the cents spell.
            pub fn from_cents(cents: i64) -> Result<Self, #invalid> { Self::from_minor_units(cents) }
            /// The value in cents (fen), exactly; `None` as for `to_minor_units`.
            pub fn to_cents(self) -> Option<i64> { self.to_minor_units() }
        }
    });
    quote! {
        #[doc = #from_doc]
        ///
        /// # Errors
        ///
        /// As `new`, for the amount the units spell.
        pub fn from_minor_units(units: i64) -> Result<Self, #invalid> {
            Self::new(#decimal::from_parts(units, #scale))
        }
        #[doc = #to_doc]
        pub fn to_minor_units(self) -> Option<i64> { self.0.to_minor_units(#scale) }
        #cents
    }
}

/// `TryFrom`, `FromStr`, `Display`, and the value back out (`From<Name> for Inner`).
fn conversions(name: &Ident, inner: &Inner, value_ty: &TokenStream, cx: &Cx) -> TokenStream {
    let invalid = cx.rt("InvalidValue");
    let type_name = name.to_string();
    let try_from_value = quote! {
        impl TryFrom<#value_ty> for #name {
            type Error = #invalid;
            fn try_from(value: #value_ty) -> Result<Self, #invalid> { Self::new(value) }
        }
    };
    let out = quote! {
        impl From<#name> for #value_ty {
            fn from(value: #name) -> Self { value.0 }
        }
    };
    let parsed = |parse: TokenStream| {
        quote! {
            impl std::str::FromStr for #name {
                type Err = #invalid;
                fn from_str(text: &str) -> Result<Self, #invalid> { Self::new(#parse) }
            }
            impl TryFrom<&str> for #name {
                type Error = #invalid;
                fn try_from(text: &str) -> Result<Self, #invalid> { text.parse() }
            }
        }
    };
    let display_value = quote! {
        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0, f)
            }
        }
    };
    let specific = match inner {
        Inner::String => quote! {
            impl std::str::FromStr for #name {
                type Err = #invalid;
                fn from_str(text: &str) -> Result<Self, #invalid> { Self::new(text) }
            }
            impl TryFrom<&str> for #name {
                type Error = #invalid;
                fn try_from(text: &str) -> Result<Self, #invalid> { Self::new(text) }
            }
            impl AsRef<str> for #name {
                fn as_ref(&self) -> &str { &self.0 }
            }
            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.pad(&self.0) }
            }
        },
        Inner::Integer { minor_units } => {
            let parse = cx.rt_path("newtype::integer");
            let parsed = parsed(quote!(#parse(#type_name, text, #minor_units)?));
            quote!(#parsed #display_value)
        }
        Inner::Number { .. } => {
            let (parse, of_f64) = (
                cx.rt_path("newtype::decimal"),
                cx.rt_path("newtype::decimal_of_f64"),
            );
            let parsed = parsed(quote!(#parse(#type_name, text)?));
            quote! {
                #parsed
                /// The double's shortest text, exactly (`8.9` is 8.9): a double with more decimal places than the
                /// schema allows is refused, never rounded.
                impl TryFrom<f64> for #name {
                    type Error = #invalid;
                    fn try_from(value: f64) -> Result<Self, #invalid> {
                        Self::new(#of_f64(#type_name, value)?)
                    }
                }
                #display_value
            }
        }
        Inner::Boolean => {
            let parse = cx.rt_path("newtype::boolean");
            let parsed = parsed(quote!(#parse(#type_name, text)?));
            quote!(#parsed #display_value)
        }
        Inner::Other => quote! {
            /// The value's JSON, as it is sent.
            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&serde_json::to_string(&self.0).map_err(|_| std::fmt::Error)?)
                }
            }
        },
    };
    quote! {
        #try_from_value
        #specific
        #out
    }
}
