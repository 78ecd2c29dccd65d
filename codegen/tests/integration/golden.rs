//! Golden-file tests of the generator: each `golden/*.json` schema generates exactly `golden/*.rs`; the schema
//! directory `golden_dir/` (endpoints sharing a file of definitions) generates exactly the files under
//! `golden_dir.expected/`; and each `errors/*.json` schema fails with exactly the diagnostics in `errors/*.txt`.
//!
//! After an intended change, rewrite the expected files with `UPDATE_GOLDEN=1 cargo test -p codegen` and
//! review the diff. The golden outputs are generated exactly as salesync's own modules are, and salesync's
//! unit tests compile and exercise them (`src/generated_constructs_tests.rs`).

use std::fs;
use std::path::{Path, PathBuf};

use codegen::{generate, generate_module, Config, Runtime};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(dir);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    files
}

fn run(schema: &Path) -> Result<String, String> {
    let text = fs::read_to_string(schema).unwrap();
    let name = schema.file_name().unwrap().to_string_lossy();
    generate_module(
        &name,
        &text,
        &Runtime::new("crate::runtime").with_clients("crate"),
    )
    .map_err(|found| found.to_string())
}

/// Compares `actual` with the file at `expected`, or rewrites it under `UPDATE_GOLDEN=1`.
fn assert_golden(expected: &Path, actual: &str) {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(expected, actual).unwrap();
        return;
    }
    let wanted = fs::read_to_string(expected).unwrap_or_else(|_| {
        panic!(
            "{} is missing: run with UPDATE_GOLDEN=1",
            expected.display()
        )
    });
    if wanted != actual {
        let line = wanted
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0)
            + 1;
        panic!(
            "{} differs from the generator's output, first at line {line}; rerun with UPDATE_GOLDEN=1 and review the diff",
            expected.display()
        );
    }
}

#[test]
fn schemas_generate_their_golden_modules() {
    for schema in fixtures("golden") {
        let generated = run(&schema).unwrap_or_else(|err| panic!("{}:\n{err}", schema.display()));
        assert_golden(&schema.with_extension("rs"), &generated);
    }
}

#[test]
fn bad_schemas_fail_with_their_golden_diagnostics() {
    for schema in fixtures("errors") {
        match run(&schema) {
            Ok(_) => panic!("{} generated code but should have failed", schema.display()),
            Err(diagnostics) => assert_golden(&schema.with_extension("txt"), &diagnostics),
        }
    }
}

#[test]
fn generation_is_deterministic() {
    for schema in fixtures("golden") {
        assert_eq!(run(&schema), run(&schema));
    }
}

#[test]
fn a_schema_directory_generates_its_golden_files() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let config = Config {
        schema_dir: root.join("golden_dir"),
        out_dir: root.join("golden_dir.expected"),
        runtime: Runtime::new("crate::runtime").with_clients("crate"),
    };
    let files = generate(&config).unwrap_or_else(|found| panic!("{found}"));
    for file in &files {
        let expected = config.out_dir.join(&file.path);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::create_dir_all(expected.parent().unwrap()).unwrap();
        }
        assert_golden(&expected, &file.contents);
    }
    let paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        paths,
        [
            "acme/common.rs",
            "acme/mod.rs",
            "acme/put_widgets.rs",
            "acme/remove_widgets.rs",
            "mod.rs"
        ]
    );
}

#[test]
fn every_problem_of_every_file_is_reported_in_one_run() {
    let errors = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/errors");
    let scratch = std::env::temp_dir().join(format!("salesync-codegen-all-{}", std::process::id()));
    let vendor = scratch.join("acme");
    fs::create_dir_all(&vendor).unwrap();
    for file in [
        "unknown_keyword.json",
        "bad_rules.json",
        "inline_name_taken.json",
    ] {
        fs::copy(errors.join(file), vendor.join(file)).unwrap();
    }
    let config = Config {
        schema_dir: scratch.clone(),
        out_dir: scratch.join("out"),
        runtime: Runtime::new("crate::runtime"),
    };
    let found = generate(&config).unwrap_err();
    fs::remove_dir_all(&scratch).unwrap();
    for file in [
        "unknown_keyword.json",
        "bad_rules.json",
        "inline_name_taken.json",
    ] {
        let expected = fs::read_to_string(errors.join(file).with_extension("txt")).unwrap();
        for line in expected.lines() {
            let line = line.replace(&format!("error: {file}#"), &format!("error: acme/{file}#"));
            assert!(
                found.to_string().contains(&line),
                "missing: {line}\nfound:\n{found}"
            );
        }
    }
}

/// Two versions of one operation side by side: the real Shopline schema and a made-up next version that
/// exists only as this fixture (`tests/versions/`); their generated files are `versions.expected/`.
#[test]
fn two_versions_of_an_operation_generate_side_by_side() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = std::env::temp_dir().join(format!("salesync-versions-{}", std::process::id()));
    let vendor = scratch.join("shopline");
    fs::create_dir_all(&vendor).unwrap();
    fs::copy(
        root.join("../schemas/shopline/batch_sync_flow_data.json"),
        vendor.join("batch_sync_flow_data.json"),
    )
    .unwrap();
    fs::copy(
        root.join("tests/versions/batch_sync_flow_data_v20260601.json"),
        vendor.join("batch_sync_flow_data_v20260601.json"),
    )
    .unwrap();
    // Without typed calls: compiled beside the real Shopline module, two `batch_sync_flow_data` calls would clash.
    let config = Config {
        schema_dir: scratch.clone(),
        out_dir: root.join("tests/versions.expected"),
        runtime: Runtime::new("crate::runtime"),
    };
    let files = generate(&config).unwrap_or_else(|found| panic!("{found}"));
    // With typed calls: the default version's is `batch_sync_flow_data`, the other's says its version.
    let with_calls = Config {
        runtime: Runtime::new("crate::runtime").with_clients("crate"),
        ..config.clone()
    };
    let called = generate(&with_calls).unwrap();
    fs::remove_dir_all(&scratch).unwrap();
    let text = |name: &str| {
        &called
            .iter()
            .find(|f| f.path.ends_with(name))
            .unwrap()
            .contents
    };
    assert!(text("v20260601.rs").contains("pub async fn batch_sync_flow_data("));
    assert!(text("v20260301.rs").contains("pub async fn batch_sync_flow_data_v20260301("));
    for file in &files {
        let expected = config.out_dir.join(&file.path);
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            fs::create_dir_all(expected.parent().unwrap()).unwrap();
        }
        assert_golden(&expected, &file.contents);
    }
    let paths: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    assert_eq!(
        paths,
        [
            "mod.rs",
            "shopline/batch_sync_flow_data/mod.rs",
            "shopline/batch_sync_flow_data/v20260301.rs",
            "shopline/batch_sync_flow_data/v20260601.rs",
            "shopline/mod.rs",
        ]
    );
}
