package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// jViewOf decodes the view param of the last call of method.
func (e *env) jViewOf(method string) map[string]any {
	e.t.Helper()
	e.settle()
	calls := e.slack.Calls(method)
	if len(calls) == 0 {
		e.t.Fatalf("no %s; calls: %v", method, methods(e.slack.Calls("")))
	}
	var v map[string]any
	if err := calls[len(calls)-1].JSONParam("view", &v); err != nil {
		e.t.Fatal(err)
	}
	if v["id"] == nil {
		// Slack gives every view an ID and a hash; the recorded request has
		// neither.
		v["id"], v["hash"] = "VAPPLY", "1.hash"
	}
	return v
}

// jInput finds the input block of v labelled label: its block ID and
// element.
func jInput(t *testing.T, v map[string]any, label string) (string, map[string]any) {
	t.Helper()
	blocks, _ := v["blocks"].([]any)
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		if m["type"] == "input" && textOf(m["label"]) == label {
			el, _ := m["element"].(map[string]any)
			id, _ := m["block_id"].(string)
			return id, el
		}
	}
	t.Fatalf("no input labelled %q in the %v form", label, v["callback_id"])
	return "", nil
}

// jFill is the view state of form v with the fields (label -> value)
// filled as a user would: options chosen by value, text typed.
func jFill(t *testing.T, v map[string]any, fields map[string]string) map[string]map[string]slack.BlockAction {
	t.Helper()
	out := map[string]map[string]slack.BlockAction{}
	for label, val := range fields {
		id, el := jInput(t, v, label)
		action, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		ba := slack.BlockAction{Type: slack.ActionType(typ)}
		if strings.HasSuffix(typ, "_select") {
			ba.SelectedOption = slack.OptionBlockObject{Value: val}
		} else {
			ba.Value = val
		}
		out[id] = map[string]slack.BlockAction{action: ba}
	}
	return out
}

// The whole journey, Applying to Enabled, driven only by signed Slack
// payloads (the IDC visit is booked by the scheduler's store use case, as
// its job does), with the notices rendered and delivered as the delivery
// worker does; every party's messages are checked.
func TestFullJourney(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		k := newCourier(e)
		name := "Hangzhou <primary> *line*"
		location := "Room 301 <!here>, 88 Wensan Road"

		// 1. The customer applies: /leaseline apply, choose the access point
		// (the form narrows itself), fill in, submit.
		if status, ack := e.command(customerUser, customerChan, "apply"); status != http.StatusOK || ack != nil {
			t.Fatalf("/leaseline apply: HTTP %d, ack %v", status, ack)
		}
		form := e.jViewOf("views.open")
		if form["callback_id"] != "ll_v_apply" || textOf(form["title"]) != "Apply for New Interface" {
			t.Fatalf("opened %v %q, want the apply form", form["callback_id"], textOf(form["title"]))
		}
		apBlock, apEl := jInput(t, form, models.FieldAccessPoint)
		status, _ := e.interact(map[string]any{
			"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
			"user":      map[string]any{"id": customerUser, "team_id": slackfake.TeamID},
			"team":      map[string]any{"id": slackfake.TeamID},
			"container": map[string]any{"type": "view", "view_id": form["id"]},
			"view": map[string]any{"id": form["id"], "hash": form["hash"], "type": "modal", "callback_id": form["callback_id"],
				"private_metadata": form["private_metadata"], "state": map[string]any{"values": map[string]any{}}},
			"actions": []map[string]any{{"action_id": apEl["action_id"], "block_id": apBlock, "type": apEl["type"],
				"selected_option": map[string]any{"value": "ap-cn-hangzhou-yh-b"}}},
		})
		if status != http.StatusOK {
			t.Fatalf("choose access point: HTTP %d", status)
		}
		form = e.jViewOf("views.update")
		state := jFill(t, form, map[string]string{
			models.FieldName: name, models.FieldAccessPoint: "ap-cn-hangzhou-yh-b", models.FieldProvider: "ct-zj",
			models.FieldPortType: "1000Base-T", models.FieldBandwidth: "200", models.FieldLocation: location,
		})
		meta, _ := form["private_metadata"].(string)
		status, ack := e.submit(customerUser, "ll_v_apply", meta, state)
		if status != http.StatusOK || (ack != nil && ack["response_action"] != "clear") {
			t.Fatalf("submit the apply form: HTTP %d, ack %v", status, ack)
		}
		k.deliver()
		conns, err := e.store.List(ctx, jCustomer(e), 10)
		if err != nil || len(conns) != 1 || conns[0].Status != models.StatusApplying {
			t.Fatalf("after applying: %v %v", conns, err)
		}
		id := conns[0].ID

		// 2. Staff approve in the staff channel; the review message is
		// updated in place.
		review := k.one(id, models.NoticeReviewRequest, staffChannel)
		jTyped(t, "review request", review.blocks, name, location)
		e.pressOn(staffUser, review, "Approve")
		jWantStatus(t, e, id, models.StatusApproved, models.StepNone)
		jWantKept(t, e, review, "Approved by <@"+staffUser+">")

		// 3. The customer pays.
		k.deliver()
		approved := k.one(id, models.NoticeApproved, customerChan)
		e.pressOn(customerUser, approved, "Pay for Connection")
		pay := e.jOpened()
		if !strings.Contains(blocksText(blocksJSON(pay)), "CNY 2,500.00") {
			t.Errorf("pay form:\n%s", blocksText(blocksJSON(pay)))
		}
		paidView := jAckView(t, e.jSubmitView(customerUser, pay, nil))
		e.settle()
		jWantStatus(t, e, id, models.StatusConnecting, models.StepNone)
		pc := *jConn(e, id).Connection.PhysicalConnectionID
		if !strings.Contains(paidView, pc) {
			t.Errorf("paid view lacks %s", pc)
		}
		jWantKept(t, e, approved, "Paid by <@"+customerUser+">")

		// 4. View: the port information, ephemeral, recorded.
		k.deliver()
		paid := k.one(id, models.NoticePaid, customerChan)
		jWantButtons(t, "paid", paid.blocks, "View", "Notify Provider")
		n := len(e.slack.Calls("response_url"))
		e.pressOn(customerUser, paid, "View")
		shown := jResponses(e, n)
		if len(shown) != 1 {
			t.Fatalf("View: %d responses", len(shown))
		}
		for _, want := range []string{"Yuhang Data Park B", "Building B, Yuhang Data Park", "Yuhang District, Hangzhou", "China (Hangzhou)",
			"Hangzhou-Yuhang-B", "hz-yh-b-asw-01", "GigabitEthernet", "1000Base-T", "200 Mbps", pc} {
			if !strings.Contains(shown[0], want) {
				t.Errorf("port information lacks %q:\n%s", want, shown[0])
			}
		}
		if strings.Contains(shown[0], "ap-cn-hangzhou-yh-b") || strings.Contains(shown[0], "(cn-hangzhou)") {
			t.Errorf("the customer's port information shows a catalog ID:\n%s", shown[0])
		}
		if jAudit(e, id, models.ActionViewPort) != 1 {
			t.Error("viewing the port was not recorded")
		}

		// 5. Notify Provider: the port information reaches the provider.
		e.pressOn(customerUser, paid, "Notify Provider")
		jWantStatus(t, e, id, models.StatusConnecting, models.StepProviderNotified)
		k.deliver()
		info := k.one(id, models.NoticePortInfo, providerChan)
		jWantButtons(t, "port info", info.blocks, "Submit Survey")
		for _, want := range []string{pc, "hz-yh-b-asw-01", "Yuhang Data Park B"} {
			if !strings.Contains(blocksText(info.blocks), want) {
				t.Errorf("port info lacks %q", want)
			}
		}

		// 6. The provider submits the survey in its channel.
		e.pressOn(providerUser, info, "Submit Survey")
		survey := e.jOpened()
		arrival := e.clock.Now().Add(48 * time.Hour)
		if ack := e.jSubmitView(providerUser, survey, map[string]slack.BlockAction{
			"company": jText("Zhejiang Line Works"), "line_type": jSelect("fibre"), "arrival": jDateTime(arrival),
			"eng_1_name": jText("Li Wei"), "eng_1_phone": jText("+86 138 0000 0000"), "eng_1_idtype": jSelect("ID card"), "eng_1_idnum": jText(rawIDNumber),
			"eng_2_name": jText("John Smith"), "eng_2_phone": jText("+44 20 7946 0000"), "eng_2_idtype": jSelect("passport"), "eng_2_idnum": jText("GB1234567"),
		}); ack["response_action"] != "clear" {
			t.Fatalf("survey: ack %v", ack)
		}
		jWantStatus(t, e, id, models.StatusConnecting, models.StepSurveyReceived)
		jWantKept(t, e, info, "Survey submitted (2 engineers")

		// 7. The customer submits the construction ticket.
		k.deliver()
		got := k.one(id, models.NoticeSurveyReceived, customerChan)
		jWantButtons(t, "survey received", got.blocks, "View", "Submit Ticket")
		e.pressOn(customerUser, got, "Submit Ticket")
		ticketForm := e.jOpened()
		jTyped(t, "ticket form", blocksJSON(ticketForm), "Li Wei", maskedID, "John Smith", "*****4567")
		if ack := e.jSubmitView(customerUser, ticketForm, map[string]slack.BlockAction{"note": jText("Cage 12, rack 4")}); ack["response_action"] != "clear" {
			t.Fatalf("ticket: ack %v", ack)
		}
		jWantStatus(t, e, id, models.StatusConnecting, models.StepTicketSubmitted)
		k.deliver()
		ticket := k.one(id, models.NoticeTicketSubmitted, staffChannel)
		jTyped(t, "ticket", ticket.blocks, "Cage 12, rack 4", "Li Wei", maskedID)

		// 8. The scheduler books the IDC visit on the first workday after the
		// ticket (Thursday 26th) that is not before the planned arrival
		// (Saturday 28th): Monday 30th.
		tk := jConn(e, id).Ticket
		visit, booked, err := e.store.BookVisit(ctx, tk.ID, e.clock.Now())
		if err != nil || !booked {
			t.Fatalf("book visit: %v (booked %v)", err, booked)
		}
		if visit.Date != "2026-11-30" {
			t.Errorf("visit on %s, want Monday 2026-11-30 (planned arrival Saturday 28th)", visit.Date)
		}
		jWantStatus(t, e, id, models.StatusConnecting, models.StepVisitScheduled)
		k.deliver()
		for _, ch := range []string{customerChan, providerChan, staffChannel} {
			v := k.one(id, models.NoticeVisitScheduled, ch)
			text := blocksText(v.blocks)
			for _, want := range []string{"2026-11-30", "09:30-12:00", "Yuhang Data Park B", "Building B, Yuhang Data Park", maskedID} {
				if !strings.Contains(text, want) {
					t.Errorf("visit_scheduled to %s lacks %q:\n%s", ch, want, text)
				}
			}
		}
		provVisit := k.one(id, models.NoticeVisitScheduled, providerChan)
		jWantButtons(t, "visit to provider", provVisit.blocks, "Construction Complete")
		jWantButtons(t, "visit to customer", k.one(id, models.NoticeVisitScheduled, customerChan).blocks, "View")

		// 9. The provider reports the construction complete.
		e.pressOn(providerUser, provVisit, "Construction Complete")
		complete := e.jOpened()
		errs := jAckErrors(t, e.jSubmitView(providerUser, complete, map[string]slack.BlockAction{"line_code": jText("HZ-CT-0001"), "line_label": jText(" ")}))
		if !strings.Contains(errs["line_label"], "label") {
			t.Errorf("empty line label: %v", errs)
		}
		if ack := e.jSubmitView(providerUser, complete, map[string]slack.BlockAction{"line_code": jText("HZ-CT-0001"), "line_label": jText("ACME <HZ> 01")}); ack["response_action"] != "clear" {
			t.Fatalf("complete: ack %v", ack)
		}
		jWantStatus(t, e, id, models.StatusPendingConfirmation, models.StepVisitScheduled)
		jWantKept(t, e, provVisit, "Construction reported complete by <@"+providerUser+">")

		// 10. The customer confirms: Enabled, told to all three.
		k.deliver()
		done := k.one(id, models.NoticeConstructionComplete, customerChan)
		jTyped(t, "construction complete", done.blocks, "HZ-CT-0001", "ACME <HZ> 01")
		jWantButtons(t, "construction complete", done.blocks, "Confirm")
		e.pressOn(customerUser, done, "Confirm")
		jWantStatus(t, e, id, models.StatusEnabled, models.StepVisitScheduled)
		jWantKept(t, e, done, "Confirmed by <@"+customerUser+">")
		k.deliver()
		for _, ch := range []string{customerChan, staffChannel, providerChan} {
			en := k.one(id, models.NoticeEnabled, ch)
			if ch == providerChan {
				jWantButtons(t, "enabled to "+ch, en.blocks)
			} else {
				jWantButtons(t, "enabled to "+ch, en.blocks, enabledButtons(ch)...)
			}
			if !strings.Contains(blocksText(en.blocks), "leased line access is complete") {
				t.Errorf("enabled to %s:\n%s", ch, blocksText(en.blocks))
			}
		}

		// Every party saw its part, in order.
		for ch, want := range map[string][]models.NoticeKind{
			customerChan: {models.NoticeApproved, models.NoticePaid, models.NoticeSurveyReceived, models.NoticeVisitScheduled, models.NoticeConstructionComplete, models.NoticeEnabled},
			staffChannel: {models.NoticeReviewRequest, models.NoticeTicketSubmitted, models.NoticeVisitScheduled, models.NoticeEnabled},
			providerChan: {models.NoticePortInfo, models.NoticeVisitScheduled, models.NoticeVisitLetter, models.NoticeEnabled},
		} {
			if got := k.to(ch); !slices.Equal(got, want) {
				t.Errorf("%s was told %v, want %v", ch, got, want)
			}
			for _, m := range e.slack.Messages(ch) {
				if m.Text == "" {
					t.Errorf("message in %s without notification text", ch)
				}
				jLimits(t, "message in "+ch, string(m.Blocks), 50)
			}
		}
		// The audit trail has every step, by whom.
		var trail []string
		for _, ev := range jConn(e, id).Audit {
			trail = append(trail, fmt.Sprintf("%s/%s", ev.Action, ev.Actor))
		}
		wantTrail := []string{"apply/" + customerUser, "approve/" + staffUser, "pay/" + customerUser, "view port/" + customerUser,
			"notify provider/" + customerUser, "submit survey/" + providerUser, "submit ticket/" + customerUser, "schedule visit/system",
			"complete construction/" + providerUser, "confirm/" + customerUser}
		if !slices.Equal(trail, wantTrail) {
			t.Errorf("audit trail\n%v\nwant\n%v", trail, wantTrail)
		}
		// Nobody else saw anything, and the raw ID number went nowhere.
		if ms := e.slack.Messages(otherChan); len(ms) != 0 {
			t.Errorf("%d messages to another tenant", len(ms))
		}
		jNoRawID(t, e)
		b, _ := json.Marshal(e.slack.Calls(""))
		if strings.Contains(string(b), rawIDNumber) {
			t.Error("the raw ID number is in a recorded call")
		}
	})
}

// jWantStatus fails unless the connection is at status and step.
func jWantStatus(t *testing.T, e *env, id int64, s models.Status, st models.Step) {
	t.Helper()
	e.settle()
	if c := jConn(e, id).Connection; c.Status != s || c.Step != st {
		t.Fatalf("connection at %s (%q), want %s (%q)", c.Status, c.Step, s, st)
	}
}

// jWantKept fails unless the message p, as the channel keeps it now, was
// replaced in place: it says want and has no buttons.
func jWantKept(t *testing.T, e *env, p posted, want string) {
	t.Helper()
	e.settle()
	for _, m := range e.slack.Messages(p.channel) {
		if m.TS != p.ts {
			continue
		}
		if text := blocksText(string(m.Blocks)); !strings.Contains(text, want) {
			t.Errorf("%s message in %s not updated in place with %q:\n%s", p.notice.Kind, p.channel, want, text)
		}
		if bs := jButtonTexts(string(m.Blocks)); len(bs) != 0 {
			t.Errorf("%s message in %s still offers %q", p.notice.Kind, p.channel, bs)
		}
		return
	}
	t.Errorf("%s message %s not in %s", p.notice.Kind, p.ts, p.channel)
}

// enabledButtons are the buttons of the enabled notice in channel ch.
func enabledButtons(ch string) []string {
	if ch == customerChan {
		return []string{"Terminate", "Change Bandwidth"}
	}
	return []string{"Terminate"}
}
