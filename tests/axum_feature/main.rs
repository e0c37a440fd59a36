//! The `axum` feature: the `EpointCallback` extractor over real HTTP (`callback`) and
//! `examples/axum_shop.rs` end to end (`shop_example`).

mod callback;
mod shop_example;
