//! A tenant of a fleet: its id (the Shopline store handle, the Tencent account id) and what its client needs
//! of its own.

use std::borrow::Borrow;
use std::fmt;
use std::sync::Arc;

use super::super::auth::Credential;
use super::super::pacing::PaceState;
use super::super::secret::Secret;
use super::super::TokenProvider;

/// A tenant's id: the Shopline store handle, the Tencent `account_id` as text. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(Arc<str>);

impl TenantId {
    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for TenantId {
    fn from(id: &str) -> Self {
        TenantId(Arc::from(id))
    }
}

impl From<String> for TenantId {
    fn from(id: String) -> Self {
        TenantId(Arc::from(id))
    }
}

impl From<i64> for TenantId {
    /// A Tencent `account_id`.
    fn from(id: i64) -> Self {
        TenantId::from(id.to_string())
    }
}

impl Borrow<str> for TenantId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for TenantId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for TenantId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl serde::Serialize for TenantId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// One tenant to add to a [`Fleet`](super::Fleet): its id and credential, and optionally its own base URL and
/// the pace state an earlier process left.
#[derive(Debug, Clone)]
pub struct Tenant {
    pub(super) id: TenantId,
    pub(super) credential: Option<Credential>,
    pub(super) base_url: Option<String>,
    pub(super) pace_state: Option<PaceState>,
}

impl Tenant {
    /// A tenant by its id (store handle, account id); it needs a token.
    pub fn new(id: impl Into<TenantId>) -> Self {
        Tenant {
            id: id.into(),
            credential: None,
            base_url: None,
            pace_state: None,
        }
    }

    /// Its id.
    pub fn id(&self) -> &TenantId {
        &self.id
    }

    /// A fixed access token.
    pub fn access_token(mut self, token: impl Into<Secret>) -> Self {
        self.credential = Some(Credential::Fixed(token.into()));
        self
    }

    /// A token provider: asked before the tenant's first call and again when the platform refuses its token.
    pub fn token_provider(mut self, provider: Arc<dyn TokenProvider>) -> Self {
        self.credential = Some(Credential::provider(provider));
        self
    }

    /// Its own base URL, instead of the fleet's.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Where its bucket stood when an earlier process stopped ([`Fleet::pace_state`](super::Fleet::pace_state)).
    pub fn pace_state(mut self, state: PaceState) -> Self {
        self.pace_state = Some(state);
        self
    }
}
