package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// Terminating a line withdraws a bandwidth change still awaiting review,
// in the audit trail; staff can no longer decide it, and after a canceled
// termination the customer may ask again.
func TestTerminateWithdrawsBandwidthRequest(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))
		to := c.BandwidthMbps + 100
		if _, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, to); err != nil {
			t.Fatalf("request: %v", err)
		}
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"}); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		got := f.get(t, c.ID)
		wantEqual(t, "requested after terminate", got.RequestedMbps, 0)
		audit := f.auditOf(t, c.ID)
		if last := audit[len(audit)-1]; last.Action != models.ActionTerminate || !strings.Contains(last.Detail, "withdrawn") {
			t.Fatalf("terminate's audit entry %+v does not say the change was withdrawn", last)
		}
		if _, err := f.s.DecideBandwidth(ctx, f.staff, c.ID, true, ""); err == nil || errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff approve a withdrawn change on a Terminating line: %v, want refused for its status", err)
		}
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancelTermination, Reason: "staying"}); err != nil {
			t.Fatalf("cancel termination: %v", err)
		}
		if _, err := f.s.RequestBandwidth(ctx, f.acme, c.ID, to); err != nil {
			t.Fatalf("asking again after the canceled termination: %v", err)
		}
	})
}
