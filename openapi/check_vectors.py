#!/usr/bin/env python3
"""Reference check of openapi/vectors.json, in plain Python 3 (standard library only).

    python3 openapi/check_vectors.py [path/to/vectors.json]

Re-derives every vector from first principles and exits non-zero on any mismatch:
  * signing: data == base64(json_text), the signature verifies, and signing data again gives
    exactly the stored signature; the form body percent-encodes both fields;
  * negative: verification refuses the pair with the stated error;
  * callbacks: the form body is parsed, the pair verifies (or is refused with the stated error),
    the decoded JSON equals the stored one, the flow recognised from it is the stated flow, and
    the payload carries no field that its flow never sends.

The implementation it checks is openapi/reference/epoint_signing.py: copy that one file.
"""

import base64
import json
import sys
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
from epoint_signing import NEVER, Rejected, flow_of, open_callback, parse_form, sign, verify  # noqa: E402


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("vectors.json")
    doc = json.loads(path.read_text(encoding="utf-8"))
    failures = []
    seen = set()

    def fail(vid, msg):
        failures.append(f"{vid}: {msg}")

    def check_id(v):
        if v["id"] in seen:
            fail(v["id"], "duplicate id")
        seen.add(v["id"])
        if not v.get("note"):
            fail(v["id"], "no note")

    for v in doc["signing"]:
        check_id(v)
        vid, key = v["id"], v["private_key"]
        if v["expect"] != "valid":
            fail(vid, "signing vectors must expect valid")
        if base64.b64encode(v["json_text"].encode("utf-8")).decode() != v["data"]:
            fail(vid, "data is not base64 of json_text")
        if json.loads(v["json_text"]) != v["json"]:
            fail(vid, "json does not match json_text")
        if sign(key, v["data"]) != v["signature"]:
            fail(vid, f"sign(data) = {sign(key, v['data'])}, stored {v['signature']}")
        try:
            verify(key, v["data"], v["signature"])
        except Rejected as e:
            fail(vid, f"valid vector rejected: {e.kind}")
        if urllib.parse.urlencode([("data", v["data"]), ("signature", v["signature"])]) != v["form_body"]:
            fail(vid, "form_body is not the percent-encoded pair")
        if parse_form(v["form_body"]) != (v["data"], v["signature"]):
            fail(vid, "form_body does not parse back to the pair")

    for v in doc["negative"]:
        check_id(v)
        vid = v["id"]
        try:
            verify(v["private_key"], v["data"], v["signature"])
            fail(vid, f"accepted, expected {v['error']}")
        except Rejected as e:
            if e.kind != v["error"]:
                fail(vid, f"rejected with {e.kind}, expected {v['error']}")
        if v["error"] == "malformed_signature" and v.get("signature_length") != len(v["signature"]):
            fail(vid, "signature_length is not the length of the signature text")

    flows_seen = set()
    for v in doc["callbacks"]:
        check_id(v)
        vid = v["id"]
        try:
            payload = open_callback(v["private_key"], v["body"])
        except Rejected as e:
            if v["expect"] == "valid":
                fail(vid, f"valid callback rejected: {e.kind}")
            elif e.kind != v["error"]:
                fail(vid, f"rejected with {e.kind}, expected {v['error']}")
            continue
        if v["expect"] != "valid":
            fail(vid, f"accepted, expected {v['error']}")
            continue
        if payload != v["json"]:
            fail(vid, "decoded payload differs from json")
        if base64.b64decode(v["data"]).decode("utf-8") != v["json_text"]:
            fail(vid, "data is not base64 of json_text")
        if flow_of(payload) != v["flow"]:
            fail(vid, f"flow recognised as {flow_of(payload)}, stored {v['flow']}")
        extra = NEVER[v["flow"]] & set(payload)
        if extra:
            fail(vid, f"{v['flow']} never carries {sorted(extra)}")
        if doc["scheme"]["callback_flows"][v["flow"]] != v["operation_path"]:
            fail(vid, "operation_path does not match the flow")
        flows_seen.add(v["flow"])

    missing = set(NEVER) - flows_seen
    if missing:
        failures.append(f"no valid callback vector for flows {sorted(missing)}")
    for name in ("V1", "V2"):
        if name not in seen:
            failures.append(f"the official vector {name} is missing")

    counts = f"{len(doc['signing'])} signing, {len(doc['negative'])} negative, {len(doc['callbacks'])} callback"
    if failures:
        print(f"check_vectors: {len(failures)} failure(s) in {counts} vectors", file=sys.stderr)
        for f in failures:
            print("  " + f, file=sys.stderr)
        return 1
    print(f"check_vectors: ok ({counts} vectors)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
