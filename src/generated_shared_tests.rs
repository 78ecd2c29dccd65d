//! The generator's golden schema directory (`codegen/tests/golden_dir/`: two endpoints and a file of shared
//! definitions they `$ref`) compiled inside this crate exactly like `generated/`, and checked: a shared type is
//! one Rust type in one module, used by both endpoints, and validated where it is used.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/golden_dir.expected/acme/mod.rs"]
pub(crate) mod acme;

use serde_json::json;

use self::acme::{
    common, put_widgets, remove_widgets, Currency, Envelope, PutWidgets, RemoveWidgets,
};
use crate::runtime::{DynOperation, Operation};

fn violations(
    operation: &dyn DynOperation,
    body: serde_json::Value,
) -> Vec<(String, &'static str)> {
    operation
        .check_body(&body.to_string())
        .into_iter()
        .map(|v| (v.pointer, v.rule))
        .collect()
}

#[test]
fn shared_definitions_are_one_type_used_by_every_endpoint() {
    use std::any::TypeId;
    // The same Rust type, not two copies.
    let envelope = TypeId::of::<common::Envelope>();
    assert_eq!(
        TypeId::of::<<PutWidgets as Operation>::Response>(),
        envelope
    );
    assert_eq!(
        TypeId::of::<<RemoveWidgets as Operation>::Response>(),
        envelope
    );
    let widget = put_widgets::Widget::builder()
        .id("w")
        .price(common::Money::new(crate::Decimal::from_i64(1)).unwrap())
        .build();
    let request = remove_widgets::RemoveWidgetsRequest::builder()
        .ids(vec!["a".to_owned()])
        .build();
    assert_eq!(
        serde_json::to_value(widget).unwrap(),
        json!({"id": "w", "price": 1})
    );
    assert_eq!(
        serde_json::to_value(request).unwrap(),
        json!({"ids": ["a"]})
    );
}

#[test]
fn shared_types_are_validated_where_they_are_used() {
    let body = json!({
        "store": "s",
        "currency": "EUR",
        "widgets": [{"id": "w", "price": -1, "ship_to": {"country": "cn"}}]
    });
    // `Currency` is also read in responses, so an unknown code parses and validation refuses it.
    assert_eq!(
        violations(&PutWidgets, body),
        [
            ("/currency".to_owned(), "enum"),
            ("/widgets/0/price".to_owned(), "minimum"),
            ("/widgets/0/ship_to/country".to_owned(), "pattern"),
        ]
    );
    let body = json!({"ids": ["a", "a"], "ship_from": {"city": ""}});
    assert_eq!(
        violations(&RemoveWidgets, body),
        [
            ("/ship_from/country".to_owned(), "required"),
            ("/ids/1".to_owned(), "uniqueItems"),
            ("/ship_from/city".to_owned(), "minLength"),
        ],
        "a missing member does not hide the other problems"
    );
}

#[test]
fn a_shared_response_envelope_is_tolerant() {
    let envelope: Envelope =
        serde_json::from_value(json!({"code": 0, "currency": "JPY", "trace": "t"})).unwrap();
    assert_eq!(envelope.currency, Some(Currency::Unknown("JPY".into())));
    assert_eq!(envelope.extra["trace"], json!("t"));
}
