//! The runner: one process judges every body with the generated validation, and says so one JSON line per
//! body. A panic is caught and reported for its body; an abort (a stack overflow) or a hang ends the process,
//! so the harness records a crash for the body it was on and starts the runner again after it.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};

use super::Verdict;

/// `src/main.rs` of the scratch crate. Arguments: the bodies file (`[[operation, body, mode], ...]`, mode
/// `request` or `response`) and the index to start at. Output: `{"i": 3, "valid": true}`, `{"i": 4,
/// "valid": false, "count": 2, "violations": [...], "at": [[pointer, rule], ...]}`, `{"i": 5, "panic":
/// "..."}` or `{"i": 6, "missing": true}` (no such endpoint). A request is judged by `check_body`; a
/// response is parsed with the endpoint's `Response` type (see `responses.rs`), its error the violation.
pub const RUNNER: &str = r#"//! Judges request bodies with the generated validation (written by codegen/tests/integration/harness; do not edit).

// The registry's `visit_batched` and the vendor module's re-exports go unused here.
#[allow(dead_code, unused_imports, unused_variables)]
mod generated;
mod responses;

use std::collections::HashMap;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use salesync::runtime::DynOperation;
use serde_json::json;

/// The message of the last panic: the hook keeps it instead of printing it.
static PANIC: Mutex<String> = Mutex::new(String::new());

fn main() {
    // A deep schema recurses deeply: a large stack, so that only a real runaway overflows.
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(judge_all);
    if worker.expect("cannot start the worker thread").join().is_err() {
        std::process::exit(3);
    }
}

fn judge_all() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).expect("cannot read the bodies");
    let bodies: Vec<(String, String, String)> =
        serde_json::from_str(&text).expect("bodies: [[operation, body, mode]]");
    let from: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let endpoints: HashMap<&str, &dyn DynOperation> =
        generated::ENDPOINTS.iter().map(|op| (op.meta().operation, *op)).collect();
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut last) = PANIC.lock() {
            *last = info.to_string();
        }
    }));
    let mut out = std::io::stdout().lock();
    for (i, (operation, body, mode)) in bodies.iter().enumerate().skip(from) {
        let judged = catch_unwind(AssertUnwindSafe(|| {
            if mode == "response" {
                responses::parse(operation, body).map(|parsed| match parsed {
                    Ok(()) => Vec::new(),
                    Err(error) => vec![(String::new(), "response", error)],
                })
            } else {
                endpoints.get(operation.as_str()).map(|endpoint| {
                    endpoint
                        .check_body(body)
                        .into_iter()
                        .map(|v| (v.pointer.clone(), v.rule, v.to_string()))
                        .collect()
                })
            }
        }));
        let line = match judged {
            Ok(None) => json!({"i": i, "missing": true}),
            Ok(Some(found)) if found.is_empty() => json!({"i": i, "valid": true}),
            Ok(Some(found)) => json!({
                "i": i,
                "valid": false,
                "count": found.len(),
                "violations": found.iter().take(3).map(|(_, _, text)| text).collect::<Vec<_>>(),
                "at": found.iter().map(|(pointer, rule, _)| json!([pointer, rule])).collect::<Vec<_>>(),
            }),
            Err(_) => json!({"i": i, "panic": PANIC.lock().map(|m| m.clone()).unwrap_or_default()}),
        };
        if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
            return;
        }
    }
}
"#;

/// What the runner does with a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `DynOperation::check_body`.
    Request,
    /// Parse with the endpoint's `Response` type (responses are read, never validated).
    Response,
}

/// One body for the runner.
#[derive(Debug, Clone)]
pub struct Body {
    pub operation: String,
    pub body: String,
    pub mode: Mode,
}

impl Body {
    /// A request body of `operation`.
    pub fn request(operation: &str, body: String) -> Body {
        Body {
            operation: operation.to_owned(),
            body,
            mode: Mode::Request,
        }
    }

    fn as_json(&self) -> Value {
        let mode = match self.mode {
            Mode::Request => "request",
            Mode::Response => "response",
        };
        json!([self.operation, self.body, mode])
    }
}

/// Runs in a row that give no verdict at all before the runner gives up on every body left: it cannot start.
const FRUITLESS_RUNS: usize = 5;

/// Judges `bodies` with the runner, in `work`; one verdict each, in order.
pub fn run(binary: &Path, work: &Path, bodies: &[Body], timeout: Duration) -> Vec<Verdict> {
    let mut verdicts = vec![None; bodies.len()];
    let input = work.join("bodies.json");
    let listed: Vec<Value> = bodies.iter().map(Body::as_json).collect();
    if let Err(err) = fs::write(&input, Value::Array(listed).to_string()) {
        let why = format!("cannot write {}: {err}", input.display());
        return vec![Verdict::Crashed(why); bodies.len()];
    }
    let mut from = 0;
    let mut fruitless = 0;
    while from < bodies.len() {
        let stop = run_from(binary, work, &input, from, timeout, &mut verdicts);
        // The runner stopped before the first body it has no verdict for: that body crashed or hung it.
        let next = verdicts
            .iter()
            .position(Option::is_none)
            .unwrap_or(bodies.len());
        fruitless = if next == from { fruitless + 1 } else { 0 };
        from = next;
        if from < bodies.len() {
            verdicts[from] = Some(Verdict::Crashed(stop.clone()));
            from += 1;
        }
        if fruitless >= FRUITLESS_RUNS {
            let why = format!("the runner gave no verdict {FRUITLESS_RUNS} times in a row: {stop}");
            for slot in verdicts.iter_mut().filter(|v| v.is_none()) {
                *slot = Some(Verdict::Crashed(why.clone()));
            }
        }
    }
    verdicts
        .into_iter()
        .map(|v| v.unwrap_or_else(|| Verdict::Crashed("never judged".into())))
        .collect()
}

/// One runner process from body `from` on; records each verdict it prints, and says how it stopped.
fn run_from(
    binary: &Path,
    work: &Path,
    input: &Path,
    from: usize,
    timeout: Duration,
    verdicts: &mut [Option<Verdict>],
) -> String {
    let stderr_path = work.join("runner.stderr");
    let spawned = fs::File::create(&stderr_path).and_then(|stderr| {
        Command::new(binary)
            .arg(input)
            .arg(from.to_string())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
    });
    let mut child = match spawned {
        Ok(child) => child,
        Err(err) => return format!("cannot start the runner {}: {err}", binary.display()),
    };
    let lines = read_lines(&mut child);
    loop {
        match lines.recv_timeout(timeout) {
            Ok(line) => record(&line, verdicts),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                return format!("no verdict within {timeout:?}: the runner hung, and was killed");
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
    }
    let status = child
        .wait()
        .map_or_else(|e| e.to_string(), |s| s.to_string());
    let stderr = fs::read_to_string(&stderr_path).unwrap_or_default();
    let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    format!("the runner stopped ({status}): {}", tail.join(" / "))
}

/// The runner's stdout, line by line, through a channel (so that waiting for a line can time out).
fn read_lines(child: &mut Child) -> mpsc::Receiver<String> {
    let (send, receive) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
    }
    receive
}

/// One output line into its verdict; a line that is not the runner's is ignored.
fn record(line: &str, verdicts: &mut [Option<Verdict>]) {
    let Ok(value) = serde_json::from_str::<Value>(line) else {
        return;
    };
    let Some(slot) = value["i"]
        .as_u64()
        .and_then(|i| usize::try_from(i).ok())
        .and_then(|i| verdicts.get_mut(i))
    else {
        return;
    };
    *slot = Some(verdict_of(&value));
}

fn verdict_of(line: &Value) -> Verdict {
    if let Some(message) = line.get("panic") {
        return Verdict::Panicked(message.as_str().unwrap_or_default().to_owned());
    }
    if line.get("missing").is_some() {
        return Verdict::Crashed(
            "accepted and compiled, yet not in the generated ENDPOINTS".into(),
        );
    }
    if line["valid"] == true {
        return Verdict::Valid;
    }
    let first = line["violations"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let count = line["count"]
        .as_u64()
        .and_then(|c| usize::try_from(c).ok())
        .unwrap_or(0);
    let at = line["at"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|pair| {
                    let part = |i: usize| pair[i].as_str().unwrap_or_default().to_owned();
                    (part(0), part(1))
                })
                .collect()
        })
        .unwrap_or_default();
    Verdict::Invalid { count, first, at }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// A stand-in runner for five bodies: body 1 aborts it, body 3 hangs it.
    const FLAKY: &str = "#!/bin/sh\n\
        i=$2\n\
        while [ $i -lt 5 ]; do\n\
          if [ $i -eq 1 ]; then echo 'stack overflow' >&2; exit 134; fi\n\
          if [ $i -eq 3 ]; then exec sleep 10; fi\n\
          echo \"{\\\"i\\\": $i, \\\"valid\\\": true}\"\n\
          i=$((i+1))\n\
        done\n";

    #[test]
    fn a_crash_or_a_hang_costs_one_body_and_the_runner_goes_on_after_it() {
        use std::os::unix::fs::PermissionsExt;
        let work = std::env::temp_dir().join(format!("salesync-runner-{}", std::process::id()));
        fs::create_dir_all(&work).unwrap();
        let binary = work.join("flaky");
        fs::write(&binary, FLAKY).unwrap();
        fs::set_permissions(&binary, fs::Permissions::from_mode(0o755)).unwrap();
        let bodies: Vec<Body> = (0..5).map(|i| Body::request("op", i.to_string())).collect();
        let verdicts = run(&binary, &work, &bodies, Duration::from_millis(1500));
        fs::remove_dir_all(&work).unwrap();
        assert_eq!(verdicts[0], Verdict::Valid);
        assert!(
            matches!(&verdicts[1], Verdict::Crashed(why) if why.contains("stack overflow")),
            "{verdicts:?}"
        );
        assert_eq!(verdicts[2], Verdict::Valid);
        assert!(
            matches!(&verdicts[3], Verdict::Crashed(why) if why.contains("hung")),
            "{verdicts:?}"
        );
        assert_eq!(verdicts[4], Verdict::Valid);
    }
}
