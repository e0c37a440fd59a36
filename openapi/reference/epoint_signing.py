"""EPoint signing, verification and callback-flow recognition: a dependency-free reference
implementation in plain Python 3 (standard library only). Copy this one file.

    from epoint_signing import seal, open_form, flow_of, Rejected

    data, signature, form_body = seal(private_key, {"public_key": "i000000001", ...})
    payload = open_form(private_key, request_body)   # raises Rejected(kind) on a bad signature
    flow_of(payload)                                  # "payment", "card_registration", ...

Checked against every vector in openapi/vectors.json in CI (openapi/check_vectors.py).
Amounts: send decimal strings with two decimals ("30.75"), never floats.
"""

import base64
import binascii
import hashlib
import hmac
import json
import urllib.parse

__all__ = ["Rejected", "sign", "verify", "seal", "parse_form", "open_form", "open_callback", "flow_of", "NEVER"]


class Rejected(Exception):
    """Verification refused the input; `kind` is the error name used in vectors.json."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind


def sign(private_key: str, data: str) -> str:
    k = private_key.encode("utf-8")
    return base64.b64encode(hashlib.sha1(k + data.encode("utf-8") + k).digest()).decode("ascii")


def verify(private_key: str, data: str, signature: str) -> None:
    if data == "":
        raise Rejected("empty_data")
    text = signature.strip()
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Rejected("malformed_signature")
    # Only canonical standard base64 of a 20-byte digest is accepted.
    if len(raw) != 20 or base64.b64encode(raw).decode("ascii") != text:
        raise Rejected("malformed_signature")
    k = private_key.encode("utf-8")
    expected = hashlib.sha1(k + data.encode("utf-8") + k).digest()
    if not hmac.compare_digest(expected, raw):
        raise Rejected("mismatch")


def parse_form(body: str):
    """(data, signature) from an x-www-form-urlencoded body; rejects missing or repeated fields."""
    fields = {}
    for key, value in urllib.parse.parse_qsl(body.strip(), keep_blank_values=True):
        if key in ("data", "signature"):
            if key in fields:
                raise Rejected("duplicate_field")
            fields[key] = value
    if "data" not in fields or "signature" not in fields:
        raise Rejected("missing_field")
    return fields["data"], fields["signature"]


def seal(private_key: str, payload: dict):
    """(data, signature, form_body) for a payload: compact JSON, raw UTF-8, as EPoint's own
    clients write it. Any JSON text is valid as long as `data` is sent unchanged."""
    text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    data = base64.b64encode(text.encode("utf-8")).decode("ascii")
    signature = sign(private_key, data)
    return data, signature, urllib.parse.urlencode([("data", data), ("signature", signature)])


def open_form(private_key: str, body: str) -> dict:
    """Verifies a signed form body (a callback, or a request) and returns its JSON object."""
    return open_callback(private_key, body)


def open_callback(private_key: str, body: str) -> dict:
    data, signature = parse_form(body)
    verify(private_key, data, signature)
    try:
        value = json.loads(base64.b64decode(data.strip(), validate=True).decode("utf-8"))
    except (binascii.Error, ValueError):
        raise Rejected("decode")
    if not isinstance(value, dict):
        raise Rejected("decode")
    return value


def flow_of(p: dict) -> str:
    """The flow a callback reports on: operation_code first, then which fields are present."""
    op, split, card = p.get("operation_code"), p.get("split_amount") is not None, p.get("card_id") is not None
    if op == "001":
        return "card_registration"
    if op == "200":
        return "split_payment_with_card_registration" if split else "payment_with_card_registration"
    if op == "100" and split:
        return "split_payment"  # a split callback carries card_id, yet saved no card
    if split:
        return "split_payment_with_card_registration" if card else "split_payment"
    if card:
        has_payment = p.get("transaction") is not None or p.get("order_id") is not None
        return "payment_with_card_registration" if has_payment else "card_registration"
    if p.get("transaction") is not None or p.get("order_id") is not None:
        return "payment"
    return "unknown"


# Fields a flow never carries (EPoint PDF v1.0.3 result table + Integrify's "absent fields" table).
NEVER = {
    "payment": {"card_id", "split_amount"},
    "card_registration": {"order_id", "transaction", "amount", "other_attr", "split_amount"},
    "payment_with_card_registration": {"message", "split_amount"},
    "split_payment": set(),
    "split_payment_with_card_registration": {"message"},
}
