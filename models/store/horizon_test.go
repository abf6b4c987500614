package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
)

// Past the end of the region's known calendar (known_until) no visit is
// booked: a holiday nobody listed yet may fall there. The ticket waits,
// open, and is booked once the calendar is extended.
func TestBookVisitPastHorizon(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		db, err := f.s.DB()
		if err != nil {
			t.Fatal(err)
		}
		knownUntil := func(d string) {
			t.Helper()
			q := "UPDATE regions SET known_until = ? WHERE id = ?"
			if backend == "postgres" {
				q = "UPDATE regions SET known_until = $1 WHERE id = $2"
			}
			if _, err := db.ExecContext(ctx, q, d, "cn-hangzhou"); err != nil {
				t.Fatalf("set known_until: %v", err)
			}
		}
		knownUntil("2026-10-16") // the Friday of the ticket: Monday is unknown
		friday := cst(2026, 10, 16, 16, 0)
		c, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, friday)

		_, booked, err := f.s.BookVisit(ctx, tk.ID, friday.Add(5*time.Minute))
		if err == nil || booked || !strings.Contains(err.Error(), "known calendar") {
			t.Fatalf("booked past the horizon: booked %v, err %v", booked, err)
		}
		if got, err := f.s.Ticket(ctx, tk.ID); err != nil || got.State != models.TicketOpen {
			t.Fatalf("ticket after the refused booking: %+v %v, want it open", got, err)
		}
		if got := f.get(t, c.ID); got.Step != models.StepTicketSubmitted {
			t.Fatalf("step %q, want %q (waiting for the visit)", got.Step, models.StepTicketSubmitted)
		}

		knownUntil("2026-12-31")
		v, booked, err := f.s.BookVisit(ctx, tk.ID, friday.Add(time.Hour))
		if err != nil || !booked || v.Date != "2026-10-19" {
			t.Fatalf("after the calendar was extended: %+v booked %v err %v, want Monday 2026-10-19", v, booked, err)
		}
	})
}
