-- +goose Up
-- Inventory: each access point's low-water mark (free ports of a type at or
-- below which staff are alerted) and, per access point and port type,
-- whether staff were alerted and the count has not risen above the mark
-- since (one alert per fall, across restarts and replicas).
ALTER TABLE access_points ADD COLUMN low_water INTEGER NOT NULL DEFAULT 2;
CREATE TABLE port_low_water (
    access_point_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
    port_type       TEXT NOT NULL,
    alerted         BOOLEAN NOT NULL DEFAULT FALSE,
    alerts          INTEGER NOT NULL DEFAULT 0,
    changed_at      {{.TS}} NOT NULL,
    PRIMARY KEY (access_point_id, port_type)
);

-- +goose Down
DROP TABLE port_low_water;
ALTER TABLE access_points DROP COLUMN low_water;
