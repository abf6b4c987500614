package slackfake

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"
)

// Reading messages back as Slack does:
//
//   - conversations.history returns a channel's top-level messages (and
//     thread broadcasts), newest first; replies in threads are not in it.
//   - conversations.replies returns a thread, the parent and its replies,
//     oldest first; ts may name the parent or any reply of the thread.
//   - oldest and latest bound the time range, both exclusive unless
//     inclusive is true; oldest defaults to 0, latest to now.
//   - limit defaults to 100 for history (at most 999) and to 1000 for
//     replies (at most 1000); a larger limit is clamped.
//   - When more messages remain, has_more is true and
//     response_metadata.next_cursor continues where the page ended; the
//     cursor marks a timestamp, so messages posted while paging never make
//     a page repeat or skip one.
//   - Metadata is returned only with include_all_metadata.

// Limits of the read methods.
const (
	historyDefaultLimit = 100
	historyMaxLimit     = 999
	repliesDefaultLimit = 1000
	repliesMaxLimit     = 1000
)

// threadLocked files m, a chat.postMessage with thread_ts, into its thread:
// a thread_ts naming a reply means that reply's thread, and the parent
// records the reply. With broadcast the reply also shows in the channel.
func (s *Server) threadLocked(m *Message, broadcast bool) {
	parent := s.findLocked(m.Channel, m.ThreadTS)
	if parent != nil && parent.IsReply() {
		m.ThreadTS = parent.ThreadTS
		parent = s.findLocked(m.Channel, m.ThreadTS)
	}
	if parent != nil {
		parent.ThreadTS = parent.TS
		parent.ReplyCount++
		parent.LatestReply = m.TS
	}
	if broadcast {
		m.Subtype = "thread_broadcast"
	}
}

// unthreadLocked updates the parent of m, a reply about to be deleted.
func (s *Server) unthreadLocked(m *Message) {
	if !m.IsReply() {
		return
	}
	parent := s.findLocked(m.Channel, m.ThreadTS)
	if parent == nil {
		return
	}
	parent.ReplyCount--
	parent.LatestReply = ""
	for _, r := range s.messages[m.Channel] {
		if r != m && r.IsReply() && r.ThreadTS == parent.TS {
			parent.LatestReply = r.TS
		}
	}
	if parent.ReplyCount <= 0 {
		parent.ReplyCount = 0
		parent.ThreadTS = ""
	}
}

func (s *Server) historyLocked(c Call) map[string]any {
	q, code := parseRead(c, historyDefaultLimit, historyMaxLimit)
	if code != "" {
		return fail(code)
	}
	msgs := s.messages[c.Param("channel")]
	picked := make([]*Message, 0, len(msgs))
	for i := len(msgs) - 1; i >= 0; i-- { // newest first
		if m := msgs[i]; !m.IsReply() || m.Subtype == "thread_broadcast" {
			picked = append(picked, m)
		}
	}
	resp := q.page(picked, true)
	resp["pin_count"] = 0
	return resp
}

func (s *Server) repliesLocked(c Call) map[string]any {
	ch, ts := c.Param("channel"), c.Param("ts")
	if ts == "" {
		return fail("invalid_arguments")
	}
	q, code := parseRead(c, repliesDefaultLimit, repliesMaxLimit)
	if code != "" {
		return fail(code)
	}
	root := ts
	if m := s.findLocked(ch, ts); m != nil && m.IsReply() {
		root = m.ThreadTS
	}
	var picked []*Message
	for _, m := range s.messages[ch] { // oldest first: the parent, then its replies
		if m.TS == root || m.ThreadTS == root {
			picked = append(picked, m)
		}
	}
	if len(picked) == 0 {
		return fail("thread_not_found")
	}
	return q.page(picked, false)
}

// read is the parsed paging params of a history or replies call.
type read struct {
	oldest, latest int64 // tsKey bounds
	inclusive      bool
	limit          int
	cursor         int64 // tsKey where the page starts; 0: the first page
	withMeta       bool
}

func parseRead(c Call, defLimit, maxLimit int) (read, string) {
	q := read{latest: math.MaxInt64, inclusive: truthy(c.Param("inclusive")), withMeta: truthy(c.Param("include_all_metadata"))}
	var ok bool
	if v := c.Param("oldest"); v != "" {
		if q.oldest, ok = tsKey(v); !ok {
			return q, "invalid_ts_oldest"
		}
	}
	if v := c.Param("latest"); v != "" {
		if q.latest, ok = tsKey(v); !ok {
			return q, "invalid_ts_latest"
		}
	}
	q.limit = defLimit
	if v := c.Param("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return q, "invalid_limit"
		}
		if n > 0 {
			q.limit = min(n, maxLimit)
		}
	}
	if v := c.Param("cursor"); v != "" {
		if q.cursor, ok = decodeCursor(v); !ok {
			return q, "invalid_cursor"
		}
	}
	return q, ""
}

// page answers with the messages of msgs (in answer order: newest first or
// oldest first) inside the time range, from the cursor on, up to the limit.
func (q read) page(msgs []*Message, newestFirst bool) map[string]any {
	out := make([]Message, 0, min(len(msgs), q.limit))
	next := ""
	for _, m := range msgs {
		k, _ := tsKey(m.TS)
		if !q.inRange(k) {
			continue
		}
		if q.cursor != 0 && ((newestFirst && k > q.cursor) || (!newestFirst && k < q.cursor)) {
			continue
		}
		if len(out) == q.limit {
			next = encodeCursor(k)
			break
		}
		v := *m
		if !q.withMeta {
			v.Metadata = nil
		}
		out = append(out, v)
	}
	return ok(map[string]any{"messages": out, "has_more": next != "",
		"response_metadata": map[string]any{"next_cursor": next}})
}

func (q read) inRange(k int64) bool {
	if q.inclusive {
		return k >= q.oldest && k <= q.latest
	}
	return k > q.oldest && k < q.latest
}

// tsKey turns a message timestamp "seconds.micros" into a number that sorts
// as the timestamps do.
func tsKey(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/1_000_000-1 || len(frac) > 6 {
		return 0, false
	}
	var micros int64
	if frac != "" {
		f, err := strconv.ParseInt(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
		if err != nil || f < 0 {
			return 0, false
		}
		micros = f
	}
	return n*1_000_000 + micros, true
}

// Cursors look like Slack's: base64 of "next_ts:<timestamp key>".
func encodeCursor(k int64) string {
	return base64.StdEncoding.EncodeToString([]byte("next_ts:" + strconv.FormatInt(k, 10)))
}

func decodeCursor(c string) (int64, bool) {
	b, err := base64.StdEncoding.DecodeString(c)
	if err != nil {
		return 0, false
	}
	v, found := strings.CutPrefix(string(b), "next_ts:")
	if !found {
		return 0, false
	}
	k, err := strconv.ParseInt(v, 10, 64)
	return k, err == nil && k > 0
}
