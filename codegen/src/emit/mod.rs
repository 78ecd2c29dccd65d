//! Step 3: the intermediate model -> Rust tokens. Emission reads only the model, never JSON.

mod checks;
mod cx;
mod endpoint;
mod enums;
mod fields;
mod json_schema;
mod names;
mod newtype;
mod rules;
mod rust_type;
mod shape;
mod structs;
mod tokens;
mod unions;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Embedded, Module, TypeDef, TypeKind};
use cx::Cx;
use names::{doc, ident};

pub use cx::Runtime;
pub use endpoint::{operation_module, registry, vendor_module};

/// The tokens of one schema file's module.
pub fn module(module: &Module, rt: &Runtime) -> TokenStream {
    let cx = Cx::new(rt, module);
    let shared = format!("Types shared by the `{}` endpoints.", module.vendor);
    let doc = names::module_doc(match &module.endpoint {
        Some(endpoint) => endpoint.doc.as_deref(),
        None => Some(&shared),
    });
    let endpoint = module
        .endpoint
        .as_ref()
        .map(|endpoint| endpoint::operation(module, endpoint, &cx));
    let call = module.endpoint.as_ref().and_then(|endpoint| {
        rt.clients.as_ref().map(|clients| {
            let clients: TokenStream = clients.parse().expect("the clients path is a Rust path");
            endpoint::call(endpoint, module.version_module.as_deref(), &clients)
        })
    });
    let types: Vec<TokenStream> = module.types.iter().map(|def| type_def(def, &cx)).collect();
    let document = module
        .document
        .as_ref()
        .map(|document| schema_document(module, document, &cx));
    let imports = cx.imports(module);
    quote! {
        #doc
        #imports
        #endpoint
        #call
        #document
        #(#types)*
    }
}

/// `SCHEMA_DOCUMENT`: the schema file, for the checks the compiled schema makes (and for those of the
/// modules whose references reach it).
fn schema_document(module: &Module, document: &Embedded, cx: &Cx) -> TokenStream {
    let ty = cx.rt("SchemaDocument");
    let uri = &document.uri;
    let json = raw_string(&document.json);
    let aliases = &document.aliases;
    let up = if module.version_module.is_some() {
        quote!(super::super)
    } else {
        quote!(super)
    };
    let uses = document.uses.iter().map(|used| {
        let used = ident(used);
        quote!(&#up::#used::SCHEMA_DOCUMENT)
    });
    let from =
        " The schema file this module is generated from, for the checks its compiled schema makes.";
    quote! {
        #[doc = #from]
        #[doc(hidden)]
        pub static SCHEMA_DOCUMENT: #ty = #ty {
            uri: #uri,
            aliases: &[#(#aliases),*],
            json: #json,
            uses: &[#(#uses),*],
        };
    }
}

/// Every item of one named type.
fn type_def(def: &TypeDef, cx: &Cx) -> TokenStream {
    let name = ident(&def.name);
    let docs = doc(def.doc.as_deref());
    match &def.kind {
        TypeKind::Struct(s) => structs::structure(&name, docs, s, def.direction, cx),
        TypeKind::IntEnum(variants) => enums::int_enum(&name, docs, variants, def.direction, cx),
        TypeKind::StrEnum(variants) => enums::str_enum(&name, docs, variants, def.direction, cx),
        TypeKind::Union(union) => enums::union(&name, docs, union, def.direction, cx),
        TypeKind::Newtype(shape) => newtype::newtype(&name, docs, shape, def.direction, cx),
        TypeKind::Choice(choice) => unions::choice(&name, docs, choice, def.direction, cx),
        TypeKind::Either(either) => unions::either(&name, docs, either, def.direction, cx),
    }
}

/// `text` as a raw string literal (`r#"..."#`, with as many `#` as it needs), so embedded JSON reads as written.
fn raw_string(text: &str) -> TokenStream {
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
        .parse()
        .unwrap_or_else(|_| {
            let literal = proc_macro2::Literal::string(text);
            quote!(#literal)
        })
}
