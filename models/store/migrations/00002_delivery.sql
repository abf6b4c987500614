-- +goose Up
-- Notice delivery: a claimed notice carries a lease (until when, and the
-- token of the worker holding it) so that a worker that dies lets go of it,
-- and maybe_posted says that an earlier attempt may have reached Slack: the
-- next attempt looks for the notice's message metadata in the channel's
-- history before posting again.
ALTER TABLE notices ADD COLUMN lease_until {{.TS}};
ALTER TABLE notices ADD COLUMN lease_token TEXT NOT NULL DEFAULT '';
ALTER TABLE notices ADD COLUMN maybe_posted BOOLEAN NOT NULL DEFAULT FALSE;

-- The scheduler's questions: visits of a day to remind, and how many visits
-- each reception person has had (fair rotation).
CREATE INDEX visits_state_date ON visits (state, date);
CREATE INDEX visits_reception ON visits (reception_person_id, state);

-- +goose Down
DROP INDEX visits_reception;
DROP INDEX visits_state_date;
ALTER TABLE notices DROP COLUMN maybe_posted;
ALTER TABLE notices DROP COLUMN lease_token;
ALTER TABLE notices DROP COLUMN lease_until;
