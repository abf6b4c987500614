package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Construction Complete: the provider (in its channel) or staff report the
// line built, with its line code and label; the connection becomes Pending
// Confirmation and the customer is asked to confirm.

// pressComplete opens the completion form.
func (a *App) pressComplete(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionCompleteConstruction, p.actor.Role); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	a.openModal(ctx, p, completeView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// completeView is the Construction Complete form, in the reader's language p.
func completeView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.complete.intro", lang.Args{
			"ID": pcID(c), "IDC": esc(idcNamed(p, d)), "Enabled": statusWord(p, models.StatusEnabled),
		})), nil, nil),
		textInput("line_code", formField(p, "Line code"), p.T("forms.complete.line_code_hint"), 64, false, false),
		textInput("line_label", formField(p, "Line label"), p.T("forms.complete.line_label_hint"), 64, false, false),
	}
	return modal(viewComplete, p.T("forms.complete.title"), p.T("forms.complete.submit"), p.T("forms.close"), m, blocks)
}

// submitComplete reports the construction done within the ack.
func (a *App) submitComplete(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{
		Action:    models.ActionCompleteConstruction,
		LineCode:  inputValue(s.cb, "line_code", "v"),
		LineLabel: inputValue(s.cb, "line_label", "v"),
	}
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, in)
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Line code": "line_code", "Line label": "line_label"}, "line_code"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(w, didWhat(w, models.ActionCompleteConstruction), c, s.actor.UserID))
	}
}
