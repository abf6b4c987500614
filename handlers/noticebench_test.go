package handlers_test

// BenchmarkNoticeDelay measures the two latencies of issue 8's "one durable
// queue" decision, on SQLite and on PostgreSQL, with the bot wired as serve
// wires it (stack.New, the store's notices hook waking delivery, durable
// presses journaled) against the fake Slack:
//
//   - card: press-to-card-update, from the moment a staff member's Approve
//     press is sent to the moment the fake Slack receives the chat.update
//     of the review card it was pressed on;
//   - notice: notice delay, from the moment a notice is recorded (its
//     created_at, committed with the change) to the moment the fake Slack
//     receives its chat.postMessage (found by the notice_id in the
//     message's metadata).
//
// One iteration applies noticeBenchPresses connections (their review
// requests posted and recorded before the clock starts), then presses
// Approve on all of them at once, each from its own goroutine, and waits
// until every card is updated and every notice posted. Approve records the
// customer's notice, so each iteration measures noticeBenchPresses cards
// and at least as many notices.
//
// NOTICEBENCH_PRESSES=1 measures the idle case. The figures, and the River
// path measured against this one, are in docs/performance.md ("One durable
// queue").

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
	"github.com/leaseline/leaseline/stack"
)

// noticeBenchPresses is how many Approve presses are sent at once;
// NOTICEBENCH_PRESSES changes it.
var noticeBenchPresses = envInt("NOTICEBENCH_PRESSES", 200)

// noticeBenchTimeout bounds the wait for one iteration's cards and notices.
const noticeBenchTimeout = 2 * time.Minute

func BenchmarkNoticeDelay(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is unset: PostgreSQL skipped")
			}
			nb := newNoticeBench(b, backend)
			var cards, notices []time.Duration
			for b.Loop() {
				c, n := nb.round(b)
				cards, notices = append(cards, c...), append(notices, n...)
			}
			b.ReportMetric(0, "ns/op") // one op is a whole round: ns/op means nothing here
			b.ReportMetric(ms(pct(cards, 50)), "card_p50_ms")
			b.ReportMetric(ms(pct(cards, 99)), "card_p99_ms")
			b.ReportMetric(ms(pct(notices, 50)), "notice_p50_ms")
			b.ReportMetric(ms(pct(notices, 99)), "notice_p99_ms")
			b.ReportMetric(float64(len(notices)), "notices")
		})
	}
}

// pct is the p-th percentile of ds (sorted in place).
func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[min(len(ds)-1, len(ds)*p/100)]
}

// noticeBench is the running bot on one database, its delivery worker
// running, with ACME's customer who applies.
type noticeBench struct {
	store  *store.Store
	fake   *slackfake.Server
	server *httptest.Server
	client *http.Client
	acme   models.Actor
	seq    int
}

func newNoticeBench(b *testing.B, backend string) *noticeBench {
	b.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(bot.NewLogHandler(slog.NewTextHandler(io.Discard, nil)))
	signal := bot.NewNoticeSignal()
	st := storetest.OpenWithSample(b, backend, store.Config{StaffChannel: staffChannel, Logger: log, NoticesCommitted: signal.Committed, MaxOpen: 1 << 30})
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	acme, err := st.CreateAccount(ctx, staff, "ACME", "", "CNY")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.LinkChannel(ctx, staff, customerChan, acme.ID); err != nil {
		b.Fatal(err)
	}
	if err := st.AddAccountUser(ctx, staff, customerUser, acme.ID); err != nil {
		b.Fatal(err)
	}
	fake := slackfake.New()
	b.Cleanup(fake.Close)
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}
	b.Cleanup(hc.CloseIdleConnections)
	stk, err := stack.New(ctx, stack.Config{
		Store: st, Signal: signal, BotToken: "xoxb-bench", APIURL: fake.APIURL(), HTTPClient: hc, SigningSecret: signingSecret,
		Handlers:   handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel},
		Dispatcher: bot.Options{Registerer: prometheus.NewRegistry()},
		Durable:    true,
		Logger:     log,
	})
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { _ = stk.Delivery.Run(ctx) })
	srv := httptest.NewServer(stk.Receiver)
	b.Cleanup(func() {
		srv.Close()
		dctx, dcancel := context.WithTimeout(context.Background(), noticeBenchTimeout)
		defer dcancel()
		_ = stk.Dispatcher.Drain(dctx)
		cancel()
		wg.Wait()
	})
	tr := &http.Transport{MaxIdleConns: noticeBenchPresses, MaxIdleConnsPerHost: noticeBenchPresses}
	b.Cleanup(tr.CloseIdleConnections)
	return &noticeBench{store: st, fake: fake, server: srv, client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		acme: models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: acme.ID}}
}

// round applies noticeBenchPresses connections, waits for their review
// requests, then presses Approve on every one at once; it returns the
// press-to-card-update latencies and the delays of the notices recorded
// since the presses.
func (nb *noticeBench) round(b *testing.B) (cards, notices []time.Duration) {
	b.Helper()
	ctx := context.Background()
	b.StopTimer()
	ids := make([]int64, noticeBenchPresses)
	for i := range ids {
		nb.seq++
		app := models.Application{Name: fmt.Sprintf("Bench line %d", nb.seq), AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj",
			PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301, Wensan Road, Hangzhou"}
		c, err := nb.store.Apply(ctx, nb.acme, app, customerChan)
		if err != nil {
			b.Fatalf("apply: %v", err)
		}
		ids[i] = c.ID
	}
	nb.waitDelivered(b)
	cardOf := make(map[string]int64, len(ids)) // review card ts → connection
	presses := make([]signed, len(ids))
	for i, id := range ids {
		d, err := nb.store.Detail(ctx, models.SystemActor(), id)
		if err != nil || d.Connection.ReviewTS == "" {
			b.Fatalf("connection %d has no review card (%v)", id, err)
		}
		cardOf[d.Connection.ReviewTS] = id
		presses[i] = approveBody(id, d.Connection.ReviewTS, nb.fake.ResponseURL("approve-"+strconv.FormatInt(id, 10)))
	}
	b.StartTimer()

	start := time.Now()
	sent := make([]time.Time, len(presses))
	var wg sync.WaitGroup
	for i, p := range presses {
		wg.Go(func() {
			sent[i] = time.Now()
			if err := nb.send(p); err != nil {
				b.Errorf("press: %v", err)
			}
		})
	}
	wg.Wait()
	pressedAt := make(map[int64]time.Time, len(ids))
	for i, id := range ids {
		pressedAt[id] = sent[i]
	}
	deadline := time.Now().Add(noticeBenchTimeout)
	for len(cards) < len(ids) && time.Now().Before(deadline) {
		cards = cards[:0]
		for _, c := range nb.fake.Calls("chat.update") {
			if id, ok := cardOf[c.Param("ts")]; ok && c.Time.After(start) {
				cards = append(cards, c.Time.Sub(pressedAt[id]))
			}
		}
		if len(cards) < len(ids) {
			time.Sleep(20 * time.Millisecond)
		}
	}
	b.StopTimer()
	if len(cards) < len(ids) {
		b.Fatalf("%d of %d review cards updated within %v", len(cards), len(ids), noticeBenchTimeout)
	}
	// Approve records its notice before it updates the card: every notice
	// of the round is recorded now.
	nb.waitDelivered(b)
	notices = nb.noticeDelays(b, ids, start)
	if len(notices) < len(ids) {
		b.Fatalf("%d notices posted for %d approvals", len(notices), len(ids))
	}
	b.StartTimer()
	return cards, notices
}

// waitDelivered waits until no notice is pending.
func (nb *noticeBench) waitDelivered(b *testing.B) {
	b.Helper()
	deadline := time.Now().Add(noticeBenchTimeout)
	for {
		n, err := nb.store.PendingNotices(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d notices still pending after %v", n, noticeBenchTimeout)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noticeDelays pairs each notice of the connections recorded since start
// with its chat.postMessage, by the notice_id of the message's metadata.
func (nb *noticeBench) noticeDelays(b *testing.B, ids []int64, start time.Time) []time.Duration {
	b.Helper()
	posted := map[int64]time.Time{}
	for _, c := range nb.fake.Calls("chat.postMessage") {
		var md struct {
			EventType    string `json:"event_type"`
			EventPayload struct {
				NoticeID int64 `json:"notice_id"`
			} `json:"event_payload"`
		}
		if c.JSONParam("metadata", &md) == nil && md.EventType == bot.NoticeEventType {
			posted[md.EventPayload.NoticeID] = c.Time
		}
	}
	var out []time.Duration
	for _, id := range ids {
		ns, err := nb.store.Notices(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range ns {
			if n.CreatedAt.Before(start) {
				continue
			}
			at, ok := posted[n.ID]
			if !ok {
				b.Fatalf("notice %d (%s) recorded but not posted", n.ID, n.Kind)
			}
			out = append(out, at.Sub(n.CreatedAt))
		}
	}
	return out
}

func (nb *noticeBench) send(s signed) error {
	req, err := http.NewRequest(http.MethodPost, nb.server.URL+s.path, bytes.NewReader(s.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", s.stamp)
	req.Header.Set("X-Slack-Signature", s.signature)
	res, err := nb.client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("status %d", res.StatusCode)
	}
	return nil
}

// approveBody is staff's Approve press on the review card ts of
// connection id, in the staff channel.
func approveBody(id int64, ts, responseURL string) signed {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "1337.42." + rand.Text()[:20], "api_app_id": "A0LEASELINE",
		"user":         map[string]any{"id": staffUser, "team_id": slackfake.TeamID, "username": "staff", "name": "staff"},
		"team":         map[string]any{"id": slackfake.TeamID, "domain": "fake"},
		"channel":      map[string]any{"id": staffChannel, "name": "leaseline-staff"},
		"container":    map[string]any{"type": "message", "channel_id": staffChannel, "message_ts": ts, "is_ephemeral": false},
		"message":      map[string]any{"ts": ts, "type": "message", "text": "Review request"},
		"response_url": responseURL,
		"actions": []map[string]any{{
			"action_id": "ll_approve", "value": strconv.FormatInt(id, 10), "type": "button", "block_id": "ll_review_" + strconv.FormatInt(id, 10),
			"text": map[string]any{"type": "plain_text", "text": "Approve"}, "action_ts": strconv.FormatInt(time.Now().UnixMicro(), 10),
		}},
	})
	return sign(bot.PathInteractions, []byte(url.Values{"payload": {string(payload)}}.Encode()))
}
