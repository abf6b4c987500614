package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/scheduler"
)

// jobsConfig is the scheduler's part of the configuration.
type jobsConfig struct {
	scheduler.Config
	problems []error
}

// loadJobsConfig reads the timetable and the jobs' policies:
// LEASELINE_JOBS_TIME_ZONE, LEASELINE_CRON_<JOB> (e.g.
// LEASELINE_CRON_SCHEDULE_VISITS="*/10 * * * *", empty turns the timetable
// of that job off), LEASELINE_ESCALATE, LEASELINE_REMIND_AFTER_WORKDAYS,
// LEASELINE_EXPIRE_UNPAID_AFTER_WORKDAYS.
func loadJobsConfig(env getenv) jobsConfig {
	var jc jobsConfig
	jc.TimeZone = env("LEASELINE_JOBS_TIME_ZONE")
	jc.Escalate = env("LEASELINE_ESCALATE")
	jc.Timetable = map[string]string{}
	for name, spec := range scheduler.DefaultTimetable() {
		jc.Timetable[name] = spec
		key := "LEASELINE_CRON_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if v, ok := lookup(env, key); ok {
			jc.Timetable[name] = v
		}
	}
	for key, dst := range map[string]*int{
		"LEASELINE_REMIND_AFTER_WORKDAYS":        &jc.RemindAfterWorkdays,
		"LEASELINE_EXPIRE_UNPAID_AFTER_WORKDAYS": &jc.ExpireUnpaidAfterWorkdays,
	} {
		if v := env(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				jc.problems = append(jc.problems, fmt.Errorf("%s %q must be a whole number of workdays", key, v))
				continue
			}
			*dst = n
		}
	}
	return jc
}

// lookup tells a variable set to "" (a job's timetable turned off) from one
// not set: the environment function returns "" for both, so "off" is spelt
// "off".
func lookup(env getenv, key string) (string, bool) {
	v := env(key)
	switch {
	case v == "":
		return "", false
	case strings.EqualFold(v, "off"):
		return "", true
	}
	return v, true
}

func (jc jobsConfig) validate() []error {
	errs := append([]error(nil), jc.problems...)
	if err := jc.Config.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errs
}

// jobsSetup opens the store and the scheduler for the jobs subcommands.
func jobsSetup(ctx context.Context, env getenv, fs *flag.FlagSet, args []string, stderr io.Writer) (*store.Store, *scheduler.Scheduler, error) {
	c, st, err := storeFor(ctx, env, fs, args, stderr, readWrite)
	if err != nil {
		return nil, nil, err
	}
	cfg := c.Jobs.Config
	cfg.Logger = c.logger(stderr)
	sched, err := scheduler.New(st, cfg)
	if err != nil {
		_ = st.Close()
		return nil, nil, err
	}
	return st, sched, nil
}

func jobsListCmd(env getenv, args []string, stdout, stderr io.Writer) error {
	c, err := loadDBConfig(env, newFlags("jobs list", stderr), args)
	if err != nil {
		return err
	}
	if err := joinErrors(c.Jobs.validate()); err != nil {
		return err
	}
	cfg := c.Jobs.Config
	cfg.Logger = slog.New(slog.DiscardHandler)
	// Listing needs no database: the jobs are described by a scheduler on
	// an in-memory SQLite.
	st, err := store.Open(context.Background(), store.Config{DatabaseURL: "file:jobs-list?mode=memory", Logger: cfg.Logger})
	if err != nil {
		return err
	}
	defer st.Close()
	sched, err := scheduler.New(st, cfg)
	if err != nil {
		return err
	}
	zone, _ := time.LoadLocation(scheduler.DefaultTimeZone)
	if cfg.TimeZone != "" {
		if zone, err = time.LoadLocation(cfg.TimeZone); err != nil {
			return fmt.Errorf("LEASELINE_JOBS_TIME_ZONE %q: %w", cfg.TimeZone, err)
		}
	}
	fmt.Fprintf(stdout, "Timetables are cron specs in the jobs' time zone, %s (LEASELINE_JOBS_TIME_ZONE); next runs are shown in it.\n\n", zone)
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "JOB\tTIMETABLE\tNEXT RUN (%s)\tWHAT IT DOES\n", zone)
	now := time.Now()
	for _, j := range sched.Jobs() {
		spec, next := sched.Spec(j.Name()), "by hand only"
		if t, ok := sched.NextRun(j.Name(), now); ok {
			next = t.In(zone).Format("2006-01-02 15:04 MST")
		}
		if spec == "" {
			spec = "(off)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name(), spec, next, j.Describe())
	}
	return tw.Flush()
}

func jobsRunCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("jobs run", stderr)
	at := fs.String("at", "", "run as if it were this time (RFC 3339); default now")
	if len(args) > 0 && wantsHelp(args[:1]) {
		_, err := loadDBConfig(env, fs, args[:1])
		return err
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return fmt.Errorf("name the job: leaseline jobs run NAME [--at 2026-11-27T08:00:00+08:00] (jobs: %s)", strings.Join(scheduler.JobNames(), ", "))
	}
	name := args[0]
	st, sched, err := jobsSetup(ctx, env, fs, args[1:], stderr)
	if err != nil {
		return err
	}
	defer st.Close()
	when := time.Now()
	if *at != "" {
		if when, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at %q: use RFC 3339, e.g. 2026-11-27T08:00:00+08:00", *at)
		}
	}
	if err := sched.RunJob(ctx, name, when); err != nil {
		return err
	}
	pending, err := st.PendingNotices(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s ran as of %s; %d notices wait for delivery by the running bot\n", name, when.Format(time.RFC3339), pending)
	return nil
}

func noticesFailedCmd(ctx context.Context, env getenv, args []string, stdout, stderr io.Writer) error {
	_, st, err := storeFor(ctx, env, newFlags("notices failed", stderr), args, stderr, readOnly)
	if err != nil {
		return err
	}
	defer st.Close()
	failed, err := st.FailedNotices(ctx, 200)
	if err != nil {
		return err
	}
	if len(failed) == 0 {
		fmt.Fprintln(stdout, "no notice has failed for good")
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NOTICE\tKIND\tCHANNEL\tCONNECTION\tATTEMPTS\tRECORDED\tLAST ERROR")
	for _, n := range failed {
		conn := "-"
		if n.ConnectionID != nil {
			conn = fmt.Sprintf("#%d", *n.ConnectionID)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\n", n.ID, n.Kind, n.Channel, conn, n.Attempts, n.CreatedAt.Format(time.RFC3339), n.LastError)
	}
	return tw.Flush()
}
