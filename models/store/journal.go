package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The Slack journal: requests of durable routes recorded before the ack so
// that their post-ack work survives a crash (bot.Journal; cmd adapts the
// types). States of an entry.
const (
	JournalPending = "pending"
	JournalDone    = "done"
)

// JournalKeep is how long done entries are kept (their keys still
// deduplicate Slack retries); older ones are pruned by ClaimJournal.
const JournalKeep = 24 * time.Hour

// JournalEntry is a row of slack_journal.
type JournalEntry struct {
	ID         int64
	Key        string
	Kind       string
	Payload    string
	State      string
	ReceivedAt time.Time
	LeaseUntil *time.Time
	DoneAt     *time.Time
}

// TableName maps JournalEntry to slack_journal.
func (JournalEntry) TableName() string { return "slack_journal" }

// RecordJournal records a request under its dedup key. fresh is false when
// the key is already recorded (a Slack retry, or the same request handled by
// another replica); id is then the existing entry's.
func (s *Store) RecordJournal(ctx context.Context, kind, key string, payload []byte) (id int64, fresh bool, err error) {
	e := JournalEntry{Key: key, Kind: kind, Payload: string(payload), State: JournalPending, ReceivedAt: s.now()}
	res := s.db.WithContext(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "key"}}, DoNothing: true}).Create(&e)
	if res.Error != nil {
		return 0, false, fmt.Errorf("record journal entry: %w", res.Error)
	}
	if res.RowsAffected == 1 && e.ID != 0 {
		return e.ID, true, nil
	}
	var old JournalEntry
	if err := s.db.WithContext(ctx).Select("id").Where("key = ?", key).Take(&old).Error; err != nil {
		return 0, false, fmt.Errorf("look up journal entry: %w", translate(err))
	}
	return old.ID, false, nil
}

// DoneJournal marks an entry done: it is never replayed.
func (s *Store) DoneJournal(ctx context.Context, id int64) error {
	now := s.now()
	err := s.db.WithContext(ctx).Model(&JournalEntry{}).Where("id = ?", id).
		Updates(map[string]any{"state": JournalDone, "done_at": now, "lease_until": nil}).Error
	if err != nil {
		return fmt.Errorf("mark journal entry %d done: %w", id, err)
	}
	return nil
}

// ClaimJournal leases, for lease, up to limit pending entries received
// before olderThan whose lease (if any) has run out, oldest first, and
// returns them. On PostgreSQL the rows are locked with SKIP LOCKED; SQLite's
// immediate transaction holds the write lock: two claimers never get the
// same entry. It also prunes done entries older than JournalKeep.
func (s *Store) ClaimJournal(ctx context.Context, olderThan time.Time, lease time.Duration, limit int) ([]JournalEntry, error) {
	now := s.now()
	var out []JournalEntry
	err := s.tx(ctx, func(tx *gorm.DB) error {
		q := tx.Where("state = ? AND received_at < ? AND (lease_until IS NULL OR lease_until < ?)", JournalPending, olderThan.UTC(), now).
			Order("id").Limit(limit)
		if s.dialect == "postgres" {
			q = q.Clauses(skipLocked())
		}
		if err := q.Find(&out).Error; err != nil {
			return fmt.Errorf("claim journal entries: %w", err)
		}
		if len(out) == 0 {
			return nil
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
		}
		until := now.Add(lease)
		if err := tx.Model(&JournalEntry{}).Where("id IN ?", ids).Update("lease_until", until).Error; err != nil {
			return fmt.Errorf("lease journal entries: %w", err)
		}
		for i := range out {
			out[i].LeaseUntil = &until
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.db.WithContext(ctx).Where("state = ? AND done_at < ?", JournalDone, now.Add(-JournalKeep)).
		Delete(&JournalEntry{}).Error; err != nil {
		s.log.WarnContext(ctx, "prune the slack journal", "err", err)
	}
	return out, nil
}
