package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

// balancer sends signed Slack requests to the replicas in turn, as a load
// balancer would: a replica that refuses the connection is skipped for a
// second and the request goes to the next one. Every answered request's
// ack latency is recorded.
type balancer struct {
	addrs  []string
	secret string
	client *http.Client
	next   atomic.Uint64

	bare string // base URL of the bare signature-checking handler ("" for none)

	mu        sync.Mutex
	downUntil map[string]time.Time
	latencies []time.Duration
	byKind    map[string][]time.Duration // command, block_actions, view_submission
	bareLat   []time.Duration
	failures  int // attempts without an HTTP answer
	non200    int // answers other than 200
	// answers to a request sent again, unchanged, after an attempt
	// without answer, by kind; and those of them that were empty (an
	// empty ack is what a replica answers to a request it has already
	// seen, without running it)
	resent, resentEmpty map[string]int
}

func newBalancer(secret string, addrs ...string) *balancer {
	tr := &http.Transport{MaxIdleConns: 400, MaxIdleConnsPerHost: 200, IdleConnTimeout: 30 * time.Second}
	return &balancer{addrs: addrs, secret: secret, downUntil: map[string]time.Time{}, byKind: map[string][]time.Duration{},
		resent: map[string]int{}, resentEmpty: map[string]int{},
		client: &http.Client{Transport: tr, Timeout: 15 * time.Second}}
}

// ack is a bot's answer to a Slack request.
type ack struct {
	status int
	body   map[string]any
	raw    string
}

// post sends the request built by sign (for a target URL) to a replica,
// trying the others when one does not answer.
func (b *balancer) post(ctx context.Context, kind, path string, sign func(target string) (*http.Request, error)) (ack, error) {
	var lastErr error
	resent := false
	n := b.next.Add(1)
	for i := range 2 * len(b.addrs) {
		addr := b.addrs[(int(n)+i)%len(b.addrs)]
		b.mu.Lock()
		down := time.Now().Before(b.downUntil[addr])
		b.mu.Unlock()
		if down && i < len(b.addrs) {
			continue
		}
		req, err := sign("http://" + addr + path)
		if err != nil {
			return ack{}, err
		}
		start := time.Now()
		res, err := b.client.Do(req.WithContext(ctx))
		if err != nil {
			lastErr = fmt.Errorf("%s%s: %w", addr, path, err)
			resent = true
			b.mu.Lock()
			b.failures++
			b.downUntil[addr] = time.Now().Add(time.Second)
			b.mu.Unlock()
			if ctx.Err() != nil {
				return ack{}, ctx.Err()
			}
			continue
		}
		raw, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		elapsed := time.Since(start)
		b.mu.Lock()
		b.latencies = append(b.latencies, elapsed)
		b.byKind[kind] = append(b.byKind[kind], elapsed)
		if res.StatusCode != http.StatusOK {
			b.non200++
		}
		if resent {
			b.resent[kind]++
			if len(raw) == 0 {
				b.resentEmpty[kind]++
			}
		}
		b.mu.Unlock()
		if err != nil {
			lastErr = fmt.Errorf("read answer of %s%s: %w", addr, path, err)
			continue
		}
		a := ack{status: res.StatusCode, raw: string(raw)}
		if len(raw) > 0 {
			_ = json.Unmarshal(raw, &a.body)
		}
		if res.StatusCode >= 500 {
			lastErr = fmt.Errorf("%s%s: HTTP %d", addr, path, res.StatusCode)
			continue
		}
		if b.bare != "" && n%5 == 0 {
			b.yardstick(ctx, path, sign)
		}
		return a, nil
	}
	if lastErr == nil {
		lastErr = errors.New("no replica answered")
	}
	return ack{}, lastErr
}

// yardstick sends the same request to the bare handler and records its
// latency.
func (b *balancer) yardstick(ctx context.Context, path string, sign func(target string) (*http.Request, error)) {
	req, err := sign(b.bare + path)
	if err != nil {
		return
	}
	start := time.Now()
	res, err := b.client.Do(req.WithContext(ctx))
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return
	}
	b.mu.Lock()
	b.bareLat = append(b.bareLat, time.Since(start))
	b.mu.Unlock()
}

// bareStats returns the bare handler's latencies, sorted.
func (b *balancer) bareStats() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.bareLat)
	slices.Sort(out)
	return out
}

// command sends /leaseline text as user in channel.
func (b *balancer) command(ctx context.Context, fake *slackfake.Server, user, channel, text, trigger, response string) (ack, error) {
	form := url.Values{
		"command": {"/leaseline"}, "text": {text}, "user_id": {user}, "channel_id": {channel},
		"team_id": {slackfake.TeamID}, "trigger_id": {trigger}, "response_url": {fake.ResponseURL(response)},
	}
	return b.post(ctx, "command", bot.PathCommands, func(target string) (*http.Request, error) {
		return slackfake.CommandRequest(target, b.secret, time.Now(), form)
	})
}

// interact sends an interaction payload.
func (b *balancer) interact(ctx context.Context, payload any) (ack, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return ack{}, fmt.Errorf("encode payload: %w", err)
	}
	kind := "interaction"
	if m, ok := payload.(map[string]any); ok {
		kind, _ = m["type"].(string)
	}
	return b.post(ctx, kind, bot.PathInteractions, func(target string) (*http.Request, error) {
		return slackfake.InteractionRequest(target, b.secret, time.Now(), json.RawMessage(body))
	})
}

// resentStats describes the answers to requests sent again after an
// attempt without answer: "kind N (M empty)", by kind.
func (b *balancer) resentStats() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, k := range slices.Sorted(maps.Keys(b.resent)) {
		out = append(out, fmt.Sprintf("%s %d (%d empty)", k, b.resent[k], b.resentEmpty[k]))
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// kindStats returns the sorted ack latencies of one kind of request.
func (b *balancer) kindStats(kind string) []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.byKind[kind])
	slices.Sort(out)
	return out
}

// stats returns the ack latencies (sorted), attempts without an answer and
// answers other than 200.
func (b *balancer) stats() ([]time.Duration, int, int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := slices.Clone(b.latencies)
	slices.Sort(out)
	return out, b.failures, b.non200
}

// percentile of sorted durations (p in 0..100).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p / 100)
	return sorted[i]
}
