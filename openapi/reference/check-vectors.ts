// Checks the TypeScript reference signer (epoint-signing.ts) against every vector in
// openapi/vectors.json, as openapi/check_vectors.py does for the Python one.
//   tsc -p openapi/reference/tsconfig.json && node <outDir>/reference/check-vectors.js openapi/vectors.json

import { readFileSync } from "node:fs";
import { Rejected, flowOf, openForm, parseForm, seal, sign, verify } from "./epoint-signing";

type Vector = Record<string, any>;
const doc = JSON.parse(readFileSync(process.argv[2] ?? "openapi/vectors.json", "utf8"));
const failures: string[] = [];
const fail = (id: string, msg: string) => failures.push(`${id}: ${msg}`);
const kindOf = (e: unknown) => (e instanceof Rejected ? e.kind : `threw ${String(e)}`);

for (const v of doc.signing as Vector[]) {
  if (Buffer.from(v.json_text, "utf8").toString("base64") !== v.data) fail(v.id, "data is not base64 of json_text");
  if (sign(v.private_key, v.data) !== v.signature) fail(v.id, `sign(data) = ${sign(v.private_key, v.data)}`);
  try {
    verify(v.private_key, v.data, v.signature);
  } catch (e) {
    fail(v.id, `valid vector rejected: ${kindOf(e)}`);
  }
  if (new URLSearchParams({ data: v.data, signature: v.signature }).toString() !== v.form_body) {
    fail(v.id, "form_body is not the percent-encoded pair");
  }
  const [d, s] = parseForm(v.form_body);
  if (d !== v.data || s !== v.signature) fail(v.id, "form_body does not parse back to the pair");
}
// seal() writes compact JSON: it reproduces every vector whose json_text is compact.
for (const v of doc.signing as Vector[]) {
  if (JSON.stringify(v.json) === v.json_text && seal(v.private_key, v.json).data !== v.data) {
    fail(v.id, "seal(json) does not give the vector's data");
  }
}
for (const v of doc.negative as Vector[]) {
  try {
    verify(v.private_key, v.data, v.signature);
    fail(v.id, `accepted, expected ${v.error}`);
  } catch (e) {
    if (kindOf(e) !== v.error) fail(v.id, `rejected with ${kindOf(e)}, expected ${v.error}`);
  }
}
const flows = new Set<string>();
for (const v of doc.callbacks as Vector[]) {
  let payload: Record<string, unknown>;
  try {
    payload = openForm(v.private_key, v.body);
  } catch (e) {
    if (v.expect === "valid") fail(v.id, `valid callback rejected: ${kindOf(e)}`);
    else if (kindOf(e) !== v.error) fail(v.id, `rejected with ${kindOf(e)}, expected ${v.error}`);
    continue;
  }
  if (v.expect !== "valid") {
    fail(v.id, `accepted, expected ${v.error}`);
    continue;
  }
  if (JSON.stringify(payload) !== JSON.stringify(v.json)) fail(v.id, "decoded payload differs from json");
  if (flowOf(payload) !== v.flow) fail(v.id, `flow recognised as ${flowOf(payload)}, stored ${v.flow}`);
  flows.add(v.flow);
}
for (const flow of Object.keys(doc.scheme.callback_flows)) {
  if (!flows.has(flow)) failures.push(`no valid callback vector for flow ${flow}`);
}
const counts = `${doc.signing.length} signing, ${doc.negative.length} negative, ${doc.callbacks.length} callback`;
if (failures.length > 0) {
  console.error(`check-vectors.ts: ${failures.length} failure(s) in ${counts} vectors`);
  for (const f of failures) console.error(`  ${f}`);
  process.exit(1);
}
console.log(`check-vectors.ts: ok (${counts} vectors)`);
