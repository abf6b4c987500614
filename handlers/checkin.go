package handlers

import (
	"cmp"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Check-in at the IDC desk: the reception person's visit DM and the staff
// copy of the visit carry Visitors Arrived; `/leaseline checkin CODE` (the
// verification code on the entry letter) does the same. Only the visit's
// reception person or staff may, on the visit's day in the region's time
// (the store checks). The customer and the provider are told ("engineers on
// site at 09:42"); every card still offering the button is settled. The
// visit-no-shows job's No Show alert is rendered here too.

const actVisitorsArrived = "ll_visitors_arrived"

// canCheckIn: the reader may be offered Visitors Arrived on d: staff, or
// reception; a visit booked (or marked No Show on its day) whose visitors
// have not arrived, on a line at its visit.
func canCheckIn(d *models.Detail, to recipient) bool {
	if (to != toStaff && to != toReception) || d.Visit == nil || d.Visit.ArrivedAt != nil ||
		(d.Visit.State != models.VisitScheduled && d.Visit.State != models.VisitNoShow) {
		return false
	}
	c := &d.Connection
	return c.Status == models.StatusConnecting && c.Step == models.StepVisitScheduled || c.Status == models.StatusTerminating
}

// checkinButtons is Visitors Arrived for the reader of r when offered: staff,
// and the visit's reception person in their DM.
func checkinButtons(r *noticeRender) []slack.BlockElement {
	d := r.d
	if !canCheckIn(d, r.to) {
		return nil
	}
	if r.to == toReception && (d.Reception == nil || d.Reception.SlackUserID != r.n.Channel) {
		return nil
	}
	return []slack.BlockElement{button(actVisitorsArrived, strconv.FormatInt(d.Visit.ID, 10), r.p.T("checkin.button"), slack.StylePrimary)}
}

// checkinActor is who checks in: staff, else (the store checks whether
// they are the visit's) a reception person.
func (a *App) checkinActor(ctx context.Context, userID string) (models.Actor, error) {
	staff, err := a.isStaff(ctx, userID)
	if staff {
		return models.Actor{UserID: userID, Role: models.RoleStaff}, nil
	}
	if err != nil {
		// Perhaps staff, but the group could not say: still the reception
		// person if they are the visit's.
		a.log.WarnContext(ctx, "staff lookup failed; checking in as reception", "request_id", bot.RequestID(ctx), "err", err)
	}
	return models.Actor{UserID: userID, Role: models.RoleReception}, nil
}

// pressVisitorsArrived checks in the visit the button names.
func (a *App) pressVisitorsArrived(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		p := a.forUser(ctx, cb.User.ID)
		id, err := strconv.ParseInt(firstAction(cb).Value, 10, 64)
		if err != nil || id <= 0 {
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":warning: "+p.T("checkin.stale"))
			return
		}
		a.checkIn(ctx, p, cb.User.ID, models.CheckIn{VisitID: id}, func(text string) {
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, text)
		})
	}
}

// cmdCheckin is `checkin CODE`.
func (a *App) cmdCheckin(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	p := a.forUser(ctx, cmd.UserID)
	if strings.TrimSpace(rest) == "" {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: "+p.T("checkin.usage"))
		return
	}
	a.checkIn(ctx, p, cmd.UserID, models.CheckIn{Code: rest}, func(text string) {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, text)
	})
}

// checkIn checks visitors in as userID and tells them the outcome.
func (a *App) checkIn(ctx context.Context, p lang.Printer, userID string, in models.CheckIn, tell func(string)) {
	actor, err := a.checkinActor(ctx, userID)
	if err != nil {
		tell(":warning: " + a.userMessage(ctx, p, err))
		return
	}
	v, err := a.store.CheckIn(ctx, actor, in)
	if err != nil {
		tell(a.checkinRefusal(ctx, p, in, err))
		return
	}
	d, err := a.store.Detail(ctx, models.SystemActor(), v.ConnectionID)
	if err != nil {
		a.log.ErrorContext(ctx, "load connection after check-in", "visit", v.ID, "err", err)
		tell(":white_check_mark: " + p.T("checkin.done_short"))
		return
	}
	tell(":white_check_mark: " + p.T("checkin.done", lang.Args{
		"Conn": pcID(&d.Connection), "IDC": esc(cmp.Or(d.AccessPoint.IDCName, d.AccessPoint.Name)), "At": clockTime(*v.ArrivedAt, d.Region.TimeZone),
	}))
}

// checkinRefusal says why the visitors were not checked in; a wrong code
// names nothing but the code typed.
func (a *App) checkinRefusal(ctx context.Context, p lang.Printer, in models.CheckIn, err error) string {
	var refusal *models.CheckinRefusal
	var done *models.AlreadyDoneError
	switch {
	case errors.As(err, &refusal):
		switch refusal.Reason {
		case models.CheckinWrongCode:
			return ":no_entry: " + p.T("checkin.wrong_code", lang.Args{"Code": esc(truncate(strings.TrimSpace(in.Code), 20))})
		case models.CheckinNotYours:
			return ":no_entry: " + p.T("checkin.not_yours")
		case models.CheckinNotToday:
			return ":calendar: " + p.T("checkin.not_today", lang.Args{"Date": esc(refusal.Date), "Window": esc(refusal.Window)})
		}
		return ":information_source: " + p.T("checkin.not_booked")
	case errors.As(err, &done):
		return ":information_source: " + p.T("checkin.already", lang.Args{"By": mention(done.By), "At": when(done.At)})
	case errors.Is(err, models.ErrNotFound), errors.Is(err, models.ErrForbidden):
		return ":no_entry: " + p.T("checkin.not_yours")
	case errors.Is(err, models.ErrWrongStatus):
		return ":information_source: " + p.T("checkin.not_booked")
	}
	return ":warning: " + a.userMessage(ctx, p, err)
}

// clockTime is t as the region's wall clock reads it: "09:42 CST".
func clockTime(t time.Time, tz string) string {
	return t.In(zone(tz)).Format("15:04 MST")
}

// checkinNotice is the title, the opening and the facts of the on_site and
// visit_no_show notices for r's reader.
func checkinNotice(r *noticeRender) (title, intro string, body []slack.Block) {
	p, d := r.p, r.d
	data := noticeData[models.CheckinNoticeData](r.n)
	if d.Visit != nil && (data.VisitID == 0 || data.VisitID == d.Visit.ID) {
		data.Date, data.Window = cmp.Or(data.Date, d.Visit.Date), cmp.Or(data.Window, d.Visit.Window)
	}
	args := lang.Args{
		"Conn": pcID(&d.Connection), "IDC": esc(idcNamed(p, d)), "Provider": esc(providerName(p, d)),
		"At": clockTime(data.At, cmp.Or(data.TimeZone, d.Region.TimeZone)), "Date": esc(data.Date), "Window": esc(data.Window),
	}
	removal := data.Removal
	if r.n.Kind == models.NoticeVisitNoShow {
		title = p.T("checkin.noshow.title")
		switch {
		case r.to == toStaff && removal:
			// A removal visit: Reschedule Visit is for construction visits.
			intro = p.T("checkin.noshow.staff_removal", args)
		case r.to == toStaff:
			intro = p.T("checkin.noshow.staff", args)
		case r.to == toProvider:
			intro = p.T("checkin.noshow.provider", args)
		default:
			intro = p.T("checkin.noshow.customer", args)
		}
	} else {
		title = p.T("checkin.onsite.title")
		switch {
		case r.to == toStaff && removal:
			intro = p.T("checkin.onsite.staff_removal", args)
		case r.to == toStaff:
			intro = p.T("checkin.onsite.staff", args)
		case r.to == toProvider && removal:
			intro = p.T("checkin.onsite.provider_removal", args)
		case r.to == toProvider:
			intro = p.T("checkin.onsite.provider", args)
		case removal:
			intro = p.T("checkin.onsite.customer_removal", args)
		default:
			intro = p.T("checkin.onsite.customer", args)
		}
	}
	if data.By != "" {
		body = append(body, slack.NewContextBlock("", md(p.T("checkin.by", lang.Args{"By": mention(data.By)}))))
	}
	return title, intro, body
}
