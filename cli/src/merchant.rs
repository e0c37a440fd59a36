//! The merchant's commands: hand-made ones for the daily jobs (status, pay, refund, payout, …)
//! and the table-driven `call` and `operations` ([`crate::call`]); how one call is previewed,
//! confirmed and sent is in [`crate::send`], what every command prints in [`crate::report`].
//!
//! Every command reads the keys from the environment (`Config::from_env`), prints either
//! aligned `key: value` lines or, with `--json`, one JSON object, and maps the outcome to an
//! exit code (see [`crate::exit`]). Money-moving commands print the request first and ask for
//! confirmation (`--yes` skips it; without a terminal and without `--yes` they refuse).

use std::io::IsTerminal;

use epoint_az::{Client, Money, OperationId, Resolution};
use serde_json::{Value, json};

use crate::{
    call::{call, operations},
    exit,
    report::{Report, failure, success},
    send::typed,
    target::{ENV_HELP, Opts, client},
};

/// The merchant's commands (flattened into the top-level command list).
#[derive(Debug, clap::Subcommand)]
pub(crate) enum MerchantCommand {
    /// [hand-made] The status of a transaction, or of your order's latest transaction
    /// (`/api/1/get-status`). Read-only.
    #[command(after_help = format!("Examples:\n  epoint status te000000001\n  epoint status --order-id order-1001\n  epoint status --order-id order-1001 --wait 120\n  epoint status te000000001 --json\n  epoint status te000000001 --base-url http://127.0.0.1:40215\n\n{ENV_HELP}"))]
    Status {
        /// The transaction id (`te…`).
        #[arg(required_unless_present = "order_id")]
        transaction: Option<String>,
        /// Look up by your order id instead (what resolves a payment whose answer was lost).
        #[arg(long, value_name = "ID", conflicts_with = "transaction")]
        order_id: Option<String>,
        /// With --order-id: settle an unknown outcome. Look the order up until EPoint knows it
        /// or SECONDS have passed (polling with backoff); only then is "not found" an answer
        /// (the payment never arrived, exit 3). Lookups that keep failing: exit 4.
        #[arg(long, value_name = "SECONDS", requires = "order_id", value_parser = clap::value_parser!(u64).range(1..=3600))]
        wait: Option<u64>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Look many orders up by order id (`/api/1/get-status`, read-only) and write
    /// CSV: `order_id,transaction,status,amount,code,message`, one row per order, in input
    /// order. `status` is EPoint's as it sent it, or `not_found`, or `lookup_failed` (no
    /// answer; `message` says why). Exit 0 when every order was looked up, 7 when some lookups
    /// failed or input lines were reported, 64 when the input is refused.
    #[command(after_help = format!("{}\n\n{ENV_HELP}", crate::reconcile::AFTER_HELP))]
    Reconcile {
        /// A file of order ids, or `-` for standard input.
        #[arg(default_value = "-", value_name = "FILE|-")]
        input: String,
        /// How many lookups run at once (gentle on EPoint by default).
        #[arg(long, default_value_t = epoint_az::reconcile::DEFAULT_CONCURRENCY as u16, value_parser = clap::value_parser!(u16).range(1..=64))]
        concurrency: u16,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Create a payment on EPoint's hosted page (`/api/1/request`) and print the
    /// redirect URL to send the customer to. Asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint pay 30.75 order-1001 --description \"2 coffees\"\n  epoint pay 30.75 order-1001 --yes --json\n  epoint pay 30.75 order-1001 --dry-run\n\n{ENV_HELP}"))]
    Pay {
        /// The amount in AZN, e.g. 30.75.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id.
        order_id: String,
        /// The description shown on the page.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Refund a payment (`/api/1/reverse`), in full or `--amount` of it. Moves
    /// money: asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint refund te000000001 --amount 10.00\n  epoint refund te000000001 --yes\n  epoint refund te000000001 --dry-run\n\n{ENV_HELP}"))]
    Refund {
        /// The transaction id of the payment (`te…`).
        transaction: String,
        /// Refund only this much (AZN); without it, the whole remaining amount.
        #[arg(long, allow_hyphen_values = true)]
        amount: Option<Money>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Pay out to a card saved for payouts (`/api/1/refund-request`). Moves money:
    /// asks for confirmation.
    #[command(after_help = format!("Examples:\n  epoint payout ce000000009 250.00 payout-77\n  epoint payout ce000000009 250.00 payout-77 --yes --json\n\n{ENV_HELP}"))]
    Payout {
        /// The saved card (`ce…`), registered with `save-card --for-payouts`.
        card_id: String,
        /// The amount in AZN.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id for this payout.
        order_id: String,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Charge a saved card (`/api/1/execute-pay`). Moves money: asks for
    /// confirmation.
    #[command(after_help = format!("Examples:\n  epoint pay-with-saved-card ce000000001 9.99 sub-2026-11\n  epoint pay-with-saved-card ce000000001 9.99 sub-2026-11 --yes\n\n{ENV_HELP}"))]
    PayWithSavedCard {
        /// The saved card (`ce…`).
        card_id: String,
        /// The amount in AZN.
        #[arg(allow_hyphen_values = true)]
        amount: Money,
        /// Your order id.
        order_id: String,
        #[command(flatten)]
        journal: crate::journal::JournalArg,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Save a card without charging it (`/api/1/card-registration`): prints the
    /// card id and the page to send the customer to.
    #[command(after_help = format!("Examples:\n  epoint save-card\n  epoint save-card --for-payouts --description \"Payout card\"\n\n{ENV_HELP}"))]
    SaveCard {
        /// Register the card for payouts (money to the card) instead of charges.
        #[arg(long)]
        for_payouts: bool,
        /// The description shown on the page.
        #[arg(long)]
        description: Option<String>,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] The state of a saved card (`/api/1/get-status-card`). Read-only.
    #[command(after_help = format!("Examples:\n  epoint card-status ce000000001\n  epoint card-status ce000000001 --json\n\n{ENV_HELP}"))]
    CardStatus {
        /// The saved card (`ce…`).
        card_id: String,
        #[command(flatten)]
        opts: Opts,
    },
    /// [hand-made] Is EPoint up? (`GET /api/heartbeat`, unsigned).
    #[command(
        after_help = "Examples:\n  epoint heartbeat\n  epoint heartbeat --base-url http://127.0.0.1:40215"
    )]
    Heartbeat {
        #[command(flatten)]
        opts: Opts,
    },
    /// [table-driven] Every operation of the spec: name, path, answer kind, whether it moves
    /// money (and so asks for confirmation under `call`).
    #[command(after_help = "Examples:\n  epoint operations\n  epoint operations --json")]
    Operations {
        /// One JSON object on stdout.
        #[arg(long)]
        json: bool,
    },
    /// [table-driven] Send any signed operation of the spec, its payload built from fields.
    ///
    /// OPERATION is any spelling of the operation: the operationId (`execute_pay`), the path
    /// (`/api/1/execute-pay` or `execute-pay`) or the method name (`pay_with_saved_card`); see
    /// `epoint operations`. `public_key` is added from EPOINT_PUBLIC_KEY. The payload is signed
    /// and POSTed to the operation's path as given (EPoint checks it, not this tool); the answer
    /// is printed. Operations that move money (charges, payouts, refunds, payments, pre-auth
    /// completion, B2B transfers) ask for confirmation.
    #[command(after_help = format!("Examples:\n  epoint call get-status -f transaction=te000000001\n  epoint call execute-pay -f card_id=ce000000001 -f amount=9.99 -f order_id=sub-1 -f currency=AZN -f language=az --yes\n  epoint call pay_with_wallet -f wallet_id=1 -f amount=5 -f order_id=w-1 -f currency=AZN -f language=az --dry-run\n  epoint call invoices-create -f sum=12.50 -f display:=true --json\n\nFields: `key=value` is a JSON string; `key:=json` is raw JSON (numbers, true/false, objects).\n\n{ENV_HELP}"))]
    Call {
        /// The operation (see `epoint operations`).
        operation: OperationId,
        /// A payload field: `key=value` (a string) or `key:=json` (raw JSON). Repeatable.
        #[arg(long = "field", short = 'f', value_name = "KEY=VALUE")]
        fields: Vec<String>,
        #[command(flatten)]
        opts: Opts,
    },
}

/// Runs one merchant command and returns its exit code.
pub(crate) async fn run(command: MerchantCommand) -> u8 {
    if let MerchantCommand::Operations { json } = command {
        return operations(json);
    }
    let opts = match &command {
        MerchantCommand::Status { opts, .. }
        | MerchantCommand::Reconcile { opts, .. }
        | MerchantCommand::Pay { opts, .. }
        | MerchantCommand::Refund { opts, .. }
        | MerchantCommand::Payout { opts, .. }
        | MerchantCommand::PayWithSavedCard { opts, .. }
        | MerchantCommand::SaveCard { opts, .. }
        | MerchantCommand::CardStatus { opts, .. }
        | MerchantCommand::Heartbeat { opts }
        | MerchantCommand::Call { opts, .. } => opts.clone(),
        MerchantCommand::Operations { .. } => return exit::SUCCESS,
    };
    let client = match client(&opts) {
        Ok(client) => client,
        Err(report) => return report.print(opts.json),
    };
    let base = client.config().get_base_url().to_owned();
    // `--journal` / EPOINT_JOURNAL: opened (and checked) before anything is sent.
    let journal = match &command {
        MerchantCommand::Pay { journal, .. }
        | MerchantCommand::Payout { journal, .. }
        | MerchantCommand::PayWithSavedCard { journal, .. } => journal.url(),
        _ => None,
    };
    let journal = match journal {
        Some(url) => match crate::journal::open(&url).await {
            Ok(journal) => Some(journal),
            Err((code, message)) => {
                let mut report = Report::usage(message);
                report.exit = code;
                if let Value::Object(map) = &mut report.value {
                    map.insert("exit_code".into(), code.into());
                }
                return report.print(opts.json);
            }
        },
        None => None,
    };
    let report = match command {
        MerchantCommand::Status {
            order_id: Some(order_id),
            wait: Some(seconds),
            ..
        } => settle(&client, &order_id, seconds, &opts, &base).await,
        MerchantCommand::Status {
            transaction,
            order_id,
            ..
        } => {
            let call = match (transaction, order_id) {
                (_, Some(order_id)) => client.get_order_status(order_id),
                (Some(transaction), None) => client.get_transaction_status(transaction),
                (None, None) => return exit::USAGE, // clap requires one of them
            };
            let mut report = typed(call, &opts, false, &base, None).await;
            report.note_what_status_does_not_tell();
            report
        }
        MerchantCommand::Reconcile {
            input, concurrency, ..
        } => {
            return crate::reconcile::run(&client, &input, usize::from(concurrency), opts.json)
                .await;
        }
        MerchantCommand::Pay {
            amount,
            order_id,
            description,
            ..
        } => {
            let mut call = client.pay(amount.amount(), order_id);
            if let Some(description) = description {
                call = call.description(description);
            }
            typed(call, &opts, true, &base, journal.as_ref()).await
        }
        MerchantCommand::Refund {
            transaction,
            amount,
            ..
        } => {
            let mut call = client.refund(transaction);
            if let Some(amount) = amount {
                call = call.amount(amount.amount());
            }
            typed(call, &opts, true, &base, None).await
        }
        MerchantCommand::Payout {
            card_id,
            amount,
            order_id,
            ..
        } => {
            typed(
                client.payout(card_id, amount.amount(), order_id),
                &opts,
                true,
                &base,
                journal.as_ref(),
            )
            .await
        }
        MerchantCommand::PayWithSavedCard {
            card_id,
            amount,
            order_id,
            ..
        } => {
            typed(
                client.pay_with_saved_card(card_id, amount.amount(), order_id),
                &opts,
                true,
                &base,
                journal.as_ref(),
            )
            .await
        }
        MerchantCommand::SaveCard {
            for_payouts,
            description,
            ..
        } => {
            let mut call = client.save_card().for_payouts(for_payouts);
            if let Some(description) = description {
                call = call.description(description);
            }
            typed(call, &opts, false, &base, None).await
        }
        MerchantCommand::CardStatus { card_id, .. } => {
            typed(client.get_card_status(card_id), &opts, false, &base, None).await
        }
        MerchantCommand::Heartbeat { .. } => heartbeat(&client, &opts).await,
        MerchantCommand::Call {
            operation, fields, ..
        } => call(&client, operation, &fields, &opts).await,
        MerchantCommand::Operations { .. } => return exit::SUCCESS,
    };
    report.print(opts.json)
}

/// `epoint status --order-id ID --wait SECONDS`: the library's settle-window resolution.
async fn settle(
    client: &Client,
    order_id: &str,
    seconds: u64,
    opts: &Opts,
    base_url: &str,
) -> Report {
    let op = OperationId::GetStatus;
    let resolve = client
        .resolve_order(order_id)
        .settle_window(std::time::Duration::from_secs(seconds));
    if opts.dry_run {
        // The lookup it would repeat, unsent.
        return typed(
            client.get_order_status(order_id),
            opts,
            false,
            base_url,
            None,
        )
        .await;
    }
    if std::io::stderr().is_terminal() {
        eprintln!(
            "epoint: looking order {order_id} up until EPoint knows it, for up to {seconds} s…"
        );
    }
    match resolve.await {
        Ok(Resolution::Found(state)) => {
            let mut report = success(op, &*state);
            report.note_what_status_does_not_tell();
            report
        }
        Ok(Resolution::NeverArrived { message, lookups }) => {
            let text = format!(
                "order {order_id} is not known to EPoint after waiting {seconds} s ({lookups} lookups, last answer: {message:?}): the request never arrived, so paying again cannot charge twice"
            );
            Report {
                exit: exit::REJECTED,
                value: json!({"ok": false, "outcome": "never_arrived", "operation": op.name(),
                              "order_id": order_id, "lookups": lookups, "exit_code": exit::REJECTED,
                              "message": message, "error": text}),
                lines: vec![
                    ("outcome".into(), "never arrived".into()),
                    ("order_id".into(), order_id.to_owned()),
                    ("lookups".into(), lookups.to_string()),
                ],
                error: Some(text),
            }
        }
        Ok(Resolution::StillUnknown { error, lookups }) => {
            let text = format!(
                "order {order_id} is still unknown after {seconds} s: every lookup failed ({lookups}, the last: {error}); do not pay again, look again later"
            );
            Report {
                exit: exit::UNKNOWN,
                value: json!({"ok": false, "outcome": "unknown", "operation": op.name(),
                              "order_id": order_id, "lookups": lookups, "exit_code": exit::UNKNOWN,
                              "error": text}),
                lines: vec![
                    ("outcome".into(), "still unknown".into()),
                    ("order_id".into(), order_id.to_owned()),
                ],
                error: Some(text),
            }
        }
        Ok(other) => Report {
            exit: exit::FAILURE,
            value: json!({"ok": false, "outcome": "unrecognised", "exit_code": exit::FAILURE}),
            lines: Vec::new(),
            error: Some(format!("unrecognised resolution: {other:?}")),
        },
        Err(e) => failure(op, &e, base_url),
    }
}

async fn heartbeat(client: &Client, opts: &Opts) -> Report {
    let op = OperationId::Heartbeat;
    if opts.dry_run {
        let url = format!(
            "{}{}",
            client.config().get_base_url().trim_end_matches('/'),
            op.path()
        );
        return Report {
            exit: exit::SUCCESS,
            value: json!({"ok": true, "outcome": "dry_run", "operation": op.name(), "method": "GET", "url": url}),
            lines: vec![
                ("outcome".into(), "dry run, nothing sent".into()),
                ("method".into(), "GET".into()),
                ("url".into(), url),
            ],
            error: None,
        };
    }
    match client.heartbeat().await {
        Ok(answer) => success(op, &answer),
        Err(e) => failure(op, &e, client.config().get_base_url()),
    }
}
