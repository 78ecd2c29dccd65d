//! One run of the gate over a list of cases: the reference verdicts (and the check that each wrapping keeps
//! them), the harness's generation, builds and runner, and the comparison that makes every finding.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::exceptions::{self, Disagreement, Side};
use super::positions::{self, Position};
use crate::harness::reference::Reference;
use crate::harness::{self, Case, Options, Outcome, Verdict};

/// One schema in one position, with its instances.
#[derive(Debug, Clone)]
pub struct GateCase {
    /// `#17` for a random case, the name of a fixed one.
    pub label: String,
    /// The construct at the schema's root (`fixed` for a fixed case).
    pub construct: String,
    /// What a fixed case is about (for a known bug: what goes wrong, and where).
    pub note: String,
    pub position: Position,
    /// The schema as generated (what jsonschema judges).
    pub schema: Value,
    /// The schema keeps its own `$defs` and gets an `$id` (see `positions`).
    pub embedded: bool,
    /// The endpoint, its placement and the instances, for the harness.
    pub case: Case,
}

impl GateCase {
    pub fn new(
        label: String,
        construct: String,
        position: Position,
        schema: Value,
        embedded: bool,
        operation: String,
        instances: Vec<Value>,
    ) -> GateCase {
        let placement = positions::place(position, &operation, &schema, embedded);
        GateCase {
            label,
            construct,
            note: String::new(),
            position,
            schema: schema.clone(),
            embedded,
            case: Case {
                operation,
                schema,
                instances,
                placement: Some(placement),
            },
        }
    }
}

/// What is wrong, for one case.
#[derive(Debug, Clone)]
pub enum Problem {
    /// The generator accepted the schema and its code does not compile (rustc's errors).
    NotCompiled(String),
    /// The generator panicked on the schema.
    GeneratorPanicked(String),
    /// The generator refused the schema with a diagnostic that names no place in the case's file (or only
    /// the file: "the generator emitted invalid Rust" is one).
    RefusedNowhere(String),
    /// The generated code or the runner panicked or crashed on an instance.
    Crashed {
        instance: Value,
        side: Side,
        verdict: Verdict,
    },
    /// Salesync and jsonschema disagree, and no exception explains it.
    Disagrees {
        instance: Value,
        /// The body salesync judged.
        body: Value,
        side: Side,
        reference: bool,
        ours: Verdict,
    },
    /// The wrapped body's verdict under jsonschema is not the instance's: a mistake of the gate's wrapping.
    WrappingChangesVerdict { instance: Value, side: Side },
    /// jsonschema cannot build the generated schema: a mistake of the gate's schema generator.
    ReferenceRefuses(String),
    /// A response-only case's empty request is not valid.
    EmptyRequestRefused(Verdict),
}

/// Everything one run found.
#[derive(Debug, Default)]
pub struct Findings {
    /// `(case index, problem)`.
    pub problems: Vec<(usize, Problem)>,
    /// Problems that are known bugs (`regressions::KNOWN_BUGS`), by bug name.
    pub known: BTreeMap<&'static str, usize>,
    /// `(case index, diagnostics)`: refusals at a `file#pointer`.
    pub refusals: Vec<(usize, String)>,
    /// Disagreements explained, by exception name.
    pub excused: BTreeMap<&'static str, usize>,
    /// Request verdicts compared: (valid, invalid) by jsonschema.
    pub compared: (usize, usize),
    /// Response bodies that had to parse (jsonschema-valid instances in a response).
    pub responses_parsed: usize,
    pub outcome: Outcome,
    pub reference_time: Duration,
}

/// The feature sets every scratch build is made with: `schemars` off, then on.
pub fn feature_sets() -> Vec<Vec<String>> {
    vec![Vec::new(), vec!["schemars".to_owned()]]
}

/// Runs every case through the harness and compares the verdicts; with `tolerate_known`, the problems a
/// known bug's sign recognizes are counted apart instead of reported.
pub fn run(cases: &[GateCase], crate_name: &str, tolerate_known: bool) -> Findings {
    let started = Instant::now();
    let reference = Reference::new([]);
    let references = References {
        exact: Reference::new([]).with_exact_numbers(),
        lenient: Reference::new([])
            .with_exact_numbers()
            .with_keyword(exceptions::LENIENT_KEYWORD, exceptions::lenient_bounds),
    };
    let mut findings = Findings::default();
    let verdicts: Vec<Vec<Option<bool>>> = cases
        .iter()
        .enumerate()
        .map(|(index, case)| reference_verdicts(&reference, index, case, &mut findings))
        .collect();
    findings.reference_time = started.elapsed();
    let mut options = Options::new(crate_name);
    options.feature_sets = feature_sets();
    let harness_cases: Vec<Case> = cases.iter().map(|c| c.case.clone()).collect();
    let outcome = harness::judge(&harness_cases, &options);
    for (index, case) in cases.iter().enumerate() {
        compare(
            index,
            case,
            &verdicts[index],
            &outcome,
            &references,
            &mut findings,
        );
    }
    findings.outcome = outcome;
    if tolerate_known {
        set_known_apart(cases, &mut findings);
    }
    findings
}

/// Moves the problems that are known bugs from `problems` to `known`.
fn set_known_apart(cases: &[GateCase], findings: &mut Findings) {
    let problems = std::mem::take(&mut findings.problems);
    for (index, problem) in problems {
        match super::regressions::known_bug(&cases[index], &problem) {
            Some(bug) => *findings.known.entry(bug).or_default() += 1,
            None => findings.problems.push((index, problem)),
        }
    }
}

/// jsonschema's verdict on each instance (`None` when it has none), after checking that each wrapped
/// body gets the same verdict from the endpoint document.
fn reference_verdicts(
    reference: &Reference,
    index: usize,
    case: &GateCase,
    findings: &mut Findings,
) -> Vec<Option<bool>> {
    let validator = match reference.validator(&case.schema) {
        Ok(validator) => validator,
        Err(why) => {
            findings
                .problems
                .push((index, Problem::ReferenceRefuses(why)));
            return vec![None; case.case.instances.len()];
        }
    };
    let placement = case.case.placement.as_ref().expect("gate cases are placed");
    let request = reference
        .validator(&positions::document_for(placement, false))
        .ok();
    let response = reference
        .validator(&positions::document_for(placement, true))
        .ok();
    let mut verdicts = Vec::new();
    for instance in &case.case.instances {
        let valid = validator.is_valid(instance);
        let sides = [
            (Side::Request, &placement.request, &request),
            (Side::Response, &placement.response, &response),
        ];
        for (side, slot, wrapped) in sides {
            let Some(slot) = slot else { continue };
            let wrapped_valid = wrapped.as_ref().map(|v| v.is_valid(&slot.value(instance)));
            if wrapped_valid != Some(valid) {
                let problem = Problem::WrappingChangesVerdict {
                    instance: instance.clone(),
                    side,
                };
                findings.problems.push((index, problem));
            }
        }
        verdicts.push(Some(valid));
    }
    verdicts
}

/// jsonschema with numbers compared exactly, and with salesync's lenient integers bounded too (see
/// `exceptions`).
struct References {
    exact: Reference,
    lenient: Reference,
}

/// The findings of one case: its refusal or build failure, or each instance's verdicts compared.
fn compare(
    index: usize,
    case: &GateCase,
    reference: &[Option<bool>],
    outcome: &Outcome,
    references: &References,
    findings: &mut Findings,
) {
    let verdicts = &outcome.verdicts[index];
    match verdicts.first() {
        Some(Verdict::Refused(why)) => return refused(index, case, why, findings),
        Some(Verdict::NotCompiled(why)) => {
            findings
                .problems
                .push((index, Problem::NotCompiled(why.clone())));
            return;
        }
        _ => {}
    }
    let placement = case.case.placement.as_ref().expect("gate cases are placed");
    let exact_validator = references.exact.validator(&case.schema).ok();
    let lenient_schema = exceptions::with_lenient_bounds(&case.schema);
    let lenient_validator = references.lenient.validator(&lenient_schema).ok();
    let judge_again = |value: &Value| lenient_validator.as_ref().map(|v| v.is_valid(value));
    for (i, instance) in case.case.instances.iter().enumerate() {
        let Some(valid) = reference[i] else { continue };
        let exact_reference = exact_validator.as_ref().map(|v| v.is_valid(instance));
        let lenient_reference = judge_again(instance);
        let ours = &verdicts[i];
        match &placement.request {
            Some(slot) => {
                let body = slot.value(instance);
                let d = Disagreement {
                    schema: &case.schema,
                    instance,
                    body: &body,
                    side: Side::Request,
                    reference_valid: valid,
                    reference: &judge_again,
                    exact_reference,
                    lenient_reference,
                    ours,
                };
                judge(index, &d, findings);
            }
            None if ours.valid() != Some(true) => {
                findings
                    .problems
                    .push((index, Problem::EmptyRequestRefused(ours.clone())));
            }
            None => {}
        }
        let (Some(slot), Some(parsed)) = (&placement.response, outcome.responses[index].as_ref())
        else {
            continue;
        };
        let body = slot.value(instance);
        let d = Disagreement {
            schema: &case.schema,
            instance,
            body: &body,
            side: Side::Response,
            reference_valid: valid,
            reference: &judge_again,
            exact_reference,
            lenient_reference,
            ours: &parsed[i],
        };
        judge(index, &d, findings);
    }
}

/// A refusal is fine when every diagnostic names a place in the case's own file; a panic never is.
fn refused(index: usize, case: &GateCase, why: &str, findings: &mut Findings) {
    if why.contains(crate::harness::generate::PANICKED) {
        findings
            .problems
            .push((index, Problem::GeneratorPanicked(why.to_owned())));
        return;
    }
    // `<file>#<pointer>: ...` with a pointer: a diagnostic of the whole file (`#: ...`, the generator's
    // "emitted invalid Rust" among them) points at nothing in the schema.
    let file = format!(
        "{}/{}.json#/",
        crate::harness::wrap::VENDOR,
        case.case.operation
    );
    if why.lines().all(|line| line.starts_with(&file)) {
        findings.refusals.push((index, why.to_owned()));
    } else {
        findings
            .problems
            .push((index, Problem::RefusedNowhere(why.to_owned())));
    }
}

/// One verdict against jsonschema's.
fn judge(index: usize, d: &Disagreement<'_>, findings: &mut Findings) {
    if d.ours.is_crash() {
        let problem = Problem::Crashed {
            instance: d.instance.clone(),
            side: d.side,
            verdict: d.ours.clone(),
        };
        findings.problems.push((index, problem));
        return;
    }
    match d.side {
        Side::Request if d.reference_valid => findings.compared.0 += 1,
        Side::Request => findings.compared.1 += 1,
        // A response is read, never validated: only an instance the schema allows must parse.
        Side::Response if d.reference_valid => findings.responses_parsed += 1,
        Side::Response => return,
    }
    if d.ours.valid() == Some(d.reference_valid) {
        return;
    }
    if let Some(exception) = exceptions::explained(d) {
        *findings.excused.entry(exception.name).or_default() += 1;
        return;
    }
    let problem = Problem::Disagrees {
        instance: d.instance.clone(),
        body: d.body.clone(),
        side: d.side,
        reference: d.reference_valid,
        ours: d.ours.clone(),
    };
    findings.problems.push((index, problem));
}
