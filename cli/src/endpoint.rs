//! The `<ENDPOINT>` argument: an endpoint of `salesync::ENDPOINTS`, by its `vendor.operation@version` name, or
//! by `vendor.operation` for the operation's default version.

use std::fmt;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use salesync::runtime::DynOperation;

/// An endpoint generated from `schemas/`.
#[derive(Clone, Copy)]
pub struct Endpoint(pub &'static dyn DynOperation);

impl Endpoint {
    /// The endpoint called `name` (`vendor.operation@version`, or `vendor.operation` for the default
    /// version), if the schemas define one.
    pub fn find(name: &str) -> Option<Self> {
        salesync::ENDPOINTS
            .iter()
            .copied()
            .find(|operation| {
                let meta = operation.meta();
                meta.versioned_name() == name || (meta.default && meta.name() == name)
            })
            .map(Endpoint)
    }

    /// The argument parser: the known names are the possible values, so `--help` lists them and an unknown
    /// name is a usage error (exit 2) that lists them too, with a suggestion when one is close.
    pub fn parser() -> impl TypedValueParser<Value = Endpoint> {
        let names = salesync::ENDPOINTS.iter().flat_map(|operation| {
            let meta = operation.meta();
            let bare = meta.default.then(|| PossibleValue::new(meta.name()));
            bare.into_iter()
                .chain(std::iter::once(PossibleValue::new(meta.versioned_name())))
        });
        PossibleValuesParser::new(names)
            .map(|name| Endpoint::find(&name).expect("every possible value names an endpoint"))
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.meta().versioned_name())
    }
}
