package handlers

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

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
		a.failPress(ctx, p, &models.RuleError{Rule: "bandwidth-pending", Message: fmt.Sprintf("A change to %d Mbps already awaits staff's review.", c.RequestedMbps)})
		return
	}
	hint := "The new bandwidth in Mbps."
	if o, ok := d.AccessPoint.Offer(c.PortType); ok {
		hint = fmt.Sprintf("%s here carries %d to %d Mbps.", c.PortType, max(o.MinMbps, models.MinBandwidthMbps), min(o.MaxMbps, c.PortType.CapacityMbps()))
		if o.MbpsPriceCents > 0 {
			hint += fmt.Sprintf(" Each Mbps more costs %s from your prepaid balance; each Mbps less is refunded.", models.FormatMoney(o.MbpsPriceCents, o.Currency))
		}
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf("Change the bandwidth of `%s` (%s), now *%d Mbps*. Staff review the change; the line stays *Enabled* meanwhile, and the price difference is charged or refunded when they approve it.",
			pcID(c), esc(c.Name), c.BandwidthMbps)), nil, nil),
		textInput(blockBandwidth, models.FieldBandwidth, hint, 32, false, false),
	}
	a.openModal(ctx, p, modal(viewBandwidth, "Change Bandwidth", "Ask for it", "Close", p.meta(), blocks))
}

// submitBandwidth asks for the new bandwidth within the ack.
func (a *App) submitBandwidth(ctx context.Context, s submission) (any, func(context.Context)) {
	mbps, err := models.ParseBandwidth(inputValue(s.cb, blockBandwidth, "v"))
	if err == nil {
		_, err = a.store.RequestBandwidth(ctx, s.actor, s.meta.Conn, mbps)
	}
	if err != nil {
		if v := viewErrors(err, map[string]string{models.FieldBandwidth: blockBandwidth}, blockBandwidth); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return messageView(s.title(), fmt.Sprintf("Asked for *%d Mbps*. Staff review it; you hear in this channel when they decide. The line stays *Enabled*.", mbps)), nil
}

// pressBandwidthApprove approves the pending change, as staff.
func (a *App) pressBandwidthApprove(ctx context.Context, p press) {
	c, err := a.store.DecideBandwidth(ctx, p.actor, p.conn, true, "")
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	a.settle(ctx, p.target, c.ID, done(fmt.Sprintf("Bandwidth change to %d Mbps approved", c.BandwidthMbps), c, p.actor.UserID))
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
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf("Reject the change of `%s` from %d to *%d Mbps*? The line keeps its bandwidth and nothing is charged.", pcID(c), c.BandwidthMbps, c.RequestedMbps)), nil, nil),
		textInput(blockBandwidthNote, "Reason", "Required; shown to the customer exactly as written.", 1000, true, false),
	}
	a.openModal(ctx, p, modal(viewBandwidthNo, "Reject bandwidth", "Reject", "Close", p.meta(), blocks))
}

// submitBandwidthReject rejects the pending change within the ack.
func (a *App) submitBandwidthReject(ctx context.Context, s submission) (any, func(context.Context)) {
	c, err := a.store.DecideBandwidth(ctx, s.actor, s.meta.Conn, false, inputValue(s.cb, blockBandwidthNote, "v"))
	if err != nil {
		if v := viewErrors(err, map[string]string{"Reason": blockBandwidthNote}, blockBandwidthNote); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done("Bandwidth change rejected", c, s.actor.UserID))
	}
}

// bandwidthNotice renders the bandwidth notices of r; ok is false for
// other kinds.
func bandwidthNotice(r *noticeRender) (title, intro string, body []slack.Block, buttons []slack.Block, ok bool) {
	p := r.p
	c := &r.d.Connection
	data := noticeData[models.BandwidthNoticeData](r.n)
	price := ""
	if data.Amount != "" {
		price = map[bool]string{false: " It costs *%s* from the prepaid balance.", true: " *%s* is refunded to the prepaid balance."}[data.Refund]
		price = fmt.Sprintf(price, esc(data.Amount))
	}
	switch r.n.Kind {
	case models.NoticeBandwidthRequested:
		title = "Bandwidth change to review"
		intro = fmt.Sprintf("%s asks to change `%s` from %d to *%d Mbps*.%s The line stays *Enabled*.",
			who(lastAction(r.d, models.ActionChangeBandwidth), "The customer"), pcID(c), data.FromMbps, data.ToMbps, price)
		if bandwidthPending(r.d, r.to) {
			buttons = []slack.Block{slack.NewActionBlock(cardBlockID(c.ID),
				button(actBandwidthOK, connValue(c.ID), "Approve", slack.StylePrimary),
				button(actBandwidthNo, connValue(c.ID), "Reject", slack.StyleDanger))}
		}
	case models.NoticeBandwidthChanged:
		title = "Bandwidth changed"
		intro = fmt.Sprintf("`%s` now has *%d Mbps* (was %d Mbps): %s approved the change%s.%s",
			pcID(c), data.ToMbps, data.FromMbps, who(lastAction(r.d, models.ActionApproveBandwidth), "staff"), at(p, lastAction(r.d, models.ActionApproveBandwidth), r.d),
			strings.Replace(strings.Replace(price, "costs", "cost", 1), "is refunded", "was refunded", 1))
	case models.NoticeBandwidthRejected:
		title = "Bandwidth change rejected"
		intro = fmt.Sprintf("The change of `%s` to %d Mbps was rejected%s. The line keeps %d Mbps and nothing was charged.",
			pcID(c), data.ToMbps, byAt(p, lastAction(r.d, models.ActionRejectBandwidth), r.d), data.FromMbps)
		body = labelled("Reason", data.Reason)
	case models.NoticeBandwidthShort:
		title = "Top up to change the bandwidth"
		intro = fmt.Sprintf("Staff approved the change of `%s` to %d Mbps, but it costs *%s* and the prepaid balance is short: top up *%s*, then staff approve it again. Nothing has changed; the line keeps %d Mbps.",
			pcID(c), data.ToMbps, esc(data.Amount), esc(data.TopUp), data.FromMbps)
	default:
		return "", "", nil, nil, false
	}
	return title, intro, body, buttons, true
}
