package bot_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

// replicaClock is a settable clock shared by two replicas.
type replicaClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *replicaClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *replicaClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// replica is one bot replica: its HTTP receiver and its dispatcher.
type replica struct {
	rc *bot.HTTPReceiver
	d  *bot.Dispatcher
}

// twoReplicas returns two replicas behind one shared seen-set, as two
// replicas behind a balancer share the database's; each runs its own router.
func twoReplicas(t *testing.T, clock *replicaClock, setupA, setupB func(*bot.Router)) (a, b replica) {
	t.Helper()
	seen := bot.NewMemoryDeduper(0, 0, clock.Now)
	recv := func(setup func(*bot.Router)) replica {
		r := bot.NewRouter()
		setup(r)
		d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger(), Deduper: seen, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := bot.NewHTTPReceiver(d, secret)
		if err != nil {
			t.Fatal(err)
		}
		return replica{rc: rc, d: d}
	}
	return recv(setupA), recv(setupB)
}

// serve sends r to the replica and waits until what it ran is settled: its
// later work done and its request marked handled in the seen-set (which
// follows the ack by milliseconds), as it is by the time Slack retries.
func serve(rep replica, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	rep.rc.ServeHTTP(w, r)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = rep.d.Drain(ctx)
	return w
}

// surveyForm is a view_submission with one input block.
func surveyForm() map[string]any {
	return map[string]any{
		"type":       "view_submission",
		"user":       map[string]any{"id": "U1"},
		"trigger_id": "T1",
		"view": map[string]any{
			"type":        "modal",
			"callback_id": "survey",
			"blocks": []any{
				map[string]any{"type": "section", "block_id": "intro", "text": map[string]any{"type": "mrkdwn", "text": "How was it?"}},
				map[string]any{"type": "input", "block_id": "survey_score",
					"label":   map[string]any{"type": "plain_text", "text": "Score"},
					"element": map[string]any{"type": "plain_text_input", "action_id": "score"}},
			},
			"state": map[string]any{"values": map[string]any{"survey_score": map[string]any{"score": map[string]any{"type": "plain_text_input", "value": "5"}}}},
		},
	}
}

// A form sent again to another replica while the first one still holds it
// (it died after claiming it) keeps the modal open and says so; past the
// ack deadline the other replica takes it over and records it; a replay
// after that is acked empty without recording it twice.
func TestFormOfDeadReplicaTakenOver(t *testing.T) {
	clock := &replicaClock{now: time.Now()}
	stuck, release := make(chan struct{}), make(chan struct{})
	var recorded atomic.Int32
	a, b := twoReplicas(t, clock,
		func(r *bot.Router) {
			r.View("survey", func(context.Context, bot.Request) (any, func(context.Context)) {
				close(stuck)
				<-release // killed before acking
				return nil, nil
			})
		},
		func(r *bot.Router) {
			r.View("survey", func(context.Context, bot.Request) (any, func(context.Context)) {
				recorded.Add(1)
				return nil, nil // closes the modal
			})
		})
	form := func() *http.Request {
		return must(slackfake.InteractionRequest(bot.PathInteractions, secret, time.Now(), surveyForm()))
	}
	var wg sync.WaitGroup
	wg.Go(func() { serve(a, form()) })
	defer wg.Wait()
	defer close(release)
	<-stuck

	// Sent again at once: the modal stays open with the message on its input.
	w := serve(b, form())
	var resp slack.ViewSubmissionResponse
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil || w.Code != http.StatusOK {
		t.Fatalf("in-flight repeat = %d %q", w.Code, w.Body)
	}
	if resp.ResponseAction != slack.RAErrors || !strings.Contains(resp.Errors["survey_score"], "still being handled") {
		t.Fatalf("in-flight repeat = %+v, want errors on survey_score", resp)
	}
	if recorded.Load() != 0 {
		t.Fatal("in-flight repeat ran")
	}

	// Past the ack deadline the first replica's ack can no longer reach
	// Slack: the repeat runs.
	clock.Add(3*time.Second + time.Millisecond)
	if w := serve(b, form()); w.Code != http.StatusOK || w.Body.Len() != 0 || recorded.Load() != 1 {
		t.Fatalf("repeat after the deadline = %d %q, recorded %d; want it run and the modal closed", w.Code, w.Body, recorded.Load())
	}
	// It ran and acked: an exact replay is acked empty without running.
	clock.Add(time.Minute)
	if w := serve(b, form()); w.Code != http.StatusOK || w.Body.Len() != 0 || recorded.Load() != 1 {
		t.Fatalf("replay of a handled form = %d %q, recorded %d; want dropped", w.Code, w.Body, recorded.Load())
	}
}

// A slash command sent again while its first delivery runs gets an
// ephemeral reply saying so; an event gets a 503 so that Slack retries it.
func TestInFlightCommandAndEvent(t *testing.T) {
	clock := &replicaClock{now: time.Now()}
	stuck, release := make(chan struct{}, 2), make(chan struct{})
	block := func(context.Context, bot.Request) (any, func(context.Context)) {
		stuck <- struct{}{}
		<-release
		return nil, nil
	}
	var ran atomic.Int32
	count := func(context.Context, bot.Request) (any, func(context.Context)) { ran.Add(1); return nil, nil }
	a, b := twoReplicas(t, clock,
		func(r *bot.Router) { r.Command("/leaseline", block); r.Event("app_home_opened", block) },
		func(r *bot.Router) { r.Command("/leaseline", count); r.Event("app_home_opened", count) })
	cmd := func() *http.Request {
		return must(slackfake.CommandRequest(bot.PathCommands, secret, time.Now(), url.Values{
			"command": {"/leaseline"}, "text": {"credit acme 10"}, "user_id": {"U1"}, "channel_id": {"C1"}, "trigger_id": {"T1"},
		}))
	}
	event := func() *http.Request {
		return must(slackfake.EventRequest(bot.PathEvents, secret, time.Now(), eventCallback("Ev1", "app_home_opened")))
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	defer close(release)
	wg.Go(func() { serve(a, cmd()) })
	wg.Go(func() { serve(a, event()) })
	<-stuck
	<-stuck

	w := serve(b, cmd())
	var msg slack.Msg
	if err := json.Unmarshal(w.Body.Bytes(), &msg); err != nil || w.Code != http.StatusOK ||
		msg.ResponseType != slack.ResponseTypeEphemeral || !strings.Contains(msg.Text, "still being handled") {
		t.Fatalf("in-flight command = %d %q", w.Code, w.Body)
	}
	if w := serve(b, event()); w.Code != http.StatusServiceUnavailable {
		t.Fatalf("in-flight event = %d %q, want 503 (Slack retries)", w.Code, w.Body)
	}
	if ran.Load() != 0 {
		t.Fatal("in-flight repeats ran")
	}
	// Slack's retry, past the ack deadline, runs.
	clock.Add(3*time.Second + time.Millisecond)
	if w := serve(b, event()); w.Code != http.StatusOK || ran.Load() != 1 {
		t.Fatalf("event retry after the deadline = %d, ran %d", w.Code, ran.Load())
	}
}

// Of several replicas sent a request abandoned by a dead one, exactly one
// runs it.
func TestMemoryDeduperOneTakesOver(t *testing.T) {
	clock := &replicaClock{now: time.Now()}
	d := bot.NewMemoryDeduper(0, 0, clock.Now)
	ctx := context.Background()
	if claimed, _, _ := d.ClaimSeen(ctx, "k", 3*time.Second); !claimed {
		t.Fatal("new key not claimed")
	}
	clock.Add(3*time.Second + time.Millisecond)
	var won atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if claimed, done, _ := d.ClaimSeen(ctx, "k", 3*time.Second); claimed {
				won.Add(1)
			} else if done {
				t.Error("abandoned key reported done")
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 {
		t.Fatalf("%d claimers took over, want 1", won.Load())
	}
	if err := d.SeenDone(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	clock.Add(time.Minute)
	if claimed, done, _ := d.ClaimSeen(ctx, "k", 3*time.Second); claimed || !done {
		t.Fatalf("done key = claimed %v, done %v", claimed, done)
	}
}

// Over Socket Mode, an event delivered again while its first delivery runs
// gets no ack (Slack redelivers it); once the first is acked, a repeat is
// acked without running.
func TestSocketModeInFlightEventNotAcked(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	started, release := make(chan struct{}, 1), make(chan struct{})
	var runs atomic.Int32
	r := bot.NewRouter()
	r.Event("app_home_opened", func(context.Context, bot.Request) (any, func(context.Context)) {
		runs.Add(1)
		started <- struct{}{}
		<-release
		return nil, nil
	})
	d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	recv, err := bot.NewSocketModeReceiver(socketmode.New(api), d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = recv.Run(ctx) }()
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	if err := fake.WaitSocketConnected(wctx); err != nil {
		t.Fatal(err)
	}

	ev := eventCallback("EvIF1", "app_home_opened")
	first := make(chan error, 1)
	go func() { _, err := fake.SendSocket(wctx, slackfake.SocketEventsAPI, ev, 0); first <- err }()
	<-started
	short, scancel := context.WithTimeout(wctx, 300*time.Millisecond)
	defer scancel()
	if ack, err := fake.SendSocket(short, slackfake.SocketEventsAPI, ev, 1); err == nil {
		t.Fatalf("in-flight event acked (%s); want no ack so that Slack redelivers it", ack)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatalf("first delivery: %v", err)
	}
	if err := d.Drain(wctx); err != nil { // the first is marked done after its ack
		t.Fatal(err)
	}
	if _, err := fake.SendSocket(wctx, slackfake.SocketEventsAPI, ev, 2); err != nil {
		t.Fatalf("repeat of a handled event: %v", err)
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("event ran %d times, want 1", n)
	}
}
