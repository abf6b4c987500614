package slackfake

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The Web API methods the fake answers, and the views it keeps.

func (s *Server) answerLocked(c Call, host string) map[string]any {
	if code := userAsConversation(c); code != "" {
		return fail(code)
	}
	switch c.Method {
	case "auth.test":
		return ok(map[string]any{"url": "https://fake.slack.com/", "team": "Fake", "user": "leaseline",
			"team_id": TeamID, "user_id": BotUID, "bot_id": BotID})
	case "apps.connections.open":
		return ok(map[string]any{"url": "ws://" + host + socketPath})
	case "chat.postMessage":
		ch := PostedIn(c.Param("channel"))
		if ch == "" {
			return fail("channel_not_found")
		}
		m := &Message{Type: "message", Channel: ch, User: BotUID, BotID: BotID, Text: c.Param("text"),
			TS: s.nextTSLocked(), ThreadTS: c.Param("thread_ts"),
			Blocks: rawParam(c, "blocks"), Metadata: rawParam(c, "metadata")}
		if m.ThreadTS != "" {
			s.threadLocked(m, truthy(c.Param("reply_broadcast")))
		}
		s.messages[ch] = append(s.messages[ch], m)
		return ok(map[string]any{"channel": ch, "ts": m.TS, "message": m})
	case "chat.postEphemeral":
		if c.Param("channel") == "" || c.Param("user") == "" {
			return fail("channel_not_found")
		}
		return ok(map[string]any{"message_ts": s.nextTSLocked()})
	case "chat.update":
		ch, ts := c.Param("channel"), c.Param("ts")
		m := s.findLocked(ch, ts)
		if m == nil {
			return fail("message_not_found")
		}
		if _, has := c.Params["text"]; has {
			m.Text = c.Param("text")
		}
		if b := rawParam(c, "blocks"); b != nil {
			m.Blocks = b
		}
		if md := rawParam(c, "metadata"); md != nil {
			m.Metadata = md
		}
		return ok(map[string]any{"channel": ch, "ts": ts, "text": m.Text, "message": m})
	case "chat.delete":
		ch, ts := c.Param("channel"), c.Param("ts")
		msgs := s.messages[ch]
		for i, m := range msgs {
			if m.TS == ts {
				s.unthreadLocked(m)
				s.messages[ch] = append(msgs[:i:i], msgs[i+1:]...)
				return ok(map[string]any{"channel": ch, "ts": ts})
			}
		}
		return fail("message_not_found")
	case "conversations.history":
		return s.historyLocked(c)
	case "conversations.replies":
		return s.repliesLocked(c)
	case "conversations.members":
		return s.membersLocked(c)
	case "conversations.info":
		ch := c.Param("channel")
		if s.missing[ch] {
			return fail("channel_not_found")
		}
		info, found := s.channels[ch]
		switch {
		case !found && strings.HasPrefix(ch, "D"):
			// The bot's DM with a user (dm.go): Slack names the user.
			info = map[string]any{"id": ch, "is_im": true, "user": strings.TrimPrefix(ch, "D")}
		case !found:
			info = map[string]any{"id": ch, "name": strings.ToLower(ch), "is_channel": true, "is_member": true}
		}
		return ok(map[string]any{"channel": info})
	case "conversations.open":
		users := c.Param("users")
		if users == "" {
			if ch := c.Param("channel"); ch != "" {
				return ok(map[string]any{"channel": map[string]any{"id": ch}})
			}
			return fail("users_list_not_supplied")
		}
		for _, u := range strings.Split(users, ",") {
			if s.missing[u] {
				return fail("user_not_found")
			}
		}
		return ok(map[string]any{"channel": map[string]any{"id": IMChannel(strings.ReplaceAll(users, ",", "")), "is_im": true}})
	case "users.info":
		id := c.Param("user")
		if s.missing[id] {
			return fail("user_not_found")
		}
		u, found := s.users[id]
		if !found {
			u = User{ID: id, Name: strings.ToLower(id), RealName: "User " + id, TZ: "UTC"}
		}
		user := map[string]any{
			"id": u.ID, "team_id": TeamID, "name": u.Name, "real_name": u.RealName, "tz": u.TZ, "is_bot": u.IsBot,
			"profile": map[string]any{"real_name": u.RealName, "display_name": u.Name, "email": u.Email},
		}
		if truthy(c.Param("include_locale")) {
			user["locale"] = u.Locale
			if u.Locale == "" {
				user["locale"] = "en-US"
			}
		}
		return ok(map[string]any{"user": user})
	case "usergroups.users.list":
		members, found := s.usergroup[c.Param("usergroup")]
		if !found {
			return fail("no_such_subteam")
		}
		return ok(map[string]any{"users": members})
	case "views.open", "views.update", "views.push", "views.publish":
		return ok(map[string]any{"view": s.viewLocked(c)})
	default:
		return fail("unknown_method")
	}
}

func (s *Server) findLocked(ch, ts string) *Message {
	for _, m := range s.messages[ch] {
		if m.TS == ts {
			return m
		}
	}
	return nil
}

// viewLocked answers a views.* call with the submitted view plus the fields
// Slack adds.
func (s *Server) viewLocked(c Call) map[string]any {
	view := map[string]any{}
	if raw := rawParam(c, "view"); raw != nil {
		_ = json.Unmarshal(raw, &view)
	}
	s.seq++
	id := c.Param("view_id")
	if id == "" {
		id = fmt.Sprintf("V%06d", s.seq)
	}
	view["id"] = id
	view["team_id"] = TeamID
	view["hash"] = fmt.Sprintf("%d.fakehash%d", s.now().Unix(), s.seq)
	view["app_id"] = "A0FAKE"
	view["bot_id"] = BotID
	if c.Method == "views.publish" {
		view["type"] = "home"
	}
	return view
}
