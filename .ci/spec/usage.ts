// Type-checked (never run) by .ci/spec-check.sh against the types openapi-typescript generates
// from openapi/epoint.yaml into .ci/work/ts/epoint.d.ts. The @ts-expect-error lines prove the
// generated types are strict: if one of them stops being an error, tsc fails.
import type { components, paths } from "../work/ts/epoint";

type Schemas = components["schemas"];
type PaymentRequest = Schemas["PaymentRequest"];
type CallbackPayload = Schemas["CallbackPayload"];
type SignedEnvelope = Schemas["SignedEnvelope"];

// The payload of POST /api/1/request (the official example of EPoint's document v1.0.3).
const payment: PaymentRequest = {
  public_key: "i000000001",
  amount: "30.75",
  currency: "AZN",
  language: "az",
  order_id: "1",
  description: "test payment",
  other_attr: { cart: "42" },
};

// Money is a decimal string or a number.
const numericAmount: PaymentRequest = { ...payment, amount: 30.75 };

// @ts-expect-error amount is required
const noAmount: PaymentRequest = { public_key: "i1", currency: "AZN", language: "az", order_id: "1" };

// @ts-expect-error the spec lists AZN only
const usd: PaymentRequest = { ...payment, currency: "USD" };

// @ts-expect-error language is az | en | ru
const german: PaymentRequest = { ...payment, language: "de" };

// The form body of every operation.
const envelope: SignedEnvelope = {
  data: "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSJ9",
  signature: "a76GNudqblZtV8qF199hctA+cG0=",
};
type RequestBody = paths["/api/1/request"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"];
const body: RequestBody = envelope;

// Answers: status is an open set, so an undocumented value still type-checks.
type RedirectAnswer = paths["/api/1/request"]["post"]["responses"][200]["content"]["application/json"];
const answer: RedirectAnswer = { status: "success", transaction: "te000000001", redirect_url: "https://epoint.az/az/payment/te000000001" };
const later: Schemas["StatusResponse"] = { status: "partially_returned" };
// @ts-expect-error status is required
const noStatus: Schemas["StatusResponse"] = { code: "000" };

// A callback, told apart by flow as the Rust crate does.
function flowOf(p: CallbackPayload): string {
  if (p.operation_code === "001") return "card_registration";
  if (p.split_amount !== undefined) return p.operation_code === "200" ? "split_payment_with_card_registration" : "split_payment";
  return p.card_id !== undefined ? "payment_with_card_registration" : "payment";
}
const callback: CallbackPayload = { status: "success", order_id: "1", transaction: "te000000001", amount: 30.75, operation_code: "100" };
const flow: string = flowOf(callback);

// Every one of the ten operations is a POST taking the signed envelope.
type Ops = keyof paths;
const ops: Ops[] = [
  "/api/1/request",
  "/api/1/get-status",
  "/api/1/card-registration",
  "/api/1/execute-pay",
  "/api/1/card-registration-with-pay",
  "/api/1/refund-request",
  "/api/1/reverse",
  "/api/1/split-request",
  "/api/1/split-execute-pay",
  "/api/1/split-card-registration-with-pay",
];
// @ts-expect-error not an operation of the spec
const unknownOp: Ops = "/api/1/heartbeat";

export { payment, numericAmount, noAmount, usd, german, body, answer, later, noStatus, flow, ops, unknownOp };
