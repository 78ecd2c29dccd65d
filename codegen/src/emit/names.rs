//! Identifiers, literals and doc attributes shared by every emitter.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

const KEYWORDS: [&str; 42] = [
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "unsafe", "use",
];
const MORE_KEYWORDS: [&str; 6] = ["typeof", "unsized", "virtual", "where", "while", "yield"];

/// A Rust identifier for a member or type name; keywords become raw identifiers (`r#type`).
pub fn ident(name: &str) -> Ident {
    if KEYWORDS.contains(&name) || MORE_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// `snake_case` -> `PascalCase`, for the endpoint's marker type.
pub fn pascal(name: &str) -> Ident {
    let text: String = name
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect();
    ident(&text)
}

/// `#[doc = ...]` lines (prettyplease prints them as `///`).
pub fn doc(text: Option<&str>) -> TokenStream {
    doc_lines(text).map(|line| quote!(#[doc = #line])).collect()
}

/// `#![doc = ...]` lines for the module itself (printed as `//!`).
pub fn module_doc(text: Option<&str>) -> TokenStream {
    doc_lines(text)
        .map(|line| quote!(#![doc = #line]))
        .collect()
}

fn doc_lines(text: Option<&str>) -> impl Iterator<Item = String> + '_ {
    text.into_iter().flat_map(str::lines).map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {}", visible(line))
        }
    })
}

/// A line with its control characters written as escapes (`\r`, `\u{7}`): a doc comment may not hold
/// them (a carriage return ends it), and a reader could not see them.
fn visible(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.chars().any(|c| c.is_control() && c != '\t') {
        return std::borrow::Cow::Borrowed(line);
    }
    line.chars()
        .map(|c| match c {
            '\t' => "\t".to_owned(),
            c if c.is_control() => c.escape_default().to_string(),
            c => c.to_string(),
        })
        .collect()
}
