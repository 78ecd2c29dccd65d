//! The targets of BENCHMARKS.md as paired ratios: each comparison alternates its two sides in short batches
//! (A then B, then B then A, ...) and reports the median of the per-round time ratios with its quartiles.
//! On a shared 2-core VM, criterion's absolute times drift by 10-40% between runs; a ratio taken within one
//! round, a few milliseconds apart, does not.
//!
//!     cargo bench -p salesync-bench --bench ratios
//!
//! `ROUNDS` (default 101) sets the number of rounds.

use std::hint::black_box;
use std::time::{Duration, Instant};

use salesync::runtime::{parse, DynOperation};
use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use salesync::Validate;
use salesync_bench::{fixtures, handwritten};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

/// Time of `iters` calls of `f`.
fn batch(f: &mut dyn FnMut(), iters: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

/// Iterations for a batch of about 4 ms.
fn calibrate(f: &mut dyn FnMut()) -> u32 {
    for _ in 0..3 {
        f();
    }
    let one = batch(f, 5) / 5;
    (Duration::from_millis(4).as_nanos() / one.as_nanos().max(1)).clamp(1, 100_000) as u32
}

struct Paired {
    /// Median time of one call of each side.
    a: Duration,
    b: Duration,
    /// Quartiles and median of time(a) / time(b), per round.
    q1: f64,
    median: f64,
    q3: f64,
}

fn paired(rounds: usize, a: &mut dyn FnMut(), b: &mut dyn FnMut()) -> Paired {
    let iters = calibrate(a).min(calibrate(b));
    let (mut ratios, mut ta, mut tb) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (da, db) = if round % 2 == 0 {
            let da = batch(a, iters);
            (da, batch(b, iters))
        } else {
            let db = batch(b, iters);
            (batch(a, iters), db)
        };
        ratios.push(da.as_secs_f64() / db.as_secs_f64());
        ta.push(da / iters);
        tb.push(db / iters);
    }
    ratios.sort_by(f64::total_cmp);
    ta.sort();
    tb.sort();
    let at = |q: f64| ratios[((ratios.len() - 1) as f64 * q).round() as usize];
    Paired {
        a: ta[ta.len() / 2],
        b: tb[tb.len() / 2],
        q1: at(0.25),
        median: at(0.5),
        q3: at(0.75),
    }
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

/// A row: "A is x times as fast as B" (speed = 1 / time ratio), or "A costs +y% over B".
fn row(body: &str, what: &str, a: &str, b: &str, p: &Paired, overhead: bool, target: &str) {
    let (value, range) = if overhead {
        (
            format!("{:+.0}%", (p.median - 1.0) * 100.0),
            format!(
                "{:+.0}% .. {:+.0}%",
                (p.q1 - 1.0) * 100.0,
                (p.q3 - 1.0) * 100.0
            ),
        )
    } else {
        (
            format!("{:.2}x", 1.0 / p.median),
            format!("{:.2}x .. {:.2}x", 1.0 / p.q3, 1.0 / p.q1),
        )
    };
    println!(
        "| {body} | {what} | {a} ({}) vs {b} ({}) | {value} | {range} | {target} |",
        us(p.a),
        us(p.b)
    );
}

fn compare<G, H>(name: &str, generated: G, operation: &dyn DynOperation, rounds: usize)
where
    G: Serialize + DeserializeOwned + Validate,
    H: Serialize + DeserializeOwned,
{
    let text = serde_json::to_string(&generated).unwrap();
    let hand: H = serde_json::from_str(&text).unwrap();
    let value: Value = serde_json::from_str(&text).unwrap();
    let mut buf = Vec::with_capacity(text.len() * 2);
    let mut out = Vec::with_capacity(text.len() * 2);
    let t = text.as_str();

    let mut ser_gen = || {
        buf.clear();
        serde_json::to_writer(&mut buf, black_box(&generated)).unwrap();
    };
    let mut ser_hand = || {
        out.clear();
        serde_json::to_writer(&mut out, black_box(&hand)).unwrap();
    };
    let p = paired(rounds, &mut ser_gen, &mut ser_hand);
    row(
        name,
        "serialize",
        "generated",
        "hand-written",
        &p,
        false,
        ">= 0.95x",
    );
    let mut ser_value = || {
        out.clear();
        serde_json::to_writer(&mut out, black_box(&value)).unwrap();
    };
    let p = paired(rounds, &mut ser_gen, &mut ser_value);
    row(name, "serialize", "generated", "Value", &p, false, "");
    let mut validate_ser = || {
        black_box(&generated).validate().unwrap();
        out.clear();
        serde_json::to_writer(&mut out, black_box(&generated)).unwrap();
    };
    let p = paired(rounds, &mut validate_ser, &mut ser_gen);
    row(
        name,
        "validate + serialize",
        "generated",
        "serialize alone",
        &p,
        true,
        "<= +25%",
    );

    let mut parse_gen = || drop(black_box(serde_json::from_str::<G>(black_box(t)).unwrap()));
    let mut parse_hand = || drop(black_box(serde_json::from_str::<H>(black_box(t)).unwrap()));
    let p = paired(rounds, &mut parse_gen, &mut parse_hand);
    row(
        name,
        "parse",
        "generated",
        "hand-written",
        &p,
        false,
        ">= 0.95x",
    );
    let mut parse_value = || {
        drop(black_box(
            serde_json::from_str::<Value>(black_box(t)).unwrap(),
        ))
    };
    let p = paired(rounds, &mut parse_gen, &mut parse_value);
    row(name, "parse", "generated", "Value", &p, false, "");
    let mut parse_runtime = || drop(black_box(parse::from_str::<G>(black_box(t)).unwrap()));
    let p = paired(rounds, &mut parse_runtime, &mut parse_gen);
    row(
        name,
        "parse",
        "runtime::parse::from_str",
        "serde_json::from_str",
        &p,
        true,
        "",
    );
    let mut parse_validate = || {
        let request = serde_json::from_str::<G>(black_box(t)).unwrap();
        request.validate().unwrap();
        drop(black_box(request));
    };
    let p = paired(rounds, &mut parse_validate, &mut parse_gen);
    row(
        name,
        "parse + validate",
        "generated",
        "parse alone",
        &p,
        true,
        "<= +25%",
    );
    let mut check_body = || assert!(operation.check_body(black_box(t)).is_empty());
    let p = paired(rounds, &mut check_body, &mut parse_gen);
    row(
        name,
        "check_body",
        "check_body",
        "parse alone",
        &p,
        true,
        "",
    );
}

fn main() {
    let rounds = std::env::var("ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(101);
    println!("median of {rounds} paired rounds (quartiles); times are per call");
    println!(
        "| body | operation | A vs B | A's speed (or cost) relative to B | quartiles | target |"
    );
    println!("| --- | --- | --- | ---: | --- | --- |");
    compare::<SalesinfoAddRequest, handwritten::tencent::SalesinfoAddRequest>(
        "tencent, 50 items",
        fixtures::tencent_request(),
        &SalesinfoAdd,
        rounds,
    );
    compare::<BatchSyncFlowDataRequest, handwritten::shopline::BatchSyncFlowDataRequest>(
        "shopline, 100 flows",
        fixtures::shopline_request(),
        &BatchSyncFlowData,
        rounds,
    );
}
