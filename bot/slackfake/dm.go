package slackfake

import "strings"

// Direct messages as Slack has them: chat.postMessage to a user ID (U… or
// W…) posts in the bot's DM channel with that user, and answers with that
// channel's ID, the one conversations.open returns. The methods that read
// or change a conversation's messages (conversations.history and
// conversations.replies, chat.update and chat.delete) need the DM
// channel's ID: given a user ID they answer channel_not_found.

// IMChannel returns the ID of the bot's DM channel with user, as
// conversations.open answers and chat.postMessage to user posts in.
func IMChannel(user string) string { return "D" + user }

// isUserID reports whether id names a user, not a conversation.
func isUserID(id string) bool { return strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W") }

// PostedIn returns the channel a chat.postMessage to ch posts in: the DM
// channel for a user ID, else ch.
func PostedIn(ch string) string {
	if isUserID(ch) {
		return IMChannel(ch)
	}
	return ch
}

// userAsConversation returns channel_not_found for a call that reads or
// changes messages of a conversation but names a user instead.
func userAsConversation(c Call) string {
	switch c.Method {
	case "conversations.history", "conversations.replies", "chat.update", "chat.delete":
		if isUserID(c.Param("channel")) {
			return "channel_not_found"
		}
	}
	return ""
}
