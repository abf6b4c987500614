package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Pay for Connection: a form with the amount and the balance; paying
// allocates the port and the physical connection ID in one transaction, or
// the form says why not and what to do.

// pressPay opens the payment form.
func (a *App) pressPay(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionPay, p.actor.Role); err != nil {
		a.failPress(ctx, p, err)
		return
	}
	balance, err := a.store.Balance(ctx, d.Connection.AccountID)
	if err != nil {
		a.failPress(ctx, p, fmt.Errorf("balance of account %d: %w", d.Connection.AccountID, err))
		return
	}
	a.openModal(ctx, p, payView(a.forUser(ctx, p.cb.User.ID), d, balance, "", p.meta()))
}

// payView is the payment form: what is paid for, the amount, the balance
// before and after; warning (mrkdwn) says why an attempt failed. p is the
// payer's language.
func payView(p lang.Printer, d *models.Detail, balance int64, warning string, m meta) slack.ModalViewRequest {
	c := &d.Connection
	var blocks []slack.Block
	if warning != "" {
		blocks = append(blocks, slack.NewSectionBlock(md(":warning: "+warning), nil, nil))
	}
	blocks = append(blocks, slack.NewSectionBlock(md(p.T("forms.pay.intro", lang.Args{
		"Ref": models.ApplicationRef(c.ID), "AccessPoint": esc(apName(p, d)), "Connecting": statusWord(p, models.StatusConnecting),
	})), nil, nil))
	after := balance - c.AmountCents
	fs := []fact{
		{label: p.T("forms.pay.amount"), value: "*" + p.Money(c.AmountCents, c.Currency) + "*", md: true},
		{label: p.T("forms.pay.balance"), value: p.Money(balance, c.Currency)},
		{label: p.T("forms.pay.balance_after"), value: p.Money(after, c.Currency)},
		{label: formField(p, models.FieldName), value: c.Name},
		{label: formField(p, models.FieldPortType), value: fmt.Sprintf("%s, %d Mbps", c.PortType, c.BandwidthMbps)},
	}
	if after < 0 {
		fs[2] = fact{label: p.T("forms.pay.balance_after"), value: p.T("forms.pay.short_by", lang.Args{"Amount": p.Money(-after, c.Currency)})}
	}
	blocks = append(blocks, factBlocks(fs)...)
	if after < 0 {
		blocks = append(blocks, slack.NewContextBlock("", md(p.T("forms.pay.top_up", lang.Args{"Amount": p.Money(-after, c.Currency)}))))
	}
	return modal(viewPay, p.T("forms.pay.title"), p.T("forms.pay.submit"), p.T("forms.close"), m, blocks)
}

// submitPay pays within the ack: on success the form shows the physical
// connection ID; a short balance, no free port or a payment made meanwhile
// keep the form open saying what to do.
func (a *App) submitPay(ctx context.Context, s submission) (any, func(context.Context)) {
	p := a.forUser(ctx, s.cb.User.ID)
	c, err := a.store.Pay(ctx, s.actor, s.meta.Conn)
	if err != nil {
		return a.payFailed(ctx, s, err), nil
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.pay.paid", lang.Args{
			"Amount": p.Money(c.AmountCents, c.Currency), "ID": pcID(c), "Port": esc(c.PortName), "Device": esc(c.DeviceID),
		})), nil, nil),
		slack.NewSectionBlock(md(statusLine(p, c)+p.T("forms.pay.paid_next")), nil, nil),
	}
	v := modal("ll_v_paid", p.T("forms.pay.paid_title"), "", p.T("forms.close"), meta{}, blocks)
	return slack.NewUpdateViewSubmissionResponse(&v), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(w, didWhat(w, models.ActionPay), c, s.actor.UserID))
	}
}

// payFailed keeps the payment form, with the reason on top.
func (a *App) payFailed(ctx context.Context, s submission, err error) any {
	p := a.forUser(ctx, s.cb.User.ID)
	msg := a.userMessage(ctx, p, a.explain(ctx, s.meta.Conn, err))
	d, derr := a.store.Detail(ctx, s.actor, s.meta.Conn)
	if derr != nil {
		return messageView(p, s.title(), ":warning: "+msg)
	}
	balance, berr := a.store.Balance(ctx, d.Connection.AccountID)
	if berr != nil || d.Connection.Status != models.StatusApproved {
		return messageView(p, s.title(), ":warning: "+msg)
	}
	v := payView(p, d, balance, msg, s.meta)
	return slack.NewUpdateViewSubmissionResponse(&v)
}
