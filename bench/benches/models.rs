//! Serialize, validate and parse a full 50-item Tencent request and a full 100-flow Shopline request with the
//! generated models, against hand-written serde structs and `serde_json::Value`, in the same run.
//!
//!     cargo bench -p salesync-bench --bench models
//!     cargo bench -p salesync-bench --bench ratios     # the targets, as paired ratios (see BENCHMARKS.md)
//!
//! Group names are `<body>/<operation>`; function names are `generated`, `handwritten`, `value` and the
//! variants of the generated path (`generated+validate`, `runtime::parse`, `check_body`, ...).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use salesync::runtime::{parse, DynOperation};
use salesync::Validate;
use salesync_bench::{assert_same_document, fixtures, handwritten};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// One request body in its three representations, plus the endpoint that checks it.
struct Body<G, H> {
    name: &'static str,
    text: String,
    generated: G,
    handwritten: H,
    value: Value,
    operation: &'static dyn DynOperation,
}

impl<G, H> Body<G, H>
where
    G: Serialize + DeserializeOwned + Validate,
    H: Serialize + DeserializeOwned,
{
    fn new(name: &'static str, generated: G, operation: &'static dyn DynOperation) -> Self {
        let text = serde_json::to_string(&generated).unwrap();
        let handwritten: H = serde_json::from_str(&text).unwrap();
        let value: Value = serde_json::from_str(&text).unwrap();
        // The three describe the same document, and it is valid: no benchmark measures an error path.
        assert_same_document(name, &text, &serde_json::to_string(&handwritten).unwrap());
        assert_same_document(name, &text, &serde_json::to_string(&value).unwrap());
        generated.validate().unwrap();
        assert!(operation.check_body(&text).is_empty());
        Body {
            name,
            text,
            generated,
            handwritten,
            value,
            operation,
        }
    }

    fn group<'a>(&self, c: &'a mut Criterion, operation: &str) -> Group<'a> {
        let mut group = c.benchmark_group(format!("{}/{operation}", self.name));
        group.throughput(Throughput::Bytes(self.text.len() as u64));
        group
    }

    fn serialize(&self, c: &mut Criterion) {
        let mut buf = Vec::with_capacity(self.text.len() * 2);
        let mut group = self.group(c, "serialize");
        group.bench_function("generated", |b| {
            b.iter(|| {
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&self.generated)).unwrap();
                black_box(buf.len())
            })
        });
        group.bench_function("handwritten", |b| {
            b.iter(|| {
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&self.handwritten)).unwrap();
                black_box(buf.len())
            })
        });
        group.bench_function("value", |b| {
            b.iter(|| {
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&self.value)).unwrap();
                black_box(buf.len())
            })
        });
        // What a client does before sending: validate, then serialize.
        group.bench_function("generated+validate", |b| {
            b.iter(|| {
                black_box(&self.generated).validate().unwrap();
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&self.generated)).unwrap();
                black_box(buf.len())
            })
        });
        group.bench_function("validate", |b| {
            b.iter(|| black_box(&self.generated).validate().unwrap())
        });
        group.finish();
    }

    fn parse(&self, c: &mut Criterion) {
        let text = self.text.as_str();
        let mut group = self.group(c, "parse");
        group.bench_function("generated", |b| {
            b.iter(|| serde_json::from_str::<G>(black_box(text)).unwrap())
        });
        group.bench_function("handwritten", |b| {
            b.iter(|| serde_json::from_str::<H>(black_box(text)).unwrap())
        });
        group.bench_function("value", |b| {
            b.iter(|| serde_json::from_str::<Value>(black_box(text)).unwrap())
        });
        // The runtime's entry point: the same parse, with a JSON pointer on any error.
        group.bench_function("runtime::parse", |b| {
            b.iter(|| parse::from_str::<G>(black_box(text)).unwrap())
        });
        group.bench_function("generated+validate", |b| {
            b.iter(|| {
                let request = serde_json::from_str::<G>(black_box(text)).unwrap();
                request.validate().unwrap();
                request
            })
        });
        // What `salesync validate` and the mock do: parse with pointers, validate, every violation.
        group.bench_function("check_body", |b| {
            b.iter(|| {
                let found = self.operation.check_body(black_box(text));
                assert!(found.is_empty());
            })
        });
        group.finish();
    }
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(60)
}

fn tencent(c: &mut Criterion) {
    let body: Body<_, handwritten::tencent::SalesinfoAddRequest> = Body::new(
        "tencent50",
        fixtures::tencent_request(),
        &salesync::tencent::salesinfo_add::SalesinfoAdd,
    );
    eprintln!("tencent50: {} bytes", body.text.len());
    body.serialize(c);
    body.parse(c);
}

fn shopline(c: &mut Criterion) {
    let body: Body<_, handwritten::shopline::BatchSyncFlowDataRequest> = Body::new(
        "shopline100",
        fixtures::shopline_request(),
        &salesync::shopline::batch_sync_flow_data::BatchSyncFlowData,
    );
    eprintln!("shopline100: {} bytes", body.text.len());
    body.serialize(c);
    body.parse(c);
}

criterion_group! {
    name = benches;
    config = config();
    targets = tencent, shopline
}
criterion_main!(benches);
