//! The generator's second golden module (`codegen/tests/golden/promotion_plan_add.rs`, from a fixture written
//! in plain JSON Schema 2020-12: inline objects and enums, a tagged union, maps, conditionals in `allOf`),
//! compiled inside this crate exactly like `generated/`. `cli/tests/new_schema.rs` drops the same schema into
//! a copy of `schemas/`; here its types are checked directly.

#[allow(dead_code)]
#[rustfmt::skip]
#[path = "../codegen/tests/golden/promotion_plan_add.rs"]
pub(crate) mod promotion_plan_add;

use serde_json::json;

use self::promotion_plan_add::{
    Plan, PlanKind, PlanTargeting, PromotionPlanAdd, PromotionPlanAddRequest,
    PromotionPlanAddRequestChannel, RegionTargeting,
};
use crate::runtime::{DynOperation, Validate};

#[test]
fn inline_types_get_names_from_where_they_sit() {
    let mut plan = Plan::new("p-1", "name", "2026-11-11", PlanKind::Gift);
    plan.contact_phone = Some("1234567".into());
    plan.gift = Some(promotion_plan_add::PlanGift {
        quantity: Some(1),
        ..promotion_plan_add::PlanGift::new("sku")
    });
    plan.targeting = Some(PlanTargeting::RegionTargeting(RegionTargeting::new(vec![
        440000,
    ])));
    let request = PromotionPlanAddRequest::new(1, PromotionPlanAddRequestChannel::Qq, vec![plan]);
    assert_eq!(request.validate(), Ok(()));
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(
        body["plans"][0]["targeting"],
        json!({"by": "region", "province_codes": [440000]})
    );
    assert_eq!(PromotionPlanAdd.check_body(&body.to_string()), []);
}
