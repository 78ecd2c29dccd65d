//! `Validate` impls: one `v.at(member, ...)` per constrained member, then the rules between members.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::names::ident;
use crate::model::{
    Bound, Check, CompareOp, ConstValue, Field, MemberPath, ObjectRule, Shape, Struct, Ty,
};

/// `impl Validate` for a request struct.
pub fn struct_impl(name: &Ident, s: &Struct) -> TokenStream {
    let fields = s.fields.iter().filter_map(field_checks);
    let rules = s.rules.iter().map(|rule| object_rule(rule, &s.fields));
    let body: TokenStream = fields.chain(rules).collect();
    let v = if body.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        impl Validate for #name {
            fn validate_into(&self, #v: &mut Validator) { #body }
        }
    }
}

/// `impl Validate` for a request newtype: the checks of its scalar.
pub fn newtype_impl(name: &Ident, shape: &Shape) -> TokenStream {
    let checks = shape_checks(shape, &Value::place(quote!(self.0)));
    let v = if checks.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    let body = quote!(#(#checks;)*);
    quote! {
        impl Validate for #name {
            fn validate_into(&self, #v: &mut Validator) { #body }
        }
    }
}

/// Whether a value of this shape has anything to check.
fn has_checks(shape: &Shape) -> bool {
    !shape.checks.is_empty()
        || match &shape.ty {
            Ty::Named(named) => named.validated,
            Ty::Array(items) => has_checks(items),
            _ => false,
        }
}

fn field_checks(field: &Field) -> Option<TokenStream> {
    if !has_checks(&field.shape) {
        return None;
    }
    let member = &field.name;
    let name = ident(member);
    Some(if field.required {
        let checks = closure(shape_checks(
            &field.shape,
            &Value::place(quote!(self.#name)),
        ));
        quote!(v.at(#member, #checks);)
    } else {
        let checks = closure(shape_checks(&field.shape, &Value::reference(quote!(value))));
        quote! {
            if let Some(value) = &self.#name {
                v.at(#member, #checks);
            }
        }
    })
}

/// An expression for the value being checked: a place (`self.price`) or a reference (`value`).
struct Value {
    expr: TokenStream,
    is_reference: bool,
}

impl Value {
    fn place(expr: TokenStream) -> Self {
        Value {
            expr,
            is_reference: false,
        }
    }

    fn reference(expr: TokenStream) -> Self {
        Value {
            expr,
            is_reference: true,
        }
    }

    /// `&T`, for arguments.
    fn borrowed(&self) -> TokenStream {
        let expr = &self.expr;
        if self.is_reference {
            quote!(#expr)
        } else {
            quote!(&#expr)
        }
    }

    /// `T`, for `Copy` numbers.
    fn copied(&self) -> TokenStream {
        let expr = &self.expr;
        if self.is_reference {
            quote!(*#expr)
        } else {
            quote!(#expr)
        }
    }

    /// The value as a method receiver (auto-referenced).
    fn receiver(&self) -> &TokenStream {
        &self.expr
    }
}

/// `|v| check` for one check, `|v| { a; b; }` for several.
fn closure(checks: Vec<TokenStream>) -> TokenStream {
    match checks.as_slice() {
        [single] => quote!(|v| #single),
        many => quote!(|v| { #(#many;)* }),
    }
}

/// The checks of one value, each an expression.
fn shape_checks(shape: &Shape, value: &Value) -> Vec<TokenStream> {
    let mut checks: Vec<TokenStream> = shape
        .checks
        .iter()
        .map(|check| check_call(check, value))
        .collect();
    match &shape.ty {
        Ty::Named(named) if named.validated => {
            let receiver = value.receiver();
            checks.push(quote!(#receiver.validate_into(v)));
        }
        Ty::Array(items) if has_checks(items) => {
            let item_checks = match shape_checks(items, &Value::reference(quote!(item))).as_slice()
            {
                [single] => quote!(#single),
                many => quote!({ #(#many;)* }),
            };
            let items = value.borrowed();
            checks.push(quote!(v.each(#items, |v, item| #item_checks)));
        }
        _ => {}
    }
    checks
}

fn check_call(check: &Check, value: &Value) -> TokenStream {
    let (borrowed, copied) = (value.borrowed(), value.copied());
    let value = &borrowed;
    match check {
        Check::MinLength(min) => {
            let min = count(*min);
            quote!(v.min_length(#value, #min))
        }
        Check::MinBytes(min) => {
            let min = count(*min);
            quote!(v.min_bytes(#value, #min))
        }
        Check::MaxBytes(max) => {
            let max = count(*max);
            quote!(v.max_bytes(#value, #max))
        }
        Check::Pattern(pattern) => quote!({
            static PATTERN: Pattern = Pattern::new(#pattern);
            v.pattern(#value, &PATTERN)
        }),
        Check::Minimum(bound) => {
            let bound = bound_literal(bound);
            quote!(v.minimum(#copied, #bound))
        }
        Check::Maximum(bound) => {
            let bound = bound_literal(bound);
            quote!(v.maximum(#copied, #bound))
        }
        Check::DecimalPlaces(places) => {
            let places = Literal::u32_unsuffixed(*places);
            quote!(v.decimal_places(#copied, #places))
        }
        Check::MinItems(min) => {
            let min = count(*min);
            quote!(v.min_items(#value, #min))
        }
        Check::MaxItems(max) => {
            let max = count(*max);
            quote!(v.max_items(#value, #max))
        }
    }
}

/// An unsuffixed literal: `32`, not `32u64`.
fn count(value: u64) -> Literal {
    Literal::u64_unsuffixed(value)
}

fn bound_literal(bound: &Bound) -> TokenStream {
    match bound {
        Bound::Integer(value) => {
            let value = Literal::i64_unsuffixed(*value);
            quote!(#value)
        }
        Bound::Decimal { mantissa: 0, .. } => quote!(Decimal::ZERO),
        Bound::Decimal { mantissa, scale } => {
            let mantissa = Literal::i64_unsuffixed(*mantissa);
            if *scale == 0 {
                quote!(Decimal::from_i64(#mantissa))
            } else {
                let scale = Literal::u32_unsuffixed(*scale);
                quote!(Decimal::from_parts(#mantissa, #scale))
            }
        }
    }
}

fn find<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .expect("lowering checked that rules name existing members")
}

fn object_rule(rule: &ObjectRule, fields: &[Field]) -> TokenStream {
    match rule {
        ObjectRule::DependentRequired { when, then } => {
            dependent_required(find(fields, when), then, fields)
        }
        ObjectRule::Compare { left, op, right } => {
            compare(find(fields, left), *op, find(fields, right))
        }
        ObjectRule::Conditional {
            member,
            value,
            then,
        } => conditional(find(fields, member), value, then),
    }
}

fn dependent_required(when: &Field, then: &[String], fields: &[Field]) -> TokenStream {
    let when_name = ident(&when.name);
    let present = (!when.required).then(|| quote!(self.#when_name.is_some() &&));
    let dependents = then
        .iter()
        .map(|member| find(fields, member))
        .filter(|f| !f.required);
    dependents
        .map(|f| {
            let name = ident(&f.name);
            let member = &f.name;
            let message = format!("`{member}` is required when `{}` is present", when.name);
            quote! {
                if #present self.#name.is_none() {
                    v.missing(#member, "dependentRequired", #message);
                }
            }
        })
        .collect()
}

/// The compared value of a member: a newtype's inner value, by reference.
fn compared(field: &Field, binding: &TokenStream) -> TokenStream {
    match field.shape.ty {
        Ty::Named(_) => quote!(&#binding.0),
        _ => quote!(&#binding),
    }
}

fn compare(left: &Field, op: CompareOp, right: &Field) -> TokenStream {
    let op = match op {
        CompareOp::Less => quote!(Less),
        CompareOp::LessOrEqual => quote!(LessOrEqual),
        CompareOp::Equal => quote!(Equal),
        CompareOp::GreaterOrEqual => quote!(GreaterOrEqual),
        CompareOp::Greater => quote!(Greater),
    };
    let (left_name, right_name) = (&left.name, &right.name);
    let (left_ident, right_ident) = (ident(left_name), ident(right_name));
    if left.required && right.required {
        let (l, r) = (
            compared(left, &quote!(self.#left_ident)),
            compared(right, &quote!(self.#right_ident)),
        );
        return quote! {
            v.compare((#left_name, #l), Comparison::#op, (#right_name, #r));
        };
    }
    let binding = |field: &Field, name: &Ident| {
        if field.required {
            quote!(Some(&self.#name))
        } else {
            quote!(self.#name.as_ref())
        }
    };
    let (left_value, right_value) = (binding(left, &left_ident), binding(right, &right_ident));
    let (l, r) = (
        compared(left, &quote!(left)),
        compared(right, &quote!(right)),
    );
    quote! {
        if let (Some(left), Some(right)) = (#left_value, #right_value) {
            v.compare((#left_name, #l), Comparison::#op, (#right_name, #r));
        }
    }
}

fn conditional(member: &Field, value: &ConstValue, then: &[MemberPath]) -> TokenStream {
    let name = ident(&member.name);
    let (expected, shown) = match value {
        ConstValue::Integer(code) => {
            let literal = Literal::i64_unsuffixed(*code);
            (quote!(#literal), code.to_string())
        }
        ConstValue::EnumVariant {
            enum_name,
            variant,
            code,
        } => {
            let (enum_ident, variant_ident) = (ident(enum_name), ident(variant));
            (
                quote!(#enum_ident::#variant_ident),
                format!("{code} ({variant})"),
            )
        }
    };
    let test = if member.required {
        quote!(self.#name == #expected)
    } else {
        quote!(self.#name == Some(#expected))
    };
    let checks = then.iter().map(|path| {
        let missing_name = ident(&path.member);
        let missing = &path.member;
        let message = format!("`{missing}` is required when `{}` is {shown}", member.name);
        let report = quote!(v.missing(#missing, "if-then", #message));
        match &path.parent {
            None => quote!(if #test && self.#missing_name.is_none() { #report; }),
            Some(parent) => {
                let parent_ident = ident(&parent.name);
                let parent_name = &parent.name;
                let report = quote!(v.at(#parent_name, |v| #report););
                if parent.required {
                    quote!(if #test && self.#parent_ident.#missing_name.is_none() { #report })
                } else {
                    quote! {
                        if let Some(parent) = self.#parent_ident.as_ref().filter(|_| #test) {
                            if parent.#missing_name.is_none() { #report }
                        }
                    }
                }
            }
        }
    });
    quote!(#(#checks)*)
}
