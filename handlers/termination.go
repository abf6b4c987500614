package handlers

import (
	"cmp"
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// The end of a line's life: Terminate (the customer, or staff, with a
// reason and an optional planned removal date), Removal Complete (the
// provider, or staff, with the line's code and an optional note), and
// Cancel on a Terminating line (the customer or staff, with a reason).

const (
	actTerminate     = "ll_terminate"     // customer/staff: opens the termination dialog
	actRemoval       = "ll_removal"       // provider/staff: opens the Removal Complete form
	actCancelTerm    = "ll_cancel_term"   // customer/staff: opens the cancel-termination dialog
	viewTerminate    = "ll_v_terminate"   // termination reason and planned date
	viewRemoval      = "ll_v_removal"     // line code and note
	viewCancelTerm   = "ll_v_cancel_term" // reason to keep the line
	blockPlannedDate = "planned"          // the termination dialog's date picker
	blockRemovalNote = "note"             // the Removal Complete form's note
	blockLineCode    = "line_code"        // the Removal Complete form's line code
	blockTermReason  = "reason"           // the dialogs' reason
)

// pressTerminate opens the termination dialog.
func (a *App) pressTerminate(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionTerminate)
	if !ok {
		return
	}
	c := &d.Connection
	picker := slack.NewDatePickerBlockElement("v")
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Terminate `%s` (%s, port %s on %s at %s)? The status becomes *Terminating*; %s is asked to remove the line at the IDC on the next workday with room (or the planned date), and the port is freed when they report it removed. Until then the termination can be canceled.",
			pcID(c), esc(c.Name), esc(c.PortName), esc(c.DeviceID), esc(cmp.Or(d.AccessPoint.IDCName, apName(d))), esc(providerName(d)))), nil, nil),
		textInput(blockTermReason, "Reason", "Required; shown to the customer, staff and the provider exactly as written.", 1000, true, false),
		slack.NewInputBlock(blockPlannedDate, plain("Planned removal date"), plain("Optional: the removal visit is not booked before it."), picker).WithOptional(true),
	}
	a.openModal(ctx, p, modal(viewTerminate, "Terminate", "Terminate", "Keep the line", p.meta(), blocks))
}

// submitTerminate terminates within the ack.
func (a *App) submitTerminate(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionTerminate, Reason: inputValue(s.cb, blockTermReason, "v")}
	if raw := inputValue(s.cb, blockPlannedDate, "v"); raw != "" {
		d, err := models.ParseDate(raw)
		if err != nil {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockPlannedDate: "Choose a date, or leave it empty."}), nil
		}
		in.Planned = &d
	}
	return a.submitDayTwo(ctx, s, in, "Termination requested", map[string]string{"Reason": blockTermReason}, blockTermReason)
}

// pressRemoval opens the Removal Complete form.
func (a *App) pressRemoval(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionCompleteRemoval)
	if !ok {
		return
	}
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Report the line `%s` removed at %s (port %s on %s). The status becomes *Terminated* and the port is free for the next line at once.",
			pcID(c), esc(cmp.Or(d.AccessPoint.IDCName, apName(d))), esc(c.PortName), esc(c.DeviceID))), nil, nil),
		textInput(blockLineCode, "Line code", "The code of the line removed (this line's is on its card).", 64, false, false),
		textInput(blockRemovalNote, "Note", "Optional; kept in the audit trail.", 1000, true, true),
	}
	a.openModal(ctx, p, modal(viewRemoval, "Removal Complete", "Report removed", "Close", p.meta(), blocks))
}

// submitRemoval reports the removal within the ack.
func (a *App) submitRemoval(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionCompleteRemoval, LineCode: inputValue(s.cb, blockLineCode, "v"), Note: inputValue(s.cb, blockRemovalNote, "v")}
	return a.submitDayTwo(ctx, s, in, "Removal reported complete", map[string]string{"Line code": blockLineCode}, blockLineCode)
}

// pressCancelTermination opens the dialog that keeps a Terminating line.
func (a *App) pressCancelTermination(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionCancelTermination)
	if !ok {
		return
	}
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(fmt.Sprintf(
			"Cancel the termination of `%s` (%s)? The line returns to *Enabled* and keeps its port; the removal visit is canceled and %s is told.",
			pcID(c), esc(c.Name), esc(providerName(d)))), nil, nil),
		textInput(blockTermReason, "Reason", "Required; shown to the customer, staff and the provider exactly as written.", 1000, true, false),
	}
	a.openModal(ctx, p, modal(viewCancelTerm, "Cancel termination", "Keep the line", "Close", p.meta(), blocks))
}

// submitCancelTermination keeps the line within the ack.
func (a *App) submitCancelTermination(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionCancelTermination, Reason: inputValue(s.cb, blockTermReason, "v")}
	return a.submitDayTwo(ctx, s, in, "Termination canceled", map[string]string{"Reason": blockTermReason}, blockTermReason)
}

// pressDetail loads the pressed connection and checks that the presser may
// do a now; when not, the presser is told why and ok is false.
func (a *App) pressDetail(ctx context.Context, p press, act models.Action) (*models.Detail, bool) {
	d, err := a.store.Detail(ctx, p.actor, p.conn)
	if err == nil {
		err = refusal(d, act, p.actor.Role)
	}
	if err != nil {
		a.failPress(ctx, p, err)
		return nil, false
	}
	return d, true
}

// submitDayTwo runs a day-two action within the ack: broken rules show
// under their fields, other errors replace the form; after the ack the
// message the form was opened from shows what was done.
func (a *App) submitDayTwo(ctx context.Context, s submission, in models.ActInput, what string, fields map[string]string, first string) (any, func(context.Context)) {
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, in)
	if err != nil {
		if v := viewErrors(err, fields, first); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(what, c, s.actor.UserID))
	}
}
