package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// Staff's bandwidth request card offers Approve and Reject only while the
// change awaits review: decided elsewhere (another staff member's press,
// the card not pressed here), the card is settled and its stale Approve
// answers who decided; a line terminated with a change pending no longer
// offers them either.
func TestStaleBandwidthCards(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jEnabled(e, "Hangzhou line 1")
		pm := newPostman(e)
		pm.deliver()
		ask := func() {
			_, err := e.store.RequestBandwidth(ctx, jCustomer(e), c.ID, 500)
			jStep(e, "ask for 500 Mbps", err)
			pm.deliver()
		}

		ask()
		first := pm.card(c.ID, models.NoticeBandwidthRequested, staffChannel)
		jWantButtons(t, "bandwidth request", first.blocks, "Approve", "Reject", "Terminate")
		_, err := e.store.DecideBandwidth(ctx, jStaff, c.ID, true, "")
		jStep(e, "approve elsewhere", err)
		pm.deliver()
		now := pm.card(c.ID, models.NoticeBandwidthRequested, staffChannel)
		if updated(e, first) != 1 {
			t.Errorf("bandwidth request card updated %d times, want 1", updated(e, first))
		}
		jWantButtons(t, "bandwidth request after approval", now.blocks, "Terminate")

		version := jConn(e, c.ID).Connection.Version
		n := len(e.slack.Calls("response_url"))
		e.pressOn(staffUser, first, "Approve")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Already") {
			t.Errorf("stale Approve: told %q", got)
		}
		if v := jConn(e, c.ID).Connection.Version; v != version {
			t.Errorf("stale Approve changed the connection: v%d -> v%d", version, v)
		}

		// Another line, terminated while a change awaits review.
		c2 := jEnabled(e, "Hangzhou line 2")
		pm.deliver()
		_, err = e.store.RequestBandwidth(ctx, jCustomer(e), c2.ID, 300)
		jStep(e, "ask for 300 Mbps", err)
		pm.deliver()
		pending := pm.card(c2.ID, models.NoticeBandwidthRequested, staffChannel)
		jWantButtons(t, "second line's bandwidth request", pending.blocks, "Approve", "Reject", "Terminate")
		_, err = e.store.Act(ctx, jCustomer(e), c2.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"})
		jStep(e, "terminate", err)
		pm.deliver()
		after := pm.card(c2.ID, models.NoticeBandwidthRequested, staffChannel)
		for _, b := range jButtonTexts(after.blocks) {
			if b == "Approve" || b == "Reject" {
				t.Errorf("terminated line's bandwidth request still offers %s:\n%s", b, blocksText(after.blocks))
			}
		}
	})
}
