//! `codegen diff`'s verdicts against what actually happens. Each case edits the fixture
//! `tests/evolution/put_orders.json` once (a member added or removed, a limit moved, an enum value added, the
//! auth changed, a type renamed, ...) and checks:
//!
//! 1. the changes `codegen diff` reports, with their wire and api verdicts;
//! 2. that the api verdict is what the compiler says: `tests/evolution/consumer.rs`, written against the
//!    OLD types, is compiled against the NEW ones in a scratch crate that depends on salesync, and compiles
//!    exactly when no change is api-breaking.
//!
//! The scratch crate is `target/evolution-consumer`; it builds into this workspace's target directory (it
//! has no binary to overwrite) with salesync as the suite's and the gate's scratch crates have it (no default
//! features, `cargo build`, not `cargo check`), so the three share one build of salesync and its dependencies,
//! and after the first case each build takes about a second.

use std::path::{Path, PathBuf};
use std::process::Command;

use codegen::{diff, generate_module, Runtime};
use serde_json::{json, Value};

fn fixture() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evolution/put_orders.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `(change, wire, api)` as `codegen diff` reports them for an edit of the fixture.
fn changes(new: &Value) -> Vec<(String, String, String)> {
    let model = |value: &Value| {
        let loaded = codegen::load::parse("put_orders.json", &value.to_string());
        codegen::lower::lower_all(&[loaded]).unwrap_or_else(|found| panic!("{found:?}"))
    };
    diff::diff(&model(&fixture()), &model(new))
        .into_iter()
        .map(|c| {
            (
                c.change.to_owned(),
                c.wire.as_str().to_owned(),
                c.api.as_str().to_owned(),
            )
        })
        .collect()
}

/// The scratch crate: the generated module (`src/api.rs`), stand-ins for the clients the typed call lives
/// on, and the consumer.
struct Consumer {
    dir: PathBuf,
    target: PathBuf,
}

impl Consumer {
    fn new() -> Consumer {
        let exe = std::env::current_exe().unwrap();
        // target/debug/deps/evolution-<hash>
        let target = exe.ancestors().nth(3).unwrap().to_path_buf();
        let dir = target.join("evolution-consumer");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .canonicalize()
            .unwrap();
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let manifest = format!(
            "[package]\nname = \"evolution-consumer\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nsalesync = {{ path = {:?}, default-features = false }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\
             serde_json = \"1\"\n\n\
             [profile.dev.package.evolution-consumer]\ndebug = false\n\n[workspace]\n",
            workspace.display().to_string()
        );
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
        let lib = "#![allow(dead_code, unused_imports, unexpected_cfgs)]\npub mod api;\nmod clients;\nmod consumer;\n";
        std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
        std::fs::write(dir.join("src/clients.rs"), CLIENTS).unwrap();
        let consumer = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/evolution/consumer.rs");
        std::fs::copy(consumer, dir.join("src/consumer.rs")).unwrap();
        Consumer { dir, target }
    }

    /// Whether the consumer compiles against what `schema` generates; the compiler's complaint if not.
    fn compiles_against(&self, schema: &Value) -> Result<(), String> {
        let runtime = Runtime::new("::salesync::runtime").with_clients("crate::clients");
        let module = generate_module("put_orders.json", &schema.to_string(), &runtime)
            .unwrap_or_else(|found| panic!("{found}"));
        std::fs::write(self.dir.join("src/api.rs"), module).unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let output = Command::new(cargo)
            .args(["build", "--offline", "--quiet", "--message-format", "short"])
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .output()
            .unwrap();
        if output.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&output.stderr).into_owned())
        }
    }
}

/// Clients the generated typed call is an inherent method of (salesync's own cannot take methods from
/// another crate): the same `call` signature.
const CLIENTS: &str = r#"
pub use salesync::{Error, Response};
use salesync::runtime::Operation;

pub struct ShoplineClient;
pub struct TencentClient;

impl ShoplineClient {
    pub async fn call<O: Operation>(&self, _: &O::Request) -> Result<Response<O::Response>, Error> {
        Err(Error::Config("a stand-in".into()))
    }
}

impl TencentClient {
    pub async fn call<O: Operation>(&self, _: &O::Request) -> Result<Response<O::Response>, Error> {
        Err(Error::Config("a stand-in".into()))
    }
}
"#;

/// An edit of the fixture and what it should be judged.
struct Case {
    name: &'static str,
    edit: fn(&mut Value),
    expected: &'static [(&'static str, &'static str, &'static str)],
}

const C: &str = "compatible";
const B: &str = "breaking";

fn order(schema: &mut Value) -> &mut Value {
    &mut schema["$defs"]["Order"]
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "optional member added to a request type",
            edit: |s| order(s)["properties"]["gift_wrap"] = json!({"type": "boolean"}),
            expected: &[("member-added", C, C)],
        },
        Case {
            name: "required member added to a request type",
            edit: |s| {
                order(s)["properties"]["currency"] = json!({"type": "string"});
                order(s)["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("currency"));
            },
            expected: &[("member-added", B, B)],
        },
        Case {
            name: "optional member added to a response type",
            edit: |s| {
                s["$defs"]["PutOrdersResponse"]["properties"]["detail"] = json!({"type": "string"})
            },
            expected: &[("member-added", C, C)],
        },
        Case {
            name: "required member added to a response type",
            edit: |s| {
                let response = &mut s["$defs"]["PutOrdersResponse"];
                response["properties"]["request_id"] = json!({"type": "string"});
                response["required"]
                    .as_array_mut()
                    .unwrap()
                    .push(json!("request_id"));
            },
            expected: &[("member-added", C, C)],
        },
        Case {
            name: "member removed from a request type",
            edit: |s| {
                _ = order(s)["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("coupon")
            },
            expected: &[("member-removed", B, B)],
        },
        Case {
            name: "optional member removed from a response type",
            edit: |s| {
                let properties = s["$defs"]["PutOrdersResponse"]["properties"]
                    .as_object_mut()
                    .unwrap();
                properties.remove("message");
            },
            expected: &[("member-removed", C, B)],
        },
        Case {
            name: "type changed",
            edit: |s| order(s)["properties"]["quantity"] = json!({"type": "string"}),
            expected: &[("type-changed", B, B)],
        },
        Case {
            name: "required member made optional in a request",
            edit: |s| order(s)["required"] = json!(["id", "amount"]),
            expected: &[("required-to-optional", C, B)],
        },
        Case {
            name: "optional member made required in a request",
            edit: |s| {
                s["$defs"]["PutOrdersRequest"]["required"] = json!(["shop", "orders", "note"])
            },
            expected: &[("optional-to-required", B, B)],
        },
        Case {
            name: "required member made optional in a response",
            edit: |s| s["$defs"]["PutOrdersResponse"]["required"] = json!([]),
            expected: &[("required-to-optional", B, B)],
        },
        Case {
            name: "batch limit tightened",
            edit: |s| s["$defs"]["PutOrdersRequest"]["properties"]["orders"]["maxItems"] = json!(5),
            expected: &[("batch-limit-tightened", B, C)],
        },
        Case {
            name: "batch limit loosened",
            edit: |s| {
                s["$defs"]["PutOrdersRequest"]["properties"]["orders"]["maxItems"] = json!(50)
            },
            expected: &[("batch-limit-loosened", C, C)],
        },
        Case {
            name: "maxLength loosened",
            edit: |s| s["$defs"]["PutOrdersRequest"]["properties"]["shop"]["maxLength"] = json!(64),
            expected: &[("limit-loosened", C, C)],
        },
        Case {
            name: "x-maxBytes tightened",
            edit: |s| {
                s["$defs"]["PutOrdersRequest"]["properties"]["shop"]["x-maxBytes"] = json!(40)
            },
            expected: &[("limit-tightened", B, C)],
        },
        Case {
            name: "minimum tightened",
            edit: |s| order(s)["properties"]["amount"]["minimum"] = json!(1),
            expected: &[("limit-tightened", B, C)],
        },
        Case {
            name: "maximum loosened",
            edit: |s| order(s)["properties"]["quantity"]["maximum"] = json!(1000),
            expected: &[("limit-loosened", C, C)],
        },
        Case {
            name: "x-decimalPlaces tightened",
            edit: |s| order(s)["properties"]["amount"]["x-decimalPlaces"] = json!(0),
            expected: &[("limit-tightened", B, C)],
        },
        Case {
            name: "pattern changed",
            edit: |s| order(s)["properties"]["id"]["pattern"] = json!("^[A-Z]{2}-[0-9]+$"),
            expected: &[("pattern-changed", B, C)],
        },
        Case {
            name: "value added to a request enum",
            edit: |s| s["$defs"]["Channel"]["enum"] = json!(["web", "shop", "app"]),
            expected: &[("enum-value-added", C, C)],
        },
        Case {
            name: "value removed from a request enum",
            edit: |s| s["$defs"]["Channel"]["enum"] = json!(["web"]),
            expected: &[("enum-value-removed", B, B)],
        },
        Case {
            name: "value added to a response enum",
            edit: |s| s["$defs"]["Status"]["enum"] = json!(["ok", "partial", "queued"]),
            expected: &[("enum-value-added", C, C)],
        },
        Case {
            name: "value removed from a response enum",
            edit: |s| s["$defs"]["Status"]["enum"] = json!(["ok"]),
            expected: &[("enum-value-removed", C, B)],
        },
        Case {
            name: "new conditional rule",
            edit: |s| {
                order(s)["if"] =
                    json!({"properties": {"channel": {"const": "web"}}, "required": ["channel"]});
                order(s)["then"] = json!({"required": ["coupon"]});
            },
            expected: &[("rule-added", B, C)],
        },
        Case {
            name: "new cross-field rule",
            edit: |s| order(s)["dependentRequired"] = json!({"coupon": ["channel"]}),
            expected: &[("rule-added", B, C)],
        },
        Case {
            name: "path changed",
            edit: |s| s["x-endpoint"]["path"] = json!("/{version}/orders/batch"),
            expected: &[("path-changed", B, C)],
        },
        Case {
            name: "method changed",
            edit: |s| s["x-endpoint"]["method"] = json!("PUT"),
            expected: &[("method-changed", B, C)],
        },
        Case {
            name: "version changed",
            edit: |s| s["x-endpoint"]["version"] = json!("v2"),
            expected: &[("version-changed", B, C)],
        },
        Case {
            name: "auth changed",
            edit: |s| s["x-endpoint"]["auth"] = json!("tencent-query-token"),
            expected: &[("auth-changed", B, B)],
        },
        Case {
            name: "definition renamed",
            edit: |s| {
                let channel = s["$defs"]
                    .as_object_mut()
                    .unwrap()
                    .remove("Channel")
                    .unwrap();
                s["$defs"]["SalesChannel"] = channel;
                order(s)["properties"]["channel"] = json!({"$ref": "#/$defs/SalesChannel"});
            },
            expected: &[("type-renamed", C, B)],
        },
    ]
}

#[test]
fn the_verdicts_of_codegen_diff_are_what_the_compiler_says() {
    let consumer = Consumer::new();
    consumer
        .compiles_against(&fixture())
        .unwrap_or_else(|err| panic!("the consumer must compile against the OLD types:\n{err}"));
    let mut failures = Vec::new();
    for case in cases() {
        let mut new = fixture();
        (case.edit)(&mut new);
        let found = changes(&new);
        let expected: Vec<(String, String, String)> = case
            .expected
            .iter()
            .map(|(c, w, a)| (c.to_string(), w.to_string(), a.to_string()))
            .collect();
        if found != expected {
            failures.push(format!(
                "{}: diff said {found:?}, expected {expected:?}",
                case.name
            ));
            continue;
        }
        let api_breaks = found.iter().any(|(_, _, api)| api == B);
        match (consumer.compiles_against(&new), api_breaks) {
            (Ok(()), false) | (Err(_), true) => {}
            (Ok(()), true) => failures.push(format!(
                "{}: api breaking, yet the consumer compiles",
                case.name
            )),
            (Err(err), false) => failures.push(format!(
                "{}: api compatible, yet the consumer fails:\n{err}",
                case.name
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn identical_trees_print_nothing_and_exit_0() {
    let schemas = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let output = Command::new(env!("CARGO_BIN_EXE_codegen"))
        .args(["diff", "--json"])
        .arg(&schemas)
        .arg(&schemas)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty());
}

#[test]
fn a_breaking_change_exits_1_and_a_schema_error_exits_2_naming_file_and_pointer() {
    let scratch = std::env::temp_dir().join(format!("salesync-evolution-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let old = scratch.join("old.json");
    std::fs::write(&old, fixture().to_string()).unwrap();
    let mut edited = fixture();
    order(&mut edited)["required"] = json!(["id", "amount"]);
    let new = scratch.join("new.json");
    std::fs::write(&new, edited.to_string()).unwrap();
    let run = |args: &[&Path]| {
        Command::new(env!("CARGO_BIN_EXE_codegen"))
            .arg("diff")
            .args(args)
            .arg("--json")
            .output()
            .unwrap()
    };
    let output = run(&[&old, &new]);
    assert_eq!(output.status.code(), Some(1));
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(
        lines,
        [json!({
            "schema": "new.json",
            "pointer": "/$defs/Order/properties/quantity",
            "change": "required-to-optional",
            "wire": "compatible",
            "api": "breaking",
            "note": "`Order.quantity` is optional now: OLD's client expects it in what it reads; in reverse, NEW's client may send what a platform still on OLD refuses."
        })]
    );
    order(&mut edited)["properties"]["quantity"]["maxLenght"] = json!(3);
    std::fs::write(&new, edited.to_string()).unwrap();
    let output = run(&[&old, &new]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("new.json#/$defs/Order/properties/quantity/maxLenght: unknown keyword"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&scratch).unwrap();
}

#[test]
fn a_change_that_breaks_only_a_rollout_says_so_in_its_note() {
    let notes = |edit: fn(&mut Value)| {
        let mut new = fixture();
        edit(&mut new);
        let model = |value: &Value| {
            let loaded = codegen::load::parse("put_orders.json", &value.to_string());
            codegen::lower::lower_all(&[loaded]).unwrap()
        };
        diff::diff(&model(&fixture()), &model(&new))
            .into_iter()
            .map(|c| c.note)
            .collect::<Vec<_>>()
    };
    // A client generated from NEW may send "app"; a platform still on OLD refuses it.
    let added = notes(|s| s["$defs"]["Channel"]["enum"] = json!(["web", "shop", "app"]));
    assert!(added[0]
        .ends_with("in reverse, NEW's client may send what a platform still on OLD refuses."));
    // A value added to a response enum: NEW's client reads everything OLD's platform sends.
    let added = notes(|s| s["$defs"]["Status"]["enum"] = json!(["ok", "partial", "queued"]));
    assert!(!added[0].contains("in reverse"), "{added:?}");
    // A required member added to a response: NEW's client misses it in what OLD's platform sends.
    let required = notes(|s| {
        let response = &mut s["$defs"]["PutOrdersResponse"];
        response["properties"]["request_id"] = json!({"type": "string"});
        response["required"]
            .as_array_mut()
            .unwrap()
            .push(json!("request_id"));
    });
    assert!(required[0]
        .ends_with("in reverse, NEW's client cannot read what a platform still on OLD sends."));
}

#[test]
fn base_compares_the_schema_directory_with_a_git_revision() {
    let repo = std::env::temp_dir().join(format!("salesync-evolution-git-{}", std::process::id()));
    let schemas = repo.join("schemas/acme");
    std::fs::create_dir_all(&schemas).unwrap();
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.com",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    std::fs::write(schemas.join("put_orders.json"), fixture().to_string()).unwrap();
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "old"]);
    let mut edited = fixture();
    edited["$defs"]["Status"]["enum"] = json!(["ok"]);
    std::fs::write(schemas.join("put_orders.json"), edited.to_string()).unwrap();
    let diff = |rev: &str| {
        Command::new(env!("CARGO_BIN_EXE_codegen"))
            .args(["diff", "--base", rev, "--json", "--schemas"])
            .arg(repo.join("schemas"))
            .output()
            .unwrap()
    };
    let output = diff("HEAD");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(line["schema"], "acme/put_orders.json");
    assert_eq!(line["change"], "enum-value-removed");
    assert_eq!(
        (line["wire"].as_str(), line["api"].as_str()),
        (Some(C), Some(B))
    );
    let output = diff("no-such-revision");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr)
        .contains("cannot read the schemas at `no-such-revision`"));
    std::fs::remove_dir_all(&repo).unwrap();
}
