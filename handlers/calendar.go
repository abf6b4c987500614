package handlers

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// `/leaseline calendar-link provider ID`, `calendar-link access-point ID`
// and `calendar-link revoke TOKEN|ID` (staff): a subscription URL to the
// iCalendar feed of a provider's IDC visits or of the visits at an access
// point (calendarfeed.go serves it). The URL holds a long random token,
// shown once in the ephemeral reply and stored only hashed.

// CalendarLinks is what the calendar links need of the store.
type CalendarLinks interface {
	CreateCalendarLink(ctx context.Context, actor models.Actor, kind models.CalendarLinkKind, subjectID string) (*models.CalendarLink, string, error)
	RevokeCalendarLink(ctx context.Context, actor models.Actor, ref string) (*models.CalendarLink, bool, error)
	CalendarFeeds
}

// cmdCalendarLink is `/leaseline calendar-link …`.
func (a *App) cmdCalendarLink(ctx context.Context, cmd *slack.SlashCommand, rest string) {
	actor, ok := a.staffActor(ctx, cmd)
	if !ok {
		return
	}
	p := a.forUser(ctx, cmd.UserID)
	kind, ref := splitWord(rest)
	switch strings.ToLower(kind) {
	case "provider":
		if ref == "" {
			break
		}
		a.createCalendarLink(ctx, cmd, p, actor, models.CalendarOfProvider, ref)
		return
	case "access-point", "accesspoint", "ap":
		if ref == "" {
			break
		}
		a.createCalendarLink(ctx, cmd, p, actor, models.CalendarOfAccessPoint, ref)
		return
	case "revoke":
		if ref == "" {
			break
		}
		token, _ := splitWord(ref)
		a.revokeCalendarLink(ctx, cmd, p, actor, token)
		return
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":information_source: "+p.T("calendar.usage"))
}

// createCalendarLink creates a link and shows its URL, once.
func (a *App) createCalendarLink(ctx context.Context, cmd *slack.SlashCommand, p lang.Printer, actor models.Actor, kind models.CalendarLinkKind, ref string) {
	subject, name, err := a.calendarSubject(ctx, kind, ref)
	if err != nil {
		a.calendarFail(ctx, cmd, p, err, ref)
		return
	}
	link, token, err := a.store.CreateCalendarLink(ctx, actor, kind, subject)
	if err != nil {
		a.calendarFail(ctx, cmd, p, err, ref)
		return
	}
	path := CalendarPath + token + ".ics"
	what := p.T("calendar.created_provider", lang.Args{"Name": esc(name)})
	if kind == models.CalendarOfAccessPoint {
		what = p.T("calendar.created_access_point", lang.Args{"Name": esc(name)})
	}
	blocks := []slack.Block{section(":calendar: " + what)}
	if base := strings.TrimRight(a.cfg.PublicURL, "/"); base != "" {
		blocks = append(blocks, section("```"+base+path+"```"))
	} else {
		blocks = append(blocks, section("```"+path+"```"),
			section(":warning: "+p.T("calendar.no_public_url")))
	}
	blocks = append(blocks,
		section(p.T("calendar.shown_once")),
		contextText(p.T("calendar.how_to_subscribe")),
		contextText(p.T("calendar.how_to_revoke", lang.Args{"ID": strconv.FormatInt(link.ID, 10)})),
	)
	a.replyBlocks(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, blocks)
}

// calendarSubject resolves what a link is for: a provider by ID or name,
// an access point by ID or name. It returns the subject's ID and name.
func (a *App) calendarSubject(ctx context.Context, kind models.CalendarLinkKind, ref string) (string, string, error) {
	if kind == models.CalendarOfAccessPoint {
		ap, err := a.findAccessPoint(ctx, ref)
		if err != nil {
			return "", "", err
		}
		return ap.ID, ap.Name, nil
	}
	ps, err := a.store.Providers(ctx)
	if err != nil {
		return "", "", err
	}
	for _, pr := range ps {
		if strings.EqualFold(pr.ID, ref) || strings.EqualFold(pr.Name, ref) {
			return pr.ID, pr.Name, nil
		}
	}
	return "", "", models.ErrNotFound
}

// revokeCalendarLink revokes a link by its token (or URL) or its ID.
func (a *App) revokeCalendarLink(ctx context.Context, cmd *slack.SlashCommand, p lang.Printer, actor models.Actor, ref string) {
	link, revoked, err := a.store.RevokeCalendarLink(ctx, actor, ref)
	if err != nil {
		a.calendarFail(ctx, cmd, p, err, "")
		return
	}
	args := lang.Args{"ID": strconv.FormatInt(link.ID, 10), "Kind": string(link.Kind), "Subject": esc(link.SubjectID)}
	msg := ":no_entry_sign: " + p.T("calendar.revoked", args)
	if !revoked {
		msg = ":information_source: " + p.T("calendar.revoked_already", args)
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, msg)
}

// calendarFail says what went wrong with a calendar link: an unknown
// subject or link by name, anything else as every command does.
func (a *App) calendarFail(ctx context.Context, cmd *slack.SlashCommand, p lang.Printer, err error, ref string) {
	if !errors.Is(err, models.ErrNotFound) {
		a.cmdFail(ctx, cmd, err)
		return
	}
	msg := p.T("calendar.unknown_link")
	if ref != "" {
		msg = p.T("calendar.unknown_subject", lang.Args{"Ref": esc(truncate(ref, 60))})
	}
	a.tell(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, ":warning: "+msg)
}
