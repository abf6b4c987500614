package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Change Bandwidth: the customer's button on an Enabled line opens a form
// for the new bandwidth; staff get the request with Approve and Reject (a
// reason); the approval charges or refunds the catalog's price difference.
// The line stays Enabled.

const (
	actBandwidth       = "ll_bandwidth"   // customer: opens the Change Bandwidth form
	actBandwidthOK     = "ll_bw_approve"  // staff: approve the bandwidth change
	actBandwidthNo     = "ll_bw_reject"   // staff: opens the reason form
	viewBandwidth      = "ll_v_bandwidth" // the new bandwidth
	viewBandwidthNo    = "ll_v_bw_reject" // the rejection's reason
	blockBandwidth     = "bandwidth"      // the form's bandwidth input
	blockBandwidthNote = "reason"         // the rejection's reason input
)

// offered reports whether the button of action a belongs on c now, beyond
// what the lifecycle table allows: Change Bandwidth only while no request
// is pending.
func offered(a models.Action, c *models.Connection) bool {
	return a != models.ActionChangeBandwidth || c.RequestedMbps == 0
}

// bandwidthPending: staff's Approve and Reject of a bandwidth change are
// offered while the Enabled line has a change awaiting review (the
// connection's RequestedMbps, cleared by either decision).
func bandwidthPending(d *models.Detail, to recipient) bool {
	c := &d.Connection
	return to == toStaff && c.Status == models.StatusEnabled && c.RequestedMbps > 0
}

// pressBandwidth opens the Change Bandwidth form.
func (a *App) pressBandwidth(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionChangeBandwidth)
	if !ok {
		return
	}
	c := &d.Connection
	if c.RequestedMbps > 0 {
		a.failPress(ctx, p, &models.RuleError{Rule: "bandwidth-pending", Message: fmt.Sprintf("A change to %d Mbps already awaits staff's review.", c.RequestedMbps),
			Args: map[string]any{"Mbps": c.RequestedMbps}})
		return
	}
	a.openModal(ctx, p, bandwidthView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// bandwidthView is the Change Bandwidth form, in the reader's language p.
func bandwidthView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	hint := p.T("forms.bandwidth.hint")
	if o, ok := d.AccessPoint.Offer(c.PortType); ok {
		hint = p.T("forms.bandwidth.hint_range", lang.Args{"PortType": string(c.PortType), "Min": max(o.MinMbps, models.MinBandwidthMbps), "Max": min(o.MaxMbps, c.PortType.CapacityMbps())})
		if o.MbpsPriceCents > 0 {
			hint += p.T("forms.bandwidth.hint_price", lang.Args{"Price": p.Money(o.MbpsPriceCents, o.Currency)})
		}
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.bandwidth.intro", lang.Args{
			"ID": pcID(c), "Name": esc(c.Name), "Mbps": c.BandwidthMbps, "Enabled": statusWord(p, models.StatusEnabled),
		})), nil, nil),
		textInput(blockBandwidth, formField(p, models.FieldBandwidth), hint, 32, false, false),
	}
	return modal(viewBandwidth, p.T("forms.bandwidth.title"), p.T("forms.bandwidth.submit"), p.T("forms.close"), m, blocks)
}

// submitBandwidth asks for the new bandwidth within the ack.
func (a *App) submitBandwidth(ctx context.Context, s submission) (any, func(context.Context)) {
	p := a.forUser(ctx, s.cb.User.ID)
	mbps, err := models.ParseBandwidth(inputValue(s.cb, blockBandwidth, "v"))
	if err == nil {
		_, err = a.store.RequestBandwidth(ctx, s.actor, s.meta.Conn, mbps)
	}
	if err != nil {
		if v := viewErrors(p, err, map[string]string{models.FieldBandwidth: blockBandwidth}, blockBandwidth); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return messageView(p, s.title(), p.T("forms.bandwidth.asked", lang.Args{"Mbps": mbps, "Enabled": statusWord(p, models.StatusEnabled)})), nil
}

// pressBandwidthApprove approves the pending change, as staff.
func (a *App) pressBandwidthApprove(ctx context.Context, p press) {
	c, err := a.store.DecideBandwidth(ctx, p.actor, p.conn, true, "")
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	w := a.cardPrinter(ctx, p.target)
	a.settle(ctx, p.target, c.ID, done(w, w.T("actions.did.bandwidth_approved", lang.Args{"Mbps": c.BandwidthMbps}), c, p.actor.UserID))
}

// pressBandwidthReject opens the rejection's reason form.
func (a *App) pressBandwidthReject(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	c := &d.Connection
	if c.RequestedMbps == 0 {
		a.failPress(ctx, p, a.explain(ctx, c.ID, fmt.Errorf("no bandwidth change of %s awaits review: %w", c.DisplayID(), models.ErrWrongStatus)))
		return
	}
	w := a.forUser(ctx, p.cb.User.ID)
	blocks := []slack.Block{
		slack.NewSectionBlock(md(w.T("forms.bandwidth_reject.intro", lang.Args{"ID": pcID(c), "From": c.BandwidthMbps, "To": c.RequestedMbps})), nil, nil),
		textInput(blockBandwidthNote, formField(w, "Reason"), w.T("forms.bandwidth_reject.reason_hint"), 1000, true, false),
	}
	a.openModal(ctx, p, modal(viewBandwidthNo, w.T("forms.bandwidth_reject.title"), w.T("forms.bandwidth_reject.submit"), w.T("forms.close"), p.meta(), blocks))
}

// submitBandwidthReject rejects the pending change within the ack.
func (a *App) submitBandwidthReject(ctx context.Context, s submission) (any, func(context.Context)) {
	c, err := a.store.DecideBandwidth(ctx, s.actor, s.meta.Conn, false, inputValue(s.cb, blockBandwidthNote, "v"))
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Reason": blockBandwidthNote}, blockBandwidthNote); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(w, didWhat(w, models.ActionRejectBandwidth), c, s.actor.UserID))
	}
}

// bandwidthNotice renders the bandwidth notices of r; ok is false for
// other kinds.
func bandwidthNotice(r *noticeRender) (title, intro string, body []slack.Block, buttons []slack.Block, ok bool) {
	p := r.p
	c := &r.d.Connection
	data := noticeData[models.BandwidthNoticeData](r.n)
	// The price says the amount as the store wrote it (data.Amount): the
	// notice's data keeps no cents to format anew.
	price, priceDone := "", ""
	switch {
	case data.Amount != "" && data.Refund:
		price = p.T("actions.bandwidth.refunded", lang.Args{"Amount": esc(data.Amount)})
		priceDone = p.T("actions.bandwidth.was_refunded", lang.Args{"Amount": esc(data.Amount)})
	case data.Amount != "":
		price = p.T("actions.bandwidth.costs", lang.Args{"Amount": esc(data.Amount)})
		priceDone = p.T("actions.bandwidth.cost", lang.Args{"Amount": esc(data.Amount)})
	}
	enabled := statusWord(p, models.StatusEnabled)
	switch r.n.Kind {
	case models.NoticeBandwidthRequested:
		title = p.T("actions.bandwidth.requested_title")
		intro = p.T("actions.bandwidth.requested_intro", lang.Args{
			"Who": who(lastAction(r.d, models.ActionChangeBandwidth), p.T("actions.bandwidth.the_customer")), "ID": pcID(c),
			"From": data.FromMbps, "To": data.ToMbps, "Price": price, "Enabled": enabled,
		})
		if bandwidthPending(r.d, r.to) {
			buttons = []slack.Block{slack.NewActionBlock(cardBlockID(c.ID),
				button(actBandwidthOK, connValue(c.ID), p.T("actions.bandwidth.approve"), slack.StylePrimary),
				button(actBandwidthNo, connValue(c.ID), p.T("actions.bandwidth.reject"), slack.StyleDanger))}
		}
	case models.NoticeBandwidthChanged:
		title = p.T("actions.bandwidth.changed_title")
		intro = p.T("actions.bandwidth.changed_intro", lang.Args{
			"ID": pcID(c), "To": data.ToMbps, "From": data.FromMbps,
			"Who": who(lastAction(r.d, models.ActionApproveBandwidth), p.T("actions.bandwidth.staff")), "At": at(p, lastAction(r.d, models.ActionApproveBandwidth), r.d),
			"Price": priceDone,
		})
	case models.NoticeBandwidthRejected:
		title = p.T("actions.bandwidth.rejected_title")
		intro = p.T("actions.bandwidth.rejected_intro", lang.Args{
			"ID": pcID(c), "To": data.ToMbps, "ByAt": byAt(p, lastAction(r.d, models.ActionRejectBandwidth), r.d), "From": data.FromMbps,
		})
		body = labelled(formField(p, "Reason"), data.Reason)
	case models.NoticeBandwidthShort:
		title = p.T("actions.bandwidth.short_title")
		intro = p.T("actions.bandwidth.short_intro", lang.Args{
			"ID": pcID(c), "To": data.ToMbps, "Amount": esc(data.Amount), "TopUp": esc(data.TopUp), "From": data.FromMbps,
		})
	default:
		return "", "", nil, nil, false
	}
	return title, intro, body, buttons, true
}
