package handlers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// TestDirectMessageAnswersWithHelpAndButtons: a message to the bot in its
// Messages tab is answered with the help and the panel's buttons; the
// bot's own messages and edits are not answered.
func TestDirectMessageAnswersWithHelpAndButtons(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		const dm = "DCUST1"
		for _, ev := range []map[string]any{
			{"type": "message", "channel": dm, "channel_type": "im", "user": slackfake.BotUID, "bot_id": slackfake.BotID, "text": "its own", "ts": "1.1"},
			{"type": "message", "subtype": "bot_message", "channel": dm, "channel_type": "im", "bot_id": slackfake.BotID, "text": "its own", "ts": "1.2"},
			{"type": "message", "subtype": "message_changed", "channel": dm, "channel_type": "im", "hidden": true, "ts": "1.3",
				"message": map[string]any{"type": "message", "user": customerUser, "text": "edited", "ts": "1.0"}},
			{"type": "message", "channel": "CACME", "channel_type": "channel", "user": customerUser, "text": "in a channel", "ts": "1.4"},
		} {
			if status := e.event(ev); status != 200 {
				t.Fatalf("event: HTTP %d", status)
			}
		}
		e.settle()
		if posts := e.slack.Calls("chat.postMessage"); len(posts) != 0 {
			t.Fatalf("answered the bot's own message, an edit or a channel message: %d posts: %s", len(posts), posts[0].Param("blocks"))
		}
		if status := e.event(map[string]any{"type": "message", "channel": dm, "channel_type": "im", "user": customerUser, "text": "hi", "ts": "2.1"}); status != 200 {
			t.Fatalf("event: HTTP %d", status)
		}
		posts, ok := e.slack.WaitFor("chat.postMessage", 1, 5*time.Second)
		if !ok || len(posts) != 1 || posts[0].Param("channel") != dm {
			t.Fatalf("no single answer in the DM: %v", methods(e.slack.Calls("")))
		}
		got := blocksText(posts[0].Param("blocks"))
		for _, want := range []string{"Apply for New Interface", "My connections", "Access points", "/leaseline list"} {
			if !strings.Contains(got, want) {
				t.Errorf("answer lacks %q:\n%s", want, got)
			}
		}
	})
}
