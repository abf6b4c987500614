package handlers

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// RenderNoticeIn renders n as RenderNotice does, in language l whatever
// its recipient reads (for the tests of the catalogs).
func (a *App) RenderNoticeIn(ctx context.Context, n models.Notice, l lang.Lang) ([]slack.MsgOption, error) {
	p := a.words.For(l)
	opts, _, err := a.renderCard(ctx, n, &p)
	return opts, err
}

// SettledCardIn renders n as its card reads once settled (no button still
// offered), in language l: the blocks SettleCards would send.
func (a *App) SettledCardIn(ctx context.Context, n models.Notice, l lang.Lang) ([]slack.Block, error) {
	d, err := a.store.Detail(ctx, models.SystemActor(), *n.ConnectionID)
	if err != nil {
		return nil, fmt.Errorf("load connection: %w", err)
	}
	to := a.recipientOf(n, d)
	r := &noticeRender{n: n, d: d, to: to, account: d.Account.Name, settled: true, p: a.words.For(l)}
	blocks, _, err := a.renderKind(ctx, r)
	return capBlocks(r.p, blocks, maxMessageBlocks), err
}

// DMHelpIn is the answer to a DM, in language l.
func (a *App) DMHelpIn(l lang.Lang) []slack.Block { return dmHelpBlocks(a.words.For(l)) }

// ReviewPromiseIn is the review-date promise for an application made at
// the sample's Hangzhou region now, in language l.
func (a *App) ReviewPromiseIn(ctx context.Context, regionID string, l lang.Lang) (string, error) {
	p := a.words.For(l)
	regions, err := a.store.Regions(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range regions {
		if r.ID == regionID {
			by, err := a.reviewBy(ctx, p, r, a.cfg.Now())
			if err != nil {
				return "", err
			}
			return reviewPromise(p, by, regionName(p, r)), nil
		}
	}
	return "", fmt.Errorf("region %s: %w", regionID, models.ErrNotFound)
}
