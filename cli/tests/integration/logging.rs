//! `-v`/`-vv`/`-vvv` and `RUST_LOG`: logs go to standard error, standard output keeps only the command's
//! output (`--json` objects), and no token or app key is ever logged.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use salesync_mock::{MockServer, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};
use serde_json::Value;

const TENCENT: &str = "tencent.salesinfo_add";
const SHOPLINE: &str = "shopline.batch_sync_flow_data";
const APP_KEY: &str = "app-key-logging-test";

/// The binary, with its pace files in the tests' own directory, never the user's.
fn salesync_command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
    command.env(
        "SALESYNC_STATE_DIR",
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("state"),
    );
    command
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(name)
}

/// The binary with no `RUST_LOG` of the caller's: each test sets its own.
fn salesync(args: &[&str]) -> Command {
    let mut command = salesync_command();
    command
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SALESYNC_BASE_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// Every line of standard output is one JSON object; gives them.
fn json_lines(output: &Output) -> Vec<Value> {
    text(&output.stdout)
        .lines()
        .map(|line| {
            serde_json::from_str(line).unwrap_or_else(|err| {
                panic!(
                    "stdout holds a line that is not JSON ({err}): {line:?}\nstderr: {}",
                    text(&output.stderr)
                )
            })
        })
        .collect()
}

fn validate(flags: &[&str]) -> Output {
    let body = fixture("tencent/doc_example.json");
    let mut args = vec!["validate", TENCENT, "--json", body.to_str().unwrap()];
    args.extend_from_slice(flags);
    salesync(&args).output().unwrap()
}

#[test]
fn verbose_logs_go_to_stderr_and_json_stdout_stays_clean() {
    let output = validate(&["-vv"]);
    assert_eq!(output.status.code(), Some(0));
    let reports = json_lines(&output);
    assert_eq!(reports.len(), 1, "one object per file");
    assert_eq!(reports[0]["valid"], true);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("INFO") && stderr.contains("starting") && stderr.contains("validate"),
        "no log on stderr:\n{stderr}"
    );
    assert!(stderr.contains("exit_status=0"), "{stderr}");
}

#[test]
fn the_flag_is_global_and_counts() {
    // Before the subcommand, long form.
    let body = fixture("tencent/doc_example.json");
    let output = salesync(&["--verbose", "validate", TENCENT, body.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(text(&output.stderr).contains("INFO"));
    // Without it, nothing: the salesync crates log only warnings, and there are none.
    let quiet = validate(&[]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(text(&quiet.stderr), "");
    assert_eq!(json_lines(&quiet).len(), 1);
}

#[test]
fn rust_log_wins_over_the_flag() {
    let body = fixture("tencent/doc_example.json");
    let args = ["validate", TENCENT, "--json", body.to_str().unwrap()];
    // RUST_LOG alone turns logging on...
    let output = salesync(&args)
        .env("RUST_LOG", "salesync=info")
        .output()
        .unwrap();
    assert!(text(&output.stderr).contains("starting"), "{output:?}");
    assert_eq!(json_lines(&output).len(), 1);
    // ... and off, whatever -v says.
    let mut args = args.to_vec();
    args.push("-vvv");
    let output = salesync(&args).env("RUST_LOG", "off").output().unwrap();
    assert_eq!(text(&output.stderr), "");
    assert_eq!(json_lines(&output).len(), 1);
}

/// A mock on its own runtime (the binary under test is a child process).
struct Mock {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start());
        Mock {
            server,
            _runtime: runtime,
        }
    }
}

/// `salesync push --json -vvv` of the sample file to the mock: the calls are logged on stderr, standard output
/// holds the summary alone, and neither holds a credential.
fn push_logs_calls_but_no_secret(endpoint: &str, sample: &str, secrets: &[&str]) {
    let mock = Mock::start();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("logging-{endpoint}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("rows.jsonl");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(sample),
        &file,
    )
    .unwrap();
    let url = mock.server.url();
    let mut command = salesync(&["push", endpoint, file.to_str().unwrap(), "-vvv"]);
    command.args([
        "--base-url",
        &url,
        "--json",
        "--progress",
        "log",
        "--rps",
        "0",
    ]);
    if endpoint == TENCENT {
        command
            .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN)
            .args(["--account-id", "11", "--user-action-set-id", "22"])
            .args(["--data-set-id", "33"]);
    } else {
        command
            .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
            .env("SALESYNC_SHOPLINE_APP_KEY", APP_KEY)
            .args(["--store-id", "1658921299465", "--source-type", "crm"]);
    }
    let output = command.output().unwrap();
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    let summary = json_lines(&output);
    assert_eq!(summary.len(), 1, "stdout is the summary alone:\n{stdout}");
    assert!(
        summary[0]["sent"].as_u64().unwrap() > 0,
        "{stdout}\n{stderr}"
    );
    let operation = endpoint.split('.').nth(1).unwrap();
    assert!(
        stderr.contains(operation) && stderr.contains("DEBUG"),
        "the calls are not logged:\n{stderr}"
    );
    for secret in secrets {
        assert!(
            !stderr.contains(secret) && !stdout.contains(secret),
            "{secret:?} is logged:\n{stderr}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn push_logs_tencent_calls_without_the_access_token() {
    push_logs_calls_but_no_secret(TENCENT, "tencent_salesinfo.jsonl", &[DEFAULT_TENCENT_TOKEN]);
}

#[test]
fn push_logs_shopline_calls_without_the_token_or_app_key() {
    push_logs_calls_but_no_secret(
        SHOPLINE,
        "shopline_flows.jsonl",
        &[DEFAULT_SHOPLINE_TOKEN, APP_KEY],
    );
}
