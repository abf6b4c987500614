package handlers_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// postman delivers notices with the real delivery worker (cards recorded,
// settle notices carried out) against the fake Slack.
type postman struct {
	e *env
	w *bot.DeliveryWorker
}

func newPostman(e *env) *postman {
	client := bot.NewClient("xoxb-test", e.slack.APIURL(), nil)
	return &postman{e: e, w: bot.NewDeliveryWorker(e.store, client, e.app, bot.DeliveryConfig{
		Now: e.clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})}
}

// deliver delivers every due notice, settle notices included.
func (p *postman) deliver() {
	p.e.t.Helper()
	p.e.settle()
	for range 50 {
		n, err := p.w.DeliverDue(context.Background(), p.e.clock.Now())
		if err != nil {
			p.e.t.Fatalf("deliver: %v", err)
		}
		if n == 0 {
			return
		}
	}
	p.e.t.Fatal("notices keep coming")
}

// card is the message, as Slack keeps it now, of the one notice of kind
// to channel about connection id.
func (p *postman) card(id int64, kind models.NoticeKind, channel string) posted {
	p.e.t.Helper()
	var found []posted
	for _, n := range jNotices(p.e, id, kind) {
		if n.Channel != channel || n.SentTS == "" {
			continue
		}
		in := slackfake.PostedIn(channel) // a user's DM for a user ID
		for _, m := range p.e.slack.Messages(in) {
			if m.TS == n.SentTS {
				found = append(found, posted{notice: n, channel: in, ts: m.TS, blocks: string(m.Blocks), text: m.Text})
			}
		}
	}
	if len(found) != 1 {
		p.e.t.Fatalf("%d %s messages in %s for connection %d, want 1", len(found), kind, channel, id)
	}
	return found[0]
}

// updated counts the chat.update calls on message p.
func updated(e *env, p posted) int {
	n := 0
	for _, c := range e.slack.Calls("chat.update") {
		if c.Param("channel") == p.channel && c.Param("ts") == p.ts {
			n++
		}
	}
	return n
}

// The review card, once decided, says who decided it and when in its
// header; the customer's "Pay for Connection" card of an application
// canceled meanwhile is settled in place, and its stale button still
// answers who canceled it and changes nothing.
func TestStaleCardsReviewAndPay(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		c := jApply(e, "Hangzhou line 1", "Room 301")
		pm.deliver()
		review := pm.card(c.ID, models.NoticeReviewRequest, staffChannel)
		e.pressOn(staffUser, review, "Approve")
		pm.deliver()
		review = pm.card(c.ID, models.NoticeReviewRequest, staffChannel)
		text := blocksText(review.blocks)
		if want := models.ApplicationRef(c.ID) + " — Approved by <@" + staffUser + ">"; !strings.Contains(text, want) || strings.Contains(text, "to review") {
			t.Errorf("decided review card lacks %q:\n%s", want, text)
		}
		jWantButtons(t, "decided review", review.blocks)

		approved := pm.card(c.ID, models.NoticeApproved, customerChan)
		jWantButtons(t, "approved", approved.blocks, "Pay for Connection (CNY 2,500.00)", "Cancel")
		_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionCancel, Reason: "budget"})
		jStep(e, "cancel", err)
		pm.deliver()
		now := pm.card(c.ID, models.NoticeApproved, customerChan)
		if updated(e, approved) != 1 {
			t.Errorf("approved card updated %d times, want 1", updated(e, approved))
		}
		jWantButtons(t, "approved card after cancel", now.blocks)
		if text := blocksText(now.blocks); strings.Contains(text, "Pay for Connection") || !strings.Contains(text, "Canceled") {
			t.Errorf("approved card after cancel:\n%s", text)
		}

		// The stale button, pressed on a copy a race left behind.
		version := jConn(e, c.ID).Connection.Version
		n := len(e.slack.Calls("response_url"))
		e.pressOn(customerUser, approved, "Pay for Connection")
		if got := jResponses(e, n); len(got) != 1 || !strings.Contains(got[0], "Already canceled by <@"+customerUser+">") {
			t.Errorf("stale Pay: told %q", got)
		}
		if v := jConn(e, c.ID).Connection.Version; v != version {
			t.Errorf("stale Pay changed the connection: v%d -> v%d", version, v)
		}

		// Nothing more to settle: another delivery updates nothing.
		calls := len(e.slack.Calls("chat.update"))
		err = e.store.Credit(ctx, jStaff, e.acme.ID, 100, "top-up")
		jStep(e, "credit", err)
		pm.deliver()
		if got := len(e.slack.Calls("chat.update")); got != calls {
			t.Errorf("%d more chat.update calls with nothing to settle", got-calls)
		}
	})
}

// An application that expires unpaid no longer offers Pay for Connection.
func TestStaleCardsExpired(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		c := jApply(e, "Hangzhou line 1", "Room 301")
		_, err := e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
		jStep(e, "approve", err)
		pm.deliver()
		approved := pm.card(c.ID, models.NoticeApproved, customerChan)
		jWantButtons(t, "approved", approved.blocks, "Pay for Connection (CNY 2,500.00)", "Cancel")
		_, err = e.store.Act(ctx, models.SystemActor(), c.ID, models.ActInput{Action: models.ActionExpire, Reason: "not paid in time"})
		jStep(e, "expire", err)
		pm.deliver()
		now := pm.card(c.ID, models.NoticeApproved, customerChan)
		jWantButtons(t, "approved card after expiry", now.blocks)
		if text := blocksText(now.blocks); strings.Contains(text, "Pay for Connection") || !strings.Contains(text, "not paid in time") {
			t.Errorf("approved card after expiry:\n%s", text)
		}
		review := pm.card(c.ID, models.NoticeReviewRequest, staffChannel)
		jWantButtons(t, "review after expiry", review.blocks)
	})
}

// After Construction Complete, neither the provider's visit cards (booked,
// "Today: IDC visit") nor the staff thread copy offer it any more.
func TestStaleCardsConstructionComplete(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		pm := newPostman(e)
		c := jConnecting(e, "Hangzhou line 1")
		_, err := e.store.Act(ctx, jCustomer(e), c.ID, models.ActInput{Action: models.ActionNotifyProvider})
		jStep(e, "notify", err)
		_, err = e.store.SubmitSurvey(ctx, jProvider, c.ID, jSurvey(e, models.MaxEngineers))
		jStep(e, "survey", err)
		_, err = e.store.SubmitTicket(ctx, jCustomer(e), c.ID, "", "")
		jStep(e, "ticket", err)
		pm.deliver()
		v, _, err := e.store.BookVisit(ctx, jConn(e, c.ID).Ticket.ID, e.clock.Now())
		jStep(e, "book", err)
		pm.deliver()
		day, err := time.ParseInLocation("2006-01-02 15:04", v.Date+" 07:00", time.FixedZone("CST", 8*3600))
		jStep(e, "visit date", err)
		e.clock.Set(day)
		_, err = e.store.RemindReception(ctx, e.clock.Now())
		jStep(e, "remind", err)
		pm.deliver()
		booked := pm.card(c.ID, models.NoticeVisitScheduled, providerChan)
		today := pm.card(c.ID, models.NoticeVisitReminder, providerChan)
		staffCopy := pm.card(c.ID, models.NoticeVisitScheduled, staffChannel)
		for _, p := range []posted{booked, today, staffCopy} {
			jFind(t, p, "Construction Complete")
		}
		if !strings.Contains(blocksText(today.blocks), "Today: IDC visit") {
			t.Errorf("reminder:\n%s", blocksText(today.blocks))
		}

		e.pressOn(providerUser, today, "Construction Complete")
		if ack := e.jSubmitView(providerUser, e.jOpened(), map[string]slack.BlockAction{"line_code": jText("HZ-CT-0001"), "line_label": jText("HZ 01")}); ack["response_action"] != "clear" {
			t.Fatalf("complete: ack %v", ack)
		}
		pm.deliver()
		for _, p := range []posted{booked, today, staffCopy} {
			now := pm.card(c.ID, p.notice.Kind, p.channel)
			jLimits(t, "settled "+string(p.notice.Kind), now.blocks, 50)
			for _, b := range jButtonTexts(now.blocks) {
				if b == "Construction Complete" {
					t.Errorf("%s in %s still offers Construction Complete", p.notice.Kind, p.channel)
				}
			}
			if text := blocksText(now.blocks); !strings.Contains(text, string(models.StatusPendingConfirmation)) {
				t.Errorf("%s in %s lacks the status now:\n%s", p.notice.Kind, p.channel, text)
			}
		}
	})
}
