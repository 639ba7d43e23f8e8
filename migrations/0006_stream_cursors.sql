-- Where each named event stream is: for the repo firehose, the `seq` of the last frame
-- processed, keyed by the URL it was read from (a relay's seq means nothing to a PDS or
-- to another relay). Written in the same transaction as the events that frame produced.
-- The Jetstream cursor keeps its own table (0003).
CREATE TABLE stream_cursors (
    source   TEXT PRIMARY KEY,
    position INTEGER NOT NULL
) STRICT;
