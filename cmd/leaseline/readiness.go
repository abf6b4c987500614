package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models/store"
)

// newHealth builds /healthz and /readyz: ready when the database answers
// and is migrated; Slack's reachability and the catalog's state reported.
func newHealth(st *store.Store, client interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
}, cat catalogState, reg prometheus.Registerer, log *slog.Logger) (*bot.Health, error) {
	return bot.NewHealth(bot.HealthConfig{
		Ready: func(ctx context.Context) error {
			if err := st.Ping(ctx); err != nil {
				return fmt.Errorf("unreachable: %w", err)
			}
			if cur, err := st.MigrationsCurrent(ctx); err != nil || !cur {
				return errors.New("migrations pending: run leaseline migrate")
			}
			return nil
		},
		Slack: func(ctx context.Context) error {
			_, err := client.AuthTestContext(ctx)
			return err
		},
		Notes: func(ctx context.Context) map[string]string {
			return map[string]string{"catalog": cat.current(ctx, st).status()}
		},
		Registerer: reg, Logger: log,
	})
}

// listen listens on addr, or uses ln when given (tests hand serve a
// listener they opened on port 0).
func listen(addr string, ln net.Listener) (net.Listener, error) {
	if ln != nil {
		return ln, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	return ln, nil
}

// listenAdmin listens on addr (or uses ln) for /metrics and /readyz;
// nothing when addr is empty.
func listenAdmin(ctx context.Context, addr string, ln net.Listener, h http.Handler) (*http.Server, net.Listener, error) {
	if addr == "" {
		return nil, nil, nil
	}
	ln, err := listen(addr, ln)
	if err != nil {
		return nil, nil, fmt.Errorf("LEASELINE_ADMIN_ADDR: %w", err)
	}
	return &http.Server{
		Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 15 * time.Second,
		BaseContext: func(net.Listener) context.Context { return ctx },
	}, ln, nil
}

func addrOf(ln net.Listener) string {
	if ln == nil {
		return ""
	}
	return ln.Addr().String()
}
