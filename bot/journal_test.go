package bot_test

import (
	"context"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
)

// memJournal is an in-memory bot.Journal.
type memJournal struct {
	mu      sync.Mutex
	next    int64
	entries map[int64]*memEntry
	byKey   map[string]int64
	records atomic.Int32
}

type memEntry struct {
	e          bot.JournalEntry
	done       bool
	leaseUntil time.Time
}

func newMemJournal() *memJournal {
	return &memJournal{entries: map[int64]*memEntry{}, byKey: map[string]int64{}}
}

func (j *memJournal) Record(_ context.Context, kind, key string, payload []byte) (int64, bool, error) {
	j.records.Add(1)
	j.mu.Lock()
	defer j.mu.Unlock()
	if id, ok := j.byKey[key]; ok {
		return id, false, nil
	}
	j.next++
	j.entries[j.next] = &memEntry{e: bot.JournalEntry{ID: j.next, Kind: kind, Key: key, Payload: payload, ReceivedAt: time.Now()}}
	j.byKey[key] = j.next
	return j.next, true, nil
}

func (j *memJournal) Done(_ context.Context, id int64) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries[id].done = true
	return nil
}

func (j *memJournal) Claim(_ context.Context, olderThan time.Time, lease time.Duration, limit int) ([]bot.JournalEntry, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	now := time.Now()
	var out []bot.JournalEntry
	for id := int64(1); id <= j.next && len(out) < limit; id++ {
		m := j.entries[id]
		if m.done || m.e.ReceivedAt.After(olderThan) || m.leaseUntil.After(now) {
			continue
		}
		m.leaseUntil = now.Add(lease)
		out = append(out, m.e)
	}
	return out, nil
}

func (j *memJournal) pending() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, m := range j.entries {
		if !m.done {
			n++
		}
	}
	return n
}

func approvePress(ts string) *slack.InteractionCallback {
	return &slack.InteractionCallback{
		Type: slack.InteractionTypeBlockActions, User: slack.User{ID: "U1"}, Team: slack.Team{ID: "T1"},
		Channel:   slack.Channel{GroupConversation: slack.GroupConversation{Conversation: slack.Conversation{ID: "C1"}}},
		TriggerID: "trig-" + ts, ResponseURL: "https://hooks.invalid/r/" + ts,
		Container: slack.Container{Type: "message", MessageTs: ts, ChannelID: "C1"},
		ActionCallback: slack.ActionCallbacks{BlockActions: []*slack.BlockAction{
			{ActionID: "ll_approve", BlockID: "b1", Value: "42", ActionTs: ts},
		}},
	}
}

func newJournalDispatcher(t *testing.T, j bot.Journal, now func() time.Time, setup func(r *bot.Router)) *bot.Dispatcher {
	t.Helper()
	r := bot.NewRouter()
	setup(r)
	d, err := bot.NewDispatcher(r, bot.Options{Logger: quietLogger(), Journal: j, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = d.Shutdown(ctx)
	})
	return d
}

func drain(t *testing.T, d *bot.Dispatcher) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
}

// A durable press whose process dies before its later work ran is replayed
// by RunRecovery on another dispatcher, once; a duplicate is acked and not
// run; a read-only route is not journaled.
func TestJournalReplaysKilledWork(t *testing.T) {
	j := newMemJournal()
	ctx := context.Background()

	// Dispatcher A: its later work never finishes (the process "dies").
	killed := make(chan struct{})
	var started atomic.Int32
	a := newJournalDispatcher(t, j, nil, func(r *bot.Router) {
		r.DurableAction("ll_approve", func(context.Context, bot.Request) (any, func(context.Context)) {
			return nil, func(context.Context) { started.Add(1); <-killed }
		})
	})
	t.Cleanup(func() { close(killed) }) // before A's Shutdown (cleanups run last first)
	if _, err := a.Dispatch(ctx, bot.Request{Kind: bot.KindBlockAction, Interaction: approvePress("1.1")}, []byte("press-1")); err != nil {
		t.Fatal(err)
	}
	if j.pending() != 1 {
		t.Fatalf("pending entries = %d, want 1", j.pending())
	}

	// Dispatcher B, a minute later: recovery replays the entry.
	var ran, replayed, readOnly atomic.Int32
	var gotValue atomic.Value
	later := time.Now().Add(time.Minute)
	b := newJournalDispatcher(t, j, func() time.Time { return later }, func(r *bot.Router) {
		r.DurableAction("ll_approve", func(_ context.Context, req bot.Request) (any, func(context.Context)) {
			gotValue.Store(req.Interaction.ActionCallback.BlockActions[0].Value + " " + req.Interaction.ResponseURL)
			return nil, func(ctx context.Context) {
				ran.Add(1)
				if bot.Replayed(ctx) {
					replayed.Add(1)
				}
			}
		})
		r.Command("/leaseline", func(context.Context, bot.Request) (any, func(context.Context)) {
			return nil, func(context.Context) { readOnly.Add(1) }
		})
	})
	// A's own recovery skips the entry it is still working on.
	if n, err := a.Recover(ctx, -time.Hour); err != nil || n != 0 {
		t.Fatalf("A.Recover = %d, %v; want 0 (still running here)", n, err)
	}
	j.mu.Lock()
	for _, m := range j.entries {
		m.leaseUntil = time.Time{} // A's pass leased it; let B claim it now
	}
	j.mu.Unlock()
	n, err := b.Recover(ctx, 30*time.Second)
	if err != nil || n != 1 {
		t.Fatalf("Recover = %d, %v; want 1", n, err)
	}
	drain(t, b)
	if ran.Load() != 1 || replayed.Load() != 1 {
		t.Fatalf("replayed work ran %d times (%d replayed), want once", ran.Load(), replayed.Load())
	}
	if got := gotValue.Load(); got != "42 https://hooks.invalid/r/1.1" {
		t.Fatalf("replayed request = %q", got)
	}
	if j.pending() != 0 {
		t.Fatalf("pending after replay = %d, want 0", j.pending())
	}
	// A second pass finds nothing.
	if n, err := b.Recover(ctx, 30*time.Second); err != nil || n != 0 {
		t.Fatalf("second Recover = %d, %v", n, err)
	}

	// The same request reaching B (another replica got it first): acked, not run.
	if _, err := b.Dispatch(ctx, bot.Request{Kind: bot.KindBlockAction, Interaction: approvePress("1.1")}, []byte("press-1")); err != nil {
		t.Fatal(err)
	}
	drain(t, b)
	if ran.Load() != 1 {
		t.Fatalf("duplicate ran: %d runs", ran.Load())
	}

	// A fresh press runs at once and is done.
	if _, err := b.Dispatch(ctx, bot.Request{Kind: bot.KindBlockAction, Interaction: approvePress("2.2")}, []byte("press-2")); err != nil {
		t.Fatal(err)
	}
	drain(t, b)
	if ran.Load() != 2 || replayed.Load() != 1 || j.pending() != 0 {
		t.Fatalf("fresh press: ran %d, replayed %d, pending %d", ran.Load(), replayed.Load(), j.pending())
	}

	// Read-only command: no journal write.
	before := j.records.Load()
	cmd := &slack.SlashCommand{Command: "/leaseline", Text: "list", UserID: "U1"}
	if _, err := b.Dispatch(ctx, bot.Request{Kind: bot.KindCommand, Command: cmd}, []byte("list")); err != nil {
		t.Fatal(err)
	}
	drain(t, b)
	if readOnly.Load() != 1 || j.records.Load() != before {
		t.Fatalf("read-only command: ran %d, journal records %d→%d", readOnly.Load(), before, j.records.Load())
	}
	if started.Load() != 1 {
		t.Fatalf("A's work started %d times", started.Load())
	}
}

// A journal that fails never fails the ack: the work runs anyway.
func TestJournalRecordFailureRunsWork(t *testing.T) {
	var ran atomic.Int32
	d := newJournalDispatcher(t, failJournal{}, nil, func(r *bot.Router) {
		r.DurableAction("ll_approve", func(context.Context, bot.Request) (any, func(context.Context)) {
			return nil, func(context.Context) { ran.Add(1) }
		})
	})
	if _, err := d.Dispatch(context.Background(), bot.Request{Kind: bot.KindBlockAction, Interaction: approvePress("3.3")}, []byte("p")); err != nil {
		t.Fatal(err)
	}
	drain(t, d)
	if ran.Load() != 1 {
		t.Fatalf("ran %d", ran.Load())
	}
}

type failJournal struct{}

func (failJournal) Record(context.Context, string, string, []byte) (int64, bool, error) {
	return 0, false, context.DeadlineExceeded
}
func (failJournal) Done(context.Context, int64) error { return nil }
func (failJournal) Claim(context.Context, time.Time, time.Duration, int) ([]bot.JournalEntry, error) {
	return nil, nil
}

// The journal's encoding of Slack payloads round-trips, with the shapes Slack
// sends: block_actions with state values, container, response_url, message
// blocks; a view_submission; a slash command.
func TestJournalPayloadRoundTrip(t *testing.T) {
	blockActions := `{"type":"block_actions","user":{"id":"U1","username":"ana","name":"ana","team_id":"T1"},
"api_app_id":"A1","token":"tok","container":{"type":"message","message_ts":"1700000000.000100","channel_id":"C1","is_ephemeral":false},
"trigger_id":"123.456.abc","team":{"id":"T1","domain":"acme"},"enterprise":null,"is_enterprise_install":false,
"channel":{"id":"C1","name":"staff"},
"message":{"type":"message","user":"UBOT","ts":"1700000000.000100","bot_id":"B1","text":"Application #42 to review",
 "blocks":[{"type":"section","block_id":"s1","text":{"type":"mrkdwn","text":"*Application #42*","verbatim":true}},
  {"type":"actions","block_id":"act","elements":[{"type":"button","action_id":"ll_approve","text":{"type":"plain_text","text":"Approve","emoji":true},"style":"primary","value":"42"}]}]},
"state":{"values":{"note":{"v":{"type":"plain_text_input","value":"ok"}},"when":{"d":{"type":"datepicker","selected_date":"2026-11-30"}}}},
"response_url":"https://hooks.slack.com/actions/T1/1/xyz",
"actions":[{"action_id":"ll_approve","block_id":"act","text":{"type":"plain_text","text":"Approve","emoji":true},"value":"42","style":"primary","type":"button","action_ts":"1700000001.000200"}]}`
	viewSubmission := `{"type":"view_submission","team":{"id":"T1","domain":"acme"},"user":{"id":"U2","team_id":"T1"},
"trigger_id":"9.9.z","view":{"id":"V1","type":"modal","callback_id":"ll_v_reject","private_metadata":"{\"conn\":42}","hash":"h1",
"title":{"type":"plain_text","text":"Reject"},"blocks":[],"state":{"values":{"reason":{"v":{"type":"plain_text_input","value":"no port"}}}}},
"response_urls":[]}`
	for _, tc := range []struct{ kind, raw string }{{"block_action", blockActions}, {"view_submission", viewSubmission}} {
		first, err := bot.DecodeRequest(tc.kind, []byte(tc.raw))
		if err != nil {
			t.Fatalf("%s: %v", tc.kind, err)
		}
		enc, err := bot.EncodeRequest(first)
		if err != nil {
			t.Fatal(err)
		}
		again, err := bot.DecodeRequest(first.Kind.String(), enc)
		if err != nil {
			t.Fatalf("%s: decode own encoding: %v", tc.kind, err)
		}
		// The first decode normalizes what Slack omits (null vs [] lists,
		// an empty attachment_id as 0, RawState re-derived from the state);
		// from then on the encoding is a fixed point, and every field the
		// handlers read survives (checked below).
		enc2, err := bot.EncodeRequest(again)
		if err != nil {
			t.Fatal(err)
		}
		third, err := bot.DecodeRequest(again.Kind.String(), enc2)
		if err != nil {
			t.Fatal(err)
		}
		if enc3, _ := bot.EncodeRequest(third); string(enc3) != string(enc2) {
			t.Errorf("%s: encoding is not a fixed point", tc.kind)
		}
		f, g := first.Interaction, again.Interaction
		if f.Type != g.Type || f.User.ID != g.User.ID || f.Team.ID != g.Team.ID || f.Channel.ID != g.Channel.ID ||
			f.TriggerID != g.TriggerID || f.ResponseURL != g.ResponseURL || f.Container.Type != g.Container.Type ||
			f.Container.MessageTs != g.Container.MessageTs || f.Container.ChannelID != g.Container.ChannelID ||
			f.View.CallbackID != g.View.CallbackID || f.View.PrivateMetadata != g.View.PrivateMetadata ||
			f.Message.Timestamp != g.Message.Timestamp || len(f.Message.Blocks.BlockSet) != len(g.Message.Blocks.BlockSet) ||
			len(f.ActionCallback.BlockActions) != len(g.ActionCallback.BlockActions) {
			t.Errorf("%s: round trip lost a field:\n%s\n%s", tc.kind, enc, enc2)
		}
		for i, ba := range f.ActionCallback.BlockActions {
			gb := g.ActionCallback.BlockActions[i]
			if ba.ActionID != gb.ActionID || ba.BlockID != gb.BlockID || ba.Value != gb.Value || ba.ActionTs != gb.ActionTs {
				t.Errorf("%s: action %d differs: %+v vs %+v", tc.kind, i, ba, gb)
			}
		}
		if tc.kind == "block_action" && g.BlockActionState.Values["when"]["d"].SelectedDate != "2026-11-30" {
			t.Errorf("state values lost: %+v", g.BlockActionState)
		}
		if tc.kind == "view_submission" && g.View.State.Values["reason"]["v"].Value != "no port" {
			t.Errorf("view state lost: %+v", g.View.State)
		}
	}
	ic := must(bot.DecodeRequest("block_action", []byte(blockActions))).Interaction
	if ic.ActionCallback.BlockActions[0].Value != "42" || ic.Container.MessageTs != "1700000000.000100" ||
		ic.ResponseURL == "" || ic.BlockActionState.Values["note"]["v"].Value != "ok" {
		t.Fatalf("decoded press lost fields: %+v", ic)
	}

	cmd := bot.Request{Kind: bot.KindCommand, Command: &slack.SlashCommand{
		Token: "t", TeamID: "T1", TeamDomain: "acme", ChannelID: "C1", ChannelName: "general", UserID: "U1", UserName: "ana",
		Command: "/leaseline", Text: "cancel #42", ResponseURL: "https://hooks.slack.com/commands/1", TriggerID: "1.2.3", APIAppID: "A1",
	}}
	enc, err := bot.EncodeRequest(cmd)
	if err != nil {
		t.Fatal(err)
	}
	again, err := bot.DecodeRequest("command", enc)
	if err != nil || !reflect.DeepEqual(cmd, again) {
		t.Fatalf("command round trip: %v\n%+v\n%+v", err, cmd.Command, again.Command)
	}
}
