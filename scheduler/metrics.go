package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes of a job run, as metric labels.
const (
	outcomeOK    = "ok"
	outcomeError = "error"
)

// Metrics are the scheduler's collectors: job runs and durations. A nil
// *Metrics records nothing. (Notice deliveries are bot.DeliveryMetrics.)
type Metrics struct {
	jobRuns     *prometheus.CounterVec
	jobDuration *prometheus.HistogramVec
	lastSuccess *prometheus.GaugeVec
}

// NewMetrics creates the scheduler's collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "job", Name: "runs_total",
			Help: "Job runs (on the timetable or by hand) by job and outcome (ok, error).",
		}, []string{"job", "outcome"}),
		jobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "leaseline", Subsystem: "job", Name: "duration_seconds",
			Help:    "How long a job run took, by job.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300, 900, 1800},
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: "leaseline", Subsystem: "job", Name: "last_success_timestamp_seconds",
			Help: "When a run of the job last succeeded (Unix time), by job; absent until one does in this process.",
		}, []string{"job"}),
	}
	for _, c := range []prometheus.Collector{m.jobRuns, m.jobDuration, m.lastSuccess} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register scheduler metrics (one Metrics per registry): %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) jobRun(job string, took time.Duration, err error) {
	if m == nil {
		return
	}
	outcome := outcomeOK
	if err != nil {
		outcome = outcomeError
	} else {
		m.lastSuccess.WithLabelValues(job).SetToCurrentTime()
	}
	m.jobRuns.WithLabelValues(job, outcome).Inc()
	m.jobDuration.WithLabelValues(job).Observe(took.Seconds())
}

// BacklogStore counts the notices waiting for delivery; *store.Store
// satisfies it.
type BacklogStore interface {
	PendingNotices(ctx context.Context) (int64, error)
}

// BacklogCollector is the gauge leaseline_notices_pending, read from the
// database when Prometheus scrapes (so every replica reports the shared
// queue, and nothing polls between scrapes). A query that fails or takes
// longer than its timeout reports nothing for that scrape.
type BacklogCollector struct {
	st      BacklogStore
	timeout time.Duration
	log     *slog.Logger
	desc    *prometheus.Desc
}

// NewBacklogCollector returns the collector of st's pending notices;
// timeout 0 means 2s, log nil slog.Default().
func NewBacklogCollector(st BacklogStore, timeout time.Duration, log *slog.Logger) *BacklogCollector {
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	return &BacklogCollector{st: st, timeout: timeout, log: logger(log), desc: prometheus.NewDesc(
		"leaseline_notices_pending", "Notices recorded and not yet delivered to Slack (the delivery backlog).", nil, nil)}
}

// Describe implements prometheus.Collector.
func (c *BacklogCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

// Collect implements prometheus.Collector.
func (c *BacklogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	n, err := c.st.PendingNotices(ctx)
	if err != nil {
		// Not an invalid metric: that would fail the whole scrape.
		c.log.WarnContext(ctx, "metrics: cannot count pending notices", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
