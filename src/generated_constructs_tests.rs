//! The generator's golden kitchen-sink module (`codegen/tests/golden/kitchen_sink.rs`) compiled inside this
//! crate exactly like `generated/`, and each construct's behaviour checked: the golden file is not just text
//! that looks right.

// Not every generated item is exercised here; the ones that matter are.
#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/golden/kitchen_sink.rs"]
pub(crate) mod kitchen_sink;

use self::kitchen_sink::{Kind, PutThings, PutThingsRequest, PutThingsResponse, State, Thing};
use crate::runtime::{parse, DynOperation, Operation, Validate};
use serde_json::json;

fn thing() -> serde_json::Value {
    json!({"id": "ab", "kind": 1, "count": "7", "price": 8.9, "list_price": 10})
}

fn violations(body: serde_json::Value) -> Vec<(String, &'static str)> {
    PutThings
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect()
}

#[test]
fn a_valid_body_parses_validates_and_emits_numbers() {
    let request: PutThingsRequest =
        parse::from_str(&json!({"owner": "o", "things": [thing()]}).to_string()).unwrap();
    assert!(request.validate().is_ok());
    assert_eq!(request.things[0].count, 7);
    assert_eq!(request.things[0].kind, Kind::Plain);
    let out = serde_json::to_value(&request).unwrap();
    assert_eq!(
        out["things"][0]["count"],
        json!(7),
        "lenient input, numeric output"
    );
    assert_eq!(out["things"][0]["price"].to_string(), "8.9");
    assert!(
        out["things"][0].get("weight").is_none(),
        "absent optionals are skipped"
    );
}

#[test]
fn every_construct_reports_at_its_pointer() {
    let mut bad = thing();
    bad["id"] = json!("汉字x"); // 3 characters, 7 bytes > 6
    bad["labels"] = json!(["ok", "toolong", "x"]);
    bad["price"] = json!(10.555);
    bad["weight"] = json!(0.25);
    bad["rate"] = json!("1.");
    bad["coupon_id"] = json!("c");
    bad["kind"] = json!(2);
    bad["details"] = json!({});
    let found = violations(json!({"owner": "", "things": [bad]}));
    let expected = [
        ("/owner", "minLength"),
        ("/things/0/id", "x-maxBytes"),
        ("/things/0/price", "x-decimalPlaces"),
        ("/things/0/weight", "minimum"),
        ("/things/0/rate", "pattern"),
        ("/things/0/labels", "maxItems"),
        ("/things/0/labels/1", "x-maxBytes"),
        ("/things/0/coupon_value", "dependentRequired"),
        ("/things/0/price", "x-compare"),
        ("/things/0/stock", "if-then"),
        ("/things/0/details/size", "if-then"),
        ("/things/0/rate", "if-else"),
    ];
    let expected: Vec<(String, &str)> = expected.iter().map(|(p, r)| (p.to_string(), *r)).collect();
    assert_eq!(found, expected);
}

#[test]
fn parse_errors_name_the_member_and_do_not_hide_other_items() {
    let mut unknown = thing();
    unknown["colour"] = json!("red");
    let mut missing = thing();
    missing.as_object_mut().unwrap().remove("price");
    let mut bad_enum = thing();
    bad_enum["kind"] = json!(9);
    let mut bad_count = thing();
    bad_count["count"] = json!("4.5");
    let found =
        violations(json!({"owner": "o", "things": [unknown, missing, bad_enum, bad_count]}));
    assert_eq!(
        found,
        [
            ("/things".to_string(), "maxItems"),
            ("/things/0/colour".to_string(), "additionalProperties"),
            ("/things/1/price".to_string(), "required"),
            ("/things/2/kind".to_string(), "enum"),
            ("/things/3/count".to_string(), "pattern"),
        ]
    );
}

#[test]
fn builders_take_the_required_members_by_name() {
    let thing = Thing::builder()
        .id("ab")
        .kind(Kind::Stocked)
        .count(1)
        .price("1.5".parse::<crate::Decimal>().unwrap())
        .list_price("2".parse::<crate::Decimal>().unwrap())
        .stock(3)
        .build();
    let request = PutThingsRequest::builder()
        .owner("owner")
        .things(vec![thing])
        .build();
    assert!(request.validate().is_ok());
    assert_eq!(<PutThings as Operation>::META.batch.unwrap().max_items, 3);
}

fn owned_by(owner: &str) -> PutThingsRequest {
    PutThingsRequest::builder()
        .owner(owner)
        .things(Vec::new())
        .build()
}

#[test]
fn responses_are_tolerant() {
    let response: PutThingsResponse =
        serde_json::from_value(json!({"retcode": 0, "state": 7, "data": [1], "new_member": true}))
            .unwrap();
    assert_eq!(response.code, Some(0));
    assert_eq!(response.state, Some(State::Unknown(7)));
    assert_eq!(response.extra["new_member"], json!(true));
    assert_eq!(State::from_code(1), State::Pending);
}

#[test]
fn sensitive_members_are_redacted_in_debug() {
    let request = owned_by("owner-secret");
    let printed = format!("{request:?}");
    assert!(!printed.contains("owner-secret"), "{printed}");
    assert!(printed.contains("owner: *** redacted ***"), "{printed}");
}

#[test]
fn credentials_list_the_sensitive_members_that_are_present() {
    let mut request = owned_by("owner-secret");
    assert_eq!(PutThings::credentials(&request), ["owner-secret"]);
    request.owner_pin = Some("1234".into());
    let printed = format!("{request:?}");
    assert!(!printed.contains("1234"), "{printed}");
    assert_eq!(PutThings::credentials(&request), ["owner-secret", "1234"]);
}

#[test]
fn every_missing_and_unknown_member_is_reported_at_once() {
    let found =
        violations(json!({"things": [{"id": "ab", "colour": "red", "details": {"sise": 1}}]}));
    let expected = [
        ("/owner", "required"),
        ("/things/0/kind", "required"),
        ("/things/0/count", "required"),
        ("/things/0/price", "required"),
        ("/things/0/list_price", "required"),
        ("/things/0/details/sise", "additionalProperties"),
        ("/things/0/colour", "additionalProperties"),
    ];
    let expected: Vec<(String, &str)> = expected.iter().map(|(p, r)| (p.to_string(), *r)).collect();
    assert_eq!(found, expected);
}
