package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// applicationsOpen refuses an application while no access point takes
// them: with no catalog loaded (or every access point full or disabled)
// the customer is told applications are not open yet, instead of a form
// with nothing to choose.
func (a *App) applicationsOpen(ctx context.Context, p lang.Printer) error {
	aps, err := a.store.AccessPoints(ctx, "")
	if err != nil {
		return fmt.Errorf("list access points: %w", err)
	}
	for _, ap := range aps {
		if ap.Status.Open() {
			return nil
		}
	}
	return &models.RuleError{Rule: "applications-open", Message: p.T("opening.not_open")}
}

// reviewPromise is the sentence promising the review date by; "" (the date
// falls past the region's calendar horizon, known_until, whose holidays
// are not known yet) promises none.
func reviewPromise(p lang.Printer, by, region string) string {
	if by == "" {
		return p.T("opening.no_promise")
	}
	if region != "" {
		return p.T("opening.promise_region", lang.Args{"Date": by, "Region": esc(region)})
	}
	return p.T("opening.promise", lang.Args{"Date": by})
}

// staffBanner is the warning at the top of staff's App Home when the
// operator must act on the catalog (none loaded, or an example), or nil.
func (a *App) staffBanner(ctx context.Context, p lang.Printer) []slack.Block {
	if a.cfg.CatalogWarning == nil {
		return nil
	}
	w := a.cfg.CatalogWarning(ctx)
	if w == "" {
		return nil
	}
	return []slack.Block{section(p.T("opening.operator_action", lang.Args{"Warning": w})), slack.NewDividerBlock()}
}
