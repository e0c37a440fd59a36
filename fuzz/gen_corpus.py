#!/usr/bin/env python3
"""Writes the committed seed corpus: the hostile inputs of tests/sandbox/hostile.rs, signed with the sandbox's
first merchant key so that they get past the signature to the checks behind it.

File names are `<expected>__<what>.txt`; tests/client/fuzz_corpus.rs reads the expectation from the
prefix. Re-run after changing a case: python3 fuzz/gen_corpus.py
"""
import base64, hashlib, json, os, urllib.parse

KEY = "sandbox_private_key_0000000001"
HERE = os.path.dirname(os.path.abspath(__file__))


def sign(data: str, key: str = KEY) -> str:
    return base64.b64encode(hashlib.sha1((key + data + key).encode()).digest()).decode()


def seal(text: str, key: str = KEY):
    data = base64.b64encode(text.encode()).decode()
    return data, sign(data, key)


def form(data: str, signature: str) -> str:
    return urllib.parse.urlencode({"data": data, "signature": signature})


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def write(target: str, name: str, body) -> None:
    path = os.path.join(HERE, "corpus", target, name)
    with open(path, "wb") as f:
        f.write(body if isinstance(body, bytes) else body.encode())


payment = {"order_id": "1", "status": "success", "code": "000", "message": "Confirmed",
           "transaction": "te000000001", "bank_transaction": "BT1", "rrn": "123456789012",
           "card_mask": "416973******0000", "card_name": "TEST", "amount": 30.75}
cb = "callback_verify"
write(cb, "ok__payment.txt", form(*seal(compact(payment))))
write(cb, "ok__order_id_nul_crlf.txt", form(*seal(compact({**payment, "order_id": "a\u0000b\r\nc"}))))
write(cb, "ok__null_amount.txt", form(*seal(compact({**payment, "amount": None}))))
write(cb, "ok__javascript_redirect.txt",
      form(*seal(compact({**payment, "redirect": "javascript:alert(1)"}))))
write(cb, "ok__depth_32.txt", form(*seal('{"status":"new","x":' + "[" * 31 + "]" * 31 + "}")))
write(cb, "too_deep__nesting_33.txt", form(*seal('{"x":' + "[" * 32 + "]" * 32 + "}")))
write(cb, "too_deep__nesting_5000.txt", form(*seal('{"x":' + "[" * 5000 + "]" * 5000 + "}")))
write(cb, "too_deep__objects_100.txt", form(*seal('{"a":' * 100 + "1" + "}" * 100)))
# 100 000 levels: the body is over 64 KiB, refused before anything else (kept to 70 000
# bytes here: still over the cap, and the corpus stays small).
data, sig = seal('{"x":' + "[" * 100_000 + "]" * 100_000 + "}")
write(cb, "too_large__nesting_100000_cut_to_70k.txt", form(data, sig)[:70_000])
write(cb, "too_large__70k_of_a.txt", "a" * 70_000)
# A 1 MB signed body truncated to 4 KiB: the signature no longer matches (or is gone).
data, sig = seal(compact({**payment, "message": "x" * 1_000_000}))
write(cb, "missing__huge_truncated_to_4k.txt", form(data, sig)[:4096])
write(cb, "mismatch__huge_truncated_data.txt", form(data[:4096], sig))
# `+` sent unencoded: decoded as a space.
i = 0
while True:
    d, s = seal(compact({**payment, "order_id": str(i)}))
    if "+" in s:
        break
    i += 1
write(cb, "malformed__plus_as_space.txt", "data=" + urllib.parse.quote(d, safe="") + "&signature=" + s)
d, s = seal(compact(payment))
write(cb, "mismatch__truncated_base64_data.txt", form(d[:-4], s))
write(cb, "mismatch__data_changed.txt", form("f" + d[1:], s))
write(cb, "malformed__truncated_signature.txt", form(d, s[:-3]))
write(cb, "malformed__hex_signature.txt",
      form(d, hashlib.sha1((KEY + d + KEY).encode()).hexdigest()))
write(cb, "mismatch__wrong_key.txt", form(*seal(compact(payment), "another_key")))
write(cb, "mismatch__key_once.txt", form(d, base64.b64encode(hashlib.sha1((KEY + d).encode()).digest()).decode()))
write(cb, "empty_data__empty.txt", "data=&signature=" + urllib.parse.quote(s, safe=""))
write(cb, "missing__no_signature.txt", "data=" + urllib.parse.quote(d, safe=""))
write(cb, "duplicate__two_data.txt", form(d, s) + "&data=" + urllib.parse.quote(d, safe=""))
write(cb, "not_a_form__latin1.txt", b"data=\xff\xfe&signature=x")
write(cb, "decode__signed_array.txt", form(*seal("[1,2,3]")))
write(cb, "decode__signed_not_json.txt", form(*seal("not json at all")))
write(cb, "decode__signed_amount_1_000.txt", form(*seal(compact({**payment, "amount": "1_000.00"}))))
write(cb, "any__empty.txt", "")

se = "sandbox_envelope"
request = {"public_key": "i000000001", "amount": "10.00", "currency": "AZN", "language": "az",
           "order_id": "1"}
d, s = seal(compact(request))
write(se, "form_ok__request.txt", form(d, s))
write(se, "json_ok__request.txt", compact({"data": d, "signature": s}))
write(se, "form_ok__plus_as_space.txt", "data=" + d + "&signature=" + s.replace("+", " ") + "+x")
write(se, "form_ok__null_amount.txt", form(*seal(compact({**request, "amount": None}))))
write(se, "form_ok__order_id_crlf.txt", form(*seal(compact({**request, "order_id": "a\r\nb\u0000"}))))
write(se, "form_ok__javascript_redirect.txt",
      form(*seal(compact({**request, "success_redirect_url": "javascript:alert(1)"}))))
write(se, "form_ok__deep_data.txt", form(*seal('{"x":' + "[" * 5000 + "]" * 5000 + "}")))
write(se, "err__duplicate_data.txt", form(d, s) + "&data=x")
write(se, "err__no_signature.txt", "data=" + urllib.parse.quote(d, safe=""))
write(se, "err__empty.txt", "")
write(se, "err__json_deep_10000.txt", '{"data":' + "[" * 10_000 + "]" * 10_000 + "}")
write(se, "err__json_truncated.txt", compact({"data": d, "signature": s})[:40])
write(se, "err__huge_truncated.txt", form(*seal(compact({**request, "description": "x" * 1_000_000})))[:4096])
