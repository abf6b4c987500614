-- +goose Up
-- Calendars people subscribe to: a link names a provider or an access point
-- (kind 'provider' or 'access-point', subject_id its ID); its token is a
-- long random secret shown once, stored only as its SHA-256 (hex). A
-- revoked link serves nothing.
CREATE TABLE calendar_links (
    id         {{.ID}},
    kind       TEXT NOT NULL CHECK (kind IN ('provider', 'access-point')),
    subject_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at {{.TS}} NOT NULL,
    revoked_at {{.TS}}
);
CREATE INDEX calendar_links_subject ON calendar_links (kind, subject_id);
-- A visit's SEQUENCE in the feeds (RFC 5545): raised on every reschedule
-- or cancellation, so subscribed calendars take the change.
ALTER TABLE visits ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE visits DROP COLUMN sequence;
DROP TABLE calendar_links;
