package handlers

// Placeholders until the journey steps land (review, pay, view, provider,
// ticket, construction, confirm, notices); the helper writing them deletes
// this file.

import "github.com/leaseline/leaseline/bot"

func (a *App) registerReview(_ *bot.Router) {}

func (a *App) registerJourney(_ *bot.Router) {}
