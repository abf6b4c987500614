package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// LangViews renders the views of the commands, App Home, the panel, the
// access points and the account replies in one language, whatever the
// reader's language is, for the tests that read them in every language.
type LangViews struct {
	a *App
	p lang.Printer
}

// ViewsIn is a's views in language l.
func (a *App) ViewsIn(l lang.Lang) LangViews { return LangViews{a: a, p: a.words.For(l)} }

func (v LangViews) Help() []slack.Block { return helpBlocks(v.p) }

func (v LangViews) Unknown(sub string) []slack.Block { return unknownCommandBlocks(v.p, sub) }

func (v LangViews) List(ctx context.Context, actor models.Actor, page int, all bool) ([]slack.Block, error) {
	return v.a.listBlocks(ctx, v.p, actor, listReq{page: page, all: all})
}

func (v LangViews) Detail(ctx context.Context, actor models.Actor, id int64) ([]slack.Block, error) {
	return v.a.detailBlocks(ctx, v.p, actor, id)
}

func (v LangViews) Home(ctx context.Context, team, user string) ([]slack.Block, error) {
	blocks, _, err := v.a.homeBlocks(ctx, v.p, team, user, nil)
	return blocks, err
}

func (v LangViews) AccessPoints(ctx context.Context, filter string) ([]slack.Block, error) {
	return v.a.accessPointBlocks(ctx, v.p, filter)
}

func (v LangViews) Panel(acct *models.Account, open, waiting int) []slack.Block {
	return panelBlocks(v.p, acct, panelSummary{open: open, waitingOnCustomer: waiting}, func() string { return "now" })
}

// Credit and AddUser run the staff commands, answering in the language.
func (v LangViews) Credit(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	v.a.credit(ctx, v.p, cmd, rest)
}

func (v LangViews) AddUser(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	v.a.addUser(ctx, v.p, cmd, rest)
}

// Ports and Visits run the staff commands, answering in the language.
func (v LangViews) Ports(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	v.a.ports(ctx, v.p, cmd, rest)
}

func (v LangViews) Visits(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	v.a.visits(ctx, v.p, cmd, rest)
}

// LowPorts is the low_ports notice to staff.
func (v LangViews) LowPorts(n models.Notice) ([]slack.Block, string, error) {
	return renderLowPorts(v.p, n)
}
