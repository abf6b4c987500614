package handlers

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// cmdVisits is `/leaseline visits [YYYY-MM-DD|ACCESS-POINT]` (staff): the
// booked IDC visits from today on, on a date, or at an access point (its
// ID or name).
func (a *App) cmdVisits(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	a.visits(ctx, a.forUser(ctx, cmd.UserID), cmd, rest)
}

// visits is cmdVisits answering in p's language.
func (a *App) visits(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, rest string) {
	if _, ok := a.staffActor(ctx, cmd); !ok {
		return
	}
	arg := strings.TrimSpace(rest)
	q := models.VisitQuery{From: a.cfg.Now().AddDate(0, 0, -1).UTC().Format("2006-01-02")}
	heading := p.T("commands.visits.from_today")
	switch {
	case arg == "":
	case isDate(arg):
		q = models.VisitQuery{Date: arg}
		heading = p.T("commands.visits.on_date", lang.Args{"Date": arg})
	default:
		ap, err := a.findAccessPoint(ctx, arg)
		if err != nil {
			a.cmdFail(ctx, cmd, err)
			return
		}
		q.AccessPointID = ap.ID
		heading = p.T("commands.visits.at_ap", lang.Args{"AccessPoint": named(p, ap.Name, ap.NameZh)})
	}
	rows, err := a.store.BookedVisits(ctx, q)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, visitListBlocks(p, heading, rows))
}

func isDate(s string) bool {
	_, err := models.ParseDate(s)
	return err == nil
}

// findAccessPoint finds an access point by ID or name (case-insensitive).
func (a *App) findAccessPoint(ctx context.Context, ref string) (*models.AccessPoint, error) {
	if ap, err := a.store.AccessPoint(ctx, ref); err == nil {
		return ap, nil
	}
	aps, err := a.store.AccessPoints(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("load access points: %w", err)
	}
	for i := range aps {
		if strings.EqualFold(aps[i].Name, ref) || strings.EqualFold(aps[i].ID, ref) {
			return &aps[i], nil
		}
	}
	return nil, fmt.Errorf("access point %q: %w", ref, models.ErrNotFound)
}

// visitListBlocks lists booked visits, one section each (at most 45).
func visitListBlocks(p lang.Printer, heading string, rows []models.VisitListing) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncate(heading, 150)))}
	if len(rows) == 0 {
		return append(blocks, section(p.T("commands.visits.none")))
	}
	const most = 45
	for i, r := range rows {
		if i == most {
			blocks = append(blocks, contextText(p.T("commands.visits.more", lang.Args{"More": len(rows) - most})))
			break
		}
		conn := models.ApplicationRef(r.ConnectionID)
		if r.PhysicalConnectionID != nil {
			conn = "`" + *r.PhysicalConnectionID + "`"
		}
		blocks = append(blocks, slack.NewSectionBlock(nil, []*slack.TextBlockObject{
			md(fmt.Sprintf("*%s* %s", esc(r.Date), esc(r.Window))),
			md(fmt.Sprintf("*%s*\n%s", esc(cmp.Or(named(p, r.IDCName, r.IDCNameZh), named(p, r.AccessPointName, r.AccessPointNameZh))), esc(named(p, r.AccessPointName, r.AccessPointNameZh)))),
			md("*" + p.T("commands.visits.connection") + "* " + conn),
			md("*" + p.T("commands.visits.provider") + "* " + esc(named(p, r.ProviderName, r.ProviderNameZh))),
			md("*" + p.T("commands.visits.reception") + "* " + esc(cmp.Or(r.ReceptionName, "—"))),
			md(fmt.Sprintf("*%s* %d", p.T("commands.visits.visitors"), r.Visitors)),
		}, nil))
	}
	return blocks
}
