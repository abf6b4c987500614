package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// Change Bandwidth through the signed handlers: the customer's form checks
// the port type's range; staff get the request with Approve and Reject;
// a provider may not approve; Reject asks a reason; Approve charges the
// catalog's price difference and tells the customer; the line stays
// Enabled throughout.
func TestChangeBandwidthThroughSlack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jEnabled(e, "Hangzhou line 1")
		e.exec("UPDATE port_offers SET mbps_price_cents = 200 WHERE access_point_id = 'ap-cn-hangzhou-yh-b' AND port_type = '1000Base-T'")
		balance, _ := e.store.Balance(ctx, e.acme.ID)
		k := newCourier(e)
		k.deliver()
		enabled := k.one(c.ID, models.NoticeEnabled, customerChan)

		ask := func(mbps string) map[string]any {
			e.pressOn(customerUser, enabled, "Change Bandwidth")
			v := e.jOpened()
			if v["callback_id"] != "ll_v_bandwidth" || !strings.Contains(viewText(v), "CNY 2.00") {
				t.Fatalf("opened %v, want the Change Bandwidth form with the price per Mbps:\n%s", v["callback_id"], viewText(v))
			}
			return e.jSubmitView(customerUser, v, map[string]slack.BlockAction{"bandwidth": jText(mbps)})
		}
		if errs := jAckErrors(t, ask("5000")); !strings.Contains(errs["bandwidth"], "carries") {
			t.Errorf("out of range: %v", errs)
		}
		if shown := jAckView(t, ask("500")); !strings.Contains(shown, "Asked for *500 Mbps*") {
			t.Errorf("asked:\n%s", shown)
		}
		jWantStatus(t, e, c.ID, models.StatusEnabled, models.StepVisitScheduled)

		k.deliver()
		req := k.one(c.ID, models.NoticeBandwidthRequested, staffChannel)
		jWantButtons(t, "bandwidth request to staff", req.blocks, "Approve", "Reject", "Terminate")
		if text := blocksText(req.blocks); !strings.Contains(text, "from 200 to *500 Mbps*") || !strings.Contains(text, "CNY 600.00") {
			t.Errorf("bandwidth request:\n%s", text)
		}
		e.press(providerUser, providerChan, "ll_bw_approve", itoa(c.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) == 0 || !strings.Contains(got[len(got)-1], "Only staff may approve bandwidth changes") {
			t.Errorf("provider approves: %q", got)
		}

		// Reject needs a reason.
		e.pressOn(staffUser, req, "Reject")
		v := e.jOpened()
		if errs := jAckErrors(t, e.jSubmitView(staffUser, v, nil)); !strings.Contains(errs["reason"], "reason") {
			t.Errorf("reject without reason: %v", errs)
		}
		if ack := e.jSubmitView(staffUser, v, map[string]slack.BlockAction{"reason": jText("Port <!here> shared")}); ack["response_action"] != "clear" {
			t.Fatalf("reject: ack %v", ack)
		}
		jWantKept(t, e, req, "Bandwidth change rejected by <@"+staffUser+">")
		k.deliver()
		jTyped(t, "bandwidth rejected", k.one(c.ID, models.NoticeBandwidthRejected, customerChan).blocks, "Port <!here> shared")

		// Asked again and approved: charged, told.
		if shown := jAckView(t, ask("500")); !strings.Contains(shown, "Asked for") {
			t.Fatalf("ask again:\n%s", shown)
		}
		k.deliver()
		var again posted // the second request's message to staff
		for _, n := range jNotices(e, c.ID, models.NoticeBandwidthRequested) {
			if n.Channel == staffChannel {
				again = k.sent[n.ID]
			}
		}
		e.pressOn(staffUser, again, "Approve")
		jWantKept(t, e, again, "Bandwidth change to 500 Mbps approved by <@"+staffUser+">")
		d := jConn(e, c.ID)
		if d.Connection.BandwidthMbps != 500 || d.Connection.Status != models.StatusEnabled {
			t.Errorf("after approval: %d Mbps, %s", d.Connection.BandwidthMbps, d.Connection.Status)
		}
		if now, _ := e.store.Balance(ctx, e.acme.ID); now != balance-60000 {
			t.Errorf("balance %d, want %d (CNY 600.00 charged)", now, balance-60000)
		}
		k.deliver()
		changed := k.one(c.ID, models.NoticeBandwidthChanged, customerChan)
		if text := blocksText(changed.blocks); !strings.Contains(text, "*500 Mbps* (was 200 Mbps)") || !strings.Contains(text, "CNY 600.00") {
			t.Errorf("bandwidth changed:\n%s", text)
		}
	})
}
