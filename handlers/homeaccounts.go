package handlers

// App Home of a customer: the connections of every account the person
// belongs to, each account under its own heading.

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// customerHome is a customer's App Home, within a view's 100 blocks: one
// heading per account, its connections newest first.
func (a *App) customerHome(ctx context.Context, actor models.Actor) ([]slack.Block, error) {
	p := a.forUser(ctx, actor.UserID)
	ids := actor.Accounts()
	accts := make([]*models.Account, 0, len(ids))
	for _, id := range ids {
		acct, err := a.store.Account(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("load account: %w", err)
		}
		accts = append(accts, acct)
	}
	title, intro := "leaseline · "+accts[0].Name, "Your account's connections, newest first: where each stands, who must act next, and your buttons for the next step."
	if len(accts) > 1 {
		title = "leaseline"
		intro = fmt.Sprintf("You are a user of %d accounts: each one's connections are under its name, newest first, with who must act next and your buttons for the next step. *Apply for New Interface* here applies for *%s*; apply from an account's channel panel to apply for another.", len(accts), esc(accts[0].Name))
	}
	blocks := []slack.Block{
		slack.NewHeaderBlock(plain(truncate(title, 150))),
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actApply, "", "Apply for New Interface", slack.StylePrimary),
			button(actEnquire, "", "Enquire", ""),
			button(actAccessPoints, "", "Access points", ""),
			button(actHomeRefresh, "", "Refresh", ""),
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
			blocks = append(blocks, section("No connections yet. Press *Apply for New Interface* to apply for one."))
			continue
		}
		// Each account keeps room for those after it.
		limit := maxViewBlocks - 2*(len(accts)-1-i)
		blocks = addCards(blocks, homeCards(p, rows, actor.Role), limit,
			"More connections than fit here: `/leaseline list` pages through all of them.")
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
