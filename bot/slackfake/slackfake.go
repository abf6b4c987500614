// Package slackfake is a fake Slack Web API at the HTTP level, for tests of
// every package: point a slack.Client at URL()+"/api/" (bot.NewClient does
// that with apiURL), run the code under test, then assert on the recorded
// calls. It keeps posted messages per channel, threads included, and pages
// through them as conversations.history and conversations.replies do (see
// history.go), and posts to a user ID in the bot's DM with that user
// (dm.go); it answers with realistic JSON, injects faults (429 with
// Retry-After, 500, an answer lost after the call took effect: lost.go),
// serves response_url endpoints and a Socket Mode WebSocket, and signs
// requests as Slack does.
package slackfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Call is one recorded request to the fake.
type Call struct {
	Method string         // Web API method, e.g. "chat.postMessage", or "response_url"
	Path   string         // request path
	Token  string         // token from the Authorization header or the token param
	Params map[string]any // form values (first value, as string) or the decoded JSON body
	Body   []byte         // raw body
	Time   time.Time
}

// Param returns the param name as a string: form values as is, JSON values
// re-encoded (objects and arrays as JSON text).
func (c Call) Param(name string) string {
	v, ok := c.Params[name]
	if !ok {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// JSONParam decodes the param name (a JSON string in a form, or a JSON value)
// into dst.
func (c Call) JSONParam(name string, dst any) error {
	if err := json.Unmarshal([]byte(c.Param(name)), dst); err != nil {
		return fmt.Errorf("slackfake: param %s: %w", name, err)
	}
	return nil
}

// Message is a message kept by the fake, as conversations.history returns it.
// A reply has ThreadTS set to its parent's TS; a parent with replies has
// ThreadTS equal to its own TS, ReplyCount and LatestReply; a reply posted
// with reply_broadcast has Subtype "thread_broadcast".
type Message struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype,omitempty"`
	Channel     string          `json:"-"`
	User        string          `json:"user,omitempty"`
	BotID       string          `json:"bot_id,omitempty"`
	Text        string          `json:"text"`
	TS          string          `json:"ts"`
	ThreadTS    string          `json:"thread_ts,omitempty"`
	ReplyCount  int             `json:"reply_count,omitempty"`
	LatestReply string          `json:"latest_reply,omitempty"`
	Blocks      json.RawMessage `json:"blocks,omitempty"`
	Metadata    json.RawMessage `json:"metadata,omitempty"`
}

// IsReply reports whether m is a reply in a thread (not its parent).
func (m Message) IsReply() bool { return m.ThreadTS != "" && m.ThreadTS != m.TS }

// User is a user users.info answers with.
type User struct {
	ID       string
	Name     string
	RealName string
	Email    string
	TZ       string
	IsBot    bool
	// Locale is the user's Slack language (e.g. "zh-CN", "en-US"),
	// answered by users.info only when include_locale is set, as Slack
	// does; "" answers "en-US".
	Locale string
}

type failure struct {
	n          int
	status     int
	retryAfter time.Duration
	code       string // Slack's error code of an ok:false answer (status 200)
}

// Bot identity answered by auth.test and used as the author of posted messages.
const (
	TeamID = "T0FAKE"
	BotUID = "U0BOT"
	BotID  = "B0BOT"
)

// Server is the fake Slack. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server

	mu        sync.Mutex
	cond      *sync.Cond // signalled on every recorded call
	calls     []Call
	messages  map[string][]*Message // channel -> oldest first
	seq       int64
	failures  map[string]*failure
	losses    map[string]*loss
	users     map[string]User
	channels  map[string]map[string]any
	usergroup map[string][]string
	missing   map[string]bool     // user and channel IDs Slack does not know
	members   map[string][]string // conversations.members, by channel
	now       func() time.Time

	socket *socketHub
}

// New starts a fake Slack. Close it when done (t.Cleanup(s.Close)).
func New() *Server {
	s := &Server{
		messages:  make(map[string][]*Message),
		failures:  make(map[string]*failure),
		losses:    make(map[string]*loss),
		users:     make(map[string]User),
		channels:  make(map[string]map[string]any),
		usergroup: make(map[string][]string),
		missing:   make(map[string]bool),
		now:       time.Now,
	}
	s.cond = sync.NewCond(&s.mu)
	s.socket = newSocketHub()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL returns the base URL of the fake, e.g. "http://127.0.0.1:1234".
func (s *Server) URL() string { return s.srv.URL }

// APIURL returns the Web API base URL, for slack.OptionAPIURL or
// bot.NewClient: URL()+"/api/".
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// ResponseURL returns a response_url served by the fake; calls to it are
// recorded as method "response_url".
func (s *Server) ResponseURL(name string) string {
	return s.srv.URL + "/response/" + url.PathEscape(name)
}

// Close closes Socket Mode connections and stops the server.
func (s *Server) Close() {
	s.socket.closeAll()
	s.srv.Close()
}

// SetUser makes users.info answer for u.ID.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.ID] = u
}

// SetChannel makes conversations.info answer for id with name; extShared marks
// a Slack Connect channel.
func (s *Server) SetChannel(id, name string, extShared bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = map[string]any{
		"id": id, "name": name, "is_channel": true, "is_member": true,
		"is_ext_shared": extShared, "is_shared": extShared, "created": 1700000000,
	}
}

// SetUsergroupMembers sets the members usergroups.users.list returns for group.
func (s *Server) SetUsergroupMembers(group string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.usergroup[group] = append([]string(nil), members...)
}

// FailNext makes the next n calls of method fail with status: 429 carries a
// Retry-After header (whole seconds, at least 1) and error "ratelimited";
// other statuses carry a plain-text body.
func (s *Server) FailNext(method string, n int, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = &failure{n: n, status: status, retryAfter: retryAfter}
}

// Calls returns the recorded calls of method, oldest first; "" means all.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.callsLocked(method)
}

func (s *Server) callsLocked(method string) []Call {
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor waits until at least n calls of method were recorded, or timeout;
// it returns the calls and whether n were reached.
func (s *Server) WaitFor(method string, n int, timeout time.Duration) ([]Call, bool) {
	deadline := time.Now().Add(timeout)
	timer := time.AfterFunc(timeout, func() {
		s.mu.Lock()
		s.cond.Broadcast()
		s.mu.Unlock()
	})
	defer timer.Stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		calls := s.callsLocked(method)
		if len(calls) >= n {
			return calls, true
		}
		if !time.Now().Before(deadline) {
			return calls, false
		}
		s.cond.Wait()
	}
}

// Messages returns the messages kept for channel, oldest first.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Message, 0, len(s.messages[channel]))
	for _, m := range s.messages[channel] {
		out = append(out, *m)
	}
	return out
}

// Reset forgets recorded calls and kept messages (not users, channels, groups).
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	s.messages = make(map[string][]*Message)
	s.failures = make(map[string]*failure)
	s.losses = make(map[string]*loss)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if path == socketPath {
		s.socket.serve(w, r)
		return
	}
	var method string
	switch {
	case strings.HasPrefix(path, "/response/"):
		method = "response_url"
	case strings.HasPrefix(path, "/api/"):
		method = strings.TrimPrefix(path, "/api/")
	default:
		method = strings.TrimPrefix(path, "/")
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	call := Call{Method: method, Path: path, Body: body, Params: parseParams(r, body)}
	if t, ok := call.Params["token"].(string); ok {
		call.Token = t
		delete(call.Params, "token")
	}
	if a := r.Header.Get("Authorization"); strings.HasPrefix(a, "Bearer ") {
		call.Token = strings.TrimPrefix(a, "Bearer ")
	}

	s.mu.Lock()
	call.Time = s.now()
	s.calls = append(s.calls, call)
	s.cond.Broadcast()
	if f := s.failures[method]; f != nil && f.n > 0 {
		f.n--
		s.mu.Unlock()
		writeFailure(w, f)
		return
	}
	resp := s.answerLocked(call, r.Host)
	lost := s.loseLocked(call)
	s.mu.Unlock()
	if lost != nil {
		lost.write(w)
		return
	}

	if method == "response_url" {
		writeJSON(w, map[string]any{"ok": true})
		return
	}
	writeJSON(w, resp)
}

func writeFailure(w http.ResponseWriter, f *failure) {
	if f.code != "" {
		writeJSON(w, fail(f.code))
		return
	}
	if f.status == http.StatusTooManyRequests {
		secs := int(math.Ceil(f.retryAfter.Seconds()))
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
		return
	}
	http.Error(w, http.StatusText(f.status), f.status)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// parseParams reads the params of a form or JSON body, plus the query.
func parseParams(r *http.Request, body []byte) map[string]any {
	params := make(map[string]any)
	for k, v := range r.URL.Query() {
		params[k] = v[0]
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			for k, v := range m {
				params[k] = v
			}
		}
		return params
	}
	if form, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range form {
			params[k] = v[0]
		}
	}
	return params
}

func ok(fields map[string]any) map[string]any {
	fields["ok"] = true
	return fields
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

// nextTSLocked returns a fresh, increasing message timestamp.
func (s *Server) nextTSLocked() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", s.now().Unix(), s.seq%1_000_000)
}

// rawParam returns a JSON param (a JSON string in a form, or a JSON value) as raw JSON.
func rawParam(c Call, name string) json.RawMessage {
	v, ok := c.Params[name]
	if !ok {
		return nil
	}
	if s, ok := v.(string); ok {
		if s == "" || !json.Valid([]byte(s)) {
			return nil
		}
		return json.RawMessage(s)
	}
	b, _ := json.Marshal(v)
	return b
}

func truthy(s string) bool { return s == "1" || s == "true" }
