package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

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
	a.openModal(ctx, p, payView(d, balance, "", p.meta()))
}

// payView is the payment form: what is paid for, the amount, the balance
// before and after; warning (mrkdwn) says why an attempt failed.
func payView(d *models.Detail, balance int64, warning string, m meta) slack.ModalViewRequest {
	c := &d.Connection
	var blocks []slack.Block
	if warning != "" {
		blocks = append(blocks, slack.NewSectionBlock(md(":warning: "+warning), nil, nil))
	}
	blocks = append(blocks, slack.NewSectionBlock(md(fmt.Sprintf(
		"Pay for *%s* from your prepaid balance. The system then allocates a port on a physical access device at %s and a physical connection ID, and the status becomes *Connecting*.",
		models.ApplicationRef(c.ID), esc(apName(d)))), nil, nil))
	after := balance - c.AmountCents
	fs := []fact{
		{label: "Amount", value: "*" + models.FormatMoney(c.AmountCents, c.Currency) + "*", md: true},
		{label: "Balance", value: models.FormatMoney(balance, c.Currency)},
		{label: "Balance after payment", value: models.FormatMoney(after, c.Currency)},
		{label: models.FieldName, value: c.Name},
		{label: models.FieldPortType, value: fmt.Sprintf("%s, %d Mbps", c.PortType, c.BandwidthMbps)},
	}
	if after < 0 {
		fs[2] = fact{label: "Balance after payment", value: "short by " + models.FormatMoney(-after, c.Currency)}
	}
	blocks = append(blocks, factBlocks(fs)...)
	if after < 0 {
		blocks = append(blocks, slack.NewContextBlock("", md(fmt.Sprintf(
			"Your balance does not cover the amount: ask the operator to top up at least *%s*, then pay.", models.FormatMoney(-after, c.Currency)))))
	}
	return modal(viewPay, "Pay for Connection", "Pay", "Close", m, blocks)
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
		slack.NewSectionBlock(md(fmt.Sprintf("Paid *%s*. Your physical connection ID is `%s`, on port *%s* of device *%s*.",
			models.FormatMoney(c.AmountCents, c.Currency), pcID(c), esc(c.PortName), esc(c.DeviceID))), nil, nil),
		slack.NewSectionBlock(md(statusLine(p, c)+". The message leaseline posts in your channel has *View* and *Notify Provider*."), nil, nil),
	}
	v := modal("ll_v_paid", "Paid", "", "Close", meta{}, blocks)
	return slack.NewUpdateViewSubmissionResponse(&v), func(ctx context.Context) {
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done("Paid", c, s.actor.UserID))
	}
}

// payFailed keeps the payment form, with the reason on top.
func (a *App) payFailed(ctx context.Context, s submission, err error) any {
	p := a.forUser(ctx, s.cb.User.ID)
	msg := a.userMessage(ctx, p, a.explain(ctx, s.meta.Conn, err))
	d, derr := a.store.Detail(ctx, s.actor, s.meta.Conn)
	if derr != nil {
		return messageView(s.title(), ":warning: "+msg)
	}
	balance, berr := a.store.Balance(ctx, d.Connection.AccountID)
	if berr != nil || d.Connection.Status != models.StatusApproved {
		return messageView(s.title(), ":warning: "+msg)
	}
	v := payView(d, balance, msg, s.meta)
	return slack.NewUpdateViewSubmissionResponse(&v)
}
