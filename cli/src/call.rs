//! The table-driven commands: `epoint operations` (the spec's operation table) and
//! `epoint call OPERATION -f key=value …`, which signs and sends any operation of the spec with
//! a payload built from fields.

use epoint_az::{Client, Error, OperationId, operation::AnswerKind};
use serde_json::{Map, Value, json};

use crate::{
    exit,
    report::{Report, failure, success},
    send::{PreviewView, before_sending, moves_money},
    target::Opts,
};

/// Builds a payload object from `key=value` (string) and `key:=json` (raw JSON) fields, each
/// checked by the library's rules for `op` (`OperationId::validate_field`: amounts as `Money`
/// parses them, order ids as `validate_order_id`), so nothing invalid is sent.
pub(crate) fn payload_of(
    op: OperationId,
    fields: &[String],
    public_key: &str,
) -> Result<Map<String, Value>, String> {
    let mut payload = Map::new();
    for field in fields {
        let (key, value, checked) = if let Some((key, raw)) = field.split_once(":=") {
            let value: Value = serde_json::from_str(raw)
                .map_err(|e| format!("--field {key}:=…: not JSON ({e}); use {key}=… for text"))?;
            // A raw number is checked as typed (`1e3` is not an amount), not as serde_json
            // reads it back (`1000.0`).
            let checked = match &value {
                Value::Number(_) if op.info().money_fields.contains(&key) => {
                    Value::String(raw.trim().to_owned())
                }
                other => other.clone(),
            };
            (key, value, checked)
        } else if let Some((key, text)) = field.split_once('=') {
            let value = Value::String(text.to_owned());
            (key, value.clone(), value)
        } else {
            return Err(format!(
                "--field `{field}`: expected key=value (text) or key:=json"
            ));
        };
        if key.is_empty() {
            return Err(format!("--field `{field}`: the key is empty"));
        }
        op.validate_field(key, &checked)
            .map_err(|e| e.to_string())?;
        payload.insert(key.to_owned(), value);
    }
    payload
        .entry("public_key")
        .or_insert_with(|| Value::String(public_key.to_owned()));
    Ok(payload)
}

/// `epoint call OPERATION -f …`: table-driven, for every signed operation.
pub(crate) async fn call(
    client: &Client,
    op: OperationId,
    fields: &[String],
    opts: &Opts,
) -> Report {
    let info = op.info();
    if info.method != "POST" {
        return Report::usage(format!(
            "`{}` is an unsigned {} {}; use `epoint heartbeat`",
            info.name, info.method, info.path
        ));
    }
    let payload = match payload_of(op, fields, client.keys().public_key()) {
        Ok(payload) => Value::Object(payload),
        Err(message) => return Report::usage(message),
    };
    // `send_signed` signs exactly this text (serde_json writes an object the same way twice).
    let json = payload.to_string();
    let envelope = client.keys().seal_json(json.as_bytes());
    let preview = PreviewView {
        operation: info.name,
        url: format!(
            "{}{}",
            client.config().get_base_url().trim_end_matches('/'),
            info.path
        ),
        form_body: epoint_az::signing::form_body(&envelope),
        data: envelope.data,
        signature: envelope.signature,
        json,
    };
    if let Some(report) = before_sending(&preview, opts, moves_money(op)) {
        return report;
    }
    match client.send_signed::<Value>(info.path, &payload).await {
        Ok(answer) => success(op, &json!({ "answer": answer })),
        // `send_signed` reads every answer as a plain one; a status query reports any payment
        // state (`returned`, `error` of a failed payment, …) as its answer, like the typed client.
        Err(Error::UnexpectedStatus { response, .. } | Error::Rejected { response, .. })
            if info.kind == AnswerKind::Status && is_payment_state(&response) =>
        {
            success(op, &json!({ "answer": response }))
        }
        Err(e) => failure(op, &e, client.config().get_base_url()),
    }
}

/// A status answer that reports a payment's state rather than refusing the query.
pub(crate) fn is_payment_state(answer: &Value) -> bool {
    answer.get("status").and_then(Value::as_str) != Some("server_error")
        && answer.get("transaction").is_some_and(|t| !t.is_null())
}

/// `epoint operations`: the table.
pub(crate) fn operations(json_mode: bool) -> u8 {
    let rows: Vec<Value> = OperationId::all()
        .map(|op| {
            let info = op.info();
            json!({
                "name": info.name,
                "operation_id": info.operation_id,
                "method": info.method,
                "path": info.path,
                "payload": info.payload,
                "kind": format!("{:?}", info.kind),
                "moves_money": moves_money(op),
                "callback": info.callback,
            })
        })
        .collect();
    if json_mode {
        out!("{}", json!({ "operations": rows }));
        return exit::SUCCESS;
    }
    let width = OperationId::all()
        .map(|op| op.name().len())
        .max()
        .unwrap_or(0);
    let path_width = OperationId::all()
        .map(|op| op.path().len())
        .max()
        .unwrap_or(0);
    for op in OperationId::all() {
        let info = op.info();
        out!(
            "{:<width$}  {:<4} {:<path_width$}  {}{}",
            info.name,
            info.method,
            info.path,
            if moves_money(op) { "moves money" } else { "" },
            if info.callback {
                " (callback follows)"
            } else {
                ""
            },
        );
    }
    exit::SUCCESS
}
