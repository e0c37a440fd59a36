// The whole EPoint flow in TypeScript, built only from the spec's generated types
// (openapi-typescript → epoint.d.ts, plus the generated operation map operations.ts) and the
// reference signer (openapi/reference/epoint-signing.ts), against the standalone sandbox:
//
//   pay → complete the hosted page → receive and verify the callback → status
//       → partial refund → status
//
//   node flow.js EPOINT_SANDBOX_COMMAND...   e.g.  node flow.js epoint sandbox
//
// `send(base, key, path, payload)` is typed per path: the payload must be that operation's
// schema and the answer is that operation's answer schema. Exits non-zero when a step fails.

import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createInterface } from "node:readline";
import { flowOf, openForm, send } from "./epoint-signing";

const PUBLIC_KEY = "i000000001"; // the sandbox's seeded test merchant
const PRIVATE_KEY = "sandbox_private_key_0000000001";

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`flow failed: ${what}`);
}

async function main(): Promise<void> {
  // The merchant's result_url: EPoint POSTs the signed callback here.
  const callbacks: string[] = [];
  const receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      callbacks.push(body);
      res.end("OK");
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const address = receiver.address();
  check(address !== null && typeof address === "object", "receiver address");
  const resultUrl = `http://127.0.0.1:${(address as { port: number }).port}/epoint/result`;

  const [command, ...args] = process.argv.slice(2);
  const sandbox = spawn(command, [...args, "--port", "0", "--result-url", resultUrl], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const lines = createInterface({ input: sandbox.stdout! });
    const base: string = await new Promise((resolve) => lines.once("line", resolve));
    check(base.startsWith("http://127.0.0.1:"), `base URL ${base}`);

    console.log("1. pay 30.75 AZN (POST /api/1/request)");
    const created = await send(base, PRIVATE_KEY, "/api/1/request", {
      public_key: PUBLIC_KEY,
      amount: "30.75", // a decimal string, never a JS number
      currency: "AZN",
      language: "en",
      order_id: "ts-flow-1",
      description: "TypeScript flow",
    });
    check(created.status === "success" && typeof created.transaction === "string", JSON.stringify(created));
    const tx = created.transaction as string;
    console.log(`   transaction ${tx}, hosted page ${created.redirect_url}`);

    console.log("2. the customer pays on the hosted page");
    const done = await fetch(`${base}/_sandbox/complete/${tx}`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "outcome=paid",
    });
    check(done.ok, `complete: HTTP ${done.status}`);

    console.log("3. receive and verify the callback");
    for (let i = 0; i < 100 && callbacks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    check(callbacks.length === 1, "one callback");
    const payload = openForm(PRIVATE_KEY, callbacks[0]);
    check(flowOf(payload) === "payment" && payload["transaction"] === tx, JSON.stringify(payload));
    console.log(`   verified: ${payload["status"]} ${payload["amount"]} (code ${payload["code"]})`);

    console.log("4. status (POST /api/1/get-status)");
    let state = await send(base, PRIVATE_KEY, "/api/1/get-status", { public_key: PUBLIC_KEY, transaction: tx });
    check(state.status === "success", JSON.stringify(state));
    console.log(`   ${state.status}, card ${state.card_mask}`);

    console.log("5. refund 10.00 of it (POST /api/1/reverse)");
    const refund = await send(base, PRIVATE_KEY, "/api/1/reverse", {
      public_key: PUBLIC_KEY,
      language: "en",
      transaction: tx,
      currency: "AZN",
      amount: "10.00",
    });
    check(refund.status === "success", JSON.stringify(refund));

    console.log("6. status again");
    state = await send(base, PRIVATE_KEY, "/api/1/get-status", { public_key: PUBLIC_KEY, transaction: tx });
    check(state.status === "success" || state.status === "returned", JSON.stringify(state));
    console.log(`   ${state.status}`);
    console.log("typescript flow: ok");
  } finally {
    sandbox.kill("SIGTERM");
    receiver.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
