//! The hosted-page payment variants end to end against the embedded sandbox: checkout posted by a browser, the
//! developer site's hosted-page paths, pre-authorisation held then completed, re-pricing,
//! installments and the heartbeat.

use crate::sandbox_support;

use epoint_az::{Error, HostedPageCurrency, OperationId, PaymentStatus};
use epoint_az_sandbox::{Outcome, Sandbox};
use rust_decimal_macros::dec;
use sandbox_support::{Merchant, keys1, sandbox_with, submit_form};
use serde_json::Value;

fn no_redirects() -> reqwest::Client {
    epoint_az::http_client_builder()
        .expect("tls")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http")
}

#[tokio::test]
async fn checkout_form_posted_by_the_browser_redirects_to_the_page_and_pays() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");
    let form = client
        .checkout_form(dec!(30.75), "checkout-1")
        .description("2 coffees <& \"tea\">")
        .currency(HostedPageCurrency::Azn)
        .form()
        .expect("form");
    assert_eq!(
        form.action,
        format!("{}/api/1/checkout", sandbox.base_url())
    );
    assert!(form.html().contains(&format!("value=\"{}\"", form.data)));
    assert_eq!(
        sandbox.request_count(OperationId::Checkout),
        0,
        "nothing sent"
    );

    let http = no_redirects();
    let response = submit_form(
        &http,
        &form.action,
        &[("data", &form.data), ("signature", &form.signature)],
    )
    .await;
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().expect("location");
    let tx = location.rsplit('/').next().expect("tx").to_owned();
    assert_eq!(location, format!("{}/pay/{tx}", sandbox.base_url()));
    assert_eq!(sandbox.request_count(OperationId::Checkout), 1);
    let page = http.get(location).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let stored = sandbox.transaction(&tx).expect("created");
    assert_eq!(
        (stored.operation, stored.status.clone()),
        ("checkout", PaymentStatus::New)
    );
    assert_eq!(stored.description.as_deref(), Some("2 coffees <& \"tea\">"));

    sandbox.complete(&tx, Outcome::Paid).await.expect("paid");
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert!(status.is_paid());
    assert_eq!(status.answer.operation_code.as_deref(), Some("100"));
    assert_eq!(merchant.received().len(), 1, "one callback");

    // A tampered form is refused with JSON, and nothing is created.
    let before = sandbox.transactions().len();
    let response = submit_form(
        &http,
        &form.action,
        &[
            ("data", &form.data),
            ("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA="),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("json");
    assert_eq!(answer["status"], "server_error");
    assert_eq!(sandbox.transactions().len(), before);
}

#[tokio::test]
async fn developer_paths_create_hosted_payments_and_reprice_them() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let page = client
        .request_payment(dec!(20), "dev-1")
        .currency(HostedPageCurrency::Usd)
        .await
        .expect("payment-request");
    assert!(page.redirect_url.ends_with(&page.transaction));
    let amex = client
        .pay_with_amex(dec!(45.10), "amex-1")
        .await
        .expect("amex");
    assert_eq!(
        sandbox
            .transaction(&amex.transaction)
            .expect("amex")
            .operation,
        "amex_request"
    );

    let repriced = client
        .change_payment_amount(dec!(25.50), "dev-1")
        .await
        .expect("re-priced");
    assert_eq!(
        repriced.redirect_url.as_deref(),
        Some(page.redirect_url.as_str())
    );
    assert_eq!(repriced.transaction, None, "no transaction is documented");
    let tx = sandbox.transaction(&page.transaction).expect("tx");
    assert_eq!(tx.amount.amount(), dec!(25.50));

    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    let status = client
        .get_transaction_status(&page.transaction)
        .await
        .expect("status");
    assert_eq!(status.answer.amount.map(|m| m.amount()), Some(dec!(25.50)));
    // A paid order cannot be re-priced; an unknown one is not found.
    for order in ["dev-1", "no-such-order"] {
        let err = client
            .change_payment_amount(dec!(1), order)
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::Rejected { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn pre_authorisation_holds_until_completed_and_captures_at_most_the_hold() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let hold = client
        .pre_authorize(dec!(100), "hold-1")
        .await
        .expect("pre-auth");
    let tx = hold.transaction.clone();
    // Not approved yet: nothing to complete.
    let err = client
        .complete_pre_authorization(&tx, dec!(10))
        .await
        .expect_err("not authorised yet");
    assert!(matches!(err, Error::Rejected { .. }), "{err:?}");

    let done = sandbox.complete(&tx, Outcome::Paid).await.expect("page");
    assert!(done.approved);
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(status.status, PaymentStatus::Other("pre_authorized".into()));
    assert!(!status.is_paid(), "held, not paid");
    let callback = keys1()
        .verify_callback(merchant.received()[0].as_bytes())
        .expect("callback");
    assert!(callback.is_success());
    // Held money cannot be refunded.
    assert!(client.refund(&tx).await.is_err());

    let err = client
        .complete_pre_authorization(&tx, dec!(100.01))
        .await
        .expect_err("more than held");
    assert!(err.to_string().contains("more than"), "{err}");
    let completed = client
        .complete_pre_authorization(&tx, dec!(80))
        .await
        .expect("captured");
    assert_eq!(completed.transaction.as_deref(), Some(tx.as_str()));
    let status = client.get_transaction_status(&tx).await.expect("status");
    assert!(status.is_paid());
    assert_eq!(status.answer.amount.map(|m| m.amount()), Some(dec!(80)));
    assert!(
        client
            .complete_pre_authorization(&tx, dec!(1))
            .await
            .is_err(),
        "completed once"
    );
    // An uncompleted pre-authorisation stays held.
    let other = client
        .pre_authorize(dec!(5), "hold-2")
        .await
        .expect("pre-auth")
        .transaction;
    sandbox.complete(&other, Outcome::Paid).await.expect("page");
    let status = client.get_transaction_status(&other).await.expect("status");
    assert_eq!(status.status.as_str(), "pre_authorized");
    assert_eq!(sandbox.request_count(OperationId::PreAuthComplete), 4);
}

#[tokio::test]
async fn installment_options_then_an_installment_payment() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let offer = client
        .installment_options("tv-1")
        .amount(dec!(600))
        .await
        .expect("options");
    assert!(offer.options.len() >= 2);
    let first = &offer.options[0];
    let card = first
        .installment_card_id
        .as_ref()
        .and_then(Value::as_str)
        .expect("id");
    let months = first
        .installment_months
        .as_ref()
        .and_then(Value::as_array)
        .expect("months");
    let month = u32::try_from(months[1].as_u64().expect("int")).expect("u32");

    let page = client
        .pay_in_installments(dec!(600), "tv-1", card, month)
        .await
        .expect("installment payment");
    sandbox
        .complete(&page.transaction, Outcome::Paid)
        .await
        .expect("paid");
    assert_eq!(
        sandbox.transaction(&page.transaction).expect("tx").status,
        PaymentStatus::Success
    );
    let err = client
        .pay_in_installments(dec!(600), "tv-2", card, 7)
        .await
        .expect_err("month not offered");
    assert!(matches!(err, Error::Rejected { .. }), "{err:?}");
    assert!(matches!(
        client.pay_in_installments(dec!(600), "tv-3", card, 0).await,
        Err(Error::InvalidInput {
            field: "installment_month",
            ..
        })
    ));
}

#[tokio::test]
async fn heartbeat_answers_ok_and_is_recorded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = client.heartbeat().await.expect("up");
    assert_eq!(answer.status.as_str(), "ok");
    assert_eq!(sandbox.request_count(OperationId::Heartbeat), 1);
}
