package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// Cancel: the customer or staff end an application still Applying or
// Approved (nothing paid yet), with an optional reason.

// pressCancel opens the cancellation form.
func (a *App) pressCancel(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionCancel, p.actor.Role); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Cancel *%s* (%s, %s)? It is *%s* and nothing has been paid. Canceling ends the application for good; apply again to start over.",
			models.ApplicationRef(c.ID), esc(c.Name), esc(apName(d)), c.Status)), nil, nil),
		textInput("reason", "Reason", "Optional; shown to the customer and staff exactly as written.", 1000, true, true),
	}
	a.openModal(ctx, p, modal(viewCancel, "Cancel application", "Cancel application", "Keep it", p.meta(), blocks))
}

// submitCancel cancels within the ack.
func (a *App) submitCancel(ctx context.Context, s submission) (any, func(context.Context)) {
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, models.ActInput{Action: models.ActionCancel, Reason: inputValue(s.cb, "reason", "v")})
	if err != nil {
		if v := viewErrors(err, map[string]string{"Reason": "reason"}, "reason"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		line := done("Canceled", c, s.actor.UserID)
		a.settle(ctx, targetOfMeta(s.meta), c.ID, line)
		if c.ReviewTS != "" && c.ReviewTS != s.meta.MessageTS {
			a.settleReview(ctx, target{Channel: c.ReviewChannel, TS: c.ReviewTS}, c.ID, line, c.Reason)
		}
	}
}
