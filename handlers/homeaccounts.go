package handlers

// App Home of a customer: the connections of every account the person
// belongs to, each account under its own heading.

import (
	"context"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// customerHome is a customer's App Home, within a view's 100 blocks: one
// heading per account, one page of its connections newest first, with its
// own page buttons (an account's pages do not move the others').
func (a *App) customerHome(ctx context.Context, p lang.Printer, actor models.Actor, st homeState) ([]slack.Block, homeState, error) {
	ids := actor.Accounts()
	accts := make([]*models.Account, 0, len(ids))
	for _, id := range ids {
		acct, err := a.store.Account(ctx, id)
		if err != nil {
			return nil, nil, fmt.Errorf("load account: %w", err)
		}
		accts = append(accts, acct)
	}
	title, intro := "leaseline · "+accts[0].Name, p.T("home.customer_intro")
	if len(accts) > 1 {
		title = "leaseline"
		intro = p.N("home.customer_intro_accounts", len(accts), lang.Args{"Apply": p.T("home.button_apply"), "Account": esc(accts[0].Name)})
	}
	// Each account has a heading and its page buttons; the connections
	// share what remains (three blocks each).
	const top = 4
	room := maxViewBlocks - top - len(accts)*(1+homeNavBlocks)
	size := min(homePageSize, max(room/(3*len(accts)), 1))
	type part struct {
		acct       *models.Account
		key        string
		rows       []models.Connection
		at         homeAt
		prev, next bool
	}
	parts := make([]part, 0, len(accts))
	shown := homeState{}
	for _, acct := range accts {
		one := models.Actor{UserID: actor.UserID, Role: models.RoleCustomer, AccountID: acct.ID}
		key := strconv.FormatInt(acct.ID, 10)
		rows, at, prev, next, err := homePageOf(st, key, size, func(pg models.Page) ([]models.Connection, bool, error) {
			return a.store.ListPage(ctx, one, pg)
		})
		if err != nil {
			return nil, nil, fmt.Errorf("list connections: %w", err)
		}
		parts = append(parts, part{acct, key, rows, at, prev, next})
		shown = shown.with(key, at)
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(title, 150))),
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actApply, "", p.T("home.button_apply"), slack.StylePrimary),
			button(actEnquire, "", p.T("home.button_enquire"), ""),
			button(actAccessPoints, "", p.T("home.button_access_points"), ""),
			button(actHomeRefresh, shown.String(), p.T("home.button_refresh"), ""),
		),
		slack.NewDividerBlock(),
	}
	for i, pt := range parts {
		// Each account keeps room for the headings of those after it.
		limit := maxViewBlocks - 2*(len(parts)-1-i)
		if len(parts) > 1 {
			if len(blocks)+2 > limit {
				blocks = append(blocks, contextText(p.T("home.customer_more")))
				break
			}
			blocks = append(blocks, slack.NewHeaderBlock(plain(truncate(pt.acct.Name, 150))))
		}
		if len(pt.rows) == 0 {
			blocks = append(blocks, section(p.T("home.customer_empty", lang.Args{"Apply": p.T("home.button_apply")})))
			continue
		}
		var n int
		blocks, n = addCards(blocks, homeCards(p, pt.rows, actor.Role), limit-homeNavBlocks)
		next := pt.next || n < len(pt.rows)
		blocks = append(blocks, homeNav(p, shown, pt.key, pt.at, pt.rows[:n], pt.prev && n > 0, next && n > 0, byID)...)
	}
	return blocks, shown, nil
}

// accountNames names the accounts a customer actor sees, by ID.
func (a *App) accountNames(ctx context.Context, actor models.Actor) (map[int64]string, error) {
	if actor.Role != models.RoleCustomer {
		return nil, nil
	}
	names := make(map[int64]string)
	for _, id := range actor.Accounts() {
		acct, err := a.store.Account(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load account: %w", err)
		}
		names[id] = acct.Name
	}
	return names, nil
}

// accountHeading puts an account's heading before card: a block of its
// own while the message keeps room for the rest (more blocks to come),
// else a first line of the card's text, within Block Kit's 50 blocks.
func accountHeading(blocks, card []slack.Block, name string, more int) []slack.Block {
	head := "*" + esc(name) + "*"
	if len(blocks)+1+more <= maxMessageBlocks {
		return append(blocks, section(head))
	}
	if s, ok := card[0].(*slack.SectionBlock); ok && s.Text != nil {
		s.Text.Text = head + " ›\n" + s.Text.Text
	}
	return blocks
}
