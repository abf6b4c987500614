-- +goose Up
-- Removal tickets (kind 'removal', one per termination) carry the planned
-- removal date the termination gave: the removal visit is not booked
-- before it ('' when none).
ALTER TABLE tickets ADD COLUMN planned_date TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE tickets DROP COLUMN planned_date;
