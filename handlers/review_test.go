package handlers_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// The review request shows every field of the application as typed (plain
// text, never parsed), the customer account and the review-by date, with
// Approve and Reject only.
func TestReviewRequestShowsTheApplication(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		name := "Line <@U999> *bold* <!channel>"
		location := "<!here> _Room_ 301 https://evil.example/x ~gone~"
		c := jApply(e, name, location)
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		jLimits(t, "review request", p.blocks, 50)
		jTyped(t, "review request", p.blocks, name, location, "ACME")
		text := blocksText(p.blocks)
		for _, want := range []string{"Application #" + itoa(c.ID) + " to review", "Review by *Friday 27 November 2026*", "China (Hangzhou)",
			"<@" + customerUser + ">", "Hangzhou-Yuhang-B `ap-cn-hangzhou-yh-b`", "China Telecom Zhejiang", "1000Base-T", "200 Mbps",
			"CNY 2,500.00", "waiting on the *staff* to review the application"} {
			if !strings.Contains(text, want) {
				t.Errorf("review request lacks %q:\n%s", want, text)
			}
		}
		jWantButtons(t, "review request", p.blocks, "Approve", "Reject")
		for _, b := range jButtons(p.blocks) {
			if !strings.HasPrefix(b.BlockID, "ll_review_") || b.Value != itoa(c.ID) {
				t.Errorf("button %+v: want block ll_review_… and value %d", b, c.ID)
			}
		}
		if strings.Contains(p.text, "<") || strings.Contains(p.text, name) {
			t.Errorf("notification text %q carries typed text", p.text)
		}
	})
}

// A customer pressing Approve is refused, ephemerally, with the rule named;
// nothing changes.
func TestReviewCustomerPressingApproveIsRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Hangzhou line 1", "Room 301")
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		before := len(e.slack.Calls(""))
		for _, user := range []string{customerUser, otherUser, "UNOBODY"} {
			e.pressOn(user, p, "Approve")
		}
		// Each presser's Slack locale is read once (users.info) to refuse
		// them in their language; nothing else but the three refusals.
		var calls []slackfake.Call
		for _, c := range e.slack.Calls("")[before:] {
			if c.Method != "users.info" {
				calls = append(calls, c)
			}
		}
		if len(calls) != 3 {
			t.Fatalf("calls after three refused presses: %v, want three response_url posts", methods(calls))
		}
		for _, call := range calls {
			text := blocksText(call.Param("blocks"))
			if call.Method != "response_url" || call.Params["response_type"] != "ephemeral" || !strings.Contains(text, "Only staff may approve applications") {
				t.Errorf("refusal %s %v: %q", call.Method, call.Params["response_type"], text)
			}
		}
		if d := jConn(e, c.ID); d.Connection.Status != models.StatusApplying || d.Connection.Version != c.Version {
			t.Errorf("after refused presses: %s v%d, want Applying v%d", d.Connection.Status, d.Connection.Version, c.Version)
		}
		if n := len(jNotices(e, c.ID, models.NoticeApproved)); n != 0 {
			t.Errorf("%d approved notices", n)
		}
		// Reject is refused the same way, before any form opens.
		e.pressOn(customerUser, p, "Reject")
		if got := jResponses(e, 3); len(got) != 1 || !strings.Contains(got[0], "Only staff may reject applications") {
			t.Errorf("reject by customer: %q", got)
		}
		if n := len(e.slack.Calls("views.open")); n != 0 {
			t.Errorf("%d forms opened for a customer", n)
		}
	})
}

// Two Approve clicks at once: exactly one transition, one approved notice,
// one update in place; the loser is told who approved it.
func TestReviewTwoApprovesAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Hangzhou line 1", "Room 301")
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		b := jFind(t, p, "Approve")
		reqs := []*http.Request{e.pressRequest(staffUser, p.channel, p.ts, b), e.pressRequest(staffUser, p.channel, p.ts, b)}
		var wg sync.WaitGroup
		status := make([]int, len(reqs))
		start := make(chan struct{})
		for i, req := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return
				}
				status[i] = res.StatusCode
				_ = res.Body.Close()
			}()
		}
		close(start)
		wg.Wait()
		e.settle()
		for i, s := range status {
			if s != http.StatusOK {
				t.Errorf("click %d: HTTP %d", i, s)
			}
		}
		if n := jAudit(e, c.ID, models.ActionApprove); n != 1 {
			t.Errorf("%d approve events, want 1", n)
		}
		if n := len(jNotices(e, c.ID, models.NoticeApproved)); n != 1 {
			t.Errorf("%d approved notices, want 1", n)
		}
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusApproved {
			t.Errorf("status %s", s)
		}
		updates := e.slack.Calls("chat.update")
		if len(updates) != 1 {
			t.Fatalf("%d chat.update calls, want 1", len(updates))
		}
		u := updates[0]
		if u.Param("channel") != staffChannel || u.Param("ts") != p.ts {
			t.Errorf("updated %s/%s, want the review message %s/%s", u.Param("channel"), u.Param("ts"), staffChannel, p.ts)
		}
		if text := blocksText(u.Param("blocks")); !regexp.MustCompile(`Approved by <@`+staffUser+`> at \w{3} \d{1,2} \w{3} \d{2}:\d{2} CST`).MatchString(text) || strings.Contains(text, "<!date^") {
			t.Errorf("updated review message lacks who approved when:\n%s", text)
		}
		if bs := jButtons(u.Param("blocks")); len(bs) != 0 {
			t.Errorf("updated review message still has buttons %v", bs)
		}
		loser := jResponses(e, 0)
		if len(loser) != 1 || !strings.Contains(loser[0], "Already approved by <@"+staffUser+"> at <!date^") {
			t.Errorf("loser told %q, want one \"Already approved by\"", loser)
		}
		// The kept message in the fake is the updated one.
		for _, m := range e.slack.Messages(staffChannel) {
			if m.TS == p.ts && len(jButtons(string(m.Blocks))) != 0 {
				t.Error("the review message in the channel still has buttons")
			}
		}
	})
}

// Reject asks for the reason in a form, refuses an empty one under its
// field, then rejects and updates the review message in place; the customer
// reads the reason as typed.
func TestReviewRejectAsksReasonAndUpdatesInPlace(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Hangzhou line 1", "Room 301")
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		e.pressOn(staffUser, p, "Reject")
		v := e.jOpened()
		if v["callback_id"] != "ll_v_reject" {
			t.Fatalf("opened %v, want the reject form", v["callback_id"])
		}
		var m struct {
			Conn int64  `json:"conn"`
			Ch   string `json:"ch"`
			TS   string `json:"ts"`
		}
		if err := json.Unmarshal([]byte(v["private_metadata"].(string)), &m); err != nil || m.Conn != c.ID || m.Ch != staffChannel || m.TS != p.ts {
			t.Fatalf("form metadata %v (%v), want conn %d in %s at %s", v["private_metadata"], err, c.ID, staffChannel, p.ts)
		}
		jLimits(t, "reject form", blocksJSON(v), 100)

		errs := jAckErrors(t, e.jSubmitView(staffUser, v, map[string]slack.BlockAction{"reason": jText("   ")}))
		if !strings.Contains(errs["reason"], "Give a reason") {
			t.Errorf("empty reason: errors %v", errs)
		}
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusApplying {
			t.Fatalf("status after empty reason: %s", s)
		}

		reason := "<!channel> port *type* wrong, see https://evil.example"
		ack := e.jSubmitView(staffUser, v, map[string]slack.BlockAction{"reason": jText(reason)})
		if ack["response_action"] != "clear" {
			t.Fatalf("ack %v, want clear", ack)
		}
		e.settle()
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusRejected {
			t.Fatalf("status %s, want Rejected", s)
		}
		updates := e.slack.Calls("chat.update")
		if len(updates) != 1 || updates[0].Param("ts") != p.ts || updates[0].Param("channel") != staffChannel {
			t.Fatalf("chat.update calls %v, want one of the review message", methods(updates))
		}
		ub := updates[0].Param("blocks")
		if text := blocksText(ub); !strings.Contains(text, "Rejected by <@"+staffUser+">") {
			t.Errorf("updated review message:\n%s", text)
		}
		if len(jButtons(ub)) != 0 {
			t.Error("updated review message still has buttons")
		}
		jTyped(t, "updated review message", ub, reason)

		k.deliver()
		r := k.one(c.ID, models.NoticeRejected, customerChan)
		jTyped(t, "rejected notice", r.blocks, reason)
		jWantButtons(t, "rejected notice", r.blocks, "Edit and Resubmit")
		if text := blocksText(r.blocks); !strings.Contains(text, "rejected by <@"+staffUser+">") {
			t.Errorf("rejected notice:\n%s", text)
		}

		// Approving it now says who rejected it.
		e.pressOn(staffUser, p, "Approve")
		if got := jResponses(e, 0); len(got) != 1 || !strings.Contains(got[0], "Already rejected by <@"+staffUser+">") {
			t.Errorf("approve after reject: %q", got)
		}
	})
}

// Approve from a message that is not a review card (a list) approves
// without replacing that message.
func TestReviewApproveElsewhereLeavesTheMessage(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		c := jApply(e, "Hangzhou line 1", "Room 301")
		e.press(staffUser, staffChannel, "ll_approve", itoa(c.ID))
		e.settle()
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusApproved {
			t.Fatalf("status %s", s)
		}
		if n := len(e.slack.Calls("chat.update")) + len(e.slack.Calls("response_url")); n != 0 {
			t.Errorf("%d updates of a message that is not a review card: %v", n, methods(e.slack.Calls("")))
		}
	})
}
