-- Where the Jetstream consumer is: the `time_us` of the last event it processed. Written
-- in the same transaction as the events that event produced, so a restart never skips
-- an accepted event's cursor nor re-counts one.
CREATE TABLE jetstream_cursor (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    time_us INTEGER NOT NULL
) STRICT;
