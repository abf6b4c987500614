package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Submit Ticket: the construction ticket tells after-sales about the line
// the provider deploys. The form is prefilled from the survey (engineers
// masked) and takes a note; after-sales reads it in the staff channel
// (notice ticket_submitted) and the visit is booked on the next workday.

// pressTicket opens the construction ticket form.
func (a *App) pressTicket(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionSubmitTicket, p.actor.Role); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	a.openModal(ctx, p, ticketView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// ticketView is the construction ticket form.
func ticketView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.ticket.intro", lang.Args{
			"ID": pcID(c), "AccessPoint": esc(apName(p, d)), "Provider": esc(providerName(p, d)),
		})), nil, nil),
	}
	blocks = append(blocks, surveyBlocks(p, d.Survey, d)...)
	blocks = append(blocks, textInput("note", p.T("forms.ticket.note"), p.T("forms.ticket.note_hint"), 2000, true, true))
	return modal(viewTicket, p.T("forms.ticket.title"), p.T("forms.ticket.submit"), p.T("forms.close"), m, blocks)
}

// submitTicket records the ticket within the ack.
func (a *App) submitTicket(ctx context.Context, s submission) (any, func(context.Context)) {
	note := inputValue(s.cb, "note", "v")
	t, err := a.store.SubmitTicket(ctx, s.actor, s.meta.Conn, note, s.meta.Channel)
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Note": "note"}, "note"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		line := "✓ " + w.T("actions.done_line", lang.Args{"What": w.T("actions.did.ticket_submitted", lang.Args{"Ticket": t.ID}), "By": mention(s.actor.UserID), "At": when(t.CreatedAt)})
		a.settle(ctx, targetOfMeta(s.meta), s.meta.Conn, line)
	}
}
