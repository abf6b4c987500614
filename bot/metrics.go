package bot

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Outcomes recorded in the requests counter.
const (
	outcomeOK        = "ok"        // handler ran and the ack was sent
	outcomeDuplicate = "duplicate" // a retry of a request already seen: acked, not run
	outcomeUnrouted  = "unrouted"  // no route and no fallback: acked empty
	outcomePanic     = "panic"     // the handler panicked
	outcomeTimeout   = "timeout"   // the handler returned after its deadline
	outcomeRejected  = "rejected"  // refused while shutting down
)

// slowAck is the ack latency counted as slow: Slack gives up at 3s.
const slowAck = time.Second

// metrics holds the transport's collectors. A nil *metrics records nothing.
type metrics struct {
	requests      *prometheus.CounterVec
	ackLatency    *prometheus.HistogramVec
	slowAcks      prometheus.Counter
	signatureFail prometheus.Counter
	laterInFlight prometheus.Gauge
	laterQueue    prometheus.Gauge
}

// newMetrics creates the collectors and registers them with reg; nil reg means
// no metrics.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		return nil, nil
	}
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "requests_total",
			Help: "Slack requests by kind, route name and outcome.",
		}, []string{"kind", "name", "outcome"}),
		ackLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "ack_duration_seconds",
			Help:    "Time from receiving a Slack request to handing its ack to the transport.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2, 2.5, 3, 5},
		}, []string{"kind"}),
		slowAcks: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "slow_acks_total",
			Help: "Acks that took longer than 1s (Slack gives up after 3s).",
		}),
		signatureFail: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "signature_failures_total",
			Help: "HTTP requests refused because their Slack signature was missing, stale or wrong.",
		}),
		laterInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "later_in_flight",
			Help: "Post-ack work currently running.",
		}),
		laterQueue: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "leaseline", Subsystem: "slack", Name: "later_queued",
			Help: "Post-ack work waiting for a free worker (Options.LaterWorkers).",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.ackLatency, m.slowAcks, m.signatureFail, m.laterInFlight, m.laterQueue} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register slack metrics (one Dispatcher per registry): %w", err)
		}
	}
	return m, nil
}

func (m *metrics) request(kind Kind, name, outcome string) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(kind.String(), name, outcome).Inc()
}

func (m *metrics) ack(kind Kind, d time.Duration) {
	if m == nil {
		return
	}
	m.ackLatency.WithLabelValues(kind.String()).Observe(d.Seconds())
	if d > slowAck {
		m.slowAcks.Inc()
	}
}

func (m *metrics) signatureFailure() {
	if m == nil {
		return
	}
	m.signatureFail.Inc()
}

func (m *metrics) laterStarted() {
	if m == nil {
		return
	}
	m.laterInFlight.Inc()
}

func (m *metrics) laterQueued(delta float64) {
	if m == nil {
		return
	}
	m.laterQueue.Add(delta)
}

func (m *metrics) laterDone() {
	if m == nil {
		return
	}
	m.laterInFlight.Dec()
}
