//! One test per rule of `schemas/shopline/batch_sync_flow_data.json`: breaking it is reported at the right JSON
//! pointer with the right rule name. Each case starts from one of the document's example bodies (the API
//! Explorer body, which sends numbers and fills every member, or the Examples body, which sends every count as a
//! string), changes one thing with a `serde_json::Value` edit, runs `BatchSyncFlowData.check_body` and compares
//! the exact list of `(pointer, rule)` pairs, sorted.

use salesync::runtime::{parse, DynOperation};
use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
use salesync::Validate;
use serde_json::{json, Value};

use crate::rules_common;
use rules_common::{pairs, remove, set, sorted};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/shopline/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The API Explorer example: JSON numbers, every member of every object present.
fn explorer_example() -> Value {
    fixture("doc_example_explorer")
}

/// The Examples body: every count, amount and timestamp sent as a string of digits.
fn strings_example() -> Value {
    fixture("doc_example_strings")
}

fn violations(body: &Value) -> Vec<(String, String)> {
    BatchSyncFlowData
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule.to_owned()))
        .collect()
}

/// Cases of one rule, each a one-edit change of a valid body; every failing case is listed at the end.
struct Cases {
    base: Value,
    failures: Vec<String>,
}

impl Cases {
    fn on(base: Value) -> Self {
        assert_eq!(violations(&base), vec![], "the base body must be valid");
        Cases {
            base,
            failures: Vec::new(),
        }
    }

    fn explorer() -> Self {
        Self::on(explorer_example())
    }

    fn strings() -> Self {
        Self::on(strings_example())
    }

    /// Any edit of the base body, then a check of the sorted violations.
    fn check(
        &mut self,
        name: &str,
        change: impl FnOnce(&mut Value),
        accept: impl FnOnce(&[(String, String)]) -> bool,
        expected: &str,
    ) {
        let mut body = self.base.clone();
        change(&mut body);
        let found = sorted(violations(&body));
        if !accept(&found) {
            self.failures.push(format!(
                "{name}\n    expected {expected}\n    found    {found:?}"
            ));
        }
    }

    /// Any edit of the base body, then the exact (sorted) violations expected.
    fn edit(&mut self, name: &str, change: impl FnOnce(&mut Value), expected: &[(&str, &str)]) {
        let expected = sorted(pairs(expected));
        let shown = format!("{expected:?}");
        self.check(name, change, |found| found == expected, &shown);
    }

    /// Setting `pointer` to `value` breaks `rule` at `pointer`, and only that.
    fn set_breaks(&mut self, pointer: &str, value: Value, rule: &str) {
        let name = format!("{pointer} = {value}");
        self.edit(&name, |b| set(b, pointer, value), &[(pointer, rule)]);
    }

    /// Setting `pointer` to `value` is reported at `pointer` (by one violation, whatever its rule).
    fn set_rejected(&mut self, pointer: &str, value: Value) {
        let name = format!("{pointer} = {value}");
        let expected = format!("one violation at {pointer}");
        self.check(
            &name,
            |b| set(b, pointer, value),
            |found| found.len() == 1 && found[0].0 == pointer,
            &expected,
        );
    }

    /// Setting `pointer` to `value` is still valid.
    fn set_ok(&mut self, pointer: &str, value: Value) {
        let name = format!("{pointer} = {value} (valid)");
        self.edit(&name, |b| set(b, pointer, value), &[]);
    }

    /// Removing `pointer` breaks `rule` at `pointer`.
    fn remove_breaks(&mut self, pointer: &str, rule: &str) {
        let name = format!("without {pointer}");
        self.edit(&name, |b| remove(b, pointer), &[(pointer, rule)]);
    }

    /// Removing `pointer` is still valid.
    fn remove_ok(&mut self, pointer: &str) {
        let name = format!("without {pointer} (valid)");
        self.edit(&name, |b| remove(b, pointer), &[]);
    }

    fn finish(self) {
        assert!(
            self.failures.is_empty(),
            "{} case(s) failed:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

const FLOW: &str = "/flow_data_list/0";
const NODE: &str = "/flow_data_list/0/flow_node_data_list/0";
const DELETED_NODE: &str = "/flow_data_list/0/delete_flow_node_data_list/0";

/// Members of a flow that take a JSON integer or a string of digits.
const FLOW_INTEGERS: [&str; 5] = [
    "occurred_on",
    "order_amount",
    "order_num",
    "send_count",
    "trigger_num",
];

/// Members of a node that take a JSON integer or a string of digits.
const NODE_INTEGERS: [&str; 6] = [
    "occurred_on",
    "has_send_num",
    "has_delivery_num",
    "buyer_num",
    "order_num",
    "order_amount",
];

const RATES: [&str; 5] = [
    "open_rate",
    "click_rate",
    "bounce_rate",
    "fail_rate",
    "unsubscribe_rate",
];

/// Every lenient integer member of the explorer example, as a pointer.
fn integer_pointers() -> Vec<String> {
    let mut pointers: Vec<String> = FLOW_INTEGERS
        .iter()
        .map(|m| format!("{FLOW}/{m}"))
        .collect();
    for node in [NODE, DELETED_NODE] {
        pointers.extend(NODE_INTEGERS.iter().map(|m| format!("{node}/{m}")));
    }
    pointers
}

#[test]
fn both_document_examples_are_valid() {
    for body in [explorer_example(), strings_example()] {
        assert_eq!(violations(&body), vec![]);
        let request: BatchSyncFlowDataRequest = parse::from_str(&body.to_string()).unwrap();
        assert!(request.validate().is_ok());
    }
}

#[test]
fn required_members() {
    let mut cases = Cases::explorer();
    for member in ["app_key", "store_id", "source_type", "flow_data_list"] {
        cases.remove_breaks(&format!("/{member}"), "required");
    }
    for member in FLOW_INTEGERS.iter().chain(&["flow_id"]) {
        cases.remove_breaks(&format!("{FLOW}/{member}"), "required");
    }
    for node in [NODE, DELETED_NODE] {
        for member in NODE_INTEGERS.iter().chain(&["node_id"]) {
            cases.remove_breaks(&format!("{node}/{member}"), "required");
        }
    }
    cases.finish();
}

#[test]
fn optional_members_may_be_absent() {
    let mut cases = Cases::explorer();
    cases.remove_ok(&format!("{FLOW}/flow_node_data_list"));
    cases.remove_ok(&format!("{FLOW}/delete_flow_node_data_list"));
    cases.set_ok(&format!("{FLOW}/flow_node_data_list"), json!([]));
    for node in [NODE, DELETED_NODE] {
        for member in RATES.iter().chain(&["parent_node_id", "preview_image_url"]) {
            cases.remove_ok(&format!("{node}/{member}"));
        }
    }
    // Optional members sent as null are read as absent (the schema README says so).
    cases.set_ok(&format!("{NODE}/open_rate"), Value::Null);
    cases.set_ok(&format!("{FLOW}/flow_node_data_list"), Value::Null);
    cases.finish();
}

#[test]
fn additional_properties_are_rejected() {
    let mut cases = Cases::explorer();
    for object in ["", FLOW, NODE, DELETED_NODE] {
        cases.set_breaks(
            &format!("{object}/unknown_member"),
            json!(1),
            "additionalProperties",
        );
    }
    // The flow's members are not node members and the reverse.
    cases.set_breaks(
        &format!("{NODE}/trigger_num"),
        json!(1),
        "additionalProperties",
    );
    cases.set_breaks(
        &format!("{FLOW}/node_id"),
        json!("n"),
        "additionalProperties",
    );
    cases.finish();
}

#[test]
fn type_errors_point_at_the_value() {
    let mut cases = Cases::explorer();
    let wrong: Vec<(String, Value)> = vec![
        ("/app_key".into(), json!(1)),
        ("/store_id".into(), json!(1658921299465_i64)),
        ("/source_type".into(), json!(["smartpush-app"])),
        ("/flow_data_list".into(), json!({})),
        ("/flow_data_list/0".into(), json!("flow")),
        (format!("{FLOW}/flow_id"), json!(5598349859474639045_i64)),
        (format!("{FLOW}/flow_node_data_list"), json!({})),
        (format!("{FLOW}/delete_flow_node_data_list"), json!("none")),
        (NODE.to_owned(), json!(5)),
        (format!("{NODE}/node_id"), json!(1)),
        (format!("{NODE}/parent_node_id"), json!(false)),
        (format!("{NODE}/preview_image_url"), json!(1)),
        (format!("{NODE}/click_rate"), json!(56.6)),
        (format!("{DELETED_NODE}/open_rate"), json!(4)),
    ];
    for (pointer, value) in wrong {
        cases.set_breaks(&pointer, value, "type");
    }
    // Lenient integers still need an integer or a string: these are neither.
    for pointer in integer_pointers() {
        for value in [json!(4.5), json!(true), json!([4]), json!({"n": 4})] {
            cases.set_breaks(&pointer, value, "type");
        }
    }
    cases.finish();
}

#[test]
fn lenient_integers_accept_numbers_and_digit_strings() {
    let mut cases = Cases::explorer();
    for pointer in integer_pointers() {
        for value in [
            json!(4),
            json!("4"),
            json!(0),
            json!("0"),
            json!("007"),
            json!(4.0),
            json!(i64::MAX),
            json!(i64::MAX.to_string()),
        ] {
            cases.set_ok(&pointer, value);
        }
    }
    cases.finish();
    // And the strings example, every count a string, is valid as it stands (Cases::strings checks it).
    Cases::strings().finish();
}

#[test]
fn lenient_integers_reject_other_strings() {
    let mut cases = Cases::strings();
    let mut pointers = vec![];
    for m in FLOW_INTEGERS {
        pointers.push(format!("{FLOW}/{m}"));
    }
    for m in NODE_INTEGERS {
        pointers.push(format!("{NODE}/{m}"));
        pointers.push(format!("{DELETED_NODE}/{m}"));
    }
    for pointer in pointers {
        for bad in [
            "4.5",
            "-1",
            "abc",
            "",
            "+4",
            " 4",
            "4 ",
            "1e3",
            "0x10",
            "99999999999999999999",
        ] {
            cases.set_rejected(&pointer, json!(bad));
        }
    }
    cases.finish();
}

#[test]
fn lenient_integer_strings_break_the_pattern_rule() {
    let mut cases = Cases::strings();
    for pointer in [
        format!("{FLOW}/trigger_num"),
        format!("{FLOW}/occurred_on"),
        format!("{NODE}/order_amount"),
        format!("{DELETED_NODE}/occurred_on"),
    ] {
        for bad in ["4.5", "-1", "abc", "", "+4", "-0"] {
            cases.set_breaks(&pointer, json!(bad), "pattern");
        }
    }
    cases.finish();
}

#[test]
fn negative_counts_are_accepted_and_sent() {
    // The document types every count, amount and time as long and gives no minimum: a negative JSON integer
    // is the platform's to judge. (Its string form is still digits only: see the pattern tests above.)
    let mut cases = Cases::explorer();
    for pointer in integer_pointers() {
        cases.set_ok(&pointer, json!(-1));
        cases.set_ok(&pointer, json!(i64::MIN));
    }
    cases.finish();
    // And the typed request sends them as they are.
    let mut body = explorer_example();
    for pointer in integer_pointers() {
        set(&mut body, &pointer, json!(-1));
    }
    let request: BatchSyncFlowDataRequest = parse::from_str(&body.to_string()).unwrap();
    assert!(request.validate().is_ok());
    let sent = serde_json::to_value(&request).unwrap();
    for pointer in integer_pointers() {
        assert_eq!(sent.pointer(&pointer), Some(&json!(-1)), "{pointer}");
    }
}

#[test]
fn empty_ids_are_accepted() {
    // The document gives the ids and the envelope's strings no length: an empty one is sent (the platform
    // judges it). A string they must be.
    let mut cases = Cases::explorer();
    for pointer in [
        "/app_key".to_owned(),
        "/store_id".to_owned(),
        "/source_type".to_owned(),
        format!("{FLOW}/flow_id"),
        format!("{NODE}/node_id"),
        format!("{DELETED_NODE}/node_id"),
        format!("{NODE}/parent_node_id"),
        format!("{NODE}/preview_image_url"),
    ] {
        cases.set_ok(&pointer, json!(""));
        cases.set_ok(&pointer, json!("x"));
        cases.set_breaks(&pointer, json!(0), "type");
    }
    cases.finish();
}

#[test]
fn rates_are_strings_of_any_form() {
    // The document types every rate as string (examples "56.6", "0.9", "80", "0") and says nothing of its
    // form: a percent sign, a sign or an empty string is sent as it is. A number is not a string.
    let mut cases = Cases::explorer();
    for node in [NODE, DELETED_NODE] {
        for rate in RATES {
            let pointer = format!("{node}/{rate}");
            for good in [
                "0", "4", "56.6", "0.9", "100", "250.125", "0.0", "-1", "-0.5", "05", ".5", "5.",
                "1e3", "56.6%", "", " 1", "1,5", "abc", "+1",
            ] {
                cases.set_ok(&pointer, json!(good));
            }
            for bad in [json!(56.6), json!(0), json!(true), json!(["56.6"])] {
                cases.set_breaks(&pointer, bad, "type");
            }
        }
    }
    cases.finish();
}

#[test]
fn flow_data_list_holds_at_most_100_flows() {
    let mut cases = Cases::explorer();
    let flow = explorer_example()["flow_data_list"][0].clone();
    // No minimum is documented ("max 100" only): an empty list is valid (the batch engine never sends one).
    cases.set_ok("/flow_data_list", json!([]));
    cases.set_ok("/flow_data_list", json!(vec![flow.clone(); 100]));
    cases.set_breaks("/flow_data_list", json!(vec![flow; 101]), "maxItems");
    // No limit is documented for the node lists.
    let node = explorer_example().pointer(NODE).unwrap().clone();
    cases.set_ok(
        &format!("{FLOW}/flow_node_data_list"),
        json!(vec![node; 150]),
    );
    cases.finish();
}

#[test]
fn validate_collects_every_violation_in_document_order() {
    // Every rule the document gives a flow is one of type, form (digit strings, minor units) or presence:
    // breaking one is a parse error, and check_body goes on past each. 101 flows also break "max 100". The
    // order: the envelope, the batch's size, then the flows by index. (Within one object, the parse errors
    // come in the order its members are read, so each flow here has one.)
    let mut body = explorer_example();
    let flow = body["flow_data_list"][0].clone();
    body["flow_data_list"] = json!(vec![flow; 101]);
    set(&mut body, "/store_id", json!(1658921299465_i64));
    set(&mut body, "/flow_data_list/0/trigger_num", json!("-4"));
    set(
        &mut body,
        "/flow_data_list/1/flow_node_data_list/0/click_rate",
        json!(56.6),
    );
    set(
        &mut body,
        "/flow_data_list/2/delete_flow_node_data_list/0/order_amount",
        json!(12.5),
    );
    set(
        &mut body,
        "/flow_data_list/3/flow_id",
        json!(5598349859474639045_i64),
    );
    set(
        &mut body,
        "/flow_data_list/4/occurred_on",
        json!("yesterday"),
    );

    let expected = pairs(&[
        ("/store_id", "type"),
        ("/flow_data_list", "maxItems"),
        ("/flow_data_list/0/trigger_num", "pattern"),
        ("/flow_data_list/1/flow_node_data_list/0/click_rate", "type"),
        (
            "/flow_data_list/2/delete_flow_node_data_list/0/order_amount",
            "type",
        ),
        ("/flow_data_list/3/flow_id", "type"),
        ("/flow_data_list/4/occurred_on", "pattern"),
    ]);
    assert_eq!(violations(&body), expected);

    // The typed parse stops at one of them: the first in the text (where `flow_data_list` precedes
    // `store_id`).
    let first = parse::from_str::<BatchSyncFlowDataRequest>(&body.to_string()).unwrap_err();
    assert_eq!(
        (first.pointer.as_str(), first.rule),
        ("/flow_data_list/0/trigger_num", "pattern")
    );

    // What validate() checks on a typed request (the batch's size) is reported the same by both.
    let mut body = explorer_example();
    let flow = body["flow_data_list"][0].clone();
    body["flow_data_list"] = json!(vec![flow; 101]);
    let expected = pairs(&[("/flow_data_list", "maxItems")]);
    assert_eq!(violations(&body), expected);
    let request: BatchSyncFlowDataRequest = parse::from_str(&body.to_string()).unwrap();
    let found: Vec<(String, String)> = request
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|v| (v.pointer, v.rule.to_owned()))
        .collect();
    assert_eq!(found, expected);
}

#[test]
fn a_parse_error_in_one_flow_does_not_hide_the_others() {
    let mut body = strings_example();
    let flow = body["flow_data_list"][0].clone();
    body["flow_data_list"] = json!([flow.clone(), flow.clone(), flow.clone(), flow]);
    set(&mut body, "/app_key", json!(null));
    set(&mut body, "/flow_data_list/0/send_count", json!("1.5"));
    set(
        &mut body,
        "/flow_data_list/1/flow_node_data_list/0/open_rate",
        json!(-3),
    );
    remove(
        &mut body,
        "/flow_data_list/2/delete_flow_node_data_list/0/node_id",
    );
    set(&mut body, "/flow_data_list/3/order_amount", json!("12.50"));
    set(&mut body, "/flow_data_list/3/unknown_member", json!(1));
    assert_eq!(
        violations(&body),
        pairs(&[
            ("/app_key", "type"),
            ("/flow_data_list/0/send_count", "pattern"),
            ("/flow_data_list/1/flow_node_data_list/0/open_rate", "type"),
            (
                "/flow_data_list/2/delete_flow_node_data_list/0/node_id",
                "required"
            ),
            ("/flow_data_list/3/unknown_member", "additionalProperties"),
            ("/flow_data_list/3/order_amount", "pattern"),
        ])
    );
}

#[test]
fn batch_size_survives_flow_parse_errors() {
    let flow = explorer_example()["flow_data_list"][0].clone();
    let mut body = explorer_example();
    let mut flows = vec![flow; 101];
    flows[100]["order_num"] = json!("many");
    body["flow_data_list"] = json!(flows);
    assert_eq!(
        violations(&body),
        pairs(&[
            ("/flow_data_list", "maxItems"),
            ("/flow_data_list/100/order_num", "pattern"),
        ])
    );
}
