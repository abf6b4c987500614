package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/scheduler"
	"github.com/leaseline/leaseline/stack"
)

func serveCmd(ctx context.Context, env getenv, args []string, stderr io.Writer) error {
	c, err := loadConfig(env, newFlags("serve", stderr), args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.validate(true)); err != nil {
		return err
	}
	log := c.logger(stderr)
	slog.SetDefault(log)
	return serve(ctx, c, log)
}

// serve runs the bot until ctx ends, then drains: the HTTP server stops
// taking requests, in-flight Slack work and jobs finish, the database closes.
func serve(ctx context.Context, c *config, log *slog.Logger) error {
	// One registry for everything /metrics shows, handed to each part that
	// counts (no global registry).
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	// The store tells delivery that notices were committed: a press's, a
	// scheduled job's, a delivery alert's.
	signal := bot.NewNoticeSignal()
	st, err := openStoreWith(ctx, c, log, reg, signal.Committed)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := loadCatalog(ctx, st, c.Catalog, log); err != nil {
		return err
	}
	schedMetrics, err := scheduler.NewMetrics(reg)
	if err != nil {
		return err
	}
	if err := reg.Register(scheduler.NewBacklogCollector(st, 2*time.Second, log)); err != nil {
		return fmt.Errorf("register notice backlog metric: %w", err)
	}

	transport, err := bot.InstrumentTransport(nil, c.APIURL, reg)
	if err != nil {
		return err
	}
	deliveryMetrics, err := bot.NewDeliveryMetrics(reg)
	if err != nil {
		return err
	}
	jobs := c.Jobs.Config
	jobs.Metrics = schedMetrics
	stk, err := stack.New(ctx, stack.Config{
		Store: st, Signal: signal,
		BotToken: c.BotToken, APIURL: c.APIURL, AppToken: c.AppToken,
		HTTPClient:    &http.Client{Timeout: 15 * time.Second, Transport: transport},
		SigningSecret: c.SigningSecret,
		Handlers:      handlers.Config{StaffUsers: c.StaffUsers, StaffGroup: c.StaffGroup, StaffChannel: c.StaffChannel},
		Dispatcher:    bot.Options{Registerer: reg, LaterWorkers: c.LaterWorkers},
		Durable:       true,
		Delivery:      bot.DeliveryConfig{Metrics: deliveryMetrics},
		Scheduler:     &jobs,
		Logger:        log,
	})
	if err != nil {
		return err
	}
	client, disp, sched, worker := stk.Client, stk.Dispatcher, stk.Scheduler, stk.Delivery

	mux := http.NewServeMux()
	if stk.Receiver != nil {
		mux.Handle("/slack/", stk.Receiver)
	}
	ready := &readiness{store: st, slack: client, log: log}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", ready.serveHTTP)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	srv := &http.Server{
		Addr: c.Addr, Handler: mux,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}

	var wg sync.WaitGroup
	errc := make(chan error, 4)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http server: %w", err)
		}
	})
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	if c.AppToken != "" {
		sm, err := bot.NewSocketModeReceiver(socketmode.New(client), disp)
		if err != nil {
			return err
		}
		wg.Go(func() {
			if err := sm.Run(runCtx); err != nil && runCtx.Err() == nil {
				errc <- fmt.Errorf("socket mode: %w", err)
			}
		})
	}
	wg.Go(func() {
		if err := sched.Run(runCtx); err != nil && runCtx.Err() == nil {
			errc <- fmt.Errorf("scheduler: %w", err)
		}
	})
	wg.Go(func() {
		if err := worker.Run(runCtx); err != nil && runCtx.Err() == nil {
			errc <- fmt.Errorf("notice delivery: %w", err)
		}
	})
	// Durable post-ack work: replay what a dead replica acked but did not do.
	wg.Go(func() { _ = disp.RunRecovery(runCtx, stack.JournalEvery, stack.JournalStaleAfter) })
	mode := "HTTP mode"
	if c.AppToken != "" {
		mode = "Socket Mode"
	}
	log.Info("leaseline is serving", "mode", mode, "addr", ln.Addr().String(), "database", st.Dialect(), "version", version())

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down: draining in-flight requests and jobs")
	case runErr = <-errc:
		log.Error("stopping", "err", runErr)
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 25*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("http shutdown", "err", err)
	}
	cancelRun()
	if err := disp.Shutdown(shutdownCtx); err != nil {
		log.Error("slack work did not drain", "err", err)
	}
	wg.Wait()
	log.Info("stopped")
	return runErr
}

// readiness answers /readyz: the database answers, its migrations are
// current and Slack accepts the token (checked at most every 30 s).
type readiness struct {
	store *store.Store
	slack interface {
		AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	}
	log *slog.Logger

	mu        sync.Mutex
	slackAt   time.Time
	slackErr  error
	slackTeam string
}

func (r *readiness) serveHTTP(w http.ResponseWriter, req *http.Request) {
	ctx, cancel := context.WithTimeout(req.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	if err := r.store.Ping(ctx); err != nil {
		checks["database"], ok = "unreachable: "+err.Error(), false
	} else if cur, err := r.store.MigrationsCurrent(ctx); err != nil || !cur {
		checks["database"], ok = "migrations pending", false
	} else {
		checks["database"] = "ok"
	}
	if err := r.slackOK(ctx); err != nil {
		checks["slack"], ok = "auth failed: "+err.Error(), false
	} else {
		checks["slack"] = "ok"
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
}

func (r *readiness) slackOK(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.slackAt.IsZero() && time.Since(r.slackAt) < 30*time.Second {
		return r.slackErr
	}
	res, err := r.slack.AuthTestContext(ctx)
	r.slackAt, r.slackErr = time.Now(), err
	if err == nil {
		r.slackTeam = res.TeamID
	}
	return err
}
