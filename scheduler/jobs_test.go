package scheduler

import (
	"context"
	"errors"
	"github.com/leaseline/leaseline/bot"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// TestScheduleVisitsDates runs schedule-visits by hand on tickets submitted
// at the edges of the calendar.
func TestScheduleVisitsDates(t *testing.T) {
	cases := []struct {
		name      string
		ap        string
		submitted time.Time
		want      string
	}{
		{"Friday 16:00 gets Monday", apYuhang, cst(2026, 10, 16, 16, 0), "2026-10-19"},
		{"eve of the holiday week gets the first workday after it", apYuhang, cst(2026, 9, 30, 16, 0), "2026-10-08"},
		{"with a make-up Saturday workday, that Saturday", apYuhang, cst(2026, 10, 9, 16, 0), "2026-10-10"},
		{"at 23:30 local time, the next local day", apYuhang, cst(2026, 10, 14, 23, 30), "2026-10-15"},
		{"lock-down days skipped", apYuhang, cst(2026, 11, 6, 16, 0), "2026-11-13"},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				f := newFixture(t, backend)
				ctx := context.Background()
				sched, err := New(f.s, Config{Logger: quietLog(), Now: f.clock.Now})
				if err != nil {
					t.Fatal(err)
				}
				tk := f.ticketAt(t, tc.ap, tc.submitted)
				if err := sched.RunJob(ctx, JobScheduleVisits, tc.submitted.Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				d, err := f.s.Detail(ctx, f.staff, *tk.ConnectionID)
				if err != nil {
					t.Fatal(err)
				}
				if d.Visit == nil || d.Visit.Date != tc.want {
					t.Fatalf("visit %+v, want on %s", d.Visit, tc.want)
				}
			})
		}
	})
}

// TestScheduleVisitsCapacity: capacity 2 and 3 tickets: the third goes to
// the next workday.
func TestScheduleVisitsCapacity(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		for i := range 3 {
			f.ticketAt(t, apXiaoshan, cst(2026, 10, 13, 10, i))
		}
		sched, err := New(f.s, Config{Logger: quietLog(), Now: f.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := sched.RunJob(ctx, JobScheduleVisits, cst(2026, 10, 13, 11, 0)); err != nil {
			t.Fatal(err)
		}
		for day, want := range map[string]int{"2026-10-14": 2, "2026-10-15": 1} {
			vs, err := f.s.VisitsOn(ctx, apXiaoshan, day)
			if err != nil || len(vs) != want {
				t.Fatalf("%s: %d visits (%v), want %d", day, len(vs), err, want)
			}
		}
	})
}

// TestRunJobUnknown names the jobs.
func TestRunJobUnknown(t *testing.T) {
	f := newFixture(t, "sqlite")
	sched, err := New(f.s, Config{Logger: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	err = sched.RunJob(context.Background(), "book-visits", time.Now())
	if err == nil || !strings.Contains(err.Error(), "schedule-visits") {
		t.Fatalf("unknown job: %v", err)
	}
	var names []string
	for _, j := range sched.Jobs() {
		names = append(names, j.Name())
		if j.Describe() == "" || sched.Spec(j.Name()) == "" {
			t.Fatalf("job %s without description or timetable", j.Name())
		}
	}
	if strings.Join(names, " ") != "schedule-visits reception-reminders review-sla customer-reminders visit-no-shows" {
		t.Fatalf("jobs %v", names)
	}
}

// crashingStore makes the process "die" after k batches: it cancels the
// run's context, as a killed process stops its transactions.
type crashingStore struct {
	VisitStore
	k      int32
	n      atomic.Int32
	cancel context.CancelFunc
}

func (c *crashingStore) BookVisits(ctx context.Context, now time.Time, q models.BookingQuery) (models.BookingBatch, error) {
	if c.n.Add(1) > c.k {
		c.cancel()
	}
	return c.VisitStore.BookVisits(ctx, now, q)
}

// diesAfterPosting posts to Slack, then "dies" at the k-th post: the
// message is in Slack but the worker never records it (the response is
// lost and its context canceled).
type diesAfterPosting struct {
	bot.Poster
	k      int32
	n      atomic.Int32
	cancel context.CancelFunc
}

func (p *diesAfterPosting) PostMessageContext(ctx context.Context, ch string, opts ...slack.MsgOption) (string, string, error) {
	if p.n.Load() >= p.k {
		return "", "", context.Canceled // dead: posts nothing more
	}
	c, ts, err := p.Poster.PostMessageContext(ctx, ch, opts...)
	if err == nil && p.n.Add(1) == p.k {
		p.cancel()
		return "", "", context.Canceled
	}
	return c, ts, err
}

// TestKilledMidRun: schedule-visits killed after a batch of 3 bookings, then rerun:
// every ticket booked once; delivery killed after posting, then resumed:
// every notice in Slack once.
func TestKilledMidRun(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		const tickets = 6
		for i := range tickets {
			f.ticketAt(t, apYuhang, cst(2026, 10, 13, 10, i))
		}
		now := cst(2026, 10, 13, 11, 0)
		f.clock.Set(now)

		ctx, cancel := context.WithCancel(context.Background())
		job := &ScheduleVisits{Store: &crashingStore{VisitStore: f.s, k: 1, cancel: cancel}, Batch: 3, Logger: quietLog()}
		if err := job.Run(ctx, now); !errors.Is(err, context.Canceled) {
			t.Fatalf("killed run: %v", err)
		}
		left, err := f.s.TicketsToBook(context.Background(), now, 0, 0)
		if err != nil || len(left) != tickets-3 {
			t.Fatalf("after the crash %d tickets left (%v), want %d", len(left), err, tickets-3)
		}
		job = &ScheduleVisits{Store: f.s, Logger: quietLog()}
		if err := job.Run(context.Background(), now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := job.Run(context.Background(), now.Add(2*time.Minute)); err != nil { // and once more: nothing
			t.Fatal(err)
		}
		visits := 0
		for _, day := range []string{"2026-10-14", "2026-10-15"} {
			vs, _ := f.s.VisitsOn(context.Background(), apYuhang, day)
			visits += len(vs)
		}
		if visits != tickets {
			t.Fatalf("%d visits for %d tickets", visits, tickets)
		}

		fake, client := newSlack(t)
		dctx, dcancel := context.WithCancel(context.Background())
		dying := &diesAfterPosting{Poster: client, k: 5, cancel: dcancel}
		cfg := bot.DeliveryConfig{Lease: time.Minute, Batch: 4, Now: f.clock.Now, Logger: quietLog()}
		w := bot.NewDeliveryWorker(f.s, dying, textRenderer{}, cfg)
		for {
			n, err := w.DeliverDue(dctx, f.clock.Now())
			if err != nil {
				break // died
			}
			if n == 0 {
				t.Fatal("the worker delivered everything without dying")
			}
		}
		// Restarted: a new worker, after the dead one's lease.
		f.clock.Add(2 * time.Minute)
		w = bot.NewDeliveryWorker(f.s, client, textRenderer{}, cfg)
		deliverAll(t, f, w, time.Minute, 20)
		notices := checkExactlyOnce(t, f, fake)
		scheduled := 0
		for _, n := range notices {
			if n.Kind == models.NoticeVisitScheduled {
				scheduled++
			}
		}
		if scheduled != 3*tickets {
			t.Fatalf("%d visit_scheduled notices, want %d", scheduled, 3*tickets)
		}
		if len(fake.Calls("conversations.history")) == 0 {
			t.Fatal("the restarted worker did not look for the notice the dead one posted")
		}
	})
}

// TestOtherJobs runs the reminder jobs by hand through the scheduler.
func TestOtherJobs(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		tk := f.ticketAt(t, apYuhang, cst(2026, 10, 16, 16, 0))
		sched, err := New(f.s, Config{Logger: quietLog(), Now: f.clock.Now, Escalate: "UBOSS"})
		if err != nil {
			t.Fatal(err)
		}
		// An application left in review from the same Friday.
		actor := f.customer(t)
		ap, _ := f.s.AccessPoint(ctx, apYuhang)
		if _, err := f.s.Apply(ctx, actor, models.Application{Name: "waiting", AccessPointID: apYuhang, ProviderID: providerID,
			PortType: ap.PortTypes[0].PortType, BandwidthMbps: max(ap.PortTypes[0].MinMbps, models.MinBandwidthMbps), Location: "x"}, applyChannel); err != nil {
			t.Fatal(err)
		}
		for _, run := range []struct {
			job string
			at  time.Time
		}{
			{JobScheduleVisits, cst(2026, 10, 16, 16, 10)},
			{JobReceptionReminders, cst(2026, 10, 19, 8, 0)},
			{JobReviewSLA, cst(2026, 10, 21, 9, 0)},
			{JobCustomerReminders, cst(2026, 10, 21, 10, 0)},
		} {
			f.clock.Set(run.at)
			if err := sched.RunJob(ctx, run.job, run.at); err != nil {
				t.Fatal(err)
			}
		}
		notices, _ := f.s.Notices(ctx, 0)
		kinds := map[models.NoticeKind]int{}
		for _, n := range notices {
			kinds[n.Kind]++
		}
		if kinds[models.NoticeVisitScheduled] != 3 || kinds[models.NoticeVisitReminder] != 2 || kinds[models.NoticeReviewOverdue] != 1 {
			t.Fatalf("notices by kind %v (ticket %d)", kinds, tk.ID)
		}
	})
}
