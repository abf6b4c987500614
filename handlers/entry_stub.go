package handlers

// Placeholders until the entry points land (commands, apply form, App Home,
// panel); the helper writing them deletes this file.

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
)

func (a *App) command(_ context.Context, _ bot.Request) (any, func(context.Context)) {
	return ephemeral(helpBlocks()...), nil
}

func helpBlocks() []slack.Block { return []slack.Block{section("leaseline")} }

func (a *App) registerApply(_ *bot.Router) {}

func (a *App) registerHome(_ *bot.Router) {}
