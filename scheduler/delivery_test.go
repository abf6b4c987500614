package scheduler

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/leaseline/leaseline/bot"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// bookedFixture is a fixture with three booked visits and their notices
// pending.
func bookedFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	f := newFixture(t, backend)
	for i := range 3 {
		f.ticketAt(t, apYuhang, cst(2026, 10, 13, 10, i))
	}
	job := &ScheduleVisits{Store: f.s, Logger: quietLog()}
	if err := job.Run(context.Background(), cst(2026, 10, 13, 11, 0)); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSlackOutage: Slack answers 429 (Retry-After honoured, nothing posted
// meanwhile), then 500 for a while: every notice arrives afterwards, none
// twice.
func TestSlackOutage(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		ctx := context.Background()
		fake, client := newSlack(t)
		w := bot.NewDeliveryWorker(f.s, client, textRenderer{}, bot.DeliveryConfig{Batch: 5, Now: f.clock.Now, Logger: quietLog()})

		fake.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, 3*time.Second)
		start := f.clock.Now()
		if _, err := w.DeliverDue(ctx, start); err != nil {
			t.Fatal(err)
		}
		posts := len(fake.Calls("chat.postMessage"))
		if posts != 1 {
			t.Fatalf("%d posts in the batch after a 429, want 1", posts)
		}
		// Within Retry-After nothing is posted.
		f.clock.Add(2 * time.Second)
		if n, err := w.DeliverDue(ctx, f.clock.Now()); err != nil || n != 0 || len(fake.Calls("chat.postMessage")) != posts {
			t.Fatalf("delivered during Retry-After: %d %v", n, err)
		}
		f.clock.Add(time.Second)
		// Then Slack breaks for a while.
		fake.FailNext("chat.postMessage", 8, http.StatusInternalServerError, 0)
		deliverAll(t, f, w, 30*time.Second, 200)
		notices := checkExactlyOnce(t, f, fake)
		for _, n := range notices {
			if n.Attempts > 4 {
				t.Fatalf("notice %d took %d attempts", n.ID, n.Attempts)
			}
		}
		if len(fake.Calls("conversations.history")) == 0 {
			t.Fatal("after a 500 the worker must look for the notice before posting again")
		}
	})
}

// lostResponse posts, but the first k responses are "lost": Slack has the
// message, the worker sees a server error.
type lostResponse struct {
	bot.Poster
	k atomic.Int32
}

func (p *lostResponse) PostMessageContext(ctx context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	c, ts, err := p.Poster.PostMessageContext(ctx, ch, opts...)
	if err == nil && p.k.Add(-1) >= 0 {
		return "", "", slack.StatusCodeError{Code: http.StatusBadGateway, Status: "502 Bad Gateway"}
	}
	return c, ts, err
}

// TestLostResponseNoDuplicate: a post that reached Slack although the
// worker saw an error is found in the history, not posted again.
func TestLostResponseNoDuplicate(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		fake, client := newSlack(t)
		p := &lostResponse{Poster: client}
		p.k.Store(4)
		w := bot.NewDeliveryWorker(f.s, p, textRenderer{}, bot.DeliveryConfig{Now: f.clock.Now, Logger: quietLog()})
		deliverAll(t, f, w, time.Minute, 50)
		checkExactlyOnce(t, f, fake)
	})
}

// TestFailedForGood: after MaxAttempts the notice fails, staff are alerted
// in the staff channel, and FailedNotices lists it.
func TestFailedForGood(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		actor := f.customer(t)
		ap, _ := f.s.AccessPoint(ctx, apYuhang)
		// One notice: the review request to staff.
		if _, err := f.s.Apply(ctx, actor, models.Application{Name: "one notice", AccessPointID: apYuhang, ProviderID: providerID,
			PortType: ap.PortTypes[0].PortType, BandwidthMbps: max(ap.PortTypes[0].MinMbps, models.MinBandwidthMbps), Location: "x"}, applyChannel); err != nil {
			t.Fatal(err)
		}
		fake, client := newSlack(t)
		fake.FailNext("chat.postMessage", 3, http.StatusServiceUnavailable, 0)
		w := bot.NewDeliveryWorker(f.s, client, textRenderer{}, bot.DeliveryConfig{MaxAttempts: 3, Backoff: time.Second, MaxBackoff: time.Second, Now: f.clock.Now, Logger: quietLog()})
		for range 3 {
			if _, err := w.DeliverDue(ctx, f.clock.Now()); err != nil {
				t.Fatal(err)
			}
			f.clock.Add(time.Second)
		}
		failed, err := w.FailedNotices(ctx)
		if err != nil || len(failed) != 1 || failed[0].Kind != models.NoticeReviewRequest {
			t.Fatalf("failed notices %+v %v", failed, err)
		}
		// The alert goes out now that Slack answers.
		deliverAll(t, f, w, time.Second, 5)
		msgs := fake.Messages(staffChannel)
		var alert models.DeliveryFailedData
		notices, _ := f.s.Notices(ctx, 0)
		for _, n := range notices {
			if n.Kind == models.NoticeDeliveryFailed {
				_ = json.Unmarshal([]byte(n.Data), &alert)
			}
		}
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0].Text, string(models.NoticeDeliveryFailed)) ||
			alert.NoticeID != failed[0].ID || alert.Attempts != 3 || alert.Error == "" {
			t.Fatalf("staff alert: messages %+v, data %+v", msgs, alert)
		}
	})
}

// TestRefusedFailsAtOnce: a refusal no retry mends (channel_not_found)
// fails the notice at the first attempt.
func TestRefusedFailsAtOnce(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	actor := f.customer(t)
	ap, _ := f.s.AccessPoint(ctx, apYuhang)
	if _, err := f.s.Apply(ctx, actor, models.Application{Name: "refused", AccessPointID: apYuhang, ProviderID: providerID,
		PortType: ap.PortTypes[0].PortType, BandwidthMbps: max(ap.PortTypes[0].MinMbps, models.MinBandwidthMbps), Location: "x"}, applyChannel); err != nil {
		t.Fatal(err)
	}
	w := bot.NewDeliveryWorker(f.s, refusingPoster{}, textRenderer{}, bot.DeliveryConfig{Now: f.clock.Now, Logger: quietLog()})
	if _, err := w.DeliverDue(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	failed, _ := w.FailedNotices(ctx)
	if len(failed) != 1 || failed[0].Attempts != 1 || failed[0].LastError == "" {
		t.Fatalf("failed %+v", failed)
	}
}

type refusingPoster struct{ bot.Poster }

func (refusingPoster) PostMessageContext(context.Context, string, ...slack.MsgOption) (string, string, error) {
	return "", "", slack.SlackErrorResponse{Err: "channel_not_found"}
}

// TestWorkerRunWokenByCommit: Run delivers the notices of a scheduled
// job as soon as the job's transaction commits (the store's notices hook),
// without waiting for its poll.
func TestWorkerRunWokenByCommit(t *testing.T) {
	f := bookedFixture(t, "sqlite")
	signal := bot.NewNoticeSignal()
	s := openStoreHooked(t, f.url, f.clock, signal.Committed)
	fake, client := newSlack(t)
	w := bot.NewDeliveryWorker(s, client, textRenderer{}, bot.DeliveryConfig{PollInterval: time.Hour, Signal: signal, Now: f.clock.Now, Logger: quietLog()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	notices, _ := f.s.Notices(context.Background(), 0)
	// Run delivers at once when it starts; later notices wake it.
	if _, ok := fake.WaitFor("chat.postMessage", len(notices), 10*time.Second); !ok {
		t.Fatal("Run did not deliver at start")
	}
	// A scheduled job books a visit through the hooked store: its notices
	// go out at once.
	f.ticketAt(t, apXiaoshan, cst(2026, 10, 13, 12, 0))
	f.clock.Set(cst(2026, 10, 13, 13, 0))
	if err := (&ScheduleVisits{Store: s, Logger: quietLog()}).Run(context.Background(), f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	after, _ := f.s.Notices(context.Background(), 0)
	if len(after) <= len(notices) {
		t.Fatalf("the job recorded no notice (%d before, %d after)", len(notices), len(after))
	}
	if _, ok := fake.WaitFor("chat.postMessage", len(after), 10*time.Second); !ok {
		t.Fatal("the notices of the scheduled job were not delivered before the next poll")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if n, _ := f.s.PendingNotices(context.Background()); n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("notices still pending")
		}
	}
	cancel()
	if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	checkExactlyOnce(t, f, fake)
}
