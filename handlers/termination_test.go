package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// jEnabled takes a new line of ACME to Enabled through the store: paid,
// provider notified, surveyed, ticketed, visit booked, built, confirmed.
func jEnabled(e *env, name string) *models.Connection {
	e.t.Helper()
	ctx := context.Background()
	c := jConnecting(e, name)
	_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
	jStep(e, "notify", err)
	_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, jSurvey(e, 1))
	jStep(e, "survey", err)
	tk, err := e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", "")
	jStep(e, "ticket", err)
	_, _, err = e.store.BookVisit(ctx, tk.ID, time.Now())
	jStep(e, "book", err)
	_, err = e.store.Act(ctx, jProvider, c.ID, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "HZ-CT-0001", LineLabel: "ACME 01"})
	jStep(e, "complete", err)
	c, err = e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionConfirm})
	jStep(e, "confirm", err)
	return c
}

// Terminate and Removal Complete through the signed handlers: the customer
// presses Terminate on the enabled notice, the dialog asks for a reason
// (required) and a planned date; the provider is told with the port and
// the IDC and gets the removal visit; Removal Complete takes the line's
// code; the line is Terminated and everyone is told the port is free.
func TestTerminateThroughSlack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jEnabled(e, "Hangzhou line 1")
		k := newCourier(e)
		k.deliver()
		enabled := k.one(c.ID, models.NoticeEnabled, customerChan)
		e.pressOn(customerUser, enabled, "Terminate")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_terminate" || !strings.Contains(viewText(v), c.PortName) {
			t.Fatalf("opened %v, want the termination dialog naming the port:\n%s", v["callback_id"], viewText(v))
		}
		if errs := jAckErrors(t, e.jSubmitView(customerUser, v, map[string]slack.BlockAction{"reason": jText(" ")})); !strings.Contains(errs["reason"], "reason") {
			t.Errorf("termination without a reason: %v", errs)
		}
		jWantStatus(t, e, c.ID, models.StatusEnabled, models.StepVisitScheduled)
		reason := "moving <!here> out"
		if ack := e.jSubmitView(customerUser, v, map[string]slack.BlockAction{"reason": jText(reason)}); ack["response_action"] != "clear" {
			t.Fatalf("terminate: ack %v", ack)
		}
		jWantStatus(t, e, c.ID, models.StatusTerminating, models.StepVisitScheduled)
		jWantKept(t, e, enabled, "Termination requested by <@"+customerUser+">")

		k.deliver()
		prov := k.one(c.ID, models.NoticeTerminating, providerChan)
		jTyped(t, "terminating to the provider", prov.blocks, reason)
		jWantButtons(t, "terminating to the provider", prov.blocks, "Removal Complete")
		if text := blocksText(prov.blocks); !strings.Contains(text, c.PortName) || !strings.Contains(text, "Yuhang Data Park B") {
			t.Errorf("terminating to the provider lacks the port or the IDC:\n%s", text)
		}
		jWantButtons(t, "terminating to the customer", k.one(c.ID, models.NoticeTerminating, customerChan).blocks, "Cancel")
		jWantButtons(t, "terminating to staff", k.one(c.ID, models.NoticeTerminating, staffChannel).blocks, "Removal Complete", "Cancel")

		// The removal visit, booked by schedule-visits.
		if batch, err := e.store.BookVisits(ctx, time.Now(), models.BookingQuery{}); err != nil || len(batch.Booked) != 1 {
			t.Fatalf("book the removal visit: %v %+v", err, batch)
		}
		var visit posted
		for _, p := range k.deliver() {
			if p.notice.Kind == models.NoticeVisitScheduled && p.channel == providerChan {
				visit = p
			}
		}
		if text := blocksText(visit.blocks); !strings.Contains(text, "Removal visit booked") || !strings.Contains(text, "Removal Complete") {
			t.Errorf("removal visit to the provider:\n%s", text)
		}

		// A customer may not report the removal.
		e.press(customerUser, customerChan, "ll_removal", itoa(c.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) == 0 || !strings.Contains(got[len(got)-1], "only service providers or staff may") {
			t.Errorf("customer presses Removal Complete: %q", got)
		}

		e.pressOn(providerUser, visit, "Removal Complete")
		form := e.jOpened()
		if form["callback_id"] != "ll_v_removal" {
			t.Fatalf("opened %v, want the Removal Complete form", form["callback_id"])
		}
		if errs := jAckErrors(t, e.jSubmitView(providerUser, form, map[string]slack.BlockAction{"line_code": jText("HZ-CT-0999")})); !strings.Contains(errs["line_code"], "HZ-CT-0001") {
			t.Errorf("wrong line code: %v", errs)
		}
		if ack := e.jSubmitView(providerUser, form, map[string]slack.BlockAction{"line_code": jText("HZ-CT-0001"), "note": jText("cord out")}); ack["response_action"] != "clear" {
			t.Fatalf("removal complete: ack %v", ack)
		}
		jWantStatus(t, e, c.ID, models.StatusTerminated, models.StepVisitScheduled)
		jWantKept(t, e, visit, "Removal reported complete by <@"+providerUser+">")
		k.deliver()
		for _, ch := range []string{customerChan, staffChannel, providerChan} {
			p := k.one(c.ID, models.NoticeTerminated, ch)
			jWantButtons(t, "terminated to "+ch, p.blocks)
			if text := blocksText(p.blocks); !strings.Contains(text, "*Terminated*") || !strings.Contains(text, "is free again") {
				t.Errorf("terminated to %s:\n%s", ch, text)
			}
		}
	})
}

// Cancel on a Terminating line, through the signed handlers: the
// provider may not; the customer gives a reason and the line is Enabled
// again; the provider is told not to remove it.
func TestCancelTerminationThroughSlack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jEnabled(e, "Hangzhou line 1")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionTerminate, Reason: "non-payment"})
		jStep(e, "terminate", err)
		k := newCourier(e)
		k.deliver()
		e.press(providerUser, providerChan, "ll_cancel_term", itoa(c.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) == 0 || !strings.Contains(got[len(got)-1], "only customers or staff may") {
			t.Errorf("provider cancels the termination: %q", got)
		}
		terminating := k.one(c.ID, models.NoticeTerminating, customerChan)
		e.pressOn(customerUser, terminating, "Cancel")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_cancel_term" {
			t.Fatalf("opened %v, want the cancel-termination dialog", v["callback_id"])
		}
		if errs := jAckErrors(t, e.jSubmitView(customerUser, v, nil)); !strings.Contains(errs["reason"], "reason") {
			t.Errorf("cancel without a reason: %v", errs)
		}
		if ack := e.jSubmitView(customerUser, v, map[string]slack.BlockAction{"reason": jText("paid after all")}); ack["response_action"] != "clear" {
			t.Fatalf("cancel termination: ack %v", ack)
		}
		jWantStatus(t, e, c.ID, models.StatusEnabled, models.StepVisitScheduled)
		jWantKept(t, e, terminating, "Termination canceled by <@"+customerUser+">")
		k.deliver()
		p := k.one(c.ID, models.NoticeTerminationCanceled, providerChan)
		if text := blocksText(p.blocks); !strings.Contains(text, "Do not remove the line") || !strings.Contains(text, "paid after all") {
			t.Errorf("termination canceled to the provider:\n%s", text)
		}
		jWantButtons(t, "termination canceled to the customer", k.one(c.ID, models.NoticeTerminationCanceled, customerChan).blocks, "Terminate", "Change Bandwidth")
	})
}
