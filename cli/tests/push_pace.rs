//! The pace survives the process: against a platform that enforces Shopline's bucket (4 requests/s, 40 at
//! most), a second push right after the first, and a push killed and restarted at once, draw no rate-limit
//! answers; without the pace file the same second push does.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use salesync_mock::{MockConfig, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN};
use serde_json::{json, Value};

const SHOPLINE: &str = "shopline.batch_sync_flow_data";

/// A scratch directory of its own for each test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("push-pace-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The mock with Shopline's bucket on (its default), on a runtime of its own.
struct Mock {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = MockConfig::default();
        assert!(config.rate_limit.is_some(), "the bucket is on by default");
        let server = runtime.block_on(MockServer::start_with(config));
        Mock {
            server,
            _runtime: runtime,
        }
    }

    /// Shopline requests answered so far, and how many of them were 429s.
    fn answered(&self) -> (usize, usize) {
        let requests = self.server.requests_to(Vendor::Shopline);
        let limited = requests.iter().filter(|r| r.status == Some(429)).count();
        (requests.len(), limited)
    }
}

/// `count` flows named `{prefix}-{n}`, one per line.
fn flows(dir: &Path, prefix: &str, count: usize) -> PathBuf {
    let file = dir.join(format!("{prefix}.jsonl"));
    let lines: String = (0..count)
        .map(|n| {
            json!({
                "flow_id": format!("{prefix}-{n}"),
                "occurred_on": 1_672_365_600_000_u64,
                "send_count": 10,
                "trigger_num": 12,
                "order_num": 1,
                "order_amount": 1990,
            })
            .to_string()
                + "\n"
        })
        .collect();
    fs::write(&file, lines).unwrap();
    file
}

/// One request per row at the platform's default pace, with the pace files in `pace_dir`.
fn push_command(mock: &Mock, file: &Path, pace_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
    command
        .args(["push", SHOPLINE])
        .arg(file)
        .args(["--base-url", &mock.server.url()])
        .args(["--json", "--progress", "log", "--batch-size", "1"])
        .args(["--store-id", "1658921299465", "--source-type", "crm"])
        .arg("--pace-dir")
        .arg(pace_dir)
        .env_remove("SALESYNC_BASE_URL")
        .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
        .env("SALESYNC_SHOPLINE_APP_KEY", "app-key-1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn push(mock: &Mock, file: &Path, pace_dir: &Path) -> (i32, Value) {
    let output = push_command(mock, file, pace_dir).output().unwrap();
    summary_of(&output)
}

fn summary_of(output: &Output) -> (i32, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|err| panic!("summary is not JSON ({err}): {stdout}\nstderr: {stderr}"));
    (output.status.code().unwrap_or(-1), summary)
}

#[test]
fn two_pushes_to_one_store_back_to_back_draw_no_rate_limit_answers() {
    let mock = Mock::start();
    let dir = scratch("back-to-back");
    let pace_dir = dir.join("state");

    // The first fills the bucket (a burst of 39, then 4 a second); the second starts at once.
    let first = flows(&dir, "first", 45);
    let (code, summary) = push(&mock, &first, &pace_dir);
    assert_eq!((code, &summary["sent"]), (0, &json!(45)), "{summary}");
    let second = flows(&dir, "second", 10);
    let started = Instant::now();
    let (code, summary) = push(&mock, &second, &pace_dir);
    assert_eq!((code, &summary["sent"]), (0, &json!(10)), "{summary}");
    assert_eq!(mock.answered(), (55, 0), "a rate-limit answer was drawn");
    // It waited for the bucket to drain: ten requests at 4 a second into a full bucket.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The control: the same second push without the pace file opens with a burst into the full bucket, and
    // the platform answers it with 429s (retried: every row still arrives).
    let third = flows(&dir, "third", 10);
    let (code, summary) = push(&mock, &third, &dir.join("fresh-state"));
    assert_eq!((code, &summary["sent"]), (0, &json!(10)), "{summary}");
    let (requests, limited) = mock.answered();
    assert!(
        limited > 0,
        "{requests} requests, none rate limited: the control proves nothing"
    );
    assert_eq!(mock.server.shopline_flows().len(), 65);
}

#[test]
fn a_push_killed_and_restarted_at_once_draws_no_rate_limit_answers() {
    let mock = Mock::start();
    let dir = scratch("killed");
    let pace_dir = dir.join("state");
    let file = flows(&dir, "daily", 60);

    // Killed (SIGKILL: nothing is saved on the way out) once the burst is through.
    let mut child = push_command(&mock, &file, &pace_dir).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.answered().0 < 42 {
        assert!(
            Instant::now() < deadline,
            "the first push did not get going"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    assert!(!killed.status.success(), "it ended before it was killed");
    let (sent_before, _) = mock.answered();

    // Restarted at once: the checkpoint skips what was confirmed, the pace file holds the bucket back.
    let (code, summary) = push(&mock, &file, &pace_dir);
    assert_eq!(code, 0, "{summary}");
    let (requests, limited) = mock.answered();
    assert_eq!(limited, 0, "{requests} requests, {limited} rate limited");
    assert!(requests > sent_before, "the restart sent nothing");
    assert_eq!(mock.server.shopline_flows().len(), 60, "{summary}");
}
