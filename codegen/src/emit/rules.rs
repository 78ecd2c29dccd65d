//! The rules between the members of one object: `dependentRequired`, `x-compare`, `if`/`then`/`else`,
//! `anyOf` of `required`, `minProperties`/`maxProperties`.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use super::checks::{check_call, closure, Value};
use super::cx::Cx;
use super::names::ident;
use crate::model::{
    CompareOp, Conditional, Consequence, Direction, Field, Literal as Constant, MemberPath,
    NamedKind, ObjectRule, Presence, Test, Ty,
};

/// One rule of an object; `extra` says whether the struct has an `extra` map of other members.
pub fn object_rule(rule: &ObjectRule, fields: &[Field], extra: bool, cx: &Cx) -> TokenStream {
    match rule {
        ObjectRule::DependentRequired { when, then } => {
            dependent_required(find(fields, when), then, fields)
        }
        ObjectRule::Compare { left, op, right } => {
            compare(find(fields, left), *op, find(fields, right), cx)
        }
        ObjectRule::Conditional(conditional) => self::conditional(conditional, fields, cx),
        ObjectRule::AnyOfRequired(groups) => any_of_required(groups, fields),
        ObjectRule::PropertyCount { min, max } => property_count(*min, *max, fields, extra),
    }
}

fn find<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .expect("lowering checked that rules name existing members")
}

/// `self.x.is_none()` for an optional member; `None` when the member is always there.
fn absent(field: &Field) -> Option<TokenStream> {
    let name = ident(&field.rust);
    match field.presence(Direction::Request) {
        Presence::Always | Presence::RequiredNullable => None,
        Presence::Optional => Some(quote!(self.#name.is_none())),
        Presence::Nullable => Some(quote!(self.#name.is_absent())),
    }
}

fn present(field: &Field) -> Option<TokenStream> {
    let name = ident(&field.rust);
    match field.presence(Direction::Request) {
        Presence::Always | Presence::RequiredNullable => None,
        Presence::Optional => Some(quote!(self.#name.is_some())),
        Presence::Nullable => Some(quote!(!self.#name.is_absent())),
    }
}

fn dependent_required(when: &Field, then: &[String], fields: &[Field]) -> TokenStream {
    let when_present = present(when).map(|test| quote!(#test &&));
    then.iter()
        .map(|member| find(fields, member))
        .filter_map(|f| {
            let missing = absent(f)?;
            let member = &f.name;
            let message = format!("`{member}` is required when `{}` is present", when.name);
            Some(quote! {
                if #when_present #missing {
                    v.missing(#member, "dependentRequired", #message);
                }
            })
        })
        .collect()
}

/// The compared value of a member: a (numeric, `Copy`) newtype's inner value, or the member by reference.
fn compared(field: &Field, binding: &TokenStream) -> TokenStream {
    match field.shape.ty {
        Ty::Named(_) => quote!(#binding.get()),
        _ => quote!(&#binding),
    }
}

fn compare(left: &Field, op: CompareOp, right: &Field, cx: &Cx) -> TokenStream {
    let comparison = cx.rt("Comparison");
    let op = match op {
        CompareOp::Less => quote!(Less),
        CompareOp::LessOrEqual => quote!(LessOrEqual),
        CompareOp::Equal => quote!(Equal),
        CompareOp::GreaterOrEqual => quote!(GreaterOrEqual),
        CompareOp::Greater => quote!(Greater),
    };
    let (left_name, right_name) = (&left.name, &right.name);
    let (left_ident, right_ident) = (ident(&left.rust), ident(&right.rust));
    if left.required && right.required {
        let (l, r) = (
            compared(left, &quote!(self.#left_ident)),
            compared(right, &quote!(self.#right_ident)),
        );
        return quote! {
            v.compare((#left_name, #l), #comparison::#op, (#right_name, #r));
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
            v.compare((#left_name, #l), #comparison::#op, (#right_name, #r));
        }
    }
}

fn any_of_required(groups: &[Vec<String>], fields: &[Field]) -> TokenStream {
    let incomplete = groups.iter().map(|group| {
        let missing = group
            .iter()
            .filter_map(|member| absent(find(fields, member)));
        quote!((#(#missing)||*))
    });
    let described: Vec<String> = groups
        .iter()
        .map(|group| {
            let names: Vec<String> = group.iter().map(|member| format!("`{member}`")).collect();
            if names.len() == 1 {
                names[0].clone()
            } else {
                format!("({})", names.join(" and "))
            }
        })
        .collect();
    let message = format!("at least one of {} is required", described.join(" or "));
    quote! {
        if #(#incomplete)&&* {
            v.report("anyOf", #message);
        }
    }
}

fn property_count(
    min: Option<u64>,
    max: Option<u64>,
    fields: &[Field],
    extra: bool,
) -> TokenStream {
    let always = Literal::usize_unsuffixed(fields.iter().filter(|f| present(f).is_none()).count());
    let sometimes = fields
        .iter()
        .filter_map(present)
        .map(|test| quote!(+ usize::from(#test)));
    let min = min.map(|min| {
        let min = Literal::u64_unsuffixed(min);
        quote!(v.min_properties(count, #min);)
    });
    let max = max.map(|max| {
        let max = Literal::u64_unsuffixed(max);
        quote!(v.max_properties(count, #max);)
    });
    let extra = extra.then(|| quote!(+ self.extra.len()));
    quote! {
        let count = #always #(#sometimes)* #extra;
        #min
        #max
    }
}

/// `if` -> `then` / `else`. A lone `then` requirement is one `if`; otherwise the test guards a block.
fn conditional(rule: &Conditional, fields: &[Field], cx: &Cx) -> TokenStream {
    let tests: Vec<TokenStream> = rule
        .when
        .iter()
        .filter_map(|test| test_expr(test, find(fields, &test.member)))
        .collect();
    let test = if tests.is_empty() {
        quote!(true)
    } else {
        quote!(#(#tests)&&*)
    };
    let described = describe(&rule.when);
    let then: Vec<Statement> = rule
        .then
        .iter()
        .filter_map(|c| consequence(c, "if-then", &format!("when {described}"), cx))
        .collect();
    let otherwise: Vec<Statement> = rule
        .otherwise
        .iter()
        .filter_map(|c| consequence(c, "if-else", &format!("unless {described}"), cx))
        .collect();
    match (then.as_slice(), otherwise.is_empty()) {
        ([Statement::Guarded { test: inner, body }], true) => quote!(if #test && #inner { #body }),
        _ => {
            let then = then.iter().map(Statement::tokens);
            let else_block = match otherwise.as_slice() {
                [] => None,
                [Statement::Guarded { test, body }] => Some(quote!(else if #test { #body })),
                many => {
                    let many = many.iter().map(Statement::tokens);
                    Some(quote!(else { #(#many)* }))
                }
            };
            quote!(if #test { #(#then)* } #else_block)
        }
    }
}

/// A consequence: either `if test { body }` (which can merge with the `if`'s own test) or any statement.
enum Statement {
    Guarded {
        test: TokenStream,
        body: TokenStream,
    },
    Other(TokenStream),
}

impl Statement {
    fn tokens(&self) -> TokenStream {
        match self {
            Statement::Guarded { test, body } => quote!(if #test { #body }),
            Statement::Other(tokens) => tokens.clone(),
        }
    }
}

/// How the `if` reads in a message: "`product_type` is 3 (Sample)".
fn describe(tests: &[Test]) -> String {
    let parts: Vec<String> = tests
        .iter()
        .map(|test| {
            let member = &test.member;
            let shown: Vec<String> = test.values.iter().map(Constant::shown).collect();
            let mut text = match shown.as_slice() {
                [] => format!("`{member}` is present"),
                [one] => format!("`{member}` is {one}"),
                many => format!("`{member}` is one of {}", many.join(", ")),
            };
            if !test.required && !test.values.is_empty() {
                text.push_str(" or absent");
            }
            text
        })
        .collect();
    parts.join(" and ")
}

/// Whether one `if` test holds; `None` when it always does (presence of a member that is always there).
fn test_expr(test: &Test, field: &Field) -> Option<TokenStream> {
    let name = ident(&field.rust);
    let presence = field.presence(Direction::Request);
    if test.values.is_empty() {
        return present(field);
    }
    let newtype = matches!(&field.shape.ty, Ty::Named(named) if named.kind == NamedKind::Newtype);
    let simple = test.values.len() == 1 && !newtype;
    Some(match presence {
        Presence::Always => matches_value(&quote!(self.#name), false, newtype, &test.values),
        Presence::Optional if simple && test.required => {
            let value = &test.values[0];
            match value {
                Constant::String(text) => quote!(self.#name.as_deref() == Some(#text)),
                other => {
                    let value = simple_constant(other);
                    quote!(self.#name == Some(#value))
                }
            }
        }
        Presence::Optional | Presence::RequiredNullable => {
            let holds = matches_value(&quote!(x), true, newtype, &test.values);
            if test.required || presence == Presence::RequiredNullable {
                quote!(self.#name.as_ref().is_some_and(|x| #holds))
            } else {
                quote!(self.#name.as_ref().is_none_or(|x| #holds))
            }
        }
        Presence::Nullable => {
            let holds = matches_value(&quote!(x), true, newtype, &test.values);
            if test.required {
                quote!(self.#name.as_option().is_some_and(|x| #holds))
            } else {
                quote!((self.#name.is_absent() || self.#name.as_option().is_some_and(|x| #holds)))
            }
        }
    })
}

/// A constant as a pattern or value without the runtime (tests compare integers, booleans, strings and
/// enum variants only).
fn simple_constant(constant: &Constant) -> TokenStream {
    match constant {
        Constant::String(text) => quote!(#text),
        Constant::Integer(number) => super::tokens::signed_number(&number.to_string()),
        Constant::Boolean(flag) => quote!(#flag),
        Constant::Variant {
            enum_name, variant, ..
        } => {
            let (enum_name, variant) = (ident(enum_name), ident(variant));
            quote!(#enum_name::#variant)
        }
        Constant::Decimal { .. } => unreachable!("lowering allows no decimal in an `if`"),
    }
}

/// Whether `x` (a place, or a reference when `by_reference`) equals one of `values`.
fn matches_value(
    x: &TokenStream,
    by_reference: bool,
    newtype: bool,
    values: &[Constant],
) -> TokenStream {
    // `place` for `==` (the value itself), `scrutinee` for `matches!` (a reference matches by ergonomics); a
    // newtype's value through its accessor (`as_str()` of a string, `get()` of an integer or a boolean).
    let text = matches!(values.first(), Some(Constant::String(_)));
    let (place, scrutinee) = match (by_reference, newtype) {
        (_, true) if text => (quote!(#x.as_str()), quote!(#x.as_str())),
        (_, true) => (quote!(#x.get()), quote!(#x.get())),
        (true, false) => (quote!(*#x), quote!(#x)),
        (false, false) => (quote!(#x), quote!(#x)),
    };
    let patterns: Vec<TokenStream> = values.iter().map(simple_constant).collect();
    match (values, patterns.as_slice()) {
        ([Constant::Boolean(true)], _) => quote!(#place),
        ([Constant::Boolean(false)], _) => quote!(!#place),
        ([_], [pattern]) => quote!(#place == #pattern),
        ([Constant::String(_), ..], _) if newtype => quote!(matches!(#scrutinee, #(#patterns)|*)),
        ([Constant::String(_), ..], _) => quote!(matches!(#scrutinee.as_str(), #(#patterns)|*)),
        _ => quote!(matches!(#scrutinee, #(#patterns)|*)),
    }
}

fn consequence(
    consequence: &Consequence,
    rule: &str,
    condition: &str,
    cx: &Cx,
) -> Option<Statement> {
    match consequence {
        Consequence::Require(path) => {
            let message = format!("`{}` is required {condition}", path.member);
            let member = &path.member;
            let report = quote!(v.missing(#member, #rule, #message));
            member_statement(path, |base| absent_in(path, base), report)
        }
        Consequence::Forbid(path) => {
            let message = format!("`{}` must be absent {condition}", path.member);
            let member = &path.member;
            let report = quote!(v.at(#member, |v| v.report(#rule, #message)));
            member_statement(path, |base| present_in(path, base), report)
        }
        Consequence::Check(path, checks) => {
            let member = &path.member;
            let calls = checks
                .iter()
                .map(|check| check_call(check, &Value::reference(quote!(value)), cx))
                .collect();
            let checks = closure(calls);
            let rust = ident(&path.rust);
            let access = |base: &TokenStream| match presence_of(path) {
                Presence::Always => quote!(Some(&#base.#rust)),
                Presence::Nullable => quote!(#base.#rust.as_option()),
                _ => quote!(#base.#rust.as_ref()),
            };
            let body = |base: &TokenStream| {
                let access = access(base);
                quote!(if let Some(value) = #access { v.at(#member, #checks); })
            };
            Some(Statement::Other(within_parent(path, body)))
        }
    }
}

fn presence_of(path: &MemberPath) -> Presence {
    match (path.required, path.shape.nullable) {
        (true, false) => Presence::Always,
        (true, true) => Presence::RequiredNullable,
        (false, true) => Presence::Nullable,
        (false, false) => Presence::Optional,
    }
}

fn absent_in(path: &MemberPath, base: &TokenStream) -> Option<TokenStream> {
    let rust = ident(&path.rust);
    match presence_of(path) {
        Presence::Always | Presence::RequiredNullable => None,
        Presence::Optional => Some(quote!(#base.#rust.is_none())),
        Presence::Nullable => Some(quote!(#base.#rust.is_absent())),
    }
}

fn present_in(path: &MemberPath, base: &TokenStream) -> Option<TokenStream> {
    let rust = ident(&path.rust);
    match presence_of(path) {
        Presence::Always | Presence::RequiredNullable => Some(quote!(true)),
        Presence::Optional => Some(quote!(#base.#rust.is_some())),
        Presence::Nullable => Some(quote!(!#base.#rust.is_absent())),
    }
}

/// `if <test on the member> { report }`, reaching through the parent member when there is one.
fn member_statement(
    path: &MemberPath,
    test: impl Fn(&TokenStream) -> Option<TokenStream>,
    report: TokenStream,
) -> Option<Statement> {
    match &path.parent {
        None => Some(Statement::Guarded {
            test: test(&quote!(self))?,
            body: quote!(#report;),
        }),
        Some(parent) => {
            let parent_name = &parent.name;
            let report = quote!(v.at(#parent_name, |v| #report););
            if parent.required && !parent.nullable {
                let parent_ident = ident(&parent.rust);
                return Some(Statement::Guarded {
                    test: test(&quote!(self.#parent_ident))?,
                    body: report,
                });
            }
            let inner = test(&quote!(parent))?;
            Some(Statement::Other(within_parent(
                path,
                |_| quote!(if #inner { #report }),
            )))
        }
    }
}

/// `body(base)` where `base` is this object, or its parent member when present.
fn within_parent(path: &MemberPath, body: impl Fn(&TokenStream) -> TokenStream) -> TokenStream {
    let Some(parent) = &path.parent else {
        return body(&quote!(self));
    };
    let parent_ident = ident(&parent.rust);
    if parent.required && !parent.nullable {
        return body(&quote!(self.#parent_ident));
    }
    let access = match (parent.required, parent.nullable) {
        (false, true) => quote!(self.#parent_ident.as_option()),
        _ => quote!(self.#parent_ident.as_ref()),
    };
    let inner = body(&quote!(parent));
    quote!(if let Some(parent) = #access { #inner })
}
