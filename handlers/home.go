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

func (a *App) homeOpened(_ context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Event == nil {
		return nil, nil
	}
	var ev *slackevents.AppHomeOpenedEvent
	switch e := req.Event.InnerEvent.Data.(type) {
	case *slackevents.AppHomeOpenedEvent:
		ev = e
	case slackevents.AppHomeOpenedEvent:
		ev = &e
	default:
		return nil, nil
	}
	if ev.User == "" || (ev.Tab != "" && ev.Tab != "home") {
		return nil, nil
	}
	team, user := req.Event.TeamID, ev.User
	// Back to the tab: the pages it was left at.
	var st homeState
	if ev.View != nil && ev.View.CallbackID == homeCallback {
		st = parseHomeState(ev.View.PrivateMetadata)
	}
	return nil, func(ctx context.Context) { a.publishHome(ctx, team, user, st) }
}

// homeRefresh is Refresh and the page buttons: the value is the pages to
// show (Refresh's, the pages shown).
func (a *App) homeRefresh(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	st := parseHomeState(firstAction(cb).Value)
	return nil, func(ctx context.Context) { a.publishHome(ctx, teamOf(cb), cb.User.ID, st) }
}

// homeCallback is App Home's callback ID.
const homeCallback = "ll_home"

// publishHome builds and publishes a user's App Home at the pages st says.
func (a *App) publishHome(ctx context.Context, team, user string, st homeState) {
	p := a.forUser(ctx, user)
	blocks, shown, err := a.homeBlocks(ctx, p, team, user, st)
	if err != nil {
		a.log.ErrorContext(ctx, "app home", "user", user, "err", err)
		blocks = []slack.Block{section(":warning: " + a.userMessage(ctx, p, err))}
	}
	_, err = a.slack.PublishViewContext(ctx, slack.PublishViewContextRequest{
		UserID: user,
		View: slack.HomeTabViewRequest{
			Type: slack.VTHomeTab, CallbackID: homeCallback, PrivateMetadata: shown.String(),
			Blocks: slack.Blocks{BlockSet: capBlocks(p, blocks, maxViewBlocks)},
		},
	})
	if err != nil {
		a.log.ErrorContext(ctx, "publish app home", "user", user, "err", err)
	}
}

// homeBlocks is a user's App Home at the pages st says, within a view's
// 100 blocks, and the pages it shows.
func (a *App) homeBlocks(ctx context.Context, p lang.Printer, team, user string, st homeState) ([]slack.Block, homeState, error) {
	actor, err := a.actor(ctx, team, "", user)
	switch {
	case isNoAccount(err):
		return []slack.Block{
			slack.NewHeaderBlock(plain("leaseline")),
			section(p.T("home.intro_no_account")),
			section(":information_source: " + a.userMessage(ctx, p, err)),
			slack.NewActionBlock("ll_home_top", button(actAccessPoints, "", p.T("home.button_access_points"), ""), button(actHomeRefresh, "", p.T("home.button_refresh"), "")),
		}, nil, nil
	case err != nil:
		return nil, nil, err
	}
	if actor.Role == models.RoleStaff {
		return a.staffHome(ctx, p, actor, st)
	}
	return a.customerHome(ctx, p, actor, st)
}

// staffHome is the queue waiting on staff, oldest first, one page of it.
func (a *App) staffHome(ctx context.Context, p lang.Printer, actor models.Actor, st homeState) ([]slack.Block, homeState, error) {
	blocks := append([]slack.Block{slack.NewHeaderBlock(plain(p.T("home.staff_title")))}, a.staffBanner(ctx, p)...)
	ports, err := a.inventoryGlance(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	// The page fills what the view leaves: after the intro, the buttons,
	// the glance, two dividers and the page's context and buttons.
	room := maxViewBlocks - len(blocks) - len(ports) - 6
	size := min(homePageSize, max(room/3, 1))
	queue, at, prev, next, err := homePageOf(st, homeQueue, size, func(pg models.Page) ([]models.Connection, bool, error) {
		return a.store.StaffQueuePage(ctx, pg)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("staff queue: %w", err)
	}
	shown := homeState{}.with(homeQueue, at)
	intro := p.T("home.staff_nothing")
	switch {
	case at.page > 1 || next:
		intro = p.T("home.staff_waiting_page", lang.Args{"Page": at.page})
	case len(queue) > 0:
		intro = p.T("home.staff_waiting", lang.Args{"Count": len(queue)})
	}
	blocks = append(blocks,
		section(intro),
		slack.NewActionBlock("ll_home_top",
			button(actAccessPoints, "", p.T("home.button_access_points"), ""),
			button(actHomeRefresh, shown.String(), p.T("home.button_refresh"), ""),
		),
		slack.NewDividerBlock(),
	)
	if len(ports) > 0 {
		blocks = append(append(blocks, ports...), slack.NewDividerBlock())
	}
	blocks, n := addCards(blocks, homeCards(p, queue, actor.Role), maxViewBlocks-homeNavBlocks)
	next = next || n < len(queue)
	return append(blocks, homeNav(p, shown, homeQueue, at, queue[:n], prev, next, byChange)...), shown, nil
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

// addCards appends whole cards while they fit in limit blocks, and says
// how many did.
func addCards(blocks []slack.Block, cards [][]slack.Block, limit int) ([]slack.Block, int) {
	for i, card := range cards {
		if len(blocks)+len(card) > limit {
			return blocks, i
		}
		blocks = append(blocks, card...)
	}
	return blocks, len(cards)
}
