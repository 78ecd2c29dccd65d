//! Where generated code finds the runtime, and the names a module's emission uses from it (recorded as they
//! are used, so the `use` lines list exactly those and generated code needs no `unused` allowances).

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::quote;

use super::names;
use crate::model::Module;

/// Where generated code finds the handwritten runtime: `crate::runtime` inside salesync.
#[derive(Debug, Clone)]
pub struct Runtime {
    path: String,
    pub(crate) clients: Option<String>,
}

impl Runtime {
    /// `path` is a Rust path such as `crate::runtime` or `::salesync::runtime`.
    pub fn new(path: impl Into<String>) -> Self {
        Runtime {
            path: path.into(),
            clients: None,
        }
    }

    /// Also emit typed calls on the clients found at `path` (`crate`: `crate::ShoplineClient`, ...).
    pub fn with_clients(mut self, path: impl Into<String>) -> Self {
        self.clients = Some(path.into());
        self
    }

    /// The runtime path as tokens.
    pub(crate) fn tokens(&self) -> TokenStream {
        self.path.parse().expect("the runtime path is a Rust path")
    }

    /// `runtime::<item>` as a string, for serde's `deserialize_with`.
    fn item(&self, item: &str) -> String {
        format!("{}::{item}", self.path)
    }
}

/// What one module's emission needs: the runtime's path, and the names it imports, recorded as they are
/// used so the `use` lines list exactly those (generated code needs no `unused` allowances).
pub(crate) struct Cx<'a> {
    pub(crate) rt: &'a Runtime,
    /// The module's own type names: a runtime item of the same name is named by its path, not imported.
    locals: std::collections::BTreeSet<String>,
    runtime_uses: RefCell<Vec<&'static str>>,
    serde_uses: RefCell<Vec<&'static str>>,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(rt: &'a Runtime, module: &Module) -> Self {
        let mut locals: std::collections::BTreeSet<String> =
            module.types.iter().map(|def| def.name.clone()).collect();
        locals.extend(module.imports.iter().map(|(_, name)| name.clone()));
        if let Some(endpoint) = &module.endpoint {
            locals.insert(crate::model::marker_name(&endpoint.operation));
        }
        Cx {
            rt,
            locals,
            runtime_uses: RefCell::new(Vec::new()),
            serde_uses: RefCell::new(vec!["Deserialize", "Serialize"]),
        }
    }

    /// A runtime item by its imported name (`Validator`), recorded for the `use` line.
    pub(crate) fn rt(&self, item: &'static str) -> TokenStream {
        if self.locals.contains(item) {
            return self.rt_path(item);
        }
        let mut uses = self.runtime_uses.borrow_mut();
        if !uses.contains(&item) {
            uses.push(item);
        }
        let ident = names::ident(item);
        quote!(#ident)
    }

    /// A runtime item by its full path (`crate::runtime::Redacted`), for items used once or twice.
    pub(crate) fn rt_path(&self, path: &str) -> TokenStream {
        let rt = self.rt.tokens();
        let path: TokenStream = path.parse().expect("a runtime path");
        quote!(#rt::#path)
    }

    /// `runtime::<item>` as a string, for serde attributes.
    pub(crate) fn rt_str(&self, item: &str) -> String {
        self.rt.item(item)
    }

    /// A serde trait by its imported name (`Deserializer`), recorded for the `use` line.
    pub(crate) fn serde(&self, item: &'static str) -> TokenStream {
        let mut uses = self.serde_uses.borrow_mut();
        if !uses.contains(&item) {
            uses.push(item);
        }
        let ident = names::ident(item);
        quote!(#ident)
    }

    pub(crate) fn imports(&self, module: &Module) -> TokenStream {
        let rt = self.rt.tokens();
        let runtime: Vec<_> = self
            .runtime_uses
            .borrow()
            .iter()
            .map(|item| names::ident(item))
            .collect();
        let serde: Vec<_> = self
            .serde_uses
            .borrow()
            .iter()
            .map(|item| names::ident(item))
            .collect();
        let runtime = (!runtime.is_empty()).then(|| quote!(use #rt::{#(#runtime),*};));
        let mut by_module: Vec<(&str, Vec<&str>)> = Vec::new();
        for (from, name) in &module.imports {
            match by_module.iter_mut().find(|(m, _)| m == from) {
                Some((_, names)) => names.push(name),
                None => by_module.push((from, vec![name])),
            }
        }
        // A version's module sits one level deeper, inside its operation's.
        let up = if module.version_module.is_some() {
            quote!(super::super)
        } else {
            quote!(super)
        };
        let shared = by_module.iter().map(|(from, names)| {
            let from = names::ident(from);
            let names = names.iter().map(|name| names::ident(name));
            quote!(use #up::#from::{#(#names),*};)
        });
        quote! {
            #runtime
            use serde::{#(#serde),*};
            #(#shared)*
        }
    }
}
