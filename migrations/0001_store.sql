-- Storage for owner-scoped webhooks and operator-issued API tokens.

-- Small key/value facts about this database. `cursor_key` signs list cursors; it is
-- generated here (not in code) so it survives restarts and stays private to the file.
CREATE TABLE store_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value BLOB NOT NULL
) STRICT;

INSERT INTO store_meta (key, value) VALUES ('cursor_key', randomblob(32));

CREATE TABLE webhooks (
    -- Insertion order: the keyset for newest-first pages (never shown to clients).
    seq                INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    owner              TEXT NOT NULL,
    url                TEXT NOT NULL,
    -- The caller's normalised form of `url`; duplicates are judged on this.
    url_key            TEXT NOT NULL,
    -- The events as given (JSON array) and as a bitmask for filtering and duplicate checks.
    events             TEXT NOT NULL,
    events_mask        INTEGER NOT NULL,
    active             INTEGER NOT NULL,
    streamplace_format INTEGER NOT NULL,
    prefix             TEXT,
    suffix             TEXT,
    rewrite            TEXT,  -- JSON array of {from, to}
    name               TEXT,
    description        TEXT,
    mute_words         TEXT,  -- JSON array of strings
    created_at         TEXT NOT NULL,
    updated_at         TEXT,
    last_triggered     TEXT,
    error_count        INTEGER NOT NULL DEFAULT 0
) STRICT;

-- The rowid (seq) is the implicit trailing key, so this serves owner-scoped keyset pages
-- in either direction, counts, and the delivery lookup.
CREATE INDEX webhooks_by_owner ON webhooks (owner);

-- DuplicateWebhook, enforced by the database: one owner may not have two webhooks with
-- the same normalised URL sharing any event. One partial unique index per event bit
-- (bit i = position i in the lexicon's event list); a new event needs a new index here.
CREATE UNIQUE INDEX webhooks_dup_chat        ON webhooks (owner, url_key) WHERE events_mask & 1;
CREATE UNIQUE INDEX webhooks_dup_livestream  ON webhooks (owner, url_key) WHERE events_mask & 2;
CREATE UNIQUE INDEX webhooks_dup_follow      ON webhooks (owner, url_key) WHERE events_mask & 4;
CREATE UNIQUE INDEX webhooks_dup_mention     ON webhooks (owner, url_key) WHERE events_mask & 8;
CREATE UNIQUE INDEX webhooks_dup_received    ON webhooks (owner, url_key) WHERE events_mask & 16;

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    -- The secret's first characters, safe to print, so an operator can recognise a token.
    prefix       TEXT NOT NULL,
    -- SHA-256 of the whole secret; the secret itself is never stored.
    secret_hash  BLOB NOT NULL UNIQUE,
    did          TEXT NOT NULL,
    producer     INTEGER NOT NULL,
    label        TEXT,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE INDEX api_tokens_by_prefix ON api_tokens (prefix);
