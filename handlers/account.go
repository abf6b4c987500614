package handlers

// Staff commands that set customers up: link a channel to an account (and
// post the panel there), top up a prepaid balance, add a user.

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// parseSlackRef reads a channel or user reference as Slack sends it in
// command text ("<#C123|name>", "<@U123|name>") or as a bare ID; prefixes
// lists the allowed first letters of the ID.
func parseSlackRef(s, sigil, prefixes string) (string, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<"+sigil) && strings.HasSuffix(s, ">") {
		s = s[1+len(sigil) : len(s)-1]
		if i := strings.IndexByte(s, '|'); i >= 0 {
			s = s[:i]
		}
	}
	if len(s) < 3 || len(s) > 32 || !strings.ContainsRune(prefixes, rune(s[0])) {
		return "", false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return "", false
		}
	}
	return s, true
}

// parseAmount reads an amount of money such as "5000", "5,000" or
// "1234.50" into cents.
func parseAmount(s string) (int64, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	units, frac, hasFrac := strings.Cut(s, ".")
	if units == "" || len(units) > 10 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, false
	}
	u, err := strconv.ParseInt(units, 10, 64)
	if err != nil || u < 0 {
		return 0, false
	}
	var f int64
	if hasFrac {
		if f, err = strconv.ParseInt(frac, 10, 64); err != nil || f < 0 {
			return 0, false
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	cents := u*100 + f
	return cents, cents > 0
}

// staffActor returns the staff actor of a command, or tells the user that
// only staff may run it.
func (a *App) staffActor(ctx context.Context, cmd *slack.SlashCommand) (models.Actor, bool) {
	if staff, err := a.isStaff(ctx, cmd.UserID); err != nil || !staff {
		a.cmdFail(ctx, cmd, cmp.Or(err, errNotStaff))
		return models.Actor{}, false
	}
	return models.Actor{UserID: cmd.UserID, Role: models.RoleStaff}, true
}

// usage tells the user how a command is written.
func (a *App) usage(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, text string) {
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: "+p.T("account.usage", lang.Args{"Usage": text}))
}

// cmdLink is `link #channel customer NAME`: the account is created when
// missing, the channel linked, and the panel posted (or updated) there.
func (a *App) cmdLink(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, ok := a.staffActor(ctx, cmd)
	if !ok {
		return
	}
	p := a.forUser(ctx, cmd.UserID)
	chRef, rest := splitWord(rest)
	kind, name := splitWord(rest)
	channel, ok := parseSlackRef(chRef, "#", "CG")
	switch {
	case !ok:
		a.usage(ctx, p, cmd, p.T("account.link_usage_channel"))
		return
	case strings.EqualFold(kind, "provider"):
		a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: "+p.T("account.link_provider"))
		return
	case !strings.EqualFold(kind, "customer") || name == "":
		a.usage(ctx, p, cmd, p.T("account.link_usage"))
		return
	}
	name, chLang, hasLang := linkLanguage(name)
	acct, created, err := a.accountFor(ctx, actor, name)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	if err := a.store.LinkChannel(ctx, actor, channel, acct.ID); err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	langNote := ""
	if hasLang { // before the panel, which is in the channel's language
		langNote = a.setLinkLanguage(ctx, cmd, channel, chLang) + " "
	}
	args := lang.Args{"Channel": "<#" + channel + ">", "Account": esc(acct.Name)}
	msg := ":link: " + p.T("account.linked_existing", args) + " "
	if created {
		msg = ":link: " + p.T("account.linked_new", args) + " "
	}
	msg += langNote
	if err := a.linkPanel(ctx, channel, acct); err != nil {
		a.log.WarnContext(ctx, "post panel on link", "channel", channel, "err", err)
		msg += p.T("account.link_no_panel", lang.Args{"Error": esc(truncate(slackErrorCode(err), 80)), "Channel": "<#" + channel + ">"})
	} else {
		msg += p.T("account.link_panel_posted")
	}
	if created {
		msg += "\n" + p.T("account.link_top_up", args)
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, msg)
}

// accountFor finds the account named name, creating it when missing.
func (a *App) accountFor(ctx context.Context, actor models.Actor, name string) (*models.Account, bool, error) {
	acct, err := a.store.AccountByName(ctx, name)
	if err == nil {
		return acct, false, nil
	}
	if !isNotFound(err) {
		return nil, false, fmt.Errorf("find account: %w", err)
	}
	acct, err = a.store.CreateAccount(ctx, actor, name, "", "")
	if err != nil {
		return nil, false, err
	}
	return acct, true, nil
}

// linkPanel posts or updates the panel in a channel just linked.
func (a *App) linkPanel(ctx context.Context, channel string, acct *models.Account) error {
	chans, err := a.store.AccountChannels(ctx, acct.ID)
	if err != nil {
		return fmt.Errorf("load channels: %w", err)
	}
	link := models.AccountChannel{ChannelID: channel, AccountID: acct.ID}
	for _, ch := range chans {
		if ch.ChannelID == channel {
			link = ch
		}
	}
	sum, err := a.summarize(ctx, acct.ID)
	if err != nil {
		return err
	}
	return a.postPanel(ctx, link, acct, sum)
}

// slackErrorCode is the Slack error code of a Web API failure
// ("not_in_channel"), or a generic word.
func slackErrorCode(err error) string {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && se.Err != "" {
		return se.Err
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// cmdCredit is `credit NAME AMOUNT`: a top-up of the prepaid balance.
func (a *App) cmdCredit(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	a.credit(ctx, a.forUser(ctx, cmd.UserID), cmd, rest)
}

// credit is cmdCredit answering in p's language.
func (a *App) credit(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, rest string) {
	actor, ok := a.staffActor(ctx, cmd)
	if !ok {
		return
	}
	i := strings.LastIndexAny(rest, " \t")
	if i < 0 {
		a.usage(ctx, p, cmd, p.T("account.credit_usage"))
		return
	}
	name, amount := strings.TrimSpace(rest[:i]), rest[i+1:]
	cents, ok := parseAmount(amount)
	if !ok || name == "" {
		a.usage(ctx, p, cmd, p.T("account.credit_usage")+" "+p.T("account.credit_amount_rule"))
		return
	}
	acct, err := a.store.AccountByName(ctx, name)
	if err != nil {
		a.tellNoAccount(ctx, p, cmd, name, err)
		return
	}
	if err := a.store.Credit(ctx, actor, acct.ID, cents, "top-up by "+cmd.UserID); err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	bal, err := a.store.Balance(ctx, acct.ID)
	if err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":moneybag: "+p.T("account.credited", lang.Args{
		"Amount": p.Money(cents, acct.Currency), "Account": esc(acct.Name), "Balance": p.Money(bal, acct.Currency)}))
}

// tellNoAccount says that no account has the name typed.
func (a *App) tellNoAccount(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, name string, err error) {
	if !isNotFound(err) {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: "+p.T("account.no_such_account", lang.Args{"Account": esc(truncate(name, 64))}))
}

// cmdAddUser is `adduser @user NAME`.
func (a *App) cmdAddUser(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	a.addUser(ctx, a.forUser(ctx, cmd.UserID), cmd, rest)
}

// addUser is cmdAddUser answering in p's language.
func (a *App) addUser(ctx context.Context, p lang.Printer, cmd *slack.SlashCommand, rest string) {
	actor, ok := a.staffActor(ctx, cmd)
	if !ok {
		return
	}
	ref, name := splitWord(rest)
	user, ok := parseSlackRef(ref, "@", "UW")
	if !ok || name == "" {
		a.usage(ctx, p, cmd, p.T("account.adduser_usage"))
		return
	}
	acct, err := a.store.AccountByName(ctx, name)
	if err != nil {
		a.tellNoAccount(ctx, p, cmd, name, err)
		return
	}
	if err := a.store.AddAccountUser(ctx, actor, user, acct.ID); err != nil {
		a.cmdFail(ctx, cmd, err)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":bust_in_silhouette: "+p.T("account.user_added", lang.Args{"User": mention(user), "Account": esc(acct.Name)}))
}
