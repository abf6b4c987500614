package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Health answers /healthz (liveness: the process serves HTTP) and /readyz
// (readiness: the database answers and is migrated). Slack's reachability
// and the notes (e.g. the catalog's state) are reported in /readyz's body
// and Slack's in the metric leaseline_slack_up, but never make a replica
// unready: a Slack outage must not take every replica, and the endpoints
// Slack itself calls, out of the load balancer.
type Health struct {
	cfg HealthConfig
	up  prometheus.Gauge

	mu       sync.Mutex
	probed   bool
	slackErr error
}

// HealthConfig is what Health checks.
type HealthConfig struct {
	// Ready returns nil when the replica can serve: the database answers
	// and its migrations are current. Required.
	Ready func(ctx context.Context) error
	// Slack probes the Web API with the bot token (auth.test). Required.
	Slack func(ctx context.Context) error
	// Notes are reported in /readyz's body as they are ("ok …" or
	// "warning: …"); nil means none.
	Notes func(ctx context.Context) map[string]string
	// Registerer gets leaseline_slack_up (nil: not exported).
	Registerer prometheus.Registerer
	Logger     *slog.Logger
}

// NewHealth returns a Health; run Probe to keep Slack's state current.
func NewHealth(cfg HealthConfig) (*Health, error) {
	if cfg.Ready == nil || cfg.Slack == nil {
		return nil, errors.New("bot: NewHealth: Ready and Slack are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Health{cfg: cfg, up: prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "leaseline_slack_up",
		Help: "1 when the last probe of Slack's Web API (auth.test, every 30 s) succeeded, 0 when it failed.",
	})}
	if cfg.Registerer != nil {
		if err := cfg.Registerer.Register(h.up); err != nil {
			return nil, fmt.Errorf("bot: register leaseline_slack_up: %w", err)
		}
	}
	return h, nil
}

// Probe checks Slack now, then every interval until ctx ends, logging each
// change of state.
func (h *Health) Probe(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := h.cfg.Slack(pctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		h.record(ctx, err)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *Health) record(ctx context.Context, err error) {
	h.mu.Lock()
	was, first := h.slackErr, !h.probed
	h.probed, h.slackErr = true, err
	h.mu.Unlock()
	if err != nil {
		h.up.Set(0)
		if first || was == nil {
			h.cfg.Logger.WarnContext(ctx, "Slack's Web API is not reachable with the bot token; the bot stays ready and keeps trying", "err", err)
		}
		return
	}
	h.up.Set(1)
	if !first && was != nil {
		h.cfg.Logger.InfoContext(ctx, "Slack's Web API is reachable again")
	}
}

// ServeLive answers /healthz.
func (h *Health) ServeLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	_, _ = io.WriteString(w, "ok\n")
}

// ServeReady answers /readyz: 200 when Ready passes, 503 otherwise; the
// JSON body names each check, Slack's and the notes' included.
func (h *Health) ServeReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{"database": "ok"}
	ready := true
	if err := h.cfg.Ready(ctx); err != nil {
		checks["database"], ready = err.Error(), false
	}
	h.mu.Lock()
	switch {
	case !h.probed:
		checks["slack"] = "not checked yet"
	case h.slackErr != nil:
		checks["slack"] = "warning: unreachable (the replica stays ready): " + h.slackErr.Error()
	default:
		checks["slack"] = "ok"
	}
	h.mu.Unlock()
	if h.cfg.Notes != nil {
		for k, v := range h.cfg.Notes(ctx) {
			checks[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if !ready {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": ready, "checks": checks})
}
