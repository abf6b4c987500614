package handlers

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/slack-go/slack"

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
	title := "Review overdue"
	if data.Level >= 2 {
		title = "Review overdue: escalated"
	}
	applied := c.CreatedAt
	if !data.AppliedAt.IsZero() {
		applied = data.AppliedAt
	}
	intro := fmt.Sprintf("Application *%s* has waited %s since %s; reviews normally complete on the next workday.",
		models.ApplicationRef(c.ID), plural(int64(data.Workdays), "workday"), regionWhen(p, applied, r.d))
	if who := escalation(data.Escalate); who != "" {
		intro = who + " " + intro
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(md(intro), nil, nil)}
	blocks = append(blocks, a.reviewBlocks(ctx, r.d)...)
	blocks = append(blocks, r.buttons(actApprove, actReject)...)
	return blocks, fmt.Sprintf("%s: application %s", title, models.ApplicationRef(c.ID)), nil
}

// reminderText is the title and text of a reminder to a customer: to pay
// (with the amount and the day it expires) or to confirm.
func reminderText(c *models.Connection, data models.ReminderData) (title, intro string) {
	days := int64(data.Workdays)
	switch reason := data.Reason; {
	case reason == models.ReminderUnpaid || reason == "" && c.Status == models.StatusApproved:
		amount := cmp.Or(data.Amount, models.FormatMoney(c.AmountCents, c.Currency))
		title = "Reminder: pay for your connection"
		intro = fmt.Sprintf("Application *%s* was approved %s ago and waits for payment of *%s*.", models.ApplicationRef(c.ID), plural(days, "workday"), esc(amount))
		if exp := data.ExpiresOn; exp != "" {
			intro += fmt.Sprintf(" Unpaid, it is canceled on *%s*.", esc(exp))
		}
	default:
		title = "Reminder: confirm your connection"
		intro = fmt.Sprintf("The construction of `%s` was reported done %s ago. Check the line, then press *Confirm*.", pcID(c), plural(days, "workday"))
	}
	return title, intro
}

// deliveryFailedText says which message failed, where, and why.
func deliveryFailedText(data models.DeliveryFailedData) string {
	where := data.Channel
	if slackID.MatchString(where) && strings.HasPrefix(where, "C") {
		where = "<#" + where + ">"
	} else {
		where = esc(where)
	}
	return fmt.Sprintf("Notice %d (%s) to %s failed for good after %s: %s. The recipient was not told; tell them, or fix the cause and requeue the notice.",
		data.NoticeID, esc(cmp.Or(string(data.Kind), "unknown kind")), cmp.Or(where, "an unknown channel"), plural(int64(data.Attempts), "attempt"),
		esc(truncate(cmp.Or(data.Error, "no error recorded"), 500)))
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
