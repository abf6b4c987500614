package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// jTicketed makes an ACME connection whose construction ticket waits for
// its visit, through the store.
func jTicketed(e *env, name string) *models.Connection {
	e.t.Helper()
	ctx := context.Background()
	c := jConnecting(e, name)
	_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
	jStep(e, "notify", err)
	_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, jSurvey(e, 1))
	jStep(e, "survey", err)
	_, err = e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", "")
	jStep(e, "ticket", err)
	return c
}

// Staff can do what the status says staff must do: Book Visit on the
// ticket, then Reschedule Visit (a date the IDC does not take is refused
// under the date, naming the rule) and Cancel Visit (with a reason) on the
// staff copy; everyone concerned is told each change; others may not.
func TestStaffVisitButtons(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		pm := newPostman(e)
		c := jTicketed(e, "Hangzhou line 1")
		pm.deliver()
		ticket := pm.card(c.ID, models.NoticeTicketSubmitted, staffChannel)
		jFind(t, ticket, "Book Visit")

		// Not staff: refused, nothing booked.
		n := len(e.slack.Calls("response_url"))
		e.pressOn(customerUser, posted{notice: ticket.notice, channel: customerChan, ts: ticket.ts, blocks: ticket.blocks}, "Book Visit")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Only the operator's staff book") {
			t.Errorf("customer pressing Book Visit: told %q", got)
		}
		if jConn(e, c.ID).Visit != nil {
			t.Fatal("a customer booked the visit")
		}

		n = len(e.slack.Calls("response_url"))
		e.pressOn(staffUser, ticket, "Book Visit")
		d := jConn(e, c.ID)
		if d.Visit == nil || d.Connection.Step != models.StepVisitScheduled {
			t.Fatalf("Book Visit booked nothing: step %q", d.Connection.Step)
		}
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Booked: the IDC visit") || !strings.Contains(got[0], d.Visit.Date) {
			t.Errorf("Book Visit told %q", got)
		}
		pm.deliver()
		jWantButtons(t, "ticket after booking", pm.card(c.ID, models.NoticeTicketSubmitted, staffChannel).blocks, "View")
		for _, ch := range []string{customerChan, providerChan} {
			pm.card(c.ID, models.NoticeVisitScheduled, ch)
		}
		staffCopy := pm.card(c.ID, models.NoticeVisitScheduled, staffChannel)
		jFind(t, staffCopy, "Reschedule Visit")
		var reception string

		// /leaseline visits lists it.
		n = len(e.slack.Calls("response_url"))
		e.command(staffUser, staffChannel, "visits")
		e.settle()
		got := jResponses(e, n)
		if len(got) != 1 {
			t.Fatalf("visits: %q", got)
		}
		for _, want := range []string{d.Visit.Date, "Yuhang Data Park B", *d.Connection.PhysicalConnectionID, "China Telecom Zhejiang", d.Reception.Name, "Visitors* 1"} {
			if !strings.Contains(got[0], want) {
				t.Errorf("visits lacks %q:\n%s", want, got[0])
			}
		}
		n = len(e.slack.Calls("response_url"))
		e.command(staffUser, staffChannel, "visits 2026-12-25")
		e.settle()
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "No IDC visit is booked") {
			t.Errorf("visits on another day: %q", got)
		}
		n = len(e.slack.Calls("response_url"))
		e.command(customerUser, customerChan, "visits")
		e.settle()
		if got := jResponses(e, n); len(got) != 1 || strings.Contains(got[0], d.Visit.Date) {
			t.Errorf("a customer listed the visits: %q", got)
		}

		// Reschedule: a Saturday is refused under the date, naming the rule.
		e.pressOn(staffUser, staffCopy, "Reschedule Visit")
		form := e.jOpened()
		if form["callback_id"] != "ll_v_resched" {
			t.Fatalf("opened %v", form["callback_id"])
		}
		errs := jAckErrors(t, e.jSubmitView(staffUser, form, map[string]slack.BlockAction{
			"date": {Type: "datepicker", SelectedDate: "2026-12-05"}, "reason": jText("IDC asks"),
		}))
		if !strings.Contains(errs["date"], "not a workday") {
			t.Errorf("Saturday: errors %v", errs)
		}
		if ack := e.jSubmitView(staffUser, form, map[string]slack.BlockAction{
			"date": {Type: "datepicker", SelectedDate: "2026-12-02"}, "reason": jText("IDC asks"),
		}); ack["response_action"] != "clear" {
			t.Fatalf("reschedule: ack %v", ack)
		}
		if v := jConn(e, c.ID).Visit; v.Date != "2026-12-02" {
			t.Errorf("visit on %s after reschedule, want 2026-12-02", v.Date)
		}
		pm.deliver()
		for _, ch := range []string{customerChan, providerChan, jConn(e, c.ID).Reception.SlackUserID} {
			if text := blocksText(pm.card(c.ID, models.NoticeVisitChanged, ch).blocks); !strings.Contains(text, "2026-12-02") || !strings.Contains(text, "IDC asks") {
				t.Errorf("rescheduled visit to %s:\n%s", ch, text)
			}
		}

		// Cancel: a reason is required.
		reception = jConn(e, c.ID).Reception.SlackUserID
		e.pressOn(staffUser, pm.card(c.ID, models.NoticeVisitScheduled, staffChannel), "Cancel Visit")
		form = e.jOpened()
		if errs := jAckErrors(t, e.jSubmitView(staffUser, form, map[string]slack.BlockAction{"reason": jText(" ")})); !strings.Contains(errs["reason"], "reason") {
			t.Errorf("cancel without a reason: %v", errs)
		}
		if ack := e.jSubmitView(staffUser, form, map[string]slack.BlockAction{"reason": jText("engineers ill")}); ack["response_action"] != "clear" {
			t.Fatalf("cancel visit: ack %v", ack)
		}
		if v := jConn(e, c.ID).Visit; v.State != models.VisitCanceled {
			t.Errorf("visit %s after cancel", v.State)
		}
		pm.deliver()
		var told int
		for _, n := range jNotices(e, c.ID, models.NoticeVisitChanged) {
			if strings.Contains(n.Data, "engineers ill") && (n.Channel == customerChan || n.Channel == providerChan || n.Channel == reception) {
				told++
			}
		}
		if told < 3 {
			t.Errorf("%d of the customer, provider and reception told of the cancellation", told)
		}
		jWantButtons(t, "staff copy after cancel", pm.card(c.ID, models.NoticeVisitScheduled, staffChannel).blocks, "View", "Construction Complete", "Reschedule Visit")
	})
}

// A visit booked for the day itself (its window not yet begun) tells the
// provider and the reception person at once.
func TestBookVisitSameDayTellsAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		pm := newPostman(e)
		c := jTicketed(e, "Hangzhou line 1") // Thursday 26th, 10:00
		pm.deliver()
		ticket := pm.card(c.ID, models.NoticeTicketSubmitted, staffChannel)
		e.clock.Set(e.clock.Now().Add(22 * time.Hour)) // Friday 27th, 08:00 in Shanghai
		e.pressOn(staffUser, ticket, "Book Visit")
		d := jConn(e, c.ID)
		if d.Visit == nil || d.Visit.Date != "2026-11-27" {
			t.Fatalf("visit %+v, want Friday 2026-11-27", d.Visit)
		}
		pm.deliver()
		if text := blocksText(pm.card(c.ID, models.NoticeVisitReminder, providerChan).blocks); !strings.Contains(text, "Today: IDC visit") {
			t.Errorf("provider not told at once:\n%s", text)
		}
		if text := blocksText(pm.card(c.ID, models.NoticeVisitReminder, d.Reception.SlackUserID).blocks); !strings.Contains(text, "Visitors today") {
			t.Errorf("reception not told at once:\n%s", text)
		}
	})
}
