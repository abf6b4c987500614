package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// TestServeCalendarFeed: serve's public listener serves the calendar feeds,
// and the link staff create carries LEASELINE_PUBLIC_URL.
func TestServeCalendarFeed(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	env := envMap(map[string]string{
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret", "SLACK_API_URL": fake.APIURL(),
		"DATABASE_URL": filepath.Join(t.TempDir(), "serve.db"), "LEASELINE_ADDR": addr, "LEASELINE_CATALOG": "sample",
		"LEASELINE_STAFF_USERS": "USTAFF", "LEASELINE_STAFF_CHANNEL": "CSTAFF",
		"LEASELINE_PUBLIC_URL": "https://leaseline.example.com/",
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	logs := &syncWriter{w: &bytes.Buffer{}}
	go func() { done <- serveOn(ctx, env, nil, logs, ln, nil) }()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	}()
	base := "http://" + addr
	waitUp(t, base+"/healthz", done)

	form := url.Values{"command": {"/leaseline"}, "text": {"calendar-link provider ct-zj"}, "user_id": {"USTAFF"},
		"channel_id": {"CSTAFF"}, "team_id": {slackfake.TeamID}, "response_url": {fake.ResponseURL("cal")}}
	req, _ := slackfake.CommandRequest(base+"/slack/commands", "s3cret", time.Now(), form)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var reply string
	for deadline := time.Now().Add(10 * time.Second); reply == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if calls := fake.Calls("response_url"); len(calls) > 0 {
			reply = slackfake.BlocksText([]byte(calls[0].Param("blocks")))
		}
	}
	m := regexp.MustCompile(`https://leaseline\.example\.com/calendar/([A-Za-z0-9_-]{43})\.ics`).FindStringSubmatch(reply)
	if m == nil {
		t.Fatalf("no subscription URL in the reply: %q", reply)
	}
	res, err = http.Get(base + "/calendar/" + m[1] + ".ics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		!strings.HasPrefix(string(body), "BEGIN:VCALENDAR\r\n") || !strings.Contains(string(body), "TZID:Asia/Shanghai") {
		t.Fatalf("feed: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if code, _ := get(t, base+"/calendar/"+strings.Repeat("A", 43)+".ics"); code != http.StatusNotFound {
		t.Errorf("unknown token: %d", code)
	}
	if strings.Contains(logs.String(), m[1]) {
		t.Errorf("the token is in serve's log")
	}
}

// TestConfigCheckPublicURL: config check refuses a public URL that is not
// an http(s) base URL, and says what calendar links look like, or that
// they show only their path while it is unset.
func TestConfigCheckPublicURL(t *testing.T) {
	good := map[string]string{"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "s3cret",
		"LEASELINE_STAFF_USERS": "USTAFF", "LEASELINE_STAFF_CHANNEL": "CSTAFF", "DATABASE_URL": filepath.Join(t.TempDir(), "c.db")}
	with := func(v string) getenv {
		m := map[string]string{"LEASELINE_PUBLIC_URL": v}
		for k, val := range good {
			m[k] = val
		}
		return envMap(m)
	}
	err := run(context.Background(), []string{"config", "check"}, with("leaseline.example.com"), io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), `LEASELINE_PUBLIC_URL "leaseline.example.com" is not an http(s) base URL`) {
		t.Errorf("bare host: %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"config", "check"}, with("https://ll.example.com/"), &out, io.Discard); err != nil || !strings.Contains(out.String(), "calendar links: https://ll.example.com/calendar/<token>.ics") {
		t.Errorf("set: %v %q", err, out.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"config", "check"}, with(""), &out, io.Discard); err != nil || !strings.Contains(out.String(), "LEASELINE_PUBLIC_URL is not set") {
		t.Errorf("unset: %v %q", err, out.String())
	}
}
