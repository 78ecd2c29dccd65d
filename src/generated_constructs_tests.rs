//! The generator's golden kitchen-sink module (`codegen/tests/golden/kitchen_sink.rs`) compiled inside this
//! crate exactly like `generated/`, and each construct's behaviour checked: the golden file is not just text
//! that looks right.

// Not every generated item is exercised here; the ones that matter are.
#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/golden/kitchen_sink.rs"]
pub(crate) mod kitchen_sink;

use self::kitchen_sink::{
    Kind, Money, PutThings, PutThingsRequest, PutThingsResponse, State, Thing,
};
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
        .price("1.5".parse::<Money>().unwrap())
        .list_price(Money::from_cents(200).unwrap())
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

// ---------------------------------------------------------------------------------------------------------
// Newtypes: every constructor checks the schema; deserialization reads what the wire says and `validate()`
// judges it.

mod newtypes {
    use super::kitchen_sink::{
        Aliases, Cents, Flag, Kilograms, Member, Millis, Money, Rate, Ratio, Thing, Ticket,
    };
    use crate::runtime::{Decimal, InvalidValue, Validate};

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// The error's text and its rules.
    fn refused<T: std::fmt::Debug>(result: Result<T, InvalidValue>) -> (String, Vec<&'static str>) {
        let err = result.unwrap_err();
        let rules = err.violations().iter().map(|v| v.rule).collect();
        (err.to_string(), rules)
    }

    #[test]
    fn a_decimal_newtype_checks_every_constructor() {
        let price = Money::new(dec("8.9")).unwrap();
        assert_eq!(price.get(), dec("8.9"));
        assert_eq!("8.90".parse::<Money>().unwrap(), price);
        assert_eq!(Money::try_from("8.9").unwrap(), price);
        assert_eq!(Money::try_from(dec("8.9")).unwrap(), price);
        assert_eq!(Money::try_from(8.9f64).unwrap(), price);
        assert_eq!(Money::from_cents(890).unwrap(), price);
        assert_eq!(Money::from_minor_units(890).unwrap(), price);
        assert_eq!(Decimal::from(price), dec("8.9"));
        assert_eq!(price.into_inner(), dec("8.9"));

        assert_eq!(
            refused("-1".parse::<Money>()),
            (
                "Money: must be at least 0, is -1 [minimum]".to_owned(),
                vec!["minimum"]
            )
        );
        assert_eq!(
            refused("12.999".parse::<Money>()),
            (
                "Money: must have at most 2 decimal place(s), 12.999 has 3 [x-decimalPlaces]"
                    .to_owned(),
                vec!["x-decimalPlaces"]
            )
        );
        // Every broken rule at once.
        assert_eq!(
            refused("-0.001".parse::<Money>()).1,
            ["minimum", "x-decimalPlaces"]
        );
        assert_eq!(
            refused("abc".parse::<Money>()).0,
            "Money: `abc` is not a decimal number [type]"
        );
        assert!(Money::from_cents(-1).is_err());
        assert!(Money::try_from(dec("-1")).is_err());
        assert!(Money::try_from("1e3").is_err());
    }

    #[test]
    fn a_double_is_read_by_its_shortest_text_and_never_rounded() {
        assert_eq!(Money::try_from(10.0).unwrap().to_cents(), Some(1_000));
        assert_eq!(Money::try_from(0.07).unwrap().to_cents(), Some(7));
        assert_eq!(
            refused(Money::try_from(12.999)).1,
            ["x-decimalPlaces"],
            "never rounded to 13.00"
        );
        // 0.1 + 0.2 is 0.30000000000000004, not 0.3.
        assert_eq!(refused(Money::try_from(0.1 + 0.2)).1, ["x-decimalPlaces"]);
        assert_eq!(refused(Money::try_from(f64::NAN)).1, ["type"]);
        assert_eq!(refused(Money::try_from(f64::INFINITY)).1, ["type"]);
    }

    #[test]
    fn minor_units_are_exact_at_any_number_of_places() {
        let price = Money::from_cents(1_999).unwrap();
        assert_eq!(
            (price.to_cents(), price.to_minor_units()),
            (Some(1_999), Some(1_999))
        );
        assert_eq!(
            Money::from_cents(i64::MAX).unwrap().to_cents(),
            Some(i64::MAX)
        );
        // Whole yuan past i64::MAX cents have no count of cents: refused when built.
        assert_eq!(
            refused(Money::new(Decimal::from_i64(i64::MAX / 10))).1,
            ["x-decimalPlaces"]
        );
        let weight = Kilograms::from_minor_units(1_250).unwrap();
        assert_eq!(weight.get(), dec("1.25"));
        assert_eq!(weight.to_minor_units(), Some(1_250));
        assert_eq!(
            "0.125".parse::<Kilograms>().unwrap().to_minor_units(),
            Some(125)
        );
        assert_eq!(
            refused(Kilograms::from_minor_units(0)).0,
            "Kilograms: must be greater than 0, is 0 [exclusiveMinimum]"
        );
        assert!("0.0001".parse::<Kilograms>().is_err());
        // A decimal without x-decimalPlaces has no minor units (nothing to count them in), but is checked.
        assert_eq!("0.333".parse::<Ratio>().unwrap().get(), dec("0.333"));
        assert_eq!(refused("1.5".parse::<Ratio>()).1, ["maximum"]);
    }

    #[test]
    fn display_is_the_value_as_sent() {
        let price = Money::from_cents(890).unwrap();
        assert_eq!(price.to_string(), "8.9");
        assert_eq!(serde_json::to_string(&price).unwrap(), "8.9");
        assert_eq!(
            format!("{price:.2}"),
            "8.90",
            "a precision pads, never rounds"
        );
        assert_eq!(Money::from_cents(1_000).unwrap().to_string(), "10");
        assert_eq!(Millis::new(42).unwrap().to_string(), "42");
        assert_eq!(Rate::new("1.5").unwrap().to_string(), "1.5");
        assert_eq!(format!("[{:>5}]", Rate::new("1.5").unwrap()), "[  1.5]");
        assert_eq!(Flag::new(true).unwrap().to_string(), "true");
        let aliases = Aliases::new(vec!["a".to_owned(), "b\"".to_owned()]).unwrap();
        assert_eq!(aliases.to_string(), r#"["a","b\""]"#);
    }

    #[test]
    fn string_newtypes_check_their_text() {
        let rate = Rate::new("1.5").unwrap();
        assert_eq!(rate.as_str(), "1.5");
        assert_eq!(rate.as_ref(), "1.5");
        assert_eq!(Rate::try_from("2".to_owned()).unwrap().into_inner(), "2");
        assert_eq!(String::from(Rate::try_from("3").unwrap()), "3");
        assert_eq!(
            refused("4%".parse::<Rate>()).0,
            "Rate: `4%` does not match the pattern ^[0-9]+(\\.[0-9]+)?$ [pattern]"
        );
        assert_eq!(
            refused(Member::new("ninechars")).0,
            "Member: must have at most 8 character(s), has 9 [maxLength]"
        );
        // Received only: nothing validates it, but it is built checked all the same.
        assert_eq!(Ticket::new("T-1").unwrap().as_str(), "T-1");
        assert_eq!(refused(Ticket::new("1")).1, ["pattern"]);
    }

    #[test]
    fn integer_newtypes_check_their_value_and_amounts_say_minor_units() {
        assert_eq!(Millis::new(5).unwrap().get(), 5);
        assert_eq!("5".parse::<Millis>().unwrap(), Millis::try_from(5).unwrap());
        assert_eq!(i64::from(Millis::new(5).unwrap()), 5);
        assert_eq!(
            refused("-5".parse::<Millis>()).0,
            "Millis: must be at least 0, is -5 [minimum]"
        );
        assert_eq!(
            refused("5.5".parse::<Millis>()).0,
            "Millis: `5.5` is not an integer [type]"
        );
        assert_eq!(Cents::new(1_250).unwrap().get(), 1_250);
        assert_eq!(
            refused("12.50".parse::<Cents>()).0,
            "Cents: amounts are integers in minor units (cents): 12.50 is not [type]"
        );
        // Read from JSON, a fraction is told the same, at its pointer.
        let err = serde_json::from_str::<Cents>("12.5")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("[type] amounts are integers in minor units (cents): 12.5 is not"),
            "{err}"
        );
        let err = serde_json::from_str::<Cents>(r#""12.50""#)
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(
                r#"[pattern] amounts are integers in minor units (cents): "12.50" is not"#
            ),
            "{err}"
        );
        assert_eq!(
            serde_json::from_str::<Cents>(r#""1250""#).unwrap().get(),
            1_250
        );
    }

    #[test]
    fn array_and_unconstrained_newtypes() {
        let aliases = Aliases::try_from(vec!["ab".to_owned()]).unwrap();
        assert_eq!(aliases.get(), &["ab".to_owned()]);
        let err =
            Aliases::new(vec!["ok".to_owned(), "toolong".to_owned(), "x".to_owned()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Aliases: must have at most 2 item(s), has 3 [maxItems]; \
             Aliases at /1: must have at most 4 character(s), has 7 [maxLength]"
        );
        assert_eq!(err.violations()[1].pointer, "/1");
        assert!(Flag::new(false).is_ok());
        assert!(!"false".parse::<Flag>().unwrap().get());
        assert_eq!(refused("no".parse::<Flag>()).1, ["type"]);
    }

    #[test]
    fn deserialization_reads_the_wire_and_validate_judges_it() {
        // No constructor builds these; serde reads them, and `validate()` says what is wrong, by pointer.
        let price: Money = serde_json::from_str("12.999").unwrap();
        assert_eq!(price.to_cents(), None, "no exact count of cents");
        let found = price.validate().unwrap_err();
        assert_eq!(found.iter().next().unwrap().rule, "x-decimalPlaces");
        let negative: Money = serde_json::from_str("-1").unwrap();
        assert_eq!(negative.to_cents(), Some(-100));
        assert!(negative.validate().is_err());
        let thing: Thing = serde_json::from_value(serde_json::json!({
            "id": "ab", "kind": 1, "count": 1, "price": -1, "list_price": 10
        }))
        .unwrap();
        let found = thing.validate().unwrap_err();
        let first = found.iter().next().unwrap();
        assert_eq!((first.pointer.as_str(), first.rule), ("/price", "minimum"));
    }

    #[test]
    fn amounts_round_trip_exactly() {
        for cents in [
            0,
            1,
            7,
            10,
            99,
            890,
            1_000,
            12_345_678_901,
            999_999_999_999_999,
        ] {
            let price = Money::from_cents(cents).unwrap();
            let text = serde_json::to_string(&price).unwrap();
            let back: Money = serde_json::from_str(&text).unwrap();
            assert_eq!(back.to_cents(), Some(cents), "{text}");
            assert_eq!(back.to_string().parse::<Money>().unwrap(), price);
        }
    }

    #[test]
    fn a_string_newtype_is_compared_through_its_accessor_in_conditionals() {
        let thing = |member: &str| {
            serde_json::from_value::<Thing>(serde_json::json!({
                "id": "ab", "kind": 1, "count": 1, "price": 1, "list_price": 2, "member": member
            }))
            .unwrap()
        };
        let found = thing("vip").validate().unwrap_err();
        assert_eq!(found.iter().next().unwrap().pointer, "/deposit");
        assert!(thing("regular").validate().is_ok());
    }
}
