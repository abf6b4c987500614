package handlers

import (
	"context"

	"github.com/slack-go/slack"
)

// GrowthHome is what publishing App Home does before the Web API call:
// the user's language, who they are, and the blocks of the pages state
// says (a value of App Home's page buttons).
func (a *App) GrowthHome(ctx context.Context, team, user, state string) ([]slack.Block, error) {
	p := a.forUser(ctx, user)
	blocks, _, err := a.homeBlocks(ctx, p, team, user, parseHomeState(state))
	return capBlocks(p, blocks, maxViewBlocks), err
}

// GrowthList is `/leaseline list` (value: its text, or the value of a page
// button) before its reply: the user's language, who they are, and the
// blocks of the page.
func (a *App) GrowthList(ctx context.Context, team, channel, user, value string) ([]slack.Block, error) {
	actor, err := a.actor(ctx, team, channel, user)
	if err != nil {
		return nil, err
	}
	p := a.forUser(ctx, user)
	blocks, err := a.listBlocks(ctx, p, actor, parseListReq(value))
	return capBlocks(p, blocks, maxMessageBlocks), err
}

// ButtonValue is the value of the first button actionID in blocks.
func ButtonValue(blocks []slack.Block, actionID string) (string, bool) {
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if bt, ok := el.(*slack.ButtonBlockElement); ok && bt.ActionID == actionID {
				return bt.Value, true
			}
		}
	}
	return "", false
}
