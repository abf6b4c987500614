package handlers

// A message sent to the bot in its Messages tab (message.im) is answered
// with the help and the panel's buttons; the bot's own messages, edits,
// deletions and other subtypes are never answered.

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
)

// dmMessage answers a person's message in a DM with the bot.
func (a *App) dmMessage(_ context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Event == nil {
		return nil, nil
	}
	var ev *slackevents.MessageEvent
	switch m := req.Event.InnerEvent.Data.(type) {
	case *slackevents.MessageEvent:
		ev = m
	case slackevents.MessageEvent:
		ev = &m
	default:
		return nil, nil
	}
	if ev.ChannelType != "im" || ev.SubType != "" || ev.BotID != "" || ev.User == "" || ev.Channel == "" {
		return nil, nil
	}
	return nil, func(ctx context.Context) {
		p := a.forUser(ctx, ev.User)
		blocks := append(dmHelpBlocks(p), helpBlocks(p)...)
		_, _, err := a.slack.PostMessageContext(ctx, ev.Channel, slack.MsgOptionBlocks(blocks...),
			slack.MsgOptionText(p.T("dm.text"), false))
		if err != nil {
			a.log.WarnContext(ctx, "answer a direct message", "channel", ev.Channel, "err", err)
		}
	}
}

// dmHelpBlocks opens the answer to a DM: the panel's buttons.
func dmHelpBlocks(p lang.Printer) []slack.Block {
	return []slack.Block{
		section(p.T("dm.hello")),
		slack.NewActionBlock("ll_dm",
			button(actApply, "", p.T("dm.apply"), slack.StylePrimary),
			button(actList, "1", p.T("dm.my_connections"), ""),
			button(actAccessPoints, "", p.T("dm.access_points"), ""),
		),
	}
}
