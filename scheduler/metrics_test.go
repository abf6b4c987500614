package scheduler

import (
	"context"
	"errors"
	"github.com/leaseline/leaseline/bot"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// failingJob always fails.
type failingJob struct{ nopJob }

func (failingJob) Run(context.Context, time.Time) error { return errors.New("broken") }

// metricValue reads one sample of a gathered family by its labels (a
// histogram's sample count); ok is false when there is none.
func metricValue(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string) (float64, bool) {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] != lp.GetValue() {
					continue next
				}
			}
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue(), true
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue(), true
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount()), true
			}
		}
	}
	return 0, false
}

func wantMetric(t *testing.T, g prometheus.Gatherer, name string, labels map[string]string, want float64) {
	t.Helper()
	if got, _ := metricValue(t, g, name, labels); got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

// TestJobMetrics: each run, by hand or on a tick, counts by job and
// outcome and observes its duration.
func TestJobMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewWithJobs(nil, "sqlite", Config{Metrics: m, Logger: quietLog()},
		nopJob{JobReviewSLA}, failingJob{nopJob{JobCustomerReminders}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 2 {
		if err := s.RunJob(ctx, JobReviewSLA, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RunJob(ctx, JobCustomerReminders, time.Now()); err == nil {
		t.Fatal("failing job succeeded")
	}
	w := &tickWorker{s: s}
	if err := w.Work(ctx, tickJob(JobReviewSLA, time.Now())); err != nil {
		t.Fatal(err)
	}
	wantMetric(t, reg, "leaseline_job_runs_total", map[string]string{"job": JobReviewSLA, "outcome": "ok"}, 3)
	wantMetric(t, reg, "leaseline_job_runs_total", map[string]string{"job": JobCustomerReminders, "outcome": "error"}, 1)
	wantMetric(t, reg, "leaseline_job_duration_seconds", map[string]string{"job": JobReviewSLA}, 3)
	wantMetric(t, reg, "leaseline_job_duration_seconds", map[string]string{"job": JobCustomerReminders}, 1)
	if _, ok := metricValue(t, reg, "leaseline_job_runs_total", map[string]string{"job": JobCustomerReminders, "outcome": "ok"}); ok {
		t.Error("a failed run counted as ok")
	}
}

// TestDeliveryMetrics: a 429 counts as rate_limited, a 500 as retry, every
// notice delivered once as a delivery, a refusal as failed; the backlog
// gauge follows the pending notices at each scrape.
func TestDeliveryMetrics(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := bookedFixture(t, backend)
		ctx := context.Background()
		reg := prometheus.NewRegistry()
		m, err := bot.NewDeliveryMetrics(reg)
		if err != nil {
			t.Fatal(err)
		}
		backlog := NewBacklogCollector(f.s, time.Second, quietLog())
		reg.MustRegister(backlog)
		pending, err := f.s.PendingNotices(ctx)
		if err != nil || pending == 0 {
			t.Fatalf("pending notices %d, %v", pending, err)
		}
		wantMetric(t, reg, "leaseline_notices_pending", nil, float64(pending))

		fake, client := newSlack(t)
		w := bot.NewDeliveryWorker(f.s, client, textRenderer{}, bot.DeliveryConfig{Batch: 5, Metrics: m, Now: f.clock.Now, Logger: quietLog()})
		fake.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, time.Second)
		if _, err := w.DeliverDue(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantMetric(t, reg, "leaseline_notice_delivery_failures_total", map[string]string{"outcome": "rate_limited"}, 1)
		wantMetric(t, reg, "leaseline_notice_deliveries_total", nil, 0)
		f.clock.Add(2 * time.Second)
		fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError, 0)
		deliverAll(t, f, w, 30*time.Second, 50)
		notices := checkExactlyOnce(t, f, fake)
		wantMetric(t, reg, "leaseline_notice_delivery_failures_total", map[string]string{"outcome": "retry"}, 1)
		wantMetric(t, reg, "leaseline_notice_deliveries_total", nil, float64(len(notices)))
		wantMetric(t, reg, "leaseline_notices_pending", nil, 0)

		// A refusal fails the notice for good (and alerts staff).
		f.ticketAt(t, apYuhang, cst(2026, 10, 13, 10, 30))
		if err := (&ScheduleVisits{Store: f.s, Logger: quietLog()}).Run(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		w2 := bot.NewDeliveryWorker(f.s, refusingPoster{}, textRenderer{}, bot.DeliveryConfig{Batch: 1, Metrics: m, Now: f.clock.Now, Logger: quietLog()})
		if _, err := w2.DeliverDue(ctx, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		wantMetric(t, reg, "leaseline_notice_delivery_failures_total", map[string]string{"outcome": "failed"}, 1)
	})
}

// errBacklog is a store whose count fails.
type errBacklog struct{}

func (errBacklog) PendingNotices(context.Context) (int64, error) {
	return 0, errors.New("database down")
}

// TestBacklogCollectorDatabaseDown: a failing count reports nothing but
// does not fail the scrape of the other metrics.
func TestBacklogCollectorDatabaseDown(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewBacklogCollector(errBacklog{}, time.Second, quietLog()))
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "other_total", Help: "x"})
	reg.MustRegister(c)
	if err := testutil.GatherAndCompare(reg, strings.NewReader("# HELP other_total x\n# TYPE other_total counter\nother_total 0\n")); err != nil {
		t.Fatal(err)
	}
}

// tickJob is the River job of one tick of job name, as the runner hands it
// to tickWorker.
func tickJob(name string, tick time.Time) *river.Job[tickArgs] {
	return &river.Job[tickArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: tickArgs{Job: name, Tick: tick.UTC().Format(time.RFC3339)}}
}
