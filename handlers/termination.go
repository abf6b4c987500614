package handlers

import (
	"context"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
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
	a.openModal(ctx, p, terminateView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// terminateView is the termination dialog, in the reader's language p.
func terminateView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	picker := slack.NewDatePickerBlockElement("v")
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.terminate.intro", lang.Args{
			"ID": pcID(c), "Name": esc(c.Name), "Port": esc(c.PortName), "Device": esc(c.DeviceID),
			"IDC": esc(idcNamed(p, d)), "Provider": esc(providerName(p, d)), "Terminating": statusWord(p, models.StatusTerminating),
		})), nil, nil),
		textInput(blockTermReason, formField(p, "Reason"), p.T("forms.terminate.reason_hint"), 1000, true, false),
		slack.NewInputBlock(blockPlannedDate, plain(p.T("forms.terminate.planned")), plain(p.T("forms.terminate.planned_hint")), picker).WithOptional(true),
	}
	return modal(viewTerminate, p.T("forms.terminate.title"), p.T("forms.terminate.submit"), p.T("forms.terminate.close"), m, blocks)
}

// submitTerminate terminates within the ack.
func (a *App) submitTerminate(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionTerminate, Reason: inputValue(s.cb, blockTermReason, "v")}
	if raw := inputValue(s.cb, blockPlannedDate, "v"); raw != "" {
		d, err := models.ParseDate(raw)
		if err != nil {
			return slack.NewErrorsViewSubmissionResponse(map[string]string{blockPlannedDate: a.forUser(ctx, s.cb.User.ID).T("forms.terminate.bad_date")}), nil
		}
		in.Planned = &d
	}
	return a.submitDayTwo(ctx, s, in, map[string]string{"Reason": blockTermReason}, blockTermReason)
}

// pressRemoval opens the Removal Complete form.
func (a *App) pressRemoval(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionCompleteRemoval)
	if !ok {
		return
	}
	a.openModal(ctx, p, removalView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// removalView is the Removal Complete form, in the reader's language p.
func removalView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.removal.intro", lang.Args{
			"ID": pcID(c), "IDC": esc(idcNamed(p, d)), "Port": esc(c.PortName), "Device": esc(c.DeviceID),
			"Terminated": statusWord(p, models.StatusTerminated),
		})), nil, nil),
		textInput(blockLineCode, formField(p, "Line code"), p.T("forms.removal.line_code_hint"), 64, false, false),
		textInput(blockRemovalNote, formField(p, "Note"), p.T("forms.removal.note_hint"), 1000, true, true),
	}
	return modal(viewRemoval, p.T("forms.removal.title"), p.T("forms.removal.submit"), p.T("forms.close"), m, blocks)
}

// submitRemoval reports the removal within the ack.
func (a *App) submitRemoval(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionCompleteRemoval, LineCode: inputValue(s.cb, blockLineCode, "v"), Note: inputValue(s.cb, blockRemovalNote, "v")}
	return a.submitDayTwo(ctx, s, in, map[string]string{"Line code": blockLineCode}, blockLineCode)
}

// pressCancelTermination opens the dialog that keeps a Terminating line.
func (a *App) pressCancelTermination(ctx context.Context, p press) {
	d, ok := a.pressDetail(ctx, p, models.ActionCancelTermination)
	if !ok {
		return
	}
	a.openModal(ctx, p, cancelTerminationView(a.forUser(ctx, p.cb.User.ID), d, p.meta()))
}

// cancelTerminationView is the dialog that keeps a Terminating line, in
// the reader's language p.
func cancelTerminationView(p lang.Printer, d *models.Detail, m meta) slack.ModalViewRequest {
	c := &d.Connection
	blocks := []slack.Block{
		slack.NewSectionBlock(md(p.T("forms.cancel_termination.intro", lang.Args{
			"ID": pcID(c), "Name": esc(c.Name), "Provider": esc(providerName(p, d)), "Enabled": statusWord(p, models.StatusEnabled),
		})), nil, nil),
		textInput(blockTermReason, formField(p, "Reason"), p.T("forms.terminate.reason_hint"), 1000, true, false),
	}
	return modal(viewCancelTerm, p.T("forms.cancel_termination.title"), p.T("forms.cancel_termination.submit"), p.T("forms.close"), m, blocks)
}

// submitCancelTermination keeps the line within the ack.
func (a *App) submitCancelTermination(ctx context.Context, s submission) (any, func(context.Context)) {
	in := models.ActInput{Action: models.ActionCancelTermination, Reason: inputValue(s.cb, blockTermReason, "v")}
	return a.submitDayTwo(ctx, s, in, map[string]string{"Reason": blockTermReason}, blockTermReason)
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
func (a *App) submitDayTwo(ctx context.Context, s submission, in models.ActInput, fields map[string]string, first string) (any, func(context.Context)) {
	c, err := a.store.Act(ctx, s.actor, s.meta.Conn, in)
	if err != nil {
		if v := viewErrors(a.forUser(ctx, s.cb.User.ID), err, fields, first); v != nil {
			return v, nil
		}
		return a.errorView(ctx, s, err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		w := a.cardPrinter(ctx, targetOfMeta(s.meta))
		a.settle(ctx, targetOfMeta(s.meta), c.ID, done(w, didWhat(w, in.Action), c, s.actor.UserID))
	}
}
