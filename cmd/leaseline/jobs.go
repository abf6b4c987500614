package main

// The scheduler's wiring; its jobs land with the scheduler issue.

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models/store"
)

type jobsConfig struct{}

func loadJobsConfig(getenv) jobsConfig { return jobsConfig{} }

func (jobsConfig) validate() []error { return nil }

type schedulerWiring struct{}

func newScheduler(*config, *store.Store, *slack.Client, prometheus.Registerer, *slog.Logger) (*schedulerWiring, error) {
	return &schedulerWiring{}, nil
}

func (*schedulerWiring) nudger() interface{ Nudge() } { return nil }
func (*schedulerWiring) setRenderer(any)              {}
func (*schedulerWiring) run(ctx context.Context) error {
	<-ctx.Done()
	return nil
}

var errNoScheduler = errors.New("the scheduler is not built yet")

func jobsListCmd(getenv, []string, io.Writer, io.Writer) error { return errNoScheduler }
func jobsRunCmd(context.Context, getenv, []string, io.Writer, io.Writer) error {
	return errNoScheduler
}
func noticesFailedCmd(context.Context, getenv, []string, io.Writer, io.Writer) error {
	return errNoScheduler
}
func demoCmd(context.Context, []string, io.Writer, io.Writer) error { return errNoScheduler }
