//! The generator's golden module of ordinary JSON Schema (`codegen/tests/golden/json_schema.rs`, from a fixture
//! an event API could have written: a tagged union as the batch item, a map of strings or numbers, `anyOf` of
//! scalars, `oneOf` of objects told apart by validation, `allOf` merged into one struct, a recursive type, and
//! `not`, `contains`, `prefixItems`, `dependentSchemas`, `patternProperties`, `unevaluatedProperties` left to
//! the compiled schema), compiled inside this crate exactly like `generated/`, and judged: each construct's
//! type holds what it should, and each violation lands at its pointer with its keyword.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/golden/json_schema.rs"]
pub(crate) mod json_schema;

use serde_json::{json, Value};

use self::json_schema::{
    Context, Event, PageViewAttributesValue, Payer, PurchaseOrderRef, Referrer, TrackEvents,
    TrackEventsRequest,
};
use crate::runtime::{check, DynOperation, Validate};

fn page_view() -> Value {
    json!({"type": "page_view", "url": "https://shop.example.com/", "attributes": {"campaign": "spring", "score": 4.5}})
}

fn purchase() -> Value {
    json!({
        "type": "purchase",
        "amount": 12.5,
        "discount": 5.5,
        "order_ref": "A-1001",
        "payer": {"email": "ann@example.com"},
        "lines": [["gift", 1], ["sku-9", 2]]
    })
}

fn context() -> Value {
    json!({
        "app": "smartpush",
        "locale": "en-US",
        "referrer": {"url": "https://a.example/", "previous": {"url": "https://b.example/"}},
        "labels": "vip",
        "x-source": "ads"
    })
}

fn body() -> Value {
    json!({"events": [page_view(), purchase()], "context": context()})
}

/// `(pointer, rule)` of each violation of a body.
fn violations(body: &Value) -> Vec<(String, &'static str)> {
    TrackEvents
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect()
}

#[test]
fn a_valid_body_reads_into_precise_types_and_validates_clean() {
    let body = body();
    assert_eq!(violations(&body), []);
    let request: TrackEventsRequest = serde_json::from_value(body.clone()).unwrap();
    let Event::PageView(view) = &request.events[0] else {
        panic!("a page view");
    };
    let attributes = view.attributes.as_ref().unwrap();
    assert_eq!(
        attributes["campaign"],
        PageViewAttributesValue::String("spring".into())
    );
    assert_eq!(
        attributes["score"],
        PageViewAttributesValue::Number("4.5".parse().unwrap())
    );
    let Event::Purchase(purchase) = &request.events[1] else {
        panic!("a purchase");
    };
    assert_eq!(
        purchase.order_ref,
        Some(PurchaseOrderRef::String("A-1001".into()))
    );
    assert!(matches!(purchase.payer, Some(Payer::Guest(_))));
    let context: &Context = request.context.as_ref().unwrap();
    assert_eq!(context.app, "smartpush");
    let previous: &Referrer = context
        .referrer
        .as_ref()
        .unwrap()
        .previous
        .as_deref()
        .unwrap();
    assert_eq!(previous.url, "https://b.example/");
    assert_eq!(context.extra["x-source"], "ads");
    // What is sent is what was read.
    assert_eq!(serde_json::to_value(&request).unwrap(), body);
    assert_eq!(request.validate(), Ok(()));
}

#[test]
fn numbers_and_integers_of_a_scalar_union_read_by_their_json_type() {
    let order_ref: PurchaseOrderRef = serde_json::from_value(json!(7.0)).unwrap();
    assert_eq!(order_ref, PurchaseOrderRef::Integer(7));
    let refused = serde_json::from_value::<PurchaseOrderRef>(json!(true)).unwrap_err();
    assert!(
        refused.to_string().contains("a string or an integer"),
        "{refused}"
    );
}

#[test]
fn the_typed_checks_and_the_compiled_schema_report_at_each_pointer() {
    let mut body = body();
    body["events"][0]["attributes"]["campaign"] = json!("x".repeat(65));
    body["events"][1]["amount"] = json!(0.000000001);
    body["events"][1]["discount"] = json!(100.125);
    body["events"][1]["order_ref"] = json!(0);
    body["events"][1]["lines"] = json!([["sku-9", 2]]);
    body["context"]["labels"] = json!("");
    body["context"]["x-source"] = json!(1);
    body["context"]["unknown"] = json!(true);
    let found = violations(&body);
    for expected in [
        ("/events/0/attributes/campaign", "maxLength"),
        ("/events/1/amount", "multipleOf"),
        ("/events/1/discount", "maximum"),
        ("/events/1/discount", "x-decimalPlaces"),
        ("/events/1/order_ref", "minimum"),
        ("/events/1/lines", "contains"),
        ("/context/labels", "not"),
        ("/context/x-source", "type"),
        ("/context/unknown", "unevaluatedProperties"),
    ] {
        assert!(
            found.contains(&(expected.0.to_owned(), expected.1)),
            "{expected:?} not in {found:?}"
        );
    }
}

#[test]
fn a_one_of_of_objects_refuses_a_value_valid_as_none_or_as_both() {
    let mut body = body();
    body["events"][1]["payer"] = json!({"member_id": 7, "email": "ann@example.com"});
    assert!(violations(&body).contains(&("/events/1/payer".to_owned(), "oneOf")));
    let payer: Payer = serde_json::from_value(json!({"member_id": 7})).unwrap();
    assert!(matches!(payer, Payer::Member(_)));
    assert_eq!(payer.validate(), Ok(()));
}

#[test]
fn a_dependent_schema_and_a_merged_required_member_are_checked() {
    let mut body = body();
    body["events"][1]
        .as_object_mut()
        .unwrap()
        .remove("order_ref");
    body["context"].as_object_mut().unwrap().remove("app");
    let found = violations(&body);
    assert!(
        found.contains(&("/events/1/order_ref".to_owned(), "required")),
        "{found:?}"
    );
    assert!(
        found.contains(&("/context/app".to_owned(), "required")),
        "{found:?}"
    );
}

#[test]
fn a_union_is_a_batch_item_checked_row_by_row() {
    let row = purchase();
    let item = check::check_item::<TrackEvents>(&row, "/events/3").unwrap();
    assert!(matches!(item, Event::Purchase(_)));
    let refused =
        check::check_item::<TrackEvents>(&json!({"type": "refund"}), "/events/4").unwrap_err();
    assert_eq!(
        (refused[0].pointer.as_str(), refused[0].rule),
        ("/events/4/type", "oneOf")
    );
}
