//! The gate's report, in Markdown: the run's settings and counts, then every problem with what it takes to
//! reproduce it (the schema, its position, the instance, both verdicts, rustc's errors), then the refusals.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::exceptions::{Side, EXCEPTIONS};
use super::gate::{Findings, GateCase, Problem};
use super::positions::POSITIONS;

/// The whole report; `header` says how the run was made (seed, cases).
pub fn write(header: &str, cases: &[GateCase], findings: &Findings) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Compile gate\n\n{header}\n");
    summary(&mut out, cases, findings);
    problems(&mut out, cases, findings, usize::MAX);
    refusals(&mut out, cases, findings);
    exceptions(&mut out);
    out
}

/// The documented exceptions and why each is one.
fn exceptions(out: &mut String) {
    let _ = writeln!(
        out,
        "## Documented exceptions
"
    );
    for exception in EXCEPTIONS {
        let _ = writeln!(out, "- `{}`: {}", exception.name, exception.reason);
    }
}

/// The summary and the first `limit` problems: what a failing test prints.
pub fn short(header: &str, cases: &[GateCase], findings: &Findings, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{header}");
    summary(&mut out, cases, findings);
    problems(&mut out, cases, findings, limit);
    out
}

fn summary(out: &mut String, cases: &[GateCase], findings: &Findings) {
    let o = &findings.outcome;
    let refused = findings.refusals.len();
    let (all, not_compiled) = (cases.len(), o.not_compiled.len());
    let _ = writeln!(
        out,
        "- cases: {all}; refused by the generator at a file#pointer: {refused}; accepted: {}; \
         not compiling: {not_compiled}",
        all - refused
    );
    let (valid, invalid) = findings.compared;
    let _ = writeln!(
        out,
        "- request verdicts compared: {} ({valid} valid and {invalid} invalid by jsonschema); \
         response bodies that had to parse: {}",
        valid + invalid,
        findings.responses_parsed
    );
    let excused: Vec<String> = EXCEPTIONS
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e.name,
                findings.excused.get(e.name).copied().unwrap_or(0)
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "- disagreements explained by a documented exception: {}",
        excused.join(", ")
    );
    let known: Vec<String> = findings
        .known
        .iter()
        .map(|(bug, n)| format!("{bug} {n}"))
        .collect();
    let _ = writeln!(
        out,
        "- problems: {}; known bugs met (regressions::KNOWN_BUGS, not failing): {}",
        findings.problems.len(),
        if known.is_empty() {
            "none".to_owned()
        } else {
            known.join(", ")
        }
    );
    let t = o.timings;
    let _ = writeln!(
        out,
        "- time: jsonschema {:.1?}, generator {:.1?} ({} run(s)), builds {:.1?} ({} build(s), each \
         with schemars off and on), runner {:.1?}",
        findings.reference_time, t.generate, o.generator_runs, t.build, o.builds, t.run
    );
    let mut per_position: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (index, case) in cases.iter().enumerate() {
        let entry = per_position.entry(case.position.name()).or_default();
        entry.0 += 1;
        entry.1 += usize::from(findings.refusals.iter().any(|(i, _)| *i == index));
    }
    let positions: Vec<String> = POSITIONS
        .iter()
        .map(|p| {
            let (all, refused) = per_position.get(p.name()).copied().unwrap_or_default();
            format!("{} {all} ({refused} refused)", p.name())
        })
        .collect();
    let _ = writeln!(out, "- positions: {}\n", positions.join(", "));
}

fn problems(out: &mut String, cases: &[GateCase], findings: &Findings, limit: usize) {
    if findings.problems.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Problems\n");
    for (index, problem) in findings.problems.iter().take(limit) {
        let case = &cases[*index];
        let _ = writeln!(
            out,
            "### {} ({}), {} at {}{}\n",
            case.label,
            case.case.operation,
            case.construct,
            case.position.name(),
            if case.embedded {
                ", embedded with its own $id"
            } else {
                ""
            }
        );
        if !case.note.is_empty() {
            let _ = writeln!(out, "{}\n", case.note);
        }
        let _ = writeln!(out, "{}\n", describe(problem));
        let _ = writeln!(out, "schema: `{}`\n", case.schema);
    }
    if findings.problems.len() > limit {
        let _ = writeln!(
            out,
            "... and {} more (see the report file)\n",
            findings.problems.len() - limit
        );
    }
}

fn describe(problem: &Problem) -> String {
    let side = |side: &Side| match side {
        Side::Request => "request check_body",
        Side::Response => "response parse",
    };
    match problem {
        Problem::NotCompiled(errors) => {
            format!("accepted, and does not compile:\n```\n{errors}\n```")
        }
        Problem::GeneratorPanicked(why) => format!("the generator panicked: {why}"),
        Problem::RefusedNowhere(why) => {
            format!("refused with a diagnostic at no file#pointer of the case:\n```\n{why}\n```")
        }
        Problem::Crashed {
            instance,
            side: s,
            verdict,
        } => format!("instance `{instance}`: {} {verdict}", side(s)),
        Problem::Disagrees {
            instance,
            body,
            side: s,
            reference,
            ours,
        } => {
            let violations = match ours {
                crate::harness::Verdict::Invalid { first, .. } => {
                    format!("\n  salesync: {}", first.join("\n  salesync: "))
                }
                _ => String::new(),
            };
            let theirs = if *reference { "valid" } else { "invalid" };
            format!(
                "instance `{instance}` (body `{body}`): jsonschema says {theirs}, salesync's {} says \
                 {ours}{violations}",
                side(s)
            )
        }
        Problem::WrappingChangesVerdict { instance, side: s } => format!(
            "the gate's wrapping changes jsonschema's verdict on `{instance}` ({}): a bug of the gate",
            side(s)
        ),
        Problem::ReferenceRefuses(why) => format!(
            "jsonschema refuses the generated schema (a bug of the gate's generator): {why}"
        ),
        Problem::EmptyRequestRefused(verdict) => {
            format!("the empty request of a response-only endpoint is {verdict}")
        }
    }
}

/// Refusals grouped by message (names and pointers taken out), with a schema of each group.
fn refusals(out: &mut String, cases: &[GateCase], findings: &Findings) {
    if findings.refusals.is_empty() {
        return;
    }
    // Message shape -> (cases, an example line of that shape and its case).
    let mut groups: BTreeMap<String, (usize, usize, &str)> = BTreeMap::new();
    for (index, why) in &findings.refusals {
        for line in why.lines() {
            let entry = groups
                .entry(message_shape(line))
                .or_insert((0, *index, line));
            entry.0 += 1;
        }
    }
    let _ = writeln!(out, "## Refusals, by message\n");
    for (message, (count, index, line)) in groups {
        let case = &cases[index];
        let _ = writeln!(
            out,
            "- {count} time(s): {message}\n  - e.g. {} at {}: `{}`\n  - {line}",
            case.label,
            case.position.name(),
            case.schema
        );
    }
}

/// A diagnostic without its file, pointer and quoted names, so that alike ones group together.
pub fn message_shape(line: &str) -> String {
    let message = line.split_once(": ").map_or(line, |(_, m)| m);
    let mut shape = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
            if quoted {
                shape.push_str("`…`");
            }
        } else if !quoted {
            shape.push(c);
        }
    }
    shape
}
