package stack

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/leaseline/leaseline/bot"
)

// NoticeWorkers is how many notices River posts at once per process.
const NoticeWorkers = 8

// noticeRiver builds the River client of notice delivery on the store's
// database: LISTEN/NOTIFY on PostgreSQL (a pgx pool of its own for the
// listener), riversqlite's notification polling on SQLite; River's tables
// are migrated.
func (s *Stack) noticeRiver(ctx context.Context, c Config) error {
	db, err := c.Store.DB()
	if err != nil {
		return fmt.Errorf("notice jobs: %w", err)
	}
	var driver riverdriver.Driver[*sql.Tx]
	switch c.Store.Dialect() {
	case "postgres":
		pool, err := pgxpool.New(ctx, c.Store.DatabaseURL())
		if err != nil {
			return fmt.Errorf("notice jobs: listener pool: %w", err)
		}
		s.closers = append(s.closers, pool.Close)
		driver = riverdatabasesql.NewWithPgxListener(db, pool)
	default:
		driver = riversqlite.New(db)
	}
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: c.Logger})
	if err != nil {
		return fmt.Errorf("notice jobs: river migrations: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("notice jobs: river migrations: %w", err)
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, c.NoticeJobs.Worker(s.Delivery, c.Store)); err != nil {
		return fmt.Errorf("notice jobs: %w", err)
	}
	client, err := river.NewClient(driver, &river.Config{
		Queues:            map[string]river.QueueConfig{bot.NoticeQueue: {MaxWorkers: NoticeWorkers}},
		Workers:           workers,
		FetchCooldown:     5 * time.Millisecond,
		FetchPollInterval: time.Second,
		Logger:            c.Logger,
	})
	if err != nil {
		return fmt.Errorf("notice jobs: river client: %w", err)
	}
	c.NoticeJobs.SetClient(client)
	s.river = client
	return nil
}

// RunDelivery delivers notices until ctx is done: River's client when the
// stack was built with NoticeJobs, else the delivery worker's polling loop.
func (s *Stack) RunDelivery(ctx context.Context) error {
	if s.river == nil {
		return s.Delivery.Run(ctx)
	}
	if err := s.river.Start(ctx); err != nil {
		return fmt.Errorf("start notice jobs: %w", err)
	}
	<-ctx.Done()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := s.river.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop notice jobs: %w", err)
	}
	for _, f := range s.closers {
		f()
	}
	return nil
}
