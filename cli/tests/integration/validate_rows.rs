//! `salesync validate --rows`, run as a user runs it: files of batch items (JSON Lines, arrays, CSV, standard
//! input) checked row by row.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};

const TENCENT: &str = "tencent.salesinfo_add";
const SHOPLINE: &str = "shopline.batch_sync_flow_data";

fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("validate-rows-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
        .display()
        .to_string()
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
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn json_lines_rows_are_reported_with_their_line_and_pointer() {
    let file = sample("tencent_salesinfo.jsonl");
    let output = salesync(&["validate", TENCENT, "--rows", &file], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout(&output),
        format!(
            "{file}: line 4: /price/current_price: current_price (12) must be <= sku_price (10) [x-compare]\n\
             {file}: line 7: /stock: `stock` is required [required]\n\
             {file}: 10 rows, 2 invalid\n\
             1 file checked: 0 valid, 1 invalid\n"
        )
    );
}

#[test]
fn csv_rows_are_reported_with_their_column_too() {
    let file = sample("tencent_salesinfo.csv");
    let output = salesync(&["validate", TENCENT, "--rows", "--json", &file], None);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        json_lines(&output),
        [
            json!({"file": file, "line": 5, "valid": false, "errors": [
                {"pointer": "/price/current_price", "column": "price.current_price", "rule": "x-compare",
                 "message": "current_price (12) must be <= sku_price (10)"}]}),
            json!({"file": file, "line": 6, "valid": false, "errors": [
                {"pointer": "/price/current_price", "column": "price.current_price", "rule": "type",
                 "message": "`8,90` is not a number"}]}),
        ]
    );
    let flows = sample("shopline_flows.csv");
    let output = salesync(&["validate", SHOPLINE, "--rows", &flows], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains(&format!(
        "{flows}: line 7, column send_count: /send_count: `1.5` is not an integer [type]"
    )));
}

#[test]
fn standard_input_arrays_and_valid_files() {
    let rows = json!([
        {"flow_id": "f-1", "occurred_on": 1672365600000_i64, "order_amount": 1, "order_num": 1,
         "send_count": 1, "trigger_num": "2"},
        {"flow_id": 5598349859474639045_i64, "occurred_on": 1672365600000_i64, "order_amount": 1,
         "order_num": 1, "send_count": 1, "trigger_num": 2},
    ]);
    let text = serde_json::to_string_pretty(&rows).unwrap();
    let output = salesync(
        &["validate", SHOPLINE, "--rows", "--json", "-"],
        Some(text.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(1));
    let found = json_lines(&output);
    assert_eq!(found.len(), 1);
    assert_eq!(
        (&found[0]["file"], &found[0]["line"], &found[0]["index"]),
        (&json!("-"), &json!(10), &json!(1))
    );
    assert_eq!(found[0]["errors"][0]["pointer"], "/flow_id");

    // CSV on standard input needs --format csv.
    let csv = "flow_id,occurred_on,order_amount,order_num,send_count,trigger_num\nf-1,1672365600000,1,1,1,2\n";
    let output = salesync(
        &["validate", SHOPLINE, "--rows", "--format", "csv", "-"],
        Some(csv.as_bytes()),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(
        stdout(&output),
        "-: 1 row, all valid\n1 file checked: 1 valid, 0 invalid\n"
    );
}

#[test]
fn unreadable_files_and_bad_headers_exit_2_and_every_file_is_still_checked() {
    let dir = scratch("exit-2");
    let header = dir.join("bad.csv");
    fs::write(&header, "flow_id,clicks\nf,1\n").unwrap();
    let missing = dir.join("missing.jsonl");
    let good = sample("shopline_flows.jsonl");
    let output = salesync(
        &[
            "validate",
            SHOPLINE,
            "--rows",
            "--json",
            header.to_str().unwrap(),
            missing.to_str().unwrap(),
            &good,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    let found = json_lines(&output);
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0]["errors"][0]["rule"], "header");
    assert!(found[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("column `clicks`"));
    assert!(found[0].get("line").is_none());
    assert_eq!(found[1]["errors"][0]["rule"], "io");
    // The valid file's invalid row is still reported.
    assert_eq!(
        (&found[2]["file"], &found[2]["line"]),
        (&json!(good), &json!(3))
    );

    // --format without --rows is a usage error.
    let output = salesync(&["validate", SHOPLINE, "--format", "csv", &good], None);
    assert_eq!(output.status.code(), Some(2));
}

/// A fleet's file (`push --tenants`): the tenant's member is lifted out before the row is checked, and a row
/// naming no tenant is invalid at that member.
#[test]
fn a_tenant_column_is_lifted_before_the_check() {
    let dir = scratch("tenant-column");
    let file = dir.join("rows.jsonl");
    let item = r#""external_store_id": "s1", "external_sku_id": "sku-1", "price": {"current_price": 8.9, "sku_price": 10}, "stock": {"sku_stock_status": 1}"#;
    fs::write(
        &file,
        format!("{{\"account_id\": 42, {item}}}\n{{{item}}}\n"),
    )
    .unwrap();
    let file = file.display().to_string();
    let without = salesync(&["validate", TENCENT, "--rows", &file], None);
    assert!(
        stdout(&without).contains("line 1: /account_id"),
        "{}",
        stdout(&without)
    );
    let output = salesync(
        &[
            "validate",
            TENCENT,
            "--rows",
            "--tenant-column",
            "account_id",
            &file,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(!text.contains("line 1"), "{text}");
    assert!(text.contains("line 2: /account_id"), "{text}");
    assert!(text.contains("[tenant]"), "{text}");
    assert!(text.contains("2 rows, 1 invalid"), "{text}");
}
