-- Queue indexes that hold only the rows the queue works on. 0002's indexes kept every
-- delivery ever made, keyed by its state, so each claim and each outcome moved two index
-- entries, on pages spread across webhooks, and every commit wrote those pages out.
-- Partial indexes hold only pending (and in-flight) deliveries: small, and finished
-- deliveries never touch them.

DROP INDEX deliveries_lane;
DROP INDEX deliveries_due;

-- A webhook's deliveries, newest first (its delivery log; deleting the webhook).
CREATE INDEX deliveries_by_webhook ON deliveries (webhook_id, seq);
-- A webhook's lane: its next pending delivery in event order, and when each is due.
CREATE INDEX deliveries_pending ON deliveries (webhook_id, seq, next_attempt_ms)
    WHERE state = 'pending';
-- Claims whose lease has lapsed.
CREATE INDEX deliveries_inflight ON deliveries (lease_until_ms) WHERE state = 'inflight';
