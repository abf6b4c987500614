package store_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// TestNoticeDelivery walks a notice through claim, lease, retry, sent; and
// another through failure with its staff alert.
func TestNoticeDelivery(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		f.approved(t, f.acme, f.application(t, "Notify me")) // review_request + approved
		now := f.clock.Now()
		lease := time.Minute

		got, err := f.s.ClaimNotices(ctx, now, 10, lease)
		if err != nil || len(got) != 2 {
			t.Fatalf("claim: %d %v", len(got), err)
		}
		for _, d := range got {
			if d.MaybePosted || d.Notice.Attempts != 1 || d.Token == "" {
				t.Fatalf("first claim %+v", d)
			}
		}
		// Leased: nobody else gets them until the lease ends.
		if again, _ := f.s.ClaimNotices(ctx, now.Add(30*time.Second), 10, lease); len(again) != 0 {
			t.Fatalf("claimed twice within the lease: %d", len(again))
		}
		// The worker "died": after the lease the notices come back, marked as
		// maybe posted.
		back, err := f.s.ClaimNotices(ctx, now.Add(2*time.Minute), 10, lease)
		if err != nil || len(back) != 2 || !back[0].MaybePosted || back[0].Notice.Attempts != 2 {
			t.Fatalf("reclaim after lease: %+v %v", back, err)
		}
		// A stale claim cannot retry or fail them.
		if err := f.s.RetryNotice(ctx, got[0], models.NoticeRetry{Next: now}); err != nil {
			t.Fatal(err)
		}
		sent, failed := back[0], back[1]
		if err := f.s.MarkNoticeSent(ctx, sent.Notice.ID, "1700000000.000100", now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		// Rate limited: rescheduled, the attempt given back.
		if err := f.s.RetryNotice(ctx, failed, models.NoticeRetry{Next: now.Add(3 * time.Minute), Error: "ratelimited", Uncounted: true}); err != nil {
			t.Fatal(err)
		}
		if early, _ := f.s.ClaimNotices(ctx, now.Add(150*time.Second), 10, lease); len(early) != 0 {
			t.Fatalf("claimed before its next attempt: %+v", early)
		}
		third, err := f.s.ClaimNotices(ctx, now.Add(3*time.Minute), 10, lease)
		if err != nil || len(third) != 1 || third[0].Notice.ID != failed.Notice.ID || third[0].Notice.Attempts != 2 || third[0].MaybePosted {
			t.Fatalf("claim after retry: %+v %v", third, err)
		}
		if err := f.s.FailNotice(ctx, third[0], now.Add(3*time.Minute), "channel_not_found"); err != nil {
			t.Fatal(err)
		}
		fails, err := f.s.FailedNotices(ctx, 0)
		if err != nil || len(fails) != 1 || fails[0].ID != failed.Notice.ID || fails[0].LastError != "channel_not_found" {
			t.Fatalf("failed notices %+v %v", fails, err)
		}
		// Staff are alerted, once.
		if err := f.s.FailNotice(ctx, third[0], now.Add(4*time.Minute), "again"); err != nil {
			t.Fatal(err)
		}
		alerts, err := f.s.ClaimNotices(ctx, now.Add(5*time.Minute), 10, lease)
		if err != nil || len(alerts) != 1 || alerts[0].Notice.Kind != models.NoticeDeliveryFailed || alerts[0].Notice.Channel != staffChannel {
			t.Fatalf("alert %+v %v", alerts, err)
		}
		var data models.DeliveryFailedData
		if err := json.Unmarshal([]byte(alerts[0].Notice.Data), &data); err != nil || data.NoticeID != failed.Notice.ID || data.Error != "channel_not_found" {
			t.Fatalf("alert data %+v %v", data, err)
		}
		// A failed alert raises no alert of its own.
		if err := f.s.FailNotice(ctx, alerts[0], now.Add(5*time.Minute), "staff channel gone"); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.s.PendingNotices(ctx); n != 0 {
			t.Fatalf("%d pending after the alert failed", n)
		}
		// Staff requeue the first failure.
		if err := f.s.RequeueNotice(ctx, failed.Notice.ID, now.Add(6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if again, _ := f.s.ClaimNotices(ctx, now.Add(6*time.Minute), 10, lease); len(again) != 1 || again[0].Notice.Attempts != 1 {
			t.Fatalf("requeued: %+v", again)
		}
	})
}

// TestClaimNoticesConcurrent: workers claiming at once never share a
// notice.
func TestClaimNoticesConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		for i := range 5 {
			actor := f.acme
			if i%2 == 1 {
				actor = f.other
			}
			f.approved(t, actor, f.application(t, "Line "+string(rune('A'+i))))
		}
		now := f.clock.Now()
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for {
					got, err := f.s.ClaimNotices(ctx, now, 2, time.Minute)
					if err != nil {
						t.Errorf("claim: %v", err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, d := range got {
						seen[d.Notice.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 10 {
			t.Fatalf("%d notices claimed, want 10", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("notice %d claimed %d times", id, n)
			}
		}
	})
}

// TestSentReviewRequestIsRemembered: once the review request reaches the
// staff channel, the connection knows its message (to update it in place
// and thread overdue alerts under it); a ticket likewise.
func TestSentReviewRequestIsRemembered(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c, err := f.s.Apply(ctx, f.acme, f.application(t, "remembered"), "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		ns, err := f.s.Notices(ctx, c.ID)
		if err != nil || len(ns) != 1 || ns[0].Kind != models.NoticeReviewRequest {
			t.Fatalf("notices %v %v", ns, err)
		}
		if err := f.s.MarkNoticeSent(ctx, ns[0].ID, "1700000000.000200", f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		got, err := f.s.Find(ctx, f.staff, models.ApplicationRef(c.ID))
		if err != nil {
			t.Fatal(err)
		}
		if got.ReviewChannel != staffChannel || got.ReviewTS != "1700000000.000200" {
			t.Fatalf("review message %q %q", got.ReviewChannel, got.ReviewTS)
		}
	})
}
