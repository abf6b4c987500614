package slackfake

import (
	"slices"
	"strconv"
)

// SetMembers sets who conversations.members lists in channel (unknown
// channels have no members).
func (s *Server) SetMembers(channel string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.members == nil {
		s.members = make(map[string][]string)
	}
	s.members[channel] = slices.Clone(members)
}

// membersLocked answers conversations.members a page at a time (limit,
// default 100), the cursor being the offset of the next page.
func (s *Server) membersLocked(c Call) map[string]any {
	ch := c.Param("channel")
	if s.missing[ch] {
		return fail("channel_not_found")
	}
	all := s.members[ch]
	limit, err := strconv.Atoi(c.Param("limit"))
	if err != nil || limit <= 0 {
		limit = 100
	}
	start, _ := strconv.Atoi(c.Param("cursor"))
	start = min(max(start, 0), len(all))
	end := min(start+limit, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return ok(map[string]any{"members": append([]string{}, all[start:end]...), "response_metadata": map[string]any{"next_cursor": next}})
}
