-- +goose Up
-- One schema for both databases: the ID and TS placeholders are filled in
-- per dialect by store.migrationsFS.
CREATE TABLE regions (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL,
    weekend   TEXT NOT NULL DEFAULT 'Sat,Sun'
);

CREATE TABLE calendar_days (
    region_id       TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    date            TEXT NOT NULL,
    access_point_id TEXT NOT NULL DEFAULT '',
    kind            TEXT NOT NULL,
    name            TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (region_id, date, access_point_id)
);

CREATE TABLE providers (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    slack_channel TEXT NOT NULL DEFAULT '',
    contacts      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX providers_slack_channel ON providers (slack_channel);

CREATE TABLE access_points (
    id                   TEXT PRIMARY KEY,
    region_id            TEXT NOT NULL REFERENCES regions (id),
    name                 TEXT NOT NULL,
    location             TEXT NOT NULL DEFAULT '',
    idc_name             TEXT NOT NULL DEFAULT '',
    idc_address          TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL,
    daily_visit_capacity INTEGER NOT NULL DEFAULT 1,
    visit_window         TEXT NOT NULL DEFAULT '09:30-12:00'
);
CREATE INDEX access_points_region ON access_points (region_id);

CREATE TABLE access_point_providers (
    access_point_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
    provider_id     TEXT NOT NULL REFERENCES providers (id),
    PRIMARY KEY (access_point_id, provider_id)
);

CREATE TABLE port_offers (
    access_point_id TEXT NOT NULL REFERENCES access_points (id) ON DELETE CASCADE,
    port_type       TEXT NOT NULL,
    min_mbps        INTEGER NOT NULL,
    max_mbps        INTEGER NOT NULL,
    price_cents     BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    PRIMARY KEY (access_point_id, port_type)
);

CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    access_point_id TEXT NOT NULL REFERENCES access_points (id),
    name            TEXT NOT NULL DEFAULT ''
);

CREATE TABLE reception_people (
    id              {{.ID}},
    access_point_id TEXT NOT NULL REFERENCES access_points (id),
    name            TEXT NOT NULL,
    phone           TEXT NOT NULL DEFAULT '',
    slack_user_id   TEXT NOT NULL DEFAULT '',
    weekdays        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reception_people_ap ON reception_people (access_point_id);

CREATE TABLE accounts (
    id            {{.ID}},
    name          TEXT NOT NULL UNIQUE,
    slack_team_id TEXT NOT NULL DEFAULT '',
    currency      TEXT NOT NULL DEFAULT 'CNY',
    created_at    {{.TS}} NOT NULL
);
CREATE INDEX accounts_team ON accounts (slack_team_id);

CREATE TABLE account_channels (
    channel_id TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    panel_ts   TEXT NOT NULL DEFAULT '',
    linked_by  TEXT NOT NULL DEFAULT '',
    linked_at  {{.TS}} NOT NULL
);
CREATE INDEX account_channels_account ON account_channels (account_id);

CREATE TABLE account_users (
    slack_user_id TEXT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id)
);
CREATE INDEX account_users_account ON account_users (account_id);

CREATE TABLE connections (
    id                     {{.ID}},
    account_id             BIGINT NOT NULL REFERENCES accounts (id),
    name                   TEXT NOT NULL,
    access_point_id        TEXT NOT NULL REFERENCES access_points (id),
    provider_id            TEXT NOT NULL REFERENCES providers (id),
    port_type              TEXT NOT NULL,
    bandwidth_mbps         INTEGER NOT NULL,
    location               TEXT NOT NULL,
    redundant_id           BIGINT REFERENCES connections (id),
    status                 TEXT NOT NULL,
    step                   TEXT NOT NULL DEFAULT '',
    physical_connection_id TEXT UNIQUE,
    device_id              TEXT NOT NULL DEFAULT '',
    port_id                BIGINT,
    port_name              TEXT NOT NULL DEFAULT '',
    amount_cents           BIGINT NOT NULL DEFAULT 0,
    currency               TEXT NOT NULL DEFAULT '',
    line_code              TEXT NOT NULL DEFAULT '',
    line_label             TEXT NOT NULL DEFAULT '',
    applied_by             TEXT NOT NULL DEFAULT '',
    applied_channel        TEXT NOT NULL DEFAULT '',
    review_channel         TEXT NOT NULL DEFAULT '',
    review_ts              TEXT NOT NULL DEFAULT '',
    reason                 TEXT NOT NULL DEFAULT '',
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             {{.TS}} NOT NULL,
    updated_at             {{.TS}} NOT NULL
);
CREATE INDEX connections_account_status ON connections (account_id, status);
CREATE INDEX connections_status ON connections (status, updated_at);
CREATE INDEX connections_provider ON connections (provider_id, status);
CREATE INDEX connections_redundant ON connections (redundant_id);

CREATE TABLE ports (
    id              {{.ID}},
    device_id       TEXT NOT NULL REFERENCES devices (id),
    name            TEXT NOT NULL,
    access_point_id TEXT NOT NULL REFERENCES access_points (id),
    port_type       TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'free',
    connection_id   BIGINT UNIQUE REFERENCES connections (id),
    UNIQUE (device_id, name)
);
CREATE INDEX ports_free ON ports (access_point_id, port_type, state);

CREATE TABLE ledger_entries (
    id            {{.ID}},
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    amount_cents  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    reason        TEXT NOT NULL,
    connection_id BIGINT REFERENCES connections (id),
    actor         TEXT NOT NULL,
    created_at    {{.TS}} NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id);

CREATE TABLE surveys (
    id                   {{.ID}},
    connection_id        BIGINT NOT NULL UNIQUE REFERENCES connections (id),
    construction_company TEXT NOT NULL,
    line_type            TEXT NOT NULL,
    planned_arrival      {{.TS}} NOT NULL,
    submitted_by         TEXT NOT NULL,
    created_at           {{.TS}} NOT NULL
);

CREATE TABLE engineers (
    id        {{.ID}},
    survey_id BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    phone     TEXT NOT NULL,
    id_type   TEXT NOT NULL,
    id_number TEXT NOT NULL
);
CREATE INDEX engineers_survey ON engineers (survey_id);

CREATE TABLE tickets (
    id              {{.ID}},
    kind            TEXT NOT NULL,
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    connection_id   BIGINT REFERENCES connections (id),
    access_point_id TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL DEFAULT '',
    state           TEXT NOT NULL,
    submitted_by    TEXT NOT NULL,
    reply_channel   TEXT NOT NULL DEFAULT '',
    answer          TEXT NOT NULL DEFAULT '',
    answered_by     TEXT NOT NULL DEFAULT '',
    staff_channel   TEXT NOT NULL DEFAULT '',
    staff_ts        TEXT NOT NULL DEFAULT '',
    created_at      {{.TS}} NOT NULL,
    updated_at      {{.TS}} NOT NULL
);
CREATE INDEX tickets_kind_state ON tickets (kind, state, created_at);
-- One open construction ticket per connection.
CREATE UNIQUE INDEX tickets_construction_connection ON tickets (connection_id) WHERE kind = 'construction';

CREATE TABLE visits (
    id                  {{.ID}},
    ticket_id           BIGINT NOT NULL UNIQUE REFERENCES tickets (id),
    connection_id       BIGINT NOT NULL REFERENCES connections (id),
    access_point_id     TEXT NOT NULL REFERENCES access_points (id),
    date                TEXT NOT NULL,
    time_window         TEXT NOT NULL,
    reception_person_id BIGINT NOT NULL REFERENCES reception_people (id),
    state               TEXT NOT NULL,
    reminded_at         {{.TS}},
    created_at          {{.TS}} NOT NULL,
    updated_at          {{.TS}} NOT NULL
);
CREATE INDEX visits_ap_date ON visits (access_point_id, date, state);

CREATE TABLE audit_events (
    id            {{.ID}},
    connection_id BIGINT REFERENCES connections (id),
    account_id    BIGINT,
    actor         TEXT NOT NULL,
    role          TEXT NOT NULL,
    action        TEXT NOT NULL,
    from_status   TEXT NOT NULL DEFAULT '',
    to_status     TEXT NOT NULL DEFAULT '',
    step          TEXT NOT NULL DEFAULT '',
    detail        TEXT NOT NULL DEFAULT '',
    at            {{.TS}} NOT NULL
);
CREATE INDEX audit_events_connection ON audit_events (connection_id, id);

CREATE TABLE notices (
    id              {{.ID}},
    key             TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    thread_ts       TEXT NOT NULL DEFAULT '',
    connection_id   BIGINT REFERENCES connections (id),
    data            TEXT NOT NULL DEFAULT '{}',
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{.TS}} NOT NULL,
    last_error      TEXT NOT NULL DEFAULT '',
    sent_ts         TEXT NOT NULL DEFAULT '',
    created_at      {{.TS}} NOT NULL,
    sent_at         {{.TS}}
);
CREATE INDEX notices_due ON notices (state, next_attempt_at);

-- +goose Down
DROP TABLE notices;
DROP TABLE audit_events;
DROP TABLE visits;
DROP TABLE tickets;
DROP TABLE engineers;
DROP TABLE surveys;
DROP TABLE ledger_entries;
DROP TABLE ports;
DROP TABLE connections;
DROP TABLE account_users;
DROP TABLE account_channels;
DROP TABLE accounts;
DROP TABLE reception_people;
DROP TABLE devices;
DROP TABLE port_offers;
DROP TABLE access_point_providers;
DROP TABLE access_points;
DROP TABLE providers;
DROP TABLE calendar_days;
DROP TABLE regions;
