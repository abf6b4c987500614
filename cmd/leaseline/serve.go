package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/slack-go/slack/socketmode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/scheduler"
	"github.com/leaseline/leaseline/stack"
)

// The Go runtime's soft memory limit of a replica whose environment sets
// no GOMEMLIMIT (GOMEMLIMIT overrides it; GOMEMLIMIT=off: none). A
// replica's peak RSS is its binary's pages (about 30 MiB once serving:
// code, the tables the runtime reads, the letter fonts' glyphs) plus what
// the Go runtime holds: the budget of 60 MiB leaves it about 28.
// Without a limit the heap grows to twice what is live before a
// collection: 63-65 MiB when entry letters render (about 18 MB of garbage
// each). With SQLite the embedded engine's page caches and statements live
// outside the Go heap (about 3 MiB more anonymous memory than with
// PostgreSQL under the soak), so the heap gets less. SQLite replicas under
// the soak, three runs each (2026-11-28): 28 MiB peaked at 59.3-59.7 MiB
// (60.1 and 60.3 in earlier runs), load phase 23-24 s; 26 MiB at 57.8-58.6,
// 25-26 s; 25 MiB at 57.2-58.9, 28-29 s (the collector's share grows).
const (
	defaultMemoryLimit       = 28 << 20
	defaultMemoryLimitSQLite = 26 << 20
)

// softMemoryLimit sets the default limit for the database (sqlite: the
// embedded file) unless GOMEMLIMIT is set (the Go runtime has read it
// then). Only `leaseline serve` sets it: tests run serve in their own
// process, whose limits are theirs.
func softMemoryLimit(getenv getenv, sqlite bool) {
	if getenv("GOMEMLIMIT") != "" {
		return
	}
	if sqlite {
		debug.SetMemoryLimit(defaultMemoryLimitSQLite)
	} else {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
}

// serveCmd is `leaseline serve`: serveOn with the replica's memory limit.
func serveCmd(ctx context.Context, env getenv, args []string, stderr io.Writer) error {
	return serveOn(ctx, env, args, stderr, nil, softMemoryLimit)
}

// serveOn serves HTTP on ln, or on a listener of the configured address
// when ln is nil (tests pass one on 127.0.0.1:0). limit, when not nil,
// sets the process's memory limit once the configuration says which
// database it uses (tests pass nil).
func serveOn(ctx context.Context, env getenv, args []string, stderr io.Writer, ln net.Listener, limit func(getenv, bool)) error {
	c, err := loadConfig(env, newFlags("serve", stderr), args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.validate(true)); err != nil {
		return err
	}
	if limit != nil {
		_, sqlite := sqlitePath(c) // a file path or none: the embedded SQLite
		limit(env, sqlite)
	}
	log := c.logger(stderr)
	slog.SetDefault(log)
	if ln != nil {
		c.listener = ln
	}
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
	catState, err := loadCatalog(ctx, st, c.Catalog, log)
	if err != nil {
		return err
	}
	if err := reg.Register(newCalendarCollector(st, log)); err != nil {
		return fmt.Errorf("register calendar horizon metric: %w", err)
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
		Handlers: handlers.Config{StaffUsers: c.StaffUsers, StaffGroup: c.StaffGroup, StaffChannel: c.StaffChannel, PublicURL: c.PublicURL,
			Operator: c.Operator, OperatorAddress: c.OperatorAddress,
			CatalogWarning: func(ctx context.Context) string { return catState.current(ctx, st).warning() }},
		Dispatcher: bot.Options{Registerer: reg, LaterWorkers: c.LaterWorkers},
		Durable:    true,
		Delivery:   bot.DeliveryConfig{Metrics: deliveryMetrics},
		Scheduler:  &jobs,
		Logger:     log,
	})
	if err != nil {
		return err
	}
	client, disp, sched, worker := stk.Client, stk.Dispatcher, stk.Scheduler, stk.Delivery

	mux := http.NewServeMux()
	if stk.Receiver != nil {
		mux.Handle("/slack/", stk.Receiver)
	}
	mux.Handle("GET "+handlers.CalendarPath, stk.Calendar) // iCalendar feeds: public, token-guarded, rate-limited
	health, err := newHealth(st, client, catState, reg, log)
	if err != nil {
		return err
	}
	mux.HandleFunc("GET /healthz", health.ServeLive)
	admin := mux // /readyz and /metrics: on their own listener when LEASELINE_ADMIN_ADDR is set
	if c.AdminAddr != "" {
		admin = http.NewServeMux()
		admin.HandleFunc("GET /healthz", health.ServeLive)
	}
	admin.HandleFunc("GET /readyz", health.ServeReady)
	admin.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	alerts := &staffAlerts{st: st, slack: client, channel: c.StaffChannel, log: log, now: time.Now}

	srv := &http.Server{
		Addr: c.Addr, Handler: mux,
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	ln, err := listen(c.Addr, c.listener)
	if err != nil {
		return err
	}

	adminSrv, adminLn, err := listenAdmin(ctx, c.AdminAddr, c.adminListener, admin)
	if err != nil {
		_ = ln.Close()
		return err
	}

	var wg sync.WaitGroup
	errc := make(chan error, 4)
	wg.Go(func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http server: %w", err)
		}
	})
	if adminSrv != nil {
		wg.Go(func() {
			if err := adminSrv.Serve(adminLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("admin http server: %w", err)
			}
		})
	}
	runCtx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	wg.Go(func() { health.Probe(runCtx, 30*time.Second) })
	wg.Go(func() {
		alerts.atStart(runCtx, catState)
		alerts.watchHorizons(runCtx)
	})
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
	log.Info("leaseline is listening", "mode", mode, "addr", ln.Addr().String(), "admin_addr", addrOf(adminLn), "database", st.Dialect(), "catalog", catState.status(), "version", version())

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
	if adminSrv != nil {
		if err := adminSrv.Shutdown(shutdownCtx); err != nil {
			log.Error("admin http shutdown", "err", err)
		}
	}
	cancelRun()
	if err := disp.Shutdown(shutdownCtx); err != nil {
		log.Error("slack work did not drain", "err", err)
	}
	wg.Wait()
	log.Info("stopped")
	return runErr
}
