"""Uses the Python client that openapi-python-client generates from openapi/epoint.yaml.

Run by .ci/spec-check.sh with the generated package `epoint_client` on sys.path:
builds a PaymentRequest, signs it with hashlib exactly as openapi/vectors.json says, sends it
through the generated `payment_request` operation to an in-memory transport, and reads a
callback payload. Exits non-zero (AssertionError) when anything disagrees.
"""

import base64
import hashlib
import json
import sys
import urllib.parse
from pathlib import Path

import httpx

from epoint_client import Client
from epoint_client.api.payments import payment_request
from epoint_client.models import (
    CallbackPayload,
    Currency,
    Language,
    PaymentRequest,
    RedirectResponse,
    SignedEnvelope,
)
from epoint_client.models.payment_status_type_0 import PaymentStatusType0

VECTORS = json.loads((Path(sys.argv[1])).read_text(encoding="utf-8"))


def vector(section, id_):
    return next(v for v in VECTORS[section] if v["id"] == id_)


def sign(private_key: str, data: str) -> str:
    k = private_key.encode()
    return base64.b64encode(hashlib.sha1(k + data.encode() + k).digest()).decode()


# 1. The generated model serialises in the spec's property order, which is vector S1's order.
s1 = vector("signing", "S1")
request = PaymentRequest(
    public_key="i000000001",
    amount="30.75",
    currency=Currency.AZN,
    language=Language.AZ,
    order_id="1",
    description="test payment",
)
json_text = json.dumps(request.to_dict(), separators=(",", ":"), ensure_ascii=False)
data = base64.b64encode(json_text.encode()).decode()
assert data == s1["data"], (json_text, s1["json_text"])
signature = sign(s1["private_key"], data)
assert signature == s1["signature"]

# 2. The generated operation sends the envelope as a form to /api/1/request.
seen = {}


def gateway(req: httpx.Request) -> httpx.Response:
    seen["path"] = req.url.path
    seen["content_type"] = req.headers["content-type"]
    form = dict(urllib.parse.parse_qsl(req.content.decode()))
    ok = form.get("signature") == sign(s1["private_key"], form.get("data", ""))
    body = (
        {"status": "success", "transaction": "te000000001", "redirect_url": "https://epoint.az/az/payment/te000000001"}
        if ok
        else {"status": "server_error", "message": "Signature did not match"}
    )
    return httpx.Response(200, json=body)


client = Client(base_url="https://epoint.az", httpx_args={"transport": httpx.MockTransport(gateway)})
answer = payment_request.sync(client=client, body=SignedEnvelope(data=data, signature=signature))
assert isinstance(answer, RedirectResponse), answer
assert answer.status == PaymentStatusType0.SUCCESS and answer.transaction == "te000000001", answer
assert seen == {"path": "/api/1/request", "content_type": "application/x-www-form-urlencoded"}, seen
bad = payment_request.sync(client=client, body=SignedEnvelope(data=data, signature=s1["signature"][::-1]))
assert bad.status == PaymentStatusType0.SERVER_ERROR and bad.message == "Signature did not match"

# 3. Callbacks: every valid callback vector decodes; an undocumented status is kept as text.
flows = set()
for v in VECTORS["callbacks"]:
    if v["expect"] != "valid":
        continue
    cb = CallbackPayload.from_dict(json.loads(base64.b64decode(v["data"])))
    assert cb.to_dict().keys() == {k for k, x in v["json"].items() if x is not None} | (
        {"other_attr"} if "other_attr" in v["json"] and v["json"]["other_attr"] is None else set()
    ), (v["id"], cb.to_dict())
    flows.add(v["flow"])
odd = CallbackPayload.from_dict({"status": "partially_returned"})
assert odd.status == "partially_returned"
print(f"python client: PaymentRequest signs to S1, payment_request round trip ok, {len(flows)} callback flows decoded")
