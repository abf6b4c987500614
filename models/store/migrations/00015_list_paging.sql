-- +goose Up
-- Paging (issue 13, growth): a customer's list and App Home read one page
-- of an account's connections newest first from a cursor (account_id, id);
-- the staff queue reads its two kinds of waiting connections (Applying;
-- Connecting with a construction ticket submitted) oldest change first.
-- Without these, PostgreSQL walked the primary key backwards through every
-- tenant's rows, and sorted every Connecting connection.
CREATE INDEX connections_account_id ON connections (account_id, id);
CREATE INDEX connections_status_step ON connections (status, step, updated_at);

-- +goose Down
DROP INDEX connections_status_step;
DROP INDEX connections_account_id;
