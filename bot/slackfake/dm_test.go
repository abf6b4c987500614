package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// TestPostToUserGoesToDM: a post to a user ID lands in the bot's DM
// channel with that user, the one conversations.open names; that
// channel's history shows it, and the read and change methods refuse the
// user ID as Slack does.
func TestPostToUserGoesToDM(t *testing.T) {
	fake, api := newAPI(t)
	ctx := context.Background()
	meta := slack.SlackMetadata{EventType: "leaseline_notice", EventPayload: map[string]any{"notice_id": 7}}
	ch, ts, err := api.PostMessageContext(ctx, "U7", slack.MsgOptionText("reminder", false), slack.MsgOptionMetadata(meta))
	if err != nil {
		t.Fatal(err)
	}
	im, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U7"}, ReturnIM: true})
	if err != nil {
		t.Fatal(err)
	}
	if ch != im.ID || ch != slackfake.IMChannel("U7") || ch == "U7" {
		t.Fatalf("posted to U7 in %q; conversations.open says %q", ch, im.ID)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: im.ID, IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 1 || hist.Messages[0].Timestamp != ts || hist.Messages[0].Metadata.EventType != "leaseline_notice" {
		t.Fatalf("history of the DM = %+v", hist.Messages)
	}
	if n := len(fake.Messages(im.ID)); n != 1 {
		t.Fatalf("%d messages kept in the DM", n)
	}
	if n := len(fake.Messages("U7")); n != 0 {
		t.Fatalf("%d messages kept under the user ID", n)
	}
	// W… (Enterprise Grid) user IDs too.
	if ch, _, err := api.PostMessageContext(ctx, "W8", slack.MsgOptionText("hi", false)); err != nil || ch != slackfake.IMChannel("W8") {
		t.Fatalf("post to W8 = %q %v", ch, err)
	}

	notFound := func(what string, err error) {
		t.Helper()
		var se slack.SlackErrorResponse
		if !errors.As(err, &se) || se.Err != "channel_not_found" {
			t.Errorf("%s with a user ID: %v, want channel_not_found", what, err)
		}
	}
	_, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "U7"})
	notFound("conversations.history", err)
	_, _, _, err = api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "U7", Timestamp: ts})
	notFound("conversations.replies", err)
	_, _, _, err = api.UpdateMessageContext(ctx, "U7", ts, slack.MsgOptionText("v2", false))
	notFound("chat.update", err)
	_, _, err = api.DeleteMessageContext(ctx, "U7", ts)
	notFound("chat.delete", err)
	if _, _, _, err := api.UpdateMessageContext(ctx, im.ID, ts, slack.MsgOptionText("v2", false)); err != nil {
		t.Fatalf("chat.update in the DM: %v", err)
	}
}

// TestLoseNextResponses: the call takes effect, its answer is lost (a
// dropped connection, or a gateway's 504), only for the channel named.
func TestLoseNextResponses(t *testing.T) {
	fake, api := newAPI(t)
	ctx := context.Background()
	fake.LoseNextResponses("chat.postMessage", "C1", 1, 0)
	if _, _, err := api.PostMessageContext(ctx, "C2", slack.MsgOptionText("other", false)); err != nil {
		t.Fatalf("post to another channel: %v", err)
	}
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("dropped", false))
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("dropped answer: %v (%T), want a transport error", err, err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("answered", false)); err != nil {
		t.Fatalf("the next post: %v", err)
	}
	fake.LoseNextResponses("chat.postMessage", "", 1, http.StatusGatewayTimeout)
	_, _, err = api.PostMessageContext(ctx, "U3", slack.MsgOptionText("gateway", false))
	var sc slack.StatusCodeError
	if !errors.As(err, &sc) || sc.Code != http.StatusGatewayTimeout {
		t.Fatalf("lost to a 504: %v", err)
	}
	if got := len(fake.Messages("C1")); got != 2 {
		t.Fatalf("%d messages in C1, want 2 (the lost answer's post is kept)", got)
	}
	if got := len(fake.Messages(slackfake.IMChannel("U3"))); got != 1 {
		t.Fatalf("%d messages in the DM, want 1", got)
	}
	if got := len(fake.Calls("chat.postMessage")); got != 4 {
		t.Fatalf("%d posts recorded, want 4 (a lost answer is not retried)", got)
	}
}
