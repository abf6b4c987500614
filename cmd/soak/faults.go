package main

import (
	"context"
	"time"
)

// The faults the soak injects while the users work, and what it watches
// meanwhile (progress, memory).

// inject runs the faults when the load has made the given progress: Slack
// 429s, then 500s on chat.postMessage, a PostgreSQL restart (not on
// SQLite: there is no server), and a SIGKILL of one replica, started again.
func (s *soak) inject(ctx context.Context, w *world, be *backend, victim *replica, total int64) {
	at := func(frac float64) bool {
		for ctx.Err() == nil {
			if float64(w.progress.Load()) >= frac*float64(total) {
				return true
			}
			sleep(ctx, 200*time.Millisecond)
		}
		return false
	}
	// consumed waits until n more chat.postMessage calls were made than
	// before, bounded.
	consumed := func(before, n int) {
		deadline := time.Now().Add(90 * time.Second)
		for ctx.Err() == nil && time.Now().Before(deadline) && len(w.fake.Calls("chat.postMessage")) < before+n {
			sleep(ctx, 250*time.Millisecond)
		}
	}
	if !at(0.10) {
		return
	}
	// The outage is sized to the load: about one failed post per ten users.
	n429, n500 := max(5, s.o.users/10), max(10, s.o.users/5)
	before := len(w.fake.Calls("chat.postMessage"))
	w.fake.FailNext("chat.postMessage", n429, 429, 2*time.Second)
	s.event("Slack: next %d chat.postMessage answer 429 Retry-After 2s", n429)
	consumed(before, n429)
	s.event("Slack: 429s served")
	if !at(0.25) {
		return
	}
	before = len(w.fake.Calls("chat.postMessage"))
	w.fake.FailNext("chat.postMessage", n500, 500, 0)
	s.event("Slack: next %d chat.postMessage answer 500", n500)
	consumed(before, n500)
	s.event("Slack: 500s served")
	if !at(0.40) {
		return
	}
	if be.pg != nil {
		s.event("PostgreSQL: pg_ctl restart -m fast")
		if d, err := be.pg.restart(ctx); err != nil {
			s.event("PostgreSQL restart: %v", err)
		} else {
			s.event("PostgreSQL: back after %s", d.Round(10*time.Millisecond))
		}
	}
	if !at(0.60) {
		return
	}
	if err := victim.kill(); err != nil {
		s.event("SIGKILL %s: %v", victim.name, err)
		return
	}
	s.event("SIGKILL %s", victim.name)
	sleep(ctx, 3*time.Second)
	restart := time.Now()
	if err := victim.start(ctx); err != nil {
		s.event("restart %s: %v", victim.name, err)
		return
	}
	s.event("%s started again, ready after %s", victim.name, time.Since(restart).Round(10*time.Millisecond))
}

// progress prints the progress every 15 s until the returned stop.
func (s *soak) progress(ctx context.Context, w *world, total int64) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.logf("progress: %d of %d steps", w.progress.Load(), total)
			}
		}
	}()
	return func() { cancel(); <-done }
}

func sampleRSS(ctx context.Context, reps []*replica) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		for _, r := range reps {
			r.sample()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
