-- The attempt log, keyed by its primary key alone. With a rowid, every attempt went
-- into two B-trees (the table and the index behind its primary key), and each commit
-- wrote the pages of both; without one, the rows live in the key's own tree.

CREATE TABLE delivery_attempts_by_key (
    delivery_seq  INTEGER NOT NULL REFERENCES deliveries (seq) ON DELETE CASCADE,
    number        INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    duration_ms   INTEGER NOT NULL,
    success       INTEGER NOT NULL,
    status_code   INTEGER,
    error         TEXT,
    response_body TEXT,
    PRIMARY KEY (delivery_seq, number)
) STRICT, WITHOUT ROWID;

INSERT INTO delivery_attempts_by_key
    SELECT delivery_seq, number, started_at, duration_ms, success, status_code, error,
           response_body
    FROM delivery_attempts;

DROP TABLE delivery_attempts;

ALTER TABLE delivery_attempts_by_key RENAME TO delivery_attempts;
