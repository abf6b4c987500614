-- +goose Up
-- The catalog's versions (every import: content hash, source, who, when),
-- each region's calendar horizon, and the operator alerts already sent
-- (a calendar running out is announced once per threshold).
ALTER TABLE regions ADD COLUMN known_until TEXT NOT NULL DEFAULT '';
CREATE TABLE catalog_versions (
    id          {{.ID}},
    hash        TEXT NOT NULL,
    source      TEXT NOT NULL,
    file        TEXT NOT NULL DEFAULT '',
    imported_by TEXT NOT NULL DEFAULT '',
    imported_at {{.TS}} NOT NULL,
    example     BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE TABLE operator_alerts (
    key     TEXT PRIMARY KEY,
    sent_at {{.TS}} NOT NULL
);

-- +goose Down
DROP TABLE operator_alerts;
DROP TABLE catalog_versions;
ALTER TABLE regions DROP COLUMN known_until;
