package slackfake

import (
	"net/http"
	"strings"
)

// RefuseNext makes the next n calls of method answer 200 with
// {"ok":false,"error":code}, as Slack refuses e.g. a revoked token
// (invalid_auth).
func (s *Server) RefuseNext(method string, n int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures[method] = &failure{n: n, status: http.StatusOK, code: code}
}

// SetMissing makes users.info and conversations.info answer user_not_found
// and channel_not_found for these IDs.
func (s *Server) SetMissing(ids ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range ids {
		s.missing[id] = true
	}
}

// SetBotMember says whether the bot is a member of channel (the
// is_member of conversations.info; by default it is).
func (s *Server) SetBotMember(channel string, member bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info, found := s.channels[channel]
	if !found {
		info = map[string]any{"id": channel, "name": strings.ToLower(channel), "is_channel": true}
		s.channels[channel] = info
	}
	info["is_member"] = member
}
