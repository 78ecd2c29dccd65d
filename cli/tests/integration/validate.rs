//! `salesync validate`, run as a user runs it: the real binary on the documents' examples and on broken copies.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const TENCENT: &str = "tencent.salesinfo_add";
const SHOPLINE: &str = "shopline.batch_sync_flow_data";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

/// A scratch directory of its own for each test, removed when the test ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "salesync-cli-{test}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        fs::write(&path, contents).unwrap();
        path
    }

    fn write_json(&self, name: &str, body: &Value) -> PathBuf {
        self.write(name, serde_json::to_string_pretty(body).unwrap())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn salesync(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_salesync"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the salesync binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn validate(endpoint: &str, files: &[&Path], json: bool) -> Output {
    let mut args = vec!["validate", endpoint];
    if json {
        args.push("--json");
    }
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    salesync(&args, None)
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

/// Every stdout line parsed as JSON, checking the shape of each: `file`, `valid`, `errors` and nothing else.
fn json_lines(output: &Output) -> Vec<Value> {
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    stdout
        .lines()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not a JSON line: {line:?}: {err}"));
            let object = value.as_object().expect("each line is an object");
            let mut keys: Vec<_> = object.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(keys, ["errors", "file", "valid"], "{line}");
            assert!(object["file"].is_string());
            let errors = object["errors"].as_array().expect("errors is an array");
            assert_eq!(object["valid"].as_bool(), Some(errors.is_empty()), "{line}");
            for error in errors {
                let mut keys: Vec<_> = error
                    .as_object()
                    .unwrap()
                    .keys()
                    .map(String::as_str)
                    .collect();
                keys.sort_unstable();
                assert_eq!(keys, ["message", "pointer", "rule"], "{line}");
                assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
            }
            value
        })
        .collect()
}

/// `(pointer, rule)` of each error of one JSON line.
fn errors(line: &Value) -> Vec<(String, String)> {
    line["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let field = |name: &str| e[name].as_str().unwrap().to_owned();
            (field("pointer"), field("rule"))
        })
        .collect()
}

fn pair(pointer: &str, rule: &str) -> (String, String) {
    (pointer.to_owned(), rule.to_owned())
}

#[test]
fn the_documents_examples_are_valid() {
    let cases = [
        (TENCENT, vec![fixture("tencent/doc_example.json")]),
        (
            SHOPLINE,
            vec![
                fixture("shopline/doc_example_explorer.json"),
                fixture("shopline/doc_example_strings.json"),
            ],
        ),
    ];
    for (endpoint, files) in cases {
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let output = validate(endpoint, &paths, true);
        assert_eq!(
            code(&output),
            0,
            "{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let lines = json_lines(&output);
        assert_eq!(lines.len(), files.len());
        for (line, file) in lines.iter().zip(&files) {
            assert_eq!(line["file"], file.to_str().unwrap());
            assert_eq!(line["valid"], true);
        }
        assert!(output.stderr.is_empty());
    }
}

#[test]
fn current_price_above_sku_price_is_an_x_compare_error() {
    let scratch = Scratch::new("compare");
    let mut body = fixture_json("tencent/doc_example.json");
    body["salesinfo"][0]["price"]["current_price"] = json!(11.5);
    let file = scratch.write_json("tencent.json", &body);

    let output = validate(TENCENT, &[&file], true);
    assert_eq!(code(&output), 1);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], file.to_str().unwrap());
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(
        errors(&lines[0]),
        [pair("/salesinfo/0/price/current_price", "x-compare")]
    );
}

#[test]
fn a_batch_over_its_limit_is_a_max_items_error() {
    let scratch = Scratch::new("max-items");
    let mut body = fixture_json("shopline/doc_example_explorer.json");
    let item = body["flow_data_list"][0].clone();
    body["flow_data_list"] = Value::Array(vec![item; 101]);
    let file = scratch.write_json("shopline.json", &body);

    let output = validate(SHOPLINE, &[&file], true);
    assert_eq!(code(&output), 1);
    let lines = json_lines(&output);
    assert_eq!(errors(&lines[0]), [pair("/flow_data_list", "maxItems")]);

    // The limit itself is fine.
    body["flow_data_list"].as_array_mut().unwrap().pop();
    let file = scratch.write_json("shopline-100.json", &body);
    assert_eq!(code(&validate(SHOPLINE, &[&file], true)), 0);
}

#[test]
fn every_bad_item_of_a_batch_is_reported() {
    let scratch = Scratch::new("two-items");
    let mut body = fixture_json("tencent/doc_example.json");
    let mut item = body["salesinfo"][0].clone();
    item["price"]["current_price"] = json!(12);
    body["salesinfo"] = json!([item.clone(), item.clone()]);
    let both_compare = scratch.write_json("both.json", &body);

    // One item with an unknown product_type code (and the broken rule), and one that breaks the rule.
    let mut unparsable = item.clone();
    unparsable["product_type"] = json!(99);
    body["salesinfo"] = json!([unparsable, item]);
    let mixed = scratch.write_json("mixed.json", &body);

    let output = validate(TENCENT, &[&both_compare, &mixed], true);
    assert_eq!(code(&output), 1);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 2);
    assert_eq!(
        errors(&lines[0]),
        [
            pair("/salesinfo/0/price/current_price", "x-compare"),
            pair("/salesinfo/1/price/current_price", "x-compare"),
        ]
    );
    assert_eq!(
        errors(&lines[1]),
        [
            pair("/salesinfo/0/product_type", "enum"),
            // The unknown code does not hide the rest of its item.
            pair("/salesinfo/0/price/current_price", "x-compare"),
            pair("/salesinfo/1/price/current_price", "x-compare"),
        ]
    );
}

#[test]
fn text_that_is_not_json_is_a_json_error() {
    let scratch = Scratch::new("not-json");
    let file = scratch.write("garbage.json", "this is not JSON");
    let empty = scratch.write("empty.json", "");

    let output = validate(TENCENT, &[&file, &empty], true);
    assert_eq!(code(&output), 1, "bad content is invalid, not an I/O error");
    let lines = json_lines(&output);
    assert_eq!(errors(&lines[0]), [pair("", "json")]);
    assert_eq!(errors(&lines[1]), [pair("", "json")]);
}

#[test]
fn unreadable_files_are_io_errors_and_exit_2() {
    let scratch = Scratch::new("io");
    let missing = scratch.0.join("does-not-exist.json");
    let not_utf8 = scratch.write("latin1.json", b"{\"store_id\": \"caf\xe9\"}");
    let valid = fixture("tencent/doc_example.json");

    let output = validate(TENCENT, &[&valid, &missing, &scratch.0, &not_utf8], true);
    assert_eq!(code(&output), 2);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 4, "every file is still reported");
    assert_eq!(lines[0]["valid"], true);
    for line in &lines[1..] {
        assert_eq!(line["valid"], false);
        assert_eq!(errors(line), [pair("", "io")]);
    }
    assert_eq!(lines[1]["file"], missing.to_str().unwrap());
    assert!(output.stderr.is_empty(), "no panic, no noise");
}

#[test]
fn an_unreadable_file_wins_over_an_invalid_one() {
    let scratch = Scratch::new("precedence");
    let invalid = scratch.write("invalid.json", "{}");
    let missing = scratch.0.join("missing.json");
    assert_eq!(code(&validate(TENCENT, &[&invalid], false)), 1);
    assert_eq!(code(&validate(TENCENT, &[&invalid, &missing], false)), 2);
    assert_eq!(code(&validate(TENCENT, &[&missing, &invalid], false)), 2);
}

#[test]
fn a_dash_reads_standard_input() {
    let body = fs::read(fixture("shopline/doc_example_strings.json")).unwrap();
    let output = salesync(&["validate", "--json", SHOPLINE, "-"], Some(&body));
    assert_eq!(code(&output), 0);
    let lines = json_lines(&output);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["file"], "-");

    let output = salesync(&["validate", "--json", SHOPLINE, "-"], Some(b"[1, 2"));
    assert_eq!(code(&output), 1);
    assert_eq!(errors(&json_lines(&output)[0]), [pair("", "json")]);
}

#[test]
fn human_output_lists_each_file_then_a_summary() {
    let scratch = Scratch::new("human");
    let mut body = fixture_json("tencent/doc_example.json");
    body["salesinfo"][0]["price"]["current_price"] = json!(11);
    let invalid = scratch.write_json("invalid.json", &body);
    let valid = fixture("tencent/doc_example.json");
    let missing = scratch.0.join("missing.json");

    let output = validate(TENCENT, &[&valid, &invalid], false);
    assert_eq!(code(&output), 1);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0], format!("{}: ok", valid.display()));
    assert_eq!(lines[1], format!("{}: 1 violation", invalid.display()));
    assert!(
        lines[2].starts_with("  /salesinfo/0/price/current_price: ")
            && lines[2].ends_with(" [x-compare]"),
        "{stdout}"
    );
    assert_eq!(lines[3], "2 files checked: 1 valid, 1 invalid");

    let output = validate(TENCENT, &[&missing], false);
    assert_eq!(code(&output), 2);
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.starts_with(&format!("{}: cannot read: ", missing.display())));
    assert!(stdout.contains("[io]"));
    assert!(stdout.ends_with("1 file checked: 0 valid, 0 invalid, 1 unreadable\n"));
}

#[test]
fn an_unknown_endpoint_is_a_usage_error_listing_the_known_ones() {
    let file = fixture("tencent/doc_example.json");
    let output = salesync(
        &[
            "validate",
            "tencent.salesinfo_delete",
            file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(code(&output), 2);
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains("tencent.salesinfo_delete"), "{stderr}");
    // The names come from the schemas, not from the CLI.
    for endpoint in salesync::ENDPOINTS {
        assert!(stderr.contains(&endpoint.meta().name()), "{stderr}");
    }
}

#[test]
fn every_generated_endpoint_is_accepted() {
    let scratch = Scratch::new("all-endpoints");
    let file = scratch.write("empty-object.json", "{}");
    for endpoint in salesync::ENDPOINTS {
        let meta = endpoint.meta();
        // By `vendor.operation@version` always; by `vendor.operation` when it is the default version.
        let mut names = vec![meta.versioned_name()];
        names.extend(meta.default.then(|| meta.name()));
        for name in names {
            let output = validate(&name, &[&file], true);
            // `{}` misses required members of every request: a validation result, not a usage error.
            assert_eq!(code(&output), 1, "{name}");
            assert!(errors(&json_lines(&output)[0])
                .iter()
                .all(|(_, rule)| rule == "required"));
        }
    }
}

#[test]
fn an_endpoint_is_named_with_or_without_its_version() {
    let file = fixture("shopline/doc_example_explorer.json");
    for name in [SHOPLINE, "shopline.batch_sync_flow_data@v20260301"] {
        assert_eq!(code(&validate(name, &[&file], true)), 0, "{name}");
    }
    let output = validate("shopline.batch_sync_flow_data@v20990101", &[&file], true);
    assert_eq!(code(&output), 2);
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("shopline.batch_sync_flow_data@v20260301"),
        "{stderr}"
    );
}

#[test]
fn no_files_is_a_usage_error() {
    let output = salesync(&["validate", TENCENT], None);
    assert_eq!(code(&output), 2);
    let output = salesync(&["validate"], None);
    assert_eq!(code(&output), 2);
    let output = salesync(&[], None);
    assert_eq!(code(&output), 2);
}

#[test]
fn help_documents_the_exit_status() {
    let output = salesync(&["validate", "--help"], None);
    assert_eq!(code(&output), 0);
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Exit status"), "{help}");
    assert!(help.contains("2 wins over 1"), "{help}");
    for endpoint in salesync::ENDPOINTS {
        assert!(help.contains(&endpoint.meta().name()), "{help}");
    }
}
