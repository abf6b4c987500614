-- +goose Up
-- A request's dedup key is claimed before its handler runs and marked done
-- once its ack is sent: a repeat of a claim that never got done (its replica
-- died before acking) may be taken over and run, a repeat of a done one is
-- dropped. Rows written before this migration, or by a replica not yet
-- upgraded (which never marks done), count as done: the old semantics.
ALTER TABLE slack_seen ADD COLUMN done BOOLEAN NOT NULL DEFAULT TRUE;

-- +goose Down
ALTER TABLE slack_seen DROP COLUMN done;
