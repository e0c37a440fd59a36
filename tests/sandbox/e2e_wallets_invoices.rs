//! Wallets, invoices, saved-card status and the widget end to end against the embedded sandbox: wallets and wallet payments, invoices
//! (create, update, view, list, send by SMS / email, paid or canceled on the invoice page),
//! saved-card status through the card's life, and the payment widget.

use crate::sandbox_support;

use epoint_az::{
    OperationId, PaymentStatus, SavedCardState, callback::CallbackFlow,
    generated::types::InvoiceType,
};
use epoint_az_sandbox::{Outcome, SEEDED_MERCHANTS};
use rust_decimal_macros::dec;
use sandbox_support::{Merchant, http, keys1, rejected, sandbox_with, submit_form};
use serde_json::Value;

fn no_redirects() -> reqwest::Client {
    epoint_az::http_client_builder()
        .expect("tls")
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client")
}

#[tokio::test]
async fn wallets_are_listed_and_a_wallet_payment_completes_with_a_callback() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let list = client.wallets().await.expect("wallets");
    let wallets: Vec<(&str, &str)> = list
        .wallets
        .iter()
        .map(|w| (w.id.as_str(), w.name.as_str()))
        .collect();
    assert_eq!(
        wallets,
        [("8", "Portmanat"), ("9", "M10"), ("10", "BirBank")]
    );
    // The bare map EPoint was seen to send, kept as sent.
    assert_eq!(list.answer.status, None);
    assert_eq!(list.answer.extra["9"], "M10");
    assert_eq!(sandbox.request_count(OperationId::WalletStatus), 1);

    let (status, message) = rejected(
        client
            .pay_with_wallet("77", dec!(1), "w-0")
            .await
            .unwrap_err(),
    );
    assert_eq!(status, PaymentStatus::Error);
    assert!(message.contains("Wallet 77"), "{message}");

    let page = client
        .pay_with_wallet("9", dec!(12.50), "w-1")
        .description("tea")
        .await
        .expect("wallet payment");
    let tx = page.transaction.clone();
    assert_eq!(
        page.redirect_url,
        format!("{}/pay/{tx}", sandbox.base_url())
    );
    let fresh = client.get_transaction_status(&tx).await.expect("status");
    assert_eq!(fresh.status, PaymentStatus::New);

    let done = sandbox
        .complete(&tx, Outcome::Paid)
        .await
        .expect("complete");
    assert!(done.approved);
    let received = merchant.received();
    assert_eq!(received.len(), 1);
    let callback = keys1()
        .verify_callback(received[0].as_bytes())
        .expect("signed callback");
    assert_eq!(callback.flow, CallbackFlow::Payment);
    assert_eq!(callback.payload.order_id.as_deref(), Some("w-1"));
    assert_eq!(callback.payload.operation_code.as_deref(), Some("100"));
    let paid = client.get_transaction_status(&tx).await.expect("status");
    assert!(paid.is_paid());
    assert_eq!(paid.answer.amount.map(|m| m.amount()), Some(dec!(12.50)));
    assert_eq!(sandbox.request_count(OperationId::WalletPayment), 2);
}

#[tokio::test]
async fn the_widget_page_takes_the_payment_and_calls_back() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let widget = client
        .create_widget(dec!(2.50), "widget-1", "Test payment")
        .await
        .expect("widget");
    let prefix = format!("{}/widget/", sandbox.base_url());
    let tx = widget
        .widget_url
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{} is not under {prefix}", widget.widget_url))
        .to_owned();
    assert_eq!(widget.answer.status, PaymentStatus::Success);
    let shown = http().get(&widget.widget_url).send().await.expect("GET");
    assert_eq!(shown.status(), 200);
    assert!(shown.text().await.expect("html").contains("card-form"));

    let browser = no_redirects();
    let submitted = submit_form(
        &browser,
        &widget.widget_url,
        &[
            ("card_number", "4169738800000000"),
            ("expiry", "12/30"),
            ("cvv", "123"),
            ("card_name", "Ada Lovelace"),
        ],
    )
    .await;
    assert_eq!(submitted.status(), 303);
    let state = client.get_transaction_status(&tx).await.expect("status");
    assert!(state.is_paid());
    assert_eq!(merchant.received().len(), 1, "one callback");
    assert_eq!(
        submit_form(
            &browser,
            &widget.widget_url,
            &[
                ("card_number", "4169738800000000"),
                ("expiry", "12/30"),
                ("cvv", "123"),
                ("card_name", "A")
            ]
        )
        .await
        .status(),
        409,
        "a widget payment completes once"
    );
    assert_eq!(sandbox.request_count(OperationId::TokenWidget), 1);
}

#[tokio::test]
async fn card_status_follows_the_card_through_its_life() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let card = client
        .save_card()
        .description("plan")
        .await
        .expect("card")
        .card_id;
    let pending = client.get_card_status(&card).await.expect("status");
    assert_eq!(pending.state, SavedCardState::Pending);
    assert!(!pending.is_active());
    assert_eq!(pending.answer.id.as_deref(), Some(card.as_str()));
    assert_eq!(pending.answer.description.as_deref(), Some("plan"));
    assert_eq!(pending.answer.mask, None);

    sandbox
        .complete(&card, Outcome::Paid)
        .await
        .expect("complete");
    let active = client.get_card_status(&card).await.expect("status");
    assert!(active.is_active());
    assert_eq!(active.answer.mask.as_deref(), Some("416973******0000"));
    assert_eq!(active.answer.name.as_deref(), Some("TEST CARDHOLDER"));

    let refused = client.save_card().await.expect("card").card_id;
    sandbox
        .complete(&refused, Outcome::Declined("500".into()))
        .await
        .expect("complete");
    let rejected_card = client.get_card_status(&refused).await.expect("status");
    assert_eq!(rejected_card.state, SavedCardState::Rejected);

    // A card saved with a payment stays pending until the payment's page completes.
    let first = client
        .pay_and_save_card(dec!(5), "sub-1")
        .await
        .expect("pay and save");
    let with_pay = client
        .get_card_status(&first.card_id)
        .await
        .expect("status");
    assert_eq!(with_pay.state, SavedCardState::Pending);
    sandbox
        .complete(&first.transaction, Outcome::Paid)
        .await
        .expect("complete");
    assert!(
        client
            .get_card_status(&first.card_id)
            .await
            .expect("status")
            .is_active()
    );

    let (status, message) = rejected(client.get_card_status("ce404").await.unwrap_err());
    assert_eq!(status, PaymentStatus::Error);
    assert!(message.contains("Card not found"), "{message}");
    // Another merchant's card is not found either.
    let other = sandbox
        .client_for(SEEDED_MERCHANTS[1].0)
        .expect("client of merchant 2");
    assert!(other.get_card_status(&card).await.is_err());
    assert_eq!(sandbox.request_count(OperationId::GetStatusCard), 7);
}

#[tokio::test]
async fn invoices_are_created_updated_sent_listed_and_paid_or_canceled() {
    let merchant = Merchant::start().await;
    let sandbox = sandbox_with(&merchant).await;
    let client = sandbox.client().expect("client");

    let created = client
        .create_invoice(dec!(150), "2026-12-01", "2026-12-31")
        .name("Consulting")
        .phone("+994501234567")
        .await
        .expect("invoice");
    let id = created.id;
    let template = client
        .create_invoice(dec!(20), "2026-12-01", "2026-12-31")
        .save_as_template(true)
        .await
        .expect("template")
        .id;
    assert_ne!(id, template);

    let seen = client.view_invoice(id).await.expect("view");
    let invoice = seen.invoice.expect("invoice");
    assert_eq!(invoice.status.as_deref(), Some("waiting_for_payment"));
    assert_eq!(invoice.sum.map(|m| m.amount()), Some(dec!(150)));
    assert_eq!(invoice.extra["phone"], "+994501234567");

    client
        .update_invoice(id, dec!(175.25), "2026-12-01", "2027-01-15")
        .name("Consulting, extended")
        .await
        .expect("update");
    let updated = client
        .view_invoice(id)
        .await
        .expect("view")
        .invoice
        .expect("invoice");
    assert_eq!(updated.sum.map(|m| m.amount()), Some(dec!(175.25)));
    assert_eq!(updated.name.as_deref(), Some("Consulting, extended"));
    assert_eq!(updated.period_to.as_deref(), Some("2027-01-15"));
    assert!(
        !updated.extra.contains_key("phone"),
        "an update replaces the invoice"
    );

    let (_, message) = rejected(
        client
            .update_invoice(id, dec!(1), "2027-01-01", "2026-01-01")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("period_from"), "{message}");

    client
        .send_invoice_sms(id, "+994501234567")
        .await
        .expect("sms");
    client
        .send_invoice_email(id, "customer@example.com")
        .await
        .expect("email");
    let (_, message) = rejected(client.send_invoice_email(id, "nobody").await.unwrap_err());
    assert!(message.contains("email"), "{message}");
    let recorded: Value = http()
        .get(format!("{}/_sandbox/invoices", sandbox.base_url()))
        .send()
        .await
        .expect("inspect")
        .json()
        .await
        .expect("json");
    let sent = &recorded[0]["sent"];
    assert_eq!(sent[0]["channel"], "sms");
    assert_eq!(sent[0]["to"], "+994501234567");
    assert_eq!(sent[1]["channel"], "email");
    assert_eq!(
        sent.as_array().map(Vec::len),
        Some(2),
        "the refused email is not recorded"
    );

    let all = client.list_invoices().order("desc").await.expect("list");
    let ids: Vec<Value> = all.invoices.iter().filter_map(|i| i.id.clone()).collect();
    assert_eq!(ids, [template, id].map(Value::from));
    let outgoing = client
        .list_invoices()
        .invoice_type(InvoiceType::Outgoing)
        .await
        .expect("list");
    assert_eq!(outgoing.invoices.len(), 1);
    let statics = client
        .list_invoices()
        .invoice_type(InvoiceType::Static)
        .await
        .expect("list");
    assert_eq!(statics.invoices[0].id, Some(Value::from(template)));
    assert!(
        client
            .list_invoices()
            .invoice_type(InvoiceType::Incoming)
            .await
            .expect("list")
            .invoices
            .is_empty()
    );

    // The payer pays on the invoice page.
    let page = format!("{}/invoice/{id}", sandbox.base_url());
    let shown = http().get(&page).send().await.expect("GET");
    assert!(
        shown
            .text()
            .await
            .expect("html")
            .contains("waiting_for_payment")
    );
    let paid = submit_form(&http(), &page, &[("action", "pay")]).await;
    assert_eq!(paid.status(), 200);
    let after = client
        .view_invoice(id)
        .await
        .expect("view")
        .invoice
        .expect("invoice");
    assert_eq!(after.status.as_deref(), Some("paid"));
    assert_eq!(
        submit_form(&http(), &page, &[("action", "cancel")])
            .await
            .status(),
        409
    );
    let (_, message) = rejected(
        client
            .update_invoice(id, dec!(1), "2026-12-01", "2026-12-31")
            .await
            .unwrap_err(),
    );
    assert!(message.contains("paid"), "{message}");

    // …or cancels it.
    let page = format!("{}/invoice/{template}", sandbox.base_url());
    assert_eq!(
        submit_form(&http(), &page, &[("action", "cancel")])
            .await
            .status(),
        200
    );
    let listed = client.list_invoices().await.expect("list");
    let states: Vec<Option<String>> = listed.invoices.into_iter().map(|i| i.status).collect();
    assert_eq!(
        states,
        [Some("paid".to_owned()), Some("canceled".to_owned())]
    );

    let missing = format!("{}/invoice/404", sandbox.base_url());
    assert_eq!(
        submit_form(&http(), &missing, &[("action", "pay")])
            .await
            .status(),
        404
    );
    assert_eq!(
        http().get(&missing).send().await.expect("GET").status(),
        404
    );
    let (_, message) = rejected(client.view_invoice(404).await.unwrap_err());
    assert!(message.contains("not found"), "{message}");
    let other = sandbox
        .client_for(SEEDED_MERCHANTS[1].0)
        .expect("client of merchant 2");
    assert!(
        other.view_invoice(id).await.is_err(),
        "another merchant's invoice"
    );
    assert!(other.send_invoice_sms(id, "+994501234567").await.is_err());
    assert_eq!(sandbox.request_count(OperationId::InvoicesCreate), 2);
    assert_eq!(sandbox.request_count(OperationId::InvoicesUpdate), 3);
    assert_eq!(sandbox.request_count(OperationId::InvoicesView), 5);
    assert_eq!(sandbox.request_count(OperationId::InvoicesList), 5);
    assert_eq!(sandbox.request_count(OperationId::InvoicesSendSms), 2);
    assert_eq!(sandbox.request_count(OperationId::InvoicesSendEmail), 2);
}
