//! The endpoint's marker type and its `Operation` impls, and the module files that list endpoints.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use std::collections::BTreeMap;

use super::cx::Cx;
use super::names::{ident, pascal};
use crate::model::{AuthStyle, Credential, Endpoint, Module};

/// `pub struct SalesinfoAdd;` with `Operation`, `Batched` and `DynOperation`.
pub fn operation(module: &Module, endpoint: &Endpoint, cx: &Cx) -> TokenStream {
    let rt = cx.rt.tokens();
    let (operation_trait, meta, dyn_operation, violation) = (
        cx.rt("Operation"),
        cx.rt("EndpointMeta"),
        cx.rt("DynOperation"),
        cx.rt("Violation"),
    );
    let marker = pascal(&endpoint.operation);
    let request = ident(&endpoint.request);
    let response = ident(&endpoint.response);
    let (vendor, operation, method, path, version) = (
        &endpoint.vendor,
        &endpoint.operation,
        &endpoint.method,
        &endpoint.path,
        &endpoint.version,
    );
    let auth = match endpoint.auth {
        AuthStyle::ShoplineBearer => quote!(ShoplineBearer),
        AuthStyle::TencentQueryToken => quote!(TencentQueryToken),
    };
    let schema = format!("schemas/{}", module.source);
    let is_default = endpoint.is_default;
    let doc = format!(
        " `{method} {path}`: the `{vendor}.{operation}` endpoint, generated from `{schema}`."
    );
    let (batch_meta, batched, check) = match &endpoint.batch {
        Some(batch) => {
            let member = &batch.member;
            let min = Literal::u64_unsuffixed(batch.min_items);
            let max = Literal::u64_unsuffixed(batch.max_items);
            let member_ident = ident(&batch.rust);
            let item = ident(&batch.item_type);
            let batched = cx.rt("Batched");
            (
                quote!(Some(#rt::BatchMeta { items: #member, min_items: #min, max_items: #max })),
                quote! {
                    impl #batched for #marker {
                        type Item = #item;
                        fn items(request: &#request) -> &[#item] { &request.#member_ident }
                        fn items_mut(request: &mut #request) -> &mut Vec<#item> { &mut request.#member_ident }
                    }
                },
                quote!(#rt::check::check_batched::<Self>(body)),
            )
        }
        None => (
            quote!(None),
            quote!(),
            quote!(#rt::check::check_plain::<Self>(body)),
        ),
    };
    let credentials = credentials(&endpoint.credentials);
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Copy, Default)]
        pub struct #marker;
        impl #operation_trait for #marker {
            type Request = #request;
            type Response = #response;
            const META: #meta = #meta {
                vendor: #vendor,
                operation: #operation,
                method: #method,
                path: #path,
                version: #version,
                auth: #rt::Auth::#auth,
                batch: #batch_meta,
                schema: #schema,
                default: #is_default,
            };
            #credentials
        }
        #batched
        impl #dyn_operation for #marker {
            fn meta(&self) -> &'static #meta { &Self::META }
            fn check_body(&self, body: &str) -> Vec<#violation> { #check }
        }
    }
}

/// The typed call on the client that speaks the endpoint's auth style:
/// `impl crate::ShoplineClient { pub async fn batch_sync_flow_data(&self, request) -> ... }`.
pub fn call(
    endpoint: &Endpoint,
    version_module: Option<&str>,
    clients: &TokenStream,
) -> TokenStream {
    let client = match endpoint.auth {
        AuthStyle::ShoplineBearer => quote!(ShoplineClient),
        AuthStyle::TencentQueryToken => quote!(TencentClient),
    };
    // The default version's call is `client.operation(..)`; another version's `client.operation_v20260601(..)`.
    let method = match (&endpoint.is_default, version_module) {
        (false, Some(version)) => ident(&format!("{}_{version}", endpoint.operation)),
        _ => ident(&endpoint.operation),
    };
    let marker = pascal(&endpoint.operation);
    let (request, response) = (ident(&endpoint.request), ident(&endpoint.response));
    let mut doc = format!(" `{} {}`", endpoint.method, endpoint.path);
    if let Some(text) = &endpoint.doc {
        doc.push_str(": ");
        doc.push_str(text);
    }
    let validated = " The request is validated first (unless the client opts out); an invalid request is never sent.";
    quote! {
        impl #clients::#client {
            #[doc = #doc]
            #[doc = ""]
            #[doc = #validated]
            ///
            /// # Errors
            ///
            /// As [`call`](Self::call): a request that breaks its schema, or the error of the last attempt.
            pub async fn #method(&self, request: &#request) -> Result<#clients::Response<#response>, #clients::Error> {
                self.call::<#marker>(request).await
            }
        }
    }
}

/// `generated/<vendor>/mod.rs`: one public module per schema file, re-exported. A type name that two modules
/// define is reachable only through its module, and the vendor module says so.
pub fn vendor_module(vendor: &str, modules: &[&Module]) -> TokenStream {
    let doc = format!(" Every `{vendor}` endpoint, one module each, re-exported here.");
    // What the vendor module re-exports: each operation's default version, and the shared files.
    let modules: Vec<&Module> = modules
        .iter()
        .copied()
        .filter(|m| m.endpoint.as_ref().is_none_or(|e| e.is_default))
        .collect();
    let mut defined: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for module in &modules {
        for def in &module.types {
            defined
                .entry(def.name.as_str())
                .or_default()
                .push(module.name.as_str());
        }
    }
    let ambiguous: Vec<String> = defined
        .iter()
        .filter(|(_, modules)| modules.len() > 1)
        .map(|(name, modules)| format!("`{name}` ({})", modules.join(", ")))
        .collect();
    let note = (!ambiguous.is_empty()).then(|| {
        let text = format!(
            " Defined by more than one endpoint, so named through their modules only: {}.",
            ambiguous.join(", ")
        );
        quote!(#![doc = ""] #![doc = #text])
    });
    let allow = (!ambiguous.is_empty()).then(|| quote!(#[allow(ambiguous_glob_reexports)]));
    let items = modules.iter().map(|module| {
        let name = ident(&module.name);
        quote! {
            pub mod #name;
            #allow
            pub use #name::*;
        }
    });
    quote! {
        #![doc = #doc]
        #note
        #(#items)*
    }
}

/// `generated/<vendor>/<operation>/mod.rs`: the versions of one operation side by side, and the default one
/// re-exported, so that `vendor::operation::X` and `vendor::X` name the default version's types.
pub fn operation_module(operation: &str, versions: &[&Module]) -> TokenStream {
    let default = versions
        .iter()
        .find(|m| m.endpoint.as_ref().is_some_and(|e| e.is_default))
        .and_then(|m| m.version_module.as_deref())
        .unwrap_or_default();
    let listed: Vec<String> = versions
        .iter()
        .filter_map(|m| m.endpoint.as_ref().map(|e| format!("`{}`", e.version)))
        .collect();
    let doc = format!(
        " Every version of `{operation}`, one module each: {}. This module re-exports the default, `{default}`.",
        listed.join(", ")
    );
    let mods = versions
        .iter()
        .filter_map(|m| m.version_module.as_deref())
        .map(|version| {
            let name = ident(version);
            quote!(pub mod #name;)
        });
    let default = ident(default);
    quote! {
        #![doc = #doc]
        #(#mods)*
        pub use #default::*;
    }
}

/// `generated/mod.rs`: the vendor modules and `ENDPOINTS`, the list the CLI looks names up in.
pub fn registry(modules: &[&Module], rt: &super::cx::Runtime) -> TokenStream {
    let rt = rt.tokens();
    let vendors: std::collections::BTreeSet<&str> =
        modules.iter().map(|m| m.vendor.as_str()).collect();
    let modules: Vec<(&Module, &Endpoint)> = modules
        .iter()
        .filter_map(|module| module.endpoint.as_ref().map(|endpoint| (*module, endpoint)))
        .collect();
    let vendor_mods = vendors.iter().map(|vendor| {
        let name = ident(vendor);
        quote!(pub mod #name;)
    });
    // The marker of an endpoint by its module path: `shopline::batch_sync_flow_data::v20260301::BatchSyncFlowData`.
    let marker_path = |module: &Module, endpoint: &Endpoint| {
        let (vendor, operation) = (ident(&endpoint.vendor), ident(&module.name));
        let marker = pascal(&endpoint.operation);
        match &module.version_module {
            Some(version) => {
                let version = ident(version);
                quote!(#vendor::#operation::#version::#marker)
            }
            None => quote!(#vendor::#operation::#marker),
        }
    };
    let entries = modules.iter().map(|(module, endpoint)| {
        let path = marker_path(module, endpoint);
        quote!(&#path)
    });
    let batched = modules
        .iter()
        .filter(|(_, endpoint)| endpoint.batch.is_some())
        .map(|(module, endpoint)| {
            let bare = format!("{}.{}", endpoint.vendor, endpoint.operation);
            let versioned = format!("{bare}@{}", endpoint.version);
            let names = if endpoint.is_default {
                quote!(#bare | #versioned)
            } else {
                quote!(#versioned)
            };
            let path = marker_path(module, endpoint);
            quote!(#names => Some(visitor.visit::<#path>()))
        });
    quote! {
        #(#vendor_mods)*
        /// Every endpoint generated from `schemas/`, in schema-file order.
        pub static ENDPOINTS: &[&dyn #rt::DynOperation] = &[#(#entries),*];
        /// Runs `visitor` with the batched endpoint named `name`, if there is one: `vendor.operation@version`, or
        /// `vendor.operation` for the operation's default version.
        pub fn visit_batched<V: #rt::BatchedVisitor>(name: &str, visitor: V) -> Option<V::Output> {
            match name {
                #(#batched,)*
                _ => None,
            }
        }
    }
}

/// `fn credentials`, listing the request's `x-sensitive` members; nothing when it has none (the trait's
/// default gives an empty list).
fn credentials(members: &[Credential]) -> TokenStream {
    if members.is_empty() {
        return quote!();
    }
    let (required, optional): (Vec<&Credential>, Vec<&Credential>) =
        members.iter().partition(|credential| credential.required);
    let required = required.iter().map(|credential| ident(&credential.rust));
    let optional: Vec<_> = optional
        .iter()
        .map(|credential| ident(&credential.rust))
        .collect();
    let body = if optional.is_empty() {
        quote!(vec![#(request.#required.as_str()),*])
    } else {
        quote! {
            let mut found = vec![#(request.#required.as_str()),*];
            #(found.extend(request.#optional.as_deref());)*
            found
        }
    };
    quote! {
        fn credentials(request: &Self::Request) -> Vec<&str> {
            #body
        }
    }
}
