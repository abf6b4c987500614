package demo

// The demo's Slack workspace: it sends the signed requests Slack would send
// when people type commands, press buttons and fill in forms, and finds the
// buttons and forms in what the fake Slack recorded.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

// workspace sends signed Slack requests to the bot as the people of the
// demo.
type workspace struct {
	ctx    context.Context
	fake   *slackfake.Server
	botURL string
	secret string
	http   *http.Client
	seq    int
	// acks collects what came back in the HTTP responses of the step (an
	// ack that updates a form), shown before the Web API calls.
	acks []seen
	n    names
}

func (w *workspace) next(prefix string) string {
	w.seq++
	return fmt.Sprintf("%s%04d", prefix, w.seq)
}

// command runs `/leaseline text` as user in channel.
func (w *workspace) command(user, channel, text string) error {
	form := url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {slackfake.TeamID}, "trigger_id": {w.next("trig-")},
		"response_url": {w.fake.ResponseURL(w.next("cmd-"))},
	}
	// Signatures use the real time: the receiver checks them against it.
	req, err := slackfake.CommandRequest(w.botURL+bot.PathCommands, w.secret, time.Now(), form)
	if err != nil {
		return err
	}
	ack, err := w.do(req)
	if err != nil {
		return fmt.Errorf("/leaseline %s: %w", text, err)
	}
	if len(ack) > 0 {
		w.acks = append(w.acks, seen{"only " + w.n.user(user) + " sees (reply)", w.n.blocks(ack["blocks"])})
	}
	return nil
}

// interact sends an interaction payload and returns the ack.
func (w *workspace) interact(payload map[string]any) (map[string]any, error) {
	req, err := slackfake.InteractionRequest(w.botURL+bot.PathInteractions, w.secret, time.Now(), payload)
	if err != nil {
		return nil, err
	}
	return w.do(req)
}

func (w *workspace) do(req *http.Request) (map[string]any, error) {
	req = req.WithContext(w.ctx)
	res, err := w.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("send to the bot: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the bot's answer: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the bot answered HTTP %d: %.200s", res.StatusCode, body)
	}
	var ack map[string]any
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := json.Unmarshal(body, &ack); err != nil {
			return nil, fmt.Errorf("the bot's ack is not JSON: %w", err)
		}
	}
	return ack, nil
}

// button is a button of a message kept by the fake Slack.
type button struct {
	channel, ts                    string
	blockID, actionID, value, text string
}

// findButton finds the newest message in channel with the button the
// script calls text: by its action ID when the script knows it (the same in
// every language), else by a text starting with text.
func (w *workspace) findButton(channel, text string) (button, error) {
	msgs := w.fake.Messages(channel)
	var offered []string
	for i := len(msgs) - 1; i >= 0; i-- {
		var blocks []map[string]any
		_ = json.Unmarshal(msgs[i].Blocks, &blocks)
		for _, b := range blocks {
			if b["type"] != "actions" {
				continue
			}
			els, _ := b["elements"].([]any)
			for _, el := range els {
				m, _ := el.(map[string]any)
				if m["type"] != "button" {
					continue
				}
				txt, _ := m["text"].(map[string]any)
				label, _ := txt["text"].(string)
				aid, _ := m["action_id"].(string)
				if want, ok := buttonActions[text]; (ok && aid == want) || (!ok && strings.HasPrefix(label, text)) {
					bid, _ := b["block_id"].(string)
					val, _ := m["value"].(string)
					return button{channel: channel, ts: msgs[i].TS, blockID: bid, actionID: aid, value: val, text: label}, nil
				}
				offered = append(offered, label)
			}
		}
	}
	return button{}, fmt.Errorf("no message in %s has a %q button (buttons there: %q)", w.n.channel(channel), text, offered)
}

// press presses, as user, the newest button of channel whose text starts
// with text.
func (w *workspace) press(user, channel, text string) (button, error) {
	b, err := w.findButton(channel, text)
	if err != nil {
		return b, err
	}
	ack, err := w.interact(map[string]any{
		"type": "block_actions", "trigger_id": w.next("trig-"),
		"user":         map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": b.ts},
		"message":      map[string]any{"ts": b.ts},
		"response_url": w.fake.ResponseURL(w.next("act-")),
		"actions":      []map[string]any{{"action_id": b.actionID, "block_id": b.blockID, "value": b.value, "type": "button"}},
	})
	if err != nil {
		return b, fmt.Errorf("press %s: %w", b.text, err)
	}
	if len(ack) > 0 {
		w.acks = append(w.acks, seen{"only " + w.n.user(user) + " sees (reply)", w.n.blocks(ack["blocks"])})
	}
	return b, nil
}

// lastForm is the form most recently opened or updated (views.open,
// views.push or views.update), with the ID and hash Slack would give it.
func (w *workspace) lastForm() (map[string]any, error) {
	calls := w.fake.Calls("")
	for i := len(calls) - 1; i >= 0; i-- {
		switch calls[i].Method {
		case "views.open", "views.push", "views.update":
			var v map[string]any
			if err := calls[i].JSONParam("view", &v); err != nil {
				return nil, err
			}
			v["id"], v["hash"] = fmt.Sprintf("VDEMO%d", i), fmt.Sprintf("%d.demo", i)
			return v, nil
		}
	}
	return nil, fmt.Errorf("no form was opened")
}

// input finds the input block of form labelled label (or with block ID
// label): its block ID and element.
func input(form map[string]any, label string, n names) (string, map[string]any, error) {
	blocks, _ := form["blocks"].([]any)
	for _, b := range blocks {
		m, _ := b.(map[string]any)
		id, _ := m["block_id"].(string)
		blk := fieldBlocks[label]
		if m["type"] == "input" && (n.textOf(m["label"]) == label || id == label || (blk != "" && (id == blk || strings.HasPrefix(id, blk+".")))) {
			el, _ := m["element"].(map[string]any)
			return id, el, nil
		}
	}
	return "", nil, fmt.Errorf("the %q form has no field %q", n.textOf(form["title"]), label)
}

// value is what a user puts in a field: typed text, a chosen option's
// value or a date and time.
type value struct {
	text string
	at   time.Time
}

// state fills form's fields (label or block ID -> value) as a user would.
func (w *workspace) state(form map[string]any, fields map[string]value) (map[string]map[string]slack.BlockAction, error) {
	out := map[string]map[string]slack.BlockAction{}
	for label, val := range fields {
		id, el, err := input(form, label, w.n)
		if err != nil {
			return nil, err
		}
		action, _ := el["action_id"].(string)
		typ, _ := el["type"].(string)
		ba := slack.BlockAction{Type: slack.ActionType(typ)}
		switch {
		case strings.HasSuffix(typ, "_select"), typ == "radio_buttons":
			ba.SelectedOption = slack.OptionBlockObject{Value: val.text}
		case typ == "datetimepicker":
			ba.SelectedDateTime = val.at.Unix()
		default:
			ba.Value = val.text
		}
		out[id] = map[string]slack.BlockAction{action: ba}
	}
	return out, nil
}

// choose picks option optValue in the select labelled label of the open
// form, as user: Slack sends block_actions from the view.
func (w *workspace) choose(user, label, optValue string) error {
	form, err := w.lastForm()
	if err != nil {
		return err
	}
	id, el, err := input(form, label, w.n)
	if err != nil {
		return err
	}
	_, err = w.interact(map[string]any{
		"type": "block_actions", "trigger_id": w.next("trig-"),
		"user":      map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":      map[string]any{"id": slackfake.TeamID},
		"container": map[string]any{"type": "view", "view_id": form["id"]},
		"view": map[string]any{"id": form["id"], "hash": form["hash"], "type": "modal", "callback_id": form["callback_id"],
			"private_metadata": form["private_metadata"], "state": map[string]any{"values": map[string]any{}}},
		"actions": []map[string]any{{"action_id": el["action_id"], "block_id": id, "type": el["type"],
			"selected_option": map[string]any{"value": optValue}}},
	})
	if err != nil {
		return fmt.Errorf("choose %s: %w", label, err)
	}
	return nil
}

// submit fills in the open form and submits it as user. Inline errors in
// the ack fail the step; a form the ack replaces is shown.
func (w *workspace) submit(user string, fields map[string]value) error {
	form, err := w.lastForm()
	if err != nil {
		return err
	}
	values, err := w.state(form, fields)
	if err != nil {
		return err
	}
	title := w.n.textOf(form["title"])
	ack, err := w.interact(map[string]any{
		"type": "view_submission", "trigger_id": w.next("trig-"),
		"user": map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team": map[string]any{"id": slackfake.TeamID},
		"view": map[string]any{"id": form["id"], "hash": form["hash"], "type": "modal", "callback_id": form["callback_id"],
			"private_metadata": form["private_metadata"], "state": map[string]any{"values": values}},
	})
	if err != nil {
		return fmt.Errorf("submit %s: %w", title, err)
	}
	switch ack["response_action"] {
	case "errors":
		errs, _ := ack["errors"].(map[string]any)
		var list []string
		for k, v := range errs {
			list = append(list, fmt.Sprintf("%s: %v", k, v))
		}
		return fmt.Errorf("the %s form refused the submission: %s", title, strings.Join(list, "; "))
	case "update", "push":
		v, _ := ack["view"].(map[string]any)
		w.acks = append(w.acks, seen{w.n.user(user) + " · the form now shows", w.n.modal(v)})
	default:
		w.acks = append(w.acks, seen{w.n.user(user) + " · the " + title + " form closes", nil})
	}
	return nil
}
