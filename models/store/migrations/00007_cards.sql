-- +goose Up
-- The messages posted about connections (cards), to settle them in place
-- once a step they offer has passed.
CREATE TABLE cards (
    id            {{.ID}},
    connection_id BIGINT NOT NULL REFERENCES connections (id),
    notice_id     BIGINT NOT NULL REFERENCES notices (id),
    kind          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    ts            TEXT NOT NULL,
    audience      TEXT NOT NULL,
    buttons       TEXT NOT NULL DEFAULT '',
    posted_at     {{.TS}} NOT NULL,
    settled_at    {{.TS}},
    UNIQUE (channel, ts)
);
CREATE INDEX cards_connection ON cards (connection_id, id);

-- +goose Down
DROP TABLE cards;
