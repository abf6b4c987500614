package handlers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
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
		title := p.T("notices.delivery_failed_title")
		return []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(md(deliveryFailedText(p, noticeData[models.DeliveryFailedData](r.n))), nil, nil)}, title, nil
	case t == nil:
		title := "leaseline"
		return []slack.Block{slack.NewSectionBlock(md(p.T("notices.gone", lang.Args{"Kind": esc(string(r.n.Kind))})), nil, nil)}, title, nil
	}
	// The customer reads the access point by name; staff also see its ID.
	where, staffWhere := p.T("enquiry.any_access_point"), p.T("enquiry.any_access_point")
	loc := time.UTC
	if t.AccessPointID != "" {
		where = esc(t.AccessPointID)
		staffWhere = where
		if ap, err := a.store.AccessPoint(ctx, t.AccessPointID); err == nil {
			where = fmt.Sprintf("%s (%s)", esc(named(p, ap.Name, ap.NameZh)), esc(locationNamed(p, ap)))
			staffWhere = fmt.Sprintf("%s (%s, %s)", esc(named(p, ap.Name, ap.NameZh)), esc(ap.ID), esc(locationNamed(p, ap)))
			loc = a.regionZone(ctx, ap.RegionID)
		}
	}
	account := ""
	if acct, err := a.store.Account(ctx, t.AccountID); err == nil {
		account = acct.Name
	}
	title := p.T("enquiry.title", lang.Args{"ID": t.ID})
	var blocks []slack.Block
	switch r.n.Kind {
	case models.NoticeEnquiryAnswered:
		title = p.T("enquiry.answered_title", lang.Args{"ID": t.ID})
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(md(p.T("enquiry.answered_intro", lang.Args{"Where": where, "Who": mention(t.AnsweredBy), "When": localWhen(p, t.UpdatedAt, loc)})), nil, nil),
		}
		blocks = append(blocks, labelled(p.T("enquiry.your_question"), t.Text)...)
		blocks = append(blocks, labelled(p.T("enquiry.answer"), t.Answer)...)
	default:
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(md(p.T("enquiry.asks", lang.Args{"Who": mention(t.SubmittedBy), "Where": staffWhere, "State": ticketState(p, t.State)})), nil, nil),
		}
		blocks = append(blocks, factBlocks([]fact{{label: p.T("enquiry.customer_account"), value: account}})...)
		blocks = append(blocks, labelled(p.T("enquiry.question"), t.Text)...)
		if t.State == models.TicketOpen {
			blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("ll_enquiry_%d", t.ID),
				button(actAnswer, strconv.FormatInt(t.ID, 10), p.T("enquiry.answer"), slack.StylePrimary)))
		} else if t.Answer != "" {
			blocks = append(blocks, labelled(p.T("enquiry.answer"), t.Answer)...)
			blocks = append(blocks, slack.NewContextBlock("", md(p.T("enquiry.answered_by", lang.Args{"Who": mention(t.AnsweredBy), "When": localWhen(p, t.UpdatedAt, loc)}))))
		}
	}
	return blocks, title, nil
}

// ticketState is a ticket's state in the reader's language.
func ticketState(p lang.Printer, s models.TicketState) string {
	switch s {
	case models.TicketOpen:
		return p.T("enquiry.state_open")
	case models.TicketAnswered:
		return p.T("enquiry.state_answered")
	case models.TicketBooked:
		return p.T("enquiry.state_booked")
	case models.TicketClosed:
		return p.T("enquiry.state_closed")
	}
	return esc(string(s))
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
