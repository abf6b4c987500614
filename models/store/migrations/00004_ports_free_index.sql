-- +goose Up
-- Payment looks for the first free port of a type at an access point; as an
-- access point fills up, the plain index walks past every allocated port
-- (8–10 ms with 9,000 allocated on PostgreSQL). A partial index holds only the
-- free ones (0.07 ms). Both databases support partial indexes.
CREATE INDEX ports_allocatable ON ports (access_point_id, port_type, id) WHERE state = 'free';

-- +goose Down
DROP INDEX ports_allocatable;
