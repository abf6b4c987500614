package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// The review in the staff channel: the review request shows the
// application with Approve and Reject; only staff may press them; after the
// decision the message is updated in place, its buttons gone.

// pressApprove approves the application. Of two clicks at once exactly one
// approves; the other is told who approved it and when.
func (a *App) pressApprove(ctx context.Context, p press) {
	a.actPress(ctx, p, models.ActionApprove, func(ctx context.Context, t target, d *models.Detail, line string) {
		a.showReview(ctx, t, d, line, "")
	})
}

// pressReject asks for the reason, which the customer reads.
func (a *App) pressReject(ctx context.Context, p press) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	if err := refusal(d, models.ActionReject, p.actor.Role); err != nil {
		a.failPress(ctx, p, a.reviewDecided(d, err))
		return
	}
	c := &d.Connection
	w := a.forUser(ctx, p.cb.User.ID)
	blocks := []slack.Block{
		slack.NewSectionBlock(md(w.T("review.reject_intro", lang.Args{"Ref": models.ApplicationRef(c.ID), "Name": esc(c.Name), "AccessPoint": esc(apName(w, d))})), nil, nil),
		textInput("reason", w.T("review.reason"), w.T("review.reason_hint"), 1000, true, false),
	}
	a.openModal(ctx, p, modal(viewReject, w.T("review.reject_title"), w.T("review.reject_submit"), w.T("review.close"), p.meta(), blocks))
}

// reviewDecided turns "cannot reject an Approved connection" into who
// approved it and when.
func (a *App) reviewDecided(d *models.Detail, err error) error {
	if ev := lastEvent(d, func(ev models.AuditEvent) bool {
		return ev.FromStatus == models.StatusApplying && ev.ToStatus != models.StatusApplying
	}); ev != nil {
		return &models.AlreadyDoneError{Action: ev.Action, Status: ev.ToStatus, By: ev.Actor, At: ev.At}
	}
	return err
}

// submitReject rejects with the reason given, within the ack so that a
// missing reason shows under its field.
func (a *App) submitReject(ctx context.Context, s submission) (any, func(context.Context)) {
	reason := inputValue(s.cb, "reason", "v")
	d, err := a.store.ActDetail(ctx, s.actor, s.meta.Conn, models.ActInput{Action: models.ActionReject, Reason: reason})
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Reason": "reason"}, "reason"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		c := &d.Connection
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		a.showReview(ctx, targetOfMeta(s.meta), d, done(w, didWhat(w, models.ActionReject), c, s.actor.UserID), c.Reason)
	}
}

// settleReview updates the review message in place: the application as
// decided, no buttons, and who decided when (and why). Without a target it
// updates the review message the delivery recorded on the connection, if
// any.
func (a *App) settleReview(ctx context.Context, t target, id int64, line, reason string) {
	d, err := a.store.Detail(ctx, models.SystemActor(), id)
	if err != nil {
		a.log.ErrorContext(ctx, "load application to update its review message", "connection", id, "err", err)
		return
	}
	a.showReview(ctx, t, d, line, reason)
}

// showReview is settleReview with the connection's detail in hand.
func (a *App) showReview(ctx context.Context, t target, d *models.Detail, line, reason string) {
	p := a.forChannel(ctx, t.Channel)
	if t.empty() && d.Connection.ReviewTS != "" {
		t = target{Channel: d.Connection.ReviewChannel, TS: d.Connection.ReviewTS}
	}
	if t.empty() {
		return
	}
	blocks := a.reviewBlocks(ctx, p, d)
	blocks = append(blocks, slack.NewSectionBlock(md(regionTimes(p, line, d)), nil, nil))
	blocks = append(blocks, labelled(p.T("review.reason"), reason)...)
	a.replace(ctx, t, blocks, p.T("review.text", lang.Args{"Ref": models.ApplicationRef(d.Connection.ID), "Status": statusWord(p, d.Connection.Status)}))
}

// reviewBlocks shows an application to its reviewers: every field of the
// apply form as typed, the customer account, who applied when, the price,
// and the date by which the review normally completes. The buttons are the
// caller's.
func (a *App) reviewBlocks(ctx context.Context, p lang.Printer, d *models.Detail) []slack.Block {
	c := &d.Connection
	intro := p.T("review.applied", lang.Args{"Who": mention(c.AppliedBy), "When": regionWhen(p, c.CreatedAt, d)})
	if by, err := a.reviewBy(ctx, p, d.Region, c.CreatedAt); err == nil && by != "" {
		intro += p.T("review.review_by", lang.Args{"Date": by, "Region": esc(regionName(p, d.Region))})
	} else {
		a.log.WarnContext(ctx, "review date", "connection", c.ID, "err", err)
	}
	fs := staffFacts(p, d, connFacts(p, d, ""))
	fs = append(fs,
		fact{label: p.T("review.customer_account"), value: d.Account.Name},
		fact{label: p.T("review.price"), value: p.Money(c.AmountCents, c.Currency)},
	)
	blocks := []slack.Block{reviewHeader(p, d), slack.NewSectionBlock(md(intro), nil, nil)}
	blocks = append(blocks, factBlocks(fs)...)
	return append(blocks, slack.NewContextBlock("", md(statusLine(p, c))))
}

// reviewBy is the date review of an application made at `at` in region r
// normally completes by: the next workday of the region's calendar, as the
// reader writes it ("Monday 7 December 2026", "2026年12月7日（星期一）").
func (a *App) reviewBy(ctx context.Context, p lang.Printer, r models.Region, at time.Time) (string, error) {
	days, err := a.store.CalendarDays(ctx, r.ID)
	if err != nil {
		return "", fmt.Errorf("load calendar: %w", err)
	}
	cal, err := models.NewCalendar(r, days)
	if err != nil {
		return "", err
	}
	if at.IsZero() {
		at = a.cfg.Now()
	}
	d := cal.NextWorkday(at)
	if !cal.Known(d) {
		return "", nil // past the calendar's horizon: no date is promised
	}
	if p.Lang() != lang.English {
		return p.Date(d.In(cal.Location, 12, 0)), nil
	}
	return d.In(cal.Location, 12, 0).Format("Monday 2 January 2006"), nil
}

// regionOf finds the region of connection c (Apply returns the connection
// alone).
func (a *App) regionOf(ctx context.Context, c *models.Connection) (models.Region, error) {
	ap, err := a.store.AccessPoint(ctx, c.AccessPointID)
	if err != nil {
		return models.Region{}, fmt.Errorf("load access point: %w", err)
	}
	regions, err := a.store.Regions(ctx)
	if err != nil {
		return models.Region{}, fmt.Errorf("load regions: %w", err)
	}
	for _, r := range regions {
		if r.ID == ap.RegionID {
			return r, nil
		}
	}
	return models.Region{}, fmt.Errorf("region %s of access point %s: %w", ap.RegionID, ap.ID, models.ErrNotFound)
}
