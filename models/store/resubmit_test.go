package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// TestResubmit: a Rejected application is edited and resubmitted by its
// customer: a broken rule changes nothing; an amended one is Applying
// again, the amendment and the rejection it answers in the audit trail,
// staff asked to review it again; only its customer may, only when
// Rejected.
func TestResubmit(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		app := f.application(t, "to amend")
		c, err := f.s.Apply(ctx, f.acme, app, "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Resubmit(ctx, f.acme, c.ID, app); !errors.Is(err, models.ErrWrongStatus) {
			t.Fatalf("resubmit while Applying: %v", err)
		}
		if _, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionReject, Reason: "Location lacks the room"}); err != nil {
			t.Fatal(err)
		}
		before := f.get(t, c.ID)

		bad := app
		bad.BandwidthMbps = 1
		_, err = f.s.Resubmit(ctx, f.acme, c.ID, bad)
		ruleIn(t, err, "bandwidth-range")
		if got := f.get(t, c.ID); got.Version != before.Version || got.Status != models.StatusRejected {
			t.Fatalf("a refused resubmission changed the application: v%d %s", got.Version, got.Status)
		}
		if _, err := f.s.Resubmit(ctx, f.staff, c.ID, app); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("staff resubmit: %v", err)
		}
		if _, err := f.s.Resubmit(ctx, f.other, c.ID, app); !errors.Is(err, models.ErrNotFound) {
			t.Fatalf("another account resubmits: %v", err)
		}

		amended := app
		amended.Location = "  Building 3, Binjiang IDC, room 301 "
		got, err := f.s.Resubmit(ctx, f.acme, c.ID, amended)
		if err != nil {
			t.Fatalf("resubmit: %v", err)
		}
		wantEqual(t, "status", got.Status, models.StatusApplying)
		wantEqual(t, "location", f.get(t, c.ID).Location, "Building 3, Binjiang IDC, room 301")
		wantEqual(t, "reason cleared", f.get(t, c.ID).Reason, "")
		audit := f.auditOf(t, c.ID)
		last := audit[len(audit)-1]
		if last.Action != models.ActionResubmit || last.FromStatus != models.StatusRejected || last.ToStatus != models.StatusApplying ||
			!strings.Contains(last.Detail, `Location "Building 3, Binjiang IDC" → "Building 3, Binjiang IDC, room 301"`) ||
			!strings.Contains(last.Detail, "rejected: Location lacks the room") {
			t.Fatalf("audit %+v", last)
		}
		wantEqual(t, "review requests to staff", noticeCount(t, f.s, c.ID, models.NoticeReviewRequest), 2)

		// Reviewed like a new application: rejected again, resubmitted again.
		if _, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
			t.Fatalf("approve the resubmitted application: %v", err)
		}
		if _, err := f.s.Resubmit(ctx, f.acme, c.ID, amended); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("resubmit when Approved: %v, want already resubmitted", err)
		}
	})
}
