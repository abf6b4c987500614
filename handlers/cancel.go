package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
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
	w := a.forUser(ctx, p.cb.User.ID)
	a.openModal(ctx, p, cancelView(w, d, p.meta()))
}

// cancelView is the cancellation form, in the reader's language p.
func cancelView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.cancel.intro", lang.Args{
			"Ref": models.ApplicationRef(c.ID), "Name": esc(c.Name), "AccessPoint": esc(apName(p, d)), "Status": statusWord(p, c.Status),
		})), nil, nil),
		textInput("reason", formField(p, "Reason"), p.T("forms.cancel.reason_hint"), 1000, true, true),
	}
	return modal(viewCancel, p.T("forms.cancel.title"), p.T("forms.cancel.submit"), p.T("forms.cancel.close"), m, blocks)
}

// submitCancel cancels within the ack.
func (a *App) submitCancel(ctx context.Context, s submission) (any, func(context.Context)) {
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, models.ActInput{Action: models.ActionCancel, Reason: inputValue(s.cb, "reason", "v")})
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Reason": "reason"}, "reason"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		line := done(w, didWhat(w, models.ActionCancel), c, s.actor.UserID)
		a.settle(ctx, targetOfMeta(s.meta), c.ID, line)
		if c.ReviewTS != "" && c.ReviewTS != s.meta.MessageTS {
			a.settleReview(ctx, target{Channel: c.ReviewChannel, TS: c.ReviewTS}, c.ID, line, c.Reason)
		}
	}
}
