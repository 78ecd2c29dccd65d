//! Judges JSON instances with the validation the generator emits, so that tests can compare its verdicts
//! with JSON Schema's own (the official test suite in `json_schema_suite.rs`; random schemas later):
//!
//! 1. [`wrap`]: each schema becomes the member `v` of a request body (or goes where its case's [`Placement`]
//!    puts it), one endpoint file per schema, all in one schema directory;
//! 2. [`generate`]: the generator runs over that directory; the files it refuses are set aside with its
//!    diagnostics, and it runs again on the rest until it accepts them all;
//! 3. [`scratch`]: one scratch crate holds every accepted endpoint and a runner binary; it depends on
//!    salesync by path and builds into the workspace's target directory, so salesync is compiled once, not
//!    per run; with [`Options::feature_sets`] it is built once per feature set (`schemars` on and off).
//!    Endpoints whose code does not compile are named from rustc's messages and set aside too;
//! 4. [`run`]: the runner checks each body with `DynOperation::check_body` (and, for a placement in a
//!    response, parses the response body with the endpoint's `Response` type), one process for all of them,
//!    restarted past a test that aborts or hangs it.
//!
//! [`judge`] does the four steps and gives one [`Verdict`] per instance. [`reference`] gives the `jsonschema`
//! crate's verdicts on the same schemas.

// Each test crate that includes the harness uses a part of it.
#![allow(dead_code)]

pub mod generate;
pub mod reference;
pub mod run;
pub mod scratch;
pub mod wrap;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One schema and the instances to judge against it; `operation` names its endpoint (see
/// [`wrap::operation_name`]) and must be unique among the cases of one [`judge`].
#[derive(Debug, Clone)]
pub struct Case {
    pub operation: String,
    pub schema: Value,
    pub instances: Vec<Value>,
    /// Where the schema goes in its endpoint, and where an instance goes in a body; `None`: the member `v`
    /// of the request (see [`wrap`]).
    pub placement: Option<wrap::Placement>,
}

impl Case {
    /// `schema` as the member `v` of the request, the usual placement.
    pub fn member(operation: &str, schema: Value, instances: Vec<Value>) -> Case {
        Case {
            operation: operation.to_owned(),
            schema,
            instances,
            placement: None,
        }
    }

    /// Whether the request body carries the instance (else only a response does).
    pub fn judges_requests(&self) -> bool {
        self.placement.as_ref().is_none_or(|p| p.request.is_some())
    }
}

/// What became of one instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// `check_body` found no violation.
    Valid,
    /// `check_body` found `count` violations; the first few, as salesync prints them, and every one's
    /// `(pointer, rule)`. For a response: the parse error (rule `response`).
    Invalid {
        count: usize,
        first: Vec<String>,
        at: Vec<(String, String)>,
    },
    /// The generator refused the schema: its diagnostics.
    Refused(String),
    /// The generator accepted the schema, and its code does not compile: rustc's errors.
    NotCompiled(String),
    /// `check_body` panicked: the panic message.
    Panicked(String),
    /// The runner died (an abort, a stack overflow) or hung on this instance, or never judged it.
    Crashed(String),
}

impl Verdict {
    /// Whether the generated validation judged the instance valid; `None` when it did not judge it.
    pub fn valid(&self) -> Option<bool> {
        match self {
            Verdict::Valid => Some(true),
            Verdict::Invalid { .. } => Some(false),
            _ => None,
        }
    }

    /// A panic or a crash: a bug of the generated code or the runtime whatever the instance.
    pub fn is_crash(&self) -> bool {
        matches!(self, Verdict::Panicked(_) | Verdict::Crashed(_))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Valid => f.write_str("valid"),
            Verdict::Invalid { count, first, .. } => {
                write!(f, "invalid ({count} violation(s)")?;
                match first.first() {
                    Some(first) => write!(f, ", first: {first})"),
                    None => f.write_str(")"),
                }
            }
            Verdict::Refused(why) => write!(f, "refused by the generator: {}", first_line(why)),
            Verdict::NotCompiled(why) => {
                write!(f, "accepted but not compiling: {}", first_line(why))
            }
            Verdict::Panicked(why) => write!(f, "panicked: {}", first_line(why)),
            Verdict::Crashed(why) => write!(f, "crashed: {}", first_line(why)),
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// What [`judge`] needs besides the cases.
#[derive(Debug, Clone)]
pub struct Options {
    /// The scratch crate's name and its directory under the target directory: one per test, so that tests
    /// running at once do not share one.
    pub crate_name: String,
    /// More files for the schema directory, relative to it (e.g. documents the schemas reference): written as
    /// they are, refused like the cases' files when the generator refuses them.
    pub extra_files: Vec<(PathBuf, Value)>,
    /// How long the runner may take over one instance before it is deemed hung.
    pub timeout: Duration,
    /// The scratch crate is built once with each of these sets of its features (`schemars`: salesync's
    /// `schemars` feature and the crate itself); code must compile with every set. Default: no feature.
    pub feature_sets: Vec<Vec<String>>,
}

impl Options {
    pub fn new(crate_name: &str) -> Options {
        Options {
            crate_name: crate_name.to_owned(),
            extra_files: Vec::new(),
            timeout: Duration::from_secs(20),
            feature_sets: vec![Vec::new()],
        }
    }
}

/// Wall-clock time of each step.
#[derive(Debug, Clone, Copy, Default)]
pub struct Timings {
    pub generate: Duration,
    pub build: Duration,
    pub run: Duration,
}

/// Every verdict, and what the steps said on the way.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// One verdict per instance of each case, in the order given (for a case whose placement has no request
    /// slot, the verdict of an empty request, or the case's refusal).
    pub verdicts: Vec<Vec<Verdict>>,
    /// For cases placed in a response: whether the response body holding each instance parses with the
    /// endpoint's `Response` type (`Valid`) or not (`Invalid`); `None` for the other cases.
    pub responses: Vec<Option<Vec<Verdict>>>,
    /// The files of [`Options::extra_files`] the generator refused: path and diagnostics.
    pub extra_refused: BTreeMap<String, String>,
    /// Operations the generator accepted whose code did not compile.
    pub not_compiled: BTreeSet<String>,
    /// rustc's errors that named no endpoint (reported with the endpoints bisection found).
    pub unattributed_errors: Vec<String>,
    /// Generator runs and crate builds it took.
    pub generator_runs: usize,
    pub builds: usize,
    pub timings: Timings,
}

/// Judges every instance of every case: see the module's documentation for the steps.
///
/// # Panics
///
/// When the scratch crate cannot be written or cargo cannot be started: the machine, not the schemas.
pub fn judge(cases: &[Case], options: &Options) -> Outcome {
    let unique = with_unique_operations(cases);
    let cases = unique.as_slice();
    let parse_responses = cases.iter().any(|case| {
        case.placement
            .as_ref()
            .is_some_and(|p| p.response.is_some())
    });
    let scratch = scratch::ScratchCrate::new(&options.crate_name)
        .unwrap_or_else(|err| panic!("cannot write the scratch crate: {err}"))
        .with_feature_sets(&options.feature_sets)
        .parsing_responses(parse_responses);
    let schema_dir = scratch.schema_dir();
    let files = wrap::write_schema_dir(&schema_dir, cases, &options.extra_files)
        .unwrap_or_else(|err| panic!("cannot write {}: {err}", schema_dir.display()));
    let mut outcome = Outcome::default();
    let started = Instant::now();
    let accepted = generate::accepting(&schema_dir);
    outcome.timings.generate = started.elapsed();
    outcome.generator_runs = accepted.runs;
    let started = Instant::now();
    let built = scratch.build_accepting(&schema_dir, &files, accepted);
    outcome.timings.build = started.elapsed();
    outcome.generator_runs += built.generator_runs;
    outcome.builds = built.builds;
    outcome.not_compiled = built.not_compiled.keys().cloned().collect();
    outcome.unattributed_errors = built.unattributed.clone();
    outcome.extra_refused = built
        .refused
        .iter()
        .filter(|(file, _)| files.extra.contains(file))
        .map(|(file, why)| (file.clone(), why.clone()))
        .collect();
    let started = Instant::now();
    // Refused and non-compiling cases have their verdicts; the others wait for the runner.
    let mut verdicts = initial_verdicts(cases, &files, &built.refused, &built.not_compiled);
    let mut responses: Vec<Option<Vec<Verdict>>> = cases
        .iter()
        .zip(&verdicts)
        .map(|(case, verdicts)| {
            let slot = case.placement.as_ref().and_then(|p| p.response.as_ref());
            slot.map(|_| verdicts.clone())
        })
        .collect();
    if let Some(binary) = &built.binary {
        let (places, bodies) = pending_bodies(cases, &verdicts);
        let judged = run::run(binary, &scratch.dir, &bodies, options.timeout);
        for ((case, instance, mode), verdict) in places.into_iter().zip(judged) {
            match mode {
                run::Mode::Request => verdicts[case][instance] = verdict,
                run::Mode::Response => {
                    if let Some(found) = responses[case].as_mut() {
                        found[instance] = verdict;
                    }
                }
            }
        }
    }
    outcome.timings.run = started.elapsed();
    outcome.verdicts = verdicts;
    outcome.responses = responses;
    outcome
}

/// `cases`, the second and later of a name renamed `<name>_b`, `<name>_c`, ...: each case is one file and
/// one module, and verdicts go by position, so a name given twice costs nothing but the name.
fn with_unique_operations(cases: &[Case]) -> Vec<Case> {
    let mut taken = BTreeSet::new();
    let mut renamed = Vec::with_capacity(cases.len());
    for case in cases {
        let mut case = case.clone();
        let name = case.operation.clone();
        let mut n = 0;
        while !taken.insert(case.operation.clone()) {
            case.operation = format!("{name}_{}", wrap::letters(n));
            n += 1;
        }
        if let Some(placement) = case.placement.as_mut() {
            if let Some(endpoint) = placement.document.get_mut("x-endpoint") {
                endpoint["operation"] = Value::String(case.operation.clone());
            }
        }
        renamed.push(case);
    }
    renamed
}

/// Refused and non-compiling cases get their verdicts now; the others wait for the runner.
fn initial_verdicts(
    cases: &[Case],
    files: &wrap::SchemaFiles,
    refused: &BTreeMap<String, String>,
    not_compiled: &BTreeMap<String, String>,
) -> Vec<Vec<Verdict>> {
    cases
        .iter()
        .map(|case| {
            let file = files.file_of(&case.operation);
            let verdict = match (refused.get(&file), not_compiled.get(&case.operation)) {
                (Some(why), _) => Verdict::Refused(why.clone()),
                (None, Some(errors)) => Verdict::NotCompiled(errors.clone()),
                (None, None) => Verdict::Crashed("the runner never judged it".into()),
            };
            vec![verdict; case.instances.len()]
        })
        .collect()
}

/// Every body the runner is to judge: its `(case, instance, mode)` place, and the body. A case's request
/// holds the instance where its placement says (the member `v` without one); a case placed in a response
/// has its response bodies parsed too.
#[allow(clippy::type_complexity)]
fn pending_bodies(
    cases: &[Case],
    verdicts: &[Vec<Verdict>],
) -> (Vec<(usize, usize, run::Mode)>, Vec<run::Body>) {
    let mut places = Vec::new();
    let mut bodies = Vec::new();
    for (c, case) in cases.iter().enumerate() {
        for (i, instance) in case.instances.iter().enumerate() {
            if !matches!(verdicts[c][i], Verdict::Crashed(_)) {
                continue;
            }
            let (request, response) = match &case.placement {
                None => (Some(wrap::body(instance)), None),
                Some(placement) => (
                    placement.request.as_ref().map(|slot| slot.body(instance)),
                    placement.response.as_ref().map(|slot| slot.body(instance)),
                ),
            };
            // A placement without a request slot still sends its empty request, which must pass.
            let request = request.or_else(|| Some("{}".to_owned()));
            for (mode, body) in [
                (run::Mode::Request, request),
                (run::Mode::Response, response),
            ] {
                if let Some(body) = body {
                    places.push((c, i, mode));
                    bodies.push(run::Body {
                        operation: case.operation.clone(),
                        body,
                        mode,
                    });
                }
            }
        }
    }
    (places, bodies)
}

/// The members of `set` that make `fails` true by themselves, found by halving (`fails(set)` is asked
/// first). For failures that each come from one member: a file the generator refuses, a module that does not
/// compile. A failure that only a combination of members gives is blamed on that whole combination.
pub fn culprits<T: Clone>(set: &[T], fails: &mut dyn FnMut(&[T]) -> bool) -> Vec<T> {
    if set.is_empty() || !fails(set) {
        return Vec::new();
    }
    if set.len() == 1 {
        return set.to_vec();
    }
    let (left, right) = set.split_at(set.len() / 2);
    let mut found = culprits(left, fails);
    found.extend(culprits(right, fails));
    if found.is_empty() {
        set.to_vec()
    } else {
        found
    }
}

#[cfg(test)]
mod tests {
    use super::{culprits, with_unique_operations, Case};

    #[test]
    fn a_name_given_twice_is_renamed() {
        let case = |name: &str| Case::member(name, serde_json::json!(true), Vec::new());
        let cases = [case("a_1"), case("a_1"), case("a_1_b"), case("a_1")];
        let names: Vec<String> = with_unique_operations(&cases)
            .into_iter()
            .map(|c| c.operation)
            .collect();
        assert_eq!(names, ["a_1", "a_1_b", "a_1_b_b", "a_1_c"]);
    }

    #[test]
    fn bisection_finds_each_failing_member() {
        let set: Vec<u32> = (0..20).collect();
        let found = culprits(&set, &mut |s: &[u32]| s.contains(&3) || s.contains(&17));
        assert_eq!(found, [3, 17]);
        let found = culprits(&set, &mut |s: &[u32]| s.contains(&3) && s.contains(&17));
        assert_eq!(
            found, set,
            "a failure of a combination blames the combination"
        );
        assert!(culprits(&set, &mut |_: &[u32]| false).is_empty());
    }
}
