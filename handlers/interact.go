package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// meta is what a modal carries in private_metadata: where it was opened
// from, so that the submission knows the connection, the channel to answer
// in and the message to update.
type meta struct {
	Conn        int64  `json:"conn,omitempty"`
	Channel     string `json:"ch,omitempty"`
	MessageTS   string `json:"ts,omitempty"`
	ResponseURL string `json:"ru,omitempty"`
	Extra       string `json:"x,omitempty"`
}

func (m meta) encode() string {
	b, _ := json.Marshal(m) // a struct of strings and ints always encodes
	return string(b)
}

func decodeMeta(s string) meta {
	var m meta
	_ = json.Unmarshal([]byte(s), &m) // a missing or foreign value reads as empty
	return m
}

// interaction returns the callback of an interaction request (never nil).
func interaction(req bot.Request) *slack.InteractionCallback {
	if req.Interaction == nil {
		return &slack.InteractionCallback{}
	}
	return req.Interaction
}

// teamOf is the Slack team of the user who sent the interaction.
func teamOf(cb *slack.InteractionCallback) string {
	if cb.User.TeamID != "" {
		return cb.User.TeamID
	}
	return cb.Team.ID
}

// channelOf is the channel an interaction happened in ("" for modals and
// App Home).
func channelOf(cb *slack.InteractionCallback) string {
	if cb.Channel.ID != "" {
		return cb.Channel.ID
	}
	return cb.Container.ChannelID
}

// firstAction returns the pressed element of a block_actions payload.
func firstAction(cb *slack.InteractionCallback) *slack.BlockAction {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return &slack.BlockAction{}
	}
	return cb.ActionCallback.BlockActions[0]
}

// actionConn reads the connection ID a button carries.
func actionConn(cb *slack.InteractionCallback) (int64, error) {
	v := firstAction(cb).Value
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, fmt.Errorf("button value %q is not a connection", v)
	}
	return id, nil
}

// tell shows text to the user who acted, and only to them: through the
// interaction's response_url when there is one, else as an ephemeral
// message in channel, else as a DM.
func (a *App) tell(ctx context.Context, responseURL, channel, user, text string) {
	blocks := []slack.Block{section(text)}
	var err error
	switch {
	case responseURL != "":
		err = a.resp.Respond(ctx, responseURL, ephemeral(blocks...))
	case channel != "":
		_, err = a.slack.PostEphemeralContext(ctx, channel, user, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(truncate(text, 300), false))
	default:
		_, _, err = a.slack.PostMessageContext(ctx, user, slack.MsgOptionBlocks(blocks...), slack.MsgOptionText(truncate(text, 300), false))
	}
	if err != nil {
		a.log.ErrorContext(ctx, "tell user", "user", user, "err", err)
	}
}

// fail tells the user what went wrong and what to do (see userMessage).
//
// A press replayed after a crash (bot.Replayed) that finds its action
// already done by the same user says nothing: the first run did it before
// the process died, and the user, who saw no error, needs none now.
func (a *App) fail(ctx context.Context, cb *slack.InteractionCallback, err error) {
	p := a.forUser(ctx, cb.User.ID)
	var done *models.AlreadyDoneError
	if bot.Replayed(ctx) && errors.As(err, &done) && done.By == cb.User.ID {
		a.log.InfoContext(ctx, "replayed press already done by the same user; nothing to tell", "err", err)
		return
	}
	a.tell(ctx, cb.ResponseURL, channelOf(cb), cb.User.ID, ":warning: "+a.userMessage(ctx, p, err))
}

// viewErrors turns rule errors into a view_submission ack showing each
// under its field (blockIDs maps field labels to block IDs); a rule of no
// field, or of a field not in the form, shows under fallbackBlock. It
// returns nil when err is not a rule error. The messages are in the
// reader's language p (fields match by their English names).
func viewErrors(p lang.Printer, err error, blockIDs map[string]string, fallbackBlock string) *slack.ViewSubmissionResponse {
	var rules models.RuleErrors
	var rule *models.RuleError
	switch {
	case errors.As(err, &rules):
	case errors.As(err, &rule):
		rules = models.RuleErrors{rule}
	default:
		return nil
	}
	out := map[string]string{}
	for _, r := range rules {
		id, ok := blockIDs[r.Field]
		if !ok {
			id = fallbackBlock
		}
		msg := ruleText(p, r)
		if prev, ok := out[id]; ok {
			out[id] = truncate(prev+" "+msg, 2000)
			continue
		}
		out[id] = truncate(msg, 2000)
	}
	return slack.NewErrorsViewSubmissionResponse(out)
}

// inputValue reads a submitted input's value: text, selected option, date
// or number, whichever the element has.
func inputValue(cb *slack.InteractionCallback, blockID, actionID string) string {
	v, ok := cb.View.State.Values[blockID][actionID]
	if !ok {
		return ""
	}
	switch {
	case v.SelectedOption.Value != "":
		return v.SelectedOption.Value
	case v.SelectedDate != "":
		return v.SelectedDate
	case v.SelectedDateTime != 0:
		return strconv.FormatInt(v.SelectedDateTime, 10)
	}
	return v.Value
}
