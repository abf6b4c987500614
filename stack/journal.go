package stack

import (
	"context"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models/store"
)

// The journal's recovery loop: how often it looks for post-ack work a dead
// replica left undone, and how old (undone) an entry must be to be replayed
// — and leased for, so two replicas never replay it at once. Later work
// normally finishes within seconds; one slower than this may run twice,
// which the store's status/version guards make harmless.
const (
	JournalEvery      = 5 * time.Second
	JournalStaleAfter = 30 * time.Second
)

// Journal adapts the store's slack_journal to bot.Journal (the store does
// not import the transport).
type Journal struct{ s *store.Store }

func (j Journal) Record(ctx context.Context, kind, key string, payload []byte) (int64, bool, error) {
	return j.s.RecordJournal(ctx, kind, key, payload)
}

func (j Journal) Done(ctx context.Context, id int64) error { return j.s.DoneJournal(ctx, id) }

func (j Journal) Claim(ctx context.Context, olderThan time.Time, lease time.Duration, limit int) ([]bot.JournalEntry, error) {
	es, err := j.s.ClaimJournal(ctx, olderThan, lease, limit)
	if err != nil {
		return nil, err
	}
	out := make([]bot.JournalEntry, len(es))
	for i, e := range es {
		out[i] = bot.JournalEntry{ID: e.ID, Kind: e.Kind, Key: e.Key, Payload: []byte(e.Payload), ReceivedAt: e.ReceivedAt}
	}
	return out, nil
}
