package handlers_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/scheduler"
)

// shanghai is the sample regions' zone.
func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// jVisitBooked makes an ACME connection whose IDC visit staff booked by
// pressing Book Visit, delivers the notices, and returns it with its visit.
func jVisitBooked(e *env, pm *postman, name string) (*models.Connection, *models.Visit) {
	e.t.Helper()
	c := jTicketed(e, name)
	pm.deliver()
	e.pressOn(staffUser, pm.card(c.ID, models.NoticeTicketSubmitted, staffChannel), "Book Visit")
	pm.deliver()
	d := jConn(e, c.ID)
	if d.Visit == nil || d.Visit.CheckinCode == "" {
		e.t.Fatalf("booked visit %+v: no verification code", d.Visit)
	}
	return c, d.Visit
}

// onVisitDay sets the clock to hh:mm of the visit's day in Shanghai.
func onVisitDay(e *env, v *models.Visit, hh, mm int) time.Time {
	e.t.Helper()
	d, err := models.ParseDate(v.Date)
	if err != nil {
		e.t.Fatal(err)
	}
	at := d.In(shanghai(e.t), hh, mm)
	e.clock.Set(at)
	return at
}

// The reception person presses Visitors Arrived in the morning DM of the
// visit: the connection is "on site", the customer and the provider are
// told the time in the region's time, who acts next moves on, and the
// button is gone from every card (the DM and the staff copy). Before: on
// another day, another person and a wrong code are refused, naming nothing
// of other visits, and change nothing.
func TestVisitorsArrived(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		c, v := jVisitBooked(e, pm, "Hangzhou line 1")
		staffCopy := pm.card(c.ID, models.NoticeVisitScheduled, staffChannel)
		jFind(t, staffCopy, "Visitors Arrived")
		// The customer's and the provider's copies offer no check-in.
		for _, ch := range []string{customerChan, providerChan} {
			for _, b := range jButtonTexts(pm.card(c.ID, models.NoticeVisitScheduled, ch).blocks) {
				if b == "Visitors Arrived" {
					t.Errorf("the visit notice in %s offers Visitors Arrived", ch)
				}
			}
		}
		reception := jConn(e, c.ID).Reception.SlackUserID

		// The day before the visit: staff are told its date.
		n := len(e.slack.Calls("response_url"))
		e.pressOn(staffUser, staffCopy, "Visitors Arrived")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "is on "+v.Date) || !strings.Contains(got[0], "not today") {
			t.Errorf("Visitors Arrived the day before: told %q", got)
		}

		// The morning of the visit: reception-reminders DMs the reception
		// person, with the button.
		at := onVisitDay(e, v, 8, 0)
		if _, err := e.store.RemindReception(ctx, at); err != nil {
			t.Fatal(err)
		}
		pm.deliver()
		dm := pm.card(c.ID, models.NoticeVisitReminder, reception)
		jWantButtons(t, "reception's morning DM", dm.blocks, "Visitors Arrived")

		// Someone else presses it: refused.
		n = len(e.slack.Calls("response_url"))
		e.pressOn(customerUser, dm, "Visitors Arrived")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Only the visit's reception person or the operator's staff") {
			t.Errorf("a customer pressing Visitors Arrived: told %q", got)
		}
		// A wrong code: refused, naming nothing but the code.
		for _, code := range []string{"ABCD-EF23", "nonsense"} {
			n = len(e.slack.Calls("response_url"))
			e.command(reception, "D0RECEPT", "checkin "+code)
			e.settle()
			got := jResponses(e, n)
			if len(got) != 1 || !strings.Contains(got[0], "No IDC visit you may check in has the code") {
				t.Fatalf("checkin %s: told %q", code, got)
			}
			if strings.Contains(got[0], v.Date) || strings.Contains(got[0], *c.PhysicalConnectionID) {
				t.Errorf("a wrong code's refusal tells of a visit: %q", got[0])
			}
		}
		// The right code, but another reception person: the same refusal.
		n = len(e.slack.Calls("response_url"))
		e.command("URECEPTOTHER", "D0OTHER", "checkin "+v.CheckinCode)
		e.settle()
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "No IDC visit you may check in has the code") || strings.Contains(got[0], v.Date) {
			t.Errorf("another reception person with the right code: told %q", got)
		}
		if d := jConn(e, c.ID); d.Connection.Step != models.StepVisitScheduled || d.Visit.ArrivedAt != nil || jAudit(e, c.ID, models.ActionCheckIn) != 0 {
			t.Fatalf("refusals changed the visit: step %q, arrived %v", d.Connection.Step, d.Visit.ArrivedAt)
		}

		// 09:42 in Shanghai: the reception person presses it.
		onVisitDay(e, v, 9, 42)
		n = len(e.slack.Calls("response_url"))
		e.pressOn(reception, dm, "Visitors Arrived")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Checked in") || !strings.Contains(got[0], "09:42 CST") {
			t.Errorf("Visitors Arrived told %q", got)
		}
		d := jConn(e, c.ID)
		if d.Connection.Step != models.StepOnSite || d.Visit.ArrivedBy != reception || d.Visit.ArrivedAt == nil {
			t.Fatalf("after Visitors Arrived: step %q, visit %+v", d.Connection.Step, d.Visit)
		}
		if party, what := models.WaitingOn(d.Connection.Status, d.Connection.Step); party != models.PartyProvider || !strings.Contains(what, "on site") {
			t.Errorf("waiting on %q to %q", party, what)
		}
		pm.deliver()
		for _, ch := range []string{customerChan, providerChan} {
			text := blocksText(pm.card(c.ID, models.NoticeOnSite, ch).blocks)
			if !strings.Contains(text, "engineers on site at 09:42 CST") || !strings.Contains(text, "Engineers on site") {
				t.Errorf("on-site notice in %s:\n%s", ch, text)
			}
		}
		if text := blocksText(pm.card(c.ID, models.NoticeOnSite, customerChan).blocks); !strings.Contains(text, "finish the work on site") {
			t.Errorf("the customer's card does not say who acts next:\n%s", text)
		}
		jFind(t, pm.card(c.ID, models.NoticeOnSite, providerChan), "Construction Complete")
		// Every card that offered Visitors Arrived is settled.
		for name, p := range map[string]posted{
			"staff copy":     pm.card(c.ID, models.NoticeVisitScheduled, staffChannel),
			"reception's DM": pm.card(c.ID, models.NoticeVisitReminder, reception),
		} {
			for _, b := range jButtonTexts(p.blocks) {
				if b == "Visitors Arrived" || b == "Reschedule Visit" || b == "Cancel Visit" {
					t.Errorf("%s still offers %q after the check-in", name, b)
				}
			}
		}
		// Pressed again (a stale copy): already done, by whom.
		n = len(e.slack.Calls("response_url"))
		e.pressOn(staffUser, dm, "Visitors Arrived")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Already checked in by <@"+reception+">") {
			t.Errorf("Visitors Arrived again: told %q", got)
		}
		wantCount(t, "check-in audit events", jAudit(e, c.ID, models.ActionCheckIn), 1)

		// `/leaseline checkin CODE`, typed loosely, by the reception person.
		c2, v2 := jVisitBooked(e, pm, "Hangzhou line 2")
		onVisitDay(e, v2, 10, 5)
		n = len(e.slack.Calls("response_url"))
		e.command(jConn(e, c2.ID).Reception.SlackUserID, "D0RECEPT", "checkin "+strings.ToLower(strings.ReplaceAll(v2.CheckinCode, "-", "")))
		e.settle()
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "10:05 CST") {
			t.Errorf("checkin CODE told %q", got)
		}
		if step := jConn(e, c2.ID).Connection.Step; step != models.StepOnSite {
			t.Errorf("checkin CODE: step %q", step)
		}
		pm.deliver()
		jWantButtons(t, "staff copy of the second visit", pm.card(c2.ID, models.NoticeVisitScheduled, staffChannel).blocks, "View", "Construction Complete")
		// Help names the subcommand.
		_, ack := e.command(staffUser, staffChannel, "help")
		if !strings.Contains(blocksText(jsonOf(t, ack["blocks"])), "checkin CODE") {
			t.Error("help does not list checkin CODE")
		}
	})
}

// The visit-no-shows job marks a visit nobody checked in an hour after
// its window ended No Show, once however often and however many replicas
// run it; staff get the alert with Reschedule Visit (which works), the
// provider and the customer are told; a checked-in visit is never one.
func TestVisitNoShows(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		absent, v := jVisitBooked(e, pm, "Hangzhou line 1")
		present, pv := jVisitBooked(e, pm, "Hangzhou line 2")
		if pv.Date != v.Date {
			t.Fatalf("visits on %s and %s", v.Date, pv.Date)
		}
		onVisitDay(e, pv, 10, 0)
		e.command(staffUser, staffChannel, "checkin "+pv.CheckinCode)
		e.settle()
		if jConn(e, present.ID).Visit.ArrivedAt == nil {
			t.Fatal("staff could not check in with the code")
		}
		d, _ := models.ParseDate(v.Date)
		end, ok := models.WindowEnd(d, v.Window, shanghai(t))
		if !ok {
			t.Fatalf("window %q", v.Window)
		}
		job := &scheduler.VisitNoShows{Store: e.store, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
		// 59 minutes after the window: not yet.
		e.clock.Set(end.Add(59 * time.Minute))
		if err := job.Run(ctx, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		if got := jConn(e, absent.ID).Visit; got.State != models.VisitScheduled {
			t.Fatalf("visit %s 59 minutes after its window", got.State)
		}
		// An hour after: three replicas at once, then again.
		e.clock.Set(end.Add(time.Hour))
		var wg sync.WaitGroup
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := job.Run(ctx, e.clock.Now()); err != nil {
					t.Errorf("visit-no-shows: %v", err)
				}
			}()
		}
		wg.Wait()
		if err := job.Run(ctx, e.clock.Now().Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		got := jConn(e, absent.ID).Visit
		if got.State != models.VisitNoShow || got.NoShowAt == nil {
			t.Fatalf("absent visit: %+v", got)
		}
		if pv := jConn(e, present.ID).Visit; pv.State != models.VisitScheduled || pv.NoShowAt != nil {
			t.Errorf("the checked-in visit: %+v", pv)
		}
		wantCount(t, "no-show notices of the checked-in visit", len(jNotices(e, present.ID, models.NoticeVisitNoShow)), 0)
		wantCount(t, "no-show notices", len(jNotices(e, absent.ID, models.NoticeVisitNoShow)), 3)
		pm.deliver()
		alert := pm.card(absent.ID, models.NoticeVisitNoShow, staffChannel)
		if text := blocksText(alert.blocks); !strings.Contains(text, "No Show") || !strings.Contains(text, v.Date) {
			t.Errorf("staff alert:\n%s", text)
		}
		jFind(t, alert, "Reschedule Visit")
		for _, ch := range []string{customerChan, providerChan} {
			if text := blocksText(pm.card(absent.ID, models.NoticeVisitNoShow, ch).blocks); !strings.Contains(text, "No Show") || !strings.Contains(text, "were not checked in") {
				t.Errorf("no-show notice in %s:\n%s", ch, text)
			}
		}
		// Staff reschedule from the alert: booked again, a new code.
		e.pressOn(staffUser, alert, "Reschedule Visit")
		form := e.jOpened()
		if ack := e.jSubmitView(staffUser, form, map[string]slack.BlockAction{
			"date": {Type: "datepicker", SelectedDate: "2026-12-02"}, "reason": jText("the engineers were held up"),
		}); ack["response_action"] != "clear" {
			t.Fatalf("reschedule from the alert: ack %v", ack)
		}
		moved := jConn(e, absent.ID).Visit
		if moved.State != models.VisitScheduled || moved.Date != "2026-12-02" || moved.NoShowAt != nil || moved.CheckinCode == v.CheckinCode {
			t.Fatalf("rescheduled no-show: %+v", moved)
		}
	})
}

// jsonOf encodes v (an ack's blocks) as the raw JSON blocksText reads.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantCount(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}
