package handlers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/bot/slackfake"
	"github.com/leaseline/leaseline/models"
)

// Who reads which language (issue 12), through the signed handlers.

// TestPersonReadsTheirSlackLocale: a person whose Slack locale is zh-CN
// reads replies and App Home in Chinese; `/leaseline language en`
// overrides it (the reply already in English) and `reset` returns to it.
// users.info is read once an hour, not per request.
func TestPersonReadsTheirSlackLocale(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.slack.SetUser(slackfake.User{ID: customerUser, Name: "li", Locale: "zh-CN"})
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Hangzhou primary"))

		e.command(customerUser, customerChan, "language")
		if got := e.lastResponse(); !strings.Contains(got, "我对您使用 *简体中文 (zh-CN)* ：这是您的 Slack 语言") {
			t.Errorf("language, Slack locale zh-CN:\n%s", got)
		}
		home := viewText(e.openHome(customerUser))
		if !strings.Contains(home, "*申请中* ·") || strings.Contains(home, "*Applying* ·") {
			t.Errorf("App Home of a zh-CN reader: want 申请中, not Applying:\n%s", home)
		}
		e.command(customerUser, customerChan, "list")
		if got := e.lastResponse(); !strings.Contains(got, "*申请中*") {
			t.Errorf("list of a zh-CN reader:\n%s", got)
		}
		if n := len(e.slack.Calls("users.info")); n != 1 {
			t.Errorf("users.info called %d times for three requests, want 1 (cached)", n)
		}
		for _, c := range e.slack.Calls("users.info") {
			if c.Param("include_locale") != "true" {
				t.Errorf("users.info without include_locale: %v", c.Params)
			}
		}

		e.command(customerUser, customerChan, "language en")
		if got := e.lastResponse(); !strings.Contains(got, "From now on I speak *English (en)* to you") {
			t.Errorf("language en: the reply is not in the new language:\n%s", got)
		}
		home = viewText(e.openHome(customerUser))
		if !strings.Contains(home, "*Applying* ·") || strings.Contains(home, "申请中") {
			t.Errorf("App Home after language en:\n%s", home)
		}
		e.command(customerUser, customerChan, "language")
		if got := e.lastResponse(); !strings.Contains(got, "I speak *English (en)* to you: you chose it") {
			t.Errorf("language after choosing en:\n%s", got)
		}

		// An hour later the locale is read again, once.
		before := len(e.slack.Calls("users.info"))
		e.clock.Add(61 * time.Minute)
		e.command(customerUser, customerChan, "language reset")
		if got := e.lastResponse(); !strings.Contains(got, "已取消您自己的选择：我按您的 Slack 语言对您使用 *简体中文 (zh-CN)*") {
			t.Errorf("language reset:\n%s", got)
		}
		e.command(customerUser, customerChan, "list")
		e.settle()
		if n := len(e.slack.Calls("users.info")) - before; n != 1 {
			t.Errorf("users.info called %d times after the cache expired, want 1", n)
		}
	})
}

// TestChannelLanguageAndPersonLanguage: a channel staff set to zh-CN gets
// its messages in Chinese while a person in it who reads English gets
// English replies; only staff set a channel's language, and link takes it
// too.
func TestChannelLanguageAndPersonLanguage(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.command(customerUser, customerChan, "language <#"+customerChan+"|acme> zh-CN")
		if got := e.lastResponse(); !strings.Contains(got, "Only staff set a channel's language") {
			t.Errorf("customer setting a channel's language:\n%s", got)
		}
		e.command(staffUser, staffChannel, "language <#"+customerChan+"|acme> zh-CN")
		if got := e.lastResponse(); !strings.Contains(got, "机器人在 <#"+customerChan+"> 中的消息使用 *简体中文 (zh-CN)*") {
			t.Errorf("staff setting the channel's language (reply in the new language):\n%s", got)
		}

		k := newCourier(e)
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Hangzhou primary"))
		first := k.deliver()
		e.press(staffUser, staffChannel, "ll_approve", itoa(c.ID))
		var inChannel, inStaff []string
		for _, p := range append(first, k.deliver()...) {
			switch p.channel {
			case customerChan:
				inChannel = append(inChannel, blocksText(p.blocks))
			case staffChannel:
				inStaff = append(inStaff, blocksText(p.blocks))
			}
		}
		if len(inChannel) == 0 || len(inStaff) == 0 {
			t.Fatalf("notices of connection %d: %d in the customer's channel, %d in staff's", c.ID, len(inChannel), len(inStaff))
		}
		for _, m := range inChannel {
			if !strings.Contains(m, "已审批") || strings.Contains(m, "*Approved*") {
				t.Errorf("a message in the zh-CN channel:\n%s", m)
			}
		}
		for _, m := range inStaff {
			if strings.Contains(m, "申请中") || strings.Contains(m, "已审批") {
				t.Errorf("the staff channel (English) got Chinese:\n%s", m)
			}
		}
		// The person in the channel reads English (Slack locale en-US).
		e.command(customerUser, customerChan, "list")
		if got := e.lastResponse(); !strings.Contains(got, "*Approved*") || strings.Contains(got, "已审批") {
			t.Errorf("an English reader's reply in the zh-CN channel:\n%s", got)
		}

		e.command(customerUser, customerChan, "language <#"+customerChan+"|acme>")
		if got := e.lastResponse(); !strings.Contains(got, "Messages in <#"+customerChan+"> are in *简体中文 (zh-CN)*: staff set it.") {
			t.Errorf("asking a channel's language:\n%s", got)
		}
		e.command(staffUser, staffChannel, "language <#"+customerChan+"|acme> reset")
		if got := e.lastResponse(); !strings.Contains(got, "no longer has a language of its own: its messages are in *English (en)*") {
			t.Errorf("reset of the channel:\n%s", got)
		}

		// link … zh-CN: the account's name without the language.
		e.command(staffUser, staffChannel, "link <#CINITECH|initech> customer Initech Ltd zh-CN")
		if got := e.lastResponse(); !strings.Contains(got, "*Initech Ltd*") || !strings.Contains(got, "Its messages are in *简体中文 (zh-CN)*") {
			t.Errorf("link with a language:\n%s", got)
		}
		e.command(staffUser, staffChannel, "language <#CINITECH>")
		if got := e.lastResponse(); !strings.Contains(got, "*简体中文 (zh-CN)*: staff set it") {
			t.Errorf("the linked channel's language:\n%s", got)
		}

		// A provider's channel: the catalog's default until staff set one.
		e.exec(`UPDATE providers SET language = 'zh-CN' WHERE slack_channel = 'C0SAMPLECTZJ'`)
		e.command(staffUser, staffChannel, "language <#C0SAMPLECTZJ>")
		if got := e.lastResponse(); !strings.Contains(got, "*简体中文 (zh-CN)*: the default language of the service provider") {
			t.Errorf("a provider's channel:\n%s", got)
		}
	})
}

// TestUnknownLocaleIsEnglish: a person whose Slack locale leaseline does
// not speak (fr-FR) reads English, never an error; asking for French is
// answered with the languages shipped; a failing users.info is English
// too.
func TestUnknownLocaleIsEnglish(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		e.slack.SetUser(slackfake.User{ID: customerUser, Name: "marie", Locale: "fr-FR"})
		e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Paris"))
		e.command(customerUser, customerChan, "language")
		if got := e.lastResponse(); !strings.Contains(got, "I speak *English (en)* to you: the default") {
			t.Errorf("fr-FR:\n%s", got)
		}
		e.command(customerUser, customerChan, "list")
		if got := e.lastResponse(); !strings.Contains(got, "*Applying*") {
			t.Errorf("list of a fr-FR reader:\n%s", got)
		}
		e.command(customerUser, customerChan, "language fr")
		if got := e.lastResponse(); !strings.Contains(got, "I don't speak `fr`") || !strings.Contains(got, "English (en), 简体中文 (zh-CN)") {
			t.Errorf("language fr:\n%s", got)
		}
		e.command(customerUser, customerChan, "language zh-CN please")
		if got := e.lastResponse(); !strings.Contains(got, "Usage: `/leaseline language [zh-CN|en|reset]`") {
			t.Errorf("bad input:\n%s", got)
		}

		// Slack failing: English, and the reply still comes.
		e.slack.SetUser(slackfake.User{ID: otherUser, Locale: "zh-CN"})
		e.slack.FailNext("users.info", 1, 500, 0)
		e.applyDirect(customerOf(otherUser, e.globex), goodApplication("Globex line"))
		e.command(otherUser, otherChan, "list")
		if got := e.lastResponse(); !strings.Contains(got, "*"+string(models.StatusApplying)+"*") {
			t.Errorf("list while users.info fails:\n%s", got)
		}
	})
}

// TestNoticeToADirectMessageReadsThePersonsLanguage: a notice addressed to
// the bot's DM with a person (a D… channel) is in that person's language,
// found with conversations.info once and then kept.
func TestNoticeToADirectMessageReadsThePersonsLanguage(t *testing.T) {
	eachBackend(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.slack.SetUser(slackfake.User{ID: customerUser, Locale: "zh-CN"})
		c := e.applyDirect(customerOf(customerUser, e.acme), goodApplication("Hangzhou primary"))
		e.press(staffUser, staffChannel, "ll_approve", itoa(c.ID))
		e.settle()
		ns, err := e.store.Notices(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		var approved *models.Notice
		for i := range ns {
			if ns[i].Kind == models.NoticeApproved {
				approved = &ns[i]
			}
		}
		if approved == nil {
			t.Fatalf("no approved notice among %d", len(ns))
		}
		render := func(channel string) string {
			n := *approved
			n.Channel = channel
			opts, err := e.app.RenderNotice(ctx, n)
			if err != nil {
				t.Fatal(err)
			}
			ch, ts, err := bot.NewClient("xoxb-test", e.slack.APIURL(), nil).PostMessageContext(ctx, channel, opts...)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range e.slack.Messages(ch) {
				if m.TS == ts {
					return blocksText(string(m.Blocks))
				}
			}
			t.Fatalf("message %s not in %s", ts, ch)
			return ""
		}
		if got := render(customerChan); !strings.Contains(got, "*Approved*") {
			t.Errorf("in the (English) channel:\n%s", got)
		}
		dm := slackfake.IMChannel(customerUser)
		for range 2 {
			if got := render(dm); !strings.Contains(got, "*已审批*") || strings.Contains(got, "*Approved*") {
				t.Errorf("in the DM of a zh-CN reader:\n%s", got)
			}
		}
		if n := len(e.slack.Calls("conversations.info")); n != 1 {
			t.Errorf("conversations.info called %d times for two notices to one DM, want 1", n)
		}
	})
}
