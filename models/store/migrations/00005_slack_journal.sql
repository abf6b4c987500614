-- +goose Up
-- The journal of Slack requests whose slow work runs after the ack: a
-- request of a durable route is recorded before the ack (key is its dedup
-- key, so a retry reaching another replica finds it), marked done when its
-- work finished, and replayed by the recovery loop if a process died in
-- between. A claim leases the entry (lease_until) so that two replicas never
-- replay it at once.
CREATE TABLE slack_journal (
    id          {{.ID}},
    key         TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'pending',
    received_at {{.TS}} NOT NULL,
    lease_until {{.TS}},
    done_at     {{.TS}}
);
CREATE INDEX slack_journal_pending ON slack_journal (state, received_at);

-- +goose Down
DROP INDEX slack_journal_pending;
DROP TABLE slack_journal;
