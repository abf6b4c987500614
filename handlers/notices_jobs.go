package handlers

import (
	"cmp"
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// The notices of the scheduler's jobs and of delivery: overdue reviews,
// reminders, failed deliveries.

// renderReviewOverdue renders a review_overdue notice to staff: the
// application again, with Approve and Reject, the level raised, and whom
// it escalates to.
func (a *App) renderReviewOverdue(ctx context.Context, r *noticeRender) ([]slack.Block, string, error) {
	p := r.p
	c := &r.d.Connection
	data := noticeData[models.ReviewOverdueData](r.n)
	title := p.T("notices.overdue_title")
	if data.Level >= 2 {
		title = p.T("notices.overdue_escalated_title")
	}
	applied := c.CreatedAt
	if !data.AppliedAt.IsZero() {
		applied = data.AppliedAt
	}
	intro := p.T("notices.overdue_intro", lang.Args{"Ref": models.ApplicationRef(c.ID),
		"Workdays": p.N("notices.workdays", data.Workdays), "When": regionWhen(p, applied, r.d)})
	if who := escalation(data.Escalate); who != "" {
		intro = who + " " + intro
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(md(intro), nil, nil)}
	blocks = append(blocks, a.reviewBlocks(ctx, p, r.d)...)
	blocks = append(blocks, r.buttons(actApprove, actReject)...)
	return blocks, p.T("notices.overdue_text", lang.Args{"Title": title, "Ref": models.ApplicationRef(c.ID)}), nil
}

// reminderText is the title and text of a reminder to a customer: to pay
// (with the amount and the day it expires) or to confirm.
func reminderText(p lang.Printer, c *models.Connection, data models.ReminderData) (title, intro string) {
	days := p.N("notices.workdays", data.Workdays)
	switch reason := data.Reason; {
	case reason == models.ReminderUnpaid || reason == "" && c.Status == models.StatusApproved:
		// The connection's amount in the reader's way of writing money;
		// the one the scheduler wrote when the connection has none.
		amount := esc(data.Amount)
		if c.AmountCents > 0 || data.Amount == "" {
			amount = p.Money(c.AmountCents, c.Currency)
		}
		title = p.T("notices.reminder_pay_title")
		intro = p.T("notices.reminder_pay_intro", lang.Args{"Ref": models.ApplicationRef(c.ID), "Workdays": days, "Amount": amount})
		if exp := data.ExpiresOn; exp != "" {
			intro += p.T("notices.reminder_expires", lang.Args{"Date": dayOf(p, exp)})
		}
	default:
		title = p.T("notices.reminder_confirm_title")
		intro = p.T("notices.reminder_confirm_intro", lang.Args{"ID": pcID(c), "Workdays": days})
	}
	return title, intro
}

// dayOf is a date ("2026-12-03") as the reader writes it, escaped: English
// keeps the date as written; other languages write it their way when it
// parses.
func dayOf(p lang.Printer, date string) string {
	if p.Lang() == lang.English {
		return esc(date)
	}
	d, err := models.ParseDate(date)
	if err != nil {
		return esc(date)
	}
	return p.Date(d.In(time.UTC, 12, 0))
}

// deliveryFailedText says which message failed, where, and why.
func deliveryFailedText(p lang.Printer, data models.DeliveryFailedData) string {
	where := data.Channel
	if slackID.MatchString(where) && strings.HasPrefix(where, "C") {
		where = "<#" + where + ">"
	} else {
		where = esc(where)
	}
	return p.T("notices.delivery_failed", lang.Args{"ID": data.NoticeID, "Kind": esc(cmp.Or(string(data.Kind), p.T("notices.unknown_kind"))),
		"Where": cmp.Or(where, p.T("notices.unknown_channel")), "Attempts": p.N("notices.attempts", data.Attempts),
		"Error": esc(truncate(cmp.Or(data.Error, p.T("notices.no_error")), 500))})
}

var slackID = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,20}$`)

// escalation is the mention of whoever a review escalates to: a user (U…,
// W…) or a user group (S…), never free text.
func escalation(id string) string {
	switch {
	case !slackID.MatchString(id):
		return ""
	case strings.HasPrefix(id, "S"):
		return "<!subteam^" + id + ">"
	case strings.HasPrefix(id, "U"), strings.HasPrefix(id, "W"):
		return "<@" + id + ">"
	}
	return ""
}
