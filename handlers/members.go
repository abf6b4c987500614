package handlers

// Who is a user of a customer account: the people staff added (`adduser`)
// and every member of a channel linked to it. Members are read from Slack
// (conversations.members, paged), kept in the database for a few minutes
// and kept current by member_joined_channel and member_left_channel: who
// leaves every linked channel loses access at once.

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/leaseline/leaseline/bot"
	"github.com/leaseline/leaseline/models"
)

// membersFresh is how long a linked channel's member list read from Slack
// is trusted before it is read again (events keep it current meanwhile).
const membersFresh = 5 * time.Minute

// errNoAccountHere is models.ErrNoAccount outside a linked channel: in a
// DM or App Home, where linking "this channel" means nothing.
var errNoAccountHere = fmt.Errorf("%w here", models.ErrNoAccount)

// inChannel reports whether a request came from a channel (not a DM, not
// App Home).
func inChannel(channelID string) bool {
	return channelID != "" && !strings.HasPrefix(channelID, "D")
}

// customerActor resolves a customer: in a linked channel, its account;
// elsewhere every account the user belongs to (AccountID the first by
// name), else the account of the user's Slack team.
func (a *App) customerActor(ctx context.Context, teamID, channelID, userID string) (models.Actor, error) {
	if channelID != "" {
		id, err := a.store.ResolveCustomer(ctx, "", channelID, "")
		switch {
		case err == nil:
			return models.Actor{UserID: userID, Role: models.RoleCustomer, AccountID: id}, nil
		case !isNoAccount(err):
			return models.Actor{UserID: userID}, err
		}
	}
	ids, err := a.memberAccounts(ctx, userID)
	if err != nil {
		return models.Actor{UserID: userID}, err
	}
	if len(ids) > 0 {
		actor := models.Actor{UserID: userID, Role: models.RoleCustomer, AccountID: ids[0]}
		if len(ids) > 1 {
			actor.AccountIDs = ids
		}
		return actor, nil
	}
	id, err := a.store.ResolveCustomer(ctx, teamID, "", "")
	switch {
	case err == nil:
		return models.Actor{UserID: userID, Role: models.RoleCustomer, AccountID: id}, nil
	case isNoAccount(err) && !inChannel(channelID):
		return models.Actor{UserID: userID}, errNoAccountHere
	}
	return models.Actor{UserID: userID}, err
}

// memberAccounts lists the accounts userID belongs to, after reading again
// from Slack the member lists of linked channels not read for a while. A
// channel Slack will not list (the bot was removed) keeps what was known.
func (a *App) memberAccounts(ctx context.Context, userID string) ([]int64, error) {
	stale, err := a.store.StaleMemberChannels(ctx, a.cfg.Now().Add(-membersFresh))
	if err != nil {
		return nil, err
	}
	// A form's submission resolves its actor within the 3-second ack:
	// reading Slack never takes more than a second of it; what could not
	// be read keeps what was known.
	rctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	for _, ch := range stale {
		members, err := a.channelMembers(rctx, ch)
		if err != nil {
			a.log.WarnContext(ctx, "members of a linked channel not read", "request_id", bot.RequestID(ctx), "channel", ch, "err", err)
			continue
		}
		if err := a.store.SetChannelMembers(ctx, ch, members, a.cfg.Now()); err != nil {
			return nil, err
		}
	}
	return a.store.UserAccounts(ctx, userID)
}

// channelMembers reads every member of a channel, page by page.
func (a *App) channelMembers(ctx context.Context, channel string) ([]string, error) {
	var all []string
	cursor := ""
	for page := 0; page < 1000; page++ {
		members, next, err := a.slack.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("conversations.members %s: %w", channel, err)
		}
		all = append(all, members...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
	return nil, errors.New("conversations.members " + channel + ": too many pages")
}

// memberChanged records a member_joined_channel or member_left_channel of
// a linked channel.
func (a *App) memberChanged(ctx context.Context, channel, user string, joined bool) {
	if channel == "" || user == "" {
		return
	}
	if err := a.store.ChannelMemberChanged(ctx, channel, user, joined); err != nil {
		a.log.WarnContext(ctx, "record channel member change", "channel", channel, "user", user, "joined", joined, "err", err)
	}
}

// memberLeft: who leaves a linked channel is no longer a user of its
// account through it.
func (a *App) memberLeft(_ context.Context, req bot.Request) (any, func(context.Context)) {
	if req.Event == nil {
		return nil, nil
	}
	var channel, user string
	switch ev := req.Event.InnerEvent.Data.(type) {
	case *slackevents.MemberLeftChannelEvent:
		channel, user = ev.Channel, ev.User
	case slackevents.MemberLeftChannelEvent:
		channel, user = ev.Channel, ev.User
	}
	if channel == "" || user == "" {
		return nil, nil
	}
	return nil, func(ctx context.Context) { a.memberChanged(ctx, channel, user, false) }
}
