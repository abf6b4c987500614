package scheduler

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/leaseline/leaseline/models"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/robfig/cron/v3"
)

// Store is everything the scheduler needs of the store: the jobs' use
// cases and the database for River. *store.Store
// satisfies it.
type Store interface {
	VisitStore
	ReceptionStore
	ReviewStore
	CustomerStore
	NoShowStore
	// DB is the database River keeps its jobs in.
	DB() (*sql.DB, error)
	// Dialect is "postgres" or "sqlite".
	Dialect() string
}

// Scheduler runs the jobs on their timetable, exactly once per tick across
// every replica sharing the database, through River (see the package
// documentation).
type Scheduler struct {
	cfg       Config
	log       *slog.Logger
	loc       *time.Location
	jobs      []Job
	schedules map[string]cron.Schedule
	db        *sql.DB
	driver    riverdriver.Driver[*sql.Tx]

	mu     sync.Mutex
	client *river.Client[*sql.Tx]

	// noTimetable keeps Run from ticking on its own (tests drive Tick).
	noTimetable bool
}

// New returns a scheduler of the five jobs on st, configured by cfg (which
// must Validate).
func New(st Store, cfg Config) (*Scheduler, error) {
	c := cfg.withDefaults()
	jobs := []Job{
		&ScheduleVisits{Store: st, Batch: c.BookingBatch, Concurrency: bookingConcurrency(c, st.Dialect()), Logger: c.Logger},
		&ReceptionReminders{Store: st, Logger: c.Logger},
		&ReviewSLA{Store: st, Escalate: c.Escalate, Logger: c.Logger},
		&CustomerReminders{Store: st, Policy: reminderPolicy(c), Logger: c.Logger},
		&VisitNoShows{Store: st, Logger: c.Logger},
	}
	db, err := st.DB()
	if err != nil {
		return nil, fmt.Errorf("scheduler: %w", err)
	}
	return NewWithJobs(db, st.Dialect(), cfg, jobs...)
}

func bookingConcurrency(c Config, dialect string) int {
	switch {
	case c.BookingConcurrency > 0:
		return c.BookingConcurrency
	case dialect == "postgres":
		return 4
	}
	return 1
}

func reminderPolicy(c Config) models.ReminderPolicy {
	return models.ReminderPolicy{RemindAfter: c.RemindAfterWorkdays, ExpireUnpaidAfter: max(c.ExpireUnpaidAfterWorkdays, 0)}
}

// NewWithJobs returns a scheduler of the given jobs, keeping its River jobs
// in db ("postgres" or "sqlite" dialect). The timetable may only name these
// jobs.
func NewWithJobs(db *sql.DB, dialect string, cfg Config, jobs ...Job) (*Scheduler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("scheduler configuration: %w", err)
	}
	c := cfg.withDefaults()
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("scheduler time zone: %w", err)
	}
	s := &Scheduler{cfg: c, log: c.Logger, loc: loc, jobs: jobs, schedules: map[string]cron.Schedule{}, db: db}
	for _, j := range jobs {
		spec, ok := c.Timetable[j.Name()]
		if !ok || spec == "" {
			continue
		}
		if s.schedules[j.Name()], err = parseSpec(spec, loc); err != nil {
			return nil, err
		}
	}
	switch dialect {
	case "postgres":
		s.driver = riverdatabasesql.New(db)
	case "sqlite":
		s.driver = riversqlite.New(db)
	default:
		return nil, fmt.Errorf("scheduler: unknown database dialect %q", dialect)
	}
	return s, nil
}

// Jobs lists the jobs, in order.
func (s *Scheduler) Jobs() []Job { return slices.Clone(s.jobs) }

// Spec returns the cron spec of job name ("" when it has no timetable).
func (s *Scheduler) Spec(name string) string {
	if _, ok := s.schedules[name]; !ok {
		return ""
	}
	return s.cfg.Timetable[name]
}

// NextRun returns when job name next runs on its timetable after t; ok is
// false when it has none.
func (s *Scheduler) NextRun(name string, t time.Time) (time.Time, bool) {
	sched, ok := s.schedules[name]
	if !ok {
		return time.Time{}, false
	}
	return sched.Next(t), true
}

func (s *Scheduler) job(name string) (Job, error) {
	for _, j := range s.jobs {
		if j.Name() == name {
			return j, nil
		}
	}
	names := make([]string, len(s.jobs))
	for i, j := range s.jobs {
		names[i] = j.Name()
	}
	return nil, fmt.Errorf("no job named %q (jobs: %v)", name, names)
}

// RunJob runs job name once, now, as if it were at: by hand, in this
// process, outside the timetable (operators catching up, tests). Jobs are
// idempotent, so running one that also ran on its timetable is harmless.
func (s *Scheduler) RunJob(ctx context.Context, name string, at time.Time) error {
	j, err := s.job(name)
	if err != nil {
		return err
	}
	s.log.InfoContext(ctx, "job run by hand", "job", name, "at", at)
	if err := s.runJob(ctx, j, at); err != nil {
		return fmt.Errorf("run %s at %s: %w", name, at.Format(time.RFC3339), err)
	}
	return nil
}

// runJob runs j and records the run in the metrics.
func (s *Scheduler) runJob(ctx context.Context, j Job, now time.Time) error {
	start := time.Now()
	err := j.Run(ctx, now)
	s.cfg.Metrics.jobRun(j.Name(), time.Since(start), err)
	return err
}

// Migrate applies River's migrations (its job tables) to the database.
func (s *Scheduler) Migrate(ctx context.Context) error {
	m, err := rivermigrate.New(s.driver, &rivermigrate.Config{Logger: s.log})
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	for _, v := range res.Versions {
		s.log.InfoContext(ctx, "river migration applied", "version", v.Version, "took", v.Duration)
	}
	return nil
}

// tickArgs is the River job of one tick of one job. Unique by its args: the
// replicas all insert it at the tick, one insert wins, one worker runs it.
type tickArgs struct {
	Job  string `json:"job"`
	Tick string `json:"tick"` // RFC 3339, UTC: the same text on every replica
}

func (tickArgs) Kind() string { return "leaseline_tick" }

func (tickArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	s *Scheduler
}

func (w *tickWorker) Timeout(*river.Job[tickArgs]) time.Duration { return w.s.cfg.JobTimeout }

func (w *tickWorker) Work(ctx context.Context, job *river.Job[tickArgs]) error {
	j, err := w.s.job(job.Args.Job)
	if err != nil {
		return river.JobCancel(err)
	}
	tick, err := time.Parse(time.RFC3339, job.Args.Tick)
	if err != nil {
		return river.JobCancel(fmt.Errorf("tick %q: %w", job.Args.Tick, err))
	}
	// Late (a backlog, a retry): handle everything due up to the present.
	now := w.s.cfg.Now()
	if now.Before(tick) {
		now = tick
	}
	w.s.log.InfoContext(ctx, "job run", "job", j.Name(), "tick", job.Args.Tick, "attempt", job.Attempt)
	if err := w.s.runJob(context.WithValue(ctx, tickKey{}, tick), j, now); err != nil {
		return fmt.Errorf("%s tick %s: %w", j.Name(), job.Args.Tick, err)
	}
	return nil
}

type tickKey struct{}

// TickOf returns the timetable tick a job's run belongs to, from the
// context Run is given; ok is false for a run by hand.
func TickOf(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(tickKey{}).(time.Time)
	return t, ok
}

// riverClient makes the River client (once).
func (s *Scheduler) riverClient() (*river.Client[*sql.Tx], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &tickWorker{s: s}); err != nil {
		return nil, fmt.Errorf("river workers: %w", err)
	}
	poll := s.cfg.JobPollInterval
	client, err := river.NewClient(s.driver, &river.Config{
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: len(s.jobs) + 1}},
		Workers:                     workers,
		PollOnly:                    true, // database/sql has no LISTEN; polling is plenty for minutes-apart ticks
		FetchPollInterval:           poll,
		FetchCooldown:               min(poll, 100*time.Millisecond),
		JobTimeout:                  s.cfg.JobTimeout,
		RescueStuckJobsAfter:        s.cfg.JobTimeout + 5*time.Minute,
		CompletedJobRetentionPeriod: max(3*24*time.Hour, 2*s.cfg.CatchUp),
		Logger:                      s.log,
	})
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	s.client = client
	return client, nil
}

// Tick enqueues the run of job name for tick: on every replica at the same
// tick, only the first insert counts (River unique job by args), so the job
// runs once per tick; inserted says whether this call's did.
func (s *Scheduler) Tick(ctx context.Context, name string, tick time.Time) (inserted bool, err error) {
	if _, err := s.job(name); err != nil {
		return false, err
	}
	client, err := s.riverClient()
	if err != nil {
		return false, err
	}
	res, err := client.Insert(ctx, tickArgs{Job: name, Tick: tick.UTC().Format(time.RFC3339)}, nil)
	if err != nil {
		return false, fmt.Errorf("enqueue %s tick %s: %w", name, tick.UTC().Format(time.RFC3339), err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// Run works the jobs' ticks and keeps the timetable until ctx is done, then
// stops gracefully (a job running is given until its context is canceled).
// Every replica runs it: each one enqueues each tick, River's unique jobs
// keep one per tick and one replica runs it. At start, the latest tick of
// each job within Config.CatchUp is enqueued too, so a tick missed while no
// process ran is caught up (once, whichever replica starts first).
func (s *Scheduler) Run(ctx context.Context) error {
	client, err := s.riverClient()
	if err != nil {
		return err
	}
	if err := client.Start(ctx); err != nil {
		return fmt.Errorf("start job runner: %w", err)
	}
	var wg sync.WaitGroup
	if !s.noTimetable {
		for _, j := range s.jobs {
			sched, ok := s.schedules[j.Name()]
			if !ok {
				continue
			}
			wg.Go(func() { s.keepTimetable(ctx, j.Name(), sched) })
		}
	}
	<-ctx.Done()
	wg.Wait()
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := client.Stop(stopCtx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("stop job runner: %w", err)
	}
	return nil
}

// keepTimetable enqueues job name at each tick of sched until ctx is done.
func (s *Scheduler) keepTimetable(ctx context.Context, name string, sched cron.Schedule) {
	now := s.cfg.Now()
	if s.cfg.CatchUp > 0 {
		if tick, ok := lastTick(sched, now, s.cfg.CatchUp); ok {
			s.enqueue(ctx, name, tick)
		}
	}
	next := sched.Next(now)
	for {
		timer := time.NewTimer(max(next.Sub(s.cfg.Now()), 0))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		if s.cfg.Now().Before(next) {
			continue // woke early (clock adjusted): wait again for the same tick
		}
		s.enqueue(ctx, name, next)
		next = sched.Next(next)
		if now := s.cfg.Now(); next.Before(now) {
			// Far behind (the process slept): the next run catches up anyway.
			next = sched.Next(now)
		}
	}
}

func (s *Scheduler) enqueue(ctx context.Context, name string, tick time.Time) {
	inserted, err := s.Tick(ctx, name, tick)
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.ErrorContext(ctx, "cannot enqueue job tick", "job", name, "tick", tick, "err", err)
	case inserted:
		s.log.DebugContext(ctx, "job tick enqueued", "job", name, "tick", tick)
	}
}
