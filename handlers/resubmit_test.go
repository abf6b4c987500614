package handlers_test

import (
	"context"
	"strings"
	"testing"

	"github.com/leaseline/leaseline/models"
)

// Edit and Resubmit through the signed handlers: the button on the
// rejected notice opens the apply form prefilled with the rejected values
// and the reason shown; a broken rule shows under its field; the amended
// application is Applying again, staff get a new review request, and the
// rejected card says it was resubmitted. Staff may not resubmit.
func TestResubmitThroughSlack(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "Hangzhou line 1", "Wensan Road")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionReject, Reason: "Give the room <!here> number"})
		jStep(e, "reject", err)
		k := newCourier(e)
		k.deliver()

		e.press(staffUser, staffChannel, "ll_resubmit", itoa(c.ID))
		e.settle()
		if got := jResponses(e, 0); len(got) == 0 || !strings.Contains(got[len(got)-1], "only customers may") {
			t.Errorf("staff presses Edit and Resubmit: %q", got)
		}

		rejected := k.one(c.ID, models.NoticeRejected, customerChan)
		e.pressOn(customerUser, rejected, "Edit and Resubmit")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_apply" {
			t.Fatalf("opened %v, want the apply form", v["callback_id"])
		}
		raw := blocksJSON(v)
		jTyped(t, "resubmit form", raw, "Give the room <!here> number")
		for _, want := range []string{`"initial_value":"Hangzhou line 1"`, `"initial_value":"Wensan Road"`, `"initial_value":"200"`, `"value":"ct-zj"`, `"value":"1000Base-T"`} {
			if !strings.Contains(raw, want) {
				t.Errorf("resubmit form is not prefilled with %s:\n%s", want, raw)
			}
		}
		if textOf(v["submit"]) != "Resubmit" {
			t.Errorf("submit button %q", textOf(v["submit"]))
		}
		form := applyForm{models.FieldName: "Hangzhou line 1", models.FieldAccessPoint: "ap-cn-hangzhou-yh-b", models.FieldProvider: "ct-zj",
			models.FieldPortType: "1000Base-T", models.FieldBandwidth: "5", models.FieldLocation: "Wensan Road, room 301"}
		if errs := jAckErrors(t, e.submitApply(customerUser, v, form)); !strings.Contains(errs["apply_bw"], "Mbps") {
			t.Fatalf("resubmit with a bandwidth out of range: errors %v", errs)
		}
		jWantStatus(t, e, c.ID, models.StatusRejected, models.StepNone)

		form[models.FieldBandwidth] = "300"
		if ack := e.submitApply(customerUser, v, form); ack["response_action"] != "clear" {
			t.Fatalf("resubmit: ack %v", ack)
		}
		jWantStatus(t, e, c.ID, models.StatusApplying, models.StepNone)
		d := jConn(e, c.ID)
		if d.Connection.BandwidthMbps != 300 || d.Connection.Location != "Wensan Road, room 301" {
			t.Errorf("amended to %d Mbps at %q", d.Connection.BandwidthMbps, d.Connection.Location)
		}
		if jAudit(e, c.ID, models.ActionResubmit) != 1 {
			t.Errorf("the amendment is not in the audit trail")
		}
		jWantKept(t, e, rejected, "Edited and resubmitted by <@"+customerUser+">")
		k.deliver()
		if n := len(jNotices(e, c.ID, models.NoticeReviewRequest)); n != 2 {
			t.Errorf("%d review requests, want 2 (the application and its resubmission)", n)
		}
	})
}
