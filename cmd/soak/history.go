package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// historyProxy stands in front of the fake Slack and answers
// conversations.history (and conversations.replies, a thread's messages)
// as Slack does: only messages after oldest (and before latest), limit per
// page, and a next_cursor with has_more when more remain. slackfake's own
// conversations.history ignores oldest and the cursor and never says
// has_more, so in a channel of more than 200 messages the delivery
// worker's search for a message posted by a replica that was then killed
// sees only the newest 200 and posts the notice again: a duplicate that
// real Slack would not cause; and it has no conversations.replies, so a
// threaded notice left by a killed replica is never delivered. Every
// other call goes to the fake unchanged. (Order: newest first for both;
// the worker only looks for a message, in any order.)
func historyProxy(fake *slackfake.Server) (http.Handler, error) {
	target, err := url.Parse(fake.URL())
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		replies := r.URL.Path == "/api/conversations.replies"
		if r.URL.Path != "/api/conversations.history" && !replies {
			rp.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		form, _ := url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			form[k] = v
		}
		oldest, _ := strconv.ParseFloat(form.Get("oldest"), 64)
		latest, _ := strconv.ParseFloat(form.Get("latest"), 64)
		limit, err := strconv.Atoi(form.Get("limit"))
		if err != nil || limit <= 0 || limit > 1000 {
			limit = 100
		}
		offset, _ := strconv.Atoi(form.Get("cursor"))
		withMeta := form.Get("include_all_metadata") == "true" || form.Get("include_all_metadata") == "1"
		msgs := fake.Messages(form.Get("channel"))
		thread := form.Get("ts")
		var picked []slackfake.Message
		for i := len(msgs) - 1; i >= 0; i-- { // newest first
			m := msgs[i]
			ts, _ := strconv.ParseFloat(m.TS, 64)
			if (oldest > 0 && ts <= oldest) || (latest > 0 && ts >= latest) {
				continue
			}
			isReply := m.ThreadTS != "" && m.ThreadTS != m.TS
			if (!replies && isReply) || (replies && m.TS != thread && m.ThreadTS != thread) {
				continue
			}
			if !withMeta {
				m.Metadata = nil
			}
			picked = append(picked, m)
		}
		page := picked[min(offset, len(picked)):]
		more := len(page) > limit
		if more {
			page = page[:limit]
		}
		resp := map[string]any{"ok": true, "messages": page, "has_more": more, "pin_count": 0}
		if more {
			resp["response_metadata"] = map[string]any{"next_cursor": strconv.Itoa(offset + limit)}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}), nil
}

// apiURL is the Web API base URL of a server.
func apiURL(base string) string { return strings.TrimSuffix(base, "/") + "/api/" }
