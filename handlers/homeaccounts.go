package handlers

// App Home of a customer: the connections of every account the person
// belongs to, each account under its own heading.

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// customerHome is a customer's App Home, within a view's 100 blocks: one
// heading per account, its connections newest first.
func (a *App) customerHome(ctx context.Context, p lang.Printer, actor models.Actor) ([]slack.Block, error) {
	ids := actor.Accounts()
	accts := make([]*models.Account, 0, len(ids))
	for _, id := range ids {
		acct, err := a.store.Account(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load account: %w", err)
		}
		accts = append(accts, acct)
	}
	title, intro := "leaseline · "+accts[0].Name, p.T("home.customer_intro")
	if len(accts) > 1 {
		title = "leaseline"
		intro = p.N("home.customer_intro_accounts", len(accts), lang.Args{"Apply": p.T("home.button_apply"), "Account": esc(accts[0].Name)})
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(title, 150))),
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actApply, "", p.T("home.button_apply"), slack.StylePrimary),
			button(actEnquire, "", p.T("home.button_enquire"), ""),
			button(actAccessPoints, "", p.T("home.button_access_points"), ""),
			button(actHomeRefresh, "", p.T("home.button_refresh"), ""),
		),
		slack.NewDividerBlock(),
	}
	for i, acct := range accts {
		one := models.Actor{UserID: actor.UserID, Role: models.RoleCustomer, AccountID: acct.ID}
		rows, err := a.store.List(ctx, one, homeLoad)
		if err != nil {
			return nil, fmt.Errorf("list connections: %w", err)
		}
		if len(accts) > 1 {
			if len(blocks)+2 > maxViewBlocks {
				break
			}
			blocks = append(blocks, slack.NewHeaderBlock(plain(truncate(acct.Name, 150))))
		}
		if len(rows) == 0 {
			blocks = append(blocks, section(p.T("home.customer_empty", lang.Args{"Apply": p.T("home.button_apply")})))
			continue
		}
		// Each account keeps room for those after it.
		limit := maxViewBlocks - 2*(len(accts)-1-i)
		blocks = addCards(blocks, homeCards(p, rows, actor.Role), limit,
			p.T("home.customer_more"))
	}
	return blocks, nil
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
