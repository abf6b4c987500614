package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/leaseline/leaseline/models"
)

// RenderNotice renders a notice as the message its recipient reads: what
// happened, the connection's status and who must act next, and the buttons
// of the recipient's next step (derived from the lifecycle table), with a
// notification text that carries no typed text. The recipient's role is
// read from the notice's channel: the staff channel is staff, the
// provider's channel the provider, the reception person's DM reception,
// anything else the customer. Data the scheduler writes is read tolerantly:
// what is missing or unknown is left out, never an error.
//
// Text users typed (names, locations, reasons, notes, personnel) is shown
// as plain text, exactly as typed; ID document numbers only masked.
func (a *App) RenderNotice(ctx context.Context, n models.Notice) ([]slack.MsgOption, error) {
	r := &noticeRender{n: n, data: parseNoticeData(n.Data)}
	if n.ConnectionID != nil {
		d, err := a.store.Detail(ctx, models.SystemActor(), *n.ConnectionID)
		if err != nil {
			return nil, fmt.Errorf("render notice %d (%s): load connection %d: %w", n.ID, n.Kind, *n.ConnectionID, err)
		}
		r.d = d
		if acct, err := a.store.Account(ctx, d.Connection.AccountID); err == nil {
			r.account = acct.Name
		} else if !errors.Is(err, models.ErrNotFound) {
			return nil, fmt.Errorf("render notice %d (%s): load account: %w", n.ID, n.Kind, err)
		}
	}
	r.to = a.recipientOf(n, r.d, r.data)
	blocks, text, err := a.renderKind(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("render notice %d (%s): %w", n.ID, n.Kind, err)
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
	return opts, nil
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

func (a *App) recipientOf(n models.Notice, d *models.Detail, data noticeData) recipient {
	switch {
	case n.Channel != "" && n.Channel == a.cfg.StaffChannel:
		return toStaff
	case d != nil && d.Provider.SlackChannel != "" && n.Channel == d.Provider.SlackChannel:
		return toProvider
	case d != nil && d.Reception != nil && d.Reception.SlackUserID != "" && n.Channel == d.Reception.SlackUserID,
		data.str("reception_user", "reception.slack_user") == n.Channel && n.Channel != "":
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
	data    noticeData
	to      recipient
	account string
}

// buttons are the recipient's next step on the connection, as the
// lifecycle table has them now (a notice delivered late never offers a
// step already taken).
func (r *noticeRender) buttons(only ...string) []slack.Block {
	if r.d == nil || r.to == toReception {
		return nil
	}
	var els []slack.BlockElement
	for _, el := range nextButtons(&r.d.Connection, r.to.role()) {
		if b, ok := el.(*slack.ButtonBlockElement); ok && len(only) > 0 && !slices.Contains(only, b.ActionID) {
			continue
		}
		els = append(els, el)
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
	n, d := r.n, r.d
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
		blocks := a.reviewBlocks(ctx, d, r.account)
		blocks = append(blocks, r.buttons(actApprove, actReject)...)
		return blocks, fmt.Sprintf("Application %s to review", models.ApplicationRef(c.ID)), nil

	case models.NoticeApproved:
		title = "Approved: pay for your connection"
		intro = fmt.Sprintf("Application *%s* was approved%s. *Pay for Connection* to get a port and a physical connection ID: *%s* from your prepaid balance.",
			models.ApplicationRef(c.ID), byAt(lastAction(d, models.ActionApprove)), models.FormatMoney(c.AmountCents, c.Currency))
		if bal, err := a.store.Balance(ctx, c.AccountID); err == nil {
			intro += fmt.Sprintf(" Your balance is *%s*.", models.FormatMoney(bal, c.Currency))
		}

	case models.NoticeRejected:
		title = "Application rejected"
		intro = fmt.Sprintf("Application *%s* was rejected%s. You may apply again with what the reason asks for.", models.ApplicationRef(c.ID), byAt(lastAction(d, models.ActionReject)))
		body = labelled("Reason", c.Reason)

	case models.NoticeCanceled:
		title = "Application canceled"
		ev := lastEvent(d, func(ev models.AuditEvent) bool {
			return ev.Action == models.ActionCancel || ev.Action == models.ActionExpire
		})
		intro = fmt.Sprintf("*%s* was canceled%s.", ref, byAt(ev))
		if ev != nil && ev.Action == models.ActionExpire {
			intro = fmt.Sprintf("*%s* was canceled by leaseline at %s: it was not paid in time.", ref, when(ev.At))
		}
		body = labelled("Reason", c.Reason)

	case models.NoticePaid:
		title = "Paid: your port is allocated"
		intro = fmt.Sprintf("%s paid *%s*%s. Physical connection ID `%s`; port *%s* on device *%s* at %s. Next, *Notify Provider* sends the port information to %s.",
			who(lastAction(d, models.ActionPay), "The customer"), models.FormatMoney(c.AmountCents, c.Currency), at(lastAction(d, models.ActionPay)),
			pcID(c), esc(c.PortName), esc(c.DeviceID), esc(d.AccessPoint.Name), esc(providerName(d)))

	case models.NoticeNoFreePort:
		title = "Payment refused: no free port"
		intro = fmt.Sprintf("Application *%s* could not be paid: no free *%s* port is left at %s (%s). Nothing was charged and it stays *%s*. Add ports to the catalog, then ask the customer to pay again.",
			models.ApplicationRef(c.ID), c.PortType, esc(d.AccessPoint.Name), esc(d.AccessPoint.ID), c.Status)

	case models.NoticePortInfo:
		title = "Port information: a new leased line"
		intro = fmt.Sprintf("The customer asks %s to build a leased line to the cloud access point below. Survey the resources, then press *Submit Survey* with the engineers who will go to the IDC and their arrival time.", esc(providerName(d)))
		body = portBlocks(d)
		card = false

	case models.NoticeSurveyReceived:
		title = "Survey received: submit the construction ticket"
		ev := lastAction(d, models.ActionSubmitSurvey)
		intro = fmt.Sprintf("%s submitted the survey for %s%s. *Submit Ticket* tells the operator's after-sales about the line; they book the IDC visit on the next workday.",
			who(ev, "The service provider"), esc(providerName(d)), at(ev))
		body = surveyBlocks(d.Survey)

	case models.NoticeTicketSubmitted:
		title = "Construction ticket"
		tid, _ := r.data.num("ticket_id")
		if d.Ticket != nil {
			tid = d.Ticket.ID
		}
		if tid > 0 {
			title = fmt.Sprintf("Construction ticket #%d", tid)
		}
		ev := lastAction(d, models.ActionSubmitTicket)
		intro = fmt.Sprintf("%s submitted a construction ticket for `%s`%s. leaseline books the IDC visit on the next workday and tells the customer and the provider.",
			who(ev, "The customer"), pcID(c), at(ev))
		if d.Ticket != nil {
			body = append(body, labelled("Note from the customer", d.Ticket.Text)...)
		}
		body = append(body, surveyBlocks(d.Survey)...)

	case models.NoticeVisitScheduled, models.NoticeVisitChanged, models.NoticeVisitReminder:
		v := visitOf(r.data, d)
		title, intro = v.headline(n.Kind, r.to, d)
		body = v.blocks(n.Kind)

	case models.NoticeConstructionComplete:
		title = "Construction complete: please confirm"
		ev := lastAction(d, models.ActionCompleteConstruction)
		intro = fmt.Sprintf("%s reported the construction of `%s` by %s done%s. Check the line, then press *Confirm*: the status becomes *Enabled*.",
			who(ev, "The service provider"), pcID(c), esc(providerName(d)), at(ev))
		body = factBlocks([]fact{{label: "Line code", value: c.LineCode}, {label: "Line label", value: c.LineLabel}})

	case models.NoticeEnabled:
		title = "Enabled: leased line access is complete"
		ev := lastAction(d, models.ActionConfirm)
		intro = fmt.Sprintf("`%s` is *Enabled*: %s confirmed the connection%s. Leased line access is complete.", pcID(c), who(ev, "the customer"), at(ev))
		body = factBlocks([]fact{{label: "Line code", value: c.LineCode}, {label: "Line label", value: c.LineLabel}})

	case models.NoticeReviewOverdue:
		level, _ := r.data.num("level")
		days, _ := r.data.num("workdays")
		title = "Review overdue"
		if level >= 2 {
			title = "Review overdue: escalated"
		}
		applied := c.CreatedAt
		if t, ok := r.data.time("applied_at"); ok {
			applied = t
		}
		intro = fmt.Sprintf("Application *%s* has waited %s since %s; reviews normally complete on the next workday.",
			models.ApplicationRef(c.ID), plural(days, "workday"), when(applied))
		if who := escalation(r.data.str("escalate")); who != "" {
			intro = who + " " + intro
		}
		blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(vmd(intro), nil, nil)}
		blocks = append(blocks, a.reviewBlocks(ctx, d, r.account)...)
		blocks = append(blocks, r.buttons(actApprove, actReject)...)
		return blocks, fmt.Sprintf("%s: application %s", title, models.ApplicationRef(c.ID)), nil

	case models.NoticeReminder:
		days, _ := r.data.num("workdays")
		switch reason := r.data.str("reason"); {
		case reason == "unpaid" || reason == "" && c.Status == models.StatusApproved:
			amount := r.data.str("amount")
			if amount == "" {
				amount = models.FormatMoney(c.AmountCents, c.Currency)
			}
			title = "Reminder: pay for your connection"
			intro = fmt.Sprintf("Application *%s* was approved %s ago and waits for payment of *%s*.", models.ApplicationRef(c.ID), plural(days, "workday"), esc(amount))
			if exp := r.data.str("expires_on"); exp != "" {
				intro += fmt.Sprintf(" Unpaid, it is canceled on *%s*.", esc(exp))
			}
		default:
			title = "Reminder: confirm your connection"
			intro = fmt.Sprintf("The construction of `%s` was reported done %s ago. Check the line, then press *Confirm*.", pcID(c), plural(days, "workday"))
		}

	case models.NoticeDeliveryFailed:
		title = "A message could not be delivered"
		intro = deliveryFailedText(r.data)

	default:
		title = "Update on your connection"
		intro = fmt.Sprintf("Something happened to *%s*.", ref)
	}

	blocks := []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(vmd(intro), nil, nil)}
	blocks = append(blocks, body...)
	if card {
		blocks = append(blocks, cardBlocks(d, r.accountFor())...)
	} else {
		blocks = append(blocks, slack.NewContextBlock("", vmd(statusLine(c))))
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

// renderTicketNotice renders the notices about an access-point enquiry
// (they name no connection) and any notice whose connection is not given.
func (a *App) renderTicketNotice(ctx context.Context, r *noticeRender) ([]slack.Block, string, error) {
	tid, _ := r.data.num("ticket_id")
	var t *models.Ticket
	if tid > 0 {
		got, err := a.store.Ticket(ctx, tid)
		switch {
		case err == nil:
			t = got
		case !errors.Is(err, models.ErrNotFound):
			return nil, "", fmt.Errorf("load ticket %d: %w", tid, err)
		}
	}
	switch {
	case r.n.Kind == models.NoticeDeliveryFailed:
		title := "A message could not be delivered"
		return []slack.Block{slack.NewHeaderBlock(plain(title)), slack.NewSectionBlock(vmd(deliveryFailedText(r.data)), nil, nil)}, title, nil
	case t == nil:
		title := "leaseline"
		return []slack.Block{slack.NewSectionBlock(vmd(fmt.Sprintf("leaseline has news (%s) about something that no longer exists.", esc(string(r.n.Kind)))), nil, nil)}, title, nil
	}
	where := "any access point"
	if t.AccessPointID != "" {
		where = esc(t.AccessPointID)
		if ap, err := a.store.AccessPoint(ctx, t.AccessPointID); err == nil {
			where = fmt.Sprintf("%s (%s, %s)", esc(ap.Name), esc(ap.ID), esc(ap.Location))
		}
	}
	account := ""
	if acct, err := a.store.Account(ctx, t.AccountID); err == nil {
		account = acct.Name
	}
	title := fmt.Sprintf("Access point enquiry #%d", t.ID)
	var blocks []slack.Block
	switch r.n.Kind {
	case models.NoticeEnquiryAnswered:
		title = fmt.Sprintf("Your enquiry #%d is answered", t.ID)
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(vmd(fmt.Sprintf("About %s, answered by %s at %s.", where, mention(t.AnsweredBy), when(t.UpdatedAt))), nil, nil),
		}
		blocks = append(blocks, labelled("Your question", t.Text)...)
		blocks = append(blocks, labelled("Answer", t.Answer)...)
	default:
		blocks = []slack.Block{
			slack.NewHeaderBlock(plain(title)),
			slack.NewSectionBlock(vmd(fmt.Sprintf("%s asks about %s (%s). Answer it: the customer is told in their channel.", mention(t.SubmittedBy), where, t.State)), nil, nil),
		}
		blocks = append(blocks, factBlocks([]fact{{label: "Customer account", value: account}})...)
		blocks = append(blocks, labelled("Question", t.Text)...)
		if t.State == models.TicketOpen {
			blocks = append(blocks, slack.NewActionBlock(fmt.Sprintf("ll_enquiry_%d", t.ID),
				button(actAnswer, strconv.FormatInt(t.ID, 10), "Answer", slack.StylePrimary)))
		} else if t.Answer != "" {
			blocks = append(blocks, labelled("Answer", t.Answer)...)
			blocks = append(blocks, slack.NewContextBlock("", vmd(fmt.Sprintf("Answered by %s at %s.", mention(t.AnsweredBy), when(t.UpdatedAt)))))
		}
	}
	return blocks, title, nil
}

// cardBlocks is a connection's summary: its IDs, the
// application's facts (typed text as plain text), and the status with who
// must act next. account is shown when not "".
func cardBlocks(d *models.Detail, account string) []slack.Block {
	c := &d.Connection
	head := "*" + models.ApplicationRef(c.ID) + "*"
	if c.PhysicalConnectionID != nil {
		head += " · `" + *c.PhysicalConnectionID + "`"
	}
	blocks := []slack.Block{slack.NewSectionBlock(vmd(head), nil, nil)}
	blocks = append(blocks, factBlocks(connFacts(d, account))...)
	blocks = append(blocks, slack.NewContextBlock("", vmd(statusLine(c))))
	return blocks
}

// connFacts are the apply form's fields of a connection.
func connFacts(d *models.Detail, account string) []fact {
	c := &d.Connection
	red := "none"
	if c.RedundantID != nil {
		red = models.ApplicationRef(*c.RedundantID)
	}
	fs := []fact{
		{label: models.FieldName, value: c.Name},
		{label: models.FieldAccessPoint, value: apName(d)},
		{label: models.FieldProvider, value: providerName(d)},
		{label: models.FieldPortType, value: string(c.PortType)},
		{label: models.FieldBandwidth, value: fmt.Sprintf("%d Mbps", c.BandwidthMbps)},
		{label: models.FieldLocation, value: c.Location},
		{label: models.FieldRedundancy, value: red},
	}
	if account != "" {
		fs = append(fs, fact{label: "Customer account", value: account})
	}
	return fs
}

func apName(d *models.Detail) string {
	if d.AccessPoint.Name == "" {
		return d.Connection.AccessPointID
	}
	return fmt.Sprintf("%s (%s)", d.AccessPoint.Name, d.AccessPoint.ID)
}

func providerName(d *models.Detail) string {
	if d.Provider.Name == "" {
		return d.Connection.ProviderID
	}
	return d.Provider.Name
}

func pcID(c *models.Connection) string {
	if c.PhysicalConnectionID == nil {
		return models.ApplicationRef(c.ID)
	}
	return *c.PhysicalConnectionID
}

// surveyBlocks shows a survey: company, line type, arrival and the
// engineers, their ID numbers masked.
func surveyBlocks(sv *models.Survey) []slack.Block {
	if sv == nil {
		return nil
	}
	blocks := factBlocks([]fact{
		{label: "Construction company", value: sv.ConstructionCompany},
		{label: "Line type", value: string(sv.LineType)},
		{label: "Planned arrival", value: when(sv.PlannedArrival), md: true},
		{label: "Engineers", value: strconv.Itoa(len(sv.Engineers))},
	})
	vs := make([]visitor, 0, len(sv.Engineers))
	for _, e := range sv.Engineers {
		vs = append(vs, visitor{name: e.Name, phone: e.Phone, idType: string(e.IDType), idNumber: e.IDNumber})
	}
	return append(blocks, visitorBlocks(vs)...)
}

// visitor is one engineer expected at the IDC.
type visitor struct{ name, phone, idType, idNumber string }

// visitorBlocks lists visitors as plain text, ID numbers masked.
func visitorBlocks(vs []visitor) []slack.Block {
	if len(vs) == 0 {
		return nil
	}
	lines := make([]string, 0, len(vs))
	for i, v := range vs {
		line := fmt.Sprintf("%d. %s", i+1, v.name)
		if v.phone != "" {
			line += " · " + v.phone
		}
		if v.idType != "" || v.idNumber != "" {
			line += " · " + strings.TrimSpace(v.idType+" "+models.MaskID(v.idNumber))
		}
		lines = append(lines, line)
	}
	return []slack.Block{slack.NewSectionBlock(ptext("Engineers going to the IDC:\n"+strings.Join(lines, "\n")), nil, nil)}
}

// visitInfo is what a visit notice shows: its data, completed from the
// connection's visit when the data lacks it.
type visitInfo struct {
	date, weekday, window, tz        string
	idcName, idcAddress, apName      string
	receptionName, receptionPhone    string
	company                          string
	change, previousDate, reason, by string
	visitors                         []visitor
}

func visitOf(data noticeData, d *models.Detail) visitInfo {
	v := visitInfo{
		date: data.str("date", "visit_date"), weekday: data.str("weekday"), window: data.str("window", "time_window"),
		tz: data.str("time_zone", "tz"), idcName: data.str("idc_name", "idc.name"), idcAddress: data.str("idc_address", "idc.address"),
		apName: data.str("access_point"), receptionName: data.str("reception_name", "reception.name"),
		receptionPhone: data.str("reception_phone", "reception.phone"), company: data.str("construction_company", "company"),
		change: data.str("change", "state"), previousDate: data.str("previous_date", "old_date"), reason: data.str("reason"), by: data.str("by"),
	}
	for _, p := range data.list("visitors", "engineers") {
		v.visitors = append(v.visitors, visitor{
			name: p.str("name", "Name"), phone: p.str("phone", "Phone"),
			idType: p.str("id_type", "IDType"), idNumber: p.str("id_number", "IDNumber", "number"),
		})
	}
	if d == nil {
		return v
	}
	if d.Visit != nil {
		v.date = cmpOr(v.date, d.Visit.Date)
		v.window = cmpOr(v.window, d.Visit.Window)
	}
	v.idcName = cmpOr(v.idcName, d.AccessPoint.IDCName)
	v.idcAddress = cmpOr(v.idcAddress, d.AccessPoint.IDCAddress)
	v.apName = cmpOr(v.apName, d.AccessPoint.Name)
	v.tz = cmpOr(v.tz, d.Region.TimeZone)
	if d.Reception != nil {
		v.receptionName = cmpOr(v.receptionName, d.Reception.Name)
		v.receptionPhone = cmpOr(v.receptionPhone, d.Reception.Phone)
	}
	if d.Survey != nil {
		v.company = cmpOr(v.company, d.Survey.ConstructionCompany)
		if len(v.visitors) == 0 {
			for _, e := range d.Survey.Engineers {
				v.visitors = append(v.visitors, visitor{name: e.Name, phone: e.Phone, idType: string(e.IDType), idNumber: e.IDNumber})
			}
		}
	}
	if v.weekday == "" {
		if date, err := models.ParseDate(v.date); err == nil {
			v.weekday = date.Weekday().String()
		}
	}
	return v
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// day is the visit's date, weekday and window, escaped.
func (v visitInfo) day() string {
	s := cmpOr(v.date, "a date to be confirmed")
	if v.weekday != "" {
		s = v.weekday + " " + s
	}
	if v.window != "" {
		s += ", " + v.window
	}
	if v.tz != "" {
		s += " (" + v.tz + ")"
	}
	return esc(s)
}

// headline is the title and the opening sentence of a visit notice for its
// recipient.
func (v visitInfo) headline(kind models.NoticeKind, to recipient, d *models.Detail) (string, string) {
	idc := esc(cmpOr(v.idcName, v.apName))
	switch kind {
	case models.NoticeVisitChanged:
		if v.change == "canceled" {
			return "IDC visit canceled", fmt.Sprintf("The IDC visit for `%s` on %s at %s is canceled%s. After-sales books a new one and tells you.",
				pcID(&d.Connection), esc(cmpOr(v.previousDate, v.date)), idc, byUser(v.by))
		}
		from := ""
		if v.previousDate != "" {
			from = " from " + esc(v.previousDate)
		}
		return "IDC visit rescheduled", fmt.Sprintf("The IDC visit for `%s` moved%s to *%s* at %s%s.", pcID(&d.Connection), from, v.day(), idc, byUser(v.by))
	case models.NoticeVisitReminder:
		if to == toReception {
			return "Visitors today", fmt.Sprintf("Engineers of %s arrive at %s today, *%s*, to build a leased line (`%s`). Please receive them; their ID numbers are shown masked, check the documents at the door.",
				esc(cmpOr(v.company, providerName(d))), idc, v.day(), pcID(&d.Connection))
		}
		return "Today: IDC visit", fmt.Sprintf("Your engineers are expected at %s today, *%s*. Bring the ID documents listed in the survey; the reception contact is below. Press *Construction Complete* when the line is built.", idc, v.day())
	}
	switch to {
	case toProvider:
		return "IDC visit booked", fmt.Sprintf("Your engineers are expected at %s on *%s*. The reception contact below receives them. Press *Construction Complete* when the line is built.", idc, v.day())
	case toStaff:
		return "IDC visit booked", fmt.Sprintf("The IDC visit for `%s` is booked on *%s* at %s.", pcID(&d.Connection), v.day(), idc)
	case toReception:
		return "Visitors booked", fmt.Sprintf("Engineers arrive at %s on *%s* to build a leased line (`%s`).", idc, v.day(), pcID(&d.Connection))
	}
	return "IDC visit booked", fmt.Sprintf("After-sales booked the IDC visit of %s's engineers on *%s* at %s. The provider has the date and the reception contact too; it completes the construction, then you confirm.",
		esc(providerName(d)), v.day(), idc)
}

// blocks are a visit notice's facts: where, when, who receives, who comes.
func (v visitInfo) blocks(kind models.NoticeKind) []slack.Block {
	fs := []fact{
		{label: "Date", value: strings.TrimSpace(v.weekday + " " + v.date)},
		{label: "Time window", value: strings.TrimSpace(v.window + " " + v.tz)},
		{label: "IDC", value: v.idcName},
		{label: "Address", value: v.idcAddress},
		{label: "Reception", value: strings.Trim(v.receptionName+" · "+v.receptionPhone, " ·")},
	}
	if v.company != "" {
		fs = append(fs, fact{label: "Construction company", value: v.company})
	}
	blocks := factBlocks(fs)
	if kind == models.NoticeVisitChanged && v.reason != "" {
		blocks = append(blocks, labelled("Reason", v.reason)...)
	}
	return append(blocks, visitorBlocks(v.visitors)...)
}

// deliveryFailedText says which message failed, where, and why.
func deliveryFailedText(data noticeData) string {
	id, _ := data.num("notice_id")
	attempts, _ := data.num("attempts")
	where := data.str("channel")
	if slackID.MatchString(where) && strings.HasPrefix(where, "C") {
		where = "<#" + where + ">"
	} else {
		where = esc(where)
	}
	return fmt.Sprintf("Notice %d (%s) to %s failed for good after %s: %s. The recipient was not told; tell them, or fix the cause and requeue the notice.",
		id, esc(cmpOr(data.str("kind", "notice_kind"), "unknown kind")), cmpOr(where, "an unknown channel"), plural(attempts, "attempt"),
		esc(truncate(cmpOr(data.str("error", "last_error"), "no error recorded"), 500)))
}

var slackID = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,20}$`)

// escalation is the mention of whoever a review escalates to: a user (U…,
// W…) or a user group (S…), never free text.
func escalation(id string) string {
	switch {
	case !slackID.MatchString(id):
		return ""
	case strings.HasPrefix(id, "S"):
		return "<!subteam^" + id + ">"
	case strings.HasPrefix(id, "U"), strings.HasPrefix(id, "W"):
		return "<@" + id + ">"
	}
	return ""
}

func byUser(id string) string {
	if id == "" {
		return ""
	}
	return " by " + mention(id)
}

// byAt is " by @x at <time>" of an audit event ("" when there is none).
func byAt(ev *models.AuditEvent) string {
	if ev == nil {
		return ""
	}
	return fmt.Sprintf(" by %s at %s", mention(ev.Actor), when(ev.At))
}

// who is the mention of the actor of ev, or fallback.
func who(ev *models.AuditEvent, fallback string) string {
	if ev == nil {
		return fallback
	}
	return mention(ev.Actor)
}

// at is " at <time>" of ev, or "".
func at(ev *models.AuditEvent) string {
	if ev == nil {
		return ""
	}
	return " at " + when(ev.At)
}

func lastAction(d *models.Detail, a models.Action) *models.AuditEvent {
	return lastEvent(d, func(ev models.AuditEvent) bool { return ev.Action == a })
}

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// fact is one label and value of a card. The value is typed text shown as
// plain text, exactly as typed, unless md says leaseline built it (dates,
// mentions).
type fact struct {
	label string
	value string
	md    bool
}

// factBlocks lays facts out as two columns, label and value, five to a
// section (Slack's limit of ten fields).
func factBlocks(fs []fact) []slack.Block {
	var out []slack.Block
	for i := 0; i < len(fs); i += 5 {
		var fields []*slack.TextBlockObject
		for _, f := range fs[i:min(i+5, len(fs))] {
			fields = append(fields, vmd("*"+f.label+"*"))
			v := truncate(f.value, 2000)
			switch {
			case strings.TrimSpace(v) == "":
				fields = append(fields, ptext("—"))
			case f.md:
				fields = append(fields, vmd(v))
			default:
				fields = append(fields, ptext(v))
			}
		}
		out = append(out, slack.NewSectionBlock(nil, fields, nil))
	}
	return out
}

// labelled shows typed text under a label, as plain text; nothing when the
// text is empty.
func labelled(label, text string) []slack.Block {
	if strings.TrimSpace(text) == "" {
		return nil
	}
	return []slack.Block{
		slack.NewContextBlock("", vmd("*"+label+"*")),
		slack.NewSectionBlock(ptext(text), nil, nil),
	}
}

// vmd is mrkdwn that Slack takes verbatim: no URL made a link, no channel
// name or mention parsed from plain words. leaseline's own markup (<@U…>,
// <!date…>) still works. Typed text in it must still go through esc.
func vmd(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, truncate(s, maxPlainText), false, true)
}

// ptext is typed text shown exactly as typed: plain text, emoji codes not
// turned into emoji, never empty.
func ptext(s string) *slack.TextBlockObject {
	if strings.TrimSpace(s) == "" {
		s = "—"
	}
	return slack.NewTextBlockObject(slack.PlainTextType, truncate(s, maxPlainText), false, false)
}

// noticeData is a notice's Data, read tolerantly: a key may be missing, of
// another type, or nested ("idc.name").
type noticeData map[string]any

func parseNoticeData(raw string) noticeData {
	var m map[string]any
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m == nil {
		return noticeData{}
	}
	return m
}

func (d noticeData) lookup(key string) (any, bool) {
	var cur any = map[string]any(d)
	for part := range strings.SplitSeq(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}

// str is the first of keys holding a non-empty string, number or bool.
func (d noticeData) str(keys ...string) string {
	for _, k := range keys {
		v, _ := d.lookup(k)
		switch x := v.(type) {
		case string:
			if s := strings.TrimSpace(x); s != "" {
				return s
			}
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case bool:
			return strconv.FormatBool(x)
		}
	}
	return ""
}

// num is the first of keys holding a number (or a string of one).
func (d noticeData) num(keys ...string) (int64, bool) {
	for _, k := range keys {
		v, _ := d.lookup(k)
		switch x := v.(type) {
		case float64:
			return int64(x), true
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n, true
			}
		}
	}
	return 0, false
}

// time is the first of keys holding an RFC 3339 time or Unix seconds.
func (d noticeData) time(keys ...string) (time.Time, bool) {
	for _, k := range keys {
		v, _ := d.lookup(k)
		switch x := v.(type) {
		case string:
			if t, err := time.Parse(time.RFC3339Nano, x); err == nil && !t.IsZero() {
				return t, true
			}
		case float64:
			if x > 0 {
				return time.Unix(int64(x), 0).UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// list is the first of keys holding a list of objects.
func (d noticeData) list(keys ...string) []noticeData {
	for _, k := range keys {
		v, _ := d.lookup(k)
		xs, ok := v.([]any)
		if !ok {
			continue
		}
		out := make([]noticeData, 0, len(xs))
		for _, x := range xs {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}
