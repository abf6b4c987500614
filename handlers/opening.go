package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// applicationsOpen refuses an application while no access point takes
// them: with no catalog loaded (or every access point full or disabled)
// the customer is told applications are not open yet, instead of a form
// with nothing to choose.
func (a *App) applicationsOpen(ctx context.Context) error {
	aps, err := a.store.AccessPoints(ctx, "")
	if err != nil {
		return fmt.Errorf("list access points: %w", err)
	}
	for _, ap := range aps {
		if ap.Status.Open() {
			return nil
		}
	}
	return &models.RuleError{Rule: "applications-open", Message: "Applications are not open yet: no access point takes applications at the moment. Staff have been told; please try again later."}
}

// reviewPromise is the sentence promising the review date by; "" (the date
// falls past the region's calendar horizon, known_until, whose holidays
// are not known yet) promises none.
func reviewPromise(by, region string) string {
	if by == "" {
		return "The region's calendar does not reach the next workday yet, so no review date can be promised; staff have been asked to extend it."
	}
	if region != "" {
		region = " (the next workday in " + esc(region) + ")"
	}
	return fmt.Sprintf("Review normally completes by *%s*%s.", by, region)
}

// staffBanner is the warning at the top of staff's App Home when the
// operator must act on the catalog (none loaded, or an example), or nil.
func (a *App) staffBanner(ctx context.Context) []slack.Block {
	if a.cfg.CatalogWarning == nil {
		return nil
	}
	w := a.cfg.CatalogWarning(ctx)
	if w == "" {
		return nil
	}
	return []slack.Block{section(":warning: *Operator action needed:* " + w), slack.NewDividerBlock()}
}
