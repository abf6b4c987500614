package handlers

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/handlers/lang"
)

// Who reads which language (issue 12):
//
//   - what one person sees alone (ephemeral replies, modals, App Home,
//     DMs, reception's too) is in that person's language: their own choice
//     (/leaseline language zh-CN|en), else their Slack locale (users.info
//     with include_locale, cached), else English;
//   - a message in a channel is in the channel's language: set by staff
//     (/leaseline language #channel …, or link … zh-CN), else the default
//     language of the provider whose channel it is (the catalog's
//     `language`), else English.
//
// An unknown locale is English, and a failure to read a setting or a
// locale is logged and read as English: the reply never fails for it.

// Languages keeps the languages people and channels chose (*store.Store
// has it). kind is langUser or langChannel.
type Languages interface {
	// LanguageOf is the language set for a user or a channel ("" none)
	// and who set it.
	LanguageOf(ctx context.Context, kind, id string) (lang, setBy string, err error)
	// ChannelLanguage is a channel's own setting, else its provider's
	// default; from is "channel", "provider" or "".
	ChannelLanguage(ctx context.Context, channelID string) (lang, from string, err error)
	SetLanguage(ctx context.Context, kind, id, lang, setBy string) error
	// ResetLanguage removes a setting, reporting whether there was one.
	ResetLanguage(ctx context.Context, kind, id string) (bool, error)
}

// The subjects of a language setting, as the store names them.
const (
	langUser    = "user"
	langChannel = "channel"
)

// langSource is where a reader's language came from.
type langSource int

const (
	fromDefault  langSource = iota // nothing set: English
	fromOwn                        // the person's or the channel's own setting
	fromSlack                      // the person's Slack locale
	fromProvider                   // the provider's default from the catalog
)

// Locale cache: a Slack locale is read at most once an hour per person; a
// failed read is retried after a minute (English meanwhile). A DM
// channel's user never changes, kept a day.
const (
	localeTTL     = time.Hour
	localeFailTTL = time.Minute
	imUserTTL     = 24 * time.Hour
	localeMax     = 10000 // entries kept at most
	localeWait    = time.Second
)

// forUser is the printer for what one person sees alone: ephemeral
// replies, modals, App Home and DMs (reception's too). It follows the
// person's own choice (/leaseline language), else their Slack locale, else
// English. userID may be the bot's DM channel with the person.
func (a *App) forUser(ctx context.Context, userID string) lang.Printer {
	l, _ := a.userLanguage(ctx, userID)
	return a.words.For(l)
}

// forUserNow is forUser for an acknowledgement, which must not wait on
// Slack: the person's own choice, else the Slack locale already cached
// (any reply after an ack caches it), else English. It never calls Slack.
func (a *App) forUserNow(ctx context.Context, userID string) lang.Printer {
	if !isUserID(userID) {
		return a.words.For(lang.English)
	}
	own, _, err := a.store.LanguageOf(ctx, langUser, userID)
	if err != nil {
		a.log.WarnContext(ctx, "language setting of user unreadable; using the cached Slack locale", "request_id", bot.RequestID(ctx), "user", userID, "err", err)
	}
	if own != "" {
		return a.words.For(lang.Parse(own))
	}
	if v, ok := a.locales.get("u:"+userID, a.cfg.Now()); ok {
		return a.words.For(lang.Parse(v))
	}
	return a.words.For(lang.English)
}

// forChannel is the printer for a message posted in a channel, which
// everyone in it reads: the channel's language set by staff, else the
// provider's default language from the catalog, else English. A "channel"
// that is a user ID or a DM is read by one person: their language.
func (a *App) forChannel(ctx context.Context, channelID string) lang.Printer {
	l, _ := a.channelLanguage(ctx, channelID)
	return a.words.For(l)
}

// noticePrinter is the printer for a notice to channel: reception reads it
// alone in a DM (their own language), everyone else in a channel.
func (a *App) noticePrinter(ctx context.Context, channel string, to recipient) lang.Printer {
	if to == toReception {
		return a.forUser(ctx, channel)
	}
	return a.forChannel(ctx, channel)
}

// userLanguage is a person's language and where it came from.
func (a *App) userLanguage(ctx context.Context, userID string) (lang.Lang, langSource) {
	switch {
	case userID == "" || userID == "system":
		return lang.English, fromDefault
	case strings.HasPrefix(userID, "D"):
		u, ok := a.imUser(ctx, userID)
		if !ok {
			return lang.English, fromDefault
		}
		userID = u
	case !isUserID(userID):
		return a.channelLanguage(ctx, userID)
	}
	own, _, err := a.store.LanguageOf(ctx, langUser, userID)
	if err != nil {
		a.log.WarnContext(ctx, "language setting of user unreadable; using the Slack locale", "request_id", bot.RequestID(ctx), "user", userID, "err", err)
	}
	if own != "" {
		return lang.Parse(own), fromOwn
	}
	if l, ok := a.slackLocale(ctx, userID); ok {
		return l, fromSlack
	}
	return lang.English, fromDefault
}

// channelLanguage is a channel's language and where it came from.
func (a *App) channelLanguage(ctx context.Context, channelID string) (lang.Lang, langSource) {
	switch {
	case channelID == "":
		return lang.English, fromDefault
	case isUserID(channelID) || strings.HasPrefix(channelID, "D"):
		return a.userLanguage(ctx, channelID)
	}
	l, from, err := a.store.ChannelLanguage(ctx, channelID)
	switch {
	case err != nil:
		a.log.WarnContext(ctx, "language of channel unreadable; English", "request_id", bot.RequestID(ctx), "channel", channelID, "err", err)
		return lang.English, fromDefault
	case from == langChannel:
		return lang.Parse(l), fromOwn
	case from != "" && l != "":
		return lang.Parse(l), fromProvider
	}
	return lang.English, fromDefault
}

// slackLocale is the language of a person's Slack locale (users.info with
// include_locale), cached; ok is false when Slack could not say (the
// failure logged) or said a language leaseline does not speak: English.
func (a *App) slackLocale(ctx context.Context, userID string) (lang.Lang, bool) {
	now := a.cfg.Now()
	if v, ok := a.locales.get("u:"+userID, now); ok {
		return lang.Known(v)
	}
	// Bounded: a reply may be waiting for it within Slack's 3 s ack.
	lctx, cancel := context.WithTimeout(ctx, localeWait)
	defer cancel()
	u, err := a.slack.GetUserInfoContext(lctx, userID, slack.GetUserInfoOptionIncludeLocale(true))
	if err != nil || u == nil {
		a.log.WarnContext(ctx, "Slack locale of user unreadable; English", "request_id", bot.RequestID(ctx), "user", userID, "err", err)
		a.locales.put("u:"+userID, "", now, localeFailTTL)
		return lang.English, false
	}
	a.locales.put("u:"+userID, u.Locale, now, localeTTL)
	return lang.Known(u.Locale)
}

// imUser is the person of the bot's DM channel (conversations.info),
// cached.
func (a *App) imUser(ctx context.Context, channelID string) (string, bool) {
	now := a.cfg.Now()
	if v, ok := a.locales.get("d:"+channelID, now); ok {
		return v, v != ""
	}
	lctx, cancel := context.WithTimeout(ctx, localeWait)
	defer cancel()
	ch, err := a.slack.GetConversationInfoContext(lctx, &slack.GetConversationInfoInput{ChannelID: channelID})
	if err != nil || ch == nil || !ch.IsIM || !isUserID(ch.User) {
		a.log.WarnContext(ctx, "user of DM channel unknown; English", "request_id", bot.RequestID(ctx), "channel", channelID, "err", err)
		a.locales.put("d:"+channelID, "", now, localeFailTTL)
		return "", false
	}
	a.locales.put("d:"+channelID, ch.User, now, imUserTTL)
	return ch.User, true
}

// localeCache is a bounded map with per-entry expiry, safe for concurrent
// use; the zero value is ready.
type localeCache struct {
	mu sync.Mutex
	m  map[string]localeEntry
}

type localeEntry struct {
	val     string
	expires time.Time
}

func (c *localeCache) get(key string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || !now.Before(e.expires) {
		return "", false
	}
	return e.val, true
}

// put keeps val for ttl. When full, expired entries go first, then
// arbitrary ones: the cache never grows past localeMax.
func (c *localeCache) put(key, val string, now time.Time, ttl time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string]localeEntry)
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= localeMax {
		for k, e := range c.m {
			if !now.Before(e.expires) {
				delete(c.m, k)
			}
		}
		// Still full: a tenth goes at once, so the next puts do not
		// sweep again.
		for k := range c.m {
			if len(c.m) < localeMax*9/10 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[key] = localeEntry{val: val, expires: now.Add(ttl)}
}
