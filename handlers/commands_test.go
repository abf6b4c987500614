package handlers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

func ackBlocks(t *testing.T, ack map[string]any) string {
	t.Helper()
	b, err := json.Marshal(ack["blocks"])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCommandHelpAndUnknownInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		for _, text := range []string{"", "help", "HELP"} {
			status, ack := e.command(customerUser, customerChan, text)
			if status != 200 || ack["response_type"] != "ephemeral" {
				t.Fatalf("%q: HTTP %d ack %v", text, status, ack)
			}
			got := blocksText(ackBlocks(t, ack))
			for _, want := range []string{"/leaseline apply", "/leaseline list", "/leaseline show ID", "/leaseline access-points", "/leaseline enquire", "/leaseline cancel ID", "/leaseline link #CHANNEL customer NAME", "/leaseline credit NAME AMOUNT", "/leaseline adduser @USER NAME", "who must act next"} {
				if !strings.Contains(got, want) {
					t.Errorf("%q: help lacks %q:\n%s", text, want, got)
				}
			}
		}
		status, ack := e.command(customerUser, customerChan, "frobnicate<!channel>*x* now")
		if status != 200 || ack["response_type"] != "ephemeral" {
			t.Fatalf("unknown: HTTP %d ack %v", status, ack)
		}
		raw := ackBlocks(t, ack)
		if got := blocksText(raw); !strings.Contains(got, "I don't know") || !strings.Contains(got, "/leaseline apply") {
			t.Errorf("unknown input does not get the help:\n%s", got)
		}
		assertNoRaw(t, "unknown command", raw, "<!channel>", "*x*")
		// Usage errors are instant too; nothing of this reached Slack.
		if _, ack := e.command(customerUser, customerChan, "show"); !strings.Contains(blocksText(ackBlocks(t, ack)), "Which connection") {
			t.Errorf("show without ID: %v", ack)
		}
		e.settle()
		if calls := e.slack.Calls(""); len(calls) != 0 {
			t.Errorf("help and unknown input called Slack: %v", methods(calls))
		}
	})
}

func TestCommandListShowsWhoMustAct(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		acme := customerOf(customerUser, e.acme)
		c := e.applyDirect(acme, goodApplication("Hangzhou primary"))
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex secret line"))

		if status, ack := e.command(customerUser, customerChan, "list"); status != 200 || ack != nil {
			t.Fatalf("list ack: HTTP %d %v (want empty: the list comes through response_url)", status, ack)
		}
		rs := e.responses()
		if len(rs) != 1 {
			t.Fatalf("%d responses", len(rs))
		}
		raw := rs[0].Param("blocks")
		got := blocksText(raw)
		for _, want := range []string{"Connections of ACME", "Hangzhou primary", models.ApplicationRef(c.ID), "*Applying*", "waiting on the *staff* to review the application", "Cancel", "Details"} {
			if !strings.Contains(got, want) {
				t.Errorf("list lacks %q:\n%s", want, got)
			}
		}
		if strings.Contains(got, "Globex") || strings.Contains(got, "Approve") {
			t.Errorf("customer's list shows another tenant or staff buttons:\n%s", got)
		}
		assertLimits(t, "list", raw, 50)

		// Staff see every account's connections, with their own buttons.
		e.command(staffUser, staffChannel, "list")
		got = e.lastResponse()
		for _, want := range []string{"All connections", "Hangzhou primary", "Globex secret line", "Approve", "Reject"} {
			if !strings.Contains(got, want) {
				t.Errorf("staff list lacks %q:\n%s", want, got)
			}
		}

		// After approval the customer's list says the customer acts next.
		if _, err := e.store.Act(context.Background(), models.Actor{UserID: staffUser, Role: models.RoleStaff}, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
			t.Fatal(err)
		}
		e.command(customerUser, customerChan, "list")
		got = e.lastResponse()
		if !strings.Contains(got, "*Approved*") || !strings.Contains(got, "waiting on the *customer* to pay for the connection") || !strings.Contains(got, "Pay for Connection") {
			t.Errorf("approved connection in list:\n%s", got)
		}
	})
}

func TestCommandShowOfAnotherTenantIsNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("ACME confidential"))
		if _, err := e.store.Act(ctx, customerOf(customerUser, e.acme), c.ID, models.ActInput{Action: models.ActionCancel, Reason: "budget moved to Q3"}); err != nil {
			t.Fatal(err)
		}

		answer := func(user, channel, text string) string {
			e.slack.Reset()
			e.command(user, channel, text)
			return e.lastResponse()
		}
		missing := answer(otherUser, otherChan, "show #999999")
		for _, ref := range []string{fmt.Sprintf("#%d", c.ID), fmt.Sprint(c.ID)} {
			got := answer(otherUser, otherChan, "show "+ref)
			if got != missing {
				t.Errorf("show %s by another tenant:\n%s\nwant the same as a missing ID:\n%s", ref, got, missing)
			}
			for _, leak := range []string{"ACME", "confidential", "budget", "Canceled"} {
				if strings.Contains(got, leak) {
					t.Errorf("show %s leaks %q: %s", ref, leak, got)
				}
			}
		}
		if !strings.Contains(missing, "No such connection") {
			t.Errorf("not found says: %s", missing)
		}
		if got := answer(otherUser, otherChan, "show <!channel>"); !strings.Contains(got, "not a connection ID") || strings.Contains(got, "<!channel>") {
			t.Errorf("show of junk: %s", got)
		}

		// The owner sees details, timeline and the audit trail: who, when,
		// from, to, why.
		got := answer(customerUser, customerChan, fmt.Sprintf("show #%d", c.ID))
		for _, want := range []string{"ACME confidential", "Hangzhou-Yuhang-B", "China Telecom Zhejiang", "Audit trail", "<@" + customerUser + ">", "*apply*", "→ Applying", "*cancel*", "Applying → Canceled", "budget moved to Q3", "Thu 26 Nov 10:00 CST"} {
			if !strings.Contains(got, want) {
				t.Errorf("show lacks %q:\n%s", want, got)
			}
		}
		// Staff see it too.
		if got := answer(staffUser, staffChannel, fmt.Sprintf("show %d", c.ID)); !strings.Contains(got, "ACME confidential") {
			t.Errorf("staff show: %s", got)
		}
	})
}

func TestCommandAccessPoints(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.command(customerUser, customerChan, "access-points")
		rs := e.responses()
		raw := rs[len(rs)-1].Param("blocks")
		got := blocksText(raw)
		for _, want := range []string{"China (Hangzhou)", "China (Shanghai)", "Singapore", "Hangzhou-Yuhang-B", "Yuhang District, Hangzhou", "recommended", "hot", "full, no new applications", "disabled", "China Telecom Zhejiang", "1000Base-T 50–1,000 Mbps", "40GBase-LR"} {
			if !strings.Contains(got, want) {
				t.Errorf("access-points lacks %q", want)
			}
		}
		if strings.Index(got, "China (Hangzhou)") > strings.Index(got, "Hangzhou-Yuhang-B") {
			t.Error("access points not grouped under their region")
		}
		assertLimits(t, "access-points", raw, 50)

		e.command(customerUser, customerChan, "access-points cn-shanghai")
		got = e.lastResponse()
		if !strings.Contains(got, "Shanghai-Jinqiao-A") || strings.Contains(got, "Hangzhou-Yuhang-B") {
			t.Errorf("one region:\n%s", got)
		}
		e.command(customerUser, customerChan, "access-points mars-1")
		if got := e.lastResponse(); !strings.Contains(got, "No region") || !strings.Contains(got, "cn-hangzhou") {
			t.Errorf("unknown region: %s", got)
		}
	})
}

func TestCommandEnquire(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.command(customerUser, customerChan, "enquire Hangzhou-Xiaoshan-A Does <!here> *China Mobile* reach it?")
		got := e.lastResponse()
		if !strings.Contains(got, "Enquiry") || !strings.Contains(got, "Hangzhou-Xiaoshan-A") || !strings.Contains(got, "<#"+customerChan+">") {
			t.Errorf("enquiry answer: %s", got)
		}
		assertNoRaw(t, "enquiry", e.slack.Calls("response_url")[0].Param("blocks"), "<!here>", "*China Mobile*")
		notices, err := e.store.Notices(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		for _, nt := range notices {
			if nt.Kind == models.NoticeEnquiry && nt.Channel == staffChannel {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d enquiry notices to staff, want 1", n)
		}

		// Without a question a form opens, the access point chosen.
		e.command(customerUser, customerChan, "enquire ap-sg-jurong-a")
		v := e.lastView("views.open")
		if v["callback_id"] != "ll_v_enquire" {
			t.Fatalf("enquiry form: %v", v["callback_id"])
		}
		_, el, _ := input(t, v, "Access Point")
		if init, _ := el["initial_option"].(map[string]any); init["value"] != "ap-sg-jurong-a" {
			t.Errorf("initial access point: %v", el["initial_option"])
		}
		blk, _, _ := input(t, v, "Question")
		status, ack := e.submit(customerUser, "ll_v_enquire", v["private_metadata"].(string), state(t, v, applyForm{"Question": "   "}))
		if status != 200 || ack["response_action"] != "errors" || !strings.Contains(fmt.Sprint(ack["errors"].(map[string]any)[blk]), "Write your question") {
			t.Errorf("empty question: %d %v", status, ack)
		}
		status, ack = e.submit(customerUser, "ll_v_enquire", v["private_metadata"].(string), state(t, v, applyForm{"Access Point": "ap-sg-jurong-a", "Question": "Is StarHub available on 10G?"}))
		if status != 200 || ack["response_action"] != "clear" {
			t.Fatalf("enquiry submit: %d %v", status, ack)
		}
		if got := e.lastResponse(); !strings.Contains(got, "Singapore-Jurong-A") {
			t.Errorf("enquiry form answer: %s", got)
		}
	})
}

func TestCommandCancelAsksToConfirm(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("To cancel"))
		e.command(customerUser, customerChan, fmt.Sprintf("cancel #%d", c.ID))
		rs := e.responses()
		raw := rs[len(rs)-1].Param("blocks")
		if got := blocksText(raw); !strings.Contains(got, "Cancel") || !strings.Contains(got, "To cancel") || !strings.Contains(raw, `"action_id":"ll_cancel"`) {
			t.Errorf("cancel: %s", raw)
		}
		got, err := e.store.Find(context.Background(), customerOf(customerUser, e.acme), fmt.Sprint(c.ID))
		if err != nil || got.Status != models.StatusApplying {
			t.Errorf("the command alone changed the status: %v %v", got, err)
		}
		// The button opens the cancellation form, which confirms.
		e.press(customerUser, customerChan, "ll_cancel", fmt.Sprint(c.ID))
		if v := e.lastView("views.open"); v["callback_id"] != "ll_v_cancel" {
			t.Errorf("Cancel opened %v", v["callback_id"])
		}
		e.command(customerUser, customerChan, "cancel #999999")
		if got := e.lastResponse(); !strings.Contains(got, "No such connection") {
			t.Errorf("cancel of a missing ID: %s", got)
		}
		e.command(otherUser, otherChan, fmt.Sprintf("cancel #%d", c.ID))
		if got := e.lastResponse(); !strings.Contains(got, "No such connection") {
			t.Errorf("another tenant's cancel: %s", got)
		}
	})
}

func TestSignatureForgedOrStaleIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		form := e.commandForm(customerUser, customerChan, "list")
		for name, req := range map[string]func() (*http.Request, error){
			"forged": func() (*http.Request, error) {
				return slackfake.CommandRequest(e.server.URL+bot.PathCommands, "not-the-secret", time.Now(), form)
			},
			"stale": func() (*http.Request, error) {
				return slackfake.CommandRequest(e.server.URL+bot.PathCommands, signingSecret, time.Now().Add(-10*time.Minute), form)
			},
			"forged interaction": func() (*http.Request, error) {
				return slackfake.InteractionRequest(e.server.URL+bot.PathInteractions, "not-the-secret", time.Now(), map[string]any{
					"type": "block_actions", "user": map[string]any{"id": customerUser}, "actions": []map[string]any{{"action_id": "ll_list", "value": "1"}},
				})
			},
			"forged event": func() (*http.Request, error) {
				return slackfake.EventRequest(e.server.URL+bot.PathEvents, "not-the-secret", time.Now(), map[string]any{
					"type": "event_callback", "event_id": "EvX", "event": map[string]any{"type": "app_home_opened", "user": customerUser, "tab": "home"},
				})
			},
		} {
			r, err := req()
			if err != nil {
				t.Fatal(err)
			}
			if status, _ := e.do(r); status != http.StatusUnauthorized {
				t.Errorf("%s: HTTP %d, want 401", name, status)
			}
		}
		e.settle()
		if calls := e.slack.Calls(""); len(calls) != 0 {
			t.Errorf("refused requests called Slack: %v", methods(calls))
		}
	})
}

func TestCommandSlackRetryActsOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		form := e.commandForm(customerUser, customerChan, "enquire ap-cn-hangzhou-yh-b Is 10GBase-LR free?")
		for retry := range 2 {
			req, err := slackfake.CommandRequest(e.server.URL+bot.PathCommands, signingSecret, time.Now(), form)
			if err != nil {
				t.Fatal(err)
			}
			if retry > 0 {
				req.Header.Set("X-Slack-Retry-Num", fmt.Sprint(retry))
				req.Header.Set("X-Slack-Retry-Reason", "http_timeout")
			}
			if status, _ := e.do(req); status != 200 {
				t.Fatalf("attempt %d: HTTP %d", retry, status)
			}
			e.settle()
		}
		if rs := e.slack.Calls("response_url"); len(rs) != 1 {
			t.Errorf("%d answers, want 1", len(rs))
		}
		notices, _ := e.store.Notices(context.Background(), 0)
		var n int
		for _, nt := range notices {
			if nt.Kind == models.NoticeEnquiry {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d enquiries recorded, want 1", n)
		}
	})
}

func TestStaffCommandsLinkCreditAddUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		// Customers may not.
		e.command(customerUser, customerChan, "link <#CINITECH|initech-shared> customer Initech")
		if got := e.lastResponse(); !strings.Contains(got, "Only staff") {
			t.Errorf("customer link: %s", got)
		}
		if _, err := e.store.AccountByName(ctx, "Initech"); err == nil {
			t.Fatal("a customer created an account")
		}

		e.slack.Reset()
		e.command(staffUser, staffChannel, "link <#CINITECH|initech-shared> customer Initech")
		got := e.lastResponse()
		if !strings.Contains(got, "Linked <#CINITECH> to the new account *Initech*") {
			t.Errorf("link: %s", got)
		}
		posts := e.slack.Calls("chat.postMessage")
		if len(posts) != 1 || posts[0].Param("channel") != "CINITECH" {
			t.Fatalf("panel posts: %v", posts)
		}
		panel := posts[0].Param("blocks")
		for _, want := range []string{`"action_id":"ll_apply"`, `"action_id":"ll_list"`, `"action_id":"ll_aps"`, `"action_id":"ll_enquire"`, "Apply for New Interface", "My connections", "Access points", "Enquire", "Initech"} {
			if !strings.Contains(panel, want) {
				t.Errorf("panel lacks %s", want)
			}
		}
		acct, err := e.store.AccountByName(ctx, "initech")
		if err != nil {
			t.Fatal(err)
		}
		chans, _ := e.store.AccountChannels(ctx, acct.ID)
		if len(chans) != 1 || chans[0].PanelTS == "" {
			t.Errorf("panel not recorded: %+v", chans)
		}

		// Linking again keeps one panel, updated in place.
		e.command(staffUser, staffChannel, "link <#CINITECH> customer Initech")
		e.settle()
		if n := len(e.slack.Calls("chat.postMessage")); n != 1 {
			t.Errorf("%d panel posts after relinking, want 1", n)
		}
		if ups := e.slack.Calls("chat.update"); len(ups) != 1 || ups[0].Param("ts") != chans[0].PanelTS {
			t.Errorf("panel updates: %v", ups)
		}
		// A provider link is the catalog's business.
		e.command(staffUser, staffChannel, "link <#CX1> provider ct-zj")
		if got := e.lastResponse(); !strings.Contains(got, "catalog") {
			t.Errorf("provider link: %s", got)
		}

		e.command(staffUser, staffChannel, "credit Initech 5,000.50")
		if got := e.lastResponse(); !strings.Contains(got, "Credited CNY 5,000.50 to *Initech*") || !strings.Contains(got, "Balance: CNY 5,000.50") {
			t.Errorf("credit: %s", got)
		}
		if bal, _ := e.store.Balance(ctx, acct.ID); bal != 500050 {
			t.Errorf("balance %d", bal)
		}
		for _, bad := range []string{"credit Initech -5", "credit Initech lots", "credit Initech", "credit Nobody 10"} {
			e.command(staffUser, staffChannel, bad)
			if got := e.lastResponse(); !strings.Contains(got, "Usage") && !strings.Contains(got, "No account") {
				t.Errorf("%q: %s", bad, got)
			}
		}
		if bal, _ := e.store.Balance(ctx, acct.ID); bal != 500050 {
			t.Errorf("balance changed by bad credits: %d", bal)
		}

		e.command(staffUser, staffChannel, "adduser <@UNEWBIE1|bob> Initech")
		if got := e.lastResponse(); !strings.Contains(got, "<@UNEWBIE1> is now a user of *Initech*") {
			t.Errorf("adduser: %s", got)
		}
		// The new user acts for Initech anywhere.
		e.command("UNEWBIE1", "DNEWBIE1", "list")
		if got := e.lastResponse(); !strings.Contains(got, "Connections of Initech") {
			t.Errorf("new user's list: %s", got)
		}
		// A user of no account is told how to get linked.
		e.command("ULOST1", "CRANDOM", "list")
		if got := e.lastResponse(); !strings.Contains(got, "not linked to a customer account") || !strings.Contains(got, "/leaseline link") {
			t.Errorf("unlinked user: %s", got)
		}
	})
}

func TestEnquiryAnsweredByStaff(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.command(customerUser, customerChan, "enquire ap-cn-hangzhou-xs-a Is there 10G?")
		e.settle()
		notices, _ := e.store.Notices(ctx, 0)
		var ticket string
		for _, n := range notices {
			if n.Kind == models.NoticeEnquiry {
				var d struct {
					TicketID int64 `json:"ticket_id"`
				}
				_ = json.Unmarshal([]byte(n.Data), &d)
				ticket = fmt.Sprint(d.TicketID)
			}
		}
		if ticket == "" || ticket == "0" {
			t.Fatalf("no enquiry notice: %+v", notices)
		}

		e.press(customerUser, customerChan, "ll_answer", ticket)
		if got := e.lastResponse(); !strings.Contains(got, "Only staff") {
			t.Errorf("customer pressing Answer: %s", got)
		}
		e.press(staffUser, staffChannel, "ll_answer", ticket)
		v := e.lastView("views.open")
		if v["callback_id"] != "ll_v_answer" || !strings.Contains(viewText(v), "Is there 10G?") {
			t.Fatalf("answer form: %v", v)
		}
		blk, _, _ := input(t, v, "Answer")
		values := state(t, v, applyForm{"Answer": " "})
		if status, ack := e.submit(staffUser, "ll_v_answer", v["private_metadata"].(string), values); status != 200 || ack["response_action"] != "errors" || ack["errors"].(map[string]any)[blk] == nil {
			t.Errorf("empty answer: %v", ack)
		}
		values = state(t, v, applyForm{"Answer": "No: 100Base-T and 1000Base-LX only."})
		if _, ack := e.submit(otherUser, "ll_v_answer", v["private_metadata"].(string), values); ack["response_action"] != "errors" {
			t.Errorf("non-staff answer accepted: %v", ack)
		}
		if _, ack := e.submit(staffUser, "ll_v_answer", v["private_metadata"].(string), values); ack["response_action"] != "clear" {
			t.Fatalf("answer: %v", ack)
		}
		if _, ack := e.submit(staffUser, "ll_v_answer", v["private_metadata"].(string), values); ack["response_action"] != "errors" || !strings.Contains(fmt.Sprint(ack["errors"]), "Already") {
			t.Errorf("second answer: %v", ack)
		}
		e.settle()
		notices, _ = e.store.Notices(ctx, 0)
		var told bool
		for _, n := range notices {
			told = told || n.Kind == models.NoticeEnquiryAnswered && n.Channel == customerChan
		}
		if !told {
			t.Error("the customer is not told the answer")
		}
		if ups := e.slack.Calls("chat.update"); len(ups) != 1 || !strings.Contains(blocksText(ups[0].Param("blocks")), "100Base-T and 1000Base-LX only") {
			t.Errorf("staff message not updated with the answer: %v", methods(ups))
		}
	})
}

// pressList presses the page button actionID of a list reply (raw blocks)
// and returns the blocks of the reply.
func (e *env) pressList(user, channel, raw, actionID string) string {
	e.t.Helper()
	value, ok := buttonValue(e.t, raw, actionID)
	if !ok {
		e.t.Fatalf("list has no %s button:\n%s", actionID, blocksText(raw))
	}
	e.press(user, channel, actionID, value)
	rs := e.responses()
	return rs[len(rs)-1].Param("blocks")
}

func TestCommandListPagesFromItsButtons(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		seedConnections(t, e.store, e.acme, 1000, models.StatusEnabled)
		for i := range 3 {
			e.applyDirect(customerOf(otherUser, e.globex), goodApplication(fmt.Sprintf("Globex %d", i)))
		}
		e.command(customerUser, customerChan, "list")
		rs := e.responses()
		page1 := rs[len(rs)-1].Param("blocks")
		assertLimits(t, "list page 1", page1, 50)
		wantBulk(t, "list page 1", blocksText(page1), 999, 980)

		page2 := e.pressList(customerUser, customerChan, page1, "ll_list_next")
		assertLimits(t, "list page 2", page2, 50)
		got := blocksText(page2)
		wantBulk(t, "list page 2", got, 979, 960)
		if !strings.Contains(got, "page 2") || !strings.Contains(got, "Previous page") || !strings.Contains(got, "Next page") {
			t.Errorf("page 2 lacks its heading or buttons:\n%s", got)
		}
		// Typed, page 2 is the same.
		e.command(customerUser, customerChan, "list 2")
		rs = e.responses()
		wantBulk(t, "list 2 typed", blocksText(rs[len(rs)-1].Param("blocks")), 979, 960)

		page3 := e.pressList(customerUser, customerChan, page2, "ll_list_next")
		wantBulk(t, "list page 3", blocksText(page3), 959, 940)
		back := e.pressList(customerUser, customerChan, page3, "ll_list_previous")
		wantBulk(t, "list back on page 2", blocksText(back), 979, 960)
		back = e.pressList(customerUser, customerChan, back, "ll_list_previous")
		got = blocksText(back)
		wantBulk(t, "list back on page 1", got, 999, 980)
		if strings.Contains(got, "Previous page") || strings.Contains(got, "page 1") {
			t.Errorf("back on page 1, the list offers a previous page or names its page:\n%s", got)
		}

		// Page 50 is the last the list shows, and says where older ones are.
		e.command(customerUser, customerChan, "list 49")
		rs = e.responses()
		last := e.pressList(customerUser, customerChan, rs[len(rs)-1].Param("blocks"), "ll_list_next")
		got = blocksText(last)
		wantBulk(t, "list page 50", got, 19, 0)
		if strings.Contains(got, "Next page") || !strings.Contains(got, "page 50") {
			t.Errorf("page 50:\n%s", got)
		}
		for _, raw := range []string{page1, page2, page3, back, last} {
			if strings.Contains(blocksText(raw), "Globex") {
				t.Error("list shows another tenant's connection")
			}
		}
	})
}
