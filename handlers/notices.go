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
	r.p = a.noticePrinter(ctx, n.Channel, r.to)
	blocks, text, err := a.renderKind(ctx, r)
	if err != nil {
		return nil, nil, fmt.Errorf("render notice %d (%s): %w", n.ID, n.Kind, err)
	}
	blocks = capBlocks(blocks, maxMessageBlocks)
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
	if r.d == nil || r.to == toReception {
		return nil
	}
	var els []slack.BlockElement
	for _, el := range nextButtons(r.p, &r.d.Connection, r.to.role()) {
		if b, ok := el.(*slack.ButtonBlockElement); ok && (len(only) > 0 && !slices.Contains(only, b.ActionID) ||
			r.settled && !slices.Contains(r.offered, b.ActionID)) {
			continue
		}
		els = append(els, el)
	}
	if r.to == toStaff && len(only) == 0 {
		for _, el := range visitButtons(r.d) {
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
		blocks := a.reviewBlocks(ctx, d)
		blocks = append(blocks, r.buttons(actApprove, actReject)...)
		return blocks, fmt.Sprintf("Application %s to review", models.ApplicationRef(c.ID)), nil

	case models.NoticeApproved:
		title = "Approved: pay for your connection"
		intro = fmt.Sprintf("Application *%s* was approved%s. *Pay for Connection* to get a port and a physical connection ID: *%s* from your prepaid balance.",
			models.ApplicationRef(c.ID), byAt(p, lastAction(d, models.ActionApprove), d), models.FormatMoney(c.AmountCents, c.Currency))
		if bal, err := a.store.Balance(ctx, c.AccountID); err == nil {
			intro += fmt.Sprintf(" Your balance is *%s*.", models.FormatMoney(bal, c.Currency))
		}

	case models.NoticeRejected:
		title = "Application rejected"
		intro = fmt.Sprintf("Application *%s* was rejected%s. *Edit and Resubmit* opens it with what you gave; fix what the reason asks for and it is reviewed again.", models.ApplicationRef(c.ID), byAt(p, lastAction(d, models.ActionReject), d))
		body = labelled("Reason", c.Reason)

	case models.NoticeCanceled:
		title = "Application canceled"
		ev := lastEvent(d, func(ev models.AuditEvent) bool {
			return ev.Action == models.ActionCancel || ev.Action == models.ActionExpire
		})
		intro = fmt.Sprintf("*%s* was canceled%s.", ref, byAt(p, ev, d))
		if ev != nil && ev.Action == models.ActionExpire {
			intro = fmt.Sprintf("*%s* was canceled by leaseline at %s: it was not paid in time.", ref, regionWhen(p, ev.At, d))
		}
		body = labelled("Reason", c.Reason)

	case models.NoticePaid:
		title = "Paid: your port is allocated"
		intro = fmt.Sprintf("%s paid *%s*%s. Physical connection ID `%s`; port *%s* on device *%s* at %s. Next, *Notify Provider* sends the port information to %s.",
			who(lastAction(d, models.ActionPay), "The customer"), models.FormatMoney(c.AmountCents, c.Currency), at(p, lastAction(d, models.ActionPay), d),
			pcID(c), esc(c.PortName), esc(c.DeviceID), esc(d.AccessPoint.Name), esc(providerName(d)))

	case models.NoticeNoFreePort:
		title = "Payment refused: no free port"
		intro = fmt.Sprintf("Application *%s* could not be paid: no free *%s* port is left at %s (%s). Nothing was charged and it stays *%s*. Add ports to the catalog, then ask the customer to pay again.",
			models.ApplicationRef(c.ID), c.PortType, esc(d.AccessPoint.Name), esc(d.AccessPoint.ID), c.Status)

	case models.NoticePortInfo:
		title = "Port information: a new leased line"
		intro = fmt.Sprintf("The customer asks %s to build a leased line to the cloud access point below. Survey the resources, then press *Submit Survey* with the engineers who will go to the IDC and their arrival time.", esc(providerName(d)))
		body = portBlocks(r.p, d)
		card = false

	case models.NoticeSurveyReceived:
		title = "Survey received: submit the construction ticket"
		ev := lastAction(d, models.ActionSubmitSurvey)
		intro = fmt.Sprintf("%s submitted the survey for %s%s. *Submit Ticket* tells the operator's after-sales about the line; they book the IDC visit on the next workday.",
			who(ev, "The service provider"), esc(providerName(d)), at(p, ev, d))
		body = surveyBlocks(p, d.Survey, d)

	case models.NoticeTicketSubmitted:
		title = "Construction ticket"
		tid := noticeData[models.TicketNoticeData](n).TicketID
		if d.Ticket != nil {
			tid = d.Ticket.ID
		}
		if tid > 0 {
			title = fmt.Sprintf("Construction ticket #%d", tid)
		}
		ev := lastAction(d, models.ActionSubmitTicket)
		intro = fmt.Sprintf("%s submitted a construction ticket for `%s`%s. leaseline books the IDC visit on the next workday and tells the customer and the provider.",
			who(ev, "The customer"), pcID(c), at(p, ev, d))
		if d.Ticket != nil {
			body = append(body, labelled("Note from the customer", d.Ticket.Text)...)
		}
		body = append(body, surveyBlocks(p, d.Survey, d)...)

	case models.NoticeVisitScheduled, models.NoticeVisitChanged, models.NoticeVisitReminder:
		v := visitOf(noticeData[models.VisitNoticeData](n), d)
		title, intro = v.headline(n.Kind, r.to, d)
		if t, i, ok := removalVisitHeadline(n, r.to, d, v); ok {
			title, intro = t, i
		}
		intro += v.plannedNote(n.Kind, r.to)
		body = v.blocks(n.Kind)

	case models.NoticeConstructionComplete:
		title = "Construction complete: please confirm"
		ev := lastAction(d, models.ActionCompleteConstruction)
		intro = fmt.Sprintf("%s reported the construction of `%s` by %s done%s. Check the line, then press *Confirm*: the status becomes *Enabled*.",
			who(ev, "The service provider"), pcID(c), esc(providerName(d)), at(p, ev, d))
		body = factBlocks([]fact{{label: "Line code", value: c.LineCode}, {label: "Line label", value: c.LineLabel}})

	case models.NoticeEnabled:
		title = "Enabled: leased line access is complete"
		ev := lastAction(d, models.ActionConfirm)
		intro = fmt.Sprintf("`%s` is *Enabled*: %s confirmed the connection%s. Leased line access is complete.", pcID(c), who(ev, "the customer"), at(p, ev, d))
		body = factBlocks([]fact{{label: "Line code", value: c.LineCode}, {label: "Line label", value: c.LineLabel}})

	case models.NoticeReviewOverdue:
		return a.renderReviewOverdue(ctx, r)

	case models.NoticeReminder:
		title, intro = reminderText(c, noticeData[models.ReminderData](n))

	case models.NoticeDeliveryFailed:
		title = "A message could not be delivered"
		intro = deliveryFailedText(noticeData[models.DeliveryFailedData](n))

	case models.NoticeTerminating, models.NoticeTerminated, models.NoticeTerminationCanceled, models.NoticePartnerTerminated:
		title, intro, body, _ = terminationNotice(r)

	case models.NoticeBandwidthRequested, models.NoticeBandwidthChanged, models.NoticeBandwidthRejected, models.NoticeBandwidthShort:
		var buttons []slack.Block
		title, intro, body, buttons, _ = bandwidthNotice(r)
		body = append(body, buttons...)

	default:
		title = "Update on your connection"
		intro = fmt.Sprintf("Something happened to *%s*.", ref)
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
