package handlers

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/handlers/lang"
	"github.com/leaseline/leaseline/models"
)

// RenderNotice renders a notice as the message its recipient reads: what
// happened, the connection's status and who must act next, and the buttons
// of the recipient's next step (derived from the lifecycle table), with a
// notification text that carries no typed text. The recipient's role is
// read from the notice's channel: the staff channel is staff, the
// provider's channel the provider, the reception person's DM reception,
// anything else the customer. A notice's Data is read as the type its
// writer wrote (models' notice data types); what is missing or does not fit
// is left out, and the connection's own data shows instead, never an error.
//
// Text users typed (names, locations, reasons, notes, personnel) is shown
// as plain text, exactly as typed; ID document numbers only masked.
func (a *App) RenderNotice(ctx context.Context, n models.Notice) ([]slack.MsgOption, error) {
	opts, _, err := a.RenderCard(ctx, n)
	return opts, err
}

// RenderCard is RenderNotice also returning the action IDs of the
// message's buttons, which the delivery records with the card (settle.go).
func (a *App) RenderCard(ctx context.Context, n models.Notice) ([]slack.MsgOption, []string, error) {
	return a.renderCard(ctx, n, nil)
}

// renderCard is RenderCard in the language of p, or in the recipient's
// when p is nil.
func (a *App) renderCard(ctx context.Context, n models.Notice, p *lang.Printer) ([]slack.MsgOption, []string, error) {
	r := &noticeRender{n: n}
	if n.ConnectionID != nil {
		d, err := a.store.Detail(ctx, models.SystemActor(), *n.ConnectionID)
		if err != nil {
			return nil, nil, fmt.Errorf("render notice %d (%s): load connection %d: %w", n.ID, n.Kind, *n.ConnectionID, err)
		}
		r.d = d
		r.account = d.Account.Name
	}
	r.to = a.recipientOf(n, r.d)
	if p != nil {
		r.p = *p
	} else {
		r.p = a.noticePrinter(ctx, n.Channel, r.to)
	}
	blocks, text, err := a.renderKind(ctx, r)
	if err != nil {
		return nil, nil, fmt.Errorf("render notice %d (%s): %w", n.ID, n.Kind, err)
	}
	blocks = capBlocks(r.p, blocks, maxMessageBlocks)
	opts := []slack.MsgOption{
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionText(truncate(text, 300), false),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if n.ThreadTS != "" {
		opts = append(opts, slack.MsgOptionTS(n.ThreadTS))
	}
	return opts, buttonIDs(blocks), nil
}

// recipient is who reads a notice.
type recipient int

const (
	toCustomer recipient = iota
	toStaff
	toProvider
	toReception
)

// role is the lifecycle role whose buttons the recipient gets ("" for
// reception, who gets none).
func (r recipient) role() models.Role {
	switch r {
	case toStaff:
		return models.RoleStaff
	case toProvider:
		return models.RoleProvider
	case toReception:
		return ""
	}
	return models.RoleCustomer
}

func (a *App) recipientOf(n models.Notice, d *models.Detail) recipient {
	switch {
	case n.Channel != "" && n.Channel == a.cfg.StaffChannel:
		return toStaff
	case d != nil && d.Provider.SlackChannel != "" && n.Channel == d.Provider.SlackChannel:
		return toProvider
	case d != nil && d.Reception != nil && d.Reception.SlackUserID != "" && n.Channel == d.Reception.SlackUserID,
		n.Channel != "" && noticeData[models.VisitNoticeData](n).ReceptionUser == n.Channel:
		return toReception
	case n.Kind == models.NoticeVisitReminder:
		// Reminders go to the provider and the reception person only.
		return toReception
	}
	return toCustomer
}

// noticeRender is one notice being rendered.
type noticeRender struct {
	n       models.Notice
	d       *models.Detail // nil for a notice about no connection
	to      recipient
	account string
	// settled: the notice is shown again to settle its card (see
	// settle.go): what happened since instead of the call to act, and
	// only the buttons of offered (its buttons still offered).
	settled bool
	offered []string
	// p speaks the recipient's language.
	p lang.Printer
}

// buttons are the recipient's next step on the connection, as the
// lifecycle table has them now (a notice delivered late never offers a
// step already taken).
func (r *noticeRender) buttons(only ...string) []slack.Block {
	if r.d == nil {
		return nil
	}
	var els []slack.BlockElement
	var next []slack.BlockElement
	if r.to != toReception { // reception acts only on its visits (below)
		next = nextButtons(r.p, &r.d.Connection, r.to.role())
	}
	for _, el := range next {
		if b, ok := el.(*slack.ButtonBlockElement); ok && (len(only) > 0 && !slices.Contains(only, b.ActionID) ||
			r.settled && !slices.Contains(r.offered, b.ActionID)) {
			continue
		}
		els = append(els, el)
	}
	if (r.to == toStaff || r.to == toReception) && len(only) == 0 {
		visit := checkinButtons(r) // Visitors Arrived (checkin.go)
		if r.to == toStaff {
			visit = append(visit, visitButtons(r.p, r.d)...)
		}
		for _, el := range visit {
			if b, ok := el.(*slack.ButtonBlockElement); ok && r.settled && !slices.Contains(r.offered, b.ActionID) {
				continue
			}
			els = append(els, el)
		}
	}
	if len(els) == 0 {
		return nil
	}
	id := cardBlockID(r.d.Connection.ID)
	if len(only) > 0 {
		id = reviewBlockID(r.d.Connection.ID)
	}
	return []slack.Block{slack.NewActionBlock(id, els...)}
}

// renderKind builds the blocks and the notification text of r's kind.
func (a *App) renderKind(ctx context.Context, r *noticeRender) ([]slack.Block, string, error) {
	p := r.p
	n, d := r.n, r.d
	if d == nil && n.Kind == models.NoticeLowPorts {
		return renderLowPorts(p, n)
	}
	if d == nil {
		return a.renderTicketNotice(ctx, r)
	}
	c := &d.Connection
	ref := c.DisplayID()
	var (
		title string
		intro string
		body  []slack.Block
	)
	card := true
	switch n.Kind {
	case models.NoticeReviewRequest:
		blocks := a.reviewBlocks(ctx, p, d)
		blocks = append(blocks, r.buttons(actApprove, actReject)...)
		return blocks, p.T("cards.review_title", lang.Args{"Ref": models.ApplicationRef(c.ID)}), nil

	case models.NoticeApproved:
		title = p.T("notices.approved_title")
		intro = p.T("notices.approved_intro", lang.Args{"Ref": models.ApplicationRef(c.ID),
			"ByAt": byAt(p, lastAction(d, models.ActionApprove), d), "Amount": p.Money(c.AmountCents, c.Currency)})
		if bal, err := a.store.Balance(ctx, c.AccountID); err == nil {
			intro += p.T("notices.approved_balance", lang.Args{"Balance": p.Money(bal, c.Currency)})
		}

	case models.NoticeRejected:
		title = p.T("notices.rejected_title")
		intro = p.T("notices.rejected_intro", lang.Args{"Ref": models.ApplicationRef(c.ID), "ByAt": byAt(p, lastAction(d, models.ActionReject), d)})
		body = labelled(p.T("notices.reason"), c.Reason)

	case models.NoticeCanceled:
		title = p.T("notices.canceled_title")
		ev := lastEvent(d, func(ev models.AuditEvent) bool {
			return ev.Action == models.ActionCancel || ev.Action == models.ActionExpire
		})
		intro = p.T("notices.canceled_intro", lang.Args{"Ref": ref, "ByAt": byAt(p, ev, d)})
		if ev != nil && ev.Action == models.ActionExpire {
			intro = p.T("notices.canceled_expired", lang.Args{"Ref": ref, "When": regionWhen(p, ev.At, d)})
		}
		body = labelled(p.T("notices.reason"), c.Reason)

	case models.NoticePaid:
		title = p.T("notices.paid_title")
		intro = p.T("notices.paid_intro", lang.Args{
			"Who": who(lastAction(d, models.ActionPay), p.T("notices.the_customer")), "Amount": p.Money(c.AmountCents, c.Currency),
			"At": at(p, lastAction(d, models.ActionPay), d), "ID": pcID(c), "Port": esc(c.PortName), "Device": esc(c.DeviceID),
			"AccessPoint": esc(apName(p, d)), "Provider": esc(providerName(p, d))})

	case models.NoticeNoFreePort:
		title = p.T("notices.no_free_port_title")
		intro = p.T("notices.no_free_port_intro", lang.Args{"Ref": models.ApplicationRef(c.ID), "PortType": c.PortType,
			"AccessPoint": esc(apName(p, d)), "APID": esc(d.AccessPoint.ID), "Status": statusWord(p, c.Status)})

	case models.NoticePortInfo:
		title = p.T("notices.port_info_title")
		intro = p.T("notices.port_info_intro", lang.Args{"Provider": esc(providerName(p, d))})
		body = portBlocks(r.p, d)
		card = false

	case models.NoticeSurveyReceived:
		title = p.T("notices.survey_title")
		ev := lastAction(d, models.ActionSubmitSurvey)
		intro = p.T("notices.survey_intro", lang.Args{"Who": who(ev, p.T("notices.the_provider")), "Provider": esc(providerName(p, d)), "At": at(p, ev, d)})
		body = surveyBlocks(p, d.Survey, d)

	case models.NoticeTicketSubmitted:
		title = p.T("notices.ticket_title")
		tid := noticeData[models.TicketNoticeData](n).TicketID
		if d.Ticket != nil {
			tid = d.Ticket.ID
		}
		if tid > 0 {
			title = p.T("notices.ticket_title_id", lang.Args{"ID": tid})
		}
		ev := lastAction(d, models.ActionSubmitTicket)
		intro = p.T("notices.ticket_intro", lang.Args{"Who": who(ev, p.T("notices.the_customer")), "ID": pcID(c), "At": at(p, ev, d)})
		if d.Ticket != nil {
			body = append(body, labelled(p.T("notices.ticket_note"), d.Ticket.Text)...)
		}
		body = append(body, surveyBlocks(p, d.Survey, d)...)

	case models.NoticeVisitScheduled, models.NoticeVisitChanged, models.NoticeVisitReminder, models.NoticeVisitLetter:
		// visit_letter is uploaded as a PDF (RenderNoticeFile); as a
		// message it is the visit's card.
		v := visitOf(p, noticeData[models.VisitNoticeData](n), d)
		title, intro = v.headline(p, n.Kind, r.to, d)
		if t, i, ok := removalVisitHeadline(p, n, r.to, d, v); ok {
			title, intro = t, i
		}
		intro += v.plannedNote(p, n.Kind, r.to)
		body = v.blocks(p, n.Kind)

	case models.NoticeOnSite, models.NoticeVisitNoShow:
		title, intro, body = checkinNotice(r)

	case models.NoticeConstructionComplete:
		title = p.T("notices.complete_title")
		ev := lastAction(d, models.ActionCompleteConstruction)
		intro = p.T("notices.complete_intro", lang.Args{"Who": who(ev, p.T("notices.the_provider")), "ID": pcID(c),
			"Provider": esc(providerName(p, d)), "At": at(p, ev, d), "Enabled": statusWord(p, models.StatusEnabled)})
		body = factBlocks([]fact{{label: p.T("notices.line_code"), value: c.LineCode}, {label: p.T("notices.line_label"), value: c.LineLabel}})

	case models.NoticeEnabled:
		title = p.T("notices.enabled_title")
		ev := lastAction(d, models.ActionConfirm)
		intro = p.T("notices.enabled_intro", lang.Args{"ID": pcID(c), "Enabled": statusWord(p, models.StatusEnabled),
			"Who": who(ev, p.T("notices.the_customer_lower")), "At": at(p, ev, d)})
		body = factBlocks([]fact{{label: p.T("notices.line_code"), value: c.LineCode}, {label: p.T("notices.line_label"), value: c.LineLabel}})

	case models.NoticeReviewOverdue:
		return a.renderReviewOverdue(ctx, r)

	case models.NoticeReminder:
		title, intro = reminderText(p, c, noticeData[models.ReminderData](n))

	case models.NoticeDeliveryFailed:
		title = p.T("notices.delivery_failed_title")
		intro = deliveryFailedText(p, noticeData[models.DeliveryFailedData](n))

	case models.NoticeTerminating, models.NoticeTerminated, models.NoticeTerminationCanceled, models.NoticePartnerTerminated:
		title, intro, body, _ = terminationNotice(r)

	case models.NoticeBandwidthRequested, models.NoticeBandwidthChanged, models.NoticeBandwidthRejected, models.NoticeBandwidthShort:
		var buttons []slack.Block
		title, intro, body, buttons, _ = bandwidthNotice(r)
		body = append(body, buttons...)

	default:
		title = p.T("notices.update_title")
		intro = p.T("notices.update_intro", lang.Args{"Ref": ref})
	}

	if r.settled {
		intro = sinceLine(p, d)
	}
	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(md(intro), nil, nil)}
	blocks = append(blocks, body...)
	switch {
	case r.to == toReception:
		// Need to know: who comes, when, to which line's device and port;
		// never the customer's site, bandwidth, price or account.
		blocks = append(blocks, receptionBlocks(p, c)...)
	case card:
		blocks = append(blocks, cardBlocks(p, d, r.accountFor())...)
	default:
		blocks = append(blocks, slack.NewContextBlock("", md(statusLine(r.p, c))))
	}
	blocks = append(blocks, r.buttons()...)
	return blocks, fmt.Sprintf("%s · %s", title, ref), nil
}

// accountFor is the account name shown to the recipient: staff and
// providers need to know whose line it is; customers know.
func (r *noticeRender) accountFor() string {
	if r.to == toCustomer {
		return ""
	}
	return r.account
}

// noticeData reads a notice's Data as T, the type its writer wrote. Data
// that does not fit (missing, another shape, a field of another type)
// leaves what it cannot fill zero.
func noticeData[T any](n models.Notice) T {
	var v T
	_ = json.Unmarshal([]byte(n.Data), &v)
	return v
}
