package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"
)

// Journal makes post-ack work durable: the Dispatcher records a request of a
// durable route (Router.DurableAction, Router.DurableCommand) before it acks,
// marks it done when its later work finishes, and RunRecovery replays the
// entries a dead process left behind. A database-backed Journal shared by
// the replicas also deduplicates Slack retries across them.
type Journal interface {
	// Record stores payload under key, unless key is already recorded: fresh
	// is false then (a retry or a duplicate seen by another replica) and id
	// is that of the existing entry.
	Record(ctx context.Context, kind, key string, payload []byte) (id int64, fresh bool, err error)
	// Done marks entry id done: it is never replayed.
	Done(ctx context.Context, id int64) error
	// Claim returns up to limit entries not done, received before
	// olderThan, whose lease (if any) has run out, and leases them for
	// lease: two claimers never get the same entry within a lease.
	Claim(ctx context.Context, olderThan time.Time, lease time.Duration, limit int) ([]JournalEntry, error)
}

// JournalEntry is a recorded request of a durable route.
type JournalEntry struct {
	ID         int64
	Kind       string // Kind.String() of the request
	Key        string
	Payload    []byte // EncodeRequest's output
	ReceivedAt time.Time
}

// EncodeRequest encodes the Slack payload of a command or interaction
// request as JSON, for a Journal. DecodeRequest reverses it.
func EncodeRequest(req Request) ([]byte, error) {
	switch {
	case req.Command != nil:
		return json.Marshal(req.Command)
	case req.Interaction != nil:
		return json.Marshal(req.Interaction) // *InteractionCallback: its MarshalJSON keeps the state
	}
	return nil, fmt.Errorf("bot: cannot journal a %s request", req.Kind)
}

// DecodeRequest rebuilds a Request from a journal entry's kind and payload.
func DecodeRequest(kind string, payload []byte) (Request, error) {
	k := kindOf(kind)
	switch k {
	case KindCommand:
		var cmd slack.SlashCommand
		if err := json.Unmarshal(payload, &cmd); err != nil {
			return Request{}, fmt.Errorf("bot: decode journaled command: %w", err)
		}
		return Request{Kind: k, Command: &cmd}, nil
	case KindBlockAction, KindViewSubmission, KindViewClosed, KindBlockSuggestion, KindShortcut:
		ic, err := decodeInteraction(payload)
		if err != nil {
			return Request{}, fmt.Errorf("bot: decode journaled interaction: %w", err)
		}
		return Request{Kind: k, Interaction: ic}, nil
	}
	return Request{}, fmt.Errorf("bot: cannot replay a journaled %q request", kind)
}

func kindOf(s string) Kind {
	for k := KindCommand; k <= KindEvent; k++ {
		if k.String() == s {
			return k
		}
	}
	return KindUnknown
}

type replayedKey struct{}

// Replayed reports whether ctx is that of a request replayed from the
// Journal by RunRecovery (its handler and later work run a second time,
// after a process died). Handlers use it to stay silent about an action
// already done by the same user: the user saw nothing go wrong.
func Replayed(ctx context.Context) bool {
	v, _ := ctx.Value(replayedKey{}).(bool)
	return v
}

// DefaultRecoveryBatch is how many journal entries one recovery pass claims.
const DefaultRecoveryBatch = 50

// RunRecovery replays, every every, the journal entries not done staleAfter
// after they were received: a process died between the ack and the end of
// their later work. Each claimed entry is leased for staleAfter, so two
// replicas never replay it at once. It rebuilds the request, runs its
// route's handler again (ctx marked Replayed) and its later work, then marks
// the entry done. staleAfter should exceed the time later work normally
// takes, queue included. It returns when ctx ends; without a Journal it
// returns at once.
func (d *Dispatcher) RunRecovery(ctx context.Context, every, staleAfter time.Duration) error {
	if d.journal == nil {
		return nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := d.Recover(ctx, staleAfter); err != nil && ctx.Err() == nil {
			d.log.WarnContext(ctx, "journal recovery pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Recover runs one recovery pass (see RunRecovery) and returns how many
// entries it replayed. Their later work runs on the pool: Drain waits for it.
func (d *Dispatcher) Recover(ctx context.Context, staleAfter time.Duration) (int, error) {
	if d.journal == nil {
		return 0, nil
	}
	entries, err := d.journal.Claim(ctx, d.now().Add(-staleAfter), staleAfter, DefaultRecoveryBatch)
	if err != nil {
		return 0, fmt.Errorf("claim journal entries: %w", err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if d.running.has(e.ID) {
			continue // still being worked here: slow, not dead
		}
		ok, err := d.replay(ctx, e)
		if err != nil {
			errs = append(errs, err)
		}
		if ok {
			n++
		}
	}
	return n, errors.Join(errs...)
}

// replay re-runs one journal entry; it reports whether later work was queued.
func (d *Dispatcher) replay(ctx context.Context, e JournalEntry) (bool, error) {
	done := func() error {
		if err := d.journal.Done(context.WithoutCancel(ctx), e.ID); err != nil {
			return fmt.Errorf("mark journal entry %d done: %w", e.ID, err)
		}
		return nil
	}
	req, err := DecodeRequest(e.Kind, e.Payload)
	if err != nil {
		d.log.ErrorContext(ctx, "journal entry cannot be replayed; dropped", "journal_id", e.ID, "err", err)
		return false, errors.Join(err, done())
	}
	if !d.enter() {
		return false, ErrShuttingDown
	}
	queued := false
	defer func() {
		if !queued {
			d.inflight.Done()
		}
	}()
	req.ID = d.newID()
	rctx := context.WithValue(withRequestID(ctx, req.ID), replayedKey{}, true)
	h, name, _ := d.router.routeDurable(req)
	rl := reqLog{base: d.log, id: req.ID, kind: req.Kind, name: name}
	rl.get().InfoContext(rctx, "replaying journaled request", "journal_id", e.ID, "received_at", e.ReceivedAt)
	if h == nil {
		return false, done()
	}
	hctx, cancel := context.WithTimeout(rctx, d.ackTimeout)
	_, later, err := runHandler(hctx, h, req)
	cancel()
	if err != nil {
		rl.get().ErrorContext(rctx, "replayed handler panicked; entry dropped", "err", err)
		return false, done()
	}
	if later == nil {
		return false, done()
	}
	if !d.running.add(e.ID) {
		return false, nil
	}
	queued = true
	d.enqueue(laterJob{ctx: rctx, log: rl, fn: later, journalID: e.ID})
	return true, nil
}

// idSet is the set of journal entries whose later work is queued or running
// in this process.
type idSet struct {
	mu  sync.Mutex
	ids map[int64]struct{}
}

func (s *idSet) add(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false
	}
	if s.ids == nil {
		s.ids = make(map[int64]struct{})
	}
	s.ids[id] = struct{}{}
	return true
}

func (s *idSet) has(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.ids[id]
	return ok
}

func (s *idSet) remove(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id)
}
