package handlers_test

// Helpers of the journey tests (review, pay, view, provider, ticket,
// construction, confirmation, notices): a courier that renders and
// "delivers" notices to the fake Slack as the delivery worker would, and
// presses on the buttons of the messages it delivered.

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

const (
	providerChan = "C0SAMPLECTZJ" // China Telecom Zhejiang's channel in the sample catalog
	providerUser = "UPROV1"
	rawIDNumber  = "110101199003071234"
	maskedID     = "**************1234"
)

// jStaff is the staff actor of the harness.
var jStaff = models.Actor{UserID: staffUser, Role: models.RoleStaff}

// jCustomer is ACME's customer actor.
func jCustomer(e *env) models.Actor {
	return models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: e.acme.ID}
}

// jProvider is China Telecom Zhejiang's provider actor.
var jProvider = models.Actor{UserID: providerUser, Role: models.RoleProvider, ProviderID: "ct-zj"}

// jApply makes an Applying connection of ACME through the store.
func jApply(e *env, name, location string) *models.Connection {
	e.t.Helper()
	return e.applyDirect(jCustomer(e), located(goodApplication(name), location))
}

// jStep runs one store step of the journey, failing the test on error.
func jStep(e *env, what string, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("%s: %v", what, err)
	}
}

// jSurvey is a valid survey of n engineers; the first carries rawIDNumber.
func jSurvey(e *env, n int) models.Survey {
	sv := models.Survey{ConstructionCompany: "Zhejiang Line Works", LineType: models.LineFibre,
		PlannedArrival: e.clock.Now().Add(24 * time.Hour)} // never after the ticket's next workday
	for i := range n {
		id := fmt.Sprintf("3301061990010%05d", i)
		if i == 0 {
			id = rawIDNumber
		}
		sv.Engineers = append(sv.Engineers, models.Engineer{Name: fmt.Sprintf("Engineer %02d", i+1), Phone: "+86 138 0000 0000", IDType: models.IDCard, IDNumber: id})
	}
	return sv
}

// jConn loads a connection as staff.
func jConn(e *env, id int64) *models.Detail {
	e.t.Helper()
	d, err := e.store.Detail(context.Background(), jStaff, id)
	if err != nil {
		e.t.Fatalf("load connection %d: %v", id, err)
	}
	return d
}

// jAudit counts a connection's audit events of action a.
func jAudit(e *env, id int64, a models.Action) int {
	n := 0
	for _, ev := range jConn(e, id).Audit {
		if ev.Action == a {
			n++
		}
	}
	return n
}

// jNotices lists a connection's notices of kind.
func jNotices(e *env, id int64, kind models.NoticeKind) []models.Notice {
	e.t.Helper()
	ns, err := e.store.Notices(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []models.Notice
	for _, n := range ns {
		if n.Kind == kind {
			out = append(out, n)
		}
	}
	return out
}

// posted is a notice delivered to the fake Slack.
type posted struct {
	notice  models.Notice
	channel string
	ts      string
	blocks  string // raw JSON
	text    string
}

// courier renders and delivers notices as the delivery worker does:
// RenderNotice, then chat.postMessage to the notice's channel.
type courier struct {
	e      *env
	client *slack.Client
	mu     sync.Mutex
	sent   map[int64]posted
	order  []int64
}

func newCourier(e *env) *courier {
	return &courier{e: e, client: bot.NewClient("xoxb-test", e.slack.APIURL(), nil), sent: map[int64]posted{}}
}

// deliver posts every notice not delivered yet and returns them.
func (k *courier) deliver() []posted {
	t := k.e.t
	t.Helper()
	k.e.settle()
	ctx := context.Background()
	ns, err := k.e.store.Notices(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []posted
	for _, n := range ns {
		if _, ok := k.sent[n.ID]; ok {
			continue
		}
		opts, err := k.e.app.RenderNotice(ctx, n)
		if err != nil {
			t.Fatalf("render notice %d (%s): %v", n.ID, n.Kind, err)
		}
		ch, ts, err := k.client.PostMessageContext(ctx, n.Channel, opts...)
		if err != nil {
			t.Fatalf("post notice %d (%s): %v", n.ID, n.Kind, err)
		}
		p := posted{notice: n, channel: ch, ts: ts}
		for _, m := range k.e.slack.Messages(ch) {
			if m.TS == ts {
				p.blocks, p.text = string(m.Blocks), m.Text
			}
		}
		k.sent[n.ID] = p
		k.order = append(k.order, n.ID)
		out = append(out, p)
	}
	return out
}

// one is the single delivered notice of kind to channel for connection id.
func (k *courier) one(id int64, kind models.NoticeKind, channel string) posted {
	k.e.t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	var found []posted
	for _, nid := range k.order {
		p := k.sent[nid]
		if p.notice.Kind == kind && p.channel == channel && p.notice.ConnectionID != nil && *p.notice.ConnectionID == id {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		k.e.t.Fatalf("%d %s notices to %s for connection %d, want 1", len(found), kind, channel, id)
	}
	return found[0]
}

// to lists the kinds delivered to channel, in order.
func (k *courier) to(channel string) []models.NoticeKind {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []models.NoticeKind
	for _, nid := range k.order {
		if p := k.sent[nid]; p.channel == channel {
			out = append(out, p.notice.Kind)
		}
	}
	return out
}

// jButton is a button of a message.
type jButton = slackfake.Button

// jButtons lists the buttons of blocks (raw JSON), in order.
func jButtons(raw string) []jButton { return slackfake.Buttons([]byte(raw)) }

// jButtonTexts lists the texts of the buttons of blocks.
func jButtonTexts(raw string) []string {
	var out []string
	for _, b := range jButtons(raw) {
		out = append(out, b.Text)
	}
	return out
}

// jWantButtons fails unless blocks carry exactly the buttons want (texts,
// in order; a text ending in "…" matches as a prefix).
func jWantButtons(t *testing.T, where, raw string, want ...string) {
	t.Helper()
	got := jButtonTexts(raw)
	ok := len(got) == len(want)
	for i := 0; ok && i < len(got); i++ {
		w := want[i]
		if p, cut := strings.CutSuffix(w, "…"); cut {
			ok = strings.HasPrefix(got[i], p)
		} else {
			ok = got[i] == w
		}
	}
	if !ok {
		t.Errorf("%s: buttons %q, want %q", where, got, want)
	}
}

// pressRequest is the signed block_actions request of user pressing the
// button actionID of a message posted in channel at ts.
func (e *env) pressRequest(user, channel, ts string, b jButton) *http.Request {
	e.t.Helper()
	payload := map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":         map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": ts},
		"message":      map[string]any{"ts": ts},
		"response_url": e.slack.ResponseURL("act-" + rand.Text()[:8]),
		"actions":      []map[string]any{{"action_id": b.ActionID, "value": b.Value, "type": "button", "block_id": b.BlockID}},
	}
	req, err := slackfake.InteractionRequest(e.server.URL+bot.PathInteractions, signingSecret, time.Now(), payload)
	if err != nil {
		e.t.Fatal(err)
	}
	return req
}

// pressOn presses, as user, the button whose text starts with text on the
// delivered message p, and waits for the post-ack work.
func (e *env) pressOn(user string, p posted, text string) {
	e.t.Helper()
	b := jFind(e.t, p, text)
	status, ack := e.do(e.pressRequest(user, p.channel, p.ts, b))
	if status != http.StatusOK || ack != nil {
		e.t.Fatalf("press %q: HTTP %d, ack %v (want 200 and an empty ack)", text, status, ack)
	}
	e.settle()
}

// jFind finds the button whose text starts with text on p.
func jFind(t *testing.T, p posted, text string) jButton {
	t.Helper()
	for _, b := range jButtons(p.blocks) {
		if strings.HasPrefix(b.Text, text) {
			return b
		}
	}
	t.Fatalf("%s to %s has no %q button; it has %q", p.notice.Kind, p.channel, text, jButtonTexts(p.blocks))
	return jButton{}
}

// jOpened is the view of the last views.open call, after the post-ack work.
func (e *env) jOpened() map[string]any {
	e.t.Helper()
	e.settle()
	calls := e.slack.Calls("views.open")
	if len(calls) == 0 {
		e.t.Fatalf("no views.open; calls: %v", methods(e.slack.Calls("")))
	}
	var v map[string]any
	if err := calls[len(calls)-1].JSONParam("view", &v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

// jSubmitView submits view v as user with values (block ID -> value).
func (e *env) jSubmitView(user string, v map[string]any, values map[string]slack.BlockAction) map[string]any {
	e.t.Helper()
	cb, _ := v["callback_id"].(string)
	meta, _ := v["private_metadata"].(string)
	state := map[string]map[string]slack.BlockAction{}
	for id, val := range values {
		state[id] = map[string]slack.BlockAction{"v": val}
	}
	status, ack := e.submit(user, cb, meta, state)
	if status != http.StatusOK {
		e.t.Fatalf("submit %s: HTTP %d", cb, status)
	}
	return ack
}

func jText(s string) slack.BlockAction { return slack.BlockAction{Type: "plain_text_input", Value: s} }
func jSelect(s string) slack.BlockAction {
	return slack.BlockAction{Type: "static_select", SelectedOption: slack.OptionBlockObject{Value: s}}
}
func jDateTime(t time.Time) slack.BlockAction {
	return slack.BlockAction{Type: "datetimepicker", SelectedDateTime: t.Unix()}
}

// jAckErrors returns the inline errors of a view_submission ack.
func jAckErrors(t *testing.T, ack map[string]any) map[string]string {
	t.Helper()
	if ack["response_action"] != "errors" {
		t.Fatalf("ack %v, want response_action errors", ack)
	}
	out := map[string]string{}
	errs, _ := ack["errors"].(map[string]any)
	for k, v := range errs {
		out[k], _ = v.(string)
	}
	return out
}

// jAckView returns the text of the view an "update" ack shows.
func jAckView(t *testing.T, ack map[string]any) string {
	t.Helper()
	if ack["response_action"] != "update" {
		t.Fatalf("ack %v, want response_action update", ack)
	}
	v, _ := ack["view"].(map[string]any)
	return blocksText(blocksJSON(v))
}

// jTexts walks blocks (raw JSON) and returns the texts of the text
// objects of type typ ("mrkdwn" or "plain_text").
func jTexts(raw, typ string) []string {
	var v any
	_ = json.Unmarshal([]byte(raw), &v)
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == typ {
				if s, ok := x["text"].(string); ok {
					out = append(out, s)
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
	walk(v)
	return out
}

// jTyped checks that typed text appears exactly as typed in a plain_text
// object of blocks and never raw in mrkdwn.
func jTyped(t *testing.T, where, raw string, typed ...string) {
	t.Helper()
	plainTexts := jTexts(raw, "plain_text")
	for _, s := range typed {
		if !slices.ContainsFunc(plainTexts, func(p string) bool { return strings.Contains(p, s) }) {
			t.Errorf("%s: %q not shown as plain text; plain texts: %q", where, s, plainTexts)
		}
		for _, m := range jTexts(raw, "mrkdwn") {
			if strings.Contains(m, s) {
				t.Errorf("%s: typed %q raw in mrkdwn %q", where, s, m)
			}
		}
	}
}

// jLimits checks Block Kit's limits on a message's or view's blocks.
func jLimits(t *testing.T, where, raw string, maxBlocks int) {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		t.Fatalf("%s: blocks: %v", where, err)
	}
	if len(list) == 0 || len(list) > maxBlocks {
		t.Errorf("%s: %d blocks, want 1 to %d", where, len(list), maxBlocks)
	}
	ids := map[string]bool{}
	for _, b := range list {
		if id, _ := b["block_id"].(string); id != "" {
			if ids[id] {
				t.Errorf("%s: block_id %q twice", where, id)
			}
			ids[id] = true
		}
		if b["type"] == "section" {
			if fs, _ := b["fields"].([]any); len(fs) > 10 {
				t.Errorf("%s: section with %d fields", where, len(fs))
			}
		}
		if b["type"] == "header" {
			if n := len([]rune(textOf(b["text"]))); n > 150 {
				t.Errorf("%s: header of %d characters", where, n)
			}
		}
	}
	for _, b := range jButtons(raw) {
		if n := len([]rune(b.Text)); n > 75 || n == 0 {
			t.Errorf("%s: button text %q of %d characters", where, b.Text, n)
		}
	}
	for _, typ := range []string{"mrkdwn", "plain_text"} {
		for _, s := range jTexts(raw, typ) {
			if n := len([]rune(s)); n > 3000 || n == 0 {
				t.Errorf("%s: %s text of %d characters", where, typ, n)
			}
		}
	}
}

// jNoRawID fails if the raw ID number appears in any call made to the fake
// Slack (params, bodies, response_url posts).
func jNoRawID(t *testing.T, e *env) {
	t.Helper()
	for _, c := range e.slack.Calls("") {
		if strings.Contains(string(c.Body), rawIDNumber) {
			t.Errorf("%s call carries the raw ID number: %.300s", c.Method, c.Body)
		}
	}
}

// jResponses lists the texts posted to response URLs since call n.
func jResponses(e *env, from int) []string {
	var out []string
	calls := e.slack.Calls("response_url")
	for _, c := range calls[min(from, len(calls)):] {
		out = append(out, blocksText(c.Param("blocks")))
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
