-- +goose Up
-- Languages (issue 12): the language a person chose for what they see
-- alone (/leaseline language zh-CN|en) and the language staff set for a
-- channel's messages (/leaseline language #channel …, or link … zh-CN),
-- with who set it and when. And a provider's default language from the
-- catalog, for its channel when no one set one.
CREATE TABLE language_settings (
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('user', 'channel')),
    subject_id   TEXT NOT NULL,
    lang         TEXT NOT NULL,
    set_by       TEXT NOT NULL DEFAULT '',
    set_at       {{.TS}} NOT NULL,
    PRIMARY KEY (subject_kind, subject_id)
);
ALTER TABLE providers ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE providers DROP COLUMN language;
DROP TABLE language_settings;
