package bot_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
)

// syncBuffer is a bytes.Buffer safe for the dispatcher's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogHandlerRequestID: every line logged during a Slack request — by
// the dispatcher, by the handler and its post-ack work with the context,
// by a logger that named the ID itself — carries request_id exactly once;
// a line logged outside a request has none.
func TestLogHandlerRequestID(t *testing.T) {
	var buf syncBuffer
	log := slog.New(bot.NewLogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	r := bot.NewRouter()
	r.Command("/leaseline", func(ctx context.Context, req bot.Request) (any, func(context.Context)) {
		log.InfoContext(ctx, "in handler")
		log.InfoContext(ctx, "explicit", "request_id", bot.RequestID(ctx))
		log.With("request_id", bot.RequestID(ctx)).InfoContext(ctx, "with")
		log.WithGroup("g").InfoContext(ctx, "grouped", "k", "v")
		return nil, func(ctx context.Context) { log.ErrorContext(ctx, "later failed", "err", "boom") }
	})
	d, err := bot.NewDispatcher(r, bot.Options{Logger: log, NewID: func() string { return "req-42" }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Dispatch(context.Background(), bot.Request{Kind: bot.KindCommand, Command: &slack.SlashCommand{Command: "/leaseline"}}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := d.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	log.Info("outside any request")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) < 6 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("not JSON: %s", line)
		}
		n := strings.Count(line, `"request_id":`)
		switch {
		case rec["msg"] == "outside any request":
			if n != 0 {
				t.Errorf("request_id outside a request: %s", line)
			}
		case n != 1 || !strings.Contains(line, `"request_id":"req-42"`):
			t.Errorf("want request_id req-42 once: %s", line)
		}
	}
}
