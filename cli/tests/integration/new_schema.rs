//! A new schema file is all it takes: a copy of the workspace gets one more file in `schemas/tencent/` (the
//! fixture `codegen/tests/golden/promotion_plan_add.json`, written in plain JSON Schema 2020-12 and not a
//! real endpoint), and nothing else changes by hand. `cargo run -p codegen` accepts it, the CLI builds, and
//! `salesync validate --json tencent.promotion_plan_add` judges bodies: the valid one passes, the invalid one
//! fails at each pointer with each keyword.
//!
//! The copy builds into `target/scratch` (its own directory: building into this workspace's would overwrite
//! the `salesync` binary the other CLI tests are running) and shares this workspace's build directory for
//! the dependencies; its own crates carry a `+scratch` version so their intermediate artifacts never take
//! the place of this workspace's (a `cargo run -p codegen` after the tests would run the copy's codegen).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .unwrap()
}

/// This workspace's target directory, where this test's own build is.
fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/new_schema-<hash>
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// `target/scratch`, beside this test's own build.
fn scratch_target() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/debug/deps/new_schema-<hash>
    exe.ancestors().nth(3).unwrap().join("scratch")
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The workspace's sources (what a clean clone holds, minus tests and benchmarks' data) in `dir`.
fn copy_workspace(dir: &Path) {
    let root = workspace();
    for file in ["Cargo.toml", "Cargo.lock", "README.md"] {
        fs::copy(root.join(file), dir.join(file)).unwrap();
    }
    for folder in [
        "src",
        "generated",
        "schemas",
        "codegen",
        "cli",
        "mock",
        "bench",
        "examples",
    ] {
        copy_dir(&root.join(folder), &dir.join(folder));
    }
}

/// Gives every crate of the copy at `dir` a `+scratch` build version: cargo names a crate's artifacts in
/// the shared build directory by a hash of its package id, and the version is part of that id.
fn set_apart(dir: &Path) {
    for manifest in [
        "Cargo.toml",
        "codegen/Cargo.toml",
        "cli/Cargo.toml",
        "mock/Cargo.toml",
        "bench/Cargo.toml",
    ] {
        let path = dir.join(manifest);
        let text = fs::read_to_string(&path).unwrap();
        let package = text.find("[package]").expect("a [package] table");
        let version = package
            + text[package..]
                .find("\nversion = \"")
                .expect("a package version")
            + 1;
        let close = version
            + "version = \"".len()
            + text[version + "version = \"".len()..].find('"').unwrap();
        let apart = format!("{}+scratch{}", &text[..close], &text[close..]);
        fs::write(&path, apart).unwrap();
    }
}

/// Builds in the copy with this workspace's build directory for the intermediate artifacts (so the
/// dependencies it already compiled are not compiled again: only the copy's own crates are) and
/// `target/scratch` for the final ones (so the copy's `salesync` binary does not replace the one other CLI
/// tests are running).
fn cargo(dir: &Path, args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let build_dir = format!("build.build-dir={:?}", build_dir().display().to_string());
    let output = Command::new(cargo)
        .args(args)
        .args(["--offline", "--config", &build_dir])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", scratch_target())
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo {args:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Each file's `(pointer, rule)` pairs, from `salesync validate --json`.
fn validate(
    binary: &Path,
    dir: &Path,
    bodies: &[(&str, Value)],
) -> Vec<(bool, BTreeSet<(String, String)>)> {
    let mut args = vec![
        "validate".to_owned(),
        "--json".to_owned(),
        "tencent.promotion_plan_add".to_owned(),
    ];
    for (name, body) in bodies {
        let path = dir.join(name);
        fs::write(&path, body.to_string()).unwrap();
        args.push(path.display().to_string());
    }
    let output = Command::new(binary).args(&args).output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    stdout
        .lines()
        .map(|line| {
            let report: Value = serde_json::from_str(line).unwrap();
            let errors = report["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["pointer"].as_str().unwrap().to_owned(),
                        e["rule"].as_str().unwrap().to_owned(),
                    )
                })
                .collect();
            (report["valid"].as_bool().unwrap(), errors)
        })
        .collect()
}

fn plan(extra: Value) -> Value {
    let mut plan = json!({
        "plan_id": "p-1", "name": "双十一大促", "starts_on": "2026-11-11", "kind": "discount",
        "discount_rate": 0.8, "contact_email": "ops@example.com"
    });
    plan.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    plan
}

#[test]
fn a_schema_file_dropped_into_schemas_is_all_it_takes() {
    let dir = std::env::temp_dir().join(format!("salesync-new-schema-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    copy_workspace(&dir);
    set_apart(&dir);
    let fixture = workspace().join("codegen/tests/golden/promotion_plan_add.json");
    fs::copy(
        &fixture,
        dir.join("schemas/tencent/promotion_plan_add.json"),
    )
    .unwrap();

    cargo(&dir, &["run", "-q", "-p", "codegen"]);
    assert!(dir.join("generated/tencent/promotion_plan_add.rs").exists());
    cargo(&dir, &["build", "-q", "-p", "salesync-cli"]);
    let binary = scratch_target().join("debug/salesync");

    let valid = json!({"account_id": 1, "channel": "mini-program", "plans": [
        plan(json!({"ends_at": null, "budget": 99.99, "daily_cap": 50, "priority": 3,
            "targeting": {"by": "region", "province_codes": [440000]},
            "store_quotas": {"store-1": 5}, "schedule": [[0, 1439]], "tags": ["汉字汉字汉字汉字"]})),
        plan(json!({"kind": "gift", "gift": {"sku": "s", "quantity": 2}, "exclusive": true, "priority": 1,
            "targeting": {"by": "audience", "audience_ids": ["a"]}}))
    ]});
    let mut valid = valid;
    valid["plans"][1]
        .as_object_mut()
        .unwrap()
        .remove("discount_rate");
    let invalid = json!({"account_id": 0, "channel": "email", "plans": [
        plan(json!({"plan_id": "p 1", "starts_on": "2026-02-30", "ends_at": "soon", "budget": 0.001,
            "daily_cap": 5, "landing_url": "no scheme", "contact_email": "not-an-email",
            "targeting": {"by": "region", "province_codes": [1]}, "store_quotas": {"shop-1": -1},
            "schedule": [[0, 2000, 3]], "tags": ["汉字汉字汉字汉字汉"], "test_mode": true})),
        plan(json!({"kind": "bundle", "bundle_skus": ["a", "a"], "exclusive": true, "priority": 3,
            "daily_cap": 500, "targeting": {"by": "weather"}})),
        plan(json!({"kind": "gift", "gift": {"sku": "s"}, "contact_email": null,
            "targeting": ["region", [1]], "priority": "high"}))
    ]});
    let reports = validate(
        &binary,
        &dir,
        &[("valid.json", valid), ("invalid.json", invalid)],
    );
    assert_eq!(reports[0], (true, BTreeSet::new()), "the valid body");
    let expected: BTreeSet<(String, String)> = [
        ("/account_id", "exclusiveMinimum"),
        ("/channel", "enum"),
        ("/plans/0/plan_id", "pattern"),
        ("/plans/0/starts_on", "format"),
        ("/plans/0/ends_at", "format"),
        ("/plans/0/budget", "multipleOf"),
        ("/plans/0/daily_cap", "multipleOf"),
        ("/plans/0/landing_url", "format"),
        ("/plans/0/contact_email", "format"),
        ("/plans/0/targeting/province_codes/0", "minimum"),
        ("/plans/0/store_quotas/shop-1", "propertyNames"),
        ("/plans/0/store_quotas/shop-1", "minimum"),
        ("/plans/0/schedule/0", "maxItems"),
        ("/plans/0/schedule/0/1", "maximum"),
        ("/plans/0/tags/0", "maxLength"),
        ("/plans/0/test_mode", "const"),
        ("/plans/1/targeting/by", "oneOf"),
        ("/plans/1/bundle_skus/1", "uniqueItems"),
        ("/plans/1/discount_rate", "if-else"),
        ("/plans/1/priority", "const"),
        ("/plans/1/daily_cap", "maximum"),
        ("/plans/2/priority", "type"),
        ("/plans/2/targeting", "type"),
        ("/plans/2", "anyOf"),
        ("/plans/2/discount_rate", "if-else"),
        ("/plans/2/gift/quantity", "if-then"),
    ]
    .iter()
    .map(|(p, r)| (p.to_string(), r.to_string()))
    .collect();
    assert!(!reports[1].0, "the invalid body");
    assert_eq!(reports[1].1, expected, "the invalid body");
    fs::remove_dir_all(&dir).unwrap();
}
