package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models/store"
)

// A request's key is claimed before its handler and marked done after its
// ack: a repeat of a done key is dropped; a repeat of a claim never marked
// done waits for the ack deadline, then exactly one of several replicas
// takes it over.
func TestSeenClaimTakeOverDone(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		clock := newClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
		s := openStore(t, backend, store.Config{Now: clock.Now})
		const stale = 3 * time.Second

		claim := func(key string) (bool, bool) {
			t.Helper()
			claimed, done, err := s.ClaimSeen(ctx, key, stale)
			if err != nil {
				t.Fatal(err)
			}
			return claimed, done
		}
		if claimed, _ := claim("body:a"); !claimed {
			t.Fatal("new key not claimed")
		}
		// The first handler may still be running: neither run nor dropped as done.
		clock.Add(stale)
		if claimed, done := claim("body:a"); claimed || done {
			t.Fatalf("recent claim repeated = claimed %v, done %v; want in flight", claimed, done)
		}
		// Its replica died: past the ack deadline, one of many replicas takes it over.
		clock.Add(time.Millisecond)
		var won atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				claimed, done, err := s.ClaimSeen(ctx, "body:a", stale)
				switch {
				case err != nil:
					t.Error(err)
				case claimed:
					won.Add(1)
				case done:
					t.Error("abandoned claim reported done")
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d replicas took the claim over, want 1", won.Load())
		}
		if err := s.SeenDone(ctx, "body:a"); err != nil {
			t.Fatal(err)
		}
		// Done: an exact replay within SeenKeep is dropped, however late.
		clock.Add(store.SeenKeep - time.Second)
		if claimed, done := claim("body:a"); claimed || !done {
			t.Fatalf("done key repeated = claimed %v, done %v; want done", claimed, done)
		}
		// Past SeenKeep the key is forgotten (the signature has expired anyway).
		clock.Add(2 * time.Second)
		if claimed, _ := claim("body:a"); !claimed {
			t.Fatal("key past SeenKeep not claimed")
		}
	})
}

// Keys seen before migration 00016 (or claimed by a replica not upgraded,
// which never marks done) count as done.
func TestSeenRowsWithoutDoneCountAsDone(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		clock := newClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
		s := openStore(t, backend, store.Config{Now: clock.Now})
		sqlExec(t, s, "INSERT INTO slack_seen (key, seen_at) VALUES (?, ?)", "body:old", clock.Now())
		clock.Add(time.Minute)
		if claimed, done, err := s.ClaimSeen(ctx, "body:old", 3*time.Second); err != nil || claimed || !done {
			t.Fatalf("old key = claimed %v, done %v, %v; want done", claimed, done, err)
		}
	})
}

// Keys older than SeenKeep are pruned as new ones come in.
func TestSeenPruned(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		clock := newClock(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
		s := openStore(t, backend, store.Config{Now: clock.Now})
		for i := range 100 {
			key := fmt.Sprintf("old:%d", i)
			if claimed, _, err := s.ClaimSeen(ctx, key, time.Second); err != nil || !claimed {
				t.Fatalf("claim %s = %v, %v", key, claimed, err)
			}
			if i%2 == 0 {
				if err := s.SeenDone(ctx, key); err != nil {
					t.Fatal(err)
				}
			}
		}
		clock.Add(store.SeenKeep + time.Second)
		for i := range 256 {
			if _, _, err := s.ClaimSeen(ctx, fmt.Sprintf("new:%d", i), time.Second); err != nil {
				t.Fatal(err)
			}
		}
		if n := sqlCount(t, s, "SELECT COUNT(*) FROM slack_seen WHERE key LIKE 'old:%'"); n != 0 {
			t.Fatalf("%d keys past SeenKeep left", n)
		}
		if n := sqlCount(t, s, "SELECT COUNT(*) FROM slack_seen"); n != 256 {
			t.Fatalf("%d keys, want 256", n)
		}
	})
}

// Requests arriving together claim their keys together: in a burst of 200
// claims (150 keys, 50 of them sent twice) the 150 new keys are written by
// a few statements, not 150; every key is claimed by exactly one request,
// and its repeat is told it is in flight (a repeat reads the key's state:
// two statements each).
func TestSeenClaimsOfABurstGoTogether(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		s := openStore(t, backend, store.Config{})
		statements := store.CountStatements(s)
		start := make(chan struct{})
		var mu sync.Mutex
		claimedBy := map[string]int{}
		inFlight := 0
		var wg sync.WaitGroup
		for i := range 200 {
			key := fmt.Sprintf("body:burst-%d", i%150)
			wg.Go(func() {
				<-start
				claimed, done, err := s.ClaimSeen(ctx, key, time.Minute)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					t.Error(err)
				case claimed:
					claimedBy[key]++
				case done:
					t.Errorf("%s reported done though never marked", key)
				default:
					inFlight++
				}
			})
		}
		before := statements.Load()
		close(start)
		wg.Wait()
		if len(claimedBy) != 150 || inFlight != 50 {
			t.Fatalf("%d keys claimed, %d repeats in flight; want 150 and 50", len(claimedBy), inFlight)
		}
		for k, n := range claimedBy {
			if n != 1 {
				t.Fatalf("%s claimed by %d requests", k, n)
			}
		}
		if n := statements.Load() - before - 2*int64(inFlight); n > 25 {
			t.Fatalf("150 new keys took %d statements; want them batched (at most 25)", n)
		}
	})
}
