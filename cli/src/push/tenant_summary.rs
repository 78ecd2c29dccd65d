//! The report of a fleet push (`--tenants`): the run's totals as for one tenant, then each tenant's.
//!
//! For a person: the totals, then the tenants with something left to do (rows rejected, failed or not sent,
//! or stopped by the platform), at most [`LISTED`] of them, and how many had nothing left. With `--json`:
//! `{"tenants": [one object per tenant of the file], "unassigned": {...}, "total": {the summary of one
//! tenant's push}}`.
//!
//! Exit status: as for one tenant, over all of them (130 interrupted, 2 a local error, 1 rows rejected, failed
//! or not sent in some tenant), except that a tenant the platform stopped is not the end of the run: 3 only
//! when the platform stopped tenants and no row of any tenant got through (delivered now or confirmed by an
//! earlier run), else its failed rows make it 1.

use serde::Serialize;

use super::roster::Roster;
use super::summary::{self, Ending, Files, Summary, Tally};
use crate::status::Status;

/// Tenants listed by name in the summary for a person; `--json` lists every one.
const LISTED: usize = 20;

/// What a fleet push reports.
pub struct Report<'a> {
    pub tally: &'a Tally,
    pub ending: &'a Ending,
    pub files: &'a Files,
    pub roster: &'a Roster,
}

/// One tenant's line of the JSON report.
#[derive(Serialize)]
struct TenantLine<'a> {
    tenant: &'a str,
    read: u64,
    sent: u64,
    rejected: u64,
    invalid: u64,
    refused: u64,
    failed: u64,
    skipped: u64,
    unsent: u64,
    /// Why the platform stopped it.
    stopped: Option<&'a str>,
}

impl<'a> TenantLine<'a> {
    fn new(tenant: &'a str, tally: &Tally, stopped: Option<&'a str>) -> Self {
        TenantLine {
            tenant,
            read: tally.read,
            sent: tally.sent,
            rejected: tally.rejected(),
            invalid: tally.invalid,
            refused: tally.refused,
            failed: tally.failed,
            skipped: tally.skipped,
            unsent: tally.unsent,
            stopped,
        }
    }
}

impl Report<'_> {
    /// The exit status (see the module's text).
    pub fn exit_code(&self) -> Status {
        let code = summary::exit_code(self.tally, self.ending);
        let stopped = self.roster.stopped.iter().any(Option::is_some);
        let through = self.tally.sent + self.tally.skipped;
        if code == Status::Invalid && stopped && through == 0 {
            return Status::Platform;
        }
        code
    }

    /// Whether a tenant has something left to do.
    fn left(&self, tally: &Tally, stopped: bool) -> bool {
        stopped
            || tally.rejected() > 0
            || tally.failed > 0
            || (tally.unsent > 0 && !self.ending.dry_run)
    }

    /// The report for a person.
    pub fn human(&self) -> String {
        let mut out = summary::human(self.tally, self.ending, self.files);
        let roster = self.roster;
        let listed: Vec<usize> = (0..roster.ids.len())
            .filter(|&n| self.left(&roster.tallies[n], roster.stopped[n].is_some()))
            .collect();
        let tenants = roster.ids.len();
        out.push_str(&format!(
            "tenants: {tenants}: {} with nothing left to do, {} with rows rejected, failed or not sent{}\n",
            tenants - listed.len(),
            listed.len(),
            if listed.is_empty() { "" } else { ":" }
        ));
        let width = listed
            .iter()
            .take(LISTED)
            .map(|&n| roster.ids[n].len())
            .max()
            .unwrap_or(0);
        for &n in listed.iter().take(LISTED) {
            let tally = &roster.tallies[n];
            let id = roster.ids[n].as_str();
            let mut line = if self.ending.dry_run {
                format!(
                    "  {id:<width$}  {} rejected, {} valid",
                    tally.rejected(),
                    tally.unsent
                )
            } else {
                format!(
                    "  {id:<width$}  {} sent, {} rejected, {} failed, {} skipped, {} not sent",
                    tally.sent,
                    tally.rejected(),
                    tally.failed,
                    tally.skipped,
                    tally.unsent
                )
            };
            if let Some(why) = &roster.stopped[n] {
                line.push_str(&format!("; stopped: {why}"));
            }
            out.push_str(&line);
            out.push('\n');
        }
        if listed.len() > LISTED {
            out.push_str(&format!(
                "  ... and {} more (--json lists every tenant)\n",
                listed.len() - LISTED
            ));
        }
        let unassigned = &roster.unassigned;
        if unassigned.read > 0 {
            out.push_str(&format!(
                "  {} row(s) naming no tenant of the tenants file: rejected (see {})\n",
                unassigned.read, self.files.rejects
            ));
        }
        out
    }

    /// The report as one JSON object.
    pub fn json(&self) -> String {
        #[derive(Serialize)]
        struct Unassigned {
            read: u64,
            rejected: u64,
        }
        #[derive(Serialize)]
        struct Whole<'a> {
            tenants: Vec<TenantLine<'a>>,
            unassigned: Unassigned,
            total: Summary<'a>,
        }
        let roster = self.roster;
        let tenants = (0..roster.ids.len())
            .map(|n| {
                TenantLine::new(
                    roster.ids[n].as_str(),
                    &roster.tallies[n],
                    roster.stopped[n].as_deref(),
                )
            })
            .collect();
        let whole = Whole {
            tenants,
            unassigned: Unassigned {
                read: roster.unassigned.read,
                rejected: roster.unassigned.rejected(),
            },
            total: Summary::new(self.tally, self.ending, self.files, self.exit_code() as u8),
        };
        serde_json::to_string(&whole).expect("the report serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roster() -> Roster {
        let mut roster = Roster::new(
            ["shop-a", "shop-b", "shop-c"].map(|id| (id.to_owned(), String::new())),
            false,
        );
        roster.tallies[0] = Tally {
            read: 3,
            sent: 3,
            ..Tally::default()
        };
        roster.tallies[1] = Tally {
            read: 2,
            failed: 2,
            ..Tally::default()
        };
        roster.stopped[1] = Some("shopline API error (HTTP 401)".to_owned());
        roster.tallies[2] = Tally {
            read: 2,
            sent: 1,
            invalid: 1,
            ..Tally::default()
        };
        roster.unassigned = Tally {
            read: 1,
            invalid: 1,
            ..Tally::default()
        };
        roster
    }

    fn files() -> Files {
        Files {
            rejects: "in.rejects.jsonl".into(),
            checkpoint: Some("in.checkpoint".into()),
            failed: Some("in.failed.jsonl".into()),
        }
    }

    #[test]
    fn each_tenant_with_something_left_is_listed_and_json_lists_all() {
        let roster = roster();
        let tally = roster.sum();
        assert_eq!((tally.read, tally.accounted()), (8, 8));
        let (ending, files) = (Ending::default(), files());
        let report = Report {
            tally: &tally,
            ending: &ending,
            files: &files,
            roster: &roster,
        };
        assert_eq!(report.exit_code() as u8, 1);
        let text = report.human();
        assert!(text.starts_with("done: 8 rows read\n"), "{text}");
        assert!(
            text.contains(
                "tenants: 3: 1 with nothing left to do, 2 with rows rejected, failed or not sent:"
            ),
            "{text}"
        );
        assert!(
            text.contains("  shop-b  0 sent, 0 rejected, 2 failed, 0 skipped, 0 not sent; stopped: shopline API error (HTTP 401)"),
            "{text}"
        );
        assert!(text.contains("  shop-c  1 sent, 1 rejected,"), "{text}");
        assert!(!text.contains("  shop-a "), "{text}");
        assert!(text.contains("1 row(s) naming no tenant"), "{text}");
        let value: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
        assert_eq!(value["tenants"].as_array().unwrap().len(), 3);
        assert_eq!(value["tenants"][1]["tenant"], "shop-b");
        assert_eq!(value["tenants"][1]["failed"], 2);
        assert_eq!(
            value["tenants"][1]["stopped"],
            "shopline API error (HTTP 401)"
        );
        assert_eq!(value["tenants"][0]["stopped"], serde_json::Value::Null);
        assert_eq!(value["unassigned"]["rejected"], 1);
        assert_eq!(value["total"]["read"], 8);
        assert_eq!(value["total"]["exit_status"], 1);
        assert_eq!(value["total"]["failed_file"], "in.failed.jsonl");
    }

    #[test]
    fn exit_3_only_when_nothing_got_through_to_any_tenant() {
        let mut roster = roster();
        let (ending, files) = (Ending::default(), files());
        for n in [0, 2] {
            roster.tallies[n].sent = 0;
            roster.tallies[n].failed = roster.tallies[n].read - roster.tallies[n].invalid;
            roster.stopped[n] = Some("refused".into());
        }
        let tally = roster.sum();
        let report = Report {
            tally: &tally,
            ending: &ending,
            files: &files,
            roster: &roster,
        };
        assert_eq!(report.exit_code() as u8, 3);
        // One row confirmed by an earlier run: something got through.
        roster.tallies[0].failed -= 1;
        roster.tallies[0].skipped += 1;
        let tally = roster.sum();
        let report = Report {
            tally: &tally,
            ending: &ending,
            files: &files,
            roster: &roster,
        };
        assert_eq!(report.exit_code() as u8, 1);
        assert!(report.human().contains("0 with nothing left to do, 3 with"));
    }
}
