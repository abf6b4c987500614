package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// TestEndedTimelinesShowTheStagesReached: a connection canceled after its
// approval shows Applying and Approved as reached and that it ended at
// Approved, in App Home and in `show`; a rejected one ended at Applying.
func TestEndedTimelinesShowTheStagesReached(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acme := customerOf(customerUser, e.acme)
		canceled := e.applyDirect(acme, goodApplication("Canceled after approval"))
		rejected := e.applyDirect(acme, located(goodApplication("Rejected at review"), "Room 302"))
		if status, _ := e.press(staffUser, staffChannel, "ll_approve", models.ApplicationRef(canceled.ID)[1:]); status != 200 {
			t.Fatalf("approve: HTTP %d", status)
		}
		e.settle()
		if _, err := e.store.Act(ctx, acme, canceled.ID, models.ActInput{Action: models.ActionCancel, Reason: "budget moved"}); err != nil {
			t.Fatal(err)
		}
		staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
		if _, err := e.store.Act(ctx, staff, rejected.ID, models.ActInput{Action: models.ActionReject, Reason: "no room"}); err != nil {
			t.Fatal(err)
		}
		wantCanceled := "● Applying  →  ● *Approved* ✕  →  ○ Connecting"
		wantRejected := "● *Applying* ✕  →  ○ Approved"
		home := viewText(e.openHome(customerUser))
		for _, want := range []string{wantCanceled, "✕ *Canceled* at *Approved*: budget moved", wantRejected, "✕ *Rejected* at *Applying*: no room"} {
			if !strings.Contains(home, want) {
				t.Errorf("home lacks %q:\n%s", want, home)
			}
		}
		e.slack.Reset()
		e.command(customerUser, customerChan, "show "+models.ApplicationRef(canceled.ID))
		if got := e.lastResponse(); !strings.Contains(got, wantCanceled) {
			t.Errorf("show lacks %q:\n%s", wantCanceled, got)
		}
	})
}
