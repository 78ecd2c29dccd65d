//! The suite's report, in Markdown: the summary first, then what the generator refuses, per file, every
//! wrong verdict, where salesync and jsonschema disagree, the documented exceptions and what does not compile.

use super::*;

pub fn write(rows: &[Row<'_>], cases: &[Case], outcome: &Outcome, reference: Duration) -> String {
    let mut out = String::new();
    summary(&mut out, rows, outcome, reference);
    refusal_causes(&mut out, outcome);
    per_file(&mut out, rows, cases, outcome);
    wrong_verdicts(&mut out, rows);
    disagreements(&mut out, rows);
    exceptions(&mut out, rows);
    not_compiling(&mut out, cases, outcome);
    extra_refused(&mut out, outcome);
    out
}

fn summary(out: &mut String, rows: &[Row<'_>], outcome: &Outcome, reference: Duration) {
    let groups = suite().len();
    let refused = outcome
        .verdicts
        .iter()
        .filter(|v| matches!(v.first(), Some(Verdict::Refused(_))))
        .count();
    let right = rows.iter().filter(|r| r.right()).count();
    let count = |required: bool| {
        let of: Vec<&Row<'_>> = rows
            .iter()
            .filter(|r| r.group.file.starts_with("optional/") != required)
            .collect();
        let right = of.iter().filter(|r| r.right()).count();
        format!("{right} / {}", of.len())
    };
    let wrong: Vec<&Row<'_>> = rows.iter().filter(|r| !r.right()).collect();
    let documented = wrong.iter().filter(|r| r.exception.is_some()).count();
    let passing_exceptions = rows
        .iter()
        .filter(|r| r.right() && r.exception.is_some())
        .count();
    let crashes = rows.iter().filter(|r| r.ours.is_crash()).count();
    let reference_right = rows.iter().filter(|r| r.reference_right()).count();
    let both = |ours: bool, theirs: bool| {
        rows.iter()
            .filter(|r| r.right() == ours && r.reference_right() == theirs)
            .count()
    };
    let t = outcome.timings;
    let _ = writeln!(
        out,
        "# JSON-Schema-Test-Suite (draft 2020-12) against salesync's generator\n"
    );
    let _ = writeln!(out, "Suite commit {SUITE_COMMIT}; required files and the optional tests of the ten claimed formats.\n");
    let _ = writeln!(out, "- groups: {groups}; refused by the generator: {refused}; accepted: {}, of which not compiling: {}", groups - refused, outcome.not_compiled.len());
    let _ = writeln!(
        out,
        "- tests judged right: **{right} / {}** (required {}, formats {}); floor {FLOOR}",
        rows.len(),
        count(true),
        count(false)
    );
    let _ = writeln!(out, "- wrong: {} ({documented} documented exceptions, {} undocumented); exceptions passing now: {passing_exceptions}", wrong.len(), wrong.len() - documented);
    let _ = writeln!(out, "- panics and crashes: {crashes}");
    let _ = writeln!(out, "- jsonschema 0.33 right: {reference_right} / {}; salesync wrong where jsonschema is right: {}; both wrong: {}; salesync right where jsonschema is wrong: {}", rows.len(), both(false, true), both(false, false), both(true, false));
    let _ = writeln!(out, "- time: generator {:.1?} ({} run(s)), build {:.1?} ({} build(s)), run {:.1?}, jsonschema {:.1?}", t.generate, outcome.generator_runs, t.build, outcome.builds, t.run, reference);
    if !outcome.unattributed_errors.is_empty() {
        let _ = writeln!(
            out,
            "- rustc errors that named no endpoint: {}",
            outcome.unattributed_errors.len()
        );
    }
    out.push('\n');
}

/// How many refused groups each keyword refused (see [`keyword_of`]).
fn refusal_causes(out: &mut String, outcome: &Outcome) {
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    for verdicts in &outcome.verdicts {
        let Some(Verdict::Refused(why)) = verdicts.first() else {
            continue;
        };
        let keywords: BTreeSet<String> = why.lines().map(keyword_of).collect();
        for keyword in keywords {
            *causes.entry(keyword).or_default() += 1;
        }
    }
    if causes.is_empty() {
        return;
    }
    let mut causes: Vec<(String, usize)> = causes.into_iter().collect();
    causes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let _ = writeln!(out, "## What the generator refuses\n\nGroups refused, by the keyword its diagnostics name (a group may count under several):\n");
    for (keyword, groups) in causes {
        let _ = writeln!(out, "- `{keyword}`: {groups}");
    }
    out.push('\n');
}

/// The keyword a diagnostic is about: the one its message names (``unsupported keyword `not` ``), else the
/// last keyword of its pointer (`file#/$defs/V/properties/foo/minimum: ...` -> `minimum`): segments that
/// are array indices or member names (under `properties`, `$defs`, ...) are not keywords.
fn keyword_of(diagnostic: &str) -> String {
    let (location, message) = diagnostic.split_once(": ").unwrap_or((diagnostic, ""));
    if let Some((_, rest)) = message.split_once("keyword `") {
        if let Some((keyword, _)) = rest.split_once('`') {
            return keyword.to_owned();
        }
    }
    let pointer = location.split_once('#').map_or("", |(_, p)| p);
    let mut keyword = None;
    let mut names_follow = false;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        let is_keyword = !names_follow && !segment.chars().all(|c| c.is_ascii_digit());
        names_follow = is_keyword && MAPS.contains(&segment.as_str());
        // A pointer that ends at a name or an index is about a whole schema.
        keyword = is_keyword.then_some(segment);
    }
    keyword.unwrap_or_else(|| "(a whole schema)".into())
}

/// Keywords whose members are names, not keywords.
const MAPS: [&str; 6] = [
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependentRequired",
];

fn per_file(out: &mut String, rows: &[Row<'_>], cases: &[Case], outcome: &Outcome) {
    let _ = writeln!(out, "## Per file\n\n| file | groups | refused | not compiling | right / tests | jsonschema right |\n| --- | --- | --- | --- | --- | --- |");
    let mut files: Vec<&str> = suite().iter().map(|g| g.file.as_str()).collect();
    files.dedup();
    for file in files {
        let groups: Vec<usize> = (0..suite().len())
            .filter(|&g| suite()[g].file == file)
            .collect();
        let refused = groups
            .iter()
            .filter(|&&g| matches!(outcome.verdicts[g].first(), Some(Verdict::Refused(_))))
            .count();
        let not_compiling = groups
            .iter()
            .filter(|&&g| outcome.not_compiled.contains(&cases[g].operation))
            .count();
        let of: Vec<&Row<'_>> = rows.iter().filter(|r| r.group.file == file).collect();
        let right = of.iter().filter(|r| r.right()).count();
        let reference = of.iter().filter(|r| r.reference_right()).count();
        let _ = writeln!(
            out,
            "| {file} | {} | {refused} | {not_compiling} | {right} / {} | {reference} |",
            groups.len(),
            of.len()
        );
    }
    out.push('\n');
}

/// Every wrong verdict that no exception documents, by file and group.
fn wrong_verdicts(out: &mut String, rows: &[Row<'_>]) {
    let _ = writeln!(
        out,
        "## Wrong verdicts\n\nExpected (the suite), got (salesync), and jsonschema's verdict.\n"
    );
    let mut current: Option<(&str, usize)> = None;
    for row in rows.iter().filter(|r| !r.right() && r.exception.is_none()) {
        let here = (row.group.file.as_str(), row.group.index);
        if current.map(|(file, _)| file) != Some(here.0) {
            let _ = writeln!(out, "\n### {}\n", here.0);
        }
        if current != Some(here) {
            let _ = writeln!(
                out,
                "- {} (group {}){}",
                one_line(&row.group.description),
                row.group.index,
                group_reason(row.ours)
            );
        }
        current = Some(here);
        let _ = writeln!(
            out,
            "  - {}: expected {}, got {}; jsonschema: {}",
            one_line(&row.test.description),
            verdict_word(row.test.valid),
            test_verdict(row.ours),
            reference_word(row)
        );
    }
    out.push('\n');
}

/// The differential proper: every test both judged, on which salesync and jsonschema differ.
fn disagreements(out: &mut String, rows: &[Row<'_>]) {
    let differ: Vec<&Row<'_>> = rows
        .iter()
        .filter(|r| matches!((r.ours.valid(), r.reference), (Some(a), Ok(b)) if a != *b))
        .collect();
    let _ = writeln!(
        out,
        "## Where salesync and jsonschema disagree\n\n{} test(s) both judged.\n",
        differ.len()
    );
    for row in differ {
        let right = if row.right() {
            "salesync"
        } else {
            "jsonschema"
        };
        let _ = writeln!(
            out,
            "- {} / {} / {}: salesync {}, jsonschema {}; {right} is right",
            row.group.file,
            one_line(&row.group.description),
            one_line(&row.test.description),
            test_verdict(row.ours),
            reference_word(row)
        );
    }
    out.push('\n');
}

/// A refusal or a build failure is the group's, said once at the group.
fn group_reason(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Refused(why) | Verdict::NotCompiled(why) => {
            let more = why.lines().count().saturating_sub(1);
            let first = why.lines().next().unwrap_or_default();
            let more = if more > 0 {
                format!(" (+{more} more)")
            } else {
                String::new()
            };
            let what = if matches!(verdict, Verdict::Refused(_)) {
                "refused"
            } else {
                "does not compile"
            };
            format!(": {what}: `{}`{more}", first.replace('`', "'"))
        }
        _ => String::new(),
    }
}

fn test_verdict(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Refused(_) => "refused".into(),
        Verdict::NotCompiled(_) => "not compiled".into(),
        other => one_line(&other.to_string()),
    }
}

fn reference_word(row: &Row<'_>) -> String {
    match row.reference {
        Ok(valid) if row.reference_right() => format!("{} (right)", verdict_word(*valid)),
        Ok(valid) => format!("{} (wrong)", verdict_word(*valid)),
        Err(why) => format!("no verdict: {}", one_line(why)),
    }
}

fn exceptions(out: &mut String, rows: &[Row<'_>]) {
    let _ = writeln!(out, "## Documented exceptions\n");
    for row in rows.iter().filter(|r| r.exception.is_some()) {
        let state = if row.right() {
            "PASSES NOW: remove it from EXCEPTIONS"
        } else {
            "still wrong"
        };
        let _ = writeln!(
            out,
            "- {} / {} / {}: {state}; got {} ({})",
            row.group.file,
            one_line(&row.group.description),
            one_line(&row.test.description),
            test_verdict(row.ours),
            row.exception.unwrap_or_default()
        );
    }
    out.push('\n');
}

fn not_compiling(out: &mut String, cases: &[Case], outcome: &Outcome) {
    if outcome.not_compiled.is_empty() && outcome.unattributed_errors.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Accepted but not compiling (generator bugs)\n");
    for (g, case) in cases.iter().enumerate() {
        if let Some(Verdict::NotCompiled(errors)) = outcome.verdicts[g].first() {
            let group = &suite()[g];
            let _ = writeln!(
                out,
                "### {} / {} ({})\n\n```\n{errors}\n```\n",
                group.file,
                one_line(&group.description),
                case.operation
            );
        }
    }
    if !outcome.unattributed_errors.is_empty() {
        let _ = writeln!(
            out,
            "rustc errors that named no endpoint:\n\n```\n{}\n```\n",
            outcome.unattributed_errors.join("\n")
        );
    }
}

fn extra_refused(out: &mut String, outcome: &Outcome) {
    if outcome.extra_refused.is_empty() {
        return;
    }
    let _ = writeln!(out, "## Remote documents the generator refused\n");
    for (file, why) in &outcome.extra_refused {
        let _ = writeln!(out, "- {file}: {}", one_line(why));
    }
    out.push('\n');
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn a_diagnostic_is_filed_under_its_keyword() {
    let of = |d: &str| keyword_of(d);
    assert_eq!(
        of("s/x.json#/$defs/V/not: unsupported keyword `not`: a negation"),
        "not"
    );
    assert_eq!(
        of("s/x.json#/$defs/V/properties/$id/minimum: bad"),
        "minimum"
    );
    assert_eq!(of("s/x.json#/$defs/V/items/0/type: bad"), "type");
    assert_eq!(
        of("s/x.json#/$defs/V: 'false' allows no value"),
        "(a whole schema)"
    );
    assert_eq!(of("s/x.json#: not valid JSON: eof"), "(a whole schema)");
}
