// EPoint signing, verification and callback-flow recognition: a dependency-free reference
// implementation for Node.js (node:crypto only). Copy this one file (and, for `send`, the
// generated `operations.ts` + openapi-typescript's `epoint.d.ts` beside it).
//
//   const { data, signature, formBody } = seal(privateKey, payload);
//   const payload = openForm(privateKey, requestBody);  // throws Rejected on a bad signature
//   flowOf(payload);                                    // "payment", "card_registration", ...
//   const answer = await send(baseUrl, privateKey, "/api/1/request", payload); // typed per path
//
// Checked against every vector in openapi/vectors.json in CI (check-vectors.ts).
// Amounts: send decimal strings with two decimals ("30.75"), never JavaScript numbers.

import { createHash, timingSafeEqual } from "node:crypto";
import type { SignedOperations, SignedPath } from "../operations";

/** Why verification refused an input (the error names of openapi/vectors.json). */
export class Rejected extends Error {
  constructor(
    readonly kind:
      | "empty_data"
      | "malformed_signature"
      | "mismatch"
      | "missing_field"
      | "duplicate_field"
      | "decode",
  ) {
    super(kind);
  }
}

function digest(privateKey: string, data: string): Buffer {
  return createHash("sha1").update(privateKey + data + privateKey, "utf8").digest();
}

/** base64(sha1_raw(private_key + data + private_key)). */
export function sign(privateKey: string, data: string): string {
  return digest(privateKey, data).toString("base64");
}

/** Checks `signature` over `data` exactly as received, in constant time. */
export function verify(privateKey: string, data: string, signature: string): void {
  if (data === "") throw new Rejected("empty_data");
  const text = signature.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new Rejected("malformed_signature");
  const raw = Buffer.from(text, "base64");
  // Only canonical standard base64 of a 20-byte digest is accepted.
  if (raw.length !== 20 || raw.toString("base64") !== text) {
    throw new Rejected("malformed_signature");
  }
  if (!timingSafeEqual(digest(privateKey, data), raw)) throw new Rejected("mismatch");
}

/** The form fields and body for a payload (compact JSON, raw UTF-8). */
export function seal(
  privateKey: string,
  payload: object,
): { data: string; signature: string; formBody: string } {
  const data = Buffer.from(JSON.stringify(payload), "utf8").toString("base64");
  const signature = sign(privateKey, data);
  const formBody = new URLSearchParams({ data, signature }).toString();
  return { data, signature, formBody };
}

/** (data, signature) of an x-www-form-urlencoded body; refuses missing or repeated fields. */
export function parseForm(body: string): [string, string] {
  const form = new URLSearchParams(body.trim());
  const data = form.getAll("data");
  const signature = form.getAll("signature");
  if (data.length > 1 || signature.length > 1) throw new Rejected("duplicate_field");
  if (data.length === 0 || signature.length === 0) throw new Rejected("missing_field");
  return [data[0], signature[0]];
}

/** Verifies a signed form body (a callback, or a request) and returns its JSON object. */
export function openForm(privateKey: string, body: string): Record<string, unknown> {
  const [data, signature] = parseForm(body);
  verify(privateKey, data, signature);
  const text = data.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new Rejected("decode");
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(text, "base64")));
  } catch {
    throw new Rejected("decode");
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new Rejected("decode");
  }
  return value as Record<string, unknown>;
}

export type Flow =
  | "payment"
  | "card_registration"
  | "payment_with_card_registration"
  | "split_payment"
  | "split_payment_with_card_registration"
  | "unknown";

/** The flow a callback reports on: operation_code first, then which fields are present. */
export function flowOf(p: Record<string, unknown>): Flow {
  const present = (k: string) => p[k] !== undefined && p[k] !== null;
  const op = p["operation_code"];
  const split = present("split_amount");
  const card = present("card_id");
  if (op === "001") return "card_registration";
  if (op === "200") {
    return split ? "split_payment_with_card_registration" : "payment_with_card_registration";
  }
  if (op === "100" && split) return "split_payment"; // a split callback carries card_id, yet saved no card
  if (split) return card ? "split_payment_with_card_registration" : "split_payment";
  if (card) {
    return present("transaction") || present("order_id")
      ? "payment_with_card_registration"
      : "card_registration";
  }
  if (present("transaction") || present("order_id")) return "payment";
  return "unknown";
}

/**
 * Signs `payload` and POSTs it to `path`; the payload and answer types follow the path
 * (`SignedOperations` is generated from the spec). EPoint answers HTTP 200 even when it
 * refuses: read `status`. Never retry a call that moves money without checking its status.
 */
export async function send<P extends SignedPath>(
  baseUrl: string,
  privateKey: string,
  path: P,
  payload: SignedOperations[P]["payload"],
): Promise<SignedOperations[P]["answer"]> {
  const { formBody } = seal(privateKey, payload as object);
  const response = await fetch(baseUrl.replace(/\/$/, "") + path, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: formBody,
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`EPoint answered HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as SignedOperations[P]["answer"];
}
