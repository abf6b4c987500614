// Package stack assembles leaseline's running bot from a configuration:
// the store, the Slack Web API client, the handlers, the router, the
// dispatcher and its HTTP receiver, the notice delivery worker and,
// optionally, the scheduler. serve, the demo, the handlers' tests and the
// ack benchmark all build it here, so that what they run is what production
// runs.
package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/scheduler"
)

// Config is what the stack is built from. The store is opened (and
// migrated) by the caller, with Signal.Committed as its notices hook.
type Config struct {
	Store *store.Store
	// Signal is the store's notices hook (nil: delivery only polls).
	Signal *bot.NoticeSignal

	// BotToken and APIURL address Slack's Web API (APIURL "" is Slack's);
	// AppToken, if set, is the app-level token of Socket Mode.
	BotToken, APIURL, AppToken string
	// HTTPClient calls the Web API and response_urls (nil: a client with
	// a 15 s timeout).
	HTTPClient *http.Client
	// SigningSecret checks the HTTP requests ("" builds no HTTP receiver).
	SigningSecret string

	// Handlers configures the handlers (staff, the staff channel, the clock).
	Handlers handlers.Config
	// Calendar configures the calendar feed endpoint (rate limits).
	Calendar handlers.FeedConfig
	// Dispatcher configures the transport (logger, metrics, workers,
	// journal). Journal nil with Durable set journals in the store.
	Dispatcher bot.Options
	// Durable journals durable presses in the store (slack_journal), so
	// that another replica replays what a dead one acked.
	Durable bool
	// Delivery configures notice delivery; its Signal is Config.Signal.
	// Parallel 0 posts one notice at a time on SQLite (its writers queue
	// on the busy timeout: lanes side by side measured slower on loopback,
	// BenchmarkEndToEnd) and bot.DefaultDeliveryParallel at once on
	// PostgreSQL.
	Delivery bot.DeliveryConfig
	// Scheduler, if set, builds the scheduler of the jobs (its River tables
	// migrated).
	Scheduler *scheduler.Config

	Logger *slog.Logger
}

// Stack is the running bot's parts.
type Stack struct {
	Store      *store.Store
	Client     *slack.Client
	App        *handlers.App
	Router     *bot.Router
	Dispatcher *bot.Dispatcher
	// Receiver is the HTTP receiver (nil without a signing secret).
	Receiver  *bot.HTTPReceiver
	Delivery  *bot.DeliveryWorker
	Scheduler *scheduler.Scheduler // nil without Config.Scheduler
	// Calendar serves the iCalendar feeds, GET /calendar/<token>.ics, on
	// the public listener.
	Calendar *handlers.CalendarFeed
}

// New builds the stack.
func New(ctx context.Context, c Config) (*Stack, error) {
	if c.Store == nil {
		return nil, errors.New("stack: no store")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Handlers.Logger == nil {
		c.Handlers.Logger = c.Logger
	}
	if c.Dispatcher.Logger == nil {
		c.Dispatcher.Logger = c.Logger
	}
	if c.Delivery.Logger == nil {
		c.Delivery.Logger = c.Logger
	}
	if c.Delivery.Now == nil {
		c.Delivery.Now = c.Handlers.Now
	}
	c.Delivery.Signal = c.Signal
	if c.Delivery.Parallel <= 0 && c.Store.Dialect() == "sqlite" {
		c.Delivery.Parallel = 1
	}
	if c.Durable && c.Dispatcher.Journal == nil {
		c.Dispatcher.Journal = Journal{c.Store}
	}
	if c.Dispatcher.Deduper == nil {
		// Every replica shares the seen-set: an exact replay of a signed
		// request does nothing twice, whichever replica it reaches.
		c.Dispatcher.Deduper = c.Store
	}
	s := &Stack{Store: c.Store}
	var extra []slack.Option
	if c.AppToken != "" {
		extra = append(extra, slack.OptionAppLevelToken(c.AppToken))
	}
	s.Client = bot.NewClient(c.BotToken, c.APIURL, c.HTTPClient, extra...)
	s.App = handlers.New(c.Store, s.Client, bot.NewResponder(c.HTTPClient), c.Handlers)
	s.Router = bot.NewRouter()
	s.App.Register(s.Router)
	var err error
	if s.Dispatcher, err = bot.NewDispatcher(s.Router, c.Dispatcher); err != nil {
		return nil, err
	}
	if c.SigningSecret != "" {
		if s.Receiver, err = bot.NewHTTPReceiver(s.Dispatcher, c.SigningSecret); err != nil {
			return nil, err
		}
	}
	s.Delivery = bot.NewDeliveryWorker(c.Store, s.Client, s.App, c.Delivery)
	if c.Calendar.Logger == nil {
		c.Calendar.Logger = c.Logger
	}
	s.Calendar = handlers.NewCalendarFeed(c.Store, c.Calendar)
	if c.Scheduler != nil {
		cfg := *c.Scheduler
		if cfg.Logger == nil {
			cfg.Logger = c.Logger
		}
		if s.Scheduler, err = scheduler.New(c.Store, cfg); err != nil {
			return nil, err
		}
		if err := s.Scheduler.Migrate(ctx); err != nil {
			return nil, fmt.Errorf("scheduler: %w", err)
		}
	}
	return s, nil
}
