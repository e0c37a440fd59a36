#!/usr/bin/env python3
"""Generates, from openapi/epoint.yaml, the files other-language teams need that generators drop:

  openapi/operations.json       the operation map by machine: operationId, name, method, path,
                                whether the body is a signed form, payload schema, answer schema,
                                answer kind, whether a callback follows, provenance
  openapi/operations.ts         the same map as TypeScript types over openapi-typescript's
                                `components`, so `send("/api/1/request", payload)` type-checks the
                                payload and the answer of each path
  openapi/callback.schema.json  the callback payload (`CallbackPayload`) as a standalone JSON Schema
                                (draft 2020-12), which generators drop with `callbacks`

    python3 .ci/spec/gen_contract.py          # write the files
    python3 .ci/spec/gen_contract.py --check  # fail if they differ from what the spec gives

Needs PyYAML (CI's spec venv has it).
"""

import copy
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "openapi" / "epoint.yaml"
OUT = {
    "operations.json": ROOT / "openapi" / "operations.json",
    "operations.ts": ROOT / "openapi" / "operations.ts",
    "callback.schema.json": ROOT / "openapi" / "callback.schema.json",
}


def schema_name(ref):
    if not isinstance(ref, dict) or "$ref" not in ref:
        return None
    return ref["$ref"].rsplit("/", 1)[-1]


def operations(spec):
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            body = (op.get("requestBody") or {}).get("content", {})
            form = body.get("application/x-www-form-urlencoded", {}).get("schema")
            json_body = body.get("application/json", {}).get("schema")
            answer = None
            for code in ("200", "201", "202"):
                content = op.get("responses", {}).get(code, {}).get("content", {})
                schema = content.get("application/json", {}).get("schema")
                if schema is not None:
                    answer = schema_name(schema) or (
                        f"{schema_name(schema.get('items'))}[]" if schema.get("type") == "array" else None
                    )
                    break
            ops.append({
                "operationId": op["operationId"],
                "name": op.get("x-epoint-name", op["operationId"]),
                "method": method.upper(),
                "path": path,
                "signed": schema_name(form) == "SignedEnvelope",
                "payload": schema_name(op.get("x-epoint-payload")) or schema_name(json_body),
                "answer": answer,
                "answer_kind": op.get("x-epoint-answer"),
                "callback": "callbacks" in op or "x-epoint-callback" in op,
                "callback_flow": (op.get("x-epoint-callback") or {}).get("flow"),
                "moves_money": op["x-epoint-moves-money"],
                "source": op.get("x-epoint-source"),
            })
    return ops


def operations_json(spec):
    doc = {
        "$comment": "Generated from openapi/epoint.yaml by .ci/spec/gen_contract.py; do not edit.",
        "spec_version": spec["info"]["version"],
        "signing": "signed operations POST the form data=base64(json(payload)) & "
                   "signature=base64(sha1_raw(private_key + data + private_key))",
        "operations": operations(spec),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def operations_ts(spec):
    lines = [
        "// Generated from openapi/epoint.yaml by .ci/spec/gen_contract.py; do not edit.",
        "// The operation map: which payload goes with which path, and what it answers.",
        "// Import beside the types openapi-typescript generates (`epoint.d.ts`).",
        'import type { components } from "./epoint";',
        "",
        'type S = components["schemas"];',
        "",
        "/** Signed operations: POST `data` + `signature` of `payload` to the path. */",
        "export interface SignedOperations {",
    ]
    other = []
    for op in operations(spec):
        answer = op["answer"]
        if answer is None:
            answer_ts = "unknown"
        elif answer.endswith("[]"):
            answer_ts = f'S["{answer[:-2]}"][]'
        else:
            answer_ts = f'S["{answer}"]'
        payload_ts = f'S["{op["payload"]}"]' if op["payload"] else "never"
        entry = (
            f'  /** `{op["name"]}` ({op["operationId"]}); source: {op["source"]}'
            f'{"; moves money" if op["moves_money"] else ""}'
            f'{"; a callback follows" if op["callback"] else ""}. */\n'
            f'  "{op["path"]}": {{ payload: {payload_ts}; answer: {answer_ts} }};'
        )
        (lines if op["signed"] else other).append(entry)
    lines.append("}")
    lines += ["", "/** Operations that are not signed forms (GET reads, JSON bodies). */",
              "export interface UnsignedOperations {"]
    lines += other
    lines += ["}", "", "export type SignedPath = keyof SignedOperations;", ""]
    return "\n".join(lines)


def standalone(spec, name):
    """components.schemas[name] with every $ref it reaches moved under $defs (draft 2020-12)."""
    schemas = spec["components"]["schemas"]
    defs = {}

    def convert(node):
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key == "$ref":
                target = schema_name(node)
                if target not in defs:
                    defs[target] = None
                    defs[target] = convert(copy.deepcopy(schemas[target]))
                out["$ref"] = f"#/$defs/{target}"
            elif key == "example":
                out["examples"] = [value]
            elif key == "nullable":
                continue  # OAS 3.0 only; none of the callback's fields is nullable
            elif key == "exclusiveMinimum" and isinstance(value, bool):
                continue
            elif key.startswith("x-"):
                continue
            elif key in ("properties", "$defs"):
                out[key] = {k: convert(v) for k, v in value.items()}
            else:
                out[key] = convert(value)
        return out

    root = convert(copy.deepcopy(schemas[name]))
    doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://epoint.az/schemas/callback.json",
        "title": name,
        "$comment": "Generated from openapi/epoint.yaml by .ci/spec/gen_contract.py; do not edit. "
                    "The decoded `data` of the signed callback EPoint POSTs to the merchant's "
                    "result_url. Verify the signature over `data` as received before decoding.",
    }
    doc.update(root)
    doc["$defs"] = {k: defs[k] for k in sorted(defs)}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def main():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    files = {
        "operations.json": operations_json(spec),
        "operations.ts": operations_ts(spec),
        "callback.schema.json": standalone(spec, "CallbackPayload"),
    }
    check = "--check" in sys.argv[1:]
    stale = []
    for name, text in files.items():
        path = OUT[name]
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("gen_contract: out of date with openapi/epoint.yaml: " + ", ".join(stale)
              + "\n  regenerate with: python3 .ci/spec/gen_contract.py", file=sys.stderr)
        return 1
    print("gen_contract: " + ("up to date" if check else "written") + f" ({len(operations(spec))} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
