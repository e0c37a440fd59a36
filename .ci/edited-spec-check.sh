#!/usr/bin/env bash
# A service that depends on `epoint-az` survives an EPoint API change without a fork: the crate is
# built from an edited copy of the spec (EPOINT_SPEC) that adds
#   * an optional field to a payload (`PaymentRequest.loyalty_id`),
#   * a field to an answer (`RedirectResponse.expires_at`),
#   * a new operation (`POST /api/1/loyalty/balance`, payload `LoyaltyBalanceRequest`,
#     answer `LoyaltyBalanceResponse`),
#   * a second new operation marked `x-epoint-moves-money: true` (`POST /api/1/loyalty/redeem`)
#     whose result comes as a payment callback (`x-epoint-callback: {flow: payment}`),
#   * a payment callback that no longer carries `message` (the `fields` of
#     `/api/1/request`'s `x-epoint-callback`),
# and a separate crate (the "service") uses all three against a loopback capture server: the
# existing `pay` method still compiles and sends, the answer field is typed, and the new operation
# is called signed through `Client::operation::<ops::LoyaltyBalance>`. Nothing in src/ changes.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

python3 - "$ROOT/openapi/epoint.yaml" "$WORK/epoint.yaml" <<'PY'
import sys, yaml

spec = yaml.safe_load(open(sys.argv[1]))
schemas = spec["components"]["schemas"]
schemas["PaymentRequest"]["properties"]["loyalty_id"] = {
    "type": "string", "description": "A loyalty card to credit (optional).",
}
schemas["RedirectResponse"]["properties"]["expires_at"] = {
    "type": "string", "description": "When the hosted page expires.",
}
schemas["LoyaltyBalanceRequest"] = {
    "type": "object",
    "required": ["public_key", "loyalty_id"],
    "properties": {
        "public_key": {"$ref": "#/components/schemas/PublicKey"},
        "loyalty_id": {"type": "string", "minLength": 1},
    },
}
schemas["LoyaltyBalanceResponse"] = {
    "type": "object",
    "required": ["status"],
    "properties": {
        "status": {"$ref": "#/components/schemas/PaymentStatus"},
        "message": {"type": "string"},
        "points": {"type": "integer"},
    },
}
spec["paths"]["/api/1/loyalty/balance"] = {"post": {
    "operationId": "loyalty_balance",
    "x-epoint-name": "loyalty_balance",
    "x-epoint-moves-money": False,
    "x-epoint-payload": {"$ref": "#/components/schemas/LoyaltyBalanceRequest"},
    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
        "schema": {"$ref": "#/components/schemas/SignedEnvelope"}}}},
    "responses": {"200": {"description": "Balance.", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/LoyaltyBalanceResponse"}}}}},
}}
# A second new operation that moves money (points to a card): only its mark says so.
spec["paths"]["/api/1/loyalty/redeem"] = {"post": {
    "operationId": "loyalty_redeem",
    "x-epoint-name": "loyalty_redeem",
    "x-epoint-moves-money": True,
    "x-epoint-callback": {"flow": "payment"},
    "callbacks": spec["paths"]["/api/1/request"]["post"]["callbacks"],
    "x-epoint-payload": {"$ref": "#/components/schemas/LoyaltyBalanceRequest"},
    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
        "schema": {"$ref": "#/components/schemas/SignedEnvelope"}}}},
    "responses": {"200": {"description": "Redeemed.", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/LoyaltyBalanceResponse"}}}}},
}}
# EPoint stops sending `message` in a payment's callback: only the flow's mark changes.
payment = spec["paths"]["/api/1/request"]["post"]["x-epoint-callback"]
payment["fields"] = [f for f in payment["fields"] if f != "message"]
yaml.safe_dump(spec, open(sys.argv[2], "w"), sort_keys=False, allow_unicode=True)
PY

mkdir -p "$WORK/service/src"
cat >"$WORK/service/Cargo.toml" <<EOF
[package]
name = "edited-spec-service"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
epoint-az = { path = "$ROOT" }
tokio = { version = "1", features = ["macros", "rt-multi-thread", "net", "io-util"] }
serde_json = "1"

[workspace]
EOF
cat >"$WORK/service/src/main.rs" <<'EOF'
//! Uses what the edited spec added, against a one-shot loopback server.
use epoint_az::{Client, Config, dec, generated::types, ops};
use tokio::{io::{AsyncReadExt, AsyncWriteExt}, net::TcpListener};

/// Answers each request with `answer`, returning what was POSTed (path, form body).
async fn serve(listener: &TcpListener, answer: &str) -> (String, String) {
    let (mut socket, _) = listener.accept().await.expect("accept");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let n = socket.read(&mut chunk).await.expect("read");
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text.lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().expect("length")))
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                let path = text.split_whitespace().nth(1).expect("path").to_owned();
                let body = text[end + 4..].to_owned();
                let reply = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}", answer.len());
                socket.write_all(reply.as_bytes()).await.expect("write");
                return (path, body);
            }
        }
    }
}

fn payload_of(form: &str) -> serde_json::Value {
    let data = form.split('&').find_map(|kv| kv.strip_prefix("data=")).expect("data");
    let data = data.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=");
    epoint_az::signing::decode_data(&data).expect("payload")
}

#[tokio::main]
async fn main() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let client = Client::new(Config::new("i000000001", "key").base_url(&base)).expect("client");

    // 1. The existing method compiles and sends although PaymentRequest gained a field.
    let (page, (_, form)) = tokio::join!(
        client.pay(dec!(5), "o-1").send(),
        serve(&listener, r#"{"status":"success","transaction":"te1","redirect_url":"https://e/p","expires_at":"2027-01-01"}"#),
    );
    let page = page.expect("pay");
    assert!(payload_of(&form).get("loyalty_id").is_none(), "an unset optional field is not sent");
    // 2. The new answer field is typed.
    assert_eq!(page.answer.expires_at.as_deref(), Some("2027-01-01"));
    // The new optional field can be set on the payload.
    let mut payload = client.pay(dec!(5), "o-2").payload().expect("payload").clone();
    payload.loyalty_id = Some("L-7".into());
    // 3. The new operation is callable, signed, with its typed answer.
    let request: types::LoyaltyBalanceRequest = types::LoyaltyBalanceRequest::builder()
        .public_key("i000000001")
        .loyalty_id("L-7")
        .try_into()
        .expect("payload");
    let (balance, (path, form)) = tokio::join!(
        client.operation::<ops::LoyaltyBalance>(request).send(),
        serve(&listener, r#"{"status":"success","points":120}"#),
    );
    let balance = balance.expect("loyalty balance");
    assert_eq!(path, "/api/1/loyalty/balance");
    assert_eq!(payload_of(&form)["loyalty_id"], "L-7");
    assert_eq!(balance.points, Some(120));
    assert_eq!(epoint_az::OperationId::LoyaltyBalance.path(), "/api/1/loyalty/balance");
    // 4. The callback marks: the new operation reports through the payment flow, and the
    // example callback (the sandbox's and `epoint callback send`'s) follows the edited fields.
    use epoint_az::callback::{CallbackFlow, Example};
    assert_eq!(epoint_az::OperationId::LoyaltyRedeem.callback_flow(), Some(CallbackFlow::Payment));
    assert_eq!(epoint_az::OperationId::LoyaltyBalance.callback_flow(), None);
    let example = CallbackFlow::Payment.example_payload(&Example::new(true));
    assert_eq!(example.message, None, "the edited payment flow carries no message");
    assert_eq!(example.transaction.as_deref(), Some("te000000001"));
    assert!(CallbackFlow::SplitPayment.example_payload(&Example::new(true)).message.is_some());
    println!("edited-spec-check: optional payload field, answer field and new operation all work");
}
EOF

cp Cargo.lock "$WORK/service/"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
(cd "$WORK/service" && EPOINT_SPEC="$WORK/epoint.yaml" cargo run --quiet)

# The command line knows from the spec alone whether each new operation moves money: the
# `epoint` binary built from the edited copy lists them, and `call` asks before sending the one
# that moves money (exit 6 without a terminal and without --yes; nothing sent).
# The executable cargo reports, copied at once: a build of another checkout sharing the target
# directory may replace debug/epoint under the checks.
BIN=$(EPOINT_SPEC="$WORK/epoint.yaml" cargo build --quiet --all-features --bin epoint --message-format=json |
  python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "epoint":
        print(m["executable"])')
cp "$BIN" "$WORK/epoint"
"$WORK/epoint" operations --json | python3 -c '
import json, sys
ops = {o["operation_id"]: o for o in json.load(sys.stdin)["operations"]}
assert ops["loyalty_redeem"]["moves_money"] is True, ops["loyalty_redeem"]
assert ops["loyalty_balance"]["moves_money"] is False, ops["loyalty_balance"]
assert ops["loyalty_redeem"]["callback"] is True, ops["loyalty_redeem"]
assert ops["loyalty_balance"]["callback"] is False, ops["loyalty_balance"]
print("edited-spec-check: the CLI reads x-epoint-moves-money and x-epoint-callback for operations it has never seen")
'
set +e
EPOINT_PUBLIC_KEY=i000000001 EPOINT_PRIVATE_KEY=key "$WORK/epoint" call loyalty_redeem \
  -f loyalty_id=L-7 --base-url http://127.0.0.1:9 </dev/null >/dev/null 2>"$WORK/redeem.err"
code=$?
set -e
if [ "$code" -ne 6 ]; then
  echo "edited-spec-check: expected exit 6 (not confirmed) for a money-moving new operation, got $code" >&2
  cat "$WORK/redeem.err" >&2
  exit 1
fi
echo "edited-spec-check: \`epoint call loyalty_redeem\` asks before moving money (exit 6 without --yes)"

# `epoint callback send` builds its payment callback from the edited mark: no `message`.
EPOINT_PRIVATE_KEY=key "$WORK/epoint" callback serve --port 0 --once --json \
  >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE=$!
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$WORK/serve.out" 2>/dev/null && break
  sleep 0.1
done
URL=$(sed -n 's/^listening on //p' "$WORK/serve.out")
EPOINT_PRIVATE_KEY=key "$WORK/epoint" callback send "$URL/epoint/result" \
  --flow payment --json >"$WORK/send.out" || { kill "$SERVE"; cat "$WORK/send.out" >&2; exit 1; }
wait "$SERVE"
python3 - "$WORK/send.out" <<'PY'
import json, sys
sent = json.load(open(sys.argv[1]))
assert sent["ok"] is True, sent
assert "message" not in sent["payload"], sent["payload"]
assert sent["payload"]["transaction"] == "te000000001", sent["payload"]
print("edited-spec-check: `epoint callback send` follows the edited x-epoint-callback fields")
PY
