//! The platforms salesync talks to: a leaf module that the classifier, the errors and the clients all name.

use std::fmt;

use serde::Serialize;

/// The platform a call went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Shopline Open API.
    Shopline,
    /// Tencent Ads Marketing API.
    Tencent,
}

impl Vendor {
    /// `shopline` or `tencent`, as in the schemas' `x-endpoint.vendor`.
    pub fn as_str(self) -> &'static str {
        match self {
            Vendor::Shopline => "shopline",
            Vendor::Tencent => "tencent",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
