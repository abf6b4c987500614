package handlers

import (
	"context"

	"github.com/leaseline/leaseline/handlers/lang"
)

// forUser is the printer for what one person sees alone: ephemeral
// replies, modals, App Home and DMs (reception's too). It follows the
// person's own choice (/leaseline language), else their Slack locale, else
// English.
func (a *App) forUser(_ context.Context, _ string) lang.Printer {
	return a.words.For(lang.English)
}

// forChannel is the printer for a message posted in a channel, which
// everyone in it reads: the channel's language set by staff, else the
// provider's default language from the catalog, else English.
func (a *App) forChannel(_ context.Context, _ string) lang.Printer {
	return a.words.For(lang.English)
}

// noticePrinter is the printer for a notice to channel: reception reads it
// alone in a DM (their own language), everyone else in a channel.
func (a *App) noticePrinter(ctx context.Context, channel string, to recipient) lang.Printer {
	if to == toReception {
		return a.forUser(ctx, channel)
	}
	return a.forChannel(ctx, channel)
}
