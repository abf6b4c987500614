package bot

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"
)

// Dedup: Slack retries a request it did not see acknowledged in time, and
// anyone holding a signed request can replay it within the signature
// window; a repeat of a request already seen is acknowledged without
// running it again.

// Deduper remembers which Slack requests were already seen, so a retry or
// an exact replay of one is acknowledged without running it again. FirstSeen records key and reports
// whether it was new. A database-backed Deduper lets several replicas share
// the set.
type Deduper interface {
	FirstSeen(ctx context.Context, key string) (bool, error)
}

// dedupKey returns the key identifying req across Slack retries: the event_id
// for events, else the SHA-256 of the raw body.
func dedupKey(req Request, body []byte) string {
	if req.Event != nil {
		if id := eventID(req.Event); id != "" {
			return "event:" + id
		}
	}
	if len(body) == 0 {
		return ""
	}
	sum := sha256.Sum256(body)
	return "body:" + hex.EncodeToString(sum[:])
}

// MemoryDeduper is an in-process Deduper: a seen-set bounded in size, whose
// keys expire after a TTL. It suits a single replica.
type MemoryDeduper struct {
	ttl time.Duration
	max int
	now func() time.Time

	mu    sync.Mutex
	seen  map[string]*list.Element
	order *list.List // of seenEntry, oldest first
}

type seenEntry struct {
	key     string
	expires time.Time
}

// NewMemoryDeduper returns a MemoryDeduper keeping keys for ttl (0 means
// DefaultDedupTTL), at most maxKeys of them (0 means DefaultDedupMax; the
// oldest go first), with clock now (nil means time.Now).
func NewMemoryDeduper(ttl time.Duration, maxKeys int, now func() time.Time) *MemoryDeduper {
	if ttl <= 0 {
		ttl = DefaultDedupTTL
	}
	if maxKeys <= 0 {
		maxKeys = DefaultDedupMax
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryDeduper{ttl: ttl, max: maxKeys, now: now, seen: make(map[string]*list.Element), order: list.New()}
}

// FirstSeen records key and reports whether it was not already present.
func (m *MemoryDeduper) FirstSeen(_ context.Context, key string) (bool, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	// Entries are inserted in time order with the same TTL: expire from the front.
	for e := m.order.Front(); e != nil; e = m.order.Front() {
		se := e.Value.(seenEntry)
		if now.Before(se.expires) && m.order.Len() < m.max {
			break
		}
		m.order.Remove(e)
		delete(m.seen, se.key)
	}
	if _, ok := m.seen[key]; ok {
		return false, nil
	}
	m.seen[key] = m.order.PushBack(seenEntry{key: key, expires: now.Add(m.ttl)})
	return true, nil
}

// Len returns the number of keys held.
func (m *MemoryDeduper) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
