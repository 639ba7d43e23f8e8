-- Delivery: events, the transactional outbox of deliveries, attempts, signing secrets,
-- and the webhook state automatic disabling needs.

-- Why a webhook was switched off by placehook (NULL while active or switched off by
-- its owner), and when. `failing_since` is the first failure of the current run of
-- consecutive failures: "N failures over at least T" is judged on it.
ALTER TABLE webhooks ADD COLUMN disabled_reason TEXT;
ALTER TABLE webhooks ADD COLUMN disabled_at TEXT;
ALTER TABLE webhooks ADD COLUMN failing_since TEXT;

CREATE TABLE events (
    seq        INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    type       TEXT NOT NULL,
    subject    TEXT NOT NULL,
    author     TEXT,
    uri        TEXT,
    record     TEXT,              -- JSON
    -- Idempotency: `key:<producer>:<key>` or `uri:<type>:<uri>`; a repeat inserts nothing.
    dedupe_key TEXT UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE deliveries (
    seq             INTEGER PRIMARY KEY,
    -- The Standard Webhooks `webhook-id`: the same on every attempt and on redelivery.
    id              TEXT NOT NULL UNIQUE,
    event_seq       INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
    webhook_id      TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    -- pending | inflight | succeeded | failed | muted | skipped
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- Unix milliseconds: when a pending delivery may next be tried / when a claim lapses.
    next_attempt_ms INTEGER NOT NULL,
    lease_until_ms  INTEGER,
    -- Test sends go out even to an inactive webhook.
    force           INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    completed_at    TEXT
) STRICT;

-- A webhook's lane: its next due delivery, in event order.
CREATE INDEX deliveries_lane ON deliveries (webhook_id, state, seq);
-- The scheduler: which webhooks have due work, and queue depth.
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_ms);
CREATE INDEX deliveries_by_event ON deliveries (event_seq);

CREATE TABLE delivery_attempts (
    delivery_seq  INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    success       INTEGER NOT NULL,
    status_code   INTEGER,
    error         TEXT,
    response_body TEXT,
    PRIMARY KEY (delivery_seq, number)
) STRICT;

-- Signing secrets: the newest signs; older ones keep signing until `expires_at`.
CREATE TABLE webhook_secrets (
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT
) STRICT;

CREATE INDEX webhook_secrets_by_webhook ON webhook_secrets (webhook_id);
