//! Handlers of the hosted-page payment variants: checkout (answered with a redirect by the wire layer), the developer
//! site's hosted-page payment paths, pre-authorisation and its completion, re-pricing,
//! installment options and installment payments.

use serde_json::Value;

use super::{Answer, Caller, built, hosted};
use epoint_az::{PaymentStatus, generated::types};

use crate::ledger::{Ledger, checked};

/// The installment cards the sandbox offers (EPoint's real catalogue is per merchant and
/// undocumented).
const INSTALLMENT_CARDS: [(&str, &str, &[u64]); 2] = [
    ("1", "Birkart", &[3, 6, 12]),
    ("2", "Tamkart", &[3, 6, 9, 12, 18]),
];

/// A hosted payment from the checkout family's payload.
fn checkout_payment(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    operation: &'static str,
    p: &types::CheckoutRequest,
) -> Answer<types::RedirectResponse> {
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(caller.key(), operation, &p.order_id, amount, |tx| {
        tx.description = p.description.as_ref().map(|d| d.to_string());
        tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
        tx.language = p.language;
        tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
        tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
    });
    hosted(caller.base_url, Some(id), None)
}

/// `/api/1/checkout`: the browser's form; the wire layer turns this answer into a 303.
pub(super) fn checkout(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CheckoutRequest,
) -> Answer<types::RedirectResponse> {
    checkout_payment(ledger, caller, "checkout", p)
}

/// `/api/1/payment-request`: `/api/1/request` under the developer site's path.
pub(super) fn developer_payment_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CheckoutRequest,
) -> Answer<types::RedirectResponse> {
    checkout_payment(ledger, caller, "developer_payment_request", p)
}

/// `/api/1/amex-request`: an American Express payment on the hosted page.
pub(super) fn amex_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CheckoutRequest,
) -> Answer<types::RedirectResponse> {
    checkout_payment(ledger, caller, "amex_request", p)
}

/// `/api/1/payment-change-sum`: re-prices an unpaid order; answers its page, no transaction
/// (as documented).
pub(super) fn payment_change_sum(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::CheckoutRequest,
) -> Answer<types::RedirectResponse> {
    let tx = ledger.change_sum(caller.key(), &p.order_id, p.amount)?;
    built(
        types::RedirectResponse::builder()
            .status(PaymentStatus::Success)
            .redirect_url(Some(format!("{}/pay/{}", caller.base_url, tx.id)))
            .message(Some(format!(
                "The amount of order {} is now {}",
                p.order_id.as_str(),
                tx.amount
            )))
            .extra(serde_json::Map::new()),
    )
}

/// `/api/1/pre-auth-request`: a payment whose money is held after the page.
pub(super) fn pre_auth_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::PreAuthRequest,
) -> Answer<types::RedirectResponse> {
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(
        caller.key(),
        "pre_auth_request",
        &p.order_id,
        amount,
        |tx| {
            tx.description = p.description.as_ref().map(|d| d.to_string());
            tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
            tx.language = p.language;
            tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
            tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
        },
    );
    hosted(caller.base_url, Some(id), None)
}

/// `/api/1/pre-auth-complete`: captures a held pre-authorisation.
pub(super) fn pre_auth_complete(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::PreAuthCompleteRequest,
) -> Answer<types::PreAuthCompleteResponse> {
    let tx = ledger.complete_pre_auth(caller.key(), &p.transaction, p.amount)?;
    Ok(types::PreAuthCompleteResponse {
        extra: Default::default(),
        status: PaymentStatus::Success,
        message: Some(format!("Pre-authorization completed for {}", tx.amount)),
        transaction: Some(tx.id.clone()),
        trace_id: None,
    })
}

/// `/api/1/get-installment-request`: the installment cards on offer, as a JSON array.
pub(super) fn get_installment_request(
    _ledger: &mut Ledger,
    _caller: &Caller<'_>,
    p: &types::InstallmentOptionsRequest,
) -> Answer<types::InstallmentOptionsResponse> {
    if let Some(amount) = p.amount {
        checked("amount", amount)?;
    }
    let options = INSTALLMENT_CARDS
        .iter()
        .map(|(id, name, months)| types::InstallmentOption {
            installment_card_id: Some(Value::from(*id)),
            installment_months: Some(Value::from(months.to_vec())),
            name: Some((*name).to_owned()),
            extra: Default::default(),
        })
        .collect();
    Ok(types::InstallmentOptionsResponse::OptionList(
        types::InstallmentOptionList(options),
    ))
}

/// `/api/1/installment-request`: an installment payment on the hosted page, for a card and
/// month count the sandbox offers.
pub(super) fn installment_request(
    ledger: &mut Ledger,
    caller: &Caller<'_>,
    p: &types::InstallmentPaymentRequest,
) -> Answer<types::RedirectResponse> {
    let card = p.installment_card_id.as_str();
    let months = p.installment_month.get();
    let (_, _, offered) = INSTALLMENT_CARDS
        .iter()
        .find(|(id, ..)| *id == card)
        .ok_or_else(|| format!("Installment card {card} not found"))?;
    if !offered.contains(&months) {
        return Err(format!("Installment card {card} does not offer {months} months").into());
    }
    let amount = checked("amount", p.amount)?;
    let id = ledger.open_payment(
        caller.key(),
        "installment_request",
        &p.order_id,
        amount,
        |tx| {
            tx.description = p.description.as_ref().map(|d| d.to_string());
            tx.other_attr = p.other_attr.clone().map(|a| Value::Object(a.0));
            tx.language = p.language;
            tx.success_redirect_url = p.success_redirect_url.as_ref().map(|u| u.0.clone());
            tx.error_redirect_url = p.error_redirect_url.as_ref().map(|u| u.0.clone());
        },
    );
    hosted(caller.base_url, Some(id), None)
}
