"""The whole EPoint flow in Python, built only from the spec's generated client
(openapi-python-client) and the reference signer (openapi/reference/epoint_signing.py),
against the standalone sandbox:

    pay → complete the hosted page → receive and verify the callback → status
        → partial refund → status

    python flow.py EPOINT_SANDBOX_COMMAND...   e.g.  python flow.py epoint sandbox
                                               or    python flow.py target/debug/epoint sandbox

The generated package `epoint_client` must be importable (PYTHONPATH), and
`epoint_signing.py` beside it or on PYTHONPATH. Exits non-zero when a step fails.
"""

import http.server
import queue
import subprocess
import sys
import threading
import urllib.parse
import urllib.request

from epoint_client import Client
from epoint_client.api.payments import get_status, payment_request
from epoint_client.api.refunds import reverse
from epoint_client.models import (
    Currency,
    Language,
    PaymentRequest,
    ReverseRequest,
    SignedEnvelope,
    StatusByOrderId,
    StatusByTransaction,
)
from epoint_signing import flow_of, open_form, seal

PUBLIC_KEY, PRIVATE_KEY = "i000000001", "sandbox_private_key_0000000001"  # sandbox test keys
ORDER_ID = "py-flow-1"
callbacks: "queue.Queue[str]" = queue.Queue()


class CallbackHandler(http.server.BaseHTTPRequestHandler):
    """The merchant's result_url: EPoint POSTs the signed callback here."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0"))).decode("utf-8")
        callbacks.put(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"OK")

    def log_message(self, *args):
        pass


def envelope(model) -> SignedEnvelope:
    data, signature, _ = seal(PRIVATE_KEY, model.to_dict())
    return SignedEnvelope(data=data, signature=signature)


def step(n, text):
    print(f"{n}. {text}", flush=True)


def main() -> int:
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CallbackHandler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    result_url = f"http://127.0.0.1:{receiver.server_address[1]}/epoint/result"
    sandbox = subprocess.Popen(
        [*sys.argv[1:], "--port", "0", "--result-url", result_url],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        base = sandbox.stdout.readline().strip()  # the first line is the base URL
        assert base.startswith("http://127.0.0.1:"), base
        client = Client(base_url=base)

        step(1, "pay 30.75 AZN (POST /api/1/request)")
        created = payment_request.sync(client=client, body=envelope(PaymentRequest(
            public_key=PUBLIC_KEY, amount="30.75", currency=Currency.AZN,
            language=Language.EN, order_id=ORDER_ID, description="Python flow",
        )))
        assert created.status == "success", created
        tx = created.transaction
        print(f"   transaction {tx}, hosted page {created.redirect_url}")

        step(2, "the customer pays on the hosted page")
        form = urllib.parse.urlencode({"outcome": "paid"}).encode()
        urllib.request.urlopen(f"{base}/_sandbox/complete/{tx}", data=form, timeout=10).read()

        step(3, "receive and verify the callback")
        payload = open_form(PRIVATE_KEY, callbacks.get(timeout=10))
        assert flow_of(payload) == "payment", payload
        assert payload["transaction"] == tx and payload["status"] == "success", payload
        print(f"   verified: {payload['status']} {payload['amount']} (code {payload['code']})")

        step(4, "status (POST /api/1/get-status), by transaction and by your order id")
        state = get_status.sync(client=client, body=envelope(StatusByTransaction(public_key=PUBLIC_KEY, transaction=tx)))
        assert state.status == "success", state
        by_order = get_status.sync(client=client, body=envelope(StatusByOrderId(public_key=PUBLIC_KEY, order_id=ORDER_ID)))
        assert by_order.status == "success" and by_order.transaction == tx, by_order
        print(f"   {state.status}, card {state.card_mask}; by order id: {by_order.transaction}")

        step(5, "refund 10.00 of it (POST /api/1/reverse)")
        refund = reverse.sync(client=client, body=envelope(ReverseRequest(
            public_key=PUBLIC_KEY, language=Language.EN, transaction=tx, currency=Currency.AZN, amount="10.00",
        )))
        assert refund.status == "success", refund

        step(6, "status again")
        state = get_status.sync(client=client, body=envelope(StatusByTransaction(public_key=PUBLIC_KEY, transaction=tx)))
        assert state.status in ("success", "returned"), state
        print(f"   {state.status}")
        print("python flow: ok")
        return 0
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        receiver.shutdown()


if __name__ == "__main__":
    sys.exit(main())
