package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestJobsByHand: the operator lists the jobs, runs one as of a given time,
// and lists failed notices, from the command line.
func TestJobsByHand(t *testing.T) {
	ctx := context.Background()
	env := envMap(map[string]string{"DATABASE_URL": filepath.Join(t.TempDir(), "jobs.db"), "LEASELINE_CRON_CUSTOMER_REMINDERS": "off"})
	var out bytes.Buffer
	if err := run(ctx, []string{"jobs", "list"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"schedule-visits", "reception-reminders", "review-sla", "customer-reminders", "visit-no-shows", "(off)",
		"in the jobs' time zone, Asia/Shanghai (LEASELINE_JOBS_TIME_ZONE)", "NEXT RUN (Asia/Shanghai)", " CST "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("jobs list lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := run(ctx, []string{"jobs", "run", "schedule-visits", "--at", "2026-11-27T08:00:00+08:00"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "schedule-visits ran as of 2026-11-27T08:00:00+08:00") {
		t.Fatalf("jobs run said %q", out.String())
	}
	err := run(ctx, []string{"jobs", "run", "book-everything"}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "schedule-visits") {
		t.Fatalf("unknown job: %v", err)
	}
	err = run(ctx, []string{"jobs", "run", "review-sla", "--at", "tomorrow"}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "RFC 3339") {
		t.Fatalf("bad --at: %v", err)
	}
	out.Reset()
	if err := run(ctx, []string{"notices", "failed"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "no notice has failed") {
		t.Fatalf("notices failed said %q", out.String())
	}
	err = run(ctx, []string{"config", "check"}, envMap(map[string]string{"LEASELINE_CRON_REVIEW_SLA": "every day"}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "review-sla") {
		t.Fatalf("bad cron spec: %v", err)
	}
}
