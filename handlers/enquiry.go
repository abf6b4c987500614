package handlers

// Access point enquiries: tickets that customers open and staff answer
// (seed: "submit a ticket to obtain an access point and the restriction
// information of your service provider").

import (
	"cmp"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Block and action IDs of the enquiry form.
const (
	blkEnqAP    = "enq_ap"
	blkEnqText  = "enq_text"
	actEnqAP    = "ll_enq_ap" // external select of access points (suggestions)
	actEnqText  = "v"
	fieldEnqQ   = "Question"
	maxQuestion = 2000
)

// Block and action IDs of staff's answer form.
const (
	blkAnswer   = "answer_text"
	fieldAnswer = "Answer"
)

// answerButton opens staff's answer form for an enquiry (the Answer button
// of the enquiry's message in the staff channel).
func (a *App) answerButton(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		p := a.forUser(ctx, cb.User.ID)
		if staff, err := a.isStaff(ctx, cb.User.ID); err != nil || !staff {
			if err != nil {
				a.fail(ctx, cb, err)
				return
			}
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":no_entry: "+p.T("catalog.enquiry.only_staff"))
			return
		}
		id, err := strconv.ParseInt(firstAction(cb).Value, 10, 64)
		if err != nil || id <= 0 {
			a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":warning: "+p.T("catalog.enquiry.out_of_date"))
			return
		}
		t, err := a.store.Ticket(ctx, id)
		if err != nil || t.Kind != models.TicketEnquiry {
			a.fail(ctx, cb, fmt.Errorf("enquiry %d: %w", id, models.ErrNotFound))
			return
		}
		if t.State != models.TicketOpen {
			a.fail(ctx, cb, &models.AlreadyDoneError{Action: "answer", By: t.AnsweredBy, At: t.UpdatedAt})
			return
		}
		m := meta{Channel: channelOf(cb), MessageTS: cb.Container.MessageTs, Extra: strconv.FormatInt(t.ID, 10)}
		about := p.T("catalog.enquiry.general")
		if t.AccessPointID != "" {
			about = p.T("catalog.enquiry.about", lang.Args{"AccessPoint": t.AccessPointID})
		}
		view := slack.ModalViewRequest{
			Type:            slack.VTModal,
			Title:           plain(truncate(p.T("catalog.enquiry.answer_title", lang.Args{"ID": t.ID}), 24)),
			Submit:          plain(p.T("catalog.enquiry.answer_submit")),
			Close:           plain(p.T("catalog.enquiry.cancel")),
			CallbackID:      viewAnswer,
			PrivateMetadata: m.encode(),
			Blocks: slack.Blocks{BlockSet: []slack.Block{
				slack.NewSectionBlock(plain(truncate(about+": "+t.Text, maxPlainText)), nil, nil),
				slack.NewInputBlock(blkAnswer, plain(p.T("catalog.enquiry.answer_label")), plain(p.T("catalog.enquiry.answer_hint")),
					slack.NewPlainTextInputBlockElement(nil, actEnqText).WithMultiline(true).WithMaxLength(maxQuestion)),
			}},
		}
		if _, err := a.slack.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
			a.fail(ctx, cb, fmt.Errorf("open answer form: %w", err))
		}
	}
}

// submitAnswer records staff's answer in the ack (an empty answer, or one
// answered already, shows in the form), then updates the enquiry's message
// in the staff channel; the store's notice tells the customer.
func (a *App) submitAnswer(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	p := a.forUser(ctx, interaction(req).User.ID)
	if req.Kind != bot.KindViewSubmission {
		return nil, nil
	}
	cb := interaction(req)
	m := decodeMeta(cb.View.PrivateMetadata)
	fail := func(err error) any {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkAnswer: truncate(a.userMessage(ctx, p, err), 2000)})
	}
	if staff, err := a.isStaff(ctx, cb.User.ID); err != nil || !staff {
		return fail(cmp.Or(err, models.ErrForbidden)), nil
	}
	id, err := strconv.ParseInt(m.Extra, 10, 64)
	if err != nil || id <= 0 {
		return fail(fmt.Errorf("answer form: %w", models.ErrNotFound)), nil
	}
	actor := models.Actor{UserID: cb.User.ID, Role: models.RoleStaff}
	t, err := a.store.AnswerEnquiry(ctx, actor, id, inputValue(cb, blkAnswer, actEnqText))
	if err != nil {
		if resp := viewErrors(p, err, map[string]string{fieldAnswer: blkAnswer}, blkAnswer); resp != nil {
			return resp, nil
		}
		return fail(err), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		if m.Channel == "" || m.MessageTS == "" {
			return
		}
		opts, err := a.RenderNotice(ctx, models.Notice{Kind: models.NoticeEnquiry, Channel: m.Channel, Data: fmt.Sprintf(`{"ticket_id":%d}`, t.ID)})
		if err == nil {
			_, _, _, err = a.slack.UpdateMessageContext(ctx, m.Channel, m.MessageTS, opts...)
		}
		if err != nil {
			a.log.WarnContext(ctx, "update enquiry message", "ticket", t.ID, "err", err)
		}
	}
}

// enquireButton opens the enquiry form (panel, App Home).
func (a *App) enquireButton(_ context.Context, req bot.Request) (any, func(context.Context)) {
	cb := interaction(req)
	return nil, func(ctx context.Context) {
		m := meta{Channel: channelOf(cb), ResponseURL: cb.ResponseURL}
		if err := a.openEnquiry(ctx, a.forUser(ctx, cb.User.ID), cb.TriggerID, m, nil, ""); err != nil {
			a.fail(ctx, cb, err)
		}
	}
}

// openEnquiry opens the enquiry form, with ap chosen and question typed
// when given.
func (a *App) openEnquiry(ctx context.Context, p lang.Printer, triggerID string, m meta, ap *models.AccessPoint, question string) error {
	cv, err := a.loadCatalog(ctx)
	if err != nil {
		return err
	}
	qIn := slack.NewPlainTextInputBlockElement(plain(p.T("catalog.enquiry.question_placeholder")), actEnqText).
		WithMultiline(true).WithMaxLength(maxQuestion)
	if question != "" {
		qIn = qIn.WithInitialValue(truncate(question, maxQuestion))
	}
	apIn := slack.NewInputBlock(blkEnqAP, plain(p.T("catalog.enquiry.ap_label")), plain(p.T("catalog.enquiry.ap_hint")), cv.apSelect(p, actEnqAP, anyAP, ap))
	apIn.Optional = true
	view := slack.ModalViewRequest{
		Type:            slack.VTModal,
		Title:           plain(p.T("catalog.enquiry.title")),
		Submit:          plain(p.T("catalog.enquiry.send")),
		Close:           plain(p.T("catalog.enquiry.cancel")),
		CallbackID:      viewEnquire,
		PrivateMetadata: m.encode(),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			contextText(p.T("catalog.enquiry.intro")),
			apIn,
			slack.NewInputBlock(blkEnqText, plain(p.T("catalog.enquiry.question_label")), plain(p.T("catalog.enquiry.question_hint")), qIn),
		}},
	}
	if _, err := a.slack.OpenViewContext(ctx, triggerID, view); err != nil {
		return fmt.Errorf("open enquiry form: %w", err)
	}
	return nil
}

// submitEnquiry records the enquiry ticket in the ack (its rules show
// inline) and tells the user after.
func (a *App) submitEnquiry(ctx context.Context, req bot.Request) (any, func(context.Context)) {
	p := a.forUser(ctx, interaction(req).User.ID)
	if req.Kind != bot.KindViewSubmission {
		return nil, nil
	}
	cb := interaction(req)
	m := decodeMeta(cb.View.PrivateMetadata)
	ids := map[string]string{models.FieldAccessPoint: blkEnqAP, fieldEnqQ: blkEnqText}
	actor, err := a.actor(ctx, teamOf(cb), m.Channel, cb.User.ID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: truncate(a.userMessage(ctx, p, err), 2000)}), nil
	}
	reply, err := a.replyTarget(ctx, actor, m.Channel, cb.User.ID)
	if err != nil {
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: a.userMessage(ctx, p, err)}), nil
	}
	apID := inputValue(cb, blkEnqAP, actEnqAP)
	t, err := a.store.Enquire(ctx, actor, apID, inputValue(cb, blkEnqText, actEnqText), reply)
	if err != nil {
		if resp := viewErrors(p, err, ids, blkEnqText); resp != nil {
			return resp, nil
		}
		return slack.NewErrorsViewSubmissionResponse(map[string]string{blkEnqText: truncate(a.userMessage(ctx, p, err), 2000)}), nil
	}
	return slack.NewClearViewSubmissionResponse(), func(ctx context.Context) {
		a.tell(ctx, m.ResponseURL, m.Channel, cb.User.ID, a.enquirySent(ctx, p, t, reply))
	}
}

// enquirySent confirms an enquiry to the user.
func (a *App) enquirySent(ctx context.Context, p lang.Printer, t *models.Ticket, reply string) string {
	about := p.T("catalog.enquiry.sent_general")
	if t.AccessPointID != "" {
		about = "`" + esc(t.AccessPointID) + "`"
		if ap, err := a.store.AccessPoint(ctx, t.AccessPointID); err == nil {
			about = "*" + esc(named(p, ap.Name, ap.NameZh)) + "*"
		}
	}
	where := p.T("catalog.enquiry.sent_in_dm")
	if !isUserID(reply) {
		where = p.T("catalog.enquiry.sent_in_channel", lang.Args{"Channel": "<#" + reply + ">"})
	}
	return ":incoming_envelope: " + p.T("catalog.enquiry.sent", lang.Args{"ID": t.ID, "About": about, "Where": where}) +
		"\n>" + esc(truncate(strings.ReplaceAll(t.Text, "\n", " "), 500))
}

func (a *App) cmdEnquire(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, err := a.cmdActor(ctx, cmd)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	p := a.forUser(ctx, cmd.UserID)
	if actor.Role != models.RoleCustomer {
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: "+p.T("catalog.enquiry.customers_only"))
		return
	}
	m := meta{Channel: cmd.ChannelID, ResponseURL: cmd.ResponseURL}
	first, question := splitWord(rest)
	var ap *models.AccessPoint
	if first != "" {
		cv, err := a.loadCatalog(ctx)
		if err != nil {
			a.cmdFail(ctx, cmd, err)
			return
		}
		if ap = cv.accessPoint(first); ap == nil {
			// Not an access point: the whole text is a general question.
			question = rest
		}
	}
	if question == "" {
		if err := a.openEnquiry(ctx, p, cmd.TriggerID, m, ap, ""); err != nil {
			a.cmdFail(ctx, cmd, err)
		}
		return
	}
	reply, err := a.replyTarget(ctx, actor, cmd.ChannelID, cmd.UserID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	apID := ""
	if ap != nil {
		apID = ap.ID
	}
	t, err := a.store.Enquire(ctx, actor, apID, question, reply)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.enquirySent(ctx, p, t, reply))
}

// replyTarget is where a customer hears back about what they started in
// channel: the channel when it is linked to their account (its members
// share the account), else a direct message, so that nothing of the
// account shows in a channel of others.
func (a *App) replyTarget(ctx context.Context, actor models.Actor, channel, user string) (string, error) {
	if channel == "" || actor.AccountID == 0 {
		return user, nil
	}
	chans, err := a.store.AccountChannels(ctx, actor.AccountID)
	if err != nil {
		return "", fmt.Errorf("load account channels: %w", err)
	}
	for _, ch := range chans {
		if ch.ChannelID == channel {
			return channel, nil
		}
	}
	return user, nil
}

// isUserID reports whether id names a Slack user rather than a channel.
func isUserID(id string) bool { return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") }
