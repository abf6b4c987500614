package handlers

import (
	"context"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
)

// cmdLanguage is `/leaseline language …`:
//
//	language                      what I speak to you, and why
//	language zh-CN|en             your own language (anyone, for themselves)
//	language reset                back to your Slack language
//	language #channel             a channel's language, and why
//	language #channel zh-CN|en    staff: the channel's language
//	language #channel reset       staff: back to the provider's or the default
//
// A reply that changes a language is in the new language.
func (a *App) cmdLanguage(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	first, more := splitWord(rest)
	if channel, ok := parseSlackRef(first, "#", "CG"); ok {
		a.cmdChannelLanguage(ctx, cmd, channel, more)
		return
	}
	switch {
	case more != "":
		a.languageUsage(ctx, cmd)
	case first == "":
		l, from := a.userLanguage(ctx, cmd.UserID)
		p := a.words.For(l)
		key := "language.you_default"
		switch from {
		case fromOwn:
			key = "language.you_own"
		case fromSlack:
			key = "language.you_slack"
		}
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, youLanguage(p, key, l))
	case strings.EqualFold(first, "reset"):
		was, err := a.store.ResetLanguage(ctx, langUser, cmd.UserID)
		if err != nil {
			a.log.ErrorContext(ctx, "reset language", "user", cmd.UserID, "err", err)
			a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.forUser(ctx, cmd.UserID).T("language.failed"))
			return
		}
		l, from := a.userLanguage(ctx, cmd.UserID)
		p := a.words.For(l)
		key := "language.reset_user_none"
		switch {
		case was && from == fromSlack:
			key = "language.reset_user"
		case was:
			key = "language.reset_user_default"
		}
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, youLanguage(p, key, l))
	default:
		l, ok := lang.Known(first)
		if !ok {
			a.unknownLanguage(ctx, cmd, first)
			return
		}
		if err := a.store.SetLanguage(ctx, langUser, cmd.UserID, string(l), cmd.UserID); err != nil {
			a.log.ErrorContext(ctx, "set language", "user", cmd.UserID, "err", err)
			a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.forUser(ctx, cmd.UserID).T("language.failed"))
			return
		}
		p := a.words.For(l)
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, youLanguage(p, "language.set_user", l))
	}
}

// youLanguage is one of the messages about the reader's own language.
func youLanguage(p lang.Printer, key string, l lang.Lang) string {
	args := lang.Args{"Lang": languageName(p, l)}
	switch key {
	case "language.you_own":
		return p.T("language.you_own", args)
	case "language.you_slack":
		return p.T("language.you_slack", args)
	case "language.reset_user":
		return p.T("language.reset_user", args)
	case "language.reset_user_default":
		return p.T("language.reset_user_default", args)
	case "language.reset_user_none":
		return p.T("language.reset_user_none", args)
	case "language.set_user":
		return p.T("language.set_user", args)
	}
	return p.T("language.you_default", args)
}

// cmdChannelLanguage is `language #channel [zh-CN|en|reset]`: anyone may
// ask, only staff change it.
func (a *App) cmdChannelLanguage(ctx context.Context, cmd *slack.SlashCommand, channel, rest string) {
	word, more := splitWord(rest)
	if more != "" {
		a.languageUsage(ctx, cmd)
		return
	}
	if word == "" {
		l, from := a.channelLanguage(ctx, channel)
		p := a.forUser(ctx, cmd.UserID)
		args := lang.Args{"Channel": channel, "Lang": languageName(p, l)}
		text := p.T("language.channel_default", args)
		switch from {
		case fromOwn:
			text = p.T("language.channel_own", args)
		case fromProvider:
			text = p.T("language.channel_provider", args)
		}
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, text)
		return
	}
	reset := strings.EqualFold(word, "reset")
	l, known := lang.Known(word)
	if !reset && !known {
		a.unknownLanguage(ctx, cmd, word)
		return
	}
	if staff, err := a.isStaff(ctx, cmd.UserID); err != nil || !staff {
		if err != nil {
			a.cmdFail(ctx, cmd, err)
			return
		}
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.forUser(ctx, cmd.UserID).T("language.staff_only"))
		return
	}
	if reset {
		if _, err := a.store.ResetLanguage(ctx, langChannel, channel); err != nil {
			a.log.ErrorContext(ctx, "reset channel language", "channel", channel, "err", err)
			a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.forUser(ctx, cmd.UserID).T("language.failed"))
			return
		}
		now, _ := a.channelLanguage(ctx, channel)
		p := a.forUser(ctx, cmd.UserID)
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, p.T("language.reset_channel", lang.Args{"Channel": channel, "Lang": languageName(p, now)}))
		return
	}
	if err := a.store.SetLanguage(ctx, langChannel, channel, string(l), cmd.UserID); err != nil {
		a.log.ErrorContext(ctx, "set channel language", "channel", channel, "err", err)
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, a.forUser(ctx, cmd.UserID).T("language.failed"))
		return
	}
	p := a.words.For(l)
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, p.T("language.set_channel", lang.Args{"Channel": channel, "Lang": languageName(p, l)}))
}

// unknownLanguage tells the user which languages leaseline speaks.
func (a *App) unknownLanguage(ctx context.Context, cmd *slack.SlashCommand, typed string) {
	p := a.forUser(ctx, cmd.UserID)
	names := make([]string, 0, len(lang.Langs()))
	for _, l := range lang.Langs() {
		names = append(names, languageName(p, l))
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, p.T("language.unknown", lang.Args{
		"Typed": esc(truncate(typed, 40)), "Langs": strings.Join(names, ", "),
	}))
}

// languageUsage says how the command is written.
func (a *App) languageUsage(ctx context.Context, cmd *slack.SlashCommand) {
	p := a.forUser(ctx, cmd.UserID)
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, p.T("language.usage", lang.Args{
		"User": p.T("language.help_user"), "Staff": p.T("language.help_staff"),
	}))
}

// languageName is a language's own name ("简体中文 (zh-CN)").
func languageName(p lang.Printer, l lang.Lang) string {
	if l == lang.Chinese {
		return p.T("language.name_zh")
	}
	return p.T("language.name_en")
}

// linkLanguage splits a language off the end of `link`'s account name
// ("ACME Ltd zh-CN" is account "ACME Ltd" in zh-CN); ok is false when the
// name does not end with one (a one-word name is always a name).
func linkLanguage(name string) (string, lang.Lang, bool) {
	i := strings.LastIndexAny(name, " \t")
	if i < 0 {
		return name, "", false
	}
	var l lang.Lang
	switch last := strings.ReplaceAll(name[i+1:], "_", "-"); {
	case strings.EqualFold(last, "en"):
		l = lang.English
	case strings.EqualFold(last, "zh-CN"):
		l = lang.Chinese
	default:
		return name, "", false
	}
	return strings.TrimSpace(name[:i]), l, true
}

// setLinkLanguage sets the language of a channel `link` just linked, set
// by staff; it returns the sentence that says so, in the staff's language
// (or that it failed: logged, the link stands).
func (a *App) setLinkLanguage(ctx context.Context, cmd *slack.SlashCommand, channel string, l lang.Lang) string {
	p := a.forUser(ctx, cmd.UserID)
	if err := a.store.SetLanguage(ctx, langChannel, channel, string(l), cmd.UserID); err != nil {
		a.log.ErrorContext(ctx, "link: set channel language", "channel", channel, "err", err)
		return p.T("language.failed")
	}
	return p.T("language.link_language", lang.Args{"Lang": languageName(p, l)})
}
