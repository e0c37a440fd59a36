// Generated from openapi/epoint.yaml by .ci/spec/gen_contract.py; do not edit.
// The operation map: which payload goes with which path, and what it answers.
// Import beside the types openapi-typescript generates (`epoint.d.ts`).
import type { components } from "./epoint";

type S = components["schemas"];

/** Signed operations: POST `data` + `signature` of `payload` to the path. */
export interface SignedOperations {
  /** `pay` (payment_request); source: official-document-1.0.3; a callback follows. */
  "/api/1/request": { payload: S["PaymentRequest"]; answer: S["RedirectResponse"] };
  /** `get_transaction_status` (get_status); source: official-document-1.0.3. */
  "/api/1/get-status": { payload: S["StatusRequest"]; answer: S["StatusResponse"] };
  /** `save_card` (card_registration); source: official-document-1.0.3; a callback follows. */
  "/api/1/card-registration": { payload: S["CardRegistrationRequest"]; answer: S["RedirectResponse"] };
  /** `pay_with_saved_card` (execute_pay); source: official-document-1.0.3. */
  "/api/1/execute-pay": { payload: S["ExecutePayRequest"]; answer: S["ChargeResponse"] };
  /** `pay_and_save_card` (card_registration_with_pay); source: official-document-1.0.3; a callback follows. */
  "/api/1/card-registration-with-pay": { payload: S["CardRegistrationWithPayRequest"]; answer: S["RedirectResponse"] };
  /** `payout` (refund_request); source: official-document-1.0.3. */
  "/api/1/refund-request": { payload: S["PayoutRequest"]; answer: S["ChargeResponse"] };
  /** `refund` (reverse); source: official-document-1.0.3. */
  "/api/1/reverse": { payload: S["ReverseRequest"]; answer: S["ReverseResponse"] };
  /** `split_pay` (split_request); source: official-document-1.0.3; a callback follows. */
  "/api/1/split-request": { payload: S["SplitPaymentRequest"]; answer: S["RedirectResponse"] };
  /** `split_pay_with_saved_card` (split_execute_pay); source: official-document-1.0.3. */
  "/api/1/split-execute-pay": { payload: S["SplitExecutePayRequest"]; answer: S["ChargeResponse"] };
  /** `split_pay_and_save_card` (split_card_registration_with_pay); source: official-document-1.0.3; a callback follows. */
  "/api/1/split-card-registration-with-pay": { payload: S["SplitCardRegistrationWithPayRequest"]; answer: S["RedirectResponse"] };
}

/** Operations that are not signed forms (GET reads, JSON bodies). */
export interface UnsignedOperations {
}

export type SignedPath = keyof SignedOperations;
