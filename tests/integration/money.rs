//! Money through the public API: the Tencent `Yuan` newtype enforces its schema when built (at most 2
//! decimals, exact cents, doubles never rounded; no minimum, which the document states for `current_price`
//! and `sku_price` only, and their members check), and a Shopline amount in minor units sent as yuan
//! (`12.50`, `"12.50"`) is told so, by every way a body is checked.

use salesync::runtime::{parse, DynOperation, InvalidValue};
use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowData, BatchSyncFlowDataRequest, PercentRate, TimestampMillis,
};
use salesync::tencent::salesinfo_add::{MillisString, Price, RegionName, TagText, Yuan};
use salesync::{Decimal, Validate};
use serde_json::{json, Value};

fn message(err: InvalidValue) -> String {
    err.to_string()
}

#[test]
fn yuan_is_checked_when_built() {
    assert_eq!(
        message("12.999".parse::<Yuan>().unwrap_err()),
        "Yuan: must have at most 2 decimal place(s), 12.999 has 3 [x-decimalPlaces]"
    );
    assert_eq!(
        message(Yuan::try_from("8,90").unwrap_err()),
        "Yuan: `8,90` is not a decimal number [type]"
    );
    assert!(Yuan::try_from(Decimal::from_parts(12_999, 3)).is_err());
    // No minimum: a negative amount (a refund, a discount) is the platform's to judge, except where the
    // document says ">= 0", on the members below.
    assert_eq!("-1".parse::<Yuan>().unwrap().to_cents(), Some(-100));
    assert_eq!(Yuan::from_cents(-1).unwrap().to_string(), "-0.01");
    assert_eq!(
        Yuan::new(Decimal::from_i64(-1)).unwrap(),
        "-1".parse().unwrap()
    );

    let price = Yuan::from_cents(890).unwrap();
    assert_eq!(price, "8.9".parse().unwrap());
    assert_eq!(price, Yuan::try_from("8.90").unwrap());
    assert_eq!(price, Yuan::try_from(8.9).unwrap());
    assert_eq!(price.get(), Decimal::from_cents(890));
    assert_eq!(price.to_cents(), Some(890));
    assert_eq!(price.to_minor_units(), Some(890));
    assert_eq!(price.to_string(), "8.9");
    assert_eq!(format!("{price:.2}"), "8.90");
    assert_eq!(serde_json::to_string(&price).unwrap(), "8.9");
}

#[test]
fn the_current_and_list_prices_are_never_negative() {
    let price = |current: i64, list: i64| {
        Price::builder()
            .current_price(Yuan::from_cents(current).unwrap())
            .sku_price(Yuan::from_cents(list).unwrap())
            .build()
    };
    let found = |price: Price| -> Vec<(String, &str, String)> {
        price
            .validate()
            .err()
            .map(|v| v.0)
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.pointer, v.rule, v.message))
            .collect()
    };
    assert_eq!(
        found(price(-1, 1000)),
        [(
            "/current_price".to_owned(),
            "minimum",
            "must be at least 0, is -0.01".to_owned()
        )]
    );
    assert_eq!(
        found(price(-200, -100))
            .into_iter()
            .map(|(pointer, rule, _)| (pointer, rule))
            .collect::<Vec<_>>(),
        [
            ("/current_price".to_owned(), "minimum"),
            ("/sku_price".to_owned(), "minimum")
        ]
    );
    assert_eq!(found(price(0, 0)), []);
}

#[test]
fn a_double_is_never_rounded_into_yuan() {
    assert_eq!(Yuan::try_from(19.99).unwrap().to_cents(), Some(1_999));
    assert_eq!(Yuan::try_from(0.3).unwrap().to_cents(), Some(30));
    assert_eq!(Yuan::try_from(-0.01).unwrap().to_cents(), Some(-1));
    for bad in [12.999, 0.1 + 0.2, -0.001, f64::NAN, f64::INFINITY] {
        assert!(Yuan::try_from(bad).is_err(), "{bad} accepted");
    }
}

#[test]
fn every_cent_amount_round_trips_exactly() {
    let mut cents = 0i64;
    while cents < 10_000_000 {
        let price = Yuan::from_cents(cents).unwrap();
        let sent = serde_json::to_string(&price).unwrap();
        let read: Yuan = serde_json::from_str(&sent).unwrap();
        assert_eq!(read.to_cents(), Some(cents), "{sent}");
        assert_eq!(Yuan::try_from(sent.parse::<f64>().unwrap()).unwrap(), price);
        cents = cents * 3 + 7;
    }
}

#[test]
fn a_parsed_yuan_is_judged_by_validate() {
    // Deserialization reads the wire as it is (no constructor could build these); validate() reports them.
    let price: Yuan = serde_json::from_str("12.999").unwrap();
    assert_eq!(price.to_cents(), None);
    assert_eq!(
        price.validate().unwrap_err().iter().next().unwrap().rule,
        "x-decimalPlaces"
    );
}

#[test]
fn string_and_integer_newtypes_are_checked_when_built() {
    assert_eq!(
        message(RegionName::new("").unwrap_err()),
        "RegionName: must have at least 1 character(s), has 0 [minLength]"
    );
    assert!(RegionName::new("中".repeat(22)).is_err(), "66 bytes > 64");
    assert_eq!(RegionName::new("广东省").unwrap().as_str(), "广东省");
    assert!(TagText::new("x".repeat(2049)).is_err());
    assert!("1672365600000".parse::<MillisString>().is_ok());
    assert!(
        "".parse::<MillisString>().is_ok(),
        "the empty string means forever"
    );
    assert_eq!(
        message("tomorrow".parse::<MillisString>().unwrap_err()),
        "MillisString: `tomorrow` does not match the pattern ^([0-9]{1,16})?$ [pattern]"
    );
    assert_eq!(
        TimestampMillis::try_from(1_672_365_600_000).unwrap().get(),
        1_672_365_600_000
    );
    // The document types these only as long and string: no minimum, no form.
    let before_1970 = TimestampMillis::new(-1).unwrap();
    assert_eq!(serde_json::to_string(&before_1970).unwrap(), "-1");
    assert_eq!(
        message("1.5".parse::<TimestampMillis>().unwrap_err()),
        "TimestampMillis: `1.5` is not an integer [type]"
    );
    assert_eq!("4%".parse::<PercentRate>().unwrap().to_string(), "4%");
    assert_eq!("56.6".parse::<PercentRate>().unwrap().to_string(), "56.6");
}

fn shopline_body(amount: Value) -> Value {
    json!({
        "app_key": "ee89294e244543bd9422b446de9dece9cf0ea14e",
        "store_id": "1658921299465",
        "source_type": "smartpush-app",
        "flow_data_list": [{
            "flow_id": "1", "occurred_on": 1_672_365_600_000_i64, "order_amount": amount,
            "order_num": 0, "send_count": 1, "trigger_num": 4,
            "flow_node_data_list": [{
                "node_id": "n", "occurred_on": 1_672_365_600_000_i64, "order_amount": amount,
                "has_send_num": 1, "has_delivery_num": 1, "buyer_num": 0, "order_num": 0
            }]
        }]
    })
}

#[test]
fn shopline_amounts_in_yuan_are_told_they_are_minor_units() {
    for (amount, rule, shown) in [
        (json!(12.50), "type", "12.5"),
        (json!("12.50"), "pattern", "\"12.50\""),
    ] {
        let body = shopline_body(amount).to_string();
        let expected = format!("amounts are integers in minor units (cents): {shown} is not");
        // What `salesync validate`, `push` and the mock check: every violation, at its pointer.
        let mut found: Vec<(String, &str, String)> = BatchSyncFlowData
            .check_body(&body)
            .into_iter()
            .map(|v| (v.pointer, v.rule, v.message))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                (
                    "/flow_data_list/0/flow_node_data_list/0/order_amount".to_owned(),
                    rule,
                    expected.clone()
                ),
                (
                    "/flow_data_list/0/order_amount".to_owned(),
                    rule,
                    expected.clone()
                ),
            ],
            "{body}"
        );
        // The typed parse with pointers.
        let first = parse::from_str::<BatchSyncFlowDataRequest>(&body).unwrap_err();
        assert_eq!((first.rule, first.message), (rule, expected.clone()));
        // A plain serde parse: the message, with the rule in brackets and serde's position.
        let err = serde_json::from_str::<BatchSyncFlowDataRequest>(&body)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!("[{rule}] {expected}")), "{err}");
    }
    // Minor units are what is sent, as numbers or digit strings.
    assert_eq!(
        BatchSyncFlowData.check_body(&shopline_body(json!(1250)).to_string()),
        []
    );
    assert_eq!(
        BatchSyncFlowData.check_body(&shopline_body(json!("1250")).to_string()),
        []
    );
    // Other broken amounts keep their own messages.
    let found = BatchSyncFlowData.check_body(&shopline_body(json!("12a")).to_string());
    assert!(
        found[0]
            .message
            .contains("is not a string of decimal digits"),
        "{found:?}"
    );
}
