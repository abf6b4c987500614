package handlers_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ical "github.com/emersion/go-ical"

	"github.com/leaseline/leaseline/handlers"
	"github.com/leaseline/leaseline/models"
)

// jTicketedBy makes a connection of account actor with provider
// providerID at the sample's Yuhang B access point whose construction
// ticket waits for its visit, through the store.
func jTicketedBy(e *env, actor models.Actor, providerID, name string, engineers int) *models.Connection {
	e.t.Helper()
	ctx := context.Background()
	app := goodApplication(name)
	app.ProviderID = providerID
	c, err := e.store.Apply(ctx, actor, app, customerChan)
	jStep(e, "apply", err)
	_, err = e.store.Act(ctx, jStaff, c.ID, models.ActInput{Action: models.ActionApprove})
	jStep(e, "approve", err)
	_, err = e.store.Pay(ctx, actor, c.ID)
	jStep(e, "pay", err)
	_, err = e.store.Act(ctx, actor, c.ID, models.ActInput{Action: models.ActionNotifyProvider})
	jStep(e, "notify", err)
	prov := models.Actor{UserID: "UPROV-" + providerID, Role: models.RoleProvider, ProviderID: providerID}
	_, err = e.store.SubmitSurvey(ctx, prov, c.ID, jSurvey(e, engineers))
	jStep(e, "survey", err)
	_, err = e.store.SubmitTicket(ctx, actor, c.ID, "", "")
	jStep(e, "ticket", err)
	return c
}

// jBooked books the visit of a ticketed connection and returns its detail.
func jBooked(e *env, c *models.Connection) *models.Detail {
	e.t.Helper()
	d := jConn(e, c.ID)
	if d.Ticket == nil {
		e.t.Fatalf("connection %d has no ticket", c.ID)
	}
	_, _, err := e.store.BookVisit(context.Background(), d.Ticket.ID, e.clock.Now())
	jStep(e, "book visit", err)
	return jConn(e, c.ID)
}

var calendarURL = regexp.MustCompile(`/calendar/([A-Za-z0-9_-]+)\.ics`)

// calendarLink runs `/leaseline calendar-link ARGS` as user and returns
// the reply and the token it shows ("" when none).
func (e *env) calendarLink(user, channel, args string) (reply, token string) {
	e.t.Helper()
	n := len(e.slack.Calls("response_url"))
	e.command(user, channel, "calendar-link "+args)
	e.settle()
	got := jResponses(e, n)
	if len(got) != 1 {
		e.t.Fatalf("calendar-link %s: %d replies %q", args, len(got), got)
	}
	if m := calendarURL.FindStringSubmatch(got[0]); m != nil {
		token = m[1]
	}
	return got[0], token
}

// getFeed fetches a feed path from srv.
func getFeed(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	res, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// parseFeed parses a feed with a real iCalendar parser (emersion/go-ical)
// and checks the RFC 5545 rules it enforces (encoding it again checks
// VERSION and PRODID once, UID and DTSTAMP once per VEVENT, at most one of
// each single property, DTEND or DURATION, the VTIMEZONE's observances),
// plus unique UIDs and a VTIMEZONE for every TZID used.
func parseFeed(t *testing.T, body string) (*ical.Calendar, map[string]*ical.Event) {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") {
		t.Fatalf("lines do not end in CRLF:\n%s", body)
	}
	for line := range strings.SplitSeq(body, "\r\n") {
		if len(line) > 75 {
			t.Errorf("line of %d octets, over 75 unfolded: %q", len(line), line)
		}
	}
	cal, err := ical.NewDecoder(strings.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, body)
	}
	if err := ical.NewEncoder(io.Discard).Encode(cal); err != nil {
		t.Fatalf("feed breaks RFC 5545: %v\n%s", err, body)
	}
	if v := cal.Props.Get(ical.PropVersion); v == nil || v.Value != "2.0" {
		t.Errorf("VERSION %v", v)
	}
	zones := map[string]bool{}
	for _, c := range cal.Children {
		if c.Name == ical.CompTimezone {
			zones[c.Props.Get(ical.PropTimezoneID).Value] = true
		}
	}
	events := map[string]*ical.Event{}
	for _, ev := range cal.Events() {
		uid, err := ev.Props.Text(ical.PropUID)
		if err != nil || uid == "" {
			t.Fatalf("event without UID: %v", err)
		}
		if events[uid] != nil {
			t.Errorf("UID %s twice", uid)
		}
		events[uid] = &ev
		for _, name := range []string{ical.PropDateTimeStart, ical.PropDateTimeEnd} {
			p := ev.Props.Get(name)
			if p == nil {
				t.Fatalf("%s has no %s", uid, name)
			}
			if tz := p.Params.Get(ical.ParamTimezoneID); tz != "" && !zones[tz] {
				t.Errorf("%s %s names TZID %s, which no VTIMEZONE defines", uid, name, tz)
			}
		}
	}
	return cal, events
}

// TestCalendarLinks: staff create a calendar link with the signed slash
// command; the feed behind it, parsed by a real iCalendar parser, passes
// RFC 5545's rules, has the provider's visits only (the access point's
// feed has every visit there), in the region's zone with its VTIMEZONE,
// and nothing of customers but the connection ID; a reschedule raises
// SEQUENCE, a cancellation is STATUS:CANCELLED; a revoked or unknown token
// is a bare 404; non-staff are refused; the token is in no log line.
func TestCalendarLinks(t *testing.T) {
	for _, backend := range backends(t) {
		t.Run(backend, func(t *testing.T) {
			logs := &logBuffer{}
			log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			e := newEnvLog(t, backend, log)
			ctx := context.Background()
			mine := jBooked(e, jTicketedBy(e, jCustomer(e), "ct-zj", "ACME Hangzhou secret line", 2))
			theirs := jBooked(e, jTicketedBy(e, customerOf(otherUser, e.globex), "cu-zj", "Globex Hangzhou secret line", 3))
			pcMine, pcTheirs := *mine.Connection.PhysicalConnectionID, *theirs.Connection.PhysicalConnectionID

			// Not staff: refused, no URL.
			reply, token := e.calendarLink(customerUser, customerChan, "provider ct-zj")
			if token != "" || !strings.Contains(reply, "Only staff") {
				t.Fatalf("a customer ran calendar-link: %q", reply)
			}
			// Unknown subject, missing arguments.
			if reply, _ := e.calendarLink(staffUser, staffChannel, "provider nosuch"); !strings.Contains(reply, "No provider or access point matches") {
				t.Errorf("unknown provider: %q", reply)
			}
			if reply, _ := e.calendarLink(staffUser, staffChannel, "provider"); !strings.Contains(reply, "Usage") {
				t.Errorf("no ID: %q", reply)
			}

			reply, token = e.calendarLink(staffUser, staffChannel, "provider ct-zj")
			if token == "" {
				t.Fatalf("no URL in %q", reply)
			}
			if b, err := base64.RawURLEncoding.DecodeString(token); err != nil || len(b) != 32 {
				t.Errorf("token %q is not 32 random bytes", token)
			}
			for _, want := range []string{"China Telecom Zhejiang", "LEASELINE_PUBLIC_URL is not set", "shown only this once", "calendar-link revoke"} {
				if !strings.Contains(reply, want) {
					t.Errorf("reply lacks %q:\n%s", want, reply)
				}
			}
			apReply, apToken := e.calendarLink(staffUser, staffChannel, "access-point Hangzhou-Yuhang-B")
			if apToken == "" || apToken == token {
				t.Fatalf("access point token %q", apToken)
			}

			feed := handlers.NewCalendarFeed(e.store, handlers.FeedConfig{Now: e.clock.Now, Logger: log, PerIPBurst: 100})
			srv := httptest.NewServer(feed)
			t.Cleanup(srv.Close)

			res, body := getFeed(t, srv, "/calendar/"+token+".ics")
			if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/calendar; charset=utf-8" {
				t.Fatalf("feed: %d %q\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			cal, events := parseFeed(t, body)
			if len(events) != 1 {
				t.Fatalf("provider feed has %d events, want 1:\n%s", len(events), body)
			}
			uid := "visit-" + strconv.FormatInt(mine.Visit.ID, 10) + "@leaseline"
			ev := events[uid]
			if ev == nil {
				t.Fatalf("no event %s:\n%s", uid, body)
			}
			shanghai, _ := time.LoadLocation("Asia/Shanghai")
			start, err := ev.DateTimeStart(nil)
			if err != nil {
				t.Fatal(err)
			}
			end, err := ev.DateTimeEnd(nil)
			if err != nil {
				t.Fatal(err)
			}
			wantStart, _ := time.ParseInLocation("2006-01-02 15:04", mine.Visit.Date+" 09:30", shanghai)
			if !start.Equal(wantStart) || !end.Equal(wantStart.Add(150*time.Minute)) {
				t.Errorf("event %s – %s, want %s 09:30–12:00 in Shanghai", start, end, mine.Visit.Date)
			}
			if tz := ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.ParamTimezoneID); tz != "Asia/Shanghai" {
				t.Errorf("DTSTART TZID %q", tz)
			}
			var std *ical.Component
			for _, c := range cal.Children {
				if c.Name == ical.CompTimezone && c.Props.Get(ical.PropTimezoneID).Value == "Asia/Shanghai" {
					if len(c.Children) != 1 || c.Children[0].Name != ical.CompTimezoneStandard {
						t.Errorf("Asia/Shanghai has no daylight saving: want one STANDARD, got %d observances", len(c.Children))
					}
					std = c.Children[0]
				}
			}
			if std == nil || std.Props.Get(ical.PropTimezoneOffsetTo).Value != "+0800" || std.Props.Get(ical.PropTimezoneOffsetFrom).Value != "+0800" {
				t.Errorf("VTIMEZONE Asia/Shanghai STANDARD: %v", std)
			}
			text := func(ev *ical.Event, name string) string {
				s, err := ev.Props.Text(name)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				return s
			}
			if got := text(ev, ical.PropLocation); got != "Building B, Yuhang Data Park, Yuhang District, Hangzhou, Zhejiang 311100" {
				t.Errorf("LOCATION %q", got)
			}
			if got := text(ev, ical.PropSummary); got != "IDC visit: "+pcMine+", 2 visitors" {
				t.Errorf("SUMMARY %q", got)
			}
			seq := func(ev *ical.Event) int {
				n, err := ev.Props.Get(ical.PropSequence).Int()
				if err != nil {
					t.Fatal(err)
				}
				return n
			}
			if seq(ev) != 0 || text(ev, ical.PropStatus) != "CONFIRMED" {
				t.Errorf("new visit: SEQUENCE %d, STATUS %s", seq(ev), text(ev, ical.PropStatus))
			}
			// Nothing of the other provider's visit, nothing of customers.
			for _, secret := range []string{pcTheirs, "ACME", "Globex", "secret line", "Room 301", "Engineer 01", rawIDNumber, "China Unicom"} {
				if strings.Contains(body, secret) {
					t.Errorf("provider feed shows %q", secret)
				}
			}

			// The access point's feed: every visit there, still no customer.
			_, apBody := getFeed(t, srv, "/calendar/"+apToken+".ics")
			_, apEvents := parseFeed(t, apBody)
			if len(apEvents) != 2 || !strings.Contains(apBody, pcMine) || !strings.Contains(apBody, pcTheirs) {
				t.Errorf("access point feed has %d events:\n%s", len(apEvents), apBody)
			}
			for _, secret := range []string{"ACME", "Globex", "secret line", "Engineer 01", rawIDNumber} {
				if strings.Contains(apBody, secret) {
					t.Errorf("access point feed shows %q", secret)
				}
			}
			// In Chinese on request.
			if _, zh := getFeed(t, srv, "/calendar/"+token+".ics?lang=zh-CN"); !strings.Contains(zh, "机房进场") {
				t.Errorf("zh-CN feed:\n%s", zh)
			}

			// A reschedule raises SEQUENCE; a cancellation is CANCELLED.
			if _, err := e.store.RescheduleVisit(ctx, jStaff, mine.Visit.ID, "2026-12-02", "IDC asks"); err != nil {
				t.Fatal(err)
			}
			_, body = getFeed(t, srv, "/calendar/"+token+".ics")
			_, events = parseFeed(t, body)
			ev = events[uid]
			if start, _ := ev.DateTimeStart(nil); seq(ev) != 1 || !start.Equal(time.Date(2026, 12, 2, 9, 30, 0, 0, shanghai)) {
				t.Errorf("after reschedule: SEQUENCE %d, start %s", seq(ev), start)
			}
			if _, err := e.store.CancelVisit(ctx, jStaff, mine.Visit.ID, "engineers ill"); err != nil {
				t.Fatal(err)
			}
			_, body = getFeed(t, srv, "/calendar/"+token+".ics")
			_, events = parseFeed(t, body)
			if ev = events[uid]; seq(ev) != 2 || text(ev, ical.PropStatus) != "CANCELLED" {
				t.Errorf("after cancel: SEQUENCE %d, STATUS %s", seq(ev), text(ev, ical.PropStatus))
			}

			// Unknown and revoked tokens: the same bare 404.
			res, unknown := getFeed(t, srv, "/calendar/"+base64.RawURLEncoding.EncodeToString([]byte((rand.Text() + rand.Text())[:32]))+".ics")
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("unknown token: %d", res.StatusCode)
			}
			for _, path := range []string{"/calendar/nonsense.ics", "/calendar/" + token, "/calendar/" + token + ".ics/x"} {
				if res, _ := getFeed(t, srv, path); res.StatusCode != http.StatusNotFound {
					t.Errorf("%s: %d", path, res.StatusCode)
				}
			}
			if reply, _ := e.calendarLink(customerUser, customerChan, "revoke "+token); !strings.Contains(reply, "Only staff") {
				t.Errorf("a customer revoked: %q", reply)
			}
			if res, _ := getFeed(t, srv, "/calendar/"+token+".ics"); res.StatusCode != http.StatusOK {
				t.Errorf("feed after a refused revoke: %d", res.StatusCode)
			}
			if reply, _ := e.calendarLink(staffUser, staffChannel, "revoke "+token); !strings.Contains(reply, "is revoked") {
				t.Errorf("revoke by token: %q", reply)
			}
			res, revoked := getFeed(t, srv, "/calendar/"+token+".ics")
			if res.StatusCode != http.StatusNotFound || revoked != unknown {
				t.Errorf("revoked token: %d %q (unknown: %q)", res.StatusCode, revoked, unknown)
			}
			if reply, _ := e.calendarLink(staffUser, staffChannel, "revoke "+token); !strings.Contains(reply, "revoked already") {
				t.Errorf("revoke twice: %q", reply)
			}
			// By ID, as the creation reply says.
			id := regexp.MustCompile(`calendar-link revoke (\d+)`).FindStringSubmatch(apReply)
			if id == nil {
				t.Fatalf("the reply names no ID to revoke: %q", apReply)
			}
			if reply, _ := e.calendarLink(staffUser, staffChannel, "revoke "+id[1]); !strings.Contains(reply, "is revoked") {
				t.Errorf("revoke by ID: %q", reply)
			}
			if res, _ := getFeed(t, srv, "/calendar/"+apToken+".ics"); res.StatusCode != http.StatusNotFound {
				t.Errorf("access point feed after revoke by ID: %d", res.StatusCode)
			}
			if reply, _ := e.calendarLink(staffUser, staffChannel, "revoke 999"); !strings.Contains(reply, "No calendar link") {
				t.Errorf("revoke unknown: %q", reply)
			}

			if strings.Contains(logs.String(), token) || strings.Contains(logs.String(), apToken) {
				t.Errorf("a token is in the logs:\n%s", logs.String())
			}
		})
	}
}

// TestCalendarFeedRateLimit: past a client's burst, or past everyone's
// together, the feed answers 429 with Retry-After before looking at the
// token.
func TestCalendarFeedRateLimit(t *testing.T) {
	e := newEnv(t, backends(t)[0])
	_, token := e.calendarLink(staffUser, staffChannel, "provider ct-zj")
	if token == "" {
		t.Fatal("no token")
	}
	for _, tc := range []struct {
		name string
		cfg  handlers.FeedConfig
	}{
		{"per client", handlers.FeedConfig{PerIP: 0.1, PerIPBurst: 3}},
		{"overall", handlers.FeedConfig{Overall: 0.1, OverallBurst: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Now = e.clock.Now
			srv := httptest.NewServer(handlers.NewCalendarFeed(e.store, tc.cfg))
			defer srv.Close()
			for i := range 3 {
				if res, _ := getFeed(t, srv, "/calendar/"+token+".ics"); res.StatusCode != http.StatusOK {
					t.Fatalf("request %d: %d", i+1, res.StatusCode)
				}
			}
			for _, path := range []string{"/calendar/" + token + ".ics", "/calendar/guess.ics"} {
				res, _ := getFeed(t, srv, path)
				if res.StatusCode != http.StatusTooManyRequests {
					t.Fatalf("past the limit: %d", res.StatusCode)
				}
				if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err != nil || s < 1 || s > 10 {
					t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
				}
			}
			e.clock.Set(e.clock.Now().Add(11 * time.Second))
			if res, _ := getFeed(t, srv, "/calendar/"+token+".ics"); res.StatusCode != http.StatusOK {
				t.Errorf("after the wait: %d", res.StatusCode)
			}
		})
	}
}
