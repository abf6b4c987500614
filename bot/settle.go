package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// Settling cards. A settle notice (models.NoticeSettle) posts nothing: the
// worker hands it to the renderer's SettleCards, which updates in place
// every earlier message about the connection that still offers a step
// that has passed. It is retried like a post (chat.update is idempotent, so
// no history check is needed) and marked sent when done.

// CardSettler settles the cards of a settle notice's connection; the
// NoticeRenderer implements it when cards are to be settled (the handlers
// do). An error of Slack's is classified as a post's.
type CardSettler interface {
	SettleCards(ctx context.Context, n models.Notice) error
}

func (w *DeliveryWorker) settle(ctx context.Context, d models.Delivery, now time.Time) error {
	if s, ok := w.render.(CardSettler); ok {
		if err := s.SettleCards(ctx, d.Notice); err != nil {
			retry, ok := retryable(err)
			if !ok && !retry.rateLimited {
				return w.fail(ctx, d, now, err)
			}
			return w.retry(ctx, d, now, fmt.Errorf("settle cards: %w", err), false, retry)
		}
	}
	return w.markSent(ctx, d.Notice, "", now)
}

// CardRenderer is a NoticeRenderer that also says the action IDs of the
// buttons of the message it renders, recorded with the card; the handlers
// implement it. A renderer without it records cards without buttons.
type CardRenderer interface {
	RenderCard(ctx context.Context, n models.Notice) ([]slack.MsgOption, []string, error)
}

// render renders notice n, with the buttons of its message when the
// renderer says them.
func (w *DeliveryWorker) renderCard(ctx context.Context, n models.Notice) ([]slack.MsgOption, []string, error) {
	if r, ok := w.render.(CardRenderer); ok {
		return r.RenderCard(ctx, n)
	}
	opts, err := w.render.RenderNotice(ctx, n)
	return opts, nil, err
}
