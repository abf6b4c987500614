package scheduler

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// runLog records the runs of jobs per (job, tick), across schedulers.
type runLog struct {
	mu   sync.Mutex
	runs map[string][]string // "job tick" -> schedulers that ran it
}

func (l *runLog) add(job, by string, tick time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := job + " " + tick.UTC().Format(time.RFC3339)
	l.runs[k] = append(l.runs[k], by)
}

func (l *runLog) count(job string, tick time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.runs[job+" "+tick.UTC().Format(time.RFC3339)])
}

func (l *runLog) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, by := range l.runs {
		n += len(by)
	}
	return n
}

// countedJob wraps a job to record its runs.
type countedJob struct {
	Job
	by  string
	log *runLog
}

func (j *countedJob) Run(ctx context.Context, now time.Time) error {
	tick, ok := TickOf(ctx)
	if !ok {
		tick = now
	}
	j.log.add(j.Name(), j.by, tick)
	return j.Job.Run(ctx, now)
}

// nopJob does nothing but exist under a name.
type nopJob struct{ name string }

func (j nopJob) Name() string                         { return j.name }
func (j nopJob) Describe() string                     { return "nothing" }
func (j nopJob) Run(context.Context, time.Time) error { return nil }

// replica makes a scheduler on its own store (own connection pool) of the
// fixture's database, with the four real jobs counted in log.
func replica(t *testing.T, f *fixture, backend, name string, log *runLog, cfg Config) *Scheduler {
	t.Helper()
	st := f.s
	if name != "A" {
		st = openStore(t, f.url, f.clock)
	}
	cfg.Now, cfg.Logger = f.clock.Now, quietLog()
	if cfg.JobPollInterval == 0 {
		cfg.JobPollInterval = 50 * time.Millisecond
	}
	base, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []Job
	for _, j := range base.Jobs() {
		jobs = append(jobs, &countedJob{Job: j, by: name, log: log})
	}
	db, err := st.DB()
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewWithJobs(db, backend, cfg, jobs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// start runs s until the test ends.
func start(t *testing.T, s *Scheduler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("scheduler run: %v", err)
		}
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestTwoSchedulers: two replicas on one database, each inserting every
// tick of every job: each job runs once per tick, and no visit is booked
// twice.
func TestTwoSchedulers(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		log := &runLog{runs: map[string][]string{}}
		a := replica(t, f, backend, "A", log, Config{})
		b := replica(t, f, backend, "B", log, Config{})
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		if err := b.Migrate(ctx); err != nil { // a second replica migrating finds nothing to do
			t.Fatal(err)
		}
		a.noTimetable, b.noTimetable = true, true
		start(t, a)
		start(t, b)

		const ticks = 12
		base := cst(2026, 10, 13, 10, 0)
		var tickets []*models.Ticket
		inserted := 0
		for i := range ticks {
			tick := base.Add(time.Duration(i) * 10 * time.Minute)
			if i%2 == 0 {
				tickets = append(tickets, f.ticketAt(t, apYuhang, tick.Add(-time.Minute)))
			}
			f.clock.Set(tick)
			var wg sync.WaitGroup
			var mu sync.Mutex
			for _, s := range []*Scheduler{a, b} {
				for _, name := range JobNames() {
					wg.Go(func() {
						ok, err := s.Tick(ctx, name, tick)
						if err != nil {
							t.Errorf("tick %s: %v", name, err)
						}
						if ok {
							mu.Lock()
							inserted++
							mu.Unlock()
						}
					})
				}
			}
			wg.Wait()
			waitFor(t, fmt.Sprintf("the runs of tick %d", i), func() bool {
				for _, name := range JobNames() {
					if log.count(name, tick) == 0 {
						return false
					}
				}
				return true
			})
		}
		// A replica late for an old tick inserts nothing: it ran already.
		if ok, err := b.Tick(ctx, JobScheduleVisits, base); err != nil || ok {
			t.Fatalf("late tick inserted %v, %v", ok, err)
		}
		waitSettled(t, f, ticks*len(JobNames())) // every tick done: nothing more may run
		if inserted != ticks*len(JobNames()) {
			t.Fatalf("%d ticks inserted, want %d", inserted, ticks*len(JobNames()))
		}
		log.mu.Lock()
		for k, by := range log.runs {
			if len(by) != 1 {
				t.Errorf("%s ran %d times (%v)", k, len(by), by)
			}
		}
		byReplica := map[string]int{}
		for _, by := range log.runs {
			byReplica[by[0]]++
		}
		log.mu.Unlock()
		if log.total() != ticks*len(JobNames()) {
			t.Fatalf("%d runs, want %d", log.total(), ticks*len(JobNames()))
		}
		t.Logf("runs by replica: %v", byReplica)

		left, err := f.s.TicketsToBook(ctx, f.clock.Now(), 0, 0)
		if err != nil || len(left) != 0 {
			t.Fatalf("%d tickets not booked (%v)", len(left), err)
		}
		notices, _ := f.s.Notices(ctx, 0)
		scheduled := map[int64]int{}
		for _, n := range notices {
			if n.Kind == models.NoticeVisitScheduled {
				scheduled[*n.ConnectionID]++
			}
		}
		for _, tk := range tickets {
			d, err := f.s.Detail(ctx, f.staff, *tk.ConnectionID)
			if err != nil || d.Visit == nil || d.Ticket.State != models.TicketBooked {
				t.Fatalf("ticket %d: %v %+v", tk.ID, err, d)
			}
			if scheduled[*tk.ConnectionID] != 3 {
				t.Fatalf("connection %d told of its visit %d times, want 3", *tk.ConnectionID, scheduled[*tk.ConnectionID])
			}
			booked := 0
			for _, ev := range d.Audit {
				if ev.Action == models.ActionScheduleVisit {
					booked++
				}
			}
			if booked != 1 {
				t.Fatalf("connection %d booked %d times", *tk.ConnectionID, booked)
			}
		}
	})
}

// TestCatchUpAtStart: a tick missed while no process ran is run once when
// the replicas start.
func TestCatchUpAtStart(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		tk := f.ticketAt(t, apYuhang, cst(2026, 10, 16, 15, 0))
		// Down since before 16:00; back at 16:25: the 16:00 tick (hourly
		// spec) was missed.
		f.clock.Set(cst(2026, 10, 16, 16, 25))
		log := &runLog{runs: map[string][]string{}}
		cfg := Config{Timetable: map[string]string{JobScheduleVisits: "0 * * * *", JobReceptionReminders: "", JobReviewSLA: "", JobCustomerReminders: "", JobVisitNoShows: ""}}
		a := replica(t, f, backend, "A", log, cfg)
		b := replica(t, f, backend, "B", log, cfg)
		if err := a.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		start(t, a)
		start(t, b)
		missed := cst(2026, 10, 16, 16, 0)
		waitFor(t, "the catch-up run", func() bool { return log.count(JobScheduleVisits, missed) > 0 })
		waitSettled(t, f, 1) // the one tick done: nothing more may run
		if n := log.count(JobScheduleVisits, missed); n != 1 || log.total() != 1 {
			t.Fatalf("catch-up ran %d times (%d runs in all)", n, log.total())
		}
		d, err := f.s.Detail(ctx, f.staff, *tk.ConnectionID)
		if err != nil || d.Visit == nil || d.Visit.Date != "2026-10-19" {
			t.Fatalf("visit after catch-up: %v %+v", err, d.Visit)
		}
	})
}

// TestTimetableRealClock: with the wall clock and a one-second timetable,
// two replicas run each tick once.
func TestTimetableRealClock(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		dbURL := databaseURL(t, backend)
		log := &runLog{runs: map[string][]string{}}
		var scheds []*Scheduler
		for _, name := range []string{"A", "B"} {
			st := openStore(t, dbURL, newClock(time.Now()))
			db, err := st.DB()
			if err != nil {
				t.Fatal(err)
			}
			cfg := Config{Timetable: map[string]string{JobScheduleVisits: "@every 1s"}, CatchUp: -1,
				JobPollInterval: 50 * time.Millisecond, Logger: quietLog()}
			s, err := NewWithJobs(db, backend, cfg, &countedJob{Job: nopJob{JobScheduleVisits}, by: name, log: log})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(context.Background()); err != nil {
				t.Fatal(err)
			}
			scheds = append(scheds, s)
		}
		for _, s := range scheds {
			start(t, s)
		}
		waitFor(t, "three ticks", func() bool { return log.total() >= 3 })
		log.mu.Lock()
		defer log.mu.Unlock()
		for k, by := range log.runs {
			if len(by) != 1 {
				t.Fatalf("%s ran %d times", k, len(by))
			}
		}
	})
}

// TestConfigValidate: bad specs, unknown jobs and zones, and numbers that
// make no sense are named.
func TestConfigValidate(t *testing.T) {
	if err := (Config{}).Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Timetable: map[string]string{JobScheduleVisits: "every ten minutes"}}, `timetable of schedule-visits: cron spec "CRON_TZ=Asia/Shanghai every ten minutes"`},
		{Config{Timetable: map[string]string{JobReviewSLA: "61 * * * *"}}, "timetable of review-sla"},
		{Config{Timetable: map[string]string{"book-visits": "* * * * *"}}, `no job named "book-visits" (jobs: schedule-visits, reception-reminders, review-sla, customer-reminders, visit-no-shows)`},
		{Config{TimeZone: "Mars/Olympus"}, `time zone "Mars/Olympus"`},
		{Config{Timetable: map[string]string{JobScheduleVisits: "CRON_TZ=Mars/Olympus * * * * *"}}, "timetable of schedule-visits"},
		{Config{RemindAfterWorkdays: 3, ExpireUnpaidAfterWorkdays: 2}, "expire unpaid after 2 workdays"},
		{Config{JobTimeout: time.Second}, "job timeout 1s"},
	}
	for _, tc := range cases {
		err := tc.cfg.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
	// Every problem at once.
	err := Config{TimeZone: "Nowhere", Timetable: map[string]string{JobReviewSLA: "x"}}.Validate()
	if err == nil || strings.Count(err.Error(), "\n") != 1 {
		t.Fatalf("two problems: %v", err)
	}
	if _, err := NewWithJobs(nil, "sqlite", Config{Timetable: map[string]string{JobReviewSLA: "x"}}); err == nil {
		t.Fatal("NewWithJobs accepted a bad spec")
	}
	if _, err := NewWithJobs(nil, "oracle", Config{}); err == nil || !strings.Contains(err.Error(), "oracle") {
		t.Fatalf("unknown dialect: %v", err)
	}
}

// TestTimetableZone: specs are evaluated in the configured zone unless
// they name their own; lastTick finds the missed tick.
func TestTimetableZone(t *testing.T) {
	f := newFixture(t, "sqlite")
	s, err := New(f.s, Config{Timetable: map[string]string{
		JobReceptionReminders: "0 8 * * *",
		JobReviewSLA:          "CRON_TZ=Asia/Singapore 30 9 * * 1-5",
	}})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 10, 16, 1, 0, 0, 0, time.UTC) // Friday 09:00 in Shanghai
	next, ok := s.NextRun(JobReceptionReminders, from)
	if !ok || !next.Equal(time.Date(2026, 10, 17, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("08:00 Shanghai after %s: %s", from, next)
	}
	next, _ = s.NextRun(JobReviewSLA, from)
	if !next.Equal(time.Date(2026, 10, 16, 1, 30, 0, 0, time.UTC)) {
		t.Fatalf("09:30 Singapore on weekdays after %s: %s", from, next)
	}
	sched, _ := parseSpec("0 8 * * *", shanghai)
	last, ok := lastTick(sched, time.Date(2026, 10, 16, 3, 0, 0, 0, time.UTC), 24*time.Hour)
	if !ok || !last.Equal(time.Date(2026, 10, 16, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("last tick %s %v", last, ok)
	}
	if _, ok := lastTick(sched, time.Date(2026, 10, 16, 3, 0, 0, 0, time.UTC), time.Hour); ok {
		t.Fatal("a tick outside the look-back")
	}
}
