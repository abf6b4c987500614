package handlers

import (
	"context"

	"github.com/leaseline/leaseline/models"
)

// pressConfirm is the customer's Confirm: the connection becomes Enabled,
// and the customer, staff and the provider are told (notice enabled).
func (a *App) pressConfirm(ctx context.Context, p press) {
	a.actPress(ctx, p, models.ActionConfirm, a.settleDetail)
}
