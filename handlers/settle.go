package handlers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// Settling cards (see models.Card): once a step has passed, every earlier
// message about the connection that still offers a button for it is
// updated in place: the buttons no longer offered removed, what happened
// since said instead of the call to act, the status line brought up to
// date. The delivery worker calls SettleCards for a settle notice, after
// the commit of the change; a stale button a race left behind still
// answers "Already … by …" and changes nothing (press.go).

// Cards keeps the messages posted about connections.
type Cards interface {
	OpenCards(ctx context.Context, connectionID int64) ([]models.Card, error)
	CardSettled(ctx context.Context, id int64, buttons []string, at time.Time) error
	CardReplaced(ctx context.Context, channel, ts string, buttons []string, at time.Time) error
}

// offeredStill reports whether a card read by to may still offer the
// button actionID on the connection of d. A lifecycle button is offered
// while the lifecycle table allows its action to the reader's role;
// other buttons say so in cardButtonRules; a button neither knows is kept.
func offeredStill(actionID string, d *models.Detail, to recipient) bool {
	for _, b := range actionButtons {
		if b.actionID == actionID {
			_, err := models.Lookup(b.action, d.Connection.Status, d.Connection.Step, to.role())
			return err == nil
		}
	}
	if rule, ok := cardButtonRules[actionID]; ok {
		return rule(d, to)
	}
	return true
}

// cardButtonRules say when the buttons that are not lifecycle actions are
// still offered on a card: a new kind of card registers its own buttons
// here and is settled like every other.
var cardButtonRules = map[string]func(d *models.Detail, to recipient) bool{
	actBookVisit:       canBookVisit,
	actRescheduleVisit: canRescheduleVisit,
	actCancelVisit:     canCancelVisit,
	actVisitorsArrived: canCheckIn,
	actBandwidthOK:     bandwidthPending,
	actBandwidthNo:     bandwidthPending,
}

// audienceRecipient is the recipient of a card's audience.
func audienceRecipient(aud string) recipient {
	switch aud {
	case models.AudienceStaff:
		return toStaff
	case models.AudienceProvider:
		return toProvider
	case models.AudienceReception:
		return toReception
	}
	return toCustomer
}

// SettleCards updates in place every card of n's connection that offers a
// button no longer offered. A message Slack no longer has (deleted, too old
// to edit) is settled as it is.
func (a *App) SettleCards(ctx context.Context, n models.Notice) error {
	if n.ConnectionID == nil {
		return nil
	}
	cards, err := a.store.OpenCards(ctx, *n.ConnectionID)
	if err != nil || len(cards) == 0 {
		return err
	}
	d, err := a.store.Detail(ctx, models.SystemActor(), *n.ConnectionID)
	if err != nil {
		return fmt.Errorf("settle cards of connection %d: %w", *n.ConnectionID, err)
	}
	var errs []error
	for _, c := range cards {
		if err := a.settleCard(ctx, c, d); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *App) settleCard(ctx context.Context, c models.Card, d *models.Detail) error {
	to := audienceRecipient(c.Audience)
	carried := strings.Fields(c.Buttons)
	still := slices.DeleteFunc(slices.Clone(carried), func(id string) bool { return !offeredStill(id, d, to) })
	if len(still) == len(carried) {
		return nil
	}
	r := &noticeRender{n: c.Notice, d: d, to: to, account: d.Account.Name, settled: true, offered: still, p: a.noticePrinter(ctx, c.Notice.Channel, to)}
	blocks, text, err := a.renderKind(ctx, r)
	if err != nil {
		return fmt.Errorf("settle card %d (%s): %w", c.ID, c.Kind, err)
	}
	blocks = capBlocks(r.p, blocks, maxMessageBlocks)
	channel := c.Channel
	if strings.HasPrefix(channel, "U") || strings.HasPrefix(channel, "W") {
		// Posted to a user: the message is in the bot's DM with them.
		ch, _, _, err := a.slack.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{channel}})
		if err != nil {
			return fmt.Errorf("open the DM of card %d: %w", c.ID, err)
		}
		channel = ch.ID
	}
	_, _, _, err = a.slack.UpdateMessageContext(ctx, channel, c.TS, slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionText(truncate(text, 300), false))
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && gone(se.Err) {
		a.log.WarnContext(ctx, "card no longer editable; settled as it is", "card", c.ID, "channel", c.Channel, "err", err)
		still, err = nil, nil
	}
	if err != nil {
		return fmt.Errorf("update card %d in %s: %w", c.ID, c.Channel, err)
	}
	if a.cfg.CardUpdated != nil {
		a.cfg.CardUpdated(c, blocks)
	}
	return a.store.CardSettled(ctx, c.ID, still, a.cfg.Now())
}

// gone reports whether Slack's error says a message cannot be edited ever.
func gone(code string) bool {
	switch code {
	case "message_not_found", "cant_update_message", "edit_window_closed", "channel_not_found", "is_archived":
		return true
	}
	return false
}

// sinceLine says what happened to the connection last, in place of a
// settled card's call to act.
func sinceLine(p lang.Printer, d *models.Detail) string {
	ev := lastEvent(d, func(ev models.AuditEvent) bool { return ev.Action != "" })
	if ev == nil {
		return p.T("cards.since_now", lang.Args{"Status": statusWord(p, d.Connection.Status)})
	}
	if ev.Action == models.ActionExpire {
		return p.T("cards.since_expired", lang.Args{"When": regionWhen(p, ev.At, d)})
	}
	return p.T("cards.since_then", lang.Args{"Action": pastTense(p, ev.Action), "Who": mention(ev.Actor), "When": regionWhen(p, ev.At, d)})
}

// reviewHeader is the review message's header: "Application #N to review"
// while it waits, then who decided it and when ("Application #N — Approved
// by @x, <time>"), in a section so that the mention shows as a name.
func reviewHeader(p lang.Printer, d *models.Detail) slack.Block {
	c := &d.Connection
	ref := models.ApplicationRef(c.ID)
	ev := lastEvent(d, func(ev models.AuditEvent) bool {
		return ev.FromStatus == models.StatusApplying && ev.ToStatus != models.StatusApplying
	})
	if c.Status == models.StatusApplying || ev == nil {
		return slack.NewHeaderBlock(plain(p.T("cards.review_title", lang.Args{"Ref": ref})))
	}
	return slack.NewSectionBlock(md(p.T("cards.review_decided", lang.Args{"Ref": ref, "Status": statusWord(p, ev.ToStatus), "Who": mention(ev.Actor), "When": regionWhen(p, ev.At, d)})), nil, nil)
}

// buttonIDs lists the action IDs of the buttons of blocks.
func buttonIDs(blocks []slack.Block) []string {
	var out []string
	for _, b := range blocks {
		ab, ok := b.(*slack.ActionBlock)
		if !ok || ab.Elements == nil {
			continue
		}
		for _, el := range ab.Elements.ElementSet {
			if btn, ok := el.(*slack.ButtonBlockElement); ok {
				out = append(out, btn.ActionID)
			}
		}
	}
	return out
}
