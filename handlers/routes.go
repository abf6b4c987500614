package handlers

import (
	"context"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Register routes every command, action, view and event to its handler:
// the one table of leaseline's routes.
//
// Durable routes are the buttons whose post-ack work changes state without
// opening a modal (Approve, Notify Provider, Confirm): the press is
// journaled before the ack and replayed after a crash (bot.RunRecovery).
// Buttons that open a modal are not: a trigger_id expires 3 s after the
// press.
func (a *App) Register(r *bot.Router) {
	r.Command(cmdName, a.command)
	r.Fallback(a.fallback)

	// Applying (apply.go) and access-point enquiries (enquiry.go).
	r.Action(actApply, a.applyButton)
	r.Action(actApplyAP, a.applyAPChosen)
	r.Suggestion(actApplyAP, a.suggestAPs(openAP))
	r.View(viewApply, a.submitApply)
	r.Action(actEnquire, a.enquireButton)
	r.View(viewEnquire, a.submitEnquiry)
	r.Suggestion(actEnqAP, a.suggestAPs(anyAP))
	r.Action(actAnswer, a.answerButton)
	r.View(viewAnswer, a.submitAnswer)

	// The review in the staff channel (review.go): only staff press these.
	r.DurableAction(actApprove, a.staffPress(models.ActionApprove, a.pressApprove))
	r.Action(actReject, a.staffPress(models.ActionReject, a.pressReject))
	r.View(viewReject, a.onSubmit(a.submitReject))

	// The journey after the review: pay, view, provider, ticket,
	// construction, confirmation, cancellation.
	r.Action(actPay, a.onPress(a.pressPay))
	r.View(viewPay, a.onSubmit(a.submitPay))
	r.Action(actView, a.onPress(a.pressView))
	r.DurableAction(actNotifyProvider, a.onPress(a.pressNotify))
	r.Action(actSurvey, a.onPress(a.pressSurvey))
	r.Action(actSurveyMore, a.surveyMore)
	r.View(viewSurvey, a.onSubmit(a.submitSurvey))
	r.Action(actTicket, a.onPress(a.pressTicket))
	r.View(viewTicket, a.onSubmit(a.submitTicket))
	r.Action(actComplete, a.onPress(a.pressComplete))
	r.View(viewComplete, a.onSubmit(a.submitComplete))
	r.DurableAction(actConfirm, a.onPress(a.pressConfirm))
	r.Action(actCancel, a.onPress(a.pressCancel))
	r.View(viewCancel, a.onSubmit(a.submitCancel))
	// The end of a line's life (termination.go).
	r.Action(actTerminate, a.onPress(a.pressTerminate))
	r.View(viewTerminate, a.onSubmit(a.submitTerminate))
	r.Action(actRemoval, a.onPress(a.pressRemoval))
	r.View(viewRemoval, a.onSubmit(a.submitRemoval))
	r.Action(actCancelTerm, a.onPress(a.pressCancelTermination))
	r.View(viewCancelTerm, a.onSubmit(a.submitCancelTermination))
	// Edit and Resubmit (resubmit.go) opens the apply form, submitted as
	// viewApply.
	r.Action(actResubmit, a.onPress(a.pressResubmit))
	// Change Bandwidth (bandwidth.go): the customer asks, staff decide.
	r.Action(actBandwidth, a.onPress(a.pressBandwidth))
	r.View(viewBandwidth, a.onSubmit(a.submitBandwidth))
	r.Action(actBandwidthOK, a.staffPress(models.ActionApproveBandwidth, a.pressBandwidthApprove))
	r.Action(actBandwidthNo, a.staffPress(models.ActionRejectBandwidth, a.pressBandwidthReject))
	r.View(viewBandwidthNo, a.onSubmit(a.submitBandwidthReject))

	// Staff's IDC visit buttons (staffvisit.go).
	r.Action(actBookVisit, a.onPress(a.pressBookVisit))
	r.Action(actRescheduleVisit, a.onPress(a.pressRescheduleVisit))
	r.View(viewReschedule, a.onSubmit(a.submitReschedule))
	r.Action(actCancelVisit, a.onPress(a.pressCancelVisit))
	r.View(viewCancelVisit, a.onSubmit(a.submitCancelVisit))
	// Check-in at the IDC desk (checkin.go): the reception person or staff.
	r.Action(actVisitorsArrived, a.pressVisitorsArrived)

	// App Home (home.go) and the channel panel's read-only buttons
	// (panel.go).
	r.Event("app_home_opened", a.homeOpened)
	r.Action(actHomeRefresh, a.homeRefresh)
	r.Event("member_joined_channel", a.memberJoined)
	r.Event("member_left_channel", a.memberLeft)
	r.Event("message", a.dmMessage)
	r.Action(actList, a.panelAction(func(ctx context.Context, p lang.Printer, actor models.Actor, v string) ([]slack.Block, error) {
		return a.listBlocks(ctx, p, actor, parseListReq(v))
	}))
	r.Action(actAccessPoints, a.panelAction(func(ctx context.Context, p lang.Printer, _ models.Actor, _ string) ([]slack.Block, error) {
		return a.accessPointBlocks(ctx, p, "")
	}))
	r.Action(actShow, a.panelAction(func(ctx context.Context, p lang.Printer, actor models.Actor, v string) ([]slack.Block, error) {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, models.ErrNotFound
		}
		return a.detailBlocks(ctx, p, actor, id)
	}))
}
