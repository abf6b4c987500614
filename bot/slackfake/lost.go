package slackfake

import (
	"net/http"
)

// A lost response: Slack carried the call out, but its answer never
// reached the caller (a gateway timed out, the connection broke). The
// caller sees a failure although the message is posted.

type loss struct {
	channel string // "" for any
	n       int
	status  int // 0: the connection is closed without an answer
}

// LoseNextResponses makes the next n calls of method to channel ("" for
// any channel; the channel param as sent) take effect, and then lose
// their answer: with status 0 the connection is closed without one (the
// caller sees a transport error, as on a timeout), else the answer is
// that status with a plain-text body (e.g. 504, a gateway that gave up).
func (s *Server) LoseNextResponses(method, channel string, n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losses[method] = &loss{channel: channel, n: n, status: status}
}

// loseLocked reports whether the answer to c is to be lost, and counts it.
func (s *Server) loseLocked(c Call) *loss {
	l := s.losses[c.Method]
	if l == nil || l.n <= 0 || (l.channel != "" && l.channel != c.Param("channel")) {
		return nil
	}
	l.n--
	return l
}

// write loses the answer.
func (l *loss) write(w http.ResponseWriter) {
	if l.status != 0 {
		http.Error(w, http.StatusText(l.status), l.status)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "connection cannot be dropped", http.StatusInternalServerError)
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	_ = conn.Close()
}
