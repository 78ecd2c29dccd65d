//! The two ways `codegen diff` prints changes: a markdown table for a pull request, or JSON lines for tools.

use super::Change;

/// A markdown table, one row per change; nothing at all when there is no change.
pub fn markdown(changes: &[Change]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let breaking = changes.iter().filter(|c| c.is_breaking()).count();
    let mut out = String::from("| schema | pointer | change | wire | api | note |\n| --- | --- | --- | --- | --- | --- |\n");
    for change in changes {
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} |\n",
            cell(&change.schema),
            cell(&change.pointer),
            change.change,
            bold(change.wire.as_str()),
            bold(change.api.as_str()),
            cell(&change.note)
        ));
    }
    out.push_str(&format!(
        "\n{} change(s), {breaking} breaking (wire: can a client generated from the old schemas work against a \
         platform that speaks the new ones; api: does code written against the old generated types compile).\n",
        changes.len()
    ));
    out
}

/// Exactly one JSON object per change, one per line, members in the documented order.
pub fn json_lines(changes: &[Change]) -> String {
    let text = |value: &str| serde_json::Value::from(value).to_string();
    changes
        .iter()
        .map(|change| {
            format!(
                "{{\"schema\":{},\"pointer\":{},\"change\":{},\"wire\":{},\"api\":{},\"note\":{}}}\n",
                text(&change.schema),
                text(&change.pointer),
                text(change.change),
                text(change.wire.as_str()),
                text(change.api.as_str()),
                text(&change.note)
            )
        })
        .collect()
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn bold(verdict: &str) -> String {
    if verdict == "breaking" {
        "**breaking**".to_owned()
    } else {
        verdict.to_owned()
    }
}
