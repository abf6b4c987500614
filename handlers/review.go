package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// The review in the staff channel: the review request shows the
// application with Approve and Reject; only staff may press them; after the
// decision the message is updated in place, its buttons gone.

// registerReview routes Approve, Reject and the reject reason form.
func (a *App) registerReview(r *bot.Router) {
	// Durable: Approve's work changes state after the ack and opens no
	// modal, so a press whose process died is replayed (bot.RunRecovery).
	r.DurableAction(actApprove, a.staffPress("approve", a.pressApprove))
	r.Action(actReject, a.staffPress("reject", a.pressReject))
	r.View(viewReject, a.onSubmit(a.submitReject))
}

// pressApprove approves the application. Of two clicks at once exactly one
// approves; the other is told who approved it and when.
func (a *App) pressApprove(ctx context.Context, p press) {
	a.actPress(ctx, p, models.ActionApprove, "Approved", func(ctx context.Context, t target, id int64, line string) {
		a.settleReview(ctx, t, id, line, "")
	})
}

// pressReject asks for the reason, which the customer reads.
func (a *App) pressReject(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionReject, p.actor.Role); err != nil {
		a.failPress(ctx, p, a.reviewDecided(d, err))
		return
	}
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(vmd(fmt.Sprintf("Reject application *%s* for %s at %s? The customer reads the reason, so say what to change to be approved.",
			models.ApplicationRef(c.ID), esc(c.Name), esc(apName(d)))), nil, nil),
		textInput("reason", "Reason", "Shown to the customer exactly as you write it.", 1000, true, false),
	}
	a.openModal(ctx, p, modal(viewReject, "Reject application", "Reject", "Close", p.meta(), blocks))
}

// reviewDecided turns "cannot reject an Approved connection" into who
// approved it and when.
func (a *App) reviewDecided(d *models.Detail, err error) error {
	if ev := lastEvent(d, func(ev models.AuditEvent) bool {
		return ev.FromStatus == models.StatusApplying && ev.ToStatus != models.StatusApplying
	}); ev != nil {
		return &models.AlreadyDoneError{Action: ev.Action, Status: ev.ToStatus, By: ev.Actor, At: ev.At}
	}
	return err
}

// submitReject rejects with the reason given, within the ack so that a
// missing reason shows under its field.
func (a *App) submitReject(ctx context.Context, s submission) (any, func(context.Context)) {
	reason := inputValue(s.cb, "reason", "v")
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, models.ActInput{Action: models.ActionReject, Reason: reason})
	if err != nil {
		if v := viewErrors(err, map[string]string{"Reason": "reason"}, "reason"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.settleReview(ctx, targetOfMeta(s.meta), c.ID, done("Rejected", c, s.actor.UserID), c.Reason)
	}
}

// settleReview updates the review message in place: the application as
// decided, no buttons, and who decided when (and why). Without a target it
// updates the review message the delivery recorded on the connection, if
// any.
func (a *App) settleReview(ctx context.Context, t target, id int64, line, reason string) {
	d, err := a.store.Detail(ctx, models.SystemActor(), id)
	if err != nil {
		a.log.ErrorContext(ctx, "load application to update its review message", "request_id", bot.RequestID(ctx), "connection", id, "err", err)
		return
	}
	if t.empty() && d.Connection.ReviewTS != "" {
		t = target{Channel: d.Connection.ReviewChannel, TS: d.Connection.ReviewTS}
	}
	if t.empty() {
		return
	}
	account := ""
	if acct, err := a.store.Account(ctx, d.Connection.AccountID); err == nil {
		account = acct.Name
	}
	blocks := a.reviewBlocks(ctx, d, account)
	blocks = append(blocks, slack.NewSectionBlock(vmd(line), nil, nil))
	blocks = append(blocks, labelled("Reason", reason)...)
	a.replace(ctx, t, blocks, fmt.Sprintf("Application %s is %s", models.ApplicationRef(id), d.Connection.Status))
}

// reviewBlocks shows an application to its reviewers: every field of the
// apply form as typed, the customer account, who applied when, the price,
// and the date by which the review normally completes. The buttons are the
// caller's.
func (a *App) reviewBlocks(ctx context.Context, d *models.Detail, account string) []slack.Block {
	c := &d.Connection
	intro := fmt.Sprintf("%s applied for a leased line at %s.", mention(c.AppliedBy), when(c.CreatedAt))
	if by, region, err := a.reviewBy(ctx, c); err == nil {
		intro += fmt.Sprintf(" Review by *%s* (the next workday in %s).", by, esc(region))
	} else {
		a.log.WarnContext(ctx, "review date", "request_id", bot.RequestID(ctx), "connection", c.ID, "err", err)
	}
	fs := connFacts(d, "")
	fs = append(fs,
		fact{label: "Customer account", value: account},
		fact{label: "Price", value: models.FormatMoney(c.AmountCents, c.Currency)},
	)
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(fmt.Sprintf("Application %s to review", models.ApplicationRef(c.ID)))),
		slack.NewSectionBlock(vmd(intro), nil, nil),
	}
	blocks = append(blocks, factBlocks(fs)...)
	return append(blocks, slack.NewContextBlock("", vmd(statusLine(c))))
}
