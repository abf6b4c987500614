package handlers

// App Home: each user's connections with their timeline (done / current /
// to come) and the buttons of their next step; staff see the queue that
// waits on them.

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// homeLoad is how many connections App Home reads; fewer fit in its 100
// blocks, and the list command pages through the rest.
const homeLoad = 60

func (a *App) homeOpened(_ context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Event == nil {
		return nil, nil
	}
	var user, tab string
	switch ev := req.Event.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		user, tab = ev.User, ev.Tab
	case slackevents.AppHomeOpenedEvent:
		user, tab = ev.User, ev.Tab
	default:
		return nil, nil
	}
	if user == "" || (tab != "" && tab != "home") {
		return nil, nil
	}
	team := req.Event.TeamID
	return nil, func(ctx context.Context) { a.publishHome(ctx, team, user) }
}

func (a *App) homeRefresh(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) { a.publishHome(ctx, teamOf(cb), cb.User.ID) }
}

// publishHome builds and publishes a user's App Home.
func (a *App) publishHome(ctx context.Context, team, user string) {
	p := a.forUser(ctx, user)
	blocks, err := a.homeBlocks(ctx, p, team, user)
	if err != nil {
		a.log.ErrorContext(ctx, "app home", "user", user, "err", err)
		blocks = []slack.Block{section(":warning: " + a.userMessage(ctx, p, err))}
	}
	_, err = a.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: user,
		View:   slack.HomeTabViewRequest{Type: slack.VTHomeTab, CallbackID: "ll_home", Blocks: slack.Blocks{BlockSet: capBlocks(p, blocks, maxViewBlocks)}},
	})
	if err != nil {
		a.log.ErrorContext(ctx, "publish app home", "user", user, "err", err)
	}
}

// homeBlocks is a user's App Home, within a view's 100 blocks.
func (a *App) homeBlocks(ctx context.Context, p lang.Printer, team, user string) ([]slack.Block, error) {
	actor, err := a.actor(ctx, team, "", user)
	switch {
	case isNoAccount(err):
		return []slack.Block{
			slack.NewHeaderBlock(plain("leaseline")),
			section(p.T("home.intro_no_account")),
			section(":information_source: " + a.userMessage(ctx, p, err)),
			slack.NewActionBlock("ll_home_top", button(actAccessPoints, "", p.T("home.button_access_points"), ""), button(actHomeRefresh, "", p.T("home.button_refresh"), "")),
		}, nil
	case err != nil:
		return nil, err
	}
	if actor.Role == models.RoleStaff {
		return a.staffHome(ctx, p, actor)
	}
	return a.customerHome(ctx, p, actor)
}

// staffHome is the queue waiting on staff, oldest first.
func (a *App) staffHome(ctx context.Context, p lang.Printer, actor models.Actor) ([]slack.Block, error) {
	queue, err := a.store.StaffQueue(ctx, homeLoad)
	if err != nil {
		return nil, fmt.Errorf("staff queue: %w", err)
	}
	intro := p.T("home.staff_nothing")
	if len(queue) > 0 {
		intro = p.T("home.staff_waiting", lang.Args{"Count": len(queue)})
		if len(queue) == homeLoad {
			intro = p.T("home.staff_waiting_more", lang.Args{"Count": len(queue)})
		}
	}
	blocks := append([]slack.Block{slack.NewHeaderBlock(plain(p.T("home.staff_title")))}, a.staffBanner(ctx, p)...)
	blocks = append(blocks,
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actAccessPoints, "", p.T("home.button_access_points"), ""),
			button(actHomeRefresh, "", p.T("home.button_refresh"), ""),
		),
		slack.NewDividerBlock(),
	)
	ports, err := a.inventoryGlance(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(ports) > 0 {
		blocks = append(append(blocks, ports...), slack.NewDividerBlock())
	}
	return addCards(blocks, homeCards(p, queue, actor.Role), maxViewBlocks,
		p.T("home.staff_more")), nil
}

// homeCards are connection cards with their timelines.
func homeCards(p lang.Printer, rows []models.Connection, role models.Role) [][]slack.Block {
	cards := make([][]slack.Block, 0, len(rows))
	for i := range rows {
		c := &rows[i]
		card := connectionBlocks(p, c, role, button(actShow, connValue(c.ID), p.T("home.button_details"), ""))
		cards = append(cards, append(card, contextText(timeline(p, c))))
	}
	return cards
}

// addCards appends whole cards while they fit in limit blocks, keeping one
// for a note when some do not.
func addCards(blocks []slack.Block, cards [][]slack.Block, limit int, more string) []slack.Block {
	for i, card := range cards {
		room := limit - len(blocks)
		if i < len(cards)-1 {
			room-- // keep one block for the note
		}
		if len(card) > room {
			return append(blocks, contextText(more))
		}
		blocks = append(blocks, card...)
	}
	return blocks
}
