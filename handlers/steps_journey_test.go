package handlers_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// Cancel from the approved notice: a form with an optional reason; the
// message is replaced in place; customer and staff are told, the reason as
// typed. Once paid, Cancel is refused with the status named.
func TestCancelFromApprovedNotice(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "Hangzhou line 1", "Room 301")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		k := newCourier(e)
		k.deliver()
		approved := k.one(c.ID, models.NoticeApproved, customerChan)
		e.pressOn(customerUser, approved, "Cancel")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_cancel" {
			t.Fatalf("opened %v, want the cancel form", v["callback_id"])
		}
		reason := "<!channel> budget *cut*"
		if ack := e.jSubmitView(customerUser, v, map[string]slack.BlockAction{"reason": jText(reason)}); ack["response_action"] != "clear" {
			t.Fatalf("cancel: ack %v", ack)
		}
		jWantStatus(t, e, c.ID, models.StatusCanceled, models.StepNone)
		jWantKept(t, e, approved, "Canceled by <@"+customerUser+">")
		k.deliver()
		for _, ch := range []string{customerChan, staffChannel} {
			p := k.one(c.ID, models.NoticeCanceled, ch)
			jTyped(t, "canceled to "+ch, p.blocks, reason)
			jWantButtons(t, "canceled to "+ch, p.blocks)
		}
		// An old form submitted again says who canceled it.
		if shown := jAckView(t, e.jSubmitView(customerUser, v, nil)); !strings.Contains(shown, "Already canceled by <@"+customerUser+">") {
			t.Errorf("cancel twice:\n%s", shown)
		}

		paid := jConnecting(e, "Hangzhou line 2")
		e.press(customerUser, customerChan, "ll_cancel", itoa(paid.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) != 1 || !strings.Contains(got[0], "Cannot cancel a connection that is Connecting") {
			t.Errorf("cancel when paid: %q", got)
		}
	})
}

// No free port: the pay form says staff were alerted and nothing was
// charged; staff get the no_free_port notice with what to do.
func TestPayNoFreePort(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "Hangzhou line 1", "Room 301")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		e.exec("UPDATE ports SET state = 'down' WHERE access_point_id = 'ap-cn-hangzhou-yh-b' AND port_type = '1000Base-T'")
		e.press(customerUser, customerChan, "ll_pay", itoa(c.ID))
		shown := jAckView(t, e.jSubmitView(customerUser, e.jOpened(), nil))
		for _, want := range []string{"No free port of type 1000Base-T", "staff have been alerted", "nothing was charged"} {
			if !strings.Contains(shown, want) {
				t.Errorf("pay with no free port lacks %q:\n%s", want, shown)
			}
		}
		jWantStatus(t, e, c.ID, models.StatusApproved, models.StepNone)
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeNoFreePort, staffChannel)
		if text := blocksText(p.blocks); !strings.Contains(text, "Add ports to the catalog") {
			t.Errorf("no free port notice:\n%s", text)
		}
		if bal, _ := e.store.Balance(ctx, e.acme.ID); bal != 1_000_000_00 {
			t.Errorf("balance %d after a refused payment", bal)
		}
	})
}

// Buttons pressed by the wrong party are refused with who may, and another
// tenant or another provider learns nothing; nothing changes.
func TestStepsRefusedToOthers(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jConnecting(e, "Hangzhou line 1")
		for _, step := range []func() error{
			func() error {
				_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
				return err
			},
			func() error { _, err := e.store.SubmitSurvey(ctx, jProvider, c.ID, jSurvey(e, 1)); return err },
			func() error { _, err := e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", ""); return err },
			func() error {
				tk := jConn(e, c.ID).Ticket
				_, _, err := e.store.BookVisit(ctx, tk.ID, e.clock.Now())
				return err
			},
		} {
			jStep(e, "step", step())
		}
		type press struct{ user, channel, action, want string }
		refused := func(cases ...press) {
			t.Helper()
			version := jConn(e, c.ID).Connection.Version
			for _, tc := range cases {
				n := len(e.slack.Calls("response_url"))
				e.press(tc.user, tc.channel, tc.action, itoa(c.ID))
				e.settle()
				if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], tc.want) {
					t.Errorf("%s pressing %s: told %q, want %q", tc.user, tc.action, got, tc.want)
				}
			}
			if n := len(e.slack.Calls("views.open")); n != 0 {
				t.Errorf("%d forms opened for parties who may not act", n)
			}
			if d := jConn(e, c.ID); d.Connection.Version != version {
				t.Errorf("connection changed: v%d -> v%d", version, d.Connection.Version)
			}
		}
		refused(
			press{customerUser, customerChan, "ll_complete", "A customer may not complete the construction of a connection (only service providers or staff may)"},
			press{providerUser, providerChan, "ll_view", "A service provider may not view the port of a connection (only customers or staff may)"},
			press{otherUser, otherChan, "ll_view", "No such connection"},
			press{"UCUPROV", "C0SAMPLECUZJ", "ll_complete", "No such connection"}, // China Unicom's channel
			press{providerUser, providerChan, "ll_survey", "Already surveyed by <@" + providerUser + ">"},
			press{customerUser, customerChan, "ll_confirm", "Cannot confirm a connection that is Connecting (IDC visit scheduled)"},
			press{customerUser, customerChan, "ll_cancel", "Cannot cancel a connection that is Connecting"},
		)
		_, err := e.store.Act(ctx, jProvider, c.ID, models.ActInput{Action: models.ActionCompleteConstruction, LineCode: "L1", LineLabel: "HZ-1"})
		jStep(e, "complete", err)
		refused(press{staffUser, staffChannel, "ll_confirm", "A staff member may not confirm a connection (only customers may)"})
		_, err = e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionConfirm})
		jStep(e, "confirm", err)
		refused(
			press{customerUser, customerChan, "ll_cancel", "Already confirmed by <@" + customerUser + ">"},
			press{providerUser, providerChan, "ll_complete", "Already completed by <@" + providerUser + ">"},
		)
	})
}

// View pressed in App Home (no channel, no response URL) shows the port
// information in a modal.
func TestViewFromAppHome(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jConnecting(e, "Hangzhou line 1")
		status, _ := e.interact(map[string]any{
			"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
			"user":      map[string]any{"id": customerUser, "team_id": slackfake.TeamID},
			"team":      map[string]any{"id": slackfake.TeamID},
			"container": map[string]any{"type": "view", "view_id": "VHOME"},
			"view":      map[string]any{"id": "VHOME", "type": "home"},
			"actions":   []map[string]any{{"action_id": "ll_view", "block_id": "conn_1", "type": "button", "value": itoa(c.ID)}},
		})
		if status != http.StatusOK {
			t.Fatalf("HTTP %d", status)
		}
		v := e.jOpened()
		text := blocksText(blocksJSON(v))
		if !strings.Contains(text, *jConn(e, c.ID).Connection.PhysicalConnectionID) || !strings.Contains(text, "Yuhang Data Park B") {
			t.Errorf("port information modal:\n%s", text)
		}
		jLimits(t, "port modal", blocksJSON(v), 100)
		if n := len(e.slack.Calls("chat.update")); n != 0 {
			t.Errorf("%d messages replaced from App Home", n)
		}
	})
}
