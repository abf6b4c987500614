package bot_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

// TestInstrumentTransport: Web API calls count by method and status class;
// a 429 counts as a rate limit of its method; a 5xx, an ok=false answer and
// a transport failure count as errors; response_url posts count as
// "other", never by their (secret) path; the client still reads every
// answer whole.
func TestInstrumentTransport(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	reg := prometheus.NewRegistry()
	tr, err := bot.InstrumentTransport(nil, fake.APIURL(), reg)
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Transport: tr}
	client := bot.NewClient("xoxb-test", fake.APIURL(), hc)
	ctx := context.Background()

	fake.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, time.Second)
	_, _, err = client.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) {
		t.Fatalf("post during a 429: %v", err)
	}
	if _, _, err := client.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Fatal(err)
	}
	fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError, 0)
	if _, _, err := client.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err == nil {
		t.Fatal("post during a 500 succeeded")
	}
	_, _, _, err = client.UpdateMessageContext(ctx, "C1", "1.000", slack.MsgOptionText("x", false))
	if err == nil || !strings.Contains(err.Error(), "message_not_found") {
		t.Fatalf("update of a missing message: %v", err)
	}
	if _, err := client.AuthTestContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := bot.NewResponder(hc).Respond(ctx, fake.ResponseURL("secret-hook"), slack.Msg{Text: "ok"}); err != nil {
		t.Fatal(err)
	}
	down := bot.NewClient("xoxb-test", "http://127.0.0.1:1/api/", hc)
	if _, err := down.AuthTestContext(ctx); err == nil {
		t.Fatal("auth.test against nothing succeeded")
	}

	want := `
# HELP leaseline_slack_api_rate_limits_total Slack Web API calls answered 429 (rate limited), by method.
# TYPE leaseline_slack_api_rate_limits_total counter
leaseline_slack_api_rate_limits_total{method="chat.postMessage"} 1
# HELP leaseline_slack_api_errors_total Failed Slack Web API calls by method and error: Slack's ok=false error code, http_<status>, or transport.
# TYPE leaseline_slack_api_errors_total counter
leaseline_slack_api_errors_total{error="http_429",method="chat.postMessage"} 1
leaseline_slack_api_errors_total{error="http_500",method="chat.postMessage"} 1
leaseline_slack_api_errors_total{error="message_not_found",method="chat.update"} 1
leaseline_slack_api_errors_total{error="transport",method="other"} 1
# HELP leaseline_slack_api_requests_total Slack Web API calls by method and HTTP status class (2xx, 4xx, 5xx; "error" when no response came).
# TYPE leaseline_slack_api_requests_total counter
leaseline_slack_api_requests_total{method="auth.test",status="2xx"} 1
leaseline_slack_api_requests_total{method="chat.postMessage",status="2xx"} 1
leaseline_slack_api_requests_total{method="chat.postMessage",status="4xx"} 1
leaseline_slack_api_requests_total{method="chat.postMessage",status="5xx"} 1
leaseline_slack_api_requests_total{method="chat.update",status="2xx"} 1
leaseline_slack_api_requests_total{method="other",status="2xx"} 1
leaseline_slack_api_requests_total{method="other",status="error"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Fatal(err)
	}
}
