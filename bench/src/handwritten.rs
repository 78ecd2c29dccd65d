//! The baseline: the minimal serde structs a developer would write by hand for the same JSON. Plain derives,
//! `f64` for money, `i64` for counts and codes, `String` for text, `Option` plus `skip_serializing_if` for
//! optional members (so the output is the same document), and no validation.

/// Tencent `salesinfo/add`.
pub mod tencent {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct SalesinfoAddRequest {
        pub account_id: i64,
        pub user_action_set_id: i64,
        pub data_set_id: i64,
        pub salesinfo: Vec<SalesInfo>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct SalesInfo {
        pub external_store_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub seller_id: Option<String>,
        pub external_sku_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub product_type: Option<i64>,
        pub price: Price,
        pub stock: Stock,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delivery_info: Option<Vec<DeliveryInfo>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target_url_props: Option<TargetUrlProps>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub coupon_info: Option<Vec<CouponInfo>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tag_info: Option<TagInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub third_promotion_info: Option<ThirdPromotionInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub exclusive_info: Option<ExclusiveInfo>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub is_deleted: Option<i64>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Price {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub daily_price: Option<f64>,
        pub current_price: f64,
        pub sku_price: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub after_coupon_price: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub currency_translation: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sku_promotions: Option<Vec<SkuPromotion>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub normal_product_info: Option<Vec<NormalProductInfo>>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct SkuPromotion {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub external_promotion_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub promotion_price: Option<f64>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct NormalProductInfo {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sku_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub normal_product_price: Option<f64>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Stock {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub available_status: Option<i64>,
        pub sku_stock_status: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub stock_total: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub sales_num: Option<i64>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct DeliveryInfo {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub freight_amount: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub location: Option<Vec<Location>>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct Location {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub country_code: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub country_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub province_code: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub province_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub city_code: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub city_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub district_code: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub district_name: Option<String>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct TargetUrlProps {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_miniprogram: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub miniprogram_appid: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub miniprogram_username: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_miniprogram_qq: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub miniprogram_appid_qq: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_h5: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_h5_2: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_h5_3: Option<String>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct CouponInfo {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub coupon_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub coupon_type: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub amount_coupon: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub url_list: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub amount_minimum: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub show_start_time: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub show_end_time: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub start_time: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub end_time: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub available_num_per_person: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub total_num: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub store_num: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub status: Option<i64>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct TagInfo {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub custom_tag: Option<Vec<CustomTag>>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct CustomTag {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tag_name: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub tag_value: Option<Vec<String>>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct ThirdPromotionInfo {
        pub commission_rate: f64,
        pub promote_status: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub commission_amount: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub commission_amount_after_coupon: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub start_time: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub end_time: Option<String>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct ExclusiveInfo {
        #[serde(skip_serializing_if = "Option::is_none")]
        pub exclusive_status: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub kol_id: Option<Vec<i64>>,
    }
}

/// Shopline `batch_sync_flow_data`.
pub mod shopline {
    use serde::{Deserialize, Serialize};

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct BatchSyncFlowDataRequest {
        pub app_key: String,
        pub store_id: String,
        pub source_type: String,
        pub flow_data_list: Vec<FlowData>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct FlowData {
        pub flow_id: String,
        pub occurred_on: i64,
        pub order_amount: i64,
        pub order_num: i64,
        pub send_count: i64,
        pub trigger_num: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub flow_node_data_list: Option<Vec<FlowNodeData>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub delete_flow_node_data_list: Option<Vec<FlowNodeData>>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    pub struct FlowNodeData {
        pub node_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub parent_node_id: Option<String>,
        pub occurred_on: i64,
        pub has_send_num: i64,
        pub has_delivery_num: i64,
        pub buyer_num: i64,
        pub order_num: i64,
        pub order_amount: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub open_rate: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub click_rate: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub bounce_rate: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub fail_rate: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub unsubscribe_rate: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pub preview_image_url: Option<String>,
    }
}
