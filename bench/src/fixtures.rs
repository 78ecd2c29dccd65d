//! Realistic request bodies, built with the generated models: every optional member filled, values varied per
//! item so that no two items are the same and the numbers are not all whole.

use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowDataRequest, FlowData, FlowNodeData, PercentRate, TimestampMillis,
};
use salesync::tencent::salesinfo_add::{
    AvailableStatus, CouponInfo, CouponStatus, CouponType, CustomTag, DeliveryInfo, ExclusiveInfo,
    ExclusiveStatus, IsDeleted, Location, MillisString, NormalProductInfo, Price, ProductType,
    PromoteStatus, RegionName, SalesInfo, SalesinfoAddRequest, SkuPromotion, SkuStockStatus, Stock,
    TagInfo, TagText, TargetUrlProps, ThirdPromotionInfo, Yuan,
};
use salesync::Decimal;

/// Items in the full Tencent request: the schema's batch limit.
pub const TENCENT_ITEMS: usize = 50;
/// Flows in the full Shopline request: the schema's batch limit.
pub const SHOPLINE_FLOWS: usize = 100;

fn yuan(cents: i64) -> Yuan {
    Yuan::from_cents(cents).expect("a valid amount")
}

fn region(name: &str) -> RegionName {
    RegionName::new(name).expect("a region name")
}

fn millis(value: i64) -> MillisString {
    MillisString::new(value.to_string()).expect("digits")
}

/// One salesinfo item with every optional member filled: a sample (so `stock_total` is required) with a
/// promotion, a related normal product, delivery, every landing page, a coupon, four tags, CPS promotion and
/// exclusive info.
pub fn tencent_item(i: usize) -> SalesInfo {
    let n = i as i64;
    let sku = format!("HB-P-fcmjsb{:04}g", i);
    let sku_cents = 1_990 + (n * 373) % 48_000; // 19.90 to 499.89
    let current_cents = sku_cents - 110 - (n % 7) * 10;
    let coupon_cents = 500;
    let start = 1_767_225_600_000 + n * 3_600_000;
    let end = start + 30 * 86_400_000;
    SalesInfo::builder()
        .external_store_id(format!("MRYXBJN-SHIFUOYING-{:03}", i % 40))
        .seller_id(format!("seller-{:06}", 880_000 + i % 97))
        .external_sku_id(sku.clone())
        .product_type(ProductType::Sample)
        .price(
            Price::builder()
                .daily_price(yuan(sku_cents - 10))
                .current_price(yuan(current_cents))
                .sku_price(yuan(sku_cents))
                .after_coupon_price(yuan(current_cents - coupon_cents))
                .currency_translation(false)
                .sku_promotions(vec![
                    SkuPromotion::builder()
                        .external_promotion_id(format!("XB-S-fcmjsb{:04}g", i))
                        .promotion_price(yuan(current_cents - 100))
                        .build(),
                    SkuPromotion::builder()
                        .external_promotion_id(format!("618-FLASH-{:04}", i))
                        .promotion_price(yuan(current_cents - 250))
                        .build(),
                ])
                .normal_product_info(vec![NormalProductInfo::builder()
                    .sku_id(format!("HB-N-fcmjsb{:04}g", i))
                    .normal_product_price(yuan(sku_cents * 4 + 90))
                    .build()])
                .build(),
        )
        .stock(
            Stock::builder()
                .available_status(AvailableStatus::Listed)
                .sku_stock_status(SkuStockStatus::InStock)
                .stock_total(1_200 + n)
                .sales_num(348 + n * 3)
                .build(),
        )
        .delivery_info(vec![DeliveryInfo::builder()
            .freight_amount(yuan(600 + (n % 3) * 150))
            .location(vec![Location::builder()
                .country_code("CN")
                .country_name(region("中国"))
                .province_code(440_000)
                .province_name(region("广东省"))
                .city_code(440_300)
                .city_name(region("深圳市"))
                .district_code(440_305)
                .district_name(region("南山区"))
                .build()])
            .build()])
        .target_url_props(
            TargetUrlProps::builder()
                .url_miniprogram(format!(
                    "pages/index/index?productSku={sku}&fromSource=soso&goPage=productDetail"
                ))
                .miniprogram_appid("wx8186e1f37ac111ec")
                .miniprogram_username("gh_3f6b2c1d9a7e")
                .url_miniprogram_qq(format!("pages/detail/detail?sku={sku}"))
                .miniprogram_appid_qq("1109876543")
                .url_h5(format!("https://m.example-shop.cn/p/{sku}"))
                .url_h5_2(format!(
                    "https://m.example-shop.cn/p/{sku}?utm_source=tencent&utm_medium=cps"
                ))
                .url_h5_3(format!("https://www.example-shop.cn/item/{sku}.html"))
                .build(),
        )
        .coupon_info(vec![CouponInfo::builder()
            .coupon_id(format!("CPN-2026-{:05}", i))
            .coupon_type(CouponType::Public)
            .amount_coupon(yuan(coupon_cents))
            .url_list(format!(
                "https://m.example-shop.cn/coupon/CPN-2026-{:05}",
                i
            ))
            .amount_minimum(yuan(current_cents - 1))
            .show_start_time(millis(start))
            .show_end_time(millis(end))
            .start_time(millis(start))
            .end_time(millis(end + 86_400_000))
            .available_num_per_person(1)
            .total_num(10_000)
            .store_num(7_342 - n)
            .status(CouponStatus::Valid)
            .build()])
        .tag_info(
            TagInfo::builder()
                .custom_tag(vec![
                    tag("商品规格", &["30ml"]),
                    tag("营销卖点", &["法式浪漫甜美", "鲜活愉悦", "自信清新"]),
                    tag("适合肤质", &["适合任何肤质"]),
                    tag("原产国", &["法国"]),
                ])
                .build(),
        )
        .third_promotion_info(
            ThirdPromotionInfo::builder()
                .commission_rate(Decimal::new(1_050 + n % 5 * 25, 2).expect("scale 2"))
                .promote_status(PromoteStatus::Promoting)
                .commission_amount(yuan(current_cents / 10))
                .commission_amount_after_coupon(yuan((current_cents - coupon_cents) / 10))
                .start_time(millis(start))
                .end_time(millis(end))
                .build(),
        )
        .exclusive_info(
            ExclusiveInfo::builder()
                .exclusive_status(ExclusiveStatus::Exclusive)
                .kol_id(vec![54_321_836, 54_321_837 + n])
                .build(),
        )
        .is_deleted(IsDeleted::NotDeleted)
        .build()
}

fn tag(name: &str, values: &[&str]) -> CustomTag {
    CustomTag::builder()
        .tag_name(TagText::new(name).expect("a short tag"))
        .tag_value(
            values
                .iter()
                .map(|v| TagText::new(*v).expect("a short tag"))
                .collect::<Vec<_>>(),
        )
        .build()
}

/// A full Tencent request: 50 items, every optional member filled.
pub fn tencent_request() -> SalesinfoAddRequest {
    SalesinfoAddRequest::builder()
        .account_id(1_111_111_111)
        .user_action_set_id(1_111_111_112)
        .data_set_id(1_111_111_113)
        .salesinfo((0..TENCENT_ITEMS).map(tencent_item).collect::<Vec<_>>())
        .build()
}

fn rate(tenths: i64) -> PercentRate {
    if tenths % 10 == 0 {
        PercentRate::new((tenths / 10).to_string()).expect("a rate")
    } else {
        PercentRate::new(format!("{}.{}", tenths / 10, tenths % 10)).expect("a rate")
    }
}

fn node(flow: usize, index: usize, occurred_on: i64) -> FlowNodeData {
    let n = (flow * 7 + index) as i64;
    FlowNodeData::builder()
        .node_id(format!("5a206848-5e7e-4e50-93de-{:012x}", flow * 16 + index))
        .parent_node_id(format!(
            "5a206848-5e7e-4e50-93de-{:012x}",
            flow * 16 + index.saturating_sub(1)
        ))
        .occurred_on(TimestampMillis::new(occurred_on).expect("a time"))
        .has_send_num(500 + n)
        .has_delivery_num(490 + n)
        .buyer_num(5 + n % 11)
        .order_num(6 + n % 13)
        .order_amount(34_400 + n * 113)
        .open_rate(rate(400 + n % 200))
        .click_rate(rate(566 - n % 100))
        .bounce_rate(rate(10 + n % 30))
        .fail_rate(rate(n % 20))
        .unsubscribe_rate(rate(n % 5))
        .preview_image_url(format!(
            "https://kmalgo.oss-ap-southeast-1.aliyuncs.com/material_ec2/2022-09-24/be7a1b5b947d47529c97bc78{:04x}",
            n
        ))
        .build()
}

/// One flow with three nodes and one deleted node, every optional member filled.
pub fn shopline_flow(i: usize) -> FlowData {
    let occurred_on = 1_672_365_600_000 + i as i64 * 3_600_000;
    let n = i as i64;
    FlowData::builder()
        .flow_id(format!("{}", 5_598_349_859_474_639_045_i64 - n))
        .occurred_on(TimestampMillis::new(occurred_on).expect("a time"))
        .order_amount(98_700 + n * 131)
        .order_num(17 + n % 9)
        .send_count(1_500 + n)
        .trigger_num(400 + n * 2)
        .flow_node_data_list((0..3).map(|k| node(i, k, occurred_on)).collect::<Vec<_>>())
        .delete_flow_node_data_list(vec![node(i, 9, occurred_on)])
        .build()
}

/// A full Shopline request: 100 flows.
pub fn shopline_request() -> BatchSyncFlowDataRequest {
    BatchSyncFlowDataRequest::builder()
        .app_key("ee89294e244543bd9422b446de9dece9cf0ea14e")
        .store_id("1658921299465")
        .source_type("smartpush-app")
        .flow_data_list((0..SHOPLINE_FLOWS).map(shopline_flow).collect::<Vec<_>>())
        .build()
}

/// One `salesync push` row for Tencent: a typical export line (prices, stock, a promotion, two tags), about
/// 400 bytes, with a unique SKU per row so the mock keeps every row.
pub fn tencent_push_row(i: u64) -> String {
    let sku_cents = 1_990 + (i * 373) % 48_000;
    let current = sku_cents - 110;
    format!(
        concat!(
            r#"{{"external_store_id":"store-{store:03}","external_sku_id":"SKU-{i:09}","product_type":1,"#,
            r#""price":{{"current_price":{cur},"sku_price":{sku},"daily_price":{sku},"#,
            r#""sku_promotions":[{{"external_promotion_id":"P-{i:09}","promotion_price":{promo}}}]}},"#,
            r#""stock":{{"available_status":1,"sku_stock_status":1,"stock_total":{stock},"sales_num":{sales}}},"#,
            r#""target_url_props":{{"url_h5":"https://m.example-shop.cn/p/SKU-{i:09}"}},"#,
            r#""tag_info":{{"custom_tag":[{{"tag_name":"商品规格","tag_value":["30ml"]}},"#,
            r#"{{"tag_name":"原产国","tag_value":["法国"]}}]}}}}"#
        ),
        store = i % 40,
        i = i,
        cur = cents_text(current),
        sku = cents_text(sku_cents),
        promo = cents_text(current - 100),
        stock = 100 + i % 900,
        sales = i % 5_000,
    )
}

/// One `salesync push` row for Shopline: a flow with one node, about 450 bytes.
pub fn shopline_push_row(i: u64) -> String {
    let occurred_on = 1_672_365_600_000 + (i % 1_000) * 3_600_000;
    format!(
        concat!(
            r#"{{"flow_id":"{flow}","occurred_on":{t},"order_amount":{amount},"order_num":{orders},"#,
            r#""send_count":{sends},"trigger_num":{triggers},"flow_node_data_list":[{{"#,
            r#""node_id":"node-{i:012}","parent_node_id":"node-root","occurred_on":{t},"has_send_num":{sends},"#,
            r#""has_delivery_num":{sends},"buyer_num":{orders},"order_num":{orders},"order_amount":{amount},"#,
            r#""open_rate":"41.5","click_rate":"5.6","bounce_rate":"1","fail_rate":"0","unsubscribe_rate":"0.2"}}]}}"#
        ),
        flow = 5_000_000_000_000_000_000_u64 + i,
        t = occurred_on,
        amount = 9_870 + i % 10_000,
        orders = i % 17,
        sends = 100 + i % 1_000,
        triggers = 120 + i % 1_000,
        i = i,
    )
}

fn cents_text(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Flow ids of [`shopline_flow_push_row`] repeat after this many rows, so the mock keeps at most this many
/// flows (and four times as many nodes) whatever the file's length.
pub const SHOPLINE_FLOW_IDS: u64 = 100_000;

/// One `salesync push` row for Shopline at a realistic size: a flow with its three nodes and a deleted one,
/// every optional member filled, as in [`shopline_request`] (about 2 KB, against 430 bytes for
/// [`shopline_push_row`]). Ids repeat every [`SHOPLINE_FLOW_IDS`] rows (the platform upserts by them); the
/// counts go on changing, so no two rows of a file are the same.
pub fn shopline_flow_push_row(i: u64) -> String {
    let mut flow = shopline_flow((i % SHOPLINE_FLOW_IDS) as usize);
    let n = i64::try_from(i).unwrap_or(i64::MAX / 4);
    flow.send_count = 1_500 + n;
    flow.trigger_num = 400 + 2 * n;
    serde_json::to_string(&flow).expect("a flow serializes")
}
