//! Code a user wrote against the OLD `put_orders` types (`put_orders.json`): it builds a request, reads its
//! members and a response's, matches the enums, names the types and makes the typed call.

use crate::api::*;
use salesync::Decimal;

pub fn build() -> PutOrdersRequest {
    let order = Order::builder()
        .id("A-1")
        .amount(Decimal::from_i64(5))
        .quantity(2)
        .channel(Channel::Web)
        .coupon("SPRING")
        .build();
    let request = PutOrdersRequest::builder()
        .shop("shop-1")
        .orders(vec![order])
        .note("first")
        .build();
    let _: &String = &request.shop;
    let _: &Option<String> = &request.note;
    let _: i64 = request.orders[0].quantity;
    let _: &Option<String> = &request.orders[0].coupon;
    let _: &Decimal = &request.orders[0].amount;
    request
}

pub fn read(response: &PutOrdersResponse) -> i64 {
    let status = match &response.status {
        Some(Status::Ok) => 1,
        Some(Status::Partial) => 2,
        Some(_) | None => 0,
    };
    let _: &Option<String> = &response.message;
    response.code + status
}

pub fn channel(order: &Order) -> &'static str {
    match order.channel {
        Some(Channel::Web) => "web",
        Some(Channel::Shop) => "shop",
        Some(_) | None => "other",
    }
}

pub async fn call(client: &crate::clients::ShoplineClient) {
    let _ = client.put_orders(&build()).await;
    let _ = PutOrders;
}
