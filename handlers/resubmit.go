package handlers

import (
	"context"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Edit and Resubmit: the button on a Rejected application opens the apply
// form prefilled with the rejected values, the rejection reason shown;
// submitting it runs every rule again (store.Resubmit) and the
// application is Applying again.

const actResubmit = "ll_resubmit" // customer: opens the apply form prefilled

// pressResubmit opens the apply form with the rejected application's
// values.
func (a *App) pressResubmit(ctx context.Context, p press) {
	w := a.forUser(ctx, p.cb.User.ID)
	d, ok := a.pressDetail(ctx, p, models.ActionResubmit)
	if !ok {
		return
	}
	c := &d.Connection
	state := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		blkApplyName: {actApplyInput: {Value: c.Name}},
		blkApplyBW:   {actApplyInput: {Value: strconv.Itoa(c.BandwidthMbps)}},
		blkApplyLoc:  {actApplyInput: {Value: c.Location}},
	}}
	v, err := a.applyView(ctx, w, p.actor, p.meta(), c.AccessPointID, state)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	ids := applyBlockIDs(decodeMeta(v.PrivateMetadata).Extra)
	red := redundancyNone
	if c.RedundantID != nil {
		red = connValue(*c.RedundantID)
	}
	chosen := map[string]string{ids[models.FieldProvider]: c.ProviderID, ids[models.FieldPortType]: string(c.PortType), ids[models.FieldRedundancy]: red}
	for _, b := range v.Blocks.BlockSet {
		in, ok := b.(*slack.InputBlock)
		if !ok {
			continue
		}
		if sel, ok := in.Element.(*slack.SelectBlockElement); ok && chosen[in.BlockID] != "" {
			for _, o := range sel.Options {
				if o.Value == chosen[in.BlockID] {
					sel.InitialOption = o
				}
			}
		}
	}
	ev := lastAction(d, models.ActionReject)
	reason := []slack.Block{
		slack.NewSectionBlock(md(":pencil2: "+w.T("forms.resubmit.intro", lang.Args{"Ref": models.ApplicationRef(c.ID), "ByAt": byAt(w, ev, d)})), nil, nil),
	}
	reason = append(reason, labelled(formField(w, "Reason"), c.Reason)...)
	v.Blocks.BlockSet = append(reason, v.Blocks.BlockSet...)
	v.Submit = plain(w.T("forms.resubmit.submit"))
	a.openModal(ctx, p, v)
}

// applyOrResubmit applies app, or resubmits application conn with it when
// the form was opened by Edit and Resubmit (conn > 0).
func (a *App) applyOrResubmit(ctx context.Context, actor models.Actor, conn int64, app models.Application, reply string) (*models.Connection, error) {
	if conn > 0 {
		return a.store.Resubmit(ctx, actor, conn, app)
	}
	return a.store.Apply(ctx, actor, app, reply)
}

// settleResubmitted shows, on the Rejected card Edit and Resubmit was
// pressed on, that it was resubmitted (nothing for a new application).
func (a *App) settleResubmitted(ctx context.Context, m meta, c *models.Connection, user string) {
	if m.Conn > 0 {
		w := a.cardPrinter(ctx, targetOfMeta(m))
		a.settle(ctx, targetOfMeta(m), c.ID, done(w, didWhat(w, models.ActionResubmit), c, user))
	}
}
