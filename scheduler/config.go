package scheduler

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// The jobs, by name.
const (
	JobScheduleVisits     = "schedule-visits"
	JobReceptionReminders = "reception-reminders"
	JobReviewSLA          = "review-sla"
	JobCustomerReminders  = "customer-reminders"
	JobVisitNoShows       = "visit-no-shows"
)

// DefaultTimetable is when each job runs, as robfig/cron/v3 specs (five
// fields, or descriptors such as @hourly) in Config.TimeZone unless a spec
// names its own with a CRON_TZ= prefix.
func DefaultTimetable() map[string]string {
	return map[string]string{
		JobScheduleVisits:     "*/10 * * * *", // every 10 minutes: a ticket is booked soon after it is submitted
		JobReceptionReminders: "0 8-12 * * *", // 08:00 on the morning of the visit; the later runs remind visits moved to today
		JobReviewSLA:          "0 9-18 * * *", // hourly in office hours: a review becomes late at midnight, staff hear of it at 09:00
		JobCustomerReminders:  "0 10 * * *",   // 10:00
		JobVisitNoShows:       "*/15 * * * *", // every 15 minutes: a visit is marked No Show soon after the hour past its window
	}
}

// DefaultTimeZone is the zone of specs that name none: the sample catalog's
// Chinese regions.
const DefaultTimeZone = "Asia/Shanghai"

// Config configures the scheduler: its timetable, the jobs' policies, the
// job runner and the notice delivery. The zero value of every field means
// its default; Validate reports what is wrong with the rest.
type Config struct {
	// Timetable maps job names to cron specs; missing jobs get
	// DefaultTimetable's, an empty spec turns a job's timetable off (it can
	// still be run by hand).
	Timetable map[string]string
	// TimeZone is the IANA zone specs are evaluated in (DefaultTimeZone).
	TimeZone string

	// Escalate is the Slack user (U…) or user group (S…) the review-sla job
	// mentions when a review is two workdays late.
	Escalate string
	// RemindAfterWorkdays is how many workdays a customer step waits before
	// a reminder, and between reminders (default 2).
	RemindAfterWorkdays int
	// ExpireUnpaidAfterWorkdays is how many workdays an Approved connection
	// may stay unpaid before it is canceled (default 10; negative: never).
	ExpireUnpaidAfterWorkdays int
	// BookingBatch is how many tickets schedule-visits books in one
	// transaction (500).
	BookingBatch int
	// BookingConcurrency is how many lanes of IDCs schedule-visits books at
	// once (default 4 on PostgreSQL, 1 on SQLite, which writes one at a time).
	BookingConcurrency int

	// CatchUp is how far back a starting scheduler looks for a tick missed
	// while no process ran, and runs it (default 24h; negative: no catch-up).
	// Each run handles everything due, so one catch-up run suffices.
	CatchUp time.Duration
	// JobTimeout bounds one run of a job (default 30m).
	JobTimeout time.Duration
	// JobPollInterval is how often the job runner looks for ticks to run
	// (default 1s).
	JobPollInterval time.Duration

	// Now is the clock (time.Now when nil).
	Now    func() time.Time
	Logger *slog.Logger
	// Metrics counts job runs and their durations (nil: none); see
	// NewMetrics.
	Metrics *Metrics
}

// withDefaults fills in every zero field.
func (c Config) withDefaults() Config {
	tt := DefaultTimetable()
	maps.Copy(tt, c.Timetable)
	c.Timetable = tt
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	if c.RemindAfterWorkdays == 0 {
		c.RemindAfterWorkdays = 2
	}
	if c.ExpireUnpaidAfterWorkdays == 0 {
		c.ExpireUnpaidAfterWorkdays = 10
	}
	if c.BookingBatch <= 0 {
		c.BookingBatch = 500
	}
	if c.CatchUp == 0 {
		c.CatchUp = 24 * time.Hour
	}
	if c.JobTimeout <= 0 {
		c.JobTimeout = 30 * time.Minute
	}
	if c.JobPollInterval <= 0 {
		c.JobPollInterval = time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Validate checks the configuration (with defaults filled in): every job
// named in the timetable exists, every spec parses, the time zone is known,
// and the numbers make sense. The error lists every problem.
func (c Config) Validate() error {
	c = c.withDefaults()
	var errs []error
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		errs = append(errs, fmt.Errorf("scheduler time zone %q: not an IANA zone name (e.g. Asia/Shanghai)", c.TimeZone))
		loc = time.UTC
	}
	for _, name := range slices.Sorted(maps.Keys(c.Timetable)) {
		if !slices.Contains(JobNames(), name) {
			errs = append(errs, fmt.Errorf("timetable: no job named %q (jobs: %s)", name, strings.Join(JobNames(), ", ")))
			continue
		}
		if c.Timetable[name] == "" {
			continue
		}
		if _, err := parseSpec(c.Timetable[name], loc); err != nil {
			errs = append(errs, fmt.Errorf("timetable of %s: %w", name, err))
		}
	}
	if c.RemindAfterWorkdays < 0 {
		errs = append(errs, fmt.Errorf("remind after %d workdays: must be 1 or more", c.RemindAfterWorkdays))
	}
	if c.ExpireUnpaidAfterWorkdays > 0 && c.ExpireUnpaidAfterWorkdays <= c.RemindAfterWorkdays {
		errs = append(errs, fmt.Errorf("expire unpaid after %d workdays: must be more than the %d workdays before a reminder, or the customer is never reminded",
			c.ExpireUnpaidAfterWorkdays, c.RemindAfterWorkdays))
	}
	if c.JobTimeout < time.Minute {
		errs = append(errs, fmt.Errorf("job timeout %s: give a job at least a minute", c.JobTimeout))
	}
	return errors.Join(errs...)
}

// JobNames lists the jobs in the order they are listed.
func JobNames() []string {
	return []string{JobScheduleVisits, JobReceptionReminders, JobReviewSLA, JobCustomerReminders, JobVisitNoShows}
}

// parseSpec parses a cron spec; without a CRON_TZ= (or TZ=) prefix it is
// evaluated in loc.
func parseSpec(spec string, loc *time.Location) (cron.Schedule, error) {
	spec = strings.TrimSpace(spec)
	if !strings.HasPrefix(spec, "CRON_TZ=") && !strings.HasPrefix(spec, "TZ=") {
		spec = "CRON_TZ=" + loc.String() + " " + spec
	}
	// Five fields, descriptors (@daily, @every 5m) and a CRON_TZ= prefix.
	p := cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)
	s, err := p.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w (want five fields: minute hour day-of-month month day-of-week, e.g. \"*/10 * * * *\", or @hourly, @daily, @every 15m; optionally prefixed by CRON_TZ=Zone)", spec, err)
	}
	return s, nil
}

// lastTick returns the latest tick of sched at or before now, looking back
// as far as lookback; ok is false when there is none in that span.
func lastTick(sched cron.Schedule, now time.Time, lookback time.Duration) (time.Time, bool) {
	var last time.Time
	for t := sched.Next(now.Add(-lookback)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = t
	}
	return last, !last.IsZero()
}
