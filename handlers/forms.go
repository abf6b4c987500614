package handlers

import (
	"context"
	"errors"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Forms: a modal opened by a press, submitted with its metadata; every
// form checks its rules within the ack and shows what to fix under the
// field.

// openModal opens a form on the press's trigger; Slack gives 3 seconds.
func (a *App) openModal(ctx context.Context, p press, v slack.ModalViewRequest) {
	if _, err := a.slack.OpenViewContext(ctx, p.cb.TriggerID, v); err != nil {
		a.log.ErrorContext(ctx, "open modal", "callback", v.CallbackID, "err", err)
		w := a.forUser(ctx, p.cb.User.ID)
		a.tell(ctx, p.cb.ResponseURL, channelOf(p.cb), p.cb.User.ID, ":warning: "+w.T("forms.not_opened"))
	}
}

// modal builds a form. submit "" means a view with only a Close button.
func modal(callbackID, title, submit, close string, m meta, blocks []slack.Block) slack.ModalViewRequest {
	v := slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      callbackID,
		Title:           plain(truncate(title, 24)),
		Close:           plain(truncate(close, 24)),
		Blocks:          slack.Blocks{BlockSet: trimBlocks(blocks, maxViewBlocks)},
		PrivateMetadata: m.encode(),
	}
	if submit != "" {
		v.Submit = plain(truncate(submit, 24))
	}
	return v
}

// submission is a form submitted, with its metadata and who submitted it.
type submission struct {
	cb    *slack.InteractionCallback
	meta  meta
	actor models.Actor
}

// title is the submitted form's title, for the views that replace it.
func (s submission) title() string {
	if s.cb.View.Title != nil && s.cb.View.Title.Text != "" {
		return s.cb.View.Title.Text
	}
	return "leaseline"
}

// onSubmit builds the handler of a form: within the ack it resolves who
// submitted (with the channel the form was opened from) and runs fn, whose
// ack shows errors under their fields or replaces the form.
func (a *App) onSubmit(fn func(ctx context.Context, s submission) (any, func(context.Context))) bot.Handler {
	return func(ctx context.Context, req bot.Request) (any, func(context.Context)) {
		if req.Kind != bot.KindViewSubmission {
			return nil, nil
		}
		cb := interaction(req)
		m := decodeMeta(cb.View.PrivateMetadata)
		s := submission{cb: cb, meta: m}
		if m.Conn <= 0 {
			p := a.forUser(ctx, cb.User.ID)
			return messageView(p, s.title(), ":warning: "+p.T("forms.out_of_date")), nil
		}
		actor, err := a.actor(ctx, teamOf(cb), m.Channel, cb.User.ID)
		if err != nil {
			return a.errorView(ctx, s, err), nil
		}
		s.actor = actor
		return fn(ctx, s)
	}
}

// errorView replaces a submitted form by what went wrong and what to do.
func (a *App) errorView(ctx context.Context, s submission, err error) *slack.ViewSubmissionResponse {
	p := a.forUser(ctx, s.cb.User.ID)
	return messageView(p, s.title(), ":warning: "+a.userMessage(ctx, p, a.explain(ctx, s.meta.Conn, err)))
}

// messageView is a view_submission ack replacing the form by a message,
// with a Close button in the reader's language p.
func messageView(p lang.Printer, title, text string) *slack.ViewSubmissionResponse {
	v := modal("ll_v_message", title, "", p.T("forms.close"), meta{}, []slack.Block{slack.NewSectionBlock(md(text), nil, nil)})
	return slack.NewUpdateViewSubmissionResponse(&v)
}

// textInput is a plain-text input block of a form.
func textInput(blockID, label, hint string, maxLen int, multiline, optional bool) *slack.InputBlock {
	el := slack.NewPlainTextInputBlockElement(nil, "v").WithMaxLength(maxLen).WithMultiline(multiline)
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	return slack.NewInputBlock(blockID, plain(label), h, el).WithOptional(optional)
}

// selectInput is a static select input block of a form; opts are its
// options (value and text), placeholder its "Choose".
func selectInput(blockID, label, hint, placeholder string, optional bool, opts ...*slack.OptionBlockObject) *slack.InputBlock {
	el := slack.NewOptionsSelectBlockElement(slack.OptTypeStatic, plain(placeholder), "v", opts...)
	var h *slack.TextBlockObject
	if hint != "" {
		h = plain(hint)
	}
	return slack.NewInputBlock(blockID, plain(label), h, el).WithOptional(optional)
}

// asRuleErrors returns the broken rules err carries, if it carries any.
func asRuleErrors(err error) (models.RuleErrors, bool) {
	var rules models.RuleErrors
	var rule *models.RuleError
	switch {
	case errors.As(err, &rules):
		return rules, true
	case errors.As(err, &rule):
		return models.RuleErrors{rule}, true
	}
	return nil, false
}
