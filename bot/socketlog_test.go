package bot_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func socketReceiver(t *testing.T, fake *slackfake.Server, logs *lockedBuffer) *bot.SocketModeReceiver {
	t.Helper()
	d, err := bot.NewDispatcher(bot.NewRouter(), bot.Options{Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken("xapp-test"))
	recv, err := bot.NewSocketModeReceiver(socketmode.New(api), d)
	if err != nil {
		t.Fatal(err)
	}
	return recv
}

// TestSocketModeRejectedToken: a rejected app-level token ends Socket Mode
// with what to do about it.
func TestSocketModeRejectedToken(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.RefuseNext("apps.connections.open", 1, "invalid_auth")
	var logs lockedBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := socketReceiver(t, fake, &logs).Run(ctx)
	want := "SLACK_APP_TOKEN was rejected by Slack (invalid_auth): create an app-level token with connections:write"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Run: %v; want %q", err, want)
	}
}

// TestSocketModeExplainsItself: a failed connection is logged with its
// cause and back-off, and "connected" only once Slack said hello.
func TestSocketModeExplainsItself(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	fake.FailNext("apps.connections.open", 1, 500, 0)
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- socketReceiver(t, fake, &logs).Run(ctx) }()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(logs.String(), "connected (Slack said hello)") {
		if time.Now().After(deadline) {
			t.Fatalf("never logged connected:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	failed := strings.Index(out, "connection failed; retrying after a back-off")
	connected := strings.Index(out, "connected (Slack said hello)")
	if failed < 0 || !strings.Contains(out, "cause=") || !strings.Contains(out, "500") || !strings.Contains(out, "retry_in=") || !strings.Contains(out, "reconnecting") {
		t.Fatalf("the failed attempt is not explained:\n%s", out)
	}
	if connected < failed {
		t.Fatalf("connected logged before the failure was retried:\n%s", out)
	}
	if strings.Contains(out[:connected], "msg=\"socket mode: connected") {
		t.Fatalf("connected logged before hello:\n%s", out)
	}
}
