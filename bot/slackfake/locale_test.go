package slackfake_test

import (
	"context"
	"testing"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot/slackfake"
)

// TestUsersInfoLocale: users.info answers a user's locale only when
// include_locale is set, as Slack does; a user without one set reads
// en-US. conversations.info of the bot's DM names the user.
func TestUsersInfoLocale(t *testing.T) {
	fake, api := newAPI(t)
	ctx := context.Background()
	fake.SetUser(slackfake.User{ID: "UZH", Name: "li", Locale: "zh-CN"})
	u, err := api.GetUserInfoContext(ctx, "UZH")
	if err != nil || u.Locale != "zh-CN" {
		t.Fatalf("with include_locale: %+v, %v", u, err)
	}
	u, err = api.GetUserInfoContext(ctx, "UZH", slack.GetUserInfoOptionIncludeLocale(false))
	if err != nil || u.Locale != "" {
		t.Fatalf("without include_locale: locale %q, %v", u.Locale, err)
	}
	u, err = api.GetUserInfoContext(ctx, "UNOBODY")
	if err != nil || u.Locale != "en-US" {
		t.Fatalf("a user without a locale set: %q, %v", u.Locale, err)
	}
	ch, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: slackfake.IMChannel("UZH")})
	if err != nil || !ch.IsIM || ch.User != "UZH" {
		t.Fatalf("DM info: %+v, %v", ch, err)
	}
}
