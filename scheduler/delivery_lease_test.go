package scheduler

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// The lease of a claim, on the worker's clock: a post takes up to 15 s
// (the Slack client's timeout), so no post starts once the lease has less
// than that left; another worker claiming the notice after the lease must
// never post it beside this one. The default lease, 30 s, leaves a budget
// of 15 s from the claim.

// slowPoster posts, and the post takes took of the worker's clock.
type slowPoster struct {
	bot.Poster
	clock *testClock
	took  time.Duration
}

func (p slowPoster) PostMessageContext(ctx context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	p.clock.Add(p.took)
	return p.Poster.PostMessageContext(ctx, ch, opts...)
}

// slowHistory reads a channel's history, and the first read takes took of
// the worker's clock.
type slowHistory struct {
	bot.Poster
	clock *testClock
	took  time.Duration
	reads atomic.Int32
}

func (p *slowHistory) GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error) {
	if p.reads.Add(1) == 1 {
		p.clock.Add(p.took)
	}
	return p.Poster.GetConversationHistoryContext(ctx, params)
}

// givenBack counts the pending notices that were given back with reason,
// and fails the test for one whose attempt was counted.
func givenBack(t *testing.T, f *fixture, reason string) int {
	t.Helper()
	notices, err := f.s.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	given := 0
	for _, n := range notices {
		if n.State == models.NoticePending && n.LastError == reason {
			given++
			if n.Attempts != 0 {
				t.Errorf("notice %d given back with %d attempts counted", n.ID, n.Attempts)
			}
		}
	}
	return given
}

// TestPostWouldOutliveLease: once a batch has used the lease's budget (on
// the worker's clock), no further post starts: the rest of the batch goes
// back to the queue, its attempts not counted, and is delivered by a later
// claim, each notice once.
func TestPostWouldOutliveLease(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		ctx := context.Background()
		fake, client := newSlack(t)
		// Lease 30s: the budget is 15s, and one post takes 16s.
		cfg := bot.DeliveryConfig{Lease: 30 * time.Second, Batch: 5, Now: f.clock.Now, Logger: quietLog()}
		w := bot.NewDeliveryWorker(f.s, slowPoster{Poster: client, clock: f.clock, took: 16 * time.Second}, textRenderer{}, cfg)
		pending, _ := f.s.PendingNotices(ctx)
		if pending < 2 {
			t.Fatalf("%d pending notices; the test needs two or more", pending)
		}
		claimed, err := w.DeliverDue(ctx, f.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if posts := len(fake.Calls("chat.postMessage")); claimed < 2 || posts != 1 {
			t.Fatalf("claimed %d, posted %d: after a post that used the lease's budget no other may start", claimed, posts)
		}
		if given := givenBack(t, f, "lease too short for another post"); given != claimed-1 {
			t.Fatalf("%d notices given back, want %d", given, claimed-1)
		}
		deliverAll(t, f, w, time.Second, 50)
		checkExactlyOnce(t, f, fake)
	})
}

// TestLeaseRunsFromTheClaim: the lease runs from the time of the claim
// (DeliverDue's now), not from when the claim returned: a claim that took
// 16 s (a database busy elsewhere) leaves no budget, and no post starts.
func TestLeaseRunsFromTheClaim(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		ctx := context.Background()
		fake, client := newSlack(t)
		w := bot.NewDeliveryWorker(f.s, client, textRenderer{}, bot.DeliveryConfig{Batch: 5, Now: f.clock.Now, Logger: quietLog()})
		claimedAt := f.clock.Now()
		f.clock.Add(16 * time.Second) // the claim's transaction waited
		claimed, err := w.DeliverDue(ctx, claimedAt)
		if err != nil {
			t.Fatal(err)
		}
		if posts := len(fake.Calls("chat.postMessage")); claimed == 0 || posts != 0 {
			t.Fatalf("claimed %d, posted %d: with 14 s of the lease left no post may start", claimed, posts)
		}
		if given := givenBack(t, f, "lease too short for another post"); given != claimed {
			t.Fatalf("%d notices given back, want %d", given, claimed)
		}
		deliverAll(t, f, w, time.Second, 50)
		checkExactlyOnce(t, f, fake)
	})
}

// TestNoPostAfterLongHistoryCheck: a notice whose last attempt may have
// reached Slack is looked for in the channel's history first; when that
// search used the lease's budget, the notice is not posted in this lease
// but in a later one, once.
func TestNoPostAfterLongHistoryCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		ctx := context.Background()
		fake, client := newSlack(t)
		p := &slowHistory{Poster: client, clock: f.clock, took: 16 * time.Second}
		w := bot.NewDeliveryWorker(f.s, p, textRenderer{}, bot.DeliveryConfig{Now: f.clock.Now, Logger: quietLog()})
		// The first post fails with a 500: maybe posted (it was not); the
		// others go out.
		fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError, 0)
		for range 100 {
			n, err := w.DeliverDue(ctx, f.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
		}
		if pending, err := f.s.PendingNotices(ctx); err != nil || pending != 1 {
			t.Fatalf("%d notices pending after the first round (%v), want 1", pending, err)
		}
		f.clock.Add(time.Minute) // past the backoff
		posts := len(fake.Calls("chat.postMessage"))
		// The next claim takes that notice; its history search takes 16 s.
		if n, err := w.DeliverDue(ctx, f.clock.Now()); err != nil || n != 1 {
			t.Fatalf("second attempt: %d %v", n, err)
		}
		if h := len(fake.Calls("conversations.history")); h != 1 {
			t.Fatalf("%d history reads, want 1", h)
		}
		if after := len(fake.Calls("chat.postMessage")); after != posts {
			t.Fatalf("posted after a history search that left less than a post's time of the lease")
		}
		notices, err := f.s.Notices(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range notices {
			if n.State == models.NoticePending && !strings.Contains(n.LastError, "lease") {
				t.Fatalf("notice %d pending with %q, want the lease named", n.ID, n.LastError)
			}
		}
		deliverAll(t, f, w, time.Minute, 50)
		checkExactlyOnce(t, f, fake)
	})
}
