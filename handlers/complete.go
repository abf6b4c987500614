package handlers

import (
	"cmp"
	"context"
	"fmt"

	"github.com/slack-go/slack"

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
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Report the construction of `%s` at %s done. The customer then checks the line and confirms it; the connection becomes *Enabled*.",
			pcID(c), esc(cmp.Or(d.AccessPoint.IDCName, apName(d))))), nil, nil),
		textInput("line_code", "Line code", "The code the provider gives to the line.", 64, false, false),
		textInput("line_label", "Line label", "The label on the line at the IDC.", 64, false, false),
	}
	a.openModal(ctx, p, modal(viewComplete, "Construction Complete", "Report complete", "Close", p.meta(), blocks))
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
		if v := viewErrors(err, map[string]string{"Line code": "line_code", "Line label": "line_label"}, "line_code"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done("Construction reported complete", c, s.actor.UserID))
	}
}
