package handlers_test

// Helpers of the entry-point tests (commands, apply form, App Home, panel).

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// customerOf is the actor of a seeded account's user.
func customerOf(user string, acct *models.Account) models.Actor {
	return models.Actor{UserID: user, Role: models.RoleCustomer, AccountID: acct.ID}
}

// goodApplication is an application every rule accepts.
func goodApplication(name string) models.Application {
	return models.Application{Name: name, AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj",
		PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301, Wensan Road, Hangzhou"}
}

// located is app at another location.
func located(app models.Application, location string) models.Application {
	app.Location = location
	return app
}

// applyDirect makes an Applying connection through the store.
func (e *env) applyDirect(actor models.Actor, app models.Application) *models.Connection {
	e.t.Helper()
	c, err := e.store.Apply(context.Background(), actor, app, customerChan)
	if err != nil {
		e.t.Fatalf("apply %q: %v", app.Name, err)
	}
	return c
}

// exec runs SQL on the test database (no parameters: tests write literals).
func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	db, err := e.store.DB()
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := db.Exec(query, args...); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
}

// manyConnections gives the account n connections through the store, five
// at a time (the open limit), then sets their statuses to status.
func (e *env) manyConnections(actor models.Actor, n int, status models.Status) {
	e.t.Helper()
	for i := 0; i < n; i++ {
		e.applyDirect(actor, goodApplication(fmt.Sprintf("Line %03d", i)))
		if i%5 == 4 {
			e.exec(fmt.Sprintf("UPDATE connections SET status = 'Enabled' WHERE account_id = %d", actor.AccountID))
		}
	}
	e.exec(fmt.Sprintf("UPDATE connections SET status = '%s' WHERE account_id = %d", status, actor.AccountID))
}

// responses returns what was posted to response URLs, after the post-ack
// work settled.
func (e *env) responses() []slackfake.Call {
	e.t.Helper()
	e.settle()
	return e.slack.Calls("response_url")
}

// lastResponse returns the text of the last response_url post.
func (e *env) lastResponse() string {
	e.t.Helper()
	rs := e.responses()
	if len(rs) == 0 {
		e.t.Fatalf("no response_url post; calls: %v", methods(e.slack.Calls("")))
	}
	return blocksText(rs[len(rs)-1].Param("blocks"))
}

func methods(calls []slackfake.Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Method
	}
	return out
}

// view decodes the "view" param of a views.* call.
func view(t *testing.T, c slackfake.Call) map[string]any {
	t.Helper()
	var v map[string]any
	if err := c.JSONParam("view", &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// lastView returns the view of the last call of method (views.open, …).
func (e *env) lastView(method string) map[string]any {
	e.t.Helper()
	e.settle()
	calls := e.slack.Calls(method)
	if len(calls) == 0 {
		e.t.Fatalf("no %s call; calls: %v", method, methods(e.slack.Calls("")))
	}
	return view(e.t, calls[len(calls)-1])
}

func blocksOf(v map[string]any) []map[string]any {
	raw, _ := v["blocks"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, b := range raw {
		m, _ := b.(map[string]any)
		out = append(out, m)
	}
	return out
}

func textOf(o any) string {
	m, _ := o.(map[string]any)
	s, _ := m["text"].(string)
	return s
}

// input finds the input block labelled label: its block ID, its element
// and its hint.
func input(t *testing.T, v map[string]any, label string) (blockID string, element map[string]any, hint string) {
	t.Helper()
	for _, b := range blocksOf(v) {
		if b["type"] == "input" && textOf(b["label"]) == label {
			el, _ := b["element"].(map[string]any)
			id, _ := b["block_id"].(string)
			return id, el, textOf(b["hint"])
		}
	}
	t.Fatalf("no input labelled %q in view", label)
	return "", nil, ""
}

// optionValues lists a select's option values (from options or groups).
func optionValues(el map[string]any) []string {
	var out []string
	add := func(opts any) {
		list, _ := opts.([]any)
		for _, o := range list {
			m, _ := o.(map[string]any)
			v, _ := m["value"].(string)
			out = append(out, v)
		}
	}
	add(el["options"])
	groups, _ := el["option_groups"].([]any)
	for _, g := range groups {
		m, _ := g.(map[string]any)
		add(m["options"])
	}
	return out
}

// applyForm is a filled apply form: field label -> value.
type applyForm map[string]string

// state builds the view state of the form v filled with f, addressing each
// field by the block and action IDs the view gives it.
func state(t *testing.T, v map[string]any, f applyForm) map[string]map[string]slack.BlockAction {
	t.Helper()
	out := map[string]map[string]slack.BlockAction{}
	for label, val := range f {
		id, el, _ := input(t, v, label)
		action, _ := el["action_id"].(string)
		var ba slack.BlockAction
		switch el["type"] {
		case "static_select", "external_select":
			ba.Type = slack.ActionType(el["type"].(string))
			ba.SelectedOption = slack.OptionBlockObject{Value: val}
		default:
			ba.Type = "plain_text_input"
			ba.Value = val
		}
		out[id] = map[string]slack.BlockAction{action: ba}
	}
	return out
}

// chooseAP sends the block_actions of choosing an access point in the open
// apply form v, and returns the updated view.
func (e *env) chooseAP(user string, v map[string]any, apID string) map[string]any {
	e.t.Helper()
	// The recorded views.open holds the view as sent, without the ID and
	// hash Slack gives it: make them up, as Slack's payload carries them.
	if v["id"] == nil {
		v["id"], v["hash"] = "VOPEN"+rand.Text()[:6], "h-"+rand.Text()[:6]
	}
	id, el, _ := input(e.t, v, models.FieldAccessPoint)
	status, _ := e.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":      map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":      map[string]any{"id": slackfake.TeamID},
		"container": map[string]any{"type": "view", "view_id": v["id"]},
		"view": map[string]any{"id": v["id"], "hash": v["hash"], "type": "modal", "callback_id": v["callback_id"],
			"private_metadata": v["private_metadata"], "state": map[string]any{"values": map[string]any{}}},
		"actions": []map[string]any{{"action_id": el["action_id"], "block_id": id, "type": el["type"],
			"selected_option": map[string]any{"value": apID}}},
	})
	if status != 200 {
		e.t.Fatalf("choose access point: HTTP %d", status)
	}
	u := e.lastView("views.update")
	u["id"], u["hash"] = v["id"], "h-"+rand.Text()[:6]
	return u
}

// openApplyForm runs /leaseline apply and returns the opened view.
func (e *env) openApplyForm(user, channel string) map[string]any {
	e.t.Helper()
	if status, ack := e.command(user, channel, "apply"); status != 200 || ack != nil {
		e.t.Fatalf("apply: HTTP %d, ack %v (want an empty ack)", status, ack)
	}
	return e.lastView("views.open")
}

// submitApply submits the apply form v filled with f.
func (e *env) submitApply(user string, v map[string]any, f applyForm) map[string]any {
	e.t.Helper()
	meta, _ := v["private_metadata"].(string)
	status, ack := e.submit(user, "ll_v_apply", meta, state(e.t, v, f))
	if status != 200 {
		e.t.Fatalf("submit: HTTP %d", status)
	}
	return ack
}

// event sends a signed Events API callback.
func (e *env) event(inner map[string]any) int {
	e.t.Helper()
	req, err := slackfake.EventRequest(e.server.URL+bot.PathEvents, signingSecret, time.Now(), map[string]any{
		"token": "x", "team_id": slackfake.TeamID, "api_app_id": "A0FAKE", "type": "event_callback",
		"event_id": "Ev" + rand.Text()[:10], "event_time": time.Now().Unix(), "event": inner,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	status, _ := e.do(req)
	return status
}

// openHome sends app_home_opened for user and returns the published view.
func (e *env) openHome(user string) map[string]any {
	e.t.Helper()
	if status := e.event(map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.0"}); status != 200 {
		e.t.Fatalf("app_home_opened: HTTP %d", status)
	}
	e.settle()
	calls := e.slack.Calls("views.publish")
	if len(calls) == 0 {
		e.t.Fatalf("no views.publish; calls: %v", methods(e.slack.Calls("")))
	}
	c := calls[len(calls)-1]
	if c.Param("user_id") != user {
		e.t.Fatalf("published for %q, want %q", c.Param("user_id"), user)
	}
	return view(e.t, c)
}

// viewText flattens the text of a view's blocks.
func viewText(v map[string]any) string {
	b, _ := json.Marshal(v["blocks"])
	return blocksText(string(b))
}

// mrkdwnTexts returns the text of every mrkdwn object of blocks (raw JSON).
func mrkdwnTexts(raw string) []string { return jTexts(raw, "mrkdwn") }

// assertNoRaw fails if any mrkdwn text of blocks holds one of raw.
func assertNoRaw(t *testing.T, where, blocks string, raw ...string) {
	t.Helper()
	for _, s := range mrkdwnTexts(blocks) {
		for _, r := range raw {
			if strings.Contains(s, r) {
				t.Errorf("%s: mrkdwn holds raw %q: %q", where, r, s)
			}
		}
	}
}

// assertLimits checks Block Kit's limits on blocks (raw JSON): at most
// maxBlocks blocks, button texts of 75 characters, 100 options per select,
// 3000 characters per text, 25 elements per actions block, unique block IDs.
func assertLimits(t *testing.T, where, blocks string, maxBlocks int) {
	t.Helper()
	var list []any
	if err := json.Unmarshal([]byte(blocks), &list); err != nil {
		t.Fatalf("%s: blocks: %v", where, err)
	}
	if len(list) > maxBlocks {
		t.Errorf("%s: %d blocks, limit %d", where, len(list), maxBlocks)
	}
	ids := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			switch x["type"] {
			case "button":
				if n := len([]rune(textOf(x["text"]))); n > 75 {
					t.Errorf("%s: button text of %d characters", where, n)
				}
			case "static_select", "external_select":
				if n := len(optionValues(x)); n > 100 {
					t.Errorf("%s: select with %d options", where, n)
				}
			case "actions":
				if els, _ := x["elements"].([]any); len(els) > 25 {
					t.Errorf("%s: actions block with %d elements", where, len(els))
				}
			case "mrkdwn", "plain_text":
				if n := len([]rune(textOf(x))); n > 3000 {
					t.Errorf("%s: text of %d characters", where, n)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	for _, b := range list {
		m, _ := b.(map[string]any)
		if id, _ := m["block_id"].(string); id != "" {
			if ids[id] {
				t.Errorf("%s: block_id %q twice", where, id)
			}
			ids[id] = true
		}
		walk(b)
	}
}

// blocksJSON re-encodes a view's blocks.
func blocksJSON(v map[string]any) string {
	b, _ := json.Marshal(v["blocks"])
	return string(b)
}

// commandForm is a slash command's form, for requests sent more than once.
func (e *env) commandForm(user, channel, text string) url.Values {
	return url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {slackfake.TeamID}, "trigger_id": {"trig-" + rand.Text()[:8]},
		"response_url": {e.slack.ResponseURL("cmd-" + rand.Text()[:8])},
	}
}

// pressIn is press with the user's team: an external user of a Slack
// Connect channel comes from another team.
func (e *env) pressIn(team, user, channel, actionID, value string) (int, map[string]any) {
	e.t.Helper()
	return e.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":         map[string]any{"id": user, "team_id": team},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1700000000.000100"},
		"message":      map[string]any{"ts": "1700000000.000100"},
		"response_url": e.slack.ResponseURL("act-" + rand.Text()[:8]),
		"actions":      []map[string]any{{"action_id": actionID, "value": value, "type": "button", "block_id": "b"}},
	})
}
