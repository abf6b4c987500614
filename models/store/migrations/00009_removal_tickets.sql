-- +goose Up
-- Removal tickets (kind 'removal', one per termination) carry the planned
-- removal date the termination gave: the removal visit is not booked
-- before it ('' when none).
ALTER TABLE tickets ADD COLUMN planned_date TEXT NOT NULL DEFAULT '';
-- Change Bandwidth: the bandwidth a customer asked for, awaiting staff's
-- review (0: none), and the catalog's price of one Mbps more (or less).
ALTER TABLE connections ADD COLUMN requested_mbps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE port_offers ADD COLUMN mbps_price_cents BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE port_offers DROP COLUMN mbps_price_cents;
ALTER TABLE connections DROP COLUMN requested_mbps;
ALTER TABLE tickets DROP COLUMN planned_date;
