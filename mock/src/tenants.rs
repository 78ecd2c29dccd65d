//! Many Shopline stores and Tencent accounts on one mock: each tenant's own token, a refusal a test can switch
//! on, and counts of what the tenant was answered, so a client serving a fleet is tested offline.
//!
//! A tenant is one entry in a `HashMap`: no task, no preallocated storage, and its bucket is created only
//! when it first calls, so registering 10,000 stores costs a few hundred bytes each.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use salesync::{ErrorClass, Vendor};

use crate::reply::{Outcome, Reply};

/// What one store or account was answered since it was registered (or since
/// [`MockServer::reset`](crate::MockServer::reset)): the figures a fleet test asserts per tenant, such as
/// "no bucket refusals" or "the refused store stored nothing".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TenantCounts {
    /// Requests whose records were stored: answered 200 (Shopline) or code 0 (Tencent), or stored and then
    /// failed by a [`Fault::StoreThenFail`](crate::Fault::StoreThenFail).
    pub accepted: u64,
    /// Records held for the tenant, each natural key once (a redelivery does not add one): Shopline flows
    /// (their nodes aside), Tencent salesinfo items.
    pub records: u64,
    /// Rate-limit answers, as the client classifies them (`ErrorClass::RateLimited`): any 429 and Tencent's
    /// rate-limit codes, injected faults included.
    pub rate_limited: u64,
    /// Of those, refusals by the mock's own Shopline bucket: what a client pacing itself under the documented
    /// limit never gets.
    pub bucket_refused: u64,
    /// Requests refused for the tenant's credentials: a missing or wrong token (401, 11002) or a refusal set
    /// with `refuse_store` / `refuse_account`.
    pub refused: u64,
}

/// Sums tenants' counts, e.g. `counts.stores.values().sum()` for every store at once.
impl<'a> std::iter::Sum<&'a TenantCounts> for TenantCounts {
    fn sum<I: Iterator<Item = &'a TenantCounts>>(iter: I) -> Self {
        iter.fold(TenantCounts::default(), |mut total, counts| {
            total.accepted += counts.accepted;
            total.records += counts.records;
            total.rate_limited += counts.rate_limited;
            total.bucket_refused += counts.bucket_refused;
            total.refused += counts.refused;
            total
        })
    }
}

impl TenantCounts {
    /// Counts one answer to the tenant.
    fn note(&mut self, vendor: Vendor, reply: &Reply) {
        match reply.outcome {
            Outcome::Other => {}
            Outcome::Stored { new_records } => {
                self.accepted += 1;
                self.records += new_records as u64;
            }
            Outcome::BucketRefused => self.bucket_refused += 1,
            Outcome::CredentialsRefused => self.refused += 1,
        }
        let class = ErrorClass::of_answer(vendor, reply.status.as_u16(), reply.tencent_code);
        if !reply.drop && class == ErrorClass::RateLimited {
            self.rate_limited += 1;
        }
    }
}

/// Every registered tenant's [`TenantCounts`], from
/// [`MockServer::tenant_counts`](crate::MockServer::tenant_counts), in key order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetCounts {
    /// Shopline stores by handle.
    pub stores: BTreeMap<String, TenantCounts>,
    /// Tencent accounts by `account_id`.
    pub accounts: BTreeMap<i64, TenantCounts>,
}

impl FleetCounts {
    /// The sum over every store and account: one assertion for a whole fleet (e.g. no bucket refusal at all).
    pub fn total(&self) -> TenantCounts {
        self.stores.values().chain(self.accounts.values()).sum()
    }
}

/// One store or account: its token, the refusal a test set (an HTTP status or a Tencent code), its counts.
struct Tenant<R> {
    token: String,
    refusal: Option<R>,
    counts: TenantCounts,
}

impl<R> Tenant<R> {
    fn new(token: String) -> Self {
        Tenant {
            token,
            refusal: None,
            counts: TenantCounts::default(),
        }
    }
}

/// What the registry says of a request to a store, before its body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreVerdict {
    /// No store has this handle: 404.
    Unknown,
    /// Not the store's token: 401, as any wrong token.
    WrongToken,
    /// The store's token, but a test refused the store with this status.
    Refused(u16),
    /// The store's token: go on.
    Allowed,
}

/// What the registry says of a Tencent request's token and `account_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountVerdict {
    /// No account is registered: the mock's tokens apply to every account, as before fleets.
    NoAccounts,
    /// The account's own token (or, when the body names no readable account, a token the mock knows; the body
    /// checks answer next).
    Allowed,
    /// Not the account's token, or a token the mock does not know at all: 11002.
    WrongToken,
    /// A token the mock knows, for an account not registered: the account is not permitted.
    NotPermitted,
    /// The account's token, but a test refused the account with this code.
    Refused(i64),
}

/// The registered stores (by handle) and accounts (by `account_id`).
#[derive(Default)]
pub(crate) struct Tenants {
    stores: HashMap<String, Tenant<u16>>,
    accounts: HashMap<i64, Tenant<i64>>,
}

impl Tenants {
    /// Registers a store, or gives a registered one a new token (its counts and refusal stay).
    pub(crate) fn add_store(&mut self, handle: String, token: String) {
        match self.stores.entry(handle) {
            Entry::Occupied(mut store) => store.get_mut().token = token,
            Entry::Vacant(slot) => {
                slot.insert(Tenant::new(token));
            }
        }
    }

    /// Registers an account, or gives a registered one a new token (its counts and refusal stay).
    pub(crate) fn add_account(&mut self, account_id: i64, token: String) {
        match self.accounts.entry(account_id) {
            Entry::Occupied(mut account) => account.get_mut().token = token,
            Entry::Vacant(slot) => {
                slot.insert(Tenant::new(token));
            }
        }
    }

    pub(crate) fn has_accounts(&self) -> bool {
        !self.accounts.is_empty()
    }

    /// Sets (`Some`) or clears a store's refusal; `false` when no store has that handle.
    pub(crate) fn set_store_refusal(&mut self, handle: &str, status: Option<u16>) -> bool {
        self.stores
            .get_mut(handle)
            .map(|store| store.refusal = status)
            .is_some()
    }

    /// Sets (`Some`) or clears an account's refusal; `false` when the account is not registered.
    pub(crate) fn set_account_refusal(&mut self, account_id: i64, code: Option<i64>) -> bool {
        self.accounts
            .get_mut(&account_id)
            .map(|account| account.refusal = code)
            .is_some()
    }

    pub(crate) fn store_verdict(&self, handle: &str, token: Option<&str>) -> StoreVerdict {
        match self.stores.get(handle) {
            None => StoreVerdict::Unknown,
            Some(store) if token != Some(store.token.as_str()) => StoreVerdict::WrongToken,
            Some(store) => store
                .refusal
                .map_or(StoreVerdict::Allowed, StoreVerdict::Refused),
        }
    }

    pub(crate) fn has_store(&self, handle: &str) -> bool {
        self.stores.contains_key(handle)
    }

    /// `known` says whether the mock's own tokens include `token`. An account not registered costs a scan of
    /// the accounts' tokens (to tell an unknown token, 11002, from an account not permitted, 12203): an error
    /// path, microseconds for 10,000 accounts, where a second map of tokens would cost memory on every one.
    pub(crate) fn account_verdict(
        &self,
        account_id: Option<i64>,
        token: &str,
        known: bool,
    ) -> AccountVerdict {
        if self.accounts.is_empty() {
            return AccountVerdict::NoAccounts;
        }
        match account_id.and_then(|id| self.accounts.get(&id)) {
            Some(account) if account.token != token => AccountVerdict::WrongToken,
            Some(account) => account
                .refusal
                .map_or(AccountVerdict::Allowed, AccountVerdict::Refused),
            None if !known && !self.accounts.values().any(|a| a.token == token) => {
                AccountVerdict::WrongToken
            }
            None if account_id.is_some() => AccountVerdict::NotPermitted,
            None => AccountVerdict::Allowed,
        }
    }

    /// Counts an answer to a registered store (nothing for an unknown handle).
    pub(crate) fn note_store(&mut self, handle: &str, reply: &Reply) {
        if let Some(store) = self.stores.get_mut(handle) {
            store.counts.note(Vendor::Shopline, reply);
        }
    }

    /// Counts an answer to a registered account (nothing for one not registered).
    pub(crate) fn note_account(&mut self, account_id: i64, reply: &Reply) {
        if let Some(account) = self.accounts.get_mut(&account_id) {
            account.counts.note(Vendor::Tencent, reply);
        }
    }

    pub(crate) fn store_counts(&self, handle: &str) -> Option<TenantCounts> {
        self.stores.get(handle).map(|store| store.counts)
    }

    pub(crate) fn account_counts(&self, account_id: i64) -> Option<TenantCounts> {
        self.accounts.get(&account_id).map(|account| account.counts)
    }

    pub(crate) fn counts(&self) -> FleetCounts {
        FleetCounts {
            stores: self
                .stores
                .iter()
                .map(|(handle, store)| (handle.clone(), store.counts))
                .collect(),
            accounts: self
                .accounts
                .iter()
                .map(|(id, account)| (*id, account.counts))
                .collect(),
        }
    }

    /// Zeroes every tenant's counts (the records they counted are gone); registrations and refusals stay.
    pub(crate) fn clear_counts(&mut self) {
        let stores = self.stores.values_mut().map(|store| &mut store.counts);
        let accounts = self
            .accounts
            .values_mut()
            .map(|account| &mut account.counts);
        stores
            .chain(accounts)
            .for_each(|counts| *counts = TenantCounts::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenants() -> Tenants {
        let mut tenants = Tenants::default();
        tenants.add_store("a".into(), "token-a".into());
        tenants.add_account(1, "token-1".into());
        tenants
    }

    #[test]
    fn a_store_takes_its_own_token_only() {
        let mut tenants = tenants();
        assert_eq!(
            tenants.store_verdict("a", Some("token-a")),
            StoreVerdict::Allowed
        );
        assert_eq!(
            tenants.store_verdict("a", Some("token-b")),
            StoreVerdict::WrongToken
        );
        assert_eq!(tenants.store_verdict("a", None), StoreVerdict::WrongToken);
        assert_eq!(
            tenants.store_verdict("b", Some("token-a")),
            StoreVerdict::Unknown
        );
        assert!(tenants.set_store_refusal("a", Some(423)));
        assert_eq!(
            tenants.store_verdict("a", Some("token-a")),
            StoreVerdict::Refused(423)
        );
        assert!(!tenants.set_store_refusal("b", Some(423)));
        // A new token replaces the old one; the refusal stays.
        tenants.add_store("a".into(), "token-a2".into());
        assert_eq!(
            tenants.store_verdict("a", Some("token-a")),
            StoreVerdict::WrongToken
        );
        assert_eq!(
            tenants.store_verdict("a", Some("token-a2")),
            StoreVerdict::Refused(423)
        );
    }

    #[test]
    fn accounts_check_the_token_then_the_permission() {
        let mut tenants = tenants();
        let verdict = |t: &Tenants, id, token, known| t.account_verdict(id, token, known);
        assert_eq!(
            verdict(&tenants, Some(1), "token-1", false),
            AccountVerdict::Allowed
        );
        // Another known token, even the mock's own, is not this account's.
        assert_eq!(
            verdict(&tenants, Some(1), "mock", true),
            AccountVerdict::WrongToken
        );
        assert_eq!(
            verdict(&tenants, Some(2), "token-1", false),
            AccountVerdict::NotPermitted
        );
        assert_eq!(
            verdict(&tenants, Some(2), "mock", true),
            AccountVerdict::NotPermitted
        );
        assert_eq!(
            verdict(&tenants, Some(2), "nobody's", false),
            AccountVerdict::WrongToken
        );
        assert_eq!(
            verdict(&tenants, None, "token-1", false),
            AccountVerdict::Allowed
        );
        assert!(tenants.set_account_refusal(1, Some(12201)));
        assert_eq!(
            verdict(&tenants, Some(1), "token-1", false),
            AccountVerdict::Refused(12201)
        );
        assert!(tenants.set_account_refusal(1, None));
        assert_eq!(
            verdict(&Tenants::default(), Some(1), "x", false),
            AccountVerdict::NoAccounts
        );
    }
}
