package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// When the visit is not booked on the date the survey planned, the
// provider and the customer are told plainly why; when it is, nothing is
// added. Staff's copy carries no such note.
func TestVisitPlannedDateExplained(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		cst := time.FixedZone("CST", 8*3600)
		for _, tc := range []struct {
			name    string
			planned time.Time
			want    []string // in the provider's and the customer's card; none: no note
		}{
			{"planned on a Saturday", time.Date(2026, 11, 28, 10, 0, 0, 0, cst),
				[]string{"Booked for Monday 2026-11-30, not the planned Saturday 2026-11-28", "Saturday 2026-11-28 is not a workday"}},
			{"planned too soon", time.Date(2026, 11, 26, 15, 0, 0, 0, cst),
				[]string{"not the planned Thursday 2026-11-26", "is too soon: a visit is booked from the day after the construction ticket"}},
			{"planned on a good day", time.Date(2026, 12, 1, 10, 0, 0, 0, cst), nil},
		} {
			c := jConnecting(e, tc.name)
			_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
			jStep(e, "notify", err)
			sv := jSurvey(e, 1)
			sv.PlannedArrival = tc.planned
			_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, sv)
			jStep(e, "survey", err)
			_, err = e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", "")
			jStep(e, "ticket", err)
			_, _, err = e.store.BookVisit(ctx, jConn(e, c.ID).Ticket.ID, e.clock.Now())
			jStep(e, "book", err)
			pm.deliver()
			for _, ch := range []string{providerChan, customerChan} {
				text := blocksText(pm.card(c.ID, models.NoticeVisitScheduled, ch).blocks)
				for _, w := range tc.want {
					if !strings.Contains(text, w) {
						t.Errorf("%s: visit card in %s lacks %q:\n%s", tc.name, ch, w, text)
					}
				}
				if tc.want == nil && strings.Contains(text, "not the planned") {
					t.Errorf("%s: visit card in %s explains a date that is the planned one:\n%s", tc.name, ch, text)
				}
			}
			if text := blocksText(pm.card(c.ID, models.NoticeVisitScheduled, staffChannel).blocks); strings.Contains(text, "not the planned") {
				t.Errorf("%s: staff copy carries the note:\n%s", tc.name, text)
			}
		}
	})
}
