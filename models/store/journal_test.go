package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models/store"
)

func TestJournalRecordClaimDone(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		clock := newClock(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
		s := openStore(t, backend, store.Config{Now: clock.Now})

		id, fresh, err := s.RecordJournal(ctx, "block_action", "body:abc", []byte(`{"type":"block_actions"}`))
		if err != nil || !fresh || id == 0 {
			t.Fatalf("Record = %d, %v, %v", id, fresh, err)
		}
		again, fresh, err := s.RecordJournal(ctx, "block_action", "body:abc", []byte(`{}`))
		if err != nil || fresh || again != id {
			t.Fatalf("Record duplicate = %d, %v, %v; want %d, false", again, fresh, err, id)
		}
		// Not stale yet: nothing to claim.
		if got, err := s.ClaimJournal(ctx, clock.Now().Add(-30*time.Second), 30*time.Second, 10); err != nil || len(got) != 0 {
			t.Fatalf("Claim fresh = %v, %v", got, err)
		}
		clock.Add(time.Minute)
		got, err := s.ClaimJournal(ctx, clock.Now().Add(-30*time.Second), 30*time.Second, 10)
		if err != nil || len(got) != 1 || got[0].ID != id || got[0].Kind != "block_action" || got[0].Payload != `{"type":"block_actions"}` {
			t.Fatalf("Claim stale = %+v, %v", got, err)
		}
		// Leased: a second claimer gets nothing until the lease runs out.
		if got, err := s.ClaimJournal(ctx, clock.Now(), 30*time.Second, 10); err != nil || len(got) != 0 {
			t.Fatalf("Claim leased = %v, %v", got, err)
		}
		clock.Add(31 * time.Second)
		if got, err := s.ClaimJournal(ctx, clock.Now(), 30*time.Second, 10); err != nil || len(got) != 1 {
			t.Fatalf("Claim after lease = %v, %v", got, err)
		}
		if err := s.DoneJournal(ctx, id); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if got, err := s.ClaimJournal(ctx, clock.Now(), 30*time.Second, 10); err != nil || len(got) != 0 {
			t.Fatalf("Claim done = %v, %v", got, err)
		}
		// Done entries are kept a day (their keys dedup retries), then pruned.
		if _, fresh, _ := s.RecordJournal(ctx, "block_action", "body:abc", nil); fresh {
			t.Fatal("done key recorded again")
		}
		clock.Add(store.JournalKeep + time.Minute)
		if _, err := s.ClaimJournal(ctx, clock.Now(), 30*time.Second, 10); err != nil {
			t.Fatal(err)
		}
		if n := sqlCount(t, s, "SELECT COUNT(*) FROM slack_journal"); n != 0 {
			t.Fatalf("%d entries after pruning", n)
		}
	})
}

// Two claimers at once never get the same entry.
func TestJournalConcurrentClaimers(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		clock := newClock(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC))
		s := openStore(t, backend, store.Config{Now: clock.Now})
		const n = 60
		for i := range n {
			if _, _, err := s.RecordJournal(ctx, "command", fmt.Sprintf("k%d", i), []byte("{}")); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(time.Minute)
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				for {
					got, err := s.ClaimJournal(ctx, clock.Now(), time.Hour, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, e := range got {
						seen[e.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != n {
			t.Fatalf("%d entries claimed, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Fatalf("entry %d claimed %d times", id, c)
			}
		}
	})
}

// BenchmarkRecordJournal: the write a durable press adds to its ack.
func BenchmarkRecordJournal(b *testing.B) {
	benchBackends(b, func(b *testing.B, backend string) {
		s := openStore(b, backend, store.Config{})
		ctx := context.Background()
		payload := make([]byte, 3000) // a block_actions payload with its message is a few kB
		for i := range payload {
			payload[i] = 'x'
		}
		i := 0
		for b.Loop() {
			i++
			if _, _, err := s.RecordJournal(ctx, "block_action", fmt.Sprintf("body:%d", i), payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}
