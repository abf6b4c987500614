package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// seenClaims batches the claims of request keys: the claims that arrive
// while one batch is written go together in the next, one INSERT for all
// of them (a group commit). Every Slack request claims its key before its
// handler runs and the ack waits for it, so one statement (and, on SQLite,
// one write transaction) per request had become the ack's floor: under 200
// concurrent requests the ack's throughput was a fifth of a bare handler's.
type seenClaims struct {
	mu      sync.Mutex
	pending []*seenClaim
	busy    bool // a flush goroutine runs
}

// seenClaim is one ClaimSeen waiting for its batch.
type seenClaim struct {
	key      string
	inserted bool // the key was new: the caller holds it
	err      error
	ready    chan struct{}
}

// seenBatchMax is the most keys one INSERT carries (3 parameters each).
const seenBatchMax = 500

// claimNew records key as seen now unless it is already: inserted reports
// that it was new. The call joins the batch being gathered; the first
// claimer of a burst starts the goroutine that writes the batches.
func (s *Store) claimNew(ctx context.Context, key string) (inserted bool, err error) {
	c := &seenClaim{key: key, ready: make(chan struct{})}
	s.seen.mu.Lock()
	s.seen.pending = append(s.seen.pending, c)
	start := !s.seen.busy
	s.seen.busy = true
	s.seen.mu.Unlock()
	if start {
		// The batches outlive this request's context: other requests wait
		// on them.
		go s.flushSeen(context.WithoutCancel(ctx))
	}
	select {
	case <-c.ready:
		return c.inserted, c.err
	case <-ctx.Done():
		// The claim may still be written: a key claimed and never run is
		// taken over after the ack deadline (ClaimSeen).
		return false, fmt.Errorf("claim request seen: %w", ctx.Err())
	}
}

// flushSeen writes the pending claims, batch after batch, until none is
// left.
func (s *Store) flushSeen(ctx context.Context) {
	for {
		s.seen.mu.Lock()
		n := min(len(s.seen.pending), seenBatchMax)
		if n == 0 {
			s.seen.busy = false
			s.seen.mu.Unlock()
			return
		}
		batch := slices.Clone(s.seen.pending[:n])
		s.seen.pending = slices.Delete(s.seen.pending, 0, n)
		s.seen.mu.Unlock()
		s.insertSeen(ctx, batch)
	}
}

// insertSeen writes one batch of claims and tells each claimer its
// outcome. A key twice in the batch is new to its first claimer only.
func (s *Store) insertSeen(ctx context.Context, batch []*seenClaim) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	now := s.now()
	keys := make([]string, 0, len(batch))
	first := make(map[string]*seenClaim, len(batch))
	for _, c := range batch {
		if _, dup := first[c.key]; !dup {
			first[c.key] = c
			keys = append(keys, c.key)
		}
	}
	values := strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(keys)), ", ")
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, k, now, false)
	}
	var inserted []string
	err := s.db.WithContext(ctx).Raw(`INSERT INTO slack_seen (key, seen_at, done) VALUES `+values+
		` ON CONFLICT (key) DO NOTHING RETURNING key`, args...).Scan(&inserted).Error
	if err != nil {
		err = fmt.Errorf("claim %d requests seen: %w", len(keys), err)
	}
	for _, k := range inserted {
		first[k].inserted = true
	}
	if err == nil && len(inserted) > 0 {
		s.pruneSeen(ctx, now, len(inserted))
	}
	for _, c := range batch {
		c.err = err
		close(c.ready)
	}
}

// pruneSeen forgets the keys older than SeenKeep after every 256 new ones.
func (s *Store) pruneSeen(ctx context.Context, now time.Time, added int) {
	total := s.seenPrune.Add(int64(added))
	if total/256 == (total-int64(added))/256 {
		return
	}
	if err := s.db.WithContext(ctx).Exec(`DELETE FROM slack_seen WHERE seen_at < ?`, now.Add(-SeenKeep)).Error; err != nil {
		s.log.WarnContext(ctx, "prune requests seen", "err", err)
	}
}
