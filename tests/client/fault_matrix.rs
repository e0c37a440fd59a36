//! The fault matrix: every money-moving operation of the crate (the saved-card charges, the
//! payout, the refund, and the five hosted-page creations) × every transport fault the sandbox
//! injects (dropped connection, truncated body, latency past the client's timeout, HTTP 5xx,
//! non-JSON 200). Each cell checks the documented error, `may_have_reached_epoint()`, and that
//! the sandbox received exactly one request: nothing that moves money is ever retried.
//! Table-driven; real sockets on loopback.

use std::time::Duration;

use epoint_az::{Client, Delivery, Error, OperationId};
use epoint_az_sandbox::{Fault, Outcome, Sandbox};
use rust_decimal_macros::dec;

/// The impatient client's timeout (used for the latency case only, so that a loaded CI
/// machine cannot time out the others); the latency fault waits longer than this.
const TIMEOUT: Duration = Duration::from_millis(400);
const LATENCY: Duration = Duration::from_millis(900);

#[derive(Clone, Copy, Debug)]
enum Op {
    PayWithSavedCard,
    Payout,
    Refund,
    SplitPayWithSavedCard,
    Pay,
    SaveCard,
    PayAndSaveCard,
    SplitPay,
    SplitPayAndSaveCard,
}

const OPS: [Op; 9] = [
    Op::PayWithSavedCard,
    Op::Payout,
    Op::Refund,
    Op::SplitPayWithSavedCard,
    Op::Pay,
    Op::SaveCard,
    Op::PayAndSaveCard,
    Op::SplitPay,
    Op::SplitPayAndSaveCard,
];

impl Op {
    fn id(self) -> OperationId {
        match self {
            Op::PayWithSavedCard => OperationId::ExecutePay,
            Op::Payout => OperationId::RefundRequest,
            Op::Refund => OperationId::Reverse,
            Op::SplitPayWithSavedCard => OperationId::SplitExecutePay,
            Op::Pay => OperationId::PaymentRequest,
            Op::SaveCard => OperationId::CardRegistration,
            Op::PayAndSaveCard => OperationId::CardRegistrationWithPay,
            Op::SplitPay => OperationId::SplitRequest,
            Op::SplitPayAndSaveCard => OperationId::SplitCardRegistrationWithPay,
        }
    }
}

/// What the operation needs first: a charge card, a payout card, a paid transaction.
struct Setup {
    charge_card: String,
    payout_card: String,
    paid: String,
}

async fn setup(sandbox: &Sandbox) -> Setup {
    let client = sandbox.client().expect("client");
    let charge_card = client.save_card().await.expect("save").card_id;
    let payout_card = client
        .save_card()
        .for_payouts(true)
        .await
        .expect("save")
        .card_id;
    let paid = client
        .pay(dec!(50.00), "setup")
        .await
        .expect("pay")
        .transaction;
    for id in [&charge_card, &payout_card, &paid] {
        sandbox.complete(id, Outcome::Paid).await.expect("complete");
    }
    Setup {
        charge_card,
        payout_card,
        paid,
    }
}

/// Sends the operation once; `Ok(())` on success, the error otherwise.
async fn send(client: &Client, op: Op, setup: &Setup) -> Result<(), Error> {
    let (amount, split) = (dec!(10.00), dec!(4.00));
    match op {
        Op::PayWithSavedCard => client
            .pay_with_saved_card(&setup.charge_card, amount, "fm")
            .await
            .map(drop),
        Op::Payout => client
            .payout(&setup.payout_card, amount, "fm")
            .await
            .map(drop),
        Op::Refund => client.refund(&setup.paid).amount(amount).await.map(drop),
        Op::SplitPayWithSavedCard => client
            .split_pay_with_saved_card(&setup.charge_card, amount, "fm", "i000000002", split)
            .await
            .map(drop),
        Op::Pay => client.pay(amount, "fm").await.map(drop),
        Op::SaveCard => client.save_card().await.map(drop),
        Op::PayAndSaveCard => client.pay_and_save_card(amount, "fm").await.map(drop),
        Op::SplitPay => client
            .split_pay(amount, "fm", "i000000002", split)
            .await
            .map(drop),
        Op::SplitPayAndSaveCard => client
            .split_pay_and_save_card(amount, "fm", "i000000002", split)
            .await
            .map(drop),
    }
}

/// A fault and the error it must become.
struct Case {
    name: &'static str,
    fault: fn() -> Fault,
    check: fn(&Error) -> bool,
}

fn maybe_sent_transport(e: &Error) -> bool {
    matches!(
        e,
        Error::Transport {
            delivery: Delivery::MaybeSent,
            ..
        }
    )
}

const CASES: [Case; 5] = [
    Case {
        name: "dropped connection",
        fault: || Fault::DropConnection,
        check: maybe_sent_transport,
    },
    Case {
        name: "truncated body",
        fault: || Fault::TruncatedBody,
        check: maybe_sent_transport,
    },
    Case {
        name: "latency past the timeout",
        fault: || Fault::Latency(LATENCY),
        check: |e| matches!(e, Error::Transport { delivery: Delivery::MaybeSent, source, .. } if source.is_timeout()),
    },
    Case {
        name: "HTTP 502",
        fault: || Fault::HttpStatus {
            status: 502,
            body: "<h1>502 Bad Gateway</h1>".into(),
        },
        check: |e| matches!(e, Error::Http { status: 502, body } if body.contains("Bad Gateway")),
    },
    Case {
        name: "non-JSON 200",
        fault: || Fault::NotJson("<html>maintenance</html>".into()),
        check: |e| matches!(e, Error::Decode { body, .. } if &body[..] == b"<html>maintenance</html>"),
    },
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_money_moving_operation_under_every_fault() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let setup = setup(&sandbox).await;
    let client = sandbox.client().expect("client");
    let impatient = Client::new(
        sandbox
            .config_for("i000000001")
            .expect("config")
            .timeout(TIMEOUT),
    )
    .expect("client");
    let mut failures = Vec::new();
    for op in OPS {
        // The operation works at all (and counts from here).
        let before = sandbox.request_count(op.id());
        send(&client, op, &setup)
            .await
            .unwrap_or_else(|e| panic!("{op:?} without a fault: {e:?}"));
        assert_eq!(sandbox.request_count(op.id()), before + 1);
        for case in &CASES {
            let before = sandbox.request_count(op.id());
            sandbox.inject_times(op.id(), (case.fault)(), Some(1));
            let latency = case.name.starts_with("latency");
            let result = send(if latency { &impatient } else { &client }, op, &setup).await;
            if latency {
                // The sandbox processes a delayed request after the client gave up: let it
                // finish (bounded) so that the count below is final.
                for _ in 0..40 {
                    if sandbox.request_count(op.id()) > before {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
            let received = sandbox.request_count(op.id()) - before;
            match result {
                Err(e) if (case.check)(&e) && e.may_have_reached_epoint() && received == 1 => {}
                other => failures.push(format!(
                    "{op:?} × {}: {other:?}, may_have_reached_epoint = {:?}, received {received}",
                    case.name,
                    other.as_ref().err().map(Error::may_have_reached_epoint),
                )),
            }
            sandbox.clear_faults();
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
