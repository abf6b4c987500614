package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
)

// storeJournal adapts the store's journal to bot.Journal (as cmd does).
type storeJournal struct{ s *store.Store }

func (j storeJournal) Record(ctx context.Context, kind, key string, payload []byte) (int64, bool, error) {
	return j.s.RecordJournal(ctx, kind, key, payload)
}
func (j storeJournal) Done(ctx context.Context, id int64) error { return j.s.DoneJournal(ctx, id) }
func (j storeJournal) Claim(ctx context.Context, olderThan time.Time, lease time.Duration, limit int) ([]bot.JournalEntry, error) {
	es, err := j.s.ClaimJournal(ctx, olderThan, lease, limit)
	out := make([]bot.JournalEntry, len(es))
	for i, e := range es {
		out[i] = bot.JournalEntry{ID: e.ID, Kind: e.Kind, Key: e.Key, Payload: []byte(e.Payload), ReceivedAt: e.ReceivedAt}
	}
	return out, err
}

// An Approve press journaled before the ack whose process died before the
// work ran is replayed by the recovery of a second dispatcher: the
// application is approved once, with one notice, and the review message is
// updated. A second replay of the same press (the first run had committed
// when the process died) tells the user nothing.
func TestJournalReplaysApproveAfterCrash(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := jApply(e, "Hangzhou line 1", "Room 301")
		k := newCourier(e)
		k.deliver()
		p := k.one(c.ID, models.NoticeReviewRequest, staffChannel)
		b := jFind(t, p, "Approve")

		// What the dead process's dispatcher journaled before its ack.
		raw, err := json.Marshal(map[string]any{
			"type": "block_actions", "trigger_id": "trig-" + rand.Text()[:8],
			"user":         map[string]any{"id": staffUser, "team_id": slackfake.TeamID},
			"team":         map[string]any{"id": slackfake.TeamID},
			"channel":      map[string]any{"id": p.channel},
			"container":    map[string]any{"type": "message", "channel_id": p.channel, "message_ts": p.ts},
			"message":      map[string]any{"ts": p.ts},
			"response_url": e.slack.ResponseURL("act-" + rand.Text()[:8]),
			"actions":      []map[string]any{{"action_id": b.ActionID, "value": b.Value, "type": "button", "block_id": b.BlockID}},
		})
		if err != nil {
			t.Fatal(err)
		}
		req, err := bot.DecodeRequest("block_action", raw)
		if err != nil {
			t.Fatal(err)
		}
		payload, err := bot.EncodeRequest(req)
		if err != nil {
			t.Fatal(err)
		}
		j := storeJournal{e.store}
		if _, fresh, err := j.Record(ctx, "block_action", "body:crashed-press", payload); err != nil || !fresh {
			t.Fatalf("record: %v %v", fresh, err)
		}
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusApplying {
			t.Fatalf("status before recovery %s", s)
		}

		// The second replica: the same app, a dispatcher with the journal.
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		router := bot.NewRouter()
		e.app.Register(router)
		later := func() time.Time { return time.Now().Add(time.Minute) }
		d2, err := bot.NewDispatcher(router, bot.Options{Logger: log, Journal: j, Now: later})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.Add(time.Minute) // the store's clock: the entry is stale
		drain := func() {
			dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := d2.Drain(dctx); err != nil {
				t.Fatal(err)
			}
		}
		responses := len(e.slack.Calls("response_url"))
		if n, err := d2.Recover(ctx, 30*time.Second); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v; want 1", n, err)
		}
		drain()
		if s := jConn(e, c.ID).Connection.Status; s != models.StatusApproved {
			t.Fatalf("status after recovery %s, want Approved", s)
		}
		if n := jAudit(e, c.ID, models.ActionApprove); n != 1 {
			t.Errorf("%d approve events, want 1", n)
		}
		if n := len(jNotices(e, c.ID, models.NoticeApproved)); n != 1 {
			t.Errorf("%d approved notices, want 1", n)
		}
		if n := len(e.slack.Calls("chat.update")); n != 1 {
			t.Errorf("%d chat.update calls, want 1 (the review message)", n)
		}
		if n, err := d2.Recover(ctx, 30*time.Second); err != nil || n != 0 {
			t.Fatalf("second Recover = %d, %v; want 0", n, err)
		}

		// The same press journaled again (the process died after the commit,
		// before Done): the replay finds it already approved by the same
		// user and tells them nothing.
		if _, fresh, err := j.Record(ctx, "block_action", "body:crashed-after-commit", payload); err != nil || !fresh {
			t.Fatalf("record: %v %v", fresh, err)
		}
		e.clock.Add(time.Minute)
		if n, err := d2.Recover(ctx, 30*time.Second); err != nil || n != 1 {
			t.Fatalf("Recover = %d, %v; want 1", n, err)
		}
		drain()
		if n := jAudit(e, c.ID, models.ActionApprove); n != 1 {
			t.Errorf("%d approve events after the second replay, want 1", n)
		}
		if got := jResponses(e, responses); len(got) != 0 {
			t.Errorf("replays told the user %q, want nothing", got)
		}
		if n := len(e.slack.Calls("chat.postEphemeral")); n != 0 {
			t.Errorf("%d ephemeral messages, want none", n)
		}
		// It settles the review message again (the first run may have died
		// before doing so), the same way.
		updates := e.slack.Calls("chat.update")
		if len(updates) != 2 {
			t.Fatalf("%d chat.update calls, want 2", len(updates))
		}
		if u0, u1 := blocksText(updates[0].Param("blocks")), blocksText(updates[1].Param("blocks")); u0 != u1 {
			t.Errorf("replay settled the review message differently:\n%s\n---\n%s", u0, u1)
		}
	})
}
