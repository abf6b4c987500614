package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// The approved notice carries Pay for Connection with the amount; the form
// shows the amount and the balance; paying allocates the port, replaces the
// approved message in place, and the paid notice carries View and Notify
// Provider.
func TestPayFormShowsAmountAndBalance(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "Hangzhou line 1", "Room 301")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		k := newCourier(e)
		k.deliver()
		approved := k.one(c.ID, models.NoticeApproved, customerChan)
		jWantButtons(t, "approved notice", approved.blocks, "Pay for Connection (CNY 2,500.00)", "Cancel")
		if text := blocksText(approved.blocks); !strings.Contains(text, "approved by <@"+staffUser+">") || !strings.Contains(text, "Your balance is *CNY 1,000,000.00*") {
			t.Errorf("approved notice:\n%s", text)
		}

		e.pressOn(customerUser, approved, "Pay for Connection")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_pay" {
			t.Fatalf("opened %v, want the pay form", v["callback_id"])
		}
		text := blocksText(blocksJSON(v))
		for _, want := range []string{"CNY 2,500.00", "CNY 1,000,000.00", "CNY 997,500.00", "Connecting"} {
			if !strings.Contains(text, want) {
				t.Errorf("pay form lacks %q:\n%s", want, text)
			}
		}
		jLimits(t, "pay form", blocksJSON(v), 100)

		shown := jAckView(t, e.jSubmitView(customerUser, v, nil))
		d := jConn(e, c.ID)
		if d.Connection.Status != models.StatusConnecting || d.Connection.PhysicalConnectionID == nil {
			t.Fatalf("after paying: %s", d.Connection.Status)
		}
		pc := *d.Connection.PhysicalConnectionID
		if !strings.Contains(shown, pc) || !strings.Contains(shown, "*Connecting*") {
			t.Errorf("paid view lacks %s and the status:\n%s", pc, shown)
		}
		e.settle()
		updates := e.slack.Calls("chat.update")
		if len(updates) != 1 || updates[0].Param("ts") != approved.ts {
			t.Fatalf("chat.update %v, want the approved message replaced", methods(updates))
		}
		if text := blocksText(updates[0].Param("blocks")); !strings.Contains(text, "Paid by <@"+customerUser+">") {
			t.Errorf("replaced approved message:\n%s", text)
		}
		jWantButtons(t, "replaced approved message", updates[0].Param("blocks"))

		k.deliver()
		paid := k.one(c.ID, models.NoticePaid, customerChan)
		jWantButtons(t, "paid notice", paid.blocks, "View", "Notify Provider")
		if text := blocksText(paid.blocks); !strings.Contains(text, pc) || !strings.Contains(text, "*Connecting*") || !strings.Contains(text, d.Connection.PortName) {
			t.Errorf("paid notice lacks the ID, status or port:\n%s", text)
		}

		// Paying again (the button on the replaced message is gone, but an
		// old form may be submitted) says who paid.
		if shown := jAckView(t, e.jSubmitView(customerUser, v, nil)); !strings.Contains(shown, "Already paid by <@"+customerUser+">") {
			t.Errorf("second payment:\n%s", shown)
		}
		if bal, _ := e.store.Balance(ctx, e.acme.ID); bal != 1_000_000_00-d.Connection.AmountCents {
			t.Errorf("balance %d after one payment", bal)
		}
	})
}

// A balance short of the amount: the form says so before paying; paying
// anyway keeps the form open saying how much to top up, and nothing moves.
func TestPayInsufficientBalance(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		acct, err := e.store.CreateAccount(ctx, jStaff, "Initech", "", "CNY")
		jStep(e, "create account", err)
		jStep(e, "credit", e.store.Credit(ctx, jStaff, acct.ID, 100_00, "opening balance"))
		jStep(e, "link", e.store.LinkChannel(ctx, jStaff, "CINIT", acct.ID))
		jStep(e, "add user", e.store.AddAccountUser(ctx, jStaff, "UINIT1", acct.ID))
		c, err := e.store.Apply(ctx, models.Actor{UserID: "UINIT1", Role: models.RoleCustomer, AccountID: acct.ID}, located(goodApplication("Initech line"), "Basement"), "CINIT")
		jStep(e, "apply", err)
		_, err = e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		k := newCourier(e)
		k.deliver()
		e.pressOn("UINIT1", k.one(c.ID, models.NoticeApproved, "CINIT"), "Pay for Connection")
		v := e.jOpened()
		if text := blocksText(blocksJSON(v)); !strings.Contains(text, "short by CNY 2,400.00") || !strings.Contains(text, "top up at least *CNY 2,400.00*") {
			t.Errorf("pay form with a short balance:\n%s", text)
		}
		shown := jAckView(t, e.jSubmitView("UINIT1", v, nil))
		for _, want := range []string{"Insufficient balance", "the balance is CNY 100.00", "top up CNY 2,400.00 and pay again", "CNY 2,500.00"} {
			if !strings.Contains(shown, want) {
				t.Errorf("failed payment view lacks %q:\n%s", want, shown)
			}
		}
		if d := jConn(e, c.ID); d.Connection.Status != models.StatusApproved || d.Connection.PhysicalConnectionID != nil {
			t.Errorf("after a failed payment: %s", d.Connection.Status)
		}
		if bal, _ := e.store.Balance(ctx, acct.ID); bal != 100_00 {
			t.Errorf("balance %d, want 10000", bal)
		}
		if n := len(e.slack.Calls("chat.update")); n != 0 {
			t.Errorf("%d messages replaced after a failed payment", n)
		}
	})
}

// Another tenant pressing Pay (a forged or forwarded button) learns
// nothing: "no such connection", no form.
func TestPayOtherTenant(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Hangzhou line 1", "Room 301")
		_, err := e.store.Act(context.Background(), jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		e.press(otherUser, otherChan, "ll_pay", itoa(c.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) != 1 || !strings.Contains(got[0], "No such connection") {
			t.Errorf("other tenant told %q", got)
		}
		if n := len(e.slack.Calls("views.open")); n != 0 {
			t.Errorf("%d forms opened for another tenant", n)
		}
	})
}
