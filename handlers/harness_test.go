package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
	"github.com/leaseline/leaseline/stack"
)

const (
	signingSecret = "test-signing-secret"
	staffUser     = "USTAFF1"
	staffChannel  = "CSTAFF"
	customerUser  = "UCUST1"
	customerChan  = "CACME"
	otherUser     = "UOTHER1"
	otherChan     = "CGLOBEX"
)

// clock is a settable test clock.
type clock = storetest.Clock

// env is the whole bot wired as in production, on a real database, against
// a fake Slack Web API that records every call; tests drive it only with
// signed Slack requests.
type env struct {
	t      *testing.T
	store  *store.Store
	slack  *slackfake.Server
	app    *handlers.App
	disp   *bot.Dispatcher
	server *httptest.Server
	clock  *clock
	acme   *models.Account
	globex *models.Account
}

func backends(t *testing.T) []string { return storetest.Backends(t) }

func eachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends(t) {
		t.Run(b, func(t *testing.T) { fn(t, newEnv(t, b)) })
	}
}

func newEnv(t *testing.T, backend string) *env {
	t.Helper()
	return newEnvLog(t, backend, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newEnvLog is newEnv logging to log (the store, the handlers and the
// dispatcher).
func newEnvLog(t *testing.T, backend string, log *slog.Logger) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{}
	clk.Set(time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)) // Thursday 10:00 in Shanghai
	st := storetest.OpenWithSample(t, backend, store.Config{StaffChannel: staffChannel, Now: clk.Now, Logger: log})
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	stk, err := stack.New(ctx, stack.Config{
		Store: st, BotToken: "xoxb-test", APIURL: fake.APIURL(), SigningSecret: signingSecret,
		Handlers: handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel, Now: clk.Now},
		Logger:   log,
	})
	if err != nil {
		t.Fatal(err)
	}
	app, disp, rc := stk.App, stk.Dispatcher, stk.Receiver
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	e := &env{t: t, store: st, slack: fake, app: app, disp: disp, server: srv, clock: clk}
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	for _, acct := range []struct {
		name, user, channel string
		dst                 **models.Account
	}{{"ACME", customerUser, customerChan, &e.acme}, {"Globex", otherUser, otherChan, &e.globex}} {
		a, err := st.CreateAccount(ctx, staff, acct.name, "", "CNY")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Credit(ctx, staff, a.ID, 1_000_000_00, "opening balance"); err != nil {
			t.Fatal(err)
		}
		if err := st.LinkChannel(ctx, staff, acct.channel, a.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.AddAccountUser(ctx, staff, acct.user, a.ID); err != nil {
			t.Fatal(err)
		}
		*acct.dst = a
	}
	return e
}

// settle waits for every piece of post-ack work to finish.
func (e *env) settle() {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.disp.Drain(ctx); err != nil {
		e.t.Fatalf("post-ack work did not finish: %v", err)
	}
}

// command sends a signed /leaseline command and returns the HTTP status and
// the ack body.
func (e *env) command(user, channel, text string) (int, map[string]any) {
	e.t.Helper()
	form := url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {slackfake.TeamID}, "trigger_id": {"trig-" + rand.Text()[:8]},
		"response_url": {e.slack.ResponseURL("cmd-" + rand.Text()[:8])},
	}
	req, err := slackfake.CommandRequest(e.server.URL+bot.PathCommands, signingSecret, time.Now(), form)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

// interact sends a signed interaction payload.
func (e *env) interact(payload any) (int, map[string]any) {
	e.t.Helper()
	req, err := slackfake.InteractionRequest(e.server.URL+bot.PathInteractions, signingSecret, time.Now(), payload)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.do(req)
}

func (e *env) do(req *http.Request) (int, map[string]any) {
	e.t.Helper()
	// Signatures are checked against the real time; the fake clock only
	// drives the business rules.
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	var out map[string]any
	if len(body) > 0 {
		_ = json.Unmarshal(body, &out)
	}
	return res.StatusCode, out
}

// press sends a block_actions payload: user presses the button actionID
// with value, in channel, on the message with ts.
func (e *env) press(user, channel, actionID, value string) (int, map[string]any) {
	e.t.Helper()
	return e.interact(map[string]any{
		"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
		"user":         map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team":         map[string]any{"id": slackfake.TeamID},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1700000000.000100"},
		"message":      map[string]any{"ts": "1700000000.000100"},
		"response_url": e.slack.ResponseURL("act-" + rand.Text()[:8]),
		"actions":      []map[string]any{{"action_id": actionID, "value": value, "type": "button", "block_id": "b"}},
	})
}

// submit sends a view_submission of the modal callbackID with the given
// state values (block_id -> action_id -> value object) and private metadata.
func (e *env) submit(user, callbackID, privateMetadata string, values map[string]map[string]slack.BlockAction) (int, map[string]any) {
	e.t.Helper()
	return e.interact(map[string]any{
		"type": "view_submission", "trigger_id": "trig-" + rand.Text()[:8],
		"user": map[string]any{"id": user, "team_id": slackfake.TeamID},
		"team": map[string]any{"id": slackfake.TeamID},
		"view": map[string]any{
			"id": "V" + rand.Text()[:8], "type": "modal", "callback_id": callbackID, "private_metadata": privateMetadata,
			"state": map[string]any{"values": values},
		},
	})
}

// blocksText flattens the text of every block of a recorded call's
// "blocks" parameter, to assert on what a user saw.
func blocksText(raw string) string { return slackfake.BlocksText([]byte(raw)) }
