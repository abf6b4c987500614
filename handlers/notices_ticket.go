package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// renderTicketNotice renders the notices about an access-point enquiry
// (they name no connection) and any notice whose connection is not given.
func (a *App) renderTicketNotice(ctx context.Context, r *noticeRender) ([]slack.Block, string, error) {
	p := r.p
	tid := noticeData[models.TicketNoticeData](r.n).TicketID
	var t *models.Ticket
	if tid > 0 {
		got, err := a.store.Ticket(ctx, tid)
		switch {
		case err == nil:
			t = got
		case !errors.Is(err, models.ErrNotFound):
			return nil, "", fmt.Errorf("load ticket %d: %w", tid, err)
		}
	}
	switch {
	case r.n.Kind == models.NoticeDeliveryFailed:
		title := "A message could not be delivered"
		return []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(md(deliveryFailedText(noticeData[models.DeliveryFailedData](r.n))), nil, nil)}, title, nil
	case t == nil:
		title := "leaseline"
		return []slack.Block{slack.NewSectionBlock(md(fmt.Sprintf("leaseline has news (%s) about something that no longer exists.", esc(string(r.n.Kind)))), nil, nil)}, title, nil
	}
	// The customer reads the access point by name; staff also see its ID.
	where, staffWhere := "any access point", "any access point"
	loc := time.UTC
	if t.AccessPointID != "" {
		where = esc(t.AccessPointID)
		staffWhere = where
		if ap, err := a.store.AccessPoint(ctx, t.AccessPointID); err == nil {
			where = fmt.Sprintf("%s (%s)", esc(ap.Name), esc(ap.Location))
			staffWhere = fmt.Sprintf("%s (%s, %s)", esc(ap.Name), esc(ap.ID), esc(ap.Location))
			loc = a.regionZone(ctx, ap.RegionID)
		}
	}
	account := ""
	if acct, err := a.store.Account(ctx, t.AccountID); err == nil {
		account = acct.Name
	}
	title := fmt.Sprintf("Access point enquiry #%d", t.ID)
	var blocks []slack.Block
	switch r.n.Kind {
	case models.NoticeEnquiryAnswered:
		title = fmt.Sprintf("Your enquiry #%d is answered", t.ID)
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(md(fmt.Sprintf("About %s, answered by %s at %s.", where, mention(t.AnsweredBy), localWhen(p, t.UpdatedAt, loc))), nil, nil),
		}
		blocks = append(blocks, labelled("Your question", t.Text)...)
		blocks = append(blocks, labelled("Answer", t.Answer)...)
	default:
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(md(fmt.Sprintf("%s asks about %s (%s). Answer it: the customer is told in their channel.", mention(t.SubmittedBy), staffWhere, t.State)), nil, nil),
		}
		blocks = append(blocks, factBlocks([]fact{{label: "Customer account", value: account}})...)
		blocks = append(blocks, labelled("Question", t.Text)...)
		if t.State == models.TicketOpen {
			blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("ll_enquiry_%d", t.ID),
				button(actAnswer, strconv.FormatInt(t.ID, 10), "Answer", slack.StylePrimary)))
		} else if t.Answer != "" {
			blocks = append(blocks, labelled("Answer", t.Answer)...)
			blocks = append(blocks, slack.NewContextBlock("", md(fmt.Sprintf("Answered by %s at %s.", mention(t.AnsweredBy), localWhen(p, t.UpdatedAt, loc)))))
		}
	}
	return blocks, title, nil
}

// regionZone is the time zone of region id, UTC when it cannot be read.
func (a *App) regionZone(ctx context.Context, id string) *time.Location {
	regions, err := a.store.Regions(ctx)
	if err != nil {
		a.log.WarnContext(ctx, "load regions for a time zone", "region", id, "err", err)
		return time.UTC
	}
	for _, r := range regions {
		if r.ID == id {
			return zone(r.TimeZone)
		}
	}
	return time.UTC
}
