// Generated from openapi/epoint.yaml by .ci/spec/gen_contract.py; do not edit.
// The operation map: which payload goes with which path, and what it answers.
// Import beside the types openapi-typescript generates (`epoint.d.ts`).
import type { components } from "./epoint";

type S = components["schemas"];

/** Signed operations: POST `data` + `signature` of `payload` to the path. */
export interface SignedOperations {
  /** `pay` (payment_request); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/request": { payload: S["PaymentRequest"]; answer: S["RedirectResponse"] };
  /** `get_transaction_status` (get_status); source: official-document-1.0.3. */
  "/api/1/get-status": { payload: S["StatusRequest"]; answer: S["StatusResponse"] };
  /** `save_card` (card_registration); source: official-document-1.0.3; a callback follows. */
  "/api/1/card-registration": { payload: S["CardRegistrationRequest"]; answer: S["RedirectResponse"] };
  /** `pay_with_saved_card` (execute_pay); source: official-document-1.0.3; moves money. */
  "/api/1/execute-pay": { payload: S["ExecutePayRequest"]; answer: S["ChargeResponse"] };
  /** `pay_and_save_card` (card_registration_with_pay); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/card-registration-with-pay": { payload: S["CardRegistrationWithPayRequest"]; answer: S["RedirectResponse"] };
  /** `payout` (refund_request); source: official-document-1.0.3; moves money. */
  "/api/1/refund-request": { payload: S["PayoutRequest"]; answer: S["ChargeResponse"] };
  /** `refund` (reverse); source: official-document-1.0.3; moves money. */
  "/api/1/reverse": { payload: S["ReverseRequest"]; answer: S["ReverseResponse"] };
  /** `split_pay` (split_request); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/split-request": { payload: S["SplitPaymentRequest"]; answer: S["RedirectResponse"] };
  /** `split_pay_with_saved_card` (split_execute_pay); source: official-document-1.0.3; moves money. */
  "/api/1/split-execute-pay": { payload: S["SplitExecutePayRequest"]; answer: S["ChargeResponse"] };
  /** `split_pay_and_save_card` (split_card_registration_with_pay); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/split-card-registration-with-pay": { payload: S["SplitCardRegistrationWithPayRequest"]; answer: S["RedirectResponse"] };
  /** `checkout_form` (checkout); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/checkout": { payload: S["CheckoutRequest"]; answer: S["RedirectResponse"] };
  /** `request_payment` (developer_payment_request); source: developer-site; moves money; a callback follows. */
  "/api/1/payment-request": { payload: S["CheckoutRequest"]; answer: S["RedirectResponse"] };
  /** `pay_with_amex` (amex_request); source: developer-site; moves money; a callback follows. */
  "/api/1/amex-request": { payload: S["CheckoutRequest"]; answer: S["RedirectResponse"] };
  /** `change_payment_amount` (payment_change_sum); source: developer-site; moves money. */
  "/api/1/payment-change-sum": { payload: S["CheckoutRequest"]; answer: S["RedirectResponse"] };
  /** `pre_authorize` (pre_auth_request); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/pre-auth-request": { payload: S["PreAuthRequest"]; answer: S["RedirectResponse"] };
  /** `complete_pre_authorization` (pre_auth_complete); source: official-document-1.0.3; moves money. */
  "/api/1/pre-auth-complete": { payload: S["PreAuthCompleteRequest"]; answer: S["PreAuthCompleteResponse"] };
  /** `installment_options` (get_installment_request); source: developer-site. */
  "/api/1/get-installment-request": { payload: S["InstallmentOptionsRequest"]; answer: S["InstallmentOptionsResponse"] };
  /** `pay_in_installments` (installment_request); source: developer-site; moves money; a callback follows. */
  "/api/1/installment-request": { payload: S["InstallmentPaymentRequest"]; answer: S["RedirectResponse"] };
  /** `wallets` (wallet_status); source: official-document-1.0.3. */
  "/api/1/wallet/status": { payload: S["WalletStatusRequest"]; answer: S["WalletStatusResponse"] };
  /** `pay_with_wallet` (wallet_payment); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/wallet/payment": { payload: S["WalletPaymentRequest"]; answer: S["RedirectResponse"] };
  /** `create_invoice` (invoices_create); source: official-document-1.0.3. */
  "/api/1/invoices/create": { payload: S["InvoiceRequest"]; answer: S["InvoiceCreateResponse"] };
  /** `update_invoice` (invoices_update); source: official-document-1.0.3. */
  "/api/1/invoices/update": { payload: S["InvoiceUpdateRequest"]; answer: S["InvoiceActionResponse"] };
  /** `view_invoice` (invoices_view); source: official-document-1.0.3. */
  "/api/1/invoices/view": { payload: S["InvoiceViewRequest"]; answer: S["InvoiceViewResponse"] };
  /** `list_invoices` (invoices_list); source: official-document-1.0.3. */
  "/api/1/invoices/list": { payload: S["InvoiceListRequest"]; answer: S["InvoiceListResponse"] };
  /** `send_invoice_sms` (invoices_send_sms); source: official-document-1.0.3. */
  "/api/1/invoices/send-sms": { payload: S["InvoiceSendSmsRequest"]; answer: S["InvoiceActionResponse"] };
  /** `send_invoice_email` (invoices_send_email); source: official-document-1.0.3. */
  "/api/1/invoices/send-email": { payload: S["InvoiceSendEmailRequest"]; answer: S["InvoiceActionResponse"] };
  /** `get_card_status` (get_status_card); source: developer-site. */
  "/api/1/get-status-card": { payload: S["CardStatusRequest"]; answer: S["CardStatusResponse"] };
  /** `create_widget` (token_widget); source: official-document-1.0.3; moves money; a callback follows. */
  "/api/1/token/widget": { payload: S["WidgetRequest"]; answer: S["WidgetResponse"] };
  /** `create_token_payment` (token_payment); source: official-document-1.0.3; moves money. */
  "/api/1/token/payment": { payload: S["TokenPaymentRequest"]; answer: S["TokenPaymentResponse"] };
  /** `apple_pay_session` (apple_pay_session); source: official-document-1.0.3. */
  "/api/1/token/apple/session": { payload: S["ApplePaySessionRequest"]; answer: S["ApplePaySessionResponse"] };
  /** `apple_pay` (apple_pay); source: official-document-1.0.3; moves money. */
  "/api/1/token/apple/pay": { payload: S["TokenPayRequest"]; answer: S["TokenPayResponse"] };
  /** `google_pay` (google_pay); source: official-document-1.0.3; moves money. */
  "/api/1/token/google/pay": { payload: S["TokenPayRequest"]; answer: S["TokenPayResponse"] };
  /** `token_split_pay` (token_split_payment); source: peer-client; moves money. */
  "/api/1/token/split-payment": { payload: S["TokenSplitPaymentRequest"]; answer: S["TokenSplitPaymentResponse"] };
}

/** Operations that are not signed forms (GET reads, JSON bodies). */
export interface UnsignedOperations {
  /** `heartbeat` (heartbeat); source: official-document-1.0.3. */
  "/api/heartbeat": { payload: never; answer: S["HeartbeatResponse"] };
  /** `b2b_transfer` (b2b_payment); source: developer-site; moves money; a callback follows. */
  "/api/1/b2b/payment": { payload: S["SignedEnvelope"]; answer: S["B2bPaymentResponse"] };
  /** `b2b_transfer_status` (b2b_payment_status); source: developer-site. */
  "/api/1/b2b/payment/{order_id}": { payload: never; answer: S["B2bPaymentStatusResponse"] };
}

export type SignedPath = keyof SignedOperations;
