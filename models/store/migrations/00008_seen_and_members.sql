-- +goose Up
-- Requests already seen (the dedup key of every signed Slack request, kept
-- past the signature window), shared by every replica: an exact replay
-- does nothing twice. And who is in each linked customer channel, as Slack
-- last said (conversations.members, then member_joined_channel and
-- member_left_channel): a member of a linked channel is a user of its
-- account in App Home and in DMs too.
CREATE TABLE slack_seen (
    key     TEXT PRIMARY KEY,
    seen_at {{.TS}} NOT NULL
);
CREATE INDEX slack_seen_at ON slack_seen (seen_at);
CREATE TABLE channel_members (
    channel_id TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX channel_members_user ON channel_members (user_id);
ALTER TABLE account_channels ADD COLUMN members_at {{.TS}};

-- +goose Down
ALTER TABLE account_channels DROP COLUMN members_at;
DROP INDEX channel_members_user;
DROP TABLE channel_members;
DROP INDEX slack_seen_at;
DROP TABLE slack_seen;
