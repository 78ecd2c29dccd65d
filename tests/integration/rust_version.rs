//! Every member's `rust-version` is true of the locked dependency tree: no package the member builds with (its
//! dependencies, build-dependencies and dev-dependencies, and theirs, with the workspace's features, on this
//! platform) declares a newer `rust-version` than the member does.
//!
//! Reads `cargo metadata --offline`: after `cargo test` has fetched the dependencies, nothing more is needed.
//! The platform is the host's because only its packages are fetched by a build; the others' `rust-version`s
//! (Windows, macOS, wasm) are not checked.
//!
//! When it fails: pick an older version of the named package (`cargo update -p NAME --precise VERSION`; the
//! workspace's resolver 3 already prefers versions that fit) or raise the member's `rust-version`, truthfully.

use std::collections::{BTreeMap, VecDeque};
use std::process::Command;

use serde_json::Value;

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn host() -> String {
    let output = Command::new(cargo()).arg("-vV").output().unwrap();
    assert!(output.status.success(), "cargo -vV failed");
    let text = String::from_utf8(output.stdout).unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .expect("cargo -vV names the host")
        .to_owned()
}

fn metadata() -> Value {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let output = Command::new(cargo())
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", &host(), "--manifest-path", manifest])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "cargo metadata failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `1.88` -> `[1, 88, 0]`; `1.87.0` -> `[1, 87, 0]`.
fn version(text: &str) -> [u64; 3] {
    let mut parts = text.split('.').map(|part| part.parse::<u64>().unwrap());
    [(); 3].map(|()| parts.next().unwrap_or(0))
}

struct Package<'a> {
    name: &'a str,
    version: &'a str,
    rust_version: Option<&'a str>,
}

#[test]
fn rust_version_is_what_the_locked_tree_needs() {
    let metadata = metadata();
    let packages: BTreeMap<&str, Package> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let package = Package {
                name: p["name"].as_str().unwrap(),
                version: p["version"].as_str().unwrap(),
                rust_version: p["rust_version"].as_str(),
            };
            (p["id"].as_str().unwrap(), package)
        })
        .collect();
    // Each node's dependencies with the kinds they are used as (`null` normal, "build", "dev").
    let nodes: BTreeMap<&str, Vec<(&str, Vec<&str>)>> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| {
            let deps = node["deps"]
                .as_array()
                .unwrap()
                .iter()
                .map(|dep| {
                    let kinds = dep["dep_kinds"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|kind| kind["kind"].as_str().unwrap_or("normal"))
                        .collect();
                    (dep["pkg"].as_str().unwrap(), kinds)
                })
                .collect();
            (node["id"].as_str().unwrap(), deps)
        })
        .collect();

    let mut problems = Vec::new();
    for member in metadata["workspace_members"].as_array().unwrap() {
        let member = member.as_str().unwrap();
        let Some(declared) = packages[member].rust_version else {
            problems.push(format!(
                "{} declares no rust-version (add `rust-version.workspace = true`)",
                packages[member].name
            ));
            continue;
        };
        // Breadth first from the member, remembering the path to each package. Dev-dependencies count for
        // the member itself (its tests build with them), not for its dependencies.
        let mut paths = BTreeMap::from([(member, vec![member])]);
        let mut queue = VecDeque::from([member]);
        while let Some(id) = queue.pop_front() {
            for (dep, kinds) in &nodes[id] {
                let used = kinds.iter().any(|kind| *kind != "dev" || id == member);
                if used && !paths.contains_key(dep) {
                    let mut path = paths[id].clone();
                    path.push(dep);
                    paths.insert(dep, path);
                    queue.push_back(dep);
                }
            }
        }
        for (id, path) in &paths {
            let package = &packages[id];
            if let Some(needed) = package.rust_version {
                if version(needed) > version(declared) {
                    let chain: Vec<&str> = path.iter().map(|id| packages[id].name).collect();
                    problems.push(format!(
                        "{} {} needs Rust {needed}, but {} declares rust-version {declared} ({})",
                        package.name,
                        package.version,
                        packages[member].name,
                        chain.join(" -> ")
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn versions_compare_by_number() {
    assert!(version("1.100") > version("1.88.0"));
    assert_eq!(version("1.88"), version("1.88.0"));
    assert!(version("1.88.1") > version("1.88"));
}
