package store

import (
	"context"
	"strings"

	"gorm.io/gorm"

	"github.com/leaseline/leaseline/models"
)

// Resubmit amends Rejected application id with app, as its customer
// (Edit and Resubmit): every apply rule runs again (a broken one returns
// models.RuleErrors and changes nothing), the price is the catalog's for
// the amended port type, and the application is Applying again, staff
// asked to review it anew. The audit entry says what changed and the
// rejection it answers.
func (s *Store) Resubmit(ctx context.Context, actor models.Actor, id int64, app models.Application) (*models.Connection, error) {
	app.Name = strings.TrimSpace(app.Name)
	app.Location = strings.TrimSpace(app.Location)
	return s.apply(ctx, actor, id, models.ActionResubmit, func(tx *gorm.DB, c models.Connection, t models.Transition) (models.Effects, error) {
		ac, err := s.applyContext(tx, c.AccountID, app)
		if err != nil {
			return models.Effects{}, err
		}
		if errs := app.Validate(ac); len(errs) > 0 {
			return models.Effects{}, errs
		}
		detail := models.Amendment(c, app)
		if detail == "" {
			detail = "resubmitted unchanged"
		}
		if c.Reason != "" {
			detail += " (rejected: " + c.Reason + ")"
		}
		next := models.Amended(c, app)
		if offer, ok := ac.AccessPoint.Offer(app.PortType); ok {
			next.AmountCents, next.Currency = offer.PriceCents, offer.Currency
		}
		next.Reason = ""
		return models.Effects{Conn: models.Moved(next, t), Detail: detail, Notices: models.Tells(models.ActionResubmit)}, nil
	})
}
