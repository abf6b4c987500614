package slackfake_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

func newAPI(t *testing.T) (*slackfake.Server, *slack.Client) {
	t.Helper()
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	return fake, slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
}

func post(t *testing.T, api *slack.Client, ch, text string, opts ...slack.MsgOption) string {
	t.Helper()
	_, ts, err := api.PostMessageContext(context.Background(), ch, append([]slack.MsgOption{slack.MsgOptionText(text, false)}, opts...)...)
	if err != nil {
		t.Fatalf("post %q: %v", text, err)
	}
	return ts
}

func tsOf(msgs []slack.Message) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Timestamp
	}
	return out
}

func rev(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestHistoryPagingCursor(t *testing.T) {
	_, api := newAPI(t)
	ctx := context.Background()
	var posted []string // oldest first
	for i := range 450 {
		posted = append(posted, post(t, api, "C1", fmt.Sprintf("m%d", i)))
		if i%100 == 0 { // replies are not in the channel's history
			post(t, api, "C1", "reply", slack.MsgOptionTS(posted[len(posted)-1]))
		}
	}
	post(t, api, "C2", "elsewhere")

	first, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Messages) != 100 || !first.HasMore || first.ResponseMetaData.NextCursor == "" {
		t.Fatalf("default page: %d messages, has_more %v, cursor %q; want 100, more", len(first.Messages), first.HasMore, first.ResponseMetaData.NextCursor)
	}

	params := &slack.GetConversationHistoryParameters{ChannelID: "C1", Limit: 120}
	var got []string
	seen := map[string]int{}
	for pages := 1; ; pages++ {
		resp, err := api.GetConversationHistoryContext(ctx, params)
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.Messages) > 120 {
			t.Fatalf("page %d has %d messages, limit 120", pages, len(resp.Messages))
		}
		for _, m := range resp.Messages {
			seen[m.Timestamp]++
			got = append(got, m.Timestamp)
		}
		if pages == 2 { // a message posted while paging is newer: not in later pages
			post(t, api, "C1", "late")
		}
		if !resp.HasMore {
			if resp.ResponseMetaData.NextCursor != "" || pages != 4 {
				t.Fatalf("last page %d, cursor %q; want page 4, no cursor", pages, resp.ResponseMetaData.NextCursor)
			}
			break
		}
		if pages > 10 {
			t.Fatal("paging does not end")
		}
		params.Cursor = resp.ResponseMetaData.NextCursor
	}
	if !slices.Equal(got, rev(posted)) { // newest first
		t.Fatalf("paged %d messages, want the 450 posted newest first once each", len(got))
	}
	for ts, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", ts, n)
		}
	}

	all, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Messages) != 451 || all.HasMore { // clamped to 999: the 450 and "late"
		t.Fatalf("limit 5000: %d messages, has_more %v", len(all.Messages), all.HasMore)
	}
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Cursor: "bogus"}); err == nil || err.Error() != "invalid_cursor" {
		t.Fatalf("bogus cursor: %v, want invalid_cursor", err)
	}
}

func TestHistoryOldestLatest(t *testing.T) {
	_, api := newAPI(t)
	ctx := context.Background()
	var ts []string
	for i := range 10 {
		ts = append(ts, post(t, api, "C1", fmt.Sprintf("m%d", i)))
	}
	hist := func(p slack.GetConversationHistoryParameters) []string {
		t.Helper()
		p.ChannelID = "C1"
		resp, err := api.GetConversationHistoryContext(ctx, &p)
		if err != nil {
			t.Fatal(err)
		}
		return tsOf(resp.Messages)
	}
	for _, tc := range []struct {
		name string
		p    slack.GetConversationHistoryParameters
		want []string
	}{
		{"oldest exclusive", slack.GetConversationHistoryParameters{Oldest: ts[7]}, []string{ts[9], ts[8]}},
		{"oldest inclusive", slack.GetConversationHistoryParameters{Oldest: ts[7], Inclusive: true}, []string{ts[9], ts[8], ts[7]}},
		{"latest exclusive", slack.GetConversationHistoryParameters{Latest: ts[2]}, []string{ts[1], ts[0]}},
		{"range", slack.GetConversationHistoryParameters{Oldest: ts[2], Latest: ts[6]}, []string{ts[5], ts[4], ts[3]}},
		{"range inclusive", slack.GetConversationHistoryParameters{Oldest: ts[2], Latest: ts[6], Inclusive: true}, []string{ts[6], ts[5], ts[4], ts[3], ts[2]}},
		{"whole seconds", slack.GetConversationHistoryParameters{Oldest: "0", Latest: "9999999999"}, rev(ts)},
	} {
		if got := hist(tc.p); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Paging inside a range keeps to it.
	p := &slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: ts[1], Latest: ts[8], Limit: 4}
	resp, err := api.GetConversationHistoryContext(ctx, p)
	if err != nil || !resp.HasMore || !slices.Equal(tsOf(resp.Messages), []string{ts[7], ts[6], ts[5], ts[4]}) {
		t.Fatalf("range page 1 = %v more %v (%v)", tsOf(resp.Messages), resp.HasMore, err)
	}
	p.Cursor = resp.ResponseMetaData.NextCursor
	resp, err = api.GetConversationHistoryContext(ctx, p)
	if err != nil || resp.HasMore || !slices.Equal(tsOf(resp.Messages), []string{ts[3], ts[2]}) {
		t.Fatalf("range page 2 = %v more %v (%v)", tsOf(resp.Messages), resp.HasMore, err)
	}
	if _, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", Oldest: "yesterday"}); err == nil || err.Error() != "invalid_ts_oldest" {
		t.Fatalf("bad oldest: %v", err)
	}
}

func TestReplies(t *testing.T) {
	fake, api := newAPI(t)
	ctx := context.Background()
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "notice", EventPayload: map[string]any{"notice_id": 7}})
	parent := post(t, api, "C1", "parent")
	r1 := post(t, api, "C1", "r1", slack.MsgOptionTS(parent), meta)
	other := post(t, api, "C1", "other")
	r2 := post(t, api, "C1", "r2", slack.MsgOptionTS(r1)) // a reply to a reply joins the thread
	r3 := post(t, api, "C1", "r3", slack.MsgOptionTS(parent), slack.MsgOptionBroadcast())

	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := tsOf(hist.Messages); !slices.Equal(got, []string{r3, other, parent}) {
		t.Fatalf("history = %v, want broadcast r3, other, parent", got)
	}
	if p := hist.Messages[2]; p.ThreadTimestamp != parent || p.ReplyCount != 3 || p.LatestReply != r3 {
		t.Errorf("parent in history = thread_ts %q replies %d latest %q", p.ThreadTimestamp, p.ReplyCount, p.LatestReply)
	}
	if b := hist.Messages[0]; b.SubType != "thread_broadcast" || b.ThreadTimestamp != parent {
		t.Errorf("broadcast = subtype %q thread_ts %q", b.SubType, b.ThreadTimestamp)
	}

	for _, ts := range []string{parent, r2} { // the parent's ts or any reply's
		msgs, more, cursor, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: ts, IncludeAllMetadata: true})
		if err != nil || more || cursor != "" {
			t.Fatalf("replies(%s): more %v cursor %q err %v", ts, more, cursor, err)
		}
		if got := tsOf(msgs); !slices.Equal(got, []string{parent, r1, r2, r3}) {
			t.Fatalf("replies(%s) = %v, want parent and replies oldest first", ts, got)
		}
		if msgs[1].Metadata.EventType != "notice" || msgs[1].ThreadTimestamp != parent {
			t.Errorf("r1 = %+v", msgs[1].Msg)
		}
	}

	params := &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: parent, Limit: 3}
	msgs, more, cursor, err := api.GetConversationRepliesContext(ctx, params)
	if err != nil || !more || cursor == "" || !slices.Equal(tsOf(msgs), []string{parent, r1, r2}) {
		t.Fatalf("replies page 1 = %v more %v cursor %q (%v)", tsOf(msgs), more, cursor, err)
	}
	if msgs[1].Metadata.EventType != "" {
		t.Errorf("metadata without include_all_metadata: %+v", msgs[1].Metadata)
	}
	params.Cursor = cursor
	msgs, more, _, err = api.GetConversationRepliesContext(ctx, params)
	if err != nil || more || !slices.Equal(tsOf(msgs), []string{r3}) {
		t.Fatalf("replies page 2 = %v more %v (%v)", tsOf(msgs), more, err)
	}

	msgs, _, _, err = api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: parent, Oldest: r1})
	if err != nil || !slices.Equal(tsOf(msgs), []string{r2, r3}) {
		t.Fatalf("replies after r1 = %v (%v)", tsOf(msgs), err)
	}
	msgs, _, _, err = api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: other})
	if err != nil || !slices.Equal(tsOf(msgs), []string{other}) {
		t.Fatalf("replies of an unthreaded message = %v (%v)", tsOf(msgs), err)
	}
	if _, _, _, err := api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "C1", Timestamp: "1.000001"}); err == nil || err.Error() != "thread_not_found" {
		t.Fatalf("unknown thread: %v", err)
	}

	if _, _, err := api.DeleteMessageContext(ctx, "C1", r3); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages("C1")); n != 4 {
		t.Fatalf("kept %d messages after delete, want 4", n)
	}
	hist, err = api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1"})
	if err != nil || len(hist.Messages) != 2 || hist.Messages[1].ReplyCount != 2 || hist.Messages[1].LatestReply != r2 {
		t.Fatalf("after deleting r3: %+v (%v)", hist.Messages, err)
	}
}
