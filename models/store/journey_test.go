package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// TestJourney walks one connection from Applying to Enabled through every
// step, on each database, and checks the audit trail and the notices.
func TestJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := newFixture(t, backend)
		c := f.approved(t, f.acme, f.application(t, "Hangzhou line 1"))
		if c.Status != models.StatusApproved {
			t.Fatalf("status after approve = %s", c.Status)
		}
		before, _ := f.s.Balance(ctx, f.acme.AccountID)
		c, err := f.s.Pay(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatalf("pay: %v", err)
		}
		after, _ := f.s.Balance(ctx, f.acme.AccountID)
		if c.Status != models.StatusConnecting || c.PhysicalConnectionID == nil || !models.IsPhysicalConnectionID(*c.PhysicalConnectionID) || c.PortID == nil {
			t.Fatalf("after pay: status %s pcid %v port %v", c.Status, c.PhysicalConnectionID, c.PortID)
		}
		if before-after != c.AmountCents || c.AmountCents <= 0 {
			t.Fatalf("balance %d -> %d, price %d", before, after, c.AmountCents)
		}
		provider := models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: c.ProviderID}
		steps := []func() (*models.Connection, error){
			func() (*models.Connection, error) {
				return f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionViewPort})
			},
			func() (*models.Connection, error) {
				return f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionNotifyProvider})
			},
			func() (*models.Connection, error) {
				return f.s.SubmitSurvey(ctx, provider, c.ID, models.Survey{
					ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre,
					PlannedArrival: f.clock.Now().Add(72 * time.Hour),
					Engineers:      []models.Engineer{{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"}},
				})
			},
			func() (*models.Connection, error) {
				_, err := f.s.SubmitTicket(ctx, f.acme, c.ID, "fibre from our cage 12", "")
				return nil, err
			},
		}
		for i, step := range steps {
			if _, err := step(); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		d, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Connection.Step != models.StepTicketSubmitted || d.Ticket == nil || d.Survey == nil || len(d.Survey.Engineers) != 1 {
			t.Fatalf("detail after ticket: step %q ticket %v survey %v", d.Connection.Step, d.Ticket, d.Survey)
		}
		// Construction cannot complete before the visit is scheduled.
		if _, err := f.s.Act(ctx, provider, c.ID, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "L1", LineLabel: "HZ-1"}); !errors.Is(err, models.ErrWrongStatus) {
			t.Fatalf("complete before visit: %v", err)
		}
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionConfirm}); !errors.Is(err, models.ErrWrongStatus) {
			t.Fatalf("confirm while connecting: %v", err)
		}
		t.Logf("%s: %d audit events", backend, len(d.Audit))
	})
}
