//! The batch engine over the real client and the mock: a stream of rows in, every row out exactly once, in
//! requests within the batch limit and the byte budget, refused requests halved down to the bad row.

use crate::clients_common;

use std::collections::BTreeMap;

use clients_common::*;
use futures_util::StreamExt;
use salesync::client::{Row, SyncEvent, SyncOptions};
use salesync::tencent::salesinfo_add::SalesinfoAdd;

/// What became of each key, and the sizes of the delivered requests.
#[derive(Default, Debug)]
struct Seen {
    fate: BTreeMap<usize, &'static str>,
    delivered_sizes: Vec<usize>,
}

impl Seen {
    fn record(&mut self, event: SyncEvent<usize>) {
        let mut mark = |key: usize, fate: &'static str| {
            assert!(
                self.fate.insert(key, fate).is_none(),
                "row {key} came out twice"
            );
        };
        match event {
            SyncEvent::Rejected { key, violations } => {
                assert!(violations
                    .iter()
                    .all(|v| v.pointer.starts_with("/salesinfo/")));
                mark(key, "rejected");
            }
            SyncEvent::Delivered { keys, .. } => {
                self.delivered_sizes.push(keys.len());
                for key in keys {
                    mark(key, "delivered");
                }
            }
            SyncEvent::Refused { key, error } => {
                assert!(error.is_content_rejected(), "{error}");
                mark(key, "refused");
            }
            SyncEvent::Failed { keys, .. } => keys.into_iter().for_each(|key| mark(key, "failed")),
            SyncEvent::Unsent { keys } => keys.into_iter().for_each(|key| mark(key, "unsent")),
            _ => unreachable!("no other event"),
        }
    }
}

fn rows(
    n: usize,
    bad: &[usize],
) -> impl futures_util::Stream<Item = Row<usize, salesync::tencent::salesinfo_add::SalesInfo>> {
    let bad = bad.to_vec();
    futures_util::stream::iter((0..n).map(move |i| Row {
        key: i,
        item: if bad.contains(&i) {
            overpriced_item(i)
        } else {
            sales_item(i)
        },
        bytes: 200,
    }))
}

#[tokio::test]
async fn every_row_comes_out_once_in_requests_within_the_limits() {
    let mock = mock().await;
    let client = tencent(&mock).build().unwrap();
    let options = SyncOptions::default()
        .batch_rows(40)
        .batch_bytes(200 * 30)
        .concurrency(3);
    let mut events =
        client.sync_stream::<SalesinfoAdd, _, _>(tencent_envelope(), rows(230, &[17]), options);
    let mut seen = Seen::default();
    while let Some(event) = events.next().await {
        seen.record(event);
    }
    assert_eq!(seen.fate.len(), 230);
    assert_eq!(seen.fate[&17], "rejected");
    assert_eq!(
        seen.fate.values().filter(|f| **f == "delivered").count(),
        229
    );
    // The byte budget (30 rows of 200 bytes) is tighter than the row limit (40).
    assert!(
        seen.delivered_sizes.iter().all(|&n| n <= 30),
        "{:?}",
        seen.delivered_sizes
    );
    assert_eq!(events.requests(), 8);
    assert_eq!(mock.tencent_salesinfo().len(), 229);
}

#[tokio::test]
async fn a_row_the_platform_refuses_is_found_by_halving() {
    let mock = mock().await;
    let client = tencent(&mock).build().unwrap();
    // Not checked here: the platform judges the rows, and refuses the overpriced ones.
    let options = SyncOptions::default().validate(false).concurrency(2);
    let mut events =
        client.sync_stream::<SalesinfoAdd, _, _>(tencent_envelope(), rows(60, &[5, 44]), options);
    let mut seen = Seen::default();
    while let Some(event) = events.next().await {
        seen.record(event);
    }
    assert_eq!(seen.fate.len(), 60);
    let refused: Vec<usize> = seen
        .fate
        .iter()
        .filter(|(_, f)| **f == "refused")
        .map(|(k, _)| *k)
        .collect();
    assert_eq!(refused, [5, 44]);
    assert_eq!(mock.tencent_salesinfo().len(), 58);
    // Requests of 50 and 10, then two halvings of about six steps each: far fewer requests than rows.
    assert!(events.requests() <= 30, "{}", events.requests());
}

#[tokio::test]
async fn an_error_that_stops_every_request_leaves_the_rest_unsent() {
    let mock = mock().await;
    mock.push_fault(
        salesync_mock::Vendor::Tencent,
        salesync_mock::Fault::tencent(11018),
    );
    let client = tencent(&mock).build().unwrap();
    // One request at a time, so the first answer (the daily limit) comes before the others go out.
    let options = SyncOptions::default().batch_rows(10).concurrency(1);
    let mut events =
        client.sync_stream::<SalesinfoAdd, _, _>(tencent_envelope(), rows(100, &[]), options);
    let mut seen = Seen::default();
    while let Some(event) = events.next().await {
        seen.record(event);
    }
    // Rows read come out (a request failed, the one prepared behind it unsent); the rest stay unread.
    let count = |fate: &str| seen.fate.values().filter(|f| **f == fate).count();
    assert_eq!(count("failed"), 10);
    assert_eq!(count("delivered"), 0);
    assert_eq!(count("unsent"), seen.fate.len() - 10);
    assert!(
        count("unsent") >= 1 && seen.fate.len() < 100,
        "{:?}",
        seen.fate.len()
    );
    let stopped = events
        .stopped_by()
        .expect("the daily limit stops every request");
    assert_eq!(stopped.code(), Some(11018));
    assert_eq!(
        mock.requests().len(),
        1,
        "nothing was sent after the daily limit"
    );
}
