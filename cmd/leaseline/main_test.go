package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

func envMap(m map[string]string) getenv { return func(k string) string { return m[k] } }

// TestConfigCheckNamesEveryProblem: each bad setting gets its own message
// that says what to fix.
func TestConfigCheckNamesEveryProblem(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"config", "check"}, envMap(map[string]string{
		"SLACK_BOT_TOKEN":       "not-a-token",
		"SLACK_APP_TOKEN":       "xoxb-wrong-kind",
		"DATABASE_URL":          "mysql://x@y/z",
		"LEASELINE_STAFF_USERS": "alice",
		"LEASELINE_LOG_FORMAT":  "xml",
		"LEASELINE_MAX_OPEN":    "many",
		"LEASELINE_ADDR":        "8080",
	}), &out, &errOut)
	if err == nil {
		t.Fatal("config check passed a broken configuration")
	}
	for _, want := range []string{
		"SLACK_BOT_TOKEN must be a bot token starting with xoxb-",
		"SLACK_APP_TOKEN must be an app-level token starting with xapp-",
		"LEASELINE_STAFF_CHANNEL is missing",
		`LEASELINE_STAFF_USERS: "alice" is not a Slack user ID`,
		`DATABASE_URL scheme "mysql" is not supported`,
		`LEASELINE_LOG_FORMAT "xml": use text or json`,
		"LEASELINE_MAX_OPEN must be a whole number",
		`LEASELINE_ADDR "8080" is not a listen address`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing problem %q in:\n%v", want, err)
		}
	}
}

func TestConfigCheckMissingTokenAndSecret(t *testing.T) {
	err := run(context.Background(), []string{"config", "check"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN is missing") || !strings.Contains(err.Error(), "SLACK_SIGNING_SECRET is missing") {
		t.Fatalf("got %v", err)
	}
	err = run(context.Background(), []string{"config", "check"}, envMap(map[string]string{"DATABASE_URL": "postgres://u@h/db"}), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "LEASELINE_ENCRYPTION_KEY is missing") {
		t.Fatalf("PostgreSQL without an encryption key: %v", err)
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"frobnicate"}, envMap(nil), io.Discard, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "leaseline -h") {
		t.Fatalf("err %v, usage %q", err, errOut.String())
	}
	err = run(context.Background(), []string{"catalog", "shwo"}, envMap(nil), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `did you mean "leaseline catalog show"`) {
		t.Fatalf("catalog shwo: %v", err)
	}
}

// TestCatalogImportReportsLines: a broken catalog file is refused with the
// line of each problem, and the database is untouched.
func TestCatalogImportReportsLines(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(file, []byte("regions:\n  - id: r1\n    time_zone: Mars/Olympus\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := envMap(map[string]string{"DATABASE_URL": filepath.Join(dir, "l.db")})
	err := run(context.Background(), []string{"catalog", "import", file}, env, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bad.yaml:3") {
		t.Fatalf("got %v", err)
	}
	var out bytes.Buffer
	sample := filepath.Join("..", "..", "deploy", "catalog.sample.yaml")
	if err := run(context.Background(), []string{"catalog", "import", sample}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "access points") {
		t.Fatalf("import said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"catalog", "show"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "cn-hangzhou") {
		t.Fatalf("catalog show: %q", out.String())
	}
}

// TestServe starts the real server against a fake Slack and checks health,
// readiness, metrics, a signed slash command and a forged one, then a clean
// shutdown.
func TestServe(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	dir := t.TempDir()
	env := envMap(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.APIURL(),
		"DATABASE_URL": filepath.Join(dir, "serve.db"), "LEASELINE_ADDR": addr,
		"LEASELINE_STAFF_USERS": "USTAFF", "LEASELINE_STAFF_CHANNEL": "CSTAFF",
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var logs bytes.Buffer
	go func() { done <- serveOn(ctx, env, nil, &syncWriter{w: &logs}, ln, nil) }()
	base := "http://" + addr
	waitUp(t, base+"/healthz", done)

	waitBody(t, base+"/readyz", `"slack":"ok"`)
	if code, body := get(t, base+"/readyz"); code != 200 || !strings.Contains(body, `"ready":true`) || !strings.Contains(body, `"catalog":"warning: no catalog`) {
		t.Fatalf("readyz %d %s", code, body)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Fatalf("metrics %d", code)
	} else {
		// Wired in serve: the notice backlog read at scrape time, and the
		// Slack Web API call readiness made (auth.test).
		for _, want := range []string{"leaseline_notices_pending 0", `leaseline_slack_api_requests_total{method="auth.test",status="2xx"} 1`} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	}
	form := url.Values{"command": {"/leaseline"}, "text": {"help"}, "user_id": {"U1"}, "channel_id": {"C1"}, "team_id": {"T1"}}
	req, _ := slackfake.CommandRequest(base+"/slack/commands", "s3cret", time.Now(), form)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "leaseline") {
		t.Fatalf("help: %d %s", res.StatusCode, body)
	}
	req, _ = slackfake.CommandRequest(base+"/slack/commands", "wrong-secret", time.Now(), form)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("forged request got %d", res.StatusCode)
	}
	if code, body := get(t, base+"/metrics"); code != 200 || !strings.Contains(body, "leaseline_slack_requests_total") {
		t.Fatalf("metrics after a request lack leaseline_slack_requests_total (%d)", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if !strings.Contains(logs.String(), "stopped") {
		t.Fatalf("no clean stop in logs:\n%s", logs.String())
	}
}

func waitUp(t *testing.T, u string, done chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("serve exited early: %v", err)
		default:
		}
		if res, err := http.Get(u); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server did not come up")
}

// waitBody polls u until its body contains want.
func waitBody(t *testing.T, u, want string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	body := ""
	for time.Now().Before(deadline) {
		if _, body = get(t, u); strings.Contains(body, want) {
			return body
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never said %s; last: %s", u, want, body)
	return ""
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	var js map[string]any
	if json.Unmarshal(b, &js) == nil {
		return res.StatusCode, fmt.Sprint(string(b))
	}
	return res.StatusCode, string(b)
}
