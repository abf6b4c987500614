package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

const secret = "test-signing-secret"

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fixture struct {
	router *bot.Router
	d      *bot.Dispatcher
	recv   *bot.HTTPReceiver
	reg    *prometheus.Registry
}

func newFixture(t testing.TB, setup func(r *bot.Router)) *fixture {
	t.Helper()
	r := bot.NewRouter()
	if setup != nil {
		setup(r)
	}
	reg := prometheus.NewRegistry()
	d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger(), Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	recv, err := bot.NewHTTPReceiver(d, secret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = d.Shutdown(ctx)
	})
	return &fixture{router: r, d: d, recv: recv, reg: reg}
}

func (f *fixture) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.recv.ServeHTTP(w, r)
	return w
}

// settle waits until the requests sent so far are settled: their later work
// done and their keys marked handled in the seen-set (milliseconds after
// the ack), as they are by the time Slack retries one.
func (f *fixture) settle(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func helpForm(text string) url.Values {
	return url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {"U1"}, "channel_id": {"C1"},
		"team_id": {"T1"}, "trigger_id": {"trig-1"}, "response_url": {"https://example.invalid/r"},
	}
}

func TestSignatureRefused(t *testing.T) {
	var calls atomic.Int32
	f := newFixture(t, func(r *bot.Router) {
		r.Fallback(func(context.Context, bot.Request) (any, func(context.Context)) {
			calls.Add(1)
			return nil, nil
		})
	})
	body := []byte(helpForm("help").Encode())
	now := time.Now()
	tests := []struct {
		name  string
		build func() *http.Request
	}{
		{"forged secret", func() *http.Request {
			return must(slackfake.SignedRequest(bot.PathCommands, "other-secret", now, "application/x-www-form-urlencoded", body))
		}},
		{"tampered body", func() *http.Request {
			r := must(slackfake.SignedRequest(bot.PathCommands, secret, now, "application/x-www-form-urlencoded", body))
			r.Body = io.NopCloser(strings.NewReader(string(body) + "&text=admin"))
			return r
		}},
		{"stale 6 minutes", func() *http.Request {
			return must(slackfake.SignedRequest(bot.PathCommands, secret, now.Add(-6*time.Minute), "application/x-www-form-urlencoded", body))
		}},
		{"from the future", func() *http.Request {
			return must(slackfake.SignedRequest(bot.PathCommands, secret, now.Add(6*time.Minute), "application/x-www-form-urlencoded", body))
		}},
		{"missing headers", func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, bot.PathCommands, strings.NewReader(string(body)))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}},
		{"garbage signature", func() *http.Request {
			r := must(slackfake.SignedRequest(bot.PathCommands, secret, now, "application/x-www-form-urlencoded", body))
			r.Header.Set("X-Slack-Signature", "v0=zz")
			return r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.do(tt.build())
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("status = %d, want 401", w.Code)
			}
			if strings.Contains(w.Body.String(), "v0=") {
				t.Errorf("401 body leaks signature: %q", w.Body.String())
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("handler ran %d times on refused requests", n)
	}
	if got := metricValue(t, f.reg, "leaseline_slack_signature_failures_total"); got != float64(len(tests)) {
		t.Errorf("signature failures metric = %v, want %d", got, len(tests))
	}
}

// metricValue sums the counter or gauge values of the metric family name.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

func TestSignatureOKRunsHandler(t *testing.T) {
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", func(_ context.Context, req bot.Request) (any, func(context.Context)) {
			return slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: "help for " + req.Command.UserID}, nil
		})
	})
	w := f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("help"))))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d, body %q", w.Code, w.Body.String())
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var msg slack.Msg
	if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil {
		t.Fatal(err)
	}
	if msg.ResponseType != "ephemeral" || msg.Text != "help for U1" {
		t.Errorf("ack = %+v", msg)
	}
}

func TestBodyTooLarge(t *testing.T) {
	var calls atomic.Int32
	f := newFixture(t, func(r *bot.Router) {
		r.Fallback(func(context.Context, bot.Request) (any, func(context.Context)) { calls.Add(1); return nil, nil })
	})
	big := helpForm(strings.Repeat("x", bot.DefaultMaxBodyBytes+10))
	w := f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), big)))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status = %d, want 413", w.Code)
	}
	if calls.Load() != 0 {
		t.Error("handler ran")
	}
}

func TestMethodAndRoute(t *testing.T) {
	f := newFixture(t, nil)
	w := f.do(httptest.NewRequest(http.MethodGet, bot.PathCommands, nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: status = %d, want 405", w.Code)
	}
	w = f.do(must(slackfake.CommandRequest("/slack/nope", secret, time.Now(), helpForm("help"))))
	if w.Code != http.StatusNotFound {
		t.Errorf("unknown path: status = %d, want 404", w.Code)
	}
}

func TestURLVerification(t *testing.T) {
	f := newFixture(t, nil)
	ev := map[string]any{"token": "x", "challenge": "chal-123", "type": "url_verification"}
	w := f.do(must(slackfake.EventRequest(bot.PathEvents, secret, time.Now(), ev)))
	if w.Code != http.StatusOK {
		t.Fatalf("status = %d", w.Code)
	}
	var got struct{ Challenge string }
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || got.Challenge != "chal-123" {
		t.Fatalf("body = %q (%v)", w.Body.String(), err)
	}
}

func eventCallback(eventID, innerType string) map[string]any {
	inner := map[string]any{"type": innerType, "user": "U1", "channel": "D1", "tab": "home", "event_ts": "1.2"}
	if innerType == "member_joined_channel" {
		inner = map[string]any{"type": innerType, "user": "U1", "channel": "C1", "channel_type": "C", "team": "T1", "event_ts": "1.2"}
	}
	return map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	}
}

func TestRoutingOverHTTP(t *testing.T) {
	type hit struct {
		route string
		kind  bot.Kind
	}
	var (
		mu   sync.Mutex
		hits []hit
	)
	record := func(route string) bot.Handler {
		return func(_ context.Context, req bot.Request) (any, func(context.Context)) {
			mu.Lock()
			hits = append(hits, hit{route, req.Kind})
			mu.Unlock()
			if req.ID == "" {
				t.Error("request without ID")
			}
			return nil, nil
		}
	}
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", record("cmd"))
		r.Action("conn_", record("action conn_"))
		r.Action("conn_pay_", record("action conn_pay_"))
		r.View("apply", record("view apply"))
		r.Suggestion("ap_", record("suggest ap_"))
		r.Shortcut("new_app", record("shortcut new_app"))
		r.Event("app_home_opened", record("event home"))
		r.Event("member_joined_channel", record("event joined"))
		r.Fallback(record("fallback"))
	})
	now := time.Now()
	inter := func(p map[string]any) *http.Request {
		return must(slackfake.InteractionRequest(bot.PathInteractions, secret, now, p))
	}
	reqs := []struct {
		req  *http.Request
		want hit
	}{
		{must(slackfake.CommandRequest(bot.PathCommands, secret, now, helpForm("list"))), hit{"cmd", bot.KindCommand}},
		{inter(map[string]any{"type": "block_actions", "actions": []any{map[string]any{"action_id": "conn_pay_42", "type": "button", "block_id": "b1"}}}), hit{"action conn_pay_", bot.KindBlockAction}},
		{inter(map[string]any{"type": "block_actions", "actions": []any{map[string]any{"action_id": "conn_view_42", "type": "button", "block_id": "b1"}}}), hit{"action conn_", bot.KindBlockAction}},
		{inter(map[string]any{"type": "block_actions", "actions": []any{map[string]any{"action_id": "zzz", "type": "button", "block_id": "b1"}}}), hit{"fallback", bot.KindBlockAction}},
		{inter(map[string]any{"type": "view_submission", "view": map[string]any{"callback_id": "apply_form", "type": "modal"}}), hit{"view apply", bot.KindViewSubmission}},
		{inter(map[string]any{"type": "view_closed", "view": map[string]any{"callback_id": "apply_form", "type": "modal"}}), hit{"view apply", bot.KindViewClosed}},
		{inter(map[string]any{"type": "block_suggestion", "action_id": "ap_select", "value": "sha"}), hit{"suggest ap_", bot.KindBlockSuggestion}},
		{inter(map[string]any{"type": "shortcut", "callback_id": "new_app"}), hit{"shortcut new_app", bot.KindShortcut}},
		{must(slackfake.EventRequest(bot.PathEvents, secret, now, eventCallback("Ev1", "app_home_opened"))), hit{"event home", bot.KindEvent}},
		{must(slackfake.EventRequest(bot.PathEvents, secret, now, eventCallback("Ev2", "member_joined_channel"))), hit{"event joined", bot.KindEvent}},
	}
	for i, tc := range reqs {
		w := f.do(tc.req)
		if w.Code != http.StatusOK || w.Body.Len() != 0 {
			t.Errorf("#%d: status %d body %q, want empty 200", i, w.Code, w.Body.String())
		}
		mu.Lock()
		if len(hits) != i+1 || hits[i] != tc.want {
			t.Errorf("#%d: hits = %v, want last %v", i, hits, tc.want)
		}
		mu.Unlock()
	}
}

func TestLaterRunsAfterAckAndShutdownWaits(t *testing.T) {
	release := make(chan struct{})
	var done atomic.Bool
	var laterReqID atomic.Value
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", func(ctx context.Context, req bot.Request) (any, func(context.Context)) {
			if _, ok := ctx.Deadline(); !ok {
				t.Error("handler ctx has no deadline")
			}
			return map[string]string{"text": "working on it"}, func(ctx context.Context) {
				laterReqID.Store(bot.RequestID(ctx))
				<-release
				if ctx.Err() != nil {
					t.Errorf("later ctx ended early: %v", ctx.Err())
				}
				done.Store(true)
			}
		})
	})
	w := f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("apply"))))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "working on it") {
		t.Fatalf("ack = %d %q", w.Code, w.Body.String())
	}
	if done.Load() {
		t.Fatal("later finished before the ack")
	}
	// Shutdown must wait; a short ctx expires while later is blocked.
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	shutdownErr := make(chan error, 1)
	go func() { shutdownErr <- f.d.Shutdown(context.Background()) }()
	select {
	case err := <-shutdownErr:
		t.Fatalf("Shutdown returned %v before later finished", err)
	case <-short.Done():
	}
	// New requests are refused while shutting down.
	w = f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("list"))))
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("during shutdown: status = %d, want 503", w.Code)
	}
	close(release)
	select {
	case err := <-shutdownErr:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Shutdown did not return")
	}
	if !done.Load() {
		t.Fatal("Shutdown returned before later finished")
	}
	if id, _ := laterReqID.Load().(string); id == "" {
		t.Error("later ctx has no request ID")
	}
}

func TestShutdownTimeoutCancelsLater(t *testing.T) {
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", func(context.Context, bot.Request) (any, func(context.Context)) {
			return nil, func(ctx context.Context) { <-ctx.Done() }
		})
	})
	f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("x"))))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	if err := f.d.Shutdown(ctx); err == nil {
		t.Fatal("Shutdown = nil, want deadline error")
	}
}

func TestRetryNotRunTwice(t *testing.T) {
	var runs, laterRuns atomic.Int32
	f := newFixture(t, func(r *bot.Router) {
		h := func(context.Context, bot.Request) (any, func(context.Context)) {
			runs.Add(1)
			return nil, func(context.Context) { laterRuns.Add(1) }
		}
		r.Command("/leaseline", h)
		r.Event("app_home_opened", h)
	})
	now := time.Now()
	// Slash command: same body, retried.
	form := helpForm("apply")
	w := f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, now, form)))
	f.settle(t)
	retry := must(slackfake.CommandRequest(bot.PathCommands, secret, now, form))
	retry.Header.Set("X-Slack-Retry-Num", "1")
	w2 := f.do(retry)
	// Event: same event_id, the retry re-signed later.
	f.do(must(slackfake.EventRequest(bot.PathEvents, secret, now, eventCallback("EvSame", "app_home_opened"))))
	f.settle(t)
	evRetry := must(slackfake.EventRequest(bot.PathEvents, secret, now.Add(time.Second), eventCallback("EvSame", "app_home_opened")))
	evRetry.Header.Set("X-Slack-Retry-Num", "2")
	w3 := f.do(evRetry)
	for i, rec := range []*httptest.ResponseRecorder{w, w2, w3} {
		if rec.Code != http.StatusOK {
			t.Errorf("#%d: status %d", i, rec.Code)
		}
	}
	if err := f.d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 2 || laterRuns.Load() != 2 {
		t.Errorf("runs = %d, later = %d; want 2 and 2", runs.Load(), laterRuns.Load())
	}
}

func TestPanicsAreContained(t *testing.T) {
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", func(_ context.Context, req bot.Request) (any, func(context.Context)) {
			if req.Command.Text == "boom-now" {
				panic("handler boom")
			}
			return nil, func(context.Context) { panic("later boom") }
		})
	})
	w := f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("boom-later"))))
	if w.Code != http.StatusOK {
		t.Errorf("status = %d", w.Code)
	}
	w = f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("boom-now"))))
	if w.Code != http.StatusInternalServerError {
		t.Errorf("handler panic: status = %d, want 500", w.Code)
	}
	if err := f.d.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Still alive: the gauge is back to 0.
	if got := metricValue(t, f.reg, "leaseline_slack_later_in_flight"); got != 0 {
		t.Errorf("later_in_flight = %v", got)
	}
}

func TestMemoryDeduperTTLAndBound(t *testing.T) {
	now := time.Unix(1700000000, 0)
	clock := func() time.Time { return now }
	d := bot.NewMemoryDeduper(10*time.Minute, 3, clock)
	ctx := context.Background()
	first := func(k string) bool {
		ok, _, _ := d.ClaimSeen(ctx, k, time.Second)
		if ok {
			_ = d.SeenDone(ctx, k)
		}
		return ok
	}
	if !first("a") || first("a") {
		t.Fatal("a: want first then seen")
	}
	now = now.Add(11 * time.Minute)
	if !first("a") {
		t.Fatal("a after TTL: want first")
	}
	first("b")
	first("c")
	first("d")
	if d.Len() > 3 {
		t.Fatalf("Len = %d, want <= 3", d.Len())
	}
}

type errDeduper struct{}

func (errDeduper) ClaimSeen(context.Context, string, time.Duration) (bool, bool, error) {
	return false, false, io.ErrUnexpectedEOF
}

func (errDeduper) SeenDone(context.Context, ...string) error { return io.ErrUnexpectedEOF }

func TestDeduperErrorFailsOpen(t *testing.T) {
	var runs atomic.Int32
	r := bot.NewRouter()
	r.Fallback(func(context.Context, bot.Request) (any, func(context.Context)) { runs.Add(1); return nil, nil })
	d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger(), Deduper: errDeduper{}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Dispatch(context.Background(), bot.Request{Kind: bot.KindCommand, RetryNum: 1, Command: &slack.SlashCommand{Command: "/x"}}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 1 {
		t.Fatal("handler did not run when the deduper failed")
	}
}

func TestMetricsRecorded(t *testing.T) {
	f := newFixture(t, func(r *bot.Router) {
		r.Command("/leaseline", func(context.Context, bot.Request) (any, func(context.Context)) { return nil, nil })
	})
	f.do(must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("help"))))
	if n := metricValue(t, f.reg, "leaseline_slack_requests_total"); n != 1 {
		t.Errorf("requests_total = %v, want 1", n)
	}
	if n := metricValue(t, f.reg, "leaseline_slack_ack_duration_seconds"); n != 1 {
		t.Errorf("ack latency samples = %v, want 1", n)
	}
	if _, err := bot.NewDispatcher(bot.NewRouter(), bot.Options{Registerer: f.reg}); err == nil {
		t.Error("second Dispatcher on the same registry: want an error")
	}
}

func TestNewClientAndResponder(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	ctx := context.Background()
	api := bot.NewClient("xoxb-test", strings.TrimSuffix(fake.APIURL(), "/"), nil)
	if _, err := api.AuthTestContext(ctx); err != nil {
		t.Fatal(err)
	}
	resp := bot.NewResponder(nil)
	if err := resp.Respond(ctx, fake.ResponseURL("abc"), slack.Msg{ResponseType: "ephemeral", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	calls := fake.Calls("response_url")
	if len(calls) != 1 || calls[0].Param("text") != "hi" {
		t.Fatalf("response_url calls = %+v", calls)
	}
	fake.FailNext("response_url", 1, http.StatusInternalServerError, 0)
	if err := resp.Respond(ctx, fake.ResponseURL("abc"), slack.Msg{Text: "x"}); err == nil || strings.Contains(err.Error(), fake.URL()) {
		t.Errorf("failing response_url: err = %v", err)
	}
}

func BenchmarkHTTPReceiverHelp(b *testing.B) {
	f := newFixture(b, func(r *bot.Router) {
		r.Command("/leaseline", func(context.Context, bot.Request) (any, func(context.Context)) {
			return map[string]string{"response_type": "ephemeral", "text": "help"}, nil
		})
	})
	req := must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), helpForm("help")))
	body := must(io.ReadAll(req.Body))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, bot.PathCommands, strings.NewReader(string(body)))
		r.Header = req.Header.Clone()
		w := httptest.NewRecorder()
		f.recv.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
