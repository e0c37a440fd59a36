-- Schema version 1 (SQLite). Times are Unix milliseconds (UTC); amounts are decimal text.

-- One row per money-moving call: written before the call is sent, completed after it.
CREATE TABLE epoint_intents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id       TEXT    NOT NULL,
    operation      TEXT    NOT NULL,
    amount         TEXT,
    currency       TEXT,
    state          TEXT    NOT NULL CHECK (state IN ('pending', 'done', 'unknown', 'failed')),
    transaction_id TEXT,
    status         TEXT,
    error          TEXT,
    created_at     BIGINT  NOT NULL,
    sent_at        BIGINT,
    updated_at     BIGINT  NOT NULL
);
-- At most one intent per order that is in flight, unknown or done: the store refuses a second.
CREATE UNIQUE INDEX epoint_intents_one_live_per_order ON epoint_intents (order_id) WHERE state <> 'failed';
CREATE INDEX epoint_intents_state ON epoint_intents (state, updated_at);

-- Every verified callback, once, keyed by its idempotency key.
CREATE TABLE epoint_callbacks (
    idempotency_key TEXT    PRIMARY KEY,
    subject         TEXT    NOT NULL,
    transaction_id  TEXT,
    status          TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    applied         BIGINT  NOT NULL,
    received_at     BIGINT  NOT NULL,
    processed_at    BIGINT
);
CREATE INDEX epoint_callbacks_subject ON epoint_callbacks (subject);
CREATE INDEX epoint_callbacks_received ON epoint_callbacks (received_at);

-- Each order's status as the callbacks moved it (forward only).
CREATE TABLE epoint_orders (
    subject        TEXT    PRIMARY KEY,
    status         TEXT    NOT NULL,
    status_rank    BIGINT  NOT NULL,
    transaction_id TEXT,
    updated_at     BIGINT  NOT NULL
);
