package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
)

// expectedTrail is every audit action of a whole journey, each once.
func expectedTrail() []string {
	return []string{"apply", "approve", "pay", "notify provider", "submit survey", "submit ticket", "schedule visit", "complete construction", "confirm"}
}

// verdict is what the checks found.
type verdict struct {
	journeys, completed int
	connections         int
	enabled             int
	confirmedActions    int
	lostTransitions     []string // acknowledged to the user, missing from the audit trail
	dupTransitions      []string // an action of the journey recorded twice
	missingFromTrail    []string // a completed journey's trail lacks an action
	dupApplications     int      // connections made by an apply that was sent again
	droppedPresses      int      // presses acked 200 whose effect never showed
	refused             int
	retries             int
	notices             map[string]int // by state
	noticesSent         int
	noticesLost         []int64 // sent, not in Slack
	noticesDup          []int64 // in Slack more than once
	noticesUnrecorded   []int64 // in Slack, not recorded as sent
	slackMessages       int
	// delivery delay of sent notices (recorded to posted)
	deliveryP50, deliveryP99, deliveryMax time.Duration
	deliveredLate                         int                        // over 60 s
	deliveryByKind                        map[string][]time.Duration // sorted, by kind of notice
	firstLetter                           time.Time                  // the first entry letter (visit_letter notice) was recorded
}

// check compares what the users were told with the database, and the
// notices table with what the fake Slack holds.
func check(ctx context.Context, be *backend, fake *slackfake.Server, channels []string, journeys []*journey) (*verdict, error) {
	db, err := be.open()
	if err != nil {
		return nil, fmt.Errorf("the checks: %w", err)
	}
	defer db.Close()
	v := &verdict{journeys: len(journeys), notices: map[string]int{}}

	type key struct {
		conn   int64
		action string
	}
	audit := map[key]int{}
	rows, err := db.QueryContext(ctx, `SELECT connection_id, action, count(*) FROM audit_events WHERE connection_id IS NOT NULL GROUP BY connection_id, action`)
	if err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}
	for rows.Next() {
		var k key
		var n int
		if err := rows.Scan(&k.conn, &k.action, &n); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("read the audit trail: %w", err)
		}
		audit[k] = n
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read the audit trail: %w", err)
	}

	status := map[int64]string{}
	byName := map[string][]int64{}
	rows, err = db.QueryContext(ctx, `SELECT id, name, status FROM connections`)
	if err != nil {
		return nil, fmt.Errorf("read connections: %w", err)
	}
	for rows.Next() {
		var id int64
		var name, st string
		if err := rows.Scan(&id, &name, &st); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("read connections: %w", err)
		}
		status[id] = st
		byName[name] = append(byName[name], id)
		if st == "Enabled" {
			v.enabled++
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read connections: %w", err)
	}
	v.connections = len(status)

	for _, j := range journeys {
		v.droppedPresses += j.dropped
		v.refused += j.refused
		v.retries += j.retries
		ids := byName[j.name]
		if len(ids) > 1 {
			v.dupApplications += len(ids) - 1
		}
		if j.confirmed["apply"] > 0 && len(ids) == 0 {
			v.lostTransitions = append(v.lostTransitions, fmt.Sprintf("apply %q", j.name))
		}
		if j.done && status[j.conn] == "Enabled" {
			v.completed++
		}
		if j.conn == 0 {
			continue
		}
		for action, n := range j.confirmed {
			v.confirmedActions += n
			if action != "apply" && audit[key{j.conn, action}] == 0 {
				v.lostTransitions = append(v.lostTransitions, fmt.Sprintf("%s of connection %d", action, j.conn))
			}
		}
		for _, action := range expectedTrail() {
			switch n := audit[key{j.conn, action}]; {
			case n > 1:
				v.dupTransitions = append(v.dupTransitions, fmt.Sprintf("%s of connection %d ×%d", action, j.conn, n))
			case n == 0 && status[j.conn] == "Enabled":
				v.missingFromTrail = append(v.missingFromTrail, fmt.Sprintf("%s of connection %d", action, j.conn))
			}
		}
	}

	sent := map[int64]bool{}
	chans := map[string]bool{}
	for _, ch := range channels {
		chans[ch] = true
	}
	rows, err = db.QueryContext(ctx, `SELECT id, state, channel FROM notices WHERE kind <> 'settle'`)
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	for rows.Next() {
		var id int64
		var state, ch string
		if err := rows.Scan(&id, &state, &ch); err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("read notices: %w", err)
		}
		v.notices[state]++
		chans[ch] = true
		if state == "sent" {
			sent[id] = true
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	v.noticesSent = len(sent)
	delays, byKind, err := deliveryDelays(ctx, db)
	if err != nil {
		return nil, err
	}
	v.deliveryByKind = byKind
	var first scanTime
	if err := db.QueryRowContext(ctx, `SELECT min(created_at) FROM notices WHERE kind = 'visit_letter'`).Scan(&first); err != nil {
		return nil, fmt.Errorf("first entry letter: %w", err)
	}
	v.firstLetter = first.t
	v.deliveryP50, v.deliveryP99, v.deliveryMax = percentile(delays, 50), percentile(delays, 99), percentile(delays, 100)
	for _, d := range delays {
		if d > 60*time.Second {
			v.deliveredLate++
		}
	}

	inSlack := map[int64]int{}
	for _, ch := range slices.Sorted(maps.Keys(chans)) {
		for _, m := range fake.Messages(ch) {
			v.slackMessages++
			if id, ok := noticeID(m.Metadata); ok {
				inSlack[id]++
			}
			for _, f := range m.Files { // a notice carrying a file (the entry letter)
				if id, ok := fileNoticeID(f.Name); ok {
					inSlack[id]++
				}
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(sent)) {
		switch n := inSlack[id]; {
		case n == 0:
			v.noticesLost = append(v.noticesLost, id)
		case n > 1:
			v.noticesDup = append(v.noticesDup, id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(inSlack)) {
		if !sent[id] {
			v.noticesUnrecorded = append(v.noticesUnrecorded, id)
		}
	}
	return v, nil
}

// deliveryDelays are the sent notices' delays from recorded to posted,
// sorted, all and by kind (worked out here: SQLite has no percentile
// function).
func deliveryDelays(ctx context.Context, db *sql.DB) ([]time.Duration, map[string][]time.Duration, error) {
	rows, err := db.QueryContext(ctx, `SELECT kind, created_at, sent_at FROM notices WHERE state = 'sent' AND sent_at IS NOT NULL AND kind <> 'settle'`)
	if err != nil {
		return nil, nil, fmt.Errorf("notice delivery delays: %w", err)
	}
	defer rows.Close()
	var all []time.Duration
	byKind := map[string][]time.Duration{}
	for rows.Next() {
		var kind string
		var created, sent scanTime
		if err := rows.Scan(&kind, &created, &sent); err != nil {
			return nil, nil, fmt.Errorf("notice delivery delays: %w", err)
		}
		d := sent.t.Sub(created.t)
		all = append(all, d)
		byKind[kind] = append(byKind[kind], d)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("notice delivery delays: %w", err)
	}
	slices.Sort(all)
	for _, ds := range byKind {
		slices.Sort(ds)
	}
	return all, byKind, nil
}

// fileNoticeRe is the notice ID the delivery worker puts in the name of a
// file it shares: "name-nID.ext" (bot.noticeFilename).
var fileNoticeRe = regexp.MustCompile(`-n(\d+)\.[A-Za-z0-9]+$`)

// fileNoticeID reads the notice ID of a shared file's name.
func fileNoticeID(name string) (int64, bool) {
	m := fileNoticeRe.FindStringSubmatch(name)
	if m == nil {
		return 0, false
	}
	id := atoi64(m[1])
	return id, id > 0
}

// noticeID reads the notice ID of a message's metadata
// {"event_type":"leaseline_notice","event_payload":{"notice_id":N}}.
func noticeID(raw json.RawMessage) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var md slack.SlackMetadata
	if json.Unmarshal(raw, &md) != nil {
		return 0, false
	}
	return bot.NoticeIDOf(md)
}

// pendingNotices counts notices waiting for delivery.
func pendingNotices(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM notices WHERE state = 'pending'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count pending notices: %w", err)
	}
	return n, nil
}

// failed reports whether any invariant failed.
func (v *verdict) failed() []string {
	var out []string
	if v.completed != v.journeys {
		out = append(out, fmt.Sprintf("%d of %d journeys completed", v.completed, v.journeys))
	}
	if len(v.lostTransitions) > 0 {
		out = append(out, fmt.Sprintf("%d transitions lost", len(v.lostTransitions)))
	}
	if len(v.dupTransitions) > 0 {
		out = append(out, fmt.Sprintf("%d transitions duplicated", len(v.dupTransitions)))
	}
	if len(v.missingFromTrail) > 0 {
		out = append(out, fmt.Sprintf("%d Enabled connections miss a step in their audit trail", len(v.missingFromTrail)))
	}
	if n := v.notices["pending"]; n > 0 {
		out = append(out, fmt.Sprintf("%d notices still pending", n))
	}
	if n := v.notices["failed"]; n > 0 {
		out = append(out, fmt.Sprintf("%d notices failed", n))
	}
	if len(v.noticesLost) > 0 || len(v.noticesDup) > 0 || len(v.noticesUnrecorded) > 0 {
		out = append(out, fmt.Sprintf("notices: %d lost, %d duplicated, %d posted but not recorded", len(v.noticesLost), len(v.noticesDup), len(v.noticesUnrecorded)))
	}
	return out
}
