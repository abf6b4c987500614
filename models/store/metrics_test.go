package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// TestTransitionMetrics: leaseline_transitions_total counts each committed
// transition once, by action and the status it led to; refused ones do not
// count.
func TestTransitionMetrics(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		reg := prometheus.NewRegistry()
		f := newFixtureConfig(t, backend, store.Config{Registerer: reg})
		c := f.approved(t, f.acme, f.application(t, "counted"))
		if _, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionApprove}); err == nil {
			t.Fatal("second approval succeeded")
		}
		if _, err := f.s.Act(ctx, f.other, c.ID, models.ActInput{Action: models.ActionCancel, Reason: "not mine"}); err == nil {
			t.Fatal("another tenant canceled")
		}
		want := `
# HELP leaseline_transitions_total Lifecycle transitions committed, by action and the status they led to.
# TYPE leaseline_transitions_total counter
leaseline_transitions_total{action="apply",to="Applying"} 1
leaseline_transitions_total{action="approve",to="Approved"} 1
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "leaseline_transitions_total"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Pay(ctx, f.acme, c.ID); err != nil {
			t.Fatal(err)
		}
		want += `leaseline_transitions_total{action="pay",to="Connecting"} 1
`
		if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "leaseline_transitions_total"); err != nil {
			t.Fatal(err)
		}
	})
}
