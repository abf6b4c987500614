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
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	mathrand "math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
			nb := newNoticeBench(b, backend, e2eSetups()[0])
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
	store    *store.Store
	fake     *slackfake.Server
	slackURL string // the fake, or slowSlack in front of it
	server   *httptest.Server
	client   *http.Client
	acme     models.Actor
	seq      int
	cards    int // chat.update calls already looked at (e2eApprove)
	replies  int // response_url calls already looked at (e2eList)
}

func newNoticeBench(b *testing.B, backend string, setup e2eSetup) *noticeBench {
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
	slackURL := fake.URL()
	if rtt := slackRTT(); rtt > 0 {
		slackURL = slowSlack(b, fake, rtt)
	}
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}}
	b.Cleanup(hc.CloseIdleConnections)
	stk, err := stack.New(ctx, stack.Config{
		Store: st, Signal: signal, BotToken: "xoxb-bench", APIURL: slackURL + "/api/", HTTPClient: hc, SigningSecret: signingSecret,
		Handlers:   handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel},
		Dispatcher: bot.Options{Registerer: prometheus.NewRegistry(), LaterWorkers: setup.laterWorkers},
		Delivery:   bot.DeliveryConfig{Parallel: setup.parallel},
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
	return &noticeBench{store: st, fake: fake, slackURL: slackURL, server: srv, client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		acme: models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: acme.ID}}
}

// responseURL is a response_url served by the fake (through slowSlack
// when E2E_SLACK_RTT is set); it is recorded with path /response/name.
func (nb *noticeBench) responseURL(name string) string {
	return nb.slackURL + "/response/" + url.PathEscape(name)
}

// slackRTT is E2E_SLACK_RTT: how long Slack takes to answer (0: the fake
// at once, on loopback).
func slackRTT() time.Duration {
	d, err := time.ParseDuration(os.Getenv("E2E_SLACK_RTT"))
	if err != nil || d < 0 {
		return 0
	}
	return d
}

// slowSlack puts in front of the fake a proxy that holds each answer for
// rtt, as Slack far away does: the fake records the call when it comes
// (a card is updated then), the bot waits rtt for the answer. It returns
// the proxy's URL.
func slowSlack(b *testing.B, fake *slackfake.Server, rtt time.Duration) string {
	target, err := url.Parse(fake.URL())
	if err != nil {
		b.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		proxy.ServeHTTP(rec, r)
		time.Sleep(rtt)
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}))
	b.Cleanup(srv.Close)
	return srv.URL
}

// round presses Approve on noticeBenchPresses connections at once (the
// burst of BenchmarkEndToEnd); it returns the press-to-card-update
// latencies and the delays of the notices recorded since the presses.
func (nb *noticeBench) round(b *testing.B) (cards, notices []time.Duration) {
	b.Helper()
	s := nb.e2eApprove(b, e2eLoad{name: "burst", users: noticeBenchPresses})
	return s.lat, s.notices
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

// BenchmarkEndToEnd is issue 13's end-to-end latency: what a person waits
// for, not the ack. On SQLite and on PostgreSQL, with the bot wired as
// serve wires it (the noticeBench harness above) against the fake Slack:
//
//   - approve: from the moment staff's Approve press is sent to the moment
//     the fake Slack receives the chat.update of the review card it was
//     pressed on (e2e); beside it the delay of the notices the approvals
//     recorded (recorded → posted);
//   - list: from the moment `/leaseline list` is sent to the moment its
//     page reaches the response_url (Globex's customer, ackViewConns
//     Connecting connections: the page the ack benchmark lists).
//
// The users are e2eUsers keep-alive clients. Paced loads are open-loop:
// Poisson arrivals at a stated rate (a user's think time averages
// e2eUsers/rate seconds), rate × E2E_WINDOW (default 3s) requests, sent on
// time whatever the answers do; the rates (E2E_RATES, default
// 50,100,200,400 requests/s) draw the saturation curve. The burst is every
// user sending at the same instant: e2eUsers requests.
//
// The fake Slack answers at once on loopback; E2E_SLACK_RTT (e.g. 100ms)
// holds each answer that long, as Slack far away does. E2E_AB compares
// setups in one run (see e2eSetups).
func BenchmarkEndToEnd(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				b.Skip("TEST_DATABASE_URL is unset: PostgreSQL skipped")
			}
			setups := e2eSetups()
			nbs := make([]*noticeBench, len(setups))
			for i, setup := range setups {
				nbs[i] = newNoticeBench(b, backend, setup)
				nbs[i].addLister(b)
			}
			for _, kind := range []string{"list", "approve"} {
				for _, l := range e2eLoads() {
					b.Run(kind+"/"+l.name, func(b *testing.B) {
						all := make([]e2eSample, len(nbs))
						for b.Loop() {
							// Setups compared take turns, load by load.
							for i, nb := range nbs {
								if kind == "list" {
									all[i].add(nb.e2eList(b, l))
								} else {
									all[i].add(nb.e2eApprove(b, l))
								}
							}
						}
						for i, setup := range setups {
							all[i].report(b, backend+"/"+kind+"/"+l.name, setup.name)
						}
					})
				}
			}
		})
	}
	e2eSummary.mu.Lock()
	defer e2eSummary.mu.Unlock()
	if len(e2eSummary.rows) > 0 {
		fmt.Printf("end-to-end latency, %d users, GOMAXPROCS %d; setup wW/pP = W post-ack workers, P delivery lanes; e2e = sent → card updated (approve) or answer at the response_url (list); paced = open-loop Poisson arrivals, achieved rate = sent / sending time:\n%-40s %6s %8s | %8s %8s %8s | %9s %9s\n%s",
			e2eUsers, runtime.GOMAXPROCS(0),
			"load", "n", "req/s", "e2e_p50", "e2e_p99", "e2e_max", "notice_p50", "notice_p99",
			strings.Join(e2eSummary.rows, "\n")+"\n")
		e2eSummary.rows = nil
	}
}

// e2eSetup is how the bot measured is set up (0: the defaults).
type e2eSetup struct {
	name         string
	laterWorkers int // bot.Options.LaterWorkers
	parallel     int // bot.DeliveryConfig.Parallel (0: stack's default)
}

// serveLaterWorkers is serve's default post-ack workers
// (LEASELINE_LATER_WORKERS), which the end-to-end figures are measured
// with unless ACKBENCH_LATER_WORKERS says otherwise.
const serveLaterWorkers = 16

// e2eSetups are the setups measured: ACKBENCH_LATER_WORKERS and
// ACKBENCH_DELIVERY_PARALLEL's (default: serve's), or those E2E_AB
// compares in one run ("W/P,W/P": post-ack workers/delivery lanes), their
// loads taking turns.
func e2eSetups() []e2eSetup {
	var out []e2eSetup
	for part := range strings.SplitSeq(os.Getenv("E2E_AB"), ",") {
		w, p, _ := strings.Cut(strings.TrimSpace(part), "/")
		wn, err1 := strconv.Atoi(w)
		pn, err2 := strconv.Atoi(p)
		if err1 == nil && err2 == nil && wn > 0 && pn > 0 {
			out = append(out, e2eSetup{name: fmt.Sprintf("w%d/p%d", wn, pn), laterWorkers: wn, parallel: pn})
		}
	}
	if len(out) > 0 {
		return out
	}
	w := envInt("ACKBENCH_LATER_WORKERS", serveLaterWorkers)
	p := envInt("ACKBENCH_DELIVERY_PARALLEL", 0) // 0: stack's default for the backend
	name := fmt.Sprintf("w%d/p%d", w, p)
	if p == 0 {
		name = fmt.Sprintf("w%d/p-default", w)
	}
	return []e2eSetup{{name: name, laterWorkers: w, parallel: p}}
}

// e2eUsers is how many users send; a burst is one request from each.
const e2eUsers = 200

// e2eTimeout bounds the wait for one load's cards, answers and notices.
const e2eTimeout = 2 * time.Minute

// e2eSummary collects the rows printed at the end of BenchmarkEndToEnd.
var e2eSummary struct {
	mu   sync.Mutex
	rows []string
}

// e2eLoad is how the requests of one load arrive.
type e2eLoad struct {
	name  string
	rate  int // requests/s, open-loop Poisson; 0: a burst
	users int // a burst: how many send at once (default e2eUsers)
}

// e2eLoads are the burst, then the paced loads of E2E_RATES.
func e2eLoads() []e2eLoad {
	loads := []e2eLoad{{name: "burst"}}
	rates := cmp.Or(os.Getenv("E2E_RATES"), "50,100,200,400")
	for r := range strings.SplitSeq(rates, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(r)); err == nil && n > 0 {
			loads = append(loads, e2eLoad{name: fmt.Sprintf("rate=%d", n), rate: n})
		}
	}
	return loads
}

// n is how many requests the load sends.
func (l e2eLoad) n() int {
	if l.rate == 0 {
		return cmp.Or(l.users, e2eUsers)
	}
	window := 3 * time.Second
	if d, err := time.ParseDuration(os.Getenv("E2E_WINDOW")); err == nil && d > 0 {
		window = d
	}
	return max(1, int(float64(l.rate)*window.Seconds()))
}

// arrivals are the moments the requests are sent, from the load's start:
// all at 0 for a burst, else Poisson at the rate (seeded: every run sends
// on the same schedule).
func (l e2eLoad) arrivals() []time.Duration {
	at := make([]time.Duration, l.n())
	if l.rate == 0 {
		return at
	}
	rng := mathrand.New(mathrand.NewPCG(uint64(l.rate), 13))
	var t float64
	for i := range at {
		t += rng.ExpFloat64() / float64(l.rate)
		at[i] = time.Duration(t * float64(time.Second))
	}
	return at
}

// e2eSample is what one or more loads measured.
type e2eSample struct {
	lat     []time.Duration // each request's end-to-end latency
	notices []time.Duration // the delays of the notices the requests recorded
	sending time.Duration   // first send to last send
	late    int             // requests sent more than 10 ms after their arrival (the generator fell behind)
}

func (s *e2eSample) add(o e2eSample) {
	s.lat = append(s.lat, o.lat...)
	s.notices = append(s.notices, o.notices...)
	s.sending += o.sending
	s.late += o.late
}

// report reports the sample of setup under name. With several setups
// compared, each metric's unit ends with the setup's name.
func (s *e2eSample) report(b *testing.B, name, setup string) {
	b.ReportMetric(0, "ns/op") // one op is a whole load: ns/op means nothing here
	unit := func(u string) string {
		if len(e2eSetups()) > 1 {
			return u + "_" + strings.ReplaceAll(setup, "/", "")
		}
		return u
	}
	rate := 0.0
	if s.sending > 0 {
		rate = float64(len(s.lat)) / s.sending.Seconds()
	}
	p50, p99, worst := pct(s.lat, 50), pct(s.lat, 99), pct(s.lat, 100)
	b.ReportMetric(ms(p50), unit("e2e_p50_ms"))
	b.ReportMetric(ms(p99), unit("e2e_p99_ms"))
	b.ReportMetric(ms(worst), unit("e2e_max_ms"))
	b.ReportMetric(rate, unit("req/s"))
	notices := fmt.Sprintf("%9s %9s", "-", "-")
	if len(s.notices) > 0 {
		n50, n99 := pct(s.notices, 50), pct(s.notices, 99)
		b.ReportMetric(ms(n50), unit("notice_p50_ms"))
		b.ReportMetric(ms(n99), unit("notice_p99_ms"))
		notices = fmt.Sprintf("%9.1f %9.1f", ms(n50), ms(n99))
	}
	if s.late > 0 {
		b.ReportMetric(float64(s.late), unit("late_sends"))
	}
	rateCol := "burst"
	if !strings.HasSuffix(name, "burst") {
		rateCol = fmt.Sprintf("%.0f", rate)
	}
	e2eSummary.mu.Lock()
	e2eSummary.rows = append(e2eSummary.rows, fmt.Sprintf("%-40s %6d %8s | %8.1f %8.1f %8.1f | %s",
		name+" "+setup, len(s.lat), rateCol, ms(p50), ms(p99), ms(worst), notices))
	e2eSummary.mu.Unlock()
}

// openLoop sends reqs from e2eUsers users (request i from user i mod
// e2eUsers, in order), each request at start + at[i] or as soon as its
// user's previous request is acked; it returns when each was sent.
func (nb *noticeBench) openLoop(b *testing.B, reqs []signed, at []time.Duration) (sent []time.Time, late int) {
	b.Helper()
	sent = make([]time.Time, len(reqs))
	users := e2eUsers
	if at[len(at)-1] == 0 {
		users = len(reqs) // a burst: everyone at once
	}
	start := time.Now().Add(10 * time.Millisecond)
	var lateSends atomic.Int64
	var wg sync.WaitGroup
	for u := range min(users, len(reqs)) {
		wg.Go(func() {
			for i := u; i < len(reqs); i += users {
				due := start.Add(at[i])
				time.Sleep(time.Until(due))
				sent[i] = time.Now()
				if sent[i].Sub(due) > 10*time.Millisecond {
					lateSends.Add(1)
				}
				if err := nb.send(reqs[i]); err != nil {
					b.Errorf("request %d: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	return sent, int(lateSends.Load())
}

// span is the time from the first send to the last.
func span(sent []time.Time) time.Duration {
	if len(sent) < 2 {
		return 0
	}
	return slices.MaxFunc(sent, time.Time.Compare).Sub(slices.MinFunc(sent, time.Time.Compare))
}

// e2eApprove applies l.n() connections (their review requests posted and
// recorded before the clock starts), presses Approve on each on l's
// schedule, and waits until every review card is updated and every notice
// posted.
func (nb *noticeBench) e2eApprove(b *testing.B, l e2eLoad) e2eSample {
	b.Helper()
	ctx := context.Background()
	b.StopTimer()
	ids := make([]int64, l.n())
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
	cardOf := make(map[string]int, len(ids)) // review card ts → press
	presses := make([]signed, len(ids))
	for i, id := range ids {
		d, err := nb.store.Detail(ctx, models.SystemActor(), id)
		if err != nil || d.Connection.ReviewTS == "" {
			b.Fatalf("connection %d has no review card (%v)", id, err)
		}
		cardOf[d.Connection.ReviewTS] = i
		presses[i] = approveBody(id, d.Connection.ReviewTS, nb.responseURL("approve-"+strconv.FormatInt(id, 10)))
	}
	at := l.arrivals()
	b.StartTimer()

	start := time.Now()
	sent, late := nb.openLoop(b, presses, at)
	updated := make(map[int]time.Time, len(ids))
	deadline := time.Now().Add(e2eTimeout)
	for len(updated) < len(ids) && time.Now().Before(deadline) {
		calls := nb.fake.Calls("chat.update")
		for _, c := range calls[nb.cards:] {
			if i, ok := cardOf[c.Param("ts")]; ok {
				if _, seen := updated[i]; !seen {
					updated[i] = c.Time
				}
			}
		}
		nb.cards = len(calls)
		if len(updated) < len(ids) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	b.StopTimer()
	if len(updated) < len(ids) {
		b.Fatalf("%d of %d review cards updated within %v", len(updated), len(ids), e2eTimeout)
	}
	s := e2eSample{sending: span(sent), late: late}
	for i, t := range updated {
		s.lat = append(s.lat, t.Sub(sent[i]))
	}
	// Approve records its notice before it updates the card: every notice
	// of the load is recorded now.
	nb.waitDelivered(b)
	s.notices = nb.noticeDelays(b, ids, start)
	if len(s.notices) < len(ids) {
		b.Fatalf("%d notices posted for %d approvals", len(s.notices), len(ids))
	}
	b.StartTimer()
	return s
}

// addLister gives Globex's customer (otherUser in otherChan) the page of
// connections `/leaseline list` shows in e2eList.
func (nb *noticeBench) addLister(b *testing.B) {
	b.Helper()
	ctx := context.Background()
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	globex, err := nb.store.CreateAccount(ctx, staff, "Globex", "", "CNY")
	if err != nil {
		b.Fatal(err)
	}
	if err := nb.store.Credit(ctx, staff, globex.ID, 1_000_000_00, "opening balance"); err != nil {
		b.Fatal(err)
	}
	if err := nb.store.LinkChannel(ctx, staff, otherChan, globex.ID); err != nil {
		b.Fatal(err)
	}
	if err := nb.store.AddAccountUser(ctx, staff, otherUser, globex.ID); err != nil {
		b.Fatal(err)
	}
	seedConnecting(b, nb.store, models.Actor{UserID: otherUser, Role: models.RoleCustomer, AccountID: globex.ID}, otherChan, ackViewConns)
	nb.waitDelivered(b)
	// Every user's keep-alive connection open before the first load.
	warm := make([]signed, e2eUsers)
	for i := range warm {
		warm[i] = commandAs(otherUser, otherChan, "help", nb.responseURL("warm"))
	}
	nb.openLoop(b, warm, make([]time.Duration, len(warm)))
}

// e2eList types `/leaseline list` as Globex's customer on l's schedule and
// waits until every page has reached its response_url.
func (nb *noticeBench) e2eList(b *testing.B, l e2eLoad) e2eSample {
	b.Helper()
	b.StopTimer()
	reqs := make([]signed, l.n())
	pathOf := make(map[string]int, len(reqs)) // response_url path → request
	for i := range reqs {
		nb.seq++
		name := "list-" + strconv.Itoa(nb.seq)
		ru := nb.responseURL(name)
		pathOf["/response/"+name] = i
		reqs[i] = commandAs(otherUser, otherChan, "list", ru)
	}
	at := l.arrivals()
	b.StartTimer()

	sent, late := nb.openLoop(b, reqs, at)
	answered := make(map[int]time.Time, len(reqs))
	deadline := time.Now().Add(e2eTimeout)
	for len(answered) < len(reqs) && time.Now().Before(deadline) {
		calls := nb.fake.Calls("response_url")
		for _, c := range calls[nb.replies:] {
			if i, ok := pathOf[c.Path]; ok {
				if _, seen := answered[i]; !seen {
					if !bytes.Contains(c.Body, []byte("Connections of Globex")) {
						b.Fatalf("list answered %.300s", c.Body)
					}
					answered[i] = c.Time
				}
			}
		}
		nb.replies = len(calls)
		if len(answered) < len(reqs) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	b.StopTimer()
	if len(answered) < len(reqs) {
		b.Fatalf("%d of %d lists answered within %v", len(answered), len(reqs), e2eTimeout)
	}
	s := e2eSample{sending: span(sent), late: late}
	for i, t := range answered {
		s.lat = append(s.lat, t.Sub(sent[i]))
	}
	b.StartTimer()
	return s
}
