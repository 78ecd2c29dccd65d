//! Differential tests of the generator's fixtures, which only this crate's unit tests compile: on bodies
//! generated from each schema file (`tests/integration/support/schema_instances.rs`), the generated validation
//! (`check_body`, `x-` rules aside) agrees with the `jsonschema` crate run on the schema itself; and the schema
//! `schemars` derives from the generated Rust types judges the same bodies as the source schema.
//! `tests/integration/differential_schemas.rs` does the first for every endpoint in `schemas/`.

#[path = "../tests/integration/support/schema_instances.rs"]
mod schema_instances;

use std::path::Path;

use self::schema_instances::{agree, SchemaSet, DEFAULT_CASES};
use crate::runtime::DynOperation;

fn fixture(path: &str) -> SchemaSet {
    SchemaSet::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
}

/// Our verdict as `(pointer, rule)` pairs.
fn ours(operation: &dyn DynOperation) -> impl Fn(&str) -> Vec<(String, String)> + '_ {
    move |body| {
        operation
            .check_body(body)
            .into_iter()
            .map(|v| (v.pointer, v.rule.to_owned()))
            .collect()
    }
}

#[test]
fn the_kitchen_sink_agrees_with_jsonschema() {
    use super::generated_constructs_tests::kitchen_sink::PutThings;
    let set = fixture("codegen/tests/golden/kitchen_sink.json");
    agree("acme.put_things", ours(&PutThings), &set, DEFAULT_CASES);
}

#[test]
fn the_plain_2020_12_fixture_agrees_with_jsonschema() {
    use super::generated_fixture_tests::promotion_plan_add::PromotionPlanAdd;
    let set = fixture("codegen/tests/golden/promotion_plan_add.json");
    agree(
        "tencent.promotion_plan_add",
        ours(&PromotionPlanAdd),
        &set,
        DEFAULT_CASES,
    );
}

#[test]
fn endpoints_sharing_a_file_of_definitions_agree_with_jsonschema() {
    use super::generated_shared_tests::acme::{PutWidgets, RemoveWidgets};
    let set = fixture("codegen/tests/golden_dir/acme/put_widgets.json");
    agree("acme.put_widgets", ours(&PutWidgets), &set, DEFAULT_CASES);
    let set = fixture("codegen/tests/golden_dir/acme/remove_widgets.json");
    agree(
        "acme.remove_widgets",
        ours(&RemoveWidgets),
        &set,
        DEFAULT_CASES,
    );
}

/// The schema `schemars` derives from the Rust types carries the constraints: on the source schema's bodies,
/// it accepts and rejects what the source schema does.
#[cfg(feature = "schemars")]
mod derived {
    use super::schema_instances::{agree, SchemaSet};
    use super::*;

    /// The derived schema's verdict, as one violation per error (none of them `x-`).
    fn derived_verdict(schema: schemars::Schema) -> impl Fn(&str) -> Vec<(String, String)> {
        let validator = jsonschema::draft202012::options()
            .should_validate_formats(true)
            .build(schema.as_value())
            .unwrap_or_else(|err| panic!("the derived schema does not compile: {err}\n{schema:?}"));
        move |body| {
            let body: serde_json::Value = serde_json::from_str(body).unwrap();
            validator
                .iter_errors(&body)
                .map(|e| (e.instance_path.to_string(), "derived".to_owned()))
                .collect()
        }
    }

    fn compare<T: schemars::JsonSchema>(name: &str, set: &SchemaSet) {
        let schema = schemars::schema_for!(T);
        agree(name, derived_verdict(schema), set, DEFAULT_CASES);
    }

    #[test]
    fn the_kitchen_sink_types_carry_its_schema() {
        use crate::generated_constructs_tests::kitchen_sink::PutThingsRequest;
        compare::<PutThingsRequest>(
            "kitchen sink",
            &fixture("codegen/tests/golden/kitchen_sink.json"),
        );
    }

    #[test]
    fn the_plain_fixture_types_carry_its_schema() {
        use crate::generated_fixture_tests::promotion_plan_add::PromotionPlanAddRequest;
        let set = fixture("codegen/tests/golden/promotion_plan_add.json");
        compare::<PromotionPlanAddRequest>("promotion_plan_add", &set);
    }

    #[test]
    fn the_endpoint_types_carry_their_schemas() {
        use crate::shopline::batch_sync_flow_data::BatchSyncFlowDataRequest;
        use crate::tencent::salesinfo_add::SalesinfoAddRequest;
        compare::<SalesinfoAddRequest>("tencent", &fixture("schemas/tencent/salesinfo_add.json"));
        compare::<BatchSyncFlowDataRequest>(
            "shopline",
            &fixture("schemas/shopline/batch_sync_flow_data.json"),
        );
    }
}
