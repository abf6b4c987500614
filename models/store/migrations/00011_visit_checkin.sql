-- +goose Up
-- The visit day: each visit's verification code (on the entry letter; ''
-- for visits booked before it existed), when and by whom its visitors were
-- checked in at the desk, and when visit-no-shows marked it No Show. A code
-- names one visit: unique where set.
ALTER TABLE visits ADD COLUMN checkin_code TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN arrived_at {{.TS}};
ALTER TABLE visits ADD COLUMN arrived_by TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN no_show_at {{.TS}};
CREATE UNIQUE INDEX visits_checkin_code ON visits (checkin_code) WHERE checkin_code <> '';
-- (visit-no-shows finds booked visits by state and date: visits_state_date.)

-- +goose Down
DROP INDEX visits_checkin_code;
ALTER TABLE visits DROP COLUMN no_show_at;
ALTER TABLE visits DROP COLUMN arrived_by;
ALTER TABLE visits DROP COLUMN arrived_at;
ALTER TABLE visits DROP COLUMN checkin_code;
