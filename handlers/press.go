package handlers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Presses: a button pressed on a connection acks at once; after the ack
// it resolves who pressed and runs the step's work, then shows the result
// on the message it was pressed on. The forms a press opens are forms.go.

// Block IDs of the actions blocks leaseline puts on messages about one
// connection. A button pressed in such a block may replace its message
// after the action; buttons elsewhere (lists, panels, App Home) never do.
const (
	blockCard   = "ll_card_"   // a notice or card about one connection
	blockReview = "ll_review_" // the review request in the staff channel
)

func cardBlockID(id int64) string   { return fmt.Sprintf("%s%d", blockCard, id) }
func reviewBlockID(id int64) string { return fmt.Sprintf("%s%d", blockReview, id) }

// target is a message to replace after an action: by chat.update when its
// channel and ts are known, else through the response_url. The zero target
// replaces nothing.
type target struct {
	Channel, TS, ResponseURL string
}

func (t target) empty() bool { return t.TS == "" && t.ResponseURL == "" }

// targetOf is the message a button was pressed on, when leaseline may
// replace it (see blockCard).
func targetOf(cb *slack.InteractionCallback) target {
	id := firstAction(cb).BlockID
	if !strings.HasPrefix(id, blockCard) && !strings.HasPrefix(id, blockReview) {
		return target{}
	}
	t := target{ResponseURL: cb.ResponseURL}
	if cb.Container.Type == "message" && !cb.Container.IsEphemeral && cb.Container.MessageTs != "" {
		t.Channel, t.TS = channelOf(cb), cb.Container.MessageTs
	}
	return t
}

// targetOfMeta is the message a modal was opened from (see press.meta).
func targetOfMeta(m meta) target {
	t := target{TS: m.MessageTS, ResponseURL: m.ResponseURL}
	if t.TS != "" {
		t.Channel = m.Channel
	}
	return t
}

// replace shows blocks in place of the target message.
func (a *App) replace(ctx context.Context, t target, blocks []slack.Block, text string) {
	blocks = capBlocks(a.forChannel(ctx, t.Channel), blocks, maxMessageBlocks)
	if t.Channel != "" && t.TS != "" {
		_, _, _, err := a.slack.UpdateMessageContext(ctx, t.Channel, t.TS, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(text, false))
		if err == nil {
			if err := a.store.CardReplaced(ctx, t.Channel, t.TS, buttonIDs(blocks), a.cfg.Now()); err != nil {
				a.log.WarnContext(ctx, "record card replaced", "channel", t.Channel, "err", err)
			}
			return
		}
		a.log.WarnContext(ctx, "update message in place", "channel", t.Channel, "err", err)
	}
	if t.ResponseURL != "" {
		msg := map[string]any{"replace_original": true, "blocks": blocks, "text": text}
		if err := a.resp.Respond(ctx, t.ResponseURL, msg); err != nil {
			a.log.WarnContext(ctx, "replace message through response_url", "err", err)
		}
	}
}

// press is a button pressed on a connection, resolved after the ack.
type press struct {
	cb     *slack.InteractionCallback
	conn   int64
	actor  models.Actor
	target target
}

// meta is what a modal opened by the press carries: the connection, the
// channel (to resolve the actor again on submission) and the message to
// replace afterwards.
func (p press) meta() meta {
	return meta{Conn: p.conn, Channel: channelOf(p.cb), MessageTS: p.target.TS, ResponseURL: p.target.ResponseURL}
}

// onPress builds the handler of a connection button: it acks at once; after
// the ack it resolves who pressed (staff, provider in its channel, customer)
// and runs fn.
func (a *App) onPress(fn func(ctx context.Context, p press)) bot.Handler {
	return a.pressHandler(nil, fn)
}

// staffPress is onPress for staff's buttons: anyone else is told, only them,
// that only staff may do what (approve or reject applications or bandwidth
// changes), and nothing happens.
func (a *App) staffPress(what models.Action, fn func(ctx context.Context, p press)) bot.Handler {
	return a.pressHandler(func(ctx context.Context, cb *slack.InteractionCallback) bool {
		staff, err := a.isStaff(ctx, cb.User.ID)
		if err != nil {
			a.fail(ctx, cb, err)
			return false
		}
		if staff {
			return true
		}
		w := a.forUser(ctx, cb.User.ID)
		a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":no_entry: "+w.T("actions.staff_only", lang.Args{"What": staffWork(w, what)}))
		return false
	}, fn)
}

func (a *App) pressHandler(allow func(context.Context, *slack.InteractionCallback) bool, fn func(ctx context.Context, p press)) bot.Handler {
	return func(_ context.Context, req bot.Request) (any, func(context.Context)) {
		cb := interaction(req)
		return nil, func(ctx context.Context) {
			id, err := actionConn(cb)
			if err != nil {
				a.log.WarnContext(ctx, "button without a connection", "err", err)
				a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":warning: "+a.forUser(ctx, cb.User.ID).T("actions.button_out_of_date"))
				return
			}
			if allow != nil && !allow(ctx, cb) {
				return
			}
			actor, err := a.actor(ctx, teamOf(cb), channelOf(cb), cb.User.ID)
			if err != nil {
				a.fail(ctx, cb, err)
				return
			}
			fn(ctx, press{cb: cb, conn: id, actor: actor, target: targetOf(cb)})
		}
	}
}

// failPress tells the user who pressed why the action did not happen; an
// action refused because the connection moved on says who moved it.
func (a *App) failPress(ctx context.Context, p press, err error) {
	a.fail(ctx, p.cb, a.explain(ctx, p.conn, err))
}

// explain turns "not allowed in this status" on a connection that is
// closed (Rejected, Canceled, Enabled) into who closed it and when
// ("already rejected by @x at …"): the loser of a race between two
// decisions learns what happened. Other errors pass through.
func (a *App) explain(ctx context.Context, id int64, err error) error {
	var done *models.AlreadyDoneError
	if errors.As(err, &done) || !errors.Is(err, models.ErrWrongStatus) {
		return err
	}
	d, derr := a.store.Detail(ctx, models.SystemActor(), id)
	if derr != nil {
		return err
	}
	if ev := closedBy(d); ev != nil {
		return &models.AlreadyDoneError{Action: ev.Action, Status: d.Connection.Status, By: ev.Actor, At: ev.At}
	}
	return err
}

// closedBy is the event that settled a connection (final, or Enabled; nil
// while it is open).
func closedBy(d *models.Detail) *models.AuditEvent {
	if !d.Connection.Status.Settled() {
		return nil
	}
	return lastEvent(d, func(ev models.AuditEvent) bool {
		return ev.ToStatus == d.Connection.Status && ev.FromStatus != ev.ToStatus
	})
}

// refusal says why role may not do action to the connection now, or nil
// when it may: checked before a form opens, so nobody fills in a form the
// engine would refuse.
func refusal(d *models.Detail, action models.Action, role models.Role) error {
	c := &d.Connection
	_, err := models.Lookup(action, c.Status, c.Step, role)
	if err == nil || !errors.Is(err, models.ErrWrongStatus) {
		return err
	}
	if ev := lastEvent(d, func(ev models.AuditEvent) bool { return ev.Action == action }); ev != nil {
		return &models.AlreadyDoneError{Action: action, Status: c.Status, By: ev.Actor, At: ev.At}
	}
	if ev := closedBy(d); ev != nil {
		return &models.AlreadyDoneError{Action: ev.Action, Status: c.Status, By: ev.Actor, At: ev.At}
	}
	return err
}

// lastEvent is the latest audit event of d matching ok.
func lastEvent(d *models.Detail, ok func(models.AuditEvent) bool) *models.AuditEvent {
	for i := len(d.Audit) - 1; i >= 0; i-- {
		if ok(d.Audit[i]) {
			return &d.Audit[i]
		}
	}
	return nil
}

// done is the line a settled card ends with: what was done (in the card's
// language p), by whom, when.
func done(p lang.Printer, what string, c *models.Connection, userID string) string {
	return "✓ " + p.T("actions.done_line", lang.Args{"What": what, "By": mention(userID), "At": when(c.UpdatedAt)})
}

// cardPrinter is the language of the message t: its channel's.
func (a *App) cardPrinter(ctx context.Context, t target) lang.Printer {
	return a.forChannel(ctx, t.Channel)
}

// staffWork is what only staff may do, for staffPress.
func staffWork(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApprove:
		return p.T("actions.staff_work.approve")
	case models.ActionReject:
		return p.T("actions.staff_work.reject")
	case models.ActionApproveBandwidth:
		return p.T("actions.staff_work.approve_bandwidth")
	case models.ActionRejectBandwidth:
		return p.T("actions.staff_work.reject_bandwidth")
	}
	return actionPhrase(p, a)
}

// didWhat is what a settled card says was done by a plain action
// ("Approved", "Provider notified").
func didWhat(p lang.Printer, a models.Action) string {
	switch a {
	case models.ActionApprove:
		return p.T("actions.did.approved")
	case models.ActionReject:
		return p.T("actions.did.rejected")
	case models.ActionCancel:
		return p.T("actions.did.canceled")
	case models.ActionPay:
		return p.T("actions.did.paid")
	case models.ActionConfirm:
		return p.T("actions.did.confirmed")
	case models.ActionNotifyProvider:
		return p.T("actions.did.provider_notified")
	case models.ActionCompleteConstruction:
		return p.T("actions.did.construction_complete")
	case models.ActionTerminate:
		return p.T("actions.did.termination_requested")
	case models.ActionCompleteRemoval:
		return p.T("actions.did.removal_complete")
	case models.ActionCancelTermination:
		return p.T("actions.did.termination_canceled")
	case models.ActionResubmit:
		return p.T("actions.did.resubmitted")
	case models.ActionRejectBandwidth:
		return p.T("actions.did.bandwidth_rejected")
	}
	return capitalize(pastTense(p, a))
}

// replayedDone recognizes a press replayed after a crash (bot.Replayed)
// whose action the first run had committed before the process died: the
// store says it is already done, by the same user. The first run may have
// died before settling the card, so the caller settles it with the line
// returned (who did it when, from the audit trail) and tells the user
// nothing: they saw no error. Any other error is not recognized.
func replayedDone(ctx context.Context, p press, err error, w lang.Printer, what string) (string, bool) {
	var d *models.AlreadyDoneError
	if !bot.Replayed(ctx) || !errors.As(err, &d) || d.By != p.cb.User.ID {
		return "", false
	}
	return "✓ " + w.T("actions.done_line", lang.Args{"What": what, "By": mention(d.By), "At": when(d.At)}), true
}

// actPress runs a plain lifecycle action for a press and shows the result
// on the message it was pressed on (show: settle, or settleReview for the
// review message). A replayed press whose action the same user already did
// shows it again and tells nothing. It returns the changed connection, or
// false when there is nothing more to do (the user has been told, or the
// replay settled).
func (a *App) actPress(ctx context.Context, p press, action models.Action, show func(context.Context, target, *models.Detail, string)) (*models.Detail, bool) {
	w := a.cardPrinter(ctx, p.target)
	what := didWhat(w, action)
	d, err := a.store.ActDetail(ctx, p.actor, p.conn, models.ActInput{Action: action})
	if err != nil {
		if line, ok := replayedDone(ctx, p, err, w, what); ok {
			if d, err := a.store.Detail(ctx, models.SystemActor(), p.conn); err == nil {
				show(ctx, p.target, d, line)
			} else {
				a.log.ErrorContext(ctx, "load connection to show a replayed press", "connection", p.conn, "err", err)
			}
			return nil, false
		}
		a.failPress(ctx, p, err)
		return nil, false
	}
	show(ctx, p.target, d, done(w, what, &d.Connection, p.actor.UserID))
	return d, true
}

// settle replaces the card a button was pressed on with the connection as
// it is now: what was done, by whom and when, the status and who acts next,
// and no buttons: a card offers a step only while it is the current one,
// and the notice of the next step carries the next buttons.
func (a *App) settle(ctx context.Context, t target, id int64, line string) {
	if t.empty() {
		return
	}
	d, err := a.store.Detail(ctx, models.SystemActor(), id)
	if err != nil {
		a.log.ErrorContext(ctx, "load connection to update its card", "connection", id, "err", err)
		return
	}
	a.settleDetail(ctx, t, d, line)
}

// settleDetail is settle with the connection's detail in hand.
func (a *App) settleDetail(ctx context.Context, t target, d *models.Detail, line string) {
	p := a.forChannel(ctx, t.Channel)
	if t.empty() {
		return
	}
	blocks := cardBlocks(p, d, "")
	blocks = append(blocks, slack.NewSectionBlock(md(regionTimes(p, line, d)), nil, nil))
	a.replace(ctx, t, blocks, p.T("actions.card_fallback", lang.Args{"ID": d.Connection.DisplayID(), "Status": statusWord(p, d.Connection.Status)}))
}
