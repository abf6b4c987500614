package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// DefaultDeliveryParallel is the default of DeliveryConfig.Parallel.
const DefaultDeliveryParallel = 4

// DeliveryConfig configures notice delivery.
type DeliveryConfig struct {
	// PollInterval is how often the worker looks for due notices besides
	// the store's signal (default 500ms).
	PollInterval time.Duration
	// Batch is how many notices one claim takes (default 20).
	Batch int
	// Parallel is how many notices of a batch are posted at once (default
	// 4; 1 posts one after the other). Notices whose order matters are
	// always posted one after the other (see lanes).
	Parallel int
	// Lease is how long a claimed notice stays with its worker; after it, a
	// worker that died lets go of it (default 30s: longer than one Slack call
	// with its 15 s client timeout, short enough that a killed replica's
	// notices go out within half a minute).
	Lease time.Duration
	// MaxAttempts is how many failed attempts make a notice fail for good
	// (default 20: with the default backoff, about two and a half hours of
	// Slack outage). Rate-limited attempts do not count.
	MaxAttempts int
	// Backoff is the wait after the first failed attempt, doubled after each
	// one up to MaxBackoff (defaults 2s and 10m).
	Backoff, MaxBackoff time.Duration
	// HistoryLookback is how far before a notice was recorded its channel's
	// history is searched for it before posting it again (default 10m).
	HistoryLookback time.Duration
	// Signal wakes the worker when the store committed notices (nil: the
	// worker only polls).
	Signal *NoticeSignal
	// Metrics counts deliveries and failed attempts (nil: none).
	Metrics *DeliveryMetrics
	// Now is the clock of the claims and their leases (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
}

func (d DeliveryConfig) withDefaults() DeliveryConfig {
	if d.PollInterval <= 0 {
		d.PollInterval = 500 * time.Millisecond
	}
	if d.Batch <= 0 {
		d.Batch = 20
	}
	if d.Parallel <= 0 {
		d.Parallel = DefaultDeliveryParallel
	}
	if d.Lease <= 0 {
		d.Lease = 30 * time.Second
	}
	if d.MaxAttempts <= 0 {
		d.MaxAttempts = 20
	}
	if d.Backoff <= 0 {
		d.Backoff = 2 * time.Second
	}
	if d.MaxBackoff <= 0 {
		d.MaxBackoff = 10 * time.Minute
	}
	if d.HistoryLookback <= 0 {
		d.HistoryLookback = 10 * time.Minute
	}
	if d.Signal == nil {
		d.Signal = NewNoticeSignal()
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	return d
}

// Validate checks the configuration (with defaults filled in); the error
// lists every problem.
func (d DeliveryConfig) Validate() error {
	d = d.withDefaults()
	var errs []error
	if d.MaxBackoff < d.Backoff {
		errs = append(errs, fmt.Errorf("delivery backoff %s is longer than its maximum %s", d.Backoff, d.MaxBackoff))
	}
	if d.Lease < 2*postTimeout {
		errs = append(errs, fmt.Errorf("delivery lease %s: must be at least %s, twice the longest post to Slack", d.Lease, 2*postTimeout))
	}
	return errors.Join(errs...)
}

// Outcomes of a notice delivery attempt, as metric labels.
const (
	deliveryRetry       = "retry"        // failed; tried again after a backoff
	deliveryRateLimited = "rate_limited" // Slack answered 429; tried again after Retry-After
	deliveryFailed      = "failed"       // failed for good (refused, or out of attempts)
)

// DeliveryMetrics count notice deliveries and failed attempts. A nil
// *DeliveryMetrics records nothing.
type DeliveryMetrics struct {
	deliveries prometheus.Counter
	failures   *prometheus.CounterVec
}

// NewDeliveryMetrics creates the delivery collectors and registers them
// with reg.
func NewDeliveryMetrics(reg prometheus.Registerer) (*DeliveryMetrics, error) {
	m := &DeliveryMetrics{
		deliveries: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "notice", Name: "deliveries_total",
			Help: "Notices delivered to Slack (posted, or found already posted).",
		}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "notice", Name: "delivery_failures_total",
			Help: "Failed notice delivery attempts, by what follows: retry, rate_limited (after Retry-After) or failed (for good).",
		}, []string{"outcome"}),
	}
	for _, c := range []prometheus.Collector{m.deliveries, m.failures} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register delivery metrics (one DeliveryMetrics per registry): %w", err)
		}
	}
	return m, nil
}

func (m *DeliveryMetrics) delivered() {
	if m != nil {
		m.deliveries.Inc()
	}
}

func (m *DeliveryMetrics) failed(outcome string) {
	if m != nil {
		m.failures.WithLabelValues(outcome).Inc()
	}
}
