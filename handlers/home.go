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
	blocks, err := a.homeBlocks(ctx, team, user)
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
func (a *App) homeBlocks(ctx context.Context, team, user string) ([]slack.Block, error) {
	p := a.forUser(ctx, user)
	actor, err := a.actor(ctx, team, "", user)
	switch {
	case isNoAccount(err):
		return []slack.Block{
			slack.NewHeaderBlock(plain("leaseline")),
			section("Leased lines from your IDC to the cloud, self-service: apply, pay, coordinate the provider and the IDC visit, confirm, with every step saying who must act next."),
			section(":information_source: " + a.userMessage(ctx, p, err)),
			slack.NewActionBlock("ll_home_top", button(actAccessPoints, "", "Access points", ""), button(actHomeRefresh, "", "Refresh", "")),
		}, nil
	case err != nil:
		return nil, err
	}
	if actor.Role == models.RoleStaff {
		return a.staffHome(ctx, actor)
	}
	return a.customerHome(ctx, actor)
}

// staffHome is the queue waiting on staff, oldest first.
func (a *App) staffHome(ctx context.Context, actor models.Actor) ([]slack.Block, error) {
	p := a.forUser(ctx, actor.UserID)
	queue, err := a.store.StaffQueue(ctx, homeLoad)
	if err != nil {
		return nil, fmt.Errorf("staff queue: %w", err)
	}
	intro := "Nothing is waiting on staff."
	if len(queue) > 0 {
		intro = fmt.Sprintf("*Waiting on staff*: %d, oldest first (applications to review, construction tickets to book).", len(queue))
		if len(queue) == homeLoad {
			intro = fmt.Sprintf("*Waiting on staff*: %d or more, oldest first (applications to review, construction tickets to book).", len(queue))
		}
	}
	blocks := append([]slack.Block{slack.NewHeaderBlock(plain("leaseline · staff"))}, a.staffBanner(ctx, p)...)
	blocks = append(blocks,
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actAccessPoints, "", "Access points", ""),
			button(actHomeRefresh, "", "Refresh", ""),
		),
		slack.NewDividerBlock(),
	)
	ports, err := a.inventoryGlance(ctx)
	if err != nil {
		return nil, err
	}
	if len(ports) > 0 {
		blocks = append(append(blocks, ports...), slack.NewDividerBlock())
	}
	return addCards(blocks, homeCards(p, queue, actor.Role), maxViewBlocks,
		"More in the queue than fit here: `/leaseline list` shows every connection."), nil
}

// homeCards are connection cards with their timelines.
func homeCards(p lang.Printer, rows []models.Connection, role models.Role) [][]slack.Block {
	cards := make([][]slack.Block, 0, len(rows))
	for i := range rows {
		c := &rows[i]
		card := connectionBlocks(p, c, role, button(actShow, connValue(c.ID), "Details", ""))
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
