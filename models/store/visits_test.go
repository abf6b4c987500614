package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/catalog"
	"github.com/leaseline/leaseline/models/store"
)

var shanghaiZone = mustLoadZone("Asia/Shanghai")

func mustLoadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Access points of the sample catalog used here (region cn-hangzhou, the
// 2026 China calendar, lock-down 2026-11-09..12).
const (
	visitAPYuhang   = "ap-cn-hangzhou-yh-b" // capacity 4; rota Mon–Wed, Thu–Sat, every day
	visitAPXiaoshan = "ap-cn-hangzhou-xs-a" // capacity 2; one person every day
)

// ticketSubmittedAt walks a new connection of actor at access point apID to a
// submitted construction ticket, every step at time at; the survey plans
// the engineers' arrival a day later (so the planned date is never after
// the ticket's next workday, and the calendar alone decides).
func (f *fixture) ticketSubmittedAt(t testing.TB, actor models.Actor, apID string, at time.Time) (*models.Connection, *models.Ticket) {
	t.Helper()
	return f.ticketPlanned(t, actor, apID, at, at.Add(24*time.Hour))
}

// ticketPlanned is ticketSubmittedAt with the survey's planned arrival.
func (f *fixture) ticketPlanned(t testing.TB, actor models.Actor, apID string, at, planned time.Time) (*models.Connection, *models.Ticket) {
	t.Helper()
	ctx := context.Background()
	f.clock.Set(at)
	ap, err := f.s.AccessPoint(ctx, apID)
	if err != nil {
		t.Fatalf("access point %s: %v", apID, err)
	}
	offer := ap.PortTypes[0]
	app := models.Application{
		Name: fmt.Sprintf("line at %s", at.Format(time.RFC3339Nano)), AccessPointID: ap.ID, ProviderID: "ct-zj", // allowed at both access points
		PortType: offer.PortType, BandwidthMbps: max(offer.MinMbps, models.MinBandwidthMbps), Location: "cage 12",
	}
	c := f.approved(t, actor, app)
	if _, err := f.s.Pay(ctx, actor, c.ID); err != nil {
		t.Fatalf("pay: %v", err)
	}
	if _, err := f.s.Act(ctx, actor, c.ID, models.ActInput{Action: models.ActionNotifyProvider}); err != nil {
		t.Fatalf("notify provider: %v", err)
	}
	provider := models.Actor{UserID: "UPROV", Role: models.RoleProvider, ProviderID: c.ProviderID}
	if _, err := f.s.SubmitSurvey(ctx, provider, c.ID, models.Survey{
		ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre, PlannedArrival: planned,
		Engineers: []models.Engineer{
			{Name: "Li Wei", Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: "11010119900307123X"},
			{Name: "Wang Bo", Phone: "+86 139 0000 0000", IDType: models.Passport, IDNumber: "E12345678"},
		},
	}); err != nil {
		t.Fatalf("survey: %v", err)
	}
	tk, err := f.s.SubmitTicket(ctx, actor, c.ID, "fibre from cage 12", "")
	if err != nil {
		t.Fatalf("ticket: %v", err)
	}
	return c, tk
}

func cst(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, shanghaiZone)
}

// TestBookVisitDates checks the day a ticket's visit is booked on, across
// weekends, the 2026 National Day holiday week and its make-up Saturday,
// late local evenings and lock-down days.
func TestBookVisitDates(t *testing.T) {
	cases := []struct {
		name      string
		submitted time.Time
		planned   time.Time // zero: a day after submitted
		want      string
		late      time.Duration // how long after the ticket the booking runs (5 minutes if 0)
	}{
		{"Friday 16:00 gets Monday", cst(2026, 10, 16, 16, 0), time.Time{}, "2026-10-19", 0},
		{"eve of the holiday week gets the first workday after it", cst(2026, 9, 30, 16, 0), time.Time{}, "2026-10-08", 0},
		{"Friday before the make-up Saturday gets that Saturday", cst(2026, 10, 9, 16, 0), time.Time{}, "2026-10-10", 0},
		{"Thursday 23:30 local gets Friday", cst(2026, 10, 15, 23, 30), time.Time{}, "2026-10-16", 0},
		{"Monday 00:30 local (Sunday in UTC) gets Tuesday", cst(2026, 10, 19, 0, 30), time.Time{}, "2026-10-20", 0},
		{"Friday before the Double 11 lock-down gets the day after it", cst(2026, 11, 6, 10, 0), time.Time{}, "2026-11-13", 0},
		{"Friday, survey planning Tuesday 1 Dec, gets Tuesday", cst(2026, 11, 27, 16, 0), cst(2026, 12, 1, 9, 30), "2026-12-01", 0},
		{"survey planning a holiday gets the first workday after it", cst(2026, 9, 28, 10, 0), cst(2026, 10, 2, 9, 30), "2026-10-08", 0},
		{"Friday 23:30 booked at 00:05 keeps the make-up Saturday", cst(2026, 10, 9, 23, 30), time.Time{}, "2026-10-10", 35 * time.Minute},
		{"Friday booked Monday after 09:30 (the window began) gets Tuesday", cst(2026, 10, 16, 16, 0), time.Time{}, "2026-10-20", 65*time.Hour + 35*time.Minute},
	}
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				planned := tc.planned
				if planned.IsZero() {
					planned = tc.submitted.Add(24 * time.Hour)
				}
				_, tk := f.ticketPlanned(t, f.acme, visitAPYuhang, tc.submitted, planned)
				late := tc.late
				if late == 0 {
					late = 5 * time.Minute
				}
				v, booked, err := f.s.BookVisit(ctx, tk.ID, tc.submitted.Add(late))
				if err != nil || !booked {
					t.Fatalf("book: %v (booked %v)", err, booked)
				}
				if v.Date != tc.want {
					t.Fatalf("visit on %s, want %s", v.Date, tc.want)
				}
				// Finish it so the account stays under its open-connections limit.
				c, _ := f.s.Ticket(ctx, tk.ID)
				conn, err := f.s.Act(ctx, f.staff, *c.ConnectionID, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "L", LineLabel: "X"})
				if err != nil {
					t.Fatalf("complete: %v", err)
				}
				if _, err := f.s.Act(ctx, f.acme, conn.ID, models.ActInput{Action: models.ActionConfirm}); err != nil {
					t.Fatalf("confirm: %v", err)
				}
			})
		}
	})
}

// TestBookVisitCapacity: capacity 2 and three tickets: the third goes to
// the next workday; rebooking is a no-op.
func TestBookVisitCapacity(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		var tickets []*models.Ticket
		for i := range 3 {
			_, tk := f.ticketSubmittedAt(t, f.acme, visitAPXiaoshan, cst(2026, 10, 13, 10, i))
			tickets = append(tickets, tk)
		}
		now := cst(2026, 10, 13, 11, 0)
		var dates []string
		for _, tk := range tickets {
			v, booked, err := f.s.BookVisit(ctx, tk.ID, now)
			if err != nil || !booked {
				t.Fatalf("book ticket %d: %v (booked %v)", tk.ID, err, booked)
			}
			dates = append(dates, v.Date)
		}
		if got := strings.Join(dates, " "); got != "2026-10-14 2026-10-14 2026-10-15" {
			t.Fatalf("dates %s, want two on the 14th and one on the 15th", got)
		}
		// Idempotent: booking again returns the same visit and books nothing.
		v, booked, err := f.s.BookVisit(ctx, tickets[0].ID, now)
		if err != nil || booked || v.Date != "2026-10-14" {
			t.Fatalf("rebook: %v booked %v visit %+v", err, booked, v)
		}
		left, err := f.s.TicketsToBook(ctx, now, 0, 0)
		if err != nil || len(left) != 0 {
			t.Fatalf("tickets left to book: %d %v", len(left), err)
		}
	})
}

// xiaoshanTickets submits n construction tickets at Xiaoshan (capacity 2)
// on Tuesday 2026-10-13 from 10:00, a minute apart, alternately of ACME and
// the other account (each stays under its open-connections limit).
func (f *fixture) xiaoshanTickets(t *testing.T, n int) []*models.Ticket {
	t.Helper()
	var tickets []*models.Ticket
	for i := range n {
		actor := f.acme
		if i%2 == 1 {
			actor = f.other
		}
		_, tk := f.ticketSubmittedAt(t, actor, visitAPXiaoshan, cst(2026, 10, 13, 10, i))
		tickets = append(tickets, tk)
	}
	return tickets
}

// wantScheduledNotices fails t unless want visit_scheduled notices are
// recorded.
func (f *fixture) wantScheduledNotices(t *testing.T, want int) {
	t.Helper()
	notices, err := f.s.Notices(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	scheduled := 0
	for _, n := range notices {
		if n.Kind == models.NoticeVisitScheduled {
			scheduled++
		}
	}
	if scheduled != want {
		t.Fatalf("%d visit_scheduled notices, want %d", scheduled, want)
	}
}

// TestBookVisitConcurrent: many bookers of the same tickets at once book
// each ticket once and respect the capacity.
func TestBookVisitConcurrent(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		tickets := f.xiaoshanTickets(t, 5)
		now := cst(2026, 10, 13, 11, 0)
		var wg sync.WaitGroup
		var mu sync.Mutex
		booked := 0
		for range 4 {
			for _, tk := range tickets {
				wg.Go(func() {
					_, ok, err := f.s.BookVisit(ctx, tk.ID, now)
					if err != nil {
						t.Errorf("book %d: %v", tk.ID, err)
					}
					if ok {
						mu.Lock()
						booked++
						mu.Unlock()
					}
				})
			}
		}
		wg.Wait()
		if booked != len(tickets) {
			t.Fatalf("%d bookings for %d tickets", booked, len(tickets))
		}
		perDay := map[string]int{}
		for _, d := range []string{"2026-10-14", "2026-10-15", "2026-10-16"} {
			vs, err := f.s.VisitsOn(ctx, visitAPXiaoshan, d)
			if err != nil {
				t.Fatal(err)
			}
			perDay[d] = len(vs)
		}
		if perDay["2026-10-14"] != 2 || perDay["2026-10-15"] != 2 || perDay["2026-10-16"] != 1 {
			t.Fatalf("visits per day %v, want 2, 2, 1", perDay)
		}
		f.wantScheduledNotices(t, 3*len(tickets))
	})
}

// TestBookVisitsReplicas: four bookers running batches of two at once, as
// replicas of schedule-visits do, book every ticket once, fill each day to
// the capacity and no further, and book in ticket order (first come, first
// served); each ticket's three visit_scheduled notices are written once.
func TestBookVisitsReplicas(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		tickets := f.xiaoshanTickets(t, 6)
		now := cst(2026, 10, 13, 11, 0)
		var (
			wg     sync.WaitGroup
			mu     sync.Mutex
			booked = map[int64]int{}
		)
		for range 4 {
			wg.Go(func() {
				q := models.BookingQuery{Limit: 2}
				for {
					b, err := f.s.BookVisits(ctx, now, q)
					if err != nil {
						t.Errorf("book: %v", err)
						return
					}
					mu.Lock()
					for _, v := range b.Booked {
						booked[v.TicketID]++
					}
					mu.Unlock()
					if len(b.Failed) > 0 {
						t.Errorf("failed: %+v", b.Failed)
					}
					if b.Claimed < q.Limit {
						return
					}
					q.AfterID = b.LastTicketID
				}
			})
		}
		wg.Wait()
		var dates []string
		for _, tk := range tickets {
			if booked[tk.ID] != 1 {
				t.Fatalf("ticket %d booked %d times", tk.ID, booked[tk.ID])
			}
			d, err := f.s.Detail(ctx, f.staff, *tk.ConnectionID)
			if err != nil || d.Visit == nil {
				t.Fatalf("visit of ticket %d: %v", tk.ID, err)
			}
			dates = append(dates, d.Visit.Date)
		}
		want := "2026-10-14 2026-10-14 2026-10-15 2026-10-15 2026-10-16 2026-10-16"
		if got := strings.Join(dates, " "); got != want {
			t.Fatalf("dates in ticket order %s, want %s", got, want)
		}
		f.wantScheduledNotices(t, 3*len(tickets))
		if left, err := f.s.TicketsToBook(ctx, now, 0, 0); err != nil || len(left) != 0 {
			t.Fatalf("tickets left: %d %v", len(left), err)
		}
	})
}

// TestBookVisitNotices checks who is told and what the notice data holds.
func TestBookVisitNotices(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		c, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, cst(2026, 10, 16, 16, 0))
		v, _, err := f.s.BookVisit(ctx, tk.ID, cst(2026, 10, 16, 16, 5))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.s.Detail(ctx, f.acme, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Connection.Step != models.StepVisitScheduled || d.Ticket.State != models.TicketBooked || d.Visit == nil || d.Visit.ID != v.ID {
			t.Fatalf("after booking: step %q ticket %s visit %+v", d.Connection.Step, d.Ticket.State, d.Visit)
		}
		// Monday: Li Wei (Mon–Wed) and Wang Fang (every day) are on duty,
		// neither has a visit: the lower id, Li Wei.
		if d.Reception == nil || d.Reception.Name != "Li Wei" || v.Window != "09:30-12:00" {
			t.Fatalf("reception %+v window %s", d.Reception, v.Window)
		}
		last := d.Audit[len(d.Audit)-1]
		if last.Action != models.ActionScheduleVisit || last.Actor != "system" || !strings.Contains(last.Detail, "2026-10-19") {
			t.Fatalf("audit %+v", last)
		}
		notices, _ := f.s.Notices(ctx, c.ID)
		got := map[string]store.VisitNoticeData{}
		for _, n := range notices {
			if n.Kind != models.NoticeVisitScheduled {
				continue
			}
			var data store.VisitNoticeData
			if err := json.Unmarshal([]byte(n.Data), &data); err != nil {
				t.Fatal(err)
			}
			got[n.Channel] = data
		}
		if len(got) != 3 {
			t.Fatalf("visit_scheduled to %v, want customer, provider and staff", got)
		}
		data := got["CAPPLY"]
		if _, ok := got["C0SAMPLECTZJ"]; !ok {
			t.Fatalf("provider channel not told: %v", got)
		}
		if _, ok := got[staffChannel]; !ok {
			t.Fatalf("staff not told: %v", got)
		}
		if data.Date != "2026-10-19" || data.Weekday != "Monday" || data.PlannedDate != "2026-10-17" || data.IDCName != "Yuhang Data Park B" || !strings.Contains(data.IDCAddress, "Yuhang") ||
			data.ReceptionName != "Li Wei" || data.ReceptionPhone == "" || len(data.Visitors) != 2 {
			t.Fatalf("notice data %+v", data)
		}
		if data.Visitors[0].IDNumber != "**************123X" || strings.Contains(notices[len(notices)-1].Data, "110101") {
			t.Fatalf("ID number not masked: %+v", data.Visitors)
		}
	})
}

// TestBookVisitRollback: a booking whose engine step fails leaves nothing
// behind (no visit, ticket still open, no notice).
func TestBookVisitRollback(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		_, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, cst(2026, 10, 16, 16, 0))
		// A catalog without a rota at the access point makes the booking fail
		// after the engine locked the connection.
		cat, err := catalog.Parse(catalog.Sample(), "sample.yaml")
		if err != nil {
			t.Fatal(err)
		}
		kept := cat.Reception[:0]
		for _, r := range cat.Reception {
			if r.AccessPointID != visitAPYuhang {
				kept = append(kept, r)
			}
		}
		cat.Reception = kept
		if _, err := f.s.ImportCatalog(ctx, cat); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.BookVisit(ctx, tk.ID, cst(2026, 10, 16, 16, 5)); err == nil || !strings.Contains(err.Error(), "no reception rota") {
			t.Fatalf("book without rota: %v", err)
		}
		got, _ := f.s.Ticket(ctx, tk.ID)
		if got.State != models.TicketOpen {
			t.Fatalf("ticket %s after failed booking", got.State)
		}
		notices, _ := f.s.Notices(ctx, 0)
		for _, n := range notices {
			if n.Kind == models.NoticeVisitScheduled {
				t.Fatalf("notice left by a failed booking: %+v", n)
			}
		}
	})
}

// TestChangeVisit: staff reschedule (rules named), cancel, and reinstate.
func TestChangeVisit(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		_, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, cst(2026, 10, 16, 16, 0))
		v, _, err := f.s.BookVisit(ctx, tk.ID, cst(2026, 10, 16, 16, 5))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.RescheduleVisit(ctx, f.acme, v.ID, "2026-10-20", ""); !errors.Is(err, models.ErrForbidden) {
			t.Fatalf("customer reschedules: %v", err)
		}
		for date, rule := range map[string]string{
			"2026-10-24": "visit-date-workday",  // Saturday
			"2026-11-10": "visit-date-lockdown", // Double 11
			"2026-10-01": "visit-date-past",
			"Oct 20":     "visit-date",
		} {
			var re *models.RuleError
			if _, err := f.s.RescheduleVisit(ctx, f.staff, v.ID, date, ""); !errors.As(err, &re) || re.Rule != rule {
				t.Fatalf("reschedule to %s: %v, want rule %s", date, err, rule)
			}
		}
		// Thursday: Li Wei is off (Mon–Wed), Zhang Min (Thu–Sat) takes it.
		nv, err := f.s.RescheduleVisit(ctx, f.staff, v.ID, "2026-10-22", "provider asked")
		if err != nil {
			t.Fatal(err)
		}
		if nv.Date != "2026-10-22" || nv.ReceptionPersonID == v.ReceptionPersonID {
			t.Fatalf("rescheduled visit %+v", nv)
		}
		if _, err := f.s.CancelVisit(ctx, f.staff, v.ID, ""); err == nil {
			t.Fatal("cancel without reason accepted")
		}
		cv, err := f.s.CancelVisit(ctx, f.staff, v.ID, "IDC power works")
		if err != nil || cv.State != models.VisitCanceled {
			t.Fatalf("cancel: %v %+v", err, cv)
		}
		if _, err := f.s.CancelVisit(ctx, f.staff, v.ID, "again"); !errors.Is(err, models.ErrConflict) {
			t.Fatalf("cancel twice: %v", err)
		}
		rv, err := f.s.RescheduleVisit(ctx, f.staff, v.ID, "2026-10-23", "works done")
		if err != nil || rv.State != models.VisitScheduled {
			t.Fatalf("reinstate: %v %+v", err, rv)
		}
		notices, _ := f.s.Notices(ctx, 0)
		changed := map[string]int{}
		for _, n := range notices {
			if n.Kind == models.NoticeVisitChanged {
				var d store.VisitNoticeData
				_ = json.Unmarshal([]byte(n.Data), &d)
				changed[d.Change+" "+n.Channel]++
			}
		}
		// Customer, provider, staff, and the reception people concerned.
		for _, want := range []string{"rescheduled CAPPLY", "rescheduled C0SAMPLECTZJ", "rescheduled " + staffChannel,
			"rescheduled U0SAMPLE0101", "rescheduled U0SAMPLE0102", "canceled CAPPLY", "canceled U0SAMPLE0102"} {
			if changed[want] == 0 {
				t.Fatalf("no visit_changed %q in %v", want, changed)
			}
		}
	})
}

// TestBookVisitSameDay: a visit booked for the booking day itself (its
// window not begun) tells the provider and the reception person at once,
// and the morning reminder does not tell them again.
func TestBookVisitSameDay(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		_, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, cst(2026, 10, 16, 16, 0))
		v, _, err := f.s.BookVisit(ctx, tk.ID, cst(2026, 10, 19, 8, 0)) // Monday, before 09:30
		if err != nil || v.Date != "2026-10-19" {
			t.Fatalf("book: %v %+v", err, v)
		}
		reminded := func() map[string]int {
			notices, _ := f.s.Notices(ctx, 0)
			to := map[string]int{}
			for _, n := range notices {
				if n.Kind == models.NoticeVisitReminder {
					to[n.Channel]++
				}
			}
			return to
		}
		if to := reminded(); len(to) != 2 || to["C0SAMPLECTZJ"] != 1 || to["U0SAMPLE0101"] != 1 {
			t.Fatalf("reminders at booking %v, want the provider and Li Wei", to)
		}
		if n, err := f.s.RemindReception(ctx, cst(2026, 10, 19, 9, 0)); err != nil || n != 0 {
			t.Fatalf("morning reminder after a same-day booking: %d %v", n, err)
		}
		if to := reminded(); len(to) != 2 || to["C0SAMPLECTZJ"] != 1 || to["U0SAMPLE0101"] != 1 {
			t.Fatalf("reminders after the morning run %v, want one each", to)
		}
	})
}

// TestRemindReception: on the morning of the visit the provider and the
// reception person are reminded, once.
func TestRemindReception(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		_, tk := f.ticketSubmittedAt(t, f.acme, visitAPYuhang, cst(2026, 10, 16, 16, 0))
		if _, _, err := f.s.BookVisit(ctx, tk.ID, cst(2026, 10, 16, 16, 5)); err != nil {
			t.Fatal(err)
		}
		for _, at := range []time.Time{cst(2026, 10, 17, 8, 0), cst(2026, 10, 18, 23, 59)} {
			if n, err := f.s.RemindReception(ctx, at); err != nil || n != 0 {
				t.Fatalf("remind before the day (%s): %d %v", at, n, err)
			}
		}
		morning := cst(2026, 10, 19, 8, 0)
		for i, want := range []int{1, 0} {
			n, err := f.s.RemindReception(ctx, morning.Add(time.Duration(i)*time.Hour))
			if err != nil || n != want {
				t.Fatalf("remind run %d: %d %v, want %d", i, n, err, want)
			}
		}
		notices, _ := f.s.Notices(ctx, 0)
		to := map[string]bool{}
		for _, n := range notices {
			if n.Kind == models.NoticeVisitReminder {
				to[n.Channel] = true
			}
		}
		if len(to) != 2 || !to["C0SAMPLECTZJ"] || !to["U0SAMPLE0101"] {
			t.Fatalf("reminders to %v, want the provider and Li Wei", to)
		}
	})
}

// TestReviewSLA: raised after one workday, escalated after two, each once.
func TestReviewSLA(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		f.clock.Set(cst(2026, 10, 16, 16, 0)) // Friday
		app := f.application(t, "Review me")
		app.AccessPointID, app.ProviderID = visitAPYuhang, "ct-zj"
		ap, _ := f.s.AccessPoint(ctx, visitAPYuhang)
		app.PortType, app.BandwidthMbps = ap.PortTypes[0].PortType, max(ap.PortTypes[0].MinMbps, models.MinBandwidthMbps)
		c, err := f.s.Apply(ctx, f.acme, app, "CAPPLY")
		if err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			at        time.Time
			want      int
			wantLevel int
		}{
			{cst(2026, 10, 19, 17, 0), 0, 0}, // Monday: the review day
			{cst(2026, 10, 20, 9, 0), 1, 1},  // Tuesday: one workday late
			{cst(2026, 10, 20, 15, 0), 0, 1}, // same level again: nothing
			{cst(2026, 10, 21, 9, 0), 1, 2},  // Wednesday: escalated
			{cst(2026, 10, 22, 9, 0), 0, 2},
		}
		for i, st := range steps {
			n, err := f.s.ReviewSLA(ctx, st.at, "UBOSS")
			if err != nil || n != st.want {
				t.Fatalf("step %d: %d %v, want %d", i, n, err, st.want)
			}
		}
		notices, _ := f.s.Notices(ctx, c.ID)
		var levels []int
		for _, n := range notices {
			if n.Kind == models.NoticeReviewOverdue {
				var d models.ReviewOverdueData
				_ = json.Unmarshal([]byte(n.Data), &d)
				levels = append(levels, d.Level)
				if (d.Level == 2) != (d.Escalate == "UBOSS") || n.Channel != staffChannel {
					t.Fatalf("overdue notice %+v data %+v", n, d)
				}
			}
		}
		if fmt.Sprint(levels) != "[1 2]" {
			t.Fatalf("levels %v", levels)
		}
	})
}

// TestCustomerReminders: unpaid and unconfirmed reminded every N workdays,
// unpaid canceled after the limit.
func TestCustomerReminders(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		f := newFixture(t, backend)
		ctx := context.Background()
		f.clock.Set(cst(2026, 10, 12, 10, 0)) // Monday
		unpaid := f.approved(t, f.acme, f.application(t, "Unpaid"))
		p := models.ReminderPolicy{RemindAfter: 2, ExpireUnpaidAfter: 5}
		check := func(at time.Time, reminded, expired int) {
			t.Helper()
			f.clock.Set(at)
			rep, err := f.s.CustomerReminders(ctx, at, p)
			if err != nil || rep.Reminded != reminded || rep.Expired != expired {
				t.Fatalf("at %s: %+v %v, want %d reminded %d expired", at, rep, err, reminded, expired)
			}
		}
		check(cst(2026, 10, 13, 10, 0), 0, 0) // 0 workdays passed
		check(cst(2026, 10, 15, 10, 0), 1, 0) // Tue, Wed passed
		check(cst(2026, 10, 15, 18, 0), 0, 0) // same round
		check(cst(2026, 10, 19, 10, 0), 1, 0) // 4 workdays: round 2
		check(cst(2026, 10, 20, 10, 0), 0, 1) // 5 workdays: expired
		c, err := f.s.Find(ctx, f.acme, fmt.Sprint(unpaid.ID))
		if err != nil || c.Status != models.StatusCanceled {
			t.Fatalf("unpaid after the limit: %v %+v", err, c)
		}
		check(cst(2026, 10, 21, 10, 0), 0, 0)
		notices, _ := f.s.Notices(ctx, unpaid.ID)
		kinds := map[models.NoticeKind]int{}
		for _, n := range notices {
			kinds[n.Kind]++
		}
		if kinds[models.NoticeReminder] != 2 || kinds[models.NoticeCanceled] != 2 {
			t.Fatalf("notices %v", kinds)
		}
	})
}
