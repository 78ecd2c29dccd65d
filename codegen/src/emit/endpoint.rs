//! The endpoint's marker type and its `Operation` impls, and the module files that list endpoints.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::names::{ident, pascal};
use crate::model::{AuthStyle, Credential, Module};

/// `pub struct SalesinfoAdd;` with `Operation`, `Batched` and `DynOperation`.
pub fn operation(module: &Module, rt: &TokenStream) -> TokenStream {
    let endpoint = &module.endpoint;
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
    let doc = format!(
        " `{method} {path}`: the `{vendor}.{operation}` endpoint, generated from `{schema}`."
    );
    let (batch_meta, batched, check) = match &endpoint.batch {
        Some(batch) => {
            let member = &batch.member;
            let min = Literal::u64_unsuffixed(batch.min_items);
            let max = Literal::u64_unsuffixed(batch.max_items);
            let member_ident = ident(member);
            let item = ident(&batch.item_type);
            (
                quote!(Some(#rt::BatchMeta { items: #member, min_items: #min, max_items: #max })),
                quote! {
                    impl Batched for #marker {
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
        impl Operation for #marker {
            type Request = #request;
            type Response = #response;
            const META: EndpointMeta = EndpointMeta {
                vendor: #vendor,
                operation: #operation,
                method: #method,
                path: #path,
                version: #version,
                auth: #rt::Auth::#auth,
                batch: #batch_meta,
                schema: #schema,
            };
            #credentials
        }
        #batched
        impl DynOperation for #marker {
            fn meta(&self) -> &'static EndpointMeta { &Self::META }
            fn check_body(&self, body: &str) -> Vec<Violation> { #check }
        }
    }
}

/// The typed call on the client that speaks the endpoint's auth style:
/// `impl crate::ShoplineClient { pub async fn batch_sync_flow_data(&self, request) -> ... }`.
pub fn call(module: &Module, clients: &TokenStream) -> TokenStream {
    let endpoint = &module.endpoint;
    let client = match endpoint.auth {
        AuthStyle::ShoplineBearer => quote!(ShoplineClient),
        AuthStyle::TencentQueryToken => quote!(TencentClient),
    };
    let method = ident(&endpoint.operation);
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
            pub async fn #method(&self, request: &#request) -> Result<#clients::Response<#response>, #clients::Error> {
                self.call::<#marker>(request).await
            }
        }
    }
}

/// `generated/<vendor>/mod.rs`: one public module per endpoint, re-exported.
pub fn vendor_module(vendor: &str, modules: &[&Module]) -> TokenStream {
    let doc = format!(" Every `{vendor}` endpoint, one module each, re-exported here.");
    let items = modules.iter().map(|module| {
        let name = ident(&module.endpoint.operation);
        quote! {
            pub mod #name;
            pub use #name::*;
        }
    });
    quote! {
        #![doc = #doc]
        #(#items)*
    }
}

/// `generated/mod.rs`: the vendor modules and `ENDPOINTS`, the list the CLI looks names up in.
pub fn registry(modules: &[&Module], rt: &super::Runtime) -> TokenStream {
    let rt = rt.tokens();
    let mut vendors: Vec<&str> = modules.iter().map(|m| m.endpoint.vendor.as_str()).collect();
    vendors.dedup();
    let vendor_mods = vendors.iter().map(|vendor| {
        let name = ident(vendor);
        quote!(pub mod #name;)
    });
    let entries = modules.iter().map(|module| {
        let vendor = ident(&module.endpoint.vendor);
        let marker = pascal(&module.endpoint.operation);
        quote!(&#vendor::#marker)
    });
    let batched = modules
        .iter()
        .filter(|module| module.endpoint.batch.is_some())
        .map(|module| {
            let name = format!("{}.{}", module.endpoint.vendor, module.endpoint.operation);
            let vendor = ident(&module.endpoint.vendor);
            let marker = pascal(&module.endpoint.operation);
            quote!(#name => Some(visitor.visit::<#vendor::#marker>()))
        });
    quote! {
        #(#vendor_mods)*
        /// Every endpoint generated from `schemas/`, in schema-file order.
        pub static ENDPOINTS: &[&dyn #rt::DynOperation] = &[#(#entries),*];
        /// Runs `visitor` with the batched endpoint named `name` (`vendor.operation`), if there is one.
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
    let required = required.iter().map(|credential| ident(&credential.member));
    let optional: Vec<_> = optional
        .iter()
        .map(|credential| ident(&credential.member))
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
