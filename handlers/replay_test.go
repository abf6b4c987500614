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

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/stack"
)

// TestExactReplayDoesNothingTwice: the same signed view_submission body,
// sent again within the signature window without X-Slack-Retry-Num, to
// the same replica or to another, creates one application and one review
// request.
func TestExactReplayDoesNothingTwice(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		other, err := stack.New(ctx, stack.Config{
			Store: e.store, BotToken: "xoxb-test", APIURL: e.slack.APIURL(), SigningSecret: signingSecret,
			Handlers: handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel, Now: e.clock.Now},
			Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		otherSrv := httptest.NewServer(other.Receiver)
		t.Cleanup(otherSrv.Close)
		otherDisp := other.Dispatcher

		v := e.chooseAP(customerUser, e.openApplyForm(customerUser, customerChan), "ap-cn-hangzhou-yh-b")
		meta, _ := v["private_metadata"].(string)
		payload, err := json.Marshal(map[string]any{
			"type": "view_submission", "trigger_id": "trig-" + rand.Text()[:8],
			"user": map[string]any{"id": customerUser, "team_id": slackfake.TeamID},
			"team": map[string]any{"id": slackfake.TeamID},
			"view": map[string]any{"id": "VREPLAY", "type": "modal", "callback_id": "ll_v_apply", "private_metadata": meta,
				"state": map[string]any{"values": state(t, v, applyForm{"Name": "Replayed", "Access Point": "ap-cn-hangzhou-yh-b",
					"Service Provider": "cu-zj", "Port Type": "1000Base-T", "Bandwidth": "1 Gbps", "Location": "Room 301", "Redundancy": "none"})}},
		})
		if err != nil {
			t.Fatal(err)
		}
		body := url.Values{"payload": {string(payload)}}.Encode()
		signed := time.Now()
		for i, target := range []string{e.server.URL, e.server.URL, otherSrv.URL} {
			req, err := slackfake.SignedRequest(target+bot.PathInteractions, signingSecret, signed, "application/x-www-form-urlencoded", []byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if status, _ := e.do(req); status != http.StatusOK {
				t.Fatalf("send %d: HTTP %d", i, status)
			}
		}
		e.settle()
		if err := otherDisp.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		rows, err := e.store.List(ctx, customerOf(customerUser, e.acme), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 {
			t.Fatalf("%d applications from one signed body sent three times, want 1", len(rows))
		}
		notices, _ := e.store.Notices(ctx, rows[0].ID)
		reviews := 0
		for _, n := range notices {
			if n.Kind == models.NoticeReviewRequest {
				reviews++
			}
		}
		if reviews != 1 {
			t.Errorf("%d review requests, want 1", reviews)
		}
	})
}
