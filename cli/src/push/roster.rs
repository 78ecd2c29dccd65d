//! The tenants of a fleet push as the driver sees them: which tenant a row names (by its index), the seed of
//! each tenant's row hashes in the checkpoint, and what became of each tenant's rows.

use std::collections::HashMap;

use salesync::client::TenantId;

use super::summary::Tally;

/// A tenant's place in the roster.
pub type Index = u32;

/// The tenants of the tenants file, and the tally of each.
#[derive(Debug)]
pub struct Roster {
    /// Tencent: rows name an account by a number (`123`, `"123"`): compared as numbers.
    numeric: bool,
    by_id: HashMap<String, Index>,
    /// By index: the tenant's id.
    pub ids: Vec<TenantId>,
    /// By index: the seed of its rows' hashes (its id and envelope), so that a row confirmed for one tenant
    /// is not taken as confirmed for another.
    seeds: Vec<u64>,
    /// By index: what became of its rows.
    pub tallies: Vec<Tally>,
    /// By index: why the platform stopped it, if it did.
    pub stopped: Vec<Option<String>>,
    /// By index: rows handed to the engine and not yet reported on.
    pub in_engine: Vec<u64>,
    /// Rows that name no tenant of the file (or none at all).
    pub unassigned: Tally,
}

impl Roster {
    /// The roster of these tenants, in the file's order: each id with the fingerprint of its envelope.
    /// `numeric`: ids are account ids, compared as numbers.
    pub fn new(tenants: impl IntoIterator<Item = (String, String)>, numeric: bool) -> Self {
        let mut roster = Roster {
            numeric,
            by_id: HashMap::new(),
            ids: Vec::new(),
            seeds: Vec::new(),
            tallies: Vec::new(),
            stopped: Vec::new(),
            in_engine: Vec::new(),
            unassigned: Tally::default(),
        };
        for (id, envelope) in tenants {
            let index = roster.ids.len() as Index;
            roster.seeds.push(seed(&id, &envelope));
            roster.by_id.insert(id.clone(), index);
            roster.ids.push(TenantId::from(id));
            roster.tallies.push(Tally::default());
            roster.stopped.push(None);
            roster.in_engine.push(0);
        }
        roster
    }

    /// The tenant a row names, as written in the row.
    pub fn find(&self, named: &str) -> Option<Index> {
        if let Some(&index) = self.by_id.get(named) {
            return Some(index);
        }
        if self.numeric {
            let number: i64 = named.trim().parse().ok()?;
            return self.by_id.get(&number.to_string()).copied();
        }
        None
    }

    /// The seed of the tenant's row hashes.
    pub fn seed(&self, index: Index) -> u64 {
        self.seeds[index as usize]
    }

    /// The tally of a tenant, or of the rows naming none.
    pub fn tally(&mut self, tenant: Option<Index>) -> &mut Tally {
        match tenant {
            Some(index) => &mut self.tallies[index as usize],
            None => &mut self.unassigned,
        }
    }

    /// The sum of every tenant's tally and the unassigned rows' (what the run's total must be).
    pub fn sum(&self) -> Tally {
        let mut sum = self.unassigned;
        for tally in &self.tallies {
            sum.read += tally.read;
            sum.sent += tally.sent;
            sum.invalid += tally.invalid;
            sum.refused += tally.refused;
            sum.failed += tally.failed;
            sum.skipped += tally.skipped;
            sum.unsent += tally.unsent;
        }
        sum
    }
}

/// A tenant's seed: 64 bits of the FNV-1a fingerprint of its id and its envelope's fingerprint.
fn seed(id: &str, envelope: &str) -> u64 {
    let print = super::checkpoint::fingerprint(&["tenant", id, envelope]);
    u64::from_str_radix(&print, 16).expect("a fingerprint is hex")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_find_their_tenant_and_each_tenant_hashes_apart() {
        let roster = Roster::new(
            [
                ("123".to_owned(), "e1".to_owned()),
                ("456".to_owned(), "e1".to_owned()),
            ],
            true,
        );
        assert_eq!(roster.find("123"), Some(0));
        assert_eq!(roster.find("00456"), Some(1));
        assert_eq!(roster.find("789"), None);
        assert_eq!(roster.find("x"), None);
        assert_ne!(roster.seed(0), roster.seed(1));
        let stores = Roster::new([("shop-a".to_owned(), "e".to_owned())], false);
        assert_eq!(stores.find("shop-a"), Some(0));
        assert_eq!(stores.find("SHOP-A"), None);
        // The same tenant with another envelope (another store_id, data set) is another seed.
        let other = Roster::new([("shop-a".to_owned(), "f".to_owned())], false);
        assert_ne!(stores.seed(0), other.seed(0));
    }
}
