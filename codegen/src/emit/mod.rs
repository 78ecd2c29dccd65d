//! Step 3: the intermediate model -> Rust tokens. Emission reads only the model, never JSON.

mod endpoint;
mod names;
mod types;
mod validate;

use proc_macro2::TokenStream;
use quote::quote;

use crate::model::{Check, Direction, Module, ObjectRule, Shape, Ty, TypeKind};

pub use endpoint::{registry, vendor_module};

/// Where generated code finds the handwritten runtime: `crate::runtime` inside salesync.
#[derive(Debug, Clone)]
pub struct Runtime {
    path: String,
    clients: Option<String>,
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
    fn tokens(&self) -> TokenStream {
        self.path.parse().expect("the runtime path is a Rust path")
    }

    /// `runtime::<item>` as a string, for serde's `deserialize_with`.
    fn item(&self, item: &str) -> String {
        format!("{}::{item}", self.path)
    }
}

/// The tokens of one endpoint's module.
pub fn module(module: &Module, rt: &Runtime) -> TokenStream {
    let doc = names::module_doc(module.endpoint.doc.as_deref());
    let imports = imports(module, &rt.tokens());
    let endpoint = endpoint::operation(module, &rt.tokens());
    let call = rt.clients.as_ref().map(|clients| {
        let clients: TokenStream = clients.parse().expect("the clients path is a Rust path");
        endpoint::call(module, &clients)
    });
    let types = module.types.iter().map(|def| types::type_def(def, rt));
    quote! {
        #doc
        #imports
        #endpoint
        #call
        #(#types)*
    }
}

/// Only the imports the module uses, so generated code needs no `unused` allowances.
fn imports(module: &Module, rt: &TokenStream) -> TokenStream {
    let mut runtime = vec![
        quote!(Operation),
        quote!(EndpointMeta),
        quote!(DynOperation),
        quote!(Violation),
    ];
    if module.endpoint.batch.is_some() {
        runtime.push(quote!(Batched));
    }
    let shapes: Vec<&Shape> = module.types.iter().flat_map(shapes_of).collect();
    if shapes
        .iter()
        .any(|shape| mentions(shape, &|ty| *ty == Ty::Number))
    {
        runtime.push(quote!(Decimal));
    }
    let newtype_of_number = module
        .types
        .iter()
        .any(|def| matches!(&def.kind, TypeKind::Newtype(s) if s.ty == Ty::Number));
    if newtype_of_number {
        runtime.push(quote!(DecimalError));
    }
    if module
        .types
        .iter()
        .any(|def| def.direction == Direction::Request)
    {
        runtime.extend([quote!(Validate), quote!(Validator)]);
    }
    let request_structs = module
        .types
        .iter()
        .any(|def| def.direction == Direction::Request && matches!(def.kind, TypeKind::Struct(_)));
    if request_structs {
        runtime.extend([
            quote!(Member),
            quote!(MemberKind),
            quote!(ObjectShape),
            quote!(Shaped),
        ]);
    }
    let request_shapes = module
        .types
        .iter()
        .filter(|def| def.direction == Direction::Request)
        .flat_map(shapes_of);
    if request_shapes.into_iter().any(has_pattern) {
        runtime.push(quote!(Pattern));
    }
    let compares = module.types.iter().any(|def| match &def.kind {
        TypeKind::Struct(s) => s
            .rules
            .iter()
            .any(|rule| matches!(rule, ObjectRule::Compare { .. })),
        _ => false,
    });
    if compares {
        runtime.push(quote!(Comparison));
    }
    let serde = if module
        .types
        .iter()
        .any(|def| matches!(def.kind, TypeKind::IntEnum(_)))
    {
        quote!(
            use serde::{Deserialize, Deserializer, Serialize, Serializer};
        )
    } else {
        quote!(
            use serde::{Deserialize, Serialize};
        )
    };
    quote! {
        use #rt::{#(#runtime),*};
        #serde
    }
}

fn shapes_of(def: &crate::model::TypeDef) -> Vec<&Shape> {
    match &def.kind {
        TypeKind::Struct(s) => s.fields.iter().map(|f| &f.shape).collect(),
        TypeKind::Newtype(shape) => vec![shape],
        TypeKind::IntEnum(_) => Vec::new(),
    }
}

fn mentions(shape: &Shape, test: &dyn Fn(&Ty) -> bool) -> bool {
    test(&shape.ty) || matches!(&shape.ty, Ty::Array(items) if mentions(items, test))
}

fn has_pattern(shape: &Shape) -> bool {
    shape
        .checks
        .iter()
        .any(|check| matches!(check, Check::Pattern(_)))
        || matches!(&shape.ty, Ty::Array(items) if has_pattern(items))
}
