//! The standard JSON Schema vocabulary as the kitchen-sink golden module (`codegen/tests/golden/kitchen_sink.rs`)
//! compiles it: for each keyword a valid value passes, an invalid one is reported at its pointer with the keyword
//! as its rule, and what is read is written back the same.

use serde_json::{json, Value};

use super::generated_constructs_tests::kitchen_sink::{
    Color, Counters, Discount, Extras, Gift, Kind, Promotion, PutThings, PutThingsRequest,
    PutThingsRequestMode, PutThingsResponse, PutThingsResponseEvent, PutThingsResponseStatus,
    Settings, Thing,
};
use crate::runtime::{check, parse, DynOperation, Nullable, Validate};

fn thing() -> Value {
    json!({"id": "ab", "kind": 1, "count": 7, "price": 8.9, "list_price": 10})
}

/// A request using every construct, valid.
fn full_request() -> Value {
    let mut thing = thing();
    let extra = json!({
        "color": "red", "rate": "1.5", "size_code": 2, "quantity": 95, "discount": 0.1,
        "tags": ["a", "汉字汉字汉"], "matrix": [[0, 1], []], "dimensions": {"width": 1, "height": 2, "depth": 3},
        "active": true, "fragile": true, "weight": 5
    });
    thing
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({
        "owner": "o",
        "things": [thing],
        "mode": "delta",
        "labels_by_lang": {"en": "abc", "zh": "汉字"},
        "contact": "ops@example.com",
        "callback": "https://example.com/hook?x=1",
        "sent_on": "2024-02-29",
        "sent_at": "2026-03-01T08:00:00+08:00",
        "note": null,
        "promotion": {"type": "discount", "rate": 0.15},
        "extras": {"source": "erp", "batch": 7},
        "counters": {"total": 3, "returns": 1},
        "settings": {"version": 2, "batch_note": null, "phone": "12345"}
    })
}

/// `(pointer, rule)` of every violation of a body.
fn violations(body: &Value) -> Vec<(String, &'static str)> {
    PutThings
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect()
}

/// The full request with the value at `pointer` replaced (or removed, for `None`).
fn with(pointer: &str, value: Option<Value>) -> Value {
    let mut body = full_request();
    let (parent, member) = pointer.rsplit_once('/').unwrap();
    let parent = body.pointer_mut(parent).unwrap();
    match (value, parent) {
        (Some(value), Value::Object(members)) => _ = members.insert(member.to_owned(), value),
        (None, Value::Object(members)) => _ = members.remove(member),
        (Some(value), Value::Array(items)) => items[member.parse::<usize>().unwrap()] = value,
        _ => unreachable!(),
    }
    body
}

fn assert_only(body: Value, pointer: &str, rule: &str) {
    assert_eq!(violations(&body), [(pointer.to_owned(), rule)], "{body}");
}

#[test]
fn a_body_with_every_construct_is_valid_and_round_trips() {
    let body = full_request();
    assert_eq!(violations(&body), []);
    let request: PutThingsRequest = parse::from_str(&body.to_string()).unwrap();
    assert_eq!(request.mode, Some(PutThingsRequestMode::Delta));
    assert_eq!(request.note, Nullable::Null);
    assert_eq!(
        request
            .labels_by_lang
            .as_ref()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["en", "zh"]
    );
    assert!(
        matches!(&request.promotion, Some(Promotion::Discount(d)) if d.rate.to_string() == "0.15")
    );
    assert_eq!(request.things[0].color, Some(Color::Red));
    assert_eq!(request.extras.as_ref().unwrap().extra["batch"], json!(7));
    assert_eq!(request.counters.as_ref().unwrap().extra["returns"], 1);
    assert_eq!(request.settings.as_ref().unwrap().batch_note, None);
    assert_eq!(
        serde_json::to_value(&request).unwrap(),
        body,
        "what is read is sent back unchanged"
    );
}

#[test]
fn string_enums_take_only_their_strings() {
    assert_only(with("/mode", Some(json!("partial"))), "/mode", "enum");
    assert_only(with("/mode", Some(json!(1))), "/mode", "type");
}

#[test]
fn formats_are_validated() {
    for (pointer, bad) in [
        ("/contact", "not an email"),
        ("/callback", "relative/path"),
        ("/sent_on", "2023-02-29"),
        ("/sent_at", "2026-03-01 08:00:00"),
        ("/settings/sent", "25:00:00Z"),
    ] {
        assert_only(with(pointer, Some(json!(bad))), pointer, "format");
    }
    assert_eq!(
        violations(&with("/settings/sent", Some(json!("08:00:00Z")))),
        []
    );
}

#[test]
fn numbers_check_exclusive_bounds_and_multiples_exactly() {
    for (value, rule) in [
        (0, "exclusiveMinimum"),
        (100, "exclusiveMaximum"),
        (7, "multipleOf"),
    ] {
        assert_only(
            with("/things/0/quantity", Some(json!(value))),
            "/things/0/quantity",
            rule,
        );
    }
    assert_only(
        with("/things/0/discount", Some(json!(1))),
        "/things/0/discount",
        "exclusiveMaximum",
    );
    assert_only(
        with("/things/0/discount", Some(json!(0.07))),
        "/things/0/discount",
        "multipleOf",
    );
    // 0.35 / 0.05 is 6.999999999999999 in binary floating point; exactly 7 here.
    assert_eq!(
        violations(&with("/things/0/discount", Some(json!(0.35)))),
        []
    );
    assert_only(
        with("/things/0/size_code", Some(json!(4))),
        "/things/0/size_code",
        "enum",
    );
    assert_only(
        with("/things/0/active", Some(json!(false))),
        "/things/0/active",
        "const",
    );
}

#[test]
fn maps_check_member_names_counts_and_values_at_escaped_pointers() {
    let found = violations(&with(
        "/labels_by_lang",
        Some(json!({"EN": "abcd", "a/b": "x"})),
    ));
    assert_eq!(
        found,
        [
            ("/labels_by_lang/EN".to_owned(), "propertyNames"),
            ("/labels_by_lang/EN".to_owned(), "maxLength"),
            ("/labels_by_lang/a~1b".to_owned(), "propertyNames"),
        ]
    );
    assert_only(
        with("/labels_by_lang", Some(json!({}))),
        "/labels_by_lang",
        "minProperties",
    );
    let four = json!({"aa": "1", "bb": "2", "cc": "3", "dd": "4"});
    assert_only(
        with("/labels_by_lang", Some(four)),
        "/labels_by_lang",
        "maxProperties",
    );
    assert_only(
        with("/counters/returns", Some(json!(-1))),
        "/counters/returns",
        "minimum",
    );
}

#[test]
fn arrays_check_unique_items_nested_arrays_and_item_constraints() {
    assert_only(
        with("/things/0/tags", Some(json!(["a", "b", "a"]))),
        "/things/0/tags/2",
        "uniqueItems",
    );
    assert_only(
        with("/things/0/tags", Some(json!([""]))),
        "/things/0/tags/0",
        "minLength",
    );
    assert_only(
        with("/things/0/tags", Some(json!(["abcdef"]))),
        "/things/0/tags/0",
        "maxLength",
    );
    assert_only(
        with("/things/0/matrix", Some(json!([[1], [2, -1]]))),
        "/things/0/matrix/1/1",
        "minimum",
    );
    // 3.0 is an integer, as JSON Schema counts it; 3.5 is not.
    assert_eq!(
        violations(&with("/things/0/matrix", Some(json!([[3.0]])))),
        []
    );
    assert_only(
        with("/things/0/matrix", Some(json!([[3.5]]))),
        "/things/0/matrix/0/0",
        "type",
    );
}

#[test]
fn objects_check_any_of_required_const_members_and_member_counts() {
    let settings = |value: Value| with("/settings", Some(value));
    assert_only(
        settings(json!({"version": 2, "batch_note": "n"})),
        "/settings",
        "anyOf",
    );
    assert_only(
        settings(json!({"version": 3, "batch_note": "n", "phone": "12345"})),
        "/settings/version",
        "const",
    );
    assert_only(
        settings(json!({"version": 2, "phone": "12345"})),
        "/settings/batch_note",
        "required",
    );
    let five = json!({"version": 2, "batch_note": "n", "phone": "12345", "email": "a@b.co", "sent": "08:00:00Z"});
    assert_only(settings(five), "/settings", "maxProperties");
}

#[test]
fn nullable_members_tell_absent_from_null() {
    let absent: PutThingsRequest = parse::from_str(&with("/note", None).to_string()).unwrap();
    assert_eq!(absent.note, Nullable::Absent);
    assert!(
        serde_json::to_value(&absent).unwrap().get("note").is_none(),
        "absent stays absent"
    );
    let null: PutThingsRequest = parse::from_str(&full_request().to_string()).unwrap();
    assert_eq!(
        serde_json::to_value(&null).unwrap()["note"],
        Value::Null,
        "null is sent as null"
    );
    assert_only(
        with("/note", Some(json!("0123456789x"))),
        "/note",
        "maxLength",
    );
    assert_eq!(
        violations(&with("/note", Some(json!("汉字汉字汉字汉字汉字")))),
        [],
        "10 characters, 30 bytes"
    );
    // Required but nullable: present as null passes, missing fails; the constructor takes the Option.
    let settings = Settings::builder().batch_note(None::<String>).build();
    assert_eq!(
        serde_json::to_value(&settings).unwrap(),
        json!({"version": 2, "batch_note": null})
    );
}

#[test]
fn unions_are_read_by_their_tag_and_checked_as_their_variant() {
    let promotion = |value: Value| with("/promotion", Some(value));
    assert_only(
        promotion(json!({"type": "discount", "rate": 0})),
        "/promotion/rate",
        "exclusiveMinimum",
    );
    assert_only(
        promotion(json!({"type": "gift"})),
        "/promotion/sku",
        "required",
    );
    assert_only(
        promotion(json!({"type": "coupon"})),
        "/promotion/type",
        "oneOf",
    );
    assert_only(
        promotion(json!({"rate": 0.5})),
        "/promotion/type",
        "required",
    );
    assert_only(
        promotion(json!({"type": "discount", "rate": "x"})),
        "/promotion/rate",
        "type",
    );
    assert_only(
        promotion(json!({"type": "gift", "sku": "s", "rate": 1})),
        "/promotion/rate",
        "additionalProperties",
    );
    let request: PutThingsRequest =
        parse::from_str(&promotion(json!({"type": "gift", "sku": "s"})).to_string()).unwrap();
    assert_eq!(
        request.promotion,
        Some(Promotion::Gift(Gift::builder().sku("s").build()))
    );
    assert_eq!(
        serde_json::to_value(Promotion::Discount(
            Discount::builder()
                .rate("0.5".parse::<crate::Decimal>().unwrap())
                .build()
        ))
        .unwrap(),
        json!({"type": "discount", "rate": 0.5})
    );
}

#[test]
fn conditionals_apply_then_or_else_for_string_boolean_and_enum_tests() {
    // color "red" requires rate; any other color forbids it.
    assert_only(with("/things/0/rate", None), "/things/0/rate", "if-then");
    assert_only(
        with("/things/0/color", Some(json!("green"))),
        "/things/0/rate",
        "if-else",
    );
    // fragile: true caps the weight at 5; an absent `fragile` passes the `if` (it does not require it).
    assert_only(
        with("/things/0/weight", Some(json!(6))),
        "/things/0/weight",
        "maximum",
    );
    let mut body = with("/things/0/weight", Some(json!(6)));
    body["things"][0].as_object_mut().unwrap().remove("fragile");
    assert_eq!(
        violations(&body),
        [("/things/0/weight".to_owned(), "maximum")]
    );
    body["things"][0]["fragile"] = json!(false);
    assert_eq!(violations(&body), []);
    // size_code 2 or 3 requires dimensions.depth, one level down.
    assert_only(
        with(
            "/things/0/dimensions",
            Some(json!({"width": 1, "height": 2})),
        ),
        "/things/0/dimensions/depth",
        "if-then",
    );
    assert_eq!(violations(&with("/things/0/size_code", Some(json!(1)))), []);
}

#[test]
fn types_used_both_ways_read_anything_and_send_only_what_the_schema_allows() {
    let body = with("/things/0/color", Some(json!("blue")));
    let request: PutThingsRequest = parse::from_str(&body.to_string()).unwrap();
    assert_eq!(request.things[0].color, Some(Color::Unknown("blue".into())));
    let found: Vec<_> = request
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect();
    assert_eq!(
        found,
        [
            ("/things/0/color".to_owned(), "enum"),
            ("/things/0/rate".to_owned(), "if-else")
        ]
    );
    let mut extra = with(
        "/things/0/dimensions",
        Some(json!({"width": 1, "height": 2, "depth": 3, "x": 1})),
    );
    assert_only(
        extra.take(),
        "/things/0/dimensions/x",
        "additionalProperties",
    );
}

#[test]
fn open_request_objects_keep_and_send_members_they_do_not_name() {
    let mut extras = Extras::builder().build();
    extras.extra.insert("batch".into(), json!(7));
    assert_eq!(serde_json::to_value(&extras).unwrap(), json!({"batch": 7}));
    let mut counters = Counters::builder().build();
    counters.extra.insert("returns".into(), -1);
    let found: Vec<_> = counters
        .validate()
        .unwrap_err()
        .into_iter()
        .map(|v| v.pointer)
        .collect();
    assert_eq!(found, ["/returns"]);
}

#[test]
fn responses_keep_unknown_strings_tags_and_members() {
    let response: PutThingsResponse = serde_json::from_value(json!({
        "status": "queued", "color": "purple", "event": {"kind": 3, "what": "new"},
        "warnings": [null, "w"], "etag": null, "scores": {"a": 1.5},
        "dimensions": {"width": 0, "height": 1, "new": true}
    }))
    .unwrap();
    assert_eq!(
        response.status,
        Some(PutThingsResponseStatus::Unknown("queued".into()))
    );
    assert_eq!(response.color, Some(Color::Unknown("purple".into())));
    assert!(matches!(
        response.event,
        Some(PutThingsResponseEvent::Unknown(_))
    ));
    assert_eq!(response.warnings, Some(vec![None, Some("w".into())]));
    assert_eq!(response.etag, None);
    assert_eq!(response.dimensions.unwrap().extra["new"], json!(true));
    let known: PutThingsResponse =
        serde_json::from_value(json!({"status": "ok", "event": {"kind": 1, "id": "e1"}})).unwrap();
    assert_eq!(known.status, Some(PutThingsResponseStatus::Ok));
    assert!(
        matches!(known.event, Some(PutThingsResponseEvent::Created(created)) if created.id.as_deref() == Some("e1"))
    );
}

#[test]
fn an_array_where_an_object_belongs_is_a_type_error_at_every_level() {
    let positional = json!(["o", [thing()]]);
    assert_only(positional, "", "type");
    assert_only(
        with("/things/0", Some(json!(["ab", 1, 7, 8.9, 10]))),
        "/things/0",
        "type",
    );
    assert_only(
        with("/things/0/dimensions", Some(json!([1, 2, 3]))),
        "/things/0/dimensions",
        "type",
    );
    assert_only(
        with("/settings", Some(json!([2, null, "a@b.co"]))),
        "/settings",
        "type",
    );
    assert_only(
        with("/promotion", Some(json!(["gift", "s"]))),
        "/promotion",
        "type",
    );
    // A batch item (a row pushed on its own).
    let row =
        check::check_item::<PutThings>(&json!(["ab", 1, 7, 8.9, 10]), "/things/3").unwrap_err();
    assert_eq!(
        (row[0].pointer.as_str(), row[0].rule),
        ("/things/3", "type")
    );
    // A response.
    assert!(serde_json::from_value::<PutThingsResponse>(json!([0, 1])).is_err());
    let thing: Result<Thing, _> = serde_json::from_value(json!(["ab", 1, 7, 8.9, 10]));
    assert!(thing.unwrap_err().to_string().contains("found an array"));
    let _ = Kind::Plain;
}
