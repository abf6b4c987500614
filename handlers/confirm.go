package handlers

import (
	"context"

	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// pressConfirm is the customer's Confirm: the connection becomes Enabled,
// and the customer, staff and the provider are told (notice enabled).
func (a *App) pressConfirm(ctx context.Context, p press) {
	c, err := a.store.Act(ctx, p.actor, p.conn, store.ActInput{Action: models.ActionConfirm})
	if err != nil {
		if line, ok := replayedDone(ctx, p, err, "Confirmed"); ok {
			a.settle(ctx, p.target, p.conn, line)
			return
		}
		a.failPress(ctx, p, err)
		return
	}
	a.nudged()
	a.settle(ctx, p.target, c.ID, done("Confirmed", c, p.actor.UserID))
}
