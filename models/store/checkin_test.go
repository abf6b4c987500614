package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// codes is a verification code generator tests can read: ABCD-0001,
// ABCD-0002, … in CheckinAlphabet (no 0 or 1: the counter is spelled in it).
func codes() func() string {
	var n atomic.Int64
	return func() string {
		k := n.Add(1)
		const a = models.CheckinAlphabet
		return fmt.Sprintf("TEST-%c%c%c%c", a[k/32768%32], a[k/1024%32], a[k/32%32], a[k%32])
	}
}

// checkinFixture is a fixture whose clock is on the visit day that
// ScheduleVisitForTest books (2026-11-27, 10:00 in Asia/Shanghai), with
// an access point whose reception person is URECEPT.
func checkinFixture(t *testing.T, backend string) *fixture {
	t.Helper()
	f := newFixtureConfig(t, backend, store.Config{MaxOpen: 1000, NewCheckinCode: codes()})
	f.addAPs(t, apSpec{ID: "ap-test-checkin", Devices: 2, Ports: 40})
	return f
}

// visitOf is the latest visit of connection id.
func (f *fixture) visitOf(t *testing.T, id int64) *models.Visit {
	t.Helper()
	d, err := f.s.Detail(context.Background(), f.staff, id)
	if err != nil || d.Visit == nil {
		t.Fatalf("visit of %d: %v", id, err)
	}
	return d.Visit
}

// TestCheckInAuthorization: who may check the visitors in (the visit's
// reception person, staff), who may not (the connection's customer and
// provider, the system: refused by the table; another reception person:
// not theirs; another tenant: not found), by button and by code, on
// SQLite and PostgreSQL. A code of no visit and a code of a visit the actor
// may not check in get the same refusal. Refusals change nothing; the
// check-in records the step "on site", the audit event and the notices.
func TestCheckInAuthorization(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := checkinFixture(t, backend)
		visitDay := time.Date(2026, 11, 27, 2, 0, 0, 0, time.UTC)
		reception := models.Actor{UserID: "URECEPT", Role: models.RoleReception}
		strangerDesk := models.Actor{UserID: "UDESK2", Role: models.RoleReception}

		walk := func(name string) (*models.Connection, *models.Visit) {
			c := f.walkTo(t, f.acme, appAt("checkin "+name, "ap-test-checkin"), stageNamed(t, "Connecting/visit scheduled"))
			return c, f.visitOf(t, c.ID)
		}
		f.clock.Set(visitDay.Add(-24 * time.Hour)) // walk the day before
		c, v := walk("refusals")
		if !strings.HasPrefix(v.CheckinCode, "TEST-") {
			t.Fatalf("visit code %q: not from the configured generator", v.CheckinCode)
		}
		audit, notices := len(f.auditOf(t, c.ID)), noticeCount(t, f.s, c.ID, "")

		// The day before the visit: refused, saying the visit's date.
		_, err := f.s.CheckIn(ctx, reception, models.CheckIn{VisitID: v.ID})
		var refusal *models.CheckinRefusal
		if !errors.As(err, &refusal) || refusal.Reason != models.CheckinNotToday || refusal.Date != "2026-11-27" {
			t.Fatalf("check in the day before: got %v, want not today (2026-11-27)", err)
		}
		f.clock.Set(visitDay)
		cases := []struct {
			who   string
			actor models.Actor
			want  error
		}{
			{"the connection's customer", f.acme, models.ErrForbidden},
			{"the connection's provider", providerOf(c), models.ErrForbidden},
			{"the system", models.SystemActor(), models.ErrForbidden},
			{"another reception person", strangerDesk, models.ErrForbidden},
			{"another account's customer", f.other, models.ErrNotFound},
			{"another provider", models.Actor{UserID: "UPROVOTHER", Role: models.RoleProvider, ProviderID: "cu-zj"}, models.ErrNotFound},
		}
		for _, tc := range cases {
			if _, err := f.s.CheckIn(ctx, tc.actor, models.CheckIn{VisitID: v.ID}); !errors.Is(err, tc.want) {
				t.Fatalf("check in by %s: got %v, want %v", tc.who, err, tc.want)
			}
			// By code, every refusal is the wrong code's, which names nothing.
			_, err := f.s.CheckIn(ctx, tc.actor, models.CheckIn{Code: v.CheckinCode})
			if !errors.As(err, &refusal) || refusal.Reason != models.CheckinWrongCode || strings.Contains(err.Error(), v.Date) || strings.Contains(err.Error(), "checkin") {
				t.Fatalf("check in by code by %s: got %v, want the wrong code's refusal", tc.who, err)
			}
		}
		for _, code := range []string{"", "TEST", "ZZZZ-ZZZZ", "TEST-0000", "not a code at all"} {
			_, err := f.s.CheckIn(ctx, reception, models.CheckIn{Code: code})
			if !errors.As(err, &refusal) || refusal.Reason != models.CheckinWrongCode || !errors.Is(err, models.ErrNotFound) {
				t.Fatalf("check in with code %q: got %v, want the wrong code's refusal", code, err)
			}
		}
		wantEqual(t, "step after refusals", f.get(t, c.ID).Step, models.StepVisitScheduled)
		wantEqual(t, "audit events after refusals", len(f.auditOf(t, c.ID)), audit)
		wantEqual(t, "notices after refusals", noticeCount(t, f.s, c.ID, ""), notices)

		// The reception person, by code typed loosely: on site.
		got, err := f.s.CheckIn(ctx, reception, models.CheckIn{Code: strings.ToLower(strings.ReplaceAll(v.CheckinCode, "-", " "))})
		if err != nil {
			t.Fatalf("check in by the reception person with the code: %v", err)
		}
		if got.ArrivedAt == nil || !got.ArrivedAt.Equal(visitDay) || got.ArrivedBy != "URECEPT" {
			t.Fatalf("visit after check-in: %+v", got)
		}
		after := f.get(t, c.ID)
		if after.Step != models.StepOnSite || after.Version != c.Version+1 {
			t.Fatalf("connection after check-in: v%d %q, want v%d on site", after.Version, after.Step, c.Version+1)
		}
		trail := f.auditOf(t, c.ID)
		last := trail[len(trail)-1]
		if last.Action != models.ActionCheckIn || last.Actor != "URECEPT" || last.Role != models.RoleReception || last.Step != models.StepOnSite ||
			!strings.Contains(last.Detail, "checked in at 10:00 CST") {
			t.Fatalf("audit event of the check-in: %+v", last)
		}
		wantEqual(t, "on_site notices (customer, provider)", noticeCount(t, f.s, c.ID, models.NoticeOnSite), 2)
		if party, _ := models.WaitingOn(after.Status, after.Step); party != models.PartyProvider {
			t.Fatalf("waiting on %q after check-in", party)
		}
		// Again: already done, by whom and when.
		var done *models.AlreadyDoneError
		if _, err := f.s.CheckIn(ctx, f.staff, models.CheckIn{VisitID: v.ID}); !errors.As(err, &done) || done.By != "URECEPT" {
			t.Fatalf("check in twice: got %v, want already done by URECEPT", err)
		}
		// A checked-in visit cannot be rescheduled.
		if _, err := f.s.RescheduleVisit(ctx, f.staff, v.ID, "2026-11-30", "moved"); err == nil {
			t.Fatal("a visit whose visitors arrived was rescheduled")
		}

		// Staff by button, concurrently with the reception person: once.
		c2, v2 := walk("race")
		var wg sync.WaitGroup
		var ok atomic.Int32
		for _, a := range []models.Actor{f.staff, reception, f.staff, reception} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var already *models.AlreadyDoneError // each goroutine its own target
				if _, err := f.s.CheckIn(ctx, a, models.CheckIn{VisitID: v2.ID}); err == nil {
					ok.Add(1)
				} else if !errors.As(err, &already) && !errors.Is(err, models.ErrConflict) {
					t.Errorf("concurrent check-in: %v", err)
				}
			}()
		}
		wg.Wait()
		wantEqual(t, "check-ins that succeeded", int(ok.Load()), 1)
		wantEqual(t, "on_site notices", noticeCount(t, f.s, c2.ID, models.NoticeOnSite), 2)

		// Rescheduled: a new code; the old one checks nobody in.
		c3, v3 := walk("rescheduled")
		moved, err := f.s.RescheduleVisit(ctx, f.staff, v3.ID, "2026-11-30", "the carrier asked")
		if err != nil {
			t.Fatal(err)
		}
		if moved.CheckinCode == v3.CheckinCode || moved.CheckinCode == "" {
			t.Fatalf("rescheduled visit code %q, was %q: want a new one", moved.CheckinCode, v3.CheckinCode)
		}
		if _, err := f.s.CheckIn(ctx, reception, models.CheckIn{Code: v3.CheckinCode}); !errors.As(err, &refusal) || refusal.Reason != models.CheckinWrongCode {
			t.Fatalf("old code after reschedule: got %v", err)
		}
		wantEqual(t, "step of the rescheduled visit's connection", f.get(t, c3.ID).Step, models.StepVisitScheduled)

		// The removal visit of a Terminating line: recorded on the visit and
		// in the audit trail; the status stays.
		f.clock.Set(visitDay.Add(-24 * time.Hour))
		term := f.walkTo(t, f.acme, appAt("checkin removal", "ap-test-checkin"), stageNamed(t, "Terminating"))
		if _, err := f.s.ScheduleVisitForTest(ctx, f.staff, term.ID, "2026-11-27"); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(visitDay)
		rv := f.visitOf(t, term.ID)
		if _, err := f.s.CheckIn(ctx, reception, models.CheckIn{Code: rv.CheckinCode}); err != nil {
			t.Fatalf("check in the removal visit: %v", err)
		}
		if got := f.get(t, term.ID); got.Status != models.StatusTerminating {
			t.Fatalf("removal check-in moved the line to %s", got.Status)
		}
		if f.visitOf(t, term.ID).ArrivedAt == nil {
			t.Fatal("the removal visit's arrival is not recorded")
		}
	})
}

// TestMarkNoShows: a visit nobody checked in is marked No Show an hour
// after its window ended in the region's time (not a minute before), once
// however many replicas run the job at once; staff, the provider and the
// customer are told once; a checked-in visit is never a no-show;
// rescheduling a no-show books it again with a new code.
func TestMarkNoShows(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		f := checkinFixture(t, backend)
		walk := func(name string) (*models.Connection, *models.Visit) {
			c := f.walkTo(t, f.acme, appAt("noshow "+name, "ap-test-checkin"), stageNamed(t, "Connecting/visit scheduled"))
			return c, f.visitOf(t, c.ID)
		}
		absent, v := walk("absent")
		present, pv := walk("present")
		if v.Window == "" {
			t.Fatal("the test access point has no visit window")
		}
		loc, _ := time.LoadLocation("Asia/Shanghai")
		d, _ := models.ParseDate(v.Date)
		end, ok := models.WindowEnd(d, v.Window, loc)
		if !ok {
			t.Fatalf("window %q has no end", v.Window)
		}
		// The engineers of "present" arrive.
		f.clock.Set(end.Add(-time.Hour))
		if _, err := f.s.CheckIn(ctx, f.staff, models.CheckIn{VisitID: pv.ID}); err != nil {
			t.Fatal(err)
		}
		// A minute short of an hour after the window: nothing.
		if n, err := f.s.MarkNoShows(ctx, end.Add(time.Hour-time.Minute)); err != nil || n != 0 {
			t.Fatalf("no-shows before the hour: %d, %v", n, err)
		}
		// Four replicas at once, twice.
		at := end.Add(time.Hour)
		var wg sync.WaitGroup
		var marked atomic.Int32
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := f.s.MarkNoShows(ctx, at)
				if err != nil {
					t.Errorf("mark no-shows: %v", err)
				}
				marked.Add(int32(n))
			}()
		}
		wg.Wait()
		if n, err := f.s.MarkNoShows(ctx, at.Add(time.Hour)); err != nil || n != 0 {
			t.Fatalf("second run: %d, %v", n, err)
		}
		wantEqual(t, "visits marked", int(marked.Load()), 1)
		got := f.visitOf(t, absent.ID)
		if got.State != models.VisitNoShow || got.NoShowAt == nil {
			t.Fatalf("absent visit: %+v", got)
		}
		wantEqual(t, "no-show notices (staff, provider, customer)", noticeCount(t, f.s, absent.ID, models.NoticeVisitNoShow), 3)
		wantEqual(t, "no-show notices to staff", sqlCount(t, f.s, "SELECT COUNT(*) FROM notices WHERE connection_id = ? AND kind = ? AND channel = ?", absent.ID, models.NoticeVisitNoShow, staffChannel), 1)
		wantEqual(t, "no-show notices of the present visit", noticeCount(t, f.s, present.ID, models.NoticeVisitNoShow), 0)
		if pv := f.visitOf(t, present.ID); pv.State != models.VisitScheduled || pv.NoShowAt != nil {
			t.Fatalf("checked-in visit: %+v", pv)
		}
		trail := f.auditOf(t, absent.ID)
		if last := trail[len(trail)-1]; last.Action != store.ActionNoShow || last.Actor != "system" {
			t.Fatalf("audit of the no-show: %+v", last)
		}
		// Staff reschedule it: booked again, new code, no mark.
		f.clock.Set(at)
		moved, err := f.s.RescheduleVisit(ctx, f.staff, got.ID, "2026-11-30", "engineers were ill")
		if err != nil {
			t.Fatal(err)
		}
		if moved.State != models.VisitScheduled || moved.NoShowAt != nil || moved.CheckinCode == got.CheckinCode {
			t.Fatalf("rescheduled no-show: %+v", moved)
		}
	})
}
