package handlers

import (
	"context"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Staff's IDC visit buttons, on the staff copies of a construction ticket
// and of its visit: Book Visit books it now, by the same rules as the
// schedule-visits job; Reschedule Visit opens a form with a date picker
// (only a workday with room at that IDC is accepted; a broken rule shows
// under the date) and a reason; Cancel Visit asks for a reason. The store
// tells the customer, the provider and the reception people every change.

const (
	actBookVisit       = "ll_book_visit"
	actRescheduleVisit = "ll_resched_visit"
	actCancelVisit     = "ll_cancel_visit"
	viewReschedule     = "ll_v_resched"
	viewCancelVisit    = "ll_v_cancel_visit"
)

// Visits is what staff's visit buttons and `/leaseline visits` need of the
// store.
type Visits interface {
	BookVisit(ctx context.Context, ticketID int64, now time.Time) (*models.Visit, bool, error)
	RescheduleVisit(ctx context.Context, actor models.Actor, visitID int64, date string, reason string) (*models.Visit, error)
	CancelVisit(ctx context.Context, actor models.Actor, visitID int64, reason string) (*models.Visit, error)
	BookedVisits(ctx context.Context, q models.VisitQuery) ([]models.VisitListing, error)
	// CheckIn records the visitors arrived (checkin.go).
	CheckIn(ctx context.Context, actor models.Actor, in models.CheckIn) (*models.Visit, error)
}

// canBookVisit: the ticket waits for its visit.
func canBookVisit(d *models.Detail, to recipient) bool {
	c := &d.Connection
	return to == toStaff && c.Status == models.StatusConnecting && c.Step == models.StepTicketSubmitted &&
		d.Ticket != nil && d.Ticket.State == models.TicketOpen
}

// canRescheduleVisit: a visit is booked (or canceled, or a no-show) and
// has not taken place: nobody was checked in (checkin.go).
func canRescheduleVisit(d *models.Detail, to recipient) bool {
	return to == toStaff && d.Connection.Status == models.StatusConnecting && d.Visit != nil && d.Visit.State != models.VisitDone &&
		d.Visit.ArrivedAt == nil
}

// canCancelVisit: a visit is booked and has not taken place.
func canCancelVisit(d *models.Detail, to recipient) bool {
	return canRescheduleVisit(d, to) && d.Visit.State == models.VisitScheduled
}

// visitButtons are staff's visit buttons offered now on the connection.
func visitButtons(p lang.Printer, d *models.Detail) []slack.BlockElement {
	var out []slack.BlockElement
	v := connValue(d.Connection.ID)
	if canBookVisit(d, toStaff) {
		out = append(out, button(actBookVisit, v, p.T("staffvisit.book"), slack.StylePrimary))
	}
	if canRescheduleVisit(d, toStaff) {
		out = append(out, button(actRescheduleVisit, v, p.T("staffvisit.reschedule"), ""))
	}
	if canCancelVisit(d, toStaff) {
		out = append(out, button(actCancelVisit, v, p.T("staffvisit.cancel"), slack.StyleDanger))
	}
	return out
}

// staffOnly tells a non-staff presser that visits are staff's, and nothing
// happens.
func (a *App) staffOnly(ctx context.Context, p press) bool {
	if p.actor.Role == models.RoleStaff {
		return true
	}
	a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, a.forUser(ctx, p.cb.User.ID).T("staffvisit.staff_only"))
	return false
}

// visitStaffDetail loads the connection for a staff visit button and
// checks that ok still holds; else the presser is told why not.
func (a *App) visitStaffDetail(ctx context.Context, p press, ok func(*models.Detail, recipient) bool) (*models.Detail, bool) {
	w := a.forUser(ctx, p.cb.User.ID)
	if !a.staffOnly(ctx, p) {
		return nil, false
	}
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err != nil {
		a.failPress(ctx, p, err)
		return nil, false
	}
	if ok(d, toStaff) {
		return d, true
	}
	msg := w.T("staffvisit.nothing_to_do", lang.Args{"Ref": d.Connection.DisplayID(), "Status": statusLine(w, &d.Connection)})
	if d.Visit != nil {
		msg = w.T("staffvisit.visit_is", lang.Args{"Ref": d.Connection.DisplayID(), "State": visitState(w, d.Visit.State), "Date": dayOf(w, d.Visit.Date)})
	}
	a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, msg)
	return nil, false
}

// pressBookVisit books the ticket's visit now.
func (a *App) pressBookVisit(ctx context.Context, p press) {
	d, ok := a.visitStaffDetail(ctx, p, canBookVisit)
	if !ok {
		return
	}
	v, booked, err := a.store.BookVisit(ctx, d.Ticket.ID, a.cfg.Now())
	if err != nil {
		a.failPress(ctx, p, err)
		return
	}
	w := a.forUser(ctx, p.cb.User.ID)
	args := lang.Args{"Ref": d.Connection.DisplayID(), "Date": dayOf(w, v.Date), "Window": esc(v.Window), "IDC": esc(idcNamed(w, d))}
	msg := w.T("staffvisit.booked", args)
	if !booked {
		msg = w.T("staffvisit.already_booked", args)
	}
	a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, msg)
}

// pressRescheduleVisit opens the reschedule form.
func (a *App) pressRescheduleVisit(ctx context.Context, p press) {
	d, ok := a.visitStaffDetail(ctx, p, canRescheduleVisit)
	if !ok {
		return
	}
	w := a.forUser(ctx, p.cb.User.ID)
	picker := slack.NewDatePickerBlockElement("v")
	picker.InitialDate = d.Visit.Date
	blocks := []slack.Block{
		section(w.T("staffvisit.reschedule_intro", lang.Args{"ID": pcID(&d.Connection), "IDC": esc(idcNamed(w, d)),
			"Date": dayOf(w, d.Visit.Date), "State": visitState(w, d.Visit.State)})),
		slack.NewInputBlock("date", plain(w.T("staffvisit.new_date")), plain(w.T("staffvisit.new_date_hint")), picker),
		textInput("reason", w.T("staffvisit.reason"), w.T("staffvisit.reason_hint"), 500, true, false),
	}
	a.openModal(ctx, p, modal(viewReschedule, w.T("staffvisit.reschedule_title"), w.T("staffvisit.reschedule_submit"), w.T("staffvisit.close"), p.meta(), blocks))
}

// pressCancelVisit opens the cancel-visit form.
func (a *App) pressCancelVisit(ctx context.Context, p press) {
	d, ok := a.visitStaffDetail(ctx, p, canCancelVisit)
	if !ok {
		return
	}
	w := a.forUser(ctx, p.cb.User.ID)
	blocks := []slack.Block{
		section(w.T("staffvisit.cancel_intro", lang.Args{"ID": pcID(&d.Connection), "Date": dayOf(w, d.Visit.Date), "IDC": esc(idcNamed(w, d))})),
		textInput("reason", w.T("staffvisit.reason"), w.T("staffvisit.reason_hint"), 500, true, false),
	}
	a.openModal(ctx, p, modal(viewCancelVisit, w.T("staffvisit.cancel_title"), w.T("staffvisit.cancel_submit"), w.T("staffvisit.close"), p.meta(), blocks))
}

// submitReschedule moves the visit within the ack, so that a date the IDC
// does not take shows its rule under the date picker.
func (a *App) submitReschedule(ctx context.Context, s submission) (any, func(context.Context)) {
	return a.changeVisit(ctx, s, func(v *models.Visit) error {
		_, err := a.store.RescheduleVisit(ctx, s.actor, v.ID, inputValue(s.cb, "date", "v"), inputValue(s.cb, "reason", "v"))
		return err
	})
}

// submitCancelVisit cancels the visit within the ack.
func (a *App) submitCancelVisit(ctx context.Context, s submission) (any, func(context.Context)) {
	return a.changeVisit(ctx, s, func(v *models.Visit) error {
		_, err := a.store.CancelVisit(ctx, s.actor, v.ID, inputValue(s.cb, "reason", "v"))
		return err
	})
}

func (a *App) changeVisit(ctx context.Context, s submission, change func(*models.Visit) error) (any, func(context.Context)) {
	if s.actor.Role != models.RoleStaff {
		w := a.forUser(ctx, s.cb.User.ID)
		return messageView(w, s.title(), w.T("staffvisit.staff_only_change")), nil
	}
	d, err := a.store.Detail(ctx, s.actor, s.meta.Conn)
	if err == nil && d.Visit == nil {
		err = fmt.Errorf("no IDC visit is booked for %s: %w", d.Connection.DisplayID(), models.ErrNotFound)
	}
	if err == nil {
		err = change(d.Visit)
	}
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, map[string]string{"Date": "date", "Reason": "reason", "Visit": "reason"}, "date"); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), nil
}
