package handlers_test

// BenchmarkAckLatency is issue 3's benchmark: acknowledgement latency
// (p50/p99) and requests per second of `/leaseline help`, `/leaseline list`
// and a View button press, each under 200 concurrent signed requests over
// keep-alive HTTP/1.1 connections to a real TCP listener, on SQLite and on
// PostgreSQL, beside a bare Go handler that only checks the signature, in
// the same run. The ratios p99(x)/p99(bare) are the figures.
//
// The load is bounded: ackRequests requests in all, spread over ackClients
// goroutines, each stopping at its share or at ackLoadTimeout. The post-ack
// work (the database reads and writes, the response_url answers) is not in
// the ack latency, but it runs while the load runs, as in production, and
// every sub-benchmark waits for all of it (Dispatcher.Drain, bounded by
// ackDrainTimeout) and checks that every request got its answer before the
// next starts; drain_ms is how long that wait took after the last ack.
//
// Beside the ack it measures what the user waits for: e2e is from the
// moment a request is sent to the moment its answer reaches the
// response_url (list's page, View's port information). Under this load (200
// clients sending back to back, no think time) that is the saturated
// figure; BenchmarkEndToEnd (noticebench_test.go) measures it, and Approve's
// card update, under paced arrivals.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
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
	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
	"github.com/leaseline/leaseline/models/store"
	"github.com/leaseline/leaseline/models/store/storetest"
	"github.com/leaseline/leaseline/stack"
)

// ackRequests is the number of requests of one load; ACKBENCH_REQUESTS
// changes it. 10,000 keeps the whole benchmark (SQLite and PostgreSQL,
// draining included) well under 3 minutes on 2 cores; ACKBENCH_LATER_WORKERS
// overrides the dispatcher's post-ack worker count.
var ackRequests = envInt("ACKBENCH_REQUESTS", 10_000)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

const (
	ackClients      = 200
	ackLoadTimeout  = 60 * time.Second  // the load stops by itself at the latest then
	ackReqTimeout   = 10 * time.Second  // one request
	ackDrainTimeout = 120 * time.Second // post-ack work must finish within this
	ackViewConns    = 200               // Connecting connections the View presses spread over
)

// sample is one load run: the latency of every ack, the time the load
// took, and how long its post-ack work took to drain after the last ack.
type sample struct {
	lat     []time.Duration
	elapsed time.Duration
	drain   time.Duration
	// sent is when each request was sent, by its index in the load (zero:
	// not sent); e2e is each answer's latency to the response_url.
	sent []time.Time
	e2e  []time.Duration
}

// ackResult sums up the samples of a sub-benchmark.
type ackResult struct {
	sent         int
	p50, p99     time.Duration
	e2e50, e2e99 time.Duration // 0: no answer through the response_url
	rps          float64
	drain        time.Duration // the longest drain
}

func summarize(samples []sample) ackResult {
	var all, e2e []time.Duration
	var elapsed time.Duration
	var r ackResult
	for _, s := range samples {
		all = append(all, s.lat...)
		e2e = append(e2e, s.e2e...)
		elapsed += s.elapsed
		r.drain = max(r.drain, s.drain)
	}
	if len(all) == 0 {
		return r
	}
	r.e2e50, r.e2e99 = pct(e2e, 50), pct(e2e, 99)
	slices.Sort(all)
	r.sent = len(all)
	r.p50 = all[len(all)*50/100]
	r.p99 = all[min(len(all)-1, len(all)*99/100)]
	r.rps = float64(len(all)) / elapsed.Seconds()
	return r
}

// measure runs, under b.Loop, the bare handler's load then fn's: one
// iteration is two whole loads of a few seconds, so there are one or two,
// and the bare handler is measured right beside what it is compared to.
func measure(b *testing.B, fn func() sample) (r, bare ackResult) {
	var samples, bares []sample
	for b.Loop() {
		bares = append(bares, bareLoad(b))
		samples = append(samples, fn())
	}
	return summarize(samples), summarize(bares)
}

// ackSummary collects the rows printed at the end of the run.
var ackSummary struct {
	mu   sync.Mutex
	rows []string
}

func BenchmarkAckLatency(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			if backend == "postgres" && os.Getenv("TEST_DATABASE_URL") == "" {
				fmt.Println("BenchmarkAckLatency: TEST_DATABASE_URL is unset: PostgreSQL skipped")
				b.Skip("TEST_DATABASE_URL is unset: PostgreSQL skipped (set TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' to run it)")
			}
			ab := newAckBench(b, backend)
			for _, kind := range []string{"help", "list", "button"} {
				b.Run(kind, func(b *testing.B) {
					r, bare := measure(b, func() sample { return ab.run(b, kind) })
					reportAck(b, backend+"/"+kind, r, bare)
				})
			}
		})
	}
	ackSummary.mu.Lock()
	defer ackSummary.mu.Unlock()
	if len(ackSummary.rows) > 0 {
		// Printed, not logged: a parent benchmark's log shows only with -v.
		fmt.Printf("ack latency: %d signed requests from %d keep-alive clients per load (no think time: saturation), GOMAXPROCS %d; bare = signature check only, measured just before; e2e = sent → answer at the response_url:\n%-14s %8s %8s %8s | %8s %8s %8s | %8s %9s | %8s %8s\n%s",
			ackRequests, ackClients, runtime.GOMAXPROCS(0),
			"kind", "p50_ms", "p99_ms", "req/s", "bare_p50", "bare_p99", "bare_r/s", "p99/bare", "drain_ms", "e2e_p50", "e2e_p99",
			strings.Join(ackSummary.rows, "\n")+"\n")
		ackSummary.rows = nil
	}
}

func reportAck(b *testing.B, name string, r, bare ackResult) {
	b.ReportMetric(0, "ns/op") // one op is a whole load: ns/op means nothing here
	b.ReportMetric(ms(r.p50), "p50_ms")
	b.ReportMetric(ms(r.p99), "p99_ms")
	b.ReportMetric(r.rps, "req/s")
	b.ReportMetric(ms(bare.p99), "bare_p99_ms")
	b.ReportMetric(bare.rps, "bare_req/s")
	ratio := float64(r.p99) / float64(bare.p99)
	b.ReportMetric(ratio, "p99/bare")
	b.ReportMetric(ms(r.drain), "drain_ms")
	e2e := fmt.Sprintf("%8s %8s", "-", "-")
	if r.e2e99 > 0 {
		b.ReportMetric(ms(r.e2e50), "e2e_p50_ms")
		b.ReportMetric(ms(r.e2e99), "e2e_p99_ms")
		e2e = fmt.Sprintf("%8.1f %8.1f", ms(r.e2e50), ms(r.e2e99))
	}
	ackSummary.mu.Lock()
	ackSummary.rows = append(ackSummary.rows, fmt.Sprintf("%-14s %8.1f %8.1f %8.0f | %8.1f %8.1f %8.0f | %8.2f %9.0f | %s",
		name, ms(r.p50), ms(r.p99), r.rps, ms(bare.p50), ms(bare.p99), bare.rps, ratio, ms(r.drain), e2e))
	ackSummary.mu.Unlock()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// bareLoad loads a bare Go handler that reads the body, checks the
// signature with slack.NewSecretsVerifier and answers 200.
func bareLoad(b *testing.B) sample {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, bot.DefaultMaxBodyBytes))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		sv, err := slack.NewSecretsVerifier(r.Header, signingSecret)
		if err != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		_, _ = sv.Write(body)
		if sv.Ensure() != nil {
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	reqs := make([]signed, ackRequests)
	for i := range reqs {
		reqs[i] = commandBody("help", "https://hooks.example/commands/T0FAKE/"+strconv.Itoa(i)+"/"+rand.Text()[:16])
	}
	return load(b, srv.URL, reqs, reqs[:ackClients])
}

// signed is one pre-signed Slack request: signing is done before the clock
// starts so that the load generator takes as little CPU as it can.
type signed struct {
	path      string
	body      []byte
	stamp     string
	signature string
}

func sign(path string, body []byte) signed {
	h := slackfake.Sign(signingSecret, time.Now(), body)
	return signed{path: path, body: body, stamp: h.Get("X-Slack-Request-Timestamp"), signature: h.Get("X-Slack-Signature")}
}

func commandBody(text, responseURL string) signed {
	return commandAs(customerUser, customerChan, text, responseURL)
}

// commandAs is `/leaseline text` typed by user in channel.
func commandAs(user, channel, text, responseURL string) signed {
	form := url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {user}, "user_name": {"user." + user},
		"channel_id": {channel}, "channel_name": {"leaseline-" + channel}, "team_id": {slackfake.TeamID},
		"team_domain": {"fake"}, "api_app_id": {"A0LEASELINE"}, "token": {"verification-token-unused"},
		"trigger_id": {"1337.42." + rand.Text()[:20]}, "response_url": {responseURL},
	}
	return sign(bot.PathCommands, []byte(form.Encode()))
}

func pressBody(actionID, value, responseURL string) signed {
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "1337.42." + rand.Text()[:20], "api_app_id": "A0LEASELINE",
		"user":         map[string]any{"id": customerUser, "team_id": slackfake.TeamID, "username": "acme.user", "name": "acme.user"},
		"team":         map[string]any{"id": slackfake.TeamID, "domain": "fake"},
		"channel":      map[string]any{"id": customerChan, "name": "acme-leaseline"},
		"container":    map[string]any{"type": "message", "channel_id": customerChan, "message_ts": "1700000000.000100", "is_ephemeral": true},
		"message":      map[string]any{"ts": "1700000000.000100", "type": "message", "text": "Port information"},
		"response_url": responseURL,
		"actions": []map[string]any{{
			"action_id": actionID, "value": value, "type": "button", "block_id": "ll_list_row",
			"text": map[string]any{"type": "plain_text", "text": "View"}, "action_ts": "1700000001.000200",
		}},
	})
	return sign(bot.PathInteractions, []byte(url.Values{"payload": {string(payload)}}.Encode()))
}

// load sends reqs to base from ackClients goroutines over keep-alive
// connections (warm-up requests first, not measured) and returns the
// latency percentiles and the throughput. It stops by itself: at the end of
// reqs, or at ackLoadTimeout.
func load(b *testing.B, base string, reqs, warm []signed) sample {
	b.Helper()
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        ackClients,
		MaxIdleConnsPerHost: ackClients,
		MaxConnsPerHost:     ackClients,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: ackReqTimeout}

	sent := make([]time.Time, len(reqs))
	send := func(s signed, at *time.Time) (time.Duration, error) {
		req, err := http.NewRequest(http.MethodPost, base+s.path, bytes.NewReader(s.body))
		if err != nil {
			return 0, err
		}
		req.Header["Content-Type"] = []string{"application/x-www-form-urlencoded"}
		req.Header["X-Slack-Request-Timestamp"] = []string{s.stamp}
		req.Header["X-Slack-Signature"] = []string{s.signature}
		start := time.Now()
		if at != nil {
			*at = start
		}
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		_, err = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		d := time.Since(start)
		if err != nil {
			return d, err
		}
		if res.StatusCode != http.StatusOK {
			return d, fmt.Errorf("status %d", res.StatusCode)
		}
		return d, nil
	}

	// Warm-up: one request per client, all at once, so that every
	// connection is open before the clock starts.
	var wg sync.WaitGroup
	for _, s := range warm {
		wg.Go(func() {
			if _, err := send(s, nil); err != nil {
				b.Errorf("warm-up: %v", err)
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}

	lat := make([][]time.Duration, ackClients)
	var failed atomic.Int64
	var firstErr atomic.Value
	deadline := time.Now().Add(ackLoadTimeout)
	per := (len(reqs) + ackClients - 1) / ackClients
	start := time.Now()
	for c := range ackClients {
		first := min(c*per, len(reqs))
		mine := reqs[first:min((c+1)*per, len(reqs))]
		wg.Go(func() {
			out := make([]time.Duration, 0, len(mine))
			defer func() { lat[c] = out }()
			for i, s := range mine {
				if time.Now().After(deadline) {
					return
				}
				d, err := send(s, &sent[first+i])
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				out = append(out, d)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	all := slices.Concat(lat...)
	if err, _ := firstErr.Load().(error); err != nil {
		b.Errorf("%d of %d requests failed, the first: %v", failed.Load(), len(reqs), err)
	}
	if len(all)+int(failed.Load()) < len(reqs) {
		b.Errorf("the load stopped at its time limit (%v): %d of %d requests sent", ackLoadTimeout, len(all)+int(failed.Load()), len(reqs))
	}
	if len(all) == 0 {
		b.FailNow()
	}
	return sample{lat: all, elapsed: elapsed, sent: sent}
}

// ackBench is the bot wired as in production (store, handlers, router,
// dispatcher with Prometheus metrics, HTTP receiver on a TCP listener) on
// one database, with the ACME data the requests act on.
type ackBench struct {
	backend string
	store   *store.Store
	disp    *bot.Dispatcher
	server  *httptest.Server
	sink    *responseSink
	views   []int64 // Connecting connections of ACME
}

func newAckBench(b *testing.B, backend string) *ackBench {
	b.Helper()
	ctx := context.Background()
	// Logs are formatted as in production (Info and above, request_id on
	// every line), then discarded.
	log := slog.New(bot.NewLogHandler(slog.NewTextHandler(io.Discard, nil)))
	st := storetest.OpenWithSample(b, backend, store.Config{StaffChannel: staffChannel, Logger: log})
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	acme, err := st.CreateAccount(ctx, staff, "ACME", "", "CNY")
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Credit(ctx, staff, acme.ID, 1_000_000_00, "opening balance"); err != nil {
		b.Fatal(err)
	}
	if err := st.LinkChannel(ctx, staff, customerChan, acme.ID); err != nil {
		b.Fatal(err)
	}
	if err := st.AddAccountUser(ctx, staff, customerUser, acme.ID); err != nil {
		b.Fatal(err)
	}
	ab := &ackBench{backend: backend, store: st}
	ab.seed(b, acme)

	fake := slackfake.New()
	b.Cleanup(fake.Close)
	ab.sink = newResponseSink()
	b.Cleanup(ab.sink.srv.Close)
	// The Web API and response_url client: production's is an http.Client
	// with a timeout; its transport keeps connections to the one host
	// (hooks.slack.com) alive instead of opening one per answer.
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{
		MaxIdleConns: 64, MaxIdleConnsPerHost: 64, IdleConnTimeout: time.Minute,
	}}
	b.Cleanup(hc.CloseIdleConnections)
	stk, err := stack.New(ctx, stack.Config{
		Store: st, BotToken: "xoxb-bench", APIURL: fake.APIURL(), HTTPClient: hc, SigningSecret: signingSecret,
		Handlers:   handlers.Config{StaffUsers: []string{staffUser}, StaffChannel: staffChannel},
		Dispatcher: bot.Options{Registerer: prometheus.NewRegistry(), LaterWorkers: envInt("ACKBENCH_LATER_WORKERS", 0)},
		Logger:     log,
	})
	if err != nil {
		b.Fatal(err)
	}
	ab.disp = stk.Dispatcher
	rc := stk.Receiver
	ab.server = httptest.NewServer(rc)
	b.Cleanup(ab.server.Close)
	return ab
}

// seed gives ACME a realistic page of connections for list: ackViewConns
// Connecting ones (applied, approved, paid, port allocated: View shows
// their port) and a few Applying ones, older.
func (ab *ackBench) seed(b *testing.B, acme *models.Account) {
	ctx := context.Background()
	customer := models.Actor{UserID: customerUser, Role: models.RoleCustomer, AccountID: acme.ID}
	app := models.Application{AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj",
		PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301, Wensan Road, Hangzhou"}
	for i := range 3 {
		app.Name = fmt.Sprintf("Pending line %d", i)
		if _, err := st(ab).Apply(ctx, customer, app, customerChan); err != nil {
			b.Fatalf("apply: %v", err)
		}
	}
	ab.views = seedConnecting(b, ab.store, customer, customerChan, ackViewConns)
}

// seedConnecting gives the customer's account n Connecting connections
// (applied, approved, paid, port allocated), each with its own physical
// connection ID and audit trail, and returns their IDs. The account must
// have the money for one.
func seedConnecting(b *testing.B, s *store.Store, customer models.Actor, channel string, n int) []int64 {
	ctx := context.Background()
	staff := models.Actor{UserID: staffUser, Role: models.RoleStaff}
	app := models.Application{Name: "Hangzhou line", AccessPointID: "ap-cn-hangzhou-yh-b", ProviderID: "ct-zj",
		PortType: models.Port1000BaseT, BandwidthMbps: 200, Location: "Room 301, Wensan Road, Hangzhou"}
	c, err := s.Apply(ctx, customer, app, channel)
	if err != nil {
		b.Fatalf("apply: %v", err)
	}
	if _, err := s.Act(ctx, staff, c.ID, models.ActInput{Action: models.ActionApprove}); err != nil {
		b.Fatalf("approve: %v", err)
	}
	paid, err := s.Pay(ctx, customer, c.ID)
	if err != nil {
		b.Fatalf("pay: %v", err)
	}
	db, err := s.DB()
	if err != nil {
		b.Fatal(err)
	}
	// Copies of the paid connection, each with its own physical
	// connection ID and audit trail.
	cols := "account_id, access_point_id, provider_id, port_type, bandwidth_mbps, location, status, step, device_id, port_id, port_name, amount_cents, currency, applied_by, applied_channel, version, created_at, updated_at"
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ids := []int64{paid.ID}
	for i := 1; i < n; i++ {
		var id int64
		q := fmt.Sprintf("INSERT INTO connections (name, physical_connection_id, %s) SELECT name || ' %d', physical_connection_id || '-%d', %s FROM connections WHERE id = %d RETURNING id", cols, i, i, cols, paid.ID)
		if err := tx.QueryRow(q).Scan(&id); err != nil {
			_ = tx.Rollback()
			b.Fatalf("copy connection: %v", err)
		}
		if _, err := tx.Exec(fmt.Sprintf("INSERT INTO audit_events (connection_id, account_id, actor, role, action, from_status, to_status, step, detail, at) SELECT %d, account_id, actor, role, action, from_status, to_status, step, detail, at FROM audit_events WHERE connection_id = %d ORDER BY id", id, paid.ID)); err != nil {
			_ = tx.Rollback()
			b.Fatalf("copy audit trail: %v", err)
		}
		ids = append(ids, id)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return ids
}

func st(ab *ackBench) *store.Store { return ab.store }

// run measures one kind of request and waits for its post-ack work.
func (ab *ackBench) run(b *testing.B, kind string) sample {
	b.Helper()
	ab.sink.reset()
	reqs := make([]signed, ackRequests)
	warm := make([]signed, ackClients)
	for i := range warm {
		warm[i] = commandBody("help", ab.sink.url("warm"))
	}
	var want string // what every answer through the response_url shows
	urls := make([]string, len(reqs))
	for i := range reqs {
		ru := ab.sink.url(kind)
		urls[i] = ru
		switch kind {
		case "help":
			reqs[i] = commandBody("help", ru)
		case "list":
			reqs[i] = commandBody("list", ru)
			want = "Connections of ACME"
		case "button":
			reqs[i] = pressBody("ll_view", strconv.FormatInt(ab.views[i%len(ab.views)], 10), ru)
			want = "Port information"
		}
	}
	r := load(b, ab.server.URL, reqs, warm)

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), ackDrainTimeout)
	defer cancel()
	if err := ab.disp.Drain(ctx); err != nil {
		b.Fatalf("post-ack work of %s did not finish in %v: %v", kind, ackDrainTimeout, err)
	}
	r.drain = time.Since(start)

	if want != "" {
		got, bad, example := ab.sink.counts(kind, want)
		if got != len(r.lat) || bad > 0 {
			b.Errorf("%s: %d of %d answers through response_url show %q; %d do not, e.g. %.300s", kind, got, len(r.lat), want, bad, example)
		}
		for i, u := range urls {
			if at, ok := ab.sink.answeredAt(u); ok && !r.sent[i].IsZero() {
				r.e2e = append(r.e2e, at.Sub(r.sent[i]))
			}
		}
	}
	return r
}

// responseSink stands for Slack's response_url endpoint: it takes the
// post-ack answers, checks what they show and counts them.
type responseSink struct {
	srv *httptest.Server
	seq atomic.Int64

	mu      sync.Mutex
	ok      map[string]int
	bad     map[string]int
	example map[string]string
	want    map[string]string
	at      map[string]time.Time // when the first answer to a path came
}

func newResponseSink() *responseSink {
	s := &responseSink{}
	s.reset()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		kind, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/response/"), "/")
		at := time.Now()
		s.mu.Lock()
		if _, ok := s.at[r.URL.Path]; !ok {
			s.at[r.URL.Path] = at
		}
		switch want := s.want[kind]; {
		case want == "":
		case bytes.Contains(body, []byte(want)):
			s.ok[kind]++
		default:
			s.bad[kind]++
			s.example[kind] = string(body)
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	return s
}

func (s *responseSink) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ok, s.bad, s.example, s.at = map[string]int{}, map[string]int{}, map[string]string{}, map[string]time.Time{}
	s.want = map[string]string{"list": "Connections of ACME", "button": "Port information"}
}

func (s *responseSink) url(kind string) string {
	return s.srv.URL + "/response/" + kind + "/T0FAKE/" + strconv.FormatInt(s.seq.Add(1), 10) + "/" + rand.Text()[:16]
}

// answeredAt is when the first answer to the response_url u came.
func (s *responseSink) answeredAt(u string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.at[strings.TrimPrefix(u, s.srv.URL)]
	return at, ok
}

func (s *responseSink) counts(kind, want string) (ok, bad int, example string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok[kind], s.bad[kind], s.example[kind]
}

// TestLaterWorkersQueueNeverDrops checks the post-ack pool the benchmark
// relies on: at most LaterWorkers run at once, the rest queue (their
// LaterTimeout starts when they run, not when they are queued), none is
// dropped, and Drain waits for the queued ones too.
func TestLaterWorkersQueueNeverDrops(t *testing.T) {
	const n, workers, laterTimeout = 50, 3, 200 * time.Millisecond
	release := make(chan struct{})
	var running, peak, done, expired, order atomic.Int32
	started, queuedLong := make(chan struct{}, n), make(chan struct{})
	router := bot.NewRouter()
	router.Command("/leaseline", func(context.Context, bot.Request) (any, func(context.Context)) {
		return nil, func(ctx context.Context) {
			cur := running.Add(1)
			for p := peak.Load(); cur > p && !peak.CompareAndSwap(p, cur); p = peak.Load() {
			}
			started <- struct{}{}
			<-release
			if order.Add(1) <= workers {
				// The first hold the workers until every queued
				// function has waited longer than LaterTimeout.
				<-queuedLong
			} else if deadline, ok := ctx.Deadline(); ctx.Err() != nil || !ok || !deadline.After(time.Now()) {
				expired.Add(1)
			}
			running.Add(-1)
			done.Add(1)
		}
	})
	reg := prometheus.NewRegistry()
	disp, err := bot.NewDispatcher(router, bot.Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		LaterWorkers: workers, LaterTimeout: laterTimeout, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		cmd := &slack.SlashCommand{Command: "/leaseline", Text: "list " + strconv.Itoa(i)}
		if _, err := disp.Dispatch(context.Background(), bot.Request{Kind: bot.KindCommand, Command: cmd}, []byte(cmd.Text)); err != nil {
			t.Fatal(err)
		}
	}
	// Once the first functions have started (they wait for release), the
	// dispatcher's own gauges say how many run and how many wait: every
	// worker busy, the rest queued.
	for range workers {
		<-started
	}
	if got := running.Load(); got != workers {
		t.Errorf("%d post-ack functions run at once, want %d", got, workers)
	}
	if inFlight, queued := gaugeValue(t, reg, "leaseline_slack_later_in_flight"), gaugeValue(t, reg, "leaseline_slack_later_queued"); inFlight != workers || queued != n-workers {
		t.Errorf("%v post-ack functions running and %v queued, want %d and %d", inFlight, queued, workers, n-workers)
	}
	// LaterTimeout from now, every queued function has waited longer than
	// LaterTimeout; each must still start with time left to run.
	time.AfterFunc(laterTimeout, func() { close(queuedLong) })
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := disp.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	if done.Load() != n || peak.Load() != workers || expired.Load() != 0 {
		t.Errorf("done %d of %d, peak %d (want %d), %d ran out of time while queued", done.Load(), n, peak.Load(), workers, expired.Load())
	}
}

// gaugeValue reads the gauge name from reg.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no gauge %s", name)
	return 0
}
