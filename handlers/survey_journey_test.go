package handlers_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// jConnecting makes an ACME connection paid (Connecting), through the store.
func jConnecting(e *env, name string) *models.Connection {
	e.t.Helper()
	ctx := context.Background()
	c := jApply(e, name, "Room 301, Wensan Road")
	_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
	jStep(e, "approve", err)
	c, err = e.store.Pay(ctx, jCustomer(e), c.ID)
	jStep(e, "pay", err)
	return c
}

// jAddEngineer presses Add engineer in the open survey form v and returns
// the updated form.
func (e *env) jAddEngineer(v map[string]any) map[string]any {
	e.t.Helper()
	if v["id"] == nil {
		// Slack gives the view an ID and a hash; the recorded views.open
		// request has neither.
		v["id"], v["hash"] = "VSURVEY", "1.hash"
	}
	b := jFind(e.t, posted{blocks: blocksJSON(v)}, "Add engineer")
	status, _ := e.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":      map[string]any{"id": providerUser, "team_id": "TPROVIDER"},
		"team":      map[string]any{"id": slackfake.TeamID},
		"container": map[string]any{"type": "view", "view_id": v["id"]},
		"view": map[string]any{"id": v["id"], "hash": v["hash"], "type": "modal", "callback_id": v["callback_id"],
			"private_metadata": v["private_metadata"], "state": map[string]any{"values": map[string]any{}}},
		"actions": []map[string]any{{"action_id": b.ActionID, "block_id": b.BlockID, "type": "button", "value": b.Value}},
	})
	if status != http.StatusOK {
		e.t.Fatalf("add engineer: HTTP %d", status)
	}
	e.settle()
	calls := e.slack.Calls("views.update")
	if len(calls) == 0 {
		e.t.Fatal("no views.update")
	}
	var out map[string]any
	if err := calls[len(calls)-1].JSONParam("view", &out); err != nil {
		e.t.Fatal(err)
	}
	if calls[len(calls)-1].Param("view_id") != v["id"] || calls[len(calls)-1].Param("hash") != v["hash"] {
		e.t.Errorf("views.update of %s/%s, want %v/%v", calls[len(calls)-1].Param("view_id"), calls[len(calls)-1].Param("hash"), v["id"], v["hash"])
	}
	return out
}

// jEngineerRows counts the engineer rows of a survey form.
func jEngineerRows(v map[string]any) int {
	n := 0
	for _, b := range v["blocks"].([]any) {
		m, _ := b.(map[string]any)
		if id, _ := m["block_id"].(string); strings.HasPrefix(id, "eng_") && strings.HasSuffix(id, "_name") {
			n++
		}
	}
	return n
}

// jEngineerState is the state of n valid engineer rows.
func jEngineerState(n int) map[string]slack.BlockAction {
	out := map[string]slack.BlockAction{}
	for i := 1; i <= n; i++ {
		out[fmt.Sprintf("eng_%d_name", i)] = jText(fmt.Sprintf("Engineer %02d", i))
		out[fmt.Sprintf("eng_%d_phone", i)] = jText("+86 138 0000 00" + fmt.Sprintf("%02d", i))
		out[fmt.Sprintf("eng_%d_idtype", i)] = jSelect("passport")
		out[fmt.Sprintf("eng_%d_idnum", i)] = jText(fmt.Sprintf("E%08d", i))
	}
	return out
}

// The provider's survey form: two rows at first, Add engineer up to 16;
// every broken rule under its field (17 engineers, a bad ID card number,
// an arrival in the past); a valid survey tells the customer, whose
// Submit Ticket form is prefilled, masked; the ticket reaches after-sales,
// masked; the raw ID number is in no call to Slack.
func TestSurveyFormValidatesInlineAndMasks(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jConnecting(e, "Hangzhou line 1")
		_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify provider", err)
		k := newCourier(e)
		k.deliver()
		info := k.one(c.ID, models.NoticePortInfo, providerChan)
		jWantButtons(t, "port info", info.blocks, "Submit Survey")

		// The customer cannot submit the provider's survey.
		e.pressOn(customerUser, posted{notice: info.notice, channel: customerChan, ts: info.ts, blocks: info.blocks}, "Submit Survey")
		if got := jResponses(e, 0); len(got) != 1 || !strings.Contains(got[0], "may not submit a survey") {
			t.Errorf("customer pressing Submit Survey: %q", got)
		}

		e.pressOn(providerUser, info, "Submit Survey")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_survey" || jEngineerRows(v) != 2 {
			t.Fatalf("survey form %v with %d rows, want ll_v_survey with 2", v["callback_id"], jEngineerRows(v))
		}
		for jEngineerRows(v) < models.MaxEngineers {
			before := jEngineerRows(v)
			v = e.jAddEngineer(v)
			if jEngineerRows(v) != before+1 {
				t.Fatalf("add engineer: %d rows after %d", jEngineerRows(v), before)
			}
		}
		jLimits(t, "survey form with 16 rows", blocksJSON(v), 100)
		if bs := jButtonTexts(blocksJSON(v)); len(bs) != 0 {
			t.Errorf("16 rows: buttons %q, want no Add engineer", bs)
		}

		// 17 engineers, engineer 2's ID card number too short, arrival past.
		state := jEngineerState(17)
		state["eng_2_idtype"] = jSelect("ID card")
		state["eng_2_idnum"] = jText("12345")
		state["company"] = jText("Zhejiang Line Works")
		state["line_type"] = jSelect("MSTP")
		state["arrival"] = jDateTime(e.clock.Now().Add(-1))
		errs := jAckErrors(t, e.jSubmitView(providerUser, v, state))
		for id, want := range map[string]string{
			"eng_2_idnum": "18 characters",
			"arrival":     "must be in the future",
			"eng_16_name": "at most 16 engineers (this list has 17)",
		} {
			if !strings.Contains(errs[id], want) {
				t.Errorf("error under %s = %q, want %q (all: %v)", id, errs[id], want, errs)
			}
		}
		for id := range errs {
			if !strings.Contains(blocksJSON(v), `"block_id":"`+id+`"`) {
				t.Errorf("error under %s, a block the form does not have", id)
			}
		}
		if d := jConn(e, c.ID); d.Connection.Step != models.StepProviderNotified || d.Survey != nil {
			t.Fatalf("after a refused survey: step %q", d.Connection.Step)
		}

		// Missing fields of a row that was started; an empty row is ignored.
		state = map[string]slack.BlockAction{
			"company": jText("Zhejiang Line Works"), "line_type": jSelect("fibre"), "arrival": jDateTime(e.clock.Now().Add(72 * time.Hour)),
			"eng_1_name": jText("Li Wei"), "eng_1_phone": jText("+86 138 0000 0000"), "eng_1_idtype": jSelect("ID card"), "eng_1_idnum": jText(rawIDNumber),
			"eng_3_name": jText("Wang Fang"),
		}
		errs = jAckErrors(t, e.jSubmitView(providerUser, v, state))
		if !strings.Contains(errs["eng_3_phone"], "phone number") || !strings.Contains(errs["eng_3_idtype"], "ID document type") || len(errs) != 3 {
			t.Errorf("half-filled row 3: errors %v", errs)
		}

		// Valid: Li Wei with an ID card, and a second engineer.
		state["eng_3_phone"] = jText("+86 139 0000 0000")
		state["eng_3_idtype"] = jSelect("passport")
		state["eng_3_idnum"] = jText("E12345678")
		if ack := e.jSubmitView(providerUser, v, state); ack["response_action"] != "clear" {
			t.Fatalf("valid survey: ack %v", ack)
		}
		e.settle()
		d := jConn(e, c.ID)
		if d.Connection.Step != models.StepSurveyReceived || d.Survey == nil || len(d.Survey.Engineers) != 2 {
			t.Fatalf("after the survey: step %q", d.Connection.Step)
		}
		if u := e.slack.Calls("chat.update"); len(u) != 1 || u[0].Param("ts") != info.ts || !strings.Contains(blocksText(u[0].Param("blocks")), "Survey submitted (2 engineers") {
			t.Errorf("port info message not replaced in place: %v", methods(u))
		}

		k.deliver()
		got := k.one(c.ID, models.NoticeSurveyReceived, customerChan)
		jWantButtons(t, "survey received", got.blocks, "View", "Submit Ticket")
		jTyped(t, "survey received", got.blocks, "Li Wei", "Wang Fang", "Zhejiang Line Works", maskedID)

		e.pressOn(customerUser, got, "Submit Ticket")
		tv := e.jOpened()
		if tv["callback_id"] != "ll_v_ticket" {
			t.Fatalf("opened %v, want the ticket form", tv["callback_id"])
		}
		jTyped(t, "ticket form", blocksJSON(tv), "Li Wei", maskedID, "Zhejiang Line Works")
		note := "Cage 12 <@U999> *rack* 4"
		if ack := e.jSubmitView(customerUser, tv, map[string]slack.BlockAction{"note": jText(note)}); ack["response_action"] != "clear" {
			t.Fatalf("ticket: ack %v", ack)
		}
		k.deliver()
		ticket := k.one(c.ID, models.NoticeTicketSubmitted, staffChannel)
		jTyped(t, "ticket notice", ticket.blocks, note, "Li Wei", maskedID)
		if !strings.Contains(blocksText(ticket.blocks), fmt.Sprintf("Construction ticket #%d", jConn(e, c.ID).Ticket.ID)) {
			t.Errorf("ticket notice:\n%s", blocksText(ticket.blocks))
		}
		jWantButtons(t, "ticket notice (staff)", ticket.blocks, "View", "Book Visit")

		jNoRawID(t, e)
	})
}
