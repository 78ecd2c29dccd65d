//! The generator's second golden module (`codegen/tests/golden/promotion_plan_add.rs`, from a fixture written
//! in plain JSON Schema 2020-12: inline objects and enums, a tagged union, maps, conditionals in `allOf`),
//! compiled inside this crate exactly like `generated/`. `cli/tests/integration/new_schema.rs` drops the same schema into
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
    let gift = promotion_plan_add::PlanGift::builder()
        .sku("sku")
        .quantity(1)
        .build();
    let targeting = RegionTargeting::builder()
        .province_codes(vec![440000])
        .build();
    let plan = Plan::builder()
        .plan_id("p-1")
        .name("name")
        .starts_on("2026-11-11")
        .kind(PlanKind::Gift)
        .contact_phone("1234567")
        .gift(gift)
        .targeting(PlanTargeting::RegionTargeting(targeting))
        .build();
    let request = PromotionPlanAddRequest::builder()
        .account_id(1)
        .channel(PromotionPlanAddRequestChannel::Qq)
        .plans(vec![plan])
        .build();
    assert_eq!(request.validate(), Ok(()));
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(
        body["plans"][0]["targeting"],
        json!({"by": "region", "province_codes": [440000]})
    );
    assert_eq!(PromotionPlanAdd.check_body(&body.to_string()), []);
}
