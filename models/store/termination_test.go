package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// enabledAt takes a new line of the acme account at apID to Enabled, its
// construction visit booked and done, every step at time at.
func (f *fixture) enabledAt(t testing.TB, apID string, at time.Time) *models.Connection {
	t.Helper()
	ctx := context.Background()
	c, tk := f.ticketSubmittedAt(t, f.acme, apID, at)
	if _, _, err := f.s.BookVisit(ctx, tk.ID, at.Add(5*time.Minute)); err != nil {
		t.Fatalf("book construction visit: %v", err)
	}
	if _, err := f.s.Act(ctx, providerOf(c), c.ID, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "ZJ-HZ-0042", LineLabel: "HZ/42"}); err != nil {
		t.Fatalf("complete construction: %v", err)
	}
	c, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionConfirm})
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	return c
}

// removalTicket is the connection's removal ticket of the given state.
func (f *fixture) removalTicket(t testing.TB, id int64) (int64, string, string) {
	t.Helper()
	rows := sqlRows(t, f.s, "SELECT id, state, planned_date FROM tickets WHERE connection_id = ? AND kind = 'removal' ORDER BY id DESC", id)
	if len(rows) == 0 {
		t.Fatalf("connection %d has no removal ticket", id)
	}
	var tid int64
	_ = json.Unmarshal([]byte(rows[0][0]), &tid)
	return tid, rows[0][1], rows[0][2]
}

// TestTerminate: the customer terminates an Enabled line with a reason; it
// becomes Terminating, the provider (port and IDC), the customer and staff
// are told, and schedule-visits books the removal visit by the construction
// visit's rules: the next workday, never before the planned date.
func TestTerminate(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))

		f.clock.Set(cst(2026, 10, 16, 16, 0)) // a Friday
		_, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionTerminate})
		ruleIn(t, err, "reason-required")
		wantEqual(t, "status after a termination without reason", f.get(t, c.ID).Status, models.StatusEnabled)

		got, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out of Hangzhou"})
		if err != nil {
			t.Fatalf("terminate: %v", err)
		}
		wantEqual(t, "status", got.Status, models.StatusTerminating)
		wantEqual(t, "reason kept", got.Reason, "moving out of Hangzhou")
		for _, ch := range []string{"C0SAMPLECTZJ", "CAPPLY", staffChannel} {
			if sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?", c.ID, models.NoticeTerminating, ch) != 1 {
				t.Errorf("%s not told of the termination", ch)
			}
		}
		_, state, _ := f.removalTicket(t, c.ID)
		wantEqual(t, "removal ticket", state, string(models.TicketOpen))
		audit := f.auditOf(t, c.ID)
		if last := audit[len(audit)-1]; last.Action != models.ActionTerminate || last.Actor != f.acme.UserID || last.Detail != "moving out of Hangzhou" {
			t.Fatalf("audit %+v", last)
		}

		// Terminating twice is "already terminated".
		_, err = f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "again"})
		if !errors.Is(err, models.ErrConflict) {
			t.Fatalf("terminate again: %v", err)
		}

		batch, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 16, 5), models.BookingQuery{})
		if err != nil || len(batch.Booked) != 1 {
			t.Fatalf("book removal: %v, %+v", err, batch)
		}
		v := batch.Booked[0]
		wantEqual(t, "removal visit (next workday after Friday)", v.Date, "2026-10-19")
		_, state, _ = f.removalTicket(t, c.ID)
		wantEqual(t, "removal ticket after booking", state, string(models.TicketBooked))
		wantEqual(t, "status after booking", f.get(t, c.ID).Status, models.StatusTerminating)
		var data store.VisitNoticeData
		rows := sqlRows(t, f.s, "SELECT data FROM notices WHERE connection_id = ? AND kind = ? AND channel = ? ORDER BY id DESC", c.ID, models.NoticeVisitScheduled, "C0SAMPLECTZJ")
		if err := json.Unmarshal([]byte(rows[0][0]), &data); err != nil || !data.Removal || data.Date != "2026-10-19" {
			t.Fatalf("provider's removal visit notice %+v (%v)", data, err)
		}
		// Booking again books nothing more.
		if batch, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 17, 0), models.BookingQuery{}); err != nil || len(batch.Booked) != 0 {
			t.Fatalf("book again: %v, %+v", err, batch)
		}
	})
}

// TestTerminatePlanned: staff terminate with a planned removal date; the
// visit is booked on it (or the first workday with room after it).
func TestTerminatePlanned(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))
		f.clock.Set(cst(2026, 10, 16, 16, 0))
		planned := models.Date{Year: 2026, Month: 10, Day: 24} // a Saturday
		if _, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "non-payment", Planned: &planned}); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		_, _, pd := f.removalTicket(t, c.ID)
		wantEqual(t, "planned date on the ticket", pd, "2026-10-24")
		batch, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 16, 5), models.BookingQuery{})
		if err != nil || len(batch.Booked) != 1 {
			t.Fatalf("book removal: %v, %+v", err, batch)
		}
		wantEqual(t, "removal visit (Monday after the planned Saturday)", batch.Booked[0].Date, "2026-10-26")
	})
}

// TestRemovalComplete: the provider reports the removal with the line's
// code; the line is Terminated, the visit done, the port free at once (a
// new application's payment gets it), and the redundant partner's owner
// is told its partner is gone.
func TestRemovalComplete(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))
		// A redundant partner naming c, Approved.
		partnerApp := models.Application{Name: "partner", AccessPointID: visitAPYuhang, ProviderID: c.ProviderID, PortType: c.PortType,
			BandwidthMbps: c.BandwidthMbps, Location: "cage 14", RedundantID: &c.ID}
		partner := f.approved(t, f.acme, partnerApp)

		f.clock.Set(cst(2026, 10, 16, 16, 0))
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"}); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		if _, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 16, 5), models.BookingQuery{}); err != nil {
			t.Fatalf("book: %v", err)
		}
		prov := providerOf(c)
		_, err := f.s.Act(ctx, prov, c.ID, models.ActInput{Action: models.ActionCompleteRemoval, LineCode: "ZJ-HZ-0099"})
		ruleIn(t, err, "line-code-mismatch")
		_, err = f.s.Act(ctx, prov, c.ID, models.ActInput{Action: models.ActionCompleteRemoval})
		ruleIn(t, err, "line-code-required")
		_, err = f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCompleteRemoval, LineCode: "ZJ-HZ-0042"})
		if !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("customer reports the removal: %v", err)
		}

		got, err := f.s.Act(ctx, prov, c.ID, models.ActInput{Action: models.ActionCompleteRemoval, LineCode: "zj-hz-0042", Note: "patch cord out"})
		if err != nil {
			t.Fatalf("removal complete: %v", err)
		}
		wantEqual(t, "status", got.Status, models.StatusTerminated)
		wantEqual(t, "port held", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE connection_id = ?", c.ID), 0)
		wantEqual(t, "port free", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE id = ? AND state = 'free'", *c.PortID), 1)
		if got.PortID != nil || got.PortName != c.PortName || got.DeviceID != c.DeviceID {
			t.Errorf("terminated line holds port %v, keeps %s %s; want none, and its port's name kept", got.PortID, got.DeviceID, got.PortName)
		}
		checkPortsConsistent(t, f.s)
		wantEqual(t, "visits still scheduled", sqlCount(t, f.s, "SELECT COUNT(*) FROM visits WHERE connection_id = ? AND state = ?", c.ID, models.VisitScheduled), 0)
		for _, ch := range []string{"C0SAMPLECTZJ", "CAPPLY", staffChannel} {
			if sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?", c.ID, models.NoticeTerminated, ch) != 1 {
				t.Errorf("%s not told of the removal", ch)
			}
		}
		wantEqual(t, "partner_terminated notices on the partner", noticeCount(t, f.s, partner.ID, models.NoticePartnerTerminated), 1)
		audit := f.auditOf(t, c.ID)
		if last := audit[len(audit)-1]; last.Action != models.ActionCompleteRemoval || last.Detail != "line ZJ-HZ-0042 removed: patch cord out" {
			t.Fatalf("audit %+v", last)
		}

		// The port is the next allocation's: a new line of the same type
		// at the same access point gets it.
		f.clock.Set(cst(2026, 10, 20, 10, 0))
		next := f.approved(t, f.acme, models.Application{Name: "next", AccessPointID: visitAPYuhang, ProviderID: c.ProviderID,
			PortType: c.PortType, BandwidthMbps: c.BandwidthMbps, Location: "cage 12"})
		paid, err := f.s.Pay(ctx, f.acme, next.ID)
		if err != nil {
			t.Fatalf("pay: %v", err)
		}
		if paid.PortID == nil || *paid.PortID != *c.PortID {
			t.Fatalf("new line got port %v, want the freed %d", paid.PortID, *c.PortID)
		}
		checkPortsConsistent(t, f.s)
	})
}

// TestCancelTermination: before the removal, the customer keeps the line
// with a reason: Enabled again, the removal ticket closed, its visit
// canceled, everyone told; the port stays the line's.
func TestCancelTermination(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c := f.enabledAt(t, visitAPYuhang, cst(2026, 10, 12, 10, 0))
		f.clock.Set(cst(2026, 10, 16, 16, 0))
		if _, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "moving out"}); err != nil {
			t.Fatalf("terminate: %v", err)
		}
		if _, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 16, 5), models.BookingQuery{}); err != nil {
			t.Fatalf("book: %v", err)
		}
		_, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancelTermination})
		ruleIn(t, err, "reason-required")
		_, err = f.s.Act(ctx, providerOf(c), c.ID, models.ActInput{Action: models.ActionCancelTermination, Reason: "x"})
		if !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("provider cancels: %v", err)
		}
		got, err := f.s.Act(ctx, f.acme, c.ID, models.ActInput{Action: models.ActionCancelTermination, Reason: "we stay after all"})
		if err != nil {
			t.Fatalf("cancel termination: %v", err)
		}
		wantEqual(t, "status", got.Status, models.StatusEnabled)
		_, state, _ := f.removalTicket(t, c.ID)
		wantEqual(t, "removal ticket", state, string(models.TicketClosed))
		wantEqual(t, "visits still scheduled", sqlCount(t, f.s, "SELECT COUNT(*) FROM visits WHERE connection_id = ? AND state = ?", c.ID, models.VisitScheduled), 0)
		wantEqual(t, "port kept", sqlCount(t, f.s, "SELECT COUNT(*) FROM ports WHERE connection_id = ?", c.ID), 1)
		for _, ch := range []string{"C0SAMPLECTZJ", "CAPPLY", staffChannel} {
			if sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?", c.ID, models.NoticeTerminationCanceled, ch) != 1 {
				t.Errorf("%s not told the line stays", ch)
			}
		}
		// It can be terminated again; the new removal ticket is booked anew.
		if _, err := f.s.Act(ctx, f.staff, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "non-payment"}); err != nil {
			t.Fatalf("terminate again: %v", err)
		}
		batch, err := f.s.BookVisits(ctx, cst(2026, 10, 16, 17, 0), models.BookingQuery{})
		if err != nil || len(batch.Booked) != 1 {
			t.Fatalf("book the second removal: %v, %+v", err, batch)
		}
	})
}
