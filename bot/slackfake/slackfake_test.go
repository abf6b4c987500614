package slackfake_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

func TestWebAPI(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()

	meta := slack.SlackMetadata{EventType: "connection", EventPayload: map[string]any{"id": "pc-abc"}}
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*panel*", false, false), nil, nil))
	ch, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("panel", false), blocks, slack.MsgOptionMetadata(meta))
	if err != nil || ch != "C1" || ts == "" {
		t.Fatalf("postMessage = %q %q %v", ch, ts, err)
	}
	_, ts2, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("second", false))
	if err != nil || ts2 == ts {
		t.Fatalf("second ts = %q (%v)", ts2, err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("panel v2", false)); err != nil {
		t.Fatal(err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "C1", IncludeAllMetadata: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Messages) != 2 || hist.Messages[1].Text != "panel v2" || hist.Messages[1].Metadata.EventType != "connection" ||
		len(hist.Messages[1].Blocks.BlockSet) != 1 {
		t.Fatalf("history = %+v", hist.Messages)
	}
	if _, _, err := api.DeleteMessageContext(ctx, "C1", ts2); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Messages("C1")); n != 1 {
		t.Fatalf("kept messages = %d, want 1", n)
	}

	if _, err := api.PostEphemeralContext(ctx, "C1", "U1", slack.MsgOptionText("psst", false)); err != nil {
		t.Fatal(err)
	}
	dm, _, _, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{"U7"}})
	if err != nil || dm.ID != "DU7" {
		t.Fatalf("open = %+v %v", dm, err)
	}
	fake.SetChannel("C9", "acme-shared", true)
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "C9"})
	if err != nil || info.Name != "acme-shared" || !info.IsExtShared {
		t.Fatalf("info = %+v %v", info, err)
	}
	fake.SetUser(slackfake.User{ID: "U7", Name: "li", RealName: "Li Wei", TZ: "Asia/Shanghai"})
	u, err := api.GetUserInfoContext(ctx, "U7")
	if err != nil || u.RealName != "Li Wei" || u.TZ != "Asia/Shanghai" {
		t.Fatalf("user = %+v %v", u, err)
	}
	fake.SetUsergroupMembers("S1", "U1", "U2")
	members, err := api.GetUserGroupMembersContext(ctx, "S1")
	if err != nil || len(members) != 2 {
		t.Fatalf("members = %v %v", members, err)
	}

	modal := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: "apply", Title: slack.NewTextBlockObject("plain_text", "Apply for New Interface", false, false)}
	v, err := api.OpenViewContext(ctx, "trig", modal)
	if err != nil || v.ID == "" || v.CallbackID != "apply" {
		t.Fatalf("views.open = %+v %v", v, err)
	}
	if _, err := api.UpdateViewContext(ctx, modal, "", v.Hash, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PushViewContext(ctx, "trig", modal); err != nil {
		t.Fatal(err)
	}
	if _, err := api.PublishViewContext(ctx, slack.PublishViewContextRequest{UserID: "U1", View: slack.HomeTabViewRequest{Type: slack.VTHomeTab}}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"views.open", "views.update", "views.push", "views.publish"} {
		if calls, ok := fake.WaitFor(m, 1, time.Second); !ok {
			t.Errorf("%s not recorded: %v", m, calls)
		}
	}
	if c := fake.Calls("chat.postMessage")[0]; c.Param("channel") != "C1" || c.Token != "xoxb-test" {
		t.Errorf("recorded call = %+v", c)
	}
}

func TestFailNext(t *testing.T) {
	fake := slackfake.New()
	t.Cleanup(fake.Close)
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()

	fake.FailNext("chat.postMessage", 1, http.StatusTooManyRequests, 2*time.Second)
	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("err = %v, want rate limited 2s", err)
	}
	fake.FailNext("chat.postMessage", 1, http.StatusInternalServerError, 0)
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err == nil {
		t.Fatal("want 500 error")
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false)); err != nil {
		t.Fatalf("after faults: %v", err)
	}
	if n := len(fake.Calls("chat.postMessage")); n != 3 {
		t.Errorf("recorded %d calls, want 3", n)
	}
}
