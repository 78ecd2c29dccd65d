//! The generator: time to regenerate every schema in `schemas/` (read, lower, emit, format), as
//! `cargo run -p codegen` does before writing the files.
//!
//!     cargo bench -p salesync-bench --bench codegen

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use codegen::{generate, Config};
use criterion::{criterion_group, criterion_main, Criterion};

fn regenerate(c: &mut Criterion) {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let config = Config::for_workspace(&workspace);
    let files = generate(&config).expect("the schemas generate");
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    let bytes: usize = files.iter().map(|f| f.contents.len()).sum();
    eprintln!(
        "codegen: {} files, {lines} lines, {bytes} bytes of generated code",
        files.len()
    );
    // The generated code must be what is checked in, or the numbers describe something else.
    assert!(
        codegen::drift(&config.out_dir, &files).unwrap().is_empty(),
        "generated/ is not what the schemas generate: run `cargo run -p codegen` first"
    );
    c.bench_function("codegen/generate_all", |b| {
        b.iter(|| generate(black_box(&config)).unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5))
        .sample_size(30);
    targets = regenerate
}
criterion_main!(benches);
