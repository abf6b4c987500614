package handlers

// A message sent to the bot in its Messages tab (message.im) is answered
// with the help and the panel's buttons; the bot's own messages, edits,
// deletions and other subtypes are never answered.

import (
	"context"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leaseline/leaseline/bot"
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
		blocks := append(dmHelpBlocks(), helpBlocks(a.forUser(ctx, ev.User))...)
		_, _, err := a.slack.PostMessageContext(ctx, ev.Channel, slack.MsgOptionBlocks(blocks...),
			slack.MsgOptionText("leaseline: apply for a leased line, see your connections, ask about access points", false))
		if err != nil {
			a.log.WarnContext(ctx, "answer a direct message", "channel", ev.Channel, "err", err)
		}
	}
}

// dmHelpBlocks opens the answer to a DM: the panel's buttons.
func dmHelpBlocks() []slack.Block {
	return []slack.Block{
		section("Hello! I run leased-line access from your IDC to the cloud. Press a button, or see what I can do below."),
		slack.NewActionBlock("ll_dm",
			button(actApply, "", "Apply for New Interface", slack.StylePrimary),
			button(actList, "1", "My connections", ""),
			button(actAccessPoints, "", "Access points", ""),
		),
	}
}
