#!/usr/bin/env python3
"""Generates openapi/vectors.json with Python's hashlib/base64 only (no third-party code).

Run from the repository root:  python3 .ci/spec/gen_vectors.py  (rewrites openapi/vectors.json)
                               python3 .ci/spec/gen_vectors.py --check  (fails if it would change)

Every value is computed here, independently of the Rust crate. Values that were *published*
elsewhere (EPoint's PDF v1.0.3 vectors V1/V2, the self-computed S1-S7 of the protocol notes, the
integrify-epoint 1.3.0 wire sample) are also written down literally below and asserted equal
to what this script computes, so a transcription error on either side fails loudly.
"""

import base64
import hashlib
import hmac
import json
import sys
import urllib.parse
from pathlib import Path

OUT = Path(__file__).resolve().parents[2] / "openapi" / "vectors.json"

DOC_KEY = "d3hjsl38sd8kdfhbcea0be04eafde9e8e2bad2fb092d"  # EPoint PDF v1.0.3 example key
TEST_KEY = "test_private_key"  # protocol notes §6.2
SANDBOX_KEY = "sandbox_private_key_0000000001"  # martian56/epoint-sandbox seeded key
OTHER_KEY = "another_merchant_private_key"  # "wrong key" / "swapped key" variants
PUB = "i000000001"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def sign(private_key: str, data: str) -> str:
    k = private_key.encode("utf-8")
    return b64(hashlib.sha1(k + data.encode("utf-8") + k).digest())


def data_of(json_text: str) -> str:
    return b64(json_text.encode("utf-8"))


def form(data: str, signature: str) -> str:
    return urllib.parse.urlencode([("data", data), ("signature", signature)])


def compact(obj, ascii_only=False) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=ascii_only)


def expect(label, got, published):
    if got != published:
        sys.exit(f"{label}: computed {got!r}, but the published value is {published!r}")


signing = []
negative = []
callbacks = []


def add_signing(id_, source, private_key, json_text, note, published_data=None, published_sig=None):
    data = data_of(json_text)
    sig = sign(private_key, data)
    if published_data is not None:
        expect(f"{id_} data", data, published_data)
    if published_sig is not None:
        expect(f"{id_} signature", sig, published_sig)
    entry = {
        "id": id_,
        "source": source,
        "private_key": private_key,
        "json_text": json_text,
        "json": json.loads(json_text),
        "data": data,
        "signature": sig,
        "form_body": form(data, sig),
        "expect": "valid",
        "note": note,
    }
    signing.append(entry)
    return entry


# ---------------------------------------------------------------- real vectors from EPoint's PDF
v1 = add_signing(
    "V1", "EPoint API document v1.0.3 pp. 6-7 (official example)", DOC_KEY,
    '{"public_key":"i000000001","amount":"30.75","currency":"AZN","description":"test payment","order_id":"1"}',
    "The official vector: PHP json_encode, amount as a string.",
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjMwLjc1IiwiY3VycmVuY3kiOiJBWk4iLCJkZXNjcmlwdGlvbiI6InRlc3QgcGF5bWVudCIsIm9yZGVyX2lkIjoiMSJ9",
    "a76GNudqblZtV8qF199hctA+cG0=",
)
add_signing(
    "V2", "EPoint API document v1.0.3 'Checking payment status' (as quoted by a Java client's test)", DOC_KEY,
    '{"public_key":"i000000001","order_id":15}',
    "Official get-status example; order_id is a JSON number here.",
    "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsIm9yZGVyX2lkIjoxNX0=",
    "bH9cG854p/wHLf5j6pp6LBI+wBs=",
)

# ---------------------------------------------------------------- S1-S6 of the protocol notes §6.2
S = "self-computed, protocol notes (epoint-api.md) §6.2"
add_signing("S1", S, TEST_KEY,
            '{"public_key":"i000000001","amount":"30.75","currency":"AZN","language":"az","order_id":"1","description":"test payment"}',
            "Compact ASCII JSON.",
            "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjMwLjc1IiwiY3VycmVuY3kiOiJBWk4iLCJsYW5ndWFnZSI6ImF6Iiwib3JkZXJfaWQiOiIxIiwiZGVzY3JpcHRpb24iOiJ0ZXN0IHBheW1lbnQifQ==",
            "srYq0bVM0Y3XmAb2VNtd6OCF2iY=")
add_signing("S2", S, TEST_KEY,
            '{"public_key": "i000000001", "language": "az", "amount": "30.75", "currency": "AZN", "order_id": "1", "description": "test payment"}',
            "Python json.dumps defaults (', ' and ': ' separators), Integrify style.",
            "eyJwdWJsaWNfa2V5IjogImkwMDAwMDAwMDEiLCAibGFuZ3VhZ2UiOiAiYXoiLCAiYW1vdW50IjogIjMwLjc1IiwgImN1cnJlbmN5IjogIkFaTiIsICJvcmRlcl9pZCI6ICIxIiwgImRlc2NyaXB0aW9uIjogInRlc3QgcGF5bWVudCJ9",
            "cgNT036FRQYDBVrhdNm11UTqfho=")
add_signing("S3", S, TEST_KEY,
            '{"public_key":"i000000001","amount":"10.50","currency":"AZN","language":"az","order_id":"ord-2","description":"Ödəniş"}',
            "Non-ASCII as raw UTF-8 (Rust serde_json, Python ensure_ascii=False).",
            "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjEwLjUwIiwiY3VycmVuY3kiOiJBWk4iLCJsYW5ndWFnZSI6ImF6Iiwib3JkZXJfaWQiOiJvcmQtMiIsImRlc2NyaXB0aW9uIjoiw5ZkyZluacWfIn0=",
            "IaulOwbCifT5PZMgCnW8H14IhFA=")
add_signing("S4", S, TEST_KEY,
            '{"public_key":"i000000001","amount":"10.50","currency":"AZN","language":"az","order_id":"ord-2","description":"\\u00d6d\\u0259ni\\u015f"}',
            "Same JSON meaning as S3, \\u-escaped (PHP json_encode, Python default): a different data, a different, equally valid signature.",
            "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsImFtb3VudCI6IjEwLjUwIiwiY3VycmVuY3kiOiJBWk4iLCJsYW5ndWFnZSI6ImF6Iiwib3JkZXJfaWQiOiJvcmQtMiIsImRlc2NyaXB0aW9uIjoiXHUwMGQ2ZFx1MDI1OW5pXHUwMTVmIn0=",
            "1PlWY41VnvHBPGkD8m3k5wDSFC0=")
add_signing("S5", S, TEST_KEY,
            '{"public_key":"i000000001","transaction":"te000000001"}',
            "get-status payload.",
            "eyJwdWJsaWNfa2V5IjoiaTAwMDAwMDAwMSIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEifQ==",
            "Og6A7Ce/EWmdqTzyXTTZeypSD4E=")
S6_JSON = ('{"order_id":"1","status":"success","code":"000","message":"Approved","transaction":"te000000001",'
           '"bank_transaction":"BT1","bank_response":"","operation_code":"100","rrn":"123456789012",'
           '"card_name":"TEST","card_mask":"411111******1111","amount":30.75,"other_attr":null}')
add_signing("S6", S, TEST_KEY, S6_JSON, "A payment callback's data (also callback vector CB-payment).",
            "eyJvcmRlcl9pZCI6IjEiLCJzdGF0dXMiOiJzdWNjZXNzIiwiY29kZSI6IjAwMCIsIm1lc3NhZ2UiOiJBcHByb3ZlZCIsInRyYW5zYWN0aW9uIjoidGUwMDAwMDAwMDEiLCJiYW5rX3RyYW5zYWN0aW9uIjoiQlQxIiwiYmFua19yZXNwb25zZSI6IiIsIm9wZXJhdGlvbl9jb2RlIjoiMTAwIiwicnJuIjoiMTIzNDU2Nzg5MDEyIiwiY2FyZF9uYW1lIjoiVEVTVCIsImNhcmRfbWFzayI6IjQxMTExMSoqKioqKjExMTEiLCJhbW91bnQiOjMwLjc1LCJvdGhlcl9hdHRyIjpudWxsfQ==",
            "XHEdCPOQ8DSOvgP96uDYeXzBHUA=")
add_signing("I1", "integrify-epoint 1.3.0 wire sample, protocol notes §6.2", TEST_KEY,
            '{"public_key": "i000000001", "language": "az", "amount": "100", "currency": "AZN", "order_id": "12345678", "success_redirect_url": null, "error_redirect_url": null, "description": "\\u00d6d\\u0259ni\\u015f", "other_attr": null}',
            "What the Python Integrify client sends: nulls kept, \\u-escapes, spaced separators.",
            published_sig="fqirN1Qb/IoyL+aZaRvkxW9D/zI=")

# ---------------------------------------------------------------- our own
E = "self-computed for this crate (gen_vectors.py)"
add_signing("E1", E, TEST_KEY,
            compact({"amount": "30.75", "currency": "AZN", "description": "test payment", "language": "az",
                     "order_id": "1", "public_key": PUB}),
            "What this crate's generated PaymentRequest serialises to (fields in alphabetical order, "
            "absent optionals omitted, amount a two-decimal string). The Rust test rebuilds it from typed values.")
add_signing("E2", E, TEST_KEY,
            '{"public_key":"i000000001","amount":"5.00","currency":"AZN","language":"en","order_id":"url-1",'
            '"success_redirect_url":"https:\\/\\/shop.example.com\\/paid?o=1&x=y"}',
            "PHP's default escaped slashes (\\/) are part of the signed text.")
add_signing("E3", E, TEST_KEY,
            compact({"public_key": PUB, "amount": "1.00", "currency": "AZN", "language": "ru", "order_id": "emoji-1",
                     "description": "Оплата заказа №7 ☕ 🎉 — Ödəniş"}),
            "Cyrillic, a BMP symbol and a 4-byte (astral) emoji as raw UTF-8.")
add_signing("E4", E, TEST_KEY,
            compact({"public_key": PUB, "amount": "1.00", "currency": "AZN", "language": "ru", "order_id": "emoji-1",
                     "description": "Оплата заказа №7 ☕ 🎉 — Ödəniş"}, ascii_only=True),
            "E3 \\u-escaped; the emoji becomes a UTF-16 surrogate pair \\ud83c\\udf89.")
add_signing("E5", E, SANDBOX_KEY,
            compact({"public_key": PUB, "language": "az", "card_id": "ce000000001", "order_id": "exec-1",
                     "amount": "12.34", "currency": "AZN"}),
            "execute-pay payload under the sandbox's seeded key.")
add_signing("E6", E, TEST_KEY,
            compact({"public_key": PUB, "amount": "100.00", "currency": "AZN", "language": "az", "order_id": "long-1",
                     "description": "ə" * 1000}),
            "A maximal 1000-character (2000-byte) description.")
add_signing("E7", E, TEST_KEY,
            compact({"public_key": PUB, "language": "az", "amount": 20.5, "currency": "AZN", "order_id": "num-1",
                     "other_attr": {"cart": "42", "items": [1, 2]}}),
            "amount as a JSON number and a nested other_attr object.")
add_signing("E8", E, TEST_KEY, "{}", "The smallest JSON object; data 'e30=' (the signature layer does not look inside).")

# A vector whose signature contains both '+' and '/': the form body must percent-encode them.
for n in range(1000):
    t = compact({"public_key": PUB, "transaction": f"te{n:09d}"})
    s = sign(TEST_KEY, data_of(t))
    if "+" in s and "/" in s:
        add_signing("E9", E, TEST_KEY, t,
                    "Signature contains '+' and '/': the form body must send them as %2B and %2F "
                    "(a raw '+' decodes to a space).")
        break

# ---------------------------------------------------------------- negatives (must be rejected)
def add_negative(id_, private_key, data, signature, error, note, derived_from=None):
    e = {
        "id": id_,
        "private_key": private_key,
        "data": data,
        "signature": signature,
        "expect": "reject",
        "error": error,
        "note": note,
    }
    if error == "malformed_signature":
        e["signature_length"] = len(signature)
    if derived_from:
        e["derived_from"] = derived_from
    negative.append(e)


def neg_family(base):
    k, d = base["private_key"], base["data"]
    kb, db = k.encode(), d.encode()
    hexd = hashlib.sha1(kb + db + kb).hexdigest()
    bid = base["id"]
    add_negative(f"{bid}-hex", k, d, hexd, "malformed_signature",
                 "Hex digest (40 chars) instead of base64 of the raw digest.", bid)
    add_negative(f"{bid}-base64-of-hex", k, d, b64(hexd.encode()), "malformed_signature",
                 "base64 of the hex digest (56 chars, 40 bytes).", bid)
    add_negative(f"{bid}-no-trailing-key", k, d, b64(hashlib.sha1(kb + db).digest()), "mismatch",
                 "sha1(private_key + data): trailing key missing.", bid)
    add_negative(f"{bid}-no-leading-key", k, d, b64(hashlib.sha1(db + kb).digest()), "mismatch",
                 "sha1(data + private_key): key only once, at the end.", bid)
    add_negative(f"{bid}-no-key", k, d, b64(hashlib.sha1(db).digest()), "mismatch",
                 "sha1(data): no key at all.", bid)
    add_negative(f"{bid}-wrong-key", k, d, sign(OTHER_KEY, d), "mismatch",
                 "Correct scheme, another merchant's private key.", bid)
    add_negative(f"{bid}-hmac", k, d, b64(hmac.new(kb, db, hashlib.sha1).digest()), "mismatch",
                 "HMAC-SHA1(private_key, data): a different construction with the same digest size.", bid)
    add_negative(f"{bid}-signed-json-not-data", k, d,
                 sign(k, base64.b64decode(d).decode("utf-8")), "mismatch",
                 "Signed the JSON text instead of the base64 data.", bid)
    add_negative(f"{bid}-sha256", k, d, b64(hashlib.sha256(kb + db + kb).digest()), "malformed_signature",
                 "SHA-256 instead of SHA-1 (32-byte digest).", bid)


neg_family(v1)
neg_family(next(e for e in signing if e["id"] == "S3"))

add_negative("S7-empty-data", TEST_KEY, "", sign(TEST_KEY, ""), "empty_data",
             "protocol notes §6.2 S7: the empty string has a valid signature, but empty data must be refused.")
expect("S7 signature", sign(TEST_KEY, ""), "hOegSy3mV3Ae+UkenQg+jQBuz2A=")
add_negative("V1-empty-data-doc-key", DOC_KEY, "", sign(DOC_KEY, ""), "empty_data",
             "Empty data with a correct signature under the document key.")
v1sig = v1["signature"]
add_negative("V1-unpadded", DOC_KEY, v1["data"], v1sig.rstrip("="), "malformed_signature",
             "Signature without its '=' padding: not canonical standard base64.", "V1")
assert v1sig[-2] == "0"  # 2 unused low bits, zero in canonical base64
add_negative("V1-noncanonical", DOC_KEY, v1["data"], v1sig[:-2] + "1=", "malformed_signature",
             "Last digit '0' -> '1': decodes to the same 20 bytes in lenient decoders, but sets the "
             "unused trailing bits, so it is not canonical base64 and is refused.", "V1")
e9 = next(e for e in signing if e["id"] == "E9")
add_negative("E9-url-safe-alphabet", e9["private_key"], e9["data"],
             e9["signature"].replace("+", "-").replace("/", "_"), "malformed_signature",
             "URL-safe base64 alphabet ('-', '_') instead of the standard one.", "E9")
add_negative("E9-plus-as-space", e9["private_key"], e9["data"], e9["signature"].replace("+", " "),
             "malformed_signature",
             "What a server sees when '+' was not percent-encoded in the form: a space.", "E9")
add_negative("V1-data-changed", DOC_KEY, data_of(v1["json_text"].replace("30.75", "31.75")), v1sig, "mismatch",
             "Official signature, amount changed to 31.75 in data.", "V1")
add_negative("V1-data-reencoded", DOC_KEY,
             data_of(compact(json.loads(v1["json_text"]), ascii_only=False).replace(",", ", ")), v1sig, "mismatch",
             "Same JSON meaning re-serialised with spaces: the signature covers the text, not the meaning.", "V1")
add_negative("V1-wrong-case-key", DOC_KEY.upper(), v1["data"], v1sig, "mismatch",
             "Verifying with the key upper-cased: keys are compared byte for byte.", "V1")

# ---------------------------------------------------------------- callbacks
FLOWS = {
    "payment": "/api/1/request",
    "card_registration": "/api/1/card-registration",
    "payment_with_card_registration": "/api/1/card-registration-with-pay",
    "split_payment": "/api/1/split-request",
    "split_payment_with_card_registration": "/api/1/split-card-registration-with-pay",
}


def add_callback(id_, flow, private_key, json_text, note, verify_key=None, data=None, signature=None,
                 error=None, body=None):
    good_data = data_of(json_text)
    d = good_data if data is None else data
    s = sign(private_key, good_data) if signature is None else signature
    e = {
        "id": id_,
        "private_key": verify_key or private_key,
        "json_text": json_text,
        "data": d,
        "signature": s,
        "body": body if body is not None else form(d, s),
        "expect": "valid" if error is None else "reject",
        "note": note,
    }
    if error is None:
        e["flow"] = flow
        e["operation_path"] = FLOWS[flow]
        e["json"] = json.loads(json_text)
    else:
        e["error"] = error
        if verify_key:
            e["signed_with"] = private_key
    callbacks.append(e)
    return e


# Fields per flow follow the PDF's result table and Integrify's "absent fields" table:
# payment: no card_id/split_amount; card registration: no order_id/transaction/amount/other_attr;
# payment + card: no message; split: everything (card_id included); split + card: no message.
BANK = {"bank_transaction": "BT1", "bank_response": "Approved", "rrn": "123456789012",
        "card_name": "TEST CARDHOLDER", "card_mask": "411111******1111"}
cb_payment = add_callback("CB-payment", "payment", TEST_KEY, S6_JSON,
                          "Successful hosted-page payment (S6): no card_id, no split_amount.")
add_callback("CB-payment-declined", "payment", TEST_KEY,
             compact({"order_id": "2", "status": "error", "code": "116",
                      "message": "Kartda kifayət qədər balans yoxdur", "transaction": "te000000002",
                      "operation_code": "100", "amount": "10.50", "other_attr": {"cart": "42"}}, ascii_only=True),
             "Declined payment: bank fields and rrn absent (they come only on success); message "
             "\\u-escaped Azerbaijani (PHP style); amount as a string; other_attr an object.")
add_callback("CB-card-registration", "card_registration", TEST_KEY,
             compact({"status": "success", "code": "000", "message": "Card registered", **BANK,
                      "operation_code": "001", "card_id": "ce000000001"}),
             "Card saved without payment: no order_id, transaction, amount, other_attr.")
add_callback("CB-card-registration-failed", "card_registration", TEST_KEY,
             compact({"status": "error", "code": "500", "message": "Kart qeydiyyatı uğursuz oldu",
                      "operation_code": "001", "card_id": "ce000000009"}),
             "Failed card registration (code 500), raw UTF-8 message.")
add_callback("CB-payment-with-card", "payment_with_card_registration", TEST_KEY,
             compact({"order_id": "3", "status": "success", "code": "000", "transaction": "te000000003", **BANK,
                      "operation_code": "200", "amount": 5.0, "card_id": "ce000000003",
                      "other_attr": None}),
             "Payment that also saved the card (operation_code 200): no message.")
add_callback("CB-split", "split_payment", TEST_KEY,
             compact({"order_id": "split-1", "status": "success", "code": "000", "message": "Approved",
                      "transaction": "te000000004", **BANK, "operation_code": "100", "amount": 100,
                      "split_amount": 30, "card_id": "ce000000004", "other_attr": {"cart": "7"}}),
             "Split payment: every field, card_id included (Integrify's table: nothing absent); "
             "operation_code 100 says no card was registered.")
add_callback("CB-split-with-card", "split_payment_with_card_registration", TEST_KEY,
             compact({"order_id": "split-3", "status": "success", "code": "000", "transaction": "te000000005",
                      **BANK, "operation_code": "200", "amount": "100.00", "split_amount": "30.00",
                      "card_id": "ce000000005", "other_attr": None}),
             "Split payment that saved the card: no message.")
add_callback("CB-payment-spaced-unknown-status", "payment", TEST_KEY,
             json.dumps({"order_id": "4", "status": "partially_returned", "transaction": "te000000006",
                         "operation_code": "100", "amount": "1.00", "trace_id": "tr-1"}),
             "Python-style spacing, an undocumented status value (kept, not rejected) and trace_id.")

# tampered
pd, ps = cb_payment["data"], cb_payment["signature"]
flipped = ("f" if pd[0] != "f" else "g") + pd[1:]
add_callback("CB-tampered-data", None, TEST_KEY, S6_JSON, "First character of data changed; original signature.",
             data=flipped, error="mismatch")
add_callback("CB-tampered-amount", None, TEST_KEY, S6_JSON,
             "data re-encoded with amount 3075 instead of 30.75; original signature.",
             data=data_of(S6_JSON.replace("30.75", "3075")), error="mismatch")
ps_b = bytearray(base64.b64decode(ps))
ps_b[0] ^= 0x01
add_callback("CB-tampered-signature", None, TEST_KEY, S6_JSON, "One bit of the signature flipped.",
             signature=b64(bytes(ps_b)), error="mismatch")
add_callback("CB-swapped-key", None, OTHER_KEY, S6_JSON,
             "Signed with another merchant's key, verified with ours.", verify_key=TEST_KEY, error="mismatch")
add_callback("CB-truncated-data", None, TEST_KEY, S6_JSON, "data cut by its last 8 characters.",
             data=pd[:-8], error="mismatch")
add_callback("CB-empty-data", None, TEST_KEY, S6_JSON, "data empty, signature of the empty string.",
             data="", signature=sign(TEST_KEY, ""), error="empty_data")
add_callback("CB-hex-signature", None, TEST_KEY, S6_JSON, "Hex digest as signature.",
             signature=hashlib.sha1(TEST_KEY.encode() + pd.encode() + TEST_KEY.encode()).hexdigest(),
             error="malformed_signature")
add_callback("CB-plus-not-encoded", None, TEST_KEY, e9["json_text"],
             "Form body with a raw '+' in the signature: it decodes to a space.",
             body="data=" + e9["data"].replace("=", "%3D") + "&signature=" + e9["signature"],
             error="malformed_signature")
add_callback("CB-missing-signature", None, TEST_KEY, S6_JSON, "No signature field in the form.",
             body="data=" + urllib.parse.quote(pd, safe=""), error="missing_field")
add_callback("CB-duplicate-data", None, TEST_KEY, S6_JSON,
             "data twice (ambiguous which one was signed).",
             body=form(pd, ps) + "&data=" + urllib.parse.quote(pd, safe=""), error="duplicate_field")
arr = "[1,2,3]"
add_callback("CB-signed-array", None, TEST_KEY, arr,
             "Correctly signed, but the JSON is an array, not an object.", error="decode")
add_callback("CB-signed-not-json", None, TEST_KEY, "status=success",
             "Correctly signed, but the decoded text is not JSON.", error="decode")

doc = {
    "$comment": "Generated by .ci/spec/gen_vectors.py with Python hashlib/base64; verified by "
                "openapi/check_vectors.py (Python) and tests/client/vectors.rs (Rust). Do not edit by hand.",
    "scheme": {
        "data": "base64(json_text as UTF-8), standard alphabet with '=' padding",
        "signature": "base64(sha1_raw(private_key + data + private_key)), 28 characters",
        "verify": [
            "reject empty data (error empty_data)",
            "signature (surrounding whitespace trimmed) must be canonical standard base64 of exactly "
            "20 bytes, else error malformed_signature (signature_length = length of the received text)",
            "compare with the recomputed digest in constant time, else error mismatch",
        ],
        "callback_errors": {
            "missing_field": "the form lacks data or signature",
            "duplicate_field": "data or signature appears more than once",
            "decode": "the signature is valid but data is not base64 of a JSON object",
        },
        "callback_flows": FLOWS,
    },
    "signing": signing,
    "negative": negative,
    "callbacks": callbacks,
}
text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
if "--check" in sys.argv:
    if OUT.read_text(encoding="utf-8") != text:
        sys.exit(f"{OUT} is out of date: run python3 .ci/spec/gen_vectors.py")
    print(f"{OUT.name} is up to date")
else:
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(signing)} signing, {len(negative)} negative, {len(callbacks)} callback vectors)")
