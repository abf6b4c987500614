package handlers

// The panel: a message the bot keeps in every channel linked to a customer
// account, with a button for every action the account can start. Members
// of Slack Connect channels cannot run slash commands (PRODUCT.md), so the
// panel is how external customers reach leaseline; its buttons answer
// ephemerally, resolving the account through the channel.

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// panelSummary counts an account's connections for its panel.
type panelSummary struct {
	open, waitingOnCustomer int
}

// panelBlocks is the panel of an account.
func panelBlocks(p lang.Printer, acct *models.Account, sum panelSummary, now func() string) []slack.Block {
	status := p.T("home.panel_none_open")
	if sum.open > 0 {
		status = p.N("home.panel_open", sum.open)
		if sum.waitingOnCustomer > 0 {
			status = p.N("home.panel_open_waiting", sum.open, lang.Args{"Waiting": sum.waitingOnCustomer})
		}
	}
	return []slack.Block{
		slack.NewHeaderBlock(plain(truncate("leaseline · "+acct.Name, 150))),
		section(p.T("home.panel_intro", lang.Args{"Account": esc(acct.Name)}) + "\n" + status),
		slack.NewActionBlock("ll_panel",
			button(actApply, "", p.T("home.button_apply"), slack.StylePrimary),
			button(actList, "1", p.T("home.button_list"), ""),
			button(actAccessPoints, "", p.T("home.button_access_points"), ""),
			button(actEnquire, "", p.T("home.button_enquire"), ""),
		),
		contextText(p.T("home.panel_updated", lang.Args{"When": now()})),
	}
}

// summarize counts the account's connections in progress and those
// waiting on the customer.
func (a *App) summarize(ctx context.Context, accountID int64) (panelSummary, error) {
	rows, err := a.store.InProgress(ctx, accountID)
	if err != nil {
		return panelSummary{}, fmt.Errorf("summarize account %d: %w", accountID, err)
	}
	s := panelSummary{open: len(rows)}
	for i := range rows {
		if p, _ := rows[i].WaitingOn(); p == models.PartyCustomer {
			s.waitingOnCustomer++
		}
	}
	return s, nil
}

// postPanel posts the account's panel in a linked channel, or updates the
// one already there, and records where it is.
func (a *App) postPanel(ctx context.Context, ch models.AccountChannel, acct *models.Account, sum panelSummary) error {
	p := a.forChannel(ctx, ch.ChannelID)
	blocks := panelBlocks(p, acct, sum, func() string { return when(a.cfg.Now()) })
	opts := []slack.MsgOption{slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(p.T("home.panel_text"), false)}
	if ch.PanelTS != "" {
		_, _, _, err := a.slack.UpdateMessageContext(ctx, ch.ChannelID, ch.PanelTS, opts...)
		if err == nil {
			return nil
		}
		// Deleted or lost: post a new one.
		a.log.InfoContext(ctx, "panel update failed; posting a new one", "channel", ch.ChannelID, "err", err)
	}
	_, ts, err := a.slack.PostMessageContext(ctx, ch.ChannelID, opts...)
	if err != nil {
		return fmt.Errorf("post panel in %s: %w", ch.ChannelID, err)
	}
	if err := a.store.SetPanel(ctx, ch.ChannelID, ts); err != nil {
		return fmt.Errorf("record panel: %w", err)
	}
	return nil
}

// refreshPanels brings the panels of an account up to date (after an
// application, a link, or any change of its connections).
func (a *App) refreshPanels(ctx context.Context, accountID int64) {
	if accountID == 0 {
		return
	}
	if err := a.refreshPanelsErr(ctx, accountID); err != nil {
		a.log.WarnContext(ctx, "refresh panels", "account", accountID, "err", err)
	}
}

func (a *App) refreshPanelsErr(ctx context.Context, accountID int64) error {
	acct, err := a.store.Account(ctx, accountID)
	if err != nil {
		return fmt.Errorf("load account: %w", err)
	}
	chans, err := a.store.AccountChannels(ctx, accountID)
	if err != nil {
		return fmt.Errorf("load channels: %w", err)
	}
	sum, err := a.summarize(ctx, accountID)
	if err != nil {
		return err
	}
	var firstErr error
	for _, ch := range chans {
		if ch.PanelTS == "" {
			continue // never posted (the bot was not invited): link again to post it
		}
		if err := a.postPanel(ctx, ch, acct, sum); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	return firstErr
}

// panelAction wraps a panel button: after the ack, it resolves the actor
// through the channel and shows the blocks build returns to the presser
// only.
func (a *App) panelAction(build func(ctx context.Context, p lang.Printer, actor models.Actor, value string) ([]slack.Block, error)) bot.Handler {
	return func(_ context.Context, req bot.Request) (any, func(context.Context)) {
		cb := interaction(req)
		return nil, func(ctx context.Context) {
			actor, err := a.actor(ctx, teamOf(cb), channelOf(cb), cb.User.ID)
			if err != nil {
				a.fail(ctx, cb, err)
				return
			}
			blocks, err := build(ctx, a.forUser(ctx, cb.User.ID), actor, firstAction(cb).Value)
			if err != nil {
				a.fail(ctx, cb, err)
				return
			}
			a.replyBlocks(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, blocks)
		}
	}
}

// memberJoined records a new member of a linked channel (a user of its
// account from now on), and posts the panel in a linked channel that has
// none yet: the bot was invited after the link, which could not post it
// then.
func (a *App) memberJoined(_ context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Event == nil {
		return nil, nil
	}
	var channel, user string
	switch ev := req.Event.InnerEvent.Data.(type) {
	case *slackevents.MemberJoinedChannelEvent:
		channel, user = ev.Channel, ev.User
	case slackevents.MemberJoinedChannelEvent:
		channel, user = ev.Channel, ev.User
	}
	if channel == "" {
		return nil, nil
	}
	return nil, func(ctx context.Context) {
		a.memberChanged(ctx, channel, user, true)
		if err := a.ensurePanel(ctx, channel); err != nil {
			a.log.InfoContext(ctx, "panel not posted on join", "channel", channel, "err", err)
		}
	}
}

// ensurePanel posts the panel in channel when it is linked to an account
// and has none.
func (a *App) ensurePanel(ctx context.Context, channel string) error {
	accountID, err := a.store.ResolveCustomer(ctx, "", channel, "")
	switch {
	case isNoAccount(err):
		return nil
	case err != nil:
		return fmt.Errorf("resolve channel: %w", err)
	}
	acct, err := a.store.Account(ctx, accountID)
	if err != nil {
		return fmt.Errorf("load account: %w", err)
	}
	chans, err := a.store.AccountChannels(ctx, accountID)
	if err != nil {
		return fmt.Errorf("load channels: %w", err)
	}
	for _, ch := range chans {
		if ch.ChannelID != channel || ch.PanelTS != "" {
			continue
		}
		sum, err := a.summarize(ctx, accountID)
		if err != nil {
			return err
		}
		return a.postPanel(ctx, ch, acct, sum)
	}
	return nil
}
